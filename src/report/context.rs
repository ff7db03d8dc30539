//! The view model of a report: every value report.md and report.html show, as the templates
//! read it (`{{ headline.rows }}`, ...) and `--dump-context` writes it. Field names and their
//! serialized form are a contract with user templates: change them only on purpose.
//!
//! Every number here is already formatted from the analysis (by the section builders in
//! `report::sections`, with `report::text`); templates only place text. Strings are kept raw
//! (as the logs have them): escaping is the templates' job (tera escapes every `{{ }}` of the
//! Markdown template for Markdown and of the HTML template for HTML).

use serde::Serialize;

/// The context of report.md and report.html. Dumped as JSON by `--dump-context`.
#[derive(Debug, Clone, Serialize)]
pub struct ReportContext {
    /// Title.
    pub title: String,
    /// `virtperf <version>`.
    pub generator: String,
    /// `platforms` or `campaigns`.
    pub mode: &'static str,
    /// The word for an arm: `platform` or `campaign`.
    pub arm_word: &'static str,
    /// One sentence saying what was compared with what.
    pub compared: String,
    /// The baseline arm.
    pub baseline: String,
    /// Confidence level in percent (95).
    pub confidence_pct: f64,
    /// Equivalence margin in percent, if one was set.
    pub margin_pct: Option<f64>,
    /// The inputs as given.
    pub inputs: Vec<String>,
    /// The arms, baseline first.
    pub arms: Vec<ArmCtx>,
    /// Facts besides the arm that differ between the baseline and another arm, per workload.
    pub differences: Vec<DifferenceCtx>,
    /// The headline table.
    pub headline: HeadlineCtx,
    /// How many comparisons of primary metrics were made and how their p-values were adjusted
    /// (one sentence); empty when none was made.
    pub multiplicity: String,
    /// The headline figure (cost ratio of every primary metric), when anything was compared.
    pub headline_figure: Option<FigureCtx>,
    /// One sentence per comparison of a primary metric.
    pub findings: Vec<String>,
    /// The factors the campaign varied (workload parameters, platform settings of a plan's
    /// matrix): the primary metric against each, and which moves it most.
    pub factors: FactorsCtx,
    /// The paper table: per benchmark, the baseline's value and every other arm's signed
    /// change against it with its interval.
    pub paper_table: PaperTableCtx,
    /// Geometric-mean cost ratio per subsystem.
    pub subsystems: Vec<SubsystemCtx>,
    /// Every check that fired, most severe first.
    pub threats: Vec<ThreatCtx>,
    /// Number of failed checks.
    pub failed_checks: usize,
    /// Number of warnings.
    pub warning_checks: usize,
    /// One section per (workload, params, stratum).
    pub workloads: Vec<WorkloadCtx>,
    /// Appendix: every metric's statistics.
    pub metrics: Vec<MetricCtx>,
    /// Appendix: every input file.
    pub files: Vec<FileCtx>,
    /// Number of files that could not be read.
    pub unreadable_files: usize,
    /// One sentence per compared arm: its typical cost ratio against the baseline (the
    /// geometric mean over the headline's primary metrics), its range and its verdicts.
    pub platform_sentences: Vec<String>,
    /// The checks that fired, by kind: failed first, then warnings.
    pub check_kinds: Vec<CheckKindCtx>,
}

/// One fact that differs between the baseline and another arm, the same way for one or more
/// workloads (built by `report::sections::differences`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DifferenceCtx {
    /// The workloads (with their stratum in `compare`: `wrk (native)`), or `every workload`.
    pub workloads: String,
    /// What differs, for people: `target host`, `kernel`.
    pub fact: String,
    /// Per arm, baseline first: `native: localhost`, values joined with ` / `.
    pub values: Vec<String>,
}

/// One arm (platform or campaign).
#[derive(Debug, Clone, Serialize)]
pub struct ArmCtx {
    /// Name.
    pub name: String,
    /// Returns true if and only if this is the baseline.
    pub baseline: bool,
    /// Files read for it.
    pub files: usize,
    /// Benchmark runs found (monitor logs not counted), failed ones included.
    pub runs: usize,
    /// Benchmark runs that failed.
    pub failed_runs: usize,
    /// Monitor logs (pidstat) read beside the runs.
    pub monitor_logs: usize,
    /// How its files were labelled, with counts (`path word 'docker' in folder 'docker' (25 files)`).
    pub labelled: Vec<String>,
    /// Platforms inside it (campaigns only).
    pub platforms: Vec<String>,
    /// Host names the logs state.
    pub hosts: Vec<String>,
    /// Kernels the logs state.
    pub kernels: Vec<String>,
    /// Tools and versions (`sysbench 1.0.20`).
    pub tools: Vec<String>,
    /// Dates the logs state.
    pub dates: Vec<String>,
}

/// The headline table: one row per (workload, params, stratum) with a primary metric.
#[derive(Debug, Clone, Serialize)]
pub struct HeadlineCtx {
    /// The baseline's column name.
    pub baseline: String,
    /// The other arms' column names.
    pub arms: Vec<String>,
    /// The rows.
    pub rows: Vec<HeadlineRow>,
}

/// One row of the headline table.
#[derive(Debug, Clone, Serialize)]
pub struct HeadlineRow {
    /// Workload label: the workload, the params that set it apart, the stratum.
    pub label: String,
    /// Anchor of the workload's section.
    pub id: String,
    /// Primary metric.
    pub metric: String,
    /// Unit.
    pub unit: String,
    /// `higher` or `lower` is better.
    pub better: String,
    /// Baseline mean with its interval, formatted.
    pub baseline_value: String,
    /// One cell per other arm, in [`HeadlineCtx::arms`] order.
    pub cells: Vec<HeadlineCell>,
    /// The failed checks on this workload, by check and the arms they concern
    /// (`log_errors (native); high_cv (docker, native)`); empty when none failed. The
    /// workload's section and "Threats to validity" give the details.
    pub failed_checks: String,
}

/// One arm's cell of a headline row.
#[derive(Debug, Clone, Serialize)]
pub struct HeadlineCell {
    /// Mean with interval, formatted (empty when the arm has no runs).
    pub value: String,
    /// The change of the metric with its interval, formatted (`-86.4% [-89.5%, -83.3%]`), or
    /// why there is none (`not compared`).
    pub change: String,
    /// The cost ratio with its interval, formatted (`×7.37 [5.99, 9.58]`).
    pub cost: String,
    /// Verdict (`slower`, `not judged: log_errors`, ...).
    pub verdict: String,
    /// The change in percent.
    pub change_pct: Option<f64>,
    /// Lower bound of the change's interval.
    pub change_ci_low_pct: Option<f64>,
    /// Upper bound of the change's interval.
    pub change_ci_high_pct: Option<f64>,
    /// The cost ratio.
    pub cost_ratio: Option<f64>,
    /// Lower bound of the cost ratio's interval.
    pub cost_ratio_ci_low: Option<f64>,
    /// Upper bound of the cost ratio's interval.
    pub cost_ratio_ci_high: Option<f64>,
}

/// The factors a campaign varied (built by `report::sections::factors`; the definitions are in
/// docs/report.md, "Factors").
#[derive(Debug, Clone, Default, Serialize)]
pub struct FactorsCtx {
    /// Per workload (and primary metric) with factors: which factor moves the metric most (the
    /// largest ratio of the largest to the smallest mean across its levels, other factors
    /// fixed, per platform), and by how much the others do. Empty when nothing was varied.
    pub sentences: Vec<String>,
    /// Every factor of every workload, workloads in order, factors by name.
    pub factors: Vec<FactorCtx>,
}

/// One factor of one workload's primary metric.
#[derive(Debug, Clone, Serialize)]
pub struct FactorCtx {
    /// The workload (with its stratum in `compare`).
    pub workload: String,
    /// The factor: a parameter (`threads`) or a platform setting (`cpus`).
    pub factor: String,
    /// `workload parameter` or `platform setting`.
    pub source: &'static str,
    /// The primary metric.
    pub metric: String,
    /// Its unit.
    pub unit: String,
    /// `higher` or `lower` is better.
    pub better: String,
    /// The levels, in numeric order when they are all numbers.
    pub levels: Vec<String>,
    /// How far the factor moves the metric, formatted (`×1.98`): the largest ratio, over the
    /// lines, of the largest to the smallest mean; empty when no line has two positive means.
    pub moves: String,
    /// The same ratio as a number.
    pub moves_ratio: Option<f64>,
    /// Where that ratio is: `threads=2 against threads=1 on native`.
    pub moves_where: String,
    /// One row per line (platform, other factors fixed).
    pub lines: Vec<FactorLineCtx>,
    /// The figure: the metric against the factor, one line per row.
    pub figure: FigureCtx,
}

/// One line of a factor: a platform with the other factors fixed.
#[derive(Debug, Clone, Serialize)]
pub struct FactorLineCtx {
    /// The platform (or the platform kind for the platforms a matrix made) and the other
    /// factors' values along it.
    pub line: String,
    /// Per level ([`FactorCtx::levels`]): mean [interval], empty where the line has no runs.
    pub values: Vec<String>,
    /// Its ratio of the largest to the smallest mean (`×1.98`), empty with fewer than two
    /// positive means.
    pub ratio: String,
}

/// The paper table (built by `report::sections::paper`): one row per benchmark, one column per
/// arm, as papers that compare platforms print it; also written as `paper_table.csv`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PaperTableCtx {
    /// The baseline's column.
    pub baseline: String,
    /// The other arms' columns, in report order.
    pub arms: Vec<String>,
    /// The rows, in the headline's order.
    pub rows: Vec<PaperRowCtx>,
}

/// One benchmark of the paper table.
#[derive(Debug, Clone, Serialize)]
pub struct PaperRowCtx {
    /// The benchmark: workload label (the params that set it apart, the stratum).
    pub benchmark: String,
    /// Its primary metric.
    pub metric: String,
    /// The metric's unit.
    pub unit: String,
    /// `higher` or `lower` is better.
    pub better: String,
    /// The baseline's mean (4 significant digits), empty when it has no runs.
    pub baseline_value: String,
    /// The baseline's mean.
    pub baseline_mean: Option<f64>,
    /// One cell per other arm, in [`PaperTableCtx::arms`] order.
    pub cells: Vec<PaperCellCtx>,
}

/// One arm's cell of the paper table.
#[derive(Debug, Clone, Serialize)]
pub struct PaperCellCtx {
    /// The signed change of the metric against the baseline with its interval, in percent
    /// (`-13.6% [-15.2, -12.0]`); `withheld: <checks>` when a failed check withholds the
    /// comparison's verdict; `not compared` when the arm ran the benchmark but no comparison
    /// was made; empty when it has no runs of it.
    pub text: String,
    /// The change in percent, when one is shown.
    pub change_pct: Option<f64>,
    /// Lower bound of its interval.
    pub ci_low_pct: Option<f64>,
    /// Upper bound of its interval.
    pub ci_high_pct: Option<f64>,
}

/// Geometric-mean cost ratio of one subsystem for one arm.
#[derive(Debug, Clone, Serialize)]
pub struct SubsystemCtx {
    /// Subsystem.
    pub subsystem: String,
    /// Arm.
    pub platform: String,
    /// Stratum (campaigns: platform).
    pub stratum: String,
    /// Geometric-mean cost ratio, formatted as the headline's (`7.38`).
    pub cost_ratio: String,
    /// Comparisons in the mean.
    pub comparisons: usize,
    /// Workloads covered, comma separated, those whose comparison was not judged marked
    /// `(not judged)`.
    pub workloads: String,
}

/// One check that fired.
#[derive(Debug, Clone, Serialize)]
pub struct ThreatCtx {
    /// `fail`, `warning`, `info`.
    pub severity: &'static str,
    /// Check name.
    pub check: &'static str,
    /// Workload concerned.
    pub workload: String,
    /// Arm concerned.
    pub platform: String,
    /// What was found.
    pub detail: String,
    /// Up to five files concerned.
    pub sources: Vec<String>,
    /// Their links from the report's folder (relative when the path is): the path without its
    /// line, percent-encoded.
    pub hrefs: Vec<String>,
    /// How many more files are concerned.
    pub more_sources: usize,
}

/// A figure as the templates place it.
#[derive(Debug, Clone, Serialize)]
pub struct FigureCtx {
    /// File name without extension.
    pub name: String,
    /// Title.
    pub title: String,
    /// Caption: how to read it.
    pub caption: String,
    /// Relative path of the PNG (`figures/NAME.png`).
    pub png: String,
    /// Relative path of the SVG.
    pub svg: String,
}

/// Checks about every parameter set of a workload, listed once in the section of the first:
/// what the other sections say in their place.
#[derive(Debug, Clone, Serialize)]
pub struct ChecksElsewhere {
    /// How many checks.
    pub count: usize,
    /// How many parameter sets the workload has.
    pub sets: usize,
    /// The workload (with its stratum).
    pub workload: String,
    /// The anchor of the section that lists them.
    pub id: String,
}

/// One workload section.
#[derive(Debug, Clone, Serialize)]
pub struct WorkloadCtx {
    /// Anchor (slug).
    pub id: String,
    /// Heading: workload, distinguishing params, stratum.
    pub title: String,
    /// Workload.
    pub workload: String,
    /// Stratum (campaigns: platform).
    pub stratum: String,
    /// Tool.
    pub tool: String,
    /// Every param, `key = value`.
    pub params: Vec<(String, String)>,
    /// Primary metric.
    pub primary: String,
    /// Sentences about the comparisons of this workload.
    pub findings: Vec<String>,
    /// Figures.
    pub figures: Vec<FigureCtx>,
    /// The metrics that have a better direction, per arm.
    pub table: MetricTable,
    /// Checks about this workload, one line each.
    pub checks: Vec<String>,
    /// The checks about every parameter set of the workload, said in another section.
    pub checks_elsewhere: Option<ChecksElsewhere>,
    /// The resource metrics, inside the platform and on its host side by side; `table` then
    /// holds the benchmark's own (performance) metrics only.
    pub resources: ResourceTable,
    /// Where the CPU goes: the CPU share inside each platform and on the host, when a monitor
    /// ran on the host.
    pub cpu_figure: Option<FigureCtx>,
}

/// The resource metrics of one workload: per arm the value inside the platform and, for arms
/// with a host-side monitor log, the value on the host.
#[derive(Debug, Clone, Serialize)]
pub struct ResourceTable {
    /// The value columns: `ARM: inside`, and `ARM: on the host` after it when the arm has
    /// host-side values.
    pub columns: Vec<String>,
    /// The compared arms (verdict columns).
    pub compared: Vec<String>,
    /// One row per metric (host-side metrics under the name of their inside one).
    pub rows: Vec<ResourceRow>,
}

/// One resource metric of a [`ResourceTable`].
#[derive(Debug, Clone, Serialize)]
pub struct ResourceRow {
    /// Metric name (without the `host_` of its host-side twin).
    pub metric: String,
    /// Unit.
    pub unit: String,
    /// Mean [interval] per column of [`ResourceTable::columns`] (empty when not measured).
    pub values: Vec<String>,
    /// Per compared arm, the verdicts inside and on the host (`inside: uses more; on the host:
    /// uses less`).
    pub verdicts: Vec<String>,
}

/// A metrics × arms table of one workload.
#[derive(Debug, Clone, Serialize)]
pub struct MetricTable {
    /// The arms (columns), baseline first.
    pub arms: Vec<String>,
    /// The other arms (comparison columns).
    pub compared: Vec<String>,
    /// The rows.
    pub rows: Vec<MetricTableRow>,
}

/// One metric of a [`MetricTable`].
#[derive(Debug, Clone, Serialize)]
pub struct MetricTableRow {
    /// Metric name.
    pub metric: String,
    /// Unit.
    pub unit: String,
    /// Better direction.
    pub better: String,
    /// `performance` or `resource`.
    pub kind: String,
    /// Mean ± interval per arm (empty when the arm lacks it).
    pub values: Vec<String>,
    /// Change, cost ratio and verdict per compared arm (`-86.4% [-89.5%, -83.3%]; ×7.37 [5.99,
    /// 9.58]; slower`).
    pub comparisons: Vec<String>,
}

/// Appendix: statistics of one metric of one arm.
#[derive(Debug, Clone, Serialize)]
pub struct MetricCtx {
    /// Workload label.
    pub workload: String,
    /// Canonical params (full).
    pub params: String,
    /// Metric.
    pub metric: String,
    /// Unit.
    pub unit: String,
    /// Better direction.
    pub better: String,
    /// Arm.
    pub platform: String,
    /// Primary metric of its workload.
    pub primary: bool,
    /// Runs.
    pub n: usize,
    /// Mean.
    pub mean: String,
    /// Interval of the mean.
    pub ci: String,
    /// The interval's half-width in percent of the mean (`±2.1%`): the precision reached, which
    /// a plan's `precision_pct` asks for.
    pub precision: String,
    /// Standard deviation.
    pub sd: String,
    /// Coefficient of variation.
    pub cv: String,
    /// Median.
    pub median: String,
    /// Minimum.
    pub min: String,
    /// Maximum.
    pub max: String,
}

/// Appendix: one input file.
#[derive(Debug, Clone, Serialize)]
pub struct FileCtx {
    /// Path.
    pub source: String,
    /// Campaign (compare only).
    pub campaign: String,
    /// sha256, hex.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Parser that read it.
    pub parser: String,
    /// Runs found.
    pub runs: usize,
    /// Platform label.
    pub platform: String,
    /// Where the label came from (`path`, `cli`, ...).
    pub origin: String,
    /// How it was labelled, for people.
    pub how: String,
    /// Why it could not be read, if it could not.
    pub error: String,
}

/// The checks of one kind that fired (one severity, one check), for the summary.
#[derive(Debug, Clone, Serialize)]
pub struct CheckKindCtx {
    /// `fail`, `warning`, `info`.
    pub severity: &'static str,
    /// Check name.
    pub check: &'static str,
    /// How many times it fired.
    pub count: usize,
    /// The workloads concerned, sorted.
    pub workloads: Vec<String>,
    /// The arms concerned, sorted.
    pub platforms: Vec<String>,
}
