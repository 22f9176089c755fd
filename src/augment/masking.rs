//! Bernoulli masking of whole real steps or single values (thesis 6.5.2, 7.2).

use super::{check_unit, AugmentError};
use crate::data::Sequences;
use crate::rng::Rng;
use rand::Rng as _;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which positions a [`Masking`] zeroes (thesis 7.2's `masking_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MaskingMode {
    /// Whole step vectors ("Time Masking", 6.5.2), the thesis's choice (table 8.2.1).
    Timestep,
    /// Single (step, feature) values of the real steps ("Feature Masking", 6.5.2).
    Feature,
}

impl fmt::Display for MaskingMode {
    /// The thesis's mode string: `timestep` or `feature` (A.1).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MaskingMode::Timestep => "timestep",
            MaskingMode::Feature => "feature",
        })
    }
}

/// Zeroes each real position independently with probability `percentage` (eq. 6.5.1 / 6.5.2).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Masking {
    /// Expected share of positions zeroed, in [0, 1] (table 8.2.1: 0.7).
    pub percentage: f32,
    /// Whole steps or single values (table 8.2.1: timestep).
    pub mode: MaskingMode,
}

impl Masking {
    /// Checks that `percentage` lies in [0, 1] (thesis 7.2's `mask_percentage`).
    pub fn validate(&self) -> Result<(), AugmentError> {
        check_unit("masking percentage", self.percentage)
    }

    /// Masks the first `lengths[i]` steps of each sample; padding is untouched (thesis 7.2).
    ///
    /// At `percentage` 1 every real step is zeroed whatever the random stream draws:
    ///
    /// ```
    /// use mmssl::augment::{Masking, MaskingMode};
    /// use mmssl::data::Sequences;
    ///
    /// // one sample, 3 steps of 2 features, the last step padding
    /// let mut seqs = Sequences::new(1, 3, 2, vec![1.0; 6]).unwrap();
    /// let all = Masking { percentage: 1.0, mode: MaskingMode::Timestep };
    /// all.apply(&mut seqs, &[2], &mut mmssl::rng::rng_for(0, &[]));
    /// assert_eq!(seqs.sample(0), &[0.0, 0.0, 0.0, 0.0, 1.0, 1.0]);
    /// ```
    pub fn apply(&self, seqs: &mut Sequences, lengths: &[usize], rng: &mut Rng) {
        let dims = seqs.dims();
        if dims == 0 {
            return; // nothing to mask, and `chunks_mut` needs a non-zero size
        }
        let unit = match self.mode {
            MaskingMode::Timestep => dims,
            MaskingMode::Feature => 1,
        };
        for (i, &len) in lengths.iter().enumerate() {
            for position in seqs.sample_mut(i)[..len * dims].chunks_mut(unit) {
                if rng.random::<f32>() < self.percentage {
                    position.fill(0.0);
                }
            }
        }
    }
}

impl fmt::Display for Masking {
    /// `Masking(percentage=…, mode=…)`, as the thesis's `__repr__` lists it (A.1).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Masking(percentage={}, mode={})",
            self.percentage, self.mode
        )
    }
}
