//! A metrics table written by `virtperf ingest`, read back as an input of the analysis: its
//! observations and log issues, and what it holds counted as people count it ([`Counts`]),
//! in one pass ([`MetricsTable::counts_and_dataset`]); each run with its file's platform
//! family.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use foldhash::{HashMap, HashMapExt};
use polars::prelude::{BooleanType, Column, DataFrame, DataType, Float64Type, PolarsDataType, StringType};

use crate::analyse::{arm_name, text_hash, Dataset, MetricInfo, Obs, RunInfo, RunIssue, Setting};
use crate::ingest::{self, Ingested, TableCells};
use crate::model::{self, Better, Declared, Kind, LogIssue, Percentile, Role, Subsystem};

/// The Arrow arrays of polars' string and `f64` columns.
type TextArray = <StringType as PolarsDataType>::Array;
type NumberArray = <Float64Type as PolarsDataType>::Array;
type FlagArray = <BooleanType as PolarsDataType>::Array;

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

    /// What it holds, counted ([`Counts`]), and its observations and log issues with the files
    /// it names whose label is `unknown`, from one pass over its rows. `platform_detail`,
    /// `first_line`, `repetition`, `run`, `kind` and the declarations
    /// ([`crate::model::DECLARED_COLUMNS`]) may be absent: a missing declaration means a
    /// performance metric of a benchmark run, in subsystem `application`, neither primary nor
    /// a percentile nor a time limit.
    ///
    /// Returns an error naming the row (as a line of the CSV file: the header is line 1) whose
    /// `better`, `kind`, `role`, `subsystem`, `primary`, `time_limit` or `issues` cell is not a
    /// value ingest writes.
    pub(crate) fn counts_and_dataset(&self) -> Result<(Counts, Dataset)> {
        let prepared = self.prepare()?;
        let counts = prepared.counts;
        let mut ds = Dataset::default();
        prepared.add_to(&mut ds);
        ds.unlabelled.sort();
        ds.unlabelled.dedup();
        Ok((counts, ds))
    }

    /// Its rows matched to their runs and metrics, each run and metric once, ready to join a
    /// dataset ([`Prepared::add_to`]), and what they hold counted: the work done per row, so
    /// that a store's part files are prepared on every core and only joined on one.
    pub(crate) fn prepare(&self) -> Result<Prepared> {
        let cols = Columns::of(&self.df)?;
        let mut out = Prepared::default();
        let mut counting = Counting::default();
        let mut texts: HashMap<String, u32> = HashMap::new();
        let mut unlabelled = BTreeSet::new();
        // The first row of the run being read.
        let mut run: Option<usize> = None;
        let mut metrics = Metrics::default();
        out.rows.reserve(self.df.height());
        // Each row's metric, and the row before whose metric a row has when it has one.
        let mut row_metric: Vec<u32> = vec![0; self.df.height()];
        let (starts, same_metric_as) = cols.runs_and_metric_guesses(self.df.height());
        for i in 0..self.df.height() {
            let listed = cols.log_issues(i)?;
            counting.row(&cols, i, &listed);
            if !listed.is_empty() {
                out.issues.extend(cols.issues(i, listed));
            }
            let Some(value) = cols.value.get(i).filter(|v| v.is_finite()) else { continue };
            if starts[i] {
                let mut text = |t: &str| -> u32 {
                    if let Some(&n) = texts.get(t) {
                        return n;
                    }
                    out.texts.push(t.to_string());
                    texts.insert(t.to_string(), out.texts.len() as u32 - 1);
                    out.texts.len() as u32 - 1
                };
                let before = run.zip(out.runs.last());
                let draft = cols.run_draft(i, before, &mut out.files, &mut text);
                out.runs.push(draft);
                if cols.origin.get(i) == Some("unknown") {
                    unlabelled.insert(cols.source.get(i).unwrap_or(""));
                }
                run = Some(i);
            }
            let metric = match same_metric_as[i] {
                Some(g) => row_metric[g],
                None => metrics.of(&cols, i, &mut out.metrics)?,
            };
            row_metric[i] = metric;
            out.rows.push((out.runs.len() as u32 - 1, metric, value));
        }
        out.unlabelled = unlabelled.into_iter().map(str::to_string).collect();
        out.counts = counting.counts();
        Ok(out)
    }
}

/// The metrics a metrics table's rows have met ([`MetricsTable::prepare`]), each a number in
/// the list of their declarations.
#[derive(Default)]
struct Metrics<'a> {
    /// By the view of the metric's name: a row of each declaration met, checked by its views,
    /// no text hashed (a pidstat log's runs alternate between its reports' metrics, so the
    /// guess from the run before mostly misses there).
    by_view: HashMap<u128, Vec<(usize, u32)>>,
    /// By all ten cells (a name has many declarations: pidstat's figures in every group), for
    /// a row that `by_view` does not know (a table whose equal names are not one view).
    by_key: HashMap<MetricKey<'a>, u32>,
}

impl<'a> Metrics<'a> {
    /// The metric of row `i` of `cols`, its declaration added to `declared` when new: an error
    /// naming the row when a declaration cell is not a value ingest writes.
    fn of(&mut self, cols: &Columns<'a>, i: usize, declared: &mut Vec<MetricInfo>) -> Result<u32> {
        let view = cols.metric.view(i);
        let mut known = view.and_then(|v| self.by_view.get(&v)).into_iter().flatten();
        if let Some(&(_, m)) = known.find(|&&(row, _)| cols.same_metric(row, i)) {
            return Ok(m);
        }
        let key = cols.metric_key(i);
        let m = match self.by_key.get(&key) {
            Some(&m) => m,
            None => {
                declared.push(cols.metric_info(i)?);
                let m = declared.len() as u32 - 1;
                self.by_key.insert(key, m);
                m
            }
        };
        if let Some(v) = view {
            self.by_view.entry(v).or_default().push((i, m));
        }
        Ok(m)
    }
}

/// A metrics table's rows matched to their runs and metrics ([`MetricsTable::prepare`]).
#[derive(Debug, Default)]
pub(crate) struct Prepared {
    /// The distinct texts of its runs' shared cells (tool, version, workload, params, arm,
    /// family), each once.
    texts: Vec<String>,
    /// Its runs, in row order.
    runs: Vec<RunDraft>,
    /// Their files.
    files: Files,
    /// Its distinct metric declarations.
    metrics: Vec<MetricInfo>,
    /// Each row with a finite value: (run, metric, value), indices into `runs` and `metrics`.
    rows: Vec<(u32, u32, f64)>,
    /// Its log issues.
    issues: Vec<RunIssue>,
    /// Its files labelled `unknown`.
    unlabelled: Vec<String>,
    /// What it holds, counted.
    pub(crate) counts: Counts,
}

/// The files of a part's runs, in one buffer, each with its [`text_hash`] (made on the thread
/// that prepares the part: the thread that joins 4,000 parts' 800,000 files only looks them
/// up, and copies a name only when it is new).
#[derive(Debug, Default)]
struct Files {
    names: String,
    /// Where each name ends in `names`, and its hash.
    ends: Vec<(usize, u64)>,
}

impl Files {
    /// Adds `name`, and returns its place.
    fn add(&mut self, name: &str) -> u32 {
        self.names.push_str(name);
        self.ends.push((self.names.len(), text_hash(name)));
        self.ends.len() as u32 - 1
    }

    /// File `i`, and its hash.
    fn get(&self, i: u32) -> (&str, u64) {
        let start = i.checked_sub(1).map_or(0, |j| self.ends[j as usize].0);
        let (end, hash) = self.ends[i as usize];
        (&self.names[start..end], hash)
    }
}

/// A [`RunInfo`] whose shared cells are indices into [`Prepared::texts`].
#[derive(Debug)]
struct RunDraft {
    /// Its file: a place in [`Prepared::files`], the same as the run before's when the file
    /// is.
    file: u32,
    run: u32,
    tool: u32,
    version: Option<u32>,
    workload: u32,
    params: u32,
    arm: u32,
    family: u32,
    repetition: u32,
    first_line: u64,
    round: Option<u32>,
}

impl Prepared {
    /// Adds its observations, log issues and unlabelled files to `ds`: the observations share
    /// the strings and metric declarations of those already in `ds` (its interner), and the
    /// rows of one run share one [`RunInfo`].
    pub(crate) fn add_to(self, ds: &mut Dataset) {
        ds.keep_strings();
        let it = &mut ds.interner;
        let texts: Vec<Arc<str>> = self.texts.iter().map(|t| it.str(t)).collect();
        let none = it.str("");
        let first_run = ds.runs.len() as u32;
        // Each distinct setting of its runs (by their texts' numbers) looked up once.
        type Texts = (u32, Option<u32>, u32, u32, u32, u32);
        let mut settings: HashMap<Texts, u32> = HashMap::new();
        ds.runs.reserve(self.runs.len());
        let mut last_file: Option<(u32, Arc<str>)> = None;
        for r in self.runs {
            let key = (r.tool, r.version, r.workload, r.params, r.arm, r.family);
            let setting = match settings.get(&key) {
                Some(&s) => s,
                None => {
                    let text = |t: u32| texts[t as usize].clone();
                    let s = ds.add_setting(Setting {
                        tool: text(r.tool),
                        tool_version: r.version.map(text),
                        workload: text(r.workload),
                        params: text(r.params),
                        arm: text(r.arm),
                        stratum: none.clone(),
                        family: text(r.family),
                    });
                    settings.insert(key, s);
                    s
                }
            };
            // A file's runs follow each other: its name is looked up once, by its hash.
            let source = match &last_file {
                Some((file, shared)) if *file == r.file => shared.clone(),
                _ => {
                    let (name, hash) = self.files.get(r.file);
                    let shared = ds.interner.hashed(name, hash);
                    last_file = Some((r.file, shared.clone()));
                    shared
                }
            };
            ds.runs.push(RunInfo {
                source,
                run: r.run,
                repetition: r.repetition,
                first_line: r.first_line,
                round: r.round,
                setting,
            });
        }
        let metrics: Vec<u32> = self.metrics.into_iter().map(|m| ds.add_metric(m)).collect();
        ds.obs.reserve(self.rows.len());
        ds.obs.extend(self.rows.into_iter().map(|(r, m, value)| Obs {
            run: first_run + r,
            metric: metrics[m as usize],
            value,
        }));
        ds.issues.extend(self.issues);
        ds.unlabelled.extend(self.unlabelled);
    }
}

/// [`Counts`] of a metrics table, made row by row: the source files it names, the benchmark
/// runs (by source and run), those of them whose issues fail the whole run, and the files of
/// monitor logs.
#[derive(Default)]
struct Counting<'a> {
    files: BTreeSet<&'a str>,
    runs: BTreeSet<CountedRun<'a>>,
    failed: BTreeSet<CountedRun<'a>>,
    monitor: BTreeSet<&'a str>,
    /// The row before.
    last: Option<usize>,
}

/// A run as [`Counting`] tells runs apart: its source, and its `run` cell's bits.
type CountedRun<'a> = (&'a str, Option<u64>);

impl<'a> Counting<'a> {
    /// Counts row `i` of `cols`, whose log issues are `listed`.
    fn row(&mut self, cols: &Columns<'a>, i: usize, listed: &[LogIssue]) {
        // A run's rows are next to each other: its first row says all (a store selection of
        // 10 million rows would look its file up 10 million times), told by the views of its
        // cells (file names are long: no text compared).
        let same =
            |l: usize| cols.source.same(l, i) && cols.run.bits(l) == cols.run.bits(i) && cols.role.same(l, i);
        let last = self.last.replace(i);
        if last.is_some_and(same) && cols.issues.get(i).is_none_or(str::is_empty) {
            return;
        }
        let key = (cols.source.get(i).unwrap_or(""), cols.run.bits(i));
        let role = cols.role.get(i);
        self.files.insert(key.0);
        if role == Some(Role::Monitor.as_str()) {
            self.monitor.insert(key.0);
            return;
        }
        if listed.iter().any(LogIssue::fails_run) {
            self.failed.insert(key);
        }
        self.runs.insert(key);
    }

    fn counts(&self) -> Counts {
        Counts {
            files: self.files.len(),
            runs: self.runs.len(),
            failed: self.failed.len(),
            monitor_logs: self.monitor.len(),
        }
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
    // Looked at in place first: a store's selection has 10 million rows, mostly complete.
    let kind_missing = match df.column("kind") {
        Ok(col) => col.cast(&DataType::String)?.str()?.iter().any(|k| k.is_none_or(str::is_empty)),
        Err(_) => true,
    };
    if model::DECLARED_COLUMNS.iter().all(|c| has(c)) && !kind_missing {
        return Ok(df);
    }
    let kind = optional(&df, "kind")?;
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

/// `df` with every column of [`READ_AS_TEXT`] it has as strings (but the true/false columns
/// that are booleans: [`Flag`]), each column in one piece, so that [`Text`] can borrow them.
fn strings(mut df: DataFrame) -> Result<DataFrame> {
    for name in READ_AS_TEXT {
        let Ok(col) = df.column(name) else { continue };
        let flag = FLAG_COLUMNS.contains(name) && col.dtype() == &DataType::Boolean;
        if col.dtype() != &DataType::String && !flag {
            let col = col.cast(&DataType::String)?;
            df.with_column(col)?;
        }
    }
    df.rechunk_mut();
    Ok(df)
}

/// The columns of true or false ([`Flag`]).
const FLAG_COLUMNS: &[&str] = &["primary", "time_limit"];

/// A column of true or false (`primary`, `time_limit`): booleans as the store writes them,
/// read in place (making 10 million cells of text of them took 0.35 s of CPU by perf), else
/// the text a table holds.
#[derive(Clone, Copy)]
enum Flag<'a> {
    Bools(&'a FlagArray),
    Text(Text<'a>),
}

impl<'a> Flag<'a> {
    /// Column `name` of `df` (in one piece: [`strings`]).
    fn of(df: &'a DataFrame, name: &str) -> Result<Flag<'a>> {
        match df.column(name) {
            Ok(col) if col.dtype() == &DataType::Boolean => {
                let mut pieces = col.bool()?.downcast_iter();
                match (pieces.next(), pieces.next()) {
                    (Some(array), None) => Ok(Flag::Bools(array)),
                    _ => bail!("the table's column '{name}' is not in one piece"),
                }
            }
            _ => Ok(Flag::Text(Text::of(df, name)?)),
        }
    }

    /// The cell of row `i`, as text.
    #[inline]
    fn get(self, i: usize) -> Option<&'a str> {
        match self {
            Flag::Bools(a) => a.get(i).map(|b| if b { "true" } else { "false" }),
            Flag::Text(t) => t.get(i),
        }
    }

    /// Returns true if and only if rows `i` and `j` hold the same cell.
    #[inline]
    fn same(self, i: usize, j: usize) -> bool {
        match self {
            Flag::Bools(a) => a.get(i) == a.get(j),
            Flag::Text(t) => t.same(i, j),
        }
    }

    /// Keeps in `same` only the rows whose cell is the same as that of their row in `other`.
    fn mark_same_as(self, other: &[Option<usize>], same: &mut [bool]) {
        match self {
            Flag::Bools(a) => {
                for (i, (s, o)) in same.iter_mut().zip(other).enumerate() {
                    if let (true, Some(j)) = (*s, *o) {
                        *s = a.get(j) == a.get(i);
                    }
                }
            }
            Flag::Text(t) => t.mark_same_as(other, same),
        }
    }
}

/// A text column of a metrics table (a string column in one piece: [`strings`]), borrowed
/// from its frame; every cell empty when the table has no such column.
#[derive(Clone, Copy)]
struct Text<'a> {
    array: Option<&'a TextArray>,
    /// Whether a cell is null (empty).
    nulls: bool,
}

impl<'a> Text<'a> {
    /// Column `name` of `df`.
    fn of(df: &'a DataFrame, name: &str) -> Result<Text<'a>> {
        let Ok(col) = df.column(name) else { return Ok(Text { array: None, nulls: true }) };
        let col = col.str()?;
        let mut pieces = col.downcast_iter();
        match (pieces.next(), pieces.next()) {
            (array, None) => Ok(Text { array, nulls: col.null_count() > 0 }),
            _ => bail!("the table's column '{name}' is not in one piece"),
        }
    }

    /// Column `name` of `df`; an error when `df` has no such column.
    fn required(df: &'a DataFrame, name: &str) -> Result<Text<'a>> {
        df.column(name).with_context(|| format!("the table has no '{name}' column"))?;
        Text::of(df, name)
    }

    /// The cell of row `i`.
    #[inline]
    fn get(self, i: usize) -> Option<&'a str> {
        self.array.and_then(|a| a.get(i))
    }

    /// The view of row `i`'s cell (its text when short, else where its text is): rows whose
    /// views are equal hold the same text.
    #[inline]
    fn view(self, i: usize) -> Option<u128> {
        self.array.map(|a| a.views()[i].as_u128())
    }

    /// Marks in `changed` each row whose cell is not the same as the row before's (as
    /// [`Text::same`] tells, on equal views by their validity alone).
    fn mark_changes(self, changed: &mut [bool]) {
        let Some(a) = self.array else { return };
        let views = a.views();
        let valid = |i: usize| a.get(i).is_some();
        for i in 1..changed.len() {
            if changed[i] {
                continue;
            }
            changed[i] = if views[i] == views[i - 1] {
                self.nulls && valid(i) != valid(i - 1)
            } else {
                a.get(i) != a.get(i - 1)
            };
        }
    }

    /// Keeps in `same` only the rows whose cell is the same as that of their row in `other`
    /// ([`Text::same`]).
    fn mark_same_as(self, other: &[Option<usize>], same: &mut [bool]) {
        for (i, (s, o)) in same.iter_mut().zip(other).enumerate() {
            if let (true, Some(j)) = (*s, *o) {
                *s = self.same(j, i);
            }
        }
    }

    /// Returns true if and only if rows `i` and `j` hold the same cell: first by their views
    /// (the cells of a dictionary-encoded column that hold one value are one view of it: no
    /// text compared), in a column without nulls; else by text.
    #[inline]
    fn same(self, i: usize, j: usize) -> bool {
        let Some(a) = self.array else { return true };
        (!self.nulls && a.views()[i] == a.views()[j]) || a.get(i) == a.get(j)
    }
}

/// A number column of a metrics table, as `f64`; every cell empty when the table has no such
/// column.
struct Number(Option<NumberArray>);

impl Number {
    /// Column `name` of `df`.
    fn of(df: &DataFrame, name: &str) -> Result<Number> {
        let Ok(col) = df.column(name) else { return Ok(Number(None)) };
        let col = col.cast(&DataType::Float64)?;
        let piece = col.f64()?.rechunk().downcast_iter().next().cloned();
        Ok(Number(piece))
    }

    /// The cell of row `i`.
    #[inline]
    fn get(&self, i: usize) -> Option<f64> {
        self.0.as_ref().and_then(|a| a.validity().is_none_or(|v| v.get_bit(i)).then(|| a.value(i)))
    }

    /// The bits of the cell of row `i` (cells compared as they are written).
    #[inline]
    fn bits(&self, i: usize) -> Option<u64> {
        self.get(i).map(f64::to_bits)
    }
}

/// Column `name` of `df` as numbers; all cells empty when `df` has no such column.
fn numbers(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    match df.column(name) {
        Ok(col) => Ok(col.cast(&DataType::Float64)?.f64()?.iter().collect()),
        Err(_) => Ok(vec![None; df.height()]),
    }
}

/// The columns of a metrics table that the analysis reads, borrowed from its frame.
struct Columns<'a> {
    source: Text<'a>,
    tool: Text<'a>,
    version: Text<'a>,
    workload: Text<'a>,
    params: Text<'a>,
    platform: Text<'a>,
    detail: Text<'a>,
    origin: Text<'a>,
    family: Text<'a>,
    /// Whether the table has a `platform_family` column.
    has_family: bool,
    metric: Text<'a>,
    issues: Text<'a>,
    unit: Text<'a>,
    better: Text<'a>,
    kind: Text<'a>,
    role: Text<'a>,
    subsystem: Text<'a>,
    primary: Flag<'a>,
    percentile_of: Text<'a>,
    percentile: Number,
    time_limit: Flag<'a>,
    value: Number,
    run: Number,
    repetition: Number,
    first_line: Number,
}

/// What decides a row's [`MetricInfo`]: its cells of the metric, unit, better, kind and
/// declaration columns (the percentile's bits).
type MetricKey<'a> = ([Option<&'a str>; 9], Option<u64>);

impl<'a> Columns<'a> {
    fn of(df: &'a DataFrame) -> Result<Columns<'a>> {
        let cols = Columns {
            source: Text::required(df, "source")?,
            tool: Text::of(df, "tool")?,
            version: Text::of(df, "tool_version")?,
            workload: Text::required(df, "workload")?,
            params: Text::of(df, "params")?,
            platform: Text::required(df, "platform")?,
            detail: Text::of(df, "platform_detail")?,
            origin: Text::of(df, "label_origin")?,
            family: Text::of(df, "platform_family")?,
            has_family: df.column("platform_family").is_ok(),
            metric: Text::of(df, "metric")?,
            issues: Text::of(df, "issues")?,
            unit: Text::of(df, "unit")?,
            better: Text::required(df, "better")?,
            kind: Text::of(df, "kind")?,
            role: Text::of(df, "role")?,
            subsystem: Text::of(df, "subsystem")?,
            primary: Flag::of(df, "primary")?,
            percentile_of: Text::of(df, "percentile_of")?,
            percentile: Number::of(df, "percentile")?,
            time_limit: Flag::of(df, "time_limit")?,
            value: Number::of(df, "value")?,
            run: Number::of(df, "run")?,
            repetition: Number::of(df, "repetition")?,
            first_line: Number::of(df, "first_line")?,
        };
        if df.column("value").is_err() {
            bail!("the table has no 'value' column");
        }
        Ok(cols)
    }

    /// The arm of row `i`: its platform with its detail.
    fn arm(&self, i: usize) -> String {
        arm_name(self.platform.get(i).unwrap_or("unknown"), self.detail.get(i).unwrap_or(""))
    }

    /// The log issues of row `i`: its `issues` cell, the JSON list ingest writes on a run's
    /// first row.
    fn log_issues(&self, i: usize) -> Result<Vec<LogIssue>> {
        let Some(cell) = self.issues.get(i).filter(|c| !c.is_empty()) else { return Ok(Vec::new()) };
        serde_json::from_str(cell)
            .with_context(|| format!("row {}: 'issues' is not the JSON list ingest writes", i + 2))
    }

    /// The log issues `list` of row `i`, as the analysis reads them.
    fn issues(&self, i: usize, list: Vec<LogIssue>) -> Vec<RunIssue> {
        let text = |col: Text<'_>| col.get(i).unwrap_or_default().to_string();
        list.into_iter()
            .map(|issue| RunIssue {
                source: text(self.source),
                line: issue.line,
                workload: text(self.workload),
                params: text(self.params),
                stratum: String::new(),
                arm: self.arm(i),
                family: self.family_of(i).to_string(),
                kind: issue.kind,
                message: issue.message,
            })
            .collect()
    }

    /// Returns true if and only if rows `i` and `j` are of one run: every cell that decides a
    /// row's [`RunInfo`] (and whether its run is a round, or unlabelled) is the same.
    fn same_run(&self, i: usize, j: usize) -> bool {
        let (texts, numbers) = self.run_columns();
        texts.iter().all(|col| col.same(i, j)) && numbers.iter().all(|col| col.bits(i) == col.bits(j))
    }

    /// The columns whose cells decide a row's run: text, then numbers.
    fn run_columns(&self) -> ([Text<'a>; 9], [&Number; 3]) {
        let texts = [
            self.source,
            self.tool,
            self.version,
            self.workload,
            self.params,
            self.platform,
            self.detail,
            self.origin,
            self.family,
        ];
        (texts, [&self.run, &self.repetition, &self.first_line])
    }

    /// For each of `rows` rows with a value ([`Columns::value`] finite; the others are passed
    /// over): whether it starts a run, and the row at its place in the run before when that
    /// row's metric is its own ([`Columns::same_metric`]: runs of one tool list the same
    /// metrics in the same order, so a row's metric is mostly found without looking it up).
    /// Both found column by column.
    fn runs_and_metric_guesses(&self, rows: usize) -> (Vec<bool>, Vec<Option<usize>>) {
        let changed = self.run_changes(rows);
        let mut starts = vec![false; rows];
        // Each row's row at its place in the run before, if that run had one.
        let mut guess: Vec<Option<usize>> = vec![None; rows];
        let (mut run, mut last): (Option<usize>, Option<usize>) = (None, None);
        let (mut before, mut this): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
        for i in (0..rows).filter(|&i| self.value.get(i).is_some_and(f64::is_finite)) {
            // Of the run before when no cell changed since the last row with a value; rows
            // passed over between them may have changed and changed back.
            let same = run.zip(last).is_some_and(|(r, p)| match changed[p + 1..=i].contains(&true) {
                false => true,
                true => p + 1 < i && self.same_run(r, i),
            });
            last = Some(i);
            if !same {
                starts[i] = true;
                std::mem::swap(&mut before, &mut this);
                this.clear();
                run = Some(i);
            }
            guess[i] = before.get(this.len()).copied();
            this.push(i);
        }
        let mut same_metric: Vec<bool> = guess.iter().map(Option::is_some).collect();
        for col in self.metric_columns() {
            col.mark_same_as(&guess, &mut same_metric);
        }
        for flag in [self.primary, self.time_limit] {
            flag.mark_same_as(&guess, &mut same_metric);
        }
        for (i, g) in guess.iter_mut().enumerate() {
            let same =
                same_metric[i] && g.is_some_and(|g| self.percentile.bits(g) == self.percentile.bits(i));
            *g = g.filter(|_| same);
        }
        (starts, guess)
    }

    /// For each row, whether a cell that decides its run differs from the row before's
    /// ([`Columns::same_run`] of neighbours), found column by column: a store's selection has
    /// 10 million rows, and a column's cells are compared in one pass over its views.
    fn run_changes(&self, rows: usize) -> Vec<bool> {
        let mut changed = vec![false; rows];
        let (texts, numbers) = self.run_columns();
        for col in texts {
            col.mark_changes(&mut changed);
        }
        for col in numbers {
            for (i, c) in changed.iter_mut().enumerate().skip(1) {
                *c = *c || col.bits(i) != col.bits(i - 1);
            }
        }
        changed
    }

    /// The run of row `i`, its shared cells numbered by `text`; those of `before` (the run
    /// before and its first row) where its cells are the same (a file's runs, mostly all runs
    /// of one setting, follow each other: no text looked up again).
    fn run_draft(
        &self,
        i: usize,
        before: Option<(usize, &RunDraft)>,
        files: &mut Files,
        text: &mut impl FnMut(&str) -> u32,
    ) -> RunDraft {
        let cell = |col: Text<'a>| col.get(i).unwrap_or_default();
        let file = match before {
            Some((r, b)) if self.source.same(r, i) => b.file,
            _ => files.add(cell(self.source)),
        };
        let shared =
            [self.tool, self.version, self.workload, self.params, self.platform, self.detail, self.family];
        let (tool, version, workload, params, arm, family) = match before {
            Some((r, b)) if shared.iter().all(|c| c.same(r, i)) => {
                (b.tool, b.version, b.workload, b.params, b.arm, b.family)
            }
            _ => (
                text(cell(self.tool)),
                self.version.get(i).filter(|s| !s.is_empty()).map(&mut *text),
                text(cell(self.workload)),
                text(cell(self.params)),
                text(&self.arm(i)),
                text(self.family_of(i)),
            ),
        };
        RunDraft {
            file,
            run: self.run.get(i).unwrap_or(1.0) as u32,
            tool,
            version,
            workload,
            params,
            arm,
            family,
            repetition: self.repetition.get(i).unwrap_or(1.0) as u32,
            first_line: self.first_line.get(i).unwrap_or(0.0) as u64,
            // A run a manifest labelled has the manifest's repetition: its round.
            round: match (self.origin.get(i), self.repetition.get(i)) {
                (Some("manifest"), Some(r)) => Some(r as u32),
                _ => None,
            },
        }
    }

    /// The platform family of row `i`: its `platform_family` cell (`unknown` when it has
    /// none), or in an older table without the column the family of its platform word.
    fn family_of(&self, i: usize) -> &'a str {
        match (self.family.get(i), self.has_family) {
            (Some(f), _) => f,
            (None, true) => "unknown",
            (None, false) => crate::label::family_of(self.platform.get(i).unwrap_or("")),
        }
    }

    /// The key of the metric of row `i`.
    fn metric_key(&self, i: usize) -> MetricKey<'a> {
        let [metric, unit, better, kind, role, subsystem, percentile_of] =
            self.metric_columns().map(|col| col.get(i));
        let (primary, time_limit) = (self.primary.get(i), self.time_limit.get(i));
        (
            [metric, unit, better, kind, role, subsystem, primary, percentile_of, time_limit],
            self.percentile.bits(i),
        )
    }

    /// The text columns that decide a row's [`MetricInfo`], with the percentile's and the
    /// flags `primary` and `time_limit`.
    fn metric_columns(&self) -> [Text<'a>; 7] {
        [self.metric, self.unit, self.better, self.kind, self.role, self.subsystem, self.percentile_of]
    }

    /// Returns true if and only if rows `i` and `j` have the same metric key
    /// ([`Columns::metric_key`]), without making it.
    fn same_metric(&self, i: usize, j: usize) -> bool {
        self.percentile.bits(i) == self.percentile.bits(j)
            && self.metric_columns().iter().all(|col| col.same(i, j))
            && self.primary.same(i, j)
            && self.time_limit.same(i, j)
    }

    /// The metric of row `i`: an error naming the row when its `better`, `kind` or a
    /// declaration is not a value ingest writes.
    fn metric_info(&self, i: usize) -> Result<MetricInfo> {
        let better = self
            .better
            .get(i)
            .and_then(Better::parse)
            .with_context(|| format!("row {}: 'better' must be higher, lower or none", i + 2))?;
        let kind = match self.kind.get(i).filter(|k| !k.is_empty()) {
            Some(k) => Kind::parse(k).with_context(|| {
                format!("row {}: 'kind' must be performance or resource, not '{k}'", i + 2)
            })?,
            None => Kind::Performance,
        };
        Ok(MetricInfo {
            metric: self.metric.get(i).unwrap_or_default().to_string(),
            unit: self.unit.get(i).unwrap_or_default().to_string(),
            better,
            kind,
            declared: self.declared(i)?,
        })
    }

    /// What the parser declared about the metric of row `i`.
    fn declared(&self, i: usize) -> Result<Declared> {
        let cell = |col: Text<'a>| -> Option<&'a str> { col.get(i).filter(|c| !c.is_empty()) };
        let bad = |name: &str, want: &str, got: &str| {
            anyhow::anyhow!("row {}: '{name}' must be {want}, not '{got}'", i + 2)
        };
        let flag = |col: Flag<'a>, name: &str| match col.get(i).filter(|c| !c.is_empty()) {
            Some("true") => Ok(true),
            Some("false") | None => Ok(false),
            Some(w) => Err(bad(name, "true or false", w)),
        };
        Ok(Declared {
            role: match cell(self.role) {
                Some(w) => Role::parse(w).ok_or_else(|| bad("role", "benchmark or monitor", w))?,
                None => Role::default(),
            },
            subsystem: match cell(self.subsystem) {
                Some(w) => Subsystem::parse(w)
                    .ok_or_else(|| bad("subsystem", "cpu, memory, disk, network or application", w))?,
                None => Subsystem::default(),
            },
            primary: flag(self.primary, "primary")?,
            percentile: cell(self.percentile_of)
                .zip(self.percentile.get(i))
                .map(|(of, p)| Percentile::new(of.to_string(), p)),
            time_limit: flag(self.time_limit, "time_limit")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::PathBuf;

    use super::{MetricsTable, Text};
    use crate::analyse::{Dataset, Obs, ObsRef};
    use crate::ingest::{self, IngestConfig};
    use crate::label::{LabelSet, Labeler};

    /// Two cells are the same by their views only in a column without nulls: a null cell and
    /// an empty one have one view (all zeros), and are not the same cell.
    #[test]
    fn a_null_cell_is_not_an_empty_one() {
        let df = polars::prelude::df!(
            "t" => [Some(""), None, Some(""), Some("a"), Some("a")],
            "u" => ["", "", "x", "a", "a"],
        )
        .expect("frame");
        let df = super::strings(df).expect("strings");
        let t = Text::of(&df, "t").expect("column");
        assert!(!t.same(0, 1) && !t.same(1, 2) && t.same(0, 2) && t.same(3, 4));
        assert_eq!((t.get(0), t.get(1)), (Some(""), None));
        let u = Text::of(&df, "u").expect("column");
        assert!(u.same(0, 1) && !u.same(1, 2) && u.same(3, 4));
        let absent = Text::of(&df, "v").expect("absent");
        assert!(absent.same(0, 4) && absent.get(2).is_none());
    }

    /// A run takes the shared cells of the run before it only where its own are the same:
    /// consecutive runs of one file, each differing from the one before in one cell (version,
    /// params, platform detail, family, workload, platform), then a run of another file.
    #[test]
    fn each_run_keeps_its_own_cells() {
        let n = 8;
        let df = polars::prelude::df!(
            "source" => ["f.txt", "f.txt", "f.txt", "f.txt", "f.txt", "f.txt", "f.txt", "g.txt"],
            "run" => (1..=n).map(|r| r as f64).collect::<Vec<_>>(),
            "tool" => vec!["sysbench"; n],
            "tool_version" => ["1.0.20", "1.0.18", "1.0.18", "1.0.18", "1.0.18", "1.0.18", "1.0.18", "1.0.18"],
            "workload" => ["sysbench.cpu", "sysbench.cpu", "sysbench.cpu", "sysbench.cpu", "sysbench.cpu", "sysbench.memory", "sysbench.memory", "sysbench.memory"],
            "params" => ["threads=1", "threads=1", "threads=2", "threads=2", "threads=2", "threads=2", "threads=2", "threads=2"],
            "platform" => ["docker", "docker", "docker", "docker", "docker", "docker", "kvm", "kvm"],
            "platform_detail" => ["", "", "", "a", "a", "a", "a", "a"],
            "platform_family" => ["container", "container", "container", "container", "vm", "vm", "vm", "vm"],
            "label_origin" => vec!["path"; n],
            "metric" => vec!["events_per_sec"; n],
            "unit" => vec!["events/s"; n],
            "better" => vec!["higher"; n],
            "kind" => vec!["performance"; n],
            "value" => (1..=n).map(|r| r as f64).collect::<Vec<_>>(),
        )
        .expect("frame");
        let ds = MetricsTable::from_frame(df).expect("table").counts_and_dataset().expect("dataset").1;
        let runs: Vec<String> = ds
            .iter()
            .map(|o| {
                let v = o.tool_version().unwrap_or("");
                let family = &o.setting.family;
                format!("{} {} {v} {} {} {} {family}", o.source(), o.run(), o.workload(), o.params(), o.arm())
            })
            .collect();
        assert_eq!(
            runs,
            [
                "f.txt 1 1.0.20 sysbench.cpu threads=1 docker container",
                "f.txt 2 1.0.18 sysbench.cpu threads=1 docker container",
                "f.txt 3 1.0.18 sysbench.cpu threads=2 docker container",
                "f.txt 4 1.0.18 sysbench.cpu threads=2 docker[a] container",
                "f.txt 5 1.0.18 sysbench.cpu threads=2 docker[a] vm",
                "f.txt 6 1.0.18 sysbench.memory threads=2 docker[a] vm",
                "f.txt 7 1.0.18 sysbench.memory threads=2 kvm[a] vm",
                "g.txt 8 1.0.18 sysbench.memory threads=2 kvm[a] vm",
            ]
        );
        // The runs of one file share its name, the other file has its own.
        let names: Vec<&std::sync::Arc<str>> = ds.runs.iter().map(|r| &r.source).collect();
        assert!(names[..7].iter().all(|s| Dataset::same_text(s, names[0])));
        assert!(!Dataset::same_text(names[6], names[7]));
    }

    /// Rows without a value are passed over: a run's rows around one of another run's are one
    /// run, and a change that a passed-over row hides still starts a run.
    #[test]
    fn rows_without_a_value_do_not_split_or_join_runs() {
        let df = polars::prelude::df!(
            "source" => ["f.txt", "g.txt", "f.txt", "f.txt", "f.txt", "h.txt", "h.txt", "h.txt"],
            "run" => [1.0, 1.0, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0],
            "tool" => vec!["sysbench"; 8],
            "workload" => vec!["sysbench.cpu"; 8],
            "params" => vec!["threads=1"; 8],
            "platform" => vec!["docker"; 8],
            "metric" => ["a", "a", "b", "c", "a", "z", "a", "b"],
            "unit" => vec!["s"; 8],
            "better" => vec!["lower"; 8],
            "value" => [1.0, f64::NAN, 2.0, f64::NAN, 3.0, f64::NAN, 4.0, 5.0],
        )
        .expect("frame");
        let ds = MetricsTable::from_frame(df).expect("table").counts_and_dataset().expect("dataset").1;
        let runs: Vec<(String, u32, f64)> =
            ds.iter().map(|o| (o.source().to_string(), o.run(), o.value)).collect();
        assert_eq!(
            runs,
            [
                ("f.txt".into(), 1, 1.0),
                ("f.txt".into(), 1, 2.0),
                ("f.txt".into(), 2, 3.0),
                ("h.txt".into(), 1, 4.0),
                ("h.txt".into(), 1, 5.0)
            ]
        );
        let ids: Vec<u32> = ds.obs.runs().to_vec();
        assert_eq!(ids, [0, 0, 1, 2, 2]);
    }

    /// A row's metric is guessed from the row at its place in the run before, and kept only
    /// when every cell of the metric is the same: runs listing their metrics in another order,
    /// or one differing only in its unit, its direction or its percentile's number.
    #[test]
    fn a_rows_metric_is_its_own_whatever_the_run_before_listed() {
        let df = polars::prelude::df!(
            "source" => vec!["f.txt"; 10],
            "run" => [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0, 5.0, 5.0],
            "tool" => vec!["fio"; 10],
            "workload" => vec!["fio.randread"; 10],
            "params" => vec!["bs=4k"; 10],
            "platform" => vec!["kvm"; 10],
            "metric" => ["a", "b", "b", "a", "b", "a", "b", "a", "b", "a"],
            "unit" => ["ms", "ms", "ms", "ms", "ms", "s", "ms", "s", "ms", "s"],
            "better" => ["lower", "lower", "lower", "lower", "lower", "lower", "higher", "lower", "higher", "lower"],
            "percentile_of" => [None, None, None, None, None, None, Some("lat"), Some("lat"), Some("lat"), Some("lat")],
            "percentile" => [None, None, None, None, None, None, Some(99.0), Some(99.9), Some(99.9), Some(99.9)],
            "value" => [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0],
        )
        .expect("frame");
        let ds = MetricsTable::from_frame(df).expect("table").counts_and_dataset().expect("dataset").1;
        let got: Vec<String> = ds
            .iter()
            .map(|o| format!("{} {} {:?} {:?}", o.metric(), o.unit(), o.better(), o.declared().percentile))
            .collect();
        let p = |q: f64| Some(crate::model::Percentile::new("lat".to_string(), q));
        let want: Vec<String> = [
            ("a", "ms", "Lower", None),
            ("b", "ms", "Lower", None),
            ("b", "ms", "Lower", None),
            ("a", "ms", "Lower", None),
            ("b", "ms", "Lower", None),
            ("a", "s", "Lower", None),
            ("b", "ms", "Higher", p(99.0)),
            ("a", "s", "Lower", p(99.9)),
            ("b", "ms", "Higher", p(99.9)),
            ("a", "s", "Lower", p(99.9)),
        ]
        .into_iter()
        .map(|(m, u, b, q)| format!("{m} {u} {b} {q:?}"))
        .collect();
        assert_eq!(got, want);
    }

    /// `primary` and `time_limit` read alike as booleans (the store's) and as text (a CSV
    /// table's); a text cell that is neither true nor false is refused, naming its row.
    #[test]
    fn flags_read_alike_as_booleans_and_as_text() {
        let table = |primary: polars::prelude::Column| {
            let mut df = polars::prelude::df!(
                "source" => ["f.txt", "f.txt", "f.txt"],
                "run" => [1.0, 1.0, 2.0],
                "tool" => vec!["sysbench"; 3],
                "workload" => vec!["sysbench.cpu"; 3],
                "params" => vec!["threads=1"; 3],
                "platform" => vec!["kvm"; 3],
                "metric" => ["events_per_sec", "total_time_s", "events_per_sec"],
                "unit" => ["events/s", "s", "events/s"],
                "better" => ["higher", "none", "higher"],
                "value" => [1.0, 2.0, 3.0],
            )
            .expect("frame");
            df.with_column(primary).expect("primary");
            MetricsTable::from_frame(df).expect("table").counts_and_dataset()
        };
        let spell =
            |d: &Dataset| d.iter().map(|o| format!("{} {:?}", o.metric(), o.declared())).collect::<Vec<_>>();
        let bools = polars::prelude::Column::new("primary".into(), [Some(true), Some(false), None]);
        let text = polars::prelude::Column::new("primary".into(), [Some("true"), Some("false"), None]);
        let (a, b) = (table(bools).expect("booleans").1, table(text).expect("text").1);
        assert_eq!(spell(&a), spell(&b));
        assert!(a.iter().next().expect("a row").declared().primary);
        assert!(!a.iter().nth(1).expect("a row").declared().primary);
        let bad = polars::prelude::Column::new("primary".into(), ["true", "yes", "false"]);
        let err = table(bad).map(|_| ()).expect_err("refused");
        assert!(format!("{err:#}").contains("row 3: 'primary' must be true or false, not 'yes'"), "{err:#}");
    }

    /// sample-data's sysbench and pidstat outputs on native, ingested as `ingest` does.
    fn ingested() -> ingest::Ingested {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-data/native");
        let labeler = Labeler::new(LabelSet::default(), None).expect("labeler");
        let cfg = IngestConfig { format: None, series: false, hash: false };
        ingest::ingest(&[dir.join("sysbench-cpu"), dir.join("fio-randread")], &cfg, &labeler).expect("ingest")
    }

    /// An observation as plain values, to compare datasets made two ways.
    fn spelled(o: ObsRef<'_>) -> String {
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
    /// share one run, the rows of one metric one declaration: an observation is two numbers
    /// and its value, not its strings (issue 17: 1 KB per row made 10 million rows 10 GiB).
    #[test]
    fn rows_share_their_run_and_metric() {
        let ing = ingested();
        let raw = Dataset::from_runs(&ing.runs);
        let df = crate::table::runs::metrics_frame(&ing.runs).expect("frame");
        let ds = MetricsTable::from_frame(df).expect("table").counts_and_dataset().expect("dataset").1;
        assert!(ds.obs.len() > 100, "{} observations", ds.obs.len());
        let spell = |d: &Dataset| d.iter().map(spelled).collect::<Vec<_>>();
        assert_eq!(spell(&ds), spell(&raw));
        assert_eq!(std::mem::size_of::<Obs>(), 2 * 8);
        for d in [&ds, &raw] {
            let obs: Vec<ObsRef<'_>> = d.iter().collect();
            for (a, b) in obs.iter().zip(&obs[1..]) {
                let same_run = (a.source(), a.run()) == (b.source(), b.run());
                assert_eq!(a.run_id == b.run_id, same_run, "{} / {}", spelled(*a), spelled(*b));
            }
            let runs: BTreeSet<u32> = d.obs.iter().map(|o| o.run).collect();
            let metrics: BTreeSet<u32> = d.obs.iter().map(|o| o.metric).collect();
            let distinct: BTreeSet<String> = obs.iter().map(|o| format!("{:?}", o.metric_info)).collect();
            assert_eq!(metrics.len(), distinct.len());
            assert!(runs.len() * 5 < d.obs.len(), "{} runs, {} observations", runs.len(), d.obs.len());
        }
    }
}
