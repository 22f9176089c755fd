//! `mmssl train | pretrain | finetune | evaluate`: the thesis 7.1 methodologies from the command
//! line, with checkpoints (safetensors + config) and a metrics JSON per run.

use super::common::ConfigArgs;
use crate::data::DataIdentity;
use crate::files;
use crate::loss::Objective;
use crate::model::Model;
use crate::train::live::{run_identity, Attempt, LiveFolder};
use crate::train::{
    build_model, finetune_phase, load_checkpoint, model_to_finetune, pretrain_phase, run,
    run_metrics, save_checkpoint, save_report, Methodology, PretrainRecord, Pretrained, RunConfig,
    RunReport,
};
use crate::train::{Progress, CONFIG_FILE, METRICS_FILE, PRETRAIN_FILE};
use anyhow::{ensure, Context, Result};
use candle_core::Device;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Arguments of `mmssl train`.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// Thesis 7.1 methodology (the SSL ones pre-train first).
    #[arg(long, value_enum, default_value_t = Methodology::Supervised)]
    methodology: Methodology,
    #[command(flatten)]
    common: ConfigArgs,
    /// Output directory (default `runs/<methodology>-seed<seed>`).
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    attempt: AttemptArgs,
}

/// How a run treats an earlier attempt at the same output.
#[derive(Debug, clap::Args)]
pub struct AttemptArgs {
    /// Replace the output directory if it is an earlier run (never anything else), and discard an
    /// interrupted attempt's saved state.
    #[arg(long, conflicts_with = "resume")]
    force: bool,
    /// Continue an interrupted run from its last finished epoch (the state saved in
    /// `<out>.progress/`); bit-identical to an uninterrupted run on the CPU. Starts afresh when
    /// nothing was saved.
    #[arg(long)]
    resume: bool,
}

impl AttemptArgs {
    fn attempt(&self) -> Attempt {
        if self.force {
            Attempt::Discard
        } else if self.resume {
            Attempt::Resume
        } else {
            Attempt::Fresh
        }
    }
}

/// Arguments of `mmssl pretrain`.
#[derive(Debug, clap::Args)]
pub struct PretrainArgs {
    #[command(flatten)]
    common: ConfigArgs,
    /// Output directory (default `runs/pretrain-seed<seed>`).
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    attempt: AttemptArgs,
}

/// Arguments of `mmssl finetune`.
#[derive(Debug, clap::Args)]
pub struct FinetuneArgs {
    /// A `mmssl pretrain` output directory.
    #[arg(long)]
    checkpoint: PathBuf,
    /// Train only the head on the frozen pre-trained encoder (SSL linear evaluation).
    #[arg(long)]
    linear: bool,
    /// Overrides applied on top of the checkpoint's config (e.g. `--set supervised.labeled_fraction=0.1`).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    overrides: Vec<String>,
    /// Compute device: `cpu` or `cuda`.
    #[arg(long, default_value = "cpu")]
    device: String,
    /// Print no progress bars or epoch lines.
    #[arg(long)]
    quiet: bool,
    /// Output directory (default `<checkpoint>-finetune` or `<checkpoint>-linear`); never the
    /// checkpoint itself.
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    attempt: AttemptArgs,
}

/// Arguments of `mmssl evaluate`.
#[derive(Debug, clap::Args)]
pub struct EvaluateArgs {
    /// A run directory (`model.safetensors` + `config.toml`).
    #[arg(long)]
    checkpoint: PathBuf,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
    /// Compute device: `cpu` or `cuda`.
    #[arg(long, default_value = "cpu")]
    device: String,
}

fn default_out(out: &Option<PathBuf>, name: String) -> PathBuf {
    out.clone().unwrap_or_else(|| Path::new("runs").join(name))
}

/// Checks, before any training, that the run can be written to `out` (see [`files`]).
fn check_out(out: &Path, force: bool) -> Result<()> {
    Ok(files::check_replaceable(out, force, CONFIG_FILE)?)
}

fn announce(cfg: &RunConfig) {
    eprintln!("config:\n{}", cfg.to_toml());
}

/// The live folder of a run into `out` ([`LiveFolder`]: per-epoch CSV files and the state a
/// resumed run continues from) for the run `cfg` on `data` (plus `extra`, what else the run
/// depends on), and the progress that writes into it; says where it is.
fn live_folder(
    out: &Path,
    (cfg, data, extra): (&RunConfig, &DataIdentity, &str),
    attempt: &AttemptArgs,
    progress: Progress,
) -> Result<(Arc<LiveFolder>, Progress)> {
    let identity = run_identity(cfg, data, extra);
    let live = Arc::new(LiveFolder::beside(out, &identity, attempt.attempt())?);
    if !progress.is_quiet() {
        eprintln!(
            "per-epoch logs and resumable state: {} (the CSV files move into {} when the run ends)",
            live.dir().display(),
            out.display()
        );
    }
    Ok((live.clone(), progress.with_live_folder(live)))
}

/// Writes the run directory atomically (weights, config, metrics, per-epoch CSVs) and prints its
/// summary.
fn finish(
    out: &Path,
    force: bool,
    varmap: &candle_nn::VarMap,
    report: &RunReport,
    epochs: Arc<LiveFolder>,
) -> Result<()> {
    files::commit_dir(out, force, CONFIG_FILE, |tmp| -> Result<()> {
        save_checkpoint(tmp, varmap, &report.config)?;
        save_report(tmp, report)?;
        Ok(epochs.copy_into(tmp)?)
    })?;
    epochs.remove()?;
    println!("{}", report.data);
    println!(
        "{} (best epoch {}, {} labeled samples)",
        report.config.methodology, report.best_epoch, report.labeled_samples
    );
    println!("test metrics:\n{}", report.test);
    println!("wrote {}", out.display());
    Ok(())
}

/// Runs `mmssl train`: one methodology end to end.
pub fn run_train(args: &TrainArgs) -> Result<()> {
    let base = RunConfig {
        methodology: args.methodology,
        ..RunConfig::default()
    };
    let mut cfg = args.common.resolve(base)?;
    cfg.methodology = args.methodology;
    announce(&cfg);
    let out = default_out(&args.out, format!("{}-seed{}", cfg.methodology, cfg.seed));
    let force = args.attempt.force;
    check_out(&out, force)?;
    let device = args.common.device()?;
    let data = cfg.load_data()?;
    let run_of = (&cfg, &data.identity, "");
    let (epochs, progress) = live_folder(&out, run_of, &args.attempt, args.common.progress())?;
    let (_, varmap, report) = run(&cfg, &data, &device, &progress)?;
    finish(&out, force, &varmap, &report, epochs)
}

/// Runs `mmssl pretrain`: pre-training only (Barlow Twins, or `ssl.objective`); the checkpoint
/// feeds `finetune`.
pub fn run_pretrain(args: &PretrainArgs) -> Result<()> {
    let mut cfg = args.common.resolve(RunConfig::default())?;
    cfg.methodology = Methodology::SslFinetune;
    announce(&cfg);
    let out = default_out(&args.out, format!("pretrain-seed{}", cfg.seed));
    let force = args.attempt.force;
    check_out(&out, force)?;
    let device = args.common.device()?;
    let data = cfg.load_data()?;
    let (model, varmap) = build_model(&cfg, &device)?;
    let run_of = (&cfg, &data.identity, "");
    let (epochs, progress) = live_folder(&out, run_of, &args.attempt, args.common.progress())?;
    let pretrained = pretrain_phase(&model, &varmap, &cfg, &data, &device, &progress)?;
    let record = PretrainRecord {
        data: data.identity.clone(),
        config: cfg.clone(),
        seconds: pretrained.seconds,
        pretrain: pretrained,
    };
    files::commit_dir(&out, force, CONFIG_FILE, |tmp| -> Result<()> {
        save_checkpoint(tmp, &varmap, &cfg)?;
        record.save(tmp)?;
        Ok(epochs.copy_into(tmp)?)
    })?;
    epochs.remove()?;
    println!("{}", data.identity);
    print_pretrained(&record.pretrain, cfg.ssl.objective);
    println!("wrote {}", out.display());
    Ok(())
}

/// Prints what a pre-training did: its first and last epoch's diagnostics and the probe.
fn print_pretrained(p: &Pretrained, objective: Objective) {
    println!(
        "pre-trained {} epochs in {:.1} s",
        p.epochs.len(),
        p.seconds
    );
    let (terms, sep) = if objective.is_barlow_twins() {
        ("= on-diagonal + off-diagonal", "=")
    } else {
        ("C's on-diagonal, off-diagonal terms", "C:")
    };
    println!(
        "epoch  {} loss ({terms})  mean diag C  emb std (min)  encoder moved ‖W−W₀‖/‖W₀‖",
        objective.label()
    );
    for e in &p.epochs {
        println!(
            "{:>5}  {:.4} ({sep} {:.4} + {:.4})  {:.4}  {:.4} ({:.4})  {:.3e}",
            e.epoch,
            e.loss,
            e.on_diagonal,
            e.off_diagonal,
            e.mean_diagonal,
            e.embedding_std_mean,
            e.embedding_std_min,
            e.displacement
        );
    }
    if let Some(probe) = &p.probe {
        let corr = |c: Option<f64>| c.map_or("-".into(), |c| format!("{c:.3}"));
        println!(
            "linear probe (valid; least squares on the train labels): random encoder MAE {:.4} Corr {}; pre-trained MAE {:.4} Corr {}",
            probe.random.valid_mae,
            corr(probe.random.valid_corr),
            probe.pretrained.valid_mae,
            corr(probe.pretrained.valid_corr)
        );
    }
}

/// True when `a` and `b` name the same existing folder (or the same path, when either is missing).
fn same_path(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Runs `mmssl finetune`: supervised fine-tuning (or linear evaluation) of a pre-trained encoder.
pub fn run_finetune(args: &FinetuneArgs) -> Result<()> {
    let common = ConfigArgs {
        overrides: args.overrides.clone(),
        quiet: args.quiet,
        ..ConfigArgs::for_device(&args.device)
    };
    let suffix = if args.linear { "linear" } else { "finetune" };
    let out = args.out.clone().unwrap_or_else(|| {
        let mut name = args.checkpoint.as_os_str().to_owned();
        name.push(format!("-{suffix}"));
        PathBuf::from(name)
    });
    // A finished run (metrics.json) is not a pre-training, and the pre-training is never the
    // output: both are refused before anything is loaded.
    ensure!(
        args.checkpoint.join(PRETRAIN_FILE).is_file()
            && !args.checkpoint.join(METRICS_FILE).exists(),
        "{}: not a `mmssl pretrain` output (expected {PRETRAIN_FILE} and no {METRICS_FILE})",
        args.checkpoint.display()
    );
    ensure!(
        !same_path(&out, &args.checkpoint),
        "--out {} is the checkpoint being fine-tuned: choose another output",
        out.display()
    );
    let force = args.attempt.force;
    check_out(&out, force)?;
    let device = common.device()?;
    let (saved, model, varmap) = load_checkpoint(&args.checkpoint, &device)?;
    ensure!(
        saved.methodology.pretrains(),
        "{}: not a pre-training checkpoint (methodology {})",
        args.checkpoint.display(),
        saved.methodology
    );
    let mut cfg = common.resolve(saved.clone())?;
    ensure!(
        cfg.model == saved.model && cfg.data == saved.data && cfg.seed == saved.seed,
        "--set may change training settings only: model, data and seed come from the checkpoint"
    );
    cfg.methodology = if args.linear {
        Methodology::SslLinear
    } else {
        Methodology::SslFinetune
    };
    announce(&cfg);
    let data = cfg.load_data()?;
    // The pre-training's record travels into metrics.json.
    let record = PretrainRecord::load(&args.checkpoint)?;
    let (model, varmap) = model_to_finetune(&cfg, (model, varmap), &device)?;
    // A resumed fine-tuning must start from the same pre-training: its record is part of the run.
    let from = format!("# from: {}", serde_json::to_string(&record.pretrain)?);
    let run_of = (&cfg, &data.identity, from.as_str());
    let (epochs, progress) = live_folder(&out, run_of, &args.attempt, common.progress())?;
    let report = finetune_phase(
        &model,
        &varmap,
        &cfg,
        &data,
        Some(record.pretrain),
        &device,
        &progress,
    )?;
    finish(&out, force, &varmap, &report, epochs)
}

/// Loads a trained run for scoring (`evaluate`, `predict`); a pre-training, whose regression
/// head is untrained, is refused with the command that trains it.
pub(super) fn load_trained_run(dir: &Path, device: &Device) -> Result<(RunConfig, Model)> {
    ensure!(
        !dir.join(PRETRAIN_FILE).is_file() || dir.join(METRICS_FILE).exists(),
        "{}: a pre-training (its regression head is untrained): fine-tune it first (`mmssl finetune --checkpoint {}`)",
        dir.display(),
        dir.display()
    );
    let (cfg, model, _) = load_checkpoint(dir, device)?;
    Ok((cfg, model))
}

/// Runs `mmssl evaluate`: the test (and valid) metrics of a saved run.
pub fn run_evaluate(args: &EvaluateArgs) -> Result<()> {
    let device = ConfigArgs::for_device(&args.device).device()?;
    let (cfg, model) = load_trained_run(&args.checkpoint, &device)?;
    let data = cfg.load_data()?;
    check_trained_on(&args.checkpoint, &data.identity)?;
    let valid = run_metrics(&model, &data.valid, &device, &cfg.fidelity)?;
    let test = run_metrics(&model, &data.test, &device, &cfg.fidelity)?;
    if args.json {
        let out = serde_json::json!({ "data": data.identity, "valid": valid, "test": test });
        println!("{}", serde_json::to_string(&out)?);
    } else {
        println!("{}", data.identity);
        println!("valid metrics:\n{valid}");
        println!("test metrics:\n{test}");
    }
    Ok(())
}

/// Refuses to score a run on other data than it was trained on (the checksum in its
/// `metrics.json`, when it has one, against the data its config loads now).
pub(super) fn check_trained_on(dir: &Path, data: &DataIdentity) -> Result<()> {
    let path = dir.join(METRICS_FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(());
    };
    let report: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let trained = report["data"]["sha256"].as_str().unwrap_or_default();
    ensure!(
        trained.is_empty() || trained == data.sha256,
        "{}: the run was trained on data with checksum {trained}, but its config now loads {data}: \
         the data changed since training",
        path.display()
    );
    Ok(())
}
