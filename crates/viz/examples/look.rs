//! Writes sample charts to a directory (default /tmp/viz-look) for looking at them:
//! `cargo run -p lrviz-viz --example look [DIR]`.

use lrviz_viz::{
    render_heatmap_png, render_heatmap_svg, render_png, render_svg, ChartSpec, HeatmapSpec,
    LrTrace, MetricSeries, Reduction,
};

/// The Keras 3 CSVLogger run of `../shared/logs/keras3_csvlogger.csv`, embedded.
const KERAS_LOG: &str = include_str!("../tests/data/keras3_csvlogger.csv");

fn keras() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut lr = Vec::new();
    let mut loss = Vec::new();
    let mut val = Vec::new();
    for line in KERAS_LOG.lines().skip(1) {
        let f: Vec<f64> = line.split(',').map(|x| x.parse().unwrap()).collect();
        lr.push(f[2]);
        loss.push(f[3]);
        val.push(f[5]);
    }
    (lr, loss, val)
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/viz-look".into());
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(format!("{dir}/{name}"), bytes).unwrap();
    let (lr, loss, val) = keras();

    let keras_spec = ChartSpec {
        title: "ReduceLROnPlateau on breast_cancer_wisconsin (Keras 3 CSVLogger)".into(),
        subtitle: vec!["monitor=val_loss  factor=0.5  patience=3  min_delta=1e-4  cooldown=0  min_lr=1e-4  mode=min  (Keras 3 semantics)".into()],
        lr_traces: vec![LrTrace::from_lr("keras", lr.clone())],
        metrics: vec![MetricSeries::solid("val_loss", val.clone()), MetricSeries::dashed("loss (training)", loss.clone())],
        notes: vec!["the log ends right after a plateau: a cut at the last epoch cannot be seen in this log".into()],
        ..ChartSpec::default()
    };
    write("keras.png", &render_png(&keras_spec).unwrap());
    write("keras.svg", render_svg(&keras_spec).unwrap().as_bytes());

    // Under two decades, a cut at the last epoch, gaps in the metric.
    let small = ChartSpec {
        title: "short run".into(),
        subtitle: vec!["factor=0.5 patience=2".into()],
        lr_traces: vec![LrTrace::new(
            "run",
            vec![0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125],
            vec![
                Reduction {
                    epoch: 3,
                    from: 0.05,
                    to: 0.025,
                },
                Reduction {
                    epoch: 6,
                    from: 0.025,
                    to: 0.0125,
                },
                Reduction {
                    epoch: 7,
                    from: 0.0125,
                    to: 0.00625,
                },
            ],
        )],
        metrics: vec![MetricSeries::solid(
            "val_loss",
            vec![0.7, 0.6, f64::NAN, 0.58, 0.57, f64::INFINITY, 0.565, 0.566],
        )],
        ..ChartSpec::default()
    };
    write("small.png", &render_png(&small).unwrap());

    // Compare: three settings replayed on the Keras curve.
    let replay = |factor: f64, patience: usize| {
        let mut out = Vec::new();
        let mut cur = 0.05f64;
        let mut best = f64::INFINITY;
        let mut wait = 0;
        for &v in &val {
            out.push(cur);
            if v < best - 1e-4 {
                best = v;
                wait = 0;
            } else {
                wait += 1;
                if wait >= patience && cur > 1e-4 {
                    cur = (cur * factor).max(1e-4);
                    wait = 0;
                }
            }
        }
        out
    };
    let compare = ChartSpec {
        title: "Replay of val_loss under three settings".into(),
        subtitle: vec!["Keras 3 semantics, min_lr=1e-4".into()],
        lr_traces: vec![
            LrTrace::from_lr("factor 0.5, patience 3", replay(0.5, 3)),
            LrTrace::from_lr("factor 0.1, patience 5", replay(0.1, 5)),
            LrTrace::from_lr("factor 0.2, patience 10", replay(0.2, 10)),
        ],
        metrics: vec![MetricSeries::solid("val_loss (recorded)", val.clone())],
        ..ChartSpec::default()
    };
    write("compare.png", &render_png(&compare).unwrap());

    // LR panel only, a long run, huge range.
    let long: Vec<f64> = (0..1000).map(|e| 1.0 * 0.5f64.powi(e / 40)).collect();
    let long_spec = ChartSpec {
        title: "1000 epochs, 7 decades, no metric".into(),
        lr_traces: vec![LrTrace::from_lr("long", long)],
        ..ChartSpec::default()
    };
    write("long.png", &render_png(&long_spec).unwrap());

    let heat = HeatmapSpec {
        title: "Reductions over the recorded val_loss".into(),
        subtitle: vec!["Keras 3 semantics, min_lr=1e-4, cooldown=0".into()],
        x_label: "patience".into(),
        y_label: "factor".into(),
        x_values: (2..=10).map(|p| p.to_string()).collect(),
        y_values: vec!["0.1".into(), "0.2".into(), "0.5".into(), "0.8".into()],
        cells: [0.1, 0.2, 0.5, 0.8]
            .iter()
            .map(|&f| {
                (2..=10)
                    .map(|p| {
                        if f == 0.8 && p == 10 {
                            f64::NAN
                        } else {
                            lrviz_viz::detect_reductions(&replay(f, p)).len() as f64
                        }
                    })
                    .collect()
            })
            .collect(),
        value_label: "number of reductions".into(),
        ..HeatmapSpec::default()
    };
    write("heatmap.png", &render_heatmap_png(&heat).unwrap());
    write("heatmap.svg", render_heatmap_svg(&heat).unwrap().as_bytes());
    // The smallest supported size, with a long subtitle that wraps and a two-row legend.
    let mut tiny = keras_spec.clone();
    tiny.width = 600;
    tiny.height = 400;
    write("keras-600x400.png", &render_png(&tiny).unwrap());
    let mut big = keras_spec.clone();
    big.width = 1800;
    big.height = 1000;
    write("keras-1800x1000.png", &render_png(&big).unwrap());

    // Constant LR (no reductions), log metric scale, many traces with long labels.
    let flat = ChartSpec {
        title: "constant LR, log-scale metric".into(),
        lr_traces: vec![LrTrace::from_lr("flat", vec![0.1; 60])],
        metrics: vec![
            MetricSeries::solid("val_loss", val.clone()),
            MetricSeries::dashed("loss", loss.clone()),
        ],
        metric_log_scale: true,
        ..ChartSpec::default()
    };
    write("flat-logmetric.png", &render_png(&flat).unwrap());
    let many = ChartSpec {
        title: "eight settings".into(),
        subtitle: vec!["a deliberately long subtitle line that has to wrap because it holds every setting of every run in this sweep, factor, patience, cooldown, min_delta and min_lr, twice over: factor, patience, cooldown, min_delta and min_lr".into()],
        lr_traces: (0..8)
            .map(|i| LrTrace::from_lr(format!("factor {}, patience {}", [0.1, 0.2, 0.5, 0.8][i % 4], 2 + i), replay([0.1, 0.2, 0.5, 0.8][i % 4], 2 + i)))
            .collect(),
        metrics: vec![MetricSeries::solid("val_loss", val.clone())],
        ..ChartSpec::default()
    };
    write("many.png", &render_png(&many).unwrap());

    let big_heat = HeatmapSpec {
        title: "final LR over patience x factor".into(),
        x_label: "patience".into(),
        y_label: "factor".into(),
        x_values: (1..=30).map(|p| p.to_string()).collect(),
        y_values: (1..=12)
            .map(|f| format!("{:.2}", f as f64 * 0.075))
            .collect(),
        cells: (1..=12)
            .map(|f| {
                (1..=30)
                    .map(|p| *replay(f as f64 * 0.075, p).last().unwrap())
                    .collect()
            })
            .collect(),
        value_label: "final learning rate".into(),
        ..HeatmapSpec::default()
    };
    write("heatmap-big.png", &render_heatmap_png(&big_heat).unwrap());
    println!("wrote {dir}");
}
