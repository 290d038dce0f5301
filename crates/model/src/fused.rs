//! The fused training step: a hand-derived forward and backward pass of the MLP with the SGD
//! update, on plain `f32` slices, with every buffer allocated once per training run.
//!
//! Why: on lrviz's workloads (a 20-64-1 network, batches of 32) one step is ~80 kFLOP, a few
//! microseconds of one core, while candle's autograd spends tens of microseconds per step
//! building the graph, allocating a tensor per op and walking the gradient store. This module
//! does exactly the same arithmetic as [`Mlp::forward`](crate::Mlp::forward) →
//! [`bce_with_logits`](crate::bce_with_logits) → `backward` → [`Sgd`](crate::Sgd) with none
//! of that overhead.
//!
//! Maths, per batch of `n` rows (`a_0 = x`; layer `k` holds `w_k: (in_k, out_k)` row-major,
//! `b_k: (out_k,)`, as the candle variables do):
//!
//! - forward: `z_k = a_{k-1} · w_k + b_k`, `a_k = act(z_k)` on hidden layers; the last `z` is
//!   the logit;
//! - loss: `mean(max(z, 0) − z·y + ln(1 + e^{−|z|}))`, the stable form candle's path computes;
//! - its gradient: `∂L/∂z = (σ(z) − y) / n`, evaluated as `(1 − y) − q` for `z ≥ 0` and
//!   `q − y` for `z < 0` with `q = e^{−|z|} / (1 + e^{−|z|})`, which keeps full relative
//!   precision when `σ(z)` is close to `y`;
//! - backward: `∂w_k = a_{k−1}ᵀ · ∂z_k`, `∂b_k = Σ_rows ∂z_k`, `∂a_{k−1} = ∂z_k · w_kᵀ`, then
//!   `∂z_{k−1} = ∂a_{k−1} ⊙ act'(z_{k−1})` with candle's conventions: relu passes the gradient
//!   where `z ≥ 0` (candle's `ge`), tanh multiplies by `−(t² − 1)`;
//! - SGD: the element-wise formulas of [`Sgd`](crate::Sgd) in the same order with the learning
//!   rate and momentum rounded to `f32` as candle's `affine` rounds them: `p − g·lr`, or
//!   `v ← v·μ − g·lr; p ← p + v` (Nesterov: `p ← p + (v·μ − g·lr)`).
//!
//! So the fused path differs from the autograd path only in the order in which sums
//! (matrix products, bias gradients, the batch loss) are added up: candle's matmul kernel
//! blocks and fuses multiply-adds, these loops add strictly left to right. Each step therefore
//! agrees to within float32 rounding; over a trajectory the two drift apart only as rounding
//! noise compounds (see the tests for the tolerances measured). The result is deterministic:
//! one thread, fixed order, the same bits on every run.
//!
//! The loops are written so the compiler vectorises them (contiguous inner loops over the
//! output width, four input rows per pass so each output row is loaded and stored once per
//! four products, eight partial sums in dot products) without `unsafe` or target-specific code.

use crate::{Activation, Mlp, ModelError, SgdConfig};

/// Rows evaluated at a time on the validation split (bounds the activation buffers).
const EVAL_CHUNK: usize = 256;

/// Weights, optimizer state and scratch buffers of one training run.
#[derive(Debug)]
pub(crate) struct FusedMlp {
    /// `[inputs, hidden..., 1]`.
    widths: Vec<usize>,
    activation: Activation,
    /// Per layer, `(in, out)` row-major, as the candle variables.
    w: Vec<Vec<f32>>,
    b: Vec<Vec<f32>>,
    /// Gradients, same shapes as `w`, `b`.
    gw: Vec<Vec<f32>>,
    gb: Vec<Vec<f32>>,
    /// Velocities (empty vectors when momentum is 0).
    vw: Vec<Vec<f32>>,
    vb: Vec<Vec<f32>>,
    /// Whether the velocities hold a value yet (candle's `Sgd` starts with none).
    has_velocity: bool,
    /// Pre-activations and activations per layer (`rows_cap * out_k`); `a` has one entry
    /// per hidden layer.
    z: Vec<Vec<f32>>,
    a: Vec<Vec<f32>>,
    /// `∂L/∂z_k` per layer (`rows_cap * out_k`).
    dz: Vec<Vec<f32>>,
    rows_cap: usize,
    lr: f32,
    momentum: f32,
    nesterov: bool,
}

/// The outcome of one step on a batch.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StepOutcome {
    /// Mean loss over the batch (before the update), as the autograd path reports it.
    pub loss: f64,
    /// Rows whose logit sign matched the label.
    pub correct: usize,
}

impl FusedMlp {
    /// Copies `model`'s weights out and allocates every buffer for batches of up to
    /// `max_batch` rows.
    pub fn new(model: &Mlp, sgd: &SgdConfig, max_batch: usize) -> Result<Self, ModelError> {
        let config = model.config();
        let mut widths = vec![config.inputs];
        widths.extend(&config.hidden);
        widths.push(1);
        let layers = widths.len() - 1;
        let weights = model.weights()?;
        let mut w = Vec::with_capacity(layers);
        let mut b = Vec::with_capacity(layers);
        let mut it = weights.into_iter();
        while let (Some(wk), Some(bk)) = (it.next(), it.next()) {
            w.push(wk);
            b.push(bk);
        }
        let rows_cap = max_batch.max(EVAL_CHUNK).max(1);
        let zeros_like = |v: &[Vec<f32>]| v.iter().map(|x| vec![0f32; x.len()]).collect();
        let with_momentum = sgd.momentum != 0.0;
        let outs = &widths[1..];
        Ok(Self {
            activation: config.activation,
            gw: zeros_like(&w),
            gb: zeros_like(&b),
            vw: if with_momentum {
                zeros_like(&w)
            } else {
                Vec::new()
            },
            vb: if with_momentum {
                zeros_like(&b)
            } else {
                Vec::new()
            },
            has_velocity: false,
            z: outs.iter().map(|&o| vec![0f32; rows_cap * o]).collect(),
            a: outs[..layers - 1]
                .iter()
                .map(|&o| vec![0f32; rows_cap * o])
                .collect(),
            dz: outs.iter().map(|&o| vec![0f32; rows_cap * o]).collect(),
            rows_cap,
            lr: sgd.lr as f32,
            momentum: sgd.momentum as f32,
            nesterov: sgd.nesterov,
            widths,
            w,
            b,
        })
    }

    /// Sets the learning rate of the following steps (rounded to `f32` as candle's `affine`
    /// rounds it).
    pub fn set_learning_rate(&mut self, lr: f64) {
        self.lr = lr as f32;
    }

    /// The weights in [`Mlp::vars`] order: `w0, b0, w1, b1, ...`.
    pub fn weights(&self) -> Vec<Vec<f32>> {
        self.w
            .iter()
            .zip(&self.b)
            .flat_map(|(w, b)| [w.clone(), b.clone()])
            .collect()
    }

    /// Replaces the weights (in [`Mlp::vars`] order, as [`FusedMlp::weights`] gives them).
    pub fn set_weights(&mut self, weights: &[Vec<f32>]) {
        for (k, pair) in weights.chunks_exact(2).enumerate() {
            self.w[k].copy_from_slice(&pair[0]);
            self.b[k].copy_from_slice(&pair[1]);
        }
    }

    /// Writes the weights into the candle variables of `model`.
    pub fn sync_into(&self, model: &Mlp) -> Result<(), ModelError> {
        model.set_weights(&self.weights())
    }

    fn layers(&self) -> usize {
        self.widths.len() - 1
    }

    /// Forward pass of `rows` rows of `x` (row-major, `inputs` wide) into `self.z`/`self.a`.
    fn forward(&mut self, x: &[f32], rows: usize) {
        let last = self.layers() - 1;
        for k in 0..=last {
            let (n_in, n_out) = (self.widths[k], self.widths[k + 1]);
            let input: &[f32] = if k == 0 {
                &x[..rows * n_in]
            } else {
                &self.a[k - 1][..rows * n_in]
            };
            let z = &mut self.z[k][..rows * n_out];
            dense_forward(input, rows, n_in, n_out, &self.w[k], &self.b[k], z);
            if k < last {
                let a = &mut self.a[k][..rows * n_out];
                match self.activation {
                    Activation::Relu => {
                        for (a, &z) in a.iter_mut().zip(z.iter()) {
                            *a = z.max(0.0);
                        }
                    }
                    Activation::Tanh => {
                        for (a, &z) in a.iter_mut().zip(z.iter()) {
                            *a = z.tanh();
                        }
                    }
                }
            }
        }
    }

    /// One SGD step on the batch `x` (`rows * inputs`), `y` (`rows`): forward, loss,
    /// backward and the update.
    pub fn step(&mut self, x: &[f32], y: &[f32]) -> StepOutcome {
        let rows = y.len();
        debug_assert!(rows > 0 && rows <= self.rows_cap);
        self.forward(x, rows);
        let last = self.layers() - 1;
        let inv_n = 1.0 / rows as f32;
        let (mut loss_sum, mut correct) = (0f32, 0usize);
        let logits = &self.z[last][..rows];
        for ((dz, &z), &y) in self.dz[last][..rows].iter_mut().zip(logits).zip(y) {
            let e = (-z.abs()).exp();
            loss_sum += (z.max(0.0) - z * y) + (e + 1.0).ln();
            correct += usize::from(f32::from(u8::from(z > 0.0)) == y);
            let q = e / (1.0 + e);
            *dz = inv_n * if z >= 0.0 { (1.0 - y) - q } else { q - y };
        }
        for k in (0..=last).rev() {
            let (n_in, n_out) = (self.widths[k], self.widths[k + 1]);
            let input: &[f32] = if k == 0 {
                &x[..rows * n_in]
            } else {
                &self.a[k - 1][..rows * n_in]
            };
            let dz = &self.dz[k][..rows * n_out];
            weight_grad(input, dz, rows, n_in, n_out, &mut self.gw[k]);
            bias_grad(dz, rows, n_out, &mut self.gb[k]);
            if k > 0 {
                let (below, above) = self.dz.split_at_mut(k);
                let da = &mut below[k - 1][..rows * n_in];
                input_grad(&above[0][..rows * n_out], &self.w[k], rows, n_in, n_out, da);
                let z = &self.z[k - 1][..rows * n_in];
                match self.activation {
                    Activation::Relu => {
                        for (g, &z) in da.iter_mut().zip(z) {
                            *g = if z >= 0.0 { *g } else { 0.0 };
                        }
                    }
                    Activation::Tanh => {
                        let a = &self.a[k - 1][..rows * n_in];
                        for (g, &t) in da.iter_mut().zip(a) {
                            *g = 0.0 - *g * (t * t - 1.0);
                        }
                    }
                }
            }
        }
        self.update();
        // candle: sum_all, then `/ n` as an affine by the f32 of 1/n.
        let loss = loss_sum * (1.0 / rows as f64) as f32;
        StepOutcome {
            loss: f64::from(loss),
            correct,
        }
    }

    fn update(&mut self) {
        let (lr, mu) = (self.lr, self.momentum);
        if self.vw.is_empty() {
            let params = self.w.iter_mut().chain(self.b.iter_mut());
            for (p, g) in params.zip(self.gw.iter().chain(&self.gb)) {
                for (p, &g) in p.iter_mut().zip(g) {
                    *p -= g * lr;
                }
            }
            return;
        }
        let first = !self.has_velocity;
        let nesterov = self.nesterov;
        let params = self.w.iter_mut().chain(self.b.iter_mut());
        let grads = self.gw.iter().chain(&self.gb);
        let vels = self.vw.iter_mut().chain(self.vb.iter_mut());
        for ((p, g), v) in params.zip(grads).zip(vels) {
            for ((p, &g), v) in p.iter_mut().zip(g).zip(v.iter_mut()) {
                *v = if first { g * -lr } else { *v * mu - g * lr };
                let update = if nesterov { *v * mu - g * lr } else { *v };
                *p += update;
            }
        }
        self.has_velocity = true;
    }

    /// Mean loss and accuracy over a whole data set (`x`: `rows * inputs`), evaluated in
    /// chunks so the buffers stay small; the loss is summed in `f64`.
    pub fn evaluate(&mut self, x: &[f32], y: &[f32]) -> (f64, f64) {
        let d = self.widths[0];
        let last = self.layers() - 1;
        let chunk = self.rows_cap;
        let (mut loss_sum, mut correct) = (0f64, 0usize);
        for (xc, yc) in x.chunks(chunk * d).zip(y.chunks(chunk)) {
            self.forward(xc, yc.len());
            for (&z, &y) in self.z[last][..yc.len()].iter().zip(yc) {
                let e = (-z.abs()).exp();
                loss_sum += f64::from((z.max(0.0) - z * y) + (e + 1.0).ln());
                correct += usize::from(f32::from(u8::from(z > 0.0)) == y);
            }
        }
        let n = y.len() as f64;
        (loss_sum / n, correct as f64 / n)
    }
}

/// `out = input · w + b` for `rows` rows: `input (rows, n_in)`, `w (n_in, n_out)`.
/// Products are summed left to right over `n_in`, then the bias is added, as a sequential
/// matmul followed by candle's `broadcast_add` would.
fn dense_forward(
    input: &[f32],
    rows: usize,
    n_in: usize,
    n_out: usize,
    w: &[f32],
    b: &[f32],
    out: &mut [f32],
) {
    if n_out == 1 {
        for (o, x) in out.iter_mut().zip(input.chunks_exact(n_in)).take(rows) {
            *o = dot(x, w) + b[0];
        }
        return;
    }
    for (o, x) in out.chunks_exact_mut(n_out).zip(input.chunks_exact(n_in)) {
        o.fill(0.0);
        let mut wrows = w.chunks_exact(n_out);
        let mut xs = x.chunks_exact(4);
        for x4 in &mut xs {
            let (w0, w1, w2, w3) = match (wrows.next(), wrows.next(), wrows.next(), wrows.next()) {
                (Some(a), Some(b), Some(c), Some(d)) => (a, b, c, d),
                _ => unreachable!("w has n_in rows"),
            };
            let (x0, x1, x2, x3) = (x4[0], x4[1], x4[2], x4[3]);
            for ((((o, &a), &b), &c), &d) in o.iter_mut().zip(w0).zip(w1).zip(w2).zip(w3) {
                *o = *o + x0 * a + x1 * b + x2 * c + x3 * d;
            }
        }
        for (&xi, wr) in xs.remainder().iter().zip(wrows) {
            for (o, &a) in o.iter_mut().zip(wr) {
                *o += xi * a;
            }
        }
        for (o, &bias) in o.iter_mut().zip(b) {
            *o += bias;
        }
    }
}

/// `gw = inputᵀ · dz` (`n_in × n_out`), rows summed in order.
fn weight_grad(input: &[f32], dz: &[f32], rows: usize, n_in: usize, n_out: usize, gw: &mut [f32]) {
    gw.fill(0.0);
    if n_out == 1 {
        for (x, &g) in input.chunks_exact(n_in).zip(dz).take(rows) {
            for (acc, &xi) in gw.iter_mut().zip(x) {
                *acc += xi * g;
            }
        }
        return;
    }
    let mut xs = input.chunks_exact(4 * n_in);
    let mut gs = dz.chunks_exact(4 * n_out);
    for (x4, g4) in (&mut xs).zip(&mut gs) {
        let (x0, rest) = x4.split_at(n_in);
        let (x1, rest) = rest.split_at(n_in);
        let (x2, x3) = rest.split_at(n_in);
        let (g0, rest) = g4.split_at(n_out);
        let (g1, rest) = rest.split_at(n_out);
        let (g2, g3) = rest.split_at(n_out);
        for (p, acc) in gw.chunks_exact_mut(n_out).enumerate() {
            let (a, b, c, d) = (x0[p], x1[p], x2[p], x3[p]);
            for ((((o, &e), &f), &g), &h) in acc.iter_mut().zip(g0).zip(g1).zip(g2).zip(g3) {
                *o = *o + a * e + b * f + c * g + d * h;
            }
        }
    }
    for (x, g) in xs
        .remainder()
        .chunks_exact(n_in)
        .zip(gs.remainder().chunks_exact(n_out))
    {
        for (&xi, acc) in x.iter().zip(gw.chunks_exact_mut(n_out)) {
            for (o, &gj) in acc.iter_mut().zip(g) {
                *o += xi * gj;
            }
        }
    }
}

/// `gb = Σ_rows dz`.
fn bias_grad(dz: &[f32], rows: usize, n_out: usize, gb: &mut [f32]) {
    gb.fill(0.0);
    for g in dz.chunks_exact(n_out).take(rows) {
        for (acc, &gj) in gb.iter_mut().zip(g) {
            *acc += gj;
        }
    }
}

/// `da = dz · wᵀ` (`rows × n_in`).
fn input_grad(dz: &[f32], w: &[f32], rows: usize, n_in: usize, n_out: usize, da: &mut [f32]) {
    if n_out == 1 {
        for (a, &g) in da.chunks_exact_mut(n_in).zip(dz).take(rows) {
            for (o, &wp) in a.iter_mut().zip(w) {
                *o = g * wp;
            }
        }
        return;
    }
    for (a, g) in da.chunks_exact_mut(n_in).zip(dz.chunks_exact(n_out)) {
        for (o, wr) in a.iter_mut().zip(w.chunks_exact(n_out)) {
            *o = dot(g, wr);
        }
    }
}

/// Dot product with eight partial sums (vectorisable), combined pairwise, then the tail.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}
