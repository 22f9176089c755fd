//! The dispatch from a figure id to its preparation, and the row grouping the figures share.

use super::super::draw::Figure;
use super::super::FigureId;
use super::bars::prepare_8_3_1;
use super::heat::prepare_heat;
use super::lines::{prepare_8_4, prepare_8_5_1, prepare_a_2_4, prepare_objectives};
use crate::experiments::ResultRow;
use crate::report::error::{ReportError, Result};
use crate::report::summary::{family_rows, provenance, summarize, GroupSummary};
use crate::report::thesis::{normalize_variant, ThesisResults};

/// The data of figure `id` drawn from `rows`; an error when its family has no usable rows.
pub(in crate::report::figures) fn prepare(
    id: FigureId,
    rows: &[ResultRow],
    thesis: &ThesisResults,
) -> Result<Figure> {
    let family = id.family();
    let mine = family_rows(rows, family);
    if mine.is_empty() {
        return Err(ReportError::Figure(format!(
            "figure {}: no rows of family `{family}` (run the experiment first)",
            id.id()
        )));
    }
    let (data, profile) = provenance(&mine);
    let n_runs = mine.len();
    let groups = summarize(rows, family);
    let seeds = seeds_per_point(&groups);
    let what = |text: &str| -> String {
        format!(
            "Figure {} (ours): {text} Runs: {n_runs}, {seeds}. Data: {data}. Profile: {profile}.",
            id.id()
        )
    };
    Ok(match id {
        FigureId::Fig8_3_1 => prepare_8_3_1(&groups, thesis, &what).into(),
        FigureId::Fig8_4_1 | FigureId::Fig8_4_2 => {
            prepare_8_4(&groups, thesis, id == FigureId::Fig8_4_1, &what).into()
        }
        FigureId::Fig8_5_1 => prepare_8_5_1(&groups, thesis, &what)?.into(),
        FigureId::DoubleMasking(metric) => prepare_heat(&groups, metric, id, &what)?.into(),
        FigureId::FigA2_4 => prepare_a_2_4(&groups, thesis, &what)?.into(),
        FigureId::Objectives => prepare_objectives(&groups, &what).into(),
    })
}

/// "seeds per point: 5" (or "1–5" when points differ; whiskers need at least 2): how many runs
/// each mean and whisker of a figure rests on.
fn seeds_per_point(groups: &[GroupSummary]) -> String {
    let lo = groups.iter().map(|g| g.n).min().unwrap_or(0);
    let hi = groups.iter().map(|g| g.n).max().unwrap_or(0);
    let count = if lo == hi {
        lo.to_string()
    } else {
        format!("{lo}–{hi}")
    };
    let whiskers = if hi < 2 {
        " (one seed: no whiskers)"
    } else {
        ""
    };
    format!("seeds per point: {count}{whiskers}")
}

/// Groups by variant, keeping the order of first appearance in a preferred list.
pub(super) fn by_variant<'a>(
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
