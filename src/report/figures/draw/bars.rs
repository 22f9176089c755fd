//! Grouped bars — one group per category, one bar per series, whiskers where a bar has a spread —
//! with lines on a right axis through the bars' centres: figure 8.3.1 (F1 bars, Acc7 line) and the
//! notebooks' histograms.

use super::{
    draw_legend, draw_legend_inside, draw_line, draw_marker, draw_whisker, line_style, padded,
    split_legend, text_style, DrawResult, Frame, Legend, LegendEntry, Line, Series,
};
use crate::report::error::{ReportError, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Grouped bars on a left axis, optionally with lines on a right axis.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// Title, caption and size.
    pub frame: Frame,
    /// One group of bars per category, labelled under the axis (rotated when they are long).
    pub categories: Vec<String>,
    /// Left axis label.
    pub y_label: String,
    /// The bars of each group, left to right.
    pub series: Vec<BarSeries>,
    /// Right axis label (drawn only with `lines`).
    pub right_label: String,
    /// Lines on the right axis, in the colour of the right axis (the first line's).
    pub lines: Vec<RightLine>,
    /// The left axis starts at 0 (counts, shares) rather than zooming on the bars' range.
    pub from_zero: bool,
    /// Where the legend goes.
    pub legend: Legend,
}

/// One bar of every group: its label, colour and height (and spread) per category.
#[derive(Debug, Clone, PartialEq)]
pub struct BarSeries {
    /// Legend label.
    pub label: String,
    /// Bar colour.
    pub color: RGBColor,
    /// Filled bars (ours) or outlined ones (the thesis's).
    pub filled: bool,
    /// Height per category; `None`: no bar.
    pub values: Vec<Option<f64>>,
    /// Whisker half-length per category (± 1 sd); empty or `None`: no whisker.
    pub sd: Vec<Option<f64>>,
}

/// A line on the right axis: `series`' point x is a category index, drawn over the centre of bar
/// series `over`'s bars.
#[derive(Debug, Clone, PartialEq)]
pub struct RightLine {
    /// Index into [`BarChart::series`] of the bars the line passes over.
    pub over: usize,
    /// The line.
    pub series: Series,
}

/// Width of one group of bars, in categories.
const GROUP: f64 = 0.76;
/// The x label area when category labels are rotated.
const ROTATED_LABELS: u32 = 200;
const LABEL_TEXT: f64 = 13.0;

impl BarChart {
    pub(super) fn check(&self) -> Result<()> {
        if self.categories.is_empty() || self.series.is_empty() {
            return Err(ReportError::Figure("bar chart: no data".to_owned()));
        }
        for s in &self.series {
            if s.values.len() != self.categories.len() {
                return Err(ReportError::Figure(format!(
                    "bar chart: series `{}` has {} values for {} categories",
                    s.label,
                    s.values.len(),
                    self.categories.len()
                )));
            }
        }
        for l in &self.lines {
            if l.over >= self.series.len() {
                return Err(ReportError::Figure(format!(
                    "bar chart: line `{}` over bar series {} of {}",
                    l.series.label,
                    l.over,
                    self.series.len()
                )));
            }
        }
        Ok(())
    }

    /// Offset of bar series `s`'s centre from its category's centre.
    fn offset(&self, s: usize) -> f64 {
        let width = GROUP / self.series.len().max(1) as f64;
        (s as f64 + 0.5 - self.series.len() as f64 / 2.0) * width
    }

    /// The left axis' range: the bars with their whiskers.
    fn left_range(&self) -> (f64, f64) {
        let ends = self.series.iter().flat_map(|s| {
            s.values.iter().enumerate().flat_map(|(c, v)| {
                let sd = s.sd.get(c).copied().flatten().unwrap_or(0.0);
                [v.map(|v| v + sd), v.map(|v| v - sd)].into_iter().flatten()
            })
        });
        if self.from_zero {
            let top = ends.fold(0.0f64, f64::max);
            (0.0, if top > 0.0 { top * 1.12 } else { 1.0 })
        } else {
            padded(ends)
        }
    }

    /// True when the widest category label does not fit under its group.
    fn rotate_labels(&self, plot_width: u32) -> bool {
        let axes = 70 + if self.lines.is_empty() { 0 } else { 70 } + 30;
        let slot = plot_width.saturating_sub(axes) as f64 / self.categories.len().max(1) as f64;
        let widest = self
            .categories
            .iter()
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0);
        widest as f64 * LABEL_TEXT * 0.56 > slot
    }

    fn legend_entries(&self) -> Vec<LegendEntry> {
        let bars = self.series.iter().map(|s| LegendEntry {
            label: s.label.clone(),
            color: s.color,
            marker: None,
            line: Line::None,
            bar: Some(s.filled),
        });
        let lines = self.lines.iter().map(|l| LegendEntry {
            label: l.series.label.clone(),
            color: l.series.color,
            marker: Some(l.series.marker),
            line: l.series.line,
            bar: None,
        });
        bars.chain(lines).collect()
    }
}

pub(super) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    fig: &BarChart,
) -> DrawResult<DB> {
    let (plot, legend_area) = split_legend(area, fig.legend);
    let n = fig.categories.len().max(1);
    let (y_lo, y_hi) = fig.left_range();
    let (r_lo, r_hi) = padded(fig.lines.iter().flat_map(|l| {
        l.series
            .points
            .iter()
            .flat_map(|p| [p.y + p.sd.unwrap_or(0.0), p.y - p.sd.unwrap_or(0.0)])
    }));
    let rotate = fig.rotate_labels(plot.dim_in_pixel().0);
    let right_color = fig.lines.first().map_or(BLACK, |l| l.series.color);
    let x_range = -0.5..(n as f64 - 0.5);
    let mut chart = ChartBuilder::on(&plot)
        .margin(15)
        .x_label_area_size(if rotate { ROTATED_LABELS } else { 45 })
        .y_label_area_size(70)
        .right_y_label_area_size(if fig.lines.is_empty() { 0 } else { 70 })
        .build_cartesian_2d(x_range.clone(), y_lo..y_hi)?
        .set_secondary_coord(x_range, r_lo..r_hi);
    // The mesh draws ticks only; the category names are drawn below (rotated when long).
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n)
        .x_label_formatter(&|_| String::new())
        .y_desc(fig.y_label.as_str())
        .y_label_style(text_style(LABEL_TEXT))
        .axis_desc_style(text_style(15.0))
        .draw()?;
    if !fig.lines.is_empty() {
        chart
            .configure_secondary_axes()
            .y_desc(fig.right_label.as_str())
            .label_style(text_style(LABEL_TEXT).color(&right_color))
            .axis_desc_style(text_style(15.0).color(&right_color))
            .draw()?;
    }
    let base = plot.get_base_pixel();
    for (i, label) in fig.categories.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(i as f64, y_lo));
        let style = if rotate {
            text_style(LABEL_TEXT)
                .transform(FontTransform::Rotate90)
                .pos(Pos::new(HPos::Left, VPos::Center))
        } else {
            text_style(LABEL_TEXT).pos(Pos::new(HPos::Center, VPos::Top))
        };
        plot.draw(&Text::new(
            label.clone(),
            (px - base.0, py - base.1 + 10),
            style,
        ))?;
    }
    let left = chart.plotting_area();
    for c in 0..fig.categories.len() {
        for (s, bars) in fig.series.iter().enumerate() {
            let Some(v) = bars.values[c] else { continue };
            let centre = c as f64 + fig.offset(s);
            let half = GROUP / fig.series.len() as f64 / 2.0;
            let corners = [(centre - half, y_lo), (centre + half, v)];
            if bars.filled {
                left.draw(&Rectangle::new(corners, bars.color.mix(0.85).filled()))?;
            } else {
                left.draw(&Rectangle::new(corners, line_style(bars.color, 2)))?;
            }
            if let Some(sd) = bars.sd.get(c).copied().flatten() {
                draw_whisker(left, centre, (v - sd, v + sd), BLACK)?;
            }
        }
    }
    let right = chart.secondary_plotting_area();
    for l in &fig.lines {
        let at = |x: f64| x + fig.offset(l.over);
        for p in &l.series.points {
            if let Some(sd) = p.sd {
                draw_whisker(right, at(p.x), (p.y - sd, p.y + sd), l.series.color)?;
            }
        }
        let pts: Vec<(f64, f64)> = l.series.points.iter().map(|p| (at(p.x), p.y)).collect();
        draw_line(right, &pts, l.series.color, l.series.line)?;
        for &p in &pts {
            draw_marker(right, p, l.series.color, l.series.marker)?;
        }
    }
    let entries = fig.legend_entries();
    match legend_area {
        Some(area) => draw_legend(&area, &entries, 40),
        None => draw_legend_inside(&left.strip_coord_spec(), &entries, fig.legend),
    }
}
