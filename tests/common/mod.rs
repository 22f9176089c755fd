//! Helpers shared by the integration tests: scratch directories, the `mmssl` binary and the tiny
//! run settings that keep a test to seconds.
// Each test file compiles this module on its own and uses only some of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The test fixture `name` (in `tests/fixtures/`).
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The MulT-format pickle fixtures, one per pickle protocol (0, 2, 4, 5 and Python 2's).
pub const MULT_PICKLES: [&str; 5] = [
    "mult_p0.pkl",
    "mult_p2.pkl",
    "mult_p4.pkl",
    "mult_p5.pkl",
    "mult_py2.pkl",
];

/// `path` as a command-line argument.
pub fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// `mult_p4.pkl` imported with the CLI into `dir/data` (13 utterances, lengths 1–8, dims 5/3/4,
/// with the source's ids); returns the data folder.
pub fn import_mult_p4(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    ok(&mmssl(&[
        "data",
        "import",
        "--format",
        "mult-pkl",
        s(&fixture("mult_p4.pkl")),
        "--out",
        s(&data),
    ]));
    data
}

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

/// Command-line overrides that shrink the thesis model and data to a few seconds per run.
pub const TINY_CLI: &[&str] = &[
    "--scale=0.008",
    "--set=model.hidden=6",
    "--set=model.attention_dim=6",
    "--set=model.fusion_hidden=6",
    "--set=model.projector=[12, 12]",
    "--set=supervised.max_epochs=2",
    "--set=ssl.epochs=1",
    "--set=ssl.batch_size=40",
    "--quiet",
];

/// A run config small enough for a unit test: ~200 training utterances, hidden sizes 8, seed 3.
pub fn tiny_config(methodology: mmssl::train::Methodology) -> mmssl::train::RunConfig {
    let mut cfg = mmssl::train::RunConfig {
        methodology,
        seed: 3,
        ..mmssl::train::RunConfig::default()
    };
    cfg.data.synthetic.scale = 0.012;
    cfg.model.hidden = 8;
    cfg.model.attention_dim = 8;
    cfg.model.fusion_hidden = 8;
    cfg.model.projector = vec![16, 16];
    cfg.supervised.max_epochs = 3;
    cfg.supervised.batch_size = 32;
    cfg.ssl.epochs = 2;
    cfg.ssl.batch_size = 64;
    // 3e-6 (table 7.3.2) barely moves a tiny model in 2 epochs; the tests need visible change.
    cfg.ssl.lr = 1e-3;
    cfg
}
