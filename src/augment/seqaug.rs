//! SeqAug feature resampling: a time permutation of a random subset of feature dimensions
//! (thesis 6.5.1, 7.2; Georgiou & Potamianos 2023).

use super::{check_std, check_unit, AugmentError};
use crate::data::{Modality, Sequences};
use crate::rng::Rng;
use rand::seq::{index, SliceRandom};
use rand::Rng as _;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};
use std::fmt;

/// SeqAug with per-modality shares `α_m + |N(0, σ)|` of resampled dimensions (thesis 7.2).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeqAug {
    /// Least share α_m of dimensions resampled, order text, audio, visual (7.2 and A.1:
    /// 0.15, 0.10, 0.20; 8.2's prose swaps audio and visual).
    pub alpha: [f32; 3],
    /// Scale σ of the half-normal added to α_m (7.2: 0.01).
    pub std: f32,
}

impl SeqAug {
    /// Checks that every α_m lies in [0, 1] and σ is finite and non-negative (thesis 7.2).
    pub fn validate(&self) -> Result<(), AugmentError> {
        for m in Modality::ALL {
            check_unit(&format!("seqaug alpha[{m}]"), self.alpha[m.index()])?;
        }
        check_std("seqaug std", self.std)
    }

    /// Draws one sample's share of resampled dimensions, `clamp(α_m + |N(0, σ)|, 0, 1)` (7.2).
    pub fn draw_fraction(&self, modality: Modality, rng: &mut Rng) -> f32 {
        let z: f32 = rng.sample(StandardNormal);
        (self.alpha[modality.index()] + self.std * z.abs()).clamp(0.0, 1.0)
    }

    /// Resamples each sample of `modality`: draws its fraction, then [`SeqAug::resample`]s
    /// `round(fraction · dims)` dimensions over its `lengths[i]` real steps (thesis 6.5.1).
    pub fn apply(
        &self,
        modality: Modality,
        seqs: &mut Sequences,
        lengths: &[usize],
        rng: &mut Rng,
    ) {
        self.each_sample(
            modality,
            seqs,
            lengths,
            rng,
            |sample, dims, len, fraction, rng| {
                let count = (fraction * dims as f32).round() as usize;
                Self::resample(sample, dims, len, count, rng);
            },
        );
    }

    /// SeqAug as the released code draws it (`modules/mmaug.py:182-202`, `docs/fidelity.md` §4
    /// item 8): each sample's fraction as in [`SeqAug::apply`], but every dimension resampled
    /// by its own coin at that fraction (a binomial count, where the thesis's text resamples
    /// `round(fraction · dims)`), then one permutation of its first `lengths[i]` steps. Every
    /// step is blended, as the configured per-step probability `mmaug_p_t` = 1.0 gives.
    pub fn apply_released(
        &self,
        modality: Modality,
        seqs: &mut Sequences,
        lengths: &[usize],
        rng: &mut Rng,
    ) {
        self.each_sample(
            modality,
            seqs,
            lengths,
            rng,
            |sample, dims, len, fraction, rng| {
                let picked: Vec<usize> = (0..dims)
                    .filter(|_| rng.random::<f32>() < fraction)
                    .collect();
                Self::permute_dims(sample, dims, len, &picked, rng);
            },
        );
    }

    /// Draws each sample's fraction and hands `resample` the sample, its dims, real length and
    /// fraction.
    fn each_sample(
        &self,
        modality: Modality,
        seqs: &mut Sequences,
        lengths: &[usize],
        rng: &mut Rng,
        mut resample: impl FnMut(&mut [f32], usize, usize, f32, &mut Rng),
    ) {
        let dims = seqs.dims();
        for (i, &len) in lengths.iter().enumerate() {
            let fraction = self.draw_fraction(modality, rng);
            resample(seqs.sample_mut(i), dims, len, fraction, rng);
        }
    }

    /// Picks `count` distinct dimensions of one `[steps, dims]` sample and moves their values
    /// along its first `len` steps by one shared uniform permutation (step `t` receives step
    /// `π(t)`); returns the picked dimensions, ascending (thesis 6.5.1, steps 1 and 2).
    pub fn resample(
        sample: &mut [f32],
        dims: usize,
        len: usize,
        count: usize,
        rng: &mut Rng,
    ) -> Vec<usize> {
        let mut picked = index::sample(rng, dims, count).into_vec();
        picked.sort_unstable();
        Self::permute_dims(sample, dims, len, &picked, rng);
        picked
    }

    /// Moves the values of the dimensions `picked` along the first `len` steps of one
    /// `[steps, dims]` sample by one uniform permutation (step `t` receives step `π(t)`).
    fn permute_dims(sample: &mut [f32], dims: usize, len: usize, picked: &[usize], rng: &mut Rng) {
        let mut order: Vec<usize> = (0..len).collect();
        order.shuffle(rng);
        let original = sample[..len * dims].to_vec();
        for (t, &source) in order.iter().enumerate() {
            for &d in picked {
                sample[t * dims + d] = original[source * dims + d];
            }
        }
    }
}

impl fmt::Display for SeqAug {
    /// `SeqAug(alpha=[…], std=…)`, as the thesis's `__repr__` lists it (A.1).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [t, a, v] = self.alpha;
        write!(f, "SeqAug(alpha=[{t}, {a}, {v}], std={})", self.std)
    }
}
