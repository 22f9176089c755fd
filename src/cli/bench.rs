//! `mmssl bench`: time a supervised step, an SSL step and inference at the thesis's shapes
//! (T = 50, dims 300 / 74 / 35; batch 32 supervised, 170 SSL; table 7.3.2).

use super::common::ConfigArgs;
use crate::data::synthetic::{generate, SyntheticConfig};
use crate::data::{HostBatch, NonFinitePolicy, Split};
use crate::model::named_vars_with_prefix;
use crate::rng::rng_for;
use crate::train::{
    adam, build_model, objective_vars, ssl_step, supervised_step, Methodology, RunConfig,
};
use anyhow::Result;
use serde::Serialize;
use std::time::Instant;

/// Arguments of `mmssl bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Timed repetitions per measurement (after the warm-up).
    #[arg(long, default_value_t = 10)]
    repeats: usize,
    /// Untimed warm-up repetitions.
    #[arg(long, default_value_t = 2)]
    warmup: usize,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
    /// Compute device: `cpu` or `cuda`.
    #[arg(long, default_value = "cpu")]
    device: String,
}

/// One timed measurement.
#[derive(Debug, Serialize)]
struct Timing {
    name: &'static str,
    batch: usize,
    median_ms: f64,
    min_ms: f64,
    samples_per_s: f64,
}

fn measure(
    name: &'static str,
    batch: usize,
    warmup: usize,
    repeats: usize,
    mut f: impl FnMut() -> Result<()>,
) -> Result<Timing> {
    for _ in 0..warmup {
        f()?;
    }
    let mut ms = Vec::with_capacity(repeats);
    for _ in 0..repeats.max(1) {
        let start = Instant::now();
        f()?;
        ms.push(start.elapsed().as_secs_f64() * 1e3);
    }
    ms.sort_by(f64::total_cmp);
    let median_ms = ms[ms.len() / 2];
    Ok(Timing {
        name,
        batch,
        median_ms,
        min_ms: ms[0],
        samples_per_s: batch as f64 * 1e3 / median_ms,
    })
}

/// A batch of the first `n` training utterances with every sequence at the full 50 steps.
fn full_length_batch(train: &Split, n: usize) -> HostBatch {
    let mut split = train.select(&(0..n).collect::<Vec<_>>());
    let steps = split.steps();
    split.lengths.fill(steps);
    HostBatch::gather(&split, &(0..n).collect::<Vec<_>>())
}

/// Runs `mmssl bench`.
pub fn run(args: &BenchArgs) -> Result<()> {
    let common = ConfigArgs::for_device(&args.device);
    let device = common.device()?;
    let mut data = generate(&SyntheticConfig::new(0, 0.02));
    data.prepare(NonFinitePolicy::Zero)?;
    let cfg = RunConfig {
        methodology: Methodology::SslFinetune,
        ..RunConfig::default()
    };
    let (model, varmap) = build_model(&cfg, &device)?;
    let vars = objective_vars(&varmap, &cfg, &device)?;
    let small = full_length_batch(&data.train, 32);
    let large = full_length_batch(&data.train, 170);
    let small_dev = small.to_device(&device)?;
    let (w, r) = (args.warmup, args.repeats);

    let mut opt = adam(
        named_vars_with_prefix(&varmap, ""),
        cfg.supervised.lr,
        cfg.supervised.weight_decay,
    )?;
    let supervised = measure("supervised step", 32, w, r, || {
        supervised_step(&model, &mut opt, &small_dev, cfg.supervised.loss)?;
        Ok(())
    })?;
    let transformator = cfg.ssl.augment.build()?;
    let mut rng = rng_for(0, &[0xBE]);
    let ssl = measure("ssl step (2 views)", 170, w, r, || {
        let views = transformator.views(&large, &mut rng);
        ssl_step(&model, &mut opt, views, &large, &cfg, &vars, &device)?;
        Ok(())
    })?;
    let inference = measure("inference", 32, w, r, || {
        model.forward_t(&small_dev, false)?.to_vec1::<f32>()?;
        Ok(())
    })?;

    let threads = rayon::current_num_threads();
    let timings = [supervised, ssl, inference];
    if args.json {
        let out = serde_json::json!({
            "device": args.device, "threads": threads, "steps": 50, "dims": [300, 74, 35],
            "repeats": r, "warmup": w, "timings": timings,
        });
        println!("{}", serde_json::to_string(&out)?);
    } else {
        println!("mmssl bench: thesis shapes (T = 50, dims 300/74/35), device {}, {threads} threads, median of {r} after {w} warm-up", args.device);
        for t in &timings {
            println!(
                "  {:<20} batch {:>3}  {:>9.1} ms/step (min {:>9.1})  {:>8.1} samples/s",
                t.name, t.batch, t.median_ms, t.min_ms, t.samples_per_s
            );
        }
    }
    Ok(())
}
