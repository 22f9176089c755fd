//! The bundled figure font: DejaVu Sans (Bitstream Vera licence, `fonts/DejaVuSans-LICENSE.txt`),
//! registered with plotters as `sans-serif` at first use, so figures need no system fonts.

use plotters::style::{register_font, FontStyle};
use std::sync::OnceLock;

/// DejaVu Sans, embedded in the crate.
pub const DEJAVU_SANS: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");

/// The family name figures use.
pub const FONT: &str = "sans-serif";

/// Registers the bundled font as `sans-serif` (normal and bold) once per process.
pub fn ensure_fonts() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            if register_font(FONT, style, DEJAVU_SANS).is_err() {
                panic!("the bundled DejaVuSans.ttf is not a valid font");
            }
        }
    });
}
