//! What the readers hand to the pipeline (raw arrays, labels and splits, before any check) and
//! the source files they read, with size and SHA-256.

use super::ImportError;
use crate::data::SplitName;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// SHA-256 of a byte slice, lower-case hex (the crate's one helper, [`crate::digest`]).
pub use crate::digest::sha256_hex;

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
    /// The source's utterance ids, where the release has them.
    pub ids: Option<RawIds>,
}

/// Utterance ids as read from a source, with the place they were read from (for errors).
#[derive(Debug, Clone)]
pub(crate) struct RawIds {
    pub values: Vec<String>,
    pub source: String,
}

/// Everything a reader found.
#[derive(Debug, Default)]
pub(crate) struct RawSource {
    pub splits: Vec<RawSplit>,
    pub files: Vec<SourceFile>,
    pub ignored_keys: Vec<String>,
}

/// Reads a whole file, with an error naming it.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, ImportError> {
    let mut f = std::fs::File::open(path).map_err(|e| ImportError::io(path, e))?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf)
        .map_err(|e| ImportError::io(path, e))?;
    Ok(buf)
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
    Ok((total, crate::digest::hex(&h.finalize())))
}
