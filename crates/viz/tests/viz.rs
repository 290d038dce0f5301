//! Tests of lrviz-viz: number formatting, the computed chart model, input errors, and the
//! rendered PNG/SVG charts and heatmaps.
//!
//! The Keras fixture `data/keras3_csvlogger.csv` is described in `data/README.md`.

use lrviz_viz::{
    chart_model, detect_reductions, format_lr, render_heatmap_png, render_heatmap_svg, render_png,
    render_svg, ChartSpec, HeatmapSpec, LrTrace, MetricSeries, Reduction, VizError,
};

/// The Keras 3 CSVLogger log (see data/README.md).
const KERAS_LOG: &str = include_str!("data/keras3_csvlogger.csv");

/// (learning_rate, loss, val_loss) columns of the Keras log.
fn keras_columns() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut header = KERAS_LOG.lines().next().unwrap().split(',');
    let col = |name: &str| {
        KERAS_LOG
            .lines()
            .next()
            .unwrap()
            .split(',')
            .position(|c| c == name)
            .unwrap()
    };
    assert_eq!(header.next(), Some("epoch"));
    let (lr_i, loss_i, val_i) = (col("learning_rate"), col("loss"), col("val_loss"));
    let mut lr = Vec::new();
    let mut loss = Vec::new();
    let mut val = Vec::new();
    for line in KERAS_LOG.lines().skip(1) {
        let f: Vec<f64> = line.split(',').map(|x| x.parse().unwrap()).collect();
        lr.push(f[lr_i]);
        loss.push(f[loss_i]);
        val.push(f[val_i]);
    }
    (lr, loss, val)
}

/// The Keras run as a one-trace chart with val_loss (solid) and loss (dashed).
fn keras_spec() -> ChartSpec {
    let (lr, loss, val) = keras_columns();
    ChartSpec {
        title: "Keras run".into(),
        subtitle: vec!["factor=0.5 patience=3 min_lr=1e-4".into()],
        lr_traces: vec![LrTrace::from_lr("keras", lr)],
        metrics: vec![
            MetricSeries::solid("val_loss", val),
            MetricSeries::dashed("loss", loss),
        ],
        ..ChartSpec::default()
    }
}

/// A one-trace spec with explicit reductions.
fn spec_with(lr: Vec<f64>, reductions: Vec<Reduction>) -> ChartSpec {
    ChartSpec {
        lr_traces: vec![LrTrace::new("run", lr, reductions)],
        ..ChartSpec::default()
    }
}

fn red(epoch: usize, from: f64, to: f64) -> Reduction {
    Reduction { epoch, from, to }
}

mod format {
    use super::*;

    #[test]
    fn examples_from_the_api_doc() {
        // The three examples the API contract gives for format_lr.
        assert_eq!(format_lr(0.05), "0.05");
        assert_eq!(format_lr(1e-4), "1e-4");
        assert_eq!(format_lr(2.5e-3), "2.5e-3");
    }

    #[test]
    fn three_significant_digits_plain_from_0_01_to_below_10000() {
        // Rule (format_lr docs): round to 3 significant digits, plain in [0.01, 10000).
        let cases = [
            (0.0125, "0.0125"),
            (0.01, "0.01"),
            (0.009999, "0.01"), // rounds up into the plain range
            (0.00999, "9.99e-3"),
            (0.000390625, "3.91e-4"),
            (1.0, "1"),
            (0.5, "0.5"),
            (12.0, "12"),
            (1234.0, "1234"),
            (12345.0, "1.23e4"),
            (9999.7, "1e4"),
            (-0.05, "-0.05"),
            (0.0, "0"),
        ];
        for (x, want) in cases {
            assert_eq!(format_lr(x), want, "format_lr({x})");
        }
        assert_eq!(format_lr(f64::NAN), "NaN");
        assert_eq!(format_lr(f64::INFINITY), "inf");
    }

    #[test]
    fn float32_learning_rates_as_keras_logs_them() {
        // Keras stores the LR as float32 and prints its double value (data/README.md).
        assert_eq!(format_lr(0.05000000074505806), "0.05");
        assert_eq!(format_lr(9.999999747378752e-05), "1e-4");
    }
}

mod model {
    use super::*;

    /// Every consecutive pair of vertices is a horizontal or a vertical segment.
    fn assert_no_ramps(steps: &[(f64, f64)]) {
        for w in steps.windows(2) {
            let (a, b) = (w[0], w[1]);
            assert!(
                a.0 == b.0 || a.1 == b.1,
                "segment {a:?} -> {b:?} is neither horizontal nor vertical"
            );
        }
    }

    #[test]
    fn hand_derived_step_vertices() {
        // Steps-pre (module docs): LR of epoch e over (e-1, e], first segment from x = -0.5,
        // a drop at x = e for a reduction at the end of epoch e, and the last-epoch cut
        // (epoch 3, to 0.0125) still drawn as a drop at x = 3.
        let spec = spec_with(
            vec![0.1, 0.1, 0.05, 0.025],
            vec![
                red(1, 0.1, 0.05),
                red(2, 0.05, 0.025),
                red(3, 0.025, 0.0125),
            ],
        );
        let m = chart_model(&spec).unwrap();
        assert_eq!(
            m.lr_steps[0],
            vec![
                (-0.5, 0.1),
                (1.0, 0.1),
                (1.0, 0.05),
                (2.0, 0.05),
                (2.0, 0.025),
                (3.0, 0.025),
                (3.0, 0.0125),
            ]
        );
        assert_eq!(m.markers[0], vec![(1.0, 0.05), (2.0, 0.025), (3.0, 0.0125)]);
        assert_eq!(m.x_range, (-0.5, 3.5));
    }

    #[test]
    fn single_epoch() {
        let m = chart_model(&spec_with(vec![0.01], vec![])).unwrap();
        assert_eq!(m.lr_steps[0], vec![(-0.5, 0.01), (0.0, 0.01)]);
        assert_eq!(m.x_range, (-0.5, 0.5));
        assert!(m.markers[0].is_empty());
    }

    #[test]
    fn marker_epochs_equal_the_reduction_epochs() {
        let reductions = vec![
            red(3, 0.05, 0.025),
            red(6, 0.025, 0.0125),
            red(7, 0.0125, 0.00625),
        ];
        let lr = vec![0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125];
        let m = chart_model(&spec_with(lr, reductions.clone())).unwrap();
        let want: Vec<usize> = reductions.iter().map(|r| r.epoch).collect();
        assert_eq!(m.marker_epochs[0], want);
        let at: Vec<(f64, f64)> = reductions.iter().map(|r| (r.epoch as f64, r.to)).collect();
        assert_eq!(m.markers[0], at);
    }

    #[test]
    fn keras_log_reductions_land_on_the_decision_epochs() {
        // data/README.md: Keras printed its last three reductions at 1-based epochs 52, 55,
        // 58, so the decision epochs are 51, 54, 57. 0.05 halves 8 times down to 1.95e-4
        // (0.05 / 2^8), then a 9th cut is clipped to min_lr 1e-4: 9 reductions in all.
        let m = chart_model(&keras_spec()).unwrap();
        let epochs = &m.marker_epochs[0];
        assert_eq!(epochs.len(), 9);
        assert_eq!(&epochs[6..], &[51, 54, 57]);
        assert_no_ramps(&m.lr_steps[0]);
        let last = m.markers[0].last().unwrap();
        assert_eq!(format_lr(last.1), "1e-4");
    }

    #[test]
    fn every_segment_is_horizontal_or_vertical() {
        let lrs: Vec<Vec<f64>> = vec![
            keras_columns().0,
            vec![0.1, 0.1, 0.01, 0.01, 0.001],
            (0..200).map(|e| 0.5f64.powi(e / 7)).collect(),
            vec![0.3],
        ];
        for lr in lrs {
            let m = chart_model(&spec_with(lr.clone(), detect_reductions(&lr))).unwrap();
            assert_no_ramps(&m.lr_steps[0]);
        }
    }

    #[test]
    fn each_epoch_lr_is_drawn_over_the_epoch_that_ends_at_x() {
        // For every epoch e, some horizontal segment at lr[e] spans (e-1, e] (from the left
        // edge for epoch 0).
        let (lr, _, _) = keras_columns();
        let m = chart_model(&spec_with(lr.clone(), detect_reductions(&lr))).unwrap();
        let steps = &m.lr_steps[0];
        for (e, &v) in lr.iter().enumerate() {
            let from = if e == 0 { m.x_range.0 } else { e as f64 - 1.0 };
            let covered = steps
                .windows(2)
                .any(|w| w[0].1 == v && w[1].1 == v && w[0].0 <= from && w[1].0 >= e as f64);
            assert!(covered, "epoch {e}: LR {v} is not drawn over ({from}, {e}]");
        }
    }

    #[test]
    fn lr_range_covers_every_lr_and_every_reduction_target() {
        let (lr, _, _) = keras_columns();
        let mut reductions = detect_reductions(&lr);
        // A cut at the last epoch to below every logged LR must still be inside the range.
        let last = lr.len() - 1;
        reductions.push(red(last, lr[last], 5e-5));
        let m = chart_model(&spec_with(lr.clone(), reductions)).unwrap();
        let (lo, hi) = m.lr_range;
        for v in lr.iter().copied().chain([5e-5]) {
            assert!(lo < v && v < hi, "{v} outside {lo}..{hi}");
        }
    }

    #[test]
    fn under_two_decades_the_range_is_padded_to_whole_decades() {
        // Hand derivation (ChartModel::lr_range docs): 0.05 -> 0.0125 spans log10(4) = 0.6
        // decades; padded by 5% of max(span, 0.5) = 0.03 to [-1.93, -1.27], widened to
        // [-2, -1]: 0.01 .. 0.1.
        let m = chart_model(&spec_with(
            vec![0.05, 0.025, 0.0125],
            vec![red(0, 0.05, 0.025), red(1, 0.025, 0.0125)],
        ))
        .unwrap();
        assert_eq!(m.lr_range, (0.01, 0.1));
        // A decade of 1200x800's LR panel (about 250 px) fits labels at 1, 2 and 5.
        assert_eq!(m.lr_ticks, vec![0.01, 0.02, 0.05, 0.1]);

        // A constant LR on a decade: log10(0.1) = -1 padded by 0.025 -> [-2, 0].
        let m = chart_model(&spec_with(vec![0.1; 5], vec![])).unwrap();
        assert_eq!(m.lr_range, (0.01, 1.0));
        assert!(m.lr_ticks.len() >= 3, "{:?}", m.lr_ticks);
    }

    #[test]
    fn two_decades_or_more_get_five_percent_padding_only() {
        // Keras: 1e-4 .. 0.05 spans log10(500) = 2.699 decades, so 5% = 0.135 decade each
        // side: 10^(-4 - 0.135) = 7.33e-5 and 10^(log10(0.05) + 0.135) = 0.0682.
        let m = chart_model(&keras_spec()).unwrap();
        let (lo, hi) = m.lr_range;
        assert!((lo / 7.33e-5 - 1.0).abs() < 1e-3, "lo = {lo}");
        assert!((hi / 0.0682 - 1.0).abs() < 1e-3, "hi = {hi}");
        for t in &m.lr_ticks {
            assert!(lo <= *t && *t <= hi);
        }
        // Decade ticks are always among them at this size.
        for d in [1e-4, 1e-3, 1e-2] {
            assert!(m.lr_ticks.contains(&d), "{d} missing from {:?}", m.lr_ticks);
        }
    }

    #[test]
    fn lr_ticks_are_1_2_5_points_and_thin_out_on_small_charts() {
        let lr: Vec<f64> = (0..100).map(|e| 0.5f64.powi(e / 4)).collect(); // 1 .. 1.2e-7
        let mut spec = spec_with(lr.clone(), detect_reductions(&lr));
        spec.metrics = vec![MetricSeries::solid("val_loss", vec![1.0; 100])];
        let big = chart_model(&spec).unwrap();
        spec.width = 600;
        spec.height = 400;
        let small = chart_model(&spec).unwrap();
        for t in big.lr_ticks.iter().chain(&small.lr_ticks) {
            let mantissa = t / 10f64.powf(t.log10().floor());
            let m = mantissa.round();
            assert!(
                [1.0, 2.0, 5.0].contains(&m) && (mantissa - m).abs() < 1e-9,
                "tick {t}"
            );
        }
        assert!(small.lr_ticks.len() < big.lr_ticks.len());
        // The LR panel of a 400 px chart is at most 45% of it; labels 13 px tall need at
        // least 1.8 × 13 px each (format::log_ticks).
        assert!(small.lr_ticks.len() as f64 * 1.8 * 13.0 <= 0.45 * 400.0);
        assert!(small.lr_ticks.len() >= 2);
    }

    #[test]
    fn metric_range_pads_five_percent_and_ignores_gaps() {
        // [1, 2] with gaps: span 1, 5% = 0.05 -> (0.95, 2.05).
        let mut spec = spec_with(vec![0.1; 4], vec![]);
        spec.metrics = vec![MetricSeries::solid(
            "val_loss",
            vec![1.0, f64::NAN, 2.0, f64::INFINITY],
        )];
        let (lo, hi) = chart_model(&spec).unwrap().metric_range;
        assert!(
            (lo - 0.95).abs() < 1e-12 && (hi - 2.05).abs() < 1e-12,
            "{lo} {hi}"
        );

        // A constant gets ±5% of its value: 0.5 -> (0.475, 0.525); zero gets ±1.
        spec.metrics = vec![MetricSeries::solid("val_loss", vec![0.5; 4])];
        let (lo, hi) = chart_model(&spec).unwrap().metric_range;
        assert!(
            (lo - 0.475).abs() < 1e-12 && (hi - 0.525).abs() < 1e-12,
            "{lo} {hi}"
        );
        spec.metrics = vec![MetricSeries::solid("val_loss", vec![0.0; 4])];
        assert_eq!(chart_model(&spec).unwrap().metric_range, (-1.0, 1.0));

        // Nothing finite: the documented fallback (0, 1).
        spec.metrics = vec![MetricSeries::solid("val_loss", vec![f64::NAN; 4])];
        assert_eq!(chart_model(&spec).unwrap().metric_range, (0.0, 1.0));
    }

    #[test]
    fn log_metric_range_uses_the_lr_rule() {
        // 0.1 .. 0.4 spans 0.6 decade (< 2): widened to whole decades 0.01 .. 1, as for the LR
        // axis; values <= 0 are gaps, not errors.
        let mut spec = spec_with(vec![0.1; 4], vec![]);
        spec.metric_log_scale = true;
        spec.metrics = vec![MetricSeries::solid("loss", vec![0.4, 0.2, 0.0, 0.1])];
        assert_eq!(chart_model(&spec).unwrap().metric_range, (0.01, 1.0));
    }

    #[test]
    fn several_traces_of_different_lengths() {
        let a = vec![0.1, 0.1, 0.05, 0.05, 0.05];
        let b = vec![0.1, 0.01, 0.01];
        let spec = ChartSpec {
            lr_traces: vec![LrTrace::from_lr("a", a), LrTrace::from_lr("b", b)],
            metrics: vec![MetricSeries::solid(
                "val_loss",
                vec![1.0, 0.9, 0.8, 0.8, 0.7],
            )],
            ..ChartSpec::default()
        };
        let m = chart_model(&spec).unwrap();
        assert_eq!(m.x_range, (-0.5, 4.5)); // the longest trace: 5 epochs
        assert_eq!(m.marker_epochs, vec![vec![1], vec![0]]);
        assert_eq!(m.lr_steps[1].last(), Some(&(2.0, 0.01)));
    }

    #[test]
    fn detect_reductions_reads_drops_as_end_of_epoch_decisions() {
        // A drop first visible at epoch e + 1 is a reduction at the end of epoch e (issue 4).
        assert_eq!(
            detect_reductions(&[0.1, 0.1, 0.05, 0.05, 0.01]),
            vec![red(1, 0.1, 0.05), red(3, 0.05, 0.01)]
        );
        assert!(detect_reductions(&[0.1, 0.2, 0.2]).is_empty()); // a rise is not a reduction
    }
}

mod robustness {
    use super::*;

    #[test]
    fn empty_labels_and_extreme_values_render() {
        // Nothing here is an error: empty text, values near the f64 limits, subnormal LRs.
        let spec = ChartSpec {
            title: String::new(),
            metric_axis: String::new(),
            lr_traces: vec![LrTrace::from_lr("", vec![1e300, 1e-300, 5e-324])],
            metrics: vec![
                MetricSeries::solid("", vec![f64::MAX, -f64::MAX, 0.0]),
                MetricSeries::dashed("ünïcødé ✓", vec![f64::NEG_INFINITY, 1.0, 2.0]),
            ],
            metric_log_scale: false,
            ..ChartSpec::default()
        };
        assert!(render_png(&spec).is_ok());
        assert!(render_svg(&spec).is_ok());
        let m = chart_model(&spec).unwrap();
        let (lo, hi) = m.lr_range;
        assert!(lo > 0.0 && hi.is_finite() && hi >= 1e300, "{lo} {hi}");
    }
}

mod errors {
    use super::*;

    /// Messages start lowercase and have no trailing period (common rules).
    fn assert_style(e: &VizError) {
        let msg = e.to_string();
        let first = msg.chars().next().unwrap();
        assert!(!first.is_uppercase(), "{msg}");
        assert!(!msg.ends_with('.'), "{msg}");
    }

    fn model_err(spec: &ChartSpec) -> VizError {
        let e = chart_model(spec).unwrap_err();
        assert_style(&e);
        // The renderers refuse the same input with the same error (compared as text: NaN
        // values are not equal to themselves).
        assert_eq!(render_png(spec).unwrap_err().to_string(), e.to_string());
        assert_eq!(render_svg(spec).unwrap_err().to_string(), e.to_string());
        e
    }

    #[test]
    fn empty_data() {
        let e = model_err(&ChartSpec::default());
        assert!(matches!(e, VizError::EmptyData { .. }), "{e:?}");
        let e = model_err(&spec_with(vec![], vec![]));
        assert!(e.to_string().contains("'run' has no epochs"), "{e}");
        let mut spec = spec_with(vec![0.1], vec![]);
        spec.metrics = vec![MetricSeries::solid("val_loss", vec![])];
        let e = model_err(&spec);
        assert!(e.to_string().contains("'val_loss' has no values"), "{e}");
    }

    #[test]
    fn non_positive_or_non_finite_lr() {
        for bad in [0.0, -0.1, f64::NAN, f64::INFINITY] {
            let e = model_err(&spec_with(vec![0.1, bad, 0.1], vec![]));
            match e {
                VizError::NonPositiveLr {
                    trace,
                    epoch,
                    value,
                } => {
                    assert_eq!((trace.as_str(), epoch), ("run", 1));
                    assert!(value.is_nan() && bad.is_nan() || value == bad);
                }
                other => panic!("{other:?}"),
            }
        }
        // A reduction to 0 is refused too.
        let e = model_err(&spec_with(vec![0.1, 0.1], vec![red(1, 0.1, 0.0)]));
        assert!(
            matches!(e, VizError::NonPositiveLr { epoch: 1, .. }),
            "{e:?}"
        );
    }

    #[test]
    fn reductions_that_do_not_fit_the_series() {
        let lr = vec![0.1, 0.1, 0.05];
        let e = model_err(&spec_with(lr.clone(), vec![red(3, 0.05, 0.01)]));
        assert_eq!(
            e,
            VizError::ReductionOutOfRange {
                trace: "run".into(),
                epoch: 3,
                epochs: 3
            }
        );
        let e = model_err(&spec_with(
            lr.clone(),
            vec![red(1, 0.1, 0.05), red(1, 0.1, 0.05)],
        ));
        assert!(
            matches!(
                e,
                VizError::ReductionOrder {
                    epoch: 1,
                    previous: 1,
                    ..
                }
            ),
            "{e:?}"
        );
        // `to` disagrees with the LR used during the next epoch (0.05).
        let e = model_err(&spec_with(lr.clone(), vec![red(1, 0.1, 0.02)]));
        assert!(
            matches!(
                e,
                VizError::ReductionMismatch {
                    field: "to",
                    logged_epoch: 2,
                    ..
                }
            ),
            "{e:?}"
        );
        // `from` disagrees with the LR used during the decision epoch (0.1).
        let e = model_err(&spec_with(lr, vec![red(1, 0.2, 0.05)]));
        assert!(
            matches!(
                e,
                VizError::ReductionMismatch {
                    field: "from",
                    logged_epoch: 1,
                    ..
                }
            ),
            "{e:?}"
        );
    }

    #[test]
    fn float32_rounding_is_not_a_mismatch() {
        // Keras logs float32 LRs (0.05 as 0.05000000074505806); a reduction stated in f64
        // still matches within the documented relative 1e-4.
        let lr = vec![0.05000000074505806, 0.02500000037252903];
        assert!(chart_model(&spec_with(lr, vec![red(0, 0.05, 0.025)])).is_ok());
    }

    #[test]
    fn metric_longer_than_the_schedule() {
        let mut spec = spec_with(vec![0.1; 3], vec![]);
        spec.metrics = vec![MetricSeries::solid("val_loss", vec![1.0; 4])];
        let e = model_err(&spec);
        assert_eq!(
            e,
            VizError::LengthMismatch {
                label: "val_loss".into(),
                len: 4,
                epochs: 3
            }
        );
    }

    #[test]
    fn sizes() {
        let mut spec = spec_with(vec![0.1], vec![]);
        spec.width = 100;
        assert!(matches!(
            model_err(&spec),
            VizError::InvalidSize { width: 100, .. }
        ));
        spec.width = 600;
        spec.height = 400;
        spec.subtitle = vec!["a settings line".into(); 12];
        spec.metrics = vec![MetricSeries::solid("val_loss", vec![1.0])];
        assert!(matches!(model_err(&spec), VizError::NoRoom { .. }));
    }
}

/// Decodes a PNG to (width, height, RGB pixels).
fn decode(png: &[u8]) -> (u32, u32, Vec<[u8; 3]>) {
    let img = image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .unwrap()
        .to_rgb8();
    let (w, h) = img.dimensions();
    (w, h, img.pixels().map(|p| p.0).collect())
}

fn near(a: [u8; 3], b: [u8; 3], tol: i32) -> bool {
    a.iter()
        .zip(b)
        .all(|(&x, y)| (i32::from(x) - i32::from(y)).abs() <= tol)
}

/// The marker red of a single trace (style.rs).
const MARKER_RED: [u8; 3] = [214, 39, 40];

/// (cx, cy, r) of every `<circle>` whose attributes contain `attr`.
fn svg_circles(svg: &str, attr: &str) -> Vec<(i32, i32, u32)> {
    let num = |tag: &str, name: &str| -> f64 {
        let key = format!(" {name}=\"");
        let start = tag.find(&key).unwrap() + key.len();
        let end = start + tag[start..].find('"').unwrap();
        tag[start..end].parse().unwrap()
    };
    svg.lines()
        .filter(|l| l.starts_with("<circle") && l.contains(attr))
        .map(|t| (num(t, "cx") as i32, num(t, "cy") as i32, num(t, "r") as u32))
        .collect()
}

mod png {
    use super::*;

    #[test]
    fn decodes_to_the_requested_size_and_is_not_blank() {
        for (w, h) in [(1200, 800), (900, 600)] {
            let mut spec = keras_spec();
            spec.width = w;
            spec.height = h;
            let (dw, dh, px) = decode(&render_png(&spec).unwrap());
            assert_eq!((dw, dh), (w, h));
            let distinct: std::collections::HashSet<[u8; 3]> = px.iter().copied().collect();
            // Anti-aliased text and lines in several colours: far more than a handful.
            assert!(distinct.len() > 200, "{} colours", distinct.len());
        }
    }

    #[test]
    fn red_marker_pixels_sit_where_the_svg_puts_the_markers() {
        // The SVG is drawn from the same layout at 1×, so its circle centres are the PNG's
        // marker centres; each must be marker red in the PNG.
        let spec = keras_spec();
        let (w, _, px) = decode(&render_png(&spec).unwrap());
        let svg = render_svg(&spec).unwrap();
        let circles = svg_circles(&svg, "fill=\"#D62728\"");
        assert_eq!(circles.len(), 9 + 1); // 9 markers + the legend's
        for (cx, cy, _) in circles {
            let p = px[(cy as u32 * w + cx as u32) as usize];
            assert!(near(p, MARKER_RED, 12), "pixel at ({cx}, {cy}) is {p:?}");
        }
        let reds = px.iter().filter(|&&p| near(p, MARKER_RED, 12)).count();
        // A marker of radius 6 has about 100 px of pure fill inside its ring.
        assert!(reds > 10 * 60, "{reds} red pixels");
    }

    #[test]
    fn no_reductions_no_red() {
        let spec = spec_with(vec![0.1; 10], vec![]);
        let (_, _, px) = decode(&render_png(&spec).unwrap());
        assert_eq!(px.iter().filter(|&&p| near(p, MARKER_RED, 12)).count(), 0);
    }

    #[test]
    fn same_spec_same_bytes() {
        let spec = keras_spec();
        let a = render_png(&spec).unwrap();
        let b = render_png(&spec).unwrap();
        assert!(a == b, "two renders of one spec differ");
        let mut other = spec.clone();
        other.title.push('!');
        assert_ne!(render_png(&other).unwrap(), a);
    }

    #[test]
    fn lr_panel_only_and_many_traces_render() {
        let lr: Vec<f64> = (0..1000).map(|e| 0.5f64.powi(e / 40)).collect();
        let spec = spec_with(lr.clone(), detect_reductions(&lr));
        let (w, h, _) = decode(&render_png(&spec).unwrap());
        assert_eq!((w, h), (1200, 800));
        let traces = (0..12)
            .map(|i| LrTrace::from_lr(format!("setting {i} with a long label"), lr.clone()))
            .collect();
        let spec = ChartSpec {
            lr_traces: traces,
            ..ChartSpec::default()
        };
        assert!(render_png(&spec).is_ok());
    }
}

mod svg {
    use super::*;

    #[test]
    fn names_sans_serif_and_holds_the_title() {
        let mut spec = keras_spec();
        spec.title = "LR & loss <keras>".into();
        let svg = render_svg(&spec).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("font-family=\"sans-serif\""));
        assert!(svg.contains("LR &amp; loss &lt;keras&gt;"));
        // No other font family is named.
        let families = svg.matches("font-family=\"").count();
        assert_eq!(families, svg.matches("font-family=\"sans-serif\"").count());
    }

    #[test]
    fn one_circle_per_marker() {
        // Single trace: red filled markers (radius 6) plus one in the legend.
        let lr = vec![0.05, 0.05, 0.025, 0.025, 0.0125];
        let spec = spec_with(lr.clone(), detect_reductions(&lr));
        let circles = svg_circles(&render_svg(&spec).unwrap(), "fill=\"#D62728\"");
        assert_eq!(circles.len(), 2 + 1);
        assert!(circles.iter().all(|c| c.2 == 6));

        // Several traces: markers in the trace colour ringed in red; the legend has one ringed
        // icon per trace and one explaining the markers.
        let spec = ChartSpec {
            lr_traces: vec![
                LrTrace::from_lr("a", lr.clone()),
                LrTrace::from_lr("b", vec![0.05, 0.005, 0.005, 0.005, 0.005]),
            ],
            ..ChartSpec::default()
        };
        let ringed = svg_circles(&render_svg(&spec).unwrap(), "stroke=\"#D62728\"");
        assert_eq!(ringed.len(), (2 + 1) + (2 + 1));
    }

    #[test]
    fn metric_gaps_split_the_line() {
        // Second metric (palette colour 1, #FF7F0E) with gaps at 2 (NaN) and 5 (inf): three
        // runs of two points, so three polylines plus the legend's line sample.
        let lr = vec![0.1; 8];
        let mut spec = spec_with(lr, vec![]);
        spec.metrics = vec![
            MetricSeries::solid("a", vec![1.0; 8]),
            MetricSeries::solid(
                "b",
                vec![1.0, 2.0, f64::NAN, 3.0, 4.0, f64::INFINITY, 5.0, 6.0],
            ),
        ];
        let svg = render_svg(&spec).unwrap();
        let lines = svg
            .lines()
            .filter(|l| l.starts_with("<polyline") && l.contains("stroke=\"#FF7F0E\""))
            .count();
        assert_eq!(lines, 3 + 1);
    }

    #[test]
    fn legend_says_what_the_markers_mean() {
        let lr = vec![0.05, 0.05, 0.025];
        let svg = render_svg(&spec_with(lr.clone(), detect_reductions(&lr))).unwrap();
        assert!(svg.contains("learning rate (used during each epoch)"));
        assert!(svg.contains("LR reduced at the end of this epoch (1 cut)"));
        assert!(svg.contains("epoch (0-based"));
    }
}

mod heatmap {
    use super::*;

    /// factor × patience: reductions, with one cell missing.
    fn heat() -> HeatmapSpec {
        HeatmapSpec {
            title: "reductions".into(),
            x_label: "patience".into(),
            y_label: "factor".into(),
            x_values: vec!["2".into(), "3".into(), "5".into()],
            y_values: vec!["0.1".into(), "0.5".into()],
            cells: vec![vec![3.0, 2.0, 1.0], vec![9.0, 16.0, f64::NAN]],
            value_label: "number of reductions".into(),
            ..HeatmapSpec::default()
        }
    }

    #[test]
    fn renders_cells_values_and_the_missing_cell() {
        let spec = heat();
        let png = render_heatmap_png(&spec).unwrap();
        let (w, h, px) = decode(&png);
        assert_eq!((w, h), (1200, 800));
        // viridis ends (heatmap.rs VIRIDIS) for the smallest (1) and largest (16) value, and
        // the grey of the NaN cell (style.rs NO_VALUE).
        for colour in [[68, 1, 84], [253, 231, 37], [200, 200, 200]] {
            let n = px.iter().filter(|&&p| near(p, colour, 3)).count();
            assert!(n > 10_000, "{colour:?}: {n} px");
        }
        assert_eq!(render_heatmap_png(&spec).unwrap(), png);
        let svg = render_heatmap_svg(&spec).unwrap();
        for value in ["16", "9", "3"] {
            assert!(
                svg.contains(&format!(">\n{value}\n</text>")),
                "cell {value}"
            );
        }
        assert!(svg.contains("no value"));
        assert!(svg.contains("number of reductions"));
    }

    #[test]
    fn shape_errors() {
        let mut spec = heat();
        spec.cells.pop();
        assert_eq!(
            render_heatmap_png(&spec).unwrap_err(),
            VizError::HeatmapRows {
                rows: 1,
                y_values: 2
            }
        );
        let mut spec = heat();
        spec.cells[1].push(1.0);
        assert_eq!(
            render_heatmap_svg(&spec).unwrap_err(),
            VizError::HeatmapColumns {
                row: 1,
                len: 4,
                x_values: 3
            }
        );
        let spec = HeatmapSpec::default();
        assert!(matches!(
            render_heatmap_png(&spec).unwrap_err(),
            VizError::EmptyData { .. }
        ));
    }

    #[test]
    fn all_missing_or_constant_still_renders() {
        let mut spec = heat();
        spec.cells = vec![vec![f64::NAN; 3]; 2];
        assert!(render_heatmap_png(&spec).is_ok());
        spec.cells = vec![vec![4.0; 3]; 2];
        assert!(render_heatmap_svg(&spec).unwrap().contains(">\n4\n</text>"));
    }
}
