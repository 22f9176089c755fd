//! The claims of §8.2: supervised vs SSL fine-tuned (table 8.2.2 / 8.2.3) and linear evaluation
//! (table 8.2.4).

use super::*;

pub(super) fn table_8_2_2(rows: &[ResultRow]) -> Vec<ClaimCheck> {
    let f = FamilyId::Table8_2_2;
    let mut out = Vec::new();
    for metric in [Metric::F1, Metric::Mae] {
        let sup = variant(rows, f, "supervised", metric);
        for v in SSL3 {
            out.push(compare(
                format!(
                    "SSL pre-training ({}) beats supervised on {metric} (§8.2, table 8.2.2)",
                    &v[4..]
                ),
                metric.into(),
                &variant(rows, f, v, metric),
                &sup,
                thesis_effect("8.2.2", v, "supervised", metric),
            ));
        }
    }
    let four = ["supervised", "ssl-noise", "ssl-masking", "ssl-seqaug"];
    for (expected, metric, what) in [
        ("ssl-seqaug", Metric::F1, "SeqAug gives the highest F1"),
        (
            "ssl-masking",
            Metric::Acc7,
            "Masking gives the highest Acc7",
        ),
    ] {
        let others: Vec<&str> = four.iter().copied().filter(|v| *v != expected).collect();
        let rivals: Vec<Side> = others.iter().map(|v| variant(rows, f, v, metric)).collect();
        let t = ThesisResults::embedded();
        let thesis_rival = others
            .iter()
            .filter_map(|v| t.value("8.2.2", v, metric))
            .reduce(f64::max);
        out.push(best_of(
            format!("{what} of the four models (§8.2, table 8.2.2)"),
            metric.into(),
            &variant(rows, f, expected, metric),
            &rivals,
            thesis_diff(t.value("8.2.2", expected, metric), thesis_rival),
        ));
    }
    let sup = variant(rows, f, "supervised", Metric::F1);
    let spread: Vec<ClaimCheck> = SSL3
        .iter()
        .map(|v| {
            compare_spread(
                "",
                Metric::F1.into(),
                &variant(rows, f, v, Metric::F1),
                &sup,
            )
        })
        .collect();
    let spread_claim = "SSL runs vary less across seeds than supervised ones (F1 sd ratio < 1 for each SSL model; §8.2)";
    let widest = spread.iter().filter(|c| c.effect.is_some()).max_by(|a, b| {
        let e = |c: &ClaimCheck| c.effect.map_or(f64::MIN, |i| i.estimate);
        e(a).total_cmp(&e(b))
    });
    out.push(match widest {
        Some(w) => ClaimCheck {
            claim: spread_claim.into(),
            verdict: combine(&spread),
            evidence: spread
                .iter()
                .map(|c| format!("{} {}", c.comparison, c.effect_text()))
                .collect::<Vec<_>>()
                .join("; "),
            ..w.clone()
        },
        None => ClaimCheck {
            verdict: Verdict::Unresolved,
            ..ClaimCheck::not_run(spread_claim, "needs at least 2 seeds per model")
        },
    });
    // Table 8.2.3: the single best run of each model (highest test F1).
    let claim = "The best SSL run beats the best supervised run on F1 (§8.2, table 8.2.3; paired bootstrap over test utterances; choosing on test F1 is optimistic)";
    let best_sup = best_run(pick(rows, f, "supervised", any));
    let best_ssl = best_run(SSL3.iter().flat_map(|v| pick(rows, f, v, any)));
    let t = ThesisResults::embedded();
    let thesis_best_ssl = SSL3
        .iter()
        .filter_map(|v| t.value("8.2.3", v, Metric::F1))
        .reduce(f64::max);
    out.push(match (best_ssl, best_sup) {
        (Some(a), Some(b)) => compare_runs(
            claim,
            Metric::F1,
            (&a.variant, a),
            ("supervised", b),
            thesis_diff(thesis_best_ssl, t.value("8.2.3", "supervised", Metric::F1)),
        ),
        _ => ClaimCheck::not_run(claim, "needs supervised and SSL runs"),
    });
    out
}

pub(super) fn table_8_2_4(rows: &[ResultRow]) -> Vec<ClaimCheck> {
    let f = FamilyId::Table8_2_4;
    let mut out = Vec::new();
    for metric in [Metric::F1, Metric::Mae] {
        let random = variant(rows, f, "supervised-linear", metric);
        for v in SSL3 {
            out.push(compare(
                format!(
                    "Under linear evaluation the {}-pre-trained frozen encoder beats the random frozen encoder on {metric} (§8.2, table 8.2.4)",
                    &v[4..]
                ),
                metric.into(),
                &variant(rows, f, v, metric),
                &random,
                thesis_effect("8.2.4", v, "supervised-linear", metric),
            ));
        }
    }
    let four = [
        "supervised-linear",
        "ssl-noise",
        "ssl-masking",
        "ssl-seqaug",
    ];
    for (expected, metric, what) in [
        ("ssl-masking", Metric::F1, "Masking gives the highest F1"),
        ("ssl-seqaug", Metric::Acc7, "SeqAug gives the highest Acc7"),
    ] {
        let others: Vec<&str> = four.iter().copied().filter(|v| *v != expected).collect();
        let rivals: Vec<Side> = others.iter().map(|v| variant(rows, f, v, metric)).collect();
        let t = ThesisResults::embedded();
        let thesis_rival = others
            .iter()
            .filter_map(|v| t.value("8.2.4", v, metric))
            .reduce(f64::max);
        out.push(best_of(
            format!("Under linear evaluation {what} (§8.2, table 8.2.4)"),
            metric.into(),
            &variant(rows, f, expected, metric),
            &rivals,
            thesis_diff(t.value("8.2.4", expected, metric), thesis_rival),
        ));
    }
    out
}
