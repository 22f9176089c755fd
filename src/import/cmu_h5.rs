//! CMU's older processed HDF5 releases (the layout of `pliang279/MFN`'s `new_data/` folders and
//! of CMU's processed CMU-MOSEI / CMU-MOSI downloads): one folder, one dataset `d1` per file.
//!
//! | modality | file (first that exists) |
//! | --- | --- |
//! | text | `text_{split}_emb.h5`, `text_{split}.h5` |
//! | audio | `audio_{split}.h5` |
//! | visual | `video_{split}.h5`, `visual_{split}.h5` |
//! | labels | `y_{split}.h5` |
//!
//! Features are `[N, steps, dims]` float32 / float64; labels `[N]`, `[N, 1]` or `[N, 3]` (their
//! meaning differs between releases, so `--labels` is required). The files hold no utterance
//! ids (one dataset `d1` each), so the imported splits have none. Read with `hdf5-pure` (pure
//! Rust, no system library).

use super::{
    file_sha256, ImportError, ImportErrorKind, ImportOptions, RawArray, RawLabels, RawSource,
    RawSplit, SourceFile,
};
use crate::data::SplitName;
use hdf5_pure::{DType, File};
use std::path::Path;

/// Candidate file names per modality (text, audio, visual) and for labels.
pub(crate) fn candidates(split: SplitName) -> ([Vec<String>; 3], String) {
    let s = split.name();
    (
        [
            vec![format!("text_{s}_emb.h5"), format!("text_{s}.h5")],
            vec![format!("audio_{s}.h5")],
            vec![format!("video_{s}.h5"), format!("visual_{s}.h5")],
        ],
        format!("y_{s}.h5"),
    )
}

/// Reads the requested splits of a CMU HDF5 folder.
pub(super) fn read(src: &Path, opts: &ImportOptions) -> Result<RawSource, ImportError> {
    if !src.is_dir() {
        let msg = if src.exists() {
            "is a file; --format cmu-h5 takes the folder holding {text,audio,video}_{split}.h5 and y_{split}.h5"
        } else {
            "no such folder"
        };
        return Err(ImportError::new(
            ImportErrorKind::Missing,
            src.display(),
            msg,
        ));
    }
    // every file that will be read, so their SHA-256 runs on a second thread meanwhile
    let mut paths = Vec::new();
    for &split in &opts.splits {
        let (mods, labels_name) = candidates(split);
        for names in &mods {
            if let Some(p) = names.iter().map(|n| src.join(n)).find(|p| p.exists()) {
                paths.push(p);
            }
        }
        paths.push(src.join(labels_name));
    }
    std::thread::scope(|scope| {
        let hasher = scope.spawn(|| {
            paths
                .iter()
                .filter(|p| p.exists())
                .map(|p| source_file(src, p))
                .collect::<Result<Vec<_>, _>>()
        });
        let read = read_arrays(src, opts);
        let files = hasher.join().expect("the hashing thread does not panic");
        let mut out = read?;
        out.files = files?;
        Ok(out)
    })
}

fn read_arrays(src: &Path, opts: &ImportOptions) -> Result<RawSource, ImportError> {
    let mut out = RawSource::default();
    for &split in &opts.splits {
        let (mods, labels_name) = candidates(split);
        let mut modalities: [Option<RawArray>; 3] = [None, None, None];
        let mut missing: [String; 3] = Default::default();
        for (m, names) in mods.iter().enumerate() {
            let found = names.iter().map(|n| src.join(n)).find(|p| p.exists());
            missing[m] = format!(
                "{} (missing file; also looked for {:?})",
                src.join(&names[0]).display(),
                &names[1..]
            );
            if let Some(path) = found {
                let d1 = read_d1(&path, true)?;
                modalities[m] = Some(RawArray {
                    shape: d1.shape,
                    data: d1.f32s,
                    source: path.display().to_string(),
                });
            }
        }
        let labels_path = src.join(&labels_name);
        if !labels_path.exists() {
            return Err(ImportError::new(
                ImportErrorKind::Missing,
                labels_path.display(),
                format!("missing label file for split {split}"),
            ));
        }
        let D1 {
            shape,
            f64s: values,
            ..
        } = read_d1(&labels_path, false)?;
        out.splits.push(RawSplit {
            name: split,
            modalities,
            missing,
            labels: RawLabels {
                shape,
                values,
                source: labels_path.display().to_string(),
            },
            ids: None,
        });
    }
    Ok(out)
}

fn source_file(src: &Path, path: &Path) -> Result<SourceFile, ImportError> {
    let (bytes, sha256) = file_sha256(path)?;
    Ok(SourceFile {
        path: path.strip_prefix(src).unwrap_or(path).display().to_string(),
        bytes,
        sha256,
    })
}

/// Dataset `d1` of a file: its shape, and its values as f32 (features) or f64 (labels).
struct D1 {
    shape: Vec<usize>,
    f32s: Vec<f32>,
    f64s: Vec<f64>,
}

/// Reads dataset `d1` of an HDF5 file: features as f32 (`features`), labels as f64.
fn read_d1(path: &Path, features: bool) -> Result<D1, ImportError> {
    let what = path.display().to_string();
    let fmt_err = |e: hdf5_pure::Error| {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let detail = if size == 0 {
            "the file is empty (0 bytes)".to_string()
        } else {
            let head = std::fs::read(path)
                .map(|b| b.into_iter().take(8).collect::<Vec<u8>>())
                .unwrap_or_default();
            if head.first() == Some(&0x80) {
                "this is a pickle, not HDF5: use --format mult-pkl or mmsa-pkl".to_string()
            } else {
                format!(
                    "not a readable HDF5 file ({size} bytes; truncated or another format?): {e}"
                )
            }
        };
        ImportError::new(ImportErrorKind::Format, &what, detail)
    };
    let file = File::open(path).map_err(fmt_err)?;
    let ds = match file.dataset("d1") {
        Ok(ds) => ds,
        Err(_) => {
            let names = file.root().datasets().unwrap_or_default();
            return Err(ImportError::new(
                ImportErrorKind::Missing,
                &what,
                format!("no dataset `d1` (datasets present: {names:?}); CMU's processed files hold one dataset named d1"),
            ));
        }
    };
    let shape: Vec<usize> = ds
        .shape()
        .map_err(fmt_err)?
        .into_iter()
        .map(|d| d as usize)
        .collect();
    let dtype = ds.dtype().map_err(fmt_err)?;
    let numeric = matches!(
        dtype,
        DType::F32
            | DType::F64
            | DType::I8
            | DType::I16
            | DType::I32
            | DType::I64
            | DType::U8
            | DType::U16
            | DType::U32
            | DType::U64
    );
    if features && !matches!(dtype, DType::F32 | DType::F64) {
        return Err(ImportError::new(
            ImportErrorKind::Shape,
            format!("{what} /d1"),
            format!("dtype {dtype}, expected float32 or float64 features"),
        ));
    }
    if !numeric {
        return Err(ImportError::new(
            ImportErrorKind::Shape,
            format!("{what} /d1"),
            format!("dtype {dtype}, expected numeric labels"),
        ));
    }
    if features {
        let f32s = ds.read_f32().map_err(fmt_err)?;
        Ok(D1 {
            shape,
            f32s,
            f64s: Vec::new(),
        })
    } else {
        let f64s = ds.read_f64().map_err(fmt_err)?;
        Ok(D1 {
            shape,
            f32s: Vec::new(),
            f64s,
        })
    }
}

/// Shape of dataset `d1` in an HDF5 file (for `verify`).
pub(super) fn shape_of(path: &Path) -> Result<Vec<usize>, ImportError> {
    let what = path.display().to_string();
    let file = File::open(path).map_err(|e| {
        ImportError::new(
            ImportErrorKind::Format,
            &what,
            format!("not a readable HDF5 file: {e}"),
        )
    })?;
    let ds = file.dataset("d1").map_err(|e| {
        ImportError::new(
            ImportErrorKind::Missing,
            &what,
            format!("no dataset d1: {e}"),
        )
    })?;
    let shape = ds
        .shape()
        .map_err(|e| ImportError::new(ImportErrorKind::Format, &what, e.to_string()))?;
    Ok(shape.into_iter().map(|d| d as usize).collect())
}
