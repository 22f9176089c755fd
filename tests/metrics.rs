//! Hand-worked cases and invariants for the MOSEI metrics of thesis 7.3 (`mmssl::metrics`).
//!
//! Tolerance: `TOL = 1e-12` for hand-worked values. Every expected value is a short sum (at most
//! 10 terms of magnitude at most ~30) of decimals that are not exact in binary; each rounding
//! costs at most ~1e-15 relative, so the accumulated error is well below 1e-13. Accuracies are
//! exact ratios k/n but are compared with the same tolerance for uniformity.

use approx::assert_abs_diff_eq;
use mmssl::metrics::{
    accuracy, ccc, evaluate, mae, pearson, read_predictions_csv, rmse, sagr, sentiment_class,
    weighted_f1, CsvErrorKind, Metrics, MetricsError, PredictionTable,
};
use proptest::prelude::*;
use std::path::PathBuf;

const TOL: f64 = 1e-12;

// ---------------------------------------------------------------------------------------------
// Rounding and clipping (Acc7 / Acc5 classes)
// ---------------------------------------------------------------------------------------------

#[test]
fn sentiment_class_rounds_half_to_even() {
    // np.round ties go to the even neighbour, not away from zero.
    for (score, class) in [
        (0.5, 0),
        (-0.5, 0), // −0.0 after rounding, the same class as 0
        (1.5, 2),
        (-1.5, -2),
        (2.5, 2),
        (-2.5, -2),
        (0.49, 0),
        (2.51, 3),
        (-1.2, -1),
    ] {
        assert_eq!(sentiment_class(score, 3.0), class, "score {score}");
    }
    assert_eq!((-0.5f64).round_ties_even(), 0.0, "−0 compares equal to 0");
}

#[test]
fn sentiment_class_clips_before_rounding() {
    // Acc7 clips to [−3, 3]: 3.7 → 3, −7 → −3, 3.5 → 3 (not 4).
    assert_eq!(sentiment_class(3.7, 3.0), 3);
    assert_eq!(sentiment_class(-7.0, 3.0), -3);
    assert_eq!(sentiment_class(3.5, 3.0), 3);
    // Acc5 clips to [−2, 2]: 2.5 → 2, −2.6 → −2, 2.4 → 2, and 1.5 still rounds to 2.
    assert_eq!(sentiment_class(2.5, 2.0), 2);
    assert_eq!(sentiment_class(-2.6, 2.0), -2);
    assert_eq!(sentiment_class(2.4, 2.0), 2);
    assert_eq!(sentiment_class(1.5, 2.0), 2);
}

#[test]
fn acc7_uses_ties_to_even_not_half_away_from_zero() {
    // p classes (half-to-even): 2.5→2, −0.5→0, 1.5→2, 3.7→clip 3→3
    // y classes:                2.0→2,  0.0→0, 2.4→2, 3.0→3        → all 4 equal: acc7 = 1.
    // With half-away-from-zero rounding 2.5→3 and −0.5→−1 would miss: acc7 would be 0.5.
    let m = evaluate(&[2.5, -0.5, 1.5, 3.7], &[2.0, 0.0, 2.4, 3.0]).unwrap();
    assert_abs_diff_eq!(m.acc7, 1.0, epsilon = TOL);
}

// ---------------------------------------------------------------------------------------------
// A full hand-worked example
// ---------------------------------------------------------------------------------------------

#[test]
fn hand_worked_example_all_metrics() {
    let p = [2.5, -0.5, 1.5, 0.0, -2.5, 3.7, -1.2, 0.4];
    let y = [2.0, 0.0, 2.4, 1.0, -3.0, 2.6, 0.0, -0.6];
    let m = evaluate(&p, &y).unwrap();
    assert_eq!(m.n, 8);

    // MAE: |p − y| = 0.5, 0.5, 0.9, 1.0, 0.5, 1.1, 1.2, 1.0 → sum 6.7 → 6.7 / 8 = 0.8375.
    assert_abs_diff_eq!(m.mae, 0.8375, epsilon = TOL);

    // Corr: Σp = 3.9, Σy = 4.4, Σpy = 5 + 0 + 3.6 + 0 + 7.5 + 9.62 + 0 − 0.24 = 25.48,
    // Σp² = 6.25 + 0.25 + 2.25 + 0 + 6.25 + 13.69 + 1.44 + 0.16 = 30.29,
    // Σy² = 4 + 0 + 5.76 + 1 + 9 + 6.76 + 0 + 0.36 = 26.88.
    // Sxy = 25.48 − 3.9·4.4/8 = 23.335; Sxx = 30.29 − 3.9²/8 = 28.38875;
    // Syy = 26.88 − 4.4²/8 = 24.46; r = 23.335 / √(28.38875 · 24.46) ≈ 0.885536.
    assert_abs_diff_eq!(
        m.corr.unwrap(),
        23.335 / (28.38875f64 * 24.46).sqrt(),
        epsilon = TOL
    );

    // Acc7: p classes 2, 0, 2, 0, −2, 3, −1, 0 (2.5→2, −0.5→0, −2.5→−2 ties to even; 3.7→3)
    //       y classes 2, 0, 2, 1, −3, 3,  0, −1 (2.6→3, −0.6→−1)
    //       equal at 0, 1, 2, 5 → 4/8.
    assert_abs_diff_eq!(m.acc7, 0.5, epsilon = TOL);

    // Acc5 (clip to [−2, 2]): p classes 2, 0, 2, 0, −2, 2, −1, 0
    //                         y classes 2, 0, 2, 1, −2, 2,  0, −1
    //                         equal at 0, 1, 2, 4, 5 → 5/8.
    assert_abs_diff_eq!(m.acc5, 0.625, epsilon = TOL);

    // Non-zero: y != 0 at indices 0, 2, 3, 4, 5, 7 (6 samples).
    //   truth y > 0: T T T F T F; pred p > 0: T T F F T T (p = 0.0 at index 3 is negative).
    //   Acc2 = matches T T F T T F = 4/6.
    //   F1: positive: support 4, predicted 4, TP 3 → 6/8 = 0.75;
    //       negative: support 2, predicted 2, TP 1 → 2/4 = 0.5;
    //       weighted (4·0.75 + 2·0.5) / 6 = 4/6.
    assert_abs_diff_eq!(m.acc2_non0.unwrap(), 4.0 / 6.0, epsilon = TOL);
    assert_abs_diff_eq!(m.f1_non0.unwrap(), 4.0 / 6.0, epsilon = TOL);

    // Has-zero over all 8: truth y >= 0: T T T T F T T F; pred p >= 0: T F T T F T F T
    //   (p = 0.0 at index 3 is positive here). Acc2 = matches at 0, 2, 3, 4, 5 → 5/8.
    //   F1: positive: support 6, predicted 5, TP 4 → 8/11;
    //       negative: support 2, predicted 3, TP 1 → 2/5;
    //       weighted (6·8/11 + 2·2/5) / 8 = 71/110 ≈ 0.645454.
    assert_abs_diff_eq!(m.acc2_has0, 0.625, epsilon = TOL);
    assert_abs_diff_eq!(m.f1_has0, 71.0 / 110.0, epsilon = TOL);
}

#[test]
fn zero_labels_are_excluded_and_zero_predictions_are_negative() {
    // p = 0, 0, 1, −1; y = 1, −1, 0, 0.
    // Non-zero: indices 0, 1; truth T F; pred F F (0 is not > 0). Acc2 = 1/2.
    //   F1: positive: support 1, predicted 0, TP 0 → 0; negative: support 1, predicted 2, TP 1
    //   → 2/3; weighted (1·0 + 1·2/3) / 2 = 1/3.
    // Has-zero: truth T F T T; pred T T T F. Acc2 = matches at 0, 2 → 1/2.
    //   F1: positive: support 3, predicted 3, TP 2 → 4/6; negative: support 1, predicted 1,
    //   TP 0 → 0; weighted 3·(2/3) / 4 = 1/2.
    let m = evaluate(&[0.0, 0.0, 1.0, -1.0], &[1.0, -1.0, 0.0, 0.0]).unwrap();
    assert_abs_diff_eq!(m.acc2_non0.unwrap(), 0.5, epsilon = TOL);
    assert_abs_diff_eq!(m.f1_non0.unwrap(), 1.0 / 3.0, epsilon = TOL);
    assert_abs_diff_eq!(m.acc2_has0, 0.5, epsilon = TOL);
    assert_abs_diff_eq!(m.f1_has0, 0.5, epsilon = TOL);
}

#[test]
fn all_zero_labels_give_null_non_zero_metrics_and_corr() {
    // Every label is 0 (−0.0 too), so the non-zero subset is empty; labels are constant, so r is
    // undefined. Has-zero: truth T T T; pred (p >= 0) T F T → Acc2 2/3; F1: positive support 3,
    // predicted 2, TP 2 → 4/5; weighted 3·0.8 / 3 = 0.8.
    let m = evaluate(&[1.0, -1.0, 0.0], &[0.0, 0.0, -0.0]).unwrap();
    assert_eq!(m.acc2_non0, None);
    assert_eq!(m.f1_non0, None);
    assert_eq!(m.corr, None);
    assert_abs_diff_eq!(m.acc2_has0, 2.0 / 3.0, epsilon = TOL);
    assert_abs_diff_eq!(m.f1_has0, 0.8, epsilon = TOL);
    let json = serde_json::to_value(&m).unwrap();
    assert!(json["acc2_non0"].is_null() && json["f1_non0"].is_null() && json["corr"].is_null());
}

// ---------------------------------------------------------------------------------------------
// Weighted F1 and accuracy
// ---------------------------------------------------------------------------------------------

#[test]
fn weighted_f1_weights_by_true_support_and_swapping_differs() {
    // y_true = T T T T F, y_pred = T T T F F.
    // positive: support 4, predicted 3, TP 3 → F1 6/7; negative: support 1, predicted 2, TP 1
    // → F1 2/3. Weighted by true support: (4·6/7 + 1·2/3) / 5 = 86/105 ≈ 0.8190.
    // Swapped call (the released thesis code): per-class F1 is symmetric, but the weights become
    // the predicted counts: (3·6/7 + 2·2/3) / 5 = 82/105 ≈ 0.7810.
    let y_true = [true, true, true, true, false];
    let y_pred = [true, true, true, false, false];
    let right = weighted_f1(&y_true, &y_pred).unwrap();
    let swapped = weighted_f1(&y_pred, &y_true).unwrap();
    assert_abs_diff_eq!(right, 86.0 / 105.0, epsilon = TOL);
    assert_abs_diff_eq!(swapped, 82.0 / 105.0, epsilon = TOL);
    assert!((right - swapped).abs() > 0.03);
}

#[test]
fn weighted_f1_class_only_predicted_weighs_zero() {
    // y_true = T T, y_pred = T F. positive: support 2, predicted 1, TP 1 → 2/3;
    // negative: support 0 (absent from y_true), F1 0 with weight 0. Weighted: 2·(2/3) / 2 = 2/3.
    assert_abs_diff_eq!(
        weighted_f1(&[true, true], &[true, false]).unwrap(),
        2.0 / 3.0,
        epsilon = TOL
    );
}

#[test]
fn weighted_f1_multiclass_matches_sklearn_doc_example() {
    // sklearn's f1_score docs: y_true = [0,1,2,0,1,2], y_pred = [0,2,1,0,0,1] → 0.2666...
    // class 0: support 2, predicted 3, TP 2 → 4/5; classes 1 and 2: TP 0 → 0.
    // Weighted: 2·0.8 / 6 = 4/15.
    let f1 = weighted_f1(&[0, 1, 2, 0, 1, 2], &[0, 2, 1, 0, 0, 1]).unwrap();
    assert_abs_diff_eq!(f1, 4.0 / 15.0, epsilon = TOL);
}

#[test]
fn accuracy_and_f1_of_empty_input_are_none() {
    assert_eq!(accuracy::<bool>(&[], &[]), None);
    assert_eq!(weighted_f1::<bool>(&[], &[]), None);
}

// ---------------------------------------------------------------------------------------------
// Pearson correlation
// ---------------------------------------------------------------------------------------------

#[test]
fn pearson_hand_cases() {
    // x = 1 2 3, y = 1 3 2: deviations −1 0 1 and −1 1 0; Sxy = 1, Sxx = Syy = 2 → r = 1/2.
    assert_abs_diff_eq!(
        pearson(&[1.0, 2.0, 3.0], &[1.0, 3.0, 2.0]).unwrap(),
        0.5,
        epsilon = TOL
    );
    // y = 2x and y = 10 − 2x are exact linear relations: r = ±1.
    let x = [1.0, 2.0, 3.0, 4.0];
    assert_abs_diff_eq!(
        pearson(&x, &[2.0, 4.0, 6.0, 8.0]).unwrap(),
        1.0,
        epsilon = TOL
    );
    assert_abs_diff_eq!(
        pearson(&x, &[8.0, 6.0, 4.0, 2.0]).unwrap(),
        -1.0,
        epsilon = TOL
    );
}

#[test]
fn pearson_undefined_cases_are_none() {
    assert_eq!(pearson(&[1.0], &[2.0]), None, "n < 2");
    assert_eq!(pearson(&[], &[]), None, "n = 0");
    assert_eq!(
        pearson(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]),
        None,
        "constant x"
    );
    // 0.1 + 0.1 + 0.1 = 0.30000000000000004, so the computed mean is not exactly 0.1: a naive
    // zero-variance test would see a tiny variance and return a meaningless r.
    assert_eq!(
        pearson(&[1.0, 2.0, 3.0], &[0.1, 0.1, 0.1]),
        None,
        "constant y"
    );
}

/// The textbook raw-sum formula r = (nΣxy − ΣxΣy) / √((nΣx² − (Σx)²)(nΣy² − (Σy)²)), an
/// independent check of the library's two-pass (centred) formula.
fn pearson_raw_sums(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (sx, sy) = (x.iter().sum::<f64>(), y.iter().sum::<f64>());
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| a * b).sum();
    let sxx: f64 = x.iter().map(|a| a * a).sum();
    let syy: f64 = y.iter().map(|b| b * b).sum();
    (n * sxy - sx * sy) / ((n * sxx - sx * sx) * (n * syy - sy * sy)).sqrt()
}

fn population_variance(v: &[f64]) -> f64 {
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    v.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / v.len() as f64
}

// ---------------------------------------------------------------------------------------------
// Input validation
// ---------------------------------------------------------------------------------------------

#[test]
fn evaluate_rejects_bad_input() {
    assert_eq!(
        evaluate(&[1.0], &[1.0, 2.0]),
        Err(MetricsError::LengthMismatch {
            predictions: 1,
            labels: 2
        })
    );
    assert_eq!(evaluate(&[], &[]), Err(MetricsError::Empty));
    assert!(matches!(
        evaluate(&[0.0, 1.0, 2.0], &[0.0, 1.0, f64::NAN]),
        Err(MetricsError::NonFinite {
            side: "label",
            index: 2,
            ..
        })
    ));
    assert_eq!(
        evaluate(&[f64::NEG_INFINITY, 1.0], &[0.0, 1.0]),
        Err(MetricsError::NonFinite {
            side: "prediction",
            index: 0,
            value: f64::NEG_INFINITY
        })
    );
}

/// Seed 003's regression metrics, worked by hand.
#[test]
fn rmse_ccc_and_sagr_hand_cases() {
    // x = 1 2 3, y = 1 3 2: equal means (2) and variances (2/3), covariance 1/3, so
    // ccc = 2 (1/3) / (4/3) = 1/2 = r; differences 0, −1, 1 give rmse √(2/3).
    let (x, y) = ([1.0, 2.0, 3.0], [1.0, 3.0, 2.0]);
    assert_abs_diff_eq!(ccc(&x, &y).unwrap(), 0.5, epsilon = TOL);
    assert_abs_diff_eq!(rmse(&x, &y), (2.0f64 / 3.0).sqrt(), epsilon = TOL);
    // Shifting y by 1 leaves r at 1/2 but adds (x̄ − ȳ)² = 1 to the denominator: 2/7.
    let shifted = [2.0, 4.0, 3.0];
    assert_abs_diff_eq!(pearson(&x, &shifted).unwrap(), 0.5, epsilon = TOL);
    assert_abs_diff_eq!(ccc(&x, &shifted).unwrap(), 2.0 / 7.0, epsilon = TOL);
    // Doubling y: s_y² = 8/3, s_xy = 2/3, means 2 and 4 → 2 (2/3) / (2/3 + 8/3 + 4) = 2/11.
    assert_abs_diff_eq!(
        ccc(&x, &[2.0, 6.0, 4.0]).unwrap(),
        2.0 / 11.0,
        epsilon = TOL
    );
    // Identical sides concord perfectly; two equal constants leave it undefined.
    assert_abs_diff_eq!(ccc(&x, &x).unwrap(), 1.0, epsilon = TOL);
    assert_eq!(ccc(&[0.5, 0.5], &[0.5, 0.5]), None);
    // Signs (numpy's, 0 its own): agree, disagree, agree (0, 0), disagree (0 vs −), agree.
    let p = [1.0, -0.5, 0.0, 0.0, 2.0];
    let l = [2.0, 0.5, 0.0, -1.0, 3.0];
    assert_abs_diff_eq!(sagr(&p, &l), 3.0 / 5.0, epsilon = TOL);
    let m = evaluate(&p, &l).unwrap();
    assert_eq!(
        (m.sagr, m.rmse.is_some(), m.ccc.is_some()),
        (Some(0.6), true, true)
    );
}

// ---------------------------------------------------------------------------------------------
// Serialisation and display
// ---------------------------------------------------------------------------------------------

#[test]
fn json_has_exactly_the_documented_keys_and_round_trips() {
    let m = evaluate(&[0.5, -1.0, 2.0], &[1.0, -2.0, 0.0]).unwrap();
    let json = serde_json::to_value(&m).unwrap();
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "acc2_has0",
            "acc2_non0",
            "acc5",
            "acc7",
            "ccc",
            "corr",
            "f1_has0",
            "f1_non0",
            "mae",
            "n",
            "rmse",
            "sagr"
        ]
    );
    let back: Metrics = serde_json::from_value(json).unwrap();
    assert_abs_diff_eq!(back.mae, m.mae, epsilon = TOL);
    assert_eq!(back.n, m.n);
}

#[test]
fn display_lists_every_metric_and_marks_undefined_ones() {
    let table = evaluate(&[1.0, -1.0, 0.0], &[0.0, 0.0, 0.0])
        .unwrap()
        .to_string();
    for name in ["MAE", "Corr", "Acc7", "Acc5", "Acc2", "F1", "n = 3"] {
        assert!(table.contains(name), "{name} missing from\n{table}");
    }
    assert_eq!(
        table.matches("n/a").count(),
        3,
        "corr, acc2_non0, f1_non0:\n{table}"
    );
}

// ---------------------------------------------------------------------------------------------
// Predictions CSV
// ---------------------------------------------------------------------------------------------

fn temp_csv(name: &str, contents: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "mmssl-test-metrics-{}-{name}.csv",
        std::process::id()
    ));
    std::fs::write(&path, contents).unwrap();
    path
}

fn csv_error(name: &str, contents: &str) -> CsvErrorKind {
    let path = temp_csv(name, contents);
    let err = read_predictions_csv(&path).unwrap_err();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(err.path, path);
    assert!(
        err.to_string().starts_with(&path.display().to_string()),
        "{err}"
    );
    err.kind
}

#[test]
fn csv_reads_columns_in_any_order_and_ignores_extras() {
    let path = temp_csv("good", "id,label,prediction\na, 1.5,0.25\n\nb,-2,-3e0\n");
    let table = read_predictions_csv(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(
        table,
        PredictionTable {
            predictions: vec![0.25, -3.0],
            labels: vec![1.5, -2.0]
        }
    );
}

#[test]
fn csv_errors_name_line_and_column() {
    assert!(matches!(
        csv_error("missing", "prediction,truth\n1,2\n"),
        CsvErrorKind::MissingColumn {
            column: "label",
            ..
        }
    ));
    assert!(matches!(
        csv_error("nonnumeric", "prediction,label\n0.5,1\nabc,2\n"),
        CsvErrorKind::NotANumber { line: 3, column: "prediction", ref value } if value == "abc"
    ));
    assert!(matches!(
        csv_error("nan", "prediction,label\n0.5,NaN\n"),
        CsvErrorKind::NonFinite {
            line: 2,
            column: "label",
            ..
        }
    ));
    assert!(matches!(
        csv_error("inf", "label,prediction\n1,2\n3,-inf\n"),
        CsvErrorKind::NonFinite {
            line: 3,
            column: "prediction",
            ..
        }
    ));
    assert!(matches!(
        csv_error("empty-field", "prediction,label\n1,\n"),
        CsvErrorKind::NotANumber {
            line: 2,
            column: "label",
            ..
        }
    ));
    assert!(matches!(
        csv_error("fields", "prediction,label\n1,2\n1,2,3\n"),
        CsvErrorKind::FieldCount {
            line: 3,
            expected: 2,
            found: 3
        }
    ));
    assert!(matches!(csv_error("empty", ""), CsvErrorKind::EmptyFile));
    assert!(matches!(
        csv_error("header-only", "prediction,label\n"),
        CsvErrorKind::NoRows
    ));
}

#[test]
fn csv_missing_file_is_an_io_error() {
    let path = std::env::temp_dir().join("mmssl-test-metrics-does-not-exist.csv");
    let err = read_predictions_csv(&path).unwrap_err();
    assert!(matches!(err.kind, CsvErrorKind::Io(_)));
}

// ---------------------------------------------------------------------------------------------
// Invariants
// ---------------------------------------------------------------------------------------------

/// Sentiment-like scores: continuous values past ±3, plus exact multiples of 0.5 in [−4, 4] so
/// that zero labels, zero predictions and rounding ties are frequent.
fn score() -> impl Strategy<Value = f64> {
    prop_oneof![-4.0..4.0f64, (-8i32..=8).prop_map(|k| f64::from(k) / 2.0)]
}

/// Paired (prediction, label) samples, at least one.
fn samples() -> impl Strategy<Value = Vec<(f64, f64)>> {
    prop::collection::vec((score(), score()), 1..40)
}

fn split(samples: &[(f64, f64)]) -> (Vec<f64>, Vec<f64>) {
    samples.iter().copied().unzip()
}

proptest! {
    #[test]
    fn accuracies_and_f1_lie_in_unit_interval(samples in samples()) {
        let (p, y) = split(&samples);
        let m = evaluate(&p, &y).unwrap();
        let optional = [m.acc2_non0, m.f1_non0].into_iter().flatten();
        for v in [m.acc7, m.acc5, m.acc2_has0, m.f1_has0].into_iter().chain(optional) {
            prop_assert!((0.0..=1.0).contains(&v), "{v} outside [0, 1] in {m:?}");
        }
        prop_assert!(m.mae >= 0.0);
        prop_assert_eq!(m.n, samples.len());
    }

    #[test]
    fn mae_is_zero_iff_predictions_equal_labels(
        y in prop::collection::vec(score(), 1..40),
        index in any::<prop::sample::Index>(),
        delta in 1e-3..1.0f64,
    ) {
        prop_assert_eq!(mae(&y, &y), 0.0);
        let mut p = y.clone();
        p[index.index(y.len())] += delta;
        prop_assert!(mae(&p, &y) > 0.0);
    }

    #[test]
    fn corr_of_affine_map_is_plus_or_minus_one(
        x in prop::collection::vec(score(), 2..40),
        slope in 0.1..10.0f64,
        intercept in -10.0..10.0f64,
    ) {
        // A spread-out x keeps the rounding of slope·x + intercept negligible: 1 − r grows with
        // the square of that relative error (~1e-13), far below the 1e-9 tolerance.
        prop_assume!(population_variance(&x) > 1e-2);
        let up: Vec<f64> = x.iter().map(|v| slope * v + intercept).collect();
        let down: Vec<f64> = x.iter().map(|v| -slope * v + intercept).collect();
        prop_assert!((pearson(&x, &up).unwrap() - 1.0).abs() <= 1e-9);
        prop_assert!((pearson(&x, &down).unwrap() + 1.0).abs() <= 1e-9);
    }

    #[test]
    fn pearson_matches_raw_sum_formula(samples in prop::collection::vec((score(), score()), 2..40)) {
        // The raw-sum formula loses ~ max|x|²·ε / variance ≤ 16 · 2.2e-16 / 1e-2 ≈ 4e-13 to
        // cancellation, so a 1e-9 tolerance leaves a wide margin.
        let (p, y) = split(&samples);
        prop_assume!(population_variance(&p) > 1e-2 && population_variance(&y) > 1e-2);
        let r = pearson(&p, &y).unwrap();
        prop_assert!((r - pearson_raw_sums(&p, &y)).abs() <= 1e-9);
    }

    #[test]
    fn metrics_are_invariant_to_permuting_samples(
        (samples, shuffled) in samples().prop_flat_map(|s| (Just(s.clone()), Just(s).prop_shuffle())),
    ) {
        let (p, y) = split(&samples);
        let (ps, ys) = split(&shuffled);
        let (a, b) = (evaluate(&p, &y).unwrap(), evaluate(&ps, &ys).unwrap());
        // Counts do not depend on order, so the classification metrics are bit-identical; sums of
        // ≤ 40 terms of size ≤ 16 may round differently, hence 1e-12 for MAE and r.
        prop_assert_eq!((a.acc7, a.acc5, a.acc2_non0, a.f1_non0), (b.acc7, b.acc5, b.acc2_non0, b.f1_non0));
        prop_assert_eq!((a.acc2_has0, a.f1_has0, a.n), (b.acc2_has0, b.f1_has0, b.n));
        prop_assert!((a.mae - b.mae).abs() <= 1e-12);
        match (a.corr, b.corr) {
            (Some(r), Some(s)) => prop_assert!((r - s).abs() <= 1e-12),
            (r, s) => prop_assert_eq!(r, s),
        }
    }

    /// CCC is r shrunk by the sides' difference in mean and scale (evaluated another way, from
    /// r and the standard deviations); RMSE bounds MAE from above; SAGR is a share.
    #[test]
    fn ccc_rmse_and_sagr_relate_to_r_and_mae_as_defined(samples in prop::collection::vec((score(), score()), 2..40)) {
        let (p, y) = split(&samples);
        let m = evaluate(&p, &y).unwrap();
        prop_assert!(m.rmse.unwrap() >= m.mae - 1e-12);
        prop_assert!((0.0..=1.0).contains(&m.sagr.unwrap()));
        if let (Some(r), Some(c)) = (m.corr, m.ccc) {
            prop_assert!(c.abs() <= r.abs() + 1e-12, "ccc {} r {}", c, r);
            let (vp, vy) = (population_variance(&p), population_variance(&y));
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
            let via_r = 2.0 * r * vp.sqrt() * vy.sqrt() / (vp + vy + (mean(&p) - mean(&y)).powi(2));
            prop_assert!((c - via_r).abs() <= 1e-9, "ccc {} via r {}", c, via_r);
        }
    }

    #[test]
    fn perfect_predictions_score_one(y in prop::collection::vec(score(), 1..40)) {
        let m = evaluate(&y, &y).unwrap();
        prop_assert_eq!(m.mae, 0.0);
        prop_assert_eq!((m.acc7, m.acc5, m.acc2_has0, m.f1_has0), (1.0, 1.0, 1.0, 1.0));
        let expected = y.iter().any(|&v| v != 0.0).then_some(1.0);
        prop_assert_eq!((m.acc2_non0, m.f1_non0), (expected, expected));
        prop_assert_eq!((m.rmse, m.sagr), (Some(0.0), Some(1.0)));
    }
}
