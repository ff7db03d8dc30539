//! redis-benchmark: the real outputs of tests/fixtures/redis-benchmark (made by its make.sh
//! with Debian's redis-tools 7.0.15 against a redis-server 7.0.15 on the loopback) parsed to
//! the values in the files: `-q`, `--csv` and the default text.
//!
//! Every expected number is copied from the file it is checked against; the comment beside it
//! quotes the line (as a terminal shows it: the last part after redis-benchmark's `\r`s).

use std::path::PathBuf;

use virtperf::ingest::{self, HEAD_BYTES, PARSERS};
use virtperf::model::{params_string, Better, IngestedRun, Percentile, Role, Subsystem};

use crate::util::*;

fn redis(name: &str) -> PathBuf {
    fixture(&format!("redis-benchmark/{name}"))
}

fn runs(name: &str) -> Vec<IngestedRun> {
    let out = ingest_paths(&[redis(name)]);
    assert!(
        out.errors.is_empty(),
        "{name}: {:?}",
        out.errors.iter().map(ToString::to_string).collect::<Vec<_>>()
    );
    assert_eq!(out.files[0].parser, Some("redis-benchmark"), "{name}");
    out.runs
}

fn workloads(runs: &[IngestedRun]) -> Vec<&str> {
    runs.iter().map(|r| r.data.workload.as_str()).collect()
}

/// Asserts the metrics of `run` are exactly `want` (name, value), in that order.
#[track_caller]
fn assert_metrics(run: &IngestedRun, want: &[(&str, f64)]) {
    let got: Vec<(&str, f64)> = run.data.metrics.iter().map(|m| (m.name.as_ref(), m.value)).collect();
    assert_eq!(got, want, "{}#{}", run.source, run.run);
}

/// `-q -t set,get,lpush`: one run per test, its requests per second and median latency.
#[test]
fn quiet_output() {
    let r = runs("quiet.txt");
    assert_eq!(workloads(&r), ["redis-benchmark.set", "redis-benchmark.get", "redis-benchmark.lpush"]);
    // 1: "SET: 24390.24 requests per second, p50=1.119 msec"
    assert_metrics(&r[0], &[("requests_per_sec", 24390.24), ("latency_p50_ms", 1.119)]);
    // 2: "GET: 26315.79 requests per second, p50=1.127 msec"
    assert_metrics(&r[1], &[("requests_per_sec", 26315.79), ("latency_p50_ms", 1.127)]);
    // 3: "LPUSH: 11904.76 requests per second, p50=2.959 msec" (after a progress line with
    // figures of its own, "LPUSH: rps=4070.9 (overall: 14361.1) ...", which is not read)
    assert_metrics(&r[2], &[("requests_per_sec", 11904.76), ("latency_p50_ms", 2.959)]);
    for (i, run) in r.iter().enumerate() {
        let d = &run.data;
        assert_eq!((d.first_line, d.last_line), (i + 1, i + 1));
        assert_eq!((d.tool.as_str(), d.tool_version.as_deref()), ("redis-benchmark", None));
        assert_eq!((d.role, d.subsystem), (Role::Benchmark, Subsystem::Application));
        assert_eq!(d.primary.as_deref(), Some("requests_per_sec"));
        assert!(d.params.is_empty(), "-q prints no option: {:?}", d.params);
        let p50 = d.metrics.iter().find(|m| m.name == "latency_p50_ms").expect("p50");
        assert_eq!((p50.unit.as_ref(), p50.better), ("ms", Better::Lower));
        assert_eq!(p50.percentile, Some(Box::new(Percentile::new("latency", 50.0))));
        let rps = d.metrics.iter().find(|m| m.name == "requests_per_sec").expect("rps");
        assert_eq!((rps.unit.as_ref(), rps.better), ("requests/s", Better::Higher));
    }
    assert_eq!(r[0].data.facts.get("test").map(String::as_str), Some("SET"));
    // -q and --csv print none of the options: said once for the file.
    let out = ingest_paths(&[redis("quiet.txt")]);
    assert_eq!(out.files[0].warnings.len(), 1, "{:?}", out.files[0].warnings);
    assert!(out.files[0].warnings[0]
        .contains("3 redis-benchmark runs (the first at line 1) show none of their options"));
}

/// `--csv`: six latency figures per test.
#[test]
fn csv_output() {
    let r = runs("csv.csv");
    assert_eq!(workloads(&r), ["redis-benchmark.set", "redis-benchmark.get", "redis-benchmark.lpush"]);
    // 2: "SET","13333.33","2.837","0.216","2.911","6.383","8.631","8.951"
    assert_metrics(
        &r[0],
        &[
            ("requests_per_sec", 13333.33),
            ("latency_avg_ms", 2.837),
            ("latency_min_ms", 0.216),
            ("latency_p50_ms", 2.911),
            ("latency_p95_ms", 6.383),
            ("latency_p99_ms", 8.631),
            ("latency_max_ms", 8.951),
        ],
    );
    // 4: "LPUSH","10928.96","3.582","0.392","3.447","10.735","12.015","12.447"
    assert_eq!(r[2].data.metric("latency_p99_ms"), Some(12.015));
    assert_eq!((r[2].data.first_line, r[2].data.last_line), (4, 4));
    let p95 = r[0].data.metrics.iter().find(|m| m.name == "latency_p95_ms").expect("p95");
    assert_eq!(p95.percentile, Some(Box::new(Percentile::new("latency", 95.0))));
    assert!(r[0].data.metrics.iter().find(|m| m.name == "latency_avg_ms").expect("avg").percentile.is_none());
}

/// The default text: the options each test ran with, its totals and the latency summary.
#[test]
fn text_output() {
    let r = runs("text.txt");
    assert_eq!(workloads(&r), ["redis-benchmark.set", "redis-benchmark.get", "redis-benchmark.lpush"]);
    // 1: "====== SET ======" ... 58: "        3.633     0.536     3.199     9.575    12.415    15.511"
    assert_eq!((r[0].data.first_line, r[0].data.last_line), (1, 58));
    // 2: "  2000 requests completed in 0.20 seconds", 3: "  50 parallel clients",
    // 4: "  3 bytes payload", 5: "  keep alive: 1", 8: "  multi-thread: no"
    assert_eq!(params_string(&r[0].data.params), "clients=50;data-size=3;keepalive=1;requests=2000");
    // 55: "  throughput summary: 10000.00 requests per second"; 57-58: the summary's
    // "avg min p50 p95 p99 max" header and values.
    assert_metrics(
        &r[0],
        &[
            ("requests_per_sec", 10000.0),
            ("latency_avg_ms", 3.633),
            ("latency_min_ms", 0.536),
            ("latency_p50_ms", 3.199),
            ("latency_p95_ms", 9.575),
            ("latency_p99_ms", 12.415),
            ("latency_max_ms", 15.511),
            ("requests", 2000.0),
            ("duration_s", 0.20),
        ],
    );
    // 118: "====== LPUSH ======" ... 176: "        2.718     0.072     1.391     8.095     9.967    10.319"
    assert_eq!((r[2].data.first_line, r[2].data.last_line), (118, 176));
    assert_eq!(r[2].data.metric("requests_per_sec"), Some(14084.51));
    assert_eq!(r[2].data.metric("latency_max_ms"), Some(10.319));
    let out = ingest_paths(&[redis("text.txt")]);
    assert!(out.files[0].warnings.is_empty(), "{:?}", out.files[0].warnings);
}

/// `-P 16`, which no output form prints, from the prompt line before the runs; the options it
/// leaves out are redis-benchmark's defaults, so that these runs group with the text's.
#[test]
fn pipelining_comes_from_the_command_line() {
    // 1: "$ redis-benchmark -h 127.0.0.1 -p 45313 -n 2000 -q -t set,get,lpush -P 16"
    for name in ["quiet-pipeline-prompt.txt", "csv-pipeline-prompt.csv"] {
        let r = runs(name);
        assert_eq!(r.len(), 3, "{name}");
        for run in &r {
            assert_eq!(
                params_string(&run.data.params),
                "clients=50;data-size=3;keepalive=1;pipeline=16;requests=2000",
                "{name}"
            );
            assert!(run.data.facts["command"].starts_with("redis-benchmark -h 127.0.0.1 -p 45313 -n 2000"));
        }
        assert!(ingest_paths(&[redis(name)]).files[0].warnings.is_empty(), "{name}");
    }
    // 2: "SET: 95238.09 requests per second, p50=7.967 msec"
    let q = runs("quiet-pipeline-prompt.txt");
    assert_metrics(&q[0], &[("requests_per_sec", 95238.09), ("latency_p50_ms", 7.967)]);
    assert_eq!((q[0].data.first_line, q[2].data.first_line), (2, 4));
    // 5: "LPUSH","66666.67","6.246","0.576","6.663","8.007","8.103","8.135"
    let c = runs("csv-pipeline-prompt.csv");
    assert_eq!(c[2].data.metric("requests_per_sec"), Some(66666.67));
    assert_eq!(c[2].data.metric("latency_max_ms"), Some(8.135));
}

/// The text of a run with `--threads 4 -d 100 -P 16`: what the text prints (threads, payload)
/// and what only the command line says (pipeline).
#[test]
fn text_with_threads_and_a_command_line() {
    let r = runs("text-threads-prompt.txt");
    assert_eq!(workloads(&r), ["redis-benchmark.set", "redis-benchmark.get"]);
    // 5: "  100 bytes payload", 9: "  multi-thread: yes", 10: "  threads: 4"; -P 16 from line 1
    assert_eq!(
        params_string(&r[0].data.params),
        "clients=50;data-size=100;keepalive=1;pipeline=16;requests=2000;threads=4"
    );
    // 98: "  throughput summary: 7782.10 requests per second"
    // 101: "        8.579     0.728     2.407    36.607    36.767    36.799"
    assert_eq!(r[1].data.metric("requests_per_sec"), Some(7782.10));
    assert_eq!(r[1].data.metric("latency_p95_ms"), Some(36.607));
    assert_eq!((r[1].data.first_line, r[1].data.last_line), (52, 101));
}

/// A command of one's own (`redis-benchmark -q incr counter`): the workload is its name.
#[test]
fn a_command_of_ones_own() {
    let r = runs("quiet-command.txt");
    // 1: "incr counter: 9132.42 requests per second, p50=4.463 msec"
    assert_eq!(workloads(&r), ["redis-benchmark.incr_counter"]);
    assert_eq!(r[0].data.facts.get("test").map(String::as_str), Some("incr counter"));
    assert_metrics(&r[0], &[("requests_per_sec", 9132.42), ("latency_p50_ms", 4.463)]);
}

/// A file that is only redis-benchmark's progress (stopped before its first result) is
/// refused at its last line, naming what was expected.
#[test]
fn progress_without_a_result_is_refused() {
    let text = std::fs::read_to_string(redis("quiet.txt")).expect("read");
    let first = text.split('\r').take(2).collect::<Vec<_>>().join("\r");
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("cut.txt");
    std::fs::write(&path, &first).expect("write");
    let msg = refusal_of(&path);
    assert!(msg.contains("cut.txt:1: redis-benchmark output: no result"), "{msg}");
    assert!(msg.contains("'SET: rps=0.0 (overall: -nan) avg_msec=-nan (overall: -nan)'"), "{msg}");
}

/// Every redis-benchmark fixture is detected as redis-benchmark, by content; its sniff takes
/// no other fixture and no file of ../shared/realdata.
#[test]
fn sniff_takes_redis_benchmark_output_and_nothing_else() {
    let head = |p: &std::path::Path| {
        let bytes = std::fs::read(p).expect("read");
        String::from_utf8_lossy(&bytes[..bytes.len().min(HEAD_BYTES)]).into_owned()
    };
    let parser = PARSERS.iter().find(|p| p.name() == "redis-benchmark").expect("registered");
    let mut dirs = vec![fixture("")];
    dirs.extend(realdata());
    let (mut ours, mut others) = (0, 0);
    for dir in dirs {
        for e in walkdir::WalkDir::new(dir).into_iter().flatten().filter(|e| e.file_type().is_file()) {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "sh") {
                continue;
            }
            let mine = p.parent().is_some_and(|d| d.ends_with("redis-benchmark"));
            let h = head(p);
            if mine {
                assert_eq!(ingest::detect(&h).map(|p| p.name()), Some("redis-benchmark"), "{}", p.display());
                ours += 1;
            } else {
                assert!(!parser.sniff(&h), "{} taken for redis-benchmark output", p.display());
                others += 1;
            }
        }
    }
    assert!(ours >= 7 && others > 100, "{ours} {others}");
}

/// One output of `virtperf run` with a run per test: each takes the repetition the manifest
/// records (as a one-run file does), not 1 for being the first of its test in the file.
#[test]
fn runs_of_a_campaign_file_take_the_manifest_repetition() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    std::fs::create_dir_all(d.join("native/redis")).expect("mkdir");
    std::fs::copy(redis("quiet.txt"), d.join("native/redis/rep2.txt")).expect("copy");
    std::fs::write(
        d.join("manifest.json"),
        r#"{"campaign": "c", "runs": [{"output": "native/redis/rep2.txt", "platform": "native",
            "platform_kind": "native", "workload": "redis", "workload_kind": "command",
            "repetition": 2, "status": "ok", "exit_code": 0}]}"#,
    )
    .expect("manifest");
    let out = ingest_paths(&[d.to_path_buf()]);
    assert_eq!(out.runs.len(), 3);
    for r in &out.runs {
        assert_eq!((r.repetition, r.labels.platform.as_str()), (2, "native"), "{}", r.data.workload);
    }
}
