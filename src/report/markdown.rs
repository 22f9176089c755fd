//! `REPORT.md`: per experiment family the thesis's claim, our numbers, the data they came from,
//! and whether the claim held on that data; tables inline, figures linked.

use super::claims::{check_family, deviation_ranking, verdict_counts, FAMILIES};
use super::diagnostics::diagnostics_markdown;
use super::error::{ReportError, Result};
use super::figures::{render_figure, FigureId};
use super::summary::{family_rows, provenance, summarize};
use super::tables::{build_table, TABLE_SPECS};
use super::thesis::{normalize_variant, ThesisResults};
use super::verdict::{ClaimCheck, Verdict};
use super::Metric;
use crate::experiments::FamilyId;
use crate::experiments::ResultRow;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn mark(v: Verdict) -> String {
    format!("**{}**", v.name().to_uppercase())
}

/// The claims of one family as a Markdown table.
fn claims_table(checks: &[ClaimCheck]) -> String {
    let mut t = String::from(
        "| verdict | claim | comparison | effect [95 % CI] | thesis | on | detectable |\n|---|---|---|---|---|---|---|\n",
    );
    for c in checks {
        let thesis = c.thesis_effect.map_or("–".to_owned(), |v| {
            format!("{}{v:.*}", if v >= 0.0 { "+" } else { "" }, c.decimals)
        });
        let detectable = c
            .detectable
            .map_or("–".to_owned(), |d| format!("{d:.*}", c.decimals));
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {thesis} | {} | {detectable} |",
            mark(c.verdict),
            c.claim,
            if c.comparison.is_empty() {
                "–"
            } else {
                &c.comparison
            },
            c.effect_text(),
            c.basis(),
        );
    }
    for c in checks.iter().filter(|c| !c.evidence.is_empty()) {
        let _ = writeln!(t, "\n- *{}*: {}", c.claim, c.evidence);
    }
    t
}

pub(super) fn write_report(
    rows: &[ResultRow],
    thesis: &ThesisResults,
    out_dir: &Path,
) -> Result<PathBuf> {
    std::fs::create_dir_all(out_dir).map_err(ReportError::io("creating", out_dir))?;
    let tables_dir = out_dir.join("tables");
    let mut md = String::new();
    let all: Vec<&ResultRow> = rows.iter().collect();
    let (data, profiles) = provenance(&all);
    let synthetic = rows.iter().any(|r| r.data.synthetic);

    writeln!(
        md,
        "# Reproduction report: Poulinakis (2023), chapter 8 and appendix A.2\n"
    )?;
    writeln!(
        md,
        "{} result rows. Data: {data}. Profile(s): {profiles}.\n",
        rows.len()
    )?;
    if synthetic {
        writeln!(
            md,
            "> **Synthetic stand-in data.** Rows marked `synthetic` come from generated data, not CMU-MOSEI: whether a claim holds on them says nothing about the thesis's numbers, only about this pipeline on this data.\n"
        )?;
    }
    writeln!(
        md,
        "Conventions: test-set metrics; F1 / Acc in %, Corr and MAE as they are; F1 and Acc2 are the non-zero variant (thesis 7.3). Mean ± sample std (n − 1) over seeds. \"Best of N\" is the single run with the highest test F1, and all its metrics (the thesis's table 8.2.3 reports one model per row; choosing on test F1 is optimistic). The thesis's numbers stand beside ours, with Δ = ours − thesis; they never replace ours. Verdicts: each claim is a comparison paired by seed (the same seed gives both sides the same labeled subset, initial encoder and batch order), with the mean difference and its 95 % Student-t interval over seeds; claims about single best runs use a paired bootstrap over test utterances, claims about spread an F interval of the sd ratio. **held**: the interval excludes 0 on the thesis's side; **contradicted**: it excludes 0 on the other side; **no difference**: every paired difference is exactly 0 (the sides agree in every seed, or the two runs predict alike), so the claimed effect is absent; **unresolved**: it contains 0 (then *detectable* is the smallest effect this budget finds with 80 % power); **not run**: the runs are missing. \"thesis\" is the thesis's own difference where its tables print both sides.\n"
    )?;

    // Summary table.
    let mut sections = String::new();
    writeln!(md, "## Summary\n")?;
    let verdicts = Verdict::ALL.map(Verdict::name);
    writeln!(md, "| family | what | runs | {} |", verdicts.join(" | "))?;
    writeln!(md, "|---|---|---|{}", "---|".repeat(verdicts.len()))?;
    for info in &FAMILIES {
        let mine = family_rows(rows, info.family);
        if mine.is_empty() {
            writeln!(
                md,
                "| {} | {} | not run |{}",
                info.family,
                info.title(),
                " – |".repeat(verdicts.len())
            )?;
            writeln!(sections, "## {}: {}\n", info.family, info.title())?;
            writeln!(
                sections,
                "**Not run**: the store has no rows of this family.\n"
            )?;
            writeln!(sections, "**The thesis claims.** {}\n", info.thesis_says)?;
            continue;
        }
        let checks = check_family(info.family, rows);
        let counts = verdict_counts(&checks).map(|(_, n)| n.to_string());
        writeln!(
            md,
            "| {} | {} | {} | {} |",
            info.family,
            info.title(),
            mine.len(),
            counts.join(" | ")
        )?;
        let (fdata, fprofile) = provenance(&mine);
        let seeds: BTreeSet<u64> = mine.iter().map(|r| r.seed).collect();
        writeln!(sections, "## {}: {}\n", info.family, info.title())?;
        writeln!(sections, "**The thesis claims.** {}\n", info.thesis_says)?;
        writeln!(
            sections,
            "**On which data.** {} runs, seeds {:?}. Data: {fdata}. Profile: {fprofile}.\n",
            mine.len(),
            seeds
        )?;
        writeln!(
            sections,
            "**What we measured.** {}\n",
            measured(rows, info.family, thesis)
        )?;
        writeln!(sections, "**Did the claims hold on this data?**\n")?;
        if info.family == FamilyId::Deviations {
            writeln!(
                sections,
                "Ranked by the size of the effect within each metric (largest first).\n"
            )?;
            let ranked: Vec<ClaimCheck> = deviation_ranking(&checks).into_iter().cloned().collect();
            writeln!(sections, "{}", claims_table(&ranked))?;
        } else {
            writeln!(sections, "{}", claims_table(&checks))?;
        }
        let diagnostics = diagnostics_markdown(rows, info.family);
        if !diagnostics.is_empty() {
            writeln!(sections, "**What pre-training learned.**\n\n{diagnostics}")?;
        }
        for spec in TABLE_SPECS.iter().filter(|s| info.tables.contains(&s.id)) {
            let table = build_table(rows, thesis, spec)?;
            table.write(&tables_dir)?;
            writeln!(sections, "{}", table.to_markdown()?)?;
            writeln!(sections, "CSV: [tables/{0}.csv](tables/{0}.csv)\n", spec.id)?;
        }
        for id in FigureId::ALL
            .iter()
            .filter(|f| info.figures.contains(&f.id()))
        {
            // A figure that cannot be drawn from these rows is reported, not fatal.
            match render_figure(*id, rows, thesis, out_dir) {
                Ok(fig) => writeln!(
                    sections,
                    "![Figure {0}](figures/{1}.png)\n\n*{2}* ([SVG](figures/{1}.svg))\n",
                    fig.id,
                    id.file_stem(),
                    fig.caption
                )?,
                Err(e) => writeln!(sections, "Figure {} not drawn: {e:#}.\n", id.id())?,
            }
        }
    }
    writeln!(md)?;
    md.push_str(&sections);
    let path = out_dir.join("REPORT.md");
    std::fs::write(&path, md).map_err(ReportError::io("writing", &path))?;
    Ok(path)
}

/// One line per variant (up to 12; grids are summarised) of mean F1, Acc7 and MAE.
fn measured(rows: &[ResultRow], family: FamilyId, thesis: &ThesisResults) -> String {
    let mut groups = summarize(rows, family);
    // The thesis's row order where it has a table, else the table spec's order, else by name.
    let spec = TABLE_SPECS.iter().find(|s| s.family == family);
    let rank = |variant: &str| -> usize {
        spec.and_then(|s| {
            s.thesis_table
                .and_then(|t| thesis.table(t))
                .and_then(|t| t.rank_of(variant))
                .or_else(|| {
                    s.order
                        .iter()
                        .position(|o| normalize_variant(o) == normalize_variant(variant))
                })
        })
        .unwrap_or(usize::MAX)
    };
    groups.sort_by_key(|g| rank(&g.variant));
    let variants: BTreeSet<&str> = groups.iter().map(|g| g.variant.as_str()).collect();
    if groups.len() > 12 {
        return format!(
            "{} grid points over {} variant(s) ({}); see the table below for every point.",
            groups.len(),
            variants.len(),
            variants.into_iter().collect::<Vec<_>>().join(", ")
        );
    }
    let show = |m: Metric, v: Option<f64>, s: Option<f64>| match (v, s) {
        (Some(v), Some(s)) => format!("{m} {} ± {}", m.format(v), m.format(s)),
        (Some(v), None) => format!("{m} {}", m.format(v)),
        (None, _) => format!("{m} –"),
    };
    groups
        .iter()
        .map(|g| {
            let params = if g.params.is_empty() {
                String::new()
            } else {
                format!(
                    " ({})",
                    g.params
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            format!(
                "{}{params}: {}, {}, {} (n = {})",
                g.variant,
                show(Metric::F1, g.mean.f1, g.std.f1),
                show(Metric::Acc7, g.mean.acc7, g.std.acc7),
                show(Metric::Mae, g.mean.mae, g.std.mae),
                g.n
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}
