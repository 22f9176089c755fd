//! One run of a thesis 7.1 methodology, end to end: data, seeded model, optional Barlow Twins
//! pre-training, supervised (or linear) training, and the metrics of the best epoch.

use super::config::{build_model, DataConfig, Methodology, RunConfig};
use super::error::{Result, TrainError};
use super::evaluate::run_metrics;
use super::fidelity::RELEASED_PROJECTOR_WIDTH;
use super::linear_probe::{encode_split, probe_encoder, train_head, ProbeScore};
use super::progress::Progress;
use super::ssl::{pretrain, Pretrained, ProbeReport};
use super::supervised::{train_supervised, EpochLog};
use crate::data::synthetic::generate;
use crate::data::{DataIdentity, Dataset, Layout, NonFinitePolicy};
use crate::metrics::Metrics;
use crate::model::{Fusion, Model, ModelConfig};
use candle_core::Device;
use candle_nn::VarMap;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// Wall-clock seconds per phase (the only part of a report that differs between reruns).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// Barlow Twins pre-training.
    pub pretrain_seconds: f64,
    /// Supervised training, evaluation included.
    pub finetune_seconds: f64,
}

/// Everything a run produced: its config and data identity, per-epoch logs, and the valid and
/// test metrics of the best epoch (thesis 7.3). Written as `metrics.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// The data the numbers came from.
    pub data: DataIdentity,
    /// The full configuration.
    pub config: RunConfig,
    /// Labeled training samples used (after the labeled fraction).
    pub labeled_samples: usize,
    /// The pre-training: per-epoch log and diagnostics, the linear probe before and after
    /// (absent for the supervised methodologies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pretrain: Option<Pretrained>,
    /// Supervised log.
    pub finetune: Vec<EpochLog>,
    /// The epoch whose weights were kept (lowest valid MAE).
    pub best_epoch: usize,
    /// Validation metrics of the best epoch.
    pub valid: Metrics,
    /// Test metrics of the best epoch.
    pub test: Metrics,
    /// Wall-clock time per phase.
    pub timing: Timing,
}

impl DataConfig {
    /// Generates the synthetic data, or loads the native directory `path` (its checksum verified,
    /// identity `synthetic: false` named after the release), then applies the non-finite policy
    /// (zero and count), if enabled train-only standardisation, and the padding layout.
    pub fn load(&self) -> Result<Dataset> {
        let mut data = match &self.path {
            Some(dir) => Dataset::load_native(dir).map_err(|error| TrainError::Import {
                dir: dir.clone(),
                error,
            })?,
            None => generate(&self.synthetic),
        };
        if self.standardize {
            data.prepare(NonFinitePolicy::Zero)?;
        } else {
            for split in [&mut data.train, &mut data.valid, &mut data.test] {
                split.sanitize(NonFinitePolicy::Zero)?;
            }
        }
        for split in [&mut data.train, &mut data.valid, &mut data.test] {
            split.apply_layout(self.layout);
        }
        Ok(data)
    }
}

impl RunConfig {
    /// The run's data: [`DataConfig::load`], without standardisation under
    /// `fidelity.no_input_standardisation` (the released code's inputs, `docs/fidelity.md` §4).
    pub fn load_data(&self) -> Result<Dataset> {
        self.effective_data().load()
    }

    /// The model settings a run builds: `model`, with the released code's 2044-wide first
    /// projector layer under `fidelity.projector_2044_first` and its fusion under
    /// `fidelity.bidirectional_fusion_attention_sum`.
    pub fn effective_model(&self) -> ModelConfig {
        let mut model = self.model.clone();
        if self.fidelity.projector_2044_first {
            model.projector.insert(0, RELEASED_PROJECTOR_WIDTH);
        }
        if self.fidelity.bidirectional_fusion_attention_sum {
            model.fusion = Fusion::BidirectionalAttentionSum;
        }
        model
    }

    /// The data settings [`RunConfig::load_data`] loads: without standardisation under
    /// `fidelity.no_input_standardisation`, front-padded and unmasked under
    /// `fidelity.front_padding_unmasked`.
    pub fn effective_data(&self) -> DataConfig {
        DataConfig {
            standardize: self.data.standardize && !self.fidelity.no_input_standardisation,
            layout: if self.fidelity.front_padding_unmasked {
                Layout::FrontPaddedUnmasked
            } else {
                self.data.layout
            },
            ..self.data.clone()
        }
    }
}

/// The model that fine-tuning (or linear evaluation) starts from: the pre-trained one, or under
/// `fidelity.no_weight_transfer` a fresh model of the same seed — the random encoder the
/// pre-training started from, as in the released code, whose weight loading loads nothing.
pub fn model_to_finetune(
    cfg: &RunConfig,
    pretrained: (Model, VarMap),
    device: &Device,
) -> Result<(Model, VarMap)> {
    if cfg.fidelity.no_weight_transfer && cfg.methodology.pretrains() {
        build_model(cfg, device)
    } else {
        Ok(pretrained)
    }
}

/// The random encoder's probe in the live folder.
const RANDOM_PROBE: &str = "probe-random";

/// Barlow Twins pre-training of `model` on all training data, unlabeled (thesis 7.1), with the
/// label-evaluated linear probe ([`probe_encoder`]) of the encoder before (the same seed's random
/// encoder) and after. Resumes from the live folder in `progress` when it holds a saved state.
pub fn pretrain_phase(
    model: &Model,
    varmap: &VarMap,
    cfg: &RunConfig,
    data: &Dataset,
    device: &Device,
    progress: &Progress,
) -> Result<Pretrained> {
    let start = Instant::now();
    // Saved at once: a resumed pre-training no longer has the random encoder to probe.
    let random = match progress.saved_state::<ProbeScore>(RANDOM_PROBE)? {
        Some(saved) => saved.state,
        None => {
            let random = probe_encoder(model, &data.train, &data.valid, device)?;
            progress.save_state(RANDOM_PROBE, &random, &[]);
            random
        }
    };
    let epochs = pretrain(
        model,
        varmap,
        &data.train,
        &data.valid,
        cfg,
        device,
        progress,
    )?;
    let pretrained = probe_encoder(model, &data.train, &data.valid, device)?;
    let corr = |p: &ProbeScore| p.valid_corr.map_or("-".into(), |c| format!("{c:.3}"));
    progress.log(format_args!(
        "linear probe (valid, closed-form least squares on the train labels): random encoder MAE {:.4} Corr {}; pre-trained MAE {:.4} Corr {}",
        random.valid_mae,
        corr(&random),
        pretrained.valid_mae,
        corr(&pretrained)
    ));
    Ok(Pretrained {
        epochs,
        probe: Some(ProbeReport { random, pretrained }),
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// Supervised training (full fine-tuning, or for the linear methodologies the head on cached
/// encoder outputs, see [`train_head`]) on the labeled fraction, then valid / test metrics.
pub fn finetune_phase(
    model: &Model,
    varmap: &VarMap,
    cfg: &RunConfig,
    data: &Dataset,
    pretrain: Option<Pretrained>,
    device: &Device,
    progress: &Progress,
) -> Result<RunReport> {
    let start = Instant::now();
    let labeled = data
        .train
        .labeled_fraction(cfg.supervised.labeled_fraction, cfg.seed)?;
    let (finetune, best_epoch) = if cfg.methodology.linear() {
        let train = encode_split(model, &labeled, device)?;
        let valid = encode_split(model, &data.valid, device)?;
        train_head(
            model,
            varmap,
            (&train, &labeled.labels),
            (&valid, &data.valid.labels),
            cfg,
            device,
            progress,
        )?
    } else {
        train_supervised(model, varmap, &labeled, &data.valid, cfg, device, progress)?
    };
    let valid = run_metrics(model, &data.valid, device, &cfg.fidelity)?;
    let test = run_metrics(model, &data.test, device, &cfg.fidelity)?;
    Ok(RunReport {
        data: data.identity.clone(),
        config: cfg.clone(),
        labeled_samples: labeled.len(),
        timing: Timing {
            pretrain_seconds: pretrain.as_ref().map_or(0.0, |p| p.seconds),
            finetune_seconds: start.elapsed().as_secs_f64(),
        },
        pretrain,
        finetune,
        best_epoch,
        valid,
        test,
    })
}

/// Runs `cfg.methodology` end to end on `data` and returns the trained model and its report.
pub fn run(
    cfg: &RunConfig,
    data: &Dataset,
    device: &Device,
    progress: &Progress,
) -> Result<(Model, VarMap, RunReport)> {
    if data.dims() != cfg.model.input_dims {
        return Err(TrainError::Config(format!(
            "data {} has feature dims {:?} but model.input_dims is {:?}",
            data.identity,
            data.dims(),
            cfg.model.input_dims
        )));
    }
    let (model, varmap) = build_model(cfg, device)?;
    let pretrained = if cfg.methodology.pretrains() {
        Some(pretrain_phase(
            &model, &varmap, cfg, data, device, progress,
        )?)
    } else {
        None
    };
    let (model, varmap) = model_to_finetune(cfg, (model, varmap), device)?;
    let report = finetune_phase(&model, &varmap, cfg, data, pretrained, device, progress)?;
    Ok((model, varmap, report))
}

impl Methodology {
    /// The methodology's one-line description, as in thesis 7.1.
    pub fn describe(self) -> &'static str {
        match self {
            Methodology::Supervised => "fully supervised: random init, train everything on labels",
            Methodology::SupervisedLinear => {
                "supervised linear evaluation: random frozen encoder, train the head"
            }
            Methodology::SslFinetune => {
                "SSL pre-training on unlabeled data, then fine-tune everything"
            }
            Methodology::SslLinear => {
                "SSL linear evaluation: pre-trained frozen encoder, train the head"
            }
        }
    }
}
