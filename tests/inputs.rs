//! What the commands do with inputs that hold nothing, runs that failed, and tables written by
//! `virtperf ingest`: never a green run on nothing, every failure said, and the same checks
//! from a table as from the raw files.

use std::path::Path;

use predicates::prelude::*;

use crate::util::*;

/// A folder with no files, and one with only hidden files: every command that reads inputs
/// exits 1 and says what it searched, and `report` writes no empty report.
#[test]
fn no_benchmark_output_is_exit_status_1_naming_what_was_searched() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(empty.join(".hidden")).unwrap();
    std::fs::write(empty.join(".hidden/notes.txt"), "not read").unwrap();
    let out = dir.path().join("out");
    let searched = format!("searched '{}' (a folder: no files in it", empty.display());
    for args in [
        vec!["ingest", "--out", out.join("t.csv").to_str().unwrap()],
        vec!["analyse", "--out", out.join("a").to_str().unwrap()],
        vec!["audit"],
        vec!["report", "--out", out.join("r").to_str().unwrap()],
    ] {
        virtperf().args(&args[..1]).arg(&empty).args(&args[1..]).assert().code(1).stderr(
            predicate::str::contains("no benchmark output found").and(predicate::str::contains(&searched)),
        );
    }
    assert!(!out.join("r/report.md").exists(), "a report of nothing was written");
}

/// What an empty input should have held is said with the parsers' own names, from the
/// registry: every parser there (wrk2 too), and no other.
#[test]
fn messages_name_every_parser_of_the_registry() {
    let names: Vec<&str> = virtperf::ingest::PARSERS.iter().map(|p| p.name()).collect();
    let known = format!("expected the output of one of: {}", names.join(", "));
    assert!(names.contains(&"wrk2"), "{names:?}");
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    virtperf().arg("audit").arg(&empty).assert().code(1).stderr(predicate::str::contains(known.as_str()));
    let file = dir.path().join("zero.txt");
    std::fs::write(&file, "").unwrap();
    virtperf()
        .arg("audit")
        .arg(&file)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!("zero.txt:1: empty file (0 bytes): {known}")));
}

/// The checks (every line after the first) and the counts of `audit` on sample-data equal
/// those on the tables `ingest` writes from it, in every table format: the `log_errors` check
/// of the QEMU wrk runs' socket errors used to be lost through the table, and `audit
/// table.csv` said "Audited 0 files, 0 runs".
#[test]
fn audit_of_a_table_equals_audit_of_the_raw_files() {
    let sample = root().join("sample-data");
    let raw = virtperf().arg("audit").arg(&sample).output().unwrap();
    let raw = String::from_utf8(raw.stdout).unwrap();
    assert!(raw.contains("log_errors") && raw.contains("socket_errors"), "{raw}");
    assert!(raw.starts_with("Audited 200 files: 75 benchmark runs, 125 monitor logs (pidstat);"), "{raw}");
    let dir = tempfile::tempdir().unwrap();
    for ext in ["csv", "parquet", "json"] {
        let table = dir.path().join(format!("metrics.{ext}"));
        virtperf().arg("ingest").arg(&sample).arg("--out").arg(&table).arg("-q").assert().success();
        let got = virtperf().arg("audit").arg(&table).assert().code(1).get_output().stdout.clone();
        assert_eq!(String::from_utf8(got).unwrap(), raw, "audit of {ext} table differs from raw");
    }
}

/// Makes a real campaign with `virtperf run` on the native platform: two good sysbench runs,
/// two that sysbench refuses (an unknown option), one that times out after writing to
/// stderr. Returns false (skipped) without sysbench and pidstat.
fn failing_campaign(dir: &Path) -> bool {
    if !have_tool("sysbench") || !have_tool("pidstat") {
        return false;
    }
    let plan = dir.join("plan.toml");
    std::fs::write(
        &plan,
        r#"
campaign = "failing"
[monitor]
pidstat_interval_s = 1
[[platform]]
name = "native"
kind = "native"
[[workload]]
name = "sysbench-cpu"
kind = "sysbench"
args = ["cpu", "--cpu-max-prime=2000", "--time=1", "run"]
repetitions = 2
[[workload]]
name = "sysbench-bad"
kind = "sysbench"
args = ["cpu", "--no-such-option=1", "run"]
repetitions = 2
[[workload]]
name = "hang"
kind = "command"
args = ["sh", "-c", "echo waiting for nothing >&2; sleep 30"]
timeout_s = 1
repetitions = 1
"#,
    )
    .unwrap();
    virtperf().arg("run").arg(&plan).arg("--out").arg(dir.join("out")).assert().code(1);
    true
}

/// Runs the manifest records as failed or timed out are in `audit` and the report, each with
/// the last lines of its stderr; the pidstat logs beside them are not counted as unreadable
/// inputs; "Runs" counts benchmark runs, with the failed ones, apart from monitor logs.
#[test]
fn failed_runs_are_reported_with_their_stderr() {
    let dir = tempfile::tempdir().unwrap();
    if !failing_campaign(dir.path()) {
        return;
    }
    let out = dir.path().join("out");
    let audit = virtperf().arg("audit").arg(&out).assert().code(1).get_output().stdout.clone();
    let audit = String::from_utf8(audit).unwrap();
    assert!(audit.starts_with("Audited 10 files: 5 benchmark runs (3 failed)"), "{audit}");
    assert!(
        audit.contains("sysbench-bad / native: run_failed in 2 runs")
            && audit.contains("invalid option: --no-such-option=1")
            && audit.contains(".rep1.stderr) ends:"),
        "{audit}"
    );
    assert!(
        audit.contains("hang / native: run_failed: manifest.json records this run as timeout")
            && audit.contains("ends: waiting for nothing"),
        "{audit}"
    );
    for log in ["sysbench-bad/rep1.pidstat", "sysbench-bad/rep2.pidstat", "hang/rep1.pidstat"] {
        assert!(
            !audit.contains(&format!("unreadable      {}", out.join("native").join(log).display())),
            "{audit}"
        );
    }
    let rep = dir.path().join("report");
    let _ = virtperf().arg("report").arg(&out).arg("--out").arg(&rep).arg("-q").output().unwrap();
    let md = std::fs::read_to_string(rep.join("report-details.md")).unwrap();
    assert!(md.contains("| native (baseline) | 10 | 5 (3 failed) |"), "{md}");
    assert!(md.contains("invalid option: --no-such-option=1"), "{md}");
}

/// A failed run that left no output file at all is still found, from the manifest.
#[test]
fn a_failed_run_without_an_output_file_is_found_from_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    if !failing_campaign(dir.path()) {
        return;
    }
    let out = dir.path().join("out");
    std::fs::remove_file(out.join("native/sysbench-bad/rep2.txt")).unwrap();
    let audit = virtperf().arg("audit").arg(&out).assert().code(1).get_output().stdout.clone();
    let audit = String::from_utf8(audit).unwrap();
    assert!(audit.contains("run_failed in 2 runs"), "{audit}");
    assert!(audit.contains(&format!("{}:1", out.join("native/sysbench-bad/rep2.txt").display())), "{audit}");
}

/// "What was compared" on sample-data: runs counted apart from monitor logs, and the one fact
/// that differs from native, the kernel of the QEMU guest (6.1.0-50-cloud-amd64, from the
/// pidstat banners inside the VM; the host-side logs' 6.18 kernel is not the VM's), said once
/// for every workload.
#[test]
fn what_was_compared_counts_runs_and_lists_facts_that_differ() {
    let dir = tempfile::tempdir().unwrap();
    virtperf()
        .arg("report")
        .arg(root().join("sample-data"))
        .arg("--out")
        .arg(dir.path())
        .arg("-q")
        .assert()
        .success();
    let md = std::fs::read_to_string(dir.path().join("report-details.md")).unwrap();
    assert!(md.contains("| native (baseline) | 50 | 25 | 25 |"), "{md}");
    assert!(md.contains("| qemu[raw,smp2,m2048,tcg] | 75 | 25 | 50 |"), "{md}");
    let line = md.lines().find(|l| l.starts_with("- Kernel (every workload): ")).expect("a kernel line");
    assert!(line.ends_with("qemu\\[raw,smp2,m2048,tcg\\]: 6.1.0-50-cloud-amd64"), "{line}");
    assert_eq!(md.lines().filter(|l| l.starts_with("- Kernel")).count(), 1, "{md}");
}

/// A report of a table that `virtperf ingest` wrote counts the files, runs and monitor logs the
/// raw files' report counts (it said 0, 0 and 0: the table's runs were not shown at all), says
/// the labels came from the table, and pooled by family still names the platforms inside.
#[test]
fn a_report_of_a_table_counts_what_the_table_holds() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("t.csv");
    virtperf()
        .arg("ingest")
        .arg(root().join("sample-data"))
        .arg("--out")
        .arg(&table)
        .arg("-q")
        .assert()
        .success();
    for (by, rows) in [
        ("platform", ["| native (baseline) | 50 | 25 | 25 |", "| docker[cpus2,memory2g] | 75 | 25 | 50 |"]),
        (
            "family",
            ["| native (baseline) | 50 | 25 | 25 |", "| container: docker[cpus2,memory2g] | 75 | 25 | 50 |"],
        ),
    ] {
        let out = dir.path().join(by);
        virtperf()
            .arg("report")
            .arg(&table)
            .args(["--group-by", by, "--out"])
            .arg(&out)
            .arg("-q")
            .assert()
            .success();
        let md = std::fs::read_to_string(out.join("report-details.md")).unwrap();
        for row in rows {
            assert!(md.contains(row), "{by}: {row}\n{md}");
        }
        assert!(md.contains("as the ingested table records them (table) (75 files)"), "{md}");
    }
    // compare of two tables: each campaign its 200 files, 75 runs and 125 monitor logs.
    let table2 = dir.path().join("t2.csv");
    std::fs::copy(&table, &table2).unwrap();
    let out = dir.path().join("cmp");
    virtperf().arg("compare").arg(&table).arg(&table2).arg("--out").arg(&out).arg("-q").assert().success();
    let md = std::fs::read_to_string(out.join("report-details.md")).unwrap();
    assert!(
        md.contains("| t2: docker[cpus2,memory2g], native, qemu[raw,smp2,m2048,tcg] | 200 | 75 | 125 |"),
        "{md}"
    );
}
