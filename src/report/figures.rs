//! The chapter 8 / appendix A.2 figures, drawn with plotters from the result rows (no polars).
//!
//! Every figure is a pure function of the rows (and the thesis's transcribed numbers): it is
//! written as `<out>/figures/fig-<id>.svg` and `.png`, and its caption — drawn in the image and
//! returned — names the data its rows came from (the [`crate::data::DataIdentity`] line) and the
//! profile. The thesis's figures print no numbers, so the thesis's values are drawn only where one
//! of its *tables* has the same point (hollow markers / outlined bars labelled "thesis").
//!
//! | figure | family | what |
//! | --- | --- | --- |
//! | 8.3.1 | `table-8.3.2` | F1 bars (left axis) + Acc7 line (right axis) per chain, mean over seeds |
//! | 8.4.1 / 8.4.2 | `fig-8.4` | six metric panels vs labeled fraction (log x); best run / mean |
//! | 8.5.1 | `fig-8.5.1` | six metric panels vs mask %, one line per P_apply (★ fine-tuned, ▲ linear) |
//! | 8.5.2–8.5.4, A.2.1–A.2.3 | `fig-8.5.2` | heat maps of one metric, one panel per strategy |
//! | A.2.4 | `fig-A.2.4` | six metric panels vs stream-1 P_apply, one line per stream-2 P_apply |

use super::fonts::{ensure_fonts, FONT};
use super::metric::{Metric, MetricValues};
use super::summary::{family_rows, provenance, summarize, GroupSummary};
use super::thesis::{normalize_variant, ThesisResults};
use crate::experiments::{FamilyId, ResultRow};
use anyhow::{anyhow, bail, Context, Result};
use plotters::coord::Shift;
use plotters::drawing::DrawingAreaErrorKind;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::{Path, PathBuf};

/// Where a rendered figure went.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureInfo {
    /// Figure number, e.g. `8.3.1` or `A.2.4`.
    pub id: String,
    /// The caption drawn under the figure (data identity and profile included).
    pub caption: String,
    /// The SVG file.
    pub svg_path: PathBuf,
    /// The PNG file.
    pub png_path: PathBuf,
}

/// A figure rendered to an SVG string (for notebooks: display it inline).
#[derive(Debug, Clone, PartialEq)]
pub struct SvgFigure {
    /// Figure number.
    pub id: String,
    /// The caption drawn under the figure.
    pub caption: String,
    /// The SVG document.
    pub svg: String,
}

/// The figures this module draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureId {
    /// Figure 8.3.1: F1 bars and Acc7 line per transformation chain.
    Fig8_3_1,
    /// Figure 8.4.1: reduced labeled data, best run of the seeds.
    Fig8_4_1,
    /// Figure 8.4.2: reduced labeled data, mean over the seeds.
    Fig8_4_2,
    /// Figure 8.5.1: single-stream masking, P_apply × mask %.
    Fig8_5_1,
    /// Double-stream masking heat maps of one metric: 8.5.2 (F1), 8.5.3 (Acc7), 8.5.4 (MAE),
    /// A.2.1 (Acc2), A.2.2 (Acc5), A.2.3 (Corr).
    DoubleMasking(Metric),
    /// Figure A.2.4: SeqAug P_apply of each stream.
    FigA2_4,
}

impl FigureId {
    /// Every figure, in the thesis's order.
    pub const ALL: [FigureId; 11] = [
        FigureId::Fig8_3_1,
        FigureId::Fig8_4_1,
        FigureId::Fig8_4_2,
        FigureId::Fig8_5_1,
        FigureId::DoubleMasking(Metric::F1),
        FigureId::DoubleMasking(Metric::Acc7),
        FigureId::DoubleMasking(Metric::Mae),
        FigureId::DoubleMasking(Metric::Acc2),
        FigureId::DoubleMasking(Metric::Acc5),
        FigureId::DoubleMasking(Metric::Corr),
        FigureId::FigA2_4,
    ];

    /// The thesis's figure number.
    pub fn id(self) -> &'static str {
        match self {
            FigureId::Fig8_3_1 => "8.3.1",
            FigureId::Fig8_4_1 => "8.4.1",
            FigureId::Fig8_4_2 => "8.4.2",
            FigureId::Fig8_5_1 => "8.5.1",
            FigureId::DoubleMasking(m) => match m {
                Metric::F1 => "8.5.2",
                Metric::Acc7 => "8.5.3",
                Metric::Mae => "8.5.4",
                Metric::Acc2 => "A.2.1",
                Metric::Acc5 => "A.2.2",
                Metric::Corr => "A.2.3",
            },
            FigureId::FigA2_4 => "A.2.4",
        }
    }

    /// The experiment family whose rows it draws.
    pub fn family(self) -> FamilyId {
        match self {
            FigureId::Fig8_3_1 => FamilyId::Table8_3_2,
            FigureId::Fig8_4_1 | FigureId::Fig8_4_2 => FamilyId::Fig8_4,
            FigureId::Fig8_5_1 => FamilyId::Fig8_5_1,
            FigureId::DoubleMasking(_) => FamilyId::Fig8_5_2,
            FigureId::FigA2_4 => FamilyId::FigA2_4,
        }
    }

    /// File name without extension, e.g. `fig-8.3.1`.
    pub fn file_stem(self) -> String {
        format!("fig-{}", self.id())
    }
}

/// Renders figure `id` from `rows` into `<out_dir>/figures/` as SVG and PNG.
pub fn render_figure(
    id: FigureId,
    rows: &[ResultRow],
    thesis: &ThesisResults,
    out_dir: &Path,
) -> Result<FigureInfo> {
    let fig = prepare(id, rows, thesis)?;
    let dir = out_dir.join("figures");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let svg_path = dir.join(format!("{}.svg", id.file_stem()));
    let png_path = dir.join(format!("{}.png", id.file_stem()));
    ensure_fonts();
    {
        let root = SVGBackend::new(&svg_path, fig.frame().size).into_drawing_area();
        fig.draw(&root)
            .map_err(|e| anyhow!("drawing {}: {e}", svg_path.display()))?;
        root.present()
            .map_err(|e| anyhow!("writing {}: {e}", svg_path.display()))?;
    }
    {
        let root = BitMapBackend::new(&png_path, fig.frame().size).into_drawing_area();
        fig.draw(&root)
            .map_err(|e| anyhow!("drawing {}: {e}", png_path.display()))?;
        root.present()
            .map_err(|e| anyhow!("writing {}: {e}", png_path.display()))?;
    }
    Ok(FigureInfo {
        id: id.id().to_owned(),
        caption: fig.frame().caption.clone(),
        svg_path,
        png_path,
    })
}

/// Renders figure `id` to an SVG string (nothing is written to disk).
pub fn render_svg_string(
    id: FigureId,
    rows: &[ResultRow],
    thesis: &ThesisResults,
) -> Result<SvgFigure> {
    let fig = prepare(id, rows, thesis)?;
    ensure_fonts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, fig.frame().size).into_drawing_area();
        fig.draw(&root).map_err(|e| anyhow!("drawing SVG: {e}"))?;
        root.present().map_err(|e| anyhow!("finishing SVG: {e}"))?;
    }
    Ok(SvgFigure {
        id: id.id().to_owned(),
        caption: fig.frame().caption.clone(),
        svg,
    })
}

/// Renders every figure whose family has rows; figures of families without rows are skipped.
pub fn render_all_figures(
    rows: &[ResultRow],
    thesis: &ThesisResults,
    out_dir: &Path,
) -> Result<Vec<FigureInfo>> {
    let mut out = Vec::new();
    for id in FigureId::ALL {
        if rows.iter().any(|r| r.family == id.family()) {
            out.push(render_figure(id, rows, thesis, out_dir)?);
        }
    }
    Ok(out)
}

/// Figure 8.3.1: F1 (bars, left axis) and Acc7 (line, right axis) per transformation chain,
/// mean over seeds, supervised as "None"; the thesis's table 8.3.2 values beside ours.
pub fn figure_8_3_1(
    rows: &[ResultRow],
    thesis: &ThesisResults,
    out_dir: &Path,
) -> Result<FigureInfo> {
    render_figure(FigureId::Fig8_3_1, rows, thesis, out_dir)
}

/// Figure 8.4.1: six metric panels against the labeled fraction, best run of the seeds.
pub fn figure_8_4_1(
    rows: &[ResultRow],
    thesis: &ThesisResults,
    out_dir: &Path,
) -> Result<FigureInfo> {
    render_figure(FigureId::Fig8_4_1, rows, thesis, out_dir)
}

/// Figure 8.4.2: six metric panels against the labeled fraction, mean over the seeds.
pub fn figure_8_4_2(
    rows: &[ResultRow],
    thesis: &ThesisResults,
    out_dir: &Path,
) -> Result<FigureInfo> {
    render_figure(FigureId::Fig8_4_2, rows, thesis, out_dir)
}

/// Figure 8.5.1: single-stream masking, metric panels against mask %, one line per P_apply.
pub fn figure_8_5_1(
    rows: &[ResultRow],
    thesis: &ThesisResults,
    out_dir: &Path,
) -> Result<FigureInfo> {
    render_figure(FigureId::Fig8_5_1, rows, thesis, out_dir)
}

/// Double-stream masking heat maps of `metric` (figures 8.5.2–8.5.4, A.2.1–A.2.3).
pub fn figure_double_masking(
    rows: &[ResultRow],
    thesis: &ThesisResults,
    metric: Metric,
    out_dir: &Path,
) -> Result<FigureInfo> {
    render_figure(FigureId::DoubleMasking(metric), rows, thesis, out_dir)
}

/// Figure A.2.4: SeqAug, metric panels against stream-1 P_apply, one line per stream-2 P_apply.
pub fn figure_a_2_4(
    rows: &[ResultRow],
    thesis: &ThesisResults,
    out_dir: &Path,
) -> Result<FigureInfo> {
    render_figure(FigureId::FigA2_4, rows, thesis, out_dir)
}

// ---------------------------------------------------------------------------------------------
// Figure data, computed from the rows before anything is drawn.

type DrawResult<DB> =
    std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Title, caption and pixel size of a figure.
struct Frame {
    title: String,
    caption: String,
    size: (u32, u32),
}

enum Prepared {
    Bars(BarsFig),
    Panels(PanelsFig),
    Heat(HeatFig),
}

impl Prepared {
    fn frame(&self) -> &Frame {
        match self {
            Prepared::Bars(f) => &f.frame,
            Prepared::Panels(f) => &f.frame,
            Prepared::Heat(f) => &f.frame,
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let body = draw_frame(root, self.frame())?;
        match self {
            Prepared::Bars(f) => draw_bars(&body, f),
            Prepared::Panels(f) => draw_panels(&body, f),
            Prepared::Heat(f) => draw_heat(&body, f),
        }
    }
}

fn prepare(id: FigureId, rows: &[ResultRow], thesis: &ThesisResults) -> Result<Prepared> {
    let family = id.family();
    let mine = family_rows(rows, family);
    if mine.is_empty() {
        bail!(
            "figure {}: no rows of family `{family}` (run the experiment first)",
            id.id()
        );
    }
    let (data, profile) = provenance(&mine);
    let n_runs = mine.len();
    let what = |text: &str| -> String {
        format!(
            "Figure {} (ours): {text} Runs: {n_runs}. Data: {data}. Profile: {profile}.",
            id.id()
        )
    };
    let groups = summarize(rows, family);
    Ok(match id {
        FigureId::Fig8_3_1 => Prepared::Bars(prepare_8_3_1(&groups, thesis, &what)),
        FigureId::Fig8_4_1 | FigureId::Fig8_4_2 => Prepared::Panels(prepare_8_4(
            &groups,
            thesis,
            id == FigureId::Fig8_4_1,
            &what,
        )),
        FigureId::Fig8_5_1 => Prepared::Panels(prepare_8_5_1(&groups, thesis, &what)?),
        FigureId::DoubleMasking(metric) => {
            Prepared::Heat(prepare_heat(&groups, metric, id, &what)?)
        }
        FigureId::FigA2_4 => Prepared::Panels(prepare_a_2_4(&groups, thesis, &what)?),
    })
}

/// Tableau-10 colours: the series colours of every figure (also the notebooks').
pub(crate) const PALETTE: [RGBColor; 10] = [
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
const GREY: RGBColor = RGBColor(110, 110, 110);
const THESIS_RED: RGBColor = RGBColor(214, 39, 40);

#[derive(Debug, Clone, Copy, PartialEq)]
enum Marker {
    Circle,
    Star,
    Triangle,
    /// Hollow circle: a thesis value.
    Hollow,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Line {
    Solid,
    Dashed,
    Dotted,
    None,
}

/// One line of a metric-panel figure: x and the six metrics at each point.
struct Series {
    label: String,
    color: RGBColor,
    marker: Marker,
    line: Line,
    points: Vec<(f64, MetricValues)>,
}

/// A horizontal reference line (a baseline) on every panel.
struct HLine {
    label: String,
    color: RGBColor,
    line: Line,
    values: MetricValues,
}

struct PanelsFig {
    frame: Frame,
    x_label: String,
    log_x: bool,
    percent_x: bool,
    series: Vec<Series>,
    hlines: Vec<HLine>,
}

struct Bar {
    label: String,
    f1: Option<f64>,
    f1_std: Option<f64>,
    acc7: Option<f64>,
    thesis_f1: Option<f64>,
    thesis_acc7: Option<f64>,
}

struct BarsFig {
    frame: Frame,
    bars: Vec<Bar>,
}

struct HeatPanel {
    title: String,
    xs: Vec<f64>,
    ys: Vec<f64>,
    /// Row-major over (y, x): `cells[yi * xs.len() + xi]`.
    cells: Vec<Option<f64>>,
}

struct HeatFig {
    frame: Frame,
    metric: Metric,
    panels: Vec<HeatPanel>,
    range: (f64, f64),
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
) -> BarsFig {
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
    let bars = ordered
        .iter()
        .map(|g| {
            let row = table.and_then(|t| t.row_for(&g.variant));
            Bar {
                label: chain_label(&g.variant),
                f1: g.mean.f1,
                f1_std: g.std.f1,
                acc7: g.mean.acc7,
                thesis_f1: row.and_then(|r| r.values.f1),
                thesis_acc7: row.and_then(|r| r.values.acc7),
            }
        })
        .collect();
    BarsFig {
        frame: Frame {
            title: "Figure 8.3.1 (ours): F1 (bars, left axis) and Acc7 (red line, right axis) per transformation chain"
                .to_owned(),
            caption: what(
                "F1 bars (left axis, whiskers: ± sample std) and Acc7 line (right axis), mean over seeds, per SSL transformation chain in order of application; \"None\" is the supervised model. Outlined bars and hollow red circles: the thesis's table 8.3.2.",
            ),
            size: (1400, 820),
        },
        bars,
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
) -> PanelsFig {
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
        let mut points: Vec<(f64, MetricValues)> = list
            .iter()
            .map(|g| {
                let x = g.param("fraction").unwrap_or(f64::NAN);
                (x, if best { g.best } else { g.mean })
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
            thesis_points.push(Series {
                label: format!("thesis: {label} at 100 %"),
                color,
                marker: Marker::Hollow,
                line: Line::None,
                points: vec![(full, row.values)],
            });
        }
        series.push(Series {
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
        ("8.4.2", "mean over the seeds", "8.2.2 and 8.2.4")
    };
    PanelsFig {
        frame: Frame {
            title: format!("Figure {id} (ours): models trained on reduced labeled data, {stat}"),
            caption: what(&format!(
                "Six metrics against the labeled fraction of the training set (log x), {stat}; SSL always pre-trains on all unlabeled training data. Hollow circles at 100 %: the thesis's table {tables} (its figures print no numbers)."
            )),
            size: (1600, 1000),
        },
        x_label: "labeled fraction of the training set".to_owned(),
        log_x: true,
        percent_x: !percent_scale,
        series,
        hlines: Vec::new(),
    }
}

fn supervised_hlines(groups: &[GroupSummary], thesis: &ThesisResults) -> Vec<HLine> {
    let mut out = Vec::new();
    if let Some(g) = groups
        .iter()
        .find(|g| normalize_variant(&g.variant) == "supervised")
    {
        out.push(HLine {
            label: format!("supervised (ours, mean of {})", g.n),
            color: BLACK,
            line: Line::Dashed,
            values: g.mean,
        });
    }
    if let Some(row) = thesis.table("8.2.2").and_then(|t| t.row_for("supervised")) {
        out.push(HLine {
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
) -> Result<PanelsFig> {
    let mut p_values: Vec<f64> = groups.iter().filter_map(|g| g.param("p_apply")).collect();
    p_values.sort_by(f64::total_cmp);
    p_values.dedup();
    let mut series = Vec::new();
    for (mode, marker, name) in [
        ("finetune", Marker::Star, "fine-tuned"),
        ("linear", Marker::Triangle, "linear eval"),
    ] {
        for (pi, &p) in p_values.iter().enumerate() {
            let mut points: Vec<(f64, MetricValues)> = groups
                .iter()
                .filter(|g| normalize_variant(&g.variant) == mode && g.param("p_apply") == Some(p))
                .filter_map(|g| Some((g.param("mask_pct")?, g.mean)))
                .collect();
            if points.is_empty() {
                continue;
            }
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            series.push(Series {
                label: format!("{name}, P_apply = {p}"),
                color: PALETTE[pi % PALETTE.len()],
                marker,
                line: Line::Solid,
                points,
            });
        }
    }
    if series.is_empty() {
        bail!("figure 8.5.1: no `finetune` / `linear` rows with params `p_apply` and `mask_pct`");
    }
    // The registry stores mask percentages as fractions (0.7 = 70 %).
    let fractions = groups
        .iter()
        .filter_map(|g| g.param("mask_pct"))
        .all(|v| v <= 1.0);
    Ok(PanelsFig {
        frame: Frame {
            title: "Figure 8.5.1 (ours): single-stream masking (stream 2 never masked), mean over seeds".to_owned(),
            caption: what(
                "Six metrics against the mask percentage of stream 1, one colour per P_apply; stars: SSL pre-trained and fine-tuned, triangles: SSL linear evaluation; dashed black: our supervised baseline; dotted grey: the thesis's supervised mean (table 8.2.2).",
            ),
            size: (1600, 1000),
        },
        x_label: "mask % (stream 1)".to_owned(),
        log_x: false,
        percent_x: fractions,
        series,
        hlines: supervised_hlines(groups, thesis),
    })
}

fn prepare_a_2_4(
    groups: &[GroupSummary],
    thesis: &ThesisResults,
    what: &dyn Fn(&str) -> String,
) -> Result<PanelsFig> {
    let mut p2_values: Vec<f64> = groups.iter().filter_map(|g| g.param("p2")).collect();
    p2_values.sort_by(f64::total_cmp);
    p2_values.dedup();
    let mut series = Vec::new();
    for (i, &p2) in p2_values.iter().enumerate() {
        let mut points: Vec<(f64, MetricValues)> = groups
            .iter()
            .filter(|g| g.param("p2") == Some(p2))
            .filter_map(|g| Some((g.param("p1")?, g.mean)))
            .collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        series.push(Series {
            label: format!("P_apply2 = {p2}"),
            color: PALETTE[i % PALETTE.len()],
            marker: Marker::Circle,
            line: Line::Solid,
            points,
        });
    }
    if series.is_empty() {
        bail!("figure A.2.4: no rows with params `p1` and `p2`");
    }
    // Table 8.2.2's SeqAug row used P_apply = [0.5, 0.5]: the same point.
    if let Some(row) = thesis.table("8.2.2").and_then(|t| t.row_for("ssl-seqaug")) {
        let color = p2_values
            .iter()
            .position(|&p| (p - 0.5).abs() < 1e-9)
            .map_or(BLACK, |i| PALETTE[i % PALETTE.len()]);
        series.push(Series {
            label: "thesis: P = (0.5, 0.5), table 8.2.2 SeqAug".to_owned(),
            color,
            marker: Marker::Hollow,
            line: Line::None,
            points: vec![(0.5, row.values)],
        });
    }
    let hlines = thesis
        .table("8.2.2")
        .and_then(|t| t.row_for("supervised"))
        .map(|row| HLine {
            label: "thesis: supervised (table 8.2.2)".to_owned(),
            color: GREY,
            line: Line::Dotted,
            values: row.values,
        })
        .into_iter()
        .collect();
    Ok(PanelsFig {
        frame: Frame {
            title: "Figure A.2.4 (ours): SeqAug, P_apply of each input stream, mean over seeds"
                .to_owned(),
            caption: what(
                "Six metrics of SSL pre-trained (fine-tuned) models against stream 1's P_apply, one line per stream 2's P_apply. Hollow circle: the thesis's table 8.2.2 SeqAug mean, trained with P_apply = (0.5, 0.5); dotted grey: the thesis's supervised mean.",
            ),
            size: (1600, 1000),
        },
        x_label: "P_apply of stream 1".to_owned(),
        log_x: false,
        percent_x: false,
        series,
        hlines,
    })
}

fn prepare_heat(
    groups: &[GroupSummary],
    metric: Metric,
    id: FigureId,
    what: &dyn Fn(&str) -> String,
) -> Result<HeatFig> {
    let order = ["low-low", "medium-medium", "high-high", "high-low"];
    let usable: Vec<GroupSummary> = groups
        .iter()
        .filter(|g| g.param("mask_pct_1").is_some() && g.param("mask_pct_2").is_some())
        .cloned()
        .collect();
    if usable.is_empty() {
        bail!(
            "figure {}: no rows with params `mask_pct_1` and `mask_pct_2`",
            id.id()
        );
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
        panels.push(HeatPanel {
            title,
            xs,
            ys,
            cells,
        });
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
    Ok(HeatFig {
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
        metric,
        panels,
        range: (lo, hi),
    })
}

// ---------------------------------------------------------------------------------------------
// Drawing.

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

/// White background, title on top, wrapped caption at the bottom; returns the body area.
fn draw_frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    frame: &Frame,
) -> std::result::Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
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

/// Draws `line` through `points` (data coordinates) on `chart`.
fn draw_line<DB: DrawingBackend, CT: CoordTranslate<From = (f64, f64)>>(
    chart: &mut ChartContext<'_, DB, CT>,
    points: &[(f64, f64)],
    color: RGBColor,
    line: Line,
) -> DrawResult<DB> {
    match line {
        Line::Solid => {
            chart.draw_series(LineSeries::new(
                points.iter().copied(),
                line_style(color, 2),
            ))?;
        }
        Line::Dashed => {
            chart.draw_series(DashedLineSeries::new(
                points.iter().copied(),
                10,
                6,
                line_style(color, 2),
            ))?;
        }
        Line::Dotted => {
            chart.draw_series(DashedLineSeries::new(
                points.iter().copied(),
                3,
                4,
                line_style(color, 2),
            ))?;
        }
        Line::None => {}
    }
    Ok(())
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

/// Draws `marker` at each of `points` (data coordinates) on `chart`.
fn draw_markers<DB: DrawingBackend, CT: CoordTranslate<From = (f64, f64)>>(
    chart: &mut ChartContext<'_, DB, CT>,
    points: &[(f64, f64)],
    color: RGBColor,
    marker: Marker,
) -> DrawResult<DB> {
    let filled = color.filled();
    match marker {
        Marker::Circle => {
            chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, filled)))?;
        }
        Marker::Hollow => {
            chart.draw_series(
                points
                    .iter()
                    .map(|&p| Circle::new(p, 8, line_style(color, 2))),
            )?;
        }
        Marker::Triangle => {
            chart.draw_series(points.iter().map(|&p| TriangleMarker::new(p, 6, filled)))?;
        }
        Marker::Star => {
            chart.draw_series(
                points
                    .iter()
                    .map(|&p| EmptyElement::at(p) + Polygon::new(star(8), filled)),
            )?;
        }
    }
    Ok(())
}

/// One legend entry: a line sample, a marker and a label, drawn in pixel coordinates.
struct LegendEntry {
    label: String,
    color: RGBColor,
    marker: Option<Marker>,
    line: Line,
    /// Draw an outlined (hollow) box instead of a line, for bar legends.
    bar: Option<bool>,
}

fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    top: i32,
) -> DrawResult<DB> {
    let step = 24;
    for (i, e) in entries.iter().enumerate() {
        let y = top + i as i32 * step;
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
        let c = ((x0 + x1) / 2, y);
        let filled = e.color.filled();
        match e.marker {
            Some(Marker::Circle) => area.draw(&Circle::new(c, 4, filled))?,
            Some(Marker::Hollow) => area.draw(&Circle::new(c, 8, line_style(e.color, 2)))?,
            Some(Marker::Triangle) => area.draw(&TriangleMarker::new(c, 6, filled))?,
            Some(Marker::Star) => {
                area.draw(&(EmptyElement::at(c) + Polygon::new(star(8), filled)))?
            }
            None => {}
        }
        area.draw(&Text::new(
            e.label.clone(),
            (x1 + 8, y),
            text_style(13.0).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
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

fn draw_bars<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, fig: &BarsFig) -> DrawResult<DB> {
    let (w, _) = area.dim_in_pixel();
    let (plot, legend) = area.split_horizontally(w as i32 - 300);
    let n = fig.bars.len().max(1);
    let f1_values = fig.bars.iter().flat_map(|b| {
        [
            b.f1.map(|v| v + b.f1_std.unwrap_or(0.0)),
            b.f1.map(|v| v - b.f1_std.unwrap_or(0.0)),
            b.thesis_f1,
        ]
        .into_iter()
        .flatten()
    });
    let (f1_lo, f1_hi) = padded(f1_values);
    let (acc_lo, acc_hi) = padded(
        fig.bars
            .iter()
            .flat_map(|b| [b.acc7, b.thesis_acc7].into_iter().flatten()),
    );
    let x_range = -0.5..(n as f64 - 0.5);
    let labels: Vec<String> = fig.bars.iter().map(|b| b.label.clone()).collect();
    let mut chart = ChartBuilder::on(&plot)
        .margin(15)
        .x_label_area_size(200)
        .y_label_area_size(70)
        .right_y_label_area_size(70)
        .build_cartesian_2d(x_range.clone(), f1_lo..f1_hi)?
        .set_secondary_coord(x_range, acc_lo..acc_hi);
    // Chain names are long: the mesh draws ticks only, the names are drawn below, rotated.
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n)
        .x_label_formatter(&|_| String::new())
        .y_desc("F1 (%)")
        .y_label_style(text_style(13.0))
        .axis_desc_style(text_style(15.0))
        .draw()?;
    chart
        .configure_secondary_axes()
        .y_desc("Acc7 (%)")
        .label_style(text_style(13.0).color(&THESIS_RED))
        .axis_desc_style(text_style(15.0).color(&THESIS_RED))
        .draw()?;
    let base = plot.get_base_pixel();
    for (i, label) in labels.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(i as f64, f1_lo));
        plot.draw(&Text::new(
            label.clone(),
            (px - base.0, py - base.1 + 10),
            text_style(13.0)
                .transform(FontTransform::Rotate90)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    let ours = PALETTE[0];
    for (i, b) in fig.bars.iter().enumerate() {
        let x = i as f64;
        if let Some(v) = b.f1 {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.38, f1_lo), (x, v)],
                ours.mix(0.85).filled(),
            )))?;
            if let Some(s) = b.f1_std {
                let c = x - 0.19;
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(c, v - s), (c, v + s)],
                    line_style(BLACK, 1),
                )))?;
            }
        }
        if let Some(t) = b.thesis_f1 {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x, f1_lo), (x + 0.38, t)],
                line_style(GREY, 2),
            )))?;
        }
    }
    let acc: Vec<(f64, f64)> = fig
        .bars
        .iter()
        .enumerate()
        .filter_map(|(i, b)| Some((i as f64 - 0.19, b.acc7?)))
        .collect();
    chart.draw_secondary_series(LineSeries::new(
        acc.iter().copied(),
        line_style(THESIS_RED, 2),
    ))?;
    chart.draw_secondary_series(acc.iter().map(|&p| Circle::new(p, 4, THESIS_RED.filled())))?;
    let thesis_acc: Vec<(f64, f64)> = fig
        .bars
        .iter()
        .enumerate()
        .filter_map(|(i, b)| Some((i as f64 + 0.19, b.thesis_acc7?)))
        .collect();
    chart.draw_secondary_series(
        thesis_acc
            .iter()
            .map(|&p| Circle::new(p, 7, line_style(THESIS_RED, 2))),
    )?;
    let entries = vec![
        LegendEntry {
            label: "F1, ours (mean ± std)".to_owned(),
            color: ours,
            marker: None,
            line: Line::None,
            bar: Some(true),
        },
        LegendEntry {
            label: "F1, thesis (table 8.3.2)".to_owned(),
            color: GREY,
            marker: None,
            line: Line::None,
            bar: Some(false),
        },
        LegendEntry {
            label: "Acc7, ours (mean)".to_owned(),
            color: THESIS_RED,
            marker: Some(Marker::Circle),
            line: Line::Solid,
            bar: None,
        },
        LegendEntry {
            label: "Acc7, thesis (table 8.3.2)".to_owned(),
            color: THESIS_RED,
            marker: Some(Marker::Hollow),
            line: Line::None,
            bar: None,
        },
    ];
    draw_legend(&legend, &entries, 40)
}

fn format_x(x: f64, percent: bool) -> String {
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

fn draw_panels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    fig: &PanelsFig,
) -> DrawResult<DB> {
    let (w, _) = area.dim_in_pixel();
    let (grid, legend) = area.split_horizontally(w as i32 - 330);
    let xs: Vec<f64> = fig
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .filter(|x| x.is_finite())
        .collect();
    for (panel, metric) in grid.split_evenly((2, 3)).iter().zip(Metric::ALL) {
        let ys = fig
            .series
            .iter()
            .flat_map(|s| s.points.iter().filter_map(move |p| p.1.get(metric)))
            .chain(fig.hlines.iter().filter_map(|h| h.values.get(metric)));
        let (y_lo, y_hi) = padded(ys);
        let title = text_style(16.0);
        if fig.log_x {
            let lo = xs.iter().copied().fold(f64::INFINITY, f64::min).max(1e-6);
            let hi = xs
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max)
                .max(lo * 1.0001);
            let x_range = (lo / 1.3..hi * 1.3).log_scale();
            let mut chart = ChartBuilder::on(panel)
                .caption(metric.label(), title)
                .margin(8)
                .x_label_area_size(40)
                .y_label_area_size(60)
                .build_cartesian_2d(x_range, y_lo..y_hi)?;
            let percent = fig.percent_x;
            // Label only the grid's own x values at 1, 2, 5 × 10^k and the largest: log ticks
            // crowd towards the top of each decade.
            let labelled = |x: f64| {
                let on_grid = xs.iter().any(|&g| (x / g - 1.0).abs() < 1e-6);
                let mantissa = x / 10f64.powf(x.log10().floor());
                let round = [1.0, 2.0, 5.0]
                    .iter()
                    .any(|m| (mantissa / m - 1.0).abs() < 1e-6);
                on_grid && (round || (x / hi - 1.0).abs() < 1e-6)
            };
            chart
                .configure_mesh()
                .x_desc(fig.x_label.as_str())
                .x_label_formatter(&|x| {
                    if labelled(*x) {
                        format_x(*x, percent)
                    } else {
                        String::new()
                    }
                })
                .y_label_formatter(&|y| metric.format(*y))
                .label_style(text_style(12.0))
                .axis_desc_style(text_style(13.0))
                .draw()?;
            draw_panel_content(&mut chart, fig, metric, (lo / 1.3, hi * 1.3))?;
        } else {
            let (lo, hi) = padded(xs.iter().copied());
            let mut chart = ChartBuilder::on(panel)
                .caption(metric.label(), title)
                .margin(8)
                .x_label_area_size(40)
                .y_label_area_size(60)
                .build_cartesian_2d(lo..hi, y_lo..y_hi)?;
            let percent = fig.percent_x;
            chart
                .configure_mesh()
                .x_desc(fig.x_label.as_str())
                .x_label_formatter(&|x| format_x(*x, percent))
                .y_label_formatter(&|y| metric.format(*y))
                .label_style(text_style(12.0))
                .axis_desc_style(text_style(13.0))
                .draw()?;
            draw_panel_content(&mut chart, fig, metric, (lo, hi))?;
        }
    }
    let mut entries: Vec<LegendEntry> = fig
        .series
        .iter()
        .map(|s| LegendEntry {
            label: s.label.clone(),
            color: s.color,
            marker: Some(s.marker),
            line: s.line,
            bar: None,
        })
        .collect();
    entries.extend(fig.hlines.iter().map(|h| LegendEntry {
        label: h.label.clone(),
        color: h.color,
        marker: None,
        line: h.line,
        bar: None,
    }));
    draw_legend(&legend, &entries, 60)
}

fn draw_panel_content<DB: DrawingBackend, CT: CoordTranslate<From = (f64, f64)>>(
    chart: &mut ChartContext<'_, DB, CT>,
    fig: &PanelsFig,
    metric: Metric,
    (x_lo, x_hi): (f64, f64),
) -> DrawResult<DB> {
    for h in &fig.hlines {
        if let Some(v) = h.values.get(metric) {
            draw_line(chart, &[(x_lo, v), (x_hi, v)], h.color, h.line)?;
        }
    }
    for s in &fig.series {
        let pts: Vec<(f64, f64)> = s
            .points
            .iter()
            .filter_map(|(x, m)| Some((*x, m.get(metric)?)))
            .filter(|(x, _)| x.is_finite())
            .collect();
        draw_line(chart, &pts, s.color, s.line)?;
        draw_markers(chart, &pts, s.color, s.marker)?;
    }
    Ok(())
}

/// Viridis, interpolated between 9 anchor colours (t in [0, 1]): the heat maps' scale.
pub(crate) fn viridis(t: f64) -> RGBColor {
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

fn draw_heat<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, fig: &HeatFig) -> DrawResult<DB> {
    let (w, _) = area.dim_in_pixel();
    let (grid, bar_area) = area.split_horizontally(w as i32 - 130);
    let (lo, hi) = fig.range;
    let norm = |v: f64| (v - lo) / (hi - lo);
    let panels = grid.split_evenly((1, fig.panels.len().max(1)));
    for (panel, hp) in panels.iter().zip(&fig.panels) {
        let (nx, ny) = (hp.xs.len().max(1), hp.ys.len().max(1));
        let xs = hp.xs.clone();
        let ys = hp.ys.clone();
        let mut chart = ChartBuilder::on(panel)
            .caption(hp.title.as_str(), text_style(17.0))
            .margin(10)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.5..(nx as f64 - 0.5), -0.5..(ny as f64 - 0.5))?;
        let tick = |values: &[f64], v: f64| -> String {
            let i = v.round();
            // The registry stores mask percentages as fractions (0.7 = 70 %).
            let percent = values.iter().all(|&x| x <= 1.0);
            if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < values.len() {
                format_x(values[i as usize], percent)
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(nx)
            .y_labels(ny)
            .x_label_formatter(&|v| tick(&xs, *v))
            .y_label_formatter(&|v| tick(&ys, *v))
            .x_desc("mask % stream 1")
            .y_desc("mask % stream 2")
            .label_style(text_style(12.0))
            .axis_desc_style(text_style(13.0))
            .draw()?;
        for yi in 0..hp.ys.len() {
            for xi in 0..hp.xs.len() {
                let (x, y) = (xi as f64, yi as f64);
                let cell = [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)];
                match hp.cells[yi * hp.xs.len() + xi] {
                    Some(v) => {
                        let t = norm(v);
                        chart.draw_series(std::iter::once(Rectangle::new(
                            cell,
                            viridis(t).filled(),
                        )))?;
                        let ink = if t > 0.6 { BLACK } else { WHITE };
                        chart.draw_series(std::iter::once(Text::new(
                            fig.metric.format(v),
                            (x, y),
                            text_style(12.0)
                                .color(&ink)
                                .pos(Pos::new(HPos::Center, VPos::Center)),
                        )))?;
                    }
                    None => {
                        chart.draw_series(std::iter::once(Rectangle::new(
                            cell,
                            RGBColor(235, 235, 235).filled(),
                        )))?;
                        chart.draw_series(std::iter::once(Text::new(
                            "not run".to_owned(),
                            (x, y),
                            text_style(11.0).pos(Pos::new(HPos::Center, VPos::Center)),
                        )))?;
                    }
                }
            }
        }
    }
    // Colour bar.
    let mut bar = ChartBuilder::on(&bar_area)
        .caption(fig.metric.name(), text_style(15.0))
        .margin_top(10)
        .margin_bottom(55)
        .margin_right(10)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..1.0, lo..hi)?;
    bar.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_label_formatter(&|y| fig.metric.format(*y))
        .label_style(text_style(12.0))
        .draw()?;
    let steps = 100;
    bar.draw_series((0..steps).map(|k| {
        let a = lo + (hi - lo) * k as f64 / steps as f64;
        let b = lo + (hi - lo) * (k + 1) as f64 / steps as f64;
        Rectangle::new(
            [(0.0, a), (1.0, b)],
            viridis(k as f64 / (steps - 1) as f64).filled(),
        )
    }))?;
    Ok(())
}
