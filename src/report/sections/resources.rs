//! The resources part of a workload section: the resource metrics (`Kind::Resource`: pidstat's,
//! and those a benchmark reports of its own processes) apart from the benchmark's, with the
//! value inside the platform and the one measured on the host (a host-side pidstat log: the
//! container runtime's or the QEMU process's, whose metrics ingest names `host_...`) side by
//! side per arm.

use std::collections::BTreeSet;

use crate::analyse::{OverheadRow, SummaryRow};
use crate::model::{Better, Kind};
use crate::report::context::{ResourceRow, ResourceTable};
use crate::report::text::value_with_ci;

/// The prefix ingest gives the metrics of a host-side monitor log.
const HOST: &str = "host_";

/// The resource table of a group's summary rows `rs`, arms in `arm_names` order, verdicts of
/// the compared arms `others` from `overheads`.
pub(super) fn table(
    rs: &[&SummaryRow],
    overheads: &[&OverheadRow],
    arm_names: &[String],
    others: &[String],
) -> ResourceTable {
    // As the benchmark table, only metrics with a better direction (not the log's duration).
    let resource: Vec<&&SummaryRow> =
        rs.iter().filter(|r| r.kind == Kind::Resource && r.better != Better::None).collect();
    let present: BTreeSet<&str> = resource.iter().map(|r| r.platform.as_str()).collect();
    let arms: Vec<String> = arm_names.iter().filter(|a| present.contains(a.as_str())).cloned().collect();
    let host_arms: Vec<bool> = arms
        .iter()
        .map(|a| resource.iter().any(|r| &r.platform == a && r.metric.starts_with(HOST)))
        .collect();
    let compared: Vec<String> = others.iter().filter(|a| present.contains(a.as_str())).cloned().collect();
    let mut names: Vec<&str> =
        resource.iter().map(|r| r.metric.strip_prefix(HOST).unwrap_or(&r.metric)).collect();
    names.sort();
    names.dedup();
    let value = |metric: &str, arm: &str| {
        resource
            .iter()
            .find(|r| r.metric == metric && r.platform == arm)
            .map(|r| value_with_ci(r.stats.mean, r.stats.ci_low, r.stats.ci_high))
            .unwrap_or_default()
    };
    let verdict = |metric: &str, arm: &str| {
        overheads.iter().find(|o| o.metric == metric && o.platform == arm).map(|o| o.verdict.clone())
    };
    let rows = names
        .into_iter()
        .map(|m| {
            let host = format!("{HOST}{m}");
            let first = resource.iter().find(|r| r.metric == m || r.metric == host).expect("a row of it");
            let mut values = Vec::new();
            for (a, has_host) in arms.iter().zip(&host_arms) {
                values.push(value(m, a));
                if *has_host {
                    values.push(value(&host, a));
                }
            }
            let verdicts = compared
                .iter()
                .map(|a| {
                    let parts: Vec<String> = [("inside", verdict(m, a)), ("on the host", verdict(&host, a))]
                        .into_iter()
                        .filter_map(|(w, v)| v.map(|v| format!("{w}: {v}")))
                        .collect();
                    parts.join("; ")
                })
                .collect();
            ResourceRow { metric: m.to_string(), unit: first.unit.clone(), values, verdicts }
        })
        .collect();
    let mut columns = Vec::new();
    for (a, has_host) in arms.iter().zip(&host_arms) {
        columns.push(format!("{a}: inside"));
        if *has_host {
            columns.push(format!("{a}: on the host"));
        }
    }
    ResourceTable { columns, compared, rows }
}
