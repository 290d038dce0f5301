//! The `lrviz` binary.

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::Parser;
use lrviz::cli::{Cli, Command};
use lrviz::errors::exit_code;

fn main() -> ExitCode {
    // candle re-reads /proc/cpuinfo on every matmul when RAYON_NUM_THREADS is unset (about 60%
    // of training time, measured). Set it before any thread starts; a user's value wins.
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        std::env::set_var("RAYON_NUM_THREADS", "1");
    }
    lrviz::errors::install_panic_hook();
    let cli = Cli::parse();
    let interrupt = Arc::new(AtomicBool::new(false));
    if let Err(e) = lrviz::interrupt::install(interrupt.clone()) {
        eprintln!("warning: Ctrl-C will end lrviz at once (cannot install a handler: {e})");
    }
    let result = match &cli.command {
        Command::Train(args) => lrviz::train_cmd::run(args, Some(interrupt.clone())).map(|_| ()),
        Command::Replay(args) => lrviz::replay_cmd::run(args, false),
        Command::Explain(args) => lrviz::replay_cmd::run(args, true),
        Command::Translate(args) => lrviz::replay_cmd::translate_cmd(args),
        Command::Plot(args) => lrviz::plot_cmd::run(args),
        Command::Sweep(args) => lrviz::sweep_cmd::run(args),
        Command::Compare(args) => lrviz::compare_cmd::run(args),
    };
    let _ = interrupt.load(Ordering::Relaxed);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            lrviz::errors::report(&err);
            ExitCode::from(exit_code(&err) as u8)
        }
    }
}
