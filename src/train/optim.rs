//! The optimiser of both phases (thesis 7.3, tables 7.3.1 / 7.3.2: Adam), with its state kept
//! by variable name so that a run interrupted mid-way can resume bit for bit
//! ([`super::resume`]).
//!
//! The update is candle-nn's `AdamW`, operation for operation (so the numbers are the same bit
//! for bit — tested against it), but its moments and step count are readable and restorable,
//! which candle's type keeps private.

use super::error::{Result, TrainError};
use candle_core::backprop::GradStore;
use candle_core::{Tensor, Var};
use candle_nn::{Optimizer, ParamsAdamW};
use std::collections::HashMap;

/// One parameter and its two moment estimates.
#[derive(Debug)]
struct Slot {
    name: String,
    var: Var,
    first_moment: Var,
    second_moment: Var,
}

/// Adam / AdamW over named variables (Kingma & Ba 2015; Loshchilov & Hutter 2019 for the
/// decoupled weight decay), with a step count and moments that can be saved and restored.
#[derive(Debug)]
pub struct Adam {
    slots: Vec<Slot>,
    step_t: usize,
    params: ParamsAdamW,
}

/// Prefixes of the moment tensors in [`Adam::state`].
const FIRST_MOMENT: &str = "adam.m.";
const SECOND_MOMENT: &str = "adam.v.";

impl Adam {
    /// Adam over `vars` (name, variable) with `params`; non-float variables are left out.
    pub fn named(vars: Vec<(String, Var)>, params: ParamsAdamW) -> candle_core::Result<Adam> {
        let slots = vars
            .into_iter()
            .filter(|(_, var)| var.dtype().is_float())
            .map(|(name, var)| {
                let zeros = || Var::zeros(var.shape(), var.dtype(), var.device());
                Ok(Slot {
                    first_moment: zeros()?,
                    second_moment: zeros()?,
                    name,
                    var,
                })
            })
            .collect::<candle_core::Result<_>>()?;
        Ok(Adam {
            slots,
            step_t: 0,
            params,
        })
    }

    /// Steps taken so far (the bias corrections depend on it).
    pub fn steps(&self) -> usize {
        self.step_t
    }

    /// The moments, as `adam.m.<name>` and `adam.v.<name>` (copies).
    pub fn state(&self) -> Result<Vec<(String, Tensor)>> {
        let mut out = Vec::with_capacity(2 * self.slots.len());
        for slot in &self.slots {
            out.push((
                format!("{FIRST_MOMENT}{}", slot.name),
                slot.first_moment.as_tensor().copy()?,
            ));
            out.push((
                format!("{SECOND_MOMENT}{}", slot.name),
                slot.second_moment.as_tensor().copy()?,
            ));
        }
        Ok(out)
    }

    /// Restores the step count and the moments saved by [`Adam::state`]; every variable's two
    /// moments must be in `tensors` with its shape.
    pub fn restore(&mut self, steps: usize, tensors: &HashMap<String, Tensor>) -> Result<()> {
        for slot in &self.slots {
            for (prefix, moment) in [
                (FIRST_MOMENT, &slot.first_moment),
                (SECOND_MOMENT, &slot.second_moment),
            ] {
                let key = format!("{prefix}{}", slot.name);
                let saved = tensors.get(&key).ok_or_else(|| {
                    TrainError::State(format!("the saved optimiser state has no {key}"))
                })?;
                if saved.shape() != moment.shape() {
                    return Err(TrainError::State(format!(
                        "the saved optimiser state's {key} has shape {:?}, the model's {:?}",
                        saved.shape(),
                        moment.shape()
                    )));
                }
                moment.set(&saved.to_device(moment.device())?)?;
            }
        }
        self.step_t = steps;
        Ok(())
    }
}

impl Optimizer for Adam {
    type Config = ParamsAdamW;

    fn new(vars: Vec<Var>, params: ParamsAdamW) -> candle_core::Result<Self> {
        let named = vars
            .into_iter()
            .enumerate()
            .map(|(i, var)| (i.to_string(), var))
            .collect();
        Adam::named(named, params)
    }

    fn learning_rate(&self) -> f64 {
        self.params.lr
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.params.lr = lr;
    }

    fn step(&mut self, grads: &GradStore) -> candle_core::Result<()> {
        self.step_t += 1;
        let p = &self.params;
        let lr = p.lr;
        let scale_m = 1f64 / (1f64 - p.beta1.powi(self.step_t as i32));
        let scale_v = 1f64 / (1f64 - p.beta2.powi(self.step_t as i32));
        for slot in &self.slots {
            let Some(g) = grads.get(&slot.var) else {
                continue;
            };
            let theta = slot.var.as_tensor();
            let next_m = ((slot.first_moment.as_tensor() * p.beta1)? + (g * (1.0 - p.beta1))?)?;
            let next_v =
                ((slot.second_moment.as_tensor() * p.beta2)? + (g.sqr()? * (1.0 - p.beta2))?)?;
            let m_hat = (&next_m * scale_m)?;
            let v_hat = (&next_v * scale_v)?;
            // Decoupled weight decay; without it the product by exactly 1 is skipped (x · 1 = x).
            let decayed = if p.weight_decay == 0.0 {
                theta.clone()
            } else {
                (theta * (1f64 - lr * p.weight_decay))?
            };
            let adjusted = (m_hat / (v_hat.sqrt()? + p.eps)?)?;
            let next_theta = (decayed - (adjusted * lr)?)?;
            slot.first_moment.set(&next_m)?;
            slot.second_moment.set(&next_v)?;
            slot.var.set(&next_theta)?;
        }
        Ok(())
    }
}

/// Adam over the named `vars` at learning rate `lr` with decoupled weight decay `weight_decay`:
/// 0 is the thesis's plain Adam (candle's `AdamW` defaults to 0.01), more is AdamW (the related
/// work's optimiser, `supervised.weight_decay` / `ssl.weight_decay`).
pub fn adam(vars: Vec<(String, Var)>, lr: f64, weight_decay: f64) -> candle_core::Result<Adam> {
    let params = ParamsAdamW {
        lr,
        weight_decay,
        ..ParamsAdamW::default()
    };
    Adam::named(vars, params)
}
