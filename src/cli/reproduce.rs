//! `mmssl reproduce`: run (or list) the chapter 8 experiment registry under a profile, resumably,
//! into a results store. Tables and figures are drawn from the store by the report code.

use super::common::{training_data_dir, ConfigArgs};
use crate::experiments::registry::{self, FAMILIES};
use crate::experiments::runner::distinct_work;
use crate::experiments::{ImportedData, Plan, Profile, ProfileName, ReproduceOptions};
use anyhow::Result;
use std::path::{Path, PathBuf};

/// Arguments of `mmssl reproduce`.
#[derive(Debug, clap::Args)]
pub struct ReproduceArgs {
    /// Size of the reproduction: `smoke` (tests), `quick` (≤ 20 min on 2 cores), `full` (thesis).
    #[arg(long, value_enum, default_value_t = ProfileName::Quick)]
    profile: ProfileName,
    /// Only these experiment families (comma-separated ids, e.g. `table-8.2.2,fig-8.4`).
    #[arg(long, value_delimiter = ',', value_name = "ID[,ID...]")]
    only: Vec<String>,
    /// Output directory: results store, profile, pre-training cache (default `results/<profile>`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Runs in parallel (worker threads). Each run computes on one thread
    /// (`RAYON_NUM_THREADS=1` unless set in the environment).
    #[arg(long, default_value_t = 1)]
    jobs: usize,
    /// List the families and their run counts under the profile; run nothing.
    #[arg(long)]
    list: bool,
    /// Data: `synthetic` (the embedded stand-in at the profile's scale), or a native data
    /// directory written by `mmssl data import` (the model's input dims follow it).
    #[arg(long, default_value = "synthetic", value_name = "synthetic|DIR")]
    data: String,
    /// Compute device: `cpu`, or `cuda` (needs the `cuda` cargo feature).
    #[arg(long, default_value = "cpu")]
    device: String,
    /// No progress bar and no per-run lines.
    #[arg(long)]
    quiet: bool,
}

/// Runs `mmssl reproduce`.
pub fn run(args: &ReproduceArgs) -> Result<()> {
    let mut profile = args.profile.profile();
    if args.data != "synthetic" {
        let (path, dims) = training_data_dir(&args.data)?;
        profile.data = Some(ImportedData { path, dims });
    }
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        // One compute thread per run; parallelism comes from --jobs. Measured on the 2-core
        // development machine (quick profile, shared with other work): a supervised run took
        // 116 s with candle's default two matmul threads and 18 s with one — at these sizes the
        // matmuls are too small to split, and waiting workers spin.
        std::env::set_var("RAYON_NUM_THREADS", "1");
    }
    if args.list {
        return list(&profile, &args.only);
    }
    let out = args.out.clone().unwrap_or_else(|| default_out(&profile));
    let options = ReproduceOptions {
        profile,
        only: args.only.clone(),
        out,
        jobs: args.jobs,
        device: ConfigArgs::for_device(&args.device).device()?,
        progress: !args.quiet,
    };
    println!(
        "profile {}:\n{}",
        options.profile.name,
        options.profile.to_json()
    );
    let plan = Plan::prepare(options)?;
    println!("data: {}", plan.data());
    println!(
        "store: {} ({} of the selected runs already done, {} to run)",
        plan.store_path().display(),
        plan.skipped(),
        plan.pending()
    );
    let done = plan.run()?;
    let s = &done.summary;
    let in_order = FAMILIES
        .iter()
        .filter_map(|f| s.families.get(f.id).map(|summary| (f.id, summary)));
    for (family, f) in in_order {
        println!(
            "  {family:<12} {:>4} runs: {:>4} computed, {:>4} reused, {:>4} skipped, {:>8.1} s",
            f.runs, f.computed, f.reused, f.skipped, f.run_seconds
        );
    }
    println!(
        "done: {} new runs ({} computed, {} reused), {} skipped; pre-trainings: {} computed, {} loaded from cache; {:.1} s",
        s.new_runs(),
        s.computed,
        s.reused,
        s.skipped,
        s.pretrain_computed,
        s.pretrain_loaded,
        s.wall_seconds
    );
    if done.store.skipped_lines() > 0 {
        println!(
            "note: {} unreadable line(s) in the store were ignored (an interrupted write)",
            done.store.skipped_lines()
        );
    }
    println!(
        "store: {} ({} rows)",
        done.store.path().display(),
        done.store.rows().len()
    );
    Ok(())
}

/// `results/<profile>` on the synthetic stand-in, `results/<profile>-<data folder name>` on
/// imported data, so that stores of different data never mix.
fn default_out(profile: &Profile) -> PathBuf {
    let name = match &profile.data {
        None => profile.name.clone(),
        Some(data) => format!(
            "{}-{}",
            profile.name,
            data.path
                .file_name()
                .map_or("data".into(), |n| n.to_string_lossy())
        ),
    };
    Path::new("results").join(name)
}

/// `--list`: each family's id, title, what it feeds and its run count under the profile.
fn list(profile: &Profile, only: &[String]) -> Result<()> {
    println!(
        "profile {}: scale {}, model hidden {}, supervised ≤ {} epochs, SSL {} epochs, {} seed(s) ({} for fig-8.4)",
        profile.name,
        profile.scale,
        profile.model.hidden,
        profile.supervised_max_epochs,
        profile.ssl_epochs,
        profile.seeds.len(),
        profile.fraction_seeds.len()
    );
    let families = registry::select(only)?;
    println!(
        "{:<12} {:>5} {:>8} {:>9}  title / feeds",
        "id", "runs", "distinct", "pretrain"
    );
    let mut all = Vec::new();
    for family in families {
        let specs = family.expand(profile);
        let (distinct, pretrain) = distinct_work(&specs);
        println!(
            "{:<12} {:>5} {:>8} {:>9}  {}",
            family.id,
            specs.len(),
            distinct,
            pretrain,
            family.title
        );
        println!("{:<38}feeds: {}", "", family.feeds.join(", "));
        all.extend(specs);
    }
    let (distinct, pretrain) = distinct_work(&all);
    println!(
        "{:<12} {:>5} {:>8} {:>9}  (distinct: runs trained once and shared across families)",
        "total",
        all.len(),
        distinct,
        pretrain
    );
    Ok(())
}
