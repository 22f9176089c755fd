//! SHA-256 digests written as lower-case hex: the one helper behind the data identity
//! (`data::identity`), the importer's file checksums (`import::source`) and the run keys
//! (`experiments::key`).

use sha2::{Digest, Sha256};

/// Lower-case hex of `digest`, two characters per byte.
pub fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}
