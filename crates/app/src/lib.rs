//! The `lrviz` command line as a library: flag definitions, the commands, and how their
//! output files are written. `main.rs` only parses, dispatches and maps errors to exit codes.
#![warn(missing_docs)]

/// `println!` that ignores a closed stdout (e.g. `lrviz train | head`) instead of panicking.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `print!` that ignores a closed stdout.
#[macro_export]
macro_rules! say_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}

pub mod chart;
pub mod cli;
pub mod compare_cmd;
pub mod errors;
pub mod history;
pub mod interrupt;
pub mod limits;
pub mod output;
pub mod parse;
pub mod plateau;
pub mod plot_cmd;
pub mod replay_cmd;
pub mod sweep_cmd;
pub mod train_cmd;
