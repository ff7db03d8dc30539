//! `work_differs`: runs of one group that did different work though their params are the
//! same, as their metrics show it (the script of a sysbench OLTP run, the block size and
//! directions of a fio or sysbench fileio run, which some outputs do not print).

use std::collections::{BTreeMap, BTreeSet};

use foldhash::HashMap;

use super::{Context, Findings};
use crate::analyse::output::{Check, Scope, Severity};
use crate::analyse::summarise::{natural_cmp, Groups};
use crate::model::GroupId;
use crate::text::group_label;

/// The runs of one (group, arm), each by (source, run): its first line and its metrics.
type RunsOf<'g> = HashMap<(&'g str, u32), (u64, BTreeMap<&'g str, f64>)>;

/// The metrics [`work_of`] reads.
const WORK_METRICS: &[&str] = &[
    "transactions",
    "queries_read",
    "queries_total",
    "reads_per_sec",
    "writes_per_sec",
    "read_mib_per_sec",
    "written_mib_per_sec",
    "ops_per_sec",
    "mib_per_sec",
    "read_iops",
    "write_iops",
    "trim_iops",
    "mixed_iops",
    "read_bw_kib_per_sec",
    "write_bw_kib_per_sec",
    "trim_bw_kib_per_sec",
    "mixed_bw_kib_per_sec",
];

/// Every group's runs on each arm, with the metrics [`work_of`] reads (only the runs that
/// have one: the others show nothing about their work), by group then arm; one (group, arm)
/// at a time (a store selection's groups hold 800,000 runs).
fn runs_of_groups<'g>(groups: &'g Groups<'_>) -> impl Iterator<Item = ((&'g GroupId, &'g str), RunsOf<'g>)> {
    groups.iter().flat_map(|(g, group)| {
        let work = || group.cells().filter(|(m, _, _)| WORK_METRICS.contains(m));
        let arms: BTreeSet<&str> = work().map(|(_, arm, _)| arm).collect();
        arms.into_iter().map(move |arm| {
            let mut runs = RunsOf::default();
            for (metric, _, cell) in work().filter(|&(_, a, _)| a == arm) {
                for o in cell.obs() {
                    let run = runs
                        .entry((o.source(), o.run()))
                        .or_insert_with(|| (o.first_line(), BTreeMap::new()));
                    run.1.insert(metric, o.value);
                }
            }
            ((g, arm), runs)
        })
    })
}

/// `work_differs`: runs of one group on one arm that did different work though the params are
/// the same. Each part of the runs, by what its metrics show (see [`work_of`]), is named with
/// its runs, in a failure that refuses the group's comparisons on that arm, as the platform or
/// as the baseline: no verdict is given on a pool of different experiments.
pub(super) fn work_differs(ctx: &Context<'_>) -> Findings {
    let mut found = Findings::default();
    for ((g, arm), runs) in runs_of_groups(ctx.groups) {
        // (what, [(value, run)]) over the group's runs.
        let mut facts: BTreeMap<String, Vec<(Work, RunAt<'_>)>> = BTreeMap::new();
        for ((source, run), (line, metrics)) in &runs {
            for (what, v) in work_of(|name| metrics.get(name).copied()) {
                facts.entry(what).or_default().push((v, (*source, *run, *line)));
            }
        }
        let mut differences = Vec::new();
        let mut sources = BTreeSet::new();
        for (what, mut values) in facts {
            let clusters = cluster_work(&mut values);
            if clusters.len() < 2 {
                continue;
            }
            let sides: Vec<String> = clusters.iter().map(|c| side(c)).collect();
            for c in &clusters {
                sources.extend(c.iter().map(|(_, (src, _, line))| format!("{src}:{line}")));
            }
            differences.push(format!("{what}: {}", sides.join("; ")));
        }
        if differences.is_empty() {
            continue;
        }
        let scope = Scope::of(g, arm);
        found.refused.push(scope.clone());
        found.checks.push(Check {
            check: "work_differs",
            severity: Severity::Fail,
            workload: group_label(g.workload(), g.params_string(), g.stratum()),
            platform: arm.to_string(),
            scope,
            detail: format!(
                "not compared: runs with the same parameters did different work ({}); the output \
                 does not say what set them apart, so label them apart (--label, a --labels file) \
                 or keep such runs in separate inputs",
                differences.join("; ")
            ),
            sources: sources.into_iter().collect(),
        });
    }
    found
}

/// One side of a difference: the middle value of its runs (they are sorted), and the runs in
/// file order: `4 KiB in a.txt run 1, a.txt run 3`.
fn side(c: &[(Work, RunAt<'_>)]) -> String {
    let value = match &c[c.len() / 2].0 {
        Work::Kind(k) => k.clone(),
        Work::Queries(q) => format!("{q:.1}"),
        Work::Bytes(b) => fmt_bytes(*b),
    };
    let mut who: Vec<(&str, u32)> = c.iter().map(|(_, (src, run, _))| (*src, *run)).collect();
    who.sort_by(|a, b| natural_cmp(a.0, b.0).then(a.1.cmp(&b.1)));
    let who: Vec<String> = who.iter().map(|(src, run)| format!("{src} run {run}")).collect();
    format!("{value} in {}", who.join(", "))
}

/// A run of a group: (source, run, first line).
type RunAt<'a> = (&'a str, u32, u64);

/// One thing a run's metrics show about the work it did.
#[derive(Debug, Clone, PartialEq)]
enum Work {
    /// A kind (which directions did I/O); runs differ when the words differ.
    Kind(String),
    /// A number of queries; runs differ when two values are more than half a query apart.
    Queries(f64),
    /// A size in bytes; runs differ when one is more than 1.25 times another.
    Bytes(f64),
}

/// What a run did, as its metrics show it whatever its params say: (what, value).
///
/// * sysbench OLTP: reads and queries per transaction (`queries_read`, `queries_total` over
///   `transactions`): the script and its options;
/// * sysbench fileio: which of reads and writes it did, and the bytes per operation
///   (MiB/s over operations/s): the mode and the block size;
/// * sysbench memory: the bytes per operation (the block size);
/// * fio: the directions with I/O, and per direction the bytes per I/O (bandwidth over IOPS):
///   `rw` and `bs`, which terse output does not print.
///
/// `metric` gives a run's value of a metric by name.
fn work_of(metric: impl Fn(&str) -> Option<f64>) -> Vec<(String, Work)> {
    const MIB: f64 = 1024.0 * 1024.0;
    let get = |name: &str| metric(name).filter(|v| v.is_finite());
    let mut out = Vec::new();
    if let (Some(tx), Some(reads)) = (get("transactions").filter(|t| *t > 0.0), get("queries_read")) {
        out.push(("reads per transaction".to_string(), Work::Queries(reads / tx)));
        if let Some(total) = get("queries_total") {
            out.push(("queries per transaction".to_string(), Work::Queries(total / tx)));
        }
    }
    if let (Some(r), Some(w)) = (get("reads_per_sec"), get("writes_per_sec")) {
        let kind = match (r > 0.0, w > 0.0) {
            (true, true) => "reads and writes",
            (true, false) => "reads only",
            (false, true) => "writes only",
            (false, false) => "no reads or writes",
        };
        out.push(("I/O".to_string(), Work::Kind(kind.to_string())));
        if let (Some(rm), Some(wm)) = (get("read_mib_per_sec"), get("written_mib_per_sec")) {
            if r + w > 0.0 && rm + wm > 0.0 {
                out.push(("bytes per operation".to_string(), Work::Bytes((rm + wm) * MIB / (r + w))));
            }
        }
    }
    if let (Some(ops), Some(mib)) = (get("ops_per_sec").filter(|v| *v > 0.0), get("mib_per_sec")) {
        out.push(("bytes per operation".to_string(), Work::Bytes(mib * MIB / ops)));
    }
    let dirs: Vec<&str> = ["read", "write", "trim", "mixed"]
        .into_iter()
        .filter(|d| get(&format!("{d}_iops")).is_some_and(|v| v > 0.0))
        .collect();
    if !dirs.is_empty() {
        out.push(("directions with I/O".to_string(), Work::Kind(dirs.join("+"))));
    }
    for d in dirs {
        if let (Some(iops), Some(bw)) = (get(&format!("{d}_iops")), get(&format!("{d}_bw_kib_per_sec"))) {
            if bw > 0.0 {
                out.push((format!("bytes per {d} I/O"), Work::Bytes(bw * 1024.0 / iops)));
            }
        }
    }
    out
}

/// A size for messages, to 3 significant digits: `4 KiB`, `1.5 MiB`, `512 B`.
fn fmt_bytes(b: f64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < units.len() {
        v /= 1024.0;
        i += 1;
    }
    let digits = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    let text = format!("{v:.digits$}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    format!("{text} {}", units[i])
}

/// Splits `values` into groups of the same work: equal kinds; queries less than half a query
/// apart; sizes less than 1.25 times apart (each value against the previous one, in order).
fn cluster_work<T>(values: &mut [(Work, T)]) -> Vec<&[(Work, T)]> {
    values.sort_by(|a, b| match (&a.0, &b.0) {
        (Work::Kind(x), Work::Kind(y)) => x.cmp(y),
        (Work::Queries(x) | Work::Bytes(x), Work::Queries(y) | Work::Bytes(y)) => x.total_cmp(y),
        _ => std::cmp::Ordering::Equal,
    });
    let same = |a: &Work, b: &Work| match (a, b) {
        (Work::Kind(x), Work::Kind(y)) => x == y,
        (Work::Queries(x), Work::Queries(y)) => (y - x).abs() <= 0.5,
        (Work::Bytes(x), Work::Bytes(y)) => x.max(*y) <= 1.25 * x.min(*y),
        _ => false,
    };
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=values.len() {
        if i == values.len() || !same(&values[i - 1].0, &values[i].0) {
            out.push(&values[start..i]);
            start = i;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::BTreeSet;

    use super::{work_of, WORK_METRICS};

    /// The runs of a group keep only the metrics of WORK_METRICS: they must be every metric
    /// work_of asks for (all values positive, so that it asks for all), and each of them.
    #[test]
    fn work_metrics_are_what_work_of_reads() {
        let asked = RefCell::new(BTreeSet::new());
        let facts = work_of(|name| {
            asked.borrow_mut().insert(name.to_string());
            Some(2.0)
        });
        assert!(!facts.is_empty());
        let listed: BTreeSet<String> = WORK_METRICS.iter().map(|m| m.to_string()).collect();
        assert_eq!(asked.into_inner(), listed);
    }
}
