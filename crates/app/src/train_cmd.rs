//! `lrviz train`: data → split → MLP under ReduceLROnPlateau → history files and charts.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use lrviz_data::{
    load_csv, synthetic, train_val_split, CsvOptions, Split, Standardizer, SyntheticKind,
    SyntheticSpec,
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
            (load_csv(path, &opts)?, true)
        }
        None => {
            let kind = match args.synthetic {
                SyntheticArg::Random => SyntheticKind::Random,
                SyntheticArg::Linear => SyntheticKind::Linear,
                SyntheticArg::Moons => SyntheticKind::Moons,
                SyntheticArg::Circles => SyntheticKind::Circles,
            };
            let spec = SyntheticSpec {
                kind,
                samples: args.samples,
                features: args.features,
                noise: args.noise,
                seed: args.seed,
            };
            (
                synthetic(&spec)
                    .map_err(|e| usage(format!("invalid synthetic data flags: {e}")))?,
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
    .with_context(|| {
        format!(
            "cannot split {} with --val-split {}",
            ds.source, args.val_split
        )
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
    if args.nesterov && args.momentum == 0.0 {
        return Err(usage(
            "--nesterov needs --momentum > 0 (e.g. --momentum 0.9)",
        ));
    }
    let out = OutputDir::prepare(&args.out)?;
    let (split, data_info) = load_data(args)?;
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
    let mut plateau_cb = PlateauCallback::new(plateau.clone(), args.lr)?;
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
    for w in &warnings {
        reporter.say(&format!("warning: {w}"));
    }
    let existing = out.existing_own_files();
    if !existing.is_empty() {
        reporter.say(&format!(
            "note: replacing lrviz's own files in {}: {}",
            out.path().display(),
            existing.join(", ")
        ));
    }

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
                "interrupted: {}; the epochs completed so far were written",
                stop_text(&output.history.stop)
            ),
        }
        .into()),
        _ => Ok(output),
    }
}

/// Writes history.json, history.csv and the two charts, each atomically.
pub fn write_outputs(out: &OutputDir, history: &History) -> Result<Vec<PathBuf>> {
    let spec = training_chart(history);
    let png = lrviz_viz::render_png(&spec).context("cannot draw the PNG chart")?;
    let svg = lrviz_viz::render_svg(&spec).context("cannot draw the SVG chart")?;
    Ok(vec![
        out.write("history.json", history.to_json().as_bytes())?,
        out.write("history.csv", history.to_csv().as_bytes())?,
        out.write("lr_schedule.png", &png)?,
        out.write("lr_schedule.svg", svg.as_bytes())?,
    ])
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
    crate::say!("training took {:.2} s", o.train_seconds);
    for f in &o.files {
        crate::say!("wrote {}", f.display());
    }
}
