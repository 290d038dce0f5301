//! Benchmark: stream a generated Lightning `metrics.csv` of a given size through `read_log_from`
//! and report the time and the process's peak memory, to show that memory follows the epochs
//! kept, not the length of the text.
//!
//! `cargo run --release -p lrviz-data --example big_log -- [MEGABYTES] [STEPS_PER_EPOCH]`
//! (default 1024 MB, 10,000 steps: the LR is logged at every step, the worst case for the join).

use std::io::Read;
use std::time::Instant;

use lrviz_data::read_log_from;

/// Generates `epoch,lr-SGD,step,train_loss,val_loss` rows until `limit` bytes were produced.
struct Gen {
    limit: u64,
    produced: u64,
    steps: u64,
    epoch: u64,
    step: u64,
    buf: Vec<u8>,
    pos: usize,
}

impl Read for Gen {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
            if self.produced == 0 {
                self.buf
                    .extend_from_slice(b"epoch,lr-SGD,step,train_loss,val_loss\n");
            }
            if self.produced >= self.limit && self.step == 0 {
                return Ok(0);
            }
            // One epoch's worth of LR rows at a time, then its two metric rows.
            for _ in 0..self.steps {
                let s = self.epoch * self.steps + self.step;
                let lr = 0.1 / f64::from(1u32 << (self.epoch / 100).min(20));
                self.buf
                    .extend_from_slice(format!(",{lr},{s},,\n").as_bytes());
                self.step += 1;
            }
            let (e, s) = (self.epoch, self.epoch * self.steps + self.steps - 1);
            let loss = 1.0 / (e + 1) as f64;
            self.buf
                .extend_from_slice(format!("{e},,{s},{loss},\n{e},,{s},,{loss}\n").as_bytes());
            self.epoch += 1;
            self.step = 0;
            self.produced += self.buf.len() as u64;
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mb: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1024);
    let steps: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let before = peak_rss_kib();
    let gen = Gen {
        limit: mb << 20,
        produced: 0,
        steps: steps.max(1),
        epoch: 0,
        step: 0,
        buf: Vec::new(),
        pos: 0,
    };
    let start = Instant::now();
    match read_log_from(gen, "generated", None) {
        Ok(log) => {
            let secs = start.elapsed().as_secs_f64();
            println!(
                "{mb} MB, {} epochs x {steps} steps: read in {secs:.1} s ({:.0} MB/s); \
                 LR {:?}; peak RSS {} KiB (before reading {} KiB)",
                log.n_epochs(),
                mb as f64 / secs,
                log.lr_granularity,
                peak_rss_kib().unwrap_or(0),
                before.unwrap_or(0),
            );
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
