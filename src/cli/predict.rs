//! `mmssl predict`: a trained run's prediction for every utterance of a split, as a CSV that
//! `mmssl metrics`, pandas and polars read (columns `index`, `id`, `split`, `label`,
//! `prediction`; `id` is the source's utterance id for imported data that have ids, the index
//! as text otherwise).

use super::common::{data_for_run, SplitChoice};
use super::train::load_trained_run;
use crate::files;
use crate::train::predict;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

/// Arguments of `mmssl predict`.
#[derive(Debug, clap::Args)]
pub struct PredictArgs {
    /// A trained run directory (`model.safetensors` + `config.toml`).
    #[arg(long)]
    checkpoint: PathBuf,
    /// Data to predict: the run's own data when left out; `synthetic` for the stand-in of the
    /// run's config; or a native data directory (`mmssl data import`) with the run's feature dims.
    #[arg(long, value_name = "synthetic|DIR")]
    data: Option<String>,
    /// Which split to predict.
    #[arg(long, value_enum, default_value_t = SplitChoice::Test)]
    split: SplitChoice,
    /// The CSV file to write: one row per utterance in storage order, columns
    /// `index,id,split,label,prediction`.
    #[arg(long, value_name = "FILE.csv")]
    out: PathBuf,
    /// Replace `--out` if it is an existing file (never a directory).
    #[arg(long)]
    force: bool,
    /// Compute device: `cpu` or `cuda`.
    #[arg(long, default_value = "cpu")]
    device: String,
}

/// Runs `mmssl predict`: checks the output, loads the run and the data, predicts in evaluation
/// mode and writes the CSV atomically.
pub fn run(args: &PredictArgs) -> Result<()> {
    check_out_file(&args.out, args.force)?;
    let device = super::common::ConfigArgs::for_device(&args.device).device()?;
    let (mut cfg, model) = load_trained_run(&args.checkpoint, &device)?;
    let data = data_for_run(&args.checkpoint, &mut cfg, args.data.as_deref())?;
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(["index", "id", "split", "label", "prediction"])?;
    let mut rows = 0;
    for split in args.split.select(&data)? {
        let name = split.name;
        let predictions = predict(&model, split, &device)?;
        for (i, (label, prediction)) in split.labels.iter().zip(&predictions).enumerate() {
            // `f64`'s Display is the shortest text that reads back to the same value
            let fields = [
                i.to_string(),
                split.id(i),
                name.to_string(),
                f64::from(*label).to_string(),
                prediction.to_string(),
            ];
            csv.write_record(&fields)?;
        }
        rows += predictions.len();
    }
    let bytes = csv.into_inner().context("finishing the CSV")?;
    files::write_file(&args.out, &bytes)?;
    println!("{}", data.identity);
    println!("wrote {rows} predictions to {}", args.out.display());
    Ok(())
}

/// Fails before any work unless `out` may be written: it does not exist, or it is a file and
/// `--force` is given.
fn check_out_file(out: &Path, force: bool) -> Result<()> {
    if out.is_dir() {
        bail!(
            "--out {}: is a directory, expected a CSV file path",
            out.display()
        );
    }
    if out.exists() && !force {
        bail!(
            "--out {}: exists; pass --force to replace it",
            out.display()
        );
    }
    match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() && !parent.is_dir() => bail!(
            "--out {}: the folder {} does not exist",
            out.display(),
            parent.display()
        ),
        _ => Ok(()),
    }
}
