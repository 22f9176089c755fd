//! Verdicts with uncertainty: each claim of the thesis becomes a comparison of two sides (runs of
//! a variant, paired by seed) whose mean difference carries a 95 % confidence interval, and the
//! verdict follows from the interval alone:
//!
//! * **held** — the interval excludes 0 on the side the thesis claims;
//! * **contradicted** — it excludes 0 on the other side;
//! * **no difference** — every paired difference is exactly 0 (the interval is the single point
//!   0): the two sides gave the same value for every seed (or, for single runs, the same
//!   predictions), so the claimed improvement is absent and no uncertainty is left to resolve;
//! * **unresolved** — it contains 0 (or there are too few seeds for an interval); the check then
//!   says how large an effect this budget could have detected ([`minimal_detectable_effect`],
//!   two-sided 5 % test, 80 % power).
//!
//! Seeds pair runs: the same seed gives two variants the same labeled subset, the same initial
//! encoder and the same batch order (tested in `tests/train.rs`), so the per-seed difference
//! removes the seed's share of the spread. Claims about single best runs (table 8.2.3) compare
//! two runs with a paired bootstrap over test utterances instead; claims about spread compare
//! standard deviations with an F interval.

use super::metric::Metric;
use super::stats::{
    minimal_detectable_effect, minimal_detectable_effect_se, paired_bootstrap_interval,
    paired_t_interval, sd_ratio_interval, Interval,
};
use crate::experiments::ResultRow;
use crate::metrics::evaluate;
use std::collections::BTreeMap;
use std::fmt;

/// Confidence level of every interval in the report.
pub const LEVEL: f64 = 0.95;
/// Power at which the smallest detectable effect is computed.
pub const POWER: f64 = 0.8;
/// Bootstrap resamples of test utterances for best-run comparisons.
pub const BOOTSTRAP_RESAMPLES: usize = 2000;
/// Seed of the bootstrap's resampling stream (fixed: the report is deterministic).
const BOOTSTRAP_SEED: u64 = 0xB007;

/// The outcome of checking one claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The interval excludes 0 in the thesis's direction.
    Held,
    /// The interval excludes 0 in the other direction.
    Contradicted,
    /// Every paired difference is exactly 0: the sides agree in every seed, so the claimed
    /// improvement is absent (not merely undecided).
    NoDifference,
    /// The interval contains 0, or there are too few runs for one.
    Unresolved,
    /// The runs the claim needs are not in the store (or not in this profile's grid).
    NotRun,
}

impl Verdict {
    /// Every verdict, in the order the report counts them.
    pub const ALL: [Verdict; 5] = [
        Verdict::Held,
        Verdict::Contradicted,
        Verdict::NoDifference,
        Verdict::Unresolved,
        Verdict::NotRun,
    ];

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Held => "held",
            Verdict::Contradicted => "contradicted",
            Verdict::NoDifference => "no difference",
            Verdict::Unresolved => "unresolved",
            Verdict::NotRun => "not run",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a comparison measures: a name, which direction is better, how to print it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantity {
    /// Printed name, e.g. `F1` or `probe MAE (valid)`.
    pub name: &'static str,
    /// True when larger values are better.
    pub higher_is_better: bool,
    /// Decimals when printing.
    pub decimals: usize,
}

impl From<Metric> for Quantity {
    fn from(m: Metric) -> Quantity {
        Quantity {
            name: m.name(),
            higher_is_better: m.higher_is_better(),
            decimals: m.decimals(),
        }
    }
}

impl Quantity {
    fn fmt(&self, v: f64) -> String {
        format!("{v:.*}", self.decimals)
    }

    fn signed(&self, v: f64) -> String {
        format!("{}{v:.*}", if v >= 0.0 { "+" } else { "" }, self.decimals)
    }

    /// +1 when larger is better, −1 otherwise: the sign of an improvement.
    fn sign(&self) -> f64 {
        if self.higher_is_better {
            1.0
        } else {
            -1.0
        }
    }
}

/// One side of a comparison: a label and one value per seed.
#[derive(Debug, Clone, PartialEq)]
pub struct Side {
    /// E.g. `ssl-masking` or `supervised at 10 %`.
    pub label: String,
    /// Value per seed (the mean when several rows of one seed are picked, e.g. a strategy
    /// averaged over its heat-map cells).
    pub values: BTreeMap<u64, f64>,
}

impl Side {
    /// The rows `pick` selects, one value each by `value`, averaged per seed.
    pub fn of<'a>(
        label: impl Into<String>,
        rows: impl IntoIterator<Item = &'a ResultRow>,
        value: impl Fn(&ResultRow) -> Option<f64>,
    ) -> Side {
        let mut sums: BTreeMap<u64, (f64, usize)> = BTreeMap::new();
        for row in rows {
            if let Some(v) = value(row).filter(|v| v.is_finite()) {
                let e = sums.entry(row.seed).or_default();
                e.0 += v;
                e.1 += 1;
            }
        }
        Side {
            label: label.into(),
            values: sums
                .into_iter()
                .map(|(s, (sum, n))| (s, sum / n as f64))
                .collect(),
        }
    }

    /// The test metric `metric` of `rows`, averaged per seed.
    pub fn metric<'a>(
        label: impl Into<String>,
        rows: impl IntoIterator<Item = &'a ResultRow>,
        metric: Metric,
    ) -> Side {
        Side::of(label, rows, |r| metric.of(&r.test))
    }

    /// Mean over seeds (`None` when empty).
    pub fn mean(&self) -> Option<f64> {
        (!self.values.is_empty())
            .then(|| self.values.values().sum::<f64>() / self.values.len() as f64)
    }
}

/// How an effect's interval was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Mean paired difference over seeds, Student t with n − 1 degrees of freedom.
    PairedSeeds,
    /// Paired bootstrap over test utterances of two single runs (percentile interval).
    Bootstrap,
    /// Ratio of sample standard deviations over seeds, F interval.
    SdRatio,
}

/// One claim and its check.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimCheck {
    /// The claim, paraphrased, with its thesis section / table.
    pub claim: String,
    /// The verdict.
    pub verdict: Verdict,
    /// What was compared, e.g. `F1: ssl-masking − supervised`.
    pub comparison: String,
    /// The effect with its interval (A − B, or sd(A) / sd(B) for [`Method::SdRatio`]).
    pub effect: Option<Interval>,
    /// How the interval was obtained.
    pub method: Method,
    /// The thesis's own effect on the same comparison, where its tables print both sides.
    pub thesis_effect: Option<f64>,
    /// For unresolved checks: the smallest effect this budget detects (80 % power, 5 % test).
    pub detectable: Option<f64>,
    /// The numbers behind the verdict, or what is missing.
    pub evidence: String,
    /// Decimals of the effect.
    pub decimals: usize,
}

impl ClaimCheck {
    /// A check whose runs are missing.
    pub fn not_run(claim: impl Into<String>, why: impl Into<String>) -> ClaimCheck {
        ClaimCheck {
            claim: claim.into(),
            verdict: Verdict::NotRun,
            comparison: String::new(),
            effect: None,
            method: Method::PairedSeeds,
            thesis_effect: None,
            detectable: None,
            evidence: why.into(),
            decimals: 2,
        }
    }

    /// `+1.23 [−0.40, +2.86]` (or `—` without an interval).
    pub fn effect_text(&self) -> String {
        let d = self.decimals;
        let s = |v: f64| format!("{}{v:.d$}", if v >= 0.0 { "+" } else { "" });
        match (&self.effect, self.method) {
            (Some(i), Method::SdRatio) => {
                format!("×{:.2} [{:.2}, {:.2}]", i.estimate, i.low, i.high)
            }
            (Some(i), _) if i.n >= 2 || self.method == Method::Bootstrap => {
                format!("{} [{}, {}]", s(i.estimate), s(i.low), s(i.high))
            }
            (Some(i), _) => format!("{} (no interval)", s(i.estimate)),
            (None, _) => "—".to_owned(),
        }
    }

    /// `5 seeds`, `466 test utterances, 2000 resamples`, …
    pub fn basis(&self) -> String {
        match (&self.effect, self.method) {
            (None, _) => "—".to_owned(),
            (Some(i), Method::Bootstrap) => {
                format!("{} test utterances, {BOOTSTRAP_RESAMPLES} resamples", i.n)
            }
            (Some(i), _) => format!("{} seed{}", i.n, if i.n == 1 { "" } else { "s" }),
        }
    }

    /// One line for the terminal: verdict, claim, effect ± interval, thesis effect, basis.
    pub fn line(&self) -> String {
        let mut s = format!(
            "{:<12} {}: {} {}",
            self.verdict.name().to_uppercase(),
            self.claim,
            self.comparison,
            self.effect_text()
        );
        if let Some(t) = self.thesis_effect {
            s.push_str(&format!(
                " (thesis {}{t:.*})",
                if t >= 0.0 { "+" } else { "" },
                self.decimals
            ));
        }
        s.push_str(&format!(" — {}", self.basis()));
        if let Some(d) = self.detectable {
            s.push_str(&format!("; detectable ≥ {d:.*}", self.decimals));
        }
        s
    }
}

/// The verdict on the interval `i` of a − b when the claim says `a` is better on `q`: held when
/// the whole interval lies on the improving side of 0, contradicted when it lies on the other,
/// no difference when it is the single point 0 (every paired difference exactly 0).
fn decide(q: Quantity, i: &Interval) -> Verdict {
    if i.estimate == 0.0 && i.low == 0.0 && i.high == 0.0 {
        return Verdict::NoDifference;
    }
    let (lo, hi) = if q.sign() > 0.0 {
        (i.low, i.high)
    } else {
        (-i.high, -i.low)
    };
    if lo > 0.0 {
        Verdict::Held
    } else if hi < 0.0 {
        Verdict::Contradicted
    } else {
        Verdict::Unresolved
    }
}

/// "`a` is better than `b` on `q`", paired by seed: the mean of the per-seed differences a − b
/// with its Student-t interval over the seeds both sides have.
pub fn compare(
    claim: impl Into<String>,
    q: Quantity,
    a: &Side,
    b: &Side,
    thesis_effect: Option<f64>,
) -> ClaimCheck {
    let claim = claim.into();
    let comparison = format!("{}: {} − {}", q.name, a.label, b.label);
    if a.values.is_empty() || b.values.is_empty() {
        let missing: Vec<&str> = [a, b]
            .iter()
            .filter(|s| s.values.is_empty())
            .map(|s| s.label.as_str())
            .collect();
        return ClaimCheck {
            comparison,
            thesis_effect,
            ..ClaimCheck::not_run(claim, format!("no runs of {}", missing.join(", ")))
        };
    }
    let diffs: Vec<f64> = a
        .values
        .iter()
        .filter_map(|(seed, va)| Some(va - b.values.get(seed)?))
        .collect();
    let evidence = format!(
        "{} {} vs {} {} (means over seeds {:?} vs {:?})",
        a.label,
        a.mean().map_or("-".into(), |v| q.fmt(v)),
        b.label,
        b.mean().map_or("-".into(), |v| q.fmt(v)),
        a.values.keys().collect::<Vec<_>>(),
        b.values.keys().collect::<Vec<_>>(),
    );
    let base = ClaimCheck {
        claim,
        verdict: Verdict::Unresolved,
        comparison,
        effect: None,
        method: Method::PairedSeeds,
        thesis_effect,
        detectable: None,
        evidence,
        decimals: q.decimals,
    };
    if diffs.is_empty() {
        return ClaimCheck {
            verdict: Verdict::NotRun,
            evidence: format!("{}; no seed in common", base.evidence),
            ..base
        };
    }
    match paired_t_interval(&diffs, LEVEL) {
        None => {
            let d = diffs[0];
            ClaimCheck {
                effect: Some(Interval {
                    estimate: d,
                    low: f64::NAN,
                    high: f64::NAN,
                    level: LEVEL,
                    n: 1,
                    se: f64::NAN,
                }),
                evidence: format!("{}; one seed: no interval", base.evidence),
                ..base
            }
        }
        Some(i) => {
            let verdict = decide(q, &i);
            let sd = i.se * (i.n as f64).sqrt();
            ClaimCheck {
                verdict,
                effect: Some(i),
                detectable: (verdict == Verdict::Unresolved)
                    .then(|| minimal_detectable_effect(sd, i.n, LEVEL, POWER))
                    .flatten(),
                ..base
            }
        }
    }
}

/// "The run `a` beats the run `b` on `metric`": a paired bootstrap over the test utterances
/// both runs predicted (their stored per-utterance predictions).
pub fn compare_runs(
    claim: impl Into<String>,
    metric: Metric,
    (a_label, a): (&str, &ResultRow),
    (b_label, b): (&str, &ResultRow),
    thesis_effect: Option<f64>,
) -> ClaimCheck {
    let claim = claim.into();
    let q = Quantity::from(metric);
    let comparison = format!(
        "{metric}: {a_label} (seed {}) − {b_label} (seed {})",
        a.seed, b.seed
    );
    let usable = |r: &ResultRow| {
        !r.test_predictions.is_empty() && r.test_predictions.len() == r.test_labels.len()
    };
    if !usable(a) || !usable(b) || a.test_labels != b.test_labels {
        return ClaimCheck {
            comparison,
            thesis_effect,
            verdict: Verdict::Unresolved,
            ..ClaimCheck::not_run(
                claim,
                "the rows hold no per-utterance test predictions (a store from before they were kept)",
            )
        };
    }
    let to64 = |v: &[f32]| v.iter().map(|&x| f64::from(x)).collect::<Vec<f64>>();
    let (pa, pb, labels) = (
        to64(&a.test_predictions),
        to64(&b.test_predictions),
        to64(&a.test_labels),
    );
    let score = |p: &[f64], y: &[f64]| evaluate(p, y).ok().and_then(|m| metric.of(&m));
    let interval = paired_bootstrap_interval(
        &pa,
        &pb,
        &labels,
        &score,
        BOOTSTRAP_RESAMPLES,
        LEVEL,
        BOOTSTRAP_SEED,
    );
    let evidence = format!(
        "{a_label} {} vs {b_label} {} on {} test utterances",
        metric.of(&a.test).map_or("-".into(), |v| q.fmt(v)),
        metric.of(&b.test).map_or("-".into(), |v| q.fmt(v)),
        labels.len()
    );
    let Some(i) = interval else {
        return ClaimCheck {
            comparison,
            thesis_effect,
            verdict: Verdict::Unresolved,
            ..ClaimCheck::not_run(
                claim,
                format!("{evidence}; {metric} undefined on resamples"),
            )
        };
    };
    let verdict = decide(q, &i);
    ClaimCheck {
        claim,
        verdict,
        comparison,
        effect: Some(i),
        method: Method::Bootstrap,
        thesis_effect,
        detectable: (verdict == Verdict::Unresolved)
            .then(|| minimal_detectable_effect_se(i.se, LEVEL, POWER)),
        evidence,
        decimals: q.decimals,
    }
}

/// "`a` varies less across seeds than `b`": the ratio sd(a) / sd(b) with its F interval; held
/// when the whole interval is below 1.
pub fn compare_spread(claim: impl Into<String>, q: Quantity, a: &Side, b: &Side) -> ClaimCheck {
    let claim = claim.into();
    let comparison = format!("sd of {}: {} / {}", q.name, a.label, b.label);
    let va: Vec<f64> = a.values.values().copied().collect();
    let vb: Vec<f64> = b.values.values().copied().collect();
    let Some(i) = sd_ratio_interval(&va, &vb, LEVEL) else {
        return ClaimCheck {
            comparison,
            verdict: Verdict::Unresolved,
            ..ClaimCheck::not_run(claim, "needs at least 2 seeds on each side")
        };
    };
    let verdict = if i.high < 1.0 {
        Verdict::Held
    } else if i.low > 1.0 {
        Verdict::Contradicted
    } else {
        Verdict::Unresolved
    };
    ClaimCheck {
        claim,
        verdict,
        comparison,
        effect: Some(i),
        method: Method::SdRatio,
        thesis_effect: None,
        detectable: None,
        evidence: format!("{} seeds vs {} seeds", va.len(), vb.len()),
        decimals: 2,
    }
}

/// "`best` is the best of `sides` on `q`": `best` compared, paired by seed, with each other
/// side. Held when it is significantly better than every one, contradicted when one is
/// significantly better than it, unresolved otherwise; the reported effect is the comparison
/// with the strongest rival (the other side with the best mean).
pub fn best_of(
    claim: impl Into<String>,
    q: Quantity,
    best: &Side,
    rivals: &[Side],
    thesis_effect: Option<f64>,
) -> ClaimCheck {
    let claim = claim.into();
    if rivals.is_empty() || best.values.is_empty() {
        return ClaimCheck::not_run(
            claim,
            format!("needs {} and at least one rival", best.label),
        );
    }
    let checks: Vec<ClaimCheck> = rivals
        .iter()
        .map(|r| compare(claim.clone(), q, best, r, None))
        .collect();
    let strongest = rivals
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((i, r.mean()?)))
        .reduce(|x, y| if q.sign() * (y.1 - x.1) > 0.0 { y } else { x })
        .map_or(0, |(i, _)| i);
    let verdict = combine(&checks);
    let evidence = checks
        .iter()
        .map(|c| format!("{} {}", c.comparison, c.effect_text()))
        .collect::<Vec<_>>()
        .join("; ");
    ClaimCheck {
        claim,
        verdict,
        evidence: format!(
            "{} mean {}; vs each rival: {evidence}",
            best.label,
            best.mean().map_or("-".into(), |v| q.fmt(v))
        ),
        thesis_effect,
        ..checks[strongest].clone()
    }
}

/// The verdict of "all of these hold": held when all hold, contradicted when any is
/// contradicted, no difference when (none is contradicted and) one shows no difference at all,
/// not run when none could be checked, unresolved otherwise.
pub fn combine(checks: &[ClaimCheck]) -> Verdict {
    if checks.is_empty() || checks.iter().all(|c| c.verdict == Verdict::NotRun) {
        Verdict::NotRun
    } else if checks.iter().any(|c| c.verdict == Verdict::Contradicted) {
        Verdict::Contradicted
    } else if checks.iter().all(|c| c.verdict == Verdict::Held) {
        Verdict::Held
    } else if checks.iter().any(|c| c.verdict == Verdict::NoDifference) {
        Verdict::NoDifference
    } else {
        Verdict::Unresolved
    }
}

/// The sides' label and mean, for evidence lines: `a 71.20, b 70.85`.
pub fn means(q: Quantity, sides: &[Side]) -> String {
    sides
        .iter()
        .map(|s| format!("{} {}", s.label, s.mean().map_or("-".into(), |v| q.fmt(v))))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `Some(a − b)` of two printed thesis values.
pub fn thesis_diff(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(a? - b?)
}

/// `Quantity::signed` for other modules.
pub fn signed(q: Quantity, v: f64) -> String {
    q.signed(v)
}
