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
