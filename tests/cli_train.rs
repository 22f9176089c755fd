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

#[test]
fn predict_writes_a_csv_that_metrics_scores_exactly_as_evaluate() {
    let run = tmp_dir("predict-run");
    ok(&train("supervised", "4", &run));
    let csv = tmp_dir("predict-out").with_extension("csv");
    let _ = std::fs::remove_file(&csv);
    let (run_s, csv_s) = (run.to_str().unwrap(), csv.to_str().unwrap());
    let stdout = ok(&mmssl(&["predict", "--checkpoint", run_s, "--out", csv_s]));
    assert!(stdout.contains("synthetic-mosei"), "{stdout}");
    let evaluated: Value =
        serde_json::from_str(&ok(&mmssl(&["evaluate", "--checkpoint", run_s, "--json"]))).unwrap();
    let scored: Value =
        serde_json::from_str(&ok(&mmssl(&["metrics", "--predictions", csv_s, "--json"]))).unwrap();
    assert_eq!(
        scored, evaluated["test"],
        "metrics on the CSV = evaluate's test metrics"
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("index,id,split,label,prediction\n0,0,test,"),
        "{text}"
    );

    // an existing file needs --force; a directory is never replaced
    let refused = mmssl(&["predict", "--checkpoint", run_s, "--out", csv_s]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    let all = ok(&mmssl(&[
        "predict",
        "--checkpoint",
        run_s,
        "--out",
        csv_s,
        "--split",
        "all",
        "--force",
    ]));
    let rows = std::fs::read_to_string(&csv).unwrap().lines().count() - 1;
    let sizes = mmssl::data::synthetic::SyntheticConfig::new(0, 0.008).split_sizes();
    assert_eq!(
        rows,
        sizes.iter().sum::<usize>(),
        "one row per utterance of every split"
    );
    assert!(all.contains(&format!("wrote {rows} predictions")), "{all}");
    let dir_out = mmssl(&["predict", "--checkpoint", run_s, "--out", run_s, "--force"]);
    assert!(String::from_utf8_lossy(&dir_out.stderr).contains("is a directory"));
    assert!(
        run.join("model.safetensors").is_file(),
        "the run is untouched"
    );
    let _ = std::fs::remove_file(&csv);
}

#[test]
fn embed_writes_the_fused_vectors_the_library_computes() {
    let run = tmp_dir("embed-run");
    ok(&train("supervised", "5", &run));
    let out = tmp_dir("embed-out");
    let (run_s, out_s) = (run.to_str().unwrap(), out.to_str().unwrap());
    let stdout = ok(&mmssl(&["embed", "--checkpoint", run_s, "--out", out_s]));
    assert!(stdout.contains("fused vectors"), "{stdout}");
    let device = candle_core::Device::Cpu;
    let tensors =
        candle_core::safetensors::load(out.join("embeddings.safetensors"), &device).unwrap();
    let (cfg, model, _) = mmssl::train::load_checkpoint(&run, &device).unwrap();
    let data = cfg.load_data().unwrap();
    for name in mmssl::data::SplitName::ALL {
        let split = data.split(name);
        let want = mmssl::train::encode_split(&model, split, &device).unwrap();
        let fused = &tensors[&format!("{name}.fused")];
        assert_eq!(fused.dims(), [split.len(), want.dim]);
        assert_eq!(
            fused.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
            want.values
        );
        let labels = tensors[&format!("{name}.label")].to_vec1::<f32>().unwrap();
        assert_eq!(labels, split.labels);
        let index = tensors[&format!("{name}.index")].to_vec1::<u32>().unwrap();
        assert_eq!(index, (0..split.len() as u32).collect::<Vec<_>>());
    }
    let meta: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("meta.json")).unwrap()).unwrap();
    assert_eq!(meta["data"]["sha256"], metrics_json(&run)["data"]["sha256"]);
    // an earlier embedding is replaced only with --force; a run folder never
    let again = mmssl(&["embed", "--checkpoint", run_s, "--out", out_s]);
    assert!(!again.status.success());
    ok(&mmssl(&[
        "embed",
        "--checkpoint",
        run_s,
        "--out",
        out_s,
        "--split",
        "test",
        "--force",
        "--per-modality",
    ]));
    let tensors =
        candle_core::safetensors::load(out.join("embeddings.safetensors"), &device).unwrap();
    let test = &data.test;
    let batch = test
        .batches(test.len(), None, false)
        .unwrap()
        .next()
        .unwrap();
    let loud = model
        .encoder
        .modality_vectors(&batch.to_device(&device).unwrap())
        .unwrap();
    let rows = |t: &candle_core::Tensor| t.to_vec2::<f32>().unwrap();
    for (m, want) in ["text", "audio", "visual"].iter().zip(&loud) {
        let got = &tensors[&format!("test.{m}")];
        assert_eq!(got.dims(), [test.len(), cfg.model.attention_dim], "{m}");
        assert_eq!(rows(got), rows(want), "{m}");
    }
    // each modality's vector is its own: zeroing audio changes audio's vector only
    let mut silent = batch.clone();
    silent.modalities[1] =
        mmssl::data::Sequences::zeros(test.len(), test.steps(), cfg.model.input_dims[1]);
    let quiet = model
        .encoder
        .modality_vectors(&silent.to_device(&device).unwrap())
        .unwrap();
    assert_eq!(
        rows(&quiet[0]),
        rows(&loud[0]),
        "text does not see audio before fusion"
    );
    assert_eq!(
        rows(&quiet[2]),
        rows(&loud[2]),
        "visual does not see audio before fusion"
    );
    assert_ne!(rows(&quiet[1]), rows(&loud[1]));
    let onto_run = mmssl(&["embed", "--checkpoint", run_s, "--out", run_s, "--force"]);
    assert!(!onto_run.status.success());
    assert!(run.join("model.safetensors").is_file());
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn runs_log_every_epoch_as_csv_while_they_go_and_keep_it() {
    let run = tmp_dir("epochs-run");
    let live = PathBuf::from(format!("{}.progress", run.display()));
    ok(&train("ssl-finetune", "6", &run));
    assert!(
        !live.exists(),
        "the live folder is gone once the run is committed"
    );
    let report = metrics_json(&run);
    let read = |name: &str| -> Vec<csv::StringRecord> {
        let mut reader = csv::Reader::from_path(run.join(name)).unwrap();
        reader.records().map(Result::unwrap).collect()
    };
    let finetune = read("finetune-epochs.csv");
    let logged = report["finetune"].as_array().unwrap();
    assert_eq!(finetune.len(), logged.len());
    for (row, log) in finetune.iter().zip(logged) {
        assert_eq!(
            row[0].parse::<u64>().unwrap(),
            log["epoch"].as_u64().unwrap()
        );
        assert_eq!(
            row[1].parse::<f64>().unwrap(),
            log["train_loss"].as_f64().unwrap()
        );
        assert_eq!(
            row[2].parse::<f64>().unwrap(),
            log["valid_loss"].as_f64().unwrap()
        );
    }
    let pretrain = read("pretrain-epochs.csv");
    let epochs = report["pretrain"]["epochs"].as_array().unwrap();
    assert_eq!(pretrain.len(), epochs.len());
    assert_eq!(
        pretrain[0][1].parse::<f64>().unwrap(),
        epochs[0]["loss"].as_f64().unwrap()
    );

    // A folder of that name holding anything else is refused before the run, and kept.
    let other = tmp_dir("epochs-other");
    let live = PathBuf::from(format!("{}.progress", other.display()));
    std::fs::create_dir_all(&live).unwrap();
    std::fs::write(live.join("notes.txt"), "mine").unwrap();
    let refused = train("supervised", "6", &other);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("per-epoch"));
    assert_eq!(
        std::fs::read_to_string(live.join("notes.txt")).unwrap(),
        "mine"
    );
    assert!(!other.exists(), "nothing was run");
    let _ = std::fs::remove_dir_all(&live);
    let _ = std::fs::remove_dir_all(&run);
}

#[test]
fn plot_draws_the_curves_of_a_pretraining_and_a_trained_run() {
    let (pre, run) = (tmp_dir("plot-pre"), tmp_dir("plot-run"));
    let mut args = vec!["pretrain", "--seed", "2", "--out", pre.to_str().unwrap()];
    args.extend_from_slice(TINY_CLI);
    ok(&mmssl(&args));
    ok(&train("ssl-finetune", "2", &run));
    let svg = tmp_dir("plot-out").with_extension("svg");
    let png = svg.with_extension("png");
    let (pre_s, run_s, svg_s) = (
        pre.to_str().unwrap(),
        run.to_str().unwrap(),
        svg.to_str().unwrap(),
    );
    let stdout = ok(&mmssl(&["plot", pre_s, run_s, "--out", svg_s]));
    assert!(stdout.contains("wrote"), "{stdout}");
    let text = std::fs::read_to_string(&svg).unwrap();
    for needle in ["Barlow Twins loss", "valid MAE", "synthetic-mosei"] {
        assert!(text.contains(needle), "the figure shows `{needle}`");
    }
    for name in [&pre, &run] {
        let label = name.file_name().unwrap().to_str().unwrap();
        assert!(text.contains(label), "legend names {label}");
    }
    assert!(
        std::fs::metadata(&png).unwrap().len() > 1000,
        "a PNG beside it"
    );
    let again = mmssl(&["plot", run_s, "--out", svg_s]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    ok(&mmssl(&["plot", run_s, "--out", svg_s, "--force"]));
    let not_a_run = mmssl(&[
        "plot",
        svg.parent().unwrap().to_str().unwrap(),
        "--out",
        "x.svg",
    ]);
    assert!(String::from_utf8_lossy(&not_a_run.stderr).contains("not a run folder"));
    for path in [&svg, &png] {
        let _ = std::fs::remove_file(path);
    }
    for dir in [&pre, &run] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// `train` arguments of a run long enough to be interrupted mid-way (many tiny SSL epochs).
fn long_train_args(out: &Path, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "train",
        "--methodology",
        "ssl-finetune",
        "--seed",
        "4",
        "--out",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(out.to_str().unwrap().to_owned());
    args.extend(TINY_CLI.iter().map(|s| s.to_string()));
    args.push("--set=ssl.epochs=12".to_owned());
    args.push("--set=supervised.max_epochs=3".to_owned());
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

#[test]
fn a_killed_run_resumes_from_its_last_epoch_and_ends_as_an_uninterrupted_one() {
    let (whole, cut) = (tmp_dir("resume-whole"), tmp_dir("resume-cut"));
    let run = |out: &Path, extra: &[&str]| {
        let args = long_train_args(out, extra);
        mmssl(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    ok(&run(&whole, &[]));

    // Start the same run, wait until it has saved a pre-training epoch, then kill -9 it.
    let live = PathBuf::from(format!("{}.progress", cut.display()));
    let state = live.join("state-pretrain").join("state.json");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mmssl"))
        .args(long_train_args(&cut, &[]))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    while !state.is_file() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it could be interrupted"
        );
        assert!(std::time::Instant::now() < deadline, "no state saved");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!cut.exists(), "an interrupted run leaves no output folder");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    let next = saved["state"]["next_epoch"].as_u64().unwrap();
    assert!((1..12).contains(&next), "interrupted after epoch {next}");

    // Without --resume the saved state is refused, not replaced; with other settings too.
    let fresh = run(&cut, &[]);
    assert!(!fresh.status.success());
    assert!(String::from_utf8_lossy(&fresh.stderr).contains("--resume"));
    let other = run(&cut, &["--resume", "--set=supervised.lr=0.001"]);
    assert!(!other.status.success());
    assert!(String::from_utf8_lossy(&other.stderr).contains("other settings"));
    assert!(state.is_file(), "the saved state is kept");

    ok(&run(&cut, &["--resume"]));
    assert!(
        !live.exists(),
        "the live folder is gone once the run is committed"
    );
    let bytes = |dir: &Path, name: &str| std::fs::read(dir.join(name)).unwrap();
    assert_eq!(
        bytes(&whole, "model.safetensors"),
        bytes(&cut, "model.safetensors"),
        "resumed weights are bit-identical"
    );
    for name in ["pretrain-epochs.csv", "finetune-epochs.csv"] {
        assert_eq!(bytes(&whole, name), bytes(&cut, name), "{name}");
    }
    let (mut a, mut b) = (metrics_json(&whole), metrics_json(&cut));
    for m in [&mut a, &mut b] {
        m.as_object_mut().unwrap().remove("timing");
    }
    assert_eq!(a, b, "resumed metrics.json equals the uninterrupted one");

    // --resume with nothing saved starts afresh.
    let again = tmp_dir("resume-nothing");
    let mut args = vec!["train", "--resume", "--out", again.to_str().unwrap()];
    args.extend_from_slice(TINY_CLI);
    ok(&mmssl(&args));
    assert!(again.join("metrics.json").is_file());
    for dir in [whole, cut, again] {
        let _ = std::fs::remove_dir_all(dir);
    }
}
