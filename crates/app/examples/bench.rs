//! The benchmark driver behind `cargo xtask bench` (run that; this prints JSON lines).
//!
//!     bench seed|large [--step fused|autograd] [--reps N]   one training workload
//!     bench scheduler                                      plateau decisions/s per flavor
//!     bench sweep [--threads N]                            10,000 settings x 1,000 epochs
//!
//! The workloads are those of `shared/bench/workloads.py`: the `linear` generator (standard
//! normal features, `y = x.w + 0.5 N(0,1) > 0`), the first 80 % of the rows train and the last
//! 20 % validate (no shuffle, no standardization), a 20-64-1 relu MLP, SGD lr 0.1,
//! ReduceLROnPlateau on val_loss (torch flavor: factor 0.5, patience 5, min_lr 1e-4), the
//! validation loss every epoch. `train_seconds` is the library's own timing of the training
//! loop (model built, every epoch, validation; data generation excluded), as the peers time
//! theirs. With `--reps N` the run is repeated and the median run reported. Peak RSS is the
//! process's high-water mark (`VmHWM`), which includes the data set.

use std::hint::black_box;
use std::time::Instant;

use lrviz_data::{synthetic, train_val_split, SyntheticKind, SyntheticSpec};
use lrviz_model::{train, MlpConfig, PlateauCallback, SgdConfig, StepKind, TrainConfig};
use lrviz_scheduler::{replay_summary, Flavor, PlateauConfig, ReduceLrOnPlateau, ThresholdMode};
use rayon::prelude::*;
use serde_json::json;

/// `(name, samples, batch, epochs)`; every workload: 20 features, 64 hidden, lr 0.1.
const WORKLOADS: [(&str, usize, usize, usize); 2] =
    [("seed", 1000, 32, 100), ("large", 100_000, 256, 5)];

fn main() {
    // candle's autograd path re-reads /proc/cpuinfo on every matmul when RAYON_NUM_THREADS is
    // unset; set it before any thread starts, as the lrviz binary does (a user's value wins).
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        std::env::set_var("RAYON_NUM_THREADS", "1");
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let result = match args.first().map(String::as_str) {
        Some("scheduler") => scheduler(),
        Some("sweep") => sweep(flag("--threads").map_or(Ok(1), |t| t.parse()).unwrap_or(1)),
        Some(w) => match WORKLOADS.iter().find(|x| x.0 == w) {
            Some(&workload) => {
                let step = match flag("--step").as_deref() {
                    None | Some("fused") => StepKind::Fused,
                    Some("autograd") => StepKind::Autograd,
                    Some(other) => fail(&format!("unknown --step {other}: fused or autograd")),
                };
                let reps = flag("--reps").and_then(|r| r.parse().ok()).unwrap_or(1);
                workload_run(workload, step, reps)
            }
            None => fail(&format!(
                "unknown benchmark {w:?}: seed, large, scheduler, sweep"
            )),
        },
        None => fail("usage: bench seed|large|scheduler|sweep"),
    };
    if let Err(e) = result {
        fail(&e);
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("bench: {msg}");
    std::process::exit(2)
}

/// The process's peak resident set in MB (`VmHWM`), when /proc is there.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn plateau() -> PlateauConfig {
    PlateauConfig {
        factor: 0.5,
        patience: 5,
        min_lr: 1e-4,
        ..PlateauConfig::torch()
    }
}

fn workload_run(
    (name, samples, batch, epochs): (&str, usize, usize, usize),
    step: StepKind,
    reps: usize,
) -> Result<(), String> {
    let ds = synthetic(&SyntheticSpec {
        kind: SyntheticKind::Linear,
        samples,
        features: 20,
        noise: 0.5,
        seed: 0,
    })
    .map_err(|e| e.to_string())?;
    let split = train_val_split(&ds, 0.2, false, false, 0).map_err(|e| e.to_string())?;
    drop(ds);
    let config = TrainConfig {
        epochs,
        batch_size: batch,
        sgd: SgdConfig {
            lr: 0.1,
            ..SgdConfig::default()
        },
        seed: 0,
        step,
        ..TrainConfig::default()
    };
    let mut runs = Vec::with_capacity(reps.max(1));
    for _ in 0..reps.max(1) {
        let mut cb = PlateauCallback::new(plateau(), 0.1).map_err(|e| e.to_string())?;
        let run = train(
            &MlpConfig::new(20),
            &config,
            &split.train,
            &split.val,
            &mut [&mut cb],
        )
        .map_err(|e| e.to_string())?;
        runs.push(run);
    }
    runs.sort_by(|a, b| a.train_seconds.total_cmp(&b.train_seconds));
    let times: Vec<f64> = runs.iter().map(|r| r.train_seconds).collect();
    let run = &runs[runs.len() / 2];
    let last = run.history.last().ok_or("no epoch ran")?;
    let epochs_run = run.history.len();
    let rows = split.train.n_rows();
    let impl_name = match step {
        StepKind::Fused => "lrviz fused",
        StepKind::Autograd => "lrviz candle autograd",
    };
    println!(
        "{}",
        json!({
            "impl": impl_name,
            "workload": name,
            "threads": 1,
            "train_seconds": run.train_seconds,
            "samples_per_s": (rows * epochs_run) as f64 / run.train_seconds,
            "ms_per_epoch": run.train_seconds * 1e3 / epochs_run as f64,
            "peak_rss_mb": peak_rss_mb(),
            "final_val_loss": last.val_loss,
            "final_lr": run.history.last().map(|l| l.learning_rate),
            "reps": runs.len(),
            "train_seconds_min": times[0],
            "train_seconds_max": times[times.len() - 1],
        })
    );
    Ok(())
}

/// A 1,000-epoch validation-loss-like series: a noisy decay that flattens out, with a few
/// spikes, so every flavor sees improvements, bad epochs, cooldowns and reductions.
fn series(len: usize) -> Vec<f64> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    (0..len)
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let noise = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            let t = i as f64;
            0.3 + 0.5 * (-t / 80.0).exp() + 0.02 * noise + if i % 97 == 0 { 0.1 } else { 0.0 }
        })
        .collect()
}

fn scheduler() -> Result<(), String> {
    let metrics = series(1000);
    for flavor in Flavor::ALL {
        let config = PlateauConfig {
            factor: 0.5,
            patience: 5,
            cooldown: 2,
            min_lr: 1e-6,
            ..PlateauConfig::defaults(flavor)
        };
        let fresh = ReduceLrOnPlateau::new(config, 0.1).map_err(|e| e.to_string())?;
        let rounds = 20_000;
        let mut reductions = 0u64;
        let started = Instant::now();
        for _ in 0..rounds {
            let mut s = fresh.clone();
            for &v in black_box(&metrics) {
                reductions += u64::from(s.step_fast(black_box(v)));
            }
            black_box(s.lr());
        }
        let secs = started.elapsed().as_secs_f64();
        let decisions = (rounds * metrics.len()) as f64;
        println!(
            "{}",
            json!({
                "impl": "lrviz scheduler step_fast",
                "workload": format!("scheduler-{}", flavor.name()),
                "threads": 1,
                "decisions": decisions,
                "seconds": secs,
                "decisions_per_s": decisions / secs,
                "ns_per_decision": secs * 1e9 / decisions,
                "reductions_per_series": reductions / rounds as u64,
            })
        );
    }
    Ok(())
}

/// 10,000 settings: factors, patiences, cooldowns, floors and thresholds, each in every
/// flavor (the grid holds 15,000; the first 10,000 are taken).
fn sweep_configs() -> Vec<PlateauConfig> {
    let mut out = Vec::with_capacity(10_000);
    let factors = [0.1, 0.2, 0.3, 0.5, 0.7];
    let floors = [0.0, 1e-5, 1e-4, 1e-3];
    let thresholds = [0.0, 1e-4, 1e-3, 1e-2, 5e-2];
    'outer: for &factor in &factors {
        for patience in 0..10 {
            for cooldown in 0..5 {
                for &min_lr in &floors {
                    for (t, &threshold) in thresholds.iter().enumerate() {
                        for flavor in Flavor::ALL {
                            if out.len() == 10_000 {
                                break 'outer;
                            }
                            out.push(PlateauConfig {
                                factor,
                                patience,
                                cooldown,
                                min_lr,
                                min_delta: threshold,
                                threshold,
                                threshold_mode: if t % 2 == 0 {
                                    ThresholdMode::Rel
                                } else {
                                    ThresholdMode::Abs
                                },
                                ..PlateauConfig::defaults(flavor)
                            });
                        }
                    }
                }
            }
        }
    }
    out
}

fn sweep(threads: usize) -> Result<(), String> {
    let metrics = series(1000);
    let configs = sweep_configs();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let results: Vec<u32> = pool.install(|| {
        configs
            .par_iter()
            .map(|c| replay_summary(c, 0.1, &metrics).map_or(0, |s| s.reductions))
            .collect()
    });
    let secs = started.elapsed().as_secs_f64();
    let decisions = (configs.len() * metrics.len()) as f64;
    println!(
        "{}",
        json!({
            "impl": "lrviz replay_summary (rayon)",
            "workload": "sweep",
            "threads": pool.current_num_threads(),
            "settings": configs.len(),
            "epochs": metrics.len(),
            "seconds": secs,
            "settings_per_s": configs.len() as f64 / secs,
            "decisions_per_s": decisions / secs,
            "total_reductions": results.iter().map(|&r| u64::from(r)).sum::<u64>(),
        })
    );
    Ok(())
}
