//! The reconstruction loss of the generative objective (ConCluGen's Generative variant): each
//! modality's input sequence reconstructed, scored on its real steps only.

use candle_core::{bail, DType, Result, Tensor};

/// The masked-step mean squared error of reconstructions against targets, per modality, then
/// averaged over the modalities: with `M_bt` the padding mask (1 real, 0 padding) and `d_m`
/// modality `m`'s feature size,
///
/// ```text
/// L = (1/3) Σ_m  Σ_{b,t} M_bt ‖x̂_m,bt − x_m,bt‖² / (d_m · max(1, Σ_{b,t} M_bt))
/// ```
///
/// `predictions` and `targets`: text, audio and visual `[batch, steps, d_m]`; `mask`
/// `[batch, steps]`. Padded steps are selected out (not multiplied by 0), so whatever the
/// padded predictions or targets hold, non-finite values included, the loss and its gradient do
/// not change. A batch without real steps gives 0. A scalar tensor in the predictions' dtype.
///
/// ```
/// use candle_core::{Device, Tensor};
/// use mmssl::loss::reconstruction_loss;
///
/// // One utterance, 2 steps of which 1 is real, 1-d features: only (3 − 1)² counts for each.
/// let d = Device::Cpu;
/// let x = Tensor::new(&[[[1f32], [9.]]], &d)?;
/// let x_hat = Tensor::new(&[[[3f32], [-5.]]], &d)?;
/// let mask = Tensor::new(&[[1f32, 0.]], &d)?;
/// let xs = [x.clone(), x.clone(), x];
/// let loss = reconstruction_loss(&[x_hat.clone(), x_hat.clone(), x_hat], &xs, &mask)?;
/// assert_eq!(loss.to_scalar::<f32>()?, 4.0);
/// # Ok::<(), candle_core::Error>(())
/// ```
pub fn reconstruction_loss(
    predictions: &[Tensor; 3],
    targets: &[Tensor; 3],
    mask: &Tensor,
) -> Result<Tensor> {
    let real = mask.gt(0.0)?;
    let count = f64::from(real.to_dtype(DType::F32)?.sum_all()?.to_scalar::<f32>()?).max(1.0);
    let term = |m: usize| modality_error(&predictions[m], &targets[m], &real, count);
    ((term(0)? + term(1)?)? + term(2)?)? / 3.0
}

/// One modality's term of [`reconstruction_loss`]: the squared error on the steps where `real`
/// (`[batch, steps]` u8) is set, divided by `count · dim`.
fn modality_error(x_hat: &Tensor, x: &Tensor, real: &Tensor, count: f64) -> Result<Tensor> {
    let (b, t, dim) = x_hat.dims3()?;
    if x.dims() != [b, t, dim] || real.dims() != [b, t] {
        bail!(
            "reconstruction_loss: prediction {:?}, target {:?} and mask {:?} must agree as \
             [batch, steps, dim] and [batch, steps]",
            x_hat.dims(),
            x.dims(),
            real.dims()
        );
    }
    let selected = real.unsqueeze(2)?.broadcast_as((b, t, dim))?;
    let error =
        selected.where_cond(&(x_hat - x.to_dtype(x_hat.dtype())?)?, &x_hat.zeros_like()?)?;
    error.sqr()?.sum_all()? / (count * dim as f64)
}
