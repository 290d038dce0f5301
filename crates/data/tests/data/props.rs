//! Property tests: any input either parses or yields an error, never a panic; valid inputs
//! round-trip; splits partition the rows.

use std::collections::BTreeSet;

use lrviz_data::{parse_csv, read_log_from, train_val_split, CsvOptions, LogFormat};
use proptest::prelude::*;

use crate::common::indexed;

/// Bytes drawn mostly from the characters that steer the CSV and JSON parsers.
fn csvish() -> impl Strategy<Value = Vec<u8>> {
    let alphabet: Vec<u8> = b"01e.-+,;\t\n\r\" abepochsrtlnif{}[]:\xEF\xBB\xBF\xFF".to_vec();
    prop::collection::vec(prop::sample::select(alphabet), 0..200)
}

fn formats() -> impl Strategy<Value = Option<LogFormat>> {
    prop::option::of(prop::sample::select(LogFormat::ALL.to_vec()))
}

fn options() -> impl Strategy<Value = CsvOptions> {
    (
        prop::option::of(prop::sample::select(vec!["a", "y", "epoch", ""])),
        prop::option::of(prop::sample::select(vec!["1", "b", "true"])),
        prop::option::of(prop::sample::select(vec![b',', b';', b'\t', b'"'])),
    )
        .prop_map(|(label, positive, delimiter)| CsvOptions {
            label: label.map(str::to_owned),
            positive: positive.map(str::to_owned),
            delimiter,
        })
}

/// A number as a history.json value: finite, or one of the non-finite strings.
fn json_number() -> impl Strategy<Value = String> {
    prop_oneof![
        (-1e3f64..1e3).prop_map(|v| format!("{v}")),
        Just("\"NaN\"".to_owned()),
        Just("\"Infinity\"".to_owned()),
        Just("\"-Infinity\"".to_owned()),
        Just("null".to_owned()),
    ]
}

/// A valid schema-1 history.json text with 1-8 epochs.
fn history() -> impl Strategy<Value = String> {
    prop::collection::vec((json_number(), json_number(), any::<bool>()), 1..8).prop_map(|rows| {
        let epochs: Vec<String> = rows
            .iter()
            .enumerate()
            .map(|(i, (lr, loss, reduced))| {
                format!(
                    "{{\"epoch\": {i}, \"learning_rate\": {lr}, \"val_loss\": {loss}, \
                     \"reduced\": {reduced}, \"decision\": {{\"why\": [1, \"x\"]}}}}"
                )
            })
            .collect();
        format!(
            "{{\"schema_version\": 1, \"settings\": {{\"factor\": 0.5}}, \"epochs\": [{}]}}",
            epochs.join(",\n")
        )
    })
}

/// How to damage a text: cut it, overwrite a byte, or insert a token.
#[derive(Clone, Debug)]
enum Damage {
    Truncate(usize),
    Overwrite(usize, u8),
    Insert(usize, &'static str),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        any::<usize>().prop_map(Damage::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Damage::Overwrite(i, b)),
        (
            any::<usize>(),
            prop::sample::select(vec![
                "\"",
                "{",
                "]",
                ",",
                "\"epoch\": -1",
                "1e999",
                "\"x\"",
                "[]"
            ])
        )
            .prop_map(|(i, t)| Damage::Insert(i, t)),
    ]
}

fn apply(text: &str, d: &Damage) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    match *d {
        Damage::Truncate(i) => bytes.truncate(i % (bytes.len() + 1)),
        Damage::Overwrite(i, b) => {
            let k = i % bytes.len();
            bytes[k] = b;
        }
        Damage::Insert(i, t) => {
            let k = i % (bytes.len() + 1);
            bytes.splice(k..k, t.bytes());
        }
    }
    bytes
}

proptest! {
    #[test]
    fn parse_csv_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300), opts in options()) {
        let _ = parse_csv(&bytes, "p.csv", &opts);
    }

    #[test]
    fn parse_csv_never_panics_on_csvish_text(bytes in csvish(), opts in options()) {
        let _ = parse_csv(&bytes, "p.csv", &opts);
    }

    #[test]
    fn read_log_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300), format in formats()) {
        let _ = read_log_from(&bytes[..], "p.log", format);
    }

    #[test]
    fn read_log_never_panics_on_csvish_text(bytes in csvish(), format in formats()) {
        let _ = read_log_from(&bytes[..], "p.log", format);
    }

    #[test]
    fn read_log_never_panics_on_sparse_lightning_rows(
        rows in prop::collection::vec((prop::option::of(0u64..6), prop::option::of(0u64..40), prop::option::of(-1.0f64..1.0)), 0..40)
    ) {
        let mut text = String::from("epoch,lr-SGD,step,val_loss\n");
        for (epoch, step, v) in &rows {
            let e = epoch.map_or(String::new(), |e| e.to_string());
            let s = step.map_or(String::new(), |s| s.to_string());
            let v = v.map_or(String::new(), |v| v.to_string());
            if epoch.is_some() {
                text.push_str(&format!("{e},,{s},{v}\n"));
            } else {
                text.push_str(&format!(",{v},{s},\n"));
            }
        }
        if let Ok(log) = read_log_from(text.as_bytes(), "p.csv", None) {
            prop_assert!(log.epochs.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(log.series.values().all(|s| s.len() == log.epochs.len()));
        }
    }

    #[test]
    fn valid_history_json_round_trips(text in history()) {
        let log = read_log_from(text.as_bytes(), "h.json", None).unwrap();
        let n = text.matches("\"epoch\":").count();
        prop_assert_eq!(log.epochs, (0..n as u64).collect::<Vec<_>>());
        prop_assert_eq!(log.series["reduced"].len(), n);
    }

    #[test]
    fn damaged_history_json_never_panics(text in history(), d in damage(), format in formats()) {
        let bytes = apply(&text, &d);
        let _ = read_log_from(&bytes[..], "h.json", format);
    }

    #[test]
    fn numeric_csv_round_trips(
        rows in prop::collection::vec((prop::collection::vec(-1e6f32..1e6, 3), any::<bool>()), 2..30),
        delimiter in prop::sample::select(vec![b',', b';', b'\t']),
        crlf in any::<bool>(),
    ) {
        prop_assume!(rows.iter().any(|r| r.1) && rows.iter().any(|r| !r.1));
        let d = (delimiter as char).to_string();
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut text = ["a", "b", "c", "y"].join(&d) + eol;
        for (x, y) in &rows {
            let cells: Vec<String> = x.iter().map(|v| v.to_string()).chain([u8::from(*y).to_string()]).collect();
            text += &(cells.join(&d) + eol);
        }
        let ds = parse_csv(text.as_bytes(), "r.csv", &CsvOptions::default()).unwrap();
        let want: Vec<f32> = rows.iter().flat_map(|r| r.0.clone()).collect();
        prop_assert_eq!(ds.features, want, "f32 Display round-trips exactly");
        let labels: Vec<f32> = rows.iter().map(|r| f32::from(u8::from(r.1))).collect();
        prop_assert_eq!(ds.labels, labels);
    }

    #[test]
    fn splits_partition_the_rows(
        n in 0usize..200, f in -0.2f64..1.2, stratified in any::<bool>(),
        shuffle in any::<bool>(), seed in any::<u64>(), period in 1usize..6,
    ) {
        let ds = indexed(n, period);
        match train_val_split(&ds, f, stratified, shuffle, seed) {
            Ok(s) => {
                prop_assert!(s.train.n_rows() > 0 && s.val.n_rows() > 0);
                let a: BTreeSet<u32> = s.train.features.iter().map(|&v| v as u32).collect();
                let b: BTreeSet<u32> = s.val.features.iter().map(|&v| v as u32).collect();
                prop_assert!(a.is_disjoint(&b));
                prop_assert_eq!(a.len() + b.len(), n);
                prop_assert_eq!(s.train.class_counts().0 + s.val.class_counts().0, ds.class_counts().0);
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}
