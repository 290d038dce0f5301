//! `lrviz translate`: the closest settings in another flavor.
//!
//! The mapping is the one verified in semantics doc §3: Keras(patience P, cooldown C) ≡
//! torch(patience P−1, cooldown max(C−1, 0)) with `threshold_mode abs` and `threshold =
//! min_delta`. It holds for finite series away from float32 precision effects, the `min_lr`
//! floor and torch's `eps`; everything without an exact counterpart is said in `notes`.

use serde::{Deserialize, Serialize};

use crate::config::{Flavor, Mode, PlateauConfig, ThresholdMode};
use crate::format::python_float_repr as r;

/// The result of [`translate`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Translation {
    /// The settings in the target flavor.
    pub config: PlateauConfig,
    /// True when every setting has a counterpart, so that both sides reduce at the same epochs
    /// on finite series except where float32 precision, the floor or `eps` decide (listed in
    /// `notes`). False when something has no equivalent (torch `rel` thresholds, an `auto`
    /// mode that cannot be resolved, invalid source settings).
    pub exact: bool,
    /// What was mapped how, and what cannot be.
    pub notes: Vec<String>,
}

/// The closest settings to `config` in flavor `to`.
pub fn translate(config: &PlateauConfig, to: Flavor) -> Translation {
    let from = config.flavor;
    if from == to {
        return Translation {
            config: config.clone(),
            exact: true,
            notes: vec![format!("{from} to {to}: nothing to change")],
        };
    }
    let mut notes = Vec::new();
    let mut exact = true;
    if let Err(e) = config.validate() {
        exact = false;
        notes.push(format!("the {from} settings are not valid: {e}"));
    }
    let mut out = PlateauConfig::defaults(to);
    out.monitor = config.monitor.clone();
    out.factor = config.factor;
    out.min_lr = config.min_lr;

    // Direction: the auto rules differ between flavors (and torch has none), so the target
    // gets the explicit direction the source would have used.
    match config.direction() {
        Ok(d) => {
            out.mode = d.mode();
            if config.mode == Mode::Auto {
                notes.push(format!(
                    "mode auto under {} means {d} for `{}`; written as mode {d}",
                    from.framework(),
                    config.monitor
                ));
            }
        }
        Err(e) => {
            exact = false;
            out.mode = if to == Flavor::Torch {
                Mode::Min
            } else {
                Mode::Auto
            };
            notes.push(format!(
                "the direction cannot be resolved ({e}); mode set to {}",
                out.mode
            ));
        }
    }

    let p = config.patience.max(0);
    let c = config.cooldown.max(0);
    match (from.is_keras(), to.is_keras()) {
        (true, true) => {
            out.patience = p;
            out.cooldown = c;
            out.min_delta = config.min_delta;
            notes.push(
                "patience, cooldown, min_delta and min_lr carry over unchanged (same counting, \
                 same float32 LR)"
                    .to_string(),
            );
            notes.push(
                "Keras 3 compares in float32, tf.keras in float64: values within float32 \
                 precision of best ∓ min_delta can be decided differently (semantics doc S11)"
                    .to_string(),
            );
            notes.push(
                "Keras 3 accepts any first value as the best, even NaN or +inf; tf.keras starts \
                 from ±inf, so a non-finite first value differs (S7a, S7c)"
                    .to_string(),
            );
        }
        (true, false) => {
            let kp = p.max(1);
            out.patience = kp - 1;
            out.cooldown = (c - 1).max(0);
            out.threshold_mode = ThresholdMode::Abs;
            out.threshold = config.min_delta;
            out.eps = 0.0;
            notes.push(format!(
                "patience {p} → {}: {} reduces on the {} bad epoch, torch on the \
                 (patience+1)-th",
                out.patience,
                from.framework(),
                crate::format::ordinal(kp as u64)
            ));
            notes.push(format!(
                "cooldown {c} → {}: Keras's last cooldown epoch already counts, torch ignores \
                 all of its cooldown epochs",
                out.cooldown
            ));
            notes.push(format!(
                "min_delta {} → threshold_mode abs, threshold {}",
                r(config.min_delta),
                r(out.threshold)
            ));
            notes.push(
                "eps 0: Keras has no eps (torch's default 1e-8 would skip tiny steps)".into(),
            );
            notes.push(
                "Keras holds the LR as float32, torch as float64: the LR values differ in the \
                 last float32 digit, and near min_lr the float32 rounding can add or remove a \
                 final reduction"
                    .to_string(),
            );
            notes.push(
                "at min_lr the counters differ: torch restarts cooldown on a no-op reduction, \
                 Keras lets wait grow (the LRs stay equal)"
                    .to_string(),
            );
            if from == Flavor::Keras {
                notes.push(
                    "Keras 3 compares in float32 and accepts a NaN or +inf first value as the \
                     best; torch compares in float64 and starts from ±inf (S7a, S7c, S11)"
                        .to_string(),
                );
            }
        }
        (false, true) => {
            out.patience = p + 1;
            out.cooldown = if c > 0 { c + 1 } else { 0 };
            out.min_delta = config.threshold;
            notes.push(format!(
                "patience {p} → {}: torch reduces on the (patience+1)-th bad epoch, Keras on \
                 the patience-th",
                out.patience
            ));
            notes.push(format!(
                "cooldown {c} → {}: Keras's last cooldown epoch already counts",
                out.cooldown
            ));
            match config.threshold_mode {
                ThresholdMode::Abs => notes.push(format!(
                    "threshold_mode abs, threshold {} → min_delta {}",
                    r(config.threshold),
                    r(out.min_delta)
                )),
                ThresholdMode::Rel if config.threshold == 0.0 => {
                    notes.push("threshold 0 (rel) is the same test as min_delta 0".to_string())
                }
                ThresholdMode::Rel => {
                    exact = false;
                    notes.push(format!(
                        "no exact equivalent: torch's rel threshold {} scales with the best \
                         value, Keras's min_delta is absolute; min_delta {} matches only where \
                         |best| is about 1 (for a metric near X use about {} × |X|), and with a \
                         negative best torch's test is inverted (S8)",
                        r(config.threshold),
                        r(out.min_delta),
                        r(config.threshold)
                    ));
                }
            }
            if config.eps > 0.0 {
                notes.push(format!(
                    "Keras has no eps: torch skips reductions of {} or less, so below an LR of \
                     about {} Keras keeps reducing where torch stops (S6b)",
                    r(config.eps),
                    r(config.eps / (1.0 - config.factor))
                ));
            }
            notes.push(
                "Keras holds the LR as float32: the LR values differ in the last float32 digit"
                    .to_string(),
            );
            if to == Flavor::Keras {
                notes.push(
                    "Keras 3 compares in float32 and accepts a NaN or +inf first value as the \
                     best (S7a, S7c, S11)"
                        .to_string(),
                );
            }
        }
        (false, false) => {}
    }
    Translation {
        config: out,
        exact,
        notes,
    }
}
