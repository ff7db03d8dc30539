//! The time series of a workload section: the per-interval samples of its runs (sysbench's
//! `--report-interval` lines) and of the monitor logs paired with them (pidstat beside each
//! run), one figure per metric with one line per run.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::Sample;
use crate::report::figures::{Line, SeriesData};
use crate::report::input::RunView;

/// One run's line: its arm and `(t_s, value)` points.
type ArmLine = (String, Vec<(f64, f64)>);

/// A series of a group: the monitor's tool for a monitor's (`pidstat`), and the metric.
type SeriesKey = (Option<String>, String);

/// A run's series of one metric: the metric, its unit and its `(t_s, value)` points.
type UnitSeries = (String, String, Vec<(f64, f64)>);

/// Time-series figures of a group: the series of its own runs (sysbench intervals) and of the
/// monitor logs paired with them (pidstat's `rep1.pidstat` beside `rep1.txt`), or of a monitor
/// log on its own. Each axis has the unit its samples declare.
pub(super) fn series_figures(
    runs: &[&RunView],
    label: &str,
    style_of: &dyn Fn(&str) -> usize,
) -> Vec<(String, SeriesData)> {
    // (monitor, metric) -> one line per run, and the metric's unit; which processes the
    // monitor summed.
    let mut by_metric: BTreeMap<SeriesKey, (Vec<ArmLine>, String)> = BTreeMap::new();
    let mut processes: BTreeSet<String> = BTreeSet::new();
    // A monitor's metric -> the title its parser declares for it.
    let mut titles: BTreeMap<String, &'static str> = BTreeMap::new();
    let mut monitor = |p: &RunView,
                       arm: &str,
                       by_metric: &mut BTreeMap<SeriesKey, (Vec<ArmLine>, String)>,
                       titles: &mut BTreeMap<String, &'static str>| {
        let process = p.monitored.clone().unwrap_or_else(|| "all".to_string());
        let mut shown = false;
        for (metric, unit, pts) in run_series(&p.series, Some(&process)) {
            if let Some(&(_, title)) = p.drawn_series.iter().find(|(m, _)| *m == metric) {
                titles.insert(metric.clone(), title);
                let e = by_metric.entry((Some(p.tool.clone()), metric)).or_insert_with(|| (Vec::new(), unit));
                e.0.push((arm.to_string(), pts));
                shown = true;
            }
        }
        if shown {
            processes.insert(process);
        }
    };
    for r in runs {
        if r.monitor {
            // A log the ingester paired with a benchmark's run is in that run's group and
            // drawn with it; a log on its own is drawn here.
            if r.beside.is_none() {
                monitor(r, &r.arm, &mut by_metric, &mut titles);
            }
            continue;
        }
        for (metric, unit, pts) in run_series(&r.series, None) {
            by_metric
                .entry((None, metric))
                .or_insert_with(|| (Vec::new(), unit))
                .0
                .push((r.arm.clone(), pts));
        }
        // The monitor log recorded beside this run (host-side logs have host_ series: not drawn).
        for p in runs.iter().filter(|p| p.monitor && p.beside.as_ref() == Some(&r.source)) {
            monitor(p, &r.arm, &mut by_metric, &mut titles);
        }
    }
    let who = if processes.is_empty() || processes.contains("all") {
        "all processes".to_string()
    } else {
        format!("{} processes", processes.into_iter().collect::<Vec<_>>().join(" and "))
    };
    let mut out = Vec::new();
    for ((from_monitor, metric), (lines, unit)) in by_metric {
        if lines.iter().all(|(_, pts)| pts.iter().all(|p| p.1 == 0.0)) {
            continue; // nothing happened (no disk I/O in a CPU test)
        }
        let mut arms: Vec<String> =
            lines.iter().map(|(a, _)| a.clone()).collect::<BTreeSet<_>>().into_iter().collect();
        arms.sort_by_key(|a| style_of(a));
        let what = match &from_monitor {
            Some(tool) => format!("{} of {who} ({tool})", titles.get(&metric).copied().unwrap_or(&metric)),
            None => metric.clone(),
        };
        let data = SeriesData {
            title: format!("{label}: {what} over time"),
            y_desc: if unit.is_empty() { metric.clone() } else { format!("{metric} ({unit})") },
            arms: arms.iter().map(|a| (a.clone(), style_of(a))).collect(),
            lines: lines
                .into_iter()
                .map(|(a, points)| Line { arm: arms.iter().position(|x| x == &a).unwrap_or(0), points })
                .collect(),
        };
        let key = match from_monitor {
            Some(tool) => format!("{tool}-{metric}"),
            None => metric,
        };
        out.push((key, data));
    }
    out
}

/// A run's series per metric, with the unit its samples declare: samples of all entities (or
/// of those whose command is `process`, for pidstat's `command[pid]` entities) summed at each
/// time.
fn run_series(samples: &[Sample], process: Option<&str>) -> Vec<UnitSeries> {
    // metric -> (unit, time bits -> (t_s, sum)).
    type Acc<'a> = BTreeMap<&'a str, (&'a str, BTreeMap<u64, (f64, f64)>)>;
    let mut acc = Acc::new();
    for s in samples {
        if !s.t_s.is_finite() || !s.value.is_finite() {
            continue;
        }
        if let Some(p) = process.filter(|p| *p != "all") {
            let command = s.entity.rsplit_once('[').map(|(c, _)| c).unwrap_or(&s.entity);
            let base = command.rsplit('/').next().unwrap_or(command);
            if !base.starts_with(p) {
                continue;
            }
        }
        let series = acc.entry(s.metric.as_str()).or_insert_with(|| (s.unit.as_ref(), BTreeMap::new()));
        let e = series.1.entry(s.t_s.to_bits()).or_insert((s.t_s, 0.0));
        e.1 += s.value;
    }
    acc.into_iter()
        .map(|(m, (unit, pts))| {
            let mut v: Vec<(f64, f64)> = pts.into_values().collect();
            v.sort_by(|a, b| a.0.total_cmp(&b.0));
            (m.to_string(), unit.to_string(), v)
        })
        .filter(|(_, _, v)| v.len() >= 2)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(tool: &str, source: &str, params: &str, series: &[(f64, &str, &str, f64)]) -> RunView {
        RunView {
            arm: "native".into(),
            stratum: String::new(),
            source: source.into(),
            tool: tool.into(),
            tool_version: None,
            workload: if tool == "pidstat" { "pidstat".into() } else { "sysbench.cpu".into() },
            params: params.into(),
            facts: BTreeMap::new(),
            series: series
                .iter()
                .map(|&(t_s, entity, metric, value)| Sample {
                    t_s,
                    entity: entity.into(),
                    metric: metric.into(),
                    unit: Default::default(),
                    value,
                })
                .collect(),
            monitor: tool == "pidstat",
            beside: None,
            monitored: None,
            // As a monitor's parser declares them: cswch_per_sec is sampled, not drawn.
            drawn_series: if tool == "pidstat" {
                &[("cpu_pct", "CPU %"), ("rss_kib", "resident memory")]
            } else {
                &[]
            },
            failed: false,
            host_side: false,
            factors: Default::default(),
            platform_kind: String::new(),
        }
    }

    /// A pidstat log the ingester paired with a benchmark's run is drawn in the benchmark's
    /// section, summed over the processes it names, and not on its own.
    #[test]
    fn pidstat_series_go_with_the_run_beside_them() {
        let bench = view(
            "sysbench",
            "d/native/cpu/rep1.txt",
            "threads=1",
            &[(1.0, "sysbench", "events_per_sec", 5.0), (2.0, "sysbench", "events_per_sec", 6.0)],
        );
        let mut pid = view(
            "pidstat",
            "d/native/cpu/rep1.pidstat",
            "threads=1",
            &[
                (0.0, "sysbench[10]", "cpu_pct", 40.0),
                (0.0, "sysbench[11]", "cpu_pct", 50.0),
                (0.0, "bash[12]", "cpu_pct", 99.0),
                (1.0, "sysbench[10]", "cpu_pct", 30.0),
                (1.0, "sysbench[10]", "cswch_per_sec", 3.0),
            ],
        );
        pid.workload = bench.workload.clone();
        pid.beside = Some(bench.source.clone());
        pid.monitored = Some("sysbench".into());
        let style = |_: &str| 0;
        let figs = series_figures(&[&bench, &pid], "sysbench.cpu", &style);
        let names: Vec<&str> = figs.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["events_per_sec", "pidstat-cpu_pct"]);
        let cpu = &figs[1].1;
        assert_eq!(cpu.lines[0].points, [(0.0, 90.0), (1.0, 30.0)]);
        assert!(cpu.title.contains("CPU % of sysbench processes"), "{}", cpu.title);
        // The pidstat group itself draws nothing: its log is paired.
        assert!(series_figures(&[&pid], "pidstat", &style).is_empty());
    }
}
