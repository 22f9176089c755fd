//! The training commands as a user runs them: `train` (each methodology), `pretrain` →
//! `finetune` → `evaluate`, checkpoints and metrics JSON on disk, overrides and clear errors.

mod common;
use common::{mmssl, ok, TINY_CLI};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

fn tmp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mmssl-cli-train-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn metrics_json(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("metrics.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn train(methodology: &str, seed: &str, out: &Path) -> Output {
    let mut args = vec![
        "train",
        "--methodology",
        methodology,
        "--seed",
        seed,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(TINY_CLI);
    mmssl(&args)
}

#[test]
fn train_writes_checkpoint_config_and_deterministic_metrics() {
    let (a, b) = (tmp_dir("det-a"), tmp_dir("det-b"));
    let stdout = ok(&train("ssl-finetune", "7", &a));
    assert!(
        stdout.contains("synthetic-mosei") && stdout.contains("Acc7"),
        "{stdout}"
    );
    ok(&train("ssl-finetune", "7", &b));
    for file in ["model.safetensors", "config.toml", "metrics.json"] {
        assert!(a.join(file).is_file(), "{file} missing");
    }
    let (mut ma, mut mb) = (metrics_json(&a), metrics_json(&b));
    assert!(ma["timing"]["finetune_seconds"].as_f64().unwrap() > 0.0);
    for m in [&mut ma, &mut mb] {
        m.as_object_mut().unwrap().remove("timing");
    }
    assert_eq!(ma, mb, "same seed and config give identical metrics JSON");
    assert_eq!(ma["config"]["seed"], 7);
    assert_eq!(ma["data"]["synthetic"], true);
    for key in [
        "mae",
        "corr",
        "acc7",
        "acc5",
        "acc2_non0",
        "f1_non0",
        "acc2_has0",
        "f1_has0",
        "n",
    ] {
        assert!(ma["test"].get(key).is_some(), "test metrics lack {key}");
    }
    let config = std::fs::read_to_string(a.join("config.toml")).unwrap();
    assert!(
        config.contains("methodology = \"ssl-finetune\""),
        "{config}"
    );
}

#[test]
fn pretrain_then_finetune_linear_then_evaluate() {
    let pre = tmp_dir("pre");
    let mut args = vec!["pretrain", "--seed", "2", "--out", pre.to_str().unwrap()];
    args.extend_from_slice(TINY_CLI);
    let stdout = ok(&mmssl(&args));
    assert!(stdout.contains("Barlow Twins loss"), "{stdout}");
    assert!(pre.join("pretrain.json").is_file());

    let lin = tmp_dir("lin");
    let out = mmssl(&[
        "finetune",
        "--checkpoint",
        pre.to_str().unwrap(),
        "--linear",
        "--quiet",
        "--set",
        "supervised.labeled_fraction=0.5",
        "--out",
        lin.to_str().unwrap(),
    ]);
    ok(&out);
    let report = metrics_json(&lin);
    assert_eq!(report["config"]["methodology"], "ssl-linear");
    assert_eq!(report["config"]["supervised"]["labeled_fraction"], 0.5);

    let eval = ok(&mmssl(&[
        "evaluate",
        "--checkpoint",
        lin.to_str().unwrap(),
        "--json",
    ]));
    let eval: Value = serde_json::from_str(eval.trim()).unwrap();
    assert_eq!(
        eval["test"], report["test"],
        "evaluate reproduces the saved test metrics"
    );

    let bad = mmssl(&[
        "finetune",
        "--checkpoint",
        pre.to_str().unwrap(),
        "--set",
        "model.hidden=9",
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr)
        .contains("model, data and seed come from the checkpoint"));
}

#[test]
fn supervised_methodologies_run_from_the_cli() {
    for m in ["supervised", "supervised-linear", "ssl-linear"] {
        let dir = tmp_dir(m);
        ok(&train(m, "1", &dir));
        assert_eq!(metrics_json(&dir)["config"]["methodology"], m);
    }
}

#[test]
fn bad_arguments_are_named() {
    let cases: [(&[&str], &str); 4] = [
        (
            &["train", "--set", "supervised.learning_rate=1"],
            "no field `supervised.learning_rate`",
        ),
        (&["train", "--set", "supervised.lr"], "expected KEY=VALUE"),
        (&["train", "--device", "tpu"], "expected `cpu` or `cuda`"),
        (
            &["evaluate", "--checkpoint", "/nonexistent/run"],
            "config.toml",
        ),
    ];
    for (args, expected) in cases {
        let out = mmssl(args);
        assert!(!out.status.success(), "{args:?} succeeded");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}
