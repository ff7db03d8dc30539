//! Summarise: the observations grouped by ([`GroupId`], metric, arm), each group's primary
//! metric as its runs declare it, and each cell's statistics.
//!
//! A *group* is one workload with one params set in one stratum; a *cell* is one metric of a
//! group on one arm, the unit every statistic is computed on. Groups are ordered as the tables
//! print them (by workload, canonical params, stratum), cells by metric then arm, and a cell's
//! observations in run order: file by file (`rep2` before `rep10`), then in the file.

use std::collections::{BTreeMap, BTreeSet};

use super::input::{Dataset, Obs};
use super::output::SummaryRow;
use crate::model::{GroupId, Role};
use crate::stats;

/// One metric of one group on one arm.
#[derive(Debug, Clone)]
pub(crate) struct Cell<'a> {
    /// The observations, in run order.
    pub obs: Vec<&'a Obs>,
    /// Their statistics.
    pub stats: stats::Summary,
}

impl<'a> Cell<'a> {
    /// The cell of `obs`, put in run order (for the drift check: file by file, `rep2` before
    /// `rep10`, then in the file), summarised at `confidence`.
    fn of(mut obs: Vec<&'a Obs>, confidence: f64) -> Cell<'a> {
        obs.sort_by(|a, b| natural_cmp(&a.source, &b.source).then(a.run.cmp(&b.run)));
        let values: Vec<f64> = obs.iter().map(|o| o.value).collect();
        Cell { stats: stats::Summary::of(&values, confidence), obs }
    }

    /// The values, in run order.
    pub fn values(&self) -> Vec<f64> {
        self.obs.iter().map(|o| o.value).collect()
    }

    /// The source files, sorted and each once.
    pub fn sources(&self) -> Vec<String> {
        self.obs.iter().map(|o| o.source.clone()).collect::<BTreeSet<_>>().into_iter().collect()
    }
}

/// The cells of one (workload, params, stratum) group.
#[derive(Debug, Clone, Default)]
pub(crate) struct Group<'a> {
    /// Each metric's cells, by arm.
    pub metrics: BTreeMap<&'a str, BTreeMap<&'a str, Cell<'a>>>,
    /// The group's primary metric, as its runs declare it ([`declared_primary`]).
    pub primary: Option<&'a str>,
}

impl<'a> Group<'a> {
    /// Returns true if and only if `metric` is the group's primary metric.
    pub fn is_primary(&self, metric: &str) -> bool {
        self.primary == Some(metric)
    }

    /// Every cell as (metric, arm, cell), by metric then arm.
    pub fn cells(&self) -> impl Iterator<Item = (&'a str, &'a str, &Cell<'a>)> + '_ {
        self.metrics
            .iter()
            .flat_map(|(&metric, arms)| arms.iter().map(move |(&arm, cell)| (metric, arm, cell)))
    }

    /// The cell of `metric` on `arm`, if the group has one.
    pub fn cell(&self, metric: &str, arm: &str) -> Option<&Cell<'a>> {
        self.metrics.get(metric)?.get(arm)
    }
}

/// Every group of a dataset.
pub(crate) type Groups<'a> = BTreeMap<GroupId, Group<'a>>;

/// The observations of `ds` grouped into cells, each cell summarised at `confidence`, and each
/// group's primary metric.
pub(crate) fn groups(ds: &Dataset, confidence: f64) -> Groups<'_> {
    // Grouped by the strings first: a GroupId is made once per group, not once per value.
    type ByName<'a> =
        BTreeMap<(&'a str, &'a str, &'a str), BTreeMap<&'a str, BTreeMap<&'a str, Vec<&'a Obs>>>>;
    let mut by_name = ByName::new();
    for o in &ds.obs {
        let g = by_name.entry((o.workload.as_str(), o.params.as_str(), o.stratum.as_str())).or_default();
        g.entry(o.metric.as_str()).or_default().entry(o.arm.as_str()).or_default().push(o);
    }
    by_name
        .into_iter()
        .map(|((w, p, s), metrics)| {
            let metrics = metrics
                .into_iter()
                .map(|(m, arms)| {
                    (m, arms.into_iter().map(|(a, obs)| (a, Cell::of(obs, confidence))).collect())
                })
                .collect();
            let mut group = Group { metrics, primary: None };
            group.primary = declared_primary(&group);
            (GroupId::from_canonical(w, p, s), group)
        })
        .collect()
}

/// One [`SummaryRow`] per cell, in the order of the groups and cells.
pub(crate) fn summary_rows(groups: &Groups<'_>) -> Vec<SummaryRow> {
    let mut rows = Vec::new();
    for (g, group) in groups {
        for (metric, arm, cell) in group.cells() {
            let first = cell.obs[0];
            rows.push(SummaryRow {
                group: g.clone(),
                workload: g.workload().to_string(),
                params: g.params_string().to_string(),
                metric: metric.to_string(),
                unit: first.unit.clone(),
                better: first.better,
                kind: first.kind,
                platform: arm.to_string(),
                stratum: g.stratum().to_string(),
                primary: group.is_primary(metric),
                percentile: first.declared.percentile.clone(),
                stats: cell.stats.clone(),
                values: cell.values(),
                sources: cell.sources(),
            });
        }
    }
    rows
}

/// The primary metric of a group: the one its runs declare ([`crate::model::Run::primary`]), a
/// benchmark's declaration before a monitor's (a pidstat log paired with the benchmark's runs
/// declares its own); of several, the one the most runs declare, then the first by name. One
/// whose every value in the group, on every arm, is 0 is taken only when no other is declared
/// (the parsers pass over a metric a run measured as 0, so this needs all runs).
fn declared_primary<'a>(group: &Group<'a>) -> Option<&'a str> {
    // metric -> (declared by a monitor only, runs declaring it).
    let mut votes: BTreeMap<&'a str, (bool, usize)> = BTreeMap::new();
    for (metric, _, cell) in group.cells() {
        for o in cell.obs.iter().filter(|o| o.declared.primary) {
            let vote = votes.entry(metric).or_insert((true, 0));
            vote.0 &= o.declared.role == Role::Monitor;
            vote.1 += 1;
        }
    }
    let best = votes.into_iter().min_by_key(|&(m, (monitor, runs))| {
        (zero_in_every_run(group, m), monitor, std::cmp::Reverse(runs), m)
    })?;
    Some(best.0)
}

/// Returns true if and only if every value of `metric` in `group`, on every arm, is 0.
fn zero_in_every_run(group: &Group<'_>, metric: &str) -> bool {
    group
        .metrics
        .get(metric)
        .is_some_and(|arms| arms.values().all(|cell| cell.obs.iter().all(|o| o.value == 0.0)))
}

pub(crate) use crate::text::natural_cmp;

#[cfg(test)]
mod tests {
    use super::natural_cmp;

    #[test]
    fn digit_runs_compare_as_numbers() {
        let mut v = vec!["d/rep10.txt", "d/rep2.txt", "d/rep1.txt", "c/rep3.txt", "d/rep02.txt"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["c/rep3.txt", "d/rep1.txt", "d/rep02.txt", "d/rep2.txt", "d/rep10.txt"]);
    }
}
