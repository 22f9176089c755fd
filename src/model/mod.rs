//! The M3 encoder E, the Barlow Twins projector g and the regression head (thesis 6.2, 6.4,
//! table 7.3.1), in Candle.
//!
//! ```text
//! text   ─ LSTM ─ dropout ─ self-attention ─ m_T ┐
//! audio  ─ LSTM ─ dropout ─ self-attention ─ m_A ├─ cross-modal (TA, TV, AV, TAV) ─ m̃ [7·d]
//! visual ─ LSTM ─ dropout ─ self-attention ─ m_V ┘
//! m̃ ─ fusion LSTM ─ state at the last real step ─ dropout ─ m_o
//! m_o ─ RegressionHead ─ ŷ          m_o ─ Projector ─ Z (Barlow Twins embedding)
//! ```
//!
//! * [`Lstm`] — eqs. 2.5.3–2.5.8, PyTorch gate order and variable names;
//! * [`Attention`] — masked scaled dot-product attention, eqs. 2.6.5–2.6.6;
//! * [`SymmetricAttention`], [`CrossModal`] — eqs. 6.4.1–6.4.3 and the trimodal `m_TAV`;
//! * [`Encoder`] — E with the concatenation of eq. 6.4.2;
//! * [`Projector`] — g of eqs. 6.2.1–6.2.2; [`RegressionHead`] — the linear head;
//! * [`Decoder`], [`ModalityProjections`] (each a [`Mlp`] per modality) — the generative and
//!   multimodal-contrastive objectives' networks (ConCluGen), under `projector.decoder.` and
//!   `projector.modality.`;
//! * [`Model`] — all three with the variable prefixes `encoder.`, `projector.`, `head.`.
//!
//! Reproducibility: [`seeded_var_builder`] initialises every variable from a seeded stream keyed
//! by its name, and dropout masks come from a seeded [`DropoutStream`] — candle's own
//! initialisers and `ops::dropout` use the device RNG, which cannot be seeded on CPU in
//! candle 0.11. Every operation in a forward pass is a plain candle tensor op, so the model runs
//! on CPU and, with the `cuda` feature, on a GPU (dropout masks are drawn on the host and copied).
//!
//! Padding convention (see [`crate::data`]): real steps first, padding at the end, marked by
//! `Batch::mask` and `Batch::lengths`. Padded keys are masked out of every attention and the
//! output is read at the last real step, so the encoder's output does not depend on padding.

mod attention;
mod config;
mod cross_modal;
mod decoder;
mod dropout;
mod encoder;
pub mod fused_lstm;
mod fusion;
mod head;
mod init;
mod lstm;
mod mlp;
mod modality_projection;
mod projector;

pub use attention::{key_bias, Attention};
pub use config::{Fusion, ModelConfig};
pub use cross_modal::{CrossModal, SymmetricAttention};
pub use decoder::Decoder;
pub use dropout::{Dropout, DropoutStream};
pub use encoder::{Encoder, ModalityEncoder};
pub use fusion::FusionNet;
pub use head::RegressionHead;
pub use init::seeded_var_builder;
pub use lstm::Lstm;
pub use mlp::Mlp;
pub use modality_projection::ModalityProjections;
pub use projector::Projector;

use crate::data::Batch;
use candle_core::{bail, DType, Device, Result, Tensor, Var};
use candle_nn::{Module, ModuleT, VarBuilder, VarMap};
use std::collections::BTreeMap;

/// Variable-name prefix of the encoder E.
pub const ENCODER_PREFIX: &str = "encoder.";
/// Variable-name prefix of the projector g.
pub const PROJECTOR_PREFIX: &str = "projector.";
/// Variable-name prefix of the regression head.
pub const HEAD_PREFIX: &str = "head.";

/// Encoder, regression head and (for self-supervised pre-training) projector, with their
/// variables under [`ENCODER_PREFIX`], [`HEAD_PREFIX`] and [`PROJECTOR_PREFIX`] so that training
/// can freeze a part by prefix (see [`vars_with_prefix`]).
#[derive(Debug, Clone)]
pub struct Model {
    /// The encoder E.
    pub encoder: Encoder,
    /// The regression head.
    pub head: RegressionHead,
    /// The projector g, present when built `with_projector`.
    pub projector: Option<Projector>,
}

impl Model {
    /// The model of `cfg` with variables under `vb`; the projector only `with_projector`;
    /// dropout masks from a stream seeded with `dropout_seed`.
    pub fn new(
        cfg: &ModelConfig,
        with_projector: bool,
        dropout_seed: u64,
        vb: VarBuilder,
    ) -> Result<Self> {
        let encoder = Encoder::new(cfg, dropout_seed, vb.pp("encoder"))?;
        let head = RegressionHead::new(cfg.fused_dim(), vb.pp("head"))?;
        let projector = if with_projector {
            Some(Projector::new(
                cfg.fused_dim(),
                &cfg.projector,
                vb.pp("projector"),
            )?)
        } else {
            None
        };
        Ok(Self {
            encoder,
            head,
            projector,
        })
    }

    /// [`Model::new`] with every variable initialised from `seed` into `varmap` (see
    /// [`seeded_var_builder`]) and the dropout stream seeded from `seed` too. A variable's initial
    /// value depends only on `seed` and its name: the same seed gives the same encoder with or
    /// without a projector.
    pub fn seeded(
        varmap: &VarMap,
        cfg: &ModelConfig,
        with_projector: bool,
        seed: u64,
        dtype: DType,
        device: &Device,
    ) -> Result<Self> {
        let vb = seeded_var_builder(varmap, seed, dtype, device);
        Self::new(cfg, with_projector, seed, vb)
    }

    /// Sentiment predictions `[batch]`: head(E(batch)).
    pub fn forward_t(&self, batch: &Batch, train: bool) -> Result<Tensor> {
        self.head.forward(&self.encoder.forward_t(batch, train)?)
    }

    /// Barlow Twins embeddings `[batch, embedding_dim]`: g(E(batch)) (eqs. 6.2.1, 6.2.2).
    pub fn embed_t(&self, batch: &Batch, train: bool) -> Result<Tensor> {
        self.projector()?
            .forward_t(&self.encoder.forward_t(batch, train)?, train)
    }

    /// [`Model::embed_t`]'s embedding (the same numbers) with what the objectives beyond Barlow
    /// Twins read from the same pass: the fused vector and each modality's own encoding.
    pub fn embed_encoding_t(&self, batch: &Batch, train: bool) -> Result<Encoding> {
        let projector = self.projector()?;
        let (fused, modalities) = self.encoder.encode_t(batch, train)?;
        Ok(Encoding {
            embedding: projector.forward_t(&fused, train)?,
            fused,
            modalities,
        })
    }

    fn projector(&self) -> Result<&Projector> {
        match &self.projector {
            Some(projector) => Ok(projector),
            None => bail!("model: embedding needs a projector (build the model with_projector)"),
        }
    }
}

/// One pass of a batch through E and g (thesis 6.2), as the pre-training objectives read it.
#[derive(Debug, Clone)]
pub struct Encoding {
    /// The fused vector `m_o` `[batch, fused_dim]` (E's output, what the head sees).
    pub fused: Tensor,
    /// `m_T`, `m_A`, `m_V` at each sample's last real step, `[batch, attention_dim]` each
    /// (thesis 6.4: each modality's LSTM + self-attention, before the cross-modal attention).
    pub modalities: [Tensor; 3],
    /// The projector's embedding `Z = g(m_o)` `[batch, embedding_dim]` (eqs. 6.2.1, 6.2.2).
    pub embedding: Tensor,
}

/// True for BatchNorm running statistics: variables of the `VarMap`, but buffers updated by the
/// forward pass, not parameters for an optimiser.
fn is_buffer(name: &str) -> bool {
    name.ends_with(".running_mean") || name.ends_with(".running_var")
}

/// The trainable parameters whose names start with `prefix` (e.g. [`HEAD_PREFIX`] for linear
/// evaluation, `""` for everything), sorted by name; BatchNorm running statistics are left out.
pub fn vars_with_prefix(varmap: &VarMap, prefix: &str) -> Vec<Var> {
    named_vars_with_prefix(varmap, prefix)
        .into_iter()
        .map(|(_, var)| var)
        .collect()
}

/// [`vars_with_prefix`] with each variable's name (the optimiser keeps its state by name, so a
/// resumed run can restore it).
pub fn named_vars_with_prefix(varmap: &VarMap, prefix: &str) -> Vec<(String, Var)> {
    let vars = varmap.data().lock().unwrap_or_else(|e| e.into_inner());
    let mut named: Vec<(String, Var)> = vars
        .iter()
        .filter(|(name, _)| name.starts_with(prefix) && !is_buffer(name))
        .map(|(name, var)| (name.clone(), var.clone()))
        .collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));
    named
}

/// Number of trainable parameters per module, sorted by module name. A module is a variable's
/// name without its last component, cut to at most three components: `encoder.text.lstm`,
/// `encoder.text.attention`, `encoder.cross.ta`, `encoder.cross.tav`, `encoder.fusion.lstm`,
/// `projector.linear0`, `projector.bn0`, `head`, …. BatchNorm running statistics are not counted.
pub fn parameter_counts(varmap: &VarMap) -> Vec<(String, usize)> {
    let vars = varmap.data().lock().unwrap_or_else(|e| e.into_inner());
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (name, var) in vars.iter().filter(|(name, _)| !is_buffer(name)) {
        let parts: Vec<&str> = name.split('.').collect();
        let module = parts[..parts.len().saturating_sub(1).clamp(1, 3)].join(".");
        *counts.entry(module).or_default() += var.elem_count();
    }
    counts.into_iter().collect()
}
