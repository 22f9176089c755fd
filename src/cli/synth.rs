//! `mmssl synth`: generate the synthetic CMU-MOSEI stand-in and print its identity, statistics
//! and ceiling (the oracle's metrics on valid and test).

use crate::data::synthetic::ceiling::{ceiling_rows, format_table};
use crate::data::synthetic::{generate, Difficulty, SyntheticConfig};
use crate::data::SplitName;
use std::time::Instant;

/// Arguments of `mmssl synth`.
#[derive(Debug, clap::Args)]
pub struct SynthArgs {
    /// Seed of the generator.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Size relative to CMU-MOSEI's aligned release (1.0 = 16,326 / 1,871 / 4,659 utterances).
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
    /// How hard sentiment is to read off the features: `standard` or `hard` (same labels and
    /// ceiling, non-linear mixing, stronger nuisance).
    #[arg(long, value_parser = parse_difficulty, default_value = "standard")]
    difficulty: Difficulty,
    /// Print one JSON object (config, identity, statistics) instead of the table.
    #[arg(long)]
    json: bool,
}

/// Runs `mmssl synth`.
pub fn run(args: &SynthArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.scale > 0.0 && args.scale.is_finite(),
        "--scale must be a positive number, got {}",
        args.scale
    );
    let config = SyntheticConfig {
        difficulty: args.difficulty,
        ..SyntheticConfig::new(args.seed, args.scale)
    };
    let start = Instant::now();
    let data = generate(&config);
    let seconds = start.elapsed().as_secs_f64();
    let summary = data.summary();
    let [valid, test] = [SplitName::Valid, SplitName::Test].map(|s| (s, ceiling_rows(&config, s)));
    if args.json {
        let out = serde_json::json!({
            "config": config,
            "identity": data.identity,
            "summary": summary,
            "ceiling": { "valid": valid.1, "test": test.1 },
            "seconds": seconds,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!("config: {}", serde_json::to_string(&config)?);
        print!("{summary}");
        println!("generated in {seconds:.2} s");
        for (split, rows) in [&valid, &test] {
            print!("{}", format_table(*split, rows));
        }
    }
    Ok(())
}

/// Parses `--difficulty` by the config's own names.
fn parse_difficulty(name: &str) -> Result<Difficulty, String> {
    (Difficulty::ALL.into_iter().find(|d| d.name() == name))
        .ok_or_else(|| format!("unknown difficulty `{name}`: expected standard or hard"))
}
