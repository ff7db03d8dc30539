//! Checks of what is compared with the baseline: a baseline missing altogether or for a
//! workload (`no_baseline`), params sets that differ (`params_differ`), tool versions that
//! differ (`versions_differ`) and units that differ (`units_differ`). The failures refuse the
//! comparisons they concern.

use std::collections::{BTreeMap, BTreeSet};

use super::{Context, Findings};
use crate::analyse::baseline::no_baseline_detail;
use crate::analyse::compare::{comparisons, Comparison};
use crate::analyse::output::{Check, Scope, Severity};
use crate::analyse::summarise::Groups;
use crate::text::{display_params, group_label};

/// The params sets (canonical strings) of each (workload, stratum, arm).
fn params_of<'g>(groups: &'g Groups<'_>) -> BTreeMap<(&'g str, &'g str, &'g str), BTreeSet<&'g str>> {
    let mut out: BTreeMap<_, BTreeSet<&str>> = BTreeMap::new();
    for (g, group) in groups {
        for (_, arm, _) in group.cells() {
            out.entry((g.workload(), g.stratum(), arm)).or_default().insert(g.params_string());
        }
    }
    out
}

/// The source files of every group of `workload` in `stratum` on `arm`, sorted, each once.
fn sources_of(groups: &Groups<'_>, workload: &str, stratum: &str, arm: &str) -> Vec<String> {
    groups
        .iter()
        .filter(|(g, _)| g.workload() == workload && g.stratum() == stratum)
        .flat_map(|(_, group)| group.metrics.values().filter_map(|arms| arms.get(arm)))
        .flat_map(|cell| cell.sources().map(|s| s.to_string()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The source files of the baseline's runs of `workload` in `stratum`, then those of `arm`'s.
fn both_sides(ctx: &Context<'_>, workload: &str, stratum: &str, arm: &str) -> Vec<String> {
    [
        sources_of(ctx.groups, workload, stratum, &ctx.cfg.baseline),
        sources_of(ctx.groups, workload, stratum, arm),
    ]
    .concat()
}

/// `no_baseline`: a failure when no run is labelled with the baseline (nothing is compared);
/// a warning for each arm with runs of a workload that the baseline did not run.
pub(super) fn no_baseline(ctx: &Context<'_>) -> Findings {
    let baseline = &ctx.cfg.baseline;
    let mut checks = Vec::new();
    if !ctx.arms.iter().any(|a| a == baseline) {
        if !ctx.ds.obs.is_empty() {
            checks.push(Check {
                check: "no_baseline",
                severity: Severity::Fail,
                workload: String::new(),
                platform: baseline.clone(),
                detail: no_baseline_detail(baseline, ctx.arms),
                sources: vec![],
                scope: Scope::none(),
            });
        }
        return checks.into();
    }
    let params = params_of(ctx.groups);
    let workloads: BTreeSet<(&str, &str)> = params.keys().map(|&(w, s, _)| (w, s)).collect();
    for (w, s) in workloads {
        if params.contains_key(&(w, s, baseline.as_str())) {
            continue;
        }
        for arm in ctx.arms.iter().filter(|a| *a != baseline && params.contains_key(&(w, s, a.as_str()))) {
            checks.push(Check {
                check: "no_baseline",
                severity: Severity::Warning,
                workload: group_label(w, "", s),
                platform: arm.clone(),
                detail: format!("{arm} has runs of {w} but the baseline '{baseline}' has none: not compared"),
                sources: sources_of(ctx.groups, w, s, arm),
                scope: Scope::workload(w, s, arm),
            });
        }
    }
    checks.into()
}

/// `params_differ`: an arm and the baseline ran a workload with params sets none of which both
/// ran (a failure, which refuses the comparison of the workload on that arm), or only some of
/// which both ran (a warning: only those are compared).
pub(super) fn params_differ(ctx: &Context<'_>) -> Findings {
    let baseline = &ctx.cfg.baseline;
    let params = params_of(ctx.groups);
    let workloads: BTreeSet<(&str, &str)> = params.keys().map(|&(w, s, _)| (w, s)).collect();
    let mut found = Findings::default();
    for (w, s) in workloads {
        let Some(bp) = params.get(&(w, s, baseline.as_str())) else { continue };
        for arm in ctx.arms.iter().filter(|a| *a != baseline) {
            let Some(ap) = params.get(&(w, s, arm.as_str())) else { continue };
            let (severity, detail) = if bp.is_disjoint(ap) {
                let detail = format!(
                    "not compared: {baseline} ran {w} with [{}] but {arm} with [{}]",
                    show(bp),
                    show(ap)
                );
                (Severity::Fail, detail)
            } else if bp != ap {
                // Which side lacks which sets: "no native runs at [threads=190]".
                let missing = |on: &str, lacking: Vec<&&str>| -> Option<String> {
                    let sets: Vec<String> = lacking.into_iter().map(|p| display_params(p)).collect();
                    (!sets.is_empty()).then(|| format!("no {on} runs at [{}]", sets.join("], [")))
                };
                let said: Vec<String> = [
                    missing(baseline, ap.difference(bp).collect()),
                    missing(arm, bp.difference(ap).collect()),
                ]
                .into_iter()
                .flatten()
                .collect();
                let detail = format!("{}: only the parameter sets both ran are compared", said.join("; "));
                (Severity::Warning, detail)
            } else {
                continue;
            };
            let scope = Scope::workload(w, s, arm);
            let sources = match severity {
                Severity::Fail => {
                    // No params set is on both sides, so there is nothing to compare; said
                    // all the same, as every refusal is.
                    found.refused.push(scope.clone());
                    both_sides(ctx, w, s, arm)
                }
                _ => sources_of(ctx.groups, w, s, arm),
            };
            let workload = group_label(w, "", s);
            found.checks.push(Check {
                check: "params_differ",
                severity,
                workload,
                platform: arm.clone(),
                detail,
                sources,
                scope,
            });
        }
    }
    found
}

/// Params sets as people read them: `[threads=1] or [no options]`.
fn show(set: &BTreeSet<&str>) -> String {
    set.iter()
        .map(|p| if p.is_empty() { "no options".to_string() } else { display_params(p) })
        .collect::<Vec<_>>()
        .join("] or [")
}

/// The tool versions each side of `c` ran, when both sides name some and they differ:
/// `(baseline's, arm's)`.
fn versions_that_differ(c: &Comparison<'_, '_>) -> Option<(BTreeSet<String>, BTreeSet<String>)> {
    let versions = |cell: &crate::analyse::summarise::Cell<'_>| -> BTreeSet<String> {
        cell.versions.iter().map(|v| v.to_string()).collect()
    };
    let (va, vb) = (versions(c.cell), versions(c.base));
    (!va.is_empty() && !vb.is_empty() && va != vb).then_some((vb, va))
}

/// `versions_differ`: the arm and the baseline ran a metric's tool in different versions. The
/// comparison of that metric is refused; the check (a failure, on the whole group) is said for
/// the primary metric.
pub(super) fn versions_differ(ctx: &Context<'_>) -> Findings {
    let baseline = &ctx.cfg.baseline;
    let mut found = Findings::default();
    for c in comparisons(ctx.groups, baseline) {
        let Some((vb, va)) = versions_that_differ(&c) else { continue };
        let (g, arm) = (c.group, c.arm);
        found.refused.push(Scope::of(g, arm).metric(c.metric));
        if !c.primary {
            continue;
        }
        let join = |v: BTreeSet<String>| v.into_iter().collect::<Vec<_>>().join("/");
        found.checks.push(Check {
            check: "versions_differ",
            severity: Severity::Fail,
            workload: group_label(g.workload(), g.params_string(), g.stratum()),
            platform: arm.to_string(),
            detail: format!(
                "not compared: {baseline} ran {} version {} but {arm} ran {}",
                c.cell.first().tool(),
                join(vb),
                join(va)
            ),
            sources: both_sides(ctx, g.workload(), g.stratum(), arm),
            scope: Scope::of(g, arm),
        });
    }
    found
}

/// `units_differ`: a metric in different units on the arm and the baseline (a failure that
/// refuses the comparison of that metric). Not said where the versions differ: that comparison
/// is refused already.
pub(super) fn units_differ(ctx: &Context<'_>) -> Findings {
    let mut found = Findings::default();
    for c in comparisons(ctx.groups, &ctx.cfg.baseline) {
        if versions_that_differ(&c).is_some() {
            continue;
        }
        let units: BTreeSet<&str> = c.cell.units.union(&c.base.units).copied().collect();
        if units.len() < 2 {
            continue;
        }
        let (g, arm) = (c.group, c.arm);
        let scope = Scope::of(g, arm).metric(c.metric);
        found.refused.push(scope.clone());
        found.checks.push(Check {
            check: "units_differ",
            severity: Severity::Fail,
            workload: group_label(g.workload(), g.params_string(), g.stratum()),
            platform: arm.to_string(),
            detail: format!(
                "not compared: {} is in {}",
                c.metric,
                units.into_iter().collect::<Vec<_>>().join(" and ")
            ),
            sources: both_sides(ctx, g.workload(), g.stratum(), arm),
            scope,
        });
    }
    found
}
