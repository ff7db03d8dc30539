//! The report's title and "What was compared": one sentence saying what was compared with
//! what, and per arm (baseline first) its files, runs, monitor logs, how its files were
//! labelled, and the tools, hosts, kernels and dates the logs state. The facts that differ
//! between the arms are [`super::differences`]'.

use std::collections::{BTreeMap, BTreeSet};

use super::Plan;
use crate::model::{fact as model_fact, Labels};
use crate::report::context::ArmCtx;
use crate::report::input::{FileView, Mode, ReportInput, RunView};
use crate::report::text::iso_date;

/// The title: the user's, or one naming the arms.
pub(super) fn title(plan: &Plan) -> String {
    plan.input.title.clone().unwrap_or_else(|| match plan.input.mode {
        Mode::Platforms if plan.arms.is_empty() => "Virtualisation overhead report".to_string(),
        Mode::Platforms => format!("Virtualisation overhead: {}", plan.arms.join(" vs ")),
        Mode::Campaigns => format!("Campaign comparison: {}", plan.arms.join(" → ")),
    })
}

/// The sentence saying what was compared with what (or why nothing was).
pub(super) fn sentence(plan: &Plan) -> String {
    compared_sentence(plan.input, &plan.arms, &plan.analysis.baseline)
}

/// Every arm, baseline first.
pub(super) fn arms(plan: &Plan) -> Vec<ArmCtx> {
    plan.arms.iter().map(|n| arm_ctx(n, &plan.analysis.baseline, plan.input)).collect()
}

/// Arm `name` as the table of arms shows it.
fn arm_ctx(name: &str, baseline: &str, input: &ReportInput) -> ArmCtx {
    let files: Vec<&FileView> = input.files.iter().filter(|f| f.arm == name || f.campaign == name).collect();
    let runs: Vec<&RunView> = input.runs.iter().filter(|r| r.arm == name).collect();
    let mut labelled: BTreeMap<String, usize> = BTreeMap::new();
    for f in &files {
        *labelled.entry(how_labelled(&f.report.labels)).or_default() += 1;
    }
    // A log taken on the host of a VM or container states the host's name, kernel and date,
    // not the platform's: those columns are the platform's own.
    let inside: Vec<&&RunView> = runs.iter().filter(|r| !r.host_side).collect();
    let fact = |key: &str| -> Vec<String> {
        cap(inside
            .iter()
            .filter_map(|r| r.facts.get(key).cloned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect())
    };
    // A container's host name is its id (`228003214d5a`): the platform's name says more.
    let hosts = cap(inside
        .iter()
        .filter_map(|r| {
            let host = r.facts.get(model_fact::HOST)?;
            Some(if is_container_id(host) { platform_of(r).to_string() } else { host.clone() })
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect());
    let tools = cap(runs
        .iter()
        .map(|r| match &r.tool_version {
            Some(v) if v.starts_with(&r.tool) => v.clone(),
            Some(v) => format!("{} {v}", r.tool),
            None => r.tool.clone(),
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect());
    let mut platforms =
        runs.iter().map(|r| r.stratum.clone()).filter(|s| !s.is_empty()).collect::<BTreeSet<_>>();
    if platforms.is_empty() {
        // Pooled by family: the platforms inside it.
        platforms = files
            .iter()
            .map(|f| crate::analyse::arm_name(&f.report.labels.platform, &f.report.labels.platform_detail))
            .filter(|p| p != name)
            .collect();
    }
    ArmCtx {
        name: name.to_string(),
        baseline: name == baseline,
        files: files.len(),
        runs: runs.iter().filter(|r| !r.monitor).count(),
        failed_runs: runs.iter().filter(|r| !r.monitor && r.failed).count(),
        monitor_logs: runs
            .iter()
            .filter(|r| r.monitor)
            .map(|r| r.source.as_str())
            .collect::<BTreeSet<_>>()
            .len(),
        labelled: labelled
            .into_iter()
            .map(|(how, n)| format!("{how} ({n} file{})", if n == 1 { "" } else { "s" }))
            .collect(),
        platforms: platforms.into_iter().collect(),
        hosts,
        kernels: fact(model_fact::KERNEL),
        tools,
        dates: dates(inside.iter().filter_map(|r| r.facts.get(model_fact::DATE).cloned()).collect()),
    }
}

/// At most 6 items, the rest counted.
fn cap(mut v: Vec<String>) -> Vec<String> {
    if v.len() > 6 {
        let more = v.len() - 5;
        v.truncate(5);
        v.push(format!("and {more} more"));
    }
    v
}

/// The days the logs state, as ISO 8601 days (`2026-11-23`; a date that names no single day
/// as printed), in order: one or two of them, or the first and last and how many.
fn dates(all: Vec<String>) -> Vec<String> {
    let uniq: Vec<String> = all
        .iter()
        .map(|d| iso_date(d).unwrap_or_else(|| d.clone()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    match uniq.len() {
        0..=2 => uniq,
        n => vec![format!("{} … {} ({n} days)", uniq[0], uniq[n - 1])],
    }
}

/// Returns true if and only if `host` is a container's id as Docker and Podman name its host:
/// 12 or 64 lowercase hexadecimal digits.
fn is_container_id(host: &str) -> bool {
    matches!(host.len(), 12 | 64) && host.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The platform a run ran on: its stratum in `compare`, else its arm.
fn platform_of(r: &RunView) -> &str {
    if r.stratum.is_empty() {
        &r.arm
    } else {
        &r.stratum
    }
}

/// How a file was labelled and where the label came from: `path word 'docker' in folder 'docker' (path)`.
fn how_labelled(l: &Labels) -> String {
    format!("{} ({})", l.how, l.origin.as_str())
}

fn compared_sentence(input: &ReportInput, arms: &[String], baseline: &str) -> String {
    let others: Vec<&String> = arms.iter().filter(|a| *a != baseline).collect();
    let list = |v: &[&String]| v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
    if arms.is_empty() {
        return "No runs were found in the inputs, so nothing is compared.".to_string();
    }
    let details: Vec<&str> = arms
        .iter()
        .filter(|a| a.strip_prefix(baseline).is_some_and(|r| r.starts_with('[')))
        .map(|a| a.as_str())
        .collect();
    if !arms.iter().any(|a| a == baseline) && details.len() > 1 {
        return format!(
            "The baseline {baseline} is {} platforms ({}), so nothing is compared (choose one with \
             --baseline).",
            details.len(),
            details.join(", ")
        );
    }
    if !arms.iter().any(|a| a == baseline) {
        return format!(
            "No runs are labelled {baseline}, the baseline, so nothing is compared; the {} found: {} \
             (choose one with --baseline, or label the files).",
            if input.mode == Mode::Platforms { "platforms" } else { "campaigns" },
            arms.join(", ")
        );
    }
    match input.mode {
        Mode::Platforms if others.is_empty() => {
            format!("Only one platform ({}) was found, so nothing is compared.", arms.join(", "))
        }
        Mode::Platforms => format!("{} compared with the baseline {baseline}.", list(&others)),
        Mode::Campaigns => format!(
            "Campaign {} compared with campaign {baseline} (the baseline), platform by platform.",
            list(&others)
        ),
    }
}
