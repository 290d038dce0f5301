//! Train/validation split and standardization with training statistics only.
//!
//! Sizes: the training side gets `floor(n * (1 - val_fraction))` rows, computed in `f64` as
//! Python's `int(n * (1 - f))`, and validation the rest — the benchmark workload's
//! `k = int(n * 0.8)`. A stratified split applies the same rule to each class separately, so
//! both sides keep the class ratio (to within one row per class).
//!
//! Order: with `shuffle = false` rows keep their order (the first rows train, the last
//! validate; per class when stratified, then merged back in file order). With `shuffle = true`
//! a `StdRng::seed_from_u64(seed)` permutes the rows first (within each class when stratified)
//! and both sides come out in that random order.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use crate::{DataError, Dataset};

/// A training and a validation set cut from one data set.
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    /// The training rows.
    pub train: Dataset,
    /// The validation rows.
    pub val: Dataset,
}

/// Rows the training side gets out of `n`.
fn train_size(n: usize, val_fraction: f64) -> usize {
    (n as f64 * (1.0 - val_fraction)) as usize
}

/// The smallest `n` whose split gives both sides at least one row, or `usize::MAX` when
/// `val_fraction` is too close to 0 or 1 for any size the search tries.
fn rows_needed(val_fraction: f64) -> usize {
    let start = (1.0 / (1.0 - val_fraction)).ceil().max(2.0);
    let start = if start.is_finite() && start < 1e15 {
        start as usize
    } else {
        return usize::MAX;
    };
    (start.saturating_sub(2)..start.saturating_add(64))
        .find(|&n| {
            let t = train_size(n, val_fraction);
            t >= 1 && t < n
        })
        .unwrap_or(usize::MAX)
}

/// Splits `ds` into training and validation sets; see the module docs for sizes and order.
///
/// Errors: `val_fraction` not in (0, 1); a side left empty (the error says how many rows are
/// needed); for a stratified split, a class too small to give each side a row.
///
/// ```
/// use lrviz_data::{synthetic, train_val_split, SyntheticSpec};
/// let ds = synthetic(&SyntheticSpec::default()).unwrap(); // 1000 rows
/// let s = train_val_split(&ds, 0.2, false, false, 0).unwrap();
/// assert_eq!((s.train.n_rows(), s.val.n_rows()), (800, 200));
/// assert_eq!(s.val.row(0), ds.row(800)); // unshuffled: the last 20 % validate
/// ```
pub fn train_val_split(
    ds: &Dataset,
    val_fraction: f64,
    stratified: bool,
    shuffle: bool,
    seed: u64,
) -> Result<Split, DataError> {
    if !(val_fraction > 0.0 && val_fraction < 1.0) {
        return Err(DataError::InvalidValFraction(val_fraction));
    }
    let n = ds.n_rows();
    let mut rng = StdRng::seed_from_u64(seed);
    let (mut train_idx, mut val_idx) = if stratified {
        let mut train_idx = Vec::new();
        let mut val_idx = Vec::new();
        for class in [0u8, 1] {
            let mut idx: Vec<usize> = (0..n)
                .filter(|&i| (ds.labels[i] > 0.5) == (class == 1))
                .collect();
            if idx.is_empty() {
                continue;
            }
            let t = train_size(idx.len(), val_fraction);
            if t == 0 || t == idx.len() {
                return Err(DataError::StratumTooSmall {
                    class,
                    rows: idx.len(),
                    val_fraction,
                    needed: rows_needed(val_fraction),
                });
            }
            if shuffle {
                idx.shuffle(&mut rng);
            }
            val_idx.extend_from_slice(&idx[t..]);
            idx.truncate(t);
            train_idx.extend(idx);
        }
        (train_idx, val_idx)
    } else {
        let t = train_size(n, val_fraction);
        if t == 0 || t >= n {
            return Err(DataError::SplitTooSmall {
                rows: n,
                val_fraction,
                train: t.min(n),
                val: n - t.min(n),
                needed: rows_needed(val_fraction),
            });
        }
        let mut idx: Vec<usize> = (0..n).collect();
        if shuffle {
            idx.shuffle(&mut rng);
        }
        let val_idx = idx.split_off(t);
        (idx, val_idx)
    };
    if stratified {
        if shuffle {
            train_idx.shuffle(&mut rng);
            val_idx.shuffle(&mut rng);
        } else {
            train_idx.sort_unstable();
            val_idx.sort_unstable();
        }
    }
    if train_idx.is_empty() || val_idx.is_empty() {
        // Only an empty data set gets here (each present class gave both sides a row).
        return Err(DataError::SplitTooSmall {
            rows: n,
            val_fraction,
            train: train_idx.len(),
            val: val_idx.len(),
            needed: rows_needed(val_fraction),
        });
    }
    Ok(Split {
        train: ds.select(&train_idx),
        val: ds.select(&val_idx),
    })
}

/// Per-feature mean and standard deviation, fitted on a training set and applied to any set
/// (z-scores, as scikit-learn's `StandardScaler`: population standard deviation).
#[derive(Clone, Debug, PartialEq)]
pub struct Standardizer {
    /// Mean of each feature over the training rows.
    pub mean: Vec<f32>,
    /// Standard deviation of each feature; 1 for a constant column, so it maps to 0 instead of
    /// dividing by zero.
    pub std: Vec<f32>,
}

impl Standardizer {
    /// Fits on `train` (sums in `f64`). A constant column (or an empty set) gets std 1.
    pub fn fit(train: &Dataset) -> Self {
        let d = train.n_features;
        let n = train.n_rows();
        let mut sum = vec![0.0f64; d];
        for row in train.features.chunks_exact(d.max(1)).take(n) {
            for (s, &x) in sum.iter_mut().zip(row) {
                *s += f64::from(x);
            }
        }
        let mean: Vec<f64> = sum.iter().map(|s| s / n.max(1) as f64).collect();
        let mut sq = vec![0.0f64; d];
        for row in train.features.chunks_exact(d.max(1)).take(n) {
            for ((s, &x), m) in sq.iter_mut().zip(row).zip(&mean) {
                *s += (f64::from(x) - m).powi(2);
            }
        }
        let std = sq
            .iter()
            .zip(&mean)
            .map(|(s, m)| {
                let sd = (s / n.max(1) as f64).sqrt();
                // Below a few ulps of the mean's scale the "spread" is rounding noise.
                if sd.is_finite() && sd > 16.0 * f64::from(f32::EPSILON) * m.abs().max(1.0) {
                    sd as f32
                } else {
                    1.0
                }
            })
            .collect();
        Standardizer {
            mean: mean.iter().map(|&m| m as f32).collect(),
            std,
        }
    }

    /// Replaces every feature `x` of `ds` by `(x - mean) / std`.
    ///
    /// # Panics
    /// If `ds` has a different number of features than the fitted set; use
    /// [`Standardizer::try_apply`] to get an error instead.
    pub fn apply(&self, ds: &mut Dataset) {
        if let Err(e) = self.try_apply(ds) {
            panic!("{e}");
        }
    }

    /// [`Standardizer::apply`], returning [`DataError::FeatureCountMismatch`] instead of
    /// panicking when the widths differ.
    pub fn try_apply(&self, ds: &mut Dataset) -> Result<(), DataError> {
        let d = self.mean.len();
        if ds.n_features != d {
            return Err(DataError::FeatureCountMismatch {
                expected: d,
                got: ds.n_features,
            });
        }
        for row in ds.features.chunks_exact_mut(d.max(1)) {
            for ((x, m), s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                *x = (*x - m) / s;
            }
        }
        Ok(())
    }
}
