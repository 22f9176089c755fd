//! `mmssl metrics`: score a predictions CSV with the MOSEI metrics (thesis 7.3).

use crate::metrics::{evaluate, read_predictions_csv};
use anyhow::Context;
use std::path::PathBuf;

/// Arguments of `mmssl metrics`, which scores saved predictions as in thesis 7.3.
#[derive(Debug, clap::Args)]
pub struct MetricsArgs {
    /// CSV file whose header names the columns `prediction` and `label` (others are ignored).
    #[arg(long, value_name = "FILE.csv")]
    predictions: PathBuf,
    /// Print one JSON object (keys mae, corr, acc7, acc5, acc2_non0, f1_non0, acc2_has0,
    /// f1_has0, n, rmse, ccc, sagr; null where undefined) instead of a table.
    #[arg(long)]
    json: bool,
}

/// Runs `mmssl metrics`: reads the CSV, evaluates it and prints a table or one JSON object.
pub fn run(args: &MetricsArgs) -> anyhow::Result<()> {
    let table = read_predictions_csv(&args.predictions)?;
    let metrics = evaluate(&table.predictions, &table.labels)
        .with_context(|| format!("{}: cannot evaluate", args.predictions.display()))?;
    if args.json {
        println!("{}", serde_json::to_string(&metrics)?);
    } else {
        print!("{metrics}");
    }
    Ok(())
}
