//! SwAV (Caron et al. 2020; the face pre-training of Bulat et al. 2022): each view's embedding is
//! scored against K learnable prototypes; Sinkhorn-Knopp turns one view's scores into soft codes
//! that split the batch equally among the prototypes, and the other view predicts them.

use super::contrastive::l2_normalise;
use super::objective::SwavConfig;
use candle_core::{bail, Result, Tensor, D};

/// SwAV's codes `Q` (`[batch, K]`) of the scores `s` (`[batch, K]`, cosine similarities of the
/// normalised embeddings and prototypes) by `iterations` Sinkhorn-Knopp steps on `exp(s / ε)`
/// (Caron et al. 2020, eq. 3 and Algorithm 1's `sinkhorn`): alternately every prototype's total
/// is set to `N / K` and every utterance's to 1, ending with the utterances, so each row of the
/// result sums to 1 exactly and each column to `N / K` in the limit. Computed without gradient
/// (the codes are targets). The global maximum is subtracted before `exp` (the normalisations
/// cancel it), so ε = 0.05 does not overflow.
pub fn sinkhorn(scores: &Tensor, epsilon: f64, iterations: usize) -> Result<Tensor> {
    if !(epsilon.is_finite() && epsilon > 0.0) {
        bail!("sinkhorn: epsilon must be finite and > 0 (got {epsilon})");
    }
    let (n, k) = scores.dims2()?;
    let scores = scores.detach();
    let max = scores.max_keepdim(1)?.max_keepdim(0)?;
    let mut q = (scores.broadcast_sub(&max)? / epsilon)?.exp()?;
    q = q.broadcast_div(&q.sum_all()?)?;
    for _ in 0..iterations {
        q = (q.broadcast_div(&q.sum_keepdim(0)?)? / k as f64)?;
        q = (q.broadcast_div(&q.sum_keepdim(1)?)? / n as f64)?;
    }
    q * n as f64
}

/// The cosine scores `[batch, K]` of embeddings `z` `[batch, dim]` against `prototypes`
/// `[K, dim]`, both L2-normalised (SwAV normalises its prototype vectors after every step; here
/// the normalisation is part of the forward pass, so the gradient sees it).
pub fn prototype_scores(z: &Tensor, prototypes: &Tensor) -> Result<Tensor> {
    l2_normalise(z)?.matmul(&l2_normalise(prototypes)?.t()?)
}

/// SwAV's swapped prediction (Caron et al. 2020, eqs. 1–2) of the given codes: with
/// `p = softmax(s / τ)`, `−½ mean_n (Σ_k q_b log p_a + Σ_k q_a log p_b)`. A scalar tensor;
/// [`swav_loss`] computes the codes first.
pub fn swapped_prediction(
    (scores_a, scores_b): (&Tensor, &Tensor),
    (codes_a, codes_b): (&Tensor, &Tensor),
    temperature: f64,
) -> Result<Tensor> {
    if !(temperature.is_finite() && temperature > 0.0) {
        bail!("swav: the temperature must be finite and > 0 (got {temperature})");
    }
    let log_p_a = candle_nn::ops::log_softmax(&(scores_a / temperature)?, D::Minus1)?;
    let log_p_b = candle_nn::ops::log_softmax(&(scores_b / temperature)?, D::Minus1)?;
    let a_predicts_b = (codes_b * log_p_a)?.sum(D::Minus1)?.mean_all()?;
    let b_predicts_a = (codes_a * log_p_b)?.sum(D::Minus1)?.mean_all()?;
    (a_predicts_b + b_predicts_a)? * -0.5
}

/// The SwAV loss of two views `[batch, dim]` against `prototypes` `[K, dim]`: each view's
/// [`sinkhorn`] codes, predicted from the other view ([`swapped_prediction`]). A scalar tensor
/// whose gradient reaches the embeddings and the prototypes (not through the codes).
pub fn swav_loss(
    z_a: &Tensor,
    z_b: &Tensor,
    prototypes: &Tensor,
    cfg: &SwavConfig,
) -> Result<Tensor> {
    super::check_views("swav_loss", z_a, z_b)?;
    let (s_a, s_b) = (
        prototype_scores(z_a, prototypes)?,
        prototype_scores(z_b, prototypes)?,
    );
    let q_a = sinkhorn(&s_a, cfg.epsilon, cfg.sinkhorn_iterations)?;
    let q_b = sinkhorn(&s_b, cfg.epsilon, cfg.sinkhorn_iterations)?;
    swapped_prediction((&s_a, &s_b), (&q_a, &q_b), cfg.temperature)
}
