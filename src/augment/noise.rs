//! Additive Gaussian noise on the real steps (thesis 6.5.3, 7.2).

use super::{check, check_std, AugmentError};
use crate::data::Sequences;
use crate::rng::Rng;
use rand::Rng as _;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};
use std::fmt;

/// `X' = X + N`, `N ~ N(mean, std²)` i.i.d. per value (thesis 6.5.3; table 8.2.1: μ = 0, σ = 0.1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GaussianNoise {
    /// Mean μ of the noise (table 8.2.1: 0; 7.2's prose says 1 — we follow the table).
    pub mean: f32,
    /// Standard deviation σ of the noise (tables 8.2.1 / 8.3.1: 0.1).
    pub std: f32,
}

impl GaussianNoise {
    /// Checks that μ is finite and σ finite and non-negative (thesis 7.2 hyper-parameters).
    pub fn validate(&self) -> Result<(), AugmentError> {
        check(
            "noise mean",
            self.mean,
            self.mean.is_finite(),
            "finite values",
        )?;
        check_std("noise std", self.std)
    }

    /// Adds fresh noise to every value of each sample's first `lengths[i]` steps (thesis 7.2).
    pub fn apply(&self, seqs: &mut Sequences, lengths: &[usize], rng: &mut Rng) {
        let dims = seqs.dims();
        for (i, &len) in lengths.iter().enumerate() {
            for v in &mut seqs.sample_mut(i)[..len * dims] {
                let z: f32 = rng.sample(StandardNormal);
                *v += self.mean + self.std * z;
            }
        }
    }
}

impl fmt::Display for GaussianNoise {
    /// `GaussianNoise(mean=…, std=…)`, as the thesis's `__repr__` lists it (A.1).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GaussianNoise(mean={}, std={})", self.mean, self.std)
    }
}
