//! The paper table: one row per benchmark (workload and the params that set it apart, its
//! primary metric), one column per arm: the baseline's mean, and for every other arm the
//! signed change of the metric against it with its interval (`-13.6% [-15.2, -12.0]`), as
//! papers comparing containers and VMs print it. A failed check that withholds a verdict
//! withholds the cell too, as the headline does.

use super::Plan;
use crate::analyse::OverheadRow;
use crate::report::context::{PaperCellCtx, PaperRowCtx, PaperTableCtx};
use crate::report::text::{change_pct_text, num};

/// Builds the paper table, rows in the headline's order.
pub(super) fn build(plan: &Plan) -> PaperTableCtx {
    let a = plan.analysis;
    let mut rows = Vec::new();
    for (k, rs) in &plan.groups {
        let Some(primary) = rs.iter().find(|r| r.primary) else { continue };
        let cmp = plan.comparisons(k, &primary.metric);
        let ran = |arm: &str| rs.iter().any(|r| r.primary && r.platform == arm);
        let cells = plan
            .others
            .iter()
            .map(|arm| match cmp.iter().find(|o| &o.platform == arm) {
                Some(o) => cell(o),
                None => PaperCellCtx {
                    text: if ran(arm) { "not compared".into() } else { "no runs".into() },
                    change_pct: None,
                    ci_low_pct: None,
                    ci_high_pct: None,
                },
            })
            .collect();
        let baseline_mean =
            rs.iter().find(|r| r.primary && r.platform == a.baseline).and_then(|r| r.stats.mean);
        rows.push(PaperRowCtx {
            benchmark: plan.label(k),
            metric: primary.metric.clone(),
            unit: primary.unit.clone(),
            better: primary.better.as_str().to_string(),
            baseline_value: baseline_mean.map(num).unwrap_or_default(),
            baseline_mean,
            cells,
        });
    }
    PaperTableCtx { baseline: a.baseline.clone(), arms: plan.others.clone(), rows }
}

/// The cell of one comparison: the change with its interval, or why it is withheld.
fn cell(o: &OverheadRow) -> PaperCellCtx {
    if !o.failed_checks.is_empty() {
        return PaperCellCtx {
            text: format!("withheld: {}", o.failed_checks.join(", ")),
            change_pct: None,
            ci_low_pct: None,
            ci_high_pct: None,
        };
    }
    let text = match (o.change_pct, o.change_ci_low_pct, o.change_ci_high_pct) {
        (Some(c), Some(l), Some(h)) => format!("{} [{}, {}]", change_pct_text(c), bound(l), bound(h)),
        (Some(c), _, _) => format!("{} (interval unbounded)", change_pct_text(c)),
        _ => "n/a".to_string(),
    };
    PaperCellCtx {
        text,
        change_pct: o.change_pct,
        ci_low_pct: o.change_ci_low_pct,
        ci_high_pct: o.change_ci_high_pct,
    }
}

/// An interval bound as the paper table writes it: signed, one decimal, no `%` (the cell's
/// change carries it): `-15.2`, `+3.0`.
fn bound(v: f64) -> String {
    change_pct_text(v).trim_end_matches('%').to_string()
}
