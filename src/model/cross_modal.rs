//! The cross-modal network DNN-II of M3 (thesis 6.4, eqs. 6.4.1–6.4.3).

use super::attention::Attention;
use super::dropout::Dropout;
use candle_core::{Result, Tensor};
use candle_nn::VarBuilder;

/// Symmetric cross attention between modalities `k` and `l` (eqs. 6.4.1, 6.4.3):
///
/// ```text
/// a_kl = s(K_l^T Q_k / √d) V_l + m_k,   with Q_k = W_Q^k m_k, K_l = W_K^k m_l, V_l = W_V^k m_l
/// a_lk = s(K_k^T Q_l / √d) V_k + m_l,   with the projections W^l of the other direction
/// m_kl = a_kl + a_lk
/// ```
///
/// Each direction has its own query / key / value projections (six matrices, as slp's
/// `SymmetricAttention`), and the residual is the query modality (ViLBERT's cross residual).
/// Because `m_k` and `m_l` are aligned to the same words, `a_kl` and `a_lk` have the same length
/// and can be summed step by step. Variables under `kl.` and `lk.`.
#[derive(Debug, Clone)]
pub struct SymmetricAttention {
    kl: Attention,
    lk: Attention,
}

impl SymmetricAttention {
    /// Both directions on `dim`-sized inputs, projection size `dim`.
    pub fn new(dim: usize, dropout: &Dropout, vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            kl: Attention::new(dim, dim, dim, dropout, vb.pp("kl"))?,
            lk: Attention::new(dim, dim, dim, dropout, vb.pp("lk"))?,
        })
    }

    /// `m_kl` `[batch, steps, d]` of `m_k`, `m_l` `[batch, steps, d]`.
    pub fn forward_t(
        &self,
        m_k: &Tensor,
        m_l: &Tensor,
        key_bias: &Tensor,
        train: bool,
    ) -> Result<Tensor> {
        let a_kl = (self.kl.forward_t(m_k, m_l, key_bias, train)? + m_k)?;
        let a_lk = (self.lk.forward_t(m_l, m_k, key_bias, train)? + m_l)?;
        a_kl + a_lk
    }
}

/// The four cross attention modules of DNN-II: symmetric `TA`, `TV`, `AV` and the trimodal
/// `TAV`. The thesis only says that m_TAV "fuses all 3 modalities"; we follow the M3 code it
/// forks (slp `AttentionFuser`: `tav = Attention(txt, queries=va)`): the bimodal `m_AV` queries the
/// text,
///
/// ```text
/// m_TAV = s(K_T^T Q_AV / √d) V_T       (Q from m_AV, K and V from m_T; no residual, as in M3)
/// ```
///
/// Variables under `ta.`, `tv.`, `av.`, `tav.`.
#[derive(Debug, Clone)]
pub struct CrossModal {
    ta: SymmetricAttention,
    tv: SymmetricAttention,
    av: SymmetricAttention,
    tav: Attention,
}

impl CrossModal {
    /// The four modules on `dim`-sized inputs, projection size `dim`.
    pub fn new(dim: usize, dropout: &Dropout, vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            ta: SymmetricAttention::new(dim, dropout, vb.pp("ta"))?,
            tv: SymmetricAttention::new(dim, dropout, vb.pp("tv"))?,
            av: SymmetricAttention::new(dim, dropout, vb.pp("av"))?,
            tav: Attention::new(dim, dim, dim, dropout, vb.pp("tav"))?,
        })
    }

    /// `m̃ = m_T ‖ m_A ‖ m_V ‖ m_TAV ‖ m_AV ‖ m_TV ‖ m_TA` (eq. 6.4.2, the thesis's order) along
    /// the features: `[batch, steps, 7d]` from the self-attended `[m_T, m_A, m_V]`.
    pub fn forward_t(&self, m: &[Tensor; 3], key_bias: &Tensor, train: bool) -> Result<Tensor> {
        let [m_t, m_a, m_v] = m;
        let m_ta = self.ta.forward_t(m_t, m_a, key_bias, train)?;
        let m_tv = self.tv.forward_t(m_t, m_v, key_bias, train)?;
        let m_av = self.av.forward_t(m_a, m_v, key_bias, train)?;
        let m_tav = self.tav.forward_t(&m_av, m_t, key_bias, train)?;
        Tensor::cat(&[m_t, m_a, m_v, &m_tav, &m_av, &m_tv, &m_ta], 2)
    }
}
