//! An analysis to its four tables: `summary.csv`, `overhead.csv`, `checks.csv` and
//! `subsystems.csv` (one frame per table, one column per field of the analysis' rows).

use std::path::Path;

use anyhow::{Context, Result};
use polars::prelude::{df, DataFrame, PolarsResult};

use crate::analyse::{Analysis, SummaryRow};

/// Writes summary.csv, overhead.csv, checks.csv and subsystems.csv of `a` into `dir`.
pub(crate) fn write_analysis(a: &Analysis, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("could not create folder '{}'", dir.display()))?;
    super::write_frame(summary(&a.summary)?, &dir.join("summary.csv"))?;
    super::write_frame(overhead(a)?, &dir.join("overhead.csv"))?;
    super::write_frame(checks(a)?, &dir.join("checks.csv"))?;
    super::write_frame(subsystems(a)?, &dir.join("subsystems.csv"))?;
    Ok(())
}

/// `summary.csv` of the rows `r` (a row lists at most [`SOURCES_LISTED`] files, so the table
/// stays small however many rows the analysis read).
fn summary(r: &[SummaryRow]) -> PolarsResult<DataFrame> {
    df!(
        "workload" => r.iter().map(|x| x.workload.as_str()).collect::<Vec<_>>(),
        "params" => r.iter().map(|x| x.params.as_str()).collect::<Vec<_>>(),
        "metric" => r.iter().map(|x| x.metric.as_str()).collect::<Vec<_>>(),
        "unit" => r.iter().map(|x| x.unit.as_str()).collect::<Vec<_>>(),
        "better" => r.iter().map(|x| x.better.as_str()).collect::<Vec<_>>(),
        "kind" => r.iter().map(|x| x.kind.as_str()).collect::<Vec<_>>(),
        "platform" => r.iter().map(|x| x.platform.as_str()).collect::<Vec<_>>(),
        "stratum" => r.iter().map(|x| x.stratum.as_str()).collect::<Vec<_>>(),
        "primary" => r.iter().map(|x| x.primary).collect::<Vec<_>>(),
        "n" => r.iter().map(|x| x.stats.n as u32).collect::<Vec<_>>(),
        "mean" => r.iter().map(|x| x.stats.mean).collect::<Vec<_>>(),
        "sd" => r.iter().map(|x| x.stats.sd).collect::<Vec<_>>(),
        "median" => r.iter().map(|x| x.stats.median).collect::<Vec<_>>(),
        "min" => r.iter().map(|x| x.stats.min).collect::<Vec<_>>(),
        "max" => r.iter().map(|x| x.stats.max).collect::<Vec<_>>(),
        "cv_pct" => r.iter().map(|x| x.stats.cv_pct).collect::<Vec<_>>(),
        "ci_low" => r.iter().map(|x| x.stats.ci_low).collect::<Vec<_>>(),
        "ci_high" => r.iter().map(|x| x.stats.ci_high).collect::<Vec<_>>(),
        "files" => r.iter().map(|x| x.sources.len() as u32).collect::<Vec<_>>(),
        "sources" => r.iter().map(|x| listed_sources(&x.sources)).collect::<Vec<_>>(),
    )
}

/// Most sources a summary row or a check lists: a campaign's cell comes from a few to a few
/// dozen files; one pooled over a store's campaigns from thousands (1,000 campaigns: 10.8
/// million names in all, 790 MB, more than the data; a check of such a cell, 20,000 names in
/// one cell of 1.3 MB, more than a spreadsheet's cell holds). Those are left to the store's
/// `source` column and catalog; `files` and `sources_n` count them.
const SOURCES_LISTED: usize = 100;

/// A summary row's or a check's `sources`: space-separated, or nothing beyond
/// [`SOURCES_LISTED`].
fn listed_sources<S: std::borrow::Borrow<str>>(sources: &[S]) -> String {
    if sources.len() > SOURCES_LISTED {
        return String::new();
    }
    sources.join(" ")
}

/// `overhead.csv`.
fn overhead(a: &Analysis) -> PolarsResult<DataFrame> {
    let r = &a.overhead;
    df!(
        "workload" => r.iter().map(|x| x.workload.as_str()).collect::<Vec<_>>(),
        "params" => r.iter().map(|x| x.params.as_str()).collect::<Vec<_>>(),
        "metric" => r.iter().map(|x| x.metric.as_str()).collect::<Vec<_>>(),
        "unit" => r.iter().map(|x| x.unit.as_str()).collect::<Vec<_>>(),
        "better" => r.iter().map(|x| x.better.as_str()).collect::<Vec<_>>(),
        "kind" => r.iter().map(|x| x.kind.as_str()).collect::<Vec<_>>(),
        "platform" => r.iter().map(|x| x.platform.as_str()).collect::<Vec<_>>(),
        "stratum" => r.iter().map(|x| x.stratum.as_str()).collect::<Vec<_>>(),
        "baseline" => r.iter().map(|x| x.baseline.as_str()).collect::<Vec<_>>(),
        "primary" => r.iter().map(|x| x.primary).collect::<Vec<_>>(),
        "n" => r.iter().map(|x| x.n as u32).collect::<Vec<_>>(),
        "baseline_n" => r.iter().map(|x| x.baseline_n as u32).collect::<Vec<_>>(),
        "mean" => r.iter().map(|x| x.mean).collect::<Vec<_>>(),
        "baseline_mean" => r.iter().map(|x| x.baseline_mean).collect::<Vec<_>>(),
        "ratio" => r.iter().map(|x| x.ratio).collect::<Vec<_>>(),
        "overhead_pct" => r.iter().map(|x| x.overhead_pct).collect::<Vec<_>>(),
        "ci_low_pct" => r.iter().map(|x| x.ci_low_pct).collect::<Vec<_>>(),
        "ci_high_pct" => r.iter().map(|x| x.ci_high_pct).collect::<Vec<_>>(),
        "change_pct" => r.iter().map(|x| x.change_pct).collect::<Vec<_>>(),
        "change_ci_low_pct" => r.iter().map(|x| x.change_ci_low_pct).collect::<Vec<_>>(),
        "change_ci_high_pct" => r.iter().map(|x| x.change_ci_high_pct).collect::<Vec<_>>(),
        "cost_ratio" => r.iter().map(|x| x.cost_ratio).collect::<Vec<_>>(),
        "cost_ratio_ci_low" => r.iter().map(|x| x.cost_ratio_ci_low).collect::<Vec<_>>(),
        "cost_ratio_ci_high" => r.iter().map(|x| x.cost_ratio_ci_high).collect::<Vec<_>>(),
        "p_value" => r.iter().map(|x| x.p_value).collect::<Vec<_>>(),
        "p_adjusted" => r.iter().map(|x| x.p_adjusted).collect::<Vec<_>>(),
        "equivalence_p" => r.iter().map(|x| x.equivalence_p).collect::<Vec<_>>(),
        "equivalence_p_adjusted" => r.iter().map(|x| x.equivalence_p_adjusted).collect::<Vec<_>>(),
        "detectable_pct" => r.iter().map(|x| x.detectable_pct).collect::<Vec<_>>(),
        "runs_to_detect" => r.iter().map(|x| x.runs_to_detect.map(|n| n as u64)).collect::<Vec<_>>(),
        "resolution" => r.iter().map(|x| x.resolution).collect::<Vec<_>>(),
        "paired_n" => r.iter().map(|x| x.paired_n.map(|n| n as u64)).collect::<Vec<_>>(),
        "paired_change_pct" => r.iter().map(|x| x.paired_change_pct).collect::<Vec<_>>(),
        "paired_change_ci_low_pct" => r.iter().map(|x| x.paired_change_ci_low_pct).collect::<Vec<_>>(),
        "paired_change_ci_high_pct" => r.iter().map(|x| x.paired_change_ci_high_pct).collect::<Vec<_>>(),
        "paired_p_value" => r.iter().map(|x| x.paired_p_value).collect::<Vec<_>>(),
        "median_change_pct" => r.iter().map(|x| x.median_change_pct).collect::<Vec<_>>(),
        "median_change_ci_low_pct" => r.iter().map(|x| x.median_change_ci_low_pct).collect::<Vec<_>>(),
        "median_change_ci_high_pct" => r.iter().map(|x| x.median_change_ci_high_pct).collect::<Vec<_>>(),
        "verdict" => r.iter().map(|x| x.verdict.as_str()).collect::<Vec<_>>(),
        "failed_checks" => r.iter().map(|x| x.failed_checks.join(" ")).collect::<Vec<_>>(),
        "warning_checks" => r.iter().map(|x| x.warning_checks.join(" ")).collect::<Vec<_>>(),
    )
}

/// `checks.csv` (a check lists at most [`SOURCES_LISTED`] sources, and counts them).
fn checks(a: &Analysis) -> PolarsResult<DataFrame> {
    let r = &a.checks;
    df!(
        "check" => r.iter().map(|x| x.check).collect::<Vec<_>>(),
        "severity" => r.iter().map(|x| x.severity.as_str()).collect::<Vec<_>>(),
        "workload" => r.iter().map(|x| x.workload.as_str()).collect::<Vec<_>>(),
        "platform" => r.iter().map(|x| x.platform.as_str()).collect::<Vec<_>>(),
        "detail" => r.iter().map(|x| x.detail.as_str()).collect::<Vec<_>>(),
        "sources_n" => r.iter().map(|x| x.sources.len() as u32).collect::<Vec<_>>(),
        "sources" => r.iter().map(|x| listed_sources(&x.sources)).collect::<Vec<_>>(),
    )
}

/// `subsystems.csv`.
fn subsystems(a: &Analysis) -> PolarsResult<DataFrame> {
    let r = &a.subsystems;
    df!(
        "subsystem" => r.iter().map(|x| x.subsystem.as_str()).collect::<Vec<_>>(),
        "platform" => r.iter().map(|x| x.platform.as_str()).collect::<Vec<_>>(),
        "stratum" => r.iter().map(|x| x.stratum.as_str()).collect::<Vec<_>>(),
        "baseline" => r.iter().map(|x| x.baseline.as_str()).collect::<Vec<_>>(),
        "geomean_cost_ratio" => r.iter().map(|x| x.geomean_cost_ratio).collect::<Vec<_>>(),
        "overhead_pct" => r.iter().map(|x| x.overhead_pct).collect::<Vec<_>>(),
        "comparisons" => r.iter().map(|x| x.comparisons as u32).collect::<Vec<_>>(),
        "workloads" => r.iter().map(|x| x.workloads.join(" ")).collect::<Vec<_>>(),
        "not_judged" => r.iter().map(|x| x.not_judged.join(" ")).collect::<Vec<_>>(),
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{listed_sources, SOURCES_LISTED};

    /// Up to 100 sources are listed, space-separated; a cell or check of more lists none
    /// (`files`, `sources_n` count them).
    #[test]
    fn sources_are_listed_up_to_the_limit() {
        let files: Vec<Arc<str>> = (0..=SOURCES_LISTED).map(|i| Arc::from(format!("d/rep{i}.txt"))).collect();
        let listed = listed_sources(&files[..SOURCES_LISTED]);
        assert_eq!(listed.split(' ').count(), 100);
        assert!(listed.starts_with("d/rep0.txt d/rep1.txt "));
        assert_eq!(listed_sources(&files), "");
        assert_eq!(listed_sources::<Arc<str>>(&[]), "");
        // A check's sources, files or lines of files, the same way.
        assert_eq!(
            listed_sources(&["d/rep1.txt:12".to_string(), "d/rep2.txt".to_string()]),
            "d/rep1.txt:12 d/rep2.txt"
        );
        let lines: Vec<String> = (0..=SOURCES_LISTED).map(|i| format!("d/rep{i}.txt:12")).collect();
        assert_eq!(listed_sources(&lines), "");
    }
}
