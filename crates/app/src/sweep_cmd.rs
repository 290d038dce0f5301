//! `lrviz sweep` and `lrviz sweep merge`: a grid of plateau settings replayed on one recorded
//! metric series, in parallel, with shards for grids too large for one machine.
//!
//! The grid is the cross product of the values given for each parameter; flavor-specific
//! parameters only multiply their own flavor's settings (`--min-delta` the Keras flavors,
//! `--threshold`, `--threshold-mode`, `--eps` torch). Settings are numbered in a fixed order
//! (flavor, then factor, patience, cooldown, min_lr, then min_delta or threshold,
//! threshold_mode, eps, the last varying fastest); setting k is replayed through the
//! scheduler's non-recording fast path ([`replay_summary`]), so memory per setting is its row,
//! not its epochs. Rows come back in index order whatever the thread count.
//!
//! `--shard i/n` replays the settings k with k mod n = i. Each output carries the grid's
//! fingerprint (a hash of the series, the initial LR and every grid value) and the total
//! count, so `sweep merge` can check that its inputs are the n shards of one sweep, each given
//! once and complete, and print exactly what an unsharded run prints.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use lrviz_scheduler::{
    python_float_repr, replay, replay_summary, Flavor, Mode, PlateauConfig, ReduceLrOnPlateau,
    ThresholdMode,
};
use lrviz_viz::{ChartSpec, HeatmapSpec, LrTrace, MetricSeries, Reduction};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cli::FlavorArg;
use crate::errors::usage;
use crate::output::OutputDir;
use crate::plot_cmd::{display_lr, file_label};
use crate::replay_cmd::load_log;

/// Most values one range may expand to.
const MAX_AXIS: u64 = 1_000_000;
/// Most settings one process replays and keeps as rows (about 1 GB); more needs `--shard`.
pub const MAX_ROWS: u64 = 5_000_000;
/// Most LR trajectories in one overlay chart (the palette has 10 colours).
pub const MAX_OVERLAY: usize = 10;
/// Version of the sweep output files.
const SWEEP_FILE_VERSION: u32 = 1;

/// `lrviz sweep` flags.
#[derive(Args, Debug, Clone)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = "GRID SYNTAX: comma lists (--factor 0.1,0.2,0.5), inclusive integer ranges \
(--patience 2..10 is 2, 3, ..., 10; --patience 2..10:2 is 2, 4, 6, 8, 10) and float ranges with a \
step (--min-lr 0..0.001:0.0005 is 0, 0.0005, 0.001), mixed freely (--patience 1,3..5,10). A \
parameter not given keeps the framework default (factor 0.1, patience 10, cooldown 0, min_lr 0, \
min_delta 1e-4, threshold 1e-4 rel, eps 1e-8). --min-delta only multiplies the Keras flavors' \
settings; --threshold, --threshold-mode and --eps only torch's.\n\nSHARDS: --shard i/n (0-based \
i) replays the settings k with k mod n = i; run the n commands anywhere, then `lrviz sweep merge \
FILES...` prints what one run would have printed."
)]
pub struct SweepArgs {
    /// Combine shard outputs.
    #[command(subcommand)]
    pub action: Option<SweepAction>,
    /// A training log (Keras CSVLogger, Lightning metrics.csv, lrviz history, any CSV); `-` reads stdin
    #[arg(required = true)]
    pub log: Option<PathBuf>,
    /// Log format, when detection from the header is not wanted: keras, lightning, lrviz-csv, lrviz-json, csv
    #[arg(long)]
    pub log_format: Option<String>,
    /// The LR before epoch 0 [default: the log's first logged LR]
    #[arg(long, value_parser = crate::parse::positive_f64)]
    pub lr: Option<f64>,
    /// Metric to replay
    #[arg(long, default_value = "val_loss", help_heading = "Grid")]
    pub monitor: String,
    /// min, max, or auto (Keras flavors: from the metric's name) [default: auto; torch: min]
    #[arg(long, help_heading = "Grid")]
    pub mode: Option<String>,
    /// Flavors, comma-separated: keras, tf-keras, torch [default: keras]
    #[arg(long, value_enum, value_delimiter = ',', help_heading = "Grid")]
    pub flavor: Vec<FlavorArg>,
    /// Factors, in (0, 1): list or range with a step (0.1..0.5:0.1) [default: 0.1]
    #[arg(long, value_name = "LIST", value_parser = parse_float_grid, allow_hyphen_values = true, help_heading = "Grid")]
    pub factor: Option<FloatGrid>,
    /// Patience values: list or inclusive range (2..10, 2..10:2) [default: 10]
    #[arg(long, value_name = "LIST", value_parser = parse_int_grid, allow_hyphen_values = true, help_heading = "Grid")]
    pub patience: Option<IntGrid>,
    /// Cooldown values: list or inclusive range [default: 0]
    #[arg(long, value_name = "LIST", value_parser = parse_int_grid, allow_hyphen_values = true, help_heading = "Grid")]
    pub cooldown: Option<IntGrid>,
    /// LR floors: list or range with a step [default: 0]
    #[arg(long, value_name = "LIST", value_parser = parse_float_grid, allow_hyphen_values = true, help_heading = "Grid")]
    pub min_lr: Option<FloatGrid>,
    /// Keras flavors only: absolute improvements needed [default: 0.0001]
    #[arg(long, value_name = "LIST", value_parser = parse_float_grid, allow_hyphen_values = true, help_heading = "Grid")]
    pub min_delta: Option<FloatGrid>,
    /// torch only: improvement thresholds [default: 0.0001]
    #[arg(long, value_name = "LIST", value_parser = parse_float_grid, allow_hyphen_values = true, help_heading = "Grid")]
    pub threshold: Option<FloatGrid>,
    /// torch only: rel and/or abs, comma-separated [default: rel]
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        help_heading = "Grid"
    )]
    pub threshold_mode: Vec<String>,
    /// torch only: smallest LR changes applied [default: 1e-8]
    #[arg(long, value_name = "LIST", value_parser = parse_float_grid, allow_hyphen_values = true, help_heading = "Grid")]
    pub eps: Option<FloatGrid>,
    /// Replay only the settings k with k mod n = i (0-based i), for n independent jobs
    #[arg(long, value_name = "I/N", value_parser = parse_shard, help_heading = "Run")]
    pub shard: Option<Shard>,
    /// Worker threads [default: the available cores]
    #[arg(long, value_parser = crate::parse::positive_usize, help_heading = "Run")]
    pub threads: Option<usize>,
    /// Settings (indices) to overlay instead of the top rows, comma-separated
    #[arg(
        long,
        value_name = "INDICES",
        value_delimiter = ',',
        help_heading = "Output"
    )]
    pub show: Vec<u64>,
    /// Output options.
    #[command(flatten)]
    pub output: SweepOutputArgs,
}

/// `lrviz sweep` subcommands.
#[derive(Subcommand, Debug, Clone)]
pub enum SweepAction {
    /// Combine the outputs (CSV or JSON) of `lrviz sweep --shard i/n` into the table of the whole grid.
    ///
    /// Refuses files from different grids, a shard given twice, missing shards and incomplete
    /// files. The output is what one unsharded run prints and writes (the overlay chart needs
    /// the log: draw it with `lrviz sweep LOG <same grid> --show ...`).
    Merge(MergeArgs),
}

/// `lrviz sweep merge` flags.
#[derive(Args, Debug, Clone)]
pub struct MergeArgs {
    /// Shard outputs: sweep.csv / sweep.json files written by `lrviz sweep --shard i/n`
    #[arg(required = true, num_args = 1..)]
    pub files: Vec<PathBuf>,
    /// Output options.
    #[command(flatten)]
    pub output: SweepOutputArgs,
}

/// Output flags shared by `sweep` and `sweep merge`.
#[derive(Args, Debug, Clone)]
pub struct SweepOutputArgs {
    /// Sort rows by (ties in grid order; first/last: no reduction counts as latest)
    #[arg(long, value_enum, default_value = "index", help_heading = "Output")]
    pub sort: SortKey,
    /// Sort in decreasing order
    #[arg(long, help_heading = "Output")]
    pub desc: bool,
    /// Rows to print, and settings to overlay [default: table 20 rows, csv/json all, overlay 5]
    #[arg(long, value_name = "N", help_heading = "Output")]
    pub top: Option<usize>,
    /// Output format
    #[arg(long, value_enum, default_value = "table", help_heading = "Output")]
    pub format: SweepFormat,
    /// Write sweep.csv, sweep.json, sweep_overlay.png/.svg, sweep_heatmap.png/.svg here (a shard
    /// writes sweep.shard-I-of-N.csv/.json only)
    #[arg(long, help_heading = "Output")]
    pub out: Option<PathBuf>,
    /// The number the heat map shows
    #[arg(
        long,
        value_enum,
        default_value = "reductions",
        help_heading = "Output"
    )]
    pub heatmap_value: HeatValue,
    /// The heat map's two parameters, x,y (e.g. patience,factor) [default: the first two swept
    /// with more than one value]; the other parameters are held at the top row's values
    #[arg(long, value_name = "X,Y", value_parser = parse_axes, help_heading = "Output")]
    pub heatmap_axes: Option<Axes>,
}

/// Output format of `sweep` and `sweep merge`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SweepFormat {
    /// A text table (--top rows, 20 by default)
    Table,
    /// One JSON object: {"lrviz_sweep": 1, "meta": {...}, "rows": [...]}
    Json,
    /// CSV, one row per setting, after a `# lrviz-sweep {...}` line
    Csv,
}

/// The number a heat map shows.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeatValue {
    /// Number of reductions
    Reductions,
    /// Epoch of the first reduction (grey: none)
    First,
    /// Epoch of the last reduction (grey: none)
    Last,
    /// LR after the last epoch
    FinalLr,
}

impl From<HeatValue> for SortKey {
    fn from(v: HeatValue) -> Self {
        match v {
            HeatValue::Reductions => SortKey::Reductions,
            HeatValue::First => SortKey::First,
            HeatValue::Last => SortKey::Last,
            HeatValue::FinalLr => SortKey::FinalLr,
        }
    }
}

/// A sort key.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    /// Grid order
    Index,
    /// Number of reductions
    Reductions,
    /// Epoch of the first reduction
    First,
    /// Epoch of the last reduction
    Last,
    /// LR after the last epoch
    FinalLr,
}

impl SortKey {
    fn describe(self) -> &'static str {
        match self {
            SortKey::Index => "grid index",
            SortKey::Reductions => "reductions",
            SortKey::First => "first reduction (end of epoch)",
            SortKey::Last => "last reduction (end of epoch)",
            SortKey::FinalLr => "final LR",
        }
    }
}

/// Integer grid values, in the order given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntGrid(pub Vec<i64>);

/// Float grid values, in the order given.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatGrid(pub Vec<f64>);

/// `--shard i/n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 0-based shard index.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
}

/// `--heatmap-axes x,y`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Axes(pub Param, pub Param);

/// A grid parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Param {
    /// `--flavor`
    Flavor,
    /// `--factor`
    Factor,
    /// `--patience`
    Patience,
    /// `--cooldown`
    Cooldown,
    /// `--min-lr`
    MinLr,
    /// `--min-delta`
    MinDelta,
    /// `--threshold`
    Threshold,
    /// `--threshold-mode`
    ThresholdMode,
    /// `--eps`
    Eps,
}

impl Param {
    /// All parameters in grid order.
    pub const ALL: [Param; 9] = [
        Param::Flavor,
        Param::Factor,
        Param::Patience,
        Param::Cooldown,
        Param::MinLr,
        Param::MinDelta,
        Param::Threshold,
        Param::ThresholdMode,
        Param::Eps,
    ];

    /// The column name (`min_lr`).
    pub fn name(self) -> &'static str {
        match self {
            Param::Flavor => "flavor",
            Param::Factor => "factor",
            Param::Patience => "patience",
            Param::Cooldown => "cooldown",
            Param::MinLr => "min_lr",
            Param::MinDelta => "min_delta",
            Param::Threshold => "threshold",
            Param::ThresholdMode => "threshold_mode",
            Param::Eps => "eps",
        }
    }

    /// The value of this parameter in `row`, as text; `None` where it does not apply.
    pub fn text(self, row: &SweepRow) -> Option<String> {
        let f = |v: f64| python_float_repr(v);
        match self {
            Param::Flavor => Some(row.flavor.name().to_string()),
            Param::Factor => Some(f(row.factor)),
            Param::Patience => Some(row.patience.to_string()),
            Param::Cooldown => Some(row.cooldown.to_string()),
            Param::MinLr => Some(f(row.min_lr)),
            Param::MinDelta => row.min_delta.map(f),
            Param::Threshold => row.threshold.map(f),
            Param::ThresholdMode => row.threshold_mode.map(|m| m.to_string()),
            Param::Eps => row.eps.map(f),
        }
    }
}

fn parse_param(s: &str) -> Result<Param, String> {
    let t = s.trim().to_ascii_lowercase().replace('-', "_");
    Param::ALL
        .into_iter()
        .find(|p| p.name() == t)
        .ok_or_else(|| {
            format!(
                "{s:?} is not a grid parameter; use two of: {}",
                Param::ALL.map(Param::name).join(", ")
            )
        })
}

/// Parses `--heatmap-axes x,y`.
pub fn parse_axes(s: &str) -> Result<Axes, String> {
    let parts: Vec<&str> = s.split(',').collect();
    let [x, y] = parts[..] else {
        return Err(format!(
            "{s:?} is not two parameters: give x,y such as patience,factor"
        ));
    };
    let (x, y) = (parse_param(x)?, parse_param(y)?);
    if x == y {
        return Err(format!(
            "{s:?} names {} twice: give two different parameters",
            x.name()
        ));
    }
    Ok(Axes(x, y))
}

/// Parses `--shard i/n` (0-based i < n).
pub fn parse_shard(s: &str) -> Result<Shard, String> {
    let bad = || format!("{s:?} is not a shard: give i/n with 0 <= i < n, e.g. 0/4");
    let (i, n) = s.trim().split_once('/').ok_or_else(bad)?;
    let index: u64 = i.trim().parse().map_err(|_| bad())?;
    let count: u64 = n.trim().parse().map_err(|_| bad())?;
    if count == 0 || index >= count {
        return Err(format!(
            "shard {index}/{count} does not exist: shards are numbered 0 to n-1 (0/{} ... {}/{})",
            count.max(1),
            count.max(1) - 1,
            count.max(1)
        ));
    }
    Ok(Shard { index, count })
}

fn no_duplicates<T: PartialEq + std::fmt::Display>(values: &[T]) -> Result<(), String> {
    for (i, v) in values.iter().enumerate() {
        if values[..i].contains(v) {
            return Err(format!("{v} is listed twice; give each value once"));
        }
    }
    Ok(())
}

fn empty_entry(s: &str) -> String {
    format!("{s:?} has an empty entry; give values like 2,3,5 or a range like 2..10")
}

/// Parses an integer grid: `3`, `2,3,5`, `2..10` (inclusive), `2..10:2`, mixed with commas.
pub fn parse_int_grid(s: &str) -> Result<IntGrid, String> {
    let mut out = Vec::new();
    for item in s.split(',') {
        let item = item.trim();
        if item.is_empty() {
            return Err(empty_entry(s));
        }
        let int = |t: &str| -> Result<i64, String> {
            t.trim()
                .parse::<i64>()
                .map_err(|_| format!("{t:?} is not a whole number (in {item:?})"))
        };
        match item.split_once("..") {
            None => out.push(int(item)?),
            Some((a, rest)) => {
                let (b, step) = match rest.split_once(':') {
                    None => (rest, 1),
                    Some((b, st)) => {
                        let step: i64 =
                            st.trim().parse().ok().filter(|v| *v >= 1).ok_or_else(|| {
                                format!("step {st:?} in {item:?} is not a whole number >= 1")
                            })?;
                        (b, step)
                    }
                };
                let (a, b) = (int(a)?, int(b)?);
                if a > b {
                    return Err(format!(
                        "range {item:?} is empty: its start is above its end (ranges are inclusive: 2..10 is 2, 3, ..., 10)"
                    ));
                }
                let n = ((b as i128 - a as i128) / step as i128) as u64 + 1;
                if n > MAX_AXIS {
                    return Err(format!(
                        "range {item:?} has {n} values; at most {MAX_AXIS} per parameter"
                    ));
                }
                let mut v = a;
                while v <= b {
                    out.push(v);
                    match v.checked_add(step) {
                        Some(next) => v = next,
                        None => break,
                    }
                }
            }
        }
    }
    no_duplicates(&out)?;
    Ok(IntGrid(out))
}

/// Rounds a computed range value to 12 significant digits, so 0.1 + 2 × 0.1 is 0.3.
fn tidy(v: f64) -> f64 {
    format!("{v:.11e}").parse().unwrap_or(v)
}

/// Parses a float grid: `0.5`, `0.1,0.2,0.5`, `0.1..0.5:0.1` (inclusive, a step is required).
pub fn parse_float_grid(s: &str) -> Result<FloatGrid, String> {
    let mut out = Vec::new();
    for item in s.split(',') {
        let item = item.trim();
        if item.is_empty() {
            return Err(empty_entry(s));
        }
        let num = |t: &str| -> Result<f64, String> {
            let v: f64 = t
                .trim()
                .parse()
                .map_err(|_| format!("{t:?} is not a number (in {item:?})"))?;
            if v.is_finite() {
                Ok(v)
            } else {
                Err(format!("{t} is not finite: give a finite number"))
            }
        };
        match item.split_once("..") {
            None => out.push(num(item)?),
            Some((a, rest)) => {
                let Some((b, st)) = rest.split_once(':') else {
                    return Err(format!(
                        "the range {item:?} needs a step for decimal values: {item}:STEP, e.g. 0.1..0.5:0.1"
                    ));
                };
                let (a, b, step) = (num(a)?, num(b)?, num(st)?);
                if step <= 0.0 {
                    return Err(format!("step {st:?} in {item:?} must be > 0"));
                }
                if a > b {
                    return Err(format!(
                        "range {item:?} is empty: its start is above its end (ranges are inclusive)"
                    ));
                }
                let span = (b - a) / step;
                if span + 1.0 > MAX_AXIS as f64 {
                    return Err(format!(
                        "range {item:?} has about {} values; at most {MAX_AXIS} per parameter",
                        span.floor() + 1.0
                    ));
                }
                // Inclusive of the end up to rounding: 0.1..0.3:0.1 gives 0.1, 0.2, 0.3.
                let n = (span + 1e-9).floor() as u64;
                for k in 0..=n {
                    out.push(tidy(a + k as f64 * step));
                }
            }
        }
    }
    no_duplicates(&out)?;
    Ok(FloatGrid(out))
}

/// The grid of settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    /// The monitored metric's name.
    pub monitor: String,
    /// `--mode`, when given (else each flavor's default).
    pub mode: Option<Mode>,
    /// Flavors, in order.
    pub flavors: Vec<Flavor>,
    /// Factors.
    pub factor: Vec<f64>,
    /// Patience values.
    pub patience: Vec<i64>,
    /// Cooldown values.
    pub cooldown: Vec<i64>,
    /// LR floors.
    pub min_lr: Vec<f64>,
    /// Keras flavors' min_delta values.
    pub min_delta: Vec<f64>,
    /// torch thresholds.
    pub threshold: Vec<f64>,
    /// torch threshold modes.
    pub threshold_mode: Vec<ThresholdMode>,
    /// torch eps values.
    pub eps: Vec<f64>,
}

/// One setting of the grid, and what its replay decided.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepRow {
    /// Position in the grid (0-based).
    pub index: u64,
    /// Flavor.
    pub flavor: Flavor,
    /// Factor.
    pub factor: f64,
    /// Patience.
    pub patience: i64,
    /// Cooldown.
    pub cooldown: i64,
    /// LR floor.
    pub min_lr: f64,
    /// min_delta (Keras flavors).
    pub min_delta: Option<f64>,
    /// threshold (torch).
    pub threshold: Option<f64>,
    /// threshold_mode (torch).
    pub threshold_mode: Option<ThresholdMode>,
    /// eps (torch).
    pub eps: Option<f64>,
    /// Number of reductions.
    pub reductions: u32,
    /// The first epoch at whose end the LR was lowered.
    pub first_reduction: Option<u64>,
    /// The LR after the last epoch, as the flavor holds it.
    pub final_lr: f64,
    /// Every epoch at whose end the LR was lowered (0-based, positions in the series).
    pub reduced_at: Vec<u64>,
}

impl SweepRow {
    /// The plateau settings of this row for `monitor` / `mode`.
    pub fn config(&self, monitor: &str, mode: Option<Mode>) -> PlateauConfig {
        let mut c = PlateauConfig::defaults(self.flavor);
        c.monitor = monitor.to_string();
        if let Some(m) = mode {
            c.mode = m;
        }
        c.factor = self.factor;
        c.patience = self.patience;
        c.cooldown = self.cooldown;
        c.min_lr = self.min_lr;
        if let Some(v) = self.min_delta {
            c.min_delta = v;
        }
        if let Some(v) = self.threshold {
            c.threshold = v;
        }
        if let Some(v) = self.threshold_mode {
            c.threshold_mode = v;
        }
        if let Some(v) = self.eps {
            c.eps = v;
        }
        c
    }

    fn key(&self, key: SortKey) -> f64 {
        let late = |e: Option<u64>| e.map_or(f64::INFINITY, |e| e as f64);
        match key {
            SortKey::Index => self.index as f64,
            SortKey::Reductions => f64::from(self.reductions),
            SortKey::First => late(self.first_reduction),
            SortKey::Last => late(self.reduced_at.last().copied()),
            SortKey::FinalLr => self.final_lr,
        }
    }

    /// The heat map value: NaN for "no reduction" under first/last.
    fn heat(&self, key: SortKey) -> f64 {
        match self.key(key) {
            v if v.is_infinite() => f64::NAN,
            v => v,
        }
    }
}

fn flag_of(p: Param) -> &'static str {
    match p {
        Param::Flavor => "--flavor",
        Param::Factor => "--factor",
        Param::Patience => "--patience",
        Param::Cooldown => "--cooldown",
        Param::MinLr => "--min-lr",
        Param::MinDelta => "--min-delta",
        Param::Threshold => "--threshold",
        Param::ThresholdMode => "--threshold-mode",
        Param::Eps => "--eps",
    }
}

impl Grid {
    /// Builds the grid from the flags, checking every value against each flavor's rules; every
    /// refusal is a usage error naming the flag.
    pub fn from_args(a: &SweepArgs) -> Result<Grid> {
        let flavors: Vec<Flavor> = if a.flavor.is_empty() {
            vec![Flavor::Keras]
        } else {
            a.flavor.iter().map(|&f| f.into()).collect()
        };
        no_duplicates(&flavors).map_err(|e| usage(format!("invalid --flavor: {e}")))?;
        crate::plateau::refuse_foreign_flags(
            &flavors,
            "--flavor",
            crate::plateau::FlavorFlags {
                min_delta: a.min_delta.is_some(),
                threshold: a.threshold.is_some(),
                threshold_mode: !a.threshold_mode.is_empty(),
                eps: a.eps.is_some(),
            },
        )?;
        if a.monitor.trim().is_empty() {
            return Err(usage(
                "--monitor is empty: give a metric name such as val_loss",
            ));
        }
        let mode = a
            .mode
            .as_deref()
            .map(|m| {
                m.parse::<Mode>()
                    .map_err(|e| usage(format!("invalid --mode {m:?}: {e}")))
            })
            .transpose()?;
        let k = PlateauConfig::keras();
        let t = PlateauConfig::torch();
        let threshold_mode = if a.threshold_mode.is_empty() {
            vec![t.threshold_mode]
        } else {
            let modes = a
                .threshold_mode
                .iter()
                .map(|m| {
                    m.parse::<ThresholdMode>()
                        .map_err(|e| usage(format!("invalid --threshold-mode {m:?}: {e}")))
                })
                .collect::<Result<Vec<_>>>()?;
            no_duplicates(&modes).map_err(|e| usage(format!("invalid --threshold-mode: {e}")))?;
            modes
        };
        let fl = |g: &Option<FloatGrid>, d: f64| g.as_ref().map_or(vec![d], |g| g.0.clone());
        let int = |g: &Option<IntGrid>, d: i64| g.as_ref().map_or(vec![d], |g| g.0.clone());
        let grid = Grid {
            monitor: a.monitor.clone(),
            mode,
            flavors,
            factor: fl(&a.factor, k.factor),
            patience: int(&a.patience, k.patience),
            cooldown: int(&a.cooldown, k.cooldown),
            min_lr: fl(&a.min_lr, k.min_lr),
            min_delta: fl(&a.min_delta, k.min_delta),
            threshold: fl(&a.threshold, t.threshold),
            threshold_mode,
            eps: fl(&a.eps, t.eps),
        };
        grid.validate()?;
        Ok(grid)
    }

    /// Checks each value of each parameter (for each flavor it applies to) and each flavor's
    /// direction; parameters are independent, so then every setting is valid.
    pub fn validate(&self) -> Result<()> {
        for &flavor in &self.flavors {
            let base = {
                let mut c = PlateauConfig::defaults(flavor);
                c.monitor = self.monitor.clone();
                if let Some(m) = self.mode {
                    c.mode = m;
                }
                c
            };
            base.validate().map_err(|e| {
                usage(format!(
                    "invalid --monitor/--mode for --flavor {flavor}: {e}"
                ))
            })?;
            let check = |p: Param, text: String, set: &dyn Fn(&mut PlateauConfig)| -> Result<()> {
                let mut c = base.clone();
                set(&mut c);
                c.validate().map_err(|e| {
                    usage(format!(
                        "invalid {} value {text} for --flavor {flavor}: {e}",
                        flag_of(p)
                    ))
                })
            };
            let r = python_float_repr;
            for &v in &self.factor {
                check(Param::Factor, r(v), &|c| c.factor = v)?;
            }
            for &v in &self.patience {
                check(Param::Patience, v.to_string(), &|c| c.patience = v)?;
            }
            for &v in &self.cooldown {
                check(Param::Cooldown, v.to_string(), &|c| c.cooldown = v)?;
            }
            for &v in &self.min_lr {
                check(Param::MinLr, r(v), &|c| c.min_lr = v)?;
            }
            if flavor.is_keras() {
                for &v in &self.min_delta {
                    check(Param::MinDelta, r(v), &|c| c.min_delta = v)?;
                }
            } else {
                for &v in &self.threshold {
                    check(Param::Threshold, r(v), &|c| c.threshold = v)?;
                }
                for &v in &self.eps {
                    check(Param::Eps, r(v), &|c| c.eps = v)?;
                }
            }
        }
        Ok(())
    }

    fn common(&self) -> u128 {
        [
            self.factor.len(),
            self.patience.len(),
            self.cooldown.len(),
            self.min_lr.len(),
        ]
        .iter()
        .map(|&n| n as u128)
        .product()
    }

    fn specific(&self, flavor: Flavor) -> u128 {
        if flavor.is_keras() {
            self.min_delta.len() as u128
        } else {
            (self.threshold.len() * self.threshold_mode.len() * self.eps.len()) as u128
        }
    }

    /// Number of settings (saturating at `u64::MAX`).
    pub fn len(&self) -> u64 {
        let n: u128 = self
            .flavors
            .iter()
            .map(|&f| self.common() * self.specific(f))
            .sum();
        u64::try_from(n).unwrap_or(u64::MAX)
    }

    /// True when the grid has no setting (never, once built from flags).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Setting `k` (0-based, `k < len()`), with no outcome yet.
    pub fn setting(&self, k: u64) -> SweepRow {
        let mut rest = u128::from(k);
        let mut flavor = self.flavors[0];
        for &f in &self.flavors {
            let n = self.common() * self.specific(f);
            flavor = f;
            if rest < n {
                break;
            }
            rest -= n;
        }
        // Mixed radix, the last parameter varying fastest.
        let mut digit = |len: usize| {
            let d = (rest % len as u128) as usize;
            rest /= len as u128;
            d
        };
        let (mut min_delta, mut threshold, mut threshold_mode, mut eps) = (None, None, None, None);
        if flavor.is_keras() {
            min_delta = Some(self.min_delta[digit(self.min_delta.len())]);
        } else {
            eps = Some(self.eps[digit(self.eps.len())]);
            threshold_mode = Some(self.threshold_mode[digit(self.threshold_mode.len())]);
            threshold = Some(self.threshold[digit(self.threshold.len())]);
        }
        let min_lr = self.min_lr[digit(self.min_lr.len())];
        let cooldown = self.cooldown[digit(self.cooldown.len())];
        let patience = self.patience[digit(self.patience.len())];
        let factor = self.factor[digit(self.factor.len())];
        SweepRow {
            index: k,
            flavor,
            factor,
            patience,
            cooldown,
            min_lr,
            min_delta,
            threshold,
            threshold_mode,
            eps,
            reductions: 0,
            first_reduction: None,
            final_lr: f64::NAN,
            reduced_at: Vec::new(),
        }
    }

    /// The parameters with more than one value, in grid order.
    pub fn swept(&self) -> Vec<Param> {
        let keras = self.flavors.iter().any(|f| f.is_keras());
        let torch = self.flavors.contains(&Flavor::Torch);
        Param::ALL
            .into_iter()
            .filter(|p| match p {
                Param::Flavor => self.flavors.len() > 1,
                Param::Factor => self.factor.len() > 1,
                Param::Patience => self.patience.len() > 1,
                Param::Cooldown => self.cooldown.len() > 1,
                Param::MinLr => self.min_lr.len() > 1,
                Param::MinDelta => keras && self.min_delta.len() > 1,
                Param::Threshold => torch && self.threshold.len() > 1,
                Param::ThresholdMode => torch && self.threshold_mode.len() > 1,
                Param::Eps => torch && self.eps.len() > 1,
            })
            .collect()
    }

    /// A hash of everything that decides the rows: the series, the initial LR, the monitor,
    /// the mode and every grid value, in order (FNV-1a, 64 bits, as 16 hex digits).
    pub fn fingerprint(&self, initial_lr: f64, series: &[f64]) -> String {
        let mut h = Fnv::new();
        h.text("lrviz-sweep-grid-v1");
        h.text(&self.monitor);
        h.text(&self.mode.map_or("default".into(), |m| m.to_string()));
        h.u64(initial_lr.to_bits());
        h.u64(series.len() as u64);
        for v in series {
            h.u64(v.to_bits());
        }
        for f in &self.flavors {
            h.text(f.name());
        }
        for (name, values) in [
            ("factor", &self.factor),
            ("min_lr", &self.min_lr),
            ("min_delta", &self.min_delta),
            ("threshold", &self.threshold),
            ("eps", &self.eps),
        ] {
            h.text(name);
            h.u64(values.len() as u64);
            for v in values {
                h.u64(v.to_bits());
            }
        }
        for (name, values) in [("patience", &self.patience), ("cooldown", &self.cooldown)] {
            h.text(name);
            h.u64(values.len() as u64);
            for v in values {
                h.u64(*v as u64);
            }
        }
        h.text("threshold_mode");
        for m in &self.threshold_mode {
            h.text(&m.to_string());
        }
        format!("{:016x}", h.0)
    }
}

/// FNV-1a 64: a tiny stable hash (the standard library's is not stable across releases).
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= u64::from(x);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }
    fn text(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.bytes(s.as_bytes());
    }
}

/// Replays the settings `shard` selects (all of them with `None`) on `series`, on a local
/// pool of `threads` threads. Rows come back in index order whatever the thread count.
pub fn run_grid(
    grid: &Grid,
    initial_lr: f64,
    series: &[f64],
    shard: Option<Shard>,
    threads: usize,
) -> Result<Vec<SweepRow>> {
    let Shard { index, count } = shard.unwrap_or(Shard { index: 0, count: 1 });
    let total = grid.len();
    let n = shard_len(total, index, count);
    if n > MAX_ROWS {
        return Err(usage(format!(
            "the grid has {total} settings{}; one process replays at most {MAX_ROWS}: split it with --shard i/n, n >= {}",
            if count > 1 { format!(" ({n} in this shard)") } else { String::new() },
            total.div_ceil(MAX_ROWS)
        )));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .context("cannot start the worker threads")?;
    pool.install(|| {
        (0..n)
            .into_par_iter()
            .map(|j| {
                let mut row = grid.setting(index + j * count);
                let config = row.config(&grid.monitor, grid.mode);
                let s = replay_summary(&config, initial_lr, series)
                    .map_err(|e| usage(format!("invalid setting #{}: {e}", row.index)))?;
                row.reductions = s.reductions;
                row.first_reduction = s.first_reduction;
                row.final_lr = s.final_lr;
                row.reduced_at = s.reduced_at;
                Ok(row)
            })
            .collect()
    })
}

/// How many of `total` settings shard `index` of `count` holds.
pub fn shard_len(total: u64, index: u64, count: u64) -> u64 {
    if index >= total {
        0
    } else {
        (total - index).div_ceil(count)
    }
}

/// What a sweep output file says about where its rows come from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepMeta {
    /// The grid fingerprint ([`Grid::fingerprint`]).
    pub grid: String,
    /// Settings in the whole grid.
    pub total: u64,
    /// This file's shard (0-based).
    pub shard: u64,
    /// Number of shards (1: the whole grid).
    pub shards: u64,
    /// The replayed metric.
    pub monitor: String,
    /// `--mode` when given.
    pub mode: Option<String>,
    /// The LR before epoch 0.
    pub initial_lr: f64,
    /// Epochs in the series.
    pub epochs: u64,
    /// The log.
    pub source: String,
}

#[derive(Serialize, Deserialize)]
struct SweepJson {
    lrviz_sweep: u32,
    meta: SweepMeta,
    rows: Vec<SweepRow>,
}

const CSV_HEADER: &str = "index,flavor,factor,patience,cooldown,min_lr,min_delta,threshold,threshold_mode,eps,reductions,first_reduction,final_lr,reduced_at";
const META_PREFIX: &str = "# lrviz-sweep ";

/// The CSV of `rows`: a `# lrviz-sweep {json}` line with the [`SweepMeta`], then the header
/// and one row per setting; `reduced_at` is space-separated; empty cells where a parameter does
/// not apply. Numbers in shortest round-trip form.
pub fn to_csv(meta: &SweepMeta, rows: &[SweepRow]) -> Result<String> {
    let mut s = format!(
        "{META_PREFIX}{}\n{CSV_HEADER}\n",
        serde_json::to_string(&SweepJsonMeta::from(meta)).context("cannot encode JSON")?
    );
    let r = python_float_repr;
    let o = |v: Option<f64>| v.map_or(String::new(), r);
    for row in rows {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            row.index,
            row.flavor,
            r(row.factor),
            row.patience,
            row.cooldown,
            r(row.min_lr),
            o(row.min_delta),
            o(row.threshold),
            row.threshold_mode.map_or(String::new(), |m| m.to_string()),
            o(row.eps),
            row.reductions,
            row.first_reduction.map_or(String::new(), |e| e.to_string()),
            r(row.final_lr),
            row.reduced_at
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    Ok(s)
}

/// The meta line of a CSV: a version plus the [`SweepMeta`].
#[derive(Serialize, Deserialize)]
struct SweepJsonMeta {
    lrviz_sweep: u32,
    #[serde(flatten)]
    meta: SweepMeta,
}

impl From<&SweepMeta> for SweepJsonMeta {
    fn from(m: &SweepMeta) -> Self {
        SweepJsonMeta {
            lrviz_sweep: SWEEP_FILE_VERSION,
            meta: m.clone(),
        }
    }
}

/// The JSON of `rows`: `{"lrviz_sweep": 1, "meta": {...}, "rows": [...]}`.
pub fn to_json(meta: &SweepMeta, rows: &[SweepRow]) -> Result<String> {
    let doc = SweepJson {
        lrviz_sweep: SWEEP_FILE_VERSION,
        meta: meta.clone(),
        rows: rows.to_vec(),
    };
    let mut s = serde_json::to_string_pretty(&doc).context("cannot encode JSON")?;
    s.push('\n');
    Ok(s)
}

/// Reads a sweep output (CSV or JSON, told apart by the first character).
pub fn read_sweep_file(path: &Path) -> Result<(SweepMeta, Vec<SweepRow>)> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {name}"))?;
    let not_sweep = || {
        anyhow::anyhow!(
            "{name}: not an lrviz sweep output (CSV starting with `{}` or JSON with \"lrviz_sweep\"); give files written by `lrviz sweep --format csv|json` or its --out",
            META_PREFIX.trim_end()
        )
    };
    if text.trim_start().starts_with('{') {
        let doc: SweepJson = serde_json::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "{name}:{}:{}: not an lrviz sweep JSON: {e}",
                e.line(),
                e.column()
            )
        })?;
        check_version(&name, doc.lrviz_sweep)?;
        return Ok((doc.meta, doc.rows));
    }
    // lrviz ends every CSV it writes with a newline: a file without one was cut off.
    if !text.ends_with('\n') {
        anyhow::bail!(
            "{name}: the file ends in the middle of a line (truncated?): rerun that shard"
        );
    }
    let mut lines = text.lines().enumerate();
    let (_, first) = lines.next().ok_or_else(not_sweep)?;
    let meta_json = first.strip_prefix(META_PREFIX).ok_or_else(not_sweep)?;
    let m: SweepJsonMeta = serde_json::from_str(meta_json)
        .map_err(|e| anyhow::anyhow!("{name}:1: the `# lrviz-sweep` line is not valid: {e}"))?;
    check_version(&name, m.lrviz_sweep)?;
    match lines.next() {
        Some((_, h)) if h.trim_end() == CSV_HEADER => {}
        _ => anyhow::bail!("{name}:2: expected the header `{CSV_HEADER}`"),
    }
    let mut rows = Vec::new();
    for (i, line) in lines {
        let line_no = i + 1;
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            continue;
        }
        rows.push(parse_csv_row(line).map_err(|e| anyhow::anyhow!("{name}:{line_no}: {e}"))?);
    }
    Ok((m.meta, rows))
}

fn check_version(name: &str, v: u32) -> Result<()> {
    if v != SWEEP_FILE_VERSION {
        anyhow::bail!(
            "{name}: written by another lrviz (sweep file version {v}); this lrviz reads version {SWEEP_FILE_VERSION}"
        );
    }
    Ok(())
}

fn parse_csv_row(line: &str) -> std::result::Result<SweepRow, String> {
    let cols: Vec<&str> = line.split(',').collect();
    let names: Vec<&str> = CSV_HEADER.split(',').collect();
    if cols.len() != names.len() {
        return Err(format!(
            "row has {} fields, expected {} as in the header",
            cols.len(),
            names.len()
        ));
    }
    let bad = |j: usize| format!("column `{}`: `{}` is not valid", names[j], cols[j]);
    let f = |j: usize| cols[j].parse::<f64>().map_err(|_| bad(j));
    let of = |j: usize| {
        if cols[j].is_empty() {
            Ok(None)
        } else {
            f(j).map(Some)
        }
    };
    let u = |j: usize| cols[j].parse::<u64>().map_err(|_| bad(j));
    let i = |j: usize| cols[j].parse::<i64>().map_err(|_| bad(j));
    let row = SweepRow {
        index: u(0)?,
        flavor: cols[1].parse().map_err(|_| bad(1))?,
        factor: f(2)?,
        patience: i(3)?,
        cooldown: i(4)?,
        min_lr: f(5)?,
        min_delta: of(6)?,
        threshold: of(7)?,
        threshold_mode: if cols[8].is_empty() {
            None
        } else {
            Some(cols[8].parse().map_err(|_| bad(8))?)
        },
        eps: of(9)?,
        reductions: cols[10].parse().map_err(|_| bad(10))?,
        first_reduction: if cols[11].is_empty() {
            None
        } else {
            Some(u(11)?)
        },
        final_lr: f(12)?,
        reduced_at: cols[13]
            .split_whitespace()
            .map(|t| t.parse::<u64>().map_err(|_| bad(13)))
            .collect::<std::result::Result<_, _>>()?,
    };
    if row.reduced_at.len() != row.reductions as usize
        || row.first_reduction != row.reduced_at.first().copied()
    {
        return Err(format!(
            "`reductions` {} and `first_reduction` do not agree with `reduced_at` ({} epochs): the row was altered or cut",
            row.reductions,
            row.reduced_at.len()
        ));
    }
    Ok(row)
}

/// Combines shard outputs into the whole grid's rows (index order), checking that they are
/// the shards of one sweep, each once and complete.
pub fn merge_files(files: &[PathBuf]) -> Result<(SweepMeta, Vec<SweepRow>)> {
    let mut parts = Vec::new();
    for f in files {
        let (meta, rows) = read_sweep_file(f)?;
        parts.push((f.display().to_string(), meta, rows));
    }
    let (first_name, first, _) = &parts[0];
    for (name, m, _) in &parts[1..] {
        if m.grid != first.grid || m.total != first.total {
            anyhow::bail!(
                "{name} comes from another sweep (grid {}, {} settings) than {first_name} (grid {}, {} settings): merge the shards of one sweep only (same log, --lr, --monitor and grid flags)",
                m.grid,
                m.total,
                first.grid,
                first.total
            );
        }
        if m.shards != first.shards {
            anyhow::bail!(
                "{name} is shard {}/{} but {first_name} is shard {}/{}: all shards of a sweep use the same n",
                m.shard,
                m.shards,
                first.shard,
                first.shards
            );
        }
    }
    let n = first.shards;
    let mut by_shard: BTreeMap<u64, &str> = BTreeMap::new();
    for (name, m, _) in &parts {
        if m.shard >= n {
            anyhow::bail!("{name}: shard {}/{n} does not exist", m.shard);
        }
        if let Some(other) = by_shard.insert(m.shard, name) {
            anyhow::bail!(
                "shard {}/{n} is given twice: {other} and {name}; give each shard's file once",
                m.shard
            );
        }
    }
    let missing: Vec<String> = (0..n)
        .filter(|i| !by_shard.contains_key(i))
        .map(|i| i.to_string())
        .collect();
    if !missing.is_empty() {
        anyhow::bail!(
            "missing shard(s) {} of {n} ({} of {n} given): run `lrviz sweep ... --shard i/{n}` for each and give all n files",
            missing.join(", "),
            by_shard.len()
        );
    }
    // `total` comes from the files: never trust it for an allocation.
    let mut rows = Vec::with_capacity(usize::try_from(first.total.min(MAX_ROWS)).unwrap_or(0));
    for (name, m, part) in &parts {
        let expected = shard_len(m.total, m.shard, n);
        let mut seen = std::collections::BTreeSet::new();
        for r in part {
            if r.index >= m.total || r.index % n != m.shard {
                anyhow::bail!(
                    "{name}: row {} does not belong to shard {}/{n} of {} settings (the file was edited or mixed up)",
                    r.index,
                    m.shard,
                    m.total
                );
            }
            if !seen.insert(r.index) {
                anyhow::bail!("{name}: setting {} appears twice", r.index);
            }
        }
        if part.len() as u64 != expected {
            anyhow::bail!(
                "{name} (shard {}/{n}) has {} rows, expected {expected}: a truncated file, or one written with --top?",
                m.shard,
                part.len()
            );
        }
    }
    let mut meta = first.clone();
    meta.shard = 0;
    meta.shards = 1;
    for (_, _, part) in parts {
        rows.extend(part);
    }
    rows.sort_by_key(|r| r.index);
    Ok((meta, rows))
}

/// Sorts rows by `key` (ties in index order).
pub fn sort_rows(rows: &mut [SweepRow], key: SortKey, desc: bool) {
    rows.sort_by(|a, b| {
        let o = a.key(key).total_cmp(&b.key(key));
        let o = if desc { o.reverse() } else { o };
        o.then(a.index.cmp(&b.index))
    });
}

fn flavors_in(rows: &[SweepRow]) -> (bool, bool) {
    (
        rows.iter().any(|r| r.flavor.is_keras()),
        rows.iter().any(|r| r.flavor == Flavor::Torch),
    )
}

/// The text table of `rows` (already sorted and cut).
pub fn table(meta: &SweepMeta, rows: &[SweepRow], all: usize, sort: SortKey, desc: bool) -> String {
    let mut s = format!(
        "sweep of {} setting(s) on {} ({} epochs) of {}, initial LR {}{}\n",
        meta.total,
        meta.monitor,
        meta.epochs,
        meta.source,
        display_lr(meta.initial_lr),
        if meta.shards > 1 {
            format!(", shard {}/{} ({} rows)", meta.shard, meta.shards, all)
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        s,
        "sorted by {}{}; reductions are decided at the end of the epochs listed (0-based)",
        sort.describe(),
        if desc { ", decreasing" } else { "" }
    );
    let (keras, torch) = flavors_in(rows);
    let mut head = vec!["#", "flavor", "factor", "patience", "cooldown", "min_lr"];
    if keras {
        head.push("min_delta");
    }
    if torch {
        head.extend(["threshold", "t_mode", "eps"]);
    }
    head.extend(["reductions", "first", "final LR", "reduced at end of epoch"]);
    let r = python_float_repr;
    let o = |v: Option<f64>| v.map_or("-".to_string(), r);
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let mut c = vec![
                row.index.to_string(),
                row.flavor.to_string(),
                r(row.factor),
                row.patience.to_string(),
                row.cooldown.to_string(),
                r(row.min_lr),
            ];
            if keras {
                c.push(o(row.min_delta));
            }
            if torch {
                c.push(o(row.threshold));
                c.push(row.threshold_mode.map_or("-".into(), |m| m.to_string()));
                c.push(o(row.eps));
            }
            let list: Vec<String> = row.reduced_at.iter().map(u64::to_string).collect();
            let list = if list.len() > 12 {
                format!("{} ... ({} in all)", list[..12].join(" "), list.len())
            } else {
                list.join(" ")
            };
            c.extend([
                row.reductions.to_string(),
                row.first_reduction.map_or("-".into(), |e| e.to_string()),
                display_lr(row.final_lr),
                list,
            ]);
            c
        })
        .collect();
    let widths: Vec<usize> = (0..head.len())
        .map(|j| {
            body.iter()
                .map(|c| c[j].len())
                .chain([head[j].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let last = head.len() - 1;
    let left: Vec<bool> = head
        .iter()
        .map(|h| matches!(*h, "flavor" | "t_mode"))
        .collect();
    let line = |cells: &[String]| {
        let mut l = String::new();
        for (j, c) in cells.iter().enumerate() {
            if j > 0 {
                l.push_str("  ");
            }
            if j == last {
                l.push_str(c);
            } else if left[j] {
                let _ = write!(l, "{c:<w$}", w = widths[j]);
            } else {
                let _ = write!(l, "{c:>w$}", w = widths[j]);
            }
        }
        l.trim_end().to_string()
    };
    let head: Vec<String> = head.iter().map(|h| h.to_string()).collect();
    let _ = writeln!(s, "{}", line(&head));
    for c in &body {
        let _ = writeln!(s, "{}", line(c));
    }
    if rows.len() < all {
        let _ = writeln!(
            s,
            "... {} more row(s): --top N shows more, --format csv or --out all of them",
            all - rows.len()
        );
    }
    s
}

/// What the overlay chart needs besides the rows: the series and how it was replayed.
pub struct OverlayInput<'a> {
    /// The grid.
    pub grid: &'a Grid,
    /// The monitored values.
    pub series: &'a [f64],
}

/// Candidates scanned for distinct trajectories in an overlay of the top rows.
const OVERLAY_SCAN: usize = 200;

/// The overlay: the LR trajectories of up to `max` of `candidates` (in order, re-replayed with
/// the recording path) over the metric. Settings whose trajectory equals one already drawn
/// (e.g. Keras cooldown 0 and 1) are not drawn again: the drawn one's label lists them, and the
/// next candidate takes the free place.
pub fn overlay_spec(
    meta: &SweepMeta,
    input: &OverlayInput<'_>,
    candidates: &[SweepRow],
    max: usize,
    how: &str,
) -> Result<ChartSpec> {
    let swept = input.grid.swept();
    let values: Vec<Option<f64>> = input.series.iter().map(|&v| Some(v)).collect();
    let mut traces: Vec<(LrTrace, Vec<u64>)> = Vec::new();
    let mut chosen: Vec<&SweepRow> = Vec::new();
    for row in candidates.iter().take(OVERLAY_SCAN.max(max)) {
        let config = row.config(&input.grid.monitor, input.grid.mode);
        let rep = replay(&config, meta.initial_lr, &values)
            .map_err(|e| usage(format!("invalid setting #{}: {e}", row.index)))?;
        let lr: Vec<f64> = rep.decisions.iter().map(|d| d.lr_before).collect();
        let reductions: Vec<Reduction> = rep
            .decisions
            .iter()
            .filter(|d| d.reduced())
            .map(|d| Reduction {
                epoch: d.epoch as usize,
                from: d.lr_before,
                to: d.lr_after,
            })
            .collect();
        if let Some((_, same)) = traces
            .iter_mut()
            .find(|(t, _)| t.lr == lr && t.reductions == reductions)
        {
            same.push(row.index);
            continue;
        }
        if traces.len() == max {
            continue;
        }
        let mut label = format!("#{}", row.index);
        for p in &swept {
            if let Some(v) = p.text(row) {
                let _ = write!(label, " {} {v}", p.name());
            }
        }
        chosen.push(row);
        traces.push((LrTrace::new(label, lr, reductions), Vec::new()));
    }
    let traces: Vec<LrTrace> = traces
        .into_iter()
        .map(|(mut t, same)| {
            if !same.is_empty() {
                let list: Vec<String> = same.iter().take(4).map(|k| format!("#{k}")).collect();
                let more = if same.len() > 4 { ", ..." } else { "" };
                let _ = write!(t.label, " (= {}{more})", list.join(", "));
            }
            t
        })
        .collect();
    let fixed: Vec<String> = Param::ALL
        .into_iter()
        .filter(|p| !swept.contains(p))
        .filter_map(|p| {
            let vals: Vec<String> = chosen.iter().filter_map(|r| p.text(r)).collect();
            vals.first().map(|v| format!("{} {v}", p.name()))
        })
        .collect();
    Ok(ChartSpec {
        title: format!(
            "Sweep: LR trajectories of {} setting(s) replayed on {}",
            chosen.len(),
            meta.monitor
        ),
        subtitle: vec![
            format!(
                "{} of {} settings, {how} · {} of {} ({} epochs) · initial LR {}",
                chosen.len(),
                meta.total,
                meta.monitor,
                file_label(&meta.source),
                meta.epochs,
                display_lr(meta.initial_lr)
            ),
            format!("fixed: {}", fixed.join(" · ")),
        ],
        lr_traces: traces,
        metrics: vec![MetricSeries::solid(
            format!("{} (recorded)", meta.monitor),
            input.series.to_vec(),
        )],
        metric_axis: meta.monitor.clone(),
        notes: vec![
            "a replay shows what each schedule decides on the recorded curve; it cannot know how the metric would have moved under another LR".into(),
        ],
        ..ChartSpec::default()
    })
}

/// The heat map of `value` over two parameters, the others held at the values of the top row
/// (the first of `rows` that both axes apply to; where a parameter does not apply to its
/// flavor, at its first value).
pub fn heatmap_spec(
    meta: &SweepMeta,
    rows: &[SweepRow],
    axes: Axes,
    value: SortKey,
) -> Result<HeatmapSpec> {
    let Axes(xp, yp) = axes;
    // The reference: the top row among those both axes apply to (a torch parameter as an
    // axis takes the first torch row).
    let top = rows
        .iter()
        .find(|r| xp.text(r).is_some() && yp.text(r).is_some())
        .ok_or_else(|| {
            usage(format!(
                "no setting has both {} and {}: choose --heatmap-axes that apply to the same flavor",
                xp.name(),
                yp.name()
            ))
        })?;
    let mut by_index: Vec<&SweepRow> = rows.iter().collect();
    by_index.sort_by_key(|r| r.index);
    let distinct = |p: Param| {
        let mut v: Vec<String> = Vec::new();
        for r in &by_index {
            if let Some(t) = p.text(r) {
                if !v.contains(&t) {
                    v.push(t);
                }
            }
        }
        v
    };
    let xs = distinct(xp);
    let ys = distinct(yp);
    let fixed: Vec<(Param, String)> = Param::ALL
        .into_iter()
        .filter(|p| *p != xp && *p != yp)
        .filter_map(|p| {
            p.text(top)
                .or_else(|| distinct(p).first().cloned())
                .map(|v| (p, v))
        })
        .collect();
    let mut cells = vec![vec![f64::NAN; xs.len()]; ys.len()];
    let mut filled = 0;
    for r in &by_index {
        let matches = fixed.iter().all(|(p, v)| p.text(r).is_none_or(|t| &t == v));
        if !matches {
            continue;
        }
        let (Some(x), Some(y)) = (xp.text(r), yp.text(r)) else {
            continue;
        };
        let xi = xs.iter().position(|v| *v == x).unwrap_or(0);
        let yi = ys.iter().position(|v| *v == y).unwrap_or(0);
        cells[yi][xi] = r.heat(value);
        filled += 1;
    }
    if filled == 0 {
        return Err(usage(format!(
            "no setting has both {} and {} with the other parameters at the top row's values: choose --heatmap-axes that apply to the same flavor",
            xp.name(),
            yp.name()
        )));
    }
    let value_label = match value {
        SortKey::First | SortKey::Last => format!("{} (grey: none)", value.describe()),
        other => other.describe().to_string(),
    };
    Ok(HeatmapSpec {
        title: format!(
            "Sweep: {} by {} and {} ({})",
            value.describe(),
            xp.name(),
            yp.name(),
            meta.monitor
        ),
        subtitle: vec![
            format!(
                "replayed on {} of {} ({} epochs), initial LR {}",
                meta.monitor,
                file_label(&meta.source),
                meta.epochs,
                display_lr(meta.initial_lr)
            ),
            format!(
                "other parameters fixed at the top row (#{}): {}",
                top.index,
                fixed
                    .iter()
                    .filter_map(|(p, v)| match p.text(top) {
                        Some(_) => Some(format!("{} {v}", p.name())),
                        // Only rows of another flavor (flavor is an axis) read it.
                        None if xp == Param::Flavor || yp == Param::Flavor => {
                            Some(format!("{} {v} (where it applies)", p.name()))
                        }
                        None => None,
                    })
                    .collect::<Vec<_>>()
                    .join(" · ")
            ),
        ],
        x_label: xp.name().to_string(),
        y_label: yp.name().to_string(),
        x_values: xs,
        y_values: ys,
        cells,
        value_label,
        ..HeatmapSpec::default()
    })
}

/// The default heat map axes: the first two parameters with more than one value in `rows`.
fn default_axes(rows: &[SweepRow]) -> Option<Axes> {
    let swept: Vec<Param> = Param::ALL
        .into_iter()
        .filter(|&p| {
            let mut seen: Vec<String> = Vec::new();
            for r in rows {
                if let Some(t) = p.text(r) {
                    if !seen.contains(&t) {
                        seen.push(t);
                        if seen.len() > 1 {
                            return true;
                        }
                    }
                }
            }
            false
        })
        .collect();
    match swept[..] {
        [x, y, ..] => Some(Axes(x, y)),
        _ => None,
    }
}

/// Prints the rows and writes the files; shared by `sweep` and `sweep merge`. `rows` are in
/// index order; `overlay` is what the overlay chart needs (none for merge).
fn emit(
    meta: &SweepMeta,
    mut rows: Vec<SweepRow>,
    o: &SweepOutputArgs,
    overlay: Option<(OverlayInput<'_>, &[u64])>,
) -> Result<()> {
    let out = o.out.as_deref().map(OutputDir::prepare).transpose()?;
    sort_rows(&mut rows, o.sort, o.desc);
    let all = rows.len();
    let shown = match (o.format, o.top) {
        (_, Some(n)) => n.min(all),
        (SweepFormat::Table, None) => all.min(20),
        _ => all,
    };
    let text = match o.format {
        SweepFormat::Table => table(meta, &rows[..shown], all, o.sort, o.desc),
        SweepFormat::Csv => to_csv(meta, &rows[..shown])?,
        SweepFormat::Json => to_json(meta, &rows[..shown])?,
    };
    crate::say_raw!("{text}");
    let Some(out) = out else { return Ok(()) };
    let mut written = Vec::new();
    if meta.shards > 1 {
        let stem = format!("sweep.shard-{}-of-{}", meta.shard, meta.shards);
        written.push(out.write(&format!("{stem}.csv"), to_csv(meta, &rows)?.as_bytes())?);
        written.push(out.write(&format!("{stem}.json"), to_json(meta, &rows)?.as_bytes())?);
        eprintln!(
            "note: a shard draws no charts; `lrviz sweep merge` the {} shard files with --out for the heat map",
            meta.shards
        );
    } else {
        written.push(out.write("sweep.csv", to_csv(meta, &rows)?.as_bytes())?);
        written.push(out.write("sweep.json", to_json(meta, &rows)?.as_bytes())?);
        match o.heatmap_axes.or_else(|| default_axes(&rows)) {
            Some(axes) => {
                let spec = heatmap_spec(meta, &rows, axes, o.heatmap_value.into())?;
                let png = lrviz_viz::render_heatmap_png(&spec).context("cannot draw the heat map")?;
                let svg = lrviz_viz::render_heatmap_svg(&spec).context("cannot draw the heat map")?;
                written.push(out.write("sweep_heatmap.png", &png)?);
                written.push(out.write("sweep_heatmap.svg", svg.as_bytes())?);
            }
            None => eprintln!(
                "note: no heat map: fewer than two parameters have more than one value (or pass --heatmap-axes x,y)"
            ),
        }
        match overlay {
            Some((input, show)) => {
                let (candidates, max, how): (Vec<SweepRow>, usize, String) = if show.is_empty() {
                    let n = o.top.unwrap_or(5).clamp(1, MAX_OVERLAY);
                    let how = if o.sort == SortKey::Index {
                        "the first distinct trajectories in grid order".to_string()
                    } else {
                        format!(
                            "the top distinct trajectories by {}{}",
                            o.sort.describe(),
                            if o.desc { " (decreasing)" } else { "" }
                        )
                    };
                    (rows.clone(), n, how)
                } else {
                    let mut by_index = rows.clone();
                    by_index.sort_by_key(|r| r.index);
                    (
                        show.iter()
                            .map(|&k| by_index[k as usize].clone())
                            .collect(),
                        show.len(),
                        "chosen with --show".to_string(),
                    )
                };
                let spec = overlay_spec(meta, &input, &candidates, max, &how)?;
                written.extend(crate::plot_cmd::write_chart(&out, "sweep_overlay", &spec)?);
            }
            None => eprintln!(
                "note: no overlay chart from merged shards (it needs the log): run `lrviz sweep LOG <same grid flags> --show I,J,...`"
            ),
        }
    }
    for f in written {
        eprintln!("wrote {}", f.display());
    }
    Ok(())
}

/// `lrviz sweep` and `lrviz sweep merge`.
pub fn run(args: &SweepArgs) -> Result<()> {
    if let Some(SweepAction::Merge(m)) = &args.action {
        let (meta, rows) = merge_files(&m.files)?;
        return emit(&meta, rows, &m.output, None);
    }
    let log_path = args
        .log
        .as_deref()
        .ok_or_else(|| usage("give a LOG to sweep, or `lrviz sweep merge FILES...`"))?;
    let grid = Grid::from_args(args)?;
    let log = load_log(log_path, args.log_format.as_deref())?;
    let series = log
        .column(&grid.monitor)
        .with_context(|| log.source.clone())?
        .to_vec();
    if series.is_empty() {
        anyhow::bail!("{}: the column {} has no values", log.source, grid.monitor);
    }
    let initial_lr = match args.lr {
        Some(lr) => lr,
        None => log
            .lr()
            .and_then(|l| l.iter().copied().find(|v| v.is_finite() && *v > 0.0))
            .ok_or_else(|| {
                usage(format!(
                    "{} has no learning-rate column with a positive value: pass --lr with the LR before epoch 0",
                    log.source
                ))
            })?,
    };
    for &f in &grid.flavors {
        let mut c = PlateauConfig::defaults(f);
        c.monitor = grid.monitor.clone();
        if let Some(m) = grid.mode {
            c.mode = m;
        }
        ReduceLrOnPlateau::new(c, initial_lr)
            .map_err(|e| usage(format!("invalid --lr for --flavor {f}: {e}")))?;
    }
    let total = grid.len();
    for &k in &args.show {
        if k >= total {
            return Err(usage(format!(
                "--show {k} is not a setting: the grid has settings 0 to {}",
                total - 1
            )));
        }
    }
    if args.show.len() > MAX_OVERLAY {
        return Err(usage(format!(
            "--show lists {} settings; an overlay draws at most {MAX_OVERLAY}",
            args.show.len()
        )));
    }
    if args.shard.is_some() && !args.show.is_empty() {
        return Err(usage(
            "--show draws the overlay chart, which a shard does not draw: use it without --shard",
        ));
    }
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let shard = args.shard.unwrap_or(Shard { index: 0, count: 1 });
    let t0 = Instant::now();
    let rows = run_grid(&grid, initial_lr, &series, Some(shard), threads)?;
    let secs = t0.elapsed().as_secs_f64();
    eprintln!(
        "replayed {} setting(s) x {} epochs in {:.3} s on {threads} thread(s) ({:.0} settings/s)",
        rows.len(),
        series.len(),
        secs,
        rows.len() as f64 / secs.max(1e-9)
    );
    for n in &log.notes {
        eprintln!("note: {n}");
    }
    let meta = SweepMeta {
        grid: grid.fingerprint(initial_lr, &series),
        total,
        shard: shard.index,
        shards: shard.count,
        monitor: grid.monitor.clone(),
        mode: grid.mode.map(|m| m.to_string()),
        initial_lr,
        epochs: series.len() as u64,
        source: log.source.clone(),
    };
    let input = OverlayInput {
        grid: &grid,
        series: &series,
    };
    emit(&meta, rows, &args.output, Some((input, &args.show)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids_parse_lists_inclusive_ranges_and_steps() {
        assert_eq!(parse_int_grid("2..5").unwrap().0, vec![2, 3, 4, 5]);
        assert_eq!(
            parse_int_grid("1,3..7:2,10").unwrap().0,
            vec![1, 3, 5, 7, 10]
        );
        assert_eq!(
            parse_float_grid("0.1..0.5:0.1").unwrap().0,
            vec![0.1, 0.2, 0.3, 0.4, 0.5]
        );
        assert_eq!(parse_float_grid("0.5,0.25").unwrap().0, vec![0.5, 0.25]);
        for (bad, needle) in [
            ("5..2", "start is above its end"),
            ("2,,3", "empty entry"),
            ("2,x", "not a whole number"),
            ("2,2", "listed twice"),
            ("1..4:0", "step"),
        ] {
            let e = parse_int_grid(bad).unwrap_err();
            assert!(e.contains(needle), "{bad}: {e}");
        }
        assert!(parse_float_grid("0.1..0.5")
            .unwrap_err()
            .contains("needs a step"));
        assert!(parse_float_grid("nan").unwrap_err().contains("not finite"));
        assert!(parse_int_grid("0..99999999")
            .unwrap_err()
            .contains("at most"));
    }

    #[test]
    fn shards_and_axes_parse() {
        assert_eq!(parse_shard("1/4"), Ok(Shard { index: 1, count: 4 }));
        assert!(parse_shard("4/4").unwrap_err().contains("does not exist"));
        assert!(parse_shard("1").is_err());
        assert_eq!(
            parse_axes("patience,factor"),
            Ok(Axes(Param::Patience, Param::Factor))
        );
        assert!(parse_axes("patience").is_err());
        assert!(parse_axes("factor,factor").unwrap_err().contains("twice"));
        // 10 settings over 3 shards: 4, 3, 3 (k mod 3).
        assert_eq!(
            (0..3).map(|i| shard_len(10, i, 3)).collect::<Vec<_>>(),
            [4, 3, 3]
        );
    }

    fn grid() -> Grid {
        Grid {
            monitor: "val_loss".into(),
            mode: None,
            flavors: vec![Flavor::Keras, Flavor::Torch],
            factor: vec![0.1, 0.5],
            patience: vec![1, 2, 3],
            cooldown: vec![0],
            min_lr: vec![0.0],
            min_delta: vec![1e-4],
            threshold: vec![1e-4, 1e-3],
            threshold_mode: vec![ThresholdMode::Rel, ThresholdMode::Abs],
            eps: vec![1e-8],
        }
    }

    #[test]
    fn settings_are_numbered_flavor_first_and_the_last_parameter_fastest() {
        let g = grid();
        // keras: 2 factors x 3 patience x 1 min_delta = 6; torch: 6 x 2 thresholds x 2 modes = 24.
        assert_eq!(g.len(), 30);
        let s = g.setting(1);
        assert_eq!((s.flavor, s.factor, s.patience), (Flavor::Keras, 0.1, 2));
        let s = g.setting(6);
        assert_eq!(s.flavor, Flavor::Torch);
        assert_eq!(
            (s.factor, s.patience, s.threshold, s.threshold_mode),
            (0.1, 1, Some(1e-4), Some(ThresholdMode::Rel))
        );
        let s = g.setting(7);
        assert_eq!(
            (s.threshold, s.threshold_mode),
            (Some(1e-4), Some(ThresholdMode::Abs))
        );
        assert_eq!(g.setting(29).factor, 0.5);
        assert_eq!(
            g.swept(),
            vec![
                Param::Flavor,
                Param::Factor,
                Param::Patience,
                Param::Threshold,
                Param::ThresholdMode
            ]
        );
    }

    #[test]
    fn rows_do_not_depend_on_the_thread_count_and_shards_partition_the_grid() {
        let g = grid();
        let series: Vec<f64> = (0..200).map(|i| 1.0 / (1.0 + (i % 37) as f64)).collect();
        let one = run_grid(&g, 0.1, &series, None, 1).unwrap();
        let four = run_grid(&g, 0.1, &series, None, 4).unwrap();
        assert_eq!(one, four);
        let mut parts: Vec<SweepRow> = (0..4)
            .flat_map(|i| {
                run_grid(&g, 0.1, &series, Some(Shard { index: i, count: 4 }), 2).unwrap()
            })
            .collect();
        parts.sort_by_key(|r| r.index);
        assert_eq!(parts, one);
        // Cross-check one row with the recording replay.
        let r = &one[7];
        let rep = replay(
            &r.config("val_loss", None),
            0.1,
            &series.iter().map(|&v| Some(v)).collect::<Vec<_>>(),
        )
        .unwrap();
        assert_eq!(rep.reduced_at, r.reduced_at);
        assert_eq!(*rep.lr_after_epoch.last().unwrap(), r.final_lr);
    }

    #[test]
    fn csv_rows_round_trip() {
        let g = grid();
        let series = vec![1.0, 0.9, 0.95, 0.97, 0.99, 1.0];
        let rows = run_grid(&g, 0.1, &series, None, 1).unwrap();
        let meta = SweepMeta {
            grid: g.fingerprint(0.1, &series),
            total: g.len(),
            shard: 0,
            shards: 1,
            monitor: "val_loss".into(),
            mode: None,
            initial_lr: 0.1,
            epochs: 6,
            source: "a, b.csv".into(),
        };
        let csv = to_csv(&meta, &rows).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        let parsed: Vec<SweepRow> = lines[2..]
            .iter()
            .map(|l| parse_csv_row(l).unwrap())
            .collect();
        assert_eq!(parsed, rows);
        let m: SweepJsonMeta =
            serde_json::from_str(lines[0].strip_prefix(META_PREFIX).unwrap()).unwrap();
        assert_eq!(m.meta, meta);
    }
}
