//! Seeded, label-agnostic subsets of the labeled training data (thesis 8.4: 1 % … 100 %).

use super::{DataError, Split};
use crate::rng::rng_for;
use rand::seq::SliceRandom;

impl Split {
    /// The first `ceil(fraction · n)` samples (at least one) of a seeded permutation, returned in
    /// storage order. The choice never looks at labels, and for one seed smaller fractions are
    /// subsets of larger ones, so a learning curve over fractions adds data rather than
    /// resampling it.
    pub fn labeled_fraction(&self, fraction: f64, seed: u64) -> Result<Split, DataError> {
        if !(fraction > 0.0 && fraction <= 1.0) {
            return Err(DataError::Argument(format!(
                "labeled fraction {fraction} is outside (0, 1]"
            )));
        }
        let n = self.len();
        let keep = ((fraction * n as f64).ceil() as usize).clamp(1.min(n), n);
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut rng_for(seed, &[0x5AB5E7]));
        let mut chosen = order[..keep].to_vec();
        chosen.sort_unstable();
        Ok(self.select(&chosen))
    }
}
