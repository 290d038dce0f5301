//! Memory limits for training: a data file too large for the machine is refused before it is
//! read, and a model/data combination that would not fit is refused before training starts.
//!
//! - **Data file size** ([`data_file_limit`]): a CSV data set is read whole, parsed into
//!   `f32` features and split. While loading, the text, the parsed set and its split take up
//!   to four times the file's size (a file of one-digit values: 2 bytes of text per 4-byte
//!   float; measured 4.0x peak for loading, 6.7x with training, on 110 MB of such text; 1.6x in
//!   all for 6-digit values), so the default limit is a fifth of the memory available when
//!   lrviz starts (`MemAvailable` in `/proc/meminfo`), or 1 GiB where that is unknown.
//!   `--max-data-size` sets it (e.g. `--max-data-size 8G`).
//! - **Training memory** ([`training_bytes`]): the weights, their gradients and momentum, the
//!   shuffled copy of the training rows, and the activations of a batch and of the whole
//!   validation split. A run whose estimate is over the available memory is refused.

use std::fmt;

/// Where a limit came from, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitSource {
    /// `--max-data-size` on the command line.
    Flag,
    /// A fifth of `MemAvailable` (the value in bytes).
    Available(u64),
    /// The fixed fallback where available memory is unknown.
    Fallback,
}

/// The fallback file limit where available memory is unknown: 1 GiB.
pub const FALLBACK_DATA_LIMIT: u64 = lrviz_data::DEFAULT_MAX_CSV_BYTES;

/// The assumed memory where `/proc/meminfo` cannot be read: 4 GiB.
pub const FALLBACK_MEMORY: u64 = 4 << 30;

/// `MemAvailable` from `/proc/meminfo`, in bytes; `None` off Linux or if unreadable.
pub fn available_memory() -> Option<u64> {
    parse_meminfo(&std::fs::read_to_string("/proc/meminfo").ok()?)
}

/// Reads the `MemAvailable:  123456 kB` line.
pub fn parse_meminfo(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let mut parts = line["MemAvailable:".len()..].split_whitespace();
    let value: u64 = parts.next()?.parse().ok()?;
    match parts.next() {
        Some("kB") => value.checked_mul(1024),
        None => Some(value),
        Some(_) => None,
    }
}

/// The data-file limit in force: the flag's value, else a fifth of `available`, else
/// [`FALLBACK_DATA_LIMIT`].
pub fn data_file_limit(flag: Option<u64>, available: Option<u64>) -> (u64, LimitSource) {
    match (flag, available) {
        (Some(v), _) => (v, LimitSource::Flag),
        (None, Some(a)) => ((a / 5).max(1 << 20), LimitSource::Available(a)),
        (None, None) => (FALLBACK_DATA_LIMIT, LimitSource::Fallback),
    }
}

impl fmt::Display for LimitSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LimitSource::Flag => f.write_str("set by --max-data-size"),
            LimitSource::Available(a) => write!(
                f,
                "a fifth of the {} of memory available, as loading takes up to 4x the file size",
                human_bytes(*a)
            ),
            LimitSource::Fallback => f.write_str("the default where available memory is unknown"),
        }
    }
}

/// A size flag: bytes, or a number with `K`, `M`, `G`, `T` (powers of 1024; `KB`/`KiB` and
/// lower case accepted), e.g. `500M`, `1.5G`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a size: give bytes or e.g. 500M, 2G"))?;
    let unit = unit.trim().to_ascii_lowercase();
    let scale: u64 = match unit.trim_end_matches("ib").trim_end_matches('b') {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        "t" => 1 << 40,
        _ => return Err(format!("{s:?}: unknown unit {unit:?}; use K, M, G or T")),
    };
    let bytes = value * scale as f64;
    if !(bytes >= 1.0 && bytes < u64::MAX as f64) {
        return Err(format!("{s} must be at least 1 byte and below 16 EiB"));
    }
    Ok(bytes as u64)
}

/// `1.5 GiB`, `300 MiB`, `512 B`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// What a training run holds in memory, in bytes (`None` on overflow: certainly too large).
///
/// `f32` everywhere: 4 copies of the parameters (weights, gradients, momentum, a best-weights
/// snapshot), the split's training rows 3 times (the split, the shuffled copy, its tensor) and
/// validation rows twice, and per layer the activations of a batch and of the validation split
/// (pre-activation, activation and gradient: 3 each).
pub fn training_bytes(
    features: usize,
    hidden: &[usize],
    train_rows: usize,
    val_rows: usize,
    batch_size: usize,
) -> Option<u64> {
    let f = features as u64;
    let mut widths = vec![f];
    widths.extend(hidden.iter().map(|&w| w as u64));
    widths.push(1);
    let mut params = 0u64;
    for w in widths.windows(2) {
        params = params.checked_add(w[0].checked_mul(w[1])?.checked_add(w[1])?)?;
    }
    let units: u64 = widths[1..]
        .iter()
        .try_fold(0u64, |acc, &w| acc.checked_add(w))?;
    let batch = (batch_size as u64).min(train_rows as u64);
    let values = params
        .checked_mul(4)?
        .checked_add((train_rows as u64).checked_mul(f)?.checked_mul(3)?)?
        .checked_add((val_rows as u64).checked_mul(f)?.checked_mul(2)?)?
        .checked_add(
            (val_rows as u64)
                .checked_add(batch)?
                .checked_mul(units)?
                .checked_mul(3)?,
        )?;
    values.checked_mul(4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meminfo_sizes_and_limits() {
        let text = "MemTotal:       24000000 kB\nMemFree:  100 kB\nMemAvailable:   16000000 kB\n";
        assert_eq!(parse_meminfo(text), Some(16_000_000 * 1024));
        assert_eq!(parse_meminfo("MemTotal: 1 kB\n"), None);
        assert_eq!(
            data_file_limit(None, Some(20 << 30)),
            (4 << 30, LimitSource::Available(20 << 30))
        );
        assert_eq!(data_file_limit(Some(10), Some(16 << 30)).0, 10);
        assert_eq!(
            data_file_limit(None, None),
            (1 << 30, LimitSource::Fallback)
        );
        assert_eq!(parse_size("500M"), Ok(500 << 20));
        assert_eq!(parse_size("1.5G"), Ok(3 << 29));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("4kb"), Ok(4096));
        assert_eq!(parse_size("123"), Ok(123));
        assert!(parse_size("0").is_err() && parse_size("1X").is_err());
        assert!(parse_size("nan").is_err() && parse_size("-1G").is_err());
        assert!(parse_size("99999999999T").is_err());
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(3 << 29), "1.5 GiB");
    }

    #[test]
    fn training_bytes_counts_weights_rows_and_activations() {
        // 2 features, hidden 3: params 2*3+3 + 3*1+1 = 13; units 3+1 = 4.
        // 10 train rows, 5 val, batch 4: 13*4 + 10*2*3 + 5*2*2 + (5+4)*4*3 = 52+60+20+108 = 240
        // values = 960 bytes.
        assert_eq!(training_bytes(2, &[3], 10, 5, 4), Some(960));
        assert_eq!(training_bytes(2, &[usize::MAX, usize::MAX], 10, 5, 4), None);
    }
}
