//! Turning the plateau flags into a validated [`PlateauConfig`] for the chosen flavor.
//!
//! A flag that belongs to another flavor is refused with the chosen flavor's equivalent, so a
//! Keras user who types `--threshold` with `--flavor keras` learns about `--min-delta`.

use anyhow::Result;
use lrviz_scheduler::{ConfigError, Flavor, Mode, PlateauConfig, ThresholdMode};

use crate::cli::PlateauArgs;
use crate::errors::usage;

/// Which flavor-specific flags a command was given.
#[derive(Clone, Copy, Debug, Default)]
pub struct FlavorFlags {
    /// `--min-delta` (Keras flavors).
    pub min_delta: bool,
    /// `--threshold` (torch).
    pub threshold: bool,
    /// `--threshold-mode` (torch).
    pub threshold_mode: bool,
    /// `--eps` (torch).
    pub eps: bool,
}

/// Refuses a flavor-specific flag that none of `flavors` uses, naming the equivalent.
/// `flavor_flag` is how the command spells its flavor flag (`--flavor`, `--flavors`). One
/// check serves `train`/`replay` (one flavor), `sweep` and `compare` (several).
pub fn refuse_foreign_flags(
    flavors: &[Flavor],
    flavor_flag: &str,
    given: FlavorFlags,
) -> Result<()> {
    let list = flavors
        .iter()
        .map(|f| f.name())
        .collect::<Vec<_>>()
        .join(",");
    if given.min_delta && !flavors.iter().any(|f| f.is_keras()) {
        return Err(usage(format!(
            "--min-delta applies to the Keras flavors only, and {flavor_flag} is {list}: for torch use --threshold X --threshold-mode abs for the same absolute test"
        )));
    }
    if !flavors.contains(&Flavor::Torch) {
        for (g, flag) in [
            (given.threshold, "--threshold"),
            (given.threshold_mode, "--threshold-mode"),
            (given.eps, "--eps"),
        ] {
            if g {
                return Err(usage(format!(
                    "{flag} applies to --flavor torch only, and {flavor_flag} is {list}: the Keras equivalent of a threshold is --min-delta (absolute), and Keras has no eps; add torch to {flavor_flag} to use it"
                )));
            }
        }
    }
    Ok(())
}

impl PlateauArgs {
    /// The flavor-specific flags given.
    pub fn flavor_flags(&self) -> FlavorFlags {
        FlavorFlags {
            min_delta: self.min_delta.is_some(),
            threshold: self.threshold.is_some(),
            threshold_mode: self.threshold_mode.is_some(),
            eps: self.eps.is_some(),
        }
    }
}

/// Builds and validates the plateau settings; every refusal is a usage error naming the flag.
pub fn build_config(args: &PlateauArgs) -> Result<PlateauConfig> {
    let flavor: Flavor = args.flavor.map_or(Flavor::Keras, Into::into);
    let mut c = PlateauConfig::defaults(flavor);
    refuse_foreign_flags(&[flavor], "--flavor", args.flavor_flags())?;
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
