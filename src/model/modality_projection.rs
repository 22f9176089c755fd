//! The per-modality projections of the multimodal-contrastive objective (ConCluGen's
//! Multi-Cont).

use super::config::ModelConfig;
use super::mlp::Mlp;
use crate::data::Modality;
use candle_core::{Result, Tensor};
use candle_nn::{Module, VarBuilder};

/// One projection head per modality on its pooled encoding `m_T`, `m_A`, `m_V` `[batch,
/// attention_dim]` (ConCluGen's Multi-Cont, with SimCLR's head: Chen et al. 2020 §2.1,
/// `Linear → ReLU → Linear`, every width `attention_dim`), so the three land in one space where
/// their cosine similarities are compared. Variables `text.`, `audio.`, `visual.`, each an
/// [`Mlp`].
#[derive(Debug, Clone)]
pub struct ModalityProjections {
    modalities: [Mlp; 3],
}

impl ModalityProjections {
    /// The projections of `cfg` (`attention_dim` in, hidden and out).
    pub fn new(cfg: &ModelConfig, vb: VarBuilder) -> Result<Self> {
        let d = cfg.attention_dim;
        let head = |m: Modality| Mlp::new(d, d, d, vb.pp(m.name()));
        Ok(Self {
            modalities: [
                head(Modality::Text)?,
                head(Modality::Audio)?,
                head(Modality::Visual)?,
            ],
        })
    }

    /// The projected text, audio and visual encodings, `[batch, attention_dim]` each.
    pub fn forward(&self, pooled: &[Tensor; 3]) -> Result<[Tensor; 3]> {
        let project = |m: Modality| self.modalities[m.index()].forward(&pooled[m.index()]);
        Ok([
            project(Modality::Text)?,
            project(Modality::Audio)?,
            project(Modality::Visual)?,
        ])
    }
}
