//! The chart's input types and what it will draw, computed without drawing.
//!
//! Epochs are 0-based and x = e marks the END of epoch e, where that epoch's metrics are
//! plotted. The LR used during epoch e is drawn over (e-1, e] (matplotlib's "steps-pre"): the
//! first segment starts at the left edge of the x range, and a reduction decided at the end of
//! epoch e is a vertical drop at x = e from `from` to `to`, marked by a circle at (e, to).
//! Every segment of the step line is horizontal or vertical; there are no ramps.

use crate::error::VizError;
use crate::format::{log_ticks, pow10_times};
use crate::layout::{self, TICK_SIZE};

/// A learning-rate reduction, decided at the END of epoch `epoch` (0-based).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reduction {
    /// The decision epoch: the LR was reduced at the end of this epoch, so `to` is first used
    /// during epoch `epoch + 1`.
    pub epoch: usize,
    /// The LR used during `epoch`.
    pub from: f64,
    /// The LR after the reduction.
    pub to: f64,
}

/// The learning rate of one run, one value per epoch, with its reductions.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LrTrace {
    /// Legend label (used when several traces share a chart).
    pub label: String,
    /// The LR used DURING epoch e, for e = 0..n.
    pub lr: Vec<f64>,
    /// Reductions in increasing epoch order; each must agree with `lr` (`from` = `lr[epoch]`,
    /// `to` = `lr[epoch + 1]` when that epoch exists, within a relative 1e-4).
    pub reductions: Vec<Reduction>,
}

impl LrTrace {
    /// A trace with explicit reductions.
    pub fn new(label: impl Into<String>, lr: Vec<f64>, reductions: Vec<Reduction>) -> Self {
        Self {
            label: label.into(),
            lr,
            reductions,
        }
    }

    /// A trace whose reductions are read off the series itself: every drop from epoch e to
    /// e + 1 is a reduction decided at the end of epoch e. A cut at the last epoch cannot be
    /// seen this way (no later LR shows it); pass it explicitly with [`LrTrace::new`].
    pub fn from_lr(label: impl Into<String>, lr: Vec<f64>) -> Self {
        let reductions = detect_reductions(&lr);
        Self::new(label, lr, reductions)
    }
}

/// The reductions visible in a per-epoch LR series: one at the end of epoch e for every
/// e with `lr[e + 1] < lr[e]`.
pub fn detect_reductions(lr: &[f64]) -> Vec<Reduction> {
    lr.windows(2)
        .enumerate()
        .filter(|(_, w)| w[1] < w[0])
        .map(|(epoch, w)| Reduction {
            epoch,
            from: w[0],
            to: w[1],
        })
        .collect()
}

/// One metric curve of the bottom panel.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetricSeries {
    /// Legend label, e.g. "val_loss".
    pub label: String,
    /// The value at the end of epoch e, e = 0..n; NaN or infinite values are gaps in the line.
    pub values: Vec<f64>,
    /// Draw dashed (by convention the training loss) instead of solid.
    pub dashed: bool,
}

impl MetricSeries {
    /// A solid series.
    pub fn solid(label: impl Into<String>, values: Vec<f64>) -> Self {
        Self {
            label: label.into(),
            values,
            dashed: false,
        }
    }

    /// A dashed series.
    pub fn dashed(label: impl Into<String>, values: Vec<f64>) -> Self {
        Self {
            label: label.into(),
            values,
            dashed: true,
        }
    }
}

/// Everything the two-panel learning-rate chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSpec {
    /// Title line.
    pub title: String,
    /// Lines under the title: the settings that produced the schedule, warnings.
    pub subtitle: Vec<String>,
    /// One trace for a single run; several for compare/sweep overlays (each its own colour).
    pub lr_traces: Vec<LrTrace>,
    /// Bottom panel curves (val loss solid, train loss dashed, ...). Metric i is drawn in
    /// palette colour i, as trace i is. Empty: the chart has the LR panel only.
    pub metrics: Vec<MetricSeries>,
    /// Y-axis label of the bottom panel, e.g. "loss".
    pub metric_axis: String,
    /// Footer notes, e.g. "a cut at the last epoch cannot be seen in this log".
    pub notes: Vec<String>,
    /// Log scale for the metric axis (values <= 0 become gaps).
    pub metric_log_scale: bool,
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
}

impl Default for ChartSpec {
    fn default() -> Self {
        Self {
            title: "Learning rate schedule".to_string(),
            subtitle: Vec::new(),
            lr_traces: Vec::new(),
            metrics: Vec::new(),
            metric_axis: "loss".to_string(),
            notes: Vec::new(),
            metric_log_scale: false,
            width: 1200,
            height: 800,
        }
    }
}

/// What the chart will draw, in data units, computed without drawing.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartModel {
    /// Per trace: the vertices of its step line, (x, lr), left to right.
    pub lr_steps: Vec<Vec<(f64, f64)>>,
    /// Per trace: the reduction circles, (decision epoch, new LR).
    pub markers: Vec<Vec<(f64, f64)>>,
    /// Per trace: the decision epochs of the markers.
    pub marker_epochs: Vec<Vec<usize>>,
    /// The LR axis range (log scale): all LRs plus 5% of the span (in log units) each side,
    /// widened to whole decades when the LRs span less than 2 decades.
    pub lr_range: (f64, f64),
    /// The labelled LR ticks (1-2-5, whole decades or every k-th decade, whatever fits).
    pub lr_ticks: Vec<f64>,
    /// The metric axis range: finite values plus 5% padding (in log units on a log axis);
    /// a constant series gets ±5% of its value (±1 around 0); (0, 1) when there is nothing.
    pub metric_range: (f64, f64),
    /// The epoch axis: half an epoch beyond the first and the last epoch.
    pub x_range: (f64, f64),
}

/// The supported image sizes.
pub(crate) const MIN_WIDTH: u32 = 600;
pub(crate) const MIN_HEIGHT: u32 = 400;
pub(crate) const MAX_SIDE: u32 = 8000;

/// Refuses image sizes outside the supported range.
pub(crate) fn check_size(width: u32, height: u32) -> Result<(), VizError> {
    if !(MIN_WIDTH..=MAX_SIDE).contains(&width) || !(MIN_HEIGHT..=MAX_SIDE).contains(&height) {
        return Err(VizError::InvalidSize {
            width,
            height,
            min_width: MIN_WIDTH,
            min_height: MIN_HEIGHT,
            max_width: MAX_SIDE,
            max_height: MAX_SIDE,
        });
    }
    Ok(())
}

/// The name a trace is reported under in errors.
pub(crate) fn trace_name(trace: &LrTrace, index: usize) -> String {
    if trace.label.is_empty() {
        format!("#{index}")
    } else {
        trace.label.clone()
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-4 * a.abs().max(b.abs())
}

/// Checks everything [`chart_model`] documents as an error.
pub(crate) fn validate(spec: &ChartSpec) -> Result<(), VizError> {
    check_size(spec.width, spec.height)?;
    if spec.lr_traces.is_empty() {
        return Err(VizError::EmptyData {
            what: "no learning-rate traces; pass at least one LrTrace".to_string(),
        });
    }
    for (i, trace) in spec.lr_traces.iter().enumerate() {
        let name = || trace_name(trace, i);
        let n = trace.lr.len();
        if n == 0 {
            return Err(VizError::EmptyData {
                what: format!(
                    "trace '{}' has no epochs; pass the LR used during each epoch",
                    name()
                ),
            });
        }
        for (epoch, &value) in trace.lr.iter().enumerate() {
            if !(value.is_finite() && value > 0.0) {
                return Err(VizError::NonPositiveLr {
                    trace: name(),
                    epoch,
                    value,
                });
            }
        }
        let mut previous: Option<usize> = None;
        for r in &trace.reductions {
            if r.epoch >= n {
                return Err(VizError::ReductionOutOfRange {
                    trace: name(),
                    epoch: r.epoch,
                    epochs: n,
                });
            }
            if let Some(p) = previous {
                if r.epoch <= p {
                    return Err(VizError::ReductionOrder {
                        trace: name(),
                        epoch: r.epoch,
                        previous: p,
                    });
                }
            }
            previous = Some(r.epoch);
            for value in [r.from, r.to] {
                if !(value.is_finite() && value > 0.0) {
                    return Err(VizError::NonPositiveLr {
                        trace: name(),
                        epoch: r.epoch,
                        value,
                    });
                }
            }
            if !close(r.from, trace.lr[r.epoch]) {
                return Err(VizError::ReductionMismatch {
                    trace: name(),
                    epoch: r.epoch,
                    field: "from",
                    stated: r.from,
                    logged_epoch: r.epoch,
                    logged: trace.lr[r.epoch],
                });
            }
            if r.epoch + 1 < n && !close(r.to, trace.lr[r.epoch + 1]) {
                return Err(VizError::ReductionMismatch {
                    trace: name(),
                    epoch: r.epoch,
                    field: "to",
                    stated: r.to,
                    logged_epoch: r.epoch + 1,
                    logged: trace.lr[r.epoch + 1],
                });
            }
        }
    }
    let epochs = spec.lr_traces.iter().map(|t| t.lr.len()).max().unwrap_or(0);
    for m in &spec.metrics {
        if m.values.is_empty() {
            return Err(VizError::EmptyData {
                what: format!(
                    "metric '{}' has no values; pass one value per epoch (NaN for a gap)",
                    m.label
                ),
            });
        }
        if m.values.len() > epochs {
            return Err(VizError::LengthMismatch {
                label: m.label.clone(),
                len: m.values.len(),
                epochs,
            });
        }
    }
    Ok(())
}

/// What the chart will draw, computed without drawing.
///
/// Errors: no traces or an empty series ([`VizError::EmptyData`]), an LR that is not finite
/// and positive ([`VizError::NonPositiveLr`]), reductions out of range, out of order or
/// disagreeing with the LR series, a metric longer than the longest trace
/// ([`VizError::LengthMismatch`]), an unsupported size, or too little room for the panels.
///
/// ```
/// use lrviz_viz::{chart_model, ChartSpec, LrTrace, Reduction};
/// let spec = ChartSpec {
///     lr_traces: vec![LrTrace::new("run", vec![0.1, 0.1, 0.05], vec![
///         Reduction { epoch: 1, from: 0.1, to: 0.05 },
///     ])],
///     ..ChartSpec::default()
/// };
/// let model = chart_model(&spec).unwrap();
/// // LR 0.1 from the left edge to the end of epoch 1, a drop there, then 0.05 to epoch 2.
/// assert_eq!(model.lr_steps[0], vec![(-0.5, 0.1), (1.0, 0.1), (1.0, 0.05), (2.0, 0.05)]);
/// assert_eq!(model.marker_epochs[0], vec![1]);
/// ```
pub fn chart_model(spec: &ChartSpec) -> Result<ChartModel, VizError> {
    let layout = layout::chart_layout(spec)?;
    Ok(compute(spec, layout.lr.plot.h))
}

/// The model for a validated spec whose LR plot is `lr_plot_height` logical pixels tall.
pub(crate) fn compute(spec: &ChartSpec, lr_plot_height: f64) -> ChartModel {
    let epochs = spec
        .lr_traces
        .iter()
        .map(|t| t.lr.len())
        .chain(spec.metrics.iter().map(|m| m.values.len()))
        .max()
        .unwrap_or(1)
        .max(1);
    let x_range = (-0.5, (epochs - 1) as f64 + 0.5);
    let lr_steps = spec
        .lr_traces
        .iter()
        .map(|t| step_vertices(t, x_range.0))
        .collect();
    let markers = spec
        .lr_traces
        .iter()
        .map(|t| {
            t.reductions
                .iter()
                .map(|r| (r.epoch as f64, r.to))
                .collect()
        })
        .collect();
    let marker_epochs = spec
        .lr_traces
        .iter()
        .map(|t| t.reductions.iter().map(|r| r.epoch).collect())
        .collect();
    let lrs = spec.lr_traces.iter().flat_map(|t| {
        t.lr.iter()
            .copied()
            .chain(t.reductions.iter().flat_map(|r| [r.from, r.to]))
    });
    let (lo, hi) = log_range(lrs).unwrap_or((-1.0, 0.0));
    let (lr_ticks, _) = log_ticks(lo, hi, lr_plot_height, TICK_SIZE);
    let metric_range = metric_range(spec);
    ChartModel {
        lr_steps,
        markers,
        marker_epochs,
        lr_range: (from_log(lo), from_log(hi)),
        lr_ticks,
        metric_range,
        x_range,
    }
}

/// 10^v, exact for whole decades.
pub(crate) fn from_log(v: f64) -> f64 {
    if (v - v.round()).abs() < 1e-12 {
        pow10_times(1, v.round() as i32)
    } else {
        10f64.powf(v)
    }
}

/// The step line of one trace ("steps-pre", see the module docs).
fn step_vertices(trace: &LrTrace, left: f64) -> Vec<(f64, f64)> {
    let lr = &trace.lr;
    let mut v = vec![(left, lr[0])];
    for e in 1..lr.len() {
        if lr[e] != lr[e - 1] {
            let x = (e - 1) as f64;
            v.push((x, lr[e - 1]));
            v.push((x, lr[e]));
        }
    }
    let last = lr.len() - 1;
    v.push((last as f64, lr[last]));
    if let Some(r) = trace.reductions.iter().find(|r| r.epoch == last) {
        v.push((last as f64, r.to));
    }
    v
}

/// A log10 axis range for positive values: 5% of the span (at least 0.025 decade) each side,
/// widened outward to whole decades when the values span less than 2 decades.
pub(crate) fn log_range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .filter(|v| v.is_finite() && *v > 0.0)
        .map(f64::log10)
        .fold(None, |acc: Option<(f64, f64)>, v| match acc {
            None => Some((v, v)),
            Some((a, b)) => Some((a.min(v), b.max(v))),
        })?;
    let span = hi - lo;
    let pad = 0.05 * span.max(0.5);
    let (a, b) = (lo - pad, hi + pad);
    let (a, b) = if span < 2.0 {
        (a.floor(), b.ceil())
    } else {
        (a, b)
    };
    // Keep both ends representable as positive doubles (1e-323 is subnormal but > 0).
    Some((a.max(-323.0), b.min(308.0)))
}

/// The metric axis range in data units.
fn metric_range(spec: &ChartSpec) -> (f64, f64) {
    let values = spec.metrics.iter().flat_map(|m| m.values.iter().copied());
    if spec.metric_log_scale {
        match log_range(values) {
            Some((lo, hi)) => (from_log(lo), from_log(hi)),
            None => (0.1, 10.0),
        }
    } else {
        linear_range(values).unwrap_or((0.0, 1.0))
    }
}

/// A linear axis range: finite values plus 5% of the span each side; a constant gets ±5% of
/// its value (±1 around zero).
pub(crate) fn linear_range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold(None, |acc: Option<(f64, f64)>, v| match acc {
            None => Some((v, v)),
            Some((a, b)) => Some((a.min(v), b.max(v))),
        })?;
    if !(hi - lo).is_finite() || !(hi.abs().max(lo.abs()) * 1.1).is_finite() {
        // Values near f64::MAX leave no room for padding; nothing sensible can be drawn.
        return None;
    }
    if hi - lo <= f64::EPSILON * hi.abs().max(lo.abs()) {
        let half = if lo == 0.0 { 1.0 } else { lo.abs() * 0.05 };
        return Some((lo - half, hi + half));
    }
    let pad = 0.05 * (hi - lo);
    Some((lo - pad, hi + pad))
}

/// Integer epoch ticks for `x_range` on `pixels` of axis: every `step`-th epoch, `step` the
/// smallest of 1, 2, 5, 10, 20, 50, ... that keeps labels about five label widths apart.
pub(crate) fn epoch_ticks(x_range: (f64, f64), pixels: f64) -> (Vec<f64>, u64) {
    let last = (x_range.1 - 0.5).max(0.0).round() as u64;
    let digits = format!("{last}").len() as f64;
    let label_room = digits * TICK_SIZE * 0.65 + 28.0;
    let max_ticks = ((pixels / label_room).floor() as u64).clamp(2, 40);
    let mut base = 1u64;
    let step = 'search: loop {
        for m in [1u64, 2, 5] {
            let step = m.saturating_mul(base);
            if last / step < max_ticks {
                break 'search step;
            }
        }
        base = base.saturating_mul(10);
    };
    let ticks = (0..=last / step).map(|i| (i * step) as f64).collect();
    (ticks, step)
}
