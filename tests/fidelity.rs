//! Released-code mode (`train::fidelity`, `docs/fidelity.md` §4): each switch changes exactly what
//! it names — checked against an independent computation or against the equivalent run without
//! the switch — and the thesis's text stays what it was (configs and keys unchanged).

mod common;
use approx::assert_abs_diff_eq;
use candle_core::{Device, Tensor};
use mmssl::experiments::key::{pretrain_key, run_key};
use mmssl::loss::{cross_correlation, cross_correlation_unnormalised, BATCH_NORM_EPS};
use mmssl::metrics::{weighted_f1, weighted_f1_swapped};
use mmssl::train::fidelity::SWITCHES;
use mmssl::train::{run, DataConfig, Fidelity, Methodology, Progress, RunConfig};

/// [`common::tiny_config`] with room for early stopping to choose an epoch.
fn tiny(methodology: Methodology) -> RunConfig {
    let mut cfg = common::tiny_config(methodology);
    cfg.seed = 5;
    cfg.supervised.max_epochs = 4;
    cfg.supervised.patience = 10;
    cfg
}

fn with(mut cfg: RunConfig, switch: &str) -> RunConfig {
    cfg.fidelity = Fidelity::only(switch).unwrap();
    cfg
}

fn report(cfg: &RunConfig) -> mmssl::train::RunReport {
    let data = cfg.load_data().unwrap();
    run(cfg, &data, &Device::Cpu, &Progress::quiet()).unwrap().2
}

#[test]
fn thesis_text_configs_do_not_mention_fidelity_and_presets_parse() {
    let text = RunConfig::default();
    assert!(!text.to_toml().contains("fidelity"), "{}", text.to_toml());
    let released = RunConfig::from_toml("fidelity = \"released-code\"\n").unwrap();
    assert_eq!(released.fidelity, Fidelity::RELEASED_CODE);
    assert!(released.fidelity.switches().iter().all(|&on| on));
    let one = RunConfig::from_toml("[fidelity]\nlast_epoch_evaluated = true\n").unwrap();
    assert_eq!(
        one.fidelity,
        Fidelity::only("last_epoch_evaluated").unwrap()
    );
    // Round trip of a non-default setting.
    assert_eq!(RunConfig::from_toml(&one.to_toml()).unwrap(), one);
    let err = RunConfig::from_toml("fidelity = \"pytorch\"\n").unwrap_err();
    assert!(err.to_string().contains("released-code"), "{err}");
    let err = RunConfig::from_toml("[fidelity]\nno_such_switch = true\n").unwrap_err();
    assert!(err.to_string().contains("no_such_switch"), "{err}");
    // Keys: the text's keys are those of a config without the field; any switch changes the run
    // key, and only the pre-training switches change the pre-training key.
    let base = tiny(Methodology::SslFinetune);
    for name in SWITCHES {
        let other = with(base.clone(), name);
        assert_ne!(run_key(&other, "s"), run_key(&base, "s"), "{name}");
        let pretraining = other.fidelity.pretraining_part() != Fidelity::THESIS_TEXT;
        assert_eq!(
            pretrain_key(&other, "s") != pretrain_key(&base, "s"),
            pretraining,
            "{name}"
        );
    }
}

#[test]
fn the_unnormalised_cross_correlation_is_batch_norm_products_unscaled() {
    // Two [6, 3] views with different scales per dimension.
    let a: Vec<f32> = (0..18).map(|i| ((i * 7 % 11) as f32 - 5.0) * 0.3).collect();
    let b: Vec<f32> = (0..18)
        .map(|i| ((i * 5 % 13) as f32 - 6.0) * 1.7 + 2.0)
        .collect();
    let (n, d) = (6, 3);
    let za = Tensor::from_vec(a.clone(), (n, d), &Device::Cpu).unwrap();
    let zb = Tensor::from_vec(b.clone(), (n, d), &Device::Cpu).unwrap();
    // Independently: BatchNorm1d(affine=False) in training mode (biased variance, eps 1e-5),
    // then bn(a)ᵀ bn(b), in f64 on the host.
    let bn = |z: &[f32]| -> Vec<f64> {
        let mut out = vec![0.0; n * d];
        for j in 0..d {
            let col: Vec<f64> = (0..n).map(|i| f64::from(z[i * d + j])).collect();
            let mean = col.iter().sum::<f64>() / n as f64;
            let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
            for i in 0..n {
                out[i * d + j] = (col[i] - mean) / (var + BATCH_NORM_EPS).sqrt();
            }
        }
        out
    };
    let (ba, bb) = (bn(&a), bn(&b));
    let c = cross_correlation_unnormalised(&za, &zb)
        .unwrap()
        .to_vec2::<f32>()
        .unwrap();
    let normalised = cross_correlation(&za, &zb, BATCH_NORM_EPS)
        .unwrap()
        .to_vec2::<f32>()
        .unwrap();
    for j in 0..d {
        for k in 0..d {
            let expected: f64 = (0..n).map(|i| ba[i * d + j] * bb[i * d + k]).sum();
            // f32 arithmetic on values of order n: 1e-4 relative is ample.
            assert_abs_diff_eq!(f64::from(c[j][k]), expected, epsilon = 1e-4 * n as f64);
            assert_abs_diff_eq!(
                f64::from(c[j][k]),
                n as f64 * f64::from(normalised[j][k]),
                epsilon = 1e-4 * n as f64
            );
        }
    }
}

#[test]
fn swapped_f1_weights_by_predicted_counts_as_worked_by_hand() {
    // Truth T T T T F, predictions T T F F F. Per class: F1(T) = 2·2/(4+2) = 2/3,
    // F1(F) = 2·1/(1+3) = 1/2. Weighted by true counts (4, 1): (4·2/3 + 1/2)/5 = 19/30; by
    // predicted counts (2, 3), the released code's: (2·2/3 + 3/2)/5 = 17/30.
    let labels = [1.0, 1.0, 1.0, 1.0, -1.0];
    let preds = [1.0, 1.0, -1.0, -1.0, -1.0];
    let truth: Vec<bool> = labels.iter().map(|&y| y > 0.0).collect();
    let predicted: Vec<bool> = preds.iter().map(|&p| p > 0.0).collect();
    assert_abs_diff_eq!(
        weighted_f1(&truth, &predicted).unwrap(),
        19.0 / 30.0,
        epsilon = 1e-12
    );
    assert_abs_diff_eq!(
        weighted_f1_swapped(&preds, &labels).unwrap(),
        17.0 / 30.0,
        epsilon = 1e-12
    );
    // In a run, it is reported beside the correct F1, never instead of it.
    let text = report(&tiny(Methodology::Supervised));
    let swapped = report(&with(tiny(Methodology::Supervised), "f1_arguments_swapped"));
    assert_eq!(text.test.f1_swapped, None);
    assert!(swapped.test.f1_swapped.is_some());
    assert_eq!(swapped.test.f1_non0, text.test.f1_non0);
    assert_eq!(swapped.test.mae, text.test.mae);
}

#[test]
fn without_weight_transfer_ssl_fine_tuning_is_supervised_training() {
    // The released code's transfer loads nothing: fine-tuning then starts from the seed's random
    // encoder, which is exactly the supervised methodology (same init, subset, batch order).
    let supervised = report(&tiny(Methodology::Supervised));
    let ssl = report(&tiny(Methodology::SslFinetune));
    let untransferred = report(&with(tiny(Methodology::SslFinetune), "no_weight_transfer"));
    assert_eq!(untransferred.test, supervised.test);
    assert_eq!(untransferred.finetune, supervised.finetune);
    assert_ne!(
        ssl.test, supervised.test,
        "pre-training must matter without the switch"
    );
    assert!(
        untransferred.pretrain.is_some(),
        "it still pre-trains (and logs it)"
    );
}

#[test]
fn the_general_learning_rate_replaces_the_ssl_rate() {
    let mut at_text_rate = tiny(Methodology::SslFinetune);
    at_text_rate.ssl.lr = 3e-6;
    let mut at_released_rate = at_text_rate.clone();
    at_released_rate.ssl.lr = 1e-3;
    let switched = report(&with(at_text_rate.clone(), "ssl_lr_from_general_optimiser"));
    let released = report(&at_released_rate);
    let text = report(&at_text_rate);
    let epochs = |r: &mmssl::train::RunReport| r.pretrain.clone().unwrap().epochs;
    assert_eq!(epochs(&switched), epochs(&released));
    assert_ne!(epochs(&switched), epochs(&text));
}

#[test]
fn the_last_epoch_is_kept_instead_of_the_best() {
    for m in [Methodology::Supervised, Methodology::SupervisedLinear] {
        let best = report(&tiny(m));
        let last = report(&with(tiny(m), "last_epoch_evaluated"));
        assert_eq!(last.finetune, best.finetune, "{m}: the same training");
        assert_eq!(last.best_epoch, last.finetune.last().unwrap().epoch, "{m}");
        let valid_losses: Vec<f64> = best.finetune.iter().map(|e| e.valid_loss).collect();
        let lowest = valid_losses.iter().copied().fold(f64::INFINITY, f64::min);
        assert_eq!(best.finetune[best.best_epoch].valid_loss, lowest, "{m}");
        // The kept weights are those of the epoch reported: their valid MAE is its logged one.
        assert_abs_diff_eq!(
            last.valid.mae,
            last.finetune.last().unwrap().valid_loss,
            epsilon = 1e-5
        );
    }
}

#[test]
fn no_input_standardisation_loads_the_raw_features() {
    let cfg = with(tiny(Methodology::Supervised), "no_input_standardisation");
    let raw = DataConfig {
        standardize: false,
        ..cfg.data.clone()
    }
    .load()
    .unwrap();
    assert_eq!(
        cfg.load_data().unwrap().train.modalities,
        raw.train.modalities
    );
    assert_ne!(
        tiny(Methodology::Supervised)
            .load_data()
            .unwrap()
            .train
            .modalities,
        raw.train.modalities
    );
}

#[test]
fn the_released_projector_is_the_configured_one_behind_a_2044_wide_layer() {
    use mmssl::train::fidelity::RELEASED_PROJECTOR_WIDTH;
    let mut text = tiny(Methodology::SslFinetune);
    text.supervised.max_epochs = 1;
    let switched = with(text.clone(), "projector_2044_first");
    let mut by_hand = text.clone();
    by_hand.model.projector.insert(0, RELEASED_PROJECTOR_WIDTH);
    assert_eq!(switched.effective_model(), by_hand.model);
    assert_eq!(switched.effective_model().projector, [2044, 16, 16]);
    assert_eq!(
        text.effective_model(),
        text.model,
        "the text's projector is as configured"
    );
    // The switch trains exactly what the wider configured projector trains.
    let (a, b) = (report(&switched), report(&by_hand));
    let epochs = |r: &mmssl::train::RunReport| r.pretrain.clone().unwrap().epochs;
    assert_eq!(epochs(&a), epochs(&b));
    assert_eq!(a.test, b.test);
    assert_ne!(epochs(&a), epochs(&report(&text)));
}

#[test]
fn one_augmentation_coin_augments_all_modalities_or_none() {
    use mmssl::augment::{GaussianNoise, RandomApply, Transform};
    use mmssl::rng::rng_for;
    let cfg = tiny(Methodology::SslFinetune);
    let data = cfg.load_data().unwrap();
    let batch = data.train.batches(8, None, false).unwrap().next().unwrap();
    let step = RandomApply::new(
        Transform::Noise(GaussianNoise {
            mean: 0.0,
            std: 0.1,
        }),
        0.5,
    )
    .unwrap();
    let shared = step.one_coin_for_all();
    let (mut rng_a, mut rng_b) = (rng_for(1, &[2]), rng_for(1, &[2]));
    let (mut hits, mut split_decisions, trials) = (0, 0, 400);
    for _ in 0..trials {
        let flags = shared.apply(&mut batch.clone(), &mut rng_a);
        assert!(flags == [true; 3] || flags == [false; 3], "{flags:?}");
        hits += usize::from(flags[0]);
        let own = step.apply(&mut batch.clone(), &mut rng_b);
        split_decisions += usize::from(own.iter().any(|&f| f != own[0]));
    }
    // Binomial(400, 1/2): sd 10, so [150, 250] is 5 sd wide on each side.
    assert!((150..=250).contains(&hits), "{hits} of {trials}");
    // With a coin per modality, P(not all equal) = 3/4: 300 expected, sd ≈ 8.7.
    assert!(split_decisions > 250, "{split_decisions} of {trials}");
    // In a run, the switch changes the pre-training.
    let epochs = |r: &mmssl::train::RunReport| r.pretrain.clone().unwrap().epochs;
    let switched = report(&with(cfg.clone(), "one_augmentation_coin"));
    assert_ne!(epochs(&switched), epochs(&report(&cfg)));
}

#[test]
fn reduce_lr_on_plateau_steps_as_pytorch_does() {
    use mmssl::train::ReduceLrOnPlateau;
    // Worked by hand from torch.optim.lr_scheduler.ReduceLROnPlateau.step (mode min, threshold
    // 1e-4 rel, patience 2, cooldown 2, factor 0.5, min_lr 2.5e-5), starting at 1e-3:
    // epoch 0, 1 improve; 2, 3, 4 do not → 3 bad epochs > 2 → 5e-4 and a 2-epoch cooldown
    // (epochs 5, 6 count no bad epochs; 9.0 does not beat 9 · (1 − 1e-4)); 7, 8, 9 bad → 2.5e-4.
    let losses = [10.0, 9.0, 9.5, 9.2, 9.1, 9.0, 9.3, 9.4, 9.5, 9.6];
    let want = [1e-3, 1e-3, 1e-3, 1e-3, 5e-4, 5e-4, 5e-4, 5e-4, 5e-4, 2.5e-4];
    let mut schedule = ReduceLrOnPlateau::released_ssl();
    let mut lr = 1e-3;
    for (loss, want) in losses.iter().zip(want) {
        lr = schedule.step(*loss, lr);
        assert_abs_diff_eq!(lr, want, epsilon = 1e-15);
    }
    // min_lr bounds a reduction; one that would raise the rate (the text's 3e-6 is below
    // min_lr) is not applied.
    for (start, floor) in [(4e-5, 2.5e-5), (3e-6, 3e-6)] {
        let mut schedule = ReduceLrOnPlateau::released_ssl();
        let lr = (0..4).fold(start, |lr, _| schedule.step(1.0, lr));
        assert_abs_diff_eq!(lr, floor, epsilon = 1e-15);
    }
}

#[test]
fn the_ssl_plateau_switch_validates_on_augmented_views_without_changing_training() {
    let text = tiny(Methodology::SslFinetune);
    let switched = report(&with(text.clone(), "ssl_plateau_on_augmented_validation"));
    let plain = report(&text);
    let (on, off) = (
        switched.pretrain.unwrap().epochs,
        plain.pretrain.unwrap().epochs,
    );
    assert!(off.iter().all(|e| e.valid_loss.is_none() && e.lr.is_none()));
    for (a, b) in on.iter().zip(&off) {
        let loss = a.valid_loss.expect("a validation loss per epoch");
        assert!(loss.is_finite() && loss > 0.0, "{loss}");
        // Two epochs cannot trigger patience 2: the rate stays, and validation (own stream, no
        // step, evaluation mode) leaves training as it was.
        assert_eq!(a.lr, Some(text.ssl.lr));
        let strip = |e: &mmssl::train::SslEpochLog| mmssl::train::SslEpochLog {
            valid_loss: None,
            lr: None,
            ..e.clone()
        };
        assert_eq!(strip(a), *b);
    }
}

#[test]
fn released_seqaug_permutes_text_only_over_the_batch_size_of_padded_steps() {
    use mmssl::augment::{RandomApply, SeqAug, Transform};
    use mmssl::rng::rng_for;
    let cfg = tiny(Methodology::SslFinetune);
    let data = cfg.load_data().unwrap();
    let seqaug = Transform::SeqAug(SeqAug {
        alpha: [0.5, 0.5, 0.5],
        std: 0.0,
    });
    let step = RandomApply::new(seqaug, 1.0).unwrap().seqaug_as_released();
    let steps = data.train.steps();
    // batch 8 < 50 steps: only the first 8 steps move; batch 64 > 50: every padded step can.
    for batch_size in [8, 64] {
        let batch = data
            .train
            .batches(batch_size, None, false)
            .unwrap()
            .next()
            .unwrap();
        let mut out = batch.clone();
        step.apply(&mut out, &mut rng_for(3, &[1]));
        assert_eq!(out.modalities[1], batch.modalities[1], "audio untouched");
        assert_eq!(out.modalities[2], batch.modalities[2], "visual untouched");
        let span = batch_size.min(steps);
        let (before, after) = (&batch.modalities[0], &out.modalities[0]);
        let dims = before.dims();
        let mut padding_filled = false;
        for i in 0..batch.lengths.len() {
            let (a, b) = (before.sample(i), after.sample(i));
            assert_eq!(
                a[span * dims..],
                b[span * dims..],
                "steps past the batch size stay"
            );
            for d in 0..dims {
                // each feature's values over the permuted span are a permutation of the original
                let mut x: Vec<f32> = (0..span).map(|t| a[t * dims + d]).collect();
                let mut y: Vec<f32> = (0..span).map(|t| b[t * dims + d]).collect();
                x.sort_by(f32::total_cmp);
                y.sort_by(f32::total_cmp);
                assert_eq!(x, y, "sample {i} feature {d}");
            }
            let len = batch.lengths[i];
            padding_filled |=
                (len..span).any(|t| b[t * dims..(t + 1) * dims].iter().any(|&v| v != 0.0));
        }
        if span == steps {
            assert!(
                padding_filled,
                "batch {batch_size}: real values moved into the padding"
            );
        }
    }
    // In a run with SeqAug, the switch changes the pre-training.
    let mut with_seqaug = cfg.clone();
    with_seqaug.ssl.augment.order = vec![mmssl::augment::AugmentKind::SeqAug];
    let epochs = |r: &mmssl::train::RunReport| r.pretrain.clone().unwrap().epochs;
    let switched = report(&with(with_seqaug.clone(), "seqaug_text_only_batch_length"));
    assert_ne!(epochs(&switched), epochs(&report(&with_seqaug)));
}

#[test]
fn front_padding_moves_each_samples_real_steps_to_the_end_and_masks_nothing() {
    use mmssl::data::HostBatch;
    let text = tiny(Methodology::Supervised);
    let switched = with(text.clone(), "front_padding_unmasked");
    let (a, b) = (text.load_data().unwrap(), switched.load_data().unwrap());
    let steps = a.train.steps();
    let mut shorter = 0;
    for (sa, sb) in [
        (&a.train, &b.train),
        (&a.valid, &b.valid),
        (&a.test, &b.test),
    ] {
        for (i, &len) in sa.lengths.iter().enumerate() {
            assert_eq!(sb.lengths[i], steps, "every length is the padded length");
            shorter += usize::from(len < steps);
            for (ma, mb) in sa.modalities.iter().zip(&sb.modalities) {
                let d = ma.dims();
                let (xa, xb) = (ma.sample(i), mb.sample(i));
                assert_eq!(&xb[(steps - len) * d..], &xa[..len * d], "sample {i}");
                assert!(xb[..(steps - len) * d].iter().all(|&v| v == 0.0));
            }
        }
        assert_eq!(sa.labels, sb.labels);
    }
    assert!(shorter > 0, "the stand-in has padded samples to move");
    // Batches are neither truncated nor masked.
    let batch = HostBatch::gather(&b.train, &[0, 1, 2, 3])
        .to_device(&Device::Cpu)
        .unwrap();
    assert_eq!(batch.mask.dims(), [4, steps]);
    assert_eq!(
        batch.mask.sum_all().unwrap().to_scalar::<f32>().unwrap(),
        (4 * steps) as f32
    );
    assert_ne!(report(&switched).test, report(&text).test);
}

/// The released fusion computed sample by sample from its parts, independently of the
/// crate's batched reversal: the forward LSTM over the padded sequence, the backward LSTM over
/// the real steps only (sliced and reversed on the host), zeros at padded steps, then the
/// self-attention over real keys, summed over every row.
#[test]
fn the_released_fusion_equals_a_per_sample_packed_bidirectional_lstm_with_summed_attention() {
    use candle_core::{DType, IndexOp};
    use candle_nn::{Module, VarBuilder, VarMap};
    use mmssl::model::{key_bias, Attention, Dropout, DropoutStream, Fusion, FusionNet, Lstm};
    let mut cfg = tiny(Methodology::Supervised).model;
    cfg.fusion = Fusion::BidirectionalAttentionSum;
    let (h, input) = (cfg.fusion_hidden, cfg.fusion_input_dim());
    let dev = Device::Cpu;
    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F64, &dev);
    let dropout = Dropout::new(0.0, &DropoutStream::new(0));
    let net = FusionNet::new(&cfg, &dropout, vb.pp("f")).unwrap();
    assert_eq!(net.dim(), 2 * h);
    // The same variables, as independent parts.
    let fwd = Lstm::new(input, h, vb.pp("f").pp("lstm")).unwrap();
    let bwd = Lstm::new(input, h, vb.pp("f").pp("lstm_reverse")).unwrap();
    let att = Attention::new(2 * h, 2 * h, 2 * h, &dropout, vb.pp("f").pp("attention")).unwrap();
    let (steps, lens) = (6usize, [6u32, 3, 1]);
    let mut x = Tensor::randn(0.0, 1.0, (3, steps, input), &dev).unwrap();
    let mask_rows: Vec<f64> = lens
        .iter()
        .flat_map(|&l| (0..steps).map(move |t| f64::from(u8::from(t < l as usize))))
        .collect();
    let mask = Tensor::from_vec(mask_rows, (3, steps), &dev).unwrap();
    x = x.broadcast_mul(&mask.unsqueeze(2).unwrap()).unwrap();
    let lengths = Tensor::new(&lens, &dev).unwrap();
    let bias = key_bias(&mask).unwrap();
    let got = net.forward_t(&x, &mask, &lengths, &bias, false).unwrap();
    for (b, &len) in lens.iter().enumerate() {
        let len = len as usize;
        let xb = x.i(b..b + 1).unwrap();
        let real = mask.i(b..b + 1).unwrap().unsqueeze(2).unwrap();
        let f = fwd.forward(&xb).unwrap().broadcast_mul(&real).unwrap();
        let rev: Vec<u32> = (0..len as u32).rev().collect();
        let rev = Tensor::new(rev.as_slice(), &dev).unwrap();
        let r = bwd
            .forward(&xb.i((.., ..len)).unwrap().index_select(&rev, 1).unwrap())
            .unwrap()
            .index_select(&rev, 1)
            .unwrap();
        let r = Tensor::cat(
            &[
                r,
                Tensor::zeros((1, steps - len, h), DType::F64, &dev).unwrap(),
            ],
            1,
        )
        .unwrap();
        let states = Tensor::cat(&[f, r], 2).unwrap();
        let want = att
            .forward_t(&states, &states, &bias.i(b..b + 1).unwrap(), false)
            .unwrap()
            .sum(1)
            .unwrap();
        let (want, got_b) = (
            want.flatten_all().unwrap().to_vec1::<f64>().unwrap(),
            got.i(b).unwrap().to_vec1::<f64>().unwrap(),
        );
        for (w, g) in want.iter().zip(&got_b) {
            // f64, the same operations in another order: agreement to rounding.
            assert_abs_diff_eq!(w, g, epsilon = 1e-10);
        }
    }
}

/// Sum pooling depends on the amount of padding a batch carries (its padded rows attend to the
/// real keys and are summed); the text's last-step pooling does not.
#[test]
fn only_the_released_fusion_depends_on_the_amount_of_padding() {
    use mmssl::data::{HostBatch, Sequences};
    let text = tiny(Methodology::Supervised);
    let data = text.load_data().unwrap();
    let hb = HostBatch::gather(&data.test, &[0, 1, 2]);
    let extra = 4;
    let mut padded = hb.clone();
    padded.modalities = hb.modalities.clone().map(|m| {
        let (n, t, d) = (m.len(), m.steps(), m.dims());
        let mut v = vec![0.0f32; n * (t + extra) * d];
        for i in 0..n {
            v[i * (t + extra) * d..][..t * d].copy_from_slice(m.sample(i));
        }
        Sequences::new(n, t + extra, d, v).unwrap()
    });
    for (cfg, depends) in [
        (text.clone(), false),
        (with(text, "bidirectional_fusion_attention_sum"), true),
    ] {
        let (model, _varmap) = mmssl::train::build_model(&cfg, &Device::Cpu).unwrap();
        let out = |b: &HostBatch| {
            let batch = b.to_device(&Device::Cpu).unwrap();
            let fused = model.encoder.forward_t(&batch, false).unwrap();
            assert_eq!(fused.dim(1).unwrap(), cfg.effective_model().fused_dim());
            fused.flatten_all().unwrap().to_vec1::<f32>().unwrap()
        };
        let (a, b) = (out(&hb), out(&padded));
        let gap = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max);
        if depends {
            assert!(gap > 1e-3, "summed padded rows must show: {gap}");
        } else {
            // Masked attention and a forward LSTM: padding changes at most the summation order.
            assert!(gap < 1e-5, "last-step pooling ignores padding: {gap}");
        }
    }
}

/// The released SeqAug resamples each dimension by its own coin at the sample's fraction: the
/// number of resampled dimensions is binomial (mean fraction · dims, sd √(dims · f · (1 − f))),
/// where the text resamples exactly round(fraction · dims).
#[test]
fn released_seqaug_resamples_each_dimension_by_its_own_coin() {
    use mmssl::augment::SeqAug;
    use mmssl::data::{Modality, Sequences};
    use mmssl::rng::rng_for;
    let (n, steps, dims) = (400usize, 6usize, 40usize);
    // Distinct values everywhere: a resampled dimension changes unless its permutation is the
    // identity (probability 1/6! = 0.0014 per sample), so changed dimensions count picked ones.
    let values: Vec<f32> = (0..n * steps * dims).map(|i| i as f32).collect();
    let original = Sequences::new(n, steps, dims, values).unwrap();
    let seqaug = SeqAug {
        alpha: [0.25, 0.25, 0.25],
        std: 0.0,
    };
    let lengths = vec![steps; n];
    let changed = |out: &Sequences| -> Vec<usize> {
        (0..n)
            .map(|i| {
                let (a, b) = (original.sample(i), out.sample(i));
                (0..dims)
                    .filter(|&d| (0..steps).any(|t| a[t * dims + d] != b[t * dims + d]))
                    .count()
            })
            .collect()
    };
    let mut text = original.clone();
    seqaug.apply(Modality::Text, &mut text, &lengths, &mut rng_for(9, &[1]));
    let exact = changed(&text);
    assert!(
        exact.iter().all(|&c| c <= 10),
        "the text resamples round(0.25 · 40) = 10"
    );
    assert!(exact.iter().filter(|&&c| c == 10).count() >= n - 5);
    let mut released = original.clone();
    seqaug.apply_released(
        Modality::Text,
        &mut released,
        &lengths,
        &mut rng_for(9, &[1]),
    );
    let coins = changed(&released);
    let mean = coins.iter().sum::<usize>() as f64 / n as f64;
    // Binomial(40, 0.25): mean 10, sd √7.5 ≈ 2.74; the mean of 400 within 4 standard errors
    // (0.55) of 10 (minus the rare identity permutations), and the counts spread.
    assert!(
        (mean - 10.0).abs() < 4.0 * 7.5f64.sqrt() / (n as f64).sqrt(),
        "{mean}"
    );
    let var = coins
        .iter()
        .map(|&c| (c as f64 - mean).powi(2))
        .sum::<f64>()
        / (n - 1) as f64;
    assert!(
        (4.0..11.0).contains(&var),
        "binomial variance 7.5, got {var}"
    );
    // Both keep each feature's values over the span, only reordered.
    for i in 0..n {
        for d in 0..dims {
            let mut x: Vec<f32> = (0..steps)
                .map(|t| original.sample(i)[t * dims + d])
                .collect();
            let mut y: Vec<f32> = (0..steps)
                .map(|t| released.sample(i)[t * dims + d])
                .collect();
            x.sort_by(f32::total_cmp);
            y.sort_by(f32::total_cmp);
            assert_eq!(x, y);
        }
    }
}
