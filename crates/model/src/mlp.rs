//! A multi-layer perceptron for binary classification.
//!
//! Shapes: input `x` is `(n, d)`; each hidden layer `k` holds `w_k: (in_k, out_k)` and
//! `b_k: (out_k,)`, computing `h_k = act(h_{k-1} · w_k + b_k)`; the output layer maps the
//! last hidden width to one logit, `z: (n, 1)`. The probability of class 1 is `sigmoid(z)`;
//! the loss is computed on logits (see [`bce_with_logits`]).
//!
//! Weights are initialised Glorot-uniform (`U(-l, l)`, `l = sqrt(6 / (fan_in + fan_out))`) and
//! biases at zero, as Keras' `Dense` does, from a seeded [`rand::rngs::StdRng`]: candle's CPU
//! device cannot be seeded, so the run's seed alone decides the initial weights. The variables
//! are kept in a fixed order (not a hash map) so updates happen in the same order every run.

use candle_core::{DType, Device, Tensor, Var, D};
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::ModelError;

/// Hidden-layer activation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// `max(x, 0)`.
    #[default]
    Relu,
    /// `tanh(x)`.
    Tanh,
}

impl std::str::FromStr for Activation {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "relu" => Ok(Self::Relu),
            "tanh" => Ok(Self::Tanh),
            other => Err(format!(
                "unknown activation {other:?}: valid are relu, tanh"
            )),
        }
    }
}

impl std::fmt::Display for Activation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Relu => "relu",
            Self::Tanh => "tanh",
        })
    }
}

/// The network's shape.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MlpConfig {
    /// Input features.
    pub inputs: usize,
    /// Width of each hidden layer (default one layer of 64).
    pub hidden: Vec<usize>,
    /// Hidden activation.
    pub activation: Activation,
}

impl MlpConfig {
    /// One hidden layer of 64 relu units, the default network.
    pub fn new(inputs: usize) -> Self {
        Self {
            inputs,
            hidden: vec![64],
            activation: Activation::Relu,
        }
    }

    /// Parameter count (weights and biases).
    pub fn parameters(&self) -> usize {
        let mut widths = vec![self.inputs];
        widths.extend(&self.hidden);
        widths.push(1);
        widths.windows(2).map(|w| w[0] * w[1] + w[1]).sum()
    }

    pub(crate) fn validate(&self) -> Result<(), ModelError> {
        if self.inputs == 0 {
            return Err(ModelError::InvalidConfig {
                name: "inputs",
                value: "0".into(),
                expected: "at least one input feature",
            });
        }
        if let Some(w) = self.hidden.iter().find(|&&w| w == 0) {
            return Err(ModelError::InvalidConfig {
                name: "hidden",
                value: w.to_string(),
                expected: "every hidden layer needs at least one unit",
            });
        }
        Ok(())
    }
}

/// One dense layer: `y = x · w + b`.
#[derive(Clone, Debug)]
pub(crate) struct Dense {
    pub(crate) w: Var,
    pub(crate) b: Var,
}

/// The MLP: dense layers with an activation between them, one logit out.
#[derive(Clone, Debug)]
pub struct Mlp {
    pub(crate) config: MlpConfig,
    pub(crate) layers: Vec<Dense>,
}

impl Mlp {
    /// Builds the network with Glorot-uniform weights drawn from `seed`.
    pub fn new(config: &MlpConfig, seed: u64) -> Result<Self, ModelError> {
        config.validate()?;
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let mut widths = vec![config.inputs];
        widths.extend(&config.hidden);
        widths.push(1);
        let mut layers = Vec::with_capacity(widths.len() - 1);
        for pair in widths.windows(2) {
            let (fan_in, fan_out) = (pair[0], pair[1]);
            let limit = (6.0 / (fan_in + fan_out) as f64).sqrt() as f32;
            let w: Vec<f32> = (0..fan_in * fan_out)
                .map(|_| rng.random_range(-limit..limit))
                .collect();
            let w = Var::from_tensor(&Tensor::from_vec(w, (fan_in, fan_out), &Device::Cpu)?)?;
            let b = Var::zeros(fan_out, DType::F32, &Device::Cpu)?;
            layers.push(Dense { w, b });
        }
        Ok(Self {
            config: config.clone(),
            layers,
        })
    }

    /// The network's shape.
    pub fn config(&self) -> &MlpConfig {
        &self.config
    }

    /// All trainable variables in a fixed order: `w0, b0, w1, b1, ...`.
    pub fn vars(&self) -> Vec<Var> {
        self.layers
            .iter()
            .flat_map(|l| [l.w.clone(), l.b.clone()])
            .collect()
    }

    /// Logits `(n, 1)` for a batch `x: (n, inputs)`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor, ModelError> {
        let mut h = x.clone();
        let last = self.layers.len() - 1;
        for (k, layer) in self.layers.iter().enumerate() {
            h = h.matmul(&layer.w)?.broadcast_add(&layer.b)?;
            if k < last {
                h = match self.config.activation {
                    Activation::Relu => h.relu()?,
                    Activation::Tanh => h.tanh()?,
                };
            }
        }
        Ok(h)
    }

    /// Copies every variable's values out, in [`Mlp::vars`] order.
    pub fn weights(&self) -> Result<Vec<Vec<f32>>, ModelError> {
        self.vars()
            .iter()
            .map(|v| Ok(v.as_tensor().flatten_all()?.to_vec1::<f32>()?))
            .collect()
    }

    /// Sets every variable from values in [`Mlp::vars`] order (as [`Mlp::weights`] returns).
    pub fn set_weights(&self, weights: &[Vec<f32>]) -> Result<(), ModelError> {
        for (var, w) in self.vars().iter().zip(weights) {
            let t = Tensor::from_slice(w, var.shape(), &Device::Cpu)?;
            var.set(&t)?;
        }
        Ok(())
    }

    /// Probability of class 1 for each row.
    pub fn predict_proba(&self, x: &Tensor) -> Result<Vec<f32>, ModelError> {
        let z = self.forward(x)?;
        Ok(candle_nn::ops::sigmoid(&z)?
            .flatten_all()?
            .to_vec1::<f32>()?)
    }
}

/// Mean binary cross-entropy on logits, in the numerically stable form
/// `max(z, 0) - z·y + ln(1 + e^{-|z|})` (candle's own `binary_cross_entropy_with_logit` takes
/// `sigmoid` then `log` and overflows to NaN/inf at SGD lr 0.1: see docs/ARCHITECTURE.md).
/// `z` and `y` are `(n, 1)`.
pub fn bce_with_logits(z: &Tensor, y: &Tensor) -> candle_core::Result<Tensor> {
    let softplus = z.abs()?.neg()?.exp()?.affine(1.0, 1.0)?.log()?;
    (z.relu()? - (z * y)?)?.add(&softplus)?.mean_all()
}

/// Fraction of rows whose logit sign matches the label (`z > 0` predicts 1).
pub fn accuracy(z: &Tensor, y: &Tensor) -> candle_core::Result<f64> {
    let pred = z.gt(0.0)?.to_dtype(DType::F32)?;
    let correct = pred
        .eq(y)?
        .to_dtype(DType::F32)?
        .sum_all()?
        .to_scalar::<f32>()?;
    Ok(correct as f64 / z.dim(D::Minus2)? as f64)
}
