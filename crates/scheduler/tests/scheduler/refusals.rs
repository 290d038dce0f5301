//! Refusals (ConfigError): each says what would be valid and what the framework would have
//! done (brief "Refusals", issue 3). Includes S9 patience −1 and S12 negative min_delta.

use lrviz_scheduler::{replay, ConfigError, Flavor, Mode, PlateauConfig, ReduceLrOnPlateau};

use super::common::*;

fn err(c: &PlateauConfig) -> (ConfigError, String) {
    let e = c.validate().expect_err("must be refused");
    let msg = e.to_string();
    // Common style: lowercase start, no trailing period.
    assert!(msg.chars().next().unwrap().is_lowercase(), "{msg}");
    assert!(!msg.ends_with('.'), "{msg}");
    // The scheduler refuses the same way.
    // (compared as text: a NonFinite NaN value is not equal to itself)
    assert_eq!(
        ReduceLrOnPlateau::new(c.clone(), 1.0)
            .unwrap_err()
            .to_string(),
        msg
    );
    (e, msg)
}

#[test]
fn s9_torch_patience_minus_one_is_refused() {
    // S9: torch with patience −1 reduced on every step (.1, .01, …), improving ones included.
    let (e, msg) = err(&torch(-1));
    assert_eq!(
        e,
        ConfigError::NegativePatience {
            flavor: Flavor::Torch,
            patience: -1
        }
    );
    assert!(
        msg.contains("torch with patience -1 reduces on every epoch, including improving ones"),
        "{msg}"
    );
}

#[test]
fn s9_keras_patience_minus_one_is_refused() {
    // S9: Keras p −1 behaved like p 1.
    for c in [keras(-1), tf_keras(-1)] {
        let (_, msg) = err(&c);
        assert!(msg.contains("patience -1 must be 0 or more"), "{msg}");
        assert!(msg.contains("as 1"), "{msg}");
    }
}

#[test]
fn s12_negative_min_delta_is_refused() {
    // S12: Keras 3 took |min_delta| (1,.1,.01,.001); tf.keras accepted worse values (1,1,1,1).
    for flavor in [Flavor::Keras, Flavor::TfKeras] {
        let mut c = cfg(flavor, 1, 0.1);
        c.min_delta = -1e-4;
        let (e, msg) = err(&c);
        assert_eq!(e, ConfigError::NegativeMinDelta { min_delta: -1e-4 });
        assert!(msg.contains("Keras 3 takes its absolute value"), "{msg}");
        assert!(
            msg.contains("tf.keras uses it raw and accepts worse values as improvements"),
            "{msg}"
        );
    }
}

#[test]
fn factor_at_or_above_one_is_refused_like_the_frameworks() {
    for flavor in Flavor::ALL {
        for f in [1.0, 1.5] {
            let (e, msg) = err(&cfg(flavor, 1, f));
            assert_eq!(e, ConfigError::FactorTooLarge { flavor, factor: f });
            assert!(msg.contains("refuses factor >= 1"), "{msg}");
        }
    }
}

#[test]
fn factor_zero_or_negative_is_refused_with_the_consequence() {
    // §5 torch extra checks: factor 0 and -0.5 were accepted and set the LR to 0.
    for flavor in Flavor::ALL {
        for f in [0.0, -0.5] {
            let (e, msg) = err(&cfg(flavor, 1, f));
            assert_eq!(e, ConfigError::FactorNotPositive { flavor, factor: f });
            assert!(
                msg.contains("sets the LR to min_lr (0 by default) on the first reduction"),
                "{msg}"
            );
        }
    }
}

#[test]
fn negative_cooldown_min_lr_threshold_eps_are_refused() {
    let mut c = torch(1);
    c.cooldown = -2;
    assert!(err(&c).1.contains("cooldown -2 must be 0 or more"));
    let mut c = keras(1);
    c.min_lr = -1e-3;
    assert!(err(&c).1.contains("min_lr -0.001 must be 0 or more"));
    let mut c = torch(1);
    c.threshold = -1e-4;
    assert!(err(&c).1.contains("threshold -0.0001 must be 0 or more"));
    let mut c = torch(1);
    c.eps = -1e-8;
    assert!(err(&c).1.contains("eps -1e-08 must be 0 or more"));
}

#[test]
fn non_finite_parameters_are_refused() {
    for (name, set) in [
        (
            "factor",
            (|c: &mut PlateauConfig| c.factor = f64::NAN) as fn(&mut PlateauConfig),
        ),
        ("min_lr", |c| c.min_lr = f64::INFINITY),
        ("min_delta", |c| c.min_delta = f64::NAN),
        ("threshold", |c| c.threshold = f64::NEG_INFINITY),
        ("eps", |c| c.eps = f64::INFINITY),
    ] {
        let mut c = torch(1);
        set(&mut c);
        let (e, msg) = err(&c);
        assert!(
            matches!(e, ConfigError::NonFinite { param, .. } if param == name),
            "{msg}"
        );
        assert!(
            msg.starts_with(&format!("{name} must be a finite number")),
            "{msg}"
        );
    }
}

#[test]
fn torch_auto_mode_is_refused() {
    // §5 torch extra check: mode="auto" → ValueError("mode auto is unknown!").
    let (e, msg) = err(&with_mode(torch(1), Mode::Auto));
    assert_eq!(
        e,
        ConfigError::AutoModeUnsupported {
            flavor: Flavor::Torch
        }
    );
    assert!(
        msg.contains("torch has no auto mode") && msg.contains("pass min or max"),
        "{msg}"
    );
}

#[test]
fn keras_auto_with_unknown_metric_is_refused() {
    // S10b: Keras 3 raises ValueError for an auto monitor it cannot place.
    let mut c = keras(1);
    c.monitor = "val_my_score".into();
    let (e, msg) = err(&c);
    assert_eq!(
        e,
        ConfigError::UnknownMonitorDirection {
            flavor: Flavor::Keras,
            monitor: "val_my_score".into()
        }
    );
    assert!(msg.contains("pass mode min or max"), "{msg}");
    // An explicit mode is accepted; tf.keras (substring rule) accepts the name too.
    assert!(with_mode(c.clone(), Mode::Max).validate().is_ok());
    c.flavor = Flavor::TfKeras;
    assert!(c.validate().is_ok());
}

#[test]
fn invalid_initial_lr_is_refused() {
    for lr in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        for flavor in Flavor::ALL {
            let e = ReduceLrOnPlateau::new(PlateauConfig::defaults(flavor), lr).unwrap_err();
            assert!(matches!(e, ConfigError::InvalidLr { .. }), "{e}");
        }
    }
    // 1e-50 is a valid double but rounds to 0 in float32, and 1e39 overflows float32.
    for lr in [1e-50, 1e39] {
        assert!(ReduceLrOnPlateau::new(PlateauConfig::keras(), lr).is_err());
        assert!(ReduceLrOnPlateau::new(PlateauConfig::torch(), lr).is_ok());
    }
    assert!(replay(&PlateauConfig::torch(), 0.0, &[Some(1.0)]).is_err());
}

#[test]
fn unknown_names_are_refused_listing_valid_ones() {
    let e = "jax".parse::<Flavor>().unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown flavor `jax`; valid: keras, tf-keras (also tfkeras, tf.keras), torch (also pytorch)"
    );
    let e = "bogus".parse::<Mode>().unwrap_err();
    assert!(e
        .to_string()
        .contains("valid: auto (Keras flavors only), min, max"));
    let e = "relative"
        .parse::<lrviz_scheduler::ThresholdMode>()
        .unwrap_err();
    assert!(e.to_string().contains("valid: rel, abs"));
}
