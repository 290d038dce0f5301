//! `lrviz-scheduler`: ReduceLROnPlateau with the exact semantics of Keras 3.15, tf.keras 2.15
//! and PyTorch 2.x, in pure Rust.
//!
//! The three frameworks disagree on when a plateau triggers (patience off by one), how
//! cooldown is counted, relative vs absolute thresholds, the first value, NaN and ±inf, the
//! `min_lr` floor and the precision of the LR (Keras float32, torch float64). lrviz reproduces
//! each one exactly — the test suite replays 900 series recorded from the real frameworks —
//! and explains every epoch's decision. The reference is `plateau-semantics.md`; the user
//! facing summary is `docs/flavors.md`.
//!
//! ```
//! use lrviz_scheduler::{replay, Flavor, PlateauConfig};
//!
//! let mut cfg = PlateauConfig::torch();
//! cfg.patience = 1;
//! let r = replay(&cfg, 0.1, &[Some(1.0), Some(1.1), Some(1.2)]).unwrap();
//! assert_eq!(r.reduced_at, vec![2]); // torch reduces on the 2nd bad epoch
//! assert_eq!(cfg.flavor, Flavor::Torch);
//! ```
#![warn(missing_docs)]

mod config;
mod error;
mod format;
mod replay;
mod scheduler;
pub mod serde_f64;
mod translate;

pub use config::{Direction, Flavor, Mode, PlateauConfig, ThresholdMode};
pub use error::ConfigError;
pub use format::{numpy_f32_repr, ordinal, python_e4, python_float_repr, reduction_message};
pub use replay::{replay, replay_summary, Replay, ReplaySummary};
pub use scheduler::{EpochDecision, Event, PlateauState, ReduceLrOnPlateau};
pub use translate::{translate, Translation};
