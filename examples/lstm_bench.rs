//! Forward + backward time of one LSTM layer over a batch: the fused recurrence
//! (`model::fused_lstm::lstm_recurrence`) against the same recurrence as candle ops and against
//! `candle_nn::LSTM`, each including the input projection `x W_ihᵀ + b`.
//!
//! ```text
//! cargo run --release --example lstm_bench
//! RAYON_NUM_THREADS=1 cargo run --release --example lstm_bench
//! ```

use candle_core::{DType, Device, Result, Tensor, Var};
use candle_nn::{VarBuilder, VarMap, RNN};
use mmssl::model::fused_lstm::{lstm_recurrence, lstm_recurrence_reference};
use std::time::Instant;

const BATCH: usize = 32;
const STEPS: usize = 50;
const HIDDEN: usize = 100;
const WARMUP: usize = 5;
const REPS: usize = 30;

type Recurrence = fn(&Tensor, &Tensor) -> Result<Tensor>;

/// Median wall time in milliseconds of `f` over `REPS` runs after `WARMUP` runs.
fn median_ms(mut f: impl FnMut() -> Result<()>) -> Result<f64> {
    for _ in 0..WARMUP {
        f()?;
    }
    let mut times = Vec::with_capacity(REPS);
    for _ in 0..REPS {
        let start = Instant::now();
        f()?;
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[REPS / 2])
}

/// An LSTM layer `in_dim → HIDDEN` as plain variables, run with a given recurrence.
struct Layer {
    w_ih: Var,
    w_hh: Var,
    bias: Var,
}

impl Layer {
    fn new(in_dim: usize, device: &Device) -> Result<Self> {
        let s = 1.0 / (HIDDEN as f32).sqrt();
        let var = |shape: &[usize]| Var::from_tensor(&Tensor::rand(-s, s, shape, device)?);
        Ok(Self {
            w_ih: var(&[4 * HIDDEN, in_dim])?,
            w_hh: var(&[4 * HIDDEN, HIDDEN])?,
            bias: var(&[4 * HIDDEN])?,
        })
    }

    /// `x W_ihᵀ + b`, `[batch, steps, 4H]`.
    fn project(&self, x: &Tensor) -> Result<Tensor> {
        let (batch, steps, in_dim) = x.dims3()?;
        x.reshape((batch * steps, in_dim))?
            .matmul(&self.w_ih.t()?)?
            .broadcast_add(&self.bias)?
            .reshape((batch, steps, 4 * HIDDEN))
    }

    /// Forward and backward of `sum(h)`; without `recurrence`, of the projection alone.
    fn step(&self, x: &Tensor, recurrence: Option<Recurrence>) -> Result<()> {
        let gates_x = self.project(x)?;
        let out = match recurrence {
            Some(recurrence) => recurrence(&gates_x, &self.w_hh)?,
            None => gates_x,
        };
        let grads = out.sum_all()?.backward()?;
        assert!(grads.get(&self.w_ih).is_some());
        Ok(())
    }
}

/// One timed variant: forward + backward for an input `[BATCH, STEPS, in]`.
type Variant = fn(&Tensor) -> Result<f64>;

fn with_layer(x: &Tensor, recurrence: Option<Recurrence>) -> Result<f64> {
    let layer = Layer::new(x.dim(2)?, x.device())?;
    median_ms(|| layer.step(x, recurrence))
}

fn candle_nn_lstm(x: &Tensor) -> Result<f64> {
    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, x.device());
    let lstm = candle_nn::lstm(x.dim(2)?, HIDDEN, Default::default(), vb)?;
    median_ms(|| {
        let h = lstm.states_to_tensor(&lstm.seq(x)?)?;
        h.sum_all()?.backward().map(|_| ())
    })
}

/// Runs the variants whose name contains the first argument (all without one).
fn main() -> Result<()> {
    let filter = std::env::args().nth(1).unwrap_or_default();
    let variants: [(&str, Variant); 4] = [
        ("fused (CustomOp2 + gemm)", |x| {
            with_layer(x, Some(lstm_recurrence))
        }),
        ("reference (candle ops)", |x| {
            with_layer(x, Some(lstm_recurrence_reference))
        }),
        ("candle_nn::LSTM", candle_nn_lstm),
        ("input projection alone", |x| with_layer(x, None)),
    ];
    let threads = std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "unset".into());
    println!(
        "LSTM fwd+bwd incl. input projection, batch {BATCH}, {STEPS} steps, hidden {HIDDEN}, \
         f32, RAYON_NUM_THREADS={threads}; median of {REPS} runs after {WARMUP} warm-up, ms"
    );
    // Other processes on the machine skew the timings: show how busy it is.
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average: {}", load.trim());
    }
    println!("{:<28}{:>12}{:>12}", "", "300 → 100", "700 → 100");
    let xs = [300, 700]
        .map(|d| Tensor::randn(0f32, 1.0, (BATCH, STEPS, d), &Device::Cpu))
        .into_iter()
        .collect::<Result<Vec<_>>>()?;
    for (name, variant) in variants.iter().filter(|(name, _)| name.contains(&filter)) {
        print!("{name:<28}");
        for x in &xs {
            print!("{:>12.2}", variant(x)?);
        }
        println!();
    }
    Ok(())
}
