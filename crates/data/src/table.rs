//! CSV data sets: a header row, numeric feature columns and one binary label column.
//!
//! The label column is chosen by name (default: the last column); every other column is a
//! feature. Labels may be
//! - the numbers 0 and 1 (`0`, `1`, `1.0`): taken as they are, `label_map` is `None`;
//! - `true`/`false` in any case: `true` is 1;
//! - exactly two other distinct values: by default the *greater* one is 1 — numerically when
//!   both are numbers (`-1`/`1`, `1`/`2`), otherwise in byte order of the text (`B`/`M` →
//!   `M`, `no`/`yes` → `yes`, `benign`/`malignant` → `malignant`). [`CsvOptions::positive`]
//!   picks the 1-class instead. [`Dataset::label_map`] reports the mapping.
//!
//! Accepted: a UTF-8 byte-order mark, CRLF line ends, quoted fields (RFC 4180), `,` `;` or tab
//! separators (detected from the header line, or given), blank lines, white space around values.
//! Refused with an error naming file, 1-based line and column: see [`DataError`]. The whole file
//! is read into memory, so [`load_csv_with_limit`] refuses a file over a size limit before
//! reading it.

use std::io::Read;
use std::path::Path;

use crate::text::{self, field_str, record_line};
use crate::{DataError, Dataset};

/// The size limit [`load_csv`] applies: 1 GiB of CSV text.
pub const DEFAULT_MAX_CSV_BYTES: u64 = 1 << 30;

/// How to read a CSV data set. `Default` is: label = last column, default positive class,
/// detected delimiter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// The label column's name; `None` = the last column.
    pub label: Option<String>,
    /// Which label value maps to 1 (compared as a number when both are numbers, ignoring case
    /// for `true`/`false`, else exactly); `None` = the rule in the module docs.
    pub positive: Option<String>,
    /// The field separator; `None` = detect among `,` `;` and tab from the header line.
    pub delimiter: Option<u8>,
}

/// Loads a CSV data set from `path`, refusing files over [`DEFAULT_MAX_CSV_BYTES`].
pub fn load_csv(path: &Path, opts: &CsvOptions) -> Result<Dataset, DataError> {
    load_csv_with_limit(path, opts, DEFAULT_MAX_CSV_BYTES)
}

/// Loads a CSV data set from `path`, refusing up front a file larger than `max_bytes` (the
/// caller's memory budget); for a pipe or other file of unknown size, reading stops with the
/// same error once `max_bytes` is passed.
pub fn load_csv_with_limit(
    path: &Path,
    opts: &CsvOptions,
    max_bytes: u64,
) -> Result<Dataset, DataError> {
    let shown = path.display().to_string();
    let (file, size) = text::open_file(path, Some(max_bytes))?;
    let capacity = usize::try_from(size).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| DataError::Unreadable {
            path: shown.clone(),
            source: e,
        })?;
    if bytes.len() as u64 > max_bytes {
        return Err(DataError::TooLarge {
            path: shown,
            size: bytes.len() as u64,
            limit: max_bytes,
        });
    }
    parse_csv(&bytes, &shown, opts)
}

/// A label cell, normalized so that `1` and `1.0` (or `TRUE` and `true`) are one class.
#[derive(Clone, Debug, PartialEq)]
enum LabelKey {
    Num(f64),
    Bool(bool),
    Text(String),
}

impl LabelKey {
    /// `None` for a non-finite number, which is not a valid label.
    fn of(text: &str) -> Option<LabelKey> {
        if let Some(v) = text::parse_number(text) {
            return v.is_finite().then_some(LabelKey::Num(v));
        }
        Some(if text.eq_ignore_ascii_case("true") {
            LabelKey::Bool(true)
        } else if text.eq_ignore_ascii_case("false") {
            LabelKey::Bool(false)
        } else {
            LabelKey::Text(text.to_owned())
        })
    }
}

/// One label class: its key and its text as first seen.
struct Class {
    key: LabelKey,
    text: String,
}

/// Parses CSV `bytes` as a data set; `source_name` names it in errors and in
/// [`Dataset::source`].
///
/// ```
/// use lrviz_data::{parse_csv, CsvOptions};
/// let ds = parse_csv(b"a;b;class\n1;2;yes\n3;4;no\n", "mem.csv", &CsvOptions::default()).unwrap();
/// assert_eq!((ds.n_rows(), ds.n_features), (2, 2));
/// assert_eq!(ds.labels, [1.0, 0.0]); // `yes` sorts after `no`: it is the 1-class
/// assert_eq!(ds.label_map, Some(("yes".into(), "no".into())));
/// ```
pub fn parse_csv(bytes: &[u8], source_name: &str, opts: &CsvOptions) -> Result<Dataset, DataError> {
    let file = source_name;
    let bytes = text::strip_bom(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(DataError::EmptyFile {
            file: file.to_owned(),
        });
    }
    let delimiter = opts
        .delimiter
        .unwrap_or_else(|| text::detect_delimiter(text::first_line(bytes)));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text::CrlfToLf::new(bytes));
    let mut record = csv::ByteRecord::new();
    let csv_err = |e: csv::Error| DataError::Io {
        file: file.to_owned(),
        source: std::io::Error::other(e.to_string()),
    };
    if !reader.read_byte_record(&mut record).map_err(csv_err)? {
        return Err(DataError::EmptyFile {
            file: file.to_owned(),
        });
    }
    let header_line = record_line(&record, 0);
    let names = text::header_names(&record, file, header_line)?;
    if text::looks_like_data(&names) {
        return Err(DataError::NoHeader {
            file: file.to_owned(),
            line: header_line,
            text: text::shorten(&names, delimiter),
        });
    }
    text::check_unique(&names, file, header_line)?;
    let label_idx = match &opts.label {
        Some(label) => names
            .iter()
            .position(|n| n == label.trim())
            .ok_or_else(|| DataError::MissingLabel {
                file: file.to_owned(),
                label: label.clone(),
                available: names.clone(),
            })?,
        None => names.len() - 1,
    };
    let label_name = names[label_idx].clone();
    if names.len() < 2 {
        return Err(DataError::NoFeatures {
            file: file.to_owned(),
            label: label_name,
        });
    }

    let n_features = names.len() - 1;
    let mut features: Vec<f32> = Vec::new();
    let mut class_of_row: Vec<u8> = Vec::new();
    let mut classes: Vec<Class> = Vec::with_capacity(2);
    while reader.read_byte_record(&mut record).map_err(csv_err)? {
        let line = record_line(&record, 0);
        if record.len() != names.len() {
            return Err(DataError::Ragged {
                file: file.to_owned(),
                line,
                expected: names.len(),
                got: record.len(),
            });
        }
        for (j, field) in record.iter().enumerate() {
            let cell = field_str(field, file, line)?;
            let column = || names[j].clone();
            if cell.is_empty() {
                return Err(DataError::EmptyCell {
                    file: file.to_owned(),
                    line,
                    column: column(),
                });
            }
            if j == label_idx {
                let key = LabelKey::of(cell).ok_or_else(|| DataError::NonFinite {
                    file: file.to_owned(),
                    line,
                    column: column(),
                    text: cell.to_owned(),
                })?;
                let id = match classes.iter().position(|c| c.key == key) {
                    Some(id) => id,
                    None if classes.len() < 2 => {
                        classes.push(Class {
                            key,
                            text: cell.to_owned(),
                        });
                        classes.len() - 1
                    }
                    None => {
                        let mut seen: Vec<String> =
                            classes.iter().map(|c| c.text.clone()).collect();
                        seen.push(cell.to_owned());
                        return Err(DataError::TooManyClasses {
                            file: file.to_owned(),
                            line,
                            column: column(),
                            classes: seen,
                        });
                    }
                };
                class_of_row.push(id as u8);
                continue;
            }
            let value = text::parse_number(cell).ok_or_else(|| DataError::NonNumeric {
                file: file.to_owned(),
                line,
                column: column(),
                text: cell.to_owned(),
            })?;
            if !value.is_finite() {
                return Err(DataError::NonFinite {
                    file: file.to_owned(),
                    line,
                    column: column(),
                    text: cell.to_owned(),
                });
            }
            let narrow = value as f32;
            if !narrow.is_finite() {
                return Err(DataError::OutOfRange {
                    file: file.to_owned(),
                    line,
                    column: column(),
                    text: cell.to_owned(),
                });
            }
            features.push(narrow);
        }
    }
    if class_of_row.is_empty() {
        return Err(DataError::HeaderOnly {
            file: file.to_owned(),
        });
    }
    if classes.len() == 1 {
        return Err(DataError::OneClass {
            file: file.to_owned(),
            column: label_name,
            value: classes[0].text.clone(),
        });
    }
    let positive = positive_class(&classes, opts.positive.as_deref()).ok_or_else(|| {
        DataError::UnknownPositive {
            file: file.to_owned(),
            column: label_name.clone(),
            positive: opts.positive.clone().unwrap_or_default(),
            classes: (classes[0].text.clone(), classes[1].text.clone()),
        }
    })?;
    let negative = 1 - positive;
    let identity =
        classes[positive].key == LabelKey::Num(1.0) && classes[negative].key == LabelKey::Num(0.0);
    let label_map = (!identity).then(|| {
        (
            classes[positive].text.clone(),
            classes[negative].text.clone(),
        )
    });
    let labels = class_of_row
        .iter()
        .map(|&c| if usize::from(c) == positive { 1.0 } else { 0.0 })
        .collect();
    let feature_names = names
        .iter()
        .enumerate()
        .filter(|&(j, _)| j != label_idx)
        .map(|(_, n)| n.clone())
        .collect();
    Ok(Dataset {
        features,
        labels,
        n_features,
        feature_names,
        label_name,
        label_map,
        source: file.to_owned(),
    })
}

/// Index (0 or 1) of the class that maps to label 1; `None` when `requested` matches neither.
fn positive_class(classes: &[Class], requested: Option<&str>) -> Option<usize> {
    if let Some(p) = requested {
        let p = p.trim();
        let key = LabelKey::of(p);
        return classes
            .iter()
            .position(|c| Some(&c.key) == key.as_ref() || c.text == p);
    }
    let greater = match (&classes[0].key, &classes[1].key) {
        (LabelKey::Num(a), LabelKey::Num(b)) => b > a,
        (LabelKey::Bool(a), LabelKey::Bool(b)) => b > a,
        _ => classes[1].text > classes[0].text,
    };
    Some(usize::from(greater))
}
