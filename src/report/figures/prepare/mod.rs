//! The chapter 8 figures' data: result rows (and the thesis's transcribed numbers) turned into
//! the generic figure kinds of `draw`, before anything is drawn.
//!
//! * `rows` — from a figure id to its preparation, and the grouping of rows by variant;
//! * `bars` — figure 8.3.1 (bars per chain);
//! * `heat` — the double-stream masking heat maps;
//! * `lines` — the six-metric line panels of figures 8.4.1, 8.4.2, 8.5.1 and A.2.4.

mod bars;
mod heat;
mod lines;
mod rows;

pub(super) use rows::prepare;
