//! `command` workloads with a measure: the real outputs of two programs of our own
//! (tests/fixtures/command, made by its make.sh natively and in a container of the lab image)
//! copied beside a hand-made manifest.json, as `virtperf run` lays a campaign out, whose runs
//! declare what the output measures (metric, unit, better, pattern). The manifest is our own
//! file format, not a tool's output.
//!
//! Every expected number is copied from the file it is checked against; the comment beside it
//! quotes the line.

use std::collections::BTreeMap;
use std::path::Path;

use virtperf::model::{Better, Kind};

use crate::util::*;

const FORK_PATTERN: &str = r"fork\+exit\+wait: ([0-9.]+) us per fork";

/// A campaign folder: `<platform>/<workload>/rep<N>.txt` copied from the fixture
/// `<program>-<platform>-<N>.txt` for each platform and repetition, and a manifest.json whose
/// runs declare `measure` (JSON) and have `status`.
fn campaign(program: &str, workload: &str, measure: &str, status: &str, reps: u32) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    let mut runs = Vec::new();
    for (platform, kind) in [("native", "native"), ("docker", "docker")] {
        for rep in 1..=reps {
            let rel = format!("{platform}/{workload}/rep{rep}.txt");
            let to = dir.path().join(&rel);
            std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
            std::fs::copy(fixture(&format!("command/{program}-{platform}-{rep}.txt")), &to).expect("copy");
            runs.push(format!(
                r#"{{"id": "{platform}/{workload}/rep{rep}", "output": "{rel}", "platform": "{platform}",
                    "platform_kind": "{kind}", "workload": "{workload}", "workload_kind": "command",
                    "repetition": {rep}, "status": "{status}", "exit_code": 0, "measure": {measure}}}"#
            ));
        }
    }
    let manifest = format!(r#"{{"format": 1, "campaign": "study", "runs": [{}]}}"#, runs.join(",\n"));
    std::fs::write(dir.path().join("manifest.json"), manifest).expect("manifest");
    dir
}

fn fork_measure(pattern: &str) -> String {
    format!(
        r#"{{"metric": "fork_time_us", "unit": "us", "better": "lower", "pattern": {}}}"#,
        serde_json::to_string(pattern).expect("json")
    )
}

fn csv_rows(p: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let headers = r.headers().expect("headers").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("record");
            headers.iter().zip(rec.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()
        })
        .collect()
}

/// The fork loop's time per fork, found by the declared pattern: one run per output, workload
/// `cmd.<the plan's name>`, the declared metric as its primary one.
#[test]
fn a_declared_measure_is_read_from_a_command_output() {
    let dir = campaign("forkloop", "forkloop", &fork_measure(FORK_PATTERN), "ok", 3);
    let out = ingest_paths(&[dir.path().to_path_buf()]);
    assert!(out.errors.is_empty(), "{:?}", out.errors.iter().map(ToString::to_string).collect::<Vec<_>>());
    assert_eq!(out.runs.len(), 6);
    let by_source =
        |p: &str| out.runs.iter().find(|r| r.source.ends_with(p)).unwrap_or_else(|| panic!("no run of {p}"));
    // forkloop-native-1.txt, line 3: "fork+exit+wait: 679.923 us per fork"
    let r = by_source("native/forkloop/rep1.txt");
    let d = &r.data;
    assert_eq!((d.tool.as_str(), d.workload.as_str()), ("command", "cmd.forkloop"));
    assert_eq!(d.metrics.len(), 1);
    let m = &d.metrics[0];
    assert_eq!(
        (m.name.as_ref(), m.unit.as_ref(), m.better, m.kind, m.value),
        ("fork_time_us", "us", Better::Lower, Kind::Performance, 679.923)
    );
    assert_eq!(d.primary.as_deref(), Some("fork_time_us"));
    assert!(d.params.is_empty());
    // The run is the whole output (3 lines).
    assert_eq!((d.first_line, d.last_line), (1, 3));
    assert_eq!((r.labels.platform.as_str(), r.repetition), ("native", 1));
    assert_eq!(r.labels.measure.as_ref().map(|m| m.metric.as_str()), Some("fork_time_us"));
    // forkloop-docker-2.txt, line 3: "fork+exit+wait: 1121.675 us per fork"
    let r = by_source("docker/forkloop/rep2.txt");
    assert_eq!((r.data.metric("fork_time_us"), r.repetition), (Some(1121.675), 2));
    assert_eq!(r.labels.platform, "docker");
    assert_eq!(out.files.iter().filter(|f| f.parser == Some("command")).count(), 6);
}

/// The memory sweep prints a rate per size: `(?m)^` anchors at a line's start, and of several
/// matches the last one is the value.
#[test]
fn anchors_and_the_last_match() {
    let measure = |pattern: &str| {
        format!(
            r#"{{"metric": "write_gib_per_sec", "unit": "GiB/s", "better": "higher", "pattern": {}}}"#,
            serde_json::to_string(pattern).expect("json")
        )
    };
    // memsweep-native-1.txt, line 1: "size   1 MiB: 35.946 GiB/s (256 passes)"
    let dir = campaign("memsweep", "memsweep", &measure(r"^size +1 MiB: ([0-9.]+) GiB/s"), "ok", 1);
    let runs = ingest_paths(&[dir.path().join("native")]).runs;
    assert_eq!(runs[0].data.metric("write_gib_per_sec"), Some(35.946));
    assert_eq!(runs[0].data.metrics[0].better, Better::Higher);
    // Every size matches `MiB: (...) GiB/s`; the last, line 4, "size  64 MiB: 1.430 GiB/s (4 passes)"
    let dir = campaign("memsweep", "memsweep", &measure(r"MiB: ([0-9.]+) GiB/s"), "ok", 1);
    let runs = ingest_paths(&[dir.path().join("native")]).runs;
    assert_eq!(runs[0].data.metric("write_gib_per_sec"), Some(1.430));
    assert_eq!(runs[0].data.workload, "cmd.memsweep");
}

/// A measured command is a workload like any other: statistics per platform, and a
/// comparison with a verdict against the baseline.
#[test]
fn a_measured_command_has_statistics_and_a_verdict() {
    let dir = campaign("forkloop", "forkloop", &fork_measure(FORK_PATTERN), "ok", 3);
    let out = dir.path().join("analysis");
    virtperf().arg("analyse").arg(dir.path()).arg("--out").arg(&out).arg("-q").assert().success();
    let summary = csv_rows(&out.join("summary.csv"));
    let row = |platform: &str| {
        summary
            .iter()
            .find(|r| r["workload"] == "cmd.forkloop" && r["platform"] == platform)
            .unwrap_or_else(|| panic!("no summary row for {platform}: {summary:?}"))
    };
    // Line 3 of forkloop-native-{1,2,3}.txt: 679.923, 554.045, 660.059 us per fork;
    // of forkloop-docker-{1,2,3}.txt: 357.553, 1121.675, 510.313.
    let native_mean = (679.923 + 554.045 + 660.059) / 3.0;
    let docker_mean = (357.553 + 1121.675 + 510.313) / 3.0;
    for (platform, mean) in [("native", native_mean), ("docker", docker_mean)] {
        let r = row(platform);
        assert_eq!(
            (r["metric"].as_str(), r["unit"].as_str(), r["primary"].as_str()),
            ("fork_time_us", "us", "true")
        );
        assert_eq!(r["n"], "3");
        close(r["mean"].parse().expect("mean"), mean);
    }
    let overhead = csv_rows(&out.join("overhead.csv"));
    let cmp = overhead
        .iter()
        .find(|r| r["workload"] == "cmd.forkloop" && r["platform"] == "docker")
        .unwrap_or_else(|| panic!("no comparison: {overhead:?}"));
    assert_eq!((cmp["baseline"].as_str(), cmp["primary"].as_str()), ("native", "true"));
    close(cmp["ratio"].parse().expect("ratio"), docker_mean / native_mean);
    assert!(!cmp["verdict"].is_empty(), "{cmp:?}");
}

/// No match: an error naming the file, the pattern and what the output starts with; the other
/// files of the batch still go through.
#[test]
fn no_match_names_the_file_the_pattern_and_the_output() {
    let dir = campaign("forkloop", "forkloop", &fork_measure(r"forks per second: ([0-9.]+)"), "ok", 1);
    let out = ingest_paths(&[dir.path().to_path_buf()]);
    assert_eq!(out.errors.len(), 2);
    let msg = out.errors[0].to_string();
    let file = dir.path().join("docker/forkloop/rep1.txt");
    assert_eq!(
        msg,
        format!(
            "{}:1: command output: no match of the pattern 'forks per second: ([0-9.]+)' that \
             manifest.json declares for metric fork_time_us; the output starts with 'forks: 2000'",
            file.display()
        )
    );
}

/// A pattern that is no regular expression, one without a capture group, and a capture that
/// is not a number are errors naming what is wrong (the last at its line).
#[test]
fn bad_patterns_are_errors() {
    let first_error = |pattern: &str| {
        let dir = campaign("forkloop", "forkloop", &fork_measure(pattern), "ok", 1);
        let out = ingest_paths(&[dir.path().join("native")]);
        out.errors.first().map(ToString::to_string).unwrap_or_else(|| panic!("{pattern} was accepted"))
    };
    let msg = first_error("fork: ([0-9.]+");
    assert!(msg.contains(":1: command output: the pattern 'fork: ([0-9.]+' that manifest.json declares for metric fork_time_us is not a regular expression: unclosed group"), "{msg}");
    assert!(!msg.contains('\n'), "{msg}");
    let msg = first_error(r"elapsed: [0-9.]+ s");
    assert!(msg.contains(":1: command output: the pattern 'elapsed: [0-9.]+ s' that manifest.json declares for metric fork_time_us has no capture group ( ) around the number"), "{msg}");
    // forkloop-native-1.txt, line 3: "fork+exit+wait: 679.923 us per fork"
    let msg = first_error(r"fork\+exit\+wait: ([0-9.]+ us)");
    assert!(
        msg.contains(
            ":3: command output: the pattern's capture at line 3 is '679.923 us', which is not a number"
        ),
        "{msg}"
    );
}

/// Without a measure, a command's output is what it was: no parser recognises it.
#[test]
fn without_a_measure_the_output_is_not_recognised() {
    let dir = campaign("forkloop", "forkloop", "null", "ok", 1);
    let out = ingest_paths(&[dir.path().join("native")]);
    assert!(out.runs.is_empty());
    let msg = out.errors[0].to_string();
    assert!(
        msg.contains("could not tell which tool wrote this file (it starts with 'forks: 2000')"),
        "{msg}"
    );
}

/// A failed run whose output has no match is that run's failure, in the measured workload's
/// group (`cmd.forkloop`), not an unreadable input.
#[test]
fn a_failed_measured_run_stays_in_its_workload() {
    let dir = campaign("forkloop", "forkloop", &fork_measure(r"forks per second: ([0-9.]+)"), "failed", 1);
    let out = ingest_paths(&[dir.path().to_path_buf()]);
    assert!(out.errors.is_empty(), "{:?}", out.errors.iter().map(ToString::to_string).collect::<Vec<_>>());
    assert_eq!(out.runs.len(), 2);
    for r in &out.runs {
        assert_eq!((r.data.workload.as_str(), r.data.tool.as_str()), ("cmd.forkloop", "command"));
        assert!(r.data.failed(), "{:?}", r.data.issues);
    }
}
