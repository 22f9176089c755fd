//! Profiles: built-in sizes, TOML profile files, per-family seeds, the `ssl-lr` family, and the
//! README's description of the profiles against their definitions.

use mmssl::experiments::{expand, FamilyId, Profile, ProfileName};

#[test]
fn toml_profile_with_base_changes_only_what_it_names() {
    let p = Profile::from_toml(
        "base = \"quick\"\nname = \"mine\"\nseeds = [0, 1, 2]\n[grids]\nfractions = [0.05, 1.0]\n",
    )
    .unwrap();
    let mut want = Profile::quick();
    want.name = "mine".into();
    want.seeds = vec![0, 1, 2];
    want.grids.fractions = vec![0.05, 1.0];
    assert_eq!(p, want);
}

#[test]
fn every_builtin_profile_round_trips_through_toml() {
    for name in ProfileName::ALL {
        let p = name.profile();
        let text = toml::to_string(&p).unwrap();
        assert_eq!(Profile::from_toml(&text).unwrap(), p, "{name}");
        p.validate().unwrap();
    }
}

#[test]
fn toml_profile_errors_name_the_key() {
    let err = Profile::from_toml("base = \"smoke\"\nsede = [1]\n").unwrap_err();
    assert!(format!("{err:#}").contains("sede"), "{err:#}");
    let err = Profile::from_toml("base = \"tiny\"\n").unwrap_err();
    assert!(format!("{err:#}").contains("tiny"), "{err:#}");
    let err = Profile::from_toml("base = \"smoke\"\nseeds = []\n").unwrap_err();
    assert!(format!("{err:#}").contains("seed"), "{err:#}");
    let err = Profile::from_toml("base = \"smoke\"\n[grids]\nssl_lrs = []\n").unwrap_err();
    assert!(format!("{err:#}").contains("grids.ssl_lrs"), "{err:#}");
}

#[test]
fn named_reads_builtins_and_files() {
    assert_eq!(Profile::named("standard").unwrap(), Profile::standard());
    let dir = std::env::temp_dir().join(format!("mmssl-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("p.toml");
    std::fs::write(&path, "base = \"smoke\"\nname = \"file\"\n").unwrap();
    assert_eq!(Profile::named(path.to_str().unwrap()).unwrap().name, "file");
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(Profile::named("nonesuch").is_err());
}

#[test]
fn family_seeds_override_the_default_seeds() {
    let q = Profile::quick();
    assert_eq!(q.seeds_for(FamilyId::Table8_2_4).len(), 5);
    assert_eq!(q.seeds_for(FamilyId::Table8_3_2), q.seeds);
    let runs = expand(&q, &["table-8.2.4".into()]).unwrap();
    assert_eq!(runs.len(), 4 * 5);
}

#[test]
fn ssl_lr_family_expands_every_rate_fraction_and_baseline() {
    let q = Profile::quick();
    let runs = expand(&q, &["ssl-lr".into()]).unwrap();
    let seeds = q.seeds_for(FamilyId::SslLr).len();
    let lrs = q.grids.ssl_lrs.len();
    assert_eq!(runs.len(), 2 * (2 + 2 * lrs) * seeds);
    for r in &runs {
        assert_eq!(r.family, FamilyId::SslLr);
        let fraction = r.params["fraction"];
        assert_eq!(r.config.supervised.labeled_fraction, fraction);
        if r.config.methodology.pretrains() {
            assert_eq!(r.config.ssl.lr, r.params["ssl_lr"]);
        }
    }
    // The stated rate of table 7.3.2 is among the quick profile's rates.
    assert!(q.grids.ssl_lrs.contains(&3e-6));
}

#[test]
fn unknown_family_is_an_error_listing_the_known_ones() {
    let err = expand(&Profile::smoke(), &["table-9".into()]).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("table-9") && text.contains("ssl-lr"),
        "{text}"
    );
}

#[test]
fn family_ids_parse_and_print_the_same() {
    for f in FamilyId::ALL {
        assert_eq!(f.id().parse::<FamilyId>().unwrap(), f);
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            format!("\"{}\"", f.id())
        );
    }
}

/// The README's profile paragraph quotes the quick profile's run count, scale and seeds: keep it
/// in step with the definition.
#[test]
fn readme_describes_the_quick_profile_as_defined() {
    let readme = include_str!("../README.md");
    let q = Profile::quick();
    let runs = expand(&q, &[]).unwrap().len();
    for needle in [
        format!("{runs} runs"),
        format!("scale {}", q.scale),
        format!("{} seeds", q.seeds_for(FamilyId::Table8_2_4).len()),
    ] {
        assert!(readme.contains(&needle), "README.md should say `{needle}`");
    }
}

/// The shipped profile file that runs `deviations` at quick's sizes (quick leaves it out).
#[test]
fn the_quick_deviations_profile_file_adds_only_the_deviations_seeds() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/profiles/quick-deviations.toml");
    let p = Profile::from_toml_file(&path).unwrap();
    let mut want = Profile::quick();
    want.name = "quick-deviations".into();
    want.family_seeds
        .insert(FamilyId::Deviations, vec![0, 1, 2]);
    assert_eq!(p, want);
    assert!(Profile::quick().seeds_for(FamilyId::Deviations).is_empty());
    let runs = expand(&p, &["deviations".to_owned()]).unwrap();
    assert_eq!(runs.len(), 90, "30 variants × 3 seeds");
}

/// The shipped profile file that runs `objectives` at quick's sizes (quick leaves it out).
#[test]
fn the_quick_objectives_profile_file_adds_only_the_objectives_seeds() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/profiles/quick-objectives.toml");
    let p = Profile::from_toml_file(&path).unwrap();
    let mut want = Profile::quick();
    want.name = "quick-objectives".into();
    want.family_seeds
        .insert(FamilyId::Objectives, vec![0, 1, 2]);
    assert_eq!(p, want);
    assert!(Profile::quick().seeds_for(FamilyId::Objectives).is_empty());
    let runs = expand(&p, &["objectives".to_owned()]).unwrap();
    assert_eq!(runs.len(), 99, "3 fractions × 11 variants × 3 seeds");
}

/// The shipped profile file that runs the low-label families on the `hard` stand-in: quick's
/// settings with only the difficulty changed, so every run pairs with a quick run.
#[test]
fn the_quick_hard_profile_file_changes_only_the_difficulty() {
    use mmssl::data::synthetic::Difficulty;
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/profiles/quick-hard.toml");
    let p = Profile::from_toml_file(&path).unwrap();
    let mut want = Profile::quick();
    want.name = "quick-hard".into();
    want.difficulty = Difficulty::Hard;
    assert_eq!(p, want);
    let only: Vec<String> = ["table-8.2.4", "fig-8.4", "ssl-lr"]
        .map(String::from)
        .into();
    let (hard, easy) = (
        expand(&p, &only).unwrap(),
        expand(&Profile::quick(), &only).unwrap(),
    );
    assert_eq!(hard.len(), easy.len());
    for (h, e) in hard.iter().zip(&easy) {
        assert_eq!(h.config.data.synthetic.difficulty, Difficulty::Hard);
        let mut back = h.config.clone();
        back.data.synthetic.difficulty = Difficulty::Standard;
        assert_eq!(back, e.config, "the same run but for the data's difficulty");
    }
    assert!(!Profile::quick().to_json().contains("difficulty"));
}
