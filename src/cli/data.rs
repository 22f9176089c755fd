//! `mmssl data import | inspect | verify | manifest`: real data — import a public release into the
//! native format, inspect a native directory, check a source against the data manifest.

use crate::data::{Modality, NonFinitePolicy, SplitName};
use crate::import::{
    self, inspect::inspect, parse_splits, verify::verify, LabelMapping, Manifest, PaddingRule,
    SourceFormat,
};
use anyhow::{bail, Result};
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `mmssl data`.
#[derive(Debug, clap::Args)]
pub struct DataArgs {
    #[command(subcommand)]
    command: DataCommand,
}

#[derive(Debug, clap::Subcommand)]
enum DataCommand {
    /// Import a public release (MulT / MMSA pickle, CMU HDF5 folder) into a native data directory.
    Import(ImportArgs),
    /// Per-split statistics of a native data directory (counts, dims, NaN / inf, lengths, labels).
    Inspect(InspectArgs),
    /// Check a source against the data manifest (files, sizes, SHA-256, shapes); exit 1 on failure.
    Verify(VerifyArgs),
    /// List the releases of the embedded data manifest.
    Manifest(ManifestArgs),
}

/// Arguments of `mmssl data import`.
#[derive(Debug, clap::Args)]
struct ImportArgs {
    /// Source layout.
    #[arg(long, value_enum)]
    format: SourceFormat,
    /// The source: a pickle file (mult-pkl, mmsa-pkl) or a folder of HDF5 files (cmu-h5).
    src: PathBuf,
    /// Output directory (written atomically; must not exist unless --force).
    #[arg(long)]
    out: PathBuf,
    /// Splits to import, comma-separated (default all three).
    #[arg(long, value_name = "train,valid,test")]
    splits: Option<String>,
    /// Dataset name recorded in the identity (default: `<release> (<format>)`).
    #[arg(long)]
    name: Option<String>,
    /// Label mapping (required for cmu-h5; default `sentiment` for pickles).
    #[arg(long, value_enum)]
    labels: Option<LabelMapping>,
    /// How real lengths are told from zero padding.
    #[arg(long, value_enum, default_value_t = PaddingRule::Auto)]
    padding: PaddingRule,
    /// Reject NaN and ±inf instead of setting them to 0 and counting them.
    #[arg(long)]
    strict: bool,
    /// Fill an absent modality with zeros (e.g. `text` for the CMU YouTube / MMMO train split);
    /// recorded in meta.json.
    #[arg(long, value_parser = parse_modality, value_name = "text|audio|visual")]
    fill_missing: Vec<Modality>,
    /// Manifest release to check against (default: chosen by checksum or file name).
    #[arg(long)]
    release: Option<String>,
    /// Replace an existing output directory.
    #[arg(long)]
    force: bool,
    /// Read, check and convert everything, print the summary, write nothing.
    #[arg(long)]
    dry_run: bool,
}

/// Arguments of `mmssl data inspect`.
#[derive(Debug, clap::Args)]
struct InspectArgs {
    /// A native data directory.
    dir: PathBuf,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
}

/// Arguments of `mmssl data verify`.
#[derive(Debug, clap::Args)]
struct VerifyArgs {
    /// Source layout.
    #[arg(long, value_enum)]
    format: SourceFormat,
    /// The source file or folder.
    src: PathBuf,
    /// Manifest release to check against (default: chosen by checksum or file name).
    #[arg(long)]
    release: Option<String>,
    /// Print one JSON object instead of the lines.
    #[arg(long)]
    json: bool,
}

/// Arguments of `mmssl data manifest`.
#[derive(Debug, clap::Args)]
struct ManifestArgs {
    /// Print the whole manifest as JSON.
    #[arg(long)]
    json: bool,
}

fn parse_modality(s: &str) -> Result<Modality, String> {
    Modality::ALL
        .into_iter()
        .find(|m| m.name() == s)
        .ok_or_else(|| format!("unknown modality `{s}`, expected text, audio or visual"))
}

/// Runs `mmssl data …`.
pub fn run(args: &DataArgs) -> Result<()> {
    match &args.command {
        DataCommand::Import(a) => run_import(a),
        DataCommand::Inspect(a) => {
            let report = inspect(&a.dir)?;
            if a.json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{report}");
            }
            Ok(())
        }
        DataCommand::Verify(a) => {
            let report = verify(a.format, &a.src, a.release.as_deref());
            if a.json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!("{report}");
            }
            if !report.ok() {
                bail!("{}: verification failed", a.src.display());
            }
            Ok(())
        }
        DataCommand::Manifest(a) => {
            let m = Manifest::embedded();
            if a.json {
                println!("{}", serde_json::to_string_pretty(m)?);
            } else {
                for r in &m.releases {
                    let counts: Vec<String> = SplitName::ALL
                        .iter()
                        .map(|&s| r.count_of(s).map_or("?".into(), |c| c.to_string()))
                        .collect();
                    let dims: Vec<String> = Modality::ALL
                        .iter()
                        .map(|&md| r.dims_of(md).map_or("?".into(), |d| d.to_string()))
                        .collect();
                    println!(
                        "{:<26} {:<8} {:<10} counts {:<18} dims {:<12} {}",
                        r.id,
                        r.format.name(),
                        if r.aligned { "aligned" } else { "unaligned" },
                        counts.join("/"),
                        dims.join("/"),
                        r.title
                    );
                }
            }
            Ok(())
        }
    }
}

fn run_import(a: &ImportArgs) -> Result<()> {
    let splits = match &a.splits {
        Some(s) => parse_splits(s)?,
        None => SplitName::ALL.to_vec(),
    };
    let opts = import::ImportOptions {
        splits,
        name: a.name.clone(),
        labels: a.labels,
        padding: a.padding,
        non_finite: if a.strict {
            NonFinitePolicy::Reject
        } else {
            NonFinitePolicy::Zero
        },
        fill_missing: a.fill_missing.clone(),
        release: a.release.clone(),
    };
    let start = Instant::now();
    let imported = if a.dry_run {
        import::import(a.format, &a.src, &opts)?
    } else {
        import::import_to_dir(a.format, &a.src, &a.out, &opts, a.force)?
    };
    let seconds = start.elapsed().as_secs_f64();
    let meta = &imported.meta;
    println!("{}", imported.dataset.identity);
    println!(
        "release {}, labels {}, padding {}, steps {}, dims {:?}",
        meta.source.release.as_deref().unwrap_or("none matched"),
        meta.labels.mapping,
        meta.padding,
        meta.steps,
        meta.dims
    );
    for s in &meta.splits {
        if !s.imported {
            println!("{:<5} not imported", s.name);
            continue;
        }
        let nf: usize = s
            .report
            .non_finite
            .iter()
            .map(|c| c.nan + c.pos_inf + c.neg_inf)
            .sum();
        println!(
            "{:<5} n={:<6} shifted {} empty {} non-finite {}{}{}",
            s.name,
            s.count,
            s.report.shifted_samples,
            s.report.empty_samples,
            nf,
            if nf > 0 { " (set to 0)" } else { "" },
            if s.report.filled.is_empty() {
                String::new()
            } else {
                let f: Vec<&str> = s.report.filled.iter().map(|m| m.name()).collect();
                format!(", FILLED WITH ZEROS: {}", f.join(", "))
            }
        );
    }
    for n in &meta.notes {
        println!("note: {n}");
    }
    if !meta.ignored_keys.is_empty() {
        println!("ignored source keys: {}", meta.ignored_keys.join(", "));
    }
    let bytes: u64 = meta.source.files.iter().map(|f| f.bytes).sum();
    println!(
        "{} {} in {seconds:.2} s ({:.1} MB/s of source)",
        if a.dry_run {
            "dry run, not written:"
        } else {
            "wrote"
        },
        a.out.display(),
        bytes as f64 / 1e6 / seconds.max(1e-9)
    );
    Ok(())
}
