//! iperf3: the real `--json` outputs of tests/fixtures/iperf3 (made by its make.sh with Debian's
//! iperf3 3.12 on the loopback) parsed to the values in the files.
//!
//! Every expected number is copied from the file it is checked against; the comment beside it
//! quotes the line (`make.sh --expect` prints the same values with python3's json module).
// The numbers are copied digit for digit from the JSON, which prints more than an f64 keeps.
#![allow(clippy::excessive_precision)]

use std::path::PathBuf;

use virtperf::ingest::{self, IngestConfig, HEAD_BYTES, PARSERS};
use virtperf::label::{LabelSet, Labeler};
use virtperf::model::{Better, IngestedRun, Kind, Role, Subsystem};

use crate::util::*;

fn iperf3(name: &str) -> PathBuf {
    fixture(&format!("iperf3/{name}"))
}

/// The value of param `key` of `run`.
fn param<'a>(run: &'a IngestedRun, key: &str) -> &'a str {
    run.data.params.get(key).map(String::as_str).unwrap_or_else(|| {
        panic!("{}#{} has no param {key}; it has {:?}", run.source, run.run, run.data.params)
    })
}

/// The metric `name` of `run`: (value, unit, better, kind, time_limit).
fn declared(run: &IngestedRun, name: &str) -> (f64, String, Better, Kind, bool) {
    let m = run.data.metrics.iter().find(|m| m.name == name).unwrap_or_else(|| {
        let names: Vec<_> = run.data.metrics.iter().map(|m| m.name.as_ref()).collect();
        panic!("{}#{} has no metric {name}; it has {names:?}", run.source, run.run)
    });
    (m.value, m.unit.to_string(), m.better, m.kind, m.time_limit)
}

fn one_run(name: &str) -> IngestedRun {
    let runs = runs_of(&iperf3(name));
    assert_eq!(runs.len(), 1, "{name}");
    assert_eq!(ingest_paths(&[iperf3(name)]).files[0].parser, Some("iperf3"), "{name}");
    runs.into_iter().next().expect("one run")
}

/// `-t 3 --json`: one TCP stream, the sender's and the receiver's totals, retransmits, CPU use.
#[test]
fn tcp_run() {
    let r = one_run("tcp.json");
    let d = &r.data;
    assert_eq!((d.tool.as_str(), d.workload.as_str()), ("iperf3", "iperf3.tcp"));
    // `"version":	"iperf 3.12",` (line 10)
    assert_eq!(d.tool_version.as_deref(), Some("3.12"));
    // The object opens at line 1 and closes at line 176.
    assert_eq!((d.first_line, d.last_line), (1, 176));
    assert_eq!((d.role, d.subsystem), (Role::Benchmark, Subsystem::Network));
    assert_eq!(d.primary.as_deref(), Some("received_mbit_per_sec"));
    // "test_start" (lines 26-37): "protocol": "TCP", "num_streams": 1, "blksize": 131072,
    // "omit": 0, "duration": 3, "bytes": 0, "blocks": 0, "reverse": 0, "tos": 0,
    // "target_bitrate": 0; zeros of bytes, blocks, omit and tos are not params.
    assert_eq!(
        virtperf::model::params_string(&d.params),
        "blksize=131072;duration=3;num_streams=1;protocol=TCP;reverse=0;target_bitrate=0"
    );
    // "sum_sent" (line 148): "bits_per_second": 10318161006.660313 (line 153)
    let sent = declared(&r, "sent_mbit_per_sec");
    close(sent.0, 10318161006.660313 / 1e6);
    assert_eq!((sent.1.as_str(), sent.2, sent.3), ("Mbit/s", Better::Higher, Kind::Performance));
    // "sum_received" (line 157): "bits_per_second": 10315468742.438921 (line 162)
    close(metric(&r, "received_mbit_per_sec"), 10315468742.438921 / 1e6);
    // "retransmits": 14 (line 154)
    let retr = declared(&r, "retransmits");
    assert_eq!((retr.0, retr.1.as_str(), retr.2), (14.0, "count", Better::Lower));
    // "seconds": 3.003913 (line 151, the sender's), echoing -t 3.
    let dur = declared(&r, "duration_s");
    assert_eq!((dur.0, dur.1.as_str(), dur.2, dur.4), (3.003913, "s", Better::None, true));
    // "host_total": 37.073694597472816 (line 166), "remote_total": 47.421250356107343 (line 169)
    let local = declared(&r, "cpu_local_pct");
    close(local.0, 37.073694597472816);
    assert_eq!((local.1.as_str(), local.2, local.3), ("%", Better::Lower, Kind::Resource));
    let remote = declared(&r, "cpu_remote_pct");
    close(remote.0, 47.421250356107343);
    assert_eq!(remote.3, Kind::Resource);
    // No UDP figures in a TCP run.
    for absent in ["jitter_ms", "lost_packets", "lost_pct", "packets"] {
        assert_eq!(d.metric(absent), None, "{absent}");
    }
    // "system_info": "Linux vm 6.18.44-fc-v1272 #1 SMP PREEMPT_DYNAMIC @0 x86_64" (line 11),
    // "time": "Mon, 07 Dec 2026 05:47:23 GMT" (line 13), "connecting_to" 127.0.0.1, 48569
    // (lines 17-18), "sender_tcp_congestion": "bbr" (line 173).
    assert_eq!(d.facts.get("host").map(String::as_str), Some("vm"));
    assert_eq!(d.facts.get("kernel").map(String::as_str), Some("6.18.44-fc-v1272"));
    assert_eq!(d.facts.get("date").map(String::as_str), Some("Mon, 07 Dec 2026 05:47:23 GMT"));
    assert_eq!(d.facts.get("target").map(String::as_str), Some("127.0.0.1:48569"));
    assert_eq!(d.facts.get("tcp_congestion").map(String::as_str), Some("bbr"));
    assert!(d.issues.is_empty(), "{:?}", d.issues);
}

/// The per-interval series: the client sends, so its interval sums are sent rates, with the
/// retransmits of each second.
#[test]
fn tcp_intervals_are_a_series() {
    let r = one_run("tcp.json");
    let s = &r.data.series;
    let rate: Vec<(f64, f64)> =
        s.iter().filter(|s| s.metric == "sent_mbit_per_sec").map(|s| (s.t_s, s.value)).collect();
    // The three "sum"s of "intervals": "end": 1.000173, "bits_per_second": 11457905199.440342
    // (lines 58, 61); 2.000576, 10292867814.541054 (lines 85, 88); 3.003913, 9207229798.06842
    // (lines 112, 115).
    assert_eq!(rate.len(), 3);
    for (got, want) in rate.iter().zip([
        (1.000173, 11457905199.440342),
        (2.000576, 10292867814.541054),
        (3.003913, 9207229798.06842),
    ]) {
        close(got.0, want.0);
        close(got.1, want.1 / 1e6);
    }
    assert!(s.iter().filter(|s| s.metric == "sent_mbit_per_sec").all(|s| s.unit == "Mbit/s"));
    // "retransmits": 10, 1, 3 (lines 62, 89, 116)
    let retr: Vec<f64> = s.iter().filter(|s| s.metric == "retransmits").map(|s| s.value).collect();
    assert_eq!(retr, vec![10.0, 1.0, 3.0]);
    assert!(s.iter().all(|s| s.entity == "iperf3"));
    assert!(!s.iter().any(|s| s.metric == "received_mbit_per_sec"), "the client only sent");
}

/// `-R`: the server sends, the client receives; both totals are there all the same.
#[test]
fn tcp_reverse_run() {
    let r = one_run("tcp-reverse.json");
    // "reverse": 1 (line 34)
    assert_eq!(param(&r, "reverse"), "1");
    // "sum_sent" "bits_per_second": 11112027295.173006 (line 132), "retransmits": 9 (line 133);
    // "sum_received" 11096776311.150419 (line 141)
    close(metric(&r, "sent_mbit_per_sec"), 11112027295.173006 / 1e6);
    close(metric(&r, "received_mbit_per_sec"), 11096776311.150419 / 1e6);
    assert_eq!(metric(&r, "retransmits"), 9.0);
    assert_eq!(r.data.primary.as_deref(), Some("received_mbit_per_sec"));
    // The client's intervals are what it received ("sender": false).
    let kinds: std::collections::BTreeSet<&str> = r.data.series.iter().map(|s| s.metric.as_str()).collect();
    assert_eq!(kinds, ["received_mbit_per_sec"].into_iter().collect());
}

/// `-P 2`: the sums over both streams.
#[test]
fn tcp_parallel_run() {
    let r = one_run("tcp-parallel.json");
    // "num_streams": 2 (line 37)
    assert_eq!(param(&r, "num_streams"), "2");
    // "sum_sent": 9621736454.3964653 (line 232), "retransmits": 26 (line 233), the two streams'
    // 16 and 10 (lines 184, 209); "sum_received": 9621467072.8036957 (line 241)
    close(metric(&r, "sent_mbit_per_sec"), 9621736454.3964653 / 1e6);
    close(metric(&r, "received_mbit_per_sec"), 9621467072.8036957 / 1e6);
    assert_eq!(metric(&r, "retransmits"), 26.0);
    // "host_total": 41.869609242599623 (line 245)
    close(metric(&r, "cpu_local_pct"), 41.869609242599623);
}

/// `-u -b 100M`: the receiver's jitter and losses.
#[test]
fn udp_run() {
    let r = one_run("udp.json");
    assert_eq!(r.data.workload, "iperf3.udp");
    // "protocol": "UDP", "blksize": 32768, "target_bitrate": 100000000 (lines 26, 28, 35)
    assert_eq!(
        virtperf::model::params_string(&r.data.params),
        "blksize=32768;duration=3;num_streams=1;protocol=UDP;reverse=0;target_bitrate=100000000"
    );
    // "sum_sent": "bits_per_second": 100049058.74082565 (line 139); "sum_received":
    // 98561840.132980853 (line 151), "jitter_ms": 0.010942354925804632, "lost_packets": 17,
    // "packets": 1145, "lost_percent": 1.48471615720524 (lines 152-155)
    close(metric(&r, "sent_mbit_per_sec"), 100049058.74082565 / 1e6);
    close(metric(&r, "received_mbit_per_sec"), 98561840.132980853 / 1e6);
    let jitter = declared(&r, "jitter_ms");
    close(jitter.0, 0.010942354925804632);
    assert_eq!((jitter.1.as_str(), jitter.2), ("ms", Better::Lower));
    let lost = declared(&r, "lost_packets");
    assert_eq!((lost.0, lost.1.as_str(), lost.2), (17.0, "count", Better::Lower));
    let pct = declared(&r, "lost_pct");
    close(pct.0, 1.48471615720524);
    assert_eq!((pct.1.as_str(), pct.2), ("%", Better::Lower));
    let packets = declared(&r, "packets");
    assert_eq!((packets.0, packets.2), (1145.0, Better::None));
    // UDP has no retransmits.
    assert_eq!(r.data.metric("retransmits"), None);
    // "host_total": 4.507560256100926 (line 159)
    close(metric(&r, "cpu_local_pct"), 4.507560256100926);
}

/// `--bidir`: both directions at once; iperf3 3.12 does not say so in "test_start", only by
/// the `*_bidir_reverse` sums.
#[test]
fn tcp_bidir_run() {
    let r = one_run("tcp-bidir.json");
    assert_eq!(param(&r, "bidir"), "1");
    // "sum_sent" 3995903995.6505208 (line 241), "retransmits": 4 (line 242); "sum_received"
    // 3960867673.2369 (line 250); "sum_sent_bidir_reverse" 3528160709.5087214 (line 258),
    // "retransmits": 5 (line 259); "sum_received_bidir_reverse" 3454617532.8636184 (line 267)
    close(metric(&r, "sent_mbit_per_sec"), 3995903995.6505208 / 1e6);
    close(metric(&r, "received_mbit_per_sec"), 3960867673.2369 / 1e6);
    assert_eq!(metric(&r, "retransmits"), 4.0);
    close(metric(&r, "reverse_sent_mbit_per_sec"), 3528160709.5087214 / 1e6);
    close(metric(&r, "reverse_received_mbit_per_sec"), 3454617532.8636184 / 1e6);
    assert_eq!(metric(&r, "reverse_retransmits"), 5.0);
    assert_eq!(r.data.primary.as_deref(), Some("received_mbit_per_sec"));
    // Interval sums of both directions: the client sends one way and receives the other.
    let kinds: std::collections::BTreeSet<&str> = r.data.series.iter().map(|s| s.metric.as_str()).collect();
    assert!(
        kinds.contains("sent_mbit_per_sec") && kinds.contains("reverse_received_mbit_per_sec"),
        "{kinds:?}"
    );
}

/// `-n 1G`: bounded by bytes, so its time echoes no limit.
#[test]
fn tcp_bytes_run() {
    let r = one_run("tcp-bytes.json");
    // "duration": 0, "bytes": 1073741824 (lines 31-32)
    assert_eq!(param(&r, "bytes"), "1073741824");
    assert_eq!(param(&r, "duration"), "0");
    // "seconds": 2.320623 (line 151)
    let dur = declared(&r, "duration_s");
    assert_eq!((dur.0, dur.4), (2.320623, false));
}

/// Two runs appended to one file by iperf3's --logfile: two objects, two runs.
#[test]
fn two_objects_in_one_file_are_two_runs() {
    let runs = runs_of(&iperf3("multi.json"));
    assert_eq!(runs.len(), 2);
    assert_eq!((runs[0].data.first_line, runs[0].data.last_line), (1, 122));
    assert_eq!((runs[1].data.first_line, runs[1].data.last_line), (123, 245));
    assert_eq!(runs[0].data.workload, "iperf3.tcp");
    assert_eq!(runs[1].data.workload, "iperf3.udp");
    // `python3 make.sh --expect`: sum_sent 5075.999960075457 Mbit/s, then 10.2226346270758.
    close(metric(&runs[0], "sent_mbit_per_sec"), 5075.999960075457);
    close(metric(&runs[1], "sent_mbit_per_sec"), 10.2226346270758);
    // "jitter_ms" of the second run's receiver: 5.986658133283674
    close(metric(&runs[1], "jitter_ms"), 5.986658133283674);
}

/// A client whose server does not exist stops at once: a failed run with iperf3's message,
/// no numbers; the file is not an unreadable input.
#[test]
fn connection_refused_is_a_failed_run() {
    let out = ingest_paths(&[iperf3("refused.json")]);
    assert!(out.errors.is_empty(), "{:?}", out.errors.iter().map(ToString::to_string).collect::<Vec<_>>());
    assert_eq!(out.runs.len(), 1);
    let d = &out.runs[0].data;
    assert!(d.metrics.is_empty(), "{:?}", d.metrics);
    assert!(d.failed());
    assert_eq!(d.workload, "iperf3.unknown");
    // `"error":	"unable to connect to server: Connection refused"` (line 10)
    assert_eq!(d.issues.len(), 1);
    assert_eq!((d.issues[0].kind.as_str(), d.issues[0].line), ("failed", 10));
    assert_eq!(
        d.issues[0].message,
        "iperf3 stopped with an error: unable to connect to server: Connection refused"
    );
    assert_eq!(out.files[0].warnings.len(), 1, "{:?}", out.files[0].warnings);
}

/// A server killed during the test: the client printed its partial sums (the receiver's 0),
/// then `"error"`. The run failed; its partial numbers are not kept.
#[test]
fn a_killed_server_is_a_failed_run() {
    let r = one_run("server-killed.json");
    assert_eq!(r.data.workload, "iperf3.tcp");
    assert!(r.data.metrics.is_empty(), "{:?}", r.data.metrics);
    assert!(r.data.failed());
    // `"error":	"the server has terminated"` (line 148)
    assert_eq!(r.data.issues[0].line, 148);
    assert!(r.data.issues[0].message.ends_with("the server has terminated"), "{:?}", r.data.issues);
    assert_eq!(param(&r, "duration"), "3");
}

fn ingest_as_iperf3(path: &std::path::Path) -> ingest::Ingested {
    let labeler = Labeler::new(LabelSet::default(), None).expect("labeler");
    let cfg = IngestConfig { format: Some("iperf3".into()), ..IngestConfig::default() };
    ingest::ingest(&[path.to_path_buf()], &cfg, &labeler).expect("ingest")
}

/// Refusals name the file, the line and what was expected.
#[test]
fn bad_files_are_refused_with_the_line() {
    let dir = tempfile::tempdir().expect("tmp");
    // JSON that is not iperf3's (fio's, read as iperf3).
    let fio = fixture("fio/json-randrw-group.json");
    let msg = ingest_as_iperf3(&fio).errors[0].to_string();
    assert!(msg.contains("json-randrw-group.json:1: iperf3 output: "), "{msg}");
    assert!(msg.contains("no iperf3 --json report"), "{msg}");
    // A real output cut in the middle of its "end" object.
    let text = std::fs::read_to_string(iperf3("tcp.json")).expect("read");
    let cut: String = text.lines().take(150).map(|l| format!("{l}\n")).collect();
    let path = dir.path().join("cut.json");
    std::fs::write(&path, cut).expect("write");
    let out = ingest_paths(std::slice::from_ref(&path));
    let msg = out.errors[0].to_string();
    assert!(msg.starts_with(&format!("{}:", path.display())), "{msg}");
    assert!(msg.contains("iperf3 output: the JSON object that starts at line 1 is cut short"), "{msg}");
    // A value of the wrong type names its line.
    let bad = text.replace("\"bits_per_second\":\t10318161006.660313", "\"bits_per_second\":\t\"fast\"");
    assert_ne!(bad, text);
    let path = dir.path().join("bad.json");
    std::fs::write(&path, bad).expect("write");
    let msg = ingest_paths(&[path]).errors[0].to_string();
    assert!(msg.contains("bad.json:153: iperf3 output:"), "{msg}");
}

/// Every iperf3 fixture is detected as iperf3, by content; iperf3's sniff takes no other
/// fixture and no file of ../shared/realdata.
#[test]
fn sniff_takes_iperf3_output_and_nothing_else() {
    let head = |p: &std::path::Path| {
        let bytes = std::fs::read(p).expect("read");
        String::from_utf8_lossy(&bytes[..bytes.len().min(HEAD_BYTES)]).into_owned()
    };
    let iperf3_parser = PARSERS.iter().find(|p| p.name() == "iperf3").expect("registered");
    let mut dirs = vec![fixture("")];
    dirs.extend(realdata());
    let (mut ours, mut others) = (0, 0);
    for dir in dirs {
        for e in walkdir::WalkDir::new(dir).into_iter().flatten().filter(|e| e.file_type().is_file()) {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "sh") {
                continue;
            }
            let mine = p.parent().is_some_and(|d| d.ends_with("iperf3"));
            let h = head(p);
            if mine {
                assert_eq!(ingest::detect(&h).map(|p| p.name()), Some("iperf3"), "{}", p.display());
                ours += 1;
            } else {
                assert!(!iperf3_parser.sniff(&h), "{} taken for iperf3 output", p.display());
                others += 1;
            }
        }
    }
    assert!(ours >= 9 && others > 100, "{ours} {others}");
}
