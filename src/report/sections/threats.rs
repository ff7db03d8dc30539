//! Threats to validity: every check of the analysis that fired, failed ones first, with the
//! files concerned (up to five, and how many more); workload labels as short as the
//! headline's; unreadable files that failed the same way as one entry.

use std::collections::BTreeMap;

use super::{check_label, whole_label, Plan};
use crate::analyse::{Check, Severity};
use crate::report::context::ThreatCtx;

/// The threats, in the analysis' order, with the unreadable files grouped after the other
/// failed checks.
pub(super) fn build(plan: &Plan) -> Vec<ThreatCtx> {
    // The analysis' workload labels (exact, or the whole workload) -> the report's.
    let short: BTreeMap<String, String> = plan
        .groups
        .keys()
        .flat_map(|k| {
            let whole = whole_label(k);
            [(check_label(k), plan.label(k)), (whole.clone(), whole)]
        })
        .collect();
    let mut threats: Vec<ThreatCtx> = Vec::new();
    let mut unreadable: BTreeMap<String, Vec<&Check>> = BTreeMap::new();
    for c in &plan.analysis.checks {
        if c.check == "unreadable" {
            unreadable.entry(failure_kind(c)).or_default().push(c);
            continue;
        }
        threats.push(ThreatCtx {
            severity: c.severity.as_str(),
            check: c.check,
            workload: short.get(&c.workload).cloned().unwrap_or_else(|| c.workload.clone()),
            platform: c.platform.clone(),
            detail: c.detail.clone(),
            sources: c.sources.iter().take(5).cloned().collect(),
            hrefs: c.sources.iter().take(5).map(|s| href(s)).collect(),
            more_sources: c.sources.len().saturating_sub(5),
        });
    }
    let first_warning = threats.iter().position(|t| t.severity != "fail").unwrap_or(threats.len());
    let mut unreadable_threats: Vec<ThreatCtx> = unreadable.into_iter().map(unreadable_threat).collect();
    // Failed checks first, as the analysis orders them.
    let tail = threats.split_off(first_warning);
    threats.append(&mut unreadable_threats);
    threats.extend(tail);
    threats
}

/// One entry for the files in `cs` that could not be read the same way (`kind`).
fn unreadable_threat((kind, cs): (String, Vec<&Check>)) -> ThreatCtx {
    let sources: Vec<String> = cs.iter().flat_map(|c| c.sources.iter().cloned()).collect();
    let detail = if cs.len() == 1 {
        cs[0].detail.clone()
    } else {
        // Then the first file's whole message (it names its path and line).
        format!("{} files could not be read: {kind}. The first: {}", cs.len(), cs[0].detail)
    };
    ThreatCtx {
        severity: Severity::Fail.as_str(),
        check: "unreadable",
        workload: String::new(),
        platform: String::new(),
        detail,
        more_sources: sources.len().saturating_sub(5),
        hrefs: sources.iter().take(5).map(|s| href(s)).collect(),
        sources: sources.into_iter().take(5).collect(),
    }
}

/// The link to file `source` (`DIR/rep1.txt:12`, a path and maybe a line) relative to the folder
/// the inputs' paths are relative to: the path without its line, percent-encoded where a
/// character would end or break a link (spaces, parentheses, `%`, `#`, `?`, non-ASCII).
pub(crate) fn href(source: &str) -> String {
    let path = match source.rsplit_once(':') {
        Some((p, line)) if !p.is_empty() && !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()) => p,
        _ => source,
    };
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/._-~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// How an unreadable file failed, without its path and line and the quote of its content:
/// `could not tell which tool wrote this file`. The message is cut before its first quote or
/// parenthesis: a quote of the file (`'Linux 6.1 (vm) ...'`) holds anything.
fn failure_kind(c: &Check) -> String {
    let mut rest = c.detail.as_str();
    if let Some(src) = c.sources.first() {
        rest = rest.strip_prefix(src.as_str()).unwrap_or(rest);
    }
    let rest = rest.trim_start_matches(|ch: char| ch == ':' || ch.is_ascii_digit()).trim_start();
    let cut = [" (", ": line", " '", " \""].iter().filter_map(|p| rest.find(p)).min().unwrap_or(rest.len());
    rest[..cut].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A quote of the file in the message (here a banner with "(vm)" in it) is not taken for
    /// the end of the kind: the grouped sentence once read "... banner 'Linux 6.18. The first,
    /// a.pidstat (vm) ...".
    #[test]
    fn failure_kind_stops_before_a_quote_of_the_file() {
        let c = |path: &str| crate::analyse::Check {
            check: "unreadable",
            severity: crate::analyse::Severity::Fail,
            workload: String::new(),
            platform: String::new(),
            scope: crate::analyse::Scope::none(),
            detail: format!(
                "{path}:1: pidstat output: found the sysstat banner 'Linux 6.18.44-fc-v1272 (vm) \
                 12/07/26 _x86_64_ (2 CPU)' but no pidstat header after it (expected '<time> UID \
                 PID %usr ... Command'): pidstat was stopped before its first interval"
            ),
            sources: vec![path.to_string()],
        };
        assert_eq!(failure_kind(&c("a/rep1.pidstat")), "pidstat output: found the sysstat banner");
        assert_eq!(failure_kind(&c("b/rep2.pidstat")), failure_kind(&c("a/rep1.pidstat")));
        let undetected = crate::analyse::Check {
            detail: "x.txt:1: could not tell which tool wrote this file (it starts with 'hi'); expected"
                .into(),
            sources: vec!["x.txt".into()],
            ..c("x")
        };
        assert_eq!(failure_kind(&undetected), "could not tell which tool wrote this file");
    }
}
