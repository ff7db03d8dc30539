//! A metrics table written by `virtperf ingest`, read back as an input of the analysis: its
//! observations and log issues ([`MetricsTable::dataset`]), what it holds counted as people
//! count it ([`Counts`]) and the platform family of each source file it names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{bail, Context, Result};
use polars::prelude::{Column, DataFrame, DataType};

use crate::analyse::{arm_name, Dataset, Obs, RunIssue};
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
        declare_missing(df).ok().map(|df| MetricsTable { df })
    }

    /// The metrics table `df` (rows read from a store), with the parsers' declarations it
    /// lacks filled in as [`MetricsTable::read`] does.
    pub(crate) fn from_frame(df: DataFrame) -> Result<MetricsTable> {
        Ok(MetricsTable { df: declare_missing(df)? })
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
        let cols = Columns::of(&self.df)?;
        let mut ds = Dataset::default();
        let mut unlabelled = BTreeSet::new();
        for i in 0..self.df.height() {
            ds.issues.extend(cols.issues(i)?);
            let Some(o) = cols.obs(i)? else { continue };
            if cols.origin[i].as_deref() == Some("unknown") {
                unlabelled.insert(o.source.clone());
            }
            // A run a manifest labelled has the manifest's repetition: its round.
            if cols.origin[i].as_deref() == Some("manifest") && cols.repetition[i].is_some() {
                ds.rounds.insert((o.source.clone(), o.run), o.repetition);
            }
            ds.obs.push(o);
        }
        ds.unlabelled = unlabelled.into_iter().collect();
        Ok(ds)
    }

    /// What it holds: the source files it names, the benchmark runs (by source and run), those
    /// of them whose issues fail the whole run, and the files of monitor logs.
    pub(crate) fn counts(&self) -> Result<Counts> {
        let df = &self.df;
        let (source, run) = (optional(df, "source")?, optional(df, "run")?);
        let (role, issues) = (optional(df, "role")?, optional(df, "issues")?);
        let mut files = BTreeSet::new();
        let mut runs = BTreeSet::new();
        let mut failed = BTreeSet::new();
        let mut monitor = BTreeSet::new();
        for i in 0..df.height() {
            let key = (source[i].clone().unwrap_or_default(), run[i].clone().unwrap_or_default());
            files.insert(key.0.clone());
            if role[i].as_deref() == Some(Role::Monitor.as_str()) {
                monitor.insert(key.0);
                continue;
            }
            let cell = issues[i].as_deref().filter(|c| !c.is_empty());
            let listed: Vec<LogIssue> = match cell {
                Some(c) => serde_json::from_str(c)
                    .with_context(|| format!("row {}: 'issues' is not a JSON list", i + 2))?,
                None => Vec::new(),
            };
            if listed.iter().any(LogIssue::fails_run) {
                failed.insert(key.clone());
            }
            runs.insert(key);
        }
        Ok(Counts { files: files.len(), runs: runs.len(), failed: failed.len(), monitor_logs: monitor.len() })
    }

    /// Source file -> platform family, from its `platform_family` column (an older table
    /// without one: the family of its platform word).
    pub(crate) fn families(&self) -> Result<BTreeMap<String, String>> {
        let df = &self.df;
        let sources = text(df, "source")?.unwrap_or_default();
        let families = match text(df, "platform_family")? {
            Some(f) => f,
            None => text(df, "platform")?
                .unwrap_or_default()
                .into_iter()
                .map(|p| Some(crate::label::family_of(p.as_deref().unwrap_or("")).to_string()))
                .collect(),
        };
        Ok(sources
            .into_iter()
            .zip(families)
            .filter_map(|(s, f)| Some((s?, f.unwrap_or_else(|| "unknown".into()))))
            .collect())
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

/// Column `name` of `df` as text; an error when `df` has no such column.
fn required(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    df.column(name).with_context(|| format!("the table has no '{name}' column"))?;
    Ok(text(df, name)?.unwrap_or_default())
}

/// Column `name` of `df` as text; all cells empty when `df` has no such column.
fn optional(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    Ok(text(df, name)?.unwrap_or_else(|| vec![None; df.height()]))
}

/// Column `name` of `df` as numbers; all cells empty when `df` has no such column.
fn numbers(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    match df.column(name) {
        Ok(col) => Ok(col.cast(&DataType::Float64)?.f64()?.iter().collect()),
        Err(_) => Ok(vec![None; df.height()]),
    }
}

/// The columns of a metrics table that the analysis reads, one cell per row.
struct Columns {
    source: Vec<Option<String>>,
    tool: Vec<Option<String>>,
    version: Vec<Option<String>>,
    workload: Vec<Option<String>>,
    params: Vec<Option<String>>,
    platform: Vec<Option<String>>,
    detail: Vec<Option<String>>,
    origin: Vec<Option<String>>,
    metric: Vec<Option<String>>,
    issues: Vec<Option<String>>,
    unit: Vec<Option<String>>,
    better: Vec<Option<String>>,
    kind: Vec<Option<String>>,
    role: Vec<Option<String>>,
    subsystem: Vec<Option<String>>,
    primary: Vec<Option<String>>,
    percentile_of: Vec<Option<String>>,
    percentile: Vec<Option<f64>>,
    time_limit: Vec<Option<String>>,
    value: Vec<Option<f64>>,
    run: Vec<Option<f64>>,
    repetition: Vec<Option<f64>>,
    first_line: Vec<Option<f64>>,
}

impl Columns {
    fn of(df: &DataFrame) -> Result<Columns> {
        let cols = Columns {
            source: required(df, "source")?,
            tool: optional(df, "tool")?,
            version: optional(df, "tool_version")?,
            workload: required(df, "workload")?,
            params: optional(df, "params")?,
            platform: required(df, "platform")?,
            detail: optional(df, "platform_detail")?,
            origin: optional(df, "label_origin")?,
            metric: optional(df, "metric")?,
            issues: optional(df, "issues")?,
            unit: optional(df, "unit")?,
            better: required(df, "better")?,
            kind: optional(df, "kind")?,
            role: optional(df, "role")?,
            subsystem: optional(df, "subsystem")?,
            primary: optional(df, "primary")?,
            percentile_of: optional(df, "percentile_of")?,
            percentile: numbers(df, "percentile")?,
            time_limit: optional(df, "time_limit")?,
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
        arm_name(self.platform[i].as_deref().unwrap_or("unknown"), self.detail[i].as_deref().unwrap_or(""))
    }

    /// The log issues of row `i` (its `issues` cell, the JSON list ingest writes on a run's
    /// first row).
    fn issues(&self, i: usize) -> Result<Vec<RunIssue>> {
        let Some(cell) = self.issues[i].as_deref().filter(|c| !c.is_empty()) else { return Ok(Vec::new()) };
        let list: Vec<LogIssue> = serde_json::from_str(cell)
            .with_context(|| format!("row {}: 'issues' is not the JSON list ingest writes", i + 2))?;
        Ok(list
            .into_iter()
            .map(|issue| RunIssue {
                source: self.source[i].clone().unwrap_or_default(),
                line: issue.line,
                workload: self.workload[i].clone().unwrap_or_default(),
                params: self.params[i].clone().unwrap_or_default(),
                stratum: String::new(),
                arm: self.arm(i),
                kind: issue.kind,
                message: issue.message,
            })
            .collect())
    }

    /// The observation of row `i`; `None` for a row without a finite value (a failed run's
    /// row that only carries its issues).
    fn obs(&self, i: usize) -> Result<Option<Obs>> {
        let Some(v) = self.value[i].filter(|v| v.is_finite()) else { return Ok(None) };
        let better = self.better[i]
            .as_deref()
            .and_then(Better::parse)
            .with_context(|| format!("row {}: 'better' must be higher, lower or none", i + 2))?;
        let kind = match self.kind[i].as_deref().filter(|k| !k.is_empty()) {
            Some(k) => Kind::parse(k).with_context(|| {
                format!("row {}: 'kind' must be performance or resource, not '{k}'", i + 2)
            })?,
            None => Kind::Performance,
        };
        Ok(Some(Obs {
            source: self.source[i].clone().unwrap_or_default(),
            run: self.run[i].unwrap_or(1.0) as u32,
            tool: self.tool[i].clone().unwrap_or_default(),
            tool_version: self.version[i].clone().filter(|s| !s.is_empty()),
            workload: self.workload[i].clone().unwrap_or_default(),
            params: self.params[i].clone().unwrap_or_default(),
            arm: self.arm(i),
            stratum: String::new(),
            repetition: self.repetition[i].unwrap_or(1.0) as u32,
            first_line: self.first_line[i].unwrap_or(0.0) as u64,
            metric: self.metric[i].clone().unwrap_or_default(),
            unit: self.unit[i].clone().unwrap_or_default(),
            better,
            kind,
            value: v,
            declared: self.declared(i)?,
        }))
    }

    /// What the parser declared about the metric of row `i`.
    fn declared(&self, i: usize) -> Result<Declared> {
        let cell = |col: &[Option<String>]| col[i].clone().filter(|c| !c.is_empty());
        let bad = |name: &str, want: &str, got: &str| {
            anyhow::anyhow!("row {}: '{name}' must be {want}, not '{got}'", i + 2)
        };
        let flag = |col: &[Option<String>], name: &str| match cell(col).as_deref() {
            Some("true") => Ok(true),
            Some("false") | None => Ok(false),
            Some(w) => Err(bad(name, "true or false", w)),
        };
        Ok(Declared {
            role: match cell(&self.role) {
                Some(w) => Role::parse(&w).ok_or_else(|| bad("role", "benchmark or monitor", &w))?,
                None => Role::default(),
            },
            subsystem: match cell(&self.subsystem) {
                Some(w) => Subsystem::parse(&w)
                    .ok_or_else(|| bad("subsystem", "cpu, memory, disk, network or application", &w))?,
                None => Subsystem::default(),
            },
            primary: flag(&self.primary, "primary")?,
            percentile: cell(&self.percentile_of)
                .zip(self.percentile[i])
                .map(|(of, p)| Percentile::new(of, p)),
            time_limit: flag(&self.time_limit, "time_limit")?,
        })
    }
}
