//! `meta.json`: what a native directory holds and where it came from.

use super::ids::ids_sha256;
use super::{FORMAT_VERSION, META_FILE};
use crate::data::{content_sha256, DataIdentity, Dataset, Modality, NonFinitePolicy, SplitName};
use crate::import::{
    ImportError, ImportErrorKind, LabelMapping, PaddingRule, SourceFile, SourceFormat, SplitReport,
};
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::Path;

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
    /// [`content_sha256`](crate::data::content_sha256) of train, valid and test.
    pub identity_sha256: String,
    /// SHA-256 of `ids.json` (the source's utterance ids), when the data have ids; absent in
    /// folders without ids, including those written before ids were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ids_sha256: Option<String>,
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
            ids_sha256: ids_sha256(data),
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
            ids_sha256: ids_sha256(data),
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
