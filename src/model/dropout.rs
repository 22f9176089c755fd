//! Inverted dropout with masks drawn from the crate's seeded streams.
//!
//! `candle_nn::ops::dropout` draws its mask with `Tensor::rand` from the device RNG, which cannot
//! be seeded on CPU in candle 0.11 (`Device::Cpu.set_seed` returns an error). Here the keep/drop
//! decisions come from one ChaCha8 stream per model, shared by all its dropout sites and consumed
//! in the fixed order of the forward pass, so the same seed and the same sequence of batches give
//! the same masks. The mask is built on the host and copied to the tensor's device.

use crate::rng::{rng_for, Rng};
use candle_core::{Result, Tensor};
use candle_nn::ModuleT;
use rand::RngCore;
use std::sync::{Arc, Mutex};

/// Purpose tag of the dropout stream (see [`crate::rng::derive_seed`]).
const DROPOUT_TAG: u64 = 0xD50;

/// The seeded stream shared by the dropout sites of one model; clones share the same stream.
#[derive(Debug, Clone)]
pub struct DropoutStream(Arc<Mutex<Rng>>);

impl DropoutStream {
    /// A stream seeded with `seed` (refined by the dropout purpose tag).
    pub fn new(seed: u64) -> Self {
        Self(Arc::new(Mutex::new(rng_for(seed, &[DROPOUT_TAG]))))
    }

    /// Restarts the stream from `seed` (affects every dropout site sharing it).
    pub fn reseed(&self, seed: u64) -> Result<()> {
        *self.lock()? = rng_for(seed, &[DROPOUT_TAG]);
        Ok(())
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Rng>> {
        self.0
            .lock()
            .map_err(|_| candle_core::Error::msg("dropout rng lock poisoned"))
    }
}

/// Inverted dropout: in training each element is zeroed with probability `p` and the survivors
/// are scaled by `1 / (1 − p)`; in evaluation it is the identity.
#[derive(Debug, Clone)]
pub struct Dropout {
    p: f64,
    rng: DropoutStream,
}

impl Dropout {
    /// Dropout with probability `p` drawing from `stream` (the stream is shared, not copied).
    pub fn new(p: f64, stream: &DropoutStream) -> Self {
        Self {
            p,
            rng: stream.clone(),
        }
    }
}

impl ModuleT for Dropout {
    /// `x` with dropout applied when `train`, `x` itself otherwise.
    fn forward_t(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        if !train || self.p == 0.0 {
            return Ok(x.clone());
        }
        // Drop when a uniform u32 falls below p·2³², i.e. with probability p (to within 2⁻³²).
        let threshold = (self.p * 4_294_967_296.0) as u64;
        let scale = (1.0 / (1.0 - self.p)) as f32;
        let mask: Vec<f32> = {
            let mut rng = self.rng.lock()?;
            (0..x.elem_count())
                .map(|_| {
                    if u64::from(rng.next_u32()) < threshold {
                        0.0
                    } else {
                        scale
                    }
                })
                .collect()
        };
        let mask = Tensor::from_vec(mask, x.shape(), x.device())?.to_dtype(x.dtype())?;
        x.mul(&mask)
    }
}
