//! The plateau scheduler itself: one decision per epoch, with the exact arithmetic of the
//! chosen flavor (semantics doc §2.1 Keras 3.15, §2.2 tf.keras 2.15, §2.4 torch 2.15).
//!
//! [`ReduceLrOnPlateau::step`] records the numbers behind every decision for `lrviz explain`;
//! [`ReduceLrOnPlateau::step_fast`] takes the identical decision without recording or
//! allocating, for sweeps. Both run through one private core so they cannot disagree.

use serde::{Deserialize, Serialize};

use crate::config::{Direction, Flavor, PlateauConfig, ThresholdMode};
use crate::error::ConfigError;
use crate::format::{human, python_float_repr, reduction_message};
use crate::serde_f64;

/// The mutable state of a scheduler, as the framework keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlateauState {
    /// The current LR as the flavor holds it (Keras: a float32 value widened to f64).
    #[serde(with = "serde_f64")]
    pub lr: f64,
    /// The best value so far. Keras 3 starts with `None`; tf.keras and torch start at
    /// `+inf` (min) / `-inf` (max).
    #[serde(with = "serde_f64::option")]
    pub best: Option<f64>,
    /// Keras `wait` / torch `num_bad_epochs`.
    pub wait: u64,
    /// Epochs of cooldown left.
    pub cooldown_counter: u64,
    /// Epochs processed, missing ones included (torch's `last_epoch`).
    pub epochs_seen: u64,
    /// Whether the torch-rel negative-best warning has been given (it is given once).
    #[serde(default)]
    pub warned_negative_best: bool,
}

impl PlateauState {
    /// The state of a freshly built scheduler.
    pub fn initial(flavor: Flavor, direction: Direction, lr: f64) -> Self {
        PlateauState {
            lr: hold(flavor, lr),
            best: initial_best(flavor, direction),
            wait: 0,
            cooldown_counter: 0,
            epochs_seen: 0,
            warned_negative_best: false,
        }
    }
}

fn initial_best(flavor: Flavor, direction: Direction) -> Option<f64> {
    match flavor {
        Flavor::Keras => None,
        Flavor::TfKeras | Flavor::Torch => Some(worst(direction)),
    }
}

fn worst(direction: Direction) -> f64 {
    match direction {
        Direction::Min => f64::INFINITY,
        Direction::Max => f64::NEG_INFINITY,
    }
}

/// An LR as the flavor stores it: Keras optimizers hold a float32 variable.
fn hold(flavor: Flavor, lr: f64) -> f64 {
    if flavor.is_keras() {
        f64::from(lr as f32)
    } else {
        lr
    }
}

/// What happened in one epoch.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// The value beat the best (and became the best).
    Improved,
    /// Not an improvement; the bad-epoch counter grew but has not reached its trigger.
    Bad,
    /// Not an improvement, but ignored because of cooldown.
    InCooldown,
    /// The LR was lowered.
    Reduced {
        /// LR before.
        #[serde(with = "serde_f64")]
        from: f64,
        /// LR after.
        #[serde(with = "serde_f64")]
        to: f64,
    },
    /// The counter reached its trigger but the LR could not be lowered (it is at `min_lr`,
    /// torch's `eps` skipped the step, or the float32 LR did not change).
    AtFloor,
    /// The metric was missing: the epoch was skipped, no counter changed.
    Missing,
}

/// One epoch's decision and every number behind it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochDecision {
    /// The epoch (0-based, as passed to [`ReduceLrOnPlateau::step`]).
    pub epoch: u64,
    /// The metric (`None` = missing).
    #[serde(with = "serde_f64::option")]
    pub value: Option<f64>,
    /// Best before this epoch.
    #[serde(with = "serde_f64::option")]
    pub best_before: Option<f64>,
    /// Best after this epoch.
    #[serde(with = "serde_f64::option")]
    pub best: Option<f64>,
    /// The value the metric had to beat (min: strictly below; max: strictly above); `None`
    /// when there was no best yet (Keras 3's first epoch). Keras 3 compares in float32, so
    /// values within float32 precision of it may be decided either way.
    #[serde(with = "serde_f64::option")]
    pub to_beat: Option<f64>,
    /// Bad-epoch counter after this epoch.
    pub wait: u64,
    /// The counter value that triggers a reduction (Keras `max(patience, 1)`, torch
    /// `patience + 1`).
    pub trigger: u64,
    /// Cooldown epochs remaining after this epoch.
    pub cooldown: u64,
    /// LR before this epoch's decision.
    #[serde(with = "serde_f64")]
    pub lr_before: f64,
    /// LR after it (the LR the next epoch trains with).
    #[serde(with = "serde_f64")]
    pub lr_after: f64,
    /// What happened.
    pub event: Event,
    /// Run-time warnings (torch rel threshold with a negative best, an unbeatable best such
    /// as a NaN first value under Keras 3, a missing metric under torch).
    pub warnings: Vec<String>,
}

impl EpochDecision {
    /// True when this epoch lowered the LR.
    pub fn reduced(&self) -> bool {
        matches!(self.event, Event::Reduced { .. })
    }

    /// One human sentence explaining the decision.
    pub fn explain(&self) -> String {
        let e = self.epoch;
        let lr = human(self.lr_after);
        let v = match self.value {
            Some(v) => human(v),
            None => {
                return format!(
                    "epoch {e}: the metric is missing, so the epoch is skipped and no counter \
                     changes; LR stays {lr}"
                )
            }
        };
        let against = match (self.best_before, self.to_beat) {
            (Some(b), Some(t)) => format!("the best {} (to beat: {})", human(b), human(t)),
            (Some(b), None) => format!("the best {}", human(b)),
            (None, _) => "no best yet".to_string(),
        };
        let cooldown_tail = if self.cooldown > 0 {
            format!("; cooldown: {} epoch(s) left", self.cooldown)
        } else {
            String::new()
        };
        match self.event {
            Event::Missing => format!("epoch {e}: the metric is missing; LR stays {lr}"),
            Event::Improved if self.best_before.is_none() => format!(
                "epoch {e}: {v} is the first value and becomes the best (Keras 3 starts without a \
                 best); LR stays {lr}"
            ),
            Event::Improved => format!(
                "epoch {e}: {v} improves on {against}, so it becomes the best and the bad-epoch \
                 count resets to 0; LR stays {lr}{cooldown_tail}"
            ),
            Event::Bad => format!(
                "epoch {e}: {v} does not improve on {against}; bad epochs {} of {}; LR stays {lr}",
                self.wait, self.trigger
            ),
            Event::InCooldown => format!(
                "epoch {e}: {v} does not improve on {against} but the scheduler is cooling down \
                 ({} epoch(s) left), so it is not counted; LR stays {lr}",
                self.cooldown
            ),
            Event::Reduced { from, to } => format!(
                "epoch {e}: {v} does not improve on {against}; bad epochs reached {t} of {t}, so \
                 the LR is reduced from {} to {}{cooldown_tail}",
                human(from),
                human(to),
                t = self.trigger
            ),
            Event::AtFloor => format!(
                "epoch {e}: {v} does not improve on {against}; bad epochs reached {} of {} but \
                 the LR {lr} cannot be lowered further (at min_lr, or torch's eps skips the \
                 step){cooldown_tail}",
                self.wait.max(self.trigger),
                self.trigger
            ),
        }
    }

    /// The message the flavor prints for this epoch's reduction (see
    /// [`crate::reduction_message`]), or `None` when the LR was not lowered.
    pub fn message(&self, config: &PlateauConfig) -> Option<String> {
        let Event::Reduced { to, .. } = self.event else {
            return None;
        };
        Some(reduction_message(config.flavor, self.epoch, to))
    }
}

/// Everything derived from a validated config that the hot path needs.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Rules {
    flavor: Flavor,
    direction: Direction,
    trigger: u64,
    cooldown: u64,
    factor: f64,
    min_lr: f64,
    min_lr_f32: f32,
    /// Keras: `min_delta`; torch: `threshold`.
    delta: f64,
    rel: bool,
    /// torch rel: `1 - threshold` (min) or `threshold + 1` (max), as torch computes it.
    rel_mul: f64,
    eps: f64,
}

/// The core's verdict, before it is dressed up as an [`Event`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Improved,
    Bad,
    InCooldown,
    Reduced,
    Floor,
}

impl Rules {
    fn new(config: &PlateauConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let direction = config.direction()?;
        let rel = config.flavor == Flavor::Torch && config.threshold_mode == ThresholdMode::Rel;
        Ok(Rules {
            flavor: config.flavor,
            direction,
            trigger: config.trigger(),
            cooldown: config.cooldown.max(0) as u64,
            factor: config.factor,
            min_lr: config.min_lr,
            min_lr_f32: config.min_lr as f32,
            delta: if config.flavor == Flavor::Torch {
                config.threshold
            } else {
                config.min_delta
            },
            rel,
            rel_mul: match direction {
                Direction::Min => 1.0 - config.threshold,
                Direction::Max => config.threshold + 1.0,
            },
            eps: config.eps,
        })
    }

    /// The framework's improvement test.
    #[inline(always)]
    fn improved(&self, v: f64, best: Option<f64>) -> bool {
        let d = self.delta;
        match self.flavor {
            // Keras 3.15: best None → accepted (even NaN); else ops.less/greater on float32
            // tensors of (current ∓ |min_delta|) computed in float64, and best.
            Flavor::Keras => match best {
                None => true,
                Some(b) => match self.direction {
                    Direction::Min => ((v + d) as f32) < (b as f32),
                    Direction::Max => ((v - d) as f32) > (b as f32),
                },
            },
            // tf.keras: numpy float64, current < best - min_delta / current > best + min_delta.
            Flavor::TfKeras => {
                let b = best.unwrap_or_else(|| worst(self.direction));
                match self.direction {
                    Direction::Min => v < b - d,
                    Direction::Max => v > b + d,
                }
            }
            // torch is_better.
            Flavor::Torch => {
                let b = best.unwrap_or_else(|| worst(self.direction));
                match (self.direction, self.rel) {
                    (Direction::Min, true) => v < b * self.rel_mul,
                    (Direction::Min, false) => v < b - d,
                    (Direction::Max, true) => v > b * self.rel_mul,
                    (Direction::Max, false) => v > b + d,
                }
            }
        }
    }

    /// The value to beat, for explanations.
    fn bar(&self, best: Option<f64>) -> Option<f64> {
        let b = best?;
        let d = self.delta;
        Some(match (self.flavor, self.direction, self.rel) {
            (Flavor::Torch, _, true) => b * self.rel_mul,
            (_, Direction::Min, _) => b - d,
            (_, Direction::Max, _) => b + d,
        })
    }

    /// One epoch with a present value. Mutates `s` exactly as the framework mutates its
    /// attributes.
    #[inline(always)]
    fn advance(&self, s: &mut PlateauState, v: f64) -> Outcome {
        s.epochs_seen = s.epochs_seen.wrapping_add(1);
        match self.flavor {
            Flavor::Keras | Flavor::TfKeras => {
                // Cooldown is consumed first; the epoch that brings it to 0 already counts.
                if s.cooldown_counter > 0 {
                    s.cooldown_counter -= 1;
                    s.wait = 0;
                }
                if self.improved(v, s.best) {
                    // best is updated even during cooldown
                    s.best = Some(v);
                    s.wait = 0;
                    return Outcome::Improved;
                }
                if s.cooldown_counter > 0 {
                    return Outcome::InCooldown;
                }
                s.wait = s.wait.saturating_add(1);
                if s.wait < self.trigger {
                    return Outcome::Bad;
                }
                let old = s.lr as f32;
                if old > self.min_lr_f32 {
                    // f64 arithmetic on the float32 value, stored back as float32.
                    let new = (f64::from(old) * self.factor).max(self.min_lr) as f32;
                    s.lr = f64::from(new);
                    s.cooldown_counter = self.cooldown;
                    s.wait = 0;
                    if new < old {
                        Outcome::Reduced
                    } else {
                        Outcome::Floor
                    }
                } else {
                    // At the floor: wait keeps growing, cooldown is not restarted.
                    Outcome::Floor
                }
            }
            Flavor::Torch => {
                let improved = self.improved(v, s.best);
                if improved {
                    s.best = Some(v);
                    s.wait = 0;
                } else {
                    s.wait = s.wait.saturating_add(1);
                }
                // Cooldown is consumed after the comparison: C epochs are fully ignored.
                let in_cooldown = s.cooldown_counter > 0;
                if in_cooldown {
                    s.cooldown_counter -= 1;
                    s.wait = 0;
                }
                if s.wait >= self.trigger {
                    let old = s.lr;
                    let new = (old * self.factor).max(self.min_lr);
                    // Even a skipped (floor / eps) reduction restarts cooldown and resets.
                    s.cooldown_counter = self.cooldown;
                    s.wait = 0;
                    if old - new > self.eps {
                        s.lr = new;
                        return Outcome::Reduced;
                    }
                    return Outcome::Floor;
                }
                if improved {
                    Outcome::Improved
                } else if in_cooldown {
                    Outcome::InCooldown
                } else {
                    Outcome::Bad
                }
            }
        }
    }
}

/// ReduceLROnPlateau with the exact semantics of one flavor.
///
/// Serializes (serde) as `{"config": …, "state": …}`; deserializing validates the config, so a
/// restored scheduler continues exactly where the saved one stopped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SchedulerRepr", into = "SchedulerRepr")]
pub struct ReduceLrOnPlateau {
    config: PlateauConfig,
    state: PlateauState,
    rules: Rules,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct SchedulerRepr {
    config: PlateauConfig,
    state: PlateauState,
}

impl TryFrom<SchedulerRepr> for ReduceLrOnPlateau {
    type Error = ConfigError;

    fn try_from(r: SchedulerRepr) -> Result<Self, ConfigError> {
        ReduceLrOnPlateau::from_state(r.config, r.state)
    }
}

impl From<ReduceLrOnPlateau> for SchedulerRepr {
    fn from(s: ReduceLrOnPlateau) -> Self {
        SchedulerRepr {
            config: s.config,
            state: s.state,
        }
    }
}

fn check_lr(flavor: Flavor, lr: f64, allow_zero: bool) -> Result<f64, ConfigError> {
    let held = hold(flavor, lr);
    let ok = held.is_finite() && (held > 0.0 || (allow_zero && held == 0.0));
    if ok {
        Ok(held)
    } else {
        Err(ConfigError::InvalidLr { flavor, lr })
    }
}

impl ReduceLrOnPlateau {
    /// A fresh scheduler. Validates `config`; `initial_lr` must be finite and above 0 (Keras
    /// flavors round it to float32, and it must stay nonzero and finite there).
    pub fn new(config: PlateauConfig, initial_lr: f64) -> Result<Self, ConfigError> {
        let rules = Rules::new(&config)?;
        let lr = check_lr(config.flavor, initial_lr, false)?;
        let state = PlateauState::initial(config.flavor, rules.direction, lr);
        Ok(ReduceLrOnPlateau {
            config,
            state,
            rules,
        })
    }

    /// Rebuilds a scheduler from a saved state. The LR must be finite and not negative (it may
    /// be 0 after float32 underflow); Keras flavors round it to float32. A missing `best`
    /// under tf.keras or torch means "no value seen yet" and becomes ±inf as those flavors
    /// start.
    pub fn from_state(config: PlateauConfig, mut state: PlateauState) -> Result<Self, ConfigError> {
        let rules = Rules::new(&config)?;
        state.lr = check_lr(config.flavor, state.lr, true)?;
        if state.best.is_none() {
            state.best = initial_best(config.flavor, rules.direction);
        }
        Ok(ReduceLrOnPlateau {
            config,
            state,
            rules,
        })
    }

    /// The validated settings.
    pub fn config(&self) -> &PlateauConfig {
        &self.config
    }

    /// The resolved direction.
    pub fn direction(&self) -> Direction {
        self.rules.direction
    }

    /// The current LR as the flavor holds it (Keras: the float32 value widened to f64).
    pub fn lr(&self) -> f64 {
        self.state.lr
    }

    /// The full mutable state.
    pub fn state(&self) -> &PlateauState {
        &self.state
    }

    /// An external LR change (e.g. a user edit between epochs). Keras flavors store it as
    /// float32. A value that is not finite or is negative (after that rounding) is ignored;
    /// use [`try_set_lr`](Self::try_set_lr) to learn about it.
    pub fn set_lr(&mut self, lr: f64) {
        let _ = self.try_set_lr(lr);
    }

    /// Like [`set_lr`](Self::set_lr) but refuses a non-finite or negative LR.
    pub fn try_set_lr(&mut self, lr: f64) -> Result<(), ConfigError> {
        self.state.lr = check_lr(self.config.flavor, lr, true)?;
        Ok(())
    }

    /// Processes one epoch's metric (`None` = missing: skipped with counters untouched, as
    /// Keras does; torch would raise) and records everything behind the decision.
    pub fn step(&mut self, epoch: u64, value: Option<f64>) -> EpochDecision {
        let best_before = self.state.best;
        let lr_before = self.state.lr;
        let to_beat = self.rules.bar(best_before);
        let mut warnings = Vec::new();
        let event = match value {
            None => {
                self.state.epochs_seen = self.state.epochs_seen.wrapping_add(1);
                if self.config.flavor == Flavor::Torch {
                    warnings.push(
                        "the metric is missing: torch's step() requires one (TypeError); lrviz \
                         skips the epoch as Keras does"
                            .to_string(),
                    );
                }
                Event::Missing
            }
            Some(v) => match self.rules.advance(&mut self.state, v) {
                Outcome::Improved => Event::Improved,
                Outcome::Bad => Event::Bad,
                Outcome::InCooldown => Event::InCooldown,
                Outcome::Floor => Event::AtFloor,
                Outcome::Reduced => Event::Reduced {
                    from: lr_before,
                    to: self.state.lr,
                },
            },
        };
        if let (Event::Improved, Some(v)) = (event, value) {
            self.unbeatable_warning(v, &mut warnings);
        }
        self.negative_best_warning(&mut warnings);
        EpochDecision {
            epoch,
            value,
            best_before,
            best: self.state.best,
            to_beat,
            wait: self.state.wait,
            trigger: self.rules.trigger,
            cooldown: self.state.cooldown_counter,
            lr_before,
            lr_after: self.state.lr,
            event,
            warnings,
        }
    }

    fn unbeatable_warning(&self, v: f64, warnings: &mut Vec<String>) {
        let unbeatable = v.is_nan()
            || (v == f64::NEG_INFINITY && self.rules.direction == Direction::Min)
            || (v == f64::INFINITY && self.rules.direction == Direction::Max);
        if !unbeatable {
            return;
        }
        let why = if v.is_nan() {
            "NaN is the first value and becomes the best under Keras 3 (which starts without a \
             best)"
                .to_string()
        } else {
            format!("the best is now {}", python_float_repr(v))
        };
        warnings.push(format!(
            "{why}: no later value can beat it, so every following epoch counts as bad and the \
             LR keeps being reduced"
        ));
    }

    fn negative_best_warning(&mut self, warnings: &mut Vec<String>) {
        if !self.rules.rel || self.config.threshold <= 0.0 || self.state.warned_negative_best {
            return;
        }
        if let Some(b) = self.state.best {
            if b.is_finite() && b < 0.0 {
                self.state.warned_negative_best = true;
                warnings.push(format!(
                    "the best value {} is negative and torch's rel threshold multiplies it by {}: \
                     values slightly worse than the best now count as improvements, so a slowly \
                     worsening metric never reduces the LR; use threshold_mode abs",
                    python_float_repr(b),
                    python_float_repr(self.rules.rel_mul)
                ));
            }
        }
    }

    /// The same decision as [`step`](Self::step) for a present value, recording nothing and
    /// allocating nothing (the sweep/benchmark path). Returns true when the LR was lowered.
    #[inline]
    pub fn step_fast(&mut self, value: f64) -> bool {
        self.rules.advance(&mut self.state, value) == Outcome::Reduced
    }
}
