//! Heat-map panels on one colour scale, with a colour bar: the double-masking grids of figures
//! 8.5.2–8.5.4 / A.2.1–A.2.3 and the notebooks' matrices.

use super::{text_style, DrawResult, Frame};
use crate::report::error::{ReportError, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Heat maps side by side (`per_row` to a row of the figure) on one colour scale.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatMap {
    /// Title, caption and size.
    pub frame: Frame,
    /// x axis label of every panel.
    pub x_label: String,
    /// y axis label of every panel.
    pub y_label: String,
    /// The panels, in reading order.
    pub panels: Vec<HeatPanel>,
    /// Panels per row of the figure.
    pub per_row: usize,
    /// The colour scale shared by the panels.
    pub scale: ColourScale,
    /// Decimals of the printed cell values and of the colour bar's ticks.
    pub decimals: usize,
    /// Title over the colour bar (may be empty).
    pub scale_title: String,
    /// Text printed in a cell without a value.
    pub missing: String,
    /// Row 0 at the top (a matrix) rather than at the bottom (a grid of increasing values).
    pub first_row_on_top: bool,
}

/// One panel of a [`HeatMap`]: a `rows × cols` matrix, row-major, with optional tick labels.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatPanel {
    /// Panel title.
    pub title: String,
    /// Number of rows.
    pub rows: usize,
    /// Number of columns (drawn left to right).
    pub cols: usize,
    /// `values[r * cols + c]`; `None` is a cell without a value.
    pub values: Vec<Option<f64>>,
    /// Labels of the columns; empty: the column indices.
    pub x_ticks: Vec<String>,
    /// Labels of the rows; empty: the row indices.
    pub y_ticks: Vec<String>,
    /// Columns outlined in black (e.g. the feature dimensions SeqAug picked).
    pub marked_cols: Vec<usize>,
}

impl HeatPanel {
    /// A panel of `values` (`rows × cols`, row-major), every cell with a value, index ticks.
    pub fn new(title: impl Into<String>, rows: usize, cols: usize, values: Vec<f64>) -> HeatPanel {
        HeatPanel::with_gaps(title, rows, cols, values.into_iter().map(Some).collect())
    }

    /// A panel whose cells may lack a value (`None`: drawn grey with [`HeatMap::missing`]).
    pub fn with_gaps(
        title: impl Into<String>,
        rows: usize,
        cols: usize,
        values: Vec<Option<f64>>,
    ) -> HeatPanel {
        HeatPanel {
            title: title.into(),
            rows,
            cols,
            values,
            x_ticks: Vec::new(),
            y_ticks: Vec::new(),
            marked_cols: Vec::new(),
        }
    }

    /// The same panel with `cols` outlined.
    pub fn mark_cols(mut self, cols: &[usize]) -> HeatPanel {
        self.marked_cols = cols.to_vec();
        self
    }

    /// The same panel with these column and row labels in place of the indices.
    pub fn ticks(mut self, x_ticks: Vec<String>, y_ticks: Vec<String>) -> HeatPanel {
        self.x_ticks = x_ticks;
        self.y_ticks = y_ticks;
        self
    }
}

/// The colour scale of a heat map.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ColourScale {
    /// Viridis from `lo` to `hi`.
    Sequential(f64, f64),
    /// Blue – white – red over `[-m, m]`, white at 0.
    Diverging(f64),
}

impl ColourScale {
    /// The scale for values in `[lo, hi]`: sequential when `lo ≥ 0`, else diverging and symmetric
    /// around 0 (degenerate ranges widened so that the scale is never empty).
    pub fn fit(lo: f64, hi: f64) -> ColourScale {
        if lo < 0.0 {
            let m = lo.abs().max(hi.abs());
            ColourScale::Diverging(if m > 0.0 { m } else { 1.0 })
        } else {
            ColourScale::Sequential(lo, if hi > lo { hi } else { lo + 1.0 })
        }
    }

    fn range(self) -> (f64, f64) {
        match self {
            ColourScale::Diverging(m) => (-m, m),
            ColourScale::Sequential(lo, hi) => (lo, hi),
        }
    }

    fn color(self, v: f64) -> RGBColor {
        match self {
            ColourScale::Diverging(m) => diverging(v / m),
            ColourScale::Sequential(lo, hi) => viridis((v - lo) / (hi - lo)),
        }
    }

    /// The colour at `t` in [0, 1] along the scale (bottom to top of the colour bar).
    fn color_at(self, t: f64) -> RGBColor {
        match self {
            ColourScale::Diverging(_) => diverging(2.0 * t - 1.0),
            ColourScale::Sequential(..) => viridis(t),
        }
    }

    /// Black or white, whichever reads better on `color(v)`.
    fn ink(self, v: f64) -> &'static RGBColor {
        let RGBColor(r, g, b) = self.color(v);
        let luma = 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b);
        if luma > INK_LUMA {
            &BLACK
        } else {
            &WHITE
        }
    }
}

/// Cells lighter than this luma get black text: viridis above ~0.6, the diverging map's pale half.
const INK_LUMA: f64 = 125.0;

/// Viridis, interpolated between 9 anchor colours (t in [0, 1]).
fn viridis(t: f64) -> RGBColor {
    const ANCHORS: [(u8, u8, u8); 9] = [
        (68, 1, 84),
        (71, 44, 122),
        (59, 81, 139),
        (44, 113, 142),
        (33, 144, 141),
        (39, 173, 129),
        (92, 200, 99),
        (170, 220, 50),
        (253, 231, 37),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = t * (ANCHORS.len() - 1) as f64;
    let i = (pos.floor() as usize).min(ANCHORS.len() - 2);
    let f = pos - i as f64;
    let lerp = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (ANCHORS[i], ANCHORS[i + 1]);
    RGBColor(lerp(a.0, b.0), lerp(a.1, b.1), lerp(a.2, b.2))
}

/// Blue – white – red, `t` in [-1, 1] (a coolwarm-like diverging map).
fn diverging(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let white = (247.0, 247.0, 247.0);
    let end = if t < 0.0 {
        (59.0, 76.0, 192.0)
    } else {
        (180.0, 4.0, 38.0)
    };
    let a = t.abs();
    let mix = |w: f64, e: f64| (w + (e - w) * a).round() as u8;
    RGBColor(
        mix(white.0, end.0),
        mix(white.1, end.1),
        mix(white.2, end.2),
    )
}

/// Panels with at most this many cells print their values.
const MAX_PRINTED_CELLS: usize = 64;

impl HeatMap {
    pub(super) fn check(&self) -> Result<()> {
        if self.panels.is_empty() {
            return Err(ReportError::Figure("heat map: no panels".to_owned()));
        }
        for p in &self.panels {
            if p.values.len() != p.rows * p.cols {
                return Err(ReportError::Figure(format!(
                    "heat map: panel `{}` has {} values for {} × {}",
                    p.title,
                    p.values.len(),
                    p.rows,
                    p.cols
                )));
            }
        }
        Ok(())
    }
}

/// Width in pixels of a heat map's colour-bar column, right of the panels.
pub const COLOUR_BAR_WIDTH: u32 = 130;

/// An axis tick at cell `v` of `labels` (the index when there are none); nothing between cells.
fn tick(labels: &[String], count: usize, v: f64) -> String {
    let i = v.round();
    if (v - i).abs() > 1e-6 || i < 0.0 || i as usize >= count {
        return String::new();
    }
    labels
        .get(i as usize)
        .cloned()
        .unwrap_or_else(|| format!("{}", i as usize))
}

pub(super) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    fig: &HeatMap,
) -> DrawResult<DB> {
    let (w, _) = area.dim_in_pixel();
    let (grid, bar_area) = area.split_horizontally(w as i32 - COLOUR_BAR_WIDTH as i32);
    let per_row = fig.per_row.max(1);
    let cells = grid.split_evenly((fig.panels.len().div_ceil(per_row).max(1), per_row));
    for (panel, hp) in cells.iter().zip(&fig.panels) {
        draw_panel(panel, fig, hp)?;
    }
    draw_colour_bar(&bar_area, fig)
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    fig: &HeatMap,
    hp: &HeatPanel,
) -> DrawResult<DB> {
    let (nx, ny) = (hp.cols.max(1), hp.rows.max(1));
    let x_range = -0.5..(nx as f64 - 0.5);
    // Cell (r, c) spans [c − ½, c + ½] × [r − ½, r + ½], so integer ticks label cells.
    let y_range = if fig.first_row_on_top {
        (ny as f64 - 0.5)..-0.5
    } else {
        -0.5..(ny as f64 - 0.5)
    };
    let mut chart = ChartBuilder::on(area)
        .caption(hp.title.as_str(), text_style(17.0))
        .margin(10)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(x_range, y_range)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(nx.min(12) + 1)
        .y_labels(ny.min(12) + 1)
        .x_label_formatter(&|v| tick(&hp.x_ticks, hp.cols, *v))
        .y_label_formatter(&|v| tick(&hp.y_ticks, hp.rows, *v))
        .x_desc(fig.x_label.as_str())
        .y_desc(fig.y_label.as_str())
        .label_style(text_style(12.0))
        .axis_desc_style(text_style(13.0))
        .draw()?;
    let plot = chart.plotting_area();
    let printed = hp.rows * hp.cols <= MAX_PRINTED_CELLS;
    for r in 0..hp.rows {
        for c in 0..hp.cols {
            let (x, y) = (c as f64, r as f64);
            let cell = [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)];
            let centred = |size: f64| text_style(size).pos(Pos::new(HPos::Center, VPos::Center));
            match hp.values[r * hp.cols + c] {
                Some(v) => {
                    plot.draw(&Rectangle::new(cell, fig.scale.color(v).filled()))?;
                    if printed {
                        plot.draw(&Text::new(
                            format!("{v:.*}", fig.decimals),
                            (x, y),
                            centred(12.0).color(fig.scale.ink(v)),
                        ))?;
                    }
                }
                None => {
                    plot.draw(&Rectangle::new(cell, RGBColor(235, 235, 235).filled()))?;
                    if printed {
                        plot.draw(&Text::new(fig.missing.clone(), (x, y), centred(11.0)))?;
                    }
                }
            }
        }
    }
    for &c in hp.marked_cols.iter().filter(|&&c| c < hp.cols) {
        let x = c as f64;
        plot.draw(&Rectangle::new(
            [(x - 0.5, -0.5), (x + 0.5, ny as f64 - 0.5)],
            BLACK.stroke_width(1),
        ))?;
    }
    Ok(())
}

fn draw_colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    fig: &HeatMap,
) -> DrawResult<DB> {
    let (lo, hi) = fig.scale.range();
    let mut bar = ChartBuilder::on(area)
        .caption(fig.scale_title.as_str(), text_style(15.0))
        .margin_top(10)
        .margin_bottom(55)
        .margin_right(10)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..1.0, lo..hi)?;
    bar.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_label_formatter(&|y| format!("{y:.*}", fig.decimals))
        .label_style(text_style(12.0))
        .draw()?;
    let steps = 100;
    bar.draw_series((0..steps).map(|k| {
        let a = lo + (hi - lo) * k as f64 / steps as f64;
        let b = lo + (hi - lo) * (k + 1) as f64 / steps as f64;
        let t = k as f64 / (steps - 1) as f64;
        Rectangle::new([(0.0, a), (1.0, b)], fig.scale.color_at(t).filled())
    }))?;
    Ok(())
}
