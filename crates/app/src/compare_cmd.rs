//! `lrviz compare`: several schedules side by side in one chart.
//!
//! Two modes:
//! - **logs**: `lrviz compare A B [C...]` overlays the logged LR (log scale, reductions read off
//!   the LR as in `lrviz plot`) and one metric of each log, each labelled (`--label`, default
//!   the file stem);
//! - **flavors**: `lrviz compare LOG --flavors keras,torch [plateau flags]` replays the one log's
//!   metric under each flavor with the same settings (or, with `--translate`, the first flavor's
//!   settings and their closest equivalent in the others), next to the log's own LR when it has
//!   one: "Keras vs PyTorch semantics on my curve".

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use lrviz_scheduler::{replay, translate, Flavor, PlateauConfig};
use lrviz_viz::{ChartSpec, LrTrace, MetricSeries, Reduction};

use crate::cli::{FlavorArg, PlateauArgs};
use crate::errors::usage;
use crate::output::OutputDir;
use crate::plateau::{build_config, refuse_foreign_flags};
use crate::plot_cmd::{display_lr, is_training_metric, logged_run, write_chart, LoggedRun};
use crate::replay_cmd::load_log;

/// `lrviz compare` flags.
#[derive(Args, Debug, Clone)]
#[command(
    after_help = "EXAMPLES:\n  lrviz compare run1/history.json run2/history.json --label 'factor 0.1' --label 'factor 0.5'\n  \
lrviz compare keras3_csvlogger.csv lightning_metrics.csv --label Keras --label Lightning\n  \
lrviz compare keras3_csvlogger.csv --flavors keras,torch --factor 0.5 --patience 3 --min-lr 1e-4\n  \
lrviz compare keras3_csvlogger.csv --flavors keras,torch --translate --factor 0.5 --patience 3"
)]
pub struct CompareArgs {
    /// Two or more logs to overlay; or one log with --flavors
    #[arg(required = true, num_args = 1..)]
    pub logs: Vec<PathBuf>,
    /// Label of each curve in order (repeat the flag) [default: the file stem; with --flavors the flavor]
    #[arg(long = "label", value_name = "TEXT")]
    pub labels: Vec<String>,
    /// Metric drawn for each log [default: val_loss; with --flavors: the --monitor]
    #[arg(long, value_name = "NAME")]
    pub metric: Option<String>,
    /// Log format for every log, when detection from the header is not wanted
    #[arg(long)]
    pub log_format: Option<String>,
    /// Replay the log's metric under each of these flavors (comma-separated): keras, tf-keras, torch
    #[arg(long, value_enum, value_delimiter = ',', help_heading = "Replay")]
    pub flavors: Vec<FlavorArg>,
    /// With --flavors: the plateau flags are the first flavor's settings; the others get their
    /// closest translation (as `lrviz translate` prints) instead of the same numbers
    #[arg(long, help_heading = "Replay")]
    pub translate: bool,
    /// With --flavors: the LR before epoch 0 [default: the log's first logged LR]
    #[arg(long, value_parser = crate::parse::positive_f64, help_heading = "Replay")]
    pub lr: Option<f64>,
    /// Plateau settings for --flavors (--min-delta applies to the Keras flavors, --threshold,
    /// --threshold-mode and --eps to torch; each default is the flavor's own).
    #[command(flatten)]
    pub plateau: PlateauArgs,
    /// Output directory for compare.png/.svg (created; only lrviz's own files are replaced)
    #[arg(long, default_value = "lrviz-out", help_heading = "Output")]
    pub out: PathBuf,
}

/// One curve of the comparison.
#[derive(Debug, Clone)]
pub struct Curve {
    /// Legend label.
    pub label: String,
    /// The LR used during each epoch.
    pub lr: Vec<f64>,
    /// Reductions (decision epochs, positions).
    pub reductions: Vec<Reduction>,
    /// What the summary says about it besides the reductions.
    pub detail: String,
}

/// What `lrviz compare` draws and prints.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The chart.
    pub spec: ChartSpec,
    /// The curves, in legend order.
    pub curves: Vec<Curve>,
    /// Notes for the summary.
    pub notes: Vec<String>,
}

/// Default labels: file stems, made unique with the parent directory (then a number).
pub fn default_labels(paths: &[PathBuf]) -> Vec<String> {
    let stem = |p: &Path| crate::plot_cmd::file_label(&p.display().to_string());
    let mut labels: Vec<String> = paths.iter().map(|p| stem(p)).collect();
    let dup = |labels: &[String], i: usize| labels.iter().filter(|l| **l == labels[i]).count() > 1;
    let with_parent: Vec<String> = paths
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if dup(&labels, i) {
                match p.parent().and_then(|d| d.file_name()) {
                    Some(d) => format!("{}/{}", d.to_string_lossy(), stem(p)),
                    None => labels[i].clone(),
                }
            } else {
                labels[i].clone()
            }
        })
        .collect();
    labels = with_parent;
    let snapshot = labels.clone();
    for (i, l) in labels.iter_mut().enumerate() {
        if dup(&snapshot, i) {
            *l = format!("{l} #{}", i + 1);
        }
    }
    labels
}

fn labels_for(args: &CompareArgs, defaults: Vec<String>, what: &str) -> Result<Vec<String>> {
    if args.labels.is_empty() {
        return Ok(defaults);
    }
    if args.labels.len() != defaults.len() {
        return Err(usage(format!(
            "{} --label flag(s) given for {} {what}(s): give one per {what} in order, or none",
            args.labels.len(),
            defaults.len()
        )));
    }
    Ok(args.labels.clone())
}

fn plateau_given(p: &PlateauArgs) -> bool {
    p.monitor.is_some()
        || p.factor.is_some()
        || p.patience.is_some()
        || p.cooldown.is_some()
        || p.min_lr.is_some()
        || p.mode.is_some()
        || p.min_delta.is_some()
        || p.threshold.is_some()
        || p.threshold_mode.is_some()
        || p.eps.is_some()
}

/// Overlays two or more logs.
pub fn compare_logs(args: &CompareArgs) -> Result<Comparison> {
    if args.logs.len() < 2 {
        return Err(usage(
            "compare needs two or more logs, or one log with --flavors keras,torch",
        ));
    }
    if plateau_given(&args.plateau) || args.lr.is_some() || args.translate {
        return Err(usage(
            "plateau flags (--factor, --patience, --lr, --translate, ...) apply to --flavors; to compare logs, give only logs, --label and --metric",
        ));
    }
    let labels = labels_for(args, default_labels(&args.logs), "log")?;
    let metric = args.metric.clone().unwrap_or_else(|| "val_loss".into());
    let mut runs: Vec<LoggedRun> = Vec::new();
    for (path, label) in args.logs.iter().zip(&labels) {
        let log = load_log(path, args.log_format.as_deref())?;
        let mut run = logged_run(&log, std::slice::from_ref(&metric), None)?;
        run.label = label.clone();
        runs.push(run);
    }
    let mut curves = Vec::new();
    let mut metrics = Vec::new();
    let mut notes = Vec::new();
    for run in &runs {
        curves.push(Curve {
            label: run.label.clone(),
            lr: run.lr.clone(),
            reductions: run.reductions.clone(),
            detail: format!(
                "{} ({} log, LR column `{}`)",
                run.source, run.format, run.lr_column
            ),
        });
        metrics.push(MetricSeries {
            label: format!("{}: {metric}", run.label),
            values: run.metrics[0].1.clone(),
            dashed: is_training_metric(&metric),
        });
        notes.extend(run.notes.iter().map(|n| format!("{}: {n}", run.label)));
    }
    let spec = ChartSpec {
        title: format!("Learning rate and {metric} of {} runs", runs.len()),
        subtitle: vec![
            format!(
                "{} · LR as logged; reductions read off it (a drop first visible at epoch e+1 is decided at the end of epoch e)",
                runs.iter()
                    .map(|r| format!("{}: {} epochs", r.label, r.lr.len()))
                    .collect::<Vec<_>>()
                    .join(" · ")
            ),
        ],
        lr_traces: curves
            .iter()
            .map(|c| LrTrace::new(c.label.clone(), c.lr.clone(), c.reductions.clone()))
            .collect(),
        metrics,
        metric_axis: metric.clone(),
        notes: notes.clone(),
        ..ChartSpec::default()
    };
    Ok(Comparison {
        spec,
        curves,
        notes,
    })
}

/// The settings of each flavor: the flags as given for each (flavor-specific flags only for
/// their flavors), or with `translate` the first flavor's and its translations.
pub fn flavor_configs(
    plateau: &PlateauArgs,
    flavors: &[Flavor],
    translate_from_first: bool,
) -> Result<Vec<PlateauConfig>> {
    if translate_from_first {
        let mut first = plateau.clone();
        first.flavor = Some(flavors[0].into());
        let base = build_config(&first)?;
        return Ok(flavors
            .iter()
            .map(|&f| {
                if f == base.flavor {
                    base.clone()
                } else {
                    translate(&base, f).config
                }
            })
            .collect());
    }
    refuse_foreign_flags(flavors, "--flavors", plateau.flavor_flags())?;
    flavors
        .iter()
        .map(|&f| {
            let mut p = plateau.clone();
            p.flavor = Some(f.into());
            if f.is_keras() {
                p.threshold = None;
                p.threshold_mode = None;
                p.eps = None;
            } else {
                p.min_delta = None;
                // `auto` is a Keras mode; torch keeps its own default (min).
                if p.mode
                    .as_deref()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("auto"))
                {
                    p.mode = None;
                }
            }
            build_config(&p)
        })
        .collect()
}

/// The first epoch where `replayed` (the LR used during each epoch) differs from `logged` by
/// more than float32 rounding (logs hold float32 LRs from Keras, float64 from torch; a torch
/// replay of a Keras log must not differ only because 1e-4 is not a float32).
fn first_difference(logged: &[f64], replayed: &[f64]) -> Option<usize> {
    let same = |a: f64, b: f64| a == b || (a - b).abs() <= 1e-6 * a.abs().max(b.abs());
    (0..logged.len().min(replayed.len())).find(|&e| !same(logged[e], replayed[e]))
}

/// Replays one log under several flavors, next to its logged LR.
pub fn compare_flavors(args: &CompareArgs, flavors: &[Flavor]) -> Result<Comparison> {
    if args.logs.len() != 1 {
        return Err(usage(format!(
            "--flavors replays one log; {} were given (to overlay logs, drop --flavors)",
            args.logs.len()
        )));
    }
    let mut seen = Vec::new();
    for f in flavors {
        if seen.contains(f) {
            return Err(usage(format!("--flavors lists {f} twice")));
        }
        seen.push(*f);
    }
    if args.metric.is_some() {
        return Err(usage(
            "with --flavors the metric drawn is the one replayed: use --monitor",
        ));
    }
    let configs = flavor_configs(&args.plateau, flavors, args.translate)?;
    let labels = labels_for(
        args,
        configs
            .iter()
            .map(|c| format!("{} replay", c.flavor.framework()))
            .collect(),
        "flavor",
    )?;
    let log = load_log(&args.logs[0], args.log_format.as_deref())?;
    let monitor = configs[0].monitor.clone();
    let series = log
        .column(&monitor)
        .with_context(|| log.source.clone())?
        .to_vec();
    if series.is_empty() {
        anyhow::bail!("{}: the column {monitor} has no values", log.source);
    }
    let logged = match log.lr_column {
        Some(_) => Some(logged_run(&log, std::slice::from_ref(&monitor), None)?),
        None => None,
    };
    let initial_lr = match (args.lr, &logged) {
        (Some(lr), _) => lr,
        (None, Some(run)) => run.lr[0],
        (None, None) => {
            return Err(usage(format!(
                "{} has no learning-rate column: pass --lr with the LR before epoch 0",
                log.source
            )))
        }
    };
    let mut curves = Vec::new();
    let mut notes = Vec::new();
    if let Some(run) = &logged {
        curves.push(Curve {
            label: "logged LR".into(),
            lr: run.lr.clone(),
            reductions: run.reductions.clone(),
            detail: format!("column `{}` of {}", run.lr_column, run.source),
        });
        notes.extend(run.notes.iter().cloned());
    }
    let values: Vec<Option<f64>> = series.iter().map(|&v| Some(v)).collect();
    for (config, label) in configs.iter().zip(&labels) {
        let rep = replay(config, initial_lr, &values)
            .map_err(|e| usage(format!("invalid plateau setting: {e}")))?;
        let lr: Vec<f64> = rep.decisions.iter().map(|d| d.lr_before).collect();
        let mut detail = config.summary();
        if let Some(run) = &logged {
            match first_difference(&run.lr, &lr) {
                None => detail.push_str(" · matches the logged LR at every epoch"),
                Some(e) => {
                    let _ = write!(
                        detail,
                        " · differs from the logged LR from epoch {} (logged {}, replayed {})",
                        run.epoch(e),
                        display_lr(run.lr[e]),
                        display_lr(lr[e])
                    );
                }
            }
        }
        for w in config.warnings(initial_lr) {
            notes.push(format!("{label}: {w}"));
        }
        curves.push(Curve {
            label: label.clone(),
            lr,
            reductions: rep
                .decisions
                .iter()
                .filter(|d| d.reduced())
                .map(|d| Reduction {
                    epoch: d.epoch as usize,
                    from: d.lr_before,
                    to: d.lr_after,
                })
                .collect(),
            detail,
        });
    }
    // A replay identical to the logged LR would hide it: draw them as one trace, labelled
    // with both (the replay's reductions include a cut at the last epoch, if any).
    let mut traces: Vec<LrTrace> = Vec::new();
    for (i, c) in curves.iter().enumerate() {
        let same_as_logged = logged.is_some()
            && i > 0
            && c.lr.len() == curves[0].lr.len()
            && first_difference(&curves[0].lr, &c.lr).is_none();
        if same_as_logged {
            let t = &mut traces[0];
            t.label = format!("{} = {}", t.label, c.label);
            t.reductions = c.reductions.clone();
            continue;
        }
        traces.push(LrTrace::new(
            c.label.clone(),
            c.lr.clone(),
            c.reductions.clone(),
        ));
    }
    let mut subtitle: Vec<String> = configs.iter().map(PlateauConfig::summary).collect();
    subtitle.push(format!(
        "replayed on {monitor} of {} ({} epochs) from initial LR {}{}",
        crate::plot_cmd::file_label(&log.source),
        series.len(),
        display_lr(initial_lr),
        if args.translate {
            format!("; settings translated from {}", configs[0].flavor)
        } else {
            String::new()
        }
    ));
    let mut chart_notes = vec![
        "a replay shows what each schedule decides on the recorded curve; it cannot know how the metric would have moved under another LR".to_string(),
    ];
    chart_notes.extend(notes.iter().cloned());
    let spec = ChartSpec {
        title: format!(
            "{} on the same {monitor} curve",
            configs
                .iter()
                .map(|c| c.flavor.framework())
                .collect::<Vec<_>>()
                .join(" vs ")
        ),
        subtitle,
        lr_traces: traces,
        metrics: vec![MetricSeries {
            label: format!("{monitor} (recorded)"),
            values: series,
            dashed: is_training_metric(&monitor),
        }],
        metric_axis: monitor,
        notes: chart_notes,
        ..ChartSpec::default()
    };
    Ok(Comparison {
        spec,
        curves,
        notes,
    })
}

/// The text summary: one block per curve.
pub fn summary_text(c: &Comparison) -> String {
    let mut s = String::new();
    for curve in &c.curves {
        let n = curve.lr.len();
        // The LR after the last epoch: a cut decided at its end, else the LR it used.
        let final_lr = match curve.reductions.last() {
            Some(r) if r.epoch + 1 == n => r.to,
            _ => curve.lr.last().copied().unwrap_or(f64::NAN),
        };
        let at = if curve.reductions.is_empty() {
            String::new()
        } else {
            format!(
                " at the end of epoch(s) {}",
                curve
                    .reductions
                    .iter()
                    .map(|r| r.epoch.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let _ = writeln!(
            s,
            "{}: {n} epochs, {} reduction(s){at}; final LR {}",
            curve.label,
            curve.reductions.len(),
            display_lr(final_lr)
        );
        let _ = writeln!(s, "  {}", curve.detail);
    }
    for n in &c.notes {
        let _ = writeln!(s, "note: {n}");
    }
    s
}

/// `lrviz compare`.
pub fn run(args: &CompareArgs) -> Result<()> {
    let mut flavors: Vec<Flavor> = args.flavors.iter().map(|&f| f.into()).collect();
    if let Some(f) = args.plateau.flavor {
        if !flavors.is_empty() {
            return Err(usage(
                "give the flavors with --flavors only (e.g. --flavors keras,torch), not --flavor as well",
            ));
        }
        flavors.push(f.into());
    }
    let comparison = if flavors.is_empty() {
        compare_logs(args)?
    } else {
        compare_flavors(args, &flavors)?
    };
    let out = OutputDir::prepare(&args.out)?;
    crate::say_raw!("{}", summary_text(&comparison));
    for f in write_chart(&out, "compare", &comparison.spec)? {
        eprintln!("wrote {}", f.display());
    }
    Ok(())
}
