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

use crate::model::{params_string, Better, IngestedRun};
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
    /// Value.
    pub value: f64,
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
                    value: m.value,
                });
            }
            for i in &r.data.issues {
                ds.issues.push(RunIssue {
                    source: r.source.clone(),
                    line: i.line,
                    workload: r.data.workload.clone(),
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
    /// [`crate::model::METRIC_COLUMNS`]; `platform_detail`, `first_line`, `repetition` and
    /// `run` may be absent).
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
        let metric = text("metric")?;
        let unit = opt_text("unit")?;
        let better = text("better")?;
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
            let Some(v) = value[i].filter(|v| v.is_finite()) else { continue };
            let b = better[i]
                .as_deref()
                .and_then(Better::parse)
                .with_context(|| format!("row {}: 'better' must be higher, lower or none", i + 2))?;
            let src = source[i].clone().unwrap_or_default();
            if origin[i].as_deref() == Some("unknown") {
                unlabelled.insert(src.clone());
            }
            ds.obs.push(Obs {
                source: src,
                run: run[i].unwrap_or(1.0) as u32,
                tool: tool[i].clone().unwrap_or_default(),
                tool_version: version[i].clone().filter(|s| !s.is_empty()),
                workload: workload[i].clone().unwrap_or_default(),
                params: params[i].clone().unwrap_or_default(),
                arm: arm_name(
                    platform[i].as_deref().unwrap_or("unknown"),
                    detail[i].as_deref().unwrap_or(""),
                ),
                stratum: String::new(),
                repetition: rep[i].unwrap_or(1.0) as u32,
                first_line: first[i].unwrap_or(0.0) as u64,
                metric: metric[i].clone().unwrap_or_default(),
                unit: unit[i].clone().unwrap_or_default(),
                better: b,
                value: v,
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
    /// CV (percent) above which a group gets a warning.
    pub cv_warn_pct: f64,
    /// CV (percent) above which a group fails the check.
    pub cv_fail_pct: f64,
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
            cv_fail_pct: 10.0,
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
    /// The platform (arm).
    pub platform: String,
    /// Stratum (platform in `compare`), else empty.
    pub stratum: String,
    /// Whether this is the workload's primary metric.
    pub primary: bool,
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
    /// Overhead in percent, positive = costs more than the baseline.
    pub overhead_pct: Option<f64>,
    /// Lower bound of the overhead interval, None when unbounded.
    pub ci_low_pct: Option<f64>,
    /// Upper bound of the overhead interval, None when unbounded.
    pub ci_high_pct: Option<f64>,
    /// Welch two-sided p-value.
    pub p_value: Option<f64>,
    /// The verdict.
    pub verdict: String,
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

/// One check that fired.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Check name: `too_few_runs`, `high_cv`, `outlier`, `drift`, `params_differ`,
    /// `versions_differ`, `units_differ`, `log_errors`, `no_baseline`, `unlabelled`,
    /// `mixed_labels`, `unreadable`.
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
    /// (geomean - 1) * 100: positive = costs more.
    pub overhead_pct: f64,
    /// Number of (workload, params) comparisons in the mean.
    pub comparisons: usize,
    /// The workloads covered.
    pub workloads: Vec<String>,
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

/// The subsystem a workload exercises.
pub fn subsystem(workload: &str) -> &'static str {
    let w = workload.to_ascii_lowercase();
    if w.starts_with("sysbench.cpu") || w.starts_with("sysbench.threads") || w.starts_with("sysbench.mutex") {
        "cpu"
    } else if w.starts_with("sysbench.memory") {
        "memory"
    } else if w.starts_with("sysbench.fileio") || w.starts_with("fio") {
        "disk"
    } else if w.starts_with("wrk") {
        "network"
    } else {
        "application"
    }
}

/// Metric names tried, in order, as a workload's primary metric.
const PRIMARY: &[&str] = &[
    "events_per_sec",
    "mib_per_sec",
    "transactions_per_sec",
    "requests_per_sec",
    "read_iops",
    "write_iops",
    "trim_iops",
    "reads_per_sec",
    "writes_per_sec",
    "ops_per_sec",
    "elapsed_s",
    "total_time_s",
    "cpu_pct_mean",
];

/// The primary metric of a workload among `available`, by a fixed preference order; for
/// `sysbench.fileio` the read throughput and for `sysbench.memory` the MiB/s come first.
pub fn primary_metric<'a>(workload: &str, available: &BTreeSet<&'a str>) -> Option<&'a str> {
    let first: &[&str] = if workload.starts_with("sysbench.fileio") {
        &["read_mib_per_sec", "written_mib_per_sec"]
    } else if workload.starts_with("sysbench.memory") {
        &["mib_per_sec"]
    } else {
        &[]
    };
    let order: Vec<&str> = first.iter().chain(PRIMARY).copied().collect();
    order.into_iter().find_map(|m| available.get(m).copied())
}

type GroupKey = (String, String, String, String, String); // workload, params, stratum, metric, arm

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
    // Primary metric per (workload, params, stratum).
    let mut metrics_of: BTreeMap<(String, String, String), BTreeSet<&str>> = BTreeMap::new();
    for (w, p, s, m, _) in groups.keys() {
        metrics_of.entry((w.clone(), p.clone(), s.clone())).or_default().insert(m.as_str());
    }
    let primary: BTreeMap<(String, String, String), String> = metrics_of
        .iter()
        .filter_map(|(k, ms)| primary_metric(&k.0, ms).map(|m| (k.clone(), m.to_string())))
        .collect();
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
            platform: arm.clone(),
            stratum: s.clone(),
            primary: is_primary(w, p, s, m),
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
        });
    }

    // Per-group checks on primary metrics.
    for row in summary.iter().filter(|r| r.primary) {
        let n = row.stats.n;
        let label = group_label(&row.workload, &row.params, &row.stratum);
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
            });
        }
        if let Some(cv) = row.stats.cv_pct {
            if cv > cfg.cv_warn_pct {
                checks.push(Check {
                    check: "high_cv",
                    severity: if cv > cfg.cv_fail_pct { Severity::Fail } else { Severity::Warning },
                    workload: label.clone(),
                    platform: row.platform.clone(),
                    detail: format!(
                        "{} varies by CV {:.1}% over {n} runs (threshold {}%): differences smaller \
                         than that are noise",
                        row.metric,
                        cv,
                        if cv > cfg.cv_fail_pct { cfg.cv_fail_pct } else { cfg.cv_warn_pct }
                    ),
                    sources: row.sources.clone(),
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
            });
            continue;
        }
        let better = obs[0].better;
        if better == Better::None {
            continue;
        }
        let cmp = stats::compare(sa, sb, better, cfg.confidence, cfg.margin_pct);
        let (Some(mean), Some(baseline_mean)) = (sa.mean, sb.mean) else { continue };
        let bounds = cmp.overhead.as_ref().and_then(|o| o.interval.bounds());
        overhead.push(OverheadRow {
            workload: w.clone(),
            params: p.clone(),
            metric: m.clone(),
            unit: obs[0].unit.clone(),
            better,
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
            p_value: cmp.welch.as_ref().map(|w| w.p_value),
            verdict: cmp.decision.map(|d| d.verdict.to_string()).unwrap_or_else(|| "no verdict".to_string()),
        });
    }

    // Errors reported inside the logs.
    let mut by_kind: BTreeMap<(String, String, String), Vec<&RunIssue>> = BTreeMap::new();
    for i in &ds.issues {
        by_kind.entry((i.workload.clone(), i.arm.clone(), i.kind.clone())).or_default().push(i);
    }
    for ((w, arm, kind), issues) in by_kind {
        let severity = if kind == "warning" { Severity::Warning } else { Severity::Fail };
        let first = issues[0];
        checks.push(Check {
            check: "log_errors",
            severity,
            workload: w,
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
        });
    }

    checks.extend(mixed_label_checks(ds));
    let subsystems = subsystem_rows(&overhead, &cfg.baseline);
    checks.sort_by(|a, b| {
        (std::cmp::Reverse(a.severity), a.check, &a.workload, &a.platform).cmp(&(
            std::cmp::Reverse(b.severity),
            b.check,
            &b.workload,
            &b.platform,
        ))
    });
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

/// (subsystem, stratum, platform) -> (cost ratios, workloads covered).
type SubsystemAcc = BTreeMap<(String, String, String), (Vec<f64>, BTreeSet<String>)>;

fn subsystem_rows(overhead: &[OverheadRow], baseline: &str) -> Vec<SubsystemRow> {
    let mut acc = SubsystemAcc::new();
    for row in overhead.iter().filter(|r| r.primary) {
        let Some(q) = row.ratio.filter(|q| *q > 0.0) else { continue };
        let cost = match row.better {
            Better::Higher => 1.0 / q,
            Better::Lower => q,
            Better::None => continue,
        };
        let e = acc
            .entry((subsystem(&row.workload).to_string(), row.stratum.clone(), row.platform.clone()))
            .or_default();
        e.0.push(cost);
        e.1.insert(row.workload.clone());
    }
    acc.into_iter()
        .filter_map(|((sub, stratum, platform), (costs, workloads))| {
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
            })
        })
        .collect()
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
            "p_value" => r.iter().map(|x| x.p_value).collect::<Vec<_>>(),
            "verdict" => r.iter().map(|x| x.verdict.as_str()).collect::<Vec<_>>(),
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
                value: 1.0,
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
