//! A dense `[samples, steps, dims]` block of f32 features: one modality of a split or a batch.

use super::DataError;

/// Padded feature sequences of one modality, row-major `[samples, steps, dims]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sequences {
    samples: usize,
    steps: usize,
    dims: usize,
    data: Vec<f32>,
}

impl Sequences {
    /// Wraps `data` as `[samples, steps, dims]`; errors when the length does not match.
    pub fn new(
        samples: usize,
        steps: usize,
        dims: usize,
        data: Vec<f32>,
    ) -> Result<Self, DataError> {
        if data.len() != samples * steps * dims {
            return Err(DataError::Argument(format!(
                "sequence data has {} values, expected samples {samples} x steps {steps} x dims {dims} = {}",
                data.len(),
                samples * steps * dims
            )));
        }
        Ok(Sequences {
            samples,
            steps,
            dims,
            data,
        })
    }

    /// All-zero sequences of the given shape.
    pub fn zeros(samples: usize, steps: usize, dims: usize) -> Self {
        Sequences {
            samples,
            steps,
            dims,
            data: vec![0.0; samples * steps * dims],
        }
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.samples
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.samples == 0
    }

    /// Padded number of steps.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// Feature dimensions.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// The whole block, row-major `[samples, steps, dims]`.
    pub fn as_slice(&self) -> &[f32] {
        &self.data
    }

    /// The whole block, mutable.
    pub fn as_mut_slice(&mut self) -> &mut [f32] {
        &mut self.data
    }

    /// Consumes the block and returns its values.
    pub fn into_vec(self) -> Vec<f32> {
        self.data
    }

    /// Sample `i` as a `[steps, dims]` slice.
    pub fn sample(&self, i: usize) -> &[f32] {
        let n = self.steps * self.dims;
        &self.data[i * n..(i + 1) * n]
    }

    /// Sample `i` as a mutable `[steps, dims]` slice.
    pub fn sample_mut(&mut self, i: usize) -> &mut [f32] {
        let n = self.steps * self.dims;
        &mut self.data[i * n..(i + 1) * n]
    }

    /// Feature vector of sample `i` at step `t`.
    pub fn row(&self, i: usize, t: usize) -> &[f32] {
        let start = (i * self.steps + t) * self.dims;
        &self.data[start..start + self.dims]
    }

    /// The samples at `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> Sequences {
        let mut data = Vec::with_capacity(indices.len() * self.steps * self.dims);
        for &i in indices {
            data.extend_from_slice(self.sample(i));
        }
        Sequences {
            samples: indices.len(),
            steps: self.steps,
            dims: self.dims,
            data,
        }
    }

    /// The samples at `indices`, keeping only their first `steps` steps.
    pub fn select_truncated(&self, indices: &[usize], steps: usize) -> Sequences {
        let steps = steps.min(self.steps);
        let mut data = Vec::with_capacity(indices.len() * steps * self.dims);
        for &i in indices {
            data.extend_from_slice(&self.sample(i)[..steps * self.dims]);
        }
        Sequences {
            samples: indices.len(),
            steps,
            dims: self.dims,
            data,
        }
    }

    /// True when every value of sample `i` within its first `len` steps is zero.
    pub fn is_all_zero(&self, i: usize, len: usize) -> bool {
        self.sample(i)[..len * self.dims].iter().all(|&v| v == 0.0)
    }
}
