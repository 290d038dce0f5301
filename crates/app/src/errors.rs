//! Exit statuses: 2 for usage errors (flags), 1 for bad input files and other failures,
//! 3 for a diverged training run, 130 for an interrupted one.

use std::fmt;

/// Exit status for flag errors (clap uses it too).
pub const EXIT_USAGE: i32 = 2;
/// Exit status for bad input files and other failures.
pub const EXIT_FAILURE: i32 = 1;
/// Exit status for a training run stopped by a NaN/inf loss.
pub const EXIT_DIVERGED: i32 = 3;
/// Exit status after Ctrl-C (128 + SIGINT).
pub const EXIT_INTERRUPTED: i32 = 130;

/// An error that carries its exit status.
#[derive(Debug)]
pub struct ExitError {
    /// Process exit status.
    pub code: i32,
    /// One-line message.
    pub message: String,
}

impl fmt::Display for ExitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExitError {}

/// A usage (flag) error: exit status 2.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    ExitError {
        code: EXIT_USAGE,
        message: message.into(),
    }
    .into()
}

/// The exit status an error maps to.
pub fn exit_code(err: &anyhow::Error) -> i32 {
    err.downcast_ref::<ExitError>()
        .map_or(EXIT_FAILURE, |e| e.code)
}
