//! One-directional, single-layer LSTM (thesis 2.5.2, eqs. 2.5.3–2.5.8) with PyTorch's layout.

use super::init::symmetric_uniform;
use candle_core::{bail, Result, Tensor};
use candle_nn::VarBuilder;

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
/// The input projections `x_t W_ihᵀ + b` of all steps are one matmul; only `h_{t-1} W_hhᵀ` runs
/// per step. The projected sequence is cut into steps by halving recursively rather than by one
/// `narrow` per step: candle's backward of `narrow` pads the gradient to the full parent size,
/// so per-step slicing costs O(steps²) in the backward pass, halving O(steps · log steps).
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
    pub fn new(vb: VarBuilder, in_dim: usize, hidden: usize) -> Result<Self> {
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

    /// All hidden states `[batch, steps, H]` of the sequence `x` `[batch, steps, in]`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (batch, steps, in_dim) = x.dims3()?;
        if steps == 0 {
            bail!("lstm: the input has no steps");
        }
        let h4 = 4 * self.hidden;
        let bias = (&self.bias_ih + &self.bias_hh)?;
        // x W_ihᵀ + b for every step at once, then time-major so that each step is contiguous.
        let projected = x
            .reshape((batch * steps, in_dim))?
            .matmul(&self.weight_ih.t()?)?
            .broadcast_add(&bias)?
            .reshape((batch, steps, h4))?
            .transpose(0, 1)?
            .contiguous()?;
        let mut inputs = Vec::with_capacity(steps);
        split_steps(&projected, &mut inputs)?;

        let w_hh_t = self.weight_hh.t()?;
        let mut states: Vec<Tensor> = Vec::with_capacity(steps);
        let mut cell: Option<Tensor> = None;
        for input in inputs {
            let gates = match states.last() {
                None => input,
                Some(h) => (input + h.matmul(&w_hh_t)?)?,
            };
            let (c, h) = self.cell(&gates, cell.as_ref())?;
            cell = Some(c);
            states.push(h);
        }
        Tensor::stack(&states, 1)
    }

    /// One step of eqs. 2.5.3–2.5.8 from the pre-activations `gates` `[batch, 4H]` and the
    /// previous cell state (`None` = zero); returns `(C_t, h_t)`.
    fn cell(&self, gates: &Tensor, cell: Option<&Tensor>) -> Result<(Tensor, Tensor)> {
        let h = self.hidden;
        let sig = candle_nn::ops::sigmoid(gates)?;
        let input_gate = sig.narrow(1, 0, h)?;
        let candidate = gates.narrow(1, 2 * h, h)?.tanh()?;
        let output_gate = sig.narrow(1, 3 * h, h)?;
        let written = (input_gate * candidate)?;
        let c = match cell {
            None => written,
            Some(c) => ((sig.narrow(1, h, h)? * c)? + written)?,
        };
        let h_t = (output_gate * c.tanh()?)?;
        Ok((c, h_t))
    }
}

/// Cuts `xs` `[steps, …]` into its steps (leading dimension removed) by recursive halving.
fn split_steps(xs: &Tensor, out: &mut Vec<Tensor>) -> Result<()> {
    let n = xs.dim(0)?;
    if n == 1 {
        out.push(xs.squeeze(0)?);
        return Ok(());
    }
    let half = n / 2;
    split_steps(&xs.narrow(0, 0, half)?, out)?;
    split_steps(&xs.narrow(0, half, n - half)?, out)
}
