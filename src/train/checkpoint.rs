//! Run artefacts: the weights as safetensors with the full config beside them, and the report.

use super::config::RunConfig;
use super::run::{build_model, RunReport};
use crate::model::Model;
use anyhow::{Context, Result};
use candle_core::Device;
use candle_nn::VarMap;
use std::fs;
use std::path::Path;

/// File names inside a run directory.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// The run's full configuration, TOML.
pub const CONFIG_FILE: &str = "config.toml";
/// The run's report, JSON.
pub const METRICS_FILE: &str = "metrics.json";

/// Writes `model.safetensors` and `config.toml` into `dir` (created if missing).
pub fn save_checkpoint(dir: &Path, varmap: &VarMap, cfg: &RunConfig) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    varmap
        .save(dir.join(WEIGHTS_FILE))
        .with_context(|| format!("writing {}", dir.join(WEIGHTS_FILE).display()))?;
    write_atomic(&dir.join(CONFIG_FILE), cfg.to_toml().as_bytes())
}

/// Writes the report as `metrics.json` into `dir`.
pub fn save_report(dir: &Path, report: &RunReport) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    write_atomic(
        &dir.join(METRICS_FILE),
        serde_json::to_string_pretty(report)?.as_bytes(),
    )
}

/// Reads a run directory's config and weights into a model built for that config.
pub fn load_checkpoint(dir: &Path, device: &Device) -> Result<(RunConfig, Model, VarMap)> {
    let config_path = dir.join(CONFIG_FILE);
    let text = fs::read_to_string(&config_path)
        .with_context(|| format!("reading {}", config_path.display()))?;
    let cfg = RunConfig::from_toml(&text)
        .with_context(|| format!("parsing {}", config_path.display()))?;
    let (model, mut varmap) = build_model(&cfg, device)?;
    let weights = dir.join(WEIGHTS_FILE);
    varmap
        .load(&weights)
        .with_context(|| format!("loading {}", weights.display()))?;
    Ok((cfg, model, varmap))
}

/// Writes through a temporary file and a rename, so a reader never sees half a file.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))
}
