//! The error of the experiments layer: what went wrong, in one message.
//!
//! As with [`TrainError`], each variant's message is the whole story (`run table-8.2.2
//! supervised seed 0: …`) and no variant has a `source()`, so that printing the chain of causes
//! (as the CLI does) names each cause once.

use super::family::UnknownFamily;
use crate::files::OutputError;
use crate::train::TrainError;
use std::path::{Path, PathBuf};

/// The result of an experiments-layer operation.
pub type Result<T, E = ExperimentError> = std::result::Result<T, E>;

/// Why a profile, a reproduction, a results store or a merge failed.
#[derive(Debug, thiserror::Error)]
pub enum ExperimentError {
    /// Training, evaluating, saving or loading a run (or its data) failed.
    #[error("{0}")]
    Train(TrainError),
    /// An output (the pre-training cache, a live folder) could not be written or read.
    #[error("{0}")]
    Output(OutputError),
    /// An id given to `--only` names no experiment family.
    #[error("{0}")]
    UnknownFamily(UnknownFamily),
    /// A file-system operation on `path` failed: `<action> <path>: <error>`.
    #[error("{action} {}: {error}", path.display())]
    Io {
        /// What was being done: `reading`, `creating`, `locking`.
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        error: std::io::Error,
    },
    /// The profile file at `path` is not a valid profile: `profile <path>: <message>`.
    #[error("profile {}: {message}", path.display())]
    Parse {
        /// The profile file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A profile is unknown, malformed or out of range.
    #[error("{0}")]
    Profile(String),
    /// An argument or setting is invalid, or does not fit the data or the output folder.
    #[error("{0}")]
    Config(String),
    /// The runs of profile `profile` (or its run `run`) do not fit the machine or are invalid:
    /// `profile <profile>[: <run>]: <error>`.
    #[error("profile {profile}: {}{error}", run.as_ref().map_or_else(String::new, |run| format!("{run}: ")))]
    Settings {
        /// The profile's name.
        profile: String,
        /// The run whose settings are invalid, when it is one run's.
        run: Option<String>,
        /// Why the settings were refused (boxed: it is large).
        error: Box<TrainError>,
    },
    /// One run key has different results in two rows (of one store, or of stores being merged).
    #[error("{0}")]
    Conflict(String),
    /// Another process holds the lock file `lock` of the results folder `dir`.
    #[error(
        "{} is in use by another `mmssl reproduce` (it holds {}): wait for it to finish, or give \
         this one another --out",
        dir.display(),
        lock.display()
    )]
    Locked {
        /// The results folder.
        dir: PathBuf,
        /// Its lock file.
        lock: PathBuf,
    },
    /// The run `label` failed: `run <label>: <error>`.
    #[error("run {label}: {error}")]
    Run {
        /// The run, as [`super::RunSpec::label`] names it.
        label: String,
        /// Why it failed.
        error: Box<ExperimentError>,
    },
    /// Something that should not happen did: a bug, a worker thread that panicked, a cached
    /// pre-training that does not fit its key.
    #[error("{0}")]
    Internal(String),
}

impl ExperimentError {
    /// The [`ExperimentError::Io`] of `action` on `path`, for `map_err`.
    pub(super) fn io<'a>(
        action: &'static str,
        path: &'a Path,
    ) -> impl FnOnce(std::io::Error) -> ExperimentError + 'a {
        move |error| ExperimentError::Io {
            action,
            path: path.to_path_buf(),
            error,
        }
    }
}

impl From<TrainError> for ExperimentError {
    fn from(e: TrainError) -> Self {
        ExperimentError::Train(e)
    }
}

impl From<OutputError> for ExperimentError {
    fn from(e: OutputError) -> Self {
        ExperimentError::Output(e)
    }
}

impl From<UnknownFamily> for ExperimentError {
    fn from(e: UnknownFamily) -> Self {
        ExperimentError::UnknownFamily(e)
    }
}

#[cfg(test)]
mod tests {
    use super::ExperimentError;
    use crate::train::TrainError;
    use std::error::Error;

    #[test]
    fn messages_are_whole_and_have_no_source() {
        let io = ExperimentError::Io {
            action: "opening the lock file",
            path: "out/reproduce.lock".into(),
            error: std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied"),
        };
        let locked = ExperimentError::Locked {
            dir: "out".into(),
            lock: "out/reproduce.lock".into(),
        };
        let settings = |run: Option<&str>| ExperimentError::Settings {
            profile: "smoke".into(),
            run: run.map(Into::into),
            error: Box::new(TrainError::Config("too big".into())),
        };
        let run = ExperimentError::Run {
            label: "fig-8.4 supervised seed 0".into(),
            error: Box::new(ExperimentError::from(TrainError::Training("NaN".into()))),
        };
        for (err, text) in [
            (io, "opening the lock file out/reproduce.lock: denied"),
            (
                locked,
                "out is in use by another `mmssl reproduce` (it holds out/reproduce.lock): wait \
                 for it to finish, or give this one another --out",
            ),
            (settings(None), "profile smoke: too big"),
            (
                settings(Some("fig-8.4 x")),
                "profile smoke: fig-8.4 x: too big",
            ),
            (run, "run fig-8.4 supervised seed 0: NaN"),
        ] {
            assert_eq!(err.to_string(), text);
            assert!(err.source().is_none(), "{err}");
        }
    }
}
