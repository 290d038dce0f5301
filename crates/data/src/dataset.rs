//! [`Dataset`]: a binary-classification data set held row-major in plain `Vec<f32>`s.
//!
//! Row `i` is `features[i * n_features .. (i + 1) * n_features]` with label `labels[i]`, which is
//! `0.0` or `1.0`. Keeping it a flat `Vec<f32>` lets `model` hand it to candle as one tensor
//! without this crate depending on candle.

/// A binary-classification data set, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// `n_rows * n_features` values, row after row.
    pub features: Vec<f32>,
    /// One label per row, `0.0` or `1.0`.
    pub labels: Vec<f32>,
    /// Values per row.
    pub n_features: usize,
    /// One name per feature column (`x0`, `x1`, ... for synthetic sets).
    pub feature_names: Vec<String>,
    /// The label column's name (`y` for synthetic sets).
    pub label_name: String,
    /// For CSV labels given as strings (or as numbers other than 0/1): which original value maps
    /// to 1 and which to 0, as `(positive, negative)`. `None` when the labels were 0/1 already.
    pub label_map: Option<(String, String)>,
    /// Where the data came from: a file path or a synthetic-set description.
    pub source: String,
}

impl Dataset {
    /// Number of rows (one per label).
    pub fn n_rows(&self) -> usize {
        self.labels.len()
    }

    /// The features of row `i`.
    ///
    /// # Panics
    /// If `i >= self.n_rows()`, as slice indexing does.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.features[i * self.n_features..(i + 1) * self.n_features]
    }

    /// `(rows labelled 0, rows labelled 1)`, in label order. A label counts as 1 when it is
    /// above 0.5.
    pub fn class_counts(&self) -> (usize, usize) {
        let ones = self.labels.iter().filter(|&&y| y > 0.5).count();
        (self.labels.len() - ones, ones)
    }

    /// A new data set with the rows at `idx`, in that order (an index may repeat). Names, label
    /// map and source are kept.
    ///
    /// # Panics
    /// If an index is `>= self.n_rows()`: the indices come from the caller's code, not from
    /// user input.
    pub fn select(&self, idx: &[usize]) -> Dataset {
        let mut features = Vec::with_capacity(idx.len() * self.n_features);
        let mut labels = Vec::with_capacity(idx.len());
        for &i in idx {
            features.extend_from_slice(self.row(i));
            labels.push(self.labels[i]);
        }
        Dataset {
            features,
            labels,
            n_features: self.n_features,
            feature_names: self.feature_names.clone(),
            label_name: self.label_name.clone(),
            label_map: self.label_map.clone(),
            source: self.source.clone(),
        }
    }
}
