//! The decoder of the generative objective (ConCluGen's Generative variant): the fused vector
//! `m_o` back to each modality's input features.

use super::config::ModelConfig;
use super::mlp::Mlp;
use crate::data::Modality;
use candle_core::{Result, Tensor};
use candle_nn::{Module, VarBuilder};

/// One [`Mlp`] per modality from the fused vector `m_o` `[batch, fused_dim]` to that modality's
/// feature size (ConCluGen's Generative: the representation decoded back to each modality's
/// input). Its output is broadcast over the steps: a `[batch, steps, dim]` sequence that is the
/// same at every step. ConCluGen reconstructs per-modality features averaged over time, and
/// with a step-constant prediction the masked MSE over real steps is exactly the MSE to each
/// utterance's time average plus that utterance's (constant) within-sequence variance, so the
/// decoder learns the same target from the one vector the downstream head sees.
/// Variables `text.`, `audio.`, `visual.`, each an [`Mlp`].
#[derive(Debug, Clone)]
pub struct Decoder {
    modalities: [Mlp; 3],
}

impl Decoder {
    /// The decoder of `cfg` (fused size in, `cfg.input_dims` out), through a `hidden`-wide layer
    /// when `hidden > 0` (`ssl.generative.decoder_hidden`).
    pub fn new(cfg: &ModelConfig, hidden: usize, vb: VarBuilder) -> Result<Self> {
        let decoder = |m: Modality| {
            Mlp::new(
                cfg.fused_dim(),
                hidden,
                cfg.input_dims[m.index()],
                vb.pp(m.name()),
            )
        };
        Ok(Self {
            modalities: [
                decoder(Modality::Text)?,
                decoder(Modality::Audio)?,
                decoder(Modality::Visual)?,
            ],
        })
    }

    /// The reconstructions `[batch, steps, dim_m]` of text, audio and visual from the fused
    /// vectors `fused` `[batch, fused_dim]`, one per utterance repeated over `steps`.
    pub fn forward(&self, fused: &Tensor, steps: usize) -> Result<[Tensor; 3]> {
        let decode = |m: Modality| -> Result<Tensor> {
            let y = self.modalities[m.index()].forward(fused)?;
            let (batch, dim) = y.dims2()?;
            y.unsqueeze(1)?.broadcast_as((batch, steps, dim))
        };
        Ok([
            decode(Modality::Text)?,
            decode(Modality::Audio)?,
            decode(Modality::Visual)?,
        ])
    }
}
