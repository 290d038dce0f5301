//! Shared helpers for reading CSV text: opening files with clear errors, byte-order marks,
//! delimiter detection, header checks and number parsing.
//!
//! Both the data-set loader and the log reader go through these, so a BOM, CRLF line ends,
//! quoted fields and `;`/tab separators are handled once, the same way.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use crate::DataError;

/// The UTF-8 byte-order mark some editors (and Excel) put at the start of a file.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Delimiters [`detect_delimiter`] chooses from, in order of preference on a tie.
pub(crate) const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// Opens `path` for reading, turning the usual failures into [`DataError`]s that name the path.
///
/// With `limit`, a regular file larger than `limit` bytes is refused before it is read. Returns
/// the file and its size from the metadata (0 for pipes and other special files).
pub(crate) fn open_file(path: &Path, limit: Option<u64>) -> Result<(File, u64), DataError> {
    let shown = path.display().to_string();
    let io_err = |e: io::Error| match e.kind() {
        io::ErrorKind::NotFound => DataError::FileNotFound {
            path: shown.clone(),
        },
        io::ErrorKind::IsADirectory => DataError::IsDirectory {
            path: shown.clone(),
        },
        _ => DataError::Unreadable {
            path: shown.clone(),
            source: e,
        },
    };
    let meta = std::fs::metadata(path).map_err(io_err)?;
    if meta.is_dir() {
        return Err(DataError::IsDirectory { path: shown });
    }
    if let Some(limit) = limit {
        if meta.is_file() && meta.len() > limit {
            return Err(DataError::TooLarge {
                path: shown,
                size: meta.len(),
                limit,
            });
        }
    }
    let file = File::open(path).map_err(io_err)?;
    Ok((file, meta.len()))
}

/// A reader that turns every CRLF line end into LF as the bytes stream through.
///
/// The `csv` crate ends a record at the `\r` of a CRLF and consumes the `\n` only when it reads
/// the next record, so that record's reported line is one too low. Feeding it LF-only text keeps
/// every error's line number right. A lone `\r` (not followed by `\n`) passes through unchanged.
pub(crate) struct CrlfToLf<R> {
    inner: R,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    /// A `\r` was read last and not yet written: it is dropped if `\n` follows.
    cr_pending: bool,
}

impl<R: Read> CrlfToLf<R> {
    pub(crate) fn new(inner: R) -> Self {
        CrlfToLf {
            inner,
            buf: vec![0; 64 * 1024].into_boxed_slice(),
            start: 0,
            end: 0,
            cr_pending: false,
        }
    }
}

impl<R: Read> Read for CrlfToLf<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            if self.start == self.end {
                let n = loop {
                    match self.inner.read(&mut self.buf) {
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        other => break other?,
                    }
                };
                if n == 0 {
                    if std::mem::take(&mut self.cr_pending) {
                        out[0] = b'\r';
                        return Ok(1);
                    }
                    return Ok(0);
                }
                self.start = 0;
                self.end = n;
            }
            let mut written = 0;
            while self.start < self.end && written < out.len() {
                let b = self.buf[self.start];
                if std::mem::take(&mut self.cr_pending) && b != b'\n' {
                    out[written] = b'\r';
                    written += 1;
                    continue; // `b` is looked at again on the next turn
                }
                self.start += 1;
                if b == b'\r' {
                    self.cr_pending = true;
                } else {
                    out[written] = b;
                    written += 1;
                }
            }
            if written > 0 {
                return Ok(written);
            }
        }
    }
}

/// `bytes` without a leading UTF-8 byte-order mark.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// The first physical line of `bytes` (up to the first newline outside double quotes).
pub(crate) fn first_line(bytes: &[u8]) -> &[u8] {
    let mut quoted = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => return &bytes[..i],
            _ => {}
        }
    }
    bytes
}

/// Picks the separator of a CSV file from its header line: whichever of `,` `;` and tab occurs
/// most often outside double quotes; `,` on a tie or when none occurs (a one-column file).
pub(crate) fn detect_delimiter(header_line: &[u8]) -> u8 {
    let mut counts = [0usize; DELIMITERS.len()];
    let mut quoted = false;
    for &b in header_line {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(k) = DELIMITERS.iter().position(|&d| d == b) {
                counts[k] += 1;
            }
        }
    }
    let mut best = 0;
    for k in 1..DELIMITERS.len() {
        if counts[k] > counts[best] {
            best = k;
        }
    }
    DELIMITERS[best]
}

/// The 1-based line where `record` starts, offset by lines skipped before the CSV reader saw
/// the text.
pub(crate) fn record_line(record: &csv::ByteRecord, offset: u64) -> u64 {
    record.position().map_or(0, |p| p.line()) + offset
}

/// A field as trimmed UTF-8 text, or [`DataError::NonUtf8`] naming the line.
pub(crate) fn field_str<'a>(field: &'a [u8], file: &str, line: u64) -> Result<&'a str, DataError> {
    std::str::from_utf8(field.trim_ascii()).map_err(|_| DataError::NonUtf8 {
        file: file.to_owned(),
        line,
    })
}

/// Reads a header record: UTF-8, trimmed, no empty names.
pub(crate) fn header_names(
    record: &csv::ByteRecord,
    file: &str,
    line: u64,
) -> Result<Vec<String>, DataError> {
    let mut names: Vec<String> = Vec::with_capacity(record.len());
    for (i, field) in record.iter().enumerate() {
        let name = field_str(field, file, line)?;
        if name.is_empty() {
            return Err(DataError::EmptyColumnName {
                file: file.to_owned(),
                line,
                column: i + 1,
            });
        }
        names.push(name.to_owned());
    }
    Ok(names)
}

/// Checks that header names are unique (after [`looks_like_data`], whose message is the more
/// helpful one for a file without a header).
pub(crate) fn check_unique(names: &[String], file: &str, line: u64) -> Result<(), DataError> {
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, name) in names.iter().enumerate() {
        if let Some(first) = seen.insert(name, i) {
            return Err(DataError::DuplicateColumn {
                file: file.to_owned(),
                line,
                name: name.clone(),
                first: first + 1,
                second: i + 1,
            });
        }
    }
    Ok(())
}

/// True when every header name parses as a number: the file has no header row.
pub(crate) fn looks_like_data(names: &[String]) -> bool {
    !names.is_empty() && names.iter().all(|n| parse_number(n).is_some())
}

/// The header line's text for an error message, shortened to 80 characters.
pub(crate) fn shorten(names: &[String], delimiter: u8) -> String {
    let joined = names.join(&(delimiter as char).to_string());
    match joined.char_indices().nth(80) {
        Some((i, _)) => format!("{}...", &joined[..i]),
        None => joined,
    }
}

/// Parses a number as Rust does (`1`, `-2.5e-3`, `.5`), which also accepts `nan`, `inf`,
/// `infinity` in any case with an optional sign. `None` for anything else.
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    text.parse::<f64>().ok()
}

/// Parses a log cell: a number (non-finite spellings included) or `true`/`false` (1/0) in any
/// case. `None` when it is neither.
pub(crate) fn parse_log_value(text: &str) -> Option<f64> {
    parse_number(text).or_else(|| {
        if text.eq_ignore_ascii_case("true") {
            Some(1.0)
        } else if text.eq_ignore_ascii_case("false") {
            Some(0.0)
        } else {
            None
        }
    })
}

/// Parses a non-negative whole number (`3`, `3.0`, `3e1`) up to 2^53, as an epoch or step.
pub(crate) fn parse_index(text: &str) -> Option<u64> {
    const MAX_EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: every whole f64 below is exact
    if let Ok(v) = text.parse::<u64>() {
        return Some(v);
    }
    let v = parse_number(text)?;
    (v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= MAX_EXACT).then_some(v as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lf(input: &[u8], chunk: usize) -> Vec<u8> {
        let mut r = CrlfToLf::new(input);
        let mut out = Vec::new();
        let mut buf = vec![0; chunk];
        loop {
            let n = r.read(&mut buf).unwrap();
            if n == 0 {
                return out;
            }
            out.extend_from_slice(&buf[..n]);
        }
    }

    #[test]
    fn crlf_becomes_lf_and_lone_cr_survives_at_any_read_size() {
        // Expected outputs written out by hand from the rule: drop a \r only before \n.
        let cases: [(&[u8], &[u8]); 6] = [
            (b"a,b\r\n1,2\r\n", b"a,b\n1,2\n"),
            (b"a\rb", b"a\rb"),
            (b"a\r", b"a\r"),
            (b"\r\r\n", b"\r\n"),
            (b"\"x\r\ny\"\r\n", b"\"x\ny\"\n"),
            (b"", b""),
        ];
        for (input, want) in cases {
            for chunk in [1, 2, 3, 64] {
                assert_eq!(lf(input, chunk), want, "{input:?} read {chunk} at a time");
            }
        }
    }
}
