//! Predictions on a split in evaluation mode and their thesis 7.3 metrics.

use super::error::{Result, TrainError};
use super::fidelity::Fidelity;
use crate::data::Split;
use crate::metrics::{evaluate, weighted_f1_swapped, Metrics};
use crate::model::Model;
use candle_core::Device;

/// Batch size for inference: large enough to amortise per-step overhead, small enough for any
/// machine at T = 50.
pub const EVAL_BATCH: usize = 256;

/// Model predictions for every sample of `split`, in storage order (dropout off, BatchNorm in
/// evaluation mode).
pub fn predict(model: &Model, split: &Split, device: &Device) -> Result<Vec<f64>> {
    let mut out = Vec::with_capacity(split.len());
    for batch in split.batches(EVAL_BATCH, None, false)? {
        let pred = model.forward_t(&batch.to_device(device)?, false)?;
        out.extend(pred.to_vec1::<f32>()?.into_iter().map(f64::from));
    }
    Ok(out)
}

/// The thesis 7.3 metrics of `model` on `split`.
pub fn split_metrics(model: &Model, split: &Split, device: &Device) -> Result<Metrics> {
    run_metrics(model, split, device, &Fidelity::THESIS_TEXT)
}

/// [`split_metrics`] as a run reports them: with the released code's swapped-argument F1
/// beside the correct one under `fidelity.f1_arguments_swapped` (one prediction pass).
pub fn run_metrics(
    model: &Model,
    split: &Split,
    device: &Device,
    fidelity: &Fidelity,
) -> Result<Metrics> {
    let predictions = predict(model, split, device)?;
    let labels: Vec<f64> = split.labels.iter().map(|&y| f64::from(y)).collect();
    let mut metrics = evaluate(&predictions, &labels).map_err(|error| TrainError::Metrics {
        split: split.name,
        error,
    })?;
    if fidelity.f1_arguments_swapped {
        metrics.f1_swapped = weighted_f1_swapped(&predictions, &labels);
    }
    Ok(metrics)
}
