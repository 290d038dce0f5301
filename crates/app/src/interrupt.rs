//! Ctrl-C (SIGINT): a clean stop during training, an immediate exit otherwise.
//!
//! [`install`] sets a handler for the whole process. While a command is *armed* (training and
//! writing its files, see [`Armed`]), the first Ctrl-C only sets the interrupt flag: training
//! stops after the current batch, the completed epochs are written, and lrviz exits with 130.
//! A second Ctrl-C, or one while nothing is armed (reading data, replaying a log), exits at
//! once with 130; files are never torn even then, because each is renamed into place only when
//! complete.

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::errors::EXIT_INTERRUPTED;

/// Whether the running command stops cleanly on the flag.
static ARMED: AtomicBool = AtomicBool::new(false);

/// Installs the SIGINT handler that sets `flag` (once; a second install fails).
pub fn install(flag: Arc<AtomicBool>) -> Result<(), ctrlc::Error> {
    ctrlc::set_handler(move || {
        let mut stderr = std::io::stderr().lock();
        if ARMED.load(Ordering::SeqCst) && !flag.swap(true, Ordering::SeqCst) {
            let _ = writeln!(
                stderr,
                "\ninterrupt: stopping after the current batch and writing the completed \
                 epochs (Ctrl-C again to quit at once)"
            );
        } else {
            let _ = writeln!(stderr, "\ninterrupted");
            std::process::exit(EXIT_INTERRUPTED);
        }
    })
}

/// While alive, a Ctrl-C sets the flag instead of exiting: create it where the command starts
/// checking the flag, drop it when it no longer does.
#[derive(Debug)]
pub struct Armed(());

impl Armed {
    /// Arms the handler.
    pub fn new() -> Self {
        ARMED.store(true, Ordering::SeqCst);
        Armed(())
    }
}

impl Default for Armed {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Armed {
    fn drop(&mut self) {
        ARMED.store(false, Ordering::SeqCst);
    }
}
