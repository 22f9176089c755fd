//! `ids.json`: the source's utterance ids, one list per split in storage order, for data whose
//! release has them (`{"train": ["…", …], "valid": […], "test": […]}`; a split without ids has
//! no key). Its SHA-256 is `meta.json`'s `ids_sha256`, so an edited file is refused. Folders
//! written before ids existed have neither and load with no ids.

use super::NativeMeta;
use crate::data::{Dataset, SplitName};
use crate::import::{sha256_hex, ImportError, ImportErrorKind};
use std::collections::BTreeMap;
use std::path::Path;

/// Name of the ids file inside a native directory.
pub const IDS_FILE: &str = "ids.json";

/// The bytes of `ids.json` for `data`, or `None` when no split has ids.
pub(crate) fn ids_json(data: &Dataset) -> Option<Vec<u8>> {
    let ids: BTreeMap<&str, &Vec<String>> = SplitName::ALL
        .iter()
        .filter_map(|&s| data.split(s).ids.as_ref().map(|ids| (s.name(), ids)))
        .collect();
    if ids.is_empty() {
        return None;
    }
    let mut bytes = serde_json::to_vec(&ids).expect("ids serialise");
    bytes.push(b'\n');
    Some(bytes)
}

/// The SHA-256 of `data`'s `ids.json`, as recorded in `meta.json`.
pub(crate) fn ids_sha256(data: &Dataset) -> Option<String> {
    ids_json(data).map(|bytes| sha256_hex(&bytes))
}

/// Reads `ids.json` of `dir` as `meta` describes it: per split (train, valid, test) its ids,
/// `None` for a split without; errors name the file and the field.
pub(crate) fn read_ids(
    dir: &Path,
    meta: &NativeMeta,
) -> Result<[Option<Vec<String>>; 3], ImportError> {
    let path = dir.join(IDS_FILE);
    let what = path.display().to_string();
    let bad = |msg: String| ImportError::new(ImportErrorKind::Format, &what, msg);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return match &meta.ids_sha256 {
                None => Ok([None, None, None]),
                Some(_) => Err(ImportError::new(
                    ImportErrorKind::Missing,
                    &what,
                    "missing (meta.json records ids_sha256, the ids are not there)",
                )),
            };
        }
        Err(e) => return Err(ImportError::io(&path, e)),
    };
    let Some(want) = &meta.ids_sha256 else {
        return Err(bad(
            "unexpected: meta.json has no ids_sha256 describing it (remove the file, or re-import)"
                .into(),
        ));
    };
    let sha = sha256_hex(&bytes);
    if &sha != want {
        return Err(bad(format!(
            "checksum {sha} does not match meta.json ids_sha256 {want} (edited or corrupted)"
        )));
    }
    let mut ids: BTreeMap<String, Vec<String>> = serde_json::from_slice(&bytes).map_err(|e| {
        bad(format!(
            "invalid ids file: {e} (expected {{\"train\": [\"id\", …], …}})"
        ))
    })?;
    let mut out: [Option<Vec<String>>; 3] = [None, None, None];
    for (slot, s) in out.iter_mut().zip(SplitName::ALL) {
        let Some(list) = ids.remove(s.name()) else {
            continue;
        };
        let count = meta
            .splits
            .iter()
            .find(|m| m.name == s)
            .map_or(0, |m| m.count);
        if list.len() != count {
            return Err(bad(format!(
                "field `{s}` has {} ids for {count} samples (meta.json); expected one id per utterance",
                list.len()
            )));
        }
        *slot = Some(list);
    }
    if let Some(key) = ids.keys().next() {
        return Err(bad(format!(
            "field `{key}` is no split (expected train, valid or test)"
        )));
    }
    Ok(out)
}
