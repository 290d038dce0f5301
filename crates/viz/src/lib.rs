//! lrviz-viz: the learning-rate charts, as PNG and SVG.
//!
//! The crate knows nothing of training: it is fed plain per-epoch data ([`ChartSpec`]) and
//! draws the two-panel chart lrviz is about: on top the learning rate used during each epoch,
//! on a log axis, as steps with a circle wherever it was reduced; below, the metric(s) it was
//! reduced on. It also draws the sweep heatmap ([`HeatmapSpec`]).
//!
//! Conventions (see `docs/charts.md`):
//! - epochs are 0-based, and x = e is the END of epoch e, where that epoch's metrics sit;
//! - the LR used during epoch e is the horizontal segment over (e-1, e] ("steps-pre");
//! - a reduction decided at the end of epoch e is a vertical drop at x = e with a red circle at
//!   (e, new LR); the legend says "reduced at end of epoch";
//! - tick labels never overlap: a log axis spanning under two decades is widened to whole
//!   decades and labelled at 1-2-5 points when they fit.
//!
//! [`chart_model`] returns what will be drawn (step vertices, markers, ranges, ticks) without
//! drawing, for tests. Text uses DejaVu Sans embedded from the `dejavu` crate, registered once
//! under the generic name "sans-serif": no system fonts are read and the same spec always
//! gives the same PNG bytes.
//!
//! ```
//! use lrviz_viz::{render_png, render_svg, ChartSpec, LrTrace, MetricSeries};
//! let lr = vec![0.05, 0.05, 0.05, 0.025, 0.025];
//! let spec = ChartSpec {
//!     title: "demo".into(),
//!     lr_traces: vec![LrTrace::from_lr("run", lr)],
//!     metrics: vec![MetricSeries::solid("val_loss", vec![0.9, 0.7, 0.7, 0.6, 0.58])],
//!     ..ChartSpec::default()
//! };
//! let png = render_png(&spec).unwrap();
//! assert_eq!(&png[1..4], b"PNG");
//! assert!(render_svg(&spec).unwrap().contains("sans-serif"));
//! ```

#![warn(missing_docs)]

mod error;
mod format;
mod heatmap;
mod layout;
mod model;
mod render;
mod style;

pub use error::VizError;
pub use format::format_lr;
pub use heatmap::{render_heatmap_png, render_heatmap_svg, HeatmapSpec};
pub use model::{
    chart_model, detect_reductions, ChartModel, ChartSpec, LrTrace, MetricSeries, Reduction,
};
pub use render::{render_png, render_svg};
