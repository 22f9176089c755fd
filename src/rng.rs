//! Seeded random streams. Every random choice in the crate (data generation, shuffling,
//! augmentation, initialisation, dropout) draws from a ChaCha8 stream whose seed is derived from
//! the run's seed and a purpose tag, so the same seed and config give the same numbers on any CPU.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The generator used everywhere: portable, fast and stable across platforms.
pub type Rng = ChaCha8Rng;

/// Mixes a base seed with a list of tags (split index, epoch, sample index, …) into a new seed
/// with the SplitMix64 finaliser, so related streams are independent yet reproducible.
pub fn derive_seed(base: u64, tags: &[u64]) -> u64 {
    tags.iter()
        .fold(splitmix64(base), |acc, &t| splitmix64(acc ^ splitmix64(t)))
}

/// A generator for `base` refined by `tags` (see [`derive_seed`]).
pub fn rng_for(base: u64, tags: &[u64]) -> Rng {
    Rng::seed_from_u64(derive_seed(base, tags))
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
