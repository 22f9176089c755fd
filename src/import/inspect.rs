//! `mmssl data inspect`: per split and modality — count, steps, dims, NaN / ±inf (found at import
//! and left in the data), all-zero sequences, real-length statistics, label range and
//! histogram. Built on [`Split::summary`] (the same numbers `mmssl synth` prints) plus the few
//! facts it does not hold.

use super::native::{load_native_with_meta, ModalityNonFinite, NativeMeta};
use super::ImportError;
use crate::data::{Modality, Split, SplitSummary};
use serde::Serialize;
use std::fmt;
use std::path::Path;

/// One modality of one split, beyond [`crate::data::ModalitySummary`].
#[derive(Debug, Clone, Serialize)]
pub struct ModalityInspect {
    /// Which modality.
    pub modality: Modality,
    /// NaN / ±inf found by the importer (and handled by its policy).
    pub at_import: ModalityNonFinite,
    /// NaN values in the stored data.
    pub nan: usize,
    /// +inf values in the stored data.
    pub pos_inf: usize,
    /// -inf values in the stored data.
    pub neg_inf: usize,
    /// True when the importer filled this modality with zeros (absent from the source).
    pub filled: bool,
}

/// One split.
#[derive(Debug, Clone, Serialize)]
pub struct SplitInspect {
    /// Counts, steps, lengths, label mean and histogram, per-modality dims / all-zero / mean / std.
    pub summary: SplitSummary,
    /// False for a split that was not imported.
    pub imported: bool,
    /// Smallest label (0 for an empty split).
    pub label_min: f32,
    /// Largest label (0 for an empty split).
    pub label_max: f32,
    /// `length_histogram[l]` samples have real length `l` (index 0 is always 0).
    pub length_histogram: Vec<usize>,
    /// Samples whose real steps were moved to the front at import.
    pub shifted_samples: usize,
    /// Samples with no non-zero step at import (length 1).
    pub empty_samples: usize,
    /// Non-finite counts and filling, per modality.
    pub modalities: Vec<ModalityInspect>,
}

/// The whole report: identity line, `meta.json`, and one entry per split.
#[derive(Debug, Clone, Serialize)]
pub struct InspectReport {
    /// The identity line.
    pub identity: String,
    /// `meta.json` as stored.
    pub meta: NativeMeta,
    /// Train, valid, test.
    pub splits: Vec<SplitInspect>,
}

/// Loads a native directory (checksum verified) and computes its report.
pub fn inspect(dir: &Path) -> Result<InspectReport, ImportError> {
    let (data, meta) = load_native_with_meta(dir)?;
    let splits = meta
        .splits
        .iter()
        .map(|sm| {
            let split = data.split(sm.name);
            split_inspect(split, sm.imported, &sm.report)
        })
        .collect();
    Ok(InspectReport {
        identity: data.identity.to_string(),
        meta,
        splits,
    })
}

fn split_inspect(split: &Split, imported: bool, report: &super::SplitReport) -> SplitInspect {
    let mut length_histogram = vec![0usize; split.steps() + 1];
    for &l in &split.lengths {
        length_histogram[l] += 1;
    }
    let fold = |f: fn(f32, f32) -> f32, init: f32| {
        if split.is_empty() {
            0.0
        } else {
            split.labels.iter().copied().fold(init, f)
        }
    };
    let modalities = Modality::ALL
        .iter()
        .map(|&m| {
            let stored = ModalityNonFinite::count(m, split.modality(m).as_slice());
            ModalityInspect {
                modality: m,
                at_import: report
                    .non_finite
                    .iter()
                    .find(|n| n.modality == m)
                    .copied()
                    .unwrap_or(ModalityNonFinite {
                        modality: m,
                        ..Default::default()
                    }),
                nan: stored.nan,
                pos_inf: stored.pos_inf,
                neg_inf: stored.neg_inf,
                filled: report.filled.contains(&m),
            }
        })
        .collect();
    SplitInspect {
        summary: split.summary(),
        imported,
        label_min: fold(f32::min, f32::INFINITY),
        label_max: fold(f32::max, f32::NEG_INFINITY),
        length_histogram,
        shifted_samples: report.shifted_samples,
        empty_samples: report.empty_samples,
        modalities,
    }
}

impl fmt::Display for InspectReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = &self.meta;
        writeln!(f, "{}", self.identity)?;
        writeln!(
            f,
            "source: {} {} (release {}), labels {} [{}], padding {}, non-finite policy {:?}",
            m.source.format,
            m.source.path,
            m.source.release.as_deref().unwrap_or("none"),
            m.labels.mapping,
            m.labels.rule,
            m.padding,
            m.non_finite_policy
        )?;
        writeln!(
            f,
            "steps {}  dims text {} audio {} visual {}",
            m.steps, m.dims[0], m.dims[1], m.dims[2]
        )?;
        for s in &self.splits {
            let sm = &s.summary;
            if sm.count == 0 {
                let how = if s.imported {
                    "imported, 0 samples (no statistics)"
                } else {
                    "not imported (0 samples)"
                };
                writeln!(f, "{:<5} {how}", sm.split.name())?;
                continue;
            }
            writeln!(
                f,
                "{:<5} n={:<6} steps={} length mean {:.2} [{}, {}]  shifted {}  empty {}",
                sm.split.name(),
                sm.count,
                sm.steps,
                sm.length_mean,
                sm.length_min,
                sm.length_max,
                s.shifted_samples,
                s.empty_samples
            )?;
            let lens: Vec<String> = s
                .length_histogram
                .iter()
                .enumerate()
                .filter(|(_, &k)| k > 0)
                .map(|(l, k)| format!("{l}:{k}"))
                .collect();
            writeln!(f, "      lengths {}", lens.join(" "))?;
            let hist: Vec<String> = (-3..=3)
                .zip(sm.label_histogram)
                .map(|(c, k)| format!("{c:+}:{k}"))
                .collect();
            writeln!(
                f,
                "      labels range [{:+.3}, {:+.3}] mean {:+.3}, zero {}  (rounded) {}",
                s.label_min,
                s.label_max,
                sm.label_mean,
                sm.zero_labels,
                hist.join(" ")
            )?;
            for (ms, mi) in sm.modalities.iter().zip(&s.modalities) {
                let a = &mi.at_import;
                writeln!(
                    f,
                    "      {:<6} dims={:<4} all-zero {:>4} ({:>5.1} %)  at import NaN {} +inf {} -inf {}  now non-finite {}{}  mean {:+.3e} std {:.3e}",
                    ms.modality.name(),
                    ms.dims,
                    ms.all_zero,
                    100.0 * ms.all_zero as f64 / sm.count.max(1) as f64,
                    a.nan,
                    a.pos_inf,
                    a.neg_inf,
                    mi.nan + mi.pos_inf + mi.neg_inf,
                    if mi.filled { "  FILLED WITH ZEROS (absent in source)" } else { "" },
                    ms.mean,
                    ms.std
                )?;
            }
        }
        for n in &m.notes {
            writeln!(f, "note: {n}")?;
        }
        if !m.ignored_keys.is_empty() {
            writeln!(f, "ignored source keys: {}", m.ignored_keys.join(", "))?;
        }
        Ok(())
    }
}
