//! PyTorch interop: `interop/load_in_pytorch.py` loads a run trained with the CLI into the PyTorch
//! model of `bench/pytorch/m3_reference.py`, and its predictions on an imported fixture equal
//! `mmssl predict`'s to 1e-5; a checkpoint that does not fit the table is refused by name.
//!
//! Needs Python >= 3.11 with torch, numpy and safetensors: the interpreter is `MMSSL_PYTHON`
//! (default `python3`). Without them each test prints a `skipped: …` line to stderr and passes.

mod common;
use common::{import_mult_p4, mmssl, ok, s, tmp_in, TINY_CLI};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Largest allowed |PyTorch − mmssl| per prediction.
const TOLERANCE: f64 = 1e-5;

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("interop/load_in_pytorch.py")
}

/// The Python of `MMSSL_PYTHON` (default `python3`) if it imports what the script needs; `None`
/// after a `skipped: …` line on stderr otherwise.
fn python(test: &str) -> Option<String> {
    let python = std::env::var("MMSSL_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let needs = "import tomllib, torch, safetensors, numpy";
    let why = match Command::new(&python).args(["-c", needs]).output() {
        Ok(o) if o.status.success() => return Some(python),
        Ok(o) => String::from_utf8_lossy(&o.stderr)
            .lines()
            .last()
            .unwrap_or("no message")
            .to_owned(),
        Err(e) => format!("cannot run it: {e}"),
    };
    // straight to stderr, past the test harness's capture of `eprintln!`, so it shows
    let _ = writeln!(
        std::io::stderr(),
        "skipped: {test}: `{python} -c \"{needs}\"` failed ({why}); set MMSSL_PYTHON to a Python \
         >= 3.11 with torch, numpy and safetensors to run it"
    );
    None
}

/// A tiny run on `data` trained with the CLI into `run`, with `extra` settings.
fn train(data: &Path, run: &Path, extra: &[&str]) {
    let mut args = vec!["train", "--data", s(data), "--out", s(run)];
    // --scale sizes the synthetic stand-in and is refused with --data
    args.extend(
        TINY_CLI
            .iter()
            .copied()
            .filter(|a| !a.starts_with("--scale")),
    );
    args.extend_from_slice(extra);
    ok(&mmssl(&args));
}

/// One row of a predictions CSV.
struct Row {
    index: usize,
    id: String,
    split: String,
    label: f64,
    prediction: f64,
}

/// The rows of a predictions CSV (`index,id,split,label,prediction`; the fixture's ids hold no
/// commas, so a plain split reads them).
fn rows(path: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("index,id,split,label,prediction"),
        "{text}"
    );
    lines
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f.len(), 5, "{}: {line}", path.display());
            Row {
                index: f[0].parse().unwrap(),
                id: f[1].to_owned(),
                split: f[2].to_owned(),
                label: f[3].parse().unwrap(),
                prediction: f[4].parse().unwrap(),
            }
        })
        .collect()
}

/// Predicts `split` of `data` with `mmssl predict` and with the script, asserts that the rows
/// agree (indices, splits and labels exactly, predictions to [`TOLERANCE`]) and returns the
/// largest |difference|.
fn compare(python: &str, run: &Path, data: &Path, split: &str, dir: &Path) -> f64 {
    let name = run.file_name().unwrap().to_string_lossy();
    let ours = dir.join(format!("{name}-mmssl-{split}.csv"));
    let theirs = dir.join(format!("{name}-pytorch-{split}.csv"));
    ok(&mmssl(&[
        "predict",
        "--checkpoint",
        s(run),
        "--data",
        s(data),
        "--split",
        split,
        "--out",
        s(&ours),
    ]));
    ok(&Command::new(python)
        .arg(script())
        .args(["--run", s(run), "--data", s(data), "--split", split])
        .args(["--out", s(&theirs)])
        .output()
        .unwrap());
    let (a, b) = (rows(&ours), rows(&theirs));
    assert_eq!(a.len(), b.len(), "rows of {split}");
    assert!(!a.is_empty());
    let mut max = 0.0f64;
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(
            (x.index, &x.id, &x.split),
            (y.index, &y.id, &y.split),
            "row order of {split}"
        );
        assert_eq!(
            x.label.to_bits(),
            y.label.to_bits(),
            "label of {} {}",
            x.split,
            x.index
        );
        let d = (x.prediction - y.prediction).abs();
        assert!(
            d <= TOLERANCE,
            "{} {}: mmssl {} vs PyTorch {} (|difference| {d:e})",
            x.split,
            x.index,
            x.prediction,
            y.prediction
        );
        max = max.max(d);
    }
    // the predictions differ between utterances, so agreeing on them means something
    assert!(
        a.iter()
            .any(|x| (x.prediction - a[0].prediction).abs() > 1e-4),
        "predictions of {split} are all equal"
    );
    eprintln!(
        "{name} {split}: {} predictions, max |PyTorch - mmssl| = {max:e}",
        a.len()
    );
    max
}

#[test]
fn pytorch_predictions_equal_mmssl_predict() {
    let Some(python) = python("pytorch_predictions_equal_mmssl_predict") else {
        return;
    };
    let dir = tmp_in("interop", "predict");
    let data = import_mult_p4(&dir);
    // with a projector (BatchNorm running statistics in the file) and standardised inputs
    let ssl = dir.join("ssl");
    train(&data, &ssl, &["--methodology", "ssl-finetune"]);
    compare(&python, &ssl, &data, "test", &dir);
    compare(&python, &ssl, &data, "all", &dir);
    // without a projector, on raw inputs
    let raw = dir.join("raw");
    train(&data, &raw, &["--set=data.standardize=false"]);
    compare(&python, &raw, &data, "test", &dir);
}

#[test]
fn a_checkpoint_that_does_not_fit_is_refused_by_name() {
    let Some(python) = python("a_checkpoint_that_does_not_fit_is_refused_by_name") else {
        return;
    };
    let dir = tmp_in("interop", "refused");
    let data = import_mult_p4(&dir);
    let run = dir.join("run");
    train(&data, &run, &[]);
    // one tensor renamed, one reshaped: both named, nothing written
    let edit = "import sys, numpy as np; from safetensors.numpy import load_file, save_file; \
                p = sys.argv[1]; d = load_file(p); d['head.extra'] = d.pop('head.bias'); \
                d['encoder.fusion.lstm.bias_hh'] = np.zeros(5, np.float32); save_file(d, p)";
    let weights = run.join("model.safetensors");
    ok(&Command::new(&python)
        .args(["-c", edit, s(&weights)])
        .output()
        .unwrap());
    let out = dir.join("preds.csv");
    let o = Command::new(&python)
        .arg(script())
        .args(["--run", s(&run), "--data", s(&data), "--out", s(&out)])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{stderr}");
    assert!(
        stderr.contains("no row in the name table: head.extra"),
        "{stderr}"
    );
    assert!(stderr.contains("the file lacks: head.bias"), "{stderr}");
    assert!(
        stderr.contains("encoder.fusion.lstm.bias_hh: shape [5] in the file, [24]"),
        "{stderr}"
    );
    assert!(!out.exists());
}
