//! Command-line definitions (clap derive). Only parsing lives here; the commands are in
//! their own modules.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// lrviz: train small MLPs under ReduceLROnPlateau and see, replay and tune the
/// learning-rate schedule, with the exact semantics of Keras 3, tf.keras 2 or PyTorch.
#[derive(Parser, Debug)]
#[command(name = "lrviz", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Train an MLP with SGD under ReduceLROnPlateau and draw the schedule.
    ///
    /// With no flags: 1000 random (label-noise) samples, 60 epochs, so the validation loss
    /// plateaus and the LR is reduced. Writes lr_schedule.png/.svg, history.json/.csv to --out.
    Train(TrainArgs),
    /// Apply a plateau schedule to a recorded metric series (no training).
    Replay(ReplayArgs),
    /// Like replay, but print every epoch's decision and the numbers behind it.
    Explain(ReplayArgs),
    /// Print the closest plateau settings in another flavor.
    Translate(TranslateArgs),
    /// Draw the LR schedule and metrics of a training log (Keras, Lightning, lrviz).
    ///
    /// Reductions are read off the logged LR: a drop first visible at epoch e+1 is a reduction
    /// decided at the end of epoch e. Writes lr_schedule.png/.svg to --out.
    Plot(crate::plot_cmd::PlotArgs),
    /// Replay a grid of plateau settings on a log's metric, in parallel; `sweep merge` joins shards.
    Sweep(crate::sweep_cmd::SweepArgs),
    /// Overlay the LR and metric of several logs, or replay one log under several flavors.
    Compare(crate::compare_cmd::CompareArgs),
}

/// Which framework's ReduceLROnPlateau to follow.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlavorArg {
    /// Keras 3.15 (keras.callbacks.ReduceLROnPlateau)
    #[value(alias = "keras3")]
    Keras,
    /// tf.keras / Keras 2.6-2.15
    #[value(name = "tf-keras", aliases = ["tfkeras", "tf.keras"])]
    TfKeras,
    /// PyTorch 2.x (torch.optim.lr_scheduler.ReduceLROnPlateau)
    #[value(alias = "pytorch")]
    Torch,
}

impl From<lrviz_scheduler::Flavor> for FlavorArg {
    fn from(f: lrviz_scheduler::Flavor) -> Self {
        match f {
            lrviz_scheduler::Flavor::Keras => Self::Keras,
            lrviz_scheduler::Flavor::TfKeras => Self::TfKeras,
            lrviz_scheduler::Flavor::Torch => Self::Torch,
        }
    }
}

impl From<FlavorArg> for lrviz_scheduler::Flavor {
    fn from(f: FlavorArg) -> Self {
        match f {
            FlavorArg::Keras => Self::Keras,
            FlavorArg::TfKeras => Self::TfKeras,
            FlavorArg::Torch => Self::Torch,
        }
    }
}

/// The plateau settings, shared by train, replay, explain and translate. Each default is the
/// chosen flavor's own.
#[derive(Args, Debug, Clone, Default)]
pub struct PlateauArgs {
    /// Framework semantics to reproduce [default: keras]
    #[arg(long, value_enum, help_heading = "ReduceLROnPlateau")]
    pub flavor: Option<FlavorArg>,
    /// Metric to watch [default: val_loss]
    #[arg(long, help_heading = "ReduceLROnPlateau")]
    pub monitor: Option<String>,
    /// Multiply the LR by this on a plateau, in (0, 1) [default: 0.1]
    #[arg(long, value_parser = crate::parse::finite_f64, allow_negative_numbers = true, help_heading = "ReduceLROnPlateau")]
    pub factor: Option<f64>,
    /// Bad epochs tolerated: Keras reduces on the P-th bad epoch, torch on the (P+1)-th [default: 10]
    #[arg(
        long,
        allow_negative_numbers = true,
        help_heading = "ReduceLROnPlateau"
    )]
    pub patience: Option<i64>,
    /// Epochs to wait after a reduction before counting again [default: 0]
    #[arg(
        long,
        allow_negative_numbers = true,
        help_heading = "ReduceLROnPlateau"
    )]
    pub cooldown: Option<i64>,
    /// Lower bound on the LR [default: 0]
    #[arg(long, value_parser = crate::parse::finite_f64, allow_negative_numbers = true, help_heading = "ReduceLROnPlateau")]
    pub min_lr: Option<f64>,
    /// min, max, or auto (Keras flavors: from the metric's name) [default: auto; torch: min]
    #[arg(long, help_heading = "ReduceLROnPlateau")]
    pub mode: Option<String>,
    /// Keras flavors: absolute improvement needed [default: 0.0001]
    #[arg(long, value_parser = crate::parse::finite_f64, allow_negative_numbers = true, help_heading = "ReduceLROnPlateau")]
    pub min_delta: Option<f64>,
    /// torch: improvement threshold [default: 0.0001]
    #[arg(long, value_parser = crate::parse::finite_f64, allow_negative_numbers = true, help_heading = "ReduceLROnPlateau")]
    pub threshold: Option<f64>,
    /// torch: rel (best*(1-threshold)) or abs (best-threshold) [default: rel]
    #[arg(long, help_heading = "ReduceLROnPlateau")]
    pub threshold_mode: Option<String>,
    /// torch: smallest LR change applied [default: 1e-8]
    #[arg(long, value_parser = crate::parse::finite_f64, allow_negative_numbers = true, help_heading = "ReduceLROnPlateau")]
    pub eps: Option<f64>,
}

/// Synthetic generators.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyntheticArg {
    /// Uniform features, random labels: no signal, so validation loss plateaus at once
    Random,
    /// Labels from a random hyperplane plus noise: learnable
    Linear,
    /// Two interleaved half circles
    Moons,
    /// Two concentric circles
    Circles,
}

/// `lrviz train` flags.
#[derive(Args, Debug, Clone)]
pub struct TrainArgs {
    /// CSV data set with a header row (instead of synthetic data)
    #[arg(long, value_name = "FILE", help_heading = "Data", conflicts_with_all = ["synthetic", "samples", "features"])]
    pub data: Option<PathBuf>,
    /// Label column of --data [default: the last column]
    #[arg(long, value_name = "COLUMN", help_heading = "Data")]
    pub label: Option<String>,
    /// For string labels: the value that means class 1 [default: the greater of the two, numerically or else by text]
    #[arg(long, value_name = "VALUE", help_heading = "Data")]
    pub positive: Option<String>,
    /// CSV field separator [default: detected among , ; and tab]
    #[arg(long, value_parser = crate::parse::delimiter, help_heading = "Data")]
    pub delimiter: Option<u8>,
    /// Largest --data file read into memory, e.g. 500M or 8G [default: a fifth of the
    /// available memory; 1G where unknown]
    #[arg(long, value_name = "SIZE", value_parser = crate::limits::parse_size, help_heading = "Data")]
    pub max_data_size: Option<u64>,
    /// Synthetic data generator
    #[arg(long, value_enum, default_value = "random", help_heading = "Data")]
    pub synthetic: SyntheticArg,
    /// Synthetic rows
    #[arg(long, default_value_t = 1000, allow_negative_numbers = true, value_parser = crate::parse::positive_usize, help_heading = "Data")]
    pub samples: usize,
    /// Synthetic features
    #[arg(long, default_value_t = 20, allow_negative_numbers = true, value_parser = crate::parse::positive_usize, help_heading = "Data")]
    pub features: usize,
    /// Synthetic noise (linear: std of the noise added to x·w; moons/circles: coordinate noise)
    /// [default: per kind: linear 0.5, moons 0.2, circles 0.1; random has no signal to blur]
    #[arg(long, allow_negative_numbers = true, value_parser = crate::parse::non_negative_f64, help_heading = "Data")]
    pub noise: Option<f64>,
    /// Fraction of rows held out for validation, in (0, 1)
    #[arg(long, default_value_t = 0.2, allow_negative_numbers = true, value_parser = crate::parse::fraction, help_heading = "Data")]
    pub val_split: f64,
    /// Keep the class ratio equal in both splits
    #[arg(long, help_heading = "Data")]
    pub stratify: bool,
    /// Split without shuffling: the first rows train, the last --val-split validate (as the
    /// benchmark workloads and Keras' validation_split do)
    #[arg(long, help_heading = "Data")]
    pub no_shuffle_split: bool,
    /// Standardize features with training-split statistics [default: on for --data, off for synthetic]
    #[arg(long, help_heading = "Data", conflicts_with = "no_standardize")]
    pub standardize: bool,
    /// Do not standardize features
    #[arg(long, help_heading = "Data")]
    pub no_standardize: bool,

    /// Hidden layer widths, comma-separated (e.g. 64 or 64,32)
    #[arg(long, default_value = "64", value_delimiter = ',', allow_negative_numbers = true, value_parser = crate::parse::positive_usize, help_heading = "Model")]
    pub hidden: Vec<usize>,
    /// Hidden activation: relu or tanh
    #[arg(long, default_value = "relu", help_heading = "Model")]
    pub activation: String,

    /// Epochs to train
    #[arg(long, default_value_t = 60, allow_negative_numbers = true, value_parser = crate::parse::epochs, help_heading = "Training")]
    pub epochs: usize,
    /// Rows per SGD step
    #[arg(long, default_value_t = 32, allow_negative_numbers = true, value_parser = crate::parse::positive_usize, help_heading = "Training")]
    pub batch_size: usize,
    /// Initial learning rate, > 0
    #[arg(long, default_value_t = 0.05, allow_negative_numbers = true, value_parser = crate::parse::positive_f64, help_heading = "Training")]
    pub lr: f64,
    /// SGD momentum, in [0, 1)
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true, value_parser = crate::parse::momentum, help_heading = "Training")]
    pub momentum: f64,
    /// Nesterov momentum (needs --momentum > 0)
    #[arg(long, help_heading = "Training")]
    pub nesterov: bool,
    /// The one seed: data, split, initial weights and shuffles all derive from it
    #[arg(
        long,
        default_value_t = 42,
        allow_negative_numbers = true,
        help_heading = "Training"
    )]
    pub seed: u64,
    /// Do not shuffle the training rows each epoch
    #[arg(long, help_heading = "Training")]
    pub no_shuffle: bool,
    /// Keep training on a NaN/inf loss and let the plateau logic see it (flavor-specific NaN rules)
    #[arg(long, help_heading = "Training")]
    pub nan_to_scheduler: bool,
    /// Stop when val_loss has not improved for N epochs (Keras EarlyStopping)
    #[arg(
        long,
        value_name = "N",
        allow_negative_numbers = true,
        help_heading = "Training"
    )]
    pub early_stopping: Option<usize>,
    /// With --early-stopping: put back the best epoch's weights at the end
    #[arg(long, help_heading = "Training")]
    pub restore_best_weights: bool,

    /// Plateau settings.
    #[command(flatten)]
    pub plateau: PlateauArgs,

    /// Output directory (created; only lrviz's own files in it are replaced)
    #[arg(long, default_value = "lrviz-out", help_heading = "Output")]
    pub out: PathBuf,
    /// Print only the summary
    #[arg(long, short, help_heading = "Output")]
    pub quiet: bool,
}

/// Output format of replay/explain.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A text table
    Table,
    /// One JSON object
    Json,
    /// CSV, one row per epoch
    Csv,
}

/// `lrviz replay` / `lrviz explain` flags.
#[derive(Args, Debug, Clone)]
pub struct ReplayArgs {
    /// A CSV log with a header (Keras CSVLogger, Lightning metrics.csv, lrviz history.csv) or an
    /// lrviz history.json; `-` reads stdin
    pub log: PathBuf,
    /// The LR before epoch 0 [default: the log's first logged LR]
    #[arg(long, value_parser = crate::parse::positive_f64, allow_negative_numbers = true)]
    pub lr: Option<f64>,
    /// Log format, when detection from the header is not wanted: keras, lightning, lrviz-csv, lrviz-json, csv
    #[arg(long)]
    pub log_format: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Also write replay.json and the chart (lr_schedule.png/.svg) to this directory
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Plateau settings.
    #[command(flatten)]
    pub plateau: PlateauArgs,
}

/// `lrviz translate` flags.
#[derive(Args, Debug, Clone)]
pub struct TranslateArgs {
    /// Target flavor
    #[arg(long, value_enum)]
    pub to: FlavorArg,
    /// Source plateau settings (--flavor is the source flavor).
    #[command(flatten)]
    pub plateau: PlateauArgs,
}
