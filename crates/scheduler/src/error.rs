//! The crate's one error type.
//!
//! Every refusal names the parameter, carries the offending value and says both what
//! would be valid and what the real framework would have done with the value, so that a
//! user porting settings understands why lrviz stops where the framework did not.

use crate::config::Flavor;
use crate::format::python_float_repr as r;

/// A setting lrviz refuses, or a name it cannot parse.
#[derive(thiserror::Error, Debug, Clone, PartialEq)]
pub enum ConfigError {
    /// A numeric parameter is NaN or infinite.
    #[error(
        "{param} must be a finite number, got {}; the frameworks do not check it and would \
         carry it into the comparisons and the LR arithmetic",
        r(*value)
    )]
    NonFinite {
        /// Parameter name (`factor`, `min_lr`, ...).
        param: &'static str,
        /// The value given.
        value: f64,
    },
    /// `factor >= 1`.
    #[error(
        "factor {} must be above 0 and below 1; {} refuses factor >= 1 too (ValueError)",
        r(*factor),
        flavor.framework()
    )]
    FactorTooLarge {
        /// The flavor the setting was meant for.
        flavor: Flavor,
        /// The value given.
        factor: f64,
    },
    /// `factor <= 0`.
    #[error(
        "factor {} must be above 0 and below 1; {} accepts it and sets the LR to min_lr \
         (0 by default) on the first reduction",
        r(*factor),
        flavor.framework()
    )]
    FactorNotPositive {
        /// The flavor the setting was meant for.
        flavor: Flavor,
        /// The value given.
        factor: f64,
    },
    /// `patience < 0`.
    #[error("patience {patience} must be 0 or more; {}", patience_consequence(*flavor, *patience))]
    NegativePatience {
        /// The flavor the setting was meant for.
        flavor: Flavor,
        /// The value given.
        patience: i64,
    },
    /// `cooldown < 0`.
    #[error(
        "cooldown {cooldown} must be 0 or more; {} would treat it as 0 (its counter is only \
         active while above 0)",
        flavor.framework()
    )]
    NegativeCooldown {
        /// The flavor the setting was meant for.
        flavor: Flavor,
        /// The value given.
        cooldown: i64,
    },
    /// `min_delta < 0`.
    #[error(
        "min_delta {} must be 0 or more; Keras 3 takes its absolute value; tf.keras uses \
         it raw and accepts worse values as improvements",
        r(*min_delta)
    )]
    NegativeMinDelta {
        /// The value given.
        min_delta: f64,
    },
    /// `threshold < 0`.
    #[error(
        "threshold {} must be 0 or more; torch uses it raw and accepts slightly worse \
         values as improvements, so a slow drift never reduces the LR",
        r(*threshold)
    )]
    NegativeThreshold {
        /// The value given.
        threshold: f64,
    },
    /// `min_lr < 0`.
    #[error(
        "min_lr {} must be 0 or more; {} accepts it and it acts like 0 (no floor)",
        r(*min_lr),
        flavor.framework()
    )]
    NegativeMinLr {
        /// The flavor the setting was meant for.
        flavor: Flavor,
        /// The value given.
        min_lr: f64,
    },
    /// `eps < 0`.
    #[error(
        "eps {} must be 0 or more; torch applies a reduction only when old - new > eps, so a \
         negative eps lets a min_lr above the current LR raise it",
        r(*eps)
    )]
    NegativeEps {
        /// The value given.
        eps: f64,
    },
    /// `mode = auto` under a flavor without an auto mode (torch).
    #[error(
        "mode auto is not available for {flavor}: torch has no auto mode (it raises ValueError \
         \"mode auto is unknown!\"); pass min or max"
    )]
    AutoModeUnsupported {
        /// The flavor the setting was meant for.
        flavor: Flavor,
    },
    /// Keras 3 `auto` mode with a monitor name whose direction lrviz does not know.
    #[error(
        "mode auto cannot tell whether `{monitor}` should be minimized or maximized (known: loss, \
         accuracy, auc, precision, recall, f1_score, mse, mae, *crossentropy and similar); \
         Keras 3 raises ValueError at the end of the first epoch; pass mode min or max"
    )]
    UnknownMonitorDirection {
        /// The flavor the setting was meant for.
        flavor: Flavor,
        /// The monitor name.
        monitor: String,
    },
    /// The learning rate (initial, restored or set) is not usable.
    #[error("learning rate {} must be finite and above 0{}", r(*lr), lr_hint(*flavor))]
    InvalidLr {
        /// The flavor the LR was meant for.
        flavor: Flavor,
        /// The value given.
        lr: f64,
    },
    /// A flavor name that is not known.
    #[error("unknown flavor `{input}`; valid: keras, tf-keras (also tfkeras, tf.keras), torch (also pytorch)")]
    UnknownFlavor {
        /// The text given.
        input: String,
    },
    /// A mode name that is not known.
    #[error("unknown mode `{input}`; valid: auto (Keras flavors only), min, max")]
    UnknownMode {
        /// The text given.
        input: String,
    },
    /// A threshold mode name that is not known.
    #[error("unknown threshold mode `{input}`; valid: rel, abs")]
    UnknownThresholdMode {
        /// The text given.
        input: String,
    },
}

fn patience_consequence(flavor: Flavor, patience: i64) -> String {
    match flavor {
        Flavor::Torch => format!(
            "torch with patience {patience} reduces on every epoch, including improving ones"
        ),
        Flavor::Keras | Flavor::TfKeras => format!(
            "{} treats a patience below 1 as 1 (it reduces on the first bad epoch); pass 1 for that",
            flavor.framework()
        ),
    }
}

fn lr_hint(flavor: Flavor) -> &'static str {
    match flavor {
        Flavor::Torch => "",
        Flavor::Keras | Flavor::TfKeras => " and, as Keras holds it, a nonzero finite float32",
    }
}
