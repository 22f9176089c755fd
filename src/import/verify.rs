//! `mmssl data verify`: checks a source against its manifest release — file presence, sizes,
//! SHA-256 where the manifest has one, and array shapes (counts, steps, dims). Every check is
//! reported as OK, FAIL or SKIP (a fact the manifest does not know, or that needs a feature this
//! build lacks); the command exits non-zero when any check fails.

use super::manifest::{Manifest, Release};
use super::{file_sha256, mmsa, mult, ImportErrorKind, ImportOptions, SourceFile, SourceFormat};
use crate::data::{Modality, SplitName};
use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    /// Matches the manifest.
    Ok,
    /// Does not match, or cannot be read.
    Fail,
    /// Not checkable (unknown in the manifest, or not in this build).
    Skip,
}

/// One check: what, outcome, details.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Outcome.
    pub status: Status,
    /// What was checked.
    pub what: String,
    /// Expected and found values.
    pub detail: String,
}

/// All checks of one `verify` run.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// The release checked against, if one matched.
    pub release: Option<String>,
    /// The checks, in order.
    pub checks: Vec<Check>,
}

impl VerifyReport {
    /// True when no check failed.
    pub fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.status != Status::Fail)
    }

    fn push(&mut self, status: Status, what: impl Into<String>, detail: impl Into<String>) {
        self.checks.push(Check {
            status,
            what: what.into(),
            detail: detail.into(),
        });
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "release: {}",
            self.release.as_deref().unwrap_or("(none matched)")
        )?;
        for c in &self.checks {
            let tag = match c.status {
                Status::Ok => "OK  ",
                Status::Fail => "FAIL",
                Status::Skip => "SKIP",
            };
            writeln!(f, "{tag} {}: {}", c.what, c.detail)?;
        }
        let fails = self
            .checks
            .iter()
            .filter(|c| c.status == Status::Fail)
            .count();
        let oks = self
            .checks
            .iter()
            .filter(|c| c.status == Status::Ok)
            .count();
        let skips = self.checks.len() - fails - oks;
        write!(f, "{oks} ok, {fails} failed, {skips} skipped")
    }
}

/// Checks `src` (a file for the pickle formats, a folder otherwise) against the manifest
/// release `release` (or the one its checksums or path select).
pub fn verify(format: SourceFormat, src: &Path, release: Option<&str>) -> VerifyReport {
    let mut report = VerifyReport {
        release: None,
        checks: Vec::new(),
    };
    let manifest = Manifest::embedded();
    let folder = matches!(format, SourceFormat::CmuH5 | SourceFormat::SdkCsd);
    if !src.exists() {
        report.push(
            Status::Fail,
            src.display().to_string(),
            "no such file or folder",
        );
        return report;
    }
    if folder != src.is_dir() {
        let want = if folder { "a folder" } else { "a file" };
        report.push(
            Status::Fail,
            src.display().to_string(),
            format!("--format {format} takes {want}"),
        );
        return report;
    }
    // checksums of what is there, for matching and for the checks
    let mut hashed: Vec<(PathBuf, SourceFile)> = Vec::new();
    let candidates: Vec<PathBuf> = if folder {
        std::fs::read_dir(src)
            .map(|rd| {
                let mut v: Vec<PathBuf> = rd
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.is_file())
                    .collect();
                v.sort();
                v
            })
            .unwrap_or_default()
    } else {
        vec![src.to_path_buf()]
    };
    for p in candidates {
        match file_sha256(&p) {
            Ok((bytes, sha256)) => {
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                hashed.push((
                    p,
                    SourceFile {
                        path: name,
                        bytes,
                        sha256,
                    },
                ));
            }
            Err(e) => report.push(Status::Fail, p.display().to_string(), e.message),
        }
    }
    let files: Vec<SourceFile> = hashed.iter().map(|(_, f)| f.clone()).collect();
    let rel = match manifest.resolve(format, src, &files, release) {
        Ok(Some(r)) => r,
        Ok(None) => {
            let known: Vec<&str> = manifest
                .releases
                .iter()
                .filter(|r| r.format == format)
                .map(|r| r.id.as_str())
                .collect();
            report.push(
                Status::Fail,
                "release",
                format!("no manifest release matches {} by checksum or path; pass --release (releases of format {format}: {known:?})", src.display()),
            );
            return report;
        }
        Err(e) => {
            report.push(Status::Fail, "release", e.to_string());
            return report;
        }
    };
    report.release = Some(rel.id.clone());
    if !rel.aligned {
        report.push(
            Status::Skip,
            "aligned",
            "this release is not word-aligned: `mmssl data import` refuses it",
        );
    }
    for f in &rel.files {
        let path = if folder {
            src.join(&f.path)
        } else {
            src.to_path_buf()
        };
        let what = f.path.clone();
        let found = hashed.iter().find(|(p, _)| *p == path).map(|(_, s)| s);
        let Some(found) = found else {
            report.push(
                Status::Fail,
                what,
                format!("missing: expected {}", path.display()),
            );
            continue;
        };
        report.push(
            Status::Ok,
            format!("{what} present"),
            path.display().to_string(),
        );
        match f.bytes {
            Some(b) if b == found.bytes => {
                report.push(Status::Ok, format!("{what} size"), format!("{b} bytes"))
            }
            Some(b) => report.push(
                Status::Fail,
                format!("{what} size"),
                format!("expected {b} bytes, found {}", found.bytes),
            ),
            None => report.push(
                Status::Skip,
                format!("{what} size"),
                format!("unknown in the manifest (found {} bytes)", found.bytes),
            ),
        }
        match f.known_sha256() {
            Some(s) if s == found.sha256 => {
                report.push(Status::Ok, format!("{what} sha256"), s.to_string())
            }
            Some(s) => report.push(
                Status::Fail,
                format!("{what} sha256"),
                format!("expected {s}, found {}", found.sha256),
            ),
            None => report.push(
                Status::Skip,
                format!("{what} sha256"),
                format!("unknown in the manifest (found {})", found.sha256),
            ),
        }
        if format == SourceFormat::CmuH5 {
            check_h5_shape(&mut report, rel, f, &path);
        }
        if format == SourceFormat::SdkCsd {
            let head = std::fs::read(&path)
                .map(|b| b.into_iter().take(8).collect::<Vec<u8>>())
                .unwrap_or_default();
            if head.starts_with(b"\x89HDF\r\n\x1a\n") {
                report.push(Status::Ok, format!("{what} format"), "HDF5 signature");
            } else {
                report.push(
                    Status::Fail,
                    format!("{what} format"),
                    "no HDF5 signature: not a computational sequence",
                );
            }
        }
    }
    if matches!(format, SourceFormat::MultPkl | SourceFormat::MmsaPkl) {
        check_pickle_shapes(&mut report, format, src, rel);
    }
    report
}

fn expected_shape(
    rel: &Release,
    split: Option<SplitName>,
    role: Option<&str>,
) -> Option<Vec<Option<usize>>> {
    let split = split?;
    let count = rel.count_of(split);
    let m = match role? {
        "text" => Modality::Text,
        "audio" => Modality::Audio,
        "visual" => Modality::Visual,
        _ => return None,
    };
    Some(vec![count, rel.steps_of(m), rel.dims_of(m)])
}

#[cfg(feature = "hdf5")]
fn check_h5_shape(
    report: &mut VerifyReport,
    rel: &Release,
    f: &super::manifest::ReleaseFile,
    path: &Path,
) {
    let what = format!("{} shape", f.path);
    let want: Option<Vec<Option<usize>>> = f
        .shape
        .as_ref()
        .map(|s| s.iter().map(|&d| Some(d)).collect())
        .or_else(|| expected_shape(rel, f.split, f.role.as_deref()));
    match super::cmu_h5::shape_of(path) {
        Err(e) => report.push(Status::Fail, what, e.message),
        Ok(got) => match want {
            None => report.push(
                Status::Skip,
                what,
                format!("unknown in the manifest (found {got:?})"),
            ),
            Some(want) => {
                let fits = want.len() == got.len()
                    && want
                        .iter()
                        .zip(&got)
                        .all(|(w, g)| w.is_none_or(|w| w == *g));
                let shown: Vec<String> = want
                    .iter()
                    .map(|w| w.map_or("?".into(), |w| w.to_string()))
                    .collect();
                let detail = format!("expected [{}], found {got:?}", shown.join(", "));
                report.push(if fits { Status::Ok } else { Status::Fail }, what, detail);
            }
        },
    }
}

#[cfg(not(feature = "hdf5"))]
fn check_h5_shape(
    report: &mut VerifyReport,
    _rel: &Release,
    f: &super::manifest::ReleaseFile,
    _path: &Path,
) {
    let _ = expected_shape;
    report.push(
        Status::Skip,
        format!("{} shape", f.path),
        "reading HDF5 needs the `hdf5` cargo feature",
    );
}

fn check_pickle_shapes(report: &mut VerifyReport, format: SourceFormat, src: &Path, rel: &Release) {
    let read = |splits: Vec<SplitName>| {
        let opts = ImportOptions {
            splits,
            ..ImportOptions::default()
        };
        match format {
            SourceFormat::MultPkl => mult::read(src, &opts),
            _ => mmsa::read(src, &opts),
        }
    };
    let raw = match read(SplitName::ALL.to_vec()) {
        Ok(raw) => raw.splits,
        Err(e) if e.kind == ImportErrorKind::Missing => {
            // find which splits are there
            let mut found = Vec::new();
            for s in SplitName::ALL {
                match read(vec![s]) {
                    Ok(mut r) => found.append(&mut r.splits),
                    Err(e) => report.push(Status::Fail, format!("split {s}"), e.to_string()),
                }
            }
            found
        }
        Err(e) => {
            report.push(Status::Fail, "read", e.to_string());
            return;
        }
    };
    for s in raw {
        let n = s.labels.shape.first().copied().unwrap_or(0);
        match rel.count_of(s.name) {
            Some(c) if c == n => report.push(
                Status::Ok,
                format!("{} count", s.name),
                format!("{n} samples"),
            ),
            Some(c) => report.push(
                Status::Fail,
                format!("{} count", s.name),
                format!("expected {c}, found {n}"),
            ),
            None => report.push(
                Status::Skip,
                format!("{} count", s.name),
                format!("unknown in the manifest (found {n})"),
            ),
        }
        for (m, a) in Modality::ALL.iter().zip(&s.modalities) {
            let what = format!("{} {m} shape", s.name);
            let Some(a) = a else {
                report.push(
                    Status::Fail,
                    what,
                    format!("absent: {}", s.missing[m.index()]),
                );
                continue;
            };
            let want = [Some(n), rel.steps_of(*m), rel.dims_of(*m)];
            let fits = a.shape.len() == 3
                && want
                    .iter()
                    .zip(&a.shape)
                    .all(|(w, g)| w.is_none_or(|w| w == *g));
            let shown: Vec<String> = want
                .iter()
                .map(|w| w.map_or("?".into(), |w| w.to_string()))
                .collect();
            report.push(
                if fits { Status::Ok } else { Status::Fail },
                what,
                format!("expected [{}], found {:?}", shown.join(", "), a.shape),
            );
        }
    }
}
