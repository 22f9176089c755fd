//! Learning-rate schedules of the related work, as a choice for either phase (`supervised.schedule`,
//! `ssl.schedule`): the thesis's own rule by default, cosine annealing with warm restarts
//! (SGDR, Loshchilov & Hutter 2017, which ConCluGen uses for pre-training and downstream
//! training), or a linear warm-up followed by cosine decay (Bulat et al. 2022's pre-training:
//! "during the first 10 epochs the learning rate is increased toward the target value using a
//! linear scheduler", then "decayed … using a Cosine Scheduler").
//!
//! A schedule sets the rate of each epoch from the epoch number alone, so a resumed run gets the
//! same rates as an uninterrupted one with nothing more to save.

use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// Which rule sets a phase's learning rate, epoch by epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScheduleKind {
    /// The thesis's rule (7.3, table 7.3.2): the supervised phase halves the rate on a valid-loss
    /// plateau; pre-training keeps it constant.
    #[default]
    Thesis,
    /// Cosine annealing with warm restarts (SGDR): from the base rate down to `min_lr` over
    /// `restart_epochs` epochs, then again, each cycle `restart_mult` times longer than the last.
    CosineRestarts,
    /// Linear warm-up to the base rate over `warmup_epochs`, then a cosine decay toward `min_lr`
    /// over the remaining epochs.
    WarmupCosine,
}

impl ScheduleKind {
    /// The kebab-case name used in configs.
    pub fn name(self) -> &'static str {
        match self {
            ScheduleKind::Thesis => "thesis",
            ScheduleKind::CosineRestarts => "cosine-restarts",
            ScheduleKind::WarmupCosine => "warmup-cosine",
        }
    }
}

/// A phase's learning-rate schedule and its settings (the fields a kind does not use must stay
/// at their defaults). Not written to configs while it is the thesis's, so that run keys of
/// earlier results stay valid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LrSchedule {
    /// The rule (`thesis`, `cosine-restarts`, `warmup-cosine`).
    pub kind: ScheduleKind,
    /// The rate the cosine decays toward, η_min (0).
    pub min_lr: f64,
    /// `cosine-restarts`: epochs of the first cycle, T_0 (10).
    pub restart_epochs: usize,
    /// `cosine-restarts`: growth factor of each next cycle, T_mult (1: equal cycles).
    pub restart_mult: usize,
    /// `warmup-cosine`: epochs of linear warm-up (10, Bulat et al. 2022).
    pub warmup_epochs: usize,
}

impl Default for LrSchedule {
    fn default() -> Self {
        LrSchedule {
            kind: ScheduleKind::Thesis,
            min_lr: 0.0,
            restart_epochs: 10,
            restart_mult: 1,
            warmup_epochs: 10,
        }
    }
}

impl LrSchedule {
    /// True for the default, the thesis's own rule (left out of serialised configs).
    pub fn is_thesis(&self) -> bool {
        *self == LrSchedule::default()
    }

    /// The rate of epoch `epoch` (from 0) of a phase of `epochs` epochs at base rate `base`, or
    /// `None` under the thesis's rule (the phase then keeps its own control of the rate).
    ///
    /// * `cosine-restarts`: `η_min + (base − η_min)(1 + cos(π t / T_i)) / 2`, with `t` the epoch's
    ///   position in its cycle and `T_i` the cycle's length (PyTorch's
    ///   `CosineAnnealingWarmRestarts` stepped once per epoch).
    /// * `warmup-cosine`: `base · (e + 1) / W` for `e < W`, so the last warm-up epoch runs at the
    ///   base rate; then `η_min + (base − η_min)(1 + cos(π (e − W) / (E − W))) / 2`.
    pub fn rate(&self, base: f64, epoch: usize, epochs: usize) -> Option<f64> {
        let cosine = |t: f64, period: f64| {
            self.min_lr + (base - self.min_lr) * (1.0 + (PI * t / period).cos()) / 2.0
        };
        match self.kind {
            ScheduleKind::Thesis => None,
            ScheduleKind::CosineRestarts => {
                let (mut t, mut period) = (epoch, self.restart_epochs);
                while t >= period {
                    t -= period;
                    period *= self.restart_mult;
                }
                Some(cosine(t as f64, period as f64))
            }
            ScheduleKind::WarmupCosine => {
                let warmup = self.warmup_epochs;
                Some(if epoch < warmup {
                    base * (epoch + 1) as f64 / warmup as f64
                } else {
                    cosine((epoch - warmup) as f64, (epochs - warmup) as f64)
                })
            }
        }
    }

    /// Checks the settings of the schedule at config key `key` for a phase of `epochs` epochs at
    /// base rate `base`: `min_lr` in [0, base], cycles and warm-up of at least one epoch, the
    /// warm-up shorter than the phase, and no setting the kind does not use away from its default.
    pub fn validate(&self, key: &str, base: f64, epochs: usize) -> Result<(), String> {
        let default = LrSchedule::default();
        let unused: &[(&str, bool)] = match self.kind {
            ScheduleKind::Thesis => &[
                ("min_lr", self.min_lr != default.min_lr),
                (
                    "restart_epochs",
                    self.restart_epochs != default.restart_epochs,
                ),
                ("restart_mult", self.restart_mult != default.restart_mult),
                ("warmup_epochs", self.warmup_epochs != default.warmup_epochs),
            ],
            ScheduleKind::CosineRestarts => {
                &[("warmup_epochs", self.warmup_epochs != default.warmup_epochs)]
            }
            ScheduleKind::WarmupCosine => &[
                (
                    "restart_epochs",
                    self.restart_epochs != default.restart_epochs,
                ),
                ("restart_mult", self.restart_mult != default.restart_mult),
            ],
        };
        if let Some((field, _)) = unused.iter().find(|(_, set)| *set) {
            return Err(format!(
                "{key}.{field} has no effect with {key}.kind = \"{}\": leave it out",
                self.kind.name()
            ));
        }
        if self.kind == ScheduleKind::Thesis {
            return Ok(());
        }
        if !(self.min_lr >= 0.0 && self.min_lr <= base) {
            return Err(format!(
                "{key}.min_lr must be in [0, {base}] (the phase's learning rate), got {}",
                self.min_lr
            ));
        }
        match self.kind {
            ScheduleKind::CosineRestarts if self.restart_epochs == 0 || self.restart_mult == 0 => {
                Err(format!(
                    "{key}.restart_epochs and {key}.restart_mult must be at least 1, got {} and {}",
                    self.restart_epochs, self.restart_mult
                ))
            }
            ScheduleKind::WarmupCosine if self.warmup_epochs == 0 || self.warmup_epochs >= epochs => {
                Err(format!(
                    "{key}.warmup_epochs must be at least 1 and below the phase's {epochs} epochs, got {}",
                    self.warmup_epochs
                ))
            }
            _ => Ok(()),
        }
    }
}
