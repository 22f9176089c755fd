//! The resumable runner behind `mmssl reproduce`.
//!
//! Layout of an output directory:
//!
//! ```text
//! <out>/results.jsonl               one ResultRow per finished run (append-only, synced)
//! <out>/profile.json                the profile of the latest invocation
//! <out>/pretrained/<pretrain-key>/  model.safetensors + config.toml + pretrain.json (PretrainRecord)
//! ```
//!
//! # Resumption
//!
//! * **Finished runs** are rows of the [`ResultStore`], appended and synced the moment a run ends.
//!   A run whose row key ([`super::key::row_key`]) is in the store is skipped. A line torn by a
//!   crash is skipped on reading and the next append starts on a fresh line.
//! * **Equal runs are computed once.** Registry entries of different families can be the same
//!   run (same [`super::key::run_key`]: e.g. table 8.3.2's `none` is table 8.2.2's `supervised`).
//!   When a run key already has a row, the new entry gets a copy of it under its own family,
//!   variant, params and row key, with `wall_seconds = 0` ("reused").
//! * **Pre-training is cached.** Runs with the same [`super::key::pretrain_key`] (same data, model,
//!   SSL settings and seed — e.g. every labeled fraction of one SSL model in figure 8.4, or the
//!   fine-tuned and linear variants of figure 8.5.1) pre-train once. The pre-trained weights are
//!   written with [`save_checkpoint`] into a hidden temporary folder, synced, and renamed to
//!   `pretrained/<key>` ([`crate::files::commit_dir`]): a directory with the final name is always
//!   complete (left-over temporary folders are removed at the next start). Every SSL run,
//!   the first one included, fine-tunes a model loaded from that directory, so a run's numbers do
//!   not depend on whether its pre-training was cached.
//! * **Parallel runs** (`jobs > 1`): runs are grouped by pre-training key (supervised runs by run
//!   key); a group runs on one worker thread, in registry order, so a pre-training is never
//!   computed twice and reuse within a group is race-free. Appends go through one mutex.
//!
//! Threads: at the quick and smoke sizes candle's matmuls are too small to split, and with its
//! default of one matmul thread per core a run was 6× slower on the 2-core development machine
//! (waiting workers spin). `mmssl reproduce` therefore sets `RAYON_NUM_THREADS=1` unless it is
//! set; library callers should do the same and parallelise with [`ReproduceOptions::jobs`].

mod datasets;
mod worker;

use datasets::Datasets;
use worker::{lock, Shared};

use crate::data::{DataIdentity, Dataset};
use crate::experiments::error::{ExperimentError, Result};
use crate::experiments::family::FamilyId;
use crate::experiments::key::canonical_json;
use crate::experiments::profile::Profile;
use crate::experiments::registry::{self, format_params, RunSpec};
use crate::experiments::shard::Shard;
use crate::experiments::store::{ResultRow, ResultStore, StoreLock};
use crate::files;
use crate::model::Model;
use crate::train::live::{run_identity, Attempt, LiveFolder};
use crate::train::{
    build_model, finetune_phase, load_checkpoint, model_to_finetune, predict, pretrain_phase,
    save_checkpoint, DataConfig, Methodology, PretrainRecord, Progress, RunConfig, CONFIG_FILE,
    WEIGHTS_FILE,
};
use candle_core::Device;
use candle_nn::VarMap;
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The results store inside an output directory.
pub const STORE_FILE: &str = "results.jsonl";
/// The profile of the latest invocation, JSON.
pub const PROFILE_FILE: &str = "profile.json";
/// The pre-training cache inside an output directory.
pub const PRETRAINED_DIR: &str = "pretrained";
/// The live folders of the runs and pre-trainings in progress inside an output directory
/// (per-epoch CSV files and saved state, [`LiveFolder`]): an interrupted run resumes from its
/// last finished epoch; a folder is removed once its result is in the store or the cache.
pub const LIVE_DIR: &str = "live";

/// The path of the results store of output directory `out`.
pub fn store_path(out: &Path) -> PathBuf {
    out.join(STORE_FILE)
}

/// What to reproduce, where, and how.
#[derive(Debug, Clone)]
pub struct ReproduceOptions {
    /// Size of the reproduction.
    pub profile: Profile,
    /// Family ids to run (empty: all).
    pub only: Vec<String>,
    /// Output directory (store, profile, pre-training cache).
    pub out: PathBuf,
    /// Runs in parallel (worker threads), at least 1.
    pub jobs: usize,
    /// Compute device.
    pub device: Device,
    /// A progress bar over runs and one line per finished run on stderr.
    pub progress: bool,
    /// Run only this shard's groups of runs (`--shard K/N`; `None`: all of them).
    pub shard: Option<Shard>,
}

impl ReproduceOptions {
    /// All families of `profile` into `out`, one job, CPU, silent.
    pub fn new(profile: Profile, out: impl Into<PathBuf>) -> Self {
        ReproduceOptions {
            profile,
            only: Vec::new(),
            out: out.into(),
            jobs: 1,
            device: Device::Cpu,
            progress: false,
            shard: None,
        }
    }
}

/// Counts of one family in a reproduction.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FamilySummary {
    /// Runs of the family in the profile.
    pub runs: usize,
    /// Already in the store at the start.
    pub skipped: usize,
    /// Trained in this invocation.
    pub computed: usize,
    /// Copied from an equal run of another family in this invocation.
    pub reused: usize,
    /// Wall-clock seconds of this invocation's computed runs (pre-training included when it was
    /// not cached).
    pub run_seconds: f64,
}

/// What a reproduction did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Runs of the selected families.
    pub planned: usize,
    /// Runs already in the store at the start (not run again).
    pub skipped: usize,
    /// Runs left to other shards (`--shard`).
    pub other_shards: usize,
    /// Runs trained in this invocation.
    pub computed: usize,
    /// Runs whose row was copied from an equal run (same run key) of another family.
    pub reused: usize,
    /// Pre-trainings computed (and cached) in this invocation.
    pub pretrain_computed: usize,
    /// Pre-trainings loaded from the cache.
    pub pretrain_loaded: usize,
    /// Runs and pre-trainings continued from the last epoch an interrupted invocation saved.
    pub continued: usize,
    /// Wall-clock seconds of the whole invocation.
    pub wall_seconds: f64,
    /// Per family, in registry order of ids.
    pub families: BTreeMap<FamilyId, FamilySummary>,
}

impl Summary {
    /// Rows added by this invocation (computed + reused).
    pub fn new_runs(&self) -> usize {
        self.computed + self.reused
    }
}

/// The result of [`reproduce`]: the store with every finished row, and what this call did.
#[derive(Debug)]
pub struct Reproduction {
    /// The results store (all rows, also those of earlier invocations).
    pub store: ResultStore,
    /// Counts and timings of this invocation.
    pub summary: Summary,
    /// The data every run used.
    pub data: DataIdentity,
}

/// One run still to do.
#[derive(Debug, Clone)]
struct Job {
    spec: RunSpec,
    row_key: String,
    run_key: String,
    pretrain_key: Option<String>,
}

/// A prepared reproduction: data generated, registry expanded, keys computed, store opened.
/// [`Plan::run`] executes it; in between, the caller can print [`Plan::data`] and the counts.
#[derive(Debug)]
pub struct Plan {
    options: ReproduceOptions,
    data: Datasets,
    store: ResultStore,
    /// Held from [`Plan::prepare`] until the runs are done.
    _lock: StoreLock,
    /// Groups of jobs sharing a pre-training (or a run key), in registry order.
    groups: Vec<Vec<Job>>,
    /// Finished rows by run key (over the whole registry of the profile).
    known: HashMap<String, ResultRow>,
    summary: Summary,
}

/// Prepares and runs a reproduction: see [`Plan`] and the module docs.
pub fn reproduce(options: ReproduceOptions) -> Result<Reproduction> {
    Plan::prepare(options)?.run()
}

impl Plan {
    /// Generates the data, expands the registry under the profile, computes every key, opens the
    /// store, writes `profile.json` and removes stale temporary pre-training directories.
    pub fn prepare(options: ReproduceOptions) -> Result<Plan> {
        if options.jobs < 1 {
            return Err(ExperimentError::Config("--jobs must be at least 1".into()));
        }
        let profile = &options.profile;
        let all = registry::expand(profile, &[])?;
        let selected = registry::expand(profile, &options.only)?;
        let base = profile.config(0);
        let unfit = |run, error| ExperimentError::Settings {
            profile: profile.name.clone(),
            run,
            error: Box::new(error),
        };
        base.check_memory().map_err(|e| unfit(None, e))?;
        for spec in &all {
            (spec.config.validate()).map_err(|e| unfit(Some(spec.label()), e))?;
            if spec.config.data != base.data {
                return Err(ExperimentError::Config(format!(
                    "{}: every run of a profile must use the same data settings",
                    spec.label()
                )));
            }
        }
        let data = Datasets::load(&base, &selected)?;
        let first = data.base();
        if first.dims() != base.model.input_dims {
            return Err(ExperimentError::Config(format!(
                "data {} has feature dims {:?} but model.input_dims is {:?}",
                first.identity,
                first.dims(),
                base.model.input_dims
            )));
        }
        let sha = first.identity.sha256.clone();

        fs::create_dir_all(&options.out).map_err(ExperimentError::io("creating", &options.out))?;
        // Before anything in the folder is touched: another process may be writing to it.
        let lock = StoreLock::acquire(&options.out)?;
        check_profile_dir(&options.out, profile)?;
        let profile_file = options.out.join(PROFILE_FILE);
        fs::write(&profile_file, profile.to_json())
            .map_err(ExperimentError::io("writing", &profile_file))?;
        files::remove_stale_tmp(&options.out.join(PRETRAINED_DIR))?;
        files::remove_stale_tmp(&options.out.join(LIVE_DIR))?;
        let store = ResultStore::open(&store_path(&options.out))?;

        let mut known = HashMap::new();
        for spec in &all {
            if let Some(row) = store.get(&spec.row_key(&sha)) {
                known.insert(spec.run_key(&sha), row.clone());
            }
        }

        let mut summary = Summary {
            planned: selected.len(),
            ..Summary::default()
        };
        let mut groups: Vec<Vec<Job>> = Vec::new();
        let mut group_of: HashMap<String, usize> = HashMap::new();
        for spec in selected {
            let family = summary.families.entry(spec.family).or_default();
            family.runs += 1;
            let row_key = spec.row_key(&sha);
            if store.contains(&row_key) {
                family.skipped += 1;
                summary.skipped += 1;
                continue;
            }
            let run_key = spec.run_key(&sha);
            let pretrain_key = spec.pretrain_key(&sha);
            let group = pretrain_key
                .clone()
                .unwrap_or_else(|| format!("run:{run_key}"));
            if options.shard.is_some_and(|shard| !shard.owns(&group)) {
                summary.other_shards += 1;
                continue;
            }
            let index = *group_of.entry(group).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            groups[index].push(Job {
                spec,
                row_key,
                run_key,
                pretrain_key,
            });
        }
        Ok(Plan {
            options,
            data,
            store,
            _lock: lock,
            groups,
            known,
            summary,
        })
    }

    /// The data every run uses.
    pub fn data(&self) -> &DataIdentity {
        &self.data.base().identity
    }

    /// Runs to do in this invocation (not yet in the store).
    pub fn pending(&self) -> usize {
        self.groups.iter().map(Vec::len).sum()
    }

    /// Runs of the selected families already in the store.
    pub fn skipped(&self) -> usize {
        self.summary.skipped
    }

    /// Runs of the selected families left to other shards.
    pub fn other_shards(&self) -> usize {
        self.summary.other_shards
    }

    /// The store's path.
    pub fn store_path(&self) -> &Path {
        self.store.path()
    }

    /// Runs every pending run (see the module docs) and returns the store and the summary. The
    /// first error stops the workers after their current run and is returned; every row
    /// finished before it is in the store.
    pub fn run(self) -> Result<Reproduction> {
        let start = Instant::now();
        let Plan {
            options,
            data,
            store,
            _lock,
            groups,
            known,
            summary,
        } = self;
        let pending: usize = groups.iter().map(Vec::len).sum();
        let bar = if options.progress && pending > 0 {
            ProgressBar::new(pending as u64)
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {pos}/{len} runs (ETA {eta}) {msg}",
            )
            .expect("static template")
            .progress_chars("=> "),
        );
        let shared = Shared {
            options: &options,
            data: &data,
            store: Mutex::new(store),
            known: Mutex::new(known),
            queue: Mutex::new(groups.into_iter().collect()),
            summary: Mutex::new(summary),
            bar,
            failed: AtomicBool::new(false),
            error: Mutex::new(None),
        };
        let workers = options.jobs.min(pending.max(1));
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| shared.work());
            }
        });
        shared.bar.finish_and_clear();
        if let Some(err) = lock(&shared.error)?.take() {
            return Err(err);
        }
        let store = shared
            .store
            .into_inner()
            .map_err(|_| ExperimentError::Internal("results store lock poisoned".into()))?;
        let mut summary = shared
            .summary
            .into_inner()
            .map_err(|_| ExperimentError::Internal("summary lock poisoned".into()))?;
        summary.wall_seconds = start.elapsed().as_secs_f64();
        Ok(Reproduction {
            store,
            summary,
            data: data.base().identity.clone(),
        })
    }
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "-".into(), |v| format!("{:.2}", 100.0 * v))
}

/// The line printed for a finished run.
pub fn run_line(row: &ResultRow, reused: bool) -> String {
    let how = if reused {
        "reused".to_string()
    } else {
        format!("{:.1} s", row.wall_seconds)
    };
    format!(
        "{} {}{} seed {}: test F1 {} Acc7 {:.2} MAE {:.4} ({how})",
        row.family,
        row.variant,
        format_params(&row.params),
        row.seed,
        pct(row.test.f1_non0),
        100.0 * row.test.acc7,
        row.test.mae,
    )
}

/// Number of distinct computations (run keys) and pre-trainings among `specs`, without data:
/// the canonical JSON of the configs stands in for the keys (all runs of a profile share the
/// data). Used by `--list`.
pub fn distinct_work(specs: &[RunSpec]) -> (usize, usize) {
    let runs: std::collections::HashSet<String> =
        specs.iter().map(|s| canonical_json(&s.config)).collect();
    let pretrainings: std::collections::HashSet<String> = specs
        .iter()
        .filter(|s| s.config.methodology.pretrains())
        .map(|s| super::key::pretrain_key(&s.config, ""))
        .collect();
    (runs.len(), pretrainings.len())
}

/// Fails when `out` holds a store from another profile (mixing profiles in one store is almost
/// always a mistake; the keys would keep them apart, but reports would not).
pub fn check_profile_dir(out: &Path, profile: &Profile) -> Result<()> {
    let path = out.join(PROFILE_FILE);
    let Ok(text) = fs::read_to_string(&path) else {
        return Ok(());
    };
    if let Ok(previous) = serde_json::from_str::<Profile>(&text) {
        if previous.name != profile.name {
            return Err(ExperimentError::Config(format!(
                "{} holds results of profile `{}`, not `{}`: choose another --out",
                out.display(),
                previous.name,
                profile.name
            )));
        }
    }
    Ok(())
}
