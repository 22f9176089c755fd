//! Classification metrics of thesis 7.3: sentiment classes, accuracy and weighted F1.

use std::collections::BTreeSet;

/// Class of a sentiment score for Acc7 / Acc5 (thesis 7.3): clip to `[−bound, bound]`, then
/// round half to even.
///
/// The rounding is numpy's `np.round` as used by the common MOSEI evaluation code (MulT's
/// `eval_mosei_senti`), i.e. [`f64::round_ties_even`]: 0.5 → 0, −0.5 → −0 (class 0), 1.5 → 2,
/// 2.5 → 2, −2.5 → −2. Acc7 uses `bound = 3` (classes −3..=3), Acc5 `bound = 2` (−2..=2).
pub fn sentiment_class(score: f64, bound: f64) -> i64 {
    score.clamp(-bound, bound).round_ties_even() as i64
}

/// Fraction of positions where `y_pred` equals `y_true` (thesis 7.3 Acc7 / Acc5 / Acc2), `None`
/// for empty input.
///
/// # Panics
/// If the slices differ in length.
pub fn accuracy<T: PartialEq>(y_true: &[T], y_pred: &[T]) -> Option<f64> {
    assert_eq!(y_true.len(), y_pred.len(), "accuracy: length mismatch");
    if y_true.is_empty() {
        return None;
    }
    let hits = y_true.iter().zip(y_pred).filter(|(t, p)| t == p).count();
    Some(hits as f64 / y_true.len() as f64)
}

/// Weighted F1 (thesis 7.3 "F1"), as sklearn's `f1_score(y_true, y_pred, average="weighted")`;
/// `None` for empty input.
///
/// Per class c: F1_c = 2·TP_c / (support_c + predicted_c), which equals 2PR/(P+R) and is 0 when
/// TP_c = 0 (sklearn's `zero_division=0` result). The classes are the union of those in `y_true`
/// and `y_pred`, each weighted by its support in `y_true`, so a class seen only in `y_pred`
/// weighs 0 and the sum runs over the classes of `y_true`. The argument order matters: the
/// thesis's released code swaps it, which weights by predicted counts instead.
///
/// # Panics
/// If the slices differ in length.
pub fn weighted_f1<T: Ord>(y_true: &[T], y_pred: &[T]) -> Option<f64> {
    assert_eq!(y_true.len(), y_pred.len(), "weighted_f1: length mismatch");
    if y_true.is_empty() {
        return None;
    }
    let classes: BTreeSet<&T> = y_true.iter().collect();
    let weighted_sum: f64 = classes
        .into_iter()
        .map(|class| {
            let support = y_true.iter().filter(|&t| t == class).count();
            let predicted = y_pred.iter().filter(|&p| p == class).count();
            let true_positives = y_true
                .iter()
                .zip(y_pred)
                .filter(|&(t, p)| t == class && p == class)
                .count();
            support as f64 * (2 * true_positives) as f64 / (support + predicted) as f64
        })
        .sum();
    Some(weighted_sum / y_true.len() as f64)
}
