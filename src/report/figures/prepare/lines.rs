//! The six-metric line panels: figures 8.4.1 / 8.4.2 (labeled fraction), 8.5.1 (single-stream
//! masking), A.2.4 (SeqAug P_apply) and the `objectives` family (labeled fraction).

use super::super::draw::{
    Frame, HLine, Legend, Line, LinePanel, LinePanels, Marker, Point, Series, GREY, PALETTE,
};
use super::rows::by_variant;
use crate::experiments::registry::objective_variant;
use crate::loss::Objective;
use crate::report::error::{ReportError, Result};
use crate::report::metric::{Metric, MetricValues};
use crate::report::summary::GroupSummary;
use crate::report::thesis::{normalize_variant, ThesisResults};
use plotters::style::{RGBColor, BLACK};

/// One line of a six-metric figure: its style and, per point, x with the metrics and their sd.
struct Curve {
    label: String,
    color: RGBColor,
    marker: Marker,
    line: Line,
    points: Vec<(f64, MetricValues, MetricValues)>,
}

/// A reference line of a six-metric figure.
struct Baseline {
    label: String,
    color: RGBColor,
    line: Line,
    values: MetricValues,
}

/// Six panels, one per metric, of `curves` and `baselines` against x, with one legend.
fn metric_panels(
    frame: Frame,
    x_label: &str,
    (log_x, percent_x): (bool, bool),
    curves: &[Curve],
    baselines: &[Baseline],
) -> LinePanels {
    let panel = |metric: Metric| LinePanel {
        title: metric.label().to_owned(),
        x_label: x_label.to_owned(),
        y_label: String::new(),
        log_x,
        percent_x,
        y_decimals: Some(metric.decimals()),
        series: curves
            .iter()
            .map(|c| Series {
                label: c.label.clone(),
                color: c.color,
                marker: c.marker,
                line: c.line,
                points: c
                    .points
                    .iter()
                    .filter_map(|(x, values, sd)| {
                        Some(Point {
                            x: *x,
                            y: values.get(metric)?,
                            sd: sd.get(metric),
                        })
                    })
                    .collect(),
            })
            .collect(),
        hlines: baselines
            .iter()
            .map(|b| HLine {
                label: b.label.clone(),
                color: b.color,
                line: b.line,
                y: b.values.get(metric),
            })
            .collect(),
    };
    LinePanels {
        frame,
        panels: Metric::ALL.into_iter().map(panel).collect(),
        per_row: 3,
        legend: Legend::Right(330),
    }
}

fn fraction_series_style(variant: &str, index: usize) -> (RGBColor, String) {
    match normalize_variant(variant).as_str() {
        "supervised" => (PALETTE[0], "Supervised".to_owned()),
        "ssl-noise" => (PALETTE[1], "SSL Gaussian noise".to_owned()),
        "ssl-masking" => (PALETTE[2], "SSL Masking".to_owned()),
        "ssl-seqaug" => (PALETTE[3], "SSL SeqAug".to_owned()),
        "ssl-masking-linear" => (BLACK, "SSL Masking, linear eval".to_owned()),
        _ => (PALETTE[(4 + index) % PALETTE.len()], variant.to_owned()),
    }
}

pub(super) fn prepare_8_4(
    groups: &[GroupSummary],
    thesis: &ThesisResults,
    best: bool,
    what: &dyn Fn(&str) -> String,
) -> LinePanels {
    let order = [
        "supervised",
        "ssl-noise",
        "ssl-masking",
        "ssl-seqaug",
        "ssl-masking-linear",
    ];
    let with_fraction: Vec<GroupSummary> = groups
        .iter()
        .filter(|g| g.param("fraction").is_some())
        .cloned()
        .collect();
    let max_fraction = with_fraction
        .iter()
        .filter_map(|g| g.param("fraction"))
        .fold(f64::NEG_INFINITY, f64::max);
    let percent_scale = max_fraction > 1.0;
    let full = if percent_scale { 100.0 } else { 1.0 };
    let mut series = Vec::new();
    let mut thesis_points = Vec::new();
    for (i, (variant, list)) in by_variant(&with_fraction, &order).into_iter().enumerate() {
        let (color, label) = fraction_series_style(&variant, i);
        let mut points: Vec<(f64, MetricValues, MetricValues)> = list
            .iter()
            .map(|g| {
                let x = g.param("fraction").unwrap_or(f64::NAN);
                if best {
                    (x, g.best, MetricValues::default())
                } else {
                    (x, g.mean, g.std)
                }
            })
            .collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        // The thesis's tables hold the 100 % point of the same models.
        let linear = normalize_variant(&variant) == "ssl-masking-linear";
        let thesis_row = match (linear, best) {
            (false, true) => thesis.table("8.2.3").and_then(|t| t.row_for(&variant)),
            (false, false) => thesis.table("8.2.2").and_then(|t| t.row_for(&variant)),
            (true, false) => thesis.table("8.2.4").and_then(|t| t.row_for("ssl-masking")),
            (true, true) => None,
        };
        if let Some(row) = thesis_row {
            thesis_points.push(Curve {
                label: format!("thesis: {label} at 100 %"),
                color,
                marker: Marker::Hollow,
                line: Line::None,
                points: vec![(full, row.values, MetricValues::default())],
            });
        }
        series.push(Curve {
            label,
            color,
            marker: Marker::Circle,
            line: Line::Solid,
            points,
        });
    }
    series.extend(thesis_points);
    let (id, stat, tables) = if best {
        (
            "8.4.1",
            "best run of the seeds (highest test F1; all its metrics)",
            "8.2.3",
        )
    } else {
        (
            "8.4.2",
            "mean over the seeds (whiskers: ± 1 sample sd)",
            "8.2.2 and 8.2.4",
        )
    };
    let frame = Frame {
        title: format!("Figure {id} (ours): models trained on reduced labeled data, {stat}"),
        caption: what(&format!(
            "Six metrics against the labeled fraction of the training set (log x), {stat}; SSL always pre-trains on all unlabeled training data. Hollow circles at 100 %: the thesis's table {tables} (its figures print no numbers)."
        )),
        size: (1600, 1000),
    };
    metric_panels(
        frame,
        "labeled fraction of the training set",
        (true, !percent_scale),
        &series,
        &[],
    )
}

fn supervised_baselines(groups: &[GroupSummary], thesis: &ThesisResults) -> Vec<Baseline> {
    let mut out = Vec::new();
    if let Some(g) = groups
        .iter()
        .find(|g| normalize_variant(&g.variant) == "supervised")
    {
        out.push(Baseline {
            label: format!("supervised (ours, mean of {})", g.n),
            color: BLACK,
            line: Line::Dashed,
            values: g.mean,
        });
    }
    if let Some(row) = thesis.table("8.2.2").and_then(|t| t.row_for("supervised")) {
        out.push(Baseline {
            label: "thesis: supervised (table 8.2.2)".to_owned(),
            color: GREY,
            line: Line::Dotted,
            values: row.values,
        });
    }
    out
}

pub(super) fn prepare_8_5_1(
    groups: &[GroupSummary],
    thesis: &ThesisResults,
    what: &dyn Fn(&str) -> String,
) -> Result<LinePanels> {
    let mut p_values: Vec<f64> = groups.iter().filter_map(|g| g.param("p_apply")).collect();
    p_values.sort_by(f64::total_cmp);
    p_values.dedup();
    let mut series = Vec::new();
    for (mode, marker, name) in [
        ("finetune", Marker::Star, "fine-tuned"),
        ("linear", Marker::Triangle, "linear eval"),
    ] {
        for (pi, &p) in p_values.iter().enumerate() {
            let mut points: Vec<(f64, MetricValues, MetricValues)> = groups
                .iter()
                .filter(|g| normalize_variant(&g.variant) == mode && g.param("p_apply") == Some(p))
                .filter_map(|g| Some((g.param("mask_pct")?, g.mean, g.std)))
                .collect();
            if points.is_empty() {
                continue;
            }
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            series.push(Curve {
                label: format!("{name}, P_apply = {p}"),
                color: PALETTE[pi % PALETTE.len()],
                marker,
                line: Line::Solid,
                points,
            });
        }
    }
    if series.is_empty() {
        return Err(ReportError::Figure(
            "figure 8.5.1: no `finetune` / `linear` rows with params `p_apply` and `mask_pct`"
                .to_owned(),
        ));
    }
    // The registry stores mask percentages as fractions (0.7 = 70 %).
    let fractions = groups
        .iter()
        .filter_map(|g| g.param("mask_pct"))
        .all(|v| v <= 1.0);
    let frame = Frame {
        title: "Figure 8.5.1 (ours): single-stream masking (stream 2 never masked), mean over seeds".to_owned(),
        caption: what(
            "Six metrics against the mask percentage of stream 1, one colour per P_apply, mean over seeds (whiskers: ± 1 sample sd); stars: SSL pre-trained and fine-tuned, triangles: SSL linear evaluation; dashed black: our supervised baseline; dotted grey: the thesis's supervised mean (table 8.2.2).",
        ),
        size: (1600, 1000),
    };
    Ok(metric_panels(
        frame,
        "mask % (stream 1)",
        (false, fractions),
        &series,
        &supervised_baselines(groups, thesis),
    ))
}

pub(super) fn prepare_a_2_4(
    groups: &[GroupSummary],
    thesis: &ThesisResults,
    what: &dyn Fn(&str) -> String,
) -> Result<LinePanels> {
    let mut p2_values: Vec<f64> = groups.iter().filter_map(|g| g.param("p2")).collect();
    p2_values.sort_by(f64::total_cmp);
    p2_values.dedup();
    let mut series = Vec::new();
    for (i, &p2) in p2_values.iter().enumerate() {
        let mut points: Vec<(f64, MetricValues, MetricValues)> = groups
            .iter()
            .filter(|g| g.param("p2") == Some(p2))
            .filter_map(|g| Some((g.param("p1")?, g.mean, g.std)))
            .collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        series.push(Curve {
            label: format!("P_apply2 = {p2}"),
            color: PALETTE[i % PALETTE.len()],
            marker: Marker::Circle,
            line: Line::Solid,
            points,
        });
    }
    if series.is_empty() {
        return Err(ReportError::Figure(
            "figure A.2.4: no rows with params `p1` and `p2`".to_owned(),
        ));
    }
    // Table 8.2.2's SeqAug row used P_apply = [0.5, 0.5]: the same point.
    if let Some(row) = thesis.table("8.2.2").and_then(|t| t.row_for("ssl-seqaug")) {
        let color = p2_values
            .iter()
            .position(|&p| (p - 0.5).abs() < 1e-9)
            .map_or(BLACK, |i| PALETTE[i % PALETTE.len()]);
        series.push(Curve {
            label: "thesis: P = (0.5, 0.5), table 8.2.2 SeqAug".to_owned(),
            color,
            marker: Marker::Hollow,
            line: Line::None,
            points: vec![(0.5, row.values, MetricValues::default())],
        });
    }
    let baselines: Vec<Baseline> = thesis
        .table("8.2.2")
        .and_then(|t| t.row_for("supervised"))
        .map(|row| Baseline {
            label: "thesis: supervised (table 8.2.2)".to_owned(),
            color: GREY,
            line: Line::Dotted,
            values: row.values,
        })
        .into_iter()
        .collect();
    let frame = Frame {
        title: "Figure A.2.4 (ours): SeqAug, P_apply of each input stream, mean over seeds"
            .to_owned(),
        caption: what(
            "Six metrics of SSL pre-trained (fine-tuned) models against stream 1's P_apply, one line per stream 2's P_apply, mean over seeds (whiskers: ± 1 sample sd). Hollow circle: the thesis's table 8.2.2 SeqAug mean, trained with P_apply = (0.5, 0.5); dotted grey: the thesis's supervised mean.",
        ),
        size: (1600, 1000),
    };
    Ok(metric_panels(
        frame,
        "P_apply of stream 1",
        (false, false),
        &series,
        &baselines,
    ))
}
/// The `objectives` figure: six metrics against the labeled fraction, mean ± sd over the seeds,
/// one line per pre-training objective fine-tuned (solid) and linear-evaluated (dashed), and
/// the supervised model (grey).
pub(super) fn prepare_objectives(
    groups: &[GroupSummary],
    what: &dyn Fn(&str) -> String,
) -> LinePanels {
    let order: Vec<String> = std::iter::once("supervised".to_owned())
        .chain(Objective::ALL.map(|o| objective_variant(o, false)))
        .chain(Objective::ALL.map(|o| objective_variant(o, true)))
        .collect();
    let order: Vec<&str> = order.iter().map(String::as_str).collect();
    let series: Vec<Curve> = by_variant(groups, &order)
        .into_iter()
        .map(|(variant, list)| {
            let (color, line, label) = objective_series_style(&variant);
            let mut points: Vec<(f64, MetricValues, MetricValues)> = list
                .iter()
                .map(|g| (g.param("fraction").unwrap_or(f64::NAN), g.mean, g.std))
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            Curve {
                label,
                color,
                marker: Marker::Circle,
                line,
                points,
            }
        })
        .collect();
    let frame = Frame {
        title: "Pre-training objectives (ours; not a thesis figure): metrics against the labeled fraction, mean over the seeds".to_owned(),
        caption: what(
            "Six metrics against the labeled fraction of the training set (log x), mean over the seeds (whiskers: ± 1 sample sd). Each objective pre-trains the same encoder and projector on the same masking views of all unlabeled training data, then is fine-tuned (solid) or linear-evaluated on the frozen encoder (dashed); grey: supervised.",
        ),
        size: (1600, 1000),
    };
    metric_panels(
        frame,
        "labeled fraction of the training set",
        (true, true),
        &series,
        &[],
    )
}

/// Colour, line and legend label of an `objectives` variant (`supervised`, `<objective>`,
/// `<objective>-linear`): one colour per objective, dashed for linear evaluation.
fn objective_series_style(variant: &str) -> (RGBColor, Line, String) {
    if normalize_variant(variant) == "supervised" {
        return (GREY, Line::Solid, "Supervised".to_owned());
    }
    for (i, objective) in Objective::ALL.into_iter().enumerate() {
        for (linear, line, how) in [
            (false, Line::Solid, "fine-tuned"),
            (true, Line::Dashed, "linear eval"),
        ] {
            if objective_variant(objective, linear) == variant {
                let label = format!("{}, {how}", objective.label());
                return (PALETTE[(i + 1) % PALETTE.len()], line, label);
            }
        }
    }
    (BLACK, Line::Solid, variant.to_owned())
}
