//! Colours, the embedded font and text measurement.
//!
//! Text is set in DejaVu Sans from the `dejavu` crate, registered once with plotters under the
//! generic family name "sans-serif": rendering never looks at system fonts (same bytes on every
//! machine) and an SVG viewer falls back to its own sans-serif.

use std::sync::OnceLock;

use plotters::style::{register_font, FontDesc, FontFamily, FontStyle, RGBColor};

use crate::error::VizError;

/// Series colours (Tableau 10 without its red, which marks reductions).
pub(crate) const PALETTE: [RGBColor; 9] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];
/// Reduction markers.
pub(crate) const MARKER_RED: RGBColor = RGBColor(214, 39, 40);
/// The thin ring around a single trace's red markers.
pub(crate) const MARKER_EDGE: RGBColor = RGBColor(120, 16, 16);
/// Marker annotations (the new LR).
pub(crate) const ANNOTATION: RGBColor = RGBColor(150, 22, 22);
/// Titles, labels, legend text.
pub(crate) const TEXT: RGBColor = RGBColor(34, 34, 34);
/// Subtitles, notes, tick labels.
pub(crate) const TEXT_MUTED: RGBColor = RGBColor(80, 80, 80);
/// Grid at labelled ticks.
pub(crate) const GRID: RGBColor = RGBColor(226, 226, 226);
/// Grid between labelled ticks.
pub(crate) const GRID_LIGHT: RGBColor = RGBColor(244, 244, 244);
/// Plot frame and tick marks.
pub(crate) const FRAME: RGBColor = RGBColor(140, 140, 140);
/// Heatmap cells without a value.
pub(crate) const NO_VALUE: RGBColor = RGBColor(200, 200, 200);
/// Background.
pub(crate) const WHITE: RGBColor = RGBColor(255, 255, 255);

/// The colour of series `i`.
pub(crate) fn palette(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Registers DejaVu Sans (regular and bold) as "sans-serif", once per process.
pub(crate) fn ensure_fonts() -> Result<(), VizError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular()).is_ok()
            && register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold()).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(VizError::Font)
    }
}

/// The font of `size` px (plotters' size: ascent minus descent).
pub(crate) fn font(size: f64, bold: bool) -> FontDesc<'static> {
    let style = if bold {
        FontStyle::Bold
    } else {
        FontStyle::Normal
    };
    FontDesc::new(FontFamily::SansSerif, size, style)
}

/// Advance width of `text` in px at `size` (measured at 4× for sub-pixel precision).
pub(crate) fn text_width(text: &str, size: f64, bold: bool) -> f64 {
    match font(size * 4.0, bold).box_size(text) {
        Ok((w, _)) => f64::from(w) / 4.0,
        Err(_) => text.chars().count() as f64 * size * 0.55,
    }
}

/// `text` broken at spaces into lines no wider than `max_width` (a single word wider than
/// that stays on its own line).
pub(crate) fn wrap(text: &str, size: f64, bold: bool, max_width: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && text_width(&candidate, size, bold) > max_width {
            lines.push(std::mem::take(&mut line));
            line = word.to_string();
        } else {
            line = candidate;
        }
    }
    lines.push(line);
    lines
}
