//! The chapter 8 experiment registry, its profiles and keys, and the resumable runner: grid
//! counts and contents per profile, key stability, store resumption after a torn write, the
//! pre-training cache after a crash between pre-training and fine-tuning, cross-family reuse
//! of equal runs, and parallel runs giving the same numbers as serial ones.

use mmssl::augment::AugmentKind::{Masking, Noise, SeqAug};
use mmssl::experiments::key::{canonical_json, pretrain_key, row_key, run_key};
use mmssl::experiments::registry::{chain_name, family, CHAINS};
use mmssl::experiments::runner::{PRETRAINED_DIR, STORE_FILE};
use mmssl::experiments::{
    expand, reproduce, FamilyId, Profile, ProfileName, ReproduceOptions, ResultRow, ResultStore,
    RunSpec, StoreLock, FAMILIES,
};
use mmssl::train::{Methodology, RunConfig};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::path::PathBuf;

const SHA: &str = "0123456789abcdef";

fn profiles() -> [Profile; 3] {
    [Profile::smoke(), Profile::quick(), Profile::full()]
}

fn runs_of<'a>(specs: &'a [RunSpec], family: &str) -> Vec<&'a RunSpec> {
    specs.iter().filter(|s| s.family == family).collect()
}

fn tmp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mmssl-experiments-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn only(profile: Profile, out: &PathBuf, families: &[&str]) -> ReproduceOptions {
    let mut options = ReproduceOptions::new(profile, out);
    options.only = families.iter().map(|s| s.to_string()).collect();
    options
}

// ---------------------------------------------------------------- registry and profiles

#[test]
fn family_ids_are_unique_and_known() {
    let ids: HashSet<&str> = FAMILIES.iter().map(|f| f.id.id()).collect();
    assert_eq!(ids.len(), FAMILIES.len());
    for id in [
        "table-8.2.2",
        "table-8.2.4",
        "table-8.3.2",
        "fig-8.4",
        "fig-8.5.1",
        "fig-8.5.2",
        "fig-A.2.4",
        "ssl-lr",
    ] {
        let parsed: FamilyId = id.parse().unwrap();
        assert_eq!(family(parsed).id, parsed, "{id}");
    }
    for f in &FAMILIES {
        assert!(!f.title.is_empty() && !f.feeds.is_empty(), "{}", f.id);
    }
    assert!(expand(&Profile::smoke(), &["table-9".into()]).is_err());
}

#[test]
fn run_counts_match_the_grids_in_every_profile() {
    for p in profiles() {
        let specs = expand(&p, &[]).unwrap();
        let g = &p.grids;
        let s = |id: &str| p.seeds_for(id.parse().unwrap()).len();
        let expected: BTreeMap<&str, usize> = [
            ("table-8.2.2", 4 * s("table-8.2.2")),
            ("table-8.2.4", 4 * s("table-8.2.4")),
            ("table-8.3.2", 12 * s("table-8.3.2")),
            ("fig-8.4", 5 * g.fractions.len() * s("fig-8.4")),
            (
                "fig-8.5.1",
                (1 + 2 * g.single_p_apply.len() * g.single_mask_pct.len()) * s("fig-8.5.1"),
            ),
            (
                "fig-8.5.2",
                g.strategies.len() * g.double_mask_pct.len().pow(2) * s("fig-8.5.2"),
            ),
            ("fig-A.2.4", g.seqaug_p_apply.len().pow(2) * s("fig-A.2.4")),
            ("ssl-lr", 2 * (2 + 2 * g.ssl_lrs.len()) * s("ssl-lr")),
            // 12 settings (text, released code, 10 switches) for the two SSL methods; supervised
            // only where a switch acts on it (text, released code, last epoch, raw inputs, front
            // padding, the released fusion).
            ("deviations", (6 + 2 * 12) * s("deviations")),
            // Per labeled fraction (1, 10, 100 %): supervised, and each objective fine-tuned
            // and linear-evaluated.
            (
                "objectives",
                3 * (1 + 2 * g.objectives.len()) * s("objectives"),
            ),
        ]
        .into();
        for f in &FAMILIES {
            let n = runs_of(&specs, f.id.id()).len();
            assert_eq!(n, expected[f.id.id()], "{} in {}", f.id, p.name);
            let left_out = p.family_seeds.get(&f.id).is_some_and(Vec::is_empty);
            assert!(n >= 1 || left_out, "{} has no run in {}", f.id, p.name);
            assert_eq!(f.run_count(&p), n);
        }
        assert_eq!(specs.len(), expected.values().sum::<usize>());
    }
}

#[test]
fn full_profile_follows_the_thesis() {
    let p = Profile::full();
    let thesis = RunConfig::default();
    assert_eq!(p.seeds.len(), 5);
    assert_eq!(p.seeds_for(FamilyId::Fig8_4).len(), 3);
    assert_eq!(p.scale, 1.0);
    assert_eq!(p.model, thesis.model);
    assert_eq!(p.supervised_max_epochs, 100);
    assert_eq!(p.ssl_epochs, 20);
    assert_eq!(p.ssl_lr, 3e-6);
    assert_eq!(p.ssl_batch_size, 170);
    let g = &p.grids;
    assert_eq!(g.fractions.first(), Some(&0.01));
    assert_eq!(g.fractions.last(), Some(&1.0));
    for named in [0.6, 0.8] {
        assert!(g.fractions.contains(&named));
    }
    let names: Vec<&str> = g.strategies.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["low-low", "medium-medium", "high-high", "high-low"]);
    assert!(g.double_mask_pct.contains(&0.7));
    assert!(g.seqaug_p_apply.contains(&0.5));
    // the base config of a full run is the thesis's, but for the seed
    assert_eq!(p.config(0), thesis);
    assert_eq!(
        expand(&p, &[]).unwrap().len(),
        1105,
        "710 runs of the thesis's families, 80 of ssl-lr, 150 of deviations, 165 of objectives"
    );
}

#[test]
fn quick_and_smoke_profiles_are_smaller() {
    let full = Profile::full();
    for p in [Profile::quick(), Profile::smoke()] {
        assert!(p.scale < full.scale && p.model.hidden < full.model.hidden);
        assert!(p.seeds.len() <= 2 && p.ssl_epochs < full.ssl_epochs);
        assert!(expand(&p, &[]).unwrap().len() < expand(&full, &[]).unwrap().len());
        assert_eq!(ProfileName::Quick.profile(), Profile::quick());
        let json = p.to_json();
        let back: Profile = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
    }
    let smoke = expand(&Profile::smoke(), &[]).unwrap();
    // 39 runs of the thesis's families, 8 (4 reused) of `ssl-lr`, 30 of `deviations` and 33 of
    // `objectives`.
    assert!(smoke.len() <= 110, "smoke has {} runs", smoke.len());
}

#[test]
fn variants_and_params_are_as_specified() {
    for p in profiles() {
        let specs = expand(&p, &[]).unwrap();
        let defaults = RunConfig::default().ssl.augment;

        for (fam, methods) in [
            (
                "table-8.2.2",
                [
                    ("supervised", Methodology::Supervised),
                    ("ssl-noise", Methodology::SslFinetune),
                    ("ssl-masking", Methodology::SslFinetune),
                    ("ssl-seqaug", Methodology::SslFinetune),
                ],
            ),
            (
                "table-8.2.4",
                [
                    ("supervised-linear", Methodology::SupervisedLinear),
                    ("ssl-noise", Methodology::SslLinear),
                    ("ssl-masking", Methodology::SslLinear),
                    ("ssl-seqaug", Methodology::SslLinear),
                ],
            ),
        ] {
            let runs = runs_of(&specs, fam);
            for (variant, methodology) in methods {
                let of: Vec<_> = runs.iter().filter(|s| s.variant == variant).collect();
                assert_eq!(
                    of.len(),
                    p.seeds_for(fam.parse().unwrap()).len(),
                    "{fam} {variant}"
                );
                for s in of {
                    assert_eq!(s.config.methodology, methodology);
                    assert!(s.params.is_empty());
                    assert_eq!(s.config.seed, s.seed);
                    if methodology.pretrains() {
                        let kind = match variant {
                            "ssl-noise" => Noise,
                            "ssl-masking" => Masking,
                            _ => SeqAug,
                        };
                        assert_eq!(s.config.ssl.augment.order, vec![kind]);
                        // table 8.2.1's parameters
                        assert_eq!(s.config.ssl.augment.noise, defaults.noise);
                        assert_eq!(s.config.ssl.augment.masking, defaults.masking);
                        assert_eq!(s.config.ssl.augment.seqaug, defaults.seqaug);
                    }
                }
            }
        }

        // table 8.3.2: `none` and the eleven chains, in the table's order
        let chains = runs_of(&specs, "table-8.3.2");
        let mut order: Vec<&str> = Vec::new();
        for s in &chains {
            if order.last() != Some(&s.variant.as_str()) {
                order.push(&s.variant);
            }
        }
        assert_eq!(
            order,
            [
                "none",
                "noise",
                "noise+seqaug",
                "noise+masking",
                "noise+seqaug+masking",
                "masking",
                "masking+noise",
                "seqaug",
                "seqaug+noise",
                "seqaug+masking",
                "seqaug+noise+masking",
                "seqaug+masking+noise",
            ]
        );
        for s in &chains {
            if s.variant == "none" {
                assert_eq!(s.config.methodology, Methodology::Supervised);
            } else {
                assert_eq!(s.config.methodology, Methodology::SslFinetune);
                assert_eq!(chain_name(&s.config.ssl.augment.order), s.variant);
                assert!(CHAINS.contains(&s.config.ssl.augment.order.as_slice()));
                assert_eq!(s.config.ssl.augment.masking, defaults.masking);
            }
        }

        // fig 8.4: five models × fractions, labeled fraction in the config
        let fr = runs_of(&specs, "fig-8.4");
        let variants: BTreeSet<&str> = fr.iter().map(|s| s.variant.as_str()).collect();
        assert_eq!(
            variants,
            BTreeSet::from([
                "supervised",
                "ssl-noise",
                "ssl-masking",
                "ssl-seqaug",
                "ssl-masking-linear"
            ])
        );
        for s in &fr {
            assert_eq!(s.params.keys().collect::<Vec<_>>(), ["fraction"]);
            assert_eq!(s.config.supervised.labeled_fraction, s.params["fraction"]);
            assert!(p.seeds_for(FamilyId::Fig8_4).contains(&s.seed));
            let linear = s.variant == "ssl-masking-linear";
            assert_eq!(s.config.methodology == Methodology::SslLinear, linear);
            if linear {
                assert_eq!(s.config.ssl.augment.order, vec![Masking]);
            }
        }

        // fig 8.5.1: stream B off, P_apply and mask % of stream A
        for s in runs_of(&specs, "fig-8.5.1") {
            match s.variant.as_str() {
                "supervised" => assert!(s.params.is_empty()),
                "finetune" | "linear" => {
                    let m = &s.config.ssl.augment.masking;
                    assert_eq!(s.config.ssl.augment.order, vec![Masking]);
                    assert_eq!(m.p, [s.params["p_apply"], 0.0]);
                    assert_eq!(m.percentage[0], s.params["mask_pct"]);
                    let expected = if s.variant == "finetune" {
                        Methodology::SslFinetune
                    } else {
                        Methodology::SslLinear
                    };
                    assert_eq!(s.config.methodology, expected);
                }
                other => panic!("unexpected fig-8.5.1 variant {other}"),
            }
        }

        // fig 8.5.2: strategy probabilities and per-stream percentages
        let strategies: HashMap<&str, (f64, f64)> = p
            .grids
            .strategies
            .iter()
            .map(|s| (s.name.as_str(), (s.p1, s.p2)))
            .collect();
        for s in runs_of(&specs, "fig-8.5.2") {
            let (p1, p2) = strategies[s.variant.as_str()];
            let m = &s.config.ssl.augment.masking;
            assert_eq!((s.params["p1"], s.params["p2"]), (p1, p2));
            assert_eq!(m.p, [p1, p2]);
            assert_eq!(
                m.percentage,
                [s.params["mask_pct_1"], s.params["mask_pct_2"]]
            );
            assert_eq!(s.config.methodology, Methodology::SslFinetune);
        }

        // fig A.2.4: SeqAug P_apply per stream
        for s in runs_of(&specs, "fig-A.2.4") {
            assert_eq!(s.config.ssl.augment.order, vec![SeqAug]);
            assert_eq!(
                s.config.ssl.augment.seqaug.p,
                [s.params["p1"], s.params["p2"]]
            );
        }

        // the profile's knobs reach every run
        for s in &specs {
            assert_eq!(s.config.data.synthetic.scale, p.scale);
            assert_eq!(s.config.model, p.model);
            assert_eq!(s.config.ssl.epochs, p.ssl_epochs);
            assert_eq!(s.config.supervised.max_epochs, p.supervised_max_epochs);
        }
    }
}

// ---------------------------------------------------------------- keys

#[test]
fn row_keys_are_unique_across_the_registry() {
    for p in profiles() {
        let specs = expand(&p, &[]).unwrap();
        let keys: HashSet<String> = specs.iter().map(|s| s.row_key(SHA)).collect();
        assert_eq!(keys.len(), specs.len(), "{}", p.name);
        let coords: HashSet<String> = specs
            .iter()
            .map(|s| format!("{} {} {:?} {}", s.family, s.variant, s.params, s.seed))
            .collect();
        assert_eq!(coords.len(), specs.len());
        // equal run keys only for equal configs, i.e. runs the thesis shares between tables
        let mut by_run: HashMap<String, &RunSpec> = HashMap::new();
        for s in &specs {
            if let Some(other) = by_run.insert(s.run_key(SHA), s) {
                assert_eq!(other.config, s.config);
            }
        }
        // table 8.3.2's `none` / `noise` are table 8.2.2's `supervised` / `ssl-noise`
        let find = |fam: &str, variant: &str| {
            specs
                .iter()
                .find(|s| s.family == fam && s.variant == variant && s.seed == p.seeds[0])
                .unwrap()
                .run_key(SHA)
        };
        assert_eq!(
            find("table-8.3.2", "none"),
            find("table-8.2.2", "supervised")
        );
        assert_eq!(
            find("table-8.3.2", "noise"),
            find("table-8.2.2", "ssl-noise")
        );
        assert_ne!(
            find("table-8.2.4", "ssl-noise"),
            find("table-8.2.2", "ssl-noise")
        );
    }
}

/// Every leaf of `value`'s JSON tree with its path.
fn leaves(value: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                path.push(k.clone());
                leaves(v, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(i.to_string());
                leaves(v, path, out);
                path.pop();
            }
        }
        _ => out.push(path.clone()),
    }
}

fn slot<'a>(value: &'a mut Value, path: &[String]) -> &'a mut Value {
    path.iter().fold(value, |v, part| match v {
        Value::Array(items) => &mut items[part.parse::<usize>().unwrap()],
        other => &mut other[part.as_str()],
    })
}

#[test]
fn run_key_is_stable_and_changes_with_every_config_field() {
    let mut cfg = RunConfig {
        seed: 7,
        methodology: Methodology::SslFinetune,
        ..RunConfig::default()
    };
    cfg.ssl.augment.order = vec![SeqAug, Masking];
    let key = run_key(&cfg, SHA);
    assert_eq!(key, run_key(&cfg.clone(), SHA));
    assert_eq!(key.len(), 64);
    // the same config after a TOML and a JSON round trip
    let toml_back = RunConfig::from_toml(&cfg.to_toml()).unwrap();
    assert_eq!(run_key(&toml_back, SHA), key);
    let json_back: RunConfig = serde_json::from_str(&serde_json::to_string(&cfg).unwrap()).unwrap();
    assert_eq!(run_key(&json_back, SHA), key);
    // the data checksum is part of the key
    assert_ne!(run_key(&cfg, "fedcba9876543210"), key);

    let tree = serde_json::to_value(&cfg).unwrap();
    let mut paths = Vec::new();
    leaves(&tree, &mut Vec::new(), &mut paths);
    assert!(paths.len() > 30, "only {} leaves", paths.len());
    let mut changed = 0;
    for path in &paths {
        let mut t = tree.clone();
        let leaf = slot(&mut t, path);
        *leaf = match leaf.clone() {
            Value::Bool(b) => Value::Bool(!b),
            Value::Number(n) if n.is_u64() => Value::from(n.as_u64().unwrap() + 1),
            Value::Number(n) => Value::from(n.as_f64().unwrap() * 0.5 + 0.125),
            Value::String(s) => Value::String(match s.as_str() {
                "timestep" => "feature".into(),
                "masking" => "noise".into(),
                "seqaug" => "noise".into(),
                "noise" => "masking".into(),
                "ssl-finetune" => "ssl-linear".into(),
                other => panic!("no alternative for string leaf {path:?} = {other}"),
            }),
            other => panic!("unexpected leaf {path:?} = {other}"),
        };
        // a perturbed value may be invalid for the type (e.g. a negative size): skip those
        let Ok(perturbed) = serde_json::from_value::<RunConfig>(t) else {
            continue;
        };
        assert_ne!(perturbed, cfg, "{path:?}");
        assert_ne!(run_key(&perturbed, SHA), key, "key ignores {path:?}");
        changed += 1;
    }
    assert_eq!(changed, paths.len(), "every leaf was perturbed");
}

#[test]
fn canonical_json_ignores_field_order() {
    let a: Value = serde_json::from_str(r#"{"x":1,"y":{"b":2,"a":[3,4]}}"#).unwrap();
    let b: Value = serde_json::from_str(r#"{"y":{"a":[3,4],"b":2},"x":1}"#).unwrap();
    assert_eq!(canonical_json(&a), canonical_json(&b));
    let params: BTreeMap<String, f64> = [("fraction".to_string(), 0.1)].into();
    assert_ne!(
        row_key("fig-8.4", "supervised", &params, "k"),
        row_key("fig-8.4", "ssl-noise", &params, "k")
    );
}

#[test]
fn pretrain_key_ignores_what_happens_after_pretraining() {
    let specs = expand(&Profile::full(), &["fig-8.4".into(), "fig-8.5.1".into()]).unwrap();
    let key = |variant: &str, fraction: f64| {
        specs
            .iter()
            .find(|s| {
                s.variant == variant && s.params.get("fraction") == Some(&fraction) && s.seed == 0
            })
            .unwrap()
            .pretrain_key(SHA)
            .unwrap()
    };
    // every fraction of one SSL model, fine-tuned or linear, shares one pre-training
    assert_eq!(key("ssl-masking", 0.01), key("ssl-masking", 1.0));
    assert_eq!(key("ssl-masking", 0.1), key("ssl-masking-linear", 0.1));
    assert_ne!(key("ssl-masking", 0.1), key("ssl-noise", 0.1));
    // fig 8.5.1: fine-tuned and linear lines share pre-training per grid point
    let single = |variant: &str| {
        specs
            .iter()
            .find(|s| {
                s.family == "fig-8.5.1"
                    && s.variant == variant
                    && s.params.get("p_apply") == Some(&0.3)
                    && s.params.get("mask_pct") == Some(&0.2)
                    && s.seed == 1
            })
            .unwrap()
            .pretrain_key(SHA)
            .unwrap()
    };
    assert_eq!(single("finetune"), single("linear"));
    let sup = specs.iter().find(|s| s.variant == "supervised").unwrap();
    assert!(sup.pretrain_key(SHA).is_none());
    let mut cfg = sup.config.clone();
    cfg.methodology = Methodology::SslFinetune;
    let mut other_seed = cfg.clone();
    other_seed.seed += 1;
    assert_ne!(pretrain_key(&cfg, SHA), pretrain_key(&other_seed, SHA));
}

// ---------------------------------------------------------------- the runner

fn rows_by_key(store: &ResultStore) -> BTreeMap<String, (FamilyId, String, f64, f64)> {
    store
        .rows()
        .iter()
        .map(|r| {
            (
                r.key.clone(),
                (r.family, r.variant.clone(), r.test.mae, r.test.acc7),
            )
        })
        .collect()
}

/// Rows equal up to the last bit of a float: serde_json's default float parser (no
/// `float_roundtrip` feature) may read a printed f64 back one ulp off.
fn assert_same_rows(a: &[ResultRow], b: &[ResultRow]) {
    assert_eq!(a.len(), b.len());
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-12 * x.abs().max(1.0);
    for (x, y) in a.iter().zip(b) {
        assert_eq!(
            (
                &x.key,
                &x.family,
                &x.variant,
                &x.params,
                x.seed,
                x.best_epoch
            ),
            (
                &y.key,
                &y.family,
                &y.variant,
                &y.params,
                y.seed,
                y.best_epoch
            )
        );
        assert_eq!(x.config, y.config);
        for (m, n) in [(&x.test, &y.test), (&x.valid, &y.valid)] {
            assert!(
                close(m.mae, n.mae) && close(m.acc7, n.acc7),
                "{m:?} vs {n:?}"
            );
            assert!(close(m.f1_has0, n.f1_has0) && m.n == n.n, "{m:?} vs {n:?}");
        }
    }
}

#[test]
fn a_second_invocation_runs_nothing_and_a_torn_line_is_survived() {
    let out = tmp_dir("resume");
    let first = reproduce(only(Profile::smoke(), &out, &["table-8.2.2"])).unwrap();
    assert_eq!(first.summary.planned, 4);
    assert_eq!(first.summary.computed, 4);
    assert_eq!(first.summary.skipped, 0);
    assert_eq!(first.summary.pretrain_computed, 3);
    assert_eq!(first.store.rows().len(), 4);
    for row in first.store.rows() {
        assert_eq!(row.family, "table-8.2.2");
        assert_eq!(row.profile, "smoke");
        assert!(row.test.mae.is_finite());
        assert!(row.data.synthetic);
        assert!(row.wall_seconds > 0.0);
    }
    assert_eq!(first.store.path(), out.join(STORE_FILE));
    assert_eq!(
        std::fs::read_dir(out.join(PRETRAINED_DIR)).unwrap().count(),
        3
    );

    let on_disk = ResultStore::open(&out.join(STORE_FILE)).unwrap();
    let second = reproduce(only(Profile::smoke(), &out, &["table-8.2.2"])).unwrap();
    assert_eq!(second.summary.new_runs(), 0);
    assert_eq!(second.summary.skipped, 4);
    assert_eq!(
        second.summary.pretrain_computed + second.summary.pretrain_loaded,
        0
    );
    assert_eq!(second.store.rows(), on_disk.rows());
    assert_same_rows(second.store.rows(), first.store.rows());

    // a crash in the middle of writing a row: half a JSON object, no newline
    let line = serde_json::to_string(&first.store.rows()[0]).unwrap();
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(out.join(STORE_FILE))
        .unwrap();
    file.write_all(&line.as_bytes()[..line.len() / 2]).unwrap();
    drop(file);
    let reopened = ResultStore::open(&out.join(STORE_FILE)).unwrap();
    assert_eq!(reopened.skipped_lines(), 1);
    assert_eq!(reopened.rows(), on_disk.rows());

    // the next invocation appends after the torn line, and the store stays readable
    // (smoke's only SeqAug grid point is table 8.2.1's (0.5, 0.5): table 8.2.2's run, reused)
    let third = reproduce(only(Profile::smoke(), &out, &["fig-A.2.4"])).unwrap();
    assert_eq!(third.summary.new_runs(), 1);
    assert_eq!(third.summary.reused, 1);
    let after = ResultStore::open(&out.join(STORE_FILE)).unwrap();
    assert_eq!(after.skipped_lines(), 1);
    assert_eq!(after.rows().len(), 5);
    assert_eq!(&after.rows()[..4], on_disk.rows());
    assert_eq!(after.family_rows("fig-A.2.4".parse().unwrap()).count(), 1);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn a_run_lost_after_pretraining_is_redone_from_the_cache() {
    let out = tmp_dir("cache");
    // fig 8.5.1 in smoke: supervised + one fine-tuned + one linear run sharing one pre-training
    let first = reproduce(only(Profile::smoke(), &out, &["fig-8.5.1"])).unwrap();
    assert_eq!(first.summary.computed, 3);
    assert_eq!(first.summary.pretrain_computed, 1);
    assert_eq!(first.summary.pretrain_loaded, 1);
    let rows = first.store.rows().to_vec();
    let last = rows.last().unwrap().clone();
    assert!(last.methodology.pretrains());

    // a half-written pre-training from a crash: never used, removed at the next start
    let stale = out.join(PRETRAINED_DIR).join(".tmp-deadbeef-1-0");
    std::fs::create_dir_all(&stale).unwrap();
    std::fs::write(stale.join("model.safetensors"), b"garbage").unwrap();

    // kill -9 after pre-training, before the row: drop the last row from the store
    let text = std::fs::read_to_string(out.join(STORE_FILE)).unwrap();
    let kept: Vec<&str> = text.lines().take(rows.len() - 1).collect();
    std::fs::write(out.join(STORE_FILE), format!("{}\n", kept.join("\n"))).unwrap();

    let again = reproduce(only(Profile::smoke(), &out, &["fig-8.5.1"])).unwrap();
    assert_eq!(again.summary.computed, 1);
    assert_eq!(again.summary.skipped, 2);
    assert_eq!(again.summary.pretrain_computed, 0, "pre-trained again");
    assert_eq!(again.summary.pretrain_loaded, 1);
    assert!(!stale.exists());
    // the redone run gives the same numbers as the lost one
    let redone = again.store.get(&last.key).unwrap();
    assert_eq!(redone.test, last.test);
    assert_eq!(redone.valid, last.valid);
    assert_eq!(redone.best_epoch, last.best_epoch);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn equal_runs_of_other_families_are_reused_not_recomputed() {
    let out = tmp_dir("reuse");
    let a = reproduce(only(Profile::smoke(), &out, &["table-8.2.2"])).unwrap();
    assert_eq!(a.summary.computed, 4);
    let b = reproduce(only(Profile::smoke(), &out, &["table-8.3.2"])).unwrap();
    // none / noise / masking / seqaug are table 8.2.2's runs
    assert_eq!(b.summary.reused, 4);
    assert_eq!(b.summary.computed, 8);
    assert_eq!(
        b.store.family_rows("table-8.3.2".parse().unwrap()).count(),
        12
    );
    let by_variant = |fam: &str, variant: &str| {
        b.store
            .family_rows(fam.parse().unwrap())
            .find(|r| r.variant == variant)
            .unwrap()
            .clone()
    };
    let none = by_variant("table-8.3.2", "none");
    let sup = by_variant("table-8.2.2", "supervised");
    assert_eq!(none.test, sup.test);
    assert_eq!(none.config, sup.config);
    assert_ne!(none.key, sup.key);
    assert_eq!(none.wall_seconds, 0.0);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn parallel_jobs_give_the_same_rows_as_one_job() {
    let serial_dir = tmp_dir("serial");
    let parallel_dir = tmp_dir("parallel");
    let serial = reproduce(only(Profile::smoke(), &serial_dir, &["fig-8.4"])).unwrap();
    let mut options = only(Profile::smoke(), &parallel_dir, &["fig-8.4"]);
    options.jobs = 2;
    let parallel = reproduce(options).unwrap();
    assert_eq!(serial.summary.planned, 10);
    assert_eq!(parallel.summary.computed, serial.summary.computed);
    // fig 8.4 pre-trains once per SSL model (the linear line shares masking's)
    assert_eq!(serial.summary.pretrain_computed, 3);
    assert_eq!(parallel.summary.pretrain_computed, 3);
    assert_eq!(rows_by_key(&serial.store), rows_by_key(&parallel.store));
    assert_eq!(serial.data, parallel.data);
    let _ = std::fs::remove_dir_all(&serial_dir);
    let _ = std::fs::remove_dir_all(&parallel_dir);
}

#[test]
fn a_directory_of_another_profile_is_refused() {
    let out = tmp_dir("profiles");
    reproduce(only(Profile::smoke(), &out, &["fig-A.2.4"])).unwrap();
    let mut other = Profile::smoke();
    other.name = "quick".into();
    let err = reproduce(only(other, &out, &["fig-A.2.4"])).unwrap_err();
    assert!(format!("{err:#}").contains("profile"), "{err:#}");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn a_locked_store_is_refused_and_repeated_rows_count_once() {
    let out = tmp_dir("lock-dedup");
    reproduce(only(Profile::smoke(), &out, &["fig-A.2.4"])).unwrap();
    // As read back (timings that are not stored read as 0).
    let rows = ResultStore::open(&out.join(STORE_FILE))
        .unwrap()
        .rows()
        .to_vec();
    assert!(!rows.is_empty());

    // Another process writing to the folder (here: a lock taken by hand) refuses a second one
    // before it touches anything.
    let before = std::fs::read(out.join(STORE_FILE)).unwrap();
    let lock = StoreLock::acquire(&out).unwrap();
    let err = reproduce(only(Profile::smoke(), &out, &["fig-A.2.4"])).unwrap_err();
    assert!(format!("{err:#}").contains("in use by another"), "{err:#}");
    assert_eq!(std::fs::read(out.join(STORE_FILE)).unwrap(), before);
    drop(lock);
    reproduce(only(Profile::smoke(), &out, &["fig-A.2.4"])).unwrap();

    // The same row twice (two processes before the lock existed, a file copied in twice), with
    // another wall time: counted once.
    let append = |row: &ResultRow| {
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(out.join(STORE_FILE))
            .unwrap();
        writeln!(file, "{}", serde_json::to_string(row).unwrap()).unwrap();
    };
    let mut again = rows[0].clone();
    again.wall_seconds += 1.0;
    append(&again);
    let store = ResultStore::open(&out.join(STORE_FILE)).unwrap();
    assert_eq!(store.rows(), &rows[..]);
    assert_eq!(store.duplicate_lines(), 1);

    // The same key with other metrics: an error naming the key.
    let mut conflict = rows[0].clone();
    conflict.test.mae += 0.5;
    append(&conflict);
    let err = ResultStore::open(&out.join(STORE_FILE)).unwrap_err();
    let msg = format!("{err:#}");
    assert!(
        msg.contains(&rows[0].key) && msg.contains("different results"),
        "{msg}"
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn a_corrupt_cached_pretraining_is_computed_again() {
    let out = tmp_dir("corrupt-cache");
    // fig 8.5.1 in smoke: one pre-training shared by a fine-tuned and a linear run.
    let first = reproduce(only(Profile::smoke(), &out, &["fig-8.5.1"])).unwrap();
    let rows = ResultStore::open(&out.join(STORE_FILE))
        .unwrap()
        .rows()
        .to_vec();
    let entry = std::fs::read_dir(out.join(PRETRAINED_DIR))
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    let weights = entry.join("model.safetensors");
    let bytes = std::fs::read(&weights).unwrap();
    std::fs::write(&weights, &bytes[..bytes.len() / 2]).unwrap();
    std::fs::remove_file(out.join(STORE_FILE)).unwrap();
    let again = reproduce(only(Profile::smoke(), &out, &["fig-8.5.1"])).unwrap();
    assert_eq!(
        again.summary.pretrain_computed,
        first.summary.pretrain_computed
    );
    assert_eq!(
        std::fs::read(&weights).unwrap(),
        bytes,
        "recomputed bit for bit"
    );
    assert_same_rows(again.store.rows(), &rows);
    let _ = std::fs::remove_dir_all(&out);
}

// ---------------------------------------------------------------- sharding and merging

#[test]
fn shards_run_one_after_another_and_merged_give_the_single_process_store() {
    use mmssl::experiments::{merge_stores, Shard};
    let families = ["table-8.2.2", "fig-8.4"];
    let single_dir = tmp_dir("shard-single");
    let single = reproduce(only(Profile::smoke(), &single_dir, &families)).unwrap();
    let n = 3;
    let mut shard_stores = Vec::new();
    let mut sizes = Vec::new();
    for k in 1..=n {
        let dir = tmp_dir(&format!("shard-{k}"));
        let mut options = only(Profile::smoke(), &dir, &families);
        options.shard = Some(format!("{k}/{n}").parse::<Shard>().unwrap());
        let done = reproduce(options).unwrap();
        assert_eq!(
            done.summary.new_runs() + done.summary.other_shards,
            single.summary.planned,
            "shard {k}: every run is this shard's or another's"
        );
        sizes.push(done.store.rows().len());
        shard_stores.push(dir.join(STORE_FILE));
    }
    assert_eq!(
        sizes.iter().sum::<usize>(),
        single.store.rows().len(),
        "disjoint: {sizes:?}"
    );
    assert!(
        sizes.iter().filter(|&&s| s > 0).count() >= 2,
        "work is spread: {sizes:?}"
    );
    let merged_dir = tmp_dir("shard-merged");
    std::fs::create_dir_all(&merged_dir).unwrap();
    let summary = merge_stores(&shard_stores, &merged_dir.join(STORE_FILE)).unwrap();
    assert_eq!(
        (summary.added, summary.duplicates),
        (single.store.rows().len(), 0)
    );
    let untimed = |store: &ResultStore| -> BTreeMap<String, Value> {
        (store.rows().iter())
            .map(|r| {
                let mut v = serde_json::to_value(r).unwrap();
                v["wall_seconds"] = Value::Null;
                (r.key.clone(), v)
            })
            .collect()
    };
    let merged = ResultStore::open(&merged_dir.join(STORE_FILE)).unwrap();
    assert_eq!(
        untimed(&merged),
        untimed(&single.store),
        "the same rows, bit for bit"
    );
    // Merging again adds nothing; a row with other results under a known key is refused and
    // nothing is written.
    let again = merge_stores(&shard_stores, &merged_dir.join(STORE_FILE)).unwrap();
    assert_eq!(
        (again.added, again.duplicates),
        (0, single.store.rows().len())
    );
    let forged = tmp_dir("shard-forged").with_extension("jsonl");
    let mut row: ResultRow = single.store.rows()[0].clone();
    row.test.mae += 0.5;
    std::fs::write(&forged, serde_json::to_string(&row).unwrap() + "\n").unwrap();
    let before = std::fs::read(merged_dir.join(STORE_FILE)).unwrap();
    let err =
        merge_stores(std::slice::from_ref(&forged), &merged_dir.join(STORE_FILE)).unwrap_err();
    assert!(err.to_string().contains(&row.key), "{err}");
    assert_eq!(std::fs::read(merged_dir.join(STORE_FILE)).unwrap(), before);
    for bad in ["0/3", "4/3", "1", "a/b"] {
        assert!(bad.parse::<Shard>().is_err(), "{bad}");
    }
    for dir in [single_dir, merged_dir] {
        let _ = std::fs::remove_dir_all(dir);
    }
    let _ = std::fs::remove_file(forged);
}
