//! The small per-modality networks of the related work's objectives (ConCluGen's decoders and
//! modality projections): one linear layer, or one hidden ReLU layer between two.

use super::init::linear;
use candle_core::{Result, Tensor};
use candle_nn::{Linear, Module, VarBuilder};

/// `Linear(in, out)`, or with `hidden > 0` `Linear(in, hidden) → ReLU → Linear(hidden, out)`
/// (the generative objective's decoder, and SimCLR's projection head g, Chen et al. 2020 §2.1,
/// as the multimodal-contrastive objective's modality projections), with biases
/// and PyTorch's `nn.Linear` initialisation. Variables `linear0.{weight, bias}` (and
/// `linear1.`).
#[derive(Debug, Clone)]
pub struct Mlp {
    first: Linear,
    second: Option<Linear>,
}

impl Mlp {
    /// The network `in_dim → out_dim`, through a `hidden`-wide ReLU layer when `hidden > 0`.
    pub fn new(in_dim: usize, hidden: usize, out_dim: usize, vb: VarBuilder) -> Result<Self> {
        if hidden == 0 {
            return Ok(Self {
                first: linear(in_dim, out_dim, true, vb.pp("linear0"))?,
                second: None,
            });
        }
        Ok(Self {
            first: linear(in_dim, hidden, true, vb.pp("linear0"))?,
            second: Some(linear(hidden, out_dim, true, vb.pp("linear1"))?),
        })
    }
}

impl Module for Mlp {
    /// `[.., in_dim]` → `[.., out_dim]`.
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let y = self.first.forward(x)?;
        match &self.second {
            None => Ok(y),
            Some(second) => second.forward(&y.relu()?),
        }
    }
}
