//! Tables, figures and the reproduction report of chapter 8 / appendix A.2, built from the rows
//! of the results store ([`crate::experiments::ResultRow`]).
//!
//! * [`thesis`] — the thesis's published numbers (tables 5.4.1, 5.4.2, 8.2.2, 8.2.3, 8.2.4,
//!   8.3.2), transcribed once into the embedded `thesis_results.toml`;
//! * [`summary`] — plain-Rust aggregation over seeds (mean, sample std, best run);
//! * [`figures`] — the figures (plotters, bundled font; SVG and PNG; always available), drawn
//!   from generic figure kinds that the notebooks' figures ([`crate::notebook`]) use too;
//! * [`tables`] — polars tables with the thesis's values and ours − thesis (feature `reports`);
//! * [`stats`] — Student-t intervals, paired bootstrap, detectable effects;
//! * [`verdict`] — held / contradicted / unresolved from seed-paired intervals;
//! * [`ceiling`] — the stand-in's oracle ceiling as reference rows of the tables;
//! * [`claims`] — the thesis's claims per family and their check on our rows;
//! * [`diagnostics`] — what each pre-training learned (loss terms, collapse, displacement, probe);
//! * [`write_report`] — `REPORT.md` with tables, figures and claims (feature `reports`).
//!
//! Conventions: test-set metrics in the thesis's units (F1 / Acc in %, Corr, MAE), F1 and Acc2
//! the non-zero variant (thesis 7.3); std is the sample std (n − 1); "best of N" is the run with
//! the highest test F1, all its metrics ([`best_run`] says why).

pub mod ceiling;
pub mod claims;
pub mod diagnostics;
mod error;
pub mod figures;
pub mod fonts;
pub mod metric;
pub mod stats;
pub mod summary;
#[cfg(feature = "reports")]
pub mod tables;
pub mod thesis;
pub mod verdict;

#[cfg(feature = "reports")]
mod markdown;

pub use claims::{check_family, family_info, verdict_counts, FamilyInfo, FAMILIES};
pub use diagnostics::{
    diagnostics_cells, pretrain_diagnostics, DiagnosticsRow, DIAGNOSTICS_HEADER,
};
pub use error::{ReportError, Result};
pub use figures::{
    figure_8_3_1, figure_8_4_1, figure_8_4_2, figure_8_5_1, figure_a_2_4, figure_data,
    figure_double_masking, render_all_figures, render_figure, render_svg_string, Figure, FigureId,
    FigureInfo, SvgFigure,
};
pub use metric::{Metric, MetricValues};
pub use summary::{best_run, mean_std, provenance, summarize, GroupSummary};
pub use thesis::{normalize_variant, Statistic, ThesisResults, ThesisRow, ThesisTable};
pub use verdict::{ClaimCheck, Quantity, Side, Verdict};

use crate::experiments::ResultRow;
use std::path::{Path, PathBuf};

/// Writes `<out_dir>/REPORT.md` with the tables (`<out_dir>/tables/*.csv|md`), the figures
/// (`<out_dir>/figures/*.svg|png`) and, per experiment family, what the thesis claimed, what we
/// measured, on which data, and whether the claim held; families without rows are "not run".
/// Returns the path of `REPORT.md`.
#[cfg(feature = "reports")]
pub fn write_report(rows: &[ResultRow], out_dir: &Path) -> Result<PathBuf> {
    markdown::write_report(rows, ThesisResults::embedded(), out_dir)
}

/// Without the `reports` feature there are no tables, hence no report: build with
/// `--features reports` (figures work either way, see [`render_all_figures`]).
#[cfg(not(feature = "reports"))]
pub fn write_report(rows: &[ResultRow], out_dir: &Path) -> Result<PathBuf> {
    let _ = (rows, out_dir);
    Err(ReportError::NoTables)
}
