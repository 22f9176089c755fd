//! `mmssl reproduce`: run (or list) the chapter 8 experiment registry under a profile, resumably,
//! into a results store. Tables and figures are drawn from the store by the report code.

use super::common::{training_data_dir, ConfigArgs};
use crate::experiments::registry::{self, FAMILIES};
use crate::experiments::runner::distinct_work;
use crate::experiments::ResultRow;
use crate::experiments::{ImportedData, Plan, Profile, ReproduceOptions};
use crate::report::{self, ThesisResults};
use anyhow::{ensure, Result};
use std::path::{Path, PathBuf};

/// Arguments of `mmssl reproduce`.
#[derive(Debug, clap::Args)]
pub struct ReproduceArgs {
    /// Size of the reproduction: `smoke` (tests), `quick` (≤ 20 min on 2 cores), `standard`
    /// (every family, ≥ 3 seeds, thesis model sizes on reduced data), `full` (thesis), or a
    /// profile TOML file (e.g. `base = "quick"` plus the fields to change).
    #[arg(long, default_value = "quick", value_name = "NAME|FILE.toml")]
    profile: String,
    /// Only these experiment families (comma-separated ids, e.g. `table-8.2.2,fig-8.4`).
    #[arg(long, value_delimiter = ',', value_name = "ID[,ID...]")]
    only: Vec<String>,
    /// Output directory: results store, profile, pre-training cache (default `results/<profile>`,
    /// or `results/<profile>-<data folder>` on imported data).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Runs in parallel (worker threads; default: one per CPU core). Each run computes on one
    /// thread (`RAYON_NUM_THREADS=1` unless set in the environment). Results do not depend on it.
    #[arg(long)]
    jobs: Option<usize>,
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
    /// Where the report goes: `REPORT.md`, `tables/` and `figures/` (default
    /// `figures/<profile>`, or `figures/<profile>-<data folder>` on imported data).
    #[arg(long, value_name = "DIR")]
    report: Option<PathBuf>,
    /// Run the experiments only; write no tables, figures or report.
    #[arg(long)]
    no_report: bool,
    /// No progress bar and no per-run lines.
    #[arg(long)]
    quiet: bool,
    /// Run only shard K of N: a deterministic 1/N of the runs (runs sharing a pre-training stay
    /// together), for a job array over machines; merge the shards' stores with
    /// `mmssl results merge`. Give every shard its own --out. Not with --list (which counts the
    /// whole profile: a shard's share depends on the data's identity); a sharded run prints its
    /// share when it starts.
    #[arg(long, value_name = "K/N", conflicts_with = "list")]
    shard: Option<crate::experiments::Shard>,
}

/// Runs `mmssl reproduce`.
pub fn run(args: &ReproduceArgs) -> Result<()> {
    let mut profile = Profile::named(&args.profile)?;
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
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join(run_name(&profile)));
    if args.list {
        return list(&profile, &args.only, &out);
    }
    let report_dir = args
        .report
        .clone()
        .unwrap_or_else(|| Path::new("figures").join(run_name(&profile)));
    // Outputs that cannot be folders are refused before any run starts.
    for (flag, dir) in [("--out", &out), ("--report", &report_dir)] {
        ensure!(
            !dir.exists() || dir.is_dir(),
            "{flag} {}: exists and is not a folder; nothing was run",
            dir.display()
        );
    }
    let options = ReproduceOptions {
        profile,
        only: args.only.clone(),
        out,
        jobs: args
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        device: ConfigArgs::for_device(&args.device).device()?,
        progress: !args.quiet,
        shard: args.shard,
    };
    println!(
        "profile {}:\n{}",
        options.profile.name,
        options.profile.to_json()
    );
    let plan = Plan::prepare(options)?;
    println!("data: {}", plan.data());
    println!(
        "store: {} ({} of the selected runs already done, {} to run{})",
        plan.store_path().display(),
        plan.skipped(),
        plan.pending(),
        args.shard.map_or_else(String::new, |shard| format!(
            " as shard {shard}, {} left to the other shards",
            plan.other_shards()
        ))
    );
    let done = plan.run()?;
    let s = &done.summary;
    let in_order = FAMILIES
        .iter()
        .filter_map(|f| s.families.get(&f.id).map(|summary| (f.id, summary)));
    for (family, f) in in_order {
        println!(
            "  {:<12} {:>4} runs: {:>4} computed, {:>4} reused, {:>4} skipped, {:>8.1} s",
            family.id(),
            f.runs,
            f.computed,
            f.reused,
            f.skipped,
            f.run_seconds
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
    if s.continued > 0 {
        println!(
            "{} run(s) or pre-training(s) continued from the last epoch an interrupted reproduction saved",
            s.continued
        );
    }
    if done.store.skipped_lines() > 0 {
        println!(
            "note: {} unreadable line(s) in the store were ignored (an interrupted write)",
            done.store.skipped_lines()
        );
    }
    if done.store.duplicate_lines() > 0 {
        println!(
            "note: {} line(s) in the store repeat a run already there with the same results and were counted once",
            done.store.duplicate_lines()
        );
    }
    println!(
        "store: {} ({} rows)",
        done.store.path().display(),
        done.store.rows().len()
    );
    if !args.no_report {
        let rows: Vec<ResultRow> = done
            .store
            .rows()
            .iter()
            .filter(|r| r.data.sha256 == done.data.sha256)
            .cloned()
            .collect();
        write_report(&rows, &report_dir)?;
        print_verdicts(&rows);
    }
    Ok(())
}

/// Per family with rows, every claim's verdict with its effect and interval (the report's
/// claims tables, on the terminal).
fn print_verdicts(rows: &[ResultRow]) {
    let synthetic = rows.iter().any(|r| r.data.synthetic);
    println!(
        "\nverdicts (95 % intervals; paired by seed unless stated){}:",
        if synthetic {
            " — on the synthetic stand-in, not CMU-MOSEI"
        } else {
            ""
        }
    );
    let mut totals = report::Verdict::ALL.map(|v| (v, 0usize));
    for info in &report::FAMILIES {
        if !rows.iter().any(|r| r.family == info.family) {
            continue;
        }
        let checks = report::check_family(info.family, rows);
        println!("{} — {}", info.family, info.title());
        for check in &checks {
            println!("  {}", check.line());
        }
        for (total, (_, n)) in totals.iter_mut().zip(report::verdict_counts(&checks)) {
            total.1 += n;
        }
    }
    let totals: Vec<String> = totals.iter().map(|(v, n)| format!("{n} {v}")).collect();
    println!("claims: {}", totals.join(", "));
}

/// The report of `rows` (one data set's rows of the store) into `dir`: with the `reports` feature
/// `REPORT.md`, the tables and the figures; without it the figures only.
fn write_report(rows: &[ResultRow], dir: &Path) -> Result<()> {
    if cfg!(feature = "reports") {
        let path = report::write_report(rows, dir)?;
        println!(
            "report: {} (tables in {}, figures in {})",
            path.display(),
            dir.join("tables").display(),
            dir.join("figures").display()
        );
    } else {
        let figures = report::render_all_figures(rows, ThesisResults::embedded(), dir)?;
        println!(
            "figures: {} in {} (SVG + PNG); tables and REPORT.md need a build with --features reports",
            figures.len(),
            dir.join("figures").display()
        );
    }
    Ok(())
}

/// `<profile>` on the synthetic stand-in, `<profile>-<data folder name>` on imported data: the
/// default folder name of the store and of the report, so that results of different data never
/// mix.
fn run_name(profile: &Profile) -> String {
    match &profile.data {
        None => profile.name.clone(),
        Some(data) => format!(
            "{}-{}",
            profile.name,
            data.path
                .file_name()
                .map_or("data".into(), |n| n.to_string_lossy())
        ),
    }
}

/// `--list`: each family's id, title, what it feeds and its run count under the profile.
fn list(profile: &Profile, only: &[String], out: &Path) -> Result<()> {
    println!(
        "profile {}: scale {}, model hidden {}, supervised ≤ {} epochs, SSL {} epochs at lr {:e}, {} seed(s) by default",
        profile.name,
        profile.scale,
        profile.model.hidden,
        profile.supervised_max_epochs,
        profile.ssl_epochs,
        profile.ssl_lr,
        profile.seeds.len(),
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
            "{:<12} {:>5} {:>8} {:>9}  {} ({} seeds)",
            family.id.id(),
            specs.len(),
            distinct,
            pretrain,
            family.title,
            profile.seeds_for(family.id).len()
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
    print_cost(profile, &all, out)
}

/// What is left of `specs` in the store under `out`, and its cost estimated from the store's own
/// measured run times: the mean wall time per methodology of this profile's finished runs (a
/// run's time includes its pre-training when that was not cached, so the mean spreads the
/// pre-trainings over the runs that share them). Without a store there is nothing measured.
fn print_cost(profile: &Profile, specs: &[crate::experiments::RunSpec], out: &Path) -> Result<()> {
    let path = crate::experiments::store_path(out);
    if !path.is_file() {
        println!("cost: no results store at {} yet, so no measured run times (run a part first, e.g. --only one family, then --list again)", path.display());
        return Ok(());
    }
    let store = crate::experiments::ResultStore::open(&path)?;
    let rows: Vec<&ResultRow> = (store.rows().iter())
        .filter(|r| r.profile == profile.name)
        .collect();
    let shas: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r.data.sha256.as_str()).collect();
    let done = |spec: &crate::experiments::RunSpec| {
        shas.iter().any(|sha| store.contains(&spec.row_key(sha)))
    };
    let pending: Vec<_> = specs.iter().filter(|s| !done(s)).collect();
    let mut by_method: std::collections::BTreeMap<String, (f64, usize)> = Default::default();
    for row in &rows {
        let entry = by_method.entry(row.methodology.to_string()).or_default();
        entry.0 += row.wall_seconds;
        entry.1 += 1;
    }
    let overall = rows.iter().map(|r| r.wall_seconds).sum::<f64>() / rows.len().max(1) as f64;
    let mean = |m: &str| by_method.get(m).map_or(overall, |(s, n)| s / *n as f64);
    // An empty sum of f64 is −0.0; adding +0.0 makes it +0.0, so nothing left reads 0.00.
    let seconds = (pending.iter())
        .map(|s| mean(&s.config.methodology.to_string()))
        .sum::<f64>()
        + 0.0;
    let means: Vec<String> = (by_method.keys())
        .map(|m| format!("{m} {:.1} s", mean(m)))
        .collect();
    println!(
        "cost: {} of these runs are finished in {} ({} rows of profile {}; mean wall time per run: {}); {} remain ≈ {:.2} CPU-hours at one run per core (÷ --jobs for the wall time)",
        specs.len() - pending.len(),
        path.display(),
        rows.len(),
        profile.name,
        if means.is_empty() { "none measured".to_owned() } else { means.join(", ") },
        pending.len(),
        seconds / 3600.0
    );
    Ok(())
}
