//! lrviz `history.json`: schema 1 as issue 2 defines it (`"epochs"` objects, non-finite numbers
//! as strings), the schema version check, and malformed histories.

use lrviz_data::{read_log_from, DataError, LogFormat, LrGranularity, TrainingLog};

fn json(text: &str) -> Result<TrainingLog, DataError> {
    read_log_from(text.as_bytes(), "h.json", None)
}

fn json_err(text: &str) -> String {
    match json(text) {
        Ok(l) => panic!("expected an error, got {} epochs", l.n_epochs()),
        Err(e) => e.to_string(),
    }
}

const HISTORY: &str = r#"{
  "schema_version": 1,
  "settings": {"monitor": "val_loss", "factor": 0.5, "flavor": "keras"},
  "seed": 42,
  "epochs": [
    {"epoch": 0, "learning_rate": 0.1, "loss": 0.7, "accuracy": 0.5, "val_loss": 0.69,
     "val_accuracy": 0.5, "reduced": false, "lr_after": null, "note": "warm-up"},
    {"epoch": 1, "learning_rate": 0.1, "loss": "NaN", "accuracy": 0.5, "val_loss": "Infinity",
     "val_accuracy": 0.5, "reduced": true, "lr_after": 0.01},
    {"epoch": 2, "learning_rate": 0.01, "loss": 0.6, "accuracy": 0.6, "val_loss": "-Infinity",
     "val_accuracy": 0.6, "reduced": false, "lr_after": null, "grad_norm": 3}
  ],
  "reductions": [{"epoch": 1, "from": 0.1, "to": 0.01}]
}"#;

#[test]
fn history_json_reads_every_numeric_field() {
    let log = json(HISTORY).unwrap();
    assert_eq!(log.format, LogFormat::LrvizJson);
    assert_eq!(log.epochs, [0, 1, 2]);
    assert_eq!(
        log.columns,
        [
            "accuracy",
            "grad_norm",
            "learning_rate",
            "loss",
            "lr_after",
            "reduced",
            "val_accuracy",
            "val_loss"
        ]
    );
    assert_eq!(log.lr_column.as_deref(), Some("learning_rate"));
    assert_eq!(log.lr_granularity, LrGranularity::PerEpoch);
    assert_eq!(log.lr().unwrap(), [0.1, 0.1, 0.01]);
    let loss = log.column("loss").unwrap();
    assert!(loss[0] == 0.7 && loss[1].is_nan() && loss[2] == 0.6);
    assert_eq!(
        log.column("val_loss").unwrap()[1..],
        [f64::INFINITY, f64::NEG_INFINITY]
    );
    assert_eq!(log.column("reduced").unwrap(), [0.0, 1.0, 0.0]);
    let g = log.column("grad_norm").unwrap();
    assert!(g[0].is_nan() && g[2] == 3.0, "present in one epoch only");
    assert!(log.column("note").is_err(), "text fields are not columns");
    assert!(log.notes.is_empty(), "{:?}", log.notes);
}

#[test]
fn forced_json_format_and_leading_space() {
    let log = read_log_from(
        "\u{feff}\n  {\"epochs\": [{\"epoch\": 0, \"loss\": 1}]}".as_bytes(),
        "h",
        Some(LogFormat::LrvizJson),
    )
    .unwrap();
    assert_eq!(log.epochs, [0]);
    assert_eq!(log.lr_column, None);
}

#[test]
fn newer_schema_is_refused_with_the_version() {
    let want = "h.json: written by a newer lrviz (schema 2); this lrviz reads schema 1: upgrade \
                lrviz to read it";
    assert_eq!(
        json_err(r#"{"schema_version": 2, "epochs": [{"epoch": "x"}]}"#),
        want
    );
    // Also when the version comes after the epochs.
    assert_eq!(
        json_err(r#"{"epochs": [{"epoch": 0}], "schema_version": 2}"#),
        want
    );
    assert_eq!(
        json_err(r#"{"schema_version": "1", "epochs": []}"#),
        "h.json:1:23: \"schema_version\" must be a whole number >= 1, got \"1\""
    );
}

#[test]
fn truncated_history_says_so_with_the_position() {
    // Cut inside the third epoch object: line 10 is `    {"epoch": 2, ...`, cut after its `{`.
    let cut = &HISTORY[..HISTORY.find("\"epoch\": 2").unwrap()];
    let msg = json_err(cut);
    assert!(
        msg.starts_with("h.json:10:5: the JSON ends too early (truncated file?): "),
        "{msg}"
    );
    // ... and says what lrviz reads instead.
    assert!(
        msg.ends_with(
            "; lrviz reads a complete history.json (schema 1) as `lrviz train` writes it"
        ),
        "{msg}"
    );
}

#[test]
fn wrong_types_name_the_field_and_position() {
    // Positions point just past the offending epoch object (column 28 of line 2 here).
    assert_eq!(
        json_err("{\"epochs\": [\n{\"epoch\": 0, \"loss\": \"low\"}]}"),
        "h.json:2:28: epochs[0].loss must be a number (or \"NaN\", \"Infinity\", \"-Infinity\"), \
         got \"low\""
    );
    assert_eq!(
        json_err(r#"{"epochs": [{"epoch": 0}, {"epoch": -1}]}"#),
        "h.json:1:40: epochs[1].epoch must be a whole number >= 0, got -1"
    );
    assert_eq!(
        json_err(r#"{"epochs": [{"loss": 1}]}"#),
        "h.json:1:24: epochs[0] has no \"epoch\" field"
    );
    assert_eq!(
        json_err(r#"{"epochs": [1]}"#),
        "h.json:1:14: epochs[0] must be an object, got a number"
    );
    assert_eq!(
        json_err(r#"{"epochs": {"epoch": 0}}"#),
        "h.json:1:12: invalid type: map, expected \"epochs\" to be an array of objects, one per \
         epoch"
    );
    assert_eq!(
        json_err(r#"{"epochs": [{"epoch": 0, "x": "a"}, {"epoch": 1, "x": 2}]}"#),
        "h.json:1:57: epochs[1].x is a number here but text in an earlier epoch; a field must \
         have one type"
    );
    assert!(json_err("{\"epochs\": []} trailing").starts_with("h.json:1:16: trailing characters"));
}

#[test]
fn missing_or_empty_epochs() {
    assert_eq!(
        json_err(r#"{"schema_version": 1}"#),
        "h.json: not an lrviz history: no \"epochs\" array; an lrviz history.json holds one \
         object per epoch there"
    );
    assert_eq!(
        json_err(r#"{"epochs": []}"#),
        "h.json: no usable rows: the \"epochs\" array is empty"
    );
}

#[test]
fn repeated_and_unordered_epochs_in_json() {
    let log = json(r#"{"epochs": [{"epoch": 1, "loss": 2}, {"epoch": 0, "loss": 3}, {"epoch": 1, "loss": 1}]}"#)
        .unwrap();
    assert_eq!(log.epochs, [0, 1]);
    assert_eq!(log.column("loss").unwrap(), [3.0, 1.0]);
    assert_eq!(
        log.notes,
        [
            "epoch 1 appeared more than once (resumed run?); the later rows were kept",
            "rows were not in epoch order; they were sorted by epoch"
        ]
    );
}
