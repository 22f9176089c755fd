//! The `Transformator` constructor's hyper-parameters as a serde config (appendix A.1), with the
//! values of table 8.2.1 as defaults.

use super::{
    AugmentError, Chain, GaussianNoise, Masking, MaskingMode, RandomApply, SeqAug, Transform,
    Transformator,
};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Names of the augmentations in `transformation_order` (A.1): `noise`, `masking`, `seqaug`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AugmentKind {
    /// Gaussian noise (6.5.3).
    Noise,
    /// Masking (6.5.2).
    Masking,
    /// SeqAug (6.5.1).
    SeqAug,
}

impl fmt::Display for AugmentKind {
    /// The name A.1's `transformation_order` uses.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AugmentKind::Noise => "noise",
            AugmentKind::Masking => "masking",
            AugmentKind::SeqAug => "seqaug",
        })
    }
}

/// Gaussian-noise arguments of A.1, `[stream A, stream B]`; defaults from table 8.2.1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NoiseParams {
    /// `noise_p1`, `noise_p2`: per-modality application probabilities (8.2.1: 0.9, 0.1).
    pub p: [f64; 2],
    /// `noise_mean1`, `noise_mean2` (8.2.1: 0, 0; 7.2's prose says 1).
    pub mean: [f64; 2],
    /// `noise_std1`, `noise_std2` (8.2.1: 0.1, 0.1).
    pub std: [f64; 2],
}

impl Default for NoiseParams {
    /// Table 8.2.1: p = [0.9, 0.1], μ = [0, 0], σ = [0.1, 0.1].
    fn default() -> Self {
        NoiseParams {
            p: [0.9, 0.1],
            mean: [0.0, 0.0],
            std: [0.1, 0.1],
        }
    }
}

/// Masking arguments of A.1, `[stream A, stream B]`; defaults from table 8.2.1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MaskingParams {
    /// `masking_p1`, `masking_p2`: per-modality application probabilities (8.2.1: 0.6, 0.6).
    pub p: [f64; 2],
    /// `masking_percentage_1`, `masking_percentage_2` (8.2.1: 70 %, 70 %).
    pub percentage: [f64; 2],
    /// `masking_mode`, shared by both streams as in A.1 (8.2.1: timestep).
    pub mode: MaskingMode,
}

impl Default for MaskingParams {
    /// Table 8.2.1: p = [0.6, 0.6], 70 % / 70 %, timestep mode.
    fn default() -> Self {
        MaskingParams {
            p: [0.6, 0.6],
            percentage: [0.7, 0.7],
            mode: MaskingMode::Timestep,
        }
    }
}

/// SeqAug arguments of A.1 (the time-resampling share `seqaug_p*_t` is fixed at A.1's 1.0:
/// every real step takes part in the permutation); defaults from table 8.2.1 and 7.2.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeqAugParams {
    /// `seqaug_p1`, `seqaug_p2`: per-modality application probabilities (8.2.1: 0.5, 0.5).
    pub p: [f64; 2],
    /// `seqaug_alpha`, text, audio, visual (7.2 and A.1: 0.15, 0.10, 0.20), shared by streams.
    pub alpha: [f64; 3],
    /// Half-normal scale σ (7.2: 0.01), shared by streams.
    pub std: f64,
}

impl Default for SeqAugParams {
    /// Table 8.2.1 / 7.2: p = [0.5, 0.5], α = [0.15, 0.10, 0.20], σ = 0.01.
    fn default() -> Self {
        SeqAugParams {
            p: [0.5, 0.5],
            alpha: [0.15, 0.10, 0.20],
            std: 0.01,
        }
    }
}

/// The arguments of A.1's `Transformator.__init__`, as a TOML / JSON config section. Values are
/// f64 so a printed config reads `0.1`, not f32's widened `0.10000000149011612`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AugmentConfig {
    /// `transformation_order`: the chain, first applied first (A.1 default: `["masking"]`).
    pub order: Vec<AugmentKind>,
    /// Gaussian-noise parameters.
    pub noise: NoiseParams,
    /// Masking parameters.
    pub masking: MaskingParams,
    /// SeqAug parameters.
    pub seqaug: SeqAugParams,
}

impl Default for AugmentConfig {
    /// A.1's default order `["masking"]` with table 8.2.1's values for every augmentation.
    fn default() -> Self {
        AugmentConfig {
            order: vec![AugmentKind::Masking],
            noise: NoiseParams::default(),
            masking: MaskingParams::default(),
            seqaug: SeqAugParams::default(),
        }
    }
}

impl AugmentConfig {
    /// Builds the two streams in `order` (A.1's constructor); every parameter is validated, also
    /// those of augmentations absent from `order`, so a bad config section never goes unnoticed.
    pub fn build(&self) -> Result<Transformator, AugmentError> {
        for kind in [
            AugmentKind::Noise,
            AugmentKind::Masking,
            AugmentKind::SeqAug,
        ] {
            self.step(kind, 0)?;
            self.step(kind, 1)?;
        }
        let chain = |s| -> Result<Chain, AugmentError> {
            let steps = self.order.iter().map(|&kind| self.step(kind, s));
            Ok(Chain {
                steps: steps.collect::<Result<_, _>>()?,
            })
        };
        Ok(Transformator {
            transform: chain(0)?,
            transform_prime: chain(1)?,
        })
    }

    /// The step of augmentation `kind` in stream `s` (0 = A, 1 = B).
    fn step(&self, kind: AugmentKind, s: usize) -> Result<RandomApply, AugmentError> {
        let (transform, p) = match kind {
            AugmentKind::Noise => (
                Transform::Noise(GaussianNoise {
                    mean: self.noise.mean[s] as f32,
                    std: self.noise.std[s] as f32,
                }),
                self.noise.p[s] as f32,
            ),
            AugmentKind::Masking => (
                Transform::Masking(Masking {
                    percentage: self.masking.percentage[s] as f32,
                    mode: self.masking.mode,
                }),
                self.masking.p[s] as f32,
            ),
            AugmentKind::SeqAug => (
                Transform::SeqAug(SeqAug {
                    alpha: self.seqaug.alpha.map(|a| a as f32),
                    std: self.seqaug.std as f32,
                }),
                self.seqaug.p[s] as f32,
            ),
        };
        RandomApply::new(transform, p).map_err(|e| e.in_stream(["stream A", "stream B"][s]))
    }
}
