//! `mmssl plot RUN…`: the training curves of one or several runs — the pre-training loss per
//! epoch, the train loss and the valid MAE per fine-tuning epoch — drawn with
//! the report's plotting code (SVG, and PNG beside it).

use crate::data::DataIdentity;
use crate::loss::Objective;
use crate::report::figures::{Figure, Frame, Legend, LinePanel, LinePanels};
use crate::train::{PretrainRecord, METRICS_FILE, PRETRAIN_FILE};
use anyhow::{bail, ensure, Context, Result};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Arguments of `mmssl plot`.
#[derive(Debug, clap::Args)]
pub struct PlotArgs {
    /// Run folders: `mmssl train` / `finetune` outputs (`metrics.json`) or `mmssl pretrain`
    /// outputs (`pretrain.json`).
    #[arg(required = true)]
    runs: Vec<PathBuf>,
    /// The SVG file to write; the PNG goes beside it (same name, `.png`).
    #[arg(long, value_name = "FILE.svg")]
    out: PathBuf,
    /// Replace existing figure files.
    #[arg(long)]
    force: bool,
}

/// One run's curves, `(epoch, value)` per point.
#[derive(Debug, Default)]
struct Curves {
    label: String,
    data: Option<DataIdentity>,
    /// The pre-training objective (Barlow Twins where the config does not name one).
    objective: Objective,
    pretrain_loss: Vec<(f64, f64)>,
    train_loss: Vec<(f64, f64)>,
    valid_mae: Vec<(f64, f64)>,
}

/// Runs `mmssl plot`.
pub fn run(args: &PlotArgs) -> Result<()> {
    ensure!(
        args.out.extension().is_some_and(|e| e == "svg"),
        "--out {}: expected a file name ending in .svg",
        args.out.display()
    );
    let png = args.out.with_extension("png");
    for path in [&args.out, &png] {
        ensure!(
            !path.exists() || (args.force && path.is_file()),
            "{}: exists; pass --force to replace it",
            path.display()
        );
    }
    let runs: Vec<Curves> = args
        .runs
        .iter()
        .map(|dir| read_curves(dir))
        .collect::<Result<_>>()?;
    let figure = figure(&runs);
    figure.write(&args.out, &png)?;
    println!("wrote {} and {}", args.out.display(), png.display());
    Ok(())
}

/// The curves of the run folder `dir`.
fn read_curves(dir: &Path) -> Result<Curves> {
    let label = dir.file_name().map_or_else(
        || dir.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let points = |logs: &Value, field: &str| -> Vec<(f64, f64)> {
        (logs.as_array().into_iter().flatten())
            .filter_map(|e| Some((e["epoch"].as_f64()?, e[field].as_f64()?)))
            .collect()
    };
    let metrics = dir.join(METRICS_FILE);
    if metrics.is_file() {
        let text = std::fs::read_to_string(&metrics)
            .with_context(|| format!("reading {}", metrics.display()))?;
        let report: Value = serde_json::from_str(&text)
            .with_context(|| format!("parsing {}", metrics.display()))?;
        return Ok(Curves {
            label,
            data: serde_json::from_value(report["data"].clone()).ok(),
            objective: serde_json::from_value(report["config"]["ssl"]["objective"].clone())
                .unwrap_or_default(),
            pretrain_loss: points(&report["pretrain"]["epochs"], "loss"),
            train_loss: points(&report["finetune"], "train_loss"),
            valid_mae: points(&report["finetune"], "valid_loss"),
        });
    }
    if dir.join(PRETRAIN_FILE).is_file() {
        let record = PretrainRecord::load(dir)?;
        let logs = serde_json::to_value(&record.pretrain.epochs)?;
        return Ok(Curves {
            label,
            data: Some(record.data),
            objective: record.config.ssl.objective,
            pretrain_loss: points(&logs, "loss"),
            ..Curves::default()
        });
    }
    bail!(
        "{}: not a run folder (expected {METRICS_FILE} from `mmssl train` / `finetune` or \
         {PRETRAIN_FILE} from `mmssl pretrain`)",
        dir.display()
    )
}

/// One panel per quantity some run has, one curve per run.
fn figure(runs: &[Curves]) -> Figure {
    let panel = |title: &str, y: &str, pick: fn(&Curves) -> &Vec<(f64, f64)>| {
        (runs.iter().any(|r| !pick(r).is_empty())).then(|| {
            (runs.iter().filter(|r| !pick(r).is_empty()))
                .fold(LinePanel::new(title, "epoch", y), |p, r| {
                    p.curve(r.label.clone(), pick(r).clone())
                })
        })
    };
    let pretrained: Vec<Objective> = runs
        .iter()
        .filter(|r| !r.pretrain_loss.is_empty())
        .map(|r| r.objective)
        .collect();
    let pretrain_title = match pretrained.first() {
        Some(o) if pretrained.iter().all(|p| p == o) => {
            format!("{} loss (pre-training)", o.label())
        }
        _ => "pre-training loss (each run's objective)".to_owned(),
    };
    let panels: Vec<LinePanel> = [
        panel(&pretrain_title, "loss", |r| &r.pretrain_loss),
        panel("train loss (fine-tuning)", "loss", |r| &r.train_loss),
        panel("valid MAE (fine-tuning)", "MAE", |r| &r.valid_mae),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut data: Vec<String> = runs
        .iter()
        .filter_map(|r| r.data.as_ref().map(ToString::to_string))
        .collect();
    data.dedup();
    LinePanels {
        frame: Frame {
            title: "Training curves".to_owned(),
            caption: format!(
                "Runs: {}. Data: {}.",
                runs.iter()
                    .map(|r| r.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                if data.is_empty() {
                    "unknown".to_owned()
                } else {
                    data.join("; ")
                }
            ),
            size: (460 * panels.len().max(1) as u32 + 20, 460),
        },
        per_row: panels.len().max(1),
        panels,
        legend: Legend::UpperRight,
    }
    .into()
}
