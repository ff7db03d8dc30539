//! The tidy record types every parser produces, and the contracts between the layers.
//!
//! Parsers return [`Run`]s (typed, easy to snapshot); [`crate::ingest`] adds where each run
//! came from and how it was labelled ([`IngestedRun`]); `crate::table` turns those into the
//! long tables that `virtperf ingest` writes. A group of runs is named by a [`GroupId`]. Nothing
//! here reads files, uses polars, or knows about any tool's format.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub mod exit;
pub mod fact;
pub(crate) mod group;
pub mod manifest;

pub use group::GroupId;

/// What ingest puts before the metric names of a monitor log that ran on the host beside a
/// container or a VM (`host_cpu_pct_mean`): what the host saw, kept apart from what the
/// platform saw of itself.
pub const HOST_PREFIX: &str = "host_";

/// The metric of a monitor log that is the mean CPU share of the processes it watched, in
/// percent of one CPU (pidstat's `%CPU`, summed over the processes of a sample and averaged
/// over the samples): the one the report draws inside the platform and on the host.
pub const CPU_SHARE: &str = "cpu_pct_mean";

/// Which direction of a metric is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    /// Larger values are better (throughput).
    Higher,
    /// Smaller values are better (latency, time, resource use).
    Lower,
    /// Neither (counts, configuration echoes).
    None,
}

impl Better {
    /// The word used in the tables: `higher`, `lower` or `none`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Better::Higher => "higher",
            Better::Lower => "lower",
            Better::None => "none",
        }
    }

    /// Parses the word written by [`Better::as_str`].
    pub fn parse(s: &str) -> Option<Better> {
        match s {
            "higher" => Some(Better::Higher),
            "lower" => Some(Better::Lower),
            "none" => Some(Better::None),
            _ => None,
        }
    }
}

impl fmt::Display for Better {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a metric measures: how fast the benchmark did its work, or how much of the machine a
/// process used while it ran. The two get different words in a report: a platform is
/// "slower" or "faster" on a performance metric, but "uses more" or "uses less" of a resource
/// (a VM that read less from disk did less, it was not faster).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// What the benchmark measured about its own work: throughput, latency, time.
    #[default]
    Performance,
    /// What a monitor saw a process use: CPU %, memory, page faults, context switches, disk
    /// I/O (pidstat; fio's CPU and context-switch counts).
    Resource,
}

impl Kind {
    /// The word used in the tables: `performance` or `resource`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Performance => "performance",
            Kind::Resource => "resource",
        }
    }

    /// Parses the word written by [`Kind::as_str`].
    pub(crate) fn parse(s: &str) -> Option<Kind> {
        match s {
            "performance" => Some(Kind::Performance),
            "resource" => Some(Kind::Resource),
            _ => None,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The part of the machine a run's work exercises, declared by the parser from the work
/// (sysbench's test, fio, wrk); the report's per-subsystem summary pools the workloads of one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Subsystem {
    /// Processor: sysbench cpu, threads, mutex.
    Cpu,
    /// Memory bandwidth: sysbench memory.
    Memory,
    /// Storage I/O: sysbench fileio, fio.
    Disk,
    /// The network path to a server: wrk, wrk2.
    Network,
    /// Anything else: a database (sysbench OLTP), a workload the parser cannot tell, a
    /// monitor's log on its own.
    #[default]
    Application,
}

impl Subsystem {
    /// The word used in the tables: `cpu`, `memory`, `disk`, `network` or `application`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Subsystem::Cpu => "cpu",
            Subsystem::Memory => "memory",
            Subsystem::Disk => "disk",
            Subsystem::Network => "network",
            Subsystem::Application => "application",
        }
    }

    /// Parses the word written by [`Subsystem::as_str`].
    pub(crate) fn parse(s: &str) -> Option<Subsystem> {
        match s {
            "cpu" => Some(Subsystem::Cpu),
            "memory" => Some(Subsystem::Memory),
            "disk" => Some(Subsystem::Disk),
            "network" => Some(Subsystem::Network),
            "application" => Some(Subsystem::Application),
            _ => None,
        }
    }
}

impl fmt::Display for Subsystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a run is, declared by its parser: a benchmark that did work of its own, or a monitor
/// that watched another tool's run (pidstat). Runs are counted as benchmark runs; a monitor's
/// log is counted apart, and its figures join the benchmark run it was recorded beside.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A benchmark's own output (sysbench, fio, wrk).
    #[default]
    Benchmark,
    /// A monitor's log (pidstat).
    Monitor,
}

impl Role {
    /// The word used in the tables: `benchmark` or `monitor`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Role::Benchmark => "benchmark",
            Role::Monitor => "monitor",
        }
    }

    /// Parses the word written by [`Role::as_str`].
    pub(crate) fn parse(s: &str) -> Option<Role> {
        match s {
            "benchmark" => Some(Role::Benchmark),
            "monitor" => Some(Role::Monitor),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which percentile of which distribution a metric is, declared by the parser that makes the
/// metric: `read_clat_p99_9_us` is `{ of: "read_clat", p: 99.9 }`, wrk's `latency_p99_ms` and
/// sysbench's `latency_p95_ms` are `{ of: "latency", p: 99 }` and `{ of: "latency", p: 95 }`.
/// The report draws the percentiles of one distribution together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Percentile {
    /// The distribution: the metric name without its percentile and unit (`read_clat`,
    /// `latency`); the percentiles of one run that share it are one distribution.
    pub of: Cow<'static, str>,
    /// The percentile, strictly between 0 and 100: `50`, `99.9`, `99.999`.
    pub p: f64,
}

impl Percentile {
    /// Percentile `p` of distribution `of`.
    pub fn new(of: impl Into<Cow<'static, str>>, p: f64) -> Percentile {
        Percentile { of: of.into(), p }
    }
}

/// What the parser declared about one metric of one run besides its unit, direction and kind:
/// the columns `role`, `subsystem`, `primary`, `percentile_of`, `percentile` and `time_limit` of
/// a metrics-table row, as [`crate::analyse`] reads them (from raw runs or from a table).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Declared {
    /// The run's role ([`Run::role`]).
    pub role: Role,
    /// The run's subsystem ([`Run::subsystem`]).
    pub subsystem: Subsystem,
    /// The metric is the run's primary metric ([`Run::primary`]).
    pub primary: bool,
    /// The metric's percentile ([`Metric::percentile`]).
    pub percentile: Option<Percentile>,
    /// The metric echoes the run's time limit ([`Metric::time_limit`]).
    pub time_limit: bool,
}

impl Declared {
    /// The declarations of metric `m` of run `r`.
    pub(crate) fn of(r: &Run, m: &Metric) -> Declared {
        Declared {
            role: r.role,
            subsystem: r.subsystem,
            primary: r.primary.as_deref() == Some(m.name.as_ref()),
            percentile: m.percentile.as_deref().cloned(),
            time_limit: m.time_limit,
        }
    }
}

/// One number a run produced. The name carries the unit (`latency_avg_ms`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// Metric name, unit suffixed: `events_per_sec`, `read_clat_p99_us`. Most names are
    /// fixed strings: borrowed, they cost no allocation per metric (an ingest holds every
    /// run's metrics until its table is written).
    pub name: Cow<'static, str>,
    /// Unit, spelled out: `events/s`, `ms`, `MiB/s`, `KiB`, `%`, `count`.
    pub unit: Cow<'static, str>,
    /// Which direction is better.
    pub better: Better,
    /// Performance or resource; declared by the parser that makes the metric.
    #[serde(default)]
    pub kind: Kind,
    /// The value, always finite.
    pub value: f64,
    /// Which percentile of which distribution the metric is, when it is one; declared by the
    /// parser that makes the metric. Boxed: most metrics are none, and an ingest holds every
    /// run's metrics until its table is written (inline, it made every metric a third larger).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percentile: Option<Box<Percentile>>,
    /// The metric is the run's elapsed time and only echoes the time limit the run was given
    /// (sysbench's `total_time_s` of a run stopped by `--time`): repetitions of one workload
    /// then take about as long, and one that did not stalled or was cut short. Declared by the
    /// parser that makes the metric.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub time_limit: bool,
}

impl Metric {
    /// Builds a performance metric.
    pub(crate) fn new(
        name: impl Into<Cow<'static, str>>,
        unit: impl Into<Cow<'static, str>>,
        better: Better,
        value: f64,
    ) -> Metric {
        Metric {
            name: name.into(),
            unit: unit.into(),
            better,
            kind: Kind::Performance,
            value,
            percentile: None,
            time_limit: false,
        }
    }

    /// The same metric declared as `kind`.
    pub(crate) fn with_kind(self, kind: Kind) -> Metric {
        Metric { kind, ..self }
    }

    /// The same metric declared as `percentile`.
    pub(crate) fn with_percentile(self, percentile: Percentile) -> Metric {
        Metric { percentile: Some(Box::new(percentile)), ..self }
    }

    /// The same metric declared as echoing the run's time limit ([`Metric::time_limit`]) when
    /// `echoes` is true.
    pub(crate) fn with_time_limit(self, echoes: bool) -> Metric {
        Metric { time_limit: echoes, ..self }
    }
}

/// One per-interval sample of a time series (sysbench `--report-interval`, a pidstat row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Seconds since the run's first sample (sysbench intervals: the interval's end as printed,
    /// `[ 1s ]` is 1.0; pidstat: 0.0 at the first row of the run).
    pub t_s: f64,
    /// What was sampled: `sysbench`, `fio`, or for pidstat `<command>[<pid>]`.
    pub entity: String,
    /// Metric name, unit suffixed, as for [`Metric::name`].
    pub metric: String,
    /// Unit of the value, declared by the parser that samples it: `events/s`, `ms`, `%`,
    /// `KiB`, `kB/s` (pidstat's `kB_rd/s`), empty when it has none.
    #[serde(default)]
    pub unit: Cow<'static, str>,
    /// The sampled value.
    pub value: f64,
}

/// Something the log itself reports as having gone wrong in a run: wrk socket errors, a fio job
/// with `err=`, a sysbench `FATAL:` line, a run that stops before its results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogIssue {
    /// 1-based line in the source file where the problem shows.
    pub line: usize,
    /// Short machine-readable kind: `socket_errors`, `non_2xx`, `fio_error`, `fatal`,
    /// `truncated`, `ignored_errors`, `unsupported`, `warning`, `stalled` (intervals with no
    /// throughput), `failed` (the log shows the run did no work) and `run_failed` (the manifest
    /// records the run as failed or timed out).
    pub kind: String,
    /// What the log says, for people.
    pub message: String,
}

/// The benchmark options of a run, read from its output: a sorted map, so the canonical string
/// (`cpu-max-prime=20000;threads=2`) is the same however the output ordered them.
pub(crate) type Params = BTreeMap<String, String>;

/// Renders params canonically: `key=value` pairs sorted by key, joined with `;`.
pub fn params_string(params: &Params) -> String {
    let mut out = String::new();
    for (i, (k, v)) in params.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// One benchmark run as a parser found it in a file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// Tool that wrote the output: `sysbench`, `fio`, `wrk`, `pidstat`.
    pub tool: String,
    /// Tool version as printed (`1.0.20`, `fio-3.33`, `12.6.1`), when the output says.
    pub tool_version: Option<String>,
    /// Workload: `sysbench.cpu`, `sysbench.oltp_read_write`, `fio.randread`, `wrk`, `pidstat`.
    pub workload: String,
    /// Benchmark options read from the output.
    pub params: Params,
    /// 1-based first line of this run in the source file.
    pub first_line: usize,
    /// 1-based last line of this run in the source file (inclusive).
    pub last_line: usize,
    /// The run's numbers.
    pub metrics: Vec<Metric>,
    /// Per-interval samples, only filled when the caller asked for series.
    pub series: Vec<Sample>,
    /// Problems the log itself reports for this run.
    pub issues: Vec<LogIssue>,
    /// Facts the output states about the machine or the run: `host`, `kernel`, `cpus`,
    /// `date`, `command`, `target` (wrk URL), `filename` (fio).
    pub facts: BTreeMap<String, String>,
    /// Benchmark or monitor, declared by the parser (pidstat logs are monitors).
    #[serde(default)]
    pub role: Role,
    /// The part of the machine the run's work exercises, declared by the parser from the work.
    #[serde(default)]
    pub subsystem: Subsystem,
    /// The name of the run's primary metric (the one a comparison of platforms is about), as
    /// the parser decides it from the work the run did: sysbench fileio's written MiB/s for a
    /// write mode, fio's IOPS of the first direction that did I/O, wrk's requests/s, ... Of the
    /// parser's candidates, the first that this run measured as more than 0. `None` when the
    /// run has none of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<Cow<'static, str>>,
    /// For a monitor's log: the process whose rows its metrics sum (pidstat's `process`
    /// param, `sysbench`); `None` when it summed every process, and for a benchmark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitored: Option<String>,
    /// For a monitor: the series metrics a report draws and the title of each, in that order
    /// (pidstat: `("cpu_pct", "CPU %")`, resident memory, disk reads and writes); its other
    /// series are kept but not drawn. Empty for a benchmark, whose series are all drawn under
    /// their metric names. Declared by the parser; not a column of the tables.
    #[serde(skip)]
    pub drawn_series: &'static [(&'static str, &'static str)],
}

impl Run {
    /// Starts a run of `tool` / `workload` at `first_line`.
    pub(crate) fn new(tool: &str, workload: impl Into<String>, first_line: usize) -> Run {
        Run {
            tool: tool.to_string(),
            workload: workload.into(),
            first_line,
            last_line: first_line,
            ..Run::default()
        }
    }

    /// Adds a metric; values that are not finite are dropped (a statistic that is not
    /// available is absent, never NaN).
    pub(crate) fn push(
        &mut self,
        name: impl Into<Cow<'static, str>>,
        unit: impl Into<Cow<'static, str>>,
        better: Better,
        value: f64,
    ) {
        if value.is_finite() {
            self.metrics.push(Metric::new(name, unit, better, value));
        }
    }

    /// Adds `metric`, unless its value is not finite (see [`Run::push`]).
    pub(crate) fn push_metric(&mut self, metric: Metric) {
        if metric.value.is_finite() {
            self.metrics.push(metric);
        }
    }

    /// Adds a metric that is percentile `percentile`; like [`Run::push`] otherwise.
    pub(crate) fn push_percentile(
        &mut self,
        name: impl Into<Cow<'static, str>>,
        unit: impl Into<Cow<'static, str>>,
        better: Better,
        value: f64,
        percentile: Percentile,
    ) {
        self.push_metric(Metric::new(name, unit, better, value).with_percentile(percentile));
    }

    /// Declares the first of `candidates` that this run measured as more than 0 its primary
    /// metric; else the first it has at all; else none ([`Run::primary`]).
    pub(crate) fn declare_primary(&mut self, candidates: &[&'static str]) {
        let has = |name: &str, nonzero: bool| {
            self.metrics.iter().any(|m| m.name == name && (!nonzero || m.value != 0.0))
        };
        self.primary = candidates
            .iter()
            .find(|c| has(c, true))
            .or_else(|| candidates.iter().find(|c| has(c, false)))
            .map(|c| Cow::Borrowed(*c));
    }

    /// Adds a resource metric (what a process used: CPU, memory, faults, context switches, disk
    /// I/O); like [`Run::push`] otherwise.
    pub(crate) fn push_resource(
        &mut self,
        name: impl Into<Cow<'static, str>>,
        unit: impl Into<Cow<'static, str>>,
        better: Better,
        value: f64,
    ) {
        if value.is_finite() {
            self.metrics.push(Metric::new(name, unit, better, value).with_kind(Kind::Resource));
        }
    }

    /// The value of metric `name`, if the run has it.
    pub fn metric(&self, name: &str) -> Option<f64> {
        self.metrics.iter().find(|m| m.name == name).map(|m| m.value)
    }
}

/// Where a run's platform label came from, in the order they are consulted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LabelOrigin {
    /// `--label KEY=VALUE` on the command line.
    Cli,
    /// A `--labels` mapping file.
    Mapping,
    /// The executor's `manifest.json`.
    Manifest,
    /// A word in the file's path (`docker`, `native`, `qemu`, ...).
    Path,
    /// Nothing said: `unknown`, with a warning.
    Unknown,
    /// Read back from a table or store that `virtperf ingest` wrote, which recorded the labels
    /// (and how each was decided, in its `label_origin` column).
    Table,
}

impl LabelOrigin {
    /// The word written in the tables.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            LabelOrigin::Cli => "cli",
            LabelOrigin::Mapping => "mapping",
            LabelOrigin::Manifest => "manifest",
            LabelOrigin::Path => "path",
            LabelOrigin::Unknown => "unknown",
            LabelOrigin::Table => "table",
        }
    }
}

/// The word in a file's path that decided its platform, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathWord {
    /// The word as the path writes it (`Docker`, `vm2`, `qemu-kvm`).
    pub word: String,
    /// The path component that holds it (a folder's name, or the file name).
    pub component: String,
    /// How far the component is from the file: 0 for the file name, 1 for its folder, 2 for
    /// the folder above, ...
    pub depth: usize,
    /// The path up to and including that component, as shown.
    pub prefix: String,
}

/// How a file was labelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labels {
    /// `native`, `docker`, `podman`, `kvm`, `qemu`, `vm`, a user's own word, or `unknown`.
    pub platform: String,
    /// Finer detail: disk format (`raw`, `qcow2`), `configN`, -smp/-m, accel. Empty when none.
    pub platform_detail: String,
    /// `native`, `container` or `vm` (see `crate::label::family_of`), or `unknown` for a word
    /// virtperf does not know (unless a label gives it).
    pub platform_family: String,
    /// The path word that decided `platform`, when the path did.
    pub path_word: Option<PathWord>,
    /// Where `platform` came from.
    pub origin: LabelOrigin,
    /// For people: which word, flag or file decided (`path word 'docker' in folder 'docker'`).
    pub how: String,
    /// Campaign name, when a manifest or `--label campaign=` gives one.
    pub campaign: String,
    /// For a pidstat log: the benchmark output it was recorded beside, as the manifest pairs
    /// them (the ingester also pairs `repN.pidstat` with `repN.txt` in the same folder).
    pub companion: Option<PathBuf>,
    /// The pidstat log was taken on the host (of the VM or container), not on the platform.
    pub host_side: bool,
    /// The repetition number the manifest records.
    pub repetition: Option<usize>,
    /// What the manifest says went wrong with the run (`failed`, exit status 2), if anything.
    pub run_failed: Option<String>,
    /// For the output of a `command` workload of `virtperf run`: what it measures, as the
    /// manifest records the plan's declaration.
    pub measure: Option<manifest::Measure>,
    /// The platform's factors from the plan's `[platform.matrix]` (`cpus` -> `2`, `format` ->
    /// `qcow2`), as the manifest of `virtperf run` records them; empty otherwise.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub factors: BTreeMap<String, String>,
    /// The platform's kind in `virtperf run` (`native`, `docker`, `ssh`, `qemu`), from the
    /// manifest; empty otherwise. The platforms one matrix expanded share it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub platform_kind: String,
}

impl Default for Labels {
    fn default() -> Labels {
        Labels {
            platform: "unknown".into(),
            platform_detail: String::new(),
            platform_family: "unknown".into(),
            path_word: None,
            origin: LabelOrigin::Unknown,
            how: "nothing in the path or labels named a platform".into(),
            campaign: String::new(),
            companion: None,
            host_side: false,
            repetition: None,
            run_failed: None,
            measure: None,
            factors: BTreeMap::new(),
            platform_kind: String::new(),
        }
    }
}

/// A run together with where it came from and how it was labelled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IngestedRun {
    /// The source file, as given on the command line (or found under a given folder).
    pub source: String,
    /// 1-based index of this run among the runs of its source file, in file order.
    pub run: usize,
    /// 1-based repetition among runs of the same source, workload and params, in file order
    /// (or as the manifest records it).
    pub repetition: usize,
    /// Labels of the run.
    pub labels: Labels,
    /// The run itself.
    pub data: Run,
    /// For a monitor's log recorded beside a benchmark's run: that run, as the ingester paired
    /// them (from the manifest, or `rep1.pidstat` beside `rep1.txt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub companion: Option<Companion>,
}

/// What happened to one input file: how it was read and labelled, or why it could not be.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FileReport {
    /// The path, as shown everywhere else.
    pub source: String,
    /// Size in bytes.
    pub bytes: u64,
    /// sha256 of the content, hex, when asked for.
    pub sha256: Option<String>,
    /// Parser that read it, if one did.
    pub parser: Option<&'static str>,
    /// Number of runs found.
    pub runs: usize,
    /// How it was labelled.
    pub labels: Labels,
    /// The error that stopped it, if any.
    pub error: Option<String>,
    /// Notes, each `path:line: message`.
    pub warnings: Vec<String>,
}

/// The benchmark run a monitor's log was recorded beside. The log takes that run's workload,
/// params, subsystem and repetition, so its figures sit in the benchmark's group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Companion {
    /// The benchmark's output (its [`IngestedRun::source`]).
    pub beside: String,
    /// The log was taken on the host of the VM or container, not inside it: its metrics are
    /// named `host_...` and never mixed with what the monitor saw inside.
    pub host_side: bool,
}

impl LogIssue {
    /// Returns true if and only if the issue says the whole run failed: the manifest recorded
    /// it as failed or timed out (`run_failed`), or the log shows it did no work at all
    /// (`failed`: a wrk run that completed no request), rather than a problem inside a run that
    /// finished.
    pub(crate) fn fails_run(&self) -> bool {
        matches!(self.kind.as_str(), "run_failed" | "failed")
    }
}

impl Run {
    /// Returns true if and only if some issue fails the whole run ([`LogIssue::fails_run`]).
    pub fn failed(&self) -> bool {
        self.issues.iter().any(LogIssue::fails_run)
    }
}

/// The columns of the metrics table that hold what the parsers declare ([`Declared`]), added
/// after the others; a table written before they existed lacks them.
pub(crate) const DECLARED_COLUMNS: &[&str] =
    &["role", "subsystem", "primary", "percentile_of", "percentile", "time_limit"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_are_sorted_and_joined() {
        let mut p = Params::new();
        p.insert("threads".into(), "2".into());
        p.insert("cpu-max-prime".into(), "20000".into());
        assert_eq!(params_string(&p), "cpu-max-prime=20000;threads=2");
        assert_eq!(params_string(&Params::new()), "");
    }

    #[test]
    fn non_finite_metrics_are_dropped() {
        let mut r = Run::new("sysbench", "sysbench.cpu", 1);
        r.push("a", "ms", Better::Lower, f64::NAN);
        r.push("b", "ms", Better::Lower, f64::INFINITY);
        r.push("c", "ms", Better::Lower, 1.5);
        assert_eq!(r.metrics.len(), 1);
        assert_eq!(r.metric("c"), Some(1.5));
    }
}
