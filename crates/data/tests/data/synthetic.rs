//! Synthetic generators: determinism, shape, the signal each one promises, and bad settings.

use lrviz_data::{synthetic, Dataset, SyntheticKind, SyntheticSpec, MAX_SYNTHETIC_VALUES};

fn spec(kind: SyntheticKind, samples: usize, features: usize, seed: u64) -> SyntheticSpec {
    SyntheticSpec {
        samples,
        features,
        seed,
        ..SyntheticSpec::new(kind)
    }
}

/// Least-squares fit of labels mapped to -1/+1 on `train` (with a bias term), returning the
/// accuracy of its sign on `test`. Normal equations solved by Gaussian elimination.
#[allow(clippy::needless_range_loop)] // index arithmetic reads clearer in matrix code
fn least_squares_accuracy(train: &Dataset, test: &Dataset) -> f64 {
    let d = train.n_features + 1;
    let mut a = vec![vec![0.0f64; d + 1]; d];
    for i in 0..train.n_rows() {
        let mut x: Vec<f64> = train.row(i).iter().map(|&v| f64::from(v)).collect();
        x.push(1.0);
        let y = if train.labels[i] > 0.5 { 1.0 } else { -1.0 };
        for r in 0..d {
            for c in 0..d {
                a[r][c] += x[r] * x[c];
            }
            a[r][d] += x[r] * y;
        }
    }
    for r in 0..d {
        a[r][r] += 1e-9;
    }
    for col in 0..d {
        let piv = (col..d)
            .max_by(|&p, &q| a[p][col].abs().total_cmp(&a[q][col].abs()))
            .unwrap();
        a.swap(col, piv);
        for r in 0..d {
            if r != col {
                let f = a[r][col] / a[col][col];
                for c in col..=d {
                    a[r][c] -= f * a[col][c];
                }
            }
        }
    }
    let w: Vec<f64> = (0..d).map(|r| a[r][d] / a[r][r]).collect();
    let correct = (0..test.n_rows())
        .filter(|&i| {
            let z: f64 = test
                .row(i)
                .iter()
                .zip(&w)
                .map(|(&v, wi)| f64::from(v) * wi)
                .sum::<f64>()
                + w[d - 1];
            (z > 0.0) == (test.labels[i] > 0.5)
        })
        .count();
    correct as f64 / test.n_rows() as f64
}

fn halves(ds: &Dataset) -> (Dataset, Dataset) {
    let n = ds.n_rows();
    let first: Vec<usize> = (0..n / 2).collect();
    let second: Vec<usize> = (n / 2..n).collect();
    (ds.select(&first), ds.select(&second))
}

#[test]
fn every_kind_is_deterministic_per_seed() {
    for kind in SyntheticKind::ALL {
        let a = synthetic(&spec(kind, 300, 5, 7)).unwrap();
        let b = synthetic(&spec(kind, 300, 5, 7)).unwrap();
        let c = synthetic(&spec(kind, 300, 5, 8)).unwrap();
        // Bit-identical: compare the raw bits, not float equality.
        let bits = |d: &Dataset| d.features.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a), bits(&b), "{kind}");
        assert_eq!(a.labels, b.labels, "{kind}");
        assert_ne!(
            bits(&a),
            bits(&c),
            "{kind}: another seed must give other data"
        );
    }
}

#[test]
fn shape_names_and_source() {
    let ds = synthetic(&spec(SyntheticKind::Linear, 10, 3, 1)).unwrap();
    assert_eq!((ds.n_rows(), ds.n_features, ds.features.len()), (10, 3, 30));
    assert_eq!(ds.feature_names, ["x0", "x1", "x2"]);
    assert_eq!(ds.label_name, "y");
    assert_eq!(ds.label_map, None);
    assert_eq!(
        ds.source,
        "synthetic linear (samples 10, features 3, noise 0.5, seed 1)"
    );
    assert!(ds.labels.iter().all(|&y| y == 0.0 || y == 1.0));
}

#[test]
fn defaults_match_the_classic_keras_demo() {
    // Keras demo: np.random.random((1000, 20)), random binary labels.
    let s = SyntheticSpec::default();
    assert_eq!(
        (s.kind, s.samples, s.features, s.seed),
        (SyntheticKind::Random, 1000, 20, 0)
    );
    // Benchmark workloads.py: 0.5 * rng.standard_normal(n) is the linear noise.
    assert_eq!(SyntheticSpec::new(SyntheticKind::Linear).noise, 0.5);
}

#[test]
fn random_has_uniform_features_and_coin_flip_labels_without_signal() {
    let ds = synthetic(&spec(SyntheticKind::Random, 10_000, 20, 3)).unwrap();
    assert!(ds.features.iter().all(|&v| (0.0..1.0).contains(&v)));
    let mean = ds.features.iter().map(|&v| f64::from(v)).sum::<f64>() / ds.features.len() as f64;
    // Uniform [0,1): mean 0.5, sd of the mean sqrt(1/12 / 200000) = 0.00065; 0.005 is ~8 sd.
    assert!((mean - 0.5).abs() < 0.005, "mean {mean}");
    let (_, ones) = ds.class_counts();
    // Bernoulli(0.5) over 10000 rows: sd 50 rows; 300 rows is 6 sd.
    assert!((ones as i64 - 5000).abs() < 300, "ones {ones}");
    // No signal: a linear fit on one half predicts the other half at chance (sd 0.007).
    let (a, b) = halves(&ds);
    let acc = least_squares_accuracy(&a, &b);
    assert!((0.45..0.55).contains(&acc), "held-out accuracy {acc}");
}

#[test]
fn linear_is_learnable() {
    let ds = synthetic(&spec(SyntheticKind::Linear, 2000, 20, 0)).unwrap();
    let (a, b) = halves(&ds);
    // Labels are the sign of x.w + 0.5 N(0,1) with |x.w| ~ sqrt(20): the hyperplane explains
    // nearly all of them; the task sets the bar at 80 %.
    let acc = least_squares_accuracy(&a, &b);
    assert!(acc > 0.8, "held-out accuracy {acc}");
    let (zeros, ones) = ds.class_counts();
    assert!(
        zeros > 600 && ones > 600,
        "roughly balanced: {zeros}/{ones}"
    );
}

#[test]
fn moons_and_circles_without_noise_lie_on_their_curves() {
    // make_moons/make_circles put n/2 points on the outer curve (label 0), the rest inner.
    let moons = synthetic(&SyntheticSpec {
        noise: 0.0,
        ..spec(SyntheticKind::Moons, 101, 2, 5)
    })
    .unwrap();
    assert_eq!(moons.class_counts(), (50, 51));
    for i in 0..moons.n_rows() {
        let (x, y) = (f64::from(moons.row(i)[0]), f64::from(moons.row(i)[1]));
        let (cx, cy) = if moons.labels[i] > 0.5 {
            (1.0, 0.5)
        } else {
            (0.0, 0.0)
        };
        let r = ((x - cx).powi(2) + (y - cy).powi(2)).sqrt();
        assert!((r - 1.0).abs() < 1e-6, "moon point {i} at distance {r}");
        // Outer moon is the upper half circle, inner the lower one.
        assert!(if moons.labels[i] > 0.5 {
            y <= 0.5 + 1e-6
        } else {
            y >= -1e-6
        });
    }
    let circles = synthetic(&SyntheticSpec {
        noise: 0.0,
        ..spec(SyntheticKind::Circles, 100, 2, 5)
    })
    .unwrap();
    assert_eq!(circles.class_counts(), (50, 50));
    for i in 0..circles.n_rows() {
        let r = f64::from(circles.row(i)[0]).hypot(f64::from(circles.row(i)[1]));
        let want = if circles.labels[i] > 0.5 {
            lrviz_data::CIRCLES_FACTOR
        } else {
            1.0
        };
        assert!((r - want).abs() < 1e-6, "circle point {i} at radius {r}");
    }
}

#[test]
fn moons_are_shuffled_and_extra_dims_are_standard_normal() {
    let ds = synthetic(&spec(SyntheticKind::Moons, 4000, 4, 9)).unwrap();
    // Shuffled: the first half is not all one class (unshuffled it would be all label 0).
    let first_half_ones = ds.labels[..2000].iter().filter(|&&y| y > 0.5).count();
    assert!((800..1200).contains(&first_half_ones), "{first_half_ones}");
    for j in 2..4 {
        let col: Vec<f64> = (0..4000).map(|i| f64::from(ds.row(i)[j])).collect();
        let mean = col.iter().sum::<f64>() / 4000.0;
        let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 4000.0;
        // N(0,1): sd of the mean 0.016, of the variance ~0.022.
        assert!(
            mean.abs() < 0.08 && (var - 1.0).abs() < 0.1,
            "dim {j}: {mean} {var}"
        );
    }
}

#[test]
fn bad_settings_are_refused_with_what_is_valid() {
    let msg = |s: SyntheticSpec| synthetic(&s).unwrap_err().to_string();
    assert_eq!(
        msg(spec(SyntheticKind::Random, 0, 2, 0)),
        "invalid synthetic data setting: samples = 0; need at least 1 sample"
    );
    assert_eq!(
        msg(spec(SyntheticKind::Moons, 10, 1, 0)),
        "invalid synthetic data setting: features = 1; `moons` needs at least 2 features"
    );
    assert_eq!(
        msg(spec(SyntheticKind::Linear, 10, 0, 0)),
        "invalid synthetic data setting: features = 0; `linear` needs at least 1 feature"
    );
    for noise in [-0.1, f64::NAN, f64::INFINITY] {
        assert!(msg(SyntheticSpec {
            noise,
            ..spec(SyntheticKind::Linear, 10, 2, 0)
        })
        .contains("noise must be a finite number >= 0"));
    }
    let too_big = msg(spec(SyntheticKind::Random, MAX_SYNTHETIC_VALUES, 2, 0));
    assert!(
        too_big.contains("over the limit of 268435456 values"),
        "{too_big}"
    );
    let overflow = msg(spec(SyntheticKind::Random, usize::MAX, 2, 0));
    assert!(overflow.contains("over the limit"), "{overflow}");
}

#[test]
fn kind_names_parse_and_print() {
    for kind in SyntheticKind::ALL {
        assert_eq!(kind.to_string().parse::<SyntheticKind>().unwrap(), kind);
    }
    assert_eq!(
        "MOONS".parse::<SyntheticKind>().unwrap(),
        SyntheticKind::Moons
    );
    assert_eq!(
        "spiral".parse::<SyntheticKind>().unwrap_err().to_string(),
        "unknown synthetic data kind `spiral`; valid kinds: random, linear, moons, circles"
    );
}
