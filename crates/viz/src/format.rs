//! Number formatting and tick placement shared by the charts.
//!
//! Tick positions are chosen from the pixel room an axis has, so labels never overlap: a log
//! axis gets 1-2-5 key points per decade when a decade is tall enough, whole decades when it is
//! not, and every k-th decade on very long ranges; a linear axis gets a 1-2-5 × 10^k step.

/// Compact text for a learning rate (or any positive number) on a tick or label: at most three
/// significant digits, trailing zeros dropped; plain decimals from 0.01 to below 10000,
/// `<mantissa>e<exponent>` outside that.
///
/// ```
/// use lrviz_viz::format_lr;
/// assert_eq!(format_lr(0.05), "0.05");
/// assert_eq!(format_lr(1e-4), "1e-4");
/// assert_eq!(format_lr(0.0025), "2.5e-3");
/// assert_eq!(format_lr(0.0125), "0.0125");
/// assert_eq!(format_lr(3.0), "3");
/// ```
pub fn format_lr(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    if x == 0.0 {
        return "0".to_string();
    }
    // Round to three significant digits first, so the exponent is the rounded one
    // (0.009999 is "0.01", not "1e-2").
    let sci = format!("{x:.2e}");
    let Some((mantissa, exponent)) = sci.split_once('e') else {
        return sci;
    };
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if (-2..=3).contains(&exponent) {
        let decimals = (2 - exponent).max(0) as usize;
        trim_zeros(format!("{x:.decimals$}"))
    } else {
        format!("{}e{exponent}", trim_zeros(mantissa.to_string()))
    }
}

/// Drops trailing zeros after a decimal point, and the point itself when nothing follows it.
fn trim_zeros(mut s: String) -> String {
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    s
}

/// `m × 10^k` as the nearest double (parsed from text, so `2e-3` is exactly the literal `2e-3`).
pub(crate) fn pow10_times(m: u32, k: i32) -> f64 {
    format!("{m}e{k}").parse().unwrap_or(f64::NAN)
}

/// Ticks of a log axis spanning `lo..=hi` in log10 units, on `pixels` of axis with labels of
/// font size `font`. Returns (labelled ticks, light grid lines), both in data units, ascending.
pub(crate) fn log_ticks(lo: f64, hi: f64, pixels: f64, font: f64) -> (Vec<f64>, Vec<f64>) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (Vec::new(), Vec::new());
    }
    let decades = (hi - lo).max(1e-9);
    let per_decade = pixels / decades;
    let min_gap = font * 1.8;
    let (major, minor, step): (&[u32], &[u32], i32) = if per_decade * 2f64.log10() >= min_gap {
        (&[1, 2, 5], &[3, 4, 6, 7, 8, 9], 1)
    } else if per_decade >= min_gap {
        let minor: &[u32] = if per_decade * (10.0f64 / 9.0).log10() >= 4.0 {
            &[2, 3, 4, 5, 6, 7, 8, 9]
        } else {
            &[]
        };
        (&[1], minor, 1)
    } else {
        let mut step = 1;
        for candidate in [2, 3, 5, 10, 20, 50, 100, 200] {
            step = candidate;
            if per_decade * f64::from(candidate) >= min_gap {
                break;
            }
        }
        (&[1], &[], step)
    };
    let eps = 1e-9;
    let in_range = |v: f64| {
        let l = v.log10();
        l >= lo - eps && l <= hi + eps
    };
    let mut ticks = Vec::new();
    let mut light = Vec::new();
    let first = (lo.floor() as i32).saturating_sub(1);
    let last = (hi.ceil() as i32).saturating_add(1);
    for k in first..=last {
        let on_step = k.rem_euclid(step) == 0;
        for &m in major {
            let v = pow10_times(m, k);
            if in_range(v) {
                if on_step {
                    ticks.push(v);
                } else if per_decade >= 6.0 {
                    light.push(v);
                }
            }
        }
        for &m in minor {
            let v = pow10_times(m, k);
            if in_range(v) {
                light.push(v);
            }
        }
    }
    light.sort_by(f64::total_cmp);
    (ticks, light)
}

/// A 1-2-5 × 10^k step at least `raw`.
pub(crate) fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let k = raw.log10().floor() as i32;
    let base = 10f64.powi(k);
    let f = raw / base;
    let m = if f <= 1.0 + 1e-9 {
        1
    } else if f <= 2.0 + 1e-9 {
        2
    } else if f <= 5.0 + 1e-9 {
        5
    } else {
        10
    };
    pow10_times(m, k)
}

/// The next smaller 1-2-5 × 10^k step below the 1-2-5 step `step`.
fn smaller_step(step: f64) -> f64 {
    let k = step.log10().floor();
    let m = (step / 10f64.powf(k)).round();
    let k = k as i32;
    if m >= 5.0 {
        pow10_times(2, k)
    } else if m >= 2.0 {
        pow10_times(1, k)
    } else {
        pow10_times(5, k - 1)
    }
}

/// Ticks of a linear axis over `lo..=hi`: the largest count up to `max_ticks` (a 1-2-5 step),
/// but never fewer than two inside the range; returns (ticks, step).
pub(crate) fn linear_ticks(lo: f64, hi: f64, max_ticks: usize) -> (Vec<f64>, f64) {
    let span = (hi - lo).abs().max(f64::MIN_POSITIVE);
    if !(lo.is_finite() && hi.is_finite() && span.is_finite()) {
        return (Vec::new(), 1.0);
    }
    let max_ticks = max_ticks.max(2);
    let count = |step: f64| ((hi / step + 1e-9).floor() - (lo / step - 1e-9).ceil()) as i64 + 1;
    let mut step = nice_step(span / max_ticks as f64);
    // nice_step rounds up and smaller_step goes one 1-2-5 notch down, so each loop runs a
    // few times at most; the bounds only guard against floating-point surprises.
    for _ in 0..64 {
        if count(step) <= max_ticks as i64 {
            break;
        }
        step = nice_step(step * 1.01);
    }
    for _ in 0..64 {
        if count(step) >= 2 {
            break;
        }
        step = smaller_step(step);
    }
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    let ticks = (first..=last).map(|i| i as f64 * step).collect();
    (ticks, step)
}

/// Label for a linear tick `v` on an axis whose ticks are `step` apart: as many decimals as the
/// step needs, the same for every tick of the axis (0.100, 0.105, 0.110).
pub(crate) fn format_linear_tick(v: f64, step: f64) -> String {
    let v = if v.abs() < step * 1e-6 { 0.0 } else { v };
    if v.abs() >= 1e6 || step < 1e-6 {
        return format_lr(v);
    }
    let decimals = (-(step.log10() + 1e-9).floor()).max(0.0) as usize;
    format!("{v:.decimals$}")
}

/// Compact text for a heatmap cell or colour-bar value: integers as integers, others as
/// [`format_lr`] writes them.
pub(crate) fn format_value(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e6 {
        format!("{v:.0}")
    } else {
        format_lr(v)
    }
}
