//! The summary at the top of report.md: one sentence per compared arm with its typical cost
//! ratio (the geometric mean over the headline's primary metrics), and the checks that fired
//! grouped by kind, failed ones first. Both are read from sections already built (the headline
//! table, the threats), so they say nothing those do not.

use std::collections::BTreeMap;

use crate::report::context::{CheckKindCtx, HeadlineCtx, ThreatCtx};
use crate::report::text::ratio_fmt;

/// One sentence per compared arm of `headline`, in its column order.
pub(super) fn platform_sentences(headline: &HeadlineCtx) -> Vec<String> {
    (0..headline.arms.len()).map(|i| arm_sentence(headline, i)).collect()
}

/// The sentence of arm `i`: its typical cost ratio, its range and its verdicts.
fn arm_sentence(h: &HeadlineCtx, i: usize) -> String {
    let arm = &h.arms[i];
    let base = &h.baseline;
    let mut ratios: Vec<(f64, &str)> = Vec::new();
    let mut verdicts: BTreeMap<&str, usize> = BTreeMap::new();
    for row in &h.rows {
        let Some(c) = row.cells.get(i) else { continue };
        if let Some(r) = c.cost_ratio.filter(|r| r.is_finite() && *r > 0.0) {
            ratios.push((r, row.label.as_str()));
            *verdicts.entry(c.verdict.as_str()).or_default() += 1;
        }
    }
    if ratios.is_empty() {
        return format!("{arm}: no workload's primary metric could be compared with {base}.");
    }
    let mut tally: Vec<(&str, usize)> = verdicts.into_iter().collect();
    tally.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let tally = tally.iter().map(|(v, n)| format!("{n} {v}")).collect::<Vec<_>>().join(", ");
    if let [(r, label)] = ratios[..] {
        return format!(
            "{arm}: cost ratio ×{} against {base} on {label}, the one workload compared ({tally}).",
            ratio_fmt(r)
        );
    }
    let gm = (ratios.iter().map(|(r, _)| r.ln()).sum::<f64>() / ratios.len() as f64).exp();
    let min = ratios.iter().copied().fold(ratios[0], |a, b| if b.0 < a.0 { b } else { a });
    let max = ratios.iter().copied().fold(ratios[0], |a, b| if b.0 > a.0 { b } else { a });
    format!(
        "{arm}: typical cost ratio ×{} against {base} (the geometric mean over the primary metrics \
         of {} workloads, from ×{} on {} to ×{} on {}); verdicts: {tally}.",
        ratio_fmt(gm),
        ratios.len(),
        ratio_fmt(min.0),
        min.1,
        ratio_fmt(max.0),
        max.1
    )
}

/// The checks of `threats` grouped by (severity, check): failed first, then warnings, then the
/// rest; within a severity the most frequent first.
pub(super) fn check_kinds(threats: &[ThreatCtx]) -> Vec<CheckKindCtx> {
    let mut kinds: Vec<CheckKindCtx> = Vec::new();
    for t in threats {
        let k = match kinds.iter_mut().find(|k| k.severity == t.severity && k.check == t.check) {
            Some(k) => k,
            None => {
                kinds.push(CheckKindCtx {
                    severity: t.severity,
                    check: t.check,
                    count: 0,
                    workloads: Vec::new(),
                    platforms: Vec::new(),
                });
                kinds.last_mut().expect("just pushed")
            }
        };
        k.count += 1;
        for (list, v) in [(&mut k.workloads, &t.workload), (&mut k.platforms, &t.platform)] {
            if !v.is_empty() && !list.contains(v) {
                list.push(v.clone());
            }
        }
    }
    let rank = |s: &str| match s {
        "fail" => 0,
        "warning" => 1,
        _ => 2,
    };
    kinds.sort_by(|a, b| rank(a.severity).cmp(&rank(b.severity)).then(b.count.cmp(&a.count)));
    for k in &mut kinds {
        k.workloads.sort();
        k.platforms.sort();
    }
    kinds
}
