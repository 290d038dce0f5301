//! Data for lrviz: seeded synthetic sets, CSV data sets, splitting and standardization, and
//! readers for training logs written by Keras, PyTorch Lightning and lrviz itself.
//!
//! Everything is plain Rust on `Vec<f32>` (data sets) and `Vec<f64>` (logs): no candle here, so
//! `model` can build tensors from a [`Dataset`] and `replay`/`plot` can read a [`TrainingLog`]
//! without pulling in a tensor library. The file formats and error behaviour are documented in
//! `docs/data-formats.md`.
//!
//! - [`synthetic`]: `random`, `linear`, `moons`, `circles` from one seed.
//! - [`load_csv`] / [`parse_csv`]: a header row, numeric features, a binary label column.
//! - [`train_val_split`], [`Standardizer`]: seeded (optionally stratified) split, z-scores with
//!   training statistics only.
//! - [`logs`] ([`read_log`], [`read_log_from`]): per-epoch series from a log, streamed.
//!
//! Library functions never panic on user input; every failure is a [`DataError`] naming the
//! file, the 1-based line and the column where it can.
//!
//! ```
//! use lrviz_data::{parse_csv, train_val_split, CsvOptions, Standardizer, BREAST_CANCER_CSV};
//! let ds = parse_csv(BREAST_CANCER_CSV.as_bytes(), "breast_cancer_wisconsin.csv",
//!                    &CsvOptions::default()).unwrap();
//! let mut split = train_val_split(&ds, 0.2, true, true, 42).unwrap();
//! let scaler = Standardizer::fit(&split.train);
//! scaler.apply(&mut split.train);
//! scaler.apply(&mut split.val);
//! assert_eq!(split.train.n_rows() + split.val.n_rows(), 569);
//! ```

#![warn(missing_docs)]

mod dataset;
mod error;
#[doc(hidden)]
pub mod fuzz;
pub mod logs;
mod split;
mod synthetic;
mod table;
mod text;

pub use dataset::Dataset;
pub use error::DataError;
pub use logs::{read_log, read_log_from, LogFormat, LrGranularity, TrainingLog, MAX_LOG_EPOCHS};
pub use split::{train_val_split, Split, Standardizer};
pub use synthetic::{
    synthetic, SyntheticKind, SyntheticSpec, CIRCLES_FACTOR, MAX_SYNTHETIC_VALUES,
};
pub use table::{load_csv, load_csv_with_limit, parse_csv, CsvOptions, DEFAULT_MAX_CSV_BYTES};

/// The Breast Cancer Wisconsin (Diagnostic) data set shipped in `data/` (569 rows, 30 features,
/// label `benign`: 1 = benign, 357 rows), embedded so the binary needs no data directory.
/// Attribution (UCI, CC BY 4.0): `data/README.md`.
pub const BREAST_CANCER_CSV: &str = include_str!("../../../data/breast_cancer_wisconsin.csv");
