//! The per-subsystem summary: per (subsystem, stratum, platform), the geometric mean of the
//! cost ratios of the workloads' primary metrics ([`SubsystemRow`]). A group's subsystem is the
//! one its runs declare ([`declared`]).

use std::collections::{BTreeMap, BTreeSet};

use super::input::Dataset;
use super::output::{OverheadRow, SubsystemRow};
use crate::model::{GroupId, Role, Subsystem};
use crate::stats;

/// The subsystem of each group, as its runs declare it: its benchmark runs' declaration, else
/// its monitors' logs'; of several, the first in [`Subsystem`]'s order (whatever the order of
/// the observations: the analysis puts them cell by cell).
pub(crate) fn declared(ds: &Dataset) -> BTreeMap<GroupId, Subsystem> {
    // Each group's place in `found` is looked up once per setting of the runs (which names
    // the group), not once per observation.
    let mut at: BTreeMap<(&str, &str, &str), usize> = BTreeMap::new();
    let mut found: Vec<(Role, Subsystem)> = Vec::new();
    let mut of_setting: Vec<Option<usize>> = vec![None; ds.settings.len()];
    for o in ds.iter() {
        let d = (o.declared().role, o.declared().subsystem);
        let i = *of_setting[o.run_info.setting as usize].get_or_insert_with(|| {
            *at.entry((o.workload(), o.params(), o.stratum())).or_insert_with(|| {
                found.push(d);
                found.len() - 1
            })
        });
        if d < found[i] {
            found[i] = d;
        }
    }
    at.into_iter().map(|((w, p, s), i)| (GroupId::from_canonical(w, p, s), found[i].1)).collect()
}

/// (subsystem, stratum, platform) -> (cost ratios, workloads covered, workloads not judged).
type SubsystemAcc = BTreeMap<(String, String, String), (Vec<f64>, BTreeSet<String>, BTreeSet<String>)>;

/// One row per (subsystem, stratum, platform) with at least one primary metric's cost ratio.
pub(crate) fn subsystem_rows(
    overhead: &[OverheadRow],
    baseline: &str,
    subsystem_of: &BTreeMap<GroupId, Subsystem>,
) -> Vec<SubsystemRow> {
    let mut acc = SubsystemAcc::new();
    for row in overhead.iter().filter(|r| r.primary) {
        let Some(cost) = row.ratio.and_then(|q| stats::cost_ratio(q, row.better)) else { continue };
        let subsystem = subsystem_of.get(&row.group).copied().unwrap_or_default();
        let e = acc
            .entry((subsystem.as_str().to_string(), row.stratum.clone(), row.platform.clone()))
            .or_default();
        e.0.push(cost);
        e.1.insert(row.workload.clone());
        if !row.failed_checks.is_empty() {
            e.2.insert(row.workload.clone());
        }
    }
    acc.into_iter()
        .filter_map(|((sub, stratum, platform), (costs, workloads, not_judged))| {
            let g = stats::geometric_mean(&costs)?;
            Some(SubsystemRow {
                subsystem: sub,
                platform,
                stratum,
                baseline: baseline.to_string(),
                geomean_cost_ratio: g,
                // The headline's orientation: 1 - q for a throughput (q = mean / baseline),
                // so one workload's row reads as its headline overhead (+86%, not +637%).
                overhead_pct: (1.0 - 1.0 / g) * 100.0,
                comparisons: costs.len(),
                workloads: workloads.into_iter().collect(),
                not_judged: not_judged.into_iter().collect(),
            })
        })
        .collect()
}
