//! Self-supervised pre-training (thesis 6.2, 7.3): two augmented views of each batch through
//! the encoder and projector, the Barlow Twins loss (or another [`Objective`], with the
//! variables it adds: [`objective_vars`]) on their encodings, Adam, fixed epochs.

use super::config::RunConfig;
use super::error::{Result, TrainError};
use super::fidelity::RELEASED_SSL_LR;
use super::linear_probe::ProbeScore;
use super::optim::{adam, Adam};
use super::progress::Progress;
use super::resume::{self, EpochState};
use super::schedule::{ReduceLrOnPlateau, Snapshot};
use crate::augment::Transformator;
use crate::data::{HostBatch, Split};
use crate::loss::{
    barlow_twins_loss_from_c, barlow_twins_terms, cross_correlation,
    cross_correlation_unnormalised, multimodal_nt_xent_loss, nt_xent_loss, reconstruction_loss,
    swav_loss, BarlowTwinsTerms, Objective,
};
use crate::model::{
    named_vars_with_prefix, seeded_var_builder, Decoder, Encoding, ModalityProjections, Model,
    ENCODER_PREFIX, PROJECTOR_PREFIX,
};
use crate::rng::{derive_seed, rng_for};
use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{Init, Optimizer, VarMap};
use serde::{Deserialize, Serialize};

/// Purpose tags of the pre-training's per-epoch streams (dropout, augmentation, batch order).
const DROPOUT_TAG: u64 = 0x55D0;
const AUGMENT_TAG: u64 = 0xA6;
const SHUFFLE_TAG: u64 = 0x55F;
const VALID_AUGMENT_TAG: u64 = 0xA7;
/// The pre-training's name in the live folder (its CSV file and saved state).
const PHASE: &str = "pretrain";

/// One pre-training epoch: the mean loss and the diagnostics that show whether the phase learned
/// anything (means over the epoch's batches, displacement at the epoch's end). The diagnostics
/// of `C` (eq. 6.3.2) are logged under every objective: they measure the views' invariance and
/// the embedding's redundancy whichever loss was minimised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SslEpochLog {
    /// Epoch number, from 0.
    pub epoch: usize,
    /// Mean loss of the objective over the epoch's batches (Barlow Twins: = on_diagonal +
    /// off_diagonal).
    pub loss: f64,
    /// Mean invariance term of `C`, `Σ_i (1 − C_ii)²`.
    pub on_diagonal: f64,
    /// Mean weighted redundancy term of `C`, `λ Σ_{i≠j} C_ij²`.
    pub off_diagonal: f64,
    /// Mean of `C`'s diagonal (1 when the two views' embeddings agree perfectly).
    pub mean_diagonal: f64,
    /// Per-dimension std of the projector embeddings over the batch, averaged over dimensions
    /// (collapse shows as ≈ 0).
    pub embedding_std_mean: f64,
    /// The smallest per-dimension std (a dead dimension shows as ≈ 0).
    pub embedding_std_min: f64,
    /// ‖W − W₀‖ / ‖W₀‖ over every encoder parameter at the epoch's end (W₀: before pre-training).
    pub displacement: f64,
    /// Under `fidelity.ssl_plateau_on_augmented_validation`: the mean loss of augmented
    /// validation views at the epoch's end (model in evaluation mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_loss: Option<f64>,
    /// Under the same switch: the learning rate the epoch trained at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lr: Option<f64>,
}

/// The diagnostics of one pre-training step.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SslStepStats {
    /// The objective's loss (Barlow Twins: eq. 6.3.1).
    pub loss: f64,
    /// The two terms of eq. 6.3.1 on `C` and `C`'s mean diagonal.
    pub terms: BarlowTwinsTerms,
    /// Mean and minimum per-dimension std of view A's embeddings over the batch.
    pub embedding_std: (f64, f64),
}

/// The label-evaluated linear probe ([`super::linear_probe::probe`]) of the same seed's encoder
/// before and after pre-training.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProbeReport {
    /// The random encoder (the initial weights W₀).
    pub random: ProbeScore,
    /// The pre-trained encoder.
    pub pretrained: ProbeScore,
}

/// What a pre-training produced: its per-epoch log, the probe of the encoder before
/// and after, and its wall time. Stored as `pretrain.json` (by `mmssl pretrain` and the
/// reproduction's pre-training cache alike), in `metrics.json` and in the results store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pretrained {
    /// Per-epoch loss and diagnostics.
    pub epochs: Vec<SslEpochLog>,
    /// The linear probe before and after (absent where a caller skipped it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<ProbeReport>,
    /// Wall-clock seconds of the pre-training (probes included). Not serialised here, so that
    /// `metrics.json` and the results store stay bit-identical across reruns; the timing blocks
    /// ([`super::Timing`], [`super::PretrainRecord::seconds`]) carry it.
    #[serde(skip)]
    pub seconds: f64,
}

/// Mean and minimum over dimensions of the per-dimension std over the batch of `z` `[batch, dim]`.
fn embedding_std(z: &Tensor) -> Result<(f64, f64)> {
    let z = z.to_dtype(DType::F64)?.to_vec2::<f64>()?;
    let (n, d) = (z.len(), z.first().map_or(0, Vec::len));
    if n < 2 || d == 0 {
        return Ok((0.0, 0.0));
    }
    let mut stds = Vec::with_capacity(d);
    for j in 0..d {
        let mean = z.iter().map(|r| r[j]).sum::<f64>() / n as f64;
        let var = z.iter().map(|r| (r[j] - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
        stds.push(var.sqrt());
    }
    let mean = stds.iter().sum::<f64>() / d as f64;
    Ok((mean, stds.iter().copied().fold(f64::INFINITY, f64::min)))
}

/// One pre-training step (thesis 6.2) on two augmented views of a batch: both through encoder
/// and projector, the objective's loss on their encodings ([`objective_loss`]; `clean` is the
/// un-augmented batch the views came from, which the generative objective reconstructs), one
/// optimiser step. Returns the loss and its diagnostics (computed from the same forward pass).
/// `vars`: the objective's own variables ([`objective_vars`]).
pub fn ssl_step(
    model: &Model,
    opt: &mut Adam,
    (view_a, view_b): (HostBatch, HostBatch),
    clean: &HostBatch,
    run: &RunConfig,
    vars: &ObjectiveVars,
    device: &Device,
) -> Result<SslStepStats> {
    let a = model.embed_encoding_t(&view_a.to_device(device)?, true)?;
    let b = model.embed_encoding_t(&view_b.to_device(device)?, true)?;
    let (value, c) = objective_loss(run, (&a, &b), clean, vars, device)?;
    opt.backward_step(&value)?;
    Ok(SslStepStats {
        loss: f64::from(value.to_scalar::<f32>()?),
        terms: barlow_twins_terms(&c.detach(), run.ssl.loss.lambda)?,
        embedding_std: embedding_std(&a.embedding.detach())?,
    })
}

/// The loss of `run.ssl.objective` on two views' encodings, and the cross-correlation `C` of
/// their projector embeddings (the diagnostics' matrix; Barlow Twins' loss is computed from it,
/// the other objectives' is not, so for those it is computed from detached embeddings). Under
/// `fidelity.unnormalised_cross_correlation` `C` is the released code's
/// ([`cross_correlation_unnormalised`]). `clean`: the un-augmented batch, moved to `device` only
/// for the generative objective, whose target it is.
pub fn objective_loss(
    run: &RunConfig,
    (a, b): (&Encoding, &Encoding),
    clean: &HostBatch,
    vars: &ObjectiveVars,
    device: &Device,
) -> Result<(Tensor, Tensor)> {
    let ssl = &run.ssl;
    let (z_a, z_b) = (&a.embedding, &b.embedding);
    if ssl.objective.is_barlow_twins() {
        let c = cross_correlation_of(run, z_a, z_b)?;
        return Ok((barlow_twins_loss_from_c(&c, ssl.loss.lambda)?, c));
    }
    let c = cross_correlation_of(run, &z_a.detach(), &z_b.detach())?;
    let loss = match (ssl.objective, vars) {
        (Objective::InstanceContrastive, _) => nt_xent_loss(z_a, z_b, ssl.contrastive.temperature)?,
        (Objective::Swav, ObjectiveVars::Prototypes(prototypes)) => {
            swav_loss(z_a, z_b, prototypes, &ssl.swav)?
        }
        (Objective::Generative, ObjectiveVars::Decoder(decoder)) => {
            let clean = clean.to_device(device)?;
            let steps = clean.mask.dim(1)?;
            mean_over_views((a, b), |e| {
                let reconstructed = decoder.forward(&e.fused, steps)?;
                reconstruction_loss(&reconstructed, &clean.modalities, &clean.mask)
            })?
        }
        (Objective::MultimodalContrastive, ObjectiveVars::ModalityProjections(projections)) => {
            mean_over_views((a, b), |e| {
                let projected = projections.forward(&e.modalities)?;
                multimodal_nt_xent_loss(&projected, ssl.contrastive.temperature)
            })?
        }
        (objective, _) => {
            return Err(TrainError::State(format!(
                "the {} objective needs its variables (objective_vars)",
                objective.label()
            )))
        }
    };
    Ok((loss, c))
}

/// The mean over the two views of a loss computed on each view's encoding alone (the
/// generative objective's reconstruction, the multimodal-contrastive objective's InfoNCE
/// between the modalities of one view).
fn mean_over_views(
    (a, b): (&Encoding, &Encoding),
    loss: impl Fn(&Encoding) -> candle_core::Result<Tensor>,
) -> candle_core::Result<Tensor> {
    (loss(a)? + loss(b)?)? / 2.0
}

/// The variables an objective adds to the encoder and projector ([`objective_vars`]).
#[derive(Debug, Clone)]
pub enum ObjectiveVars {
    /// Barlow Twins and InfoNCE add none.
    None,
    /// SwAV's prototypes `[K, embedding dim]`, the variable [`SWAV_PROTOTYPES`].
    Prototypes(Tensor),
    /// The generative objective's decoder, its variables under [`DECODER_PREFIX`].
    Decoder(Decoder),
    /// The multimodal-contrastive objective's projections, under [`MODALITY_PROJECTION_PREFIX`].
    ModalityProjections(ModalityProjections),
}

/// The variables of `run.ssl.objective` beyond E and g, created in `varmap` under the
/// projector's prefix, so they train, save and resume with the projector and fine-tuning leaves
/// them behind like the projector; seeded like every other variable ([`seeded_var_builder`]).
/// SwAV: its prototypes `projector.prototypes.weight` `[K, dim]`, with `nn.Linear`'s
/// `U(±1/√dim)` initialisation as SwAV's prototype layer. Generative: the [`Decoder`] of
/// `ssl.generative.decoder_hidden` under `projector.decoder.`. Multimodal-contrastive: the
/// [`ModalityProjections`] under `projector.modality.<name>.`.
pub fn objective_vars(varmap: &VarMap, run: &RunConfig, device: &Device) -> Result<ObjectiveVars> {
    let vb = seeded_var_builder(varmap, run.seed, DType::F32, device).pp("projector");
    let model = run.effective_model();
    match run.ssl.objective {
        Objective::BarlowTwins | Objective::InstanceContrastive => Ok(ObjectiveVars::None),
        Objective::Swav => {
            let dim = *model.projector.last().ok_or_else(|| {
                TrainError::Config("model.projector must have at least one layer".into())
            })?;
            let bound = 1.0 / (dim as f64).sqrt();
            let prototypes = vb.pp("prototypes").get_with_hints(
                (run.ssl.swav.prototypes, dim),
                "weight",
                Init::Uniform {
                    lo: -bound,
                    up: bound,
                },
            )?;
            Ok(ObjectiveVars::Prototypes(prototypes))
        }
        Objective::Generative => Ok(ObjectiveVars::Decoder(Decoder::new(
            &model,
            run.ssl.generative.decoder_hidden,
            vb.pp("decoder"),
        )?)),
        Objective::MultimodalContrastive => Ok(ObjectiveVars::ModalityProjections(
            ModalityProjections::new(&model, vb.pp("modality"))?,
        )),
    }
}

/// The variable name of SwAV's prototypes ([`objective_vars`]).
pub const SWAV_PROTOTYPES: &str = "projector.prototypes.weight";

/// The variable-name prefix of the generative objective's decoder ([`objective_vars`]).
pub const DECODER_PREFIX: &str = "projector.decoder.";

/// The variable-name prefix of the multimodal-contrastive objective's projections
/// ([`objective_vars`]), followed by the modality's name.
pub const MODALITY_PROJECTION_PREFIX: &str = "projector.modality.";

/// The cross-correlation `C` of two views' embeddings: eq. 6.3.2's, or the released code's
/// ([`cross_correlation_unnormalised`]) under `fidelity.unnormalised_cross_correlation`.
fn cross_correlation_of(run: &RunConfig, z_a: &Tensor, z_b: &Tensor) -> Result<Tensor> {
    Ok(if run.fidelity.unnormalised_cross_correlation {
        cross_correlation_unnormalised(z_a, z_b)?
    } else {
        cross_correlation(z_a, z_b, run.ssl.loss.eps)?
    })
}

/// ‖W − W₀‖ / ‖W₀‖ over the variables `now` (current) and their initial copies in `start`.
fn relative_displacement(now: &[(String, Var)], start: &Snapshot) -> Result<f64> {
    let (mut diff, mut base) = (0.0, 0.0);
    for (name, v) in now {
        let w0 = start
            .get(name)
            .ok_or_else(|| TrainError::State(format!("no initial value of {name}")))?;
        diff += f64::from((v.as_tensor() - w0)?.sqr()?.sum_all()?.to_scalar::<f32>()?);
        base += f64::from(w0.sqr()?.sum_all()?.to_scalar::<f32>()?);
    }
    Ok(if base > 0.0 {
        (diff / base).sqrt()
    } else {
        0.0
    })
}

/// Pre-trains the encoder and projector of `model` on `train` (labels unused). Batches are full
/// (`drop_last`): the loss and BatchNorm need batch statistics; a split smaller than the batch
/// size is used as one batch. Adam runs at `run.ssl.lr`, or at [`RELEASED_SSL_LR`] under
/// `fidelity.ssl_lr_from_general_optimiser`, for a fixed number of epochs; under
/// `fidelity.ssl_plateau_on_augmented_validation` the rate follows [`ReduceLrOnPlateau`] on the
/// loss of augmented `valid` views (`augmented_valid_loss`). Returns the per-epoch log with
/// its diagnostics. With a live folder in `progress`, the state after every epoch is saved, and a
/// saved state there is resumed from (`train::resume`).
pub fn pretrain(
    model: &Model,
    varmap: &VarMap,
    train: &Split,
    valid: &Split,
    run: &RunConfig,
    device: &Device,
    progress: &Progress,
) -> Result<Vec<SslEpochLog>> {
    let (cfg, seed) = (&run.ssl, run.seed);
    let lr = if run.fidelity.ssl_lr_from_general_optimiser {
        RELEASED_SSL_LR
    } else {
        cfg.lr
    };
    if train.len() < 2 {
        return Err(TrainError::Config(format!(
            "SSL pre-training needs at least 2 training samples, got {}",
            train.len()
        )));
    }
    let mut transformator = cfg.augment.build()?;
    if run.fidelity.one_augmentation_coin {
        transformator = transformator.one_coin_for_all();
    }
    if run.fidelity.seqaug_text_only_batch_length {
        transformator = transformator.seqaug_as_released();
    }
    let vars = objective_vars(varmap, run, device)?;
    let encoder = named_vars_with_prefix(varmap, ENCODER_PREFIX);
    let mut start = Snapshot::take(varmap)?;
    let mut trainable = encoder.clone();
    trainable.extend(named_vars_with_prefix(varmap, PROJECTOR_PREFIX));
    let mut opt = adam(trainable, lr, cfg.weight_decay)?;
    let batch_size = cfg.batch_size.min(train.len());
    let mut plateau =
        (run.fidelity.ssl_plateau_on_augmented_validation).then(ReduceLrOnPlateau::released_ssl);
    let mut log = Vec::new();
    let mut epochs = 0..cfg.epochs;
    if let Some((state, kept)) = resume::restore(progress, PHASE, (varmap, &mut opt))? {
        let state: EpochState<SslEpochLog, Option<ReduceLrOnPlateau>> = state;
        epochs = state.next_epoch..cfg.epochs;
        (log, plateau, start) = (state.log, state.control, kept);
    }
    progress.restart_epochs(PHASE, &log);
    for epoch in epochs {
        if let Some(scheduled) = cfg.schedule.rate(lr, epoch, cfg.epochs) {
            opt.set_learning_rate(scheduled);
        }
        model
            .encoder
            .reseed_dropout(derive_seed(seed, &[DROPOUT_TAG, epoch as u64]))?;
        let mut augment_rng = rng_for(seed, &[AUGMENT_TAG, epoch as u64]);
        let batches = train.batches(
            batch_size,
            Some(derive_seed(seed, &[SHUFFLE_TAG, epoch as u64])),
            true,
        )?;
        let bar = progress.epoch_bar("pretrain", epoch, cfg.epochs, batches.num_batches());
        let mut steps: Vec<SslStepStats> = Vec::new();
        for host in batches {
            let views = transformator.views(&host, &mut augment_rng);
            let stats = ssl_step(model, &mut opt, views, &host, run, &vars, device)?;
            if !stats.loss.is_finite() {
                return Err(TrainError::Training(format!(
                    "pre-training epoch {epoch}, batch {}: the {} loss is {} (lower ssl.lr?)",
                    steps.len(),
                    cfg.objective.label(),
                    stats.loss
                )));
            }
            bar.step(stats.loss);
            steps.push(stats);
        }
        bar.finish();
        let mean = |f: &dyn Fn(&SslStepStats) -> f64| {
            steps.iter().map(f).sum::<f64>() / steps.len().max(1) as f64
        };
        let entry = SslEpochLog {
            epoch,
            loss: mean(&|s| s.loss),
            on_diagonal: mean(&|s| s.terms.on_diagonal),
            off_diagonal: mean(&|s| s.terms.off_diagonal),
            mean_diagonal: mean(&|s| s.terms.mean_diagonal),
            embedding_std_mean: mean(&|s| s.embedding_std.0),
            embedding_std_min: mean(&|s| s.embedding_std.1),
            displacement: relative_displacement(&encoder, &start)?,
            valid_loss: None,
            lr: None,
        };
        let entry = match plateau.as_mut() {
            None => entry,
            Some(schedule) => {
                let trained_at = opt.learning_rate();
                let valid_loss = augmented_valid_loss(
                    model,
                    (&transformator, &vars),
                    valid,
                    run,
                    epoch,
                    device,
                )?;
                opt.set_learning_rate(schedule.step(valid_loss, trained_at));
                SslEpochLog {
                    valid_loss: Some(valid_loss),
                    lr: Some(trained_at),
                    ..entry
                }
            }
        };
        progress.log(format_args!(
            "pretrain epoch {:>3}  {} loss {:.4} ({}on-diagonal {:.4} + off-diagonal {:.4})  mean diag C {:.4}  emb std {:.4} (min {:.4})  encoder moved {:.2e}",
            entry.epoch,
            cfg.objective.label(),
            entry.loss,
            if cfg.objective.is_barlow_twins() { "" } else { "C's terms: " },
            entry.on_diagonal,
            entry.off_diagonal,
            entry.mean_diagonal,
            entry.embedding_std_mean,
            entry.embedding_std_min,
            entry.displacement
        ));
        progress.epoch(PHASE, &entry);
        log.push(entry);
        let state = EpochState {
            next_epoch: epoch + 1,
            finished: epoch + 1 == cfg.epochs,
            log: log.clone(),
            adam_steps: opt.steps(),
            lr: opt.learning_rate(),
            control: plateau.clone(),
        };
        resume::save(progress, PHASE, &state, (varmap, &opt), &start)?;
    }
    Ok(log)
}

/// The mean loss ([`objective_loss`]) of augmented views of `valid` (batches of `ssl.batch_size` in
/// storage order, the last one kept if it has at least 2 samples), with the model in evaluation
/// mode and no optimiser step: the released code's SSL validation loss (`docs/fidelity.md` §4
/// item 9: `Transformator` is not a module, so `eval()` leaves the augmentations on). Its own
/// augmentation stream per epoch, so training draws the same as without it. One residual
/// difference: the released loss's affine-free BatchNorm uses its running statistics in
/// evaluation mode; here the loss normalises with the batch's.
pub fn augmented_valid_loss(
    model: &Model,
    (transformator, vars): (&Transformator, &ObjectiveVars),
    valid: &Split,
    run: &RunConfig,
    epoch: usize,
    device: &Device,
) -> Result<f64> {
    let mut rng = rng_for(run.seed, &[VALID_AUGMENT_TAG, epoch as u64]);
    let (mut total, mut batches) = (0.0, 0);
    for host in valid.batches(run.ssl.batch_size.max(2), None, false)? {
        if host.lengths.len() < 2 {
            continue;
        }
        let (a, b) = transformator.views(&host, &mut rng);
        let enc_a = model.embed_encoding_t(&a.to_device(device)?, false)?;
        let enc_b = model.embed_encoding_t(&b.to_device(device)?, false)?;
        let (loss, _) = objective_loss(run, (&enc_a, &enc_b), &host, vars, device)?;
        total += f64::from(loss.to_scalar::<f32>()?);
        batches += 1;
    }
    if batches == 0 {
        return Err(TrainError::Config(format!(
            "the SSL validation loss needs a validation split of at least 2 samples, got {}",
            valid.len()
        )));
    }
    Ok(total / batches as f64)
}
