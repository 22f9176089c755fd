//! Display helpers for the evcxr notebooks in `notebooks/` (one per thesis chapter).
//!
//! * [`Svg`] — an SVG document that evcxr shows inline (its `evcxr_display` prints
//!   `EVCXR_BEGIN_CONTENT image/svg+xml` … `EVCXR_END_CONTENT`) and that can be saved to
//!   `figures/`;
//! * [`Table`] — a small table shown as HTML in the notebook (with an aligned plain-text
//!   fallback), also printable with `{}`;
//! * [`heatmaps`], [`grouped_bars`], [`line_panels`] — plain-data figures (matrices, a histogram,
//!   curves): thin wrappers that build the figure kinds of [`crate::report::figures`] and draw
//!   them with the chapter 8 figures' code (one plotting stack, the bundled font, no polars);
//! * [`results_table`] — one experiment family's rows summarised over seeds beside the thesis's
//!   printed numbers, without polars (the `reports` feature is too heavy for a notebook kernel).
//!
//! Nothing here computes results: every number comes from the modules it displays.

pub use crate::report::figures::{HeatPanel, LinePanel};

use crate::experiments::{FamilyId, ResultRow};
use crate::report::figures::{
    BarChart, BarSeries, ColourScale, Figure, Frame, HeatMap, Legend, LinePanels, COLOUR_BAR_WIDTH,
    PALETTE,
};
use crate::report::{
    summarize, GroupSummary, Metric, MetricValues, ReportError, Result, SvgFigure, ThesisResults,
};
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
            std::fs::create_dir_all(dir).map_err(ReportError::io("creating", dir))?;
        }
        std::fs::write(path, &self.0).map_err(ReportError::io("writing", path))?;
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
// Figures of plain data: the figure kinds of `crate::report::figures`, laid out for a notebook
// (no caption, a legend in each panel) and drawn by the chapter 8 figures' code.

/// A figure drawn as an inline SVG.
fn svg(figure: impl Into<Figure>) -> Result<Svg> {
    figure.into().svg().map(Svg)
}

/// Heat maps of matrices side by side (at most `per_row` per row of the figure) on one colour
/// scale. `range` is `(lo, hi)`, or `None` for the data's range. A range that starts at 0 or
/// above uses a sequential scale (viridis) from `lo` to `hi`; one that includes negative values
/// a diverging blue – white – red scale symmetric around 0 ([`ColourScale::fit`]). Rows are drawn
/// top to bottom, columns left to right; panels with at most 64 cells print their values.
pub fn heatmaps(
    title: &str,
    x_label: &str,
    y_label: &str,
    panels: &[HeatPanel],
    range: Option<(f64, f64)>,
    per_row: usize,
) -> Result<Svg> {
    let (lo, hi) = range.unwrap_or_else(|| {
        panels
            .iter()
            .flat_map(|p| p.values.iter().flatten())
            .filter(|v| v.is_finite())
            .fold((0.0f64, 0.0f64), |(lo, hi), &v| (lo.min(v), hi.max(v)))
    });
    let per_row = per_row.clamp(1, panels.len().max(1));
    let grid_rows = panels.len().div_ceil(per_row).max(1) as u32;
    svg(HeatMap {
        frame: Frame {
            title: title.to_owned(),
            caption: String::new(),
            size: (
                430 * per_row as u32 + COLOUR_BAR_WIDTH,
                380 * grid_rows + 50,
            ),
        },
        x_label: x_label.to_owned(),
        y_label: y_label.to_owned(),
        panels: panels.to_vec(),
        per_row,
        scale: ColourScale::fit(lo, hi),
        decimals: 2,
        scale_title: String::new(),
        missing: "–".to_owned(),
        first_row_on_top: true,
    })
}

/// A bar chart with one group of bars per category and one bar per series in each group
/// (`series[s].1[c]` is the height of series `s` in category `c`), from 0, with a legend.
pub fn grouped_bars(
    title: &str,
    y_label: &str,
    categories: &[String],
    series: &[(String, Vec<f64>)],
) -> Result<Svg> {
    svg(BarChart {
        frame: Frame {
            title: title.to_owned(),
            caption: String::new(),
            size: (900, 480),
        },
        categories: categories.to_vec(),
        y_label: y_label.to_owned(),
        series: series
            .iter()
            .zip(PALETTE.iter().cycle())
            .map(|((label, values), &color)| BarSeries {
                label: label.clone(),
                color,
                filled: true,
                values: values.iter().copied().map(Some).collect(),
                sd: Vec::new(),
            })
            .collect(),
        right_label: String::new(),
        lines: Vec::new(),
        from_zero: true,
        legend: Legend::UpperLeft,
    })
}

/// Panels of curves side by side, each with its own axes and legend; points are marked. Build a
/// panel with [`LinePanel::new`] and add curves with [`LinePanel::curve`].
pub fn line_panels(title: &str, panels: &[LinePanel]) -> Result<Svg> {
    svg(LinePanels {
        frame: Frame {
            title: title.to_owned(),
            caption: String::new(),
            size: (460 * panels.len().max(1) as u32 + 20, 420),
        },
        panels: panels.to_vec(),
        per_row: panels.len().max(1),
        legend: Legend::UpperRight,
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
