//! Resuming within a run: a run interrupted after epoch k and resumed from its live folder ends
//! bit for bit as the uninterrupted run (weights, logs, metrics), in pre-training and in
//! fine-tuning, with a plateau schedule and with early stopping; the optimiser that makes this
//! possible updates exactly as candle-nn's `AdamW`.

mod common;
use candle_core::{Device, Tensor};
use candle_nn::{AdamW, Module, Optimizer, ParamsAdamW, VarMap};
use mmssl::data::Dataset;
use mmssl::loss::{Objective, SupervisedLoss};
use mmssl::model::{named_vars_with_prefix, vars_with_prefix};
use mmssl::train::live::{Attempt, LiveFolder};
use mmssl::train::{
    build_model, pretrain_phase, run, supervised_step, Adam, Methodology, Progress, RunConfig,
    RunReport, Timing,
};
use std::path::Path;
use std::sync::Arc;

fn weights(varmap: &VarMap) -> Vec<(String, Vec<u32>)> {
    let data = varmap.data().lock().unwrap();
    let mut out: Vec<(String, Vec<u32>)> = data
        .iter()
        .map(|(name, var)| {
            let values = var.as_tensor().flatten_all().unwrap().to_vec1::<f32>();
            let bits = values.unwrap().iter().map(|x| x.to_bits()).collect();
            (name.clone(), bits)
        })
        .collect();
    out.sort();
    out
}

/// A quiet progress into the live folder `dir`, opened as a new process would.
fn live(dir: &Path, attempt: Attempt) -> Progress {
    let folder = LiveFolder::at(dir.to_path_buf(), "the same run", attempt).unwrap();
    Progress::quiet().with_live_folder(Arc::new(folder))
}

fn without_timing(mut report: RunReport) -> RunReport {
    report.timing = Timing::default();
    if let Some(p) = report.pretrain.as_mut() {
        p.seconds = 0.0;
    }
    report
}

fn data(cfg: &RunConfig) -> Dataset {
    cfg.load_data().unwrap()
}

#[test]
fn adam_updates_bit_for_bit_as_candles_adamw() {
    let cfg = common::tiny_config(Methodology::Supervised);
    let data = data(&cfg);
    let device = Device::Cpu;
    for weight_decay in [0.0, 0.01] {
        let params = ParamsAdamW {
            lr: 3e-3,
            weight_decay,
            ..ParamsAdamW::default()
        };
        let (ours_model, ours_vars) = build_model(&cfg, &device).unwrap();
        let (theirs_model, theirs_vars) = build_model(&cfg, &device).unwrap();
        let mut ours = Adam::named(named_vars_with_prefix(&ours_vars, ""), params.clone()).unwrap();
        let mut theirs = AdamW::new(vars_with_prefix(&theirs_vars, ""), params).unwrap();
        let batches: Vec<_> = data.train.batches(32, Some(7), false).unwrap().collect();
        for host in batches.iter().take(5) {
            let batch = host.to_device(&device).unwrap();
            supervised_step(&ours_model, &mut ours, &batch, SupervisedLoss::L1).unwrap();
            let fused = theirs_model.encoder.forward_t(&batch, true).unwrap();
            let loss = (theirs_model.head.forward(&fused).unwrap() - &batch.labels)
                .unwrap()
                .abs()
                .unwrap()
                .mean_all()
                .unwrap();
            theirs.backward_step(&loss).unwrap();
        }
        assert_eq!(ours.steps(), 5);
        assert_eq!(
            weights(&ours_vars),
            weights(&theirs_vars),
            "weight decay {weight_decay}"
        );
    }
}

#[test]
fn the_optimiser_state_restores_exactly_and_refuses_other_shapes() {
    let cfg = common::tiny_config(Methodology::Supervised);
    let device = Device::Cpu;
    let data = data(&cfg);
    let (model, varmap) = build_model(&cfg, &device).unwrap();
    let mut opt = mmssl::train::adam(named_vars_with_prefix(&varmap, ""), 1e-3, 0.0).unwrap();
    let batch = data.train.batches(32, None, false).unwrap().next().unwrap();
    supervised_step(
        &model,
        &mut opt,
        &batch.to_device(&device).unwrap(),
        SupervisedLoss::L1,
    )
    .unwrap();
    let state: std::collections::HashMap<String, Tensor> =
        opt.state().unwrap().into_iter().collect();
    let (_, other_vars) = build_model(&cfg, &device).unwrap();
    let mut other = mmssl::train::adam(named_vars_with_prefix(&other_vars, ""), 1e-3, 0.0).unwrap();
    other.restore(opt.steps(), &state).unwrap();
    let again: Vec<(String, Vec<f32>)> = other
        .state()
        .unwrap()
        .into_iter()
        .map(|(n, t)| (n, t.flatten_all().unwrap().to_vec1().unwrap()))
        .collect();
    let first: Vec<(String, Vec<f32>)> = opt
        .state()
        .unwrap()
        .into_iter()
        .map(|(n, t)| (n, t.flatten_all().unwrap().to_vec1().unwrap()))
        .collect();
    assert_eq!(again, first);
    assert_eq!(other.steps(), 1);
    let mut wrong = state.clone();
    let key = wrong.keys().next().unwrap().clone();
    wrong.insert(
        key.clone(),
        Tensor::zeros(3, candle_core::DType::F32, &device).unwrap(),
    );
    let err = other.restore(1, &wrong).unwrap_err().to_string();
    assert!(err.contains(&key) && err.contains("shape"), "{err}");
    wrong.remove(&key);
    let err = other.restore(1, &wrong).unwrap_err().to_string();
    assert!(err.contains(&key), "{err}");
}

/// Runs `cfg` uninterrupted, then again "interrupted" after the epochs of `cut` (a config that
/// stops earlier: the state it leaves after its last epoch is the one a killed process leaves
/// after that epoch) and resumed with `cfg` from the same live folder by a fresh model, and
/// checks that both end identically.
fn resumed_equals_uninterrupted(name: &str, cfg: &RunConfig, cut: &RunConfig) {
    let device = Device::Cpu;
    let data = data(cfg);
    let tmp = common::tmp_in("resume", name);
    let (_, whole_vars, whole) = run(
        cfg,
        &data,
        &device,
        &live(&tmp.join("whole"), Attempt::Fresh),
    )
    .unwrap();
    let folder = tmp.join("cut");
    if cut.supervised.max_epochs == cfg.supervised.max_epochs {
        // Interrupted in pre-training.
        let (model, varmap) = build_model(cut, &device).unwrap();
        pretrain_phase(
            &model,
            &varmap,
            cut,
            &data,
            &device,
            &live(&folder, Attempt::Fresh),
        )
        .unwrap();
    } else {
        run(cut, &data, &device, &live(&folder, Attempt::Fresh)).unwrap();
    }
    let (_, resumed_vars, resumed) =
        run(cfg, &data, &device, &live(&folder, Attempt::Resume)).unwrap();
    assert_eq!(
        without_timing(resumed.clone()),
        without_timing(whole.clone()),
        "{name}"
    );
    assert_eq!(weights(&resumed_vars), weights(&whole_vars), "{name}");
    // The live folder's logs hold each epoch once, as the uninterrupted run's do.
    for phase in ["pretrain", "finetune"] {
        let read =
            |dir: &Path| std::fs::read_to_string(dir.join(format!("{phase}-epochs.csv"))).ok();
        assert_eq!(
            read(&folder),
            read(&tmp.join("whole")),
            "{name}: {phase} CSV"
        );
    }
    // Resuming a different run's state is impossible by construction of the identity check.
    let err = LiveFolder::at(folder.clone(), "another run", Attempt::Resume).unwrap_err();
    assert!(err.to_string().contains("other settings"), "{err}");
    let err = LiveFolder::at(folder.clone(), "the same run", Attempt::Fresh).unwrap_err();
    assert!(err.to_string().contains("--resume"), "{err}");
}

#[test]
fn a_pretraining_interrupted_after_an_epoch_resumes_bit_for_bit() {
    for methodology in [Methodology::SslFinetune, Methodology::SslLinear] {
        let mut cfg = common::tiny_config(methodology);
        cfg.ssl.epochs = 4;
        // The released code's plateau schedule, so its state carries over too.
        cfg.fidelity.ssl_plateau_on_augmented_validation = true;
        let mut cut = cfg.clone();
        cut.ssl.epochs = 2;
        resumed_equals_uninterrupted(&format!("pretrain-{methodology}"), &cfg, &cut);
    }
}

/// The objectives that bring variables of their own (the generative decoder, the multimodal
/// projections) resume them with the projector; the released code's plateau makes the
/// augmented validation loss of each objective part of the state too.
#[test]
fn a_pretraining_with_its_own_variables_resumes_bit_for_bit() {
    for objective in [Objective::Generative, Objective::MultimodalContrastive] {
        let mut cfg = common::tiny_config(Methodology::SslLinear);
        cfg.ssl.objective = objective;
        cfg.ssl.epochs = 3;
        cfg.fidelity.ssl_plateau_on_augmented_validation = true;
        let mut cut = cfg.clone();
        cut.ssl.epochs = 1;
        resumed_equals_uninterrupted(&format!("pretrain-{}", objective.id()), &cfg, &cut);
    }
}

#[test]
fn a_finetuning_interrupted_after_an_epoch_resumes_bit_for_bit() {
    let mut cfg = common::tiny_config(Methodology::SslFinetune);
    cfg.supervised.max_epochs = 6;
    // A plateau after one bad epoch, so the rate and the tracker's counts change mid-run.
    cfg.supervised.plateau_patience = 1;
    let mut cut = cfg.clone();
    cut.supervised.max_epochs = 3;
    resumed_equals_uninterrupted("finetune", &cfg, &cut);
}

#[test]
fn an_early_stopped_run_resumed_does_not_train_on() {
    let mut cfg = common::tiny_config(Methodology::Supervised);
    cfg.supervised.max_epochs = 40;
    cfg.supervised.patience = 1;
    let device = Device::Cpu;
    let data = data(&cfg);
    let tmp = common::tmp_in("resume", "early");
    let (_, _, whole) = run(&cfg, &data, &device, &live(&tmp, Attempt::Fresh)).unwrap();
    assert!(whole.finetune.len() < 40, "the run stops early");
    // The state left after the stopping epoch: resuming it trains nothing more.
    let (_, _, again) = run(&cfg, &data, &device, &live(&tmp, Attempt::Resume)).unwrap();
    assert_eq!(without_timing(again), without_timing(whole));
}

#[test]
fn a_live_folder_is_kept_replaced_or_refused_as_the_attempt_says() {
    let tmp = common::tmp_in("resume", "attempts");
    let dir = tmp.join("run.progress");
    let state = || {
        LiveFolder::at(dir.clone(), "run", Attempt::Resume)
            .unwrap()
            .save_state("pretrain", &1u32, &[])
            .unwrap()
    };
    state();
    // Fresh: refused while it holds a saved state; Discard: replaced; Resume: kept.
    assert!(LiveFolder::at(dir.clone(), "run", Attempt::Fresh).is_err());
    let kept = LiveFolder::at(dir.clone(), "run", Attempt::Resume).unwrap();
    assert_eq!(
        kept.saved_state::<u32>("pretrain").unwrap().unwrap().state,
        1
    );
    let discarded = LiveFolder::at(dir.clone(), "run", Attempt::Discard).unwrap();
    assert!(discarded.saved_state::<u32>("pretrain").unwrap().is_none());
    // Logs alone are replaced by a fresh attempt.
    discarded.append("finetune", &(0u32, 1.5f64)).unwrap();
    let fresh = LiveFolder::at(dir.clone(), "run", Attempt::Fresh).unwrap();
    assert!(!fresh.dir().join("finetune-epochs.csv").exists());
    // Saving again replaces the old tensors: one tensor file per phase.
    state();
    state();
    let files = std::fs::read_dir(dir.join("state-pretrain"))
        .unwrap()
        .count();
    assert_eq!(files, 2, "state.json and one tensor file");
    // A damaged tensor file is refused by name, with the way out.
    let tensors = std::fs::read_dir(dir.join("state-pretrain"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "safetensors"))
        .unwrap();
    let bytes = std::fs::read(&tensors).unwrap();
    std::fs::write(&tensors, &bytes[..bytes.len() / 2]).unwrap();
    let resumed = LiveFolder::at(dir.clone(), "run", Attempt::Resume).unwrap();
    let err = resumed
        .saved_state::<u32>("pretrain")
        .unwrap_err()
        .to_string();
    let name = tensors.file_name().unwrap().to_str().unwrap();
    assert!(err.contains(name) && err.contains("--force"), "{err}");
    state();
    // A folder holding anything of the user's is refused by every attempt and left untouched.
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    for attempt in [Attempt::Fresh, Attempt::Resume, Attempt::Discard] {
        let err = LiveFolder::at(dir.clone(), "run", attempt).unwrap_err();
        assert!(err.to_string().contains("nothing was touched"), "{err}");
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "mine"
    );
}
