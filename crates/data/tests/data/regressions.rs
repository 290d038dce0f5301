//! Replays saved fuzz inputs (`tests/regressions/<target>/`, crashes once found) and the fuzz
//! seeds (`fuzz/seeds/<target>/`) through the fuzzers' own harnesses: each must parse or give
//! an error, never panic.

use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [
        root.join("tests/regressions").join(target),
        root.join("../../fuzz/seeds").join(target),
    ] {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            files.extend(entries.map(|e| e.unwrap().path()).filter(|p| {
                p.is_file() && !p.file_name().unwrap().to_string_lossy().starts_with('.')
            }));
        }
    }
    files.sort();
    files
}

fn replay(target: &str, harness: fn(&[u8])) {
    let files = inputs(target);
    // The seeds alone are 2+ files per target: an empty list means the paths are wrong.
    assert!(files.len() >= 2, "{target}: found only {files:?}");
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        let outcome = std::panic::catch_unwind(|| harness(&bytes));
        assert!(outcome.is_ok(), "{target}: {} panicked", f.display());
    }
}

#[test]
fn csv_dataset_inputs_never_panic() {
    replay("csv_dataset", lrviz_data::fuzz::csv_dataset);
}

#[test]
fn training_log_inputs_never_panic() {
    replay("training_log", lrviz_data::fuzz::training_log);
}

#[test]
fn history_json_inputs_never_panic() {
    replay("history_json", lrviz_data::fuzz::history_json);
}
