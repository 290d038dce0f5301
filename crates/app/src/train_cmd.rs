//! `lrviz train`: data → split → MLP under ReduceLROnPlateau → history files and charts.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use lrviz_data::{
    load_csv_with_limit, synthetic, train_val_split, CsvOptions, DataError, Split, Standardizer,
    SyntheticKind, SyntheticSpec,
};
use lrviz_model::{
    train, Activation, Callback, CallbackEvent, Control, EarlyStopping, EarlyStoppingConfig,
    EpochLogs, MlpConfig, ModelError, PlateauCallback, SgdConfig, StopReason, TrainConfig,
};

use crate::chart::{stop_text, training_chart};
use crate::cli::{SyntheticArg, TrainArgs};
use crate::errors::{usage, ExitError, EXIT_DIVERGED, EXIT_INTERRUPTED};
use crate::history::{DataInfo, History, TrainingInfo, SCHEMA_VERSION};
use crate::output::OutputDir;
use crate::plateau::build_config;

/// What `train` produced.
#[derive(Debug)]
pub struct TrainOutput {
    /// The history written to history.json.
    pub history: History,
    /// Paths written.
    pub files: Vec<PathBuf>,
    /// Seconds spent training (not in the history file).
    pub train_seconds: f64,
}

/// Loads the data the flags describe and splits it; returns the split and its description.
pub fn load_data(args: &TrainArgs) -> Result<(Split, DataInfo)> {
    let (ds, standardize_default) = match &args.data {
        Some(path) => {
            let opts = CsvOptions {
                label: args.label.clone(),
                positive: args.positive.clone(),
                delimiter: args.delimiter,
            };
            let (limit, source) = crate::limits::data_file_limit(
                args.max_data_size,
                crate::limits::available_memory(),
            );
            let ds = load_csv_with_limit(path, &opts, limit).map_err(|e| match e {
                DataError::TooLarge { path, size, limit } => anyhow::anyhow!(
                    "{path}: the data file is {} ({size} bytes), over the limit of {} ({limit} \
                     bytes; {source}) for a training set held in memory; use a smaller file, or \
                     raise the limit with --max-data-size if the machine has the memory",
                    crate::limits::human_bytes(size),
                    crate::limits::human_bytes(limit),
                ),
                other => other.into(),
            })?;
            (ds, true)
        }
        None => {
            let kind = match args.synthetic {
                SyntheticArg::Random => SyntheticKind::Random,
                SyntheticArg::Linear => SyntheticKind::Linear,
                SyntheticArg::Moons => SyntheticKind::Moons,
                SyntheticArg::Circles => SyntheticKind::Circles,
            };
            let noise = args.noise.unwrap_or(kind.default_noise());
            let spec = SyntheticSpec {
                kind,
                samples: args.samples,
                features: args.features,
                noise,
                seed: args.seed,
            };
            (
                synthetic(&spec).map_err(|e| {
                    usage(format!(
                        "invalid synthetic data flags --samples {} --features {} --noise {}: {e}",
                        args.samples, args.features, noise
                    ))
                })?,
                false,
            )
        }
    };
    let standardize = if args.standardize {
        true
    } else if args.no_standardize {
        false
    } else {
        standardize_default
    };
    let mut split = train_val_split(
        &ds,
        args.val_split,
        args.stratify,
        !args.no_shuffle_split,
        args.seed,
    )
    .map_err(|e| {
        let msg = format!("--val-split {} on {}: {e}", args.val_split, ds.source);
        if args.data.is_some() {
            // The file has too few rows (or one class per split): an input problem.
            anyhow::anyhow!(msg)
        } else {
            // Synthetic data: the flags asked for too few rows.
            usage(format!("{msg}; raise --samples or change --val-split"))
        }
    })?;
    if standardize {
        let s = Standardizer::fit(&split.train);
        s.apply(&mut split.train);
        s.apply(&mut split.val);
    }
    let info = DataInfo {
        source: ds.source.clone(),
        label: ds.label_name.clone(),
        label_map: ds.label_map.clone(),
        features: ds.n_features,
        train_rows: split.train.n_rows(),
        val_rows: split.val.n_rows(),
        val_split: args.val_split,
        stratified: args.stratify,
        standardized: standardize,
    };
    Ok((split, info))
}

/// Prints progress: a bar on a terminal, one line per epoch otherwise; reduction messages in
/// the flavor's wording.
struct Reporter {
    bar: Option<ProgressBar>,
    epochs: usize,
    quiet: bool,
}

impl Reporter {
    fn new(epochs: usize, quiet: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let pb = ProgressBar::new(epochs as u64);
            pb.set_style(
                ProgressStyle::with_template(
                    "{spinner} epoch {pos}/{len} [{bar:30}] {msg} ({elapsed})",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            pb
        });
        Self { bar, epochs, quiet }
    }

    fn say(&self, line: &str) {
        if self.quiet {
            return;
        }
        match &self.bar {
            Some(pb) => pb.suspend(|| crate::say!("{line}")),
            None => crate::say!("{line}"),
        }
    }
}

impl Callback for Reporter {
    fn name(&self) -> &str {
        "progress"
    }

    fn on_epoch_end(&mut self, logs: &EpochLogs, control: &mut Control) -> Result<(), ModelError> {
        for e in control.events() {
            match e {
                CallbackEvent::LrReduced { message, .. } => self.say(message),
                CallbackEvent::Notice(n) => self.say(&format!("note: {n}")),
            }
        }
        let line = format!(
            "loss {:.4} - accuracy {:.4} - val_loss {:.4} - val_accuracy {:.4} - learning_rate {}",
            logs.loss,
            logs.accuracy,
            logs.val_loss,
            logs.val_accuracy,
            lrviz_viz::format_lr(logs.learning_rate)
        );
        match &self.bar {
            Some(pb) => {
                pb.set_position(logs.epoch as u64 + 1);
                pb.set_message(format!(
                    "val_loss {:.4} lr {}",
                    logs.val_loss,
                    lrviz_viz::format_lr(control.lr())
                ));
            }
            None if !self.quiet => crate::say!("Epoch {}/{} - {line}", logs.epoch + 1, self.epochs),
            None => {}
        }
        Ok(())
    }

    fn on_train_end(&mut self, _history: &[EpochLogs], _control: &mut Control) {
        if let Some(pb) = self.bar.take() {
            pb.finish_and_clear();
        }
    }
}

/// Runs `lrviz train`. `interrupt` is set by the Ctrl-C handler.
pub fn run(args: &TrainArgs, interrupt: Option<Arc<AtomicBool>>) -> Result<TrainOutput> {
    let plateau = build_config(&args.plateau)?;
    let activation: Activation = args
        .activation
        .parse()
        .map_err(|e: String| usage(format!("invalid --activation: {e}")))?;
    // Checked here rather than with clap's `requires`, whose message names the flag only on
    // its second line.
    if args.data.is_none() {
        for (given, flag) in [
            (args.label.is_some(), "--label"),
            (args.positive.is_some(), "--positive"),
            (args.delimiter.is_some(), "--delimiter"),
            (args.max_data_size.is_some(), "--max-data-size"),
        ] {
            if given {
                return Err(usage(format!(
                    "{flag} applies to a CSV data set: give one with --data FILE, or drop {flag}"
                )));
            }
        }
    }
    if args.restore_best_weights && args.early_stopping.is_none() {
        return Err(usage(
            "--restore-best-weights needs --early-stopping N (it restores the best weights when early stopping ends the run)",
        ));
    }
    let probe = EpochLogs {
        epoch: 0,
        learning_rate: 0.0,
        loss: 0.0,
        accuracy: 0.0,
        val_loss: 0.0,
        val_accuracy: 0.0,
        batches: 0,
    };
    if probe.get(&plateau.monitor).is_none() {
        return Err(usage(format!(
            "--monitor {}: lrviz train logs only {}; with another metric the schedule would never reduce the LR (Keras would warn every epoch)",
            plateau.monitor,
            EpochLogs::METRICS.join(", ")
        )));
    }
    if args.nesterov && args.momentum == 0.0 {
        return Err(usage(
            "--nesterov needs --momentum > 0 (e.g. --momentum 0.9)",
        ));
    }
    // Data first: a bad data file must not leave an empty output directory behind. The output
    // directory is still checked before any training starts.
    let (split, data_info) = load_data(args)?;
    check_memory(args, &data_info)?;
    let out = OutputDir::prepare(&args.out)?;
    let mlp = MlpConfig {
        inputs: data_info.features,
        hidden: args.hidden.clone(),
        activation,
    };
    let config = TrainConfig {
        epochs: args.epochs,
        batch_size: args.batch_size,
        sgd: SgdConfig {
            lr: args.lr,
            momentum: args.momentum,
            nesterov: args.nesterov,
        },
        seed: args.seed,
        shuffle: !args.no_shuffle,
        stop_on_nan: !args.nan_to_scheduler,
        interrupt,
        ..TrainConfig::default()
    };
    let mut warnings = plateau.warnings(args.lr);
    let mut plateau_cb = PlateauCallback::new(plateau.clone(), args.lr)
        .map_err(|e| usage(format!("invalid --lr {}: {e}", args.lr)))?;
    let mut early = args
        .early_stopping
        .map(|patience| {
            EarlyStopping::new(EarlyStoppingConfig {
                monitor: "val_loss".into(),
                patience,
                restore_best_weights: args.restore_best_weights,
                ..EarlyStoppingConfig::default()
            })
        })
        .transpose()?;
    if let Some(es) = &early {
        warnings.extend(plateau.early_stopping_warning(es.config().patience as u64));
    }
    let mut reporter = Reporter::new(args.epochs, args.quiet);
    // Warnings go to stderr and are shown even with --quiet: they are about the settings.
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let existing = out.existing_own_files();
    if !existing.is_empty() {
        reporter.say(&format!(
            "note: replacing lrviz's own files in {}: {}",
            out.path().display(),
            existing.join(", ")
        ));
    }

    // From here a Ctrl-C stops training after the current batch and the files are still written.
    let _armed = crate::interrupt::Armed::new();
    let run = {
        let mut callbacks: Vec<&mut dyn Callback> = vec![&mut plateau_cb];
        if let Some(es) = early.as_mut() {
            callbacks.push(es);
        }
        callbacks.push(&mut reporter);
        train(&mlp, &config, &split.train, &split.val, &mut callbacks)?
    };
    for (_, e) in &run.events {
        if let CallbackEvent::Notice(n) = e {
            if n.starts_with("EarlyStopping restored") {
                reporter.say(&format!("note: {n}"));
            }
        }
    }
    if let StopReason::Interrupted { batches_done, .. } = run.stop {
        if run.history.is_empty() {
            return Err(ExitError {
                code: EXIT_INTERRUPTED,
                message: format!(
                    "interrupted in epoch 0 after {batches_done} batch(es), before any epoch \
                     completed: nothing was written"
                ),
            }
            .into());
        }
    }
    let mut records = History::records(&run.history, plateau_cb.decisions());
    if let StopReason::Diverged { .. } = run.stop {
        // The diverged epoch never reached the callbacks: its LR stays as it was.
        if let Some(last) = records.last_mut() {
            last.lr_after = last.learning_rate;
        }
    }
    for d in plateau_cb.decisions() {
        for w in &d.warnings {
            if !warnings.contains(w) {
                warnings.push(w.clone());
            }
        }
    }
    let history = History {
        schema_version: SCHEMA_VERSION,
        lrviz_version: env!("CARGO_PKG_VERSION").to_string(),
        seed: args.seed,
        data: data_info,
        training: TrainingInfo {
            epochs: args.epochs,
            batch_size: args.batch_size,
            lr: args.lr,
            momentum: args.momentum,
            nesterov: args.nesterov,
            hidden: args.hidden.clone(),
            activation: activation.to_string(),
            parameters: mlp.parameters(),
            stop_on_nan: config.stop_on_nan,
        },
        plateau,
        early_stopping_patience: args.early_stopping,
        stop: run.stop.clone(),
        warnings,
        reductions: History::reductions_of(&records),
        summary: History::summary_of(&records, args.lr),
        epochs: records,
    };
    let files = write_outputs(&out, &history)?;
    let output = TrainOutput {
        history,
        files,
        train_seconds: run.train_seconds,
    };
    print_summary(&output, args.quiet);
    match &output.history.stop {
        StopReason::Diverged { epoch, batch, loss } => Err(ExitError {
            code: EXIT_DIVERGED,
            message: format!(
                "training diverged: loss {loss} at epoch {epoch}, batch {batch}; history and chart up to that point were written. Lower the learning rate (e.g. --lr {}) or pass --nan-to-scheduler to let ReduceLROnPlateau see the NaN",
                lrviz_viz::format_lr(args.lr / 10.0)
            ),
        }
        .into()),
        StopReason::Interrupted { .. } => Err(ExitError {
            code: EXIT_INTERRUPTED,
            message: format!(
                "{} (Ctrl-C); history and chart of the {} completed epoch(s) were written to {}",
                stop_text(&output.history.stop),
                output.history.epochs.len(),
                out.path().display()
            ),
        }
        .into()),
        _ => Ok(output),
    }
}

/// Writes history.json, history.csv and the two charts, each atomically. The history goes
/// first, so a chart that cannot be drawn never costs the record of a training run.
pub fn write_outputs(out: &OutputDir, history: &History) -> Result<Vec<PathBuf>> {
    let mut files = vec![
        out.write("history.json", history.to_json().as_bytes())?,
        out.write("history.csv", history.to_csv().as_bytes())?,
    ];
    let written = "history.json and history.csv were written";
    let spec = training_chart(history);
    let png = lrviz_viz::render_png(&spec)
        .with_context(|| format!("{written}, but the PNG chart cannot be drawn"))?;
    let svg = lrviz_viz::render_svg(&spec)
        .with_context(|| format!("{written}, but the SVG chart cannot be drawn"))?;
    files.push(out.write("lr_schedule.png", &png)?);
    files.push(out.write("lr_schedule.svg", svg.as_bytes())?);
    Ok(files)
}

/// Refuses, before training, a model and data that would not fit the available memory
/// ([`crate::limits::training_bytes`]).
fn check_memory(args: &TrainArgs, data: &DataInfo) -> Result<()> {
    use crate::limits::{available_memory, human_bytes, training_bytes, FALLBACK_MEMORY};
    let (available, known) = match available_memory() {
        Some(a) => (a, true),
        None => (FALLBACK_MEMORY, false),
    };
    let needed = training_bytes(
        data.features,
        &args.hidden,
        data.train_rows,
        data.val_rows,
        args.batch_size,
    );
    if needed.is_some_and(|n| n <= available) {
        return Ok(());
    }
    let widths = args
        .hidden
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(",");
    Err(usage(format!(
        "--hidden {widths} with {} features, {} training and {} validation rows would need {} \
         of memory, more than the {} {}; use narrower hidden layers (--hidden) or less data",
        data.features,
        data.train_rows,
        data.val_rows,
        needed.map_or("more than 16 EiB".to_string(), human_bytes),
        human_bytes(available),
        if known {
            "available"
        } else {
            "assumed (available memory unknown)"
        }
    )))
}

fn print_summary(o: &TrainOutput, quiet: bool) {
    let h = &o.history;
    let s = &h.summary;
    let fmt = |v: Option<f64>| v.map_or("n/a".to_string(), |v| format!("{v:.4}"));
    crate::say!(
        "{} epochs run ({}); {} reduction(s) of the learning rate ({} flavor), final LR {}",
        s.epochs_run,
        stop_text(&h.stop),
        s.reductions,
        h.plateau.flavor,
        lrviz_viz::format_lr(s.final_lr)
    );
    if !quiet {
        for r in &h.reductions {
            crate::say!(
                "  reduced at end of epoch {} (0-based): {} -> {}",
                r.epoch,
                lrviz_viz::format_lr(r.from),
                lrviz_viz::format_lr(r.to)
            );
        }
    }
    crate::say!(
        "val_loss: best {} at epoch {} (val_accuracy {}), final {}",
        fmt(s.best_val_loss),
        s.best_epoch.map_or("n/a".into(), |e| e.to_string()),
        fmt(s.best_val_accuracy),
        fmt(s.final_val_loss)
    );
    if let Some(r) = h.epochs.iter().find(|r| !r.loss.is_finite()) {
        if !h.training.stop_on_nan {
            crate::say!(
                "warning: the training loss is {} from epoch {} on (--nan-to-scheduler passed it to the plateau logic); the weights are lost once it is NaN: lower the learning rate",
                r.loss,
                r.epoch
            );
        }
    }
    crate::say!("training took {:.2} s", o.train_seconds);
    for f in &o.files {
        crate::say!("wrote {}", f.display());
    }
}
