//! What the analysis gives: per-group statistics ([`SummaryRow`]), comparisons with the
//! baseline ([`OverheadRow`]), the checks that fired ([`Check`], with the [`Scope`] of
//! comparisons each concerns) and the per-subsystem means ([`SubsystemRow`]), in one
//! [`Analysis`]. Plain rows: `crate::table` writes them as CSV, `crate::report` reads them.

use std::sync::Arc;

use serde::Serialize;

use super::input::Values;
use crate::model::{Better, GroupId, Kind, Percentile};
use crate::stats;

/// Statistics of one (workload, params, metric, arm) group.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryRow {
    /// The (workload, params, stratum) group, typed; `workload`, `params` and `stratum` are
    /// its parts as the tables print them.
    #[serde(skip)]
    pub group: GroupId,
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
    /// The values, in (source, run) order (shared with the analysis' cell, a stretch of its
    /// dataset's).
    #[serde(serialize_with = "numbers")]
    pub values: Values,
    /// Source files, in run order (each shared with the runs of the analysis' input, the list
    /// with the rows of the group's other metrics on the arm that have the same files: a
    /// selection of millions of rows names each file in one summary row per metric).
    /// summary.csv counts them and lists at most 100 (`SOURCES_LISTED` in src/table/analysis.rs).
    #[serde(serialize_with = "texts")]
    pub sources: Arc<[Arc<str>]>,
}

/// Serialises shared numbers as a list.
fn numbers<S: serde::Serializer>(v: &Values, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter())
}

/// Serialises shared strings as strings.
fn texts<S: serde::Serializer>(v: &Arc<[Arc<str>]>, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|t| &**t))
}

/// Overhead of one arm against the baseline for one (workload, params, metric).
#[derive(Debug, Clone, Serialize)]
pub struct OverheadRow {
    /// The (workload, params, stratum) group, typed; `workload`, `params` and `stratum` are
    /// its parts as the tables print them.
    #[serde(skip)]
    pub group: GroupId,
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
    /// Welch's p-value adjusted over the family of the primary metrics' comparisons (Holm by
    /// default, `--adjust`); None for a secondary metric, without a p-value, or with
    /// `--adjust none`. When given, slower/faster also needs it below alpha.
    pub p_adjusted: Option<f64>,
    /// p-value of the equivalence test (two one-sided tests on the ratio at 1 ± margin/100)
    /// when `--equivalence-margin` is given; equivalent when it (adjusted, for a primary
    /// metric) is below alpha.
    pub equivalence_p: Option<f64>,
    /// `equivalence_p` adjusted over the primary metrics' comparisons, as `p_adjusted`.
    pub equivalence_p_adjusted: Option<f64>,
    /// The smallest change, in percent of the baseline's mean, a two-sided Welch test at this
    /// confidence would detect with 80% power given the observed variances and run counts.
    pub detectable_pct: Option<f64>,
    /// The runs per side that would detect a change of `--detect` percent with 80% power
    /// (from the observed standard deviations); None without `--detect`.
    pub runs_to_detect: Option<usize>,
    /// The printed step the two means are compared at: the coarser of both sides' printed
    /// resolutions ([`crate::stats::comparison_resolution`]); None when the values carry no
    /// printed step. A difference of means within it gets the verdict `within resolution`.
    pub resolution: Option<f64>,
    /// The comparison paired by round ([`crate::stats::paired_log_ratio`]): the number of
    /// rounds, when every arm of the group has the same complete rounds of this metric (one run
    /// each); None when the runs cannot be paired.
    pub paired_n: Option<usize>,
    /// The paired change of the metric, `(exp(mean log ratio) - 1) · 100`.
    pub paired_change_pct: Option<f64>,
    /// Lower end of the paired change's interval (Student t on the log ratios, back-transformed).
    pub paired_change_ci_low_pct: Option<f64>,
    /// Upper end of the paired change's interval.
    pub paired_change_ci_high_pct: Option<f64>,
    /// Two-sided p-value of the paired t-test on the log ratios (reported, not deciding).
    pub paired_p_value: Option<f64>,
    /// For a primary metric or a percentile (p99 of a latency), the change of the median of
    /// the runs, `(median / baseline median - 1) · 100` ([`crate::stats::median_ratio_bootstrap`]).
    pub median_change_pct: Option<f64>,
    /// Lower end of its percentile-bootstrap interval (10 000 seeded resamples).
    pub median_change_ci_low_pct: Option<f64>,
    /// Upper end of its percentile-bootstrap interval.
    pub median_change_ci_high_pct: Option<f64>,
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
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Fail => "fail",
        }
    }
}

/// What a check concerns: the comparisons whose verdict a failed check withholds (see
/// [`super::withhold_verdicts`]). A check concerns the comparison of a platform with the baseline on
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

    /// Every metric of group `g` of one arm.
    pub(crate) fn of(g: &GroupId, platform: &str) -> Scope {
        Scope::group(g.workload(), g.params_string(), g.stratum(), platform)
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
    pub(crate) fn concerns(&self, row: &OverheadRow) -> bool {
        self.concerns_comparison(&row.group, &row.metric, &row.platform, &row.baseline)
    }

    /// Returns true if and only if a check with this scope concerns the comparison of
    /// `platform` with `baseline` on `metric` of group `g`.
    pub(crate) fn concerns_comparison(
        &self,
        g: &GroupId,
        metric: &str,
        platform: &str,
        baseline: &str,
    ) -> bool {
        let Some(workload) = &self.workload else { return false };
        workload == g.workload()
            && self.params.as_ref().is_none_or(|p| p == g.params_string())
            && self.stratum == g.stratum()
            && self.metric.as_ref().is_none_or(|m| m == metric)
            && self.platform.as_ref().is_none_or(|a| a == platform || a == baseline)
    }
}

/// One check that fired.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Check name, that of the function of the checks' registry that found it: `too_few_runs`,
    /// `high_cv`, `outlier`, `drift`, `params_differ`, `versions_differ`, `units_differ`,
    /// `log_errors`, `no_baseline`, `unlabelled`, `mixed_labels`, `unreadable`,
    /// `work_differs`, `run_time_differs`, `bimodal`.
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
    /// The comparisons it concerns, for [`super::withhold_verdicts`].
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
    /// How the primary metrics' p-values were adjusted.
    pub adjust: stats::Adjust,
    /// The comparisons of primary metrics with a p-value: the family adjusted together.
    pub family_size: usize,
    /// `--detect`: the change (percent) `runs_to_detect` is computed for.
    pub detect_pct: Option<f64>,
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
    pub(crate) fn failed(&self) -> bool {
        self.checks.iter().any(|c| c.severity == Severity::Fail)
    }
}
