//! wrk: real outputs (../shared/realdata and tests/fixtures/wrk) parsed to the values in the files.
//!
//! Every expected number is copied from the file it is checked against; the comment beside it
//! quotes the line. Robustness cases cut or change real files here, in the test code.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use virtperf::ingest::wrk::WrkParser;
use virtperf::ingest::{self, ParseOptions, Parser};
use virtperf::model::IngestedRun;

use crate::util::*;

const MIB: f64 = 1024.0 * 1024.0;

/// The value of param `key` of `run`.
fn param<'a>(run: &'a IngestedRun, key: &str) -> &'a str {
    run.data.params.get(key).map(String::as_str).unwrap_or_else(|| {
        panic!("{}#{} has no param {key}; it has {:?}", run.source, run.run, run.data.params)
    })
}

/// The kinds of the run's log issues, in order.
fn issue_kinds(run: &IngestedRun) -> Vec<&str> {
    run.data.issues.iter().map(|i| i.kind.as_str()).collect()
}

/// Writes `text` to `name` in a new temporary folder.
fn temp_file(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write temp file");
    (dir, path)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

// ---- ../shared/realdata --------------------------------------------------------------------

#[test]
fn zadneprovski_wsl_run_with_socket_errors_and_non_2xx() {
    let Some(dir) = realdata() else { return };
    let runs = runs_of(&dir.join("Zadneprovski__HttpServer/wrk.log"));
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    assert_eq!(r.data.tool, "wrk");
    assert_eq!(r.data.workload, "wrk");
    assert_eq!(r.data.tool_version, None);
    // "Running 30s test @ http://localhost:8080/index.html" (line 2) ... "Transfer/sec:    114.52KB"
    // (line 11, no final newline)
    assert_eq!((r.data.first_line, r.data.last_line), (2, 11));
    // "  12 threads and 400 connections"
    assert_eq!(param(r, "threads"), "12");
    assert_eq!(param(r, "connections"), "400");
    assert_eq!(param(r, "duration"), "30s");
    assert_eq!(param(r, "path"), "/index.html");
    assert_eq!(r.data.params.len(), 4);
    assert_eq!(r.data.facts["target"], "http://localhost:8080/index.html");
    // line 1: "zadneprovski@DESKTOP-HEB15TQ:/mnt/c/WINDOWS/system32$ wrk -t12 -c400 -d30s http://..."
    assert_eq!(r.data.facts["command"], "wrk -t12 -c400 -d30s http://localhost:8080/index.html");
    // "Requests/sec:   2931.77"
    close(metric(r, "requests_per_sec"), 2931.77);
    // "Transfer/sec:    114.52KB"
    close(metric(r, "transfer_bytes_per_sec"), 114.52 * 1024.0);
    // "    Latency    13.81ms   96.21ms   1.83s    97.05%"
    close(metric(r, "latency_avg_ms"), 13.81);
    close(metric(r, "latency_stdev_ms"), 96.21);
    close(metric(r, "latency_max_ms"), 1830.0);
    // "    Req/Sec   397.82    489.56     3.06k    81.96%"
    close(metric(r, "req_per_sec_thread_avg"), 397.82);
    // "  88124 requests in 30.06s, 3.36MB read"
    close(metric(r, "requests"), 88124.0);
    close(metric(r, "duration_s"), 30.06);
    close(metric(r, "read_bytes"), 3.36 * MIB);
    // "  Socket errors: connect 0, read 88124, write 0, timeout 80"
    close(metric(r, "socket_errors_connect"), 0.0);
    close(metric(r, "socket_errors_read"), 88124.0);
    close(metric(r, "socket_errors_write"), 0.0);
    close(metric(r, "socket_errors_timeout"), 80.0);
    close(metric(r, "socket_errors"), 88204.0);
    // "  Non-2xx or 3xx responses: 88124"
    close(metric(r, "non_2xx_responses"), 88124.0);
    assert_eq!(issue_kinds(r), ["socket_errors", "non_2xx"]);
    assert_eq!((r.data.issues[0].line, r.data.issues[1].line), (8, 9));
    // No --latency: no percentiles.
    assert!(r.data.metric("latency_p50_ms").is_none());
}

#[test]
fn plover_zsh_prompt_and_unitless_req_per_sec() {
    let Some(dir) = realdata() else { return };
    let runs = runs_of(&dir.join("plover-modules__benchmark/wrk.txt"));
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    // "Running 30s test @ http://127.0.0.1:4000/render" is line 5, "Transfer/sec:     25.53MB" 12.
    assert_eq!((r.data.first_line, r.data.last_line), (5, 12));
    // "  20 threads and 20 connections"
    assert_eq!(param(r, "threads"), "20");
    assert_eq!(param(r, "connections"), "20");
    assert_eq!(param(r, "path"), "/render");
    // "➜  benchmark git:(master) ✗ wrk -t20 -c20 -d30s http://127.0.0.1:4000/render"
    assert_eq!(r.data.facts["command"], "wrk -t20 -c20 -d30s http://127.0.0.1:4000/render");
    // "Requests/sec:     47.90"
    close(metric(r, "requests_per_sec"), 47.90);
    // "    Req/Sec     1.99      0.53     4.00     72.36%"
    close(metric(r, "req_per_sec_thread_avg"), 1.99);
    // "    Latency   413.18ms   40.75ms 669.70ms   73.82%"
    close(metric(r, "latency_max_ms"), 669.70);
    // "  1440 requests in 30.06s, 767.42MB read"
    close(metric(r, "read_bytes"), 767.42 * MIB);
    // "Transfer/sec:     25.53MB"
    close(metric(r, "transfer_bytes_per_sec"), 25.53 * MIB);
    // No "Socket errors" / "Non-2xx" lines: wrk prints them only when not zero.
    close(metric(r, "socket_errors"), 0.0);
    close(metric(r, "non_2xx_responses"), 0.0);
    assert!(r.data.issues.is_empty());
}

#[test]
fn cgcgbcbc_twelve_runs_between_free_text_notes() {
    let Some(dir) = realdata() else { return };
    let runs = runs_of(&dir.join("cgcgbcbc__flask-k8s-example/wrk.txt"));
    assert_eq!(runs.len(), 12);
    let first = &runs[0];
    // line 7: "Running 30s test @ http://10.254.0.113/"; line 8: "  12 threads and 500 connections"
    assert_eq!(first.data.first_line, 7);
    assert_eq!(param(first, "path"), "/");
    assert_eq!(param(first, "threads"), "12");
    assert_eq!(param(first, "connections"), "500");
    assert_eq!(param(first, "duration"), "30s");
    // "Requests/sec:   4454.04"
    close(metric(first, "requests_per_sec"), 4454.04);
    // "  Socket errors: connect 0, read 0, write 0, timeout 90"
    close(metric(first, "socket_errors_timeout"), 90.0);
    close(metric(first, "socket_errors"), 90.0);
    assert_eq!(issue_kinds(first), ["socket_errors"]);

    // Run 4 (deploy=3, 500 connections, line 39) has neither Socket errors nor Non-2xx lines.
    let fourth = &runs[3];
    assert_eq!(fourth.data.first_line, 39);
    // "Requests/sec:   4233.43"
    close(metric(fourth, "requests_per_sec"), 4233.43);
    close(metric(fourth, "socket_errors"), 0.0);
    // Same URL, threads, connections and duration as run 1: its second repetition.
    assert_eq!(fourth.data.params, first.data.params);
    assert_eq!(fourth.repetition, 2);

    let last = &runs[11];
    // line 129: "Running 30s test @ http://10.254.0.113/data/document"
    assert_eq!((last.data.first_line, last.data.last_line), (129, 138));
    assert_eq!(param(last, "path"), "/data/document");
    assert_eq!(param(last, "connections"), "1500");
    // "Requests/sec:    838.69"
    close(metric(last, "requests_per_sec"), 838.69);
    // "  Socket errors: connect 491, read 0, write 0, timeout 965"
    close(metric(last, "socket_errors_connect"), 491.0);
    close(metric(last, "socket_errors"), 1456.0);
    // "  Non-2xx or 3xx responses: 219"
    close(metric(last, "non_2xx_responses"), 219.0);
    assert_eq!(issue_kinds(last), ["socket_errors", "non_2xx"]);
    // "    Latency   123.06ms  162.05ms   1.91s    97.80%"
    close(metric(last, "latency_max_ms"), 1910.0);
    // No notes became runs or facts.
    assert!(runs.iter().all(|r| !r.data.facts.contains_key("command")));
}

#[test]
fn tydos_latency_distribution_with_seconds_and_trailing_spaces() {
    let Some(dir) = realdata() else { return };
    let path = dir.join("Tydos__portfolio-backend-server/wrk_results.txt");
    let out = ingest_paths(&[path]);
    assert!(out.ok(), "{:?}", out.errors);
    assert!(out.files[0].warnings.is_empty(), "{:?}", out.files[0].warnings);
    let runs = out.runs;
    assert_eq!(runs.len(), 5);
    let first = &runs[0];
    // "Running 15s test @ http://127.0.0.1:8000/api/projects" / "  8 threads and 100 connections"
    assert_eq!(param(first, "path"), "/api/projects");
    assert_eq!(param(first, "threads"), "8");
    assert_eq!(param(first, "connections"), "100");
    assert_eq!(param(first, "duration"), "15s");
    // "Requests/sec:   6005.17"
    close(metric(first, "requests_per_sec"), 6005.17);
    // "     50%   14.79ms" ... "     99%   55.35ms"
    close(metric(first, "latency_p50_ms"), 14.79);
    close(metric(first, "latency_p75_ms"), 16.68);
    close(metric(first, "latency_p90_ms"), 20.42);
    close(metric(first, "latency_p99_ms"), 55.35);
    // "  90458 requests in 15.06s, 334.37MB read"
    close(metric(first, "read_bytes"), 334.37 * MIB);

    let last = &runs[4];
    // line 62: "Running 15s test @ http://127.0.0.1:8000/fetch?limit=10&offset=0"; line 75 is its
    // "Transfer/sec:"; "Load test complete." (line 77) is not part of it.
    assert_eq!((last.data.first_line, last.data.last_line), (62, 75));
    assert_eq!(param(last, "path"), "/fetch?limit=10&offset=0");
    // "Requests/sec:     52.47"
    close(metric(last, "requests_per_sec"), 52.47);
    // "    Latency     1.72s   261.80ms   1.99s    91.72%"
    close(metric(last, "latency_avg_ms"), 1720.0);
    close(metric(last, "latency_stdev_ms"), 261.80);
    // "     50%    1.79s " and "     99%    1.91s " (with a trailing space)
    close(metric(last, "latency_p50_ms"), 1790.0);
    close(metric(last, "latency_p99_ms"), 1910.0);
    // "  Socket errors: connect 0, read 0, write 0, timeout 4"
    close(metric(last, "socket_errors_timeout"), 4.0);
    // "Transfer/sec:    112.67KB"
    close(metric(last, "transfer_bytes_per_sec"), 112.67 * 1024.0);
    // Five different paths: five first repetitions.
    assert!(runs.iter().all(|r| r.repetition == 1));
}

#[test]
fn realdata_wrk_files_are_detected_as_wrk_and_others_are_not() {
    let Some(dir) = realdata() else { return };
    let wrk_files = [
        "Zadneprovski__HttpServer/wrk.log",
        "plover-modules__benchmark/wrk.txt",
        "cgcgbcbc__flask-k8s-example/wrk.txt",
        "Tydos__portfolio-backend-server/wrk_results.txt",
    ];
    for f in wrk_files {
        let head = head_of(&dir.join(f));
        assert_eq!(ingest::detect(&head).map(|p| p.name()), Some("wrk"), "{f}");
    }
    // Every other real file (sysbench, fio, pidstat; among them sysbench 0.4 fileio logs with
    // "1628.02 Requests/sec executed") must not look like wrk.
    let tsv = read(&dir.join("SOURCES.tsv"));
    let mut others = 0;
    for line in tsv.lines().skip(1) {
        let Some(local) = line.split('\t').next() else { continue };
        if wrk_files.contains(&local) {
            continue;
        }
        let path = dir.join(local);
        if !path.is_file() {
            continue;
        }
        assert!(!WrkParser.sniff(&head_of(&path)), "{local} was taken for wrk output");
        others += 1;
    }
    assert!(others > 20, "only {others} other files checked");
}

/// The first [`ingest::HEAD_BYTES`] of a file, as the sniffers see them.
fn head_of(path: &Path) -> String {
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(ingest::HEAD_BYTES as u64).read_to_end(&mut head))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    String::from_utf8_lossy(&head).into_owned()
}

// ---- Cut and changed real files --------------------------------------------------------------

#[test]
fn a_file_cut_before_requests_per_sec_is_refused() {
    let Some(dir) = realdata() else { return };
    let text = read(&dir.join("Zadneprovski__HttpServer/wrk.log"));
    // Keep lines 1-9, up to "  Non-2xx or 3xx responses: 88124".
    let cut: Vec<&str> = text.lines().take(9).collect();
    let (_tmp, path) = temp_file("wrk.log", &(cut.join("\n") + "\n"));
    let msg = refusal_of(&path);
    assert!(
        msg.ends_with(
            ":9: wrk output: no 'Requests/sec:' line after 'Running 30s test @ \
             http://localhost:8080/index.html' at line 2: the run is truncated"
        ),
        "{msg}"
    );
}

#[test]
fn a_run_cut_short_is_kept_without_metrics_beside_the_others() {
    let Some(dir) = realdata() else { return };
    let text = read(&dir.join("cgcgbcbc__flask-k8s-example/wrk.txt"));
    // Stop after line 134, "  25238 requests in 30.09s, 6.41MB read", inside run 12.
    let cut: Vec<&str> = text.lines().take(134).collect();
    let (_tmp, path) = temp_file("wrk.txt", &cut.join("\n"));
    let out = ingest_paths(&[path]);
    assert!(out.ok(), "{:?}", out.errors);
    assert_eq!(out.runs.len(), 12);
    let last = &out.runs[11];
    assert!(last.data.metrics.is_empty());
    assert_eq!(issue_kinds(last), ["truncated"]);
    assert_eq!((last.data.first_line, last.data.last_line), (129, 134));
    // Its params are still known from lines 129-130.
    assert_eq!(param(last, "connections"), "1500");
    assert_eq!(out.files[0].warnings.len(), 1);
    assert!(out.files[0].warnings[0].contains(":134: 'Running 30s test @"), "{:?}", out.files[0].warnings);
    // "Requests/sec:    899.71" of run 11 is untouched.
    close(metric(&out.runs[10], "requests_per_sec"), 899.71);
}

#[test]
fn crlf_line_ends_read_the_same() {
    let Some(dir) = realdata() else { return };
    let text = read(&dir.join("Tydos__portfolio-backend-server/wrk_results.txt"));
    let (_tmp, path) = temp_file("wrk_results.txt", &text.replace('\n', "\r\n"));
    let runs = runs_of(&path);
    assert_eq!(runs.len(), 5);
    // "     50%    1.79s " of the last run.
    close(metric(&runs[4], "latency_p50_ms"), 1790.0);
    assert_eq!(param(&runs[4], "path"), "/fetch?limit=10&offset=0");
}

// ---- tests/fixtures/wrk2 (made by its make.sh with a wrk2 built here, see its README.md) -----
//
// Each file is a prompt line `$ wrk2 <arguments>` (wrk2 never prints its rate) and then what
// wrk2 printed. `sh tests/fixtures/wrk2/make.sh --expect` extracts with awk the values quoted
// below from the files, independently of the parser.

/// The wrk2 HdrHistogram rows `50.000%` to `99.999%`: metric names beside the values in ms.
fn hdr_rows(values: [f64; 7]) -> impl Iterator<Item = (&'static str, f64)> {
    let names = [
        "latency_p50_ms",
        "latency_p75_ms",
        "latency_p90_ms",
        "latency_p99_ms",
        "latency_p99_9_ms",
        "latency_p99_99_ms",
        "latency_p99_999_ms",
    ];
    names.into_iter().zip(values)
}

#[test]
fn wrk2_run_is_its_own_tool_with_its_rate_and_hdr_percentiles() {
    let path = fixture("wrk2/latency.txt");
    assert_eq!(ingest::detect(&head_of(&path)).map(|p| p.name()), Some("wrk"));
    let runs = runs_of(&path);
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    // Never compared with wrk as the same workload.
    assert_eq!(r.data.tool, "wrk2");
    assert_eq!(r.data.workload, "wrk2");
    // "Running 5s test @ http://127.0.0.1:33855/small.html" (line 2) to "Transfer/sec:      4.35MB"
    // (line 95)
    assert_eq!((r.data.first_line, r.data.last_line), (2, 95));
    // "  2 threads and 16 connections"
    assert_eq!(param(r, "threads"), "2");
    assert_eq!(param(r, "connections"), "16");
    assert_eq!(param(r, "duration"), "5s");
    assert_eq!(param(r, "path"), "/small.html");
    // line 1: "$ wrk2 -t2 -c16 -d5s -R2000 --latency http://127.0.0.1:33855/small.html"
    assert_eq!(param(r, "rate"), "2000");
    assert_eq!(r.data.params.len(), 5);
    assert_eq!(
        r.data.facts["command"],
        "wrk2 -t2 -c16 -d5s -R2000 --latency http://127.0.0.1:33855/small.html"
    );
    // "Requests/sec:   1994.35", "Transfer/sec:      4.35MB"
    close(metric(r, "requests_per_sec"), 1994.35);
    close(metric(r, "transfer_bytes_per_sec"), 4.35 * MIB);
    // "    Latency     1.08ms  816.55us  12.22ms   85.97%" (corrected for coordinated omission)
    close(metric(r, "latency_avg_ms"), 1.08);
    close(metric(r, "latency_stdev_ms"), 0.81655);
    close(metric(r, "latency_max_ms"), 12.22);
    // "    Req/Sec       -nan      -nan   0.00      0.00%": a 5 s run ends before wrk2's 10 s
    // calibration, so no per-thread rate was sampled and none is kept.
    assert_eq!(r.data.metric("req_per_sec_thread_avg"), None);
    // " 50.000%    0.96ms" ... " 99.999%   12.22ms" of "Latency Distribution (HdrHistogram -
    // Recorded Latency)"; the "100.000%   12.22ms" row is the maximum, not a percentile.
    for (name, ms) in hdr_rows([0.96, 1.32, 1.79, 4.29, 8.39, 11.87, 12.22]) {
        close(metric(r, name), ms);
    }
    assert_eq!(r.data.metric("latency_p100_ms"), None);
    // "  9972 requests in 5.00s, 21.75MB read"
    close(metric(r, "requests"), 9972.0);
    close(metric(r, "duration_s"), 5.0);
    close(metric(r, "read_bytes"), 21.75 * MIB);
    close(metric(r, "socket_errors"), 0.0);
    close(metric(r, "non_2xx_responses"), 0.0);
    assert!(r.data.issues.is_empty(), "{:?}", r.data.issues);
    let out = ingest_paths(&[path]);
    assert!(out.files[0].warnings.is_empty(), "{:?}", out.files[0].warnings);
}

#[test]
fn wrk2_run_past_its_calibration_has_a_sampled_rate() {
    let runs = runs_of(&fixture("wrk2/calibrated.txt"));
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    // "  Thread calibration: mean lat.: 6.089ms, rate sampling interval: 10ms" (lines 4 and 5)
    assert_eq!(r.data.tool, "wrk2");
    assert_eq!((r.data.first_line, r.data.last_line), (2, 92));
    assert_eq!(param(r, "duration"), "15s");
    // line 1: "$ wrk2 -t2 -c16 -d15s --rate 1k --latency http://...": SI suffix, powers of 1000
    assert_eq!(param(r, "rate"), "1000");
    // "    Req/Sec   565.10    341.96     6.55k    95.62%"
    close(metric(r, "req_per_sec_thread_avg"), 565.10);
    // "    Latency    19.12ms   51.95ms 264.96ms   89.80%"
    close(metric(r, "latency_avg_ms"), 19.12);
    close(metric(r, "latency_stdev_ms"), 51.95);
    close(metric(r, "latency_max_ms"), 264.96);
    // " 50.000%    1.01ms" ... " 99.999%  265.21ms"
    for (name, ms) in hdr_rows([1.01, 1.50, 75.65, 237.05, 260.48, 265.21, 265.21]) {
        close(metric(r, name), ms);
    }
    // "  14991 requests in 15.00s, 32.70MB read", "Requests/sec:    999.26", "Transfer/sec:      2.18MB"
    close(metric(r, "requests"), 14991.0);
    close(metric(r, "duration_s"), 15.0);
    close(metric(r, "read_bytes"), 32.70 * MIB);
    close(metric(r, "requests_per_sec"), 999.26);
    close(metric(r, "transfer_bytes_per_sec"), 2.18 * MIB);
}

#[test]
fn wrk2_run_without_latency_is_told_by_its_command_line() {
    // Without --latency wrk2 prints only wrk's lines: the prompt line
    // "$ wrk2 -t2 -c16 -d5s -R2000 http://127.0.0.1:33855/small.html" is what says wrk2.
    let path = fixture("wrk2/plain.txt");
    let runs = runs_of(&path);
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    assert_eq!(r.data.tool, "wrk2");
    assert_eq!(r.data.workload, "wrk2");
    assert_eq!(param(r, "rate"), "2000");
    assert_eq!((r.data.first_line, r.data.last_line), (2, 9));
    // "    Latency     1.23ms    0.94ms  12.21ms   86.27%", "Requests/sec:   1993.86"
    close(metric(r, "latency_avg_ms"), 1.23);
    close(metric(r, "latency_stdev_ms"), 0.94);
    close(metric(r, "latency_max_ms"), 12.21);
    close(metric(r, "requests_per_sec"), 1993.86);
    // "  9971 requests in 5.00s, 21.75MB read"
    close(metric(r, "requests"), 9971.0);
    assert_eq!(r.data.metric("latency_p50_ms"), None);
    assert_eq!(r.data.metric("req_per_sec_thread_avg"), None);
    assert!(ingest_paths(&[path]).files[0].warnings.is_empty());

    let text = read(&fixture("wrk2/plain.txt"));
    // The same command run as `./wrk` (wrk2's own Makefile names its binary `wrk`): -R, which
    // wrk does not have, still says wrk2.
    let renamed = text.replacen("$ wrk2 ", "$ ./wrk ", 1);
    let out = WrkParser.parse(&renamed, &ParseOptions::default()).expect("run read");
    assert_eq!(out.runs[0].tool, "wrk2");
    assert_eq!(out.runs[0].params["rate"], "2000");
    // A script that echoes its arguments alone before the run (no program name) shows the rate too.
    let echoed = text.replacen("$ wrk2 ", "", 1);
    let out = WrkParser.parse(&echoed, &ParseOptions::default()).expect("run read");
    assert_eq!(out.runs[0].tool, "wrk2");
    assert_eq!(out.runs[0].params["rate"], "2000");
    // Without the prompt line nothing in the output tells it from a wrk run.
    let bare: String = text.lines().skip(1).map(|l| format!("{l}\n")).collect();
    let out = WrkParser.parse(&bare, &ParseOptions::default()).expect("run read");
    assert_eq!(out.runs[0].tool, "wrk");
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
}

#[test]
fn wrk2_uncorrected_block_is_not_taken_for_the_recorded_one() {
    let runs = runs_of(&fixture("wrk2/uncorrected.txt"));
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    assert_eq!(r.data.tool, "wrk2");
    // line 1: "$ wrk2 -t2 -c16 -d5s -R2000 -U http://127.0.0.1:33855/small.html"
    assert_eq!(param(r, "rate"), "2000");
    // The run ends at "Transfer/sec:      4.35MB" (line 182), after both blocks.
    assert_eq!((r.data.first_line, r.data.last_line), (2, 182));
    // "Latency Distribution (HdrHistogram - Recorded Latency)" (line 7): " 50.000%    0.98ms" ...
    // " 99.999%   16.86ms"; not "Uncorrected Latency (measured without taking delayed starts
    // into account)" (line 94): " 50.000%  170.00us" ... " 99.999%   11.90ms".
    for (name, ms) in hdr_rows([0.98, 1.36, 1.94, 6.24, 12.73, 16.62, 16.86]) {
        close(metric(r, name), ms);
    }
    // "    Latency     1.18ms    1.17ms  16.85ms   93.70%"
    close(metric(r, "latency_avg_ms"), 1.18);
    close(metric(r, "latency_max_ms"), 16.85);
    // "  9972 requests in 5.00s, 21.75MB read", "Requests/sec:   1994.28"
    close(metric(r, "requests"), 9972.0);
    close(metric(r, "requests_per_sec"), 1994.28);
}

#[test]
fn wrk2_run_beside_a_wrk_run_stays_apart_and_its_spectrum_is_not_read() {
    let wrk2 = read(&fixture("wrk2/latency.txt"));
    let both = format!("{wrk2}{}", read(&fixture("wrk/latency.txt")));
    let out = WrkParser.parse(&both, &ParseOptions::default()).expect("both runs read");
    assert_eq!(out.runs.len(), 2);
    assert_eq!(out.runs[0].tool, "wrk2");
    assert_eq!(out.runs[1].tool, "wrk");
    // The wrk run has no rate and its own "     50%  458.00us".
    assert!(!out.runs[1].params.contains_key("rate"));
    close(out.runs[1].metric("latency_p50_ms").expect("p50"), 0.458);
    // The spectrum row "       0.958     0.500000         4988         2.00" is not a percentile.
    close(out.runs[0].metric("latency_p50_ms").expect("p50"), 0.96);
    assert!(out.runs[0].metric("latency_p100_ms").is_none());
    assert_eq!(out.runs[0].metrics.iter().filter(|m| m.name.starts_with("latency_p")).count(), 7);
}

#[test]
fn wrk2_run_without_a_command_line_has_no_rate_and_says_so() {
    let wrk2 = read(&fixture("wrk2/latency.txt"));
    // Without its first line (the prompt with the arguments), nothing shows the rate; the
    // HdrHistogram block still says wrk2.
    let rest: Vec<&str> = wrk2.lines().skip(1).collect();
    let (_tmp, path) = temp_file("wrk2.txt", &(rest.join("\n") + "\n"));
    let out = ingest_paths(&[path]);
    assert!(out.ok(), "{:?}", out.errors);
    assert_eq!(out.runs[0].data.tool, "wrk2");
    assert!(!out.runs[0].data.params.contains_key("rate"));
    let w = &out.files[0].warnings;
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains(":1: 1 wrk2 run(s)") && w[0].contains("-R"), "{w:?}");
}

// ---- tests/fixtures/wrk (made by make.sh) ------------------------------------------------------

#[test]
fn fixture_plain_run() {
    let runs = runs_of(&fixture("wrk/plain.txt"));
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    // "  2 threads and 10 connections", "Running 1s test @ http://127.0.0.1:60189/small.html"
    assert_eq!(param(r, "threads"), "2");
    assert_eq!(param(r, "connections"), "10");
    assert_eq!(param(r, "duration"), "1s");
    assert_eq!(param(r, "path"), "/small.html");
    // "Requests/sec:  11298.79"
    close(metric(r, "requests_per_sec"), 11298.79);
    // "    Req/Sec     5.70k   816.92     7.11k    55.00%"
    close(metric(r, "req_per_sec_thread_avg"), 5700.0);
    // "    Latency     1.35ms    2.04ms  19.76ms   91.79%"
    close(metric(r, "latency_avg_ms"), 1.35);
    // "  11385 requests in 1.01s, 24.83MB read"
    close(metric(r, "requests"), 11385.0);
    close(metric(r, "duration_s"), 1.01);
    // "Transfer/sec:     24.64MB"
    close(metric(r, "transfer_bytes_per_sec"), 24.64 * MIB);
    close(metric(r, "socket_errors"), 0.0);
    assert!(r.data.metric("latency_p50_ms").is_none());
}

#[test]
fn fixture_latency_run_in_microseconds_with_a_query() {
    let runs = runs_of(&fixture("wrk/latency.txt"));
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    // "Running 1s test @ http://127.0.0.1:60189/small.html?a=1&b=2"
    assert_eq!(param(r, "path"), "/small.html?a=1&b=2");
    // "     50%  458.00us", "     75%  748.00us", "     90%    2.86ms", "     99%    7.70ms"
    close(metric(r, "latency_p50_ms"), 0.458);
    close(metric(r, "latency_p75_ms"), 0.748);
    close(metric(r, "latency_p90_ms"), 2.86);
    close(metric(r, "latency_p99_ms"), 7.70);
    // "Requests/sec:  17489.41"
    close(metric(r, "requests_per_sec"), 17489.41);
    // --latency only prints more of the same measurement: it is not a param.
    assert!(!r.data.params.contains_key("latency"));
}

#[test]
fn fixture_multi_run_log_with_version_and_prompts() {
    let runs = runs_of(&fixture("wrk/multi.txt"));
    assert_eq!(runs.len(), 3);
    // "wrk debian/4.1.0-3+b2 [epoll] Copyright (C) 2012 Will Glozer" (lines 3 and 19), before
    // runs 1 and 2; run 3 comes later in the same log.
    for r in &runs {
        assert_eq!(r.data.tool_version.as_deref(), Some("debian/4.1.0-3+b2"));
    }
    // "$ wrk -v -t2 -c2 -d1s --latency http://127.0.0.1:60189/small.html"
    assert_eq!(
        runs[0].data.facts["command"],
        "wrk -v -t2 -c2 -d1s --latency http://127.0.0.1:60189/small.html"
    );
    assert_eq!(param(&runs[0], "connections"), "2");
    // "Requests/sec:  15680.71"
    close(metric(&runs[0], "requests_per_sec"), 15680.71);
    // "     50%   93.00us"
    close(metric(&runs[0], "latency_p50_ms"), 0.093);
    assert_eq!(param(&runs[1], "connections"), "8");
    // "     99%  297.83ms"
    close(metric(&runs[1], "latency_p99_ms"), 297.83);
    // "$ wrk -t1 -c1 -d1s http://127.0.0.1:60189/small.html"
    assert_eq!(runs[2].data.facts["command"], "wrk -t1 -c1 -d1s http://127.0.0.1:60189/small.html");
    // "Requests/sec:  18939.32", "    Req/Sec    19.02k     0.90k   20.90k    72.73%"
    close(metric(&runs[2], "requests_per_sec"), 18939.32);
    close(metric(&runs[2], "req_per_sec_thread_avg"), 19020.0);
    // "Running 1s test @ ..." is line 35, "Transfer/sec:     41.31MB" line 42; "done." (43) is not part
    // of the run.
    assert_eq!((runs[2].data.first_line, runs[2].data.last_line), (35, 42));
}

#[test]
fn fixture_non_2xx() {
    let runs = runs_of(&fixture("wrk/non2xx.txt"));
    let r = &runs[0];
    assert_eq!(param(r, "path"), "/missing");
    // "  Non-2xx or 3xx responses: 11854"
    close(metric(r, "non_2xx_responses"), 11854.0);
    // "  11854 requests in 1.01s, 3.48MB read"
    close(metric(r, "requests"), 11854.0);
    assert_eq!(issue_kinds(r), ["non_2xx"]);
    assert_eq!(r.data.issues[0].line, 7);
}

#[test]
fn fixture_socket_errors() {
    let runs = runs_of(&fixture("wrk/socket-errors.txt"));
    let r = &runs[0];
    // "  Socket errors: connect 0, read 11, write 11782, timeout 0"
    close(metric(r, "socket_errors_read"), 11.0);
    close(metric(r, "socket_errors_write"), 11782.0);
    close(metric(r, "socket_errors"), 11793.0);
    close(metric(r, "non_2xx_responses"), 0.0);
    assert_eq!(issue_kinds(r), ["socket_errors"]);
    // "Requests/sec:  10381.25"
    close(metric(r, "requests_per_sec"), 10381.25);
}

/// A server that never answers (make.sh `no-response`): wrk completes 0 requests and prints
/// zeros for latencies it never measured. They are left out and the run is flagged as failed.
#[test]
fn fixture_no_response_has_no_latency_and_fails() {
    let runs = runs_of(&fixture("wrk/no-response.txt"));
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    // "  0 requests in 1.01s, 0.00B read", "Requests/sec:      0.00"
    close(metric(r, "requests"), 0.0);
    close(metric(r, "requests_per_sec"), 0.0);
    // "    Latency     0.00us    0.00us   0.00us    -nan%" and "     50%    0.00us": no latency.
    let latency: Vec<&str> =
        r.data.metrics.iter().map(|m| m.name.as_ref()).filter(|n| n.starts_with("latency_")).collect();
    assert!(latency.is_empty(), "{latency:?}");
    assert_eq!(issue_kinds(r), ["failed"]);
    // The issue points at the requests line (line 11).
    assert_eq!(r.data.issues[0].line, 11);
    assert!(r.data.issues[0].message.contains("completed no request"), "{}", r.data.issues[0].message);
    let out = ingest_paths(&[fixture("wrk/no-response.txt")]);
    assert!(out.files[0].warnings.iter().any(|w| w.contains(":11: ")), "{:?}", out.files[0].warnings);
}

// ---- Live: the real wrk against a real nginx ---------------------------------------------------

/// nginx on PATH, or in the sbin folders a non-root PATH may lack.
fn find_nginx() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/usr/local/sbin"].map(PathBuf::from))
        .map(|d| d.join("nginx"))
        .find(|p| p.is_file())
}

/// Kills the nginx this test started when the test ends, however it ends.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts nginx in the foreground (one process) on a free loopback port, serving a 2 KiB
/// `/small.html` from `dir`; returns it and the port once it accepts connections.
fn start_nginx(nginx: &Path, dir: &Path) -> (KillOnDrop, u16) {
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    std::fs::create_dir_all(dir.join("html")).expect("html dir");
    std::fs::write(dir.join("html/small.html"), "x".repeat(2048)).expect("small.html");
    let d = dir.display();
    let conf = format!(
        "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\n\
         error_log {d}/error.log;\nevents {{ worker_connections 64; }}\nhttp {{\n  access_log off;\n\
         client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n\
         uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
         server {{ listen 127.0.0.1:{port}; root {d}/html; }}\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), conf).expect("nginx.conf");
    let child = Command::new(nginx)
        .arg("-p")
        .arg(dir)
        .arg("-e")
        .arg(dir.join("error.log"))
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nginx");
    let guard = KillOnDrop(child);
    let deadline = Instant::now() + Duration::from_secs(3);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "nginx did not listen on port {port}: {}",
            read(&dir.join("error.log"))
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    (guard, port)
}

fn run_wrk(args: &[&str]) -> String {
    let out = Command::new("wrk").args(args).output().expect("run wrk");
    assert!(out.status.success(), "wrk {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn live_wrk_against_nginx() {
    if !have_tool("wrk") {
        return;
    }
    let Some(nginx) = find_nginx() else {
        // Not found anywhere: have_tool says so (and fails under CI).
        have_tool("nginx");
        return;
    };
    let tmp = tempfile::tempdir().expect("temp dir");
    let (_nginx, port) = start_nginx(&nginx, tmp.path());
    let url = format!("http://127.0.0.1:{port}");
    let ok = run_wrk(&["-t1", "-c2", "-d1s", "--latency", &format!("{url}/small.html")]);
    let missing = run_wrk(&["-t1", "-c2", "-d1s", &format!("{url}/missing")]);
    let log = tmp.path().join("wrk.log");
    std::fs::write(&log, format!("$ wrk ...\n{ok}-----\n{missing}")).expect("write log");

    let runs = runs_of(&log);
    assert_eq!(runs.len(), 2, "{ok}\n{missing}");
    let r = &runs[0];
    assert_eq!(param(r, "threads"), "1");
    assert_eq!(param(r, "connections"), "2");
    assert_eq!(param(r, "duration"), "1s");
    assert_eq!(param(r, "path"), "/small.html");
    assert_eq!(r.data.facts["target"], format!("{url}/small.html"));
    assert!(metric(r, "requests_per_sec") > 0.0);
    assert!(metric(r, "requests") > 0.0);
    // 2 KiB bodies plus headers: more bytes than requests * 2048.
    assert!(metric(r, "read_bytes") > metric(r, "requests") * 2048.0 * 0.99);
    let (p50, p99) = (metric(r, "latency_p50_ms"), metric(r, "latency_p99_ms"));
    assert!(0.0 < p50 && p50 <= p99 && p99 <= metric(r, "latency_max_ms"));
    close(metric(r, "non_2xx_responses"), 0.0);

    let m = &runs[1];
    assert_eq!(param(m, "path"), "/missing");
    // Every request to /missing is nginx's 404.
    assert!(metric(m, "requests") > 0.0);
    close(metric(m, "non_2xx_responses"), metric(m, "requests"));
    assert!(issue_kinds(m).contains(&"non_2xx"));
}
