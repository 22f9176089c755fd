//! Helpers shared by the integration tests that write files.

use std::path::{Path, PathBuf};

/// A scratch directory, removed when dropped.
pub struct Tmp(PathBuf);

impl std::ops::Deref for Tmp {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for Tmp {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An empty scratch directory `<temp>/mmssl-<suite>-<pid>-<name>`.
pub fn tmp_in(suite: &str, name: &str) -> Tmp {
    let dir = std::env::temp_dir().join(format!("mmssl-{suite}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Tmp(dir)
}
