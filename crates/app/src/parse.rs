//! Value parsers for numeric flags: each refuses what would only do harm, with a message that
//! says what is valid (clap prefixes the flag name and exits with status 2).

fn number(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number"))?;
    if !v.is_finite() {
        return Err(format!("{s} is not finite: give a finite number"));
    }
    Ok(v)
}

/// Any finite number.
pub fn finite_f64(s: &str) -> Result<f64, String> {
    number(s)
}

/// A finite number > 0.
pub fn positive_f64(s: &str) -> Result<f64, String> {
    let v = number(s)?;
    if v <= 0.0 {
        return Err(format!("{s} must be > 0"));
    }
    Ok(v)
}

/// A finite number >= 0.
pub fn non_negative_f64(s: &str) -> Result<f64, String> {
    let v = number(s)?;
    if v < 0.0 {
        return Err(format!("{s} must be >= 0"));
    }
    Ok(v)
}

/// A fraction strictly between 0 and 1.
pub fn fraction(s: &str) -> Result<f64, String> {
    let v = number(s)?;
    if !(v > 0.0 && v < 1.0) {
        return Err(format!("{s} must be strictly between 0 and 1 (e.g. 0.2)"));
    }
    Ok(v)
}

/// A momentum in [0, 1).
pub fn momentum(s: &str) -> Result<f64, String> {
    let v = number(s)?;
    if !(0.0..1.0).contains(&v) {
        return Err(format!("{s} must be in [0, 1)"));
    }
    Ok(v)
}

/// An integer >= 1.
pub fn positive_usize(s: &str) -> Result<usize, String> {
    let v: usize = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a whole number >= 1"))?;
    if v == 0 {
        return Err("0 is not allowed: give at least 1".into());
    }
    Ok(v)
}

/// Epochs: 1 to 10,000,000 (a longer run is almost certainly a typo; stop early with Ctrl-C).
pub fn epochs(s: &str) -> Result<usize, String> {
    let v = positive_usize(s)?;
    if v > 10_000_000 {
        return Err(format!(
            "{s} is more than 10000000 epochs: give at most 10000000"
        ));
    }
    Ok(v)
}

/// Hidden widths: `64` or `64,32`.
pub fn hidden(s: &str) -> Result<Vec<usize>, String> {
    s.split(',')
        .map(|p| positive_usize(p).map_err(|e| format!("hidden layer width: {e}")))
        .collect()
}

/// A one-byte field separator: `,`, `;`, `tab` or `\t`, `|`.
pub fn delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        "," | "comma" => Ok(b','),
        ";" | "semicolon" => Ok(b';'),
        "|" => Ok(b'|'),
        other => Err(format!(
            "{other:?} is not a supported separator: use , ; tab or |"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_refuse_non_finite_and_out_of_range() {
        assert!(positive_f64("nan").unwrap_err().contains("not finite"));
        assert!(positive_f64("inf").unwrap_err().contains("not finite"));
        assert!(positive_f64("0").unwrap_err().contains("> 0"));
        assert_eq!(positive_f64("0.05"), Ok(0.05));
        assert!(fraction("1").is_err() && fraction("0").is_err());
        assert_eq!(fraction("0.2"), Ok(0.2));
        assert!(positive_usize("0").is_err());
        assert_eq!(hidden("64,32"), Ok(vec![64, 32]));
        assert!(hidden("64,0").is_err());
        assert_eq!(delimiter("tab"), Ok(b'\t'));
    }
}
