//! Writing output files so that a reader never sees a torn one.
//!
//! Every file goes to a hidden temporary name in the target directory, is flushed to disk and
//! then renamed over the final name: an interrupted run leaves the old file or the new one,
//! never half of either. [`OutputDir::prepare`] checks up front (before any training) that the
//! directory can be created and written.
//!
//! Temporary names are `.<name>.tmp-<pid>-<n>` (hidden, next to the final file). A process
//! killed between writing and renaming (SIGKILL, power loss) leaves its temporary file behind;
//! [`OutputDir::prepare`] removes such stale files of lrviz's own names whose process is no
//! longer running, and never touches anything else.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};

/// Names of the files lrviz itself writes; only these are ever replaced in an output directory.
pub const OWN_FILES: &[&str] = &[
    "lr_schedule.png",
    "lr_schedule.svg",
    "history.json",
    "history.csv",
    "replay.json",
    "replay.csv",
    "sweep.csv",
    "sweep.json",
    "sweep_overlay.png",
    "sweep_overlay.svg",
    "sweep_heatmap.png",
    "sweep_heatmap.svg",
    "compare.png",
    "compare.svg",
];

/// A checked, writable output directory.
#[derive(Debug, Clone)]
pub struct OutputDir {
    dir: PathBuf,
}

impl OutputDir {
    /// Creates `dir` if needed and proves it writable by creating and removing a probe file.
    pub fn prepare(dir: &Path) -> Result<Self> {
        if dir.exists() && !dir.is_dir() {
            anyhow::bail!(
                "output path {} exists and is not a directory: pass --out with a directory",
                dir.display()
            );
        }
        fs::create_dir_all(dir)
            .with_context(|| format!("cannot create output directory {}", dir.display()))?;
        let probe = dir.join(format!(".lrviz-probe-{}", std::process::id()));
        fs::write(&probe, b"probe")
            .with_context(|| format!("output directory {} is not writable", dir.display()))?;
        let _ = fs::remove_file(&probe);
        remove_stale_temporaries(dir);
        Ok(Self {
            dir: dir.to_path_buf(),
        })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The lrviz files that already exist here and that a run will replace.
    pub fn existing_own_files(&self) -> Vec<String> {
        OWN_FILES
            .iter()
            .filter(|f| self.dir.join(f).exists())
            .map(|f| f.to_string())
            .collect()
    }

    /// Writes `name` atomically; returns its final path.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<PathBuf> {
        write_atomic(&self.dir.join(name), bytes)
    }

    /// Writes `name` atomically from a writer callback (large outputs need not be built in
    /// memory first); returns its final path.
    pub fn write_with(
        &self,
        name: &str,
        fill: impl FnOnce(&mut fs::File) -> std::io::Result<()>,
    ) -> Result<PathBuf> {
        write_atomic_with(&self.dir.join(name), fill)
    }
}

/// The temporary name of `name` for this process: `.<name>.tmp-<pid>-<n>`.
fn temporary_name(name: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// The process id in a temporary name of one of lrviz's own files (or a write probe), `None`
/// for any other name.
fn stale_candidate(file_name: &str) -> Option<u32> {
    if let Some(pid) = file_name.strip_prefix(".lrviz-probe-") {
        return pid.parse().ok();
    }
    let rest = file_name.strip_prefix('.')?;
    let (name, suffix) = rest.rsplit_once(".tmp-")?;
    if !OWN_FILES.contains(&name) {
        return None;
    }
    let pid = match suffix.split_once('-') {
        Some((pid, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => pid,
        Some(_) => return None,
        None => suffix,
    };
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Whether process `pid` may still be running (and writing): true unless `/proc` says
/// otherwise. Where there is no `/proc`, every process counts as running, so nothing is
/// removed.
fn may_be_running(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}

/// Removes temporary files that an interrupted lrviz left in `dir`: only names of the form
/// lrviz itself writes, and only when their process is gone. Errors are ignored (a file that
/// cannot be removed is harmless: it is hidden and never read).
pub fn remove_stale_temporaries(dir: &Path) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return removed;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(stale_candidate) else {
            continue;
        };
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_file && pid != std::process::id() && !may_be_running(pid) {
            let path = entry.path();
            if fs::remove_file(&path).is_ok() {
                removed.push(path);
            }
        }
    }
    removed
}

/// Test hook: with `LRVIZ_DEBUG_RENAME_DELAY_MS=<ms>` set, each write pauses that long between
/// writing its temporary file and renaming it, so the end-to-end tests can kill lrviz in the
/// middle of writing.
fn rename_delay() -> Option<Duration> {
    std::env::var("LRVIZ_DEBUG_RENAME_DELAY_MS")
        .ok()?
        .parse()
        .ok()
        .map(Duration::from_millis)
}

/// Writes `bytes` to a temporary sibling of `path`, syncs it and renames it over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<PathBuf> {
    write_atomic_with(path, |f| f.write_all(bytes))
}

/// Like [`write_atomic`] but the content comes from a writer callback; if it fails, the
/// temporary file is removed and `path` is left as it was.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut fs::File) -> std::io::Result<()>,
) -> Result<PathBuf> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file path", path.display()))?
        .to_string_lossy();
    let tmp = dir.join(temporary_name(&name));
    let result = (|| -> std::io::Result<()> {
        let mut f = fs::File::create(&tmp)?;
        fill(&mut f)?;
        f.sync_all()?;
        if let Some(delay) = rename_delay() {
            std::thread::sleep(delay);
        }
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }
    // Make the rename itself durable (a crash right after could otherwise lose it); best effort.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_writer_leaves_the_old_file_and_no_temporary() {
        let dir = std::env::temp_dir().join(format!("lrviz-atomic-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let target = dir.join("history.json");
        fs::write(&target, b"old complete content").unwrap();
        let err = write_atomic_with(&target, |f| {
            f.write_all(b"new partial")?;
            Err(std::io::Error::other("disk full (simulated)"))
        })
        .unwrap_err();
        assert!(format!("{err:#}").contains("disk full"), "{err:#}");
        assert_eq!(fs::read(&target).unwrap(), b"old complete content");
        let leftovers: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(leftovers, vec!["history.json".to_string()]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_writer_failing_at_every_point_leaves_old_or_new_never_a_mix() {
        // A fill that writes `cut` bytes of the new content then fails (cut = len: succeeds).
        let dir = std::env::temp_dir().join(format!("lrviz-atomic-cut-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let target = dir.join("history.csv");
        let (old, new) = (
            b"old,complete\n".as_slice(),
            b"new,complete,longer\n".as_slice(),
        );
        for cut in 0..=new.len() {
            fs::write(&target, old).unwrap();
            let result = write_atomic_with(&target, |f| {
                f.write_all(&new[..cut])?;
                if cut < new.len() {
                    return Err(std::io::Error::other("cut"));
                }
                Ok(())
            });
            let now = fs::read(&target).unwrap();
            if cut < new.len() {
                assert!(result.is_err());
                assert_eq!(now, old, "cut at {cut}");
            } else {
                assert_eq!(now, new);
            }
            assert_eq!(fs::read_dir(&dir).unwrap().count(), 1, "cut at {cut}");
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn stale_temporaries_of_own_names_from_dead_processes_are_removed_and_nothing_else() {
        let dir = std::env::temp_dir().join(format!("lrviz-stale-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        // A pid above Linux's pid_max (2^22) is never a running process.
        let dead = 4_999_999u32;
        let me = std::process::id();
        let stale = [
            format!(".history.json.tmp-{dead}"),
            format!(".lr_schedule.png.tmp-{dead}-3"),
            format!(".lrviz-probe-{dead}"),
        ];
        let kept = [
            format!(".history.json.tmp-{me}-0"), // this process: may be mid-write
            format!(".notes.txt.tmp-{dead}"),    // not an lrviz name
            format!("history.json.tmp-{dead}"),  // not hidden
            format!(".history.json.tmp-{dead}-x"),
            "history.json".to_string(),
        ];
        for f in stale.iter().chain(&kept) {
            fs::write(dir.join(f), b"x").unwrap();
        }
        let mut removed: Vec<String> = remove_stale_temporaries(&dir)
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        removed.sort();
        let mut want = stale.to_vec();
        want.sort();
        if Path::new("/proc/self").exists() {
            assert_eq!(removed, want);
        } else {
            assert!(removed.is_empty(), "without /proc nothing is removed");
        }
        for f in &kept {
            assert!(dir.join(f).exists(), "{f} must be kept");
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_output_dir_below_a_regular_file_is_refused_up_front() {
        let base = std::env::temp_dir().join(format!("lrviz-notdir-{}", std::process::id()));
        fs::write(&base, b"i am a file").unwrap();
        let err = OutputDir::prepare(&base.join("out")).unwrap_err();
        assert!(
            format!("{err:#}").contains("cannot create output directory"),
            "{err:#}"
        );
        fs::remove_file(&base).unwrap();
    }
}
