//! The importers on small committed fixtures (built by `tests/fixtures/make_fixtures.py`): every
//! pickle protocol reads to the same data; lengths, labels and padding follow the documented
//! rules; bad input gives a clear error naming the file and leaves no output; the native format
//! round-trips bit for bit; inspect, verify and the CLI work end to end.

mod common;
use common::{fixture, mmssl, tmp_in, Tmp, MULT_PICKLES};
use mmssl::data::synthetic::{generate, SyntheticConfig};
use mmssl::data::{Dataset, Modality, NonFinitePolicy, SplitName};
use mmssl::import::native::load_native_with_meta;
use mmssl::import::verify::{verify, Status};
use mmssl::import::{
    import, import_to_dir, inspect::inspect, save_native, ImportErrorKind, ImportOptions,
    LabelMapping, PaddingRule, SourceFormat,
};
use serde_json::Value;
use std::path::Path;

fn expected() -> Value {
    let text = std::fs::read_to_string(fixture("expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn tmp(name: &str) -> Tmp {
    tmp_in("import", name)
}

fn opts() -> ImportOptions {
    ImportOptions::default()
}

fn check_against_expected(data: &Dataset, exp: &Value) {
    for s in SplitName::ALL {
        let e = &exp[s.name()];
        let split = data.split(s);
        assert_eq!(split.len() as u64, e["count"].as_u64().unwrap(), "{s}");
        let lengths: Vec<usize> = e["lengths"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(split.lengths, lengths, "{s} lengths");
        let labels: Vec<f32> = e["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap() as f32)
            .collect();
        assert_eq!(split.labels, labels, "{s} labels");
        // real steps first, zeros after
        for m in Modality::ALL {
            let seq = split.modality(m);
            for (i, &l) in split.lengths.iter().enumerate() {
                assert!(
                    seq.sample(i)[l * seq.dims()..].iter().all(|&v| v == 0.0),
                    "{s} {m} sample {i}: padding is not zero"
                );
            }
        }
    }
}

#[test]
fn every_pickle_protocol_reads_the_same_data() {
    let exp = expected();
    let mut shas = Vec::new();
    for name in MULT_PICKLES {
        let imp = import(SourceFormat::MultPkl, &fixture(name), &opts())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        check_against_expected(&imp.dataset, &exp["mult"]);
        assert_eq!(imp.dataset.dims(), [5, 3, 4]);
        assert_eq!(imp.dataset.train.steps(), 8);
        assert!(!imp.dataset.identity.synthetic);
        // the fixture is front-padded: every sample shorter than 8 steps was moved
        let train = &imp.meta.splits[0];
        let short = imp.dataset.train.lengths.iter().filter(|&&l| l < 8).count();
        assert_eq!(train.report.shifted_samples, short, "{name}");
        // one -inf in train audio, counted and zeroed
        let audio = train
            .report
            .non_finite
            .iter()
            .find(|c| c.modality == Modality::Audio)
            .unwrap();
        assert_eq!(
            (audio.nan, audio.pos_inf, audio.neg_inf),
            (0, 0, 1),
            "{name}"
        );
        assert!(imp
            .dataset
            .train
            .modality(Modality::Audio)
            .as_slice()
            .iter()
            .all(|v| v.is_finite()));
        assert_eq!(imp.meta.labels.mapping, "sentiment");
        shas.push(imp.dataset.identity.sha256.clone());
    }
    assert!(shas.windows(2).all(|w| w[0] == w[1]), "{shas:?}");
}

#[test]
fn front_padded_steps_move_to_the_front_in_order() {
    // the same sample, read with the `front` rule and with `auto`, is identical; its first real
    // step is non-zero (the fixture's interior zero step 3 of sample 0 is kept)
    let a = import(SourceFormat::MultPkl, &fixture("mult_p4.pkl"), &opts()).unwrap();
    let f = import(
        SourceFormat::MultPkl,
        &fixture("mult_p4.pkl"),
        &ImportOptions {
            padding: mmssl::import::PaddingRule::Front,
            ..opts()
        },
    )
    .unwrap();
    assert_eq!(a.dataset.identity.sha256, f.dataset.identity.sha256);
    let text = a.dataset.train.modality(Modality::Text);
    assert_eq!(a.dataset.train.lengths[0], 8);
    assert!(
        text.row(0, 3).iter().all(|&v| v == 0.0),
        "interior zero step kept"
    );
    for i in 0..a.dataset.train.len() {
        assert!(
            text.row(i, 0).iter().any(|&v| v != 0.0),
            "sample {i} starts with data"
        );
    }
    // the `end` rule on front-padded data keeps the leading zeros as data: longer lengths
    let e = import(
        SourceFormat::MultPkl,
        &fixture("mult_p4.pkl"),
        &ImportOptions {
            padding: mmssl::import::PaddingRule::End,
            ..opts()
        },
    )
    .unwrap();
    assert!(e.dataset.train.lengths.iter().all(|&l| l == 8));
}

#[test]
fn mmsa_layout_imports_and_lists_unknown_keys() {
    let imp = import(SourceFormat::MmsaPkl, &fixture("mmsa_aligned.pkl"), &opts()).unwrap();
    check_against_expected(&imp.dataset, &expected()["mmsa"]);
    assert!(
        imp.meta
            .splits
            .iter()
            .all(|s| s.report.shifted_samples == 0),
        "end-padded"
    );
    let keys = &imp.meta.ignored_keys;
    assert!(keys.contains(&"train.extra_key".to_string()), "{keys:?}");
    assert!(
        !keys
            .iter()
            .any(|k| k.ends_with("text_bert") || k.ends_with("raw_text")),
        "{keys:?}"
    );
}

#[test]
fn unaligned_releases_are_refused() {
    let e = import(
        SourceFormat::MmsaPkl,
        &fixture("mmsa_unaligned.pkl"),
        &opts(),
    )
    .unwrap_err();
    assert_eq!(e.kind, ImportErrorKind::Shape);
    assert!(e.to_string().contains("not word-aligned"), "{e}");
    assert!(e.to_string().contains("[train][audio]"), "{e}");
}

/// Imports `name` (MulT layout) expecting an error of `kind` whose message holds every fragment.
fn bad(name: &str, o: &ImportOptions, kind: ImportErrorKind, fragments: &[&str]) {
    let out = tmp(&format!("bad-{name}"));
    let target = out.join("native");
    let e = import_to_dir(SourceFormat::MultPkl, &fixture(name), &target, o, false)
        .err()
        .unwrap_or_else(|| panic!("{name}: imported, expected {kind:?}"));
    let msg = e.to_string();
    assert_eq!(e.kind, kind, "{name}: {msg}");
    for f in fragments {
        assert!(msg.contains(f), "{name}: `{f}` not in: {msg}");
    }
    // atomic: nothing left behind, not even a temporary directory
    let left: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
    assert!(left.is_empty(), "{name}: left {left:?}");
}

#[test]
fn bad_pickles_give_clear_errors_and_no_output() {
    use ImportErrorKind::*;
    let o = opts();
    bad(
        "bad_missing_test.pkl",
        &o,
        Missing,
        &["bad_missing_test.pkl", "no `test` split", "--splits"],
    );
    bad(
        "bad_missing_audio.pkl",
        &o,
        Missing,
        &["[valid][audio]", "no audio", "--fill-missing audio"],
    );
    bad(
        "bad_count_mismatch.pkl",
        &o,
        Shape,
        &["[valid][vision]", "2 samples", "labels"],
    );
    bad(
        "bad_steps_mismatch.pkl",
        &o,
        Shape,
        &["[valid][vision]", "6 steps", "not word-aligned"],
    );
    bad(
        "bad_int_dtype.pkl",
        &o,
        Shape,
        &["[test][text]", "dtype int64, expected float32 or float64"],
    );
    bad(
        "bad_labels_range.pkl",
        &o,
        Labels,
        &[
            "[test][labels]",
            "label 4.5 at sample 0",
            "[-3, 3]",
            "likert-1-5",
        ],
    );
    bad(
        "bad_dims.pkl",
        &o,
        Shape,
        &["split test has steps 8 and dims [6, 3, 4]", "[5, 3, 4]"],
    );
    bad(
        "bad_not_dict.pkl",
        &o,
        Format,
        &["holds a list", "train / valid / test"],
    );
    let strict = ImportOptions {
        non_finite: NonFinitePolicy::Reject,
        ..opts()
    };
    // train audio holds COVAREP's -inf: the first non-finite value, where it is in the source
    bad(
        "bad_nan.pkl",
        &strict,
        NonFinite,
        &[
            "[train][audio]",
            "-inf at sample 1, step 7, feature 0",
            "--strict",
        ],
    );
    let strict_valid = ImportOptions {
        splits: vec![SplitName::Valid],
        ..strict
    };
    bad(
        "bad_nan.pkl",
        &strict_valid,
        NonFinite,
        &["[valid][text]", "NaN at sample 1, step 7, feature 2"],
    );
    // the manifest's dims: the fixture is not the real MOSEI release
    let release = ImportOptions {
        release: Some("mult-mosei-senti".into()),
        ..opts()
    };
    bad(
        "mult_p4.pkl",
        &release,
        Manifest,
        &["text has 5 features", "mult-mosei-senti", "expects 300"],
    );
    let wrong = ImportOptions {
        release: Some("no-such-release".into()),
        ..opts()
    };
    bad(
        "mult_p4.pkl",
        &wrong,
        Manifest,
        &["no such release", "mult-mosei-senti"],
    );
    bad("does_not_exist.pkl", &o, Missing, &["does_not_exist.pkl"]);
}

#[test]
fn documented_recoveries_for_bad_input() {
    // missing split: import the others
    let o = ImportOptions {
        splits: vec![SplitName::Train, SplitName::Valid],
        ..opts()
    };
    let imp = import(SourceFormat::MultPkl, &fixture("bad_missing_test.pkl"), &o).unwrap();
    assert!(imp.dataset.test.is_empty());
    assert!(!imp.meta.splits[2].imported);
    // missing modality: fill it with zeros, explicitly and recorded
    let o = ImportOptions {
        fill_missing: vec![Modality::Audio],
        ..opts()
    };
    let imp = import(SourceFormat::MultPkl, &fixture("bad_missing_audio.pkl"), &o).unwrap();
    assert_eq!(imp.meta.splits[1].report.filled, vec![Modality::Audio]);
    assert!(imp
        .dataset
        .valid
        .modality(Modality::Audio)
        .as_slice()
        .iter()
        .all(|&v| v == 0.0));
    // NaN / inf: zeroed and counted by default
    let imp = import(SourceFormat::MultPkl, &fixture("bad_nan.pkl"), &opts()).unwrap();
    let text = imp.meta.splits[1].report.non_finite[0];
    assert_eq!((text.nan, text.pos_inf, text.neg_inf), (1, 1, 0));
    // unknown key: ignored and listed
    let imp = import(
        SourceFormat::MultPkl,
        &fixture("bad_unknown_key.pkl"),
        &opts(),
    )
    .unwrap();
    assert_eq!(
        imp.meta.ignored_keys,
        vec!["valid.covarep_extra".to_string()]
    );
}

#[test]
fn truncated_empty_and_foreign_files_are_named() {
    let dir = tmp("foreign");
    let full = std::fs::read(fixture("mult_p4.pkl")).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated.pkl",
            full[..full.len() / 2].to_vec(),
            "truncated pickle",
        ),
        (
            "cut_at_end.pkl",
            full[..full.len() - 1].to_vec(),
            "truncated pickle",
        ),
        ("empty.pkl", Vec::new(), "empty (0 bytes)"),
        (
            "text.pkl",
            b"hello, not a pickle\n".to_vec(),
            "not a pickle",
        ),
        (
            "h5.pkl",
            std::fs::read(fixture("cmu_h5/y_test.h5")).unwrap(),
            "HDF5 file",
        ),
        ("zip.pkl", b"PK\x03\x04rest".to_vec(), "zip archive"),
    ];
    for (name, bytes, fragment) in cases {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let e = import(SourceFormat::MultPkl, &path, &opts()).unwrap_err();
        assert_eq!(e.kind, ImportErrorKind::Format, "{name}: {e}");
        assert!(e.to_string().contains(name), "{e}");
        assert!(e.to_string().contains(fragment), "{name}: {e}");
    }
}

#[test]
fn native_round_trip_is_bit_identical() {
    let dir = tmp("roundtrip");
    let imp = import_to_dir(
        SourceFormat::MultPkl,
        &fixture("mult_p4.pkl"),
        &dir.join("a"),
        &opts(),
        false,
    )
    .unwrap();
    let (loaded, meta) = load_native_with_meta(&dir.join("a")).unwrap();
    assert_eq!(loaded, imp.dataset);
    assert_eq!(meta, imp.meta);
    assert_eq!(meta.source.files[0].path, "mult_p4.pkl");
    assert_eq!(meta.source.files[0].sha256.len(), 64);
    // saving what was loaded gives the same bytes
    mmssl::import::save_native_with_meta(&loaded, &meta, &dir.join("b"), false).unwrap();
    let a = std::fs::read(dir.join("a/data.safetensors")).unwrap();
    let b = std::fs::read(dir.join("b/data.safetensors")).unwrap();
    assert_eq!(a, b);
    // the file is standard safetensors: candle reads it
    let tensors =
        candle_core::safetensors::load(dir.join("a/data.safetensors"), &candle_core::Device::Cpu)
            .unwrap();
    assert_eq!(tensors["train.text"].dims(), &[6, 8, 5]);
    assert_eq!(tensors["valid.lengths"].dtype(), candle_core::DType::U32);
    // an existing directory is not replaced without `overwrite`, and is with it
    let e = import_to_dir(
        SourceFormat::MultPkl,
        &fixture("mult_p2.pkl"),
        &dir.join("a"),
        &opts(),
        false,
    )
    .unwrap_err();
    assert!(e.to_string().contains("--force"), "{e}");
    import_to_dir(
        SourceFormat::MultPkl,
        &fixture("mmsa_aligned.pkl"),
        &dir.join("a"),
        &opts(),
        true,
    )
    .map(|_| ())
    .unwrap_err(); // wrong format for that file: fails, and `a` must survive intact
    assert_eq!(Dataset::load_native(&dir.join("a")).unwrap(), imp.dataset);
    import_to_dir(
        SourceFormat::MmsaPkl,
        &fixture("mmsa_aligned.pkl"),
        &dir.join("a"),
        &opts(),
        true,
    )
    .unwrap();
    assert_ne!(Dataset::load_native(&dir.join("a")).unwrap(), imp.dataset);
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names.len(),
        2,
        "no temporary or backup directory left: {names:?}"
    );
}

#[test]
fn corrupted_native_files_are_detected() {
    let dir = tmp("corrupt");
    import_to_dir(
        SourceFormat::MultPkl,
        &fixture("mult_p4.pkl"),
        &dir.join("d"),
        &opts(),
        false,
    )
    .unwrap();
    let path = dir.join("d/data.safetensors");
    let good = std::fs::read(&path).unwrap();
    let mut flipped = good.clone();
    let last = flipped.len() - 5;
    flipped[last] ^= 0x40;
    std::fs::write(&path, &flipped).unwrap();
    let e = Dataset::load_native(&dir.join("d")).unwrap_err();
    assert!(e.to_string().contains("checksum"), "{e}");
    std::fs::write(&path, &good[..good.len() - 100]).unwrap();
    let e = Dataset::load_native(&dir.join("d")).unwrap_err();
    assert!(e.to_string().contains("truncated"), "{e}");
    std::fs::remove_file(&path).unwrap();
    let e = Dataset::load_native(&dir.join("d")).unwrap_err();
    assert_eq!(e.kind, ImportErrorKind::Missing, "{e}");
    let e = Dataset::load_native(&dir).unwrap_err();
    assert!(e.to_string().contains("meta.json"), "{e}");
}

#[test]
fn failed_writes_leave_nothing() {
    let dir = tmp("atomic");
    let target = dir.join("out");
    let e = mmssl::files::commit_dir(&target, false, "meta.json", |tmp| {
        std::fs::write(tmp.join("half.bin"), b"partial").unwrap();
        Err(mmssl::import::ImportError::new(
            ImportErrorKind::Io,
            "x",
            "disk full",
        ))
    })
    .unwrap_err();
    assert!(e.to_string().contains("disk full"));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn synthetic_data_round_trips_with_emotions() {
    let data = generate(&SyntheticConfig::new(5, 0.003));
    assert!(data.train.emotions.is_some());
    let dir = tmp("synthetic");
    let meta = save_native(&data, &dir.join("s")).unwrap();
    assert!(meta.synthetic);
    let back = Dataset::load_native(&dir.join("s")).unwrap();
    assert_eq!(back.train, data.train);
    assert_eq!(
        back.identity.sha256, data.identity.sha256,
        "content_sha256 is the identity"
    );
    assert!(back.identity.synthetic);
}

/// `bad_nan.pkl` imported into a scratch folder, and its inspect report.
fn inspected_bad_nan(name: &str) -> (Tmp, mmssl::import::inspect::InspectReport) {
    let dir = tmp(name);
    import_to_dir(
        SourceFormat::MultPkl,
        &fixture("bad_nan.pkl"),
        &dir.join("d"),
        &opts(),
        false,
    )
    .unwrap();
    let report = inspect(&dir.join("d")).unwrap();
    (dir, report)
}

#[test]
fn inspect_reports_counts_dims_and_non_finite() {
    let (_dir, r) = inspected_bad_nan("inspect");
    let valid = &r.splits[1];
    assert_eq!(valid.summary.count, 3);
    assert_eq!(valid.summary.modalities[0].dims, 5);
    assert_eq!(
        (
            valid.modalities[0].at_import.nan,
            valid.modalities[0].at_import.pos_inf
        ),
        (1, 1)
    );
    assert_eq!(valid.modalities[0].nan, 0, "zeroed at import");
    assert_eq!(valid.length_histogram.iter().sum::<usize>(), 3);
    assert!(valid.label_min <= valid.label_max);
    let text = r.to_string();
    assert!(text.contains("at import NaN 1 +inf 1"), "{text}");
    assert!(
        text.contains("steps 8  dims text 5 audio 3 visual 4"),
        "{text}"
    );
}

#[test]
fn inspect_of_an_empty_imported_split_prints_no_statistics() {
    let (_dir, mut r) = inspected_bad_nan("inspect-empty");
    let valid = &mut r.splits[1];
    assert!(valid.imported);
    valid.summary.count = 0;
    let text = r.to_string();
    assert!(
        text.contains("valid imported, 0 samples (no statistics)"),
        "{text}"
    );
    assert!(!text.contains("valid n=0"), "{text}");
}

#[test]
fn a_padding_rule_against_the_data_layout_is_noted() {
    // The fixture is front-padded: `--padding end` keeps its leading zeros as real steps.
    for (rule, noted) in [
        (PaddingRule::End, true),
        (PaddingRule::Front, false),
        (PaddingRule::Auto, false),
    ] {
        let imported = import(
            SourceFormat::MultPkl,
            &fixture("mult_py2.pkl"),
            &ImportOptions {
                padding: rule,
                ..opts()
            },
        )
        .unwrap();
        let note = imported
            .meta
            .notes
            .iter()
            .any(|n| n.contains("the data look front-padded") && n.contains("--padding end"));
        assert_eq!(note, noted, "{rule:?}: {:?}", imported.meta.notes);
    }
}

#[test]
fn verify_reports_each_check() {
    let r = verify(SourceFormat::MultPkl, &fixture("mult_p4.pkl"), None);
    assert!(!r.ok());
    assert!(r.to_string().contains("no manifest release matches"), "{r}");
    let r = verify(
        SourceFormat::MultPkl,
        &fixture("mult_p4.pkl"),
        Some("mult-mosei-senti"),
    );
    assert!(!r.ok());
    let text = r.to_string();
    assert!(
        text.contains("FAIL train count: expected 16326, found 6"),
        "{text}"
    );
    assert!(
        text.contains("FAIL train text shape: expected [6, 50, 300], found [6, 8, 5]"),
        "{text}"
    );
    assert!(
        text.contains("SKIP mosei_senti_data.pkl sha256: unknown in the manifest"),
        "{text}"
    );
    assert!(r.checks.iter().any(|c| c.status == Status::Ok));
}

#[test]
fn data_config_loads_a_native_directory() {
    let dir = tmp("config");
    import_to_dir(
        SourceFormat::MultPkl,
        &fixture("mult_p4.pkl"),
        &dir.join("d"),
        &opts(),
        false,
    )
    .unwrap();
    let mut cfg = mmssl::train::RunConfig::default();
    cfg.data.path = Some(dir.join("d"));
    let text = cfg.to_toml();
    assert!(text.contains("path = "), "{text}");
    let back = mmssl::train::RunConfig::from_toml(&text).unwrap();
    assert_eq!(back, cfg);
    let data = cfg.data.load().unwrap();
    assert_eq!(data.identity.name, "mult_p4 (mult-pkl)");
    assert!(!data.identity.synthetic);
    assert_eq!(data.dims(), [5, 3, 4]);
    // synthetic stays the default
    assert!(mmssl::train::RunConfig::default().data.path.is_none());
    assert!(!mmssl::train::RunConfig::default()
        .to_toml()
        .contains("path"));
}

#[test]
fn cli_import_inspect_verify_and_train() {
    let dir = tmp("cli");
    let out = dir.join("native");
    let o = mmssl(&[
        "data",
        "import",
        "--format",
        "mult-pkl",
        fixture("mult_py2.pkl").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--name",
        "tiny-mult",
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout.contains("data=tiny-mult"), "{stdout}");
    assert!(stdout.contains("MB/s"), "{stdout}");
    let o = mmssl(&["data", "inspect", out.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["meta"]["dims"], serde_json::json!([5, 3, 4]));
    assert_eq!(v["splits"][0]["summary"]["count"], 6);
    // verify: non-zero exit on failure, OK/FAIL lines
    let o = mmssl(&[
        "data",
        "verify",
        "--format",
        "mult-pkl",
        fixture("mult_p4.pkl").to_str().unwrap(),
        "--release",
        "mult-mosei-senti",
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("FAIL"));
    // an existing output is refused, a bad option is named
    let o = mmssl(&[
        "data",
        "import",
        "--format",
        "mult-pkl",
        fixture("mult_p4.pkl").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    let o = mmssl(&[
        "data",
        "import",
        "--format",
        "mult-pkl",
        fixture("mult_p4.pkl").to_str().unwrap(),
        "--out",
        dir.join("x").to_str().unwrap(),
        "--splits",
        "train,bogus",
    ]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown split `bogus`"));
    // train on it: --data DIR sets the model's input dims from the data
    let run = dir.join("run");
    let o = mmssl(&[
        "train",
        "--data",
        out.to_str().unwrap(),
        "--out",
        run.to_str().unwrap(),
        "--set=model.hidden=6",
        "--set=model.attention_dim=6",
        "--set=model.fusion_hidden=6",
        "--set=supervised.max_epochs=1",
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("metrics.json")).unwrap()).unwrap();
    assert_eq!(m["data"]["name"], "tiny-mult");
    assert_eq!(m["data"]["synthetic"], false);
    assert_eq!(
        m["config"]["model"]["input_dims"],
        serde_json::json!([5, 3, 4])
    );
    // evaluate reloads the data from the checkpoint's config
    let o = mmssl(&["evaluate", "--checkpoint", run.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // reproduce on it, then from a moved copy: runs are keyed by the data's checksum, not its
    // path, so the second invocation finds every run done
    let results = dir.join("results");
    let reproduce = |data: &Path| {
        mmssl(&[
            "reproduce",
            "--profile",
            "smoke",
            "--only",
            "table-8.2.4",
            "--data",
            data.to_str().unwrap(),
            "--out",
            results.to_str().unwrap(),
            "--no-report",
            "--quiet",
        ])
    };
    let o = reproduce(&out);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout.contains("data: data=tiny-mult"), "{stdout}");
    assert!(stdout.contains("done: 4 new runs"), "{stdout}");
    let moved = dir.join("moved");
    std::fs::rename(&out, &moved).unwrap();
    let o = reproduce(&moved);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout.contains("done: 0 new runs"), "{stdout}");
    std::fs::rename(&moved, &out).unwrap();
    // --data with a non-directory, and --scale with --data, are refused clearly
    let o = mmssl(&["train", "--data", "/nonexistent/dir", "--quiet"]);
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("data directory written by `mmssl data import`"));
    let o = mmssl(&[
        "train",
        "--data",
        out.to_str().unwrap(),
        "--scale",
        "0.5",
        "--quiet",
    ]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("--scale applies to the synthetic"));
}

#[test]
fn label_mappings_are_explicit_for_cmu_h5() {
    // without --labels the cmu-h5 importer refuses and says what the labels look like
    let o = ImportOptions {
        splits: vec![SplitName::Valid],
        ..opts()
    };
    let e = import(SourceFormat::CmuH5, &fixture("cmu_h5"), &o).unwrap_err();
    if cfg!(feature = "hdf5") {
        assert_eq!(e.kind, ImportErrorKind::Argument, "{e}");
        assert!(e.to_string().contains("--labels"), "{e}");
        assert!(e.to_string().contains("one-hot-3"), "{e}");
        let wrong = ImportOptions {
            labels: Some(LabelMapping::Sentiment),
            ..o
        };
        let e = import(SourceFormat::CmuH5, &fixture("cmu_h5"), &wrong).unwrap_err();
        assert_eq!(e.kind, ImportErrorKind::Labels, "{e}");
        assert!(e.to_string().contains("y_valid.h5"), "{e}");
    } else {
        assert!(e.to_string().contains("`hdf5` cargo feature"), "{e}");
    }
}

#[cfg(feature = "hdf5")]
mod cmu_h5 {
    use super::*;

    fn one_hot() -> ImportOptions {
        ImportOptions {
            labels: Some(LabelMapping::OneHot3),
            ..opts()
        }
    }

    #[test]
    fn train_without_text_is_reported_and_recoverable() {
        let e = import(SourceFormat::CmuH5, &fixture("cmu_h5"), &one_hot()).unwrap_err();
        assert_eq!(e.kind, ImportErrorKind::Missing);
        let msg = e.to_string();
        assert!(msg.contains("text_train_emb.h5"), "{msg}");
        assert!(msg.contains("--splits valid,test"), "{msg}");
        assert!(msg.contains("--fill-missing text"), "{msg}");
        // valid + test only
        let vt = ImportOptions {
            splits: vec![SplitName::Valid, SplitName::Test],
            ..one_hot()
        };
        let imp = import(SourceFormat::CmuH5, &fixture("cmu_h5"), &vt).unwrap();
        assert!(imp.dataset.train.is_empty());
        assert_eq!(imp.dataset.dims(), [5, 3, 4]);
        // all splits with zero text for train, recorded
        let fill = ImportOptions {
            fill_missing: vec![Modality::Text],
            ..one_hot()
        };
        let imp = import(SourceFormat::CmuH5, &fixture("cmu_h5"), &fill).unwrap();
        check_against_expected(&imp.dataset, &expected()["cmu_h5"]);
        assert_eq!(imp.meta.splits[0].report.filled, vec![Modality::Text]);
        assert!(imp.meta.splits[1].report.filled.is_empty());
        assert_eq!(imp.meta.labels.mapping, "one-hot-3");
        assert_eq!(imp.meta.source.files.len(), 11);
    }

    /// A scratch copy of the fixture folder, in `<root>/src`.
    fn copy_fixture(name: &str) -> Tmp {
        let root = tmp(name);
        let dir = root.join("src");
        std::fs::create_dir_all(&dir).unwrap();
        for e in std::fs::read_dir(fixture("cmu_h5")).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
        }
        root
    }

    fn write_h5(
        path: &Path,
        name: &str,
        shape: &[u64],
        f64s: Option<&[f64]>,
        i64s: Option<&[i64]>,
    ) {
        let mut b = hdf5_pure::FileBuilder::new();
        let ds = b.create_dataset(name);
        if let Some(v) = f64s {
            ds.with_f64_data(v);
        }
        if let Some(v) = i64s {
            ds.with_i64_data(v);
        }
        ds.with_shape(shape);
        b.write(path).unwrap();
    }

    /// A defect: name, how to make it in a copy of the fixture folder, the error expected.
    type Case = (
        &'static str,
        Box<dyn Fn(&Path)>,
        ImportErrorKind,
        &'static [&'static str],
    );

    #[test]
    fn bad_hdf5_folders_give_clear_errors() {
        let vt = ImportOptions {
            splits: vec![SplitName::Valid, SplitName::Test],
            ..one_hot()
        };
        let cases: Vec<Case> = vec![
            (
                "missing-y",
                Box::new(|d: &Path| std::fs::remove_file(d.join("y_test.h5")).unwrap()),
                ImportErrorKind::Missing,
                &["y_test.h5", "missing label file"],
            ),
            (
                "missing-audio",
                Box::new(|d: &Path| std::fs::remove_file(d.join("audio_valid.h5")).unwrap()),
                ImportErrorKind::Missing,
                &["audio_valid.h5", "no audio"],
            ),
            (
                "truncated",
                Box::new(|d: &Path| {
                    let b = std::fs::read(d.join("text_valid_emb.h5")).unwrap();
                    std::fs::write(d.join("text_valid_emb.h5"), &b[..b.len() / 2]).unwrap();
                }),
                ImportErrorKind::Format,
                &["text_valid_emb.h5", "not a readable HDF5 file"],
            ),
            (
                "empty",
                Box::new(|d: &Path| std::fs::write(d.join("video_test.h5"), b"").unwrap()),
                ImportErrorKind::Format,
                &["video_test.h5", "empty (0 bytes)"],
            ),
            (
                "pickle",
                Box::new(|d: &Path| {
                    std::fs::copy(fixture("mult_p4.pkl"), d.join("video_test.h5"))
                        .map(|_| ())
                        .unwrap()
                }),
                ImportErrorKind::Format,
                &["video_test.h5", "a pickle, not HDF5"],
            ),
            (
                "int-dtype",
                Box::new(|d: &Path| {
                    write_h5(
                        &d.join("text_test_emb.h5"),
                        "d1",
                        &[4, 8, 5],
                        None,
                        Some(&[1; 160]),
                    )
                }),
                ImportErrorKind::Shape,
                &["text_test_emb.h5", "expected float32 or float64"],
            ),
            (
                "no-d1",
                Box::new(|d: &Path| {
                    write_h5(
                        &d.join("audio_test.h5"),
                        "features",
                        &[4, 8, 3],
                        Some(&[0.5; 96]),
                        None,
                    )
                }),
                ImportErrorKind::Missing,
                &["audio_test.h5", "no dataset `d1`", "features"],
            ),
            (
                "count",
                Box::new(|d: &Path| {
                    write_h5(
                        &d.join("audio_test.h5"),
                        "d1",
                        &[3, 8, 3],
                        Some(&[0.5; 72]),
                        None,
                    )
                }),
                ImportErrorKind::Shape,
                &["audio_test.h5", "3 samples", "have 4"],
            ),
            (
                "steps",
                Box::new(|d: &Path| {
                    write_h5(
                        &d.join("audio_test.h5"),
                        "d1",
                        &[4, 9, 3],
                        Some(&[0.5; 108]),
                        None,
                    )
                }),
                ImportErrorKind::Shape,
                &["audio_test.h5", "9 steps"],
            ),
            (
                "dims",
                Box::new(|d: &Path| {
                    write_h5(
                        &d.join("audio_test.h5"),
                        "d1",
                        &[4, 8, 2],
                        Some(&[0.5; 64]),
                        None,
                    )
                }),
                ImportErrorKind::Shape,
                &["split test", "dims [5, 2, 4]"],
            ),
            (
                "not-one-hot",
                Box::new(|d: &Path| {
                    write_h5(
                        &d.join("y_valid.h5"),
                        "d1",
                        &[3, 3],
                        Some(&[1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]),
                        None,
                    )
                }),
                ImportErrorKind::Labels,
                &["y_valid.h5", "row 0", "not one-hot"],
            ),
            (
                "nan",
                Box::new(|d: &Path| {
                    let mut v = vec![0.5; 4 * 8 * 3];
                    v[0] = f64::NAN;
                    write_h5(&d.join("audio_test.h5"), "d1", &[4, 8, 3], Some(&v), None)
                }),
                ImportErrorKind::NonFinite,
                &["audio_test.h5", "NaN"],
            ),
        ];
        for (name, edit, kind, fragments) in cases {
            let root = copy_fixture(&format!("h5-{name}"));
            let src = root.join("src");
            edit(&src);
            let o = if name == "nan" {
                ImportOptions {
                    non_finite: NonFinitePolicy::Reject,
                    ..vt.clone()
                }
            } else {
                vt.clone()
            };
            let target = root.join("out");
            let e = import_to_dir(SourceFormat::CmuH5, &src, &target, &o, false)
                .err()
                .unwrap_or_else(|| panic!("{name}: imported"));
            let msg = e.to_string();
            assert_eq!(e.kind, kind, "{name}: {msg}");
            for f in fragments {
                assert!(msg.contains(f), "{name}: `{f}` not in: {msg}");
            }
            assert!(!target.exists(), "{name}: output left behind");
        }
        let e = import(SourceFormat::CmuH5, &fixture("cmu_h5/y_test.h5"), &vt).unwrap_err();
        assert!(e.to_string().contains("is a file"), "{e}");
    }

    #[test]
    fn verify_reads_hdf5_shapes() {
        // the fixture folder matches no release; against youtube's it fails on sizes and shapes
        let r = verify(
            SourceFormat::CmuH5,
            &fixture("cmu_h5"),
            Some("cmu-youtube-mfn"),
        );
        assert!(!r.ok());
        let text = r.to_string();
        assert!(
            text.contains("FAIL audio_train.h5 shape: expected [173, 20, 74], found [6, 8, 3]"),
            "{text}"
        );
        assert!(text.contains("FAIL text_valid_emb.h5 sha256"), "{text}");
    }
}
