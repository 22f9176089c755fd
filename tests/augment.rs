//! Augmentations (thesis 6.5, 7.2, appendix A.1): invariants of noise, masking and SeqAug on
//! generated padded batches, the per-modality coins, chain order, seeding and the config.
//!
//! Statistical checks use fixed seeds (so they are deterministic) and a bound of 3 standard
//! errors of the estimated quantity: |rate − p| ≤ 3·sqrt(p(1 − p)/n) for a Bernoulli rate,
//! |mean − μ| ≤ 3·σ/sqrt(n) for a mean and |s − σ| ≤ 3·σ/sqrt(2n) for a standard deviation.

use mmssl::augment::{
    AugmentConfig, AugmentError, AugmentKind, Chain, GaussianNoise, Masking, MaskingMode,
    MaskingParams, NoiseParams, RandomApply, SeqAug, SeqAugParams, Transform,
};
use mmssl::data::{HostBatch, Modality, Sequences};
use mmssl::rng::{rng_for, Rng};
use proptest::prelude::*;
use rand::Rng as _;

/// A batch of `lengths.len()` samples, `steps` steps, `dims` per modality, with successive
/// values of `value()` on the real steps (storage order) and zero padding.
fn batch_with(
    lengths: &[usize],
    steps: usize,
    dims: [usize; 3],
    mut value: impl FnMut() -> f32,
) -> HostBatch {
    let n = lengths.len();
    let modalities = [0, 1, 2].map(|m| {
        let mut data = vec![0.0; n * steps * dims[m]];
        for (i, &len) in lengths.iter().enumerate() {
            for t in 0..len {
                for f in 0..dims[m] {
                    data[(i * steps + t) * dims[m] + f] = value();
                }
            }
        }
        Sequences::new(n, steps, dims[m], data).unwrap()
    });
    HostBatch {
        indices: (0..n).collect(),
        modalities,
        lengths: lengths.to_vec(),
        labels: vec![0.0; n],
    }
}

/// A batch whose real values are distinct, non-zero integers (1, 2, 3, … in storage order).
fn distinct_batch(lengths: &[usize], steps: usize, dims: [usize; 3]) -> HostBatch {
    let mut next = 0.0;
    batch_with(lengths, steps, dims, || {
        next += 1.0;
        next
    })
}

/// Small batches: 1–5 samples, 1–12 steps, 1–6 dims per modality, lengths in 1..=steps,
/// real values uniform in [-2, 2) from a generated seed, zero padding.
fn small_batch() -> impl Strategy<Value = HostBatch> {
    (
        1usize..=12,
        1usize..=5,
        [1usize..=6, 1usize..=6, 1usize..=6],
        any::<u64>(),
    )
        .prop_flat_map(|(steps, n, dims, seed)| {
            prop::collection::vec(1..=steps, n).prop_map(move |lengths| {
                let mut rng = rng_for(seed, &[]);
                batch_with(&lengths, steps, dims, || rng.random_range(-2.0..2.0))
            })
        })
}

/// Overwrites the padding of every modality with `v` (a sentinel that makes writes visible).
fn fill_padding(batch: &mut HostBatch, v: f32) {
    for seqs in &mut batch.modalities {
        let dims = seqs.dims();
        for (i, &len) in batch.lengths.iter().enumerate() {
            seqs.sample_mut(i)[len * dims..].fill(v);
        }
    }
}

/// Steps `len..steps` of sample `i`: the padding.
fn padding(seqs: &Sequences, i: usize, len: usize) -> &[f32] {
    &seqs.sample(i)[len * seqs.dims()..]
}

/// Sorted values of feature `f` over the first `len` steps of sample `i`.
fn column(seqs: &Sequences, i: usize, len: usize, f: usize) -> Vec<f32> {
    let mut c: Vec<f32> = (0..len).map(|t| seqs.row(i, t)[f]).collect();
    c.sort_by(f32::total_cmp);
    c
}

/// Every modality augmented (p = 1) by `transform`.
fn apply_all(transform: Transform, batch: &HostBatch, rng: &mut Rng) -> HostBatch {
    let mut out = batch.clone();
    assert_eq!(
        RandomApply::new(transform, 1.0)
            .unwrap()
            .apply(&mut out, rng),
        [true; 3]
    );
    out
}

fn seqaug(alpha: [f32; 3], std: f32) -> Transform {
    Transform::SeqAug(SeqAug { alpha, std })
}

fn masking(percentage: f32, mode: MaskingMode) -> Transform {
    Transform::Masking(Masking { percentage, mode })
}

fn noise(mean: f32, std: f32) -> Transform {
    Transform::Noise(GaussianNoise { mean, std })
}

fn mode() -> impl Strategy<Value = MaskingMode> {
    prop_oneof![Just(MaskingMode::Timestep), Just(MaskingMode::Feature)]
}

// ---------------------------------------------------------------- SeqAug

proptest! {
    /// SeqAug keeps every (sample, feature) multiset of real values and the padding, in all
    /// three modalities (padding is a non-zero sentinel here).
    #[test]
    fn seqaug_preserves_multisets_and_padding(
        mut batch in small_batch(),
        alpha in [0.0f32..=1.0, 0.0f32..=1.0, 0.0f32..=1.0],
        std in 0.0f32..0.5,
        seed: u64,
    ) {
        fill_padding(&mut batch, 9.0);
        let out = apply_all(seqaug(alpha, std), &batch, &mut rng_for(seed, &[]));
        for (before, after) in batch.modalities.iter().zip(&out.modalities) {
            for (i, &len) in batch.lengths.iter().enumerate() {
                prop_assert_eq!(padding(before, i, len), padding(after, i, len));
                for f in 0..before.dims() {
                    prop_assert_eq!(column(before, i, len, f), column(after, i, len, f));
                }
            }
        }
    }

    /// Replaying SeqAug's draws per sample — fraction, then `resample` — reproduces `apply`:
    /// the fraction lies in [α_m, 1], exactly round(fraction · dims) dimensions are picked, the
    /// unpicked ones are unchanged and all picked ones follow one shared time permutation.
    #[test]
    fn seqaug_resamples_round_fraction_dims_with_one_permutation(
        batch in small_batch(),
        alpha in [0.0f32..=1.0, 0.0f32..=1.0, 0.0f32..=1.0],
        std in 0.0f32..0.5,
        seed: u64,
    ) {
        let batch = distinct_batch(&batch.lengths, batch.steps(), [0, 1, 2].map(|m| batch.modalities[m].dims()));
        let aug = SeqAug { alpha, std };
        for m in Modality::ALL {
            let before = &batch.modalities[m.index()];
            let dims = before.dims();
            let mut applied = before.clone();
            aug.apply(m, &mut applied, &batch.lengths, &mut rng_for(seed, &[]));

            let mut replay_rng = rng_for(seed, &[]);
            let mut replayed = before.clone();
            for (i, &len) in batch.lengths.iter().enumerate() {
                let fraction = aug.draw_fraction(m, &mut replay_rng);
                prop_assert!(fraction >= alpha[m.index()].min(1.0) && fraction <= 1.0);
                let count = (fraction * dims as f32).round() as usize;
                let picked = SeqAug::resample(replayed.sample_mut(i), dims, len, count, &mut replay_rng);
                prop_assert_eq!(picked.len(), count);

                // Step t of the picked dimensions came from step π(t), the same π for all.
                let source_of = |t: usize| -> usize {
                    let v = replayed.row(i, t)[picked[0]];
                    (0..len).find(|&s| before.row(i, s)[picked[0]] == v).unwrap()
                };
                for t in 0..len {
                    for f in 0..dims {
                        let from = if picked.contains(&f) { source_of(t) } else { t };
                        prop_assert_eq!(replayed.row(i, t)[f], before.row(i, from)[f]);
                    }
                }
            }
            prop_assert_eq!(&applied, &replayed);
        }
    }
}

/// Feature `f` of sample `i` of modality `m` over its real steps, in time order.
fn column_raw(batch: &HostBatch, m: usize, i: usize, f: usize) -> Vec<f32> {
    let seqs = &batch.modalities[m];
    (0..batch.lengths[i]).map(|t| seqs.row(i, t)[f]).collect()
}

/// With σ = 0 the fraction is α_m exactly: on distinct values, every sample of every modality
/// has either round(α_m · dims) changed dimensions or none (the permutation drew the identity).
#[test]
fn seqaug_with_zero_std_moves_round_alpha_dims() {
    let alpha = [0.15, 0.5, 0.2];
    let dims = [20, 6, 35];
    let batch = distinct_batch(&[8; 50], 8, dims);
    let out = apply_all(seqaug(alpha, 0.0), &batch, &mut rng_for(7, &[]));
    for m in 0..3 {
        let expected = (alpha[m] * dims[m] as f32).round() as usize;
        let mut moved_samples = 0;
        for i in 0..batch.len() {
            let changed = (0..dims[m])
                .filter(|&f| column_raw(&batch, m, i, f) != column_raw(&out, m, i, f))
                .count();
            assert!(
                changed == 0 || changed == expected,
                "{changed} vs {expected}"
            );
            moved_samples += usize::from(changed == expected);
        }
        // The identity permutation of 8 steps has probability 1/8! per sample.
        assert_eq!(moved_samples, batch.len());
    }
}

// ---------------------------------------------------------------- masking

proptest! {
    /// Masking only zeroes: every value either stays or becomes 0; in timestep mode a real step
    /// is either untouched or entirely zero; padding (a non-zero sentinel here) never changes.
    #[test]
    fn masking_only_zeroes_real_positions(
        mut batch in small_batch(),
        percentage in 0.0f32..=1.0,
        mode in mode(),
        seed: u64,
    ) {
        fill_padding(&mut batch, 9.0);
        let out = apply_all(masking(percentage, mode), &batch, &mut rng_for(seed, &[]));
        for (before, after) in batch.modalities.iter().zip(&out.modalities) {
            for (i, &len) in batch.lengths.iter().enumerate() {
                prop_assert_eq!(padding(before, i, len), padding(after, i, len));
                for t in 0..len {
                    let (old, new) = (before.row(i, t), after.row(i, t));
                    for (&o, &n) in old.iter().zip(new) {
                        prop_assert!(n == o || n == 0.0);
                    }
                    if mode == MaskingMode::Timestep {
                        prop_assert!(new == old || new.iter().all(|&v| v == 0.0));
                    }
                }
            }
        }
    }
}

/// The masked share converges to `percentage`: on a batch of ones (200 samples, real lengths
/// 1–50), within 3 standard errors, per modality, in both modes.
#[test]
fn masking_rate_converges_to_percentage() {
    let lengths: Vec<usize> = (0..200).map(|i| 1 + i % 50).collect();
    let batch = batch_with(&lengths, 50, [3, 4, 5], || 1.0);
    for mode in [MaskingMode::Timestep, MaskingMode::Feature] {
        for (k, percentage) in [0.0f32, 0.1, 0.3, 0.7, 1.0].into_iter().enumerate() {
            let out = apply_all(
                masking(percentage, mode),
                &batch,
                &mut rng_for(11, &[k as u64]),
            );
            for seqs in &out.modalities {
                let real: Vec<&[f32]> = lengths
                    .iter()
                    .enumerate()
                    .flat_map(|(i, &len)| (0..len).map(move |t| seqs.row(i, t)))
                    .collect();
                let (masked, n) = match mode {
                    MaskingMode::Timestep => {
                        (real.iter().filter(|row| row[0] == 0.0).count(), real.len())
                    }
                    MaskingMode::Feature => (
                        real.iter()
                            .flat_map(|row| row.iter())
                            .filter(|&&v| v == 0.0)
                            .count(),
                        real.len() * seqs.dims(),
                    ),
                };
                let p = f64::from(percentage);
                let rate = masked as f64 / n as f64;
                let bound = 3.0 * (p * (1.0 - p) / n as f64).sqrt();
                assert!(
                    (rate - p).abs() <= bound,
                    "{mode} {p}: rate {rate} over {n} positions, bound {bound}"
                );
            }
        }
    }
}

// ---------------------------------------------------------------- noise

proptest! {
    /// Noise never touches padding; with σ = 0 it adds exactly μ to every real value.
    #[test]
    fn noise_shifts_real_steps_only(
        batch in small_batch(),
        mean in -3.0f32..3.0,
        std in 0.0f32..1.0,
        seed: u64,
    ) {
        let noisy = apply_all(noise(mean, std), &batch, &mut rng_for(seed, &[]));
        let shifted = apply_all(noise(mean, 0.0), &batch, &mut rng_for(seed, &[]));
        for m in 0..3 {
            let before = &batch.modalities[m];
            for (i, &len) in batch.lengths.iter().enumerate() {
                prop_assert_eq!(padding(before, i, len), padding(&noisy.modalities[m], i, len));
                prop_assert_eq!(padding(before, i, len), padding(&shifted.modalities[m], i, len));
                for t in 0..len {
                    for (&o, &s) in before.row(i, t).iter().zip(shifted.modalities[m].row(i, t)) {
                        prop_assert_eq!(s, o + mean);
                    }
                }
            }
        }
    }
}

/// On a zero batch the added noise has the configured mean and standard deviation, within 3
/// standard errors, per modality.
#[test]
fn noise_statistics_match_parameters() {
    let batch = batch_with(&[40; 100], 40, [6, 5, 4], || 0.0);
    for (k, (mean, std)) in [(0.0f32, 0.1f32), (1.0, 0.1), (-0.5, 2.0)]
        .into_iter()
        .enumerate()
    {
        let out = apply_all(noise(mean, std), &batch, &mut rng_for(13, &[k as u64]));
        for seqs in &out.modalities {
            let values: Vec<f64> = seqs.as_slice().iter().map(|&v| f64::from(v)).collect();
            let n = values.len() as f64;
            let m = values.iter().sum::<f64>() / n;
            let s = (values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            let (mean, std) = (f64::from(mean), f64::from(std));
            assert!(
                (m - mean).abs() <= 3.0 * std / n.sqrt(),
                "mean {m} vs {mean}"
            );
            assert!(
                (s - std).abs() <= 3.0 * std / (2.0 * n).sqrt(),
                "std {s} vs {std}"
            );
        }
    }
}

// ---------------------------------------------------------------- coins, chains, streams

/// A config with the given order and application probability 1 everywhere, deterministic noise
/// (μ = 1, σ = 0) and full masking in `mode`.
fn certain_config(order: Vec<AugmentKind>, mode: MaskingMode) -> AugmentConfig {
    AugmentConfig {
        order,
        noise: NoiseParams {
            p: [1.0, 1.0],
            mean: [1.0, 1.0],
            std: [0.0, 0.0],
        },
        masking: MaskingParams {
            p: [1.0, 1.0],
            percentage: [1.0, 1.0],
            mode,
        },
        seqaug: SeqAugParams {
            p: [1.0, 1.0],
            ..SeqAugParams::default()
        },
    }
}

/// The default config (table 8.2.1) with another `order`.
fn with_order(order: Vec<AugmentKind>) -> AugmentConfig {
    AugmentConfig {
        order,
        ..AugmentConfig::default()
    }
}

/// Every real value of every modality of `batch` equals `v`.
fn all_real_equal(batch: &HostBatch, v: f32) -> bool {
    batch.modalities.iter().all(|seqs| {
        batch
            .lengths
            .iter()
            .enumerate()
            .all(|(i, &len)| seqs.sample(i)[..len * seqs.dims()].iter().all(|&x| x == v))
    })
}

proptest! {
    /// Chains run in order: masking then noise (μ = 1, σ = 0) leaves every masked value at
    /// exactly 1, noise then masking leaves it at exactly 0; padding stays zero either way.
    #[test]
    fn chain_order_matters(batch in small_batch(), mode in mode(), seed: u64) {
        use AugmentKind::{Masking as M, Noise as N};
        let mask_then_noise = certain_config(vec![M, N], mode).build().unwrap();
        let noise_then_mask = certain_config(vec![N, M], mode).build().unwrap();
        for (t, expected) in [(mask_then_noise, 1.0), (noise_then_mask, 0.0)] {
            let (a, b) = t.views(&batch, &mut rng_for(seed, &[]));
            for view in [&a, &b] {
                prop_assert!(all_real_equal(view, expected));
                for (before, after) in batch.modalities.iter().zip(&view.modalities) {
                    for (i, &len) in batch.lengths.iter().enumerate() {
                        prop_assert_eq!(padding(before, i, len), padding(after, i, len));
                    }
                }
            }
        }
    }

    /// p = 0 in every step of both streams leaves both views equal to the input.
    #[test]
    fn zero_probability_is_identity(batch in small_batch(), seed: u64) {
        let mut config = certain_config(
            vec![AugmentKind::SeqAug, AugmentKind::Noise, AugmentKind::Masking],
            MaskingMode::Feature,
        );
        config.noise.p = [0.0, 0.0];
        config.masking.p = [0.0, 0.0];
        config.seqaug.p = [0.0, 0.0];
        let (a, b) = config.build().unwrap().views(&batch, &mut rng_for(seed, &[]));
        prop_assert_eq!(&a, &batch);
        prop_assert_eq!(&b, &batch);
    }

    /// Same seed → identical views; the input batch is never modified.
    #[test]
    fn same_seed_same_views(batch in small_batch(), seed: u64) {
        let config = with_order(vec![AugmentKind::SeqAug, AugmentKind::Noise, AugmentKind::Masking]);
        let t = config.build().unwrap();
        let copy = batch.clone();
        let first = t.views(&batch, &mut rng_for(seed, &[]));
        let second = t.views(&batch, &mut rng_for(seed, &[]));
        prop_assert_eq!(first, second);
        prop_assert_eq!(batch, copy);
    }
}

/// p = 1 always applies, to every modality: full timestep masking zeroes every real value of
/// every batch of a run.
#[test]
fn unit_probability_always_applies() {
    let batch = distinct_batch(&[3, 5, 1], 5, [2, 3, 4]);
    let step = RandomApply::new(masking(1.0, MaskingMode::Timestep), 1.0).unwrap();
    let mut rng = rng_for(3, &[]);
    for _ in 0..100 {
        let mut out = batch.clone();
        assert_eq!(step.apply(&mut out, &mut rng), [true; 3]);
        assert!(all_real_equal(&out, 0.0));
    }
}

/// The coin is tossed per modality: at p = 0.3 each modality is augmented in 30 % of 2000
/// batches (3 standard errors) and the three coins disagree in some batches.
#[test]
fn coins_are_independent_per_modality() {
    let batch = distinct_batch(&[2], 2, [1, 1, 1]);
    let step = RandomApply::new(noise(1.0, 0.0), 0.3).unwrap();
    let mut rng = rng_for(5, &[]);
    let hits: Vec<[bool; 3]> = (0..2000)
        .map(|_| step.apply(&mut batch.clone(), &mut rng))
        .collect();
    let bound = 3.0 * (0.3f64 * 0.7 / 2000.0).sqrt();
    for m in 0..3 {
        let rate = hits.iter().filter(|h| h[m]).count() as f64 / 2000.0;
        assert!((rate - 0.3).abs() <= bound, "modality {m}: {rate}");
    }
    assert!(hits.iter().any(|h| h[0] != h[1] || h[1] != h[2]));
}

/// Different seeds → different views (noise with σ > 0 applied with certainty).
#[test]
fn different_seeds_different_views() {
    let batch = distinct_batch(&[4, 2], 4, [3, 3, 3]);
    let mut config = with_order(vec![AugmentKind::Noise]);
    config.noise.p = [1.0, 1.0];
    let t = config.build().unwrap();
    for seed in 0..20u64 {
        assert_ne!(
            t.views(&batch, &mut rng_for(seed, &[])),
            t.views(&batch, &mut rng_for(seed + 1, &[]))
        );
    }
    // Within one call the two streams differ as well.
    let (a, b) = t.views(&batch, &mut rng_for(0, &[]));
    assert_ne!(a, b);
}

/// A hand-made chain equals the one the config builds, and `Display` prints it like A.1's
/// `__repr__`.
#[test]
fn config_builds_chains_in_order_and_displays_them() {
    let config = with_order(vec![
        AugmentKind::SeqAug,
        AugmentKind::Noise,
        AugmentKind::Masking,
    ]);
    let t = config.build().unwrap();
    let expected = Chain {
        steps: vec![
            RandomApply::new(seqaug([0.15, 0.10, 0.20], 0.01), 0.5).unwrap(),
            RandomApply::new(noise(0.0, 0.1), 0.9).unwrap(),
            RandomApply::new(masking(0.7, MaskingMode::Timestep), 0.6).unwrap(),
        ],
    };
    assert_eq!(t.transform, expected);
    assert_eq!(t.transform_prime.steps[1].p(), 0.1);
    assert_eq!(
        t.to_string(),
        "Transformator(\
         transform_1=Compose([RandomApply(p=0.5, SeqAug(alpha=[0.15, 0.1, 0.2], std=0.01)), \
         RandomApply(p=0.9, GaussianNoise(mean=0, std=0.1)), \
         RandomApply(p=0.6, Masking(percentage=0.7, mode=timestep))]), \
         transform_2=Compose([RandomApply(p=0.5, SeqAug(alpha=[0.15, 0.1, 0.2], std=0.01)), \
         RandomApply(p=0.1, GaussianNoise(mean=0, std=0.1)), \
         RandomApply(p=0.6, Masking(percentage=0.7, mode=timestep))]))"
    );
}

// ---------------------------------------------------------------- config

/// The defaults are table 8.2.1's values (SeqAug σ from 7.2) and A.1's default order.
#[test]
fn defaults_are_table_8_2_1() {
    let c = AugmentConfig::default();
    assert_eq!(c.order, vec![AugmentKind::Masking]);
    assert_eq!(c.noise.p, [0.9, 0.1]);
    assert_eq!(c.noise.mean, [0.0, 0.0]);
    assert_eq!(c.noise.std, [0.1, 0.1]);
    assert_eq!(c.masking.p, [0.6, 0.6]);
    assert_eq!(c.masking.percentage, [0.7, 0.7]);
    assert_eq!(c.masking.mode, MaskingMode::Timestep);
    assert_eq!(c.seqaug.p, [0.5, 0.5]);
    assert_eq!(c.seqaug.alpha, [0.15, 0.10, 0.20]);
    assert_eq!(c.seqaug.std, 0.01);
    assert!(c.build().is_ok());
}

/// Configs round-trip through TOML; a hand-written section parses, missing fields take the
/// defaults and unknown fields are rejected.
#[test]
fn config_toml_round_trip() {
    let mut custom = certain_config(
        vec![AugmentKind::Noise, AugmentKind::SeqAug],
        MaskingMode::Feature,
    );
    custom.seqaug.alpha = [0.3, 0.05, 0.25];
    for config in [AugmentConfig::default(), custom] {
        let text = toml::to_string(&config).unwrap();
        assert_eq!(
            toml::from_str::<AugmentConfig>(&text).unwrap(),
            config,
            "{text}"
        );
    }

    let written = r#"
        order = ["seqaug", "noise", "masking"]
        [noise]
        p = [0.9, 0.1]
        mean = [0.0, 0.0]
        std = [0.1, 0.1]
        [masking]
        p = [0.6, 0.6]
        percentage = [0.7, 0.7]
        mode = "timestep"
        [seqaug]
        p = [0.5, 0.5]
        alpha = [0.15, 0.10, 0.20]
        std = 0.01
    "#;
    let parsed: AugmentConfig = toml::from_str(written).unwrap();
    let expected = with_order(vec![
        AugmentKind::SeqAug,
        AugmentKind::Noise,
        AugmentKind::Masking,
    ]);
    assert_eq!(parsed, expected);

    let partial: AugmentConfig = toml::from_str("[masking]\nmode = \"feature\"").unwrap();
    assert_eq!(partial.masking.mode, MaskingMode::Feature);
    assert_eq!(partial.masking.p, [0.6, 0.6]);
    assert_eq!(partial.order, vec![AugmentKind::Masking]);

    for bad in [
        "ordr = [\"noise\"]",
        "[noise]\nsigma = [0.1, 0.1]",
        "order = [\"blur\"]",
        "[masking]\nmode = \"time\"",
    ] {
        assert!(toml::from_str::<AugmentConfig>(bad).is_err(), "{bad}");
    }
}

/// Puts one parameter of a config out of range.
type Breaker = fn(&mut AugmentConfig);

/// Out-of-range parameters are rejected with the stream and parameter named.
#[test]
fn invalid_parameters_are_rejected() {
    let all = vec![
        AugmentKind::Noise,
        AugmentKind::Masking,
        AugmentKind::SeqAug,
    ];
    let cases: [(Breaker, &str); 7] = [
        (
            |c| c.noise.p[0] = 1.5,
            "stream A: application probability of GaussianNoise",
        ),
        (
            |c| c.masking.p[1] = -0.1,
            "stream B: application probability of Masking",
        ),
        (
            |c| c.masking.percentage[1] = 1.01,
            "stream B: masking percentage = 1.01 is outside [0, 1]",
        ),
        (
            |c| c.noise.std[0] = -1.0,
            "stream A: noise std = -1 is outside [0, ∞)",
        ),
        (|c| c.noise.mean[1] = f64::NAN, "stream B: noise mean = NaN"),
        (
            |c| c.seqaug.alpha[2] = 2.0,
            "stream A: seqaug alpha[visual] = 2",
        ),
        (
            |c| c.seqaug.std = f64::INFINITY,
            "stream A: seqaug std = inf",
        ),
    ];
    for (break_it, message) in cases {
        let mut config = with_order(all.clone());
        break_it(&mut config);
        let err: AugmentError = config.build().unwrap_err();
        assert!(err.to_string().starts_with(message), "{err}");
    }
    // Parameters of augmentations absent from `order` are checked too.
    let mut config = AugmentConfig::default();
    config.noise.p = [0.5, 7.0];
    assert!(config.build().is_err());
}
