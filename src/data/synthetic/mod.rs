//! The embedded default data: a deterministic synthetic stand-in shaped like CMU-MOSEI's
//! word-aligned release (text 300-d, audio 74-d, visual 35-d, 50 steps, 16,326 / 1,871 / 4,659
//! utterances at scale 1). Results on it are labelled synthetic and are never the thesis's.
//!
//! # Generative process
//!
//! Per utterance (its own ChaCha8 stream, seeded by `(seed, split, index)`):
//!
//! 1. **Latent factors** `z ∈ R⁸ ~ N(0, I)`. Factor 0 is sentiment. With probability
//!    [`NEUTRAL_SHARE`] the utterance is neutral: `z₀` is redrawn as
//!    `NEUTRAL_CENTRE + NEUTRAL_SPREAD · N(0, 1)`, near the value that maps to label 0.
//! 2. **Label** `y = clip(round₁/₃(1.3 z₀ + 0.6 + N(0, 0.5²)), −3, 3)`: a multiple of 1/3 like
//!    MOSEI's averaged annotations, skewed positive (mean ≈ 0.6) with a spike at 0.
//!    Six emotion intensities in [0, 3] are rectified mixtures of the same factors.
//! 3. **Length** `L = clamp(round(LogNormal(ln 24, 0.55)), 3, 50)`: real steps first, zero
//!    padding after (≈ 9 % of utterances fill all 50 steps, as truncation does in the release).
//! 4. **Events** (signal sparse in time): each real step is an event with probability 0.2 (at
//!    least one per utterance). The same steps are events in every modality (the data are
//!    word-aligned), but a modality shows a given event only with probability
//!    [`EVENT_VISIBILITY`] (text 0.9, audio 0.6, visual 0.5).
//! 5. **Features.** Modality `m` sees a subset of the factors through a fixed random mixing
//!    matrix `A_m` (drawn once from the seed): text sees {0,1,2,3,4}, audio {0,2,5,6}, visual
//!    {0,3,6,7}. All see sentiment; pairs share factors 2 (text–audio), 3 (text–visual) and
//!    6 (audio–visual), so the modalities agree with each other without labels; factors 1, 4, 5, 7
//!    are private nuisance. At a visible event step `x_t = g_m · a_t · A_m (z + σ_m ζ_m) + b_t`,
//!    with a per-utterance modality noise `ζ_m ~ N(0, I)` of reliability `σ_m` (text 0.8,
//!    audio 1.5, visual 2.0: text is the most informative and fusion beats any one modality),
//!    amplitude `a_t ~ U(0.5, 1.5)` and background `b_t`; other real steps hold background only.
//!    Backgrounds: text `N(0, 0.35²)` (GloVe-like), visual `N(0, 0.6²)`, audio `N(0, 1)`.
//!    This is the `standard` [`Difficulty`]; `hard` replaces the linear `A_m` by a fixed random
//!    `tanh` layer and scales the non-sentiment factors up, with the same per-utterance draws,
//!    labels and ceiling ([`difficulty`]).
//! 6. **Audio is unnormalised**: feature `f` is finally mapped to `o_f + s_f · x` with scales
//!    `s_f` log-uniform in [0.01, 300] and offsets `o_f ~ N(0, s_f²)` fixed per seed.
//! 7. **Missing signal, as in the real files**: [`ALL_ZERO_SHARE`] of utterances have an
//!    all-zero audio (8 %) or visual (12 %) sequence, and single real steps are all-zero with
//!    probability 0.1 (audio) and 0.15 (visual).
//!
//! # What the data allow
//!
//! [`latents`] replays each utterance's stream through the same code path (no features built)
//! and returns what decides its sentiment signal ([`UtteranceLatents`]); [`ceiling`] turns those
//! into the metrics of the Bayes-optimal oracle that sees each modality's signal `u_m`
//! noise-free, an upper bound on what any model can reach on this data; [`posterior`] holds the
//! closed-form posterior it uses.

pub mod ceiling;
pub mod difficulty;
pub mod posterior;

pub use difficulty::{Difficulty, DifficultyParams};

use super::identity::content_sha256;
use super::{DataIdentity, Dataset, Sequences, Split, SplitName};
use crate::rng::{rng_for, Rng};
use rand::Rng as _;
use rand_distr::{Distribution, LogNormal, Normal, StandardNormal};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Number of latent factors.
pub const FACTORS: usize = 8;
/// Factors each modality sees, `[text, audio, visual]` (factor 0 is sentiment).
pub const VISIBLE_FACTORS: [&[usize]; 3] = [&[0, 1, 2, 3, 4], &[0, 2, 5, 6], &[0, 3, 6, 7]];
/// Per-utterance modality noise `σ_m`, `[text, audio, visual]`: lower is more reliable.
pub const RELIABILITY_NOISE: [f64; 3] = [0.8, 1.5, 2.0];
/// Probability that a modality shows an event step, `[text, audio, visual]`.
pub const EVENT_VISIBILITY: [f64; 3] = [0.9, 0.6, 0.5];
/// Share of utterances whose whole sequence is zero, `[text, audio, visual]`.
pub const ALL_ZERO_SHARE: [f64; 3] = [0.0, 0.08, 0.12];
/// Probability that a single real step is all-zero, `[text, audio, visual]`.
pub const ZERO_STEP_SHARE: [f64; 3] = [0.0, 0.1, 0.15];
/// Share of neutral utterances (label spike at 0).
pub const NEUTRAL_SHARE: f64 = 0.15;

const EVENT_RATE: f64 = 0.2;
const SIGNAL_GAIN: [f64; 3] = [0.6, 1.0, 0.8];
const BACKGROUND_STD: [f64; 3] = [0.35, 1.0, 0.6];
/// Label slope on the sentiment factor: `y = LABEL_SLOPE · z₀ + LABEL_OFFSET + noise`.
pub const LABEL_SLOPE: f64 = 1.3;
/// Label offset (the positive skew of MOSEI's labels).
pub const LABEL_OFFSET: f64 = 0.6;
/// Standard deviation of the label noise added before rounding.
pub const LABEL_NOISE: f64 = 0.5;
/// Centre of a neutral utterance's `z₀`: the value that maps to label 0 before noise.
pub const NEUTRAL_CENTRE: f64 = -LABEL_OFFSET / LABEL_SLOPE;
/// Spread (standard deviation) of a neutral utterance's `z₀` around [`NEUTRAL_CENTRE`].
pub const NEUTRAL_SPREAD: f64 = 0.05;

/// Settings of the synthetic stand-in; the defaults give CMU-MOSEI's aligned shapes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyntheticConfig {
    /// Seed of every random choice.
    pub seed: u64,
    /// Size relative to CMU-MOSEI (1.0 = 16,326 / 1,871 / 4,659 utterances).
    pub scale: f64,
    /// Padded steps per sequence.
    pub steps: usize,
    /// Feature dimensions `[text, audio, visual]`.
    pub dims: [usize; 3],
    /// Utterances per split at scale 1, `[train, valid, test]`.
    pub counts: [usize; 3],
    /// How hard sentiment is to read off the features ([`difficulty`]); `standard` by default.
    #[serde(skip_serializing_if = "Difficulty::is_standard")]
    pub difficulty: Difficulty,
}

impl Default for SyntheticConfig {
    fn default() -> Self {
        SyntheticConfig {
            seed: 0,
            scale: 1.0,
            steps: 50,
            dims: [300, 74, 35],
            counts: [16_326, 1_871, 4_659],
            difficulty: Difficulty::Standard,
        }
    }
}

impl SyntheticConfig {
    /// The default shapes at `scale` with `seed`.
    pub fn new(seed: u64, scale: f64) -> Self {
        SyntheticConfig {
            seed,
            scale,
            ..Self::default()
        }
    }

    /// Checks every size before anything is generated: `scale` a positive finite number at most
    /// 10 (≈ 230,000 utterances, ~12 GB at 50 steps), `steps` and `dims` ≥ 1, `counts` ≥ 2.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.scale > 0.0 && self.scale <= 10.0) {
            return Err(format!(
                "data.synthetic.scale must be in (0, 10], got {}",
                self.scale
            ));
        }
        if self.steps == 0 {
            return Err("data.synthetic.steps must be at least 1".to_owned());
        }
        if let Some(i) = self.dims.iter().position(|&d| d == 0) {
            return Err(format!("data.synthetic.dims[{i}] must be at least 1"));
        }
        if let Some(i) = self.counts.iter().position(|&c| c < 2) {
            return Err(format!(
                "data.synthetic.counts[{i}] must be at least 2, got {}",
                self.counts[i]
            ));
        }
        Ok(())
    }

    /// Utterances per split at this scale (at least 2 each, so statistics exist).
    pub fn split_sizes(&self) -> [usize; 3] {
        self.counts
            .map(|c| ((c as f64 * self.scale).round() as usize).max(2))
    }
}

/// Fixed, seed-dependent parameters shared by all utterances: mixing matrices and audio scaling.
struct World {
    /// The difficulty preset's knobs.
    difficulty: DifficultyParams,
    /// Per modality `[units, FACTORS]` input weights of the `tanh` layer, row-major (empty when
    /// mixing is linear).
    hidden: [Vec<f64>; 3],
    /// Per modality `[dims, width]` mixing matrix, row-major: `width` = `FACTORS` when linear,
    /// the `tanh` units otherwise.
    mixing: [Vec<f64>; 3],
    audio_scale: Vec<f64>,
    audio_offset: Vec<f64>,
}

impl World {
    fn new(cfg: &SyntheticConfig) -> World {
        let difficulty = cfg.difficulty.params();
        let units = difficulty.nonlinear_units;
        let normal = |rng: &mut Rng| rng.sample::<f64, _>(StandardNormal);
        // the input weights of the tanh layer, scaled so that each unit's input has standard
        // deviation `nonlinear_drive` over utterances (factor k has variance g_k² (1 + σ_m²))
        let hidden = [0, 1, 2].map(|m| {
            let mut rng = rng_for(cfg.seed, &[0x7A9, m as u64]);
            let visible = VISIBLE_FACTORS[m];
            let variance = 1.0 + RELIABILITY_NOISE[m] * RELIABILITY_NOISE[m];
            let mut w = vec![0.0; units * FACTORS];
            for row in w.chunks_exact_mut(FACTORS) {
                for &k in visible {
                    row[k] = normal(&mut rng);
                }
                let sd = (visible.iter())
                    .map(|&k| (row[k] * difficulty.factor_gain(k)).powi(2) * variance)
                    .sum::<f64>()
                    .sqrt();
                row.iter_mut()
                    .for_each(|w| *w *= difficulty.nonlinear_drive / sd);
            }
            w
        });
        let mixing = [0, 1, 2].map(|m| {
            let mut rng = rng_for(cfg.seed, &[0xA11, m as u64]);
            if units > 0 {
                let norm = (units as f64).sqrt();
                return (0..cfg.dims[m] * units)
                    .map(|_| normal(&mut rng) / norm)
                    .collect();
            }
            let visible = VISIBLE_FACTORS[m];
            let norm = (visible.len() as f64).sqrt();
            let mut a = vec![0.0; cfg.dims[m] * FACTORS];
            for row in a.chunks_exact_mut(FACTORS) {
                for &k in visible {
                    row[k] = normal(&mut rng) / norm;
                }
            }
            a
        });
        let mut rng = rng_for(cfg.seed, &[0xA0D10]);
        let audio_scale: Vec<f64> = (0..cfg.dims[1])
            .map(|_| 10f64.powf(rng.random_range(-2.0..300f64.log10())))
            .collect();
        let audio_offset = audio_scale
            .iter()
            .map(|s| s * rng.sample::<f64, _>(StandardNormal))
            .collect();
        World {
            difficulty,
            hidden,
            mixing,
            audio_scale,
            audio_offset,
        }
    }

    /// The per-feature signal modality `m` shows at an event of unit amplitude, from the noisy
    /// factors `z + σ_m ζ_m`: `g_m · A_m · v` with `v` the factors (nuisance scaled by the
    /// preset's gain) when mixing is linear, or `v = s · tanh(W_m · v')` with `s = √(1 + σ_m²)`
    /// (the factors' scale) and `W_m` scaled to the preset's drive otherwise.
    fn signal(&self, m: usize, noisy: &[f64; FACTORS]) -> Vec<f64> {
        let p = self.difficulty;
        let factors: [f64; FACTORS] = std::array::from_fn(|k| p.factor_gain(k) * noisy[k]);
        let gain = SIGNAL_GAIN[m];
        let dot = |row: &[f64], v: &[f64]| row.iter().zip(v).map(|(a, v)| a * v).sum::<f64>();
        if p.nonlinear_units == 0 {
            return (self.mixing[m].chunks_exact(FACTORS))
                .map(|row| gain * dot(row, &factors))
                .collect();
        }
        let s = (1.0 + RELIABILITY_NOISE[m] * RELIABILITY_NOISE[m]).sqrt();
        let units: Vec<f64> = (self.hidden[m].chunks_exact(FACTORS))
            .map(|row| s * dot(row, &factors).tanh())
            .collect();
        (self.mixing[m].chunks_exact(units.len()))
            .map(|row| gain * dot(row, &units))
            .collect()
    }
}

/// One utterance's buffers: `[steps, dims]` per modality, to be filled in place.
struct Utterance<'a> {
    features: [&'a mut [f32]; 3],
    length: &'a mut usize,
    label: &'a mut f32,
    emotions: &'a mut [f32; 6],
}

/// What one utterance's random stream decided about its sentiment signal: the inputs of the
/// oracle ceiling ([`ceiling`]), read off the generator's own code path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UtteranceLatents {
    /// The sentiment factor `z₀` (after the neutral spike, when drawn).
    pub z0: f64,
    /// Whether the utterance was drawn neutral (`z₀ ≈ NEUTRAL_CENTRE`, label spike at 0).
    pub neutral: bool,
    /// The stored label, bit for bit.
    pub label: f32,
    /// Standard-normal modality noise on factor 0, `ζ_{m,0}`, `[text, audio, visual]`.
    pub zeta0: [f64; 3],
    /// Whether modality `m` carries its signal at all: the sequence is not all-zero and at least
    /// one visible event falls on a step that is not all-zero, `[text, audio, visual]`.
    pub carries: [bool; 3],
}

impl UtteranceLatents {
    /// The sentiment signal of modality `m`, `u_m = z₀ + σ_m ζ_{m,0}` (meaningful where
    /// [`UtteranceLatents::carries`] holds).
    pub fn signal(&self, m: usize) -> f64 {
        self.z0 + RELIABILITY_NOISE[m] * self.zeta0[m]
    }
}

/// Generates the stand-in: deterministic in `cfg` (same config, same bytes), parallel over
/// utterances.
pub fn generate(cfg: &SyntheticConfig) -> Dataset {
    let world = World::new(cfg);
    let sizes = cfg.split_sizes();
    let [train, valid, test] =
        [0, 1, 2].map(|s| generate_split(cfg, &world, SplitName::ALL[s], sizes[s]));
    let sha256 = content_sha256(&[&train, &valid, &test]);
    Dataset {
        identity: DataIdentity {
            name: match cfg.difficulty {
                Difficulty::Standard => "synthetic-mosei".into(),
                hard => format!("synthetic-mosei-{}", hard.name()),
            },
            seed: Some(cfg.seed),
            scale: Some(cfg.scale),
            sha256,
            synthetic: true,
        },
        train,
        valid,
        test,
    }
}

/// The latents of every utterance of `split`, in storage order, without building any feature:
/// each utterance's stream is replayed through the generator's own code path (every draw is
/// still made, so the stream stays in step; only the feature arithmetic and buffers are skipped).
pub fn latents(cfg: &SyntheticConfig, split: SplitName) -> Vec<UtteranceLatents> {
    let n = cfg.split_sizes()[split as usize];
    (0..n)
        .into_par_iter()
        .map(|i| generate_utterance(cfg, &mut utterance_rng(cfg, split, i), None))
        .collect()
}

/// The random stream of utterance `i` of `split`.
fn utterance_rng(cfg: &SyntheticConfig, split: SplitName, i: usize) -> Rng {
    rng_for(cfg.seed, &[split as u64, i as u64])
}

fn generate_split(cfg: &SyntheticConfig, world: &World, name: SplitName, n: usize) -> Split {
    let t = cfg.steps;
    let [dt, da, dv] = cfg.dims;
    let mut text = vec![0f32; n * t * dt];
    let mut audio = vec![0f32; n * t * da];
    let mut visual = vec![0f32; n * t * dv];
    let mut lengths = vec![0usize; n];
    let mut labels = vec![0f32; n];
    let mut emotions = vec![[0f32; 6]; n];
    text.par_chunks_mut(t * dt)
        .zip(audio.par_chunks_mut(t * da))
        .zip(visual.par_chunks_mut(t * dv))
        .zip(lengths.par_iter_mut())
        .zip(labels.par_iter_mut())
        .zip(emotions.par_iter_mut())
        .enumerate()
        .for_each(|(i, (((((x_t, x_a), x_v), length), label), emotions))| {
            let utterance = Utterance {
                features: [x_t, x_a, x_v],
                length,
                label,
                emotions,
            };
            let mut rng = utterance_rng(cfg, name, i);
            generate_utterance(cfg, &mut rng, Some((world, utterance)));
        });
    let seq = |dims, data| Sequences::new(n, t, dims, data).expect("sizes computed above");
    Split::new(
        name,
        [seq(dt, text), seq(da, audio), seq(dv, visual)],
        lengths,
        labels,
        Some(emotions),
    )
    .expect("the generator respects the split invariants")
}

/// Draws one utterance from `rng` and returns its latents; with `out`, also writes its features,
/// length, label and emotions. Without `out` every draw is still made in the same order (the
/// stream is the same), so the latents are those of the generated utterance.
fn generate_utterance(
    cfg: &SyntheticConfig,
    rng: &mut Rng,
    out: Option<(&World, Utterance<'_>)>,
) -> UtteranceLatents {
    let normal = |rng: &mut Rng| rng.sample::<f64, _>(StandardNormal);
    // 1. latent factors, with the neutral spike on the sentiment factor
    let mut z: [f64; FACTORS] = std::array::from_fn(|_| normal(rng));
    let neutral = rng.random_bool(NEUTRAL_SHARE);
    if neutral {
        z[0] = NEUTRAL_CENTRE + NEUTRAL_SPREAD * normal(rng);
    }
    // 2. label and emotions
    let y = LABEL_SLOPE * z[0] + LABEL_OFFSET + LABEL_NOISE * normal(rng);
    let label = ((y * 3.0).round() / 3.0).clamp(-3.0, 3.0) as f32;
    let relu = |v: f64| v.max(0.0);
    let emotion_drive = [
        relu(z[0]),
        relu(-z[0]),
        relu(0.5 * z[2] - 0.5 * z[0]),
        relu(z[3]),
        relu(0.4 * z[6] - 0.6 * z[0]),
        relu(0.7 * z[5] - 0.3 * z[0]),
    ];
    let emotions = emotion_drive.map(|d| {
        let v = 1.2 * d + 0.2 * normal(rng);
        ((v * 3.0).round() / 3.0).clamp(0.0, 3.0) as f32
    });
    // 3. length
    let lognormal = LogNormal::new(24f64.ln(), 0.55).expect("valid parameters");
    let len = (lognormal.sample(rng).round() as usize)
        .clamp(3, cfg.steps.max(3))
        .min(cfg.steps);
    // 4. events, shared across modalities
    let mut events: Vec<usize> = (0..len).filter(|_| rng.random_bool(EVENT_RATE)).collect();
    if events.is_empty() {
        events.push(rng.random_range(0..len));
    }
    let (world, features) = match out {
        Some((world, o)) => {
            *o.length = len;
            *o.label = label;
            *o.emotions = emotions;
            (Some(world), o.features.map(Some))
        }
        None => (None, [None, None, None]),
    };
    // 5.–7. features per modality
    let mut zeta0 = [0.0; 3];
    let mut carries = [false; 3];
    for (m, x) in features.into_iter().enumerate() {
        let dims = cfg.dims[m];
        let all_zero = rng.random_bool(ALL_ZERO_SHARE[m]);
        let zeta: [f64; FACTORS] = std::array::from_fn(|_| normal(rng));
        zeta0[m] = zeta[0];
        // the features and the mixed signal they carry, when they are being built
        let mut target = x.zip(world).map(|(x, world)| {
            let noisy: [f64; FACTORS] =
                std::array::from_fn(|k| z[k] + RELIABILITY_NOISE[m] * zeta[k]);
            (x, world.signal(m, &noisy), world)
        });
        let background = Normal::new(0.0, BACKGROUND_STD[m]).expect("valid parameters");
        for t in 0..len {
            let visible_event = events.contains(&t) && rng.random_bool(EVENT_VISIBILITY[m]);
            let amplitude = if visible_event {
                rng.random_range(0.5..1.5)
            } else {
                0.0
            };
            let zero_step = rng.random_bool(ZERO_STEP_SHARE[m]);
            carries[m] |= visible_event && !zero_step && !all_zero;
            let Some((x, signal, world)) = target.as_mut() else {
                // latents only: make the background draws, keep nothing
                for _ in 0..dims {
                    let _: f64 = background.sample(rng);
                }
                continue;
            };
            let row = &mut x[t * dims..(t + 1) * dims];
            for (f, v) in row.iter_mut().enumerate() {
                let mut value = background.sample(rng) + amplitude * signal[f];
                if m == 1 {
                    value = world.audio_offset[f] + world.audio_scale[f] * value;
                }
                *v = if all_zero || zero_step {
                    0.0
                } else {
                    value as f32
                };
            }
        }
    }
    UtteranceLatents {
        z0: z[0],
        neutral,
        label,
        zeta0,
        carries,
    }
}
