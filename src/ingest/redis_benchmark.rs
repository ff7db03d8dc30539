//! redis-benchmark output, in its three forms: `-q` (one line per test: requests per second and
//! the median latency), `--csv` (a header, then one row per test with six latency figures) and
//! the default text (per test a `====== SET ======` block: the options it ran with, the latency
//! distribution and a summary). Each test (`SET`, `GET`, `LPUSH`, a command of one's own) is a
//! run of its own, workload `redis-benchmark.<test>`: they are different work. The options that
//! `-q` and `--csv` do not print (none of them) and that the text does not (`-P`) are read from a
//! command line shown before the runs (`$ redis-benchmark -n 2000 -P 16 ...`). Lines are read as
//! a terminal shows them: redis-benchmark rewrites a progress line in place with `\r`, also in a
//! file. Not read: the latency distribution blocks, the progress figures, the server's
//! configuration lines. Checked against Debian's redis-tools 7.0.15. See
//! `docs/metrics.md (redis-benchmark)` for every metric and param.

use super::{text, Diagnostic, ParseOptions, ParseOutput, Parser};
use crate::error::ParseError;
use crate::model::{Better, LogIssue, Metric, Params, Percentile, Run};

/// Reads redis-benchmark output.
pub struct RedisBenchmarkParser;

/// Tool name of every redis-benchmark run.
pub(crate) const TOOL: &str = "redis-benchmark";

/// The candidates for a run's primary metric ([`Run::declare_primary`]).
const PRIMARY: &[&str] = &["requests_per_sec"];

/// The first cells of redis-benchmark's `--csv` header.
const CSV_HEADER: &str = "\"test\",\"rps\"";

/// redis-benchmark's defaults of the options that are params (`redis-benchmark --help` of
/// 7.0): what a command line that does not give them ran with.
const DEFAULTS: &[(&str, &str)] =
    &[("clients", "50"), ("requests", "100000"), ("data-size", "3"), ("keepalive", "1"), ("pipeline", "1")];

/// Options of a command line that are params, with their keys.
const PARAM_OPTIONS: &[(&str, &str)] = &[
    ("-c", "clients"),
    ("-n", "requests"),
    ("-d", "data-size"),
    ("-k", "keepalive"),
    ("-P", "pipeline"),
    ("--threads", "threads"),
    ("-r", "keyspacelen"),
];

/// Options of a command line that take a value but are not params (where the server is, how
/// to print).
const OTHER_VALUE_OPTIONS: &[&str] =
    &["-h", "-p", "-s", "-a", "--user", "--dbnum", "-t", "--precision", "--seed", "-u"];

impl Parser for RedisBenchmarkParser {
    fn name(&self) -> &'static str {
        TOOL
    }

    /// Returns true if and only if a line of `head`, as a terminal shows it ([`shown`]), is a
    /// `-q` result (`SET: 24390.24 requests per second, p50=1.119 msec`), the `--csv` header
    /// (`"test","rps",...`) or a progress line (`SET: rps=0.0 (overall: -nan) avg_msec=-nan ...`),
    /// or when lines are a `====== SET ======` title and `2000 requests completed in 0.20
    /// seconds`.
    fn sniff(&self, head: &str) -> bool {
        let bytes = head.as_bytes();
        let has = |needle: &[u8]| memchr::memmem::find(bytes, needle).is_some();
        let (result, csv, progress, block) = (
            has(b" requests per second"),
            has(CSV_HEADER.as_bytes()),
            has(b"avg_msec="),
            has(b" requests completed in "),
        );
        if !(result || csv || progress || block) {
            return false;
        }
        let mut title = false;
        let mut completed = false;
        for line in head.lines() {
            let t = shown(line).trim();
            if (result && quiet_result(t).is_some())
                || (csv && t.starts_with(CSV_HEADER))
                || (progress && is_progress(t))
            {
                return true;
            }
            title |= block_title(t).is_some();
            completed |= block && completed_line(t).is_some();
            if title && completed {
                return true;
            }
        }
        false
    }

    fn parse(&self, text: &str, _opts: &ParseOptions) -> Result<ParseOutput, ParseError> {
        parse(text)
    }

    fn redeclare(&self, run: &mut Run) {
        declare(run);
    }
}

/// What every redis-benchmark run declares besides its metrics: its requests per second is
/// the measure of its work (the subsystem stays `application`: a server's work).
fn declare(run: &mut Run) {
    run.declare_primary(PRIMARY);
}

/// What a terminal shows of a line: its last part after `\r` that is not blank.
fn shown(line: &str) -> &str {
    line.rsplit('\r').find(|s| !s.trim().is_empty()).unwrap_or("")
}

/// A `-q` result `NAME: 24390.24 requests per second[, p50=1.119 msec]`: (name, requests/s,
/// median latency in ms).
fn quiet_result(t: &str) -> Option<(&str, f64, Option<f64>)> {
    let (name, rest) = t.rsplit_once(": ")?;
    let (rps, rest) = rest.split_once(" requests per second")?;
    let rps = text::num(rps)?;
    let p50 = match rest.trim() {
        "" => None,
        r => Some(text::num(r.strip_prefix(", p50=")?.strip_suffix("msec")?)?),
    };
    let name = name.trim();
    (!name.is_empty() && name != "throughput summary").then_some((name, rps, p50))
}

/// Returns true if and only if `t` is a progress line (`SET: rps=... avg_msec=...`).
fn is_progress(t: &str) -> bool {
    t.contains(": rps=") && t.contains(" avg_msec=")
}

/// The test name of a text block's title `====== SET ======`.
fn block_title(t: &str) -> Option<&str> {
    let name = t.strip_prefix("====== ")?.strip_suffix(" ======")?.trim();
    (!name.is_empty()).then_some(name)
}

/// `2000 requests completed in 0.20 seconds`: (requests, seconds).
fn completed_line(t: &str) -> Option<(f64, f64)> {
    let (n, rest) = t.split_once(" requests completed in ")?;
    let secs = rest.strip_suffix(" seconds")?;
    Some((text::num(n)?, text::num(secs)?))
}

/// The workload word of a test name: before ` (` (`LPUSH (needed to benchmark LRANGE)` is
/// `lpush`), lowercase, runs of other characters than letters and digits as one `_` (`incr
/// counter` is `incr_counter`).
fn workload_word(name: &str) -> String {
    let name = name.split(" (").next().unwrap_or(name).to_lowercase();
    let mut word = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            word.push(c);
        } else if !word.is_empty() && !word.ends_with('_') {
            word.push('_');
        }
    }
    let word = word.trim_end_matches('_');
    if word.is_empty() {
        "unknown".to_string()
    } else {
        word.to_string()
    }
}

/// The metric of a latency column or summary word, without its unit (`avg_latency_ms` and
/// `avg` are `latency_avg_ms`, `p99_latency_ms` and `p99` are `latency_p99_ms` and percentile
/// 99 of `latency`).
fn latency_metric(word: &str, value: f64) -> Option<Metric> {
    let word = word.strip_suffix("_latency_ms").unwrap_or(word);
    match word {
        "avg" | "min" | "max" => Some(Metric::new(format!("latency_{word}_ms"), "ms", Better::Lower, value)),
        p => {
            let pct: f64 = p.strip_prefix('p')?.parse().ok()?;
            (pct > 0.0 && pct < 100.0).then(|| {
                let name = format!("latency_p{}_ms", format!("{pct}").replace('.', "_"));
                Metric::new(name, "ms", Better::Lower, value).with_percentile(Percentile::new("latency", pct))
            })
        }
    }
}

/// The params a command line gives: the options of [`PARAM_OPTIONS`] it has, and
/// redis-benchmark's [`DEFAULTS`] for the others. Reading stops at the first word that is not
/// an option: a command of one's own follows, whose words are not options.
fn command_params(args: &[String]) -> Params {
    let mut params: Params = DEFAULTS.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        if let Some((_, key)) = PARAM_OPTIONS.iter().find(|(o, _)| o == arg) {
            if let Some(v) = args.get(i + 1) {
                params.insert(key.to_string(), v.clone());
            }
            i += 2;
        } else if OTHER_VALUE_OPTIONS.contains(&arg.as_str()) {
            i += 2;
        } else if arg.starts_with('-') {
            i += 1;
        } else {
            break;
        }
    }
    params
}

/// A command line running redis-benchmark (after a shell prompt, or alone): the command from
/// the program on, and its arguments.
fn command_in(t: &str) -> Option<(String, Vec<String>)> {
    let words: Vec<&str> = t.split_whitespace().collect();
    let at = words.iter().position(|w| *w == TOOL || w.ends_with("/redis-benchmark"))?;
    let command = words[at..].join(" ");
    let args = shlex::split(&words[at + 1..].join(" "))
        .unwrap_or_else(|| words[at + 1..].iter().map(|w| w.to_string()).collect());
    Some((command, args))
}

/// A `====== TEST ======` block being read.
#[derive(Debug, Default)]
struct Block {
    name: String,
    first_line: usize,
    last_line: usize,
    params: Params,
    multi_thread: bool,
    completed: Option<(f64, f64)>,
    rps: Option<f64>,
    /// The summary's column words (`avg min p50 p95 p99 max`), once its header is read.
    summary: Option<Vec<String>>,
    /// The `latency summary (msec):` line was read.
    in_summary: bool,
    latencies: Vec<Metric>,
    done: bool,
}

/// Reads every run of a file.
struct Scanner {
    runs: Vec<Run>,
    warnings: Vec<Diagnostic>,
    /// The command line of the runs that follow it, with its params.
    command: Option<(String, Params)>,
    /// The `--csv` header's columns, while its rows follow.
    csv: Option<Vec<String>>,
    block: Option<Block>,
    /// The last progress line: (line, text), for the message about a file without a result.
    progress: Option<(usize, String)>,
    last_line: usize,
}

impl Scanner {
    fn new() -> Scanner {
        Scanner {
            runs: Vec::new(),
            warnings: Vec::new(),
            command: None,
            csv: None,
            block: None,
            progress: None,
            last_line: 1,
        }
    }

    fn line(&mut self, no: usize, raw: &str) {
        self.last_line = no;
        let t = shown(raw).trim();
        if t.is_empty() {
            return;
        }
        if self.csv.is_some() && !t.starts_with('"') {
            self.csv = None;
        }
        if t.starts_with(CSV_HEADER) {
            self.close_block();
            self.csv = Some(csv_cells(t).unwrap_or_default());
            return;
        }
        if let Some(columns) = &self.csv {
            if let Some(cells) = csv_cells(t) {
                let run = self.csv_run(no, columns, &cells);
                self.runs.push(run);
            }
            return;
        }
        if let Some(name) = block_title(t) {
            self.close_block();
            self.block =
                Some(Block { name: name.to_string(), first_line: no, last_line: no, ..Block::default() });
            return;
        }
        if self.block.as_ref().is_some_and(|b| !b.done) {
            self.block_line(no, t);
            return;
        }
        if let Some((name, rps, p50)) = quiet_result(t) {
            self.close_block();
            let mut run = self.new_run(name, no);
            run.push("requests_per_sec", "requests/s", Better::Higher, rps);
            if let Some(p50) = p50.and_then(|v| latency_metric("p50", v)) {
                run.push_metric(p50);
            }
            self.runs.push(run);
            return;
        }
        if is_progress(t) {
            self.progress = Some((no, t.to_string()));
            return;
        }
        if let Some((command, args)) = command_in(t) {
            self.close_block();
            self.command = Some((command, command_params(&args)));
        }
    }

    /// A line inside a text block.
    fn block_line(&mut self, no: usize, t: &str) {
        let Some(b) = self.block.as_mut() else { return };
        if let Some(c) = completed_line(t) {
            b.completed = Some(c);
            if let Some((n, _)) = t.split_once(' ') {
                b.params.insert("requests".into(), n.to_string());
            }
        } else if let Some(n) = t.strip_suffix(" parallel clients") {
            b.params.insert("clients".into(), n.trim().to_string());
        } else if let Some(n) = t.strip_suffix(" bytes payload") {
            b.params.insert("data-size".into(), n.trim().to_string());
        } else if let Some(v) = t.strip_prefix("keep alive:") {
            b.params.insert("keepalive".into(), v.trim().to_string());
        } else if let Some(v) = t.strip_prefix("multi-thread:") {
            b.multi_thread = v.trim() == "yes";
        } else if let Some(v) = t.strip_prefix("threads:").filter(|_| b.multi_thread) {
            b.params.insert("threads".into(), v.trim().to_string());
        } else if let Some(rest) = t.strip_prefix("throughput summary:") {
            b.rps = rest.trim().strip_suffix("requests per second").and_then(text::num);
        } else if t.starts_with("latency summary") {
            b.in_summary = true;
        } else if b.in_summary && b.summary.is_none() {
            b.summary = Some(t.split_whitespace().map(str::to_string).collect());
        } else if let (true, Some(cols)) = (b.in_summary, &b.summary) {
            for (word, v) in cols.iter().zip(t.split_whitespace()) {
                if let Some(m) = text::num(v).and_then(|v| latency_metric(word, v)) {
                    b.latencies.push(m);
                }
            }
            b.last_line = no;
            b.done = true;
            self.close_block();
            return;
        }
        // (Other lines, the latency distributions, are the block's too.)
        b.last_line = no;
    }

    /// Makes the run of the block being read, if any.
    fn close_block(&mut self) {
        let Some(b) = self.block.take() else { return };
        let mut run = self.new_run(&b.name, b.first_line);
        run.last_line = b.last_line;
        run.params.extend(b.params);
        if let Some(rps) = b.rps {
            run.push("requests_per_sec", "requests/s", Better::Higher, rps);
        }
        for m in b.latencies {
            run.push_metric(m);
        }
        if let Some((requests, secs)) = b.completed {
            run.push("requests", "count", Better::None, requests);
            run.push("duration_s", "s", Better::None, secs);
        }
        if !b.done {
            let message = format!(
                "the test '{}' (line {}) ends before its summary (`throughput summary:` and \
                 `latency summary`): the output is cut short",
                b.name, b.first_line
            );
            self.warnings.push(Diagnostic::new(b.last_line, message.clone()));
            run.issues.push(LogIssue { line: b.last_line, kind: "truncated".into(), message });
        }
        self.runs.push(run);
    }

    /// A run of test `name` at line `no`, with the params and command of the command line
    /// before it.
    fn new_run(&self, name: &str, no: usize) -> Run {
        let mut run = Run::new(TOOL, format!("{TOOL}.{}", workload_word(name)), no);
        run.facts.insert("test".into(), name.to_string());
        if let Some((command, params)) = &self.command {
            run.facts.insert("command".into(), command.clone());
            run.params = params.clone();
        }
        run
    }

    /// The run of a `--csv` row under `columns`.
    fn csv_run(&self, no: usize, columns: &[String], cells: &[String]) -> Run {
        let name = cells.first().map_or("", String::as_str);
        let mut run = self.new_run(name, no);
        for (col, cell) in columns.iter().zip(cells).skip(1) {
            let Some(v) = text::num(cell) else { continue };
            if col == "rps" {
                run.push("requests_per_sec", "requests/s", Better::Higher, v);
            } else if let Some(m) = latency_metric(col, v) {
                run.push_metric(m);
            }
        }
        run
    }

    fn finish(mut self) -> Result<ParseOutput, ParseError> {
        self.close_block();
        for run in &mut self.runs {
            declare(run);
        }
        let bare: Vec<&Run> = self.runs.iter().filter(|r| r.params.is_empty()).collect();
        if let Some(first) = bare.first() {
            let runs = if bare.len() == 1 {
                format!("1 redis-benchmark run (at line {}) shows none of its options", first.first_line)
            } else {
                format!(
                    "{} redis-benchmark runs (the first at line {}) show none of their options",
                    bare.len(),
                    first.first_line
                )
            };
            self.warnings.push(Diagnostic::new(
                first.first_line,
                format!(
                    "{runs} (-q and --csv print none, and no command line 'redis-benchmark ...' \
                     comes before them): runs with different -c, -n, -d or -P cannot be told \
                     apart and are grouped together"
                ),
            ));
        }
        // (A block cut before its summary has at most the `requests` and `duration_s` it
        // printed first: no result.)
        if self.runs.iter().any(|r| r.primary.is_some()) {
            return Ok(ParseOutput { runs: self.runs, warnings: self.warnings });
        }
        let expected = "expected a line '<test>: <N> requests per second', a --csv row under \
                        '\"test\",\"rps\",...' or a '====== <test> ======' block with its summary";
        Err(match (&self.progress, self.runs.first()) {
            (_, Some(run)) => ParseError::new(
                run.last_line,
                format!("no result: the test at line {} ends before its summary; {expected}", run.first_line),
            ),
            (Some((_, line)), None) => ParseError::new(
                self.last_line,
                format!(
                    "no result: the file has only redis-benchmark's progress ({}), as when it \
                     is stopped before its first test ends; {expected}",
                    text::quote(line)
                ),
            ),
            (None, None) => ParseError::new(1, format!("no redis-benchmark result found: {expected}")),
        })
    }
}

/// The cells of a `--csv` line, or `None` when it is not one CSV record.
fn csv_cells(t: &str) -> Option<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(t.as_bytes());
    let record = reader.records().next()?.ok()?;
    Some(record.iter().map(str::to_string).collect())
}

/// Reads the runs of a file.
fn parse(text: &str) -> Result<ParseOutput, ParseError> {
    let mut scan = Scanner::new();
    for (no, line) in text::numbered_lines(text) {
        scan.line(no, line);
    }
    scan.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::text::edits::{cut, edit_lines};
    use proptest::prelude::*;

    const QUIET: &str = include_str!("../../tests/fixtures/redis-benchmark/quiet.txt");
    const TEXT: &str = include_str!("../../tests/fixtures/redis-benchmark/text.txt");
    const CSV: &str = include_str!("../../tests/fixtures/redis-benchmark/csv.csv");
    const THREADS: &str = include_str!("../../tests/fixtures/redis-benchmark/text-threads-prompt.txt");
    const PIPELINE: &str = include_str!("../../tests/fixtures/redis-benchmark/quiet-pipeline-prompt.txt");

    #[test]
    fn sniff() {
        for real in [QUIET, TEXT, CSV, THREADS, PIPELINE] {
            assert!(RedisBenchmarkParser.sniff(real));
        }
        assert!(RedisBenchmarkParser.sniff(" \rSET: rps=0.0 (overall: -nan) avg_msec=-nan (overall: -nan)"));
        assert!(!RedisBenchmarkParser.sniff("Requests per second:    1234.56 [#/sec] (mean)\n"));
        assert!(!RedisBenchmarkParser.sniff("Requests/sec:   2931.77\nTransfer/sec: 1KB\n"));
        assert!(!RedisBenchmarkParser.sniff("====== SET ======\n"));
        assert!(!RedisBenchmarkParser.sniff("throughput summary: 1.0 requests per second\n"));
    }

    #[test]
    fn shown_parts_of_lines() {
        assert_eq!(
            shown(" \rSET: rps=0.0 (overall: -nan)\r      \rSET: 1.0 requests per second"),
            "SET: 1.0 requests per second"
        );
        assert_eq!(shown("plain"), "plain");
        assert_eq!(shown("a\r  "), "a");
        assert_eq!(shown("\r"), "");
    }

    #[test]
    fn quiet_results() {
        assert_eq!(
            quiet_result("SET: 24390.24 requests per second, p50=1.119 msec"),
            Some(("SET", 24390.24, Some(1.119)))
        );
        assert_eq!(
            quiet_result("MSET (10 keys): 2777.78 requests per second"),
            Some(("MSET (10 keys)", 2777.78, None))
        );
        assert_eq!(quiet_result("throughput summary: 1.00 requests per second"), None);
        assert_eq!(quiet_result("SET: fast requests per second"), None);
        assert_eq!(quiet_result("SET: 1.0 requests per second, p50=x msec"), None);
    }

    #[test]
    fn workload_words() {
        assert_eq!(workload_word("SET"), "set");
        assert_eq!(workload_word("LPUSH (needed to benchmark LRANGE)"), "lpush");
        assert_eq!(workload_word("LRANGE_100 (first 100 elements)"), "lrange_100");
        assert_eq!(workload_word("MSET (10 keys)"), "mset");
        assert_eq!(workload_word("incr counter"), "incr_counter");
        assert_eq!(
            workload_word("script load redis.call('set','foo','bar')"),
            "script_load_redis_call_set_foo_bar"
        );
        assert_eq!(workload_word("!!"), "unknown");
    }

    #[test]
    fn latency_words() {
        let m = latency_metric("p99_latency_ms", 2.0).expect("p99");
        assert_eq!(
            (m.name.as_ref(), m.percentile),
            ("latency_p99_ms", Some(Box::new(Percentile::new("latency", 99.0))))
        );
        assert_eq!(latency_metric("p99.9", 1.0).map(|m| m.name), Some("latency_p99_9_ms".into()));
        assert_eq!(latency_metric("avg", 1.0).map(|m| m.name), Some("latency_avg_ms".into()));
        assert_eq!(latency_metric("rps", 1.0), None);
        assert_eq!(latency_metric("p100", 1.0), None);
    }

    #[test]
    fn command_lines() {
        let (cmd, args) =
            command_in("$ redis-benchmark -h 127.0.0.1 -p 45313 -n 2000 -q -t set -P 16").expect("command");
        assert_eq!(cmd, "redis-benchmark -h 127.0.0.1 -p 45313 -n 2000 -q -t set -P 16");
        let p = command_params(&args);
        assert_eq!(
            crate::model::params_string(&p),
            "clients=50;data-size=3;keepalive=1;pipeline=16;requests=2000"
        );
        // A command of one's own: its words are not options.
        let (_, args) = command_in("/usr/bin/redis-benchmark -q -c 8 lpush -n x").expect("command");
        assert_eq!(command_params(&args).get("clients").map(String::as_str), Some("8"));
        assert_eq!(command_params(&args).get("requests").map(String::as_str), Some("100000"));
        assert_eq!(command_in("redis-benchmarks are fun"), None);
    }

    /// A text cut in its second test: the first is whole, the second kept with a `truncated`
    /// issue; cut in its first test, the file is refused at that test.
    #[test]
    fn a_cut_text_block_is_truncated() {
        let lines: Vec<&str> = TEXT.split('\n').collect();
        let out = parse(&lines[..70].join("\n")).expect("parse");
        assert_eq!(out.runs.len(), 2);
        assert_eq!(out.runs[0].metric("latency_max_ms"), Some(15.511));
        let second = &out.runs[1];
        assert_eq!((second.first_line, second.last_line), (59, 70));
        assert_eq!(second.issues.len(), 1);
        assert_eq!(second.issues[0].kind, "truncated");
        assert_eq!(second.metric("requests"), Some(2000.0));
        assert_eq!(second.params.get("clients").map(String::as_str), Some("50"));
        assert_eq!(out.warnings.len(), 1);
        let err = parse(&lines[..20].join("\n")).expect_err("refused");
        assert_eq!(err.line, 20);
        assert!(
            err.message.starts_with("no result: the test at line 1 ends before its summary"),
            "{}",
            err.message
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn never_panics_on_random_text(s in "\\PC*") {
            let _ = parse(&s);
            let _ = RedisBenchmarkParser.sniff(&s);
        }

        #[test]
        fn never_panics_on_cut_and_shuffled_real_text(
            which in 0usize..5,
            at in 0usize..9000,
            ops in proptest::collection::vec((0u8..3, 0usize..200, 0usize..200), 0..8),
        ) {
            let real = [QUIET, TEXT, CSV, THREADS, PIPELINE][which];
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
