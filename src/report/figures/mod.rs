//! The chapter 8 / appendix A.2 figures, drawn with plotters from the result rows (no polars),
//! and the figure kinds the notebooks draw with the same code.
//!
//! * `prepare` turns result rows (and the thesis's transcribed numbers) into figure data;
//! * `draw` draws the generic kinds — [`HeatMap`], [`BarChart`], [`LinePanels`] — in one style
//!   (bundled font, one palette, one legend and frame); [`crate::notebook`] draws its matrices,
//!   histograms and curves with them too.
//!
//! Every chapter 8 figure is a pure function of the rows: it is written as
//! `<out>/figures/fig-<id>.svg` and `.png`, and its caption — drawn in the image and returned —
//! names the data its rows came from (the [`crate::data::DataIdentity`] line) and the profile. The
//! thesis's figures print no numbers, so the thesis's values are drawn only where one of its
//! *tables* has the same point (hollow markers / outlined bars labelled "thesis").
//!
//! | figure | family | what |
//! | --- | --- | --- |
//! | 8.3.1 | `table-8.3.2` | F1 bars (left axis) + Acc7 line (right axis) per chain, mean over seeds |
//! | 8.4.1 / 8.4.2 | `fig-8.4` | six metric panels vs labeled fraction (log x); best run / mean |
//! | 8.5.1 | `fig-8.5.1` | six metric panels vs mask %, one line per P_apply (★ fine-tuned, ▲ linear) |
//! | 8.5.2–8.5.4, A.2.1–A.2.3 | `fig-8.5.2` | heat maps of one metric, one panel per strategy |
//! | A.2.4 | `fig-A.2.4` | six metric panels vs stream-1 P_apply, one line per stream-2 P_apply |

mod draw;
mod prepare;

pub use draw::{
    BarChart, BarSeries, ColourScale, Figure, Frame, HLine, HeatMap, HeatPanel, Legend, Line,
    LinePanel, LinePanels, Marker, Point, RightLine, Series, COLOUR_BAR_WIDTH, PALETTE,
};

use super::metric::Metric;
use super::thesis::ThesisResults;
use crate::experiments::{FamilyId, ResultRow};
use crate::report::error::{ReportError, Result};
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
    /// Not in the thesis: the `objectives` family, metrics against the labeled fraction per
    /// pre-training objective (fine-tuned and linear-evaluated).
    Objectives,
}

impl FigureId {
    /// Every figure, in the thesis's order (then the ones beyond it).
    pub const ALL: [FigureId; 12] = [
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
        FigureId::Objectives,
    ];

    /// The thesis's figure number (`objectives` for the figure beyond it).
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
            FigureId::Objectives => "objectives",
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
            FigureId::Objectives => FamilyId::Objectives,
        }
    }

    /// File name without extension, e.g. `fig-8.3.1`.
    pub fn file_stem(self) -> String {
        format!("fig-{}", self.id())
    }
}

/// The data of figure `id` drawn from `rows`, before anything is drawn (to inspect or restyle);
/// an error when its family has no usable rows.
pub fn figure_data(id: FigureId, rows: &[ResultRow], thesis: &ThesisResults) -> Result<Figure> {
    prepare::prepare(id, rows, thesis)
}

/// Renders figure `id` from `rows` into `<out_dir>/figures/` as SVG and PNG.
pub fn render_figure(
    id: FigureId,
    rows: &[ResultRow],
    thesis: &ThesisResults,
    out_dir: &Path,
) -> Result<FigureInfo> {
    let fig = figure_data(id, rows, thesis)?;
    let dir = out_dir.join("figures");
    std::fs::create_dir_all(&dir).map_err(ReportError::io("creating", &dir))?;
    let svg_path = dir.join(format!("{}.svg", id.file_stem()));
    let png_path = dir.join(format!("{}.png", id.file_stem()));
    fig.write(&svg_path, &png_path)?;
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
    let fig = figure_data(id, rows, thesis)?;
    Ok(SvgFigure {
        id: id.id().to_owned(),
        caption: fig.frame().caption.clone(),
        svg: fig.svg()?,
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
