//! sysbench output of every generation seen in the wild — 0.4.12, 0.5 and 1.0.x — for the
//! built-in tests (cpu, memory, fileio, threads, mutex) and OLTP, one or many runs per file.
//! Not the place for statistics over runs, nor for anything about other tools' outputs.
//!
//! The file is read line by line (see [`line`] for what each line means) into segments:
//!
//! * a `sysbench X.Y ...` banner always starts a new segment;
//! * so does a results block that comes again after the current run already has its results
//!   (`CPU speed:` after `Threads fairness:`, a second `events per second:`), and an options
//!   header, a mode line, `Threads started!` or an interval line after results: real files
//!   concatenate runs whose later ones have no banner;
//! * a segment with neither an options header nor results is not a run: fileio/OLTP
//!   `prepare` and `cleanup` output, or a sysbench that stopped before its test (a `FATAL:`
//!   there becomes a [`Diagnostic`]).
//!
//! The test of a run comes from its own content: mode lines (`Doing CPU performance
//! benchmark`, `Prime numbers limit:`, `Running memory speed test ...`, `Extra file open
//! flags:`, `Doing OLTP test.`), results blocks (`CPU speed:`, `Total operations:`, `File
//! operations:`, `SQL statistics:`) and interval lines (`tps:` is OLTP). sysbench 1.0 prints
//! nothing of its own for `threads` and `mutex`: a run with an options header and only the
//! general blocks is `mutex` when every thread ran exactly one event (that is how the mutex
//! test is built) and `threads` otherwise. A run without a banner or options header takes the
//! version, test and options of the run before it in the file. Metric names, units and the
//! rules for each version are in `docs/metrics.md (sysbench)`.

mod line;
#[cfg(test)]
mod tests;

use super::{text, Diagnostic, ParseOptions, ParseOutput, Parser};
use crate::error::ParseError;
use crate::model::{Better, LogIssue, Metric, Params, Percentile, Run, Sample, Subsystem};
use line::{classify, Header, Interval, Line, Section, Test, Value, GENERAL_RANK};
use std::borrow::Cow;

/// Reads sysbench output (0.4.x, 0.5, 1.0.x).
pub struct SysbenchParser;

const TOOL: &str = "sysbench";

impl Parser for SysbenchParser {
    fn name(&self) -> &'static str {
        TOOL
    }

    /// Returns true if and only if `head` has a sysbench banner (`sysbench 1.0.20 (using
    /// ...)`, `sysbench 0.4.12:  multi-threaded system evaluation benchmark`) or two of the
    /// labels only sysbench prints at the start of a line (`General statistics:`, `total number
    /// of events:`, `events per second:`, ...), so that banner-less and grep-filtered logs are
    /// recognised and wrk, fio and pidstat outputs are not.
    fn sniff(&self, head: &str) -> bool {
        sniff(head)
    }

    fn parse(&self, text: &str, opts: &ParseOptions) -> Result<ParseOutput, ParseError> {
        parse(text, opts)
    }

    /// The test from the workload (`sysbench.fileio`), then what [`run_of`] declares; a
    /// `total_time_s` without a direction echoes the time limit.
    fn redeclare(&self, run: &mut Run) {
        let test = [Test::Cpu, Test::Memory, Test::FileIo, Test::Threads, Test::Mutex, Test::Oltp]
            .into_iter()
            .find(|t| t.workload() == run.workload);
        run.subsystem = subsystem(test);
        run.declare_primary(primary_candidates(test, &run.params));
        for m in run.metrics.iter_mut().filter(|m| m.name == "total_time_s") {
            m.time_limit = m.better == Better::None;
        }
    }
}

/// Line starts that only sysbench writes.
const SNIFF_MARKERS: &[&str] = &[
    "Running the test with following options:",
    "General statistics:",
    "Test execution summary:",
    "Threads fairness:",
    "total number of events:",
    "events per second:",
    "events (avg/stddev):",
    "execution time (avg/stddev):",
    "SQL statistics:",
    "OLTP test statistics:",
    "CPU speed:",
    "Latency (ms):",
    "per-request statistics:",
];

fn sniff(head: &str) -> bool {
    let mut seen = 0u32;
    for (_, l) in text::numbered_lines(head) {
        let t = l.trim();
        if t.starts_with("sysbench ")
            && (t.contains("(using ") || t.contains("multi-threaded system evaluation benchmark"))
            && matches!(classify(t, Section::None), Line::Banner { .. })
        {
            return true;
        }
        for (i, m) in SNIFF_MARKERS.iter().enumerate() {
            if t.starts_with(m) {
                seen |= 1 << i;
            }
        }
        if seen.count_ones() >= 2 {
            return true;
        }
    }
    false
}

/// The numbers of one run's results, as printed (times in the unit their name says).
#[derive(Debug, Default, Clone)]
struct Results {
    events_per_sec: Option<f64>,
    total_time_s: Option<f64>,
    total_events: Option<f64>,
    event_time_sum_s: Option<f64>,
    lat_min: Option<f64>,
    lat_avg: Option<f64>,
    lat_max: Option<f64>,
    lat_sum: Option<f64>,
    lat_pct: Option<(f64, f64)>,
    /// Lines of the latency block's `min:`, `avg:`, `max:` and percentile values.
    lat_lines: [usize; 4],
    queries_read: Option<f64>,
    queries_write: Option<f64>,
    queries_other: Option<f64>,
    queries_total: Option<f64>,
    transactions: Option<(f64, Option<f64>)>,
    queries: Option<(f64, Option<f64>)>,
    ignored_errors: Option<(f64, usize)>,
    reconnects: Option<f64>,
    deadlocks: Option<(f64, usize)>,
    mem_ops: Option<(f64, Option<f64>)>,
    mem_mib: Option<(f64, Option<f64>)>,
    file_ops_04: Option<(f64, f64, f64)>,
    file_mib_04: Option<(f64, f64)>,
    requests_per_sec: Option<f64>,
    reads_per_sec: Option<f64>,
    writes_per_sec: Option<f64>,
    fsyncs_per_sec: Option<f64>,
    read_mib_per_sec: Option<f64>,
    written_mib_per_sec: Option<f64>,
    fair_events: Option<(f64, f64)>,
    fair_time: Option<(f64, f64)>,
}

impl Results {
    /// Stores `v` (read at `line`). Returns false, storing nothing, when the run already has
    /// that value: the line belongs to a new run.
    fn store(&mut self, v: Value, line: usize) -> bool {
        fn set<T>(slot: &mut Option<T>, v: T) -> bool {
            if slot.is_some() {
                return false;
            }
            *slot = Some(v);
            true
        }
        fn set_line(slot: &mut usize, line: usize) -> bool {
            *slot = line;
            true
        }
        match v {
            Value::EventsPerSec(x) => set(&mut self.events_per_sec, x),
            Value::TotalTime(x) => set(&mut self.total_time_s, x),
            Value::TotalEvents(x) => set(&mut self.total_events, x),
            Value::EventTimeSum(x) => set(&mut self.event_time_sum_s, x),
            Value::Min(x) => set(&mut self.lat_min, x) && set_line(&mut self.lat_lines[0], line),
            Value::Avg(x) => set(&mut self.lat_avg, x) && set_line(&mut self.lat_lines[1], line),
            Value::Max(x) => set(&mut self.lat_max, x) && set_line(&mut self.lat_lines[2], line),
            Value::Sum(x) => set(&mut self.lat_sum, x),
            Value::Percentile(p, x) => {
                set(&mut self.lat_pct, (p, x)) && set_line(&mut self.lat_lines[3], line)
            }
            Value::QueriesRead(x) => set(&mut self.queries_read, x),
            Value::QueriesWrite(x) => set(&mut self.queries_write, x),
            Value::QueriesOther(x) => set(&mut self.queries_other, x),
            Value::QueriesTotal(x) => set(&mut self.queries_total, x),
            Value::Transactions(n, r) => set(&mut self.transactions, (n, r)),
            Value::Queries(n, r) => set(&mut self.queries, (n, r)),
            Value::IgnoredErrors(n) => set(&mut self.ignored_errors, (n, line)),
            Value::Reconnects(n) => set(&mut self.reconnects, n),
            Value::Deadlocks(n) => set(&mut self.deadlocks, (n, line)),
            Value::MemOps(n, r) => set(&mut self.mem_ops, (n, r)),
            Value::MemTransferred(m, r) => set(&mut self.mem_mib, (m, r)),
            Value::FileOps04 { read, write, other } => set(&mut self.file_ops_04, (read, write, other)),
            Value::FileBytes04 { read_mib, written_mib } => {
                set(&mut self.file_mib_04, (read_mib, written_mib))
            }
            Value::RequestsPerSec(x) => set(&mut self.requests_per_sec, x),
            Value::ReadsPerSec(x) => set(&mut self.reads_per_sec, x),
            Value::WritesPerSec(x) => set(&mut self.writes_per_sec, x),
            Value::FsyncsPerSec(x) => set(&mut self.fsyncs_per_sec, x),
            Value::ReadMibPerSec(x) => set(&mut self.read_mib_per_sec, x),
            Value::WrittenMibPerSec(x) => set(&mut self.written_mib_per_sec, x),
            Value::FairEvents(a, s) => set(&mut self.fair_events, (a, s)),
            Value::FairTime(a, s) => set(&mut self.fair_time, (a, s)),
        }
    }
}

/// A stretch of the file that is one sysbench invocation, or one run's results.
#[derive(Debug, Default)]
struct Seg {
    /// First and last lines that are sysbench's (0 while empty).
    first_line: usize,
    last_line: usize,
    /// The segment's own banner, if it starts with one.
    banner: Option<(String, Option<String>)>,
    header_line: Option<usize>,
    /// The test its own lines prove.
    test: Option<Test>,
    /// The test its interval lines suggest.
    hint: Option<Test>,
    params: Params,
    section: Section,
    max_rank: u8,
    /// First results line and a quote of it.
    results: Option<(usize, String)>,
    res: Results,
    /// `FATAL:` lines, and the `WARNING:` lines printed before the results.
    fatal: Vec<(usize, String)>,
    warnings: Vec<String>,
    /// First `prepare`/`cleanup` line.
    setup_line: Option<usize>,
    time_limit: bool,
    /// 0.4 `Test execution summary:` seen.
    summary_04: bool,
    intervals: usize,
    /// Interval lines with zero throughput: (line, interval end in s).
    stalls: Vec<(usize, f64)>,
    samples: Vec<Sample>,
}

impl Seg {
    fn touch(&mut self, n: usize) {
        if self.first_line == 0 {
            self.first_line = n;
        }
        self.last_line = n;
    }

    fn has_results(&self) -> bool {
        self.results.is_some()
    }

    fn mark(&mut self, t: Test) {
        self.test.get_or_insert(t);
    }

    /// Is this segment a benchmark run (as opposed to prepare/cleanup or a failed start)?
    fn is_run(&self) -> bool {
        self.header_line.is_some() || self.results.is_some() || self.intervals > 0
    }
}

/// `WARNING:` lines that are routine, not the explanation of a failure.
const ROUTINE_WARNINGS: &[&str] =
    &["Operation time (", "Percentile statistics will be inaccurate", "option is deprecated"];

/// Cuts the file into segments.
struct Splitter {
    series: bool,
    segs: Vec<Seg>,
    cur: Seg,
}

impl Splitter {
    fn split(&mut self) {
        let old = std::mem::take(&mut self.cur);
        if old.first_line > 0 {
            self.segs.push(old);
        }
    }

    /// A results block of rank `rank` starts at line `n`.
    fn ranked(&mut self, rank: u8) {
        if self.cur.has_results() && rank <= self.cur.max_rank {
            self.split();
        }
        self.cur.max_rank = self.cur.max_rank.max(rank);
    }

    fn results_at(&mut self, n: usize, raw: &str) {
        if self.cur.results.is_none() {
            self.cur.results = Some((n, text::quote(raw)));
        }
    }

    fn feed(&mut self, n: usize, raw: &str) {
        match classify(raw, self.cur.section) {
            Line::Blank | Line::Foreign => {}
            Line::Banner { version, build } => {
                self.split();
                self.cur.banner = Some((version.to_string(), build.map(str::to_string)));
                self.cur.touch(n);
            }
            Line::OptionsHeader => {
                if self.cur.has_results() || self.cur.header_line.is_some() {
                    self.split();
                }
                self.cur.header_line = Some(n);
                self.cur.section = Section::None;
                self.cur.touch(n);
            }
            Line::Params(test, kvs) => {
                if self.cur.has_results() {
                    self.split();
                }
                if let Some(t) = test {
                    self.cur.mark(t);
                }
                for (k, v) in kvs {
                    self.cur.params.insert(k.to_string(), v);
                }
                self.cur.touch(n);
            }
            Line::Test(t) => {
                if self.cur.has_results() {
                    self.split();
                }
                self.cur.mark(t);
                if t == Test::Memory {
                    self.cur.section = Section::MemoryOptions;
                }
                self.cur.touch(n);
            }
            Line::PrimeChecked(v) => {
                self.ranked(line::RANK_FIRST);
                self.results_at(n, raw);
                self.cur.mark(Test::Cpu);
                self.cur.params.insert("cpu-max-prime".into(), v);
                self.cur.touch(n);
            }
            Line::Started => {
                if self.cur.has_results() {
                    self.split();
                }
                self.cur.section = Section::None;
                self.cur.touch(n);
            }
            Line::TimeLimit => {
                self.cur.time_limit = true;
                self.cur.touch(n);
            }
            Line::Interval(iv) => {
                if self.cur.has_results() {
                    self.split();
                }
                self.interval(n, iv);
                self.cur.touch(n);
            }
            Line::Header(h) => {
                // The histogram comes before its run's results.
                if h == Header::Histogram && self.cur.has_results() {
                    self.split();
                }
                if let Some(rank) = h.rank() {
                    self.ranked(rank);
                    self.results_at(n, raw);
                }
                self.cur.section = h.section();
                if h == Header::Summary04 {
                    self.cur.summary_04 = true;
                }
                if let Some(t) = h.test() {
                    self.cur.mark(t);
                }
                self.cur.touch(n);
            }
            Line::Value(v) => {
                if let Some(rank) = v.rank(self.cur.section) {
                    self.ranked(rank);
                }
                if !self.cur.res.store(v, n) {
                    // The run already has this number: it is the next run's.
                    self.split();
                    self.cur.res.store(v, n);
                }
                self.results_at(n, raw);
                if let Some(t) = v.test() {
                    self.cur.mark(t);
                }
                self.cur.touch(n);
            }
            Line::Prepare | Line::Cleanup => {
                if self.cur.has_results() || self.cur.header_line.is_some() {
                    self.split();
                }
                self.cur.setup_line.get_or_insert(n);
                self.cur.touch(n);
            }
            Line::Fatal(msg) => {
                self.cur.fatal.push((n, msg.to_string()));
                self.cur.touch(n);
            }
            Line::Warning(msg) => {
                // After the results a warning is the next command's (`--test` deprecation
                // notes come before the banner). 0.4's timer notes say nothing about a failure.
                if !self.cur.has_results() {
                    if !ROUTINE_WARNINGS.iter().any(|w| msg.contains(w)) {
                        self.cur.warnings.push(msg.to_string());
                    }
                    self.cur.touch(n);
                }
            }
            Line::Noise => self.cur.touch(n),
        }
    }

    fn interval(&mut self, n: usize, iv: Interval) {
        self.cur.intervals += 1;
        if self.cur.hint.is_none() {
            self.cur.hint = iv.test;
        }
        // An interval that did nothing has no latency: sysbench prints 0.00 for it, which would
        // draw a stall as the fastest moment of the run.
        let stalled = iv.throughput() == Some(0.0);
        if stalled {
            self.cur.stalls.push((n, iv.t_s));
        }
        if self.series {
            for (metric, unit, value) in iv.values {
                if stalled && metric.starts_with("latency_") {
                    continue;
                }
                let unit = Cow::Borrowed(unit);
                self.cur.samples.push(Sample { t_s: iv.t_s, entity: TOOL.to_string(), metric, unit, value });
            }
        }
    }
}

/// Parses a whole file; see the module docs.
fn parse(text: &str, opts: &ParseOptions) -> Result<ParseOutput, ParseError> {
    let mut sp = Splitter { series: opts.series, segs: Vec::new(), cur: Seg::default() };
    let mut first_text = None;
    let mut last = 1;
    for (n, raw) in text::numbered_lines(text) {
        if first_text.is_none() && !raw.trim().is_empty() {
            first_text = Some((n, text::quote(raw)));
        }
        last = n;
        sp.feed(n, raw);
    }
    sp.split();
    build(sp.segs, first_text.unwrap_or((last, "''".to_string())))
}

/// What the file held besides runs, for the refusal message.
#[derive(Default)]
struct Leftovers {
    /// Segments with results but no test: (first results line, quote of it, last line).
    unknown: Vec<(usize, String, usize)>,
    /// First prepare/cleanup line.
    setup: Option<usize>,
    /// First `FATAL:` of a sysbench that never started a test.
    not_started: Option<(usize, String)>,
    /// Runs that took their options from the run before them.
    inherited: Vec<usize>,
    /// Runs with no options header and nothing to inherit.
    headerless: Vec<usize>,
}

/// Turns segments into runs (in file order), warnings, or the refusal.
fn build(segs: Vec<Seg>, first_text: (usize, String)) -> Result<ParseOutput, ParseError> {
    let mut out = ParseOutput::default();
    let mut left = Leftovers::default();
    let mut banner: Option<(String, Option<String>)> = None;
    let mut prev: Option<Prev> = None;
    for mut seg in segs {
        if seg.banner.is_some() {
            banner = seg.banner.clone();
        }
        if !seg.is_run() {
            not_a_run(&seg, &mut out, &mut left);
            continue;
        }
        let Some((test, mut params, known)) = test_and_params(&seg, prev.as_ref(), &mut left) else {
            if let Some((line, quote)) = &seg.results {
                out.warnings.push(Diagnostic::new(
                    *line,
                    format!(
                        "results {quote} at line {line} skipped: {}",
                        unknown_test_reason(seg.first_line, seg.last_line)
                    ),
                ));
                left.unknown.push((*line, quote.clone(), seg.last_line));
            }
            if seg.results.is_none() {
                let run = run_of(&mut seg, None, Params::new(), banner.as_ref(), &mut out);
                out.runs.push(run);
            }
            continue;
        };
        if test == Test::FileIo && seg.params.contains_key("file-io-mode") {
            fileio_defaults(&mut params);
        }
        prev = Some(Prev { test, params: params.clone(), known });
        let run = run_of(&mut seg, Some(test), params, banner.as_ref(), &mut out);
        out.runs.push(run);
    }
    if let Some(&first) = left.inherited.first() {
        out.warnings.push(Diagnostic::new(
            first,
            format!(
                "{} run(s) without a banner or options header (the first at line {first}) take the \
                 sysbench version, test and options of the run before them in the file",
                left.inherited.len()
            ),
        ));
    }
    if let Some(&first) = left.headerless.first() {
        out.warnings.push(Diagnostic::new(
            first,
            format!(
                "{} run(s) have no options header (the first at line {first}: no 'Running the test \
                 with following options:' or 'Number of threads:' before the results, as in a \
                 grep-filtered log): their options (threads, cpu-max-prime, ...) are unknown and \
                 left out of params",
                left.headerless.len()
            ),
        ));
    }
    if out.runs.iter().any(|r| !r.metrics.is_empty()) {
        return Ok(out);
    }
    Err(refusal(&out, &left, first_text))
}

/// Records what a segment that is not a run tells.
fn not_a_run(seg: &Seg, out: &mut ParseOutput, left: &mut Leftovers) {
    let fatal = seg.fatal.first();
    if let Some(line) = seg.setup_line {
        left.setup.get_or_insert(line);
        if let Some((fl, msg)) = fatal {
            out.warnings.push(Diagnostic::new(
                *fl,
                format!("sysbench prepare/cleanup starting at line {} failed: {}", seg.first_line, msg),
            ));
        }
    } else if let Some((fl, msg)) = fatal {
        left.not_started.get_or_insert((*fl, msg.clone()));
        out.warnings.push(Diagnostic::new(
            *fl,
            format!("sysbench starting at line {} stopped before running a test: {}", seg.first_line, msg),
        ));
    }
}

/// The test and options of a run segment, from its own lines, the rules for 1.0 threads and
/// mutex, or the run before it; and whether the options are known (printed by the run or by
/// the run it inherits from).
fn test_and_params(seg: &Seg, prev: Option<&Prev>, left: &mut Leftovers) -> Option<(Test, Params, bool)> {
    let own = seg.test.or(seg.hint);
    if seg.header_line.is_some() {
        let test = own.or_else(|| threads_or_mutex(seg)).or_else(|| oltp_from_fatal(seg))?;
        return Some((test, seg.params.clone(), true));
    }
    match (prev, own) {
        (Some(p), None) if p.known => {
            left.inherited.push(seg.first_line);
            Some((p.test, inherit(&p.params, &seg.params), true))
        }
        (Some(p), Some(t)) if p.known && p.test == t => {
            left.inherited.push(seg.first_line);
            Some((t, inherit(&p.params, &seg.params), true))
        }
        (Some(p), None) => {
            left.headerless.push(seg.first_line);
            Some((p.test, seg.params.clone(), false))
        }
        (_, Some(t)) => {
            left.headerless.push(seg.first_line);
            Some((t, seg.params.clone(), false))
        }
        (None, None) => None,
    }
}

/// The run before, for runs that print no options of their own.
struct Prev {
    test: Test,
    params: Params,
    /// Its options were printed (by it or the run it inherits from).
    known: bool,
}

/// fileio prints its fsync options only when they are on: once the whole mode block is there
/// (`Using ... I/O mode` comes after them in 0.4 and 1.0), a missing one is off.
fn fileio_defaults(params: &mut Params) {
    params.entry("file-fsync-freq".into()).or_insert_with(|| "0".into());
    params.entry("file-fsync-end".into()).or_insert_with(|| "off".into());
    params.entry("file-fsync-all".into()).or_insert_with(|| "off".into());
}

/// The previous run's options overlaid with the ones this run prints itself.
fn inherit(prev: &Params, own: &Params) -> Params {
    let mut p = prev.clone();
    p.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
    p
}

/// 1.0 `threads` and `mutex` print the options header and no mode line; `mutex` gives every
/// thread exactly one event (`events (avg/stddev): 1.0000/0.00`), `threads` loops until the
/// time limit. Needs the general results; 0.4 outputs name their test, so they never get here.
fn threads_or_mutex(seg: &Seg) -> Option<Test> {
    if seg.summary_04 {
        return None;
    }
    let r = &seg.res;
    r.total_time_s?;
    let threads = seg.params.get("threads").and_then(|t| text::num(t));
    let one_each = match (r.fair_events, r.total_events, threads) {
        (Some((avg, sd)), total, threads) => {
            avg == 1.0 && sd == 0.0 && threads.zip(total).is_none_or(|(th, ev)| th == ev)
        }
        (None, Some(ev), Some(th)) => ev == th,
        _ => return None,
    };
    Some(if one_each { Test::Mutex } else { Test::Threads })
}

/// A 1.0 run that died before its results with a database or Lua script error is OLTP.
fn oltp_from_fatal(seg: &Seg) -> Option<Test> {
    const HINTS: &[&str] = &[".lua:", "MySQL", "PostgreSQL", "pgsql", "database"];
    seg.fatal.iter().any(|(_, m)| HINTS.iter().any(|h| m.contains(h))).then_some(Test::Oltp)
}

fn unknown_test_reason(first: usize, last: usize) -> String {
    format!(
        "nothing in lines {first}-{last} tells which sysbench test ran: no banner or options \
         header, no mode line ('Doing ... test', 'Prime numbers limit:', 'Running memory speed \
         test ...', 'Extra file open flags:') and no throughput block ('CPU speed:', 'Total \
         operations:', 'File operations:', 'SQL statistics:'); expected the complete output of a \
         sysbench run"
    )
}

/// Builds the run of a segment (`test` `None`: a run without results whose test is unknown).
fn run_of(
    seg: &mut Seg,
    test: Option<Test>,
    params: Params,
    banner: Option<&(String, Option<String>)>,
    out: &mut ParseOutput,
) -> Run {
    let workload = test.map_or("sysbench.unknown", Test::workload);
    let mut run = Run::new(TOOL, workload, seg.first_line);
    run.last_line = seg.last_line.max(seg.first_line);
    if let Some((version, build)) = banner {
        run.tool_version = Some(version.clone());
        if let Some(b) = build {
            run.facts.insert("build".into(), b.clone());
        }
    }
    let mut params = params;
    if test == Some(Test::Oltp) && banner.is_some_and(|(v, _)| major_version(v) >= Some(1)) {
        if let Some(inferred) = oltp_script(&seg.res) {
            inferred.apply(&mut params, &mut run.facts);
        }
    }
    if let Some(test) = test {
        push_metrics(&mut run, test, seg, &params);
        // A left-out value is said when the file is read, not only by `audit`.
        for issue in run.issues.iter().filter(|i| i.kind == "warning") {
            out.warnings.push(Diagnostic::new(issue.line, issue.message.clone()));
        }
    }
    run.subsystem = subsystem(test);
    run.declare_primary(primary_candidates(test, &params));
    run.params = params;
    run.series = std::mem::take(&mut seg.samples);
    issues(&mut run, seg, out);
    run
}

/// The part of the machine a test exercises: the processor (cpu, threads, mutex), memory,
/// the disk (fileio); OLTP and a test that cannot be told are an application's.
fn subsystem(test: Option<Test>) -> Subsystem {
    match test {
        Some(Test::Cpu | Test::Threads | Test::Mutex) => Subsystem::Cpu,
        Some(Test::Memory) => Subsystem::Memory,
        Some(Test::FileIo) => Subsystem::Disk,
        Some(Test::Oltp) | None => Subsystem::Application,
    }
}

/// The candidates for a run's primary metric, in order ([`Run::declare_primary`]): for fileio
/// what its mode says it did (written MiB/s and writes for `seqwr`, `seqrewr`, `rndwr`; read
/// MiB/s and reads for `seqrd`, `rndrd`; read MiB/s, then written, for `rndrw` or no mode), for
/// memory its MiB/s; then events/s, which every test has (OLTP: one event is a transaction),
/// and the total time.
fn primary_candidates(test: Option<Test>, params: &Params) -> &'static [&'static str] {
    match test {
        Some(Test::FileIo) => match params.get("file-test-mode").map(String::as_str) {
            Some("seqwr" | "seqrewr" | "rndwr") => &[
                "written_mib_per_sec",
                "writes_per_sec",
                "read_mib_per_sec",
                "events_per_sec",
                "requests_per_sec",
                "reads_per_sec",
                "total_time_s",
            ],
            Some("seqrd" | "rndrd") => &[
                "read_mib_per_sec",
                "reads_per_sec",
                "written_mib_per_sec",
                "events_per_sec",
                "requests_per_sec",
                "writes_per_sec",
                "total_time_s",
            ],
            _ => &[
                "read_mib_per_sec",
                "written_mib_per_sec",
                "events_per_sec",
                "requests_per_sec",
                "reads_per_sec",
                "writes_per_sec",
                "total_time_s",
            ],
        },
        Some(Test::Memory) => &["mib_per_sec", "events_per_sec", "ops_per_sec", "total_time_s"],
        Some(Test::Oltp) => &["events_per_sec", "transactions_per_sec", "total_time_s"],
        _ => &["events_per_sec", "total_time_s"],
    }
}

/// The major version of a banner's version (`1` of `1.0.20`, `0` of `0.4.12`).
fn major_version(v: &str) -> Option<u32> {
    v.split('.').next()?.parse().ok()
}

/// What a sysbench 1.x OLTP run did, inferred from its queries per transaction (1.0 does not
/// print which Lua script ran). See [`oltp_script`].
#[derive(Debug, Clone, PartialEq)]
struct OltpWork {
    /// The script, or the scripts (joined with `/`) the counts cannot tell apart.
    script: &'static str,
    /// Queries of each kind per transaction: read, write, other.
    mix: [f64; 3],
}

impl OltpWork {
    /// Adds `script`, `queries-per-tx` and `reads-per-tx` to the params (what defines the work,
    /// so that runs of different scripts or options are different groups) and says how in the
    /// fact `script_inferred`.
    fn apply(&self, params: &mut Params, facts: &mut std::collections::BTreeMap<String, String>) {
        let [r, w, o] = self.mix;
        params.insert("script".into(), self.script.to_string());
        params.insert("queries-per-tx".into(), format!("{}", (r + w + o).round()));
        params.insert("reads-per-tx".into(), format!("{}", r.round()));
        facts.insert(
            "script_inferred".into(),
            format!(
                "from the queries per transaction ({r:.2} read, {w:.2} write, {o:.2} other): \
                 sysbench 1.x does not print the script's name"
            ),
        );
    }
}

/// Infers the OLTP script of a 1.x run from its `queries performed:` counts and `transactions:`,
/// among the scripts sysbench 1.0 ships (`/usr/share/sysbench`). Per transaction, with `r`, `w`,
/// `o` the read, write and other queries (`o` counts BEGIN/COMMIT and writes that changed no
/// row) and `t = r + w + o`:
///
/// * reads and writes (`r` and `w` at least 0.5): `oltp_read_write`;
/// * reads only: one query (`t` rounds to 1) is `oltp_point_select`, `select_random_points` or
///   `select_random_ranges`, which the counts cannot tell apart; more is `oltp_read_only`;
/// * no reads: two or more queries is `oltp_write_only`; one query is `oltp_delete` when some
///   of them changed nothing (`o` > 0: a DELETE of a row already deleted), else one of
///   `oltp_delete`, `oltp_insert`, `oltp_update_index`, `oltp_update_non_index`.
///
/// Thresholds are halves of a query, so option values that change the mix (`--range-selects=off`
/// gives 10 reads, `--skip-trx` no BEGIN/COMMIT) and retried queries do not change the answer.
/// `None` without transactions or query counts.
fn oltp_script(r: &Results) -> Option<OltpWork> {
    let (tx, _) = r.transactions?;
    if tx.is_nan() || tx <= 0.0 {
        return None;
    }
    let mix = [r.queries_read? / tx, r.queries_write? / tx, r.queries_other? / tx];
    let [reads, writes, other] = mix;
    let total = (reads + writes + other).round();
    let script = if reads >= 0.5 && writes >= 0.5 {
        "oltp_read_write"
    } else if reads >= 0.5 {
        if total <= 1.0 {
            "oltp_point_select/select_random_points/select_random_ranges"
        } else {
            "oltp_read_only"
        }
    } else if total >= 2.0 {
        "oltp_write_only"
    } else if total == 1.0 {
        if other > 0.0 {
            "oltp_delete"
        } else {
            "oltp_delete/oltp_insert/oltp_update_index/oltp_update_non_index"
        }
    } else {
        return None;
    };
    Some(OltpWork { script, mix })
}

/// Log issues and warnings of one run.
fn issues(run: &mut Run, seg: &Seg, out: &mut ParseOutput) {
    if let Some(&(line, _)) = seg.fatal.first() {
        let mut msg: Vec<&str> = seg.fatal.iter().map(|(_, m)| m.as_str()).collect();
        msg.extend(seg.warnings.iter().map(String::as_str));
        let message = msg.join(" / ");
        let what = if seg.has_results() { "reports" } else { "has no results" };
        out.warnings.push(Diagnostic::new(
            line,
            format!("the run starting at line {} {what}: {message}", seg.first_line),
        ));
        run.issues.push(LogIssue { line, kind: "fatal".into(), message });
    } else if !seg.has_results() {
        let message = format!(
            "the run starting at line {} stops at line {} before its results (expected \
             'General statistics:' or 'Test execution summary:')",
            seg.first_line, seg.last_line
        );
        out.warnings.push(Diagnostic::new(seg.last_line, message.clone()));
        run.issues.push(LogIssue { line: seg.last_line, kind: "truncated".into(), message });
    } else if (seg.header_line.is_some() || seg.max_rank >= GENERAL_RANK)
        && (seg.res.total_time_s.is_none() || seg.res.fair_time.is_none())
    {
        // Every complete output ends with the general block and `Threads fairness:`.
        let message = format!(
            "the results of the run starting at line {} stop at line {} before their end \
             (expected 'total time:' and 'Threads fairness:')",
            seg.first_line, seg.last_line
        );
        out.warnings.push(Diagnostic::new(seg.last_line, message.clone()));
        run.issues.push(LogIssue { line: seg.last_line, kind: "truncated".into(), message });
    }
    if let (Some(&(line, from)), Some(&(_, to))) = (seg.stalls.first(), seg.stalls.last()) {
        let message = format!(
            "{} of {} report intervals did no work (zero throughput), the intervals ending at {from} \
             s to {to} s: the run stalled (those intervals have no latency)",
            seg.stalls.len(),
            seg.intervals
        );
        out.warnings
            .push(Diagnostic::new(line, format!("the run starting at line {}: {message}", seg.first_line)));
        run.issues.push(LogIssue { line, kind: "stalled".into(), message });
    }
    if let Some((n, line)) = seg.res.ignored_errors.filter(|(n, _)| *n > 0.0) {
        run.issues.push(LogIssue {
            line,
            kind: "ignored_errors".into(),
            message: format!("{n} ignored errors (queries that failed and were retried)"),
        });
    }
    if let Some((n, line)) = seg.res.deadlocks.filter(|(n, _)| *n > 0.0) {
        run.issues.push(LogIssue {
            line,
            kind: "ignored_errors".into(),
            message: format!("{n} deadlocks (transactions that failed and were retried)"),
        });
    }
}

fn put(
    run: &mut Run,
    name: impl Into<Cow<'static, str>>,
    unit: &'static str,
    better: Better,
    v: Option<f64>,
) {
    if let Some(v) = v {
        run.push(name, unit, better, v);
    }
}

const MIB: f64 = 1024.0 * 1024.0;

/// 2^63 ns in ms: sysbench 0.4 keeps times as unsigned nanoseconds, so a latency this large
/// is a negative duration (the clock went backwards) wrapped around, not a measurement.
const WRAPPED_MS: f64 = 9_223_372_036_854.775;

/// The metrics of a run; names, units and sources are listed in `docs/metrics.md (sysbench)`.
fn push_metrics(run: &mut Run, test: Test, seg: &Seg, params: &Params) {
    use Better::{Higher, Lower, None as Neither};
    let r = &seg.res;
    let time = r.total_time_s.filter(|t| *t > 0.0);
    let per_sec = |n: f64| time.map(|t| n / t);
    let events_per_sec = r.events_per_sec.or_else(|| r.total_events.and_then(per_sec));
    put(run, "events_per_sec", "events/s", Higher, events_per_sec);
    match test {
        Test::Memory => {
            let ops = r.mem_ops.and_then(|(n, rate)| rate.or_else(|| per_sec(n)));
            put(run, "ops_per_sec", "ops/s", Higher, ops);
            let mib = r.mem_mib.and_then(|(m, rate)| rate.or_else(|| per_sec(m)));
            put(run, "mib_per_sec", "MiB/s", Higher, mib);
            put(run, "mib_transferred", "MiB", Neither, r.mem_mib.map(|(m, _)| m));
        }
        Test::FileIo => {
            let ops = r.file_ops_04;
            let mib = r.file_mib_04;
            let reads = r.reads_per_sec.or_else(|| ops.and_then(|o| per_sec(o.0)));
            let writes = r.writes_per_sec.or_else(|| ops.and_then(|o| per_sec(o.1)));
            let fsyncs = r.fsyncs_per_sec.or_else(|| ops.and_then(|o| per_sec(o.2)));
            put(run, "reads_per_sec", "ops/s", Higher, reads);
            put(run, "writes_per_sec", "ops/s", Higher, writes);
            put(run, "fsyncs_per_sec", "ops/s", Higher, fsyncs);
            let read_mib = r.read_mib_per_sec.or_else(|| mib.and_then(|m| per_sec(m.0)));
            let written_mib = r.written_mib_per_sec.or_else(|| mib.and_then(|m| per_sec(m.1)));
            put(run, "read_mib_per_sec", "MiB/s", Higher, read_mib);
            put(run, "written_mib_per_sec", "MiB/s", Higher, written_mib);
            put(run, "requests_per_sec", "ops/s", Higher, r.requests_per_sec);
        }
        Test::Oltp => {
            let tps = r.transactions.and_then(|(n, rate)| rate.or_else(|| per_sec(n)));
            put(run, "transactions_per_sec", "tx/s", Higher, tps);
            let total_queries = r.queries.map(|(n, _)| n).or(r.queries_total);
            let qps = r.queries.and_then(|(_, rate)| rate).or_else(|| total_queries.and_then(per_sec));
            put(run, "queries_per_sec", "queries/s", Higher, qps);
            put(run, "transactions", "count", Neither, r.transactions.map(|(n, _)| n));
            put(run, "queries_read", "count", Neither, r.queries_read);
            put(run, "queries_write", "count", Neither, r.queries_write);
            put(run, "queries_other", "count", Neither, r.queries_other);
            put(run, "queries_total", "count", Neither, total_queries);
            put(run, "ignored_errors", "count", Lower, r.ignored_errors.map(|(n, _)| n));
            put(run, "reconnects", "count", Lower, r.reconnects);
            put(run, "deadlocks", "count", Lower, r.deadlocks.map(|(n, _)| n));
        }
        Test::Cpu | Test::Threads | Test::Mutex => {}
    }
    // A time without a direction echoes the run's time limit (see `total_time_better`).
    let time_better = total_time_better(test, seg, params);
    if let Some(t) = r.total_time_s {
        let m = Metric::new("total_time_s", "s", time_better, t);
        run.push_metric(m.with_time_limit(time_better == Neither));
    }
    put(run, "total_events", "count", Neither, r.total_events);
    type Latency = (Cow<'static, str>, Option<f64>, usize, Option<Percentile>);
    let mut latencies: Vec<Latency> = vec![
        ("latency_min_ms".into(), r.lat_min, r.lat_lines[0], None),
        ("latency_avg_ms".into(), r.lat_avg, r.lat_lines[1], None),
        ("latency_max_ms".into(), r.lat_max, r.lat_lines[2], None),
    ];
    if let Some((p, ms)) = r.lat_pct {
        // `--percentile=0` turns the percentile off; 100 is the maximum.
        let of = (p > 0.0 && p < 100.0).then(|| Percentile::new("latency", p));
        latencies.push((line::percentile_name(p).into(), Some(ms), r.lat_lines[3], of));
    }
    let mut wrapped = Vec::new();
    let mut wrapped_line = None;
    for (name, v, line, percentile) in latencies {
        match (v, percentile) {
            (Some(ms), _) if ms >= WRAPPED_MS => {
                wrapped.push(format!("{name} = {ms}"));
                wrapped_line.get_or_insert(line);
            }
            (Some(ms), Some(p)) => run.push_percentile(name, "ms", Lower, ms, p),
            (v, None) => put(run, name, "ms", Lower, v),
            (None, Some(_)) => {}
        }
    }
    if !wrapped.is_empty() {
        let results_line = seg.results.as_ref().map_or(seg.first_line, |(l, _)| *l);
        run.issues.push(LogIssue {
            line: wrapped_line.filter(|l| *l > 0).unwrap_or(results_line),
            kind: "warning".into(),
            message: format!(
                "left out {}: a time of 2^63 ns or more is a negative duration wrapped around \
                 (the clock went backwards; sysbench warns 'Operation time ... is greater than \
                 maximal counted value')",
                wrapped.join(", ")
            ),
        });
    }
    let sum = r.lat_sum.or_else(|| r.event_time_sum_s.map(|s| s * 1000.0));
    put(run, "latency_sum_ms", "ms", Neither, sum);
    put(run, "thread_events_avg", "count", Neither, r.fair_events.map(|p| p.0));
    put(run, "thread_events_stddev", "count", Neither, r.fair_events.map(|p| p.1));
    put(run, "thread_time_avg_s", "s", Neither, r.fair_time.map(|p| p.0));
    put(run, "thread_time_stddev_s", "s", Neither, r.fair_time.map(|p| p.1));
}

/// `total_time_s` is the measured result (lower is better) only when the run did a fixed
/// amount of work: every mutex run; a memory run that transferred its whole total size; a 0.4
/// run (whose default is a fixed request count) unless it printed `Time limit exceeded`.
/// Otherwise it echoes a time limit (1.0's default is `--time=10`; 0.5 does not print the
/// limit message) and has no direction.
fn total_time_better(test: Test, seg: &Seg, params: &Params) -> Better {
    if seg.time_limit {
        return Better::None;
    }
    match test {
        Test::Mutex => Better::Lower,
        Test::Memory => {
            let total_mib =
                params.get("memory-total-size").and_then(|s| text::size_bytes(s)).map(|b| b / MIB);
            match (seg.res.mem_mib, total_mib) {
                // The transferred amount is printed with two decimals.
                (Some((mib, _)), Some(total)) if mib + 0.01 >= total => Better::Lower,
                _ => Better::None,
            }
        }
        _ if seg.summary_04 => Better::Lower,
        _ => Better::None,
    }
}

/// The error for a file without one run that has results.
fn refusal(out: &ParseOutput, left: &Leftovers, first_text: (usize, String)) -> ParseError {
    if let (Some((line, quote, _)), Some((_, _, last))) = (left.unknown.first(), left.unknown.last()) {
        return ParseError::new(
            *line,
            format!("sysbench results {quote} at line {line}, but {}", unknown_test_reason(*line, *last)),
        );
    }
    if let Some(run) = out.runs.first() {
        let (line, why) = match run.issues.first() {
            Some(i) => (i.line, i.message.clone()),
            None => (run.first_line, "no results".to_string()),
        };
        return ParseError::new(
            line,
            format!(
                "no sysbench run in the file has results: the run starting at line {} ends with: {why}",
                run.first_line
            ),
        );
    }
    if let Some((line, msg)) = &left.not_started {
        return ParseError::new(*line, format!("sysbench stopped before running a test: {msg}"));
    }
    if let Some(line) = left.setup {
        return ParseError::new(
            line,
            format!(
                "only 'prepare'/'cleanup' output from line {line} on, no benchmark run: expected the \
                 output of 'sysbench ... run' ('Threads started!' and the results)"
            ),
        );
    }
    let (line, quote) = first_text;
    ParseError::new(
        line,
        format!(
            "no sysbench results: the text starts with {quote}; expected a 'sysbench X.Y' banner and \
             a results block ('General statistics:', 'Test execution summary:', 'CPU speed:', \
             'events per second:')"
        ),
    )
}
