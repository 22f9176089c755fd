//! Cross-correlation and loss of eq. 6.3.1 / 6.3.2; the design notes are in [`crate::loss`].

use candle_core::{bail, Result, Tensor};

/// Default variance floor of eq. 6.3.2's denominators: negligible at f32 precision, yet keeps
/// zero-variance dimensions finite (see [`crate::loss`] for the exactness bound).
pub const DEFAULT_EPS: f64 = 1e-8;

/// PyTorch BatchNorm's default variance floor: the released code's [`cross_correlation_unnormalised`].
pub const BATCH_NORM_EPS: f64 = 1e-5;

/// Hyper-parameters of the Barlow Twins loss (eq. 6.3.1 / 6.3.2); defaults follow table 7.3.2.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct BarlowTwinsConfig {
    /// Weight λ of the redundancy (off-diagonal) term of eq. 6.3.1; the thesis's α_BT = 2e-2.
    pub lambda: f64,
    /// Per-dimension variance floor inside the square roots of eq. 6.3.2 (see [`crate::loss`]).
    pub eps: f64,
}

impl Default for BarlowTwinsConfig {
    /// λ = α_BT = 2e-2 (table 7.3.2) and `eps` = [`DEFAULT_EPS`].
    fn default() -> Self {
        Self {
            lambda: 2e-2,
            eps: DEFAULT_EPS,
        }
    }
}

/// Normalised cross-correlation `C` (`[dim, dim]`) of two `[batch, dim]` views, eq. 6.3.2 with
/// per-dimension centring and the `eps` variance floor described in [`crate::loss`].
pub fn cross_correlation(z_a: &Tensor, z_b: &Tensor, eps: f64) -> Result<Tensor> {
    super::check_views("cross_correlation", z_a, z_b)?;
    let (batch, dim) = z_a.dims2()?;
    if batch < 2 {
        bail!("cross_correlation: batch size must be ≥ 2 (got {batch}); one sample has no correlation");
    }
    if dim == 0 {
        bail!("cross_correlation: embedding dimension must be ≥ 1");
    }
    if !(eps.is_finite() && eps > 0.0) {
        bail!("cross_correlation: eps must be finite and > 0 (got {eps})");
    }
    let floor = eps * batch as f64;
    let standardise = |z: &Tensor| -> Result<Tensor> {
        let centred = z.broadcast_sub(&z.mean_keepdim(0)?)?;
        let norm = (centred.sqr()?.sum_keepdim(0)? + floor)?.sqrt()?;
        centred.broadcast_div(&norm)
    };
    standardise(z_a)?.t()?.matmul(&standardise(z_b)?)
}

/// The released code's cross-correlation `bn(z_a)ᵀ bn(z_b)` — affine-free BatchNorm with the
/// batch's statistics (biased variance, eps 1e-5), not divided by the batch size
/// (`docs/fidelity.md` §4 item 5). Since [`cross_correlation`] divides centred columns by
/// `√(N (var + eps))`, this is exactly `N ·` [`cross_correlation`] at `eps` = 1e-5: its
/// diagonal is ≈ N times the views' per-dimension correlation.
pub fn cross_correlation_unnormalised(z_a: &Tensor, z_b: &Tensor) -> Result<Tensor> {
    let batch = z_a.dims2()?.0;
    cross_correlation(z_a, z_b, BATCH_NORM_EPS)? * batch as f64
}

/// Eq. 6.3.1 on a given square `C`: `Σ_i (1 − C_ii)² + λ Σ_i Σ_{j≠i} C_ij²` as a scalar tensor.
pub fn barlow_twins_loss_from_c(c: &Tensor, lambda: f64) -> Result<Tensor> {
    let (rows, cols) = c.dims2()?;
    if rows != cols {
        bail!("barlow_twins_loss_from_c: C must be square, got [{rows}, {cols}]");
    }
    if !(lambda.is_finite() && lambda >= 0.0) {
        bail!("barlow_twins_loss_from_c: lambda must be finite and ≥ 0 (got {lambda})");
    }
    let eye = Tensor::eye(rows, c.dtype(), c.device())?;
    let invariance = (&eye - c)?.mul(&eye)?.sqr()?.sum_all()?;
    let redundancy = c.mul(&eye.affine(-1.0, 1.0)?)?.sqr()?.sum_all()?;
    invariance + (redundancy * lambda)?
}

/// Barlow Twins loss of two `[batch, dim]` views (eq. 6.3.1 on the `C` of eq. 6.3.2), a scalar
/// tensor in the views' dtype that supports `backward()`.
///
/// Worked by hand: the two columns of `z` below are centred and orthogonal, so identical views
/// give `C = I` and a loss of 0, and opposite views give `C = −I`, whose invariance term is
/// `Σ_i (1 − (−1))² = 8` with no redundancy.
///
/// ```
/// use candle_core::{Device, Tensor};
/// use mmssl::loss::{barlow_twins_loss, BarlowTwinsConfig};
///
/// let z = [[1f32, 1.], [1., -1.], [-1., 1.], [-1., -1.]];
/// let z = Tensor::new(&z, &Device::Cpu)?;
/// let cfg = BarlowTwinsConfig::default();
/// let same = barlow_twins_loss(&z, &z, &cfg)?.to_scalar::<f32>()?;
/// let opposite = barlow_twins_loss(&z, &z.neg()?, &cfg)?.to_scalar::<f32>()?;
/// assert!(same.abs() < 1e-5);
/// assert!((opposite - 8.0).abs() < 1e-4);
/// # Ok::<(), candle_core::Error>(())
/// ```
pub fn barlow_twins_loss(z_a: &Tensor, z_b: &Tensor, cfg: &BarlowTwinsConfig) -> Result<Tensor> {
    barlow_twins_loss_from_c(&cross_correlation(z_a, z_b, cfg.eps)?, cfg.lambda)
}

/// The two terms of eq. 6.3.1 and the mean diagonal of a square `C`, on the host: what a
/// pre-training epoch logs to show whether the views' embeddings became invariant (on-diagonal
/// term → 0, mean diagonal → 1) and decorrelated (off-diagonal term → 0).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BarlowTwinsTerms {
    /// Invariance term `Σ_i (1 − C_ii)²`.
    pub on_diagonal: f64,
    /// Redundancy term, weighted: `λ Σ_i Σ_{j≠i} C_ij²`.
    pub off_diagonal: f64,
    /// `mean_i C_ii`.
    pub mean_diagonal: f64,
}

/// [`BarlowTwinsTerms`] of `c` with weight `lambda`; `on_diagonal + off_diagonal` is
/// [`barlow_twins_loss_from_c`].
pub fn barlow_twins_terms(c: &Tensor, lambda: f64) -> Result<BarlowTwinsTerms> {
    let (rows, cols) = c.dims2()?;
    if rows != cols {
        bail!("barlow_twins_terms: C must be square, got [{rows}, {cols}]");
    }
    let values = c.to_dtype(candle_core::DType::F64)?.to_vec2::<f64>()?;
    let mut t = BarlowTwinsTerms::default();
    for (i, row) in values.iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            if i == j {
                t.on_diagonal += (1.0 - v).powi(2);
                t.mean_diagonal += v;
            } else {
                t.off_diagonal += v * v;
            }
        }
    }
    t.off_diagonal *= lambda;
    t.mean_diagonal /= rows as f64;
    Ok(t)
}
