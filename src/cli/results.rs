//! `mmssl results merge`: combine the results stores of several `mmssl reproduce --shard K/N`
//! runs (or of any reproductions) into one, deduplicated by run key.

use crate::experiments::{merge_stores, store_path, StoreLock};
use anyhow::{ensure, Context, Result};
use std::path::PathBuf;

/// Arguments of `mmssl results`.
#[derive(Debug, clap::Args)]
pub struct ResultsArgs {
    #[command(subcommand)]
    command: ResultsCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ResultsCommand {
    /// Merge results stores into one (rows deduplicated by run key; the same key with different
    /// results is an error and nothing is written).
    Merge {
        /// Results folders (holding `results.jsonl`) or `results.jsonl` files.
        #[arg(required = true)]
        stores: Vec<PathBuf>,
        /// The merged results folder (created if absent; an existing store there is kept and
        /// completed). `mmssl reproduce --profile P --out DIR` then finds every run done and
        /// writes the report.
        #[arg(long)]
        out: PathBuf,
    },
}

/// Runs `mmssl results`.
pub fn run(args: &ResultsArgs) -> Result<()> {
    let ResultsCommand::Merge { stores, out } = &args.command;
    ensure!(
        !out.exists() || out.is_dir(),
        "--out {}: exists and is not a folder",
        out.display()
    );
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let _lock = StoreLock::acquire(out)?;
    let target = store_path(out);
    let inputs: Vec<PathBuf> = stores
        .iter()
        .map(|s| if s.is_dir() { store_path(s) } else { s.clone() })
        .collect();
    for input in &inputs {
        let same = std::fs::canonicalize(input).ok().is_some()
            && std::fs::canonicalize(input).ok() == std::fs::canonicalize(&target).ok();
        ensure!(!same, "{}: is the output store itself", input.display());
    }
    let summary = merge_stores(&inputs, &target)?;
    println!(
        "merged {} store(s) into {}: {} rows added, {} already there",
        inputs.len(),
        target.display(),
        summary.added,
        summary.duplicates
    );
    Ok(())
}
