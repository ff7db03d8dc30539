//! Analysis of ingested runs: summarise, compare, check.
//!
//! Input is a [`Dataset`] (from raw runs, [`Dataset::from_runs`], or from a table written by
//! `virtperf ingest`, in `crate::table`); output is an [`Analysis`] of plain rows, which
//! `crate::table` writes as the four CSV tables and the report reads. The steps:
//!
//! 1. [`summarise`]: the observations grouped by ([`crate::model::GroupId`], metric, arm), each group's
//!    primary metric as its runs declare it, and per-group statistics ([`SummaryRow`]);
//! 2. [`checks`]: every check of the registry ([`checks::CHECKS`]), each its own function
//!    returning its findings: the [`Check`]s that fired, and the comparisons it refuses;
//! 3. [`compare`]: each arm against the baseline on every group and metric both have, less the
//!    refused comparisons ([`OverheadRow`]), then the verdicts a failed check concerns withheld;
//! 4. [`subsystems`]: the geometric mean of the primary metrics' cost ratios per subsystem.
//!
//! The statistics themselves live in [`crate::stats`]; this module decides what is compared
//! with what, and when a comparison is not valid. It reads no file, prints nothing, and knows
//! no tool: what a metric is comes from what its parser declared ([`crate::model::Declared`]).

mod baseline;
mod checks;
mod compare;
mod config;
mod input;
mod output;
mod subsystems;
mod summarise;

pub(crate) use baseline::resolve_baseline;
pub use compare::withhold_verdicts;
pub use config::AnalyseConfig;
pub(crate) use input::{arm_name, regroup, stretch_starts, text_hash, LabelSource};
pub use input::{Dataset, MetricInfo, Obs, ObsRef, ObsRow, Observations, RunInfo, RunIssue, Setting, Values};
pub use output::{Analysis, Check, OverheadRow, Scope, Severity, SubsystemRow, SummaryRow};

/// Runs the analysis of `ds` with the settings `cfg`. It puts the observations of `ds` cell by
/// cell ([`Dataset::obs`]); nothing it gives depends on their order before.
pub fn analyse(ds: &mut Dataset, cfg: &AnalyseConfig) -> Analysis {
    // It adds no string: the table that finds their shared copies can go (25 MB for a
    // store's selection), and comes back if a string is added after.
    ds.let_go_of_strings();
    let arms = ds.arms();
    let declared = subsystems::declared(ds);
    let layout = summarise::order(ds);
    let ds = &*ds;
    let groups = summarise::groups(ds, layout, cfg.confidence);
    let summary = summarise::summary_rows(&groups);
    let context = checks::Context { ds, cfg, groups: &groups, summary: &summary, arms: &arms };
    let found = checks::run(&context);
    let mut overhead = compare::overhead_rows(&groups, cfg, &found.refused);
    // After every check ran: a failed check withholds the verdicts it concerns.
    withhold_verdicts(&mut overhead, &found.checks);
    let subsystems = subsystems::subsystem_rows(&overhead, &cfg.baseline, &declared);
    Analysis {
        baseline: cfg.baseline.clone(),
        confidence: cfg.confidence,
        margin_pct: cfg.margin_pct,
        adjust: cfg.adjust,
        family_size: overhead.iter().filter(|o| o.primary && o.p_value.is_some()).count(),
        detect_pct: cfg.detect_pct,
        platforms: arms,
        summary,
        overhead,
        checks: found.checks,
        subsystems,
    }
}
