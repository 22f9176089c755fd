//! The thesis's published numbers, transcribed once into `thesis_results.toml` (embedded in the
//! crate) and read into typed structs: tables 5.4.1 / 5.4.2 (prior state of the art), 8.2.2
//! (means ± std), 8.2.3 (best of 5), 8.2.4 (linear evaluation) and 8.3.2 (chains).
//!
//! These numbers are put *beside* ours in every table and figure, never in their place.

use super::error::{ReportError, Result};
use super::metric::{Metric, MetricValues};
use crate::experiments::FamilyId;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The TOML text of the transcription, as embedded in the crate.
pub const THESIS_RESULTS_TOML: &str = include_str!("thesis_results.toml");

/// What a thesis table's numbers summarise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Statistic {
    /// Mean over `runs` seeds (± sample std where printed).
    Mean,
    /// The best model out of `runs` seeds (one run per row; see [`crate::report::best_run`]).
    Best,
    /// Numbers adopted from other papers (mixed protocols).
    Published,
}

/// One row of a thesis table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThesisRow {
    /// The row's leading label cells exactly as printed, e.g. `["Self-Supervised", "Masking"]`.
    pub cells: Vec<String>,
    /// The [`crate::experiments::ResultRow::variant`] of our runs for this row, if any.
    #[serde(default)]
    pub variant: Option<String>,
    /// The printed values (thesis units: % for F1 / Acc, plain Corr and MAE).
    pub values: MetricValues,
    /// The printed "±" values, where given.
    #[serde(default)]
    pub std: Option<MetricValues>,
}

impl ThesisRow {
    /// The row's label: its cells joined by " / ", `-` cells left out.
    pub fn label(&self) -> String {
        self.cells
            .iter()
            .filter(|c| c.as_str() != "-")
            .cloned()
            .collect::<Vec<_>>()
            .join(" / ")
    }

    /// The printed std of `metric`, if any.
    pub fn std_of(&self, metric: Metric) -> Option<f64> {
        self.std.as_ref().and_then(|s| s.get(metric))
    }
}

/// One thesis table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThesisTable {
    /// Table number, e.g. `8.2.2`.
    pub id: String,
    /// Thesis section, e.g. `8.2`.
    pub section: String,
    /// The experiment family whose runs it corresponds to, e.g. `table-8.2.2`.
    #[serde(default)]
    pub family: Option<FamilyId>,
    /// What the numbers summarise.
    pub statistic: Statistic,
    /// Seeds per row, where stated.
    #[serde(default)]
    pub runs: Option<u32>,
    /// The caption, as printed.
    pub caption: String,
    /// The metric columns the table prints, in order.
    pub columns: Vec<Metric>,
    /// Transcription notes (typos kept, interpretation).
    #[serde(default)]
    pub note: Option<String>,
    /// The rows, in the printed order.
    pub rows: Vec<ThesisRow>,
}

impl ThesisTable {
    /// The row for our variant `variant` (compared after [`normalize_variant`]).
    pub fn row_for(&self, variant: &str) -> Option<&ThesisRow> {
        let want = normalize_variant(variant);
        self.rows.iter().find(|r| {
            r.variant
                .as_deref()
                .is_some_and(|v| normalize_variant(v) == want)
        })
    }

    /// Position of `variant` in the printed order, if the table has it.
    pub fn rank_of(&self, variant: &str) -> Option<usize> {
        let want = normalize_variant(variant);
        self.rows.iter().position(|r| {
            r.variant
                .as_deref()
                .is_some_and(|v| normalize_variant(v) == want)
        })
    }
}

/// Every transcribed thesis table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThesisResults {
    /// Tables in the order of the thesis.
    pub tables: Vec<ThesisTable>,
}

impl ThesisResults {
    /// Parses a transcription in the format of `thesis_results.toml`.
    pub fn parse(text: &str) -> Result<ThesisResults> {
        toml::from_str(text).map_err(|e| ReportError::Thesis {
            message: e.to_string(),
        })
    }

    /// The embedded transcription, parsed once.
    pub fn embedded() -> &'static ThesisResults {
        static PARSED: OnceLock<ThesisResults> = OnceLock::new();
        PARSED.get_or_init(|| {
            ThesisResults::parse(THESIS_RESULTS_TOML)
                .expect("the embedded thesis_results.toml parses (checked by tests/report.rs)")
        })
    }

    /// The table with number `id` (e.g. `8.2.2`).
    pub fn table(&self, id: &str) -> Option<&ThesisTable> {
        self.tables.iter().find(|t| t.id == id)
    }

    /// The printed value of `metric` in table `table_id` for our variant `variant`.
    pub fn value(&self, table_id: &str, variant: &str, metric: Metric) -> Option<f64> {
        self.table(table_id)?.row_for(variant)?.values.get(metric)
    }
}

/// Canonical form of a variant / chain name for matching: lower case, no white space, and the
/// chain separators `>` and `,` written as `+` (so `SeqAug + masking`, `seqaug>masking` and
/// `seqaug+masking` are the same chain; order is kept).
pub fn normalize_variant(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '>' | ',' => '+',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}
