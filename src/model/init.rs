//! Seeded parameter initialisation and the PyTorch-style linear layers.

use crate::rng::rng_for;
use candle_core::{bail, DType, Device, Result, Shape, Tensor, Var};
use candle_nn::init::NormalOrUniform;
use candle_nn::var_builder::SimpleBackend;
use candle_nn::{Init, Linear, VarBuilder, VarMap};
use rand::Rng as _;
use rand_distr::StandardNormal;

/// Purpose tag of the initialisation streams (see [`crate::rng::derive_seed`]).
const INIT_TAG: u64 = 0x1417;

/// A `VarBuilder` that reads existing variables from `varmap` and creates missing ones with a
/// seeded host-side draw.
///
/// candle's own initialisers draw from the device RNG, and `Device::Cpu.set_seed` fails in
/// candle 0.11 ("cannot seed the CPU rng with set_seed"), so a `VarBuilder::from_varmap` model is
/// not reproducible on CPU. Here every missing variable is drawn on the host from its own
/// stream, `rng_for(seed, [tag, FNV-1a(name)])` (see [`crate::rng`]), and then copied to the
/// target device and dtype: a variable's initial value depends only on the seed and its full
/// name — not on the device, the thread count, or the order in which modules are built. The
/// [`Init`] hints of the layers are honoured exactly as candle defines them (constant, uniform,
/// normal, Kaiming).
pub fn seeded_var_builder(
    varmap: &VarMap,
    seed: u64,
    dtype: DType,
    device: &Device,
) -> VarBuilder<'static> {
    let backend = SeededBackend {
        varmap: varmap.clone(),
        seed,
    };
    VarBuilder::from_backend(Box::new(backend), dtype, device.clone())
}

struct SeededBackend {
    varmap: VarMap,
    seed: u64,
}

impl SimpleBackend for SeededBackend {
    fn get(&self, s: Shape, name: &str, h: Init, dtype: DType, dev: &Device) -> Result<Tensor> {
        let mut vars = self
            .varmap
            .data()
            .lock()
            .map_err(|_| candle_core::Error::msg("VarMap lock poisoned"))?;
        if let Some(var) = vars.get(name) {
            if var.shape() != &s {
                bail!("shape mismatch on {name}: {s:?} <> {:?}", var.shape());
            }
            return Ok(var.as_tensor().clone());
        }
        let values = draw(&s, h, rng_for(self.seed, &[INIT_TAG, fnv1a(name)]))?;
        let tensor = Tensor::from_vec(values, s, &Device::Cpu)?
            .to_dtype(dtype)?
            .to_device(dev)?;
        let var = Var::from_tensor(&tensor)?;
        let out = var.as_tensor().clone();
        vars.insert(name.to_string(), var);
        Ok(out)
    }

    fn get_unchecked(&self, name: &str, _dtype: DType, _dev: &Device) -> Result<Tensor> {
        bail!("seeded var builder: `get_unchecked` needs a shape, use `get` ({name})")
    }

    fn contains_tensor(&self, name: &str) -> bool {
        self.varmap
            .data()
            .lock()
            .is_ok_and(|vars| vars.contains_key(name))
    }
}

/// Host values for one variable, following candle's definition of each [`Init`] variant.
fn draw(shape: &Shape, init: Init, mut rng: crate::rng::Rng) -> Result<Vec<f64>> {
    let n = shape.elem_count();
    let uniform = |rng: &mut crate::rng::Rng, lo: f64, up: f64| -> Vec<f64> {
        (0..n)
            .map(|_| lo + (up - lo) * rng.random::<f64>())
            .collect()
    };
    let normal = |rng: &mut crate::rng::Rng, mean: f64, stdev: f64| -> Vec<f64> {
        (0..n)
            .map(|_| mean + stdev * rng.sample::<f64, _>(StandardNormal))
            .collect()
    };
    Ok(match init {
        Init::Const(v) => vec![v; n],
        Init::Uniform { lo, up } => uniform(&mut rng, lo, up),
        Init::Randn { mean, stdev } => normal(&mut rng, mean, stdev),
        Init::Kaiming {
            dist,
            fan,
            non_linearity,
        } => {
            let std = non_linearity.gain() / (fan.for_shape(shape) as f64).sqrt();
            match dist {
                NormalOrUniform::Uniform => {
                    let bound = 3f64.sqrt() * std;
                    uniform(&mut rng, -bound, bound)
                }
                NormalOrUniform::Normal => normal(&mut rng, 0.0, std),
            }
        }
    })
}

/// 64-bit FNV-1a of a variable name: a stable, platform-independent stream tag.
fn fnv1a(name: &str) -> u64 {
    name.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
    })
}

/// `U(-bound, bound)` as an [`Init`].
pub(crate) fn symmetric_uniform(bound: f64) -> Init {
    Init::Uniform {
        lo: -bound,
        up: bound,
    }
}

/// A linear layer `y = x Wᵀ (+ b)` with PyTorch's `nn.Linear` initialisation: `W` and `b` both
/// `U(-1/√in, 1/√in)`. Variables `weight` `[out, in]` and `bias` `[out]`.
pub(crate) fn linear(in_dim: usize, out_dim: usize, bias: bool, vb: VarBuilder) -> Result<Linear> {
    let init = symmetric_uniform(1.0 / (in_dim as f64).sqrt());
    let weight = vb.get_with_hints((out_dim, in_dim), "weight", init)?;
    let bias = if bias {
        Some(vb.get_with_hints(out_dim, "bias", init)?)
    } else {
        None
    };
    Ok(Linear::new(weight, bias))
}

/// A bias-free projection with Xavier/Glorot-uniform weights, `U(±√(6 / (in + out)))`, as the
/// query / key / value projections of the M3 code (slp `Attention`, `SymmetricAttention`).
pub(crate) fn xavier_projection(in_dim: usize, out_dim: usize, vb: VarBuilder) -> Result<Linear> {
    let bound = (6.0 / (in_dim + out_dim) as f64).sqrt();
    let weight = vb.get_with_hints((out_dim, in_dim), "weight", symmetric_uniform(bound))?;
    Ok(Linear::new(weight, None))
}
