//! Defaults (semantics doc §1), name parsing, the auto direction rules (§2.1, §2.2),
//! warnings and the summary line.

use lrviz_scheduler::{Direction, Flavor, Mode, PlateauConfig, ThresholdMode};

use super::common::*;

#[test]
fn framework_defaults() {
    // §1: Keras 3 / tf.keras: val_loss, auto, 0.1, 10, min_delta 1e-4, cooldown 0, min_lr 0.
    for c in [
        PlateauConfig::keras(),
        PlateauConfig::tf_keras(),
        PlateauConfig::default(),
    ] {
        assert_eq!(
            (
                c.monitor.as_str(),
                c.mode,
                c.factor,
                c.patience,
                c.min_delta,
                c.cooldown,
                c.min_lr
            ),
            ("val_loss", Mode::Auto, 0.1, 10, 1e-4, 0, 0.0)
        );
        assert!(c.validate().is_ok());
    }
    assert_eq!(PlateauConfig::default().flavor, Flavor::Keras);
    // §1: torch: min, 0.1, 10, threshold 1e-4 rel, cooldown 0, min_lr 0, eps 1e-8.
    let t = PlateauConfig::torch();
    assert_eq!(
        (
            t.mode,
            t.factor,
            t.patience,
            t.threshold,
            t.threshold_mode,
            t.cooldown,
            t.min_lr,
            t.eps
        ),
        (Mode::Min, 0.1, 10, 1e-4, ThresholdMode::Rel, 0, 0.0, 1e-8)
    );
    assert!(t.validate().is_ok());
}

#[test]
fn names_parse_and_display() {
    for (s, f) in [
        ("keras", Flavor::Keras),
        ("tf-keras", Flavor::TfKeras),
        ("tfkeras", Flavor::TfKeras),
        ("tf.keras", Flavor::TfKeras),
        ("torch", Flavor::Torch),
        ("pytorch", Flavor::Torch),
        ("Torch", Flavor::Torch),
    ] {
        assert_eq!(s.parse::<Flavor>().unwrap(), f, "{s}");
    }
    for f in Flavor::ALL {
        assert_eq!(f.to_string().parse::<Flavor>().unwrap(), f);
    }
    assert_eq!(Flavor::TfKeras.to_string(), "tf-keras");
    for m in [Mode::Auto, Mode::Min, Mode::Max] {
        assert_eq!(m.to_string().parse::<Mode>().unwrap(), m);
    }
    for m in [ThresholdMode::Rel, ThresholdMode::Abs] {
        assert_eq!(m.to_string().parse::<ThresholdMode>().unwrap(), m);
    }
}

#[test]
fn keras_3_auto_rule() {
    // §2.1 (≥3.11): strip one "val_"; "loss" → min; known metric directions; else error.
    let dir = |name: &str| {
        let mut c = PlateauConfig::keras();
        c.monitor = name.into();
        c.direction().ok()
    };
    assert_eq!(dir("val_loss"), Some(Direction::Min));
    assert_eq!(dir("loss"), Some(Direction::Min));
    assert_eq!(dir("val_accuracy"), Some(Direction::Max));
    assert_eq!(dir("val_acc"), Some(Direction::Max));
    assert_eq!(dir("val_auc"), Some(Direction::Max));
    assert_eq!(dir("precision"), Some(Direction::Max));
    assert_eq!(dir("val_recall"), Some(Direction::Max));
    assert_eq!(dir("val_f1_score"), Some(Direction::Max));
    assert_eq!(dir("val_mse"), Some(Direction::Min));
    assert_eq!(dir("val_mean_absolute_error"), Some(Direction::Min));
    assert_eq!(
        dir("val_sparse_categorical_crossentropy"),
        Some(Direction::Min)
    );
    assert_eq!(dir("val_val_loss"), None, "only one val_ is stripped");
    assert_eq!(dir("val_my_score"), None);
    assert_eq!(dir("Loss"), None, "names are compared exactly");
}

#[test]
fn tf_keras_acc_substring_rule() {
    // §2.2: max iff the name contains "acc".
    let dir = |name: &str| {
        let mut c = PlateauConfig::tf_keras();
        c.monitor = name.into();
        c.direction().unwrap()
    };
    assert_eq!(dir("val_accuracy"), Direction::Max);
    assert_eq!(dir("val_acc"), Direction::Max);
    assert_eq!(dir("val_auc"), Direction::Min);
    assert_eq!(dir("val_f1"), Direction::Min);
    assert_eq!(dir("val_loss"), Direction::Min);
}

#[test]
fn trigger_per_flavor() {
    // §3 table: Keras reduces on the max(P,1)-th bad epoch, torch on the (P+1)-th.
    assert_eq!(keras(0).trigger(), 1);
    assert_eq!(keras(1).trigger(), 1);
    assert_eq!(keras(3).trigger(), 3);
    assert_eq!(torch(0).trigger(), 1);
    assert_eq!(torch(3).trigger(), 4);
}

#[test]
fn warnings_for_surprising_settings() {
    assert!(PlateauConfig::keras().warnings(1e-3).is_empty());
    assert!(PlateauConfig::tf_keras().warnings(1e-3).is_empty());
    assert!(PlateauConfig::torch().warnings(1e-3).is_empty());
    // §2.1: Keras cooldown=1 has no effect (S4).
    let mut k = keras(2);
    k.cooldown = 1;
    let w = k.warnings(1e-3);
    assert_eq!(w.len(), 1);
    assert!(w[0].contains("cooldown 1 has no effect"));
    // D12: patience 0 == 1.
    assert!(keras(0).warnings(1e-3)[0].contains("patience 0 behaves exactly like patience 1"));
    // min_lr >= initial LR, at the flavor's precision: the double just above 0.001 is still
    // float32(0.001), so Keras can never reduce from 0.001 (the float32 floor test fails).
    let mut k = keras(2);
    k.min_lr = f64::from_bits(0.001f64.to_bits() + 1);
    assert!(k
        .warnings(1e-3)
        .iter()
        .any(|w| w.contains("can never be reduced")));
    let r = run(&k, 1e-3, &[1.0; 4]);
    assert!(r.reduced_at.is_empty());
    // torch eps larger than the first step: 3e-8 * 0.5 = 1.5e-8 <= eps 2e-8.
    let mut t = cfg(Flavor::Torch, 0, 0.5);
    t.eps = 2e-8;
    assert!(t
        .warnings(3e-8)
        .iter()
        .any(|w| w.contains("skips every reduction")));
    // tf.keras auto minimizing an auc (S10), or an unknown non-loss name.
    let mut tk = tf_keras(1);
    tk.monitor = "val_auc".into();
    assert!(tk.warnings(1.0)[0].contains("will minimize `val_auc`"));
    tk.monitor = "val_my_score".into();
    assert!(tk.warnings(1.0)[0].contains("minimizes `val_my_score`"));
}

#[test]
fn early_stopping_warning() {
    // Keras patience 3 reduces on the 3rd bad epoch; an EarlyStopping patience of 3 stops
    // training on that same epoch, 4 leaves one epoch at the lower LR.
    assert!(keras(3).early_stopping_warning(3).is_some());
    assert!(keras(3).early_stopping_warning(4).is_none());
    // torch patience 3 reduces on the 4th.
    assert!(torch(3).early_stopping_warning(4).is_some());
    assert!(torch(3).early_stopping_warning(5).is_none());
}

#[test]
fn summary_lines() {
    // The brief's example.
    let mut k = cfg(Flavor::Keras, 3, 0.5);
    k.min_lr = 1e-4;
    assert_eq!(
        k.summary(),
        "keras 3 · monitor val_loss (min) · factor 0.5 · patience 3 · cooldown 0 · min_delta 0.0001 · min_lr 0.0001"
    );
    assert_eq!(
        PlateauConfig::torch().summary(),
        "torch · monitor val_loss (min) · factor 0.1 · patience 10 · cooldown 0 · threshold 0.0001 (rel) · min_lr 0.0 · eps 1e-08"
    );
    let mut tk = PlateauConfig::tf_keras();
    tk.monitor = "val_accuracy".into();
    assert!(tk
        .summary()
        .starts_with("tf.keras 2 · monitor val_accuracy (max)"));
    let mut bad = PlateauConfig::keras();
    bad.monitor = "val_my_score".into();
    assert!(bad.summary().contains("(auto: unknown)"));
}

#[test]
fn torch_minimizing_an_accuracy_is_flagged_and_ordinals_read_right() {
    // torch's default mode is min; val_accuracy is a metric where higher is better (Keras 3's
    // auto rule says max), so the settings minimize accuracy: warn.
    let c = PlateauConfig {
        monitor: "val_accuracy".into(),
        ..PlateauConfig::torch()
    };
    let w = c.warnings(0.1);
    assert!(
        w.iter().any(|w| w.contains("minimizes `val_accuracy`")),
        "{w:?}"
    );
    let ok = PlateauConfig {
        monitor: "val_accuracy".into(),
        mode: lrviz_scheduler::Mode::Max,
        ..PlateauConfig::torch()
    };
    assert!(ok.warnings(0.1).is_empty(), "{:?}", ok.warnings(0.1));
    let names: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111]
        .map(lrviz_scheduler::ordinal)
        .to_vec();
    assert_eq!(
        names,
        [
            "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st",
            "111th"
        ]
    );
}
