//! Helpers shared by the test modules.

use lrviz_scheduler::{replay, Flavor, Mode, PlateauConfig, Replay, ThresholdMode};

/// A config of `flavor` with the framework defaults and the given patience/factor.
pub fn cfg(flavor: Flavor, patience: i64, factor: f64) -> PlateauConfig {
    let mut c = PlateauConfig::defaults(flavor);
    c.patience = patience;
    c.factor = factor;
    c
}

pub fn keras(patience: i64) -> PlateauConfig {
    cfg(Flavor::Keras, patience, 0.1)
}

pub fn tf_keras(patience: i64) -> PlateauConfig {
    cfg(Flavor::TfKeras, patience, 0.1)
}

pub fn torch(patience: i64) -> PlateauConfig {
    cfg(Flavor::Torch, patience, 0.1)
}

pub fn torch_abs(patience: i64) -> PlateauConfig {
    let mut c = torch(patience);
    c.threshold_mode = ThresholdMode::Abs;
    c
}

pub fn with_mode(mut c: PlateauConfig, mode: Mode) -> PlateauConfig {
    c.mode = mode;
    c
}

pub fn some(values: &[f64]) -> Vec<Option<f64>> {
    values.iter().copied().map(Some).collect()
}

pub fn run(c: &PlateauConfig, lr0: f64, values: &[f64]) -> Replay {
    replay(c, lr0, &some(values)).expect("valid config")
}

/// Checks an LR trajectory written as decimals (as the semantics doc and issue 3 write them)
/// at the flavor's precision.
///
/// The decimals cannot be compared bit for bit as written: torch's 0.1 × 0.1 is
/// 0.010000000000000002 and Keras' third float32 reduction from 1 is 0.0009999999310821295
/// (doc D18), neither of which is the double nearest to the decimal. So the exact expected
/// value is derived from the decimals by the framework's documented arithmetic (doc §2.1,
/// §2.4, D18): wherever the decimal list changes, the framework held
/// `max(previous * factor, min_lr)` (float64 for torch; float64 product of the float32 value,
/// stored as float32 for Keras). The derivation must agree with the decimal to 1e-6
/// relative, and the scheduler's LR must equal the derived value exactly (identical doubles
/// for torch, identical float32 for Keras). The reduction epochs are the epochs where the
/// decimal list changes.
pub fn assert_lrs(c: &PlateauConfig, lr0: f64, got: &Replay, expected: &[f64]) {
    assert_eq!(
        got.lr_after_epoch.len(),
        expected.len(),
        "{}: trajectory length",
        c.summary()
    );
    let keras = c.flavor.is_keras();
    let hold = |x: f64| if keras { f64::from(x as f32) } else { x };
    let mut exact = hold(lr0);
    let mut prev_decimal = lr0;
    let mut reduced_at = Vec::new();
    for (e, (&decimal, &lr)) in expected.iter().zip(&got.lr_after_epoch).enumerate() {
        if decimal != prev_decimal {
            exact = hold((exact * c.factor).max(c.min_lr));
            reduced_at.push(e as u64);
            prev_decimal = decimal;
        }
        assert!(
            (exact - decimal).abs() <= 1e-6 * decimal.abs(),
            "test derivation: epoch {e}: {exact} does not describe the decimal {decimal}"
        );
        if keras {
            assert_eq!(
                lr as f32,
                exact as f32,
                "{}: epoch {e}: LR {lr} != expected float32 {exact} (decimal {decimal}); got {:?}",
                c.summary(),
                got.lr_after_epoch
            );
        } else {
            assert_eq!(
                lr.to_bits(),
                exact.to_bits(),
                "{}: epoch {e}: LR {lr} != expected double {exact} (decimal {decimal}); got {:?}",
                c.summary(),
                got.lr_after_epoch
            );
        }
    }
    assert_eq!(got.reduced_at, reduced_at, "{}: reduced_at", c.summary());
}

/// Replays and checks in one go.
pub fn check(c: &PlateauConfig, lr0: f64, values: &[f64], expected: &[f64]) -> Replay {
    let r = run(c, lr0, values);
    assert_lrs(c, lr0, &r, expected);
    r
}
