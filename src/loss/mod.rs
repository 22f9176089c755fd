//! Barlow Twins loss (thesis 6.3, eq. 6.3.1 / 6.3.2) on two views' embeddings, `[batch, dim]` each,
//! the other pre-training objectives of the related work ([`Objective`]: InfoNCE, SwAV,
//! ConCluGen's generative reconstruction and multimodal InfoNCE),
//! and the supervised phase's regression losses ([`SupervisedLoss`]: the thesis's L1, or
//! RMSE + CCC after Bulat et al. 2022).
//!
//! # Which cross-correlation
//!
//! We implement eq. 6.3.2, the *normalised* cross-correlation: each embedding dimension is centred
//! over the batch and divided by its root sum of squares, so `C` is a matrix of Pearson
//! correlations with entries in `[-1, 1]`. The thesis's released code instead multiplies
//! batch-normalised embeddings, `bn(z_a)ᵀ bn(z_b)`, without dividing by the batch size `N` (the
//! original Barlow Twins code of Zbontar et al. 2021 does divide), so its `C` is `N` times ours;
//! the thesis text is followed here (docs/fidelity.md, section 1).
//!
//! # Epsilon
//!
//! `eps` is a floor on each dimension's biased batch variance, exactly like BatchNorm's epsilon:
//! the denominators are `sqrt(Σ_b a_bi² + N·eps)`. Equivalently,
//! `C = bn_eps(z_a)ᵀ bn_eps(z_b) / N` with affine-free BatchNorm. A dimension that is constant over
//! the batch therefore gives `C = 0` in its row/column (up to the rounding of its centring) and a
//! finite gradient (the square roots are bounded below by `sqrt(N·eps) > 0`) instead of NaN.
//!
//! Effect on exactness: with per-dimension biased variances `var_i`, `var_j`,
//! `C_ij = C_ij^exact / sqrt((1 + eps/var_i)(1 + eps/var_j))`, a relative shrinkage of at most
//! `(eps/var_i + eps/var_j) / 2`. The default `eps = 1e-8` makes this ≤ 1e-8 for unit-variance
//! embeddings — below f32 resolution (≈ 6e-8) whenever `var ≳ 0.2`, so in f32 training the loss is
//! eq. 6.3.2 to rounding — while keeping the gradient on a dead dimension finite (its norm over
//! the column is at most about `2 / sqrt(N·eps)`, ≈ 1.5e3 at the thesis's batch of 170). Being
//! per sample, the floor's effect does not depend on the batch size. Setting `eps = 1e-5`
//! (PyTorch's BatchNorm default) reproduces `bn(z_a)ᵀ bn(z_b) / N` of the reference
//! implementations exactly.

mod barlow_twins;
mod contrastive;
mod generative;
mod objective;
mod regression;
mod swav;

pub use barlow_twins::{
    barlow_twins_loss, barlow_twins_loss_from_c, barlow_twins_terms, cross_correlation,
    cross_correlation_unnormalised, BarlowTwinsConfig, BarlowTwinsTerms, BATCH_NORM_EPS,
    DEFAULT_EPS,
};
pub use contrastive::{l2_normalise, multimodal_nt_xent_loss, nt_xent_loss, NORM_EPS};
pub use generative::reconstruction_loss;
pub use objective::{ContrastiveConfig, GenerativeConfig, Objective, SwavConfig};
pub use regression::{rmse_ccc_loss, SupervisedLoss, REGRESSION_EPS};
pub use swav::{prototype_scores, sinkhorn, swapped_prediction, swav_loss};

/// Checks that two views' embeddings can be compared: the same `[batch, dim]` shape and dtype;
/// the error names the loss (`what`). Shared by every two-view objective.
fn check_views(
    what: &str,
    z_a: &candle_core::Tensor,
    z_b: &candle_core::Tensor,
) -> candle_core::Result<()> {
    if z_a.shape() != z_b.shape() {
        candle_core::bail!(
            "{what}: views must have the same [batch, dim] shape, got {:?} and {:?}",
            z_a.dims(),
            z_b.dims()
        );
    }
    if z_a.dtype() != z_b.dtype() {
        candle_core::bail!(
            "{what}: the two views must have the same dtype, got {:?} and {:?}",
            z_a.dtype(),
            z_b.dtype()
        );
    }
    Ok(())
}
