//! Input augmentations of the multimodal Barlow Twins (thesis 6.5, 7.2, appendix A.1): Gaussian
//! noise, masking and SeqAug, each applied per modality with its own probability, chained in a
//! configurable order into two streams — the thesis's `Transformator`.
//!
//! Every transformation acts in place on the host, on the *real* steps of each sample only
//! (`lengths[i]` steps; the zero padding after them is never read or written), and draws every
//! random number from the [`Rng`](crate::rng::Rng) it is given, so a seed fixes the output.
//!
//! | thesis (A.1)                               | here                                           |
//! | ------------------------------------------ | ---------------------------------------------- |
//! | `Gaussian_noise(mean, std)`                | [`GaussianNoise`]                              |
//! | `Masking(masking_percentage, masking_mode)`| [`Masking`], [`MaskingMode`]                   |
//! | `SeqAug(alpha, …)`                         | [`SeqAug`]                                     |
//! | `transforms.RandomApply([t], p)`           | [`RandomApply`]                                |
//! | `transforms.Compose([...])`                | [`Chain`]                                      |
//! | `Transformator(transformation_order, …)`   | [`AugmentConfig`] → [`Transformator`]          |
//! | `transform`, `transform_prime`             | [`Transformator::transform`], [`Transformator::transform_prime`] |
//!
//! # Reading choices
//!
//! * **Application coin.** 7.2: "each one of the three modalities m_i has a probability p to be
//!   augmented", once "for every input batch B_i". [`RandomApply`] therefore tosses one coin per
//!   batch *and per modality* (three independent coins per step), and a successful coin augments
//!   that modality for the whole batch, like torchvision's `RandomApply` on a batch tensor. (A.1's
//!   listing wraps the whole modality tuple in one `RandomApply`; we follow 7.2's per-modality
//!   wording, which the listing's `p_mod` arguments also point to.)
//! * **Gaussian noise** (6.5.3): `x + N(μ, σ²)`, i.i.d. for every value of the real steps. 7.2's
//!   prose says μ = 1 was "found effective"; table 8.2.1 (the runs behind the results) uses μ = 0,
//!   σ = 0.1, which is what [`AugmentConfig::default`] holds (docs/fidelity.md, section 1).
//! * **Masking** (6.5.2, eq. 6.5.1 / 6.5.2): a Bernoulli mask. In `timestep` mode each real step
//!   of each sample is zeroed as a whole vector, independently, with probability `percentage`; in
//!   `feature` mode each single (step, feature) value of the real steps is zeroed independently
//!   with probability `percentage`. Independent draws (rather than exactly
//!   `round(percentage · n)` positions) follow eq. 6.5.1 and make the masked share an unbiased
//!   estimate of `percentage` that converges to it, also for short sequences where rounding
//!   would be far off (one real step at 70 % would always be masked). A sample may thus lose all
//!   its real steps.
//! * **SeqAug** (6.5.1, 7.2): per sample, the share of feature dimensions to resample is
//!   `fraction = clamp(α_m + |N(0, σ)|, 0, 1)` — a half-normal of scale σ = 0.01 shifted to start
//!   at the modality's α_m, which is how the SeqAug authors' public implementation draws its
//!   "copy area" (`clip(alpha + HalfNormal(std).sample(), max=1)`); 7.2's "half-normal
//!   distributions with a standard deviation σ = 0.01 but different mean values" is that
//!   distribution described loosely (its mean is α_m + 0.008). `round(fraction · dims)` distinct
//!   dimensions are picked uniformly and their values are permuted along time with *one* uniform
//!   permutation of the sample's real steps shared by all picked dimensions; the other dimensions
//!   and the padding are unchanged, so every (sample, feature) multiset of real values is
//!   preserved. The per-modality α follows A.1's code order (text, audio, visual) =
//!   (0.15, 0.10, 0.20), as 7.2 states; 8.2's prose swaps audio and visual.
//! * **Streams.** [`Transformator::views`] copies the batch twice and runs `transform` on the
//!   first copy, then `transform_prime` on the second, drawing from one generator in that order.

mod config;
mod masking;
mod noise;
mod seqaug;
mod transformator;

pub use config::{AugmentConfig, AugmentKind, MaskingParams, NoiseParams, SeqAugParams};
pub use masking::{Masking, MaskingMode};
pub use noise::GaussianNoise;
pub use seqaug::SeqAug;
pub use transformator::{Chain, RandomApply, Transform, Transformator};

/// A hyper-parameter of an augmentation outside its valid range (thesis 7.2).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AugmentError {
    /// `what` (e.g. "stream B: masking percentage") is `value`, expected within `range`.
    #[error("{what} = {value} is outside {range}")]
    OutOfRange {
        /// Which parameter, with its stream when known.
        what: String,
        /// The rejected value.
        value: f32,
        /// The valid range, e.g. "[0, 1]".
        range: &'static str,
    },
}

impl AugmentError {
    /// Prefixes the parameter name with the stream it belongs to ("stream A" / "stream B").
    fn in_stream(self, stream: &str) -> Self {
        let AugmentError::OutOfRange { what, value, range } = self;
        AugmentError::OutOfRange {
            what: format!("{stream}: {what}"),
            value,
            range,
        }
    }
}

/// Checks that a probability or share lies in [0, 1] (NaN fails).
fn check_unit(what: &str, value: f32) -> Result<(), AugmentError> {
    check(what, value, (0.0..=1.0).contains(&value), "[0, 1]")
}

/// Checks that a standard deviation is finite and non-negative.
fn check_std(what: &str, value: f32) -> Result<(), AugmentError> {
    check(what, value, value.is_finite() && value >= 0.0, "[0, ∞)")
}

fn check(what: &str, value: f32, ok: bool, range: &'static str) -> Result<(), AugmentError> {
    if ok {
        Ok(())
    } else {
        Err(AugmentError::OutOfRange {
            what: what.to_string(),
            value,
            range,
        })
    }
}
