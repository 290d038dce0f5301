//! Where everything goes, in logical pixels (the requested image size), computed once and
//! shared by the model (tick density depends on the panel height) and both renderers.
//!
//! Top to bottom: title, subtitle lines, the LR panel (legend row(s) above the plot, so a
//! legend never covers data), the metric panel (same), footer notes. Both plots share the same
//! left and right edges, so their epoch axes line up.

use plotters::style::RGBColor;

use crate::error::VizError;
use crate::model::{ChartSpec, MetricSeries};
use crate::style::{
    ensure_fonts, palette, text_width, wrap, MARKER_EDGE, MARKER_RED, NO_VALUE, TEXT, TEXT_MUTED,
};

pub(crate) const MARGIN: f64 = 16.0;
pub(crate) const RIGHT_MARGIN: f64 = 32.0;
pub(crate) const TITLE_SIZE: f64 = 22.0;
const TITLE_LINE: f64 = 30.0;
pub(crate) const SUB_SIZE: f64 = 14.0;
const SUB_LINE: f64 = 19.0;
pub(crate) const LEGEND_SIZE: f64 = 14.0;
const LEGEND_ROW: f64 = 22.0;
pub(crate) const LEGEND_ICON: f64 = 30.0;
pub(crate) const ICON_GAP: f64 = 7.0;
const ITEM_GAP: f64 = 26.0;
pub(crate) const TICK_SIZE: f64 = 13.0;
pub(crate) const AXIS_SIZE: f64 = 14.0;
pub(crate) const NOTE_SIZE: f64 = 13.0;
const NOTE_LINE: f64 = 18.0;
pub(crate) const ANNOTATION_SIZE: f64 = 11.0;
pub(crate) const Y_AXIS_WIDTH: f64 = 86.0;
pub(crate) const X_TICKS_HEIGHT: f64 = 24.0;
pub(crate) const X_DESC_HEIGHT: f64 = 22.0;
const PANEL_GAP: f64 = 16.0;
const LEGEND_GAP: f64 = 10.0;
pub(crate) const MIN_PLOT_HEIGHT: f64 = 50.0;
/// Radius of a reduction marker.
pub(crate) const MARKER_RADIUS: f64 = 6.0;
/// Share of the room for panels that the LR panel gets.
const LR_SHARE: f64 = 0.45;

/// How much larger than at 1200×800 everything is drawn: the smaller of the width and height
/// ratios, kept in 0.8..=2. Layout happens on a virtual canvas of the requested size divided by
/// this, so a 600×400 chart gets 80% text instead of no room and a 2400×1600 one is not a
/// sea of tiny labels.
pub(crate) fn ui_scale(width: u32, height: u32) -> f64 {
    (f64::from(width) / 1200.0)
        .min(f64::from(height) / 800.0)
        .clamp(0.8, 2.0)
}

/// An axis-aligned rectangle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn right(&self) -> f64 {
        self.x + self.w
    }
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }
}

/// A line of text, vertically centred on `y`; `x` is its centre or its left edge.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TextLine {
    pub text: String,
    pub x: f64,
    pub y: f64,
    pub size: f64,
    pub bold: bool,
    pub centered: bool,
    pub color: RGBColor,
}

/// The small picture before a legend entry's text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Icon {
    /// No picture (a heading).
    None,
    /// A line sample, optionally dashed, optionally with a point marker in its middle.
    Line {
        color: RGBColor,
        dashed: bool,
        point: bool,
    },
    /// A reduction marker.
    Marker { fill: RGBColor, ring: RGBColor },
    /// A line sample with a reduction marker in its middle.
    LineMarker { color: RGBColor, ring: RGBColor },
}

/// One placed legend entry; `y` is the row's centre.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LegendEntry {
    pub icon: Icon,
    pub text: String,
    pub color: RGBColor,
    pub x: f64,
    pub y: f64,
}

/// A plot panel: the plot rectangle, its legend above it, and whether the epoch axis title
/// goes under it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Panel {
    pub plot: Rect,
    pub legend: Vec<LegendEntry>,
    pub x_desc: bool,
}

/// The whole chart's layout.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChartLayout {
    pub text: Vec<TextLine>,
    pub lr: Panel,
    pub metric: Option<Panel>,
}

/// Legend entries of the LR panel, unplaced.
fn lr_legend(spec: &ChartSpec) -> Vec<(Icon, String, RGBColor)> {
    let traces = &spec.lr_traces;
    let mut items = Vec::new();
    if traces.len() == 1 {
        items.push((
            Icon::Line {
                color: palette(0),
                dashed: false,
                point: false,
            },
            "learning rate (used during each epoch)".to_string(),
            TEXT,
        ));
        let n = traces[0].reductions.len();
        if n > 0 {
            items.push((
                Icon::Marker {
                    fill: MARKER_RED,
                    ring: MARKER_EDGE,
                },
                format!(
                    "LR reduced at the end of this epoch ({n} cut{})",
                    if n == 1 { "" } else { "s" }
                ),
                TEXT,
            ));
        } else {
            items.push((Icon::None, "no reductions".to_string(), TEXT_MUTED));
        }
    } else {
        items.push((
            Icon::None,
            "learning rate used during each epoch:".to_string(),
            TEXT_MUTED,
        ));
        for (i, t) in traces.iter().enumerate() {
            let n = t.reductions.len();
            let label = if t.label.is_empty() {
                format!("#{i}")
            } else {
                t.label.clone()
            };
            let plural = if n == 1 { "" } else { "s" };
            items.push((
                Icon::LineMarker {
                    color: palette(i),
                    ring: MARKER_RED,
                },
                format!("{label} ({n} reduction{plural})"),
                TEXT,
            ));
        }
        items.push((
            Icon::Marker {
                fill: NO_VALUE,
                ring: MARKER_RED,
            },
            "reduced at end of epoch (fill = run colour)".to_string(),
            TEXT,
        ));
    }
    items
}

/// Whether a metric has anything to plot on the chosen scale.
pub(crate) fn plottable(m: &MetricSeries, log: bool) -> bool {
    m.values.iter().any(|v| v.is_finite() && (!log || *v > 0.0))
}

/// Legend entries of the metric panel, unplaced.
fn metric_legend(spec: &ChartSpec) -> Vec<(Icon, String, RGBColor)> {
    spec.metrics
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let text = if plottable(m, spec.metric_log_scale) {
                m.label.clone()
            } else {
                format!("{} (no values to plot)", m.label)
            };
            (
                Icon::Line {
                    color: palette(i),
                    dashed: m.dashed,
                    point: true,
                },
                text,
                TEXT,
            )
        })
        .collect()
}

/// Flows legend items into rows from `left` to `right`; returns the entries with x and a row
/// index in `y`, and the number of rows.
fn flow(items: Vec<(Icon, String, RGBColor)>, left: f64, right: f64) -> (Vec<LegendEntry>, usize) {
    let mut entries = Vec::new();
    let mut x = left;
    let mut row = 0usize;
    for (icon, text, color) in items {
        let icon_w = if icon == Icon::None {
            0.0
        } else {
            LEGEND_ICON + ICON_GAP
        };
        let w = icon_w + text_width(&text, LEGEND_SIZE, false);
        if x > left && x + w > right {
            row += 1;
            x = left;
        }
        entries.push(LegendEntry {
            icon,
            text,
            color,
            x,
            y: row as f64,
        });
        x += w + ITEM_GAP;
    }
    let rows = if entries.is_empty() { 0 } else { row + 1 };
    (entries, rows)
}

/// Puts legend rows (from [`flow`]) at `top`.
fn place_rows(entries: &mut [LegendEntry], top: f64) {
    for e in entries {
        e.y = top + e.y * LEGEND_ROW + LEGEND_ROW / 2.0;
    }
}

/// Title and subtitle lines from `top`; returns the lines and the y below them.
pub(crate) fn header(
    title: &str,
    subtitle: &[String],
    width: f64,
    top: f64,
) -> (Vec<TextLine>, f64) {
    let content = width - 2.0 * MARGIN;
    let mut y = top;
    let mut lines = Vec::new();
    if !title.is_empty() {
        for text in wrap(title, TITLE_SIZE, true, content) {
            lines.push(TextLine {
                text,
                x: width / 2.0,
                y: y + TITLE_LINE / 2.0,
                size: TITLE_SIZE,
                bold: true,
                centered: true,
                color: TEXT,
            });
            y += TITLE_LINE;
        }
    }
    for s in subtitle {
        for text in wrap(s, SUB_SIZE, false, content) {
            lines.push(TextLine {
                text,
                x: width / 2.0,
                y: y + SUB_LINE / 2.0,
                size: SUB_SIZE,
                bold: false,
                centered: true,
                color: TEXT_MUTED,
            });
            y += SUB_LINE;
        }
    }
    (lines, y + 8.0)
}

/// Note lines wrapped to the width; their total height is `lines.len() * NOTE_LINE`.
pub(crate) fn note_lines(notes: &[String], width: f64) -> Vec<String> {
    notes
        .iter()
        .flat_map(|n| wrap(n, NOTE_SIZE, false, width - 2.0 * MARGIN))
        .collect()
}

/// Places note lines with the first one's top at `top`.
pub(crate) fn place_notes(lines: Vec<String>, top: f64) -> Vec<TextLine> {
    lines
        .into_iter()
        .enumerate()
        .map(|(i, text)| TextLine {
            text,
            x: MARGIN,
            y: top + i as f64 * NOTE_LINE + NOTE_LINE / 2.0,
            size: NOTE_SIZE,
            bold: false,
            centered: false,
            color: TEXT_MUTED,
        })
        .collect()
}

/// Height taken by `n` note lines, with the gap above them.
pub(crate) fn notes_height(n: usize) -> f64 {
    if n == 0 {
        0.0
    } else {
        n as f64 * NOTE_LINE + 8.0
    }
}

/// The layout of the two-panel chart (validates the spec first).
pub(crate) fn chart_layout(spec: &ChartSpec) -> Result<ChartLayout, VizError> {
    crate::model::validate(spec)?;
    ensure_fonts()?;
    let k = ui_scale(spec.width, spec.height);
    let (w, h) = (f64::from(spec.width) / k, f64::from(spec.height) / k);
    let (mut text, top) = header(&spec.title, &spec.subtitle, w, MARGIN);
    let notes = note_lines(&spec.notes, w);
    let footer = notes_height(notes.len()) + MARGIN * 0.75;

    let plot_x = MARGIN + Y_AXIS_WIDTH;
    let plot_right = (w - RIGHT_MARGIN).round();
    let (mut lr_legend, lr_rows) = flow(lr_legend(spec), plot_x, plot_right);
    let has_metrics = !spec.metrics.is_empty();
    let (mut met_legend, met_rows) = flow(metric_legend(spec), plot_x, plot_right);
    let lr_legend_h = lr_rows as f64 * LEGEND_ROW + LEGEND_GAP;
    let met_legend_h = met_rows as f64 * LEGEND_ROW + LEGEND_GAP;

    let avail = h - top - footer;
    let (lr_plot_h, met_plot_h) = if has_metrics {
        let lr_total = ((avail - PANEL_GAP) * LR_SHARE).round();
        let met_total = avail - PANEL_GAP - lr_total;
        (
            lr_total - lr_legend_h - X_TICKS_HEIGHT,
            met_total - met_legend_h - X_TICKS_HEIGHT - X_DESC_HEIGHT,
        )
    } else {
        (
            avail - lr_legend_h - X_TICKS_HEIGHT - X_DESC_HEIGHT,
            f64::INFINITY,
        )
    };
    let smallest = lr_plot_h.min(met_plot_h);
    if smallest < MIN_PLOT_HEIGHT {
        return Err(VizError::NoRoom {
            width: spec.width,
            height: spec.height,
            plot_height: (smallest.max(0.0) * k) as u32,
            min_plot_height: MIN_PLOT_HEIGHT as u32,
        });
    }

    let mut y = top;
    place_rows(&mut lr_legend, y);
    y += lr_legend_h;
    let lr_plot = Rect {
        x: plot_x,
        y: y.round(),
        w: plot_right - plot_x,
        h: lr_plot_h.floor(),
    };
    y = lr_plot.bottom() + X_TICKS_HEIGHT;
    let lr = Panel {
        plot: lr_plot,
        legend: lr_legend,
        x_desc: !has_metrics,
    };
    let metric = if has_metrics {
        y += PANEL_GAP;
        place_rows(&mut met_legend, y);
        y += met_legend_h;
        let plot = Rect {
            x: plot_x,
            y: y.round(),
            w: plot_right - plot_x,
            h: met_plot_h.floor(),
        };
        y = plot.bottom() + X_TICKS_HEIGHT + X_DESC_HEIGHT;
        Some(Panel {
            plot,
            legend: met_legend,
            x_desc: true,
        })
    } else {
        y += X_DESC_HEIGHT;
        None
    };
    text.extend(place_notes(notes, y + 8.0));
    Ok(ChartLayout { text, lr, metric })
}
