//! Number and message formatting as the frameworks print them.

use lrviz_scheduler::{
    numpy_f32_repr, python_e4, python_float_repr, reduction_message, Flavor, PlateauConfig,
};

use super::common::*;

#[test]
fn python_repr_matches_cpython() {
    // CPython repr() (float_repr_style 'short'): exponent iff decpt <= -4 or > 16.
    let cases: &[(f64, &str)] = &[
        (0.025, "0.025"),
        (1e-05, "1e-05"),
        (0.0001, "0.0001"),
        (0.00012, "0.00012"),
        (1.0, "1.0"),
        (100.0, "100.0"),
        (123.456, "123.456"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e16, "1e+16"),
        (1234567890123456.0, "1234567890123456.0"),
        (1e22, "1e+22"),
        (1.5e-8, "1.5e-08"),
        (-2.5e-7, "-2.5e-07"),
        (5e-324, "5e-324"),
        (f64::MAX, "1.7976931348623157e+308"),
        (-0.0, "-0.0"),
        (0.0, "0.0"),
        (f64::NAN, "nan"),
        (f64::INFINITY, "inf"),
        (f64::NEG_INFINITY, "-inf"),
        // doc D18: the Keras LRs as the run printed them
        (0.10000000149011612, "0.10000000149011612"),
        (9.99999901978299e-05, "9.99999901978299e-05"),
        (0.010000000000000002, "0.010000000000000002"),
    ];
    for &(x, want) in cases {
        assert_eq!(python_float_repr(x), want, "{x:e}");
    }
}

#[test]
fn numpy_float32_str() {
    // str(np.float32(x)): positional iff 1e-4 <= |x| < 1e16.
    let cases: &[(f32, &str)] = &[
        (0.001, "0.001"),
        (1e-4, "1e-04"),
        (1.5e-8, "1.5e-08"),
        (1.0, "1.0"),
        (0.1, "0.1"),
        (100.0, "100.0"),
        (-0.5, "-0.5"),
        (f32::NAN, "nan"),
        (f32::INFINITY, "inf"),
    ];
    for &(x, want) in cases {
        assert_eq!(numpy_f32_repr(x), want, "{x:e}");
    }
}

#[test]
fn logged_lr_values_d17() {
    // D17: lr0 0.001, p1, flat. Keras 3 logged python floats 0.0010000000474974513,
    // 0.0010000000474974513, 0.00010000000474974513; tf.keras np.float32 0.001, 0.001,
    // 0.000100000005 (the LR used during each epoch = lr_before).
    let r = run(&keras(1), 0.001, &[1.0; 3]);
    let logged: Vec<String> = r
        .decisions
        .iter()
        .map(|d| python_float_repr(d.lr_before))
        .collect();
    assert_eq!(
        logged,
        [
            "0.0010000000474974513",
            "0.0010000000474974513",
            "0.00010000000474974513"
        ]
    );
    let r = run(&tf_keras(1), 0.001, &[1.0; 3]);
    let logged: Vec<String> = r
        .decisions
        .iter()
        .map(|d| numpy_f32_repr(d.lr_before as f32))
        .collect();
    assert_eq!(logged, ["0.001", "0.001", "0.000100000005"]);
}

#[test]
fn torch_e4() {
    // Python f"{x:.4e}".
    assert_eq!(python_e4(0.025), "2.5000e-02");
    assert_eq!(python_e4(1e-4), "1.0000e-04");
    assert_eq!(python_e4(123456.0), "1.2346e+05");
    assert_eq!(python_e4(1.0), "1.0000e+00");
}

#[test]
fn reduction_messages() {
    // Brief examples (Keras: 1-based epoch, the LR as the flavor holds it).
    assert_eq!(
        reduction_message(Flavor::Keras, 11, 0.025),
        "Epoch 12: ReduceLROnPlateau reducing learning rate to 0.025."
    );
    assert_eq!(
        reduction_message(Flavor::Torch, 11, 0.025),
        "Epoch 12: reducing learning rate of group 0 to 2.5000e-02."
    );
    // lrviz prints the float32 LR Keras holds after the cut, in its shortest form: lr0 1, p1,
    // flat: epoch 1 → f32(0.1) prints "0.1"; epoch 2 → f32(0.10000000149011612 * 0.1) =
    // 0.009999999776482582, whose shortest float32 form is "0.01" (doc §2.1, D18).
    let c = keras(1);
    let r = run(&c, 1.0, &[1.0; 3]);
    assert_eq!(r.decisions[0].message(&c), None);
    assert_eq!(
        r.decisions[1].message(&c).unwrap(),
        "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.1."
    );
    assert_eq!(
        r.decisions[2].message(&c).unwrap(),
        "Epoch 3: ReduceLROnPlateau reducing learning rate to 0.01."
    );
    let c = PlateauConfig {
        patience: 0,
        ..PlateauConfig::torch()
    };
    let r = run(&c, 1.0, &[1.0; 3]);
    assert_eq!(
        r.decisions[2].message(&c).unwrap(),
        "Epoch 3: reducing learning rate of group 0 to 1.0000e-02."
    );
}

#[test]
fn explanations_name_the_numbers() {
    // S5, Keras (p2, c1, factor .5, min_lr .1): epoch 0 first value, epoch 3 bad (0.69995 is
    // not below 0.7 - 1e-4), epoch 4 reduces 1 → 0.5 (doc §5 vectors).
    let mut c = cfg(Flavor::Keras, 2, 0.5);
    c.cooldown = 1;
    c.min_lr = 0.1;
    let v = [1.00, 0.80, 0.70, 0.69995, 0.70, 0.71];
    let r = run(&c, 1.0, &v);
    let e0 = r.decisions[0].explain();
    assert!(e0.starts_with("epoch 0: 1.0 is the first value"), "{e0}");
    let e3 = r.decisions[3].explain();
    assert!(
        e3.contains("0.69995 does not improve on the best 0.7 (to beat: 0.6999)"),
        "{e3}"
    );
    assert!(e3.contains("bad epochs 1 of 2"), "{e3}");
    let e4 = r.decisions[4].explain();
    assert!(e4.contains("reduced from 1.0 to 0.5"), "{e4}");
    assert!(e4.contains("cooldown: 1 epoch(s) left"), "{e4}");
    let missing = lrviz_scheduler::replay(&c, 1.0, &[None]).unwrap();
    assert!(missing.decisions[0].explain().contains("missing"));
    // Floor (S6c).
    let mut f = cfg(Flavor::Keras, 1, 0.5);
    f.min_lr = 0.001;
    let r = run(&f, 0.004, &[1.0; 4]);
    assert!(r.decisions[3]
        .explain()
        .contains("cannot be lowered further"));
}
