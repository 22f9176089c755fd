//! The supervised phase's loss on predicted and true sentiment scores, `[batch]` each: the
//! thesis's L1 (7.3), or RMSE + (1 − CCC), the loss Bulat et al. (2022) fine-tune their
//! valence and arousal regressors on ("trained to jointly minimise the RMSE and CCC losses").

use candle_core::{Result, Tensor};
use serde::{Deserialize, Serialize};

/// Added under the square root of the RMSE and to the CCC's denominator, so that a batch the
/// model predicts exactly, or a one-sample batch, has a finite loss and gradient; it changes
/// neither term by more than f32 rounding once the errors or the variances exceed ~1e-4.
pub const REGRESSION_EPS: f64 = 1e-8;

/// Which loss the supervised phase (full training, fine-tuning and linear heads) minimises.
/// Early stopping and the plateau rule keep the thesis's criterion, the valid MAE, whatever the
/// loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SupervisedLoss {
    /// Mean absolute error (thesis 7.3).
    #[default]
    L1,
    /// `RMSE + (1 − CCC)` over the batch (Bulat et al. 2022, §4 "emotion recognition").
    RmseCcc,
}

impl SupervisedLoss {
    /// True for the thesis's L1 (left out of serialised configs).
    pub fn is_l1(&self) -> bool {
        *self == SupervisedLoss::L1
    }

    /// The loss's name in messages (`L1`, `RMSE + CCC`).
    pub fn label(self) -> &'static str {
        match self {
            SupervisedLoss::L1 => "L1",
            SupervisedLoss::RmseCcc => "RMSE + CCC",
        }
    }

    /// The loss of `predictions` against `labels` (both `[batch]`), a scalar tensor.
    pub fn of(self, predictions: &Tensor, labels: &Tensor) -> Result<Tensor> {
        match self {
            SupervisedLoss::L1 => (predictions - labels)?.abs()?.mean_all(),
            SupervisedLoss::RmseCcc => rmse_ccc_loss(predictions, labels),
        }
    }
}

/// `sqrt(mean((p − y)²) + ε) + 1 − 2 s_py / (s_p² + s_y² + (μ_p − μ_y)² + ε)`, Lin's concordance
/// correlation with 1/n moments (as `metrics::ccc`), on `[batch]` predictions and labels.
pub fn rmse_ccc_loss(predictions: &Tensor, labels: &Tensor) -> Result<Tensor> {
    let rmse = (predictions - labels)?
        .sqr()?
        .mean_all()?
        .affine(1.0, REGRESSION_EPS)?
        .sqrt()?;
    let (mean_p, mean_y) = (predictions.mean_all()?, labels.mean_all()?);
    let centred_p = predictions.broadcast_sub(&mean_p)?;
    let centred_y = labels.broadcast_sub(&mean_y)?;
    let covariance = (&centred_p * &centred_y)?.mean_all()?;
    let denominator = (centred_p.sqr()?.mean_all()?
        + centred_y.sqr()?.mean_all()?
        + (mean_p - mean_y)?.sqr()?)?
    .affine(1.0, REGRESSION_EPS)?;
    let ccc = ((covariance * 2.0)? / denominator)?;
    rmse + ccc.affine(-1.0, 1.0)?
}
