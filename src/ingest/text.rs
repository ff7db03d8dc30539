//! Small text helpers shared by the parsers: numbered lines, numbers with unit suffixes,
//! durations and sizes. Pure functions, no allocation on the hot path; none of them panics on
//! any input.

/// Iterates over the lines of `text` with 1-based line numbers, without the line terminator
/// (`\n` or `\r\n`; a lone trailing `\r` is dropped too).
pub(crate) fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split('\n').enumerate().filter_map(move |(i, l)| {
        // split yields one empty piece after a final newline: that is not a line.
        if l.is_empty() && i > 0 && text.ends_with('\n') && is_last_piece(text, l) {
            return None;
        }
        Some((i + 1, l.strip_suffix('\r').unwrap_or(l)))
    })
}

fn is_last_piece(text: &str, piece: &str) -> bool {
    // The last piece of `split` ends exactly where `text` ends.
    let end = piece.as_ptr() as usize + piece.len();
    end == text.as_ptr() as usize + text.len()
}

/// Parses a plain decimal number, tolerating surrounding blanks and a trailing `%`.
/// Returns `None` unless the result is finite.
pub(crate) fn num(s: &str) -> Option<f64> {
    let s = s.trim();
    let s = s.strip_suffix('%').unwrap_or(s);
    let v: f64 = s.trim().parse().ok()?;
    v.is_finite().then_some(v)
}

/// Parses a number with an optional decimal SI suffix as fio and wrk print them:
/// `124007k` = 124007000, `1.08k`, `2.5M`, `3G`. Suffixes `k`/`K`, `m`/`M`, `g`/`G`, `t`/`T`
/// are powers of 1000 (wrk `Req/Sec 1.08k`, fio `max=124007k`).
pub(crate) fn num_si(s: &str) -> Option<f64> {
    let s = s.trim();
    let (digits, mult) = match s.as_bytes().last()? {
        b'k' | b'K' => (&s[..s.len() - 1], 1e3),
        b'm' | b'M' => (&s[..s.len() - 1], 1e6),
        b'g' | b'G' => (&s[..s.len() - 1], 1e9),
        b't' | b'T' => (&s[..s.len() - 1], 1e12),
        _ => (s, 1.0),
    };
    num(digits).map(|v| v * mult)
}

/// Parses a duration with a unit into milliseconds: `15.35us`, `16.50ms`, `1.79s`, `2m`, `1h`,
/// `12345ns`. Blanks around (wrk prints `1.79s `) are ignored. Returns `None` without a known
/// unit.
pub(crate) fn duration_ms(s: &str) -> Option<f64> {
    let s = s.trim();
    let (digits, mult) = if let Some(d) = s.strip_suffix("ns") {
        (d, 1e-6)
    } else if let Some(d) = s.strip_suffix("us").or_else(|| s.strip_suffix("µs")) {
        (d, 1e-3)
    } else if let Some(d) = s.strip_suffix("ms").or_else(|| s.strip_suffix("msec")) {
        (d, 1.0)
    } else if let Some(d) = s.strip_suffix("usec") {
        (d, 1e-3)
    } else if let Some(d) = s.strip_suffix("nsec") {
        (d, 1e-6)
    } else if let Some(d) = s.strip_suffix("sec") {
        (d, 1e3)
    } else if let Some(d) = s.strip_suffix('s') {
        (d, 1e3)
    } else if let Some(d) = s.strip_suffix('m') {
        (d, 60e3)
    } else if let Some(d) = s.strip_suffix('h') {
        (d, 3600e3)
    } else {
        return None;
    };
    num(digits).map(|v| v * mult)
}

/// Parses a size with a unit into bytes. Binary prefixes (`KiB`, `MiB`, `GiB`, `TiB`) are
/// powers of 1024; so are the bare and `B`-suffixed forms that wrk, sysbench and fio 2.x print
/// (`KB`, `MB`, `GB`, `Kb`, `Mb`, `K`, `M`, `G`), because those tools compute them with 1024.
/// A plain number or `B` suffix is bytes. Returns `None` for anything else.
pub(crate) fn size_bytes(s: &str) -> Option<f64> {
    let s = s.trim();
    let split = s
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+' || c == 'e'))
        .map(|(i, _)| i)
        .unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let v = num(digits)?;
    let mult = match unit.trim() {
        "" | "B" | "b" | "bytes" => 1.0,
        "K" | "k" | "KB" | "kB" | "Kb" | "kb" | "KiB" | "Ki" => 1024.0,
        "M" | "MB" | "Mb" | "mb" | "MiB" | "Mi" => 1024.0 * 1024.0,
        "G" | "GB" | "Gb" | "gb" | "GiB" | "Gi" => 1024.0 * 1024.0 * 1024.0,
        "T" | "TB" | "Tb" | "TiB" | "Ti" => 1024.0f64.powi(4),
        "P" | "PB" | "Pb" | "PiB" | "Pi" => 1024.0f64.powi(5),
        _ => return None,
    };
    Some(v * mult)
}

/// Returns the text after the first occurrence of `key` in `line`, trimmed, if `key` occurs.
pub(crate) fn after<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.find(key).map(|i| line[i + key.len()..].trim())
}

/// `bytes` as text, invalid UTF-8 replaced by U+FFFD, like `String::from_utf8_lossy`, but
/// checked first with `str::from_utf8`, which skips ASCII a word at a time: the lossy scan goes
/// byte by byte (7 instructions a byte, a third of the time it took to ingest a pidstat log
/// under 32 MiB), and almost every benchmark output is valid.
pub(crate) fn lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// A short, printable quote of a line for error messages (at most 60 characters).
pub(crate) fn quote(line: &str) -> String {
    let t = line.trim();
    let mut q: String = t.chars().take(60).collect();
    if t.chars().count() > 60 {
        q.push('…');
    }
    format!("'{q}'")
}

/// Random edits of real outputs, for the parsers' property tests.
#[cfg(test)]
pub(crate) mod edits {
    /// The longest prefix of `s` of at most `n` bytes that ends on a char boundary.
    pub(crate) fn cut(s: &str, n: usize) -> &str {
        let mut n = n.min(s.len());
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        &s[..n]
    }

    /// Applies line edits to `text`: each (op, a, b) removes line a (op % 3 == 0), copies line
    /// a in front of line b (1), or swaps lines a and b (2); a and b wrap around the line count.
    pub(crate) fn edit_lines(text: &str, ops: &[(u8, usize, usize)]) -> String {
        let mut lines: Vec<&str> = text.split('\n').collect();
        for &(op, a, b) in ops {
            if lines.is_empty() {
                break;
            }
            let (a, b) = (a % lines.len(), b % lines.len());
            match op % 3 {
                0 => {
                    lines.remove(a);
                }
                1 => lines.insert(b, lines[a]),
                _ => lines.swap(a, b),
            }
        }
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_numbered_from_one_and_lose_cr() {
        let v: Vec<_> = numbered_lines("a\r\nb\n\nc").collect();
        assert_eq!(v, vec![(1, "a"), (2, "b"), (3, ""), (4, "c")]);
        let v: Vec<_> = numbered_lines("a\n").collect();
        assert_eq!(v, vec![(1, "a")]);
        let v: Vec<_> = numbered_lines("a\n\n").collect();
        assert_eq!(v, vec![(1, "a"), (2, "")]);
        assert_eq!(numbered_lines("").count(), 1);
    }

    proptest::proptest! {
        /// `lossy` gives what `String::from_utf8_lossy` gives, valid or not.
        #[test]
        fn lossy_is_from_utf8_lossy(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
                                    text in ".{0,40}") {
            proptest::prop_assert_eq!(lossy(&bytes), String::from_utf8_lossy(&bytes));
            proptest::prop_assert!(matches!(lossy(text.as_bytes()), std::borrow::Cow::Borrowed(t) if t == text));
        }
    }

    #[test]
    fn numbers_with_suffixes() {
        assert_eq!(num(" 23.12 "), Some(23.12));
        assert_eq!(num("105.0%"), Some(105.0));
        assert_eq!(num("nan"), None);
        assert_eq!(num_si("124007k"), Some(124_007_000.0));
        assert_eq!(num_si("1.08k"), Some(1080.0));
        assert_eq!(num_si("755.18"), Some(755.18));
        assert_eq!(num_si(""), None);
    }

    #[test]
    fn durations_in_ms() {
        assert_eq!(duration_ms("16.50ms"), Some(16.5));
        assert_eq!(duration_ms("1.79s "), Some(1790.0));
        assert!((duration_ms("15.35us").unwrap() - 0.01535).abs() < 1e-12);
        assert_eq!(duration_ms("2m"), Some(120_000.0));
        assert_eq!(duration_ms("120014msec"), Some(120_014.0));
        assert_eq!(duration_ms("12"), None);
    }

    #[test]
    fn sizes_in_bytes() {
        assert_eq!(size_bytes("114.52KB"), Some(114.52 * 1024.0));
        assert_eq!(size_bytes("767.42MB"), Some(767.42 * 1024.0 * 1024.0));
        assert_eq!(size_bytes("16KiB"), Some(16384.0));
        assert_eq!(size_bytes("2048"), Some(2048.0));
        assert_eq!(size_bytes("3 furlongs"), None);
    }
}
