//! What an import is asked to do: the source format, the options, the split list.

use crate::data::{Modality, NonFinitePolicy, SplitName};
use serde::{Deserialize, Serialize};
use std::fmt;

use super::{ImportError, ImportErrorKind, LabelMapping, PaddingRule};

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

/// Parses a comma-separated split list (`valid,test`); the error names the list and the part
/// that is not a split.
pub fn parse_splits(s: &str) -> Result<Vec<SplitName>, ImportError> {
    let wrong = |message: String| {
        ImportError::new(ImportErrorKind::Argument, format!("--splits {s}"), message)
    };
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let split = match part {
            "train" => SplitName::Train,
            "valid" | "dev" | "val" => SplitName::Valid,
            "test" => SplitName::Test,
            other => {
                return Err(wrong(format!(
                    "unknown split `{other}`, expected train, valid or test"
                )))
            }
        };
        if !out.contains(&split) {
            out.push(split);
        }
    }
    if out.is_empty() {
        return Err(wrong("no split named".into()));
    }
    Ok(out)
}
