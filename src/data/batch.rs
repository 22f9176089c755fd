//! Seeded shuffling and batching of a split into host batches, and their upload as candle
//! tensors with padding masks.

use super::{DataError, Sequences, Split};
use crate::rng::rng_for;
use candle_core::{DType, Device, Tensor};
use rand::seq::SliceRandom;

/// A batch on the host: the selected samples, truncated to the longest real length among them.
///
/// Truncation drops padding only (every sample's real steps are kept), so a model that masks
/// padding computes the same outputs; it saves the LSTM the steps no sample in the batch uses.
#[derive(Debug, Clone, PartialEq)]
pub struct HostBatch {
    /// Positions of the samples in their split.
    pub indices: Vec<usize>,
    /// Text, audio and visual sequences, each `[batch, steps, dims]`.
    pub modalities: [Sequences; 3],
    /// Real steps per sample.
    pub lengths: Vec<usize>,
    /// Sentiment labels.
    pub labels: Vec<f32>,
}

impl HostBatch {
    /// Gathers the samples at `indices` of `split`.
    pub fn gather(split: &Split, indices: &[usize]) -> HostBatch {
        let lengths: Vec<usize> = indices.iter().map(|&i| split.lengths[i]).collect();
        let steps = lengths.iter().copied().max().unwrap_or(0);
        HostBatch {
            indices: indices.to_vec(),
            modalities: [0, 1, 2].map(|m| split.modalities[m].select_truncated(indices, steps)),
            labels: indices.iter().map(|&i| split.labels[i]).collect(),
            lengths,
        }
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True for an empty batch.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Padded steps of this batch (the longest real length).
    pub fn steps(&self) -> usize {
        self.modalities[0].steps()
    }

    /// Uploads the batch as f32 tensors, with a `[batch, steps]` mask (1 = real step, 0 = padding).
    pub fn to_device(&self, device: &Device) -> candle_core::Result<Batch> {
        let (b, t) = (self.len(), self.steps());
        let seq = |s: &Sequences| Tensor::from_slice(s.as_slice(), (b, t, s.dims()), device);
        let mask: Vec<f32> = self
            .lengths
            .iter()
            .flat_map(|&l| (0..t).map(move |s| if s < l { 1.0 } else { 0.0 }))
            .collect();
        let lengths: Vec<u32> = self.lengths.iter().map(|&l| l as u32).collect();
        Ok(Batch {
            modalities: [
                seq(&self.modalities[0])?,
                seq(&self.modalities[1])?,
                seq(&self.modalities[2])?,
            ],
            mask: Tensor::from_vec(mask, (b, t), device)?,
            lengths: Tensor::from_vec(lengths, b, device)?,
            labels: Tensor::from_slice(&self.labels, b, device)?.to_dtype(DType::F32)?,
        })
    }
}

/// A batch as candle tensors, ready for the encoder.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Text, audio and visual inputs, each `[batch, steps, dims]` f32.
    pub modalities: [Tensor; 3],
    /// `[batch, steps]` f32: 1 for real steps, 0 for padding.
    pub mask: Tensor,
    /// `[batch]` u32 real lengths.
    pub lengths: Tensor,
    /// `[batch]` f32 sentiment labels.
    pub labels: Tensor,
}

/// Iterator over the host batches of a split, in a seeded random order or in storage order.
#[derive(Debug)]
pub struct BatchIter<'a> {
    split: &'a Split,
    order: Vec<usize>,
    batch_size: usize,
    drop_last: bool,
    next: usize,
}

impl<'a> BatchIter<'a> {
    /// Batches of `batch_size`; `shuffle_seed` = `Some(seed)` shuffles with that seed, `None`
    /// keeps storage order; `drop_last` skips a final smaller batch (SSL needs full batches for
    /// batch statistics).
    pub fn new(
        split: &'a Split,
        batch_size: usize,
        shuffle_seed: Option<u64>,
        drop_last: bool,
    ) -> Result<Self, DataError> {
        if batch_size == 0 {
            return Err(DataError::Argument("batch size must be at least 1".into()));
        }
        let order = match shuffle_seed {
            Some(seed) => shuffled_order(split.len(), seed),
            None => (0..split.len()).collect(),
        };
        Ok(BatchIter {
            split,
            order,
            batch_size,
            drop_last,
            next: 0,
        })
    }

    /// Number of batches this iterator yields in total.
    pub fn num_batches(&self) -> usize {
        let n = self.order.len();
        if self.drop_last {
            n / self.batch_size
        } else {
            n.div_ceil(self.batch_size)
        }
    }
}

impl Iterator for BatchIter<'_> {
    type Item = HostBatch;

    fn next(&mut self) -> Option<HostBatch> {
        let remaining = self.order.len() - self.next;
        if remaining == 0 || (self.drop_last && remaining < self.batch_size) {
            return None;
        }
        let end = self.next + remaining.min(self.batch_size);
        let batch = HostBatch::gather(self.split, &self.order[self.next..end]);
        self.next = end;
        Some(batch)
    }
}

/// Purpose tag of the batch-order stream.
const SHUFFLE_TAG: u64 = 0xBA7C;

/// `0..n` in the seeded order that [`Split::batches`] uses with `Some(seed)`: shared by every
/// loop that batches rows (also the linear heads over cached features), so one seed gives one
/// batch order.
pub fn shuffled_order(n: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut rng_for(seed, &[SHUFFLE_TAG]));
    order
}

impl Split {
    /// Batches of this split; see [`BatchIter::new`].
    pub fn batches(
        &self,
        batch_size: usize,
        shuffle_seed: Option<u64>,
        drop_last: bool,
    ) -> Result<BatchIter<'_>, DataError> {
        BatchIter::new(self, batch_size, shuffle_seed, drop_last)
    }
}
