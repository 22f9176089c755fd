//! # mmssl — multimodal self-supervised learning for emotion recognition
//!
//! A Candle reproduction of K. Poulinakis, *Self Supervised Multimodal Learning for Emotion
//! Recognition* (NTUA, 2023). The modules follow the thesis's architecture:
//!
//! * [`data`] — word-aligned text / audio / visual sequences, splits, batching (thesis 5.2), and
//!   the deterministic synthetic stand-in for CMU-MOSEI that is the embedded default;
//! * [`loss`] — the Barlow Twins objective (thesis eq. 6.3.1 / 6.3.2);
//! * [`metrics`] — MAE, Pearson r, Acc7, Acc5, Acc2 and weighted F1 (thesis 7.3);
//! * [`rng`] — the seeded random streams behind every random choice;
//! * [`cli`] — the `mmssl` command line.

pub mod cli;
pub mod data;
pub mod loss;
pub mod metrics;
pub mod rng;
