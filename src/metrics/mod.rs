//! MOSEI metrics (thesis 7.3): MAE, Pearson r, Acc7, Acc5, Acc2 and weighted F1.
//!
//! Definitions follow the common MOSEI evaluation code (MulT's `eval_mosei_senti`), with
//! predictions `p` and labels `y` (sentiment scores in [−3, 3]):
//!
//! * `mae` = mean |p − y|; `corr` = Pearson r, `None` when undefined (n < 2 or a constant side);
//! * `acc7`: `round(clip(p, −3, 3)) == round(clip(y, −3, 3))`; `acc5`: the same with [−2, 2];
//!   rounding is numpy's `np.round`, i.e. round half to EVEN (2.5 → 2, −0.5 → 0, 1.5 → 2);
//! * non-zero variant (the thesis's definition: negative [−3, 0) vs positive (0, 3]):
//!   `acc2_non0` / `f1_non0` compare `p > 0` with `y > 0` over the samples with `y != 0`; a
//!   prediction of exactly 0 counts as negative, as in the reference code; `None` when every
//!   label is 0;
//! * has-zero variant: `acc2_has0` / `f1_has0` compare `p >= 0` with `y >= 0` over all samples;
//! * F1 is sklearn's `f1_score(y_true, y_pred, average="weighted")`: per-class F1 weighted by the
//!   support of the true labels (the thesis's released code swaps the arguments; we do not).
//!
//! Beside them, the regression metrics of the related face pre-training work (Bulat et al., "Pre-training strategies and datasets for
//! facial representation learning", 2022; scored
//! on valence / arousal): `rmse` = √mean (p − y)², `ccc` = Lin's concordance correlation,
//! `sagr` = the share of samples whose sign is the label's (see [`rmse`], [`ccc`], [`sagr`]).
//! PCC is `corr`.

mod classification;
mod csv_input;
mod regression;

pub use classification::{accuracy, sentiment_class, weighted_f1};
pub use csv_input::{read_predictions_csv, CsvError, CsvErrorKind, PredictionTable};
pub use regression::{ccc, mae, pearson, rmse, sagr};

use serde::{Deserialize, Serialize};
use std::fmt;

/// The thesis 7.3 evaluation of one prediction set; `None` fields serialise as JSON `null`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Mean absolute error, mean |p − y|.
    pub mae: f64,
    /// Pearson correlation of p and y; `None` when n < 2 or either side is constant.
    pub corr: Option<f64>,
    /// 7-class accuracy: half-to-even rounding after clipping to [−3, 3].
    pub acc7: f64,
    /// 5-class accuracy: half-to-even rounding after clipping to [−2, 2].
    pub acc5: f64,
    /// Binary accuracy of `p > 0` vs `y > 0` over samples with `y != 0`; `None` if there are none.
    pub acc2_non0: Option<f64>,
    /// Weighted F1 of `p > 0` vs `y > 0` over samples with `y != 0`; `None` if there are none.
    pub f1_non0: Option<f64>,
    /// Binary accuracy of `p >= 0` vs `y >= 0` over all samples.
    pub acc2_has0: f64,
    /// Weighted F1 of `p >= 0` vs `y >= 0` over all samples.
    pub f1_has0: f64,
    /// Number of samples.
    pub n: usize,
    /// `f1_non0` as the released code computes it, with sklearn's arguments swapped
    /// (`docs/fidelity.md` §4 item 13, [`weighted_f1_swapped`]); only where a run asks for it
    /// (`fidelity.f1_arguments_swapped`), always beside the correct value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub f1_swapped: Option<f64>,
    /// Root mean squared error (Bulat et al. 2022); `None` only in rows stored before it was computed.
    #[serde(default)]
    pub rmse: Option<f64>,
    /// Lin's concordance correlation (Bulat et al. 2022); `None` where undefined or in older rows.
    #[serde(default)]
    pub ccc: Option<f64>,
    /// Sign agreement (Bulat et al. 2022); `None` only in rows stored before it was computed.
    #[serde(default)]
    pub sagr: Option<f64>,
}

/// Why [`evaluate`] rejected its input (thesis 7.3 metrics need paired, finite scores).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MetricsError {
    /// Predictions and labels differ in length.
    #[error("{predictions} predictions but {labels} labels")]
    LengthMismatch {
        /// Number of predictions.
        predictions: usize,
        /// Number of labels.
        labels: usize,
    },
    /// There is no sample to evaluate.
    #[error("no samples to evaluate")]
    Empty,
    /// A prediction or label is NaN or infinite.
    #[error("{side} at index {index} is not finite: {value}")]
    NonFinite {
        /// `prediction` or `label`.
        side: &'static str,
        /// 0-based index of the offending sample.
        index: usize,
        /// The offending value.
        value: f64,
    },
}

const NON_EMPTY: &str = "evaluate rejects empty input";

/// Computes every thesis 7.3 metric (see the module docs for the exact definitions).
///
/// Worked by hand: the absolute errors are 0.5, 0.2, 0.4 and 0.7 (MAE 0.45); of the three
/// non-zero labels (positive, negative, positive) the signs of two are predicted (Acc2 2/3);
/// with the zero label counted as non-negative, three of four are.
///
/// ```
/// let m = mmssl::metrics::evaluate(&[2.5, -1.0, 0.4, -0.2], &[3.0, -1.2, 0.0, 0.5])?;
/// assert!((m.mae - 0.45).abs() < 1e-12);
/// assert_eq!(m.acc2_non0, Some(2.0 / 3.0));
/// assert_eq!(m.acc2_has0, 0.75);
/// assert_eq!(m.n, 4);
/// # Ok::<(), mmssl::metrics::MetricsError>(())
/// ```
pub fn evaluate(predictions: &[f64], labels: &[f64]) -> Result<Metrics, MetricsError> {
    if predictions.len() != labels.len() {
        return Err(MetricsError::LengthMismatch {
            predictions: predictions.len(),
            labels: labels.len(),
        });
    }
    if labels.is_empty() {
        return Err(MetricsError::Empty);
    }
    for (side, values) in [("prediction", predictions), ("label", labels)] {
        if let Some(index) = values.iter().position(|v| !v.is_finite()) {
            let value = values[index];
            return Err(MetricsError::NonFinite { side, index, value });
        }
    }

    let classes = |values: &[f64], bound: f64| -> Vec<i64> {
        values.iter().map(|&v| sentiment_class(v, bound)).collect()
    };
    let (non0_true, non0_pred) = non_zero_classes(predictions, labels);
    let has0_true: Vec<bool> = labels.iter().map(|&y| y >= 0.0).collect();
    let has0_pred: Vec<bool> = predictions.iter().map(|&p| p >= 0.0).collect();

    Ok(Metrics {
        mae: mae(predictions, labels),
        corr: pearson(predictions, labels),
        acc7: accuracy(&classes(labels, 3.0), &classes(predictions, 3.0)).expect(NON_EMPTY),
        acc5: accuracy(&classes(labels, 2.0), &classes(predictions, 2.0)).expect(NON_EMPTY),
        acc2_non0: accuracy(&non0_true, &non0_pred),
        f1_non0: weighted_f1(&non0_true, &non0_pred),
        acc2_has0: accuracy(&has0_true, &has0_pred).expect(NON_EMPTY),
        f1_has0: weighted_f1(&has0_true, &has0_pred).expect(NON_EMPTY),
        n: labels.len(),
        f1_swapped: None,
        rmse: Some(rmse(predictions, labels)),
        ccc: ccc(predictions, labels),
        sagr: Some(sagr(predictions, labels)),
    })
}

/// The released code's reported F1 (`utils/mosei_metrics.py:55-57`): `f1_score(p > 0, y > 0,
/// average="weighted")` over the samples with `y != 0` — predictions in sklearn's `y_true` slot,
/// so the classes are weighted by how often they are predicted. `None` without such samples.
pub fn weighted_f1_swapped(predictions: &[f64], labels: &[f64]) -> Option<f64> {
    let (truth, predicted) = non_zero_classes(predictions, labels);
    weighted_f1(&predicted, &truth)
}

/// The non-zero variant's binary classes `(y > 0, p > 0)` over the samples with `y != 0`.
fn non_zero_classes(predictions: &[f64], labels: &[f64]) -> (Vec<bool>, Vec<bool>) {
    labels
        .iter()
        .zip(predictions)
        .filter(|&(&y, _)| y != 0.0)
        .map(|(&y, &p)| (y > 0.0, p > 0.0))
        .unzip()
}

/// A human-readable table of the thesis 7.3 metrics and Bulat et al.'s, `n/a` where a metric is
/// undefined.
impl fmt::Display for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show =
            |value: Option<f64>| value.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.4}"));
        let rows = [
            ("MAE", "mean |prediction - label|", show(Some(self.mae))),
            ("Corr", "Pearson r", show(self.corr)),
            ("Acc7", "classes -3..3, half-to-even", show(Some(self.acc7))),
            ("Acc5", "classes -2..2, half-to-even", show(Some(self.acc5))),
            (
                "Acc2",
                "non-zero: y<0 vs y>0, y=0 left out",
                show(self.acc2_non0),
            ),
            ("F1", "non-zero, weighted", show(self.f1_non0)),
            ("Acc2", "has-zero: y<0 vs y>=0", show(Some(self.acc2_has0))),
            ("F1", "has-zero, weighted", show(Some(self.f1_has0))),
            ("RMSE", "root mean squared error", show(self.rmse)),
            ("CCC", "Lin's concordance correlation", show(self.ccc)),
            ("SAGR", "sign agreement, numpy sign", show(self.sagr)),
        ];
        writeln!(
            f,
            "MOSEI metrics (thesis 7.3; RMSE, CCC, SAGR as Bulat et al. 2022), n = {}",
            self.n
        )?;
        for (name, definition, value) in rows {
            writeln!(f, "  {name:<5} {definition:<36} {value:>8}")?;
        }
        Ok(())
    }
}
