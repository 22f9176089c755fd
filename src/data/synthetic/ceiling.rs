//! The stand-in's ceiling: the thesis 7.3 metrics of the Bayes-optimal **oracle** that knows
//! each modality's latent sentiment signal, so reviewers see how far a trained model is from
//! what the data allow.
//!
//! # What the oracle sees
//!
//! Latent factors are independent and each modality's noise `ζ_m` is independent per factor, so
//! of everything a modality's features are built from, only `u_m = z₀ + σ_m ζ_{m,0}` informs the
//! sentiment factor `z₀` (the other factors, their noises, events, amplitudes, backgrounds,
//! lengths and masks are independent of `z₀` and of the label noise). A modality carries `u_m`
//! only if its sequence is not all-zero and at least one visible event falls on a step that is
//! not all-zero ([`UtteranceLatents::carries`]); otherwise it carries nothing. For a view (one
//! modality or all three) the oracle predicts, per utterance, a statistic of the exact posterior
//! of the label given the `u_m` the view's modalities carry ([`super::posterior`]: the generator's
//! prior with its neutral spike × `Π N(u_m; z₀, σ_m²)`, integrated against the label's
//! noise, rounding and clipping, in closed form).
//!
//! # What the numbers mean
//!
//! * **An upper bound, not the Bayes risk of the features.** A model sees `u_m` only through
//!   features that mix it with the other visible factors, scale it by unknown amplitudes
//!   `a_t ~ U(0.5, 1.5)`, bury it in background noise at sparse event steps and (audio) map it
//!   affinely; given the oracle's inputs the label is independent of the features. So for any
//!   model `E[(y − f(x))²] ≥ E[(y − E[y | u])²]`: the true Bayes risk from the features is higher
//!   (worse) than this ceiling, which no model can beat in expectation.
//! * **Which metric is bounded.** The posterior **mean** ([`PosteriorStatistic::Mean`], the
//!   predictions of [`oracle_predictions`] and [`ceiling`]) minimises expected squared error:
//!   its MSE is the bound. MAE's optimum is the posterior **median**
//!   ([`PosteriorStatistic::Median`]), reported alongside in [`CeilingRow::median`]; its MAE is
//!   the MAE bound. Corr, Acc7, Acc2 and F1 are the posterior mean's scores, indicative rather
//!   than strict bounds (each metric has its own optimal predictor, e.g. Acc7's is the posterior
//!   mode of the rounded class).
//! * **Sample estimates.** On a finite split the oracle's metrics carry sampling noise; a model
//!   can land above them on one split by chance, never in expectation.
//!
//! It is cheap: [`latents`] replays the utterance streams without building features.

use super::posterior::{Evidence, LabelPosterior};
use super::{latents, SyntheticConfig, UtteranceLatents, RELIABILITY_NOISE};
use crate::data::{Modality, SplitName};
use crate::metrics::{evaluate, Metrics};
use serde::{Deserialize, Serialize};
use std::fmt::{self, Write as _};

/// Which modalities' latent signal the oracle sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OracleView {
    /// The text signal only.
    Text,
    /// The audio signal only.
    Audio,
    /// The visual signal only.
    Visual,
    /// All three signals.
    All,
}

impl OracleView {
    /// Every view, single modalities first.
    pub const ALL: [OracleView; 4] = [
        OracleView::Text,
        OracleView::Audio,
        OracleView::Visual,
        OracleView::All,
    ];

    /// Display name, e.g. `oracle: text`, used as a row label next to trained models.
    pub fn name(self) -> &'static str {
        match self {
            OracleView::Text => "oracle: text",
            OracleView::Audio => "oracle: audio",
            OracleView::Visual => "oracle: visual",
            OracleView::All => "oracle: all",
        }
    }

    /// The modalities whose signal this view sees.
    pub fn modalities(self) -> &'static [Modality] {
        match self {
            OracleView::Text => &[Modality::Text],
            OracleView::Audio => &[Modality::Audio],
            OracleView::Visual => &[Modality::Visual],
            OracleView::All => &Modality::ALL,
        }
    }

    /// The evidence about `z₀` this view has for one utterance: the signals of its modalities
    /// that carry one.
    pub fn evidence(self, latents: &UtteranceLatents) -> Evidence {
        Evidence::from_signals(
            self.modalities()
                .iter()
                .map(|m| m.index())
                .filter(|&m| latents.carries[m])
                .map(|m| (latents.signal(m), RELIABILITY_NOISE[m])),
        )
    }
}

impl fmt::Display for OracleView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which summary of the label's posterior the oracle predicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PosteriorStatistic {
    /// The posterior mean: optimal for squared error.
    Mean,
    /// The posterior median: optimal for absolute error.
    Median,
}

impl PosteriorStatistic {
    /// This statistic of `posterior`.
    pub fn of(self, posterior: &LabelPosterior) -> f64 {
        match self {
            PosteriorStatistic::Mean => posterior.mean(),
            PosteriorStatistic::Median => posterior.median(),
        }
    }
}

/// The oracle's predictions for utterances with these `latents`, in order.
pub fn oracle_from_latents(
    latents: &[UtteranceLatents],
    view: OracleView,
    statistic: PosteriorStatistic,
) -> Vec<f64> {
    latents
        .iter()
        .map(|l| statistic.of(&LabelPosterior::given(view.evidence(l))))
        .collect()
}

/// Oracle predictions (posterior means) for every utterance of `split` of the stand-in `cfg`,
/// in storage order.
pub fn oracle_predictions(cfg: &SyntheticConfig, split: SplitName, view: OracleView) -> Vec<f64> {
    oracle_from_latents(&latents(cfg, split), view, PosteriorStatistic::Mean)
}

/// One view's ceiling on one split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CeilingRow {
    /// The oracle's view.
    pub view: OracleView,
    /// Metrics of the posterior mean (its MSE is the bound on any model's expected MSE).
    pub mean: Metrics,
    /// Mean squared error of the posterior mean.
    pub mse: f64,
    /// Metrics of the posterior median (its MAE is the bound on any model's expected MAE).
    pub median: Metrics,
}

/// The ceiling of every view on `split`: posterior-mean metrics, MSE and posterior-median metrics.
pub fn ceiling_rows(cfg: &SyntheticConfig, split: SplitName) -> Vec<CeilingRow> {
    let latents = latents(cfg, split);
    let labels: Vec<f64> = latents.iter().map(|l| f64::from(l.label)).collect();
    let metrics = |view, statistic| {
        let predictions = oracle_from_latents(&latents, view, statistic);
        let metrics = evaluate(&predictions, &labels)
            .expect("a split has at least 2 utterances and the oracle is finite");
        (predictions, metrics)
    };
    OracleView::ALL
        .iter()
        .map(|&view| {
            let (predictions, mean) = metrics(view, PosteriorStatistic::Mean);
            let mse = predictions
                .iter()
                .zip(&labels)
                .map(|(p, y)| (p - y).powi(2))
                .sum::<f64>()
                / labels.len() as f64;
            let (_, median) = metrics(view, PosteriorStatistic::Median);
            CeilingRow {
                view,
                mean,
                mse,
                median,
            }
        })
        .collect()
}

/// The thesis 7.3 metrics (crate::metrics::evaluate) of the oracle (posterior mean) for each view
/// on `split`.
pub fn ceiling(cfg: &SyntheticConfig, split: SplitName) -> Vec<(OracleView, Metrics)> {
    ceiling_rows(cfg, split)
        .into_iter()
        .map(|row| (row.view, row.mean))
        .collect()
}

/// A plain-text table of `rows` (the thesis's units: accuracies and F1 in %, non-zero Acc2/F1),
/// titled with `split`.
pub fn format_table(split: SplitName, rows: &[CeilingRow]) -> String {
    let pct = |v: Option<f64>| v.map_or_else(|| "n/a".to_owned(), |v| format!("{:.2}", 100.0 * v));
    let corr = |v: Option<f64>| v.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.3}"));
    let mut out = format!(
        "ceiling on {split} (Bayes-optimal oracle on the latent signals; its MSE and MAE(med) bound any model's in expectation)\n  {:<15} {:>7} {:>7} {:>6} {:>6} {:>6} {:>6} {:>6} {:>9}\n",
        "view", "MSE", "MAE", "Corr", "Acc7", "Acc5", "Acc2", "F1", "MAE(med)"
    );
    for row in rows {
        let m = &row.mean;
        // infallible: writing to a String
        let _ = writeln!(
            out,
            "  {:<15} {:>7.4} {:>7.4} {:>6} {:>6} {:>6} {:>6} {:>6} {:>9.4}",
            row.view.name(),
            row.mse,
            m.mae,
            corr(m.corr),
            pct(Some(m.acc7)),
            pct(Some(m.acc5)),
            pct(m.acc2_non0),
            pct(m.f1_non0),
            row.median.mae,
        );
    }
    out
}
