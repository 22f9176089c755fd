//! The regression head on the fused vector (thesis 6.2, 7.1).

use super::init::linear;
use candle_core::{Result, Tensor};
use candle_nn::{Linear, Module, VarBuilder};

/// One linear layer from the fused vector to the sentiment score, `ŷ = m_o wᵀ + b` (thesis 7.1:
/// "the final classification layer", trained for regression with an L1 loss, 7.3). PyTorch's
/// default initialisation. Variables `weight` `[1, in]` and `bias` `[1]`.
#[derive(Debug, Clone)]
pub struct RegressionHead {
    linear: Linear,
}

impl RegressionHead {
    /// A head on `in_dim`-sized fused vectors.
    pub fn new(in_dim: usize, vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            linear: linear(in_dim, 1, true, vb)?,
        })
    }
}

impl Module for RegressionHead {
    /// Predictions `[batch]` from fused vectors `[batch, in_dim]`.
    fn forward(&self, fused: &Tensor) -> Result<Tensor> {
        self.linear.forward(fused)?.squeeze(1)
    }
}
