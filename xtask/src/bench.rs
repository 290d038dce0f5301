//! `cargo xtask bench`: lrviz's training workloads, the scheduler, a settings sweep and the
//! whole `lrviz train` process, optionally side by side with PyTorch and Keras running the
//! same jobs (`../shared/bench/peer_*.py`), in one run, with ratios.
//!
//! Every figure comes from a child process: the release `bench` example (see
//! `crates/app/examples/bench.rs`) for the library paths, the release `lrviz` binary for the
//! whole process, `python3` for the peers. Peak RSS of a whole process is the child's
//! `ru_maxrss`, read through Python's `resource` module (the one portable, safe way without
//! `unsafe` or a new dependency); without `python3` it is reported as unknown.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use crate::{cargo, root};

pub const USAGE: &str = "  bench [--peers] [--workload seed|large|all] [--reps N]
                                     release build; training workloads (fused and candle
                                     autograd), scheduler decisions/s, a 10,000-setting sweep,
                                     `lrviz train` end to end; --peers also runs PyTorch and
                                     Keras (when installed); writes target/bench/results.json
";

/// The `lrviz train` flags that run the `seed` workload from the command line.
const SEED_TRAIN: &[&str] = &[
    "train",
    "--synthetic",
    "linear",
    "--samples",
    "1000",
    "--features",
    "20",
    "--noise",
    "0.5",
    "--no-shuffle-split",
    "--val-split",
    "0.2",
    "--hidden",
    "64",
    "--lr",
    "0.1",
    "--batch-size",
    "32",
    "--epochs",
    "100",
    "--flavor",
    "torch",
    "--factor",
    "0.5",
    "--patience",
    "5",
    "--min-lr",
    "1e-4",
    "--seed",
    "0",
    "--quiet",
];

struct Opts {
    peers: bool,
    workloads: Vec<&'static str>,
    reps: usize,
}

fn parse(args: &[String]) -> Result<Opts> {
    let mut opts = Opts {
        peers: false,
        workloads: vec!["seed", "large"],
        reps: 5,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--peers" => opts.peers = true,
            "--workload" => {
                opts.workloads = match it.next().map(String::as_str) {
                    Some("seed") => vec!["seed"],
                    Some("large") => vec!["large"],
                    Some("all") => vec!["seed", "large"],
                    other => bail!(
                        "--workload takes seed, large or all, got {}",
                        other.unwrap_or("nothing")
                    ),
                }
            }
            "--reps" => {
                opts.reps = it
                    .next()
                    .and_then(|r| r.parse().ok())
                    .filter(|&r| r >= 1)
                    .context("--reps takes a count >= 1")?
            }
            other => bail!("unknown bench flag {other:?}\nusage: cargo xtask{USAGE}"),
        }
    }
    Ok(opts)
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// Runs a command, returning its stdout's JSON lines (other lines are ignored).
fn json_lines(cmd: &mut Command, what: &str) -> Result<Vec<Value>> {
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("cannot start {what}"))?;
    if !out.status.success() {
        bail!("{what} failed with {}", out.status);
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l.trim()).ok())
        .filter(Value::is_object)
        .collect())
}

/// Wall time and peak RSS (MB) of a whole process, measured from outside.
fn whole_process(program: &Path, args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Result<Value> {
    const PROBE: &str = "import json,resource,subprocess,sys,time
t=time.perf_counter()
r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL)
dt=time.perf_counter()-t
print(json.dumps(dict(wall_s=dt,peak_rss_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024,rc=r.returncode)))";
    if python_ok("import resource") {
        let mut cmd = Command::new("python3");
        cmd.current_dir(dir)
            .arg("-c")
            .arg(PROBE)
            .arg(program)
            .args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let v = json_lines(&mut cmd, "python3 (process probe)")?
            .pop()
            .context("the process probe printed nothing")?;
        if v["rc"].as_i64() != Some(0) {
            bail!(
                "{} {} exited with {}",
                program.display(),
                args.join(" "),
                v["rc"]
            );
        }
        return Ok(v);
    }
    let started = Instant::now();
    let mut cmd = Command::new(program);
    cmd.current_dir(dir).args(args).stdout(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {}", program.display()))?;
    if !status.success() {
        bail!("{} failed with {status}", program.display());
    }
    Ok(json!({"wall_s": started.elapsed().as_secs_f64(), "peak_rss_mb": null}))
}

fn python_ok(imports: &str) -> bool {
    Command::new("python3")
        .args(["-c", imports])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn num(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or(f64::NAN)
}

fn fmt_rate(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let s = format!("{:.0}", x);
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn fmt_opt(v: &Value, key: &str, digits: usize) -> String {
    v[key]
        .as_f64()
        .map_or("n/a".into(), |x| format!("{x:.digits$}"))
}

pub fn bench(args: &[String]) -> Result<()> {
    let opts = parse(args)?;
    let root = root();
    println!(
        "building release binaries (cargo build --release -p lrviz --bin lrviz --example bench)"
    );
    let status = cargo()
        .current_dir(&root)
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "lrviz",
            "--bin",
            "lrviz",
            "--example",
            "bench",
        ])
        .status()
        .context("cannot run cargo build")?;
    if !status.success() {
        bail!("cargo build --release failed");
    }
    let release = target_dir().join("release");
    let exe = std::env::consts::EXE_SUFFIX;
    let bench_bin = release.join(format!("examples/bench{exe}"));
    let lrviz_bin = release.join(format!("lrviz{exe}"));
    let out_dir = root.join("target/bench");
    std::fs::create_dir_all(&out_dir)?;
    let mut results: Vec<Value> = Vec::new();
    let reps = opts.reps.to_string();

    // 1. Training workloads through the library: the fused step and the autograd reference.
    for &w in &opts.workloads {
        for step in ["fused", "autograd"] {
            let reps = if step == "autograd" && w == "large" {
                "1"
            } else {
                &reps
            };
            let mut cmd = Command::new(&bench_bin);
            cmd.args([w, "--step", step, "--reps", reps]);
            results.extend(json_lines(&mut cmd, &format!("bench {w} --step {step}"))?);
        }
    }
    // 2. The scheduler alone, and the sweep on one and on two threads.
    let mut sched = json_lines(Command::new(&bench_bin).arg("scheduler"), "bench scheduler")?;
    for threads in ["1", "2"] {
        sched.extend(json_lines(
            Command::new(&bench_bin).args(["sweep", "--threads", threads]),
            "bench sweep",
        )?);
    }
    // 3. `lrviz train` of the seed workload, end to end (history and both charts written).
    let train_out = out_dir.join("seed-train");
    let train_out_s = train_out.to_str().context("target path must be UTF-8")?;
    let mut train_args: Vec<&str> = SEED_TRAIN.to_vec();
    train_args.extend(["--out", train_out_s]);
    let mut whole = Vec::new();
    let mut runs: Vec<Value> = (0..opts.reps.clamp(1, 5))
        .map(|_| whole_process(&lrviz_bin, &train_args, &root, &[]))
        .collect::<Result<_>>()?;
    runs.sort_by(|a, b| num(a, "wall_s").total_cmp(&num(b, "wall_s")));
    let mut lrviz_whole = runs[runs.len() / 2].clone();
    lrviz_whole["impl"] = json!("lrviz train (release)");
    lrviz_whole["workload"] = json!("seed whole process");
    lrviz_whole["reps"] = json!(runs.len());
    whole.push(lrviz_whole);

    // 4. The peers.
    let mut notes = Vec::new();
    if opts.peers {
        peers(&root, &opts, &mut results, &mut whole, &mut notes)?;
    }

    print_report(&opts, &results, &sched, &whole, &notes);
    let mut all = results.clone();
    all.extend(sched);
    all.extend(whole);
    let path = out_dir.join("results.json");
    std::fs::write(&path, serde_json::to_string_pretty(&all)? + "\n")
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!("\nwrote {}", path.display());
    Ok(())
}

fn peers(
    root: &Path,
    opts: &Opts,
    results: &mut Vec<Value>,
    whole: &mut Vec<Value>,
    notes: &mut Vec<String>,
) -> Result<()> {
    let dir = root.join("../shared/bench");
    if !dir.join("peer_torch.py").is_file() {
        notes.push(format!("peers skipped: {} not found", dir.display()));
        return Ok(());
    }
    let which = if opts.workloads.len() == 2 {
        "all"
    } else {
        opts.workloads[0]
    };
    let keep = |v: &Value| opts.workloads.iter().any(|w| v["workload"] == *w);
    if python_ok("import torch, numpy") {
        for threads in [Some("1"), None] {
            let mut cmd = Command::new("python3");
            cmd.current_dir(&dir).args(["peer_torch.py", which]);
            if let Some(t) = threads {
                cmd.args(["--threads", t]);
            }
            println!(
                "running python3 peer_torch.py {which} {}",
                threads.map_or(String::new(), |t| format!("--threads {t}"))
            );
            let mut lines = json_lines(&mut cmd, "peer_torch.py")?;
            lines.retain(keep);
            results.extend(lines);
        }
        let mut v = whole_process(
            Path::new("python3"),
            &["peer_torch.py", "seed", "--threads", "1"],
            &dir,
            &[],
        )?;
        v["impl"] = json!("python3 peer_torch.py seed --threads 1");
        v["workload"] = json!("seed whole process");
        whole.push(v);
    } else {
        notes.push("pytorch skipped: torch not installed (pip install torch numpy)".into());
    }
    let env = [("KERAS_BACKEND", "jax")];
    if python_ok("import os; os.environ['KERAS_BACKEND']='jax'; import keras, jax, numpy") {
        println!("running KERAS_BACKEND=jax python3 peer_keras.py {which}");
        let mut cmd = Command::new("python3");
        cmd.current_dir(&dir)
            .args(["peer_keras.py", which])
            .env("KERAS_BACKEND", "jax");
        let mut lines = json_lines(&mut cmd, "peer_keras.py")?;
        lines.retain(keep);
        results.extend(lines);
        let mut v = whole_process(Path::new("python3"), &["peer_keras.py", "seed"], &dir, &env)?;
        v["impl"] = json!("KERAS_BACKEND=jax python3 peer_keras.py seed");
        v["workload"] = json!("seed whole process");
        whole.push(v);
    } else {
        notes.push("keras skipped: keras/jax not installed (pip install keras jax numpy)".into());
    }
    Ok(())
}

fn print_report(
    opts: &Opts,
    results: &[Value],
    sched: &[Value],
    whole: &[Value],
    notes: &[String],
) {
    println!(
        "\n## Training (train-loop seconds; lrviz: median of {} runs)\n",
        opts.reps
    );
    println!("| workload | implementation | threads | train samples/s | ms/epoch | train s | peak RSS MB | final val_loss |");
    println!("|---|---|---|---|---|---|---|---|");
    for r in results {
        let ms_epoch = r["ms_per_epoch"].as_f64().or_else(|| {
            let epochs = if r["workload"] == "seed" { 100.0 } else { 5.0 };
            r["train_seconds"].as_f64().map(|s| s * 1e3 / epochs)
        });
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            r["workload"].as_str().unwrap_or("?"),
            r["impl"].as_str().unwrap_or("?"),
            r["threads"]
                .as_i64()
                .map_or("default".into(), |t| t.to_string()),
            fmt_rate(num(r, "samples_per_s")),
            ms_epoch.map_or("n/a".into(), |m| format!("{m:.2}")),
            fmt_opt(r, "train_seconds", 4),
            fmt_opt(r, "peak_rss_mb", 1),
            fmt_opt(r, "final_val_loss", 4),
        );
    }
    let mut ratio_lines = Vec::new();
    for &w in &opts.workloads {
        let Some(ours) = results
            .iter()
            .find(|r| r["workload"] == w && r["impl"] == "lrviz fused")
        else {
            continue;
        };
        for peer in results.iter().filter(|r| {
            r["workload"] == w && !r["impl"].as_str().unwrap_or("").starts_with("lrviz fused")
        }) {
            let threads = peer["threads"]
                .as_i64()
                .map_or("default threads".into(), |t| format!("{t} thread(s)"));
            ratio_lines.push(format!(
                "| {w} | lrviz fused (1 thread) / {} ({threads}) | {:.1}x |",
                peer["impl"].as_str().unwrap_or("?"),
                num(ours, "samples_per_s") / num(peer, "samples_per_s")
            ));
        }
    }
    // Each side at its best setting on this machine's cores: lrviz's fused step is
    // single-threaded by design (a batch of 32 is too small to split), the peers are taken at
    // whichever thread count ran fastest.
    for &w in &opts.workloads {
        let best = |prefix: &str| {
            results
                .iter()
                .filter(|r| {
                    r["workload"] == w && r["impl"].as_str().is_some_and(|i| i.starts_with(prefix))
                })
                .max_by(|a, b| num(a, "samples_per_s").total_cmp(&num(b, "samples_per_s")))
        };
        let Some(ours) = best("lrviz") else { continue };
        for peer in ["pytorch", "keras"] {
            if let Some(p) = best(peer) {
                let threads = |r: &Value| {
                    r["threads"]
                        .as_i64()
                        .map_or("default".into(), |t| t.to_string())
                };
                ratio_lines.push(format!(
                    "| {w} | best: {} ({} thread) / {} ({} threads) | {:.1}x |",
                    ours["impl"].as_str().unwrap_or("?"),
                    threads(ours),
                    p["impl"].as_str().unwrap_or("?"),
                    threads(p),
                    num(ours, "samples_per_s") / num(p, "samples_per_s")
                ));
            }
        }
    }
    if !ratio_lines.is_empty() {
        println!("\n## Ratios (train samples/s, same run)\n");
        println!("| workload | lrviz / peer | ratio |\n|---|---|---|");
        for l in ratio_lines {
            println!("{l}");
        }
    }
    println!("\n## Scheduler (non-recording path, `step_fast`) and sweep (`replay_summary`)\n");
    println!("| benchmark | threads | decisions/s | ns/decision | note |\n|---|---|---|---|---|");
    for s in sched {
        let note = if s["workload"] == "sweep" {
            format!(
                "{} settings x {} epochs in {:.3} s",
                s["settings"],
                s["epochs"],
                num(s, "seconds")
            )
        } else {
            format!(
                "{} reductions per 1,000-epoch series",
                s["reductions_per_series"]
            )
        };
        println!(
            "| {} | {} | {} | {} | {} |",
            s["workload"].as_str().unwrap_or("?"),
            s["threads"],
            fmt_rate(num(s, "decisions_per_s")),
            s["ns_per_decision"].as_f64().map_or_else(
                || format!("{:.2}", 1e9 / num(s, "decisions_per_s")),
                |n| format!("{n:.2}")
            ),
            note
        );
    }
    println!("\n## Whole process, seed workload (start to exit; lrviz includes both charts)\n");
    println!("| command | wall s | peak RSS MB |\n|---|---|---|");
    for w in whole {
        println!(
            "| {} | {} | {} |",
            w["impl"].as_str().unwrap_or("?"),
            fmt_opt(w, "wall_s", 3),
            fmt_opt(w, "peak_rss_mb", 1)
        );
    }
    for n in notes {
        println!("\nnote: {n}");
    }
}
