//! Property tests per flavor (issue 3): the LR never rises; it never goes below min_lr as the
//! flavor holds numbers; a series that beats the best by more than the flavor's threshold
//! every epoch never reduces; reductions are at least as far apart as patience and cooldown
//! allow (Keras `max(C−1,0) + max(P,1)`, torch `C + P + 1`, semantics doc §3); the fast path
//! and save/restore give the same trajectory.

use lrviz_scheduler::{
    Direction, Event, Flavor, Mode, PlateauConfig, ReduceLrOnPlateau, ThresholdMode,
};
use proptest::prelude::*;

fn arb_config(flavor: Flavor) -> impl Strategy<Value = PlateauConfig> {
    (
        0.05f64..0.95,
        0i64..6,
        0i64..5,
        prop::sample::select(vec![0.0, 1e-7, 1e-4, 1e-3, 0.01, 0.0025000000000000005]),
        prop::sample::select(vec![0.0, 1e-4, 1e-3, 0.01]),
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(vec![0.0, 1e-8, 1e-4]),
    )
        .prop_map(
            move |(factor, patience, cooldown, min_lr, delta, max, rel, eps)| {
                let mut c = PlateauConfig::defaults(flavor);
                c.factor = factor;
                c.patience = patience;
                c.cooldown = cooldown;
                c.min_lr = min_lr;
                c.min_delta = delta;
                c.threshold = delta;
                c.mode = if max { Mode::Max } else { Mode::Min };
                c.threshold_mode = if rel {
                    ThresholdMode::Rel
                } else {
                    ThresholdMode::Abs
                };
                c.eps = eps;
                c
            },
        )
}

fn arb_lr() -> impl Strategy<Value = f64> {
    prop_oneof![
        prop::sample::select(vec![1.0, 0.1, 0.01, 1e-3, 3e-8, 0.5]),
        1e-6f64..1.0,
    ]
}

/// Metric values with plateaus, NaN, ±inf and missing epochs.
fn arb_series() -> impl Strategy<Value = Vec<Option<f64>>> {
    prop::collection::vec(
        prop_oneof![
            6 => (-3.0f64..3.0).prop_map(Some),
            3 => prop::sample::select(vec![1.0, 0.5, -1.0]).prop_map(Some),
            1 => prop::sample::select(vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY]).prop_map(Some),
            1 => Just(None),
        ],
        1..80,
    )
}

fn arb_case() -> impl Strategy<Value = (PlateauConfig, f64, Vec<Option<f64>>)> {
    prop::sample::select(Flavor::ALL.to_vec())
        .prop_flat_map(|f| (arb_config(f), arb_lr(), arb_series()))
}

/// The value that strictly beats `best` by more than the flavor's threshold, with a margin
/// that survives Keras 3's float32 comparison.
fn beat(c: &PlateauConfig, dir: Direction, best: f64, gap: f64) -> f64 {
    let g = gap * (1.0 + best.abs()) + 1e-5 * best.abs();
    let sign = if dir == Direction::Min { -1.0 } else { 1.0 };
    let bar = match (c.flavor, c.threshold_mode) {
        (Flavor::Torch, ThresholdMode::Rel) => {
            best * if dir == Direction::Min {
                1.0 - c.threshold
            } else {
                1.0 + c.threshold
            }
        }
        (Flavor::Torch, ThresholdMode::Abs) => best + sign * c.threshold,
        _ => best + sign * c.min_delta,
    };
    bar + sign * g
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn lr_never_rises_and_never_drops_below_min_lr((c, lr0, series) in arb_case()) {
        let mut s = ReduceLrOnPlateau::new(c.clone(), lr0).unwrap();
        let keras = c.flavor.is_keras();
        let floor = |x: f64| if keras { f64::from(x as f32) } else { x };
        let start = s.lr();
        for (e, v) in series.iter().enumerate() {
            let d = s.step(e as u64, *v);
            prop_assert!(d.lr_after <= d.lr_before, "epoch {e}: {} -> {}", d.lr_before, d.lr_after);
            if d.reduced() {
                // Keras: float32 LR >= float32(min_lr) (a hair below an unrepresentable min_lr
                // is allowed); torch: >= min_lr exactly.
                prop_assert!(d.lr_after >= floor(c.min_lr), "epoch {e}: {} < {}", d.lr_after, c.min_lr);
            }
            prop_assert!(d.lr_after >= start.min(floor(c.min_lr)));
            if let Event::Reduced { from, to } = d.event {
                prop_assert_eq!((from, to), (d.lr_before, d.lr_after));
                prop_assert!(to < from);
            }
        }
    }

    #[test]
    fn steady_improvement_never_reduces(
        (c, lr0, start, gaps) in prop::sample::select(Flavor::ALL.to_vec()).prop_flat_map(|f| (
            arb_config(f),
            arb_lr(),
            -5.0f64..5.0,
            prop::collection::vec(1e-4f64..0.1, 1..60),
        ))
    ) {
        let mut s = ReduceLrOnPlateau::new(c.clone(), lr0).unwrap();
        let dir = s.direction();
        let mut v = start;
        for (e, gap) in gaps.iter().enumerate() {
            let d = s.step(e as u64, Some(v));
            prop_assert_eq!(d.event, Event::Improved, "epoch {}: {} vs best {:?}", e, v, d.best_before);
            v = beat(&c, dir, v, *gap);
        }
        prop_assert_eq!(s.lr(), if c.flavor.is_keras() { f64::from(lr0 as f32) } else { lr0 });
    }

    #[test]
    fn reductions_are_spaced_by_patience_and_cooldown((c, lr0, series) in arb_case()) {
        let r = lrviz_scheduler::replay(&c, lr0, &series).unwrap();
        let p = c.patience as u64;
        let cd = c.cooldown as u64;
        let min_gap = if c.flavor.is_keras() { cd.saturating_sub(1) + p.max(1) } else { cd + p + 1 };
        let first = if c.flavor.is_keras() { p.max(1) - 1 } else { p };
        if let Some(&r0) = r.reduced_at.first() {
            prop_assert!(r0 >= first, "first reduction {r0} before {first}");
        }
        for w in r.reduced_at.windows(2) {
            prop_assert!(w[1] - w[0] >= min_gap, "{:?} closer than {min_gap}", r.reduced_at);
        }
    }

    #[test]
    fn fast_path_and_restore_agree((c, lr0, series) in arb_case(), cut in 0usize..80) {
        let values: Vec<f64> = series.iter().map(|v| v.unwrap_or(f64::NAN)).collect();
        let mut slow = ReduceLrOnPlateau::new(c.clone(), lr0).unwrap();
        let mut fast = slow.clone();
        let mut restored: Option<ReduceLrOnPlateau> = None;
        let cut = cut.min(values.len());
        for (e, &v) in values.iter().enumerate() {
            if e == cut {
                let json = serde_json::to_string(&slow).unwrap();
                restored = Some(serde_json::from_str(&json).unwrap());
            }
            let d = slow.step(e as u64, Some(v));
            prop_assert_eq!(fast.step_fast(v), d.reduced());
            prop_assert_eq!(fast.lr().to_bits(), slow.lr().to_bits());
            if let Some(r) = restored.as_mut() {
                let d2 = r.step(e as u64, Some(v));
                prop_assert_eq!(d2.lr_after.to_bits(), d.lr_after.to_bits());
                prop_assert_eq!(d2.event, d.event);
                prop_assert_eq!((d2.wait, d2.cooldown), (d.wait, d.cooldown));
            }
        }
    }
}
