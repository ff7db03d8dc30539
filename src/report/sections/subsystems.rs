//! Per subsystem: the analysis' geometric mean of cost ratios per arm, written as the headline
//! writes a cost ratio, with the workloads it covers.

use crate::analyse::Analysis;
use crate::report::context::SubsystemCtx;
use crate::report::text::ratio_fmt;

/// One row per subsystem and arm, in the analysis' order.
pub(super) fn build(a: &Analysis) -> Vec<SubsystemCtx> {
    a.subsystems
        .iter()
        .map(|s| SubsystemCtx {
            subsystem: s.subsystem.clone(),
            platform: s.platform.clone(),
            stratum: s.stratum.clone(),
            cost_ratio: ratio_fmt(s.geomean_cost_ratio),
            comparisons: s.comparisons,
            workloads: s
                .workloads
                .iter()
                .map(|w| if s.not_judged.contains(w) { format!("{w} (not judged)") } else { w.clone() })
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect()
}
