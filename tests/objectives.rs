//! The pre-training objectives beyond Barlow Twins (`ssl.objective`): InfoNCE, SwAV, the
//! generative reconstruction and the multimodal InfoNCE against hand-worked values and
//! independent f64 implementations, the properties their definitions imply (bounds, marginals,
//! padding ignored, no NaN on degenerate inputs), finite-difference gradients, which variables
//! each trains, and each objective as a run and on the command line; the default leaves configs
//! unchanged.

mod common;
use approx::assert_relative_eq;
use candle_core::{DType, Device, Tensor, Var};
use candle_nn::VarMap;
use mmssl::loss::{
    multimodal_nt_xent_loss, nt_xent_loss, prototype_scores, reconstruction_loss, sinkhorn,
    swapped_prediction, swav_loss, Objective, SwavConfig,
};
use mmssl::model::{seeded_var_builder, Decoder, ModelConfig};
use mmssl::train::{
    build_model, objective_vars, pretrain, run, Methodology, Progress, RunConfig, DECODER_PREFIX,
    MODALITY_PROJECTION_PREFIX, SWAV_PROTOTYPES,
};
use proptest::prelude::*;

type Rows = Vec<Vec<f64>>;

fn tensor(rows: &Rows, dtype: DType) -> Tensor {
    let (n, d) = (rows.len(), rows[0].len());
    let flat: Vec<f64> = rows.iter().flatten().copied().collect();
    Tensor::from_vec(flat, (n, d), &Device::Cpu)
        .unwrap()
        .to_dtype(dtype)
        .unwrap()
}

fn scalar(t: &Tensor) -> f64 {
    t.to_dtype(DType::F64).unwrap().to_scalar::<f64>().unwrap()
}

fn rows_of(t: &Tensor) -> Rows {
    t.to_dtype(DType::F64).unwrap().to_vec2::<f64>().unwrap()
}

fn unit(v: &[f64]) -> Vec<f64> {
    let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    v.iter().map(|x| x / norm).collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// NT-Xent written from SimCLR's eq. 1 with loops: no shared code with the library's.
fn nt_xent_reference(a: &Rows, b: &Rows, tau: f64) -> f64 {
    let n = a.len();
    let u: Vec<Vec<f64>> = a.iter().chain(b).map(|r| unit(r)).collect();
    let mut total = 0.0;
    for i in 0..2 * n {
        let positive = (i + n) % (2 * n);
        let denominator: f64 = (0..2 * n)
            .filter(|&j| j != i)
            .map(|j| (dot(&u[i], &u[j]) / tau).exp())
            .sum();
        total -= ((dot(&u[i], &u[positive]) / tau).exp() / denominator).ln();
    }
    total / (2 * n) as f64
}

/// SwAV's Algorithm 1 `sinkhorn` with loops on `[K][N]`, returned as `[N][K]` (the column
/// normalisation walks an index across rows, hence the range loop).
#[allow(clippy::needless_range_loop)]
fn sinkhorn_reference(scores: &Rows, epsilon: f64, iterations: usize) -> Rows {
    let (n, k) = (scores.len(), scores[0].len());
    let mut q: Vec<Vec<f64>> = (0..k)
        .map(|p| (0..n).map(|b| (scores[b][p] / epsilon).exp()).collect())
        .collect();
    let total: f64 = q.iter().flatten().sum();
    q.iter_mut().flatten().for_each(|x| *x /= total);
    for _ in 0..iterations {
        for row in q.iter_mut() {
            let sum: f64 = row.iter().sum();
            row.iter_mut().for_each(|x| *x /= sum * k as f64);
        }
        for b in 0..n {
            let sum: f64 = (0..k).map(|p| q[p][b]).sum();
            (0..k).for_each(|p| q[p][b] /= sum * n as f64);
        }
    }
    (0..n)
        .map(|b| (0..k).map(|p| q[p][b] * n as f64).collect())
        .collect()
}

/// SwAV's loss with loops: cosine scores, codes, the swapped cross-entropies.
fn swav_reference(a: &Rows, b: &Rows, prototypes: &Rows, cfg: &SwavConfig) -> f64 {
    let c: Vec<Vec<f64>> = prototypes.iter().map(|r| unit(r)).collect();
    let scores = |z: &Rows| -> Rows {
        z.iter()
            .map(|r| c.iter().map(|p| dot(&unit(r), p)).collect())
            .collect()
    };
    let (s_a, s_b) = (scores(a), scores(b));
    let q_a = sinkhorn_reference(&s_a, cfg.epsilon, cfg.sinkhorn_iterations);
    let q_b = sinkhorn_reference(&s_b, cfg.epsilon, cfg.sinkhorn_iterations);
    let cross_entropy = |q: &Rows, s: &Rows| -> f64 {
        let mut total = 0.0;
        for (q_row, s_row) in q.iter().zip(s) {
            let lse = s_row
                .iter()
                .map(|x| (x / cfg.temperature).exp())
                .sum::<f64>()
                .ln();
            for (qk, sk) in q_row.iter().zip(s_row) {
                total -= qk * (sk / cfg.temperature - lse);
            }
        }
        total / q.len() as f64
    };
    0.5 * (cross_entropy(&q_b, &s_a) + cross_entropy(&q_a, &s_b))
}

fn rows_strategy(n: std::ops::Range<usize>, d: usize) -> impl Strategy<Value = (Rows, Rows)> {
    n.prop_flat_map(move |n| {
        let rows = || prop::collection::vec(prop::collection::vec(-2.0f64..2.0, d), n);
        (rows(), rows())
    })
}

#[test]
fn nt_xent_matches_the_hand_worked_bound() {
    // Identical views, mutually orthogonal rows: log(1 + (2N − 2) e^{−1/τ}). Tolerance 1e-10:
    // NORM_EPS = 1e-12 under the norms' square roots shifts each cosine by ~1e-13 relative; and
    // the loss is a difference of terms ≈ 1/τ, so an absolute 1e-13 (~ a few ulps of 1/τ).
    let z: Rows = (0..3)
        .map(|i| (0..4).map(|j| if i == j { 2.0 } else { 0.0 }).collect())
        .collect();
    for tau in [0.5, 0.2, 0.05] {
        let got =
            scalar(&nt_xent_loss(&tensor(&z, DType::F64), &tensor(&z, DType::F64), tau).unwrap());
        assert_relative_eq!(
            got,
            (1.0 + 4.0 * (-1.0 / tau).exp()).ln(),
            epsilon = 1e-13,
            max_relative = 1e-10
        );
    }
    // Aligned and well separated: the loss approaches its lower bound 0 as τ → 0.
    let at =
        |tau| scalar(&nt_xent_loss(&tensor(&z, DType::F32), &tensor(&z, DType::F32), tau).unwrap());
    assert!(at(0.05) < 1e-6, "{}", at(0.05));
    // Identical embeddings everywhere: every similarity is equal, the loss is log(2N − 1).
    let constant = vec![vec![0.3, -1.0, 0.5, 2.0]; 5];
    let c = tensor(&constant, DType::F32);
    assert_relative_eq!(
        scalar(&nt_xent_loss(&c, &c, 0.1).unwrap()),
        9f64.ln(),
        max_relative = 1e-5
    );
    // All-zero embeddings stay finite (normalised to zero: every similarity 0).
    let zero = Tensor::zeros((4, 3), DType::F32, &Device::Cpu).unwrap();
    assert_relative_eq!(
        scalar(&nt_xent_loss(&zero, &zero, 0.1).unwrap()),
        7f64.ln(),
        max_relative = 1e-5
    );
    // Bad inputs are refused by name.
    let one = Tensor::zeros((1, 3), DType::F32, &Device::Cpu).unwrap();
    let err = nt_xent_loss(&one, &one, 0.1).unwrap_err().to_string();
    assert!(err.contains("batch size must be ≥ 2"), "{err}");
    let err = nt_xent_loss(&c, &c, 0.0).unwrap_err().to_string();
    assert!(err.contains("temperature must be finite and > 0"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// NT-Xent equals the loop implementation and is ≥ 0 (the positive is in the denominator).
    #[test]
    fn nt_xent_matches_the_reference((a, b) in rows_strategy(2..7, 5), tau in 0.1f64..1.0) {
        prop_assume!(a.iter().chain(&b).all(|r| dot(r, r) > 1e-3));
        let got = scalar(&nt_xent_loss(&tensor(&a, DType::F64), &tensor(&b, DType::F64), tau).unwrap());
        let want = nt_xent_reference(&a, &b, tau);
        prop_assert!((got - want).abs() <= 1e-9 * want.abs().max(1.0), "{got} vs {want}");
        prop_assert!(got >= -1e-12);
    }

    /// Sinkhorn's codes equal the loop implementation; each utterance's codes sum to 1 exactly
    /// (the last normalisation) and are non-negative.
    #[test]
    fn sinkhorn_matches_the_reference_and_its_marginals(
        (scores, _) in rows_strategy(3..9, 4),
        epsilon in 0.05f64..1.0,
        iterations in 1usize..6,
    ) {
        let scores: Rows = scores.iter().map(|r| r.iter().map(|x| x / 2.0).collect()).collect();
        let q = rows_of(&sinkhorn(&tensor(&scores, DType::F64), epsilon, iterations).unwrap());
        let want = sinkhorn_reference(&scores, epsilon, iterations);
        for (row, want_row) in q.iter().zip(&want) {
            prop_assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            for (x, w) in row.iter().zip(want_row) {
                prop_assert!(*x >= 0.0);
                prop_assert!((x - w).abs() <= 1e-9 * w.abs().max(1e-6), "{x} vs {w}");
            }
        }
    }

    /// SwAV's loss equals the loop implementation, in f32 within 1e-4 relative (f32 rounding of
    /// exp(s / ε) over ~10 terms; the f64 path agrees to 1e-9).
    #[test]
    fn swav_matches_the_reference((a, b) in rows_strategy(4..9, 6), seed in 0u64..1000) {
        prop_assume!(a.iter().chain(&b).all(|r| dot(r, r) > 1e-2));
        let prototypes: Rows = (0..5)
            .map(|k| (0..6).map(|j| (((seed + 7 * k + 3 * j) % 11) as f64) - 5.0 + 0.5).collect())
            .collect();
        let cfg = SwavConfig::default();
        let want = swav_reference(&a, &b, &prototypes, &cfg);
        for (dtype, tol) in [(DType::F64, 1e-9), (DType::F32, 1e-4)] {
            let got = scalar(&swav_loss(&tensor(&a, dtype), &tensor(&b, dtype), &tensor(&prototypes, dtype), &cfg).unwrap());
            prop_assert!((got - want).abs() <= tol * want.abs().max(1.0), "{dtype:?}: {got} vs {want}");
        }
    }
}

#[test]
fn sinkhorn_splits_the_batch_equally_in_the_limit() {
    // Scores that favour prototype 0 for every utterance: the codes still give each prototype
    // N / K of the batch once the iterations converge.
    let scores: Rows = (0..8)
        .map(|b| vec![0.9, 0.1 * (b % 3) as f64, -0.2, 0.05 * b as f64])
        .collect();
    let q = rows_of(&sinkhorn(&tensor(&scores, DType::F64), 0.05, 200).unwrap());
    for k in 0..4 {
        let column: f64 = q.iter().map(|r| r[k]).sum();
        assert_relative_eq!(column, 2.0, max_relative = 1e-6);
    }
    // Constant scores: uniform codes 1 / K after any number of iterations.
    let constant = Tensor::ones((6, 3), DType::F32, &Device::Cpu).unwrap();
    for row in rows_of(&sinkhorn(&constant, 0.05, 3).unwrap()) {
        for x in row {
            assert_relative_eq!(x, 1.0 / 3.0, max_relative = 1e-6);
        }
    }
    let err = sinkhorn(&constant, 0.0, 3).unwrap_err().to_string();
    assert!(err.contains("epsilon must be finite and > 0"), "{err}");
}

#[test]
fn swav_is_finite_on_degenerate_embeddings() {
    let prototypes =
        Tensor::new(&[[1f32, 0., 0.], [0., 1., 0.], [0., 0., 1.]], &Device::Cpu).unwrap();
    let cfg = SwavConfig::default();
    let constant = Tensor::new(&[[0.2f32, 0.4, -0.1]; 5], &Device::Cpu).unwrap();
    let zero = Tensor::zeros((5, 3), DType::F32, &Device::Cpu).unwrap();
    for z in [&constant, &zero] {
        let loss = scalar(&swav_loss(z, z, &prototypes, &cfg).unwrap());
        assert!(loss.is_finite(), "{loss}");
        // Uniform codes 1 / K against any prediction: at least the entropy log K.
        assert!(loss >= 3f64.ln() - 1e-5, "{loss}");
    }
}

/// Central differences of `f` at `x` (f64) against the autograd gradient `grad`, entry by entry.
fn check_gradient(x: &Rows, grad: &Rows, f: &dyn Fn(&Rows) -> f64) {
    let h = 1e-6;
    for i in 0..x.len() {
        for j in 0..x[0].len() {
            let mut plus = x.clone();
            plus[i][j] += h;
            let mut minus = x.clone();
            minus[i][j] -= h;
            let numeric = (f(&plus) - f(&minus)) / (2.0 * h);
            assert!(
                (numeric - grad[i][j]).abs() <= 1e-6 * numeric.abs().max(1.0),
                "[{i}][{j}]: finite difference {numeric} vs autograd {}",
                grad[i][j]
            );
        }
    }
}

#[test]
fn gradients_match_finite_differences() {
    let a: Rows = (0..4)
        .map(|i| (0..3).map(|j| ((i * 3 + j) as f64 * 0.37).sin()).collect())
        .collect();
    let b: Rows = (0..4)
        .map(|i| (0..3).map(|j| ((i * 5 + j) as f64 * 0.23).cos()).collect())
        .collect();
    let prototypes: Rows = (0..3)
        .map(|k| {
            (0..3)
                .map(|j| ((k * 2 + j) as f64 * 0.71).sin() + 0.1)
                .collect()
        })
        .collect();
    // InfoNCE with respect to view A.
    let var = Var::from_tensor(&tensor(&a, DType::F64)).unwrap();
    let loss = nt_xent_loss(var.as_tensor(), &tensor(&b, DType::F64), 0.3).unwrap();
    let grad = rows_of(loss.backward().unwrap().get(&var).unwrap());
    check_gradient(&a, &grad, &|x| {
        scalar(&nt_xent_loss(&tensor(x, DType::F64), &tensor(&b, DType::F64), 0.3).unwrap())
    });
    // SwAV's swapped prediction with the codes held fixed (they are targets: no gradient), with
    // respect to view A and to the prototypes.
    let cfg = SwavConfig {
        temperature: 0.5,
        ..SwavConfig::default()
    };
    let codes = |z: &Rows, c: &Rows| {
        let s = prototype_scores(&tensor(z, DType::F64), &tensor(c, DType::F64)).unwrap();
        sinkhorn(&s, cfg.epsilon, cfg.sinkhorn_iterations).unwrap()
    };
    let (q_a, q_b) = (codes(&a, &prototypes), codes(&b, &prototypes));
    let fixed = |z_a: &Rows, c: &Rows| {
        let t = |r: &Rows| tensor(r, DType::F64);
        let (s_a, s_b) = (
            prototype_scores(&t(z_a), &t(c)).unwrap(),
            prototype_scores(&t(&b), &t(c)).unwrap(),
        );
        scalar(&swapped_prediction((&s_a, &s_b), (&q_a, &q_b), cfg.temperature).unwrap())
    };
    let (var_a, var_c) = (
        Var::from_tensor(&tensor(&a, DType::F64)).unwrap(),
        Var::from_tensor(&tensor(&prototypes, DType::F64)).unwrap(),
    );
    let s_a = prototype_scores(var_a.as_tensor(), var_c.as_tensor()).unwrap();
    let s_b = prototype_scores(&tensor(&b, DType::F64), var_c.as_tensor()).unwrap();
    let loss = swapped_prediction((&s_a, &s_b), (&q_a, &q_b), cfg.temperature).unwrap();
    let grads = loss.backward().unwrap();
    check_gradient(&a, &rows_of(grads.get(&var_a).unwrap()), &|x| {
        fixed(x, &prototypes)
    });
    check_gradient(&prototypes, &rows_of(grads.get(&var_c).unwrap()), &|c| {
        fixed(&a, c)
    });
    // swav_loss's gradient is the swapped prediction's at its own codes: they carry none.
    let var = Var::from_tensor(&tensor(&a, DType::F64)).unwrap();
    let loss = swav_loss(
        var.as_tensor(),
        &tensor(&b, DType::F64),
        &tensor(&prototypes, DType::F64),
        &cfg,
    )
    .unwrap();
    let through_codes = rows_of(loss.backward().unwrap().get(&var).unwrap());
    let fixed_a = rows_of(grads.get(&var_a).unwrap());
    for (x, y) in through_codes.iter().flatten().zip(fixed_a.iter().flatten()) {
        assert_relative_eq!(*x, *y, max_relative = 1e-9, epsilon = 1e-12);
    }
}

#[test]
fn each_objective_pretrains_and_fine_tunes_and_the_default_writes_nothing() {
    let toml = RunConfig::default().to_toml();
    for key in ["objective", "contrastive", "swav", "generative"] {
        assert!(
            !toml.contains(key),
            "the default config writes {key}:\n{toml}"
        );
    }
    let base_cfg = common::tiny_config(Methodology::SslFinetune);
    let data = base_cfg.data.load().unwrap();
    let pretrain = |cfg: &RunConfig| {
        let (_, varmap, report) = run(cfg, &data, &Device::Cpu, &Progress::quiet()).unwrap();
        (varmap, report)
    };
    let (base_vars, base) = pretrain(&base_cfg);
    assert!(base_vars
        .data()
        .lock()
        .unwrap()
        .get(SWAV_PROTOTYPES)
        .is_none());
    let decoder_vars = |varmap: &VarMap| -> Vec<(String, Vec<f32>)> {
        (var_values(varmap).into_iter())
            .filter(|(name, _)| name.starts_with(DECODER_PREFIX))
            .collect()
    };
    assert!(decoder_vars(&base_vars).is_empty());
    for objective in [
        Objective::InstanceContrastive,
        Objective::Swav,
        Objective::Generative,
        Objective::MultimodalContrastive,
    ] {
        let mut cfg = base_cfg.clone();
        cfg.ssl.objective = objective;
        if objective == Objective::Generative {
            cfg.ssl.generative.decoder_hidden = 4;
        }
        cfg.validate().unwrap();
        assert_eq!(RunConfig::from_toml(&cfg.to_toml()).unwrap(), cfg);
        let (varmap, report) = pretrain(&cfg);
        let epochs = &report.pretrain.as_ref().unwrap().epochs;
        assert!(
            epochs.iter().all(|e| e.loss.is_finite()),
            "{objective:?}: {epochs:?}"
        );
        assert_ne!(
            epochs[0].loss,
            base.pretrain.as_ref().unwrap().epochs[0].loss
        );
        assert!(report.test.mae.is_finite());
        assert_ne!(
            report.test.mae, base.test.mae,
            "{objective:?} changed nothing"
        );
        // SwAV's prototypes live in the projector's namespace and train.
        let prototypes = varmap.data().lock().unwrap().get(SWAV_PROTOTYPES).cloned();
        assert_eq!(prototypes.is_some(), objective == Objective::Swav);
        // The generative decoder lives under `projector.decoder.` (one hidden layer here) and
        // trains: its weights moved from the same seed's initial ones.
        let decoder = decoder_vars(&varmap);
        assert_eq!(decoder.is_empty(), objective != Objective::Generative);
        // The multimodal projections: 3 modalities × 2 layers × (weight, bias), under
        // `projector.modality.<name>.`.
        let projections: Vec<String> = varmap
            .data()
            .lock()
            .unwrap()
            .keys()
            .filter(|k| k.starts_with(MODALITY_PROJECTION_PREFIX))
            .cloned()
            .collect();
        let multimodal = objective == Objective::MultimodalContrastive;
        assert_eq!(
            projections.len(),
            if multimodal { 12 } else { 0 },
            "{projections:?}"
        );
        for name in ["text", "audio", "visual"] {
            let prefix = format!("{MODALITY_PROJECTION_PREFIX}{name}.");
            assert_eq!(
                projections.iter().any(|k| k.starts_with(&prefix)),
                multimodal
            );
        }
        if objective == Objective::Generative {
            assert_eq!(
                decoder.len(),
                12,
                "3 modalities × 2 layers × (weight, bias)"
            );
            let (_, fresh) = build_model(&cfg, &Device::Cpu).unwrap();
            objective_vars(&fresh, &cfg, &Device::Cpu).unwrap();
            let initial = decoder_vars(&fresh);
            assert_eq!(initial.len(), decoder.len());
            for ((name, trained), (_, start)) in decoder.iter().zip(&initial) {
                assert_ne!(trained, start, "{name} did not train");
            }
        }
        // Same seed, same numbers.
        let (_, again) = pretrain(&cfg);
        assert_eq!(
            again.test, report.test,
            "{objective:?} is not deterministic"
        );
    }
    // Settings out of range are refused by key.
    for (set, message) in [
        (
            (|c: &mut RunConfig| c.ssl.swav.epsilon = 0.0) as fn(&mut RunConfig),
            "ssl.swav.epsilon must be a positive finite number",
        ),
        (
            |c: &mut RunConfig| c.ssl.contrastive.temperature = -1.0,
            "ssl.contrastive.temperature must be a positive finite number",
        ),
        (
            |c: &mut RunConfig| c.ssl.swav.prototypes = 0,
            "ssl.swav.prototypes must be at least 1",
        ),
        (
            |c: &mut RunConfig| c.ssl.generative.decoder_hidden = 4,
            "ssl.generative.decoder_hidden is a setting of ssl.objective = \"generative\"",
        ),
    ] {
        let mut cfg = base_cfg.clone();
        set(&mut cfg);
        let err = cfg.validate().unwrap_err().to_string();
        assert!(err.contains(message), "{err}");
    }
}

#[test]
fn the_command_line_pretrains_with_each_objective_and_fine_tunes() {
    let out = common::tmp_in("objectives", "cli");
    for (objective, label) in [
        ("swav", "SwAV loss"),
        ("instance-contrastive", "InfoNCE loss"),
        ("generative", "Generative loss"),
        ("multimodal-contrastive", "Multimodal InfoNCE loss"),
    ] {
        let dir = out.join(objective);
        let set = format!("--set=ssl.objective={objective}");
        let mut args = vec!["pretrain", "--out", common::s(&dir), &set];
        if objective == "generative" {
            args.push("--set=ssl.generative.decoder_hidden=5");
        }
        args.extend_from_slice(common::TINY_CLI);
        let printed = common::ok(&common::mmssl(&args));
        assert!(printed.contains(label), "{printed}");
        let config = std::fs::read_to_string(dir.join("config.toml")).unwrap();
        assert!(
            config.contains(&format!("objective = \"{objective}\"")),
            "{config}"
        );
        assert_eq!(
            config.contains("decoder_hidden = 5"),
            objective == "generative",
            "{config}"
        );
        let tuned = out.join(format!("{objective}-ft"));
        let mut args = vec![
            "finetune",
            "--checkpoint",
            common::s(&dir),
            "--out",
            common::s(&tuned),
            "--quiet",
        ];
        args.extend(["--set", "supervised.max_epochs=1"]);
        common::ok(&common::mmssl(&args));
        assert!(tuned.join("metrics.json").exists());
    }
    let mut args = vec![
        "pretrain",
        "--out",
        common::s(&out),
        "--set=ssl.objective=simclr",
    ];
    args.extend_from_slice(common::TINY_CLI);
    let failed = common::mmssl(&args);
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("ssl.objective") || stderr.contains("unknown variant"),
        "{stderr}"
    );
}

// ---------------------------------------------------------------------------------------------
// The generative objective: the masked-step reconstruction loss and its decoder.

/// Sequences `[batch][steps][dim]`.
type Seqs = Vec<Vec<Vec<f64>>>;

/// The feature sizes of the reconstruction tests' three modalities.
const DIMS: [usize; 3] = [3, 2, 1];

fn seq_tensor(x: &Seqs, dtype: DType) -> Tensor {
    let (b, t, d) = (x.len(), x[0].len(), x[0][0].len());
    let flat: Vec<f64> = x.iter().flatten().flatten().copied().collect();
    Tensor::from_vec(flat, (b, t, d), &Device::Cpu)
        .unwrap()
        .to_dtype(dtype)
        .unwrap()
}

fn seq_tensors(x: &[Seqs; 3], dtype: DType) -> [Tensor; 3] {
    [0, 1, 2].map(|m| seq_tensor(&x[m], dtype))
}

fn mask_tensor(lengths: &[usize], steps: usize, dtype: DType) -> Tensor {
    let mask: Vec<f64> = lengths
        .iter()
        .flat_map(|&l| (0..steps).map(move |t| if t < l { 1.0 } else { 0.0 }))
        .collect();
    Tensor::from_vec(mask, (lengths.len(), steps), &Device::Cpu)
        .unwrap()
        .to_dtype(dtype)
        .unwrap()
}

/// The masked-step MSE written from its definition with loops: per modality the squared error
/// over real steps divided by (real steps × feature size), then the mean over modalities.
fn reconstruction_reference(
    predictions: &[Seqs; 3],
    targets: &[Seqs; 3],
    lengths: &[usize],
) -> f64 {
    let real = lengths.iter().sum::<usize>().max(1) as f64;
    let mut total = 0.0;
    for (p, x) in predictions.iter().zip(targets) {
        let mut sum = 0.0;
        for (b, &len) in lengths.iter().enumerate() {
            for t in 0..len {
                for (pj, xj) in p[b][t].iter().zip(&x[b][t]) {
                    sum += (pj - xj).powi(2);
                }
            }
        }
        total += sum / (real * p[0][0].len() as f64);
    }
    total / 3.0
}

fn loss_of(predictions: &[Seqs; 3], targets: &[Seqs; 3], lengths: &[usize], dtype: DType) -> f64 {
    let steps = targets[0][0].len();
    scalar(
        &reconstruction_loss(
            &seq_tensors(predictions, dtype),
            &seq_tensors(targets, dtype),
            &mask_tensor(lengths, steps, dtype),
        )
        .unwrap(),
    )
}

/// `x` with every padded step (`t ≥ lengths[b]`) replaced by `fill(b, t, j)`.
fn repad(x: &Seqs, lengths: &[usize], fill: &dyn Fn(usize, usize, usize) -> f64) -> Seqs {
    let mut x = x.clone();
    for (b, &len) in lengths.iter().enumerate() {
        for t in len..x[b].len() {
            for j in 0..x[b][t].len() {
                x[b][t][j] = fill(b, t, j);
            }
        }
    }
    x
}

/// Three modalities' sequences of `batch` utterances over `steps` steps, values in ±3.
fn seqs_strategy(batch: usize, steps: usize) -> impl Strategy<Value = [Seqs; 3]> {
    let one = |d: usize| {
        prop::collection::vec(
            prop::collection::vec(prop::collection::vec(-3.0f64..3.0, d), steps),
            batch,
        )
    };
    (one(DIMS[0]), one(DIMS[1]), one(DIMS[2])).prop_map(|(t, a, v)| [t, a, v])
}

/// A batch shape, the real lengths (0 to all steps) and predictions and targets.
fn reconstruction_case() -> impl Strategy<Value = (Vec<usize>, [Seqs; 3], [Seqs; 3])> {
    (1usize..5, 1usize..6).prop_flat_map(|(batch, steps)| {
        (
            prop::collection::vec(0..=steps, batch),
            seqs_strategy(batch, steps),
            seqs_strategy(batch, steps),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The loss equals the loop implementation (f64 to 1e-12 relative: the same sums in another
    /// order), and padded steps do not count: rewriting every padded step of the predictions
    /// and the targets, with huge values or NaN and ±inf, leaves it bit-identical (they are
    /// selected out, not multiplied by 0).
    #[test]
    fn reconstruction_loss_counts_real_steps_only((lengths, predictions, targets) in reconstruction_case()) {
        let got = loss_of(&predictions, &targets, &lengths, DType::F64);
        let want = reconstruction_reference(&predictions, &targets, &lengths);
        prop_assert!((got - want).abs() <= 1e-12 * want.max(1.0), "{got} vs {want}");
        for fill in [
            (|b, t, j| 1e6 * (b + 2 * t + 3 * j) as f64) as fn(usize, usize, usize) -> f64,
            |_, t, _| if t % 2 == 0 { f64::NAN } else { f64::INFINITY },
        ] {
            let p = predictions.clone().map(|x| repad(&x, &lengths, &fill));
            let x = targets.clone().map(|x| repad(&x, &lengths, &|b, t, j| -fill(b, t, j)));
            for dtype in [DType::F64, DType::F32] {
                let before = loss_of(&predictions, &targets, &lengths, dtype);
                prop_assert_eq!(loss_of(&p, &x, &lengths, dtype).to_bits(), before.to_bits());
            }
        }
        // Zero exactly when the reconstruction equals the clean input on the real steps,
        // whatever the padding holds; positive otherwise.
        let exact = targets.clone().map(|x| repad(&x, &lengths, &|b, _, j| (b + j) as f64 + 7.0));
        prop_assert_eq!(loss_of(&exact, &targets, &lengths, DType::F64), 0.0);
        prop_assert!(got >= 0.0);
    }
}

#[test]
fn reconstruction_loss_hand_worked_and_degenerate_inputs() {
    // One utterance, 2 real steps of 3, zero targets: squared errors over the real steps,
    // text (1 + 4) / (2 · 3), audio 9 / (2 · 2), visual 1 / (2 · 1); the padded 50 is ignored.
    let lengths = [2];
    let z = |d: usize| vec![vec![vec![0.0; d]; 3]];
    let targets = [z(3), z(2), z(1)];
    let mut predictions = targets.clone();
    predictions[0][0][0] = vec![1.0, 2.0, 0.0];
    predictions[1][0][1] = vec![0.0, 3.0];
    predictions[2][0][1] = vec![1.0];
    predictions[2][0][2] = vec![50.0]; // padding
    let want = (5.0 / 6.0 + 9.0 / 4.0 + 1.0 / 2.0) / 3.0;
    assert_relative_eq!(
        loss_of(&predictions, &targets, &lengths, DType::F64),
        want,
        max_relative = 1e-15
    );
    // Constant inputs and a batch without real steps stay finite (0 real steps: loss 0).
    let constant = |d: usize, v: f64| vec![vec![vec![v; d]; 4]; 3];
    let c = [constant(3, 2.0), constant(2, 2.0), constant(1, 2.0)];
    let o = [constant(3, 0.5), constant(2, 0.5), constant(1, 0.5)];
    for dtype in [DType::F32, DType::F64] {
        assert_relative_eq!(
            loss_of(&c, &o, &[4, 1, 0], dtype),
            2.25,
            max_relative = 1e-6
        );
        assert_eq!(loss_of(&c, &o, &[0, 0, 0], dtype), 0.0);
    }
    // Shapes that disagree are refused by name.
    let three = seq_tensors(&c, DType::F32);
    let err = reconstruction_loss(&three, &three, &mask_tensor(&[1, 1], 4, DType::F32))
        .unwrap_err()
        .to_string();
    assert!(err.contains("reconstruction_loss"), "{err}");
}

/// With a step-constant reconstruction (the decoder's), the loss decomposes into the distance
/// to each utterance's time average plus its within-sequence variance, so the time averages of
/// the real steps are the best step-constant reconstruction and score exactly that variance.
#[test]
fn step_constant_reconstruction_is_best_at_the_time_average() {
    let lengths = [3, 1, 2];
    let targets: [Seqs; 3] = [0, 1, 2].map(|m| {
        (0..3)
            .map(|b| {
                (0..3)
                    .map(|t| {
                        (0..DIMS[m])
                            .map(|j| ((m * 31 + b * 7 + t * 3 + j) as f64 * 0.61).sin())
                            .collect()
                    })
                    .collect()
            })
            .collect()
    });
    let constant_at = |values: &dyn Fn(usize, usize, usize) -> f64| -> [Seqs; 3] {
        [0, 1, 2].map(|m| {
            (0..3)
                .map(|b| {
                    (0..3)
                        .map(|_| (0..DIMS[m]).map(|j| values(m, b, j)).collect())
                        .collect()
                })
                .collect()
        })
    };
    let mean = |m: usize, b: usize, j: usize| {
        (0..lengths[b]).map(|t| targets[m][b][t][j]).sum::<f64>() / lengths[b] as f64
    };
    let at_mean = loss_of(&constant_at(&mean), &targets, &lengths, DType::F64);
    let variance = reconstruction_reference(&constant_at(&mean), &targets, &lengths);
    assert_relative_eq!(at_mean, variance, max_relative = 1e-12);
    for shift in [0.1, -0.3, 1.0] {
        let shifted = loss_of(
            &constant_at(&|m, b, j| mean(m, b, j) + shift),
            &targets,
            &lengths,
            DType::F64,
        );
        // Σ_t (x̄ + s − x_t)² = Σ_t (x̄ − x_t)² + len · s² (the cross term sums to 0): + s² per
        // modality, so + s² on average.
        assert_relative_eq!(shifted, at_mean + shift * shift, max_relative = 1e-12);
    }
}

#[test]
fn reconstruction_gradients_match_finite_differences() {
    let lengths = [3, 1];
    let seqs = |seed: usize| -> [Seqs; 3] {
        [0, 1, 2].map(|m| {
            (0..2)
                .map(|b| {
                    (0..3)
                        .map(|t| {
                            (0..DIMS[m])
                                .map(|j| ((seed + m * 17 + b * 5 + t * 3 + j) as f64 * 0.37).sin())
                                .collect()
                        })
                        .collect()
                })
                .collect()
        })
    };
    let (predictions, targets) = (seqs(0), seqs(11));
    // With respect to the text predictions, flattened to rows [batch][steps · dim]; padded
    // steps get a zero gradient (the finite differences there are exactly 0 too).
    let flat = |x: &Seqs| -> Rows {
        x.iter()
            .map(|r| r.iter().flatten().copied().collect())
            .collect()
    };
    let unflat = |rows: &Rows| -> Seqs {
        rows.iter()
            .map(|r| r.chunks(DIMS[0]).map(<[f64]>::to_vec).collect())
            .collect()
    };
    let var = Var::from_tensor(&seq_tensor(&predictions[0], DType::F64)).unwrap();
    let mut inputs = seq_tensors(&predictions, DType::F64);
    inputs[0] = var.as_tensor().clone();
    let loss = reconstruction_loss(
        &inputs,
        &seq_tensors(&targets, DType::F64),
        &mask_tensor(&lengths, 3, DType::F64),
    )
    .unwrap();
    let grad = loss
        .backward()
        .unwrap()
        .get(&var)
        .unwrap()
        .reshape((2, 3 * DIMS[0]))
        .unwrap();
    let grad = rows_of(&grad);
    assert!(grad[1][DIMS[0]..].iter().all(|g| *g == 0.0), "{grad:?}");
    check_gradient(&flat(&predictions[0]), &grad, &|rows| {
        let mut p = predictions.clone();
        p[0] = unflat(rows);
        loss_of(&p, &targets, &lengths, DType::F64)
    });
    // Through the decoder (one hidden layer), with respect to the fused vectors it reads.
    let cfg = ModelConfig {
        input_dims: DIMS,
        fusion_hidden: 4,
        ..ModelConfig::default()
    };
    let varmap = VarMap::new();
    let vb = seeded_var_builder(&varmap, 5, DType::F64, &Device::Cpu);
    let decoder = Decoder::new(&cfg, 3, vb).unwrap();
    let fused: Rows = (0..2)
        .map(|b| (0..4).map(|j| ((b * 4 + j) as f64 * 0.53).cos()).collect())
        .collect();
    let mask = mask_tensor(&lengths, 3, DType::F64);
    let clean = seq_tensors(&targets, DType::F64);
    let of =
        |f: &Tensor| reconstruction_loss(&decoder.forward(f, 3).unwrap(), &clean, &mask).unwrap();
    let var = Var::from_tensor(&tensor(&fused, DType::F64)).unwrap();
    let grad = rows_of(of(var.as_tensor()).backward().unwrap().get(&var).unwrap());
    check_gradient(&fused, &grad, &|x| scalar(&of(&tensor(x, DType::F64))));
}

// ---------------------------------------------------------------------------------------------
// The multimodal-contrastive objective: InfoNCE between the modalities of each utterance.

/// The mean over the modality pairs (text–audio, text–visual, audio–visual) of the loop NT-Xent.
fn multimodal_reference(m: &[Rows; 3], tau: f64) -> f64 {
    [(0, 1), (0, 2), (1, 2)]
        .iter()
        .map(|&(i, j)| nt_xent_reference(&m[i], &m[j], tau))
        .sum::<f64>()
        / 3.0
}

fn multimodal_of(m: &[Rows; 3], tau: f64, dtype: DType) -> f64 {
    scalar(&multimodal_nt_xent_loss(&m.clone().map(|r| tensor(&r, dtype)), tau).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The multimodal InfoNCE equals the loop implementation pair by pair, is ≥ 0, and does not
    /// depend on the order the modalities come in (each pair's NT-Xent is symmetric in its two
    /// sides, and the pairs are all three).
    #[test]
    fn multimodal_nt_xent_matches_the_reference(
        (t, a) in rows_strategy(2..7, 4),
        seed in 0u64..1000,
        tau in 0.1f64..1.0,
    ) {
        let v: Rows = t.iter().enumerate()
            .map(|(i, r)| r.iter().enumerate().map(|(j, x)| x * 0.5 + (((seed as usize + 3 * i + j) % 7) as f64 - 3.0) * 0.3).collect())
            .collect();
        prop_assume!(t.iter().chain(&a).chain(&v).all(|r| dot(r, r) > 1e-3));
        let m = [t, a, v];
        let got = multimodal_of(&m, tau, DType::F64);
        let want = multimodal_reference(&m, tau);
        prop_assert!((got - want).abs() <= 1e-9 * want.abs().max(1.0), "{got} vs {want}");
        prop_assert!(got >= -1e-12);
        let reordered = [m[2].clone(), m[0].clone(), m[1].clone()];
        let again = multimodal_of(&reordered, tau, DType::F64);
        prop_assert!((again - got).abs() <= 1e-12 * got.abs().max(1.0), "{again} vs {got}");
    }
}

#[test]
fn multimodal_nt_xent_bounds_and_degenerate_inputs() {
    // Aligned modalities (all three the same) with mutually orthogonal rows: every pair is
    // SimCLR's hand-worked case, log(1 + (2N − 2) e^{−1/τ}) (tolerance as there), which tends to
    // the lower bound 0 as τ → 0.
    let z: Rows = (0..3)
        .map(|i| (0..4).map(|j| if i == j { 1.5 } else { 0.0 }).collect())
        .collect();
    let aligned = [z.clone(), z.clone(), z.clone()];
    for tau in [0.5, 0.2, 0.05] {
        assert_relative_eq!(
            multimodal_of(&aligned, tau, DType::F64),
            (1.0 + 4.0 * (-1.0 / tau).exp()).ln(),
            epsilon = 1e-13,
            max_relative = 1e-10
        );
    }
    assert!(multimodal_of(&aligned, 0.05, DType::F32) < 1e-6);
    // Misaligned modalities (audio's rows a permutation of text's) score far above aligned ones.
    let shuffled: Rows = [1, 2, 0].iter().map(|&i| z[i].clone()).collect();
    let misaligned = [z.clone(), shuffled, z.clone()];
    assert!(
        multimodal_of(&misaligned, 0.2, DType::F64)
            > multimodal_of(&aligned, 0.2, DType::F64) + 1.0
    );
    // Constant and all-zero encodings stay finite: every similarity equal, log(2N − 1).
    for value in [0.7, 0.0] {
        let constant = vec![vec![value; 3]; 5];
        let m = [constant.clone(), constant.clone(), constant];
        assert_relative_eq!(
            multimodal_of(&m, 0.1, DType::F32),
            9f64.ln(),
            max_relative = 1e-5
        );
    }
    // Modalities of different shapes are refused (by the pairwise loss, by name).
    let narrow = vec![vec![1.0; 2]; 3];
    let err = multimodal_nt_xent_loss(
        &[
            tensor(&z, DType::F32),
            tensor(&narrow, DType::F32),
            tensor(&z, DType::F32),
        ],
        0.1,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("nt_xent_loss"), "{err}");
}

#[test]
fn multimodal_nt_xent_gradient_matches_finite_differences() {
    let m: [Rows; 3] = [0, 1, 2].map(|k| {
        (0..4)
            .map(|i| {
                (0..3)
                    .map(|j| ((k * 13 + i * 3 + j) as f64 * 0.41).sin())
                    .collect()
            })
            .collect()
    });
    // With respect to the audio encodings, which two of the three pairs read.
    let var = Var::from_tensor(&tensor(&m[1], DType::F64)).unwrap();
    let inputs = [
        tensor(&m[0], DType::F64),
        var.as_tensor().clone(),
        tensor(&m[2], DType::F64),
    ];
    let loss = multimodal_nt_xent_loss(&inputs, 0.3).unwrap();
    let grad = rows_of(loss.backward().unwrap().get(&var).unwrap());
    check_gradient(&m[1], &grad, &|x| {
        multimodal_of(&[m[0].clone(), x.clone(), m[2].clone()], 0.3, DType::F64)
    });
}

/// Which variables each of ConCluGen's objectives trains, after a pre-training alone (no
/// fine-tuning): the generative one moves the whole encoder and its decoder but not the projector
/// g (it decodes E's fused vector); the multimodal-contrastive one moves the modality encoders
/// and their projections only — the cross-modal attention, the fusion LSTM and g come after the
/// modalities' own encodings and keep their initial weights exactly.
#[test]
fn each_conclugen_objective_trains_what_it_reads() {
    for (objective, moves, stays) in [
        (
            Objective::Generative,
            &[
                "encoder.text.",
                "encoder.cross.",
                "encoder.fusion.",
                DECODER_PREFIX,
            ][..],
            &["projector.linear", "projector.bn0.weight"][..],
        ),
        (
            Objective::MultimodalContrastive,
            &[
                "encoder.text.",
                "encoder.audio.",
                "encoder.visual.",
                MODALITY_PROJECTION_PREFIX,
            ][..],
            &[
                "encoder.cross.",
                "encoder.fusion.",
                "projector.linear",
                "head.",
            ][..],
        ),
    ] {
        let mut cfg = common::tiny_config(Methodology::SslFinetune);
        cfg.ssl.objective = objective;
        let data = cfg.data.load().unwrap();
        let (model, varmap) = build_model(&cfg, &Device::Cpu).unwrap();
        let (_, initial_vars) = build_model(&cfg, &Device::Cpu).unwrap();
        objective_vars(&initial_vars, &cfg, &Device::Cpu).unwrap();
        let log = pretrain(
            &model,
            &varmap,
            &data.train,
            &data.valid,
            &cfg,
            &Device::Cpu,
            &Progress::quiet(),
        )
        .unwrap();
        assert!(
            log.iter().all(|e| e.loss.is_finite()),
            "{objective:?}: {log:?}"
        );
        let (now, initial) = (var_values(&varmap), var_values(&initial_vars));
        assert_eq!(
            now.keys().collect::<Vec<_>>(),
            initial.keys().collect::<Vec<_>>()
        );
        for prefix in moves {
            assert!(
                now.iter()
                    .any(|(k, v)| k.starts_with(prefix) && *v != initial[k]),
                "{objective:?}: nothing under {prefix} trained"
            );
        }
        for prefix in stays {
            for (k, v) in now.iter().filter(|(k, _)| k.starts_with(prefix)) {
                assert_eq!(v, &initial[k], "{objective:?}: {k} moved");
            }
            assert!(now.keys().any(|k| k.starts_with(prefix)), "no {prefix}");
        }
    }
}

/// Every variable of `varmap`, flattened, by name (sorted).
fn var_values(varmap: &VarMap) -> std::collections::BTreeMap<String, Vec<f32>> {
    let vars = varmap.data().lock().unwrap();
    (vars.iter())
        .map(|(name, v)| {
            let flat = v.as_tensor().flatten_all().unwrap().to_vec1::<f32>();
            (name.clone(), flat.unwrap())
        })
        .collect()
}
