//! One-directional, single-layer LSTM (thesis 2.5.2, eqs. 2.5.3–2.5.8) with PyTorch's layout.

use super::fused_lstm::lstm_recurrence;
use super::init::symmetric_uniform;
use candle_core::{bail, Result, Tensor};
use candle_nn::{Module, VarBuilder};

/// A one-directional single-layer LSTM over `[batch, steps, in]` sequences, zero initial state.
///
/// Per step, with the gates stacked in PyTorch's order `i, f, g, o`:
///
/// ```text
/// [i; f; g; o] = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
/// i_t = σ(i)   f_t = σ(f)   C̃_t = tanh(g)   o_t = σ(o)          (eqs. 2.5.3, 2.5.4, 2.5.5, 2.5.7)
/// C_t = f_t ⊙ C_{t-1} + i_t ⊙ C̃_t                               (eq. 2.5.6)
/// h_t = o_t ⊙ tanh(C_t)                                           (eq. 2.5.8)
/// ```
///
/// Variables (PyTorch names and shapes): `weight_ih` `[4H, in]`, `weight_hh` `[4H, H]`, `bias_ih`
/// and `bias_hh` `[4H]`, all initialised `U(-1/√H, 1/√H)` as in `torch.nn.LSTM`.
///
/// The input projections `x_t W_ihᵀ + b` of all steps are one matmul; the recurrence over the
/// steps is [`lstm_recurrence`]: one fused op with its own BPTT backward on the CPU, a loop of
/// candle ops elsewhere.
///
/// The state at step `t` depends on steps `0..=t` only, so with padding at the end a sample's
/// states at its real steps do not depend on the padding.
#[derive(Debug, Clone)]
pub struct Lstm {
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor,
    bias_hh: Tensor,
    hidden: usize,
}

impl Lstm {
    /// An LSTM from `in_dim` to `hidden` features with variables under `vb`.
    pub fn new(in_dim: usize, hidden: usize, vb: VarBuilder) -> Result<Self> {
        let init = symmetric_uniform(1.0 / (hidden as f64).sqrt());
        Ok(Self {
            weight_ih: vb.get_with_hints((4 * hidden, in_dim), "weight_ih", init)?,
            weight_hh: vb.get_with_hints((4 * hidden, hidden), "weight_hh", init)?,
            bias_ih: vb.get_with_hints(4 * hidden, "bias_ih", init)?,
            bias_hh: vb.get_with_hints(4 * hidden, "bias_hh", init)?,
            hidden,
        })
    }

    /// Hidden size `H`.
    pub fn hidden(&self) -> usize {
        self.hidden
    }
}

impl Module for Lstm {
    /// All hidden states `[batch, steps, H]` of the sequence `x` `[batch, steps, in]`.
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (batch, steps, in_dim) = x.dims3()?;
        if steps == 0 {
            bail!("lstm: the input has no steps");
        }
        let bias = (&self.bias_ih + &self.bias_hh)?;
        // x W_ihᵀ + b for every step at once; the recurrence adds h_{t-1} W_hhᵀ step by step.
        let projected = x
            .reshape((batch * steps, in_dim))?
            .matmul(&self.weight_ih.t()?)?
            .broadcast_add(&bias)?
            .reshape((batch, steps, 4 * self.hidden))?;
        lstm_recurrence(&projected, &self.weight_hh)
    }
}
