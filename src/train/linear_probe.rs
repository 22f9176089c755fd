//! Linear evaluation as SSL practice does it (thesis 7.1's "train only the head", done the way
//! Barlow Twins' own linear evaluation does): the frozen encoder runs **once per split in
//! evaluation mode** (dropout off), its fused vectors are cached on the host, and the regression
//! head starts from the closed-form least-squares fit of them and trains on the cached vectors
//! with the thesis's supervised schedule (table 7.3.2: Adam,
//! L1 loss, halving on a plateau, early stopping on valid MAE, best epoch restored) for up to
//! `supervised.head_max_epochs` epochs. A head epoch costs a few small matmuls, so heads train to
//! convergence even where a profile shortens full training.
//!
//! The thesis's released code instead kept the frozen encoder in training mode (with dropout 0 in
//! its last configuration) and recomputed it every step; see `docs/fidelity.md`, section 2.
//!
//! [`least_squares`] is the closed-form fit of the same features (ridge-regularised normal
//! equations in f64); [`probe`] scores it on valid, which is the label-evaluated probe of what a
//! pre-training learned (used for the pre-trained and the random encoder alike).

use super::config::RunConfig;
use super::error::{lock_vars, Result, TrainError};
use super::evaluate::EVAL_BATCH;
use super::optim::adam;
use super::progress::Progress;
use super::schedule::{Snapshot, ValidTracker};
use super::supervised::{kept_epoch, EpochLog, SHUFFLE_TAG};
use crate::data::{shuffled_order, Split};
use crate::metrics::{mae, pearson};
use crate::model::{named_vars_with_prefix, Model, HEAD_PREFIX};
use crate::rng::derive_seed;
use candle_core::{Device, Tensor};
use candle_nn::{Module, Optimizer, VarMap};
use serde::{Deserialize, Serialize};

/// The linear head's name in the live folder (its CSV file).
const LINEAR_PHASE: &str = "linear";

/// Cached encoder outputs of one split: `rows` fused vectors of `dim` values, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    /// Number of utterances.
    pub rows: usize,
    /// Size of a fused vector.
    pub dim: usize,
    /// `rows × dim` values, row-major, in the split's storage order.
    pub values: Vec<f32>,
}

impl Features {
    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.values[i * self.dim..(i + 1) * self.dim]
    }

    /// The rows `idx` as a `[idx.len(), dim]` tensor on `device`.
    fn gather(&self, idx: &[usize], device: &Device) -> Result<Tensor> {
        let mut v = Vec::with_capacity(idx.len() * self.dim);
        for &i in idx {
            v.extend_from_slice(self.row(i));
        }
        Ok(Tensor::from_vec(v, (idx.len(), self.dim), device)?)
    }
}

/// The fused vectors of every utterance of `split`, in evaluation mode (dropout off), in storage
/// order.
pub fn encode_split(model: &Model, split: &Split, device: &Device) -> Result<Features> {
    let mut values = Vec::new();
    let mut dim = 0;
    for batch in split.batches(EVAL_BATCH, None, false)? {
        let fused = model.encoder.forward_t(&batch.to_device(device)?, false)?;
        dim = fused.dim(1)?;
        values.extend(fused.flatten_all()?.to_vec1::<f32>()?);
    }
    Ok(Features {
        rows: split.len(),
        dim,
        values,
    })
}

/// The head's predictions on every row of `features`.
fn head_predictions(model: &Model, features: &Features, device: &Device) -> Result<Vec<f64>> {
    let mut out = Vec::with_capacity(features.rows);
    let all: Vec<usize> = (0..features.rows).collect();
    for chunk in all.chunks(EVAL_BATCH) {
        let pred = model.head.forward(&features.gather(chunk, device)?)?;
        out.extend(pred.to_vec1::<f32>()?.into_iter().map(f64::from));
    }
    Ok(out)
}

fn to_f64(v: &[f32]) -> Vec<f64> {
    v.iter().map(|&x| f64::from(x)).collect()
}

/// Trains only the head of `model` on cached `train` features and labels, selecting the best
/// epoch on `valid` (thesis 7.3's schedule, `cfg.head_max_epochs` epochs at most); on return the
/// head holds that epoch's weights. The head starts from the closed-form least-squares fit of the
/// same features ([`least_squares`], logged as epoch 0), so that the L1 training at the thesis's
/// small learning rate refines a fitted head instead of spending its steps walking the bias from
/// its random init (at 3e-4 per Adam step a bias moves ≈ 0.01 per epoch of 32-batches at scale
/// 0.1). Batches follow [`shuffled_order`] with the supervised phase's per-epoch seeds. Returns
/// the per-epoch log and the kept epoch (0: no epoch beat the closed-form start on valid; the
/// last one under `fidelity.last_epoch_evaluated`).
pub fn train_head(
    model: &Model,
    varmap: &VarMap,
    (train, train_labels): (&Features, &[f32]),
    (valid, valid_labels): (&Features, &[f32]),
    run: &RunConfig,
    device: &Device,
    progress: &Progress,
) -> Result<(Vec<EpochLog>, usize)> {
    let (cfg, seed) = (&run.supervised, run.seed);
    if train.rows != train_labels.len() || valid.rows != valid_labels.len() {
        return Err(TrainError::Training(
            "linear head: features and labels differ in length".to_owned(),
        ));
    }
    // Cheap on cached features, so a resumed run trains the head again from its start.
    progress.restart_epochs::<EpochLog>(LINEAR_PHASE, &[]);
    start_from_least_squares(varmap, (train, train_labels), device)?;
    let mut opt = adam(
        named_vars_with_prefix(varmap, HEAD_PREFIX),
        cfg.lr,
        cfg.weight_decay,
    )?;
    let mut tracker = ValidTracker::new(cfg.patience, cfg.plateau_patience);
    let valid_y = to_f64(valid_labels);
    // Epoch 0 is the closed-form start, so training can only keep or improve it on valid.
    let start_loss = mae(&head_predictions(model, valid, device)?, &valid_y);
    let train_y = to_f64(train_labels);
    let mut log = vec![EpochLog {
        epoch: 0,
        train_loss: mae(&head_predictions(model, train, device)?, &train_y),
        valid_loss: start_loss,
        lr: 0.0,
    }];
    tracker.observe(0, start_loss);
    let mut best = Snapshot::take(varmap)?;
    for epoch in 1..=cfg.head_max_epochs {
        let scheduled = cfg.schedule.rate(cfg.lr, epoch - 1, cfg.head_max_epochs);
        if let Some(lr) = scheduled {
            opt.set_learning_rate(lr);
        }
        let order = shuffled_order(train.rows, derive_seed(seed, &[SHUFFLE_TAG, epoch as u64]));
        let (mut loss_sum, mut seen) = (0.0, 0usize);
        for idx in order.chunks(cfg.batch_size) {
            let x = train.gather(idx, device)?;
            let y: Vec<f32> = idx.iter().map(|&i| train_labels[i]).collect();
            let y = Tensor::from_vec(y, idx.len(), device)?;
            let loss = cfg.loss.of(&model.head.forward(&x)?, &y)?;
            opt.backward_step(&loss)?;
            loss_sum += f64::from(loss.to_scalar::<f32>()?) * idx.len() as f64;
            seen += idx.len();
        }
        let valid_loss = mae(&head_predictions(model, valid, device)?, &valid_y);
        let entry = EpochLog {
            epoch,
            train_loss: loss_sum / seen.max(1) as f64,
            valid_loss,
            lr: opt.learning_rate(),
        };
        progress.epoch(LINEAR_PHASE, &entry);
        log.push(entry);
        let decision = tracker.observe(epoch, valid_loss);
        if decision.improved {
            best = Snapshot::take(varmap)?;
        }
        if decision.reduce_lr && scheduled.is_none() {
            opt.set_learning_rate(opt.learning_rate() * cfg.lr_factor);
        }
        if decision.stop {
            break;
        }
    }
    let last = log.last().map_or(0, |e| e.epoch);
    let kept = kept_epoch(run, &best, &tracker, last, varmap)?;
    if let Some(last) = log.last() {
        progress.log(format_args!(
            "linear head: {} epochs on cached features, kept epoch {kept}, valid MAE {:.4} at the end",
            log.len(),
            last.valid_loss
        ));
    }
    Ok((log, kept))
}

/// Writes the least-squares fit of `train` into the head's `weight` `[1, dim]` and `bias` `[1]`.
fn start_from_least_squares(
    varmap: &VarMap,
    train: (&Features, &[f32]),
    device: &Device,
) -> Result<()> {
    let (w, b) = least_squares(train, PROBE_RIDGE);
    let data = lock_vars(varmap)?;
    let dim = w.len();
    let head_var = |name: &str| {
        data.get(&format!("{HEAD_PREFIX}{name}"))
            .ok_or_else(|| TrainError::Training(format!("the model has no {HEAD_PREFIX}{name}")))
    };
    let (weight, bias) = (head_var("weight")?, head_var("bias")?);
    let dtype = weight.dtype();
    let w: Vec<f32> = w.iter().map(|&v| v as f32).collect();
    weight.set(&Tensor::from_vec(w, (1, dim), device)?.to_dtype(dtype)?)?;
    bias.set(&Tensor::from_vec(vec![b as f32], 1, device)?.to_dtype(dtype)?)?;
    Ok(())
}

/// The closed-form least-squares fit `y ≈ x·w + b` of cached features, with a ridge penalty
/// `ridge · ‖w‖²` (on the centred features, so the bias is not shrunk); solved in f64 by a
/// Cholesky factorisation of the normal equations. Returns `(w, b)`.
pub fn least_squares((x, y): (&Features, &[f32]), ridge: f64) -> (Vec<f64>, f64) {
    let (n, d) = (x.rows, x.dim);
    if n == 0 {
        return (vec![0.0; d], 0.0);
    }
    let mean_x: Vec<f64> = (0..d)
        .map(|j| (0..n).map(|i| f64::from(x.row(i)[j])).sum::<f64>() / n as f64)
        .collect();
    let mean_y = y.iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64;
    let mut a = vec![0.0; d * d];
    let mut rhs = vec![0.0; d];
    let mut centred = vec![0.0; d];
    for (i, &label) in y.iter().enumerate().take(n) {
        for (j, c) in centred.iter_mut().enumerate() {
            *c = f64::from(x.row(i)[j]) - mean_x[j];
        }
        let yi = f64::from(label) - mean_y;
        for j in 0..d {
            rhs[j] += centred[j] * yi;
            for k in 0..=j {
                a[j * d + k] += centred[j] * centred[k];
            }
        }
    }
    for j in 0..d {
        a[j * d + j] += ridge * n as f64 + 1e-12;
    }
    let w = cholesky_solve(&mut a, d, &rhs);
    let b = mean_y - w.iter().zip(&mean_x).map(|(w, m)| w * m).sum::<f64>();
    (w, b)
}

/// Solves `A w = rhs` for a symmetric positive definite `A` given by its lower triangle
/// (overwritten with the Cholesky factor).
fn cholesky_solve(a: &mut [f64], d: usize, rhs: &[f64]) -> Vec<f64> {
    for j in 0..d {
        let mut s = a[j * d + j];
        for k in 0..j {
            s -= a[j * d + k] * a[j * d + k];
        }
        let diag = s.max(1e-300).sqrt();
        a[j * d + j] = diag;
        for i in j + 1..d {
            let mut s = a[i * d + j];
            for k in 0..j {
                s -= a[i * d + k] * a[j * d + k];
            }
            a[i * d + j] = s / diag;
        }
    }
    let mut z = rhs.to_vec();
    for i in 0..d {
        for k in 0..i {
            z[i] -= a[i * d + k] * z[k];
        }
        z[i] /= a[i * d + i];
    }
    for i in (0..d).rev() {
        for k in i + 1..d {
            z[i] -= a[k * d + i] * z[k];
        }
        z[i] /= a[i * d + i];
    }
    z
}

/// Predictions `x·w + b` of a linear fit.
pub fn linear_predictions(x: &Features, (w, b): &(Vec<f64>, f64)) -> Vec<f64> {
    (0..x.rows)
        .map(|i| {
            x.row(i)
                .iter()
                .zip(w)
                .map(|(v, w)| f64::from(*v) * w)
                .sum::<f64>()
                + b
        })
        .collect()
}

/// Ridge of the probe's least-squares fit, relative to the number of rows: small enough not to
/// bias a well-determined fit, large enough to keep collinear (e.g. collapsed) features stable.
pub const PROBE_RIDGE: f64 = 1e-4;

/// The label-evaluated linear probe of an encoder: valid MAE and Pearson r of the closed-form
/// least-squares fit (on the train features and labels) of cached features.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProbeScore {
    /// MAE on the valid split.
    pub valid_mae: f64,
    /// Pearson r on the valid split (`None` for constant predictions).
    pub valid_corr: Option<f64>,
}

/// [`least_squares`] on `train`, scored on `valid`.
pub fn probe(train: (&Features, &[f32]), (valid, valid_labels): (&Features, &[f32])) -> ProbeScore {
    let fit = least_squares(train, PROBE_RIDGE);
    let pred = linear_predictions(valid, &fit);
    let y = to_f64(valid_labels);
    ProbeScore {
        valid_mae: mae(&pred, &y),
        valid_corr: pearson(&pred, &y),
    }
}

/// Encodes `train` and `valid` with `model`'s encoder and returns their [`probe`].
pub fn probe_encoder(
    model: &Model,
    train: &Split,
    valid: &Split,
    device: &Device,
) -> Result<ProbeScore> {
    let t = encode_split(model, train, device)?;
    let v = encode_split(model, valid, device)?;
    Ok(probe((&t, &train.labels), (&v, &valid.labels)))
}
