//! wrk output (wrk 4.x, with or without `--latency`), recognised by content.
//!
//! One run is what one `wrk` invocation prints: `Running 30s test @ <url>`, the
//! `N threads and M connections` line, the `Thread Stats` table, the optional
//! `Latency Distribution` block, `N requests in 30.06s, 3.36MB read`, the optional
//! `Socket errors:` and `Non-2xx or 3xx responses:` lines, `Requests/sec:` and
//! `Transfer/sec:`. A file may hold many runs with anything between them (banners, notes, shell
//! prompts, rulers): a run starts at each `Running ... test @` line and ends at its
//! `Transfer/sec:` line. Result lines that come in wrk's order without a `Running` line before
//! them (output cut with `tail`) form a run without params, with a warning.
//!
//! wrk2 (giltene/wrk2) prints the same lines plus its own: this reader reads its runs too (one
//! file may hold runs of both), and leaves what only wrk2 prints to [`super::wrk2`]. See
//! `docs/metrics.md (wrk)` for every metric and param.

use super::text::{self, duration_ms, num, num_si, size_bytes};
use super::wrk2;
use super::{Diagnostic, ParseOptions, ParseOutput, Parser};
use crate::error::ParseError;
use crate::model::{fact, Better, LogIssue, Percentile, Run, Subsystem};

/// Reads wrk output (and wrk2's).
pub struct WrkParser;

/// Tool name and workload of every wrk run.
const TOOL: &str = "wrk";

impl Parser for WrkParser {
    fn name(&self) -> &'static str {
        TOOL
    }

    /// Returns true if and only if a line is `Running <duration> test @ <url>`, or lines start
    /// with both `Requests/sec:` and `Transfer/sec:` (sysbench 0.4 prints `1628.02
    /// Requests/sec executed`, which does not count).
    fn sniff(&self, head: &str) -> bool {
        let mut rps = false;
        let mut transfer = false;
        for line in head.lines() {
            let t = line.trim();
            if parse_running(t).is_some() {
                return true;
            }
            rps |= t.starts_with("Requests/sec:");
            transfer |= t.starts_with("Transfer/sec:");
            if rps && transfer {
                return true;
            }
        }
        false
    }

    fn parse(&self, text: &str, _opts: &ParseOptions) -> Result<ParseOutput, ParseError> {
        parse(text)
    }

    fn redeclare(&self, run: &mut Run) {
        redeclare(run);
    }
}

/// What [`Block::to_run`] declares about a wrk or wrk2 run: the network path to its server,
/// measured by its requests per second.
pub(crate) fn redeclare(run: &mut Run) {
    run.subsystem = Subsystem::Network;
    run.declare_primary(PRIMARY);
}

/// Reads the wrk and wrk2 runs of a file.
pub(crate) fn parse(text: &str) -> Result<ParseOutput, ParseError> {
    let mut scan = Scanner::default();
    let mut last_line = 1;
    for (no, line) in text::numbered_lines(text) {
        scan.line(no, line);
        last_line = no;
    }
    let blocks = scan.finish();
    let mut out = ParseOutput::default();
    for block in &blocks {
        out.runs.push(block.to_run(&mut out.warnings));
    }
    wrk2::warn_without_rate(&out.runs, &mut out.warnings);
    if out.runs.iter().any(|r| !r.metrics.is_empty()) {
        return Ok(out);
    }
    Err(nothing_usable(&blocks, last_line))
}

/// The error for a file where no run has results.
fn nothing_usable(blocks: &[Block], last_line: usize) -> ParseError {
    let Some(first) = blocks.first() else {
        return ParseError::new(
            1,
            "no wrk run found: expected a 'Running <duration> test @ <url>' line followed by \
             wrk's results ('Thread Stats', 'Requests/sec:', 'Transfer/sec:')",
        );
    };
    let what = first.start_quote();
    if blocks.len() == 1 {
        ParseError::new(
            last_line,
            format!("no 'Requests/sec:' line after {what} at line {}: the run is truncated", first.first),
        )
    } else {
        ParseError::new(
            last_line,
            format!(
                "none of the {} runs has a 'Requests/sec:' line (the first is {what} at line \
                 {}): every run is truncated",
                blocks.len(),
                first.first
            ),
        )
    }
}

/// The kinds of result line, in the order wrk prints them. A line of a lower kind than the
/// last one seen starts a new run (see [`continues`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// `Running 30s test @ http://host/path`.
    Running,
    /// `  12 threads and 400 connections`.
    Setup,
    /// `  Thread Stats   Avg      Stdev     Max   +/- Stdev`.
    StatsHeader,
    /// `    Latency    13.81ms   96.21ms   1.83s    97.05%`.
    LatencyRow,
    /// `    Req/Sec   397.82    489.56     3.06k    81.96%`.
    ReqSecRow,
    /// `  Latency Distribution`.
    Distribution,
    /// `     50%   14.79ms`.
    Percentile,
    /// `  88124 requests in 30.06s, 3.36MB read`.
    Requests,
    /// `  Socket errors: connect 0, read 88124, write 0, timeout 80`.
    SocketErrors,
    /// `  Non-2xx or 3xx responses: 88124`.
    Non2xx,
    /// `Requests/sec:   2931.77`.
    RequestsPerSec,
    /// `Transfer/sec:    114.52KB`.
    TransferPerSec,
}

/// Returns true if and only if a `next` line belongs to a run whose last result line was
/// `last`: wrk prints each kind once, in order, except the percentile rows.
fn continues(last: Kind, next: Kind) -> bool {
    next > last || (next == last && next == Kind::Percentile)
}

/// Returns true if and only if this line starts a run of its own when it does not continue the
/// open one (output without its `Running` line). A `Requests/sec:` whose value does not read
/// (a note such as `Requests/sec: about 4000`) does not.
fn starts_headless(item: &Item<'_>) -> bool {
    matches!(
        item,
        Item::StatsHeader
            | Item::LatencyRow(_)
            | Item::ReqSecRow(_)
            | Item::Requests { .. }
            | Item::RequestsPerSec(Some(_))
    )
}

/// One result line, its values read.
#[derive(Debug, Clone, PartialEq)]
enum Item<'a> {
    Running { duration: &'a str, url: &'a str },
    Setup { threads: &'a str, connections: &'a str },
    StatsHeader,
    LatencyRow([f64; 3]),
    ReqSecRow([f64; 3]),
    Distribution,
    Percentile { pct: f64, ms: f64 },
    Requests { count: f64, duration_s: f64, bytes: f64 },
    SocketErrors(Option<[f64; 4]>),
    Non2xx(Option<f64>),
    RequestsPerSec(Option<f64>),
    TransferPerSec(Option<f64>),
}

impl Item<'_> {
    fn kind(&self) -> Kind {
        match self {
            Item::Running { .. } => Kind::Running,
            Item::Setup { .. } => Kind::Setup,
            Item::StatsHeader => Kind::StatsHeader,
            Item::LatencyRow(_) => Kind::LatencyRow,
            Item::ReqSecRow(_) => Kind::ReqSecRow,
            Item::Distribution => Kind::Distribution,
            Item::Percentile { .. } => Kind::Percentile,
            Item::Requests { .. } => Kind::Requests,
            Item::SocketErrors(_) => Kind::SocketErrors,
            Item::Non2xx(_) => Kind::Non2xx,
            Item::RequestsPerSec(_) => Kind::RequestsPerSec,
            Item::TransferPerSec(_) => Kind::TransferPerSec,
        }
    }
}

/// Reads one trimmed line as a wrk result line, or `None` for anything else. Lines are
/// recognised by their shape: table rows, percentile rows and the requests line only when
/// their numbers read; the labelled lines (`Requests/sec:` ...) by their label alone, with
/// `None` values when what follows does not read.
fn classify(t: &str) -> Option<Item<'_>> {
    if let Some((duration, url)) = parse_running(t) {
        return Some(Item::Running { duration, url });
    }
    if let Some(rest) = t.strip_prefix("Requests/sec:") {
        return Some(Item::RequestsPerSec(num(rest)));
    }
    if let Some(rest) = t.strip_prefix("Transfer/sec:") {
        return Some(Item::TransferPerSec(size_bytes(rest)));
    }
    if let Some(rest) = t.strip_prefix("Socket errors:") {
        return Some(Item::SocketErrors(parse_socket_errors(rest)));
    }
    if let Some(rest) = t.strip_prefix("Non-2xx or 3xx responses:") {
        return Some(Item::Non2xx(num(rest)));
    }
    if t == "Latency Distribution" {
        return Some(Item::Distribution);
    }
    let tokens: Vec<&str> = t.split_whitespace().collect();
    match tokens.as_slice() {
        ["Thread", "Stats", ..] => Some(Item::StatsHeader),
        ["Latency", a, s, m, ..] => {
            Some(Item::LatencyRow([duration_ms(a)?, duration_ms(s)?, duration_ms(m)?]))
        }
        ["Req/Sec", a, s, m, ..] => Some(Item::ReqSecRow([num_si(a)?, num_si(s)?, num_si(m)?])),
        [threads, "threads", "and", connections, "connections"] => {
            num(threads)?;
            num(connections)?;
            Some(Item::Setup { threads, connections })
        }
        [count, "requests", "in", dur, size, "read"] => Some(Item::Requests {
            count: num(count)?,
            duration_s: duration_ms(dur.strip_suffix(',')?)? / 1000.0,
            bytes: size_bytes(size)?,
        }),
        [pct, value] if pct.ends_with('%') => {
            Some(Item::Percentile { pct: num(pct)?, ms: duration_ms(value)? })
        }
        _ => None,
    }
}

/// Reads `Running 30s test @ http://host/path` into (`30s`, the URL). The duration must read
/// as one (so sysbench's `Running the test with following options:` is not it).
fn parse_running(t: &str) -> Option<(&str, &str)> {
    let mut it = t.split_whitespace();
    if it.next()? != "Running" {
        return None;
    }
    let duration = it.next()?;
    duration_ms(duration)?;
    if it.next()? != "test" || it.next()? != "@" {
        return None;
    }
    let url = it.next()?;
    Some((duration, url))
}

/// Reads ` connect 0, read 88124, write 0, timeout 80` into [connect, read, write, timeout].
fn parse_socket_errors(rest: &str) -> Option<[f64; 4]> {
    let mut out = [None; 4];
    for part in rest.split(',') {
        let mut it = part.split_whitespace();
        let slot = match it.next()? {
            "connect" => 0,
            "read" => 1,
            "write" => 2,
            "timeout" => 3,
            _ => return None,
        };
        out[slot] = Some(num(it.next()?)?);
        if it.next().is_some() {
            return None;
        }
    }
    Some([out[0]?, out[1]?, out[2]?, out[3]?])
}

/// The path wrk requests for `url`: everything from the first `/` after the host (query
/// included), `/` when the URL has no path.
fn url_path(url: &str) -> String {
    let rest = match url.find("://") {
        Some(i) => url.get(i + 3..).unwrap_or(""),
        None => url,
    };
    match rest.find(['/', '?']) {
        Some(i) => {
            let tail = rest.get(i..).unwrap_or("");
            if tail.starts_with('?') {
                format!("/{tail}")
            } else {
                tail.to_string()
            }
        }
        None => "/".to_string(),
    }
}

/// The wrk command a shell prompt line shows (`user@host:~$ wrk -t12 ... url` gives `wrk -t12
/// ... url`): from a token that is `wrk` or `wrk2` (or ends in `/wrk`, `/wrk2`), when arguments
/// follow it. A line of options alone that names a URL (`-t1 -c64 -R2000 http://host:8081`, as
/// a script that echoes its arguments prints them) is a command too.
fn command_in(line: &str) -> Option<&str> {
    let base = line.as_ptr() as usize;
    let mut tokens = line.split_whitespace();
    let first = tokens.clone().next()?;
    if first.starts_with('-') && line.split_whitespace().any(|t| t.contains("://")) {
        return Some(line.trim());
    }
    while let Some(tok) = tokens.next() {
        let name = tok.rsplit('/').next().unwrap_or(tok);
        if name == "wrk" || name == "wrk2" {
            tokens.next()?;
            let start = (tok.as_ptr() as usize).checked_sub(base)?;
            return line.get(start..).map(str::trim_end);
        }
    }
    None
}

/// The version in the line `wrk -v` prints: `wrk 4.1.0 [epoll] Copyright (C) 2012 Will Glozer`.
fn version_in(t: &str) -> Option<&str> {
    if !t.contains("Copyright (C) 2012 Will Glozer") {
        return None;
    }
    let mut it = t.split_whitespace();
    (it.next()? == "wrk").then_some(())?;
    it.next()
}

/// The percentiles of wrk's `Latency Distribution` (`--latency`).
const PCT: [f64; 4] = [50.0, 75.0, 90.0, 99.0];

/// The candidates for a run's primary metric ([`Run::declare_primary`]).
const PRIMARY: &[&str] = &["requests_per_sec"];

/// A line and its number, for issues and warnings.
type At<T> = (usize, T);

/// What one run printed, as read so far.
#[derive(Debug, Clone, Default)]
struct Block {
    first: usize,
    last: usize,
    last_kind: Option<Kind>,
    /// `Running` line: (duration as printed, URL).
    running: Option<(String, String)>,
    setup: Option<(String, String)>,
    command: Option<String>,
    version: Option<String>,
    /// What only wrk2 prints: its lines make the run wrk2's.
    wrk2: wrk2::Extra,
    latency: Option<[f64; 3]>,
    req_sec: Option<[f64; 3]>,
    /// p50, p75, p90, p99 in ms.
    pct: [Option<f64>; 4],
    /// `N requests in ...`: (count, duration in s, bytes read), and its line.
    requests: Option<At<(f64, f64, f64)>>,
    socket: Option<At<Option<[f64; 4]>>>,
    non2xx: Option<At<Option<f64>>>,
    rps: Option<At<Option<f64>>>,
    transfer: Option<At<Option<f64>>>,
}

impl Block {
    /// How the run starts, quoted for messages.
    fn start_quote(&self) -> String {
        match &self.running {
            Some((d, u)) => text::quote(&format!("Running {d} test @ {u}")),
            None => "results without a 'Running' line".to_string(),
        }
    }

    /// Takes in one result line that belongs to this run.
    fn take(&mut self, no: usize, item: Item<'_>) {
        self.last = no;
        self.last_kind = Some(item.kind());
        match item {
            Item::Running { duration, url } => self.running = Some((duration.to_string(), url.to_string())),
            Item::Setup { threads, connections } => {
                self.setup = Some((threads.to_string(), connections.to_string()))
            }
            Item::StatsHeader => {}
            Item::LatencyRow(v) => self.latency = Some(v),
            Item::ReqSecRow(v) => self.req_sec = Some(v),
            Item::Distribution => self.wrk2.end_hdr(),
            Item::Percentile { pct, ms } => {
                let slot = PCT.iter().position(|&p| p == pct);
                if let Some(i) = slot {
                    self.pct[i].get_or_insert(ms);
                }
            }
            Item::Requests { count, duration_s, bytes } => {
                self.requests = Some((no, (count, duration_s, bytes)))
            }
            Item::SocketErrors(v) => self.socket = Some((no, v)),
            Item::Non2xx(v) => self.non2xx = Some((no, v)),
            Item::RequestsPerSec(v) => self.rps = Some((no, v)),
            Item::TransferPerSec(v) => self.transfer = Some((no, v)),
        }
    }

    /// Turns the block into a run, adding its warnings.
    fn to_run(&self, warnings: &mut Vec<Diagnostic>) -> Run {
        let tool = if self.wrk2.is_wrk2(self.command.as_deref()) { wrk2::TOOL } else { TOOL };
        let mut run = Run::new(tool, tool, self.first);
        run.subsystem = Subsystem::Network;
        run.last_line = self.last;
        run.tool_version = self.version.clone();
        self.params(&mut run, warnings);
        let start = self.start_quote();
        let Some((rps_line, rps)) = self.rps else {
            let message = format!(
                "{start} at line {} ends at line {} before its 'Requests/sec:' line: kept \
                 without metrics",
                self.first, self.last
            );
            run.issues.push(LogIssue { line: self.last, kind: "truncated".into(), message: message.clone() });
            warnings.push(Diagnostic::new(self.last, message));
            return run;
        };

        match rps {
            Some(v) => run.push("requests_per_sec", "requests/s", Better::Higher, v),
            None => warnings.push(Diagnostic::new(rps_line, "could not read the 'Requests/sec:' value")),
        }
        match self.transfer {
            Some((_, Some(v))) => run.push("transfer_bytes_per_sec", "B/s", Better::Higher, v),
            Some((line, None)) => warnings.push(Diagnostic::new(
                line,
                "could not read the 'Transfer/sec:' value (expected a size such as 114.52KB)",
            )),
            None => {
                let message = format!(
                    "{start} at line {} ends at line {} before its 'Transfer/sec:' line",
                    self.first, self.last
                );
                run.issues.push(LogIssue {
                    line: self.last,
                    kind: "truncated".into(),
                    message: message.clone(),
                });
                warnings.push(Diagnostic::new(self.last, message));
            }
        }
        // A run that completed no request measured no latency: wrk prints 0.00us (and `-nan%`)
        // for its empty statistics, which are not values.
        match self.requests.filter(|(_, (count, _, _))| *count == 0.0) {
            Some((line, (_, duration_s, _))) => {
                let message = format!(
                    "{start} at line {} completed no request in {} s: the latencies wrk prints \
                     for it (0.00us) are no measurement and are left out",
                    self.first, duration_s
                );
                run.issues.push(LogIssue { line, kind: "failed".into(), message: message.clone() });
                warnings.push(Diagnostic::new(line, message));
            }
            None => self.latencies(&mut run),
        }
        if let Some([avg, _, _]) = self.req_sec {
            run.push("req_per_sec_thread_avg", "requests/s", Better::Higher, avg);
        }
        if let Some((_, (count, duration_s, bytes))) = self.requests {
            run.push("requests", "count", Better::None, count);
            run.push("duration_s", "s", Better::None, duration_s);
            run.push("read_bytes", "B", Better::None, bytes);
        }
        self.errors(&mut run, warnings);
        run.declare_primary(PRIMARY);
        run
    }

    /// The run's params and facts from its `Running` and setup lines (and the command line
    /// shown before them).
    fn params(&self, run: &mut Run, warnings: &mut Vec<Diagnostic>) {
        let Some((duration, url)) = &self.running else {
            warnings.push(Diagnostic::new(
                self.first,
                "wrk results without a 'Running <duration> test @ <url>' line before them: \
                 threads, connections, duration and path are unknown",
            ));
            return;
        };
        run.params.insert("duration".into(), duration.clone());
        run.params.insert("path".into(), url_path(url));
        run.facts.insert(fact::TARGET.into(), url.clone());
        if let Some(cmd) = &self.command {
            run.facts.insert("command".into(), cmd.clone());
            self.wrk2.params(cmd, &mut run.params);
        }
        match &self.setup {
            Some((threads, connections)) => {
                run.params.insert("threads".into(), threads.clone());
                run.params.insert("connections".into(), connections.clone());
            }
            None => warnings.push(Diagnostic::new(
                self.first,
                format!(
                    "{} is not followed by 'N threads and M connections': threads and \
                     connections are unknown",
                    self.start_quote()
                ),
            )),
        }
    }

    /// The latency metrics of a run that completed requests: the table's, then wrk's
    /// percentiles, then wrk2's.
    fn latencies(&self, run: &mut Run) {
        if let Some([avg, stdev, max]) = self.latency {
            run.push("latency_avg_ms", "ms", Better::Lower, avg);
            run.push("latency_stdev_ms", "ms", Better::Lower, stdev);
            run.push("latency_max_ms", "ms", Better::Lower, max);
        }
        let names = ["latency_p50_ms", "latency_p75_ms", "latency_p90_ms", "latency_p99_ms"];
        for ((name, v), p) in names.iter().zip(self.pct).zip(PCT) {
            if let Some(v) = v {
                run.push_percentile(*name, "ms", Better::Lower, v, Percentile::new("latency", p));
            }
        }
        self.wrk2.push_percentiles(run);
    }

    /// The socket-error and non-2xx counts, with an issue when they are not zero.
    fn errors(&self, run: &mut Run, warnings: &mut Vec<Diagnostic>) {
        // wrk prints these two lines only when their counts are not zero, between the requests
        // line and 'Requests/sec:': absent from a run that shows that part, they are zero.
        let shown = self.running.is_some() || self.requests.is_some();
        let socket = match self.socket {
            None if shown => Some([0.0; 4]),
            None => None,
            Some((_, Some(v))) => Some(v),
            Some((line, None)) => {
                warnings.push(Diagnostic::new(
                    line,
                    "could not read 'Socket errors:' (expected 'connect N, read N, write N, timeout N')",
                ));
                None
            }
        };
        if let Some(v) = socket {
            let total: f64 = v.iter().sum();
            run.push("socket_errors", "count", Better::Lower, total);
            for (name, x) in ["connect", "read", "write", "timeout"].iter().zip(v) {
                run.push(format!("socket_errors_{name}"), "count", Better::Lower, x);
            }
            if let (Some((line, _)), true) = (self.socket, total > 0.0) {
                run.issues.push(LogIssue {
                    line,
                    kind: "socket_errors".into(),
                    message: format!(
                        "socket errors: connect {}, read {}, write {}, timeout {}",
                        v[0], v[1], v[2], v[3]
                    ),
                });
            }
        }
        match self.non2xx {
            None if shown => run.push("non_2xx_responses", "count", Better::Lower, 0.0),
            None => {}
            Some((line, Some(v))) => {
                run.push("non_2xx_responses", "count", Better::Lower, v);
                if v > 0.0 {
                    run.issues.push(LogIssue {
                        line,
                        kind: "non_2xx".into(),
                        message: format!("{v} responses had a status of 400 or more"),
                    });
                }
            }
            Some((line, None)) => {
                warnings.push(Diagnostic::new(line, "could not read the 'Non-2xx or 3xx responses:' count"))
            }
        }
    }
}

/// Splits lines into runs ([`Block`]s) as they come.
#[derive(Debug, Default)]
struct Scanner {
    done: Vec<Block>,
    open: Option<Block>,
    /// The latest wrk command seen on a line that is not a result line.
    command: Option<String>,
    /// The latest `wrk -v` version seen.
    version: Option<String>,
}

impl Scanner {
    fn line(&mut self, no: usize, raw: &str) {
        let t = raw.trim();
        if let Some(v) = version_in(t) {
            self.version = Some(v.to_string());
            return;
        }
        if wrk2::is_marker(t) {
            if let Some(b) = self.open.as_mut() {
                b.wrk2.marker(no, t);
                b.last = no;
            }
            return;
        }
        let Some(item) = classify(t) else {
            if let Some(cmd) = command_in(t) {
                self.command = Some(cmd.to_string());
            }
            return;
        };
        let kind = item.kind();
        if kind == Kind::Running {
            self.close();
            let mut b = self.new_block(no);
            if let Item::Running { url, .. } = &item {
                b.command = self.command.take().filter(|c| c.contains(url));
            }
            b.take(no, item);
            self.open = Some(b);
            return;
        }
        let open_last = self.open.as_ref().and_then(|b| b.last_kind);
        let fits = match (open_last, kind) {
            (None, _) => false,
            (Some(last), Kind::Setup) => last == Kind::Running,
            (Some(_), Kind::Percentile) => {
                if let Some(b) = self.open.as_mut().filter(|b| b.wrk2.in_hdr()) {
                    // A wrk2 HdrHistogram row: not wrk's four percentiles.
                    b.last = no;
                    if let Item::Percentile { pct, ms } = item {
                        b.wrk2.percentile(pct, ms);
                    }
                    return;
                }
                matches!(open_last, Some(Kind::Distribution | Kind::Percentile))
            }
            (Some(last), _) => continues(last, kind),
        };
        if fits {
            if let Some(b) = self.open.as_mut() {
                b.take(no, item);
            }
        } else if starts_headless(&item) {
            self.close();
            let mut b = self.new_block(no);
            b.take(no, item);
            self.open = Some(b);
        } else {
            // A stray result line (a percentile row outside a distribution block, a second
            // 'Transfer/sec:'): nothing to add it to.
            return;
        }
        if kind == Kind::TransferPerSec {
            self.close();
        }
    }

    fn new_block(&self, no: usize) -> Block {
        Block { first: no, last: no, version: self.version.clone(), ..Block::default() }
    }

    fn close(&mut self) {
        if let Some(b) = self.open.take() {
            self.done.push(b);
        }
    }

    fn finish(mut self) -> Vec<Block> {
        self.close();
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::text::edits::{cut, edit_lines};
    use proptest::prelude::*;

    fn parse(text: &str) -> Result<ParseOutput, ParseError> {
        WrkParser.parse(text, &ParseOptions::default())
    }

    const PLAIN: &str = include_str!("../../tests/fixtures/wrk/plain.txt");
    const LATENCY: &str = include_str!("../../tests/fixtures/wrk/latency.txt");
    const MULTI: &str = include_str!("../../tests/fixtures/wrk/multi.txt");
    const NON2XX: &str = include_str!("../../tests/fixtures/wrk/non2xx.txt");
    const SOCKET: &str = include_str!("../../tests/fixtures/wrk/socket-errors.txt");
    const NO_RESPONSE: &str = include_str!("../../tests/fixtures/wrk/no-response.txt");
    const WRK2: &str = include_str!("../../tests/fixtures/wrk2/latency.txt");
    const WRK2_PLAIN: &str = include_str!("../../tests/fixtures/wrk2/plain.txt");
    const WRK2_UNCORRECTED: &str = include_str!("../../tests/fixtures/wrk2/uncorrected.txt");
    const WRK2_CALIBRATED: &str = include_str!("../../tests/fixtures/wrk2/calibrated.txt");

    #[test]
    fn running_line() {
        assert_eq!(
            parse_running("Running 30s test @ http://localhost:8080/index.html"),
            Some(("30s", "http://localhost:8080/index.html"))
        );
        assert_eq!(parse_running("Running 1m test @ http://h/"), Some(("1m", "http://h/")));
        assert_eq!(parse_running("Running the test with following options:"), None);
        assert_eq!(parse_running("Running 30s test @"), None);
        assert_eq!(parse_running("Running 30s benchmark @ http://h/"), None);
    }

    #[test]
    fn paths_keep_the_query_and_lose_the_host() {
        assert_eq!(url_path("http://127.0.0.1:8000/fetch?limit=10&offset=0"), "/fetch?limit=10&offset=0");
        assert_eq!(url_path("http://10.254.0.113/"), "/");
        assert_eq!(url_path("https://example.com"), "/");
        assert_eq!(url_path("http://example.com?x=1"), "/?x=1");
        assert_eq!(url_path("localhost:8080/a/b"), "/a/b");
        assert_eq!(url_path("http://é.example/ü"), "/ü");
    }

    #[test]
    fn commands_are_found_after_prompts() {
        assert_eq!(
            command_in("user@DESKTOP:/mnt/c$ wrk -t12 -c400 -d30s http://localhost:8080/"),
            Some("wrk -t12 -c400 -d30s http://localhost:8080/")
        );
        assert_eq!(command_in("➜  benchmark git:(master) ✗ wrk -t2 http://h/"), Some("wrk -t2 http://h/"));
        assert_eq!(command_in("$ /usr/bin/wrk -c1 http://h/  "), Some("/usr/bin/wrk -c1 http://h/"));
        assert_eq!(command_in("wrk"), None);
        assert_eq!(command_in("the wrkload"), None);
        assert_eq!(
            command_in("$ wrk2 -c 128 -t 8 -R 50000 http://h/"),
            Some("wrk2 -c 128 -t 8 -R 50000 http://h/")
        );
        // A script's echo of its arguments, as a harness that prints them before running wrk2.
        assert_eq!(
            command_in("-t1 -c64 -d60s -R2000 -s ./wrk/get.lua --latency http://localhost:8081"),
            Some("-t1 -c64 -d60s -R2000 -s ./wrk/get.lua --latency http://localhost:8081")
        );
        assert_eq!(command_in("----------------------------------------------------------"), None);
    }

    #[test]
    fn version_line() {
        assert_eq!(
            version_in("wrk debian/4.1.0-3+b2 [epoll] Copyright (C) 2012 Will Glozer"),
            Some("debian/4.1.0-3+b2")
        );
        assert_eq!(version_in("wrk 4.2.0 [epoll] Copyright (C) 2012 Will Glozer"), Some("4.2.0"));
        assert_eq!(version_in("wrk 4.2.0"), None);
    }

    #[test]
    fn socket_errors_line() {
        assert_eq!(
            parse_socket_errors(" connect 0, read 88124, write 0, timeout 80"),
            Some([0.0, 88124.0, 0.0, 80.0])
        );
        assert_eq!(parse_socket_errors(" connect 0, read 1"), None);
        assert_eq!(parse_socket_errors(" connect 0, read x, write 0, timeout 0"), None);
    }

    #[test]
    fn lines_are_classified_by_shape() {
        assert_eq!(
            classify("Latency     1.72s   261.80ms   1.99s    91.72%"),
            Some(Item::LatencyRow([1720.0, 261.8, 1990.0]))
        );
        assert_eq!(
            classify("Req/Sec     1.99      0.53     4.00     72.36%"),
            Some(Item::ReqSecRow([1.99, 0.53, 4.0]))
        );
        assert_eq!(classify("50%    1.79s"), Some(Item::Percentile { pct: 50.0, ms: 1790.0 }));
        assert_eq!(classify("Latency Distribution"), Some(Item::Distribution));
        assert_eq!(classify("Latency: high"), None);
        assert_eq!(classify("50% done"), None);
        assert_eq!(
            classify("88124 requests in 30.06s, 3.36MB read"),
            Some(Item::Requests { count: 88124.0, duration_s: 30.06, bytes: 3.36 * 1024.0 * 1024.0 })
        );
        assert_eq!(classify("Requests/sec: oops"), Some(Item::RequestsPerSec(None)));
        assert_eq!(classify("1628.02 Requests/sec executed"), None);
    }

    #[test]
    fn sniff_needs_a_running_line_or_both_rates() {
        assert!(WrkParser.sniff(PLAIN));
        assert!(WrkParser.sniff("Requests/sec:   1.0\r\nTransfer/sec: 2KB\r\n"));
        assert!(!WrkParser.sniff("Requests/sec:   1.0\n"));
        assert!(!WrkParser.sniff("Running the test with following options:\nNumber of threads: 1\n"));
        assert!(!WrkParser.sniff(" 1628.02 Requests/sec executed\nTransfer/sec: x\n"));
    }

    #[test]
    fn fixtures_parse() {
        let out = parse(PLAIN).unwrap();
        assert_eq!(out.runs.len(), 1);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let out = parse(MULTI).unwrap();
        assert_eq!(out.runs.len(), 3);
        assert_eq!(out.runs[0].tool_version.as_deref(), Some("debian/4.1.0-3+b2"));
        assert!(out.runs[0].metric("latency_p99_ms").is_some());
        assert!(out.runs[2].metric("latency_p99_ms").is_none());
        assert!(parse(LATENCY).unwrap().runs[0].metric("latency_p50_ms").is_some());
        assert!(parse(NON2XX).unwrap().runs[0].issues.iter().any(|i| i.kind == "non_2xx"));
        assert!(parse(SOCKET).unwrap().runs[0].issues.iter().any(|i| i.kind == "socket_errors"));
    }

    #[test]
    fn results_without_running_line_form_runs_without_params() {
        // The last six lines of the real plain fixture, as `tail -n 6` would give them.
        let lines: Vec<&str> = PLAIN.lines().collect();
        let tail = lines[lines.len() - 6..].join("\n");
        let out = parse(&tail).unwrap();
        assert_eq!(out.runs.len(), 1);
        assert!(out.runs[0].params.is_empty());
        assert!(out.runs[0].metric("requests_per_sec").is_some());
        assert_eq!(out.warnings.len(), 1);
        // Two such tails back to back are two runs.
        let out = parse(&format!("{tail}\n{tail}\n")).unwrap();
        assert_eq!(out.runs.len(), 2);
        // Only the two rate lines (as `grep /sec:` gives them): the error counts are not
        // known, so they are not claimed to be zero.
        let rates = lines[lines.len() - 2..].join("\n");
        let run = &parse(&rates).unwrap().runs[0];
        assert!(run.metric("transfer_bytes_per_sec").is_some());
        assert_eq!(run.metric("socket_errors"), None);
        assert_eq!(run.metric("non_2xx_responses"), None);
    }

    #[test]
    fn notes_that_look_like_labels_are_not_runs() {
        let text = format!("{PLAIN}Requests/sec: about 4000 on the other box\n{PLAIN}");
        let out = parse(&text).unwrap();
        assert_eq!(out.runs.len(), 2);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    }

    #[test]
    fn nothing_usable_is_refused() {
        let e = parse("hello\nworld\n").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.message.contains("no wrk run found"), "{}", e.message);
        let cut: String = PLAIN.lines().take(5).collect::<Vec<_>>().join("\n");
        let e = parse(&cut).unwrap_err();
        assert_eq!(e.line, 5);
        assert!(e.message.contains("no 'Requests/sec:' line after 'Running 1s test @"), "{}", e.message);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        #[test]
        fn never_panics_on_random_text(s in "\\PC*") {
            let _ = parse(&s);
            let _ = WrkParser.sniff(&s);
        }

        #[test]
        fn never_panics_on_random_wrk_lines(
            lines in proptest::collection::vec(
                prop_oneof![
                    Just("Running 30s test @ http://h/".to_string()),
                    Just("  2 threads and 10 connections".to_string()),
                    Just("  Latency Distribution".to_string()),
                    Just("  Latency Distribution (HdrHistogram - Recorded Latency)".to_string()),
                    Just("  Latency Distribution (HdrHistogram - Uncorrected Latency (measured without taking delayed starts into account))".to_string()),
                    Just("  Thread calibration: mean lat.: 1.464ms, rate sampling interval: 10ms".to_string()),
                    Just("-t1 -c64 -d60s -R2000 --latency http://h/".to_string()),
                    "[0-9]{1,3}\\.[0-9]{3}% +[-0-9.na]{1,8}(us|ms|s)",
                    "[ 0-9.%a-zA-Z/:,]{0,40}",
                    "[0-9]{1,3}(\\.[0-9]{1,3})?% +[0-9.]{1,8}(us|ms|s|m|h)",
                    "Requests/sec: +[-0-9.eE+a-z]{0,12}",
                    "Transfer/sec: +[-0-9.eE+]{0,12}(B|KB|MB|GB|TB|PB|x)?",
                    "Socket errors: connect [0-9-]{1,3}, read [0-9]{1,3}, write [0-9]{1,3}, timeout [0-9]{0,3}",
                    "Latency +[0-9.]{1,9}(us|ms|s) +[0-9.]{1,9}(us|ms|s) +[0-9.e]{1,9}(us|ms|s) +[0-9.]{1,5}%",
                ],
                0..40,
            )
        ) {
            let text = lines.join("\n");
            let _ = parse(&text);
        }

        #[test]
        fn never_panics_on_cut_and_shuffled_real_text(
            which in 0usize..10,
            at in 0usize..2000,
            ops in proptest::collection::vec((0u8..3, 0usize..64, 0usize..64), 0..8),
        ) {
            let real = [
                PLAIN, LATENCY, MULTI, NON2XX, SOCKET, NO_RESPONSE, WRK2, WRK2_PLAIN, WRK2_UNCORRECTED,
                WRK2_CALIBRATED,
            ][which];
            let text = edit_lines(cut(real, at), &ops);
            if let Ok(out) = parse(&text) {
                for run in &out.runs {
                    prop_assert!(run.first_line <= run.last_line);
                    prop_assert!(run.metrics.iter().all(|m| m.value.is_finite()));
                }
            }
        }
    }
}
