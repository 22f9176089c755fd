//! The exact posterior of the stand-in's label given sentiment signals `u_m = z₀ + σ_m ζ_{m,0}`:
//! the Bayes-optimal predictor behind the oracle ceiling ([`super::ceiling`]).
//!
//! # Model (as the generator draws it)
//!
//! * **Prior** `z₀ ~ (1 − π) N(0, 1) + π N(c, s²)` with `π` = [`NEUTRAL_SHARE`],
//!   `c` = [`NEUTRAL_CENTRE`] and `s` = [`NEUTRAL_SPREAD`] (the generator draws `z₀ ~ N(0, 1)`
//!   and, with probability `π`, overwrites it with the neutral draw).
//! * **Likelihood** of independent signals `u_m ~ N(z₀, σ_m²)`: as a function of `z₀` their
//!   product is proportional to `N(ū; z₀, 1/P)` with precision `P = Σ 1/σ_m²` and mean
//!   `ū = Σ (u_m / σ_m²) / P` ([`Evidence`]; no signal: `P = 0`, the prior alone).
//! * **Posterior** of `z₀`: per prior component `N(μ_j, τ_j²)` conjugacy gives `N(m_j, v_j)` with
//!   `1/v_j = 1/τ_j² + P` and `m_j = v_j (μ_j/τ_j² + P ū)`, weighted by the component's prior
//!   weight times its evidence `N(ū; μ_j, τ_j² + 1/P)`: a two-component Gaussian mixture, exact.
//! * **Label** `y = clip(round(3 y*)/3, −3, 3)` with `y* = a z₀ + b + ν ε`, `a` =
//!   [`LABEL_SLOPE`], `b` = [`LABEL_OFFSET`], `ν` = [`LABEL_NOISE`]. Under a posterior component
//!   `y* ~ N(a m_j + b, a² v_j + ν²)`, so `P(y = k/3) = P(k − ½ ≤ 3 y* < k + ½)` for `|k| < 9` and
//!   the clipped tails for `k = ±9`: normal CDFs ([`libm::erfc`], accurate to ~1e-16).
//!
//! The label's posterior is thus computed in closed form, with no grid. A trapezoid quadrature
//! over `z₀` ([`label_mean_by_quadrature`]) is kept as an independent reference for the tests.

use super::{
    LABEL_NOISE, LABEL_OFFSET, LABEL_SLOPE, NEUTRAL_CENTRE, NEUTRAL_SHARE, NEUTRAL_SPREAD,
};

/// Number of label values the generator can produce: the multiples of 1/3 in [−3, 3].
pub const LABEL_VALUES: usize = 19;

/// The `j`-th label value (`j = 0` is −3, `j = 18` is +3), exactly as the generator stores it
/// (an `f32` multiple of 1/3, widened back to `f64`).
pub fn label_value(j: usize) -> f64 {
    f64::from(((j as f64 - 9.0) / 3.0) as f32)
}

/// The combined Gaussian likelihood of `z₀` from independent signals, `∝ N(mean; z₀, 1/precision)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evidence {
    /// `P = Σ 1/σ_m²`; 0 when no signal is seen.
    pub precision: f64,
    /// Precision-weighted mean of the signals, `ū` (0 when no signal is seen).
    pub mean: f64,
}

impl Evidence {
    /// No signal: the posterior is the prior.
    pub const NONE: Evidence = Evidence {
        precision: 0.0,
        mean: 0.0,
    };

    /// Combines signals given as `(u_m, σ_m)` pairs.
    pub fn from_signals(signals: impl IntoIterator<Item = (f64, f64)>) -> Evidence {
        let (precision, weighted) = signals.into_iter().fold((0.0, 0.0), |(p, w), (u, sigma)| {
            let q = 1.0 / (sigma * sigma);
            (p + q, w + q * u)
        });
        if precision == 0.0 {
            Evidence::NONE
        } else {
            Evidence {
                precision,
                mean: weighted / precision,
            }
        }
    }

    /// The likelihood as a function of `z₀`, up to a constant factor: `exp(−P (ū − z₀)² / 2)`.
    pub fn likelihood(&self, z0: f64) -> f64 {
        (-0.5 * self.precision * (self.mean - z0).powi(2)).exp()
    }
}

/// A Gaussian `N(mean, variance)` with a mixture weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Component {
    /// Mixture weight (the components of a mixture sum to 1).
    pub weight: f64,
    /// Mean.
    pub mean: f64,
    /// Variance.
    pub variance: f64,
}

/// The generator's prior of `z₀`: the non-neutral `N(0, 1)` and the neutral spike.
pub fn prior() -> [Component; 2] {
    [
        Component {
            weight: 1.0 - NEUTRAL_SHARE,
            mean: 0.0,
            variance: 1.0,
        },
        Component {
            weight: NEUTRAL_SHARE,
            mean: NEUTRAL_CENTRE,
            variance: NEUTRAL_SPREAD * NEUTRAL_SPREAD,
        },
    ]
}

/// The prior density of `z₀` at `z0` (both components, normalised).
pub fn prior_density(z0: f64) -> f64 {
    prior()
        .iter()
        .map(|c| c.weight * normal_pdf((z0 - c.mean) / c.variance.sqrt()) / c.variance.sqrt())
        .sum()
}

/// The exact posterior of `z₀` given `evidence`: the prior's components updated by conjugacy.
pub fn posterior(evidence: Evidence) -> [Component; 2] {
    let p = evidence.precision;
    // log of weight × N(ū; μ, τ² + 1/P), dropping factors common to both components
    let log_weight = |c: &Component| {
        let spread = 1.0 + p * c.variance;
        c.weight.ln() - 0.5 * spread.ln() - 0.5 * p * (evidence.mean - c.mean).powi(2) / spread
    };
    let prior = prior();
    let logs = prior.each_ref().map(log_weight);
    let top = logs[0].max(logs[1]);
    let raw = logs.map(|l| (l - top).exp());
    let total = raw[0] + raw[1];
    std::array::from_fn(|j| {
        let c = prior[j];
        let variance = 1.0 / (1.0 / c.variance + p);
        Component {
            weight: raw[j] / total,
            mean: variance * (c.mean / c.variance + p * evidence.mean),
            variance,
        }
    })
}

/// A distribution over the [`LABEL_VALUES`] label values (see [`label_value`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelPosterior {
    /// `probs[j]` = P(label = [`label_value`]`(j)`).
    pub probs: [f64; LABEL_VALUES],
}

impl LabelPosterior {
    /// The label's distribution when `z₀ ~ N(mean, variance)` (`variance` = 0: given `z₀`).
    pub fn given_latent(mean: f64, variance: f64) -> LabelPosterior {
        let centre = LABEL_SLOPE * mean + LABEL_OFFSET;
        let sd = (LABEL_SLOPE * LABEL_SLOPE * variance + LABEL_NOISE * LABEL_NOISE).sqrt();
        // P(3 y* < k + ½) for the bin edges between label values
        let below = |j: usize| normal_cdf(((j as f64 - 8.5) / 3.0 - centre) / sd);
        let mut probs = [0.0; LABEL_VALUES];
        let mut previous = 0.0;
        for (j, p) in probs.iter_mut().enumerate() {
            let cdf = if j + 1 == LABEL_VALUES { 1.0 } else { below(j) };
            *p = (cdf - previous).max(0.0);
            previous = cdf;
        }
        LabelPosterior { probs }
    }

    /// The label's posterior given `evidence`: the mixture of [`LabelPosterior::given_latent`]
    /// over the components of [`posterior`].
    pub fn given(evidence: Evidence) -> LabelPosterior {
        let mut probs = [0.0; LABEL_VALUES];
        for c in posterior(evidence) {
            let part = LabelPosterior::given_latent(c.mean, c.variance);
            for (p, q) in probs.iter_mut().zip(part.probs) {
                *p += c.weight * q;
            }
        }
        LabelPosterior { probs }
    }

    /// The posterior mean: the prediction that minimises expected squared error.
    pub fn mean(&self) -> f64 {
        let total: f64 = self.probs.iter().sum();
        let sum: f64 = (self.probs.iter().enumerate())
            .map(|(j, p)| p * label_value(j))
            .sum();
        sum / total
    }

    /// The posterior median (the smallest label value with CDF ≥ ½): the prediction that
    /// minimises expected absolute error.
    pub fn median(&self) -> f64 {
        let total: f64 = self.probs.iter().sum();
        let mut cdf = 0.0;
        for (j, p) in self.probs.iter().enumerate() {
            cdf += p / total;
            if cdf >= 0.5 {
                return label_value(j);
            }
        }
        label_value(LABEL_VALUES - 1)
    }
}

/// Reference value of `E[label | evidence]` by the trapezoid rule over `z₀ ∈ [−half_width,
/// half_width]` with grid spacing `step`: `∫ E[label | z₀] prior(z₀) L(z₀) dz₀ / ∫ prior L dz₀`.
/// Slow and approximate; the tests check that it converges to [`LabelPosterior::mean`].
pub fn label_mean_by_quadrature(evidence: Evidence, half_width: f64, step: f64) -> f64 {
    let intervals = (2.0 * half_width / step).round() as usize;
    let h = 2.0 * half_width / intervals as f64;
    let (mut num, mut den) = (0.0, 0.0);
    for i in 0..=intervals {
        let z0 = -half_width + i as f64 * h;
        let edge = if i == 0 || i == intervals { 0.5 } else { 1.0 };
        let w = edge * prior_density(z0) * evidence.likelihood(z0);
        num += w * LabelPosterior::given_latent(z0, 0.0).mean();
        den += w;
    }
    num / den
}

/// Standard normal density.
fn normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Standard normal CDF, `Φ(x) = erfc(−x/√2) / 2` (accurate in both tails).
fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}
