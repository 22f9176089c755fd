//! Data model: split invariants, seeded batching, labeled fractions, the non-finite policy and
//! train-only standardisation.

use approx::assert_abs_diff_eq;
use candle_core::Device;
use mmssl::data::{
    DataError, Dataset, HostBatch, Modality, NonFinitePolicy, Sequences, Split, SplitName,
    Standardizer,
};
use proptest::prelude::*;

/// A split of `n` samples, `steps` steps, dims 3/2/2, with value `i*100 + t + f/10` at real
/// steps (distinct per position, so moves are visible) and zero padding.
fn toy_split(name: SplitName, lengths: &[usize], steps: usize) -> Split {
    let n = lengths.len();
    let dims = [3, 2, 2];
    let modalities = dims.map(|d| {
        let mut data = vec![0f32; n * steps * d];
        for (i, &len) in lengths.iter().enumerate() {
            for t in 0..len {
                for f in 0..d {
                    data[(i * steps + t) * d + f] = i as f32 * 100.0 + t as f32 + f as f32 / 10.0;
                }
            }
        }
        Sequences::new(n, steps, d, data).unwrap()
    });
    let labels = (0..n).map(|i| (i % 7) as f32 - 3.0).collect();
    Split::new(name, modalities, lengths.to_vec(), labels, None).unwrap()
}

#[test]
fn utterance_ids_are_one_per_sample_and_follow_selection() {
    let split = toy_split(SplitName::Valid, &[2, 3, 1], 4);
    assert_eq!(split.id(2), "2", "without ids the id is the index");
    let err = split
        .clone()
        .with_ids(Some(vec!["a".into(), "b".into()]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("2 utterance ids for 3 samples"), "{err}");
    let named = split
        .with_ids(Some(vec!["a".into(), "b".into(), "c".into()]))
        .unwrap();
    let picked = named.select(&[2, 0]);
    assert_eq!(picked.ids, Some(vec!["c".to_string(), "a".to_string()]));
    assert_eq!(picked.id(1), "a");
}

#[test]
fn split_rejects_inconsistent_parts() {
    let good = toy_split(SplitName::Train, &[2, 3], 4);
    let mut bad_label = good.clone();
    bad_label.labels[1] = 3.5;
    let err = bad_label.validate().unwrap_err().to_string();
    assert!(err.contains("sample 1") && err.contains("[-3, 3]"), "{err}");

    let mut bad_len = good.clone();
    bad_len.lengths[0] = 0;
    assert!(matches!(
        bad_len.validate(),
        Err(DataError::OutOfRange { sample: 0, .. })
    ));

    let mut short = good.clone();
    short.labels.pop();
    let err = short.validate().unwrap_err().to_string();
    assert!(err.contains("text has 2 samples, labels have 1"), "{err}");

    assert!(Sequences::new(2, 3, 4, vec![0.0; 23]).is_err());
}

#[test]
fn batches_cover_every_sample_once_and_are_seeded() {
    let split = toy_split(SplitName::Train, &[1, 2, 3, 4, 5, 1, 2], 6);
    let order = |seed| -> Vec<usize> {
        split
            .batches(3, seed, false)
            .unwrap()
            .flat_map(|b| b.indices)
            .collect()
    };
    let a = order(Some(7));
    assert_eq!(a, order(Some(7)), "same seed, same order");
    assert_ne!(a, order(Some(8)), "another seed, another order");
    assert_eq!(
        order(None),
        (0..7).collect::<Vec<_>>(),
        "no seed keeps storage order"
    );
    let mut sorted = a.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..7).collect::<Vec<_>>());

    let iter = split.batches(3, Some(1), true).unwrap();
    assert_eq!(iter.num_batches(), 2);
    assert!(
        iter.map(|b| b.len()).all(|n| n == 3),
        "drop_last keeps full batches only"
    );
    assert!(split.batches(0, None, false).is_err());
}

#[test]
fn batch_truncates_padding_only_and_masks_it() {
    let split = toy_split(SplitName::Train, &[2, 4, 1], 6);
    let batch = HostBatch::gather(&split, &[2, 0]);
    assert_eq!(
        batch.steps(),
        2,
        "longest real length among the chosen samples"
    );
    for (b, &i) in batch.indices.iter().enumerate() {
        for t in 0..batch.lengths[b] {
            assert_eq!(batch.modalities[0].row(b, t), split.modalities[0].row(i, t));
        }
    }
    let tensors = batch.to_device(&Device::Cpu).unwrap();
    let mask: Vec<Vec<f32>> = tensors.mask.to_vec2().unwrap();
    assert_eq!(mask, vec![vec![1.0, 0.0], vec![1.0, 1.0]]);
    assert_eq!(tensors.modalities[1].dims(), &[2, 2, 2]);
    assert_eq!(tensors.lengths.to_vec1::<u32>().unwrap(), vec![1, 2]);
}

#[test]
fn labeled_fraction_is_seeded_nested_and_label_agnostic() {
    let lengths: Vec<usize> = (0..200).map(|i| 1 + i % 5).collect();
    let split = toy_split(SplitName::Train, &lengths, 5);
    let ids = |s: &Split| -> Vec<usize> {
        (0..s.len())
            .map(|i| (s.modalities[0].row(i, 0)[0] / 100.0).round() as usize)
            .collect()
    };
    let one = split.labeled_fraction(0.01, 3).unwrap();
    let ten = split.labeled_fraction(0.10, 3).unwrap();
    assert_eq!(one.len(), 2, "ceil(0.01 * 200)");
    assert_eq!(ten.len(), 20);
    assert!(
        ids(&one).iter().all(|i| ids(&ten).contains(i)),
        "1 % ⊂ 10 % for one seed"
    );
    assert_eq!(ids(&ten), ids(&split.labeled_fraction(0.10, 3).unwrap()));
    assert_ne!(ids(&ten), ids(&split.labeled_fraction(0.10, 4).unwrap()));
    assert!(
        ids(&ten).windows(2).all(|w| w[0] < w[1]),
        "storage order kept"
    );

    let mut relabeled = split.clone();
    relabeled.labels.iter_mut().for_each(|y| *y = -*y);
    assert_eq!(
        ids(&relabeled.labeled_fraction(0.10, 3).unwrap()),
        ids(&ten)
    );
    assert_eq!(split.labeled_fraction(1.0, 0).unwrap().len(), 200);
    for bad in [0.0, -0.1, 1.01, f64::NAN] {
        assert!(split.labeled_fraction(bad, 0).is_err(), "{bad}");
    }
}

#[test]
fn non_finite_values_are_zeroed_and_counted_or_rejected() {
    let mut split = toy_split(SplitName::Valid, &[2, 2], 3);
    let audio = split.modalities[1].as_mut_slice();
    audio[1] = f32::NEG_INFINITY; // sample 0, step 0, feature 1
    audio[(3 + 1) * 2] = f32::NAN; // sample 1, step 1, feature 0
    let mut rejected = split.clone();
    let err = rejected
        .sanitize(NonFinitePolicy::Reject)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "split valid, audio: non-finite value -inf at sample 0, step 0, feature 1"
    );
    let report = split.sanitize(NonFinitePolicy::Zero).unwrap();
    assert_eq!((report.nan, report.pos_inf, report.neg_inf), (1, 0, 1));
    assert_eq!(split.modalities[1].as_slice()[1], 0.0);
    assert!(split.modalities[1].as_slice().iter().all(|v| v.is_finite()));
}

fn dataset(train: Split, valid: Split, test: Split) -> Dataset {
    Dataset {
        identity: mmssl::data::DataIdentity {
            name: "toy".into(),
            seed: None,
            scale: None,
            sha256: String::new(),
            synthetic: true,
        },
        train,
        valid,
        test,
    }
}

#[test]
fn standardizer_uses_train_only_and_keeps_padding_zero() {
    let train = toy_split(SplitName::Train, &[3, 1, 2], 4);
    let valid = toy_split(SplitName::Valid, &[4, 4], 4);
    let mut data = dataset(train.clone(), valid.clone(), valid.clone());
    let (stats, _) = data.prepare(NonFinitePolicy::Reject).unwrap();
    let mut other_valid = valid.clone();
    other_valid.modalities[0].as_mut_slice()[0] = 1e6;
    let (other_stats, _) = dataset(train.clone(), other_valid.clone(), other_valid)
        .prepare(NonFinitePolicy::Reject)
        .unwrap();
    assert_eq!(other_stats, stats, "valid/test never enter the statistics");
    assert_eq!(Standardizer::fit(&train), stats);

    // Text feature 0 over train's real steps: 0,1,2 | 100 | 200,201 → mean 504/6 = 84.
    assert_abs_diff_eq!(stats.mean[0][0], 84.0, epsilon = 1e-4);
    for split in [&data.train, &data.valid] {
        for m in Modality::ALL {
            let seq = split.modality(m);
            for (i, &len) in split.lengths.iter().enumerate() {
                let padding = &seq.sample(i)[len * seq.dims()..];
                assert!(padding.iter().all(|&v| v == 0.0), "padding stays zero");
            }
        }
    }
}

proptest! {
    /// After standardisation the training split's real steps have mean 0 and std 1 per
    /// feature (1e-3: f32 storage of values up to ~1e3 in magnitude).
    #[test]
    fn standardized_train_has_zero_mean_unit_std(
        lengths in prop::collection::vec(1usize..6, 2..12),
        offset in -500f32..500.0,
        scale in 0.01f32..50.0,
    ) {
        let mut train = toy_split(SplitName::Train, &lengths, 6);
        for v in train.modalities[1].as_mut_slice() { *v = *v * scale + offset; }
        let mut data = dataset(train.clone(), train.clone(), train);
        data.prepare(NonFinitePolicy::Reject).unwrap();
        let seq = data.train.modality(Modality::Audio);
        for f in 0..seq.dims() {
            let values: Vec<f64> = data.train.lengths.iter().enumerate()
                .flat_map(|(i, &len)| (0..len).map(move |t| (i, t)))
                .map(|(i, t)| seq.row(i, t)[f] as f64)
                .collect();
            let mean = values.iter().sum::<f64>() / values.len() as f64;
            let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64;
            prop_assert!(mean.abs() < 1e-3, "mean {mean}");
            // constant features (a single real row) keep std 0: they are only centred
            prop_assert!((var.sqrt() - 1.0).abs() < 1e-3 || var < 1e-9, "std {}", var.sqrt());
        }
    }
}
