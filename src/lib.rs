//! # mmssl — multimodal self-supervised learning for emotion recognition
//!
//! A Candle reproduction of K. Poulinakis, *Self Supervised Multimodal Learning for Emotion
//! Recognition* (NTUA, 2023). The modules follow the thesis's architecture:
//!
//! * [`data`] — word-aligned text / audio / visual sequences, splits, batching (thesis 5.2), and
//!   the deterministic synthetic stand-in for CMU-MOSEI that is the embedded default;
//! * [`import`] — real data: the MulT / MMSA pickle and CMU HDF5 importers, the native on-disk
//!   format, the embedded data manifest, inspection and verification (thesis 5.2);
//! * [`augment`] — Gaussian noise, masking and SeqAug, chained per stream (thesis 6.5, 7.2, A.1);
//! * [`loss`] — the Barlow Twins objective (thesis eq. 6.3.1 / 6.3.2), the related work's InfoNCE,
//!   SwAV, generative (reconstruction) and multimodal-contrastive objectives, and the supervised
//!   regression losses;
//! * [`model`] — the M3 encoder (LSTM + self/cross-modal attention), the Barlow Twins projector
//!   and the regression head (thesis 6.2, 6.4), and the related work's decoder and modality
//!   projections;
//! * [`metrics`] — MAE, Pearson r, Acc7, Acc5, Acc2 and weighted F1 (thesis 7.3);
//! * [`rng`] — the seeded random streams behind every random choice;
//! * [`train`] — the four training methodologies with the thesis's hyper-parameters (thesis 7.1, 7.3);
//! * [`experiments`] — the chapter 8 experiment registry, resumable runner and results store;
//! * [`report`] — the thesis's published numbers, result tables (feature `reports`), the chapter 8
//!   figures (plotters) and `REPORT.md` checking the thesis's claims on our runs;
//! * [`messages`] — candle's errors as user messages (without backtraces);
//! * [`files`] — atomic writes of files and output folders, and what `--force` may replace;
//! * [`digest`] — SHA-256 as lower-case hex (data identities, source checksums, run keys);
//! * [`notebook`] — display helpers for the evcxr notebooks (inline SVG figures, tables);
//! * [`cli`] — the `mmssl` command line.

#![deny(missing_docs)]

pub mod augment;
pub mod cli;
pub mod data;
pub mod digest;
pub mod experiments;
pub mod files;
pub mod import;
pub mod loss;
pub mod messages;
pub mod metrics;
pub mod model;
pub mod notebook;
pub mod report;
pub mod rng;
pub mod train;
