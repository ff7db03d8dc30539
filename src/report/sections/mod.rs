//! The section builders: [`build`] turns a [`ReportInput`] into the view model
//! ([`ReportContext`]) and the list of figures to draw, one small builder per section of the
//! report, called in the order the report reads:
//!
//! | section | builder |
//! |---|---|
//! | title, what was compared, the arms | [`compared`] |
//! | facts that differ between the arms | [`differences`] |
//! | headline table, its sentences and figure | [`headline`] |
//! | factors: the primary metric against each factor varied, which moves it most | [`factors`] |
//! | the paper table: the signed change of every benchmark per arm | [`paper`] |
//! | per subsystem | [`subsystems`] |
//! | threats to validity | [`threats`] |
//! | the summary: a sentence per arm, the checks by kind | [`summary`] |
//! | one section per workload (with [`series`] for its time series, [`resources`] for its resource metrics) | [`workloads`] |
//! | appendix A (every metric) and B (every file) | [`appendix`] |
//!
//! What every builder shares is a [`Plan`]: the arms in report order, the groups of the
//! analysis (workload, params, stratum) with their labels and anchors. A builder that adds a
//! figure hands its data to [`Figures::add`], which returns how the templates place it.
//!
//! Nothing here draws, renders or writes files.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::context::{FigureCtx, ReportContext};
use super::figures::{FigureData, Plot, PlotContext};
use super::input::{Mode, ReportInput};
use super::text::Slugs;
use crate::analyse::{Analysis, OverheadRow, SummaryRow};
use crate::model::group::params_cmp;
use crate::text::display_params;

mod appendix;
mod compared;
mod differences;
mod factors;
mod headline;
mod paper;
mod resources;
mod series;
mod subsystems;
mod summary;
mod threats;
mod workloads;

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

/// A report's context and the figures it refers to.
#[derive(Debug, Clone)]
pub struct Built {
    /// The template context.
    pub context: ReportContext,
    /// The figures to draw.
    pub figures: Vec<FigureSpec>,
}

/// Builds the context and the figure list of a report: each section's builder in turn.
pub fn build(input: &ReportInput) -> Built {
    let plan = Plan::new(input);
    let a = plan.analysis;
    let mut figures = Figures::default();
    let headline = headline::build(&plan, &mut figures);
    let factors = factors::build(&plan, &mut figures);
    let paper_table = paper::build(&plan);
    let subsystems = subsystems::build(a);
    let threats = threats::build(&plan);
    let workloads = workloads::build(&plan, &mut figures);
    let metrics = appendix::metrics(&plan);
    let files = appendix::files(input);
    let unreadable_files = files.iter().filter(|f| !f.error.is_empty()).count();
    let platform_sentences = summary::platform_sentences(&headline.table);
    let check_kinds = summary::check_kinds(&threats);
    let context = ReportContext {
        title: compared::title(&plan),
        generator: input.generator.clone(),
        mode: match input.mode {
            Mode::Platforms => "platforms",
            Mode::Campaigns => "campaigns",
        },
        arm_word: plan.arm_word,
        compared: compared::sentence(&plan),
        baseline: a.baseline.clone(),
        confidence_pct: plan.confidence_pct,
        margin_pct: a.margin_pct,
        inputs: input.inputs.clone(),
        arms: compared::arms(&plan),
        differences: differences::differing_facts(&input.runs, &a.baseline, &plan.arms),
        headline: headline.table,
        multiplicity: headline::multiplicity(a),
        headline_figure: headline.figure,
        findings: headline.findings,
        factors,
        paper_table,
        subsystems,
        failed_checks: threats.iter().filter(|t| t.severity == "fail").count(),
        warning_checks: threats.iter().filter(|t| t.severity == "warning").count(),
        threats,
        workloads,
        metrics,
        files,
        unreadable_files,
        platform_sentences,
        check_kinds,
    };
    Built { context, figures: figures.0 }
}

/// A group of the analysis: (workload, params, stratum), ordered as the analysis orders its
/// groups ([`crate::model::GroupId`]): by workload, then params pair by pair with numbers and
/// sizes by value (`threads=2` before `threads=10`, `bs=4k` before `bs=1m`), then stratum.
#[derive(Debug, Clone, PartialEq, Eq)]
struct GroupKey(String, String, String);

impl GroupKey {
    /// The group of summary row `r`.
    fn of(r: &SummaryRow) -> GroupKey {
        GroupKey(r.workload.clone(), r.params.clone(), r.stratum.clone())
    }
}

impl Ord for GroupKey {
    fn cmp(&self, other: &GroupKey) -> std::cmp::Ordering {
        self.0
            .cmp(&other.0)
            .then_with(|| params_cmp(&self.1, &other.1))
            .then_with(|| self.2.cmp(&other.2))
            .then_with(|| self.1.cmp(&other.1))
    }
}

impl PartialOrd for GroupKey {
    fn partial_cmp(&self, other: &GroupKey) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// What every section builder reads: the input, the arms in report order and the groups of the
/// analysis with their labels and anchors.
struct Plan<'a> {
    /// What the report is made from.
    input: &'a ReportInput,
    /// Its analysis.
    analysis: &'a Analysis,
    /// The arms: the baseline first, then the others in name order (the order of their styles).
    arms: Vec<String>,
    /// The arms compared with the baseline, in order.
    others: Vec<String>,
    /// The analysis' summary rows per group, in group order.
    groups: BTreeMap<GroupKey, Vec<&'a SummaryRow>>,
    /// Every params set of each workload (for the params that set a group apart).
    params_of_workload: BTreeMap<&'a str, BTreeSet<&'a str>>,
    /// Each group's anchor and figure-name prefix (a unique slug of its label).
    ids: BTreeMap<GroupKey, String>,
    /// The word for an arm: `platform` or `campaign`.
    arm_word: &'static str,
    /// The confidence level in percent.
    confidence_pct: f64,
    /// The drawing context of a figure of the default size.
    plot: PlotContext,
}

impl<'a> Plan<'a> {
    fn new(input: &'a ReportInput) -> Plan<'a> {
        let a = &input.analysis;
        let mut arms: Vec<String> = a.platforms.clone();
        arms.sort_by_key(|n| (n != &a.baseline, n.clone()));
        let others = arms.iter().filter(|n| *n != &a.baseline).cloned().collect();
        let mut groups: BTreeMap<GroupKey, Vec<&SummaryRow>> = BTreeMap::new();
        let mut params_of_workload: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for r in &a.summary {
            groups.entry(GroupKey::of(r)).or_default().push(r);
            params_of_workload.entry(r.workload.as_str()).or_default().insert(r.params.as_str());
        }
        let mut plan = Plan {
            input,
            analysis: a,
            arms,
            others,
            groups,
            params_of_workload,
            ids: BTreeMap::new(),
            arm_word: match input.mode {
                Mode::Platforms => "platform",
                Mode::Campaigns => "campaign",
            },
            confidence_pct: (a.confidence * 100.0 * 1e6).round() / 1e6,
            plot: PlotContext { confidence: a.confidence, ..PlotContext::default() },
        };
        let mut slugs = Slugs::default();
        slugs.unique("overhead-primary");
        plan.ids = plan.groups.keys().map(|k| (k.clone(), slugs.unique(&plan.label(k)))).collect();
        plan
    }

    /// The index of arm `name`'s style (0 = baseline).
    fn style(&self, name: &str) -> usize {
        self.arms.iter().position(|n| n == name).unwrap_or(0)
    }

    /// The label of group `k`: the workload, the params that set it apart from other runs of
    /// the same workload, the stratum: `fio.randread [bs=4k] (docker)`.
    fn label(&self, k: &GroupKey) -> String {
        let mut s = k.0.clone();
        let diff = distinguishing_params(&k.1, self.params_of_workload.get(k.0.as_str()));
        if !diff.is_empty() {
            s.push_str(&format!(" [{diff}]"));
        }
        if !k.2.is_empty() {
            s.push_str(&format!(" ({})", k.2));
        }
        s
    }

    /// The comparisons of `metric` in group `k`.
    fn comparisons(&self, k: &GroupKey, metric: &str) -> Vec<&'a OverheadRow> {
        self.analysis
            .overhead
            .iter()
            .filter(|o| o.workload == k.0 && o.params == k.1 && o.stratum == k.2 && o.metric == metric)
            .collect()
    }
}

/// The figures of a report, in the order the builders add them.
#[derive(Default)]
struct Figures(Vec<FigureSpec>);

impl Figures {
    /// Adds figure `name` drawn from `data` with `ctx`; returns how the templates place it,
    /// with `caption` saying how to read it.
    fn add(&mut self, name: String, ctx: PlotContext, data: FigureData, caption: &str) -> FigureCtx {
        let fig = FigureCtx {
            name: name.clone(),
            title: data.title().to_string(),
            caption: caption.to_string(),
            png: format!("figures/{name}.png"),
            svg: format!("figures/{name}.svg"),
        };
        self.0.push(FigureSpec { name, ctx, data });
        fig
    }
}

/// A figure taller than the default when it has many bars.
fn tall(ctx: PlotContext, bars: usize) -> PlotContext {
    let h = (150 + 30 * bars as u32).max(ctx.size.1).min(2400);
    PlotContext { size: (ctx.size.0, h), ..ctx }
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

/// The analysis' label of the whole workload of group `k`, whatever its params: `wrk`, or
/// `wrk (docker)` with a stratum.
fn whole_label(k: &GroupKey) -> String {
    if k.2.is_empty() {
        k.0.clone()
    } else {
        format!("{} ({})", k.0, k.2)
    }
}

/// Whether a check's workload label belongs to group `k`: its own label, or the workload's
/// (checks about all params sets of a workload).
fn check_matches(label: &str, k: &GroupKey) -> bool {
    label == check_label(k) || label == whole_label(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_that_differ_are_shown() {
        let all: BTreeSet<&str> = ["bs=4k;iodepth=1;job=a", "bs=64k;iodepth=1;job=a"].into_iter().collect();
        assert_eq!(distinguishing_params("bs=4k;iodepth=1;job=a", Some(&all)), "bs=4k");
        let one: BTreeSet<&str> = ["bs=4k"].into_iter().collect();
        assert_eq!(distinguishing_params("bs=4k", Some(&one)), "");
    }
}
