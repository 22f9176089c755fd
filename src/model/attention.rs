//! Masked scaled dot-product attention (thesis 2.6.2, eqs. 2.6.5–2.6.6; Vaswani et al. 2017).

use super::dropout::Dropout;
use super::init::xavier_projection;
use candle_core::{Result, Tensor, D};
use candle_nn::{Linear, Module, ModuleT, VarBuilder};

/// Score added to padded keys: after the softmax's max-subtraction `exp(-1e9 + s)` is exactly 0
/// in f32 and f64, so padded keys get weight 0 and no gradient (as long as real scores stay far
/// below 1e9 in magnitude; they are O(1–10) here), while a row whose keys are all padding stays
/// finite instead of turning into NaN as `-inf` would.
const PADDED_KEY_SCORE: f64 = -1e9;

/// The additive key mask `[batch, 1, steps]` of a `[batch, steps]` padding mask (1 real,
/// 0 padding): 0 on real keys, `-1e9` on padded keys; broadcast over the query axis.
pub fn key_bias(mask: &Tensor) -> Result<Tensor> {
    mask.affine(-PADDED_KEY_SCORE, PADDED_KEY_SCORE)?
        .unsqueeze(1)
}

/// Scaled dot-product attention of `queries` over `context` with its own projections:
///
/// ```text
/// Q = queries W_Qᵀ,  K = context W_Kᵀ,  V = context W_Vᵀ                    (thesis 2.6.2)
/// out = dropout(softmax(Q Kᵀ / √d + key_bias)) V                          (eqs. 2.6.5, 2.6.6)
/// ```
///
/// With `queries = context` it is the self-attention of the single-modality encoders (thesis
/// 6.4, DNN-I); with two modalities it is the asymmetric cross attention `s(K_l^T Q_k / √d) V_l`
/// of eq. 6.4.3 without its residual (added by [`crate::model::SymmetricAttention`]). `d` is the
/// projection size. The projections are bias-free with Xavier-uniform weights and dropout acts on
/// the attention weights, as in the M3 code (slp `Attention`). No causal mask: every query sees
/// every real key (M3 attends over the whole utterance).
///
/// Variables: `query.weight`, `key.weight`, `value.weight`, each `[d, in]`.
#[derive(Debug, Clone)]
pub struct Attention {
    query: Linear,
    key: Linear,
    value: Linear,
    scale: f64,
    dropout: Dropout,
}

impl Attention {
    /// Attention from `query_dim`-sized queries over a `context_dim`-sized context, projection
    /// size `dim`, with `dropout` on the attention weights.
    pub fn new(
        query_dim: usize,
        context_dim: usize,
        dim: usize,
        dropout: &Dropout,
        vb: VarBuilder,
    ) -> Result<Self> {
        Ok(Self {
            query: xavier_projection(query_dim, dim, vb.pp("query"))?,
            key: xavier_projection(context_dim, dim, vb.pp("key"))?,
            value: xavier_projection(context_dim, dim, vb.pp("value"))?,
            scale: 1.0 / (dim as f64).sqrt(),
            dropout: dropout.clone(),
        })
    }

    /// Attention of `queries` `[batch, Tq, in_q]` over `context` `[batch, Tk, in_k]` with the
    /// key mask `key_bias` `[batch, 1, Tk]` (see [`key_bias`]); returns `[batch, Tq, d]`. Rows of
    /// padded queries are computed too (over the real keys) and must be ignored by the caller.
    pub fn forward_t(
        &self,
        queries: &Tensor,
        context: &Tensor,
        key_bias: &Tensor,
        train: bool,
    ) -> Result<Tensor> {
        let q = self.query.forward(queries)?;
        let k = self.key.forward(context)?;
        let v = self.value.forward(context)?;
        let scores = (q.matmul(&k.t()?)? * self.scale)?.broadcast_add(key_bias)?;
        let weights = candle_nn::ops::softmax(&scores, D::Minus1)?;
        self.dropout.forward_t(&weights, train)?.matmul(&v)
    }
}
