//! The error of the report layer: what went wrong, in one message.
//!
//! As with [`crate::train::TrainError`], each variant's message is the whole story (`writing
//! figures/fig-8.3.1.svg: …`, `figure 8.5.1: no rows of family …`) and no variant has a
//! `source()`, so that printing the chain of causes (as the CLI does) names each cause once.

use std::path::{Path, PathBuf};

/// The result of a report-layer operation.
pub type Result<T, E = ReportError> = std::result::Result<T, E>;

/// Why a table, a figure, the report or a notebook output could not be built or written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file-system operation on `path` failed: `<action> <path>: <error>`.
    #[error("{action} {}: {error}", path.display())]
    Io {
        /// What was being done: `creating`, `writing`.
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        error: std::io::Error,
    },
    /// The thesis transcription is not valid: `parsing the thesis results TOML: <message>`.
    #[error("parsing the thesis results TOML: {message}")]
    Thesis {
        /// What the TOML parser found wrong.
        message: String,
    },
    /// A figure cannot be drawn: its family has no usable rows, or its data does not fit its
    /// kind (`heat map: no panels`).
    #[error("{0}")]
    Figure(String),
    /// plotters failed drawing or writing a figure: `<action> <target>: <error>`.
    #[error("{action} {target}: {message}")]
    Draw {
        /// What was being done: `drawing`, `writing`, `finishing`.
        action: &'static str,
        /// The file, or `SVG` for an in-memory document.
        target: String,
        /// plotters's error.
        message: String,
    },
    /// polars failed building or writing a table: the step, then polars's error and its causes.
    #[error("{0}")]
    Table(String),
    /// The report needs the polars tables, and this build has no `reports` feature.
    #[error(
        "the report needs the polars tables: build with --features reports (figures work without \
         it)"
    )]
    NoTables,
    /// Something that should not happen did: a failed write into a `String`, say.
    #[error("{0}")]
    Internal(String),
}

impl ReportError {
    /// The [`ReportError::Io`] of `action` on `path`, for `map_err`.
    pub(crate) fn io<'a>(
        action: &'static str,
        path: &'a Path,
    ) -> impl FnOnce(std::io::Error) -> ReportError + 'a {
        move |error| ReportError::Io {
            action,
            path: path.to_path_buf(),
            error,
        }
    }

    /// The [`ReportError::Draw`] of `action` on `target`, for `map_err` on a plotters result.
    pub(crate) fn draw<E: std::fmt::Display>(
        action: &'static str,
        target: impl std::fmt::Display,
    ) -> impl FnOnce(E) -> ReportError {
        move |e| ReportError::Draw {
            action,
            target: target.to_string(),
            message: e.to_string(),
        }
    }

    /// The [`ReportError::Table`] of polars's error `e` in the step `what`, for `map_err`.
    #[cfg(feature = "reports")]
    pub(crate) fn table(
        what: &str,
    ) -> impl FnOnce(polars::prelude::PolarsError) -> ReportError + '_ {
        move |e| ReportError::Table(format!("{what}: {}", with_causes(&e)))
    }
}

/// `e` and its causes joined by `: `, as the command line writes a chain of causes (so that a
/// polars error reads as it did when the CLI printed it as a cause).
#[cfg(feature = "reports")]
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

#[cfg(feature = "reports")]
impl From<polars::prelude::PolarsError> for ReportError {
    fn from(e: polars::prelude::PolarsError) -> Self {
        ReportError::Table(with_causes(&e))
    }
}

impl From<std::fmt::Error> for ReportError {
    fn from(e: std::fmt::Error) -> Self {
        ReportError::Internal(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::ReportError;
    use std::error::Error;
    use std::path::Path;

    #[test]
    fn messages_are_whole_and_have_no_source() {
        let io = ReportError::io("writing", Path::new("out/REPORT.md"))(std::io::Error::other(
            "disk full",
        ));
        let draw = ReportError::draw("drawing", Path::new("fig.svg").display())("backend failed");
        let figure = ReportError::Figure("heat map: no panels".into());
        let thesis = ReportError::Thesis {
            message: "expected `=`".into(),
        };
        for (err, text) in [
            (io, "writing out/REPORT.md: disk full"),
            (draw, "drawing fig.svg: backend failed"),
            (figure, "heat map: no panels"),
            (thesis, "parsing the thesis results TOML: expected `=`"),
            (
                ReportError::NoTables,
                "the report needs the polars tables: build with --features reports (figures \
                 work without it)",
            ),
        ] {
            assert_eq!(err.to_string(), text);
            assert!(err.source().is_none(), "{err}");
        }
    }

    #[cfg(feature = "reports")]
    #[test]
    fn polars_errors_keep_their_causes() {
        use polars::prelude::PolarsError;
        let inner = PolarsError::ColumnNotFound("f1".into());
        let err = ReportError::table("selecting the table's columns")(PolarsError::Context {
            error: Box::new(inner),
            msg: "select".into(),
        });
        assert_eq!(
            err.to_string(),
            "selecting the table's columns: not found: f1: select: not found: f1"
        );
        assert!(err.source().is_none(), "{err}");
    }
}
