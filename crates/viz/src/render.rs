//! Drawing the two-panel chart onto a plotters backend, and the PNG/SVG entry points.
//!
//! Everything is placed by [`crate::layout`] in logical pixels and drawn through a [`Painter`]
//! that scales to the backend: the PNG is drawn at 2× and box-filtered down, which anti-aliases
//! lines and markers (plotters' bitmap rasterizer does not) while staying byte-identical from
//! run to run; the SVG is drawn at 1×. Axes, grid and tick labels are drawn here rather than by
//! plotters' mesh so tick placement is ours (see [`crate::format::log_ticks`]).

use plotters::backend::{BitMapBackend, DrawingBackend, SVGBackend};
use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, IntoDrawingArea};
use plotters::element::{Circle, PathElement, Rectangle, Text};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, FontTransform, RGBColor, ShapeStyle};

use image::ImageEncoder;

use crate::error::VizError;
use crate::format::{format_linear_tick, format_lr, linear_ticks, log_ticks};
use crate::layout::{
    chart_layout, plottable, ui_scale, Icon, LegendEntry, Panel, Rect, TextLine, ANNOTATION_SIZE,
    AXIS_SIZE, ICON_GAP, LEGEND_ICON, LEGEND_SIZE, MARGIN, MARKER_RADIUS, TICK_SIZE, X_DESC_HEIGHT,
    X_TICKS_HEIGHT,
};
use crate::model::{compute, epoch_ticks, ChartModel, ChartSpec};
use crate::style::{
    font, palette, text_width, ANNOTATION, FRAME, GRID, GRID_LIGHT, MARKER_EDGE, MARKER_RED, TEXT,
    TEXT_MUTED, WHITE,
};

/// How much larger the PNG is drawn before it is box-filtered down to the requested size.
const SUPERSAMPLE: u32 = 2;
/// plotters' font size is ascent minus descent, which for DejaVu Sans is 1.164 em.
const SIZE_PER_EM: f64 = 1.164;
/// Width of the LR step lines.
const LR_LINE_WIDTH: f64 = 2.2;
/// Width of metric lines.
const METRIC_LINE_WIDTH: f64 = 1.8;
/// Radius of metric point markers.
const POINT_RADIUS: f64 = 2.5;
/// Most markers that get their new LR written beside them.
const MAX_ANNOTATED: usize = 12;

pub(crate) fn draw_error(e: impl std::fmt::Display) -> VizError {
    VizError::Drawing(e.to_string())
}

/// Draws in logical pixels onto a backend that may be `s` times larger.
pub(crate) struct Painter<'a, DB: DrawingBackend> {
    pub root: &'a DrawingArea<DB, Shift>,
    pub s: f64,
    pub svg: bool,
}

impl<DB: DrawingBackend> Painter<'_, DB> {
    fn px(&self, v: f64) -> i32 {
        (v * self.s).round() as i32
    }

    fn pt(&self, (x, y): (f64, f64)) -> (i32, i32) {
        (self.px(x), self.px(y))
    }

    /// The size to hand plotters so the text is `size` logical px (ab_glyph's meaning) in
    /// both backends; plotters' SVG writes `font-size = size / 1.24`.
    fn font_size(&self, size: f64) -> f64 {
        if self.svg {
            size * self.s * 1.24 / SIZE_PER_EM
        } else {
            size * self.s
        }
    }

    /// How far above the visual centre of capitals a top-anchored text must start: ab_glyph
    /// puts the baseline half a size below the anchor, plotters' SVG puts it 0.76 em below.
    fn cap_offset(&self, size: f64) -> f64 {
        let em = size / SIZE_PER_EM;
        if self.svg {
            0.76 * em - 0.3645 * em
        } else {
            0.582 * em - 0.3645 * em
        }
    }

    /// Text whose capitals are vertically centred on `y`.
    pub fn text(
        &self,
        text: &str,
        (x, y): (f64, f64),
        size: f64,
        bold: bool,
        color: &RGBColor,
        h: HPos,
    ) -> Result<(), VizError> {
        let style = font(self.font_size(size), bold)
            .color(color)
            .pos(Pos::new(h, VPos::Top));
        let top = y - self.cap_offset(size);
        self.root
            .draw(&Text::new(text.to_string(), self.pt((x, top)), style))
            .map_err(draw_error)
    }

    /// Text reading upwards, centred on (x, y).
    pub fn text_up(
        &self,
        text: &str,
        (x, y): (f64, f64),
        size: f64,
        color: &RGBColor,
    ) -> Result<(), VizError> {
        let style = font(self.font_size(size), false)
            .transform(FontTransform::Rotate270)
            .color(color)
            .pos(Pos::new(HPos::Center, VPos::Top));
        let left = x - self.cap_offset(size);
        self.root
            .draw(&Text::new(text.to_string(), self.pt((left, y)), style))
            .map_err(draw_error)
    }

    pub fn line_text(&self, t: &TextLine) -> Result<(), VizError> {
        let h = if t.centered { HPos::Center } else { HPos::Left };
        self.text(&t.text, (t.x, t.y), t.size, t.bold, &t.color, h)
    }

    /// A crisp 1-logical-pixel horizontal line covering pixel row `y` from x0 to x1.
    pub fn hline(&self, x0: f64, x1: f64, y: f64, color: &RGBColor) -> Result<(), VizError> {
        let y = y.floor();
        if self.svg {
            self.path(&[(x0, y), (x1, y)], color, 1.0)
        } else {
            self.fill(
                Rect {
                    x: x0,
                    y,
                    w: x1 - x0,
                    h: 1.0,
                },
                color,
            )
        }
    }

    /// A crisp 1-logical-pixel vertical line covering pixel column `x` from y0 to y1.
    pub fn vline(&self, x: f64, y0: f64, y1: f64, color: &RGBColor) -> Result<(), VizError> {
        let x = x.floor();
        if self.svg {
            self.path(&[(x, y0), (x, y1)], color, 1.0)
        } else {
            self.fill(
                Rect {
                    x,
                    y: y0,
                    w: 1.0,
                    h: y1 - y0,
                },
                color,
            )
        }
    }

    /// A filled rectangle; in the PNG it covers exactly the pixels of `r` (rounded).
    pub fn fill(&self, r: Rect, color: &RGBColor) -> Result<(), VizError> {
        let (x0, y0) = self.pt((r.x, r.y));
        // Both backends fill x0..x1 and y0..y1 exclusive of the far edge.
        let (x1, y1) = self.pt((r.right(), r.bottom()));
        self.root
            .draw(&Rectangle::new([(x0, y0), (x1, y1)], color.filled()))
            .map_err(draw_error)
    }

    pub fn path(
        &self,
        points: &[(f64, f64)],
        color: &RGBColor,
        width: f64,
    ) -> Result<(), VizError> {
        let pts: Vec<(i32, i32)> = points.iter().map(|&p| self.pt(p)).collect();
        let width = ((width * self.s).round() as u32).max(1);
        let style = ShapeStyle {
            color: color.to_rgba(),
            filled: false,
            stroke_width: width,
        };
        self.root
            .draw(&PathElement::new(pts, style))
            .map_err(draw_error)
    }

    /// A dashed polyline: 6 px dashes, 4 px gaps, the pattern continuing across vertices.
    pub fn dashed(
        &self,
        points: &[(f64, f64)],
        color: &RGBColor,
        width: f64,
    ) -> Result<(), VizError> {
        for dash in dashes(points, 6.0, 4.0) {
            self.path(&dash, color, width)?;
        }
        Ok(())
    }

    pub fn circle(
        &self,
        c: (f64, f64),
        r: f64,
        fill: Option<&RGBColor>,
        ring: Option<(&RGBColor, f64)>,
    ) -> Result<(), VizError> {
        let center = self.pt(c);
        let radius = ((r * self.s).round() as u32).max(1);
        if let Some(color) = fill {
            self.root
                .draw(&Circle::new(center, radius, color.filled()))
                .map_err(draw_error)?;
        }
        if let Some((color, width)) = ring {
            let w = ((width * self.s).round() as u32).max(1);
            self.root
                .draw(&Circle::new(center, radius, color.stroke_width(w)))
                .map_err(draw_error)?;
        }
        Ok(())
    }
}

/// Splits a polyline into dashes of length `on` separated by `off` (logical px).
pub(crate) fn dashes(points: &[(f64, f64)], on: f64, off: f64) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    let mut drawing = true;
    let mut left = on;
    if let Some(&p) = points.first() {
        current.push(p);
    }
    for w in points.windows(2) {
        let (a, b) = (w[0], w[1]);
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        let mut t = 0.0;
        while len - t > left {
            t += left;
            let p = (a.0 + (b.0 - a.0) * t / len, a.1 + (b.1 - a.1) * t / len);
            if drawing {
                current.push(p);
                out.push(std::mem::take(&mut current));
            } else {
                current.push(p);
            }
            drawing = !drawing;
            left = if drawing { on } else { off };
        }
        left -= len - t;
        if drawing {
            current.push(b);
        } else {
            current.clear();
            current.push(b);
        }
    }
    if drawing && current.len() > 1 {
        out.push(current);
    }
    out
}

/// Maps data to logical pixels inside a plot; y may be log10.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mapper {
    pub plot: Rect,
    pub x: (f64, f64),
    /// The y range in plot units (log10 of data when `log`).
    pub y: (f64, f64),
    pub log: bool,
}

impl Mapper {
    pub fn x(&self, v: f64) -> f64 {
        self.plot.x + (v - self.x.0) / (self.x.1 - self.x.0) * self.plot.w
    }
    /// None for values the axis cannot show: non-finite, <= 0 on a log axis, or outside the
    /// axis range (which covers every drawable value, so only absurd inputs such as values
    /// near f64::MAX end up here).
    pub fn y(&self, v: f64) -> Option<f64> {
        if !v.is_finite() || (self.log && v <= 0.0) {
            return None;
        }
        let t = if self.log { v.log10() } else { v };
        let y = self.plot.bottom() - (t - self.y.0) / (self.y.1 - self.y.0) * self.plot.h;
        (y >= self.plot.y - 1.0 && y <= self.plot.bottom() + 1.0).then_some(y)
    }
    pub fn pt(&self, (x, y): (f64, f64)) -> Option<(f64, f64)> {
        Some((self.x(x), self.y(y)?))
    }
}

/// Labelled ticks and light grid lines of one axis, in pixels.
struct AxisTicks {
    major: Vec<(f64, String)>,
    minor: Vec<f64>,
}

/// Grid, frame, tick marks and labels of a plot, and the axis titles.
fn draw_axes<DB: DrawingBackend>(
    p: &Painter<DB>,
    panel: &Panel,
    xt: &AxisTicks,
    yt: &AxisTicks,
    y_desc: &str,
) -> Result<(), VizError> {
    let r = panel.plot;
    for &y in &yt.minor {
        p.hline(r.x, r.right(), y, &GRID_LIGHT)?;
    }
    for &x in &xt.minor {
        p.vline(x, r.y, r.bottom(), &GRID_LIGHT)?;
    }
    for (y, _) in &yt.major {
        p.hline(r.x, r.right(), *y, &GRID)?;
    }
    for (x, _) in &xt.major {
        p.vline(*x, r.y, r.bottom(), &GRID)?;
    }
    p.hline(r.x, r.right(), r.y, &FRAME)?;
    p.hline(r.x, r.right() + 1.0, r.bottom(), &FRAME)?;
    p.vline(r.x, r.y, r.bottom(), &FRAME)?;
    p.vline(r.right(), r.y, r.bottom(), &FRAME)?;
    for (y, label) in &yt.major {
        p.hline(r.x - 5.0, r.x, *y, &FRAME)?;
        p.text(
            label,
            (r.x - 9.0, *y),
            TICK_SIZE,
            false,
            &TEXT_MUTED,
            HPos::Right,
        )?;
    }
    for (x, label) in &xt.major {
        p.vline(*x, r.bottom(), r.bottom() + 5.0, &FRAME)?;
        let y = r.bottom() + 6.0 + TICK_SIZE * 0.65;
        p.text(label, (*x, y), TICK_SIZE, false, &TEXT_MUTED, HPos::Center)?;
    }
    p.text_up(
        y_desc,
        (MARGIN + AXIS_SIZE * 0.5, r.y + r.h / 2.0),
        AXIS_SIZE,
        &TEXT,
    )?;
    if panel.x_desc {
        p.text(
            "epoch (0-based; x = e marks the end of epoch e)",
            (
                r.x + r.w / 2.0,
                r.bottom() + X_TICKS_HEIGHT + X_DESC_HEIGHT / 2.0,
            ),
            AXIS_SIZE,
            false,
            &TEXT,
            HPos::Center,
        )?;
    }
    Ok(())
}

/// Epoch ticks of a panel in pixels: labelled every `step` epochs; with `every_epoch`, light
/// lines at the other epochs when they are at least 8 px apart (so a marker's epoch can be
/// read off the LR panel).
fn x_ticks(m: &Mapper, x_range: (f64, f64), every_epoch: bool) -> AxisTicks {
    let (ticks, step) = epoch_ticks(x_range, m.plot.w);
    let major = ticks
        .iter()
        .map(|&t| (m.x(t), format!("{}", t as u64)))
        .collect();
    let per_epoch = m.plot.w / (x_range.1 - x_range.0);
    let mut minor = Vec::new();
    if every_epoch && step > 1 && per_epoch >= 8.0 {
        let last = (x_range.1 - 0.5).max(0.0) as u64;
        minor = (0..=last)
            .filter(|e| e % step != 0)
            .map(|e| m.x(e as f64))
            .collect();
    }
    AxisTicks { major, minor }
}

/// Draws one legend entry.
fn draw_legend<DB: DrawingBackend>(
    p: &Painter<DB>,
    entries: &[LegendEntry],
) -> Result<(), VizError> {
    for e in entries {
        let (x, y) = (e.x, e.y);
        let mid = (x + LEGEND_ICON / 2.0, y);
        match e.icon {
            Icon::None => {}
            Icon::Line {
                color,
                dashed,
                point,
            } => {
                let pts = [(x, y), (x + LEGEND_ICON, y)];
                if dashed {
                    p.dashed(&pts, &color, METRIC_LINE_WIDTH)?;
                } else {
                    p.path(&pts, &color, METRIC_LINE_WIDTH)?;
                }
                if point {
                    p.circle(mid, POINT_RADIUS, Some(&color), None)?;
                }
            }
            Icon::Marker { fill, ring } => {
                let width = if ring == MARKER_EDGE { 1.0 } else { 2.0 };
                p.circle(mid, MARKER_RADIUS, Some(&fill), Some((&ring, width)))?;
            }
            Icon::LineMarker { color, ring } => {
                p.path(&[(x, y), (x + LEGEND_ICON, y)], &color, LR_LINE_WIDTH)?;
                p.circle(mid, MARKER_RADIUS - 1.0, Some(&color), Some((&ring, 2.0)))?;
            }
        }
        let tx = if e.icon == Icon::None {
            x
        } else {
            x + LEGEND_ICON + ICON_GAP
        };
        p.text(&e.text, (tx, y), LEGEND_SIZE, false, &e.color, HPos::Left)?;
    }
    Ok(())
}

/// Whether two boxes (x0, y0, x1, y1) overlap.
fn overlaps(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Where to write each marker's new LR, if anywhere: left of the marker (the room under the
/// previous, higher step), else below right of it; skipped when that would touch a line,
/// another marker, another label or the frame.
fn annotation_boxes(
    markers: &[(f64, f64)],
    texts: &[String],
    lines: &[Vec<(f64, f64)>],
    plot: Rect,
) -> Vec<Option<(f64, f64, f64, f64)>> {
    let h = ANNOTATION_SIZE;
    let mut placed: Vec<(f64, f64, f64, f64)> = markers
        .iter()
        .map(|&(x, y)| {
            let r = MARKER_RADIUS + 1.0;
            (x - r, y - r, x + r, y + r)
        })
        .collect();
    let inside = |b: (f64, f64, f64, f64)| {
        b.0 >= plot.x + 3.0
            && b.2 <= plot.right() - 3.0
            && b.1 >= plot.y + 2.0
            && b.3 <= plot.bottom() - 2.0
    };
    let hits_line = |b: (f64, f64, f64, f64)| {
        lines.iter().any(|l| {
            l.windows(2).any(|s| {
                let seg = (
                    s[0].0.min(s[1].0) - 1.5,
                    s[0].1.min(s[1].1) - 1.5,
                    s[0].0.max(s[1].0) + 1.5,
                    s[0].1.max(s[1].1) + 1.5,
                );
                overlaps(b, seg)
            })
        })
    };
    let mut out = Vec::new();
    for (&(x, y), text) in markers.iter().zip(texts) {
        let w = text_width(text, ANNOTATION_SIZE, false);
        let candidates = [
            (
                x - MARKER_RADIUS - 4.0 - w,
                y - h / 2.0,
                x - MARKER_RADIUS - 4.0,
                y + h / 2.0,
            ),
            (
                x + 5.0,
                y + MARKER_RADIUS + 2.0,
                x + 5.0 + w,
                y + MARKER_RADIUS + 2.0 + h,
            ),
        ];
        let choice = candidates
            .into_iter()
            .find(|&b| inside(b) && !hits_line(b) && !placed.iter().any(|&q| overlaps(b, q)));
        if let Some(b) = choice {
            placed.push(b);
        }
        out.push(choice);
    }
    out
}

fn draw_lr_panel<DB: DrawingBackend>(
    p: &Painter<DB>,
    model: &ChartModel,
    panel: &Panel,
) -> Result<(), VizError> {
    let m = Mapper {
        plot: panel.plot,
        x: model.x_range,
        y: (model.lr_range.0.log10(), model.lr_range.1.log10()),
        log: true,
    };
    let (_, light) = log_ticks(m.y.0, m.y.1, m.plot.h, TICK_SIZE);
    let yt = AxisTicks {
        major: model
            .lr_ticks
            .iter()
            .filter_map(|&t| Some((m.y(t)?, format_lr(t))))
            .collect(),
        minor: light.iter().filter_map(|&t| m.y(t)).collect(),
    };
    draw_axes(
        p,
        panel,
        &x_ticks(&m, model.x_range, true),
        &yt,
        "learning rate (log scale)",
    )?;

    let single = model.lr_steps.len() == 1;
    let lines: Vec<Vec<(f64, f64)>> = model
        .lr_steps
        .iter()
        .map(|steps| steps.iter().filter_map(|&v| m.pt(v)).collect())
        .collect();
    for (i, line) in lines.iter().enumerate() {
        p.path(line, &palette(i), LR_LINE_WIDTH)?;
    }
    for (i, markers) in model.markers.iter().enumerate() {
        for &v in markers {
            let Some(c) = m.pt(v) else { continue };
            if single {
                p.circle(
                    c,
                    MARKER_RADIUS,
                    Some(&MARKER_RED),
                    Some((&MARKER_EDGE, 1.0)),
                )?;
            } else {
                let fill = palette(i);
                p.circle(
                    c,
                    MARKER_RADIUS - 1.0,
                    Some(&fill),
                    Some((&MARKER_RED, 2.0)),
                )?;
            }
        }
    }
    let n_markers: usize = model.markers.iter().map(Vec::len).sum();
    if single && n_markers <= MAX_ANNOTATED {
        let pts: Vec<(f64, f64)> = model.markers[0].iter().filter_map(|&v| m.pt(v)).collect();
        let texts: Vec<String> = model.markers[0].iter().map(|v| format_lr(v.1)).collect();
        for (b, text) in annotation_boxes(&pts, &texts, &lines, m.plot)
            .into_iter()
            .zip(&texts)
        {
            if let Some(b) = b {
                let y = (b.1 + b.3) / 2.0;
                p.text(
                    text,
                    (b.0, y),
                    ANNOTATION_SIZE,
                    false,
                    &ANNOTATION,
                    HPos::Left,
                )?;
            }
        }
    }
    draw_legend(p, &panel.legend)
}

/// Runs of consecutive plottable values of a series, as pixel points.
fn runs(values: &[f64], m: &Mapper) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut run = Vec::new();
    for (e, &v) in values.iter().enumerate() {
        match m.pt((e as f64, v)) {
            Some(pt) => run.push(pt),
            None => {
                if !run.is_empty() {
                    out.push(std::mem::take(&mut run));
                }
            }
        }
    }
    if !run.is_empty() {
        out.push(run);
    }
    out
}

fn draw_metric_panel<DB: DrawingBackend>(
    p: &Painter<DB>,
    spec: &ChartSpec,
    model: &ChartModel,
    panel: &Panel,
) -> Result<(), VizError> {
    let log = spec.metric_log_scale;
    let (lo, hi) = model.metric_range;
    let m = Mapper {
        plot: panel.plot,
        x: model.x_range,
        y: if log {
            (lo.log10(), hi.log10())
        } else {
            (lo, hi)
        },
        log,
    };
    let yt = if log {
        let (ticks, light) = log_ticks(m.y.0, m.y.1, m.plot.h, TICK_SIZE);
        AxisTicks {
            major: ticks
                .iter()
                .filter_map(|&t| Some((m.y(t)?, format_lr(t))))
                .collect(),
            minor: light.iter().filter_map(|&t| m.y(t)).collect(),
        }
    } else {
        let max_ticks = (m.plot.h / (TICK_SIZE * 2.6)).floor() as usize;
        let (ticks, step) = linear_ticks(lo, hi, max_ticks.clamp(2, 12));
        AxisTicks {
            major: ticks
                .iter()
                .filter_map(|&t| Some((m.y(t)?, format_linear_tick(t, step))))
                .collect(),
            minor: Vec::new(),
        }
    };
    let axis = if log {
        format!("{} (log scale)", spec.metric_axis)
    } else {
        spec.metric_axis.clone()
    };
    draw_axes(p, panel, &x_ticks(&m, model.x_range, false), &yt, &axis)?;

    let per_epoch = m.plot.w / (model.x_range.1 - model.x_range.0);
    let show_points = per_epoch >= 6.0;
    for (i, series) in spec.metrics.iter().enumerate() {
        let color = palette(i);
        for run in runs(&series.values, &m) {
            if run.len() > 1 {
                if series.dashed {
                    p.dashed(&run, &color, METRIC_LINE_WIDTH)?;
                } else {
                    p.path(&run, &color, METRIC_LINE_WIDTH)?;
                }
            }
            if show_points || run.len() == 1 {
                for &pt in &run {
                    p.circle(pt, POINT_RADIUS, Some(&color), None)?;
                }
            }
        }
    }
    if !spec.metrics.iter().any(|s| plottable(s, log)) {
        let c = (m.plot.x + m.plot.w / 2.0, m.plot.y + m.plot.h / 2.0);
        p.text(
            "no values to plot",
            c,
            LEGEND_SIZE,
            false,
            &TEXT_MUTED,
            HPos::Center,
        )?;
    }
    draw_legend(p, &panel.legend)
}

/// Draws the whole chart.
fn draw_chart<DB: DrawingBackend>(p: &Painter<DB>, spec: &ChartSpec) -> Result<(), VizError> {
    let layout = chart_layout(spec)?;
    let model = compute(spec, layout.lr.plot.h);
    p.root.fill(&WHITE).map_err(draw_error)?;
    for t in &layout.text {
        p.line_text(t)?;
    }
    draw_lr_panel(p, &model, &layout.lr)?;
    if let Some(panel) = &layout.metric {
        draw_metric_panel(p, spec, &model, panel)?;
    }
    Ok(())
}

/// Renders with `draw` (logical pixels scaled by [`ui_scale`]) at 2× into an RGB buffer,
/// box-filters it to `width`×`height` and encodes it as PNG.
pub(crate) fn png_with<F>(width: u32, height: u32, draw: F) -> Result<Vec<u8>, VizError>
where
    F: FnOnce(&Painter<BitMapBackend>) -> Result<(), VizError>,
{
    let (w, h) = (width * SUPERSAMPLE, height * SUPERSAMPLE);
    let mut big = vec![255u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut big, (w, h)).into_drawing_area();
        let painter = Painter {
            root: &root,
            s: f64::from(SUPERSAMPLE) * ui_scale(width, height),
            svg: false,
        };
        draw(&painter)?;
        root.present().map_err(draw_error)?;
    }
    let small = downsample(&big, width as usize, height as usize, SUPERSAMPLE as usize);
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(&small, width, height, image::ColorType::Rgb8)
        .map_err(|e| VizError::Encode(e.to_string()))?;
    Ok(out)
}

/// Renders with `draw` (logical pixels scaled by [`ui_scale`]) into an SVG document.
pub(crate) fn svg_with<F>(width: u32, height: u32, draw: F) -> Result<String, VizError>
where
    F: FnOnce(&Painter<SVGBackend>) -> Result<(), VizError>,
{
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (width, height)).into_drawing_area();
        let painter = Painter {
            root: &root,
            s: ui_scale(width, height),
            svg: true,
        };
        draw(&painter)?;
        root.present().map_err(draw_error)?;
    }
    Ok(out)
}

/// Averages each `f`×`f` block of an RGB image `width*f`×`height*f` into one pixel.
fn downsample(big: &[u8], width: usize, height: usize, f: usize) -> Vec<u8> {
    let big_w = width * f;
    let n = (f * f) as u32;
    let mut out = vec![0u8; width * height * 3];
    for y in 0..height {
        for x in 0..width {
            for c in 0..3 {
                let mut sum = 0u32;
                for dy in 0..f {
                    let row = (y * f + dy) * big_w;
                    for dx in 0..f {
                        sum += u32::from(big[(row + x * f + dx) * 3 + c]);
                    }
                }
                out[(y * width + x) * 3 + c] = ((sum + n / 2) / n) as u8;
            }
        }
    }
    out
}

/// The chart as PNG bytes, `spec.width`×`spec.height` RGB. The same spec always gives the same
/// bytes (embedded font, no timestamps). The caller writes the file (atomically, if it cares).
pub fn render_png(spec: &ChartSpec) -> Result<Vec<u8>, VizError> {
    crate::model::validate(spec)?;
    png_with(spec.width, spec.height, |p| draw_chart(p, spec))
}

/// The chart as an SVG document. Text names the generic family "sans-serif".
pub fn render_svg(spec: &ChartSpec) -> Result<String, VizError> {
    crate::model::validate(spec)?;
    svg_with(spec.width, spec.height, |p| draw_chart(p, spec))
}
