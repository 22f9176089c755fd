//! The encoder, projector and head (thesis 6.2, 6.4, table 7.3.1): a hand-computed LSTM step,
//! masking and padding invariance, finite-difference gradients, BatchNorm modes, seeded
//! initialisation and dropout, parameter counts and a forward pass at the thesis's shapes.

use approx::assert_abs_diff_eq;
use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{Module, ModuleT, VarBuilder, VarMap};
use mmssl::data::Batch;
use mmssl::model::{
    key_bias, parameter_counts, seeded_var_builder, vars_with_prefix, Attention, Dropout,
    DropoutStream, Encoder, Fusion, Lstm, Model, ModelConfig, Projector, HEAD_PREFIX,
    PROJECTOR_PREFIX,
};
use mmssl::rng::rng_for;
use proptest::prelude::*;
use rand::Rng;
use std::collections::HashMap;
use std::time::Instant;

const CPU: Device = Device::Cpu;

/// `n` values uniform in `[-1, 1)` from the stream `(seed, tag)`.
fn uniform(seed: u64, tag: u64, n: usize) -> Vec<f32> {
    let mut rng = rng_for(seed, &[tag]);
    (0..n).map(|_| rng.random_range(-1.0..1.0)).collect()
}

/// A batch whose sample `b` has `lengths[b]` real steps of values drawn from `seed`, padded to
/// `steps` with `pad(modality, b, t, j)`. Real values do not depend on `steps`.
fn make_batch(
    lengths: &[usize],
    steps: usize,
    dims: [usize; 3],
    seed: u64,
    pad: impl Fn(usize, usize, usize, usize) -> f32,
) -> Batch {
    let b = lengths.len();
    let modalities = [0, 1, 2].map(|m| {
        let mut data = Vec::with_capacity(b * steps * dims[m]);
        for (s, &len) in lengths.iter().enumerate() {
            let real = uniform(seed, (m * 1000 + s) as u64, len * dims[m]);
            for t in 0..steps {
                for j in 0..dims[m] {
                    data.push(if t < len {
                        real[t * dims[m] + j]
                    } else {
                        pad(m, s, t, j)
                    });
                }
            }
        }
        Tensor::from_vec(data, (b, steps, dims[m]), &CPU).unwrap()
    });
    let mask: Vec<f32> = lengths
        .iter()
        .flat_map(|&l| (0..steps).map(move |t| if t < l { 1.0 } else { 0.0 }))
        .collect();
    let lengths_u32: Vec<u32> = lengths.iter().map(|&l| l as u32).collect();
    Batch {
        modalities,
        mask: Tensor::from_vec(mask, (b, steps), &CPU).unwrap(),
        lengths: Tensor::from_vec(lengths_u32, b, &CPU).unwrap(),
        labels: Tensor::zeros(b, DType::F32, &CPU).unwrap(),
    }
}

fn zero_pad(_: usize, _: usize, _: usize, _: usize) -> f32 {
    0.0
}

fn values(t: &Tensor) -> Vec<f64> {
    t.to_dtype(DType::F64)
        .unwrap()
        .flatten_all()
        .unwrap()
        .to_vec1()
        .unwrap()
}

fn var(varmap: &VarMap, name: &str) -> Var {
    varmap.data().lock().unwrap()[name].clone()
}

fn tiny_config() -> ModelConfig {
    ModelConfig {
        input_dims: [3, 2, 2],
        hidden: 3,
        attention_dim: 3,
        dropout: 0.2,
        fusion_hidden: 3,
        projector: vec![5, 4],
        fusion: Fusion::LastStep,
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Two LSTM steps (in 2, hidden 2) against eqs. 2.5.3–2.5.8 evaluated by hand in f64 with
/// PyTorch's gate order i, f, g, o. The first step starts from zero state; the second exercises
/// the recurrent weights and the cell carry. Both sides are f64 evaluations of the same formulas
/// (only the summation order differs), so they agree to ~1e-15; 1e-12 leaves ample margin.
#[test]
fn lstm_steps_match_hand_computation() {
    let w_ih: [[f64; 2]; 8] = [
        [0.1, -0.2],
        [0.3, 0.4],
        [-0.5, 0.6],
        [0.7, -0.8],
        [0.9, 0.1],
        [-0.2, 0.3],
        [0.4, -0.5],
        [0.6, 0.7],
    ];
    let w_hh: [[f64; 2]; 8] = [
        [0.05, 0.15],
        [-0.25, 0.35],
        [0.45, -0.55],
        [0.65, 0.75],
        [-0.85, 0.95],
        [0.12, -0.22],
        [0.32, 0.42],
        [-0.52, 0.62],
    ];
    let b_ih = [0.01, -0.02, 0.03, -0.04, 0.05, -0.06, 0.07, -0.08];
    let b_hh = [-0.11, 0.12, -0.13, 0.14, -0.15, 0.16, -0.17, 0.18];
    let xs = [[0.5, -1.0], [1.5, 0.25]];

    let tensors = HashMap::from([
        ("weight_ih".to_string(), Tensor::new(&w_ih, &CPU).unwrap()),
        ("weight_hh".to_string(), Tensor::new(&w_hh, &CPU).unwrap()),
        ("bias_ih".to_string(), Tensor::new(&b_ih, &CPU).unwrap()),
        ("bias_hh".to_string(), Tensor::new(&b_hh, &CPU).unwrap()),
    ]);
    let vb = VarBuilder::from_tensors(tensors, DType::F64, &CPU);
    let lstm = Lstm::new(2, 2, vb).unwrap();
    let x = Tensor::new(&[xs], &CPU).unwrap(); // [1, 2, 2]
    let out = lstm.forward(&x).unwrap();
    assert_eq!(out.dims(), [1, 2, 2]);
    let got: Vec<Vec<f64>> = out.squeeze(0).unwrap().to_vec2().unwrap();

    let (mut h, mut c) = ([0.0f64; 2], [0.0f64; 2]);
    for (t, x) in xs.iter().enumerate() {
        let pre = |row: usize| {
            w_ih[row][0] * x[0]
                + w_ih[row][1] * x[1]
                + b_ih[row]
                + w_hh[row][0] * h[0]
                + w_hh[row][1] * h[1]
                + b_hh[row]
        };
        let mut h_next = [0.0; 2];
        for k in 0..2 {
            let i = sigmoid(pre(k)); // eq. 2.5.4
            let f = sigmoid(pre(2 + k)); // eq. 2.5.3
            let g = pre(4 + k).tanh(); // eq. 2.5.5
            let o = sigmoid(pre(6 + k)); // eq. 2.5.7
            c[k] = f * c[k] + i * g; // eq. 2.5.6
            h_next[k] = o * c[k].tanh(); // eq. 2.5.8
        }
        h = h_next;
        for k in 0..2 {
            assert_abs_diff_eq!(got[t][k], h[k], epsilon = 1e-12);
        }
    }
}

/// An attention module with in 3, projection 4 and dropout 0.5 (inactive in eval mode).
fn small_attention(seed: u64) -> Attention {
    let varmap = VarMap::new();
    let vb = seeded_var_builder(&varmap, seed, DType::F32, &CPU);
    let dropout = Dropout::new(0.5, &DropoutStream::new(seed));
    Attention::new(3, 3, 4, &dropout, vb).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Changing the values at padded positions (of both the queries and the context) leaves the
    /// attention output at every real query unchanged: padded keys get weight exactly 0
    /// (`exp(-1e9)` underflows), so the check is to 1e-6 although equality is expected.
    #[test]
    fn attention_ignores_padded_positions(
        lengths in prop::collection::vec(1usize..=6, 1..=3),
        extra in 0usize..=3,
        seed in any::<u64>(),
        noise in -10.0f32..10.0,
    ) {
        let steps = lengths.iter().copied().max().unwrap() + extra;
        let attention = small_attention(seed);
        let dims = [3, 3, 3];
        let plain = make_batch(&lengths, steps, dims, seed, zero_pad);
        let noisy = make_batch(&lengths, steps, dims, seed, |m, b, t, j| {
            noise * (1.0 + (m + 2 * b + 3 * t + 5 * j) as f32).sin()
        });
        let bias = key_bias(&plain.mask).unwrap();
        let run = |batch: &Batch| {
            let x = &batch.modalities[0];
            let context = &batch.modalities[1];
            attention.forward_t(x, context, &bias, false).unwrap()
        };
        let (a, b) = (run(&plain), run(&noisy));
        prop_assert_eq!(a.dims(), &[lengths.len(), steps, 4]);
        for (s, &len) in lengths.iter().enumerate() {
            let real = |t: &Tensor| values(&t.get(s).unwrap().narrow(0, 0, len).unwrap());
            for (x, y) in real(&a).iter().zip(real(&b)) {
                prop_assert!((x - y).abs() <= 1e-6, "{} vs {}", x, y);
            }
        }
    }
}

/// The same samples padded to T = 7 with zeros and to T + 5 with arbitrary values give the same
/// fused vectors. Every LSTM runs forwards and every attention masks padded keys, so only the
/// rounding of reductions whose length changes with T (softmax sums, gemm blocking) can differ:
/// ~1e-7 relative on values of order 0.1, hence the 1e-5 bound.
#[test]
fn encoder_output_is_invariant_to_trailing_padding() {
    let cfg = ModelConfig::default();
    let varmap = VarMap::new();
    let vb = seeded_var_builder(&varmap, 7, DType::F32, &CPU);
    let encoder = Encoder::new(&cfg, 7, vb).unwrap();
    let lengths = [5, 3, 7];
    let short = make_batch(&lengths, 7, cfg.input_dims, 11, zero_pad);
    let long = make_batch(&lengths, 12, cfg.input_dims, 11, |m, b, t, j| {
        ((m + b + t * j) as f32 * 0.37).cos() * 3.0
    });
    let a = encoder.forward_t(&short, false).unwrap();
    let b = encoder.forward_t(&long, false).unwrap();
    assert_eq!(a.dims(), [3, 100]);
    for (x, y) in values(&a).iter().zip(values(&b)) {
        assert_abs_diff_eq!(*x, y, epsilon = 1e-5);
    }
}

/// d(Σ outputs)/dw by backprop vs the central difference (f(w+h) − f(w−h)) / 2h, in f64, for
/// three entries of every kind of weight: modality LSTMs, self-attention projections, the
/// symmetric and trimodal cross attention, the fusion LSTM. With h = 1e-5 the truncation error
/// is O(h²·f''') ≈ 1e-10 and the rounding error ≈ 1e-16·|f|/h ≈ 1e-11 (observed: ≤ 8e-11), so
/// 1e-9 + 1e-6·|grad| is safe, while every checked variable has gradients above 1e-5 and a wrong
/// derivative would be off by far more.
#[test]
fn encoder_gradients_match_finite_differences() {
    let cfg = tiny_config();
    let varmap = VarMap::new();
    let vb = seeded_var_builder(&varmap, 3, DType::F64, &CPU);
    let encoder = Encoder::new(&cfg, 3, vb.pp("encoder")).unwrap();
    // At initialisation the attention weights are nearly uniform, so the self-attended sequences
    // are nearly constant in time and the cross-attention query / key gradients ~1e-10: sharpen
    // every attention (×25 on the query and key projections) so that each checked derivative is
    // large enough for the comparison to mean something.
    for (name, var) in varmap.data().lock().unwrap().iter() {
        if name.ends_with("query.weight") || name.ends_with("key.weight") {
            var.set(&(var.as_tensor() * 25.0).unwrap()).unwrap();
        }
    }
    let batch = make_batch(&[4, 2, 3], 4, cfg.input_dims, 5, |m, b, t, j| {
        (m + b + t + j) as f32 * 0.1
    });
    let loss = || -> Tensor { encoder.forward_t(&batch, false).unwrap().sum_all().unwrap() };
    let grads = loss().backward().unwrap();
    let names = [
        "encoder.text.lstm.weight_ih",
        "encoder.audio.lstm.weight_hh",
        "encoder.visual.lstm.bias_ih",
        "encoder.text.attention.query.weight",
        "encoder.audio.attention.key.weight",
        "encoder.visual.attention.value.weight",
        "encoder.cross.ta.kl.query.weight",
        "encoder.cross.tv.lk.key.weight",
        "encoder.cross.av.kl.value.weight",
        "encoder.cross.tav.query.weight",
        "encoder.cross.tav.value.weight",
        "encoder.fusion.lstm.weight_ih",
        "encoder.fusion.lstm.weight_hh",
        "encoder.fusion.lstm.bias_hh",
    ];
    let h = 1e-5;
    for name in names {
        let var = var(&varmap, name);
        let analytic = values(grads.get(&var).expect(name));
        assert!(
            analytic.iter().any(|g| g.abs() > 1e-5),
            "{name}: gradients too small for a meaningful check"
        );
        let original = values(var.as_tensor());
        let n = original.len();
        for k in [0, n / 2, n - 1] {
            let at = |delta: f64| -> f64 {
                let mut w = original.clone();
                w[k] += delta;
                var.set(&Tensor::from_vec(w, var.shape(), &CPU).unwrap())
                    .unwrap();
                loss().to_scalar::<f64>().unwrap()
            };
            let numeric = (at(h) - at(-h)) / (2.0 * h);
            at(0.0);
            let tolerance = 1e-9 + 1e-6 * analytic[k].abs();
            assert!(
                (analytic[k] - numeric).abs() <= tolerance,
                "{name}[{k}]: backprop {} vs finite difference {numeric}",
                analytic[k]
            );
        }
    }
}

/// BatchNorm in the projector: a training pass moves the running statistics exactly as
/// PyTorch's BatchNorm1d (momentum 0.1, unbiased variance); an evaluation pass leaves them alone,
/// is deterministic, and treats each sample independently of the rest of the batch.
#[test]
fn projector_batch_norm_train_and_eval_modes() {
    let varmap = VarMap::new();
    let vb = seeded_var_builder(&varmap, 21, DType::F64, &CPU);
    let projector = Projector::new(4, &[6, 6, 3], vb).unwrap();
    let x = Tensor::from_vec(uniform(21, 0, 16 * 4), (16, 4), &CPU)
        .unwrap()
        .to_dtype(DType::F64)
        .unwrap();
    let stats = |i: usize| -> (Vec<f64>, Vec<f64>) {
        (
            values(var(&varmap, &format!("bn{i}.running_mean")).as_tensor()),
            values(var(&varmap, &format!("bn{i}.running_var")).as_tensor()),
        )
    };
    assert_eq!(stats(0), (vec![0.0; 6], vec![1.0; 6]));

    let z = projector.forward_t(&x, true).unwrap();
    assert_eq!(z.dims(), [16, 3]);
    // The first BatchNorm sees h = x W0ᵀ: its running stats must be 0.1·mean, 0.9 + 0.1·var_unbiased.
    let w0 = var(&varmap, "linear0.weight");
    let h: Vec<Vec<f64>> = x
        .matmul(&w0.as_tensor().t().unwrap())
        .unwrap()
        .to_vec2()
        .unwrap();
    let (mean, var_) = stats(0);
    for j in 0..6 {
        let col: Vec<f64> = h.iter().map(|row| row[j]).collect();
        let m = col.iter().sum::<f64>() / 16.0;
        let v = col.iter().map(|c| (c - m).powi(2)).sum::<f64>() / 15.0;
        assert_abs_diff_eq!(mean[j], 0.1 * m, epsilon = 1e-12);
        assert_abs_diff_eq!(var_[j], 0.9 + 0.1 * v, epsilon = 1e-12);
    }
    assert_ne!(stats(1), (vec![0.0; 6], vec![1.0; 6]));

    let before = (stats(0), stats(1));
    let e1 = values(&projector.forward_t(&x, false).unwrap());
    let e2 = values(&projector.forward_t(&x, false).unwrap());
    assert_eq!(e1, e2);
    assert_eq!((stats(0), stats(1)), before);
    let single = values(
        &projector
            .forward_t(&x.narrow(0, 5, 1).unwrap(), false)
            .unwrap(),
    );
    for (a, b) in single.iter().zip(&e1[5 * 3..6 * 3]) {
        assert_abs_diff_eq!(*a, *b, epsilon = 1e-12);
    }
}

fn all_values(varmap: &VarMap) -> HashMap<String, Vec<f64>> {
    varmap
        .data()
        .lock()
        .unwrap()
        .iter()
        .map(|(name, var)| (name.clone(), values(var.as_tensor())))
        .collect()
}

/// The same seed gives the same initial weights (also with or without a projector, for the
/// shared variables); another seed gives other weights.
#[test]
fn seeded_initialisation_is_deterministic() {
    let cfg = tiny_config();
    let build = |seed: u64, with_projector: bool| {
        let varmap = VarMap::new();
        Model::seeded(&varmap, &cfg, with_projector, seed, DType::F32, &CPU).unwrap();
        all_values(&varmap)
    };
    let a = build(42, true);
    assert_eq!(a, build(42, true));
    let without_projector = build(42, false);
    assert!(without_projector.len() < a.len());
    for (name, v) in &without_projector {
        assert_eq!(&a[name], v, "{name}");
    }
    let other = build(43, true);
    for (name, v) in &a {
        let is_constant = v.iter().all(|x| *x == v[0]);
        if !is_constant {
            assert_ne!(&other[name], v, "{name} does not depend on the seed");
        }
    }
}

/// Dropout masks come from the model's seeded stream: same seed, same training outputs; a
/// reseed replays them; evaluation ignores dropout; another dropout seed, with the same weights,
/// gives other masks.
#[test]
fn dropout_is_seeded() {
    let cfg = tiny_config();
    let batch = make_batch(&[4, 3], 4, cfg.input_dims, 9, zero_pad);
    let varmap = VarMap::new();
    let encoder = |dropout_seed: u64| {
        let vb = seeded_var_builder(&varmap, 1, DType::F32, &CPU);
        Encoder::new(&cfg, dropout_seed, vb).unwrap()
    };
    let (e1, e1_again, e2) = (encoder(1), encoder(1), encoder(2));
    let train = |e: &Encoder| values(&e.forward_t(&batch, true).unwrap());
    let eval = |e: &Encoder| values(&e.forward_t(&batch, false).unwrap());
    let first = train(&e1);
    assert_eq!(first, train(&e1_again));
    assert_ne!(first, train(&e1), "the stream advances between passes");
    e1.reseed_dropout(1).unwrap();
    assert_eq!(first, train(&e1));
    assert_ne!(first, train(&e2));
    assert_eq!(
        eval(&e1),
        eval(&e2),
        "same weights, no dropout in evaluation"
    );
    assert_eq!(eval(&e1), eval(&e1));
    assert_ne!(eval(&e1), first);
}

/// Parameter counts of the thesis model, from the layer formulas: LSTM 4H(in + H) + 8H,
/// attention 3·d·in (no biases), symmetric attention twice that, projector linears without bias
/// plus BatchNorm γ, β (running statistics are buffers, not parameters).
#[test]
fn parameter_counts_of_the_thesis_model() {
    let varmap = VarMap::new();
    Model::seeded(&varmap, &ModelConfig::default(), true, 0, DType::F32, &CPU).unwrap();
    let counts: HashMap<String, usize> = parameter_counts(&varmap).into_iter().collect();
    let lstm = |i: usize, h: usize| 4 * h * (i + h) + 8 * h;
    let expected = HashMap::from([
        ("encoder.text.lstm".to_string(), lstm(300, 100)),
        ("encoder.audio.lstm".to_string(), lstm(74, 100)),
        ("encoder.visual.lstm".to_string(), lstm(35, 100)),
        ("encoder.text.attention".to_string(), 30_000),
        ("encoder.audio.attention".to_string(), 30_000),
        ("encoder.visual.attention".to_string(), 30_000),
        ("encoder.cross.ta".to_string(), 60_000),
        ("encoder.cross.tv".to_string(), 60_000),
        ("encoder.cross.av".to_string(), 60_000),
        ("encoder.cross.tav".to_string(), 30_000),
        ("encoder.fusion.lstm".to_string(), lstm(700, 100)),
        ("projector.linear0".to_string(), 100_000),
        ("projector.bn0".to_string(), 2_000),
        ("projector.linear1".to_string(), 1_000_000),
        ("projector.bn1".to_string(), 2_000),
        ("projector.linear2".to_string(), 1_000_000),
        ("head".to_string(), 101),
    ]);
    assert_eq!(counts, expected);

    let head = vars_with_prefix(&varmap, HEAD_PREFIX);
    assert_eq!(head.len(), 2);
    let projector: usize = vars_with_prefix(&varmap, PROJECTOR_PREFIX)
        .iter()
        .map(|v| v.elem_count())
        .sum();
    assert_eq!(projector, 2_104_000);
    let total: usize = vars_with_prefix(&varmap, "")
        .iter()
        .map(|v| v.elem_count())
        .sum();
    assert_eq!(total, expected.values().sum::<usize>());
}

/// A forward pass at the thesis's shapes: batch 4, 50 steps, 300 / 74 / 35 features.
#[test]
fn forward_at_thesis_shapes() {
    let cfg = ModelConfig::default();
    let varmap = VarMap::new();
    let model = Model::seeded(&varmap, &cfg, true, 1, DType::F32, &CPU).unwrap();
    let batch = make_batch(&[50, 31, 7, 1], 50, cfg.input_dims, 2, zero_pad);
    for train in [false, true] {
        let fused = model.encoder.forward_t(&batch, train).unwrap();
        assert_eq!(fused.dims(), [4, 100]);
        assert!(values(&fused).iter().all(|v| v.is_finite()));
    }
    let predictions = model.forward_t(&batch, false).unwrap();
    assert_eq!(predictions.dims(), [4]);
    let embeddings = model.embed_t(&batch, true).unwrap();
    assert_eq!(embeddings.dims(), [4, 1000]);
    assert!(values(&embeddings).iter().all(|v| v.is_finite()));
}

/// `embed_encoding_t` is `embed_t`'s pass: on two models of one seed (so the same dropout
/// masks) its embedding and fused vector equal `embed_t`'s and `Encoder::forward_t`'s bit for bit,
/// in training and evaluation mode, under both fusions, and its per-modality vectors in
/// evaluation mode equal `modality_vectors`.
#[test]
fn embed_encoding_is_the_same_pass_as_embed() {
    for fusion in [Fusion::LastStep, Fusion::BidirectionalAttentionSum] {
        let cfg = ModelConfig {
            hidden: 6,
            attention_dim: 5,
            fusion_hidden: 4,
            projector: vec![7, 3],
            fusion,
            ..ModelConfig::default()
        };
        let batch = make_batch(&[6, 2, 4], 6, cfg.input_dims, 9, zero_pad);
        let seeded = || Model::seeded(&VarMap::new(), &cfg, true, 4, DType::F32, &CPU).unwrap();
        for train in [true, false] {
            let (a, b, c) = (seeded(), seeded(), seeded());
            let encoding = a.embed_encoding_t(&batch, train).unwrap();
            assert_eq!(
                values(&encoding.embedding),
                values(&b.embed_t(&batch, train).unwrap())
            );
            assert_eq!(
                values(&encoding.fused),
                values(&c.encoder.forward_t(&batch, train).unwrap())
            );
            if !train {
                let vectors = a.encoder.modality_vectors(&batch).unwrap();
                for (got, want) in encoding.modalities.iter().zip(&vectors) {
                    assert_eq!(got.dims(), [3, 5]);
                    assert_eq!(values(got), values(want));
                }
            }
        }
    }
}

/// The defaults are table 7.3.1; configs round-trip, fill missing fields and reject unknown ones.
#[test]
fn config_defaults_and_serde() {
    let cfg = ModelConfig::default();
    assert_eq!(cfg.input_dims, [300, 74, 35]);
    assert_eq!(
        (cfg.hidden, cfg.attention_dim, cfg.fusion_hidden),
        (100, 100, 100)
    );
    assert_eq!(cfg.dropout, 0.2);
    assert_eq!(cfg.projector, vec![1000, 1000, 1000]);
    let json = serde_json::to_string(&cfg).unwrap();
    assert_eq!(serde_json::from_str::<ModelConfig>(&json).unwrap(), cfg);
    let partial: ModelConfig = serde_json::from_str(r#"{"hidden": 8}"#).unwrap();
    assert_eq!(partial.hidden, 8);
    assert_eq!(partial.projector, cfg.projector);
    assert!(serde_json::from_str::<ModelConfig>(r#"{"hiden": 8}"#).is_err());
    let bad = ModelConfig {
        dropout: 1.0,
        ..ModelConfig::default()
    };
    assert!(bad.validate().is_err());
}

/// Timing of one forward + backward pass at batch 32, 50 steps, thesis sizes (not a check):
/// `cargo test --release --test model -- --ignored --nocapture`.
#[test]
#[ignore]
fn time_forward_backward() {
    let cfg = ModelConfig::default();
    let varmap = VarMap::new();
    let model = Model::seeded(&varmap, &cfg, false, 0, DType::F32, &CPU).unwrap();
    let batch = make_batch(&[50; 32], 50, cfg.input_dims, 3, zero_pad);
    let mut times = Vec::new();
    for _ in 0..6 {
        let start = Instant::now();
        let loss = model
            .forward_t(&batch, true)
            .unwrap()
            .abs()
            .unwrap()
            .mean_all()
            .unwrap();
        let forward = start.elapsed();
        loss.backward().unwrap();
        times.push((
            forward.as_secs_f64() * 1e3,
            start.elapsed().as_secs_f64() * 1e3,
        ));
    }
    for (forward, total) in &times[1..] {
        println!("forward {forward:.1} ms, forward + backward {total:.1} ms");
    }
}
