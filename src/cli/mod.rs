//! The `mmssl` command line: one sub-module per sub-command, each a thin layer over the library.

mod metrics;
mod synth;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Multimodal self-supervised learning for emotion recognition (Poulinakis, 2023), on Candle.
#[derive(Debug, Parser)]
#[command(name = "mmssl", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The sub-commands of `mmssl`.
#[derive(Debug, Subcommand)]
enum Command {
    /// Generate the synthetic CMU-MOSEI stand-in and print its identity and statistics.
    Synth(synth::SynthArgs),
    /// Score a CSV of `prediction,label` rows with the MOSEI metrics (thesis 7.3).
    Metrics(metrics::MetricsArgs),
}

/// Parses the command line, runs the sub-command and maps errors to a non-zero exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Synth(args) => synth::run(&args),
        Command::Metrics(args) => metrics::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
