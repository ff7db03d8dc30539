//! Analysis of ingested runs: per-group statistics, overhead against a baseline with an
//! interval on the ratio, a verdict, audit checks, and a per-subsystem summary.
//!
//! Input is a [`Dataset`] (from raw runs or from a table written by `virtperf ingest`); output
//! is an [`Analysis`] of plain rows that [`crate::analyse::frames`] turns into polars frames.
//! The statistics themselves live in [`crate::stats`]; this module decides what is compared
//! with what, and when a comparison is not valid. It does not read files or print.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{bail, Context, Result};
use polars::prelude::{df, DataFrame, DataType, PolarsResult};
use serde::Serialize;

use crate::model::{params_string, Better, Declared, IngestedRun, Kind, Percentile, Role, Subsystem};
use crate::stats;

/// One value of one metric of one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Obs {
    /// Source file.
    pub source: String,
    /// Run index within the source.
    pub run: u32,
    /// Tool name.
    pub tool: String,
    /// Tool version, when known.
    pub tool_version: Option<String>,
    /// Workload, e.g. `sysbench.cpu`.
    pub workload: String,
    /// Canonical params string.
    pub params: String,
    /// What is compared: the platform (with its detail), or the campaign in `compare`.
    pub arm: String,
    /// Extra grouping that is not compared across (the platform in `compare`), else empty.
    pub stratum: String,
    /// Repetition number.
    pub repetition: u32,
    /// First line of the run in its source.
    pub first_line: u64,
    /// Metric name.
    pub metric: String,
    /// Unit.
    pub unit: String,
    /// Better direction.
    pub better: Better,
    /// Performance or resource.
    pub kind: Kind,
    /// Value.
    pub value: f64,
    /// What the parser declared about the metric and its run: role, subsystem, primary,
    /// percentile, time limit.
    pub declared: Declared,
}

/// A problem a log reports about one run (socket errors, fio err, FATAL, truncated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunIssue {
    /// Source file.
    pub source: String,
    /// Line in the source.
    pub line: usize,
    /// Workload of the run.
    pub workload: String,
    /// Canonical params of the run.
    pub params: String,
    /// Stratum of the run (the platform in `compare`), else empty.
    pub stratum: String,
    /// Arm (platform) of the run.
    pub arm: String,
    /// Kind, as in [`crate::model::LogIssue::kind`].
    pub kind: String,
    /// What the log says.
    pub message: String,
}

/// Everything the analysis reads.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// All observations.
    pub obs: Vec<Obs>,
    /// Problems reported inside the logs.
    pub issues: Vec<RunIssue>,
    /// Files that could not be read at all: `(source, message)`.
    pub unreadable: Vec<(String, String)>,
    /// Files labelled `unknown`: `(source, how)`.
    pub unlabelled: Vec<String>,
    /// How each raw file's platform was decided (empty for tables), for the `mixed_labels`
    /// check.
    pub label_sources: Vec<LabelSource>,
}

/// How one file's platform was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelSource {
    /// Source file.
    pub source: String,
    /// The arm its runs count under.
    pub arm: String,
    /// Its platform label.
    pub platform: String,
    /// Where the label came from (`path`, `manifest`, `mapping`, `cli`, `unknown`).
    pub origin: crate::model::LabelOrigin,
    /// For a path label: the word that decided, lowercase.
    pub word: String,
    /// For a path label: how far the component with the word is from the file (0: the name).
    pub depth: usize,
    /// For a path label: the path up to and including that component.
    pub prefix: String,
}

/// The [`LabelSource`] of every file of `files` that was read, its arm its platform label.
pub fn label_sources(files: &[crate::ingest::FileReport]) -> Vec<LabelSource> {
    files
        .iter()
        .filter(|f| f.error.is_none() && f.runs > 0)
        .map(|f| {
            let l = &f.labels;
            let (word, depth, prefix) = match &l.path_word {
                Some(w) => (w.word.to_lowercase(), w.depth, w.prefix.clone()),
                None => (String::new(), 0, String::new()),
            };
            LabelSource {
                source: f.source.clone(),
                arm: arm_name(&l.platform, &l.platform_detail),
                platform: l.platform.clone(),
                origin: l.origin,
                word,
                depth,
                prefix,
            }
        })
        .collect()
}

/// The arm name of a platform with its detail: `qemu` or `qemu[raw,config1]`.
pub fn arm_name(platform: &str, detail: &str) -> String {
    if detail.is_empty() {
        platform.to_string()
    } else {
        format!("{platform}[{detail}]")
    }
}

impl Dataset {
    /// Builds a dataset from ingested runs, comparing platforms.
    pub fn from_runs(runs: &[IngestedRun]) -> Dataset {
        let mut ds = Dataset::default();
        let mut unlabelled = BTreeSet::new();
        for r in runs {
            let arm = arm_name(&r.labels.platform, &r.labels.platform_detail);
            if r.labels.origin == crate::model::LabelOrigin::Unknown {
                unlabelled.insert(r.source.clone());
            }
            let params = params_string(&r.data.params);
            for m in &r.data.metrics {
                ds.obs.push(Obs {
                    source: r.source.clone(),
                    run: r.run as u32,
                    tool: r.data.tool.clone(),
                    tool_version: r.data.tool_version.clone(),
                    workload: r.data.workload.clone(),
                    params: params.clone(),
                    arm: arm.clone(),
                    stratum: String::new(),
                    repetition: r.repetition as u32,
                    first_line: r.data.first_line as u64,
                    metric: m.name.to_string(),
                    unit: m.unit.to_string(),
                    better: m.better,
                    kind: m.kind,
                    value: m.value,
                    declared: Declared::of(&r.data, m),
                });
            }
            for i in &r.data.issues {
                ds.issues.push(RunIssue {
                    source: r.source.clone(),
                    line: i.line,
                    workload: r.data.workload.clone(),
                    params: params.clone(),
                    stratum: String::new(),
                    arm: arm.clone(),
                    kind: i.kind.clone(),
                    message: i.message.clone(),
                });
            }
        }
        ds.unlabelled = unlabelled.into_iter().collect();
        ds
    }

    /// Builds a dataset from a metrics table written by `virtperf ingest` (columns
    /// [`crate::model::METRIC_COLUMNS`]; `platform_detail`, `first_line`, `repetition`, `run`,
    /// `kind` and the declarations [`crate::model::DECLARED_COLUMNS`] may be absent). A table
    /// written before the declaration columns existed gets them from the parsers first
    /// (`ingest::declare_table`, which `commands` calls); here a missing one means a
    /// performance metric of a benchmark run, in subsystem `application`, neither primary nor a
    /// percentile nor a time limit.
    pub fn from_frame(df: &DataFrame) -> Result<Dataset> {
        let text = |name: &str| -> Result<Vec<Option<String>>> {
            let col = df.column(name).with_context(|| format!("the table has no '{name}' column"))?;
            let col = col.cast(&DataType::String)?;
            Ok(col.str()?.iter().map(|v| v.map(str::to_string)).collect())
        };
        let opt_text = |name: &str| -> Result<Vec<Option<String>>> {
            if df.column(name).is_ok() {
                text(name)
            } else {
                Ok(vec![None; df.height()])
            }
        };
        let num = |name: &str| -> Result<Vec<Option<f64>>> {
            match df.column(name) {
                Ok(col) => Ok(col.cast(&DataType::Float64)?.f64()?.iter().collect()),
                Err(_) => Ok(vec![None; df.height()]),
            }
        };
        let source = text("source")?;
        let tool = opt_text("tool")?;
        let version = opt_text("tool_version")?;
        let workload = text("workload")?;
        let params = opt_text("params")?;
        let platform = text("platform")?;
        let detail = opt_text("platform_detail")?;
        let origin = opt_text("label_origin")?;
        let metric = opt_text("metric")?;
        let issues = opt_text("issues")?;
        let unit = opt_text("unit")?;
        let better = text("better")?;
        let kind = opt_text("kind")?;
        let role = opt_text("role")?;
        let subsystem = opt_text("subsystem")?;
        let primary = opt_text("primary")?;
        let percentile_of = opt_text("percentile_of")?;
        let percentile = num("percentile")?;
        let time_limit = opt_text("time_limit")?;
        let value = num("value")?;
        let run = num("run")?;
        let rep = num("repetition")?;
        let first = num("first_line")?;
        if df.column("value").is_err() {
            bail!("the table has no 'value' column");
        }
        let mut ds = Dataset::default();
        let mut unlabelled = BTreeSet::new();
        for i in 0..df.height() {
            let arm =
                || arm_name(platform[i].as_deref().unwrap_or("unknown"), detail[i].as_deref().unwrap_or(""));
            if let Some(cell) = issues[i].as_deref().filter(|c| !c.is_empty()) {
                let list: Vec<crate::model::LogIssue> = serde_json::from_str(cell)
                    .with_context(|| format!("row {}: 'issues' is not the JSON list ingest writes", i + 2))?;
                for issue in list {
                    ds.issues.push(RunIssue {
                        source: source[i].clone().unwrap_or_default(),
                        line: issue.line,
                        workload: workload[i].clone().unwrap_or_default(),
                        params: params[i].clone().unwrap_or_default(),
                        stratum: String::new(),
                        arm: arm(),
                        kind: issue.kind,
                        message: issue.message,
                    });
                }
            }
            let Some(v) = value[i].filter(|v| v.is_finite()) else { continue };
            let b = better[i]
                .as_deref()
                .and_then(Better::parse)
                .with_context(|| format!("row {}: 'better' must be higher, lower or none", i + 2))?;
            let tool = tool[i].clone().unwrap_or_default();
            let metric = metric[i].clone().unwrap_or_default();
            let kind = match kind[i].as_deref().filter(|k| !k.is_empty()) {
                Some(k) => Kind::parse(k).with_context(|| {
                    format!("row {}: 'kind' must be performance or resource, not '{k}'", i + 2)
                })?,
                None => Kind::Performance,
            };
            let cell = |col: &[Option<String>]| col[i].clone().filter(|c| !c.is_empty());
            let bad = |name: &str, want: &str, got: &str| {
                anyhow::anyhow!("row {}: '{name}' must be {want}, not '{got}'", i + 2)
            };
            let flag = |col: &[Option<String>], name: &str| match cell(col).as_deref() {
                Some("true") => Ok(true),
                Some("false") | None => Ok(false),
                Some(w) => Err(bad(name, "true or false", w)),
            };
            let declared = Declared {
                role: match cell(&role) {
                    Some(w) => Role::parse(&w).ok_or_else(|| bad("role", "benchmark or monitor", &w))?,
                    None => Role::default(),
                },
                subsystem: match cell(&subsystem) {
                    Some(w) => Subsystem::parse(&w)
                        .ok_or_else(|| bad("subsystem", "cpu, memory, disk, network or application", &w))?,
                    None => Subsystem::default(),
                },
                primary: flag(&primary, "primary")?,
                percentile: cell(&percentile_of).zip(percentile[i]).map(|(of, p)| Percentile::new(of, p)),
                time_limit: flag(&time_limit, "time_limit")?,
            };
            let src = source[i].clone().unwrap_or_default();
            if origin[i].as_deref() == Some("unknown") {
                unlabelled.insert(src.clone());
            }
            ds.obs.push(Obs {
                source: src,
                run: run[i].unwrap_or(1.0) as u32,
                tool,
                tool_version: version[i].clone().filter(|s| !s.is_empty()),
                workload: workload[i].clone().unwrap_or_default(),
                params: params[i].clone().unwrap_or_default(),
                arm: arm(),
                stratum: String::new(),
                repetition: rep[i].unwrap_or(1.0) as u32,
                first_line: first[i].unwrap_or(0.0) as u64,
                metric,
                unit: unit[i].clone().unwrap_or_default(),
                better: b,
                kind,
                value: v,
                declared,
            });
        }
        ds.unlabelled = unlabelled.into_iter().collect();
        Ok(ds)
    }

    /// All arms, sorted.
    pub fn arms(&self) -> Vec<String> {
        self.obs.iter().map(|o| o.arm.clone()).collect::<BTreeSet<_>>().into_iter().collect()
    }
}

/// Settings of an analysis.
#[derive(Debug, Clone)]
pub struct AnalyseConfig {
    /// The arm every other arm is compared with (`native`).
    pub baseline: String,
    /// Confidence level of every interval, e.g. 0.95.
    pub confidence: f64,
    /// Equivalence margin in percent, if any.
    pub margin_pct: Option<f64>,
    /// CV (percent) above which a group gets a `high_cv` warning (never a failure: the
    /// interval already holds the spread).
    pub cv_warn_pct: f64,
    /// Fewer runs than this get a warning.
    pub min_runs: usize,
}

impl Default for AnalyseConfig {
    fn default() -> AnalyseConfig {
        AnalyseConfig {
            baseline: "native".into(),
            confidence: 0.95,
            margin_pct: None,
            cv_warn_pct: 5.0,
            min_runs: 3,
        }
    }
}

/// Statistics of one (workload, params, metric, arm) group.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryRow {
    /// Workload.
    pub workload: String,
    /// Params.
    pub params: String,
    /// Metric.
    pub metric: String,
    /// Unit.
    pub unit: String,
    /// Better direction.
    pub better: Better,
    /// Performance or resource.
    pub kind: Kind,
    /// The platform (arm).
    pub platform: String,
    /// Stratum (platform in `compare`), else empty.
    pub stratum: String,
    /// Whether this is the workload's primary metric.
    pub primary: bool,
    /// Which percentile of which distribution the metric is, as its parser declared it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percentile: Option<Percentile>,
    /// Statistics.
    pub stats: stats::Summary,
    /// The values, in (source, run) order.
    pub values: Vec<f64>,
    /// Source files.
    pub sources: Vec<String>,
}

/// Overhead of one arm against the baseline for one (workload, params, metric).
#[derive(Debug, Clone, Serialize)]
pub struct OverheadRow {
    /// Workload.
    pub workload: String,
    /// Params.
    pub params: String,
    /// Metric.
    pub metric: String,
    /// Unit.
    pub unit: String,
    /// Better direction.
    pub better: Better,
    /// Performance or resource: decides the verdict's words.
    pub kind: Kind,
    /// Platform (arm) compared.
    pub platform: String,
    /// Stratum (platform in `compare`), else empty.
    pub stratum: String,
    /// Baseline arm.
    pub baseline: String,
    /// Whether this is the workload's primary metric.
    pub primary: bool,
    /// Runs of the platform.
    pub n: usize,
    /// Runs of the baseline.
    pub baseline_n: usize,
    /// Mean of the platform.
    pub mean: f64,
    /// Mean of the baseline.
    pub baseline_mean: f64,
    /// mean / baseline_mean.
    pub ratio: Option<f64>,
    /// Overhead in percent, positive = costs more than the baseline: `(1 - ratio) * 100` when
    /// higher is better (the share of the baseline's throughput lost, capped at 100),
    /// `(ratio - 1) * 100` when lower is better. Kept for old readers; reports print the change
    /// and the cost ratio instead.
    pub overhead_pct: Option<f64>,
    /// Lower bound of the overhead interval, None when unbounded.
    pub ci_low_pct: Option<f64>,
    /// Upper bound of the overhead interval, None when unbounded.
    pub ci_high_pct: Option<f64>,
    /// The change of the metric itself in percent, `(ratio - 1) * 100` (events/s -86.4%).
    pub change_pct: Option<f64>,
    /// Lower bound of the change's interval (Fieller's on the ratio), None when unbounded.
    pub change_ci_low_pct: Option<f64>,
    /// Upper bound of the change's interval, None when unbounded.
    pub change_ci_high_pct: Option<f64>,
    /// Cost of one unit of work relative to the baseline: `1 / ratio` when higher is better
    /// (the time per event), `ratio` when lower is better; 2 = twice the cost. None when the
    /// ratio is not positive.
    pub cost_ratio: Option<f64>,
    /// Lower bound of the cost ratio's interval, None when unbounded.
    pub cost_ratio_ci_low: Option<f64>,
    /// Upper bound of the cost ratio's interval, None when unbounded.
    pub cost_ratio_ci_high: Option<f64>,
    /// Welch two-sided p-value.
    pub p_value: Option<f64>,
    /// The verdict in the words of the metric's kind (`slower`, `uses less`, ...), or
    /// `not judged: <checks>` when a failed check concerns this comparison.
    pub verdict: String,
    /// The failed checks that concern this comparison, by name, in the order of the checks;
    /// empty when the verdict was judged.
    pub failed_checks: Vec<String>,
    /// The checks that concern this comparison with a warning, by name: the verdict is given
    /// despite them.
    pub warning_checks: Vec<String>,
}

/// Severity of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// For information.
    Info,
    /// Something to look at; the numbers are still given.
    Warning,
    /// The comparison is not valid (refused), or the data is broken.
    Fail,
}

impl Severity {
    /// The word used in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Fail => "fail",
        }
    }
}

/// What a check concerns: the comparisons whose verdict a failed check withholds (see
/// [`withhold_verdicts`]). A check concerns the comparison of a platform with the baseline on
/// (workload, params, stratum, metric) when its workload is that workload, its params, stratum
/// and metric are that one's or `None` (all), and its platform is the platform, the baseline, or
/// `None` (all). A check with no workload concerns no comparison in particular.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Scope {
    /// Workload; `None`: none in particular (an unreadable file, a missing baseline).
    pub workload: Option<String>,
    /// Canonical params; `None`: every params set of the workload.
    pub params: Option<String>,
    /// Stratum (the platform in `compare`), else empty.
    pub stratum: String,
    /// Metric; `None`: every metric.
    pub metric: Option<String>,
    /// Arm; `None`: every arm.
    pub platform: Option<String>,
}

impl Scope {
    /// Concerns no comparison in particular.
    pub fn none() -> Scope {
        Scope::default()
    }

    /// Every metric of one (workload, params, stratum) group of one arm.
    pub fn group(workload: &str, params: &str, stratum: &str, platform: &str) -> Scope {
        Scope {
            workload: Some(workload.to_string()),
            params: Some(params.to_string()),
            stratum: stratum.to_string(),
            metric: None,
            platform: Some(platform.to_string()),
        }
    }

    /// Every params set and metric of one workload (within a stratum) of one arm.
    pub fn workload(workload: &str, stratum: &str, platform: &str) -> Scope {
        Scope { params: None, ..Scope::group(workload, "", stratum, platform) }
    }

    /// The same scope narrowed to one metric.
    pub fn metric(self, metric: &str) -> Scope {
        Scope { metric: Some(metric.to_string()), ..self }
    }

    /// Returns true if and only if a check with this scope concerns the comparison of
    /// `row.platform` with `row.baseline` on the row's workload, params, stratum and metric.
    pub fn concerns(&self, row: &OverheadRow) -> bool {
        let Some(workload) = &self.workload else { return false };
        workload == &row.workload
            && self.params.as_ref().is_none_or(|p| p == &row.params)
            && self.stratum == row.stratum
            && self.metric.as_ref().is_none_or(|m| m == &row.metric)
            && self.platform.as_ref().is_none_or(|a| a == &row.platform || a == &row.baseline)
    }
}

/// One check that fired.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Check name: `too_few_runs`, `high_cv`, `outlier`, `drift`, `params_differ`,
    /// `versions_differ`, `units_differ`, `log_errors`, `no_baseline`, `unlabelled`,
    /// `mixed_labels`, `unreadable`, `work_differs`, `run_time_differs`.
    pub check: &'static str,
    /// Severity.
    pub severity: Severity,
    /// Workload concerned (empty when none).
    pub workload: String,
    /// Platform concerned (empty when none).
    pub platform: String,
    /// What was found, for people.
    pub detail: String,
    /// Files concerned (with `:line` where known).
    pub sources: Vec<String>,
    /// The comparisons it concerns, for [`withhold_verdicts`].
    pub scope: Scope,
}

/// Geometric-mean overhead of one subsystem for one platform.
#[derive(Debug, Clone, Serialize)]
pub struct SubsystemRow {
    /// `cpu`, `memory`, `disk`, `network`, `application`.
    pub subsystem: String,
    /// Platform (arm).
    pub platform: String,
    /// Stratum (platform in `compare`), else empty.
    pub stratum: String,
    /// Baseline.
    pub baseline: String,
    /// Geometric mean of the cost ratios (platform cost / baseline cost) of the primary
    /// metrics of the workloads covered.
    pub geomean_cost_ratio: f64,
    /// (1 - 1 / geomean) * 100: positive = costs more; for one throughput workload its
    /// `overhead_pct`. Kept for old readers; reports print the cost ratio.
    pub overhead_pct: f64,
    /// Number of (workload, params) comparisons in the mean.
    pub comparisons: usize,
    /// The workloads covered.
    pub workloads: Vec<String>,
    /// The workloads covered whose comparison was not judged (a failed check concerns it):
    /// their cost ratio is in the mean all the same.
    pub not_judged: Vec<String>,
}

/// The result of an analysis.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// The baseline arm.
    pub baseline: String,
    /// Confidence level.
    pub confidence: f64,
    /// Equivalence margin.
    pub margin_pct: Option<f64>,
    /// All arms seen.
    pub platforms: Vec<String>,
    /// Per-group statistics.
    pub summary: Vec<SummaryRow>,
    /// Overheads.
    pub overhead: Vec<OverheadRow>,
    /// Checks that fired.
    pub checks: Vec<Check>,
    /// Per-subsystem summary.
    pub subsystems: Vec<SubsystemRow>,
}

impl Analysis {
    /// Returns true if and only if some check failed.
    pub fn failed(&self) -> bool {
        self.checks.iter().any(|c| c.severity == Severity::Fail)
    }
}

type GroupKey = (String, String, String, String, String); // workload, params, stratum, metric, arm

/// The primary metric of each (workload, params, stratum) group: the one its runs declare
/// ([`crate::model::Run::primary`]), a benchmark's declaration before a monitor's (a pidstat log
/// paired with the benchmark's runs declares its own); of several, the one the most runs
/// declare, then the first by name. One whose every value in the group, on every arm, is 0 is
/// taken only when no other is declared (the parsers pass over a metric a run measured as 0, so
/// this needs all runs).
fn declared_primaries(groups: &BTreeMap<GroupKey, Vec<&Obs>>) -> BTreeMap<(String, String, String), String> {
    // (workload, params, stratum) -> metric -> (declared by a monitor only, runs declaring it).
    type Votes<'a> = BTreeMap<(String, String, String), BTreeMap<&'a str, (bool, usize)>>;
    let mut votes = Votes::new();
    for ((w, p, s, m, _), obs) in groups {
        for o in obs.iter().filter(|o| o.declared.primary) {
            let vote = votes
                .entry((w.clone(), p.clone(), s.clone()))
                .or_default()
                .entry(m.as_str())
                .or_insert((true, 0));
            vote.0 &= o.declared.role == Role::Monitor;
            vote.1 += 1;
        }
    }
    votes
        .into_iter()
        .filter_map(|(k, metrics)| {
            let best = metrics.into_iter().min_by_key(|&(m, (monitor, runs))| {
                (zero_in_every_run(groups, &k, m), monitor, std::cmp::Reverse(runs), m)
            })?;
            Some((k, best.0.to_string()))
        })
        .collect()
}

/// The subsystem of each (workload, params, stratum) group, as its runs declare it (a
/// benchmark's before a monitor's).
fn declared_subsystems(ds: &Dataset) -> BTreeMap<(&str, &str, &str), Subsystem> {
    let mut out: BTreeMap<(&str, &str, &str), (Role, Subsystem)> = BTreeMap::new();
    for o in &ds.obs {
        let d = (o.declared.role, o.declared.subsystem);
        let e = out.entry((o.workload.as_str(), o.params.as_str(), o.stratum.as_str())).or_insert(d);
        if d.0 < e.0 {
            *e = d;
        }
    }
    out.into_iter().map(|(k, (_, s))| (k, s)).collect()
}

/// Returns true if and only if every value of `metric` in the (workload, params, stratum) of
/// `key`, on every arm, is 0.
fn zero_in_every_run(
    groups: &BTreeMap<GroupKey, Vec<&Obs>>,
    key: &(String, String, String),
    metric: &str,
) -> bool {
    let from = (key.0.clone(), key.1.clone(), key.2.clone(), metric.to_string(), String::new());
    let mut arms = groups
        .range(from..)
        .take_while(|((w, p, s, m, _), _)| (w, p, s) == (&key.0, &key.1, &key.2) && m == metric);
    let mut seen = false;
    arms.all(|(_, obs)| {
        seen = true;
        obs.iter().all(|o| o.value == 0.0)
    }) && seen
}

/// Runs the analysis.
pub fn analyse(ds: &Dataset, cfg: &AnalyseConfig) -> Analysis {
    let alpha = 1.0 - cfg.confidence;
    // Group observations, ordered by (source, run) inside each group.
    let mut groups: BTreeMap<GroupKey, Vec<&Obs>> = BTreeMap::new();
    for o in &ds.obs {
        groups
            .entry((o.workload.clone(), o.params.clone(), o.stratum.clone(), o.metric.clone(), o.arm.clone()))
            .or_default()
            .push(o);
    }
    // Run order, for the drift check: file by file (`rep2` before `rep10`), then in the file.
    for v in groups.values_mut() {
        v.sort_by(|a, b| natural_cmp(&a.source, &b.source).then(a.run.cmp(&b.run)));
    }
    // Primary metric per (workload, params, stratum), as the runs declare it.
    let primary = declared_primaries(&groups);
    let is_primary = |w: &str, p: &str, s: &str, m: &str| {
        primary.get(&(w.to_string(), p.to_string(), s.to_string())).is_some_and(|x| x == m)
    };

    let mut summary = Vec::new();
    for ((w, p, s, m, arm), obs) in &groups {
        let values: Vec<f64> = obs.iter().map(|o| o.value).collect();
        let sources: Vec<String> =
            obs.iter().map(|o| o.source.clone()).collect::<BTreeSet<_>>().into_iter().collect();
        summary.push(SummaryRow {
            workload: w.clone(),
            params: p.clone(),
            metric: m.clone(),
            unit: obs[0].unit.clone(),
            better: obs[0].better,
            kind: obs[0].kind,
            platform: arm.clone(),
            stratum: s.clone(),
            primary: is_primary(w, p, s, m),
            percentile: obs[0].declared.percentile.clone(),
            stats: stats::Summary::of(&values, cfg.confidence),
            values,
            sources,
        });
    }

    let mut checks = Vec::new();
    let arms = ds.arms();
    if !arms.iter().any(|a| a == &cfg.baseline) && !ds.obs.is_empty() {
        checks.push(Check {
            check: "no_baseline",
            severity: Severity::Fail,
            workload: String::new(),
            platform: cfg.baseline.clone(),
            detail: no_baseline_detail(&cfg.baseline, &arms),
            sources: vec![],
            scope: Scope::none(),
        });
    }

    // Per-group checks on primary metrics.
    for row in summary.iter().filter(|r| r.primary) {
        let n = row.stats.n;
        let label = group_label(&row.workload, &row.params, &row.stratum);
        let scope = Scope::group(&row.workload, &row.params, &row.stratum, &row.platform);
        if n < cfg.min_runs {
            checks.push(Check {
                check: "too_few_runs",
                severity: if n < 2 { Severity::Fail } else { Severity::Warning },
                workload: label.clone(),
                platform: row.platform.clone(),
                detail: format!(
                    "{n} run{} of {}; at least {} are needed for a usable interval",
                    if n == 1 { "" } else { "s" },
                    row.metric,
                    cfg.min_runs
                ),
                sources: row.sources.clone(),
                scope: scope.clone(),
            });
        }
        // A warning, never a failure: the spread is already in the interval (a noisy group
        // gets a wide one, and "no significant difference" unless the difference is larger
        // than the noise), so the verdict stands; see docs/statistics.md.
        if let Some(cv) = row.stats.cv_pct {
            if cv > cfg.cv_warn_pct {
                checks.push(Check {
                    check: "high_cv",
                    severity: Severity::Warning,
                    workload: label.clone(),
                    platform: row.platform.clone(),
                    detail: format!(
                        "{} varies by CV {:.1}% over {n} runs (threshold {}%): the interval is wide \
                         accordingly, and a difference smaller than that spread cannot be told from noise",
                        row.metric, cv, cfg.cv_warn_pct
                    ),
                    sources: row.sources.clone(),
                    scope: scope.clone(),
                });
            }
        }
        let key = (
            row.workload.clone(),
            row.params.clone(),
            row.stratum.clone(),
            row.metric.clone(),
            row.platform.clone(),
        );
        let obs = &groups[&key];
        let outliers = stats::modified_z_scores(&row.values);
        for &i in &outliers.flagged {
            let (Some(o), Some(Some(z))) = (obs.get(i), outliers.scores.get(i)) else { continue };
            checks.push(Check {
                check: "outlier",
                severity: Severity::Warning,
                workload: label.clone(),
                platform: row.platform.clone(),
                detail: format!(
                    "{} = {} {} (run {} of {}) has a modified z-score of {:.1} (> {})",
                    row.metric,
                    fmt_num(o.value),
                    o.unit,
                    o.run,
                    o.source,
                    z,
                    stats::MODIFIED_Z_THRESHOLD
                ),
                sources: vec![format!("{}:{}", o.source, o.first_line)],
                scope: scope.clone(),
            });
        }
        if let Some(mk) = stats::mann_kendall(&row.values) {
            if let Some(trend) = mk.drift(alpha) {
                checks.push(Check {
                    check: "drift",
                    severity: Severity::Warning,
                    workload: label.clone(),
                    platform: row.platform.clone(),
                    detail: format!(
                        "{} {} steadily across {} runs in file order (Kendall tau-b {:.2}, p = {:.3}): \
                         warm-up, throttling or a filling cache can masquerade as overhead",
                        row.metric,
                        match trend {
                            stats::Trend::Increasing => "rises",
                            stats::Trend::Decreasing => "falls",
                        },
                        mk.n,
                        mk.tau_b,
                        mk.p_value
                    ),
                    sources: row.sources.clone(),
                    scope: scope.clone(),
                });
            }
        }
    }

    // Comparisons.
    let mut overhead = Vec::new();
    let mut refused: BTreeSet<(String, String, String)> = BTreeSet::new(); // workload, stratum, arm
                                                                           // Params sets per (workload, stratum, arm).
    let mut params_of: BTreeMap<(String, String, String), BTreeSet<String>> = BTreeMap::new();
    for (w, p, s, _, arm) in groups.keys() {
        params_of.entry((w.clone(), s.clone(), arm.clone())).or_default().insert(p.clone());
    }
    let strata_workloads: BTreeSet<(String, String)> =
        params_of.keys().map(|(w, s, _)| (w.clone(), s.clone())).collect();
    for (w, s) in &strata_workloads {
        let label = if s.is_empty() { w.clone() } else { format!("{w} ({s})") };
        let base_params = params_of.get(&(w.clone(), s.clone(), cfg.baseline.clone()));
        for arm in arms.iter().filter(|a| *a != &cfg.baseline) {
            let Some(arm_params) = params_of.get(&(w.clone(), s.clone(), arm.clone())) else { continue };
            match base_params {
                None => {
                    if arms.iter().any(|a| a == &cfg.baseline) {
                        checks.push(Check {
                            check: "no_baseline",
                            severity: Severity::Warning,
                            workload: label.clone(),
                            platform: arm.clone(),
                            detail: format!(
                                "{arm} has runs of {w} but the baseline '{}' has none: not compared",
                                cfg.baseline
                            ),
                            sources: sources_of(&groups, w, s, arm),
                            scope: Scope::workload(w, s, arm),
                        });
                    }
                }
                Some(bp) => {
                    if bp.is_disjoint(arm_params) {
                        refused.insert((w.clone(), s.clone(), arm.clone()));
                        checks.push(Check {
                            check: "params_differ",
                            severity: Severity::Fail,
                            workload: label.clone(),
                            platform: arm.clone(),
                            detail: format!(
                                "not compared: {} ran {} with [{}] but {arm} with [{}]",
                                cfg.baseline,
                                w,
                                show_params(bp),
                                show_params(arm_params)
                            ),
                            sources: [
                                sources_of(&groups, w, s, &cfg.baseline),
                                sources_of(&groups, w, s, arm),
                            ]
                            .concat(),
                            scope: Scope::workload(w, s, arm),
                        });
                    } else if bp != arm_params {
                        let only: Vec<&String> = arm_params.symmetric_difference(bp).collect();
                        checks.push(Check {
                            check: "params_differ",
                            severity: Severity::Warning,
                            workload: label.clone(),
                            platform: arm.clone(),
                            detail: format!(
                                "only the parameter sets both ran are compared; run on one side only: [{}]",
                                only.iter().map(|s| display_params(s)).collect::<Vec<_>>().join("], [")
                            ),
                            sources: sources_of(&groups, w, s, arm),
                            scope: Scope::workload(w, s, arm),
                        });
                    }
                }
            }
        }
    }

    // Each group's summary, computed above (`summary` is in the order of `groups`).
    let stats_of: BTreeMap<&GroupKey, &stats::Summary> =
        groups.keys().zip(summary.iter().map(|r| &r.stats)).collect();

    // Version and unit consistency, then overhead rows.
    for (key, obs) in &groups {
        let (w, p, s, m, arm) = key;
        if arm == &cfg.baseline || refused.contains(&(w.clone(), s.clone(), arm.clone())) {
            continue;
        }
        let base_key = (w.clone(), p.clone(), s.clone(), m.clone(), cfg.baseline.clone());
        let (Some(base), Some(&sa), Some(&sb)) =
            (groups.get(&base_key), stats_of.get(key), stats_of.get(&base_key))
        else {
            continue;
        };
        let label = group_label(w, p, s);
        let versions =
            |v: &[&Obs]| -> BTreeSet<String> { v.iter().filter_map(|o| o.tool_version.clone()).collect() };
        let (va, vb) = (versions(obs), versions(base));
        if !va.is_empty() && !vb.is_empty() && va != vb {
            if is_primary(w, p, s, m) {
                checks.push(Check {
                    check: "versions_differ",
                    severity: Severity::Fail,
                    workload: label.clone(),
                    platform: arm.clone(),
                    detail: format!(
                        "not compared: {} ran {} version {} but {arm} ran {}",
                        cfg.baseline,
                        obs[0].tool,
                        vb.iter().cloned().collect::<Vec<_>>().join("/"),
                        va.iter().cloned().collect::<Vec<_>>().join("/")
                    ),
                    sources: [sources_of(&groups, w, s, &cfg.baseline), sources_of(&groups, w, s, arm)]
                        .concat(),
                    scope: Scope::group(w, p, s, arm),
                });
            }
            continue;
        }
        let units: BTreeSet<&str> = obs.iter().chain(base.iter()).map(|o| o.unit.as_str()).collect();
        if units.len() > 1 {
            checks.push(Check {
                check: "units_differ",
                severity: Severity::Fail,
                workload: label.clone(),
                platform: arm.clone(),
                detail: format!(
                    "not compared: {m} is in {}",
                    units.into_iter().collect::<Vec<_>>().join(" and ")
                ),
                sources: [sources_of(&groups, w, s, &cfg.baseline), sources_of(&groups, w, s, arm)].concat(),
                scope: Scope::group(w, p, s, arm).metric(m),
            });
            continue;
        }
        let (better, kind) = (obs[0].better, obs[0].kind);
        if better == Better::None {
            continue;
        }
        let cmp = stats::compare(sa, sb, better, cfg.confidence, cfg.margin_pct);
        let (Some(mean), Some(baseline_mean)) = (sa.mean, sb.mean) else { continue };
        let bounds = cmp.overhead.as_ref().and_then(|o| o.interval.bounds());
        let change_bounds = cmp.change.interval.bounds();
        let cost_bounds = cmp.cost.as_ref().and_then(|c| c.interval.bounds());
        overhead.push(OverheadRow {
            workload: w.clone(),
            params: p.clone(),
            metric: m.clone(),
            unit: obs[0].unit.clone(),
            better,
            kind,
            platform: arm.clone(),
            stratum: s.clone(),
            baseline: cfg.baseline.clone(),
            primary: is_primary(w, p, s, m),
            n: sa.n,
            baseline_n: sb.n,
            mean,
            baseline_mean,
            ratio: cmp.ratio.estimate,
            overhead_pct: cmp.overhead.as_ref().and_then(|o| o.pct),
            ci_low_pct: bounds.map(|b| b.0),
            ci_high_pct: bounds.map(|b| b.1),
            change_pct: cmp.change.pct,
            change_ci_low_pct: change_bounds.map(|b| b.0),
            change_ci_high_pct: change_bounds.map(|b| b.1),
            cost_ratio: cmp.cost.as_ref().and_then(|c| c.estimate),
            cost_ratio_ci_low: cost_bounds.map(|b| b.0),
            cost_ratio_ci_high: cost_bounds.map(|b| b.1),
            p_value: cmp.welch.as_ref().map(|w| w.p_value),
            verdict: cmp.decision.map(|d| d.verdict.words(kind)).unwrap_or_else(|| "no verdict".to_string()),
            failed_checks: Vec::new(),
            warning_checks: Vec::new(),
        });
    }

    // Errors reported inside the logs, per group and kind.
    let mut by_kind: BTreeMap<(String, String, String, String, String), Vec<&RunIssue>> = BTreeMap::new();
    for i in &ds.issues {
        let key = (i.workload.clone(), i.params.clone(), i.stratum.clone(), i.arm.clone(), i.kind.clone());
        by_kind.entry(key).or_default().push(i);
    }
    for ((w, p, s, arm, kind), issues) in by_kind {
        let severity = if kind == "warning" { Severity::Warning } else { Severity::Fail };
        let first = issues[0];
        checks.push(Check {
            check: "log_errors",
            severity,
            workload: group_label(&w, &p, &s),
            scope: Scope::group(&w, &p, &s, &arm),
            platform: arm,
            detail: if issues.len() == 1 {
                format!("{kind}: {}", first.message)
            } else {
                format!("{kind} in {} runs, e.g. {}", issues.len(), first.message)
            },
            sources: issues.iter().map(|i| format!("{}:{}", i.source, i.line)).collect(),
        });
    }
    for (source, message) in &ds.unreadable {
        checks.push(Check {
            check: "unreadable",
            severity: Severity::Fail,
            workload: String::new(),
            platform: String::new(),
            detail: message.clone(),
            sources: vec![source.clone()],
            scope: Scope::none(),
        });
    }
    if !ds.unlabelled.is_empty() {
        checks.push(Check {
            check: "unlabelled",
            severity: Severity::Warning,
            workload: String::new(),
            platform: "unknown".into(),
            detail: format!(
                "{} file{} named no platform in the path or labels and {} labelled 'unknown' (use --label or --labels)",
                ds.unlabelled.len(),
                if ds.unlabelled.len() == 1 { "" } else { "s" },
                if ds.unlabelled.len() == 1 { "is" } else { "are" }
            ),
            sources: ds.unlabelled.clone(),
            scope: Scope::none(),
        });
    }

    checks.extend(work_differs(ds, &mut overhead, &cfg.baseline));
    checks.extend(run_time_differs(ds));
    checks.extend(mixed_label_checks(ds));
    checks.sort_by(|a, b| {
        (std::cmp::Reverse(a.severity), a.check, &a.workload, &a.platform).cmp(&(
            std::cmp::Reverse(b.severity),
            b.check,
            &b.workload,
            &b.platform,
        ))
    });
    // After every check ran: a failed check withholds the verdicts it concerns.
    withhold_verdicts(&mut overhead, &checks);
    let subsystems = subsystem_rows(&overhead, &cfg.baseline, &declared_subsystems(ds));
    Analysis {
        baseline: cfg.baseline.clone(),
        confidence: cfg.confidence,
        margin_pct: cfg.margin_pct,
        platforms: arms,
        summary,
        overhead,
        checks,
        subsystems,
    }
}

/// Withholds the verdict of every comparison that a failed check concerns (by its
/// [`Scope`]): the verdict becomes `not judged: <check names>`, and the row lists those checks
/// in `failed_checks`. Checks with a warning that concern it are listed in `warning_checks`;
/// its verdict stands. Generic: any check of severity [`Severity::Fail`] with a scope withholds,
/// whatever its name.
pub fn withhold_verdicts(overhead: &mut [OverheadRow], checks: &[Check]) {
    for row in overhead.iter_mut() {
        let names = |severity: Severity| -> Vec<String> {
            let mut v: Vec<String> = Vec::new();
            for c in checks.iter().filter(|c| c.severity == severity && c.scope.concerns(row)) {
                if !v.iter().any(|n| n == c.check) {
                    v.push(c.check.to_string());
                }
            }
            v
        };
        let (failed, warned) = (names(Severity::Fail), names(Severity::Warning));
        if !failed.is_empty() {
            row.verdict = format!("not judged: {}", failed.join(", "));
        }
        row.failed_checks = failed;
        row.warning_checks = warned;
    }
}

/// (subsystem, stratum, platform) -> (cost ratios, workloads covered, workloads not judged).
type SubsystemAcc = BTreeMap<(String, String, String), (Vec<f64>, BTreeSet<String>, BTreeSet<String>)>;

fn subsystem_rows(
    overhead: &[OverheadRow],
    baseline: &str,
    subsystem_of: &BTreeMap<(&str, &str, &str), Subsystem>,
) -> Vec<SubsystemRow> {
    let mut acc = SubsystemAcc::new();
    for row in overhead.iter().filter(|r| r.primary) {
        let Some(cost) = row.ratio.and_then(|q| stats::cost_ratio(q, row.better)) else { continue };
        let key = (row.workload.as_str(), row.params.as_str(), row.stratum.as_str());
        let subsystem = subsystem_of.get(&key).copied().unwrap_or_default();
        let e = acc
            .entry((subsystem.as_str().to_string(), row.stratum.clone(), row.platform.clone()))
            .or_default();
        e.0.push(cost);
        e.1.insert(row.workload.clone());
        if !row.failed_checks.is_empty() {
            e.2.insert(row.workload.clone());
        }
    }
    acc.into_iter()
        .filter_map(|((sub, stratum, platform), (costs, workloads, not_judged))| {
            let g = stats::geometric_mean(&costs)?;
            Some(SubsystemRow {
                subsystem: sub,
                platform,
                stratum,
                baseline: baseline.to_string(),
                geomean_cost_ratio: g,
                // The headline's orientation: 1 - q for a throughput (q = mean / baseline),
                // so one workload's row reads as its headline overhead (+86%, not +637%).
                overhead_pct: (1.0 - 1.0 / g) * 100.0,
                comparisons: costs.len(),
                workloads: workloads.into_iter().collect(),
                not_judged: not_judged.into_iter().collect(),
            })
        })
        .collect()
}

/// The runs of one (workload, params, stratum, arm) group, each by (source, run): its first
/// line and its metrics.
type RunsOfGroups<'a> =
    BTreeMap<(&'a str, &'a str, &'a str, &'a str), BTreeMap<(&'a str, u32), (u64, BTreeMap<&'a str, f64>)>>;

/// Every summarised group's runs with their metrics.
fn runs_of_groups(ds: &Dataset) -> RunsOfGroups<'_> {
    let mut out: RunsOfGroups<'_> = BTreeMap::new();
    for o in &ds.obs {
        let run = out
            .entry((o.workload.as_str(), o.params.as_str(), o.stratum.as_str(), o.arm.as_str()))
            .or_default()
            .entry((o.source.as_str(), o.run))
            .or_insert_with(|| (o.first_line, BTreeMap::new()));
        run.1.insert(o.metric.as_str(), o.value);
    }
    out
}

/// A run of a group: (source, run, first line).
type RunAt<'a> = (&'a str, u32, u64);

/// One thing a run's metrics show about the work it did.
#[derive(Debug, Clone, PartialEq)]
enum Work {
    /// A kind (which directions did I/O); runs differ when the words differ.
    Kind(String),
    /// A number of queries; runs differ when two values are more than half a query apart.
    Queries(f64),
    /// A size in bytes; runs differ when one is more than 1.25 times another.
    Bytes(f64),
}

/// What a run did, as its metrics show it whatever its params say: (what, value).
///
/// * sysbench OLTP: reads and queries per transaction (`queries_read`, `queries_total` over
///   `transactions`): the script and its options;
/// * sysbench fileio: which of reads and writes it did, and the bytes per operation
///   (MiB/s over operations/s): the mode and the block size;
/// * sysbench memory: the bytes per operation (the block size);
/// * fio: the directions with I/O, and per direction the bytes per I/O (bandwidth over IOPS):
///   `rw` and `bs`, which terse output does not print.
fn work_of(m: &BTreeMap<&str, f64>) -> Vec<(String, Work)> {
    const MIB: f64 = 1024.0 * 1024.0;
    let get = |name: &str| m.get(name).copied().filter(|v| v.is_finite());
    let mut out = Vec::new();
    if let (Some(tx), Some(reads)) = (get("transactions").filter(|t| *t > 0.0), get("queries_read")) {
        out.push(("reads per transaction".to_string(), Work::Queries(reads / tx)));
        if let Some(total) = get("queries_total") {
            out.push(("queries per transaction".to_string(), Work::Queries(total / tx)));
        }
    }
    if let (Some(r), Some(w)) = (get("reads_per_sec"), get("writes_per_sec")) {
        let kind = match (r > 0.0, w > 0.0) {
            (true, true) => "reads and writes",
            (true, false) => "reads only",
            (false, true) => "writes only",
            (false, false) => "no reads or writes",
        };
        out.push(("I/O".to_string(), Work::Kind(kind.to_string())));
        if let (Some(rm), Some(wm)) = (get("read_mib_per_sec"), get("written_mib_per_sec")) {
            if r + w > 0.0 && rm + wm > 0.0 {
                out.push(("bytes per operation".to_string(), Work::Bytes((rm + wm) * MIB / (r + w))));
            }
        }
    }
    if let (Some(ops), Some(mib)) = (get("ops_per_sec").filter(|v| *v > 0.0), get("mib_per_sec")) {
        out.push(("bytes per operation".to_string(), Work::Bytes(mib * MIB / ops)));
    }
    let dirs: Vec<&str> = ["read", "write", "trim", "mixed"]
        .into_iter()
        .filter(|d| get(&format!("{d}_iops")).is_some_and(|v| v > 0.0))
        .collect();
    if !dirs.is_empty() {
        out.push(("directions with I/O".to_string(), Work::Kind(dirs.join("+"))));
    }
    for d in dirs {
        if let (Some(iops), Some(bw)) = (get(&format!("{d}_iops")), get(&format!("{d}_bw_kib_per_sec"))) {
            if bw > 0.0 {
                out.push((format!("bytes per {d} I/O"), Work::Bytes(bw * 1024.0 / iops)));
            }
        }
    }
    out
}

/// A size for messages, to 3 significant digits: `4 KiB`, `1.5 MiB`, `512 B`.
fn fmt_bytes(b: f64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < units.len() {
        v /= 1024.0;
        i += 1;
    }
    let digits = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    let text = format!("{v:.digits$}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    format!("{text} {}", units[i])
}

/// Runs of one group that did different work though the params are the same: each group of
/// runs, by what its metrics show (see [`work_of`]), becomes a `work_differs` check (severity
/// fail) that names the runs on each side, and the group is not compared: its overhead rows
/// (as the platform or as the baseline) are dropped, so no verdict is given on a pool of
/// different experiments.
fn work_differs(ds: &Dataset, overhead: &mut Vec<OverheadRow>, baseline: &str) -> Vec<Check> {
    let mut checks = Vec::new();
    let mut refused: BTreeSet<(String, String, String, String)> = BTreeSet::new();
    for ((w, p, s, arm), runs) in runs_of_groups(ds) {
        // (what, [(value, run)]) over the group's runs.
        let mut facts: BTreeMap<String, Vec<(Work, RunAt<'_>)>> = BTreeMap::new();
        for ((source, run), (line, metrics)) in &runs {
            for (what, v) in work_of(metrics) {
                facts.entry(what).or_default().push((v, (*source, *run, *line)));
            }
        }
        let mut differences = Vec::new();
        let mut sources = BTreeSet::new();
        for (what, mut values) in facts {
            let clusters = cluster_work(&mut values);
            if clusters.len() < 2 {
                continue;
            }
            let sides: Vec<String> = clusters
                .iter()
                .map(|c| {
                    // The middle value of the side (its values are sorted), its runs in file order.
                    let value = match &c[c.len() / 2].0 {
                        Work::Kind(k) => k.clone(),
                        Work::Queries(q) => format!("{q:.1}"),
                        Work::Bytes(b) => fmt_bytes(*b),
                    };
                    let mut who: Vec<(&str, u32)> = c.iter().map(|(_, (src, run, _))| (*src, *run)).collect();
                    who.sort_by(|a, b| natural_cmp(a.0, b.0).then(a.1.cmp(&b.1)));
                    let who: Vec<String> = who.iter().map(|(src, run)| format!("{src} run {run}")).collect();
                    format!("{value} in {}", who.join(", "))
                })
                .collect();
            for c in &clusters {
                sources.extend(c.iter().map(|(_, (src, _, line))| format!("{src}:{line}")));
            }
            differences.push(format!("{what}: {}", sides.join("; ")));
        }
        if differences.is_empty() {
            continue;
        }
        refused.insert((w.to_string(), p.to_string(), s.to_string(), arm.to_string()));
        checks.push(Check {
            check: "work_differs",
            severity: Severity::Fail,
            workload: group_label(w, p, s),
            platform: arm.to_string(),
            scope: Scope::group(w, p, s, arm),
            detail: format!(
                "not compared: runs with the same parameters did different work ({}); the output \
                 does not say what set them apart, so label them apart (--label, a --labels file) \
                 or keep such runs in separate inputs",
                differences.join("; ")
            ),
            sources: sources.into_iter().collect(),
        });
    }
    overhead.retain(|r| {
        let key = |arm: &str| (r.workload.clone(), r.params.clone(), r.stratum.clone(), arm.to_string());
        let baseline_refused = r.baseline == baseline && refused.contains(&key(&r.baseline));
        !refused.contains(&key(&r.platform)) && !baseline_refused
    });
    checks
}

/// Splits `values` into groups of the same work: equal kinds; queries less than half a query
/// apart; sizes less than 1.25 times apart (each value against the previous one, in order).
fn cluster_work<T>(values: &mut [(Work, T)]) -> Vec<&[(Work, T)]> {
    values.sort_by(|a, b| match (&a.0, &b.0) {
        (Work::Kind(x), Work::Kind(y)) => x.cmp(y),
        (Work::Queries(x) | Work::Bytes(x), Work::Queries(y) | Work::Bytes(y)) => x.total_cmp(y),
        _ => std::cmp::Ordering::Equal,
    });
    let same = |a: &Work, b: &Work| match (a, b) {
        (Work::Kind(x), Work::Kind(y)) => x == y,
        (Work::Queries(x), Work::Queries(y)) => (y - x).abs() <= 0.5,
        (Work::Bytes(x), Work::Bytes(y)) => x.max(*y) <= 1.25 * x.min(*y),
        _ => false,
    };
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=values.len() {
        if i == values.len() || !same(&values[i - 1].0, &values[i].0) {
            out.push(&values[start..i]);
            start = i;
        }
    }
    out
}

/// How far a run's time may be from its group's median before `run_time_differs` says so.
pub const RUN_TIME_FACTOR: f64 = 2.0;

/// Time-limited runs whose time is more than [`RUN_TIME_FACTOR`] times their group's median,
/// or less than the median over it, in groups of at least 3 such runs: a `run_time_differs`
/// warning naming each run. The time is the metric a parser declares as echoing the run's time
/// limit ([`crate::model::Metric::time_limit`]: sysbench's `total_time_s` of a time-limited run;
/// where the run did a fixed amount of work the time is its result, and the `high_cv` and
/// `outlier` checks judge it). Repetitions of one time-limited workload run for
/// about as long: one that took twice as long stalled or was starved (a database server that
/// stopped answering keeps a sysbench OLTP run waiting for its queries past its limit), one
/// that took half as long had another limit (sysbench 1.0 does not print `--time`) or was cut
/// short. Either way its rates are not those of its repetitions.
fn run_time_differs(ds: &Dataset) -> Vec<Check> {
    let mut groups: BTreeMap<(&str, &str, &str, &str), Vec<&Obs>> = BTreeMap::new();
    for o in ds.obs.iter().filter(|o| o.declared.time_limit && o.value > 0.0) {
        groups
            .entry((o.workload.as_str(), o.params.as_str(), o.stratum.as_str(), o.arm.as_str()))
            .or_default()
            .push(o);
    }
    let mut checks = Vec::new();
    for ((w, p, s, arm), runs) in groups {
        let n = runs.len();
        if n < 3 {
            continue;
        }
        let mut sorted: Vec<f64> = runs.iter().map(|o| o.value).collect();
        sorted.sort_by(f64::total_cmp);
        let median = if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 };
        for o in runs {
            let t = o.value;
            if t <= RUN_TIME_FACTOR * median && t * RUN_TIME_FACTOR >= median {
                continue;
            }
            let why = if t > median {
                "it stalled or was starved past its time limit"
            } else {
                "it had a shorter time limit (sysbench does not print it) or was cut short"
            };
            checks.push(Check {
                check: "run_time_differs",
                severity: Severity::Warning,
                workload: group_label(w, p, s),
                platform: arm.to_string(),
                scope: Scope::group(w, p, s, arm),
                detail: format!(
                    "run {} of {} took {} s, {:.1} times the median of its {n} runs ({} s): {why}, \
                     and its rates are not those of its repetitions",
                    o.run,
                    o.source,
                    fmt_num(t),
                    t / median,
                    fmt_num(median)
                ),
                sources: vec![format!("{}:{}", o.source, o.first_line)],
            });
        }
    }
    checks
}

fn group_label(workload: &str, params: &str, stratum: &str) -> String {
    let mut s = workload.to_string();
    if !params.is_empty() {
        s.push_str(&format!(" [{}]", display_params(params)));
    }
    if !stratum.is_empty() {
        s.push_str(&format!(" ({stratum})"));
    }
    s
}

/// Params as people read them: `threads=1, cpu-max-prime=20000`.
pub fn display_params(params: &str) -> String {
    params.replace(';', ", ")
}

fn show_params(set: &BTreeSet<String>) -> String {
    set.iter()
        .map(|p| if p.is_empty() { "no options".to_string() } else { display_params(p) })
        .collect::<Vec<_>>()
        .join("] or [")
}

fn sources_of(groups: &BTreeMap<GroupKey, Vec<&Obs>>, w: &str, s: &str, arm: &str) -> Vec<String> {
    groups
        .iter()
        .filter(|((gw, _, gs, _, ga), _)| gw == w && gs == s && ga == arm)
        .flat_map(|(_, v)| v.iter().map(|o| o.source.clone()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// A number with 4 significant digits for messages.
pub fn fmt_num(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = (4 - 1 - v.abs().log10().floor() as i32).max(0) as usize;
    format!("{v:.digits$}")
}

/// Gives every observation and log issue of a source in `arm_of_source` that arm instead
/// (`--group-by family`: the file's family); sources not in it keep theirs.
pub fn regroup(ds: &mut Dataset, arm_of_source: &BTreeMap<String, String>) {
    for o in &mut ds.obs {
        if let Some(arm) = arm_of_source.get(&o.source) {
            o.arm.clone_from(arm);
        }
    }
    for i in &mut ds.issues {
        if let Some(arm) = arm_of_source.get(&i.source) {
            i.arm.clone_from(arm);
        }
    }
    for l in &mut ds.label_sources {
        if let Some(arm) = arm_of_source.get(&l.source) {
            l.arm.clone_from(arm);
        }
    }
}

/// `mixed_labels`: a warning for each platform whose files, pooled in one arm, got that label
/// in different ways: from different origins (path words and a manifest), different path
/// words (`bare` and `native`), or the same word at different depths in different folders
/// (`kvm-study/bm/` through `kvm-study` and `kvm-study/kvm/` through `kvm`: bare-metal runs
/// pooled with KVM ones). Files that got the word from one folder at several depths
/// (`kvm/cpu.txt`, `kvm/disk/fio.json`), or from sibling folders at one depth (`run1/kvm/`,
/// `run2/kvm/`), are consistent. Only arms of the analysis count (not `compare`'s campaigns).
fn mixed_label_checks(ds: &Dataset) -> Vec<Check> {
    let arms: BTreeSet<String> = ds.obs.iter().map(|o| o.arm.clone()).collect();
    let mut groups: BTreeMap<(&str, &str), Vec<&LabelSource>> = BTreeMap::new();
    for l in ds.label_sources.iter().filter(|l| arms.contains(&l.arm)) {
        groups.entry((l.arm.as_str(), l.platform.as_str())).or_default().push(l);
    }
    let mut checks = Vec::new();
    for ((arm, platform), files) in groups {
        let origins: BTreeSet<&str> = files.iter().map(|l| l.origin.as_str()).collect();
        let path: Vec<&&LabelSource> =
            files.iter().filter(|l| l.origin == crate::model::LabelOrigin::Path).collect();
        let words: BTreeSet<&str> = path.iter().map(|l| l.word.as_str()).collect();
        let depths: BTreeSet<usize> = path.iter().map(|l| l.depth).collect();
        let prefixes: BTreeSet<&str> = path.iter().map(|l| l.prefix.as_str()).collect();
        if origins.len() < 2 && words.len() < 2 && (depths.len() < 2 || prefixes.len() < 2) {
            continue;
        }
        // Each way a label was given, with its files.
        let mut ways: BTreeMap<(usize, String), Vec<&str>> = BTreeMap::new();
        for l in &files {
            let way = match l.origin {
                crate::model::LabelOrigin::Path => format!(
                    "word '{}' {}",
                    l.word,
                    match l.depth {
                        0 => "in the file name".to_string(),
                        1 => "in the file's folder".to_string(),
                        d => format!("in the folder {d} levels up"),
                    }
                ),
                crate::model::LabelOrigin::Manifest => "manifest.json".to_string(),
                crate::model::LabelOrigin::Mapping => "the --labels file".to_string(),
                crate::model::LabelOrigin::Cli => "--label".to_string(),
                crate::model::LabelOrigin::Unknown => "nothing".to_string(),
            };
            ways.entry((l.depth, way)).or_default().push(l.source.as_str());
        }
        let listed: Vec<String> = ways
            .iter()
            .map(|((_, way), f)| format!("{way} ({} file{})", f.len(), if f.len() == 1 { "" } else { "s" }))
            .collect();
        let pooled = if arm == platform { String::new() } else { format!(" (in {arm})") };
        // One file of each way first: those are the ones to compare.
        let mut sources: Vec<String> = ways.values().map(|f| f[0].to_string()).collect();
        sources.extend(ways.values().flat_map(|f| f[1..].iter().map(|s| s.to_string())));
        checks.push(Check {
            check: "mixed_labels",
            severity: Severity::Warning,
            workload: String::new(),
            platform: arm.to_string(),
            scope: Scope { platform: Some(arm.to_string()), ..Scope::none() },
            detail: format!(
                "the files of {platform}{pooled} got that label in different ways and are pooled as \
                 one platform: {}; check that they are (virtperf labels shows each file's)",
                listed.join("; ")
            ),
            sources,
        });
    }
    checks
}

/// Why a requested baseline names no single arm (see [`resolve_baseline`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaselineError {
    /// No arm has that name or platform.
    NoMatch {
        /// The baseline asked for.
        requested: String,
        /// The arms there are, sorted.
        arms: Vec<String>,
        /// The arm or platform whose name is closest, when one is close.
        closest: Option<String>,
    },
    /// Several arms have that platform, with different details.
    Ambiguous {
        /// The baseline asked for.
        requested: String,
        /// The arms it could be, sorted.
        matches: Vec<String>,
    },
}

impl std::fmt::Display for BaselineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BaselineError::NoMatch { requested, arms, closest } => {
                write!(f, "no platform is called '{requested}'")?;
                if let Some(c) = closest {
                    write!(f, " (did you mean '{c}'?)")?;
                }
                write!(f, "; the platforms are: {}", arms.join(", "))
            }
            BaselineError::Ambiguous { requested, matches } => write!(
                f,
                "'{requested}' is {} platforms: {}; choose one, e.g. --baseline '{}'",
                matches.len(),
                matches.join(", "),
                matches[0]
            ),
        }
    }
}

impl std::error::Error for BaselineError {}

/// The platform part of an arm: `native` of `native[host]`.
fn arm_platform(arm: &str) -> &str {
    arm.split_once('[').map_or(arm, |(p, _)| p)
}

/// The arm among `arms` that the baseline `requested` names: the arm of that name, else the one
/// arm whose platform it is (`native` finds `native[host]`; a detail is matched only when
/// asked for, as in `native[host]`).
///
/// Returns [`BaselineError::Ambiguous`] when the platform has several details, and
/// [`BaselineError::NoMatch`] (with the closest name: the same name in another case first,
/// then the nearest by edit distance, if within a third of its length) when nothing matches.
pub fn resolve_baseline(requested: &str, arms: &[String]) -> Result<String, BaselineError> {
    if arms.iter().any(|a| a == requested) {
        return Ok(requested.to_string());
    }
    let matches: Vec<String> = arms.iter().filter(|a| arm_platform(a) == requested).cloned().collect();
    match matches.len() {
        1 => return Ok(matches[0].clone()),
        0 => {}
        _ => return Err(BaselineError::Ambiguous { requested: requested.to_string(), matches }),
    }
    let mut names: Vec<&str> = arms.iter().map(String::as_str).collect();
    names.extend(arms.iter().map(|a| arm_platform(a)));
    names.sort_unstable();
    names.dedup();
    let lower = requested.to_lowercase();
    let closest = names.iter().find(|n| n.to_lowercase() == lower).map(|n| n.to_string()).or_else(|| {
        let (d, name) = names.iter().map(|n| (strsim::levenshtein(&n.to_lowercase(), &lower), *n)).min()?;
        (d <= (requested.chars().count() / 3).max(1)).then(|| name.to_string())
    });
    Err(BaselineError::NoMatch { requested: requested.to_string(), arms: arms.to_vec(), closest })
}

/// What the `no_baseline` check says when no arm is called `baseline`.
fn no_baseline_detail(baseline: &str, arms: &[String]) -> String {
    match resolve_baseline(baseline, arms) {
        Err(BaselineError::Ambiguous { matches, .. }) => format!(
            "the baseline '{baseline}' is {} platforms ({}); nothing is compared. Choose one with \
             --baseline, e.g. --baseline '{}'",
            matches.len(),
            matches.join(", "),
            matches[0]
        ),
        _ => format!(
            "no runs are labelled '{baseline}'; nothing is compared. Choose --baseline from: {}",
            arms.join(", ")
        ),
    }
}

/// Polars frames of an analysis: summary, overhead, checks, subsystems.
pub mod frames {
    use super::*;

    /// `summary.csv`.
    pub fn summary(a: &Analysis) -> PolarsResult<DataFrame> {
        let r = &a.summary;
        df!(
            "workload" => r.iter().map(|x| x.workload.as_str()).collect::<Vec<_>>(),
            "params" => r.iter().map(|x| x.params.as_str()).collect::<Vec<_>>(),
            "metric" => r.iter().map(|x| x.metric.as_str()).collect::<Vec<_>>(),
            "unit" => r.iter().map(|x| x.unit.as_str()).collect::<Vec<_>>(),
            "better" => r.iter().map(|x| x.better.as_str()).collect::<Vec<_>>(),
            "kind" => r.iter().map(|x| x.kind.as_str()).collect::<Vec<_>>(),
            "platform" => r.iter().map(|x| x.platform.as_str()).collect::<Vec<_>>(),
            "stratum" => r.iter().map(|x| x.stratum.as_str()).collect::<Vec<_>>(),
            "primary" => r.iter().map(|x| x.primary).collect::<Vec<_>>(),
            "n" => r.iter().map(|x| x.stats.n as u32).collect::<Vec<_>>(),
            "mean" => r.iter().map(|x| x.stats.mean).collect::<Vec<_>>(),
            "sd" => r.iter().map(|x| x.stats.sd).collect::<Vec<_>>(),
            "median" => r.iter().map(|x| x.stats.median).collect::<Vec<_>>(),
            "min" => r.iter().map(|x| x.stats.min).collect::<Vec<_>>(),
            "max" => r.iter().map(|x| x.stats.max).collect::<Vec<_>>(),
            "cv_pct" => r.iter().map(|x| x.stats.cv_pct).collect::<Vec<_>>(),
            "ci_low" => r.iter().map(|x| x.stats.ci_low).collect::<Vec<_>>(),
            "ci_high" => r.iter().map(|x| x.stats.ci_high).collect::<Vec<_>>(),
            "sources" => r.iter().map(|x| x.sources.join(" ")).collect::<Vec<_>>(),
        )
    }

    /// `overhead.csv`.
    pub fn overhead(a: &Analysis) -> PolarsResult<DataFrame> {
        let r = &a.overhead;
        df!(
            "workload" => r.iter().map(|x| x.workload.as_str()).collect::<Vec<_>>(),
            "params" => r.iter().map(|x| x.params.as_str()).collect::<Vec<_>>(),
            "metric" => r.iter().map(|x| x.metric.as_str()).collect::<Vec<_>>(),
            "unit" => r.iter().map(|x| x.unit.as_str()).collect::<Vec<_>>(),
            "better" => r.iter().map(|x| x.better.as_str()).collect::<Vec<_>>(),
            "kind" => r.iter().map(|x| x.kind.as_str()).collect::<Vec<_>>(),
            "platform" => r.iter().map(|x| x.platform.as_str()).collect::<Vec<_>>(),
            "stratum" => r.iter().map(|x| x.stratum.as_str()).collect::<Vec<_>>(),
            "baseline" => r.iter().map(|x| x.baseline.as_str()).collect::<Vec<_>>(),
            "primary" => r.iter().map(|x| x.primary).collect::<Vec<_>>(),
            "n" => r.iter().map(|x| x.n as u32).collect::<Vec<_>>(),
            "baseline_n" => r.iter().map(|x| x.baseline_n as u32).collect::<Vec<_>>(),
            "mean" => r.iter().map(|x| x.mean).collect::<Vec<_>>(),
            "baseline_mean" => r.iter().map(|x| x.baseline_mean).collect::<Vec<_>>(),
            "ratio" => r.iter().map(|x| x.ratio).collect::<Vec<_>>(),
            "overhead_pct" => r.iter().map(|x| x.overhead_pct).collect::<Vec<_>>(),
            "ci_low_pct" => r.iter().map(|x| x.ci_low_pct).collect::<Vec<_>>(),
            "ci_high_pct" => r.iter().map(|x| x.ci_high_pct).collect::<Vec<_>>(),
            "change_pct" => r.iter().map(|x| x.change_pct).collect::<Vec<_>>(),
            "change_ci_low_pct" => r.iter().map(|x| x.change_ci_low_pct).collect::<Vec<_>>(),
            "change_ci_high_pct" => r.iter().map(|x| x.change_ci_high_pct).collect::<Vec<_>>(),
            "cost_ratio" => r.iter().map(|x| x.cost_ratio).collect::<Vec<_>>(),
            "cost_ratio_ci_low" => r.iter().map(|x| x.cost_ratio_ci_low).collect::<Vec<_>>(),
            "cost_ratio_ci_high" => r.iter().map(|x| x.cost_ratio_ci_high).collect::<Vec<_>>(),
            "p_value" => r.iter().map(|x| x.p_value).collect::<Vec<_>>(),
            "verdict" => r.iter().map(|x| x.verdict.as_str()).collect::<Vec<_>>(),
            "failed_checks" => r.iter().map(|x| x.failed_checks.join(" ")).collect::<Vec<_>>(),
            "warning_checks" => r.iter().map(|x| x.warning_checks.join(" ")).collect::<Vec<_>>(),
        )
    }

    /// `checks.csv`.
    pub fn checks(a: &Analysis) -> PolarsResult<DataFrame> {
        let r = &a.checks;
        df!(
            "check" => r.iter().map(|x| x.check).collect::<Vec<_>>(),
            "severity" => r.iter().map(|x| x.severity.as_str()).collect::<Vec<_>>(),
            "workload" => r.iter().map(|x| x.workload.as_str()).collect::<Vec<_>>(),
            "platform" => r.iter().map(|x| x.platform.as_str()).collect::<Vec<_>>(),
            "detail" => r.iter().map(|x| x.detail.as_str()).collect::<Vec<_>>(),
            "sources" => r.iter().map(|x| x.sources.join(" ")).collect::<Vec<_>>(),
        )
    }

    /// `subsystems.csv`.
    pub fn subsystems(a: &Analysis) -> PolarsResult<DataFrame> {
        let r = &a.subsystems;
        df!(
            "subsystem" => r.iter().map(|x| x.subsystem.as_str()).collect::<Vec<_>>(),
            "platform" => r.iter().map(|x| x.platform.as_str()).collect::<Vec<_>>(),
            "stratum" => r.iter().map(|x| x.stratum.as_str()).collect::<Vec<_>>(),
            "baseline" => r.iter().map(|x| x.baseline.as_str()).collect::<Vec<_>>(),
            "geomean_cost_ratio" => r.iter().map(|x| x.geomean_cost_ratio).collect::<Vec<_>>(),
            "overhead_pct" => r.iter().map(|x| x.overhead_pct).collect::<Vec<_>>(),
            "comparisons" => r.iter().map(|x| x.comparisons as u32).collect::<Vec<_>>(),
            "workloads" => r.iter().map(|x| x.workloads.join(" ")).collect::<Vec<_>>(),
            "not_judged" => r.iter().map(|x| x.not_judged.join(" ")).collect::<Vec<_>>(),
        )
    }
}

/// Orders names with the digit runs compared as numbers: `rep2.txt` before `rep10.txt`.
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn chunks(s: &str) -> impl Iterator<Item = (bool, &str)> {
        let mut rest = s;
        std::iter::from_fn(move || {
            let first = rest.chars().next()?;
            let digit = first.is_ascii_digit();
            let end = rest.find(|c: char| c.is_ascii_digit() != digit).unwrap_or(rest.len());
            let (chunk, tail) = rest.split_at(end);
            rest = tail;
            Some((digit, chunk))
        })
    }
    let (mut x, mut y) = (chunks(a), chunks(b));
    loop {
        let ord = match (x.next(), y.next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some((true, p)), Some((true, q))) => {
                let (p, q) = (p.trim_start_matches('0'), q.trim_start_matches('0'));
                p.len().cmp(&q.len()).then_with(|| p.cmp(q))
            }
            (Some((_, p)), Some((_, q))) => p.cmp(q),
        };
        if ord.is_ne() {
            return ord;
        }
    }
}

#[cfg(test)]
mod natural_tests {
    use super::natural_cmp;

    #[test]
    fn digit_runs_compare_as_numbers() {
        let mut v = vec!["d/rep10.txt", "d/rep2.txt", "d/rep1.txt", "c/rep3.txt", "d/rep02.txt"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["c/rep3.txt", "d/rep1.txt", "d/rep02.txt", "d/rep2.txt", "d/rep10.txt"]);
    }
}

#[cfg(test)]
mod baseline_tests {
    use super::*;

    fn arms(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    /// Issue 13, parts 4 and 9: the baseline is found by platform, by detail only when asked;
    /// several details are a choice to make; a name that matches nothing gets the closest.
    #[test]
    fn the_baseline_is_found_by_platform() {
        let a = arms(&["docker", "native[host]", "qemu[raw]"]);
        assert_eq!(resolve_baseline("native", &a), Ok("native[host]".to_string()));
        assert_eq!(resolve_baseline("native[host]", &a), Ok("native[host]".to_string()));
        let a = arms(&["docker", "native", "native[host]"]);
        assert_eq!(resolve_baseline("native", &a), Ok("native".to_string()));
        let a = arms(&["docker", "native[a]", "native[b]"]);
        let e = resolve_baseline("native", &a).unwrap_err();
        assert_eq!(
            e.to_string(),
            "'native' is 2 platforms: native[a], native[b]; choose one, e.g. --baseline 'native[a]'"
        );
        assert_eq!(resolve_baseline("native[b]", &a), Ok("native[b]".to_string()));
        let a = arms(&["docker", "native", "qemu[raw]"]);
        assert_eq!(
            resolve_baseline("Native", &a).unwrap_err().to_string(),
            "no platform is called 'Native' (did you mean 'native'?); the platforms are: docker, native, qemu[raw]"
        );
        assert_eq!(
            resolve_baseline("nosuch", &a).unwrap_err().to_string(),
            "no platform is called 'nosuch'; the platforms are: docker, native, qemu[raw]"
        );
        let closest = |r: &str| match resolve_baseline(r, &a) {
            Err(BaselineError::NoMatch { closest, .. }) => closest,
            other => panic!("{other:?}"),
        };
        assert_eq!(closest("dokcer").as_deref(), Some("docker"));
        assert_eq!(closest("QEMU").as_deref(), Some("qemu"));
        assert_eq!(closest("natve").as_deref(), Some("native"));
        assert_eq!(closest("kvm"), None);
    }
}

#[cfg(test)]
mod mixed_label_tests {
    use super::*;
    use crate::model::LabelOrigin;

    /// A dataset with one observation per arm of `files` and their label sources:
    /// `(source, arm, platform, origin, word, depth, prefix)`.
    fn dataset(files: &[(&str, &str, &str, LabelOrigin, &str, usize, &str)]) -> Dataset {
        let mut ds = Dataset::default();
        for &(source, arm, platform, origin, word, depth, prefix) in files {
            ds.obs.push(Obs {
                source: source.into(),
                run: 1,
                tool: "sysbench".into(),
                tool_version: None,
                workload: "sysbench.cpu".into(),
                params: String::new(),
                arm: arm.into(),
                stratum: String::new(),
                repetition: 1,
                first_line: 1,
                metric: "events_per_sec".into(),
                unit: "events/s".into(),
                better: Better::Higher,
                kind: Kind::Performance,
                value: 1.0,
                declared: Declared::default(),
            });
            ds.label_sources.push(LabelSource {
                source: source.into(),
                arm: arm.into(),
                platform: platform.into(),
                origin,
                word: word.into(),
                depth,
                prefix: prefix.into(),
            });
        }
        ds
    }

    const P: LabelOrigin = LabelOrigin::Path;

    /// Issue 13, part 9: bare-metal files labelled kvm through a study folder's name, pooled
    /// with real KVM files, get a warning; consistent layouts do not.
    #[test]
    fn labels_from_different_words_or_depths_are_flagged() {
        let ds = dataset(&[
            ("kvm-study/bm/r1.txt", "kvm", "kvm", P, "kvm", 2, "kvm-study"),
            ("kvm-study/kvm/r1.txt", "kvm", "kvm", P, "kvm", 1, "kvm-study/kvm"),
            ("kvm-study/kvm/r2.txt", "kvm", "kvm", P, "kvm", 1, "kvm-study/kvm"),
        ]);
        let checks = mixed_label_checks(&ds);
        assert_eq!(checks.len(), 1);
        assert_eq!(
            checks[0].detail,
            "the files of kvm got that label in different ways and are pooled as one platform: word 'kvm' \
             in the file's folder (2 files); word 'kvm' in the folder 2 levels up (1 file); check that \
             they are (virtperf labels shows each file's)"
        );
        assert_eq!(
            checks[0].sources,
            ["kvm-study/kvm/r1.txt", "kvm-study/bm/r1.txt", "kvm-study/kvm/r2.txt"]
        );
        let words = dataset(&[
            ("bare/r1.txt", "native", "native", P, "bare", 1, "bare"),
            ("native/r1.txt", "native", "native", P, "native", 1, "native"),
        ]);
        assert_eq!(mixed_label_checks(&words).len(), 1);
        let origins = dataset(&[
            ("c/native/rep1.txt", "native", "native", LabelOrigin::Manifest, "", 0, ""),
            ("x/native/r1.txt", "native", "native", P, "native", 1, "x/native"),
        ]);
        assert!(mixed_label_checks(&origins)[0]
            .detail
            .contains("manifest.json (1 file); word 'native' in the file's folder (1 file)"));
        for ok in [
            // Sibling folders at one depth, one folder at several depths, file names.
            dataset(&[
                ("run1/kvm/r1.txt", "kvm", "kvm", P, "kvm", 1, "run1/kvm"),
                ("run2/kvm/r1.txt", "kvm", "kvm", P, "kvm", 1, "run2/kvm"),
            ]),
            dataset(&[
                ("kvm/cpu.txt", "kvm", "kvm", P, "kvm", 1, "kvm"),
                ("kvm/disk/fio.json", "kvm", "kvm", P, "kvm", 2, "kvm"),
            ]),
            dataset(&[
                ("x/docker_cpu.txt", "docker", "docker", P, "docker", 0, "x/docker_cpu.txt"),
                ("x/docker_io.txt", "docker", "docker", P, "docker", 0, "x/docker_io.txt"),
            ]),
            // --group-by family: kvm and qemu in vm, each consistent.
            dataset(&[
                ("kvm/r1.txt", "vm", "kvm", P, "kvm", 1, "kvm"),
                ("qemu/r1.txt", "vm", "qemu", P, "qemu", 1, "qemu"),
            ]),
        ] {
            assert!(mixed_label_checks(&ok).is_empty(), "{:?}", ok.label_sources);
        }
        // compare: the arms are campaigns, not the files' platforms.
        let mut cmp = dataset(&[
            ("bare/r1.txt", "native", "native", P, "bare", 1, "bare"),
            ("native/r1.txt", "native", "native", P, "native", 1, "native"),
        ]);
        cmp.obs.iter_mut().for_each(|o| o.arm = "before".into());
        assert!(mixed_label_checks(&cmp).is_empty());
    }
}
