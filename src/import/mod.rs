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
//!    **Utterance ids** are kept where the release has them (MulT's `id` rows, their fields
//!    joined by `_`; MMSA's `id`; CMU's HDF5 files have none): one per sample, or an error naming
//!    the file and field. They go to `ids.json` ([`native`]) and `mmssl predict`'s `id` column.
//! 4. **Real lengths** come from zero padding by the rule of [`PaddingRule`] (default `auto`),
//!    and the real steps are moved to the front (the crate's convention, `data` module docs).
//! 5. **Non-finite values** (NaN, ±inf: COVAREP has -inf) are counted per split and modality and
//!    handled by the [`NonFinitePolicy`](crate::data::NonFinitePolicy): zero-and-count (default)
//!    or reject (`--strict`).
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

mod error;
mod labels;
mod options;
mod padding;
mod pipeline;
mod source;

#[cfg(feature = "hdf5")]
mod cmu_h5;

pub use error::{ImportError, ImportErrorKind};
pub use labels::LabelMapping;
pub use manifest::{Manifest, Release};
pub use native::{save_native, save_native_with_meta, NativeMeta};
pub use options::{parse_splits, ImportOptions, SourceFormat};
pub use padding::{detect_span, PaddingRule, Span};
pub use pipeline::{empty_split, import, import_to_dir, native_files, Imported, SplitReport};
pub use source::{file_sha256, sha256_hex, SourceFile};

pub(crate) use source::{read_file, RawArray, RawIds, RawLabels, RawSource, RawSplit};
