//! Compare: each arm against the baseline on every (group, metric) cell both have, with
//! Fieller's interval on the ratio, Welch's p-value and a verdict ([`OverheadRow`]); then the
//! verdicts a failed check concerns withheld ([`withhold_verdicts`]).
//!
//! The checks decide what is not compared: a comparison whose [`Scope`] a check refused
//! (`checks::Findings::refused`) gets no row. Nothing here knows a check by its name.

use std::collections::BTreeMap;

use super::config::AnalyseConfig;
use super::output::{Check, OverheadRow, Scope, Severity};
use super::summarise::{Cell, Group, Groups};
use crate::model::{Better, GroupId};
use crate::stats::{self, Adjust, Interval};

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
///
/// The primary metrics' comparisons are one family: their Welch p-values (and, with a margin,
/// their equivalence p-values) are adjusted together by `cfg.adjust`, and their verdicts use
/// the adjusted values. Other metrics' comparisons keep unadjusted verdicts.
pub(crate) fn overhead_rows(groups: &Groups<'_>, cfg: &AnalyseConfig, refused: &[Scope]) -> Vec<OverheadRow> {
    use rayon::prelude::*;
    let todo: Vec<Comparison<'_, '_>> = comparisons(groups, &cfg.baseline)
        .filter(|c| !refused.iter().any(|s| s.concerns_comparison(c.group, c.metric, c.arm, &cfg.baseline)))
        .collect();
    // On every core (a bootstrap of thousands of runs takes a while), in order.
    let mut made: Vec<(OverheadRow, Interval)> = todo
        .par_iter()
        .filter_map(|c| {
            let (mut row, interval) = overhead_row(c, cfg)?;
            let pairs = groups.get(c.group).and_then(|g| paired_values(g, c.metric, c.arm, &cfg.baseline));
            if let Some(p) = pairs.and_then(|(a, b)| stats::paired_log_ratio(&a, &b, cfg.confidence)) {
                row.paired_n = Some(p.n);
                row.paired_change_pct = stats::change_pct(p.ratio);
                row.paired_change_ci_low_pct = stats::change_pct(p.low);
                row.paired_change_ci_high_pct = stats::change_pct(p.high);
                row.paired_p_value = Some(p.p_value);
            }
            Some((row, interval))
        })
        .collect();
    if cfg.adjust == Adjust::None {
        return made.into_iter().map(|(row, _)| row).collect();
    }
    let family = |p: fn(&OverheadRow) -> Option<f64>| -> Vec<Option<f64>> {
        made.iter().map(|(row, _)| if row.primary { p(row) } else { None }).collect()
    };
    let p_adjusted = stats::adjust_p_values(&family(|r| r.p_value), cfg.adjust);
    let eq_adjusted = stats::adjust_p_values(&family(|r| r.equivalence_p), cfg.adjust);
    let alpha = 1.0 - cfg.confidence;
    for (i, (row, interval)) in made.iter_mut().enumerate() {
        if !row.primary {
            continue;
        }
        row.p_adjusted = p_adjusted[i];
        row.equivalence_p_adjusted = eq_adjusted[i];
        let tests = stats::Tests {
            p_value: row.p_value,
            p_adjusted: p_adjusted[i],
            equivalence_p: eq_adjusted[i],
            within_resolution: stats::within_resolution(row.mean, row.baseline_mean, row.resolution),
        };
        row.verdict = stats::verdict(row.n, row.baseline_n, interval, &tests, alpha).verdict.words(row.kind);
    }
    made.into_iter().map(|(row, _)| row).collect()
}

/// The values of `arm` and of `baseline` on `metric`, paired by round and in round order, when
/// the runs can be paired: the group is not a stratum (`virtperf compare`'s campaigns do not
/// share rounds), and every arm's cell of `metric` in the group has each of the same rounds
/// exactly once (every run with a round from the manifest, at least two rounds). None
/// otherwise: runs the data cannot pair are never paired.
fn paired_values(group: &Group<'_>, metric: &str, arm: &str, baseline: &str) -> Option<(Vec<f64>, Vec<f64>)> {
    let by_round = |cell: &Cell<'_>| -> Option<BTreeMap<u32, f64>> {
        let mut m = BTreeMap::new();
        for o in cell.obs() {
            if !o.stratum().is_empty() || m.insert(o.run_info.round?, o.value).is_some() {
                return None;
            }
        }
        Some(m)
    };
    let cells = group.metrics.get(metric)?;
    let all: Vec<BTreeMap<u32, f64>> = cells.values().map(by_round).collect::<Option<_>>()?;
    let first: Vec<u32> = all.first()?.keys().copied().collect();
    if first.len() < 2 || all.iter().any(|m| !m.keys().copied().eq(first.iter().copied())) {
        return None;
    }
    let (a, b) = (by_round(cells.get(arm)?)?, by_round(cells.get(baseline)?)?);
    Some((a.into_values().collect(), b.into_values().collect()))
}

/// The row of comparison `c` with its overhead interval (for the adjusted verdict); none when
/// its metric has no better direction or a side has no mean.
fn overhead_row(c: &Comparison<'_, '_>, cfg: &AnalyseConfig) -> Option<(OverheadRow, Interval)> {
    let (sa, sb) = (&c.cell.stats, &c.base.stats);
    let first = c.cell.first();
    let (better, kind) = (first.better(), first.kind());
    if better == Better::None {
        return None;
    }
    let cmp = stats::compare(sa, sb, better, cfg.confidence, cfg.margin_pct);
    let (mean, baseline_mean) = (sa.mean?, sb.mean?);
    let interval = cmp.overhead.as_ref()?.interval;
    let bounds = interval.bounds();
    let change_bounds = cmp.change.interval.bounds();
    let cost_bounds = cmp.cost.as_ref().and_then(|c| c.interval.bounds());
    let alpha = 1.0 - cfg.confidence;
    let (a, b) = (&c.cell, &c.base);
    let resolution = stats::comparison_resolution_of(&a.values, a.resolution(), &b.values, b.resolution());
    let median = (c.primary || first.declared().percentile.is_some())
        .then(|| {
            stats::median_ratio_bootstrap(
                &c.cell.values,
                &c.base.values,
                cfg.confidence,
                stats::BOOTSTRAP_RESAMPLES,
                stats::BOOTSTRAP_SEED,
            )
        })
        .flatten();
    let mut decision = cmp.decision;
    if stats::within_resolution(mean, baseline_mean, resolution) {
        let tests = stats::Tests {
            p_value: cmp.welch.map(|w| w.p_value),
            equivalence_p: cmp.equivalence.map(|e| e.p_value),
            within_resolution: true,
            ..stats::Tests::default()
        };
        decision = Some(stats::verdict(sa.n, sb.n, &interval, &tests, alpha));
    }
    let row = OverheadRow {
        group: c.group.clone(),
        workload: c.group.workload().to_string(),
        params: c.group.params_string().to_string(),
        metric: c.metric.to_string(),
        unit: first.unit().to_string(),
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
        p_adjusted: None,
        equivalence_p: cmp.equivalence.map(|e| e.p_value),
        equivalence_p_adjusted: None,
        detectable_pct: stats::detectable_pct(sa, sb, alpha, stats::POWER),
        runs_to_detect: cfg.detect_pct.and_then(|d| stats::runs_to_detect(sa, sb, alpha, stats::POWER, d)),
        resolution,
        paired_n: None,
        paired_change_pct: None,
        paired_change_ci_low_pct: None,
        paired_change_ci_high_pct: None,
        paired_p_value: None,
        median_change_pct: median.and_then(|m| stats::change_pct(m.ratio)),
        median_change_ci_low_pct: median.and_then(|m| stats::change_pct(m.low)),
        median_change_ci_high_pct: median.and_then(|m| stats::change_pct(m.high)),
        verdict: decision.map(|d| d.verdict.words(kind)).unwrap_or_else(|| "no verdict".to_string()),
        failed_checks: Vec::new(),
        warning_checks: Vec::new(),
    };
    Some((row, interval))
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
