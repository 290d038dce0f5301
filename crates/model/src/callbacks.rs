//! The callbacks lrviz ships: [`PlateauCallback`] (ReduceLROnPlateau, in any flavor) and
//! [`EarlyStopping`] (Keras 3 semantics).

use lrviz_scheduler::{Direction, EpochDecision, Event, Mode, PlateauConfig, ReduceLrOnPlateau};
use serde::{Deserialize, Serialize};

use crate::{Callback, CallbackEvent, Control, EpochLogs, ModelError};

/// ReduceLROnPlateau as a training callback: feeds the monitored value of each epoch to the
/// pure scheduler and applies its decision to the optimizer. Every decision is kept, with the
/// numbers behind it, for the history and `lrviz explain`.
#[derive(Clone, Debug)]
pub struct PlateauCallback {
    scheduler: ReduceLrOnPlateau,
    decisions: Vec<EpochDecision>,
}

impl PlateauCallback {
    /// Validates `config` for its flavor; `initial_lr` is the optimizer's starting LR.
    pub fn new(config: PlateauConfig, initial_lr: f64) -> Result<Self, ModelError> {
        Ok(Self {
            scheduler: ReduceLrOnPlateau::new(config, initial_lr)?,
            decisions: Vec::new(),
        })
    }

    /// The scheduler, with its current state.
    pub fn scheduler(&self) -> &ReduceLrOnPlateau {
        &self.scheduler
    }

    /// One decision per epoch seen so far.
    pub fn decisions(&self) -> &[EpochDecision] {
        &self.decisions
    }
}

impl Callback for PlateauCallback {
    fn name(&self) -> &str {
        "ReduceLROnPlateau"
    }

    fn on_train_begin(&mut self, control: &mut Control) -> Result<(), ModelError> {
        if control.lr() != self.scheduler.lr() {
            self.scheduler.set_lr(control.lr());
        }
        // The optimizer trains with the LR as the flavor holds it (Keras: float32), so the
        // history logs what Keras logs (0.05 -> 0.05000000074505806).
        control.set_lr(self.scheduler.lr());
        Ok(())
    }

    fn on_epoch_end(&mut self, logs: &EpochLogs, control: &mut Control) -> Result<(), ModelError> {
        if control.lr() != self.scheduler.lr() {
            // Another callback (or the user) moved the LR: the scheduler continues from it.
            self.scheduler.set_lr(control.lr());
        }
        let monitor = self.scheduler.config().monitor.clone();
        let value = logs.get(&monitor);
        let decision = self.scheduler.step(logs.epoch as u64, value);
        if let Event::Reduced { from, to } = decision.event {
            control.set_lr(self.scheduler.lr());
            control.emit(CallbackEvent::LrReduced {
                epoch: logs.epoch,
                from,
                to,
                message: decision
                    .message(self.scheduler.config())
                    .unwrap_or_default(),
            });
        }
        if value.is_none() {
            control.emit(CallbackEvent::Notice(format!(
                "Learning rate reduction is conditioned on metric `{monitor}` which is not available. Available metrics are: {}",
                EpochLogs::METRICS.join(",")
            )));
        }
        self.decisions.push(decision);
        Ok(())
    }
}

/// EarlyStopping settings (Keras 3 names and defaults).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EarlyStoppingConfig {
    /// Metric to watch (default `val_loss`).
    pub monitor: String,
    /// Minimum change that counts as an improvement (absolute, default 0).
    pub min_delta: f64,
    /// Epochs without improvement before stopping (default 0).
    pub patience: usize,
    /// `auto` decides from the metric's name, as ReduceLROnPlateau's Keras flavor does.
    pub mode: Mode,
    /// Put back the weights of the best epoch when training ends.
    pub restore_best_weights: bool,
    /// Epochs to wait before watching at all.
    pub start_from_epoch: usize,
}

impl Default for EarlyStoppingConfig {
    fn default() -> Self {
        Self {
            monitor: "val_loss".into(),
            min_delta: 0.0,
            patience: 0,
            mode: Mode::Auto,
            restore_best_weights: false,
            start_from_epoch: 0,
        }
    }
}

/// Stops training when the monitored metric has stopped improving (Keras 3 `EarlyStopping`):
/// every watched epoch increments a counter, an improvement (`current ∓ min_delta` strictly
/// better than the best) resets it, and training stops at the end of the epoch where the
/// counter reaches `patience` (never at epoch 0).
#[derive(Clone, Debug)]
pub struct EarlyStopping {
    config: EarlyStoppingConfig,
    direction: Direction,
    best: Option<f64>,
    wait: usize,
    stopped_epoch: Option<usize>,
    best_epoch: Option<usize>,
}

impl EarlyStopping {
    /// Resolves the direction (an unknown metric with `mode = auto` is an error).
    pub fn new(config: EarlyStoppingConfig) -> Result<Self, ModelError> {
        if !(config.min_delta.is_finite() && config.min_delta >= 0.0) {
            return Err(ModelError::InvalidConfig {
                name: "early-stopping min_delta",
                value: config.min_delta.to_string(),
                expected: "a finite value >= 0",
            });
        }
        let probe = PlateauConfig {
            monitor: config.monitor.clone(),
            mode: config.mode,
            ..PlateauConfig::keras()
        };
        Ok(Self {
            direction: probe.direction()?,
            config,
            best: None,
            wait: 0,
            stopped_epoch: None,
            best_epoch: None,
        })
    }

    /// The epoch at whose end training was stopped, if it was.
    pub fn stopped_epoch(&self) -> Option<usize> {
        self.stopped_epoch
    }

    /// The best epoch seen.
    pub fn best_epoch(&self) -> Option<usize> {
        self.best_epoch
    }

    /// The settings.
    pub fn config(&self) -> &EarlyStoppingConfig {
        &self.config
    }

    fn improves(&self, current: f64) -> bool {
        match (self.best, self.direction) {
            (None, _) => true,
            (Some(best), Direction::Min) => current + self.config.min_delta < best,
            (Some(best), Direction::Max) => current - self.config.min_delta > best,
        }
    }
}

impl Callback for EarlyStopping {
    fn name(&self) -> &str {
        "EarlyStopping"
    }

    fn on_train_begin(&mut self, _control: &mut Control) -> Result<(), ModelError> {
        self.best = None;
        self.wait = 0;
        self.stopped_epoch = None;
        self.best_epoch = None;
        Ok(())
    }

    fn on_epoch_end(&mut self, logs: &EpochLogs, control: &mut Control) -> Result<(), ModelError> {
        let Some(current) = logs.get(&self.config.monitor) else {
            return Ok(());
        };
        if logs.epoch < self.config.start_from_epoch {
            return Ok(());
        }
        if self.config.restore_best_weights && self.best_epoch.is_none() {
            control.snapshot_weights();
            self.best_epoch = Some(logs.epoch);
        }
        self.wait += 1;
        if self.improves(current) {
            self.best = Some(current);
            self.best_epoch = Some(logs.epoch);
            self.wait = 0;
            if self.config.restore_best_weights {
                control.snapshot_weights();
            }
            return Ok(());
        }
        if self.wait >= self.config.patience && logs.epoch > 0 {
            self.stopped_epoch = Some(logs.epoch);
            control.stop(format!(
                "{} did not improve for {} epochs (best {} at epoch {})",
                self.config.monitor,
                self.wait,
                self.best.map_or("n/a".into(), |b| format!("{b:.6}")),
                self.best_epoch.map_or("n/a".into(), |e| e.to_string())
            ));
        }
        Ok(())
    }

    fn on_train_end(&mut self, _history: &[EpochLogs], control: &mut Control) {
        if self.config.restore_best_weights && self.best_epoch.is_some() {
            control.restore_weights();
            control.emit(CallbackEvent::Notice(format!(
                "EarlyStopping restored the weights of epoch {}",
                self.best_epoch.unwrap_or(0)
            )));
        }
    }
}
