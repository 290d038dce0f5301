//! lrviz `history.json`, streamed: the `"epochs"` array is visited element by element, so only
//! one epoch object is held as a `serde_json::Value` at a time.
//!
//! Schema 1: a top-level object with
//! - `"schema_version"` (optional, a whole number >= 1; above 1 is refused: written by a newer
//!   lrviz), expected first so the version is known before the epochs are read;
//! - `"epochs"` (required): an array of objects, each with `"epoch"` (whole number >= 0) and any
//!   number of numeric fields; `learning_rate`, `loss`, `accuracy`, `val_loss`, `val_accuracy`
//!   and `lr_after` must be numbers, `null`, or the strings `"NaN"`, `"Infinity"`,
//!   `"-Infinity"` (any case); booleans (`"reduced"`) read as 1/0; other text fields, arrays and
//!   objects are ignored, but a field may not be text in one epoch and a number in another;
//! - anything else (settings, `"reductions"`, ...) is skipped.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::io::{BufReader, Read};

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::{LogFormat, Table, TrainingLog, KERAS_LR};
use crate::text;
use crate::DataError;

/// Fields of an epoch object that must hold numbers.
const NUMERIC_FIELDS: [&str; 6] = [
    "learning_rate",
    "loss",
    "accuracy",
    "val_loss",
    "val_accuracy",
    "lr_after",
];

/// The schema this reader understands.
const SCHEMA: u64 = 1;

struct State {
    table: Table,
    columns: Vec<String>,
    index: HashMap<String, usize>,
    text_fields: BTreeSet<String>,
    saw_epochs: bool,
    newer: Option<u64>,
    next_element: usize,
}

pub(super) fn read<R: Read>(
    reader: BufReader<R>,
    file: &str,
    line_offset: u64,
) -> Result<TrainingLog, DataError> {
    let mut state = State {
        table: Table::new(0),
        columns: Vec::new(),
        index: HashMap::new(),
        text_fields: BTreeSet::new(),
        saw_epochs: false,
        newer: None,
        next_element: 0,
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let result = HistorySeed(&mut state)
        .deserialize(&mut de)
        .and_then(|()| de.end());
    if let Some(found) = state.newer {
        return Err(DataError::NewerSchema {
            file: file.to_owned(),
            found,
        });
    }
    result.map_err(|e| json_error(file, &e, line_offset))?;
    if !state.saw_epochs {
        return Err(DataError::BadHistory {
            file: file.to_owned(),
            message: "no \"epochs\" array; an lrviz history.json holds one object per epoch there"
                .to_owned(),
        });
    }
    if state.table.rows.is_empty() {
        return Err(DataError::NoUsableRows {
            file: file.to_owned(),
            reason: "the \"epochs\" array is empty".to_owned(),
        });
    }
    let lr = KERAS_LR
        .iter()
        .find_map(|n| state.columns.iter().position(|c| c == n));
    let mut log = state
        .table
        .finish(LogFormat::LrvizJson, file, state.columns, lr, Vec::new())?;
    log.columns.sort();
    Ok(log)
}

fn json_error(file: &str, e: &serde_json::Error, line_offset: u64) -> DataError {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let mut message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
    if e.is_eof() {
        message = format!("the JSON ends too early (truncated file?): {message}");
    }
    if e.is_eof() || e.is_syntax() {
        message.push_str(
            "; lrviz reads a complete history.json (schema 1) as `lrviz train` writes it",
        );
    }
    if e.line() == 0 {
        return DataError::BadHistory {
            file: file.to_owned(),
            message,
        };
    }
    DataError::Json {
        file: file.to_owned(),
        line: e.line() as u64 + line_offset,
        column: e.column() as u64,
        message,
    }
}

struct HistorySeed<'a>(&'a mut State);

impl<'de> DeserializeSeed<'de> for HistorySeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for HistorySeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an lrviz history (a JSON object with an \"epochs\" array)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "schema_version" => {
                    let v: Value = map.next_value()?;
                    let n = v.as_u64().filter(|&n| n >= 1).ok_or_else(|| {
                        de::Error::custom(format!(
                            "\"schema_version\" must be a whole number >= 1, got {v}"
                        ))
                    })?;
                    if n > SCHEMA {
                        self.0.newer = Some(n);
                        return Err(de::Error::custom("newer schema"));
                    }
                }
                "epochs" => {
                    self.0.saw_epochs = true;
                    map.next_value_seed(EpochsSeed(&mut *self.0))?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct EpochsSeed<'a>(&'a mut State);

impl<'de> DeserializeSeed<'de> for EpochsSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EpochsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"epochs\" to be an array of objects, one per epoch")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(v) = seq.next_element::<Value>()? {
            let i = self.0.next_element;
            self.0.next_element += 1;
            self.0.add_epoch(i, v).map_err(de::Error::custom)?;
        }
        Ok(())
    }
}

/// A JSON value's kind, for messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl State {
    fn add_epoch(&mut self, i: usize, v: Value) -> Result<(), String> {
        let Value::Object(map) = v else {
            return Err(format!("epochs[{i}] must be an object, got {}", kind(&v)));
        };
        let epoch = match map.get("epoch") {
            None => return Err(format!("epochs[{i}] has no \"epoch\" field")),
            Some(Value::Number(n)) => n
                .as_u64()
                .or_else(|| n.as_f64().and_then(|f| text::parse_index(&f.to_string()))),
            Some(_) => None,
        }
        .ok_or_else(|| {
            format!(
                "epochs[{i}].epoch must be a whole number >= 0, got {}",
                map.get("epoch").map_or_else(String::new, Value::to_string)
            )
        })?;
        self.table.start_row(epoch);
        if self.table.rows.len() > self.table.max_epochs {
            return Err(format!(
                "more than {} epochs, the most lrviz holds in memory",
                self.table.max_epochs
            ));
        }
        for (key, value) in &map {
            if key == "epoch" {
                continue;
            }
            let must_be_number =
                NUMERIC_FIELDS.contains(&key.as_str()) || self.index.contains_key(key);
            let number = match value {
                Value::Number(n) => n.as_f64(),
                Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
                Value::Null => continue,
                Value::String(s) => match text::parse_number(s.trim()) {
                    Some(x) if !x.is_finite() => Some(x),
                    _ => None,
                },
                Value::Array(_) | Value::Object(_) => None,
            };
            let Some(number) = number else {
                if must_be_number {
                    return Err(format!(
                        "epochs[{i}].{key} must be a number (or \"NaN\", \"Infinity\", \
                         \"-Infinity\"), got {}",
                        shorten(value)
                    ));
                }
                if matches!(value, Value::String(_)) {
                    self.text_fields.insert(key.clone());
                }
                continue;
            };
            if self.text_fields.contains(key) {
                return Err(format!(
                    "epochs[{i}].{key} is a number here but text in an earlier epoch; a field \
                     must have one type"
                ));
            }
            let col = match self.index.get(key) {
                Some(&c) => c,
                None => {
                    self.table.add_column();
                    self.columns.push(key.clone());
                    self.index.insert(key.clone(), self.columns.len() - 1);
                    self.columns.len() - 1
                }
            };
            self.table.set(epoch, col, number, None);
        }
        Ok(())
    }
}

/// A JSON value for a message, cut to 60 characters.
fn shorten(v: &Value) -> String {
    let s = v.to_string();
    match s.char_indices().nth(60) {
        Some((k, _)) => format!("{}...", &s[..k]),
        None => s,
    }
}
