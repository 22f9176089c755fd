//! The worker threads of a reproduction: each takes groups of runs off the shared queue, runs
//! them (pre-training through the cache, resuming what an interrupted invocation left in a live
//! folder) and appends their rows to the store.

use super::*;

pub(super) fn lock<T>(m: &Mutex<T>) -> Result<std::sync::MutexGuard<'_, T>> {
    (m.lock()).map_err(|_| ExperimentError::Internal("a reproduce worker panicked".into()))
}

/// State shared by the worker threads.
pub(super) struct Shared<'a> {
    pub(super) options: &'a ReproduceOptions,
    pub(super) data: &'a Datasets,
    pub(super) store: Mutex<ResultStore>,
    pub(super) known: Mutex<HashMap<String, ResultRow>>,
    pub(super) queue: Mutex<VecDeque<Vec<Job>>>,
    pub(super) summary: Mutex<Summary>,
    pub(super) bar: ProgressBar,
    pub(super) failed: AtomicBool,
    pub(super) error: Mutex<Option<ExperimentError>>,
}

/// How a run's encoder was obtained.
enum Source {
    Random,
    Computed,
    Loaded,
}

impl Shared<'_> {
    /// Takes groups of runs off the queue and runs them until it is empty or a run failed.
    pub(super) fn work(&self) {
        loop {
            if self.failed.load(Ordering::SeqCst) {
                return;
            }
            let group = match self.queue.lock() {
                Ok(mut q) => q.pop_front(),
                Err(_) => return,
            };
            let Some(group) = group else { return };
            for job in group {
                if self.failed.load(Ordering::SeqCst) {
                    return;
                }
                if let Err(err) = self.execute(&job) {
                    self.failed.store(true, Ordering::SeqCst);
                    if let Ok(mut slot) = self.error.lock() {
                        slot.get_or_insert(ExperimentError::Run {
                            label: job.spec.label(),
                            error: Box::new(err),
                        });
                    }
                    return;
                }
            }
        }
    }

    fn execute(&self, job: &Job) -> Result<()> {
        let reused = lock(&self.known)?.get(&job.run_key).cloned();
        let (row, pretrained) = match reused {
            Some(original) => (
                ResultRow {
                    key: job.row_key.clone(),
                    family: job.spec.family,
                    variant: job.spec.variant.clone(),
                    params: job.spec.params.clone(),
                    seed: job.spec.seed,
                    profile: self.options.profile.name.clone(),
                    wall_seconds: 0.0,
                    ..original
                },
                None,
            ),
            None => {
                let (row, pretrained) = self.compute(job)?;
                (row, Some(pretrained))
            }
        };
        lock(&self.store)?.append(row.clone())?;
        self.remove_live(&job.run_key)?;
        lock(&self.known)?.insert(job.run_key.clone(), row.clone());
        let reused = pretrained.is_none();
        {
            let mut summary = lock(&self.summary)?;
            match pretrained {
                Some(Source::Computed) => summary.pretrain_computed += 1,
                Some(Source::Loaded) => summary.pretrain_loaded += 1,
                _ => {}
            }
            if reused {
                summary.reused += 1;
            } else {
                summary.computed += 1;
            }
            let family = summary.families.entry(row.family).or_default();
            if reused {
                family.reused += 1;
            } else {
                family.computed += 1;
                family.run_seconds += row.wall_seconds;
            }
        }
        if self.options.progress {
            let line = run_line(&row, reused);
            self.bar.suspend(|| eprintln!("{line}"));
        }
        self.bar.inc(1);
        Ok(())
    }

    fn compute(&self, job: &Job) -> Result<(ResultRow, Source)> {
        let start = Instant::now();
        let cfg = &job.spec.config;
        let device = &self.options.device;
        let (model, varmap, pretrain, source) = match &job.pretrain_key {
            Some(key) => {
                let (mut dir, mut record, mut computed) = self.ensure_pretrained(cfg, key)?;
                let loaded = match load_checkpoint(&dir, device) {
                    Ok(loaded) => loaded,
                    Err(err) if !computed => {
                        // A corrupt cache entry (e.g. truncated weights) is ours: recompute it.
                        self.bar.suspend(|| {
                            eprintln!("note: {err:#}; computing that pre-training again")
                        });
                        fs::remove_dir_all(&dir).map_err(ExperimentError::io("removing", &dir))?;
                        (dir, record, computed) = self.ensure_pretrained(cfg, key)?;
                        load_checkpoint(&dir, device)?
                    }
                    Err(err) => return Err(err.into()),
                };
                let (saved, model, varmap) = loaded;
                if !(saved.model == cfg.model && saved.seed == cfg.seed) {
                    return Err(ExperimentError::Internal(format!(
                        "cached pre-training {} does not match the run's model / seed",
                        dir.display()
                    )));
                }
                let source = if computed {
                    Source::Computed
                } else {
                    Source::Loaded
                };
                let mut pretrain = record.pretrain;
                if !computed {
                    // A cached pre-training cost this run nothing.
                    pretrain.seconds = 0.0;
                }
                (model, varmap, Some(pretrain), source)
            }
            None => {
                let (model, varmap) = build_model(cfg, device)?;
                (model, varmap, None, Source::Random)
            }
        };
        let data = self.data.for_run(cfg)?;
        let (model, varmap) = model_to_finetune(cfg, (model, varmap), device)?;
        let from = format!("# pre-training: {:?}", job.pretrain_key);
        let progress = self.live(&job.run_key, (cfg, &data.identity, &from))?;
        let report = finetune_phase(&model, &varmap, cfg, data, pretrain, device, &progress)?;
        let test_predictions = predict(&model, &data.test, device)?
            .into_iter()
            .map(|p| p as f32)
            .collect();
        let row = ResultRow {
            key: job.row_key.clone(),
            family: job.spec.family,
            variant: job.spec.variant.clone(),
            params: job.spec.params.clone(),
            seed: job.spec.seed,
            methodology: cfg.methodology,
            profile: self.options.profile.name.clone(),
            test: report.test,
            valid: report.valid,
            best_epoch: report.best_epoch,
            wall_seconds: start.elapsed().as_secs_f64(),
            data: report.data,
            config: report.config,
            test_predictions,
            test_labels: data.test.labels.clone(),
            pretrain: report.pretrain,
        };
        Ok((row, source))
    }

    /// The cached pre-training directory of `key`, computing it first when it is missing.
    /// Returns the directory, its [`PretrainRecord`], and whether it was computed now.
    fn ensure_pretrained(
        &self,
        cfg: &RunConfig,
        key: &str,
    ) -> Result<(PathBuf, PretrainRecord, bool)> {
        let root = self.options.out.join(PRETRAINED_DIR);
        let dir = root.join(key);
        if dir.join(WEIGHTS_FILE).is_file() && dir.join(CONFIG_FILE).is_file() {
            if let Ok(record) = PretrainRecord::load(&dir) {
                return Ok((dir, record, false));
            }
            // A cache entry from before the record held diagnostics: computed again below.
        }
        let pcfg = RunConfig {
            methodology: Methodology::SslFinetune,
            supervised: Default::default(),
            fidelity: cfg.fidelity.pretraining_part(),
            ..cfg.clone()
        };
        let device = &self.options.device;
        let data = self.data.for_run(cfg)?;
        let (model, varmap): (Model, VarMap) = build_model(&pcfg, device)?;
        let live_key = format!("pretrain-{key}");
        let progress = self.live(&live_key, (&pcfg, &data.identity, ""))?;
        let pretrain = pretrain_phase(&model, &varmap, &pcfg, data, device, &progress)?;
        let record = PretrainRecord {
            data: data.identity.clone(),
            config: pcfg,
            seconds: pretrain.seconds,
            pretrain,
        };
        // An entry without a readable record (written by hand, or by an older version) is ours to
        // replace: the cache folder holds nothing else.
        files::commit_dir(&dir, true, WEIGHTS_FILE, |tmp| -> Result<()> {
            save_checkpoint(tmp, &varmap, &record.config)?;
            Ok(record.save(tmp)?)
        })?;
        self.remove_live(&live_key)?;
        Ok((dir, record, true))
    }

    /// A quiet progress recording into the live folder `key` of the run `cfg` on `data` (plus
    /// `extra`, what else the run depends on), resuming what an interrupted reproduction left.
    fn live(
        &self,
        key: &str,
        (cfg, data, extra): (&RunConfig, &DataIdentity, &str),
    ) -> Result<Progress> {
        let identity = run_identity(cfg, data, extra);
        let dir = self.options.out.join(LIVE_DIR).join(key);
        let live = LiveFolder::at(dir, &identity, Attempt::Resume)?;
        if live.has_saved_state()? {
            lock(&self.summary)?.continued += 1;
        }
        Ok(Progress::quiet().with_live_folder(Arc::new(live)))
    }

    /// Removes the live folder `key` once its result is stored.
    fn remove_live(&self, key: &str) -> Result<()> {
        let dir = self.options.out.join(LIVE_DIR).join(key);
        match fs::remove_dir_all(&dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(ExperimentError::io("removing", &dir)(e))
            }
            _ => Ok(()),
        }
    }
}
