//! Cleaning and scaling of features: the policy for NaN / ±inf (real COVAREP files contain
//! -inf) and per-feature standardisation fitted on the training split only.

use super::{DataError, Dataset, Modality, Sequences, Split, SplitName};
use serde::{Deserialize, Serialize};

/// What to do with NaN and ±inf feature values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NonFinitePolicy {
    /// Replace each non-finite value with 0 and count it (the rule of the common MOSEI loaders,
    /// which set NaN and -inf to 0). The counts are reported, never silent.
    #[default]
    Zero,
    /// Fail at the first non-finite value, naming split, modality, sample, step and feature.
    Reject,
}

/// How many non-finite values were found (and, under [`NonFinitePolicy::Zero`], replaced).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonFiniteReport {
    /// NaN values.
    pub nan: usize,
    /// +inf values.
    pub pos_inf: usize,
    /// -inf values.
    pub neg_inf: usize,
}

impl NonFiniteReport {
    /// Total number of non-finite values.
    pub fn total(&self) -> usize {
        self.nan + self.pos_inf + self.neg_inf
    }
}

impl Split {
    /// Applies `policy` to every feature value (padding included) of every modality.
    pub fn sanitize(&mut self, policy: NonFinitePolicy) -> Result<NonFiniteReport, DataError> {
        let mut report = NonFiniteReport::default();
        for m in Modality::ALL {
            let seq = &mut self.modalities[m.index()];
            let (steps, dims) = (seq.steps(), seq.dims());
            for (pos, v) in seq.as_mut_slice().iter_mut().enumerate() {
                if v.is_finite() {
                    continue;
                }
                if policy == NonFinitePolicy::Reject {
                    return Err(DataError::NonFinite {
                        split: self.name,
                        modality: m,
                        sample: pos / (steps * dims),
                        step: pos / dims % steps,
                        feature: pos % dims,
                        value: *v,
                    });
                }
                match *v {
                    x if x.is_nan() => report.nan += 1,
                    x if x > 0.0 => report.pos_inf += 1,
                    _ => report.neg_inf += 1,
                }
                *v = 0.0;
            }
        }
        Ok(report)
    }
}

/// Per-feature mean and standard deviation of each modality, fitted on real (unpadded) steps of
/// the training split and applied to every split, so no statistic leaks from valid or test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    /// Per modality, per feature mean.
    pub mean: [Vec<f32>; 3],
    /// Per modality, per feature population standard deviation; features whose deviation is
    /// below [`Standardizer::MIN_STD`] store 1 so they are only centred.
    pub std: [Vec<f32>; 3],
}

impl Standardizer {
    /// Deviations below this are treated as constant features (divided by 1, not by ~0).
    pub const MIN_STD: f64 = 1e-6;

    /// Fits the statistics on the real steps of `train` (accumulated in f64, two passes).
    pub fn fit(train: &Split) -> Standardizer {
        let stats = Modality::ALL.map(|m| {
            let seq = train.modality(m);
            let d = seq.dims();
            let mut sum = vec![0.0f64; d];
            let mut count = 0usize;
            for_each_real_row(seq, &train.lengths, |row| {
                count += 1;
                sum.iter_mut().zip(row).for_each(|(s, &v)| *s += v as f64);
            });
            let mean: Vec<f64> = sum.iter().map(|s| s / count.max(1) as f64).collect();
            let mut sq = vec![0.0f64; d];
            for_each_real_row(seq, &train.lengths, |row| {
                for ((q, &v), mu) in sq.iter_mut().zip(row).zip(&mean) {
                    *q += (v as f64 - mu).powi(2);
                }
            });
            let std: Vec<f32> = sq
                .iter()
                .map(|q| (q / count.max(1) as f64).sqrt())
                .map(|s| if s < Self::MIN_STD { 1.0 } else { s as f32 })
                .collect();
            (mean.iter().map(|&m| m as f32).collect::<Vec<f32>>(), std)
        });
        let [(m0, s0), (m1, s1), (m2, s2)] = stats;
        Standardizer {
            mean: [m0, m1, m2],
            std: [s0, s1, s2],
        }
    }

    /// Standardises the real steps of `split` in place; padding stays exactly zero.
    pub fn apply(&self, split: &mut Split) {
        for m in 0..3 {
            let (mean, std) = (&self.mean[m], &self.std[m]);
            let seq = &mut split.modalities[m];
            let (steps, dims) = (seq.steps(), seq.dims());
            for (i, &len) in split.lengths.iter().enumerate() {
                let sample = &mut seq.as_mut_slice()[i * steps * dims..(i + 1) * steps * dims];
                for row in sample[..len * dims].chunks_exact_mut(dims) {
                    for ((v, mu), sd) in row.iter_mut().zip(mean).zip(std) {
                        *v = (*v - mu) / sd;
                    }
                }
            }
        }
    }
}

fn for_each_real_row(seq: &Sequences, lengths: &[usize], mut f: impl FnMut(&[f32])) {
    for (i, &len) in lengths.iter().enumerate() {
        for t in 0..len {
            f(seq.row(i, t));
        }
    }
}

impl Dataset {
    /// Applies the non-finite policy to every split, then fits a [`Standardizer`] on train and
    /// applies it to all three splits. Returns the statistics and the non-finite counts per split.
    pub fn prepare(
        &mut self,
        policy: NonFinitePolicy,
    ) -> Result<(Standardizer, [NonFiniteReport; 3]), DataError> {
        let mut reports = [NonFiniteReport::default(); 3];
        for (r, name) in reports.iter_mut().zip(SplitName::ALL) {
            *r = self.split_mut(name).sanitize(policy)?;
        }
        let standardizer = Standardizer::fit(&self.train);
        for name in SplitName::ALL {
            standardizer.apply(self.split_mut(name));
        }
        Ok((standardizer, reports))
    }
}
