//! Settings of a plateau scheduler: the flavor (which framework's semantics), its
//! parameters with each framework's defaults, validation, the `auto` direction rules,
//! warnings about surprising settings and a one-line summary.
//!
//! One struct holds the parameters of all flavors (`min_delta` is only read by the Keras
//! flavors; `threshold`, `threshold_mode` and `eps` only by torch) so that a config can be
//! translated between flavors and serialized without a schema per framework.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;
use crate::format::python_float_repr;
use crate::serde_f64;

/// Which framework's ReduceLROnPlateau semantics to reproduce.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flavor {
    /// Keras 3 (3.15): `best` starts unset, float32 comparison, `wait >= patience`.
    Keras,
    /// tf.keras 2.6-2.15 (Keras 2): `best` starts at ±inf, float64 comparison, `"acc"` auto rule.
    TfKeras,
    /// PyTorch 2.x `torch.optim.lr_scheduler.ReduceLROnPlateau`: float64, `num_bad > patience`.
    Torch,
}

impl Flavor {
    /// All flavors, in display order.
    pub const ALL: [Flavor; 3] = [Flavor::Keras, Flavor::TfKeras, Flavor::Torch];

    /// The canonical name (`keras`, `tf-keras`, `torch`), as accepted by `--flavor`.
    pub fn name(self) -> &'static str {
        match self {
            Flavor::Keras => "keras",
            Flavor::TfKeras => "tf-keras",
            Flavor::Torch => "torch",
        }
    }

    /// The framework as people call it, for messages (`Keras 3`, `tf.keras`, `torch`).
    pub fn framework(self) -> &'static str {
        match self {
            Flavor::Keras => "Keras 3",
            Flavor::TfKeras => "tf.keras",
            Flavor::Torch => "torch",
        }
    }

    /// The label used in [`PlateauConfig::summary`] (`keras 3`, `tf.keras 2`, `torch`).
    pub fn label(self) -> &'static str {
        match self {
            Flavor::Keras => "keras 3",
            Flavor::TfKeras => "tf.keras 2",
            Flavor::Torch => "torch",
        }
    }

    /// True for the two Keras flavors (float32 LR, `min_delta`, `wait >= patience`).
    pub fn is_keras(self) -> bool {
        matches!(self, Flavor::Keras | Flavor::TfKeras)
    }
}

impl fmt::Display for Flavor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Flavor {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "keras" | "keras3" | "keras-3" => Ok(Flavor::Keras),
            "tf-keras" | "tfkeras" | "tf.keras" | "tf_keras" => Ok(Flavor::TfKeras),
            "torch" | "pytorch" => Ok(Flavor::Torch),
            _ => Err(ConfigError::UnknownFlavor {
                input: s.to_string(),
            }),
        }
    }
}

/// The requested direction, as the frameworks spell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Infer from the monitor name (Keras flavors only).
    Auto,
    /// Lower is better.
    Min,
    /// Higher is better.
    Max,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Auto => "auto",
            Mode::Min => "min",
            Mode::Max => "max",
        })
    }
}

impl FromStr for Mode {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Mode::Auto),
            "min" => Ok(Mode::Min),
            "max" => Ok(Mode::Max),
            _ => Err(ConfigError::UnknownMode {
                input: s.to_string(),
            }),
        }
    }
}

/// torch's `threshold_mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThresholdMode {
    /// Improvement must beat `best * (1 ∓ threshold)`.
    Rel,
    /// Improvement must beat `best ∓ threshold`.
    Abs,
}

impl fmt::Display for ThresholdMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ThresholdMode::Rel => "rel",
            ThresholdMode::Abs => "abs",
        })
    }
}

impl FromStr for ThresholdMode {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "rel" => Ok(ThresholdMode::Rel),
            "abs" => Ok(ThresholdMode::Abs),
            _ => Err(ConfigError::UnknownThresholdMode {
                input: s.to_string(),
            }),
        }
    }
}

/// The resolved direction (after `auto` has been decided).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Lower is better.
    Min,
    /// Higher is better.
    Max,
}

impl Direction {
    /// The explicit [`Mode`] with this direction.
    pub fn mode(self) -> Mode {
        match self {
            Direction::Min => Mode::Min,
            Direction::Max => Mode::Max,
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Min => "min",
            Direction::Max => "max",
        })
    }
}

/// Metric names (after stripping `val_`) that Keras 3's `auto` mode maximizes: the default
/// names of the Keras metrics whose `_direction` is `"up"`, plus common short names.
const KERAS_MAX_NAMES: &[&str] = &[
    "accuracy",
    "acc",
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "auc",
    "prc",
    "precision",
    "recall",
    "f1",
    "f1_score",
    "fbeta_score",
    "r2_score",
    "iou",
    "mean_iou",
    "binary_iou",
    "one_hot_iou",
    "one_hot_mean_iou",
    "precision_at_recall",
    "recall_at_precision",
    "sensitivity_at_specificity",
    "specificity_at_sensitivity",
    "cosine_similarity",
    "pearson_correlation",
    "concordance_correlation",
];

/// Metric names (after stripping `val_`) that Keras 3's `auto` mode minimizes, besides
/// `loss` and any name ending in `crossentropy`.
const KERAS_MIN_NAMES: &[&str] = &[
    "mse",
    "mae",
    "mape",
    "msle",
    "rmse",
    "mean_squared_error",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error",
    "root_mean_squared_error",
    "logcosh",
    "log_cosh_error",
    "hinge",
    "squared_hinge",
    "categorical_hinge",
    "kl_divergence",
    "kld",
    "poisson",
];

/// Keras 3 (≥3.11) `auto` rule: strip one leading `val_`; `loss` minimizes; otherwise a metric
/// lrviz knows decides; anything else is `None` (Keras raises ValueError).
pub(crate) fn keras3_auto_direction(monitor: &str) -> Option<Direction> {
    let name = monitor.strip_prefix("val_").unwrap_or(monitor);
    if name == "loss" || name.ends_with("crossentropy") || KERAS_MIN_NAMES.contains(&name) {
        Some(Direction::Min)
    } else if KERAS_MAX_NAMES.contains(&name) {
        Some(Direction::Max)
    } else {
        None
    }
}

/// tf.keras (and Keras ≤3.10) `auto` rule: maximize iff the monitor name contains `"acc"`.
pub(crate) fn tf_keras_auto_direction(monitor: &str) -> Direction {
    if monitor.contains("acc") {
        Direction::Max
    } else {
        Direction::Min
    }
}

/// The parameters of a plateau scheduler in one flavor.
///
/// Build it with [`PlateauConfig::keras`], [`PlateauConfig::tf_keras`], [`PlateauConfig::torch`]
/// (each framework's defaults) and change fields; [`PlateauConfig::validate`] says whether
/// lrviz accepts it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlateauConfig {
    /// Whose semantics to reproduce.
    pub flavor: Flavor,
    /// The monitored metric's name (decides Keras `auto` mode; a label for torch).
    pub monitor: String,
    /// Multiplier applied on a reduction; lrviz requires `0 < factor < 1`.
    #[serde(with = "serde_f64")]
    pub factor: f64,
    /// Bad epochs tolerated (Keras: reduce on the `max(patience, 1)`-th; torch: on the
    /// `(patience + 1)`-th). Signed so that negatives can be refused with an explanation.
    pub patience: i64,
    /// Epochs ignored after a reduction (Keras effectively ignores `cooldown - 1`).
    pub cooldown: i64,
    /// The LR floor.
    #[serde(with = "serde_f64")]
    pub min_lr: f64,
    /// `auto` (Keras flavors), `min` or `max`.
    pub mode: Mode,
    /// Absolute improvement threshold (Keras flavors only).
    #[serde(with = "serde_f64")]
    pub min_delta: f64,
    /// Improvement threshold (torch only), relative or absolute per `threshold_mode`.
    #[serde(with = "serde_f64")]
    pub threshold: f64,
    /// `rel` or `abs` (torch only).
    pub threshold_mode: ThresholdMode,
    /// Reductions of `eps` or less are skipped (torch only).
    #[serde(with = "serde_f64")]
    pub eps: f64,
}

impl Default for PlateauConfig {
    fn default() -> Self {
        Self::keras()
    }
}

impl PlateauConfig {
    /// Keras 3.15 defaults: monitor `val_loss`, mode auto, factor 0.1, patience 10, cooldown 0,
    /// min_lr 0, min_delta 1e-4 (semantics doc §1). Torch-only fields hold torch's defaults.
    pub fn keras() -> Self {
        Self::defaults(Flavor::Keras)
    }

    /// tf.keras 2.15 defaults (the same numbers as Keras 3).
    pub fn tf_keras() -> Self {
        Self::defaults(Flavor::TfKeras)
    }

    /// PyTorch defaults: mode min, factor 0.1, patience 10, threshold 1e-4 rel, cooldown 0,
    /// min_lr 0, eps 1e-8 (semantics doc §1).
    pub fn torch() -> Self {
        Self::defaults(Flavor::Torch)
    }

    /// The framework defaults of `flavor`.
    pub fn defaults(flavor: Flavor) -> Self {
        PlateauConfig {
            flavor,
            monitor: "val_loss".to_string(),
            factor: 0.1,
            patience: 10,
            cooldown: 0,
            min_lr: 0.0,
            mode: if flavor == Flavor::Torch {
                Mode::Min
            } else {
                Mode::Auto
            },
            min_delta: 1e-4,
            threshold: 1e-4,
            threshold_mode: ThresholdMode::Rel,
            eps: 1e-8,
        }
    }

    /// Checks every parameter. Refuses what the framework refuses (factor >= 1, torch `auto`,
    /// Keras 3 `auto` on an unknown name) and what only does harm where the framework
    /// silently accepts it: factor <= 0, negative patience, cooldown, min_delta, threshold,
    /// min_lr or eps, and non-finite numbers. All numeric fields are checked, including the
    /// ones this flavor does not read.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let flavor = self.flavor;
        for (param, value) in [
            ("factor", self.factor),
            ("min_lr", self.min_lr),
            ("min_delta", self.min_delta),
            ("threshold", self.threshold),
            ("eps", self.eps),
        ] {
            if !value.is_finite() {
                return Err(ConfigError::NonFinite { param, value });
            }
        }
        if self.factor >= 1.0 {
            return Err(ConfigError::FactorTooLarge {
                flavor,
                factor: self.factor,
            });
        }
        if self.factor <= 0.0 {
            return Err(ConfigError::FactorNotPositive {
                flavor,
                factor: self.factor,
            });
        }
        if self.patience < 0 {
            return Err(ConfigError::NegativePatience {
                flavor,
                patience: self.patience,
            });
        }
        if self.cooldown < 0 {
            return Err(ConfigError::NegativeCooldown {
                flavor,
                cooldown: self.cooldown,
            });
        }
        if self.min_lr < 0.0 {
            return Err(ConfigError::NegativeMinLr {
                flavor,
                min_lr: self.min_lr,
            });
        }
        if self.min_delta < 0.0 {
            return Err(ConfigError::NegativeMinDelta {
                min_delta: self.min_delta,
            });
        }
        if self.threshold < 0.0 {
            return Err(ConfigError::NegativeThreshold {
                threshold: self.threshold,
            });
        }
        if self.eps < 0.0 {
            return Err(ConfigError::NegativeEps { eps: self.eps });
        }
        self.direction().map(|_| ())
    }

    /// The direction this flavor would use. `min`/`max` are taken as given. `auto`:
    /// Keras 3 strips one leading `val_`; `loss` (and the crossentropies, mse, mae, …)
    /// minimize, accuracy/auc/precision/recall/f1… maximize, other names are an error;
    /// tf.keras maximizes iff the name contains `acc`; torch has no auto mode (error).
    pub fn direction(&self) -> Result<Direction, ConfigError> {
        match (self.mode, self.flavor) {
            (Mode::Min, _) => Ok(Direction::Min),
            (Mode::Max, _) => Ok(Direction::Max),
            (Mode::Auto, Flavor::Torch) => Err(ConfigError::AutoModeUnsupported {
                flavor: self.flavor,
            }),
            (Mode::Auto, Flavor::TfKeras) => Ok(tf_keras_auto_direction(&self.monitor)),
            (Mode::Auto, Flavor::Keras) => keras3_auto_direction(&self.monitor).ok_or_else(|| {
                ConfigError::UnknownMonitorDirection {
                    flavor: self.flavor,
                    monitor: self.monitor.clone(),
                }
            }),
        }
    }

    /// The bad-epoch count that triggers a reduction: Keras `max(patience, 1)` (`wait >=
    /// patience` after an increment), torch `patience + 1` (`num_bad > patience`).
    /// Negative patience is clamped as if 0.
    pub fn trigger(&self) -> u64 {
        let p = self.patience.max(0) as u64;
        match self.flavor {
            Flavor::Keras | Flavor::TfKeras => p.max(1),
            Flavor::Torch => p.saturating_add(1),
        }
    }

    /// Settings that are valid but surprise users (semantics doc §2–§4, issue 3 "Explain").
    /// The torch `rel` threshold with a negative best is detected at run time and reported in
    /// [`crate::EpochDecision::warnings`].
    pub fn warnings(&self, initial_lr: f64) -> Vec<String> {
        let mut out = Vec::new();
        let fw = self.flavor.framework();
        if self.flavor.is_keras() {
            if self.cooldown == 1 {
                out.push(format!(
                    "cooldown 1 has no effect under {fw}: the epoch that ends the cooldown already \
                     counts as a bad epoch, so the LR follows the same path as with cooldown 0 \
                     (cooldown 2 ignores one epoch after each reduction)"
                ));
            }
            if self.patience == 0 {
                out.push(format!(
                    "patience 0 behaves exactly like patience 1 under {fw}: the first bad epoch \
                     reduces the LR"
                ));
            }
        }
        let never = match self.flavor {
            Flavor::Keras | Flavor::TfKeras => (initial_lr as f32) <= (self.min_lr as f32),
            Flavor::Torch => self.min_lr >= initial_lr,
        };
        if initial_lr.is_finite() && never {
            out.push(format!(
                "min_lr {} is not below the initial LR {}: the LR can never be reduced",
                python_float_repr(self.min_lr),
                python_float_repr(initial_lr)
            ));
        } else if self.flavor == Flavor::Torch
            && initial_lr.is_finite()
            && initial_lr - (initial_lr * self.factor).max(self.min_lr) <= self.eps
        {
            out.push(format!(
                "eps {} is not smaller than the first reduction step from {}: torch skips every \
                 reduction, so the LR never changes",
                python_float_repr(self.eps),
                python_float_repr(initial_lr)
            ));
        }
        if self.flavor == Flavor::TfKeras && self.mode == Mode::Auto {
            let tf = tf_keras_auto_direction(&self.monitor);
            if let Some(k3) = keras3_auto_direction(&self.monitor) {
                if k3 != tf {
                    out.push(format!(
                        "tf.keras auto mode uses the \"acc\" substring rule and will {} `{}`, \
                         although higher is {}; pass mode {} if that is what you mean",
                        if tf == Direction::Min {
                            "minimize"
                        } else {
                            "maximize"
                        },
                        self.monitor,
                        if k3 == Direction::Max {
                            "better"
                        } else {
                            "worse"
                        },
                        k3
                    ));
                }
            } else if tf == Direction::Min && !self.monitor.contains("loss") {
                out.push(format!(
                    "tf.keras auto mode minimizes `{}` because the name does not contain \"acc\"; \
                     pass mode max if higher is better",
                    self.monitor
                ));
            }
        }
        if self.flavor == Flavor::Torch {
            if let (Ok(dir), Some(natural)) =
                (self.direction(), keras3_auto_direction(&self.monitor))
            {
                if dir != natural {
                    out.push(format!(
                        "torch mode {} {} `{}`, although higher is {}: pass --mode {} if that is what you mean",
                        self.mode,
                        if dir == Direction::Min { "minimizes" } else { "maximizes" },
                        self.monitor,
                        if natural == Direction::Max { "better" } else { "worse" },
                        natural
                    ));
                }
            }
        }
        out
    }

    /// The warning for an EarlyStopping callback whose patience stops training before (or at
    /// the same epoch as) this scheduler's first reduction can take effect. EarlyStopping
    /// (Keras and Lightning) stops after `early_stopping_patience` bad epochs; this scheduler
    /// reduces on the [`trigger`](Self::trigger)-th.
    pub fn early_stopping_warning(&self, early_stopping_patience: u64) -> Option<String> {
        let trigger = self.trigger();
        (early_stopping_patience <= trigger).then(|| {
            format!(
                "early stopping patience {early_stopping_patience} ends training on the \
                 {} bad epoch, but the LR is only reduced on the {}: the plateau scheduler \
                 can never help; use an early stopping patience above {trigger}",
                crate::format::ordinal(early_stopping_patience),
                crate::format::ordinal(trigger)
            )
        })
    }

    /// One line for chart subtitles, e.g. `keras 3 · monitor val_loss (min) · factor 0.5 ·
    /// patience 3 · cooldown 0 · min_delta 0.0001 · min_lr 0.0001`.
    pub fn summary(&self) -> String {
        let dir = match self.direction() {
            Ok(d) => d.to_string(),
            Err(_) => format!("{}: unknown", self.mode),
        };
        let r = python_float_repr;
        let mut s = format!(
            "{} · monitor {} ({}) · factor {} · patience {} · cooldown {}",
            self.flavor.label(),
            self.monitor,
            dir,
            r(self.factor),
            self.patience,
            self.cooldown
        );
        match self.flavor {
            Flavor::Keras | Flavor::TfKeras => {
                s.push_str(&format!(
                    " · min_delta {} · min_lr {}",
                    r(self.min_delta),
                    r(self.min_lr)
                ));
            }
            Flavor::Torch => {
                s.push_str(&format!(
                    " · threshold {} ({}) · min_lr {} · eps {}",
                    r(self.threshold),
                    self.threshold_mode,
                    r(self.min_lr),
                    r(self.eps)
                ));
            }
        }
        s
    }
}
