//! MMSA's pickles (`{MOSI,MOSEI}/Processed/aligned_50.pkl`; Yu et al. 2020/2021):
//! `{train, valid, test}` → `{raw_text, audio, vision, id, text, text_bert, audio_lengths,
//! vision_lengths, annotations, classification_labels, regression_labels}`. The importer reads
//! `text` (BERT features in MMSA's MOSI/MOSEI files), `audio`, `vision`, `regression_labels`
//! (sentiment in [-3, 3]) and `id` (`[N]` strings such as `video$_$clip`, each utterance's id);
//! the other keys are known and not used. The unaligned files
//! (`unaligned_50.pkl`) have different steps per modality and are refused.

use super::pickle_splits::{self, Layout};
use super::{ImportError, ImportOptions, RawSource};
use std::path::Path;

/// The MMSA layout.
pub(super) const LAYOUT: Layout = Layout {
    format: "mmsa-pkl",
    modalities: ["text", "audio", "vision"],
    labels: "regression_labels",
    ids: "id",
    known_unused: &[
        "raw_text",
        "text_bert",
        "audio_lengths",
        "vision_lengths",
        "annotations",
        "classification_labels",
        "regression_labels_T",
        "regression_labels_A",
        "regression_labels_V",
    ],
};

/// Reads the requested splits of an MMSA pickle.
pub(super) fn read(path: &Path, opts: &ImportOptions) -> Result<RawSource, ImportError> {
    pickle_splits::read(path, opts, &LAYOUT)
}
