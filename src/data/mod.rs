//! Word-aligned multimodal utterances (thesis 5.2): three sequences per sample — text, audio,
//! visual — a real length, a sentiment label in [-3, 3] and optional emotion intensities.
//!
//! Conventions used everywhere in the crate:
//! * every modality of a split is stored padded to the same number of `steps`;
//! * the real steps of a sample come first and padding (zeros) follows it: `lengths[i]` steps of
//!   sample `i` are data, the rest is never read as data (importers convert front-padded
//!   releases to this layout; a run can be given the released code's front-padded, unmasked
//!   layout instead, see [`Layout`]);
//! * modalities are ordered text, audio, visual — the order of the thesis's code.

mod batch;
mod identity;
mod layout;
mod sequences;
mod standardize;
mod subset;
mod summary;
pub mod synthetic;

pub use batch::{shuffled_order, Batch, BatchIter, HostBatch};
pub use identity::{content_sha256, DataIdentity};
pub use layout::Layout;
pub use sequences::Sequences;
pub use standardize::{NonFinitePolicy, NonFiniteReport, Standardizer};
pub use summary::{DatasetSummary, ModalitySummary, SplitSummary};

use serde::{Deserialize, Serialize};
use std::fmt;

/// One of the three input modalities, in the order of the thesis's code (text, audio, visual).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Modality {
    /// Word embeddings (GloVe 300-d in CMU-MOSEI).
    Text,
    /// Acoustic descriptors (COVAREP 74-d in CMU-MOSEI).
    Audio,
    /// Facial action units and expressions (FACET 35-d in CMU-MOSEI).
    Visual,
}

impl Modality {
    /// All modalities in storage order.
    pub const ALL: [Modality; 3] = [Modality::Text, Modality::Audio, Modality::Visual];

    /// Position of the modality in `[text, audio, visual]` arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Lower-case name used in files, configs and messages.
    pub fn name(self) -> &'static str {
        match self {
            Modality::Text => "text",
            Modality::Audio => "audio",
            Modality::Visual => "visual",
        }
    }
}

impl fmt::Display for Modality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Names of the six CMU-MOSEI emotion intensities, in the dataset's order.
pub const EMOTIONS: [&str; 6] = [
    "happiness",
    "sadness",
    "anger",
    "surprise",
    "disgust",
    "fear",
];

/// The three standard partitions of a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SplitName {
    /// Training data (labeled and, for SSL, used unlabeled).
    Train,
    /// Validation data (early stopping, learning-rate schedule).
    Valid,
    /// Held-out test data (reported metrics).
    Test,
}

impl SplitName {
    /// All splits in the conventional order.
    pub const ALL: [SplitName; 3] = [SplitName::Train, SplitName::Valid, SplitName::Test];

    /// Lower-case name used in files and messages.
    pub fn name(self) -> &'static str {
        match self {
            SplitName::Train => "train",
            SplitName::Valid => "valid",
            SplitName::Test => "test",
        }
    }
}

impl fmt::Display for SplitName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Errors raised when a split's parts disagree or a request does not fit the data.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The parts of a split have different sample counts or step counts.
    #[error("split {split}: {what}")]
    Inconsistent {
        /// Which split.
        split: SplitName,
        /// What disagrees, with the expected and found values.
        what: String,
    },
    /// A value outside its documented range.
    #[error("split {split}, sample {sample}: {what}")]
    OutOfRange {
        /// Which split.
        split: SplitName,
        /// Which sample (0-based).
        sample: usize,
        /// What was expected and what was found.
        what: String,
    },
    /// A non-finite feature value under [`NonFinitePolicy::Reject`].
    #[error("split {split}, {modality}: non-finite value {value} at sample {sample}, step {step}, feature {feature}")]
    NonFinite {
        /// Which split.
        split: SplitName,
        /// Which modality.
        modality: Modality,
        /// Sample index (0-based).
        sample: usize,
        /// Step index (0-based).
        step: usize,
        /// Feature index (0-based).
        feature: usize,
        /// The offending value.
        value: f32,
    },
    /// A bad argument (fraction outside (0, 1], batch size 0, …).
    #[error("{0}")]
    Argument(String),
}

/// One split: `n` utterances with three padded modality sequences, real lengths and labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// Which partition this is.
    pub name: SplitName,
    /// Text, audio and visual sequences, each `[n, steps, dims]`.
    pub modalities: [Sequences; 3],
    /// Real number of steps per sample (1 ..= steps); steps past it are padding.
    pub lengths: Vec<usize>,
    /// Sentiment label per sample, in [-3, 3] (thesis 5.2).
    pub labels: Vec<f32>,
    /// Optional six emotion intensities per sample, order [`EMOTIONS`].
    pub emotions: Option<Vec<[f32; 6]>>,
    /// The source's utterance id per sample, in storage order, for imported data whose release
    /// has them; `None` for the stand-in and for data without ids ([`Split::id`] then gives the
    /// index). Not part of the identity checksum: ids name utterances, they are not data.
    pub ids: Option<Vec<String>>,
}

impl Split {
    /// Builds a split and checks that counts, steps, lengths and labels agree.
    pub fn new(
        name: SplitName,
        modalities: [Sequences; 3],
        lengths: Vec<usize>,
        labels: Vec<f32>,
        emotions: Option<Vec<[f32; 6]>>,
    ) -> Result<Self, DataError> {
        let split = Split {
            name,
            modalities,
            lengths,
            labels,
            emotions,
            ids: None,
        };
        split.validate()?;
        Ok(split)
    }

    /// The split with the source's utterance ids; their count must be the split's.
    pub fn with_ids(mut self, ids: Option<Vec<String>>) -> Result<Self, DataError> {
        self.ids = ids;
        self.validate()?;
        Ok(self)
    }

    /// The id of sample `i`: the source's utterance id, or the index as text without ids.
    pub fn id(&self, i: usize) -> String {
        match &self.ids {
            Some(ids) => ids[i].clone(),
            None => i.to_string(),
        }
    }

    /// Checks the invariants documented on the fields.
    pub fn validate(&self) -> Result<(), DataError> {
        let n = self.labels.len();
        let steps = self.steps();
        let inconsistent = |what: String| DataError::Inconsistent {
            split: self.name,
            what,
        };
        for (m, seq) in Modality::ALL.iter().zip(&self.modalities) {
            if seq.len() != n {
                return Err(inconsistent(format!(
                    "{m} has {} samples, labels have {n}",
                    seq.len()
                )));
            }
            if seq.steps() != steps {
                return Err(inconsistent(format!(
                    "{m} has {} steps, text has {steps}",
                    seq.steps()
                )));
            }
        }
        if self.lengths.len() != n {
            return Err(inconsistent(format!(
                "{} lengths for {n} samples",
                self.lengths.len()
            )));
        }
        if let Some(ids) = &self.ids {
            if ids.len() != n {
                return Err(inconsistent(format!(
                    "{} utterance ids for {n} samples (one id per utterance)",
                    ids.len()
                )));
            }
        }
        if let Some(e) = &self.emotions {
            if e.len() != n {
                return Err(inconsistent(format!(
                    "{} emotion rows for {n} samples",
                    e.len()
                )));
            }
        }
        for (i, (&len, &label)) in self.lengths.iter().zip(&self.labels).enumerate() {
            let out_of_range = |what: String| DataError::OutOfRange {
                split: self.name,
                sample: i,
                what,
            };
            if len == 0 || len > steps {
                return Err(out_of_range(format!("length {len}, expected 1..={steps}")));
            }
            if !(-3.0..=3.0).contains(&label) {
                return Err(out_of_range(format!(
                    "sentiment label {label}, expected a finite value in [-3, 3]"
                )));
            }
        }
        Ok(())
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True when the split holds no samples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Padded number of steps shared by all modalities.
    pub fn steps(&self) -> usize {
        self.modalities[0].steps()
    }

    /// Feature dimensions per modality, `[text, audio, visual]`.
    pub fn dims(&self) -> [usize; 3] {
        [0, 1, 2].map(|m| self.modalities[m].dims())
    }

    /// The sequences of one modality.
    pub fn modality(&self, m: Modality) -> &Sequences {
        &self.modalities[m.index()]
    }

    /// A new split holding the samples at `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> Split {
        Split {
            name: self.name,
            modalities: [0, 1, 2].map(|m| self.modalities[m].select(indices)),
            lengths: indices.iter().map(|&i| self.lengths[i]).collect(),
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            emotions: self
                .emotions
                .as_ref()
                .map(|e| indices.iter().map(|&i| e[i]).collect()),
            ids: self
                .ids
                .as_ref()
                .map(|ids| indices.iter().map(|&i| ids[i].clone()).collect()),
        }
    }
}

/// A dataset: train / valid / test splits plus the identity every result carries.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Name, seed, scale and checksum of the data.
    pub identity: DataIdentity,
    /// Training split.
    pub train: Split,
    /// Validation split.
    pub valid: Split,
    /// Test split.
    pub test: Split,
}

impl Dataset {
    /// The split called `name`.
    pub fn split(&self, name: SplitName) -> &Split {
        match name {
            SplitName::Train => &self.train,
            SplitName::Valid => &self.valid,
            SplitName::Test => &self.test,
        }
    }

    /// Mutable access to the split called `name`.
    pub fn split_mut(&mut self, name: SplitName) -> &mut Split {
        match name {
            SplitName::Train => &mut self.train,
            SplitName::Valid => &mut self.valid,
            SplitName::Test => &mut self.test,
        }
    }

    /// Feature dimensions per modality, `[text, audio, visual]`.
    pub fn dims(&self) -> [usize; 3] {
        self.train.dims()
    }
}
