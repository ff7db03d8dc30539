//! wrk2 (giltene/wrk2) output: wrk's lines (see [`super::wrk`]) plus `Thread calibration:`, an
//! HdrHistogram percentile block (`Latency Distribution (HdrHistogram - Recorded Latency)`)
//! and a `Detailed Percentile spectrum`. Such a run is tool and workload `wrk2`, never `wrk`: it
//! sends requests at a fixed rate (`-R`) and corrects its latencies for coordinated omission,
//! so its numbers do not stand beside wrk's. wrk2 does not print its rate; a command line
//! shown before the run gives it (param `rate`). See `docs/metrics.md (wrk)` for every metric
//! and param.
//!
//! One file may hold runs of both tools, so wrk's reader reads them all and asks this module
//! about the lines only wrk2 prints ([`Extra`]): what makes a run wrk2's, its percentiles, its
//! rate. Not here: wrk's own lines.

use super::text;
use super::wrk::{self, WrkParser};
use super::{Diagnostic, ParseOptions, ParseOutput, Parser};
use crate::error::ParseError;
use crate::model::{Better, Metric, Params, Percentile, Run};

/// Reads wrk2 output (and the wrk runs beside it).
pub(crate) struct Wrk2Parser;

/// Tool name and workload of every wrk2 run.
pub(crate) const TOOL: &str = "wrk2";

/// Line starts that only wrk2 prints.
const MARKERS: &[&str] = &[
    "Thread calibration:",
    "Latency Distribution (HdrHistogram",
    "Detailed Percentile spectrum",
    "#[Mean",
    "#[Max",
    "#[Buckets",
];

impl Parser for Wrk2Parser {
    fn name(&self) -> &'static str {
        TOOL
    }

    /// Returns true if and only if `head` is wrk output ([`WrkParser`]'s sniff) with a line
    /// only wrk2 prints. wrk's sniff accepts wrk2 output too, and comes before this one in the
    /// registry: a wrk2 file is read by the same reader either way, which reads each run as
    /// what it is.
    fn sniff(&self, head: &str) -> bool {
        // wrk output has a `Running` or a `Requests/sec:` line: a cheap test first, so that a
        // file no parser knows (which reaches this sniff last) costs two SIMD searches.
        let bytes = head.as_bytes();
        let wrk_like = memchr::memmem::find(bytes, b"Running").is_some()
            || memchr::memmem::find(bytes, b"Requests/sec:").is_some();
        wrk_like && head.lines().any(|l| is_marker(l.trim())) && WrkParser.sniff(head)
    }

    fn parse(&self, text: &str, _opts: &ParseOptions) -> Result<ParseOutput, ParseError> {
        wrk::parse(text)
    }

    fn redeclare(&self, run: &mut Run) {
        wrk::redeclare(run);
    }
}

/// Returns true if and only if trimmed line `t` is one only wrk2 prints.
pub(crate) fn is_marker(t: &str) -> bool {
    MARKERS.iter().any(|m| t.starts_with(m))
}

/// Which wrk2 HdrHistogram block percentile rows are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hdr {
    /// `Latency Distribution (HdrHistogram - Recorded Latency)`: corrected for coordinated
    /// omission, as the table's `Latency` row.
    Recorded,
    /// `... Uncorrected Latency (measured without taking delayed starts into account)` (`-U`):
    /// not read.
    Uncorrected,
}

/// What a run printed that only wrk2 prints, as read so far.
#[derive(Debug, Clone, Default)]
pub(crate) struct Extra {
    /// First wrk2-only line: (line, quote).
    first: Option<(usize, String)>,
    /// Percentile rows now belong to a wrk2 HdrHistogram block of this kind.
    hdr: Option<Hdr>,
    /// The recorded (corrected) latency percentiles: (percentile, ms), in file order.
    pct: Vec<(f64, f64)>,
}

impl Extra {
    /// Returns true if and only if the run printed a line only wrk2 prints: it is wrk2's.
    pub(crate) fn seen(&self) -> bool {
        self.first.is_some()
    }

    /// Returns true if and only if the run is wrk2's: it printed a line only wrk2 prints, or
    /// the command line shown before it runs wrk2 ([`command_is_wrk2`]; a wrk2 run without
    /// `--latency` that ends before its calibration prints only wrk's lines).
    pub(crate) fn is_wrk2(&self, command: Option<&str>) -> bool {
        self.seen() || command.is_some_and(command_is_wrk2)
    }

    /// Takes in marker line `t` ([`is_marker`]) at line `no`.
    pub(crate) fn marker(&mut self, no: usize, t: &str) {
        self.first.get_or_insert_with(|| (no, text::quote(t)));
        if t.starts_with("Latency Distribution (HdrHistogram") {
            // `-U` adds a second block of latencies measured without correction.
            self.hdr = Some(if t.contains("Uncorrected") { Hdr::Uncorrected } else { Hdr::Recorded });
        }
    }

    /// Returns true if and only if percentile rows are inside an HdrHistogram block (they are
    /// then not wrk's four percentiles, and go to [`Extra::percentile`]).
    pub(crate) fn in_hdr(&self) -> bool {
        self.hdr.is_some()
    }

    /// Takes in a percentile row of the HdrHistogram block (only the recorded block's are kept).
    pub(crate) fn percentile(&mut self, pct: f64, ms: f64) {
        if self.hdr == Some(Hdr::Recorded) {
            self.pct.push((pct, ms));
        }
    }

    /// wrk's own `Latency Distribution` line ends any HdrHistogram block.
    pub(crate) fn end_hdr(&mut self) {
        self.hdr = None;
    }

    /// Adds what defines a wrk2 run's work to its params: its rate, from the command line
    /// shown before it.
    pub(crate) fn params(&self, command: &str, params: &mut Params) {
        if let (true, Some(rate)) = (self.is_wrk2(Some(command)), rate_in(command)) {
            params.insert("rate".into(), rate);
        }
    }

    /// Adds the recorded percentiles (`latency_p50_ms` ... `latency_p99_999_ms`) that wrk's
    /// `Latency Distribution` did not already give.
    pub(crate) fn push_percentiles(&self, run: &mut Run) {
        // wrk2's 100.000% row is the maximum (`latency_max_ms` from the table).
        for &(pct, ms) in self.pct.iter().filter(|(p, _)| *p < 100.0) {
            let name = percentile_name(pct);
            if run.metric(&name).is_none() {
                let m = Metric::new(name, "ms", Better::Lower, ms);
                run.push_metric(if pct > 0.0 {
                    m.with_percentile(Percentile::new("latency", pct))
                } else {
                    m
                });
            }
        }
    }
}

/// Says once when wrk2 runs show no rate: runs at different rates are then grouped together.
pub(crate) fn warn_without_rate(runs: &[Run], warnings: &mut Vec<Diagnostic>) {
    let no_rate: Vec<&Run> =
        runs.iter().filter(|r| r.tool == TOOL && !r.params.contains_key("rate")).collect();
    if let Some(first) = no_rate.first() {
        warnings.push(Diagnostic::new(
            first.first_line,
            format!(
                "{} wrk2 run(s) (the first at line {}) show no command line with their rate \
                 (-R/--rate), which wrk2 does not print: runs at different rates cannot be told \
                 apart and are grouped together",
                no_rate.len(),
                first.first_line
            ),
        ));
    }
}

/// wrk2's request rate in a command line: `-R2000`, `-R 2000`, `--rate 2000`, `--rate=2k`
/// (SI suffixes, powers of 1000 as wrk2's `scan_metric`), as a whole number of requests/s.
fn rate_in(cmd: &str) -> Option<String> {
    let mut tokens = cmd.split_whitespace();
    let mut value = None;
    while let Some(tok) = tokens.next() {
        if tok == "-R" || tok == "--rate" {
            value = tokens.next();
        } else if let Some(v) = tok.strip_prefix("--rate=") {
            value = Some(v);
        } else if let Some(v) = tok.strip_prefix("-R") {
            value = Some(v);
        }
    }
    let rate = text::num_si(value?)?;
    (rate.is_finite() && rate > 0.0).then(|| format!("{rate}"))
}

/// Returns true if and only if a command line runs wrk2: its program is `wrk2` (or ends in
/// `/wrk2`), or it passes a rate (`-R`, `--rate`), which wrk does not take. wrk2's own Makefile
/// names its binary `wrk`, so the program name alone does not tell.
fn command_is_wrk2(cmd: &str) -> bool {
    let program = cmd.split_whitespace().next().unwrap_or("");
    program.rsplit('/').next() == Some("wrk2") || rate_in(cmd).is_some()
}

/// The metric name of a wrk2 percentile row: `latency_p50_ms`, `latency_p99_999_ms`.
fn percentile_name(pct: f64) -> String {
    format!("latency_p{}_ms", format!("{pct}").replace('.', "_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRK2: &str = include_str!("../../tests/fixtures/wrk2/latency.txt");

    #[test]
    fn rates_in_command_lines() {
        assert_eq!(rate_in("-t1 -c64 -d60s -R2000 -s ./wrk/get.lua http://h/").as_deref(), Some("2000"));
        assert_eq!(rate_in("wrk2 -c 128 -t 8 -d 125s -R 50000 -L http://h/").as_deref(), Some("50000"));
        assert_eq!(rate_in("wrk2 --rate=2k http://h/").as_deref(), Some("2000"));
        assert_eq!(rate_in("wrk2 --rate 1M http://h/").as_deref(), Some("1000000"));
        assert_eq!(rate_in("wrk -t2 -c10 http://h/"), None);
        assert_eq!(rate_in("wrk2 -R http://h/"), None);
    }

    #[test]
    fn wrk2_commands() {
        assert!(command_is_wrk2("wrk2 -t2 -c16 -d5s -R2000 http://h/"));
        assert!(command_is_wrk2("/opt/wrk2/wrk -t2 --rate 1k http://h/"));
        assert!(command_is_wrk2("-t1 -c64 -d60s -R2000 http://h/"));
        assert!(command_is_wrk2("/usr/local/bin/wrk2 -t2 http://h/"));
        assert!(!command_is_wrk2("wrk -t2 -c10 -d1s --latency http://h/"));
        assert!(!command_is_wrk2("wrk2x -t2 http://h/"));
    }

    #[test]
    fn percentile_names() {
        assert_eq!(percentile_name(50.0), "latency_p50_ms");
        assert_eq!(percentile_name(99.9), "latency_p99_9_ms");
        assert_eq!(percentile_name(99.999), "latency_p99_999_ms");
    }

    /// wrk2's sniff takes the real wrk2 output and none of the real wrk outputs; wrk's takes
    /// both (it comes first: one reader reads them).
    #[test]
    fn sniff_needs_a_wrk2_line() {
        assert!(Wrk2Parser.sniff(WRK2));
        assert!(WrkParser.sniff(WRK2));
        for wrk in [
            include_str!("../../tests/fixtures/wrk/plain.txt"),
            include_str!("../../tests/fixtures/wrk/latency.txt"),
            include_str!("../../tests/fixtures/wrk/multi.txt"),
        ] {
            assert!(!Wrk2Parser.sniff(wrk));
        }
        assert!(!Wrk2Parser.sniff("Thread calibration: mean lat.: 1.464ms\n"));
    }

    /// Read as wrk2 or as wrk, a wrk2 file gives the same runs.
    #[test]
    fn both_entries_read_the_same() {
        let opts = ParseOptions::default();
        assert_eq!(Wrk2Parser.parse(WRK2, &opts), WrkParser.parse(WRK2, &opts));
        assert_eq!(Wrk2Parser.parse(WRK2, &opts).map(|o| o.runs[0].tool.clone()), Ok(TOOL.to_string()));
    }
}
