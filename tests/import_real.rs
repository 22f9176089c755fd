//! The cmu-h5 importer on the real CMU feature files in `../shared/data/` (YouTube and ICT-MMMO,
//! from `pliang279/MFN`): counts and dims as their READMEs state, train-without-text reported
//! clearly, labels mapped explicitly, the manifest's checksums verified, a bit-identical native
//! round trip, and a one-epoch training run on the imported data. Skipped, with a message, when
//! the files are absent; needs the `hdf5` feature (on by default).
#![cfg(feature = "hdf5")]

mod common;
use common::{tmp_in, Tmp};
use mmssl::data::{Dataset, Modality, SplitName};
use mmssl::import::native::load_native_with_meta;
use mmssl::import::verify::verify;
use mmssl::import::{
    import, import_to_dir, inspect::inspect, ImportErrorKind, ImportOptions, LabelMapping,
    PaddingRule, SourceFormat,
};
use mmssl::train::{run, Methodology, Progress, RunConfig};
use std::path::Path;

const YOUTUBE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/youtube-mfn");
const MMMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/mmmo-mfn");

fn present(dir: &str) -> bool {
    let ok = Path::new(dir).join("y_test.h5").exists();
    if !ok {
        eprintln!("skipped: the real data folder {dir} is absent");
    }
    ok
}

fn tmp(name: &str) -> Tmp {
    tmp_in("import-real", name)
}

fn valid_test(labels: LabelMapping) -> ImportOptions {
    ImportOptions {
        splits: vec![SplitName::Valid, SplitName::Test],
        labels: Some(labels),
        ..ImportOptions::default()
    }
}

#[test]
fn youtube_valid_test_import_matches_the_readme() {
    if !present(YOUTUBE) {
        return;
    }
    let dir = tmp("youtube");
    let imp = import_to_dir(
        SourceFormat::CmuH5,
        Path::new(YOUTUBE),
        &dir.join("yt"),
        &valid_test(LabelMapping::OneHot3),
        false,
    )
    .unwrap();
    let d = &imp.dataset;
    assert_eq!(
        imp.meta.source.release.as_deref(),
        Some("cmu-youtube-mfn"),
        "matched by SHA-256"
    );
    assert_eq!(d.identity.name, "cmu-youtube-mfn (cmu-h5)");
    assert_eq!((d.train.len(), d.valid.len(), d.test.len()), (0, 36, 60));
    assert_eq!(d.dims(), [300, 74, 36]);
    assert_eq!(d.valid.steps(), 20);
    // one-hot negative / neutral / positive -> -1 / 0 / +1: valid has 9 / 16 / 11
    let count = |v: f32| d.valid.labels.iter().filter(|&&y| y == v).count();
    assert_eq!((count(-1.0), count(0.0), count(1.0)), (9, 16, 11));
    // text is end-padded: nothing moved under `auto` except samples whose first steps are empty
    let r = inspect(&dir.join("yt")).unwrap();
    let valid = &r.splits[1];
    assert_eq!(valid.summary.count, 36);
    assert_eq!(
        valid
            .summary
            .modalities
            .iter()
            .map(|m| m.dims)
            .collect::<Vec<_>>(),
        vec![300, 74, 36]
    );
    eprintln!("{r}");
    // README: text holds 11.9 words of 20 on average in valid; real lengths cover at least that
    assert!(
        valid.summary.length_mean >= 11.0,
        "{}",
        valid.summary.length_mean
    );
    // README: audio / visual rows mostly all-zero; many samples have none at all
    assert!(valid.summary.modalities[1].all_zero > 20);
    assert!(valid.summary.modalities[2].all_zero > 20);
    // the round trip is bit-identical
    let (loaded, meta) = load_native_with_meta(&dir.join("yt")).unwrap();
    assert_eq!(&loaded, d);
    assert_eq!(meta.identity_sha256, d.identity.sha256);
}

#[test]
fn youtube_train_without_text_is_reported_clearly() {
    if !present(YOUTUBE) {
        return;
    }
    for splits in [SplitName::ALL.to_vec(), vec![SplitName::Train]] {
        let o = ImportOptions {
            splits,
            labels: Some(LabelMapping::OneHot3),
            ..ImportOptions::default()
        };
        let dir = tmp("yt-train");
        let e = import_to_dir(
            SourceFormat::CmuH5,
            Path::new(YOUTUBE),
            &dir.join("out"),
            &o,
            false,
        )
        .unwrap_err();
        assert_eq!(e.kind, ImportErrorKind::Missing);
        let msg = e.to_string();
        assert!(msg.contains("text_train_emb.h5"), "{msg}");
        assert!(msg.contains("split train has no text"), "{msg}");
        assert!(
            msg.contains("--splits valid,test") && msg.contains("--fill-missing text"),
            "{msg}"
        );
        assert!(!dir.join("out").exists());
    }
    // a wrong label mapping is refused with a hint
    let o = ImportOptions {
        labels: Some(LabelMapping::Sentiment),
        ..valid_test(LabelMapping::Sentiment)
    };
    let e = import(SourceFormat::CmuH5, Path::new(YOUTUBE), &o).unwrap_err();
    assert_eq!(e.kind, ImportErrorKind::Labels);
    assert!(
        e.to_string().contains("y_valid.h5") && e.to_string().contains("one-hot-3"),
        "{e}"
    );
}

#[test]
fn mmmo_imports_with_the_likert_mapping() {
    if !present(MMMO) {
        return;
    }
    let imp = import(
        SourceFormat::CmuH5,
        Path::new(MMMO),
        &valid_test(LabelMapping::Likert1To5),
    )
    .unwrap();
    let d = &imp.dataset;
    assert_eq!(imp.meta.source.release.as_deref(), Some("cmu-mmmo-mfn"));
    assert_eq!((d.valid.len(), d.test.len()), (40, 80));
    assert_eq!(d.dims(), [300, 74, 36]);
    for y in d.valid.labels.iter().chain(&d.test.labels) {
        assert!((-3.0..=3.0).contains(y));
        assert_eq!(
            (y / 0.75).fract(),
            0.0,
            "1..5 in halves maps to multiples of 0.75: {y}"
        );
    }
    // valid: 10 labels of 1.0 -> -3, 15 of 5.0 -> +3
    assert_eq!(d.valid.labels.iter().filter(|&&y| y == -3.0).count(), 10);
    assert_eq!(d.valid.labels.iter().filter(|&&y| y == 3.0).count(), 15);
    // `end` keeps leading all-zero steps as data; `auto` drops them: lengths differ only there
    let end = import(
        SourceFormat::CmuH5,
        Path::new(MMMO),
        &ImportOptions {
            padding: PaddingRule::End,
            ..valid_test(LabelMapping::Likert1To5)
        },
    )
    .unwrap();
    let shifted = imp.meta.splits[1].report.shifted_samples;
    let longer = end
        .dataset
        .valid
        .lengths
        .iter()
        .zip(&d.valid.lengths)
        .filter(|(e, a)| e > a)
        .count();
    assert_eq!(shifted, longer);
    // the likert mapping refuses a one-hot file and vice versa
    let e = import(
        SourceFormat::CmuH5,
        Path::new(MMMO),
        &valid_test(LabelMapping::OneHot3),
    )
    .unwrap_err();
    assert!(e.to_string().contains("expects [N, 3]"), "{e}");
}

#[test]
fn real_folders_verify_against_the_manifest() {
    for (dir, id) in [(YOUTUBE, "cmu-youtube-mfn"), (MMMO, "cmu-mmmo-mfn")] {
        if !present(dir) {
            continue;
        }
        let r = verify(SourceFormat::CmuH5, Path::new(dir), None);
        eprintln!("{r}");
        assert_eq!(r.release.as_deref(), Some(id));
        assert!(r.ok(), "{r}");
        assert_eq!(
            r.checks.len(),
            11 * 4,
            "present, size, sha256, shape for each of 11 files"
        );
        // a different release's expectations fail
        let other = if id == "cmu-youtube-mfn" {
            "cmu-mmmo-mfn"
        } else {
            "cmu-youtube-mfn"
        };
        assert!(!verify(SourceFormat::CmuH5, Path::new(dir), Some(other)).ok());
    }
}

#[test]
fn one_epoch_of_training_on_imported_real_data() {
    if !present(YOUTUBE) {
        return;
    }
    let dir = tmp("yt-train-run");
    // all splits; train's absent text filled with zeros, explicitly
    let o = ImportOptions {
        labels: Some(LabelMapping::OneHot3),
        fill_missing: vec![Modality::Text],
        ..ImportOptions::default()
    };
    let imp = import_to_dir(
        SourceFormat::CmuH5,
        Path::new(YOUTUBE),
        &dir.join("yt"),
        &o,
        false,
    )
    .unwrap();
    assert_eq!(imp.dataset.train.len(), 173);
    assert_eq!(imp.meta.splits[0].report.filled, vec![Modality::Text]);
    let train_labels = &imp.dataset.train.labels;
    let count = |v: f32| train_labels.iter().filter(|&&y| y == v).count();
    assert_eq!(
        (count(-1.0), count(0.0), count(1.0)),
        (72, 43, 58),
        "README: 72 / 43 / 58"
    );
    let mut cfg = RunConfig {
        methodology: Methodology::Supervised,
        seed: 1,
        ..RunConfig::default()
    };
    cfg.data.path = Some(dir.join("yt"));
    let data: Dataset = cfg.data.load().unwrap();
    assert!(!data.identity.synthetic);
    cfg.model.input_dims = data.dims();
    cfg.model.hidden = 8;
    cfg.model.attention_dim = 8;
    cfg.model.fusion_hidden = 8;
    cfg.supervised.max_epochs = 1;
    let (_, _, report) = run(&cfg, &data, &candle_core::Device::Cpu, &Progress::quiet()).unwrap();
    assert_eq!(report.finetune.len(), 1);
    assert_eq!(report.test.n, 60);
    assert_eq!(report.data.name, "cmu-youtube-mfn (cmu-h5)");
    assert!(report.test.mae.is_finite());
}
