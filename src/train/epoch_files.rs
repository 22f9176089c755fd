//! Per-epoch logs as CSV, written while a run goes so that a long run can be watched with any
//! plotting tool: one file per phase (`pretrain-epochs.csv`, `finetune-epochs.csv`,
//! `linear-epochs.csv`), one row per epoch, appended and flushed as each epoch ends.
//!
//! A command-line run writes them into a live folder beside its output, `<out>.progress/`
//! (the output folder itself appears only at the end, atomically); when the run is committed
//! they are copied into it and the live folder is removed. A run that dies leaves the live
//! folder for inspection; the next run on the same output replaces it (it holds only these
//! files; a folder of that name holding anything else is refused, never deleted).

use crate::files::OutputError;

fn io(path: &Path, source: std::io::Error) -> OutputError {
    OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}
use serde::Serialize;
use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};

/// Suffix of the live folder beside a run's output folder.
pub const LIVE_SUFFIX: &str = ".progress";
/// Suffix of each phase's CSV file name.
pub const CSV_SUFFIX: &str = "-epochs.csv";

/// The live folder of per-epoch CSV files of one run.
#[derive(Debug)]
pub struct EpochFiles {
    dir: PathBuf,
}

impl EpochFiles {
    /// Creates (or empties, when it holds only epoch CSVs of an earlier attempt) the live folder
    /// `<out>.progress` beside `out`.
    pub fn beside(out: &Path) -> Result<EpochFiles, OutputError> {
        let mut name = out.as_os_str().to_owned();
        name.push(LIVE_SUFFIX);
        let dir = PathBuf::from(name);
        if dir.exists() {
            let ours = dir.is_dir()
                && fs::read_dir(&dir)
                    .map_err(|e| io(&dir, e))?
                    .all(|entry| entry.is_ok_and(|e| is_epoch_csv(&e.path())));
            if !ours {
                return Err(OutputError::Refused {
                    path: dir,
                    why: "exists and is not a live folder of per-epoch CSV files; nothing was \
                          touched: move it away"
                        .to_owned(),
                });
            }
            fs::remove_dir_all(&dir).map_err(|e| io(&dir, e))?;
        }
        fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        Ok(EpochFiles { dir })
    }

    /// The live folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Appends `row` (a struct of scalar fields; `None` → empty cell) to `<phase>-epochs.csv`,
    /// writing the header first when the file is new, and flushes it.
    pub fn append<T: Serialize>(&self, phase: &str, row: &T) -> Result<(), OutputError> {
        let path = self.dir.join(format!("{phase}{CSV_SUFFIX}"));
        let new = !path.exists();
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| io(&path, e))?;
        let mut csv = csv::WriterBuilder::new().has_headers(new).from_writer(file);
        csv.serialize(row)
            .map_err(|e| io(&path, std::io::Error::other(e)))?;
        csv.flush().map_err(|e| io(&path, e))?;
        let file = csv
            .into_inner()
            .map_err(|e| io(&path, std::io::Error::other(e.to_string())))?;
        file.sync_data().map_err(|e| io(&path, e))
    }

    /// Copies every CSV file into `dir` (the run folder being committed).
    pub fn copy_into(&self, dir: &Path) -> Result<(), OutputError> {
        for entry in fs::read_dir(&self.dir).map_err(|e| io(&self.dir, e))? {
            let path = entry.map_err(|e| io(&self.dir, e))?.path();
            if let Some(name) = path.file_name() {
                fs::copy(&path, dir.join(name)).map_err(|e| io(&path, e))?;
            }
        }
        Ok(())
    }

    /// Removes the live folder (after the run folder holding its copies was committed).
    pub fn remove(&self) -> Result<(), OutputError> {
        fs::remove_dir_all(&self.dir).map_err(|e| io(&self.dir, e))
    }
}

fn is_epoch_csv(path: &Path) -> bool {
    path.is_file()
        && path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with(CSV_SUFFIX))
}

/// Writes `row` of `phase` to `files` if there are any; a log that cannot be written warns on
/// stderr but never stops the run.
pub fn log_epoch<T: Serialize>(files: Option<&EpochFiles>, phase: &str, row: &T) {
    if let Some(files) = files {
        if let Err(err) = files.append(phase, row) {
            eprintln!("warning: per-epoch log not written: {err}");
        }
    }
}
