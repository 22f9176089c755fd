//! The data manifest (`data-manifest/releases.toml`, embedded in the binary): one entry per
//! public release with where it is published, its licence and citation, splits, counts, steps,
//! dims, label layout and — where known — file sizes and SHA-256. Unknown facts are left out
//! (counts, dims, steps, sizes) or written `"unknown"` (checksums), never guessed.

use super::{ImportError, ImportErrorKind, SourceFile, SourceFormat};
use crate::data::{Modality, SplitName};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::OnceLock;

/// The manifest text compiled into the binary.
pub const EMBEDDED: &str = include_str!("../../data-manifest/releases.toml");

/// Per-modality numbers (steps or dims); an absent modality is unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerModality {
    /// Text.
    pub text: Option<usize>,
    /// Audio.
    pub audio: Option<usize>,
    /// Visual.
    pub visual: Option<usize>,
}

impl PerModality {
    /// The value for `m`, if known.
    pub fn get(&self, m: Modality) -> Option<usize> {
        match m {
            Modality::Text => self.text,
            Modality::Audio => self.audio,
            Modality::Visual => self.visual,
        }
    }
}

/// Per-split sample counts; an absent split is unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    /// Training samples.
    pub train: Option<usize>,
    /// Validation samples.
    pub valid: Option<usize>,
    /// Test samples.
    pub test: Option<usize>,
}

/// One file of a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseFile {
    /// Path relative to the source folder (or the file's name, for single-file releases; a
    /// longer path such as `MOSEI/Processed/aligned_50.pkl` is matched as a suffix).
    pub path: String,
    /// SHA-256 (lower-case hex) or `"unknown"`.
    pub sha256: String,
    /// Size in bytes, if known.
    pub bytes: Option<u64>,
    /// The split this file belongs to (multi-file releases).
    pub split: Option<SplitName>,
    /// `text`, `audio`, `visual` or `labels` (multi-file releases).
    pub role: Option<String>,
    /// Stored array shape, if known.
    pub shape: Option<Vec<usize>>,
}

impl ReleaseFile {
    /// The checksum, unless unknown.
    pub fn known_sha256(&self) -> Option<&str> {
        (self.sha256.len() == 64).then_some(self.sha256.as_str())
    }
}

/// One public release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// Stable id (`mult-mosei-senti`, `cmu-youtube-mfn`, …).
    pub id: String,
    /// The dataset it holds.
    pub dataset: String,
    /// Importer format.
    pub format: SourceFormat,
    /// One-line description.
    pub title: String,
    /// Where it is published (URLs as text, with where the URL was found).
    pub published: Vec<String>,
    /// Licence, or what is known of it.
    pub licence: String,
    /// What to cite.
    pub citation: String,
    /// True when all modalities share word-aligned steps (importable).
    pub aligned: bool,
    /// Padding side as documented: `front`, `end` or `unknown`.
    pub padding: String,
    /// The label mapping that fits (`--labels`).
    pub labels: String,
    /// Stored label layout.
    pub label_shape: String,
    /// Label range and meaning.
    pub label_range: String,
    /// Steps per modality.
    pub steps: PerModality,
    /// Feature dims per modality.
    pub dims: PerModality,
    /// Samples per split.
    pub counts: Counts,
    /// What was checked, and how.
    pub verified: Vec<String>,
    /// What was not checked.
    pub assumed: Vec<String>,
    /// Files.
    pub files: Vec<ReleaseFile>,
}

impl Release {
    /// Known feature dims of `m`.
    pub fn dims_of(&self, m: Modality) -> Option<usize> {
        self.dims.get(m)
    }

    /// Known steps of `m`.
    pub fn steps_of(&self, m: Modality) -> Option<usize> {
        self.steps.get(m)
    }

    /// Known sample count of `split`.
    pub fn count_of(&self, split: SplitName) -> Option<usize> {
        match split {
            SplitName::Train => self.counts.train,
            SplitName::Valid => self.counts.valid,
            SplitName::Test => self.counts.test,
        }
    }
}

/// The whole manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Manifest schema version (1).
    pub schema_version: u32,
    /// The releases.
    #[serde(rename = "release")]
    pub releases: Vec<Release>,
}

impl Manifest {
    /// Parses manifest TOML; errors name the release and file that are wrong.
    pub fn parse(text: &str) -> Result<Manifest, ImportError> {
        let wrong =
            |message: String| ImportError::new(ImportErrorKind::Manifest, "manifest", message);
        let m: Manifest = toml::from_str(text).map_err(|e| wrong(e.to_string()))?;
        let mut ids = std::collections::HashSet::new();
        for r in &m.releases {
            if !ids.insert(r.id.as_str()) {
                return Err(wrong(format!("release id `{}` appears twice", r.id)));
            }
            for f in &r.files {
                if f.sha256 != "unknown" && f.known_sha256().is_none() {
                    return Err(wrong(format!(
                        "release `{}`, file {}: sha256 must be 64 hex digits or \"unknown\"",
                        r.id, f.path
                    )));
                }
            }
        }
        Ok(m)
    }

    /// The manifest compiled into the binary (parsed once).
    pub fn embedded() -> &'static Manifest {
        static CELL: OnceLock<Manifest> = OnceLock::new();
        CELL.get_or_init(|| Manifest::parse(EMBEDDED).expect("the embedded data manifest parses"))
    }

    /// The release called `id`.
    pub fn get(&self, id: &str) -> Option<&Release> {
        self.releases.iter().find(|r| r.id == id)
    }

    /// Chooses the release a source is checked against: `explicit` (must exist and have the
    /// format), else the release of this format one of whose files has a SHA-256 equal to a
    /// source file's, else the one release whose single file path is a suffix of `src`.
    /// `None` when nothing matches (the import then runs without manifest checks).
    pub fn resolve(
        &self,
        format: SourceFormat,
        src: &Path,
        files: &[SourceFile],
        explicit: Option<&str>,
    ) -> Result<Option<&Release>, ImportError> {
        if let Some(id) = explicit {
            let r = self.get(id).ok_or_else(|| {
                let known: Vec<&str> = self
                    .releases
                    .iter()
                    .filter(|r| r.format == format)
                    .map(|r| r.id.as_str())
                    .collect();
                ImportError::new(
                    ImportErrorKind::Manifest,
                    "",
                    format!("--release {id}: no such release in the manifest (releases of format {format}: {known:?})"),
                )
            })?;
            if r.format != format {
                return Err(ImportError::new(
                    ImportErrorKind::Manifest,
                    "",
                    format!("--release {id} is a {} release, not {format}", r.format),
                ));
            }
            return Ok(Some(r));
        }
        let same_format = || self.releases.iter().filter(move |r| r.format == format);
        if let Some(r) = same_format().find(|r| {
            r.files.iter().any(|f| {
                f.known_sha256()
                    .is_some_and(|sha| files.iter().any(|s| s.sha256 == sha))
            })
        }) {
            return Ok(Some(r));
        }
        let src_path = src.to_string_lossy().replace('\\', "/");
        let by_path: Vec<&Release> = same_format()
            .filter(|r| {
                r.files.len() == 1 && {
                    let p = &r.files[0].path;
                    src_path == *p || src_path.ends_with(&format!("/{p}"))
                }
            })
            .collect();
        Ok(match by_path.as_slice() {
            [one] => Some(one),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_manifest_parses_and_is_honest() {
        let m = Manifest::embedded();
        assert!(m.releases.len() >= 10);
        for r in &m.releases {
            assert!(!r.files.is_empty(), "{}", r.id);
            assert!(!r.published.is_empty(), "{}", r.id);
        }
        let y = m.get("cmu-youtube-mfn").unwrap();
        assert_eq!(y.dims_of(Modality::Visual), Some(36));
        assert!(y.files.iter().all(|f| f.known_sha256().is_some()));
        assert!(m.get("mult-mosei-senti").unwrap().files[0]
            .known_sha256()
            .is_none());
    }

    #[test]
    fn resolves_by_path_suffix() {
        let m = Manifest::embedded();
        let r = m
            .resolve(
                SourceFormat::MultPkl,
                Path::new("/data/mosei_senti_data.pkl"),
                &[],
                None,
            )
            .unwrap();
        assert_eq!(r.unwrap().id, "mult-mosei-senti");
        let r = m
            .resolve(
                SourceFormat::MmsaPkl,
                Path::new("x/MOSI/Processed/aligned_50.pkl"),
                &[],
                None,
            )
            .unwrap();
        assert_eq!(r.unwrap().id, "mmsa-mosi-aligned");
        let r = m
            .resolve(
                SourceFormat::MmsaPkl,
                Path::new("aligned_50.pkl"),
                &[],
                None,
            )
            .unwrap();
        assert!(r.is_none());
        assert!(m
            .resolve(SourceFormat::MultPkl, Path::new("a"), &[], Some("nope"))
            .is_err());
    }
}
