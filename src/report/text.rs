//! The words and numbers of a report: how values, changes, cost ratios and verdicts are
//! written, the sentence about one comparison ([`finding`]), and file-name-safe slugs. Every
//! section builder writes its numbers with these, so a number reads the same everywhere.

use std::collections::BTreeSet;

use crate::analyse::OverheadRow;
use crate::model::Better;
use crate::text::fmt_num;

/// A value with 4 significant digits (the analysis' own formatting).
pub(crate) fn num(v: f64) -> String {
    fmt_num(v)
}

/// `mean [low, high]`, or the mean alone.
pub(crate) fn value_with_ci(mean: Option<f64>, lo: Option<f64>, hi: Option<f64>) -> String {
    match (mean, lo, hi) {
        (Some(m), Some(l), Some(h)) => format!("{} [{}, {}]", num(m), num(l), num(h)),
        (Some(m), _, _) => num(m),
        _ => String::new(),
    }
}

/// A signed percentage with one decimal: `+2.0%`, `-0.4%`.
pub(crate) fn pct(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 {
        "0.0%".to_string()
    } else {
        format!("{r:+.1}%")
    }
}

/// A change in percent as [`pct`] writes it, except that a change above -100% never reads
/// `-100.0%` (a throughput that fell to 0.03% of the baseline's is `-99.97%`, not zero).
pub(crate) fn change_pct_text(v: f64) -> String {
    let mut text = pct(v);
    let mut digits = 2;
    while text == "-100.0%" && v > -100.0 && digits <= 6 {
        text = format!("{v:+.digits$}%");
        if text == format!("{:+.digits$}%", -100.0) {
            text = "-100.0%".to_string();
        }
        digits += 1;
    }
    text
}

/// The change of the metric with its interval: `-86.4% [-89.5%, -83.3%]`,
/// `+80.1% (interval unbounded)`, or `n/a` without a ratio.
pub(crate) fn change_text(row: &OverheadRow) -> String {
    match (row.change_pct, row.change_ci_low_pct, row.change_ci_high_pct) {
        (Some(c), Some(l), Some(h)) => {
            format!("{} [{}, {}]", change_pct_text(c), change_pct_text(l), change_pct_text(h))
        }
        (Some(c), _, _) => format!("{} (interval unbounded)", change_pct_text(c)),
        _ => "n/a".to_string(),
    }
}

/// A ratio with 3 significant digits: `7.37`, `1.01`, `0.998`, `29.5`, `0.0891`, `1254`.
pub(crate) fn ratio_fmt(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let digits = (2 - x.abs().log10().floor() as i32).max(0) as usize;
    format!("{x:.digits$}")
}

/// The cost ratio with its interval for tables: `×7.37 [5.99, 9.58]`,
/// `×7.37 (interval unbounded)`, or `n/a` when there is none (a mean that is not positive).
pub(crate) fn cost_text(row: &OverheadRow) -> String {
    match (row.cost_ratio, row.cost_ratio_ci_low, row.cost_ratio_ci_high) {
        (Some(c), Some(l), Some(h)) => format!("×{} [{}, {}]", ratio_fmt(c), ratio_fmt(l), ratio_fmt(h)),
        (Some(c), _, _) => format!("×{} (interval unbounded)", ratio_fmt(c)),
        _ => "n/a".to_string(),
    }
}

/// What one unit of work of a throughput in `unit` is, in words: `event` for `events/s`,
/// `request` for `requests/s`, `query` for `queries/s`, `MiB` for `MiB/s`, `IO` for `IO/s`;
/// `unit of work` when the unit is not a rate.
pub(crate) fn work_unit(unit: &str) -> String {
    let Some(what) = unit.strip_suffix("/s").map(str::trim).filter(|w| !w.is_empty()) else {
        return "unit of work".to_string();
    };
    match what {
        "ops" => "operation".to_string(),
        "tx" => "transaction".to_string(),
        "B" => "byte".to_string(),
        w if w.ends_with("ies") && w.len() > 3 => format!("{}y", &w[..w.len() - 3]),
        w if w.ends_with('s')
            && !w.ends_with("ss")
            && w.len() > 2
            && w.chars().all(|c| c.is_ascii_lowercase()) =>
        {
            w[..w.len() - 1].to_string()
        }
        w => w.to_string(),
    }
}

/// What the cost ratio of `row` means, with its interval: `7.37 [5.99, 9.58] times the time per
/// event` for a throughput (one unit of work takes that many times the baseline's time),
/// `7.54 [5.66, 9.47] times native's` for a latency, a time or a resource used (the metric's
/// own ratio). `None` when there is no cost ratio.
pub(crate) fn cost_phrase(row: &OverheadRow) -> Option<String> {
    let c = ratio_fmt(row.cost_ratio?);
    let of = match row.better {
        Better::Higher => format!("the time per {}", work_unit(&row.unit)),
        _ => format!("{}'s", row.baseline),
    };
    Some(match (row.cost_ratio_ci_low, row.cost_ratio_ci_high) {
        (Some(l), Some(h)) => format!("{c} [{}, {}] times {of}", ratio_fmt(l), ratio_fmt(h)),
        _ => format!("{c} times {of} (interval unbounded)"),
    })
}

/// The verdict of `row` as a sentence ends: `slower`, `uses less`, `not judged: log_errors`,
/// followed by the checks that warn about the comparison (`slower (with warnings: high_cv,
/// outlier)`): the verdict stands, and the reader is told what to look at.
pub(crate) fn verdict_text(row: &OverheadRow) -> String {
    if row.warning_checks.is_empty() {
        row.verdict.clone()
    } else {
        format!("{} (with warnings: {})", row.verdict, row.warning_checks.join(", "))
    }
}

/// Whether the interval on the change of `row` lies wholly on one side of 0.
fn change_excludes_zero(row: &OverheadRow) -> bool {
    match (row.change_ci_low_pct, row.change_ci_high_pct) {
        (Some(low), Some(high)) => low > 0.0 || high < 0.0,
        _ => false,
    }
}

/// The verdict of `row` as a table cell shows it: a "no significant difference" whose interval
/// excludes 0 although its adjusted p-value does not reach the level reads "not significant
/// after adjusting for N comparisons" (`comparisons`, the family adjusted), since next to an
/// interval that excludes 0 the plain words read as false.
pub(crate) fn shown_verdict(row: &OverheadRow, comparisons: usize) -> String {
    let excludes_zero = change_excludes_zero(row);
    if row.verdict == "no significant difference" && excludes_zero && row.p_adjusted.is_some() {
        format!("not significant after adjusting for {comparisons} comparisons")
    } else {
        row.verdict.clone()
    }
}

/// Makes a file-name-safe slug: lowercase ASCII letters, digits and `-`, at most 48 characters,
/// never empty, never `.` or `..`.
pub(crate) fn slug(s: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
        if out.len() >= 48 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "x".to_string()
    } else {
        out
    }
}

/// Hands out unique slugs.
#[derive(Default)]
pub(crate) struct Slugs(BTreeSet<String>);

impl Slugs {
    /// The slug of `s`, made unique with `-2`, `-3`, ... among those handed out before.
    pub(crate) fn unique(&mut self, s: &str) -> String {
        let base = slug(s);
        let mut name = base.clone();
        let mut i = 2;
        while self.0.contains(&name) {
            name = format!("{base}-{i}");
            i += 1;
        }
        self.0.insert(name.clone());
        name
    }
}

/// The text at a bar's end in the cost-ratio figures: `×7.37`, with `(interval unbounded)` and
/// `not judged` when they apply.
pub(crate) fn bar_label(row: &OverheadRow) -> String {
    let mut label = row.cost_ratio.map(|c| format!("×{}", ratio_fmt(c))).unwrap_or_default();
    if row.cost_ratio_ci_low.is_none() || row.cost_ratio_ci_high.is_none() {
        label.push_str(" (interval unbounded)");
    }
    if !row.failed_checks.is_empty() {
        label.push_str(", not judged");
    }
    label
}

/// A sentence about one comparison, written from the numbers: the change of the metric itself
/// with its interval, the means and run counts, what the cost ratio means, and the verdict:
///
/// `qemu on sysbench.cpu: events_per_sec -86.4% [-89.5%, -83.3%] against native (175.4 vs 1294
/// events/s, 5 and 5 runs), 7.37 [5.99, 9.58] times the time per event: slower.`
///
/// The words hold in both directions and for every kind: the change is signed, the cost ratio
/// is `times the time per <unit of work>` for a throughput and `times <baseline>'s` for a
/// latency, a time or a resource; a resource's verdict is "uses more" or "uses less".
pub fn finding(row: &OverheadRow, label: &str) -> String {
    let means = format!(
        "{} vs {} {}, {} and {} runs",
        num(row.mean),
        num(row.baseline_mean),
        row.unit,
        row.n,
        row.baseline_n
    );
    let head = format!("{} on {label}: {}", row.platform, row.metric);
    if row.change_pct.is_none() {
        return format!("{head} cannot be compared with {} ({means}): {}.", row.baseline, verdict_text(row));
    }
    let cost = cost_phrase(row).map(|c| format!(", {c}")).unwrap_or_default();
    format!(
        "{head} {} against {} ({means}){cost}: {}{}.",
        change_text(row),
        row.baseline,
        verdict_text(row),
        tests_phrase(row)
    )
}

/// What the p-values add to a verdict: the equivalence test's p-value beside *equivalent*, and,
/// beside *no significant difference*, why an interval that excludes 0 is not significant
/// (the adjusted p-value).
fn tests_phrase(row: &OverheadRow) -> String {
    let p = |v: f64| if v < 0.0001 { "< 0.0001".to_string() } else { format!("= {}", fmt_num(v)) };
    let equivalence = row.equivalence_p_adjusted.or(row.equivalence_p);
    if row.verdict == "equivalent" {
        return equivalence.map(|e| format!(" (two one-sided tests, p {})", p(e))).unwrap_or_default();
    }
    if row.verdict == "within resolution" {
        return row
            .resolution
            .map(|r| format!(" (the means differ by at most one printed step, {r} {})", row.unit))
            .unwrap_or_default();
    }
    let excludes_zero = change_excludes_zero(row);
    match row.p_adjusted {
        Some(adjusted) if row.verdict == "no significant difference" && excludes_zero => format!(
            " (the interval excludes 0, but not after adjusting for the number of comparisons: \
             p {}, adjusted p {})",
            p(row.p_value.unwrap_or(adjusted)),
            p(adjusted)
        ),
        _ => String::new(),
    }
}

/// [`finding`] followed by the [`power_sentence`] and the [`paired_sentence`], when there are.
pub fn finding_with_power(row: &OverheadRow, label: &str, detect_pct: Option<f64>) -> String {
    let mut s = finding(row, label);
    for extra in [power_sentence(row, detect_pct), paired_sentence(row)].into_iter().flatten() {
        s.push(' ');
        s.push_str(&extra);
    }
    s
}

/// When the runs were paired by round and the paired interval of the change is narrower than
/// the unpaired one: `Paired by round (5 rounds), the change is -0.7% [-9.7%, +9.2%], narrower
/// than unpaired: what varied from round to round on both platforms cancels out.` None
/// otherwise.
pub fn paired_sentence(row: &OverheadRow) -> Option<String> {
    let (n, c, l, h) = (
        row.paired_n?,
        row.paired_change_pct?,
        row.paired_change_ci_low_pct?,
        row.paired_change_ci_high_pct?,
    );
    let unpaired = row.change_ci_high_pct? - row.change_ci_low_pct?;
    if h - l >= unpaired {
        return None;
    }
    Some(format!(
        "Paired by round ({n} rounds), the change is {} [{}, {}], narrower than unpaired: what \
         varied from round to round on both platforms cancels out.",
        change_pct_text(c),
        change_pct_text(l),
        change_pct_text(h)
    ))
}

/// For a comparison with no significant difference, what its runs could have detected:
/// `These runs could detect a change of ±8.6% with 80% power; 12 runs per side would detect ±5%.`
/// None for other verdicts or without the numbers.
pub fn power_sentence(row: &OverheadRow, detect_pct: Option<f64>) -> Option<String> {
    if row.verdict != "no significant difference" {
        return None;
    }
    let d = row.detectable_pct?;
    let runs = match (row.runs_to_detect, detect_pct) {
        (Some(n), Some(pct)) => format!("; {n} runs per side would detect ±{}%", one_decimal(pct)),
        (None, Some(pct)) => format!(
            "; even {} runs per side would not detect ±{}%",
            crate::stats::MAX_RUNS_TO_DETECT,
            one_decimal(pct)
        ),
        _ => String::new(),
    };
    Some(format!("These runs could detect a change of about ±{}% with 80% power{runs}.", one_decimal(d)))
}

/// `v` rounded to one decimal, without a trailing `.0`: `29.1`, `5`.
fn one_decimal(v: f64) -> String {
    format!("{}", (v * 10.0).round() / 10.0)
}

/// A date as a log prints it, as an ISO 8601 day (`2026-11-23`), or `None` when the text is
/// no date this knows or names no single day. Read: RFC 2822 (iperf3's `Mon, 07 Dec 2026
/// 06:04:11 GMT`), ctime (fio's `Mon Nov 23 14:11:24 2026`), ISO (`2026-11-23`), day-first
/// with dots (`23.11.2026`, `23.11.26`: pidstat under a German locale) and with slashes the
/// order the numbers allow: `11/23/26` is November 23 (C and US locales), `23/11/2026` is the
/// same day (British and French); `03/04/26` could be either, and is `None`.
pub(crate) fn iso_date(printed: &str) -> Option<String> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    let text = printed.split_whitespace().collect::<Vec<_>>().join(" ");
    let day = |d: NaiveDate| Some(d.format("%Y-%m-%d").to_string());
    if let Ok(t) = DateTime::parse_from_rfc2822(&text) {
        return day(t.date_naive());
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(&text, "%a %b %e %H:%M:%S %Y") {
        return day(t.date());
    }
    for format in ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"] {
        if let Ok(d) = NaiveDate::parse_from_str(&text, format) {
            return day(d);
        }
    }
    let parts: Vec<&str> = text.split('/').collect();
    let [a, b, y] = parts[..] else { return None };
    let (x, z): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
    let year = match y.len() {
        2 => "%y",
        4 => "%Y",
        _ => return None,
    };
    let format = match (x > 12, z > 12) {
        (false, true) => format!("%m/%d/{year}"),
        (true, false) => format!("%d/%m/{year}"),
        (false, false) if x == z => format!("%m/%d/{year}"),
        _ => return None,
    };
    NaiveDate::parse_from_str(&text, &format).ok().and_then(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe() {
        assert_eq!(slug("sysbench.cpu [threads=2]"), "sysbench-cpu-threads-2");
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("<script>alert(1)</script>"), "script-alert-1-script");
        assert_eq!(slug("..."), "x");
        assert!(slug(&"a".repeat(200)).len() <= 48);
        let mut s = Slugs::default();
        assert_eq!(s.unique("a"), "a");
        assert_eq!(s.unique("A"), "a-2");
    }

    #[test]
    fn percentages() {
        assert_eq!(pct(2.04), "+2.0%");
        assert_eq!(pct(-0.04), "0.0%");
        assert_eq!(pct(-3.46), "-3.5%");
    }

    /// Each date form the parsers record, against the day it names (read off the raw
    /// files: sample-data's pidstat banner `11/23/26`, fio's `Mon Nov 23 14:11:24 2026`,
    /// iperf3's `Mon, 07 Dec 2026 06:04:11 GMT`).
    #[test]
    fn dates_read_as_iso_days() {
        assert_eq!(iso_date("11/23/26").as_deref(), Some("2026-11-23"));
        assert_eq!(iso_date("23/11/2026").as_deref(), Some("2026-11-23"));
        assert_eq!(iso_date("23.11.2026").as_deref(), Some("2026-11-23"));
        assert_eq!(iso_date("2026-11-23").as_deref(), Some("2026-11-23"));
        assert_eq!(iso_date("Mon Nov 23 14:11:24 2026").as_deref(), Some("2026-11-23"));
        assert_eq!(iso_date("Mon Nov  2 04:01:09 2026").as_deref(), Some("2026-11-02"));
        assert_eq!(iso_date("Mon, 07 Dec 2026 06:04:11 GMT").as_deref(), Some("2026-12-07"));
        assert_eq!(iso_date("04/04/26").as_deref(), Some("2026-04-04"));
        // Either April 3 or March 4: not guessed.
        assert_eq!(iso_date("03/04/26"), None);
        assert_eq!(iso_date("13/13/26"), None);
        assert_eq!(iso_date("yesterday"), None);
        assert_eq!(iso_date(""), None);
    }
}
