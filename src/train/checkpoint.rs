//! Run artefacts: the weights as safetensors with the full config beside them, and the report.

use super::config::{build_model, RunConfig};
use super::error::{Result, TrainError};
use super::run::RunReport;
use super::ssl::Pretrained;
use crate::data::DataIdentity;
use crate::files;
use crate::model::Model;
use candle_core::Device;
use candle_nn::VarMap;
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::Path;

/// File names inside a run directory.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// The run's full configuration, TOML.
pub const CONFIG_FILE: &str = "config.toml";
/// The run's report, JSON.
pub const METRICS_FILE: &str = "metrics.json";
/// A pre-training's record ([`PretrainRecord`]), JSON.
pub const PRETRAIN_FILE: &str = "pretrain.json";

/// `pretrain.json` beside a pre-trained checkpoint — one schema for `mmssl pretrain` and the
/// reproduction's pre-training cache: the data, the config and what the pre-training produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PretrainRecord {
    /// The data it pre-trained on.
    pub data: DataIdentity,
    /// The full configuration.
    pub config: RunConfig,
    /// Per-epoch diagnostics and the probe before / after.
    pub pretrain: Pretrained,
    /// Wall-clock seconds of the pre-training.
    #[serde(default)]
    pub seconds: f64,
}

impl PretrainRecord {
    /// Writes `<dir>/pretrain.json` atomically.
    pub fn save(&self, dir: &Path) -> Result<()> {
        Ok(files::write_file(
            &dir.join(PRETRAIN_FILE),
            serde_json::to_string_pretty(self)
                .expect("a pre-training record always serialises")
                .as_bytes(),
        )?)
    }

    /// Reads `<dir>/pretrain.json`.
    pub fn load(dir: &Path) -> Result<PretrainRecord> {
        let path = dir.join(PRETRAIN_FILE);
        let text = read(&path)?;
        let mut record: PretrainRecord =
            serde_json::from_str(&text).map_err(|e| parse_error(&path, e))?;
        record.pretrain.seconds = record.seconds;
        Ok(record)
    }
}

/// Writes `model.safetensors` and `config.toml` into `dir` (created if missing).
pub fn save_checkpoint(dir: &Path, varmap: &VarMap, cfg: &RunConfig) -> Result<()> {
    create_dir(dir)?;
    let weights = dir.join(WEIGHTS_FILE);
    varmap
        .save(&weights)
        .map_err(|e| e.context(format!("writing {}", weights.display())))?;
    Ok(files::write_file(
        &dir.join(CONFIG_FILE),
        cfg.to_toml().as_bytes(),
    )?)
}

/// Writes the report as `metrics.json` into `dir`.
pub fn save_report(dir: &Path, report: &RunReport) -> Result<()> {
    create_dir(dir)?;
    Ok(files::write_file(
        &dir.join(METRICS_FILE),
        serde_json::to_string_pretty(report)
            .expect("a run report always serialises")
            .as_bytes(),
    )?)
}

/// Reads a run directory's config and weights into a model built for that config.
pub fn load_checkpoint(dir: &Path, device: &Device) -> Result<(RunConfig, Model, VarMap)> {
    let config_path = dir.join(CONFIG_FILE);
    let text = read(&config_path)?;
    let cfg = RunConfig::from_toml(&text).map_err(|e| parse_error(&config_path, e))?;
    let (model, mut varmap) = build_model(&cfg, device)?;
    let weights = dir.join(WEIGHTS_FILE);
    varmap.load(&weights).map_err(|e| {
        // Candle's message (no backtrace), under what it means for the user.
        let cause = crate::messages::candle_message(&e);
        let what = if cause.contains("shape mismatch") {
            format!(
                "holds weights of other shapes than {} describes (was the config edited after \
                 training?)",
                config_path.display()
            )
        } else if cause.contains("metadata")
            || cause.contains("header")
            || cause.contains("covered")
        {
            "is truncated or not a safetensors file".to_owned()
        } else {
            "cannot be loaded".to_owned()
        };
        TrainError::State(format!("{} {what}: {cause}", weights.display()))
    })?;
    Ok((cfg, model, varmap))
}

/// The text of the file at `path`.
fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(|error| TrainError::Io {
        action: "reading",
        path: path.to_path_buf(),
        error,
    })
}

/// Creates the folder `dir` and any missing parents.
fn create_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|error| TrainError::Io {
        action: "creating",
        path: dir.to_path_buf(),
        error,
    })
}

/// The error of a file at `path` that its parser rejected with `e`.
fn parse_error(path: &Path, e: impl std::fmt::Display) -> TrainError {
    TrainError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}
