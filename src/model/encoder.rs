//! The multimodal encoder E of thesis 6.4 (after M3, Georgiou et al. 2021).

use super::attention::{key_bias, Attention};
use super::config::ModelConfig;
use super::cross_modal::CrossModal;
use super::dropout::{Dropout, DropoutStream};
use super::fusion::{last_real_step, FusionNet};
use super::lstm::Lstm;
use crate::data::{Batch, Modality};
use candle_core::{bail, DType, Result, Tensor};
use candle_nn::{Module, ModuleT, VarBuilder};

/// The single-modality encoder of one modality (thesis 6.4, DNN-I): a one-directional LSTM whose
/// hidden states, after dropout, are re-weighted by self-attention into `m_T`, `m_A` or `m_V`.
/// Variables under `lstm.` and `attention.`.
#[derive(Debug, Clone)]
pub struct ModalityEncoder {
    lstm: Lstm,
    attention: Attention,
    dropout: Dropout,
}

impl ModalityEncoder {
    /// An encoder for `in_dim`-sized inputs with the sizes of `cfg`.
    pub fn new(
        in_dim: usize,
        cfg: &ModelConfig,
        dropout: &Dropout,
        vb: VarBuilder,
    ) -> Result<Self> {
        Ok(Self {
            lstm: Lstm::new(in_dim, cfg.hidden, vb.pp("lstm"))?,
            attention: Attention::new(
                cfg.hidden,
                cfg.hidden,
                cfg.attention_dim,
                dropout,
                vb.pp("attention"),
            )?,
            dropout: dropout.clone(),
        })
    }

    /// `m = SelfAttention(dropout(LSTM(x)))`, `[batch, steps, d]`.
    pub fn forward_t(&self, x: &Tensor, key_bias: &Tensor, train: bool) -> Result<Tensor> {
        let states = self.dropout.forward_t(&self.lstm.forward(x)?, train)?;
        self.attention.forward_t(&states, &states, key_bias, train)
    }
}

/// The encoder E (thesis 6.4, figure 6.4.1): three [`ModalityEncoder`]s (DNN-I), the
/// [`CrossModal`] network and a final one-directional fusion LSTM (DNN-II), pooled at each
/// sample's last real step. Output: the fused vector `m_o`, `[batch, fusion_hidden]`.
///
/// Dropout (probability `cfg.dropout`, one seeded stream, see [`DropoutStream`]) sits where the
/// M3 code (slp) puts it: on each modality LSTM's outputs, on every attention weight matrix, and
/// on the fused vector (slp applies it to the fusion RNN's outputs and again before the
/// classifier; we apply it once).
///
/// Pooling: the fusion LSTM's hidden state at step `lengths[b] − 1` (zeros for an empty sample).
/// This is the thesis's "final LSTM … produces the output m_o". Since padding is masked in every
/// attention and every LSTM is one-directional, the output does not depend on how much trailing
/// padding a batch carries. The released code's fusion — bidirectional, self-attention, summed
/// over every step, padding included (`docs/fidelity.md` §4 item 11) — is
/// [`super::Fusion::BidirectionalAttentionSum`] in `cfg.fusion` (see [`FusionNet`]).
///
/// Variables: `text.`, `audio.`, `visual.` (DNN-I), `cross.` (DNN-II attention), `fusion.`.
#[derive(Debug, Clone)]
pub struct Encoder {
    modalities: [ModalityEncoder; 3],
    cross: CrossModal,
    fusion: FusionNet,
    dropout: Dropout,
    stream: DropoutStream,
    input_dims: [usize; 3],
    dtype: DType,
}

impl Encoder {
    /// The encoder of `cfg`, with its variables under `vb` and dropout masks drawn from a stream
    /// seeded with `dropout_seed`. Computes in `vb.dtype()` (inputs are converted).
    pub fn new(cfg: &ModelConfig, dropout_seed: u64, vb: VarBuilder) -> Result<Self> {
        cfg.validate()?;
        let stream = DropoutStream::new(dropout_seed);
        let dropout = Dropout::new(cfg.dropout, &stream);
        let modality = |m: Modality| {
            ModalityEncoder::new(cfg.input_dims[m.index()], cfg, &dropout, vb.pp(m.name()))
        };
        Ok(Self {
            modalities: [
                modality(Modality::Text)?,
                modality(Modality::Audio)?,
                modality(Modality::Visual)?,
            ],
            cross: CrossModal::new(cfg.attention_dim, &dropout, vb.pp("cross"))?,
            fusion: FusionNet::new(cfg, &dropout, vb.pp("fusion"))?,
            dropout,
            stream,
            input_dims: cfg.input_dims,
            dtype: vb.dtype(),
        })
    }

    /// Restarts the dropout stream from `seed`, e.g. once per epoch from the run seed and the
    /// epoch number, so that a run resumed at that epoch draws the same masks.
    pub fn reseed_dropout(&self, seed: u64) -> Result<()> {
        self.stream.reseed(seed)
    }

    /// Size of the fused vector.
    pub fn fused_dim(&self) -> usize {
        self.fusion.dim()
    }

    /// The fused vectors `[batch, fused_dim]` of `batch`; `train` switches dropout on.
    pub fn forward_t(&self, batch: &Batch, train: bool) -> Result<Tensor> {
        Ok(self.states_and_fused(batch, train)?.1)
    }

    /// The fused vectors `m_o` `[batch, fused_dim]` ([`Encoder::forward_t`], the same
    /// operations in the same order, so the same numbers and dropout masks) together with each
    /// modality's own encoding at its last real step, `[batch, attention_dim]` each (as
    /// [`Encoder::modality_vectors`], here in the mode `train` selects), from one pass.
    pub fn encode_t(&self, batch: &Batch, train: bool) -> Result<(Tensor, [Tensor; 3])> {
        let (m, fused) = self.states_and_fused(batch, train)?;
        Ok((fused, pool_last_real_step(m, &batch.lengths)?))
    }

    /// Each modality's own encoding `m_T, m_A, m_V` (thesis 6.4: LSTM + self-attention, before
    /// any cross-modal attention) at its last real step, `[batch, attention_dim]` each, in
    /// evaluation mode: what each modality contributes before fusion (`mmssl embed
    /// --per-modality`).
    pub fn modality_vectors(&self, batch: &Batch) -> Result<[Tensor; 3]> {
        let (m, _) = self.modality_states(batch, false)?;
        pool_last_real_step(m, &batch.lengths)
    }

    /// The modality encoders' output sequences and the fused vectors computed from them.
    fn states_and_fused(&self, batch: &Batch, train: bool) -> Result<([Tensor; 3], Tensor)> {
        let (m, key_bias) = self.modality_states(batch, train)?;
        let fused = self.cross.forward_t(&m, &key_bias, train)?;
        let mask = batch.mask.to_dtype(self.dtype)?;
        let pooled = self
            .fusion
            .forward_t(&fused, &mask, &batch.lengths, &key_bias, train)?;
        Ok((m, self.dropout.forward_t(&pooled, train)?))
    }

    /// The three modality encoders' output sequences and the padding key bias, after checking
    /// the input shapes.
    fn modality_states(&self, batch: &Batch, train: bool) -> Result<([Tensor; 3], Tensor)> {
        let mask = batch.mask.to_dtype(self.dtype)?;
        let (b, t) = mask.dims2()?;
        for (m, x) in Modality::ALL.iter().zip(&batch.modalities) {
            let expected = [b, t, self.input_dims[m.index()]];
            if x.dims() != expected {
                bail!(
                    "encoder: {m} input has shape {:?}, expected {expected:?}",
                    x.dims()
                );
            }
        }
        let key_bias = key_bias(&mask)?;
        let encode = |m: Modality| {
            let x = batch.modalities[m.index()].to_dtype(self.dtype)?;
            self.modalities[m.index()].forward_t(&x, &key_bias, train)
        };
        let m = [
            encode(Modality::Text)?,
            encode(Modality::Audio)?,
            encode(Modality::Visual)?,
        ];
        Ok((m, key_bias))
    }
}

/// Each of the three sequences `[batch, steps, d]` at its sample's last real step.
fn pool_last_real_step(m: [Tensor; 3], lengths: &Tensor) -> Result<[Tensor; 3]> {
    let [t, a, v] = m;
    Ok([
        last_real_step(&t, lengths)?,
        last_real_step(&a, lengths)?,
        last_real_step(&v, lengths)?,
    ])
}
