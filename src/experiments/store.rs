//! The results store of `mmssl reproduce`: one JSON line per finished run, appended and synced
//! before the next run starts, so an interrupted reproduction (even `kill -9`) loses no finished
//! run. A line cut short by a crash is not valid JSON and is skipped (and reported) on reading;
//! it can never corrupt the rows before it.
//!
//! A reproduction holds [`StoreLock`] on its output folder while it writes, so a second process
//! on the same folder refuses at once instead of repeating every run. Readers deduplicate by row
//! key: a row repeated with the same metrics (e.g. copied in twice) counts once; the same key with
//! different metrics is an error naming the key and both lines.

use super::error::{ExperimentError, Result};
use super::family::FamilyId;
use crate::data::DataIdentity;
use crate::metrics::Metrics;
use crate::train::{Methodology, Pretrained, RunConfig};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// One finished run of an experiment family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultRow {
    /// Hash of the run's full config and data identity: equal keys mean the same run.
    pub key: String,
    /// Experiment family, e.g. `table-8.2.2` or `fig-8.5.1`.
    pub family: FamilyId,
    /// The line / bar / row the run belongs to, e.g. `supervised`, `ssl-masking`,
    /// `masking>noise`.
    pub variant: String,
    /// Grid coordinates of the run, e.g. `fraction`, `mask_pct_1`, `p_apply_1`.
    pub params: BTreeMap<String, f64>,
    /// The run's seed.
    pub seed: u64,
    /// Thesis 7.1 methodology.
    pub methodology: Methodology,
    /// Profile the run belongs to (`smoke`, `quick`, `full`).
    pub profile: String,
    /// Test metrics of the best epoch (thesis 7.3).
    pub test: Metrics,
    /// Validation metrics of the best epoch.
    pub valid: Metrics,
    /// Epoch whose weights were kept.
    pub best_epoch: usize,
    /// Wall-clock seconds of the run (pre-training included when it was not cached).
    pub wall_seconds: f64,
    /// The data the numbers came from.
    pub data: DataIdentity,
    /// The run's full configuration.
    pub config: RunConfig,
    /// Test-set predictions, in the split's storage order (for paired bootstraps over test
    /// utterances); empty in stores written before they were kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub test_predictions: Vec<f32>,
    /// Test-set labels, in the same order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub test_labels: Vec<f32>,
    /// The pre-training's diagnostics and linear probe (SSL methodologies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pretrain: Option<Pretrained>,
}

/// Append-only JSON-lines file of [`ResultRow`]s.
#[derive(Debug)]
pub struct ResultStore {
    path: PathBuf,
    rows: Vec<ResultRow>,
    keys: HashSet<String>,
    skipped_lines: usize,
    duplicate_lines: usize,
}

/// An exclusive advisory lock (`<dir>/reproduce.lock`) held while a reproduction writes to
/// `dir`; released when dropped or when the process ends, however it ends.
#[derive(Debug)]
pub struct StoreLock {
    _file: File,
}

/// File name of [`StoreLock`] inside a results folder.
pub const LOCK_FILE: &str = "reproduce.lock";

impl StoreLock {
    /// Takes the lock on `dir` (which must exist), or fails at once, naming the folder, when
    /// another process holds it.
    pub fn acquire(dir: &Path) -> Result<StoreLock> {
        let path = dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(ExperimentError::io("opening the lock file", &path))?;
        match file.try_lock() {
            Ok(()) => Ok(StoreLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(ExperimentError::Locked {
                dir: dir.to_path_buf(),
                lock: path,
            }),
            Err(std::fs::TryLockError::Error(err)) => {
                Err(ExperimentError::io("locking", &path)(err))
            }
        }
    }
}

impl ResultStore {
    /// Opens (or starts) the store at `path`, reading every complete row; unreadable lines
    /// (a crash mid-write) are counted in [`ResultStore::skipped_lines`] and ignored. A row whose
    /// key an earlier line has is dropped when it agrees with it in everything but its wall time
    /// ([`ResultStore::duplicate_lines`]) and is an error otherwise.
    pub fn open(path: &Path) -> Result<ResultStore> {
        let mut store = ResultStore {
            path: path.to_path_buf(),
            rows: Vec::new(),
            keys: HashSet::new(),
            skipped_lines: 0,
            duplicate_lines: 0,
        };
        if path.exists() {
            let file = File::open(path).map_err(ExperimentError::io("opening", path))?;
            let mut first_line: BTreeMap<String, usize> = BTreeMap::new();
            for (index, line) in BufReader::new(file).lines().enumerate() {
                let line = line.map_err(ExperimentError::io("reading", path))?;
                if line.trim().is_empty() {
                    continue;
                }
                let Ok(row) = serde_json::from_str::<ResultRow>(&line) else {
                    store.skipped_lines += 1;
                    continue;
                };
                if let Some(&earlier) = first_line.get(&row.key) {
                    let kept = store.get(&row.key).expect("a key with a line has a row");
                    if !same_run_result(kept, &row) {
                        return Err(ExperimentError::Conflict(format!(
                            "{}: line {} repeats run key {} ({} {} seed {}) of line {earlier} \
                             with different results; remove the wrong line",
                            path.display(),
                            index + 1,
                            row.key,
                            row.family,
                            row.variant,
                            row.seed
                        )));
                    }
                    store.duplicate_lines += 1;
                    continue;
                }
                first_line.insert(row.key.clone(), index + 1);
                store.keys.insert(row.key.clone());
                store.rows.push(row);
            }
        }
        Ok(store)
    }

    /// Appends `row` as one line and syncs it to disk before returning.
    pub fn append(&mut self, row: ResultRow) -> Result<()> {
        let mut line =
            serde_json::to_string(&row).map_err(|e| ExperimentError::Internal(e.to_string()))?;
        line.push('\n');
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(ExperimentError::io("creating", dir))?;
        }
        let path = &self.path;
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(ExperimentError::io("opening", path))?;
        // A crash may have left a partial last line: start ours on a fresh line.
        let len = file
            .metadata()
            .map_err(ExperimentError::io("reading", path))?
            .len();
        if len > 0 && !ends_with_newline(path).map_err(ExperimentError::io("reading", path))? {
            file.write_all(b"\n")
                .map_err(ExperimentError::io("writing", path))?;
        }
        file.write_all(line.as_bytes())
            .map_err(ExperimentError::io("writing", path))?;
        file.sync_data()
            .map_err(ExperimentError::io("syncing", path))?;
        self.keys.insert(row.key.clone());
        self.rows.push(row);
        Ok(())
    }

    /// True when a run with this key has finished.
    pub fn contains(&self, key: &str) -> bool {
        self.keys.contains(key)
    }

    /// Every finished run, in the order they finished.
    pub fn rows(&self) -> &[ResultRow] {
        &self.rows
    }

    /// Lines that could not be read (a run interrupted while its row was written).
    pub fn skipped_lines(&self) -> usize {
        self.skipped_lines
    }

    /// Lines dropped because an earlier line holds the same run with the same results.
    pub fn duplicate_lines(&self) -> usize {
        self.duplicate_lines
    }

    /// Where the store lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The row with this key, if that run has finished.
    pub fn get(&self, key: &str) -> Option<&ResultRow> {
        self.rows.iter().rev().find(|row| row.key == key)
    }

    /// The rows of experiment family `family` (e.g. `fig-8.4`), in the order they finished.
    pub fn family_rows(&self, family: FamilyId) -> impl Iterator<Item = &ResultRow> + '_ {
        self.rows.iter().filter(move |row| row.family == family)
    }
}

/// Two rows of the same key hold the same result: equal in everything but their wall time.
fn same_run_result(a: &ResultRow, b: &ResultRow) -> bool {
    let untimed = |row: &ResultRow| ResultRow {
        wall_seconds: 0.0,
        ..row.clone()
    };
    // Compared as JSON so that an undefined metric (NaN read back as null) equals itself.
    serde_json::to_value(untimed(a)).ok() == serde_json::to_value(untimed(b)).ok()
}

fn ends_with_newline(path: &Path) -> std::io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = File::open(path)?;
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

/// What [`merge_stores`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MergeSummary {
    /// Rows appended to the output store.
    pub added: usize,
    /// Rows the output (or an earlier input) already held with the same results.
    pub duplicates: usize,
}

/// Merges the stores `inputs` (`results.jsonl` files) into the store `out` (created if absent),
/// deduplicated by row key: a row already there with the same results is counted once; the same
/// key with different results is an error naming the key and both files, and then nothing is
/// written. The caller holds the output folder's [`StoreLock`].
pub fn merge_stores(inputs: &[PathBuf], out: &Path) -> Result<MergeSummary> {
    let mut merged = ResultStore::open(out)?;
    let mut source: BTreeMap<String, PathBuf> = (merged.rows.iter())
        .map(|row| (row.key.clone(), out.to_path_buf()))
        .collect();
    let mut summary = MergeSummary::default();
    let mut new_rows: Vec<ResultRow> = Vec::new();
    for input in inputs {
        if !input.is_file() {
            return Err(ExperimentError::Config(format!(
                "{}: not a results store (expected a results.jsonl file or a folder holding one)",
                input.display()
            )));
        }
        for row in ResultStore::open(input)?.rows {
            if let Some(first) = source.get(&row.key) {
                let kept = (new_rows.iter().find(|r| r.key == row.key))
                    .or_else(|| merged.get(&row.key))
                    .expect("a key with a source has a row");
                if !same_run_result(kept, &row) {
                    return Err(ExperimentError::Conflict(format!(
                        "run key {} ({} {} seed {}) has different results in {} and {}: nothing \
                         was merged; remove the wrong row",
                        row.key,
                        row.family,
                        row.variant,
                        row.seed,
                        first.display(),
                        input.display()
                    )));
                }
                summary.duplicates += 1;
                continue;
            }
            source.insert(row.key.clone(), input.clone());
            new_rows.push(row);
        }
    }
    for row in new_rows {
        merged.append(row)?;
        summary.added += 1;
    }
    Ok(summary)
}
