//! Typed run configuration: the methodology (thesis 7.1) and the hyper-parameters of tables
//! 7.3.1 / 7.3.2 as defaults. Printed with, and stored beside, every result.

use super::error::{Result, TrainError};
use super::fidelity::Fidelity;
use super::lr_schedule::LrSchedule;
use crate::augment::AugmentConfig;
use crate::data::synthetic::SyntheticConfig;
use crate::data::Layout;
use crate::loss::{
    BarlowTwinsConfig, ContrastiveConfig, GenerativeConfig, Objective, SupervisedLoss, SwavConfig,
};
use crate::model::{Model, ModelConfig};
use candle_core::{DType, Device};
use candle_nn::VarMap;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// The four training methodologies of thesis 7.1.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Methodology {
    /// Fully supervised (FS): random init, every parameter trained on labels.
    #[default]
    Supervised,
    /// Supervised linear evaluation: random frozen encoder, only the head trains.
    SupervisedLinear,
    /// SSL pre-training on all unlabeled training data, then fine-tuning of everything.
    SslFinetune,
    /// SSL linear evaluation: pre-trained frozen encoder, only the head trains.
    SslLinear,
}

impl Methodology {
    /// All four, in the thesis's order.
    pub const ALL: [Methodology; 4] = [
        Methodology::Supervised,
        Methodology::SupervisedLinear,
        Methodology::SslFinetune,
        Methodology::SslLinear,
    ];

    /// True when the encoder is pre-trained with Barlow Twins first.
    pub fn pretrains(self) -> bool {
        matches!(self, Methodology::SslFinetune | Methodology::SslLinear)
    }

    /// True when only the regression head is trained on labels (encoder frozen).
    pub fn linear(self) -> bool {
        matches!(self, Methodology::SupervisedLinear | Methodology::SslLinear)
    }

    /// The kebab-case name used in configs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Methodology::Supervised => "supervised",
            Methodology::SupervisedLinear => "supervised-linear",
            Methodology::SslFinetune => "ssl-finetune",
            Methodology::SslLinear => "ssl-linear",
        }
    }
}

impl fmt::Display for Methodology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Supervised phase (table 7.3.2, right column): Adam, L1 loss, plateau halving, early stopping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SupervisedConfig {
    /// Adam learning rate (3e-4).
    pub lr: f64,
    /// Batch size (32).
    pub batch_size: usize,
    /// Maximum epochs (100).
    pub max_epochs: usize,
    /// Early stopping: epochs without a valid-loss improvement before stopping (10); the best
    /// epoch's weights are restored.
    pub patience: usize,
    /// Epochs without improvement before the learning rate is multiplied by `lr_factor` (2).
    pub plateau_patience: usize,
    /// Learning-rate multiplier on a plateau (0.5, "halve").
    pub lr_factor: f64,
    /// Share of the labeled training data used (thesis 8.4: 0.01 … 1.0).
    pub labeled_fraction: f64,
    /// Maximum epochs of a linear-evaluation head on cached encoder outputs (100, table
    /// 7.3.2's maximum). Separate from `max_epochs` because a head epoch costs almost nothing:
    /// profiles that shorten full training keep the head's schedule (see `train::linear_probe`).
    pub head_max_epochs: usize,
    /// The loss minimised: `l1` (thesis 7.3, default) or `rmse-ccc` (Bulat et al. 2022); early
    /// stopping stays on the valid MAE. Not written to configs while `l1`.
    #[serde(skip_serializing_if = "SupervisedLoss::is_l1")]
    pub loss: SupervisedLoss,
    /// Decoupled weight decay (AdamW, Loshchilov & Hutter 2019; ConCluGen's MOSEI downstream
    /// training uses 7e-5); 0 (default, not written to configs) is the thesis's plain Adam.
    #[serde(skip_serializing_if = "is_zero")]
    pub weight_decay: f64,
    /// The learning-rate schedule (default: the thesis's plateau halving; see
    /// [`LrSchedule`]); it also sets the rate of linear heads, over `head_max_epochs`.
    #[serde(skip_serializing_if = "LrSchedule::is_thesis")]
    pub schedule: LrSchedule,
}

impl Default for SupervisedConfig {
    fn default() -> Self {
        SupervisedConfig {
            lr: 3e-4,
            batch_size: 32,
            max_epochs: 100,
            patience: 10,
            plateau_patience: 2,
            lr_factor: 0.5,
            labeled_fraction: 1.0,
            head_max_epochs: 100,
            loss: SupervisedLoss::L1,
            weight_decay: 0.0,
            schedule: LrSchedule::default(),
        }
    }
}

/// Self-supervised phase (table 7.3.2, left column): Adam, fixed epochs, no early stopping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SslConfig {
    /// Adam learning rate (3e-6).
    pub lr: f64,
    /// Batch size (170, "restricted by the hardware rather than choice").
    pub batch_size: usize,
    /// Epochs (20).
    pub epochs: usize,
    /// The objective minimised (default: Barlow Twins, thesis 6.3; not written to configs when
    /// default; see [`Objective`]).
    #[serde(skip_serializing_if = "Objective::is_barlow_twins")]
    pub objective: Objective,
    /// Barlow Twins loss settings (λ = α_BT = 2e-2).
    pub loss: BarlowTwinsConfig,
    /// InfoNCE settings of `objective = "instance-contrastive"`.
    #[serde(skip_serializing_if = "ContrastiveConfig::is_default")]
    pub contrastive: ContrastiveConfig,
    /// SwAV settings of `objective = "swav"`.
    #[serde(skip_serializing_if = "SwavConfig::is_default")]
    pub swav: SwavConfig,
    /// Decoder settings of `objective = "generative"`.
    #[serde(skip_serializing_if = "GenerativeConfig::is_default")]
    pub generative: GenerativeConfig,
    /// The two augmentation streams (defaults: table 8.2.1).
    pub augment: AugmentConfig,
    /// Decoupled weight decay (AdamW; ConCluGen pre-trains with 3.2e-4); 0 (default, not written
    /// to configs) is the thesis's plain Adam.
    #[serde(skip_serializing_if = "is_zero")]
    pub weight_decay: f64,
    /// The learning-rate schedule (default: constant, as table 7.3.2; see [`LrSchedule`]).
    #[serde(skip_serializing_if = "LrSchedule::is_thesis")]
    pub schedule: LrSchedule,
}

/// True for exactly 0 (a default left out of serialised configs).
fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

impl Default for SslConfig {
    fn default() -> Self {
        SslConfig {
            lr: 3e-6,
            batch_size: 170,
            epochs: 20,
            objective: Objective::BarlowTwins,
            loss: BarlowTwinsConfig::default(),
            contrastive: ContrastiveConfig::default(),
            swav: SwavConfig::default(),
            generative: GenerativeConfig::default(),
            augment: AugmentConfig::default(),
            weight_decay: 0.0,
            schedule: LrSchedule::default(),
        }
    }
}

/// Which data a run uses: the synthetic stand-in (default), or a native data directory written
/// by `mmssl data import` when `path` is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DataConfig {
    /// The synthetic stand-in's settings (the embedded default; ignored when `path` is set).
    pub synthetic: SyntheticConfig,
    /// A native data directory (`data.safetensors` + `meta.json`, see `import::native`);
    /// `None` uses the synthetic stand-in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    /// Standardise features with train statistics (see `data::Standardizer`).
    pub standardize: bool,
    /// The padding layout the model sees (default: real steps first, padding masked; not
    /// written to configs when default). Applied after standardisation, whose statistics are
    /// of the real steps.
    #[serde(skip_serializing_if = "Layout::is_default")]
    pub layout: Layout,
}

impl Default for DataConfig {
    fn default() -> Self {
        DataConfig {
            synthetic: SyntheticConfig::default(),
            path: None,
            standardize: true,
            layout: Layout::default(),
        }
    }
}

/// Everything that determines a run's numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct RunConfig {
    /// Seed of initialisation, shuffling, dropout and augmentation.
    pub seed: u64,
    /// Thesis 7.1 methodology.
    pub methodology: Methodology,
    /// Data settings.
    pub data: DataConfig,
    /// Architecture (table 7.3.1).
    pub model: ModelConfig,
    /// Supervised phase (table 7.3.2).
    pub supervised: SupervisedConfig,
    /// Self-supervised phase (table 7.3.2), used by the SSL methodologies.
    pub ssl: SslConfig,
    /// Released-code mode (see [`super::fidelity`]): `thesis-text` (default, not written to
    /// configs), `released-code`, or single switches.
    #[serde(
        skip_serializing_if = "Fidelity::is_thesis_text",
        deserialize_with = "super::fidelity::preset_or_switches"
    )]
    pub fidelity: Fidelity,
}

impl RunConfig {
    /// Parses a TOML config; missing fields take the thesis defaults, unknown fields are errors.
    pub fn from_toml(text: &str) -> Result<RunConfig, toml::de::Error> {
        toml::from_str(text)
    }

    /// Checks every numeric field against its allowed range, naming the key, before any work
    /// starts: learning rates positive and finite, sizes and epochs at least 1 (an SSL batch at
    /// least 2: the loss needs batch statistics), `lr_factor` and `labeled_fraction` in (0, 1],
    /// λ ≥ 0, `eps` > 0, the generative objective's decoder set only under that objective, and
    /// the model, augmentation and synthetic-data settings.
    pub fn validate(&self) -> Result<()> {
        let invalid = |message: String| Err(TrainError::Config(message));
        let positive = [
            ("supervised.lr", self.supervised.lr),
            ("ssl.lr", self.ssl.lr),
            ("ssl.loss.eps", self.ssl.loss.eps),
            (
                "ssl.contrastive.temperature",
                self.ssl.contrastive.temperature,
            ),
            ("ssl.swav.temperature", self.ssl.swav.temperature),
            ("ssl.swav.epsilon", self.ssl.swav.epsilon),
        ];
        for (key, v) in positive {
            if !(v > 0.0 && v.is_finite()) {
                return invalid(format!("{key} must be a positive finite number, got {v}"));
            }
        }
        for (key, v) in [
            ("supervised.lr_factor", self.supervised.lr_factor),
            (
                "supervised.labeled_fraction",
                self.supervised.labeled_fraction,
            ),
        ] {
            if !(v > 0.0 && v <= 1.0) {
                return invalid(format!("{key} must be in (0, 1], got {v}"));
            }
        }
        for (key, v) in [
            ("supervised.weight_decay", self.supervised.weight_decay),
            ("ssl.weight_decay", self.ssl.weight_decay),
        ] {
            if !(v >= 0.0 && v.is_finite()) {
                return invalid(format!("{key} must be a finite number ≥ 0, got {v}"));
            }
        }
        if !(self.ssl.loss.lambda >= 0.0 && self.ssl.loss.lambda.is_finite()) {
            return invalid(format!(
                "ssl.loss.lambda must be a finite number ≥ 0, got {}",
                self.ssl.loss.lambda
            ));
        }
        for (key, v, min) in [
            ("supervised.batch_size", self.supervised.batch_size, 1),
            ("supervised.max_epochs", self.supervised.max_epochs, 1),
            ("supervised.patience", self.supervised.patience, 1),
            (
                "supervised.plateau_patience",
                self.supervised.plateau_patience,
                1,
            ),
            (
                "supervised.head_max_epochs",
                self.supervised.head_max_epochs,
                1,
            ),
            ("ssl.batch_size", self.ssl.batch_size, 2),
            ("ssl.epochs", self.ssl.epochs, 1),
            ("ssl.swav.prototypes", self.ssl.swav.prototypes, 1),
            (
                "ssl.swav.sinkhorn_iterations",
                self.ssl.swav.sinkhorn_iterations,
                1,
            ),
        ] {
            if v < min {
                return invalid(format!("{key} must be at least {min}, got {v}"));
            }
        }
        if !self.ssl.generative.is_default() && self.ssl.objective != Objective::Generative {
            return invalid(format!(
                "ssl.generative.decoder_hidden is a setting of ssl.objective = \"generative\", \
                 not of \"{}\": remove it or choose that objective",
                self.ssl.objective.id()
            ));
        }
        self.validate_schedules()?;
        self.model.validate()?;
        self.ssl
            .augment
            .build()
            .map_err(|e| TrainError::Config(format!("ssl.augment: {e}")))?;
        if self.data.path.is_none() {
            self.data.synthetic.validate().map_err(TrainError::Config)?;
        }
        Ok(())
    }

    /// Checks both phases' learning-rate schedules (the supervised one over the longer of the
    /// full training and the linear head's epochs, since it sets both), and that pre-training
    /// has one rule for its rate: a schedule or the released code's plateau, not both.
    fn validate_schedules(&self) -> Result<()> {
        let sup = &self.supervised;
        for epochs in [sup.max_epochs, sup.head_max_epochs] {
            sup.schedule
                .validate("supervised.schedule", sup.lr, epochs)
                .map_err(TrainError::Config)?;
        }
        self.ssl
            .schedule
            .validate("ssl.schedule", self.ssl.lr, self.ssl.epochs)
            .map_err(TrainError::Config)?;
        if !self.ssl.schedule.is_thesis() && self.fidelity.ssl_plateau_on_augmented_validation {
            return Err(TrainError::Config(format!(
                "ssl.schedule.kind = \"{}\" and fidelity.ssl_plateau_on_augmented_validation both set \
                 the pre-training rate: choose one",
                self.ssl.schedule.kind.name()
            )));
        }
        Ok(())
    }

    /// A lower bound of the bytes a run allocates: the synthetic data's f32 features (every
    /// split; 0 for imported data, whose size is known on loading) and four copies of the LSTM
    /// weights (weights, gradients, Adam's two moments). Rough by design: it exists to refuse
    /// sizes that cannot fit before anything is allocated.
    pub fn memory_estimate(&self) -> f64 {
        let m = &self.model;
        let lstm = |input: usize, hidden: usize| 4.0 * hidden as f64 * (input + hidden + 2) as f64;
        let weights: f64 = m.input_dims.iter().map(|&d| lstm(d, m.hidden)).sum::<f64>()
            + lstm(m.fusion_input_dim(), m.fusion_hidden);
        let data = if self.data.path.is_none() {
            let s = &self.data.synthetic;
            let samples: usize = s.split_sizes().iter().sum();
            samples as f64 * s.steps as f64 * s.dims.iter().sum::<usize>() as f64
        } else {
            0.0
        };
        4.0 * (data + 4.0 * weights)
    }

    /// Refuses a run whose [`RunConfig::memory_estimate`] exceeds the memory the system reports
    /// available (`MemAvailable` of `/proc/meminfo`; no check where that cannot be read).
    pub fn check_memory(&self) -> Result<()> {
        let available = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|text| {
                let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
                let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
                Some(kib * 1024.0)
            });
        let need = self.memory_estimate();
        match available {
            Some(have) if need > have => Err(TrainError::Config(format!(
                "this run needs at least {:.1} GiB (data.synthetic.scale {}, model.hidden {}, \
                 model.fusion_hidden {}) but only {:.1} GiB of memory is available: lower them",
                need / GIB,
                self.data.synthetic.scale,
                self.model.hidden,
                self.model.fusion_hidden,
                have / GIB
            ))),
            _ => Ok(()),
        }
    }

    /// The config as TOML, as stored beside checkpoints.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("a RunConfig always serialises")
    }
}

/// A seeded model (with a projector when the methodology pre-trains) and its variables.
pub fn build_model(cfg: &RunConfig, device: &Device) -> Result<(Model, VarMap)> {
    let varmap = VarMap::new();
    let model = Model::seeded(
        &varmap,
        &cfg.effective_model(),
        cfg.methodology.pretrains(),
        cfg.seed,
        DType::F32,
        device,
    )?;
    Ok((model, varmap))
}
