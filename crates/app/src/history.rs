//! `history.json` and `history.csv`: what a training run did, epoch by epoch.
//!
//! The JSON carries the settings, the seed, one record per epoch (with the plateau decision and
//! the numbers behind it) and the reduction events. Nothing in it depends on the clock, so two
//! runs with the same settings and seed write identical bytes. Non-finite numbers are written as
//! the strings `"NaN"`, `"Infinity"`, `"-Infinity"`. The CSV uses the column names (and order)
//! of Keras' `CSVLogger`, so tools that read Keras logs read it too.

use lrviz_model::{EpochLogs, StopReason};
use lrviz_scheduler::{python_float_repr, serde_f64, EpochDecision, PlateauConfig};
use serde::{Deserialize, Serialize};

/// The schema version this lrviz writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// One epoch of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// 0-based epoch.
    pub epoch: usize,
    /// LR used during the epoch.
    #[serde(with = "serde_f64")]
    pub learning_rate: f64,
    /// Mean training loss.
    #[serde(with = "serde_f64")]
    pub loss: f64,
    /// Training accuracy.
    #[serde(with = "serde_f64")]
    pub accuracy: f64,
    /// Validation loss.
    #[serde(with = "serde_f64")]
    pub val_loss: f64,
    /// Validation accuracy.
    #[serde(with = "serde_f64")]
    pub val_accuracy: f64,
    /// Whether the LR was lowered at the end of this epoch.
    pub reduced: bool,
    /// The LR after this epoch's decision (what the next epoch uses).
    #[serde(with = "serde_f64")]
    pub lr_after: f64,
    /// The plateau decision and the numbers behind it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub decision: Option<EpochDecision>,
}

/// A reduction event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReductionRecord {
    /// The epoch at whose end it happened (0-based).
    pub epoch: usize,
    /// LR before.
    #[serde(with = "serde_f64")]
    pub from: f64,
    /// LR after.
    #[serde(with = "serde_f64")]
    pub to: f64,
}

/// Where the data came from and how it was prepared.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataInfo {
    /// File path or synthetic generator description.
    pub source: String,
    /// Label column.
    pub label: String,
    /// For string labels: (value mapped to 1, value mapped to 0).
    pub label_map: Option<(String, String)>,
    /// Feature count.
    pub features: usize,
    /// Training rows.
    pub train_rows: usize,
    /// Validation rows.
    pub val_rows: usize,
    /// Validation fraction.
    pub val_split: f64,
    /// Stratified split.
    pub stratified: bool,
    /// Features standardized with training-split statistics.
    pub standardized: bool,
}

/// Training settings as recorded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingInfo {
    /// Epochs asked for.
    pub epochs: usize,
    /// Batch size.
    pub batch_size: usize,
    /// Initial LR.
    pub lr: f64,
    /// SGD momentum.
    pub momentum: f64,
    /// Nesterov momentum.
    pub nesterov: bool,
    /// Hidden layer widths.
    pub hidden: Vec<usize>,
    /// Hidden activation.
    pub activation: String,
    /// Trainable parameters.
    pub parameters: usize,
    /// Whether a NaN loss stops the run (false: the scheduler sees it).
    pub stop_on_nan: bool,
}

/// Summary figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Epochs that ran.
    pub epochs_run: usize,
    /// Number of reductions.
    pub reductions: usize,
    /// Epoch with the lowest validation loss.
    pub best_epoch: Option<usize>,
    /// Lowest validation loss.
    #[serde(with = "serde_f64::option")]
    pub best_val_loss: Option<f64>,
    /// Validation accuracy at the best epoch.
    #[serde(with = "serde_f64::option")]
    pub best_val_accuracy: Option<f64>,
    /// Validation loss of the last epoch.
    #[serde(with = "serde_f64::option")]
    pub final_val_loss: Option<f64>,
    /// LR after the last epoch.
    #[serde(with = "serde_f64")]
    pub final_lr: f64,
}

/// The whole `history.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// Format version ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The lrviz version that wrote it.
    pub lrviz_version: String,
    /// The one seed of the run.
    pub seed: u64,
    /// Data set.
    pub data: DataInfo,
    /// Training settings.
    pub training: TrainingInfo,
    /// Plateau settings.
    pub plateau: PlateauConfig,
    /// EarlyStopping patience, when enabled.
    pub early_stopping_patience: Option<usize>,
    /// Why training ended.
    pub stop: StopReason,
    /// Warnings about surprising settings.
    pub warnings: Vec<String>,
    /// One record per epoch.
    pub epochs: Vec<EpochRecord>,
    /// Reduction events.
    pub reductions: Vec<ReductionRecord>,
    /// Summary figures.
    pub summary: Summary,
}

impl History {
    /// Joins the trainer's logs with the plateau decisions (one per complete epoch).
    pub fn records(logs: &[EpochLogs], decisions: &[EpochDecision]) -> Vec<EpochRecord> {
        logs.iter()
            .enumerate()
            .map(|(i, l)| {
                let d = decisions.get(i).cloned();
                let lr_after = d.as_ref().map_or(l.learning_rate, |d| d.lr_after);
                EpochRecord {
                    epoch: l.epoch,
                    learning_rate: l.learning_rate,
                    loss: l.loss,
                    accuracy: l.accuracy,
                    val_loss: l.val_loss,
                    val_accuracy: l.val_accuracy,
                    reduced: d.as_ref().is_some_and(|d| d.reduced()),
                    lr_after,
                    decision: d,
                }
            })
            .collect()
    }

    /// Reduction events derived from the records.
    pub fn reductions_of(records: &[EpochRecord]) -> Vec<ReductionRecord> {
        records
            .iter()
            .filter(|r| r.reduced)
            .map(|r| ReductionRecord {
                epoch: r.epoch,
                from: r.learning_rate,
                to: r.lr_after,
            })
            .collect()
    }

    /// Summary figures derived from the records.
    pub fn summary_of(records: &[EpochRecord], initial_lr: f64) -> Summary {
        let best = records
            .iter()
            .filter(|r| r.val_loss.is_finite())
            .min_by(|a, b| a.val_loss.total_cmp(&b.val_loss));
        Summary {
            epochs_run: records.len(),
            reductions: records.iter().filter(|r| r.reduced).count(),
            best_epoch: best.map(|r| r.epoch),
            best_val_loss: best.map(|r| r.val_loss),
            best_val_accuracy: best.map(|r| r.val_accuracy),
            final_val_loss: records.last().map(|r| r.val_loss),
            final_lr: records.last().map_or(initial_lr, |r| r.lr_after),
        }
    }

    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("history serializes");
        s.push('\n');
        s
    }

    /// Keras CSVLogger-compatible CSV: `epoch` then the sorted metric keys, then lrviz's own
    /// `reduced` (0/1) and `lr_after` columns. Numbers as Python prints them.
    pub fn to_csv(&self) -> String {
        let mut out = String::from(
            "epoch,accuracy,learning_rate,loss,val_accuracy,val_loss,reduced,lr_after\n",
        );
        for r in &self.epochs {
            let f = python_float_repr;
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{}\n",
                r.epoch,
                f(r.accuracy),
                f(r.learning_rate),
                f(r.loss),
                f(r.val_accuracy),
                f(r.val_loss),
                u8::from(r.reduced),
                f(r.lr_after)
            ));
        }
        out
    }
}
