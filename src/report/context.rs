//! The template context of a report: everything report.md and report.html show, computed from
//! an [`Analysis`] and the ingested runs and files, plus the figures' data.
//!
//! Every number a reader sees is formatted here from the analysis; templates only place text.
//! Strings are kept raw (as the logs have them): escaping is the templates' job (tera escapes
//! every `{{ }}` of the Markdown template for Markdown and of the HTML template for HTML).
//! Nothing here draws or writes files.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::figures::{
    ArmValues, Bar, FigureData, Line, OverheadData, PercentileData, Plot, PlotContext, PrimaryData,
    SeriesData,
};
use crate::analyse::{display_params, fmt_num, Analysis, OverheadRow, Severity, SummaryRow};
use crate::ingest::FileReport;
use crate::model::{Better, IngestedRun, Labels, Role, Sample};

/// What the arms of a report are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Platforms of one campaign (`virtperf report`).
    Platforms,
    /// Two campaigns, each arm a campaign and each stratum a platform (`virtperf compare`).
    Campaigns,
}

/// One run as the report needs it: its arm and stratum, facts and series.
#[derive(Debug, Clone)]
pub struct RunView {
    /// Arm: the platform (with detail), or the campaign in `compare`.
    pub arm: String,
    /// Stratum: the platform in `compare`, else empty.
    pub stratum: String,
    /// Source file.
    pub source: String,
    /// Tool.
    pub tool: String,
    /// Tool version, when known.
    pub tool_version: Option<String>,
    /// Workload.
    pub workload: String,
    /// Canonical params.
    pub params: String,
    /// Facts the output states (`host`, `kernel`, `date`, ...).
    pub facts: BTreeMap<String, String>,
    /// Per-interval samples.
    pub series: Vec<Sample>,
    /// A monitor's log (pidstat), not a benchmark run ([`Role::Monitor`]).
    pub monitor: bool,
    /// For a monitor's log paired with a benchmark's run: that run's source
    /// ([`crate::model::Companion::beside`]).
    pub beside: Option<String>,
    /// For a monitor's log: the process whose rows its figures sum
    /// ([`crate::model::Run::monitored`]); `None` for every process.
    pub monitored: Option<String>,
    /// The run failed as a whole ([`crate::model::Run::failed`]).
    pub failed: bool,
    /// A pidstat log taken on the host of the VM or container, not inside it.
    pub host_side: bool,
}

impl RunView {
    /// A view of `r` compared as `arm` within `stratum`.
    pub fn new(r: &IngestedRun, arm: String, stratum: String) -> RunView {
        RunView {
            arm,
            stratum,
            source: r.source.clone(),
            tool: r.data.tool.clone(),
            tool_version: r.data.tool_version.clone(),
            workload: r.data.workload.clone(),
            params: crate::model::params_string(&r.data.params),
            facts: r.data.facts.clone(),
            series: r.data.series.clone(),
            monitor: r.data.role == Role::Monitor,
            beside: r.companion.as_ref().map(|c| c.beside.clone()),
            monitored: r.data.monitored.clone(),
            failed: r.data.failed(),
            host_side: r.labels.host_side,
        }
    }
}

/// One input file as the report lists it.
#[derive(Debug, Clone)]
pub struct FileView {
    /// The campaign the file belongs to in `compare`, else empty.
    pub campaign: String,
    /// The arm its runs were compared as.
    pub arm: String,
    /// What ingest said about it.
    pub report: FileReport,
}

/// Everything a report is made from.
#[derive(Debug, Clone)]
pub struct ReportInput {
    /// The analysis.
    pub analysis: Analysis,
    /// The runs (empty for inputs that were tables).
    pub runs: Vec<RunView>,
    /// The files read.
    pub files: Vec<FileView>,
    /// The inputs as given on the command line.
    pub inputs: Vec<String>,
    /// What the arms are.
    pub mode: Mode,
    /// The title, if the user gave one.
    pub title: Option<String>,
    /// `virtperf <version>`.
    pub generator: String,
}

/// A figure to draw: its file name (without extension) and data.
#[derive(Debug, Clone, Serialize)]
pub struct FigureSpec {
    /// File name without extension: a slug of `[a-z0-9-]`, never from log text unchecked.
    pub name: String,
    /// Drawing settings.
    #[serde(skip)]
    pub(crate) ctx: PlotContext,
    /// What to draw.
    pub data: FigureData,
}

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
    pub differences: Vec<super::differences::DifferenceCtx>,
    /// The headline table.
    pub headline: HeadlineCtx,
    /// The headline figure (cost ratio of every primary metric), when anything was compared.
    pub headline_figure: Option<FigureCtx>,
    /// One sentence per comparison of a primary metric.
    pub findings: Vec<String>,
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

/// A report's context and the figures it refers to.
#[derive(Debug, Clone)]
pub struct Built {
    /// The template context.
    pub context: ReportContext,
    /// The figures to draw.
    pub figures: Vec<FigureSpec>,
}

// ---------------------------------------------------------------------------------------------
// Formatting

/// A value with 4 significant digits (the analysis' own formatting).
pub fn num(v: f64) -> String {
    fmt_num(v)
}

/// `mean [low, high]`, or the mean alone.
pub fn value_with_ci(mean: Option<f64>, lo: Option<f64>, hi: Option<f64>) -> String {
    match (mean, lo, hi) {
        (Some(m), Some(l), Some(h)) => format!("{} [{}, {}]", num(m), num(l), num(h)),
        (Some(m), _, _) => num(m),
        _ => String::new(),
    }
}

/// A signed percentage with one decimal: `+2.0%`, `-0.4%`.
pub fn pct(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 {
        "0.0%".to_string()
    } else {
        format!("{r:+.1}%")
    }
}

/// A change in percent as [`pct`] writes it, except that a change above -100% never reads
/// `-100.0%` (a throughput that fell to 0.03% of the baseline's is `-99.97%`, not zero).
pub fn change_pct_text(v: f64) -> String {
    let mut text = pct(v);
    let mut digits = 2;
    while text == "-100.0%" && v > -100.0 && digits <= 6 {
        text = format!("{v:+.digits$}%");
        if text == format!("{:+.digits$}%", -100.0) {
            text = "-100.0%".to_string();
        }
        digits += 1;
    }
    text
}

/// The change of the metric with its interval: `-86.4% [-89.5%, -83.3%]`,
/// `+80.1% (interval unbounded)`, or `n/a` without a ratio.
pub fn change_text(row: &OverheadRow) -> String {
    match (row.change_pct, row.change_ci_low_pct, row.change_ci_high_pct) {
        (Some(c), Some(l), Some(h)) => {
            format!("{} [{}, {}]", change_pct_text(c), change_pct_text(l), change_pct_text(h))
        }
        (Some(c), _, _) => format!("{} (interval unbounded)", change_pct_text(c)),
        _ => "n/a".to_string(),
    }
}

/// A ratio with 3 significant digits: `7.37`, `1.01`, `0.998`, `29.5`, `0.0891`, `1254`.
pub fn ratio_fmt(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let digits = (2 - x.abs().log10().floor() as i32).max(0) as usize;
    format!("{x:.digits$}")
}

/// The cost ratio with its interval for tables: `×7.37 [5.99, 9.58]`,
/// `×7.37 (interval unbounded)`, or `n/a` when there is none (a mean that is not positive).
pub fn cost_text(row: &OverheadRow) -> String {
    match (row.cost_ratio, row.cost_ratio_ci_low, row.cost_ratio_ci_high) {
        (Some(c), Some(l), Some(h)) => format!("×{} [{}, {}]", ratio_fmt(c), ratio_fmt(l), ratio_fmt(h)),
        (Some(c), _, _) => format!("×{} (interval unbounded)", ratio_fmt(c)),
        _ => "n/a".to_string(),
    }
}

/// What one unit of work of a throughput in `unit` is, in words: `event` for `events/s`,
/// `request` for `requests/s`, `query` for `queries/s`, `MiB` for `MiB/s`, `IO` for `IO/s`;
/// `unit of work` when the unit is not a rate.
pub fn work_unit(unit: &str) -> String {
    let Some(what) = unit.strip_suffix("/s").map(str::trim).filter(|w| !w.is_empty()) else {
        return "unit of work".to_string();
    };
    match what {
        "ops" => "operation".to_string(),
        "tx" => "transaction".to_string(),
        "B" => "byte".to_string(),
        w if w.ends_with("ies") && w.len() > 3 => format!("{}y", &w[..w.len() - 3]),
        w if w.ends_with('s')
            && !w.ends_with("ss")
            && w.len() > 2
            && w.chars().all(|c| c.is_ascii_lowercase()) =>
        {
            w[..w.len() - 1].to_string()
        }
        w => w.to_string(),
    }
}

/// What the cost ratio of `row` means, with its interval: `7.37 [5.99, 9.58] times the time per
/// event` for a throughput (one unit of work takes that many times the baseline's time),
/// `7.54 [5.66, 9.47] times native's` for a latency, a time or a resource used (the metric's
/// own ratio). `None` when there is no cost ratio.
pub fn cost_phrase(row: &OverheadRow) -> Option<String> {
    let c = ratio_fmt(row.cost_ratio?);
    let of = match row.better {
        Better::Higher => format!("the time per {}", work_unit(&row.unit)),
        _ => format!("{}'s", row.baseline),
    };
    Some(match (row.cost_ratio_ci_low, row.cost_ratio_ci_high) {
        (Some(l), Some(h)) => format!("{c} [{}, {}] times {of}", ratio_fmt(l), ratio_fmt(h)),
        _ => format!("{c} times {of} (interval unbounded)"),
    })
}

/// The verdict of `row` as a sentence ends: `slower`, `uses less`, `not judged: log_errors`,
/// followed by the checks that warn about the comparison (`slower (with warnings: high_cv,
/// outlier)`): the verdict stands, and the reader is told what to look at.
pub fn verdict_text(row: &OverheadRow) -> String {
    if row.warning_checks.is_empty() {
        row.verdict.clone()
    } else {
        format!("{} (with warnings: {})", row.verdict, row.warning_checks.join(", "))
    }
}

/// Makes a file-name-safe slug: lowercase ASCII letters, digits and `-`, at most 48 characters,
/// never empty, never `.` or `..`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
        if out.len() >= 48 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "x".to_string()
    } else {
        out
    }
}

/// Hands out unique slugs.
#[derive(Default)]
struct Slugs(BTreeSet<String>);

impl Slugs {
    fn unique(&mut self, s: &str) -> String {
        let base = slug(s);
        let mut name = base.clone();
        let mut i = 2;
        while self.0.contains(&name) {
            name = format!("{base}-{i}");
            i += 1;
        }
        self.0.insert(name.clone());
        name
    }
}

/// The text at a bar's end in the cost-ratio figures: `×7.37`, with `(interval unbounded)` and
/// `not judged` when they apply.
fn bar_label(row: &OverheadRow) -> String {
    let mut label = row.cost_ratio.map(|c| format!("×{}", ratio_fmt(c))).unwrap_or_default();
    if row.cost_ratio_ci_low.is_none() || row.cost_ratio_ci_high.is_none() {
        label.push_str(" (interval unbounded)");
    }
    if !row.failed_checks.is_empty() {
        label.push_str(", not judged");
    }
    label
}

/// A sentence about one comparison, written from the numbers: the change of the metric itself
/// with its interval, the means and run counts, what the cost ratio means, and the verdict:
///
/// `qemu on sysbench.cpu: events_per_sec -86.4% [-89.5%, -83.3%] against native (175.4 vs 1294
/// events/s, 5 and 5 runs), 7.37 [5.99, 9.58] times the time per event: slower.`
///
/// The words hold in both directions and for every kind: the change is signed, the cost ratio
/// is "times the time per <unit of work>" for a throughput and "times <baseline>'s" for a
/// latency, a time or a resource; a resource's verdict is "uses more" or "uses less".
pub fn finding(row: &OverheadRow, label: &str) -> String {
    let means = format!(
        "{} vs {} {}, {} and {} runs",
        num(row.mean),
        num(row.baseline_mean),
        row.unit,
        row.n,
        row.baseline_n
    );
    let head = format!("{} on {label}: {}", row.platform, row.metric);
    if row.change_pct.is_none() {
        return format!("{head} cannot be compared with {} ({means}): {}.", row.baseline, verdict_text(row));
    }
    let cost = cost_phrase(row).map(|c| format!(", {c}")).unwrap_or_default();
    format!("{head} {} against {} ({means}){cost}: {}.", change_text(row), row.baseline, verdict_text(row))
}

// ---------------------------------------------------------------------------------------------
// Building

type GroupKey = (String, String, String); // workload, params, stratum

/// Builds the context and the figure list of a report.
pub fn build(input: &ReportInput) -> Built {
    let a = &input.analysis;
    let confidence_pct = (a.confidence * 100.0 * 1e6).round() / 1e6;
    let arm_word = match input.mode {
        Mode::Platforms => "platform",
        Mode::Campaigns => "campaign",
    };
    // Arms: baseline first, then the others in name order.
    let mut arm_names: Vec<String> = a.platforms.clone();
    arm_names.sort_by_key(|n| (n != &a.baseline, n.clone()));
    let style_of = |name: &str| arm_names.iter().position(|n| n == name).unwrap_or(0);
    let others: Vec<String> = arm_names.iter().filter(|n| *n != &a.baseline).cloned().collect();

    // Groups and their labels.
    let mut groups: BTreeMap<GroupKey, Vec<&SummaryRow>> = BTreeMap::new();
    for r in &a.summary {
        groups.entry((r.workload.clone(), r.params.clone(), r.stratum.clone())).or_default().push(r);
    }
    let params_of_workload: BTreeMap<&str, BTreeSet<&str>> =
        groups.keys().fold(BTreeMap::new(), |mut m, (w, p, _)| {
            m.entry(w.as_str()).or_insert_with(BTreeSet::new).insert(p.as_str());
            m
        });
    let label_of = |k: &GroupKey| -> String {
        let mut s = k.0.clone();
        let diff = distinguishing_params(&k.1, params_of_workload.get(k.0.as_str()));
        if !diff.is_empty() {
            s.push_str(&format!(" [{diff}]"));
        }
        if !k.2.is_empty() {
            s.push_str(&format!(" ({})", k.2));
        }
        s
    };
    let mut slugs = Slugs::default();
    slugs.unique("overhead-primary");
    let ids: BTreeMap<GroupKey, String> =
        groups.keys().map(|k| (k.clone(), slugs.unique(&label_of(k)))).collect();

    let comparisons = |k: &GroupKey, metric: &str| -> Vec<&OverheadRow> {
        a.overhead
            .iter()
            .filter(|o| o.workload == k.0 && o.params == k.1 && o.stratum == k.2 && o.metric == metric)
            .collect()
    };

    // Headline.
    let mut rows = Vec::new();
    let mut findings = Vec::new();
    let mut bars = Vec::new();
    let mut categories = Vec::new();
    for (k, rs) in &groups {
        let Some(primary) = rs.iter().find(|r| r.primary) else { continue };
        let label = label_of(k);
        let value_of = |arm: &str| {
            rs.iter()
                .find(|r| r.primary && r.platform == arm)
                .map(|r| value_with_ci(r.stats.mean, r.stats.ci_low, r.stats.ci_high))
                .unwrap_or_default()
        };
        let cmp = comparisons(k, &primary.metric);
        let mut cells = Vec::new();
        for arm in &others {
            let row = cmp.iter().find(|o| &o.platform == arm);
            let value = value_of(arm);
            let (change, cost, verdict) = match row {
                Some(o) => (change_text(o), cost_text(o), o.verdict.clone()),
                None if value.is_empty() => (String::new(), String::new(), String::new()),
                None => (
                    "not compared".to_string(),
                    String::new(),
                    if a.platforms.contains(&a.baseline) {
                        why_not_compared(a, &k.0, arm).unwrap_or_else(|| "see threats to validity".into())
                    } else {
                        format!("no runs of the baseline {}", a.baseline)
                    },
                ),
            };
            cells.push(HeadlineCell {
                value,
                change,
                cost,
                verdict,
                change_pct: row.and_then(|o| o.change_pct),
                change_ci_low_pct: row.and_then(|o| o.change_ci_low_pct),
                change_ci_high_pct: row.and_then(|o| o.change_ci_high_pct),
                cost_ratio: row.and_then(|o| o.cost_ratio),
                cost_ratio_ci_low: row.and_then(|o| o.cost_ratio_ci_low),
                cost_ratio_ci_high: row.and_then(|o| o.cost_ratio_ci_high),
            });
            if let Some(o) = row {
                findings.push(finding(o, &label));
                if let Some(v) = o.cost_ratio {
                    if !categories.contains(&label) {
                        categories.push(label.clone());
                    }
                    bars.push(Bar {
                        category: categories.len() - 1,
                        arm: others.iter().position(|x| x == arm).unwrap_or(0),
                        value: v,
                        ci: o.cost_ratio_ci_low.zip(o.cost_ratio_ci_high),
                        label: bar_label(o),
                    });
                }
            }
        }
        rows.push(HeadlineRow {
            label,
            id: ids[k].clone(),
            metric: primary.metric.clone(),
            unit: primary.unit.clone(),
            better: primary.better.as_str().to_string(),
            baseline_value: value_of(&a.baseline),
            cells,
            failed_checks: failed_checks_of(a, k),
        });
    }
    let mut figures = Vec::new();
    let plot = PlotContext { confidence: a.confidence, ..PlotContext::default() };
    let headline_figure = if bars.is_empty() {
        None
    } else {
        let n_bars = bars.len();
        let name = "overhead-primary".to_string();
        let data = FigureData::Overhead(OverheadData {
            title: format!("Cost ratio of each workload's primary metric against {}", a.baseline),
            categories,
            arms: others.iter().map(|n| (n.clone(), style_of(n))).collect(),
            bars,
            baseline: a.baseline.clone(),
        });
        let fig = figure_ctx(
            &name,
            data.title(),
            &format!(
                "Bars: cost ratio against {b} on a log scale, from ×1 (no change): ×2 = twice {b}'s time per \
                 unit of work (or twice its latency), ×0.5 = half; right of ×1 is slower, left faster, and ×2 \
                 lies as far right as ×0.5 lies left. Whiskers: {confidence_pct:.0}% interval (Fieller). A \
                 dashed grey line marks an interval that is unbounded.",
                b = a.baseline
            ),
        );
        figures.push(FigureSpec { name, ctx: tall(plot, n_bars), data });
        Some(fig)
    };

    // Subsystems.
    let subsystems = a
        .subsystems
        .iter()
        .map(|s| SubsystemCtx {
            subsystem: s.subsystem.clone(),
            platform: s.platform.clone(),
            stratum: s.stratum.clone(),
            cost_ratio: ratio_fmt(s.geomean_cost_ratio),
            comparisons: s.comparisons,
            workloads: s
                .workloads
                .iter()
                .map(|w| if s.not_judged.contains(w) { format!("{w} (not judged)") } else { w.clone() })
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();

    // Threats: the analysis' checks, with workload labels as short as the headline's, and
    // unreadable files that failed the same way as one entry.
    let short: BTreeMap<String, String> = groups
        .keys()
        .flat_map(|k| {
            let whole = if k.2.is_empty() { k.0.clone() } else { format!("{} ({})", k.0, k.2) };
            [(check_label(k), label_of(k)), (whole.clone(), whole)]
        })
        .collect();
    let mut threats: Vec<ThreatCtx> = Vec::new();
    let mut unreadable: BTreeMap<String, Vec<&crate::analyse::Check>> = BTreeMap::new();
    for c in &a.checks {
        if c.check == "unreadable" {
            unreadable.entry(failure_kind(c)).or_default().push(c);
            continue;
        }
        threats.push(ThreatCtx {
            severity: c.severity.as_str(),
            check: c.check,
            workload: short.get(&c.workload).cloned().unwrap_or_else(|| c.workload.clone()),
            platform: c.platform.clone(),
            detail: c.detail.clone(),
            sources: c.sources.iter().take(5).cloned().collect(),
            more_sources: c.sources.len().saturating_sub(5),
        });
    }
    let first_warning = threats.iter().position(|t| t.severity != "fail").unwrap_or(threats.len());
    let mut unreadable_threats: Vec<ThreatCtx> = unreadable
        .into_iter()
        .map(|(kind, cs)| {
            let sources: Vec<String> = cs.iter().flat_map(|c| c.sources.iter().cloned()).collect();
            let detail = if cs.len() == 1 {
                cs[0].detail.clone()
            } else {
                // Then the first file's whole message (it names its path and line).
                format!("{} files could not be read: {kind}. The first: {}", cs.len(), cs[0].detail)
            };
            ThreatCtx {
                severity: Severity::Fail.as_str(),
                check: "unreadable",
                workload: String::new(),
                platform: String::new(),
                detail,
                more_sources: sources.len().saturating_sub(5),
                sources: sources.into_iter().take(5).collect(),
            }
        })
        .collect();
    // Failed checks first, as the analysis orders them.
    let tail = threats.split_off(first_warning);
    threats.append(&mut unreadable_threats);
    threats.extend(tail);

    // Workload sections.
    let mut workloads = Vec::new();
    for (k, rs) in &groups {
        let id = ids[k].clone();
        let label = label_of(k);
        let primary = rs.iter().find(|r| r.primary);
        let mut figs = Vec::new();
        let runs: Vec<&RunView> =
            input.runs.iter().filter(|r| r.workload == k.0 && r.params == k.1 && r.stratum == k.2).collect();
        // The benchmark's tool: monitor logs paired with its runs are in the group too.
        let tool = runs
            .iter()
            .find(|r| !r.monitor)
            .or(runs.first())
            .map(|r| r.tool.clone())
            .unwrap_or_else(|| k.0.split('.').next().unwrap_or_default().to_string());
        // Primary metric per arm.
        if let Some(p) = primary {
            let mut arms: Vec<&&SummaryRow> = rs.iter().filter(|r| r.metric == p.metric).collect();
            arms.sort_by_key(|r| style_of(&r.platform));
            let name = format!("{id}-primary");
            let data = FigureData::Primary(PrimaryData {
                title: format!("{label}: {} per {arm_word}", p.metric),
                x_desc: arm_word.to_string(),
                y_desc: axis_desc(&p.metric, &p.unit, p.better),
                arms: arms.iter().map(|r| arm_values(r, style_of(&r.platform))).collect(),
            });
            figs.push(figure_ctx(
                &name,
                data.title(),
                &format!(
                    "Hollow markers: one run each; filled marker: mean; whisker: {confidence_pct:.0}% interval \
                     of the mean (Student's t)."
                ),
            ));
            figures.push(FigureSpec { name, ctx: plot, data });
        }
        // Cost ratio of every compared metric.
        let mut metric_rows: Vec<&OverheadRow> =
            a.overhead.iter().filter(|o| o.workload == k.0 && o.params == k.1 && o.stratum == k.2).collect();
        metric_rows.sort_by_key(|o| (!o.primary, o.metric.clone(), style_of(&o.platform)));
        let mut cats: Vec<String> = Vec::new();
        let mut wbars = Vec::new();
        for o in &metric_rows {
            let Some(v) = o.cost_ratio else { continue };
            if !cats.contains(&o.metric) {
                cats.push(o.metric.clone());
            }
            wbars.push(Bar {
                category: cats.iter().position(|c| c == &o.metric).unwrap_or(0),
                arm: others.iter().position(|x| x == &o.platform).unwrap_or(0),
                value: v,
                ci: o.cost_ratio_ci_low.zip(o.cost_ratio_ci_high),
                label: bar_label(o),
            });
        }
        if !wbars.is_empty() {
            let name = format!("{id}-overhead");
            let n_bars = wbars.len();
            let data = FigureData::Overhead(OverheadData {
                title: format!("{label}: cost ratio of every metric against {}", a.baseline),
                categories: cats,
                arms: others.iter().map(|n| (n.clone(), style_of(n))).collect(),
                bars: wbars,
                baseline: a.baseline.clone(),
            });
            figs.push(figure_ctx(
                &name,
                data.title(),
                &format!(
                    "Bars: cost ratio against {b} on a log scale, from ×1 (no change): for a throughput the time \
                     per unit of work relative to {b}'s, for a latency, a time or a resource the metric's own \
                     ratio. Right of ×1 costs more (slower, or uses more), left less. Whiskers: \
                     {confidence_pct:.0}% interval; the primary metric comes first.",
                    b = a.baseline
                ),
            ));
            figures.push(FigureSpec { name, ctx: tall(plot, n_bars), data });
        }
        // Latency percentiles.
        for (prefix, unit, pcts) in percentile_sets(rs) {
            let name = format!("{id}-{}", slug(&format!("{prefix}-percentiles")));
            let mut arms: Vec<(ArmValues, Vec<Option<ArmValues>>)> = Vec::new();
            let mut arm_list: Vec<&str> = rs.iter().map(|r| r.platform.as_str()).collect();
            arm_list.sort_by_key(|n| style_of(n));
            arm_list.dedup();
            for arm in arm_list {
                let st = style_of(arm);
                let per: Vec<Option<ArmValues>> = pcts
                    .iter()
                    .map(|(m, _)| {
                        rs.iter().find(|r| r.platform == arm && &r.metric == m).map(|r| arm_values(r, st))
                    })
                    .collect();
                if per.iter().any(Option::is_some) {
                    let head =
                        ArmValues { name: arm.to_string(), style: st, values: vec![], mean: None, ci: None };
                    arms.push((head, per));
                }
            }
            let data = FigureData::Percentiles(PercentileData {
                title: format!("{label}: {prefix} percentiles per {arm_word}"),
                y_desc: format!("{prefix} ({unit}; lower is better)"),
                percentiles: pcts.iter().map(|(_, l)| l.clone()).collect(),
                arms,
            });
            figs.push(figure_ctx(
                &name,
                data.title(),
                &format!(
                    "Line: mean over runs at each percentile; whisker: {confidence_pct:.0}% interval; small \
                     hollow markers: the runs."
                ),
            ));
            figures.push(FigureSpec { name, ctx: plot, data });
        }
        // Time series.
        for (metric, data) in series_figures(&runs, &label, &style_of) {
            let name = format!("{id}-{}", slug(&format!("series-{metric}")));
            figs.push(figure_ctx(
                &name,
                &data.title,
                "One line per run; time counts seconds from the start of each run, so the runs of every platform \
                 share the axis.",
            ));
            figures.push(FigureSpec { name, ctx: plot, data: FigureData::Series(data) });
        }
        // Findings and table.
        let mut wf = Vec::new();
        if let Some(p) = primary {
            for o in comparisons(k, &p.metric) {
                wf.push(finding(o, &label));
            }
        }
        let table = metric_table(rs, &metric_rows, &arm_names, &others);
        let checks = a
            .checks
            .iter()
            .filter(|c| check_matches(&c.workload, k))
            .map(|c| {
                let sev = if c.severity == Severity::Fail { "FAIL" } else { c.severity.as_str() };
                if c.platform.is_empty() {
                    format!("{sev} {}: {}", c.check, c.detail)
                } else {
                    format!("{sev} {} ({}): {}", c.check, c.platform, c.detail)
                }
            })
            .collect();
        let params =
            k.1.split(';')
                .filter(|s| !s.is_empty())
                .map(|kv| match kv.split_once('=') {
                    Some((a, b)) => (a.to_string(), b.to_string()),
                    None => (kv.to_string(), String::new()),
                })
                .collect();
        workloads.push(WorkloadCtx {
            id,
            title: label,
            workload: k.0.clone(),
            stratum: k.2.clone(),
            tool,
            params,
            primary: primary.map(|p| p.metric.clone()).unwrap_or_default(),
            findings: wf,
            figures: figs,
            table,
            checks,
        });
    }

    // Appendix.
    let metrics = a
        .summary
        .iter()
        .map(|r| {
            let k = (r.workload.clone(), r.params.clone(), r.stratum.clone());
            let s = &r.stats;
            let o = |v: Option<f64>| v.map(num).unwrap_or_default();
            MetricCtx {
                workload: label_of(&k),
                params: display_params(&r.params),
                metric: r.metric.clone(),
                unit: r.unit.clone(),
                better: r.better.as_str().to_string(),
                platform: r.platform.clone(),
                primary: r.primary,
                n: s.n,
                mean: o(s.mean),
                ci: match (s.ci_low, s.ci_high) {
                    (Some(l), Some(h)) => format!("[{}, {}]", num(l), num(h)),
                    _ => String::new(),
                },
                sd: o(s.sd),
                cv: s.cv_pct.map(|c| format!("{c:.1}%")).unwrap_or_default(),
                median: o(s.median),
                min: o(s.min),
                max: o(s.max),
            }
        })
        .collect();
    let files: Vec<FileCtx> = input
        .files
        .iter()
        .map(|f| FileCtx {
            source: f.report.source.clone(),
            campaign: f.campaign.clone(),
            sha256: f.report.sha256.clone().unwrap_or_default(),
            bytes: f.report.bytes,
            parser: f.report.parser.unwrap_or("").to_string(),
            runs: f.report.runs,
            platform: f.arm.clone(),
            origin: f.report.labels.origin.as_str().to_string(),
            how: file_how(f),
            error: f.report.error.clone().unwrap_or_default(),
        })
        .collect();
    let unreadable_files = files.iter().filter(|f| !f.error.is_empty()).count();

    let arms: Vec<ArmCtx> = arm_names.iter().map(|n| arm_ctx(n, &a.baseline, input)).collect();
    let compared = compared_sentence(input, &arm_names, &a.baseline);
    let title = input.title.clone().unwrap_or_else(|| match input.mode {
        Mode::Platforms if arm_names.is_empty() => "Virtualisation overhead report".to_string(),
        Mode::Platforms => format!("Virtualisation overhead: {}", arm_names.join(" vs ")),
        Mode::Campaigns => format!("Campaign comparison: {}", arm_names.join(" → ")),
    });
    let context = ReportContext {
        title,
        generator: input.generator.clone(),
        mode: match input.mode {
            Mode::Platforms => "platforms",
            Mode::Campaigns => "campaigns",
        },
        arm_word,
        compared,
        baseline: a.baseline.clone(),
        confidence_pct,
        margin_pct: a.margin_pct,
        inputs: input.inputs.clone(),
        arms,
        differences: super::differences::differing_facts(&input.runs, &a.baseline, &arm_names),
        headline: HeadlineCtx { baseline: a.baseline.clone(), arms: others.clone(), rows },
        headline_figure,
        findings,
        subsystems,
        failed_checks: threats.iter().filter(|t| t.severity == "fail").count(),
        warning_checks: threats.iter().filter(|t| t.severity == "warning").count(),
        threats,
        workloads,
        metrics,
        files,
        unreadable_files,
    };
    Built { context, figures }
}

/// A figure taller than the default when it has many bars.
fn tall(ctx: PlotContext, bars: usize) -> PlotContext {
    let h = (150 + 30 * bars as u32).max(ctx.size.1).min(2400);
    PlotContext { size: (ctx.size.0, h), ..ctx }
}

fn figure_ctx(name: &str, title: &str, caption: &str) -> FigureCtx {
    FigureCtx {
        name: name.to_string(),
        title: title.to_string(),
        caption: caption.to_string(),
        png: format!("figures/{name}.png"),
        svg: format!("figures/{name}.svg"),
    }
}

fn axis_desc(metric: &str, unit: &str, better: Better) -> String {
    let b = match better {
        Better::Higher => "; higher is better",
        Better::Lower => "; lower is better",
        Better::None => "",
    };
    if unit.is_empty() {
        format!("{metric}{b}")
    } else {
        format!("{metric} ({unit}{b})")
    }
}

fn arm_values(r: &SummaryRow, style: usize) -> ArmValues {
    ArmValues {
        name: r.platform.clone(),
        style,
        values: r.values.clone(),
        mean: r.stats.mean,
        ci: r.stats.ci_low.zip(r.stats.ci_high),
    }
}

/// The params of `params` whose value differs from some other params set of the same workload,
/// `key=value, ...`, each value cut to 24 characters.
fn distinguishing_params(params: &str, all: Option<&BTreeSet<&str>>) -> String {
    let Some(all) = all.filter(|a| a.len() > 1) else { return String::new() };
    let parse = |p: &str| -> BTreeMap<String, String> {
        p.split(';')
            .filter(|s| !s.is_empty())
            .map(|kv| match kv.split_once('=') {
                Some((a, b)) => (a.to_string(), b.to_string()),
                None => (kv.to_string(), String::new()),
            })
            .collect()
    };
    let mine = parse(params);
    let sets: Vec<BTreeMap<String, String>> = all.iter().map(|p| parse(p)).collect();
    let keys: BTreeSet<&String> = sets.iter().flat_map(|s| s.keys()).collect();
    let differing: Vec<String> = keys
        .into_iter()
        .filter(|k| sets.iter().any(|s| s.get(*k) != mine.get(*k)))
        .map(|k| {
            let v = mine.get(k).map(String::as_str).unwrap_or("(unset)");
            let v = if v.chars().count() > 24 {
                format!("{}…", v.chars().take(23).collect::<String>())
            } else {
                v.to_string()
            };
            format!("{k}={v}")
        })
        .collect();
    differing.join(", ")
}

/// The label the analysis gives group `k` in its checks: `workload [params] (stratum)`.
fn check_label(k: &GroupKey) -> String {
    let mut exact = k.0.clone();
    if !k.1.is_empty() {
        exact.push_str(&format!(" [{}]", display_params(&k.1)));
    }
    if !k.2.is_empty() {
        exact.push_str(&format!(" ({})", k.2));
    }
    exact
}

/// Whether a check's workload label belongs to group `k`: its own label, or the workload's
/// (checks about all params sets of a workload).
fn check_matches(label: &str, k: &GroupKey) -> bool {
    let whole = if k.2.is_empty() { k.0.clone() } else { format!("{} ({})", k.0, k.2) };
    label == check_label(k) || label == whole
}

/// The failed checks on group `k`, each kind once with the arms it concerns, in the analysis'
/// order: `log_errors (native); high_cv (docker, native)`.
fn failed_checks_of(a: &Analysis, k: &GroupKey) -> String {
    let mut kinds: Vec<(&str, BTreeSet<&str>)> = Vec::new();
    for c in a.checks.iter().filter(|c| c.severity == Severity::Fail && check_matches(&c.workload, k)) {
        let i = match kinds.iter().position(|(kind, _)| *kind == c.check) {
            Some(i) => i,
            None => {
                kinds.push((c.check, BTreeSet::new()));
                kinds.len() - 1
            }
        };
        if !c.platform.is_empty() {
            kinds[i].1.insert(c.platform.as_str());
        }
    }
    kinds
        .iter()
        .map(|(kind, arms)| {
            if arms.is_empty() {
                kind.to_string()
            } else {
                format!("{kind} ({})", arms.iter().copied().collect::<Vec<_>>().join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// How an unreadable file failed, without its path and line and the quote of its content:
/// `could not tell which tool wrote this file`. The message is cut before its first quote or
/// parenthesis: a quote of the file (`'Linux 6.1 (vm) ...'`) holds anything.
fn failure_kind(c: &crate::analyse::Check) -> String {
    let mut rest = c.detail.as_str();
    if let Some(src) = c.sources.first() {
        rest = rest.strip_prefix(src.as_str()).unwrap_or(rest);
    }
    let rest = rest.trim_start_matches(|ch: char| ch == ':' || ch.is_ascii_digit()).trim_start();
    let cut = [" (", ": line", " '", " \""].iter().filter_map(|p| rest.find(p)).min().unwrap_or(rest.len());
    rest[..cut].to_string()
}

fn why_not_compared(a: &Analysis, workload: &str, arm: &str) -> Option<String> {
    a.checks
        .iter()
        .find(|c| {
            c.platform == arm
                && (c.workload == workload || c.workload.starts_with(&format!("{workload} ")))
                && matches!(c.check, "params_differ" | "versions_differ" | "units_differ" | "no_baseline")
        })
        .map(|c| c.check.replace('_', " "))
}

/// A set of percentile metrics: `(distribution, unit, [(metric, label)])`.
type PercentileSet = (String, String, Vec<(String, String)>);

/// Percentile metric sets among a group's metrics, as their parsers declare them
/// ([`crate::model::Percentile`]): `(distribution, unit, [(metric, label)])` for every
/// distribution with at least two percentiles (`latency` p50..p99, `read_clat` p50..p99.9).
fn percentile_sets(rs: &[&SummaryRow]) -> Vec<PercentileSet> {
    let mut sets: BTreeMap<(String, String), BTreeMap<u64, (String, String)>> = BTreeMap::new();
    for r in rs {
        let Some(pct) = &r.percentile else { continue };
        let p = pct.p;
        let label = format!("p{}", p.to_string().trim_end_matches('0').trim_end_matches('.'));
        let label = if p.fract() == 0.0 { format!("p{}", p as u64) } else { label };
        let key = (pct.of.to_string(), unit_text(&r.unit).to_string());
        sets.entry(key).or_default().insert((p * 1000.0) as u64, (r.metric.clone(), label));
    }
    sets.into_iter()
        .filter(|(_, v)| v.len() >= 2)
        .map(|((prefix, unit), v)| (prefix, unit, v.into_values().collect()))
        .collect()
}

/// A unit as an axis writes it: microseconds as `µs` (the tables keep `us`).
fn unit_text(unit: &str) -> &str {
    if unit == "us" {
        "µs"
    } else {
        unit
    }
}

/// One run's line: its arm and `(t_s, value)` points.
type ArmLine = (String, Vec<(f64, f64)>);

/// A series of a group: the monitor's tool for a monitor's (`pidstat`), and the metric.
type SeriesKey = (Option<String>, String);

/// A run's series of one metric: the metric, its unit and its `(t_s, value)` points.
type UnitSeries = (String, String, Vec<(f64, f64)>);

/// Time-series figures of a group: the series of its own runs (sysbench intervals) and of the
/// monitor logs paired with them (pidstat's `rep1.pidstat` beside `rep1.txt`), or of a monitor
/// log on its own. Each axis has the unit its samples declare.
fn series_figures(
    runs: &[&RunView],
    label: &str,
    style_of: &dyn Fn(&str) -> usize,
) -> Vec<(String, SeriesData)> {
    // (monitor, metric) -> one line per run, and the metric's unit; which processes the
    // monitor summed.
    let mut by_metric: BTreeMap<SeriesKey, (Vec<ArmLine>, String)> = BTreeMap::new();
    let mut processes: BTreeSet<String> = BTreeSet::new();
    let mut monitor = |p: &RunView,
                       arm: &str,
                       by_metric: &mut BTreeMap<SeriesKey, (Vec<ArmLine>, String)>| {
        let process = p.monitored.clone().unwrap_or_else(|| "all".to_string());
        let mut shown = false;
        for (metric, unit, pts) in run_series(&p.series, Some(&process)) {
            if PIDSTAT_SHOWN.contains(&metric.as_str()) {
                let e = by_metric.entry((Some(p.tool.clone()), metric)).or_insert_with(|| (Vec::new(), unit));
                e.0.push((arm.to_string(), pts));
                shown = true;
            }
        }
        if shown {
            processes.insert(process);
        }
    };
    for r in runs {
        if r.monitor {
            // A log the ingester paired with a benchmark's run is in that run's group and
            // drawn with it; a log on its own is drawn here.
            if r.beside.is_none() {
                monitor(r, &r.arm, &mut by_metric);
            }
            continue;
        }
        for (metric, unit, pts) in run_series(&r.series, None) {
            by_metric
                .entry((None, metric))
                .or_insert_with(|| (Vec::new(), unit))
                .0
                .push((r.arm.clone(), pts));
        }
        // The monitor log recorded beside this run (host-side logs have host_ series: not drawn).
        for p in runs.iter().filter(|p| p.monitor && p.beside.as_ref() == Some(&r.source)) {
            monitor(p, &r.arm, &mut by_metric);
        }
    }
    let who = if processes.is_empty() || processes.contains("all") {
        "all processes".to_string()
    } else {
        format!("{} processes", processes.into_iter().collect::<Vec<_>>().join(" and "))
    };
    let mut out = Vec::new();
    for ((from_monitor, metric), (lines, unit)) in by_metric {
        if lines.iter().all(|(_, pts)| pts.iter().all(|p| p.1 == 0.0)) {
            continue; // nothing happened (no disk I/O in a CPU test)
        }
        let mut arms: Vec<String> =
            lines.iter().map(|(a, _)| a.clone()).collect::<BTreeSet<_>>().into_iter().collect();
        arms.sort_by_key(|a| style_of(a));
        let what = match &from_monitor {
            Some(tool) => format!("{} of {who} ({tool})", pidstat_title(&metric)),
            None => metric.clone(),
        };
        let data = SeriesData {
            title: format!("{label}: {what} over time"),
            y_desc: if unit.is_empty() { metric.clone() } else { format!("{metric} ({unit})") },
            arms: arms.iter().map(|a| (a.clone(), style_of(a))).collect(),
            lines: lines
                .into_iter()
                .map(|(a, points)| Line { arm: arms.iter().position(|x| x == &a).unwrap_or(0), points })
                .collect(),
        };
        let key = match from_monitor {
            Some(tool) => format!("{tool}-{metric}"),
            None => metric,
        };
        out.push((key, data));
    }
    out
}

/// pidstat series metrics that get a figure: CPU, memory, I/O.
const PIDSTAT_SHOWN: &[&str] = &["cpu_pct", "rss_kib", "kb_rd_per_sec", "kb_wr_per_sec"];

fn pidstat_title(metric: &str) -> &str {
    match metric {
        "cpu_pct" => "CPU %",
        "rss_kib" => "resident memory",
        "kb_rd_per_sec" => "disk reads",
        "kb_wr_per_sec" => "disk writes",
        m => m,
    }
}

/// A run's series per metric, with the unit its samples declare: samples of all entities (or
/// of those whose command is `process`, for pidstat's `command[pid]` entities) summed at each
/// time.
fn run_series(samples: &[Sample], process: Option<&str>) -> Vec<UnitSeries> {
    // metric -> (unit, time bits -> (t_s, sum)).
    type Acc<'a> = BTreeMap<&'a str, (&'a str, BTreeMap<u64, (f64, f64)>)>;
    let mut acc = Acc::new();
    for s in samples {
        if !s.t_s.is_finite() || !s.value.is_finite() {
            continue;
        }
        if let Some(p) = process.filter(|p| *p != "all") {
            let command = s.entity.rsplit_once('[').map(|(c, _)| c).unwrap_or(&s.entity);
            let base = command.rsplit('/').next().unwrap_or(command);
            if !base.starts_with(p) {
                continue;
            }
        }
        let series = acc.entry(s.metric.as_str()).or_insert_with(|| (s.unit.as_ref(), BTreeMap::new()));
        let e = series.1.entry(s.t_s.to_bits()).or_insert((s.t_s, 0.0));
        e.1 += s.value;
    }
    acc.into_iter()
        .map(|(m, (unit, pts))| {
            let mut v: Vec<(f64, f64)> = pts.into_values().collect();
            v.sort_by(|a, b| a.0.total_cmp(&b.0));
            (m.to_string(), unit.to_string(), v)
        })
        .filter(|(_, _, v)| v.len() >= 2)
        .collect()
}

fn metric_table(
    rs: &[&SummaryRow],
    overheads: &[&OverheadRow],
    arm_names: &[String],
    others: &[String],
) -> MetricTable {
    let present: BTreeSet<&str> = rs.iter().map(|r| r.platform.as_str()).collect();
    let arms: Vec<String> = arm_names.iter().filter(|a| present.contains(a.as_str())).cloned().collect();
    let compared: Vec<String> = others.iter().filter(|a| present.contains(a.as_str())).cloned().collect();
    let mut metrics: Vec<(&str, bool)> = Vec::new();
    for r in rs {
        if r.better != Better::None && !metrics.iter().any(|(m, _)| *m == r.metric) {
            metrics.push((r.metric.as_str(), r.primary));
        }
    }
    metrics.sort_by_key(|(m, p)| (!*p, m.to_string()));
    let rows = metrics
        .into_iter()
        .filter_map(|(m, _)| {
            let first = rs.iter().find(|r| r.metric == m)?;
            Some(MetricTableRow {
                metric: m.to_string(),
                unit: first.unit.clone(),
                better: first.better.as_str().to_string(),
                kind: first.kind.as_str().to_string(),
                values: arms
                    .iter()
                    .map(|a| {
                        rs.iter()
                            .find(|r| r.metric == m && &r.platform == a)
                            .map(|r| value_with_ci(r.stats.mean, r.stats.ci_low, r.stats.ci_high))
                            .unwrap_or_default()
                    })
                    .collect(),
                comparisons: compared
                    .iter()
                    .map(|a| {
                        overheads
                            .iter()
                            .find(|o| o.metric == m && &o.platform == a)
                            .map(|o| format!("{}; {}; {}", change_text(o), cost_text(o), o.verdict))
                            .unwrap_or_default()
                    })
                    .collect(),
            })
        })
        .collect();
    MetricTable { arms, compared, rows }
}

fn arm_ctx(name: &str, baseline: &str, input: &ReportInput) -> ArmCtx {
    let files: Vec<&FileView> = input.files.iter().filter(|f| f.arm == name || f.campaign == name).collect();
    let runs: Vec<&RunView> = input.runs.iter().filter(|r| r.arm == name).collect();
    let mut labelled: BTreeMap<String, usize> = BTreeMap::new();
    for f in &files {
        *labelled.entry(how_labelled(&f.report.labels)).or_default() += 1;
    }
    let fact = |key: &str| -> Vec<String> {
        cap(runs
            .iter()
            .filter_map(|r| r.facts.get(key).cloned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect())
    };
    let tools = cap(runs
        .iter()
        .map(|r| match &r.tool_version {
            Some(v) if v.starts_with(&r.tool) => v.clone(),
            Some(v) => format!("{} {v}", r.tool),
            None => r.tool.clone(),
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect());
    let mut platforms =
        runs.iter().map(|r| r.stratum.clone()).filter(|s| !s.is_empty()).collect::<BTreeSet<_>>();
    if platforms.is_empty() {
        // Pooled by family: the platforms inside it.
        platforms = files
            .iter()
            .map(|f| crate::analyse::arm_name(&f.report.labels.platform, &f.report.labels.platform_detail))
            .filter(|p| p != name)
            .collect();
    }
    ArmCtx {
        name: name.to_string(),
        baseline: name == baseline,
        files: files.len(),
        runs: runs.iter().filter(|r| !r.monitor).count(),
        failed_runs: runs.iter().filter(|r| !r.monitor && r.failed).count(),
        monitor_logs: runs
            .iter()
            .filter(|r| r.monitor)
            .map(|r| r.source.as_str())
            .collect::<BTreeSet<_>>()
            .len(),
        labelled: labelled
            .into_iter()
            .map(|(how, n)| format!("{how} ({n} file{})", if n == 1 { "" } else { "s" }))
            .collect(),
        platforms: platforms.into_iter().collect(),
        hosts: fact("host"),
        kernels: fact("kernel"),
        tools,
        dates: dates(runs.iter().filter_map(|r| r.facts.get("date").cloned()).collect()),
    }
}

/// At most 6 items, the rest counted.
fn cap(mut v: Vec<String>) -> Vec<String> {
    if v.len() > 6 {
        let more = v.len() - 5;
        v.truncate(5);
        v.push(format!("and {more} more"));
    }
    v
}

/// The first and last of the dates the logs state (in file order), and how many there are.
fn dates(all: Vec<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let uniq: Vec<String> = all.into_iter().filter(|d| seen.insert(d.clone())).collect();
    match uniq.len() {
        0..=2 => uniq,
        n => vec![format!("{} … {} ({n} dates)", uniq[0], uniq[n - 1])],
    }
}

/// How a file was labelled, for the appendix: when its runs were counted under another arm
/// than its label (a family with `--group-by family`, a campaign in `compare`), the label
/// first (`kvm[raw] (family vm): path word 'kvm' in folder 'kvm'`).
fn file_how(f: &FileView) -> String {
    let l = &f.report.labels;
    let label = crate::analyse::arm_name(&l.platform, &l.platform_detail);
    if f.arm == label {
        l.how.clone()
    } else if f.arm == l.platform_family {
        format!("{label} (family {}): {}", l.platform_family, l.how)
    } else {
        format!("{label}: {}", l.how)
    }
}

fn how_labelled(l: &Labels) -> String {
    format!("{} ({})", l.how, l.origin.as_str())
}

fn compared_sentence(input: &ReportInput, arms: &[String], baseline: &str) -> String {
    let others: Vec<&String> = arms.iter().filter(|a| *a != baseline).collect();
    let list = |v: &[&String]| v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
    if arms.is_empty() {
        return "No runs were found in the inputs, so nothing is compared.".to_string();
    }
    let details: Vec<&str> = arms
        .iter()
        .filter(|a| a.strip_prefix(baseline).is_some_and(|r| r.starts_with('[')))
        .map(|a| a.as_str())
        .collect();
    if !arms.iter().any(|a| a == baseline) && details.len() > 1 {
        return format!(
            "The baseline {baseline} is {} platforms ({}), so nothing is compared (choose one with \
             --baseline).",
            details.len(),
            details.join(", ")
        );
    }
    if !arms.iter().any(|a| a == baseline) {
        return format!(
            "No runs are labelled {baseline}, the baseline, so nothing is compared; the {} found: {} \
             (choose one with --baseline, or label the files).",
            if input.mode == Mode::Platforms { "platforms" } else { "campaigns" },
            arms.join(", ")
        );
    }
    match input.mode {
        Mode::Platforms if others.is_empty() => {
            format!("Only one platform ({}) was found, so nothing is compared.", arms.join(", "))
        }
        Mode::Platforms => format!("{} compared with the baseline {baseline}.", list(&others)),
        Mode::Campaigns => format!(
            "Campaign {} compared with campaign {baseline} (the baseline), platform by platform.",
            list(&others)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe() {
        assert_eq!(slug("sysbench.cpu [threads=2]"), "sysbench-cpu-threads-2");
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("<script>alert(1)</script>"), "script-alert-1-script");
        assert_eq!(slug("..."), "x");
        assert!(slug(&"a".repeat(200)).len() <= 48);
        let mut s = Slugs::default();
        assert_eq!(s.unique("a"), "a");
        assert_eq!(s.unique("A"), "a-2");
    }

    /// The percentiles of a distribution, as the parsers declare them, make one set in
    /// percentile order, labelled `p50`, `p99.9`, with the unit as an axis writes it; a lone
    /// percentile (sysbench's p95) is no set.
    #[test]
    fn percentiles_are_grouped_by_declaration() {
        let row = |metric: &str, unit: &str, p: Option<(&'static str, f64)>| SummaryRow {
            workload: "w".into(),
            params: String::new(),
            metric: metric.into(),
            unit: unit.into(),
            better: Better::Lower,
            kind: crate::model::Kind::Performance,
            platform: "native".into(),
            stratum: String::new(),
            primary: false,
            percentile: p.map(|(of, p)| crate::model::Percentile::new(of, p)),
            stats: crate::stats::Summary::of(&[1.0], 0.95),
            values: vec![1.0],
            sources: vec![],
        };
        let rows = [
            row("read_clat_p99_9_us", "us", Some(("read_clat", 99.9))),
            row("read_clat_p50_us", "us", Some(("read_clat", 50.0))),
            row("read_clat_mean_us", "us", None),
            row("latency_p95_ms", "ms", Some(("latency", 95.0))),
        ];
        let sets = percentile_sets(&rows.iter().collect::<Vec<_>>());
        assert_eq!(
            sets,
            [(
                "read_clat".to_string(),
                "µs".to_string(),
                vec![
                    ("read_clat_p50_us".to_string(), "p50".to_string()),
                    ("read_clat_p99_9_us".to_string(), "p99.9".to_string())
                ]
            )]
        );
    }

    #[test]
    fn params_that_differ_are_shown() {
        let all: BTreeSet<&str> = ["bs=4k;iodepth=1;job=a", "bs=64k;iodepth=1;job=a"].into_iter().collect();
        assert_eq!(distinguishing_params("bs=4k;iodepth=1;job=a", Some(&all)), "bs=4k");
        let one: BTreeSet<&str> = ["bs=4k"].into_iter().collect();
        assert_eq!(distinguishing_params("bs=4k", Some(&one)), "");
    }

    fn view(tool: &str, source: &str, params: &str, series: &[(f64, &str, &str, f64)]) -> RunView {
        RunView {
            arm: "native".into(),
            stratum: String::new(),
            source: source.into(),
            tool: tool.into(),
            tool_version: None,
            workload: if tool == "pidstat" { "pidstat".into() } else { "sysbench.cpu".into() },
            params: params.into(),
            facts: BTreeMap::new(),
            series: series
                .iter()
                .map(|&(t_s, entity, metric, value)| Sample {
                    t_s,
                    entity: entity.into(),
                    metric: metric.into(),
                    unit: Default::default(),
                    value,
                })
                .collect(),
            monitor: tool == "pidstat",
            beside: None,
            monitored: None,
            failed: false,
            host_side: false,
        }
    }

    /// A pidstat log the ingester paired with a benchmark's run is drawn in the benchmark's
    /// section, summed over the processes it names, and not on its own.
    #[test]
    fn pidstat_series_go_with_the_run_beside_them() {
        let bench = view(
            "sysbench",
            "d/native/cpu/rep1.txt",
            "threads=1",
            &[(1.0, "sysbench", "events_per_sec", 5.0), (2.0, "sysbench", "events_per_sec", 6.0)],
        );
        let mut pid = view(
            "pidstat",
            "d/native/cpu/rep1.pidstat",
            "threads=1",
            &[
                (0.0, "sysbench[10]", "cpu_pct", 40.0),
                (0.0, "sysbench[11]", "cpu_pct", 50.0),
                (0.0, "bash[12]", "cpu_pct", 99.0),
                (1.0, "sysbench[10]", "cpu_pct", 30.0),
                (1.0, "sysbench[10]", "cswch_per_sec", 3.0),
            ],
        );
        pid.workload = bench.workload.clone();
        pid.beside = Some(bench.source.clone());
        pid.monitored = Some("sysbench".into());
        let style = |_: &str| 0;
        let figs = series_figures(&[&bench, &pid], "sysbench.cpu", &style);
        let names: Vec<&str> = figs.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["events_per_sec", "pidstat-cpu_pct"]);
        let cpu = &figs[1].1;
        assert_eq!(cpu.lines[0].points, [(0.0, 90.0), (1.0, 30.0)]);
        assert!(cpu.title.contains("sysbench processes"), "{}", cpu.title);
        // The pidstat group itself draws nothing: its log is paired.
        assert!(series_figures(&[&pid], "pidstat", &style).is_empty());
    }

    /// A quote of the file in the message (here a banner with "(vm)" in it) is not taken for
    /// the end of the kind: the grouped sentence once read "... banner 'Linux 6.18. The first,
    /// a.pidstat (vm) ...".
    #[test]
    fn failure_kind_stops_before_a_quote_of_the_file() {
        let c = |path: &str| crate::analyse::Check {
            check: "unreadable",
            severity: crate::analyse::Severity::Fail,
            workload: String::new(),
            platform: String::new(),
            scope: crate::analyse::Scope::none(),
            detail: format!(
                "{path}:1: pidstat output: found the sysstat banner 'Linux 6.18.44-fc-v1272 (vm) \
                 12/07/26 _x86_64_ (2 CPU)' but no pidstat header after it (expected '<time> UID \
                 PID %usr ... Command'): pidstat was stopped before its first interval"
            ),
            sources: vec![path.to_string()],
        };
        assert_eq!(failure_kind(&c("a/rep1.pidstat")), "pidstat output: found the sysstat banner");
        assert_eq!(failure_kind(&c("b/rep2.pidstat")), failure_kind(&c("a/rep1.pidstat")));
        let undetected = crate::analyse::Check {
            detail: "x.txt:1: could not tell which tool wrote this file (it starts with 'hi'); expected"
                .into(),
            sources: vec!["x.txt".into()],
            ..c("x")
        };
        assert_eq!(failure_kind(&undetected), "could not tell which tool wrote this file");
    }

    #[test]
    fn percentages() {
        assert_eq!(pct(2.04), "+2.0%");
        assert_eq!(pct(-0.04), "0.0%");
        assert_eq!(pct(-3.46), "-3.5%");
    }
}
