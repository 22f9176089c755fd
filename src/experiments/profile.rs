//! Profiles: how large a reproduction of chapter 8 is. A [`Profile`] holds every knob that the
//! registry ([`super::registry`]) reads when it expands a family into runs — data scale, model
//! size, epochs, seeds and the ablation grids — so `smoke`, `quick` and `full` are the same
//! registry at three sizes. The profile is printed at the start of `mmssl reproduce`, written to
//! `<out>/profile.json`, and its name is stored in every result row; its settings are also inside
//! every row's `config`, hence inside every run key.
//!
//! # Where the `full` grids come from (thesis chapter 8 and appendix A.2)
//!
//! The thesis prints its ablations only as figures, so the grid values that the text does not
//! name are documented guesses:
//!
//! * seeds: "Average values over 5 runs" (tables 8.2.2, 8.2.4, 8.3.2; figures 8.5.2–8.5.4,
//!   A.2.1–A.2.4) → 5 seeds; figures 8.4.1 / 8.4.2: "best models out of 3 runs" / "average values
//!   over 3 runs" → 3 seeds. Figure 8.5.1 states no count: 5, like the other ablations.
//! * labeled fractions (fig. 8.4): the text names 1 % ("tiny datasets (1%)"), 60 % and 80 %
//!   ("require about 80%, and even 60%", "saturation … around the 60 – 80% mark") and 100 %;
//!   the rest of [0.01, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0] is a guess (20 % steps above 20 %).
//! * single-stream masking (fig. 8.5.1): P_apply2 = 0 (stated). P_apply ∈ {0.3, 0.6, 1.0}: the
//!   three values the text names ("P_apply ≥ 0.6", "low P_apply = 0.3", "(P_apply = 1.0,
//!   mask_percent = 50%)"); mask % ∈ {20, 50, 70, 100}: 20 %, 50 %, 100 % are named, 70 % is
//!   table 8.2.1's choice. Fine-tuned and linear-evaluation lines, plus the supervised baseline.
//! * double-stream masking (figs 8.5.2–8.5.4, A.2.1–A.2.3): the strategies 'Low-Low',
//!   'Medium-Medium', 'High-High', 'High-Low' are named but their probabilities are not. Guess:
//!   Low = 0.3, Medium = 0.6, High = 1.0 — the single-stream P_apply values above, with Medium =
//!   table 8.2.1's [0.6, 0.6]. Mask % per stream ∈ {20, 50, 70, 100} (the text names only the
//!   winning (70 %, 70 %)).
//! * SeqAug P_apply (fig. A.2.4): "(P_apply1, P_apply2) = (0.5, 0.5) clearly dominates" and
//!   "'Medium-Medium' … performs the best"; grid guess p1, p2 ∈ {0.2, 0.5, 0.8} (Low / Medium /
//!   High around the named 0.5), the full 3 × 3 product.

use super::error::{ExperimentError, Result};
use super::family::FamilyId;
use crate::data::synthetic::Difficulty;
use crate::loss::Objective;
use crate::model::ModelConfig;
use crate::train::RunConfig;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The built-in profiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProfileName {
    /// Tiny: for tests, a few seconds per family.
    Smoke,
    /// The README's main job: the decisive comparisons resolved, every figure drawn, ≤ 20 min
    /// on 2 CPU cores.
    Quick,
    /// Every family with ≥ 3 seeds at the thesis's model sizes on reduced data: an overnight
    /// CPU run or a GPU.
    Standard,
    /// The thesis's settings (scale 1, table 7.3.2 epochs, 5 seeds, full grids).
    Full,
}

impl ProfileName {
    /// Every built-in profile, smallest first.
    pub const ALL: [ProfileName; 4] = [
        ProfileName::Smoke,
        ProfileName::Quick,
        ProfileName::Standard,
        ProfileName::Full,
    ];

    /// The lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            ProfileName::Smoke => "smoke",
            ProfileName::Quick => "quick",
            ProfileName::Standard => "standard",
            ProfileName::Full => "full",
        }
    }

    /// The profile's knobs.
    pub fn profile(self) -> Profile {
        match self {
            ProfileName::Smoke => Profile::smoke(),
            ProfileName::Quick => Profile::quick(),
            ProfileName::Standard => Profile::standard(),
            ProfileName::Full => Profile::full(),
        }
    }
}

impl fmt::Display for ProfileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A double-masking augmentation strategy of figures 8.5.2–8.5.4: the application probabilities
/// of stream 1 and stream 2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Strategy {
    /// The variant name, e.g. `high-low` (thesis: 'High-Low').
    pub name: String,
    /// P_apply of stream 1.
    pub p1: f64,
    /// P_apply of stream 2.
    pub p2: f64,
}

impl Strategy {
    fn new(name: &str, p1: f64, p2: f64) -> Strategy {
        Strategy {
            name: name.into(),
            p1,
            p2,
        }
    }

    /// The four strategies of figure 8.5.2 with `low`, `medium`, `high` probabilities.
    pub fn thesis_four(low: f64, medium: f64, high: f64) -> Vec<Strategy> {
        vec![
            Strategy::new("low-low", low, low),
            Strategy::new("medium-medium", medium, medium),
            Strategy::new("high-high", high, high),
            Strategy::new("high-low", high, low),
        ]
    }
}

/// The ablation grids (see the module docs for where the `full` values come from).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grids {
    /// Labeled fractions of figure 8.4 (param `fraction`).
    pub fractions: Vec<f64>,
    /// Single-stream masking P_apply of figure 8.5.1 (param `p_apply`).
    pub single_p_apply: Vec<f64>,
    /// Single-stream masking percentages of figure 8.5.1 (param `mask_pct`).
    pub single_mask_pct: Vec<f64>,
    /// Double-masking strategies of figure 8.5.2 (params `p1`, `p2`).
    pub strategies: Vec<Strategy>,
    /// Per-stream masking percentages of figure 8.5.2's heat maps (params `mask_pct_1`,
    /// `mask_pct_2`: every pair).
    pub double_mask_pct: Vec<f64>,
    /// SeqAug P_apply per stream of figure A.2.4 (params `p1`, `p2`: every pair).
    pub seqaug_p_apply: Vec<f64>,
    /// SSL learning rates of the `ssl-lr` family (param `ssl_lr`): table 7.3.2's 3e-6, the
    /// released code's effective 1e-3, and one between.
    pub ssl_lrs: Vec<f64>,
    /// Pre-training objectives of the `objectives` family (variants `<objective>`,
    /// `<objective>-linear`); default: every [`Objective`].
    #[serde(default = "every_objective")]
    pub objectives: Vec<Objective>,
}

/// Every [`Objective`], Barlow Twins first (the default of [`Grids::objectives`]).
fn every_objective() -> Vec<Objective> {
    Objective::ALL.to_vec()
}

/// Every knob of a reproduction's size. [`Profile::config`] turns it into the base
/// [`RunConfig`] of a seed; the registry then sets methodology, augmentations and grid values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// `smoke`, `quick` or `full`: stored in every result row.
    pub name: String,
    /// Synthetic data size relative to CMU-MOSEI (`data.synthetic.scale`).
    pub scale: f64,
    /// Seed of the synthetic data generator (`data.synthetic.seed`).
    pub data_seed: u64,
    /// Padded steps per sequence of the synthetic data (`data.synthetic.steps`; thesis: 50).
    pub steps: usize,
    /// Difficulty preset of the synthetic data (`data.synthetic.difficulty`): `standard` (the
    /// default, left out of `profile.json`) or `hard`.
    #[serde(default, skip_serializing_if = "Difficulty::is_standard")]
    pub difficulty: Difficulty,
    /// Encoder, projector and head sizes (thesis: table 7.3.1).
    pub model: ModelConfig,
    /// Supervised phase: maximum epochs (thesis: 100).
    pub supervised_max_epochs: usize,
    /// Supervised phase: early-stopping patience (thesis: 10).
    pub supervised_patience: usize,
    /// SSL phase: epochs (thesis: 20).
    pub ssl_epochs: usize,
    /// SSL phase: batch size (thesis: 170).
    pub ssl_batch_size: usize,
    /// SSL phase: Adam learning rate (thesis: 3e-6).
    pub ssl_lr: f64,
    /// Seeds of every family without an entry in `family_seeds` (thesis: 5 runs).
    pub seeds: Vec<u64>,
    /// Seeds of single families, e.g. `fig-8.4` (thesis: 3 runs), or more seeds for the
    /// comparisons a profile means to resolve; an empty list leaves the family out.
    #[serde(default)]
    pub family_seeds: BTreeMap<FamilyId, Vec<u64>>,
    /// The ablation grids.
    pub grids: Grids,
    /// Imported data used instead of the synthetic stand-in (`reproduce --data DIR`); `None`:
    /// the stand-in at `scale`, `data_seed`, `steps`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<ImportedData>,
}

/// A native data directory (`mmssl data import`) a reproduction runs on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportedData {
    /// The directory (`data.safetensors` + `meta.json`).
    pub path: PathBuf,
    /// Its feature dims (text, audio, visual): the model's `input_dims`.
    pub dims: [usize; 3],
}

impl Profile {
    /// The seeds of `family` (its `family_seeds` entry, else `seeds`).
    pub fn seeds_for(&self, family: FamilyId) -> Vec<u64> {
        self.family_seeds
            .get(&family)
            .unwrap_or(&self.seeds)
            .clone()
    }

    /// The thesis: scale 1.0, table 7.3.1 model, table 7.3.2 epochs and learning rates, 5 seeds
    /// (3 for figure 8.4), the full grids of the module docs. For a GPU or a very long CPU run.
    pub fn full() -> Profile {
        let thesis = RunConfig::default();
        Profile {
            name: "full".into(),
            scale: thesis.data.synthetic.scale,
            data_seed: thesis.data.synthetic.seed,
            steps: thesis.data.synthetic.steps,
            difficulty: thesis.data.synthetic.difficulty,
            model: thesis.model,
            supervised_max_epochs: thesis.supervised.max_epochs,
            supervised_patience: thesis.supervised.patience,
            ssl_epochs: thesis.ssl.epochs,
            ssl_batch_size: thesis.ssl.batch_size,
            ssl_lr: thesis.ssl.lr,
            seeds: (0..5).collect(),
            family_seeds: BTreeMap::from([(FamilyId::Fig8_4, (0..3).collect())]),
            grids: Grids {
                fractions: vec![0.01, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0],
                single_p_apply: vec![0.3, 0.6, 1.0],
                single_mask_pct: vec![0.2, 0.5, 0.7, 1.0],
                strategies: Strategy::thesis_four(0.3, 0.6, 1.0),
                double_mask_pct: vec![0.2, 0.5, 0.7, 1.0],
                seqaug_p_apply: vec![0.2, 0.5, 0.8],
                ssl_lrs: vec![3e-6, 1e-4, 1e-3],
                objectives: every_objective(),
            },
            data: None,
        }
    }

    /// Every family with 3 seeds at the thesis's model sizes (table 7.3.1) on a tenth of the data
    /// (scale 0.1: 1,633 / 187 / 466 utterances): supervised ≤ 30 epochs with patience 5, 5 SSL
    /// epochs at the released code's effective rate 1e-3 (`ssl-lr` puts 3e-6 and 1e-4 beside
    /// it), labeled fractions {1, 5, 10, 100} %, and the ablations on 2-point axes as in `quick`.
    ///
    /// Measured on the 2-core development machine (Intel Xeon with AVX-512): `--shard 1/16` (10
    /// runs, 6 pre-trainings, one run at a time beside builds and tests) took 1,457 s — 182 s per
    /// pre-trained and fine-tuned run, 175 s per supervised run on all labels, 3.4 s per linear
    /// evaluation — and `--shard 2/16` (55 runs, 15 pre-trainings, `--jobs 2`) 1,697 s. From the
    /// first shard's mean run times `reproduce --list` puts the rest at 15.3 CPU-hours, from both
    /// shards' at 9.1, so the whole profile (444 runs, 351 distinct, 144 pre-trainings) takes about
    /// 10–16 CPU-hours, 5–8 hours on 2 cores — an overnight run, or a GPU; it has not been run
    /// end to end. With 3 seeds a paired
    /// t interval has 2 degrees of freedom, so the smallest effect it detects (80 % power) is
    /// ≈ 3.1 × the sd of the paired differences; the report prints it per claim. At these sizes
    /// `docs/profiles/low-label.toml` measured figure 8.4's (3 seeds, 466 test utterances): F1
    /// differences of ≈ 2.6–7.8 points detectable at 1 % labels and ≈ 3.6–4.7 at 10 %; the other
    /// families' have not been measured at this profile.
    pub fn standard() -> Profile {
        let full = Profile::full();
        let quick = Profile::quick();
        Profile {
            name: "standard".into(),
            scale: 0.1,
            supervised_max_epochs: 30,
            supervised_patience: 5,
            ssl_epochs: 5,
            ssl_lr: 1e-3,
            seeds: (0..3).collect(),
            family_seeds: BTreeMap::new(),
            grids: Grids {
                fractions: vec![0.01, 0.05, 0.1, 1.0],
                ssl_lrs: vec![3e-6, 1e-4, 1e-3],
                ..quick.grids
            },
            ..full
        }
    }

    /// The README's main job, sized to decide the comparisons with the largest expected effects
    /// and to draw every figure, in at most 20 minutes on 2 CPU cores (release build, one run
    /// per core, one compute thread per run).
    ///
    /// Where the budget goes: 5 seeds for the pre-trained vs random frozen encoder (table
    /// 8.2.4), SSL vs supervised at 1 %, 10 % and 100 % labels (figure 8.4) and the `ssl-lr`
    /// family; table 8.2.2 shares their pre-trainings, so it gets 5 seeds too. The ablations
    /// (table 8.3.2, figures 8.5.1, 8.5.2, A.2.4) run at the smallest size that still draws
    /// every figure: one seed and 2-point axes, so their verdicts are unresolved by design (a
    /// seed-paired interval needs two seeds, and with two it has 1 degree of freedom). Sizes: synthetic scale 0.1
    /// (1,633 / 187 / 466 utterances, 50 steps), a small model (hidden, attention and fusion
    /// sizes 16, projector [64, 64]), supervised ≤ 6 epochs with patience 3 (linear heads keep
    /// the thesis's 100-epoch schedule on cached features), SSL 3 epochs of 9 batches of 170 at
    /// the released code's effective rate 1e-3 (`ssl-lr` puts the stated 3e-6 beside it).
    ///
    /// 216 runs (149 distinct, 50 pre-trainings); `deviations` is left out. Measured on the
    /// 2-core development machine (Intel Xeon with AVX-512, `--jobs 2`, per-epoch resume state
    /// saved, otherwise idle): 857 s for the reproduction and its report; `deviations` adds 90 runs (measured: 1,174 s of reproduction
    /// while two builds shared the machine; its 78 runs before the last two switches took 787 s
    /// idle). Smallest effects it detects (80 % power, from
    /// the measured seed spread of the paired differences): table 8.2.2 F1 ≈ 2–3 points, table
    /// 8.2.4 F1 ≈ 2–3 points and MAE ≈ 0.02, figure 8.4 at 10 % labels F1 ≈ 1.7–4 points and at
    /// 1 % ≈ 11–17 points, `ssl-lr` probe MAE ≈ 0.04 at 1e-3; the one-seed ablations detect
    /// nothing (no interval).
    pub fn quick() -> Profile {
        let full = Profile::full();
        Profile {
            name: "quick".into(),
            scale: 0.1,
            model: ModelConfig {
                hidden: 16,
                attention_dim: 16,
                fusion_hidden: 16,
                projector: vec![64, 64],
                ..ModelConfig::default()
            },
            supervised_max_epochs: 6,
            supervised_patience: 3,
            ssl_epochs: 3,
            ssl_lr: 1e-3,
            seeds: vec![0],
            family_seeds: BTreeMap::from([
                (FamilyId::Table8_2_2, (0..5).collect()),
                (FamilyId::Table8_2_4, (0..5).collect()),
                (FamilyId::Fig8_4, (0..5).collect()),
                (FamilyId::SslLr, (0..5).collect()),
                // 90 more runs (15–20 minutes): run it with a profile file, see the README.
                (FamilyId::Deviations, Vec::new()),
                // Likewise (`docs/profiles/quick-objectives.toml`).
                (FamilyId::Objectives, Vec::new()),
            ]),
            grids: Grids {
                fractions: vec![0.01, 0.1, 1.0],
                single_p_apply: vec![0.3, 1.0],
                single_mask_pct: vec![0.2, 0.7],
                strategies: Strategy::thesis_four(0.3, 0.6, 1.0),
                double_mask_pct: vec![0.2, 0.7],
                seqaug_p_apply: vec![0.2, 0.5],
                ssl_lrs: vec![3e-6, 1e-3],
                objectives: every_objective(),
            },
            ..full
        }
    }

    /// Tiny, for tests: ~100 training utterances of 12 steps, hidden size 6, one epoch per
    /// phase, one seed, one or two points per grid axis. A few seconds per family.
    pub fn smoke() -> Profile {
        let full = Profile::full();
        Profile {
            name: "smoke".into(),
            scale: 0.006,
            steps: 12,
            model: ModelConfig {
                hidden: 6,
                attention_dim: 6,
                fusion_hidden: 6,
                projector: vec![12, 12],
                ..ModelConfig::default()
            },
            supervised_max_epochs: 1,
            supervised_patience: 1,
            ssl_epochs: 1,
            ssl_batch_size: 64,
            ssl_lr: 1e-3,
            seeds: vec![0],
            family_seeds: BTreeMap::new(),
            grids: Grids {
                fractions: vec![0.5, 1.0],
                single_p_apply: vec![0.6],
                single_mask_pct: vec![0.5],
                strategies: vec![Strategy::new("high-low", 1.0, 0.3)],
                double_mask_pct: vec![0.7],
                seqaug_p_apply: vec![0.5],
                ssl_lrs: vec![1e-3],
                objectives: every_objective(),
            },
            ..full
        }
    }

    /// The built-in profile called `name` (`smoke`, `quick`, `standard`, `full`), or the
    /// profile in the TOML file at path `name` (see [`Profile::from_toml_file`]).
    pub fn named(name: &str) -> Result<Profile> {
        if let Some(p) = ProfileName::ALL.iter().find(|p| p.name() == name) {
            return Ok(p.profile());
        }
        let path = Path::new(name);
        if name.ends_with(".toml") || path.is_file() {
            return Profile::from_toml_file(path);
        }
        Err(ExperimentError::Profile(format!(
            "unknown profile `{name}`: expected smoke, quick, standard, full or a path to a \
             profile .toml file"
        )))
    }

    /// Reads a profile from a TOML file: every field of [`Profile`] (unknown keys are errors);
    /// `base = "quick"` (or another built-in name) fills the fields the file leaves out, so a
    /// file can resize one built-in profile to a machine, e.g. `base = "quick"` and
    /// `seeds = [0, 1, 2]`.
    pub fn from_toml_file(path: &Path) -> Result<Profile> {
        let text =
            std::fs::read_to_string(path).map_err(ExperimentError::io("reading profile", path))?;
        Profile::from_toml(&text).map_err(|e| ExperimentError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }

    /// [`Profile::from_toml_file`] on a string.
    pub fn from_toml(text: &str) -> Result<Profile> {
        let invalid = |e: toml::de::Error| ExperimentError::Profile(e.to_string());
        let mut table: toml::Table = toml::from_str(text).map_err(invalid)?;
        let base = match table.remove("base") {
            None => None,
            Some(toml::Value::String(name)) => Some(
                ProfileName::ALL
                    .into_iter()
                    .find(|p| p.name() == name)
                    .ok_or_else(|| {
                        ExperimentError::Profile(format!(
                            "`base = \"{name}\"`: expected smoke, quick, standard or full"
                        ))
                    })?,
            ),
            Some(other) => {
                return Err(ExperimentError::Profile(format!(
                    "`base` must be a profile name string, not {other}"
                )))
            }
        };
        let merged = match base {
            None => table,
            Some(base) => {
                let mut full = toml::Table::try_from(base.profile())
                    .map_err(|e| ExperimentError::Internal(e.to_string()))?;
                merge_toml(&mut full, table);
                full
            }
        };
        let profile: Profile = merged.try_into().map_err(invalid)?;
        profile.validate()?;
        Ok(profile)
    }

    /// Checks that every seed list and grid axis is non-empty and every size is positive.
    pub fn validate(&self) -> Result<()> {
        if self.name.is_empty() {
            return Err(ExperimentError::Profile(
                "profile: `name` must not be empty".into(),
            ));
        }
        if !(self.scale > 0.0 && self.scale.is_finite()) {
            return Err(ExperimentError::Profile(format!(
                "profile {}: `scale` must be > 0, got {}",
                self.name, self.scale
            )));
        }
        for (key, value) in [
            ("steps", self.steps),
            ("supervised_max_epochs", self.supervised_max_epochs),
            ("supervised_patience", self.supervised_patience),
            ("ssl_epochs", self.ssl_epochs),
            ("ssl_batch_size", self.ssl_batch_size),
        ] {
            if value == 0 {
                return Err(ExperimentError::Profile(format!(
                    "profile {}: `{key}` must be at least 1",
                    self.name
                )));
            }
        }
        if !(self.ssl_lr > 0.0 && self.ssl_lr.is_finite()) {
            return Err(ExperimentError::Profile(format!(
                "profile {}: `ssl_lr` must be > 0, got {}",
                self.name, self.ssl_lr
            )));
        }
        if self.seeds.is_empty() {
            return Err(ExperimentError::Profile(format!(
                "profile {}: `seeds` must name at least one seed (an empty `family_seeds` entry \
                 leaves that family out)",
                self.name
            )));
        }
        let g = &self.grids;
        for (key, axis) in [
            ("grids.fractions", &g.fractions),
            ("grids.single_p_apply", &g.single_p_apply),
            ("grids.single_mask_pct", &g.single_mask_pct),
            ("grids.double_mask_pct", &g.double_mask_pct),
            ("grids.seqaug_p_apply", &g.seqaug_p_apply),
            ("grids.ssl_lrs", &g.ssl_lrs),
        ] {
            if axis.is_empty() {
                return Err(ExperimentError::Profile(format!(
                    "profile {}: `{key}` must have at least one value",
                    self.name
                )));
            }
        }
        if g.objectives.is_empty() {
            return Err(ExperimentError::Profile(format!(
                "profile {}: `grids.objectives` must name at least one objective",
                self.name
            )));
        }
        if g.strategies.is_empty() {
            return Err(ExperimentError::Profile(format!(
                "profile {}: `grids.strategies` must have at least one strategy",
                self.name
            )));
        }
        Ok(())
    }

    /// The base configuration of a run with `seed`: the thesis defaults with this profile's
    /// data, model, epochs and SSL settings (methodology supervised, augmentations table 8.2.1).
    pub fn config(&self, seed: u64) -> RunConfig {
        let mut cfg = RunConfig {
            seed,
            model: self.model.clone(),
            ..RunConfig::default()
        };
        cfg.data.synthetic.scale = self.scale;
        cfg.data.synthetic.seed = self.data_seed;
        cfg.data.synthetic.steps = self.steps;
        cfg.data.synthetic.difficulty = self.difficulty;
        cfg.supervised.max_epochs = self.supervised_max_epochs;
        cfg.supervised.patience = self.supervised_patience;
        cfg.ssl.epochs = self.ssl_epochs;
        cfg.ssl.batch_size = self.ssl_batch_size;
        cfg.ssl.lr = self.ssl_lr;
        if let Some(data) = &self.data {
            cfg.data.path = Some(data.path.clone());
            cfg.model.input_dims = data.dims;
        }
        cfg
    }

    /// The profile as pretty JSON (printed at the start of a reproduction).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a profile always serialises")
    }
}

/// Overlays `over` on `base`, recursing into tables (a file's `[grids]` changes only the axes it
/// names).
fn merge_toml(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge_toml(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}
