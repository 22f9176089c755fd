//! Chapter 8 reproduction: the experiment registry, profiles, the resumable runner and the
//! results store behind `mmssl reproduce`.
//!
//! * [`registry`] — every experiment family of thesis chapter 8 and appendix A.2, as data, and
//!   its expansion into [`RunSpec`]s;
//! * [`family`] — [`FamilyId`], the typed name of each family;
//! * [`profile`] — `smoke`, `quick`, `standard` and `full` (or a TOML file): the knobs (data scale, model size, epochs, seeds,
//!   grids) applied to the registry;
//! * [`key`] — SHA-256 run, row and pre-training keys over canonical JSON;
//! * [`runner`] — [`reproduce`]: resumable, parallel, with a pre-training cache;
//! * [`shard`] — [`Shard`]: a deterministic 1/N of the runs, for several machines;
//! * the results store ([`ResultStore`]): append-only, synced JSON lines;
//! * [`ExperimentError`] — what went wrong, in one message.
//!
//! ```no_run
//! use mmssl::experiments::{reproduce, FamilyId, Profile, ReproduceOptions};
//! let mut options = ReproduceOptions::new(Profile::smoke(), "results/smoke");
//! options.only = vec!["table-8.2.2".into()];
//! let done = reproduce(options)?;
//! for row in done.store.family_rows(FamilyId::Table8_2_2) {
//!     println!("{} seed {}: MAE {:.3}", row.variant, row.seed, row.test.mae);
//! }
//! # Ok::<(), mmssl::experiments::ExperimentError>(())
//! ```

mod error;
pub mod family;
pub mod key;
pub mod profile;
pub mod registry;
pub mod runner;
pub mod shard;
mod store;

pub use error::{ExperimentError, Result};
pub use family::{FamilyId, UnknownFamily};
pub use profile::{Grids, ImportedData, Profile, ProfileName, Strategy};
pub use registry::{expand, Family, Grid, RunSpec, FAMILIES};
pub use runner::{
    reproduce, store_path, FamilySummary, Plan, ReproduceOptions, Reproduction, Summary,
};
pub use shard::Shard;
pub use store::{merge_stores, MergeSummary, ResultRow, ResultStore, StoreLock, LOCK_FILE};
