//! `mmssl embed`: the encoder's fused vectors `m_o` (thesis 6.2, the input of the regression
//! head) for every utterance of a split, as safetensors a user can probe in Python
//! (`safetensors.numpy.load_file`), with the labels and storage indices beside them and the
//! utterance ids in `meta.json`.

use super::common::{data_for_run, ConfigArgs, SplitChoice};
use crate::data::{Modality, Split};
use crate::files;
use crate::model::Model;
use crate::train::{encode_split, load_checkpoint, EVAL_BATCH};
use anyhow::Result;
use candle_core::{Device, Tensor};
use std::collections::HashMap;
use std::path::PathBuf;

/// The file inside `--out` that holds the tensors.
pub const EMBEDDINGS_FILE: &str = "embeddings.safetensors";

/// Arguments of `mmssl embed`.
#[derive(Debug, clap::Args)]
pub struct EmbedArgs {
    /// A run directory (`model.safetensors` + `config.toml`); a pre-training works too (its
    /// encoder is trained, only its head is not).
    #[arg(long)]
    checkpoint: PathBuf,
    /// Data to encode: the run's own data when left out; `synthetic` for the stand-in of the
    /// run's config; or a native data directory (`mmssl data import`) with the run's feature dims.
    #[arg(long, value_name = "synthetic|DIR")]
    data: Option<String>,
    /// Which split to encode.
    #[arg(long, value_enum, default_value_t = SplitChoice::All)]
    split: SplitChoice,
    /// Output folder: `embeddings.safetensors` (per split `<split>.fused` `[n, dim]` f32,
    /// `<split>.label` `[n]` f32, `<split>.index` `[n]` u32) and `meta.json` (with `ids`: per
    /// split the utterance ids in storage order, the source's or the index as text).
    #[arg(long)]
    out: PathBuf,
    /// Replace `--out` if it is an earlier `mmssl embed` output (never anything else).
    #[arg(long)]
    force: bool,
    /// Also write each modality's own encoding before fusion, `m_T, m_A, m_V` at the last real
    /// step (`<split>.text`, `<split>.audio`, `<split>.visual`, `[n, attention_dim]` f32).
    #[arg(long)]
    per_modality: bool,
    /// Compute device: `cpu` or `cuda`.
    #[arg(long, default_value = "cpu")]
    device: String,
}

/// Runs `mmssl embed`: checks the output folder, encodes each chosen split in evaluation mode
/// (dropout off) and writes the folder atomically.
pub fn run(args: &EmbedArgs) -> Result<()> {
    files::check_replaceable(&args.out, args.force, EMBEDDINGS_FILE)?;
    let device = ConfigArgs::for_device(&args.device).device()?;
    let (mut cfg, model, _) = load_checkpoint(&args.checkpoint, &device)?;
    let data = data_for_run(&args.checkpoint, &mut cfg, args.data.as_deref())?;
    let mut tensors = HashMap::new();
    let mut counts = serde_json::Map::new();
    let mut ids = serde_json::Map::new();
    for split in args.split.select(&data)? {
        let name = split.name;
        let features = encode_split(&model, split, &device)?;
        let n = features.rows;
        let cpu = Device::Cpu;
        tensors.insert(
            format!("{name}.fused"),
            Tensor::from_vec(features.values, (n, features.dim), &cpu)?,
        );
        tensors.insert(
            format!("{name}.label"),
            Tensor::from_vec(split.labels.clone(), n, &cpu)?,
        );
        let index: Vec<u32> = (0..n as u32).collect();
        tensors.insert(format!("{name}.index"), Tensor::from_vec(index, n, &cpu)?);
        if args.per_modality {
            for (m, values) in Modality::ALL
                .iter()
                .zip(modality_vectors(&model, split, &device)?)
            {
                tensors.insert(format!("{name}.{m}"), values);
            }
        }
        counts.insert(name.to_string(), n.into());
        ids.insert(
            name.to_string(),
            (0..n).map(|i| split.id(i)).collect::<Vec<_>>().into(),
        );
    }
    let meta = serde_json::json!({
        "checkpoint": args.checkpoint,
        "data": data.identity,
        "fused_dim": model.encoder.fused_dim(),
        "splits": counts,
        "ids": ids,
        "what": "fused vectors m_o of the encoder (thesis 6.2) in evaluation mode, one row per utterance in storage order",
    });
    files::commit_dir(
        &args.out,
        args.force,
        EMBEDDINGS_FILE,
        |tmp| -> Result<()> {
            candle_core::safetensors::save(&tensors, tmp.join(EMBEDDINGS_FILE))?;
            files::write_file(
                &tmp.join("meta.json"),
                serde_json::to_string_pretty(&meta)?.as_bytes(),
            )?;
            Ok(())
        },
    )?;
    println!("{}", data.identity);
    let total: u64 = counts.values().filter_map(serde_json::Value::as_u64).sum();
    println!(
        "wrote {total} fused vectors of {} values to {}",
        model.encoder.fused_dim(),
        args.out.join(EMBEDDINGS_FILE).display()
    );
    Ok(())
}

/// Each modality's encoding before fusion for every utterance of `split`, `[n, attention_dim]`
/// per modality, on the host, in storage order.
fn modality_vectors(model: &Model, split: &Split, device: &Device) -> Result<[Tensor; 3]> {
    let mut parts: [Vec<Tensor>; 3] = Default::default();
    for batch in split.batches(EVAL_BATCH, None, false)? {
        let vectors = model.encoder.modality_vectors(&batch.to_device(device)?)?;
        for (part, v) in parts.iter_mut().zip(vectors) {
            part.push(v.to_device(&Device::Cpu)?);
        }
    }
    let [t, a, v] = parts.map(|p| Tensor::cat(&p, 0));
    Ok([t?, a?, v?])
}
