//! Save and restore (issue 3): the whole scheduler (config + state) serializes with serde;
//! stopping after any epoch, restoring from JSON and continuing gives the same trajectory as
//! an uninterrupted run. Driven on real parity series (incl. NaN/inf ones) at every cut.

use lrviz_scheduler::{Flavor, PlateauConfig, PlateauState, ReduceLrOnPlateau};

use super::parity;

#[test]
fn restore_after_every_epoch_gives_the_same_trajectory() {
    let mut checked = 0;
    for flavor in Flavor::ALL {
        let cases = parity::load(flavor);
        // Every nonfinite case plus a spread of the others, every cut point.
        let picked = cases
            .iter()
            .filter(|c| c.kind == "nonfinite")
            .chain(cases.iter().step_by(15));
        for case in picked {
            let cfg = parity::config(flavor, case);
            let mut full = ReduceLrOnPlateau::new(cfg.clone(), case.initial_lr).unwrap();
            let whole: Vec<_> = case
                .metrics
                .iter()
                .enumerate()
                .map(|(e, &v)| full.step(e as u64, Some(v)))
                .collect();
            for k in 0..=case.metrics.len() {
                let mut s = ReduceLrOnPlateau::new(cfg.clone(), case.initial_lr).unwrap();
                for (e, &v) in case.metrics[..k].iter().enumerate() {
                    s.step(e as u64, Some(v));
                }
                let json = serde_json::to_string(&s).unwrap();
                let mut back: ReduceLrOnPlateau = serde_json::from_str(&json).unwrap();
                assert_eq!(back.state().lr.to_bits(), s.state().lr.to_bits());
                for (e, &v) in case.metrics.iter().enumerate().skip(k) {
                    let d = back.step(e as u64, Some(v));
                    let w = &whole[e];
                    assert_eq!(
                        (d.lr_after.to_bits(), d.event, d.wait, d.cooldown),
                        (w.lr_after.to_bits(), w.event, w.wait, w.cooldown),
                        "{} cut {k} epoch {e}",
                        case.id
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 1000, "{checked}");
}

#[test]
fn json_shape_keeps_nan_best() {
    // S7a under Keras 3: best is NaN; it must survive JSON as the string "NaN".
    let mut cfg = PlateauConfig::keras();
    cfg.patience = 1;
    let mut s = ReduceLrOnPlateau::new(cfg, 1.0).unwrap();
    s.step(0, Some(f64::NAN));
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["state"]["best"], "NaN");
    assert_eq!(json["config"]["flavor"], "keras");
    let back: ReduceLrOnPlateau = serde_json::from_value(json).unwrap();
    assert!(back.state().best.unwrap().is_nan());
}

#[test]
fn deserializing_an_invalid_config_is_refused() {
    let s = ReduceLrOnPlateau::new(PlateauConfig::torch(), 0.1).unwrap();
    let mut json = serde_json::to_value(&s).unwrap();
    json["config"]["factor"] = serde_json::json!(1.5);
    let e = serde_json::from_value::<ReduceLrOnPlateau>(json).unwrap_err();
    assert!(
        e.to_string()
            .contains("factor 1.5 must be above 0 and below 1"),
        "{e}"
    );
}

#[test]
fn from_state_normalizes_lr_and_best() {
    // Keras holds float32; tf.keras/torch without a best start from ±inf (doc §2.2, §2.4).
    let st = PlateauState {
        lr: 0.1,
        best: None,
        wait: 0,
        cooldown_counter: 0,
        epochs_seen: 0,
        warned_negative_best: false,
    };
    let k = ReduceLrOnPlateau::from_state(PlateauConfig::keras(), st.clone()).unwrap();
    assert_eq!(k.lr(), f64::from(0.1f32));
    assert_eq!(k.state().best, None);
    let t = ReduceLrOnPlateau::from_state(PlateauConfig::torch(), st.clone()).unwrap();
    assert_eq!(t.state().best, Some(f64::INFINITY));
    assert_eq!(t.lr(), 0.1);
    // An LR of 0 (float32 underflow after many reductions) is a valid state, -1 is not.
    let zero = PlateauState {
        lr: 0.0,
        ..st.clone()
    };
    assert!(ReduceLrOnPlateau::from_state(PlateauConfig::keras(), zero).is_ok());
    let neg = PlateauState { lr: -1.0, ..st };
    assert!(ReduceLrOnPlateau::from_state(PlateauConfig::torch(), neg).is_err());
}

#[test]
fn set_lr_stores_as_the_flavor_holds_it() {
    let mut k = ReduceLrOnPlateau::new(PlateauConfig::keras(), 1.0).unwrap();
    k.set_lr(0.1);
    assert_eq!(k.lr(), 0.10000000149011612, "float32(0.1) as a double");
    k.set_lr(f64::NAN);
    assert_eq!(k.lr(), 0.10000000149011612, "NaN ignored");
    assert!(k.try_set_lr(-1.0).is_err());
    let mut t = ReduceLrOnPlateau::new(PlateauConfig::torch(), 1.0).unwrap();
    t.set_lr(0.1);
    assert_eq!(t.lr(), 0.1);
}
