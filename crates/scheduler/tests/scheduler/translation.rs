//! `translate` (issue 3 "lrviz translate"): replay both sides on the parity series and check
//! that the translation holds where the semantics doc (§3) says it does: Keras(P, C) ≡
//! torch(P−1, max(C−1, 0)) with threshold_mode abs and threshold = min_delta, on finite
//! series, away from float32 comparison ties (Keras 3), the min_lr floor and float32
//! underflow. Where it holds, the reduction epochs are identical and the LRs agree to float32
//! precision.

use lrviz_scheduler::{replay, translate, Flavor, Mode, PlateauConfig, Replay, ThresholdMode};

use super::parity;

struct Tally {
    checked: usize,
    excluded: usize,
    /// Excluded series whose reduction epochs really differ (reported, not asserted).
    differ: usize,
}

/// Floor or float32-underflow effects: some LR got within 1e-5 of min_lr, or below 1e-30.
fn floor_effect(c: &PlateauConfig, r: &Replay) -> bool {
    r.lr_after_epoch
        .iter()
        .any(|&lr| lr <= c.min_lr * (1.0 + 1e-5) || lr < 1e-30)
}

/// Keras 3 epochs where its float32 comparison decided differently from the float64 one.
fn float32_tie(c: &PlateauConfig, r: &Replay) -> bool {
    if c.flavor != Flavor::Keras {
        return false;
    }
    let max = c.direction().unwrap() == lrviz_scheduler::Direction::Max;
    r.decisions.iter().any(|d| match (d.best_before, d.value) {
        (Some(b), Some(v)) => {
            let (f32_test, f64_test) = if max {
                (((v - c.min_delta) as f32) > (b as f32), v - c.min_delta > b)
            } else {
                (((v + c.min_delta) as f32) < (b as f32), v + c.min_delta < b)
            };
            f32_test != f64_test
        }
        _ => false,
    })
}

fn compare(from: &PlateauConfig, lr0: f64, metrics: &[f64], tally: &mut Tally, id: &str) {
    let t = translate(
        from,
        if from.flavor == Flavor::Torch {
            Flavor::Keras
        } else {
            Flavor::Torch
        },
    );
    let to = &t.config;
    let series: Vec<Option<f64>> = metrics.iter().copied().map(Some).collect();
    let a = replay(from, lr0, &series).unwrap();
    let b = replay(to, lr0, &series).unwrap();
    if floor_effect(from, &a)
        || floor_effect(to, &b)
        || float32_tie(from, &a)
        || float32_tie(to, &b)
    {
        tally.excluded += 1;
        tally.differ += usize::from(a.reduced_at != b.reduced_at);
        return;
    }
    assert!(t.exact, "{id}: {:?}", t.notes);
    assert_eq!(
        a.reduced_at,
        b.reduced_at,
        "{id}: {} vs {}",
        from.summary(),
        to.summary()
    );
    for (x, y) in a.lr_after_epoch.iter().zip(&b.lr_after_epoch) {
        assert!(
            (x - y).abs() <= 1e-6 * x.abs().max(y.abs()),
            "{id}: {x} vs {y}"
        );
    }
    tally.checked += 1;
}

#[test]
fn keras_flavors_to_torch_hold_on_parity_series() {
    for flavor in [Flavor::TfKeras, Flavor::Keras] {
        let mut tally = Tally {
            checked: 0,
            excluded: 0,
            differ: 0,
        };
        for case in parity::load(flavor) {
            if case.metrics.iter().any(|v| !v.is_finite()) {
                continue;
            }
            let cfg = parity::config(flavor, &case);
            compare(&cfg, case.initial_lr, &case.metrics, &mut tally, &case.id);
        }
        println!(
            "translate {flavor} -> torch: holds on {} finite parity series ({} excluded for floor or float32 effects, of which {} reduce at other epochs)",
            tally.checked, tally.excluded, tally.differ
        );
        assert!(
            tally.checked >= 100,
            "{flavor}: only {} checked",
            tally.checked
        );
    }
}

#[test]
fn torch_abs_to_keras_holds_on_parity_series() {
    let mut tally = Tally {
        checked: 0,
        excluded: 0,
        differ: 0,
    };
    let mut rel_differs = 0;
    for case in parity::load(Flavor::Torch) {
        if case.metrics.iter().any(|v| !v.is_finite()) {
            continue;
        }
        let mut cfg = parity::config(Flavor::Torch, &case);
        // eps effects are out of scope (doc §3); Keras has no eps.
        cfg.eps = 0.0;
        if cfg.threshold_mode == ThresholdMode::Rel && cfg.threshold > 0.0 {
            let t = translate(&cfg, Flavor::Keras);
            assert!(!t.exact, "rel has no Keras equivalent");
            let series: Vec<Option<f64>> = case.metrics.iter().copied().map(Some).collect();
            let a = replay(&cfg, case.initial_lr, &series).unwrap();
            let b = replay(&t.config, case.initial_lr, &series).unwrap();
            rel_differs += usize::from(a.reduced_at != b.reduced_at);
            continue;
        }
        compare(&cfg, case.initial_lr, &case.metrics, &mut tally, &case.id);
    }
    println!(
        "translate torch(abs) -> keras: holds on {} finite parity series ({} excluded, {} of them differ); rel: {} series differ",
        tally.checked, tally.excluded, tally.differ, rel_differs
    );
    assert!(tally.checked >= 50, "only {} checked", tally.checked);
    assert!(rel_differs > 0, "the rel caveat should show on some series");
}

#[test]
fn mapping_of_parameters() {
    // §3: Keras(P, C) → torch(P−1, max(C−1, 0)), abs, threshold = min_delta, eps 0.
    let mut k = PlateauConfig::keras();
    k.patience = 3;
    k.cooldown = 2;
    k.min_delta = 1e-3;
    k.min_lr = 1e-5;
    k.factor = 0.5;
    let t = translate(&k, Flavor::Torch);
    assert!(t.exact);
    let c = &t.config;
    assert_eq!((c.flavor, c.patience, c.cooldown), (Flavor::Torch, 2, 1));
    assert_eq!(
        (c.threshold_mode, c.threshold, c.eps),
        (ThresholdMode::Abs, 1e-3, 0.0)
    );
    assert_eq!((c.factor, c.min_lr, c.mode), (0.5, 1e-5, Mode::Min));
    assert!(c.validate().is_ok());
    // Back: torch(2, 1) → Keras(3, 2).
    let back = translate(c, Flavor::Keras).config;
    assert_eq!(
        (back.patience, back.cooldown, back.min_delta, back.mode),
        (3, 2, 1e-3, Mode::Min)
    );
    // Keras patience 0 behaves as 1 → torch 0.
    k.patience = 0;
    assert_eq!(translate(&k, Flavor::Torch).config.patience, 0);
    // torch defaults (rel threshold) have no exact Keras equivalent.
    let t = translate(&PlateauConfig::torch(), Flavor::Keras);
    assert!(!t.exact);
    assert!(t.notes.iter().any(|n| n.contains("no exact equivalent")));
    // Keras auto on an unknown name cannot be resolved.
    let mut u = PlateauConfig::keras();
    u.monitor = "val_my_score".into();
    assert!(!translate(&u, Flavor::Torch).exact);
    // Keras 3 → tf.keras: same numbers; auto resolved to the Keras 3 direction.
    let mut a = PlateauConfig::keras();
    a.monitor = "val_auc".into();
    let t = translate(&a, Flavor::TfKeras);
    assert!(t.exact);
    assert_eq!(
        t.config.mode,
        Mode::Max,
        "tf.keras auto would minimize val_auc"
    );
}
