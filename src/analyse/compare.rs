//! Compare: each arm against the baseline on every (group, metric) cell both have, with
//! Fieller's interval on the ratio, Welch's p-value and a verdict ([`OverheadRow`]); then the
//! verdicts a failed check concerns withheld ([`withhold_verdicts`]).
//!
//! The checks decide what is not compared: a comparison whose [`Scope`] a check refused
//! (`checks::Findings::refused`) gets no row. Nothing here knows a check by its name.

use super::config::AnalyseConfig;
use super::output::{Check, OverheadRow, Scope, Severity};
use super::summarise::{Cell, Groups};
use crate::model::{Better, GroupId};
use crate::stats;

/// One arm's cell and the baseline's cell of the same group and metric: a comparison to make.
pub(crate) struct Comparison<'g, 'a> {
    /// The group.
    pub group: &'g GroupId,
    /// The metric.
    pub metric: &'a str,
    /// The arm compared with the baseline.
    pub arm: &'a str,
    /// The arm's cell.
    pub cell: &'g Cell<'a>,
    /// The baseline's cell.
    pub base: &'g Cell<'a>,
    /// Whether `metric` is the group's primary metric.
    pub primary: bool,
}

/// Every comparison with `baseline` the groups allow: each cell of an arm other than the
/// baseline whose group has the baseline's cell of the same metric, in the order of the groups
/// and cells.
pub(crate) fn comparisons<'g, 'a>(
    groups: &'g Groups<'a>,
    baseline: &'g str,
) -> impl Iterator<Item = Comparison<'g, 'a>> + 'g {
    groups.iter().flat_map(move |(g, group)| {
        group.cells().filter_map(move |(metric, arm, cell)| {
            if arm == baseline {
                return None;
            }
            let base = group.cell(metric, baseline)?;
            Some(Comparison { group: g, metric, arm, cell, base, primary: group.is_primary(metric) })
        })
    })
}

/// The overhead rows of every comparison that no scope of `refused` concerns, whose metric has
/// a better direction and both of whose sides have a mean.
pub(crate) fn overhead_rows(groups: &Groups<'_>, cfg: &AnalyseConfig, refused: &[Scope]) -> Vec<OverheadRow> {
    comparisons(groups, &cfg.baseline)
        .filter(|c| !refused.iter().any(|s| s.concerns_comparison(c.group, c.metric, c.arm, &cfg.baseline)))
        .filter_map(|c| overhead_row(&c, cfg))
        .collect()
}

/// The row of comparison `c`; none when its metric has no better direction or a side has no
/// mean.
fn overhead_row(c: &Comparison<'_, '_>, cfg: &AnalyseConfig) -> Option<OverheadRow> {
    let (sa, sb) = (&c.cell.stats, &c.base.stats);
    let first = c.cell.obs[0];
    let (better, kind) = (first.better, first.kind);
    if better == Better::None {
        return None;
    }
    let cmp = stats::compare(sa, sb, better, cfg.confidence, cfg.margin_pct);
    let (mean, baseline_mean) = (sa.mean?, sb.mean?);
    let bounds = cmp.overhead.as_ref().and_then(|o| o.interval.bounds());
    let change_bounds = cmp.change.interval.bounds();
    let cost_bounds = cmp.cost.as_ref().and_then(|c| c.interval.bounds());
    Some(OverheadRow {
        group: c.group.clone(),
        workload: c.group.workload().to_string(),
        params: c.group.params_string().to_string(),
        metric: c.metric.to_string(),
        unit: first.unit.clone(),
        better,
        kind,
        platform: c.arm.to_string(),
        stratum: c.group.stratum().to_string(),
        baseline: cfg.baseline.clone(),
        primary: c.primary,
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
    })
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
