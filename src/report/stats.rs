//! The statistics behind the report's verdicts ([`super::verdict`]): Student-t intervals of
//! seed-paired differences, paired bootstrap intervals over test utterances, F intervals of a
//! ratio of standard deviations, and the smallest effect a budget can detect.
//!
//! The distribution functions are written here rather than taken from a crate: they need only the
//! regularised incomplete beta function (a continued fraction, Numerical Recipes §6.4) and a
//! bisection, about 80 lines, against a new dependency (`statrs`, whose default features pull in
//! nalgebra) for three quantiles. They are checked against tabulated values in
//! `tests/stats.rs`.

use crate::rng::rng_for;
use rand::Rng as _;
use serde::{Deserialize, Serialize};

/// Purpose tag of the bootstrap's resampling stream (see [`crate::rng::derive_seed`]).
const BOOTSTRAP_TAG: u64 = 0xB0075;

/// A two-sided confidence interval around an estimate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// The point estimate (mean difference, full-sample difference, or ratio).
    pub estimate: f64,
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
    /// Confidence level, e.g. 0.95.
    pub level: f64,
    /// Seeds (pairs) or test utterances it rests on.
    pub n: usize,
    /// Standard error of the estimate.
    pub se: f64,
}

impl Interval {
    /// True when 0 lies inside the closed interval.
    pub fn contains_zero(&self) -> bool {
        self.low <= 0.0 && 0.0 <= self.high
    }

    /// `high − low`.
    pub fn width(&self) -> f64 {
        self.high - self.low
    }
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error below 1e-13).
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 − x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let sum = G[1..]
        .iter()
        .enumerate()
        .fold(G[0], |acc, (i, g)| acc + g / (x + i as f64 + 1.0));
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// Continued fraction of the incomplete beta function (modified Lentz).
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=300 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// The regularised incomplete beta function I_x(a, b).
fn inc_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_cf(a, b, x) / a
    } else {
        1.0 - ln_front.exp() * beta_cf(b, a, 1.0 - x) / b
    }
}

/// P(T ≤ t) for Student's t with `df` degrees of freedom.
fn t_cdf(t: f64, df: f64) -> f64 {
    let tail = 0.5 * inc_beta(df / 2.0, 0.5, df / (df + t * t));
    if t >= 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

/// P(F ≤ x) for Fisher's F with (`d1`, `d2`) degrees of freedom.
fn f_cdf(x: f64, d1: f64, d2: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else {
        inc_beta(d1 / 2.0, d2 / 2.0, d1 * x / (d1 * x + d2))
    }
}

/// The `x` with `cdf(x) = p` for an increasing `cdf`, by bracketing from `start` outwards and
/// bisecting to machine precision.
fn invert(cdf: impl Fn(f64) -> f64, p: f64, mut low: f64, mut high: f64) -> f64 {
    while cdf(low) > p {
        low = if low > 0.0 {
            low / 2.0
        } else {
            2.0 * low - 1.0
        };
    }
    while cdf(high) < p {
        high = 2.0 * high + 1.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if cdf(mid) < p {
            low = mid;
        } else {
            high = mid;
        }
        if high - low <= 1e-14 * high.abs().max(1.0) {
            break;
        }
    }
    0.5 * (low + high)
}

/// Quantile of Student's t with `df` degrees of freedom (p in (0, 1), df > 0).
pub fn student_t_quantile(p: f64, df: f64) -> f64 {
    assert!(
        p > 0.0 && p < 1.0 && df > 0.0,
        "t quantile needs 0 < p < 1, df > 0"
    );
    if p < 0.5 {
        return -student_t_quantile(1.0 - p, df);
    }
    invert(|t| t_cdf(t, df), p, 0.0, 10.0)
}

/// Quantile of the standard normal distribution (p in (0, 1)); Acklam's rational
/// approximation, relative error below 1.2e-9.
pub fn normal_quantile(p: f64) -> f64 {
    assert!(p > 0.0 && p < 1.0, "normal quantile needs 0 < p < 1");
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    const P_LOW: f64 = 0.02425;
    if p < P_LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - P_LOW {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// Quantile of Fisher's F with (`d1`, `d2`) degrees of freedom (p in (0, 1)).
pub fn f_quantile(p: f64, d1: f64, d2: f64) -> f64 {
    assert!(
        p > 0.0 && p < 1.0 && d1 > 0.0 && d2 > 0.0,
        "F quantile needs 0 < p < 1, df > 0"
    );
    invert(|x| f_cdf(x, d1, d2), p, 0.0, 10.0)
}

/// A metric of (predictions, labels); `None` where it is undefined (e.g. Pearson r of a
/// constant).
pub type MetricFn<'a> = dyn Fn(&[f64], &[f64]) -> Option<f64> + 'a;

/// Mean and sample standard deviation (n − 1) of `v` (n ≥ 2).
fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// Mean paired difference with its Student-t interval (n − 1 df); `None` when fewer than 2
/// finite differences.
pub fn paired_t_interval(diffs: &[f64], level: f64) -> Option<Interval> {
    let d: Vec<f64> = diffs.iter().copied().filter(|x| x.is_finite()).collect();
    if d.len() < 2 {
        return None;
    }
    let (mean, sd) = mean_sd(&d);
    let se = sd / (d.len() as f64).sqrt();
    let h = student_t_quantile(0.5 + level / 2.0, d.len() as f64 - 1.0) * se;
    Some(Interval {
        estimate: mean,
        low: mean - h,
        high: mean + h,
        level,
        n: d.len(),
        se,
    })
}

/// Paired bootstrap over test utterances: resamples utterance indices with replacement
/// (`resamples` times, from a seeded stream), computes metric(a) − metric(b) on each resample
/// and returns the percentile interval around the full-sample difference. Resamples on which the
/// metric is undefined are skipped; `None` when fewer than half are valid or the inputs differ in
/// length.
pub fn paired_bootstrap_interval(
    a: &[f64],
    b: &[f64],
    labels: &[f64],
    metric: &MetricFn<'_>,
    resamples: usize,
    level: f64,
    seed: u64,
) -> Option<Interval> {
    let n = labels.len();
    if n == 0 || a.len() != n || b.len() != n || resamples == 0 {
        return None;
    }
    let estimate = metric(a, labels)? - metric(b, labels)?;
    let mut rng = rng_for(seed, &[BOOTSTRAP_TAG]);
    let (mut ra, mut rb, mut ry) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let mut diffs = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        for i in 0..n {
            let j = rng.random_range(0..n);
            ra[i] = a[j];
            rb[i] = b[j];
            ry[i] = labels[j];
        }
        if let (Some(x), Some(y)) = (metric(&ra, &ry), metric(&rb, &ry)) {
            diffs.push(x - y);
        }
    }
    if 2 * diffs.len() < resamples || diffs.len() < 2 {
        return None;
    }
    diffs.sort_by(f64::total_cmp);
    let quantile = |q: f64| {
        // Linear interpolation between order statistics (numpy's default).
        let pos = q * (diffs.len() - 1) as f64;
        let (lo, frac) = (pos.floor() as usize, pos.fract());
        let hi = (lo + 1).min(diffs.len() - 1);
        diffs[lo] + frac * (diffs[hi] - diffs[lo])
    };
    let alpha = 1.0 - level;
    Some(Interval {
        estimate,
        low: quantile(alpha / 2.0),
        high: quantile(1.0 - alpha / 2.0),
        level,
        n,
        se: mean_sd(&diffs).1,
    })
}

/// Smallest true effect that a paired t test at `level` (two-sided) detects with probability
/// `power`, given the sd of the paired differences and n pairs:
/// (t_{1−α/2, n−1} + t_{power, n−1}) · sd / √n. `None` when n < 2.
pub fn minimal_detectable_effect(sd: f64, n: usize, level: f64, power: f64) -> Option<f64> {
    if n < 2 || !sd.is_finite() {
        return None;
    }
    let df = n as f64 - 1.0;
    Some(
        (student_t_quantile(0.5 + level / 2.0, df) + student_t_quantile(power, df)) * sd
            / (n as f64).sqrt(),
    )
}

/// The same from a standard error with the normal approximation (bootstrap intervals):
/// (z_{1−α/2} + z_{power}) · se.
pub fn minimal_detectable_effect_se(se: f64, level: f64, power: f64) -> f64 {
    (normal_quantile(0.5 + level / 2.0) + normal_quantile(power)) * se
}

/// Interval for the ratio of sample standard deviations sd(a) / sd(b) (F distribution with
/// n_a − 1 and n_b − 1 df, the samples taken as independent); `None` when either side has
/// fewer than 2 values or sd(b) = 0.
pub fn sd_ratio_interval(a: &[f64], b: &[f64], level: f64) -> Option<Interval> {
    if a.len() < 2 || b.len() < 2 {
        return None;
    }
    let (sa, sb) = (mean_sd(a).1, mean_sd(b).1);
    if sb == 0.0 || !sa.is_finite() || !sb.is_finite() {
        return None;
    }
    let (d1, d2) = (a.len() as f64 - 1.0, b.len() as f64 - 1.0);
    let f = (sa / sb).powi(2);
    let alpha = 1.0 - level;
    let low = (f / f_quantile(1.0 - alpha / 2.0, d1, d2)).sqrt();
    let high = (f / f_quantile(alpha / 2.0, d1, d2)).sqrt();
    Some(Interval {
        estimate: sa / sb,
        low,
        high,
        level,
        n: a.len().min(b.len()),
        se: f64::NAN,
    })
}
