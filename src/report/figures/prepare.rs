//! The chapter 8 figures' data: result rows (and the thesis's transcribed numbers) turned into
//! the generic figure kinds of `draw`, before anything is drawn.

use super::draw::{
    format_x, BarChart, BarSeries, ColourScale, Figure, Frame, HLine, HeatMap, HeatPanel, Legend,
    Line, LinePanel, LinePanels, Marker, Point, RightLine, Series, GREY, PALETTE, THESIS_RED,
};
use super::FigureId;
use crate::experiments::ResultRow;
use crate::loss::Objective;
use crate::report::error::{ReportError, Result};
use crate::report::metric::{Metric, MetricValues};
use crate::report::summary::{family_rows, provenance, summarize, GroupSummary};
use crate::report::thesis::{normalize_variant, ThesisResults};
use plotters::style::{RGBColor, BLACK};

/// The data of figure `id` drawn from `rows`; an error when its family has no usable rows.
pub(super) fn prepare(id: FigureId, rows: &[ResultRow], thesis: &ThesisResults) -> Result<Figure> {
    let family = id.family();
    let mine = family_rows(rows, family);
    if mine.is_empty() {
        return Err(ReportError::Figure(format!(
            "figure {}: no rows of family `{family}` (run the experiment first)",
            id.id()
        )));
    }
    let (data, profile) = provenance(&mine);
    let n_runs = mine.len();
    let groups = summarize(rows, family);
    let seeds = seeds_per_point(&groups);
    let what = |text: &str| -> String {
        format!(
            "Figure {} (ours): {text} Runs: {n_runs}, {seeds}. Data: {data}. Profile: {profile}.",
            id.id()
        )
    };
    Ok(match id {
        FigureId::Fig8_3_1 => prepare_8_3_1(&groups, thesis, &what).into(),
        FigureId::Fig8_4_1 | FigureId::Fig8_4_2 => {
            prepare_8_4(&groups, thesis, id == FigureId::Fig8_4_1, &what).into()
        }
        FigureId::Fig8_5_1 => prepare_8_5_1(&groups, thesis, &what)?.into(),
        FigureId::DoubleMasking(metric) => prepare_heat(&groups, metric, id, &what)?.into(),
        FigureId::FigA2_4 => prepare_a_2_4(&groups, thesis, &what)?.into(),
        FigureId::Objectives => prepare_objectives(&groups, &what).into(),
    })
}

/// "seeds per point: 5" (or "1–5" when points differ; whiskers need at least 2): how many runs
/// each mean and whisker of a figure rests on.
fn seeds_per_point(groups: &[GroupSummary]) -> String {
    let lo = groups.iter().map(|g| g.n).min().unwrap_or(0);
    let hi = groups.iter().map(|g| g.n).max().unwrap_or(0);
    let count = if lo == hi {
        lo.to_string()
    } else {
        format!("{lo}–{hi}")
    };
    let whiskers = if hi < 2 {
        " (one seed: no whiskers)"
    } else {
        ""
    };
    format!("seeds per point: {count}{whiskers}")
}

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

fn chain_label(variant: &str) -> String {
    if normalize_variant(variant) == "none" {
        return "None (supervised)".to_owned();
    }
    variant
        .split(['+', '>', ','])
        .map(|s| match s.trim().to_ascii_lowercase().as_str() {
            "seqaug" => "SeqAug".to_owned(),
            other => other.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

fn prepare_8_3_1(
    groups: &[GroupSummary],
    thesis: &ThesisResults,
    what: &dyn Fn(&str) -> String,
) -> BarChart {
    let table = thesis.table("8.3.2");
    let mut ordered: Vec<&GroupSummary> = groups.iter().collect();
    ordered.sort_by_key(|g| {
        (
            table
                .and_then(|t| t.rank_of(&g.variant))
                .unwrap_or(usize::MAX),
            g.variant.clone(),
        )
    });
    let thesis_rows: Vec<Option<MetricValues>> = ordered
        .iter()
        .map(|g| table.and_then(|t| t.row_for(&g.variant)).map(|r| r.values))
        .collect();
    let thesis_f1 = thesis_rows.iter().map(|r| r.and_then(|v| v.f1)).collect();
    let line = |label: &str, marker, line, values: Vec<Option<f64>>| Series {
        label: label.to_owned(),
        color: THESIS_RED,
        marker,
        line,
        points: values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                Some(Point {
                    x: i as f64,
                    y: (*v)?,
                    sd: None,
                })
            })
            .collect(),
    };
    let ours_acc7 = line(
        "Acc7, ours (mean)",
        Marker::Circle,
        Line::Solid,
        ordered.iter().map(|g| g.mean.acc7).collect(),
    );
    let thesis_acc7 = line(
        "Acc7, thesis (table 8.3.2)",
        Marker::Hollow,
        Line::None,
        thesis_rows.iter().map(|r| r.and_then(|v| v.acc7)).collect(),
    );
    BarChart {
        frame: Frame {
            title: "Figure 8.3.1 (ours): F1 (bars, left axis) and Acc7 (red line, right axis) per transformation chain"
                .to_owned(),
            caption: what(
                "F1 bars (left axis, whiskers: ± sample std) and Acc7 line (right axis), mean over seeds, per SSL transformation chain in order of application; \"None\" is the supervised model. Outlined bars and hollow red circles: the thesis's table 8.3.2.",
            ),
            size: (1400, 820),
        },
        categories: ordered.iter().map(|g| chain_label(&g.variant)).collect(),
        y_label: "F1 (%)".to_owned(),
        series: vec![
            BarSeries {
                label: "F1, ours (mean ± std)".to_owned(),
                color: PALETTE[0],
                filled: true,
                values: ordered.iter().map(|g| g.mean.f1).collect(),
                sd: ordered.iter().map(|g| g.std.f1).collect(),
            },
            BarSeries {
                label: "F1, thesis (table 8.3.2)".to_owned(),
                color: GREY,
                filled: false,
                values: thesis_f1,
                sd: Vec::new(),
            },
        ],
        right_label: "Acc7 (%)".to_owned(),
        lines: vec![
            RightLine {
                over: 0,
                series: ours_acc7,
            },
            RightLine {
                over: 1,
                series: thesis_acc7,
            },
        ],
        from_zero: false,
        legend: Legend::Right(300),
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

/// Groups by variant, keeping the order of first appearance in a preferred list.
fn by_variant<'a>(
    groups: &'a [GroupSummary],
    preferred: &[&str],
) -> Vec<(String, Vec<&'a GroupSummary>)> {
    let mut out: Vec<(String, Vec<&GroupSummary>)> = Vec::new();
    for g in groups {
        match out.iter_mut().find(|(v, _)| *v == g.variant) {
            Some((_, list)) => list.push(g),
            None => out.push((g.variant.clone(), vec![g])),
        }
    }
    out.sort_by_key(|(v, _)| {
        (
            preferred
                .iter()
                .position(|p| normalize_variant(p) == normalize_variant(v))
                .unwrap_or(usize::MAX),
            v.clone(),
        )
    });
    out
}

fn prepare_8_4(
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

fn prepare_8_5_1(
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

fn prepare_a_2_4(
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

fn prepare_heat(
    groups: &[GroupSummary],
    metric: Metric,
    id: FigureId,
    what: &dyn Fn(&str) -> String,
) -> Result<HeatMap> {
    let order = ["low-low", "medium-medium", "high-high", "high-low"];
    let usable: Vec<GroupSummary> = groups
        .iter()
        .filter(|g| g.param("mask_pct_1").is_some() && g.param("mask_pct_2").is_some())
        .cloned()
        .collect();
    if usable.is_empty() {
        return Err(ReportError::Figure(format!(
            "figure {}: no rows with params `mask_pct_1` and `mask_pct_2`",
            id.id()
        )));
    }
    let mut panels = Vec::new();
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for (variant, list) in by_variant(&usable, &order) {
        let axis = |name: &str| {
            let mut v: Vec<f64> = list.iter().filter_map(|g| g.param(name)).collect();
            v.sort_by(f64::total_cmp);
            v.dedup();
            v
        };
        let xs = axis("mask_pct_1");
        let ys = axis("mask_pct_2");
        let mut cells = vec![None; xs.len() * ys.len()];
        for g in &list {
            let (Some(x), Some(y)) = (g.param("mask_pct_1"), g.param("mask_pct_2")) else {
                continue;
            };
            let xi = xs.iter().position(|&v| v == x).unwrap_or(0);
            let yi = ys.iter().position(|&v| v == y).unwrap_or(0);
            if let Some(v) = g.mean.get(metric) {
                lo = lo.min(v);
                hi = hi.max(v);
                cells[yi * xs.len() + xi] = Some(v);
            }
        }
        let name = variant
            .split('-')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("-");
        let title = match (list[0].param("p1"), list[0].param("p2")) {
            (Some(p1), Some(p2)) => format!("{name} (P1 = {p1}, P2 = {p2})"),
            _ => name,
        };
        // The registry stores mask percentages as fractions (0.7 = 70 %).
        let ticks = |values: &[f64]| -> Vec<String> {
            let percent = values.iter().all(|&x| x <= 1.0);
            values.iter().map(|&v| format_x(v, percent)).collect()
        };
        let (x_ticks, y_ticks) = (ticks(&xs), ticks(&ys));
        panels.push(HeatPanel::with_gaps(title, ys.len(), xs.len(), cells).ticks(x_ticks, y_ticks));
    }
    if !lo.is_finite() {
        lo = 0.0;
        hi = 1.0;
    }
    if hi - lo < 1e-12 {
        let pad = (lo.abs() * 0.01).max(1e-3);
        lo -= pad;
        hi += pad;
    }
    let better = if metric.higher_is_better() {
        "higher is better"
    } else {
        "lower is better"
    };
    Ok(HeatMap {
        frame: Frame {
            title: format!(
                "Figure {} (ours): double-stream masking, {} ({better}), mean over seeds",
                id.id(),
                metric.label()
            ),
            caption: what(&format!(
                "{} of SSL pre-trained (fine-tuned) models; one panel per P_apply strategy (P1-P2); x: mask % of stream 1, y: mask % of stream 2; colour and printed value: mean over seeds ({better}). The thesis prints no numbers for these grids.",
                metric.label()
            )),
            size: (1700, 640),
        },
        x_label: "mask % stream 1".to_owned(),
        y_label: "mask % stream 2".to_owned(),
        per_row: panels.len(),
        panels,
        scale: ColourScale::Sequential(lo, hi),
        decimals: metric.decimals(),
        scale_title: metric.name().to_owned(),
        missing: "not run".to_owned(),
        first_row_on_top: false,
    })
}

/// The `objectives` figure: six metrics against the labeled fraction, mean ± sd over the seeds,
/// one line per pre-training objective fine-tuned (solid) and linear-evaluated (dashed), and
/// the supervised model (grey).
fn prepare_objectives(groups: &[GroupSummary], what: &dyn Fn(&str) -> String) -> LinePanels {
    let order: Vec<String> = std::iter::once("supervised".to_owned())
        .chain(Objective::ALL.iter().map(|o| o.id().to_owned()))
        .chain(Objective::ALL.iter().map(|o| format!("{}-linear", o.id())))
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
    let (id, line, how) = match variant.strip_suffix("-linear") {
        Some(id) => (id, Line::Dashed, "linear eval"),
        None => (variant, Line::Solid, "fine-tuned"),
    };
    match Objective::ALL.iter().position(|o| o.id() == id) {
        Some(i) => (
            PALETTE[(i + 1) % PALETTE.len()],
            line,
            format!("{}, {how}", Objective::ALL[i].label()),
        ),
        None => (BLACK, line, variant.to_owned()),
    }
}
