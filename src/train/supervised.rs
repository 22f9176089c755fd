//! The supervised phase (thesis 7.1, 7.3): L1 loss, Adam, learning rate halved on a valid-loss
//! plateau, early stopping with the best epoch's weights restored. With `linear`, only the
//! regression head trains: the encoder's output is detached, so no gradient reaches it.

use super::config::RunConfig;
use super::error::{Result, TrainError};
use super::evaluate::predict;
use super::optim::{adam, Adam};
use super::progress::Progress;
use super::resume::{self, EpochState};
use super::schedule::{Snapshot, ValidTracker};
use crate::data::{Batch, Split};
use crate::loss::SupervisedLoss;
use crate::model::{named_vars_with_prefix, Model};
use crate::rng::derive_seed;
use candle_core::Device;
use candle_nn::{Module, Optimizer, VarMap};
use serde::{Deserialize, Serialize};

/// Purpose tag of the supervised phase's per-epoch batch order (shared with the linear heads).
pub(super) const SHUFFLE_TAG: u64 = 0x5F;
/// Purpose tag of the supervised phase's per-epoch dropout streams.
const DROPOUT_TAG: u64 = 0xD0;
/// The supervised phase's name in the live folder (its CSV file and saved state).
const PHASE: &str = "finetune";

/// One supervised epoch: mean training L1 loss, valid MAE and the learning rate used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochLog {
    /// Epoch number, from 0.
    pub epoch: usize,
    /// Mean L1 loss over the epoch's training batches.
    pub train_loss: f64,
    /// MAE on the validation split (the early-stopping criterion).
    pub valid_loss: f64,
    /// Learning rate during the epoch.
    pub lr: f64,
}

/// One optimiser step on `batch` with `loss` (the thesis's L1, 7.3, by default) through encoder
/// and head. Returns the batch loss.
pub fn supervised_step(
    model: &Model,
    opt: &mut Adam,
    batch: &Batch,
    loss: SupervisedLoss,
) -> Result<f64> {
    let fused = model.encoder.forward_t(batch, true)?;
    let loss = loss.of(&model.head.forward(&fused)?, &batch.labels)?;
    opt.backward_step(&loss)?;
    Ok(f64::from(loss.to_scalar::<f32>()?))
}

/// Trains every parameter of `model` on `train` with `run.supervised` (full supervised training
/// or fine-tuning; linear evaluation goes through [`super::linear_probe::train_head`]), selecting
/// the best epoch on `valid`; on return the variables in `varmap` hold that epoch's weights (the
/// last epoch's under `fidelity.last_epoch_evaluated`). Returns the per-epoch log and the epoch
/// whose weights were kept. With a live folder in `progress`, the state after every epoch is
/// saved, and a saved state there is resumed from (`train::resume`).
pub fn train_supervised(
    model: &Model,
    varmap: &VarMap,
    train: &Split,
    valid: &Split,
    run: &RunConfig,
    device: &Device,
    progress: &Progress,
) -> Result<(Vec<EpochLog>, usize)> {
    let (cfg, seed) = (&run.supervised, run.seed);
    let mut opt = adam(named_vars_with_prefix(varmap, ""), cfg.lr, cfg.weight_decay)?;
    let mut tracker = ValidTracker::new(cfg.patience, cfg.plateau_patience);
    let mut best = Snapshot::take(varmap)?;
    let mut log = Vec::new();
    let mut epochs = 0..cfg.max_epochs;
    if let Some((state, kept)) = resume::restore(progress, PHASE, (varmap, &mut opt))? {
        let state: EpochState<EpochLog, ValidTracker> = state;
        epochs = if state.finished {
            0..0
        } else {
            state.next_epoch..cfg.max_epochs
        };
        (log, tracker, best) = (state.log, state.control, kept);
    }
    progress.restart_epochs(PHASE, &log);
    let valid_labels: Vec<f64> = valid.labels.iter().map(|&y| f64::from(y)).collect();
    for epoch in epochs {
        let scheduled = cfg.schedule.rate(cfg.lr, epoch, cfg.max_epochs);
        if let Some(lr) = scheduled {
            opt.set_learning_rate(lr);
        }
        model
            .encoder
            .reseed_dropout(derive_seed(seed, &[DROPOUT_TAG, epoch as u64]))?;
        let batches = train.batches(
            cfg.batch_size,
            Some(derive_seed(seed, &[SHUFFLE_TAG, epoch as u64])),
            false,
        )?;
        let bar = progress.epoch_bar("train", epoch, cfg.max_epochs, batches.num_batches());
        let (mut loss_sum, mut seen) = (0.0, 0usize);
        for (b, host) in batches.enumerate() {
            let loss = supervised_step(model, &mut opt, &host.to_device(device)?, cfg.loss)?;
            if !loss.is_finite() {
                return Err(TrainError::Training(format!(
                    "supervised epoch {epoch}, batch {b}: the {} loss is {loss} (lower supervised.lr?)",
                    cfg.loss.label()
                )));
            }
            loss_sum += loss * host.len() as f64;
            seen += host.len();
            bar.step(loss);
        }
        bar.finish();
        let predictions = predict(model, valid, device)?;
        let valid_loss = crate::metrics::mae(&predictions, &valid_labels);
        let entry = EpochLog {
            epoch,
            train_loss: loss_sum / seen.max(1) as f64,
            valid_loss,
            lr: opt.learning_rate(),
        };
        progress.log(format_args!(
            "epoch {:>3}  train L1 {:.4}  valid MAE {:.4}  lr {:.2e}",
            entry.epoch, entry.train_loss, entry.valid_loss, entry.lr
        ));
        progress.epoch(PHASE, &entry);
        log.push(entry);
        let decision = tracker.observe(epoch, valid_loss);
        if decision.improved {
            best = Snapshot::take(varmap)?;
        }
        if decision.reduce_lr && scheduled.is_none() {
            opt.set_learning_rate(opt.learning_rate() * cfg.lr_factor);
        }
        let state = EpochState {
            next_epoch: epoch + 1,
            finished: decision.stop,
            log: log.clone(),
            adam_steps: opt.steps(),
            lr: opt.learning_rate(),
            control: tracker.clone(),
        };
        resume::save(progress, PHASE, &state, (varmap, &opt), &best)?;
        if decision.stop {
            progress.log(format_args!(
                "early stop: no valid improvement for {} epochs",
                cfg.patience
            ));
            break;
        }
    }
    let last = log.last().map_or(0, |e| e.epoch);
    let kept = kept_epoch(run, &best, &tracker, last, varmap)?;
    Ok((log, kept))
}

/// Restores the best valid epoch's weights `best` and returns that epoch — or, under
/// `fidelity.last_epoch_evaluated` (the released code evaluates its last checkpoint,
/// `docs/fidelity.md` §4 item 3), keeps the current weights, those of epoch `last`.
pub(super) fn kept_epoch(
    run: &RunConfig,
    best: &Snapshot,
    tracker: &ValidTracker,
    last: usize,
    varmap: &VarMap,
) -> Result<usize> {
    if run.fidelity.last_epoch_evaluated {
        return Ok(last);
    }
    best.restore(varmap)?;
    Ok(tracker.best().map_or(0, |(e, _)| e))
}
