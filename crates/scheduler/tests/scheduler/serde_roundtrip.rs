//! serde_f64: NaN and ±inf survive JSON as "NaN", "Infinity", "-Infinity".

use lrviz_scheduler::serde_f64;
use lrviz_scheduler::{EpochDecision, Event, Flavor, Mode, PlateauConfig, ThresholdMode};
use serde::{Deserialize, Serialize};

use super::common::*;

#[derive(Serialize, Deserialize, Debug)]
struct Doc {
    #[serde(with = "serde_f64")]
    x: f64,
    #[serde(with = "serde_f64::option")]
    o: Option<f64>,
    #[serde(with = "serde_f64::vec")]
    v: Vec<f64>,
    #[serde(with = "serde_f64::vec_option")]
    vo: Vec<Option<f64>>,
}

fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

#[test]
fn non_finite_round_trip() {
    for x in [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.1,
        -0.0,
        1e-300,
        3.0,
    ] {
        let d = Doc {
            x,
            o: Some(x),
            v: vec![x, 1.0],
            vo: vec![Some(x), None],
        };
        let json = serde_json::to_string(&d).unwrap();
        let back: Doc = serde_json::from_str(&json).unwrap();
        assert!(same(back.x, x), "{json}");
        assert!(same(back.o.unwrap(), x), "{json}");
        assert!(same(back.v[0], x), "{json}");
        assert!(
            same(back.vo[0].unwrap(), x) && back.vo[1].is_none(),
            "{json}"
        );
    }
    let json = serde_json::to_string(&Doc {
        x: f64::NAN,
        o: None,
        v: vec![f64::INFINITY, f64::NEG_INFINITY],
        vo: vec![],
    })
    .unwrap();
    assert_eq!(
        json,
        r#"{"x":"NaN","o":null,"v":["Infinity","-Infinity"],"vo":[]}"#
    );
}

#[test]
fn reads_numbers_integers_and_other_spellings() {
    let d: Doc =
        serde_json::from_str(r#"{"x":3,"o":"inf","v":["nan","-inf",2.5],"vo":[null,"NaN"]}"#)
            .unwrap();
    assert_eq!(d.x, 3.0);
    assert_eq!(d.o, Some(f64::INFINITY));
    assert!(d.v[0].is_nan() && d.v[1] == f64::NEG_INFINITY && d.v[2] == 2.5);
    assert!(d.vo[0].is_none() && d.vo[1].unwrap().is_nan());
    let e = serde_json::from_str::<Doc>(r#"{"x":"abc","o":null,"v":[],"vo":[]}"#).unwrap_err();
    assert!(e.to_string().contains("NaN"), "{e}");
}

#[test]
fn decisions_and_replays_round_trip() {
    // S7a under Keras 3: NaN value and NaN best.
    let r = run(&keras(1), 1.0, &[f64::NAN, 1.0]);
    let json = serde_json::to_string(&r).unwrap();
    let back: lrviz_scheduler::Replay = serde_json::from_str(&json).unwrap();
    assert!(back.decisions[0].value.unwrap().is_nan());
    assert!(back.decisions[1].best.unwrap().is_nan());
    assert_eq!(back.lr_after_epoch, r.lr_after_epoch);
    assert_eq!(back.reduced_at, r.reduced_at);
    let v = serde_json::to_value(&r.decisions[1]).unwrap();
    assert_eq!(v["event"]["kind"], "reduced");
    assert_eq!(v["event"]["from"], 1.0);
    assert_eq!(v["best"], "NaN");
    let d: EpochDecision = serde_json::from_value(v).unwrap();
    assert!(matches!(d.event, Event::Reduced { .. }));
    let v = serde_json::to_value(Event::AtFloor).unwrap();
    assert_eq!(v, serde_json::json!({"kind": "at_floor"}));
    let v = serde_json::to_value(Event::InCooldown).unwrap();
    assert_eq!(v, serde_json::json!({"kind": "in_cooldown"}));
}

#[test]
fn config_names_in_json() {
    let c = PlateauConfig::tf_keras();
    let v = serde_json::to_value(&c).unwrap();
    assert_eq!(v["flavor"], "tf-keras");
    assert_eq!(v["mode"], "auto");
    assert_eq!(v["threshold_mode"], "rel");
    let back: PlateauConfig = serde_json::from_value(v).unwrap();
    assert_eq!(back, c);
    assert_eq!(serde_json::to_value(Mode::Max).unwrap(), "max");
    assert_eq!(serde_json::to_value(ThresholdMode::Abs).unwrap(), "abs");
    assert_eq!(serde_json::to_value(Flavor::Torch).unwrap(), "torch");
}
