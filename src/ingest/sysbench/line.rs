//! One sysbench output line at a time: what it is and the values it carries. Pure functions
//! over one trimmed line (plus the section the line sits in, for the few keys such as `min:`
//! that mean something only inside a block); the run splitting and the metric names live in
//! the parent module.
//!
//! The spellings recognised come from real outputs of sysbench 0.4.12, 0.5 and 1.0.17–1.0.20
//! (see `docs/metrics.md (sysbench)`). Nothing here panics: every slice is taken at an ASCII
//! pattern found by `find`/`strip_prefix`, and numbers go through [`text::num`].

use crate::ingest::text;

/// The sysbench test a run exercised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Test {
    Cpu,
    Memory,
    FileIo,
    Threads,
    Mutex,
    Oltp,
}

impl Test {
    /// The workload name of the tidy table.
    pub(crate) fn workload(self) -> &'static str {
        match self {
            Test::Cpu => "sysbench.cpu",
            Test::Memory => "sysbench.memory",
            Test::FileIo => "sysbench.fileio",
            Test::Threads => "sysbench.threads",
            Test::Mutex => "sysbench.mutex",
            Test::Oltp => "sysbench.oltp",
        }
    }
}

/// The block of the results a line belongs to; a few keys (`min:`, `read:`) are read only
/// inside their block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Section {
    /// Before any block, or in a block whose lines need no context.
    #[default]
    None,
    /// 1.0 `Running memory speed test with the following options:` (indented options follow).
    MemoryOptions,
    /// 1.0 `CPU speed:`.
    CpuSpeed,
    /// `SQL statistics:` (1.0) / `OLTP test statistics:` (0.4, 0.5).
    Sql,
    /// `queries performed:` inside the SQL block.
    Queries,
    /// 1.0 `File operations:`.
    FileOps,
    /// 1.0 fileio `Throughput:`.
    Throughput,
    /// `General statistics:` (0.5, 1.0) / `Test execution summary:` (0.4).
    General,
    /// `Latency (ms):` (1.0) / `per-request statistics:` (0.4) / `response time:` (0.5).
    Latency,
    /// `Threads fairness:`.
    Fairness,
    /// 1.0 `--histogram` chart.
    Histogram,
}

/// A results block header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Header {
    CpuSpeed,
    Sql,
    Queries,
    FileOps,
    Throughput,
    /// 0.5/1.0 `General statistics:`.
    General,
    /// 0.4 `Test execution summary:`.
    Summary04,
    Latency,
    Fairness,
    Histogram,
}

impl Header {
    /// Where the block comes in the results of one run: a header whose rank is not above
    /// the highest rank the run has already seen starts the results of a new run. `None` for
    /// sub-blocks that never start a run.
    pub(crate) fn rank(self) -> Option<u8> {
        match self {
            Header::CpuSpeed | Header::Sql | Header::FileOps => Some(RANK_FIRST),
            Header::Throughput => Some(20),
            Header::General | Header::Summary04 => Some(GENERAL_RANK),
            Header::Latency => Some(40),
            Header::Fairness => Some(50),
            Header::Queries | Header::Histogram => None,
        }
    }

    /// The section the header opens.
    pub(crate) fn section(self) -> Section {
        match self {
            Header::CpuSpeed => Section::CpuSpeed,
            Header::Sql => Section::Sql,
            Header::Queries => Section::Queries,
            Header::FileOps => Section::FileOps,
            Header::Throughput => Section::Throughput,
            Header::General | Header::Summary04 => Section::General,
            Header::Latency => Section::Latency,
            Header::Fairness => Section::Fairness,
            Header::Histogram => Section::Histogram,
        }
    }

    /// The test the header proves, if any.
    pub(crate) fn test(self) -> Option<Test> {
        match self {
            Header::CpuSpeed => Some(Test::Cpu),
            Header::Sql | Header::Queries => Some(Test::Oltp),
            Header::FileOps | Header::Throughput => Some(Test::FileIo),
            _ => None,
        }
    }
}

/// Rank of the first block of a test's results (`CPU speed:`, `Total operations:`, ...).
pub(crate) const RANK_FIRST: u8 = 10;

/// Rank of the general block (`General statistics:`, `Test execution summary:`).
pub(crate) const GENERAL_RANK: u8 = 30;

/// A number (or pair) a results line carries. Times are in the unit the name says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value {
    /// 1.0 cpu `events per second:`.
    EventsPerSec(f64),
    /// `total time:`, seconds.
    TotalTime(f64),
    /// `total number of events:`.
    TotalEvents(f64),
    /// 0.4/0.5 `total time taken by event execution:`, seconds.
    EventTimeSum(f64),
    /// Latency block `min:`, ms.
    Min(f64),
    /// Latency block `avg:`, ms.
    Avg(f64),
    /// Latency block `max:`, ms.
    Max(f64),
    /// 1.0 latency block `sum:`, ms.
    Sum(f64),
    /// `95th percentile:` / `approx.  95 percentile:`: (percentile, ms).
    Percentile(f64, f64),
    /// `queries performed:` `read:`.
    QueriesRead(f64),
    /// `queries performed:` `write:`.
    QueriesWrite(f64),
    /// `queries performed:` `other:`.
    QueriesOther(f64),
    /// `queries performed:` `total:`.
    QueriesTotal(f64),
    /// `transactions: N (X per sec.)`.
    Transactions(f64, Option<f64>),
    /// 1.0 `queries: N (X per sec.)`.
    Queries(f64, Option<f64>),
    /// 1.0 `ignored errors: N (X per sec.)`.
    IgnoredErrors(f64),
    /// 1.0 `reconnects: N (X per sec.)`.
    Reconnects(f64),
    /// 0.4/0.5 `deadlocks: N (X per sec.)`.
    Deadlocks(f64),
    /// Memory operations: 1.0 `Total operations: N (X per second)`, 0.4
    /// `Operations performed: N (X ops/sec)`.
    MemOps(f64, Option<f64>),
    /// Memory `X MiB transferred (Y MiB/sec)` (0.4 prints `MB`, computed with 1024²).
    MemTransferred(f64, Option<f64>),
    /// 0.4 fileio `Operations performed:  R Read, W Write, O Other = T Total`.
    FileOps04 { read: f64, write: f64, other: f64 },
    /// 0.4 fileio `Read 95.109Mb  Written 63.312Mb  Total transferred ...`, MiB.
    FileBytes04 { read_mib: f64, written_mib: f64 },
    /// 0.4 fileio `96.86 Requests/sec executed`.
    RequestsPerSec(f64),
    /// 1.0 `reads/s:`.
    ReadsPerSec(f64),
    /// 1.0 `writes/s:`.
    WritesPerSec(f64),
    /// 1.0 `fsyncs/s:`.
    FsyncsPerSec(f64),
    /// 1.0 `read, MiB/s:`.
    ReadMibPerSec(f64),
    /// 1.0 `written, MiB/s:`.
    WrittenMibPerSec(f64),
    /// `events (avg/stddev):`.
    FairEvents(f64, f64),
    /// `execution time (avg/stddev):`, seconds.
    FairTime(f64, f64),
}

impl Value {
    /// The rank of a value line that opens a test's results by itself (no header before
    /// it), as [`Header::rank`].
    pub(crate) fn rank(self, section: Section) -> Option<u8> {
        match self {
            // Under `CPU speed:` it is that block's value; alone (grep-filtered files, or
            // a header lost) it opens the results.
            Value::EventsPerSec(_) if section != Section::CpuSpeed => Some(RANK_FIRST),
            Value::MemOps(..) | Value::FileOps04 { .. } => Some(RANK_FIRST),
            _ => None,
        }
    }

    /// The test the value proves, if any.
    pub(crate) fn test(self) -> Option<Test> {
        match self {
            Value::EventsPerSec(_) => Some(Test::Cpu),
            Value::MemOps(..) | Value::MemTransferred(..) => Some(Test::Memory),
            Value::FileOps04 { .. }
            | Value::FileBytes04 { .. }
            | Value::RequestsPerSec(_)
            | Value::ReadsPerSec(_)
            | Value::WritesPerSec(_)
            | Value::FsyncsPerSec(_)
            | Value::ReadMibPerSec(_)
            | Value::WrittenMibPerSec(_) => Some(Test::FileIo),
            Value::Transactions(..)
            | Value::Queries(..)
            | Value::IgnoredErrors(_)
            | Value::Reconnects(_)
            | Value::Deadlocks(_) => Some(Test::Oltp),
            _ => None,
        }
    }
}

/// One `--report-interval` line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Interval {
    /// The interval's end, seconds, as printed (`[ 5s ]` is 5).
    pub t_s: f64,
    /// `(metric name, unit, value)`, names as in the metrics table.
    pub values: Vec<(String, &'static str, f64)>,
    /// The test the line's shape proves (tps/qps: OLTP, MiB/s reads: fileio, ...).
    pub test: Option<Test>,
}

impl Interval {
    /// How much work the interval did, as one number that is zero if and only if it did
    /// nothing: transactions/s (OLTP), events/s (cpu, threads, mutex), MiB/s (memory), or for
    /// fileio read MiB/s + written MiB/s + fsyncs/s. `None` when the line shows none of these.
    pub(crate) fn throughput(&self) -> Option<f64> {
        let get = |name: &str| self.values.iter().find(|(m, _, _)| m == name).map(|(_, _, v)| *v);
        if let Some(v) =
            get("transactions_per_sec").or_else(|| get("events_per_sec")).or_else(|| get("mib_per_sec"))
        {
            return Some(v);
        }
        let io: Vec<f64> = ["read_mib_per_sec", "written_mib_per_sec", "fsyncs_per_sec"]
            .iter()
            .filter_map(|m| get(m))
            .collect();
        (!io.is_empty()).then(|| io.iter().sum())
    }
}

/// What one line of sysbench output is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Line<'a> {
    /// Empty or blanks only.
    Blank,
    /// `sysbench 1.0.20 (using system LuaJIT 2.0.5)` / `sysbench 0.4.12:  multi-threaded ...`.
    Banner {
        /// `1.0.20`, `0.4.12`, `0.5`, `1.1.0-ead2689`.
        version: &'a str,
        /// What is inside `(using ...)`, for 1.0 banners.
        build: Option<&'a str>,
    },
    /// `Running the test with following options:`.
    OptionsHeader,
    /// Options of the run (`Number of threads: 8` → `threads=8`), and the test they prove.
    Params(Option<Test>, Vec<(&'static str, String)>),
    /// A line that names the test and nothing else (`Doing CPU performance benchmark`).
    Test(Test),
    /// 0.4 `Maximum prime number checked in CPU test: N`: an option printed with the results.
    PrimeChecked(String),
    /// `Initializing worker threads...`, `Threads started!`: a run is under way.
    Started,
    /// 0.4 `Time limit exceeded, exiting...`.
    TimeLimit,
    /// A `--report-interval` line.
    Interval(Interval),
    /// A results block header.
    Header(Header),
    /// A results value.
    Value(Value),
    /// fileio/OLTP `prepare` output (`Creating file test_file.0`, `N bytes written in ...`).
    Prepare,
    /// fileio/OLTP `cleanup` output (`Removing test files...`).
    Cleanup,
    /// `FATAL: ...` (or `invalid option: ...`): the whole line.
    Fatal(&'a str),
    /// `WARNING: ...`, `ALERT: ...`: the whole line.
    Warning(&'a str),
    /// sysbench's own lines that carry nothing we keep (`Done.`, histogram rows, ...).
    Noise,
    /// Anything else: script output, shell prompts, notes.
    Foreign,
}

/// Classifies one line. `section` is the results block the line would be in.
pub(crate) fn classify(raw: &str, section: Section) -> Line<'_> {
    let t = raw.trim();
    if t.is_empty() {
        return Line::Blank;
    }
    if let Some(line) = banner(t) {
        return line;
    }
    if t.starts_with('[') {
        if let Some(iv) = interval(t) {
            return Line::Interval(iv);
        }
    }
    if t.starts_with("FATAL:") || t.starts_with("invalid option") {
        return Line::Fatal(t);
    }
    if t.starts_with("WARNING:") || t.starts_with("ALERT:") {
        return Line::Warning(t);
    }
    if let Some(line) = contextual(t, section) {
        return line;
    }
    if let Some(line) = run_setup(t) {
        return line;
    }
    if let Some(line) = test_options(t) {
        return line;
    }
    if let Some(line) = fileio_options(t) {
        return line;
    }
    if let Some(line) = oltp_options(t) {
        return line;
    }
    if let Some(line) = results(t) {
        return line;
    }
    if let Some(line) = prepare_cleanup(t) {
        return line;
    }
    if is_histogram_row(t) || NOISE.iter().any(|p| t.starts_with(p)) {
        return Line::Noise;
    }
    Line::Foreign
}

/// Lines sysbench prints that carry nothing we keep.
const NOISE: &[&str] = &[
    "Done.",
    "(last message repeated",
    "Report intermediate results every",
    "Initializing random number generator",
    "Random number generator seed is",
    "No DB drivers specified",
    "Debug mode enabled",
    "Additional request validation enabled",
    "Forcing shutdown in",
    "Report checkpoint(s) at",
    "Using checksums validation",
    "Merging requests",
    "Using \"BEGIN\"",
    "Using \"LOCK TABLES",
    "value  ----",
    "percentile stats:",
    "read/write requests:",
    "other operations:",
];

/// `sysbench <digit>...` at the start of the line: a banner (or `sysbench --version`).
fn banner(t: &str) -> Option<Line<'_>> {
    let rest = t.strip_prefix("sysbench ")?;
    let rest = rest.trim_start();
    let unv = rest.strip_prefix('v').unwrap_or(rest);
    if !unv.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let end = unv.find(|c: char| c.is_whitespace() || c == ':').unwrap_or(unv.len());
    let version = &unv[..end];
    if !version.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_')) {
        return None;
    }
    let after = unv[end..].trim_start_matches(':').trim();
    // A version-only line, a 1.0 `(using ...)` or a 0.4/0.5 `multi-threaded ...` tail; any
    // other text after the version is a sentence that happens to start with the word.
    let build = if let Some(b) = after.strip_prefix("(using ") {
        Some(b.strip_suffix(')').unwrap_or(b).trim())
    } else if after.is_empty() || after.starts_with("multi-threaded") {
        None
    } else {
        return None;
    };
    Some(Line::Banner { version, build })
}

/// Lines read only inside one block.
fn contextual(t: &str, section: Section) -> Option<Line<'static>> {
    match section {
        Section::Latency => {
            let val = |r: &str, f: fn(f64) -> Value| latency_ms(r).map(|ms| Line::Value(f(ms)));
            if let Some(r) = t.strip_prefix("min:") {
                return val(r, Value::Min);
            }
            if let Some(r) = t.strip_prefix("avg:") {
                return val(r, Value::Avg);
            }
            if let Some(r) = t.strip_prefix("max:") {
                return val(r, Value::Max);
            }
            if let Some(r) = t.strip_prefix("sum:") {
                return val(r, Value::Sum);
            }
            percentile_line(t).map(|(p, ms)| Line::Value(Value::Percentile(p, ms)))
        }
        Section::Queries => {
            let (key, rest) = t.split_once(':')?;
            let n = text::num(rest)?;
            let v = match key {
                "read" => Value::QueriesRead(n),
                "write" => Value::QueriesWrite(n),
                "other" => Value::QueriesOther(n),
                "total" => Value::QueriesTotal(n),
                _ => return None,
            };
            Some(Line::Value(v))
        }
        Section::MemoryOptions => {
            let (key, rest) = t.split_once(':')?;
            let rest = rest.trim();
            let kv = match key {
                "block size" => ("memory-block-size", canonical_size(rest)),
                "total size" => ("memory-total-size", canonical_size(rest)),
                "operation" => ("memory-oper", rest.to_string()),
                "scope" => ("memory-scope", rest.to_string()),
                "access mode" => ("memory-access-mode", rest.to_string()),
                _ => return None,
            };
            Some(Line::Params(Some(Test::Memory), vec![kv]))
        }
        _ => None,
    }
}

/// The options header, threads, run progress.
fn run_setup(t: &str) -> Option<Line<'static>> {
    if t.starts_with("Running the test with following options") {
        return Some(Line::OptionsHeader);
    }
    if let Some(v) = t.strip_prefix("Number of threads:") {
        return Some(Line::Params(None, vec![("threads", v.trim().to_string())]));
    }
    if let Some(v) = t.strip_prefix("Target transaction rate:") {
        let v = v.trim();
        let v = v.strip_suffix("/sec").unwrap_or(v).trim();
        return Some(Line::Params(None, vec![("rate", v.to_string())]));
    }
    if t.starts_with("Threads started!") || t.starts_with("Initializing worker threads") {
        return Some(Line::Started);
    }
    if t.starts_with("Time limit exceeded") {
        return Some(Line::TimeLimit);
    }
    None
}

/// cpu, memory, threads and mutex mode lines.
fn test_options(t: &str) -> Option<Line<'static>> {
    let one = |test, key, v: String| Some(Line::Params(Some(test), vec![(key, v)]));
    if let Some(v) =
        t.strip_prefix("Prime numbers limit:").or_else(|| t.strip_prefix("Primer numbers limit:"))
    {
        return one(Test::Cpu, "cpu-max-prime", v.trim().to_string());
    }
    if let Some(v) = t.strip_prefix("Maximum prime number checked in CPU test:") {
        return Some(Line::PrimeChecked(v.trim().to_string()));
    }
    if t.starts_with("Doing CPU performance benchmark") {
        return Some(Line::Test(Test::Cpu));
    }
    if t.starts_with("Running memory speed test") || t.starts_with("Doing memory operations speed test") {
        return Some(Line::Test(Test::Memory));
    }
    if let Some(v) = t.strip_prefix("Memory block size:") {
        return one(Test::Memory, "memory-block-size", canonical_size(v.trim()));
    }
    if let Some(v) = t.strip_prefix("Memory transfer size:") {
        return one(Test::Memory, "memory-total-size", canonical_size(v.trim()));
    }
    if let Some(v) = t.strip_prefix("Memory operations type:") {
        return one(Test::Memory, "memory-oper", v.trim().to_string());
    }
    if let Some(v) = t.strip_prefix("Memory scope type:") {
        return one(Test::Memory, "memory-scope", v.trim().to_string());
    }
    if let Some(v) = t.strip_prefix("Memory access mode:") {
        return one(Test::Memory, "memory-access-mode", v.trim().to_string());
    }
    if t.starts_with("Doing thread subsystem performance test") {
        return Some(Line::Test(Test::Threads));
    }
    if let Some(rest) = t.strip_prefix("Thread yields per test:") {
        // `Thread yields per test: 100 Locks used: 8`
        let (yields, locks) = match rest.split_once("Locks used:") {
            Some((y, l)) => (y.trim(), Some(l.trim())),
            None => (rest.trim(), None),
        };
        let mut kv = vec![("thread-yields", yields.to_string())];
        if let Some(l) = locks {
            kv.push(("thread-locks", l.to_string()));
        }
        return Some(Line::Params(Some(Test::Threads), kv));
    }
    if t.starts_with("Doing mutex performance test") {
        return Some(Line::Test(Test::Mutex));
    }
    None
}

/// fileio mode lines (0.4 and 1.0 spellings).
fn fileio_options(t: &str) -> Option<Line<'static>> {
    let one = |key, v: String| Some(Line::Params(Some(Test::FileIo), vec![(key, v)]));
    if let Some(v) = t.strip_prefix("Extra file open flags:") {
        return one("file-extra-flags", extra_flags(v));
    }
    if let Some((n, rest)) = t.split_once(" files, ") {
        if let Ok(files) = n.trim().parse::<u64>() {
            // `128 files, 16384Kb each, 2048Mb total` is `prepare`; the run prints
            // `128 files, 16MiB each`.
            if rest.trim_end().ends_with("total") {
                return Some(Line::Prepare);
            }
            if rest.trim_end().ends_with("each") {
                return one("file-num", files.to_string());
            }
        }
    }
    if let Some(v) = t.strip_suffix("total file size") {
        return one("file-total-size", canonical_size(v.trim()));
    }
    if let Some(v) = t.strip_prefix("Block size ") {
        return one("file-block-size", canonical_size(v.trim()));
    }
    if let Some(v) = t.strip_prefix("Number of IO requests:") {
        let v = v.trim();
        // 0 is "no limit" (the run is time-limited); a limit changes the amount of work.
        return if v == "0" {
            Some(Line::Params(Some(Test::FileIo), Vec::new()))
        } else {
            one("events", v.to_string())
        };
    }
    if let Some(v) = t.strip_prefix("Number of random requests for random IO:") {
        return one("max-requests", v.trim().to_string());
    }
    if let Some(v) = t.strip_prefix("Read/Write ratio for combined random IO test:") {
        return one("file-rw-ratio", v.trim().to_string());
    }
    if let Some(rest) = t.strip_prefix("Periodic FSYNC enabled, calling fsync() each") {
        let n = rest.split_whitespace().next().unwrap_or("");
        return one("file-fsync-freq", n.to_string());
    }
    if t.starts_with("Calling fsync() at the end of test") {
        return one("file-fsync-end", "on".to_string());
    }
    if t.starts_with("Calling fsync() after each write operation") {
        return one("file-fsync-all", "on".to_string());
    }
    if let Some(mode) = t.strip_prefix("Using ").and_then(|r| r.strip_suffix(" I/O mode")) {
        let mode = match mode.trim() {
            "synchronous" => "sync",
            "asynchronous" => "async",
            m if m.ends_with("mmaped") => "mmap",
            m => m,
        };
        return one("file-io-mode", mode.to_string());
    }
    if let Some(mode) = t.strip_prefix("Doing ").and_then(|r| r.strip_suffix(" test")) {
        let mode = match mode {
            "sequential write (creation)" => "seqwr",
            "sequential rewrite" => "seqrewr",
            "sequential read" => "seqrd",
            "random read" => "rndrd",
            "random write" => "rndwr",
            "random r/w" => "rndrw",
            "mixed" => "mixed",
            _ => return None,
        };
        return one("file-test-mode", mode.to_string());
    }
    None
}

/// 0.4 OLTP mode lines.
fn oltp_options(t: &str) -> Option<Line<'static>> {
    let one = |key, v: &str| Some(Line::Params(Some(Test::Oltp), vec![(key, v.to_string())]));
    if t.starts_with("Doing OLTP test") {
        return Some(Line::Test(Test::Oltp));
    }
    match t {
        "Running simple OLTP test" => return one("oltp-test-mode", "simple"),
        "Running mixed OLTP test" => return one("oltp-test-mode", "complex"),
        "Running non-transactional test" => return one("oltp-test-mode", "nontrx"),
        "Running stored procedure test" => return one("oltp-test-mode", "sp"),
        "Doing read-only test" => return one("oltp-read-only", "on"),
        "Skipping BEGIN/COMMIT" => return one("oltp-skip-trx", "on"),
        "Using auto_inc on the id column" => return one("oltp-auto-inc", "on"),
        "Not using auto_inc on the id column" => return one("oltp-auto-inc", "off"),
        _ => {}
    }
    if t.starts_with("Using Uniform distribution") {
        return one("oltp-dist-type", "uniform");
    }
    if t.starts_with("Using Normal distribution") {
        return one("oltp-dist-type", "gaussian");
    }
    if t.starts_with("Using Special distribution") {
        return one("oltp-dist-type", "special");
    }
    if let Some(v) = t.strip_prefix("Maximum number of requests for OLTP test is limited to") {
        return one("max-requests", v.trim());
    }
    if let Some(n) = t.strip_prefix("Using ").and_then(|r| r.strip_suffix(" test tables")) {
        if n.trim().parse::<u64>().is_ok() {
            return one("oltp-num-tables", n.trim());
        }
    }
    None
}

/// Results headers and values that need no context.
fn results(t: &str) -> Option<Line<'static>> {
    let header = |h| Some(Line::Header(h));
    let value = |v| Some(Line::Value(v));
    match t {
        "CPU speed:" => return header(Header::CpuSpeed),
        "SQL statistics:" | "OLTP test statistics:" => return header(Header::Sql),
        "queries performed:" => return header(Header::Queries),
        "File operations:" => return header(Header::FileOps),
        "Throughput:" => return header(Header::Throughput),
        "General statistics:" => return header(Header::General),
        "Test execution summary:" => return header(Header::Summary04),
        "Latency (ms):" | "per-request statistics:" | "response time:" => return header(Header::Latency),
        "Threads fairness:" => return header(Header::Fairness),
        _ => {}
    }
    if t.starts_with("Latency histogram") {
        return header(Header::Histogram);
    }
    if let Some(r) = t.strip_prefix("events per second:") {
        return text::num(r).and_then(|v| value(Value::EventsPerSec(v)));
    }
    if let Some(r) = t.strip_prefix("total time:") {
        return seconds(r).and_then(|v| value(Value::TotalTime(v)));
    }
    if let Some(r) = t.strip_prefix("total number of events:") {
        return text::num(r).and_then(|v| value(Value::TotalEvents(v)));
    }
    if let Some(r) = t.strip_prefix("total time taken by event execution:") {
        return seconds(r).and_then(|v| value(Value::EventTimeSum(v)));
    }
    if let Some(r) = t.strip_prefix("events (avg/stddev):") {
        return pair(r).and_then(|(a, s)| value(Value::FairEvents(a, s)));
    }
    if let Some(r) = t.strip_prefix("execution time (avg/stddev):") {
        return pair(r).and_then(|(a, s)| value(Value::FairTime(a, s)));
    }
    if let Some(r) = t.strip_prefix("transactions:") {
        return count_rate(r).and_then(|(n, x)| value(Value::Transactions(n, x)));
    }
    if let Some(r) = t.strip_prefix("queries:") {
        return count_rate(r).and_then(|(n, x)| value(Value::Queries(n, x)));
    }
    if let Some(r) = t.strip_prefix("ignored errors:") {
        return count_rate(r).and_then(|(n, _)| value(Value::IgnoredErrors(n)));
    }
    if let Some(r) = t.strip_prefix("reconnects:") {
        return count_rate(r).and_then(|(n, _)| value(Value::Reconnects(n)));
    }
    if let Some(r) = t.strip_prefix("deadlocks:") {
        return count_rate(r).and_then(|(n, _)| value(Value::Deadlocks(n)));
    }
    if let Some(r) = t.strip_prefix("Total operations:") {
        return count_rate(r).and_then(|(n, x)| value(Value::MemOps(n, x)));
    }
    if let Some(r) = t.strip_prefix("Operations performed:") {
        return if r.contains("Read") || r.contains("reads") { file_ops_04(r) } else { mem_ops_04(r) };
    }
    if t.starts_with("Read ") && t.contains("Written ") {
        return file_bytes_04(t);
    }
    if let Some(r) = t.strip_suffix("Requests/sec executed") {
        return text::num(r).and_then(|v| value(Value::RequestsPerSec(v)));
    }
    if let Some((amount, rest)) = t.split_once(" transferred (") {
        // `4096.00 MiB transferred (39442.85 MiB/sec)`; 0.4: `128.00 MB transferred (38.32 MB/sec)`.
        let mib = mib_amount(amount)?;
        let rate = rest.split_whitespace().next().and_then(text::num);
        return value(Value::MemTransferred(mib, rate));
    }
    let per_sec = |r: &str, f: fn(f64) -> Value| text::num(r).map(|v| Line::Value(f(v)));
    if let Some(r) = t.strip_prefix("reads/s:") {
        return per_sec(r, Value::ReadsPerSec);
    }
    if let Some(r) = t.strip_prefix("writes/s:") {
        return per_sec(r, Value::WritesPerSec);
    }
    if let Some(r) = t.strip_prefix("fsyncs/s:") {
        return per_sec(r, Value::FsyncsPerSec);
    }
    if let Some(r) = t.strip_prefix("read, MiB/s:") {
        return per_sec(r, Value::ReadMibPerSec);
    }
    if let Some(r) = t.strip_prefix("written, MiB/s:") {
        return per_sec(r, Value::WrittenMibPerSec);
    }
    None
}

/// `prepare`/`cleanup` lines of fileio and the OLTP scripts.
fn prepare_cleanup(t: &str) -> Option<Line<'static>> {
    const PREPARE: &[&str] = &[
        "Creating files for the test",
        "Creating file ",
        "Reusing existing file ",
        "Extending existing file ",
        "No bytes written",
        "Creating table ",
        "Creating a secondary index",
        "Inserting ",
    ];
    const CLEANUP: &[&str] = &["Removing test files", "Dropping table ", "Dropping database "];
    if PREPARE.iter().any(|p| t.starts_with(p)) {
        return Some(Line::Prepare);
    }
    // `2147483648 bytes written in 3.96 seconds (516.62 MiB/sec).`; 0.4 OLTP:
    // `Creating 1000000 records in table 'sbtest'...`.
    if let Some((n, rest)) = t.split_once(' ') {
        if n.parse::<u64>().is_ok()
            && (rest.starts_with("bytes written in") || rest.starts_with("records in table"))
        {
            return Some(Line::Prepare);
        }
    }
    if let Some(rest) = t.strip_prefix("Creating ") {
        if rest.contains(" records in table") {
            return Some(Line::Prepare);
        }
    }
    if CLEANUP.iter().any(|p| t.starts_with(p)) {
        return Some(Line::Cleanup);
    }
    None
}

/// A `--histogram` row: `   12.081 |*****      42`.
fn is_histogram_row(t: &str) -> bool {
    match t.split_once('|') {
        Some((v, rest)) => {
            text::num(v).is_some() && rest.trim_start_matches('*').trim().chars().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// Parses a `--report-interval` line of any version:
///
/// * 1.0 OLTP: `[ 5s ] thds: 8 tps: 269.67 qps: 5416.27 (r/w/o: 3794.43/1080.89/540.95)
///   lat (ms,95%): 51.94 err/s: 0.00 reconn/s: 0.00`
/// * 1.0 cpu/threads/mutex: `[ 1s ] thds: 1 eps: 1277.42 lat (ms,95%): 0.90`
/// * 1.0 fileio: `[ 1s ] reads: 61.77 MiB/s writes: 41.18 MiB/s fsyncs: 260.55/s
///   latency (ms,95%): 0.023`
/// * 1.0 memory: `[ 1s ] 5530.30 MiB/sec`
/// * 0.5: `[   5s] threads: 64, tps: 10415.14, reads/s: 145912.19, writes/s: 0.00,
///   response time: 8.75ms (95%)` (0.4.12.10 prints `Intermediate results: 8 threads, ...`)
pub(crate) fn interval(t: &str) -> Option<Interval> {
    let inner_end = t.find(']')?;
    let inner = t.get(1..inner_end)?.trim();
    let t_s = text::num(inner.strip_suffix('s')?)?;
    let rest = t.get(inner_end + 1..)?.trim();
    let mut values: Vec<(String, &'static str, f64)> = Vec::new();
    let mut test = None;
    let mut push = |name: &str, unit: &'static str, v: Option<f64>| {
        if let Some(v) = v {
            values.push((name.to_string(), unit, v));
        }
    };
    // Memory prints only the rate.
    if let Some(v) = rest.strip_suffix("MiB/sec") {
        if let Some(x) = text::num(v) {
            let values = vec![("mib_per_sec".into(), "MiB/s", x)];
            return Some(Interval { t_s, values, test: Some(Test::Memory) });
        }
    }
    let tps = key_num(rest, "tps:");
    if tps.is_some() {
        test = Some(Test::Oltp);
    }
    push("transactions_per_sec", "transactions/s", tps);
    push("queries_per_sec", "queries/s", key_num(rest, "qps:"));
    push("events_per_sec", "events/s", key_num(rest, "eps:"));
    if let Some(rwo) = key_token(rest, "(r/w/o:") {
        let mut it = rwo.trim_end_matches(')').split('/').map(text::num);
        push("reads_per_sec", "reads/s", it.next().flatten());
        push("writes_per_sec", "writes/s", it.next().flatten());
        push("other_per_sec", "other/s", it.next().flatten());
    }
    push("reads_per_sec", "reads/s", key_num(rest, "reads/s:"));
    push("writes_per_sec", "writes/s", key_num(rest, "writes/s:"));
    // fileio: `reads: 61.77 MiB/s writes: 41.18 MiB/s fsyncs: 260.55/s` (0.4: `MB/s`).
    let reads = key_num(rest, "reads:");
    if reads.is_some() {
        test = Some(Test::FileIo);
    }
    push("read_mib_per_sec", "MiB/s", reads);
    push("written_mib_per_sec", "MiB/s", key_num(rest, "writes:"));
    push("fsyncs_per_sec", "fsyncs/s", key_num(rest, "fsyncs:"));
    push("errors_per_sec", "errors/s", key_num(rest, "err/s:"));
    push("reconnects_per_sec", "reconnects/s", key_num(rest, "reconn/s:"));
    // Latency: `lat (ms,95%): 51.94`, `latency (ms,95%): 0.023`, `response time: 8.75ms (95%)`.
    if let Some(i) = rest.find("(ms,") {
        let after = &rest[i + 4..];
        if let Some((p, v)) = after.split_once("%):") {
            if let (Some(p), Some(v)) = (text::num(p), v.split_whitespace().next().and_then(text::num)) {
                push(&percentile_name(p), "ms", Some(v));
            }
        }
    } else if let Some(i) = rest.find("response time:") {
        let after = rest[i + "response time:".len()..].trim();
        let mut it = after.split_whitespace();
        let v = it.next().and_then(|s| text::duration_ms(s.trim_end_matches(',')));
        let p = it
            .next()
            .and_then(|s| s.strip_prefix('('))
            .and_then(|s| s.strip_suffix("%)"))
            .and_then(text::num);
        if let (Some(v), Some(p)) = (v, p) {
            push(&percentile_name(p), "ms", Some(v));
        }
    }
    if values.is_empty() {
        return None;
    }
    Some(Interval { t_s, values, test })
}

/// The token after `key` (a whole word: at the start or after a blank or comma), trimmed of
/// a trailing comma.
fn key_token<'a>(s: &'a str, key: &str) -> Option<&'a str> {
    let mut from = 0;
    while let Some(i) = s.get(from..)?.find(key) {
        let at = from + i;
        let word_start = at == 0 || s[..at].ends_with([' ', ',', '\t']);
        if word_start {
            let after = &s[at + key.len()..];
            return after.split_whitespace().next().map(|tok| tok.trim_end_matches(','));
        }
        from = at + key.len();
    }
    None
}

/// The number after `key`, without a unit suffix (`61.77`, `260.55/s`, `8.75ms`).
fn key_num(s: &str, key: &str) -> Option<f64> {
    let tok = key_token(s, key)?;
    let digits = tok.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '%');
    text::num(digits)
}

/// The metric name of a latency percentile: `latency_p95_ms`, `latency_p99_9_ms`.
pub(crate) fn percentile_name(p: f64) -> String {
    let s = format!("{p}");
    format!("latency_p{}_ms", s.replace('.', "_"))
}

/// `95th percentile:   0.84`, `approx.  95 percentile:   0.09ms`.
fn percentile_line(t: &str) -> Option<(f64, f64)> {
    let (key, rest) = t.split_once(':')?;
    let key = key.trim();
    let key = key.strip_prefix("approx.").unwrap_or(key).trim();
    let p = key.strip_suffix("percentile")?.trim();
    let p = p.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let p = text::num(p)?;
    Some((p, latency_ms(rest)?))
}

/// A latency value: `0.84` (ms, 1.0), `0.09ms`, `1.2s` (0.4/0.5 suffixes).
fn latency_ms(s: &str) -> Option<f64> {
    let s = s.trim();
    text::num(s).or_else(|| text::duration_ms(s))
}

/// A time in seconds: `30.0014s`, `9.4181`, `19317.7769s`.
fn seconds(s: &str) -> Option<f64> {
    let s = s.trim();
    let plain = s.strip_suffix('s').filter(|d| d.ends_with(|c: char| c.is_ascii_digit())).unwrap_or(s);
    text::num(plain).or_else(|| text::duration_ms(s).map(|ms| ms / 1000.0))
}

/// `37472.0000/0.00`.
fn pair(s: &str) -> Option<(f64, f64)> {
    let (a, b) = s.trim().split_once('/')?;
    Some((text::num(a)?, text::num(b)?))
}

/// `2150164 (35835.78 per sec.)`, `100 (   10.68 per second)`, `0      (0.00 per sec.)`.
fn count_rate(s: &str) -> Option<(f64, Option<f64>)> {
    let s = s.trim();
    let (n, rest) = match s.split_once('(') {
        Some((n, rest)) => (n, Some(rest)),
        None => (s, None),
    };
    let n = text::num(n)?;
    let rate = rest.and_then(|r| r.split_whitespace().next()).and_then(text::num);
    Some((n, rate))
}

/// 0.4 memory `Operations performed: 131072 (39239.26 ops/sec)`.
fn mem_ops_04(r: &str) -> Option<Line<'static>> {
    count_rate(r).map(|(n, x)| Line::Value(Value::MemOps(n, x)))
}

/// 0.4 fileio `Operations performed:  6087 Read, 4052 Write, 12800 Other = 22939 Total`.
fn file_ops_04(r: &str) -> Option<Line<'static>> {
    let mut read = None;
    let mut write = None;
    let mut other = None;
    let toks: Vec<&str> = r.split_whitespace().collect();
    for w in toks.windows(2) {
        let word = w[1].trim_end_matches(',').to_ascii_lowercase();
        let n = text::num(w[0]);
        match word.as_str() {
            "read" | "reads" => read = n,
            "write" | "writes" => write = n,
            "other" => other = n,
            _ => {}
        }
    }
    Some(Line::Value(Value::FileOps04 { read: read?, write: write?, other: other? }))
}

/// 0.4 fileio `Read 95.109Mb  Written 63.312Mb  Total transferred 158.42Mb  (1.5134Mb/sec)`.
fn file_bytes_04(t: &str) -> Option<Line<'static>> {
    let read = t.strip_prefix("Read ")?.split_whitespace().next()?;
    let (_, w) = t.split_once("Written ")?;
    let written = w.split_whitespace().next()?;
    Some(Line::Value(Value::FileBytes04 { read_mib: mib_amount(read)?, written_mib: mib_amount(written)? }))
}

/// `4096.00 MiB`, `128.00 MB`, `95.109Mb`, `0b` as MiB (sysbench's `MB`/`Mb` are 1024²).
fn mib_amount(s: &str) -> Option<f64> {
    text::size_bytes(s).map(|b| b / (1024.0 * 1024.0))
}

/// fileio extra flags: `(none)` (1.0) and `0` (0.4) are `none`; 1.0 names (`dsync `,
/// `directio`) joined by commas; a 0.4 hexadecimal mask other than 0 as `0x...`.
fn extra_flags(v: &str) -> String {
    let v = v.trim();
    if v.is_empty() || v == "(none)" || v == "0" {
        return "none".to_string();
    }
    if v.chars().all(|c| c.is_ascii_hexdigit()) && v.chars().any(|c| c.is_ascii_digit()) {
        return format!("0x{v}");
    }
    v.split_whitespace().collect::<Vec<_>>().join(",")
}

/// A size option in one spelling for every version: the largest binary unit that divides it
/// (`1K`, `1KiB` → `1KiB`; `102400MiB` → `100GiB`; `16Kb` → `16KiB`). A size that is not a
/// whole number of bytes (1.0 rounds `1.1719GiB each`) or that does not parse is kept as
/// printed.
pub(crate) fn canonical_size(s: &str) -> String {
    const UNITS: [(&str, f64); 5] = [
        ("TiB", 1_099_511_627_776.0),
        ("GiB", 1_073_741_824.0),
        ("MiB", 1_048_576.0),
        ("KiB", 1024.0),
        ("B", 1.0),
    ];
    let Some(bytes) = text::size_bytes(s) else { return s.to_string() };
    if bytes == 0.0 {
        return "0B".to_string();
    }
    if !(bytes > 0.0 && bytes < 1e18) || (bytes - bytes.round()).abs() > 1e-6 {
        return s.to_string();
    }
    let bytes = bytes.round();
    for (unit, mult) in UNITS {
        let v = bytes / mult;
        if v >= 1.0 && v.fract() == 0.0 {
            return format!("{v}{unit}");
        }
    }
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Line<'_> {
        classify(s, Section::None)
    }

    #[test]
    fn banners_of_every_generation() {
        assert_eq!(
            c("sysbench 1.0.20 (using system LuaJIT 2.0.5)"),
            Line::Banner { version: "1.0.20", build: Some("system LuaJIT 2.0.5") }
        );
        assert_eq!(
            c("sysbench 1.1.0-bbee5d5 (using bundled LuaJIT 2.1.0-beta2)"),
            Line::Banner { version: "1.1.0-bbee5d5", build: Some("bundled LuaJIT 2.1.0-beta2") }
        );
        assert_eq!(
            c("sysbench 0.4.12:  multi-threaded system evaluation benchmark"),
            Line::Banner { version: "0.4.12", build: None }
        );
        assert_eq!(
            c("sysbench 0.5:  multi-threaded system evaluation benchmark"),
            Line::Banner { version: "0.5", build: None }
        );
        assert_eq!(c("sysbench 1.0.20"), Line::Banner { version: "1.0.20", build: None });
        // A command line or a sentence is not a banner.
        assert_eq!(c("sysbench --test=cpu run"), Line::Foreign);
        assert_eq!(c("sysbench 4 threads were used"), Line::Foreign);
    }

    #[test]
    fn sizes_have_one_spelling() {
        assert_eq!(canonical_size("1K"), "1KiB");
        assert_eq!(canonical_size("1KiB"), "1KiB");
        assert_eq!(canonical_size("16Kb"), "16KiB");
        assert_eq!(canonical_size("102400MiB"), "100GiB");
        assert_eq!(canonical_size("1048576KiB"), "1GiB");
        assert_eq!(canonical_size("128M"), "128MiB");
        assert_eq!(canonical_size("1.5Gb"), "1536MiB");
        assert_eq!(canonical_size("1.1719GiB"), "1.1719GiB");
        assert_eq!(canonical_size("lots"), "lots");
        assert_eq!(canonical_size("0"), "0B");
    }

    #[test]
    fn extra_flags_of_both_versions() {
        assert_eq!(extra_flags(" (none)"), "none");
        assert_eq!(extra_flags(" 0"), "none");
        assert_eq!(extra_flags(" dsync "), "dsync");
        assert_eq!(extra_flags("sync dsync"), "sync,dsync");
        assert_eq!(extra_flags(" 4000"), "0x4000");
    }

    #[test]
    fn fileio_mode_lines() {
        let p = |s| match c(s) {
            Line::Params(Some(Test::FileIo), kv) => kv,
            other => panic!("{s}: {other:?}"),
        };
        assert_eq!(p("128 files, 8Mb each"), vec![("file-num", "128".to_string())]);
        assert_eq!(p("1Gb total file size"), vec![("file-total-size", "1GiB".to_string())]);
        assert_eq!(p("Block size 16KiB"), vec![("file-block-size", "16KiB".to_string())]);
        assert_eq!(p("Using fast mmaped I/O mode"), vec![("file-io-mode", "mmap".to_string())]);
        assert_eq!(p("Doing random r/w test"), vec![("file-test-mode", "rndrw".to_string())]);
        assert_eq!(
            p("Doing sequential write (creation) test"),
            vec![("file-test-mode", "seqwr".to_string())]
        );
        assert_eq!(
            p("Periodic FSYNC enabled, calling fsync() each 100 requests."),
            vec![("file-fsync-freq", "100".to_string())]
        );
        assert_eq!(p("Number of IO requests: 0"), vec![]);
        assert_eq!(c("128 files, 16384Kb each, 2048Mb total"), Line::Prepare);
        assert_eq!(c("2147483648 bytes written in 3.96 seconds (516.62 MiB/sec)."), Line::Prepare);
        assert_eq!(c("Removing test files..."), Line::Cleanup);
        // OLTP's read-only line is not a fileio mode.
        assert_eq!(
            c("Doing read-only test"),
            Line::Params(Some(Test::Oltp), vec![("oltp-read-only", "on".into())])
        );
    }

    #[test]
    fn results_values() {
        assert_eq!(
            c("total time:                          30.0014s"),
            Line::Value(Value::TotalTime(30.0014))
        );
        assert_eq!(
            c("total time taken by event execution: 19317.7769s"),
            Line::Value(Value::EventTimeSum(19317.7769))
        );
        assert_eq!(
            c("total time taken by event execution: 9.4181"),
            Line::Value(Value::EventTimeSum(9.4181))
        );
        assert_eq!(
            c("Total operations: 100 (   10.68 per second)"),
            Line::Value(Value::MemOps(100.0, Some(10.68)))
        );
        assert_eq!(
            c("Operations performed: 131072 (39239.26 ops/sec)"),
            Line::Value(Value::MemOps(131072.0, Some(39239.26)))
        );
        assert_eq!(
            c("Operations performed:  6087 Read, 4052 Write, 12800 Other = 22939 Total"),
            Line::Value(Value::FileOps04 { read: 6087.0, write: 4052.0, other: 12800.0 })
        );
        match c("Read 95.109Mb  Written 63.312Mb  Total transferred 158.42Mb  (1.5134Mb/sec)") {
            Line::Value(Value::FileBytes04 { read_mib, written_mib }) => {
                assert!((read_mib - 95.109).abs() < 1e-9 && (written_mib - 63.312).abs() < 1e-9)
            }
            other => panic!("{other:?}"),
        }
        match c("128.00 MB transferred (38.32 MB/sec)") {
            Line::Value(Value::MemTransferred(m, Some(r))) => assert!((m - 128.0).abs() < 1e-9 && r == 38.32),
            other => panic!("{other:?}"),
        }
        assert_eq!(c("   96.86 Requests/sec executed"), Line::Value(Value::RequestsPerSec(96.86)));
        assert_eq!(
            c("transactions:                        66656  (222.13 per sec.)"),
            Line::Value(Value::Transactions(66656.0, Some(222.13)))
        );
        assert_eq!(
            c("events (avg/stddev):           37472.0000/0.00"),
            Line::Value(Value::FairEvents(37472.0, 0.0))
        );
    }

    #[test]
    fn contextual_keys_need_their_block() {
        assert_eq!(c("min:  0.77"), Line::Foreign);
        assert_eq!(classify("min:  0.77", Section::Latency), Line::Value(Value::Min(0.77)));
        assert_eq!(classify("max:  1157.38ms", Section::Latency), Line::Value(Value::Max(1157.38)));
        assert_eq!(
            classify("approx.  95 percentile:             558.98ms", Section::Latency),
            Line::Value(Value::Percentile(95.0, 558.98))
        );
        assert_eq!(
            classify("99th percentile:   0.46", Section::Latency),
            Line::Value(Value::Percentile(99.0, 0.46))
        );
        assert_eq!(classify("percentile stats:               disabled", Section::Latency), Line::Noise);
        assert_eq!(classify("read:   933184", Section::Queries), Line::Value(Value::QueriesRead(933184.0)));
        assert_eq!(
            classify("block size: 8192KiB", Section::MemoryOptions),
            Line::Params(Some(Test::Memory), vec![("memory-block-size", "8MiB".into())])
        );
    }

    #[test]
    fn histogram_rows_are_noise() {
        assert_eq!(c("      10.651 |*                                        19"), Line::Noise);
        assert_eq!(c("       5.879 |                                         1"), Line::Noise);
        assert_eq!(c("       value  ------------- distribution ------------- count"), Line::Noise);
        assert_eq!(c("Latency histogram (values are in milliseconds)"), Line::Header(Header::Histogram));
    }

    fn iv(s: &str) -> Interval {
        interval(s).unwrap_or_else(|| panic!("not an interval: {s}"))
    }

    fn get(i: &Interval, name: &str) -> Option<f64> {
        i.values.iter().find(|(n, _, _)| n == name).map(|(_, _, v)| *v)
    }

    #[test]
    fn intervals_of_every_generation() {
        let i = iv("[ 5s ] thds: 8 tps: 269.67 qps: 5416.27 (r/w/o: 3794.43/1080.89/540.95) lat (ms,95%): 51.94 err/s: 0.00 reconn/s: 0.00");
        assert_eq!(i.t_s, 5.0);
        assert_eq!(i.test, Some(Test::Oltp));
        assert_eq!(get(&i, "transactions_per_sec"), Some(269.67));
        assert_eq!(get(&i, "queries_per_sec"), Some(5416.27));
        assert_eq!(get(&i, "reads_per_sec"), Some(3794.43));
        assert_eq!(get(&i, "other_per_sec"), Some(540.95));
        assert_eq!(get(&i, "latency_p95_ms"), Some(51.94));
        assert_eq!(get(&i, "errors_per_sec"), Some(0.0));

        let i = iv("[ 2s ] thds: 2 eps: 17042.16 lat (ms,99%): 0.58");
        assert_eq!(get(&i, "events_per_sec"), Some(17042.16));
        assert_eq!(get(&i, "latency_p99_ms"), Some(0.58));
        assert_eq!(i.test, None);

        let i = iv("[ 1s ] reads: 61.77 MiB/s writes: 41.18 MiB/s fsyncs: 260.55/s latency (ms,95%): 0.023");
        assert_eq!(i.test, Some(Test::FileIo));
        assert_eq!(get(&i, "read_mib_per_sec"), Some(61.77));
        assert_eq!(get(&i, "written_mib_per_sec"), Some(41.18));
        assert_eq!(get(&i, "fsyncs_per_sec"), Some(260.55));
        assert_eq!(get(&i, "latency_p95_ms"), Some(0.023));
        assert_eq!(get(&i, "reads_per_sec"), None);

        let i = iv("[ 1s ] 5530.30 MiB/sec");
        assert_eq!(get(&i, "mib_per_sec"), Some(5530.30));

        let i = iv("[ 100s] threads: 64, tps: 10377.00, reads/s: 145283.41, writes/s: 0.00, response time: 8.75ms (95%)");
        assert_eq!(i.t_s, 100.0);
        assert_eq!(get(&i, "transactions_per_sec"), Some(10377.0));
        assert_eq!(get(&i, "reads_per_sec"), Some(145283.41));
        assert_eq!(get(&i, "writes_per_sec"), Some(0.0));
        assert_eq!(get(&i, "latency_p95_ms"), Some(8.75));

        // 0.4.12.10 (a fork) prints its own form.
        let i = iv("[  10s] Intermediate results: 8 threads, tps: 582.994023, reads/s: 8233.315586, writes/s: 2940.469852 response time: 48.261058ms (99%)");
        assert_eq!(get(&i, "transactions_per_sec"), Some(582.994023));
        assert_eq!(get(&i, "writes_per_sec"), Some(2940.469852));
        assert_eq!(get(&i, "latency_p99_ms"), Some(48.261058));

        assert_eq!(interval("[ not an interval ]"), None);
        assert_eq!(interval("[ 1s ] nothing we know"), None);
    }

    #[test]
    fn percentile_names() {
        assert_eq!(percentile_name(95.0), "latency_p95_ms");
        assert_eq!(percentile_name(99.9), "latency_p99_9_ms");
    }
}
