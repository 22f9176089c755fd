//! The import pipeline: read a source, check shapes against each other and the manifest, map
//! labels, find real lengths, handle non-finite values, assemble the [`Dataset`] and its
//! `meta.json` (steps 1–6 of the module docs).

use super::native::{self, NativeMeta};
use super::{
    detect_span, mmsa, mult, ImportError, ImportErrorKind, ImportOptions, LabelMapping, Manifest,
    PaddingRule, RawSource, RawSplit, Release, SourceFormat,
};
use crate::data::{
    content_sha256, DataError, DataIdentity, Dataset, Modality, NonFinitePolicy, Sequences, Split,
    SplitName,
};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A finished import: the dataset and its `meta.json`.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The data, real steps first, labels mapped, non-finite values handled.
    pub dataset: Dataset,
    /// Provenance, shapes, counts and the choices made.
    pub meta: NativeMeta,
}

/// Imports `src` (a file for the pickle formats, a folder for `cmu-h5`) into memory.
pub fn import(
    format: SourceFormat,
    src: &Path,
    opts: &ImportOptions,
) -> Result<Imported, ImportError> {
    if opts.splits.is_empty() {
        return Err(ImportError::new(
            ImportErrorKind::Argument,
            "",
            "--splits names no split",
        ));
    }
    let raw = match format {
        SourceFormat::MultPkl => mult::read(src, opts)?,
        SourceFormat::MmsaPkl => mmsa::read(src, opts)?,
        SourceFormat::CmuH5 => read_cmu_h5(src, opts)?,
        SourceFormat::SdkCsd => return Err(ImportError::new(
            ImportErrorKind::Argument,
            src.display(),
            "SDK computational sequences (.csd) are not word-aligned splits: align them with the \
                 CMU Multimodal SDK and export a MulT/MMSA-style pickle, then import that \
                 (`mmssl data verify --format sdk-csd` checks the files against the manifest)",
        )),
    };
    let manifest = Manifest::embedded();
    let release = manifest.resolve(format, src, &raw.files, opts.release.as_deref())?;
    assemble(format, src, raw, opts, release)
}

#[cfg(feature = "hdf5")]
fn read_cmu_h5(src: &Path, opts: &ImportOptions) -> Result<RawSource, ImportError> {
    super::cmu_h5::read(src, opts)
}

#[cfg(not(feature = "hdf5"))]
fn read_cmu_h5(src: &Path, _opts: &ImportOptions) -> Result<RawSource, ImportError> {
    Err(ImportError::new(
        ImportErrorKind::Argument,
        src.display(),
        "the cmu-h5 importer needs the `hdf5` cargo feature (pure Rust, no system library): \
         build with `--features hdf5`",
    ))
}

/// Imports `src` and writes the native directory `out` atomically; `overwrite` replaces an
/// existing `out`.
pub fn import_to_dir(
    format: SourceFormat,
    src: &Path,
    out: &Path,
    opts: &ImportOptions,
    overwrite: bool,
) -> Result<Imported, ImportError> {
    native::check_target(out, overwrite)?;
    let imported = import(format, src, opts)?;
    native::save_unchecked(&imported.dataset, &imported.meta, out, overwrite)?;
    Ok(imported)
}

/// Per-split facts gathered while assembling, for `meta.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitReport {
    /// Samples whose real steps did not start at step 0 in the source (moved to the front).
    pub shifted_samples: usize,
    /// Samples with no non-zero step in any modality (given length 1).
    pub empty_samples: usize,
    /// Modalities filled with zeros because the source lacks them (`--fill-missing`).
    pub filled: Vec<Modality>,
    /// Non-finite values found (and zeroed, under the default policy), per modality.
    pub non_finite: Vec<native::ModalityNonFinite>,
    /// Samples padded on the other side than `--padding front|end` says (zero steps only at the
    /// end under `front`, only at the front under `end`): a note when most are (not stored).
    #[serde(skip)]
    pub padding_mismatch: usize,
}

fn assemble(
    format: SourceFormat,
    src: &Path,
    raw: RawSource,
    opts: &ImportOptions,
    release: Option<&Release>,
) -> Result<Imported, ImportError> {
    let labels = match (opts.labels, format) {
        (Some(l), _) => l,
        (None, SourceFormat::CmuH5) => {
            let hint = raw
                .splits
                .first()
                .map(|s| {
                    format!(
                        " ({} has shape {:?}: {})",
                        s.labels.source,
                        s.labels.shape,
                        if s.labels.shape.get(1) == Some(&3) {
                            "one-hot rows, --labels one-hot-3"
                        } else {
                            "one value per sample: --labels sentiment for [-3, 3], likert-1-5 for a 1-5 scale"
                        }
                    )
                })
                .unwrap_or_default();
            return Err(ImportError::new(
                ImportErrorKind::Argument,
                src.display(),
                format!(
                    "cmu-h5 labels differ between releases: choose a mapping with --labels \
                     one-hot-3|sentiment|likert-1-5{hint}"
                ),
            ));
        }
        (None, _) => LabelMapping::Sentiment,
    };
    // dims of each modality, from any split that has it (for --fill-missing), else the manifest
    let mut known_dims: [Option<usize>; 3] = [None; 3];
    let mut known_steps: Option<usize> = None;
    for s in &raw.splits {
        for (dims, a) in known_dims.iter_mut().zip(&s.modalities) {
            if let Some(a) = a {
                if a.shape.len() == 3 {
                    dims.get_or_insert(a.shape[2]);
                    known_steps.get_or_insert(a.shape[1]);
                }
            }
        }
    }
    if let Some(r) = release {
        for m in Modality::ALL {
            if known_dims[m.index()].is_none() {
                known_dims[m.index()] = r.dims_of(m);
            }
        }
        if known_steps.is_none() {
            known_steps = r.steps_of(Modality::Text);
        }
    }

    let mut splits: Vec<(Split, SplitReport)> = Vec::new();
    for rs in raw.splits {
        splits.push(assemble_split(rs, labels, opts, known_dims, known_steps)?);
    }
    // dims and steps agree across splits
    let (first, _) = &splits[0];
    let (dims, steps) = (first.dims(), first.steps());
    for (s, _) in &splits[1..] {
        if s.dims() != dims || s.steps() != steps {
            return Err(ImportError::new(
                ImportErrorKind::Shape,
                src.display(),
                format!(
                    "split {} has steps {} and dims {:?} but split {} has steps {steps} and dims {dims:?}",
                    s.name,
                    s.steps(),
                    s.dims(),
                    first.name
                ),
            ));
        }
    }
    let mut notes = Vec::new();
    for (s, report) in &splits {
        if report.padding_mismatch * 2 > s.len() {
            let (given, seen) = match opts.padding {
                PaddingRule::End => ("end", "front"),
                _ => ("front", "end"),
            };
            notes.push(format!(
                "split {}: {} of {} samples have zero steps only at the {seen}, but --padding {given} \
                 was given: the data look {seen}-padded, and their real steps are kept with the \
                 padding (--padding auto detects either layout)",
                s.name,
                report.padding_mismatch,
                s.len()
            ));
        }
    }
    if let Some(r) = release {
        for m in Modality::ALL {
            let got = dims[m.index()];
            if let Some(want) = r.dims_of(m).filter(|&w| w != got) {
                return Err(ImportError::new(
                    ImportErrorKind::Manifest,
                    src.display(),
                    format!(
                        "{m} has {got} features per step, but manifest release `{}` expects {want} \
                         (wrong file or release? pass --release to choose another)",
                        r.id
                    ),
                ));
            }
            if let Some(want) = r.steps_of(m).filter(|&w| w != steps) {
                return Err(ImportError::new(
                    ImportErrorKind::Manifest,
                    src.display(),
                    format!(
                        "{m} has {steps} steps, but manifest release `{}` expects {want}",
                        r.id
                    ),
                ));
            }
        }
        for (s, _) in &splits {
            if let Some(want) = r.count_of(s.name) {
                if want != s.len() {
                    notes.push(format!(
                        "split {} has {} samples; manifest release `{}` lists {want} (the file's own count is used)",
                        s.name,
                        s.len(),
                        r.id
                    ));
                }
            }
        }
    }
    let name = opts.name.clone().unwrap_or_else(|| {
        let base = release.map(|r| r.id.clone()).unwrap_or_else(|| {
            src.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "imported".into())
        });
        format!("{base} ({format})")
    });
    let mut reports = Vec::new();
    let mut take = |name: SplitName| -> (Split, Option<SplitReport>) {
        match splits.iter().position(|(s, _)| s.name == name) {
            Some(i) => {
                let (s, r) = splits.swap_remove(i);
                (s, Some(r))
            }
            None => (empty_split(name, steps, dims), None),
        }
    };
    let (train, r_train) = take(SplitName::Train);
    let (valid, r_valid) = take(SplitName::Valid);
    let (test, r_test) = take(SplitName::Test);
    reports.extend([r_train, r_valid, r_test]);
    let sha256 = content_sha256(&[&train, &valid, &test]);
    let dataset = Dataset {
        identity: DataIdentity {
            name: name.clone(),
            seed: None,
            scale: None,
            sha256: sha256.clone(),
            synthetic: false,
        },
        train,
        valid,
        test,
    };
    let meta = NativeMeta::for_import(
        &dataset,
        native::ImportProvenance {
            format,
            source_path: src.display().to_string(),
            files: raw.files,
            release: release.map(|r| r.id.clone()),
            labels,
            padding: opts.padding,
            non_finite_policy: opts.non_finite,
            ignored_keys: raw.ignored_keys,
            notes,
            reports,
        },
    );
    Ok(Imported { dataset, meta })
}

/// A split with no samples and the given shape (a split that was not imported).
pub fn empty_split(name: SplitName, steps: usize, dims: [usize; 3]) -> Split {
    Split {
        name,
        modalities: dims.map(|d| Sequences::zeros(0, steps, d)),
        lengths: Vec::new(),
        labels: Vec::new(),
        emotions: None,
        ids: None,
    }
}

fn assemble_split(
    rs: RawSplit,
    labels: LabelMapping,
    opts: &ImportOptions,
    known_dims: [Option<usize>; 3],
    known_steps: Option<usize>,
) -> Result<(Split, SplitReport), ImportError> {
    let split = rs.name;
    let n = rs.labels.shape.first().copied().unwrap_or(0);
    let mut report = SplitReport::default();
    // shapes: every present modality is [n, steps, dims] with one `steps`
    let mut steps: Option<(usize, String)> = None;
    for (m, a) in Modality::ALL.iter().zip(&rs.modalities) {
        let Some(a) = a else { continue };
        if a.shape.len() != 3 {
            return Err(ImportError::new(
                ImportErrorKind::Shape,
                &a.source,
                format!(
                    "{m} has shape {:?}, expected 3 dimensions [samples, steps, features]",
                    a.shape
                ),
            ));
        }
        if a.shape[0] != n {
            return Err(ImportError::new(
                ImportErrorKind::Shape,
                &a.source,
                format!(
                    "split {split}: {m} has {} samples but the labels ({}) have {n}",
                    a.shape[0], rs.labels.source
                ),
            ));
        }
        match &steps {
            None => steps = Some((a.shape[1], a.source.clone())),
            Some((t, src)) if *t != a.shape[1] => {
                return Err(ImportError::new(
                    ImportErrorKind::Shape,
                    &a.source,
                    format!(
                        "split {split}: {m} has {} steps but {src} has {t}; the modalities are not \
                         word-aligned (an unaligned release?) and this crate needs aligned data",
                        a.shape[1]
                    ),
                ));
            }
            _ => {}
        }
    }
    let steps = steps.map(|s| s.0).or(known_steps).ok_or_else(|| {
        ImportError::new(
            ImportErrorKind::Missing,
            &rs.labels.source,
            format!("split {split} has no modality at all"),
        )
    })?;
    // absent modalities: error, or zeros under --fill-missing
    let mut blocks: Vec<(usize, Vec<f32>, String)> = Vec::with_capacity(3);
    for (m, (a, missing)) in Modality::ALL
        .iter()
        .zip(rs.modalities.into_iter().zip(rs.missing))
    {
        match a {
            Some(a) => blocks.push((a.shape[2], a.data, a.source)),
            None if opts.fill_missing.contains(m) => {
                let d = known_dims[m.index()].ok_or_else(|| {
                    ImportError::new(
                        ImportErrorKind::Missing,
                        &missing,
                        format!(
                            "{m} is absent and its feature dims are unknown (no other split has it \
                             and no manifest release matched): import a split that has {m} too, or pass --release"
                        ),
                    )
                })?;
                report.filled.push(*m);
                blocks.push((d, vec![0.0; n * steps * d], format!("zeros for absent {missing}")));
            }
            None => {
                return Err(ImportError::new(
                    ImportErrorKind::Missing,
                    &missing,
                    format!(
                        "split {split} has no {m}: the file or key is absent. Import other splits \
                         (--splits valid,test), or fill {m} with zeros explicitly (--fill-missing {m})"
                    ),
                ))
            }
        }
    }
    let label_values = labels.apply(&rs.labels.shape, &rs.labels.values, &rs.labels.source)?;
    if label_values.len() != n {
        return Err(ImportError::new(
            ImportErrorKind::Labels,
            &rs.labels.source,
            format!("{} labels for {n} samples", label_values.len()),
        ));
    }
    // --strict: the first non-finite value, at its position in the source (before any move)
    if opts.non_finite == NonFinitePolicy::Reject {
        for (m, (d, data, source)) in Modality::ALL.iter().zip(&blocks) {
            if let Some(pos) = data.iter().position(|v| !v.is_finite()) {
                let e = DataError::NonFinite {
                    split,
                    modality: *m,
                    sample: pos / (steps * d),
                    step: pos / d % steps,
                    feature: pos % d,
                    value: data[pos],
                };
                return Err(ImportError::new(
                    ImportErrorKind::NonFinite,
                    source,
                    format!("{e} (source layout; --strict rejects NaN and ±inf, without it they are set to 0 and counted)"),
                ));
            }
        }
    }
    // lengths, and real steps moved to the front
    let dims = [blocks[0].0, blocks[1].0, blocks[2].0];
    let mut lengths = Vec::with_capacity(n);
    for i in 0..n {
        let span = {
            let rows: [&[f32]; 3] = [0, 1, 2].map(|m| {
                let per = steps * dims[m];
                &blocks[m].1[i * per..(i + 1) * per]
            });
            let auto = detect_span(rows, dims, steps, PaddingRule::Auto);
            let (front_zeros, end_zeros) = (auto.start > 0, auto.start + auto.len < steps);
            let mismatch = match opts.padding {
                PaddingRule::Front => end_zeros && !front_zeros,
                PaddingRule::End => front_zeros && !end_zeros,
                PaddingRule::Auto => false,
            };
            report.padding_mismatch += usize::from(mismatch && !auto.empty);
            detect_span(rows, dims, steps, opts.padding)
        };
        if span.empty {
            report.empty_samples += 1;
        }
        if span.start > 0 {
            report.shifted_samples += 1;
            for (m, block) in blocks.iter_mut().enumerate() {
                let d = dims[m];
                let sample = &mut block.1[i * steps * d..(i + 1) * steps * d];
                sample.copy_within(span.start * d..(span.start + span.len) * d, 0);
                sample[span.len * d..].fill(0.0);
            }
        } else if span.len < steps {
            for (m, block) in blocks.iter_mut().enumerate() {
                let d = dims[m];
                block.1[i * steps * d + span.len * d..(i + 1) * steps * d].fill(0.0);
            }
        }
        lengths.push(span.len);
    }
    // non-finite values: count per modality, then the policy
    let mut sources = Vec::with_capacity(3);
    let mut seqs = Vec::with_capacity(3);
    for (m, (d, data, source)) in Modality::ALL.iter().zip(blocks) {
        report
            .non_finite
            .push(native::ModalityNonFinite::count(*m, &data));
        sources.push(source);
        seqs.push(Sequences::new(n, steps, d, data).map_err(|e| {
            ImportError::new(
                ImportErrorKind::Shape,
                sources.last().expect("pushed"),
                e.to_string(),
            )
        })?);
    }
    let modalities: [Sequences; 3] = seqs.try_into().expect("three modalities");
    let mut out = Split {
        name: split,
        modalities,
        lengths,
        labels: label_values,
        emotions: None,
        ids: None,
    };
    out.sanitize(opts.non_finite).map_err(|e| match &e {
        DataError::NonFinite { modality, .. } => ImportError::new(
            ImportErrorKind::NonFinite,
            &sources[modality.index()],
            format!(
                "{e} (--strict rejects NaN and ±inf; without it they are set to 0 and counted)"
            ),
        ),
        _ => ImportError::new(ImportErrorKind::Shape, &rs.labels.source, e.to_string()),
    })?;
    out.validate()
        .map_err(|e| ImportError::new(ImportErrorKind::Shape, &rs.labels.source, e.to_string()))?;
    if let Some(ids) = rs.ids {
        if ids.values.len() != n {
            return Err(ImportError::new(
                ImportErrorKind::Shape,
                &ids.source,
                format!(
                    "split {split}: {} utterance ids for {n} samples (the labels, {}); expected \
                     one id per utterance",
                    ids.values.len(),
                    rs.labels.source
                ),
            ));
        }
        out.ids = Some(ids.values);
    }
    Ok((out, report))
}

/// Where a native directory is read from: `meta.json` and `data.safetensors` inside `dir`.
pub fn native_files(dir: &Path) -> (PathBuf, PathBuf) {
    (dir.join(native::META_FILE), dir.join(native::DATA_FILE))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{RawArray, RawIds, RawLabels};

    /// A split of `n` one-step samples, each modality one feature of 1.0, with `ids`.
    fn raw_split(n: usize, ids: Vec<&str>) -> RawSplit {
        let array = |key: &str| RawArray {
            shape: vec![n, 1, 1],
            data: vec![1.0; n],
            source: format!("x.pkl [train][{key}]"),
        };
        RawSplit {
            name: SplitName::Train,
            modalities: [
                Some(array("text")),
                Some(array("audio")),
                Some(array("vision")),
            ],
            missing: Default::default(),
            labels: RawLabels {
                shape: vec![n],
                values: vec![0.5; n],
                source: "x.pkl [train][labels]".into(),
            },
            ids: Some(RawIds {
                values: ids.into_iter().map(String::from).collect(),
                source: "x.pkl [train][id]".into(),
            }),
        }
    }

    #[test]
    fn ids_are_kept_one_per_utterance_or_refused_by_field() {
        let opts = ImportOptions::default();
        let (split, _) = assemble_split(
            raw_split(2, vec!["a", "b"]),
            LabelMapping::Sentiment,
            &opts,
            [None; 3],
            None,
        )
        .unwrap();
        assert_eq!(split.ids, Some(vec!["a".to_string(), "b".to_string()]));
        let e = assemble_split(
            raw_split(2, vec!["a"]),
            LabelMapping::Sentiment,
            &opts,
            [None; 3],
            None,
        )
        .unwrap_err();
        assert_eq!(e.kind, ImportErrorKind::Shape);
        assert_eq!(e.what, "x.pkl [train][id]");
        assert!(e.message.contains("1 utterance ids for 2 samples"), "{e}");
    }
}
