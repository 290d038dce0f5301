//! The training loop and the callback contract.
//!
//! Each epoch: the training rows are shuffled with the run's seeded RNG and copied once into
//! one contiguous buffer (batches are contiguous slices of it, not gathered per step); every
//! batch does forward, loss, backward and an SGD step; then the whole validation split is
//! evaluated and every callback sees the epoch's [`EpochLogs`]. A callback may set a new
//! learning rate, which takes effect from the next epoch, or stop training (see [`Control`]).
//!
//! Two interchangeable steps compute that ([`StepKind`]): the fused step (default,
//! `crate::fused`: a hand-derived forward/backward on the weights as plain `f32` buffers, no
//! allocation per step; the candle variables are written once training ends) and candle's
//! autograd, kept as the reference the fused step is tested against. They agree to within
//! float32 rounding (only the order of sums differs).
//!
//! A non-finite training loss stops the run after that batch (like Keras' `TerminateOnNaN`),
//! unless [`TrainConfig::stop_on_nan`] is off, in which case the NaN flows into the logs and
//! the callbacks decide. An interrupt flag is checked after every batch.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use candle_core::{Device, Tensor};
use candle_nn::Optimizer;
use lrviz_data::Dataset;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};

use crate::fused::FusedMlp;
use crate::mlp::{accuracy, bce_with_logits};
use crate::{Mlp, MlpConfig, ModelError, Sgd, SgdConfig};

/// How each training step is computed. Both give the same trajectory to within float32
/// rounding; see the module docs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    /// Hand-derived forward/backward and SGD update on plain buffers (fast; the default).
    #[default]
    Fused,
    /// candle's autograd and the [`Sgd`] optimizer, one tensor per op (the reference).
    Autograd,
}

/// Training settings.
#[derive(Clone, Debug)]
pub struct TrainConfig {
    /// Epochs to run (at least 1).
    pub epochs: usize,
    /// Rows per SGD step (at least 1); the last batch of an epoch may be smaller.
    pub batch_size: usize,
    /// The optimizer (its `lr` is the LR of epoch 0).
    pub sgd: SgdConfig,
    /// The one seed: initial weights and the per-epoch shuffles derive from it.
    pub seed: u64,
    /// Shuffle the training rows every epoch (Keras' `fit(shuffle=True)`).
    pub shuffle: bool,
    /// Stop at the first non-finite training loss (default). Off: keep going and let the
    /// callbacks see the NaN.
    pub stop_on_nan: bool,
    /// Set from another thread (e.g. a Ctrl-C handler) to stop after the current batch.
    pub interrupt: Option<Arc<AtomicBool>>,
    /// How each step is computed (default [`StepKind::Fused`]).
    pub step: StepKind,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 100,
            batch_size: 32,
            sgd: SgdConfig::default(),
            seed: 0,
            shuffle: true,
            stop_on_nan: true,
            interrupt: None,
            step: StepKind::Fused,
        }
    }
}

impl TrainConfig {
    /// Refuses zero epochs or batch size and invalid SGD settings.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.epochs == 0 {
            return Err(ModelError::InvalidConfig {
                name: "epochs",
                value: "0".into(),
                expected: "at least 1 epoch",
            });
        }
        if self.batch_size == 0 {
            return Err(ModelError::InvalidConfig {
                name: "batch-size",
                value: "0".into(),
                expected: "at least 1 row per batch",
            });
        }
        self.sgd.validate()
    }
}

/// What happened in one epoch, as callbacks and the history see it (Keras' `logs`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochLogs {
    /// 0-based epoch index.
    pub epoch: usize,
    /// The learning rate used during this epoch.
    pub learning_rate: f64,
    /// Mean training loss over the epoch's batches, weighted by batch size.
    pub loss: f64,
    /// Training accuracy over the epoch.
    pub accuracy: f64,
    /// Loss on the validation split after the epoch.
    pub val_loss: f64,
    /// Accuracy on the validation split after the epoch.
    pub val_accuracy: f64,
    /// Batches that ran (fewer than planned only in a diverged epoch).
    pub batches: usize,
}

impl EpochLogs {
    /// Looks a metric up by its Keras name (`loss`, `accuracy`/`acc`, `val_loss`,
    /// `val_accuracy`/`val_acc`, `learning_rate`/`lr`); `None` when lrviz does not log it.
    pub fn get(&self, name: &str) -> Option<f64> {
        match name {
            "loss" => Some(self.loss),
            "accuracy" | "acc" => Some(self.accuracy),
            "val_loss" => Some(self.val_loss),
            "val_accuracy" | "val_acc" => Some(self.val_accuracy),
            "learning_rate" | "lr" => Some(self.learning_rate),
            _ => None,
        }
    }

    /// The metric names [`EpochLogs::get`] knows.
    pub const METRICS: [&'static str; 5] = [
        "loss",
        "accuracy",
        "val_loss",
        "val_accuracy",
        "learning_rate",
    ];
}

/// Something a callback reports to the callbacks after it and to the caller.
#[derive(Clone, Debug, PartialEq)]
pub enum CallbackEvent {
    /// The learning rate was lowered at the end of `epoch`.
    LrReduced {
        /// 0-based epoch at whose end it happened.
        epoch: usize,
        /// LR before.
        from: f64,
        /// LR after.
        to: f64,
        /// The message the framework would print (e.g. Keras' wording).
        message: String,
    },
    /// A free-form notice (a warning, a stop reason).
    Notice(String),
}

/// What callbacks may do at the end of an epoch.
#[derive(Debug)]
pub struct Control {
    lr: f64,
    stop: Option<String>,
    snapshot: bool,
    restore: bool,
    events: Vec<CallbackEvent>,
}

impl Control {
    fn new(lr: f64) -> Self {
        Self {
            lr,
            stop: None,
            snapshot: false,
            restore: false,
            events: Vec::new(),
        }
    }

    /// The learning rate the next epoch will use (earlier callbacks may have changed it).
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// Sets the learning rate for the next epoch onwards.
    pub fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }

    /// Ends training after this epoch; `reason` is reported.
    pub fn stop(&mut self, reason: impl Into<String>) {
        self.stop.get_or_insert(reason.into());
    }

    /// Whether a callback already asked to stop.
    pub fn stopping(&self) -> bool {
        self.stop.is_some()
    }

    /// Asks the trainer to keep a copy of the current weights (the best so far).
    pub fn snapshot_weights(&mut self) {
        self.snapshot = true;
    }

    /// Asks the trainer to put the last snapshot back (at the end of this epoch).
    pub fn restore_weights(&mut self) {
        self.restore = true;
    }

    /// Reports an event to later callbacks and the caller.
    pub fn emit(&mut self, event: CallbackEvent) {
        self.events.push(event);
    }

    /// Events emitted so far in this epoch.
    pub fn events(&self) -> &[CallbackEvent] {
        &self.events
    }
}

/// The callback contract. Callbacks run in order at the end of each epoch; each sees the
/// changes of those before it through [`Control`].
pub trait Callback {
    /// A short name for messages.
    fn name(&self) -> &str;
    /// Called once before the first epoch; `control.lr()` is the initial learning rate, which
    /// a callback may adjust (the Keras flavors hold the LR as float32, as Keras does).
    fn on_train_begin(&mut self, _control: &mut Control) -> Result<(), ModelError> {
        Ok(())
    }
    /// Called after every batch (cheap: used by progress bars).
    fn on_batch_end(&mut self, _epoch: usize, _batch: usize, _batches: usize) {}
    /// Called at the end of every complete epoch.
    fn on_epoch_end(&mut self, logs: &EpochLogs, control: &mut Control) -> Result<(), ModelError>;
    /// Called once after the last epoch, however training ended.
    fn on_train_end(&mut self, _history: &[EpochLogs], _control: &mut Control) {}
}

/// Why training ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StopReason {
    /// All epochs ran.
    Completed,
    /// A callback asked to stop.
    Callback {
        /// The callback's name.
        name: String,
        /// Its reason.
        reason: String,
    },
    /// The training loss became NaN or infinite.
    Diverged {
        /// 0-based epoch.
        epoch: usize,
        /// 0-based batch within the epoch.
        batch: usize,
        /// The loss value seen (NaN or ±inf: written as "NaN"/"Infinity" in JSON).
        #[serde(with = "lrviz_scheduler::serde_f64")]
        loss: f64,
    },
    /// The interrupt flag was set.
    Interrupted {
        /// 0-based epoch that was running.
        epoch: usize,
        /// Batches of it that completed.
        batches_done: usize,
    },
}

/// A finished training run.
#[derive(Debug)]
pub struct TrainRun {
    /// The trained model.
    pub model: Mlp,
    /// One record per epoch that ran (a diverged epoch is included with its partial figures).
    pub history: Vec<EpochLogs>,
    /// Events the callbacks emitted, in order, with the epoch they belong to.
    pub events: Vec<(usize, CallbackEvent)>,
    /// Why it ended.
    pub stop: StopReason,
    /// Wall-clock seconds spent in the loop (not deterministic; keep out of history files).
    pub train_seconds: f64,
}

/// Loss and accuracy of `model` on a whole data set.
pub fn evaluate(model: &Mlp, data: &Dataset) -> Result<(f64, f64), ModelError> {
    let (x, y) = to_tensors(data)?;
    let z = model.forward(&x)?;
    let loss = bce_with_logits(&z, &y)?.to_scalar::<f32>()? as f64;
    Ok((loss, accuracy(&z, &y)?))
}

fn to_tensors(data: &Dataset) -> Result<(Tensor, Tensor), ModelError> {
    let n = data.n_rows();
    let x = Tensor::from_slice(&data.features, (n, data.n_features), &Device::Cpu)?;
    let y = Tensor::from_slice(&data.labels, (n, 1), &Device::Cpu)?;
    Ok((x, y))
}

/// Seed of the shuffling stream: distinct from the weight-initialisation stream (which uses
/// the seed itself) so that changing one never shifts the other.
fn shuffle_seed(seed: u64) -> u64 {
    seed ^ 0x9E37_79B9_7F4A_7C15
}

/// The two ways of computing a step, behind one interface for the loop.
enum Engine {
    Autograd {
        opt: Sgd,
        x_val: Tensor,
        y_val: Tensor,
        /// This epoch's shuffled rows as tensors (batches are `narrow` views).
        epoch: Option<(Tensor, Tensor)>,
    },
    Fused(Box<FusedMlp>),
}

impl Engine {
    fn new(
        model: &Mlp,
        config: &TrainConfig,
        train: &Dataset,
        val: &Dataset,
    ) -> Result<Self, ModelError> {
        Ok(match config.step {
            StepKind::Autograd => {
                let (x_val, y_val) = to_tensors(val)?;
                Engine::Autograd {
                    opt: Sgd::new(model.vars(), config.sgd)?,
                    x_val,
                    y_val,
                    epoch: None,
                }
            }
            StepKind::Fused => Engine::Fused(Box::new(FusedMlp::new(
                model,
                &config.sgd,
                config.batch_size.min(train.n_rows()),
            )?)),
        })
    }

    fn set_learning_rate(&mut self, lr: f64) {
        match self {
            Engine::Autograd { opt, .. } => opt.set_learning_rate(lr),
            Engine::Fused(f) => f.set_learning_rate(lr),
        }
    }

    /// Called once per epoch with the shuffled copy of the training rows.
    fn begin_epoch(&mut self, xs: &[f32], ys: &[f32], d: usize) -> Result<(), ModelError> {
        if let Engine::Autograd { epoch, .. } = self {
            let n = ys.len();
            *epoch = Some((
                Tensor::from_slice(xs, (n, d), &Device::Cpu)?,
                Tensor::from_slice(ys, (n, 1), &Device::Cpu)?,
            ));
        }
        Ok(())
    }

    /// One step on rows `start..start + len` of the epoch's copy: (mean loss, correct rows
    /// as the accuracy times the batch length).
    fn step(
        &mut self,
        model: &Mlp,
        xs: &[f32],
        ys: &[f32],
        start: usize,
        len: usize,
    ) -> Result<(f64, f64), ModelError> {
        match self {
            Engine::Autograd { opt, epoch, .. } => {
                let (x_epoch, y_epoch) = epoch.as_ref().expect("begin_epoch ran");
                let xb = x_epoch.narrow(0, start, len)?;
                let yb = y_epoch.narrow(0, start, len)?;
                let z = model.forward(&xb)?;
                let loss = bce_with_logits(&z, &yb)?;
                let loss_value = loss.to_scalar::<f32>()? as f64;
                let correct = accuracy(&z, &yb)? * len as f64;
                opt.backward_step(&loss)?;
                Ok((loss_value, correct))
            }
            Engine::Fused(f) => {
                let d = xs.len() / ys.len();
                let out = f.step(&xs[start * d..(start + len) * d], &ys[start..start + len]);
                // The same arithmetic as the autograd path's `accuracy * len`.
                let correct = out.correct as f64 / len as f64 * len as f64;
                Ok((out.loss, correct))
            }
        }
    }

    /// Validation loss and accuracy.
    fn evaluate(&mut self, model: &Mlp, val: &Dataset) -> Result<(f64, f64), ModelError> {
        match self {
            Engine::Autograd { x_val, y_val, .. } => {
                let z_val = model.forward(x_val)?;
                let val_loss = bce_with_logits(&z_val, y_val)?.to_scalar::<f32>()? as f64;
                Ok((val_loss, accuracy(&z_val, y_val)?))
            }
            Engine::Fused(f) => Ok(f.evaluate(&val.features, &val.labels)),
        }
    }

    fn weights(&self, model: &Mlp) -> Result<Vec<Vec<f32>>, ModelError> {
        match self {
            Engine::Autograd { .. } => model.weights(),
            Engine::Fused(f) => Ok(f.weights()),
        }
    }

    fn set_weights(&mut self, model: &Mlp, w: &[Vec<f32>]) -> Result<(), ModelError> {
        match self {
            Engine::Autograd { .. } => model.set_weights(w),
            Engine::Fused(f) => {
                f.set_weights(w);
                Ok(())
            }
        }
    }

    /// Makes the candle variables hold the trained weights.
    fn finish(&self, model: &Mlp) -> Result<(), ModelError> {
        match self {
            Engine::Autograd { .. } => Ok(()),
            Engine::Fused(f) => f.sync_into(model),
        }
    }
}

/// Trains a fresh network on `train`, validating on `val` after every epoch.
pub fn train(
    mlp: &MlpConfig,
    config: &TrainConfig,
    train: &Dataset,
    val: &Dataset,
    callbacks: &mut [&mut dyn Callback],
) -> Result<TrainRun, ModelError> {
    config.validate()?;
    for (which, d) in [("training", train), ("validation", val)] {
        if d.n_rows() == 0 {
            return Err(ModelError::EmptyData { which });
        }
        if d.n_features != mlp.inputs {
            return Err(ModelError::FeatureMismatch {
                expected: mlp.inputs,
                got: d.n_features,
            });
        }
    }
    let started = std::time::Instant::now();
    let model = Mlp::new(mlp, config.seed)?;
    let mut engine = Engine::new(&model, config, train, val)?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(shuffle_seed(config.seed));
    let (n, d) = (train.n_rows(), train.n_features);
    let mut order: Vec<usize> = (0..n).collect();
    let mut xs = vec![0f32; n * d];
    let mut ys = vec![0f32; n];
    let batches = n.div_ceil(config.batch_size);

    let mut control = Control::new(config.sgd.lr);
    for cb in callbacks.iter_mut() {
        cb.on_train_begin(&mut control)?;
    }
    let mut lr = control.lr;
    engine.set_learning_rate(lr);
    // Capped: `epochs` may be huge (a run meant to be stopped by a callback or Ctrl-C).
    let mut history = Vec::with_capacity(config.epochs.min(1 << 12));
    let mut events = Vec::new();
    let mut best_weights: Option<Vec<Vec<f32>>> = None;
    let mut stop = StopReason::Completed;

    'epochs: for epoch in 0..config.epochs {
        if config.shuffle {
            order.shuffle(&mut rng);
        }
        if epoch == 0 || config.shuffle {
            for (row, &src) in order.iter().enumerate() {
                xs[row * d..(row + 1) * d].copy_from_slice(train.row(src));
                ys[row] = train.labels[src];
            }
            engine.begin_epoch(&xs, &ys, d)?;
        }
        let (mut loss_sum, mut correct, mut seen) = (0f64, 0f64, 0usize);
        let mut diverged = None;
        for batch in 0..batches {
            let start = batch * config.batch_size;
            let len = config.batch_size.min(n - start);
            let (loss_value, batch_correct) = engine.step(&model, &xs, &ys, start, len)?;
            correct += batch_correct;
            loss_sum += loss_value * len as f64;
            seen += len;
            for cb in callbacks.iter_mut() {
                cb.on_batch_end(epoch, batch, batches);
            }
            if !loss_value.is_finite() && config.stop_on_nan {
                diverged = Some((batch, loss_value));
                break;
            }
            if let Some(flag) = &config.interrupt {
                if flag.load(Ordering::Relaxed)
                    && (batch + 1 < batches || epoch + 1 < config.epochs)
                {
                    stop = StopReason::Interrupted {
                        epoch,
                        batches_done: batch + 1,
                    };
                    break 'epochs;
                }
            }
        }
        let (val_loss, val_accuracy) = engine.evaluate(&model, val)?;
        let logs = EpochLogs {
            epoch,
            learning_rate: lr,
            loss: loss_sum / seen as f64,
            accuracy: correct / seen as f64,
            val_loss,
            val_accuracy,
            batches: diverged.map_or(batches, |(b, _)| b + 1),
        };
        history.push(logs.clone());
        if let Some((batch, loss)) = diverged {
            stop = StopReason::Diverged { epoch, batch, loss };
            break;
        }
        control = Control {
            events: Vec::new(),
            ..Control::new(lr)
        };
        for cb in callbacks.iter_mut() {
            cb.on_epoch_end(&logs, &mut control)?;
            if control.snapshot {
                best_weights = Some(engine.weights(&model)?);
                control.snapshot = false;
            }
            if let Some(reason) = control.stop.take() {
                if matches!(stop, StopReason::Completed) {
                    stop = StopReason::Callback {
                        name: cb.name().to_string(),
                        reason,
                    };
                }
            }
        }
        events.extend(control.events.drain(..).map(|e| (epoch, e)));
        if control.restore {
            if let Some(w) = &best_weights {
                engine.set_weights(&model, w)?;
            }
            control.restore = false;
        }
        if control.lr != lr {
            lr = control.lr;
            engine.set_learning_rate(lr);
        }
        if !matches!(stop, StopReason::Completed) {
            break;
        }
    }
    control.events.clear();
    for cb in callbacks.iter_mut() {
        cb.on_train_end(&history, &mut control);
    }
    if control.restore {
        if let Some(w) = &best_weights {
            engine.set_weights(&model, w)?;
        }
    }
    engine.finish(&model)?;
    let last_epoch = history.len().saturating_sub(1);
    events.extend(control.events.drain(..).map(|e| (last_epoch, e)));
    Ok(TrainRun {
        model,
        history,
        events,
        stop,
        train_seconds: started.elapsed().as_secs_f64(),
    })
}
