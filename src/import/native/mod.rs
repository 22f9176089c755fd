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
//! the padding rule, the non-finite counts, and the identity SHA-256
//! ([`content_sha256`](crate::data::content_sha256) of the three splits), which
//! [`Dataset::load_native`](crate::data::Dataset::load_native) recomputes: a mismatch is an
//! error, so a loaded dataset is bit-identical to the one saved.
//!
//! `ids.json` (optional, [`IDS_FILE`]) holds the source's utterance ids per split, for releases
//! that have them; its SHA-256 is `meta.json`'s `ids_sha256`. A folder without it (one written
//! before ids were kept, or from a source without ids) loads with no ids.
//!
//! Writes are atomic: the files go into a temporary directory beside the target that is renamed
//! into place at the end; on any failure the temporary directory is removed.

mod ids;
mod load;
mod meta;
mod save;

pub use ids::IDS_FILE;
pub use load::load_native_with_meta;
pub use meta::{LabelMeta, ModalityNonFinite, NativeMeta, SourceMeta, SplitMeta};
pub use save::{save_native, save_native_with_meta};

pub(crate) use meta::ImportProvenance;
pub(crate) use save::{check_target, save_unchecked};

use crate::import::{ImportError, ImportErrorKind};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Name of the tensor file inside a native directory.
pub const DATA_FILE: &str = "data.safetensors";
/// Name of the metadata file inside a native directory.
pub const META_FILE: &str = "meta.json";
/// Version of the native format written by this crate.
pub const FORMAT_VERSION: u32 = 1;

/// An I/O error about `path`.
fn io_err(path: &Path, e: std::io::Error) -> ImportError {
    ImportError::new(ImportErrorKind::Io, path.display(), e.to_string())
}

/// One tensor's entry in the safetensors header.
#[derive(Serialize, Deserialize)]
struct TensorInfo {
    dtype: String,
    shape: Vec<usize>,
    data_offsets: [u64; 2],
}
