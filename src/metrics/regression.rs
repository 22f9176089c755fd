//! Regression metrics of thesis 7.3: mean absolute error and Pearson correlation.

/// Mean absolute error `mean |p − y|` (thesis 7.3 "MAE"; also the supervised loss, table 7.3.2).
///
/// # Panics
/// If the slices differ in length or are empty ([`super::evaluate`] rejects both first).
pub fn mae(predictions: &[f64], labels: &[f64]) -> f64 {
    assert_eq!(predictions.len(), labels.len(), "mae: length mismatch");
    assert!(!labels.is_empty(), "mae: empty input");
    let total: f64 = predictions
        .iter()
        .zip(labels)
        .map(|(p, y)| (p - y).abs())
        .sum();
    total / labels.len() as f64
}

/// Pearson correlation r (thesis 7.3 "Corr"), or `None` where it is undefined.
///
/// Uses the two-pass (centred) formula r = Σ(x−x̄)(y−ȳ) / √(Σ(x−x̄)² · Σ(y−ȳ)²), clamped to
/// [−1, 1] against rounding. Returns `None` (numpy's `corrcoef` gives NaN there) when n < 2, when
/// either side is constant — all values exactly equal, tested directly because the rounded mean
/// of e.g. `[0.1, 0.1, 0.1]` differs from 0.1 and would fake a non-zero variance — or when the
/// result is not finite (magnitudes that overflow or underflow `f64`).
///
/// # Panics
/// If the slices differ in length.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    assert_eq!(x.len(), y.len(), "pearson: length mismatch");
    let constant = |v: &[f64]| v.iter().all(|&a| a == v[0]);
    if x.len() < 2 || constant(x) || constant(y) {
        return None;
    }
    let m = Moments::of(x, y);
    let r = m.sxy / (m.sxx.sqrt() * m.syy.sqrt());
    r.is_finite().then(|| r.clamp(-1.0, 1.0))
}

/// Root mean squared error `√mean (p − y)²` (Bulat et al.'s valence / arousal "RMSE").
///
/// # Panics
/// If the slices differ in length or are empty ([`super::evaluate`] rejects both first).
pub fn rmse(predictions: &[f64], labels: &[f64]) -> f64 {
    assert_eq!(predictions.len(), labels.len(), "rmse: length mismatch");
    assert!(!labels.is_empty(), "rmse: empty input");
    let total: f64 = predictions
        .iter()
        .zip(labels)
        .map(|(p, y)| (p - y) * (p - y))
        .sum();
    (total / labels.len() as f64).sqrt()
}

/// Lin's concordance correlation coefficient (Bulat et al.'s "CCC"; Lin 1989):
/// `2 s_xy / (s_x² + s_y² + (x̄ − ȳ)²)` with population (1/n) moments. It is Pearson's r scaled
/// down by any difference of means or scales: `|ccc| ≤ |r|`, and 1 only for `x = y`. `None` when
/// the denominator is 0 (both sides constant and equal) or the result is not finite.
///
/// # Panics
/// If the slices differ in length or are empty.
pub fn ccc(x: &[f64], y: &[f64]) -> Option<f64> {
    assert_eq!(x.len(), y.len(), "ccc: length mismatch");
    assert!(!x.is_empty(), "ccc: empty input");
    let (m, n) = (Moments::of(x, y), x.len() as f64);
    let denominator = (m.sxx + m.syy) / n + (m.mean_x - m.mean_y).powi(2);
    let c = 2.0 * m.sxy / n / denominator;
    (denominator > 0.0 && c.is_finite()).then(|| c.clamp(-1.0, 1.0))
}

/// Sign agreement (Bulat et al.'s "SAGR", as the AffectNet and SEWA evaluations define it): the share
/// of samples whose prediction has the label's sign, with numpy's three-way `sign` (0 is its own
/// sign: a prediction of 0 agrees only with a label of 0).
///
/// # Panics
/// If the slices differ in length or are empty.
pub fn sagr(predictions: &[f64], labels: &[f64]) -> f64 {
    assert_eq!(predictions.len(), labels.len(), "sagr: length mismatch");
    assert!(!labels.is_empty(), "sagr: empty input");
    let sign = |v: f64| (v > 0.0) as i8 - (v < 0.0) as i8;
    let agree = predictions
        .iter()
        .zip(labels)
        .filter(|&(&p, &y)| sign(p) == sign(y))
        .count();
    agree as f64 / labels.len() as f64
}

/// Means and centred sums of products of two equally long samples (two-pass formula).
struct Moments {
    mean_x: f64,
    mean_y: f64,
    sxy: f64,
    sxx: f64,
    syy: f64,
}

impl Moments {
    fn of(x: &[f64], y: &[f64]) -> Moments {
        let n = x.len() as f64;
        let (mean_x, mean_y) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
        let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
        for (a, b) in x.iter().zip(y) {
            let (dx, dy) = (a - mean_x, b - mean_y);
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        Moments {
            mean_x,
            mean_y,
            sxy,
            sxx,
            syy,
        }
    }
}
