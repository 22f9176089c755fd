//! The Barlow Twins projector g (thesis 6.2, eqs. 6.2.1–6.2.2; Zbontar et al. 2021).

use super::init::linear;
use candle_core::{Result, Tensor};
use candle_nn::{batch_norm, BatchNorm, BatchNormConfig, Linear, Module, ModuleT, VarBuilder};

/// The projector g of `Z = g(E(aug(m)))` (eqs. 6.2.1, 6.2.2), as in Barlow Twins:
/// `Linear → BatchNorm → ReLU → … → Linear`, i.e. for sizes `[1000, 1000, 1000]` (table 7.3.1)
///
/// ```text
/// Linear(fused, 1000) → BN → ReLU → Linear(1000, 1000) → BN → ReLU → Linear(1000, 1000)
/// ```
///
/// The linear layers are bias-free (Barlow Twins; a bias before BatchNorm is redundant), with
/// PyTorch's default weight initialisation. BatchNorm (ε = 1e-5, momentum 0.1) normalises with
/// the batch statistics and updates its running statistics in training mode, and uses the
/// running statistics in evaluation mode (candle's `BatchNorm::forward_t`). The running
/// statistics are variables of the `VarMap` (`bn{i}.running_mean`, `bn{i}.running_var`), so they
/// are saved with it; they are buffers, not parameters (see [`crate::model::vars_with_prefix`]).
///
/// Variables: `linear{i}.weight` and `bn{i}.{weight, bias, running_mean, running_var}`.
#[derive(Debug, Clone)]
pub struct Projector {
    linears: Vec<Linear>,
    norms: Vec<BatchNorm>,
}

impl Projector {
    /// A projector from `in_dim` through the layer sizes `sizes` (at least one).
    pub fn new(in_dim: usize, sizes: &[usize], vb: VarBuilder) -> Result<Self> {
        let mut linears = Vec::with_capacity(sizes.len());
        let mut norms = Vec::with_capacity(sizes.len().saturating_sub(1));
        let mut from = in_dim;
        for (i, &to) in sizes.iter().enumerate() {
            linears.push(linear(from, to, false, vb.pp(format!("linear{i}")))?);
            if i + 1 < sizes.len() {
                let config = BatchNormConfig::default();
                norms.push(batch_norm(to, config, vb.pp(format!("bn{i}")))?);
            }
            from = to;
        }
        Ok(Self { linears, norms })
    }
}

impl ModuleT for Projector {
    /// The embeddings `[batch, sizes.last()]` of `x` `[batch, in_dim]`; `train` selects batch
    /// statistics (and updates the running ones) in the BatchNorm layers.
    fn forward_t(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        let mut x = x.clone();
        for (i, layer) in self.linears.iter().enumerate() {
            x = layer.forward(&x)?;
            if let Some(norm) = self.norms.get(i) {
                x = norm.forward_t(&x, train)?.relu()?;
            }
        }
        Ok(x)
    }
}
