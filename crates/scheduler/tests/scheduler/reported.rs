//! The reported cases listed in issue 3 (the `B-*` scenarios of verify_semantics.py, run on
//! the real frameworks), plus the script's other `B-*` reproductions.

use lrviz_scheduler::{replay, Event, Flavor};

use super::common::*;

#[test]
fn torch_patience_2_flat_zero_metric() {
    // B-2545: torch, patience 2, factor 0.1, lr 0.1, metric 0 for 10 epochs.
    let v = [0.0; 10];
    check(
        &torch(2),
        0.1,
        &v,
        &[0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001, 0.001, 0.001, 1e-4],
    );
    let mut c = torch(2);
    c.cooldown = 1;
    check(
        &c,
        0.1,
        &v,
        &[0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.01, 0.001, 0.001, 0.001],
    );
    // Same script, the Keras row for comparison.
    check(
        &keras(2),
        0.1,
        &v,
        &[0.1, 0.1, 0.01, 0.01, 0.001, 0.001, 1e-4, 1e-4, 1e-5, 1e-5],
    );
}

#[test]
fn torch_patience_1_reduces_on_the_second_bad_epoch() {
    // B-aprender PR #2135: a Rust crate shipped `>=` and reduced one epoch early.
    let v = [1.0, 1.1, 1.2];
    check(&cfg(Flavor::Torch, 1, 0.5), 0.1, &v, &[0.1, 0.1, 0.05]);
    check(&cfg(Flavor::Keras, 1, 0.5), 0.1, &v, &[0.1, 0.05, 0.025]);
    // B-7151/119763, same point with factor 0.1.
    let v = [1.0, 1.1, 1.2, 1.3];
    check(&torch(1), 1.0, &v, &[1.0, 1.0, 0.1, 0.1]);
    check(&torch(0), 1.0, &v, &[1.0, 0.1, 0.01, 0.001]);
    check(&keras(1), 1.0, &v, &[1.0, 0.1, 0.01, 0.001]);
}

#[test]
fn keras_keeps_reducing_every_patience_epochs_while_flat() {
    // B-10924: keras, patience 2, factor 0.2, lr 1e-3, min_lr 1e-6.
    let v = [0.70, 0.69, 0.69, 0.69, 0.69, 0.69, 0.69];
    for flavor in [Flavor::Keras, Flavor::TfKeras] {
        let mut c = cfg(flavor, 2, 0.2);
        c.min_lr = 1e-6;
        check(&c, 1e-3, &v, &[1e-3, 1e-3, 1e-3, 2e-4, 2e-4, 4e-5, 4e-5]);
    }
}

#[test]
fn keras_patience_4_cooldown_0_flat() {
    // B-3991: after the 2016 fix, cooldown 0 resets wait after a reduction.
    let row = [1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01];
    check(&keras(4), 1.0, &[1.0; 10], &row);
    check(&tf_keras(4), 1.0, &[1.0; 10], &row);
}

#[test]
fn negative_metric_rel_abs_keras() {
    // S8 as reported in issue 3.
    let v = [-1.0, -0.99995, -0.9999, -0.99985, -0.9998];
    check(&torch(1), 1.0, &v, &[1.0; 5]);
    check(&torch_abs(1), 1.0, &v, &[1.0, 1.0, 0.1, 0.1, 0.01]);
    check(&keras(1), 1.0, &v, &[1.0, 0.1, 0.01, 0.001, 1e-4]);
}

#[test]
fn val_auc_auto_mode_tf_keras_vs_keras() {
    // S10 as reported in issue 3.
    let v = [0.80, 0.85, 0.90, 0.95];
    let mut tk = tf_keras(1);
    tk.monitor = "val_auc".into();
    check(&tk, 1.0, &v, &[1.0, 0.1, 0.01, 0.001]);
    let mut k = keras(1);
    k.monitor = "val_auc".into();
    check(&k, 1.0, &v, &[1.0; 4]);
}

#[test]
fn loss_shrinking_half_a_percent_per_epoch() {
    // B-nequip-326: torch, patience 1, loss 0.995^i; default rel 1e-4 never plateaus; rel
    // 0.02 gives 1,1,.1,.1,.01,.01,.01,.001 (the doc's corrected expectation).
    let v: Vec<f64> = (0..8).map(|i| 0.995f64.powi(i)).collect();
    check(&torch(1), 1.0, &v, &[1.0; 8]);
    let mut c = torch(1);
    c.threshold = 0.02;
    check(&c, 1.0, &v, &[1.0, 1.0, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001]);
}

#[test]
fn keras_floor_reports_no_reduction_after_reaching_it() {
    // S6c as reported in issue 3: keras lr .004, factor .5, min_lr .001, patience 1, flat.
    let mut c = cfg(Flavor::Keras, 1, 0.5);
    c.min_lr = 0.001;
    let r = check(
        &c,
        0.004,
        &[1.0; 6],
        &[0.004, 0.002, 0.001, 0.001, 0.001, 0.001],
    );
    assert_eq!(r.reduced_at, [1, 2]);
    let events: Vec<Event> = r.decisions.iter().map(|d| d.event).collect();
    assert!(matches!(events[1], Event::Reduced { .. }));
    assert!(matches!(events[2], Event::Reduced { .. }));
    assert_eq!(&events[3..], &[Event::AtFloor; 3]);
    assert!(r.decisions[3..].iter().all(|d| d.message(&c).is_none()));
}

#[test]
fn torch_eps_vs_keras_halving() {
    // S6b as reported in issue 3.
    check(
        &cfg(Flavor::Torch, 0, 0.5),
        3e-8,
        &[1.0; 5],
        &[3e-8, 1.5e-8, 1.5e-8, 1.5e-8, 1.5e-8],
    );
    check(
        &cfg(Flavor::Keras, 1, 0.5),
        3e-8,
        &[1.0; 5],
        &[3e-8, 1.5e-8, 7.5e-9, 3.75e-9, 1.875e-9],
    );
}

#[test]
fn torch_counts_against_the_best_so_far() {
    // B-11305: torch, patience 2, [10, 8, 9, 7, 9, 9, 9].
    check(
        &torch(2),
        1.0,
        &[10.0, 8.0, 9.0, 7.0, 9.0, 9.0, 9.0],
        &[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.1],
    );
}

#[test]
fn min_lr_equal_to_initial_lr_never_reduces() {
    // B-min_lr-equals-initial-LR, and the warning about it.
    for c in [keras(1), torch(0)] {
        let mut c = c;
        c.min_lr = 1e-3;
        check(&c, 1e-3, &[1.0; 5], &[1e-3; 5]);
        assert!(c
            .warnings(1e-3)
            .iter()
            .any(|w| w.contains("can never be reduced")));
    }
}

#[test]
fn accuracy_fed_to_a_min_mode_scheduler() {
    // B-mode-misuse.
    let v = [0.5, 0.6, 0.7, 0.8];
    check(&torch(1), 1.0, &v, &[1.0, 1.0, 0.1, 0.1]);
    check(
        &with_mode(torch(1), lrviz_scheduler::Mode::Max),
        1.0,
        &v,
        &[1.0; 4],
    );
}

#[test]
fn tutorial_table_patience_3() {
    // B-csnp: Keras reduces one epoch earlier than torch.
    let v = [0.500, 0.450, 0.455, 0.452, 0.451, 0.450, 0.430];
    check(
        &cfg(Flavor::Keras, 3, 0.5),
        0.01,
        &v,
        &[0.01, 0.01, 0.01, 0.01, 0.005, 0.005, 0.005],
    );
    check(
        &cfg(Flavor::Torch, 3, 0.5),
        0.01,
        &v,
        &[0.01, 0.01, 0.01, 0.01, 0.01, 0.005, 0.005],
    );
}

#[test]
fn missing_metric_epochs_are_skipped() {
    // B-13239: a metric only every 5th epoch; missing epochs change no counter.
    let mut v = vec![None; 11];
    v[0] = Some(1.0);
    v[5] = Some(1.0);
    v[10] = Some(1.0);
    for flavor in [Flavor::Keras, Flavor::TfKeras] {
        let c = cfg(flavor, 2, 0.1);
        let r = replay(&c, 1.0, &v).unwrap();
        let mut want = vec![1.0; 10];
        want.push(0.1);
        assert_lrs(&c, 1.0, &r, &want);
        assert_eq!(r.decisions[1].event, Event::Missing);
        assert_eq!(r.decisions[6].wait, 1, "wait kept across skipped epochs");
    }
    // torch has no "missing" (TypeError); lrviz skips too and says so.
    let r = replay(&torch(0), 1.0, &[Some(1.0), None]).unwrap();
    assert_eq!(r.decisions[1].event, Event::Missing);
    assert!(r.decisions[1].warnings[0].contains("TypeError"));
}
