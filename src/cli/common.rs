//! Arguments shared by the training commands: a TOML config, `--set` overrides, seed, data scale,
//! device and output directory.

use crate::data::SplitName;
use crate::train::RunConfig;
use anyhow::{bail, Context, Result};
use candle_core::Device;
use std::path::PathBuf;

/// Where a run's settings come from, in increasing precedence: thesis defaults, `--config`,
/// the dedicated flags, `--set`.
#[derive(Debug, Clone, clap::Args)]
pub struct ConfigArgs {
    /// TOML run config (missing fields take the thesis's defaults; unknown fields are errors).
    #[arg(long, value_name = "FILE.toml")]
    pub config: Option<PathBuf>,
    /// Seed of initialisation, shuffling, dropout and augmentation.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Data: `synthetic` (the embedded stand-in, or the config file's `data.path`), or a native
    /// data directory written by `mmssl data import` (sets `model.input_dims` to its dims).
    #[arg(long, default_value = "synthetic", value_name = "synthetic|DIR")]
    pub data: String,
    /// Size of the synthetic stand-in relative to CMU-MOSEI (1.0 = 16,326 training utterances).
    #[arg(long)]
    pub scale: Option<f64>,
    /// Override any config field: `--set supervised.max_epochs=5 --set ssl.lr=1e-4`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
    /// Compute device: `cpu`, or `cuda` (needs the `cuda` cargo feature).
    #[arg(long, default_value = "cpu")]
    pub device: String,
    /// Print no progress bars or epoch lines.
    #[arg(long)]
    pub quiet: bool,
}

impl ConfigArgs {
    /// The run config after applying the config file, the flags and the overrides to `base`.
    pub fn resolve(&self, base: RunConfig) -> Result<RunConfig> {
        let mut cfg = match &self.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading config {}", path.display()))?;
                RunConfig::from_toml(&text)
                    .with_context(|| format!("parsing config {}", path.display()))?
            }
            None => base,
        };
        if self.data != "synthetic" {
            if self.scale.is_some() {
                bail!(
                    "--scale applies to the synthetic stand-in only, not to --data {}",
                    self.data
                );
            }
            cfg.data.path = Some(PathBuf::from(&self.data));
        }
        if let Some(seed) = self.seed {
            cfg.seed = seed;
        }
        if let Some(scale) = self.scale {
            cfg.data.synthetic.scale = scale;
        }
        let mut cfg = apply_overrides(cfg, &self.overrides)?;
        // One path for `--data DIR`, `[data] path` in a config file and `--set data.path=DIR`:
        // the directory must have a train split, and the model takes its feature dims.
        if let Some(dir) = cfg.data.path.clone() {
            let (dir, dims) = training_data_dir(&dir.to_string_lossy())?;
            cfg.data.path = Some(dir);
            cfg.model.input_dims = dims;
        }
        cfg.validate()?;
        cfg.check_memory()?;
        Ok(cfg)
    }

    /// Defaults for everything but the device (for commands that take only `--device`).
    pub fn for_device(device: &str) -> Self {
        ConfigArgs {
            config: None,
            seed: None,
            data: "synthetic".into(),
            scale: None,
            overrides: Vec::new(),
            device: device.into(),
            quiet: true,
        }
    }

    /// The candle device named by `--device`.
    pub fn device(&self) -> Result<Device> {
        match self.device.as_str() {
            "cpu" => Ok(Device::Cpu),
            "cuda" => Device::new_cuda(0).context(
                "--device cuda: no usable CUDA device (build with `--features cuda` on a machine with nvcc)",
            ),
            other => bail!("--device {other}: expected `cpu` or `cuda`"),
        }
    }

    /// Progress reporting as chosen by `--quiet`.
    pub fn progress(&self) -> crate::train::Progress {
        if self.quiet {
            crate::train::Progress::quiet()
        } else {
            crate::train::Progress::verbose()
        }
    }
}

/// Applies `KEY=VALUE` overrides (dotted paths into the config; values in TOML syntax, bare
/// words taken as strings). An unknown key is an error naming it.
pub fn apply_overrides(cfg: RunConfig, overrides: &[String]) -> Result<RunConfig> {
    if overrides.is_empty() {
        return Ok(cfg);
    }
    let mut value = toml::Value::try_from(&cfg)?;
    // Fields left out of a serialised config while at their default stay addressable:
    // `--set fidelity=…` / `--set fidelity.<switch>=true`, `--set data.path=DIR`,
    // `--set data.synthetic.difficulty=hard` and the phases' loss, weight decay and schedule.
    if let Some(table) = value.as_table_mut() {
        if !table.contains_key("fidelity") {
            table.insert("fidelity".into(), toml::Value::try_from(cfg.fidelity)?);
        }
    }
    // The related work's options of both phases (loss, weight decay, schedule; the SSL
    // objective and its settings), likewise.
    let phases = [
        (
            "supervised",
            vec![
                ("loss", toml::Value::try_from(cfg.supervised.loss)?),
                ("weight_decay", cfg.supervised.weight_decay.into()),
                ("schedule", toml::Value::try_from(&cfg.supervised.schedule)?),
            ],
        ),
        (
            "ssl",
            vec![
                ("weight_decay", cfg.ssl.weight_decay.into()),
                ("schedule", toml::Value::try_from(&cfg.ssl.schedule)?),
                ("objective", toml::Value::try_from(cfg.ssl.objective)?),
                ("contrastive", toml::Value::try_from(cfg.ssl.contrastive)?),
                ("swav", toml::Value::try_from(cfg.ssl.swav)?),
                ("generative", toml::Value::try_from(cfg.ssl.generative)?),
            ],
        ),
    ];
    for (phase, fields) in phases {
        if let Some(table) = value.get_mut(phase).and_then(toml::Value::as_table_mut) {
            for (field, default) in fields {
                table.entry(field).or_insert(default);
            }
        }
    }
    let path_override = overrides.iter().any(|o| o.starts_with("data.path="));
    if let Some(data) = value.get_mut("data").and_then(toml::Value::as_table_mut) {
        if path_override && !data.contains_key("path") {
            data.insert("path".into(), toml::Value::String(String::new()));
        }
        if let Some(synthetic) = data
            .get_mut("synthetic")
            .and_then(toml::Value::as_table_mut)
        {
            let difficulty = cfg.data.synthetic.difficulty.name();
            synthetic
                .entry("difficulty")
                .or_insert_with(|| toml::Value::String(difficulty.into()));
        }
    }
    for item in overrides {
        let (key, raw) = item
            .split_once('=')
            .with_context(|| format!("--set {item}: expected KEY=VALUE"))?;
        let parsed = toml::from_str::<toml::Table>(&format!("v = {raw}"))
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(raw.to_string()));
        let mut slot = &mut value;
        for part in key.split('.') {
            slot = slot
                .get_mut(part)
                .with_context(|| format!("--set {item}: the config has no field `{key}`"))?;
        }
        *slot = parsed;
    }
    value
        .try_into()
        .with_context(|| format!("applying --set {}", overrides.join(" ")))
}

/// The absolute path and feature dims of `--data DIR`, a native data directory written by
/// `mmssl data import` that has a train split (training and `reproduce` need one).
pub fn training_data_dir(data: &str) -> Result<(PathBuf, [usize; 3])> {
    let dir = PathBuf::from(data);
    let meta = crate::import::NativeMeta::read(&dir).with_context(|| {
        format!("--data {data}: expected `synthetic` or a data directory written by `mmssl data import`")
    })?;
    let train = meta
        .splits
        .iter()
        .find(|s| s.name == crate::data::SplitName::Train)
        .map_or(0, |s| s.count);
    if train == 0 {
        bail!(
            "--data {data}: the train split is empty (imported with --splits without train); \
             training needs it: re-import with the train split (and --fill-missing for an \
             absent modality)"
        );
    }
    Ok((std::path::absolute(&dir).unwrap_or(dir), meta.dims))
}

/// Which split(s) `mmssl predict` and `mmssl embed` write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SplitChoice {
    /// The training split.
    Train,
    /// The validation split.
    Valid,
    /// The test split.
    Test,
    /// Every non-empty split, train first.
    All,
}

impl SplitChoice {
    /// The chosen splits of `data`: the non-empty ones for `all`; a named split that is empty is
    /// an error naming it.
    pub fn select(self, data: &crate::data::Dataset) -> Result<Vec<&crate::data::Split>> {
        let mut chosen = Vec::new();
        for name in self.splits() {
            let split = data.split(name);
            if split.is_empty() {
                if self == SplitChoice::All {
                    continue;
                }
                bail!("{}: the {name} split is empty", data.identity);
            }
            chosen.push(split);
        }
        Ok(chosen)
    }

    /// The splits chosen, in storage order.
    fn splits(self) -> Vec<SplitName> {
        match self {
            SplitChoice::Train => vec![SplitName::Train],
            SplitChoice::Valid => vec![SplitName::Valid],
            SplitChoice::Test => vec![SplitName::Test],
            SplitChoice::All => SplitName::ALL.to_vec(),
        }
    }
}

/// The data a saved run is scored on (`predict`, `embed`): its own data when `data` is `None`
/// (refused if it changed since training), the stand-in of its config for `synthetic`, or a
/// native data directory with the run's feature dims.
pub fn data_for_run(
    checkpoint: &std::path::Path,
    cfg: &mut RunConfig,
    data: Option<&str>,
) -> Result<crate::data::Dataset> {
    match data {
        None => {}
        Some("synthetic") => cfg.data.path = None,
        Some(dir) => {
            let meta = crate::import::NativeMeta::read(std::path::Path::new(dir))
                .with_context(|| {
                    format!("--data {dir}: expected `synthetic` or a data directory written by `mmssl data import`")
                })?;
            anyhow::ensure!(
                meta.dims == cfg.model.input_dims,
                "--data {dir}: feature dims {:?} (text, audio, visual), but the run {} was trained on {:?}",
                meta.dims,
                checkpoint.display(),
                cfg.model.input_dims
            );
            cfg.data.path = Some(PathBuf::from(dir));
        }
    }
    let loaded = cfg.load_data()?;
    if data.is_none() {
        super::train::check_trained_on(checkpoint, &loaded.identity)?;
    }
    Ok(loaded)
}
