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
    let n = x.len() as f64;
    let (mean_x, mean_y) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mean_x, b - mean_y);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    let r = sxy / (sxx.sqrt() * syy.sqrt());
    r.is_finite().then(|| r.clamp(-1.0, 1.0))
}
