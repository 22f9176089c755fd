//! The `mmssl` command line: one sub-module per sub-command, each a thin layer over the library.

mod bench;
mod common;
mod data;
mod embed;
mod metrics;
mod plot;
mod predict;
mod reproduce;
mod results;
mod synth;
mod train;

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
    /// Train one thesis 7.1 methodology end to end (SSL ones pre-train first).
    Train(train::TrainArgs),
    /// Pre-training only (thesis 6.2: Barlow Twins, or `--set ssl.objective=…`); writes a checkpoint for `finetune`.
    Pretrain(train::PretrainArgs),
    /// Fine-tune (or, with --linear, linearly evaluate) a pre-trained checkpoint.
    Finetune(train::FinetuneArgs),
    /// Valid and test metrics of a saved run.
    Evaluate(train::EvaluateArgs),
    /// Write a trained run's prediction for every utterance of a split as CSV.
    Predict(predict::PredictArgs),
    /// Write the encoder's fused vectors of every utterance of a split as safetensors.
    Embed(embed::EmbedArgs),
    /// Draw the training curves of one or several runs (SVG and PNG).
    Plot(plot::PlotArgs),
    /// Time training and inference steps at the thesis's shapes.
    Bench(bench::BenchArgs),
    /// Real data: import a public release, inspect it, verify a source against the manifest.
    Data(data::DataArgs),
    /// Run the chapter 8 experiment registry under a profile, resumably, into a results store.
    Reproduce(reproduce::ReproduceArgs),
    /// Results stores: merge the stores of sharded reproductions.
    Results(results::ResultsArgs),
}

/// Parses the command line, runs the sub-command and maps errors to a non-zero exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Synth(args) => synth::run(&args),
        Command::Metrics(args) => metrics::run(&args),
        Command::Train(args) => train::run_train(&args),
        Command::Pretrain(args) => train::run_pretrain(&args),
        Command::Finetune(args) => train::run_finetune(&args),
        Command::Evaluate(args) => train::run_evaluate(&args),
        Command::Predict(args) => predict::run(&args),
        Command::Embed(args) => embed::run(&args),
        Command::Plot(args) => plot::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Reproduce(args) => reproduce::run(&args),
        Command::Results(args) => results::run(&args),
        Command::Data(args) => data::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", error_text(&err));
            ExitCode::FAILURE
        }
    }
}

/// The message of `err` and its causes as `{err:#}` writes them, except that candle errors are
/// written without the backtrace candle attaches when `RUST_BACKTRACE` is set: a user's error
/// names what went wrong, not the frames of the library it went wrong in.
fn error_text(err: &anyhow::Error) -> String {
    err.chain()
        .map(|cause| match cause.downcast_ref::<candle_core::Error>() {
            Some(e) => crate::messages::candle_message(e),
            None => cause.to_string(),
        })
        .collect::<Vec<_>>()
        .join(": ")
}

#[cfg(test)]
mod tests {
    use super::error_text;
    use anyhow::Context;

    #[test]
    fn user_errors_leave_candle_backtraces_out_and_keep_the_chain() {
        let traced = candle_core::Error::WithBacktrace {
            inner: Box::new(candle_core::Error::Msg("shape mismatch".into())),
            backtrace: Box::new(std::backtrace::Backtrace::force_capture()),
        };
        let err = Err::<(), _>(traced)
            .context("reading run/model.safetensors")
            .unwrap_err();
        assert_eq!(
            error_text(&err),
            "reading run/model.safetensors: shape mismatch"
        );
        let plain = Err::<(), _>(std::io::Error::other("disk full"))
            .context("writing x")
            .unwrap_err();
        assert_eq!(error_text(&plain), format!("{plain:#}"));
    }
}
