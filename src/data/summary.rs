//! Per-split statistics of a dataset: what `mmssl synth` prints and what a reader checks first.

use super::{Dataset, Modality, Split, SplitName};
use serde::Serialize;
use std::fmt;

/// Statistics of one modality of one split.
#[derive(Debug, Clone, Serialize)]
pub struct ModalitySummary {
    /// Which modality.
    pub modality: Modality,
    /// Feature dimensions.
    pub dims: usize,
    /// Samples whose real steps are all zero (no signal recorded).
    pub all_zero: usize,
    /// NaN, +inf or -inf values anywhere in the block.
    pub non_finite: usize,
    /// Mean of the real steps' values.
    pub mean: f64,
    /// Population standard deviation of the real steps' values.
    pub std: f64,
}

/// Statistics of one split.
#[derive(Debug, Clone, Serialize)]
pub struct SplitSummary {
    /// Which split.
    pub split: SplitName,
    /// Number of samples.
    pub count: usize,
    /// Padded steps.
    pub steps: usize,
    /// Mean, minimum and maximum real length.
    pub length_mean: f64,
    /// Shortest real length.
    pub length_min: usize,
    /// Longest real length.
    pub length_max: usize,
    /// Mean sentiment label.
    pub label_mean: f64,
    /// Counts of labels rounded (half to even) to -3 … 3, the Acc7 classes.
    pub label_histogram: [usize; 7],
    /// Samples whose label is exactly 0 (excluded by the non-zero binary metrics).
    pub zero_labels: usize,
    /// Per modality statistics, text / audio / visual.
    pub modalities: Vec<ModalitySummary>,
}

/// Statistics of a whole dataset, with its identity.
#[derive(Debug, Clone, Serialize)]
pub struct DatasetSummary {
    /// The identity line of the data.
    pub identity: String,
    /// One entry per split.
    pub splits: Vec<SplitSummary>,
}

impl Split {
    /// Computes this split's statistics.
    pub fn summary(&self) -> SplitSummary {
        let n = self.len().max(1) as f64;
        let mut label_histogram = [0usize; 7];
        for &y in &self.labels {
            let class = (y as f64).clamp(-3.0, 3.0).round_ties_even() as i64 + 3;
            label_histogram[class as usize] += 1;
        }
        let modalities = Modality::ALL
            .iter()
            .map(|&m| {
                let seq = self.modality(m);
                let (mut sum, mut sq, mut count) = (0f64, 0f64, 0usize);
                for (i, &len) in self.lengths.iter().enumerate() {
                    for &v in &seq.sample(i)[..len * seq.dims()] {
                        if v.is_finite() {
                            sum += v as f64;
                            sq += (v as f64) * (v as f64);
                            count += 1;
                        }
                    }
                }
                let mean = sum / count.max(1) as f64;
                ModalitySummary {
                    modality: m,
                    dims: seq.dims(),
                    all_zero: (0..self.len())
                        .filter(|&i| seq.is_all_zero(i, self.lengths[i]))
                        .count(),
                    non_finite: seq.as_slice().iter().filter(|v| !v.is_finite()).count(),
                    mean,
                    std: (sq / count.max(1) as f64 - mean * mean).max(0.0).sqrt(),
                }
            })
            .collect();
        SplitSummary {
            split: self.name,
            count: self.len(),
            steps: self.steps(),
            length_mean: self.lengths.iter().sum::<usize>() as f64 / n,
            length_min: self.lengths.iter().copied().min().unwrap_or(0),
            length_max: self.lengths.iter().copied().max().unwrap_or(0),
            label_mean: self.labels.iter().map(|&y| y as f64).sum::<f64>() / n,
            label_histogram,
            zero_labels: self.labels.iter().filter(|&&y| y == 0.0).count(),
            modalities,
        }
    }
}

impl Dataset {
    /// Computes the statistics of every split.
    pub fn summary(&self) -> DatasetSummary {
        DatasetSummary {
            identity: self.identity.to_string(),
            splits: SplitName::ALL
                .iter()
                .map(|&s| self.split(s).summary())
                .collect(),
        }
    }
}

impl fmt::Display for DatasetSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.identity)?;
        for s in &self.splits {
            writeln!(
                f,
                "{:<5} n={:<6} steps={} length mean {:.1} [{}, {}]  label mean {:+.3}, zero labels {:.1} %",
                s.split.name(),
                s.count,
                s.steps,
                s.length_mean,
                s.length_min,
                s.length_max,
                s.label_mean,
                100.0 * s.zero_labels as f64 / s.count.max(1) as f64
            )?;
            let hist: Vec<String> = (-3..=3)
                .zip(s.label_histogram)
                .map(|(c, k)| format!("{c:+}:{k}"))
                .collect();
            writeln!(f, "      labels (rounded) {}", hist.join(" "))?;
            for m in &s.modalities {
                writeln!(
                    f,
                    "      {:<6} dims={:<3} all-zero {:>5.1} %  non-finite {}  mean {:+.3e} std {:.3e}",
                    m.modality.name(),
                    m.dims,
                    100.0 * m.all_zero as f64 / s.count.max(1) as f64,
                    m.non_finite,
                    m.mean,
                    m.std
                )?;
            }
        }
        Ok(())
    }
}
