//! Reading a native directory back, checked against `meta.json` and its identity checksum.

use super::ids::{read_ids, IDS_FILE};
use super::{io_err, NativeMeta, TensorInfo, DATA_FILE, META_FILE};
use crate::data::{content_sha256, Dataset, Modality, Sequences, Split, SplitName, EMOTIONS};
use crate::import::{empty_split, ImportError, ImportErrorKind};
use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

impl Dataset {
    /// Loads a native directory written by `mmssl data import` (or
    /// [`save_native`](super::save_native)); the content checksum must equal `meta.json`'s
    /// identity, so the data are bit-identical to what was saved.
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
    let ids = read_ids(dir, &meta)?;
    let mut splits: Vec<Split> = Vec::with_capacity(3);
    for (s, ids) in SplitName::ALL.into_iter().zip(ids) {
        let sm = meta.splits.iter().find(|m| m.name == s).ok_or_else(|| {
            ImportError::new(
                ImportErrorKind::Format,
                dir.join(META_FILE).display(),
                format!("no entry for split {s}"),
            )
        })?;
        let n = sm.count;
        if n == 0 {
            splits.push(
                empty_split(s, meta.steps, meta.dims)
                    .with_ids(ids)
                    .map_err(|e| {
                        ImportError::new(
                            ImportErrorKind::Format,
                            dir.join(IDS_FILE).display(),
                            e.to_string(),
                        )
                    })?,
            );
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
        .and_then(|split| split.with_ids(ids))
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
