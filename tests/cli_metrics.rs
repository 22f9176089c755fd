//! End-to-end tests of `mmssl metrics` (thesis 7.3 scoring of a predictions CSV).

use approx::assert_abs_diff_eq;
use mmssl::metrics::{evaluate, Metrics};
use std::path::PathBuf;
use std::process::{Command, Output};

/// Writes `contents` to a temp file unique to this process and test, runs `mmssl metrics` on it
/// with `extra` arguments, removes the file and returns the process output.
fn run_metrics(name: &str, contents: &str, extra: &[&str]) -> (PathBuf, Output) {
    let path = std::env::temp_dir().join(format!(
        "mmssl-test-cli-metrics-{}-{name}.csv",
        std::process::id()
    ));
    std::fs::write(&path, contents).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_mmssl"))
        .args(["metrics", "--predictions"])
        .arg(&path)
        .args(extra)
        .output()
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    (path, output)
}

/// Asserts a failed run: non-zero exit, nothing on stdout, and stderr naming the file and each
/// of `needles`.
fn assert_fails(name: &str, contents: &str, needles: &[&str]) {
    let (path, output) = run_metrics(name, contents, &["--json"]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!output.status.success(), "{name}: unexpected success");
    assert!(output.stdout.is_empty(), "{name}: stdout not empty");
    assert!(stderr.starts_with("error: "), "{name}: {stderr}");
    assert!(
        stderr.contains(&path.display().to_string()),
        "{name}: {stderr}"
    );
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "{name}: {needle:?} not in {stderr}"
        );
    }
}

const GOOD: &str = "id,prediction,label\n\
                    a,2.5,2.0\n\
                    b,-0.5,0\n\
                    c,1.5,2.4\n\
                    d,0,1\n\
                    e,-2.5,-3\n\
                    f,3.7,2.6\n\
                    g,-1.2,0\n\
                    h,0.4,-0.6\n";

#[test]
fn json_output_matches_evaluate() {
    let (_, output) = run_metrics("good-json", GOOD, &["--json"]);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "exactly one JSON line: {stdout}");
    let value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(value.as_object().unwrap().len(), 12, "{value}");
    let got: Metrics = serde_json::from_value(value).unwrap();

    let p = [2.5, -0.5, 1.5, 0.0, -2.5, 3.7, -1.2, 0.4];
    let y = [2.0, 0.0, 2.4, 1.0, -3.0, 2.6, 0.0, -0.6];
    let want = evaluate(&p, &y).unwrap();
    // serde_json's default float parser (no `float_roundtrip` feature) may be off by one ulp,
    // so compare floats within 1e-12 rather than bit for bit.
    let pairs = [
        (got.mae, want.mae),
        (got.corr.unwrap(), want.corr.unwrap()),
        (got.acc7, want.acc7),
        (got.acc5, want.acc5),
        (got.acc2_non0.unwrap(), want.acc2_non0.unwrap()),
        (got.f1_non0.unwrap(), want.f1_non0.unwrap()),
        (got.acc2_has0, want.acc2_has0),
        (got.f1_has0, want.f1_has0),
        (got.rmse.unwrap(), want.rmse.unwrap()),
        (got.ccc.unwrap(), want.ccc.unwrap()),
        (got.sagr.unwrap(), want.sagr.unwrap()),
    ];
    for (g, w) in pairs {
        assert_abs_diff_eq!(g, w, epsilon = 1e-12);
    }
    assert_eq!(got.n, 8);
}

#[test]
fn json_output_writes_null_for_undefined_metrics() {
    let (_, output) = run_metrics("all-zero", "prediction,label\n1,0\n-1,0\n", &["--json"]);
    assert!(output.status.success(), "{output:?}");
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    for key in ["corr", "acc2_non0", "f1_non0"] {
        assert!(value[key].is_null(), "{key} in {value}");
    }
}

#[test]
fn table_output_is_human_readable() {
    let (_, output) = run_metrics("good-table", GOOD, &[]);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    for needle in [
        "n = 8", "MAE", "0.8375", "Corr", "Acc7", "Acc5", "Acc2", "F1",
    ] {
        assert!(stdout.contains(needle), "{needle:?} not in\n{stdout}");
    }
}

#[test]
fn missing_column_is_reported() {
    assert_fails(
        "missing-column",
        "prediction,truth\n1,2\n",
        &["line 1", "missing column `label`"],
    );
}

#[test]
fn non_numeric_value_is_reported_with_line_and_column() {
    assert_fails(
        "non-numeric",
        "prediction,label\n0.5,1\nabc,2\n",
        &[
            "line 3, column `prediction`",
            "expected a number",
            "\"abc\"",
        ],
    );
}

#[test]
fn nan_value_is_reported_with_line_and_column() {
    assert_fails(
        "nan",
        "prediction,label\n0.5,NaN\n",
        &["line 2, column `label`", "expected a finite number"],
    );
}

#[test]
fn empty_file_is_reported() {
    assert_fails("empty", "", &["line 1", "empty file"]);
}

#[test]
fn header_only_is_reported() {
    assert_fails("header-only", "prediction,label\n", &["no data rows"]);
}

#[test]
fn wrong_field_count_is_reported() {
    assert_fails(
        "field-count",
        "prediction,label\n1,2\n3\n",
        &["line 3", "expected 2 fields", "found 1"],
    );
}
