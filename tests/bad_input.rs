//! The catalogue of bad inputs and misuse, run against the `mmssl` binary as a careless user
//! would: each case must exit non-zero with a message naming the key, file or folder, print no
//! panic, and leave everything that existed before exactly as it was.

mod common;
use common::{fixture, mmssl, ok, s, tmp_in, Tmp, TINY_CLI};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every file under `root` with its bytes: what "left exactly as it was" is checked against.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// Runs `args` in the scratch folder `root` with backtraces enabled (`RUST_BACKTRACE=1`, as many
/// users have it) and checks the case: non-zero exit, stderr naming every one of `expected`, no
/// panic, no backtrace frames, nothing under `root` changed.
fn refused(case: &str, root: &Path, args: &[&str], expected: &[&str]) {
    let before = snapshot(root);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mmssl"))
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("the mmssl binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{case}: succeeded\n{stderr}");
    for word in expected {
        assert!(stderr.contains(word), "{case}: no `{word}` in\n{stderr}");
    }
    assert!(!stderr.contains("panicked"), "{case}: panic\n{stderr}");
    let frame = |line: &str| line.trim_start().starts_with("0: ");
    assert!(!stderr.lines().any(frame), "{case}: backtrace\n{stderr}");
    assert_eq!(snapshot(root), before, "{case}: files changed");
}

fn tiny(args: &[&str]) -> Vec<String> {
    args.iter()
        .chain(TINY_CLI)
        .map(|s| (*s).to_owned())
        .collect()
}

fn run_ok(args: Vec<String>) {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    ok(&mmssl(&refs));
}

/// A scratch folder with a user's own folder, a user's file, a pre-training and a finished run.
struct Scene {
    root: Tmp,
    own_dir: PathBuf,
    own_file: PathBuf,
    pretrain: PathBuf,
    run: PathBuf,
}

fn scene(name: &str) -> Scene {
    let root = tmp_in("bad-input", name);
    let own_dir = root.join("my-notes");
    std::fs::create_dir_all(&own_dir).unwrap();
    std::fs::write(own_dir.join("notes.txt"), "mine").unwrap();
    let own_file = root.join("thesis.pdf");
    std::fs::write(&own_file, "not a run").unwrap();
    let pretrain = root.join("pre");
    run_ok(tiny(&["pretrain", "--seed", "3", "--out", s(&pretrain)]));
    let run = root.join("run");
    run_ok(tiny(&[
        "train",
        "--methodology",
        "ssl-finetune",
        "--out",
        s(&run),
    ]));
    Scene {
        root,
        own_dir,
        own_file,
        pretrain,
        run,
    }
}

#[test]
fn outputs_that_are_not_ours_are_never_replaced() {
    let sc = scene("outputs");
    let pkl = fixture("mult_py2.pkl");
    let import = |out: &Path| {
        vec![
            "data".to_owned(),
            "import".into(),
            "--format".into(),
            "mult-pkl".into(),
            s(&pkl).into(),
            "--out".into(),
            s(out).into(),
            "--force".into(),
        ]
    };
    let cases: Vec<(&str, Vec<String>, Vec<&str>)> = vec![
        (
            "import --force onto a folder of the user's own",
            import(&sc.own_dir),
            vec!["my-notes", "--force replaces only", "meta.json"],
        ),
        (
            "import --force onto a regular file",
            import(&sc.own_file),
            vec!["thesis.pdf", "not a folder"],
        ),
        (
            "train --out onto a finished run without --force",
            tiny(&["train", "--out", s(&sc.run)]),
            vec!["run", "already exists", "--force"],
        ),
        (
            "train --force onto a folder of the user's own",
            tiny(&["train", "--force", "--out", s(&sc.own_dir)]),
            vec!["my-notes", "config.toml"],
        ),
        (
            "train --out onto a regular file",
            tiny(&["train", "--out", s(&sc.own_file)]),
            vec!["thesis.pdf", "not a folder"],
        ),
        (
            "pretrain --out onto a finished pre-training without --force",
            tiny(&["pretrain", "--out", s(&sc.pretrain)]),
            vec!["pre", "already exists"],
        ),
        (
            "finetune --out onto the checkpoint it reads",
            vec![
                "finetune".into(),
                "--checkpoint".into(),
                s(&sc.pretrain).into(),
                "--out".into(),
                s(&sc.pretrain).into(),
                "--force".into(),
            ],
            vec!["is the checkpoint being fine-tuned"],
        ),
    ];
    for (case, args, expected) in cases {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        refused(case, &sc.root, &refs, &expected);
    }

    // --force does replace an earlier run, atomically: the folder holds the new run only.
    run_ok(tiny(&[
        "train",
        "--seed",
        "9",
        "--force",
        "--out",
        s(&sc.run),
    ]));
    let config = std::fs::read_to_string(sc.run.join("config.toml")).unwrap();
    assert!(config.contains("seed = 9"), "{config}");
    assert!(sc.run.join("metrics.json").is_file());
    let leftovers: Vec<_> = std::fs::read_dir(&*sc.root)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary folders left: {leftovers:?}"
    );
}

#[test]
fn runs_of_the_wrong_kind_are_refused_by_name() {
    let sc = scene("kinds");
    refused(
        "finetune of a finished ssl-finetune run",
        &sc.root,
        &["finetune", "--checkpoint", s(&sc.run), "--quiet"],
        &["run", "not a `mmssl pretrain` output", "metrics.json"],
    );
    refused(
        "evaluate of a pre-training (untrained head)",
        &sc.root,
        &["evaluate", "--checkpoint", s(&sc.pretrain)],
        &["pre", "regression head is untrained"],
    );
    // A run whose data changed since training (its recorded checksum differs).
    let metrics = sc.run.join("metrics.json");
    let text = std::fs::read_to_string(&metrics).unwrap();
    let mut report: serde_json::Value = serde_json::from_str(&text).unwrap();
    report["data"]["sha256"] = "0000000000000000".into();
    std::fs::write(&metrics, serde_json::to_string(&report).unwrap()).unwrap();
    refused(
        "evaluate on data other than the run was trained on",
        &sc.root,
        &["evaluate", "--checkpoint", s(&sc.run)],
        &["metrics.json", "0000000000000000", "the data changed"],
    );
}

#[test]
fn nonsense_values_are_refused_by_key_before_any_work() {
    let root = tmp_in("bad-input", "values");
    let out = root.join("never-written");
    let o = s(&out);
    let cases: [(&str, &[&str], &[&str]); 16] = [
        (
            "negative lr",
            &["--set", "supervised.lr=-1"],
            &["supervised.lr", "positive"],
        ),
        (
            "NaN lr",
            &["--set", "supervised.lr=nan"],
            &["supervised.lr", "NaN"],
        ),
        ("NaN ssl lr", &["--set", "ssl.lr=nan"], &["ssl.lr"]),
        (
            "lr_factor 0",
            &["--set", "supervised.lr_factor=0"],
            &["supervised.lr_factor", "(0, 1]"],
        ),
        (
            "no epochs",
            &["--set", "supervised.max_epochs=0"],
            &["supervised.max_epochs", "at least 1"],
        ),
        (
            "no SSL epochs",
            &["--set", "ssl.epochs=0"],
            &["ssl.epochs", "at least 1"],
        ),
        (
            "empty batches",
            &["--set", "supervised.batch_size=0"],
            &["supervised.batch_size"],
        ),
        (
            "empty SSL batches",
            &["--set", "ssl.batch_size=0"],
            &["ssl.batch_size", "at least 2"],
        ),
        (
            "scale 0",
            &["--scale", "0"],
            &["data.synthetic.scale", "(0, 10]"],
        ),
        ("scale -1", &["--scale=-1"], &["data.synthetic.scale"]),
        ("scale NaN", &["--scale", "nan"], &["data.synthetic.scale"]),
        ("scale 1e9", &["--scale", "1e9"], &["data.synthetic.scale"]),
        (
            "no utterances",
            &["--set", "data.synthetic.counts=[0, 10, 10]"],
            &["data.synthetic.counts[0]"],
        ),
        (
            "no steps",
            &["--set", "data.synthetic.steps=0"],
            &["data.synthetic.steps"],
        ),
        (
            "no features",
            &["--set", "data.synthetic.dims=[0, 0, 0]"],
            &["data.synthetic.dims[0]"],
        ),
        (
            "fraction 0",
            &["--set", "supervised.labeled_fraction=0"],
            &["supervised.labeled_fraction"],
        ),
    ];
    for (case, extra, expected) in cases {
        let mut args = vec![
            "train",
            "--methodology",
            "ssl-finetune",
            "--quiet",
            "--out",
            o,
        ];
        args.extend_from_slice(extra);
        refused(case, &root, &args, expected);
        assert!(!out.exists(), "{case}: wrote {}", out.display());
    }

    let csv = |name: &str, text: &str| {
        let path = root.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let dup = csv("dup.csv", "prediction,label,prediction\n1,1,2\n");
    let range = csv("range.csv", "prediction,label\n1,47\n");
    let huge = csv("huge.csv", "prediction,label\n1e308,1\n-1e308,-1\n");
    for (case, path, expected) in [
        (
            "a duplicated prediction column",
            &dup,
            &["dup.csv", "`prediction` appears 2 times"][..],
        ),
        (
            "a label outside [-3, 3]",
            &range,
            &["range.csv", "line 2", "[-3, 3]"],
        ),
        (
            "predictions near 1e308",
            &huge,
            &["huge.csv", "line 2", "1e6"],
        ),
    ] {
        refused(
            case,
            &root,
            &["metrics", "--predictions", s(path)],
            expected,
        );
    }
}

#[test]
fn data_paths_and_report_folders_are_checked_one_way_before_any_work() {
    let root = tmp_in("bad-input", "paths");
    let missing = root.join("no-such-data");
    let config = root.join("run.toml");
    std::fs::write(
        &config,
        format!("[data]\npath = {:?}\n", missing.to_str().unwrap()),
    )
    .unwrap();
    let set = format!("data.path={}", s(&missing));
    let expected = [
        "no-such-data",
        "a data directory written by `mmssl data import`",
    ];
    for (case, args) in [
        (
            "--data DIR",
            vec!["train", "--quiet", "--data", s(&missing)],
        ),
        (
            "[data] path in a config file",
            vec!["train", "--quiet", "--config", s(&config)],
        ),
        (
            "--set data.path=DIR",
            vec!["train", "--quiet", "--set", &set],
        ),
    ] {
        refused(case, &root, &args, &expected);
    }
    let report_file = root.join("report.md");
    std::fs::write(&report_file, "mine").unwrap();
    refused(
        "reproduce --report onto a regular file",
        &root,
        &[
            "reproduce",
            "--profile",
            "smoke",
            "--only",
            "fig-A.2.4",
            "--quiet",
            "--out",
            s(&root.join("results")),
            "--report",
            s(&report_file),
        ],
        &["--report", "report.md", "not a folder"],
    );
}

#[test]
fn damaged_run_folders_are_named_for_what_is_wrong() {
    let sc = scene("damaged");
    let copy = |name: &str| {
        let dir = sc.root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(&sc.run).unwrap().flatten() {
            std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
        }
        dir
    };
    let truncated = copy("truncated");
    let weights = truncated.join("model.safetensors");
    let bytes = std::fs::read(&weights).unwrap();
    std::fs::write(&weights, &bytes[..bytes.len() / 3]).unwrap();
    refused(
        "evaluate with truncated weights",
        &sc.root,
        &["evaluate", "--checkpoint", s(&truncated)],
        &[
            "model.safetensors",
            "is truncated or not a safetensors file",
        ],
    );
    let edited = copy("edited");
    let config = edited.join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace("hidden = 6", "hidden = 7")).unwrap();
    refused(
        "evaluate with a config edited after training",
        &sc.root,
        &["evaluate", "--checkpoint", s(&edited)],
        &["holds weights of other shapes", "config.toml"],
    );
}

#[test]
fn sizes_that_cannot_fit_in_memory_are_refused_before_allocating() {
    let root = tmp_in("bad-input", "memory");
    refused(
        "a hidden size of 10^8",
        &root,
        &["train", "--quiet", "--set", "model.hidden=100000000"],
        &["needs at least", "GiB", "model.hidden 100000000"],
    );
}
