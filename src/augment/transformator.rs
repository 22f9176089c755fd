//! Random application per modality, ordered chains and the two-stream `Transformator`
//! (thesis 7.2, appendix A.1).

use super::{check_unit, AugmentError, GaussianNoise, Masking, SeqAug};
use crate::data::{HostBatch, Modality, Sequences};
use crate::rng::Rng;
use rand::Rng as _;
use std::fmt;

/// One of the three augmentations of the thesis (6.5, 7.2).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Transform {
    /// Additive Gaussian noise (6.5.3).
    Noise(GaussianNoise),
    /// Timestep or feature masking (6.5.2).
    Masking(Masking),
    /// SeqAug feature resampling (6.5.1).
    SeqAug(SeqAug),
}

impl Transform {
    /// Checks the wrapped augmentation's hyper-parameters (thesis 7.2).
    pub fn validate(&self) -> Result<(), AugmentError> {
        match self {
            Transform::Noise(t) => t.validate(),
            Transform::Masking(t) => t.validate(),
            Transform::SeqAug(t) => t.validate(),
        }
    }

    /// Augments one modality's sequences in place, real steps only (thesis 7.2).
    pub fn apply(
        &self,
        modality: Modality,
        seqs: &mut Sequences,
        lengths: &[usize],
        rng: &mut Rng,
    ) {
        assert_eq!(seqs.len(), lengths.len(), "one length per sample");
        match self {
            Transform::Noise(t) => t.apply(seqs, lengths, rng),
            Transform::Masking(t) => t.apply(seqs, lengths, rng),
            Transform::SeqAug(t) => t.apply(modality, seqs, lengths, rng),
        }
    }
}

impl fmt::Display for Transform {
    /// The wrapped augmentation's `__repr__`-like form (A.1).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Transform::Noise(t) => t.fmt(f),
            Transform::Masking(t) => t.fmt(f),
            Transform::SeqAug(t) => t.fmt(f),
        }
    }
}

/// A [`Transform`] applied to each modality of a batch with probability `p`, one independent
/// coin per modality and batch (thesis 7.2; torchvision's `RandomApply` in A.1), or one coin for
/// all three (the released code, [`RandomApply::one_coin_for_all`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RandomApply {
    transform: Transform,
    p: f32,
    one_coin: bool,
    released_seqaug: bool,
}

impl RandomApply {
    /// Wraps a validated `transform` with application probability `p` ∈ [0, 1] (thesis 7.2).
    pub fn new(transform: Transform, p: f32) -> Result<Self, AugmentError> {
        transform.validate()?;
        check_unit(&format!("application probability of {transform}"), p)?;
        Ok(RandomApply {
            transform,
            p,
            one_coin: false,
            released_seqaug: false,
        })
    }

    /// The same step, but SeqAug (if this step is SeqAug) as the released code applies it
    /// (`docs/fidelity.md` §4 item 8): to text only, with every sample's "real length" set to
    /// the batch size, so the first `min(batch, steps)` padded steps — padding included — are
    /// permuted, and each dimension resampled by its own coin ([`SeqAug::apply_released`]).
    /// Other transforms are unchanged.
    pub fn seqaug_as_released(self) -> Self {
        RandomApply {
            released_seqaug: true,
            ..self
        }
    }

    /// The same step with one coin per batch deciding for all three modalities, as the released
    /// code's `RandomApply` over the (text, audio, visual) tuple does (`docs/fidelity.md` §4
    /// item 7).
    pub fn one_coin_for_all(self) -> Self {
        RandomApply {
            one_coin: true,
            ..self
        }
    }

    /// The wrapped augmentation (thesis 7.2).
    pub fn transform(&self) -> &Transform {
        &self.transform
    }

    /// The per-modality application probability (thesis 7.2's `p`).
    pub fn p(&self) -> f32 {
        self.p
    }

    /// Tosses one coin per modality (text, audio, visual) — or one for all three — and augments
    /// the modalities whose coin falls below `p`; returns which ones were augmented (thesis 7.2).
    pub fn apply(&self, batch: &mut HostBatch, rng: &mut Rng) -> [bool; 3] {
        let shared = self.one_coin.then(|| rng.random::<f32>() < self.p);
        let released = self.released_seqaug && matches!(self.transform, Transform::SeqAug(_));
        let padded: Vec<usize> = if released {
            let steps = batch.modalities[0].steps();
            vec![batch.lengths.len().min(steps); batch.lengths.len()]
        } else {
            Vec::new()
        };
        Modality::ALL.map(|m| {
            let hit = shared.unwrap_or_else(|| rng.random::<f32>() < self.p);
            if hit && !(released && m != Modality::Text) {
                let seqs = &mut batch.modalities[m.index()];
                match self.transform {
                    Transform::SeqAug(t) if released => t.apply_released(m, seqs, &padded, rng),
                    _ => self.transform.apply(m, seqs, &batch.lengths, rng),
                }
            }
            hit
        })
    }
}

impl fmt::Display for RandomApply {
    /// `RandomApply(p=…, <transform>)` (A.1).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RandomApply(p={}, {})", self.p, self.transform)
    }
}

/// Steps applied one after the other, in order: torchvision's `Compose` in A.1 (thesis 8.3).
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    /// The steps, first applied first.
    pub steps: Vec<RandomApply>,
}

impl Chain {
    /// Runs every step on `batch` in order (thesis 8.3: the order matters).
    pub fn apply(&self, batch: &mut HostBatch, rng: &mut Rng) {
        for step in &self.steps {
            step.apply(batch, rng);
        }
    }
}

impl fmt::Display for Chain {
    /// `Compose([step, step, …])` (A.1).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Compose([")?;
        for (k, step) in self.steps.iter().enumerate() {
            if k > 0 {
                f.write_str(", ")?;
            }
            step.fmt(f)?;
        }
        f.write_str("])")
    }
}

/// The thesis's `Transformator` (A.1): two chains giving the two Barlow Twins views.
#[derive(Debug, Clone, PartialEq)]
pub struct Transformator {
    /// Stream A, the thesis's `transform` (probabilities `p1`).
    pub transform: Chain,
    /// Stream B, the thesis's `transform_prime` (probabilities `p2`).
    pub transform_prime: Chain,
}

impl Transformator {
    /// The same streams with one coin per step deciding for all three modalities
    /// ([`RandomApply::one_coin_for_all`]; `docs/fidelity.md` §4 item 7).
    pub fn one_coin_for_all(self) -> Self {
        self.map_steps(RandomApply::one_coin_for_all)
    }

    /// The same streams with SeqAug as the released code applies it
    /// ([`RandomApply::seqaug_as_released`]; `docs/fidelity.md` §4 item 8).
    pub fn seqaug_as_released(self) -> Self {
        self.map_steps(RandomApply::seqaug_as_released)
    }

    fn map_steps(self, f: fn(RandomApply) -> RandomApply) -> Self {
        let map = |chain: Chain| Chain {
            steps: chain.steps.into_iter().map(f).collect(),
        };
        Transformator {
            transform: map(self.transform),
            transform_prime: map(self.transform_prime),
        }
    }

    /// Two augmented copies of `batch`: stream A's, then stream B's, drawn in that order from
    /// `rng` (A.1's `__call__`).
    pub fn views(&self, batch: &HostBatch, rng: &mut Rng) -> (HostBatch, HostBatch) {
        let mut a = batch.clone();
        self.transform.apply(&mut a, rng);
        let mut b = batch.clone();
        self.transform_prime.apply(&mut b, rng);
        (a, b)
    }
}

impl fmt::Display for Transformator {
    /// `Transformator(transform_1=Compose([…]), transform_2=Compose([…]))`, after A.1's `__repr__`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Transformator(transform_1={}, transform_2={})",
            self.transform, self.transform_prime
        )
    }
}
