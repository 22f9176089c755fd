//! The chapter 8 / appendix A.2 experiment registry, as data: each experiment family is declared
//! once ([`FAMILIES`]) with its id, title, the tables and figures it feeds and the grid it
//! expands into. [`Family::expand`] applies a [`Profile`] and yields one [`RunSpec`] per run.
//!
//! | id            | feeds                                   | grid                                         |
//! | ------------- | --------------------------------------- | -------------------------------------------- |
//! | `table-8.2.2` | tables 8.2.2 (mean ± std), 8.2.3 (best) | supervised, SSL noise / masking / SeqAug     |
//! | `table-8.2.4` | table 8.2.4                             | supervised-linear, SSL-linear × 3            |
//! | `table-8.3.2` | table 8.3.2, figure 8.3.1               | `none` + the eleven chains, in table order   |
//! | `fig-8.4`     | figures 8.4.1 (best), 8.4.2 (mean)      | 5 models × labeled fractions                 |
//! | `fig-8.5.1`   | figure 8.5.1                            | P_apply × mask % (p2 = 0), ft + linear, + sup |
//! | `fig-8.5.2`   | figs 8.5.2–8.5.4, A.2.1–A.2.3           | 4 strategies × mask %₁ × mask %₂             |
//! | `fig-A.2.4`   | figure A.2.4                            | SeqAug P_apply₁ × P_apply₂                   |
//! | `ssl-lr`      | (not in the thesis) the SSL learning rate   | SSL masking at each rate × linear / 10 % / 100 % |
//! | `deviations`  | (not in the thesis) the released code's differences | text, released code, each switch alone × 3 methods |
//! | `objectives`  | (not in the thesis) the pre-training objective | each objective × linear / fine-tuned × 1 / 10 / 100 % |
//!
//! SSL runs use table 8.2.1 / 8.3.1's augmentation parameters ([`AugmentConfig::default`]) except
//! for the grid's own coordinates. Supervised runs keep the default (unused) SSL section, so the
//! same supervised run appears with the same run key in every family that plots it (and is
//! computed once; see [`super::key`]).

use super::family::{FamilyId, UnknownFamily};
use super::key::{pretrain_key, row_key, run_key};
use super::profile::Profile;
use crate::augment::{AugmentConfig, AugmentKind};
use crate::train::fidelity::SWITCHES;
use crate::train::{Fidelity, Methodology, RunConfig, SslConfig};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;

use AugmentKind::{Masking, Noise, SeqAug};

/// One run of the registry: where its result goes (family, variant, params, seed) and the full
/// configuration that produces it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSpec {
    /// Experiment family, e.g. `fig-8.4`.
    pub family: FamilyId,
    /// The line / bar / row of the table or figure, e.g. `ssl-masking`, `noise+seqaug`.
    pub variant: String,
    /// Grid coordinates, e.g. `{"fraction": 0.1}`; empty for the tables.
    pub params: BTreeMap<String, f64>,
    /// The run's seed (also `config.seed`).
    pub seed: u64,
    /// Everything that determines the run's numbers.
    pub config: RunConfig,
}

impl RunSpec {
    /// [`run_key`] of this run on data with checksum `data_sha256`.
    pub fn run_key(&self, data_sha256: &str) -> String {
        run_key(&self.config, data_sha256)
    }

    /// [`row_key`]: the key of this run's [`super::ResultRow`].
    pub fn row_key(&self, data_sha256: &str) -> String {
        row_key(
            self.family.id(),
            &self.variant,
            &self.params,
            &self.run_key(data_sha256),
        )
    }

    /// [`pretrain_key`] for SSL methodologies, `None` for the supervised ones.
    pub fn pretrain_key(&self, data_sha256: &str) -> Option<String> {
        self.config
            .methodology
            .pretrains()
            .then(|| pretrain_key(&self.config, data_sha256))
    }

    /// `family variant {params} seed N`, for log lines.
    pub fn label(&self) -> String {
        let mut s = format!("{} {}", self.family, self.variant);
        if !self.params.is_empty() {
            s.push_str(&format_params(&self.params));
        }
        let _ = write!(s, " seed {}", self.seed);
        s
    }
}

/// ` {a=0.1, b=0.7}` (or empty).
pub fn format_params(params: &BTreeMap<String, f64>) -> String {
    if params.is_empty() {
        return String::new();
    }
    let items: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!(" {{{}}}", items.join(", "))
}

/// A model of the methods tables and figure 8.4: a variant name, a methodology and (for SSL) a
/// transformation chain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Method {
    /// Variant name.
    pub variant: &'static str,
    /// Thesis 7.1 methodology.
    pub methodology: Methodology,
    /// `transformation_order` (empty for the supervised methodologies).
    pub order: &'static [AugmentKind],
}

const fn method(
    variant: &'static str,
    methodology: Methodology,
    order: &'static [AugmentKind],
) -> Method {
    Method {
        variant,
        methodology,
        order,
    }
}

const SUPERVISED: Method = method("supervised", Methodology::Supervised, &[]);
const SUPERVISED_LINEAR: Method = method("supervised-linear", Methodology::SupervisedLinear, &[]);
const SSL_NOISE: Method = method("ssl-noise", Methodology::SslFinetune, &[Noise]);
const SSL_MASKING: Method = method("ssl-masking", Methodology::SslFinetune, &[Masking]);
const SSL_SEQAUG: Method = method("ssl-seqaug", Methodology::SslFinetune, &[SeqAug]);

/// The chains of table 8.3.2 in the table's order (`none` excluded), first applied first.
pub const CHAINS: [&[AugmentKind]; 11] = [
    &[Noise],
    &[Noise, SeqAug],
    &[Noise, Masking],
    &[Noise, SeqAug, Masking],
    &[Masking],
    &[Masking, Noise],
    &[SeqAug],
    &[SeqAug, Noise],
    &[SeqAug, Masking],
    &[SeqAug, Noise, Masking],
    &[SeqAug, Masking, Noise],
];

/// `noise+seqaug+masking` (A.1's names joined in chain order).
pub fn chain_name(order: &[AugmentKind]) -> String {
    let names: Vec<String> = order.iter().map(|k| k.to_string()).collect();
    names.join("+")
}

/// How a family expands into runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Grid {
    /// One run per method and seed (tables 8.2.2, 8.2.4).
    Methods(&'static [Method]),
    /// `none` (supervised) and every chain of [`CHAINS`], per seed (table 8.3.2).
    Chains,
    /// Every method × labeled fraction, per fraction seed (figure 8.4).
    Fractions(&'static [Method]),
    /// Single-stream masking: P_apply × mask %, fine-tuned and linear, plus the supervised
    /// baseline, per seed (figure 8.5.1).
    SingleMasking,
    /// Double-stream masking: strategy × mask %₁ × mask %₂, fine-tuned, per seed (figure 8.5.2).
    DoubleMasking,
    /// SeqAug P_apply₁ × P_apply₂, fine-tuned, per seed (figure A.2.4).
    SeqAugApply,
    /// SSL masking pre-trained at each rate of [`super::profile::Grids::ssl_lrs`], then
    /// linear-evaluated and fine-tuned at 10 % and 100 % labels, beside the supervised and
    /// random-frozen baselines at the same label fractions, per seed (`ssl-lr`).
    SslLearningRate,
    /// Supervised, SSL (masking) fine-tuned and SSL linear-evaluated at full labels under the
    /// thesis's text, the released code, and each released-code switch alone (those that act on
    /// the methodology), per seed (`deviations`). Variants are `<method>:<setting>`.
    Deviations,
    /// Each objective of [`super::profile::Grids::objectives`] pre-trained with SSL masking (the
    /// thesis's best augmentation, table 8.2.2; neither related paper names one for these
    /// features), fine-tuned (variant `<objective>`) and linear-evaluated (`<objective>-linear`)
    /// at each of [`OBJECTIVE_FRACTIONS`], beside the supervised baseline, per seed
    /// (`objectives`).
    Objectives,
}

/// The labeled fractions of the `objectives` family: 1 %, 10 % and 100 %.
pub const OBJECTIVE_FRACTIONS: [f64; 3] = [0.01, 0.1, 1.0];

/// The `objectives` family's variant of `objective` fine-tuned (`swav`) or linear-evaluated
/// (`swav-linear`): the one spelling the registry, the claims and the figure share.
pub fn objective_variant(objective: crate::loss::Objective, linear: bool) -> String {
    let suffix = if linear { "-linear" } else { "" };
    format!("{}{suffix}", objective.id())
}

/// One experiment family of chapter 8 / appendix A.2.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Family {
    /// Id used by `--only` and in the result rows.
    pub id: FamilyId,
    /// One-line title.
    pub title: &'static str,
    /// The thesis tables and figures drawn from its rows.
    pub feeds: &'static [&'static str],
    /// Its grid.
    pub grid: Grid,
}

/// The registry: every family of thesis chapter 8 and appendix A.2, in the thesis's order.
pub const FAMILIES: [Family; 10] = [
    Family {
        id: FamilyId::Table8_2_2,
        title:
            "Supervised vs SSL pre-training + fine-tuning (noise / masking / SeqAug), full labels",
        feeds: &["table 8.2.2", "table 8.2.3"],
        grid: Grid::Methods(&[SUPERVISED, SSL_NOISE, SSL_MASKING, SSL_SEQAUG]),
    },
    Family {
        id: FamilyId::Table8_2_4,
        title: "Linear evaluation: random frozen encoder vs SSL (noise / masking / SeqAug)",
        feeds: &["table 8.2.4"],
        grid: Grid::Methods(&[
            SUPERVISED_LINEAR,
            method("ssl-noise", Methodology::SslLinear, &[Noise]),
            method("ssl-masking", Methodology::SslLinear, &[Masking]),
            method("ssl-seqaug", Methodology::SslLinear, &[SeqAug]),
        ]),
    },
    Family {
        id: FamilyId::Table8_3_2,
        title: "Chains of transformations (order matters), SSL pre-training + fine-tuning",
        feeds: &["table 8.3.2", "figure 8.3.1"],
        grid: Grid::Chains,
    },
    Family {
        id: FamilyId::Fig8_4,
        title: "Reduced labeled data: supervised vs SSL (fine-tuned, and masking linear-eval)",
        feeds: &["figure 8.4.1", "figure 8.4.2"],
        grid: Grid::Fractions(&[
            SUPERVISED,
            SSL_NOISE,
            SSL_MASKING,
            SSL_SEQAUG,
            method("ssl-masking-linear", Methodology::SslLinear, &[Masking]),
        ]),
    },
    Family {
        id: FamilyId::Fig8_5_1,
        title: "Single-stream masking ablation: P_apply x mask % (stream B off)",
        feeds: &["figure 8.5.1"],
        grid: Grid::SingleMasking,
    },
    Family {
        id: FamilyId::Fig8_5_2,
        title: "Double-stream masking heat maps: strategy x stream-1 % x stream-2 %",
        feeds: &[
            "figure 8.5.2",
            "figure 8.5.3",
            "figure 8.5.4",
            "figure A.2.1",
            "figure A.2.2",
            "figure A.2.3",
        ],
        grid: Grid::DoubleMasking,
    },
    Family {
        id: FamilyId::FigA2_4,
        title: "SeqAug ablation: P_apply of stream 1 x stream 2",
        feeds: &["figure A.2.4"],
        grid: Grid::SeqAugApply,
    },
    Family {
        id: FamilyId::SslLr,
        title:
            "SSL learning rate: the stated 3e-6 (table 7.3.2) vs the released code's effective 1e-3",
        feeds: &["the pre-training diagnostics"],
        grid: Grid::SslLearningRate,
    },
    Family {
        id: FamilyId::Deviations,
        title: "Released-code mode: each difference of the released code from the text, alone and all together",
        feeds: &["the deviations ranking"],
        grid: Grid::Deviations,
    },
    Family {
        id: FamilyId::Objectives,
        title: "Pre-training objectives: Barlow Twins vs InfoNCE vs SwAV vs generative vs multimodal InfoNCE, linear and fine-tuned at 1 / 10 / 100 % labels",
        feeds: &["the objectives table and figure"],
        grid: Grid::Objectives,
    },
];

/// The settings of the `deviations` family: the text, the released code, and each switch that
/// trains differently alone (weighted F1's swapped arguments change no training: the report
/// computes them from every run's stored predictions; the SeqAug switch acts on nothing in the
/// family's masking chain, `tests/fidelity.rs` checks it on SeqAug itself).
pub fn deviation_settings() -> Vec<(&'static str, Fidelity)> {
    let mut out = vec![
        ("thesis-text", Fidelity::THESIS_TEXT),
        ("released-code", Fidelity::RELEASED_CODE),
    ];
    for name in SWITCHES {
        if !["f1_arguments_swapped", "seqaug_text_only_batch_length"].contains(&name) {
            out.push((name, Fidelity::only(name).expect("a listed switch")));
        }
    }
    out
}

/// True when `fidelity` changes anything a run of `methodology` does (a supervised run does not
/// pre-train, so the pre-training-only switches and the weight transfer leave it as it is; the
/// inputs, their layout, the fusion and the kept epoch act on it).
fn acts_on(fidelity: &Fidelity, methodology: Methodology) -> bool {
    if methodology.pretrains() {
        return true;
    }
    fidelity.is_thesis_text()
        || fidelity.last_epoch_evaluated
        || fidelity.no_input_standardisation
        || fidelity.front_padding_unmasked
        || fidelity.bidirectional_fusion_attention_sum
}

/// The family with this id.
pub fn family(id: FamilyId) -> &'static Family {
    FAMILIES
        .iter()
        .find(|f| f.id == id)
        .expect("every FamilyId has a registry entry")
}

/// The families named in `only` (all of them when `only` is empty), in registry order; an
/// unknown id is an error listing the known ones.
pub fn select(only: &[String]) -> Result<Vec<&'static Family>, UnknownFamily> {
    let wanted: Vec<FamilyId> = only.iter().map(|id| id.parse()).collect::<Result<_, _>>()?;
    Ok(FAMILIES
        .iter()
        .filter(|f| wanted.is_empty() || wanted.contains(&f.id))
        .collect())
}

/// Every run of the selected families under `profile`, in registry order.
pub fn expand(profile: &Profile, only: &[String]) -> Result<Vec<RunSpec>, UnknownFamily> {
    Ok(select(only)?
        .into_iter()
        .flat_map(|f| f.expand(profile))
        .collect())
}

fn params(items: &[(&str, f64)]) -> BTreeMap<String, f64> {
    items.iter().map(|&(k, v)| (k.to_string(), v)).collect()
}

/// The run config of `methodology` with `order` (and otherwise table 8.2.1's augmentations) for
/// `seed`. Supervised methodologies keep the default SSL section untouched.
fn configure(
    profile: &Profile,
    seed: u64,
    methodology: Methodology,
    order: &[AugmentKind],
) -> RunConfig {
    let mut cfg = profile.config(seed);
    cfg.methodology = methodology;
    if methodology.pretrains() {
        cfg.ssl.augment = AugmentConfig {
            order: order.to_vec(),
            ..AugmentConfig::default()
        };
    }
    cfg
}

impl Family {
    /// The family's runs under `profile`: grid points in declaration order, seeds innermost.
    pub fn expand(&self, profile: &Profile) -> Vec<RunSpec> {
        let g = &profile.grids;
        let seeds = profile.seeds_for(self.id);
        let mut runs = Vec::new();
        let mut push = |variant: String,
                        params: BTreeMap<String, f64>,
                        seeds: &[u64],
                        make: &dyn Fn(u64) -> RunConfig| {
            for &seed in seeds {
                runs.push(RunSpec {
                    family: self.id,
                    variant: variant.clone(),
                    params: params.clone(),
                    seed,
                    config: make(seed),
                });
            }
        };
        match self.grid {
            Grid::Methods(methods) => {
                for m in methods {
                    push(m.variant.into(), BTreeMap::new(), &seeds, &|s| {
                        configure(profile, s, m.methodology, m.order)
                    });
                }
            }
            Grid::Chains => {
                push("none".into(), BTreeMap::new(), &seeds, &|s| {
                    configure(profile, s, Methodology::Supervised, &[])
                });
                for chain in CHAINS {
                    push(chain_name(chain), BTreeMap::new(), &seeds, &|s| {
                        configure(profile, s, Methodology::SslFinetune, chain)
                    });
                }
            }
            Grid::Fractions(methods) => {
                for m in methods {
                    for &fraction in &g.fractions {
                        push(
                            m.variant.into(),
                            params(&[("fraction", fraction)]),
                            &seeds,
                            &|s| {
                                let mut cfg = configure(profile, s, m.methodology, m.order);
                                cfg.supervised.labeled_fraction = fraction;
                                cfg
                            },
                        );
                    }
                }
            }
            Grid::SingleMasking => {
                push("supervised".into(), BTreeMap::new(), &seeds, &|s| {
                    configure(profile, s, Methodology::Supervised, &[])
                });
                for (variant, methodology) in [
                    ("finetune", Methodology::SslFinetune),
                    ("linear", Methodology::SslLinear),
                ] {
                    for &p in &g.single_p_apply {
                        for &pct in &g.single_mask_pct {
                            push(
                                variant.into(),
                                params(&[("p_apply", p), ("mask_pct", pct)]),
                                &seeds,
                                &|s| {
                                    let mut cfg = configure(profile, s, methodology, &[Masking]);
                                    cfg.ssl.augment.masking.p = [p, 0.0];
                                    cfg.ssl.augment.masking.percentage[0] = pct;
                                    cfg
                                },
                            );
                        }
                    }
                }
            }
            Grid::DoubleMasking => {
                for strategy in &g.strategies {
                    for &pct1 in &g.double_mask_pct {
                        for &pct2 in &g.double_mask_pct {
                            push(
                                strategy.name.clone(),
                                params(&[
                                    ("p1", strategy.p1),
                                    ("p2", strategy.p2),
                                    ("mask_pct_1", pct1),
                                    ("mask_pct_2", pct2),
                                ]),
                                &seeds,
                                &|s| {
                                    let mut cfg =
                                        configure(profile, s, Methodology::SslFinetune, &[Masking]);
                                    cfg.ssl.augment.masking.p = [strategy.p1, strategy.p2];
                                    cfg.ssl.augment.masking.percentage = [pct1, pct2];
                                    cfg
                                },
                            );
                        }
                    }
                }
            }
            Grid::SeqAugApply => {
                for &p1 in &g.seqaug_p_apply {
                    for &p2 in &g.seqaug_p_apply {
                        push(
                            "ssl-seqaug".into(),
                            params(&[("p1", p1), ("p2", p2)]),
                            &seeds,
                            &|s| {
                                let mut cfg =
                                    configure(profile, s, Methodology::SslFinetune, &[SeqAug]);
                                cfg.ssl.augment.seqaug.p = [p1, p2];
                                cfg
                            },
                        );
                    }
                }
            }
            Grid::Deviations => {
                for (setting, fidelity) in deviation_settings() {
                    for (method, methodology) in [
                        ("supervised", Methodology::Supervised),
                        ("ssl-finetune", Methodology::SslFinetune),
                        ("ssl-linear", Methodology::SslLinear),
                    ] {
                        if !acts_on(&fidelity, methodology) {
                            continue;
                        }
                        push(
                            format!("{method}:{setting}"),
                            BTreeMap::new(),
                            &seeds,
                            &|s| {
                                let mut cfg = configure(profile, s, methodology, &[Masking]);
                                if methodology.pretrains() {
                                    // The text's SSL rate (table 7.3.2), so that the released
                                    // code's rate is a difference to measure.
                                    cfg.ssl.lr = SslConfig::default().lr;
                                }
                                cfg.fidelity = fidelity;
                                cfg
                            },
                        );
                    }
                }
            }
            Grid::Objectives => {
                for &fraction in &OBJECTIVE_FRACTIONS {
                    let at = params(&[("fraction", fraction)]);
                    push(SUPERVISED.variant.into(), at.clone(), &seeds, &|s| {
                        let mut cfg = configure(profile, s, Methodology::Supervised, &[]);
                        cfg.supervised.labeled_fraction = fraction;
                        cfg
                    });
                    for &objective in &g.objectives {
                        for methodology in [Methodology::SslFinetune, Methodology::SslLinear] {
                            let linear = methodology == Methodology::SslLinear;
                            let variant = objective_variant(objective, linear);
                            push(variant, at.clone(), &seeds, &|s| {
                                let mut cfg = configure(profile, s, methodology, &[Masking]);
                                cfg.supervised.labeled_fraction = fraction;
                                cfg.ssl.objective = objective;
                                cfg
                            });
                        }
                    }
                }
            }
            Grid::SslLearningRate => {
                for &fraction in &[0.1, 1.0] {
                    let at = params(&[("fraction", fraction)]);
                    for m in [SUPERVISED, SUPERVISED_LINEAR] {
                        push(m.variant.into(), at.clone(), &seeds, &|s| {
                            let mut cfg = configure(profile, s, m.methodology, m.order);
                            cfg.supervised.labeled_fraction = fraction;
                            cfg
                        });
                    }
                    for &lr in &g.ssl_lrs {
                        for (variant, methodology) in [
                            ("ssl-finetune", Methodology::SslFinetune),
                            ("ssl-linear", Methodology::SslLinear),
                        ] {
                            let mut at_lr = at.clone();
                            at_lr.insert("ssl_lr".into(), lr);
                            push(variant.into(), at_lr, &seeds, &|s| {
                                let mut cfg = configure(profile, s, methodology, &[Masking]);
                                cfg.supervised.labeled_fraction = fraction;
                                cfg.ssl.lr = lr;
                                cfg
                            });
                        }
                    }
                }
            }
        }
        runs
    }

    /// Runs the family needs under `profile` (cheap: no data is generated).
    pub fn run_count(&self, profile: &Profile) -> usize {
        self.expand(profile).len()
    }
}
