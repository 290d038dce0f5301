//! Integration tests of the model crate: training behaviour, determinism, the callback
//! contract, SGD arithmetic, the stable loss.

use candle_core::{Device, Tensor, Var};
use candle_nn::Optimizer;
use lrviz_data::{synthetic, train_val_split, Split, SyntheticKind, SyntheticSpec};
use lrviz_model::{
    train, Callback, CallbackEvent, Control, EarlyStopping, EarlyStoppingConfig, EpochLogs,
    MlpConfig, ModelError, PlateauCallback, Sgd, SgdConfig, StopReason, TrainConfig,
};
use lrviz_scheduler::PlateauConfig;

fn data(kind: SyntheticKind, samples: usize, seed: u64) -> Split {
    let ds = synthetic(&SyntheticSpec {
        kind,
        samples,
        features: 8,
        noise: 0.3,
        seed,
    })
    .unwrap();
    train_val_split(&ds, 0.2, false, true, seed).unwrap()
}

fn cfg(epochs: usize, lr: f64, seed: u64) -> TrainConfig {
    TrainConfig {
        epochs,
        batch_size: 32,
        sgd: SgdConfig {
            lr,
            ..SgdConfig::default()
        },
        seed,
        ..TrainConfig::default()
    }
}

fn run(split: &Split, config: &TrainConfig, callbacks: &mut [&mut dyn Callback]) -> Vec<EpochLogs> {
    train(
        &MlpConfig::new(split.train.n_features),
        config,
        &split.train,
        &split.val,
        callbacks,
    )
    .unwrap()
    .history
}

mod training {
    use super::*;

    #[test]
    fn loss_falls_and_accuracy_rises_on_a_learnable_problem() {
        let split = data(SyntheticKind::Linear, 600, 3);
        let h = run(&split, &cfg(20, 0.1, 3), &mut []);
        let (first, last) = (&h[0], &h[h.len() - 1]);
        assert!(
            last.loss < 0.7 * first.loss,
            "train loss {} -> {}",
            first.loss,
            last.loss
        );
        assert!(
            last.val_loss < first.val_loss,
            "val loss {} -> {}",
            first.val_loss,
            last.val_loss
        );
        // linear labels with noise 0.3 are >85% separable by the hyperplane itself
        assert!(
            last.val_accuracy > 0.8,
            "val accuracy {}",
            last.val_accuracy
        );
    }

    #[test]
    fn the_same_seed_gives_bit_identical_histories_and_another_seed_does_not() {
        let split = data(SyntheticKind::Linear, 300, 5);
        let a = run(&split, &cfg(5, 0.1, 11), &mut []);
        let b = run(&split, &cfg(5, 0.1, 11), &mut []);
        let c = run(&split, &cfg(5, 0.1, 12), &mut []);
        let bits = |h: &[EpochLogs]| -> Vec<u64> {
            h.iter()
                .flat_map(|l| [l.loss, l.accuracy, l.val_loss, l.val_accuracy])
                .map(f64::to_bits)
                .collect()
        };
        assert_eq!(bits(&a), bits(&b));
        assert_ne!(bits(&a), bits(&c));
    }

    #[test]
    fn a_huge_learning_rate_diverges_and_stops_with_epoch_and_batch() {
        let split = data(SyntheticKind::Linear, 300, 1);
        let r = train(
            &MlpConfig::new(8),
            &cfg(10, 1e30, 1),
            &split.train,
            &split.val,
            &mut [],
        )
        .unwrap();
        match r.stop {
            StopReason::Diverged { epoch, batch, loss } => {
                assert!(!loss.is_finite());
                assert_eq!(r.history.len(), epoch + 1);
                assert_eq!(r.history[epoch].batches, batch + 1);
            }
            other => panic!("expected divergence, got {other:?}"),
        }
    }

    #[test]
    fn invalid_settings_and_mismatched_data_are_refused() {
        let split = data(SyntheticKind::Linear, 100, 1);
        let bad = TrainConfig {
            batch_size: 0,
            ..cfg(1, 0.1, 1)
        };
        let e = train(&MlpConfig::new(8), &bad, &split.train, &split.val, &mut []).unwrap_err();
        assert!(e.to_string().contains("batch-size"), "{e}");
        let e = train(
            &MlpConfig::new(3),
            &cfg(1, 0.1, 1),
            &split.train,
            &split.val,
            &mut [],
        )
        .unwrap_err();
        assert!(
            matches!(
                e,
                ModelError::FeatureMismatch {
                    expected: 3,
                    got: 8
                }
            ),
            "{e}"
        );
        let e = train(
            &MlpConfig::new(8),
            &cfg(1, f64::NAN, 1),
            &split.train,
            &split.val,
            &mut [],
        )
        .unwrap_err();
        assert!(e.to_string().contains("lr"), "{e}");
    }

    #[test]
    fn the_interrupt_flag_stops_after_the_current_batch() {
        use std::sync::atomic::AtomicBool;
        use std::sync::Arc;
        let split = data(SyntheticKind::Linear, 300, 1);
        let flag = Arc::new(AtomicBool::new(true));
        let config = TrainConfig {
            interrupt: Some(flag),
            ..cfg(5, 0.1, 1)
        };
        let r = train(
            &MlpConfig::new(8),
            &config,
            &split.train,
            &split.val,
            &mut [],
        )
        .unwrap();
        assert_eq!(
            r.stop,
            StopReason::Interrupted {
                epoch: 0,
                batches_done: 1
            }
        );
        assert!(r.history.is_empty(), "a partial epoch is not recorded");
    }
}

mod callbacks {
    use super::*;

    /// Sets a fixed LR at the end of one epoch and stops at the end of another.
    struct Scripted {
        set_at: usize,
        lr: f64,
        stop_at: usize,
        seen: Vec<(usize, f64)>,
    }

    impl Callback for Scripted {
        fn name(&self) -> &str {
            "scripted"
        }
        fn on_epoch_end(&mut self, logs: &EpochLogs, c: &mut Control) -> Result<(), ModelError> {
            self.seen.push((logs.epoch, logs.learning_rate));
            if logs.epoch == self.set_at {
                c.set_lr(self.lr);
            }
            if logs.epoch == self.stop_at {
                c.stop("scripted stop");
            }
            Ok(())
        }
    }

    #[test]
    fn an_lr_change_takes_effect_the_next_epoch_and_stop_ends_training() {
        let split = data(SyntheticKind::Linear, 200, 2);
        let mut cb = Scripted {
            set_at: 1,
            lr: 0.025,
            stop_at: 3,
            seen: vec![],
        };
        let r = train(
            &MlpConfig::new(8),
            &cfg(10, 0.1, 2),
            &split.train,
            &split.val,
            &mut [&mut cb],
        )
        .unwrap();
        let lrs: Vec<f64> = r.history.iter().map(|l| l.learning_rate).collect();
        assert_eq!(
            lrs,
            vec![0.1, 0.1, 0.025, 0.025],
            "epoch 1's change shows from epoch 2"
        );
        assert_eq!(cb.seen.len(), 4);
        assert_eq!(
            r.stop,
            StopReason::Callback {
                name: "scripted".into(),
                reason: "scripted stop".into()
            }
        );
    }

    #[test]
    fn the_plateau_callback_reduces_on_noise_labels_and_reports_keras_wording() {
        // Random labels: no signal, so val_loss stops improving almost at once.
        let split = data(SyntheticKind::Random, 400, 4);
        let plateau = PlateauConfig {
            patience: 2,
            factor: 0.5,
            ..PlateauConfig::keras()
        };
        let mut cb = PlateauCallback::new(plateau, 0.05).unwrap();
        let r = train(
            &MlpConfig::new(8),
            &cfg(15, 0.05, 4),
            &split.train,
            &split.val,
            &mut [&mut cb],
        )
        .unwrap();
        let reductions: Vec<_> = r
            .events
            .iter()
            .filter_map(|(e, ev)| match ev {
                CallbackEvent::LrReduced {
                    from, to, message, ..
                } => Some((*e, *from, *to, message.clone())),
                _ => None,
            })
            .collect();
        assert!(!reductions.is_empty(), "no reduction in {:?}", r.history);
        for (epoch, from, to, msg) in &reductions {
            assert_eq!(r.history[*epoch].learning_rate, *from);
            if epoch + 1 < r.history.len() {
                assert_eq!(
                    r.history[epoch + 1].learning_rate,
                    *to,
                    "the cut applies to the next epoch"
                );
            }
            assert!(
                msg.starts_with(&format!(
                    "Epoch {}: ReduceLROnPlateau reducing learning rate to",
                    epoch + 1
                )),
                "{msg}"
            );
        }
        assert_eq!(cb.decisions().len(), r.history.len());
    }

    #[test]
    fn early_stopping_stops_after_patience_and_restores_the_best_weights() {
        let split = data(SyntheticKind::Random, 300, 6);
        let mut es = EarlyStopping::new(EarlyStoppingConfig {
            patience: 2,
            restore_best_weights: true,
            ..EarlyStoppingConfig::default()
        })
        .unwrap();
        let r = train(
            &MlpConfig::new(8),
            &cfg(40, 0.2, 6),
            &split.train,
            &split.val,
            &mut [&mut es],
        )
        .unwrap();
        let stopped = es.stopped_epoch().expect("noise labels stop early");
        assert_eq!(r.history.len(), stopped + 1);
        let best = es.best_epoch().unwrap();
        // Keras: the stop comes when `patience` epochs passed without improvement.
        assert_eq!(stopped, best + 2);
        let (val_loss, _) = lrviz_model::evaluate(&r.model, &split.val).unwrap();
        assert!(
            (val_loss - r.history[best].val_loss).abs() < 1e-6,
            "restored weights give the best epoch's val_loss: {val_loss} vs {}",
            r.history[best].val_loss
        );
    }
}

mod sgd {
    use super::*;

    fn one_var_steps(config: SgdConfig, grads: &[f32]) -> Vec<f32> {
        let p = Var::from_tensor(&Tensor::new(&[1.0f32], &Device::Cpu).unwrap()).unwrap();
        let mut opt = Sgd::new(vec![p.clone()], config).unwrap();
        let mut out = Vec::new();
        for &g in grads {
            // loss = g * p has gradient g with respect to p
            let loss = (p.as_tensor() * g as f64).unwrap().sum_all().unwrap();
            opt.backward_step(&loss).unwrap();
            out.push(p.as_tensor().to_vec1::<f32>().unwrap()[0]);
        }
        out
    }

    #[test]
    fn plain_momentum_and_nesterov_follow_the_keras_update_rules() {
        let plain = SgdConfig {
            lr: 0.1,
            momentum: 0.0,
            nesterov: false,
        };
        // p = 1 - 0.1*1 = 0.9; then 0.9 - 0.1*2 = 0.7
        assert_eq!(one_var_steps(plain, &[1.0, 2.0]), vec![0.9, 0.7]);
        let mom = SgdConfig {
            lr: 0.1,
            momentum: 0.9,
            nesterov: false,
        };
        // v1 = -0.1 -> p 0.9; v2 = 0.9*-0.1 - 0.1*2 = -0.29 -> p 0.61
        let got = one_var_steps(mom, &[1.0, 2.0]);
        assert!(
            (got[0] - 0.9).abs() < 1e-6 && (got[1] - 0.61).abs() < 1e-6,
            "{got:?}"
        );
        let nest = SgdConfig {
            lr: 0.1,
            momentum: 0.9,
            nesterov: true,
        };
        // v1 = -0.1, p += 0.9*-0.1 - 0.1 = -0.19 -> 0.81; v2 = -0.29, p += 0.9*-0.29 - 0.2 = -0.461 -> 0.349
        let got = one_var_steps(nest, &[1.0, 2.0]);
        assert!(
            (got[0] - 0.81).abs() < 1e-6 && (got[1] - 0.349).abs() < 1e-6,
            "{got:?}"
        );
    }

    #[test]
    fn invalid_sgd_settings_are_refused() {
        for bad in [
            SgdConfig {
                lr: 0.0,
                ..SgdConfig::default()
            },
            SgdConfig {
                momentum: 1.0,
                ..SgdConfig::default()
            },
            SgdConfig {
                nesterov: true,
                ..SgdConfig::default()
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }
}

mod loss {
    use super::*;
    use lrviz_model::Mlp;

    #[test]
    fn the_stable_bce_matches_the_textbook_formula_and_stays_finite_for_huge_logits() {
        let z = Tensor::new(&[[-2.0f32], [0.5], [3.0]], &Device::Cpu).unwrap();
        let y = Tensor::new(&[[0.0f32], [1.0], [0.0]], &Device::Cpu).unwrap();
        let got = lrviz_model::bce_with_logits(&z, &y)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap() as f64;
        // textbook: -[y ln s(z) + (1-y) ln(1-s(z))], averaged
        let s = |z: f64| 1.0 / (1.0 + (-z).exp());
        let want = (-(1.0 - s(-2.0)).ln() - s(0.5).ln() - (1.0 - s(3.0)).ln()) / 3.0;
        assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        let z = Tensor::new(&[[1000.0f32], [-1000.0]], &Device::Cpu).unwrap();
        let y = Tensor::new(&[[0.0f32], [1.0]], &Device::Cpu).unwrap();
        let got = lrviz_model::bce_with_logits(&z, &y)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        assert_eq!(got, 1000.0, "ln(1+e^1000) ~ 1000, no overflow");
    }

    #[test]
    fn glorot_init_is_seeded_and_bounded() {
        let cfg = MlpConfig::new(20);
        let a = Mlp::new(&cfg, 7).unwrap().weights().unwrap();
        let b = Mlp::new(&cfg, 7).unwrap().weights().unwrap();
        assert_eq!(a, b);
        let limit = (6.0f32 / (20.0 + 64.0)).sqrt();
        assert!(a[0].iter().all(|w| w.abs() <= limit));
        assert!(a[1].iter().all(|&b| b == 0.0), "biases start at zero");
        assert_eq!(a.iter().map(Vec::len).sum::<usize>(), cfg.parameters());
    }
}

mod fused {
    //! The fused step against candle's autograd, the reference.
    //!
    //! Tolerance: the two paths do the same float32 operations except the order of the sums
    //! (candle's matmul blocks them and uses fused multiply-adds; the fused step adds left to
    //! right), so each step agrees to a few float32 ulps and over a trajectory those
    //! differences compound slowly through the weights. Measured on these problems (x86-64,
    //! candle 0.11.1): the largest relative gap in loss/val_loss over 10 epochs is 2e-7 to
    //! 5e-7, a few float32 ulps (f32 resolves ~6e-8 relative); we allow `TOL = 1e-5`, ~20x
    //! the measured gap yet far below any real change (a wrong gradient, a skipped update or
    //! a misplaced batch moves the loss by 1e-3 or more within an epoch).
    use super::*;
    use lrviz_model::{Activation, Mlp, StepKind};

    const TOL: f64 = 1e-5;

    fn both(
        split: &Split,
        mlp: &MlpConfig,
        config: &TrainConfig,
    ) -> (lrviz_model::TrainRun, lrviz_model::TrainRun) {
        let go = |step| {
            let c = TrainConfig {
                step,
                ..config.clone()
            };
            train(mlp, &c, &split.train, &split.val, &mut []).unwrap()
        };
        (go(StepKind::Autograd), go(StepKind::Fused))
    }

    fn rel_gap(a: f64, b: f64) -> f64 {
        (a - b).abs() / a.abs().max(b.abs()).max(1e-12)
    }

    /// Largest relative gap over loss and val_loss of every epoch; the accuracies must be
    /// equal or differ by at most one row's worth (a logit within rounding of 0).
    fn check_close(what: &str, a: &[EpochLogs], b: &[EpochLogs], rows: (usize, usize)) -> f64 {
        assert_eq!(a.len(), b.len(), "{what}: epochs");
        let mut worst = 0f64;
        for (x, y) in a.iter().zip(b) {
            assert_eq!(x.learning_rate, y.learning_rate, "{what}: lr");
            assert_eq!(x.batches, y.batches, "{what}: batches");
            for (p, q) in [(x.loss, y.loss), (x.val_loss, y.val_loss)] {
                worst = worst.max(rel_gap(p, q));
            }
            assert!(
                (x.accuracy - y.accuracy).abs() <= 1.0 / rows.0 as f64 + 1e-12,
                "{what}: accuracy {} vs {}",
                x.accuracy,
                y.accuracy
            );
            assert!(
                (x.val_accuracy - y.val_accuracy).abs() <= 1.0 / rows.1 as f64 + 1e-12,
                "{what}: val_accuracy {} vs {}",
                x.val_accuracy,
                y.val_accuracy
            );
        }
        assert!(
            worst < TOL,
            "{what}: fused and autograd losses differ by {worst:e} (relative)\nautograd {a:?}\nfused {b:?}"
        );
        worst
    }

    #[test]
    fn fused_reproduces_the_autograd_trajectory_in_every_configuration() {
        let split = data(SyntheticKind::Linear, 300, 8);
        let rows = (split.train.n_rows(), split.val.n_rows());
        let sgd = |momentum, nesterov| SgdConfig {
            lr: 0.05,
            momentum,
            nesterov,
        };
        let relu = MlpConfig::new(8);
        let tanh2 = MlpConfig {
            inputs: 8,
            hidden: vec![16, 8],
            activation: Activation::Tanh,
        };
        let relu2 = MlpConfig {
            hidden: vec![12, 5],
            ..MlpConfig::new(8)
        };
        let logistic = MlpConfig {
            hidden: vec![],
            ..MlpConfig::new(8)
        };
        let cases: [(&str, &MlpConfig, SgdConfig, usize); 7] = [
            ("relu plain", &relu, sgd(0.0, false), 32),
            ("relu momentum", &relu, sgd(0.9, false), 32),
            ("relu nesterov", &relu, sgd(0.9, true), 32),
            ("tanh 2 hidden nesterov", &tanh2, sgd(0.5, true), 32),
            // 240 rows in batches of 50: a short last batch every epoch
            ("relu 2 hidden odd batch", &relu2, sgd(0.0, false), 50),
            ("relu one batch", &relu, sgd(0.9, false), 1000),
            ("no hidden layer", &logistic, sgd(0.9, true), 32),
        ];
        for (what, mlp, sgd, batch_size) in cases {
            let config = TrainConfig {
                epochs: 10,
                batch_size,
                sgd,
                seed: 21,
                ..TrainConfig::default()
            };
            let (a, f) = both(&split, mlp, &config);
            let worst = check_close(what, &a.history, &f.history, rows);
            eprintln!("{what}: worst relative gap {worst:e}");
            // the trained candle model holds the fused weights: evaluating it gives the last
            // epoch's val_loss
            let (val_loss, _) = lrviz_model::evaluate(&f.model, &split.val).unwrap();
            let last = f.history.last().unwrap().val_loss;
            assert!(
                rel_gap(val_loss, last) < 1e-5,
                "{what}: {val_loss} vs {last}"
            );
        }
    }

    #[test]
    fn one_fused_step_gives_the_autograd_weights_to_a_few_ulps() {
        // One epoch of one batch: one forward/backward/update from the same initial weights.
        let split = data(SyntheticKind::Linear, 120, 9);
        for (mlp, sgd) in [
            (
                MlpConfig::new(8),
                SgdConfig {
                    lr: 0.1,
                    ..SgdConfig::default()
                },
            ),
            (
                MlpConfig {
                    inputs: 8,
                    hidden: vec![6, 4],
                    activation: Activation::Tanh,
                },
                SgdConfig {
                    lr: 0.3,
                    momentum: 0.9,
                    nesterov: true,
                },
            ),
        ] {
            let config = TrainConfig {
                epochs: 1,
                batch_size: 1000,
                sgd,
                seed: 4,
                ..TrainConfig::default()
            };
            let (a, f) = both(&split, &mlp, &config);
            let initial = Mlp::new(&mlp, 4).unwrap().weights().unwrap();
            let (wa, wf) = (a.model.weights().unwrap(), f.model.weights().unwrap());
            for ((va, vf), v0) in wa.iter().zip(&wf).zip(&initial) {
                for ((&x, &y), &x0) in va.iter().zip(vf).zip(v0) {
                    // the update itself (x - x0) agrees to float32 rounding of its terms
                    let step = (x - x0).abs().max((y - x0).abs());
                    assert!(
                        (x - y).abs() <= 1e-5 * step + 4.0 * f32::EPSILON * x.abs().max(1e-3),
                        "{mlp:?}: autograd {x} vs fused {y} (initial {x0})"
                    );
                }
                assert_ne!(va, v0, "the step moved the weights");
            }
        }
    }

    #[test]
    fn plateau_reductions_and_early_stopping_act_the_same_on_both_paths() {
        let split = data(SyntheticKind::Random, 300, 4);
        let rows = (split.train.n_rows(), split.val.n_rows());
        let config = cfg(20, 0.05, 4);
        let mut histories = Vec::new();
        for step in [StepKind::Autograd, StepKind::Fused] {
            let mut plateau = PlateauCallback::new(
                PlateauConfig {
                    patience: 2,
                    factor: 0.5,
                    ..PlateauConfig::keras()
                },
                0.05,
            )
            .unwrap();
            let c = TrainConfig {
                step,
                ..config.clone()
            };
            let r = train(
                &MlpConfig::new(8),
                &c,
                &split.train,
                &split.val,
                &mut [&mut plateau],
            )
            .unwrap();
            histories.push(r.history);
        }
        let lrs: Vec<f64> = histories[0].iter().map(|l| l.learning_rate).collect();
        assert!(lrs.windows(2).any(|w| w[1] < w[0]), "a reduction: {lrs:?}");
        check_close("plateau", &histories[0], &histories[1], rows);
    }

    #[test]
    fn the_fused_path_is_bit_identical_run_to_run() {
        let split = data(SyntheticKind::Linear, 300, 5);
        let config = TrainConfig {
            sgd: SgdConfig {
                lr: 0.05,
                momentum: 0.9,
                nesterov: true,
            },
            ..cfg(5, 0.05, 11)
        };
        let a = run(&split, &config, &mut []);
        let b = run(&split, &config, &mut []);
        assert_eq!(a, b);
        assert_eq!(
            TrainConfig::default().step,
            StepKind::Fused,
            "fused is the default"
        );
    }

    /// The seed workload of the benchmarks (`linear`, 1000 x 20, noise 0.5, seed 0, first 80 %
    /// train, 20-64-1 relu, SGD lr 0.1, batch 32, weight/shuffle seed 0): `(loss, val_loss)` of
    /// the first five epochs, recorded from the autograd reference (candle 0.11.1, x86-64) at
    /// the commit that introduced the fused step, by zeroing this table and running
    /// `cargo test -p lrviz-model --test model fused::pinned` (the failure message prints them).
    const PINNED: [(f64, f64); 5] = [
        (0.5762005352973938, 0.5237102508544922),
        (0.40290236592292783, 0.3951112627983093),
        (0.3007725203037262, 0.3176742196083069),
        (0.2370066088438034, 0.27180641889572144),
        (0.19557396173477173, 0.23844069242477417),
    ];

    #[test]
    fn pinned_seed_workload_trajectory() {
        let ds = synthetic(&SyntheticSpec {
            kind: SyntheticKind::Linear,
            samples: 1000,
            features: 20,
            noise: 0.5,
            seed: 0,
        })
        .unwrap();
        let split = train_val_split(&ds, 0.2, false, false, 0).unwrap();
        let config = cfg(PINNED.len(), 0.1, 0);
        let mlp = MlpConfig::new(20);
        let (a, f) = both(&split, &mlp, &config);
        for (kind, h) in [("autograd", &a.history), ("fused", &f.history)] {
            let got: Vec<(f64, f64)> = h.iter().map(|l| (l.loss, l.val_loss)).collect();
            for (g, p) in got.iter().zip(&PINNED) {
                assert!(
                    rel_gap(g.0, p.0) < TOL && rel_gap(g.1, p.1) < TOL,
                    "{kind} drifted from the pinned trajectory: got {got:?}"
                );
            }
        }
    }
}
