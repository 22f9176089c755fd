//! The plotters drawing of the generic figure kinds — heat-map panels ([`HeatMap`]), grouped bars
//! with lines on a right axis ([`BarChart`]) and panels of curves ([`LinePanels`]) — in one style:
//! the bundled font ([`crate::report::fonts`]), one palette, one legend, one frame (title on top,
//! wrapped caption under the figure). Nothing here knows about result rows: the chapter 8 figures
//! (`prepare`) and the notebooks' figures ([`crate::notebook`]) are values of these kinds.

mod bars;
mod heat;
mod lines;

pub use bars::{BarChart, BarSeries, RightLine};
pub use heat::{ColourScale, HeatMap, HeatPanel, COLOUR_BAR_WIDTH};
pub use lines::{HLine, LinePanel, LinePanels, Point, Series};

use crate::report::error::{ReportError, Result};
use crate::report::fonts::{ensure_fonts, FONT};
use plotters::coord::Shift;
use plotters::drawing::DrawingAreaErrorKind;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

type DrawResult<DB> =
    std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Tableau-10 colours: the series colours of every figure, report and notebooks alike.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];
/// The thesis's values and reference lines.
pub(super) const GREY: RGBColor = RGBColor(110, 110, 110);
/// The right axis of a bar chart and its line (Acc7 in figure 8.3.1).
pub(super) const THESIS_RED: RGBColor = RGBColor(214, 39, 40);

/// Title, caption and pixel size of a figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Drawn on top.
    pub title: String,
    /// Drawn under the figure, word-wrapped; empty for none.
    pub caption: String,
    /// Width and height in pixels.
    pub size: (u32, u32),
}

/// The marker drawn at each point of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// Filled circle.
    Circle,
    /// Filled five-pointed star.
    Star,
    /// Filled triangle.
    Triangle,
    /// Hollow circle: a thesis value.
    Hollow,
}

/// How a line is stroked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    /// Solid, 2 px.
    Solid,
    /// Long dashes.
    Dashed,
    /// Short dashes.
    Dotted,
    /// No line: markers only.
    None,
}

/// Where a figure's legend goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Legend {
    /// One legend for the whole figure in a column this many pixels wide at the right (the
    /// panels share their series; the legend lists the first panel's).
    Right(u32),
    /// In each panel, boxed at its upper left corner (each panel has its own series).
    UpperLeft,
    /// In each panel, boxed at its upper right corner (each panel has its own series).
    UpperRight,
}

/// A figure of one of the generic kinds, ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub enum Figure {
    /// Heat-map panels on one colour scale.
    Heat(HeatMap),
    /// Grouped bars, with lines on a right axis.
    Bars(BarChart),
    /// Panels of curves.
    Lines(LinePanels),
}

impl From<HeatMap> for Figure {
    fn from(f: HeatMap) -> Figure {
        Figure::Heat(f)
    }
}

impl From<BarChart> for Figure {
    fn from(f: BarChart) -> Figure {
        Figure::Bars(f)
    }
}

impl From<LinePanels> for Figure {
    fn from(f: LinePanels) -> Figure {
        Figure::Lines(f)
    }
}

impl Figure {
    /// Title, caption and size.
    pub fn frame(&self) -> &Frame {
        match self {
            Figure::Heat(f) => &f.frame,
            Figure::Bars(f) => &f.frame,
            Figure::Lines(f) => &f.frame,
        }
    }

    /// Checks that the data has the shape the kind draws (e.g. one value per heat-map cell).
    fn check(&self) -> Result<()> {
        match self {
            Figure::Heat(f) => f.check(),
            Figure::Bars(f) => f.check(),
            Figure::Lines(f) => f.check(),
        }
    }

    /// The figure as an SVG document (nothing is written to disk).
    pub fn svg(&self) -> Result<String> {
        self.check()?;
        ensure_fonts();
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, self.frame().size).into_drawing_area();
            self.draw(&root)
                .map_err(ReportError::draw("drawing", "SVG"))?;
            root.present()
                .map_err(ReportError::draw("finishing", "SVG"))?;
        }
        Ok(svg)
    }

    /// Writes the figure to `svg_path` and `png_path` (their folder must exist).
    pub fn write(&self, svg_path: &Path, png_path: &Path) -> Result<()> {
        self.check()?;
        ensure_fonts();
        {
            let root = SVGBackend::new(svg_path, self.frame().size).into_drawing_area();
            self.draw(&root)
                .map_err(ReportError::draw("drawing", svg_path.display()))?;
            root.present()
                .map_err(ReportError::draw("writing", svg_path.display()))?;
        }
        let root = BitMapBackend::new(png_path, self.frame().size).into_drawing_area();
        self.draw(&root)
            .map_err(ReportError::draw("drawing", png_path.display()))?;
        root.present()
            .map_err(ReportError::draw("writing", png_path.display()))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let body = draw_frame(root, self.frame())?;
        match self {
            Figure::Heat(f) => heat::draw(&body, f),
            Figure::Bars(f) => bars::draw(&body, f),
            Figure::Lines(f) => lines::draw(&body, f),
        }
    }
}

fn text_style(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&BLACK)
}

/// Greedy word wrap to at most `width` characters per line.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// White background, title on top, wrapped caption (if any) at the bottom; returns the body.
fn draw_frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    frame: &Frame,
) -> std::result::Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    if frame.caption.is_empty() {
        return root.titled(&frame.title, text_style(20.0));
    }
    let (w, h) = root.dim_in_pixel();
    let caption_size = 14.0;
    // DejaVu Sans averages ~0.55 em per character.
    let chars_per_line = ((w as f64 - 30.0) / (caption_size * 0.56)) as usize;
    let lines = wrap(&frame.caption, chars_per_line.max(40));
    let line_h = (caption_size * 1.35) as i32;
    let footer_h = line_h * lines.len() as i32 + 16;
    let (top, footer) = root.split_vertically(h as i32 - footer_h);
    for (i, line) in lines.iter().enumerate() {
        footer.draw_text(
            line,
            &text_style(caption_size).color(&RGBColor(40, 40, 40)),
            (15, 8 + line_h * i as i32),
        )?;
    }
    top.titled(&frame.title, text_style(20.0))
}

fn line_style(color: RGBColor, width: u32) -> ShapeStyle {
    ShapeStyle {
        color: color.to_rgba(),
        filled: false,
        stroke_width: width,
    }
}

/// `[lo, hi]` padded by 8 % (or a little when flat).
fn padded(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let span = hi - lo;
    let pad = if span < 1e-12 {
        lo.abs() * 0.02 + 0.01
    } else {
        span * 0.08
    };
    (lo - pad, hi + pad)
}

/// An axis value with as few decimals as it needs (at most 2), as a percentage when `percent`
/// (fractions: 0.7 → `70%`).
pub(super) fn format_x(x: f64, percent: bool) -> String {
    let v = if percent { x * 100.0 } else { x };
    let s = if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else if (v * 10.0 - (v * 10.0).round()).abs() < 1e-9 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    };
    if percent {
        format!("{s}%")
    } else {
        s
    }
}

/// Draws `line` through `points` (data coordinates) on `area`.
fn draw_line<DB: DrawingBackend, CT: CoordTranslate<From = (f64, f64)>>(
    area: &DrawingArea<DB, CT>,
    points: &[(f64, f64)],
    color: RGBColor,
    line: Line,
) -> DrawResult<DB> {
    let style = line_style(color, 2);
    let pts = points.iter().copied();
    match line {
        Line::Solid => LineSeries::new(pts, style)
            .into_iter()
            .try_for_each(|e| area.draw(&e)),
        Line::Dashed => DashedLineSeries::new(pts, 10, 6, style)
            .into_iter()
            .try_for_each(|e| area.draw(&e)),
        Line::Dotted => DashedLineSeries::new(pts, 3, 4, style)
            .into_iter()
            .try_for_each(|e| area.draw(&e)),
        Line::None => Ok(()),
    }
}

fn star(r: i32) -> Vec<(i32, i32)> {
    (0..10)
        .map(|k| {
            let radius = if k % 2 == 0 {
                r as f64
            } else {
                r as f64 * 0.45
            };
            let angle = -std::f64::consts::FRAC_PI_2 + k as f64 * std::f64::consts::PI / 5.0;
            (
                (radius * angle.cos()).round() as i32,
                (radius * angle.sin()).round() as i32,
            )
        })
        .collect()
}

/// Draws `marker` centred at `at` (data coordinates on a chart, pixels on a plain area).
fn draw_marker<DB: DrawingBackend, CT: CoordTranslate>(
    area: &DrawingArea<DB, CT>,
    at: CT::From,
    color: RGBColor,
    marker: Marker,
) -> DrawResult<DB> {
    let filled = color.filled();
    match marker {
        Marker::Circle => area.draw(&Circle::new(at, 4, filled)),
        Marker::Hollow => area.draw(&Circle::new(at, 8, line_style(color, 2))),
        Marker::Triangle => area.draw(&TriangleMarker::new(at, 6, filled)),
        Marker::Star => area.draw(&(EmptyElement::at(at) + Polygon::new(star(8), filled))),
    }
}

/// Draws a vertical whisker, 1 px, from `lo` to `hi` at `x` (data coordinates).
fn draw_whisker<DB: DrawingBackend, CT: CoordTranslate<From = (f64, f64)>>(
    area: &DrawingArea<DB, CT>,
    x: f64,
    (lo, hi): (f64, f64),
    color: RGBColor,
) -> DrawResult<DB> {
    area.draw(&PathElement::new(
        vec![(x, lo), (x, hi)],
        line_style(color, 1),
    ))
}

/// One legend entry: a bar swatch or a line sample with a marker, and a label.
struct LegendEntry {
    label: String,
    color: RGBColor,
    marker: Option<Marker>,
    line: Line,
    /// A filled (`true`) or outlined (`false`) box, for bar legends.
    bar: Option<bool>,
}

const LEGEND_STEP: i32 = 24;
const LEGEND_TEXT: f64 = 13.0;

/// Draws `entries` in pixel coordinates of `area`, the first at height `top`.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    top: i32,
) -> DrawResult<DB> {
    for (i, e) in entries.iter().enumerate() {
        let y = top + i as i32 * LEGEND_STEP;
        let (x0, x1) = (8, 44);
        if let Some(filled) = e.bar {
            let style = if filled {
                e.color.filled()
            } else {
                line_style(e.color, 2)
            };
            area.draw(&Rectangle::new([(x0 + 6, y - 7), (x1 - 6, y + 7)], style))?;
        }
        match e.line {
            Line::Solid => area.draw(&PathElement::new(
                vec![(x0, y), (x1, y)],
                line_style(e.color, 2),
            ))?,
            Line::Dashed | Line::Dotted => {
                let (dash, gap) = if e.line == Line::Dashed {
                    (8, 5)
                } else {
                    (3, 4)
                };
                let mut x = x0;
                while x < x1 {
                    area.draw(&PathElement::new(
                        vec![(x, y), ((x + dash).min(x1), y)],
                        line_style(e.color, 2),
                    ))?;
                    x += dash + gap;
                }
            }
            Line::None => {}
        }
        if let Some(marker) = e.marker {
            draw_marker(area, ((x0 + x1) / 2, y), e.color, marker)?;
        }
        area.draw(&Text::new(
            e.label.clone(),
            (x1 + 8, y),
            text_style(LEGEND_TEXT).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// Splits off the legend column of [`Legend::Right`]: the panels' area and the column, if any.
fn split_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    legend: Legend,
) -> (DrawingArea<DB, Shift>, Option<DrawingArea<DB, Shift>>) {
    match legend {
        Legend::Right(width) => {
            let (w, _) = area.dim_in_pixel();
            let (panels, column) = area.split_horizontally(w as i32 - width as i32);
            (panels, Some(column))
        }
        Legend::UpperLeft | Legend::UpperRight => (area.clone(), None),
    }
}

/// Draws `entries` boxed in a corner of `plot` (a panel's plotting area): [`Legend::UpperLeft`]
/// or [`Legend::UpperRight`]; nothing for [`Legend::Right`] (drawn once, beside the panels).
fn draw_legend_inside<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    legend: Legend,
) -> DrawResult<DB> {
    if entries.is_empty() || matches!(legend, Legend::Right(_)) {
        return Ok(());
    }
    let (w, _) = plot.dim_in_pixel();
    let longest = entries
        .iter()
        .map(|e| e.label.chars().count())
        .max()
        .unwrap_or(0);
    let box_w = (64.0 + longest as f64 * LEGEND_TEXT * 0.5) as u32;
    let box_h = (LEGEND_STEP * entries.len() as i32 + 8) as u32;
    let inset = 10;
    let left = match legend {
        Legend::UpperLeft => inset,
        _ => (w as i32 - box_w as i32 - inset).max(0),
    };
    let boxed = plot.clone().shrink((left, inset), (box_w, box_h));
    boxed.fill(&WHITE.mix(0.85))?;
    boxed.draw(&Rectangle::new(
        [(0, 0), (box_w as i32 - 1, box_h as i32 - 1)],
        line_style(RGBColor(180, 180, 180), 1),
    ))?;
    draw_legend(&boxed, entries, LEGEND_STEP / 2 + 4)
}
