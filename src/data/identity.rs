//! The one-line identity (name, seed, scale, checksum) that every result carries, so a number is
//! never separated from the data it was computed on.

use super::Split;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// What data a result came from: a synthetic stand-in (with seed and scale) or a named release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataIdentity {
    /// Dataset name, e.g. `synthetic-mosei` or `cmu-mosei (mult-pkl)`.
    pub name: String,
    /// Generator seed, for synthetic data.
    pub seed: Option<u64>,
    /// Size relative to CMU-MOSEI's aligned release, for synthetic data.
    pub scale: Option<f64>,
    /// SHA-256 (hex) over every split's shapes, lengths, labels and features (fixed little-endian layout).
    pub sha256: String,
    /// True for generated data: results on it are never the thesis's numbers.
    pub synthetic: bool,
}

impl DataIdentity {
    /// The first 16 hex digits of the checksum, enough to tell data sets apart in a log line.
    pub fn short_sha(&self) -> &str {
        &self.sha256[..16.min(self.sha256.len())]
    }
}

impl fmt::Display for DataIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "data={}", self.name)?;
        if let Some(seed) = self.seed {
            write!(f, " seed={seed}")?;
        }
        if let Some(scale) = self.scale {
            write!(f, " scale={scale}")?;
        }
        write!(f, " sha256={}", self.short_sha())?;
        if self.synthetic {
            write!(f, " (synthetic stand-in, not CMU-MOSEI)")?;
        }
        Ok(())
    }
}

/// SHA-256 over the splits' content in a fixed little-endian layout: per split its name, counts,
/// steps and dims, then lengths (u32), labels (f32), emotions (f32, if any) and the features of
/// text, audio and visual (f32). Equal checksums mean bit-identical data.
pub fn content_sha256(splits: &[&Split]) -> String {
    let mut h = Sha256::new();
    for split in splits {
        h.update(split.name.name().as_bytes());
        h.update((split.len() as u64).to_le_bytes());
        h.update((split.steps() as u64).to_le_bytes());
        for d in split.dims() {
            h.update((d as u64).to_le_bytes());
        }
        for &l in &split.lengths {
            h.update((l as u32).to_le_bytes());
        }
        update_f32(&mut h, &split.labels);
        if let Some(e) = &split.emotions {
            for row in e {
                update_f32(&mut h, row);
            }
        }
        for seq in &split.modalities {
            update_f32(&mut h, seq.as_slice());
        }
    }
    crate::digest::hex(&h.finalize())
}

fn update_f32(h: &mut Sha256, values: &[f32]) {
    let mut buf = Vec::with_capacity(values.len().min(1 << 16) * 4);
    for chunk in values.chunks(1 << 16) {
        buf.clear();
        buf.extend(chunk.iter().flat_map(|v| v.to_le_bytes()));
        h.update(&buf);
    }
}
