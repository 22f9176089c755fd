//! Scaling a reproduction out across machines: `mmssl reproduce --shard K/N` runs a
//! deterministic 1/N of the work and `mmssl results merge` combines the shards' stores.
//!
//! The unit of work is a runner group: the runs that share one pre-training (or, without
//! pre-training, one run key), so a pre-training is computed on exactly one shard. A group
//! belongs to shard `1 + h mod N`, with `h` the first 8 bytes of the SHA-256 of its key: the
//! assignment depends on the group alone, not on which families or runs a shard was asked for,
//! so shards started with different `--only` lists still never duplicate a group. Shards are
//! balanced in expectation, not exactly.

use super::error::{ExperimentError, Result};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// Shard `index` of `count` (1-based, as `--shard K/N` writes it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, 1 ..= `count`.
    pub index: usize,
    /// How many shards the work is split into.
    pub count: usize,
}

impl Shard {
    /// Whether the group with key `group` is this shard's work.
    pub fn owns(&self, group: &str) -> bool {
        let digest = Sha256::digest(group.as_bytes());
        let head = u64::from_be_bytes(digest[..8].try_into().expect("a SHA-256 has 32 bytes"));
        (head % self.count as u64) as usize + 1 == self.index
    }
}

impl FromStr for Shard {
    type Err = ExperimentError;

    /// Parses `K/N` with 1 ≤ K ≤ N.
    fn from_str(text: &str) -> Result<Shard> {
        let refuse = |why: String| ExperimentError::Config(format!("--shard {text}: {why}"));
        let Some((k, n)) = text.split_once('/') else {
            return Err(refuse("expected K/N, e.g. 1/4".into()));
        };
        let parse = |part: &str, what: &str| -> Result<usize> {
            (part.trim().parse())
                .map_err(|_| refuse(format!("{what} `{part}` is not a whole number")))
        };
        let (index, count) = (parse(k, "K")?, parse(n, "N")?);
        if !(count >= 1 && (1..=count).contains(&index)) {
            return Err(refuse("expected 1 ≤ K ≤ N".into()));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}
