//! Stochastic gradient descent with the options Keras' `SGD` has.
//!
//! With momentum `μ` and velocity `v` (initially 0), for each variable `p` with gradient `g`:
//! `v ← μ·v − lr·g`, then `p ← p + v`, or with Nesterov `p ← p + μ·v − lr·g`. With `μ = 0`
//! this is plain `p ← p − lr·g`. These are the update rules of `keras.optimizers.SGD`.
//! The learning rate can change between steps ([`candle_nn::Optimizer::set_learning_rate`]),
//! which is how the plateau callback acts.

use candle_core::{backprop::GradStore, Tensor, Var};
use candle_nn::Optimizer;
use serde::{Deserialize, Serialize};

use crate::ModelError;

/// SGD settings.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SgdConfig {
    /// Learning rate.
    pub lr: f64,
    /// Momentum in `[0, 1)`; 0 disables it.
    pub momentum: f64,
    /// Nesterov momentum (needs `momentum > 0`).
    pub nesterov: bool,
}

impl Default for SgdConfig {
    fn default() -> Self {
        Self {
            lr: 0.01,
            momentum: 0.0,
            nesterov: false,
        }
    }
}

impl SgdConfig {
    /// Refuses a non-positive or non-finite LR, momentum outside `[0, 1)`, Nesterov without momentum.
    pub fn validate(&self) -> Result<(), ModelError> {
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err(ModelError::InvalidConfig {
                name: "lr",
                value: self.lr.to_string(),
                expected: "a finite learning rate > 0",
            });
        }
        if !(self.momentum.is_finite() && (0.0..1.0).contains(&self.momentum)) {
            return Err(ModelError::InvalidConfig {
                name: "momentum",
                value: self.momentum.to_string(),
                expected: "a momentum in [0, 1)",
            });
        }
        if self.nesterov && self.momentum == 0.0 {
            return Err(ModelError::InvalidConfig {
                name: "nesterov",
                value: "true".into(),
                expected: "nesterov needs a momentum > 0",
            });
        }
        Ok(())
    }
}

/// SGD over a fixed, ordered list of variables.
#[derive(Debug)]
pub struct Sgd {
    vars: Vec<Var>,
    velocity: Vec<Option<Tensor>>,
    config: SgdConfig,
}

impl Optimizer for Sgd {
    type Config = SgdConfig;

    fn new(vars: Vec<Var>, config: SgdConfig) -> candle_core::Result<Self> {
        let velocity = vec![None; vars.len()];
        Ok(Self {
            vars,
            velocity,
            config,
        })
    }

    fn step(&mut self, grads: &GradStore) -> candle_core::Result<()> {
        let lr = self.config.lr;
        let mu = self.config.momentum;
        for (var, vel) in self.vars.iter().zip(self.velocity.iter_mut()) {
            let Some(g) = grads.get(var) else { continue };
            if mu == 0.0 {
                var.set(&var.sub(&g.affine(lr, 0.0)?)?)?;
                continue;
            }
            let v = match vel.take() {
                Some(v) => (v.affine(mu, 0.0)? - g.affine(lr, 0.0)?)?,
                None => g.affine(-lr, 0.0)?,
            };
            let update = if self.config.nesterov {
                (v.affine(mu, 0.0)? - g.affine(lr, 0.0)?)?
            } else {
                v.clone()
            };
            var.set(&var.add(&update)?)?;
            *vel = Some(v);
        }
        Ok(())
    }

    fn learning_rate(&self) -> f64 {
        self.config.lr
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.config.lr = lr;
    }
}

impl Sgd {
    /// The settings in force (with the current learning rate).
    pub fn config(&self) -> &SgdConfig {
        &self.config
    }
}
