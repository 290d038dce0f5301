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

/// The one line printed for an error: the message and its causes joined with `: `, a cause
/// left out when the text before already ends with it (a `thiserror` message that shows its
/// `#[source]` would otherwise print the operating system's reason twice), line breaks folded.
pub fn one_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if line.ends_with(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line.replace(['\n', '\r'], " ")
}

/// Prints `error: <one line>` to stderr, ignoring a closed stderr.
pub fn report(err: &anyhow::Error) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr().lock(), "error: {}", one_line(err));
}

/// Whether the user asked for backtraces (`RUST_BACKTRACE` set to anything but `0`).
fn backtrace_wanted() -> bool {
    std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0")
}

/// Replaces Rust's panic output with one line that says it is a bug, and exits with status 1
/// (not Rust's 101). The full backtrace follows only when `RUST_BACKTRACE` is set. Output files
/// are safe either way: each is written to a temporary name and renamed when complete.
///
/// With `LRVIZ_DEBUG_PANIC=1` in the environment, panics at once: the tests use it to check
/// this path end to end.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        use std::io::Write as _;
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        let place = info
            .location()
            .map_or(String::new(), |l| format!(" at {}:{}", l.file(), l.line()));
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(
            stderr,
            "error: internal error (a bug in lrviz): {}{place}; please report it{}",
            payload.replace(['\n', '\r'], " "),
            if backtrace_wanted() {
                ""
            } else {
                " (RUST_BACKTRACE=1 shows where it happened)"
            }
        );
        if backtrace_wanted() {
            let _ = writeln!(stderr, "{}", std::backtrace::Backtrace::force_capture());
        }
        std::process::exit(EXIT_FAILURE);
    }));
    if std::env::var_os("LRVIZ_DEBUG_PANIC").is_some_and(|v| v == "1") {
        panic!("LRVIZ_DEBUG_PANIC=1 is set");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_drops_a_cause_the_message_already_shows_and_folds_breaks() {
        // DataError::Unreadable shows its io::Error and also returns it as source().
        let io = std::io::Error::other("Not a directory (os error 20)");
        let data = lrviz_data::DataError::Unreadable {
            path: "x.csv/y".into(),
            source: io,
        };
        let err = anyhow::Error::new(data).context("cannot load --data");
        assert_eq!(
            one_line(&err),
            "cannot load --data: x.csv/y: cannot read the file: Not a directory (os error 20)"
        );
        let err = anyhow::anyhow!("first\nsecond").context("outer");
        assert_eq!(one_line(&err), "outer: first second");
    }
}
