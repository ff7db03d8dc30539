//! A metrics table written by `virtperf ingest`, read back as an input of the analysis: its
//! observations and log issues ([`MetricsTable::dataset`]), what it holds counted as people
//! count it ([`Counts`]) and the platform family of each source file it names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use foldhash::{HashMap, HashMapExt};
use polars::prelude::{Column, DataFrame, DataType};

use crate::analyse::{arm_name, Dataset, Interner, MetricInfo, Obs, RunInfo, RunIssue};
use crate::ingest::{self, Ingested, TableCells};
use crate::model::{self, Better, Declared, Kind, LogIssue, Percentile, Role, Subsystem};

/// The columns a table must have to be read as a metrics table.
const REQUIRED: &[&str] = &["source", "workload", "metric", "value", "better", "platform"];

/// The columns read as text whatever their cells look like (a tool version `1.0` must not
/// become a number).
const TEXT: &[&str] = &["source", "tool_version", "params", "platform_detail", "metric", "unit", "issues"];

/// A metrics table read from a file, with the parsers' declarations it lacked filled in.
pub(crate) struct MetricsTable {
    df: DataFrame,
}

impl MetricsTable {
    /// The table in `path`, if `path` is a file with a table extension (`.csv`, `.parquet`,
    /// `.json`) that reads as a table with the [`REQUIRED`] columns; `None` otherwise (it is then
    /// a raw output, or not an input at all). A table written before the parsers' declarations
    /// had columns gets them ([`declare_missing`]).
    pub(crate) fn read(path: &Path) -> Option<MetricsTable> {
        if !path.is_file() || super::TableFormat::from_path(path).is_none() {
            return None;
        }
        let df = super::read_frame(path, TEXT).ok()?;
        if !REQUIRED.iter().all(|c| df.column(c).is_ok()) {
            return None;
        }
        declare_missing(df).and_then(strings).ok().map(|df| MetricsTable { df })
    }

    /// The metrics table `df` (rows read from a store), with the parsers' declarations it
    /// lacks filled in as [`MetricsTable::read`] does.
    pub(crate) fn from_frame(df: DataFrame) -> Result<MetricsTable> {
        Ok(MetricsTable { df: strings(declare_missing(df)?)? })
    }

    /// Its number of rows.
    pub(crate) fn rows(&self) -> usize {
        self.df.height()
    }

    /// Its observations and log issues, and the files it names whose label is `unknown`.
    /// `platform_detail`, `first_line`, `repetition`, `run`, `kind` and the declarations
    /// ([`crate::model::DECLARED_COLUMNS`]) may be absent: a missing declaration means a
    /// performance metric of a benchmark run, in subsystem `application`, neither primary nor
    /// a percentile nor a time limit.
    ///
    /// Returns an error naming the row (as a line of the CSV file: the header is line 1) whose
    /// `better`, `kind`, `role`, `subsystem`, `primary`, `time_limit` or `issues` cell is not a
    /// value ingest writes.
    pub(crate) fn dataset(&self) -> Result<Dataset> {
        let mut ds = Dataset::default();
        self.add_to(&mut ds)?;
        ds.unlabelled.sort();
        ds.unlabelled.dedup();
        Ok(ds)
    }

    /// Adds its observations, log issues, unlabelled files and rounds to `ds`, as
    /// [`MetricsTable::dataset`] makes them; the observations share the strings and metric
    /// declarations of those already in `ds` (its interner), and the rows of one run share
    /// one [`RunInfo`]. `ds.unlabelled` may then hold a file twice.
    pub(crate) fn add_to(&self, ds: &mut Dataset) -> Result<()> {
        let cols = Columns::of(&self.df)?;
        let mut unlabelled = BTreeSet::new();
        let mut run: Option<(RunKey<'_>, Arc<RunInfo>)> = None;
        let mut metrics: HashMap<MetricKey<'_>, Arc<MetricInfo>> = HashMap::new();
        // The metrics of the run before, by position in it, and of this run so far: runs of
        // one tool list the same metrics in the same order, so a row's metric is mostly found
        // without hashing its nine cells.
        let (mut before, mut this): (Vec<(MetricKey<'_>, Arc<MetricInfo>)>, Vec<_>) =
            (Vec::new(), Vec::new());
        for i in 0..self.df.height() {
            ds.issues.extend(cols.issues(i)?);
            let Some(value) = cols.value[i].filter(|v| v.is_finite()) else { continue };
            let key = cols.run_key(i);
            let run_info = match &run {
                Some((k, r)) if k.same(&key) => r.clone(),
                _ => {
                    std::mem::swap(&mut before, &mut this);
                    this.clear();
                    let r = Arc::new(cols.run_info(i, &mut ds.interner));
                    // A run a manifest labelled has the manifest's repetition: its round.
                    if key.origin == Some("manifest") && key.repetition.is_some() {
                        ds.rounds.insert((r.source.to_string(), r.run), r.repetition);
                    }
                    if key.origin == Some("unknown") {
                        unlabelled.insert(key.source.unwrap_or(""));
                    }
                    run = Some((key, r.clone()));
                    r
                }
            };
            let mkey = cols.metric_key(i);
            let metric_info = match before.get(this.len()) {
                Some((k, m)) if same_metric(k, &mkey) => m.clone(),
                _ => match metrics.get(&mkey) {
                    Some(m) => m.clone(),
                    None => {
                        let m = ds.interner.metric(cols.metric_info(i)?);
                        metrics.insert(mkey, m.clone());
                        m
                    }
                },
            };
            this.push((mkey, metric_info.clone()));
            ds.obs.push(Obs { run_info, metric_info, value });
        }
        ds.unlabelled.extend(unlabelled.into_iter().map(str::to_string));
        Ok(())
    }

    /// What it holds: the source files it names, the benchmark runs (by source and run), those
    /// of them whose issues fail the whole run, and the files of monitor logs.
    pub(crate) fn counts(&self) -> Result<Counts> {
        let df = &self.df;
        let (source, run) = (cells(df, "source")?, numbers(df, "run")?);
        let (role, issues) = (cells(df, "role")?, cells(df, "issues")?);
        let mut files = BTreeSet::new();
        let mut runs = BTreeSet::new();
        let mut failed = BTreeSet::new();
        let mut monitor = BTreeSet::new();
        let mut last = None;
        for i in 0..df.height() {
            let key = (source[i].unwrap_or(""), run[i].map(f64::to_bits));
            // A run's rows are next to each other: its first row says all (a store selection
            // of 10 million rows would look its file up 10 million times).
            if last == Some((key, role[i])) && issues[i].is_none_or(str::is_empty) {
                continue;
            }
            last = Some((key, role[i]));
            files.insert(key.0);
            if role[i] == Some(Role::Monitor.as_str()) {
                monitor.insert(key.0);
                continue;
            }
            let cell = issues[i].filter(|c| !c.is_empty());
            let listed: Vec<LogIssue> = match cell {
                Some(c) => serde_json::from_str(c)
                    .with_context(|| format!("row {}: 'issues' is not a JSON list", i + 2))?,
                None => Vec::new(),
            };
            if listed.iter().any(LogIssue::fails_run) {
                failed.insert(key);
            }
            runs.insert(key);
        }
        Ok(Counts { files: files.len(), runs: runs.len(), failed: failed.len(), monitor_logs: monitor.len() })
    }

    /// Source file -> platform family, from its `platform_family` column (an older table
    /// without one: the family of its platform word).
    pub(crate) fn families(&self) -> Result<BTreeMap<String, String>> {
        let df = &self.df;
        let sources = cells(df, "source")?;
        let families: Vec<Option<std::borrow::Cow<'_, str>>> = match df.column("platform_family") {
            Ok(_) => cells(df, "platform_family")?.into_iter().map(|f| f.map(Into::into)).collect(),
            Err(_) => cells(df, "platform")?
                .into_iter()
                .map(|p| Some(crate::label::family_of(p.unwrap_or("")).into()))
                .collect(),
        };
        // The last row of a source decides, as when every row was inserted.
        let mut out: BTreeMap<&str, std::borrow::Cow<'_, str>> = BTreeMap::new();
        let mut rows = sources.into_iter().zip(families).peekable();
        while let Some((s, f)) = rows.next() {
            // Only a file's last row of a stretch of its rows: the one that stays.
            if rows.peek().is_some_and(|(next, _)| *next == s) {
                continue;
            }
            if let Some(s) = s {
                out.insert(s, f.unwrap_or_else(|| "unknown".into()));
            }
        }
        Ok(out.into_iter().map(|(s, f)| (s.to_string(), f.into_owned())).collect())
    }
}

/// What the inputs held, counted as people count it: a pidstat log beside a benchmark is not a
/// run of its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Files (raw outputs, or the sources a table names).
    pub files: usize,
    /// Benchmark runs, failed ones included.
    pub runs: usize,
    /// Benchmark runs that failed as a whole ([`model::Run::failed`]).
    pub failed: usize,
    /// Files of monitor logs ([`model::Role::Monitor`]).
    pub monitor_logs: usize,
}

impl Counts {
    /// Counts the runs and files of a raw ingest.
    pub(crate) fn of_ingest(ingested: &Ingested) -> Counts {
        let monitor_run = |r: &&model::IngestedRun| r.data.role == Role::Monitor;
        let bench = || ingested.runs.iter().filter(|r| !monitor_run(r));
        let monitor: BTreeSet<&str> =
            ingested.runs.iter().filter(monitor_run).map(|r| r.source.as_str()).collect();
        Counts {
            files: ingested.files.len(),
            runs: bench().count(),
            failed: bench().filter(|r| r.data.failed()).count(),
            monitor_logs: monitor.len(),
        }
    }

    /// Both counts together.
    pub(crate) fn add(self, o: Counts) -> Counts {
        Counts {
            files: self.files + o.files,
            runs: self.runs + o.runs,
            failed: self.failed + o.failed,
            monitor_logs: self.monitor_logs + o.monitor_logs,
        }
    }
}

/// `df` with every declaration column it lacks (and every empty `kind`) filled in as the
/// parsers declare them ([`ingest::declare_table`]); `df` itself when it has them all.
fn declare_missing(df: DataFrame) -> Result<DataFrame> {
    let has = |name: &str| df.column(name).is_ok();
    let kind = optional(&df, "kind")?;
    let kind_missing = kind.iter().any(|k| k.as_deref().is_none_or(str::is_empty));
    if model::DECLARED_COLUMNS.iter().all(|c| has(c)) && !kind_missing {
        return Ok(df);
    }
    let d = ingest::declare_table(TableCells {
        source: optional(&df, "source")?,
        run: optional(&df, "run")?,
        tool: optional(&df, "tool")?,
        workload: optional(&df, "workload")?,
        params: optional(&df, "params")?,
        metric: optional(&df, "metric")?,
        unit: optional(&df, "unit")?,
        better: optional(&df, "better")?,
        value: numbers(&df, "value")?,
        kind,
    });
    let mut df = df;
    let mut put = |col: Column| -> Result<()> {
        if df.column(col.name()).is_err() {
            df.with_column(col)?;
        }
        Ok(())
    };
    put(Column::new("role".into(), d.role))?;
    put(Column::new("subsystem".into(), d.subsystem))?;
    put(Column::new("primary".into(), d.primary))?;
    put(Column::new("percentile_of".into(), d.percentile_of))?;
    put(Column::new("percentile".into(), d.percentile))?;
    put(Column::new("time_limit".into(), d.time_limit))?;
    df.with_column(Column::new("kind".into(), d.kind))?;
    Ok(df)
}

/// Column `name` of `df` as text, one cell per row; `None` when `df` has no such column.
fn text(df: &DataFrame, name: &str) -> Result<Option<Vec<Option<String>>>> {
    let Ok(col) = df.column(name) else { return Ok(None) };
    let col = col.cast(&DataType::String)?;
    Ok(Some(col.str()?.iter().map(|v| v.map(str::to_string)).collect()))
}

/// Column `name` of `df` as text; all cells empty when `df` has no such column.
fn optional(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    Ok(text(df, name)?.unwrap_or_else(|| vec![None; df.height()]))
}

/// The columns [`MetricsTable`] reads as text.
const READ_AS_TEXT: &[&str] = &[
    "source",
    "tool",
    "tool_version",
    "workload",
    "params",
    "platform",
    "platform_detail",
    "platform_family",
    "label_origin",
    "metric",
    "issues",
    "unit",
    "better",
    "kind",
    "role",
    "subsystem",
    "primary",
    "percentile_of",
    "time_limit",
];

/// `df` with every column of [`READ_AS_TEXT`] it has as strings, so that [`cells`] can
/// borrow them.
fn strings(mut df: DataFrame) -> Result<DataFrame> {
    for name in READ_AS_TEXT {
        let Ok(col) = df.column(name) else { continue };
        if col.dtype() != &DataType::String {
            let col = col.cast(&DataType::String)?;
            df.with_column(col)?;
        }
    }
    Ok(df)
}

/// Column `name` of `df` (a string column: [`strings`]) as text borrowed from it, one cell
/// per row; all cells empty when `df` has no such column.
fn cells<'a>(df: &'a DataFrame, name: &str) -> Result<Vec<Option<&'a str>>> {
    match df.column(name) {
        Ok(col) => Ok(col.str()?.iter().collect()),
        Err(_) => Ok(vec![None; df.height()]),
    }
}

/// Column `name` of `df` as [`cells`]; an error when `df` has no such column.
fn required<'a>(df: &'a DataFrame, name: &str) -> Result<Vec<Option<&'a str>>> {
    df.column(name).with_context(|| format!("the table has no '{name}' column"))?;
    cells(df, name)
}

/// Column `name` of `df` as numbers; all cells empty when `df` has no such column.
fn numbers(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    match df.column(name) {
        Ok(col) => Ok(col.cast(&DataType::Float64)?.f64()?.iter().collect()),
        Err(_) => Ok(vec![None; df.height()]),
    }
}

/// The columns of a metrics table that the analysis reads, one cell per row, borrowed from
/// its frame.
struct Columns<'a> {
    source: Vec<Option<&'a str>>,
    tool: Vec<Option<&'a str>>,
    version: Vec<Option<&'a str>>,
    workload: Vec<Option<&'a str>>,
    params: Vec<Option<&'a str>>,
    platform: Vec<Option<&'a str>>,
    detail: Vec<Option<&'a str>>,
    origin: Vec<Option<&'a str>>,
    metric: Vec<Option<&'a str>>,
    issues: Vec<Option<&'a str>>,
    unit: Vec<Option<&'a str>>,
    better: Vec<Option<&'a str>>,
    kind: Vec<Option<&'a str>>,
    role: Vec<Option<&'a str>>,
    subsystem: Vec<Option<&'a str>>,
    primary: Vec<Option<&'a str>>,
    percentile_of: Vec<Option<&'a str>>,
    percentile: Vec<Option<f64>>,
    time_limit: Vec<Option<&'a str>>,
    value: Vec<Option<f64>>,
    run: Vec<Option<f64>>,
    repetition: Vec<Option<f64>>,
    first_line: Vec<Option<f64>>,
}

/// What decides a row's [`RunInfo`] (and whether its run is a round, or unlabelled): rows
/// with equal keys ([`RunKey::same`]) share one.
struct RunKey<'a> {
    source: Option<&'a str>,
    run: Option<u64>,
    tool: Option<&'a str>,
    version: Option<&'a str>,
    workload: Option<&'a str>,
    params: Option<&'a str>,
    platform: Option<&'a str>,
    detail: Option<&'a str>,
    origin: Option<&'a str>,
    repetition: Option<u64>,
    first_line: Option<u64>,
}

impl RunKey<'_> {
    /// Returns true if and only if every cell of the two keys is the same.
    fn same(&self, o: &RunKey<'_>) -> bool {
        same(self.source, o.source)
            && self.run == o.run
            && same(self.tool, o.tool)
            && same(self.version, o.version)
            && same(self.workload, o.workload)
            && same(self.params, o.params)
            && same(self.platform, o.platform)
            && same(self.detail, o.detail)
            && same(self.origin, o.origin)
            && self.repetition == o.repetition
            && self.first_line == o.first_line
    }
}

/// What decides a row's [`MetricInfo`]: its cells of the metric, unit, better, kind and
/// declaration columns (the percentile's bits).
type MetricKey<'a> = ([Option<&'a str>; 9], Option<u64>);

/// Returns true if and only if the two metric keys are equal.
fn same_metric(a: &MetricKey<'_>, b: &MetricKey<'_>) -> bool {
    a.1 == b.1 && a.0.iter().zip(&b.0).all(|(x, y)| same(*x, *y))
}

/// Returns true if and only if the two cells are equal; first by where they are (the cells of
/// a dictionary-encoded column that hold one value point at one copy of it), then by text.
fn same(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => (x.as_ptr() == y.as_ptr() && x.len() == y.len()) || x == y,
        (None, None) => true,
        _ => false,
    }
}

impl<'a> Columns<'a> {
    fn of(df: &'a DataFrame) -> Result<Columns<'a>> {
        let cols = Columns {
            source: required(df, "source")?,
            tool: cells(df, "tool")?,
            version: cells(df, "tool_version")?,
            workload: required(df, "workload")?,
            params: cells(df, "params")?,
            platform: required(df, "platform")?,
            detail: cells(df, "platform_detail")?,
            origin: cells(df, "label_origin")?,
            metric: cells(df, "metric")?,
            issues: cells(df, "issues")?,
            unit: cells(df, "unit")?,
            better: required(df, "better")?,
            kind: cells(df, "kind")?,
            role: cells(df, "role")?,
            subsystem: cells(df, "subsystem")?,
            primary: cells(df, "primary")?,
            percentile_of: cells(df, "percentile_of")?,
            percentile: numbers(df, "percentile")?,
            time_limit: cells(df, "time_limit")?,
            value: numbers(df, "value")?,
            run: numbers(df, "run")?,
            repetition: numbers(df, "repetition")?,
            first_line: numbers(df, "first_line")?,
        };
        if df.column("value").is_err() {
            bail!("the table has no 'value' column");
        }
        Ok(cols)
    }

    /// The arm of row `i`: its platform with its detail.
    fn arm(&self, i: usize) -> String {
        arm_name(self.platform[i].unwrap_or("unknown"), self.detail[i].unwrap_or(""))
    }

    /// The log issues of row `i` (its `issues` cell, the JSON list ingest writes on a run's
    /// first row).
    fn issues(&self, i: usize) -> Result<Vec<RunIssue>> {
        let Some(cell) = self.issues[i].filter(|c| !c.is_empty()) else { return Ok(Vec::new()) };
        let list: Vec<LogIssue> = serde_json::from_str(cell)
            .with_context(|| format!("row {}: 'issues' is not the JSON list ingest writes", i + 2))?;
        let text = |col: &[Option<&str>]| col[i].unwrap_or_default().to_string();
        Ok(list
            .into_iter()
            .map(|issue| RunIssue {
                source: text(&self.source),
                line: issue.line,
                workload: text(&self.workload),
                params: text(&self.params),
                stratum: String::new(),
                arm: self.arm(i),
                kind: issue.kind,
                message: issue.message,
            })
            .collect())
    }

    /// The key of the run of row `i`.
    fn run_key(&self, i: usize) -> RunKey<'a> {
        let bits = |col: &[Option<f64>]| col[i].map(f64::to_bits);
        RunKey {
            source: self.source[i],
            run: bits(&self.run),
            tool: self.tool[i],
            version: self.version[i],
            workload: self.workload[i],
            params: self.params[i],
            platform: self.platform[i],
            detail: self.detail[i],
            origin: self.origin[i],
            repetition: bits(&self.repetition),
            first_line: bits(&self.first_line),
        }
    }

    /// The run of row `i`, its strings shared through `it`.
    fn run_info(&self, i: usize, it: &mut Interner) -> RunInfo {
        let mut text = |col: &[Option<&str>]| it.str(col[i].unwrap_or_default());
        RunInfo {
            source: self.source[i].unwrap_or_default().into(),
            run: self.run[i].unwrap_or(1.0) as u32,
            tool: text(&self.tool),
            tool_version: self.version[i].filter(|s| !s.is_empty()).map(|v| it.str(v)),
            workload: it.str(self.workload[i].unwrap_or_default()),
            params: it.str(self.params[i].unwrap_or_default()),
            arm: it.str(&self.arm(i)),
            stratum: it.str(""),
            repetition: self.repetition[i].unwrap_or(1.0) as u32,
            first_line: self.first_line[i].unwrap_or(0.0) as u64,
        }
    }

    /// The key of the metric of row `i`.
    fn metric_key(&self, i: usize) -> MetricKey<'a> {
        let cells = [
            self.metric[i],
            self.unit[i],
            self.better[i],
            self.kind[i],
            self.role[i],
            self.subsystem[i],
            self.primary[i],
            self.percentile_of[i],
            self.time_limit[i],
        ];
        (cells, self.percentile[i].map(f64::to_bits))
    }

    /// The metric of row `i`: an error naming the row when its `better`, `kind` or a
    /// declaration is not a value ingest writes.
    fn metric_info(&self, i: usize) -> Result<MetricInfo> {
        let better = self.better[i]
            .and_then(Better::parse)
            .with_context(|| format!("row {}: 'better' must be higher, lower or none", i + 2))?;
        let kind = match self.kind[i].filter(|k| !k.is_empty()) {
            Some(k) => Kind::parse(k).with_context(|| {
                format!("row {}: 'kind' must be performance or resource, not '{k}'", i + 2)
            })?,
            None => Kind::Performance,
        };
        Ok(MetricInfo {
            metric: self.metric[i].unwrap_or_default().to_string(),
            unit: self.unit[i].unwrap_or_default().to_string(),
            better,
            kind,
            declared: self.declared(i)?,
        })
    }

    /// What the parser declared about the metric of row `i`.
    fn declared(&self, i: usize) -> Result<Declared> {
        let cell = |col: &[Option<&'a str>]| -> Option<&'a str> { col[i].filter(|c| !c.is_empty()) };
        let bad = |name: &str, want: &str, got: &str| {
            anyhow::anyhow!("row {}: '{name}' must be {want}, not '{got}'", i + 2)
        };
        let flag = |col: &[Option<&'a str>], name: &str| match cell(col) {
            Some("true") => Ok(true),
            Some("false") | None => Ok(false),
            Some(w) => Err(bad(name, "true or false", w)),
        };
        Ok(Declared {
            role: match cell(&self.role) {
                Some(w) => Role::parse(w).ok_or_else(|| bad("role", "benchmark or monitor", w))?,
                None => Role::default(),
            },
            subsystem: match cell(&self.subsystem) {
                Some(w) => Subsystem::parse(w)
                    .ok_or_else(|| bad("subsystem", "cpu, memory, disk, network or application", w))?,
                None => Subsystem::default(),
            },
            primary: flag(&self.primary, "primary")?,
            percentile: cell(&self.percentile_of)
                .zip(self.percentile[i])
                .map(|(of, p)| Percentile::new(of.to_string(), p)),
            time_limit: flag(&self.time_limit, "time_limit")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::MetricsTable;
    use crate::analyse::{Dataset, Obs};
    use crate::ingest::{self, IngestConfig};
    use crate::label::{LabelSet, Labeler};

    /// sample-data's sysbench and pidstat outputs on native, ingested as `ingest` does.
    fn ingested() -> ingest::Ingested {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-data/native");
        let labeler = Labeler::new(LabelSet::default(), None).expect("labeler");
        let cfg = IngestConfig { format: None, series: false, hash: false };
        ingest::ingest(&[dir.join("sysbench-cpu"), dir.join("fio-randread")], &cfg, &labeler).expect("ingest")
    }

    /// An observation as plain values, to compare datasets made two ways.
    fn spelled(o: &Obs) -> String {
        format!(
            "{} {} {} {:?} {} {} {} {} {} {} {} {} {:?} {:?} {} {:?}",
            o.source(),
            o.run(),
            o.tool(),
            o.tool_version(),
            o.workload(),
            o.params(),
            o.arm(),
            o.stratum(),
            o.repetition(),
            o.first_line(),
            o.metric(),
            o.unit(),
            o.better(),
            o.kind(),
            o.value,
            o.declared()
        )
    }

    /// A table's rows read back are the observations of the raw runs, and the rows of one run
    /// share one run, the rows of one metric one declaration: an observation is three words,
    /// not its strings (issue 17: 1 KB per row made 10 million rows 10 GiB).
    #[test]
    fn rows_share_their_run_and_metric() {
        let ing = ingested();
        let raw = Dataset::from_runs(&ing.runs);
        let df = crate::table::runs::metrics_frame(&ing.runs).expect("frame");
        let ds = MetricsTable::from_frame(df).expect("table").dataset().expect("dataset");
        assert!(ds.obs.len() > 100, "{} observations", ds.obs.len());
        let spell = |d: &Dataset| d.obs.iter().map(spelled).collect::<Vec<_>>();
        assert_eq!(spell(&ds), spell(&raw));
        assert_eq!(std::mem::size_of::<Obs>(), 3 * 8);
        for d in [&ds, &raw] {
            for (a, b) in d.obs.iter().zip(&d.obs[1..]) {
                let same_run = (a.source(), a.run()) == (b.source(), b.run());
                assert_eq!(
                    Arc::ptr_eq(&a.run_info, &b.run_info),
                    same_run,
                    "{} / {}",
                    spelled(a),
                    spelled(b)
                );
            }
            let runs: std::collections::BTreeSet<*const _> =
                d.obs.iter().map(|o| Arc::as_ptr(&o.run_info)).collect();
            let metrics: std::collections::BTreeSet<*const _> =
                d.obs.iter().map(|o| Arc::as_ptr(&o.metric_info)).collect();
            let distinct: std::collections::BTreeSet<String> =
                d.obs.iter().map(|o| format!("{:?}", o.metric_info)).collect();
            assert_eq!(metrics.len(), distinct.len());
            assert!(runs.len() * 5 < d.obs.len(), "{} runs, {} observations", runs.len(), d.obs.len());
        }
    }
}
