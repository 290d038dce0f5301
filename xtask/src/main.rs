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
";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("demo") => demo(&args[1..]),
        Some("bench") => bench::bench(&args[1..]),
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
