//! Result tables with polars (feature `reports`): per experiment family a DataFrame grouped by
//! (variant, params) with the mean, sample std (n − 1) and count over seeds, and the best run of
//! the seeds ([`crate::report::best_run`]: highest test F1, all its metrics), with the thesis's
//! published values in adjacent columns and the difference ours − thesis. Each table is written
//! as `<out>/tables/<id>.csv` (every column) and `<out>/tables/<id>.md` (readable: for each
//! variant a row of ours, a row of the thesis's and a row of differences).
//!
//! Metrics are in the thesis's units (F1 / Acc in %, Corr, MAE; F1 / Acc2 non-zero, thesis 7.3).
//! The figures compute the same aggregates in plain Rust ([`crate::report::summarize`]); a test
//! checks that both agree.

use super::ceiling::{test_ceiling, Reference};
use super::error::{ReportError, Result};
use super::metric::Metric;
use super::stats::student_t_quantile;
use super::thesis::{normalize_variant, ThesisResults, ThesisTable};
use super::verdict::LEVEL;
use crate::experiments::{FamilyId, ResultRow};
use polars::prelude::{
    col, len, Column, CsvWriter, DataFrame, DataType, Expr, IntoLazy, SerWriter,
    SortMultipleOptions,
};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Which statistic a table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Mean ± sample std over seeds (tables 8.2.2, 8.2.4, 8.3.2; figure 8.4.2 and the grids).
    Mean,
    /// The best run of the seeds (table 8.2.3, figure 8.4.1).
    Best,
}

/// A table the report builds: which family, which statistic, which thesis table beside it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TableSpec {
    /// Table id and file stem, e.g. `table-8.2.3`.
    pub id: &'static str,
    /// Experiment family whose rows it aggregates.
    pub family: FamilyId,
    /// Mean or best-of-N.
    pub view: View,
    /// The thesis table printed beside ours, if any.
    pub thesis_table: Option<&'static str>,
    /// Title line.
    pub title: &'static str,
    /// Row order for families without a thesis table (variants not listed come after, by name).
    pub order: &'static [&'static str],
}

/// Every table of chapter 8 / appendix A.2.
pub const TABLE_SPECS: [TableSpec; 11] = [
    TableSpec {
        id: "table-8.2.2",
        family: FamilyId::Table8_2_2,
        view: View::Mean,
        thesis_table: Some("8.2.2"),
        title: "Table 8.2.2: supervised vs SSL pre-trained + fine-tuned, full labels; mean ± std over seeds",
        order: &[],
    },
    TableSpec {
        id: "table-8.2.3",
        family: FamilyId::Table8_2_2,
        view: View::Best,
        thesis_table: Some("8.2.3"),
        title: "Table 8.2.3: supervised vs SSL pre-trained + fine-tuned, full labels; best run of the seeds",
        order: &[],
    },
    TableSpec {
        id: "table-8.2.4",
        family: FamilyId::Table8_2_4,
        view: View::Mean,
        thesis_table: Some("8.2.4"),
        title: "Table 8.2.4: linear evaluation (frozen encoder, head trained); mean ± std over seeds",
        order: &[],
    },
    TableSpec {
        id: "table-8.3.2",
        family: FamilyId::Table8_3_2,
        view: View::Mean,
        thesis_table: Some("8.3.2"),
        title: "Table 8.3.2: chains of transformations (in order of application); mean ± std over seeds",
        order: &[],
    },
    TableSpec {
        id: "fig-8.4.1",
        family: FamilyId::Fig8_4,
        view: View::Best,
        thesis_table: None,
        title: "Figure 8.4.1 data: reduced labeled data; best run of the seeds",
        order: &["supervised", "ssl-noise", "ssl-masking", "ssl-seqaug", "ssl-masking-linear"],
    },
    TableSpec {
        id: "fig-8.4.2",
        family: FamilyId::Fig8_4,
        view: View::Mean,
        thesis_table: None,
        title: "Figure 8.4.2 data: reduced labeled data; mean ± std over seeds",
        order: &["supervised", "ssl-noise", "ssl-masking", "ssl-seqaug", "ssl-masking-linear"],
    },
    TableSpec {
        id: "fig-8.5.1",
        family: FamilyId::Fig8_5_1,
        view: View::Mean,
        thesis_table: None,
        title: "Figure 8.5.1 data: single-stream masking; mean ± std over seeds",
        order: &["supervised", "finetune", "linear"],
    },
    TableSpec {
        id: "fig-8.5.2",
        family: FamilyId::Fig8_5_2,
        view: View::Mean,
        thesis_table: None,
        title: "Figures 8.5.2-8.5.4, A.2.1-A.2.3 data: double-stream masking; mean ± std over seeds",
        order: &["low-low", "medium-medium", "high-high", "high-low"],
    },
    TableSpec {
        id: "fig-A.2.4",
        family: FamilyId::FigA2_4,
        view: View::Mean,
        thesis_table: None,
        title: "Figure A.2.4 data: SeqAug P_apply of each stream; mean ± std over seeds",
        order: &[],
    },
    TableSpec {
        id: "ssl-lr",
        family: FamilyId::SslLr,
        view: View::Mean,
        thesis_table: None,
        title: "SSL learning rate (not in the thesis): SSL masking pre-trained at each rate, linear-evaluated and fine-tuned, beside the supervised and random-frozen baselines; mean ± std over seeds",
        order: &["supervised", "supervised-linear", "ssl-finetune", "ssl-linear"],
    },
    TableSpec {
        id: "objectives",
        family: FamilyId::Objectives,
        view: View::Mean,
        thesis_table: None,
        title: "Pre-training objectives (not in the thesis): each objective pre-trained on masking views, fine-tuned and linear-evaluated at each labeled fraction, beside supervised; mean ± std over seeds",
        order: &[
            "supervised",
            "barlow-twins",
            "instance-contrastive",
            "swav",
            "generative",
            "multimodal-contrastive",
            "barlow-twins-linear",
            "instance-contrastive-linear",
            "swav-linear",
            "generative-linear",
            "multimodal-contrastive-linear",
        ],
    },
];

/// One built table.
#[derive(Debug, Clone)]
pub struct ResultTable {
    /// The spec it was built from.
    pub spec: TableSpec,
    /// Names of the param columns (after `variant`).
    pub params: Vec<String>,
    /// The table: `variant`, params, `n`, then per metric `<m>_mean`, `<m>_std`, `<m>_ci95`
    /// (the half-width of the 95 % Student-t interval of the mean; mean view) or
    /// `<m>_best` (best view, plus `best_seed`), and with a thesis table `<m>_thesis`,
    /// `<m>_thesis_std` (mean view) and `<m>_diff` = ours − thesis.
    pub frame: DataFrame,
    /// The thesis table's rows that have no runs here (labels), listed under the Markdown table.
    pub thesis_not_run: Vec<String>,
    /// Seeds per row in the thesis table, if stated.
    pub thesis_runs: Option<u32>,
    /// On the synthetic stand-in: the oracle ceiling's rows ([`super::ceiling::test_ceiling`]).
    pub reference: Option<Reference>,
}

/// One row per run of `family`: `order` (row order), `variant`, one column per param, `seed` and
/// the six metrics in the thesis's units (null where undefined).
pub fn runs_frame(
    rows: &[ResultRow],
    family: FamilyId,
    order: &dyn Fn(&str) -> u32,
) -> Result<DataFrame> {
    let mine: Vec<&ResultRow> = rows.iter().filter(|r| r.family == family).collect();
    let params: BTreeSet<&String> = mine.iter().flat_map(|r| r.params.keys()).collect();
    let mut columns = vec![
        Column::new(
            "order".into(),
            mine.iter().map(|r| order(&r.variant)).collect::<Vec<u32>>(),
        ),
        Column::new(
            "variant".into(),
            mine.iter()
                .map(|r| r.variant.clone())
                .collect::<Vec<String>>(),
        ),
    ];
    for p in &params {
        columns.push(Column::new(
            p.as_str().into(),
            mine.iter()
                .map(|r| r.params.get(*p).copied())
                .collect::<Vec<Option<f64>>>(),
        ));
    }
    columns.push(Column::new(
        "seed".into(),
        mine.iter().map(|r| r.seed).collect::<Vec<u64>>(),
    ));
    for m in Metric::ALL {
        columns.push(Column::new(
            m.key().into(),
            mine.iter()
                .map(|r| m.of(&r.test))
                .collect::<Vec<Option<f64>>>(),
        ));
    }
    DataFrame::new(mine.len(), columns).map_err(ReportError::table("building the runs frame"))
}

/// Groups a [`runs_frame`] by (`order`, `variant`, params) into `n`, `<m>_mean`, `<m>_std`
/// (sample std, ddof = 1), `<m>_best` and `best_seed`, sorted by (`order`, `variant`, params).
pub fn aggregate(runs: DataFrame, params: &[String]) -> Result<DataFrame> {
    let keys: Vec<Expr> = ["order", "variant"]
        .iter()
        .map(|k| col(*k))
        .chain(params.iter().map(|p| col(p.as_str())))
        .collect();
    // The best run: highest F1 (nulls last), ties to the lowest seed.
    let best_order = || {
        SortMultipleOptions::default()
            .with_order_descending_multi([true, false])
            .with_nulls_last(true)
            .with_maintain_order(true)
    };
    let by = [col("f1"), col("seed")];
    let mut aggs = vec![len().cast(DataType::UInt64).alias("n")];
    for m in Metric::ALL {
        let k = m.key();
        aggs.push(col(k).mean().alias(format!("{k}_mean")));
        aggs.push(col(k).std(1).alias(format!("{k}_std")));
        aggs.push(
            col(k)
                .sort_by(by.clone(), best_order())
                .first()
                .alias(format!("{k}_best")),
        );
    }
    aggs.push(
        col("seed")
            .sort_by(by.clone(), best_order())
            .first()
            .alias("best_seed"),
    );
    runs.lazy()
        .group_by(keys.clone())
        .agg(aggs)
        .sort_by_exprs(keys, SortMultipleOptions::default().with_nulls_last(true))
        .collect()
        .map_err(ReportError::table("aggregating runs over seeds"))
}

/// Builds table `spec` from `rows` with `thesis`'s numbers beside ours.
pub fn build_table(
    rows: &[ResultRow],
    thesis: &ThesisResults,
    spec: &TableSpec,
) -> Result<ResultTable> {
    let table: Option<&ThesisTable> = spec.thesis_table.and_then(|id| thesis.table(id));
    let order = |variant: &str| -> u32 {
        let rank = match table {
            Some(t) => t.rank_of(variant),
            None => spec
                .order
                .iter()
                .position(|o| normalize_variant(o) == normalize_variant(variant)),
        };
        rank.map_or(u32::MAX, |r| r as u32)
    };
    let params: Vec<String> = rows
        .iter()
        .filter(|r| r.family == spec.family)
        .flat_map(|r| r.params.keys().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let runs = runs_frame(rows, spec.family, &order)?;
    let mut frame = aggregate(runs, &params)?;
    let variants: Vec<String> = str_column(&frame, "variant")?;
    let mut keep: Vec<String> = std::iter::once("variant".to_owned())
        .chain(params.iter().cloned())
        .chain(["n".to_owned()])
        .collect();
    if spec.view == View::Best {
        keep.push("best_seed".to_owned());
    }
    let stat = match spec.view {
        View::Mean => "mean",
        View::Best => "best",
    };
    let n = f64_column(&frame, "n")?;
    for m in Metric::ALL {
        let k = m.key();
        keep.push(format!("{k}_{stat}"));
        if spec.view == View::Mean {
            keep.push(format!("{k}_std"));
            let half: Vec<Option<f64>> = f64_column(&frame, &format!("{k}_std"))?
                .iter()
                .zip(&n)
                .map(|(sd, n)| ci_half_width((*sd)?, (*n)?))
                .collect();
            frame.with_column(Column::new(format!("{k}_ci95").into(), half))?;
            keep.push(format!("{k}_ci95"));
        }
        if let Some(t) = table {
            let value: Vec<Option<f64>> = variants
                .iter()
                .map(|v| t.row_for(v).and_then(|r| r.values.get(m)))
                .collect();
            let ours = f64_column(&frame, &format!("{k}_{stat}"))?;
            let diff: Vec<Option<f64>> = ours
                .iter()
                .zip(&value)
                .map(|(o, t)| Some((*o)? - (*t)?))
                .collect();
            frame.with_column(Column::new(format!("{k}_thesis").into(), value))?;
            keep.push(format!("{k}_thesis"));
            if spec.view == View::Mean {
                let std: Vec<Option<f64>> = variants
                    .iter()
                    .map(|v| t.row_for(v).and_then(|r| r.std_of(m)))
                    .collect();
                frame.with_column(Column::new(format!("{k}_thesis_std").into(), std))?;
                keep.push(format!("{k}_thesis_std"));
            }
            frame.with_column(Column::new(format!("{k}_diff").into(), diff))?;
            keep.push(format!("{k}_diff"));
        }
    }
    let frame = frame
        .select(keep)
        .map_err(ReportError::table("selecting the table's columns"))?;
    let thesis_not_run = table.map_or_else(Vec::new, |t| {
        t.rows
            .iter()
            .filter(|r| {
                r.variant.as_deref().is_some_and(|v| {
                    !variants
                        .iter()
                        .any(|ours| normalize_variant(ours) == normalize_variant(v))
                })
            })
            .map(|r| r.label())
            .collect()
    });
    let mine: Vec<&ResultRow> = rows.iter().filter(|r| r.family == spec.family).collect();
    Ok(ResultTable {
        spec: *spec,
        params,
        frame,
        thesis_not_run,
        thesis_runs: table.and_then(|t| t.runs),
        reference: test_ceiling(&mine),
    })
}

/// Every table of [`TABLE_SPECS`] whose family has rows (families outside chapter 8 / A.2 get
/// no table).
pub fn build_tables(rows: &[ResultRow], thesis: &ThesisResults) -> Result<Vec<ResultTable>> {
    let mut out = Vec::new();
    for spec in &TABLE_SPECS {
        if rows.iter().any(|r| r.family == spec.family) {
            out.push(build_table(rows, thesis, spec)?);
        }
    }
    Ok(out)
}

impl ResultTable {
    /// Number of (variant, params) rows.
    pub fn height(&self) -> usize {
        self.frame.height()
    }

    /// The value of column `name` in row `i` as f64 (`None` for null / NaN / missing column).
    pub fn value(&self, name: &str, i: usize) -> Option<f64> {
        f64_column(&self.frame, name)
            .ok()?
            .get(i)
            .copied()
            .flatten()
    }

    /// The variant of row `i`.
    pub fn variant(&self, i: usize) -> Option<String> {
        str_column(&self.frame, "variant").ok()?.get(i).cloned()
    }

    /// Index of the row of `variant` (first one, for grids).
    pub fn row_of(&self, variant: &str) -> Option<usize> {
        let variants = str_column(&self.frame, "variant").ok()?;
        variants
            .iter()
            .position(|v| normalize_variant(v) == normalize_variant(variant))
    }

    /// The table as CSV (every column; nulls empty; 6 decimals).
    pub fn to_csv(&self) -> Result<String> {
        let mut buf = Vec::new();
        let mut frame = self.frame.clone();
        CsvWriter::new(&mut buf)
            .with_float_precision(Some(6))
            .finish(&mut frame)
            .map_err(ReportError::table("writing CSV"))?;
        String::from_utf8(buf).map_err(|e| ReportError::Table(format!("CSV is UTF-8: {e}")))
    }

    /// The table as Markdown: a title line, then for each row ours (mean ± std, or the best run
    /// with its seed), and with a thesis table a `thesis` row and a `Δ` (ours − thesis) row.
    pub fn to_markdown(&self) -> Result<String> {
        let spec = &self.spec;
        let with_thesis = spec.thesis_table.is_some();
        let stat = match spec.view {
            View::Mean => "mean",
            View::Best => "best",
        };
        let mut header: Vec<String> = vec!["Variant".to_owned()];
        header.extend(self.params.iter().cloned());
        if with_thesis {
            header.push(String::new());
        }
        header.push("n".to_owned());
        if spec.view == View::Best {
            header.push("seed".to_owned());
        }
        header.extend(Metric::ALL.iter().map(|m| m.label().to_owned()));
        let mut lines = vec![
            format!("**{}**", spec.title),
            String::new(),
            format!("| {} |", header.join(" | ")),
            format!("|{}", "---|".repeat(header.len())),
        ];
        let cell = |m: Metric, v: Option<f64>, s: Option<f64>| match (v, s) {
            (Some(v), Some(s)) => format!("{} ± {}", m.format(v), m.format(s)),
            (Some(v), None) => m.format(v),
            (None, _) => "–".to_owned(),
        };
        let with_ci = |m: Metric, text: String, ci: Option<f64>| match ci {
            Some(h) => format!("{text} [±{}]", m.format(h)),
            None => text,
        };
        for i in 0..self.height() {
            let variant = self.variant(i).unwrap_or_default();
            let mut ours: Vec<String> = vec![variant.clone()];
            ours.extend(
                self.params
                    .iter()
                    .map(|p| self.value(p, i).map_or("–".to_owned(), |v| format!("{v}"))),
            );
            if with_thesis {
                ours.push("ours".to_owned());
            }
            ours.push(
                self.value("n", i)
                    .map_or("–".to_owned(), |v| format!("{v:.0}")),
            );
            if spec.view == View::Best {
                ours.push(
                    self.value("best_seed", i)
                        .map_or("–".to_owned(), |v| format!("{v:.0}")),
                );
            }
            for m in Metric::ALL {
                let v = self.value(&format!("{}_{stat}", m.key()), i);
                let (s, ci) = if spec.view == View::Mean {
                    (
                        self.value(&format!("{}_std", m.key()), i),
                        self.value(&format!("{}_ci95", m.key()), i),
                    )
                } else {
                    (None, None)
                };
                ours.push(with_ci(m, cell(m, v, s), ci));
            }
            lines.push(format!("| {} |", ours.join(" | ")));
            if with_thesis {
                let blank_params = vec![String::new(); self.params.len()];
                let mut thesis = vec![String::new()];
                thesis.extend(blank_params.iter().cloned());
                thesis.push("thesis".to_owned());
                thesis.push(self.thesis_runs.map_or("–".to_owned(), |r| r.to_string()));
                if spec.view == View::Best {
                    thesis.push("–".to_owned());
                }
                let mut delta = vec![String::new()];
                delta.extend(blank_params);
                delta.push("Δ".to_owned());
                delta.push(String::new());
                if spec.view == View::Best {
                    delta.push(String::new());
                }
                for m in Metric::ALL {
                    let k = m.key();
                    let s = if spec.view == View::Mean {
                        self.value(&format!("{k}_thesis_std"), i)
                    } else {
                        None
                    };
                    thesis.push(cell(m, self.value(&format!("{k}_thesis"), i), s));
                    delta.push(
                        self.value(&format!("{k}_diff"), i)
                            .map_or("–".to_owned(), |d| {
                                format!("{}{}", if d >= 0.0 { "+" } else { "" }, m.format(d))
                            }),
                    );
                }
                lines.push(format!("| {} |", thesis.join(" | ")));
                lines.push(format!("| {} |", delta.join(" | ")));
            }
        }
        for (name, values) in self.reference.iter().flatten() {
            let mut cells = vec![name.clone()];
            cells.extend(vec![String::new(); self.params.len()]);
            if with_thesis {
                cells.push("reference".to_owned());
            }
            cells.push("–".to_owned());
            if spec.view == View::Best {
                cells.push("–".to_owned());
            }
            cells.extend(Metric::ALL.iter().map(|&m| cell(m, values.get(m), None)));
            lines.push(format!("| {} |", cells.join(" | ")));
        }
        lines.push(String::new());
        if self.reference.is_some() {
            lines.push("`oracle … (ceiling)`: the stand-in's Bayes-optimal predictor given the latent signal each modality carries (text alone, and all three) — an upper bound on what a model can reach from these features (MAE: posterior median, the other metrics: posterior mean).".to_owned());
            lines.push(String::new());
        }
        if !self.thesis_not_run.is_empty() {
            lines.push(format!(
                "Thesis rows without runs here: {}.",
                self.thesis_not_run.join("; ")
            ));
            lines.push(String::new());
        }
        let std_note = if spec.view == View::Mean {
            "± = sample std (n − 1) over seeds, [±h] = half-width of the 95 % Student-t interval of the mean; "
        } else {
            "best = the run with the highest test F1 (all its metrics); "
        };
        lines.push(format!(
            "Test metrics; F1 / Acc in %, F1 and Acc2 non-zero (thesis 7.3); {std_note}{}",
            if with_thesis {
                "Δ = ours − thesis."
            } else {
                "the thesis prints no numbers for this figure."
            }
        ));
        Ok(lines.join("\n") + "\n")
    }

    /// Writes `<dir>/<id>.csv` and `<dir>/<id>.md`; returns both paths.
    pub fn write(&self, dir: &Path) -> Result<(PathBuf, PathBuf)> {
        std::fs::create_dir_all(dir).map_err(ReportError::io("creating", dir))?;
        let csv = dir.join(format!("{}.csv", self.spec.id));
        let md = dir.join(format!("{}.md", self.spec.id));
        std::fs::write(&csv, self.to_csv()?).map_err(ReportError::io("writing", &csv))?;
        std::fs::write(&md, self.to_markdown()?).map_err(ReportError::io("writing", &md))?;
        Ok((csv, md))
    }
}

/// Half-width of the Student-t interval of a mean of `n` values with sample std `sd`
/// (n − 1 degrees of freedom; `None` below 2 values).
pub fn ci_half_width(sd: f64, n: f64) -> Option<f64> {
    (n >= 2.0).then(|| student_t_quantile(0.5 + LEVEL / 2.0, n - 1.0) * sd / n.sqrt())
}

/// Column `name` as f64 values (`None` for null and NaN).
fn f64_column(frame: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    let column = frame
        .column(name)
        .map_err(|e| ReportError::Table(format!("column {name}: {e}")))?
        .cast(&DataType::Float64)?;
    Ok(column
        .f64()?
        .iter()
        .map(|v| v.filter(|x| x.is_finite()))
        .collect())
}

/// Column `name` as strings (empty for null).
fn str_column(frame: &DataFrame, name: &str) -> Result<Vec<String>> {
    let column = frame
        .column(name)
        .map_err(|e| ReportError::Table(format!("column {name}: {e}")))?;
    Ok(column
        .str()?
        .iter()
        .map(|v| v.unwrap_or_default().to_owned())
        .collect())
}
