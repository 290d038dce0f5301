//! Turning the plateau flags into a validated [`PlateauConfig`] for the chosen flavor.
//!
//! A flag that belongs to another flavor is refused with the chosen flavor's equivalent, so a
//! Keras user who types `--threshold` with `--flavor keras` learns about `--min-delta`.

use anyhow::Result;
use lrviz_scheduler::{ConfigError, Flavor, Mode, PlateauConfig, ThresholdMode};

use crate::cli::PlateauArgs;
use crate::errors::usage;

/// Builds and validates the plateau settings; every refusal is a usage error naming the flag.
pub fn build_config(args: &PlateauArgs) -> Result<PlateauConfig> {
    let flavor: Flavor = args.flavor.map_or(Flavor::Keras, Into::into);
    let mut c = PlateauConfig::defaults(flavor);
    let keras_like = flavor != Flavor::Torch;
    if keras_like {
        for (given, flag) in [
            (args.threshold.is_some(), "--threshold"),
            (args.threshold_mode.is_some(), "--threshold-mode"),
            (args.eps.is_some(), "--eps"),
        ] {
            if given {
                return Err(usage(format!(
                    "{flag} is a torch setting and does not apply to --flavor {flavor}: the {flavor} equivalent of a threshold is --min-delta (absolute), and {flavor} has no eps; or pass --flavor torch"
                )));
            }
        }
    } else if args.min_delta.is_some() {
        return Err(usage(
            "--min-delta is a Keras setting and does not apply to --flavor torch: use --threshold X --threshold-mode abs for the same absolute test",
        ));
    }
    if let Some(m) = &args.monitor {
        if m.trim().is_empty() {
            return Err(usage(
                "--monitor is empty: give a metric name such as val_loss",
            ));
        }
        c.monitor = m.clone();
    }
    if let Some(v) = args.factor {
        c.factor = v;
    }
    if let Some(v) = args.patience {
        c.patience = v;
    }
    if let Some(v) = args.cooldown {
        c.cooldown = v;
    }
    if let Some(v) = args.min_lr {
        c.min_lr = v;
    }
    if let Some(v) = args.min_delta {
        c.min_delta = v;
    }
    if let Some(v) = args.threshold {
        c.threshold = v;
    }
    if let Some(v) = args.eps {
        c.eps = v;
    }
    if let Some(m) = &args.mode {
        c.mode = m
            .parse::<Mode>()
            .map_err(|e| usage(format!("invalid --mode {m:?}: {e}")))?;
    }
    if let Some(t) = &args.threshold_mode {
        c.threshold_mode = t
            .parse::<ThresholdMode>()
            .map_err(|e| usage(format!("invalid --threshold-mode {t:?}: {e}")))?;
    }
    let refuse = |e: ConfigError| match flag_of(&e) {
        Some(flag) => usage(format!("invalid {flag} for --flavor {flavor}: {e}")),
        None => usage(format!(
            "invalid plateau setting for --flavor {flavor}: {e}"
        )),
    };
    c.validate().map_err(refuse)?;
    c.direction().map_err(refuse)?;
    Ok(c)
}

/// The flag behind a refused setting, so the one-line error names it.
fn flag_of(e: &ConfigError) -> Option<&'static str> {
    Some(match e {
        ConfigError::NonFinite { param, .. } => match *param {
            "factor" => "--factor",
            "min_lr" => "--min-lr",
            "min_delta" => "--min-delta",
            "threshold" => "--threshold",
            "eps" => "--eps",
            _ => return None,
        },
        ConfigError::FactorTooLarge { .. } | ConfigError::FactorNotPositive { .. } => "--factor",
        ConfigError::NegativePatience { .. } => "--patience",
        ConfigError::NegativeCooldown { .. } => "--cooldown",
        ConfigError::NegativeMinDelta { .. } => "--min-delta",
        ConfigError::NegativeThreshold { .. } => "--threshold",
        ConfigError::NegativeMinLr { .. } => "--min-lr",
        ConfigError::NegativeEps { .. } => "--eps",
        ConfigError::AutoModeUnsupported { .. } | ConfigError::UnknownMonitorDirection { .. } => {
            "--mode"
        }
        ConfigError::InvalidLr { .. } => "--lr",
        _ => return None,
    })
}
