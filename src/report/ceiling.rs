//! The stand-in's oracle ceiling ([`crate::data::synthetic::ceiling`]) as reference rows of the
//! report's tables: on synthetic data every table shows how far each model is from what the data
//! allow. Computed once per data set (it replays the generator's random streams).

use super::metric::MetricValues;
use crate::data::synthetic::ceiling::{ceiling_rows, OracleView};
use crate::data::SplitName;
use crate::experiments::ResultRow;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Reference rows: the name of each oracle view and its test metrics in the thesis's units.
pub type Reference = Vec<(String, MetricValues)>;

/// The test-split ceiling of the synthetic stand-in `rows` ran on, or `None` for imported data
/// (or rows of several data sets). The posterior mean gives every metric but MAE, for which the
/// posterior median is the bound.
pub fn test_ceiling(rows: &[&ResultRow]) -> Option<Reference> {
    let first = rows.first()?;
    if !first.data.synthetic
        || first.config.data.path.is_some()
        || rows.iter().any(|r| r.data.sha256 != first.data.sha256)
    {
        return None;
    }
    static CACHE: OnceLock<Mutex<HashMap<String, Reference>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().ok()?.get(&first.data.sha256) {
        return Some(hit.clone());
    }
    let reference: Reference = ceiling_rows(&first.config.data.synthetic, SplitName::Test)
        .into_iter()
        .filter(|c| c.view == OracleView::All || c.view == OracleView::Text)
        .map(|c| {
            let mut values = MetricValues::from_metrics(&c.mean);
            values.mae = Some(c.median.mae);
            (format!("{} (ceiling)", c.view.name()), values)
        })
        .collect();
    cache
        .lock()
        .ok()?
        .insert(first.data.sha256.clone(), reference.clone());
    Some(reference)
}
