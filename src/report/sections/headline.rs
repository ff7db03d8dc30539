//! The headline: one row per group with a primary metric (the baseline's mean, and per other
//! arm its mean, change, cost ratio and verdict), one sentence per comparison, and the figure
//! of every primary cost ratio.

use std::collections::BTreeSet;

use super::{check_matches, tall, Figures, GroupKey, Plan};
use crate::analyse::{Analysis, OverheadRow, Severity, SummaryRow};
use crate::report::context::{FigureCtx, HeadlineCell, HeadlineCtx, HeadlineRow};
use crate::report::figures::{Bar, FigureData, OverheadData};
use crate::report::text::{
    bar_label, change_text, cost_text, finding_with_power, shown_verdict, value_with_ci,
};
use crate::stats::Adjust;

/// The headline section.
pub(super) struct Headline {
    /// The table.
    pub(super) table: HeadlineCtx,
    /// The figure of every primary cost ratio, when anything was compared.
    pub(super) figure: Option<FigureCtx>,
    /// One sentence per comparison of a primary metric.
    pub(super) findings: Vec<String>,
}

/// The headline's bars: one category per workload label, one bar per comparison.
#[derive(Default)]
struct Bars {
    categories: Vec<String>,
    bars: Vec<Bar>,
}

/// Builds the headline; its figure goes to `figures`.
pub(super) fn build(plan: &Plan, figures: &mut Figures) -> Headline {
    let a = plan.analysis;
    let mut rows = Vec::new();
    let mut findings = Vec::new();
    let mut bars = Bars::default();
    for (k, rs) in &plan.groups {
        let Some(primary) = rs.iter().find(|r| r.primary) else { continue };
        let label = plan.label(k);
        let cmp = plan.comparisons(k, &primary.metric);
        let mut cells = Vec::new();
        for arm in &plan.others {
            let row = cmp.iter().find(|o| &o.platform == arm).copied();
            cells.push(cell(plan, k, rs, arm, row));
            if let Some(o) = row {
                findings.push(finding_with_power(o, &label, a.detect_pct));
                if let Some(v) = o.cost_ratio {
                    if !bars.categories.contains(&label) {
                        bars.categories.push(label.clone());
                    }
                    bars.bars.push(Bar {
                        category: bars.categories.len() - 1,
                        arm: plan.others.iter().position(|x| x == arm).unwrap_or(0),
                        value: v,
                        ci: o.cost_ratio_ci_low.zip(o.cost_ratio_ci_high),
                        label: bar_label(o),
                    });
                }
            }
        }
        rows.push(HeadlineRow {
            label,
            id: plan.ids[k].clone(),
            metric: primary.metric.clone(),
            unit: primary.unit.clone(),
            better: primary.better.as_str().to_string(),
            baseline_value: primary_value(rs, &a.baseline),
            cells,
            failed_checks: failed_checks_of(a, k),
        });
    }
    let figure = figure(plan, figures, bars);
    let table = HeadlineCtx { baseline: a.baseline.clone(), arms: plan.others.clone(), rows };
    Headline { table, figure, findings }
}

/// How many comparisons of primary metrics were made, and how their p-values were adjusted for
/// it; empty when none was made.
pub(super) fn multiplicity(a: &Analysis) -> String {
    let m = a.family_size;
    if m == 0 {
        return String::new();
    }
    let alpha = format!("{}", ((1.0 - a.confidence) * 1e4).round() / 1e4);
    let made = format!(
        "{m} comparison{} of primary metrics {} made",
        if m == 1 { "" } else { "s" },
        if m == 1 { "was" } else { "were" }
    );
    let rule = format!(
        "a verdict of slower or faster (uses more or less) needs the adjusted p-value below {alpha} as \
         well as an interval that excludes 0"
    );
    match a.adjust {
        Adjust::Holm => format!(
            "{made}; their p-values are Holm-adjusted (the chance of any false \"slower\" or \"faster\" \
             among them stays below {alpha}), and {rule}."
        ),
        Adjust::Bh => format!(
            "{made}; their p-values are Benjamini–Hochberg-adjusted (the expected share of false \
             findings among the differences reported stays below {alpha}), and {rule}."
        ),
        Adjust::None => format!(
            "{made}; their p-values are not adjusted (--adjust none): each is judged at {alpha}, so \
             if none differed, about {} of them would still be called different by chance.",
            (m as f64 * (1.0 - a.confidence) * 10.0).round() / 10.0
        ),
    }
}

/// The primary metric's mean with its interval on `arm`, empty when the arm has no runs.
fn primary_value(rs: &[&SummaryRow], arm: &str) -> String {
    rs.iter()
        .find(|r| r.primary && r.platform == arm)
        .map(|r| value_with_ci(r.stats.mean, r.stats.ci_low, r.stats.ci_high))
        .unwrap_or_default()
}

/// The cell of `arm` in the row of group `k`: its comparison `row`, or why there is none.
fn cell(plan: &Plan, k: &GroupKey, rs: &[&SummaryRow], arm: &str, row: Option<&OverheadRow>) -> HeadlineCell {
    let a = plan.analysis;
    let value = primary_value(rs, arm);
    let (change, cost, verdict) = match row {
        Some(o) => (change_text(o), cost_text(o), shown_verdict(o, a.family_size)),
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
    HeadlineCell {
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
    }
}

/// The figure of every primary cost ratio, `overhead-primary`; none without bars.
fn figure(plan: &Plan, figures: &mut Figures, bars: Bars) -> Option<FigureCtx> {
    if bars.bars.is_empty() {
        return None;
    }
    let a = plan.analysis;
    let n_bars = bars.bars.len();
    let data = FigureData::Overhead(OverheadData {
        title: format!("Cost ratio of each workload's primary metric against {}", a.baseline),
        categories: bars.categories,
        arms: plan.others.iter().map(|n| (n.clone(), plan.style(n))).collect(),
        bars: bars.bars,
        baseline: a.baseline.clone(),
    });
    let caption = format!(
        "Bars: cost ratio against {b} on a log scale, from ×1 (no change): ×2 = twice {b}'s time per \
         unit of work (or twice its latency), ×0.5 = half; right of ×1 is slower, left faster, and ×2 \
         lies as far right as ×0.5 lies left. Whiskers: {confidence_pct}% interval (Fieller). A \
         dashed grey line marks an interval that is unbounded.",
        b = a.baseline,
        confidence_pct = plan.confidence_pct
    );
    Some(figures.add("overhead-primary".to_string(), tall(plan.plot, n_bars), data, &caption))
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

/// Why `arm` has no comparison on `workload`, from the checks that prevent one.
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
