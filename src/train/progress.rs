//! Progress bars and per-epoch log lines for long training runs; silent when not wanted (tests,
//! parallel runs).

use super::epoch_files::{log_epoch, EpochFiles};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::fmt::Arguments;
use std::sync::Arc;

/// Where training reports its progress: a bar per epoch on stderr plus a log line per epoch, or
/// nothing at all; and, when given, per-epoch CSV rows ([`EpochFiles`]).
#[derive(Debug, Clone)]
pub struct Progress {
    verbose: bool,
    epochs: Option<Arc<EpochFiles>>,
}

impl Progress {
    /// Bars (hidden automatically when stderr is not a terminal) and log lines on stderr.
    pub fn verbose() -> Self {
        Progress {
            verbose: true,
            epochs: None,
        }
    }

    /// No output.
    pub fn quiet() -> Self {
        Progress {
            verbose: false,
            epochs: None,
        }
    }

    /// True for [`Progress::quiet`]: nothing is printed.
    pub fn is_quiet(&self) -> bool {
        !self.verbose
    }

    /// The same, also writing every epoch's row to `files`.
    pub fn with_epoch_files(self, files: Arc<EpochFiles>) -> Self {
        Progress {
            epochs: Some(files),
            ..self
        }
    }

    /// Records one epoch's `row` of `phase` (`pretrain`, `finetune`, `linear`) in the epoch
    /// files, if any.
    pub fn epoch<T: Serialize>(&self, phase: &str, row: &T) {
        log_epoch(self.epochs.as_deref(), phase, row);
    }

    /// A bar over the `batches` of epoch `epoch` (of `epochs`) of phase `phase`.
    pub fn epoch_bar(&self, phase: &str, epoch: usize, epochs: usize, batches: usize) -> EpochBar {
        let bar = if self.verbose {
            ProgressBar::new(batches as u64)
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix} [{bar:30}] {pos}/{len} {msg} ({elapsed} < {eta})",
            )
            .expect("static template")
            .progress_chars("=> "),
        );
        bar.set_prefix(format!("{phase} epoch {}/{epochs}", epoch + 1));
        EpochBar(bar)
    }

    /// One log line on stderr (above any bar).
    pub fn log(&self, line: Arguments<'_>) {
        if self.verbose {
            eprintln!("{line}");
        }
    }
}

/// A progress bar over one epoch's batches, showing the latest loss.
#[derive(Debug)]
pub struct EpochBar(ProgressBar);

impl EpochBar {
    /// Advances by one batch whose loss was `loss`.
    pub fn step(&self, loss: f64) {
        self.0.set_message(format!("loss {loss:.4}"));
        self.0.inc(1);
    }

    /// Removes the bar (the epoch's log line replaces it).
    pub fn finish(self) {
        self.0.finish_and_clear();
    }
}
