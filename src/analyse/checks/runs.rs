//! Checks of the runs of each primary metric on each arm: too few of them (`too_few_runs`),
//! too much spread (`high_cv`), a value far from the rest (`outlier`), a trend across them
//! (`drift`). Each concerns its group on its arm.

use super::{row_label, Context, Findings};
use crate::analyse::output::{Check, Scope, Severity, SummaryRow};
use crate::stats;
use crate::text::fmt_num;

/// The summary rows of primary metrics.
fn primary_rows<'a>(ctx: &Context<'a>) -> impl Iterator<Item = &'a SummaryRow> {
    ctx.summary.iter().filter(|r| r.primary)
}

/// A check named `check` on the group and arm of `row`.
fn on_row(
    check: &'static str,
    severity: Severity,
    row: &SummaryRow,
    detail: String,
    sources: Vec<String>,
) -> Check {
    Check {
        check,
        severity,
        workload: row_label(row),
        platform: row.platform.clone(),
        detail,
        sources,
        scope: Scope::of(&row.group, &row.platform),
    }
}

/// `too_few_runs`: fewer runs than `min_runs` (a warning; a failure below 2, where there is no
/// interval at all).
pub(super) fn too_few_runs(ctx: &Context<'_>) -> Findings {
    let min = ctx.cfg.min_runs;
    primary_rows(ctx)
        .filter(|row| row.stats.n < min)
        .map(|row| {
            let n = row.stats.n;
            let detail = format!(
                "{n} run{} of {}; at least {min} are needed for a usable interval",
                if n == 1 { "" } else { "s" },
                row.metric,
            );
            let severity = if n < 2 { Severity::Fail } else { Severity::Warning };
            on_row("too_few_runs", severity, row, detail, row.sources.clone())
        })
        .collect::<Vec<_>>()
        .into()
}

/// `high_cv`: a coefficient of variation above `cv_warn_pct`. A warning, never a failure: the
/// spread is already in the interval (a noisy group gets a wide one, and "no significant
/// difference" unless the difference is larger than the noise), so the verdict stands; see
/// docs/statistics.md.
pub(super) fn high_cv(ctx: &Context<'_>) -> Findings {
    let threshold = ctx.cfg.cv_warn_pct;
    primary_rows(ctx)
        .filter_map(|row| {
            let cv = row.stats.cv_pct.filter(|cv| *cv > threshold)?;
            let detail = format!(
                "{} varies by CV {:.1}% over {} runs (threshold {}%): the interval is wide \
                 accordingly, and a difference smaller than that spread cannot be told from noise",
                row.metric, cv, row.stats.n, threshold
            );
            Some(on_row("high_cv", Severity::Warning, row, detail, row.sources.clone()))
        })
        .collect::<Vec<_>>()
        .into()
}

/// `outlier`: each run whose modified z-score is above [`stats::MODIFIED_Z_THRESHOLD`], named
/// with its file and line (a warning: the run is kept, the interval holds its spread).
pub(super) fn outlier(ctx: &Context<'_>) -> Findings {
    let mut checks = Vec::new();
    for row in primary_rows(ctx) {
        let Some(cell) = ctx.groups.get(&row.group).and_then(|g| g.cell(&row.metric, &row.platform)) else {
            continue;
        };
        let outliers = stats::modified_z_scores(&row.values);
        for &i in &outliers.flagged {
            let (Some(o), Some(Some(z))) = (cell.obs.get(i), outliers.scores.get(i)) else { continue };
            let detail = format!(
                "{} = {} {} (run {} of {}) has a modified z-score of {:.1} (> {})",
                row.metric,
                fmt_num(o.value),
                o.unit,
                o.run,
                o.source,
                z,
                stats::MODIFIED_Z_THRESHOLD
            );
            let source = format!("{}:{}", o.source, o.first_line);
            checks.push(on_row("outlier", Severity::Warning, row, detail, vec![source]));
        }
    }
    checks.into()
}

/// `drift`: a Mann–Kendall trend across the runs in file order, significant at the analysis'
/// level (a warning: warm-up, throttling or a filling cache can masquerade as overhead).
pub(super) fn drift(ctx: &Context<'_>) -> Findings {
    let alpha = 1.0 - ctx.cfg.confidence;
    primary_rows(ctx)
        .filter_map(|row| {
            let mk = stats::mann_kendall(&row.values)?;
            let trend = mk.drift(alpha)?;
            let detail = format!(
                "{} {} steadily across {} runs in file order (Kendall tau-b {:.2}, p = {:.3}): \
                 warm-up, throttling or a filling cache can masquerade as overhead",
                row.metric,
                match trend {
                    stats::Trend::Increasing => "rises",
                    stats::Trend::Decreasing => "falls",
                },
                mk.n,
                mk.tau_b,
                mk.p_value
            );
            Some(on_row("drift", Severity::Warning, row, detail, row.sources.clone()))
        })
        .collect::<Vec<_>>()
        .into()
}
