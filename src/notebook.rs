//! Display helpers for the evcxr notebooks in `notebooks/` (one per thesis chapter).
//!
//! * [`Svg`] — an SVG document that evcxr shows inline (its `evcxr_display` prints
//!   `EVCXR_BEGIN_CONTENT image/svg+xml` … `EVCXR_END_CONTENT`) and that can be saved to
//!   `figures/`;
//! * [`Table`] — a small table shown as HTML in the notebook (with an aligned plain-text
//!   fallback), also printable with `{}`;
//! * [`heatmaps`], [`grouped_bars`], [`line_panels`] — plain-data figures (a matrix, a histogram,
//!   curves) drawn with plotters and the bundled font of [`crate::report`], so the notebooks and
//!   the chapter 8 figures share one plotting stack and need no system fonts;
//! * [`results_table`] — one experiment family's rows summarised over seeds beside the thesis's
//!   printed numbers, without polars (the `reports` feature is too heavy for a notebook kernel).
//!
//! Nothing here computes results: every number comes from the modules it displays.

use crate::experiments::{FamilyId, ResultRow};
use crate::report::figures::{viridis, PALETTE};
use crate::report::fonts::{ensure_fonts, FONT};
use crate::report::{summarize, GroupSummary, Metric, MetricValues, SvgFigure, ThesisResults};
use anyhow::{anyhow, Context, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::fmt;
use std::path::{Path, PathBuf};

/// An SVG document, shown inline by evcxr.
#[derive(Debug, Clone, PartialEq)]
pub struct Svg(pub String);

impl Svg {
    /// evcxr's display hook: the SVG as an `image/svg+xml` output.
    pub fn evcxr_display(&self) {
        println!(
            "EVCXR_BEGIN_CONTENT image/svg+xml\n{}\nEVCXR_END_CONTENT",
            self.0
        );
    }

    /// Writes the SVG to `path` (parent folders created) and returns the path.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<PathBuf> {
        let path = path.as_ref();
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(path, &self.0).with_context(|| format!("writing {}", path.display()))?;
        Ok(path.to_path_buf())
    }
}

impl From<SvgFigure> for Svg {
    fn from(figure: SvgFigure) -> Svg {
        Svg(figure.svg)
    }
}

/// A table of strings with a header, an optional title and an optional note under it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Title line above the table.
    pub title: Option<String>,
    /// Column names.
    pub header: Vec<String>,
    /// Rows of cells (shorter rows are padded with empty cells).
    pub rows: Vec<Vec<String>>,
    /// A note under the table.
    pub note: Option<String>,
}

impl Table {
    /// An empty table with these column names.
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Table {
        Table {
            header: header.into_iter().map(Into::into).collect(),
            ..Table::default()
        }
    }

    /// Sets the title.
    pub fn with_title(mut self, title: impl Into<String>) -> Table {
        self.title = Some(title.into());
        self
    }

    /// Sets the note printed under the table.
    pub fn with_note(mut self, note: impl Into<String>) -> Table {
        self.note = Some(note.into());
        self
    }

    /// Appends a row.
    pub fn push<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }

    fn width(&self) -> usize {
        self.rows
            .iter()
            .map(Vec::len)
            .chain([self.header.len()])
            .max()
            .unwrap_or(0)
    }

    fn cell(row: &[String], i: usize) -> &str {
        row.get(i).map(String::as_str).unwrap_or("")
    }

    /// The table as HTML (cells escaped).
    pub fn to_html(&self) -> String {
        let n = self.width();
        let mut s = String::from("<div>");
        if let Some(title) = &self.title {
            s += &format!("<p><b>{}</b></p>", escape(title));
        }
        s += "<table><thead><tr>";
        for i in 0..n {
            s += &format!("<th>{}</th>", escape(Self::cell(&self.header, i)));
        }
        s += "</tr></thead><tbody>";
        for row in &self.rows {
            s += "<tr>";
            for i in 0..n {
                s += &format!("<td>{}</td>", escape(Self::cell(row, i)));
            }
            s += "</tr>";
        }
        s += "</tbody></table>";
        if let Some(note) = &self.note {
            s += &format!("<p><i>{}</i></p>", escape(note));
        }
        s + "</div>"
    }

    /// evcxr's display hook: the table as `text/html` with the aligned text as `text/plain`.
    pub fn evcxr_display(&self) {
        println!(
            "EVCXR_BEGIN_CONTENT text/html\n{}\nEVCXR_END_CONTENT",
            self.to_html()
        );
        println!("EVCXR_BEGIN_CONTENT text/plain\n{self}\nEVCXR_END_CONTENT");
    }
}

impl fmt::Display for Table {
    /// Aligned plain text: columns padded to their widest cell.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.width();
        let widths: Vec<usize> = (0..n)
            .map(|i| {
                self.rows
                    .iter()
                    .chain([&self.header])
                    .map(|r| Self::cell(r, i).chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |f: &mut fmt::Formatter<'_>, row: &[String]| -> fmt::Result {
            let cells: Vec<String> = (0..n)
                .map(|i| {
                    let c = Self::cell(row, i);
                    format!("{c}{}", " ".repeat(widths[i] - c.chars().count()))
                })
                .collect();
            writeln!(f, "{}", cells.join("  ").trim_end())
        };
        if let Some(title) = &self.title {
            writeln!(f, "{title}")?;
        }
        line(f, &self.header)?;
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        writeln!(f, "{}", rule.join("  "))?;
        for row in &self.rows {
            line(f, row)?;
        }
        if let Some(note) = &self.note {
            writeln!(f, "{note}")?;
        }
        Ok(())
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

// ---------------------------------------------------------------------------------------------
// Figures of plain data.

/// One panel of [`heatmaps`]: a `rows × cols` matrix, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatPanel {
    /// Panel title.
    pub title: String,
    /// Number of rows (drawn top to bottom).
    pub rows: usize,
    /// Number of columns (drawn left to right).
    pub cols: usize,
    /// `values[r * cols + c]`.
    pub values: Vec<f64>,
    /// Columns outlined in black (e.g. the feature dimensions SeqAug picked).
    pub marked_cols: Vec<usize>,
}

impl HeatPanel {
    /// A panel of `values` (`rows × cols`, row-major) with no marked columns.
    pub fn new(title: impl Into<String>, rows: usize, cols: usize, values: Vec<f64>) -> HeatPanel {
        HeatPanel {
            title: title.into(),
            rows,
            cols,
            values,
            marked_cols: Vec::new(),
        }
    }

    /// The same panel with `cols` outlined.
    pub fn mark_cols(mut self, cols: &[usize]) -> HeatPanel {
        self.marked_cols = cols.to_vec();
        self
    }
}

fn text_style(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&BLACK)
}

/// Blue – white – red, `t` in [-1, 1] (a coolwarm-like diverging map).
fn diverging(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let (end, white) = if t < 0.0 {
        ((59.0, 76.0, 192.0), (247.0, 247.0, 247.0))
    } else {
        ((180.0, 4.0, 38.0), (247.0, 247.0, 247.0))
    };
    let a = t.abs();
    let mix = |w: f64, e: f64| (w + (e - w) * a).round() as u8;
    RGBColor(
        mix(white.0, end.0),
        mix(white.1, end.1),
        mix(white.2, end.2),
    )
}

/// An axis tick of a heat map: the index at integer positions, nothing elsewhere.
fn index_label(v: &f64) -> String {
    let i = v.round();
    if (v - i).abs() < 1e-6 && i >= 0.0 {
        format!("{}", i as i64)
    } else {
        String::new()
    }
}

fn draw_error<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("drawing: {e:?}")
}

fn render(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<()>,
) -> Result<Svg> {
    ensure_fonts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        draw(&root)?;
        root.present().map_err(draw_error)?;
    }
    Ok(Svg(svg))
}

/// Heat maps of matrices side by side (at most `per_row` per row of the figure) on one colour
/// scale. `range` is `(lo, hi)`, or `None` for the data's range. A range that starts at 0 or
/// above uses a sequential scale (viridis) from `lo` to `hi`; one that includes negative values
/// a diverging blue – white – red scale symmetric around 0. Rows are drawn top to bottom,
/// columns left to right; panels with at most 64 cells print their values.
pub fn heatmaps(
    title: &str,
    x_label: &str,
    y_label: &str,
    panels: &[HeatPanel],
    range: Option<(f64, f64)>,
    per_row: usize,
) -> Result<Svg> {
    anyhow::ensure!(!panels.is_empty(), "heatmaps: no panels");
    for p in panels {
        anyhow::ensure!(
            p.values.len() == p.rows * p.cols,
            "heatmaps: panel `{}` has {} values for {} × {}",
            p.title,
            p.values.len(),
            p.rows,
            p.cols
        );
    }
    let (lo, hi) = range.unwrap_or_else(|| {
        panels
            .iter()
            .flat_map(|p| p.values.iter())
            .filter(|v| v.is_finite())
            .fold((0.0f64, 0.0f64), |(lo, hi), &v| (lo.min(v), hi.max(v)))
    });
    let scale = if lo < 0.0 {
        let m = lo.abs().max(hi.abs());
        Scale::Diverging(if m > 0.0 { m } else { 1.0 })
    } else {
        Scale::Sequential(lo, if hi > lo { hi } else { lo + 1.0 })
    };
    let per_row = per_row.clamp(1, panels.len());
    let grid_rows = panels.len().div_ceil(per_row);
    let (pw, ph) = (430u32, 380u32);
    let size = (pw * per_row as u32 + 110, ph * grid_rows as u32 + 50);
    render(size, |root| {
        let body = root.titled(title, text_style(20.0)).map_err(draw_error)?;
        let (w, _) = body.dim_in_pixel();
        let (grid, bar_area) = body.split_horizontally(w as i32 - 110);
        let cells = grid.split_evenly((grid_rows, per_row));
        for (area, p) in cells.iter().zip(panels) {
            let (nr, nc) = (p.rows as f64, p.cols as f64);
            // Cell (r, c) spans [c − ½, c + ½] × [r − ½, r + ½], so integer ticks label cells.
            let mut chart = ChartBuilder::on(area)
                .caption(p.title.as_str(), text_style(15.0))
                .margin(8)
                .x_label_area_size(40)
                .y_label_area_size(45)
                .build_cartesian_2d(-0.5..nc - 0.5, nr - 0.5..-0.5)
                .map_err(draw_error)?;
            chart
                .configure_mesh()
                .disable_mesh()
                .x_labels(p.cols.min(12) + 1)
                .y_labels(p.rows.min(12) + 1)
                .x_label_formatter(&index_label)
                .y_label_formatter(&index_label)
                .x_desc(x_label)
                .y_desc(y_label)
                .label_style(text_style(11.0))
                .axis_desc_style(text_style(12.0))
                .draw()
                .map_err(draw_error)?;
            chart
                .draw_series((0..p.rows).flat_map(|r| {
                    (0..p.cols).map(move |c| {
                        let (x, y) = (c as f64, r as f64);
                        Rectangle::new(
                            [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                            scale.color(p.values[r * p.cols + c]).filled(),
                        )
                    })
                }))
                .map_err(draw_error)?;
            if p.rows * p.cols <= 64 {
                chart
                    .draw_series((0..p.rows).flat_map(|r| {
                        (0..p.cols).map(move |c| {
                            let v = p.values[r * p.cols + c];
                            Text::new(
                                format!("{v:.2}"),
                                (c as f64, r as f64),
                                text_style(12.0)
                                    .color(scale.ink(v))
                                    .pos(Pos::new(HPos::Center, VPos::Center)),
                            )
                        })
                    }))
                    .map_err(draw_error)?;
            }
            chart
                .draw_series(p.marked_cols.iter().filter(|&&c| c < p.cols).map(|&c| {
                    let x = c as f64;
                    Rectangle::new(
                        [(x - 0.5, -0.5), (x + 0.5, nr - 0.5)],
                        BLACK.stroke_width(1),
                    )
                }))
                .map_err(draw_error)?;
        }
        let (bar_lo, bar_hi) = scale.range();
        let mut bar = ChartBuilder::on(&bar_area)
            .margin_top(40)
            .margin_bottom(60)
            .margin_right(10)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..1.0, bar_lo..bar_hi)
            .map_err(draw_error)?;
        bar.configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_labels(7)
            .y_label_formatter(&|y| format!("{y:.2}"))
            .label_style(text_style(11.0))
            .draw()
            .map_err(draw_error)?;
        let steps = 100;
        bar.draw_series((0..steps).map(|k| {
            let a = bar_lo + (bar_hi - bar_lo) * k as f64 / steps as f64;
            let b = bar_lo + (bar_hi - bar_lo) * (k + 1) as f64 / steps as f64;
            Rectangle::new([(0.0, a), (1.0, b)], scale.color((a + b) / 2.0).filled())
        }))
        .map_err(draw_error)?;
        Ok(())
    })
}

/// The colour scale of a heat map.
#[derive(Debug, Clone, Copy)]
enum Scale {
    /// Blue – white – red over `[-m, m]`.
    Diverging(f64),
    /// Viridis over `[lo, hi]`.
    Sequential(f64, f64),
}

impl Scale {
    fn range(self) -> (f64, f64) {
        match self {
            Scale::Diverging(m) => (-m, m),
            Scale::Sequential(lo, hi) => (lo, hi),
        }
    }

    fn color(self, v: f64) -> RGBColor {
        match self {
            Scale::Diverging(m) => diverging(v / m),
            Scale::Sequential(lo, hi) => viridis((v - lo) / (hi - lo)),
        }
    }

    /// Black or white, whichever reads better on `color(v)`.
    fn ink(self, v: f64) -> &'static RGBColor {
        let RGBColor(r, g, b) = self.color(v);
        let luma = 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b);
        if luma > 140.0 {
            &BLACK
        } else {
            &WHITE
        }
    }
}

/// A bar chart with one group of bars per category and one bar per series in each group
/// (`series[s].1[c]` is the height of series `s` in category `c`), with a legend.
pub fn grouped_bars(
    title: &str,
    y_label: &str,
    categories: &[String],
    series: &[(String, Vec<f64>)],
) -> Result<Svg> {
    anyhow::ensure!(
        !categories.is_empty() && !series.is_empty(),
        "grouped_bars: no data"
    );
    for (name, values) in series {
        anyhow::ensure!(
            values.len() == categories.len(),
            "grouped_bars: series `{name}` has {} values for {} categories",
            values.len(),
            categories.len()
        );
    }
    let top = series
        .iter()
        .flat_map(|(_, v)| v.iter())
        .fold(0.0f64, |a, &v| a.max(v));
    let top = if top > 0.0 { top * 1.12 } else { 1.0 };
    let n_cat = categories.len();
    let n_ser = series.len();
    render((900, 480), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, text_style(19.0))
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..n_cat as f64, 0.0..top)
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n_cat * 2 + 1)
            .x_label_formatter(&|x| {
                let c = x - 0.5;
                let i = c.round();
                if (c - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n_cat {
                    categories[i as usize].clone()
                } else {
                    String::new()
                }
            })
            .y_desc(y_label)
            .label_style(text_style(12.0))
            .axis_desc_style(text_style(13.0))
            .draw()
            .map_err(draw_error)?;
        let group = 0.8;
        let width = group / n_ser as f64;
        for (s, (name, values)) in series.iter().enumerate() {
            let color = PALETTE[s % PALETTE.len()];
            chart
                .draw_series(values.iter().enumerate().map(|(c, &v)| {
                    let x0 = c as f64 + (1.0 - group) / 2.0 + s as f64 * width;
                    Rectangle::new([(x0, 0.0), (x0 + width * 0.92, v)], color.filled())
                }))
                .map_err(draw_error)?
                .label(name.as_str())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled())
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .label_font(text_style(12.0))
            .draw()
            .map_err(draw_error)?;
        Ok(())
    })
}

/// One panel of [`line_panels`]: named curves of `(x, y)` points.
#[derive(Debug, Clone, PartialEq)]
pub struct LinePanel {
    /// Panel title.
    pub title: String,
    /// x axis label.
    pub x_label: String,
    /// y axis label.
    pub y_label: String,
    /// `(name, points)` per curve.
    pub series: Vec<(String, Vec<(f64, f64)>)>,
}

/// Panels of curves side by side, each with its own axes and legend; points are marked.
pub fn line_panels(title: &str, panels: &[LinePanel]) -> Result<Svg> {
    anyhow::ensure!(!panels.is_empty(), "line_panels: no panels");
    let size = (460 * panels.len() as u32 + 20, 420);
    render(size, |root| {
        let body = root.titled(title, text_style(19.0)).map_err(draw_error)?;
        let areas = body.split_evenly((1, panels.len()));
        for (area, p) in areas.iter().zip(panels) {
            let points = || {
                p.series
                    .iter()
                    .flat_map(|(_, pts)| pts.iter())
                    .filter(|(x, y)| x.is_finite() && y.is_finite())
            };
            let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
            for &(x, y) in points() {
                x0 = x0.min(x);
                x1 = x1.max(x);
                y0 = y0.min(y);
                y1 = y1.max(y);
            }
            if x0 > x1 {
                (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
            }
            if x1 - x0 < 1e-12 {
                (x0, x1) = (x0 - 0.5, x1 + 0.5);
            }
            let pad = ((y1 - y0) * 0.08).max(1e-9 + y1.abs() * 0.02);
            let mut chart = ChartBuilder::on(area)
                .caption(p.title.as_str(), text_style(15.0))
                .margin(10)
                .x_label_area_size(40)
                .y_label_area_size(60)
                .build_cartesian_2d(x0..x1, (y0 - pad)..(y1 + pad))
                .map_err(draw_error)?;
            chart
                .configure_mesh()
                .x_desc(p.x_label.as_str())
                .y_desc(p.y_label.as_str())
                .label_style(text_style(11.0))
                .axis_desc_style(text_style(12.0))
                .light_line_style(RGBColor(235, 235, 235))
                .draw()
                .map_err(draw_error)?;
            for (s, (name, pts)) in p.series.iter().enumerate() {
                let color = PALETTE[s % PALETTE.len()];
                chart
                    .draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(2)))
                    .map_err(draw_error)?
                    .label(name.as_str())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
                    });
                chart
                    .draw_series(pts.iter().map(|&pt| Circle::new(pt, 3, color.filled())))
                    .map_err(draw_error)?;
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(180, 180, 180))
                .label_font(text_style(11.0))
                .draw()
                .map_err(draw_error)?;
        }
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Chapter 8 rows beside the thesis's numbers.

fn params_label(g: &GroupSummary) -> String {
    g.params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn metric_cells(values: &MetricValues, std: Option<&MetricValues>) -> Vec<String> {
    Metric::ALL
        .iter()
        .map(|&m| match (values.get(m), std.and_then(|s| s.get(m))) {
            (Some(v), Some(s)) => format!("{} ± {}", m.format(v), m.format(s)),
            (Some(v), None) => m.format(v),
            (None, _) => "–".to_owned(),
        })
        .collect()
}

/// The rows of experiment `family` summarised per (variant, params) over seeds — mean ± sample
/// std, or the best run ([`crate::report::best_run`]) when `best` — with, where `thesis_table`
/// (e.g. `"8.2.2"`) has the variant, a row of the thesis's printed values and a row of
/// ours − thesis under it. Metrics in the thesis's units (F1 / Acc in %).
pub fn results_table(
    rows: &[ResultRow],
    family: FamilyId,
    best: bool,
    thesis_table: Option<&str>,
) -> Table {
    let thesis = thesis_table.and_then(|id| ThesisResults::embedded().table(id));
    let mut header = vec![
        "variant".to_owned(),
        "params".to_owned(),
        "source".to_owned(),
        "n".to_owned(),
    ];
    header.extend(Metric::ALL.iter().map(|m| m.label().to_owned()));
    let mut table = Table::new(header).with_title(format!(
        "{family}: {} over seeds{}",
        if best {
            "best run (highest test F1)"
        } else {
            "mean ± sample std"
        },
        match thesis_table {
            Some(id) => format!(", beside thesis table {id}"),
            None => String::new(),
        }
    ));
    let mut groups = summarize(rows, family);
    if let Some(t) = thesis {
        groups.sort_by_key(|g| {
            (
                t.rank_of(&g.variant).unwrap_or(usize::MAX),
                g.variant.clone(),
            )
        });
    }
    for g in &groups {
        let ours = if best { &g.best } else { &g.mean };
        let mut row = vec![
            g.variant.clone(),
            params_label(g),
            "ours".to_owned(),
            g.n.to_string(),
        ];
        row.extend(metric_cells(ours, if best { None } else { Some(&g.std) }));
        table.push(row);
        if let Some(trow) = thesis.and_then(|t| t.row_for(&g.variant)) {
            let mut row = vec![
                String::new(),
                String::new(),
                format!("thesis ({})", trow.label()),
                thesis
                    .and_then(|t| t.runs)
                    .map(|r| r.to_string())
                    .unwrap_or_default(),
            ];
            row.extend(metric_cells(&trow.values, trow.std.as_ref()));
            table.push(row);
            let mut row = vec![
                String::new(),
                String::new(),
                "ours − thesis".to_owned(),
                String::new(),
            ];
            row.extend(
                Metric::ALL
                    .iter()
                    .map(|&m| match (ours.get(m), trow.values.get(m)) {
                        (Some(a), Some(b)) => {
                            let d = a - b;
                            format!("{}{}", if d >= 0.0 { "+" } else { "" }, m.format(d))
                        }
                        _ => "–".to_owned(),
                    }),
            );
            table.push(row);
        }
    }
    if let Some(first) = rows.iter().find(|r| r.family == family) {
        table.note = Some(format!("Data: {}. Profile: {}.", first.data, first.profile));
    }
    table
}
