//! The fused LSTM recurrence against the candle-ops reference, finite differences and a
//! hand-evaluated case.

use candle_core::{DType, Device, Result, Tensor, Var};
use mmssl::model::fused_lstm::{lstm_recurrence, lstm_recurrence_reference};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A `[dims]` tensor of uniform values in `[-scale, scale)`.
fn uniform(rng: &mut ChaCha8Rng, dims: &[usize], scale: f64, dtype: DType) -> Result<Tensor> {
    let n = dims.iter().product();
    let data: Vec<f64> = (0..n).map(|_| rng.random_range(-scale..scale)).collect();
    Tensor::from_vec(data, dims, &Device::Cpu)?.to_dtype(dtype)
}

/// Random `(gates_x, w_hh, r)`: gates in [-2, 2), weights in [-1, 1), upstream gradient r.
fn case(
    seed: u64,
    (batch, steps, hidden): (usize, usize, usize),
    dtype: DType,
) -> Result<(Tensor, Tensor, Tensor)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Ok((
        uniform(&mut rng, &[batch, steps, 4 * hidden], 2.0, dtype)?,
        uniform(&mut rng, &[4 * hidden, hidden], 1.0, dtype)?,
        uniform(&mut rng, &[batch, steps, hidden], 1.0, dtype)?,
    ))
}

fn max_abs_diff(a: &Tensor, b: &Tensor) -> Result<f64> {
    assert_eq!(a.shape(), b.shape());
    (a - b)?
        .abs()?
        .flatten_all()?
        .max(0)?
        .to_dtype(DType::F64)?
        .to_scalar()
}

fn max_abs(a: &Tensor) -> Result<f64> {
    a.abs()?
        .flatten_all()?
        .max(0)?
        .to_dtype(DType::F64)?
        .to_scalar()
}

type Recurrence = fn(&Tensor, &Tensor) -> Result<Tensor>;

/// The output and the gradients of `(out · r).sum()` w.r.t. gates_x and w_hh.
fn with_grads(f: Recurrence, gx: &Tensor, w: &Tensor, r: &Tensor) -> Result<[Tensor; 3]> {
    let (gx, w) = (Var::from_tensor(gx)?, Var::from_tensor(w)?);
    let out = f(gx.as_tensor(), w.as_tensor())?;
    let grads = (&out * r)?.sum_all()?.backward()?;
    // With one step the reference never touches w_hh, so candle has no gradient for it: zero.
    let grad = |v: &Var| match grads.get(v.as_tensor()) {
        Some(g) => Ok(g.clone()),
        None => v.zeros_like(),
    };
    Ok([out, grad(&gx)?, grad(&w)?])
}

fn dims() -> impl Strategy<Value = (usize, usize, usize)> {
    (1..=4usize, 1..=7usize, 1..=6usize)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// f32 forward: the fused op's f32 tanh and sigmoid are rational approximations accurate to
    /// < 4e-7 (a few ulp), and `h W_hhᵀ` sums ≤ 6 terms in another order; the states are
    /// bounded by 1 and each step contracts errors by f < 1. Observed over 3000 random cases:
    /// ≤ 2.4e-7; 1e-5 is the bound asked for.
    #[test]
    fn forward_matches_reference(dims in dims(), seed in any::<u64>()) {
        let (gx, w, _) = case(seed, dims, DType::F32).unwrap();
        let fused = lstm_recurrence(&gx, &w).unwrap();
        let reference = lstm_recurrence_reference(&gx, &w).unwrap();
        prop_assert!(max_abs_diff(&fused, &reference).unwrap() < 1e-5);
    }

    /// Gradients against candle's autograd of the reference, relative to the largest gradient
    /// (at least 1). Both evaluate the same formulas in a different order (f64: exact tanh and
    /// sigmoid; f32: approximations within a few ulp), so they differ by rounding only,
    /// carried back through ≤ 7 steps and summed over ≤ 28 rows for dW_hh. Observed over 3000
    /// random cases: ≤ 2.3e-16 (f64) and ≤ 3.0e-7 (f32); the bounds 1e-13 and 3e-6 leave ≥ 10×
    /// margin, and a wrong formula fails them by orders of magnitude.
    #[test]
    fn gradients_match_reference(dims in dims(), seed in any::<u64>()) {
        for (dtype, tol) in [(DType::F64, 1e-13), (DType::F32, 3e-6)] {
            let (gx, w, r) = case(seed, dims, dtype).unwrap();
            let fused = with_grads(lstm_recurrence, &gx, &w, &r).unwrap();
            let reference = with_grads(lstm_recurrence_reference, &gx, &w, &r).unwrap();
            for (a, b) in fused.iter().zip(&reference) {
                let scale = max_abs(b).unwrap().max(1.0);
                let err = max_abs_diff(a, b).unwrap();
                prop_assert!(err < tol * scale, "{dtype:?}: {err} vs scale {scale}");
            }
        }
    }
}

/// Central finite differences in f64 on a tiny case, eps = 1e-5: truncation error
/// ~eps²·|f'''|/6 ≈ 2e-11 and rounding ~1e-16·|loss|/eps ≈ 1e-11 (observed: ≤ 7e-12), so 1e-9.
#[test]
fn gradients_match_finite_differences() -> Result<()> {
    let (gx, w, r) = case(7, (2, 3, 2), DType::F64)?;
    let [_, d_gx, d_w] = with_grads(lstm_recurrence, &gx, &w, &r)?;
    let loss = |gx: &Tensor, w: &Tensor| -> Result<f64> {
        (lstm_recurrence(gx, w)? * &r)?.sum_all()?.to_scalar()
    };
    let eps = 1e-5;
    for (which, analytic) in [(0, &d_gx), (1, &d_w)] {
        let base = if which == 0 { &gx } else { &w };
        let flat = base.flatten_all()?.to_vec1::<f64>()?;
        let analytic = analytic.flatten_all()?.to_vec1::<f64>()?;
        for k in 0..flat.len() {
            let nudged = |delta: f64| -> Result<f64> {
                let mut v = flat.clone();
                v[k] += delta;
                let t = Tensor::from_vec(v, base.shape(), &Device::Cpu)?;
                if which == 0 {
                    loss(&t, &w)
                } else {
                    loss(&gx, &t)
                }
            };
            let numeric = (nudged(eps)? - nudged(-eps)?) / (2.0 * eps);
            assert!(
                (numeric - analytic[k]).abs() < 1e-9,
                "input {which}, element {k}: numeric {numeric} vs analytic {}",
                analytic[k]
            );
        }
    }
    Ok(())
}

/// Two steps, batch 1, hidden 2, evaluated by hand from the equations; hidden 2 checks that the
/// gates are stacked in blocks `[i i f f g g o o]` and that W_hh is applied as `h W_hhᵀ`.
#[test]
fn hand_evaluated_two_steps() -> Result<()> {
    let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
    let gx: [[f64; 8]; 2] = [
        [0.5, -0.3, 0.2, 0.8, -0.4, 0.9, 0.1, -0.7],
        [-0.2, 0.6, -1.0, 0.3, 0.7, -0.5, 0.4, 0.2],
    ];
    // W_hh rows are the gate units i0 i1 f0 f1 g0 g1 o0 o1, columns h0 h1.
    let w: [[f64; 2]; 8] = [
        [0.1, -0.2],
        [0.3, 0.4],
        [-0.5, 0.6],
        [0.7, -0.8],
        [0.9, 0.2],
        [-0.1, -0.3],
        [0.5, 0.5],
        [-0.6, 0.2],
    ];
    // Step 0 (h = C = 0): C = i·g, h = o·tanh C.
    let c0 = [
        sigmoid(0.5) * (-0.4f64).tanh(),
        sigmoid(-0.3) * 0.9f64.tanh(),
    ];
    let h0 = [sigmoid(0.1) * c0[0].tanh(), sigmoid(-0.7) * c0[1].tanh()];
    // Step 1: a_u = gx_u + Σ_k W[u][k] h0[k].
    let a = |u: usize| gx[1][u] + w[u][0] * h0[0] + w[u][1] * h0[1];
    let c1 = [
        sigmoid(a(2)) * c0[0] + sigmoid(a(0)) * a(4).tanh(),
        sigmoid(a(3)) * c0[1] + sigmoid(a(1)) * a(5).tanh(),
    ];
    let h1 = [sigmoid(a(6)) * c1[0].tanh(), sigmoid(a(7)) * c1[1].tanh()];

    let gx = Tensor::new(&[gx], &Device::Cpu)?;
    let w = Tensor::new(&w, &Device::Cpu)?;
    let expected = Tensor::new(&[[h0, h1]], &Device::Cpu)?;
    for dtype in [DType::F64, DType::F32] {
        let (gx, w) = (gx.to_dtype(dtype)?, w.to_dtype(dtype)?);
        let tol = if dtype == DType::F64 { 1e-14 } else { 1e-6 };
        for f in [lstm_recurrence, lstm_recurrence_reference] {
            let h = f(&gx, &w)?.to_dtype(DType::F64)?;
            assert!(max_abs_diff(&h, &expected)? < tol, "{dtype:?}: {h}");
        }
    }
    Ok(())
}

/// Non-contiguous inputs and inputs with a storage offset, with the gradient flowing on into
/// the op that produced gates_x.
#[test]
fn strided_inputs_and_upstream_gradient() -> Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let (batch, steps, hidden) = (3, 4, 5);
    // gates_x = x·W_ih from a time-major x: a non-contiguous [batch, steps, 4H] after transpose.
    let x = Var::from_tensor(&uniform(&mut rng, &[steps, batch, 6], 1.0, DType::F64)?)?;
    let w_ih = Var::from_tensor(&uniform(&mut rng, &[6, 4 * hidden], 1.0, DType::F64)?)?;
    // w_hh: rows 1.. of a larger matrix (a contiguous view with a start offset).
    let w_big = Var::from_tensor(&uniform(
        &mut rng,
        &[4 * hidden + 1, hidden],
        1.0,
        DType::F64,
    )?)?;
    let r = uniform(&mut rng, &[batch, steps, hidden], 1.0, DType::F64)?;
    let run = |f: Recurrence| -> Result<[Tensor; 4]> {
        let gx = x.broadcast_matmul(w_ih.as_tensor())?.transpose(0, 1)?;
        assert!(!gx.is_contiguous());
        let w = w_big.narrow(0, 1, 4 * hidden)?;
        let out = f(&gx, &w)?;
        let grads = (&out * &r)?.sum_all()?.backward()?;
        let grad = |v: &Var| grads.get(v.as_tensor()).expect("grad").clone();
        Ok([out, grad(&x), grad(&w_ih), grad(&w_big)])
    };
    let (fused, reference) = (run(lstm_recurrence)?, run(lstm_recurrence_reference)?);
    for (a, b) in fused.iter().zip(&reference) {
        assert!(max_abs_diff(a, b)? < 1e-12);
    }
    Ok(())
}

/// A batch large enough to be split into blocks of samples run on different threads (3 here,
/// so blocks of 8, 8 and 5), against the reference.
#[test]
fn parallel_blocks_match_reference() -> Result<()> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .expect("thread pool");
    let (gx, w, r) = case(11, (21, 5, 7), DType::F64)?;
    let fused = pool.install(|| with_grads(lstm_recurrence, &gx, &w, &r))?;
    let reference = with_grads(lstm_recurrence_reference, &gx, &w, &r)?;
    for (a, b) in fused.iter().zip(&reference) {
        assert!(max_abs_diff(a, b)? < 1e-12);
    }
    Ok(())
}

#[test]
fn rejects_mismatched_shapes() -> Result<()> {
    let gx = Tensor::zeros((2, 3, 8), DType::F32, &Device::Cpu)?;
    for w in [&[8, 3][..], &[6, 2], &[8, 2, 1]] {
        let w = Tensor::zeros(w, DType::F32, &Device::Cpu)?;
        assert!(lstm_recurrence(&gx, &w).is_err());
    }
    let w = Tensor::zeros((8, 2), DType::F64, &Device::Cpu)?;
    assert!(lstm_recurrence(&gx, &w).is_err());
    Ok(())
}
