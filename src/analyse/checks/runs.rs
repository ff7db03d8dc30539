//! Checks of the runs of each primary metric on each arm: too few of them (`too_few_runs`),
//! too much spread (`high_cv`), a value far from the rest (`outlier`), a trend across them
//! (`drift`), two clusters of them (`bimodal`). Each concerns its group on its arm.

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
            on_row("too_few_runs", severity, row, detail, row.sources.iter().map(|s| s.to_string()).collect())
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
            Some(on_row(
                "high_cv",
                Severity::Warning,
                row,
                detail,
                row.sources.iter().map(|s| s.to_string()).collect(),
            ))
        })
        .collect::<Vec<_>>()
        .into()
}

/// `outlier`: each run whose modified z-score is above [`stats::MODIFIED_Z_THRESHOLD`] and that
/// lies more than [`stats::PRACTICAL_PCT`] from the median, when such runs are a minority and
/// the sample is not two clusters ([`stats::practical_outliers`]), named with its file and line
/// (a warning: the run is kept, the interval holds its spread).
pub(super) fn outlier(ctx: &Context<'_>) -> Findings {
    let mut checks = Vec::new();
    for row in primary_rows(ctx) {
        let Some(cell) = ctx.groups.get(&row.group).and_then(|g| g.cell(&row.metric, &row.platform)) else {
            continue;
        };
        let scores = stats::modified_z_scores(&row.values);
        let median = row.stats.median.unwrap_or(0.0);
        for i in stats::practical_outliers(&row.values, stats::PRACTICAL_PCT) {
            let (Some(o), Some(Some(z))) = (cell.ob(i), scores.scores.get(i)) else { continue };
            let off = if median != 0.0 {
                format!(
                    ", {:+.1}% from the median {}",
                    (o.value - median) / median.abs() * 100.0,
                    fmt_num(median)
                )
            } else {
                String::new()
            };
            let detail = format!(
                "{} = {} {} (run {} of {}) has a modified z-score of {:.1} (> {}){off}",
                row.metric,
                fmt_num(o.value),
                o.unit(),
                o.run(),
                o.source(),
                z,
                stats::MODIFIED_Z_THRESHOLD
            );
            let source = format!("{}:{}", o.source(), o.first_line());
            checks.push(on_row("outlier", Severity::Warning, row, detail, vec![source]));
        }
    }
    checks.into()
}

/// `drift`: a Mann–Kendall trend across the runs in file order, significant at the analysis'
/// level, whose size (Sen's slope over the runs, [`stats::drift_size_pct`]) exceeds
/// [`stats::PRACTICAL_PCT`] of the median, or has no size (a median of 0) (a warning: warm-up, throttling or a filling cache
/// can masquerade as overhead).
pub(super) fn drift(ctx: &Context<'_>) -> Findings {
    let alpha = 1.0 - ctx.cfg.confidence;
    primary_rows(ctx)
        .filter_map(|row| {
            let mk = stats::mann_kendall(&row.values)?;
            let trend = mk.drift(alpha)?;
            // No relative size when the median is 0: then significance alone decides.
            let size = stats::drift_size_pct(&row.values);
            if size.is_some_and(|s| s.abs() <= stats::PRACTICAL_PCT) {
                return None;
            }
            let by = size
                .map(|s| {
                    format!(", by {:.1}% of its median from the first run to the last (Sen's slope)", s.abs())
                })
                .unwrap_or_default();
            let detail = format!(
                "{} {} steadily across {} runs in file order{by} (Kendall tau-b {:.2}, p = {:.3}): \
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
            Some(on_row(
                "drift",
                Severity::Warning,
                row,
                detail,
                row.sources.iter().map(|s| s.to_string()).collect(),
            ))
        })
        .collect::<Vec<_>>()
        .into()
}

/// `bimodal`: the runs fall into two clusters ([`stats::bimodality`]): some runs were made
/// under other conditions than the rest (a warning: the mean and its interval describe neither
/// cluster).
pub(super) fn bimodal(ctx: &Context<'_>) -> Findings {
    let mut checks = Vec::new();
    for row in primary_rows(ctx) {
        let Some(cell) = ctx.groups.get(&row.group).and_then(|g| g.cell(&row.metric, &row.platform)) else {
            continue;
        };
        let Some(b) = stats::bimodality(&row.values) else { continue };
        let runs = |idx: &[usize]| -> String { run_list(idx.iter().filter_map(|&i| cell.ob(i))) };
        let detail = format!(
            "{} falls into two clusters: {} runs at or below {} {unit} ({}) and {} at or above {} {unit} \
             ({}), a gap of {} {unit}, more than {} times the spread within a cluster: the runs were \
             not made under the same conditions, and the mean describes neither cluster",
            row.metric,
            b.low.len(),
            fmt_num(b.low_max),
            runs(&b.low),
            b.high.len(),
            fmt_num(b.high_min),
            runs(&b.high),
            fmt_num(b.gap),
            stats::BIMODAL_GAP_FACTOR,
            unit = row.unit,
        );
        let sources: Vec<String> = b
            .low
            .iter()
            .chain(&b.high)
            .filter_map(|&i| cell.ob(i))
            .map(|o| format!("{}:{}", o.source(), o.first_line()))
            .collect();
        checks.push(on_row("bimodal", Severity::Warning, row, detail, sources));
    }
    checks.into()
}

/// Runs named by file, each file once: `runs 1, 2, 3, ... (25) of a.txt; run 4 of b.txt`.
fn run_list<'a>(obs: impl Iterator<Item = crate::analyse::ObsRef<'a>>) -> String {
    let mut by_source: Vec<(&str, Vec<u32>)> = Vec::new();
    for o in obs {
        match by_source.iter_mut().find(|(s, _)| *s == o.source()) {
            Some((_, runs)) => runs.push(o.run()),
            None => by_source.push((o.source(), vec![o.run()])),
        }
    }
    let one = |(source, runs): &(&str, Vec<u32>)| {
        let list: Vec<String> = runs.iter().take(3).map(u32::to_string).collect();
        match runs.len() {
            1 => format!("run {} of {source}", list[0]),
            n if n > 3 => format!("runs {}, ... ({n}) of {source}", list.join(", ")),
            _ => format!("runs {} of {source}", list.join(", ")),
        }
    };
    by_source.iter().map(one).collect::<Vec<_>>().join("; ")
}
