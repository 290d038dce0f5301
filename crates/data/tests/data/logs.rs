//! CSV training logs: the real Keras and Lightning logs, format detection, sparse joins,
//! repeated and out-of-order epochs, and malformed input.

use std::io::Read;
use std::path::Path;

use lrviz_data::{read_log, read_log_from, LogFormat, LrGranularity, TrainingLog};

use crate::data_path;

fn log(text: &str) -> TrainingLog {
    read_log_from(text.as_bytes(), "l.csv", None).unwrap()
}

fn log_err(text: &str, format: Option<LogFormat>) -> String {
    match read_log_from(text.as_bytes(), "l.csv", format) {
        Ok(l) => panic!("expected an error, got {} epochs", l.n_epochs()),
        Err(e) => e.to_string(),
    }
}

/// Epochs `e` at whose end the LR was cut: the LR of epoch `e + 1` is below that of `e`.
fn cut_epochs(log: &TrainingLog) -> Vec<u64> {
    let lr = log.lr().unwrap();
    (0..lr.len() - 1)
        .filter(|&i| lr[i + 1] < lr[i])
        .map(|i| log.epochs[i])
        .collect()
}

#[test]
fn keras3_log_has_60_epochs_and_learning_rate() {
    let log = read_log(Path::new(data_path!("logs/keras3_csvlogger.csv")), None).unwrap();
    assert_eq!(log.format, LogFormat::KerasCsv);
    assert_eq!(log.epochs, (0..60).collect::<Vec<u64>>());
    assert_eq!(
        log.columns,
        [
            "accuracy",
            "learning_rate",
            "loss",
            "val_accuracy",
            "val_loss"
        ]
    );
    assert_eq!(log.lr_column.as_deref(), Some("learning_rate"));
    assert_eq!(log.lr_granularity, LrGranularity::PerEpoch);
    let lr = log.lr().unwrap();
    // First and last rows of the file: 0.05 and 1e-4 as float32 printed in double.
    assert_eq!(lr[0], 0.05000000074505806);
    assert_eq!(lr[59], 9.999999747378752e-05);
    assert_eq!(log.column("val_loss").unwrap()[0], 0.38964077830314636);
    // logs/README.md: Keras printed reductions at (1-based) epochs 52, 55, 58: decided at the
    // end of 0-based epochs 51, 54, 57.
    assert!(
        cut_epochs(&log).ends_with(&[51, 54, 57]),
        "{:?}",
        cut_epochs(&log)
    );
    assert!(log.notes.is_empty(), "{:?}", log.notes);
}

#[test]
fn lightning_log_joins_lr_rows_to_60_epochs() {
    let log = read_log(Path::new(data_path!("logs/lightning_metrics.csv")), None).unwrap();
    assert_eq!(log.format, LogFormat::Lightning);
    assert_eq!(log.epochs, (0..60).collect::<Vec<u64>>());
    assert_eq!(log.columns, ["lr-SGD", "train_loss", "val_acc", "val_loss"]);
    assert_eq!(log.lr_column.as_deref(), Some("lr-SGD"));
    assert_eq!(log.lr_granularity, LrGranularity::PerEpoch);
    let lr = log.lr().unwrap();
    // File: `,0.05,0,,,` (step 0) precedes epoch 0's metric rows at step 14.
    assert_eq!(lr[0], 0.05);
    // File tail: `,0.003125,870` then epoch 58 at step 884; `,0.0015625,885` then epoch 59.
    assert_eq!((lr[58], lr[59]), (0.003125, 0.0015625));
    // Epoch 0's two metric rows (val row, train row) merge into one record.
    assert_eq!(log.column("val_loss").unwrap()[0], 0.5535420775413513);
    assert_eq!(log.column("train_loss").unwrap()[0], 0.6544661521911621);
    assert_eq!(log.column("val_acc").unwrap()[59], 0.9649122953414917);
    assert!(log
        .series
        .values()
        .all(|s| s.len() == 60 && s.iter().all(|v| v.is_finite())));
    assert!(log.notes.is_empty(), "{:?}", log.notes);
}

#[test]
fn lightning_per_step_lr_takes_the_first_value_of_each_epoch() {
    // Three epochs of four steps; the LR is logged at every step and halves at step 6.
    let mut text = String::from("epoch,lr-Adam,step,val_loss\n");
    for epoch in 0..3u64 {
        for s in epoch * 4..epoch * 4 + 4 {
            let lr = if s < 6 { 0.1 } else { 0.05 };
            text.push_str(&format!(",{lr},{s},\n"));
        }
        text.push_str(&format!(
            "{epoch},,{},{}\n",
            epoch * 4 + 3,
            1.0 / (epoch + 1) as f64
        ));
    }
    let log = log(&text);
    assert_eq!(log.lr_granularity, LrGranularity::PerStep);
    // Epoch 1 spans steps 4..=7: its first LR (step 4) is 0.1 although step 6 cut it.
    assert_eq!(log.lr().unwrap(), [0.1, 0.1, 0.05]);
    assert_eq!(log.column("val_loss").unwrap(), [1.0, 0.5, 1.0 / 3.0]);
    assert_eq!(
        log.notes,
        ["LR logged per step; the first value in each epoch is used"]
    );
}

#[test]
fn lightning_resumed_run_replaces_the_repeated_epochs() {
    // Epochs 0-2, then a resume from the end of epoch 0 logs epochs 1-2 again at the same steps.
    let text = "epoch,lr-SGD,step,val_loss\n\
                ,0.1,0,\n0,,9,0.9\n,0.1,10,\n1,,19,0.8\n,0.05,20,\n2,,29,0.7\n\
                ,0.1,10,\n1,,19,0.85\n,0.02,20,\n2,,29,0.75\n";
    let log = log(text);
    assert_eq!(log.epochs, [0, 1, 2]);
    assert_eq!(log.column("val_loss").unwrap(), [0.9, 0.85, 0.75]);
    assert_eq!(log.lr().unwrap(), [0.1, 0.1, 0.02]);
    assert_eq!(log.lr_granularity, LrGranularity::PerEpoch);
    assert_eq!(
        log.notes,
        ["epochs 1-2 appeared more than once (resumed run?); the later rows were kept"]
    );
}

#[test]
fn lightning_lr_after_the_last_metric_row_is_reported() {
    let log = log("epoch,lr-SGD,step,val_loss\n,0.1,0,\n0,,9,0.5\n,0.1,10,\n");
    assert_eq!(log.epochs, [0]);
    assert_eq!(log.notes.len(), 1);
    assert!(
        log.notes[0].starts_with("1 value(s) logged without an epoch after"),
        "{:?}",
        log.notes
    );
}

#[test]
fn keras_resumed_log_keeps_the_later_rows_and_says_so() {
    // A run logged epochs 0-4, was resumed from epoch 3 with CSVLogger(append=True).
    let text = "epoch,learning_rate,val_loss\n\
                0,0.1,1.0\n1,0.1,0.9\n2,0.1,0.8\n3,0.1,0.8\n4,0.1,0.8\n\
                3,0.1,0.75\n4,0.01,0.7\n5,0.01,0.6\n";
    let log = log(text);
    assert_eq!(log.epochs, [0, 1, 2, 3, 4, 5]);
    assert_eq!(
        log.column("val_loss").unwrap(),
        [1.0, 0.9, 0.8, 0.75, 0.7, 0.6]
    );
    assert_eq!(log.lr().unwrap()[4], 0.01);
    assert_eq!(
        log.notes,
        ["epochs 3-4 appeared more than once (resumed run?); the later rows were kept"]
    );
}

#[test]
fn rows_out_of_order_are_sorted() {
    let log = log("epoch,lr,loss\n2,0.1,0.3\n0,0.1,0.5\n1,0.1,0.4\n");
    assert_eq!(log.format, LogFormat::KerasCsv);
    assert_eq!(log.lr_column.as_deref(), Some("lr"));
    assert_eq!(log.epochs, [0, 1, 2]);
    assert_eq!(log.column("loss").unwrap(), [0.5, 0.4, 0.3]);
    assert_eq!(
        log.notes,
        ["rows were not in epoch order; they were sorted by epoch"]
    );
}

#[test]
fn format_detection_by_header() {
    let cases = [
        (
            "epoch,accuracy,learning_rate,loss\n0,1,0.1,1\n",
            LogFormat::KerasCsv,
        ),
        (
            "epoch,accuracy,loss,lr,val_loss\n0,1,1,0.1,1\n",
            LogFormat::KerasCsv,
        ),
        (
            "epoch,learning_rate,loss,accuracy,val_loss,val_accuracy,reduced,lr_after\n\
             0,0.1,1,0.5,1,0.5,false,\n",
            LogFormat::LrvizCsv,
        ),
        (
            "epoch,lr-SGD,step,val_loss\n0,,1,0.5\n",
            LogFormat::Lightning,
        ),
        ("epoch,val_loss\n0,0.5\n", LogFormat::GenericCsv),
        ("loss,val_loss\n0.5,0.6\n", LogFormat::GenericCsv),
    ];
    for (text, want) in cases {
        assert_eq!(log(text).format, want, "{text}");
    }
}

#[test]
fn lrviz_history_csv_reads_the_reduced_marker() {
    let text = "epoch,learning_rate,loss,accuracy,val_loss,val_accuracy,reduced,lr_after\n\
                0,0.1,0.7,0.5,0.69,0.5,false,\n\
                1,0.1,0.69,0.5,0.69,0.5,true,0.01\n\
                2,0.01,0.68,0.5,0.69,0.5,false,\n";
    let log = log(text);
    assert_eq!(log.column("reduced").unwrap(), [0.0, 1.0, 0.0]);
    let after = log.column("lr_after").unwrap();
    assert!(after[0].is_nan() && after[1] == 0.01 && after[2].is_nan());
    assert_eq!(log.lr().unwrap(), [0.1, 0.1, 0.01]);
}

#[test]
fn generic_csv_without_epoch_numbers_rows() {
    let log = log("val_loss,Learning Rate\n0.5,0.1\n0.4,0.1\n");
    assert_eq!(log.format, LogFormat::GenericCsv);
    assert_eq!(log.epochs, [0, 1]);
    assert_eq!(log.lr_column.as_deref(), Some("Learning Rate"));
    assert_eq!(
        log.notes,
        ["no `epoch` column; rows are numbered from epoch 0"]
    );
    let no_lr = self::log("epoch,val_loss\n0,0.5\n");
    assert_eq!(
        (no_lr.lr_column.clone(), no_lr.lr_granularity),
        (None, LrGranularity::None)
    );
    assert_eq!(no_lr.lr(), None);
}

#[test]
fn non_finite_spellings_empty_cells_and_booleans() {
    let log = log("epoch,a,b\n0,nan,inf\n1,NaN,-Infinity\n2,INF,\n3,TRUE,-inf\n");
    let a = log.column("a").unwrap();
    let b = log.column("b").unwrap();
    assert!(a[0].is_nan() && a[1].is_nan() && a[2] == f64::INFINITY && a[3] == 1.0);
    assert_eq!(b[0], f64::INFINITY);
    assert_eq!(b[1], f64::NEG_INFINITY);
    assert!(b[2].is_nan(), "empty cell is absent: NaN");
    assert_eq!(b[3], f64::NEG_INFINITY);
}

#[test]
fn bom_crlf_semicolons_tabs_quotes_and_whole_float_epochs() {
    let log = log(
        "\u{feff}\r\n\"epoch\";\"learning_rate\";\"val loss\"\r\n0.0;0.1;\"0.5\"\r\n1;0.1;0.25\r\n",
    );
    assert_eq!(log.format, LogFormat::KerasCsv);
    assert_eq!(log.epochs, [0, 1]);
    assert_eq!(log.column("val loss").unwrap(), [0.5, 0.25]);
    let tabbed = self::log("epoch\tlr\n0\t0.1\n1\t0.01\n");
    assert_eq!(tabbed.lr().unwrap(), [0.1, 0.01]);
}

#[test]
fn column_error_lists_the_available_columns() {
    let log = log("epoch,lr,loss\n0,0.1,0.5\n");
    assert_eq!(
        log.column("val_loss").unwrap_err().to_string(),
        "no column `val_loss` in the log; available columns: `lr`, `loss`"
    );
}

#[test]
fn malformed_logs_name_line_and_column() {
    assert_eq!(
        log_err("epoch,lr,loss\n0,0.1,0.5\n1,0.1,abc\n", None),
        "l.csv:3: column `loss`: `abc` is not a number; expected a number, nan, inf, true/false \
         or an empty cell"
    );
    // Leading blank lines count: the header is on line 3 here, the bad row on line 5.
    assert_eq!(
        log_err("\n\nepoch,lr\n0,0.1\n1.5,0.1\n", None),
        "l.csv:5: column `epoch`: `1.5` is not a non-negative whole number"
    );
    assert_eq!(
        log_err("epoch,lr\n-1,0.1\n", None),
        "l.csv:2: column `epoch`: `-1` is not a non-negative whole number"
    );
    assert_eq!(
        log_err("epoch,lr\n0,0.1\n1\n", None),
        "l.csv:3: row has 1 fields, expected 2 as in the header; every row needs one field per \
         column"
    );
    assert_eq!(
        read_log_from(&b"epoch,lr\n0,0.1\n1,\xFF\n"[..], "l.csv", None)
            .unwrap_err()
            .to_string(),
        "l.csv:3: not valid UTF-8 text; save the file as UTF-8"
    );
    assert_eq!(
        log_err("epoch,lr,lr\n0,1,1\n", None),
        "l.csv:1: column name `lr` appears twice (columns 2 and 3); column names must be unique"
    );
}

#[test]
fn empty_header_only_and_unknown_logs() {
    let empty = "l.csv: empty file; expected a header row followed by data rows";
    assert_eq!(log_err("", None), empty);
    assert_eq!(log_err("\u{feff} \n\t\n", None), empty);
    assert_eq!(
        log_err("epoch,lr\n", None),
        "l.csv: no usable rows: the log has a header but no rows of values"
    );
    assert_eq!(
        log_err("epoch,lr\n,0.1\n,0.2\n", None),
        "l.csv: no usable rows: none of the 2 row(s) has an epoch or a step"
    );
    assert_eq!(
        log_err("0,0.1,0.5\n1,0.1,0.4\n", None),
        "l.csv: cannot tell the log format: the first line `0,0.1,0.5` looks like data, not a \
         header row; give the format (keras, lightning, lrviz-csv, lrviz-json, csv)"
    );
    assert_eq!(
        log_err("[1, 2]", None),
        "l.csv: cannot tell the log format: a JSON array; an lrviz history.json is an object \
         with an \"epochs\" array; give the format (keras, lightning, lrviz-csv, lrviz-json, csv)"
    );
}

#[test]
fn a_forced_format_needs_its_columns() {
    assert_eq!(
        log_err("loss,val_loss\n1,1\n", Some(LogFormat::KerasCsv)),
        "l.csv: not a keras log: no `epoch` column; columns: `loss`, `val_loss`"
    );
    assert_eq!(
        log_err("epoch,val_loss\n0,1\n", Some(LogFormat::Lightning)),
        "l.csv: not a lightning log: no `step` column; columns: `epoch`, `val_loss`"
    );
    // Forcing generic CSV on a Lightning file keeps `step` as a column and skips LR rows.
    let generic = read_log_from(
        "epoch,lr-SGD,step,val_loss\n,0.1,0,\n0,,9,0.5\n".as_bytes(),
        "l.csv",
        Some(LogFormat::GenericCsv),
    )
    .unwrap();
    assert_eq!(generic.format, LogFormat::GenericCsv);
    assert_eq!(generic.columns, ["lr-SGD", "step", "val_loss"]);
    assert_eq!(
        generic.notes,
        ["1 row(s) without an epoch (or step) were skipped"]
    );
}

#[test]
fn read_log_path_errors() {
    let dir = std::env::temp_dir();
    assert_eq!(
        read_log(&dir, None).unwrap_err().to_string(),
        format!(
            "{}: is a directory, not a file; give the path of a file",
            dir.display()
        )
    );
    let missing = dir.join("lrviz-no-such-log.csv");
    assert_eq!(
        read_log(&missing, None).unwrap_err().to_string(),
        format!("{}: no such file", missing.display())
    );
}

#[test]
fn log_format_names() {
    for f in LogFormat::ALL {
        assert_eq!(f.to_string().parse::<LogFormat>().unwrap(), f);
    }
    assert_eq!(
        "Lightning".parse::<LogFormat>().unwrap(),
        LogFormat::Lightning
    );
    assert_eq!(
        "tensorboard".parse::<LogFormat>().unwrap_err().to_string(),
        "unknown log format `tensorboard`; valid formats: keras, lightning, lrviz-csv, \
         lrviz-json, csv"
    );
}

/// A reader that generates a Lightning per-step log on the fly (no file, no string in memory).
struct LightningGen {
    epochs: u64,
    steps: u64,
    epoch: u64,
    step: u64,
    buf: Vec<u8>,
    pos: usize,
}

impl Read for LightningGen {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
            if self.epoch == 0 && self.step == 0 {
                self.buf
                    .extend_from_slice(b"epoch,lr-SGD,step,train_loss,val_loss\n");
            }
            if self.epoch == self.epochs {
                return Ok(0);
            }
            let s = self.epoch * self.steps + self.step;
            // LR halves every 10 epochs; logged per step.
            let lr = 0.1 / f64::from(1u32 << (self.epoch / 10));
            self.buf
                .extend_from_slice(format!(",{lr},{s},,\n").as_bytes());
            self.step += 1;
            if self.step == self.steps {
                let e = self.epoch;
                self.buf.extend_from_slice(
                    format!(
                        "{e},,{s},{},\n{e},,{s},,{}\n",
                        1.0 / (e + 1) as f64,
                        2.0 / (e + 1) as f64
                    )
                    .as_bytes(),
                );
                self.epoch += 1;
                self.step = 0;
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[test]
fn a_long_per_step_log_streams_into_per_epoch_series() {
    // 40 epochs x 2,000 steps = 80,000 LR rows (about 1.5 MB of text) into 40 values per column.
    let gen = LightningGen {
        epochs: 40,
        steps: 2000,
        epoch: 0,
        step: 0,
        buf: Vec::new(),
        pos: 0,
    };
    let log = read_log_from(gen, "gen.csv", None).unwrap();
    assert_eq!(log.epochs, (0..40).collect::<Vec<u64>>());
    assert_eq!(log.lr_granularity, LrGranularity::PerStep);
    let lr = log.lr().unwrap();
    assert_eq!((lr[0], lr[9], lr[10], lr[39]), (0.1, 0.1, 0.05, 0.0125));
    assert_eq!(log.column("val_loss").unwrap()[3], 0.5);
    assert_eq!(log.column("train_loss").unwrap()[1], 0.5);
}

#[test]
fn lightning_lr_logged_at_the_previous_epochs_last_step_joins_the_next_epoch() {
    // Some versions log epoch-start LR at the step of the previous epoch's metrics: file order
    // decides (the LR row after epoch 0's metric rows belongs to epoch 1).
    let log = log("epoch,lr-SGD,step,val_loss\n,0.1,0,\n0,,9,0.5\n,0.05,9,\n1,,19,0.4\n");
    assert_eq!(log.lr().unwrap(), [0.1, 0.05]);
    assert_eq!(log.lr_granularity, LrGranularity::PerEpoch);
    assert!(log.notes.is_empty(), "{:?}", log.notes);
}

#[test]
fn crlf_logs_report_the_line_an_editor_shows() {
    // The bad cell is on line 4 (header = line 1) with either line end.
    for eol in ["\n", "\r\n"] {
        let text = ["epoch,val_loss", "0,1", "1,0.5", "2,oops"].join(eol) + eol;
        let msg = read_log_from(text.as_bytes(), "l.csv", None)
            .unwrap_err()
            .to_string();
        assert!(
            msg.starts_with("l.csv:4: column `val_loss`: `oops`"),
            "{eol:?}: {msg}"
        );
    }
}
