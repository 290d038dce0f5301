//! A heatmap of one summary number over two swept parameters (e.g. the number of reductions
//! for each factor × patience), with the value printed in each cell when it fits.
//!
//! Colours follow viridis (interpolated from nine of its stops: perceptually ordered, readable
//! in grey scale and by most colour-blind readers); cells without a value (NaN or infinite)
//! are grey. Column `x` of row `y` shows `cells[y][x]`; row 0 is at the bottom, so y values
//! grow upwards like an axis.

use plotters::backend::DrawingBackend;
use plotters::style::text_anchor::HPos;
use plotters::style::RGBColor;

use crate::error::VizError;
use crate::format::{format_linear_tick, format_value, linear_ticks};
use crate::layout::{
    header, ui_scale, Rect, AXIS_SIZE, MARGIN, TICK_SIZE, X_DESC_HEIGHT, X_TICKS_HEIGHT,
};
use crate::model::check_size;
use crate::render::{png_with, svg_with, Painter};
use crate::style::{ensure_fonts, text_width, FRAME, NO_VALUE, TEXT, TEXT_MUTED, WHITE};

/// What the heatmap shows.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatmapSpec {
    /// Title line.
    pub title: String,
    /// Lines under the title (the fixed settings, the series replayed).
    pub subtitle: Vec<String>,
    /// Name of the parameter along x, e.g. "patience".
    pub x_label: String,
    /// Name of the parameter along y, e.g. "factor".
    pub y_label: String,
    /// Column labels, left to right.
    pub x_values: Vec<String>,
    /// Row labels, bottom to top.
    pub y_values: Vec<String>,
    /// `cells[y][x]`; NaN (or infinite) = no value.
    pub cells: Vec<Vec<f64>>,
    /// What the colour means, e.g. "reductions".
    pub value_label: String,
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
}

impl Default for HeatmapSpec {
    fn default() -> Self {
        Self {
            title: String::new(),
            subtitle: Vec::new(),
            x_label: String::new(),
            y_label: String::new(),
            x_values: Vec::new(),
            y_values: Vec::new(),
            cells: Vec::new(),
            value_label: String::new(),
            width: 1200,
            height: 800,
        }
    }
}

/// Nine stops of matplotlib's viridis, at 0, 1/8, ..., 1.
const VIRIDIS: [(u8, u8, u8); 9] = [
    (68, 1, 84),
    (71, 45, 123),
    (59, 82, 139),
    (44, 114, 142),
    (33, 145, 140),
    (40, 174, 128),
    (94, 201, 98),
    (173, 220, 48),
    (253, 231, 37),
];

/// The viridis colour at `t` in [0, 1] (clamped), linearly interpolated between stops.
pub(crate) fn viridis(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = t * (VIRIDIS.len() - 1) as f64;
    let i = (pos.floor() as usize).min(VIRIDIS.len() - 2);
    let f = pos - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Dark text on light cells, white on dark ones (relative luminance threshold).
fn text_on(c: RGBColor) -> RGBColor {
    let l = 0.2126 * f64::from(c.0) + 0.7152 * f64::from(c.1) + 0.0722 * f64::from(c.2);
    if l > 140.0 {
        TEXT
    } else {
        WHITE
    }
}

fn validate(spec: &HeatmapSpec) -> Result<(), VizError> {
    check_size(spec.width, spec.height)?;
    if spec.x_values.is_empty() || spec.y_values.is_empty() {
        return Err(VizError::EmptyData {
            what: format!(
                "the heatmap has {} x values and {} y values; pass at least one of each",
                spec.x_values.len(),
                spec.y_values.len()
            ),
        });
    }
    if spec.cells.len() != spec.y_values.len() {
        return Err(VizError::HeatmapRows {
            rows: spec.cells.len(),
            y_values: spec.y_values.len(),
        });
    }
    for (row, cells) in spec.cells.iter().enumerate() {
        if cells.len() != spec.x_values.len() {
            return Err(VizError::HeatmapColumns {
                row,
                len: cells.len(),
                x_values: spec.x_values.len(),
            });
        }
    }
    Ok(())
}

/// Every `k`-th of `n` labels, `k` the smallest that leaves `room` px per label of `need` px.
fn label_stride(n: usize, room: f64, need: f64) -> usize {
    if room <= 0.0 {
        return n.max(1);
    }
    ((need / room).ceil() as usize).clamp(1, n.max(1))
}

fn draw_heatmap<DB: DrawingBackend>(p: &Painter<DB>, spec: &HeatmapSpec) -> Result<(), VizError> {
    ensure_fonts()?;
    let k = ui_scale(spec.width, spec.height);
    let (w, h) = (f64::from(spec.width) / k, f64::from(spec.height) / k);
    let (text, top) = header(&spec.title, &spec.subtitle, w, MARGIN);
    let nx = spec.x_values.len();
    let ny = spec.y_values.len();

    let finite: Vec<f64> = spec
        .cells
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let range = finite
        .iter()
        .fold(None, |acc: Option<(f64, f64)>, &v| match acc {
            None => Some((v, v)),
            Some((a, b)) => Some((a.min(v), b.max(v))),
        });
    let any_missing = finite.len() < nx * ny;
    let (bar_ticks, bar_step) = match range {
        Some((lo, hi)) if hi > lo => linear_ticks(lo, hi, 8),
        Some((lo, _)) => (vec![lo], 1.0),
        None => (Vec::new(), 1.0),
    };
    let bar_labels: Vec<String> = bar_ticks
        .iter()
        .map(|&t| {
            if range.is_some_and(|(lo, hi)| hi > lo) {
                format_linear_tick(t, bar_step)
            } else {
                format_value(t)
            }
        })
        .collect();
    let bar_label_w = bar_labels
        .iter()
        .map(|l| text_width(l, TICK_SIZE, false))
        .fold(0.0, f64::max)
        .max(if any_missing {
            text_width("no value", TICK_SIZE, false) - 24.0
        } else {
            0.0
        });

    let y_label_w = spec
        .y_values
        .iter()
        .map(|l| text_width(l, TICK_SIZE, false))
        .fold(0.0, f64::max);
    let left = MARGIN + AXIS_SIZE + 12.0 + y_label_w + 10.0;
    let right = w - MARGIN - AXIS_SIZE - 14.0 - bar_label_w - 8.0 - 18.0 - 28.0;
    let bottom = h - MARGIN - X_TICKS_HEIGHT - X_DESC_HEIGHT;
    let grid = Rect {
        x: left.round(),
        y: top.round(),
        w: (right - left).floor(),
        h: (bottom - top).floor(),
    };
    if grid.h < 60.0 || grid.w < 60.0 {
        return Err(VizError::NoRoom {
            width: spec.width,
            height: spec.height,
            plot_height: (grid.h.min(grid.w).max(0.0) * k) as u32,
            min_plot_height: 60,
        });
    }

    p.root.fill(&WHITE).map_err(crate::render::draw_error)?;
    for t in &text {
        p.line_text(t)?;
    }

    let (cw, ch) = (grid.w / nx as f64, grid.h / ny as f64);
    let color_of = |v: f64| match range {
        _ if !v.is_finite() => NO_VALUE,
        Some((lo, hi)) if hi > lo => viridis((v - lo) / (hi - lo)),
        _ => viridis(0.5),
    };
    // Cell text: the largest of 15, 13 and 11 px that fits the widest value; none if none fits.
    let widest_at = |size: f64| {
        spec.cells
            .iter()
            .flatten()
            .filter(|v| v.is_finite())
            .map(|&v| text_width(&format_value(v), size, false))
            .fold(0.0, f64::max)
    };
    let cell_font = [15.0, TICK_SIZE, 11.0]
        .into_iter()
        .find(|&size| widest_at(size) + 8.0 <= cw && size + 6.0 <= ch);
    for (yi, row) in spec.cells.iter().enumerate() {
        for (xi, &v) in row.iter().enumerate() {
            let x0 = (grid.x + xi as f64 * cw).round();
            let x1 = (grid.x + (xi + 1) as f64 * cw).round();
            let y1 = (grid.bottom() - yi as f64 * ch).round();
            let y0 = (grid.bottom() - (yi + 1) as f64 * ch).round();
            let cell = Rect {
                x: x0,
                y: y0,
                w: x1 - x0,
                h: y1 - y0,
            };
            let c = color_of(v);
            p.fill(cell, &c)?;
            if let (Some(size), true) = (cell_font, v.is_finite()) {
                let center = (x0 + cell.w / 2.0, y0 + cell.h / 2.0);
                p.text(
                    &format_value(v),
                    center,
                    size,
                    false,
                    &text_on(c),
                    HPos::Center,
                )?;
            }
        }
    }
    // White lines between cells when cells are big enough to afford them.
    if cw >= 12.0 && ch >= 12.0 {
        for xi in 1..nx {
            let x = (grid.x + xi as f64 * cw).round();
            p.vline(x, grid.y, grid.bottom(), &WHITE)?;
        }
        for yi in 1..ny {
            let y = (grid.bottom() - yi as f64 * ch).round();
            p.hline(grid.x, grid.right(), y, &WHITE)?;
        }
    }

    // Axis labels.
    let x_need = spec
        .x_values
        .iter()
        .map(|l| text_width(l, TICK_SIZE, false))
        .fold(0.0, f64::max)
        + 10.0;
    let x_stride = label_stride(nx, cw, x_need);
    for (xi, label) in spec.x_values.iter().enumerate().step_by(x_stride) {
        let x = grid.x + (xi as f64 + 0.5) * cw;
        let y = grid.bottom() + 6.0 + TICK_SIZE * 0.65;
        p.text(label, (x, y), TICK_SIZE, false, &TEXT_MUTED, HPos::Center)?;
    }
    let y_stride = label_stride(ny, ch, TICK_SIZE * 1.5);
    for (yi, label) in spec.y_values.iter().enumerate().step_by(y_stride) {
        let y = grid.bottom() - (yi as f64 + 0.5) * ch;
        p.text(
            label,
            (grid.x - 8.0, y),
            TICK_SIZE,
            false,
            &TEXT_MUTED,
            HPos::Right,
        )?;
    }
    p.text(
        &spec.x_label,
        (
            grid.x + grid.w / 2.0,
            grid.bottom() + X_TICKS_HEIGHT + X_DESC_HEIGHT / 2.0,
        ),
        AXIS_SIZE,
        false,
        &TEXT,
        HPos::Center,
    )?;
    p.text_up(
        &spec.y_label,
        (MARGIN + AXIS_SIZE * 0.5, grid.y + grid.h / 2.0),
        AXIS_SIZE,
        &TEXT,
    )?;

    // Colour bar: the value range bottom to top, with its ticks and the value label.
    let bar = Rect {
        x: (grid.right() + 28.0).round(),
        y: grid.y,
        w: 18.0,
        h: if any_missing { grid.h - 34.0 } else { grid.h },
    };
    if let Some((lo, hi)) = range {
        // 128 bands (or one per pixel on short bars) are indistinguishable from a gradient.
        let bands = (bar.h.max(1.0) as usize).min(128);
        let band = bar.h / bands as f64;
        for i in 0..bands {
            let t = (i as f64 + 0.5) / bands as f64;
            let c = if hi > lo { viridis(t) } else { viridis(0.5) };
            let y0 = (bar.bottom() - (i + 1) as f64 * band).max(bar.y);
            let y1 = bar.bottom() - i as f64 * band;
            p.fill(
                Rect {
                    x: bar.x,
                    y: y0,
                    w: bar.w,
                    h: y1 - y0,
                },
                &c,
            )?;
        }
        for (t, label) in bar_ticks.iter().zip(&bar_labels) {
            let y = if hi > lo {
                bar.bottom() - (t - lo) / (hi - lo) * bar.h
            } else {
                bar.y + bar.h / 2.0
            };
            p.hline(bar.right(), bar.right() + 4.0, y, &FRAME)?;
            p.text(
                label,
                (bar.right() + 7.0, y),
                TICK_SIZE,
                false,
                &TEXT_MUTED,
                HPos::Left,
            )?;
        }
        p.hline(bar.x, bar.right(), bar.y, &FRAME)?;
        p.hline(bar.x, bar.right(), bar.bottom(), &FRAME)?;
        p.vline(bar.x, bar.y, bar.bottom(), &FRAME)?;
        p.vline(bar.right(), bar.y, bar.bottom(), &FRAME)?;
    }
    if any_missing {
        let swatch = Rect {
            x: bar.x,
            y: grid.bottom() - 18.0,
            w: bar.w,
            h: 18.0,
        };
        p.fill(swatch, &NO_VALUE)?;
        p.text(
            "no value",
            (bar.right() + 7.0, swatch.y + 9.0),
            TICK_SIZE,
            false,
            &TEXT_MUTED,
            HPos::Left,
        )?;
    }
    p.text_up(
        &spec.value_label,
        (w - MARGIN - AXIS_SIZE * 0.5, bar.y + bar.h / 2.0),
        AXIS_SIZE,
        &TEXT,
    )
}

/// The heatmap as PNG bytes (deterministic, like [`crate::render_png`]).
pub fn render_heatmap_png(spec: &HeatmapSpec) -> Result<Vec<u8>, VizError> {
    validate(spec)?;
    png_with(spec.width, spec.height, |p| draw_heatmap(p, spec))
}

/// The heatmap as an SVG document.
pub fn render_heatmap_svg(spec: &HeatmapSpec) -> Result<String, VizError> {
    validate(spec)?;
    svg_with(spec.width, spec.height, |p| draw_heatmap(p, spec))
}
