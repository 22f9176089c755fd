//! The error of the training layer: what went wrong, in one message.
//!
//! Each variant's message is the whole story (`evaluating on the test split: no samples to
//! evaluate`) and no variant has a `source()`, so that printing the chain of causes (as the CLI
//! does) names each cause once. Candle's errors are shown without the backtraces they may carry.

use crate::augment::AugmentError;
use crate::data::{DataError, SplitName};
use crate::files::OutputError;
use crate::import::ImportError;
use crate::metrics::MetricsError;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::MutexGuard;

/// The result of a training-layer operation.
pub type Result<T, E = TrainError> = std::result::Result<T, E>;

/// Why training, evaluating, saving or loading a run failed.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// A tensor operation failed (shown without candle's backtrace).
    #[error("{}", crate::messages::candle_message(.0))]
    Candle(candle_core::Error),
    /// A file-system operation on `path` failed: `<action> <path>: <error>`.
    #[error("{action} {}: {error}", path.display())]
    Io {
        /// What was being done: `reading`, `creating`.
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        error: std::io::Error,
    },
    /// The file at `path` is not what it should be: `parsing <path>: <message>`.
    #[error("parsing {}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// What the parser found wrong.
        message: String,
    },
    /// A setting is invalid, or the settings do not fit the data or the machine.
    #[error("{0}")]
    Config(String),
    /// A checkpoint or saved state is missing something or does not fit the model.
    #[error("{0}")]
    State(String),
    /// Training cannot go on: a non-finite loss, or parts that do not fit together.
    #[error("{0}")]
    Training(String),
    /// The data directory `dir` could not be loaded: `loading data directory <dir>: <error>`.
    #[error("loading data directory {}: {error}", dir.display())]
    Import {
        /// The data directory.
        dir: PathBuf,
        /// Why it could not be loaded.
        error: ImportError,
    },
    /// The metrics of a split could not be computed: `evaluating on the <split> split: <error>`.
    #[error("evaluating on the {split} split: {error}")]
    Metrics {
        /// The split evaluated.
        split: SplitName,
        /// Why the metrics were refused.
        error: MetricsError,
    },
    /// The data does not fit a request (a batch size, a fraction, a non-finite policy).
    #[error("{0}")]
    Data(DataError),
    /// An augmentation setting is out of range.
    #[error("{0}")]
    Augment(AugmentError),
    /// An output (a checkpoint, a report, a live folder's state) could not be written or read.
    #[error("{0}")]
    Output(OutputError),
}

impl From<candle_core::Error> for TrainError {
    fn from(e: candle_core::Error) -> Self {
        TrainError::Candle(e)
    }
}

impl From<DataError> for TrainError {
    fn from(e: DataError) -> Self {
        TrainError::Data(e)
    }
}

impl From<AugmentError> for TrainError {
    fn from(e: AugmentError) -> Self {
        TrainError::Augment(e)
    }
}

impl From<OutputError> for TrainError {
    fn from(e: OutputError) -> Self {
        TrainError::Output(e)
    }
}

/// The variables of `varmap`, locked: the training layer's one handling of a poisoned lock (a
/// thread panicked while holding it), [`TrainError::State`].
pub(crate) fn lock_vars(
    varmap: &candle_nn::VarMap,
) -> Result<MutexGuard<'_, HashMap<String, candle_core::Var>>> {
    varmap
        .data()
        .lock()
        .map_err(|_| TrainError::State("VarMap lock poisoned".into()))
}

#[cfg(test)]
mod tests {
    use super::TrainError;
    use std::error::Error;

    #[test]
    fn messages_are_whole_and_have_no_source() {
        let traced = candle_core::Error::WithBacktrace {
            inner: Box::new(candle_core::Error::Msg("shape mismatch".into())),
            backtrace: Box::new(std::backtrace::Backtrace::force_capture()),
        };
        let io = TrainError::Io {
            action: "reading",
            path: "run/config.toml".into(),
            error: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        };
        let output = TrainError::from(crate::files::OutputError::Io {
            path: "run/metrics.json".into(),
            source: std::io::Error::other("disk full"),
        });
        let metrics = TrainError::Metrics {
            split: crate::data::SplitName::Test,
            error: crate::metrics::MetricsError::Empty,
        };
        for (err, text) in [
            (TrainError::from(traced), "shape mismatch"),
            (io, "reading run/config.toml: no such file"),
            (output, "run/metrics.json: disk full"),
            (
                metrics,
                "evaluating on the test split: no samples to evaluate",
            ),
        ] {
            assert_eq!(err.to_string(), text);
            assert!(err.source().is_none(), "{err}");
        }
    }
}
