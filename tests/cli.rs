//! The command line end to end.

use crate::util::*;
use predicates::prelude::*;

#[test]
fn unknown_format_is_a_usage_error() {
    virtperf()
        .args(["ingest", ".", "--format", "fioo", "--out", "/dev/null.csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no parser named 'fioo'"));
}

/// The README's quick start names the test command; CI must run exactly that command.
#[test]
fn readme_test_command_is_what_ci_runs() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    let quick = readme.split("## Quick start").nth(1).expect("README has a '## Quick start' section");
    let block = quick.split("```").nth(1).expect("the quick start holds a code block");
    let commands: Vec<&str> = block
        .lines()
        .skip(1)
        .map(|l| l.split(" # ").next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(commands.len(), 2, "the quick start is two commands: {commands:?}");
    let test_command = commands[1];
    assert!(test_command.starts_with("cargo test"), "second command runs the tests: {test_command}");
    let ci_lines: Vec<&str> =
        ci.lines().map(str::trim).filter(|l| !l.starts_with('#') && !l.is_empty()).collect();
    assert_eq!(ci_lines.last(), Some(&test_command), ".ci/run must end with the README's test command");
}

/// Every metric name the parsers emit on the real outputs in the repository (fixtures,
/// sample-data, and ../shared/realdata when present) is documented in docs/metrics.md, either
/// by name or, for fio's per-direction metrics, as `<dir>_name` / a listed `_suffix`.
#[test]
fn every_emitted_metric_is_documented() {
    let doc = std::fs::read_to_string(root().join("docs/metrics.md")).unwrap();
    let mut inputs = vec![root().join("tests/fixtures"), root().join("sample-data")];
    inputs.extend(realdata());
    let out = ingest_paths(&inputs);
    let names: std::collections::BTreeSet<&str> =
        out.runs.iter().flat_map(|r| r.data.metrics.iter().map(|m| m.name.as_str())).collect();
    assert!(names.len() > 40, "too few metrics found: {names:?}");
    let documented = |name: &str| {
        if doc.contains(&format!("`{name}`")) {
            return true;
        }
        let name = name.strip_prefix("host_").unwrap_or(name);
        if doc.contains(&format!("`{name}`")) {
            return true;
        }
        let Some(rest) = ["read_", "write_", "trim_"].iter().find_map(|d| name.strip_prefix(d)) else {
            return false;
        };
        if doc.contains(&format!("`<dir>_{rest}`")) {
            return true;
        }
        // A listed suffix of at least two words: `_stdev_us` for read_clat_stdev_us.
        let words: Vec<&str> = rest.split('_').collect();
        (1..words.len().saturating_sub(1)).any(|i| doc.contains(&format!("`_{}`", words[i..].join("_"))))
    };
    let missing: Vec<&&str> = names.iter().filter(|n| !documented(n)).collect();
    assert!(missing.is_empty(), "metrics missing from docs/metrics.md: {missing:?}");
}
