//! `mmssl metrics`: score a predictions CSV.

/// Arguments of `mmssl metrics`.
#[derive(Debug, clap::Args)]
pub struct MetricsArgs {}

/// Runs `mmssl metrics`.
pub fn run(_args: &MetricsArgs) -> anyhow::Result<()> {
    anyhow::bail!("not yet implemented")
}
