//! The worked examples S1–S12 of plateau-semantics.md §4 (each one run on Keras 3.15.1,
//! tf.keras 2.15.1 and torch 2.15.0 by `verify_semantics.py`), with the §5 internal-state
//! vectors. LR lists are "LR after epoch e"; lr0 and parameters as in the script's SCENARIOS.
//! S9's patience −1 and S12's negative min_delta are refusals (see `refusals`).

use lrviz_scheduler::{Event, Flavor, Mode, ReduceLrOnPlateau};

use super::common::*;

const FLAT8: [f64; 8] = [1.0; 8];

#[test]
fn s1_off_by_one_on_a_flat_plateau() {
    // D1: Keras/tf.keras reduce on the P-th bad epoch, torch on the (P+1)-th.
    let keras_row = [1.0, 1.0, 0.1, 0.1, 0.01, 0.01, 0.001, 0.001];
    check(&keras(2), 1.0, &FLAT8, &keras_row);
    check(&tf_keras(2), 1.0, &FLAT8, &keras_row);
    check(
        &torch(2),
        1.0,
        &FLAT8,
        &[1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.01, 0.01],
    );
    check(&torch(1), 1.0, &FLAT8, &keras_row);
}

#[test]
fn s2_keras_2_1_6_regression_sequence() {
    // D2: Keras PR #9723's test, patience 2.
    let v = [0.0860, 0.1096, 0.1040];
    check(&keras(2), 1.0, &v, &[1.0, 1.0, 0.1]);
    check(&tf_keras(2), 1.0, &v, &[1.0, 1.0, 0.1]);
    check(&torch(2), 1.0, &v, &[1.0, 1.0, 1.0]);
}

#[test]
fn s3_absolute_min_delta_vs_relative_threshold() {
    // D3: drops of 4e-4 near 10 beat an absolute 1e-4 but not a relative 1e-4 (1e-3 here).
    let v = [10.0, 9.9996, 9.9992, 9.9988, 9.9984, 9.998];
    check(&keras(1), 1.0, &v, &[1.0; 6]);
    check(&tf_keras(1), 1.0, &v, &[1.0; 6]);
    check(&torch(1), 1.0, &v, &[1.0, 1.0, 0.1, 0.1, 0.1, 0.01]);
    check(&torch_abs(1), 1.0, &v, &[1.0; 6]);
}

#[test]
fn s4_cooldown_accounting() {
    // D4.
    let mut k = keras(1);
    k.cooldown = 2;
    let row = [1.0, 0.1, 0.1, 0.01, 0.01, 0.001, 0.001, 1e-4];
    check(&k, 1.0, &FLAT8, &row);
    let mut tk = tf_keras(1);
    tk.cooldown = 2;
    check(&tk, 1.0, &FLAT8, &row);
    // Keras cooldown 1 == cooldown 0.
    let every = [1.0, 0.1, 0.01, 0.001, 1e-4, 1e-5, 1e-6, 1e-7];
    let mut k1 = keras(1);
    k1.cooldown = 1;
    let a = check(&k1, 1.0, &FLAT8, &every);
    let b = check(&keras(1), 1.0, &FLAT8, &every);
    assert_eq!(a.lr_after_epoch, b.lr_after_epoch);
    let mut t = torch(1);
    t.cooldown = 2;
    check(&t, 1.0, &FLAT8, &[1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01]);
    let mut t01 = torch(0);
    t01.cooldown = 1;
    check(&t01, 1.0, &FLAT8, &row);
    let mut t02 = torch(0);
    t02.cooldown = 2;
    check(
        &t02,
        1.0,
        &FLAT8,
        &[1.0, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001],
    );
}

#[test]
fn s4_exact_lr_values_d18() {
    // D18: the LR values printed by the runs, exactly.
    let mut k = keras(1);
    k.cooldown = 2;
    let r = run(&k, 1.0, &FLAT8);
    let reduced: Vec<f64> = r
        .reduced_at
        .iter()
        .map(|&e| r.lr_after_epoch[e as usize])
        .collect();
    assert_eq!(
        reduced,
        [
            0.10000000149011612,
            0.009999999776482582,
            0.0009999999310821295,
            9.99999901978299e-05
        ]
    );
    // torch p0 flat: epoch 0 improves on +inf, then every epoch reduces in float64.
    let r = run(&torch(0), 1.0, &[1.0; 4]);
    assert_eq!(
        r.lr_after_epoch,
        [1.0, 0.1, 0.010000000000000002, 0.0010000000000000002]
    );
}

#[test]
fn s4_internal_state_vectors() {
    // §5: Keras 3.15, (wait, cooldown_counter) after epochs 0..7.
    let mut k = keras(1);
    k.cooldown = 2;
    let r = run(&k, 1.0, &FLAT8);
    let got: Vec<(u64, u64)> = r.decisions.iter().map(|d| (d.wait, d.cooldown)).collect();
    assert_eq!(
        got,
        [
            (0, 0),
            (0, 2),
            (0, 1),
            (0, 2),
            (0, 1),
            (0, 2),
            (0, 1),
            (0, 2)
        ]
    );
    // §5: torch, (num_bad, cooldown_counter); last_epoch = 1..8.
    let mut t = torch(1);
    t.cooldown = 2;
    let mut s = ReduceLrOnPlateau::new(t, 1.0).unwrap();
    let mut got = Vec::new();
    for (e, v) in FLAT8.iter().enumerate() {
        let d = s.step(e as u64, Some(*v));
        got.push((d.wait, d.cooldown, s.state().epochs_seen));
    }
    assert_eq!(
        got,
        [
            (0, 0, 1),
            (1, 0, 2),
            (0, 2, 3),
            (0, 1, 4),
            (0, 0, 5),
            (1, 0, 6),
            (0, 2, 7),
            (0, 1, 8)
        ]
    );
}

const S5: [f64; 15] = [
    1.00, 0.80, 0.70, 0.69995, 0.70, 0.71, 0.68, 0.69, 0.69, 0.69, 0.69, 0.69, 0.69, 0.69, 0.69,
];

#[test]
fn s5_realistic_sequence() {
    // D5: lr0 1, factor .5, min_lr .1.
    let keras_row = [
        1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125, 0.1, 0.1, 0.1,
    ];
    for flavor in [Flavor::Keras, Flavor::TfKeras] {
        let mut c = cfg(flavor, 2, 0.5);
        c.cooldown = 1;
        c.min_lr = 0.1;
        check(&c, 1.0, &S5, &keras_row);
    }
    let mut t = cfg(Flavor::Torch, 2, 0.5);
    t.cooldown = 1;
    t.min_lr = 0.1;
    check(
        &t,
        1.0,
        &S5,
        &[
            1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.125, 0.125,
        ],
    );
    let mut ta = cfg(Flavor::Torch, 1, 0.5);
    ta.min_lr = 0.1;
    ta.threshold_mode = lrviz_scheduler::ThresholdMode::Abs;
    check(&ta, 1.0, &S5, &keras_row);
}

#[test]
fn s5_internal_state_vectors() {
    // §5: Keras 3.15 wait, cooldown_counter and best.
    let mut k = cfg(Flavor::Keras, 2, 0.5);
    k.cooldown = 1;
    k.min_lr = 0.1;
    let r = run(&k, 1.0, &S5);
    let wait: Vec<u64> = r.decisions.iter().map(|d| d.wait).collect();
    let cd: Vec<u64> = r.decisions.iter().map(|d| d.cooldown).collect();
    assert_eq!(wait, [0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 2]);
    assert_eq!(cd, [0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0]);
    let best: Vec<f64> = r.decisions.iter().map(|d| d.best.unwrap()).collect();
    assert_eq!(&best[..7], &[1.0, 0.8, 0.7, 0.7, 0.7, 0.7, 0.68]);
    assert!(best[7..].iter().all(|&b| b == 0.68));
    // §5: torch (p2, c1, rel) num_bad and cooldown_counter.
    let mut t = cfg(Flavor::Torch, 2, 0.5);
    t.cooldown = 1;
    t.min_lr = 0.1;
    let r = run(&t, 1.0, &S5);
    let nb: Vec<u64> = r.decisions.iter().map(|d| d.wait).collect();
    let cd: Vec<u64> = r.decisions.iter().map(|d| d.cooldown).collect();
    assert_eq!(nb, [0, 0, 0, 1, 2, 0, 0, 1, 2, 0, 0, 1, 2, 0, 0]);
    assert_eq!(cd, [0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0]);
}

#[test]
fn s6a_min_lr_clamp() {
    // D6: lr0 1e-3, factor .1, min_lr 5e-4 (Keras p1 / torch p0).
    let row = [1e-3, 5e-4, 5e-4, 5e-4, 5e-4];
    for c in [keras(1), tf_keras(1), torch(0)] {
        let mut c = c;
        c.min_lr = 5e-4;
        check(&c, 1e-3, &[1.0; 5], &row);
    }
}

#[test]
fn s6b_torch_eps_stops_tiny_reductions() {
    // D7: lr0 3e-8, factor .5: torch (eps 1e-8) stops at 1.5e-8, Keras keeps halving.
    let t = cfg(Flavor::Torch, 0, 0.5);
    let r = check(&t, 3e-8, &[1.0; 5], &[3e-8, 1.5e-8, 1.5e-8, 1.5e-8, 1.5e-8]);
    // The skipped reductions are reported as "at the floor" and restart nothing visible here.
    assert!(r.decisions[2..].iter().all(|d| d.event == Event::AtFloor));
    for flavor in [Flavor::Keras, Flavor::TfKeras] {
        check(
            &cfg(flavor, 1, 0.5),
            3e-8,
            &[1.0; 5],
            &[3e-8, 1.5e-8, 7.5e-9, 3.75e-9, 1.875e-9],
        );
    }
}

#[test]
fn s6c_floor_counters() {
    // D8: lr0 .004, factor .5, min_lr .001; LRs identical; Keras wait grows at the floor,
    // torch's num_bad stays 0 (no-op reductions reset it).
    let row = [0.004, 0.002, 0.001, 0.001, 0.001, 0.001];
    let mut k = cfg(Flavor::Keras, 1, 0.5);
    k.min_lr = 0.001;
    let r = check(&k, 0.004, &[1.0; 6], &row);
    let wait: Vec<u64> = r.decisions.iter().map(|d| d.wait).collect();
    assert_eq!(wait, [0, 0, 0, 1, 2, 3]);
    let mut tk = k.clone();
    tk.flavor = Flavor::TfKeras;
    check(&tk, 0.004, &[1.0; 6], &row);
    let mut t = cfg(Flavor::Torch, 0, 0.5);
    t.min_lr = 0.001;
    let r = check(&t, 0.004, &[1.0; 6], &row);
    assert!(r.decisions.iter().all(|d| d.wait == 0));
}

#[test]
fn s7a_nan_first_value() {
    // D9: Keras 3 accepts NaN as the first best and never improves again.
    let v = [f64::NAN, 1.0, 0.9, 0.8];
    let r = check(&keras(1), 1.0, &v, &[1.0, 0.1, 0.01, 0.001]);
    assert!(r.decisions.iter().all(|d| d.best.unwrap().is_nan()));
    assert!(!r.decisions[0].warnings.is_empty(), "NaN-first warning");
    check(&tf_keras(1), 1.0, &v, &[0.1; 4]);
    check(&torch(0), 1.0, &v, &[0.1; 4]);
}

#[test]
fn s7b_nan_in_the_middle() {
    // D10: a later NaN is a bad epoch everywhere.
    let v = [1.0, f64::NAN, f64::NAN, 0.9];
    check(&keras(2), 1.0, &v, &[1.0, 1.0, 0.1, 0.1]);
    check(&tf_keras(2), 1.0, &v, &[1.0, 1.0, 0.1, 0.1]);
    check(&torch(1), 1.0, &v, &[1.0, 1.0, 0.1, 0.1]);
    check(&torch(2), 1.0, &v, &[1.0; 4]);
}

#[test]
fn s7c_plus_inf_first() {
    // D10b: Keras 3 takes +inf as best (so finite values improve); others count it bad.
    let v = [f64::INFINITY, 1.0, 0.9, 0.8];
    check(&keras(1), 1.0, &v, &[1.0; 4]);
    check(&tf_keras(1), 1.0, &v, &[0.1; 4]);
    check(&torch(0), 1.0, &v, &[0.1; 4]);
}

#[test]
fn s7d_minus_inf_poisons_min_mode() {
    // D10b: -inf becomes the best in min mode and nothing improves afterwards.
    let v = [1.0, f64::NEG_INFINITY, 0.5, 0.4];
    for c in [keras(1), tf_keras(1), torch(0)] {
        let r = check(&c, 1.0, &v, &[1.0, 1.0, 0.1, 0.01]);
        assert!(
            !r.decisions[1].warnings.is_empty(),
            "{}: unbeatable best warning",
            c.summary()
        );
    }
}

#[test]
fn s8_negative_metric_getting_worse() {
    // D11: torch rel inverts the test for a negative best.
    let v = [-1.0, -0.99995, -0.9999, -0.99985, -0.9998];
    let r = check(&torch(1), 1.0, &v, &[1.0; 5]);
    assert_eq!(
        r.decisions[0].warnings.len(),
        1,
        "negative-best warning at epoch 0"
    );
    assert!(
        r.decisions[1..].iter().all(|d| d.warnings.is_empty()),
        "given once"
    );
    let r = check(&torch_abs(1), 1.0, &v, &[1.0, 1.0, 0.1, 0.1, 0.01]);
    assert!(
        r.decisions.iter().all(|d| d.warnings.is_empty()),
        "abs mode: no warning"
    );
    check(&keras(1), 1.0, &v, &[1.0, 0.1, 0.01, 0.001, 1e-4]);
    check(&tf_keras(1), 1.0, &v, &[1.0, 0.1, 0.01, 0.001, 1e-4]);
}

#[test]
fn s9_patience_zero() {
    // D12: Keras p0 == p1; torch p0 reduces on every bad epoch. (p −1: refusals module.)
    let v = [1.0, 0.9, 0.8, 0.8, 0.8];
    let row = [1.0, 1.0, 1.0, 0.1, 0.01];
    check(&keras(0), 1.0, &v, &row);
    check(&keras(1), 1.0, &v, &row);
    check(&tf_keras(0), 1.0, &v, &row);
    check(&torch(0), 1.0, &v, &row);
}

#[test]
fn s10_auto_mode_on_val_auc() {
    // D13: Keras 3 knows auc maximizes; tf.keras' "acc" rule minimizes it.
    let v = [0.80, 0.85, 0.90, 0.95];
    let mut k = keras(1);
    k.monitor = "val_auc".into();
    check(&k, 1.0, &v, &[1.0; 4]);
    check(&with_mode(k.clone(), Mode::Max), 1.0, &v, &[1.0; 4]);
    let mut tk = tf_keras(1);
    tk.monitor = "val_auc".into();
    check(&tk, 1.0, &v, &[1.0, 0.1, 0.01, 0.001]);
    assert!(
        tk.warnings(1.0).iter().any(|w| w.contains("val_auc")),
        "tf.keras auto on val_auc is flagged"
    );
}

#[test]
fn s10b_auto_mode_on_unknown_name() {
    // D13: Keras 3 raises for val_f1... lrviz knows f1 but not e.g. `val_my_score`, which is
    // refused (see refusals); tf.keras silently minimizes an unknown name.
    let mut tk = tf_keras(1);
    tk.monitor = "val_f1".into();
    check(&tk, 1.0, &[0.5, 0.6], &[1.0, 0.1]);
}

#[test]
fn s11_float32_comparison_in_keras_3() {
    // D14: 0.99989999 + 1e-4 = 0.99999999 rounds to 1.0f, not below best 1.0f.
    let v = [1.0, 0.99989999];
    check(&keras(1), 1.0, &v, &[1.0, 0.1]);
    check(&tf_keras(1), 1.0, &v, &[1.0, 1.0]);
    check(&torch_abs(0), 1.0, &v, &[1.0, 1.0]);
}
