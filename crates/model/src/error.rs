//! Errors of the model crate.

/// What can go wrong when building or training a model.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// A candle operation failed (shape mismatch, allocation).
    #[error("tensor operation failed: {0}")]
    Candle(#[from] candle_core::Error),
    /// A configuration value is outside its valid range.
    #[error("invalid {name} {value}: {expected}")]
    InvalidConfig {
        /// The parameter's name as users know it.
        name: &'static str,
        /// The rejected value, formatted.
        value: String,
        /// What would be valid.
        expected: &'static str,
    },
    /// Training and validation sets disagree with the model's input width.
    #[error("data has {got} features but the model expects {expected}")]
    FeatureMismatch {
        /// Inputs the model was built for.
        expected: usize,
        /// Features in the data.
        got: usize,
    },
    /// A data set has no rows.
    #[error("the {which} set is empty")]
    EmptyData {
        /// "training" or "validation".
        which: &'static str,
    },
    /// The plateau scheduler refused its settings.
    #[error(transparent)]
    Scheduler(#[from] lrviz_scheduler::ConfigError),
    /// A callback failed.
    #[error("callback {name}: {message}")]
    Callback {
        /// The callback's name.
        name: String,
        /// What went wrong.
        message: String,
    },
}
