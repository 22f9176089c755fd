//! What pre-training learned, per family: the last epoch's Barlow Twins diagnostics (loss terms,
//! mean diagonal of C, embedding spread, the encoder's relative weight displacement) and the
//! label-evaluated linear probe of the pre-trained encoder beside the same seed's random encoder,
//! averaged over seeds (plain Rust, so the notebooks show it without polars).

use crate::experiments::{FamilyId, ResultRow};
use crate::train::Pretrained;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The pre-training diagnostics of one SSL setting of a family, averaged over its seeds.
#[derive(Debug, Clone, PartialEq)]
pub struct DiagnosticsRow {
    /// The setting: variant and the params that shape the pre-training (not `fraction`).
    pub label: String,
    /// Seeds (pre-trainings) it averages.
    pub n: usize,
    /// Pre-training epochs.
    pub epochs: usize,
    /// Barlow Twins loss of the first and of the last epoch.
    pub loss: (f64, f64),
    /// The last epoch's on-diagonal and off-diagonal terms.
    pub terms: (f64, f64),
    /// The last epoch's mean diagonal of C.
    pub mean_diagonal: f64,
    /// The last epoch's per-dimension embedding std: mean and minimum over dimensions.
    pub embedding_std: (f64, f64),
    /// ‖W − W₀‖ / ‖W₀‖ of the encoder after the last epoch.
    pub displacement: f64,
    /// Probe valid MAE: random encoder, pre-trained encoder.
    pub probe_mae: Option<(f64, f64)>,
    /// Probe valid Pearson r: random encoder, pre-trained encoder.
    pub probe_corr: Option<(f64, f64)>,
}

fn setting(row: &ResultRow) -> String {
    let params: Vec<String> = row
        .params
        .iter()
        .filter(|(k, _)| k.as_str() != "fraction")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let variant = row
        .variant
        .trim_end_matches("-linear")
        .trim_end_matches("-finetune");
    if params.is_empty() {
        variant.to_owned()
    } else {
        format!("{variant} ({})", params.join(", "))
    }
}

fn mean(v: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = v.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    s / n.max(1) as f64
}

/// One row per pre-training setting of `family` (in the thesis's row order, then by variant and
/// grid coordinates), each pre-training counted once however many runs fine-tuned it.
pub fn pretrain_diagnostics(rows: &[ResultRow], family: FamilyId) -> Vec<DiagnosticsRow> {
    let mut order: Vec<String> = Vec::new();
    let mut by: BTreeMap<String, BTreeMap<u64, &Pretrained>> = BTreeMap::new();
    // The store holds rows in the order runs finished, which parallel jobs vary: sort first, in
    // the thesis's row order where a thesis table lists the variant.
    let thesis_rank = |variant: &str| {
        let tables = &super::ThesisResults::embedded().tables;
        tables
            .iter()
            .find_map(|t| t.rank_of(variant))
            .unwrap_or(usize::MAX)
    };
    let mut mine: Vec<&ResultRow> = rows.iter().filter(|r| r.family == family).collect();
    mine.sort_by(|a, b| {
        let by_params = (a.params.iter())
            .zip(&b.params)
            .map(|((ka, va), (kb, vb))| ka.cmp(kb).then(va.total_cmp(vb)))
            .find(|o| o.is_ne())
            .unwrap_or(a.params.len().cmp(&b.params.len()));
        (thesis_rank(&a.variant).cmp(&thesis_rank(&b.variant)))
            .then(a.variant.cmp(&b.variant))
            .then(by_params)
    });
    for r in mine {
        let Some(p) = r.pretrain.as_ref().filter(|p| !p.epochs.is_empty()) else {
            continue;
        };
        let label = setting(r);
        if !by.contains_key(&label) {
            order.push(label.clone());
        }
        by.entry(label).or_default().entry(r.seed).or_insert(p);
    }
    order
        .into_iter()
        .map(|label| {
            let ps: Vec<&Pretrained> = by[&label].values().copied().collect();
            let last = |f: &dyn Fn(&crate::train::SslEpochLog) -> f64| {
                mean(ps.iter().filter_map(|p| p.epochs.last()).map(f))
            };
            let probes: Vec<_> = ps.iter().filter_map(|p| p.probe).collect();
            let corr: Vec<(f64, f64)> = probes
                .iter()
                .filter_map(|p| Some((p.random.valid_corr?, p.pretrained.valid_corr?)))
                .collect();
            DiagnosticsRow {
                n: ps.len(),
                epochs: ps[0].epochs.len(),
                loss: (
                    mean(ps.iter().filter_map(|p| p.epochs.first()).map(|e| e.loss)),
                    last(&|e| e.loss),
                ),
                terms: (last(&|e| e.on_diagonal), last(&|e| e.off_diagonal)),
                mean_diagonal: last(&|e| e.mean_diagonal),
                embedding_std: (
                    last(&|e| e.embedding_std_mean),
                    last(&|e| e.embedding_std_min),
                ),
                displacement: last(&|e| e.displacement),
                probe_mae: (!probes.is_empty()).then(|| {
                    (
                        mean(probes.iter().map(|p| p.random.valid_mae)),
                        mean(probes.iter().map(|p| p.pretrained.valid_mae)),
                    )
                }),
                probe_corr: (!corr.is_empty()).then(|| {
                    (
                        mean(corr.iter().map(|c| c.0)),
                        mean(corr.iter().map(|c| c.1)),
                    )
                }),
                label,
            }
        })
        .collect()
}

/// The column names of [`diagnostics_cells`].
pub const DIAGNOSTICS_HEADER: [&str; 9] = [
    "pre-training",
    "n",
    "loss first → last epoch",
    "last: on-diag + off-diag",
    "mean diag C",
    "emb std (min)",
    "‖W−W₀‖/‖W₀‖",
    "probe MAE: random → pre-trained",
    "probe Corr: random → pre-trained",
];

/// A row as printed cells, in [`DIAGNOSTICS_HEADER`] order.
pub fn diagnostics_cells(d: &DiagnosticsRow) -> [String; 9] {
    [
        d.label.clone(),
        d.n.to_string(),
        format!("{:.2} → {:.2} ({} epochs)", d.loss.0, d.loss.1, d.epochs),
        format!("{:.2} + {:.2}", d.terms.0, d.terms.1),
        format!("{:.3}", d.mean_diagonal),
        format!("{:.3} ({:.3})", d.embedding_std.0, d.embedding_std.1),
        format!("{:.2e}", d.displacement),
        d.probe_mae
            .map_or("–".into(), |(r, p)| format!("{r:.4} → {p:.4}")),
        d.probe_corr
            .map_or("–".into(), |(r, p)| format!("{r:.3} → {p:.3}")),
    ]
}

/// The diagnostics of `family` as a Markdown table (empty when it has no pre-trainings).
pub fn diagnostics_markdown(rows: &[ResultRow], family: FamilyId) -> String {
    let diag = pretrain_diagnostics(rows, family);
    if diag.is_empty() {
        return String::new();
    }
    let mut s = format!(
        "| {} |\n|{}\n",
        DIAGNOSTICS_HEADER.join(" | "),
        "---|".repeat(DIAGNOSTICS_HEADER.len())
    );
    for d in &diag {
        let _ = writeln!(s, "| {} |", diagnostics_cells(d).join(" | "));
    }
    s.push_str("\nMeans over seeds of each pre-training (counted once however many runs fine-tuned it). The probe is a closed-form least-squares fit of the frozen encoder's outputs on the train labels, scored on valid; \"random\" is the same seed's encoder before pre-training. Collapse shows as an embedding std near 0; an encoder that did not move shows a displacement near 0 and the same probe before and after.\n");
    s
}
