//! The training side of lrviz: a candle MLP for binary classification, SGD with the
//! options Keras' `SGD` has, and a training loop driven by callbacks.
//!
//! This is the only lrviz crate that touches candle. The plateau logic itself lives in
//! [`lrviz_scheduler`], which knows nothing of tensors; [`PlateauCallback`] adapts it to
//! the [`Callback`] trait, so the scheduler can equally be driven by a recorded log.
//!
//! ```
//! use lrviz_data::{synthetic, SyntheticKind, SyntheticSpec, train_val_split};
//! use lrviz_model::{train, MlpConfig, TrainConfig, PlateauCallback, Callback};
//! use lrviz_scheduler::PlateauConfig;
//!
//! let data = synthetic(&SyntheticSpec { kind: SyntheticKind::Linear, samples: 200, features: 4, noise: 0.5, seed: 1 }).unwrap();
//! let split = train_val_split(&data, 0.2, false, true, 1).unwrap();
//! let mut plateau = PlateauCallback::new(PlateauConfig { patience: 2, ..PlateauConfig::keras() }, 0.1).unwrap();
//! let cfg = TrainConfig { epochs: 5, ..TrainConfig::default() };
//! let mut callbacks: Vec<&mut dyn Callback> = vec![&mut plateau];
//! let run = train(&MlpConfig::new(4), &cfg, &split.train, &split.val, &mut callbacks).unwrap();
//! assert_eq!(run.history.len(), 5);
//! ```
#![warn(missing_docs)]

mod callbacks;
mod error;
mod fused;
mod mlp;
mod sgd;
mod train;

pub use callbacks::{EarlyStopping, EarlyStoppingConfig, PlateauCallback};
pub use error::ModelError;
pub use mlp::{accuracy, bce_with_logits, Activation, Mlp, MlpConfig};
pub use sgd::{Sgd, SgdConfig};
pub use train::{
    evaluate, train, Callback, CallbackEvent, Control, EpochLogs, StepKind, StopReason,
    TrainConfig, TrainRun,
};
