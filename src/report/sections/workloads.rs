//! One section per group (workload, params, stratum): its parameters in full, its sentences, a
//! table of every metric with a better direction, its figures (primary metric, cost ratio of
//! every metric, latency percentiles, time series) and the checks about it.

use std::collections::{BTreeMap, BTreeSet};

use super::series::series_figures;
use super::{check_label, check_matches, tall, whole_label, Figures, GroupKey, Plan};
use crate::analyse::{OverheadRow, Severity, SummaryRow};
use crate::model::Better;
use crate::report::context::{ChecksElsewhere, FigureCtx, MetricTable, MetricTableRow, WorkloadCtx};
use crate::report::figures::{ArmValues, Bar, FigureData, OverheadData, PercentileData, PrimaryData};
use crate::report::input::RunView;
use crate::report::text::{
    bar_label, change_text, cost_text, finding_with_power, shown_verdict, slug, value_with_ci,
};

/// One group as its section's builders read it.
struct Group<'p> {
    /// Its key.
    key: &'p GroupKey,
    /// Its summary rows.
    rows: &'p [&'p SummaryRow],
    /// Its anchor and figure-name prefix.
    id: String,
    /// Its label (the section's title).
    label: String,
}

/// Every workload section, in group order; their figures go to `figures`.
pub(super) fn build(plan: &Plan, figures: &mut Figures) -> Vec<WorkloadCtx> {
    plan.groups
        .iter()
        .map(|(k, rs)| {
            let g = Group { key: k, rows: rs, id: plan.ids[k].clone(), label: plan.label(k) };
            section(plan, &g, figures)
        })
        .collect()
}

/// The section of group `g`.
fn section(plan: &Plan, g: &Group, figures: &mut Figures) -> WorkloadCtx {
    let k = g.key;
    let primary = g.rows.iter().find(|r| r.primary);
    let runs: Vec<&RunView> =
        plan.input.runs.iter().filter(|r| r.workload == k.0 && r.params == k.1 && r.stratum == k.2).collect();
    // The benchmark's tool: monitor logs paired with its runs are in the group too.
    let tool = runs
        .iter()
        .find(|r| !r.monitor)
        .or(runs.first())
        .map(|r| r.tool.clone())
        .unwrap_or_else(|| k.0.split('.').next().unwrap_or_default().to_string());
    // Every comparison of the group, the primary metric first.
    let mut metric_rows: Vec<&OverheadRow> = plan
        .analysis
        .overhead
        .iter()
        .filter(|o| o.workload == k.0 && o.params == k.1 && o.stratum == k.2)
        .collect();
    metric_rows.sort_by_key(|o| (!o.primary, o.metric.clone(), plan.style(&o.platform)));
    let mut figs = Vec::new();
    if let Some(p) = primary {
        figs.push(primary_figure(plan, g, p, figures));
    }
    figs.extend(overhead_figure(plan, g, &metric_rows, figures));
    figs.extend(percentile_figures(plan, g, figures));
    for (metric, data) in series_figures(&runs, &g.label, &|a| plan.style(a)) {
        let name = format!("{}-{}", g.id, slug(&format!("series-{metric}")));
        figs.push(figures.add(
            name,
            plan.plot,
            FigureData::Series(data),
            "One line per run; time counts seconds from the start of each run, so the runs of every platform \
             share the axis.",
        ));
    }
    let findings = match primary {
        Some(p) => plan
            .comparisons(k, &p.metric)
            .into_iter()
            .map(|o| finding_with_power(o, &g.label, plan.analysis.detect_pct))
            .collect(),
        None => Vec::new(),
    };
    let (checks, checks_elsewhere) = checks(plan, k);
    WorkloadCtx {
        id: g.id.clone(),
        title: g.label.clone(),
        workload: k.0.clone(),
        stratum: k.2.clone(),
        tool,
        params: params(&k.1),
        primary: primary.map(|p| p.metric.clone()).unwrap_or_default(),
        findings,
        figures: figs,
        table: metric_table(g.rows, &metric_rows, &plan.arms, &plan.others, plan.analysis.family_size),
        checks,
        checks_elsewhere,
        resources: super::resources::table(g.rows, &metric_rows, &plan.arms, &plan.others),
        cpu_figure: super::resources::cpu_figure(plan, g.rows, &g.id, &g.label, figures),
    }
}

/// The primary metric per arm: every run, the mean and its interval.
fn primary_figure(plan: &Plan, g: &Group, p: &SummaryRow, figures: &mut Figures) -> FigureCtx {
    let mut arms: Vec<&&SummaryRow> = g.rows.iter().filter(|r| r.metric == p.metric).collect();
    arms.sort_by_key(|r| plan.style(&r.platform));
    let data = FigureData::Primary(PrimaryData {
        title: format!("{}: {} per {}", g.label, p.metric, plan.arm_word),
        x_desc: plan.arm_word.to_string(),
        y_desc: axis_desc(&p.metric, &p.unit, p.better),
        arms: arms.iter().map(|r| arm_values(r, plan.style(&r.platform))).collect(),
    });
    let caption = format!(
        "Hollow markers: one run each; filled marker: mean; whisker: {}% interval of the mean \
         (Student's t).",
        plan.confidence_pct
    );
    figures.add(format!("{}-primary", g.id), plan.plot, data, &caption)
}

/// The cost ratio of every compared metric (`metric_rows`, the primary one first); none when
/// nothing has a cost ratio.
fn overhead_figure(
    plan: &Plan,
    g: &Group,
    metric_rows: &[&OverheadRow],
    figures: &mut Figures,
) -> Option<FigureCtx> {
    let mut cats: Vec<String> = Vec::new();
    let mut bars = Vec::new();
    for o in metric_rows {
        let Some(v) = o.cost_ratio else { continue };
        if !cats.contains(&o.metric) {
            cats.push(o.metric.clone());
        }
        bars.push(Bar {
            category: cats.iter().position(|c| c == &o.metric).unwrap_or(0),
            arm: plan.others.iter().position(|x| x == &o.platform).unwrap_or(0),
            value: v,
            ci: o.cost_ratio_ci_low.zip(o.cost_ratio_ci_high),
            label: bar_label(o),
        });
    }
    if bars.is_empty() {
        return None;
    }
    let baseline = &plan.analysis.baseline;
    let n_bars = bars.len();
    let data = FigureData::Overhead(OverheadData {
        title: format!("{}: cost ratio of every metric against {baseline}", g.label),
        categories: cats,
        arms: plan.others.iter().map(|n| (n.clone(), plan.style(n))).collect(),
        bars,
        baseline: baseline.clone(),
    });
    let caption = format!(
        "Bars: cost ratio against {b} on a log scale, from ×1 (no change): for a throughput the time \
         per unit of work relative to {b}'s, for a latency, a time or a resource the metric's own \
         ratio. Right of ×1 costs more (slower, or uses more), left less. Whiskers: \
         {}% interval; the primary metric comes first.",
        plan.confidence_pct,
        b = baseline
    );
    Some(figures.add(format!("{}-overhead", g.id), tall(plan.plot, n_bars), data, &caption))
}

/// One figure per distribution with two or more percentiles (as the parsers declare them).
fn percentile_figures(plan: &Plan, g: &Group, figures: &mut Figures) -> Vec<FigureCtx> {
    let mut out = Vec::new();
    for (prefix, unit, pcts) in percentile_sets(g.rows) {
        let name = format!("{}-{}", g.id, slug(&format!("{prefix}-percentiles")));
        let mut arms: Vec<(ArmValues, Vec<Option<ArmValues>>)> = Vec::new();
        let mut arm_list: Vec<&str> = g.rows.iter().map(|r| r.platform.as_str()).collect();
        arm_list.sort_by_key(|n| plan.style(n));
        arm_list.dedup();
        for arm in arm_list {
            let st = plan.style(arm);
            let per: Vec<Option<ArmValues>> = pcts
                .iter()
                .map(|(m, _)| {
                    g.rows.iter().find(|r| r.platform == arm && &r.metric == m).map(|r| arm_values(r, st))
                })
                .collect();
            if per.iter().any(Option::is_some) {
                let head =
                    ArmValues { name: arm.to_string(), style: st, values: vec![], mean: None, ci: None };
                arms.push((head, per));
            }
        }
        let data = FigureData::Percentiles(PercentileData {
            title: format!("{}: {prefix} percentiles per {}", g.label, plan.arm_word),
            y_desc: format!("{prefix} ({unit}; lower is better)"),
            percentiles: pcts.iter().map(|(_, l)| l.clone()).collect(),
            arms,
        });
        let caption = format!(
            "Line: mean over runs at each percentile; whisker: {}% interval; small hollow markers: the \
             runs.",
            plan.confidence_pct
        );
        out.push(figures.add(name, plan.plot, data, &caption));
    }
    out
}

/// The checks about group `k`, one line each: `FAIL log_errors (qemu): ...`; those about every
/// parameter set of its workload only in the first set's section, the others pointing there.
fn checks(plan: &Plan, k: &GroupKey) -> (Vec<String>, Option<ChecksElsewhere>) {
    // The sections of the same workload (and stratum): a check about the whole workload is
    // said once, in the first of them, when there are several.
    let siblings: Vec<&GroupKey> = plan.groups.keys().filter(|g| g.0 == k.0 && g.2 == k.2).collect();
    let whole = whole_label(k);
    let first = siblings.first().copied().filter(|_| siblings.len() > 1);
    let mut out = Vec::new();
    let mut elsewhere = 0;
    for c in plan.analysis.checks.iter().filter(|c| check_matches(&c.workload, k)) {
        let about_all = first.is_some() && c.workload == whole && c.workload != check_label(k);
        if about_all && first != Some(k) {
            elsewhere += 1;
            continue;
        }
        let sev = if c.severity == Severity::Fail { "FAIL" } else { c.severity.as_str() };
        let mut line = if c.platform.is_empty() {
            format!("{sev} {}: {}", c.check, c.detail)
        } else {
            format!("{sev} {} ({}): {}", c.check, c.platform, c.detail)
        };
        if about_all {
            line.push_str(&format!("; about all {} parameter sets of {whole}", siblings.len()));
        }
        out.push(line);
    }
    let elsewhere = first.filter(|_| elsewhere > 0).map(|f| ChecksElsewhere {
        count: elsewhere,
        sets: siblings.len(),
        workload: whole.clone(),
        id: plan.ids[f].clone(),
    });
    (out, elsewhere)
}

/// Every param of canonical `params`, as `(key, value)`.
fn params(params: &str) -> Vec<(String, String)> {
    params
        .split(';')
        .filter(|s| !s.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((a, b)) => (a.to_string(), b.to_string()),
            None => (kv.to_string(), String::new()),
        })
        .collect()
}

/// The metrics × arms table of a group: every performance metric with a better direction (the
/// primary first), its mean and interval per arm, and its change, cost ratio and verdict per compared
/// arm.
fn metric_table(
    rs: &[&SummaryRow],
    overheads: &[&OverheadRow],
    arm_names: &[String],
    others: &[String],
    comparisons: usize,
) -> MetricTable {
    let present: BTreeSet<&str> = rs.iter().map(|r| r.platform.as_str()).collect();
    let arms: Vec<String> = arm_names.iter().filter(|a| present.contains(a.as_str())).cloned().collect();
    let compared: Vec<String> = others.iter().filter(|a| present.contains(a.as_str())).cloned().collect();
    let mut metrics: Vec<(&str, bool)> = Vec::new();
    for r in rs {
        // Resource metrics have their own table (`resources`).
        let performance = r.kind != crate::model::Kind::Resource;
        if performance && r.better != Better::None && !metrics.iter().any(|(m, _)| *m == r.metric) {
            metrics.push((r.metric.as_str(), r.primary));
        }
    }
    metrics.sort_by_key(|(m, p)| (!*p, m.to_string()));
    let rows = metrics
        .into_iter()
        .filter_map(|(m, _)| {
            let first = rs.iter().find(|r| r.metric == m)?;
            Some(MetricTableRow {
                metric: m.to_string(),
                unit: first.unit.clone(),
                better: first.better.as_str().to_string(),
                kind: first.kind.as_str().to_string(),
                values: arms
                    .iter()
                    .map(|a| {
                        rs.iter()
                            .find(|r| r.metric == m && &r.platform == a)
                            .map(|r| value_with_ci(r.stats.mean, r.stats.ci_low, r.stats.ci_high))
                            .unwrap_or_default()
                    })
                    .collect(),
                comparisons: compared
                    .iter()
                    .map(|a| {
                        overheads
                            .iter()
                            .find(|o| o.metric == m && &o.platform == a)
                            .map(|o| {
                                format!(
                                    "{}; {}; {}",
                                    change_text(o),
                                    cost_text(o),
                                    shown_verdict(o, comparisons)
                                )
                            })
                            .unwrap_or_default()
                    })
                    .collect(),
            })
        })
        .collect();
    MetricTable { arms, compared, rows }
}

/// A value axis's description: `events_per_sec (events/s; higher is better)`.
fn axis_desc(metric: &str, unit: &str, better: Better) -> String {
    let b = match better {
        Better::Higher => "; higher is better",
        Better::Lower => "; lower is better",
        Better::None => "",
    };
    if unit.is_empty() {
        format!("{metric}{b}")
    } else {
        format!("{metric} ({unit}{b})")
    }
}

/// The runs, mean and interval of summary row `r`, drawn in arm style `style`.
fn arm_values(r: &SummaryRow, style: usize) -> ArmValues {
    ArmValues {
        name: r.platform.clone(),
        style,
        values: r.values.to_vec(),
        mean: r.stats.mean,
        ci: r.stats.ci_low.zip(r.stats.ci_high),
    }
}

/// A set of percentile metrics: `(distribution, unit, [(metric, label)])`.
type PercentileSet = (String, String, Vec<(String, String)>);

/// Percentile metric sets among a group's metrics, as their parsers declare them
/// ([`crate::model::Percentile`]): `(distribution, unit, [(metric, label)])` for every
/// distribution with at least two percentiles (`latency` p50..p99, `read_clat` p50..p99.9).
fn percentile_sets(rs: &[&SummaryRow]) -> Vec<PercentileSet> {
    let mut sets: BTreeMap<(String, String), BTreeMap<u64, (String, String)>> = BTreeMap::new();
    for r in rs {
        let Some(pct) = &r.percentile else { continue };
        let p = pct.p;
        let label = format!("p{}", p.to_string().trim_end_matches('0').trim_end_matches('.'));
        let label = if p.fract() == 0.0 { format!("p{}", p as u64) } else { label };
        let key = (pct.of.to_string(), unit_text(&r.unit).to_string());
        sets.entry(key).or_default().insert((p * 1000.0) as u64, (r.metric.clone(), label));
    }
    sets.into_iter()
        .filter(|(_, v)| v.len() >= 2)
        .map(|((prefix, unit), v)| (prefix, unit, v.into_values().collect()))
        .collect()
}

/// A unit as an axis writes it: microseconds as `µs` (the tables keep `us`).
fn unit_text(unit: &str) -> &str {
    if unit == "us" {
        "µs"
    } else {
        unit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The percentiles of a distribution, as the parsers declare them, make one set in
    /// percentile order, labelled `p50`, `p99.9`, with the unit as an axis writes it; a lone
    /// percentile (sysbench's p95) is no set.
    #[test]
    fn percentiles_are_grouped_by_declaration() {
        let row = |metric: &str, unit: &str, p: Option<(&'static str, f64)>| SummaryRow {
            group: crate::model::GroupId::from_canonical("w", "", ""),
            workload: "w".into(),
            params: String::new(),
            metric: metric.into(),
            unit: unit.into(),
            better: Better::Lower,
            kind: crate::model::Kind::Performance,
            platform: "native".into(),
            stratum: String::new(),
            primary: false,
            percentile: p.map(|(of, p)| crate::model::Percentile::new(of, p)),
            stats: crate::stats::Summary::of(&[1.0], 0.95),
            values: vec![1.0].into(),
            sources: vec![].into(),
        };
        let rows = [
            row("read_clat_p99_9_us", "us", Some(("read_clat", 99.9))),
            row("read_clat_p50_us", "us", Some(("read_clat", 50.0))),
            row("read_clat_mean_us", "us", None),
            row("latency_p95_ms", "ms", Some(("latency", 95.0))),
        ];
        let sets = percentile_sets(&rows.iter().collect::<Vec<_>>());
        assert_eq!(
            sets,
            [(
                "read_clat".to_string(),
                "µs".to_string(),
                vec![
                    ("read_clat_p50_us".to_string(), "p50".to_string()),
                    ("read_clat_p99_9_us".to_string(), "p99.9".to_string())
                ]
            )]
        );
    }
}
