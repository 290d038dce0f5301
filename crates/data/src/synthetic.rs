//! Seeded synthetic binary-classification sets.
//!
//! All randomness of one set comes from a single `StdRng::seed_from_u64(seed)`, drawn in a fixed
//! order, so the same [`SyntheticSpec`] gives the same bits on every run and machine (`StdRng` is
//! ChaCha12 in rand 0.9, pinned by the lock file).
//!
//! - `random`: features uniform in `[0, 1)`, labels Bernoulli(0.5) drawn independently: no
//!   signal at all, the set-up of the classic Keras `ReduceLROnPlateau` demo
//!   (`np.random.random((1000, 20))`, `np.random.randint(2, ...)`), so the validation loss
//!   plateaus at once. Draw order: all features row-major, then all labels.
//! - `linear`: `x ~ N(0, 1)^d` per row, one weight vector `w ~ N(0, 1)^d`, and
//!   `y = 1 if x.w + noise * N(0, 1) > 0` — the generator of the benchmark workloads
//!   (`make_data` in the shared `workloads.py`; same semantics, not numpy's random stream).
//!   Draw order: all features row-major, then `w`, then one noise value per row.
//! - `moons`: two interleaving half circles as scikit-learn's `make_moons` draws them: `n / 2`
//!   points of the outer moon (label 0), the rest of the inner moon (label 1), evenly spaced,
//!   shuffled, then Gaussian noise of standard deviation `noise` on both coordinates.
//! - `circles`: scikit-learn's `make_circles` with `factor = 0.5`: `n / 2` points on the unit
//!   circle (label 0), the rest on the circle of radius 0.5 (label 1), shuffled, plus noise.
//!
//! For `moons` and `circles` the first two features are the informative ones; with
//! `features > 2` the extra columns are pure `N(0, 1)` noise dimensions. Draw order: the shuffle,
//! then the two noise values of each row, then the extra dimensions row-major.

use std::f64::consts::PI;
use std::fmt;
use std::str::FromStr;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;

use crate::{DataError, Dataset};

/// The largest synthetic set [`synthetic`] builds, in values (`samples * features`): 2^28 values,
/// 1 GiB of `f32`. Larger requests are refused up front rather than exhausting memory.
pub const MAX_SYNTHETIC_VALUES: usize = 1 << 28;

/// Radius of the inner circle of `circles`, relative to the outer one (scikit-learn's `factor`).
pub const CIRCLES_FACTOR: f64 = 0.5;

/// Which synthetic generator to use; see the module docs for each one's definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyntheticKind {
    /// Uniform features, coin-flip labels: nothing to learn.
    Random,
    /// Labels from a random hyperplane plus noise.
    Linear,
    /// scikit-learn-like two moons.
    Moons,
    /// scikit-learn-like concentric circles.
    Circles,
}

impl SyntheticKind {
    /// Every kind, in the order the CLI lists them.
    pub const ALL: [SyntheticKind; 4] = [
        SyntheticKind::Random,
        SyntheticKind::Linear,
        SyntheticKind::Moons,
        SyntheticKind::Circles,
    ];

    /// The name used on the command line (`random`, `linear`, `moons`, `circles`).
    pub fn name(self) -> &'static str {
        match self {
            SyntheticKind::Random => "random",
            SyntheticKind::Linear => "linear",
            SyntheticKind::Moons => "moons",
            SyntheticKind::Circles => "circles",
        }
    }

    /// The noise level [`SyntheticSpec::new`] uses: 0.5 for `linear` (as the benchmark
    /// workloads), 0.2 for `moons`, 0.1 for `circles`; `random` ignores noise (0.0).
    pub fn default_noise(self) -> f64 {
        match self {
            SyntheticKind::Random => 0.0,
            SyntheticKind::Linear => 0.5,
            SyntheticKind::Moons => 0.2,
            SyntheticKind::Circles => 0.1,
        }
    }

    /// Fewest features the kind needs: 2 for `moons` and `circles`, else 1.
    pub fn min_features(self) -> usize {
        match self {
            SyntheticKind::Moons | SyntheticKind::Circles => 2,
            SyntheticKind::Random | SyntheticKind::Linear => 1,
        }
    }
}

impl fmt::Display for SyntheticKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SyntheticKind {
    type Err = DataError;

    /// Parses a kind name, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        SyntheticKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(t))
            .ok_or_else(|| DataError::UnknownSyntheticKind(s.to_owned()))
    }
}

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct SyntheticSpec {
    /// The generator.
    pub kind: SyntheticKind,
    /// Rows, at least 1.
    pub samples: usize,
    /// Features per row, at least [`SyntheticKind::min_features`].
    pub features: usize,
    /// Noise level, finite and `>= 0` (ignored by `random`).
    pub noise: f64,
    /// Seed of the one random generator.
    pub seed: u64,
}

impl SyntheticSpec {
    /// `kind` with 1000 samples, 20 features, the kind's default noise and seed 0 (the size of
    /// the classic Keras demo and the benchmark's `seed` workload).
    pub fn new(kind: SyntheticKind) -> Self {
        SyntheticSpec {
            kind,
            samples: 1000,
            features: 20,
            noise: kind.default_noise(),
            seed: 0,
        }
    }
}

impl Default for SyntheticSpec {
    /// `SyntheticSpec::new(SyntheticKind::Random)`: the plateau demo.
    fn default() -> Self {
        SyntheticSpec::new(SyntheticKind::Random)
    }
}

/// Generates the data set `spec` describes.
///
/// Errors when `samples` is 0, `features` is below the kind's minimum, `noise` is negative or
/// not finite, or `samples * features` exceeds [`MAX_SYNTHETIC_VALUES`].
///
/// ```
/// use lrviz_data::{synthetic, SyntheticKind, SyntheticSpec};
/// let spec = SyntheticSpec { samples: 100, features: 3, ..SyntheticSpec::new(SyntheticKind::Moons) };
/// let ds = synthetic(&spec).unwrap();
/// assert_eq!((ds.n_rows(), ds.n_features), (100, 3));
/// assert_eq!(ds.class_counts(), (50, 50)); // n / 2 outer, the rest inner
/// assert_eq!(ds, synthetic(&spec).unwrap()); // same seed, same bits
/// ```
pub fn synthetic(spec: &SyntheticSpec) -> Result<Dataset, DataError> {
    validate(spec)?;
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let (n, d) = (spec.samples, spec.features);
    let (features, labels) = match spec.kind {
        SyntheticKind::Random => random(&mut rng, n, d),
        SyntheticKind::Linear => linear(&mut rng, n, d, spec.noise),
        SyntheticKind::Moons | SyntheticKind::Circles => {
            two_dim(&mut rng, spec.kind, n, d, spec.noise)
        }
    };
    Ok(Dataset {
        features,
        labels,
        n_features: d,
        feature_names: (0..d).map(|j| format!("x{j}")).collect(),
        label_name: "y".to_owned(),
        label_map: None,
        source: format!(
            "synthetic {} (samples {n}, features {d}, noise {}, seed {})",
            spec.kind, spec.noise, spec.seed
        ),
    })
}

fn validate(spec: &SyntheticSpec) -> Result<(), DataError> {
    if spec.samples == 0 {
        return Err(DataError::InvalidSetting {
            name: "samples",
            value: "0".to_owned(),
            expected: "need at least 1 sample".to_owned(),
        });
    }
    let min = spec.kind.min_features();
    if spec.features < min {
        return Err(DataError::InvalidSetting {
            name: "features",
            value: spec.features.to_string(),
            expected: format!(
                "`{}` needs at least {min} feature{}",
                spec.kind,
                if min == 1 { "" } else { "s" }
            ),
        });
    }
    if !(spec.noise.is_finite() && spec.noise >= 0.0) {
        return Err(DataError::InvalidSetting {
            name: "noise",
            value: spec.noise.to_string(),
            expected: "noise must be a finite number >= 0".to_owned(),
        });
    }
    match spec.samples.checked_mul(spec.features) {
        Some(v) if v <= MAX_SYNTHETIC_VALUES => Ok(()),
        v => Err(DataError::SyntheticTooLarge {
            samples: spec.samples,
            features: spec.features,
            values: v.unwrap_or(usize::MAX),
            limit: MAX_SYNTHETIC_VALUES,
        }),
    }
}

fn normal(rng: &mut StdRng) -> f64 {
    rng.sample(StandardNormal)
}

fn random(rng: &mut StdRng, n: usize, d: usize) -> (Vec<f32>, Vec<f32>) {
    let features = (0..n * d).map(|_| rng.random::<f32>()).collect();
    let labels = (0..n)
        .map(|_| if rng.random_bool(0.5) { 1.0 } else { 0.0 })
        .collect();
    (features, labels)
}

fn linear(rng: &mut StdRng, n: usize, d: usize, noise: f64) -> (Vec<f32>, Vec<f32>) {
    let features: Vec<f32> = (0..n * d).map(|_| normal(rng) as f32).collect();
    let w: Vec<f64> = (0..d).map(|_| normal(rng)).collect();
    let labels = features
        .chunks_exact(d)
        .map(|x| {
            let dot: f64 = x.iter().zip(&w).map(|(&xi, wi)| f64::from(xi) * wi).sum();
            if dot + noise * normal(rng) > 0.0 {
                1.0
            } else {
                0.0
            }
        })
        .collect();
    (features, labels)
}

/// `k` evenly spaced points from `0` to `end` (numpy's `linspace(0, end, k, endpoint)`).
fn linspace(k: usize, end: f64, endpoint: bool) -> impl Iterator<Item = f64> {
    let step = match (k, endpoint) {
        (0 | 1, true) => 0.0,
        (_, true) => end / (k - 1) as f64,
        (_, false) => end / k.max(1) as f64,
    };
    (0..k).map(move |i| i as f64 * step)
}

fn two_dim(
    rng: &mut StdRng,
    kind: SyntheticKind,
    n: usize,
    d: usize,
    noise: f64,
) -> (Vec<f32>, Vec<f32>) {
    let n_out = n / 2;
    let n_in = n - n_out;
    // (x, y, label) before shuffling: outer points first (label 0), then inner (label 1).
    let mut points: Vec<(f64, f64, f32)> = Vec::with_capacity(n);
    match kind {
        SyntheticKind::Moons => {
            points.extend(linspace(n_out, PI, true).map(|t| (t.cos(), t.sin(), 0.0)));
            points.extend(linspace(n_in, PI, true).map(|t| (1.0 - t.cos(), 0.5 - t.sin(), 1.0)));
        }
        _ => {
            points.extend(linspace(n_out, 2.0 * PI, false).map(|t| (t.cos(), t.sin(), 0.0)));
            points.extend(
                linspace(n_in, 2.0 * PI, false)
                    .map(|t| (CIRCLES_FACTOR * t.cos(), CIRCLES_FACTOR * t.sin(), 1.0)),
            );
        }
    }
    points.shuffle(rng);
    let mut features = vec![0.0f32; n * d];
    let mut labels = Vec::with_capacity(n);
    for (row, &(x, y, label)) in features.chunks_exact_mut(d).zip(&points) {
        row[0] = (x + noise * normal(rng)) as f32;
        row[1] = (y + noise * normal(rng)) as f32;
        labels.push(label);
    }
    for row in features.chunks_exact_mut(d) {
        for v in &mut row[2..] {
            *v = normal(rng) as f32;
        }
    }
    (features, labels)
}
