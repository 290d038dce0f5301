//! Numbers and messages formatted the way the frameworks print them.
//!
//! Keras words its reduction message with Python's `repr()` of a float; tf.keras logs the LR
//! as a `numpy.float32`; torch's old verbose flag printed `{:.4e}`. lrviz reproduces these
//! byte for byte so that its logs can be compared with the frameworks' logs.

use crate::config::Flavor;

/// Shortest round-trip digits of a positive finite number, from Rust's `{:e}` output
/// (`"1.5e-5"` → `("15", -4)`), as `(digits, decpt)` with value = 0.digits × 10^decpt.
fn shortest_parts(sci: &str) -> (String, i32) {
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci, "0"));
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    (digits, exp + 1)
}

/// Python-style layout of `digits`/`decpt`: positional or scientific with a signed exponent of
/// at least two digits, always with a decimal point in positional form (`1.0`).
fn layout(negative: bool, digits: &str, decpt: i32, scientific: bool) -> String {
    let mut s = String::new();
    if negative {
        s.push('-');
    }
    if scientific {
        s.push_str(&digits[..1]);
        if digits.len() > 1 {
            s.push('.');
            s.push_str(&digits[1..]);
        }
        let e = decpt - 1;
        s.push('e');
        s.push(if e < 0 { '-' } else { '+' });
        s.push_str(&format!("{:02}", e.unsigned_abs()));
    } else if decpt <= 0 {
        s.push_str("0.");
        for _ in 0..(-decpt) {
            s.push('0');
        }
        s.push_str(digits);
    } else {
        let d = decpt as usize;
        if d >= digits.len() {
            s.push_str(digits);
            for _ in digits.len()..d {
                s.push('0');
            }
            s.push_str(".0");
        } else {
            s.push_str(&digits[..d]);
            s.push('.');
            s.push_str(&digits[d..]);
        }
    }
    s
}

/// NaN, the infinities and the signed zeros, spelled as Python and NumPy print them.
fn special(x: f64) -> Option<String> {
    let s = if x.is_nan() {
        "nan"
    } else if x.is_infinite() {
        if x > 0.0 {
            "inf"
        } else {
            "-inf"
        }
    } else if x == 0.0 {
        if x.is_sign_negative() {
            "-0.0"
        } else {
            "0.0"
        }
    } else {
        return None;
    };
    Some(s.to_string())
}

/// Python's `repr(float)`: shortest round-trip digits, positional when `1e-4 <= |x| < 1e16`,
/// otherwise scientific (`0.025`, `1e-05`, `0.0001`, `1.0`, `1e+16`, `inf`, `nan`, `-0.0`).
pub fn python_float_repr(x: f64) -> String {
    if let Some(s) = special(x) {
        return s;
    }
    let (digits, decpt) = shortest_parts(&format!("{:e}", x.abs()));
    // CPython float_repr_style 'short', mode 'r': exponent iff decpt <= -4 or decpt > 16.
    layout(x < 0.0, &digits, decpt, !(-4 < decpt && decpt <= 16))
}

/// `str(numpy.float32(x))` (NumPy 1.14+): shortest digits that round-trip through float32,
/// positional when `1e-4 <= |x| < 1e16` (or 0), otherwise scientific (`0.001`,
/// `0.000100000005`, `1e-04`, `1.5e-08`, `1.0`).
pub fn numpy_f32_repr(x: f32) -> String {
    if let Some(s) = special(f64::from(x)) {
        return s;
    }
    let a = f64::from(x.abs());
    let positional = (1e-4..1e16).contains(&a);
    let (digits, decpt) = shortest_parts(&format!("{:e}", x.abs()));
    layout(x < 0.0, &digits, decpt, !positional)
}

/// Python's `f"{x:.4e}"` (`2.5000e-02`), as torch's old verbose message printed LRs.
pub fn python_e4(x: f64) -> String {
    if !x.is_finite() {
        return python_float_repr(x);
    }
    let s = format!("{x:.4e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = exp.parse().unwrap_or(0);
    format!(
        "{mantissa}e{}{:02}",
        if e < 0 { '-' } else { '+' },
        e.unsigned_abs()
    )
}

/// The line the flavor prints when it lowers the LR at 0-based epoch `epoch0` to `new_lr`,
/// the LR as the flavor now holds it.
///
/// * Keras 3 and tf.keras: `Epoch 12: ReduceLROnPlateau reducing learning rate to 0.025.`
///   (Keras' wording and 1-based epoch; the leading newline Keras prints is left out). The
///   number is the float32 LR the optimizer now holds, in its shortest form (`0.025`, as the
///   issue and the log README quote Keras). Keras itself formats the float64 product before
///   rounding (`0.02500000037252903` for 0.05 f32 × 0.5); lrviz prints the value that is
///   actually in force, which is what the history and the chart show too.
/// * torch ≥ 2.2 prints nothing (its `verbose` flag was deprecated, then removed); lrviz gives
///   the old verbose wording with `last_epoch` (= epoch0 + 1):
///   `Epoch 12: reducing learning rate of group 0 to 2.5000e-02.`
pub fn reduction_message(flavor: Flavor, epoch0: u64, new_lr: f64) -> String {
    let epoch = epoch0.saturating_add(1);
    match flavor {
        Flavor::Keras | Flavor::TfKeras => format!(
            "Epoch {epoch}: ReduceLROnPlateau reducing learning rate to {}.",
            human(new_lr)
        ),
        Flavor::Torch => format!(
            "Epoch {epoch}: reducing learning rate of group 0 to {}.",
            python_e4(new_lr)
        ),
    }
}

/// English ordinal of `n`: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, ...
pub fn ordinal(n: u64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// A compact human form of an LR or metric: float32 shortest digits when the value is exactly
/// a float32 (Keras LRs), Python `repr` otherwise.
pub(crate) fn human(x: f64) -> String {
    if x.is_finite() && f64::from(x as f32) == x && x != 0.0 {
        let (digits, decpt) = shortest_parts(&format!("{:e}", (x as f32).abs()));
        layout(x < 0.0, &digits, decpt, !(-4 < decpt && decpt <= 16))
    } else {
        python_float_repr(x)
    }
}
