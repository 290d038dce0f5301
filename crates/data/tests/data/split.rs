//! Train/validation split and standardization.

use std::collections::BTreeSet;

use lrviz_data::{
    parse_csv, train_val_split, CsvOptions, Dataset, Standardizer, BREAST_CANCER_CSV,
};

use crate::common::{csv, indexed};

/// Row ids (the single feature of [`indexed`]) of a data set.
fn ids(ds: &Dataset) -> Vec<usize> {
    ds.features.iter().map(|&v| v as usize).collect()
}

#[test]
fn unshuffled_split_keeps_order_like_the_benchmark() {
    // workloads.py: k = int(n * 0.8); x[:k] train, x[k:] validation.
    let ds = indexed(1000, 3);
    let s = train_val_split(&ds, 0.2, false, false, 0).unwrap();
    assert_eq!(ids(&s.train), (0..800).collect::<Vec<_>>());
    assert_eq!(ids(&s.val), (800..1000).collect::<Vec<_>>());
    // 569 rows (breast cancer): int(569 * 0.8) = int(455.2) = 455 train, 114 validation.
    let s = train_val_split(&indexed(569, 2), 0.2, false, false, 0).unwrap();
    assert_eq!((s.train.n_rows(), s.val.n_rows()), (455, 114));
}

#[test]
fn shuffled_split_is_seeded_without_overlap() {
    let ds = indexed(500, 4);
    let a = train_val_split(&ds, 0.3, false, true, 11).unwrap();
    let b = train_val_split(&ds, 0.3, false, true, 11).unwrap();
    let c = train_val_split(&ds, 0.3, false, true, 12).unwrap();
    assert_eq!(a, b);
    assert_ne!(ids(&a.val), ids(&c.val));
    // int(500 * 0.7) = 350.
    assert_eq!((a.train.n_rows(), a.val.n_rows()), (350, 150));
    let train: BTreeSet<usize> = ids(&a.train).into_iter().collect();
    let val: BTreeSet<usize> = ids(&a.val).into_iter().collect();
    assert!(train.is_disjoint(&val));
    assert_eq!(train.union(&val).count(), 500);
    assert_ne!(
        ids(&a.train)[..10],
        (0..10).collect::<Vec<_>>()[..],
        "shuffled"
    );
    // Labels travel with their rows: row i has label 1 iff i % 4 == 0.
    for (i, &y) in ids(&a.val).iter().zip(&a.val.labels) {
        assert_eq!(y == 1.0, i % 4 == 0);
    }
}

#[test]
fn stratified_split_keeps_the_class_ratio() {
    let ds = parse_csv(BREAST_CANCER_CSV.as_bytes(), "bc", &CsvOptions::default()).unwrap();
    for shuffle in [false, true] {
        let s = train_val_split(&ds, 0.2, true, shuffle, 5).unwrap();
        // Per class: benign 357 -> int(285.6) = 285 train, 72 val; malignant 212 -> 169, 43.
        assert_eq!(s.train.class_counts(), (169, 285));
        assert_eq!(s.val.class_counts(), (43, 72));
    }
    // Unstratified, unshuffled: whatever the file's last 114 rows hold, which is a different
    // ratio here, showing that stratification changed something.
    let plain = train_val_split(&ds, 0.2, false, false, 5).unwrap();
    assert_ne!(plain.val.class_counts(), (43, 72));
}

#[test]
fn stratified_unshuffled_keeps_file_order_within_each_side() {
    // Labels 1 on rows 0, 5, 10, ...: 20 ones, 80 zeros in 100 rows.
    let s = train_val_split(&indexed(100, 5), 0.25, true, false, 0).unwrap();
    let train = ids(&s.train);
    assert!(train.windows(2).all(|w| w[0] < w[1]));
    // Ones: int(20 * 0.75) = 15 train -> rows 0..=70 step 5; zeros: int(80 * .75) = 60.
    assert_eq!(s.train.class_counts(), (60, 15));
    assert_eq!(s.val.class_counts(), (20, 5));
    assert_eq!(ids(&s.val)[..3], [75, 76, 77]);
}

#[test]
fn bad_fractions_are_refused() {
    let ds = indexed(10, 2);
    for f in [0.0, 1.0, -0.1, 1.5, f64::NAN] {
        let msg = train_val_split(&ds, f, false, false, 0)
            .unwrap_err()
            .to_string();
        assert_eq!(
            msg,
            format!("validation fraction must be a number in (0, 1), e.g. 0.2; got {f}")
        );
    }
}

#[test]
fn too_few_rows_say_how_many_are_needed() {
    assert_eq!(
        train_val_split(&indexed(1, 1), 0.2, false, false, 0)
            .unwrap_err()
            .to_string(),
        "cannot split 1 rows with validation fraction 0.2: training would get 0 and validation \
         1 rows; at least 2 rows are needed"
    );
    // f = 0.9: 1 - 0.9 = 0.09999999999999998 in f64, so n = 10 gives int(0.9999999999999998)
    // = 0 training rows; n = 11 gives int(1.0999999999999999) = 1. Hence 11.
    assert_eq!(
        train_val_split(&indexed(5, 1), 0.9, false, false, 0)
            .unwrap_err()
            .to_string(),
        "cannot split 5 rows with validation fraction 0.9: training would get 0 and validation \
         5 rows; at least 11 rows are needed"
    );
    assert!(train_val_split(&indexed(11, 1), 0.9, false, false, 0).is_ok());
    assert!(train_val_split(&indexed(10, 1), 0.9, false, false, 0).is_err());
    // Stratified: one row of class 1 cannot go to both sides (int(1 * 0.8) = 0 training).
    assert_eq!(
        train_val_split(&indexed(10, 10), 0.2, true, true, 0)
            .unwrap_err()
            .to_string(),
        "cannot stratify: class 1 has 1 rows, but a stratified split with validation fraction \
         0.2 needs at least 2 rows of each class; use an unstratified split or more data"
    );
}

#[test]
fn standardizer_uses_training_statistics_only() {
    let train = csv("a,c,y\n1,5,1\n2,5,0\n3,5,1\n").unwrap();
    let mut val = csv("a,c,y\n100,7,0\n2,5,1\n").unwrap();
    let scaler = Standardizer::fit(&train);
    // a: mean 2, population sd sqrt(((1-2)^2 + 0 + (3-2)^2) / 3) = sqrt(2/3).
    assert_eq!(scaler.mean, [2.0, 5.0]);
    assert!((scaler.std[0] - (2.0f32 / 3.0).sqrt()).abs() < 1e-6);
    // Constant column c: std 1, so it maps to x - mean.
    assert_eq!(scaler.std[1], 1.0);
    scaler.apply(&mut val);
    let sd = (2.0f32 / 3.0).sqrt();
    assert!(
        (val.features[0] - 98.0 / sd).abs() < 1e-3,
        "{}",
        val.features[0]
    );
    assert_eq!(&val.features[1..], &[2.0, 0.0, 0.0]);
    let mut t = train.clone();
    scaler.apply(&mut t);
    let col_a: Vec<f32> = (0..3).map(|i| t.row(i)[0]).collect();
    assert!(col_a.iter().sum::<f32>().abs() < 1e-6);
    assert!((col_a.iter().map(|v| v * v).sum::<f32>() / 3.0 - 1.0).abs() < 1e-6);
    assert_eq!(t.labels, train.labels, "labels untouched");
}

#[test]
fn standardizer_refuses_another_width() {
    let scaler = Standardizer::fit(&csv("a,b,y\n1,2,1\n3,4,0\n").unwrap());
    let mut other = csv("a,y\n1,1\n2,0\n").unwrap();
    assert_eq!(
        scaler.try_apply(&mut other).unwrap_err().to_string(),
        "standardizer was fitted on 2 features but the data set has 1"
    );
}
