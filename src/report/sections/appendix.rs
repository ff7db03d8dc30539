//! The appendices: A, every metric of every arm with its statistics; B, every input file with
//! its sha256, size, parser, runs, the arm it was counted under and how it was labelled.

use super::Plan;
use crate::report::context::{FileCtx, MetricCtx};
use crate::report::input::{FileView, ReportInput};
use crate::report::text::num;
use crate::text::display_params;

/// Appendix A: one row per summary row of the analysis, in its order.
pub(super) fn metrics(plan: &Plan) -> Vec<MetricCtx> {
    plan.analysis
        .summary
        .iter()
        .map(|r| {
            let k = super::GroupKey::of(r);
            let s = &r.stats;
            let o = |v: Option<f64>| v.map(num).unwrap_or_default();
            MetricCtx {
                workload: plan.label(&k),
                params: display_params(&r.params),
                metric: r.metric.clone(),
                unit: r.unit.clone(),
                better: r.better.as_str().to_string(),
                platform: r.platform.clone(),
                primary: r.primary,
                n: s.n,
                mean: o(s.mean),
                ci: match (s.ci_low, s.ci_high) {
                    (Some(l), Some(h)) => format!("[{}, {}]", num(l), num(h)),
                    _ => String::new(),
                },
                precision: match (s.ci_low, s.ci_high, s.mean) {
                    (Some(l), Some(h), Some(m)) if m != 0.0 => {
                        format!("±{:.1}%", (h - l) / 2.0 / m.abs() * 100.0)
                    }
                    _ => String::new(),
                },
                sd: o(s.sd),
                cv: s.cv_pct.map(|c| format!("{c:.1}%")).unwrap_or_default(),
                median: o(s.median),
                min: o(s.min),
                max: o(s.max),
            }
        })
        .collect()
}

/// Appendix B: one row per input file, in the order given.
pub(super) fn files(input: &ReportInput) -> Vec<FileCtx> {
    input
        .files
        .iter()
        .map(|f| FileCtx {
            source: f.report.source.clone(),
            campaign: f.campaign.clone(),
            sha256: f.report.sha256.clone().unwrap_or_default(),
            bytes: f.report.bytes,
            parser: f.report.parser.unwrap_or("").to_string(),
            runs: f.report.runs,
            platform: f.arm.clone(),
            origin: f.report.labels.origin.as_str().to_string(),
            how: file_how(f),
            error: f.report.error.clone().unwrap_or_default(),
        })
        .collect()
}

/// How a file was labelled, for the appendix: when its runs were counted under another arm
/// than its label (a family with `--group-by family`, a campaign in `compare`), the label
/// first (`kvm[raw] (family vm): path word 'kvm' in folder 'kvm'`).
fn file_how(f: &FileView) -> String {
    let l = &f.report.labels;
    let label = crate::analyse::arm_name(&l.platform, &l.platform_detail);
    if f.arm == label {
        l.how.clone()
    } else if f.arm == l.platform_family {
        format!("{label} (family {}): {}", l.platform_family, l.how)
    } else {
        format!("{label}: {}", l.how)
    }
}
