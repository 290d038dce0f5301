//! Project automation: `cargo xtask demo` (the main job end to end), `cargo xtask bench`
//! (performance, side by side with the peers) and friends.
//!
//! Kept dependency-light on purpose: it drives the built `lrviz` binary exactly as a user would.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

mod bench;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  demo [--release] [--update-docs]   train the synthetic demo and the breast-cancer run into
                                     target/demo/, check them, print where the charts are
  bench-log [--size-mb N] [--epochs N] [--keep]
                                     generate a ~1 GB per-step Lightning log (N MB, default
                                     1024) and a per-epoch Keras log (N epochs, default 1e6)
                                     in target/bench-log/ and measure the peak memory (RSS)
                                     and time of `lrviz replay` on each (Linux)
";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("demo") => demo(&args[1..]),
        Some("bench") => bench::bench(&args[1..]),
        Some("bench-log") => bench_log(&args[1..]),
        Some("-h" | "--help") | None => {
            print!("{USAGE}{}", bench::USAGE);
            Ok(())
        }
        Some(other) => bail!("unknown xtask command {other:?}\n{USAGE}{}", bench::USAGE),
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Builds the lrviz binary and returns its path. By default this is exactly the build
/// `cargo test --workspace` makes (dev profile, optimized dependencies, dev-dependency features
/// unified): building `-p lrviz` alone resolves features differently (proptest turns on `std`
/// in num-traits, which candle uses) and would compile candle a second time after the tests.
fn build_lrviz(release: bool) -> Result<PathBuf> {
    let mut cmd = cargo();
    cmd.current_dir(root());
    if release {
        cmd.args([
            "build",
            "--quiet",
            "--release",
            "-p",
            "lrviz",
            "--bin",
            "lrviz",
        ]);
    } else {
        cmd.args(["test", "--quiet", "--workspace", "--no-run"]);
    }
    let status = cmd.status().context("cannot run cargo build")?;
    if !status.success() {
        bail!("cargo build of lrviz failed");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    Ok(target
        .join(if release { "release" } else { "debug" })
        .join(format!("lrviz{}", std::env::consts::EXE_SUFFIX)))
}

fn run_lrviz(bin: &Path, args: &[&str]) -> Result<()> {
    println!("$ lrviz {}", args.join(" "));
    let status = Command::new(bin)
        .current_dir(root())
        .args(args)
        .status()
        .with_context(|| format!("cannot start {}", bin.display()))?;
    if !status.success() {
        bail!("lrviz {} failed with {status}", args.join(" "));
    }
    Ok(())
}

fn read_history(dir: &Path) -> Result<serde_json::Value> {
    let path = dir.join("history.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", path.display()))
}

/// The demo's breast-cancer settings: those of the real Keras and Lightning runs in
/// data/logs/ (30-16-1 MLP, SGD lr 0.05, batch 32, 60 epochs, factor 0.5, patience 3,
/// min_lr 1e-4), so the charts can be compared with the frameworks' own logs.
const BREAST_CANCER: &[&str] = &[
    "train",
    "--data",
    "data/breast_cancer_wisconsin.csv",
    "--label",
    "benign",
    "--hidden",
    "16",
    "--lr",
    "0.05",
    "--batch-size",
    "32",
    "--epochs",
    "60",
    "--factor",
    "0.5",
    "--patience",
    "3",
    "--min-lr",
    "1e-4",
    "--seed",
    "42",
    "--quiet",
];

fn demo(args: &[String]) -> Result<()> {
    let release = args.iter().any(|a| a == "--release");
    let update_docs = args.iter().any(|a| a == "--update-docs");
    let bin = build_lrviz(release)?;
    let demo_dir = root().join("target/demo");
    let synthetic = demo_dir.join("synthetic");
    let synthetic_again = demo_dir.join("synthetic-again");
    let breast = demo_dir.join("breast_cancer");

    let started = std::time::Instant::now();
    // 1. The default synthetic job: random labels, so the validation loss plateaus at once.
    run_lrviz(&bin, &["train", "--out", path_str(&synthetic)?])?;
    // 2. The same seed again: history.json must be identical, byte for byte.
    run_lrviz(
        &bin,
        &["train", "--quiet", "--out", path_str(&synthetic_again)?],
    )?;
    let a = std::fs::read(synthetic.join("history.json"))?;
    let b = std::fs::read(synthetic_again.join("history.json"))?;
    if a != b {
        bail!("determinism check failed: two runs with the same seed wrote different history.json");
    }
    println!(
        "determinism: two runs with seed 42 wrote identical history.json ({} bytes)",
        a.len()
    );
    // 3. The real data set.
    let mut bc: Vec<&str> = BREAST_CANCER.to_vec();
    bc.extend(["--out", path_str(&breast)?]);
    run_lrviz(&bin, &bc)?;
    let elapsed = started.elapsed().as_secs_f64();

    let mut failures = Vec::new();
    for (name, dir) in [("synthetic", &synthetic), ("breast_cancer", &breast)] {
        for f in [
            "lr_schedule.png",
            "lr_schedule.svg",
            "history.json",
            "history.csv",
        ] {
            if !dir.join(f).is_file() {
                failures.push(format!("{name}: {f} missing"));
            }
        }
        let h = read_history(dir)?;
        let reductions = h["reductions"].as_array().map_or(0, Vec::len);
        if reductions == 0 {
            failures.push(format!("{name}: no learning-rate reduction"));
        }
        let best_acc = h["epochs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["val_accuracy"].as_f64())
            .fold(f64::NAN, f64::max);
        println!(
            "{name}: {} epochs, {reductions} reduction(s), best val_accuracy {best_acc:.3}",
            h["epochs"].as_array().map_or(0, Vec::len)
        );
        if name == "breast_cancer" && (best_acc.is_nan() || best_acc < 0.93) {
            failures.push(format!("{name}: best val_accuracy {best_acc:.3} < 0.93"));
        }
    }
    if !failures.is_empty() {
        bail!("demo checks failed:\n  {}", failures.join("\n  "));
    }
    if update_docs {
        let img = root().join("docs/img");
        std::fs::create_dir_all(&img)?;
        std::fs::copy(
            synthetic.join("lr_schedule.png"),
            img.join("demo_synthetic.png"),
        )?;
        std::fs::copy(
            breast.join("lr_schedule.png"),
            img.join("demo_breast_cancer.png"),
        )?;
        println!("updated docs/img/demo_*.png");
    }
    println!("\ndemo done in {elapsed:.1} s (three training runs). Charts:");
    for dir in [&synthetic, &breast] {
        println!("  {}", dir.join("lr_schedule.png").display());
        println!("  {}", dir.join("lr_schedule.svg").display());
    }
    Ok(())
}

fn path_str(p: &Path) -> Result<&str> {
    p.to_str().context("demo paths must be UTF-8")
}

/// The value after `flag` in `args`, parsed.
fn flag_value<T: std::str::FromStr>(args: &[String], flag: &str, default: T) -> Result<T> {
    match args.iter().position(|a| a == flag) {
        None => Ok(default),
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("{flag} needs a whole number")),
    }
}

/// Writes a PyTorch Lightning `metrics.csv` as `LearningRateMonitor(logging_interval="step")`
/// and per-step `train_loss` logging write it, until it holds `bytes`: each epoch has
/// `steps` steps (a step-only LR row and a train_loss row each) and one val_loss row.
fn write_lightning_log(path: &Path, bytes: u64, steps: u64) -> Result<u64> {
    use std::io::Write as _;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    w.write_all(b"epoch,lr-SGD,step,train_loss,val_loss\n")?;
    let (mut written, mut step, mut epoch) = (0u64, 0u64, 0u64);
    let mut lr = 0.1f64;
    while written < bytes {
        // val_loss improves for 20 epochs, then plateaus: ReduceLROnPlateau has work to do.
        let val = 0.3 + 0.5 / (1.0 + epoch.min(20) as f64) + 1e-3 * ((epoch * 7919) % 13) as f64;
        for k in 0..steps {
            let loss = val + 0.05 * (((step * 2654435761) % 1000) as f64 / 1000.0);
            let rows = format!(",{lr},{step},,\n{epoch},,{step},{loss:.6},\n");
            w.write_all(rows.as_bytes())?;
            written += rows.len() as u64;
            if k + 1 == steps {
                let row = format!("{epoch},,{step},,{val:.6}\n");
                w.write_all(row.as_bytes())?;
                written += row.len() as u64;
            }
            step += 1;
        }
        epoch += 1;
        if epoch % 25 == 0 {
            lr /= 2.0;
        }
    }
    w.flush()?;
    Ok(epoch)
}

/// Writes a Keras `CSVLogger` log of `epochs` rows.
fn write_keras_log(path: &Path, epochs: u64) -> Result<()> {
    use std::io::Write as _;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    w.write_all(b"epoch,learning_rate,loss,val_loss\n")?;
    for e in 0..epochs {
        let v = 0.3 + (((e * 2654435761) % 1000) as f64) / 1e4;
        writeln!(w, "{e},0.001,{v:.6},{v:.6}")?;
    }
    w.flush()?;
    Ok(())
}

/// Peak resident memory (`VmHWM`) of a running process, in KiB; `None` once it has gone.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `lrviz replay` on `log` (output discarded); returns (peak RSS in KiB, seconds).
fn measure_replay(bin: &Path, log: &Path, extra: &[&str]) -> Result<(u64, f64)> {
    let started = std::time::Instant::now();
    let mut child = Command::new(bin)
        .arg("replay")
        .arg(log)
        .args(extra)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {}", bin.display()))?;
    let mut peak = 0;
    // VmHWM only grows; the last reading before the process exits is its peak (to within the
    // 5 ms between readings).
    while child.try_wait()?.is_none() {
        if let Some(kib) = peak_rss_kib(child.id()) {
            peak = peak.max(kib);
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let output = child.wait_with_output()?;
    if !output.status.success() {
        bail!(
            "lrviz replay {} failed: {}",
            log.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok((peak, started.elapsed().as_secs_f64()))
}

/// `cargo xtask bench-log`: bounded memory on long logs, measured.
fn bench_log(args: &[String]) -> Result<()> {
    if !Path::new("/proc/self/status").exists() {
        bail!("bench-log reads peak memory from /proc: Linux only");
    }
    let size_mb: u64 = flag_value(args, "--size-mb", 1024)?;
    let keras_epochs: u64 = flag_value(args, "--epochs", 1_000_000)?;
    let keep = args.iter().any(|a| a == "--keep");
    let bin = build_lrviz(false)?;
    let dir = root().join("target/bench-log");
    std::fs::create_dir_all(&dir)?;

    let lightning = dir.join("lightning_per_step_metrics.csv");
    let started = std::time::Instant::now();
    let epochs = write_lightning_log(&lightning, size_mb << 20, 50_000)?;
    let bytes = std::fs::metadata(&lightning)?.len();
    println!(
        "generated {} ({:.0} MB, {epochs} epochs of 50000 steps) in {:.1} s",
        lightning.display(),
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    let (peak, secs) = measure_replay(&bin, &lightning, &["--format", "csv"])?;
    println!(
        "lrviz replay (per-step log): peak RSS {:.1} MiB, {secs:.1} s ({:.0} MB/s)",
        peak as f64 / 1024.0,
        bytes as f64 / 1e6 / secs
    );

    let keras = dir.join("keras_per_epoch.csv");
    write_keras_log(&keras, keras_epochs)?;
    let kbytes = std::fs::metadata(&keras)?.len();
    let (kpeak, ksecs) = measure_replay(&bin, &keras, &["--format", "json"])?;
    println!(
        "lrviz replay (per-epoch log, {keras_epochs} epochs, {:.0} MB): peak RSS {:.1} MiB ({:.0} bytes per epoch), {ksecs:.1} s",
        kbytes as f64 / 1e6,
        kpeak as f64 / 1024.0,
        kpeak as f64 * 1024.0 / keras_epochs as f64
    );
    if !keep {
        std::fs::remove_file(&lightning)?;
        std::fs::remove_file(&keras)?;
    }
    Ok(())
}
