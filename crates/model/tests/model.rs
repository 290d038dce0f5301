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
