//! A fused LSTM recurrence for the CPU: one candle [`CustomOp2`] with its own forward and
//! backward (back-propagation through time) over `gemm`, instead of a graph of ~15 candle ops per
//! step (see `examples/lstm_bench.rs` for timings).
//!
//! The caller computes the input projections of all steps in one matmul (autograd handles it),
//!
//! ```text
//! gates_x[b, t] = W_ih x_t + b_ih + b_hh        [batch, steps, 4H], gate order i, f, g, o
//! ```
//!
//! and [`lstm_recurrence`] runs the rest of the standard LSTM (Hochreiter & Schmidhuber 1997 with
//! the forget gate of Gers et al.; thesis 2.5.2, eqs. 2.5.3–2.5.8; the formulation and layout of
//! PyTorch's `nn.LSTM`), from `h_{-1} = C_{-1} = 0`:
//!
//! ```text
//! [a_i; a_f; a_g; a_o] = gates_x[:, t] + h_{t-1} W_hhᵀ
//! i_t = σ(a_i)   f_t = σ(a_f)   C̃_t = tanh(a_g)   o_t = σ(a_o)    (eqs. 2.5.3, 2.5.4, 2.5.5, 2.5.7)
//! C_t = f_t ⊙ C_{t-1} + i_t ⊙ C̃_t                                (eq. 2.5.6)
//! h_t = o_t ⊙ tanh(C_t)                                            (eq. 2.5.8)
//! ```
//!
//! [`lstm_recurrence_reference`] is the same recurrence as a step loop of plain candle ops: the
//! reference for tests and benchmarks, and the implementation used on non-CPU devices.
//!
//! Implementation (CPU, f32 and f64): all buffers stay row-major `[batch, steps, ·]`; step `t`
//! adds `h_{t-1} W_hhᵀ` into rows `t` of the gate buffer with one strided `gemm` call and then
//! applies the gates in place, so the step loop allocates nothing. The samples are independent,
//! so blocks of them run on rayon's threads. The backward pass is a second op that recomputes
//! the forward pass and runs BPTT (see `backward`); `dW_hh` is one gemm over all steps at the
//! end. In f32, tanh and σ are a branch-free rational approximation (a few ulp) so that the
//! gate loops vectorise; f64 uses the exact functions.

use candle_core::{
    backend::BackendStorage, bail, CpuStorage, CustomOp2, CustomOp3, DType, Layout, Result, Shape,
    Tensor, WithDType,
};
use gemm::Parallelism;
use rayon::prelude::*;

/// All hidden states `[batch, steps, H]` of an LSTM with zero initial state, from the input
/// projections `gates_x` `[batch, steps, 4H]` (`x_t W_ihᵀ + b_ih + b_hh`, gate order i, f, g, o)
/// and the recurrent weights `w_hh` `[4H, H]` (PyTorch's `weight_hh_l0`); see the module docs for
/// the equations.
///
/// On the CPU (f32 or f64) this is one fused op whose backward gives the gradients of `gates_x`
/// and `w_hh`; on other devices it is [`lstm_recurrence_reference`].
pub fn lstm_recurrence(gates_x: &Tensor, w_hh: &Tensor) -> Result<Tensor> {
    check_shapes(gates_x, w_hh)?;
    if !gates_x.device().is_cpu() || !matches!(gates_x.dtype(), DType::F32 | DType::F64) {
        return lstm_recurrence_reference(gates_x, w_hh);
    }
    gates_x
        .contiguous()?
        .apply_op2(&w_hh.contiguous()?, LstmRecurrence)
}

/// [`lstm_recurrence`] as a step loop of plain candle ops, differentiated by candle's autograd.
pub fn lstm_recurrence_reference(gates_x: &Tensor, w_hh: &Tensor) -> Result<Tensor> {
    let (_, steps, hidden) = check_shapes(gates_x, w_hh)?;
    let w_hh_t = w_hh.t()?;
    // Time-major, then cut into steps by recursive halving: candle's backward of `narrow` pads
    // the gradient to the parent's size, so one `narrow` per step would cost O(steps²) in the
    // backward pass, halving costs O(steps · log steps).
    let mut inputs = Vec::with_capacity(steps);
    split_steps(&gates_x.transpose(0, 1)?.contiguous()?, &mut inputs)?;
    let mut states: Vec<Tensor> = Vec::with_capacity(steps);
    let mut cell: Option<Tensor> = None;
    for mut gates in inputs {
        if let Some(h) = states.last() {
            gates = (gates + h.matmul(&w_hh_t)?)?;
        }
        let gate = |k: usize| gates.narrow(1, k * hidden, hidden);
        let i = candle_nn::ops::sigmoid(&gate(0)?)?;
        let f = candle_nn::ops::sigmoid(&gate(1)?)?;
        let g = gate(2)?.tanh()?;
        let o = candle_nn::ops::sigmoid(&gate(3)?)?;
        let c = match &cell {
            None => (i * g)?,
            Some(c) => ((f * c)? + (i * g)?)?,
        };
        states.push((o * c.tanh()?)?);
        cell = Some(c);
    }
    Tensor::stack(&states, 1)
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

/// `(batch, steps, hidden)` after checking that the shapes and dtypes fit together.
fn check_shapes(gates_x: &Tensor, w_hh: &Tensor) -> Result<(usize, usize, usize)> {
    let (batch, steps, h4) = gates_x.dims3()?;
    let (w_rows, hidden) = w_hh.dims2()?;
    if batch == 0 || steps == 0 || hidden == 0 || h4 != 4 * hidden || w_rows != h4 {
        bail!(
            "lstm_recurrence: gates_x {:?} and w_hh {:?} must be [batch, steps, 4H] and [4H, H], \
             all non-empty",
            gates_x.shape(),
            w_hh.shape()
        );
    }
    if gates_x.dtype() != w_hh.dtype() {
        bail!(
            "lstm_recurrence: dtypes differ: gates_x {:?}, w_hh {:?}",
            gates_x.dtype(),
            w_hh.dtype()
        );
    }
    Ok((batch, steps, hidden))
}

/// The fused recurrence: `(gates_x, w_hh) -> h`, CPU only (non-CPU devices never reach it).
struct LstmRecurrence;

impl CustomOp2 for LstmRecurrence {
    fn name(&self) -> &'static str {
        "lstm-recurrence"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let dims = Dims::of(l1)?;
        let h = match (s1, s2) {
            (CpuStorage::F32(_), CpuStorage::F32(_)) => {
                CpuStorage::F32(forward(dims, slice(s1, l1)?, slice(s2, l2)?).h)
            }
            (CpuStorage::F64(_), CpuStorage::F64(_)) => {
                CpuStorage::F64(forward(dims, slice(s1, l1)?, slice(s2, l2)?).h)
            }
            _ => bail!("{}: needs f32 or f64, got {:?}", self.name(), s1.dtype()),
        };
        Ok((h, Shape::from((dims.batch, dims.steps, dims.hidden))))
    }

    /// Back-propagation through time as another (non-differentiable) op, which recomputes the
    /// forward pass: nothing is kept between the calls.
    fn bwd(
        &self,
        gates_x: &Tensor,
        w_hh: &Tensor,
        _h: &Tensor,
        grad_h: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>)> {
        let grads =
            gates_x.apply_op3_no_bwd(w_hh, &grad_h.contiguous()?, &LstmRecurrenceBackward)?;
        let n = gates_x.elem_count();
        let d_gates_x = grads.narrow(0, 0, n)?.reshape(gates_x.shape())?;
        let d_w_hh = grads
            .narrow(0, n, w_hh.elem_count())?
            .reshape(w_hh.shape())?;
        Ok((Some(d_gates_x), Some(d_w_hh)))
    }
}

/// The backward of [`LstmRecurrence`]: `(gates_x, w_hh, grad_h)` to the gradients of `gates_x`
/// and `w_hh`, flattened and concatenated into one vector.
struct LstmRecurrenceBackward;

impl CustomOp3 for LstmRecurrenceBackward {
    fn name(&self) -> &'static str {
        "lstm-recurrence-backward"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let dims = Dims::of(l1)?;
        let grads = match (s1, s2, s3) {
            (CpuStorage::F32(_), CpuStorage::F32(_), CpuStorage::F32(_)) => CpuStorage::F32(
                backward(dims, slice(s1, l1)?, slice(s2, l2)?, slice(s3, l3)?),
            ),
            (CpuStorage::F64(_), CpuStorage::F64(_), CpuStorage::F64(_)) => CpuStorage::F64(
                backward(dims, slice(s1, l1)?, slice(s2, l2)?, slice(s3, l3)?),
            ),
            _ => bail!("{}: needs f32 or f64, got {:?}", self.name(), s1.dtype()),
        };
        let len = l1.shape().elem_count() + l2.shape().elem_count();
        Ok((grads, Shape::from(len)))
    }
}

/// The contiguous elements of a CPU storage seen through `layout`.
fn slice<'a, F: WithDType>(storage: &'a CpuStorage, layout: &Layout) -> Result<&'a [F]> {
    let Some((start, end)) = layout.contiguous_offsets() else {
        bail!("lstm-recurrence: expects contiguous inputs");
    };
    Ok(&storage.as_slice::<F>()?[start..end])
}

/// Float types of the fused kernels: f32 with a branch-free (vectorisable) tanh, f64 exact.
trait Real: WithDType {
    fn tanh(self) -> Self;
    fn sigmoid(self) -> Self;
}

impl Real for f32 {
    /// The rational minimax approximation of Eigen's `generic_fast_tanh_float` (also used by
    /// XLA and ONNX Runtime): odd degree 13 over even degree 6 on `[-7.905, 7.905]`, where f32
    /// tanh rounds to ±1 outside. Branch-free, so loops over it vectorise; absolute and relative
    /// error < 4e-7, a few ulp (`fast_tanh_is_accurate`). glibc's `tanhf` (~20 ns a call, scalar)
    /// took 60 % of the fused op's time.
    #[inline]
    fn tanh(self) -> Self {
        let x = self.clamp(-7.905_311, 7.905_311);
        let x2 = x * x;
        let mut p = x2 * -2.760_768_5e-16 + 2.000_188e-13;
        p = x2 * p - 8.604_672e-11;
        p = x2 * p + 5.122_297e-8;
        p = x2 * p + 1.485_722_4e-5;
        p = x2 * p + 6.372_619e-4;
        p = x2 * p + 4.893_524_6e-3;
        let mut q = x2 * 1.198_258_4e-6 + 1.185_347_1e-4;
        q = x2 * q + 2.268_434_7e-3;
        q = x2 * q + 4.893_525e-3;
        x * p / q
    }

    /// σ(x) = (1 + tanh(x/2)) / 2.
    #[inline]
    fn sigmoid(self) -> Self {
        0.5 + 0.5 * Real::tanh(0.5 * self)
    }
}

impl Real for f64 {
    fn tanh(self) -> Self {
        f64::tanh(self)
    }

    fn sigmoid(self) -> Self {
        1.0 / (1.0 + (-self).exp())
    }
}

/// Smallest block of samples that one thread runs through the recurrence: smaller blocks make
/// the per-step gemms too thin to pay for packing `W_hh`.
const MIN_BLOCK: usize = 8;

#[derive(Debug, Clone, Copy)]
struct Dims {
    batch: usize,
    steps: usize,
    hidden: usize,
}

impl Dims {
    /// The dimensions of `gates_x` `[batch, steps, 4H]`.
    fn of(gates_x: &Layout) -> Result<Self> {
        let (batch, steps, h4) = gates_x.shape().dims3()?;
        Ok(Self {
            batch,
            steps,
            hidden: h4 / 4,
        })
    }

    /// Samples per block: the samples are independent, so the batch is split evenly over
    /// rayon's threads (blocks of at least [`MIN_BLOCK`]).
    fn block(self) -> usize {
        self.batch
            .div_ceil(rayon::current_num_threads())
            .max(MIN_BLOCK)
    }
}

/// The buffers of the forward pass, row-major `[samples, steps, ·]`: owned for the batch
/// (`V = Vec<F>`) or borrowed for a block of consecutive samples (`V = &mut [F]`).
struct Trace<V> {
    /// Gate activations `[i, f, C̃, o]`, `[·, ·, 4H]`.
    gates: V,
    /// Cell states `C_t`, `[·, ·, H]`.
    cell: V,
    /// `tanh C_t`, `[·, ·, H]`.
    tanh_cell: V,
    /// Hidden states `h_t`, `[·, ·, H]`.
    h: V,
}

impl<F: Real> Trace<Vec<F>> {
    /// The trace of `dims.block()` samples at a time.
    fn blocks(&mut self, dims: Dims) -> Vec<Trace<&mut [F]>> {
        let narrow = dims.block() * dims.steps * dims.hidden;
        self.gates
            .chunks_mut(4 * narrow)
            .zip(self.cell.chunks_mut(narrow))
            .zip(self.tanh_cell.chunks_mut(narrow))
            .zip(self.h.chunks_mut(narrow))
            .map(|(((gates, cell), tanh_cell), h)| Trace {
                gates,
                cell,
                tanh_cell,
                h,
            })
            .collect()
    }
}

/// One LSTM cell update for one sample: `gates` (the `4H` pre-activations, replaced by the
/// activations `[i, f, C̃, o]`) and `C_{t-1}` give `C_t`, `tanh C_t` and `h_t`. Every slice is cut
/// to `H` first so that the loop has no bounds checks and vectorises.
#[inline]
fn cell_forward<F: Real>(
    gates: &mut [F],
    c_prev: &[F],
    c: &mut [F],
    tanh_c: &mut [F],
    h: &mut [F],
) {
    let n = c.len();
    let (i_f, g_o) = gates[..4 * n].split_at_mut(2 * n);
    let (g, o) = g_o.split_at_mut(n);
    // Separate simple loops: these vectorise, a chain of iterators does not.
    for x in i_f.iter_mut() {
        *x = x.sigmoid();
    }
    for x in o.iter_mut() {
        *x = x.sigmoid();
    }
    for x in g.iter_mut() {
        *x = x.tanh();
    }
    let (i, f) = i_f.split_at(n);
    let (c_prev, tanh_c, h) = (&c_prev[..n], &mut tanh_c[..n], &mut h[..n]);
    for j in 0..n {
        c[j] = f[j] * c_prev[j] + i[j] * g[j];
        tanh_c[j] = c[j].tanh();
        h[j] = o[j] * tanh_c[j];
    }
}

/// The backward of [`cell_forward`] for one sample: from the activations, `C_{t-1}`, `tanh C_t`,
/// the gradients of `h_t` from the output and from step `t+1`, and the gradient `dc` of `C_t`
/// from step `t+1`, the pre-activation gradients `d_gates` (`4H`); `dc` becomes that of
/// `C_{t-1}`.
#[inline]
fn cell_backward<F: Real>(
    gates: &[F],
    c_prev: &[F],
    tanh_c: &[F],
    grad_h: &[F],
    dh_next: &[F],
    dc: &mut [F],
    d_gates: &mut [F],
) {
    let n = dc.len();
    let (i, rest) = gates[..4 * n].split_at(n);
    let (f, rest) = rest.split_at(n);
    let (g, o) = rest.split_at(n);
    let (di, rest) = d_gates[..4 * n].split_at_mut(n);
    let (df, rest) = rest.split_at_mut(n);
    let (dg, d_o) = rest.split_at_mut(n);
    let (c_prev, tanh_c, grad_h, dh_next) =
        (&c_prev[..n], &tanh_c[..n], &grad_h[..n], &dh_next[..n]);
    let one = F::one();
    for j in 0..n {
        let dh = grad_h[j] + dh_next[j];
        let dc_t = dc[j] + dh * o[j] * (one - tanh_c[j] * tanh_c[j]);
        di[j] = dc_t * g[j] * i[j] * (one - i[j]);
        df[j] = dc_t * c_prev[j] * f[j] * (one - f[j]);
        dg[j] = dc_t * i[j] * (one - g[j] * g[j]);
        d_o[j] = dh * tanh_c[j] * o[j] * (one - o[j]);
        dc[j] = dc_t * f[j];
    }
}

/// The forward recurrence over the batch, blocks of samples in parallel.
fn forward<F: Real>(dims: Dims, gates_x: &[F], w_hh: &[F]) -> Trace<Vec<F>> {
    let len = gates_x.len() / 4;
    let mut trace = Trace {
        gates: gates_x.to_vec(),
        cell: vec![F::zero(); len],
        tanh_cell: vec![F::zero(); len],
        h: vec![F::zero(); len],
    };
    trace
        .blocks(dims)
        .into_par_iter()
        .for_each(|block| forward_block(dims, block, w_hh));
    trace
}

/// The forward recurrence of one block, `gates` holding `gates_x` on entry. Step `t` reads and
/// writes rows `t` of the `[samples, steps, ·]` buffers in place (row stride `steps · width`), so
/// the loop allocates nothing.
fn forward_block<F: Real>(dims: Dims, trace: Trace<&mut [F]>, w_hh: &[F]) {
    let Dims { steps, hidden, .. } = dims;
    let h4 = 4 * hidden;
    let Trace {
        gates,
        cell,
        tanh_cell,
        h,
    } = trace;
    let samples = cell.len() / (steps * hidden);
    let zeros = vec![F::zero(); hidden];
    for t in 0..steps {
        if t > 0 {
            // gates[:, t] += h[:, t-1] · W_hhᵀ; W_hhᵀ[k, n] = W_hh[n, k].
            matmul(
                (samples, h4, hidden),
                (&mut gates[t * h4..], steps * h4, true),
                (&h[(t - 1) * hidden..], steps * hidden, 1),
                (w_hh, 1, hidden),
                1,
            );
        }
        for b in 0..samples {
            let row = (b * steps + t) * hidden;
            let (c_prev, c) = cell.split_at_mut(row);
            cell_forward(
                &mut gates[4 * row..4 * (row + hidden)],
                if t > 0 {
                    &c_prev[row - hidden..]
                } else {
                    &zeros
                },
                &mut c[..hidden],
                &mut tanh_cell[row..],
                &mut h[row..],
            );
        }
    }
}

/// Back-propagation through time: the gradients of `gates_x` `[batch, steps, 4H]` and `w_hh`
/// `[4H, H]` (concatenated) given the gradient `grad_h` of all hidden states `[batch, steps, H]`.
///
/// Backwards over `t`, with `dh = grad_h[:, t] + dA_{t+1} W_hh` and `dC` carried from step `t+1`:
///
/// ```text
/// dC   += dh ⊙ o ⊙ (1 − tanh²C_t)          dA_o = dh ⊙ tanh C_t ⊙ o(1 − o)
/// dA_i  = dC ⊙ C̃ ⊙ i(1 − i)                dA_f = dC ⊙ C_{t-1} ⊙ f(1 − f)
/// dA_g  = dC ⊙ i ⊙ (1 − C̃²)                dC_{t-1} = dC ⊙ f
/// ```
///
/// `dA_t` (the pre-activation gradient) is the gradient of `gates_x[:, t]`. Blocks of samples
/// run in parallel; `dW_hh = Σ_t dA_tᵀ h_{t-1}` is one matmul over all rows at the end.
fn backward<F: Real>(dims: Dims, gates_x: &[F], w_hh: &[F], grad_h: &[F]) -> Vec<F> {
    let Dims { steps, hidden, .. } = dims;
    let h4 = 4 * hidden;
    let mut trace = forward(dims, gates_x, w_hh);
    let mut grads = vec![F::zero(); gates_x.len() + h4 * hidden];
    let (d_gates, d_w_hh) = grads.split_at_mut(gates_x.len());
    let narrow = dims.block() * steps * hidden;
    trace
        .blocks(dims)
        .into_par_iter()
        .zip(d_gates.par_chunks_mut(4 * narrow))
        .zip(grad_h.par_chunks(narrow))
        .for_each(|((block, d_gates), grad_h)| backward_block(dims, block, w_hh, grad_h, d_gates));
    // dW_hh = Σ_{b,t} dA[b, t]ᵀ h_prev[b, t]: a [4H, batch·steps] by [batch·steps, H] product.
    matmul(
        (h4, hidden, dims.batch * steps),
        (d_w_hh, hidden, false),
        (d_gates, 1, h4),
        (&trace.h, hidden, 1),
        rayon::current_num_threads(),
    );
    grads
}

/// [`backward`] for one block: fills its `d_gates` and shifts its `h` one step later in place,
/// `h[:, t] ← h[:, t-1]`, `h[:, 0] ← 0`.
fn backward_block<F: Real>(
    dims: Dims,
    trace: Trace<&mut [F]>,
    w_hh: &[F],
    grad_h: &[F],
    d_gates: &mut [F],
) {
    let Dims { steps, hidden, .. } = dims;
    let h4 = 4 * hidden;
    let Trace {
        gates,
        cell,
        tanh_cell,
        h,
    } = trace;
    let samples = cell.len() / (steps * hidden);
    let mut dh_next = vec![F::zero(); samples * hidden];
    let mut dc_next = vec![F::zero(); samples * hidden];
    let zeros = vec![F::zero(); hidden];
    for t in (0..steps).rev() {
        for b in 0..samples {
            let row = (b * steps + t) * hidden;
            let state = b * hidden..(b + 1) * hidden;
            cell_backward(
                &gates[4 * row..4 * (row + hidden)],
                if t > 0 { &cell[row - hidden..] } else { &zeros },
                &tanh_cell[row..],
                &grad_h[row..],
                &dh_next[state.clone()],
                &mut dc_next[state],
                &mut d_gates[4 * row..4 * (row + hidden)],
            );
        }
        if t > 0 {
            // dh_next = dA_t · W_hh.
            matmul(
                (samples, hidden, h4),
                (&mut dh_next, hidden, false),
                (&d_gates[t * h4..], steps * h4, 1),
                (w_hh, hidden, 1),
                1,
            );
        }
    }
    for seq in h.chunks_exact_mut(steps * hidden) {
        seq.copy_within(..(steps - 1) * hidden, hidden);
        seq[..hidden].fill(F::zero());
    }
}

/// `dst = [dst +] lhs · rhs` for an `m × k` lhs and a `k × n` rhs, each given as
/// `(data, row stride, column stride)` (the destination as `(data, row stride, accumulate)`, with
/// unit column stride), on up to `threads` rayon threads; every index used is checked to lie
/// inside its slice.
fn matmul<F: Real>(
    (m, n, k): (usize, usize, usize),
    (dst, dst_rs, accumulate): (&mut [F], usize, bool),
    (lhs, lhs_rs, lhs_cs): (&[F], usize, usize),
    (rhs, rhs_rs, rhs_cs): (&[F], usize, usize),
    threads: usize,
) {
    let last = |rows: usize, rs: usize, cols: usize, cs: usize| (rows - 1) * rs + (cols - 1) * cs;
    assert!(m > 0 && n > 0 && k > 0);
    assert!(last(m, dst_rs, n, 1) < dst.len());
    assert!(last(m, lhs_rs, k, lhs_cs) < lhs.len());
    assert!(last(k, rhs_rs, n, rhs_cs) < rhs.len());
    let parallelism = if threads > 1 {
        Parallelism::Rayon(threads)
    } else {
        Parallelism::None
    };
    // SAFETY: the asserts above keep every element that gemm reads or writes inside its slice,
    // `dst` is borrowed mutably so it aliases neither operand, and F is f32 or f64 (`Real`).
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            dst_rs as isize,
            accumulate,
            lhs.as_ptr(),
            lhs_cs as isize,
            lhs_rs as isize,
            rhs.as_ptr(),
            rhs_cs as isize,
            rhs_rs as isize,
            F::one(),
            F::one(),
            false,
            false,
            false,
            parallelism,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::Real;

    /// The f32 tanh and sigmoid against f64 on a dense grid (and tiny and huge arguments).
    #[test]
    fn fast_tanh_is_accurate() {
        let grid = (-200_000..=200_000).map(|k| k as f32 * 1e-4);
        let extra = [
            0.0, 1e-30, -1e-20, 1e-8, 3e-4, 7.9, 8.0, 15.0, 30.0, -100.0, 1e30,
        ];
        let (mut tanh_err, mut tanh_rel, mut sigmoid_err) = (0f64, 0f64, 0f64);
        for x in grid.chain(extra) {
            let exact = (x as f64).tanh();
            let err = (Real::tanh(x) as f64 - exact).abs();
            tanh_err = tanh_err.max(err);
            if exact != 0.0 {
                tanh_rel = tanh_rel.max(err / exact.abs());
            }
            let exact = 1.0 / (1.0 + (-x as f64).exp());
            sigmoid_err = sigmoid_err.max((x.sigmoid() as f64 - exact).abs());
        }
        // Observed: 3.2e-7, 3.2e-7 and 2.3e-7.
        assert!(tanh_err < 4e-7 && tanh_rel < 4e-7 && sigmoid_err < 4e-7);
    }
}
