//! The optimiser of both phases (thesis 7.3, tables 7.3.1 / 7.3.2: Adam).

use anyhow::Result;
use candle_nn::{AdamW, Optimizer, ParamsAdamW};

/// Adam (AdamW with weight decay 0, as the thesis uses plain Adam; candle's default decay is
/// 0.01) over `vars` at learning rate `lr`.
pub fn adam(vars: Vec<candle_core::Var>, lr: f64) -> Result<AdamW> {
    let params = ParamsAdamW {
        lr,
        weight_decay: 0.0,
        ..ParamsAdamW::default()
    };
    Ok(AdamW::new(vars, params)?)
}
