//! `lrviz plot`: the two-panel chart of any supported training log, with the reductions read
//! off the logged learning rate.
//!
//! The supported logs record the LR used *during* each epoch (Keras `CSVLogger`, Lightning's
//! epoch-start `LearningRateMonitor` value, lrviz's history), so a drop first visible at epoch
//! e + 1 is a reduction decided at the end of epoch e, and that is where the chart puts its red
//! circle. A cut at the end of the last epoch leaves no trace in such a log; when the log ends
//! on a plateau of the watched metric the summary and the chart say so. The pieces here
//! ([`LoggedRun`], [`logged_run`], [`display_lr`]) are shared with `lrviz compare`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use lrviz_data::{LrGranularity, TrainingLog};
use lrviz_scheduler::{numpy_f32_repr, python_float_repr, serde_f64, Direction, PlateauConfig};
use lrviz_viz::{detect_reductions, ChartSpec, LrTrace, MetricSeries, Reduction};
use serde::Serialize;

use crate::cli::Format;
use crate::output::OutputDir;
use crate::replay_cmd::load_log;

/// `lrviz plot` flags.
#[derive(Args, Debug, Clone)]
pub struct PlotArgs {
    /// A training log: Keras CSVLogger, Lightning metrics.csv, lrviz history.csv/.json, or any
    /// CSV with a header; `-` reads stdin
    pub log: PathBuf,
    /// Metric for the lower panel; repeat for several [default: val_loss, plus the training
    /// loss (loss or train_loss) when the log has it]
    #[arg(long = "metric", value_name = "NAME")]
    pub metrics: Vec<String>,
    /// The column holding the LR [default: detected: learning_rate, lr, or Lightning's lr-<optimizer>]
    #[arg(long, value_name = "NAME")]
    pub lr_column: Option<String>,
    /// Log format, when detection from the header is not wanted: keras, lightning, lrviz-csv, lrviz-json, csv
    #[arg(long)]
    pub log_format: Option<String>,
    /// Output format of the summary (csv: one row per epoch)
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Output directory for lr_schedule.png/.svg (created; only lrviz's own files are replaced)
    #[arg(long, default_value = "lrviz-out")]
    pub out: PathBuf,
}

/// A log read for charting: the LR used during each epoch, its reductions, and the metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedRun {
    /// Legend label (compare) or file name.
    pub label: String,
    /// Where it came from.
    pub source: String,
    /// The log's format name (`keras`, `lightning`, ...).
    pub format: String,
    /// The log's own epoch numbers; position i of every series is epoch `epochs[i]`.
    pub epochs: Vec<u64>,
    /// The LR column's name.
    pub lr_column: String,
    /// How the LR was logged.
    pub lr_granularity: LrGranularity,
    /// The LR used during each epoch (gaps carried forward, see `notes`).
    pub lr: Vec<f64>,
    /// Reductions read off `lr`, at positions (decision at the end of position `epoch`).
    pub reductions: Vec<Reduction>,
    /// The metrics asked for, in order.
    pub metrics: Vec<(String, Vec<f64>)>,
    /// What the reader and this module resolved (gaps, resumed runs, rises, the end of the log).
    pub notes: Vec<String>,
}

impl LoggedRun {
    /// The log's epoch number at position `i`.
    pub fn epoch(&self, i: usize) -> u64 {
        self.epochs.get(i).copied().unwrap_or(i as u64)
    }

    /// True when the log's epochs are exactly 0, 1, ..., n-1 (so positions are epochs).
    pub fn epochs_are_positions(&self) -> bool {
        self.epochs.iter().enumerate().all(|(i, &e)| e == i as u64)
    }
}

/// An LR in its shortest exact form: float32 digits when the value is exactly a float32 (the
/// Keras logs print `0.05000000074505806` for the float32 0.05), Python `repr` otherwise.
pub fn display_lr(x: f64) -> String {
    if x.is_finite() && x != 0.0 && f64::from(x as f32) == x {
        // The float32's shortest digits, laid out as Python prints the float (0.0001, 1e-05).
        let short = format!("{:e}", x as f32);
        short
            .parse::<f64>()
            .map_or_else(|_| numpy_f32_repr(x as f32), python_float_repr)
    } else {
        python_float_repr(x)
    }
}

/// The training-loss column a log calls its own, if any.
fn training_loss(log: &TrainingLog) -> Option<&str> {
    ["loss", "train_loss", "train_loss_epoch"]
        .into_iter()
        .find(|c| log.series.contains_key(*c))
}

/// The metrics to draw: those asked for, or val_loss plus the training loss.
pub fn default_metrics(log: &TrainingLog, asked: &[String]) -> Result<Vec<String>> {
    if !asked.is_empty() {
        return Ok(asked.to_vec());
    }
    let mut out = Vec::new();
    if log.series.contains_key("val_loss") {
        out.push("val_loss".to_string());
    }
    if let Some(t) = training_loss(log) {
        out.push(t.to_string());
    }
    if out.is_empty() {
        anyhow::bail!(
            "{}: no val_loss or loss column to draw: pass --metric NAME; available columns: {}",
            log.source,
            log.columns.join(", ")
        );
    }
    Ok(out)
}

/// Reads the LR and `metrics` out of `log` for charting. `lr_column` overrides the detected
/// LR column. Errors: no LR column, no positive LR, an unknown metric (listing the columns).
pub fn logged_run(
    log: &TrainingLog,
    metrics: &[String],
    lr_column: Option<&str>,
) -> Result<LoggedRun> {
    let (lr_name, raw) = match lr_column {
        Some(c) => (
            c.to_string(),
            log.column(c).with_context(|| log.source.clone())?,
        ),
        None => match (&log.lr_column, log.lr()) {
            (Some(c), Some(v)) => (c.clone(), v),
            _ => anyhow::bail!(
                "{}: no learning-rate column (learning_rate, lr or lr-<optimizer>): pass \
                 --lr-column NAME; available columns: {}",
                log.source,
                log.columns.join(", ")
            ),
        },
    };
    // The per-step note is said by the LR line (granularity_text) already.
    let mut notes: Vec<String> = log
        .notes
        .iter()
        .filter(|n| !n.starts_with("LR logged per step"))
        .cloned()
        .collect();
    let lr = fill_lr(raw, &lr_name, &log.source, &log.epochs, &mut notes)?;
    let mut reductions = detect_reductions(&lr);
    // lrviz's own history also records the LR after each epoch's decision (`lr_after`), so
    // a cut at the last epoch, invisible in the LR column, is known there.
    let lr_after = log
        .series
        .get("lr_after")
        .filter(|_| lr_column.is_none() && lr_name == "learning_rate");
    if let (Some(after), Some(n)) = (lr_after, lr.len().checked_sub(1)) {
        let (from, to) = (lr[n], after[n]);
        if to.is_finite() && to > 0.0 && to < from {
            reductions.push(Reduction { epoch: n, from, to });
        }
    }
    let rises: Vec<String> = lr
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[1] > w[0])
        .map(|(i, _)| {
            log.epochs
                .get(i + 1)
                .copied()
                .unwrap_or(i as u64 + 1)
                .to_string()
        })
        .collect();
    if !rises.is_empty() {
        notes.push(format!(
            "the LR rises at epoch(s) {} (warm-up, a restart or a manual change); only drops are \
             marked as reductions",
            short_list(&rises, 10)
        ));
    }
    let mut series = Vec::new();
    for m in metrics {
        let values = log.column(m).with_context(|| log.source.clone())?;
        series.push((m.clone(), values.to_vec()));
    }
    let mut run = LoggedRun {
        label: file_label(&log.source),
        source: log.source.clone(),
        format: log.format.name().to_string(),
        epochs: log.epochs.clone(),
        lr_column: lr_name,
        lr_granularity: log.lr_granularity,
        lr,
        reductions,
        metrics: series,
        notes,
    };
    if !run.epochs_are_positions() {
        run.notes.push(format!(
            "the log's epochs are not 0..{}: the chart's x is the row position (log epochs {})",
            run.epochs.len().saturating_sub(1),
            epoch_span(&run.epochs)
        ));
    }
    if let (None, Some((name, values))) = (lr_after, run.metrics.first()) {
        if let Some(note) = plateau_end_note(name, values, &run.epochs) {
            run.notes.push(note);
        }
    }
    Ok(run)
}

/// "0-59", or "5-9, 20-24" for a log with gaps (at most 6 ranges).
fn epoch_span(epochs: &[u64]) -> String {
    let mut ranges: Vec<(u64, u64)> = Vec::new();
    for &e in epochs {
        match ranges.last_mut() {
            Some((_, hi)) if *hi + 1 == e => *hi = e,
            _ => ranges.push((e, e)),
        }
    }
    let parts: Vec<String> = ranges
        .iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect();
    short_list(&parts, 6)
}

fn short_list(items: &[String], max: usize) -> String {
    if items.len() <= max {
        items.join(", ")
    } else {
        format!("{}, ... ({} in all)", items[..max].join(", "), items.len())
    }
}

/// The LR series with gaps (absent, NaN, ≤ 0) carried forward from the previous epoch (or
/// back from the first logged value); refuses a column with no positive value.
fn fill_lr(
    raw: &[f64],
    name: &str,
    source: &str,
    epochs: &[u64],
    notes: &mut Vec<String>,
) -> Result<Vec<f64>> {
    let ok = |v: f64| v.is_finite() && v > 0.0;
    let first = raw.iter().copied().find(|&v| ok(v)).with_context(|| {
        format!("{source}: the LR column `{name}` has no positive value to draw")
    })?;
    let mut filled = Vec::with_capacity(raw.len());
    let mut gaps = Vec::new();
    let mut last = first;
    for (i, &v) in raw.iter().enumerate() {
        if ok(v) {
            last = v;
        } else {
            gaps.push(epochs.get(i).copied().unwrap_or(i as u64));
        }
        filled.push(last);
    }
    if !gaps.is_empty() {
        notes.push(format!(
            "no usable LR in `{name}` at {} epoch(s) ({}); the previous epoch's LR is drawn there",
            gaps.len(),
            epoch_span(&gaps)
        ));
    }
    Ok(filled)
}

/// The direction a metric improves in: Keras 3's `auto` rule, `min` when the name is unknown.
pub fn metric_direction(name: &str) -> Direction {
    let c = PlateauConfig {
        monitor: name.to_string(),
        ..PlateauConfig::keras()
    };
    c.direction().unwrap_or(Direction::Min)
}

/// A note when the watched metric has not improved at the log's last epoch: a reduction
/// decided at the end of that epoch would only show in the next epoch's LR, which the log does
/// not have.
pub fn plateau_end_note(name: &str, values: &[f64], epochs: &[u64]) -> Option<String> {
    let dir = metric_direction(name);
    let better = |a: f64, b: f64| match dir {
        Direction::Min => a < b,
        Direction::Max => a > b,
    };
    let mut best: Option<(usize, f64)> = None;
    for (i, &v) in values.iter().enumerate() {
        if v.is_finite() && best.is_none_or(|(_, b)| better(v, b)) {
            best = Some((i, v));
        }
    }
    let (bi, bv) = best?;
    let last = values.len().checked_sub(1)?;
    let since = last - bi;
    if since == 0 {
        return None;
    }
    let ep = |i: usize| epochs.get(i).copied().unwrap_or(i as u64);
    Some(format!(
        "{name} did not improve in the last {since} epoch(s) (best {} at epoch {}): a reduction \
         decided at the end of the last epoch ({}) cannot be seen in this log (the lowered LR \
         would first show in epoch {})",
        fmt_metric(bv),
        ep(bi),
        ep(last),
        ep(last) + 1
    ))
}

/// A metric value for text: 6 significant digits.
pub fn fmt_metric(v: f64) -> String {
    if !v.is_finite() {
        return python_float_repr(v);
    }
    let s = format!("{v:.5e}");
    s.parse::<f64>().map_or(s, python_float_repr)
}

/// The file name of a source path, for titles; the stem for labels.
pub fn file_label(source: &str) -> String {
    Path::new(source)
        .file_stem()
        .map_or_else(|| source.to_string(), |s| s.to_string_lossy().into_owned())
}

fn file_name(source: &str) -> String {
    Path::new(source)
        .file_name()
        .map_or_else(|| source.to_string(), |s| s.to_string_lossy().into_owned())
}

/// Training metrics are dashed, validation metrics solid.
pub fn is_training_metric(name: &str) -> bool {
    !(name.starts_with("val") || name.starts_with("test"))
}

/// The lower panel's axis title for a set of metric names.
pub fn metric_axis(names: &[&str]) -> String {
    match names {
        [one] => one.to_string(),
        many if many.iter().all(|n| n.contains("loss")) => "loss".into(),
        _ => "value".into(),
    }
}

/// How the LR was logged, in words.
pub fn granularity_text(g: LrGranularity) -> &'static str {
    match g {
        LrGranularity::PerEpoch => "logged once per epoch (the LR used during each epoch)",
        LrGranularity::PerStep => {
            "logged per step; the first value of each epoch (the LR the epoch started with) is used"
        }
        LrGranularity::None => "not logged",
    }
}

/// The chart of one log.
pub fn plot_spec(run: &LoggedRun) -> ChartSpec {
    let names: Vec<&str> = run.metrics.iter().map(|(n, _)| n.as_str()).collect();
    ChartSpec {
        title: format!(
            "Learning rate in {} ({} log)",
            file_name(&run.source),
            run.format
        ),
        subtitle: vec![
            format!(
                "LR from column `{}`, {} · {} epochs · {} reduction(s) read off the logged LR",
                run.lr_column,
                granularity_text(run.lr_granularity),
                run.lr.len(),
                run.reductions.len()
            ),
            "a drop first visible at epoch e+1 is a reduction decided at the end of epoch e"
                .to_string(),
        ],
        lr_traces: vec![LrTrace::new(
            "learning rate",
            run.lr.clone(),
            run.reductions.clone(),
        )],
        metrics: run
            .metrics
            .iter()
            .map(|(n, v)| MetricSeries {
                label: n.clone(),
                values: v.clone(),
                dashed: is_training_metric(n),
            })
            .collect(),
        metric_axis: metric_axis(&names),
        notes: run.notes.clone(),
        ..ChartSpec::default()
    }
}

/// The LR per epoch as runs: "0.05 in epochs 0-22, 0.025 in epochs 23-30".
pub fn lr_runs(run: &LoggedRun) -> String {
    let mut parts = Vec::new();
    let mut start = 0;
    for i in 1..=run.lr.len() {
        if i == run.lr.len() || run.lr[i] != run.lr[start] {
            let (a, b) = (run.epoch(start), run.epoch(i - 1));
            let span = if a == b {
                format!("epoch {a}")
            } else {
                format!("epochs {a}-{b}")
            };
            parts.push(format!("{} in {span}", display_lr(run.lr[start])));
            start = i;
        }
    }
    parts.join(", ")
}

/// The text summary of `lrviz plot`.
pub fn summary_text(run: &LoggedRun) -> String {
    let mut s = format!(
        "{}: {} log, {} epochs ({})\n",
        run.source,
        run.format,
        run.lr.len(),
        epoch_span(&run.epochs)
    );
    let _ = writeln!(
        s,
        "LR column `{}`, {}",
        run.lr_column,
        granularity_text(run.lr_granularity)
    );
    let _ = writeln!(s, "LR per epoch: {}", lr_runs(run));
    if run.reductions.is_empty() {
        let _ = writeln!(s, "no reductions");
    } else {
        let _ = writeln!(
            s,
            "{} reduction(s), each decided at the end of the epoch shown (the new LR is logged from the next epoch):",
            run.reductions.len()
        );
        for r in &run.reductions {
            let _ = writeln!(
                s,
                "  end of epoch {:>4}: {} -> {}",
                run.epoch(r.epoch),
                display_lr(r.from),
                display_lr(r.to)
            );
        }
    }
    for (name, values) in &run.metrics {
        let dir = metric_direction(name);
        let best = values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .fold(None::<(usize, f64)>, |acc, (i, &v)| match (acc, dir) {
                (None, _) => Some((i, v)),
                (Some((_, b)), Direction::Min) if v < b => Some((i, v)),
                (Some((_, b)), Direction::Max) if v > b => Some((i, v)),
                (a, _) => a,
            });
        match best {
            Some((i, v)) => {
                let _ = writeln!(
                    s,
                    "{name}: best {} at epoch {} ({dir}); last {}",
                    fmt_metric(v),
                    run.epoch(i),
                    values.last().map_or("-".into(), |v| fmt_metric(*v))
                );
            }
            None => {
                let _ = writeln!(s, "{name}: no finite value");
            }
        }
    }
    for n in &run.notes {
        let _ = writeln!(s, "note: {n}");
    }
    s
}

#[derive(Serialize)]
struct ReductionOut {
    epoch: u64,
    #[serde(with = "serde_f64")]
    from: f64,
    #[serde(with = "serde_f64")]
    to: f64,
}

#[derive(Serialize)]
struct MetricOut<'a> {
    name: &'a str,
    #[serde(with = "serde_f64::vec")]
    values: &'a [f64],
}

#[derive(Serialize)]
struct PlotJson<'a> {
    source: &'a str,
    format: &'a str,
    epochs: &'a [u64],
    lr_column: &'a str,
    lr_logged: &'static str,
    #[serde(with = "serde_f64::vec")]
    lr: &'a [f64],
    reductions: Vec<ReductionOut>,
    metrics: Vec<MetricOut<'a>>,
    notes: &'a [String],
}

/// The JSON summary of `lrviz plot`: the log's epochs, the LR drawn, the reductions (at the
/// log's epoch numbers) and the metrics.
pub fn summary_json(run: &LoggedRun) -> Result<String> {
    let doc = PlotJson {
        source: &run.source,
        format: &run.format,
        epochs: &run.epochs,
        lr_column: &run.lr_column,
        lr_logged: match run.lr_granularity {
            LrGranularity::PerEpoch => "per-epoch",
            LrGranularity::PerStep => "per-step",
            LrGranularity::None => "none",
        },
        lr: &run.lr,
        reductions: run
            .reductions
            .iter()
            .map(|r| ReductionOut {
                epoch: run.epoch(r.epoch),
                from: r.from,
                to: r.to,
            })
            .collect(),
        metrics: run
            .metrics
            .iter()
            .map(|(n, v)| MetricOut { name: n, values: v })
            .collect(),
        notes: &run.notes,
    };
    let mut s = serde_json::to_string_pretty(&doc).context("cannot encode JSON")?;
    s.push('\n');
    Ok(s)
}

/// One row per epoch: epoch, the LR drawn, 1 where a reduction was decided, the metrics.
pub fn summary_csv(run: &LoggedRun) -> String {
    let mut s = String::from("epoch,learning_rate,reduced");
    for (n, _) in &run.metrics {
        s.push(',');
        s.push_str(&csv_field(n));
    }
    s.push('\n');
    for i in 0..run.lr.len() {
        let reduced = run.reductions.iter().any(|r| r.epoch == i);
        let _ = write!(
            s,
            "{},{},{}",
            run.epoch(i),
            python_float_repr(run.lr[i]),
            u8::from(reduced)
        );
        for (_, v) in &run.metrics {
            s.push(',');
            if let Some(x) = v.get(i) {
                s.push_str(&python_float_repr(*x));
            }
        }
        s.push('\n');
    }
    s
}

/// A CSV field, quoted when it holds a separator, quote or line break.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Writes a chart as PNG and SVG under `stem`; returns the paths.
pub fn write_chart(out: &OutputDir, stem: &str, spec: &ChartSpec) -> Result<Vec<PathBuf>> {
    let png = lrviz_viz::render_png(spec).context("cannot draw the PNG chart")?;
    let svg = lrviz_viz::render_svg(spec).context("cannot draw the SVG chart")?;
    Ok(vec![
        out.write(&format!("{stem}.png"), &png)?,
        out.write(&format!("{stem}.svg"), svg.as_bytes())?,
    ])
}

/// `lrviz plot`.
pub fn run(args: &PlotArgs) -> Result<()> {
    let log = load_log(&args.log, args.log_format.as_deref())?;
    let metrics = default_metrics(&log, &args.metrics)?;
    let run = logged_run(&log, &metrics, args.lr_column.as_deref())?;
    let spec = plot_spec(&run);
    let out = OutputDir::prepare(&args.out)?;
    let text = match args.format {
        Format::Table => summary_text(&run),
        Format::Json => summary_json(&run)?,
        Format::Csv => summary_csv(&run),
    };
    crate::say_raw!("{text}");
    for f in write_chart(&out, "lr_schedule", &spec)? {
        eprintln!("wrote {}", f.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(text: &str) -> TrainingLog {
        lrviz_data::read_log_from(text.as_bytes(), "t.csv", None).unwrap()
    }

    #[test]
    fn a_drop_at_epoch_e_plus_1_is_a_reduction_at_the_end_of_epoch_e() {
        // Hand-made: LR 0.1 during epochs 0-1, 0.05 from epoch 2: decided at the end of epoch 1.
        let l = log("epoch,lr,val_loss\n0,0.1,1.0\n1,0.1,1.0\n2,0.05,0.9\n");
        let run = logged_run(&l, &["val_loss".into()], None).unwrap();
        assert_eq!(
            run.reductions,
            vec![Reduction {
                epoch: 1,
                from: 0.1,
                to: 0.05
            }]
        );
        // val_loss improved at the last epoch: no plateau note.
        assert!(run.notes.is_empty(), "{:?}", run.notes);
    }

    #[test]
    fn gaps_in_the_lr_are_carried_forward_and_a_plateau_at_the_end_is_noted() {
        let l = log("epoch,lr,val_loss\n0,,1.0\n1,0.1,0.5\n2,nan,0.6\n3,0.1,0.7\n");
        let run = logged_run(&l, &["val_loss".into()], None).unwrap();
        assert_eq!(run.lr, vec![0.1, 0.1, 0.1, 0.1]);
        assert!(run.reductions.is_empty());
        assert!(
            run.notes[0].contains("2 epoch(s) (0, 2)"),
            "{:?}",
            run.notes
        );
        // best 0.5 at epoch 1, two epochs before the end (epoch 3).
        assert!(
            run.notes[1].contains("did not improve in the last 2 epoch(s) (best 0.5 at epoch 1)")
                && run.notes[1].contains("(3)"),
            "{:?}",
            run.notes
        );
    }

    #[test]
    fn lr_runs_and_display_use_the_float32_digits() {
        assert_eq!(display_lr(0.05f32 as f64), "0.05");
        assert_eq!(display_lr(0.1), "0.1");
        let l = log("epoch,learning_rate,val_loss\n0,0.05000000074505806,1\n1,0.05000000074505806,1\n2,0.02500000037252903,1\n");
        let run = logged_run(&l, &["val_loss".into()], None).unwrap();
        assert_eq!(lr_runs(&run), "0.05 in epochs 0-1, 0.025 in epoch 2");
    }

    #[test]
    fn an_lrviz_history_shows_a_cut_at_the_last_epoch_from_lr_after() {
        // lrviz history.csv columns (docs/data-formats.md); the cut at the end of epoch 2
        // exists only in `lr_after`.
        let l = log("epoch,accuracy,learning_rate,loss,val_accuracy,val_loss,reduced,lr_after\n\
                     0,0.5,0.1,1,0.5,1.0,0,0.1\n1,0.5,0.1,1,0.5,1.0,0,0.1\n2,0.5,0.1,1,0.5,1.0,1,0.01\n");
        assert_eq!(l.format, lrviz_data::LogFormat::LrvizCsv);
        let run = logged_run(&l, &["val_loss".into()], None).unwrap();
        assert_eq!(
            run.reductions,
            vec![Reduction {
                epoch: 2,
                from: 0.1,
                to: 0.01
            }]
        );
        assert!(
            run.notes.is_empty(),
            "no 'cannot be seen' note: {:?}",
            run.notes
        );
        lrviz_viz::chart_model(&plot_spec(&run)).unwrap();
    }

    #[test]
    fn a_log_without_an_lr_column_says_which_flag_to_pass() {
        let l = log("epoch,val_loss\n0,1\n");
        let err = logged_run(&l, &["val_loss".into()], None).unwrap_err();
        assert!(format!("{err:#}").contains("--lr-column"), "{err:#}");
    }
}
