//! Progress bars and per-epoch log lines for long training runs; silent when not wanted (tests,
//! parallel runs). With a live folder ([`LiveFolder`]) it also records each epoch as it ends: a CSV
//! row, and the state a resumed run continues from.

use super::error::Result;
use super::live::{warn, LiveFolder, SavedState};
use candle_core::Tensor;
use indicatif::{ProgressBar, ProgressStyle};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt::Arguments;
use std::sync::Arc;

/// Where training reports its progress: a bar per epoch on stderr plus a log line per epoch, or
/// nothing at all; and, when given a live folder, per-epoch CSV rows and saved states.
#[derive(Debug, Clone)]
pub struct Progress {
    verbose: bool,
    live: Option<Arc<LiveFolder>>,
}

impl Progress {
    /// Bars (hidden automatically when stderr is not a terminal) and log lines on stderr.
    pub fn verbose() -> Self {
        Progress {
            verbose: true,
            live: None,
        }
    }

    /// No output.
    pub fn quiet() -> Self {
        Progress {
            verbose: false,
            live: None,
        }
    }

    /// True for [`Progress::quiet`]: nothing is printed.
    pub fn is_quiet(&self) -> bool {
        !self.verbose
    }

    /// The same, also recording every epoch in the live folder `live`.
    pub fn with_live_folder(self, live: Arc<LiveFolder>) -> Self {
        Progress {
            live: Some(live),
            ..self
        }
    }

    /// Records one epoch's `row` of `phase` (`pretrain`, `finetune`, `linear`) in the live
    /// folder's CSV file, if any.
    pub fn epoch<T: Serialize>(&self, phase: &str, row: &T) {
        if let Some(live) = &self.live {
            if let Err(err) = live.append(phase, row) {
                warn("per-epoch log", &err);
            }
        }
    }

    /// Starts `phase`'s CSV file afresh with the `rows` of the epochs already done (a resumed
    /// phase's log; none for a new one).
    pub fn restart_epochs<T: Serialize>(&self, phase: &str, rows: &[T]) {
        if let Some(live) = &self.live {
            if let Err(err) = live.restart(phase, rows) {
                warn("per-epoch log", &err);
            }
        }
    }

    /// True when a live folder keeps the phases' saved states.
    pub fn saves_state(&self) -> bool {
        self.live.is_some()
    }

    /// Saves `state` and `tensors` of `phase` in the live folder, if any (a failed save warns).
    pub fn save_state<S: Serialize>(&self, phase: &str, state: &S, tensors: &[(String, Tensor)]) {
        if let Some(live) = &self.live {
            if let Err(err) = live.save_state(phase, state, tensors) {
                warn("resumable state", &err);
            }
        }
    }

    /// The state `phase` saved last in the live folder, if any.
    pub fn saved_state<S: DeserializeOwned>(&self, phase: &str) -> Result<Option<SavedState<S>>> {
        match &self.live {
            Some(live) => Ok(live.saved_state(phase)?),
            None => Ok(None),
        }
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
