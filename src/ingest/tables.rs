//! The parsers' declarations for a metrics table written before they had columns of their own
//! (`role`, `subsystem`, `primary`, `percentile_of`, `percentile`, `time_limit`, and `kind`
//! before that): the table is read back into runs, each run's parser makes its declarations
//! again from what the table keeps ([`super::Parser::redeclare`]), and the missing columns are
//! added, so that analysing an old table gives what analysing its raw files gives.
//!
//! The rules, for each missing column (a column the table has is kept as it is):
//! - `kind`: [`super::declared_kind`] (also for an empty cell of a `kind` column);
//! - `role`, `subsystem`, `primary`, `time_limit`: the run's parser, by the table's `tool`,
//!   from the run's workload, params and metrics (a run of a tool no parser is named after:
//!   a benchmark in `application` without a primary metric). A monitor's log that shares its
//!   workload and params with a benchmark run was paired with it: it takes its subsystem;
//! - `percentile_of`, `percentile`: from the metric's name, which every parser spells
//!   `<distribution>_p<percentile>[_<decimals>]_<ms|us>` (`read_clat_p99_9_us`).
//!
//! Not here: reading the file (see [`crate::table`]) or analysing it.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use anyhow::Result;
use polars::prelude::{Column, DataFrame, DataType};

use crate::model::{Better, Metric, Params, Percentile, Role, Run, DECLARED_COLUMNS};

/// `df` with every declaration column it lacks (and every empty `kind`) filled in as the
/// parsers declare them; `df` itself when it has them all.
pub(crate) fn declare_table(df: DataFrame) -> Result<DataFrame> {
    let has = |name: &str| df.column(name).is_ok();
    let kind_cells = text(&df, "kind")?;
    let kind_missing = kind_cells.iter().any(|k| k.as_deref().is_none_or(str::is_empty));
    if DECLARED_COLUMNS.iter().all(|c| has(c)) && !kind_missing {
        return Ok(df);
    }
    let source = text(&df, "source")?;
    let run_no = text(&df, "run")?;
    let tool = text(&df, "tool")?;
    let workload = text(&df, "workload")?;
    let params = text(&df, "params")?;
    let metric = text(&df, "metric")?;
    let unit = text(&df, "unit")?;
    let better = text(&df, "better")?;
    let value: Vec<Option<f64>> = match df.column("value") {
        Ok(c) => c.cast(&DataType::Float64)?.f64()?.iter().collect(),
        Err(_) => vec![None; df.height()],
    };
    // The rows of each run, in table order.
    let mut order: Vec<Vec<usize>> = Vec::new();
    let mut index: HashMap<(Option<&str>, Option<&str>), usize> = HashMap::new();
    for i in 0..df.height() {
        let key = (source[i].as_deref(), run_no[i].as_deref());
        let at = *index.entry(key).or_insert_with(|| {
            order.push(Vec::new());
            order.len() - 1
        });
        order[at].push(i);
    }
    let cell = |col: &[Option<String>], i: usize| col[i].clone().unwrap_or_default();
    let mut runs: Vec<Run> = order
        .iter()
        .map(|rows| {
            let first = rows[0];
            let mut run = Run::new(&cell(&tool, first), cell(&workload, first), 1);
            run.params = parse_params(&cell(&params, first));
            for &i in rows {
                let (Some(name), Some(v)) = (metric[i].clone().filter(|m| !m.is_empty()), value[i]) else {
                    continue;
                };
                let b = better[i].as_deref().and_then(Better::parse).unwrap_or(Better::None);
                run.metrics.push(Metric::new(name, cell(&unit, i), b, v));
            }
            if let Ok(parser) = super::parser_named(&run.tool) {
                parser.redeclare(&mut run);
            }
            run
        })
        .collect();
    // A monitor's log in a benchmark's group was paired with it: the benchmark's subsystem.
    let bench: BTreeMap<(String, Params), _> = runs
        .iter()
        .filter(|r| r.role == Role::Benchmark)
        .map(|r| ((r.workload.clone(), r.params.clone()), r.subsystem))
        .collect();
    for r in runs.iter_mut().filter(|r| r.role == Role::Monitor) {
        if let Some(&s) = bench.get(&(r.workload.clone(), r.params.clone())) {
            r.subsystem = s;
        }
    }

    // The new cells, row by row.
    let n = df.height();
    let mut role = vec![""; n];
    let mut subsystem = vec![""; n];
    let mut primary: Vec<Option<bool>> = vec![None; n];
    let mut percentile_of: Vec<Option<String>> = vec![None; n];
    let mut percentile: Vec<Option<f64>> = vec![None; n];
    let mut time_limit: Vec<Option<bool>> = vec![None; n];
    let mut kind: Vec<Option<String>> = kind_cells;
    for (rows, run) in order.iter().zip(&runs) {
        for &i in rows {
            role[i] = run.role.as_str();
            subsystem[i] = run.subsystem.as_str();
            let Some(name) = metric[i].as_deref().filter(|m| !m.is_empty()) else { continue };
            let m = run.metrics.iter().find(|m| m.name == name);
            primary[i] = Some(run.primary.as_deref() == Some(name));
            time_limit[i] = Some(m.is_some_and(|m| m.time_limit));
            if let Some(p) = percentile_by_name(name) {
                percentile[i] = Some(p.p);
                percentile_of[i] = Some(p.of.into_owned());
            }
            if kind[i].as_deref().is_none_or(str::is_empty) {
                kind[i] = Some(super::declared_kind(&run.tool, name).as_str().to_string());
            }
        }
    }
    let mut df = df;
    let mut put = |col: Column| -> Result<()> {
        if !has_column(&df, col.name()) {
            df.with_column(col)?;
        }
        Ok(())
    };
    put(Column::new("role".into(), role))?;
    put(Column::new("subsystem".into(), subsystem))?;
    put(Column::new("primary".into(), primary))?;
    put(Column::new("percentile_of".into(), percentile_of))?;
    put(Column::new("percentile".into(), percentile))?;
    put(Column::new("time_limit".into(), time_limit))?;
    df.with_column(Column::new("kind".into(), kind))?;
    Ok(df)
}

fn has_column(df: &DataFrame, name: &str) -> bool {
    df.column(name).is_ok()
}

/// Column `name` as text, one cell per row (all `None` when the table lacks it).
fn text(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    match df.column(name) {
        Ok(c) => Ok(c.cast(&DataType::String)?.str()?.iter().map(|v| v.map(str::to_string)).collect()),
        Err(_) => Ok(vec![None; df.height()]),
    }
}

/// Params from their canonical string (`key=value;...`, [`crate::model::params_string`]).
fn parse_params(s: &str) -> Params {
    s.split(';')
        .filter(|kv| !kv.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (kv.to_string(), String::new()),
        })
        .collect()
}

/// The percentile a metric name spells (`read_clat_p99_9_us`: 99.9 of `read_clat`), as every
/// parser names its percentiles; for tables written before the parsers declared them.
pub(crate) fn percentile_by_name(name: &str) -> Option<Percentile> {
    let rest = name.strip_suffix("_ms").or_else(|| name.strip_suffix("_us"))?;
    let (of, p) = rest.rsplit_once("_p")?;
    if of.is_empty() || p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return None;
    }
    let p: f64 = p.replacen('_', ".", 1).parse().ok()?;
    (p > 0.0 && p < 100.0).then(|| Percentile::new(Cow::Owned(of.to_string()), p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_name() {
        let p = |n: &str| percentile_by_name(n).map(|p| (p.of.into_owned(), p.p));
        assert_eq!(p("read_clat_p99_9_us"), Some(("read_clat".into(), 99.9)));
        assert_eq!(p("latency_p50_ms"), Some(("latency".into(), 50.0)));
        assert_eq!(p("latency_p99_999_ms"), Some(("latency".into(), 99.999)));
        assert_eq!(p("latency_avg_ms"), None);
        assert_eq!(p("_p50_ms"), None);
        assert_eq!(p("latency_p100_ms"), None);
        assert_eq!(p("cpu_pct_mean"), None);
    }

    #[test]
    fn params_round_trip() {
        let mut want = Params::new();
        want.insert("cpu-max-prime".into(), "20000".into());
        want.insert("threads".into(), "2".into());
        assert_eq!(parse_params(&crate::model::params_string(&want)), want);
        assert_eq!(parse_params(""), Params::new());
    }
}
