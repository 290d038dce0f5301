//! `lrviz replay`, `lrviz explain` and `lrviz translate`: the scheduler on a recorded metric
//! series, with no training.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use lrviz_data::{read_log, LogFormat, TrainingLog};
use lrviz_scheduler::{
    python_float_repr, replay, serde_f64, translate, Event, Flavor, PlateauConfig, Replay,
};
use serde::Serialize;

use crate::cli::{Format, ReplayArgs, TranslateArgs};
use crate::errors::usage;
use crate::output::OutputDir;
use crate::plateau::build_config;

/// A replay with everything needed to print, save or chart it.
#[derive(Debug, Serialize)]
pub struct ReplayReport {
    /// Where the series came from.
    pub source: String,
    /// The column replayed.
    pub monitor: String,
    /// Settings used.
    pub config: PlateauConfig,
    /// LR before epoch 0.
    #[serde(with = "serde_f64")]
    pub initial_lr: f64,
    /// The monitored values.
    #[serde(with = "serde_f64::vec")]
    pub metrics: Vec<f64>,
    /// LR after each epoch's decision, as in the parity fixtures.
    #[serde(with = "serde_f64::vec")]
    pub lr_after_epoch: Vec<f64>,
    /// Epochs whose decision lowered the LR.
    pub reduced_at: Vec<u64>,
    /// How the replayed LRs compare with an LR column in the log, when it has one.
    pub logged_lr_check: Option<String>,
    /// Settings warnings and run-time warnings.
    pub warnings: Vec<String>,
    /// Notes from reading the log.
    pub log_notes: Vec<String>,
    /// One decision per epoch, with the numbers behind it.
    pub decisions: Vec<lrviz_scheduler::EpochDecision>,
}

/// Reads the log named on the command line.
pub fn load_log(path: &Path, log_format: Option<&str>) -> Result<TrainingLog> {
    let fmt = log_format
        .map(|f| {
            f.parse::<LogFormat>()
                .map_err(|e| usage(format!("invalid --log-format {f:?}: {e}")))
        })
        .transpose()?;
    Ok(read_log(path, fmt)?)
}

/// Runs the replay the flags describe.
pub fn compute(args: &ReplayArgs) -> Result<ReplayReport> {
    let config = build_config(&args.plateau)?;
    let log = load_log(&args.log, args.log_format.as_deref())?;
    let series = log
        .column(&config.monitor)
        .map_err(|e| anyhow::anyhow!("{}: {e}", log.source))?
        .to_vec();
    if series.is_empty() {
        anyhow::bail!(
            "{}: the column {} has no values to replay",
            log.source,
            config.monitor
        );
    }
    let logged_lr = log.lr().map(<[f64]>::to_vec);
    let initial_lr = match (args.lr, &logged_lr) {
        (Some(lr), _) => lr,
        (None, Some(lrs)) => *lrs
            .iter()
            .find(|v| v.is_finite() && **v > 0.0)
            .with_context(|| {
                format!(
                    "{}: the LR column has no positive value: pass --lr",
                    log.source
                )
            })?,
        (None, None) => {
            return Err(usage(format!(
                "{} has no learning-rate column: pass --lr with the LR before epoch 0",
                log.source
            )))
        }
    };
    let metrics: Vec<Option<f64>> = series.iter().copied().map(Some).collect();
    let Replay {
        lr_after_epoch,
        mut reduced_at,
        mut decisions,
    } = replay(&config, initial_lr, &metrics)
        .map_err(|e| usage(format!("invalid plateau setting: {e}")))?;
    // The scheduler sees one value per logged epoch; report decisions at the log's own epoch
    // numbers, so a resumed log (epochs 20..59) or one with gaps is not silently renumbered.
    let mut log_notes = log.notes.clone();
    let positional = log.epochs.iter().enumerate().all(|(i, &e)| e == i as u64);
    if !positional && log.epochs.len() == decisions.len() {
        for d in &mut decisions {
            d.epoch = log.epochs[d.epoch as usize];
        }
        for e in &mut reduced_at {
            *e = log.epochs[*e as usize];
        }
        log_notes.push(format!(
            "the log's epochs run {}..{} with {} rows, not 0..{}: decisions are reported at the log's epoch numbers, and the schedule sees one value per logged epoch",
            log.epochs[0],
            log.epochs[log.epochs.len() - 1],
            log.epochs.len(),
            log.epochs.len() - 1
        ));
    }
    let mut warnings = config.warnings(initial_lr);
    for d in &decisions {
        for w in &d.warnings {
            if !warnings.contains(w) {
                warnings.push(w.clone());
            }
        }
    }
    let logged_lr_check = logged_lr.map(|lrs| compare_logged(&lrs, &decisions, config.flavor));
    Ok(ReplayReport {
        source: log.source.clone(),
        monitor: config.monitor.clone(),
        config,
        initial_lr,
        metrics: series,
        lr_after_epoch,
        reduced_at,
        logged_lr_check,
        warnings,
        log_notes,
        decisions,
    })
}

/// Compares the LR each epoch used in the replay with the one the log recorded.
fn compare_logged(
    logged: &[f64],
    decisions: &[lrviz_scheduler::EpochDecision],
    flavor: Flavor,
) -> String {
    let same = |a: f64, b: f64| match flavor {
        Flavor::Torch => a == b || ((a - b).abs() <= 1e-12 * a.abs().max(b.abs())),
        _ => (a as f32) == (b as f32),
    };
    let n = logged.len().min(decisions.len());
    let compared = (0..n).filter(|&e| logged[e].is_finite()).count();
    match (0..n).find(|&e| logged[e].is_finite() && !same(logged[e], decisions[e].lr_before)) {
        None => format!(
            "the replayed LR matches the log's learning-rate column at all {compared} logged epochs"
        ),
        Some(e) => format!(
            "the replayed LR differs from the log's from epoch {e}: logged {}, replayed {} (other settings, another flavor, or a resumed run?)",
            python_float_repr(logged[e]),
            python_float_repr(decisions[e].lr_before)
        ),
    }
}

/// `lrviz replay` and `lrviz explain`. The output is streamed, not built in memory first: a
/// long log's replay holds its per-epoch decisions, not their text as well.
pub fn run(args: &ReplayArgs, explain: bool) -> Result<()> {
    let report = compute(args)?;
    let out = args.out.as_deref().map(OutputDir::prepare).transpose()?;
    let mut w = std::io::BufWriter::new(std::io::stdout().lock());
    let written = write_format(&mut w, &report, args.format, explain).and_then(|()| w.flush());
    drop(w);
    match written {
        // A closed stdout (`lrviz replay log.csv | head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.context("cannot write to standard output")?,
    }
    if let Some(out) = out {
        let spec = crate::chart::replay_chart(&report);
        let png = lrviz_viz::render_png(&spec).context("cannot draw the PNG chart")?;
        let svg = lrviz_viz::render_svg(&spec).context("cannot draw the SVG chart")?;
        let files = [
            out.write_with("replay.json", |f| {
                write_format(
                    &mut std::io::BufWriter::new(f),
                    &report,
                    Format::Json,
                    false,
                )
            })?,
            out.write_with("replay.csv", |f| {
                write_format(&mut std::io::BufWriter::new(f), &report, Format::Csv, false)
            })?,
            out.write("lr_schedule.png", &png)?,
            out.write("lr_schedule.svg", svg.as_bytes())?,
        ];
        for f in files {
            eprintln!("wrote {}", f.display());
        }
    }
    Ok(())
}

/// Writes the report in `format` (and flushes `w`).
fn write_format<W: Write>(
    w: &mut W,
    report: &ReplayReport,
    format: Format,
    explain: bool,
) -> std::io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *w, report)?;
            writeln!(w)?;
        }
        Format::Csv => write_csv(w, report)?,
        Format::Table if explain => explain_table(w, report)?,
        Format::Table => replay_table(w, report)?,
    }
    w.flush()
}

fn event_name(e: &Event) -> String {
    match e {
        Event::Improved => "improved".into(),
        Event::Bad => "bad".into(),
        Event::InCooldown => "in cooldown".into(),
        Event::Reduced { from, to } => {
            format!(
                "reduced {} -> {}",
                python_float_repr(*from),
                python_float_repr(*to)
            )
        }
        Event::AtFloor => "at the floor".into(),
        Event::Missing => "metric missing, skipped".into(),
    }
}

/// An LR as the flavor holds it, for the tables: the Keras flavors' float32 value in its
/// shortest form (`0.05`, not `0.05000000074505806`); torch's float64 as Python prints it.
/// The JSON and CSV outputs keep the exact doubles.
fn held(x: f64, flavor: Flavor) -> String {
    if flavor.is_keras() && x.is_finite() {
        lrviz_scheduler::numpy_f32_repr(x as f32)
    } else {
        python_float_repr(x)
    }
}

fn opt(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.6}"))
}

fn header(r: &ReplayReport) -> String {
    let mut s = format!(
        "{} · replaying {} of {} ({} epochs) · initial LR {}\n",
        r.config.summary(),
        r.monitor,
        r.source,
        r.metrics.len(),
        python_float_repr(r.initial_lr)
    );
    for n in &r.log_notes {
        let _ = writeln!(s, "note: {n}");
    }
    for w in &r.warnings {
        let _ = writeln!(s, "warning: {w}");
    }
    s
}

fn footer(r: &ReplayReport) -> String {
    let mut s = format!(
        "{} reduction(s){}; final LR {}\n",
        r.reduced_at.len(),
        if r.reduced_at.is_empty() {
            String::new()
        } else {
            format!(
                " at the end of epoch(s) {}",
                r.reduced_at
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
        r.lr_after_epoch
            .last()
            .map_or("-".into(), |v| python_float_repr(*v))
    );
    if let Some(c) = &r.logged_lr_check {
        let _ = writeln!(s, "{c}");
    }
    s
}

fn replay_table<W: Write>(s: &mut W, r: &ReplayReport) -> std::io::Result<()> {
    s.write_all(header(r).as_bytes())?;
    writeln!(
        s,
        "{:>5}  {:>12}  {:>14}  event",
        "epoch", r.monitor, "lr after"
    )?;
    for d in &r.decisions {
        writeln!(
            s,
            "{:>5}  {:>12}  {:>14}  {}",
            d.epoch,
            opt(d.value),
            held(d.lr_after, r.config.flavor),
            event_name(&d.event)
        )?;
    }
    s.write_all(footer(r).as_bytes())
}

fn explain_table<W: Write>(s: &mut W, r: &ReplayReport) -> std::io::Result<()> {
    s.write_all(header(r).as_bytes())?;
    writeln!(
        s,
        "{:>5}  {:>12}  {:>12}  {:>12}  {:>7}  {:>8}  {:>12}  {:>12}  why",
        "epoch", "value", "best before", "to beat", "bad", "cooldown", "lr before", "lr after"
    )?;
    for d in &r.decisions {
        writeln!(
            s,
            "{:>5}  {:>12}  {:>12}  {:>12}  {:>7}  {:>8}  {:>12}  {:>12}  {}",
            d.epoch,
            opt(d.value),
            opt(d.best_before),
            opt(d.to_beat),
            format!("{}/{}", d.wait, d.trigger),
            d.cooldown,
            held(d.lr_before, r.config.flavor),
            held(d.lr_after, r.config.flavor),
            d.explain()
        )?;
    }
    s.write_all(footer(r).as_bytes())
}

fn write_csv<W: Write>(s: &mut W, r: &ReplayReport) -> std::io::Result<()> {
    s.write_all(
        b"epoch,value,best,to_beat,wait,trigger,cooldown,lr_before,lr_after,reduced,event\n",
    )?;
    let f = |v: Option<f64>| v.map_or(String::new(), python_float_repr);
    for d in &r.decisions {
        writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{}",
            d.epoch,
            f(d.value),
            f(d.best),
            f(d.to_beat),
            d.wait,
            d.trigger,
            d.cooldown,
            python_float_repr(d.lr_before),
            python_float_repr(d.lr_after),
            u8::from(d.reduced()),
            event_name(&d.event).replace(',', ";")
        )?;
    }
    Ok(())
}

/// `lrviz translate`.
pub fn translate_cmd(args: &TranslateArgs) -> Result<()> {
    let from = build_config(&args.plateau)?;
    let to: Flavor = args.to.into();
    let t = translate(&from, to);
    let c = &t.config;
    crate::say!("from: {}", from.summary());
    crate::say!("to:   {}", c.summary());
    let mut flags = format!(
        "--flavor {} --monitor {} --factor {} --patience {} --cooldown {} --min-lr {} --mode {}",
        c.flavor, c.monitor, c.factor, c.patience, c.cooldown, c.min_lr, c.mode
    );
    if c.flavor == Flavor::Torch {
        let _ = write!(
            flags,
            " --threshold {} --threshold-mode {} --eps {}",
            c.threshold, c.threshold_mode, c.eps
        );
    } else {
        let _ = write!(flags, " --min-delta {}", c.min_delta);
    }
    crate::say!("flags: {flags}");
    crate::say!(
        "{}",
        if t.exact {
            "exact: the two settings give the same LR trajectory on any finite series (away from the edge cases below)"
        } else {
            "approximate: no exact equivalent exists"
        }
    );
    for n in &t.notes {
        crate::say!("- {n}");
    }
    Ok(())
}
