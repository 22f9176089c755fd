//! Label mappings: how source labels become sentiment values in [-3, 3].

use super::{ImportError, ImportErrorKind};
use serde::{Deserialize, Serialize};

/// How source labels become sentiment values in [-3, 3]. Always chosen explicitly (or the
/// identity `sentiment`, the pickles' default) and recorded in `meta.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum LabelMapping {
    /// One value per sample (`[N]`, `[N, 1]` or `[N, 1, 1]`), already a sentiment in [-3, 3];
    /// used as is.
    Sentiment,
    /// `[N, 3]` one-hot rows in the order negative / neutral / positive (CMU YouTube) → −1 / 0 /
    /// +1. Each row must hold exactly one 1 and two 0.
    #[value(name = "one-hot-3")]
    #[serde(rename = "one-hot-3")]
    OneHot3,
    /// One value per sample on a 1–5 scale (ICT-MMMO) → `1.5 · (y − 3)`: 1 → −3, 3 → 0, 5 → +3
    /// (linear, order-preserving). Values outside [1, 5] are an error.
    #[value(name = "likert-1-5")]
    #[serde(rename = "likert-1-5")]
    Likert1To5,
}

impl LabelMapping {
    /// The kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            LabelMapping::Sentiment => "sentiment",
            LabelMapping::OneHot3 => "one-hot-3",
            LabelMapping::Likert1To5 => "likert-1-5",
        }
    }

    /// The rule in words, as written to `meta.json`.
    pub fn rule(self) -> &'static str {
        match self {
            LabelMapping::Sentiment => "identity: one value per sample, must lie in [-3, 3]",
            LabelMapping::OneHot3 => {
                "one-hot [negative, neutral, positive] -> -1, 0, +1 (exactly one 1 per row)"
            }
            LabelMapping::Likert1To5 => "1..5 scale -> 1.5 * (y - 3), so 1 -> -3, 3 -> 0, 5 -> +3",
        }
    }

    /// Maps raw label values of shape `shape` to one sentiment per sample; errors name `source`,
    /// the sample and the value, and suggest the mapping that fits the shape.
    pub fn apply(
        self,
        shape: &[usize],
        values: &[f64],
        source: &str,
    ) -> Result<Vec<f32>, ImportError> {
        let n = shape.first().copied().unwrap_or(0);
        let width: usize = shape.iter().skip(1).product();
        let err = |message: String| ImportError::new(ImportErrorKind::Labels, source, message);
        let shape_hint = if width == 3 {
            "; these look like one-hot rows: use --labels one-hot-3"
        } else {
            ""
        };
        match self {
            LabelMapping::Sentiment | LabelMapping::Likert1To5 => {
                if shape.is_empty() || width != 1 {
                    return Err(err(format!(
                        "labels have shape {shape:?}; --labels {} expects one value per sample ([N], [N, 1] or [N, 1, 1]){shape_hint}",
                        self.name()
                    )));
                }
                let (lo, hi) = if self == LabelMapping::Sentiment {
                    (-3.0, 3.0)
                } else {
                    (1.0, 5.0)
                };
                values
                    .iter()
                    .enumerate()
                    .map(|(i, &y)| {
                        if !(y.is_finite() && (lo..=hi).contains(&y)) {
                            let hint = match self {
                                LabelMapping::Sentiment if (1.0..=5.0).contains(&y) => {
                                    "; a 1-5 scale? use --labels likert-1-5"
                                }
                                _ => "",
                            };
                            return Err(err(format!(
                                "label {y} at sample {i} is outside [{lo}, {hi}] (--labels {}){hint}",
                                self.name()
                            )));
                        }
                        Ok(if self == LabelMapping::Sentiment {
                            y as f32
                        } else {
                            (1.5 * (y - 3.0)) as f32
                        })
                    })
                    .collect()
            }
            LabelMapping::OneHot3 => {
                if shape.len() != 2 || width != 3 {
                    return Err(err(format!(
                        "labels have shape {shape:?}; --labels one-hot-3 expects [N, 3] rows (negative, neutral, positive)"
                    )));
                }
                (0..n)
                    .map(|i| {
                        let row = &values[i * 3..i * 3 + 3];
                        let ones = row.iter().filter(|&&v| v == 1.0).count();
                        let zeros = row.iter().filter(|&&v| v == 0.0).count();
                        if ones != 1 || zeros != 2 {
                            return Err(err(format!(
                                "row {i} is {row:?}, not one-hot (--labels one-hot-3 needs exactly one 1 and two 0)"
                            )));
                        }
                        Ok(row.iter().position(|&v| v == 1.0).expect("one 1") as f32 - 1.0)
                    })
                    .collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_mappings() {
        let v = LabelMapping::OneHot3
            .apply(&[3, 3], &[1., 0., 0., 0., 1., 0., 0., 0., 1.], "y")
            .unwrap();
        assert_eq!(v, vec![-1.0, 0.0, 1.0]);
        let v = LabelMapping::Likert1To5
            .apply(&[3], &[1.0, 3.0, 5.0], "y")
            .unwrap();
        assert_eq!(v, vec![-3.0, 0.0, 3.0]);
        let e = LabelMapping::Sentiment
            .apply(&[1], &[4.5], "y")
            .unwrap_err();
        assert!(e.message.contains("likert-1-5"), "{e}");
        let e = LabelMapping::Sentiment
            .apply(&[2, 3], &[0.0; 6], "y")
            .unwrap_err();
        assert!(e.message.contains("one-hot-3"), "{e}");
    }
}
