//! Sweep throughput: 10,000 plateau settings replayed on a 1,000-epoch series, through the
//! same code `lrviz sweep` runs (`Grid`, `run_grid`: the scheduler's non-recording fast path
//! on a local rayon pool). Prints settings/s for 1 and 2 threads (and the available cores).
//!
//! ```text
//! cargo bench -p lrviz --bench sweep                 # release (bench) profile
//! cargo bench -p lrviz --bench sweep --profile dev   # reuses the test build; slower code
//! ```
//!
//! A benchmark, not a test: it asserts nothing about time. The issue's target is "about a
//! second" for this workload on a 2-core machine.

use std::time::Instant;

use lrviz::sweep_cmd::{run_grid, Grid};
use lrviz_scheduler::{Flavor, ThresholdMode};

/// A validation-loss-like series: a decaying curve that flattens into noise, so plateaus are
/// found and reductions happen throughout (deterministic: a small LCG, no RNG crate).
fn series(n: usize) -> Vec<f64> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    (0..n)
        .map(|i| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let noise = ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 0.02;
            0.1 + 0.5 * (-(i as f64) / 60.0).exp() + noise
        })
        .collect()
}

/// 10,000 settings: keras and torch, 5 factors x 20 patience values x 5 cooldowns, times 10
/// min_delta values (keras) or 5 thresholds x 2 modes (torch).
fn grid() -> Grid {
    Grid {
        monitor: "val_loss".into(),
        mode: None,
        flavors: vec![Flavor::Keras, Flavor::Torch],
        factor: vec![0.1, 0.2, 0.3, 0.5, 0.7],
        patience: (1..=20).collect(),
        cooldown: (0..5).collect(),
        min_lr: vec![1e-5],
        min_delta: (0..10).map(|k| k as f64 * 1e-4).collect(),
        threshold: vec![0.0, 1e-4, 1e-3, 1e-2, 5e-2],
        threshold_mode: vec![ThresholdMode::Rel, ThresholdMode::Abs],
        eps: vec![1e-8],
    }
}

fn main() {
    let epochs = 1000;
    let s = series(epochs);
    let g = grid();
    let n = g.len();
    assert_eq!(n, 10_000);
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let mut thread_counts = vec![1, 2];
    if cores > 2 {
        thread_counts.push(cores);
    }
    println!("sweep benchmark: {n} settings x {epochs} epochs ({cores} cores available)");
    let reference = run_grid(&g, 0.1, &s, None, 1).expect("valid grid");
    let reductions: u64 = reference.iter().map(|r| u64::from(r.reductions)).sum();
    println!("  (checksum: {reductions} reductions in all)");
    for threads in thread_counts {
        let mut times = Vec::new();
        for _ in 0..7 {
            let t0 = Instant::now();
            let rows = run_grid(&g, 0.1, &s, None, threads).expect("valid grid");
            times.push(t0.elapsed().as_secs_f64());
            assert_eq!(rows, reference, "rows must not depend on the thread count");
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        println!(
            "  {threads} thread(s): median {:.1} ms, best {:.1} ms -> {:.0} settings/s, {:.1} M epoch-steps/s",
            median * 1e3,
            times[0] * 1e3,
            n as f64 / median,
            (n as f64 * epochs as f64) / median / 1e6
        );
    }
}
