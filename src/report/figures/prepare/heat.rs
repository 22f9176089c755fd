//! The double-stream masking heat maps (figures 8.5.2–8.5.4, A.2.1–A.2.3).

use super::super::draw::{format_x, ColourScale, Frame, HeatMap, HeatPanel};
use super::super::FigureId;
use super::rows::by_variant;
use crate::report::error::{ReportError, Result};
use crate::report::metric::Metric;
use crate::report::summary::GroupSummary;

pub(super) fn prepare_heat(
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
