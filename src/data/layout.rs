//! How a split's padding is presented to the model: the crate's own layout (real steps first,
//! lengths the real lengths, padding masked), or the released thesis code's (front padding,
//! every length the padded length, so no step is masked; `docs/fidelity.md` §4 item 10).

use super::Split;
use serde::{Deserialize, Serialize};

/// The padding layout a run's data are given in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// Real steps first, zero padding after them, `lengths` the real lengths: padding is masked
    /// in every attention and never pooled (the thesis's text).
    #[default]
    EndPaddedMasked,
    /// The released code's: each sample's real steps moved to the end of the padded length
    /// (front padding) and every length set to the padded length, so the padding zeros are
    /// data to the model — attended to, run through the LSTMs and pooled
    /// (`configs/my-config.yml:68-69` `pad_front: true`, `utils/collators.py:186-189`).
    FrontPaddedUnmasked,
}

impl Layout {
    /// True for the default, which configs do not mention.
    pub fn is_default(&self) -> bool {
        *self == Layout::default()
    }
}

impl Split {
    /// Re-lays the split out as `layout` says (a no-op for [`Layout::EndPaddedMasked`], the
    /// layout splits are stored in).
    pub fn apply_layout(&mut self, layout: Layout) {
        if layout == Layout::FrontPaddedUnmasked {
            self.front_pad_unmasked();
        }
    }

    /// [`Layout::FrontPaddedUnmasked`]: per sample, the `len` real steps move to the last `len`
    /// positions, the steps before them become zeros, and the length becomes the padded length.
    fn front_pad_unmasked(&mut self) {
        let steps = self.steps();
        for (i, len) in self.lengths.iter_mut().enumerate() {
            let shift = steps - *len;
            for m in &mut self.modalities {
                let dims = m.dims();
                let sample = m.sample_mut(i);
                sample.copy_within(..*len * dims, shift * dims);
                sample[..shift * dims].fill(0.0);
            }
            *len = steps;
        }
    }
}
