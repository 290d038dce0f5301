//! Training logs written by other tools (and by lrviz), read into one per-epoch table.
//!
//! Supported, detected from the header (or forced with a [`LogFormat`]):
//! - **Keras `CSVLogger`** ([`LogFormat::KerasCsv`]): `epoch` (0-based) plus `learning_rate`
//!   (Keras 3) or `lr` (Keras 2 / tf.keras); one row per epoch.
//! - **lrviz `history.csv`** ([`LogFormat::LrvizCsv`]): `epoch`, `learning_rate`, ... plus the
//!   `reduced` (or `lr_after`) marker column.
//! - **PyTorch Lightning `CSVLogger` `metrics.csv`** ([`LogFormat::Lightning`]): `epoch` and
//!   `step` columns, sparse rows. Rows with an epoch carry metrics; rows without one (written by
//!   `LearningRateMonitor`, columns `lr-SGD`, `lr-Adam/pg1`, ...) carry a step only and are joined
//!   to the epoch whose metric rows come next in the file (with a step `>=` theirs): the LR
//!   logged at an epoch's start, or during it. With several values per epoch (LR logged per
//!   step) the first is used and a note says so.
//! - **lrviz `history.json`** ([`LogFormat::LrvizJson`]): a JSON object whose `"epochs"` array
//!   holds one object per epoch (`epoch`, `learning_rate`, `loss`, ...); every numeric field is a
//!   column; non-finite numbers are the strings `"NaN"`, `"Infinity"`, `"-Infinity"`; an
//!   optional integer `"schema_version"` above 1 is refused as written by a newer lrviz.
//! - **any CSV with a header** ([`LogFormat::GenericCsv`]): its `epoch` column if it has one,
//!   else the row index, as the epoch.
//!
//! Cells: numbers, `nan`/`inf`/`-inf`/`infinity` in any case, `true`/`false` (1/0); an empty
//! cell is absent (NaN in the series). Rows out of epoch order are sorted; an epoch logged again
//! (a resumed run appending to its log) takes the later rows' values, and [`TrainingLog::notes`]
//! reports it. Reading streams row by row: memory holds the per-epoch table, not the text.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::str::FromStr;

use crate::text::{self, field_str, record_line};
use crate::DataError;

mod json;

/// The most epochs a log may have (and the most values logged without an epoch that may wait
/// for one): the per-epoch table is held in memory, about 100 bytes per epoch and column while
/// reading, so this bounds a replay's memory whatever the file's length.
pub const MAX_LOG_EPOCHS: usize = 10_000_000;

/// The epoch limit in force: [`MAX_LOG_EPOCHS`], lowered by unit tests.
#[cfg(not(test))]
fn max_epochs() -> usize {
    MAX_LOG_EPOCHS
}

#[cfg(test)]
thread_local! {
    static MAX_EPOCHS_FOR_TEST: std::cell::Cell<usize> = const { std::cell::Cell::new(MAX_LOG_EPOCHS) };
}

#[cfg(test)]
fn max_epochs() -> usize {
    MAX_EPOCHS_FOR_TEST.with(std::cell::Cell::get)
}

/// Longest header line accepted (1 MiB), so a binary file is not read whole as one "line".
const MAX_HEADER_BYTES: usize = 1 << 20;

/// Names of the LR column in Keras logs, in order of preference.
const KERAS_LR: [&str; 2] = ["learning_rate", "lr"];

/// The formats [`read_log`] understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Keras `CSVLogger` (`--log-format keras`).
    KerasCsv,
    /// PyTorch Lightning `CSVLogger` `metrics.csv` (`lightning`).
    Lightning,
    /// lrviz `history.csv` (`lrviz-csv`).
    LrvizCsv,
    /// lrviz `history.json` (`lrviz-json`).
    LrvizJson,
    /// Any CSV with a header (`csv`).
    GenericCsv,
}

impl LogFormat {
    /// Every format, in the order the CLI lists them.
    pub const ALL: [LogFormat; 5] = [
        LogFormat::KerasCsv,
        LogFormat::Lightning,
        LogFormat::LrvizCsv,
        LogFormat::LrvizJson,
        LogFormat::GenericCsv,
    ];

    /// The `--log-format` name: `keras`, `lightning`, `lrviz-csv`, `lrviz-json`, `csv`.
    pub fn name(self) -> &'static str {
        match self {
            LogFormat::KerasCsv => "keras",
            LogFormat::Lightning => "lightning",
            LogFormat::LrvizCsv => "lrviz-csv",
            LogFormat::LrvizJson => "lrviz-json",
            LogFormat::GenericCsv => "csv",
        }
    }
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for LogFormat {
    type Err = DataError;

    /// Parses a `--log-format` name, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        LogFormat::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(t))
            .ok_or_else(|| DataError::UnknownLogFormat(s.to_owned()))
    }
}

/// How often the log recorded the learning rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LrGranularity {
    /// One value per epoch: the LR used during that epoch.
    PerEpoch,
    /// Several values per epoch (Lightning `logging_interval="step"`); the first of each epoch
    /// is kept, the LR in effect when the epoch started.
    PerStep,
    /// The log has no LR column.
    None,
}

/// A training log as one value per epoch and column.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainingLog {
    /// The format it was read as.
    pub format: LogFormat,
    /// The file name (`<stdin>` for standard input) or the source name given.
    pub source: String,
    /// Epochs present, sorted and unique, as logged (0-based in Keras, Lightning and lrviz logs).
    pub epochs: Vec<u64>,
    /// Value columns in header order (first-seen order for JSON), without `epoch` (and `step`
    /// for Lightning).
    pub columns: Vec<String>,
    /// Each column's values, one per entry of `epochs`; NaN where the log has none.
    pub series: BTreeMap<String, Vec<f64>>,
    /// The column holding the LR used *during* each epoch (`learning_rate`, `lr`, `lr-SGD`, ...).
    pub lr_column: Option<String>,
    /// How the LR was logged.
    pub lr_granularity: LrGranularity,
    /// What the reader resolved on the way: repeated epochs, sorting, per-step LR, skipped rows.
    pub notes: Vec<String>,
}

impl TrainingLog {
    /// The LR used during each epoch, if the log has an LR column.
    pub fn lr(&self) -> Option<&[f64]> {
        self.lr_column
            .as_deref()
            .and_then(|c| self.series.get(c))
            .map(Vec::as_slice)
    }

    /// The values of column `name`, one per epoch; the error lists the available columns.
    pub fn column(&self, name: &str) -> Result<&[f64], DataError> {
        self.series
            .get(name)
            .map(Vec::as_slice)
            .ok_or_else(|| DataError::ColumnNotFound {
                name: name.to_owned(),
                available: self.columns.clone(),
            })
    }

    /// Number of epochs in the log.
    pub fn n_epochs(&self) -> usize {
        self.epochs.len()
    }
}

/// Reads the log at `path` (`-` = standard input), detecting the format unless `format` forces
/// one.
pub fn read_log(path: &Path, format: Option<LogFormat>) -> Result<TrainingLog, DataError> {
    if path.as_os_str() == "-" {
        return read_log_from(io::stdin().lock(), "<stdin>", format);
    }
    let (file, _) = text::open_file(path, None)?;
    read_log_from(file, &path.display().to_string(), format)
}

/// Reads a log from any reader, streaming; `source` names it in errors and in
/// [`TrainingLog::source`].
///
/// ```
/// use lrviz_data::{read_log_from, LogFormat};
/// let text = "epoch,learning_rate,val_loss\n0,0.1,0.9\n1,0.1,0.8\n2,0.01,0.7\n";
/// let log = read_log_from(text.as_bytes(), "log.csv", None).unwrap();
/// assert_eq!(log.format, LogFormat::KerasCsv);
/// assert_eq!(log.epochs, [0, 1, 2]);
/// assert_eq!(log.lr(), Some(&[0.1, 0.1, 0.01][..]));
/// ```
pub fn read_log_from<R: Read>(
    reader: R,
    source: &str,
    format: Option<LogFormat>,
) -> Result<TrainingLog, DataError> {
    let mut reader = BufReader::with_capacity(64 * 1024, text::CrlfToLf::new(reader));
    let Some((first, skipped_lines)) = skip_lead(&mut reader, source)? else {
        return Err(DataError::EmptyFile {
            file: source.to_owned(),
        });
    };
    match (format, first) {
        (Some(LogFormat::LrvizJson), _) | (None, b'{') => json::read(reader, source, skipped_lines),
        (None, b'[') => Err(DataError::UnknownFormat {
            file: source.to_owned(),
            reason: "a JSON array; an lrviz history.json is an object with an \"epochs\" array"
                .to_owned(),
        }),
        (format, _) => read_csv_log(reader, source, format, skipped_lines),
    }
}

/// Consumes a byte-order mark and leading white space. Returns the first other byte (not
/// consumed) and the number of lines skipped, or `None` at end of input.
fn skip_lead<R: BufRead>(reader: &mut R, file: &str) -> Result<Option<(u8, u64)>, DataError> {
    let mut bom_matched = 0;
    let mut consumed = 0usize;
    let mut lines = 0u64;
    loop {
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_error(file, e)),
        };
        if buf.is_empty() {
            return if (1..3).contains(&bom_matched) {
                Err(DataError::NonUtf8 {
                    file: file.to_owned(),
                    line: 1,
                })
            } else {
                Ok(None)
            };
        }
        let mut n = 0;
        for &b in buf {
            if bom_matched < 3 && consumed == bom_matched && b == text::BOM[bom_matched] {
                bom_matched += 1;
            } else if (1..3).contains(&bom_matched) {
                // A broken byte-order mark: the start is not UTF-8.
                return Err(DataError::NonUtf8 {
                    file: file.to_owned(),
                    line: 1,
                });
            } else if b.is_ascii_whitespace() {
                bom_matched = 3; // a BOM may only come first
                if b == b'\n' {
                    lines += 1;
                }
            } else {
                reader.consume(n);
                return Ok(Some((b, lines)));
            }
            n += 1;
            consumed += 1;
        }
        reader.consume(n);
    }
}

fn io_error(file: &str, e: io::Error) -> DataError {
    DataError::Io {
        file: file.to_owned(),
        source: e,
    }
}

fn csv_error(file: &str, e: csv::Error) -> DataError {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => io_error(file, e),
        other => io_error(file, io::Error::other(format!("{other:?}"))),
    }
}

/// Where each column of a CSV log goes.
struct Layout {
    format: LogFormat,
    epoch: Option<usize>,
    step: Option<usize>,
    /// Header index of each value column.
    value_idx: Vec<usize>,
    /// Value column names, in header order.
    columns: Vec<String>,
    /// Index into `columns` of the LR column.
    lr: Option<usize>,
}

fn layout(names: &[String], file: &str, forced: Option<LogFormat>) -> Result<Layout, DataError> {
    let find = |n: &str| names.iter().position(|c| c == n);
    let epoch = find("epoch");
    let step = find("step");
    let has_lr_dash = names.iter().any(|c| c.starts_with("lr-"));
    let format = forced.unwrap_or_else(|| match (epoch, step) {
        (Some(_), Some(_)) => LogFormat::Lightning,
        (Some(_), None)
            if find("learning_rate").is_some()
                && (find("reduced").is_some() || find("lr_after").is_some()) =>
        {
            LogFormat::LrvizCsv
        }
        (Some(_), None) if KERAS_LR.iter().any(|n| find(n).is_some()) => LogFormat::KerasCsv,
        _ => LogFormat::GenericCsv,
    });
    let required: &[&str] = match format {
        LogFormat::KerasCsv => &["epoch"],
        LogFormat::LrvizCsv => &["epoch", "learning_rate"],
        LogFormat::Lightning => &["epoch", "step"],
        LogFormat::GenericCsv | LogFormat::LrvizJson => &[],
    };
    if let Some(missing) = required.iter().find(|n| find(n).is_none()) {
        return Err(DataError::MissingLogColumn {
            file: file.to_owned(),
            format: format.name().to_owned(),
            column: (*missing).to_owned(),
            available: names.to_vec(),
        });
    }
    let step = if format == LogFormat::Lightning {
        step
    } else {
        None
    };
    let value_idx: Vec<usize> = (0..names.len())
        .filter(|&j| Some(j) != epoch && Some(j) != step)
        .collect();
    let columns: Vec<String> = value_idx.iter().map(|&j| names[j].clone()).collect();
    let lightning_lr = || {
        columns
            .iter()
            .position(|c| c.starts_with("lr-") && !c.ends_with("-momentum"))
    };
    let by_name = |wanted: &[&str]| {
        wanted
            .iter()
            .find_map(|w| columns.iter().position(|c| c == w))
    };
    let lr = match format {
        LogFormat::Lightning => lightning_lr().or_else(|| by_name(&KERAS_LR)),
        LogFormat::KerasCsv | LogFormat::LrvizCsv | LogFormat::LrvizJson => by_name(&KERAS_LR),
        LogFormat::GenericCsv => by_name(&KERAS_LR)
            .or_else(|| {
                columns.iter().position(|c| {
                    let norm = c.to_ascii_lowercase().replace(['-', ' '], "_");
                    KERAS_LR.contains(&norm.as_str())
                })
            })
            .or_else(|| if has_lr_dash { lightning_lr() } else { None }),
    };
    Ok(Layout {
        format,
        epoch,
        step,
        value_idx,
        columns,
        lr,
    })
}

/// One cell of the per-epoch table.
#[derive(Clone, Copy)]
struct Cell {
    value: f64,
    /// The step of the row it came from (Lightning), to tell per-step logging from a resume.
    step: Option<u64>,
}

/// One epoch's values: from rows that carry the epoch, and from step-only rows joined to it.
struct EpochRow {
    cells: Vec<Option<Cell>>,
    /// Values joined from step-only rows; empty until the first arrives (most logs have none),
    /// which halves the table's memory for long per-epoch logs.
    joined: Vec<Option<Cell>>,
    /// Largest step of the epoch's metric rows.
    end_step: Option<u64>,
}

/// The row of `epoch`, created empty (`ncols` absent cells) on first use.
fn row_in(rows: &mut BTreeMap<u64, EpochRow>, ncols: usize, epoch: u64) -> &mut EpochRow {
    rows.entry(epoch).or_insert_with(|| EpochRow {
        cells: vec![None; ncols],
        joined: Vec::new(),
        end_step: None,
    })
}

/// A value from a step-only row, waiting for its epoch.
struct Pending {
    step: u64,
    col: usize,
    value: f64,
}

/// The per-epoch table under construction; shared by the CSV and JSON readers.
pub(crate) struct Table {
    ncols: usize,
    /// Most epochs (and waiting step-only values) accepted: [`MAX_LOG_EPOCHS`].
    pub(crate) max_epochs: usize,
    rows: BTreeMap<u64, EpochRow>,
    pending: Vec<Pending>,
    repeated: BTreeSet<u64>,
    out_of_order: bool,
    last_epoch: Option<u64>,
    skipped_rows: u64,
    /// Columns with several values in one epoch from rows with an epoch (last kept).
    multi_last: BTreeSet<usize>,
    /// Columns with several values in one epoch from step-only rows (first kept).
    multi_first: BTreeSet<usize>,
    notes: Vec<String>,
}

impl Table {
    pub(crate) fn new(ncols: usize) -> Self {
        Table {
            ncols,
            max_epochs: max_epochs(),
            rows: BTreeMap::new(),
            pending: Vec::new(),
            repeated: BTreeSet::new(),
            out_of_order: false,
            last_epoch: None,
            skipped_rows: 0,
            multi_last: BTreeSet::new(),
            multi_first: BTreeSet::new(),
            notes: Vec::new(),
        }
    }

    /// Adds a column (JSON histories discover columns as they go).
    pub(crate) fn add_column(&mut self) {
        self.ncols += 1;
        for row in self.rows.values_mut() {
            row.cells.push(None);
            if !row.joined.is_empty() {
                row.joined.push(None);
            }
        }
    }

    fn row_mut(&mut self, epoch: u64) -> &mut EpochRow {
        row_in(&mut self.rows, self.ncols, epoch)
    }

    /// Refuses a log past [`MAX_LOG_EPOCHS`] epochs (or values waiting for an epoch);
    /// `line` is where the reader is.
    pub(crate) fn check_size(&self, file: &str, line: u64) -> Result<(), DataError> {
        if self.rows.len() > self.max_epochs || self.pending.len() > self.max_epochs {
            return Err(DataError::TooManyEpochs {
                file: file.to_owned(),
                line,
                limit: self.max_epochs,
            });
        }
        Ok(())
    }

    /// Records that a row for `epoch` arrived (for the out-of-order note).
    pub(crate) fn start_row(&mut self, epoch: u64) {
        if let Some(last) = self.last_epoch {
            if epoch < last && !self.rows.contains_key(&epoch) {
                self.out_of_order = true;
            }
        }
        self.last_epoch = Some(epoch);
        self.row_mut(epoch);
    }

    /// Sets a value of a row that carries its epoch; a later value replaces an earlier one.
    pub(crate) fn set(&mut self, epoch: u64, col: usize, value: f64, step: Option<u64>) {
        let cell = &mut row_in(&mut self.rows, self.ncols, epoch).cells[col];
        if let Some(old) = cell {
            match (old.step, step) {
                // Later step within the same epoch: logged per step, not a resumed run.
                (Some(old_step), Some(new_step)) if new_step > old_step => {
                    self.multi_last.insert(col);
                }
                _ => {
                    self.repeated.insert(epoch);
                }
            }
        }
        *cell = Some(Cell { value, step });
    }

    /// Records a metric row's step for `epoch` and joins the step-only values waiting since the
    /// previous metric row: in file order they belong to this epoch (logged at its start or
    /// during it), provided their step is not past this row's step.
    fn end_step(&mut self, epoch: u64, step: u64) {
        let row = self.row_mut(epoch);
        row.end_step = Some(row.end_step.map_or(step, |s| s.max(step)));
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        let mut keep = Vec::new();
        for p in pending {
            if p.step <= step {
                self.join(epoch, p);
            } else {
                keep.push(p);
            }
        }
        self.pending = keep;
    }

    /// Attaches a step-only value to `epoch`, keeping the earliest step's value.
    fn join(&mut self, epoch: u64, p: Pending) {
        let ncols = self.ncols;
        let row = row_in(&mut self.rows, ncols, epoch);
        if row.joined.is_empty() {
            row.joined = vec![None; ncols];
        }
        let cell = &mut row.joined[p.col];
        match cell {
            None => {
                *cell = Some(Cell {
                    value: p.value,
                    step: Some(p.step),
                })
            }
            Some(old) => {
                let old_step = old.step.unwrap_or(u64::MAX);
                if p.step == old_step {
                    old.value = p.value; // the same step logged again: a resumed run
                } else {
                    if p.step < old_step {
                        *old = Cell {
                            value: p.value,
                            step: Some(p.step),
                        };
                    }
                    self.multi_first.insert(p.col);
                }
            }
        }
    }

    /// Joins what is still waiting at the end of input, by the epochs' last steps.
    fn resolve_pending(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        if self.rows.is_empty() {
            // Only step-only rows: each distinct step is one epoch, in step order.
            let steps: BTreeSet<u64> = pending.iter().map(|p| p.step).collect();
            let epoch_of: BTreeMap<u64, u64> =
                steps.iter().zip(0..).map(|(&s, e)| (s, e)).collect();
            for p in pending {
                let epoch = epoch_of[&p.step];
                self.start_row(epoch);
                self.join(epoch, p);
            }
            self.out_of_order = false;
            self.notes.push(
                "no row carries an epoch; each logged step was taken as one epoch, in step order"
                    .to_owned(),
            );
            return;
        }
        let ends: Vec<(u64, u64)> = self
            .rows
            .iter()
            .filter_map(|(&e, r)| r.end_step.map(|s| (s, e)))
            .collect();
        let mut unmatched = 0u64;
        let mut last_unmatched = 0u64;
        for p in pending {
            let k = ends.partition_point(|&(end, _)| end < p.step);
            match ends.get(k) {
                Some(&(_, epoch)) => self.join(epoch, p),
                None => {
                    unmatched += 1;
                    last_unmatched = last_unmatched.max(p.step);
                }
            }
        }
        if unmatched > 0 {
            let last = ends.last().map_or(0, |&(s, _)| s);
            self.notes.push(format!(
                "{unmatched} value(s) logged without an epoch after the last epoch's metrics \
                 (steps up to {last_unmatched}, last metric step {last}) were not matched to an \
                 epoch and were left out"
            ));
        }
    }

    /// Builds the [`TrainingLog`]; `lr` indexes `columns`.
    pub(crate) fn finish(
        mut self,
        format: LogFormat,
        source: &str,
        columns: Vec<String>,
        lr: Option<usize>,
        mut notes: Vec<String>,
    ) -> Result<TrainingLog, DataError> {
        self.resolve_pending();
        if self.rows.is_empty() {
            return Err(DataError::NoUsableRows {
                file: source.to_owned(),
                reason: if self.skipped_rows > 0 {
                    format!(
                        "none of the {} row(s) has an epoch or a step",
                        self.skipped_rows
                    )
                } else {
                    "the log has a header but no rows of values".to_owned()
                },
            });
        }
        let epochs: Vec<u64> = self.rows.keys().copied().collect();
        let mut series = BTreeMap::new();
        for (j, name) in columns.iter().enumerate() {
            let values: Vec<f64> = self
                .rows
                .values()
                .map(|r| {
                    r.cells[j]
                        .or(r.joined.get(j).copied().flatten())
                        .map_or(f64::NAN, |c| c.value)
                })
                .collect();
            series.insert(name.clone(), values);
        }
        if !self.repeated.is_empty() {
            notes.push(format!(
                "{} appeared more than once (resumed run?); the later rows were kept",
                epoch_ranges(&self.repeated)
            ));
        }
        if self.out_of_order {
            notes.push("rows were not in epoch order; they were sorted by epoch".to_owned());
        }
        if self.skipped_rows > 0 {
            notes.push(format!(
                "{} row(s) without an epoch (or step) were skipped",
                self.skipped_rows
            ));
        }
        let mut granularity = LrGranularity::None;
        if let Some(lr) = lr {
            granularity = LrGranularity::PerEpoch;
            if self.multi_first.contains(&lr) {
                granularity = LrGranularity::PerStep;
                notes.push("LR logged per step; the first value in each epoch is used".to_owned());
            } else if self.multi_last.contains(&lr) {
                granularity = LrGranularity::PerStep;
                notes.push("LR logged per step; the last value in each epoch is used".to_owned());
            }
        }
        for &j in &self.multi_first {
            if Some(j) != lr {
                notes.push(format!(
                    "column `{}` was logged several times per epoch; the first value in each \
                     epoch is used",
                    columns[j]
                ));
            }
        }
        for &j in &self.multi_last {
            if Some(j) != lr {
                notes.push(format!(
                    "column `{}` was logged several times per epoch; the last value in each \
                     epoch is used",
                    columns[j]
                ));
            }
        }
        notes.append(&mut self.notes);
        Ok(TrainingLog {
            format,
            source: source.to_owned(),
            epochs,
            lr_column: lr.map(|j| columns[j].clone()),
            columns,
            series,
            lr_granularity: granularity,
            notes,
        })
    }
}

/// "epoch 3" / "epochs 10-14, 20" for a note, listing at most 10 ranges.
fn epoch_ranges(set: &BTreeSet<u64>) -> String {
    let mut ranges: Vec<(u64, u64)> = Vec::new();
    for &e in set {
        match ranges.last_mut() {
            Some((_, hi)) if *hi + 1 == e => *hi = e,
            _ => ranges.push((e, e)),
        }
    }
    let shown: Vec<String> = ranges
        .iter()
        .take(10)
        .map(|&(lo, hi)| {
            if lo == hi {
                lo.to_string()
            } else {
                format!("{lo}-{hi}")
            }
        })
        .collect();
    let more = if ranges.len() > 10 {
        format!(" and {} more ranges", ranges.len() - 10)
    } else {
        String::new()
    };
    let word = if set.len() == 1 { "epoch" } else { "epochs" };
    format!("{word} {}{more}", shown.join(", "))
}

fn read_csv_log<R: Read>(
    mut reader: BufReader<R>,
    file: &str,
    forced: Option<LogFormat>,
    line_offset: u64,
) -> Result<TrainingLog, DataError> {
    let mut header = Vec::new();
    (&mut reader)
        .take(MAX_HEADER_BYTES as u64)
        .read_until(b'\n', &mut header)
        .map_err(|e| io_error(file, e))?;
    if header.len() >= MAX_HEADER_BYTES && !header.ends_with(b"\n") {
        return Err(DataError::HeaderTooLong {
            file: file.to_owned(),
            limit: MAX_HEADER_BYTES,
        });
    }
    let delimiter = text::detect_delimiter(&header);
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(io::Cursor::new(header).chain(reader));
    let mut record = csv::ByteRecord::new();
    if !csv
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(file, e))?
    {
        return Err(DataError::EmptyFile {
            file: file.to_owned(),
        });
    }
    let header_line = record_line(&record, line_offset);
    let names = text::header_names(&record, file, header_line)?;
    if text::looks_like_data(&names) {
        return Err(DataError::UnknownFormat {
            file: file.to_owned(),
            reason: format!(
                "the first line `{}` looks like data, not a header row",
                text::shorten(&names, delimiter)
            ),
        });
    }
    text::check_unique(&names, file, header_line)?;
    let lay = layout(&names, file, forced)?;
    let mut table = Table::new(lay.columns.len());
    let mut notes = Vec::new();
    if lay.epoch.is_none() {
        notes.push("no `epoch` column; rows are numbered from epoch 0".to_owned());
    }
    let mut row_index = 0u64;
    let mut values: Vec<Option<f64>> = vec![None; lay.columns.len()];
    while csv
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(file, e))?
    {
        let line = record_line(&record, line_offset);
        if record.len() != names.len() {
            return Err(DataError::Ragged {
                file: file.to_owned(),
                line,
                expected: names.len(),
                got: record.len(),
            });
        }
        let index = |j: Option<usize>| -> Result<Option<u64>, DataError> {
            let Some(j) = j else { return Ok(None) };
            let cell = field_str(&record[j], file, line)?;
            if cell.is_empty() {
                return Ok(None);
            }
            text::parse_index(cell)
                .map(Some)
                .ok_or_else(|| DataError::BadIndex {
                    file: file.to_owned(),
                    line,
                    column: names[j].clone(),
                    text: cell.to_owned(),
                })
        };
        let epoch = index(lay.epoch)?;
        let step = index(lay.step)?;
        for (k, &j) in lay.value_idx.iter().enumerate() {
            let cell = field_str(&record[j], file, line)?;
            values[k] = if cell.is_empty() {
                None
            } else {
                Some(
                    text::parse_log_value(cell).ok_or_else(|| DataError::LogValue {
                        file: file.to_owned(),
                        line,
                        column: names[j].clone(),
                        text: cell.to_owned(),
                    })?,
                )
            };
        }
        let epoch = match (lay.epoch, epoch) {
            (None, _) => Some(row_index),
            (Some(_), e) => e,
        };
        row_index += 1;
        match (epoch, step) {
            (Some(epoch), step) => {
                table.start_row(epoch);
                for (k, v) in values.iter().enumerate() {
                    if let Some(v) = *v {
                        table.set(epoch, k, v, step);
                    }
                }
                if let Some(step) = step {
                    table.end_step(epoch, step);
                }
            }
            (None, Some(step)) => {
                for (k, v) in values.iter().enumerate() {
                    if let Some(v) = *v {
                        table.pending.push(Pending {
                            step,
                            col: k,
                            value: v,
                        });
                    }
                }
            }
            (None, None) => table.skipped_rows += 1,
        }
        table.check_size(file, line)?;
    }
    table.finish(lay.format, file, lay.columns, lay.lr, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_limit<T>(limit: usize, f: impl FnOnce() -> T) -> T {
        MAX_EPOCHS_FOR_TEST.with(|c| c.set(limit));
        let out = f();
        MAX_EPOCHS_FOR_TEST.with(|c| c.set(MAX_LOG_EPOCHS));
        out
    }

    #[test]
    fn a_log_past_the_epoch_limit_is_refused_where_it_passes_it() {
        // Limit 3: epochs 0-2 fit, the row of epoch 3 (line 5) passes it.
        let csv = "epoch,val_loss\n0,1\n1,1\n2,1\n3,1\n4,1\n";
        let msg = with_limit(3, || read_log_from(csv.as_bytes(), "l.csv", None))
            .unwrap_err()
            .to_string();
        assert_eq!(
            msg,
            "l.csv:5: more than 3 epochs, the most lrviz holds in memory; is each row a step \
             rather than an epoch? (a log needs an `epoch` column for per-step rows)"
        );
        // Five epochs fit a limit of five.
        assert!(with_limit(5, || read_log_from(csv.as_bytes(), "l.csv", None)).is_ok());
        // Values logged without an epoch count too, while they wait for one.
        let steps = "epoch,step,lr-SGD\n,0,0.1\n,1,0.1\n,2,0.1\n,3,0.1\n";
        let msg = with_limit(3, || read_log_from(steps.as_bytes(), "s.csv", None))
            .unwrap_err()
            .to_string();
        assert!(msg.starts_with("s.csv:5: more than 3 epochs"), "{msg}");
        // And in a history.json; the position is just past the fourth epoch object, which
        // spans columns 55-66.
        let json = r#"{"epochs": [{"epoch": 0}, {"epoch": 1}, {"epoch": 2}, {"epoch": 3}]}"#;
        let msg = with_limit(3, || read_log_from(json.as_bytes(), "h.json", None))
            .unwrap_err()
            .to_string();
        assert_eq!(
            msg,
            "h.json:1:67: more than 3 epochs, the most lrviz holds in memory"
        );
    }
}
