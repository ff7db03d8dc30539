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
