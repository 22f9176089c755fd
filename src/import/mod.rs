//! Real data: importers for the public CMU-MOSI / CMU-MOSEI feature releases, the native on-disk
//! format they produce, the embedded data manifest, and inspection / verification.
//!
//! ```text
//! source release ──import──▶ native dir (data.safetensors + meta.json) ──load_native──▶ Dataset
//!   mult-pkl   MulT's mosei_senti_data.pkl / mosi_data.pkl
//!   mmsa-pkl   MMSA's {MOSI,MOSEI}/Processed/aligned_50.pkl
//!   cmu-h5     CMU's older processed HDF5 folders ({text,audio,video}_{split}[_emb].h5, y_{split}.h5;
//!              needs the `hdf5` cargo feature)
//! ```
//!
//! # What an import does, in order
//!
//! 1. **Read** the requested splits (`--splits`, default all three). A missing split, modality or
//!    label file is an error naming it; `--fill-missing MODALITY` (explicit, recorded in
//!    `meta.json`) fills an absent modality with zeros instead — the CMU YouTube and ICT-MMMO
//!    folders never had `text_train_emb.h5`. Features must be float32 or float64 arrays of shape
//!    `[N, steps, dims]`; any other dtype or rank is an error naming the file.
//! 2. **Check shapes**: within a split every modality and the labels have the same count `N`, and
//!    every modality the same `steps` (unaligned releases, whose modalities have different
//!    lengths, are refused); across splits the dims agree; against the manifest release (chosen
//!    by `--release`, else by the files' SHA-256, else by file name) steps and dims must match.
//!    Sample counts that differ from the manifest are recorded as notes, not errors — the files'
//!    own counts are trusted (docs/fidelity.md, section 1).
//! 3. **Labels** go through the mapping named by `--labels` ([`LabelMapping`]); nothing is mapped
//!    silently, and labels that do not fit the mapping are an error naming the file and sample.
//! 4. **Real lengths** come from zero padding by the rule of [`PaddingRule`] (default `auto`),
//!    and the real steps are moved to the front (the crate's convention, `data` module docs).
//! 5. **Non-finite values** (NaN, ±inf: COVAREP has -inf) are counted per split and modality and
//!    handled by the [`NonFinitePolicy`]: zero-and-count (default) or reject (`--strict`).
//! 6. **Write** atomically ([`native::save_native_with_meta`]): everything goes into a temporary
//!    directory beside the target, renamed into place at the end; a failed import leaves nothing.
//!
//! Unknown dictionary keys in pickles are ignored, listed in `meta.json` (`ignored_keys`) and
//! printed — a documented ignore, never a silent one.

pub mod inspect;
pub mod manifest;
mod mmsa;
mod mult;
pub mod native;
pub mod pickle;
mod pickle_splits;
pub mod verify;

#[cfg(feature = "hdf5")]
mod cmu_h5;

pub use manifest::{Manifest, Release};
pub use native::{save_native, save_native_with_meta, NativeMeta};

use crate::data::{
    content_sha256, DataError, DataIdentity, Dataset, Modality, NonFinitePolicy, Sequences, Split,
    SplitName,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The source layouts `mmssl data import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum SourceFormat {
    /// MulT's pickles (`mosei_senti_data.pkl`, `mosi_data.pkl`): `{split: {text, audio, vision,
    /// labels, id}}`.
    MultPkl,
    /// MMSA's pickles (`aligned_50.pkl`): `{split: {text, audio, vision, regression_labels, …}}`.
    MmsaPkl,
    /// CMU's older processed HDF5 folders: one dataset `d1` per file (needs the `hdf5` feature).
    CmuH5,
    /// The CMU Multimodal SDK's computational sequences (`.csd`): listed in the manifest and
    /// checked by `verify` (file presence, size, checksum); not importable — align them with
    /// the SDK first.
    SdkCsd,
}

impl SourceFormat {
    /// The kebab-case name used on the command line and in the manifest.
    pub fn name(self) -> &'static str {
        match self {
            SourceFormat::MultPkl => "mult-pkl",
            SourceFormat::MmsaPkl => "mmsa-pkl",
            SourceFormat::CmuH5 => "cmu-h5",
            SourceFormat::SdkCsd => "sdk-csd",
        }
    }
}

impl fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How source labels become sentiment values in [-3, 3]. Always chosen explicitly (or the
/// identity `sentiment`, the pickles' default) and recorded in `meta.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum LabelMapping {
    /// One value per sample (`[N]`, `[N, 1]` or `[N, 1, 1]`), already a sentiment in [-3, 3];
    /// used as is.
    Sentiment,
    /// `[N, 3]` one-hot rows in the order negative / neutral / positive (CMU YouTube) → −1 / 0 /
    /// +1. Each row must hold exactly one 1 and two 0.
    #[value(name = "one-hot-3")]
    #[serde(rename = "one-hot-3")]
    OneHot3,
    /// One value per sample on a 1–5 scale (ICT-MMMO) → `1.5 · (y − 3)`: 1 → −3, 3 → 0, 5 → +3
    /// (linear, order-preserving). Values outside [1, 5] are an error.
    #[value(name = "likert-1-5")]
    #[serde(rename = "likert-1-5")]
    Likert1To5,
}

impl LabelMapping {
    /// The kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            LabelMapping::Sentiment => "sentiment",
            LabelMapping::OneHot3 => "one-hot-3",
            LabelMapping::Likert1To5 => "likert-1-5",
        }
    }

    /// The rule in words, as written to `meta.json`.
    pub fn rule(self) -> &'static str {
        match self {
            LabelMapping::Sentiment => "identity: one value per sample, must lie in [-3, 3]",
            LabelMapping::OneHot3 => {
                "one-hot [negative, neutral, positive] -> -1, 0, +1 (exactly one 1 per row)"
            }
            LabelMapping::Likert1To5 => "1..5 scale -> 1.5 * (y - 3), so 1 -> -3, 3 -> 0, 5 -> +3",
        }
    }

    /// Maps raw label values of shape `shape` to one sentiment per sample; errors name `source`,
    /// the sample and the value, and suggest the mapping that fits the shape.
    pub fn apply(
        self,
        shape: &[usize],
        values: &[f64],
        source: &str,
    ) -> Result<Vec<f32>, ImportError> {
        let n = shape.first().copied().unwrap_or(0);
        let width: usize = shape.iter().skip(1).product();
        let err = |message: String| ImportError::new(ImportErrorKind::Labels, source, message);
        let shape_hint = if width == 3 {
            "; these look like one-hot rows: use --labels one-hot-3"
        } else {
            ""
        };
        match self {
            LabelMapping::Sentiment | LabelMapping::Likert1To5 => {
                if shape.is_empty() || width != 1 {
                    return Err(err(format!(
                        "labels have shape {shape:?}; --labels {} expects one value per sample ([N], [N, 1] or [N, 1, 1]){shape_hint}",
                        self.name()
                    )));
                }
                let (lo, hi) = if self == LabelMapping::Sentiment {
                    (-3.0, 3.0)
                } else {
                    (1.0, 5.0)
                };
                values
                    .iter()
                    .enumerate()
                    .map(|(i, &y)| {
                        if !(y.is_finite() && (lo..=hi).contains(&y)) {
                            let hint = match self {
                                LabelMapping::Sentiment if (1.0..=5.0).contains(&y) => {
                                    "; a 1-5 scale? use --labels likert-1-5"
                                }
                                _ => "",
                            };
                            return Err(err(format!(
                                "label {y} at sample {i} is outside [{lo}, {hi}] (--labels {}){hint}",
                                self.name()
                            )));
                        }
                        Ok(if self == LabelMapping::Sentiment {
                            y as f32
                        } else {
                            (1.5 * (y - 3.0)) as f32
                        })
                    })
                    .collect()
            }
            LabelMapping::OneHot3 => {
                if shape.len() != 2 || width != 3 {
                    return Err(err(format!(
                        "labels have shape {shape:?}; --labels one-hot-3 expects [N, 3] rows (negative, neutral, positive)"
                    )));
                }
                (0..n)
                    .map(|i| {
                        let row = &values[i * 3..i * 3 + 3];
                        let ones = row.iter().filter(|&&v| v == 1.0).count();
                        let zeros = row.iter().filter(|&&v| v == 0.0).count();
                        if ones != 1 || zeros != 2 {
                            return Err(err(format!(
                                "row {i} is {row:?}, not one-hot (--labels one-hot-3 needs exactly one 1 and two 0)"
                            )));
                        }
                        Ok(row.iter().position(|&v| v == 1.0).expect("one 1") as f32 - 1.0)
                    })
                    .collect()
            }
        }
    }
}

/// How a sample's real steps are told from zero padding. A step is *non-zero* when any value of
/// any modality at that step is not exactly 0 (NaN and ±inf count as non-zero: they are data).
///
/// * `auto` (default): the real steps are the contiguous block from the first to the last
///   non-zero step, whichever side the padding was on (MulT pads at the front, CMU's HDF5 files at
///   the end). All-zero steps inside the block are kept (a word whose audio and visual rows are
///   zero is still a word); all-zero steps before it are treated as padding, so an end-padded
///   sample whose first steps are zero in every modality loses them — use `end` for such files.
/// * `end`: padding is at the end only; the real steps are 0 ..= the last non-zero step.
/// * `front`: padding is at the front only; the real steps are the first non-zero step ..= the
///   last step.
///
/// In every rule a sample with no non-zero step at all gets length 1 (one zero step; the crate
/// needs lengths ≥ 1) and is counted as `empty_samples` in `meta.json`. After detection the real
/// steps are moved to the front and the rest is zero.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum PaddingRule {
    /// First to last non-zero step, padding on either side.
    #[default]
    Auto,
    /// Padding at the front only.
    Front,
    /// Padding at the end only.
    End,
}

impl PaddingRule {
    /// The kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            PaddingRule::Auto => "auto",
            PaddingRule::Front => "front",
            PaddingRule::End => "end",
        }
    }
}

/// The real steps of one sample: `start .. start + len` in the source layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// First real step in the source.
    pub start: usize,
    /// Number of real steps (≥ 1).
    pub len: usize,
    /// True when no step of any modality was non-zero (the span is one zero step).
    pub empty: bool,
}

/// Applies `rule` to one sample: `rows[m]` is modality `m`'s `[steps, dims[m]]` block (an empty
/// slice for a modality that is absent). See [`PaddingRule`] for the definition.
pub fn detect_span(rows: [&[f32]; 3], dims: [usize; 3], steps: usize, rule: PaddingRule) -> Span {
    let nonzero = |t: usize| {
        (0..3).any(|m| {
            let d = dims[m];
            rows[m].len() >= (t + 1) * d && rows[m][t * d..(t + 1) * d].iter().any(|&v| v != 0.0)
        })
    };
    let first = (0..steps).find(|&t| nonzero(t));
    let Some(first) = first else {
        return Span {
            start: 0,
            len: 1.min(steps),
            empty: true,
        };
    };
    let last = (first..steps).rev().find(|&t| nonzero(t)).unwrap_or(first);
    let (start, end) = match rule {
        PaddingRule::Auto => (first, last),
        PaddingRule::End => (0, last),
        PaddingRule::Front => (first, steps - 1),
    };
    Span {
        start,
        len: end - start + 1,
        empty: false,
    }
}

/// What kind of problem an import hit (for callers that branch on it; the message says more).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportErrorKind {
    /// The file could not be read or written.
    Io,
    /// A required file, split, modality or key is absent.
    Missing,
    /// The bytes are not the expected format (not a pickle, not HDF5, truncated, …).
    Format,
    /// Shapes, counts, steps, dims or dtypes do not fit.
    Shape,
    /// Labels do not fit the chosen mapping.
    Labels,
    /// A non-finite value under `--strict`.
    NonFinite,
    /// The manifest disagrees or names no such release.
    Manifest,
    /// A bad option or an output that already exists.
    Argument,
}

/// An import / load / verify failure: the file it concerns and what was expected.
#[derive(Debug, Clone)]
pub struct ImportError {
    /// What kind of problem.
    pub kind: ImportErrorKind,
    /// The file (or file and key) concerned.
    pub what: String,
    /// What was expected and what was found.
    pub message: String,
}

impl ImportError {
    /// A new error about `what` (a path, or a path and a key).
    pub fn new(kind: ImportErrorKind, what: impl fmt::Display, message: impl Into<String>) -> Self {
        ImportError {
            kind,
            what: what.to_string(),
            message: message.into(),
        }
    }

    fn io(path: &Path, err: std::io::Error) -> Self {
        let kind = if err.kind() == std::io::ErrorKind::NotFound {
            ImportErrorKind::Missing
        } else {
            ImportErrorKind::Io
        };
        ImportError::new(kind, path.display(), err.to_string())
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.what.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.what, self.message)
        }
    }
}

impl std::error::Error for ImportError {}

impl From<crate::files::OutputError> for ImportError {
    fn from(err: crate::files::OutputError) -> ImportError {
        match err {
            crate::files::OutputError::Io { path, source } => ImportError::io(&path, source),
            crate::files::OutputError::Refused { path, why } => {
                ImportError::new(ImportErrorKind::Argument, path.display(), why)
            }
        }
    }
}

/// Options of an import; `Default` gives: all splits, identity labels, `auto` padding,
/// zero-and-count non-finite values, no filling, release chosen from the manifest.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Splits to import (others are stored empty).
    pub splits: Vec<SplitName>,
    /// Dataset name recorded in the identity (default: the release id and format).
    pub name: Option<String>,
    /// Label mapping; `None` means the format's default (`sentiment` for pickles; required for
    /// `cmu-h5`).
    pub labels: Option<LabelMapping>,
    /// Padding rule for real lengths.
    pub padding: PaddingRule,
    /// NaN / ±inf handling.
    pub non_finite: NonFinitePolicy,
    /// Modalities to fill with zeros when their file or key is absent (explicit, recorded).
    pub fill_missing: Vec<Modality>,
    /// Manifest release id to check against; `None` picks one by checksum or file name.
    pub release: Option<String>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            splits: SplitName::ALL.to_vec(),
            name: None,
            labels: None,
            padding: PaddingRule::Auto,
            non_finite: NonFinitePolicy::Zero,
            fill_missing: Vec::new(),
            release: None,
        }
    }
}

/// A source file's path, size and SHA-256, as recorded in `meta.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFile {
    /// Path relative to the source (file name, or name inside the source folder).
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

/// One modality block as read from a source, before checks: `shape` as stored, values as f32.
#[derive(Debug, Clone)]
pub(crate) struct RawArray {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
    pub source: String,
}

/// Labels as read from a source.
#[derive(Debug, Clone)]
pub(crate) struct RawLabels {
    pub shape: Vec<usize>,
    pub values: Vec<f64>,
    pub source: String,
}

/// One split as read from a source. An absent modality is `None` with the place it was looked
/// for in `missing`.
#[derive(Debug)]
pub(crate) struct RawSplit {
    pub name: SplitName,
    pub modalities: [Option<RawArray>; 3],
    pub missing: [String; 3],
    pub labels: RawLabels,
}

/// Everything a reader found.
#[derive(Debug, Default)]
pub(crate) struct RawSource {
    pub splits: Vec<RawSplit>,
    pub files: Vec<SourceFile>,
    pub ignored_keys: Vec<String>,
}

/// A finished import: the dataset and its `meta.json`.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The data, real steps first, labels mapped, non-finite values handled.
    pub dataset: Dataset,
    /// Provenance, shapes, counts and the choices made.
    pub meta: NativeMeta,
}

/// Reads a whole file, with an error naming it.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, ImportError> {
    let mut f = std::fs::File::open(path).map_err(|e| ImportError::io(path, e))?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf)
        .map_err(|e| ImportError::io(path, e))?;
    Ok(buf)
}

/// SHA-256 of a byte slice, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// SHA-256 and size of a file, streamed.
pub fn file_sha256(path: &Path) -> Result<(u64, String), ImportError> {
    let mut f = std::fs::File::open(path).map_err(|e| ImportError::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(|e| ImportError::io(path, e))?;
        if n == 0 {
            break;
        }
        total += n as u64;
        h.update(&buf[..n]);
    }
    Ok((total, hex(&h.finalize())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
    cmu_h5::read(src, opts)
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
    Ok((out, report))
}

/// Parses a comma-separated split list (`valid,test`).
pub fn parse_splits(s: &str) -> Result<Vec<SplitName>, String> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let split = match part {
            "train" => SplitName::Train,
            "valid" | "dev" | "val" => SplitName::Valid,
            "test" => SplitName::Test,
            other => {
                return Err(format!(
                    "unknown split `{other}`, expected train, valid or test"
                ))
            }
        };
        if !out.contains(&split) {
            out.push(split);
        }
    }
    if out.is_empty() {
        return Err("no split named".into());
    }
    Ok(out)
}

/// Where a native directory is read from: `meta.json` and `data.safetensors` inside `dir`.
pub fn native_files(dir: &Path) -> (PathBuf, PathBuf) {
    (dir.join(native::META_FILE), dir.join(native::DATA_FILE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_rules() {
        // 5 steps, one modality of 1 dim: [0, 2, 0, 3, 0]
        let x = [0.0, 2.0, 0.0, 3.0, 0.0];
        let rows: [&[f32]; 3] = [&x, &[], &[]];
        let d = [1, 0, 0];
        assert_eq!(
            detect_span(rows, d, 5, PaddingRule::Auto),
            Span {
                start: 1,
                len: 3,
                empty: false
            }
        );
        assert_eq!(
            detect_span(rows, d, 5, PaddingRule::End),
            Span {
                start: 0,
                len: 4,
                empty: false
            }
        );
        assert_eq!(
            detect_span(rows, d, 5, PaddingRule::Front),
            Span {
                start: 1,
                len: 4,
                empty: false
            }
        );
        let z = [0.0; 5];
        assert!(detect_span([&z, &[], &[]], d, 5, PaddingRule::Auto).empty);
    }

    #[test]
    fn label_mappings() {
        let v = LabelMapping::OneHot3
            .apply(&[3, 3], &[1., 0., 0., 0., 1., 0., 0., 0., 1.], "y")
            .unwrap();
        assert_eq!(v, vec![-1.0, 0.0, 1.0]);
        let v = LabelMapping::Likert1To5
            .apply(&[3], &[1.0, 3.0, 5.0], "y")
            .unwrap();
        assert_eq!(v, vec![-3.0, 0.0, 3.0]);
        let e = LabelMapping::Sentiment
            .apply(&[1], &[4.5], "y")
            .unwrap_err();
        assert!(e.message.contains("likert-1-5"), "{e}");
        let e = LabelMapping::Sentiment
            .apply(&[2, 3], &[0.0; 6], "y")
            .unwrap_err();
        assert!(e.message.contains("one-hot-3"), "{e}");
    }
}
