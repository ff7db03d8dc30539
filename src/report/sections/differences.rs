//! "What was compared": the facts, besides the platform itself, that differ between the
//! baseline and another arm for the same workload: the host a load generator aimed at, tool
//! versions, the kernel and CPU count pidstat saw, where fio did its I/O. An overhead measured
//! across such a difference includes it (wrk against `localhost` on one platform and a bridged
//! guest address on another measures a different network path), so the report lists them
//! beside the arms. Only facts the logs state are compared; nothing here judges them.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::fact;
use crate::report::context::DifferenceCtx;
use crate::report::input::RunView;

/// The facts compared, each as (name for people, how to read it from a run).
type FactReader = (&'static str, fn(&RunView) -> Option<String>);

const FACTS: &[FactReader] = &[
    ("target host", |r| r.facts.get(fact::TARGET).map(|t| url_host(t).to_string())),
    ("tool version", |r| if r.monitor { None } else { r.tool_version.clone() }),
    ("kernel", |r| r.facts.get(fact::KERNEL).cloned()),
    ("CPUs", |r| r.facts.get(fact::CPUS).cloned()),
    ("fio file or device", |r| r.facts.get(fact::FILENAME).or_else(|| r.facts.get(fact::DIRECTORY)).cloned()),
];

/// The host of a URL (`http://10.0.2.2:8080/f` -> `10.0.2.2`, `http://[::1]:80/` -> `[::1]`);
/// the text itself when it is not a URL.
pub(crate) fn url_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if authority.starts_with('[') {
        return authority.find(']').map_or(authority, |i| &authority[..=i]);
    }
    authority.split(':').next().unwrap_or(authority)
}

/// The facts that differ between `baseline` and another of `arms` for the same workload (and
/// stratum), in workload order. A fact is listed when the baseline and some other arm both
/// state it and their sets of values differ; every arm that states it is shown.
pub(crate) fn differing_facts(runs: &[RunView], baseline: &str, arms: &[String]) -> Vec<DifferenceCtx> {
    // (workload, stratum) -> fact index -> arm -> values.
    type Values = BTreeMap<(String, String), BTreeMap<usize, BTreeMap<String, BTreeSet<String>>>>;
    let mut seen: Values = BTreeMap::new();
    // A log taken on the host of a VM or container states the host's facts, not the platform's.
    for r in runs.iter().filter(|r| !r.host_side) {
        for (i, (_, read)) in FACTS.iter().enumerate() {
            if let Some(v) = read(r).filter(|v| !v.is_empty()) {
                seen.entry((r.workload.clone(), r.stratum.clone()))
                    .or_default()
                    .entry(i)
                    .or_default()
                    .entry(r.arm.clone())
                    .or_default()
                    .insert(v);
            }
        }
    }
    let all: BTreeSet<String> = seen.keys().map(|(w, s)| label(w, s)).collect();
    // (fact, values) -> workloads: a difference that holds for many workloads is said once.
    let mut grouped: BTreeMap<(usize, Vec<String>), Vec<String>> = BTreeMap::new();
    for ((workload, stratum), facts) in seen {
        for (i, by_arm) in facts {
            let Some(base) = by_arm.get(baseline) else { continue };
            if !by_arm.iter().any(|(arm, v)| arm != baseline && v != base) {
                continue;
            }
            let order =
                std::iter::once(baseline).chain(arms.iter().map(String::as_str).filter(|a| *a != baseline));
            let values = order
                .filter_map(|arm| {
                    let v = by_arm.get(arm)?;
                    Some(format!("{arm}: {}", v.iter().cloned().collect::<Vec<_>>().join(" / ")))
                })
                .collect();
            grouped.entry((i, values)).or_default().push(label(&workload, &stratum));
        }
    }
    grouped
        .into_iter()
        .map(|((i, values), workloads)| DifferenceCtx {
            workloads: if workloads.len() == all.len() && all.len() > 1 {
                "every workload".to_string()
            } else {
                workloads.join(", ")
            },
            fact: FACTS[i].0.to_string(),
            values,
        })
        .collect()
}

fn label(workload: &str, stratum: &str) -> String {
    if stratum.is_empty() {
        workload.to_string()
    } else {
        format!("{workload} ({stratum})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_hosts() {
        assert_eq!(url_host("http://10.0.2.2:8080/f4096"), "10.0.2.2");
        assert_eq!(url_host("http://localhost/"), "localhost");
        assert_eq!(url_host("https://user@example.org:443/x?y"), "example.org");
        assert_eq!(url_host("http://[::1]:18080/"), "[::1]");
        assert_eq!(url_host("127.0.0.1:80"), "127.0.0.1");
    }

    fn run(arm: &str, workload: &str, facts: &[(&str, &str)], version: Option<&str>) -> RunView {
        RunView {
            arm: arm.into(),
            stratum: String::new(),
            source: format!("{arm}/{workload}.txt"),
            tool: workload.into(),
            tool_version: version.map(str::to_string),
            workload: workload.into(),
            params: String::new(),
            facts: facts.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            series: Vec::new(),
            monitor: false,
            beside: None,
            monitored: None,
            drawn_series: &[],
            failed: false,
            host_side: false,
            factors: Default::default(),
            platform_kind: String::new(),
        }
    }

    /// wrk aimed at localhost on native and docker but at a guest address on qemu: the target
    /// host differs, the port (chosen per platform) does not count, equal versions are not
    /// listed, and a fact only one arm states is not a difference.
    #[test]
    fn target_host_that_differs_is_listed_and_ports_are_not() {
        let runs = [
            run("native", "wrk", &[("target", "http://localhost:8080/")], Some("4.2")),
            run("docker", "wrk", &[("target", "http://localhost:32768/")], Some("4.2")),
            run("qemu", "wrk", &[("target", "http://10.0.2.15:80/")], Some("4.2")),
            run("qemu", "sysbench.cpu", &[("kernel", "6.1.0-cloud")], Some("1.0.20")),
        ];
        let arms = ["docker".to_string(), "native".to_string(), "qemu".to_string()];
        let d = differing_facts(&runs, "native", &arms);
        assert_eq!(
            d,
            vec![DifferenceCtx {
                workloads: "wrk".into(),
                fact: "target host".into(),
                values: vec![
                    "native: localhost".into(),
                    "docker: localhost".into(),
                    "qemu: 10.0.2.15".into()
                ],
            }]
        );
        assert!(differing_facts(&runs[..2], "native", &arms).is_empty());
    }

    /// The same difference on every workload is said once; a host-side log's kernel (the
    /// host's) is not the VM's.
    #[test]
    fn one_difference_on_every_workload_is_said_once_and_host_logs_do_not_count() {
        let mut host_log = run("qemu", "wrk", &[("kernel", "6.18-host")], None);
        host_log.host_side = true;
        let runs = [
            run("native", "wrk", &[("kernel", "6.18-host")], None),
            run("native", "fio", &[("kernel", "6.18-host")], None),
            run("qemu", "wrk", &[("kernel", "6.1-guest")], None),
            run("qemu", "fio", &[("kernel", "6.1-guest")], None),
            host_log,
        ];
        let d = differing_facts(&runs, "native", &["native".to_string(), "qemu".to_string()]);
        assert_eq!(
            d,
            vec![DifferenceCtx {
                workloads: "every workload".into(),
                fact: "kernel".into(),
                values: vec!["native: 6.18-host".into(), "qemu: 6.1-guest".into()],
            }]
        );
    }
}
