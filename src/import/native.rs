//! The native on-disk format: a directory with `data.safetensors` and `meta.json`.
//!
//! `data.safetensors` (the safetensors format: 8-byte little-endian header length, JSON header,
//! raw little-endian tensors) holds, for each split with at least one sample:
//!
//! | tensor | dtype | shape |
//! | --- | --- | --- |
//! | `{split}.text`, `{split}.audio`, `{split}.visual` | F32 | `[N, steps, dims]`, real steps first |
//! | `{split}.lengths` | U32 (I64 also read) | `[N]` |
//! | `{split}.labels` | F32 | `[N]`, sentiment in [-3, 3] |
//! | `{split}.emotions` (optional) | F32 | `[N, 6]` |
//!
//! `meta.json` ([`NativeMeta`]) records the format version, name, source format and files (with
//! SHA-256), counts, steps and dims of every split (0 for one not imported), the label mapping,
//! the padding rule, the non-finite counts, and the identity SHA-256 ([`content_sha256`] of the
//! three splits), which [`Dataset::load_native`] recomputes: a mismatch is an error, so a loaded
//! dataset is bit-identical to the one saved.
//!
//! Writes are atomic: both files go into a temporary directory beside the target that is renamed
//! into place at the end; on any failure the temporary directory is removed.

use super::{
    empty_split, ImportError, ImportErrorKind, LabelMapping, PaddingRule, SourceFile, SourceFormat,
    SplitReport,
};
use crate::data::{
    content_sha256, DataIdentity, Dataset, Modality, NonFinitePolicy, Sequences, Split, SplitName,
    EMOTIONS,
};
use crate::files;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Name of the tensor file inside a native directory.
pub const DATA_FILE: &str = "data.safetensors";
/// Name of the metadata file inside a native directory.
pub const META_FILE: &str = "meta.json";
/// Version of the native format written by this crate.
pub const FORMAT_VERSION: u32 = 1;

/// Non-finite values found in one modality of one split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModalityNonFinite {
    /// Which modality.
    pub modality: Modality,
    /// NaN values.
    pub nan: usize,
    /// +inf values.
    pub pos_inf: usize,
    /// -inf values.
    pub neg_inf: usize,
}

impl Default for ModalityNonFinite {
    fn default() -> Self {
        ModalityNonFinite {
            modality: Modality::Text,
            nan: 0,
            pos_inf: 0,
            neg_inf: 0,
        }
    }
}

impl ModalityNonFinite {
    /// The NaN, +inf and -inf values among `values` of `modality`.
    pub fn count(modality: Modality, values: &[f32]) -> Self {
        let mut c = ModalityNonFinite {
            modality,
            ..Default::default()
        };
        for v in values.iter().filter(|v| !v.is_finite()) {
            if v.is_nan() {
                c.nan += 1;
            } else if *v > 0.0 {
                c.pos_inf += 1;
            } else {
                c.neg_inf += 1;
            }
        }
        c
    }
}

/// Shape and import facts of one split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SplitMeta {
    /// Which split.
    pub name: SplitName,
    /// False for a split that was not imported (stored empty).
    pub imported: bool,
    /// Samples.
    pub count: usize,
    /// Import facts (shifted / empty samples, filled modalities, non-finite counts).
    #[serde(flatten)]
    pub report: SplitReport,
}

/// Where the data came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceMeta {
    /// `mult-pkl`, `mmsa-pkl`, `cmu-h5`, or `in-memory` for data saved directly.
    pub format: String,
    /// The source path as given to the importer.
    pub path: String,
    /// Manifest release the source was checked against, if any.
    pub release: Option<String>,
    /// Every source file read, with size and SHA-256.
    pub files: Vec<SourceFile>,
}

/// The label mapping used, by name and in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelMeta {
    /// `sentiment`, `one-hot-3`, `likert-1-5`, or `none` for data saved directly.
    pub mapping: String,
    /// The rule.
    pub rule: String,
}

/// `meta.json` of a native directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NativeMeta {
    /// Native format version ([`FORMAT_VERSION`]).
    pub format_version: u32,
    /// Dataset name (the identity's name).
    pub name: String,
    /// True for generated data.
    pub synthetic: bool,
    /// [`content_sha256`] of train, valid and test.
    pub identity_sha256: String,
    /// Padded steps shared by every modality.
    pub steps: usize,
    /// Feature dims, text / audio / visual.
    pub dims: [usize; 3],
    /// Train, valid, test.
    pub splits: Vec<SplitMeta>,
    /// Provenance.
    pub source: SourceMeta,
    /// Label mapping.
    pub labels: LabelMeta,
    /// Padding rule used to find real lengths (`auto`, `front`, `end`, or `none`).
    pub padding: String,
    /// Non-finite policy applied at import.
    pub non_finite_policy: NonFinitePolicy,
    /// Source keys that were present and ignored.
    pub ignored_keys: Vec<String>,
    /// Anything else worth knowing (count differences from the manifest, …).
    pub notes: Vec<String>,
    /// The program that wrote the directory.
    pub created_by: String,
}

/// What an importer knows beyond the dataset itself.
#[derive(Debug, Clone)]
pub(crate) struct ImportProvenance {
    pub format: SourceFormat,
    pub source_path: String,
    pub files: Vec<SourceFile>,
    pub release: Option<String>,
    pub labels: LabelMapping,
    pub padding: PaddingRule,
    pub non_finite_policy: NonFinitePolicy,
    pub ignored_keys: Vec<String>,
    pub notes: Vec<String>,
    pub reports: Vec<Option<SplitReport>>,
}

impl NativeMeta {
    pub(crate) fn for_import(data: &Dataset, p: ImportProvenance) -> NativeMeta {
        let splits = SplitName::ALL
            .iter()
            .zip(p.reports)
            .map(|(&s, r)| SplitMeta {
                name: s,
                imported: r.is_some(),
                count: data.split(s).len(),
                report: r.unwrap_or_default(),
            })
            .collect();
        NativeMeta {
            format_version: FORMAT_VERSION,
            name: data.identity.name.clone(),
            synthetic: data.identity.synthetic,
            identity_sha256: data.identity.sha256.clone(),
            steps: data.train.steps(),
            dims: data.dims(),
            splits,
            source: SourceMeta {
                format: p.format.name().into(),
                path: p.source_path,
                release: p.release,
                files: p.files,
            },
            labels: LabelMeta {
                mapping: p.labels.name().into(),
                rule: p.labels.rule().into(),
            },
            padding: p.padding.name().into(),
            non_finite_policy: p.non_finite_policy,
            ignored_keys: p.ignored_keys,
            notes: p.notes,
            created_by: created_by(),
        }
    }

    /// Meta for a dataset saved directly (no import): source `in-memory`, no mapping.
    pub fn for_dataset(data: &Dataset) -> NativeMeta {
        NativeMeta {
            format_version: FORMAT_VERSION,
            name: data.identity.name.clone(),
            synthetic: data.identity.synthetic,
            identity_sha256: content_sha256(&[&data.train, &data.valid, &data.test]),
            steps: data.train.steps(),
            dims: data.dims(),
            splits: SplitName::ALL
                .iter()
                .map(|&s| SplitMeta {
                    name: s,
                    imported: !data.split(s).is_empty(),
                    count: data.split(s).len(),
                    report: SplitReport::default(),
                })
                .collect(),
            source: SourceMeta {
                format: "in-memory".into(),
                path: String::new(),
                release: None,
                files: Vec::new(),
            },
            labels: LabelMeta {
                mapping: "none".into(),
                rule: "labels saved as given".into(),
            },
            padding: "none".into(),
            non_finite_policy: NonFinitePolicy::Zero,
            ignored_keys: Vec::new(),
            notes: Vec::new(),
            created_by: created_by(),
        }
    }

    /// The identity a loaded dataset carries.
    pub fn identity(&self) -> DataIdentity {
        DataIdentity {
            name: self.name.clone(),
            seed: None,
            scale: None,
            sha256: self.identity_sha256.clone(),
            synthetic: self.synthetic,
        }
    }

    /// Reads `meta.json` of a native directory.
    pub fn read(dir: &Path) -> Result<NativeMeta, ImportError> {
        let path = dir.join(META_FILE);
        let text = fs::read_to_string(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                ImportError::new(
                    ImportErrorKind::Missing,
                    path.display(),
                    "missing: not a native data directory (create one with `mmssl data import`)",
                )
            } else {
                ImportError::new(ImportErrorKind::Io, path.display(), e.to_string())
            }
        })?;
        let meta: NativeMeta = serde_json::from_str(&text).map_err(|e| {
            ImportError::new(
                ImportErrorKind::Format,
                path.display(),
                format!("invalid meta.json: {e}"),
            )
        })?;
        if meta.format_version != FORMAT_VERSION {
            return Err(ImportError::new(
                ImportErrorKind::Format,
                path.display(),
                format!(
                    "native format version {}, this build reads version {FORMAT_VERSION}",
                    meta.format_version
                ),
            ));
        }
        Ok(meta)
    }
}

fn created_by() -> String {
    format!("mmssl {}", env!("CARGO_PKG_VERSION"))
}

/// Saves `data` as a native directory with a minimal `meta.json` (source `in-memory`); fails if
/// `dir` exists.
pub fn save_native(data: &Dataset, dir: &Path) -> Result<NativeMeta, ImportError> {
    let meta = NativeMeta::for_dataset(data);
    save_native_with_meta(data, &meta, dir, false)?;
    Ok(meta)
}

/// Errors when `out` exists and `overwrite` is false, and when `overwrite` would replace anything
/// but a native data directory (a directory with `meta.json`): `--force` never deletes a user's
/// own files ([`crate::files::check_replaceable`]).
pub(crate) fn check_target(out: &Path, overwrite: bool) -> Result<(), ImportError> {
    Ok(files::check_replaceable(out, overwrite, META_FILE)?)
}

/// Saves `data` with `meta` as a native directory, atomically. The identity checksum in `meta`
/// must be the data's.
pub fn save_native_with_meta(
    data: &Dataset,
    meta: &NativeMeta,
    dir: &Path,
    overwrite: bool,
) -> Result<(), ImportError> {
    let sha = content_sha256(&[&data.train, &data.valid, &data.test]);
    if sha != meta.identity_sha256 {
        return Err(ImportError::new(
            ImportErrorKind::Argument,
            dir.display(),
            format!(
                "meta.json identity {} does not match the data's checksum {sha}",
                meta.identity_sha256
            ),
        ));
    }
    save_unchecked(data, meta, dir, overwrite)
}

/// [`save_native_with_meta`] for a `meta` made from `data` by the importer (checksum known equal).
pub(crate) fn save_unchecked(
    data: &Dataset,
    meta: &NativeMeta,
    dir: &Path,
    overwrite: bool,
) -> Result<(), ImportError> {
    files::commit_dir(dir, overwrite, META_FILE, |tmp| {
        write_tensors(data, &tmp.join(DATA_FILE))?;
        let path = tmp.join(META_FILE);
        let text = serde_json::to_string_pretty(meta).expect("meta serialises");
        let mut f = fs::File::create(&path).map_err(|e| io_err(&path, e))?;
        f.write_all(text.as_bytes())
            .and_then(|_| f.write_all(b"\n"))
            .and_then(|_| f.sync_all())
            .map_err(|e| io_err(&path, e))
    })
}

fn io_err(path: &Path, e: std::io::Error) -> ImportError {
    ImportError::new(ImportErrorKind::Io, path.display(), e.to_string())
}

#[derive(Serialize, Deserialize)]
struct TensorInfo {
    dtype: String,
    shape: Vec<usize>,
    data_offsets: [u64; 2],
}

enum TensorData<'a> {
    F32(&'a [f32]),
    U32(Vec<u32>),
    Emotions(&'a [[f32; 6]]),
}

impl TensorData<'_> {
    fn bytes(&self) -> u64 {
        4 * match self {
            TensorData::F32(v) => v.len(),
            TensorData::U32(v) => v.len(),
            TensorData::Emotions(v) => v.len() * 6,
        } as u64
    }

    fn dtype(&self) -> &'static str {
        match self {
            TensorData::U32(_) => "U32",
            _ => "F32",
        }
    }

    fn write(&self, w: &mut impl Write) -> std::io::Result<()> {
        let mut buf = Vec::with_capacity(1 << 18);
        let flush = |buf: &mut Vec<u8>, w: &mut dyn Write| -> std::io::Result<()> {
            w.write_all(buf)?;
            buf.clear();
            Ok(())
        };
        match self {
            TensorData::F32(v) => {
                for chunk in v.chunks(1 << 16) {
                    buf.extend(chunk.iter().flat_map(|x| x.to_le_bytes()));
                    flush(&mut buf, w)?;
                }
            }
            TensorData::U32(v) => {
                buf.extend(v.iter().flat_map(|x| x.to_le_bytes()));
                flush(&mut buf, w)?;
            }
            TensorData::Emotions(v) => {
                buf.extend(v.iter().flatten().flat_map(|x| x.to_le_bytes()));
                flush(&mut buf, w)?;
            }
        }
        Ok(())
    }
}

fn tensors(data: &Dataset) -> Vec<(String, Vec<usize>, TensorData<'_>)> {
    let mut out = Vec::new();
    for s in SplitName::ALL {
        let split = data.split(s);
        if split.is_empty() {
            continue;
        }
        for m in Modality::ALL {
            let seq = split.modality(m);
            out.push((
                format!("{s}.{m}"),
                vec![seq.len(), seq.steps(), seq.dims()],
                TensorData::F32(seq.as_slice()),
            ));
        }
        out.push((
            format!("{s}.lengths"),
            vec![split.len()],
            TensorData::U32(split.lengths.iter().map(|&l| l as u32).collect()),
        ));
        out.push((
            format!("{s}.labels"),
            vec![split.len()],
            TensorData::F32(&split.labels),
        ));
        if let Some(e) = &split.emotions {
            out.push((
                format!("{s}.emotions"),
                vec![split.len(), EMOTIONS.len()],
                TensorData::Emotions(e),
            ));
        }
    }
    out
}

fn write_tensors(data: &Dataset, path: &Path) -> Result<(), ImportError> {
    let list = tensors(data);
    let mut header = serde_json::Map::new();
    let mut meta = serde_json::Map::new();
    meta.insert("format".into(), "mmssl-native".into());
    meta.insert("format_version".into(), FORMAT_VERSION.to_string().into());
    header.insert("__metadata__".into(), serde_json::Value::Object(meta));
    let mut offset = 0u64;
    for (name, shape, t) in &list {
        let end = offset + t.bytes();
        header.insert(
            name.clone(),
            serde_json::to_value(TensorInfo {
                dtype: t.dtype().into(),
                shape: shape.clone(),
                data_offsets: [offset, end],
            })
            .expect("serialises"),
        );
        offset = end;
    }
    let mut text = serde_json::to_string(&header)
        .expect("serialises")
        .into_bytes();
    while !text.len().is_multiple_of(8) {
        text.push(b' ');
    }
    let f = fs::File::create(path).map_err(|e| io_err(path, e))?;
    let mut w = BufWriter::with_capacity(1 << 20, f);
    let result = (|| -> std::io::Result<()> {
        w.write_all(&(text.len() as u64).to_le_bytes())?;
        w.write_all(&text)?;
        for (_, _, t) in &list {
            t.write(&mut w)?;
        }
        w.flush()?;
        w.get_ref().sync_all()
    })();
    result.map_err(|e| io_err(path, e))
}

impl Dataset {
    /// Loads a native directory written by `mmssl data import` (or [`save_native`]); the content
    /// checksum must equal `meta.json`'s identity, so the data are bit-identical to what was saved.
    pub fn load_native(dir: &Path) -> Result<Dataset, ImportError> {
        load_native_with_meta(dir).map(|(d, _)| d)
    }
}

/// [`Dataset::load_native`], also returning `meta.json`.
pub fn load_native_with_meta(dir: &Path) -> Result<(Dataset, NativeMeta), ImportError> {
    let meta = NativeMeta::read(dir)?;
    let path = dir.join(DATA_FILE);
    let what = path.display().to_string();
    let bad = |msg: String| ImportError::new(ImportErrorKind::Format, &what, msg);
    let mut f = fs::File::open(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            ImportError::new(
                ImportErrorKind::Missing,
                &what,
                "missing (meta.json is there, the tensors are not)",
            )
        } else {
            io_err(&path, e)
        }
    })?;
    let file_len = f.metadata().map_err(|e| io_err(&path, e))?.len();
    let mut len8 = [0u8; 8];
    f.read_exact(&mut len8)
        .map_err(|_| bad("truncated: shorter than the 8-byte safetensors header length".into()))?;
    let header_len = u64::from_le_bytes(len8);
    if header_len > 100 << 20 || 8 + header_len > file_len {
        return Err(bad(format!(
            "safetensors header length {header_len} does not fit the file ({file_len} bytes): truncated or not safetensors"
        )));
    }
    let mut header = vec![0u8; header_len as usize];
    f.read_exact(&mut header).map_err(|e| io_err(&path, e))?;
    let header: BTreeMap<String, serde_json::Value> = serde_json::from_slice(&header)
        .map_err(|e| bad(format!("invalid safetensors header: {e}")))?;
    let data_start = 8 + header_len;
    let data_len = file_len - data_start;
    let mut infos: BTreeMap<String, TensorInfo> = BTreeMap::new();
    for (name, v) in header {
        if name == "__metadata__" {
            continue;
        }
        let info: TensorInfo =
            serde_json::from_value(v).map_err(|e| bad(format!("tensor {name}: {e}")))?;
        let elem = match info.dtype.as_str() {
            "F32" | "U32" => 4,
            "I64" => 8,
            other => {
                return Err(bad(format!(
                    "tensor {name} has dtype {other}, expected F32, U32 or I64"
                )))
            }
        };
        let count: usize = info.shape.iter().product();
        let [a, b] = info.data_offsets;
        if b < a || b > data_len || (b - a) != (count * elem) as u64 {
            return Err(bad(format!(
                "tensor {name}: offsets {a}..{b} do not hold shape {:?} of {} within {data_len} data bytes (truncated?)",
                info.shape, info.dtype
            )));
        }
        infos.insert(name, info);
    }
    let mut reader = TensorReader {
        f,
        infos,
        data_start,
        path: path.clone(),
    };
    let f32s = |b: Vec<u8>| -> Vec<f32> {
        b.chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().expect("4")))
            .collect()
    };
    let mut splits: Vec<Split> = Vec::with_capacity(3);
    for s in SplitName::ALL {
        let sm = meta.splits.iter().find(|m| m.name == s).ok_or_else(|| {
            ImportError::new(
                ImportErrorKind::Format,
                dir.join(META_FILE).display(),
                format!("no entry for split {s}"),
            )
        })?;
        let n = sm.count;
        if n == 0 {
            splits.push(empty_split(s, meta.steps, meta.dims));
            continue;
        }
        let mut seqs = Vec::with_capacity(3);
        for m in Modality::ALL {
            let d = meta.dims[m.index()];
            let data = f32s(reader.read(&format!("{s}.{m}"), &["F32"], &[n, meta.steps, d])?);
            seqs.push(Sequences::new(n, meta.steps, d, data).map_err(|e| bad(e.to_string()))?);
        }
        let lengths: Vec<usize> = reader
            .read(&format!("{s}.lengths"), &["U32", "I64"], &[n])?
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().expect("4")) as usize)
            .collect();
        let labels = f32s(reader.read(&format!("{s}.labels"), &["F32"], &[n])?);
        let emotions = if reader.infos.contains_key(&format!("{s}.emotions")) {
            let e = f32s(reader.read(&format!("{s}.emotions"), &["F32"], &[n, EMOTIONS.len()])?);
            Some(
                e.chunks_exact(6)
                    .map(|c| c.try_into().expect("6"))
                    .collect(),
            )
        } else {
            None
        };
        let split = Split::new(
            s,
            seqs.try_into().expect("three"),
            lengths,
            labels,
            emotions,
        )
        .map_err(|e| bad(format!("invalid split: {e}")))?;
        splits.push(split);
    }
    if let Some(name) = reader.infos.keys().next() {
        return Err(bad(format!(
            "unexpected tensor {name} (not described by meta.json)"
        )));
    }
    let [train, valid, test]: [Split; 3] = splits.try_into().expect("three splits");
    let sha = content_sha256(&[&train, &valid, &test]);
    if sha != meta.identity_sha256 {
        return Err(bad(format!(
            "content checksum {sha} does not match meta.json identity_sha256 {} (edited or corrupted)",
            meta.identity_sha256
        )));
    }
    let dataset = Dataset {
        identity: meta.identity(),
        train,
        valid,
        test,
    };
    Ok((dataset, meta))
}

struct TensorReader {
    f: fs::File,
    infos: BTreeMap<String, TensorInfo>,
    data_start: u64,
    path: PathBuf,
}

impl TensorReader {
    /// The raw little-endian bytes of tensor `name` (I64 narrowed to U32), checked against the
    /// expected dtypes and shape.
    fn read(
        &mut self,
        name: &str,
        want_dtype: &[&str],
        want_shape: &[usize],
    ) -> Result<Vec<u8>, ImportError> {
        let what = self.path.display().to_string();
        let bad = |msg: String| ImportError::new(ImportErrorKind::Format, &what, msg);
        let info = self
            .infos
            .remove(name)
            .ok_or_else(|| bad(format!("tensor {name} is missing")))?;
        if !want_dtype.contains(&info.dtype.as_str()) {
            return Err(bad(format!(
                "tensor {name} has dtype {}, expected {want_dtype:?}",
                info.dtype
            )));
        }
        if info.shape != want_shape {
            return Err(bad(format!(
                "tensor {name} has shape {:?}, meta.json says {want_shape:?}",
                info.shape
            )));
        }
        let [a, b] = info.data_offsets;
        let mut buf = vec![0u8; (b - a) as usize];
        self.f
            .seek(SeekFrom::Start(self.data_start + a))
            .and_then(|_| self.f.read_exact(&mut buf))
            .map_err(|e| io_err(&self.path, e))?;
        if info.dtype == "I64" {
            return Ok(buf
                .chunks_exact(8)
                .flat_map(|c| (i64::from_le_bytes(c.try_into().expect("8")) as u32).to_le_bytes())
                .collect());
        }
        Ok(buf)
    }
}
