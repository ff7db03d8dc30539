//! Checks of what the inputs say about themselves: errors reported inside the logs
//! (`log_errors`), files that could not be read (`unreadable`) and files no label named a
//! platform for (`unlabelled`).

use std::collections::BTreeMap;

use super::{Context, Findings};
use crate::analyse::input::RunIssue;
use crate::analyse::output::{Check, Scope, Severity};
use crate::model::GroupId;
use crate::text::group_label;

/// `log_errors`: the problems the logs report (socket errors, a fio `err=`, a FATAL line, a
/// failed run), one check per group, arm and kind of problem; a failure, except fio's
/// `warning` kind and sysbench's `ignored_errors` (queries or deadlocks that sysbench retried:
/// its counts are of the transactions that completed, so the work measured is still the work
/// asked for, and a few deadlocks are normal under oltp_read_write).
pub(super) fn log_errors(ctx: &Context<'_>) -> Findings {
    // (group, arm, kind) -> its issues, in the dataset's order.
    let mut by_kind: BTreeMap<(GroupId, &str, &str), Vec<&RunIssue>> = BTreeMap::new();
    for i in &ctx.ds.issues {
        let g = GroupId::from_canonical(&i.workload, &i.params, &i.stratum);
        by_kind.entry((g, i.arm.as_str(), i.kind.as_str())).or_default().push(i);
    }
    let checks = by_kind.into_iter().map(|((g, arm, kind), issues)| {
        let first = issues[0];
        Check {
            check: "log_errors",
            severity: if matches!(kind, "warning" | "ignored_errors") {
                Severity::Warning
            } else {
                Severity::Fail
            },
            workload: group_label(g.workload(), g.params_string(), g.stratum()),
            platform: arm.to_string(),
            detail: if issues.len() == 1 {
                format!("{kind}: {}", first.message)
            } else {
                format!("{kind} in {} runs, e.g. {}", issues.len(), first.message)
            },
            sources: issues.iter().map(|i| format!("{}:{}", i.source, i.line)).collect(),
            scope: Scope::of(&g, arm),
        }
    });
    checks.collect::<Vec<_>>().into()
}

/// `unreadable`: a failure for each file that could not be read; it concerns no comparison in
/// particular.
pub(super) fn unreadable(ctx: &Context<'_>) -> Findings {
    let checks = ctx.ds.unreadable.iter().map(|(source, message)| Check {
        check: "unreadable",
        severity: Severity::Fail,
        workload: String::new(),
        platform: String::new(),
        detail: message.clone(),
        sources: vec![source.clone()],
        scope: Scope::none(),
    });
    checks.collect::<Vec<_>>().into()
}

/// `unlabelled`: one warning listing the files labelled `unknown`.
pub(super) fn unlabelled(ctx: &Context<'_>) -> Findings {
    let files = &ctx.ds.unlabelled;
    if files.is_empty() {
        return Findings::default();
    }
    let one = files.len() == 1;
    vec![Check {
        check: "unlabelled",
        severity: Severity::Warning,
        workload: String::new(),
        platform: "unknown".into(),
        detail: format!(
            "{} file{} named no platform in the path or labels and {} labelled 'unknown' (use --label or --labels)",
            files.len(),
            if one { "" } else { "s" },
            if one { "is" } else { "are" }
        ),
        sources: files.clone(),
        scope: Scope::none(),
    }]
    .into()
}
