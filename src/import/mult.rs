//! MulT's word-aligned pickles (`mosei_senti_data.pkl`, `mosi_data.pkl`; Tsai et al. 2019):
//! `{train, valid, test}` → `{text, audio, vision, labels, id}`, features `[N, 50, dims]`,
//! labels `[N, 1, 1]` sentiment in [-3, 3]. `id` (`[N, 3]` byte strings: video, segment start and
//! end) becomes each utterance's id, the row's fields joined by `_`.

use super::pickle_splits::{self, Layout};
use super::{ImportError, ImportOptions, RawSource};
use std::path::Path;

/// The MulT layout.
pub(super) const LAYOUT: Layout = Layout {
    format: "mult-pkl",
    modalities: ["text", "audio", "vision"],
    labels: "labels",
    ids: "id",
    known_unused: &[],
};

/// Reads the requested splits of a MulT pickle.
pub(super) fn read(path: &Path, opts: &ImportOptions) -> Result<RawSource, ImportError> {
    pickle_splits::read(path, opts, &LAYOUT)
}
