//! Resuming a phase from its last finished epoch, bit for bit on the CPU.
//!
//! What makes it exact: every random stream of a phase is derived from the run's seed and the
//! epoch (batch order, dropout, augmentation: [`crate::rng::derive_seed`]), so no stream position
//! needs saving. What does need saving, after every epoch, is everything else that carries over:
//! the weights (BatchNorm running statistics included), Adam's moments and step count, the
//! learning rate, the early-stopping or plateau state, the weights the phase will keep (the best
//! epoch's; for pre-training, the initial weights its displacement is measured from) and the log
//! so far. The phases save and restore through the run's live folder ([`super::live`]), by way of
//! [`Progress`]; a run without one saves nothing.

use super::error::Result;
use super::optim::Adam;
use super::progress::Progress;
use super::schedule::Snapshot;
use candle_nn::{Optimizer, VarMap};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Prefix of the current weights among a saved state's tensors.
const WEIGHTS: &str = "weights.";
/// Prefix of the kept weights (best epoch, or initial) among a saved state's tensors.
const KEPT: &str = "kept.";

/// A phase's scalars after an epoch: where to go on, its log, the optimiser's step count and rate,
/// and the phase's own control state `C` (early stopping, a plateau schedule).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct EpochState<L, C> {
    /// The epoch to run next.
    pub next_epoch: usize,
    /// True when the phase has ended (early stop, or its last epoch): nothing is left to train.
    pub finished: bool,
    /// The per-epoch log so far.
    pub log: Vec<L>,
    /// Adam's step count.
    pub adam_steps: usize,
    /// The learning rate to go on with.
    pub lr: f64,
    /// The phase's control state.
    pub control: C,
}

/// Saves `state` of `phase` with the model's weights, `opt`'s moments and `kept`.
pub(super) fn save<L: Serialize, C: Serialize>(
    progress: &Progress,
    phase: &str,
    state: &EpochState<L, C>,
    (varmap, opt): (&VarMap, &Adam),
    kept: &Snapshot,
) -> Result<()> {
    if !progress.saves_state() {
        return Ok(());
    }
    let mut tensors = Snapshot::take(varmap)?.prefixed(WEIGHTS);
    tensors.extend(opt.state()?);
    tensors.extend(kept.prefixed(KEPT));
    progress.save_state(phase, state, &tensors);
    Ok(())
}

/// The state `phase` saved last, restored into the model's weights and `opt` (moments, step
/// count, rate); returns it with the kept weights, or `None` when there is nothing to resume.
pub(super) fn restore<L: DeserializeOwned, C: DeserializeOwned>(
    progress: &Progress,
    phase: &str,
    (varmap, opt): (&VarMap, &mut Adam),
) -> Result<Option<(EpochState<L, C>, Snapshot)>> {
    let Some(saved) = progress.saved_state::<EpochState<L, C>>(phase)? else {
        return Ok(None);
    };
    Snapshot::from_prefixed(&saved.tensors, WEIGHTS, varmap)?.restore(varmap)?;
    let kept = Snapshot::from_prefixed(&saved.tensors, KEPT, varmap)?;
    opt.restore(saved.state.adam_steps, &saved.tensors)?;
    opt.set_learning_rate(saved.state.lr);
    progress.log(format_args!(
        "{phase}: resumed from the saved state after {} finished epoch(s)",
        saved.state.next_epoch
    ));
    Ok(Some((saved.state, kept)))
}

/// Serde for an `f64` that may be infinite (JSON has no infinity): its bits as a `u64`.
pub(super) mod f64_bits {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `x`'s bits.
    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(x.to_bits())
    }

    /// Reads an `f64` from its bits.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        u64::deserialize(d).map(f64::from_bits)
    }
}
