//! `run_time_differs`: a time-limited run that took far longer or shorter than its
//! repetitions.

use std::collections::BTreeMap;

use super::{Context, Findings};
use crate::analyse::output::{Check, Scope, Severity};
use crate::analyse::ObsRef;
use crate::model::GroupId;
use crate::text::{fmt_num, group_label};

/// How far a run's time may be from its group's median before `run_time_differs` says so.
const RUN_TIME_FACTOR: f64 = 2.0;

/// `run_time_differs`: time-limited runs whose time is more than [`RUN_TIME_FACTOR`] times
/// their group's median, or less than the median over it, in groups of at least 3 such runs: a
/// warning naming each run. The time is the metric a parser declares as echoing the run's time
/// limit ([`crate::model::Metric::time_limit`]: sysbench's `total_time_s` of a time-limited
/// run; where the run did a fixed amount of work the time is its result, and the `high_cv` and
/// `outlier` checks judge it). Repetitions of one time-limited workload run for about as long:
/// one that took twice as long stalled or was starved (a database server that stopped
/// answering keeps a sysbench OLTP run waiting for its queries past its limit), one that took
/// half as long had another limit (sysbench 1.0 does not print `--time`) or was cut short.
/// Either way its rates are not those of its repetitions. Runs are named in run order.
pub(super) fn run_time_differs(ctx: &Context<'_>) -> Findings {
    // The time-limited runs of each group on each arm, in the groups' order; a group's cells
    // by metric, each in run order (as every check names runs: whatever order they were read
    // in, and however often the dataset was analysed).
    let mut groups: BTreeMap<(&GroupId, &str), Vec<ObsRef<'_>>> = BTreeMap::new();
    for (g, group) in ctx.groups {
        for (_, arm, cell) in group.cells().filter(|(_, _, cell)| cell.timed) {
            let timed = cell.obs().filter(|o| o.declared().time_limit && o.value > 0.0);
            groups.entry((g, arm)).or_default().extend(timed);
        }
    }
    let mut checks = Vec::new();
    for ((g, arm), runs) in groups {
        let n = runs.len();
        if n < 3 {
            continue;
        }
        let mut sorted: Vec<f64> = runs.iter().map(|o| o.value).collect();
        sorted.sort_by(f64::total_cmp);
        let median = if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 };
        for o in runs {
            let t = o.value;
            if t <= RUN_TIME_FACTOR * median && t * RUN_TIME_FACTOR >= median {
                continue;
            }
            let why = if t > median {
                "it stalled or was starved past its time limit"
            } else {
                "it had a shorter time limit (sysbench does not print it) or was cut short"
            };
            checks.push(Check {
                check: "run_time_differs",
                severity: Severity::Warning,
                workload: group_label(g.workload(), g.params_string(), g.stratum()),
                platform: arm.to_string(),
                scope: Scope::of(g, arm),
                detail: format!(
                    "run {} of {} took {} s, {:.1} times the median of its {n} runs ({} s): {why}, \
                     and its rates are not those of its repetitions",
                    o.run(),
                    o.source(),
                    fmt_num(t),
                    t / median,
                    fmt_num(median)
                ),
                sources: vec![format!("{}:{}", o.source(), o.first_line())],
            });
        }
    }
    checks.into()
}
