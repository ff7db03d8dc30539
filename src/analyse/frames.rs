//! Polars conversions of the analysis (moving to `crate::table`).

use std::collections::BTreeSet;

use anyhow::{bail, Context, Result};
use polars::prelude::{df, DataFrame, DataType, PolarsResult};

use super::input::{arm_name, Dataset, Obs, RunIssue};
use super::Analysis;
use crate::model::{Better, Declared, Kind, Percentile, Role, Subsystem};

impl Dataset {
    /// Builds a dataset from a metrics table written by `virtperf ingest` (columns
    /// [`crate::model::METRIC_COLUMNS`]; `platform_detail`, `first_line`, `repetition`, `run`,
    /// `kind` and the declarations [`crate::model::DECLARED_COLUMNS`] may be absent). A table
    /// written before the declaration columns existed gets them from the parsers first
    /// (`ingest::declare_table`, which `commands` calls); here a missing one means a
    /// performance metric of a benchmark run, in subsystem `application`, neither primary nor a
    /// percentile nor a time limit.
    pub fn from_frame(df: &DataFrame) -> Result<Dataset> {
        let text = |name: &str| -> Result<Vec<Option<String>>> {
            let col = df.column(name).with_context(|| format!("the table has no '{name}' column"))?;
            let col = col.cast(&DataType::String)?;
            Ok(col.str()?.iter().map(|v| v.map(str::to_string)).collect())
        };
        let opt_text = |name: &str| -> Result<Vec<Option<String>>> {
            if df.column(name).is_ok() {
                text(name)
            } else {
                Ok(vec![None; df.height()])
            }
        };
        let num = |name: &str| -> Result<Vec<Option<f64>>> {
            match df.column(name) {
                Ok(col) => Ok(col.cast(&DataType::Float64)?.f64()?.iter().collect()),
                Err(_) => Ok(vec![None; df.height()]),
            }
        };
        let source = text("source")?;
        let tool = opt_text("tool")?;
        let version = opt_text("tool_version")?;
        let workload = text("workload")?;
        let params = opt_text("params")?;
        let platform = text("platform")?;
        let detail = opt_text("platform_detail")?;
        let origin = opt_text("label_origin")?;
        let metric = opt_text("metric")?;
        let issues = opt_text("issues")?;
        let unit = opt_text("unit")?;
        let better = text("better")?;
        let kind = opt_text("kind")?;
        let role = opt_text("role")?;
        let subsystem = opt_text("subsystem")?;
        let primary = opt_text("primary")?;
        let percentile_of = opt_text("percentile_of")?;
        let percentile = num("percentile")?;
        let time_limit = opt_text("time_limit")?;
        let value = num("value")?;
        let run = num("run")?;
        let rep = num("repetition")?;
        let first = num("first_line")?;
        if df.column("value").is_err() {
            bail!("the table has no 'value' column");
        }
        let mut ds = Dataset::default();
        let mut unlabelled = BTreeSet::new();
        for i in 0..df.height() {
            let arm =
                || arm_name(platform[i].as_deref().unwrap_or("unknown"), detail[i].as_deref().unwrap_or(""));
            if let Some(cell) = issues[i].as_deref().filter(|c| !c.is_empty()) {
                let list: Vec<crate::model::LogIssue> = serde_json::from_str(cell)
                    .with_context(|| format!("row {}: 'issues' is not the JSON list ingest writes", i + 2))?;
                for issue in list {
                    ds.issues.push(RunIssue {
                        source: source[i].clone().unwrap_or_default(),
                        line: issue.line,
                        workload: workload[i].clone().unwrap_or_default(),
                        params: params[i].clone().unwrap_or_default(),
                        stratum: String::new(),
                        arm: arm(),
                        kind: issue.kind,
                        message: issue.message,
                    });
                }
            }
            let Some(v) = value[i].filter(|v| v.is_finite()) else { continue };
            let b = better[i]
                .as_deref()
                .and_then(Better::parse)
                .with_context(|| format!("row {}: 'better' must be higher, lower or none", i + 2))?;
            let tool = tool[i].clone().unwrap_or_default();
            let metric = metric[i].clone().unwrap_or_default();
            let kind = match kind[i].as_deref().filter(|k| !k.is_empty()) {
                Some(k) => Kind::parse(k).with_context(|| {
                    format!("row {}: 'kind' must be performance or resource, not '{k}'", i + 2)
                })?,
                None => Kind::Performance,
            };
            let cell = |col: &[Option<String>]| col[i].clone().filter(|c| !c.is_empty());
            let bad = |name: &str, want: &str, got: &str| {
                anyhow::anyhow!("row {}: '{name}' must be {want}, not '{got}'", i + 2)
            };
            let flag = |col: &[Option<String>], name: &str| match cell(col).as_deref() {
                Some("true") => Ok(true),
                Some("false") | None => Ok(false),
                Some(w) => Err(bad(name, "true or false", w)),
            };
            let declared = Declared {
                role: match cell(&role) {
                    Some(w) => Role::parse(&w).ok_or_else(|| bad("role", "benchmark or monitor", &w))?,
                    None => Role::default(),
                },
                subsystem: match cell(&subsystem) {
                    Some(w) => Subsystem::parse(&w)
                        .ok_or_else(|| bad("subsystem", "cpu, memory, disk, network or application", &w))?,
                    None => Subsystem::default(),
                },
                primary: flag(&primary, "primary")?,
                percentile: cell(&percentile_of).zip(percentile[i]).map(|(of, p)| Percentile::new(of, p)),
                time_limit: flag(&time_limit, "time_limit")?,
            };
            let src = source[i].clone().unwrap_or_default();
            if origin[i].as_deref() == Some("unknown") {
                unlabelled.insert(src.clone());
            }
            ds.obs.push(Obs {
                source: src,
                run: run[i].unwrap_or(1.0) as u32,
                tool,
                tool_version: version[i].clone().filter(|s| !s.is_empty()),
                workload: workload[i].clone().unwrap_or_default(),
                params: params[i].clone().unwrap_or_default(),
                arm: arm(),
                stratum: String::new(),
                repetition: rep[i].unwrap_or(1.0) as u32,
                first_line: first[i].unwrap_or(0.0) as u64,
                metric,
                unit: unit[i].clone().unwrap_or_default(),
                better: b,
                kind,
                value: v,
                declared,
            });
        }
        ds.unlabelled = unlabelled.into_iter().collect();
        Ok(ds)
    }
}

/// `summary.csv`.
pub fn summary(a: &Analysis) -> PolarsResult<DataFrame> {
    let r = &a.summary;
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
        "sources" => r.iter().map(|x| x.sources.join(" ")).collect::<Vec<_>>(),
    )
}

/// `overhead.csv`.
pub fn overhead(a: &Analysis) -> PolarsResult<DataFrame> {
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
        "verdict" => r.iter().map(|x| x.verdict.as_str()).collect::<Vec<_>>(),
        "failed_checks" => r.iter().map(|x| x.failed_checks.join(" ")).collect::<Vec<_>>(),
        "warning_checks" => r.iter().map(|x| x.warning_checks.join(" ")).collect::<Vec<_>>(),
    )
}

/// `checks.csv`.
pub fn checks(a: &Analysis) -> PolarsResult<DataFrame> {
    let r = &a.checks;
    df!(
        "check" => r.iter().map(|x| x.check).collect::<Vec<_>>(),
        "severity" => r.iter().map(|x| x.severity.as_str()).collect::<Vec<_>>(),
        "workload" => r.iter().map(|x| x.workload.as_str()).collect::<Vec<_>>(),
        "platform" => r.iter().map(|x| x.platform.as_str()).collect::<Vec<_>>(),
        "detail" => r.iter().map(|x| x.detail.as_str()).collect::<Vec<_>>(),
        "sources" => r.iter().map(|x| x.sources.join(" ")).collect::<Vec<_>>(),
    )
}

/// `subsystems.csv`.
pub fn subsystems(a: &Analysis) -> PolarsResult<DataFrame> {
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
