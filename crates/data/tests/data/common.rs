//! Shared helpers: shipped fixture paths and error-message checks.

use lrviz_data::{parse_csv, CsvOptions, DataError, Dataset};

/// Path of a file under the repository's `data/` directory.
#[macro_export]
macro_rules! data_path {
    ($rel:literal) => {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/", $rel)
    };
}

/// Parses `text` as a data set named `t.csv` with default options.
pub fn csv(text: &str) -> Result<Dataset, DataError> {
    parse_csv(text.as_bytes(), "t.csv", &CsvOptions::default())
}

/// The error message of parsing `bytes` as `t.csv` with `opts`; panics if it parses.
pub fn csv_err_with(bytes: &[u8], opts: &CsvOptions) -> String {
    match parse_csv(bytes, "t.csv", opts) {
        Ok(ds) => panic!("expected an error, got {} rows", ds.n_rows()),
        Err(e) => e.to_string(),
    }
}

/// [`csv_err_with`] with default options.
pub fn csv_err(text: &str) -> String {
    csv_err_with(text.as_bytes(), &CsvOptions::default())
}

/// Options with only the label column set.
pub fn label(name: &str) -> CsvOptions {
    CsvOptions {
        label: Some(name.to_owned()),
        ..CsvOptions::default()
    }
}

/// A data set of `n` rows whose single feature is the row index and whose label alternates
/// with period `period` (label 1 on rows `i % period == 0`), to track rows through a split.
pub fn indexed(n: usize, period: usize) -> Dataset {
    Dataset {
        features: (0..n).map(|i| i as f32).collect(),
        labels: (0..n)
            .map(|i| if i % period == 0 { 1.0 } else { 0.0 })
            .collect(),
        n_features: 1,
        feature_names: vec!["i".to_owned()],
        label_name: "y".to_owned(),
        label_map: None,
        source: "indexed".to_owned(),
    }
}
