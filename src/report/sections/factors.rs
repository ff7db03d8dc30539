//! Factor reports: when a campaign varies a factor, the primary metric against it, and which
//! factor moves the metric most.
//!
//! A factor is either a **workload parameter** whose value differs between the parameter sets
//! of one workload with its other parameters equal (`threads`, `cpu-max-prime`, fio's `bs`), or
//! a **platform setting** a plan's `[platform.matrix]` varied (`cpus`, `smp`, `format`,
//! `network`), as the manifest records it ([`crate::report::input::RunView::factors`]). Each
//! mean of a primary metric (one per group and arm) is a point whose coordinates are its
//! parameters and its platform's factors. For a factor, a **line** joins the points that agree
//! on every other coordinate and come from the same platform: the same arm, or, for arms one
//! matrix made, the same platform kind (`docker`) with the other platform factors equal. A
//! factor is one for which some line has two levels or more.
//!
//! **Which factor moves the metric most**: along each line, the ratio of the largest to the
//! smallest mean of the primary metric over the factor's levels (other factors fixed, per
//! platform); a factor's figure is the largest such ratio over its lines, and the factor with
//! the largest figure moves the metric most. Means that are not positive are left out of the
//! ratio. It is a ratio of means, with no interval: the figure and the table show each mean's.
//! docs/report.md ("Factors") says the same for readers.

use std::collections::{BTreeMap, BTreeSet};

use super::{Figures, Plan};
use crate::analyse::SummaryRow;
use crate::report::context::{FactorCtx, FactorLineCtx, FactorsCtx};
use crate::report::figures::{ArmValues, FactorData, FactorLine, FactorScale, FigureData};
use crate::report::input::Mode;
use crate::report::text::{num, ratio_fmt, value_with_ci, Slugs};
use crate::text::size_number;

/// One mean of a primary metric: a group's arm, with its coordinates.
struct Point<'a> {
    row: &'a SummaryRow,
    /// Params and platform factors.
    coords: BTreeMap<String, String>,
    /// The platform factors' names among the coordinates.
    platform_factors: BTreeSet<String>,
    /// What the points of one platform share: the arm, or `kind` for arms a matrix made.
    base: String,
}

/// The workload, stratum and primary metric that a set of points share.
type UnitKey = (String, String, String);

/// How far one factor moves the metric along one line: the ratio and where.
#[derive(Debug, Clone)]
struct Moves {
    ratio: f64,
    line: String,
    hi: (String, f64),
    lo: (String, f64),
}

/// A factor of one unit, with its lines.
struct Factor<'a> {
    name: String,
    platform: bool,
    levels: Vec<String>,
    numeric: Option<Vec<f64>>,
    lines: Vec<(String, usize, Vec<Option<&'a Point<'a>>>)>,
    moves: Option<Moves>,
    /// The primary metric's unit.
    unit: String,
}

/// Builds the factor section: per workload with factors, a sentence on which moves its
/// primary metric most, and per factor a table and a figure (to `figures`).
pub(super) fn build(plan: &Plan, figures: &mut Figures) -> FactorsCtx {
    let arm_factors = arm_factors(plan);
    let mut units: BTreeMap<UnitKey, Vec<Point>> = BTreeMap::new();
    for rs in plan.groups.values() {
        for r in rs.iter().filter(|r| r.primary) {
            let mut coords: BTreeMap<String, String> = r.group.params().clone();
            let (kind, factors) = arm_factors.get(r.platform.as_str()).cloned().unwrap_or_default();
            let platform_factors: BTreeSet<String> = factors.keys().cloned().collect();
            coords.extend(factors);
            let base = if platform_factors.is_empty() { r.platform.clone() } else { kind };
            let key = (r.workload.clone(), r.stratum.clone(), r.metric.clone());
            units.entry(key).or_default().push(Point { row: r, coords, platform_factors, base });
        }
    }
    let mut out = FactorsCtx::default();
    let mut slugs = Slugs::default();
    for (key, points) in &units {
        let factors = factors_of(plan, points);
        if factors.is_empty() {
            continue;
        }
        let unit_label = if key.1.is_empty() { key.0.clone() } else { format!("{} ({})", key.0, key.1) };
        if let Some(s) = sentence(&unit_label, &key.2, &factors) {
            out.sentences.push(s);
        }
        for f in &factors {
            let name = slugs.unique(&format!("factor {unit_label} {}", f.name));
            out.factors.push(factor_ctx(plan, figures, name, &unit_label, points, f));
        }
    }
    out
}

/// Each arm's platform kind and factors, from its runs. None in `compare` (arms are
/// campaigns), and none for an arm whose runs disagree on them (`--group-by family` pools the
/// platforms of a matrix into one arm): such an arm has no one value of a factor.
fn arm_factors<'a>(plan: &Plan<'a>) -> BTreeMap<&'a str, (String, BTreeMap<String, String>)> {
    // Per arm, the distinct (kind, factors) of its runs.
    type KindFactors<'r> = (&'r String, &'r BTreeMap<String, String>);
    let mut seen: BTreeMap<&str, BTreeSet<KindFactors<'_>>> = BTreeMap::new();
    if plan.input.mode != Mode::Platforms {
        return BTreeMap::new();
    }
    for r in plan.input.runs.iter().filter(|r| !r.monitor) {
        seen.entry(r.arm.as_str()).or_default().insert((&r.platform_kind, &r.factors));
    }
    seen.into_iter()
        .filter(|(_, set)| set.len() == 1)
        .filter_map(|(arm, set)| set.into_iter().next().map(|(k, f)| (arm, (k.clone(), f.clone()))))
        .filter(|(_, (_, f))| !f.is_empty())
        .collect()
}

/// The factors of one unit's points, each with its lines, in name order.
fn factors_of<'a>(plan: &Plan, points: &'a [Point<'a>]) -> Vec<Factor<'a>> {
    let names: BTreeSet<&String> = points.iter().flat_map(|p| p.coords.keys()).collect();
    let mut out = Vec::new();
    // First the lines of every candidate; then the ones that vary tell the labels which
    // coordinates to show.
    let mut candidates = Vec::new();
    for name in names {
        let mut lines: BTreeMap<(String, BTreeMap<&String, &String>), Vec<&Point>> = BTreeMap::new();
        for p in points.iter().filter(|p| p.coords.contains_key(name)) {
            let rest = p.coords.iter().filter(|(k, _)| *k != name).collect();
            lines.entry((p.base.clone(), rest)).or_default().push(p);
        }
        // A line with two points at one level would mix platforms: left out.
        lines.retain(|_, ps| {
            let levels: BTreeSet<&String> = ps.iter().map(|p| &p.coords[name]).collect();
            levels.len() == ps.len()
        });
        if lines.values().any(|ps| ps.len() >= 2) {
            let platform = points.iter().any(|p| p.platform_factors.contains(name));
            candidates.push((name.clone(), platform, lines));
        }
    }
    let varying: BTreeSet<String> = candidates.iter().map(|c| c.0.clone()).collect();
    for (name, platform, lines) in candidates {
        let mut levels: Vec<String> = lines
            .values()
            .flatten()
            .map(|p| p.coords[&name].clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let numbers: Option<Vec<f64>> = levels.iter().map(|l| size_number(l)).collect();
        let numeric = numbers.map(|_| {
            levels.sort_by(|a, b| size_number(a).unwrap_or(0.0).total_cmp(&size_number(b).unwrap_or(0.0)));
            levels.iter().map(|l| size_number(l).unwrap_or(0.0)).collect::<Vec<f64>>()
        });
        let mut drawn = Vec::new();
        let mut moves: Option<Moves> = None;
        for ((base, rest), ps) in lines.iter().filter(|(_, ps)| ps.len() >= 2) {
            let arms: BTreeSet<&str> = ps.iter().map(|p| p.row.platform.as_str()).collect();
            let shown: Vec<String> = rest
                .iter()
                .filter(|(k, _)| varying.contains(**k))
                // The arm's own platform factors are in its name already.
                .filter(|(k, _)| arms.len() > 1 || !ps[0].platform_factors.contains(**k))
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let head = if arms.len() == 1 { ps[0].row.platform.clone() } else { base.clone() };
            let label = if shown.is_empty() { head } else { format!("{head}, {}", shown.join(", ")) };
            let style =
                if arms.len() == 1 { plan.style(&ps[0].row.platform) } else { plan.arms.len() + drawn.len() };
            let points: Vec<Option<&Point>> =
                levels.iter().map(|l| ps.iter().find(|p| &p.coords[&name] == l).copied()).collect();
            if let Some(m) = line_moves(&label, &levels, &points) {
                if moves.as_ref().is_none_or(|best| m.ratio > best.ratio) {
                    moves = Some(m);
                }
            }
            drawn.push((label, style, points));
        }
        // The baseline's line first, then the others in the order of their styles.
        drawn.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
        let unit = points[0].row.unit.clone();
        out.push(Factor { name, platform, levels, numeric, lines: drawn, moves, unit });
    }
    out
}

/// The ratio of the largest to the smallest positive mean along one line, with where they
/// are; `None` with fewer than two positive means.
fn line_moves(label: &str, levels: &[String], points: &[Option<&Point>]) -> Option<Moves> {
    let means: Vec<(String, f64)> = levels
        .iter()
        .zip(points)
        .filter_map(|(l, p)| {
            p.and_then(|p| p.row.stats.mean).filter(|m| *m > 0.0 && m.is_finite()).map(|m| (l.clone(), m))
        })
        .collect();
    if means.len() < 2 {
        return None;
    }
    let hi = means.iter().max_by(|a, b| a.1.total_cmp(&b.1))?.clone();
    let lo = means.iter().min_by(|a, b| a.1.total_cmp(&b.1))?.clone();
    Some(Moves { ratio: hi.1 / lo.1, line: label.to_string(), hi, lo })
}

/// The headline's sentence on a unit's factors: which moves its metric most, and by how much
/// the others do.
fn sentence(unit: &str, metric: &str, factors: &[Factor]) -> Option<String> {
    let mut ranked: Vec<&Factor> = factors.iter().filter(|f| f.moves.is_some()).collect();
    ranked.sort_by(|a, b| {
        let (ra, rb) = (a.moves.as_ref().map_or(0.0, |m| m.ratio), b.moves.as_ref().map_or(0.0, |m| m.ratio));
        rb.total_cmp(&ra).then(a.name.cmp(&b.name))
    });
    let first = ranked.first()?;
    let m = first.moves.as_ref()?;
    let mut s = format!(
        "{unit}: of its factors, {} moves {metric} most: its largest mean is {} times its smallest, \
         {}={} against {}={} on {} ({} vs {} {})",
        first.name,
        ratio_fmt(m.ratio),
        first.name,
        m.hi.0,
        first.name,
        m.lo.0,
        m.line,
        num(m.hi.1),
        num(m.lo.1),
        first.unit,
    );
    let rest: Vec<String> = ranked[1..]
        .iter()
        .filter_map(|f| f.moves.as_ref().map(|m| format!("{} ×{}", f.name, ratio_fmt(m.ratio))))
        .collect();
    if !rest.is_empty() {
        s.push_str(&format!("; then {}", rest.join(", ")));
    }
    s.push('.');
    Some(s)
}

/// The context of one factor, and its figure.
fn factor_ctx(
    plan: &Plan,
    figures: &mut Figures,
    name: String,
    unit: &str,
    points: &[Point],
    f: &Factor,
) -> FactorCtx {
    let first = points[0].row;
    let lines: Vec<FactorLineCtx> = f
        .lines
        .iter()
        .map(|(label, _, ps)| FactorLineCtx {
            line: label.clone(),
            values: ps
                .iter()
                .map(|p| {
                    p.map(|p| value_with_ci(p.row.stats.mean, p.row.stats.ci_low, p.row.stats.ci_high))
                        .unwrap_or_default()
                })
                .collect(),
            ratio: line_moves(label, &f.levels, ps)
                .map(|m| format!("×{}", ratio_fmt(m.ratio)))
                .unwrap_or_default(),
        })
        .collect();
    let scale = match &f.numeric {
        None => FactorScale::Category,
        Some(v) => {
            let (lo, hi) =
                v.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(*x), b.max(*x)));
            if lo > 0.0 && hi / lo > 10.0 {
                FactorScale::Log
            } else {
                FactorScale::Linear
            }
        }
    };
    let positions = match &f.numeric {
        Some(v) => v.clone(),
        None => (0..f.levels.len()).map(|i| i as f64).collect(),
    };
    let data = FactorData {
        title: format!("{} of {unit} against {}", first.metric, f.name),
        x_desc: match scale {
            FactorScale::Log => format!("{} (log scale)", f.name),
            _ => f.name.clone(),
        },
        y_desc: format!("{} ({}, {} is better)", first.metric, first.unit, first.better.as_str()),
        levels: f.levels.clone(),
        positions,
        scale,
        lines: f
            .lines
            .iter()
            .map(|(label, style, ps)| FactorLine {
                name: label.clone(),
                style: *style,
                points: ps
                    .iter()
                    .map(|p| {
                        p.map(|p| ArmValues {
                            name: p.row.platform.clone(),
                            style: *style,
                            values: p.row.values.to_vec(),
                            mean: p.row.stats.mean,
                            ci: p.row.stats.ci_low.zip(p.row.stats.ci_high),
                        })
                    })
                    .collect(),
            })
            .collect(),
    };
    let caption = format!(
        "Lines: the mean of {} at each level of {} ({}), one line per platform with the other factors \
         fixed; whiskers: {}% interval of the mean (Student's t); hollow markers: the runs.",
        first.metric,
        f.name,
        if f.platform { "a platform setting of the plan's matrix" } else { "a workload parameter" },
        plan.confidence_pct
    );
    let figure = figures.add(name, plan.plot, FigureData::Factor(data), &caption);
    FactorCtx {
        workload: unit.to_string(),
        factor: f.name.clone(),
        source: if f.platform { "platform setting" } else { "workload parameter" },
        metric: first.metric.clone(),
        unit: first.unit.clone(),
        better: first.better.as_str().to_string(),
        levels: f.levels.clone(),
        moves: f.moves.as_ref().map(|m| format!("×{}", ratio_fmt(m.ratio))).unwrap_or_default(),
        moves_ratio: f.moves.as_ref().map(|m| m.ratio),
        moves_where: f
            .moves
            .as_ref()
            .map(|m| format!("{}={} against {}={} on {}", f.name, m.hi.0, f.name, m.lo.0, m.line))
            .unwrap_or_default(),
        lines,
        figure,
    }
}

#[cfg(test)]
mod tests {
    use crate::text::size_number;

    #[test]
    fn levels_with_size_suffixes_are_numbers() {
        assert_eq!(size_number("8"), Some(8.0));
        assert_eq!(size_number("4k"), Some(4096.0));
        assert_eq!(size_number("16KiB"), Some(16384.0));
        assert_eq!(size_number("1GiB"), Some(1073741824.0));
        assert_eq!(size_number("2GiB"), Some(2147483648.0));
        assert_eq!(size_number("1.5M"), Some(1.5 * 1048576.0));
        for other in ["qcow2", "rndrw", "host", "", "k", "1x", "inf"] {
            assert_eq!(size_number(other), None, "{other}");
        }
    }
}
