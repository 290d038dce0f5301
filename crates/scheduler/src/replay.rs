//! Replaying a whole metric series through a scheduler, as the parity fixtures and
//! `lrviz replay` do: the LR after each epoch, the epochs that lowered it, and (for
//! [`replay`]) every decision.

use serde::{Deserialize, Serialize};

use crate::config::PlateauConfig;
use crate::error::ConfigError;
use crate::scheduler::{EpochDecision, ReduceLrOnPlateau};
use crate::serde_f64;

/// A replayed series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Replay {
    /// The LR right after each epoch's metric was processed (the LR epoch e+1 trains with).
    #[serde(with = "serde_f64::vec")]
    pub lr_after_epoch: Vec<f64>,
    /// Epochs whose processing lowered the LR.
    pub reduced_at: Vec<u64>,
    /// Every decision, one per input value.
    pub decisions: Vec<EpochDecision>,
}

/// Replays `metrics` (one per epoch, `None` = missing) from `initial_lr`.
pub fn replay(
    config: &PlateauConfig,
    initial_lr: f64,
    metrics: &[Option<f64>],
) -> Result<Replay, ConfigError> {
    let mut sched = ReduceLrOnPlateau::new(config.clone(), initial_lr)?;
    let mut out = Replay {
        lr_after_epoch: Vec::with_capacity(metrics.len()),
        reduced_at: Vec::new(),
        decisions: Vec::with_capacity(metrics.len()),
    };
    for (epoch, value) in metrics.iter().enumerate() {
        let d = sched.step(epoch as u64, *value);
        out.lr_after_epoch.push(d.lr_after);
        if d.reduced() {
            out.reduced_at.push(epoch as u64);
        }
        out.decisions.push(d);
    }
    Ok(out)
}

/// The outcome of a replay without per-epoch records.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplaySummary {
    /// Number of reductions (saturating).
    pub reductions: u32,
    /// The first epoch that lowered the LR.
    pub first_reduction: Option<u64>,
    /// The LR after the last epoch.
    #[serde(with = "serde_f64")]
    pub final_lr: f64,
    /// Epochs whose processing lowered the LR.
    pub reduced_at: Vec<u64>,
}

/// Replays `metrics` (all present; NaN is a value) through the fast path: no per-epoch
/// allocation except `reduced_at`.
pub fn replay_summary(
    config: &PlateauConfig,
    initial_lr: f64,
    metrics: &[f64],
) -> Result<ReplaySummary, ConfigError> {
    let mut sched = ReduceLrOnPlateau::new(config.clone(), initial_lr)?;
    let mut reduced_at = Vec::new();
    for (epoch, &v) in metrics.iter().enumerate() {
        if sched.step_fast(v) {
            reduced_at.push(epoch as u64);
        }
    }
    Ok(ReplaySummary {
        reductions: u32::try_from(reduced_at.len()).unwrap_or(u32::MAX),
        first_reduction: reduced_at.first().copied(),
        final_lr: sched.lr(),
        reduced_at,
    })
}
