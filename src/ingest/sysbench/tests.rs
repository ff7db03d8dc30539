//! Unit tests of the sysbench parser: splitting, test inference, refusals and robustness, on
//! the real outputs in `tests/fixtures/sysbench` (made by its `make.sh`) and on mutations of
//! them made here. The per-file values of real-world logs are checked in `tests/sysbench.rs`.

use proptest::prelude::*;

use super::*;
use crate::ingest::text::edits::{cut, edit_lines};

const CPU: &str = include_str!("../../../tests/fixtures/sysbench/cpu.txt");
const CPU_HIST: &str = include_str!("../../../tests/fixtures/sysbench/cpu_interval_histogram.txt");
const MEMORY: &str = include_str!("../../../tests/fixtures/sysbench/memory.txt");
const MEMORY_LIMIT: &str = include_str!("../../../tests/fixtures/sysbench/memory_time_limit.txt");
const FILEIO: &str = include_str!("../../../tests/fixtures/sysbench/fileio_rndrw.txt");
const FILEIO_SEQWR: &str = include_str!("../../../tests/fixtures/sysbench/fileio_seqwr_mmap.txt");
const FILEIO_NO_PREPARE: &str = include_str!("../../../tests/fixtures/sysbench/fileio_no_prepare.txt");
const THREADS: &str = include_str!("../../../tests/fixtures/sysbench/threads.txt");
const MUTEX: &str = include_str!("../../../tests/fixtures/sysbench/mutex.txt");
const SUITE: &str = include_str!("../../../tests/fixtures/sysbench/suite.txt");
const OLTP_NO_SERVER: &str = include_str!("../../../tests/fixtures/sysbench/oltp_no_server.txt");
const UNKNOWN_TEST: &str = include_str!("../../../tests/fixtures/sysbench/unknown_test.txt");
const MAKE_SH: &str = include_str!("../../../tests/fixtures/sysbench/make.sh");
const OLTP_RW: &str = include_str!("../../../tests/fixtures/sysbench/oltp/oltp_read_write.txt");
const OLTP_STALLED: &str = include_str!("../../../tests/fixtures/sysbench/oltp/stalled.txt");

const ALL: &[&str] = &[
    CPU,
    CPU_HIST,
    MEMORY,
    MEMORY_LIMIT,
    FILEIO,
    FILEIO_SEQWR,
    FILEIO_NO_PREPARE,
    THREADS,
    MUTEX,
    SUITE,
    OLTP_NO_SERVER,
    UNKNOWN_TEST,
    OLTP_RW,
    OLTP_STALLED,
];

/// Results with these `queries performed:` counts and transactions.
fn oltp_counts(read: f64, write: f64, other: f64, tx: f64) -> Results {
    Results {
        queries_read: Some(read),
        queries_write: Some(write),
        queries_other: Some(other),
        transactions: Some((tx, None)),
        ..Results::default()
    }
}

#[test]
fn oltp_script_rules_hold_between_the_exact_mixes() {
    let script = |r, w, o, tx| oltp_script(&oltp_counts(r, w, o, tx)).map(|s| s.script);
    // The defaults of each script (per transaction).
    assert_eq!(script(14.0, 4.0, 2.0, 1.0), Some("oltp_read_write"));
    assert_eq!(script(14.0, 0.0, 2.0, 1.0), Some("oltp_read_only"));
    assert_eq!(script(0.0, 4.0, 2.0, 1.0), Some("oltp_write_only"));
    // Retried transactions (deadlocks) add a few queries: still read/write.
    assert_eq!(script(14_100.0, 4_030.0, 2_050.0, 1_000.0), Some("oltp_read_write"));
    // --point-selects=1 --range-selects=off --skip-trx makes oltp_read_only one point select:
    // the same work as oltp_point_select, and named alike.
    assert_eq!(
        script(1.0, 0.0, 0.0, 1.0),
        Some("oltp_point_select/select_random_points/select_random_ranges")
    );
    // No reads, one write, some statements changed nothing: only oltp_delete.
    assert_eq!(script(0.0, 10.0, 90.0, 100.0), Some("oltp_delete"));
    assert_eq!(
        script(0.0, 100.0, 0.0, 100.0),
        Some("oltp_delete/oltp_insert/oltp_update_index/oltp_update_non_index")
    );
    // Nothing to infer from.
    assert_eq!(script(0.0, 0.0, 0.0, 0.0), None);
    assert_eq!(script(0.0, 0.0, 0.0, 10.0), None);
    assert!(oltp_script(&Results { transactions: Some((5.0, None)), ..Results::default() }).is_none());
}

#[test]
fn oltp_script_is_not_inferred_for_sysbench_0_5() {
    // The same output under a 0.5 banner: 0.5's scripts (oltp.lua, select.lua, ...) are not
    // the 1.0 ones, so nothing is named.
    let as_05 = OLTP_RW.replacen(
        "sysbench 1.0.20 (using system LuaJIT 2.1.0-beta3)",
        "sysbench 0.5:  multi-threaded system evaluation benchmark",
        1,
    );
    let out = parse_ok(&as_05);
    assert!(!out.runs[0].params.contains_key("script"), "{:?}", out.runs[0].params);
    let out = parse_ok(OLTP_RW);
    assert_eq!(out.runs[0].params["script"], "oltp_read_write");
}

fn parse_ok(text: &str) -> ParseOutput {
    match parse(text, &ParseOptions { series: true }) {
        Ok(out) => out,
        Err(e) => panic!("refused: {e}"),
    }
}

fn parse_err(text: &str) -> ParseError {
    match parse(text, &ParseOptions { series: true }) {
        Ok(out) => panic!("parsed {} runs, expected a refusal", out.runs.len()),
        Err(e) => e,
    }
}

/// The 1-based number of the first line of `text` that starts with `prefix` (after blanks).
fn line_of(text: &str, prefix: &str) -> usize {
    text.lines().position(|l| l.trim_start().starts_with(prefix)).map(|i| i + 1).expect(prefix)
}

/// `text` without the lines for which `drop` is true.
fn without(text: &str, drop: impl Fn(&str) -> bool) -> String {
    text.lines().filter(|l| !drop(l)).map(|l| format!("{l}\n")).collect()
}

#[test]
fn sniff_accepts_every_fixture() {
    for text in ALL {
        assert!(sniff(text), "not recognised: {}", &text[..text.len().min(80)]);
    }
}

#[test]
fn sniff_accepts_script_prefixed_banner_less_and_grep_filtered_logs() {
    let body = without(CPU, |l| l.starts_with("sysbench "));
    assert!(sniff(&format!("Run 1:\nCPU BENCHMARKS\n------------\n\n{body}")));
    let grep = without(CPU, |l| !(l.contains("events per second:") || l.contains("total number of events:")));
    assert_eq!(grep.lines().count(), 2);
    assert!(sniff(&format!("TEST 1\n{grep}")));
}

#[test]
fn sniff_rejects_text_that_only_mentions_sysbench() {
    // The script that made the fixtures names sysbench and its options on every line.
    assert!(!sniff(MAKE_SH));
    // One sysbench label alone is not enough.
    assert!(!sniff("    total number of events:              12249\n"));
    assert!(!sniff(""));
}

#[test]
fn one_run_per_invocation_prepare_and_cleanup_are_not_runs() {
    let out = parse_ok(FILEIO);
    assert_eq!(out.runs.len(), 1);
    let run = &out.runs[0];
    assert_eq!(run.workload, "sysbench.fileio");
    // The run starts at the second banner (the first is `prepare`'s) and ends with the
    // fairness block, before `cleanup`'s banner.
    let second_banner =
        FILEIO.lines().enumerate().filter(|(_, l)| l.starts_with("sysbench ")).nth(1).map(|(i, _)| i + 1);
    assert_eq!(Some(run.first_line), second_banner);
    assert_eq!(run.last_line, line_of(FILEIO, "execution time (avg/stddev):"));
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert_eq!(run.params.get("file-test-mode").map(String::as_str), Some("rndrw"));
    assert_eq!(run.params.get("file-num").map(String::as_str), Some("4"));
    assert_eq!(run.params.get("file-total-size").map(String::as_str), Some("32MiB"));
    assert_eq!(run.params.get("file-fsync-all").map(String::as_str), Some("off"));
}

#[test]
fn a_suite_log_gives_each_test_its_workload() {
    let out = parse_ok(SUITE);
    let workloads: Vec<&str> = out.runs.iter().map(|r| r.workload.as_str()).collect();
    assert_eq!(workloads, ["sysbench.cpu", "sysbench.memory", "sysbench.threads", "sysbench.mutex"]);
    // Script titles between runs belong to no run.
    let title = line_of(SUITE, "MEMORY BENCHMARKS");
    assert!(out.runs[0].last_line < title && title < out.runs[1].first_line);
}

#[test]
fn threads_and_mutex_are_told_apart_by_events_per_thread() {
    assert_eq!(parse_ok(THREADS).runs[0].workload, "sysbench.threads");
    assert_eq!(parse_ok(MUTEX).runs[0].workload, "sysbench.mutex");
    // Without the options header there is nothing to go on.
    let general_only = without(MUTEX, |l| {
        l.starts_with("sysbench ") || l.starts_with("Running the test") || l.starts_with("Number of threads")
    });
    let err = parse_err(&general_only);
    assert_eq!(err.line, line_of(&general_only, "General statistics:"));
    assert!(err.message.contains("'General statistics:'"), "{}", err.message);
    assert!(err.message.contains("tells which sysbench test ran"), "{}", err.message);
}

#[test]
fn banner_less_runs_take_the_options_of_the_run_before() {
    // A second run's output from `CPU speed:` on, appended without banner or header.
    let results_at = line_of(CPU, "CPU speed:");
    let tail: String = CPU.lines().skip(results_at - 1).map(|l| format!("{l}\n")).collect();
    let text = format!("{CPU}{tail}");
    let out = parse_ok(&text);
    assert_eq!(out.runs.len(), 2);
    let (a, b) = (&out.runs[0], &out.runs[1]);
    assert_eq!(b.first_line, CPU.lines().count() + 1);
    assert_eq!(b.workload, "sysbench.cpu");
    assert_eq!(b.tool_version, a.tool_version);
    assert_eq!(b.params, a.params);
    assert_eq!(b.metric("events_per_sec"), a.metric("events_per_sec"));
    assert!(out.warnings.iter().any(|w| w.line == b.first_line && w.message.contains("run before them")));
}

#[test]
fn grep_filtered_lines_make_one_run_per_pair_with_a_warning() {
    let grep = without(CPU, |l| !(l.contains("events per second:") || l.contains("total number of events:")));
    let text = format!("TEST 1\n{grep}TEST 2\n{grep}");
    let out = parse_ok(&text);
    assert_eq!(out.runs.len(), 2);
    assert!(out
        .runs
        .iter()
        .all(|r| r.workload == "sysbench.cpu" && r.params.is_empty() && r.tool_version.is_none()));
    assert_eq!((out.runs[1].first_line, out.runs[1].last_line), (5, 6));
    assert_eq!(out.warnings.len(), 1);
    assert!(out.warnings[0].message.contains("no options header"), "{}", out.warnings[0].message);
}

#[test]
fn a_fatal_run_is_kept_without_metrics_next_to_good_runs() {
    let text = format!("{FILEIO_NO_PREPARE}{CPU}");
    let out = parse_ok(&text);
    assert_eq!(out.runs.len(), 2);
    let failed = &out.runs[0];
    assert_eq!(failed.workload, "sysbench.fileio");
    assert!(failed.metrics.is_empty());
    assert_eq!(failed.issues.len(), 1);
    assert_eq!(failed.issues[0].kind, "fatal");
    assert_eq!(failed.issues[0].line, line_of(FILEIO_NO_PREPARE, "FATAL:"));
    assert!(failed.issues[0].message.contains("Did you forget to run the prepare step?"));
    assert!(out.warnings.iter().any(|w| w.line == failed.issues[0].line));
    assert_eq!(out.runs[1].workload, "sysbench.cpu");
}

#[test]
fn files_with_no_results_are_refused_with_the_reason() {
    let e = parse_err(FILEIO_NO_PREPARE);
    assert_eq!(e.line, line_of(FILEIO_NO_PREPARE, "FATAL:"));
    assert!(e.message.contains("FATAL: Cannot open file 'test_file.0'"), "{}", e.message);

    let e = parse_err(OLTP_NO_SERVER);
    assert!(e.message.contains("unable to connect to MySQL server"), "{}", e.message);

    let e = parse_err(UNKNOWN_TEST);
    assert_eq!(e.line, 3);
    assert!(e.message.contains("Cannot find benchmark 'nosuchtest'"), "{}", e.message);

    let prepare_only = FILEIO.lines().take_while(|l| !l.starts_with("Running the test")).collect::<Vec<_>>();
    // Up to and including the run's banner: prepare output and an empty invocation.
    let e = parse_err(&prepare_only.join("\n"));
    assert!(e.message.contains("only 'prepare'/'cleanup' output"), "{}", e.message);

    let e = parse_err("\n\nhello\n");
    assert_eq!(e.line, 3);
    assert!(e.message.contains("'hello'"), "{}", e.message);
}

#[test]
fn failed_oltp_run_is_recognised_by_its_error() {
    let out = parse_ok(&format!("{OLTP_NO_SERVER}{CPU}"));
    assert_eq!(out.runs[0].workload, "sysbench.oltp");
    assert_eq!(out.runs[0].issues[0].kind, "fatal");
}

#[test]
fn histogram_and_intervals() {
    let out = parse_ok(CPU_HIST);
    assert_eq!(out.runs.len(), 1);
    let run = &out.runs[0];
    assert!(run.metric("latency_p99_ms").is_some());
    assert!(run.metric("latency_p95_ms").is_none());
    let samples: Vec<_> = run.series.iter().map(|s| (s.t_s, s.metric.as_str())).collect();
    assert_eq!(samples, [(1.0, "events_per_sec"), (1.0, "latency_p99_ms")]);
    // No series unless asked.
    let out = parse(CPU_HIST, &ParseOptions { series: false }).expect("parses");
    assert!(out.runs[0].series.is_empty());
}

fn better_of(text: &str, name: &str) -> Better {
    let out = parse_ok(text);
    out.runs[0].metrics.iter().find(|m| m.name == name).map(|m| m.better).expect(name)
}

#[test]
fn total_time_is_a_result_only_for_fixed_work() {
    assert_eq!(better_of(MEMORY, "total_time_s"), Better::Lower);
    assert_eq!(better_of(MEMORY_LIMIT, "total_time_s"), Better::None);
    assert_eq!(better_of(MUTEX, "total_time_s"), Better::Lower);
    assert_eq!(better_of(CPU, "total_time_s"), Better::None);
    assert_eq!(better_of(THREADS, "total_time_s"), Better::None);
    assert_eq!(better_of(FILEIO, "total_time_s"), Better::None);
}

#[test]
fn results_cut_short_are_flagged_truncated() {
    let cut = CPU.lines().take_while(|l| !l.starts_with("Threads fairness")).collect::<Vec<_>>().join("\n");
    let out = parse_ok(&cut);
    let run = &out.runs[0];
    assert!(run.metric("events_per_sec").is_some());
    assert_eq!(run.issues.len(), 1);
    assert_eq!(run.issues[0].kind, "truncated");

    // Cut before the results: kept, no metrics, and the file is refused for lack of results.
    let cut = CPU.lines().take_while(|l| !l.starts_with("CPU speed")).collect::<Vec<_>>().join("\n");
    let e = parse_err(&cut);
    assert!(e.message.contains("before its results"), "{}", e.message);
}

#[test]
fn crlf_and_lf_give_the_same_runs() {
    let crlf = SUITE.replace('\n', "\r\n");
    assert_eq!(parse_ok(&crlf).runs, parse_ok(SUITE).runs);
}

#[test]
fn every_metric_is_finite_and_named_with_its_unit() {
    for text in [CPU, CPU_HIST, MEMORY, MEMORY_LIMIT, FILEIO, FILEIO_SEQWR, THREADS, MUTEX, SUITE] {
        for run in parse_ok(text).runs {
            for m in &run.metrics {
                assert!(m.value.is_finite());
                let suffixed = ["_ms", "_s", "_per_sec", "_mib_transferred", "_stddev", "_avg"]
                    .iter()
                    .any(|s| m.name.ends_with(s))
                    || m.unit == "count"
                    || m.unit == "MiB";
                assert!(suffixed, "{} ({})", m.name, m.unit);
            }
        }
    }
}

fn check_never_panics(text: &str) {
    for series in [false, true] {
        if let Ok(out) = parse(text, &ParseOptions { series }) {
            for r in &out.runs {
                assert!(r.first_line >= 1 && r.first_line <= r.last_line, "{r:?}");
                assert!(r.metrics.iter().all(|m| m.value.is_finite()));
            }
        }
    }
    let _ = sniff(text);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(s in "\\PC{0,400}") {
        check_never_panics(&s);
    }

    #[test]
    fn random_lines_of_sysbench_words_never_panic(
        lines in prop::collection::vec(
            prop::sample::select(vec![
                "sysbench 1.0.20 (using system LuaJIT 2.1.0-beta3)", "sysbench 0.4.12:  multi-threaded",
                "Running the test with following options:", "Number of threads: x", "CPU speed:",
                "events per second: 1e400", "General statistics:", "total time: -0s", "Latency (ms):",
                "min: nan", "95th percentile: 1", "Threads fairness:", "events (avg/stddev): 1/0",
                "Total operations: 1 (", "Operations performed:  1 Read, 2 Write", "[ 1s ] thds: tps: ",
                "[ s ]", "[ 5s ] 1 MiB/sec", "FATAL: x", "Read 1Mb  Written", "SQL statistics:",
                "queries performed:", "read: 1", "transactions: 1 (1 per sec.)", "Test execution summary:",
                "128 files, 1Kb each", "Block size ", " transferred (", "Creating file test_file.0", "é ü ∞",
            ]),
            0..60,
        )
    ) {
        check_never_panics(&lines.join("\n"));
    }

    #[test]
    fn mutated_real_outputs_never_panic(
        which in 0..ALL.len(),
        at in any::<usize>(),
        ops in prop::collection::vec((0u8..3, any::<usize>(), any::<usize>()), 0..12),
    ) {
        let mutated = edit_lines(ALL[which], &ops);
        let at = at % (mutated.len() + 1);
        check_never_panics(cut(&mutated, at));
        // A concatenation of two mutated texts, as `>>` makes.
        let other = ALL[(which + 1) % ALL.len()];
        check_never_panics(&format!("{}{}", cut(&mutated, at), other));
    }
}
