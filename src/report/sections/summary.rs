//! The summary at the top of report.md: one sentence per compared arm with its typical cost
//! ratio (the geometric mean over the headline's primary metrics), and the checks that fired
//! grouped by kind, failed ones first. Both are read from sections already built (the headline
//! table, the threats), so they say nothing those do not.

use std::collections::BTreeMap;

use crate::report::context::{CheckKindCtx, HeadlineCtx, ThreatCtx};
use crate::report::text::ratio_fmt;

/// One sentence per compared arm of `headline`, in its column order; none when no arm could be
/// compared at all (the sentence of what was compared already says so, once).
pub(super) fn platform_sentences(headline: &HeadlineCtx) -> Vec<String> {
    let any = headline
        .rows
        .iter()
        .flat_map(|r| &r.cells)
        .any(|c| c.cost_ratio.is_some_and(|r| r.is_finite() && r > 0.0));
    if !any {
        return Vec::new();
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::context::{HeadlineCell, HeadlineRow};

    fn cell(ratio: Option<f64>, verdict: &str) -> HeadlineCell {
        HeadlineCell {
            value: String::new(),
            change: String::new(),
            cost: String::new(),
            verdict: verdict.into(),
            change_pct: None,
            change_ci_low_pct: None,
            change_ci_high_pct: None,
            cost_ratio: ratio,
            cost_ratio_ci_low: None,
            cost_ratio_ci_high: None,
        }
    }

    fn headline(cells: Vec<(&str, Vec<HeadlineCell>)>) -> HeadlineCtx {
        HeadlineCtx {
            baseline: "native".into(),
            arms: vec!["docker".into(), "qemu".into()],
            rows: cells
                .into_iter()
                .map(|(label, cells)| HeadlineRow {
                    label: label.into(),
                    id: label.into(),
                    metric: "m".into(),
                    unit: "u".into(),
                    better: "higher".into(),
                    baseline_value: String::new(),
                    cells,
                    failed_checks: String::new(),
                })
                .collect(),
        }
    }

    /// qemu: ratios 2 and 8 -> geometric mean 4 (sqrt(16)); docker one workload only.
    #[test]
    fn one_sentence_per_arm_with_the_geometric_mean() {
        let h = headline(vec![
            ("a", vec![cell(Some(1.5), "slower"), cell(Some(2.0), "slower")]),
            ("b", vec![cell(None, "not compared"), cell(Some(8.0), "not judged: log_errors")]),
        ]);
        assert_eq!(
            platform_sentences(&h),
            [
                "docker: cost ratio ×1.50 against native on a, the one workload compared (1 slower).",
                "qemu: typical cost ratio ×4.00 against native (the geometric mean over the primary metrics \
                 of 2 workloads, from ×2.00 on a to ×8.00 on b); verdicts: 1 not judged: log_errors, 1 slower."
            ]
        );
    }

    /// Nothing compared (no baseline runs): no sentence per arm repeating it.
    #[test]
    fn nothing_compared_gives_no_sentences() {
        let h = headline(vec![("a", vec![cell(None, "not compared"), cell(None, "not compared")])]);
        assert_eq!(platform_sentences(&h), Vec::<String>::new());
    }
}
