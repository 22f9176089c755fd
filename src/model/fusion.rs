//! The fusion network at the end of DNN-II (thesis 6.4): the fused sequence m̃ of the
//! cross-modal attention → the fused vector m_o, as the thesis's text builds it or as the
//! released code does ([`Fusion`]).

use super::attention::Attention;
use super::config::{Fusion, ModelConfig};
use super::dropout::Dropout;
use super::lstm::Lstm;
use candle_core::{DType, Result, Tensor};
use candle_nn::{Module, ModuleT, VarBuilder};

/// The fusion network of a [`Fusion`] kind. Variables: `lstm.` (the forward LSTM), and for
/// [`Fusion::BidirectionalAttentionSum`] also `lstm_reverse.` and `attention.`.
#[derive(Debug, Clone)]
pub struct FusionNet {
    forward: Lstm,
    released: Option<Released>,
}

/// The released code's additions: the backward direction, the dropout on the LSTM's outputs
/// and the self-attention whose outputs are summed.
#[derive(Debug, Clone)]
struct Released {
    backward: Lstm,
    attention: Attention,
    dropout: Dropout,
}

impl FusionNet {
    /// The fusion of `cfg.fusion` on `7 · attention_dim`-sized inputs (eq. 6.4.2), with
    /// `dropout` where the released code has it (LSTM outputs, attention weights).
    pub fn new(cfg: &ModelConfig, dropout: &Dropout, vb: VarBuilder) -> Result<Self> {
        let (input, hidden) = (cfg.fusion_input_dim(), cfg.fusion_hidden);
        let forward = Lstm::new(input, hidden, vb.pp("lstm"))?;
        let released = match cfg.fusion {
            Fusion::LastStep => None,
            Fusion::BidirectionalAttentionSum => Some(Released {
                backward: Lstm::new(input, hidden, vb.pp("lstm_reverse"))?,
                attention: Attention::new(
                    2 * hidden,
                    2 * hidden,
                    2 * hidden,
                    dropout,
                    vb.pp("attention"),
                )?,
                dropout: dropout.clone(),
            }),
        };
        Ok(Self { forward, released })
    }

    /// Size of the fused vector.
    pub fn dim(&self) -> usize {
        match self.released {
            None => self.forward.hidden(),
            Some(_) => 2 * self.forward.hidden(),
        }
    }

    /// The fused vectors `[batch, dim]` of the fused sequences `x` `[batch, steps, 7d]` with
    /// padding `mask` `[batch, steps]` (1 real), real `lengths` `[batch]` and the matching
    /// attention `key_bias`.
    pub fn forward_t(
        &self,
        x: &Tensor,
        mask: &Tensor,
        lengths: &Tensor,
        key_bias: &Tensor,
        train: bool,
    ) -> Result<Tensor> {
        let forward = self.forward.forward(x)?;
        let Some(r) = &self.released else {
            return last_real_step(&forward, lengths);
        };
        // PyTorch's packed bidirectional LSTM: the backward direction runs over each sample's
        // real steps from the last to the first, and both directions output 0 at padded steps.
        let reverse = ReverseWithin::new(lengths, x.dim(1)?)?;
        let backward = reverse.apply(&r.backward.forward(&reverse.apply(x)?)?)?;
        let real = mask.unsqueeze(2)?;
        let states = Tensor::cat(&[forward, backward], 2)?.broadcast_mul(&real)?;
        let states = r.dropout.forward_t(&states, train)?;
        // `out = self.attention(out, attention_mask=…); out = out.sum(1)`: every row, the
        // padded ones too (their zero queries attend uniformly over the real keys).
        r.attention
            .forward_t(&states, &states, key_bias, train)?
            .sum(1)
    }
}

/// The permutation that reverses each sample's first `lengths[b]` steps and leaves its padded
/// steps in place (an involution), as a row gather on the flattened `[batch · steps]` axis.
struct ReverseWithin {
    index: Tensor,
}

impl ReverseWithin {
    fn new(lengths: &Tensor, steps: usize) -> Result<Self> {
        let device = lengths.device().clone();
        let lengths = lengths.to_dtype(DType::U32)?.to_vec1::<u32>()?;
        let mut index = Vec::with_capacity(lengths.len() * steps);
        for (b, &len) in lengths.iter().enumerate() {
            let len = (len as usize).min(steps);
            let base = b * steps;
            index.extend((0..steps).map(|t| (base + if t < len { len - 1 - t } else { t }) as u32));
        }
        let n = index.len();
        Ok(Self {
            index: Tensor::from_vec(index, n, &device)?,
        })
    }

    /// `x` `[batch, steps, d]` with each sample's real steps reversed.
    fn apply(&self, x: &Tensor) -> Result<Tensor> {
        let (batch, steps, d) = x.dims3()?;
        x.reshape((batch * steps, d))?
            .index_select(&self.index, 0)?
            .reshape((batch, steps, d))
    }
}

/// `states[b, lengths[b] − 1, :]` for every sample `b` (zeros where `lengths[b]` is 0 or larger
/// than the number of steps), as a one-hot matmul so it stays on the device and differentiable.
pub(super) fn last_real_step(states: &Tensor, lengths: &Tensor) -> Result<Tensor> {
    let (batch, steps, _) = states.dims3()?;
    let positions = Tensor::arange(1u32, steps as u32 + 1, states.device())?.unsqueeze(0)?;
    let lengths = lengths.to_dtype(DType::U32)?.reshape((batch, 1))?;
    let one_hot = positions
        .broadcast_eq(&lengths)?
        .to_dtype(states.dtype())?
        .unsqueeze(1)?;
    one_hot.matmul(states)?.squeeze(1)
}
