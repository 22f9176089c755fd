//! The related work's optimisation choices for both phases: learning-rate schedules against
//! hand-computed values, AdamW's decoupled decay against its formula, the RMSE + CCC loss
//! against the metrics' independent f64 implementation and finite differences, and each option
//! as a run and the command line use it; the defaults leave configs (and so run keys) unchanged.

mod common;
use approx::assert_relative_eq;
use candle_core::{DType, Device, Tensor, Var};
use mmssl::loss::{rmse_ccc_loss, SupervisedLoss};
use mmssl::metrics::{ccc, rmse};
use mmssl::train::{adam, run, LrSchedule, Methodology, Progress, RunConfig, ScheduleKind};
use proptest::prelude::*;
use std::f64::consts::FRAC_1_SQRT_2;

fn schedule(kind: ScheduleKind) -> LrSchedule {
    LrSchedule {
        kind,
        ..LrSchedule::default()
    }
}

fn rates(s: &LrSchedule, base: f64, epochs: usize) -> Vec<f64> {
    (0..epochs)
        .map(|e| s.rate(base, e, epochs).unwrap())
        .collect()
}

#[test]
fn cosine_restarts_match_a_hand_computed_schedule() {
    // T_0 = 2, T_mult = 2: cycles of 2, 4 and 8 epochs starting at epochs 0, 2 and 6;
    // (1 + cos(π t / T)) / 2 at t / T = 0, 1/2 | 0, 1/4, 1/2, 3/4 | 0, 1/8.
    let s = LrSchedule {
        restart_epochs: 2,
        restart_mult: 2,
        ..schedule(ScheduleKind::CosineRestarts)
    };
    let quarter = (1.0 + FRAC_1_SQRT_2) / 2.0; // 0.853553…
    let eighth = (1.0 + (std::f64::consts::PI / 8.0).cos()) / 2.0; // 0.961940…
    let expected = [1.0, 0.5, 1.0, quarter, 0.5, 1.0 - quarter, 1.0, eighth];
    for (got, want) in rates(&s, 1.0, 8).iter().zip(expected) {
        assert_relative_eq!(*got, want, epsilon = 1e-12);
    }
    // Equal cycles (T_mult = 1) with a floor: η_min + (base − η_min) · the same factors.
    let floor = LrSchedule {
        restart_epochs: 4,
        min_lr: 0.1,
        ..schedule(ScheduleKind::CosineRestarts)
    };
    let expected = [
        1.0,
        0.1 + 0.9 * quarter,
        0.55,
        0.1 + 0.9 * (1.0 - quarter),
        1.0,
    ];
    for (got, want) in rates(&floor, 1.0, 5).iter().zip(expected) {
        assert_relative_eq!(*got, want, epsilon = 1e-12);
    }
}

#[test]
fn warmup_cosine_matches_a_hand_computed_schedule() {
    // W = 2 of E = 6 epochs at base 0.4: 0.2, 0.4, then 0.4 · (1 + cos(π k / 4)) / 2, k = 0…3.
    let s = LrSchedule {
        warmup_epochs: 2,
        ..schedule(ScheduleKind::WarmupCosine)
    };
    let quarter = (1.0 + FRAC_1_SQRT_2) / 2.0;
    let expected = [0.2, 0.4, 0.4, 0.4 * quarter, 0.2, 0.4 * (1.0 - quarter)];
    for (got, want) in rates(&s, 0.4, 6).iter().zip(expected) {
        assert_relative_eq!(*got, want, epsilon = 1e-12);
    }
    assert_eq!(LrSchedule::default().rate(0.4, 3, 6), None);
}

#[test]
fn schedule_settings_are_checked_naming_the_key() {
    let cases = [
        (
            LrSchedule {
                min_lr: 1e-5,
                ..LrSchedule::default()
            },
            "k.min_lr has no effect with k.kind = \"thesis\"",
        ),
        (
            LrSchedule {
                warmup_epochs: 3,
                ..schedule(ScheduleKind::CosineRestarts)
            },
            "k.warmup_epochs has no effect",
        ),
        (
            LrSchedule {
                min_lr: 2.0,
                ..schedule(ScheduleKind::CosineRestarts)
            },
            "k.min_lr must be in [0, 1]",
        ),
        (
            LrSchedule {
                restart_epochs: 0,
                ..schedule(ScheduleKind::CosineRestarts)
            },
            "k.restart_epochs and k.restart_mult must be at least 1",
        ),
        (
            schedule(ScheduleKind::WarmupCosine),
            "k.warmup_epochs must be at least 1 and below the phase's 10 epochs, got 10",
        ),
    ];
    for (s, message) in cases {
        let err = s.validate("k", 1.0, 10).unwrap_err();
        assert!(err.contains(message), "{err}");
    }
    assert!(schedule(ScheduleKind::CosineRestarts)
        .validate("k", 1.0, 10)
        .is_ok());

    let mut cfg = common::tiny_config(Methodology::SslFinetune);
    cfg.ssl.schedule = schedule(ScheduleKind::CosineRestarts);
    cfg.fidelity.ssl_plateau_on_augmented_validation = true;
    let err = cfg.validate().unwrap_err().to_string();
    assert!(err.contains("choose one"), "{err}");
    let mut cfg = common::tiny_config(Methodology::Supervised);
    cfg.supervised.weight_decay = -1e-4;
    let err = cfg.validate().unwrap_err().to_string();
    assert!(
        err.contains("supervised.weight_decay must be a finite number ≥ 0"),
        "{err}"
    );
    // The supervised schedule also sets the linear heads' rate: its warm-up must fit both.
    let mut cfg = common::tiny_config(Methodology::SupervisedLinear);
    cfg.supervised.schedule = LrSchedule {
        warmup_epochs: 5,
        ..schedule(ScheduleKind::WarmupCosine)
    };
    let err = cfg.validate().unwrap_err().to_string();
    assert!(err.contains("below the phase's 3 epochs, got 5"), "{err}");
}

#[test]
fn adamw_decays_each_weight_by_lr_times_decay_beside_adam() {
    // The same gradient under decay 0 and under decay λ: AdamW's decoupled step differs from
    // Adam's by exactly −lr · λ · θ (Loshchilov & Hutter 2019, algorithm 2, line 12).
    let device = Device::Cpu;
    let theta = [0.5f32, -2.0, 3.0];
    let slope = Tensor::from_slice(&[1.0f32, -0.5, 2.0], 3, &device).unwrap();
    let (lr, decay) = (1e-2, 0.1);
    let step = |weight_decay: f64| {
        let var = Var::from_slice(&theta, 3, &device).unwrap();
        let mut opt = adam(vec![("w".into(), var.clone())], lr, weight_decay).unwrap();
        let loss = (var.as_tensor() * &slope).unwrap().sum_all().unwrap();
        candle_nn::Optimizer::backward_step(&mut opt, &loss).unwrap();
        var.as_tensor().to_vec1::<f32>().unwrap()
    };
    let (plain, decayed) = (step(0.0), step(decay));
    for ((d, p), t) in decayed.iter().zip(&plain).zip(theta) {
        // f32 rounding of values ≤ 3: a few ulps, ≈ 1e-6.
        assert_relative_eq!(*d - *p, -(lr * decay) as f32 * t, epsilon = 2e-6);
    }
    // Adam's first step moves each weight by lr against its gradient's sign.
    for (p, t) in plain.iter().zip(theta) {
        assert_relative_eq!((*p - t).abs(), lr as f32, max_relative = 1e-4);
    }
}

fn tensor(v: &[f64], dtype: DType) -> Tensor {
    Tensor::from_slice(v, v.len(), &Device::Cpu)
        .unwrap()
        .to_dtype(dtype)
        .unwrap()
}

proptest! {
    /// The loss equals RMSE + 1 − CCC of the metrics module (f64, its own two-pass moments) up
    /// to the ε terms and f32 rounding (1e-4 absolute: ε adds ≤ √1e-8 = 1e-4 to the RMSE of an
    /// exact prediction and less otherwise), and is ≥ 0.
    #[test]
    fn rmse_ccc_loss_matches_the_metrics(
        pairs in prop::collection::vec((-3.0f64..3.0, -3.0f64..3.0), 2..40)
    ) {
        let (p, y): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
        let got = rmse_ccc_loss(&tensor(&p, DType::F32), &tensor(&y, DType::F32))
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        let want = rmse(&p, &y) + 1.0 - ccc(&p, &y).unwrap_or(0.0);
        prop_assert!((f64::from(got) - want).abs() < 2e-4, "{got} vs {want}");
        prop_assert!(got >= 0.0);
    }
}

#[test]
fn rmse_ccc_gradient_matches_finite_differences() {
    let p = [0.3, -1.2, 2.0, 0.7, -0.4];
    let y = [0.0, -1.0, 1.5, 1.0, -2.0];
    let labels = tensor(&y, DType::F64);
    let loss_at = |p: &[f64]| {
        rmse_ccc_loss(&tensor(p, DType::F64), &labels)
            .unwrap()
            .to_scalar::<f64>()
            .unwrap()
    };
    let var = Var::from_slice(&p, p.len(), &Device::Cpu).unwrap();
    let loss = rmse_ccc_loss(var.as_tensor(), &labels).unwrap();
    let grads = loss.backward().unwrap();
    let analytic = grads.get(&var).unwrap().to_vec1::<f64>().unwrap();
    let h = 1e-6;
    for i in 0..p.len() {
        let (mut up, mut down) = (p, p);
        up[i] += h;
        down[i] -= h;
        let numeric = (loss_at(&up) - loss_at(&down)) / (2.0 * h);
        // Central differences in f64: error O(h²) plus rounding ≈ 1e-16 / h.
        assert_relative_eq!(analytic[i], numeric, epsilon = 1e-8, max_relative = 1e-6);
    }
    // One sample predicted exactly: finite loss (≈ √ε) and gradient, no NaN.
    let one = Var::from_slice(&[0.5f32], 1, &Device::Cpu).unwrap();
    let loss = rmse_ccc_loss(one.as_tensor(), &tensor(&[0.5], DType::F32)).unwrap();
    let g = loss
        .backward()
        .unwrap()
        .get(&one)
        .unwrap()
        .to_vec1::<f32>()
        .unwrap();
    assert!(loss.to_scalar::<f32>().unwrap().is_finite() && g[0].is_finite());
}

fn report(cfg: &RunConfig) -> mmssl::train::RunReport {
    let data = cfg.data.load().unwrap();
    run(cfg, &data, &Device::Cpu, &Progress::quiet()).unwrap().2
}

#[test]
fn each_option_changes_a_run_and_the_defaults_change_no_config() {
    let base_cfg = common::tiny_config(Methodology::SslFinetune);
    let toml = RunConfig::default().to_toml();
    for key in ["loss =", "weight_decay", "schedule"] {
        assert!(
            !toml.contains(key),
            "the default config writes {key}:\n{toml}"
        );
    }
    let base = report(&base_cfg);
    let mut variants = Vec::new();
    let mut cfg = base_cfg.clone();
    cfg.supervised.loss = SupervisedLoss::RmseCcc;
    variants.push(("supervised.loss", cfg));
    let mut cfg = base_cfg.clone();
    cfg.supervised.weight_decay = 0.5;
    variants.push(("supervised.weight_decay", cfg));
    let mut cfg = base_cfg.clone();
    cfg.ssl.weight_decay = 0.5;
    variants.push(("ssl.weight_decay", cfg));
    let mut cfg = base_cfg.clone();
    // Two epochs at the base rate and half of it (a constant rate would run both at the base).
    cfg.ssl.schedule = LrSchedule {
        restart_epochs: 2,
        ..schedule(ScheduleKind::CosineRestarts)
    };
    variants.push(("ssl.schedule", cfg));
    for (what, cfg) in &variants {
        cfg.validate().unwrap();
        let r = report(cfg);
        assert!(r.test.mae.is_finite(), "{what}: {:?}", r.test);
        assert_ne!(r.test.mae, base.test.mae, "{what} changed nothing");
        assert_eq!(
            RunConfig::from_toml(&cfg.to_toml()).unwrap(),
            *cfg,
            "{what}"
        );
    }
    // The supervised schedule sets each epoch's logged rate (no plateau halving under it).
    let mut cfg = common::tiny_config(Methodology::Supervised);
    cfg.supervised.patience = 10;
    cfg.supervised.schedule = LrSchedule {
        restart_epochs: 2,
        ..schedule(ScheduleKind::CosineRestarts)
    };
    let r = report(&cfg);
    let logged: Vec<f64> = r.finetune.iter().map(|e| e.lr).collect();
    let lr = cfg.supervised.lr;
    let expected: Vec<f64> = (0..logged.len())
        .map(|e| cfg.supervised.schedule.rate(lr, e, 3).unwrap())
        .collect();
    assert_eq!(logged.len(), 3);
    for (got, want) in logged.iter().zip(&expected) {
        assert_relative_eq!(*got, *want, max_relative = 1e-12);
    }
    assert_relative_eq!(logged[1], lr / 2.0, max_relative = 1e-12);
}

#[test]
fn the_command_line_sets_each_option() {
    let out = common::tmp_in("optimisation", "cli");
    let dir = out.join("run");
    let mut base = vec![
        "train",
        "--methodology",
        "supervised",
        "--out",
        common::s(&dir),
        "--set",
        "supervised.loss=rmse-ccc",
        "--set",
        "supervised.weight_decay=1e-4",
        "--set",
        "supervised.schedule.kind=cosine-restarts",
        "--set",
        "supervised.schedule.restart_epochs=1",
    ];
    base.extend_from_slice(common::TINY_CLI);
    let mut args = base.clone();
    args.extend([
        "--set",
        "ssl.schedule.kind=warmup-cosine",
        "--set",
        "ssl.schedule.warmup_epochs=0",
    ]);
    let failed = common::mmssl(&args);
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("ssl.schedule.warmup_epochs must be at least 1"),
        "{stderr}"
    );
    common::ok(&common::mmssl(&base));
    let config = std::fs::read_to_string(dir.join("config.toml")).unwrap();
    let cfg = RunConfig::from_toml(&config).unwrap();
    assert_eq!(cfg.supervised.loss, SupervisedLoss::RmseCcc);
    assert_eq!(cfg.supervised.weight_decay, 1e-4);
    assert_eq!(cfg.supervised.schedule.kind, ScheduleKind::CosineRestarts);
    assert_eq!(cfg.supervised.schedule.restart_epochs, 1);
    // Cycles of one epoch: every epoch runs at the base rate.
    let metrics: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("metrics.json")).unwrap()).unwrap();
    for epoch in metrics["finetune"].as_array().unwrap() {
        assert_eq!(epoch["lr"].as_f64().unwrap(), cfg.supervised.lr);
    }
}
