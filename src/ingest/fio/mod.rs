//! fio output, recognised by content: JSON and json+ (`--output-format=json|json+`, fio 2.x and
//! 3.x schemas), normal human-readable output (fio 2.x and 3.x), and terse lines
//! (`--minimal` / `--output-format=terse`, versions 2 to 5). One file may mix them and hold many
//! fio invocations one after the other.
//!
//! A run is one fio *job* of one invocation: the clones that `numjobs` makes of a job (same
//! name and group) are added up into one run, and distinct jobs stay distinct runs. The three
//! readers ([`json`], [`normal`], [`terse`]) turn what they find into [`Draft`]s; this module
//! splits the file into their pieces, adds up clones ([`merge_clones`]), attaches fio's own
//! `fio: ...` stderr lines to the runs they are about, and writes the metrics.
//!
//! Not done here: anything about files or labels (see [`crate::ingest`]), and fio's logs
//! (`write_bw_log` and friends), which are other files. See `docs/metrics.md (fio)` for every
//! metric, param and refusal.

mod json;
mod normal;
mod terse;

use std::collections::BTreeMap;

use super::text;
use super::{Diagnostic, ParseOptions, ParseOutput, Parser};
use crate::error::ParseError;
use crate::model::{fact, Better, LogIssue, Params, Percentile, Run, Subsystem};

/// Reads fio output.
pub struct FioParser;

/// Tool name of every run.
const TOOL: &str = "fio";

/// fio's metrics of kind resource (what the job used, not how fast it was): user and system
/// CPU, context switches, and the utilisation of its disk. All others are performance.
pub const RESOURCE_METRICS: &[&str] = &["cpu_usr_pct", "cpu_sys_pct", "ctx_switches", "disk_util_pct"];

impl Parser for FioParser {
    fn name(&self) -> &'static str {
        TOOL
    }

    /// Returns true if and only if `head` has fio's JSON `"fio version"` key, a terse line
    /// (`3;fio-3.33;...`, or a `2;...` line of at least 100 fields), a `fio-N` version banner on
    /// a line of its own, a job header (`name: (g=0): rw=...`), a result header
    /// (`name: (groupid=0, jobs=1): err= 0...`) or a `Run status group N (all jobs):` line.
    fn sniff(&self, head: &str) -> bool {
        if head.contains("\"fio version\"") {
            return true;
        }
        head.lines().map(clean_line).any(|t| {
            terse::is_terse(t)
                || is_banner(t)
                || normal::parse_header(t).is_some()
                || normal::is_block_header(t)
                || (t.starts_with("Run status group ") && t.ends_with("(all jobs):"))
        })
    }

    fn redeclare(&self, run: &mut Run) {
        run.subsystem = Subsystem::Disk;
        run.declare_primary(PRIMARY);
    }

    fn parse(&self, text: &str, _opts: &ParseOptions) -> Result<ParseOutput, ParseError> {
        let lines = split_lines(text);
        let mut found = Found::default();
        let mut i = 0;
        let mut text_start = 0;
        while i < lines.len() {
            let t = lines[i].text;
            if t.starts_with('{') {
                normal::parse(&lines[text_start..i], &mut found);
                i = json::parse_doc(text, &lines, i, &mut found);
                text_start = i;
                continue;
            }
            if terse::is_terse(t.trim()) {
                normal::parse(&lines[text_start..i], &mut found);
                i = terse::parse_block(&lines, i, &mut found);
                text_start = i;
                continue;
            }
            if let Some(note) = Note::parse(&lines[i]) {
                found.notes.push(note);
            }
            i += 1;
        }
        normal::parse(&lines[text_start..], &mut found);
        finish(found, lines.last().map(|l| l.no).unwrap_or(1))
    }
}

/// One line of the file: its 1-based number, its text without line terminator (and, where a
/// carriage return sits inside it, only what a terminal would show last), and its byte offset.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    /// 1-based line number.
    pub no: usize,
    /// The text, see [`clean_line`].
    pub text: &'a str,
    /// Byte offset of the line's first byte in the file.
    pub start: usize,
}

/// Splits `text` into [`Line`]s.
fn split_lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, piece) in text.split('\n').enumerate() {
        let this = start;
        start += piece.len() + 1;
        if piece.is_empty() && this >= text.len() && i > 0 {
            break;
        }
        out.push(Line { no: i + 1, text: clean_line(piece), start: this });
    }
    out
}

/// The text a terminal would show for `raw`: without a trailing `\r`, and when progress lines
/// were written over each other with `\r`, the last non-empty piece.
fn clean_line(raw: &str) -> &str {
    let raw = raw.strip_suffix('\r').unwrap_or(raw);
    if !raw.contains('\r') {
        return raw;
    }
    raw.rsplit('\r').find(|p| !p.trim().is_empty()).unwrap_or("")
}

/// Returns true if and only if `t` is a fio version banner on its own: `fio-3.33`,
/// `fio-2.18-59-g618e`, or fio 2.0.6/2.0.7's `fio 2.0.7`.
pub(crate) fn is_banner(t: &str) -> bool {
    banner_version(t).is_some()
}

/// The version a banner line shows, spelled as fio 2.1 and later print it: `fio-3.33` as is,
/// `fio 2.0.7` (fio 2.0.6 and 2.0.7 print a space) as `fio-2.0.7`.
pub(crate) fn banner_version(t: &str) -> Option<String> {
    let t = t.trim();
    let v = t.strip_prefix("fio-").or_else(|| t.strip_prefix("fio "))?;
    is_version(v).then(|| format!("fio-{v}"))
}

/// Returns true if and only if `v` reads as a version number: a digit first, then digits,
/// letters, `.`, `-`, `_` or `+`, and at least one `.` (`2.0.8`, `3.8-83-g24a9`).
pub(crate) fn is_version(v: &str) -> bool {
    v.starts_with(|c: char| c.is_ascii_digit())
        && v.contains('.')
        && v.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+'))
}

/// The directions fio reports I/O for, in its own order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ddir {
    /// Reads.
    Read,
    /// Writes.
    Write,
    /// Trims (discards).
    Trim,
    /// Reads and writes together, with `unified_rw_reporting`.
    Mixed,
}

impl Ddir {
    /// Every direction, in the order of [`Job::dirs`].
    pub const ALL: [Ddir; 4] = [Ddir::Read, Ddir::Write, Ddir::Trim, Ddir::Mixed];

    /// Index into [`Job::dirs`].
    pub fn idx(self) -> usize {
        self as usize
    }

    /// Metric name prefix and fio's own word: `read`, `write`, `trim`, `mixed`.
    pub fn word(self) -> &'static str {
        match self {
            Ddir::Read => "read",
            Ddir::Write => "write",
            Ddir::Trim => "trim",
            Ddir::Mixed => "mixed",
        }
    }

    /// The direction named `s` (any case), as fio prints it.
    pub fn from_word(s: &str) -> Option<Ddir> {
        Ddir::ALL.into_iter().find(|d| d.word().eq_ignore_ascii_case(s.trim()))
    }
}

/// Latency statistics of one kind (slat, clat or lat), in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Lat {
    /// Smallest latency.
    pub min: f64,
    /// Largest latency.
    pub max: f64,
    /// Mean latency.
    pub mean: f64,
    /// Standard deviation.
    pub stdev: f64,
}

impl Lat {
    /// The statistics, unless fio printed all zeros (no samples: the engine has no submission
    /// latency, or the statistic was switched off).
    pub fn nonzero(self) -> Option<Lat> {
        let all_zero = self.min == 0.0 && self.max == 0.0 && self.mean == 0.0 && self.stdev == 0.0;
        (!all_zero && [self.min, self.max, self.mean, self.stdev].iter().all(|v| v.is_finite()))
            .then_some(self)
    }

    /// The same statistics multiplied by `k` (a unit change).
    pub fn scaled(self, k: f64) -> Lat {
        Lat {
            min: scale(self.min, k),
            max: scale(self.max, k),
            mean: scale(self.mean, k),
            stdev: scale(self.stdev, k),
        }
    }
}

/// `v * k`, computed as a division when `k` is a fraction like 1e-3 (nanoseconds to
/// microseconds), so that `126423.5` ns gives exactly the double nearest `126.4235` us.
pub(crate) fn scale(v: f64, k: f64) -> f64 {
    if k > 0.0 && k < 1.0 {
        v / (1.0 / k).round()
    } else {
        v * k
    }
}

/// What one job did in one direction. Every field is optional because the formats do not all
/// print everything.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct DirStats {
    /// I/O operations per second.
    pub iops: Option<f64>,
    /// Bandwidth, KiB/s.
    pub bw_kib: Option<f64>,
    /// I/O done, KiB.
    pub io_kib: Option<f64>,
    /// Run time of this direction, ms.
    pub runtime_ms: Option<f64>,
    /// Number of I/Os, used to weight means when clones are added up.
    pub ios: Option<f64>,
    /// Submission latency.
    pub slat: Option<Lat>,
    /// Completion latency.
    pub clat: Option<Lat>,
    /// Total latency.
    pub lat: Option<Lat>,
    /// Completion latency percentiles as (percentile, microseconds).
    pub pcts: Vec<(f64, f64)>,
}

impl DirStats {
    /// Returns true if and only if this direction did any I/O.
    pub fn did_io(&self) -> bool {
        [self.io_kib, self.ios, self.iops, self.bw_kib].iter().any(|v| v.is_some_and(|v| v > 0.0))
    }
}

/// One job's results as one format printed them (one clone, or all clones under
/// `group_reporting`).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Job {
    /// Job name, trimmed (fio keeps trailing spaces of a job file's section name).
    pub name: String,
    /// Group id.
    pub groupid: i64,
    /// fio's error number for the job, 0 when it went well.
    pub error: i64,
    /// fio's words about the error, when it printed some.
    pub error_text: String,
    /// Per-direction results, indexed by [`Ddir::idx`].
    pub dirs: [Option<DirStats>; 4],
    /// User CPU, percent.
    pub cpu_usr: Option<f64>,
    /// System CPU, percent.
    pub cpu_sys: Option<f64>,
    /// Context switches.
    pub ctx: Option<f64>,
    /// The job's run time in ms, to weight CPU percentages of clones.
    pub run_ms: Option<f64>,
    /// How many processes these results cover (`jobs=` of normal output; clones added up).
    pub members: u64,
    /// 1-based line where these results start.
    pub first_line: usize,
    /// 1-based line where they end.
    pub last_line: usize,
}

impl Job {
    /// Returns true if and only if any direction did I/O.
    pub fn did_io(&self) -> bool {
        self.dirs.iter().flatten().any(DirStats::did_io)
    }

    /// The stats of direction `d`, created empty if absent.
    pub fn dir_mut(&mut self, d: Ddir) -> &mut DirStats {
        self.dirs[d.idx()].get_or_insert_with(DirStats::default)
    }
}

/// A run as one of the readers found it, before its metrics are written.
#[derive(Debug, Clone, Default)]
pub(crate) struct Draft {
    /// The job's results (clones already added up).
    pub job: Job,
    /// `fio.<rw>` or, when the output does not say rw, see [`workload_from_name`].
    pub workload: String,
    /// Params (see `docs/metrics.md (fio)`).
    pub params: Params,
    /// Facts: `date`, `filename`, `directory`, `runtime`, `time_based`, `disks`.
    pub facts: BTreeMap<String, String>,
    /// fio version as printed.
    pub version: Option<String>,
    /// Disk utilisation, percent.
    pub disk_util: Option<f64>,
    /// 1-based first line of the run.
    pub first_line: usize,
    /// 1-based last line of the run.
    pub last_line: usize,
    /// Problems the log reports for this run.
    pub issues: Vec<LogIssue>,
    /// Why the run has no results, when it has none: (line, kind, message).
    pub empty: Option<(usize, &'static str, String)>,
    /// Which fio invocation (JSON document, block of terse lines, normal output) it came from.
    pub origin: usize,
}

/// Everything found in a file so far.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// Runs, in file order.
    pub drafts: Vec<Draft>,
    /// `fio: ...` lines.
    pub notes: Vec<Note>,
    /// Notes about the file.
    pub warnings: Vec<Diagnostic>,
    /// Errors that would explain an empty file (a cut JSON document): (line, message).
    pub failures: Vec<(usize, String)>,
    /// Counter of fio invocations, for [`Draft::origin`].
    pub origins: usize,
}

impl Found {
    /// A new invocation id.
    pub fn next_origin(&mut self) -> usize {
        self.origins += 1;
        self.origins
    }
}

/// A line fio writes to stderr about a problem: `fio: pid=0, err=22/file:...`,
/// `fio: terminating on signal 2`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Note {
    /// 1-based line.
    pub line: usize,
    /// The line, trimmed.
    pub text: String,
    /// The `err=` number, when there is one.
    pub err: Option<i64>,
}

impl Note {
    /// The note on `line`, if it is one.
    fn parse(line: &Line) -> Option<Note> {
        let t = line.text.trim();
        if !t.starts_with("fio: ") {
            return None;
        }
        let err = text::after(t, "err=").and_then(|rest| {
            let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            digits.parse().ok()
        });
        Some(Note { line: line.no, text: t.to_string(), err })
    }

    /// The text with `pid=NNN` blanked, so that the same error of many processes reads alike.
    fn without_pid(&self) -> String {
        match self.text.find("pid=") {
            Some(i) => {
                let rest = &self.text[i + 4..];
                let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                format!("{}pid=N{}", &self.text[..i], &rest[digits..])
            }
            None => self.text.clone(),
        }
    }
}

/// Attaches the notes, writes metrics, and refuses a file where no run has results.
fn finish(mut found: Found, last_line: usize) -> Result<ParseOutput, ParseError> {
    attach_notes(&mut found);
    let mut out = ParseOutput { runs: Vec::new(), warnings: found.warnings };
    let mut first_empty: Option<(usize, String)> = None;
    let mut empties = 0;
    for d in found.drafts {
        if let Some((line, _, msg)) = &d.empty {
            empties += 1;
            if first_empty.is_none() {
                first_empty = Some((*line, msg.clone()));
            }
        }
        out.runs.push(to_run(d, &mut out.warnings));
    }
    if out.runs.iter().any(|r| !r.metrics.is_empty()) {
        return Ok(out);
    }
    if let Some((line, msg)) = first_empty {
        let tail = if empties > 1 {
            format!("; none of the {empties} fio jobs in this file has results")
        } else {
            ": the file has no results to read".to_string()
        };
        return Err(ParseError::new(line, format!("{msg}{tail}")));
    }
    if let Some((line, msg)) = found.failures.into_iter().next() {
        return Err(ParseError::new(line, msg));
    }
    Err(ParseError::new(
        last_line.max(1),
        "no fio results found: expected fio JSON output (a '\"fio version\"' key), terse lines \
         ('3;fio-3.33;job;...') or normal output with result blocks \
         ('job: (groupid=0, jobs=1): err= 0: ...' followed by 'read: IOPS=...')",
    ))
}

/// Gives each `fio: ...` note to the run it is about: notes of one invocation go to the job
/// with the same `err=` number, else to its first run without results, else to its first run.
/// A note outside every invocation belongs to the next one (fio prints them before its JSON or
/// terse output), else to the one before. Identical notes of many processes become one issue.
fn attach_notes(found: &mut Found) {
    let notes = std::mem::take(&mut found.notes);
    if found.drafts.is_empty() {
        return;
    }
    // (run index, first note, count, text without pid)
    let mut grouped: Vec<(usize, Note, usize, String)> = Vec::new();
    for note in notes {
        let origin = origin_for(&found.drafts, note.line);
        let members: Vec<usize> =
            (0..found.drafts.len()).filter(|&i| found.drafts[i].origin == origin).collect();
        let Some(&first) = members.first() else { continue };
        let target = note
            .err
            .and_then(|e| members.iter().copied().find(|&i| found.drafts[i].job.error == e))
            .or_else(|| members.iter().copied().find(|&i| !found.drafts[i].job.did_io()))
            .unwrap_or(first);
        // A note printed just before its invocation's output is part of its first run.
        if note.line < found.drafts[first].first_line {
            found.drafts[first].first_line = note.line;
        }
        let key = note.without_pid();
        match grouped.iter_mut().find(|(t, _, _, k)| *t == target && *k == key) {
            Some(g) => g.2 += 1,
            None => grouped.push((target, note, 1, key)),
        }
    }
    for (target, note, count, _) in grouped {
        let kind = if note.err.is_some() { "fio_error" } else { "warning" };
        let message = if count > 1 {
            format!("{} (and {} more lines like it)", note.text, count - 1)
        } else {
            note.text.clone()
        };
        let d = &mut found.drafts[target];
        if let Some((_, _, msg)) = &mut d.empty {
            if note.err.is_some() && !msg.contains(&note.text) {
                msg.push_str(&format!(" (line {}: '{}')", note.line, note.text));
            }
        }
        d.issues.push(LogIssue { line: note.line, kind: kind.to_string(), message });
    }
    for d in &mut found.drafts {
        d.issues.sort_by_key(|i| i.line);
    }
}

/// The invocation a note on `line` belongs to: the one whose runs span it, else the next one,
/// else the last one before it.
fn origin_for(drafts: &[Draft], line: usize) -> usize {
    if let Some(d) = drafts.iter().find(|d| d.first_line <= line && line <= d.last_line) {
        return d.origin;
    }
    if let Some(d) = drafts.iter().filter(|d| d.first_line > line).min_by_key(|d| d.first_line) {
        return d.origin;
    }
    drafts.iter().filter(|d| d.last_line < line).max_by_key(|d| d.last_line).map(|d| d.origin).unwrap_or(0)
}

/// The percentiles written as metrics, with their name part.
const PERCENTILES: &[(f64, &str)] =
    &[(50.0, "p50"), (90.0, "p90"), (95.0, "p95"), (99.0, "p99"), (99.9, "p99_9")];

/// The completion-latency distribution of each direction, as its percentiles declare it
/// ([`Percentile::of`]), in [`Ddir::ALL`] order.
const CLAT: [&str; 4] = ["read_clat", "write_clat", "trim_clat", "mixed_clat"];

/// The candidates for a run's primary metric ([`Run::declare_primary`]): the IOPS of the first
/// direction that did I/O (a job's directions without I/O have no metrics).
const PRIMARY: &[&str] = &["read_iops", "write_iops", "trim_iops"];

/// Writes a draft's metrics into a [`Run`].
fn to_run(d: Draft, warnings: &mut Vec<Diagnostic>) -> Run {
    let mut run = Run::new(TOOL, d.workload, d.first_line);
    run.subsystem = Subsystem::Disk;
    run.last_line = d.last_line.max(d.first_line);
    run.tool_version = d.version;
    run.params = d.params;
    run.facts = d.facts;
    run.issues = d.issues;
    if let Some((line, kind, msg)) = d.empty {
        warnings.push(Diagnostic::new(line, msg.clone()));
        run.issues.push(LogIssue { line, kind: kind.to_string(), message: msg });
        run.issues.sort_by_key(|i| i.line);
        return run;
    }
    let job = &d.job;
    for dir in Ddir::ALL {
        let Some(s) = job.dirs[dir.idx()].as_ref().filter(|s| s.did_io()) else { continue };
        let p = dir.word();
        let put = |run: &mut Run, name: &str, unit: &'static str, better: Better, v: Option<f64>| {
            if let Some(v) = v {
                run.push(format!("{p}_{name}"), unit, better, v);
            }
        };
        put(&mut run, "iops", "IO/s", Better::Higher, s.iops);
        put(&mut run, "bw_kib_per_sec", "KiB/s", Better::Higher, s.bw_kib);
        put(&mut run, "io_kib", "KiB", Better::None, s.io_kib);
        put(&mut run, "runtime_ms", "ms", Better::None, s.runtime_ms);
        if let Some(c) = s.clat {
            put(&mut run, "clat_mean_us", "us", Better::Lower, Some(c.mean));
            put(&mut run, "clat_stdev_us", "us", Better::Lower, Some(c.stdev));
            put(&mut run, "clat_min_us", "us", Better::Lower, Some(c.min));
            put(&mut run, "clat_max_us", "us", Better::Lower, Some(c.max));
        }
        for &(pct, label) in PERCENTILES {
            let v = s.pcts.iter().find(|(p, _)| (p - pct).abs() < 1e-6).map(|&(_, v)| v);
            if let Some(v) = v {
                let of = Percentile::new(CLAT[dir.idx()], pct);
                run.push_percentile(format!("{p}_clat_{label}_us"), "us", Better::Lower, v, of);
            }
        }
        put(&mut run, "lat_mean_us", "us", Better::Lower, s.lat.map(|l| l.mean));
        put(&mut run, "slat_mean_us", "us", Better::Lower, s.slat.map(|l| l.mean));
    }
    if let Some(v) = job.cpu_usr {
        run.push_resource("cpu_usr_pct", "%", Better::None, v);
    }
    if let Some(v) = job.cpu_sys {
        run.push_resource("cpu_sys_pct", "%", Better::None, v);
    }
    if let Some(v) = job.ctx {
        run.push_resource("ctx_switches", "count", Better::None, v);
    }
    if let Some(v) = d.disk_util {
        run.push_resource("disk_util_pct", "%", Better::None, v);
    }
    run.declare_primary(PRIMARY);
    if job.error != 0 && !run.issues.iter().any(|i| i.kind == "fio_error") {
        let detail = if job.error_text.is_empty() { String::new() } else { format!(" ({})", job.error_text) };
        run.issues.push(LogIssue {
            line: job.first_line.max(d.first_line),
            kind: "fio_error".into(),
            message: format!("fio job '{}' reported error {}{detail}", job.name, job.error),
        });
    }
    run
}

/// Adds up the clones of one job (same name and group, printed separately without
/// `group_reporting`). IOPS, bandwidth, I/O and context switches are summed; run time, the
/// largest latency and every percentile are the largest over the clones (fio merges the
/// clones' histograms for `group_reporting`; the largest clone percentile is an upper bound of
/// the merged one); the smallest latency is the smallest; mean latencies are weighted by each
/// clone's number of I/Os and standard deviations pooled the same way; CPU percentages are
/// averaged weighted by each clone's run time, as fio does.
pub(crate) fn merge_clones(mut clones: Vec<Job>) -> Job {
    if clones.len() <= 1 {
        return clones.pop().unwrap_or_default();
    }
    let mut out = Job {
        name: clones[0].name.clone(),
        groupid: clones[0].groupid,
        error: clones.iter().map(|c| c.error).find(|&e| e != 0).unwrap_or(0),
        error_text: clones.iter().find(|c| c.error != 0).map(|c| c.error_text.clone()).unwrap_or_default(),
        members: clones.iter().map(|c| c.members.max(1)).fold(0u64, u64::saturating_add),
        first_line: clones.iter().map(|c| c.first_line).min().unwrap_or(0),
        last_line: clones.iter().map(|c| c.last_line).max().unwrap_or(0),
        ..Job::default()
    };
    for d in Ddir::ALL {
        let parts: Vec<&DirStats> =
            clones.iter().filter_map(|c| c.dirs[d.idx()].as_ref()).filter(|s| s.did_io()).collect();
        if !parts.is_empty() {
            out.dirs[d.idx()] = Some(merge_dirs(&parts));
        }
    }
    let run_w: Vec<f64> = clones.iter().map(|c| c.run_ms.unwrap_or(1.0).max(0.0)).collect();
    out.cpu_usr = weighted_mean(clones.iter().map(|c| c.cpu_usr).zip(run_w.iter().copied()));
    out.cpu_sys = weighted_mean(clones.iter().map(|c| c.cpu_sys).zip(run_w.iter().copied()));
    out.ctx = sum_all(clones.iter().map(|c| c.ctx));
    out.run_ms = clones.iter().filter_map(|c| c.run_ms).reduce(f64::max);
    out
}

/// Adds up one direction of several clones, see [`merge_clones`].
fn merge_dirs(parts: &[&DirStats]) -> DirStats {
    // Weight of each clone: its I/O count, else its I/O volume, else equal.
    let weights: Vec<f64> = if parts.iter().all(|p| p.ios.is_some()) {
        parts.iter().map(|p| p.ios.unwrap_or(0.0)).collect()
    } else if parts.iter().all(|p| p.io_kib.is_some()) {
        parts.iter().map(|p| p.io_kib.unwrap_or(0.0)).collect()
    } else {
        vec![1.0; parts.len()]
    };
    let lat = |f: fn(&DirStats) -> Option<Lat>| -> Option<Lat> {
        let items: Vec<(Lat, f64)> =
            parts.iter().zip(&weights).filter_map(|(p, &w)| f(p).map(|l| (l, w))).collect();
        pool(&items)
    };
    let mut pcts: Vec<(f64, f64)> = Vec::new();
    for p in parts {
        for &(pct, v) in &p.pcts {
            match pcts.iter_mut().find(|(q, _)| (q - pct).abs() < 1e-9) {
                Some(slot) => slot.1 = slot.1.max(v),
                None => pcts.push((pct, v)),
            }
        }
    }
    DirStats {
        iops: sum_all(parts.iter().map(|p| p.iops)),
        bw_kib: sum_all(parts.iter().map(|p| p.bw_kib)),
        io_kib: sum_all(parts.iter().map(|p| p.io_kib)),
        runtime_ms: parts.iter().filter_map(|p| p.runtime_ms).reduce(f64::max),
        ios: sum_all(parts.iter().map(|p| p.ios)),
        slat: lat(|p| p.slat),
        clat: lat(|p| p.clat),
        lat: lat(|p| p.lat),
        pcts,
    }
}

/// The sum of the values, or `None` unless every one is present.
fn sum_all(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    values.sum::<Option<f64>>()
}

/// Mean of the present values weighted by their weights (equal weights if they sum to 0).
fn weighted_mean(items: impl Iterator<Item = (Option<f64>, f64)>) -> Option<f64> {
    let items: Vec<(f64, f64)> = items.filter_map(|(v, w)| v.map(|v| (v, w))).collect();
    if items.is_empty() {
        return None;
    }
    let total: f64 = items.iter().map(|&(_, w)| w).sum();
    if total > 0.0 {
        Some(items.iter().map(|&(v, w)| v * w).sum::<f64>() / total)
    } else {
        Some(items.iter().map(|&(v, _)| v).sum::<f64>() / items.len() as f64)
    }
}

/// Pools latency statistics of clones weighted by their I/O counts: weighted mean, pooled
/// standard deviation `sqrt(sum w (s^2 + (m - M)^2) / sum w)`, smallest min, largest max.
pub(crate) fn pool(items: &[(Lat, f64)]) -> Option<Lat> {
    if items.is_empty() {
        return None;
    }
    if items.len() == 1 {
        return Some(items[0].0);
    }
    let mut total: f64 = items.iter().map(|&(_, w)| w).sum();
    let equal = total.is_nan() || total <= 0.0;
    if equal {
        total = items.len() as f64;
    }
    let w = |x: f64| if equal { 1.0 } else { x };
    let mean = items.iter().map(|&(l, wt)| l.mean * w(wt)).sum::<f64>() / total;
    let var = items
        .iter()
        .map(|&(l, wt)| w(wt) * (l.stdev * l.stdev + (l.mean - mean) * (l.mean - mean)))
        .sum::<f64>()
        / total;
    Some(Lat {
        min: items.iter().map(|&(l, _)| l.min).fold(f64::INFINITY, f64::min),
        max: items.iter().map(|&(l, _)| l.max).fold(f64::NEG_INFINITY, f64::max),
        mean,
        stdev: var.max(0.0).sqrt(),
    })
}

/// fio's `rw` words, for job names that say what they do (terse output does not print rw).
const RW_WORDS: &[&str] = &[
    "read",
    "write",
    "trim",
    "randread",
    "randwrite",
    "randtrim",
    "rw",
    "readwrite",
    "randrw",
    "trimwrite",
    "randtrimwrite",
];

/// `fio.<rw>` for an `rw` value as printed: the part before any `:` offset modifier, with
/// `readwrite` spelled `rw` (fio takes both for the same thing).
pub(crate) fn workload_from_rw(rw: &str) -> String {
    let base = rw.split(':').next().unwrap_or("").trim().to_ascii_lowercase();
    let base = if base == "readwrite" { "rw".to_string() } else { base };
    if base.is_empty() {
        "fio.job".to_string()
    } else {
        format!("fio.{base}")
    }
}

/// The workload of a job whose output does not say rw: `fio.<name>` (an rw word used as the
/// job name, like `read`, reads as that rw), or `fio.job` for an empty name.
pub(crate) fn workload_from_name(name: &str) -> String {
    let n = name.trim();
    if n.is_empty() {
        return "fio.job".to_string();
    }
    if RW_WORDS.iter().any(|w| w.eq_ignore_ascii_case(n)) {
        return workload_from_rw(n);
    }
    format!("fio.{n}")
}

/// A block size as fio options spell it, from bytes: `4k`, `1m`, `512`, the largest binary
/// suffix that divides it exactly.
pub(crate) fn size_word(bytes: f64) -> String {
    if !(bytes.is_finite() && bytes >= 0.0 && bytes.fract() == 0.0 && bytes < 1e18) {
        return format!("{bytes}");
    }
    let b = bytes as u64;
    for (suffix, unit) in [("p", 1u64 << 50), ("t", 1 << 40), ("g", 1 << 30), ("m", 1 << 20), ("k", 1 << 10)]
    {
        if b >= unit && b.is_multiple_of(unit) {
            return format!("{}{suffix}", b / unit);
        }
    }
    b.to_string()
}

/// One direction's block size: a single size or a range, in bytes.
pub(crate) type BsRange = (f64, f64);

/// The canonical `bs` param from the read, write and trim block sizes (see
/// `docs/metrics.md (fio)`): `4k` when all three agree, `4k,8k` when write and trim agree,
/// `4k,8k,16k` otherwise; a range is `4k-16k`.
pub(crate) fn bs_word(dirs: &[BsRange]) -> String {
    let one = |&(lo, hi): &BsRange| {
        if lo == hi {
            size_word(lo)
        } else {
            format!("{}-{}", size_word(lo), size_word(hi))
        }
    };
    match dirs {
        [] => String::new(),
        [a] => one(a),
        [a, b] if a == b => one(a),
        [a, b] => format!("{},{}", one(a), one(b)),
        [a, b, c, ..] if a == b && b == c => one(a),
        [a, b, c, ..] if b == c => format!("{},{}", one(a), one(b)),
        [a, b, c, ..] => format!("{},{},{}", one(a), one(b), one(c)),
    }
}

/// Parses a size given to fio as an option value (`4k`, `1m`, `4096`, `1gb`, `4KiB`) into
/// bytes. fio's default `kb_base=1024` is a compatibility mode where `k`/`kb` mean 1024 and the
/// IEC `ki`/`kib` mean 1000 (`man fio`, section Units); with `kb_base=1000` it is the other way
/// round.
pub(crate) fn option_bytes(s: &str, kb_base_1000: bool) -> Option<f64> {
    let s = s.trim();
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    // fio 2.0 prints small rates in bytes with a space: `bw=583462 B/s`.
    let unit = unit.trim_start();
    let v = text::num(digits)?;
    let unit = unit.trim().to_ascii_lowercase();
    let unit = unit.strip_suffix('b').unwrap_or(&unit);
    let (prefix, iec) = match unit.strip_suffix('i') {
        Some(p) => (p, true),
        None => (unit, false),
    };
    let power = match prefix {
        "" if !iec => 0,
        "k" => 1,
        "m" => 2,
        "g" => 3,
        "t" => 4,
        "p" => 5,
        _ => return None,
    };
    let base: f64 = if iec != kb_base_1000 { 1000.0 } else { 1024.0 };
    Some(v * base.powi(power))
}

/// Parses a size or rate as fio *prints* it (`53.9GiB`, `920MiB/s`, `965MB/s`, `4096B`,
/// `29854MB`, `254727KB/s`) into bytes (per second). IEC prefixes (`Ki`, `Mi`) are powers of
/// 1024. fio 3 prints SI prefixes (`kB`, `MB`) as powers of 1000 (`man fio`: "Outputs always
/// use correct prefixes"); fio 2 printed `KB`, `MB` for powers of 1024, which is what
/// `si_decimal = false` reads. A `bit` unit is divided by 8.
pub(crate) fn out_bytes(s: &str, si_decimal: bool) -> Option<f64> {
    let s = s.trim();
    let s = s.strip_suffix("/s").unwrap_or(s);
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    // fio 2.0 prints small rates in bytes with a space: `bw=583462 B/s`.
    let unit = unit.trim_start();
    let v = text::num(digits)?;
    let (prefix, per_byte) = if let Some(p) = unit.strip_suffix("bit") {
        (p, 0.125)
    } else if let Some(p) = unit.strip_suffix('B') {
        (p, 1.0)
    } else {
        (unit, 1.0)
    };
    let (letter, iec) = match prefix.strip_suffix('i') {
        Some(p) => (p, true),
        None => (prefix, false),
    };
    let power = match letter {
        "" if !iec => 0,
        "k" | "K" => 1,
        "M" => 2,
        "G" => 3,
        "T" => 4,
        "P" => 5,
        _ => return None,
    };
    let base = if iec || !si_decimal { 1024.0f64 } else { 1000.0 };
    Some(v * base.powi(power) * per_byte)
}

/// Microseconds per unit of a latency unit fio prints: `nsec`, `usec`, `msec`, `sec`.
pub(crate) fn us_per(unit: &str) -> Option<f64> {
    match unit.trim() {
        "nsec" | "ns" => Some(1e-3),
        "usec" | "us" => Some(1.0),
        "msec" | "ms" => Some(1e3),
        "sec" | "s" => Some(1e6),
        _ => None,
    }
}

/// Adds the params read from fio job options (JSON `global options` then `job options`, or
/// anything with the same keys) to `params`, and facts to `facts`. Returns the `rw` value.
pub(crate) fn params_from_options(
    options: &[(String, String)],
    params: &mut Params,
    facts: &mut BTreeMap<String, String>,
) -> Option<String> {
    let get = |keys: &[&str]| -> Option<String> {
        options
            .iter()
            .rev()
            .find(|(k, _)| keys.contains(&k.as_str()))
            .map(|(_, v)| v.replace("%%", "%").trim().to_string())
    };
    let kb1000 = get(&["kb_base"]).is_some_and(|v| v == "1000");
    let rw = get(&["rw", "readwrite"]);
    if let Some(rw) = &rw {
        let rw = rw.to_ascii_lowercase();
        let normal = match rw.split_once(':') {
            Some(("readwrite", rest)) => format!("rw:{rest}"),
            _ if rw == "readwrite" => "rw".to_string(),
            _ => rw,
        };
        params.insert("rw".into(), normal);
    }
    if let Some(bs) = get(&["bs", "blocksize"]) {
        params.insert("bs".into(), option_bs(&bs, kb1000).unwrap_or(bs));
    } else if let Some(bs) = get(&["bsrange", "blocksize_range"]) {
        params.insert("bs".into(), option_bs(&bs, kb1000).unwrap_or(bs));
    }
    for key in ["iodepth", "numjobs", "rwmixread"] {
        if let Some(v) = get(&[key]) {
            params.insert(key.into(), int_word(&v));
        }
    }
    if !params.contains_key("rwmixread") {
        if let Some(w) = get(&["rwmixwrite"]).and_then(|v| v.parse::<i64>().ok()) {
            params.insert("rwmixread".into(), (100 - w.clamp(0, 100)).to_string());
        }
    }
    if let Some(v) = get(&["ioengine"]) {
        params.insert("ioengine".into(), v);
    }
    if let Some(v) = get(&["direct"]).and_then(|v| bool_word(&v)) {
        params.insert("direct".into(), v.into());
    } else if let Some(v) = get(&["buffered"]).and_then(|v| bool_word(&v)) {
        params.insert("direct".into(), if v == "1" { "0" } else { "1" }.into());
    }
    for key in ["size", "filesize"] {
        if let Some(v) = get(&[key]) {
            let canon = if v.ends_with('%') { None } else { option_bytes(&v, kb1000).map(size_word) };
            params.insert(key.into(), canon.unwrap_or(v));
        }
    }
    for key in ["fsync", "fdatasync", "rate", "rate_iops", "thinktime", "random_distribution", "verify"] {
        if let Some(v) = get(&[key]) {
            params.insert(key.into(), v);
        }
    }
    for key in [fact::FILENAME, fact::DIRECTORY, "runtime", "time_based", "ramp_time"] {
        if let Some(v) = get(&[key]) {
            facts.insert(key.into(), v);
        }
    }
    rw
}

/// A `bs`/`bsrange` option value (`4k`, `8k,32k`, `,8k`, `4k-16k`) as [`bs_word`] spells it.
/// An empty entry is fio's default, 4096; a list not ending in a comma repeats its last entry.
fn option_bs(v: &str, kb1000: bool) -> Option<String> {
    let parts: Vec<&str> = v.split(',').collect();
    let one = |p: &str| -> Option<BsRange> {
        let p = p.trim();
        if p.is_empty() {
            return Some((4096.0, 4096.0));
        }
        match p.split_once(['-', ':']) {
            Some((lo, hi)) => Some((option_bytes(lo, kb1000)?, option_bytes(hi, kb1000)?)),
            None => option_bytes(p, kb1000).map(|b| (b, b)),
        }
    };
    let mut dirs = Vec::with_capacity(3);
    for i in 0..3 {
        let entry = match parts.get(i) {
            Some(p) => one(p)?,
            None => *dirs.last()?,
        };
        dirs.push(entry);
    }
    Some(bs_word(&dirs))
}

/// An integer option value without leading zeros (`01` → `1`), else as given.
pub(crate) fn int_word(v: &str) -> String {
    v.trim().parse::<i64>().map(|n| n.to_string()).unwrap_or_else(|_| v.trim().to_string())
}

/// A boolean option value as `1`/`0`.
fn bool_word(v: &str) -> Option<&'static str> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some("1"),
        "0" | "false" | "no" | "off" => Some("0"),
        _ => None,
    }
}

/// The disk utilisation to report: the largest `util` among the disks fio lists, or, when
/// `device` names one of them (`/dev/sdb` and `sdb`), that disk's.
pub(crate) fn pick_disk_util(disks: &[(String, f64)], device: Option<&str>) -> Option<f64> {
    if let Some(dev) = device {
        for name in dev.split(':') {
            let base = name.trim().rsplit('/').next().unwrap_or("");
            if let Some((_, u)) = disks.iter().find(|(n, _)| !base.is_empty() && n == base) {
                return Some(*u);
            }
        }
    }
    disks.iter().map(|&(_, u)| u).filter(|u| u.is_finite()).reduce(f64::max)
}

#[cfg(test)]
mod tests;
