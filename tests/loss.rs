//! Barlow Twins loss (thesis 6.3, eq. 6.3.1 / 6.3.2): properties, a hand-computed case, an
//! independent loop implementation and a finite-difference gradient check.

use approx::{assert_abs_diff_eq, assert_relative_eq};
use candle_core::{DType, Device, Tensor, Var};
use mmssl::loss::{
    barlow_twins_loss, barlow_twins_loss_from_c, cross_correlation, BarlowTwinsConfig, DEFAULT_EPS,
};
use proptest::prelude::*;

type Matrix = Vec<Vec<f64>>;

fn tensor(m: &Matrix) -> Tensor {
    let rows = m.len();
    let cols = m[0].len();
    Tensor::from_vec(m.concat(), (rows, cols), &Device::Cpu).unwrap()
}

fn matrix(t: &Tensor) -> Matrix {
    t.to_dtype(DType::F64).unwrap().to_vec2().unwrap()
}

fn loss(z_a: &Matrix, z_b: &Matrix) -> f64 {
    let cfg = BarlowTwinsConfig::default();
    barlow_twins_loss(&tensor(z_a), &tensor(z_b), &cfg)
        .unwrap()
        .to_scalar()
        .unwrap()
}

fn column(m: &Matrix, j: usize) -> Vec<f64> {
    m.iter().map(|row| row[j]).collect()
}

/// Biased variance of every column.
fn column_variances(m: &Matrix) -> Vec<f64> {
    let n = m.len() as f64;
    (0..m[0].len())
        .map(|j| {
            let col = column(m, j);
            let mean = col.iter().sum::<f64>() / n;
            col.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n
        })
        .collect()
}

/// Pearson-style C written with plain loops, with the same `N·eps` floor on the sums of squares.
fn cross_correlation_loops(a: &Matrix, b: &Matrix, eps: f64) -> Matrix {
    let n = a.len();
    let centred = |m: &Matrix, j: usize| -> Vec<f64> {
        let col = column(m, j);
        let mean = col.iter().sum::<f64>() / n as f64;
        col.iter().map(|x| x - mean).collect()
    };
    let dim = a[0].len();
    let mut c = vec![vec![0.0; dim]; dim];
    for (i, row) in c.iter_mut().enumerate() {
        let ai = centred(a, i);
        let ss_a: f64 = ai.iter().map(|x| x * x).sum();
        for (j, entry) in row.iter_mut().enumerate() {
            let bj = centred(b, j);
            let ss_b: f64 = bj.iter().map(|x| x * x).sum();
            let dot: f64 = ai.iter().zip(&bj).map(|(x, y)| x * y).sum();
            *entry = dot / ((ss_a + n as f64 * eps).sqrt() * (ss_b + n as f64 * eps).sqrt());
        }
    }
    c
}

fn random_matrix(batch: usize, dim: usize) -> impl Strategy<Value = Matrix> {
    prop::collection::vec(prop::collection::vec(-1.0..1.0f64, dim), batch)
}

/// Two random views of the same `[batch, dim]` shape, batch in `min_batch..=8`, dim in 1..=4.
fn views(min_batch: usize) -> impl Strategy<Value = (Matrix, Matrix)> {
    (min_batch..=8usize, 1..=4usize)
        .prop_flat_map(|(n, d)| (random_matrix(n, d), random_matrix(n, d)))
}

fn min_variance(a: &Matrix, b: &Matrix) -> f64 {
    column_variances(a)
        .into_iter()
        .chain(column_variances(b))
        .fold(f64::INFINITY, f64::min)
}

/// Hadamard matrix of order 8 (Sylvester): its columns 1..8 are centred and mutually orthogonal.
fn hadamard8() -> Matrix {
    (0..8usize)
        .map(|r| {
            (0..8usize)
                .map(|c| {
                    if (r & c).count_ones() % 2 == 0 {
                        1.0
                    } else {
                        -1.0
                    }
                })
                .collect()
        })
        .collect()
}

/// `z * scale + shift`, per column.
fn affine_columns(m: &Matrix, scale: &[f64], shift: &[f64]) -> Matrix {
    m.iter()
        .map(|row| {
            row.iter()
                .zip(scale.iter().zip(shift))
                .map(|(x, (s, t))| x * s + t)
                .collect()
        })
        .collect()
}

#[test]
fn hand_computed_example() {
    // Batch of 4, 2 dims. Columns and their centred values:
    //   a1 = (1, 2, 3, 4), mean 2.5 -> (-1.5, -0.5, 0.5, 1.5), Σa1² = 2.25+0.25+0.25+2.25 = 5
    //   a2 = (2, 0, 0, 2), mean 1   -> ( 1,   -1,  -1,   1  ), Σa2² = 4
    //   b1 = (1, 4, 2, 3), mean 2.5 -> (-1.5,  1.5, -0.5, 0.5), Σb1² = 5
    //   b2 = (0, 1, 0, 3), mean 1   -> (-1,    0,   -1,   2  ), Σb2² = 6
    // Dot products:
    //   a1·b1 = 2.25 - 0.75 - 0.25 + 0.75 = 2   -> C11 = 2 / (√5 √5) = 0.4
    //   a1·b2 = 1.5  + 0    - 0.5  + 3    = 4   -> C12 = 4 / (√5 √6) = 4/√30
    //   a2·b1 = -1.5 - 1.5  + 0.5  + 0.5  = -2  -> C21 = -2 / (2 √5) = -1/√5
    //   a2·b2 = -1   + 0    + 1    + 2    = 2   -> C22 = 2 / (2 √6) = 1/√6
    // L = (1 - 0.4)² + (1 - 1/√6)² + λ (16/30 + 1/5)
    //   = 0.36 + (1 - 2/√6 + 1/6) + 0.02 · 11/15 ≈ 0.36 + 0.350170 + 0.014667 ≈ 0.724837
    let z_a = vec![
        vec![1.0, 2.0],
        vec![2.0, 0.0],
        vec![3.0, 0.0],
        vec![4.0, 2.0],
    ];
    let z_b = vec![
        vec![1.0, 0.0],
        vec![4.0, 1.0],
        vec![2.0, 0.0],
        vec![3.0, 3.0],
    ];
    let expected_c = [
        [0.4, 4.0 / 30f64.sqrt()],
        [-1.0 / 5f64.sqrt(), 1.0 / 6f64.sqrt()],
    ];
    let expected_l = 0.36 + 7.0 / 6.0 - 2.0 / 6f64.sqrt() + 0.02 * 11.0 / 15.0;

    // f64. The eps floor adds N·eps = 4e-8 to sums of squares ≥ 4, shrinking each C entry by a
    // relative ≤ (4e-8/4 + 4e-8/5)/2 < 1e-8 and L by less than ~2e-8; rounding is ~1e-15. So 1e-7.
    let c = matrix(&cross_correlation(&tensor(&z_a), &tensor(&z_b), DEFAULT_EPS).unwrap());
    for (row, expected_row) in c.iter().zip(&expected_c) {
        for (got, want) in row.iter().zip(expected_row) {
            assert_abs_diff_eq!(*got, *want, epsilon = 1e-7);
        }
    }
    assert_relative_eq!(loss(&z_a, &z_b), expected_l, max_relative = 1e-7);

    // f32 (the training dtype): the loss stays f32; about ten f32 operations of relative
    // rounding 6e-8 each on values of order 1 give well under 1e-5.
    let f32_loss = barlow_twins_loss(
        &tensor(&z_a).to_dtype(DType::F32).unwrap(),
        &tensor(&z_b).to_dtype(DType::F32).unwrap(),
        &BarlowTwinsConfig::default(),
    )
    .unwrap();
    assert_eq!(f32_loss.dtype(), DType::F32);
    assert_relative_eq!(
        f32_loss.to_scalar::<f32>().unwrap() as f64,
        expected_l,
        max_relative = 1e-5
    );
}

#[test]
fn loss_is_zero_at_identity_c() {
    for dim in 1..=6 {
        let eye = Tensor::eye(dim, DType::F64, &Device::Cpu).unwrap();
        let l: f64 = barlow_twins_loss_from_c(&eye, 2e-2)
            .unwrap()
            .to_scalar()
            .unwrap();
        assert_abs_diff_eq!(l, 0.0, epsilon = 1e-6);
    }
}

#[test]
fn rejects_degenerate_inputs() {
    let cfg = BarlowTwinsConfig::default();
    let one = tensor(&vec![vec![1.0, 2.0]]);
    let err = barlow_twins_loss(&one, &one, &cfg).unwrap_err().to_string();
    assert!(err.contains("batch size must be ≥ 2"), "{err}");

    let a = tensor(&vec![vec![1.0, 2.0], vec![3.0, 4.0]]);
    let b = tensor(&vec![vec![1.0], vec![3.0]]);
    let err = barlow_twins_loss(&a, &b, &cfg).unwrap_err().to_string();
    assert!(err.contains("same [batch, dim] shape"), "{err}");

    assert!(cross_correlation(&a, &a, 0.0).is_err());
    assert!(barlow_twins_loss_from_c(&a, -1.0).is_err());
    assert!(barlow_twins_loss_from_c(&tensor(&vec![vec![1.0, 0.0]]), 2e-2).is_err());
}

#[test]
fn config_defaults_follow_table_7_3_2() {
    let cfg = BarlowTwinsConfig::default();
    assert_eq!(cfg.lambda, 2e-2);
    assert_eq!(cfg.eps, DEFAULT_EPS);
    let partial: BarlowTwinsConfig = serde_json::from_str(r#"{"lambda": 0.005}"#).unwrap();
    assert_eq!(
        partial,
        BarlowTwinsConfig {
            lambda: 0.005,
            eps: DEFAULT_EPS
        }
    );
}

proptest! {
    /// Candle's C equals a plain-loop Pearson evaluation and lies in [-1, 1].
    /// Both compute the same formula in f64, so they differ by rounding only: ≲ 1e-15 relative,
    /// amplified by at most 1/sqrt(N·eps) ≈ 1e4 for nearly constant columns; 1e-9 covers it.
    #[test]
    fn cross_correlation_matches_plain_loops((a, b) in views(2)) {
        let c = matrix(&cross_correlation(&tensor(&a), &tensor(&b), DEFAULT_EPS).unwrap());
        let expected = cross_correlation_loops(&a, &b, DEFAULT_EPS);
        for (row, expected_row) in c.iter().zip(&expected) {
            for (got, want) in row.iter().zip(expected_row) {
                prop_assert!((got - want).abs() <= 1e-9, "{got} vs {want}");
                prop_assert!(got.abs() <= 1.0 + 1e-12, "C entry {got} outside [-1, 1]");
            }
        }
    }

    /// L ≥ 0 for any pair of views (it is a sum of squares with λ ≥ 0).
    #[test]
    fn loss_is_non_negative((a, b) in views(2)) {
        let l = loss(&a, &b);
        prop_assert!(l.is_finite() && l >= 0.0, "L = {l}");
    }

    /// Views whose centred columns are orthogonal and matched give C = I, hence L = 0: columns of
    /// an order-8 Hadamard matrix, scaled and shifted independently in each view.
    /// With column variances ≥ 0.1² the eps floor moves C_ii by ≤ 1e-6 (L by ≤ dim·1e-12);
    /// shift rounding is ~1e-14. Hence 1e-6 on L and on every C entry.
    #[test]
    fn loss_vanishes_when_views_give_identity_c(
        cols in prop::sample::subsequence((1..8usize).collect::<Vec<_>>(), 1..=7),
        scale_a in prop::collection::vec(0.1..10.0f64, 7),
        scale_b in prop::collection::vec(0.1..10.0f64, 7),
        shift_a in prop::collection::vec(-100.0..100.0f64, 7),
        shift_b in prop::collection::vec(-100.0..100.0f64, 7),
    ) {
        let h = hadamard8();
        let base: Matrix = h.iter().map(|row| cols.iter().map(|&j| row[j]).collect()).collect();
        let z_a = affine_columns(&base, &scale_a, &shift_a);
        let z_b = affine_columns(&base, &scale_b, &shift_b);
        let c = matrix(&cross_correlation(&tensor(&z_a), &tensor(&z_b), DEFAULT_EPS).unwrap());
        for (i, row) in c.iter().enumerate() {
            for (j, got) in row.iter().enumerate() {
                let want = if i == j { 1.0 } else { 0.0 };
                prop_assert!((got - want).abs() <= 1e-6, "C[{i}][{j}] = {got}");
            }
        }
        let l = loss(&z_a, &z_b);
        prop_assert!(l.abs() <= 1e-6, "L = {l}");
    }

    /// Constant (zero-variance) dimensions in either view give C = 0 in their row/column, a
    /// finite loss and finite gradients, in f64 and in f32. A constant column centres to
    /// rounding residue r ≲ N·ulp(100), and |C| ≤ sqrt(Σr² / N·eps) ≲ 1e-8 in f64: bound 1e-6.
    #[test]
    fn constant_dimensions_stay_finite(
        (a, b) in views(2),
        col_a in any::<prop::sample::Index>(),
        col_b in any::<prop::sample::Index>(),
        value_a in -100.0..100.0f64,
        value_b in -100.0..100.0f64,
    ) {
        let dim = a[0].len();
        let (ka, kb) = (col_a.index(dim), col_b.index(dim));
        let (mut a, mut b) = (a, b);
        a.iter_mut().for_each(|row| row[ka] = value_a);
        b.iter_mut().for_each(|row| row[kb] = value_b);

        let c = matrix(&cross_correlation(&tensor(&a), &tensor(&b), DEFAULT_EPS).unwrap());
        prop_assert!(c[ka].iter().all(|x| x.abs() <= 1e-6), "row {ka} of C: {:?}", c[ka]);
        prop_assert!(c.iter().all(|row| row[kb].abs() <= 1e-6), "column {kb} of C: {c:?}");

        for dtype in [DType::F64, DType::F32] {
            let va = Var::from_tensor(&tensor(&a).to_dtype(dtype).unwrap()).unwrap();
            let vb = Var::from_tensor(&tensor(&b).to_dtype(dtype).unwrap()).unwrap();
            let l = barlow_twins_loss(&va, &vb, &BarlowTwinsConfig::default()).unwrap();
            let grads = l.backward().unwrap();
            let l: f64 = l.to_dtype(DType::F64).unwrap().to_scalar().unwrap();
            prop_assert!(l.is_finite(), "{dtype:?}: L = {l}");
            for v in [&va, &vb] {
                let g = matrix(grads.get(v).unwrap());
                prop_assert!(g.iter().flatten().all(|x| x.is_finite()), "{dtype:?}: {g:?}");
            }
        }
    }

    /// C and L are invariant to positive per-dimension scaling and per-dimension shifts of
    /// either view. Shifts cancel in the centring (rounding ~1e-13 here). Scaling is exact for
    /// eq. 6.3.2; the eps floor shrinks C_ij by the factor 1/sqrt((1 + eps/var_i)(1 + eps/var_j)),
    /// so with every variance ≥ 0.05 · 0.2² = 2e-3 before and after scaling the two C's differ
    /// by a relative r ≤ eps/2e-3 = 5e-6: 1e-4 leaves a 20× margin. L is quadratic in C, so
    /// |ΔL| ≤ 2r(Σ_i |C_ii||1 - C_ii| + λ Σ_{i≠j} C_ij²) ≤ 2r(2·4 + 0.02·16) < 1e-4: L is
    /// compared at relative 1e-4, or absolute 1e-4 when L itself is small.
    #[test]
    fn invariant_to_per_dimension_scaling_and_shifts(
        (a, b) in views(4),
        scale_a in prop::collection::vec(0.2..5.0f64, 4),
        scale_b in prop::collection::vec(0.2..5.0f64, 4),
        shift_a in prop::collection::vec(-10.0..10.0f64, 4),
        shift_b in prop::collection::vec(-10.0..10.0f64, 4),
    ) {
        prop_assume!(min_variance(&a, &b) >= 0.05);
        let a2 = affine_columns(&a, &scale_a, &shift_a);
        let b2 = affine_columns(&b, &scale_b, &shift_b);
        let c1 = matrix(&cross_correlation(&tensor(&a), &tensor(&b), DEFAULT_EPS).unwrap());
        let c2 = matrix(&cross_correlation(&tensor(&a2), &tensor(&b2), DEFAULT_EPS).unwrap());
        for (row1, row2) in c1.iter().zip(&c2) {
            for (x, y) in row1.iter().zip(row2) {
                prop_assert!(
                    approx::relative_eq!(*x, *y, epsilon = 1e-9, max_relative = 1e-4),
                    "{x} vs {y}"
                );
            }
        }
        let (l1, l2) = (loss(&a, &b), loss(&a2, &b2));
        prop_assert!(
            approx::relative_eq!(l1, l2, epsilon = 1e-4, max_relative = 1e-4),
            "{l1} vs {l2}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// `backward()` gradients w.r.t. both views match central differences (h = 1e-5) on every
    /// entry of 5×3 views. Error sources: truncation h²/6·|∂³L| — with column std ≥ √0.05 the
    /// third derivatives are O(1/σ³) ≈ 1e2, giving ~1e-8 — and rounding ε·|L|/h ≈ 1e-16·5/1e-5
    /// = 5e-11. The tolerance 1e-6·max(1, |g|) is ≥ 50× both (observed errors are < 1e-9).
    #[test]
    fn gradients_match_central_finite_differences(
        a in random_matrix(5, 3),
        b in random_matrix(5, 3),
    ) {
        prop_assume!(min_variance(&a, &b) >= 0.05);
        let va = Var::from_tensor(&tensor(&a)).unwrap();
        let vb = Var::from_tensor(&tensor(&b)).unwrap();
        let grads = barlow_twins_loss(&va, &vb, &BarlowTwinsConfig::default())
            .unwrap()
            .backward()
            .unwrap();
        let (ga, gb) = (matrix(grads.get(&va).unwrap()), matrix(grads.get(&vb).unwrap()));

        let h = 1e-5;
        for (view, analytic) in [(0, &ga), (1, &gb)] {
            for r in 0..5 {
                for c in 0..3 {
                    let perturbed = |delta: f64| {
                        let (mut pa, mut pb) = (a.clone(), b.clone());
                        if view == 0 { pa[r][c] += delta } else { pb[r][c] += delta }
                        loss(&pa, &pb)
                    };
                    let numeric = (perturbed(h) - perturbed(-h)) / (2.0 * h);
                    let g = analytic[r][c];
                    prop_assert!(
                        (g - numeric).abs() <= 1e-6 * g.abs().max(1.0),
                        "view {view} [{r}][{c}]: backward {g} vs finite difference {numeric}"
                    );
                }
            }
        }
    }
}
