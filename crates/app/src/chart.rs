//! Building chart specifications from lrviz's own records.

use lrviz_viz::{ChartSpec, LrTrace, MetricSeries, Reduction};

use crate::history::History;

/// The LR trace of a run: the LR used in each epoch and the run's recorded reductions
/// (decided at epoch ends).
pub fn lr_trace(label: &str, h: &History) -> LrTrace {
    LrTrace {
        label: label.to_string(),
        lr: h.epochs.iter().map(|r| r.learning_rate).collect(),
        reductions: h
            .reductions
            .iter()
            .map(|r| Reduction {
                epoch: r.epoch,
                from: r.from,
                to: r.to,
            })
            .collect(),
    }
}

/// A trace a log axis can draw, and a note when one had to change: an LR of 0 (a Keras-flavor
/// LR under `min_lr` 0 underflows float32 to 0 after about 40 reductions) or any other value a
/// log axis cannot show is drawn one decade below the trace's smallest positive LR.
pub fn drawable(mut trace: LrTrace) -> (LrTrace, Option<String>) {
    let ok = |v: f64| v.is_finite() && v > 0.0;
    // The first epoch whose LR (used during it, or set at its end) cannot be drawn.
    let first_bad = trace
        .lr
        .iter()
        .enumerate()
        .map(|(e, &v)| (e, v))
        .chain(
            trace
                .reductions
                .iter()
                .flat_map(|r| [(r.epoch, r.from), (r.epoch + 1, r.to)]),
        )
        .filter(|&(_, v)| !ok(v))
        .min_by_key(|&(e, _)| e);
    let Some((epoch, value)) = first_bad else {
        return (trace, None);
    };
    let smallest = trace
        .lr
        .iter()
        .chain(trace.reductions.iter().flat_map(|r| [&r.from, &r.to]))
        .copied()
        .filter(|&v| ok(v))
        .fold(f64::INFINITY, f64::min);
    let floor = if smallest.is_finite() {
        smallest / 10.0
    } else {
        1e-12
    };
    let fix = |v: &mut f64| {
        if !ok(*v) {
            *v = floor;
        }
    };
    trace.lr.iter_mut().for_each(fix);
    for r in &mut trace.reductions {
        fix(&mut r.from);
        fix(&mut r.to);
    }
    let note = format!(
        "the learning rate is {value} from epoch {epoch}, which a log axis cannot show: drawn at {}, a decade below the smallest positive LR",
        lrviz_viz::format_lr(floor)
    );
    (trace, Some(note))
}

/// The two-panel chart of a training run: LR on top, validation and training loss below.
pub fn training_chart(h: &History) -> ChartSpec {
    let mut subtitle = vec![
        h.plateau.summary(),
        format!(
            "data: {} ({} train / {} val rows, {} features) · MLP {}-{}-1 {} · SGD lr {}{} · batch {} · seed {}",
            h.data.source,
            h.data.train_rows,
            h.data.val_rows,
            h.data.features,
            h.data.features,
            h.training
                .hidden
                .iter()
                .map(|w| w.to_string())
                .collect::<Vec<_>>()
                .join("-"),
            h.training.activation,
            lrviz_scheduler::python_float_repr(h.training.lr),
            if h.training.momentum > 0.0 {
                format!(" momentum {}{}", h.training.momentum, if h.training.nesterov { " nesterov" } else { "" })
            } else {
                String::new()
            },
            h.training.batch_size,
            h.seed
        ),
    ];
    subtitle.extend(h.warnings.iter().map(|w| format!("warning: {w}")));
    let (trace, lr_note) = drawable(lr_trace("learning rate", h));
    let mut notes: Vec<String> = lr_note.into_iter().collect();
    match h.summary.best_epoch {
        Some(best) => notes.push(format!(
            "best val_loss {:.4} at epoch {best} (val_accuracy {:.3}); {} reduction(s); stop: {}",
            h.summary.best_val_loss.unwrap_or(f64::NAN),
            h.summary.best_val_accuracy.unwrap_or(f64::NAN),
            h.summary.reductions,
            stop_text(&h.stop)
        )),
        None => notes.push(format!(
            "no finite val_loss; {} reduction(s); stop: {}",
            h.summary.reductions,
            stop_text(&h.stop)
        )),
    }
    ChartSpec {
        title: format!(
            "Learning rate under ReduceLROnPlateau ({})",
            h.plateau.flavor
        ),
        subtitle,
        lr_traces: vec![trace],
        metrics: vec![
            MetricSeries {
                label: "val_loss".into(),
                values: h.epochs.iter().map(|r| r.val_loss).collect(),
                dashed: false,
            },
            MetricSeries {
                label: "loss (training)".into(),
                values: h.epochs.iter().map(|r| r.loss).collect(),
                dashed: true,
            },
        ],
        metric_axis: "loss".into(),
        notes,
        ..ChartSpec::default()
    }
}

/// A short description of why a run ended.
pub fn stop_text(stop: &lrviz_model::StopReason) -> String {
    use lrviz_model::StopReason::*;
    match stop {
        Completed => "all epochs ran".into(),
        Callback { name, reason } => format!("{name}: {reason}"),
        Diverged { epoch, batch, loss } => {
            format!("diverged at epoch {epoch}, batch {batch} (loss {loss})")
        }
        Interrupted {
            epoch,
            batches_done,
        } => format!(
            "interrupted during epoch {epoch} (0-based; Epoch {} as the progress counts) after {batches_done} batch(es); that epoch is not recorded",
            epoch + 1
        ),
    }
}

/// The chart of a replay: the replayed LR over the monitored series.
pub fn replay_chart(r: &crate::replay_cmd::ReplayReport) -> ChartSpec {
    let (trace, lr_note) = drawable(LrTrace {
        label: format!("learning rate ({} replay)", r.config.flavor),
        lr: r.decisions.iter().map(|d| d.lr_before).collect(),
        reductions: r
            .decisions
            .iter()
            .enumerate()
            .filter(|(_, d)| d.reduced())
            .map(|(i, d)| Reduction {
                epoch: i,
                from: d.lr_before,
                to: d.lr_after,
            })
            .collect(),
    });
    let mut subtitle = vec![
        r.config.summary(),
        format!("replayed on {} of {}", r.monitor, r.source),
    ];
    subtitle.extend(r.warnings.iter().map(|w| format!("warning: {w}")));
    let mut notes = vec![
        "a replay shows what the schedule decides on the recorded curve; it cannot know how the loss would have moved under the new LR".to_string(),
    ];
    notes.extend(r.logged_lr_check.clone());
    notes.extend(lr_note);
    ChartSpec {
        title: format!("ReduceLROnPlateau replay ({})", r.config.flavor),
        subtitle,
        lr_traces: vec![trace],
        metrics: vec![MetricSeries {
            label: r.monitor.clone(),
            values: r.metrics.clone(),
            dashed: false,
        }],
        metric_axis: r.monitor.clone(),
        notes,
        ..ChartSpec::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_lr_of_zero_is_drawn_a_decade_below_the_smallest_positive_one() {
        // Reductions 1e-3 -> 1e-4 at epoch 0 and 1e-4 -> 0 at epoch 1 (float32 underflow).
        let trace = LrTrace {
            label: "lr".into(),
            lr: vec![1e-3, 1e-4, 0.0, 0.0],
            reductions: vec![
                Reduction {
                    epoch: 0,
                    from: 1e-3,
                    to: 1e-4,
                },
                Reduction {
                    epoch: 1,
                    from: 1e-4,
                    to: 0.0,
                },
            ],
        };
        let (t, note) = drawable(trace);
        assert_eq!(t.lr, [1e-3, 1e-4, 1e-5, 1e-5]);
        assert_eq!(t.reductions[1].to, 1e-5);
        let note = note.unwrap();
        assert!(
            note.starts_with("the learning rate is 0 from epoch 2"),
            "{note}"
        );
        let spec = ChartSpec {
            lr_traces: vec![t],
            ..ChartSpec::default()
        };
        assert!(lrviz_viz::render_svg(&spec).is_ok());
        // A drawable trace is left alone.
        let fine = LrTrace {
            label: "lr".into(),
            lr: vec![0.1, 0.1],
            reductions: vec![],
        };
        assert_eq!(drawable(fine.clone()), (fine, None));
    }
}
