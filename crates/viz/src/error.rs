//! The crate's one error type: every way a chart request can be refused or fail.
//!
//! Variants carry the offending values so the caller can print a message that says what to fix;
//! messages start lowercase, have no trailing period and say what would be valid.

use thiserror::Error;

/// Why a chart could not be computed or drawn.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum VizError {
    /// There is nothing to draw: no traces, an empty series, or an empty heatmap axis.
    #[error("nothing to draw: {what}")]
    EmptyData {
        /// What is missing, in words (e.g. "trace 'run' has no epochs").
        what: String,
    },
    /// A learning rate that a log axis cannot show (zero, negative, NaN or infinite).
    #[error(
        "learning rates must be finite and > 0 for the log axis; trace '{trace}' has {value} at epoch {epoch}"
    )]
    NonPositiveLr {
        /// Label of the trace (or `#index` when the label is empty).
        trace: String,
        /// The 0-based epoch holding the bad value.
        epoch: usize,
        /// The bad value.
        value: f64,
    },
    /// A reduction decided at an epoch the trace does not have.
    #[error(
        "trace '{trace}' has a reduction at the end of epoch {epoch} but only {epochs} epochs; reduction epochs must be 0-based and < {epochs}"
    )]
    ReductionOutOfRange {
        /// Label of the trace.
        trace: String,
        /// The reduction's decision epoch.
        epoch: usize,
        /// Number of epochs in the trace.
        epochs: usize,
    },
    /// Reductions not in strictly increasing epoch order (or two at one epoch).
    #[error(
        "trace '{trace}' lists a reduction at epoch {epoch} after one at epoch {previous}; list reductions once per epoch in increasing epoch order"
    )]
    ReductionOrder {
        /// Label of the trace.
        trace: String,
        /// The out-of-order epoch.
        epoch: usize,
        /// The epoch listed before it.
        previous: usize,
    },
    /// A reduction whose `from`/`to` disagrees with the LR series it belongs to.
    #[error(
        "trace '{trace}': the reduction at the end of epoch {epoch} has {field} = {stated} but the LR used during epoch {logged_epoch} is {logged}; `from` must be the LR of the decision epoch and `to` the LR of the next"
    )]
    ReductionMismatch {
        /// Label of the trace.
        trace: String,
        /// The reduction's decision epoch.
        epoch: usize,
        /// `"from"` or `"to"`.
        field: &'static str,
        /// The value the reduction states.
        stated: f64,
        /// The epoch whose LR it was compared with.
        logged_epoch: usize,
        /// The LR the trace holds for that epoch.
        logged: f64,
    },
    /// A metric series longer than every learning-rate trace.
    #[error(
        "metric '{label}' has {len} values but the longest learning-rate trace has {epochs} epochs; pass at most one metric value per epoch of the schedule"
    )]
    LengthMismatch {
        /// Label of the metric series.
        label: String,
        /// Its number of values.
        len: usize,
        /// Epochs in the longest trace.
        epochs: usize,
    },
    /// The requested image size is outside what the layout supports.
    #[error(
        "chart size {width}x{height} is not supported; use a width in {min_width}..={max_width} and a height in {min_height}..={max_height}"
    )]
    InvalidSize {
        /// Requested width in pixels.
        width: u32,
        /// Requested height in pixels.
        height: u32,
        /// Smallest width accepted.
        min_width: u32,
        /// Smallest height accepted.
        min_height: u32,
        /// Largest width accepted.
        max_width: u32,
        /// Largest height accepted.
        max_height: u32,
    },
    /// The title, subtitles, legends and notes leave too little room for a plot panel.
    #[error(
        "chart size {width}x{height} leaves only {plot_height}px for a plot panel after the title, subtitle lines, legends and notes; make the chart taller or pass fewer text lines (a panel needs at least {min_plot_height}px)"
    )]
    NoRoom {
        /// Requested width in pixels.
        width: u32,
        /// Requested height in pixels.
        height: u32,
        /// Height the smallest panel would get.
        plot_height: u32,
        /// Height a panel needs.
        min_plot_height: u32,
    },
    /// Heatmap cells with a different number of rows than y values.
    #[error(
        "heatmap has {y_values} y values but {rows} rows of cells; pass one row of cells per y value"
    )]
    HeatmapRows {
        /// Number of rows in `cells`.
        rows: usize,
        /// Number of y values.
        y_values: usize,
    },
    /// A heatmap row with a different number of cells than x values.
    #[error(
        "heatmap row {row} has {len} cells but there are {x_values} x values; pass one cell per x value (NaN for no value)"
    )]
    HeatmapColumns {
        /// The 0-based row index.
        row: usize,
        /// Cells in that row.
        len: usize,
        /// Number of x values.
        x_values: usize,
    },
    /// The embedded DejaVu Sans font could not be registered with plotters.
    #[error("the embedded DejaVu Sans font could not be registered; the dejavu crate's font data is unreadable")]
    Font,
    /// plotters reported an error while drawing.
    #[error("drawing the chart failed: {0}")]
    Drawing(String),
    /// The PNG encoder reported an error.
    #[error("encoding the PNG failed: {0}")]
    Encode(String),
}
