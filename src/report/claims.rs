//! What the thesis claims per experiment family (static text, with section numbers), and the
//! check of each claim against our rows: held / did not hold / undetermined, with the numbers.
//!
//! The checks compare means over seeds (or the best run, where the claim is about best models)
//! from [`summarize`]; they say nothing about statistical significance, and on the synthetic
//! stand-in they say nothing about CMU-MOSEI.

use super::metric::Metric;
use super::summary::{summarize, GroupSummary};
use super::thesis::normalize_variant;
use crate::experiments::ResultRow;
use std::fmt;

/// The outcome of checking one claim on our rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Our numbers agree with the claim.
    Held,
    /// Our numbers contradict the claim.
    NotHeld,
    /// The runs needed to decide are missing.
    Undetermined,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Held => "held",
            Verdict::NotHeld => "did not hold",
            Verdict::Undetermined => "undetermined",
        })
    }
}

/// One claim and its check.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimCheck {
    /// The claim, paraphrased, with its thesis section / table.
    pub claim: &'static str,
    /// The verdict on our rows.
    pub verdict: Verdict,
    /// The numbers behind the verdict (or what is missing).
    pub evidence: String,
}

/// An experiment family as the report presents it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FamilyInfo {
    /// Family id, as in [`ResultRow::family`].
    pub family: &'static str,
    /// Short title.
    pub title: &'static str,
    /// What the thesis claims, quoted or paraphrased, with section numbers.
    pub thesis_says: &'static str,
    /// Ids of the tables built from it (see `report::tables`).
    pub tables: &'static [&'static str],
    /// Ids of the figures drawn from it.
    pub figures: &'static [&'static str],
}

/// The families of chapter 8 and appendix A.2, in the thesis's order.
pub const FAMILIES: [FamilyInfo; 7] = [
    FamilyInfo {
        family: "table-8.2.2",
        title: "Supervised vs SSL pre-training + fine-tuning, full labels (tables 8.2.2, 8.2.3)",
        thesis_says: "§8.2, table 8.2.2: \"Self-Supervised Pre-training is a potent method for increasing performance across all six metrics\" (with \"a slight exception on Acc5 and Acc7\" for Gaussian noise); SeqAug gives the highest F1 and Acc2, Masking the highest Acc5, Acc7, Corr and the best MAE; SSL models show \"a decreased variance in performance\". Table 8.2.3 (best of 5 runs): \"SSL pre-trained models consistently perform better across metrics\", about +0.9 % F1.",
        tables: &["table-8.2.2", "table-8.2.3"],
        figures: &[],
    },
    FamilyInfo {
        family: "table-8.2.4",
        title: "Linear evaluation: random frozen encoder vs SSL-pre-trained frozen encoder (table 8.2.4)",
        thesis_says: "§8.2, table 8.2.4: under linear evaluation the picture is reversed, \"with Masking providing the best results for F1 and Acc2, while SeqAug better optimizes Acc5 and Acc7\"; SSL still improves on the supervised baseline, but \"improvements are lesser and not always consistent across all metrics\".",
        tables: &["table-8.2.4"],
        figures: &[],
    },
    FamilyInfo {
        family: "table-8.3.2",
        title: "Chains of transformations (table 8.3.2, figure 8.3.1)",
        thesis_says: "§8.3: the order of chained transformations matters, most chains beat the supervised model on F1, but \"our chosen transformation chainings did not perform better compared to single transformations\".",
        tables: &["table-8.3.2"],
        figures: &["8.3.1"],
    },
    FamilyInfo {
        family: "fig-8.4",
        title: "Reduced labeled data, 1 % to 100 % (figures 8.4.1, 8.4.2)",
        thesis_says: "§8.4: \"The SSL models perform impressively better on tiny datasets (1%)\"; \"SSL models require about 80%, and even 60% in extreme cases, to match or outperform the performance of the Supervised model trained on the full dataset\" (fig. 8.4.1, best of 3 runs); the linearly evaluated SSL-masking model \"performs, as expected, substantially worse compared to its fine-tuned counterparts\".",
        tables: &["fig-8.4.1", "fig-8.4.2"],
        figures: &["8.4.1", "8.4.2"],
    },
    FamilyInfo {
        family: "fig-8.5.1",
        title: "Single-stream masking: P_apply x mask % (figure 8.5.1)",
        thesis_says: "§8.5: \"Most combinations already fare well above the supervised baselines (for fine-tuned models)\"; \"the linearly evaluated models are less potent, and fewer combinations provide appropriate performance\"; soft rule: a high P_apply (>= 0.6) goes best with a small to medium mask (20-50 %).",
        tables: &["fig-8.5.1"],
        figures: &["8.5.1"],
    },
    FamilyInfo {
        family: "fig-8.5.2",
        title: "Double-stream masking heat maps (figures 8.5.2-8.5.4, A.2.1-A.2.3)",
        thesis_says: "§8.5: \"if optimizing the F1 score is more important then 'High-High' and 'High-Low' augmentation strategies provide higher performance. In contrast, for Acc7 a 'Low-Low' augmentation strategy better optimizes for accuracy\"; MAE depends on the mask percentages rather than on P_apply, and \"the pair (70%, 70%) dominates\".",
        tables: &["fig-8.5.2"],
        figures: &["8.5.2", "8.5.3", "8.5.4", "A.2.1", "A.2.2", "A.2.3"],
    },
    FamilyInfo {
        family: "fig-A.2.4",
        title: "SeqAug P_apply of each stream (figure A.2.4)",
        thesis_says: "§8.5 / A.2.2: \"The combination (P_apply1, P_apply2) = (0.5, 0.5) clearly dominates all other combinations\"; even the lowest F1 and Acc2 values of the grid are \"quite higher compared to the supervised baseline\".",
        tables: &["fig-A.2.4"],
        figures: &["A.2.4"],
    },
];

/// The [`FamilyInfo`] of `family`, if it is one of chapter 8's.
pub fn family_info(family: &str) -> Option<&'static FamilyInfo> {
    FAMILIES.iter().find(|f| f.family == family)
}

fn num(metric: Metric, v: f64) -> String {
    metric.format(v)
}

fn signed(metric: Metric, v: f64) -> String {
    format!("{}{}", if v >= 0.0 { "+" } else { "" }, metric.format(v))
}

fn find<'a>(groups: &'a [GroupSummary], variant: &str) -> Option<&'a GroupSummary> {
    groups
        .iter()
        .find(|g| normalize_variant(&g.variant) == normalize_variant(variant))
}

fn undetermined(claim: &'static str, why: impl Into<String>) -> ClaimCheck {
    ClaimCheck {
        claim,
        verdict: Verdict::Undetermined,
        evidence: why.into(),
    }
}

fn verdict(held: bool) -> Verdict {
    if held {
        Verdict::Held
    } else {
        Verdict::NotHeld
    }
}

/// "each of `challengers` beats `baseline` on `metric`" over group means (or best runs).
fn beats_baseline(
    claim: &'static str,
    groups: &[GroupSummary],
    baseline: &str,
    challengers: &[&str],
    metric: Metric,
    best: bool,
) -> ClaimCheck {
    let value = |g: &GroupSummary| {
        if best {
            g.best.get(metric)
        } else {
            g.mean.get(metric)
        }
    };
    let Some(base) = find(groups, baseline).and_then(value) else {
        return undetermined(claim, format!("no `{baseline}` runs with {metric}"));
    };
    let present: Vec<(&str, f64)> = challengers
        .iter()
        .filter_map(|c| Some((*c, find(groups, c).and_then(value)?)))
        .collect();
    if present.is_empty() {
        return undetermined(claim, format!("no runs of {}", challengers.join(", ")));
    }
    let stat = if best { "best run" } else { "mean" };
    let mut evidence = format!("{metric} ({stat}): {baseline} {}", num(metric, base));
    for (name, v) in &present {
        evidence.push_str(&format!(
            "; {name} {} ({})",
            num(metric, *v),
            signed(metric, v - base)
        ));
    }
    let missing: Vec<&str> = challengers
        .iter()
        .filter(|c| !present.iter().any(|(p, _)| p == *c))
        .copied()
        .collect();
    if !missing.is_empty() {
        evidence.push_str(&format!("; not run: {}", missing.join(", ")));
    }
    ClaimCheck {
        claim,
        verdict: verdict(present.iter().all(|(_, v)| metric.better(*v, base))),
        evidence,
    }
}

/// "`expected` is the best of `candidates` on `metric`" over group means.
fn best_is(
    claim: &'static str,
    groups: &[GroupSummary],
    candidates: &[&str],
    expected: &[&str],
    metric: Metric,
) -> ClaimCheck {
    let present: Vec<(&str, f64)> = candidates
        .iter()
        .filter_map(|c| Some((*c, find(groups, c)?.mean.get(metric)?)))
        .collect();
    if present.len() < 2 || !expected.iter().any(|e| present.iter().any(|(p, _)| p == e)) {
        return undetermined(
            claim,
            format!(
                "needs {} and at least one other of {}",
                expected.join(" or "),
                candidates.join(", ")
            ),
        );
    }
    let (winner, _) = present
        .iter()
        .copied()
        .reduce(|a, b| if metric.better(b.1, a.1) { b } else { a })
        .expect("present has at least two entries");
    let evidence = format!(
        "{metric} (mean): {}; best: {winner}",
        present
            .iter()
            .map(|(n, v)| format!("{n} {}", num(metric, *v)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    ClaimCheck {
        claim,
        verdict: verdict(expected.contains(&winner)),
        evidence,
    }
}

const SSL3: [&str; 3] = ["ssl-noise", "ssl-masking", "ssl-seqaug"];

/// Checks the thesis's claims for `family` on `rows` (all families' rows may be passed; some
/// checks use the supervised runs of `table-8.2.2` as a baseline).
pub fn check_family(family: &str, rows: &[ResultRow]) -> Vec<ClaimCheck> {
    let groups = summarize(rows, family);
    match family {
        "table-8.2.2" => {
            let four = ["supervised", "ssl-noise", "ssl-masking", "ssl-seqaug"];
            vec![
                beats_baseline(
                    "SSL pre-training (noise, masking, SeqAug) beats supervised on F1 (§8.2, table 8.2.2)",
                    &groups,
                    "supervised",
                    &SSL3,
                    Metric::F1,
                    false,
                ),
                beats_baseline(
                    "SSL pre-training (noise, masking, SeqAug) beats supervised on MAE (§8.2, table 8.2.2)",
                    &groups,
                    "supervised",
                    &SSL3,
                    Metric::Mae,
                    false,
                ),
                best_is(
                    "SeqAug gives the highest F1 (§8.2, table 8.2.2)",
                    &groups,
                    &four,
                    &["ssl-seqaug"],
                    Metric::F1,
                ),
                best_is(
                    "Masking gives the highest Acc7 (§8.2, table 8.2.2)",
                    &groups,
                    &four,
                    &["ssl-masking"],
                    Metric::Acc7,
                ),
                lower_variance(&groups),
                beats_baseline(
                    "The best SSL models beat the best supervised model on F1 (§8.2, table 8.2.3)",
                    &groups,
                    "supervised",
                    &SSL3,
                    Metric::F1,
                    true,
                ),
            ]
        }
        "table-8.2.4" => {
            let four = [
                "supervised-linear",
                "ssl-noise",
                "ssl-masking",
                "ssl-seqaug",
            ];
            vec![
                best_is(
                    "Under linear evaluation Masking gives the highest F1 (§8.2, table 8.2.4)",
                    &groups,
                    &four,
                    &["ssl-masking"],
                    Metric::F1,
                ),
                best_is(
                    "Under linear evaluation SeqAug gives the highest Acc7 (§8.2, table 8.2.4)",
                    &groups,
                    &four,
                    &["ssl-seqaug"],
                    Metric::Acc7,
                ),
                beats_baseline(
                    "An SSL-pre-trained frozen encoder (masking) beats a random frozen one on F1 (§8.2, table 8.2.4)",
                    &groups,
                    "supervised-linear",
                    &["ssl-masking"],
                    Metric::F1,
                    false,
                ),
            ]
        }
        "table-8.3.2" => vec![chains_vs_singles(&groups), chains_vs_none(&groups)],
        "fig-8.4" => vec![
            tiny_fraction(&groups),
            fraction_to_match(&groups),
            linear_below_finetune(&groups),
        ],
        "fig-8.5.1" => single_masking(&groups),
        "fig-8.5.2" => double_masking(&groups),
        "fig-A.2.4" => seqaug_p_apply(&groups, rows),
        _ => Vec::new(),
    }
}

fn lower_variance(groups: &[GroupSummary]) -> ClaimCheck {
    let claim = "SSL runs vary less across seeds than supervised ones (F1 sample std; §8.2)";
    let Some(base) = find(groups, "supervised").and_then(|g| g.std.f1) else {
        return undetermined(claim, "needs at least 2 supervised runs");
    };
    let present: Vec<(&str, f64)> = SSL3
        .iter()
        .filter_map(|c| Some((*c, find(groups, c)?.std.f1?)))
        .collect();
    if present.is_empty() {
        return undetermined(claim, "needs at least 2 runs of an SSL variant");
    }
    let evidence = format!(
        "F1 std: supervised {}; {}",
        num(Metric::F1, base),
        present
            .iter()
            .map(|(n, v)| format!("{n} {}", num(Metric::F1, *v)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    ClaimCheck {
        claim,
        verdict: verdict(present.iter().all(|(_, v)| *v < base)),
        evidence,
    }
}

fn is_single(variant: &str) -> bool {
    let v = normalize_variant(variant);
    v != "none" && !v.contains('+')
}

fn chains_vs_singles(groups: &[GroupSummary]) -> ClaimCheck {
    let claim = "Chains of transformations do not beat the best single transformation on F1 (§8.3)";
    let best = |pred: &dyn Fn(&str) -> bool| {
        groups
            .iter()
            .filter(|g| pred(&g.variant))
            .filter_map(|g| Some((g.variant.as_str(), g.mean.f1?)))
            .reduce(|a, b| if b.1 > a.1 { b } else { a })
    };
    let single = best(&|v| is_single(v));
    let chain = best(&|v| normalize_variant(v).contains('+'));
    match (single, chain) {
        (Some((sn, sv)), Some((cn, cv))) => ClaimCheck {
            claim,
            verdict: verdict(cv <= sv),
            evidence: format!(
                "best single: {sn} F1 {}; best chain: {cn} F1 {} ({})",
                num(Metric::F1, sv),
                num(Metric::F1, cv),
                signed(Metric::F1, cv - sv)
            ),
        },
        _ => undetermined(
            claim,
            "needs runs of a single transformation and of a chain",
        ),
    }
}

fn chains_vs_none(groups: &[GroupSummary]) -> ClaimCheck {
    let claim =
        "Most SSL transformations and chains beat the supervised model (\"none\") on F1 (§8.3)";
    let Some(base) = find(groups, "none").and_then(|g| g.mean.f1) else {
        return undetermined(claim, "no `none` (supervised) runs");
    };
    let others: Vec<f64> = groups
        .iter()
        .filter(|g| normalize_variant(&g.variant) != "none")
        .filter_map(|g| g.mean.f1)
        .collect();
    if others.is_empty() {
        return undetermined(claim, "no SSL runs");
    }
    let above = others.iter().filter(|v| **v > base).count();
    ClaimCheck {
        claim,
        verdict: verdict(2 * above > others.len()),
        evidence: format!(
            "{above} of {} SSL variants above none's mean F1 {}",
            others.len(),
            num(Metric::F1, base)
        ),
    }
}

/// Groups of `variant` keyed by their `fraction`.
fn at_fraction<'a>(groups: &'a [GroupSummary], variant: &str) -> Vec<(f64, &'a GroupSummary)> {
    let mut v: Vec<(f64, &GroupSummary)> = groups
        .iter()
        .filter(|g| normalize_variant(&g.variant) == normalize_variant(variant))
        .filter_map(|g| Some((g.param("fraction")?, g)))
        .collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    v
}

fn tiny_fraction(groups: &[GroupSummary]) -> ClaimCheck {
    let claim = "At the smallest labeled fraction, SSL masking and SeqAug (fine-tuned) beat supervised on F1 (§8.4)";
    let sup = at_fraction(groups, "supervised");
    let Some(&(f0, base)) = sup.first() else {
        return undetermined(claim, "no supervised runs with a `fraction`");
    };
    let Some(base_f1) = base.mean.f1 else {
        return undetermined(claim, "supervised F1 undefined");
    };
    let mut present = Vec::new();
    for v in ["ssl-masking", "ssl-seqaug"] {
        if let Some((_, g)) = at_fraction(groups, v).into_iter().find(|(f, _)| *f == f0) {
            if let Some(x) = g.mean.f1 {
                present.push((v, x));
            }
        }
    }
    if present.is_empty() {
        return undetermined(
            claim,
            format!("no SSL masking / SeqAug runs at fraction {f0}"),
        );
    }
    ClaimCheck {
        claim,
        verdict: verdict(present.iter().all(|(_, x)| *x > base_f1)),
        evidence: format!(
            "fraction {f0}, F1 (mean): supervised {}; {}",
            num(Metric::F1, base_f1),
            present
                .iter()
                .map(|(n, x)| format!(
                    "{n} {} ({})",
                    num(Metric::F1, *x),
                    signed(Metric::F1, x - base_f1)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn fraction_to_match(groups: &[GroupSummary]) -> ClaimCheck {
    let claim = "SSL fine-tuned models match supervised-on-all-labels F1 with at most 80 % of the labels (§8.4, fig. 8.4.1, best runs)";
    let sup = at_fraction(groups, "supervised");
    let Some(&(f_full, full)) = sup.last() else {
        return undetermined(claim, "no supervised runs with a `fraction`");
    };
    let Some(target) = full.best.f1 else {
        return undetermined(claim, "supervised F1 undefined");
    };
    let limit = if f_full > 1.0 { 80.0 } else { 0.8 };
    let mut first: Option<(f64, &str, f64)> = None;
    for v in SSL3 {
        for (f, g) in at_fraction(groups, v) {
            if let Some(x) = g.best.f1 {
                if x >= target && first.is_none_or(|(f0, _, _)| f < f0) {
                    first = Some((f, v, x));
                }
            }
        }
    }
    let ssl_fractions: Vec<f64> = SSL3
        .iter()
        .flat_map(|v| at_fraction(groups, v).into_iter().map(|(f, _)| f))
        .collect();
    if ssl_fractions.is_empty() {
        return undetermined(claim, "no SSL fine-tuned runs with a `fraction`");
    }
    match first {
        Some((f, v, x)) => ClaimCheck {
            claim,
            verdict: verdict(f <= limit),
            evidence: format!(
                "supervised at fraction {f_full}: best F1 {}; first match: {v} at fraction {f} (best F1 {})",
                num(Metric::F1, target),
                num(Metric::F1, x)
            ),
        },
        None => ClaimCheck {
            claim,
            verdict: Verdict::NotHeld,
            evidence: format!(
                "no SSL fine-tuned model reaches the supervised best F1 {} (fraction {f_full}) at any fraction",
                num(Metric::F1, target)
            ),
        },
    }
}

fn linear_below_finetune(groups: &[GroupSummary]) -> ClaimCheck {
    let claim = "SSL-masking with linear evaluation is worse than fine-tuned SSL-masking on F1 at every fraction (§8.4)";
    let lin = at_fraction(groups, "ssl-masking-linear");
    let fine = at_fraction(groups, "ssl-masking");
    let pairs: Vec<(f64, f64, f64)> = lin
        .iter()
        .filter_map(|(f, l)| {
            let (_, g) = fine.iter().find(|(ff, _)| ff == f)?;
            Some((*f, l.mean.f1?, g.mean.f1?))
        })
        .collect();
    if pairs.is_empty() {
        return undetermined(
            claim,
            "needs ssl-masking-linear and ssl-masking at a common fraction",
        );
    }
    ClaimCheck {
        claim,
        verdict: verdict(pairs.iter().all(|(_, l, g)| l < g)),
        evidence: pairs
            .iter()
            .map(|(f, l, g)| {
                format!(
                    "fraction {f}: linear {} vs fine-tuned {}",
                    num(Metric::F1, *l),
                    num(Metric::F1, *g)
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
    }
}

fn single_masking(groups: &[GroupSummary]) -> Vec<ClaimCheck> {
    let c1 = "Most fine-tuned single-masking settings beat the supervised baseline on F1 (§8.5)";
    let c2 = "Linear-evaluated single-masking settings do worse than fine-tuned ones on F1 (§8.5)";
    let f1s = |mode: &str| -> Vec<f64> {
        groups
            .iter()
            .filter(|g| normalize_variant(&g.variant) == mode)
            .filter_map(|g| g.mean.f1)
            .collect()
    };
    let fine = f1s("finetune");
    let lin = f1s("linear");
    let first = match find(groups, "supervised").and_then(|g| g.mean.f1) {
        None => undetermined(c1, "no `supervised` runs in this family"),
        Some(_) if fine.is_empty() => undetermined(c1, "no `finetune` runs"),
        Some(base) => {
            let above = fine.iter().filter(|v| **v > base).count();
            ClaimCheck {
                claim: c1,
                verdict: verdict(2 * above > fine.len()),
                evidence: format!(
                    "{above} of {} fine-tuned settings above the supervised mean F1 {}",
                    fine.len(),
                    num(Metric::F1, base)
                ),
            }
        }
    };
    let second = if fine.is_empty() || lin.is_empty() {
        undetermined(c2, "needs `finetune` and `linear` runs")
    } else {
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let (mf, ml) = (mean(&fine), mean(&lin));
        ClaimCheck {
            claim: c2,
            verdict: verdict(ml < mf),
            evidence: format!(
                "F1 averaged over settings: fine-tuned {} ({} settings), linear {} ({} settings)",
                num(Metric::F1, mf),
                fine.len(),
                num(Metric::F1, ml),
                lin.len()
            ),
        }
    };
    vec![first, second]
}

fn best_cell(groups: &[GroupSummary], metric: Metric) -> Option<&GroupSummary> {
    groups
        .iter()
        .filter(|g| g.mean.get(metric).is_some())
        .reduce(|a, b| {
            let (x, y) = (
                a.mean.get(metric).unwrap_or(f64::NAN),
                b.mean.get(metric).unwrap_or(f64::NAN),
            );
            if metric.better(y, x) {
                b
            } else {
                a
            }
        })
}

fn cell_name(g: &GroupSummary) -> String {
    format!(
        "{} at ({}, {})",
        g.variant,
        g.param("mask_pct_1")
            .map_or("?".to_owned(), |v| v.to_string()),
        g.param("mask_pct_2")
            .map_or("?".to_owned(), |v| v.to_string())
    )
}

fn double_masking(groups: &[GroupSummary]) -> Vec<ClaimCheck> {
    let strategies: Vec<String> = {
        let mut s: Vec<String> = groups
            .iter()
            .map(|g| normalize_variant(&g.variant))
            .collect();
        s.sort();
        s.dedup();
        s
    };
    let strategy_check = |claim: &'static str, metric: Metric, expected: &[&str]| -> ClaimCheck {
        if strategies.len() < 2 || !expected.iter().any(|e| strategies.iter().any(|s| s == e)) {
            return undetermined(
                claim,
                format!("needs {} and another strategy", expected.join(" or ")),
            );
        }
        match best_cell(groups, metric) {
            Some(g) => ClaimCheck {
                claim,
                verdict: verdict(expected.contains(&normalize_variant(&g.variant).as_str())),
                evidence: format!(
                    "best {metric} cell (mean): {} = {}",
                    cell_name(g),
                    num(metric, g.mean.get(metric).unwrap_or(f64::NAN))
                ),
            },
            None => undetermined(claim, format!("no {metric} values")),
        }
    };
    let mae_claim = "Mask percentages (70 %, 70 %) give the best MAE (§8.5, fig. 8.5.4)";
    let is70 =
        |v: Option<f64>| v.is_some_and(|x| (x - 70.0).abs() < 1e-9 || (x - 0.7).abs() < 1e-9);
    let has70 = groups
        .iter()
        .any(|g| is70(g.param("mask_pct_1")) && is70(g.param("mask_pct_2")));
    let mae = if !has70 {
        undetermined(mae_claim, "the grid has no (70 %, 70 %) cell")
    } else {
        let g = best_cell(groups, Metric::Mae).expect("a grid with a (70, 70) cell has MAE values");
        ClaimCheck {
            claim: mae_claim,
            verdict: verdict(is70(g.param("mask_pct_1")) && is70(g.param("mask_pct_2"))),
            evidence: format!(
                "lowest MAE cell (mean): {} = {}",
                cell_name(g),
                num(Metric::Mae, g.mean.mae.unwrap_or(f64::NAN))
            ),
        }
    };
    vec![
        strategy_check(
            "For F1 the High-High or High-Low strategy does best (§8.5, fig. 8.5.2)",
            Metric::F1,
            &["high-high", "high-low"],
        ),
        strategy_check(
            "For Acc7 the Low-Low strategy does best (§8.5, fig. 8.5.3)",
            Metric::Acc7,
            &["low-low"],
        ),
        mae,
    ]
}

fn seqaug_p_apply(groups: &[GroupSummary], rows: &[ResultRow]) -> Vec<ClaimCheck> {
    let c1 = "(P_apply1, P_apply2) = (0.5, 0.5) gives the highest F1 (§8.5, fig. A.2.4)";
    let c2 = "Even the worst SeqAug P_apply setting beats our supervised baseline (table-8.2.2) on F1 (§8.5)";
    let at = |g: &GroupSummary, p: f64| g.param("p1") == Some(p) && g.param("p2") == Some(p);
    let first = if !groups.iter().any(|g| at(g, 0.5)) {
        undetermined(c1, "the grid has no (0.5, 0.5) point")
    } else {
        let best = groups
            .iter()
            .filter_map(|g| Some((g, g.mean.f1?)))
            .reduce(|a, b| if b.1 > a.1 { b } else { a });
        match best {
            Some((g, v)) => ClaimCheck {
                claim: c1,
                verdict: verdict(at(g, 0.5)),
                evidence: format!(
                    "best F1 (mean) {} at (P1, P2) = ({}, {})",
                    num(Metric::F1, v),
                    g.param("p1").unwrap_or(f64::NAN),
                    g.param("p2").unwrap_or(f64::NAN)
                ),
            },
            None => undetermined(c1, "no F1 values"),
        }
    };
    let supervised = summarize(rows, "table-8.2.2")
        .into_iter()
        .find(|g| normalize_variant(&g.variant) == "supervised")
        .and_then(|g| g.mean.f1);
    let worst = groups.iter().filter_map(|g| g.mean.f1).reduce(f64::min);
    let second = match (supervised, worst) {
        (Some(s), Some(w)) => ClaimCheck {
            claim: c2,
            verdict: verdict(w > s),
            evidence: format!(
                "worst grid F1 (mean) {} vs supervised (table-8.2.2) {}",
                num(Metric::F1, w),
                num(Metric::F1, s)
            ),
        },
        _ => undetermined(
            c2,
            "needs fig-A.2.4 runs and supervised runs of table-8.2.2",
        ),
    };
    vec![first, second]
}
