//! Content keys of `mmssl reproduce`: SHA-256 (hex) over canonical JSON, so that equal keys mean
//! the same computation on the same data, whatever the field order of a struct or the profile
//! that produced it.
//!
//! * [`run_key`] — `(RunConfig, data sha256)`: one training run. Every number a run produces is
//!   a function of this pair (and of the device), so two registry entries with the same run key
//!   are computed once (the thesis itself reuses runs: table 8.3.2's `none`, `noise`, `masking`
//!   and `SeqAug` rows are table 8.2.2's numbers).
//! * [`row_key`] — a run key plus the registry coordinates (family, variant, params): the key of
//!   one [`ResultRow`](super::ResultRow), unique across a profile's registry.
//! * [`pretrain_key`] — what Barlow Twins pre-training depends on (data, data settings, model,
//!   SSL settings, seed): runs that share it share one pre-trained checkpoint.
//!
//! Canonical JSON: objects with keys sorted bytewise, no whitespace, numbers as serde_json prints
//! them (shortest round-trip form for floats).

use crate::train::{DataConfig, Fidelity, RunConfig};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Canonical JSON of any serialisable value: sorted object keys, compact.
pub fn canonical_json<T: Serialize + ?Sized>(value: &T) -> String {
    let value = serde_json::to_value(value).expect("configs always serialise to JSON");
    let mut out = String::new();
    write_canonical(&value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let sorted: BTreeMap<&String, &Value> = map.iter().collect();
            out.push('{');
            for (i, (k, v)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// SHA-256 (lower-case hex) of the canonical JSON of `value`.
pub fn sha256_hex<T: Serialize + ?Sized>(value: &T) -> String {
    crate::digest::sha256_hex(canonical_json(value).as_bytes())
}

/// The key of one training run: SHA-256 of the canonical JSON of
/// `{"config": <RunConfig>, "data_sha256": <data identity checksum>}`.
pub fn run_key(config: &RunConfig, data_sha256: &str) -> String {
    #[derive(Serialize)]
    struct RunIdentity<'a> {
        config: &'a RunConfig,
        data_sha256: &'a str,
    }
    let config = &RunConfig {
        data: without_path(&config.data),
        ..config.clone()
    };
    sha256_hex(&RunIdentity {
        config,
        data_sha256,
    })
}

/// `data` without its directory: the data enter a key through their checksum, so results stay
/// found when an imported directory moves.
fn without_path(data: &DataConfig) -> DataConfig {
    DataConfig {
        path: None,
        ..data.clone()
    }
}

/// The key of one result row: SHA-256 of the canonical JSON of
/// `{"family", "variant", "params", "run_key"}`.
pub fn row_key(
    family: &str,
    variant: &str,
    params: &BTreeMap<String, f64>,
    run_key: &str,
) -> String {
    #[derive(Serialize)]
    struct RowIdentity<'a> {
        family: &'a str,
        variant: &'a str,
        params: &'a BTreeMap<String, f64>,
        run_key: &'a str,
    }
    sha256_hex(&RowIdentity {
        family,
        variant,
        params,
        run_key,
    })
}

/// The key of a run's pre-training: SHA-256 of the canonical JSON of the data checksum, the data
/// settings, the model, the SSL phase and the seed — everything [`crate::train::pretrain_phase`]
/// reads. The methodology (fine-tune or linear), the supervised phase and the labeled fraction do
/// not enter: they only act after pre-training.
pub fn pretrain_key(config: &RunConfig, data_sha256: &str) -> String {
    #[derive(Serialize)]
    struct PretrainIdentity<'a> {
        data_sha256: &'a str,
        data: &'a DataConfig,
        model: &'a crate::model::ModelConfig,
        ssl: &'a crate::train::SslConfig,
        seed: u64,
        // Absent under the thesis's text, so that keys from before released-code mode hold.
        #[serde(skip_serializing_if = "Fidelity::is_thesis_text")]
        fidelity: Fidelity,
    }
    sha256_hex(&PretrainIdentity {
        data_sha256,
        data: &without_path(&config.data),
        model: &config.model,
        ssl: &config.ssl,
        seed: config.seed,
        fidelity: config.fidelity.pretraining_part(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_recursively() {
        let v: Value =
            serde_json::from_str(r#"{"b":1,"a":{"d":[1,{"z":0,"y":2.5}],"c":true}}"#).unwrap();
        assert_eq!(
            canonical_json(&v),
            r#"{"a":{"c":true,"d":[1,{"y":2.5,"z":0}]},"b":1}"#
        );
    }

    #[test]
    fn keys_are_hex_sha256() {
        let k = run_key(&RunConfig::default(), "abc");
        assert_eq!(k.len(), 64);
        assert!(k
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(k, run_key(&RunConfig::default(), "abd"));
    }
}
