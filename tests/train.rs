//! Training methodologies (thesis 7.1) on tiny synthetic data and a tiny model: every
//! methodology runs end to end, frozen weights stay frozen, supervised training lowers the valid
//! loss, pre-training lowers the Barlow Twins loss, and runs are deterministic.

mod common;
use candle_core::{Device, Tensor};
use candle_nn::VarMap;
use mmssl::data::{shuffled_order, Dataset};
use mmssl::metrics::mae;
use mmssl::model::{vars_with_prefix, ENCODER_PREFIX, HEAD_PREFIX};
use mmssl::train::{
    build_model, encode_split, finetune_phase, least_squares, linear_predictions, predict,
    pretrain_phase, run, split_metrics, Features, Methodology, Progress, RunConfig, PROBE_RIDGE,
};

fn tiny(methodology: Methodology) -> RunConfig {
    common::tiny_config(methodology)
}

fn values(varmap: &VarMap, prefix: &str) -> Vec<Vec<f32>> {
    vars_with_prefix(varmap, prefix)
        .iter()
        .map(|v| {
            v.as_tensor()
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap()
        })
        .collect()
}

fn data(cfg: &RunConfig) -> Dataset {
    cfg.data.load().unwrap()
}

#[test]
fn every_methodology_runs_end_to_end() {
    for m in Methodology::ALL {
        let cfg = tiny(m);
        let (_, _, report) = run(&cfg, &data(&cfg), &Device::Cpu, &Progress::quiet()).unwrap();
        assert_eq!(report.config.methodology, m);
        assert_eq!(
            report.pretrain.as_ref().map_or(0, |p| p.epochs.len()),
            if m.pretrains() { 2 } else { 0 }
        );
        let cap = if m.linear() {
            cfg.supervised.head_max_epochs
        } else {
            cfg.supervised.max_epochs
        };
        assert!(!report.finetune.is_empty() && report.finetune.len() <= cap);
        assert!(report.best_epoch < report.finetune.len());
        assert_eq!(report.test.n, data(&cfg).test.len());
        assert!(report.test.mae.is_finite(), "{m}: {:?}", report.test);
    }
}

#[test]
fn linear_evaluation_freezes_the_encoder() {
    for m in [Methodology::SupervisedLinear, Methodology::SslLinear] {
        let cfg = tiny(m);
        let data = data(&cfg);
        let device = Device::Cpu;
        let (model, varmap) = build_model(&cfg, &device).unwrap();
        let pretrained = m.pretrains().then(|| {
            pretrain_phase(&model, &varmap, &cfg, &data, &device, &Progress::quiet()).unwrap()
        });
        let encoder_before = values(&varmap, ENCODER_PREFIX);
        let head_before = values(&varmap, HEAD_PREFIX);
        finetune_phase(
            &model,
            &varmap,
            &cfg,
            &data,
            pretrained,
            &device,
            &Progress::quiet(),
        )
        .unwrap();
        assert_eq!(
            values(&varmap, ENCODER_PREFIX),
            encoder_before,
            "{m}: encoder moved"
        );
        assert_ne!(
            values(&varmap, HEAD_PREFIX),
            head_before,
            "{m}: head did not train"
        );
    }
}

#[test]
fn fine_tuning_moves_the_encoder() {
    let cfg = tiny(Methodology::Supervised);
    let data = data(&cfg);
    let (model, varmap) = build_model(&cfg, &Device::Cpu).unwrap();
    let before = values(&varmap, ENCODER_PREFIX);
    finetune_phase(
        &model,
        &varmap,
        &cfg,
        &data,
        None,
        &Device::Cpu,
        &Progress::quiet(),
    )
    .unwrap();
    assert_ne!(values(&varmap, ENCODER_PREFIX), before);
}

#[test]
fn supervised_training_lowers_the_valid_loss() {
    let mut cfg = tiny(Methodology::Supervised);
    cfg.data.synthetic.scale = 0.03;
    cfg.supervised.max_epochs = 5;
    cfg.supervised.lr = 3e-3;
    let data = data(&cfg);
    let device = Device::Cpu;
    let (model, varmap) = build_model(&cfg, &device).unwrap();
    let untrained = split_metrics(&model, &data.valid, &device).unwrap().mae;
    let report = finetune_phase(
        &model,
        &varmap,
        &cfg,
        &data,
        None,
        &device,
        &Progress::quiet(),
    )
    .unwrap();
    let best = report.finetune[report.best_epoch].valid_loss;
    assert!(
        best < 0.9 * untrained,
        "valid MAE {untrained:.3} -> {best:.3}"
    );
    // the restored weights are the best epoch's: re-evaluating gives its valid loss
    let restored = split_metrics(&model, &data.valid, &device).unwrap().mae;
    assert!((restored - best).abs() < 1e-6, "{restored} vs {best}");
}

#[test]
fn pretraining_lowers_the_barlow_twins_loss() {
    let mut cfg = tiny(Methodology::SslFinetune);
    cfg.ssl.epochs = 5;
    let data = data(&cfg);
    let (model, varmap) = build_model(&cfg, &Device::Cpu).unwrap();
    let pretrained = pretrain_phase(
        &model,
        &varmap,
        &cfg,
        &data,
        &Device::Cpu,
        &Progress::quiet(),
    )
    .unwrap();
    let log = &pretrained.epochs;
    let (first, last) = (log[0].loss, log[log.len() - 1].loss);
    assert!(
        last < 0.9 * first,
        "Barlow Twins loss {first:.3} -> {last:.3}"
    );
    // The diagnostics: the loss is its two terms; C's diagonal rose towards 1; the embeddings
    // did not collapse; the encoder moved, and more with every epoch.
    for e in log {
        assert!(
            (e.on_diagonal + e.off_diagonal - e.loss).abs() < 1e-3 * e.loss,
            "{e:?}"
        );
        assert!(e.embedding_std_min > 0.0 && e.embedding_std_min <= e.embedding_std_mean);
    }
    assert!(log[log.len() - 1].mean_diagonal > log[0].mean_diagonal);
    assert!(log
        .windows(2)
        .all(|w| w[1].displacement > w[0].displacement));
    assert!(log[0].displacement > 0.0);
    let probe = pretrained.probe.unwrap();
    assert!(probe.random.valid_mae.is_finite() && probe.pretrained.valid_mae.is_finite());
    assert_ne!(
        probe.random, probe.pretrained,
        "the probe sees the pre-trained encoder"
    );
}

#[test]
fn pretraining_at_a_negligible_rate_does_not_move_the_encoder() {
    let mut cfg = tiny(Methodology::SslFinetune);
    cfg.ssl.lr = 1e-9;
    let data = data(&cfg);
    let (model, varmap) = build_model(&cfg, &Device::Cpu).unwrap();
    let p = pretrain_phase(
        &model,
        &varmap,
        &cfg,
        &data,
        &Device::Cpu,
        &Progress::quiet(),
    )
    .unwrap();
    let moved = p.epochs.last().unwrap().displacement;
    // Adam moves each weight by at most ~lr per step: a few steps at 1e-9 against weights of
    // order 0.1 is a relative displacement far below 1e-6.
    assert!(moved < 1e-6, "{moved}");
    let probe = p.probe.unwrap();
    assert!(
        (probe.random.valid_mae - probe.pretrained.valid_mae).abs() < 1e-4,
        "{probe:?}"
    );
}

/// Least squares on hand-made 2-D features: y = 2·x₀ − x₁ + 0.5 exactly.
#[test]
fn least_squares_recovers_a_hand_worked_fit() {
    let xs = [
        [0.0f32, 0.0],
        [1.0, 0.0],
        [0.0, 1.0],
        [1.0, 1.0],
        [2.0, 1.0],
    ];
    let features = Features {
        rows: xs.len(),
        dim: 2,
        values: xs.iter().flatten().copied().collect(),
    };
    let y: Vec<f32> = xs.iter().map(|x| 2.0 * x[0] - x[1] + 0.5).collect();
    let (w, b) = least_squares((&features, &y), 0.0);
    assert!(
        (w[0] - 2.0).abs() < 1e-6 && (w[1] + 1.0).abs() < 1e-6 && (b - 0.5).abs() < 1e-6,
        "{w:?} {b}"
    );
    let pred = linear_predictions(&features, &(w, b));
    for (p, t) in pred.iter().zip(&y) {
        assert!((p - f64::from(*t)).abs() < 1e-6);
    }
}

/// The linear head, trained on cached features, is not a constant and reaches the closed-form
/// fit of the same features on valid.
#[test]
fn linear_head_reaches_the_closed_form_fit() {
    for m in [Methodology::SupervisedLinear, Methodology::SslLinear] {
        let mut cfg = tiny(m);
        cfg.data.synthetic.scale = 0.05;
        let data = data(&cfg);
        let device = Device::Cpu;
        let (model, varmap) = build_model(&cfg, &device).unwrap();
        if m.pretrains() {
            pretrain_phase(&model, &varmap, &cfg, &data, &device, &Progress::quiet()).unwrap();
        }
        let train = encode_split(&model, &data.train, &device).unwrap();
        let valid = encode_split(&model, &data.valid, &device).unwrap();
        let report = finetune_phase(
            &model,
            &varmap,
            &cfg,
            &data,
            None,
            &device,
            &Progress::quiet(),
        )
        .unwrap();
        let head_mae = report.valid.mae;
        let fit = least_squares((&train, &data.train.labels), PROBE_RIDGE);
        let labels: Vec<f64> = data.valid.labels.iter().map(|&y| f64::from(y)).collect();
        let ls_mae = mae(&linear_predictions(&valid, &fit), &labels);
        let mean =
            data.train.labels.iter().map(|&y| f64::from(y)).sum::<f64>() / data.train.len() as f64;
        let constant_mae = mae(&vec![mean; labels.len()], &labels);
        // The check has teeth: the closed form clearly beats a constant on these features.
        assert!(
            ls_mae < constant_mae - 0.02,
            "{m}: LS {ls_mae:.4} vs constant {constant_mae:.4}"
        );
        // The head starts at the closed form and keeps an L1 epoch only if it improves valid MAE:
        // it is at least as good, up to the f32 rounding of the fitted weights (1e-3).
        assert!(
            head_mae <= ls_mae + 1e-3,
            "{m}: head {head_mae:.4} vs LS {ls_mae:.4}"
        );
        assert!(report.test.corr.unwrap() > 0.0, "{m}: {:?}", report.test);
        let preds = predict(&model, &data.test, &device).unwrap();
        assert!(
            preds.iter().any(|p| (p - preds[0]).abs() > 1e-3),
            "{m}: constant head"
        );
    }
}

/// Runs of one seed are paired: the same labeled subset, the same initial encoder (with or
/// without a projector) and the same supervised batch order, whatever the methodology.
#[test]
fn one_seed_pairs_every_methodology() {
    let sup = tiny(Methodology::Supervised);
    let data = data(&sup);
    let encoders: Vec<Vec<Vec<f32>>> = Methodology::ALL
        .iter()
        .map(|&m| {
            let (_, varmap) = build_model(&tiny(m), &Device::Cpu).unwrap();
            values(&varmap, ENCODER_PREFIX)
        })
        .collect();
    assert!(
        encoders.windows(2).all(|w| w[0] == w[1]),
        "initial encoders differ"
    );
    let subset = |m: Methodology| {
        let cfg = tiny(m);
        let s = data.train.labeled_fraction(0.3, cfg.seed).unwrap();
        s.labels.clone()
    };
    for m in Methodology::ALL {
        assert_eq!(
            subset(m),
            subset(Methodology::Supervised),
            "{m}: labeled subset"
        );
    }
    // Batch order depends only on (seed, epoch): Split::batches and the linear heads share it.
    let a: Vec<usize> = shuffled_order(50, 7);
    assert_eq!(a, shuffled_order(50, 7));
    assert_ne!(a, shuffled_order(50, 8));
    let first: Vec<f32> = data
        .train
        .batches(data.train.len(), Some(7), false)
        .unwrap()
        .next()
        .unwrap()
        .labels
        .clone();
    let by_order: Vec<f32> = shuffled_order(data.train.len(), 7)
        .iter()
        .map(|&i| data.train.labels[i])
        .collect();
    assert_eq!(first, by_order);
}

#[test]
fn same_seed_same_numbers() {
    let cfg = tiny(Methodology::SslFinetune);
    let data = data(&cfg);
    let report = |cfg: &RunConfig| {
        let (_, varmap, mut r) = run(cfg, &data, &Device::Cpu, &Progress::quiet()).unwrap();
        r.timing = Default::default();
        let weights: Vec<Tensor> = vars_with_prefix(&varmap, "")
            .iter()
            .map(|v| v.as_tensor().clone())
            .collect();
        (serde_json::to_string(&r).unwrap(), weights)
    };
    let (a, wa) = report(&cfg);
    let (b, wb) = report(&cfg);
    assert_eq!(a, b, "metrics JSON differs between two runs with one seed");
    for (x, y) in wa.iter().zip(&wb) {
        assert_eq!(
            x.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
            y.flatten_all().unwrap().to_vec1::<f32>().unwrap()
        );
    }
    let mut other = cfg.clone();
    other.seed = 4;
    assert_ne!(report(&other).0, a, "another seed gives other numbers");
}

#[test]
fn config_round_trips_and_rejects_unknown_fields() {
    let cfg = tiny(Methodology::SslLinear);
    assert_eq!(RunConfig::from_toml(&cfg.to_toml()).unwrap(), cfg);
    let err = RunConfig::from_toml("[supervised]\nlearning_rate = 1.0\n").unwrap_err();
    assert!(err.to_string().contains("learning_rate"), "{err}");
    let defaults = RunConfig::default();
    assert_eq!(
        (
            defaults.supervised.lr,
            defaults.supervised.batch_size,
            defaults.supervised.max_epochs,
            defaults.supervised.patience
        ),
        (3e-4, 32, 100, 10)
    );
    assert_eq!(
        (
            defaults.ssl.lr,
            defaults.ssl.batch_size,
            defaults.ssl.epochs,
            defaults.ssl.loss.lambda
        ),
        (3e-6, 170, 20, 2e-2)
    );
}
