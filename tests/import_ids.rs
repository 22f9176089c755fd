//! Utterance ids: the importers keep the source's ids (MulT's `id` rows, MMSA's `id`), the native
//! format stores them in `ids.json` under a checksum, `mmssl predict` writes them in its `id`
//! column in storage order, and a native folder written before ids were kept still loads.

mod common;
use common::{fixture, import_mult_p4, mmssl, ok, s, tmp_in, MULT_PICKLES, TINY_CLI};
use mmssl::data::{Dataset, SplitName};
use mmssl::import::native::{load_native_with_meta, IDS_FILE, META_FILE};
use mmssl::import::{import, import_to_dir, ImportErrorKind, ImportOptions, SourceFormat};
use serde_json::Value;
use std::path::Path;

/// The fixtures' ids by construction (`make_fixtures.py`): MulT rows `[b"vid<i>", b"<i>",
/// b"<i+1>"]`, MMSA strings `vid<i>$_$<i>`.
fn mult_id(i: usize) -> String {
    format!("vid{i}_{i}_{}", i + 1)
}

fn mmsa_id(i: usize) -> String {
    format!("vid{i}$_${i}")
}

fn ids_of(data: &Dataset, split: SplitName) -> Vec<String> {
    data.split(split)
        .ids
        .clone()
        .unwrap_or_else(|| panic!("{split} has no ids"))
}

#[test]
fn pickles_keep_the_source_ids_in_storage_order() {
    for name in MULT_PICKLES {
        let data = import(
            SourceFormat::MultPkl,
            &fixture(name),
            &ImportOptions::default(),
        )
        .unwrap()
        .dataset;
        for split in SplitName::ALL {
            let want: Vec<String> = (0..data.split(split).len()).map(mult_id).collect();
            assert_eq!(ids_of(&data, split), want, "{name} {split}");
        }
        // `id` is read, not listed among the ignored keys
        let meta = import(
            SourceFormat::MultPkl,
            &fixture(name),
            &ImportOptions::default(),
        )
        .unwrap()
        .meta;
        assert!(
            meta.ignored_keys.iter().all(|k| !k.ends_with("id")),
            "{:?}",
            meta.ignored_keys
        );
    }
    let mmsa = import(
        SourceFormat::MmsaPkl,
        &fixture("mmsa_aligned.pkl"),
        &ImportOptions::default(),
    )
    .unwrap()
    .dataset;
    let want: Vec<String> = (0..mmsa.test.len()).map(mmsa_id).collect();
    assert_eq!(ids_of(&mmsa, SplitName::Test), want);
    // a subset keeps each chosen sample's id
    let picked = mmsa.train.select(&[4, 1]);
    assert_eq!(picked.ids, Some(vec![mmsa_id(4), mmsa_id(1)]));
    assert_eq!(picked.id(0), mmsa_id(4));
}

#[cfg(feature = "hdf5")]
#[test]
fn cmu_h5_folders_have_no_ids_and_fall_back_to_the_index() {
    let o = ImportOptions {
        labels: Some(mmssl::import::LabelMapping::OneHot3),
        splits: vec![SplitName::Valid, SplitName::Test],
        ..ImportOptions::default()
    };
    let data = import(SourceFormat::CmuH5, &fixture("cmu_h5"), &o)
        .unwrap()
        .dataset;
    assert!(data.valid.ids.is_none());
    assert_eq!(data.valid.id(2), "2");
}

#[test]
fn native_folders_store_ids_under_a_checksum() {
    let dir = tmp_in("import-ids", "native");
    let out = dir.join("data");
    let imported = import_to_dir(
        SourceFormat::MultPkl,
        &fixture("mult_p4.pkl"),
        &out,
        &ImportOptions::default(),
        false,
    )
    .unwrap();
    assert!(out.join(IDS_FILE).is_file());
    let (loaded, meta) = load_native_with_meta(&out).unwrap();
    assert_eq!(loaded, imported.dataset, "ids round-trip with the data");
    assert_eq!(
        ids_of(&loaded, SplitName::Valid),
        vec![mult_id(0), mult_id(1), mult_id(2)]
    );
    assert!(meta.ids_sha256.is_some());

    // an edited id is refused
    let ids_path = out.join(IDS_FILE);
    let original = std::fs::read_to_string(&ids_path).unwrap();
    std::fs::write(&ids_path, original.replace("vid1_1_2", "vid9_1_2")).unwrap();
    let e = Dataset::load_native(&out).unwrap_err();
    assert_eq!(e.kind, ImportErrorKind::Format);
    assert!(e.what.ends_with(IDS_FILE), "{e}");
    assert!(e.message.contains("edited or corrupted"), "{e}");

    // a count that does not fit the split, with a matching checksum, names the field
    let mut ids: serde_json::Map<String, Value> = serde_json::from_str(&original).unwrap();
    ids["valid"].as_array_mut().unwrap().pop();
    let mut bytes = serde_json::to_vec(&ids).unwrap();
    bytes.push(b'\n');
    std::fs::write(&ids_path, &bytes).unwrap();
    let meta_path = out.join(META_FILE);
    let mut meta_json: Value =
        serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
    meta_json["ids_sha256"] = mmssl::import::sha256_hex(&bytes).into();
    std::fs::write(
        &meta_path,
        serde_json::to_string_pretty(&meta_json).unwrap(),
    )
    .unwrap();
    let e = Dataset::load_native(&out).unwrap_err();
    assert!(e.what.ends_with(IDS_FILE), "{e}");
    assert!(
        e.message.contains("field `valid` has 2 ids for 3 samples"),
        "{e}"
    );

    // ids that meta.json does not describe, and described ids that are gone
    std::fs::remove_file(&ids_path).unwrap();
    let e = Dataset::load_native(&out).unwrap_err();
    assert_eq!(e.kind, ImportErrorKind::Missing, "{e}");
    meta_json.as_object_mut().unwrap().remove("ids_sha256");
    std::fs::write(
        &meta_path,
        serde_json::to_string_pretty(&meta_json).unwrap(),
    )
    .unwrap();
    assert!(Dataset::load_native(&out).unwrap().train.ids.is_none());
    std::fs::write(&ids_path, &bytes).unwrap();
    let e = Dataset::load_native(&out).unwrap_err();
    assert!(e.message.contains("no ids_sha256"), "{e}");
}

#[test]
fn a_native_folder_written_before_ids_still_loads_with_the_same_data() {
    // `native_before_ids/` is `mult_p4.pkl` imported by mmssl before ids were kept
    let old = fixture("native_before_ids");
    assert!(!old.join(IDS_FILE).exists());
    let (data, meta) = load_native_with_meta(&old).unwrap();
    assert_eq!(meta.ids_sha256, None);
    for split in SplitName::ALL {
        assert!(data.split(split).ids.is_none(), "{split}");
    }
    assert_eq!(data.test.id(3), "3");
    let fresh = import(
        SourceFormat::MultPkl,
        &fixture("mult_p4.pkl"),
        &ImportOptions::default(),
    )
    .unwrap()
    .dataset;
    assert_eq!(
        data.identity.sha256, fresh.identity.sha256,
        "ids are not part of the identity: the old folder and a fresh import are the same data"
    );
}

/// The rows `(index, id, split)` of a predictions CSV, with its header.
fn csv_rows(path: &Path) -> (Vec<String>, Vec<(usize, String, String)>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].parse().unwrap(), r[1].to_owned(), r[2].to_owned())
        })
        .collect();
    (header, rows)
}

#[test]
fn predict_writes_the_source_ids_and_metrics_still_reads_the_csv() {
    let dir = tmp_in("import-ids", "predict");
    let data = import_mult_p4(&dir);
    let run = dir.join("run");
    let mut args = vec![
        "train",
        "--methodology",
        "supervised",
        "--data",
        s(&data),
        "--out",
        s(&run),
    ];
    // --scale sizes the synthetic stand-in and is refused with --data
    args.extend(
        TINY_CLI
            .iter()
            .copied()
            .filter(|a| !a.starts_with("--scale")),
    );
    ok(&mmssl(&args));

    let csv_path = dir.join("all.csv");
    ok(&mmssl(&[
        "predict",
        "--checkpoint",
        s(&run),
        "--split",
        "all",
        "--out",
        s(&csv_path),
    ]));
    let (header, rows) = csv_rows(&csv_path);
    assert_eq!(header, ["index", "id", "split", "label", "prediction"]);
    assert_eq!(rows.len(), 13, "6 + 3 + 4 utterances");
    let mut previous: Option<(String, usize)> = None;
    for (index, id, split) in &rows {
        assert_eq!(id, &mult_id(*index), "{split} {index}");
        if let Some((p_split, p_index)) = &previous {
            assert!(p_split != split || *index == p_index + 1, "storage order");
        }
        previous = Some((split.clone(), *index));
    }
    let scored: Value = serde_json::from_str(&ok(&mmssl(&[
        "metrics",
        "--predictions",
        s(&csv_path),
        "--json",
    ])))
    .unwrap();
    assert_eq!(scored["n"], 13, "{scored}");

    // the folder written before ids: the id column is the index
    let old_csv = dir.join("old.csv");
    ok(&mmssl(&[
        "predict",
        "--checkpoint",
        s(&run),
        "--data",
        s(&fixture("native_before_ids")),
        "--out",
        s(&old_csv),
    ]));
    let (_, rows) = csv_rows(&old_csv);
    assert_eq!(rows.len(), 4);
    for (index, id, split) in &rows {
        assert_eq!(
            (id.as_str(), split.as_str()),
            (index.to_string().as_str(), "test")
        );
    }

    // embed lists the ids per split in its meta.json
    let emb = dir.join("emb");
    ok(&mmssl(&[
        "embed",
        "--checkpoint",
        s(&run),
        "--split",
        "valid",
        "--out",
        s(&emb),
    ]));
    let meta: Value =
        serde_json::from_str(&std::fs::read_to_string(emb.join("meta.json")).unwrap()).unwrap();
    assert_eq!(
        meta["ids"]["valid"],
        serde_json::json!([mult_id(0), mult_id(1), mult_id(2)])
    );
}
