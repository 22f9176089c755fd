//! Released-code mode: switches that make a run behave as the thesis's released PyTorch code
//! behaves instead of as its text says, one per difference (`docs/fidelity.md` §4 cites each to
//! a file and line of that code), so that each difference's effect can be measured alone.
//!
//! The default, `thesis-text`, is every switch off: today's behaviour, and a config that does not
//! mention `fidelity` (run keys and stored configs are unchanged by this module). The preset
//! `released-code` turns every switch on. In a config: `fidelity = "released-code"`, or a table of
//! the switches (`[fidelity]` with `last_epoch_evaluated = true`, …); on the command line
//! `--set fidelity=released-code` or `--set fidelity.no_weight_transfer=true`.
//!
//! Not switches, documented in §4: dropout 0.0 and patience 5
//! (12 and 3: plain config values, `model.dropout`, `supervised.patience`), and no seeding (15:
//! every run here is seeded; "unseeded" has no deterministic equivalent, so the released code's
//! repeated runs correspond to our distinct seeds).

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// The released code's SSL learning rate: slp's `--lr` parser default, which its SSL optimiser
/// reads instead of the configured `ssl_optimization.optim.lr` (§4 item 2).
pub const RELEASED_SSL_LR: f64 = 1e-3;

/// One switch per difference of the released code from the thesis text (all off: the text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Fidelity {
    /// §4 item 1: fine-tuning and linear evaluation start from the seed's random encoder, as the
    /// released code's `load_state_dict(…, strict=False)` loads no pre-trained weight.
    pub no_weight_transfer: bool,
    /// §4 item 2: the SSL optimiser runs at [`RELEASED_SSL_LR`] whatever `ssl.lr` says.
    pub ssl_lr_from_general_optimiser: bool,
    /// §4 item 3: the last epoch's weights are evaluated, not those of the best valid epoch.
    pub last_epoch_evaluated: bool,
    /// §4 item 5: `C = bn(z₁)ᵀ bn(z₂)` (affine-free BatchNorm, eps 1e-5), not divided by the
    /// batch size.
    pub unnormalised_cross_correlation: bool,
    /// §4 item 14: no input standardisation (non-finite values → 0 only).
    pub no_input_standardisation: bool,
    /// §4 item 13: weighted F1 with sklearn's arguments swapped, reported as `f1_swapped` beside
    /// the correct value (never instead of it).
    pub f1_arguments_swapped: bool,
    /// §4 item 6: the projector starts with a [`RELEASED_PROJECTOR_WIDTH`]-wide layer before the
    /// configured sizes (`model.projector`).
    pub projector_2044_first: bool,
    /// §4 item 7: one augmentation coin per batch, view and step decides for all three
    /// modalities (torchvision's `RandomApply` over the modality tuple), not one per modality.
    pub one_augmentation_coin: bool,
    /// §4 items 2 and 9: the SSL learning rate follows `ReduceLROnPlateau` (factor 0.5,
    /// patience 2, cooldown 2, min_lr 2.5e-5) on the Barlow Twins loss of *augmented* validation
    /// views, once per epoch.
    pub ssl_plateau_on_augmented_validation: bool,
    /// §4 item 8: SeqAug resamples text only, over the first `min(batch size, steps)` padded
    /// steps of every sample (the released code passes the batch size as every real length),
    /// each dimension by its own coin ([`crate::augment::SeqAug::apply_released`]).
    pub seqaug_text_only_batch_length: bool,
    /// §4 item 10: front padding, every length the padded length, so no step is masked
    /// ([`crate::data::Layout::FrontPaddedUnmasked`]).
    pub front_padding_unmasked: bool,
    /// §4 item 11: the fusion is a bidirectional LSTM whose outputs a self-attention re-weights
    /// and whose pooled vector is their sum over every step, padding included
    /// ([`crate::model::Fusion::BidirectionalAttentionSum`]).
    pub bidirectional_fusion_attention_sum: bool,
}

/// The width of the layer the released code's projector prepends to the configured sizes
/// (`modules/ssl_modules.py:197-206`, §4 item 6).
pub const RELEASED_PROJECTOR_WIDTH: usize = 2044;

/// The switches' names (the config keys under `fidelity`), in [`Fidelity::switches`] order.
pub const SWITCHES: [&str; 12] = [
    "no_weight_transfer",
    "ssl_lr_from_general_optimiser",
    "last_epoch_evaluated",
    "unnormalised_cross_correlation",
    "no_input_standardisation",
    "f1_arguments_swapped",
    "projector_2044_first",
    "one_augmentation_coin",
    "ssl_plateau_on_augmented_validation",
    "seqaug_text_only_batch_length",
    "front_padding_unmasked",
    "bidirectional_fusion_attention_sum",
];

impl Fidelity {
    /// Every switch off: the thesis's text.
    pub const THESIS_TEXT: Fidelity = Fidelity {
        no_weight_transfer: false,
        ssl_lr_from_general_optimiser: false,
        last_epoch_evaluated: false,
        unnormalised_cross_correlation: false,
        no_input_standardisation: false,
        f1_arguments_swapped: false,
        projector_2044_first: false,
        one_augmentation_coin: false,
        ssl_plateau_on_augmented_validation: false,
        seqaug_text_only_batch_length: false,
        front_padding_unmasked: false,
        bidirectional_fusion_attention_sum: false,
    };

    /// Every switch on: the released code.
    pub const RELEASED_CODE: Fidelity = Fidelity {
        no_weight_transfer: true,
        ssl_lr_from_general_optimiser: true,
        last_epoch_evaluated: true,
        unnormalised_cross_correlation: true,
        no_input_standardisation: true,
        f1_arguments_swapped: true,
        projector_2044_first: true,
        one_augmentation_coin: true,
        ssl_plateau_on_augmented_validation: true,
        seqaug_text_only_batch_length: true,
        front_padding_unmasked: true,
        bidirectional_fusion_attention_sum: true,
    };

    /// The preset `thesis-text` or `released-code`.
    pub fn preset(name: &str) -> Option<Fidelity> {
        match name {
            "thesis-text" => Some(Fidelity::THESIS_TEXT),
            "released-code" => Some(Fidelity::RELEASED_CODE),
            _ => None,
        }
    }

    /// True for the default (`thesis-text`): such configs do not mention `fidelity`.
    pub fn is_thesis_text(&self) -> bool {
        *self == Fidelity::THESIS_TEXT
    }

    /// The switches' values, in [`SWITCHES`] order.
    pub fn switches(&self) -> [bool; SWITCHES.len()] {
        [
            self.no_weight_transfer,
            self.ssl_lr_from_general_optimiser,
            self.last_epoch_evaluated,
            self.unnormalised_cross_correlation,
            self.no_input_standardisation,
            self.f1_arguments_swapped,
            self.projector_2044_first,
            self.one_augmentation_coin,
            self.ssl_plateau_on_augmented_validation,
            self.seqaug_text_only_batch_length,
            self.front_padding_unmasked,
            self.bidirectional_fusion_attention_sum,
        ]
    }

    /// The switches that act on pre-training (the SSL learning rate, the cross-correlation, the
    /// inputs and their layout, the encoder's fusion, the projector, the augmentations, the SSL
    /// schedule); the others off.
    /// Pre-trainings that differ only in the others are the same.
    pub fn pretraining_part(&self) -> Fidelity {
        Fidelity {
            ssl_lr_from_general_optimiser: self.ssl_lr_from_general_optimiser,
            unnormalised_cross_correlation: self.unnormalised_cross_correlation,
            no_input_standardisation: self.no_input_standardisation,
            projector_2044_first: self.projector_2044_first,
            one_augmentation_coin: self.one_augmentation_coin,
            ssl_plateau_on_augmented_validation: self.ssl_plateau_on_augmented_validation,
            seqaug_text_only_batch_length: self.seqaug_text_only_batch_length,
            front_padding_unmasked: self.front_padding_unmasked,
            bidirectional_fusion_attention_sum: self.bidirectional_fusion_attention_sum,
            ..Fidelity::THESIS_TEXT
        }
    }

    /// The thesis's text with only the switch `name` on.
    pub fn only(name: &str) -> Option<Fidelity> {
        let index = SWITCHES.iter().position(|s| *s == name)?;
        let mut on = [false; SWITCHES.len()];
        on[index] = true;
        let [a, b, c, d, e, f, g, h, i, j, k, l] = on;
        Some(Fidelity {
            no_weight_transfer: a,
            ssl_lr_from_general_optimiser: b,
            last_epoch_evaluated: c,
            unnormalised_cross_correlation: d,
            no_input_standardisation: e,
            f1_arguments_swapped: f,
            projector_2044_first: g,
            one_augmentation_coin: h,
            ssl_plateau_on_augmented_validation: i,
            seqaug_text_only_batch_length: j,
            front_padding_unmasked: k,
            bidirectional_fusion_attention_sum: l,
        })
    }
}

/// Deserialises `fidelity` from a preset name or a table of switches; used by
/// [`super::RunConfig`]'s `fidelity` field.
pub fn preset_or_switches<'de, D: Deserializer<'de>>(d: D) -> Result<Fidelity, D::Error> {
    struct PresetOrTable;
    impl<'de> Visitor<'de> for PresetOrTable {
        type Value = Fidelity;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("\"thesis-text\", \"released-code\" or a table of switches")
        }
        fn visit_str<E: de::Error>(self, name: &str) -> Result<Fidelity, E> {
            Fidelity::preset(name).ok_or_else(|| {
                E::custom(format!(
                    "fidelity `{name}`: expected \"thesis-text\" or \"released-code\""
                ))
            })
        }
        fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Fidelity, M::Error> {
            Fidelity::deserialize(de::value::MapAccessDeserializer::new(map))
        }
    }
    d.deserialize_any(PresetOrTable)
}
