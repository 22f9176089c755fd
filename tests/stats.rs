//! The report's statistics against tabulated values and hand-worked cases.

use approx::assert_abs_diff_eq;
use mmssl::report::stats::{
    f_quantile, minimal_detectable_effect, minimal_detectable_effect_se, normal_quantile,
    paired_bootstrap_interval, paired_t_interval, sd_ratio_interval, student_t_quantile,
};
use proptest::prelude::*;

/// Tables print 4 decimals: agreement to 5e-4 is agreement with the table.
const TABLE: f64 = 5e-4;

#[test]
fn t_quantiles_match_the_tables() {
    for (p, df, want) in [
        (0.975, 1.0, 12.7062),
        (0.975, 2.0, 4.3027),
        (0.975, 4.0, 2.7764),
        (0.975, 9.0, 2.2622),
        (0.975, 30.0, 2.0423),
        (0.8, 4.0, 0.9410),
        (0.95, 10.0, 1.8125),
        (0.995, 5.0, 4.0321),
    ] {
        assert_abs_diff_eq!(student_t_quantile(p, df), want, epsilon = TABLE);
        assert_abs_diff_eq!(student_t_quantile(1.0 - p, df), -want, epsilon = TABLE);
    }
    assert_abs_diff_eq!(student_t_quantile(0.5, 3.0), 0.0, epsilon = 1e-12);
    assert_abs_diff_eq!(student_t_quantile(0.975, 1e6), 1.95996, epsilon = 1e-4);
    assert_abs_diff_eq!(normal_quantile(0.975), 1.959964, epsilon = 1e-5);
    assert_abs_diff_eq!(normal_quantile(0.8), 0.841621, epsilon = 1e-5);
}

#[test]
fn f_quantiles_match_the_tables() {
    for (p, d1, d2, want) in [
        (0.975, 4.0, 4.0, 9.6045),
        (0.95, 4.0, 4.0, 6.3882),
        (0.975, 1.0, 1.0, 647.79),
        (0.95, 2.0, 10.0, 4.1028),
    ] {
        let got = f_quantile(p, d1, d2);
        assert!(
            (got - want).abs() / want < 1e-4,
            "F({p}; {d1}, {d2}) = {got}, table {want}"
        );
    }
    // F_{α}(d1, d2) = 1 / F_{1−α}(d2, d1).
    assert_abs_diff_eq!(
        f_quantile(0.025, 3.0, 7.0),
        1.0 / f_quantile(0.975, 7.0, 3.0),
        epsilon = 1e-9
    );
}

#[test]
fn paired_t_interval_by_hand() {
    // diffs 1..5: mean 3, sd √2.5 = 1.5811, se 0.7071, t_{0.975,4} = 2.7764 → ± 1.9632.
    let i = paired_t_interval(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.95).unwrap();
    assert_abs_diff_eq!(i.estimate, 3.0, epsilon = 1e-12);
    assert_abs_diff_eq!(i.se, 2.5f64.sqrt() / 5f64.sqrt(), epsilon = 1e-12);
    assert_abs_diff_eq!(i.low, 3.0 - 1.9632, epsilon = 1e-3);
    assert_abs_diff_eq!(i.high, 3.0 + 1.9632, epsilon = 1e-3);
    assert_eq!(i.n, 5);
    assert!(!i.contains_zero());
    assert!(paired_t_interval(&[1.0], 0.95).is_none());
    assert!(paired_t_interval(&[1.0, f64::NAN], 0.95).is_none());
    // Two seeds: 1 degree of freedom, t = 12.706: [-0.5, 2.5] has mean 1, sd √4.5.
    let two = paired_t_interval(&[-0.5, 2.5], 0.95).unwrap();
    assert_abs_diff_eq!(two.high - two.estimate, 12.7062 * 1.5, epsilon = 1e-3);
    assert!(two.contains_zero());
}

fn mae(p: &[f64], y: &[f64]) -> Option<f64> {
    Some(p.iter().zip(y).map(|(a, b)| (a - b).abs()).sum::<f64>() / y.len() as f64)
}

#[test]
fn bootstrap_of_identical_runs_is_exactly_zero() {
    let y: Vec<f64> = (0..50).map(|i| (i as f64 * 0.37).sin()).collect();
    let p: Vec<f64> = y.iter().map(|v| v * 0.5).collect();
    let i = paired_bootstrap_interval(&p, &p, &y, &mae, 500, 0.95, 7).unwrap();
    assert_eq!((i.estimate, i.low, i.high), (0.0, 0.0, 0.0));
}

#[test]
fn bootstrap_of_a_constant_error_shift_is_tight_and_deterministic() {
    // Every prediction of `a` is 0.1 farther from its label than `b`'s (same side): the MAE
    // difference is 0.1 on every resample.
    let y: Vec<f64> = (0..80).map(|i| (i % 7) as f64 - 3.0).collect();
    let b: Vec<f64> = y.iter().map(|v| v + 0.2).collect();
    let a: Vec<f64> = y.iter().map(|v| v + 0.3).collect();
    let i = paired_bootstrap_interval(&a, &b, &y, &mae, 400, 0.95, 1).unwrap();
    assert_abs_diff_eq!(i.estimate, 0.1, epsilon = 1e-12);
    assert_abs_diff_eq!(i.low, 0.1, epsilon = 1e-12);
    assert_abs_diff_eq!(i.high, 0.1, epsilon = 1e-12);
    // A noisy difference: same seed, same interval; another seed, another one.
    let c: Vec<f64> = y
        .iter()
        .enumerate()
        .map(|(k, v)| v + ((k * 13) % 5) as f64 * 0.1)
        .collect();
    let i1 = paired_bootstrap_interval(&c, &b, &y, &mae, 400, 0.95, 1).unwrap();
    let i2 = paired_bootstrap_interval(&c, &b, &y, &mae, 400, 0.95, 1).unwrap();
    let i3 = paired_bootstrap_interval(&c, &b, &y, &mae, 400, 0.95, 2).unwrap();
    assert_eq!(i1, i2);
    assert_ne!(i1.low, i3.low);
    assert!(i1.low < i1.estimate && i1.estimate < i1.high);
    assert!(paired_bootstrap_interval(&c, &b[..10], &y, &mae, 400, 0.95, 1).is_none());
}

#[test]
fn minimal_detectable_effect_by_hand() {
    // n = 5, sd 2: (2.7764 + 0.9410) · 2 / √5 = 3.3250.
    assert_abs_diff_eq!(
        minimal_detectable_effect(2.0, 5, 0.95, 0.8).unwrap(),
        (2.7764 + 0.9410) * 2.0 / 5f64.sqrt(),
        epsilon = 1e-3
    );
    assert!(minimal_detectable_effect(2.0, 1, 0.95, 0.8).is_none());
    assert_abs_diff_eq!(
        minimal_detectable_effect_se(1.0, 0.95, 0.8),
        1.959964 + 0.841621,
        epsilon = 1e-5
    );
}

#[test]
fn sd_ratio_interval_by_hand() {
    // sd(a) = sd(b)·2 with 5 values each: F = 4, bounds √(4 / 9.6045) and √(4 · 9.6045).
    let b = [1.0, 2.0, 3.0, 4.0, 5.0];
    let a = b.map(|v| 2.0 * v);
    let i = sd_ratio_interval(&a, &b, 0.95).unwrap();
    assert_abs_diff_eq!(i.estimate, 2.0, epsilon = 1e-12);
    assert_abs_diff_eq!(i.low, (4.0f64 / 9.6045).sqrt(), epsilon = 1e-4);
    assert_abs_diff_eq!(i.high, (4.0f64 * 9.6045).sqrt(), epsilon = 1e-3);
    assert!(sd_ratio_interval(&a[..1], &b, 0.95).is_none());
}

proptest! {
    #[test]
    fn t_interval_contains_its_mean_and_widens_with_the_level(
        diffs in proptest::collection::vec(-10.0f64..10.0, 2..12)
    ) {
        let narrow = paired_t_interval(&diffs, 0.8).unwrap();
        let wide = paired_t_interval(&diffs, 0.99).unwrap();
        prop_assert!(narrow.low <= narrow.estimate && narrow.estimate <= narrow.high);
        prop_assert!(wide.low <= narrow.low + 1e-12 && narrow.high <= wide.high + 1e-12);
        prop_assert!((narrow.estimate - wide.estimate).abs() < 1e-12);
    }

    #[test]
    fn t_quantile_inverts_monotonically(p in 0.51f64..0.999, df in 1.0f64..60.0) {
        let q = student_t_quantile(p, df);
        prop_assert!(q > 0.0);
        prop_assert!(student_t_quantile(p, df + 1.0) <= q + 1e-9);
        prop_assert!(q >= normal_quantile(p) - 1e-9);
    }
}
