//! The six metrics the thesis reports, in the thesis's units (thesis 7.3, tables 8.2.2–8.3.2).

use crate::metrics::Metrics;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One of the six reported metrics, in the order of the thesis's tables.
///
/// F1 and Acc2 are the **non-zero** variant (negative `[-3, 0)` vs positive `(0, 3]`, zero labels
/// left out; thesis 7.3), i.e. [`Metrics::f1_non0`] and [`Metrics::acc2_non0`]. F1, Acc2, Acc5
/// and Acc7 are reported in percent (the stored [`Metrics`] hold fractions), Corr and MAE as they
/// are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Weighted F1, non-zero variant, %.
    F1,
    /// Binary accuracy, non-zero variant, %.
    Acc2,
    /// 5-class accuracy, %.
    Acc5,
    /// 7-class accuracy, %.
    Acc7,
    /// Pearson correlation.
    Corr,
    /// Mean absolute error.
    Mae,
}

impl Metric {
    /// All six, in the thesis's column order.
    pub const ALL: [Metric; 6] = [
        Metric::F1,
        Metric::Acc2,
        Metric::Acc5,
        Metric::Acc7,
        Metric::Corr,
        Metric::Mae,
    ];

    /// Display name as in the thesis's tables (`F1`, `Acc2`, …, `MAE`).
    pub fn name(self) -> &'static str {
        match self {
            Metric::F1 => "F1",
            Metric::Acc2 => "Acc2",
            Metric::Acc5 => "Acc5",
            Metric::Acc7 => "Acc7",
            Metric::Corr => "Corr",
            Metric::Mae => "MAE",
        }
    }

    /// Lower-case key used in TOML, CSV column names and file names (`f1`, …, `mae`).
    pub fn key(self) -> &'static str {
        match self {
            Metric::F1 => "f1",
            Metric::Acc2 => "acc2",
            Metric::Acc5 => "acc5",
            Metric::Acc7 => "acc7",
            Metric::Corr => "corr",
            Metric::Mae => "mae",
        }
    }

    /// Axis / column label with its unit, e.g. `F1 (%)`.
    pub fn label(self) -> &'static str {
        match self {
            Metric::F1 => "F1 (%)",
            Metric::Acc2 => "Acc2 (%)",
            Metric::Acc5 => "Acc5 (%)",
            Metric::Acc7 => "Acc7 (%)",
            Metric::Corr => "Corr",
            Metric::Mae => "MAE",
        }
    }

    /// False only for MAE.
    pub fn higher_is_better(self) -> bool {
        self != Metric::Mae
    }

    /// Decimals used when printing (2 for percentages, 3 for Corr, 4 for MAE, as in the thesis).
    pub fn decimals(self) -> usize {
        match self {
            Metric::Corr => 3,
            Metric::Mae => 4,
            _ => 2,
        }
    }

    /// The metric of `m` in the thesis's units; `None` where it is undefined.
    pub fn of(self, m: &Metrics) -> Option<f64> {
        let pct = |v: f64| 100.0 * v;
        match self {
            Metric::F1 => m.f1_non0.map(pct),
            Metric::Acc2 => m.acc2_non0.map(pct),
            Metric::Acc5 => Some(pct(m.acc5)),
            Metric::Acc7 => Some(pct(m.acc7)),
            Metric::Corr => m.corr,
            Metric::Mae => Some(m.mae),
        }
        .filter(|v| v.is_finite())
    }

    /// `value` with this metric's decimals.
    pub fn format(self, value: f64) -> String {
        format!("{value:.*}", self.decimals())
    }

    /// True when `a` is better than `b` for this metric.
    pub fn better(self, a: f64, b: f64) -> bool {
        if self.higher_is_better() {
            a > b
        } else {
            a < b
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A value (or nothing) for each of the six metrics; also the TOML shape of a thesis row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricValues {
    /// F1 (%), non-zero variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub f1: Option<f64>,
    /// Acc2 (%), non-zero variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acc2: Option<f64>,
    /// Acc5 (%).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acc5: Option<f64>,
    /// Acc7 (%).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acc7: Option<f64>,
    /// Pearson r.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corr: Option<f64>,
    /// Mean absolute error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mae: Option<f64>,
}

impl MetricValues {
    /// The value of `metric`.
    pub fn get(&self, metric: Metric) -> Option<f64> {
        match metric {
            Metric::F1 => self.f1,
            Metric::Acc2 => self.acc2,
            Metric::Acc5 => self.acc5,
            Metric::Acc7 => self.acc7,
            Metric::Corr => self.corr,
            Metric::Mae => self.mae,
        }
    }

    /// Sets the value of `metric`.
    pub fn set(&mut self, metric: Metric, value: Option<f64>) {
        let slot = match metric {
            Metric::F1 => &mut self.f1,
            Metric::Acc2 => &mut self.acc2,
            Metric::Acc5 => &mut self.acc5,
            Metric::Acc7 => &mut self.acc7,
            Metric::Corr => &mut self.corr,
            Metric::Mae => &mut self.mae,
        };
        *slot = value;
    }

    /// The six metrics of one run's [`Metrics`], in the thesis's units.
    pub fn from_metrics(m: &Metrics) -> MetricValues {
        let mut out = MetricValues::default();
        for metric in Metric::ALL {
            out.set(metric, metric.of(m));
        }
        out
    }
}
