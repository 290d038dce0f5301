//! Harnesses shared by the fuzz targets (`fuzz/`) and the regression test that replays saved
//! inputs (`tests/regressions/`): one function per reader, taking raw bytes.
//!
//! Each harness feeds the bytes to a reader and checks what a successful read promises. A
//! reader error is a valid outcome; a panic, or a broken promise (which panics here), is a bug.
//! Not part of the stable API.

use crate::{parse_csv, read_log_from, CsvOptions, LogFormat, TrainingLog};

/// `parse_csv`: the first byte picks the options (label, positive class, delimiter), the rest
/// is the file.
pub fn csv_dataset(data: &[u8]) {
    let Some((&sel, text)) = data.split_first() else {
        return;
    };
    let opts = CsvOptions {
        label: [None, Some("y"), Some("a"), Some("")][usize::from(sel & 3)].map(str::to_owned),
        positive: [None, Some("1"), Some("b"), Some("true")][usize::from((sel >> 2) & 3)]
            .map(str::to_owned),
        delimiter: [None, Some(b','), Some(b';'), Some(b'\t')][usize::from((sel >> 4) & 3)],
    };
    if let Ok(ds) = parse_csv(text, "fuzz.csv", &opts) {
        assert!(ds.n_rows() > 0 && ds.n_features > 0);
        assert_eq!(ds.features.len(), ds.n_rows() * ds.n_features);
        assert_eq!(ds.feature_names.len(), ds.n_features);
        assert!(ds.features.iter().all(|v| v.is_finite()));
        assert!(ds.labels.iter().all(|&l| l == 0.0 || l == 1.0));
        let (zeros, ones) = ds.class_counts();
        assert!(zeros > 0 && ones > 0, "a data set has both classes");
    }
}

/// `read_log_from`: the first byte forces a format (0-4: [`LogFormat::ALL`]) or lets it be
/// detected (5-7), modulo 8; the rest is the file.
pub fn training_log(data: &[u8]) {
    let Some((&sel, text)) = data.split_first() else {
        return;
    };
    let format = LogFormat::ALL.get(usize::from(sel % 8)).copied();
    if let Ok(log) = read_log_from(text, "fuzz.log", format) {
        check_log(&log);
    }
}

/// The history.json reader: the whole input, format forced to `lrviz-json`.
pub fn history_json(data: &[u8]) {
    if let Ok(log) = read_log_from(data, "fuzz.json", Some(LogFormat::LrvizJson)) {
        check_log(&log);
    }
}

fn check_log(log: &TrainingLog) {
    assert!(!log.epochs.is_empty());
    assert!(
        log.epochs.windows(2).all(|w| w[0] < w[1]),
        "epochs sorted, unique"
    );
    assert_eq!(log.series.len(), log.columns.len());
    assert!(log.series.values().all(|s| s.len() == log.epochs.len()));
    if let Some(lr) = &log.lr_column {
        assert!(log.series.contains_key(lr));
    }
}
