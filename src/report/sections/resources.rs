//! The resources part of a workload section: the resource metrics (`Kind::Resource`: pidstat's,
//! and those a benchmark reports of its own processes) apart from the benchmark's, with the
//! value inside the platform and the one measured on the host (a host-side pidstat log: the
//! container runtime's or the QEMU process's, whose metrics ingest names `host_...`) side by
//! side per arm.

use std::collections::BTreeSet;

use super::{Figures, Plan};
use crate::analyse::{OverheadRow, SummaryRow};
use crate::model::{Better, Kind, CPU_SHARE, HOST_PREFIX as HOST};
use crate::report::context::{FigureCtx, ResourceRow, ResourceTable};
use crate::report::figures::{CpuArm, CpuData, FigureData, Share};
use crate::report::text::{num, value_with_ci};

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

/// Where the CPU goes in a group (`rows`, its summary rows; `id` and `label`, its anchor and
/// title): per arm, the monitored processes' CPU share ([`CPU_SHARE`]) inside the platform and,
/// where a monitor ran on the host, on the host, as nested bars, the baseline first. None when
/// no arm has a host-side value (then the resource table says all there is).
pub(super) fn cpu_figure(
    plan: &Plan,
    rows: &[&SummaryRow],
    id: &str,
    label: &str,
    figures: &mut Figures,
) -> Option<FigureCtx> {
    let host_metric = format!("{HOST}{CPU_SHARE}");
    let share = |metric: &str, arm: &str| {
        let r = rows.iter().find(|r| r.metric == metric && r.platform == arm)?;
        Some(Share { mean: r.stats.mean?, ci: r.stats.ci_low.zip(r.stats.ci_high) })
    };
    let mut arms = Vec::new();
    let mut notes = Vec::new();
    for a in &plan.arms {
        let (inside, host) = (share(CPU_SHARE, a), share(&host_metric, a));
        if inside.is_none() && host.is_none() {
            continue;
        }
        let shown = |s: Option<Share>| s.map(|s| format!("{} %", num(s.mean)));
        let label = match (shown(inside), shown(host)) {
            (Some(i), Some(h)) => format!("inside {i}, on the host {h}"),
            (Some(i), None) => format!("inside {i}"),
            (None, Some(h)) => format!("on the host {h}"),
            (None, None) => String::new(),
        };
        notes.extend(inside.zip(host).map(|(i, h)| cpu_note(a, i, h)));
        arms.push(CpuArm { name: a.clone(), style: plan.style(a), inside, host, label });
    }
    if !arms.iter().any(|a| a.host.is_some()) {
        return None;
    }
    let unit =
        rows.iter().find(|r| r.metric == CPU_SHARE || r.metric == host_metric).map(|r| r.unit.as_str());
    let data = FigureData::Cpu(CpuData {
        title: format!("{label}: where the CPU goes ({CPU_SHARE})"),
        x_desc: format!(
            "CPU share of the monitored processes ({}; 100 = one CPU busy all the time)",
            unit.unwrap_or("%")
        ),
        arms,
    });
    let platform = match rows.first().map(|r| r.stratum.as_str()) {
        Some(s) if !s.is_empty() => format!("the platform ({s})"),
        _ => "the platform".to_string(),
    };
    let caption = format!(
        "Solid bars: per {w}, the CPU share that the monitor inside {platform} measured for the \
         benchmark's processes. Light bars around them: what a monitor on the host measured for the \
         same runs: a container's processes as the host sees them, or the whole QEMU process, which \
         holds the guest's own work too, so the bars nest and do not add up. Where the light bar \
         reaches beyond the solid one, the host paid more than the platform saw; a {w} without a \
         host-side log (native: its monitor already ran on the host) has the solid bar only. \
         Whiskers: {}% intervals. {}",
        plan.confidence_pct,
        notes.join(" "),
        w = plan.arm_word,
    );
    let n = plan.arms.len();
    Some(figures.add(format!("{id}-cpu"), super::tall(plan.plot, 2 * n), data, caption.trim_end()))
}

/// What the CPU shares of arm `arm` inside (`i`) and on the host (`h`) say, as a sentence.
fn cpu_note(arm: &str, i: Share, h: Share) -> String {
    let both = format!("{arm}: {} % on the host, {} % inside", num(h.mean), num(i.mean));
    let overlap = match (i.ci, h.ci) {
        (Some((il, ih)), Some((hl, hh))) => hl <= ih && il <= hh,
        _ => false,
    };
    let d = num((h.mean - i.mean).abs());
    if overlap {
        format!("{both}: their intervals overlap, no clear difference.")
    } else if h.mean > i.mean {
        format!("{both}: the host paid {d} points more than the platform saw.")
    } else {
        format!(
            "{both}: the host saw {d} points less, so its monitor did not cover every process of the run \
             (the one `virtperf run` starts follows the processes present when the run began)."
        )
    }
}
