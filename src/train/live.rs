//! The live folder of a run in progress: its per-epoch logs as CSV, written while the run goes so
//! that a long run can be watched with any plotting tool (one file per phase:
//! `pretrain-epochs.csv`, `finetune-epochs.csv`, `linear-epochs.csv`), and the state each phase
//! saves after every epoch so that an interrupted run can resume from it (`train::resume`).
//!
//! A command-line run keeps it beside its output, `<out>.progress/` (the output folder itself
//! appears only at the end, atomically); when the run is committed the CSV files are copied into
//! it and the live folder is removed. A run that dies leaves the live folder: `--resume`
//! continues from its last saved epoch, `--force` discards it, and without either the next run on
//! the same output refuses to touch it. The folder records what it belongs to (`live.toml`: the
//! run's config and data), and a resume with other settings is refused. A folder of that name
//! holding anything but these files is never touched.

use super::config::RunConfig;
use crate::data::DataIdentity;
use crate::files::{self, OutputError};
use crate::messages::candle_message;
use candle_core::{Device, Tensor};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};

/// Suffix of the live folder beside a run's output folder.
pub const LIVE_SUFFIX: &str = ".progress";
/// Suffix of each phase's CSV file name.
pub const CSV_SUFFIX: &str = "-epochs.csv";
/// What the live folder belongs to: the run's config and data, as text.
pub const IDENTITY_FILE: &str = "live.toml";
/// Prefix of each phase's saved-state folder (`state-pretrain`, `state-finetune`, …).
const STATE_PREFIX: &str = "state-";
/// The JSON part of a saved state, naming its tensor file (the commit point of a save).
const STATE_JSON: &str = "state.json";

/// `state.json`: the phase's state and the file holding its tensors.
#[derive(Serialize, Deserialize)]
struct Envelope<S> {
    tensors: String,
    state: S,
}

fn io(path: &Path, source: std::io::Error) -> OutputError {
    OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What a live folder belongs to, as its identity text: the run's full config, its data's
/// identity and `extra` (what else the run depends on, e.g. the pre-training it fine-tunes).
pub fn run_identity(cfg: &RunConfig, data: &DataIdentity, extra: &str) -> String {
    format!("{}\n# data: {data}\n{extra}", cfg.to_toml())
}

/// What to do with a live folder left by an earlier attempt at the same output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Start afresh: an earlier folder holding only logs is replaced; one holding saved state
    /// is refused (it would lose an interrupted run's work).
    Fresh,
    /// Continue from the saved state, if any, after checking it belongs to the same run.
    Resume,
    /// Discard any earlier live folder of ours and start afresh (`--force`).
    Discard,
}

/// A phase's state as saved after an epoch: its scalars and logs (`S`) and its tensors by name.
#[derive(Debug)]
pub struct SavedState<S> {
    /// The phase's own scalars and logs.
    pub state: S,
    /// Weights, optimiser moments and the like, on the CPU.
    pub tensors: HashMap<String, Tensor>,
}

/// The live folder of one run.
#[derive(Debug)]
pub struct LiveFolder {
    dir: PathBuf,
}

impl LiveFolder {
    /// The live folder `<out>.progress` beside `out` for the run described by `identity` (its
    /// config and data as text), opened as `attempt` says ([`LiveFolder::at`]).
    pub fn beside(out: &Path, identity: &str, attempt: Attempt) -> Result<LiveFolder, OutputError> {
        let mut name = out.as_os_str().to_owned();
        name.push(LIVE_SUFFIX);
        LiveFolder::at(PathBuf::from(name), identity, attempt)
    }

    /// The live folder `dir` for the run described by `identity`: created when missing; an
    /// earlier one is kept (`Resume`, when its identity matches), replaced (`Discard`, or `Fresh`
    /// when it holds no saved state) or refused. A folder holding anything else is refused and
    /// left untouched.
    pub fn at(dir: PathBuf, identity: &str, attempt: Attempt) -> Result<LiveFolder, OutputError> {
        let refuse = |why: String| OutputError::Refused {
            path: dir.clone(),
            why,
        };
        if dir.symlink_metadata().is_ok() {
            let ours = dir.is_dir()
                && fs::read_dir(&dir)
                    .map_err(|e| io(&dir, e))?
                    .all(|entry| entry.is_ok_and(|e| is_ours(&e.path())));
            if !ours {
                return Err(refuse(
                    "exists and is not a live folder of a run (per-epoch CSV files and saved \
                     state); nothing was touched: move it away"
                        .to_owned(),
                ));
            }
            let live = LiveFolder { dir: dir.clone() };
            let saved = live.saved_phases()?;
            match attempt {
                Attempt::Resume => {
                    let recorded = fs::read_to_string(dir.join(IDENTITY_FILE)).unwrap_or_default();
                    if recorded == identity {
                        return Ok(live);
                    }
                    if !saved.is_empty() {
                        return Err(refuse(format!(
                            "holds the saved state of a run with other settings or data \
                             ({}); nothing was touched: resume with the same settings, or pass \
                             --force to discard it",
                            first_difference(&recorded, identity)
                        )));
                    }
                }
                Attempt::Fresh if !saved.is_empty() => {
                    return Err(refuse(format!(
                        "holds the saved state of an interrupted run ({}); nothing was \
                         touched: pass --resume to continue it, or --force to discard it",
                        saved.join(", ")
                    )));
                }
                Attempt::Fresh | Attempt::Discard => {}
            }
            fs::remove_dir_all(&dir).map_err(|e| io(&dir, e))?;
        }
        fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        files::write_file(&dir.join(IDENTITY_FILE), identity.as_bytes())?;
        Ok(LiveFolder { dir })
    }

    /// The live folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// True when some phase saved a state here (a resume will continue from it).
    pub fn has_saved_state(&self) -> Result<bool, OutputError> {
        Ok(!self.saved_phases()?.is_empty())
    }

    /// The phases with a saved state.
    fn saved_phases(&self) -> Result<Vec<String>, OutputError> {
        let mut out = Vec::new();
        for entry in fs::read_dir(&self.dir).map_err(|e| io(&self.dir, e))? {
            let path = entry.map_err(|e| io(&self.dir, e))?.path();
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            if let Some(phase) = name.as_deref().and_then(|n| n.strip_prefix(STATE_PREFIX)) {
                if path.join(STATE_JSON).is_file() {
                    out.push(phase.to_owned());
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Appends `row` (a struct of scalar fields; `None` → empty cell) to `<phase>-epochs.csv`,
    /// writing the header first when the file is new, and flushes it.
    pub fn append<T: Serialize>(&self, phase: &str, row: &T) -> Result<(), OutputError> {
        let path = self.csv_path(phase);
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

    /// Rewrites `<phase>-epochs.csv` to hold exactly `rows` (none: the file is removed), as a
    /// phase starts: a resumed phase drops the rows of epochs after its saved state.
    pub fn restart<T: Serialize>(&self, phase: &str, rows: &[T]) -> Result<(), OutputError> {
        let path = self.csv_path(phase);
        if rows.is_empty() {
            return match fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(&path, e)),
                _ => Ok(()),
            };
        }
        let mut csv = csv::Writer::from_writer(Vec::new());
        for row in rows {
            csv.serialize(row)
                .map_err(|e| io(&path, std::io::Error::other(e)))?;
        }
        let bytes = csv
            .into_inner()
            .map_err(|e| io(&path, std::io::Error::other(e.to_string())))?;
        files::write_file(&path, &bytes)
    }

    fn csv_path(&self, phase: &str) -> PathBuf {
        self.dir.join(format!("{phase}{CSV_SUFFIX}"))
    }

    fn state_dir(&self, phase: &str) -> PathBuf {
        self.dir.join(format!("{STATE_PREFIX}{phase}"))
    }

    /// Saves `phase`'s `state` and `tensors`, replacing its previous save atomically: the
    /// tensors go to a file of a fresh name, then `state.json`, which names that file, replaces
    /// the old one by a rename (the one commit point), then older tensor files are removed.
    pub fn save_state<S: Serialize>(
        &self,
        phase: &str,
        state: &S,
        tensors: &[(String, Tensor)],
    ) -> Result<(), OutputError> {
        let dir = self.state_dir(phase);
        fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let name = format!("tensors-{}-{nanos}.safetensors", std::process::id());
        let path = dir.join(&name);
        let map: HashMap<String, Tensor> = tensors.iter().cloned().collect();
        candle_core::safetensors::save(&map, &path)
            .map_err(|e| io(&path, std::io::Error::other(candle_message(&e))))?;
        fs::File::open(&path)
            .and_then(|f| f.sync_all())
            .map_err(|e| io(&path, e))?;
        let envelope = Envelope {
            tensors: name.clone(),
            state,
        };
        let json_path = dir.join(STATE_JSON);
        let json =
            serde_json::to_vec(&envelope).map_err(|e| io(&json_path, std::io::Error::other(e)))?;
        files::write_file(&json_path, &json)?;
        for entry in fs::read_dir(&dir).map_err(|e| io(&dir, e))?.flatten() {
            let other = entry.file_name().to_string_lossy().into_owned();
            if other.starts_with("tensors-") && other != name {
                let _ = fs::remove_file(entry.path());
            }
        }
        Ok(())
    }

    /// The state `phase` saved last, if any (tensors on the CPU).
    pub fn saved_state<S: DeserializeOwned>(
        &self,
        phase: &str,
    ) -> Result<Option<SavedState<S>>, OutputError> {
        let dir = self.state_dir(phase);
        let json_path = dir.join(STATE_JSON);
        let Ok(json) = fs::read(&json_path) else {
            return Ok(None);
        };
        let corrupt = |path: &Path, e: String| OutputError::Refused {
            path: path.to_path_buf(),
            why: format!(
                "the saved state cannot be read ({e}); pass --force to discard it and start again"
            ),
        };
        let envelope: Envelope<S> =
            serde_json::from_slice(&json).map_err(|e| corrupt(&json_path, e.to_string()))?;
        let tensor_path = dir.join(&envelope.tensors);
        let tensors = candle_core::safetensors::load(&tensor_path, &Device::Cpu)
            .map_err(|e| corrupt(&tensor_path, candle_message(&e)))?;
        Ok(Some(SavedState {
            state: envelope.state,
            tensors,
        }))
    }

    /// Copies every CSV file into `dir` (the run folder being committed).
    pub fn copy_into(&self, dir: &Path) -> Result<(), OutputError> {
        for entry in fs::read_dir(&self.dir).map_err(|e| io(&self.dir, e))? {
            let path = entry.map_err(|e| io(&self.dir, e))?.path();
            if is_epoch_csv(&path) {
                if let Some(name) = path.file_name() {
                    fs::copy(&path, dir.join(name)).map_err(|e| io(&path, e))?;
                }
            }
        }
        Ok(())
    }

    /// Removes the live folder (after the run's results were committed).
    pub fn remove(&self) -> Result<(), OutputError> {
        fs::remove_dir_all(&self.dir).map_err(|e| io(&self.dir, e))
    }
}

/// The first line where `recorded` and `now` differ, for the refusal message.
fn first_difference(recorded: &str, now: &str) -> String {
    let mut now_lines = now.lines();
    for old in recorded.lines() {
        match now_lines.next() {
            Some(new) if new == old => continue,
            Some(new) => return format!("was `{old}`, now `{new}`"),
            None => return format!("was `{old}`, now nothing"),
        }
    }
    now_lines.next().map_or_else(
        || "unrecorded".to_owned(),
        |new| format!("now also `{new}`"),
    )
}

/// True for what a live folder may hold: epoch CSVs, its identity, saved-state folders and the
/// hidden temporary siblings an interrupted atomic write leaves ([`files::commit_dir`]).
fn is_ours(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    is_epoch_csv(path)
        || (name == IDENTITY_FILE && path.is_file())
        || (name.starts_with(STATE_PREFIX) && path.is_dir())
        || (name.starts_with('.') && (name.contains(".tmp-") || name.contains(".old-")))
}

fn is_epoch_csv(path: &Path) -> bool {
    path.is_file()
        && path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with(CSV_SUFFIX))
}

/// Warns on stderr that the live folder could not be written; a log or a saved state that
/// cannot be written never stops the run (it only costs what a resume could have saved).
pub fn warn(what: &str, err: &OutputError) {
    eprintln!("warning: {what} not written: {err}");
}
