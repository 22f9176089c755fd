//! Panels of curves — markers, line styles, whiskers where a point has a spread, horizontal
//! reference lines — on linear or log x: figures 8.4.x, 8.5.1, A.2.4 (one panel per metric, one
//! legend) and the notebooks' training curves (a legend per panel).

use super::{
    draw_legend, draw_legend_inside, draw_line, draw_marker, draw_whisker, format_x, padded,
    split_legend, text_style, DrawResult, Frame, Legend, LegendEntry, Line, Marker, PALETTE,
};
use crate::report::error::{ReportError, Result};
use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Panels of curves side by side, `per_row` to a row of the figure.
#[derive(Debug, Clone, PartialEq)]
pub struct LinePanels {
    /// Title, caption and size.
    pub frame: Frame,
    /// The panels, in reading order.
    pub panels: Vec<LinePanel>,
    /// Panels per row of the figure.
    pub per_row: usize,
    /// Where the legend goes: [`Legend::Right`] when every panel has the same series.
    pub legend: Legend,
}

/// One panel of [`LinePanels`]: its axes, curves and reference lines.
#[derive(Debug, Clone, PartialEq)]
pub struct LinePanel {
    /// Panel title.
    pub title: String,
    /// x axis label.
    pub x_label: String,
    /// y axis label (may be empty: the title names the quantity).
    pub y_label: String,
    /// Logarithmic x axis (ticks only at the points' own 1, 2, 5 × 10^k and the largest x).
    pub log_x: bool,
    /// x values are fractions, labelled as percentages.
    pub percent_x: bool,
    /// Decimals of the y ticks; `None`: plotters' default.
    pub y_decimals: Option<usize>,
    /// The curves.
    pub series: Vec<Series>,
    /// Horizontal reference lines across the panel.
    pub hlines: Vec<HLine>,
}

/// One curve: its style and points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// Line, marker and whisker colour.
    pub color: RGBColor,
    /// Marker at each point.
    pub marker: Marker,
    /// Line through the points.
    pub line: Line,
    /// The points, in drawing order.
    pub points: Vec<Point>,
}

/// A point of a [`Series`], with its spread.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// x.
    pub x: f64,
    /// y (e.g. a mean over seeds).
    pub y: f64,
    /// Whisker half-length (± 1 sd over seeds); `None`: no whisker.
    pub sd: Option<f64>,
}

/// A horizontal reference line (a baseline) across a panel.
#[derive(Debug, Clone, PartialEq)]
pub struct HLine {
    /// Legend label.
    pub label: String,
    /// Colour.
    pub color: RGBColor,
    /// Stroke.
    pub line: Line,
    /// Height; `None`: not drawn in this panel (still in the legend).
    pub y: Option<f64>,
}

impl LinePanel {
    /// A panel with linear axes, plotters' y ticks and no curves yet.
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
    ) -> LinePanel {
        LinePanel {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            log_x: false,
            percent_x: false,
            y_decimals: None,
            series: Vec::new(),
            hlines: Vec::new(),
        }
    }

    /// The same panel with one more curve through `points`: solid, circles, the next palette
    /// colour.
    pub fn curve(mut self, label: impl Into<String>, points: Vec<(f64, f64)>) -> LinePanel {
        let color = PALETTE[self.series.len() % PALETTE.len()];
        self.series.push(Series {
            label: label.into(),
            color,
            marker: Marker::Circle,
            line: Line::Solid,
            points: points
                .into_iter()
                .map(|(x, y)| Point { x, y, sd: None })
                .collect(),
        });
        self
    }

    fn legend_entries(&self) -> Vec<LegendEntry> {
        let series = self.series.iter().map(|s| LegendEntry {
            label: s.label.clone(),
            color: s.color,
            marker: Some(s.marker),
            line: s.line,
            bar: None,
        });
        let hlines = self.hlines.iter().map(|h| LegendEntry {
            label: h.label.clone(),
            color: h.color,
            marker: None,
            line: h.line,
            bar: None,
        });
        series.chain(hlines).collect()
    }

    /// The finite points of every curve.
    fn points(&self) -> impl Iterator<Item = &Point> {
        self.series
            .iter()
            .flat_map(|s| s.points.iter())
            .filter(|p| p.x.is_finite())
    }
}

impl LinePanels {
    pub(super) fn check(&self) -> Result<()> {
        if self.panels.is_empty() {
            return Err(ReportError::Figure("line panels: no panels".to_owned()));
        }
        Ok(())
    }
}

pub(super) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    fig: &LinePanels,
) -> DrawResult<DB> {
    let (grid, legend_area) = split_legend(area, fig.legend);
    let per_row = fig.per_row.max(1);
    let cells = grid.split_evenly((fig.panels.len().div_ceil(per_row).max(1), per_row));
    for (cell, panel) in cells.iter().zip(&fig.panels) {
        let xs: Vec<f64> = panel.points().map(|p| p.x).collect();
        if panel.log_x {
            let lo = xs.iter().copied().fold(f64::INFINITY, f64::min).max(1e-6);
            let hi = xs
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max)
                .max(lo * 1.0001);
            let x_range = (lo / 1.3..hi * 1.3).log_scale();
            draw_panel(cell, panel, fig.legend, x_range, (lo / 1.3, hi * 1.3))?;
        } else {
            let (lo, hi) = padded(xs.iter().copied());
            draw_panel(cell, panel, fig.legend, lo..hi, (lo, hi))?;
        }
    }
    match (legend_area, fig.panels.first()) {
        (Some(area), Some(first)) => draw_legend(&area, &first.legend_entries(), 60),
        _ => Ok(()),
    }
}

/// Draws one panel on the x axis `x_spec` spanning `x_lo..x_hi`.
fn draw_panel<DB: DrawingBackend, X>(
    area: &DrawingArea<DB, Shift>,
    p: &LinePanel,
    legend: Legend,
    x_spec: X,
    (x_lo, x_hi): (f64, f64),
) -> DrawResult<DB>
where
    X: AsRangedCoord<Value = f64>,
    X::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let ys = p
        .series
        .iter()
        .flat_map(|s| s.points.iter())
        .flat_map(|pt| [pt.y + pt.sd.unwrap_or(0.0), pt.y - pt.sd.unwrap_or(0.0)])
        .chain(p.hlines.iter().filter_map(|h| h.y));
    let (y_lo, y_hi) = padded(ys);
    let mut chart = ChartBuilder::on(area)
        .caption(p.title.as_str(), text_style(16.0))
        .margin(8)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(x_spec, y_lo..y_hi)?;
    let xs: Vec<f64> = p.points().map(|pt| pt.x).collect();
    // On a log axis, label only the points' own x values at 1, 2, 5 × 10^k and the largest: log
    // ticks crowd towards the top of each decade.
    let labelled = |x: f64| {
        if !p.log_x {
            return true;
        }
        let on_grid = xs.iter().any(|&g| (x / g - 1.0).abs() < 1e-6);
        let mantissa = x / 10f64.powf(x.log10().floor());
        let round = [1.0, 2.0, 5.0]
            .iter()
            .any(|m| (mantissa / m - 1.0).abs() < 1e-6);
        let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        on_grid && (round || (x / hi - 1.0).abs() < 1e-6)
    };
    let x_format = |x: &f64| {
        if labelled(*x) {
            format_x(*x, p.percent_x)
        } else {
            String::new()
        }
    };
    let y_format = |y: &f64| format!("{y:.*}", p.y_decimals.unwrap_or(0));
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(p.x_label.as_str())
        .x_label_formatter(&x_format)
        .label_style(text_style(12.0))
        .axis_desc_style(text_style(13.0));
    if !p.y_label.is_empty() {
        mesh.y_desc(p.y_label.as_str());
    }
    if p.y_decimals.is_some() {
        mesh.y_label_formatter(&y_format);
    }
    mesh.draw()?;
    let plot = chart.plotting_area();
    for h in &p.hlines {
        if let Some(y) = h.y {
            draw_line(plot, &[(x_lo, y), (x_hi, y)], h.color, h.line)?;
        }
    }
    for s in &p.series {
        let pts: Vec<&Point> = s.points.iter().filter(|pt| pt.x.is_finite()).collect();
        for pt in &pts {
            if let Some(sd) = pt.sd {
                draw_whisker(plot, pt.x, (pt.y - sd, pt.y + sd), s.color)?;
            }
        }
        let xy: Vec<(f64, f64)> = pts.iter().map(|pt| (pt.x, pt.y)).collect();
        draw_line(plot, &xy, s.color, s.line)?;
        for &at in &xy {
            draw_marker(plot, at, s.color, s.marker)?;
        }
    }
    draw_legend_inside(&plot.strip_coord_spec(), &p.legend_entries(), legend)
}
