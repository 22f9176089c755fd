//! Architecture hyper-parameters of the encoder, projector and head (thesis table 7.3.1).

use candle_core::{bail, Result};
use serde::{Deserialize, Serialize};

/// Sizes and dropout of the M3-style encoder E, the Barlow Twins projector g and the regression
/// head. [`Default`] gives the thesis's values (table 7.3.1, identical for the SSL and the
/// supervised architecture apart from the projector, which only SSL uses).
///
/// | table 7.3.1 row        | thesis value         | field                                   |
/// | ---------------------- | -------------------- | --------------------------------------- |
/// | RNN type               | one-directional LSTM | (fixed: [`crate::model::Lstm`])         |
/// | Number of layers       | 1                    | (fixed: one layer per LSTM)             |
/// | Hidden size (h_dim)    | 100                  | [`hidden`](Self::hidden), [`fusion_hidden`](Self::fusion_hidden) |
/// | Attention proj. size   | 100                  | [`attention_dim`](Self::attention_dim)  |
/// | Dropout (drop)         | 0.2                  | [`dropout`](Self::dropout)              |
/// | Projector layers       | 3                    | `projector.len()`                       |
/// | Projector neurons      | 1000                 | [`projector`](Self::projector)          |
///
/// The input sizes are those of the CMU-MOSEI features (thesis 5.2): GloVe 300, COVAREP 74,
/// FACET 35.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelConfig {
    /// Feature sizes of the text, audio and visual inputs (thesis 5.2: 300 / 74 / 35).
    pub input_dims: [usize; 3],
    /// Hidden size of each modality's one-directional 1-layer LSTM (table 7.3.1: 100).
    pub hidden: usize,
    /// Projection size `d` of every query / key / value projection, in the self-attention and
    /// the cross-modal attention modules (table 7.3.1 "attention proj. size": 100).
    pub attention_dim: usize,
    /// Dropout probability (table 7.3.1: 0.2); see [`crate::model`] for where it is applied.
    pub dropout: f64,
    /// Hidden size of the final one-directional fusion LSTM, i.e. the size of the fused vector
    /// (table 7.3.1 hidden size: 100; the thesis text makes every LSTM one-directional).
    pub fusion_hidden: usize,
    /// Output sizes of the projector's linear layers (table 7.3.1: 3 layers of 1000).
    pub projector: Vec<usize>,
    /// How the fusion LSTM's states become the fused vector (default: the thesis's
    /// one-directional LSTM at the last real step; not written to configs when default).
    #[serde(skip_serializing_if = "Fusion::is_default")]
    pub fusion: Fusion,
}

/// The fusion network after the cross-modal attention (thesis 6.4, DNN-II's final LSTM).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fusion {
    /// A one-directional LSTM, pooled at each sample's last real step (the thesis's text:
    /// "a final LSTM … produces the output m_o"); fused size `fusion_hidden`.
    #[default]
    LastStep,
    /// The released code's (`modules/baseline.py:255-263, 215-219`; `docs/fidelity.md` §4
    /// item 11): a bidirectional LSTM (each direction over a sample's real steps, outputs at
    /// padded steps zero, as PyTorch's packed sequences give), dropout on its outputs, a
    /// self-attention over them (projection size `2 · fusion_hidden`, padded keys masked), and
    /// the sum of the attention's outputs over every step, padded rows included; fused size
    /// `2 · fusion_hidden`.
    BidirectionalAttentionSum,
}

impl Fusion {
    /// True for the default, which configs do not mention.
    pub fn is_default(&self) -> bool {
        *self == Fusion::default()
    }
}

impl Default for ModelConfig {
    fn default() -> Self {
        Self {
            input_dims: [300, 74, 35],
            hidden: 100,
            attention_dim: 100,
            dropout: 0.2,
            fusion_hidden: 100,
            projector: vec![1000, 1000, 1000],
            fusion: Fusion::default(),
        }
    }
}

impl ModelConfig {
    /// Size of the fused vector that the encoder returns.
    pub fn fused_dim(&self) -> usize {
        match self.fusion {
            Fusion::LastStep => self.fusion_hidden,
            Fusion::BidirectionalAttentionSum => 2 * self.fusion_hidden,
        }
    }

    /// Size of the projector's output embedding (its last layer).
    pub fn embedding_dim(&self) -> usize {
        self.projector.last().copied().unwrap_or(0)
    }

    /// Size of the fusion LSTM's input: the seven concatenated sequences of eq. 6.4.2.
    pub fn fusion_input_dim(&self) -> usize {
        7 * self.attention_dim
    }

    /// Checks that every size is positive and that the dropout is a probability in `[0, 1)`.
    pub fn validate(&self) -> Result<()> {
        let sizes = [
            ("input_dims[0]", self.input_dims[0]),
            ("input_dims[1]", self.input_dims[1]),
            ("input_dims[2]", self.input_dims[2]),
            ("hidden", self.hidden),
            ("attention_dim", self.attention_dim),
            ("fusion_hidden", self.fusion_hidden),
        ];
        for (name, size) in sizes {
            if size == 0 {
                bail!("model config: {name} must be at least 1");
            }
        }
        if self.projector.is_empty() || self.projector.contains(&0) {
            bail!(
                "model config: projector needs at least one layer and positive sizes, got {:?}",
                self.projector
            );
        }
        if !(0.0..1.0).contains(&self.dropout) {
            bail!(
                "model config: dropout must be in [0, 1), got {}",
                self.dropout
            );
        }
        Ok(())
    }
}
