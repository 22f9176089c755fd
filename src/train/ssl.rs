//! Self-supervised pre-training (thesis 6.2, 7.3): two augmented views of each batch through
//! the encoder and projector, the Barlow Twins loss on their embeddings, Adam, fixed epochs.

use super::config::SslConfig;
use super::progress::Progress;
use super::supervised::adam;
use crate::data::{HostBatch, Split};
use crate::loss::{barlow_twins_loss, BarlowTwinsConfig};
use crate::model::{vars_with_prefix, Model, ENCODER_PREFIX, PROJECTOR_PREFIX};
use crate::rng::{derive_seed, rng_for};
use anyhow::{ensure, Result};
use candle_core::Device;
use candle_nn::{AdamW, Optimizer, VarMap};
use serde::{Deserialize, Serialize};

/// One pre-training epoch: the mean Barlow Twins loss.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SslEpochLog {
    /// Epoch number, from 0.
    pub epoch: usize,
    /// Mean Barlow Twins loss over the epoch's batches.
    pub loss: f64,
}

/// One Barlow Twins step (thesis 6.2, eq. 6.3.1) on two augmented views of a batch: both through
/// encoder and projector, loss on the embeddings, one optimiser step. Returns the loss.
pub fn ssl_step(
    model: &Model,
    opt: &mut AdamW,
    (view_a, view_b): (HostBatch, HostBatch),
    loss: &BarlowTwinsConfig,
    device: &Device,
) -> Result<f64> {
    let z_a = model.embed_t(&view_a.to_device(device)?, true)?;
    let z_b = model.embed_t(&view_b.to_device(device)?, true)?;
    let loss = barlow_twins_loss(&z_a, &z_b, loss)?;
    opt.backward_step(&loss)?;
    Ok(f64::from(loss.to_scalar::<f32>()?))
}

/// Pre-trains the encoder and projector of `model` on `train` (labels unused). Batches are full
/// (`drop_last`): the loss and BatchNorm need batch statistics; a split smaller than the batch
/// size is used as one batch.
pub fn pretrain(
    model: &Model,
    varmap: &VarMap,
    train: &Split,
    cfg: &SslConfig,
    seed: u64,
    device: &Device,
    progress: &Progress,
) -> Result<Vec<SslEpochLog>> {
    ensure!(
        train.len() >= 2,
        "SSL pre-training needs at least 2 training samples, got {}",
        train.len()
    );
    let transformator = cfg.augment.build()?;
    let mut trainable = vars_with_prefix(varmap, ENCODER_PREFIX);
    trainable.extend(vars_with_prefix(varmap, PROJECTOR_PREFIX));
    let mut opt = adam(trainable, cfg.lr)?;
    let batch_size = cfg.batch_size.min(train.len());
    let mut log = Vec::new();
    for epoch in 0..cfg.epochs {
        model
            .encoder
            .reseed_dropout(derive_seed(seed, &[0x55D0, epoch as u64]))?;
        let mut augment_rng = rng_for(seed, &[0xA6, epoch as u64]);
        let batches = train.batches(
            batch_size,
            Some(derive_seed(seed, &[0x55F, epoch as u64])),
            true,
        )?;
        let bar = progress.epoch_bar("pretrain", epoch, cfg.epochs, batches.num_batches());
        let (mut sum, mut count) = (0.0, 0usize);
        for host in batches {
            let views = transformator.views(&host, &mut augment_rng);
            let loss = ssl_step(model, &mut opt, views, &cfg.loss, device)?;
            sum += loss;
            count += 1;
            bar.step(loss);
        }
        bar.finish();
        let entry = SslEpochLog {
            epoch,
            loss: sum / count.max(1) as f64,
        };
        progress.log(format_args!(
            "pretrain epoch {:>3}  Barlow Twins loss {:.4}",
            entry.epoch, entry.loss
        ));
        log.push(entry);
    }
    Ok(log)
}
