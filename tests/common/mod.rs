//! Helpers shared by the integration tests: scratch directories and the `mmssl` binary.
// Each test file compiles this module on its own and uses only some of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the `mmssl` binary built for the tests with `args`.
pub fn mmssl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mmssl"))
        .args(args)
        .output()
        .expect("the mmssl binary runs")
}

/// The stdout of a successful `out`; panics with its stderr otherwise.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

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
