//! The part MulT and MMSA pickles share: a top-level dict `{train, valid, test}` whose values are
//! dicts of numpy arrays. Each format names its keys ([`Layout`]).

use super::pickle::{self, Value};
use super::{
    read_file, sha256_hex, ImportError, ImportErrorKind, ImportOptions, RawArray, RawIds,
    RawLabels, RawSource, RawSplit, SourceFile,
};
use crate::data::SplitName;
use std::path::Path;

/// Which keys hold what in one pickle layout.
pub(super) struct Layout {
    /// Format name for messages.
    pub format: &'static str,
    /// Keys of the text, audio and visual arrays.
    pub modalities: [&'static str; 3],
    /// Key of the sentiment labels.
    pub labels: &'static str,
    /// Key of the utterance ids (read when present: `[N]` texts, or `[N, k]` rows joined by `_`).
    pub ids: &'static str,
    /// Keys the format is known to hold and the importer does not use (ignored without a note).
    pub known_unused: &'static [&'static str],
}

/// Reads the requested splits of a pickle in `layout`.
pub(super) fn read(
    path: &Path,
    opts: &ImportOptions,
    layout: &Layout,
) -> Result<RawSource, ImportError> {
    let bytes = read_file(path)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    // the file's SHA-256 on a second thread while this one parses and converts
    std::thread::scope(|scope| {
        let hasher = scope.spawn(|| sha256_hex(&bytes));
        let parsed = parse(path, &bytes, opts, layout);
        let sha256 = hasher.join().expect("the hashing thread does not panic");
        parsed.map(|mut raw| {
            raw.files = vec![SourceFile {
                path: file_name,
                bytes: bytes.len() as u64,
                sha256,
            }];
            raw
        })
    })
}

fn parse(
    path: &Path,
    bytes: &[u8],
    opts: &ImportOptions,
    layout: &Layout,
) -> Result<RawSource, ImportError> {
    let root = pickle::load(bytes).map_err(|e| classify(path, bytes, e))?;
    let what = path.display().to_string();
    let top = root.as_text_dict().ok_or_else(|| {
        ImportError::new(
            ImportErrorKind::Format,
            &what,
            format!(
                "the pickle holds a {}, expected a dict with keys train / valid / test ({} layout)",
                root.type_name(),
                layout.format
            ),
        )
    })?;
    let mut ignored_keys = Vec::new();
    for (k, _) in &top {
        if !matches!(k.as_str(), "train" | "valid" | "test" | "dev") {
            ignored_keys.push(k.clone());
        }
    }
    let top_keys: Vec<&str> = top.iter().map(|(k, _)| k.as_str()).collect();
    let mut splits = Vec::new();
    for &split in &opts.splits {
        let entry = top
            .iter()
            .find(|(k, _)| k == split.name() || (split == SplitName::Valid && k == "dev"))
            .map(|(_, v)| v);
        let Some(entry) = entry else {
            return Err(ImportError::new(
                ImportErrorKind::Missing,
                &what,
                format!(
                    "no `{split}` split: the top-level dict has keys {top_keys:?} (import the others with --splits)"
                ),
            ));
        };
        let at = |key: &str| format!("{what} [{split}][{key}]");
        let fields = entry.as_text_dict().ok_or_else(|| {
            ImportError::new(
                ImportErrorKind::Format,
                format!("{what} [{split}]"),
                format!("a {}, expected a dict of arrays", entry.type_name()),
            )
        })?;
        let field_keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
        for k in &field_keys {
            if !layout.modalities.contains(k)
                && *k != layout.labels
                && *k != layout.ids
                && !layout.known_unused.contains(k)
            {
                ignored_keys.push(format!("{split}.{k}"));
            }
        }
        let get = |key: &str| {
            fields
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        let mut modalities: [Option<RawArray>; 3] = [None, None, None];
        let mut missing: [String; 3] = Default::default();
        for (m, key) in layout.modalities.iter().enumerate() {
            missing[m] = format!("{} (keys present: {field_keys:?})", at(key));
            if let Some(v) = get(key) {
                let (shape, data) = float_array(&v, &at(key), true)?;
                modalities[m] = Some(RawArray {
                    shape,
                    data: data.into_f32(),
                    source: at(key),
                });
            }
        }
        let label_value = get(layout.labels).ok_or_else(|| {
            ImportError::new(
                ImportErrorKind::Missing,
                at(layout.labels),
                format!(
                    "no `{}` labels in split {split} (keys present: {field_keys:?})",
                    layout.labels
                ),
            )
        })?;
        let (shape, values) = float_array(&label_value, &at(layout.labels), false)?;
        splits.push(RawSplit {
            name: split,
            modalities,
            missing,
            labels: RawLabels {
                shape,
                values: values.into_f64(),
                source: at(layout.labels),
            },
            ids: get(layout.ids)
                .map(|v| {
                    let source = at(layout.ids);
                    utterance_ids(&v, &source).map(|values| RawIds { values, source })
                })
                .transpose()?,
        });
    }
    Ok(RawSource {
        splits,
        files: Vec::new(),
        ignored_keys,
    })
}

enum Floats {
    F32(Vec<f32>),
    F64(Vec<f64>),
}

impl Floats {
    fn into_f32(self) -> Vec<f32> {
        match self {
            Floats::F32(v) => v,
            Floats::F64(v) => v.into_iter().map(|x| x as f32).collect(),
        }
    }

    fn into_f64(self) -> Vec<f64> {
        match self {
            Floats::F32(v) => v.into_iter().map(f64::from).collect(),
            Floats::F64(v) => v,
        }
    }
}

/// A numpy array (or, for labels, a list of numbers) as floats. Features must be float32 /
/// float64; labels may be any numeric dtype.
fn float_array(
    v: &Value<'_>,
    what: &str,
    features: bool,
) -> Result<(Vec<usize>, Floats), ImportError> {
    if let Some(a) = v.as_array() {
        let shape = a.shape.clone();
        let data = if features {
            Floats::F32(a.to_f32().map_err(|e| shape_err(what, e))?)
        } else {
            Floats::F64(a.to_f64().map_err(|e| shape_err(what, e))?)
        };
        return Ok((shape, data));
    }
    if !features {
        if let Some(items) = v.as_items() {
            let values: Option<Vec<f64>> = items.iter().map(|x| x.as_f64()).collect();
            if let Some(values) = values {
                return Ok((vec![values.len()], Floats::F64(values)));
            }
        }
    }
    Err(ImportError::new(
        ImportErrorKind::Format,
        what,
        format!("a {}, expected a numpy array", v.type_name()),
    ))
}

/// One id per utterance from an id field: a numpy array `[N]` of texts, `[N, k]` whose rows'
/// fields are joined by `_` (MulT's video / start / end), or a list of texts.
fn utterance_ids(v: &Value<'_>, what: &str) -> Result<Vec<String>, ImportError> {
    if let Some(a) = v.as_array() {
        let texts = a.to_texts().map_err(|e| shape_err(what, e))?;
        return match a.shape.len() {
            1 => Ok(texts),
            2 => Ok(texts
                .chunks(a.shape[1].max(1))
                .map(|row| row.join("_"))
                .collect()),
            _ => Err(ImportError::new(
                ImportErrorKind::Shape,
                what,
                format!(
                    "ids have shape {:?}, expected [samples] or [samples, fields]",
                    a.shape
                ),
            )),
        };
    }
    if let Some(items) = v.as_items() {
        return items
            .iter()
            .enumerate()
            .map(|(i, x)| {
                x.as_text().ok_or_else(|| {
                    ImportError::new(
                        ImportErrorKind::Format,
                        what,
                        format!("id {i} is a {}, expected text", x.type_name()),
                    )
                })
            })
            .collect();
    }
    Err(ImportError::new(
        ImportErrorKind::Format,
        what,
        format!(
            "a {}, expected a numpy array or a list of texts",
            v.type_name()
        ),
    ))
}

fn shape_err(what: &str, e: pickle::ArrayError) -> ImportError {
    ImportError::new(ImportErrorKind::Shape, what, e.to_string())
}

/// Turns a pickle error into a message that says what the file looks like.
pub(super) fn classify(path: &Path, bytes: &[u8], e: pickle::PickleError) -> ImportError {
    let what = path.display().to_string();
    let kind = ImportErrorKind::Format;
    if bytes.is_empty() {
        return ImportError::new(kind, what, "the file is empty (0 bytes), expected a pickle");
    }
    if bytes.starts_with(b"\x89HDF\r\n\x1a\n") {
        return ImportError::new(
            kind,
            what,
            "this is an HDF5 file, not a pickle: use --format cmu-h5 on its folder",
        );
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return ImportError::new(kind, what, "this is a zip archive (a torch.save file or a download?), not a pickle: unpack it first");
    }
    if e.is_truncated() {
        return ImportError::new(
            kind,
            what,
            format!(
                "truncated pickle ({} bytes; an interrupted download?): {e}",
                bytes.len()
            ),
        );
    }
    if bytes[0] != 0x80 {
        return ImportError::new(
            kind,
            what,
            format!(
                "not a pickle: it does not start with the PROTO opcode 0x80 (first bytes {:02x?}) and does not parse as a protocol 0/1 pickle ({e})",
                &bytes[..bytes.len().min(8)]
            ),
        );
    }
    ImportError::new(kind, what, format!("cannot read the pickle {e}"))
}
