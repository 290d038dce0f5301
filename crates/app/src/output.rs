//! Writing output files so that a reader never sees a torn one.
//!
//! Every file goes to a hidden temporary name in the target directory, is flushed to disk and
//! then renamed over the final name: an interrupted run leaves the old file or the new one,
//! never half of either. [`OutputDir::prepare`] checks up front (before any training) that the
//! directory can be created and written.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

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
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = fs::File::create(&tmp)?;
        fill(&mut f)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
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
