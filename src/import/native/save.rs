//! Writing a native directory: `data.safetensors` and `meta.json`, atomically.

use super::ids::{ids_json, ids_sha256, IDS_FILE};
use super::{io_err, NativeMeta, TensorInfo, DATA_FILE, FORMAT_VERSION, META_FILE};
use crate::data::{content_sha256, Dataset, Modality, SplitName, EMOTIONS};
use crate::files;
use crate::import::{ImportError, ImportErrorKind};
use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;

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

/// Saves `data` with `meta` as a native directory, atomically. The identity checksum and the ids
/// checksum in `meta` must be the data's.
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
    let ids = ids_sha256(data);
    if ids != meta.ids_sha256 {
        return Err(ImportError::new(
            ImportErrorKind::Argument,
            dir.display(),
            format!(
                "meta.json ids_sha256 {:?} does not match the data's utterance ids ({:?})",
                meta.ids_sha256, ids
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
        if let Some(bytes) = ids_json(data) {
            let path = tmp.join(IDS_FILE);
            files::write_file(&path, &bytes).map_err(ImportError::from)?;
        }
        let path = tmp.join(META_FILE);
        let text = serde_json::to_string_pretty(meta).expect("meta serialises");
        let mut f = fs::File::create(&path).map_err(|e| io_err(&path, e))?;
        f.write_all(text.as_bytes())
            .and_then(|_| f.write_all(b"\n"))
            .and_then(|_| f.sync_all())
            .map_err(|e| io_err(&path, e))
    })
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
