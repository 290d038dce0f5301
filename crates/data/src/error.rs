//! The crate's one error type, [`DataError`].
//!
//! Every variant carries the offending value and, for file input, the file name, the 1-based line
//! (as an editor shows it) and the column name, so the binary can print one line that says what is
//! wrong, where, and what would be valid. Messages start lowercase and have no trailing period.

use std::fmt::Write as _;

/// Everything that can go wrong while generating, loading, splitting or reading data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// A synthetic-data setting is out of range.
    #[error("invalid synthetic data setting: {name} = {value}; {expected}")]
    InvalidSetting {
        /// The setting (`samples`, `features`, `noise`).
        name: &'static str,
        /// The value given.
        value: String,
        /// What would be valid.
        expected: String,
    },

    /// The requested synthetic data set would not fit the in-memory limit.
    #[error(
        "synthetic data set of {samples} samples x {features} features = {values} values is over \
         the limit of {limit} values; use fewer samples or features"
    )]
    SyntheticTooLarge {
        /// Requested rows.
        samples: usize,
        /// Requested features.
        features: usize,
        /// `samples * features`, saturated.
        values: usize,
        /// The limit, [`crate::MAX_SYNTHETIC_VALUES`].
        limit: usize,
    },

    /// An unknown synthetic data kind name.
    #[error("unknown synthetic data kind `{0}`; valid kinds: random, linear, moons, circles")]
    UnknownSyntheticKind(String),

    /// An unknown training-log format name.
    #[error(
        "unknown log format `{0}`; valid formats: keras, lightning, lrviz-csv, lrviz-json, csv"
    )]
    UnknownLogFormat(String),

    /// The path does not exist.
    #[error("{path}: no such file")]
    FileNotFound {
        /// The path as given.
        path: String,
    },

    /// The path is a directory.
    #[error("{path}: is a directory, not a file; give the path of a file")]
    IsDirectory {
        /// The path as given.
        path: String,
    },

    /// The file exists but cannot be opened or read.
    #[error("{path}: cannot read the file: {source}")]
    Unreadable {
        /// The path as given.
        path: String,
        /// The operating system's reason.
        source: std::io::Error,
    },

    /// The file is larger than the caller's limit; refused before reading it.
    #[error(
        "{path}: file is {size} bytes, over the limit of {limit} bytes for a data set held in \
         memory; use a smaller file or raise the limit"
    )]
    TooLarge {
        /// The path as given.
        path: String,
        /// The file's size (for a stream of unknown size: the bytes read before stopping).
        size: u64,
        /// The limit passed in.
        limit: u64,
    },

    /// The input holds no bytes other than white space (or a byte-order mark).
    #[error("{file}: empty file; expected a header row followed by data rows")]
    EmptyFile {
        /// The file or source name.
        file: String,
    },

    /// A data-set CSV has a header but no data rows.
    #[error("{file}: header only, no data rows; add at least one row of values below the header")]
    HeaderOnly {
        /// The file or source name.
        file: String,
    },

    /// Bytes that are not UTF-8.
    #[error("{file}:{line}: not valid UTF-8 text; save the file as UTF-8")]
    NonUtf8 {
        /// The file or source name.
        file: String,
        /// 1-based line.
        line: u64,
    },

    /// A row with a different number of fields than the header.
    #[error(
        "{file}:{line}: row has {got} fields, expected {expected} as in the header; every row \
         needs one field per column"
    )]
    Ragged {
        /// The file or source name.
        file: String,
        /// 1-based line where the row starts.
        line: u64,
        /// Fields in the header.
        expected: usize,
        /// Fields in this row.
        got: usize,
    },

    /// The header line is longer than any real header (1 MiB), e.g. a binary file.
    #[error("{file}:1: header line is longer than {limit} bytes; is this a CSV file?")]
    HeaderTooLong {
        /// The file or source name.
        file: String,
        /// The limit in bytes.
        limit: usize,
    },

    /// Two header columns with the same name.
    #[error(
        "{file}:{line}: column name `{name}` appears twice (columns {first} and {second}); \
         column names must be unique"
    )]
    DuplicateColumn {
        /// The file or source name.
        file: String,
        /// 1-based line of the header.
        line: u64,
        /// The repeated name.
        name: String,
        /// 1-based position of the first occurrence.
        first: usize,
        /// 1-based position of the second occurrence.
        second: usize,
    },

    /// A header column with an empty name.
    #[error(
        "{file}:{line}: column {column} has an empty name; every column needs a name in the \
         header row (an unnamed index column? write the file without it)"
    )]
    EmptyColumnName {
        /// The file or source name.
        file: String,
        /// 1-based line of the header.
        line: u64,
        /// 1-based column position.
        column: usize,
    },

    /// The first line looks like data rather than a header.
    #[error(
        "{file}:{line}: the first line `{text}` looks like data, not a header; the file needs a \
         header row naming its columns"
    )]
    NoHeader {
        /// The file or source name.
        file: String,
        /// 1-based line of the first row.
        line: u64,
        /// The start of the first line.
        text: String,
    },

    /// The requested label column is not in the header.
    #[error("{file}: no label column `{label}`; available columns: {}", list(.available))]
    MissingLabel {
        /// The file or source name.
        file: String,
        /// The requested label column.
        label: String,
        /// The header's column names.
        available: Vec<String>,
    },

    /// The file has a label column but no feature columns.
    #[error(
        "{file}: only the label column `{}`, no feature columns; add at least one feature{}",
        show(.label), separator_hint(.label)
    )]
    NoFeatures {
        /// The file or source name.
        file: String,
        /// The label column.
        label: String,
    },

    /// A feature cell that is not a number.
    #[error(
        "{file}:{line}: column `{column}`: `{}` is not a number; features must be numeric{}",
        show(.text), decimal_comma_hint(.text)
    )]
    NonNumeric {
        /// The file or source name.
        file: String,
        /// 1-based line.
        line: u64,
        /// The column name.
        column: String,
        /// The cell's text.
        text: String,
    },

    /// An empty cell in a data set.
    #[error("{file}:{line}: column `{column}` is empty; every cell needs a value")]
    EmptyCell {
        /// The file or source name.
        file: String,
        /// 1-based line.
        line: u64,
        /// The column name.
        column: String,
    },

    /// `nan` or `inf` in a data-set cell.
    #[error("{file}:{line}: column `{column}`: `{}` is not a finite number; values must be finite", show(.text))]
    NonFinite {
        /// The file or source name.
        file: String,
        /// 1-based line.
        line: u64,
        /// The column name.
        column: String,
        /// The cell's text.
        text: String,
    },

    /// A finite feature value outside the 32-bit float range.
    #[error(
        "{file}:{line}: column `{column}`: `{}` is out of range; features must lie within \
         +-3.4e38 (32-bit floats)", show(.text)
    )]
    OutOfRange {
        /// The file or source name.
        file: String,
        /// 1-based line.
        line: u64,
        /// The column name.
        column: String,
        /// The cell's text.
        text: String,
    },

    /// The label column holds one class only.
    #[error(
        "{file}: label column `{column}` has only one class (`{}`); a binary classifier \
         needs rows of two classes", show(.value)
    )]
    OneClass {
        /// The file or source name.
        file: String,
        /// The label column.
        column: String,
        /// The one value seen.
        value: String,
    },

    /// The label column holds a third class.
    #[error(
        "{file}:{line}: label column `{column}` has more than two classes ({}); a binary \
         classifier needs exactly two", list(.classes)
    )]
    TooManyClasses {
        /// The file or source name.
        file: String,
        /// 1-based line where the third class appears.
        line: u64,
        /// The label column.
        column: String,
        /// The three classes seen first.
        classes: Vec<String>,
    },

    /// The `positive` option names neither class.
    #[error(
        "{file}: positive class `{}` is not in label column `{column}`; its classes are \
         `{}` and `{}`", show(.positive), show(&.classes.0), show(&.classes.1)
    )]
    UnknownPositive {
        /// The file or source name.
        file: String,
        /// The label column.
        column: String,
        /// The value asked for.
        positive: String,
        /// The two classes present.
        classes: (String, String),
    },

    /// `val_fraction` outside (0, 1).
    #[error("validation fraction must be a number in (0, 1), e.g. 0.2; got {0}")]
    InvalidValFraction(f64),

    /// A split would leave the training or validation side empty.
    #[error(
        "cannot split {rows} rows with validation fraction {val_fraction}: training would get \
         {train} and validation {val} rows; at least {needed} rows are needed"
    )]
    SplitTooSmall {
        /// Rows in the data set.
        rows: usize,
        /// The fraction asked for.
        val_fraction: f64,
        /// Training rows it would give.
        train: usize,
        /// Validation rows it would give.
        val: usize,
        /// The smallest row count that gives both sides a row.
        needed: usize,
    },

    /// A stratified split would leave a class without a training or validation row.
    #[error(
        "cannot stratify: class {class} has {rows} rows, but a stratified split with validation \
         fraction {val_fraction} needs at least {needed} rows of each class; use an unstratified \
         split or more data"
    )]
    StratumTooSmall {
        /// The label value (0 or 1).
        class: u8,
        /// Rows of that class.
        rows: usize,
        /// The fraction asked for.
        val_fraction: f64,
        /// Rows per class needed.
        needed: usize,
    },

    /// A standardizer applied to a data set of another width.
    #[error("standardizer was fitted on {expected} features but the data set has {got}")]
    FeatureCountMismatch {
        /// Features at fit time.
        expected: usize,
        /// Features of the data set given.
        got: usize,
    },

    /// A log cell that is not a number.
    #[error(
        "{file}:{line}: column `{column}`: `{}` is not a number; expected a number, nan, inf, \
         true/false or an empty cell{}", show(.text), decimal_comma_hint(.text)
    )]
    LogValue {
        /// The file or source name.
        file: String,
        /// 1-based line.
        line: u64,
        /// The column name.
        column: String,
        /// The cell's text.
        text: String,
    },

    /// An epoch or step cell that is not a non-negative whole number.
    #[error("{file}:{line}: column `{column}`: `{}` is not a non-negative whole number", show(.text))]
    BadIndex {
        /// The file or source name.
        file: String,
        /// 1-based line.
        line: u64,
        /// `epoch` or `step`.
        column: String,
        /// The cell's text.
        text: String,
    },

    /// A log without any row that can be placed at an epoch.
    #[error("{file}: no usable rows: {reason}")]
    NoUsableRows {
        /// The file or source name.
        file: String,
        /// Why.
        reason: String,
    },

    /// The log format cannot be told from the content.
    #[error(
        "{file}: cannot tell the log format: {reason}; give the format (keras, lightning, \
         lrviz-csv, lrviz-json, csv)"
    )]
    UnknownFormat {
        /// The file or source name.
        file: String,
        /// Why.
        reason: String,
    },

    /// The log lacks a column the requested format needs.
    #[error("{file}: not a {format} log: no `{column}` column; columns: {}", list(.available))]
    MissingLogColumn {
        /// The file or source name.
        file: String,
        /// The format's name.
        format: String,
        /// The missing column.
        column: String,
        /// The header's columns.
        available: Vec<String>,
    },

    /// [`crate::TrainingLog::column`] with a name the log does not have.
    #[error("no column `{name}` in the log; available columns: {}", list(.available))]
    ColumnNotFound {
        /// The name asked for.
        name: String,
        /// The log's columns.
        available: Vec<String>,
    },

    /// Malformed JSON, or a JSON value of the wrong type, at a position.
    #[error("{file}:{line}:{column}: {message}")]
    Json {
        /// The file or source name.
        file: String,
        /// 1-based line.
        line: u64,
        /// 1-based column (0 at end of input).
        column: u64,
        /// What is wrong.
        message: String,
    },

    /// A JSON history that is well formed but not an lrviz history.
    #[error("{file}: not an lrviz history: {message}")]
    BadHistory {
        /// The file or source name.
        file: String,
        /// What is wrong.
        message: String,
    },

    /// A JSON history written by a newer lrviz.
    #[error(
        "{file}: written by a newer lrviz (schema {found}); this lrviz reads schema 1: upgrade \
         lrviz to read it"
    )]
    NewerSchema {
        /// The file or source name.
        file: String,
        /// The `schema_version` found.
        found: u64,
    },

    /// A log with more epochs than [`crate::logs::MAX_LOG_EPOCHS`].
    #[error(
        "{file}:{line}: more than {limit} epochs, the most lrviz holds in memory; is each row a \
         step rather than an epoch? (a log needs an `epoch` column for per-step rows)"
    )]
    TooManyEpochs {
        /// The file or source name.
        file: String,
        /// 1-based line where the limit was passed.
        line: u64,
        /// The limit.
        limit: usize,
    },

    /// A read error in the middle of a stream.
    #[error("{file}: read error: {source}")]
    Io {
        /// The file or source name.
        file: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
}

/// Formats names as "`a`, `b`, `c`", listing at most 40 and counting the rest.
fn list(names: &[String]) -> String {
    const SHOWN: usize = 40;
    let mut out = String::new();
    for (i, n) in names.iter().take(SHOWN).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "`{}`", show(n));
    }
    if names.is_empty() {
        out.push_str("(none)");
    } else if names.len() > SHOWN {
        let _ = write!(out, " and {} more", names.len() - SHOWN);
    }
    out
}

/// For a cell like `1,5` (a decimal comma, as `;`-separated files from some locales have): how
/// to write it; empty otherwise. Such cells are refused rather than guessed: `1.234,5` may mean
/// 1234.5.
fn decimal_comma_hint(text: &str) -> &'static str {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match text.trim_start_matches(['-', '+']).split_once(',') {
        Some((int, frac)) if digits(int) && digits(frac) => {
            " (a decimal comma? write numbers with a decimal point, e.g. 1.5)"
        }
        _ => "",
    }
}

/// For a one-column header that holds a `,` `;` or tab: the separator is probably wrong.
fn separator_hint(name: &str) -> &'static str {
    if name.contains([',', ';', '\t']) {
        " (the header was not split: is the field separator right?)"
    } else {
        ""
    }
}

/// A user-supplied text for a one-line message: control characters escaped, cut to 60
/// characters.
fn show(text: &str) -> String {
    let escaped: String = text.chars().flat_map(char::escape_debug).collect();
    match escaped.char_indices().nth(60) {
        Some((i, _)) => format!("{}...", &escaped[..i]),
        None => escaped,
    }
}
