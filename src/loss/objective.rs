//! Which self-supervised objective pre-training minimises (`ssl.objective`), and the settings of
//! the objectives beyond the thesis's Barlow Twins (issue: "is Barlow Twins the right objective
//! here?"). Each acts on the same encoder E, projector g and two augmented views; ConCluGen's
//! Generative and Multi-Cont variants read E's fused vector and per-modality encodings instead
//! of g's embedding, through networks of their own.

use serde::{Deserialize, Serialize};

/// The pre-training objective on the two views' encodings: their projector embeddings `z_a`,
/// `z_b` (thesis 6.2), or E's outputs for the objectives that bring networks of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Objective {
    /// Barlow Twins (thesis 6.3, eq. 6.3.1; Zbontar et al. 2021): the default.
    #[default]
    BarlowTwins,
    /// InfoNCE / NT-Xent between the two views of each utterance against the batch's other
    /// utterances (Chen et al. 2020, eq. 1; ConCluGen's Instance-Cont): [`super::nt_xent_loss`].
    InstanceContrastive,
    /// SwAV's swapped prediction of online Sinkhorn-Knopp codes over learnable prototypes (Caron
    /// et al. 2020, eqs. 1–3; the face pre-training of Bulat et al. 2022): [`super::swav_loss`].
    Swav,
    /// ConCluGen's Generative variant: the clean (un-augmented) input sequences reconstructed
    /// from each view's fused vector `m_o` by a per-modality decoder
    /// ([`crate::model::Decoder`]), scored by the masked-step MSE of
    /// [`super::reconstruction_loss`], averaged over the two views. No gradient reaches the
    /// projector g, whose embeddings only feed the diagnostics of `C` here.
    Generative,
    /// ConCluGen's Multi-Cont: InfoNCE between the modalities of each utterance, every pair
    /// (text–audio, text–visual, audio–visual) of the modalities' pooled encodings through
    /// their own projections ([`crate::model::ModalityProjections`]), at
    /// `ssl.contrastive.temperature` ([`super::multimodal_nt_xent_loss`]). Pairs are formed
    /// within a view and the loss averaged over both views: Multi-Cont's positives differ only
    /// in the modality (pairs across views would also ask for invariance to the augmentation,
    /// Instance-Cont's job, mixing the two), and both views keep the two augmented views every
    /// objective trains on, twice the utterances per step. The modalities' own encodings exist
    /// only before the cross-modal attention, so the gradient reaches the modality encoders
    /// (DNN-I) and their projections, not the cross-modal attention, the fusion LSTM or g.
    MultimodalContrastive,
}

impl Objective {
    /// Every objective, in declaration order.
    pub const ALL: [Objective; 5] = [
        Objective::BarlowTwins,
        Objective::InstanceContrastive,
        Objective::Swav,
        Objective::Generative,
        Objective::MultimodalContrastive,
    ];

    /// True for the thesis's Barlow Twins (left out of serialised configs, so that run keys of
    /// the thesis's runs do not change).
    pub fn is_barlow_twins(&self) -> bool {
        *self == Objective::BarlowTwins
    }

    /// The objective's name in configs and file names (`barlow-twins`, `instance-contrastive`,
    /// `swav`, `generative`, `multimodal-contrastive`).
    pub fn id(self) -> &'static str {
        match self {
            Objective::BarlowTwins => "barlow-twins",
            Objective::InstanceContrastive => "instance-contrastive",
            Objective::Swav => "swav",
            Objective::Generative => "generative",
            Objective::MultimodalContrastive => "multimodal-contrastive",
        }
    }

    /// The objective's name in messages (`Barlow Twins`, `InfoNCE`, `SwAV`, `Generative`,
    /// `Multimodal InfoNCE`).
    pub fn label(self) -> &'static str {
        match self {
            Objective::BarlowTwins => "Barlow Twins",
            Objective::InstanceContrastive => "InfoNCE",
            Objective::Swav => "SwAV",
            Objective::Generative => "Generative",
            Objective::MultimodalContrastive => "Multimodal InfoNCE",
        }
    }
}

/// Settings of the instance- and multimodal-contrastive objectives ([`super::nt_xent_loss`],
/// [`super::multimodal_nt_xent_loss`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ContrastiveConfig {
    /// Temperature τ of the softmax over cosine similarities. ConCluGen does not state theirs;
    /// 0.1 is SimCLR's best at large batches (Chen et al. 2020, table 5) and SwAV's.
    pub temperature: f64,
}

impl Default for ContrastiveConfig {
    fn default() -> Self {
        Self { temperature: 0.1 }
    }
}

impl ContrastiveConfig {
    /// True at the defaults (left out of serialised configs).
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// Settings of the SwAV objective ([`super::swav_loss`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SwavConfig {
    /// Number K of learnable prototypes. Bulat et al. (2022) keep SwAV's defaults, whose 3,000
    /// prototypes go with batches of 4,096; 64 (ours) keeps K below the thesis's batch of 170 so
    /// that the equal-partition constraint splits each batch into groups of a few utterances.
    pub prototypes: usize,
    /// Temperature τ of the predicted assignments' softmax (0.1, Bulat et al. 2022 §4).
    pub temperature: f64,
    /// Entropic regularisation ε of the Sinkhorn-Knopp codes (0.05, Bulat et al. 2022 §4).
    pub epsilon: f64,
    /// Sinkhorn-Knopp iterations (3, as SwAV).
    pub sinkhorn_iterations: usize,
}

impl Default for SwavConfig {
    fn default() -> Self {
        Self {
            prototypes: 64,
            temperature: 0.1,
            epsilon: 0.05,
            sinkhorn_iterations: 3,
        }
    }
}

impl SwavConfig {
    /// True at the defaults (left out of serialised configs).
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// Settings of the generative objective (ConCluGen's Generative, [`Objective::Generative`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GenerativeConfig {
    /// Width of the decoder's hidden ReLU layer ([`crate::model::Decoder`]); 0 (default): each
    /// modality's decoder is one linear layer. ConCluGen does not state its decoder's size; the
    /// linear default keeps the reconstruction's capacity in the encoder.
    pub decoder_hidden: usize,
}

impl GenerativeConfig {
    /// True at the defaults (left out of serialised configs).
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}
