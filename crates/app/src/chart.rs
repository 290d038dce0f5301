//! Building chart specifications from lrviz's own records.

use lrviz_viz::{ChartSpec, LrTrace, MetricSeries, Reduction};

use crate::history::{EpochRecord, History};

/// The LR trace of a run: the LR used in each epoch and the reductions decided at epoch ends.
pub fn lr_trace(label: &str, records: &[EpochRecord]) -> LrTrace {
    LrTrace {
        label: label.to_string(),
        lr: records.iter().map(|r| r.learning_rate).collect(),
        reductions: records
            .iter()
            .filter(|r| r.reduced)
            .map(|r| Reduction {
                epoch: r.epoch,
                from: r.learning_rate,
                to: r.lr_after,
            })
            .collect(),
    }
}

/// The two-panel chart of a training run: LR on top, validation and training loss below.
pub fn training_chart(h: &History) -> ChartSpec {
    let mut subtitle = vec![
        h.plateau.summary(),
        format!(
            "data {} ({} train / {} val rows, {} features) · MLP {}-{}-1 {} · SGD lr {}{} · batch {} · seed {}",
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
            h.training.lr,
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
    let mut notes = Vec::new();
    if let Some(best) = h.summary.best_epoch {
        notes.push(format!(
            "best val_loss {:.4} at epoch {best} (val_accuracy {:.3}); {} reduction(s); stop: {}",
            h.summary.best_val_loss.unwrap_or(f64::NAN),
            h.summary.best_val_accuracy.unwrap_or(f64::NAN),
            h.summary.reductions,
            stop_text(&h.stop)
        ));
    }
    ChartSpec {
        title: format!(
            "Learning rate under ReduceLROnPlateau ({})",
            h.plateau.flavor
        ),
        subtitle,
        lr_traces: vec![lr_trace("learning rate", &h.epochs)],
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
        } => format!("interrupted in epoch {epoch} after {batches_done} batches"),
    }
}

/// The chart of a replay: the replayed LR over the monitored series.
pub fn replay_chart(r: &crate::replay_cmd::ReplayReport) -> ChartSpec {
    let trace = LrTrace {
        label: format!("learning rate ({} replay)", r.config.flavor),
        lr: r.decisions.iter().map(|d| d.lr_before).collect(),
        reductions: r
            .decisions
            .iter()
            .filter(|d| d.reduced())
            .map(|d| Reduction {
                epoch: d.epoch as usize,
                from: d.lr_before,
                to: d.lr_after,
            })
            .collect(),
    };
    let mut subtitle = vec![
        r.config.summary(),
        format!("replayed on {} of {}", r.monitor, r.source),
    ];
    subtitle.extend(r.warnings.iter().map(|w| format!("warning: {w}")));
    let mut notes = vec![
        "a replay shows what the schedule decides on the recorded curve; it cannot know how the loss would have moved under the new LR".to_string(),
    ];
    notes.extend(r.logged_lr_check.clone());
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
