//! InfoNCE / NT-Xent between two views (Chen et al. 2020, SimCLR eq. 1; ConCluGen's
//! Instance-Cont): each utterance's other view is its positive, the batch's other `2N − 2`
//! embeddings its negatives; and between the modalities of each utterance (ConCluGen's
//! Multi-Cont, [`multimodal_nt_xent_loss`]).

use candle_core::{bail, DType, Result, Tensor, D};

/// Added to squared norms before the square root of [`l2_normalise`]: an all-zero embedding
/// normalises to zero instead of NaN; negligible for norms above ~1e-5.
pub const NORM_EPS: f64 = 1e-12;

/// Each row of `z` `[batch, dim]` divided by its Euclidean norm (`z / √(‖z‖² + NORM_EPS)`).
pub fn l2_normalise(z: &Tensor) -> Result<Tensor> {
    let norm = (z.sqr()?.sum_keepdim(D::Minus1)? + NORM_EPS)?.sqrt()?;
    z.broadcast_div(&norm)
}

/// `log Σ_j exp(x_ij)` over the last dimension, shifted by the (constant) row maximum for
/// stability; `[rows, cols]` → `[rows]`.
pub(crate) fn log_sum_exp(x: &Tensor) -> Result<Tensor> {
    let max = x.max_keepdim(D::Minus1)?.detach();
    let shifted = x.broadcast_sub(&max)?;
    shifted.exp()?.sum(D::Minus1)?.log()? + max.squeeze(D::Minus1)?
}

/// NT-Xent of two views `[batch, dim]` at temperature `tau`: with `u` the `2N` L2-normalised
/// embeddings and `s_ij = u_i·u_j / τ`, the mean over `i` of
/// `−log(exp(s_{i,p(i)}) / Σ_{j≠i} exp(s_ij))`, `p(i)` being `i`'s other view. A scalar tensor.
///
/// Always ≥ 0 (the positive is one of the denominator's terms). Worked by hand: identical views
/// with mutually orthogonal rows give `s = 1/τ` for the positive and 0 for every negative, so
/// the loss is `log(1 + (2N − 2) e^{−1/τ})`; for `N = 2`, τ = 0.5 that is `log(1 + 2e^{−2})`.
///
/// ```
/// use candle_core::{Device, Tensor};
/// use mmssl::loss::nt_xent_loss;
///
/// let z = Tensor::new(&[[1f32, 0.], [0., 1.]], &Device::Cpu)?;
/// let loss = nt_xent_loss(&z, &z, 0.5)?.to_scalar::<f32>()?;
/// assert!((loss - (1.0 + 2.0 * (-2f32).exp()).ln()).abs() < 1e-5);
/// # Ok::<(), candle_core::Error>(())
/// ```
pub fn nt_xent_loss(z_a: &Tensor, z_b: &Tensor, tau: f64) -> Result<Tensor> {
    super::check_views("nt_xent_loss", z_a, z_b)?;
    let (batch, _) = z_a.dims2()?;
    if batch < 2 {
        bail!("nt_xent_loss: batch size must be ≥ 2 (got {batch}); one utterance has no negatives");
    }
    if !(tau.is_finite() && tau > 0.0) {
        bail!("nt_xent_loss: the temperature must be finite and > 0 (got {tau})");
    }
    let (u_a, u_b) = (l2_normalise(z_a)?, l2_normalise(z_b)?);
    let u = Tensor::cat(&[&u_a, &u_b], 0)?;
    let s = (u.matmul(&u.t()?)? / tau)?;
    // Excludes j = i from the denominator: exp(s_ii − 1e9 − max) underflows to exactly 0.
    let n = 2 * batch;
    let self_mask = (Tensor::eye(n, DType::F32, z_a.device())?.to_dtype(z_a.dtype())? * -1e9)?;
    let denominator = log_sum_exp(&(s + self_mask)?)?;
    let positive = ((u_a * u_b)?.sum(D::Minus1)? / tau)?;
    let positive = Tensor::cat(&[&positive, &positive], 0)?;
    (denominator - positive)?.mean_all()
}

/// The modality pairs of [`multimodal_nt_xent_loss`]: text–audio, text–visual, audio–visual.
const MODALITY_PAIRS: [(usize, usize); 3] = [(0, 1), (0, 2), (1, 2)];

/// InfoNCE between the modalities of each utterance (ConCluGen's Multi-Cont): for each pair of
/// modalities, [`nt_xent_loss`] with one modality's embeddings as view A and the other's as
/// view B, so an utterance's other modality is its positive and every embedding of the batch's
/// other utterances (both modalities) a negative; the mean over the three pairs (text–audio,
/// text–visual, audio–visual). `modalities`: text, audio and visual embeddings, `[batch, dim]`
/// each. Its lower bound is that of [`nt_xent_loss`]: 0, approached as the modalities of an
/// utterance align and utterances separate.
pub fn multimodal_nt_xent_loss(modalities: &[Tensor; 3], tau: f64) -> Result<Tensor> {
    let pair = |(i, j): (usize, usize)| nt_xent_loss(&modalities[i], &modalities[j], tau);
    let [ta, tv, av] = MODALITY_PAIRS;
    ((pair(ta)? + pair(tv)?)? + pair(av)?)? / 3.0
}
