//! The data of a reproduction, loaded once per distinct data setting.

use super::*;

/// The data of a reproduction: one [`Dataset`] per distinct effective data setting of its runs
/// ([`RunConfig::effective_data`]: standardised inputs, and raw ones for runs under
/// `fidelity.no_input_standardisation`), each loaded once.
#[derive(Debug)]
pub(super) struct Datasets(Vec<(DataConfig, Dataset)>);

impl Datasets {
    /// Loads the data of `base` and of every run in `specs`.
    pub(super) fn load(base: &RunConfig, specs: &[RunSpec]) -> Result<Datasets> {
        let mut sets: Vec<(DataConfig, Dataset)> = Vec::new();
        let wanted = std::iter::once(base.effective_data())
            .chain(specs.iter().map(|s| s.config.effective_data()));
        for data in wanted {
            if !sets.iter().any(|(d, _)| *d == data) {
                let loaded = data.load()?;
                sets.push((data, loaded));
            }
        }
        Ok(Datasets(sets))
    }

    /// The profile's own data (the identity every row records).
    pub(super) fn base(&self) -> &Dataset {
        &self.0[0].1
    }

    /// The data `cfg` runs on.
    pub(super) fn for_run(&self, cfg: &RunConfig) -> Result<&Dataset> {
        let wanted = cfg.effective_data();
        self.0
            .iter()
            .find(|(d, _)| *d == wanted)
            .map(|(_, data)| data)
            .ok_or_else(|| {
                ExperimentError::Internal(
                    "no data loaded for the settings of this run (a bug)".into(),
                )
            })
    }
}
