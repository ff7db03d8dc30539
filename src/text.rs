//! Text helpers shared by the analysis (its check messages) and the reports: numbers, params
//! and group names as people read them.
//!
//! A leaf: it imports nothing of the crate, so both layers can use it without one pointing at
//! the other. Not here: the report's own wording (sentences, tables), which stays in
//! `crate::report`.

/// A number with 4 significant digits for messages: `1294`, `175.4`, `0.1356`; 0 and
/// non-finite values as Rust prints them.
pub(crate) fn fmt_num(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = (4 - 1 - v.abs().log10().floor() as i32).max(0) as usize;
    format!("{v:.digits$}")
}

/// Params as people read them: `threads=1, cpu-max-prime=20000` for the canonical
/// `threads=1;cpu-max-prime=20000`.
pub(crate) fn display_params(params: &str) -> String {
    params.replace(';', ", ")
}

/// The name the analysis gives a (workload, params, stratum) group in its checks:
/// `workload [params] (stratum)`, each part only when it is not empty.
pub(crate) fn group_label(workload: &str, params: &str, stratum: &str) -> String {
    let mut s = workload.to_string();
    if !params.is_empty() {
        s.push_str(&format!(" [{}]", display_params(params)));
    }
    if !stratum.is_empty() {
        s.push_str(&format!(" ({stratum})"));
    }
    s
}

/// Orders names with the digit runs compared as numbers: `rep2.txt` before `rep10.txt`.
pub(crate) fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    // The chunks before the one where the two first differ are equal: start at that chunk
    // (paths of one store share long prefixes, and a selection sorts 800,000 of them). It
    // starts after a digit-to-other change, so at a character boundary.
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let differ = x.iter().zip(y).position(|(p, q)| p != q).unwrap_or(x.len().min(y.len()));
    let mut start = differ;
    if start > 0 {
        let digit = x[start - 1].is_ascii_digit();
        start -= 1;
        while start > 0 && x[start - 1].is_ascii_digit() == digit {
            start -= 1;
        }
    }
    natural_cmp_chunks(&a[start..], &b[start..])
}

/// [`natural_cmp`] chunk by chunk from the start.
fn natural_cmp_chunks(a: &str, b: &str) -> std::cmp::Ordering {
    fn chunks(s: &str) -> impl Iterator<Item = (bool, &str)> {
        let mut rest = s;
        std::iter::from_fn(move || {
            let first = rest.chars().next()?;
            let digit = first.is_ascii_digit();
            let end = rest.find(|c: char| c.is_ascii_digit() != digit).unwrap_or(rest.len());
            let (chunk, tail) = rest.split_at(end);
            rest = tail;
            Some((digit, chunk))
        })
    }
    let (mut x, mut y) = (chunks(a), chunks(b));
    loop {
        let ord = match (x.next(), y.next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some((true, p)), Some((true, q))) => {
                let (p, q) = (p.trim_start_matches('0'), q.trim_start_matches('0'));
                p.len().cmp(&q.len()).then_with(|| p.cmp(q))
            }
            (Some((_, p)), Some((_, q))) => p.cmp(q),
        };
        if ord.is_ne() {
            return ord;
        }
    }
}

/// Appends to `key` a key of `s` whose byte order is the order of [`natural_cmp`]: each run of
/// non-digits as its bytes and a 0 byte; each run of digits as `0`, the number of its digits
/// without leading zeros (four bytes, big-endian) and those digits; then a 0 byte and the name
/// itself, which decides between names whose runs are all equal, as `natural_cmp` does. Many
/// names sort faster by their keys, which compare as bytes, than by `natural_cmp`; appended,
/// so that many keys share one buffer.
pub(crate) fn natural_key_into(s: &str, key: &mut Vec<u8>) {
    let mut rest = s.as_bytes();
    while let Some(&first) = rest.first() {
        let digit = first.is_ascii_digit();
        let end = rest.iter().position(|b| b.is_ascii_digit() != digit).unwrap_or(rest.len());
        let (chunk, tail) = rest.split_at(end);
        if digit {
            // A digit's byte first: against a run of non-digits, as a digit compares.
            let significant = &chunk[chunk.iter().position(|&b| b != b'0').unwrap_or(chunk.len())..];
            key.push(b'0');
            key.extend_from_slice(&(significant.len() as u32).to_be_bytes());
            key.extend_from_slice(significant);
        } else {
            // Names hold no 0 byte (paths cannot): it ends the run before any longer one.
            key.extend_from_slice(chunk);
            key.push(0);
        }
        rest = tail;
    }
    key.push(0);
    key.extend_from_slice(s.as_bytes());
}

/// Orders two params values: as numbers when both are numbers (`threads=20` before
/// `threads=100`, `0.25` before `0.5`), as sizes when both are sizes or one is a size and the
/// other a number of bytes (`4k` before `64k` before `1m`, `1KiB` before `8MiB`, `512` before
/// `4k`), else with their digit runs compared as numbers ([`natural_cmp`]).
pub(crate) fn value_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) if x.is_finite() && y.is_finite() => x.total_cmp(&y).then_with(|| a.cmp(b)),
        _ => match (size_number(a), size_number(b)) {
            (Some(x), Some(y)) => x.total_cmp(&y).then_with(|| a.cmp(b)),
            _ => natural_cmp(a, b),
        },
    }
}

/// The number a value stands for: a number (`8`, `0.5`), or a size with a binary suffix as
/// the tools write them (`4k`, `64K`, `1M`, `16KiB`, `1GiB`, `2g`: times 1024 per step), so
/// that block sizes sort and space by size; `None` for anything else (`qcow2`, `rndrw`).
pub(crate) fn size_number(value: &str) -> Option<f64> {
    let s = value.trim();
    if let Ok(v) = s.parse::<f64>() {
        return v.is_finite().then_some(v);
    }
    let digits = s.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (num, suffix) = s.split_at(digits);
    let v: f64 = num.parse().ok()?;
    let step = match suffix.to_ascii_lowercase().as_str() {
        "k" | "kb" | "kib" => 1,
        "m" | "mb" | "mib" => 2,
        "g" | "gb" | "gib" => 3,
        "t" | "tb" | "tib" => 4,
        _ => return None,
    };
    Some(v * 1024f64.powi(step))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Starting at the chunk where two names first differ gives the order of comparing every
    /// chunk from the start: random names of digits, letters, separators and a two-byte
    /// letter (so a first difference can fall inside a character).
    #[test]
    fn natural_order_from_the_first_difference_is_the_whole_walk() {
        let parts = ["0", "1", "9", "00", "10", "a", "b", "/", "é", "è", "rep", "."];
        let mut rng = fastrand::Rng::with_seed(3);
        let mut name = || (0..rng.usize(0..8)).map(|_| parts[rng.usize(..parts.len())]).collect::<String>();
        for _ in 0..50_000 {
            let (a, b) = (name(), name());
            assert_eq!(natural_cmp(&a, &b), natural_cmp_chunks(&a, &b), "{a:?} {b:?}");
            let c = format!("{a}{b}");
            assert_eq!(natural_cmp(&a, &c), natural_cmp_chunks(&a, &c), "{a:?} {c:?}");
        }
    }

    /// Names sorted by their keys are in natural order: random names as above, and names with
    /// long runs of digits and zeros.
    #[test]
    fn natural_keys_order_as_natural_cmp() {
        let parts =
            ["0", "1", "9", "00", "10", "a", "b", "/", "é", "è", "rep", ".", "0000000000012", "99999"];
        let mut rng = fastrand::Rng::with_seed(5);
        let mut name = || (0..rng.usize(0..8)).map(|_| parts[rng.usize(..parts.len())]).collect::<String>();
        // Appended after a key already in the buffer, as the run ranks keep them.
        let natural_key = |s: &str| {
            let mut key = b"before".to_vec();
            natural_key_into(s, &mut key);
            key.split_off(6)
        };
        for _ in 0..50_000 {
            let (a, b) = (name(), name());
            assert_eq!(natural_key(&a).cmp(&natural_key(&b)), natural_cmp(&a, &b), "{a:?} {b:?}");
            let c = format!("{a}{b}");
            assert_eq!(natural_key(&a).cmp(&natural_key(&c)), natural_cmp(&a, &c), "{a:?} {c:?}");
        }
    }

    #[test]
    fn numbers_have_four_significant_digits() {
        assert_eq!(fmt_num(1294.3), "1294");
        assert_eq!(fmt_num(175.44), "175.4");
        assert_eq!(fmt_num(0.135_62), "0.1356");
        assert_eq!(fmt_num(-2.5), "-2.500");
        assert_eq!(fmt_num(123_456.0), "123456");
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(f64::NAN), "NaN");
    }

    #[test]
    fn sizes_sort_by_value() {
        let mut v = vec!["8MiB", "1KiB", "64KiB", "1MiB", "4KiB"];
        v.sort_by(|a, b| value_cmp(a, b));
        assert_eq!(v, ["1KiB", "4KiB", "64KiB", "1MiB", "8MiB"]);
        let mut v = vec!["1m", "64k", "512", "4k", "128K"];
        v.sort_by(|a, b| value_cmp(a, b));
        assert_eq!(v, ["512", "4k", "64k", "128K", "1m"]);
        // Not sizes: digit runs as numbers.
        let mut v = vec!["rndwr", "seqrd", "job10", "job2"];
        v.sort_by(|a, b| value_cmp(a, b));
        assert_eq!(v, ["job2", "job10", "rndwr", "seqrd"]);
    }

    #[test]
    fn groups_are_named_by_their_parts() {
        assert_eq!(group_label("wrk", "", ""), "wrk");
        assert_eq!(group_label("fio.randread", "bs=4k;iodepth=1", ""), "fio.randread [bs=4k, iodepth=1]");
        assert_eq!(group_label("wrk", "", "docker"), "wrk (docker)");
        assert_eq!(group_label("sysbench.cpu", "threads=2", "qemu"), "sysbench.cpu [threads=2] (qemu)");
    }
}
