//! Real lengths: how a sample's real steps are told from zero padding.

use serde::{Deserialize, Serialize};

/// How a sample's real steps are told from zero padding. A step is *non-zero* when any value of
/// any modality at that step is not exactly 0 (NaN and ±inf count as non-zero: they are data).
///
/// * `auto` (default): the real steps are the contiguous block from the first to the last
///   non-zero step, whichever side the padding was on (MulT pads at the front, CMU's HDF5 files at
///   the end). All-zero steps inside the block are kept (a word whose audio and visual rows are
///   zero is still a word); all-zero steps before it are treated as padding, so an end-padded
///   sample whose first steps are zero in every modality loses them — use `end` for such files.
/// * `end`: padding is at the end only; the real steps are 0 ..= the last non-zero step.
/// * `front`: padding is at the front only; the real steps are the first non-zero step ..= the
///   last step.
///
/// In every rule a sample with no non-zero step at all gets length 1 (one zero step; the crate
/// needs lengths ≥ 1) and is counted as `empty_samples` in `meta.json`. After detection the real
/// steps are moved to the front and the rest is zero.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum PaddingRule {
    /// First to last non-zero step, padding on either side.
    #[default]
    Auto,
    /// Padding at the front only.
    Front,
    /// Padding at the end only.
    End,
}

impl PaddingRule {
    /// The kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            PaddingRule::Auto => "auto",
            PaddingRule::Front => "front",
            PaddingRule::End => "end",
        }
    }
}

/// The real steps of one sample: `start .. start + len` in the source layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// First real step in the source.
    pub start: usize,
    /// Number of real steps (≥ 1).
    pub len: usize,
    /// True when no step of any modality was non-zero (the span is one zero step).
    pub empty: bool,
}

/// Applies `rule` to one sample: `rows[m]` is modality `m`'s `[steps, dims[m]]` block (an empty
/// slice for a modality that is absent). See [`PaddingRule`] for the definition.
pub fn detect_span(rows: [&[f32]; 3], dims: [usize; 3], steps: usize, rule: PaddingRule) -> Span {
    let nonzero = |t: usize| {
        (0..3).any(|m| {
            let d = dims[m];
            rows[m].len() >= (t + 1) * d && rows[m][t * d..(t + 1) * d].iter().any(|&v| v != 0.0)
        })
    };
    let first = (0..steps).find(|&t| nonzero(t));
    let Some(first) = first else {
        return Span {
            start: 0,
            len: 1.min(steps),
            empty: true,
        };
    };
    let last = (first..steps).rev().find(|&t| nonzero(t)).unwrap_or(first);
    let (start, end) = match rule {
        PaddingRule::Auto => (first, last),
        PaddingRule::End => (0, last),
        PaddingRule::Front => (first, steps - 1),
    };
    Span {
        start,
        len: end - start + 1,
        empty: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_rules() {
        // 5 steps, one modality of 1 dim: [0, 2, 0, 3, 0]
        let x = [0.0, 2.0, 0.0, 3.0, 0.0];
        let rows: [&[f32]; 3] = [&x, &[], &[]];
        let d = [1, 0, 0];
        assert_eq!(
            detect_span(rows, d, 5, PaddingRule::Auto),
            Span {
                start: 1,
                len: 3,
                empty: false
            }
        );
        assert_eq!(
            detect_span(rows, d, 5, PaddingRule::End),
            Span {
                start: 0,
                len: 4,
                empty: false
            }
        );
        assert_eq!(
            detect_span(rows, d, 5, PaddingRule::Front),
            Span {
                start: 1,
                len: 4,
                empty: false
            }
        );
        let z = [0.0; 5];
        assert!(detect_span([&z, &[], &[]], d, 5, PaddingRule::Auto).empty);
    }
}
