//! The claims of §8.3: chains of transformations (table 8.3.2, figure 8.3.1).

use super::*;

fn is_chain(v: &str) -> bool {
    normalize_variant(v).contains('+')
}

fn is_single(v: &str) -> bool {
    normalize_variant(v) != "none" && !is_chain(v)
}

pub(super) fn table_8_3_2(rows: &[ResultRow]) -> Vec<ClaimCheck> {
    let f = FamilyId::Table8_3_2;
    let m = Metric::F1;
    let mine: Vec<&ResultRow> = rows.iter().filter(|r| r.family == f).collect();
    let mut variants: Vec<String> = mine.iter().map(|r| r.variant.clone()).collect();
    variants.sort();
    variants.dedup();
    let best_by_mean = |pred: &dyn Fn(&str) -> bool| -> Option<Side> {
        variants
            .iter()
            .filter(|v| pred(v))
            .map(|v| variant(rows, f, v, m))
            .filter(|s| s.mean().is_some())
            .reduce(|a, b| if b.mean() > a.mean() { b } else { a })
    };
    let t = ThesisResults::embedded();
    let thesis_best = |pred: &dyn Fn(&str) -> bool| {
        t.table("8.3.2").and_then(|tab| {
            tab.rows
                .iter()
                .filter(|r| r.variant.as_deref().is_some_and(pred))
                .filter_map(|r| r.values.get(m))
                .reduce(f64::max)
        })
    };
    let claim = "The best single transformation beats the best chain on F1 (\"chainings did not perform better\", §8.3; the best of each by mean)";
    let first = match (best_by_mean(&is_single), best_by_mean(&is_chain)) {
        (Some(s), Some(c)) => compare(
            claim,
            m.into(),
            &s,
            &c,
            thesis_diff(thesis_best(&is_single), thesis_best(&is_chain)),
        ),
        _ => ClaimCheck::not_run(
            claim,
            "needs runs of a single transformation and of a chain",
        ),
    };
    let ssl: Vec<&ResultRow> = mine
        .iter()
        .copied()
        .filter(|r| normalize_variant(&r.variant) != "none")
        .collect();
    let thesis_avg = t.table("8.3.2").and_then(|tab| {
        let none = tab.row_for("none")?.values.get(m)?;
        let others: Vec<f64> = tab
            .rows
            .iter()
            .filter(|r| r.variant.as_deref().is_some_and(|v| v != "none"))
            .filter_map(|r| r.values.get(m))
            .collect();
        (!others.is_empty()).then(|| others.iter().sum::<f64>() / others.len() as f64 - none)
    });
    let second = compare(
        "SSL transformations and chains beat the supervised model (\"none\") on F1, on average over the variants (§8.3)",
        m.into(),
        &Side::metric("SSL variants (average)", ssl, m),
        &variant(rows, f, "none", m),
        thesis_avg,
    );
    vec![first, second]
}
