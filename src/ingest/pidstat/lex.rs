//! Byte-level pieces of a pidstat line: whitespace tokens, decimal numbers, timestamps and the
//! `Linux ...` banner. Everything works on `&[u8]` without allocating, and none of it panics on
//! any input (slices are only taken at positions the loops have checked).

/// Returns true if and only if `b` separates tokens (pidstat pads with spaces, the banner has
/// tabs).
#[inline]
pub(crate) fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// `s` without trailing blanks.
#[inline]
pub(crate) fn trim_end(s: &[u8]) -> &[u8] {
    let mut end = s.len();
    while end > 0 && is_blank(s[end - 1]) {
        end -= 1;
    }
    &s[..end]
}

/// A cursor over the whitespace-separated tokens of one line.
#[derive(Clone, Copy)]
pub(crate) struct Tokens<'a> {
    line: &'a [u8],
    pos: usize,
}

impl<'a> Tokens<'a> {
    /// Starts at the beginning of `line`.
    #[inline]
    pub(crate) fn new(line: &'a [u8]) -> Tokens<'a> {
        Tokens { line, pos: 0 }
    }

    #[inline]
    fn skip_blanks(&mut self) {
        while self.pos < self.line.len() && is_blank(self.line[self.pos]) {
            self.pos += 1;
        }
    }

    /// The next token, or `None` at the end of the line.
    #[inline]
    #[allow(clippy::should_implement_trait)]
    pub(crate) fn next(&mut self) -> Option<&'a [u8]> {
        self.skip_blanks();
        let start = self.pos;
        while self.pos < self.line.len() && !is_blank(self.line[self.pos]) {
            self.pos += 1;
        }
        (self.pos > start).then(|| &self.line[start..self.pos])
    }

    /// Everything from the next token to the end of the line, trailing blanks removed (pidstat's
    /// Command column, which may hold spaces with `-l`). Consumes the line.
    #[inline]
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        self.skip_blanks();
        let r = trim_end(&self.line[self.pos..]);
        self.pos = self.line.len();
        r
    }

    /// What [`Tokens::rest`] would return, without consuming it.
    #[inline]
    pub(crate) fn remaining(&self) -> &'a [u8] {
        let mut t = *self;
        t.rest()
    }
}

/// Exact powers of ten representable in an f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
    1e19, 1e20, 1e21, 1e22,
];

/// Parses a plain decimal (`0.00`, `-1.00`, `54292`, `28,76` with a decimal comma) to the same
/// f64 as `str::parse` would, fast. Up to 19 digits with at most 22 after the point and a
/// mantissa up to 2^53 are computed as one exact integer divided by one exact power of ten,
/// which IEEE division rounds correctly; anything else (exponents, long digit strings) falls
/// back to `str::parse`. Returns `None` for non-numbers and non-finite values.
#[inline]
pub(crate) fn decimal(tok: &[u8]) -> Option<f64> {
    let (neg, digits) = match tok.first() {
        Some(b'-') => (true, &tok[1..]),
        Some(b'+') => (false, &tok[1..]),
        _ => (false, tok),
    };
    let mut m: u64 = 0;
    let mut n = 0u32;
    let mut frac = 0u32;
    let mut dot = false;
    for &c in digits {
        let d = c.wrapping_sub(b'0');
        if d < 10 {
            if n >= 19 {
                return slow_decimal(tok);
            }
            m = m * 10 + u64::from(d);
            n += 1;
            frac += u32::from(dot);
        } else if (c == b'.' || c == b',') && !dot {
            dot = true;
        } else {
            return slow_decimal(tok);
        }
    }
    if n == 0 {
        return None;
    }
    if m > (1u64 << 53) || frac as usize >= POW10.len() {
        return slow_decimal(tok);
    }
    let v = m as f64 / POW10[frac as usize];
    Some(if neg { -v } else { v })
}

#[cold]
fn slow_decimal(tok: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(tok).ok()?;
    let v: f64 = if s.contains(',') { s.replacen(',', ".", 1).parse().ok()? } else { s.parse().ok()? };
    v.is_finite().then_some(v)
}

/// Parses a process or thread id (decimal digits only).
#[inline]
pub(crate) fn id(tok: &[u8]) -> Option<u64> {
    if tok.is_empty() || tok.len() > 19 {
        return None;
    }
    let mut v: u64 = 0;
    for &c in tok {
        let d = c.wrapping_sub(b'0');
        if d >= 10 {
            return None;
        }
        v = v * 10 + u64::from(d);
    }
    Some(v)
}

/// A timestamp as pidstat prints it at the start of a line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Stamp {
    /// Seconds since the epoch (`-h` of old sysstat, `-H`).
    Epoch(f64),
    /// Seconds since midnight (`HH:MM:SS`, or `HH:MM:SS AM` with the AM/PM token consumed).
    Clock(u32),
}

/// Seconds since midnight of `H:MM:SS` / `HH:MM:SS`.
#[inline]
pub(crate) fn clock(tok: &[u8]) -> Option<u32> {
    let (h, rest) = match tok {
        [a, b':', rest @ ..] => (digit(*a)?, rest),
        [a, b, b':', rest @ ..] => (digit(*a)? * 10 + digit(*b)?, rest),
        _ => return None,
    };
    let [m1, m2, b':', s1, s2] = rest else { return None };
    let m = digit(*m1)? * 10 + digit(*m2)?;
    let s = digit(*s1)? * 10 + digit(*s2)?;
    (h < 24 && m < 60 && s <= 60).then_some(h * 3600 + m * 60 + s)
}

#[inline]
fn digit(b: u8) -> Option<u32> {
    let d = b.wrapping_sub(b'0');
    (d < 10).then_some(u32::from(d))
}

/// `Some(false)` for `AM`, `Some(true)` for `PM` (any case), `None` otherwise.
#[inline]
fn meridiem(tok: &[u8]) -> Option<bool> {
    match tok {
        [a, m] if m.eq_ignore_ascii_case(&b'm') => match a.to_ascii_uppercase() {
            b'A' => Some(false),
            b'P' => Some(true),
            _ => None,
        },
        _ => None,
    }
}

/// Reads the timestamp that starts a line, whose first token is `first`: an epoch (digits only)
/// or a clock time, with its `AM`/`PM` token taken from `rest` when there is one. Returns
/// `None` when `first` is neither.
#[inline]
pub(crate) fn stamp(first: &[u8], rest: &mut Tokens<'_>) -> Option<Stamp> {
    if let Some(secs) = clock(first) {
        let mut peek = *rest;
        if let Some(pm) = peek.next().and_then(meridiem) {
            *rest = peek;
            let h = secs / 3600;
            if h == 0 || h > 12 {
                return None;
            }
            let base = secs - h * 3600;
            let h24 = (h % 12) + if pm { 12 } else { 0 };
            return Some(Stamp::Clock(base + h24 * 3600));
        }
        return Some(Stamp::Clock(secs));
    }
    if first.len() <= 12 {
        return id(first).map(|v| Stamp::Epoch(v as f64));
    }
    None
}

/// The facts of a `Linux <kernel> (<host>) <date> _<arch>_ (<N> CPU)` banner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Banner<'a> {
    /// Kernel release.
    pub kernel: &'a [u8],
    /// Host name, without the parentheses.
    pub host: &'a [u8],
    /// Date as printed (locale or ISO format).
    pub date: Option<&'a [u8]>,
    /// Architecture, without the underscores.
    pub arch: Option<&'a [u8]>,
    /// Number of CPUs.
    pub cpus: Option<&'a [u8]>,
}

/// Parses the sysstat banner line, or returns `None` if `line` is not one. The kernel and the
/// parenthesised host are required; date, arch and CPU count are taken when present.
pub(crate) fn banner(line: &[u8]) -> Option<Banner<'_>> {
    let mut t = Tokens::new(line);
    if t.next()? != b"Linux" {
        return None;
    }
    let kernel = t.next()?;
    let host = t.next()?;
    let host = host.strip_prefix(b"(")?.strip_suffix(b")")?;
    if host.is_empty() {
        return None;
    }
    let mut b = Banner { kernel, host, date: None, arch: None, cpus: None };
    let mut prev: Option<&[u8]> = None;
    while let Some(tok) = t.next() {
        if tok == b"CPU)" {
            b.cpus = prev.and_then(|p| p.strip_prefix(b"("));
        } else if tok.len() > 2 && tok.starts_with(b"_") && tok.ends_with(b"_") {
            b.arch = Some(&tok[1..tok.len() - 1]);
        } else if b.date.is_none() && !tok.starts_with(b"(") {
            b.date = Some(tok);
        }
        prev = Some(tok);
    }
    Some(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn toks(s: &str) -> Vec<&[u8]> {
        let mut t = Tokens::new(s.as_bytes());
        std::iter::from_fn(|| t.next()).collect()
    }

    #[test]
    fn tokens_split_on_spaces_and_tabs() {
        assert_eq!(toks("  a \tbb  c "), vec![&b"a"[..], b"bb", b"c"]);
        assert!(toks("   ").is_empty());
        let mut t = Tokens::new(b"1 2  /usr/bin/x --y z  ");
        t.next();
        assert_eq!(t.remaining(), b"2  /usr/bin/x --y z");
        t.next();
        assert_eq!(t.rest(), b"/usr/bin/x --y z");
        assert_eq!(t.next(), None);
        assert_eq!(t.rest(), b"");
    }

    #[test]
    fn decimals_match_std() {
        for s in ["0.00", "-1.00", "54292", "1448481504", "0.28", "9382.61", "1e3", "+4.5", ".5", "1."] {
            assert_eq!(decimal(s.as_bytes()), s.parse::<f64>().ok(), "{s}");
        }
        assert_eq!(decimal(b"28,76"), Some(28.76));
        for s in ["", "-", ".", "abc", "1.2.3", "nan", "inf", "1,2,3", "12a"] {
            assert_eq!(decimal(s.as_bytes()), None, "{s}");
        }
        assert_eq!(decimal(b"123456789012345678901234.5"), Some(123456789012345678901234.5));
    }

    #[test]
    fn clock_and_meridiem() {
        assert_eq!(clock(b"23:15:04"), Some(23 * 3600 + 15 * 60 + 4));
        assert_eq!(clock(b"1:02:03"), Some(3723));
        assert_eq!(clock(b"24:00:00"), None);
        assert_eq!(clock(b"12:60:00"), None);
        assert_eq!(clock(b"2025-10-23"), None);
        let mut t = Tokens::new(b"AM 0 1");
        assert_eq!(stamp(b"12:52:26", &mut t), Some(Stamp::Clock(52 * 60 + 26)));
        assert_eq!(t.next(), Some(&b"0"[..]));
        let mut t = Tokens::new(b"PM x");
        assert_eq!(stamp(b"12:00:01", &mut t), Some(Stamp::Clock(12 * 3600 + 1)));
        let mut t = Tokens::new(b"pm x");
        assert_eq!(stamp(b"01:55:24", &mut t), Some(Stamp::Clock(13 * 3600 + 55 * 60 + 24)));
        let mut t = Tokens::new(b"PM");
        assert_eq!(stamp(b"13:00:00", &mut t), None);
        let mut t = Tokens::new(b"0 1");
        assert_eq!(stamp(b"1448481504", &mut t), Some(Stamp::Epoch(1448481504.0)));
        assert_eq!(stamp(b"Average:", &mut t), None);
    }

    #[test]
    fn banners() {
        let b = banner(b"Linux 6.8.0-79-generic (srvchinaubu) \t10/23/2025 \t_x86_64_\t(2 CPU)").unwrap();
        assert_eq!(b.kernel, b"6.8.0-79-generic");
        assert_eq!(b.host, b"srvchinaubu");
        assert_eq!(b.date, Some(&b"10/23/2025"[..]));
        assert_eq!(b.arch, Some(&b"x86_64"[..]));
        assert_eq!(b.cpus, Some(&b"2"[..]));
        assert!(banner(b"Linux host 5.15.0 #1 SMP").is_none());
        assert!(banner(b"Linux").is_none());
        assert!(banner(b"Linux 5.1 ()").is_none());
    }

    proptest! {
        #[test]
        fn decimal_agrees_with_std(int in 0u64..100_000_000_000u64, frac in 0u32..1_000_000u32,
                                   places in 0usize..7, neg: bool) {
            let f = format!("{frac:06}");
            let s = if places == 0 { format!("{}{int}", if neg { "-" } else { "" }) }
                    else { format!("{}{int}.{}", if neg { "-" } else { "" }, &f[..places]) };
            prop_assert_eq!(decimal(s.as_bytes()), s.parse::<f64>().ok(), "{}", s);
        }

        #[test]
        fn decimal_never_panics(s in proptest::collection::vec(any::<u8>(), 0..30)) {
            let _ = decimal(&s);
            let _ = clock(&s);
            let _ = banner(&s);
        }
    }
}
