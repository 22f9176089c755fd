//! Claims beyond the thesis: the SSL learning rate (`ssl-lr`), the released code's
//! differences (`deviations`) and the pre-training objective (`objectives`).

use super::*;
use crate::experiments::registry::objective_variant;

/// The `ssl_lr` values of the `ssl-lr` family's rows, ascending.
pub fn ssl_lrs(rows: &[ResultRow]) -> Vec<f64> {
    let mut lrs: Vec<f64> = rows
        .iter()
        .filter(|r| r.family == FamilyId::SslLr)
        .filter_map(|r| param(r, "ssl_lr"))
        .collect();
    lrs.sort_by(f64::total_cmp);
    lrs.dedup();
    lrs
}

/// The closed-form linear probe's valid MAE, as a quantity of the `ssl-lr` claims.
pub const PROBE_MAE: Quantity = Quantity {
    name: "probe MAE (valid)",
    higher_is_better: false,
    decimals: 4,
};

pub(super) fn ssl_lr(rows: &[ResultRow]) -> Vec<ClaimCheck> {
    let f = FamilyId::SslLr;
    let lrs = ssl_lrs(rows);
    if lrs.is_empty() {
        return vec![ClaimCheck::not_run(
            "Pre-training changes the encoder",
            "no ssl-lr runs",
        )];
    }
    let baseline = |v: &str, frac: f64| {
        Side::metric(
            format!("{v} at {}", pct(frac)),
            pick(rows, f, v, at("fraction", frac)),
            Metric::F1,
        )
    };
    let mut out = Vec::new();
    for lr in lrs {
        let of_lr = |v: &str, frac: f64| {
            pick(rows, f, v, move |r| {
                param(r, "ssl_lr") == Some(lr) && param(r, "fraction") == Some(frac)
            })
        };
        let linear = of_lr("ssl-linear", 1.0);
        let probe = |label: String, pretrained: bool| {
            Side::of(label, linear.iter().copied(), move |r| {
                let p = r.pretrain.as_ref()?.probe.as_ref()?;
                Some(if pretrained {
                    p.pretrained.valid_mae
                } else {
                    p.random.valid_mae
                })
            })
        };
        out.push(compare(
            format!("Pre-training at lr {lr:e} improves the closed-form linear probe over the same seed's random encoder (trained without labels, evaluated with them)"),
            PROBE_MAE,
            &probe(format!("pre-trained at {lr:e}"), true),
            &probe("random encoder".into(), false),
            None,
        ));
        out.push(compare(
            format!("Pre-trained at lr {lr:e}, the frozen encoder beats the random frozen encoder under linear evaluation on test F1 (100 % labels)"),
            Metric::F1.into(),
            &Side::metric(format!("ssl-linear at {lr:e}"), linear.iter().copied(), Metric::F1),
            &baseline("supervised-linear", 1.0),
            None,
        ));
        out.push(compare(
            format!("Pre-trained at lr {lr:e} and fine-tuned on 10 % of the labels, the model beats supervised on test F1 (§8.4's claim at this rate)"),
            Metric::F1.into(),
            &Side::metric(
                format!("ssl-finetune at {lr:e}, 10 %"),
                of_lr("ssl-finetune", 0.1),
                Metric::F1,
            ),
            &baseline("supervised", 0.1),
            None,
        ));
    }
    out
}

/// The metrics each released-code difference is measured on.
const DEVIATION_METRICS: [Metric; 3] = [Metric::F1, Metric::Acc7, Metric::Mae];

/// Per method and released-code setting, the seed-paired effect of the setting against the
/// thesis's text on F1, Acc7 and MAE; and, computed from the stored test predictions of the
/// text's runs, the effect of weighted F1's swapped arguments (a metric change, no training).
pub(super) fn deviations(rows: &[ResultRow]) -> Vec<ClaimCheck> {
    let f = FamilyId::Deviations;
    if !rows.iter().any(|r| r.family == f) {
        return vec![ClaimCheck::not_run(
            "Each released-code difference changes the results",
            "no deviations runs",
        )];
    }
    let mut out = Vec::new();
    for method in ["supervised", "ssl-finetune", "ssl-linear"] {
        let base = format!("{method}:thesis-text");
        for (setting, _) in crate::experiments::registry::deviation_settings() {
            let variant_name = format!("{method}:{setting}");
            if setting == "thesis-text"
                || !rows
                    .iter()
                    .any(|r| r.family == f && r.variant == variant_name)
            {
                continue;
            }
            for metric in DEVIATION_METRICS {
                out.push(compare(
                    format!(
                        "{method}: `{setting}` {} test {}",
                        if metric.higher_is_better() {
                            "raises"
                        } else {
                            "lowers"
                        },
                        metric.label()
                    ),
                    metric.into(),
                    &variant(rows, f, &variant_name, metric),
                    &variant(rows, f, &base, metric),
                    None,
                ));
            }
        }
        let text_rows = pick(rows, f, &base, any);
        if !text_rows.is_empty() {
            out.push(compare(
                format!("{method}: `f1_arguments_swapped` (the released code's F1 of the same predictions) raises test F1"),
                Metric::F1.into(),
                &Side::of("F1, arguments swapped", text_rows.iter().copied(), |r| {
                    let preds: Vec<f64> = r.test_predictions.iter().map(|&p| f64::from(p)).collect();
                    let labels: Vec<f64> = r.test_labels.iter().map(|&y| f64::from(y)).collect();
                    weighted_f1_swapped(&preds, &labels).map(|v| 100.0 * v)
                }),
                &Side::metric("F1", text_rows.iter().copied(), Metric::F1),
                None,
            ));
        }
    }
    out
}

/// The deviations' checks ranked by the size of their effect (|estimate|, largest first) within
/// each metric: how much of a gap to the thesis each difference can explain.
pub fn deviation_ranking(checks: &[ClaimCheck]) -> Vec<&ClaimCheck> {
    let mut ranked: Vec<&ClaimCheck> = checks.iter().filter(|c| c.effect.is_some()).collect();
    ranked.sort_by(|a, b| {
        let size = |c: &ClaimCheck| c.effect.as_ref().map_or(0.0, |e| e.estimate.abs());
        let metric = |c: &ClaimCheck| c.comparison.split(':').next().unwrap_or("").to_owned();
        metric(a).cmp(&metric(b)).then(size(b).total_cmp(&size(a)))
    });
    ranked
}

/// The metrics each objective is compared with Barlow Twins on.
const OBJECTIVE_METRICS: [Metric; 2] = [Metric::F1, Metric::Mae];

/// Per objective other than Barlow Twins, per evaluation (fine-tuned, linear) and labeled
/// fraction: the seed-paired effect of pre-training with it instead of Barlow Twins on test F1
/// and MAE ('held': the objective does better).
pub(super) fn objectives(rows: &[ResultRow]) -> Vec<ClaimCheck> {
    let f = FamilyId::Objectives;
    if !rows.iter().any(|r| r.family == f) {
        return vec![ClaimCheck::not_run(
            "Another pre-training objective beats Barlow Twins",
            "no objectives runs",
        )];
    }
    let mut out = Vec::new();
    let baseline = Objective::BarlowTwins;
    for objective in Objective::ALL.into_iter().filter(|o| *o != baseline) {
        for (linear, evaluation) in [(false, "fine-tuned"), (true, "linear-evaluated")] {
            for fraction in crate::experiments::registry::OBJECTIVE_FRACTIONS {
                let of = |o: Objective| objective_variant(o, linear);
                let ours = pick(rows, f, &of(objective), at("fraction", fraction));
                if ours.is_empty() {
                    continue;
                }
                let theirs = pick(rows, f, &of(baseline), at("fraction", fraction));
                for metric in OBJECTIVE_METRICS {
                    out.push(compare(
                        format!(
                            "{}, {evaluation} on {} of the labels, beats {} on test {}",
                            objective.label(),
                            pct(fraction),
                            baseline.label(),
                            metric.label()
                        ),
                        metric.into(),
                        &Side::metric(of(objective), ours.iter().copied(), metric),
                        &Side::metric(of(baseline), theirs.iter().copied(), metric),
                        None,
                    ));
                }
            }
        }
    }
    out
}
