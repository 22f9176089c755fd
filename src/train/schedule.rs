//! Validation-driven control of the supervised phase (thesis 7.3): halve the learning rate when
//! the valid loss has not improved for `plateau_patience` epochs, stop after `patience` epochs
//! without improvement, and remember the best epoch so its weights can be restored.

use super::error::{lock_vars, Result, TrainError};
use candle_core::Tensor;
use candle_nn::VarMap;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What the caller should do after an epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpochDecision {
    /// The valid loss improved: snapshot the weights.
    pub improved: bool,
    /// Multiply the learning rate by the plateau factor.
    pub reduce_lr: bool,
    /// Stop training (patience exhausted).
    pub stop: bool,
}

/// Tracks the best valid loss and counts epochs without improvement.
///
/// Reading of the thesis's "halve the learning rate if the validation loss does not decrease for
/// 2 epochs": after `plateau_patience` consecutive non-improving epochs the rate is halved and the
/// plateau count restarts (PyTorch's `ReduceLROnPlateau(patience=2)` would wait one epoch more).
/// Serialisable, so that a resumed run goes on where it stopped.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ValidTracker {
    patience: usize,
    plateau_patience: usize,
    #[serde(with = "super::resume::f64_bits")]
    best: f64,
    best_epoch: Option<usize>,
    bad_epochs: usize,
    plateau_epochs: usize,
}

impl ValidTracker {
    /// A tracker with early-stopping `patience` and learning-rate `plateau_patience`.
    pub fn new(patience: usize, plateau_patience: usize) -> Self {
        ValidTracker {
            patience,
            plateau_patience,
            best: f64::INFINITY,
            best_epoch: None,
            bad_epochs: 0,
            plateau_epochs: 0,
        }
    }

    /// Records epoch `epoch`'s valid loss and decides what happens next.
    pub fn observe(&mut self, epoch: usize, valid_loss: f64) -> EpochDecision {
        if valid_loss < self.best {
            self.best = valid_loss;
            self.best_epoch = Some(epoch);
            self.bad_epochs = 0;
            self.plateau_epochs = 0;
            return EpochDecision {
                improved: true,
                reduce_lr: false,
                stop: false,
            };
        }
        self.bad_epochs += 1;
        self.plateau_epochs += 1;
        let reduce_lr = self.plateau_epochs >= self.plateau_patience;
        if reduce_lr {
            self.plateau_epochs = 0;
        }
        EpochDecision {
            improved: false,
            reduce_lr,
            stop: self.bad_epochs >= self.patience,
        }
    }

    /// The best epoch so far and its valid loss.
    pub fn best(&self) -> Option<(usize, f64)> {
        self.best_epoch.map(|e| (e, self.best))
    }
}

/// A copy of every variable's value, to restore the best epoch's weights.
#[derive(Debug, Clone, Default)]
pub struct Snapshot(HashMap<String, Tensor>);

impl Snapshot {
    /// Copies the current values of all variables in `varmap`.
    pub fn take(varmap: &VarMap) -> Result<Snapshot> {
        let data = lock_vars(varmap)?;
        let copies = data
            .iter()
            .map(|(name, var)| Ok((name.clone(), var.as_tensor().copy()?)))
            .collect::<candle_core::Result<_>>()?;
        Ok(Snapshot(copies))
    }

    /// Writes the saved values back into `varmap`.
    pub fn restore(&self, varmap: &VarMap) -> Result<()> {
        let data = lock_vars(varmap)?;
        for (name, var) in data.iter() {
            if let Some(saved) = self.0.get(name) {
                var.set(saved)?;
            }
        }
        Ok(())
    }

    /// The saved value of variable `name`.
    pub fn get(&self, name: &str) -> Option<&Tensor> {
        self.0.get(name)
    }

    /// The saved values as `<prefix><name>`, sorted by name (to be saved with other tensors).
    pub fn prefixed(&self, prefix: &str) -> Vec<(String, Tensor)> {
        let mut out: Vec<(String, Tensor)> = self
            .0
            .iter()
            .map(|(name, t)| (format!("{prefix}{name}"), t.clone()))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// The snapshot saved by [`Snapshot::prefixed`] among `tensors`, moved to the device of the
    /// variables of `varmap`; each of them must be there, with its shape and dtype.
    pub fn from_prefixed(
        tensors: &HashMap<String, Tensor>,
        prefix: &str,
        varmap: &VarMap,
    ) -> Result<Snapshot> {
        let data = lock_vars(varmap)?;
        let mut out = HashMap::with_capacity(data.len());
        for (name, var) in data.iter() {
            let key = format!("{prefix}{name}");
            let saved = tensors
                .get(&key)
                .ok_or_else(|| TrainError::State(format!("the saved state has no {key}")))?;
            if saved.shape() != var.shape() || saved.dtype() != var.dtype() {
                return Err(TrainError::State(format!(
                    "the saved state's {key} is {:?} {:?}, the model's {:?} {:?}",
                    saved.dtype(),
                    saved.shape(),
                    var.dtype(),
                    var.shape()
                )));
            }
            out.insert(name.clone(), saved.to_device(var.device())?);
        }
        Ok(Snapshot(out))
    }
}

/// PyTorch's `ReduceLROnPlateau` in mode `min` with a relative threshold, step by step as
/// `torch.optim.lr_scheduler` implements it: the released code's SSL schedule
/// (`docs/fidelity.md` §4 item 2: factor 0.5, patience 2, cooldown 2, min_lr 2.5e-5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReduceLrOnPlateau {
    factor: f64,
    patience: usize,
    cooldown: usize,
    min_lr: f64,
    #[serde(with = "super::resume::f64_bits")]
    best: f64,
    bad_epochs: usize,
    cooldown_left: usize,
}

impl ReduceLrOnPlateau {
    /// PyTorch's default relative threshold: an improvement must beat `best · (1 − 1e-4)`.
    pub const THRESHOLD: f64 = 1e-4;
    /// PyTorch's `eps`: a reduction smaller than this is not applied.
    pub const EPS: f64 = 1e-8;

    /// The released code's SSL schedule (`my-config.yml:80-84`).
    pub fn released_ssl() -> Self {
        Self::new(0.5, 2, 2, 2.5e-5)
    }

    /// A scheduler with these settings (PyTorch's argument names).
    pub fn new(factor: f64, patience: usize, cooldown: usize, min_lr: f64) -> Self {
        ReduceLrOnPlateau {
            factor,
            patience,
            cooldown,
            min_lr,
            best: f64::INFINITY,
            bad_epochs: 0,
            cooldown_left: 0,
        }
    }

    /// Records an epoch's `metric` and returns the learning rate to use from now on, given the
    /// current `lr` (PyTorch's `step`: improvement test, cooldown, then the patience test).
    pub fn step(&mut self, metric: f64, lr: f64) -> f64 {
        if metric < self.best * (1.0 - Self::THRESHOLD) {
            self.best = metric;
            self.bad_epochs = 0;
        } else {
            self.bad_epochs += 1;
        }
        if self.cooldown_left > 0 {
            self.cooldown_left -= 1;
            self.bad_epochs = 0;
        }
        if self.bad_epochs > self.patience {
            self.cooldown_left = self.cooldown;
            self.bad_epochs = 0;
            let reduced = (lr * self.factor).max(self.min_lr);
            if lr - reduced > Self::EPS {
                return reduced;
            }
        }
        lr
    }
}
