//! Chapter 8 reproduction: the experiment registry, profiles, the resumable runner and the
//! results store behind `mmssl reproduce`.

mod store;

pub use store::{ResultRow, ResultStore};
