//! The checks: each its own function that looks at the [`Context`] of an analysis and returns
//! its [`Findings`] (the [`Check`]s that fired, and the comparisons it refuses), all of them
//! listed once in [`CHECKS`]. Adding a check is one function plus one line there; the
//! recipe, with an example, is in docs/architecture.md.
//!
//! A failed check withholds the verdicts its scope concerns (`compare::withhold_verdicts`,
//! whatever its name). A check that finds a comparison invalid (params, versions or units that
//! differ, runs that did different work) also *refuses* it: it puts the comparison's [`Scope`]
//! in [`Findings::refused`], and compare makes no row for it. That is the only way a check acts
//! on the comparisons; none changes a row.

mod compared;
mod labels;
mod logs;
mod run_time;
mod runs;
mod work;

use super::config::AnalyseConfig;
use super::input::Dataset;
use super::output::{Check, Scope, SummaryRow};
use super::summarise::Groups;
use crate::text::group_label;

/// What every check may look at.
pub(crate) struct Context<'a> {
    /// The observations, log issues, unreadable and unlabelled files, label sources.
    pub ds: &'a Dataset,
    /// The settings: baseline, confidence, thresholds.
    pub cfg: &'a AnalyseConfig,
    /// The observations grouped and summarised, with each group's primary metric.
    pub groups: &'a Groups<'a>,
    /// One row per cell, in the order of `groups`.
    pub summary: &'a [SummaryRow],
    /// Every arm, sorted.
    pub arms: &'a [String],
}

/// What one check found.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    /// The checks that fired, in the order the check found them.
    pub checks: Vec<Check>,
    /// Comparisons not to make: every comparison one of these scopes concerns
    /// ([`Scope::concerns_comparison`]) gets no overhead row.
    pub refused: Vec<Scope>,
}

impl From<Vec<Check>> for Findings {
    fn from(checks: Vec<Check>) -> Findings {
        Findings { checks, refused: Vec::new() }
    }
}

/// A check: what it found in an analysis' context.
pub(crate) type CheckFn = fn(&Context<'_>) -> Findings;

/// Every check. The order does not matter: the checks that fired are sorted afterwards (most
/// severe first, then by name, group and platform; one check's findings keep their order).
pub(crate) const CHECKS: &[CheckFn] = &[
    runs::too_few_runs,
    runs::high_cv,
    runs::outlier,
    runs::drift,
    runs::bimodal,
    compared::no_baseline,
    compared::params_differ,
    compared::versions_differ,
    compared::units_differ,
    logs::log_errors,
    logs::unreadable,
    logs::unlabelled,
    work::work_differs,
    run_time::run_time_differs,
    labels::mixed_labels,
];

/// Runs every check of [`CHECKS`]: the checks that fired, sorted, and every refused scope.
pub(crate) fn run(ctx: &Context<'_>) -> Findings {
    use rayon::prelude::*;
    // The checks are independent: on every core, gathered in their order.
    let each: Vec<Findings> = CHECKS.par_iter().map(|check| check(ctx)).collect();
    let mut all = Findings::default();
    for found in each {
        all.checks.extend(found.checks);
        all.refused.extend(found.refused);
    }
    all.checks.sort_by(|a, b| {
        (std::cmp::Reverse(a.severity), a.check, &a.workload, &a.platform).cmp(&(
            std::cmp::Reverse(b.severity),
            b.check,
            &b.workload,
            &b.platform,
        ))
    });
    all
}

/// The label of the group of summary row `row`: `workload [params] (stratum)`.
fn row_label(row: &SummaryRow) -> String {
    group_label(&row.workload, &row.params, &row.stratum)
}

#[cfg(test)]
mod tests;
