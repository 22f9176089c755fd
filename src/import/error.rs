//! The error of every import, load and verify step: what kind, which file, what was expected.

use std::fmt;
use std::path::Path;

/// What kind of problem an import hit (for callers that branch on it; the message says more).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportErrorKind {
    /// The file could not be read or written.
    Io,
    /// A required file, split, modality or key is absent.
    Missing,
    /// The bytes are not the expected format (not a pickle, not HDF5, truncated, …).
    Format,
    /// Shapes, counts, steps, dims or dtypes do not fit.
    Shape,
    /// Labels do not fit the chosen mapping.
    Labels,
    /// A non-finite value under `--strict`.
    NonFinite,
    /// The manifest disagrees or names no such release.
    Manifest,
    /// A bad option or an output that already exists.
    Argument,
}

/// An import / load / verify failure: the file it concerns and what was expected, shown as
/// `what: message` (just `message` when `what` is empty).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}{message}", what_prefix(.what))]
pub struct ImportError {
    /// What kind of problem.
    pub kind: ImportErrorKind,
    /// The file (or file and key) concerned.
    pub what: String,
    /// What was expected and what was found.
    pub message: String,
}

impl ImportError {
    /// A new error about `what` (a path, or a path and a key).
    pub fn new(kind: ImportErrorKind, what: impl fmt::Display, message: impl Into<String>) -> Self {
        ImportError {
            kind,
            what: what.to_string(),
            message: message.into(),
        }
    }

    /// An I/O error about `path`: `Missing` when the file does not exist, else `Io`.
    pub(crate) fn io(path: &Path, err: std::io::Error) -> Self {
        let kind = if err.kind() == std::io::ErrorKind::NotFound {
            ImportErrorKind::Missing
        } else {
            ImportErrorKind::Io
        };
        ImportError::new(kind, path.display(), err.to_string())
    }
}

/// `what: `, or nothing when `what` is empty.
fn what_prefix(what: &str) -> String {
    if what.is_empty() {
        String::new()
    } else {
        format!("{what}: ")
    }
}

impl From<crate::files::OutputError> for ImportError {
    fn from(err: crate::files::OutputError) -> ImportError {
        match err {
            crate::files::OutputError::Io { path, source } => ImportError::io(&path, source),
            crate::files::OutputError::Refused { path, why } => {
                ImportError::new(ImportErrorKind::Argument, path.display(), why)
            }
        }
    }
}
