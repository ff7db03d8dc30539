//! The parsers' declarations for a metrics table written before they had columns of their own
//! (`role`, `subsystem`, `primary`, `percentile_of`, `percentile`, `time_limit`, and `kind`
//! before that): the table is read back into runs, each run's parser makes its declarations
//! again from what the table keeps ([`super::Parser::redeclare`]), and `crate::table` adds the
//! missing columns, so that analysing an old table gives what analysing its raw files gives.
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
//! Not here: reading the table or adding its columns (see [`crate::table`]), or analysing it.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use crate::model::group::parse_params;
use crate::model::{Better, Metric, Params, Percentile, Role, Run};

/// The cells of a metrics table the declarations are made from, one per row (`None` for an
/// empty cell, or every cell of a column the table lacks).
pub(crate) struct TableCells {
    /// `source`.
    pub source: Vec<Option<String>>,
    /// `run`.
    pub run: Vec<Option<String>>,
    /// `tool`.
    pub tool: Vec<Option<String>>,
    /// `workload`.
    pub workload: Vec<Option<String>>,
    /// `params`.
    pub params: Vec<Option<String>>,
    /// `metric`.
    pub metric: Vec<Option<String>>,
    /// `unit`.
    pub unit: Vec<Option<String>>,
    /// `better`.
    pub better: Vec<Option<String>>,
    /// `value`.
    pub value: Vec<Option<f64>>,
    /// `kind`.
    pub kind: Vec<Option<String>>,
}

/// The declaration columns of a metrics table, one cell per row of its [`TableCells`].
pub(crate) struct Declarations {
    /// `role` of each row's run.
    pub role: Vec<&'static str>,
    /// `subsystem` of each row's run.
    pub subsystem: Vec<&'static str>,
    /// `primary`: whether the row's metric is its run's primary metric (`None` on a row
    /// without a metric).
    pub primary: Vec<Option<bool>>,
    /// `percentile_of`.
    pub percentile_of: Vec<Option<String>>,
    /// `percentile`.
    pub percentile: Vec<Option<f64>>,
    /// `time_limit` (`None` on a row without a metric).
    pub time_limit: Vec<Option<bool>>,
    /// `kind`: the cell as it was, or the declared kind where it was empty.
    pub kind: Vec<Option<String>>,
}

/// The declarations of every row of `t`, made by the parser of each row's run as it makes them
/// while parsing.
pub(crate) fn declare_table(t: TableCells) -> Declarations {
    let n = t.source.len();
    // The rows of each run, in table order.
    let mut order: Vec<Vec<usize>> = Vec::new();
    let mut index: HashMap<(Option<&str>, Option<&str>), usize> = HashMap::new();
    for i in 0..n {
        let key = (t.source[i].as_deref(), t.run[i].as_deref());
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
            let mut run = Run::new(&cell(&t.tool, first), cell(&t.workload, first), 1);
            run.params = parse_params(&cell(&t.params, first));
            for &i in rows {
                let (Some(name), Some(v)) = (t.metric[i].clone().filter(|m| !m.is_empty()), t.value[i])
                else {
                    continue;
                };
                let b = t.better[i].as_deref().and_then(Better::parse).unwrap_or(Better::None);
                run.metrics.push(Metric::new(name, cell(&t.unit, i), b, v));
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
    let mut d = Declarations {
        role: vec![""; n],
        subsystem: vec![""; n],
        primary: vec![None; n],
        percentile_of: vec![None; n],
        percentile: vec![None; n],
        time_limit: vec![None; n],
        kind: t.kind,
    };
    for (rows, run) in order.iter().zip(&runs) {
        for &i in rows {
            d.role[i] = run.role.as_str();
            d.subsystem[i] = run.subsystem.as_str();
            let Some(name) = t.metric[i].as_deref().filter(|m| !m.is_empty()) else { continue };
            let m = run.metrics.iter().find(|m| m.name == name);
            d.primary[i] = Some(run.primary.as_deref() == Some(name));
            d.time_limit[i] = Some(m.is_some_and(|m| m.time_limit));
            if let Some(p) = percentile_by_name(name) {
                d.percentile[i] = Some(p.p);
                d.percentile_of[i] = Some(p.of.into_owned());
            }
            if d.kind[i].as_deref().is_none_or(str::is_empty) {
                d.kind[i] = Some(super::declared_kind(&run.tool, name).as_str().to_string());
            }
        }
    }
    d
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
