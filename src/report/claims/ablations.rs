//! The claims of §8.5 and appendix A.2: single- and double-stream masking and SeqAug's
//! application probabilities (figures 8.5.1–8.5.4, A.2.1–A.2.4).

use super::*;

pub(super) fn fig_8_5_1(rows: &[ResultRow]) -> Vec<ClaimCheck> {
    let f = FamilyId::Fig8_5_1;
    let m = Metric::F1;
    let fine = Side::metric(
        "fine-tuned settings (average)",
        pick(rows, f, "finetune", any),
        m,
    );
    let lin = Side::metric("linear settings (average)", pick(rows, f, "linear", any), m);
    vec![
        compare(
            "Fine-tuned single-masking settings beat the supervised baseline on F1, on average over the settings (§8.5: \"most combinations already fare well above the supervised baselines\")",
            m.into(),
            &fine,
            &variant(rows, f, "supervised", m),
            None,
        ),
        compare(
            "Fine-tuned single-masking settings beat their linear evaluation on F1, on average over the settings (§8.5)",
            m.into(),
            &fine,
            &lin,
            None,
        ),
    ]
}

/// Per seed, the mean of `metric` over the rows of `family` that `keep` selects.
fn cells(
    rows: &[ResultRow],
    family: FamilyId,
    label: String,
    keep: impl Fn(&ResultRow) -> bool,
    metric: Metric,
) -> Side {
    Side::metric(
        label,
        rows.iter().filter(|r| r.family == family && keep(r)),
        metric,
    )
}

/// The distinct values of the params `a`, `b` in `family`'s rows.
fn grid_points(rows: &[ResultRow], family: FamilyId, a: &str, b: &str) -> Vec<(f64, f64)> {
    let mut points: Vec<(u64, u64)> = rows
        .iter()
        .filter(|r| r.family == family)
        .filter_map(|r| Some((param(r, a)?.to_bits(), param(r, b)?.to_bits())))
        .collect();
    points.sort_unstable();
    points.dedup();
    points
        .into_iter()
        .map(|(x, y)| (f64::from_bits(x), f64::from_bits(y)))
        .collect()
}

/// "The grid point `target` of params (`a`, `b`) is the best on `metric`", each point averaged
/// per seed over the family's other coordinates.
fn best_point(
    rows: &[ResultRow],
    family: FamilyId,
    (a, b): (&'static str, &'static str),
    target: (f64, f64),
    metric: Metric,
    claim: &str,
) -> ClaimCheck {
    let points = grid_points(rows, family, a, b);
    let side = |(x, y): (f64, f64)| {
        cells(
            rows,
            family,
            format!("({x}, {y})"),
            move |r| param(r, a) == Some(x) && param(r, b) == Some(y),
            metric,
        )
    };
    if !points.contains(&target) {
        return ClaimCheck::not_run(claim, format!("the grid has no {target:?} point"));
    }
    let rivals: Vec<Side> = points
        .iter()
        .filter(|p| **p != target)
        .map(|p| side(*p))
        .collect();
    best_of(claim, metric.into(), &side(target), &rivals, None)
}

pub(super) fn fig_8_5_2(rows: &[ResultRow]) -> Vec<ClaimCheck> {
    let f = FamilyId::Fig8_5_2;
    let mut strategies: Vec<String> = rows
        .iter()
        .filter(|r| r.family == f)
        .map(|r| normalize_variant(&r.variant))
        .collect();
    strategies.sort();
    strategies.dedup();
    let strategy = |s: &str, metric: Metric| {
        let s = s.to_owned();
        cells(
            rows,
            f,
            format!("{s} (average over cells)"),
            move |r| normalize_variant(&r.variant) == s,
            metric,
        )
    };
    let best_strategy = |claim: &str, metric: Metric, expected: &[&str]| -> ClaimCheck {
        let q = Quantity::from(metric);
        let best = expected
            .iter()
            .filter(|e| strategies.iter().any(|s| s == *e))
            .map(|e| strategy(e, metric))
            .filter(|s| s.mean().is_some())
            .reduce(|x, y| {
                let (mx, my) = (x.mean().unwrap_or(f64::NAN), y.mean().unwrap_or(f64::NAN));
                if metric.better(my, mx) {
                    y
                } else {
                    x
                }
            });
        let Some(best) = best else {
            return ClaimCheck::not_run(
                claim,
                format!("needs {} in the grid", expected.join(" or ")),
            );
        };
        let rivals: Vec<Side> = strategies
            .iter()
            .filter(|s| !expected.contains(&s.as_str()))
            .map(|s| strategy(s, metric))
            .collect();
        best_of(claim, q, &best, &rivals, None)
    };
    vec![
        best_strategy(
            "For F1 the High-High or High-Low strategy does best, averaged over mask cells (§8.5, fig. 8.5.2)",
            Metric::F1,
            &["high-high", "high-low"],
        ),
        best_strategy(
            "For Acc7 the Low-Low strategy does best, averaged over mask cells (§8.5, fig. 8.5.3)",
            Metric::Acc7,
            &["low-low"],
        ),
        best_point(
            rows,
            f,
            ("mask_pct_1", "mask_pct_2"),
            (0.7, 0.7),
            Metric::Mae,
            "Mask percentages (70 %, 70 %) give the lowest MAE, averaged over strategies (§8.5, fig. 8.5.4: \"the pair (70%, 70%) dominates\")",
        ),
    ]
}

pub(super) fn fig_a_2_4(rows: &[ResultRow]) -> Vec<ClaimCheck> {
    let f = FamilyId::FigA2_4;
    let m = Metric::F1;
    let first = best_point(
        rows,
        f,
        ("p1", "p2"),
        (0.5, 0.5),
        m,
        "(P_apply1, P_apply2) = (0.5, 0.5) gives the highest F1 (§8.5, fig. A.2.4: \"clearly dominates\")",
    );
    let worst = grid_points(rows, f, "p1", "p2")
        .into_iter()
        .map(|(x, y)| {
            cells(
                rows,
                f,
                format!("P_apply ({x}, {y})"),
                move |r| param(r, "p1") == Some(x) && param(r, "p2") == Some(y),
                m,
            )
        })
        .filter(|s| s.mean().is_some())
        .reduce(|a, b| if b.mean() < a.mean() { b } else { a });
    let c2 = "Even the worst SeqAug P_apply setting beats the supervised baseline (table-8.2.2's runs) on F1 (§8.5)";
    let second = match worst {
        Some(w) => compare(
            format!("{c2}; worst by mean: {}", w.label),
            m.into(),
            &w,
            &variant(rows, FamilyId::Table8_2_2, "supervised", m),
            None,
        ),
        None => ClaimCheck::not_run(c2, "no fig-A.2.4 runs"),
    };
    vec![first, second]
}
