//! Writing outputs safely, the one helper every writer uses: whole files through a temporary
//! file and a rename, whole output folders (a run, an imported data set) through a temporary
//! folder and a rename, and the rule of what an existing output may be replaced by `--force`.
//!
//! The guarantees: a reader never sees half a file or half a folder (a crash, even `kill -9`,
//! leaves either the old output or the new one, plus at most a hidden `.<name>.tmp-…` sibling);
//! an existing output is replaced only when asked (`force`) and only when it is an output of the
//! same kind — a folder holding the kind's marker file (`meta.json` for data, `config.toml` for
//! runs). Anything else — a regular file, a folder of the user's own — is never touched.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why an output could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file-system operation failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The output exists and may not be replaced.
    #[error("{}: {why}", path.display())]
    Refused {
        /// The output.
        path: PathBuf,
        /// What is in the way and what to do.
        why: String,
    },
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Fails unless `out` may be written: it does not exist, or `force` is set and `out` is a folder
/// holding `marker` (an output of the same kind). Call it before any long work starts.
pub fn check_replaceable(out: &Path, force: bool, marker: &str) -> Result<(), OutputError> {
    let Ok(meta) = out.symlink_metadata() else {
        return Ok(());
    };
    let refuse = |why: String| {
        Err(OutputError::Refused {
            path: out.to_path_buf(),
            why,
        })
    };
    if !meta.is_dir() {
        return refuse("exists and is not a folder; nothing was touched".to_owned());
    }
    if !force {
        return refuse("already exists (pass --force to replace it)".to_owned());
    }
    if !out.join(marker).is_file() {
        return refuse(format!(
            "--force replaces only an output folder of this kind (one with {marker}); this one \
             has none, so nothing was touched: choose another output or remove it yourself"
        ));
    }
    Ok(())
}

/// A hidden sibling name of `path` unique to this process and moment: `.<name>.<tag>-<pid>-<ns>`.
fn sibling(path: &Path, tag: &str) -> Result<PathBuf, OutputError> {
    let name = path
        .file_name()
        .ok_or_else(|| OutputError::Refused {
            path: path.to_path_buf(),
            why: "not a file or folder name".to_owned(),
        })?
        .to_string_lossy();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let stamp = format!("{}-{nanos}", std::process::id());
    Ok(parent_of(path).join(format!(".{name}.{tag}-{stamp}")))
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes `bytes` to `path` through a synced temporary sibling and a rename.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let tmp = sibling(path, "tmp")?;
    let written = fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .map_err(io_error(&tmp));
    if let Err(e) = written.and_then(|()| fs::rename(&tmp, path).map_err(io_error(path))) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(())
}

/// Writes the folder `out` atomically: `fill` writes into a fresh temporary sibling, which then
/// replaces `out` by renames (the old folder, if [`check_replaceable`] allows replacing it, is
/// moved aside first and removed last). On any error the temporary folder is removed and `out`
/// is left as it was.
pub fn commit_dir<E: From<OutputError>>(
    out: &Path,
    force: bool,
    marker: &str,
    fill: impl FnOnce(&Path) -> Result<(), E>,
) -> Result<(), E> {
    check_replaceable(out, force, marker)?;
    let parent = parent_of(out);
    fs::create_dir_all(&parent).map_err(io_error(&parent))?;
    let tmp = sibling(out, "tmp")?;
    fs::create_dir(&tmp).map_err(io_error(&tmp))?;
    let cleanup = |e: E| {
        let _ = fs::remove_dir_all(&tmp);
        Err(e)
    };
    if let Err(e) = fill(&tmp) {
        return cleanup(e);
    }
    if let Err(e) = sync_files(&tmp) {
        return cleanup(e.into());
    }
    // The output may have appeared (or changed) while `fill` ran: the same rule again.
    if let Err(e) = check_replaceable(out, force, marker) {
        return cleanup(e.into());
    }
    if out.symlink_metadata().is_err() {
        return match fs::rename(&tmp, out) {
            Ok(()) => Ok(()),
            Err(source) => cleanup(io_error(out)(source).into()),
        };
    }
    let old = sibling(out, "old")?;
    if let Err(source) = fs::rename(out, &old) {
        return cleanup(io_error(out)(source).into());
    }
    if let Err(source) = fs::rename(&tmp, out) {
        let _ = fs::rename(&old, out);
        return cleanup(io_error(out)(source).into());
    }
    let _ = fs::remove_dir_all(&old);
    Ok(())
}

/// Syncs every regular file directly inside `dir`, then `dir` itself.
fn sync_files(dir: &Path) -> Result<(), OutputError> {
    for entry in fs::read_dir(dir).map_err(io_error(dir))?.flatten() {
        let path = entry.path();
        if path.is_file() {
            fs::File::open(&path)
                .and_then(|f| f.sync_all())
                .map_err(io_error(&path))?;
        }
    }
    // Directory fsync is not supported everywhere; the files are what matters.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Removes the hidden temporary siblings [`commit_dir`] and [`write_file`] leave inside `dir`
/// after a crash (`.<name>.tmp-<pid>-…` of processes no longer running are not told apart from
/// live ones, so call it only where a lock excludes other writers).
pub fn remove_stale_tmp(dir: &Path) -> Result<(), OutputError> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') && (name.contains(".tmp-") || name.contains(".old-")) {
            let path = entry.path();
            let removed = if path.is_dir() {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
            removed.map_err(io_error(&path))?;
        }
    }
    Ok(())
}
