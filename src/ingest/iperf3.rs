//! iperf3 `--json` output (`-J`): one JSON object per client run, several when runs were
//! appended to one file (`--logfile`, or `>>`), text lines between them skipped. Read: the
//! test's options (`start.test_start`), the totals of the sending and the receiving side
//! (`end.sum_sent`, `end.sum_received`, and with `--bidir` the `*_bidir_reverse` ones),
//! retransmits (TCP), jitter and losses (UDP), the CPU use of both ends, and the interval sums
//! as a series; an `"error"` makes the run a failed one with iperf3's message. Not read: the
//! per-stream figures, RTT and window sizes, the server's output, iperf3's plain-text output.
//! Checked against Debian's iperf3 3.12. See `docs/metrics.md (iperf3)` for every metric and
//! param.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{Diagnostic, ParseOptions, ParseOutput, Parser};
use crate::error::ParseError;
use crate::model::{fact, Better, LogIssue, Metric, Run, Sample, Subsystem};

/// Reads iperf3 `--json` output.
pub struct Iperf3Parser;

/// Tool name of every iperf3 run.
pub(crate) const TOOL: &str = "iperf3";

/// The metrics that say what iperf3's processes used (kind resource): the CPU use of the
/// client (`local`) and of the server (`remote`) over the test.
pub const RESOURCE_METRICS: &[&str] = &["cpu_local_pct", "cpu_remote_pct"];

/// The candidates for a run's primary metric ([`Run::declare_primary`]): what arrived.
const PRIMARY: &[&str] = &["received_mbit_per_sec", "sent_mbit_per_sec"];

/// What a sampled entity is called in the series.
const ENTITY: &str = "iperf3";

impl Parser for Iperf3Parser {
    fn name(&self) -> &'static str {
        TOOL
    }

    /// Returns true if and only if `head` has a JSON member `"version"` whose value starts
    /// with `iperf 3` (iperf3 writes it in `start` of every `--json` report, even one that
    /// stopped at once with an error).
    fn sniff(&self, head: &str) -> bool {
        memchr::memmem::find_iter(head.as_bytes(), b"\"version\"").any(|at| {
            let rest = head[at + 9..].trim_start();
            rest.strip_prefix(':').is_some_and(|v| v.trim_start().starts_with("\"iperf 3"))
        })
    }

    fn parse(&self, text: &str, opts: &ParseOptions) -> Result<ParseOutput, ParseError> {
        parse(text, opts)
    }

    fn redeclare(&self, run: &mut Run) {
        declare(run);
    }
}

/// What every iperf3 run declares besides its metrics: the network path between client and
/// server, measured by what arrived.
fn declare(run: &mut Run) {
    run.subsystem = Subsystem::Network;
    run.declare_primary(PRIMARY);
}

/// One `--json` report, as far as it is read. Members it does not name are skipped; a member
/// of the wrong type is an error naming its line.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Report {
    start: Start,
    intervals: Vec<Interval>,
    end: End,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Start {
    version: Option<String>,
    system_info: Option<String>,
    timestamp: Option<Timestamp>,
    connecting_to: Option<ConnectingTo>,
    /// The options, as printed: kept as JSON values so that params are what the file says.
    test_start: Option<Map<String, Value>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Timestamp {
    time: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ConnectingTo {
    host: Option<String>,
    port: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Interval {
    sum: Option<Sum>,
    sum_bidir_reverse: Option<Sum>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct End {
    sum_sent: Option<Sum>,
    sum_received: Option<Sum>,
    sum_sent_bidir_reverse: Option<Sum>,
    sum_received_bidir_reverse: Option<Sum>,
    cpu_utilization_percent: Option<Cpu>,
    sender_tcp_congestion: Option<String>,
}

/// A sum over streams, of one interval or of the whole test.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Sum {
    end: Option<f64>,
    seconds: Option<f64>,
    bits_per_second: Option<f64>,
    retransmits: Option<f64>,
    jitter_ms: Option<f64>,
    lost_packets: Option<f64>,
    packets: Option<f64>,
    lost_percent: Option<f64>,
    omitted: Option<bool>,
    sender: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Cpu {
    host_total: Option<f64>,
    remote_total: Option<f64>,
}

/// bits/s in Mbit/s (10^6 bit/s, iperf3's own `Mbits/sec`).
fn mbit(bits_per_second: f64) -> f64 {
    bits_per_second / 1e6
}

/// Reads every report of a file.
fn parse(text: &str, opts: &ParseOptions) -> Result<ParseOutput, ParseError> {
    let mut out = ParseOutput::default();
    let mut first_error: Option<ParseError> = None;
    let mut pos = 0;
    let bytes = text.as_bytes();
    while pos < bytes.len() {
        // The next line that opens an object; other lines (a shell prompt, a note) are skipped.
        let line_start = pos;
        let line_end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i + 1);
        let trimmed = text[line_start..line_end].trim_start();
        if !trimmed.starts_with('{') {
            pos = line_end;
            continue;
        }
        let open = line_end - trimmed.len();
        let first_line = line_of(text, open);
        let mut stream = serde_json::Deserializer::from_str(&text[open..]).into_iter::<Report>();
        match stream.next() {
            Some(Ok(report)) => {
                let close = open + stream.byte_offset();
                let last_line = line_of(text, close.saturating_sub(1));
                match run_of(&report, text, open..close, first_line, last_line, opts) {
                    Some(run) => {
                        if let Some(issue) = run.issues.iter().find(|i| i.kind == "failed") {
                            out.warnings.push(Diagnostic::new(issue.line, issue.message.clone()));
                        }
                        out.runs.push(run);
                    }
                    None => {
                        let e = ParseError::new(
                            first_line,
                            "no iperf3 --json report here: expected an object with \"start\" \
                             (iperf3's \"version\" and \"test_start\"), \"intervals\" and \"end\", \
                             or iperf3's \"error\"",
                        );
                        out.warnings.push(Diagnostic::new(e.line, e.message.clone()));
                        first_error.get_or_insert(e);
                    }
                }
                pos = close;
            }
            Some(Err(e)) => {
                let err = if e.is_eof() {
                    ParseError::new(
                        line_of(text, text.len().saturating_sub(1)),
                        format!(
                            "the JSON object that starts at line {first_line} is cut short: \
                             expected the rest of an iperf3 --json report"
                        ),
                    )
                } else {
                    // serde_json's position is in the object; the line is made the file's.
                    let what = e.to_string();
                    let at = format!(" at line {} column {}", e.line(), e.column());
                    let what = what.strip_suffix(&at).unwrap_or(&what);
                    ParseError::new(
                        first_line + e.line().saturating_sub(1),
                        format!("not an iperf3 --json report: {what} (column {})", e.column()),
                    )
                };
                out.warnings.push(Diagnostic::new(err.line, err.message.clone()));
                first_error.get_or_insert(err);
                // Go on at the next line that opens an object at its start (iperf3 writes its
                // reports' braces at the start of a line).
                pos = memchr::memmem::find(&bytes[line_end..], b"\n{")
                    .map_or(bytes.len(), |i| line_end + i + 1);
            }
            None => break,
        }
    }
    if out.runs.is_empty() {
        return Err(first_error.unwrap_or_else(|| {
            ParseError::new(
                1,
                "no iperf3 --json report found: expected a JSON object with \"start\", \
                 \"intervals\" and \"end\" (iperf3 -c ... --json)",
            )
        }));
    }
    Ok(out)
}

/// 1-based line of byte `at` of `text`.
fn line_of(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    memchr::memchr_iter(b'\n', &text.as_bytes()[..at]).count() + 1
}

/// The line of the first `"key"` in `text[range]`, or `default`.
fn line_of_key(text: &str, range: std::ops::Range<usize>, key: &str, default: usize) -> usize {
    let slice = &text.as_bytes()[range.start..range.end.min(text.len())];
    memchr::memmem::find(slice, format!("\"{key}\"").as_bytes())
        .map_or(default, |i| line_of(text, range.start + i))
}

/// The run of one report, or `None` when the object is no iperf3 report (no version, no
/// options, no totals and no error).
fn run_of(
    report: &Report,
    text: &str,
    range: std::ops::Range<usize>,
    first_line: usize,
    last_line: usize,
    opts: &ParseOptions,
) -> Option<Run> {
    let start = &report.start;
    let end = &report.end;
    let is_iperf3 = start.version.as_deref().is_some_and(|v| v.starts_with("iperf 3"))
        || start.test_start.is_some()
        || report.error.is_some()
        || end.sum_sent.is_some()
        || end.sum_received.is_some();
    if !is_iperf3 {
        return None;
    }
    let options = start.test_start.as_ref();
    let protocol = options.and_then(|o| o.get("protocol")).and_then(Value::as_str);
    let workload = match protocol {
        Some(p) if !p.is_empty() => format!("{TOOL}.{}", p.to_lowercase()),
        _ => format!("{TOOL}.unknown"),
    };
    let mut run = Run::new(TOOL, workload, first_line);
    run.last_line = last_line;
    run.tool_version =
        start.version.as_deref().and_then(|v| v.strip_prefix("iperf ")).map(|v| v.trim().to_string());
    let bidir = end.sum_sent_bidir_reverse.is_some()
        || end.sum_received_bidir_reverse.is_some()
        || report.intervals.iter().any(|i| i.sum_bidir_reverse.is_some());
    if let Some(o) = options {
        params(o, bidir, &mut run);
    }
    facts(report, &mut run);
    if let Some(error) = &report.error {
        // iperf3 exits 1 after an error: whatever it summed so far is not a finished test.
        run.issues.push(LogIssue {
            line: line_of_key(text, range, "error", last_line),
            kind: "failed".into(),
            message: format!("iperf3 stopped with an error: {error}"),
        });
        declare(&mut run);
        return Some(run);
    }
    metrics(report, &mut run);
    if opts.series {
        series(report, &mut run);
    }
    if end.sum_sent.is_none() && end.sum_received.is_none() {
        run.issues.push(LogIssue {
            line: last_line,
            kind: "truncated".into(),
            message: "the report has no totals (\"end\" has no \"sum_sent\" nor \"sum_received\")".into(),
        });
    }
    declare(&mut run);
    Some(run)
}

/// Params from `test_start`, as printed: `protocol`, `num_streams`, `blksize`, `duration`,
/// `reverse`, `target_bitrate` always; `bytes`, `blocks`, `omit`, `tos` when not 0; `bidir=1`
/// for a `--bidir` test (which 3.12's `test_start` does not say).
fn params(o: &Map<String, Value>, bidir: bool, run: &mut Run) {
    for key in ["protocol", "num_streams", "blksize", "duration", "reverse", "target_bitrate"] {
        if let Some(v) = o.get(key).and_then(printed) {
            run.params.insert(key.into(), v);
        }
    }
    for key in ["bytes", "blocks", "omit", "tos"] {
        if let Some(v) = o.get(key).and_then(printed).filter(|v| v != "0") {
            run.params.insert(key.into(), v);
        }
    }
    let bidir = bidir || o.get("bidir").and_then(printed).is_some_and(|v| v != "0");
    if bidir {
        run.params.insert("bidir".into(), "1".into());
    }
}

/// A JSON scalar as the file prints it.
fn printed(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Facts: `host` and `kernel` from `system_info` (`uname -a`: its second and third words),
/// `date`, `target` (`host:port` the client connected to), `tcp_congestion`.
fn facts(report: &Report, run: &mut Run) {
    let start = &report.start;
    if let Some(info) = &start.system_info {
        let words: Vec<&str> = info.split_whitespace().collect();
        if let [_, host, kernel, ..] = words.as_slice() {
            run.facts.insert(fact::HOST.into(), host.to_string());
            run.facts.insert("kernel".into(), kernel.to_string());
        }
    }
    if let Some(time) = start.timestamp.as_ref().and_then(|t| t.time.clone()) {
        run.facts.insert(fact::DATE.into(), time);
    }
    if let Some(ConnectingTo { host: Some(host), port }) = &start.connecting_to {
        let target = match port {
            Some(p) => format!("{host}:{p}"),
            None => host.clone(),
        };
        run.facts.insert(fact::TARGET.into(), target);
    }
    if let Some(cc) = &report.end.sender_tcp_congestion {
        run.facts.insert("tcp_congestion".into(), cc.clone());
    }
}

/// The totals of a finished test.
fn metrics(report: &Report, run: &mut Run) {
    let end = &report.end;
    if let Some(s) = &end.sum_sent {
        if let Some(b) = s.bits_per_second {
            run.push("sent_mbit_per_sec", "Mbit/s", Better::Higher, mbit(b));
        }
    }
    if let Some(r) = &end.sum_received {
        if let Some(b) = r.bits_per_second {
            run.push("received_mbit_per_sec", "Mbit/s", Better::Higher, mbit(b));
        }
    }
    if let Some(n) = end.sum_sent.as_ref().and_then(|s| s.retransmits) {
        run.push("retransmits", "count", Better::Lower, n);
    }
    // The receiver's view of a UDP test (the sender's has jitter 0 and no losses).
    if let Some(r) = &end.sum_received {
        if let Some(v) = r.jitter_ms {
            run.push("jitter_ms", "ms", Better::Lower, v);
        }
        if let Some(v) = r.lost_packets {
            run.push("lost_packets", "count", Better::Lower, v);
        }
        if let Some(v) = r.lost_percent {
            run.push("lost_pct", "%", Better::Lower, v);
        }
        if let Some(v) = r.packets {
            run.push("packets", "count", Better::None, v);
        }
    }
    if let Some(s) = &end.sum_sent_bidir_reverse {
        if let Some(b) = s.bits_per_second {
            run.push("reverse_sent_mbit_per_sec", "Mbit/s", Better::Higher, mbit(b));
        }
        if let Some(n) = s.retransmits {
            run.push("reverse_retransmits", "count", Better::Lower, n);
        }
    }
    if let Some(b) = end.sum_received_bidir_reverse.as_ref().and_then(|r| r.bits_per_second) {
        run.push("reverse_received_mbit_per_sec", "Mbit/s", Better::Higher, mbit(b));
    }
    // The sender's time: what -t limits (a test bounded by -n or -k has duration 0).
    if let Some(secs) = end.sum_sent.as_ref().or(end.sum_received.as_ref()).and_then(|s| s.seconds) {
        let limited = run.params.get("duration").is_some_and(|d| d != "0");
        run.push_metric(Metric::new("duration_s", "s", Better::None, secs).with_time_limit(limited));
    }
    if let Some(cpu) = &end.cpu_utilization_percent {
        if let Some(v) = cpu.host_total {
            run.push_resource("cpu_local_pct", "%", Better::Lower, v);
        }
        if let Some(v) = cpu.remote_total {
            run.push_resource("cpu_remote_pct", "%", Better::Lower, v);
        }
    }
}

/// The interval sums, as the client measured them: what it sent (`sender` true) or received
/// (false) per interval, with retransmits, and a receiver's jitter and losses; `--bidir`'s
/// other direction under `reverse_`. Intervals that `-O` omits are left out.
fn series(report: &Report, run: &mut Run) {
    let mut push = |t: f64, metric: String, unit: &'static str, value: Option<f64>| {
        if let Some(value) = value.filter(|v| v.is_finite()) {
            run.series.push(Sample { t_s: t, entity: ENTITY.into(), metric, unit: unit.into(), value });
        }
    };
    for interval in &report.intervals {
        for (prefix, sum) in [("", &interval.sum), ("reverse_", &interval.sum_bidir_reverse)] {
            let Some(s) = sum else { continue };
            let Some(t) = s.end.filter(|t| t.is_finite()) else { continue };
            if s.omitted == Some(true) {
                continue;
            }
            let receiving = s.sender == Some(false);
            let rate = if receiving { "received_mbit_per_sec" } else { "sent_mbit_per_sec" };
            push(t, format!("{prefix}{rate}"), "Mbit/s", s.bits_per_second.map(mbit));
            push(t, format!("{prefix}retransmits"), "count", s.retransmits);
            if receiving {
                push(t, format!("{prefix}jitter_ms"), "ms", s.jitter_ms);
                push(t, format!("{prefix}lost_packets"), "count", s.lost_packets);
                push(t, format!("{prefix}lost_pct"), "%", s.lost_percent);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::text::edits::{cut, edit_lines};
    use proptest::prelude::*;

    const TCP: &str = include_str!("../../tests/fixtures/iperf3/tcp.json");
    const UDP: &str = include_str!("../../tests/fixtures/iperf3/udp.json");
    const MULTI: &str = include_str!("../../tests/fixtures/iperf3/multi.json");
    const REFUSED: &str = include_str!("../../tests/fixtures/iperf3/refused.json");
    const KILLED: &str = include_str!("../../tests/fixtures/iperf3/server-killed.json");
    const BIDIR: &str = include_str!("../../tests/fixtures/iperf3/tcp-bidir.json");

    #[test]
    fn sniff_needs_an_iperf3_version() {
        for real in [TCP, UDP, MULTI, REFUSED, KILLED, BIDIR] {
            assert!(Iperf3Parser.sniff(real));
        }
        assert!(Iperf3Parser.sniff(r#"{"start":{"version":"iperf 3.1.3"}}"#));
        assert!(!Iperf3Parser.sniff(r#"{"fio version" : "fio-3.33"}"#));
        assert!(!Iperf3Parser.sniff(r#"{"version": "iperf 2.1.9"}"#));
        assert!(!Iperf3Parser.sniff("iperf 3.12 (cJSON 1.7.15)\n\"version\""));
    }

    #[test]
    fn lines_of_offsets() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }

    /// A prompt line before the report and a note after it are skipped.
    #[test]
    fn text_around_a_report_is_skipped() {
        let text = format!("$ iperf3 -c 127.0.0.1 -t 3 --json\n{TCP}done\n");
        let out = parse(&text, &ParseOptions::default()).expect("parse");
        assert_eq!(out.runs.len(), 1);
        assert_eq!((out.runs[0].first_line, out.runs[0].last_line), (2, 177));
    }

    /// A broken object between two good ones costs only itself.
    #[test]
    fn a_broken_object_between_good_ones_is_a_warning() {
        let text = format!("{TCP}{{\n\t\"start\": nope\n}}\n{UDP}");
        let out = parse(&text, &ParseOptions::default()).expect("parse");
        assert_eq!(out.runs.len(), 2);
        assert_eq!(out.runs[1].first_line, 180);
        assert_eq!(out.warnings.len(), 1);
        assert_eq!(out.warnings[0].line, 178);
        assert_eq!(out.warnings[0].message, "not an iperf3 --json report: expected ident (column 12)");
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn never_panics_on_random_text(s in "\\PC*") {
            let _ = parse(&s, &ParseOptions { series: true });
            let _ = Iperf3Parser.sniff(&s);
        }

        #[test]
        fn never_panics_on_cut_and_shuffled_real_text(
            which in 0usize..6,
            at in 0usize..8000,
            ops in proptest::collection::vec((0u8..3, 0usize..300, 0usize..300), 0..8),
        ) {
            let real = [TCP, UDP, MULTI, REFUSED, KILLED, BIDIR][which];
            let text = edit_lines(cut(real, at), &ops);
            if let Ok(out) = parse(&text, &ParseOptions { series: true }) {
                for run in &out.runs {
                    prop_assert!(run.first_line <= run.last_line);
                    prop_assert!(run.metrics.iter().all(|m| m.value.is_finite()));
                }
            }
        }
    }
}
