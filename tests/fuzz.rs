//! Nothing panics on user data: every parser (and the content sniff) is fed random text and
//! real outputs mutated at random (cut anywhere, lines dropped, duplicated, swapped, numbers
//! replaced by extreme or malformed values, bytes flipped).
//!
//! The number of cases is bounded: `VIRTPERF_FUZZ_CASES` (default 256 per property) so CI stays
//! fast; raise it for a longer campaign, e.g.
//! `VIRTPERF_FUZZ_CASES=20000 cargo test --release --test integration fuzz::`.

use std::path::PathBuf;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use virtperf::ingest::{detect, ParseOptions, PARSERS};

use crate::util::*;

fn cases() -> u32 {
    std::env::var("VIRTPERF_FUZZ_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(256)
}

/// Real outputs to mutate: our fixtures and, when present, ../shared/realdata (files below
/// 128 KiB, to keep each case quick).
fn seeds() -> Vec<Vec<u8>> {
    let mut dirs: Vec<PathBuf> = vec![fixture("")];
    if let Some(r) = realdata() {
        dirs.push(r);
    }
    let mut out = Vec::new();
    for dir in dirs {
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let Ok(entry) = entry else { continue };
            let p = entry.path();
            let small = entry.metadata().map(|m| m.is_file() && m.len() < 128 * 1024).unwrap_or(false);
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
            // Notes are skipped (SOURCES.md, tests/fixtures/wrk2/README.md), not every `.md`: a
            // copied output may be named so.
            let notes = p.file_name().is_some_and(|n| n == "SOURCES.md" || n == "README.md");
            if small && !notes && !matches!(ext, "tsv" | "sh" | "snap" | "conf") {
                if let Ok(bytes) = std::fs::read(p) {
                    out.push(bytes);
                }
            }
        }
    }
    assert!(!out.is_empty(), "no seed files found under tests/fixtures");
    out
}

/// Runs the sniff and every parser on `bytes`; any panic fails the test.
fn exercise(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let _ = detect(&text);
    for parser in PARSERS {
        let _ = parser.sniff(&text);
        for series in [false, true] {
            let _ = parser.parse(&text, &ParseOptions { series });
        }
        let mut reader = std::io::BufReader::new(bytes);
        let _ = parser.parse_reader(&mut reader, &ParseOptions { series: true });
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Cut(usize),
    DropLines(usize, usize),
    DupLine(usize, usize),
    SwapLines(usize, usize),
    Number(usize, &'static str),
    Byte(usize, u8),
    Insert(usize, String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let weird = prop::sample::select(vec![
        "",
        "-",
        "0",
        "-0",
        "1e309",
        "-1e309",
        "nan",
        "inf",
        "99999999999999999999999",
        "4294967296",
        "18446744073709551616",
        "0.000",
        "1,5",
        "12k",
        "1.2.3",
        "-1.00",
        "%",
        "ms",
        "\u{feff}",
        "é",
        "\t",
        "(",
        ")",
        "[",
        "]",
        ":",
        "=",
        "{",
        "}",
        "\"",
    ]);
    prop_oneof![
        any::<usize>().prop_map(Mutation::Cut),
        (any::<usize>(), 1usize..40).prop_map(|(a, n)| Mutation::DropLines(a, n)),
        (any::<usize>(), 1usize..5).prop_map(|(a, n)| Mutation::DupLine(a, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<usize>(), weird).prop_map(|(a, w)| Mutation::Number(a, w)),
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::Byte(a, b)),
        (any::<usize>(), "[ -~\n\t]{0,40}").prop_map(|(a, s)| Mutation::Insert(a, s)),
    ]
}

fn apply(mut bytes: Vec<u8>, m: &Mutation) -> Vec<u8> {
    let lines = |b: &[u8]| -> Vec<Vec<u8>> { b.split(|&c| c == b'\n').map(<[u8]>::to_vec).collect() };
    let join = |ls: Vec<Vec<u8>>| ls.join(&b'\n');
    match *m {
        Mutation::Cut(at) => {
            let at = at % (bytes.len() + 1);
            bytes.truncate(at);
            bytes
        }
        Mutation::DropLines(at, n) => {
            let mut ls = lines(&bytes);
            let at = at % ls.len();
            let end = (at + n).min(ls.len());
            ls.drain(at..end);
            join(ls)
        }
        Mutation::DupLine(at, n) => {
            let mut ls = lines(&bytes);
            let at = at % ls.len();
            let line = ls[at].clone();
            for _ in 0..n {
                ls.insert(at, line.clone());
            }
            join(ls)
        }
        Mutation::SwapLines(a, b) => {
            let mut ls = lines(&bytes);
            let n = ls.len();
            ls.swap(a % n, b % n);
            join(ls)
        }
        Mutation::Number(at, w) => {
            // Replace the run of digits at or after `at` with a weird token.
            let n = bytes.len();
            if n == 0 {
                return bytes;
            }
            let start = (at % n..n).find(|&i| bytes[i].is_ascii_digit()).unwrap_or(n);
            let end = (start..n).find(|&i| !(bytes[i].is_ascii_digit() || bytes[i] == b'.')).unwrap_or(n);
            bytes.splice(start..end, w.bytes());
            bytes
        }
        Mutation::Byte(at, b) => {
            if !bytes.is_empty() {
                let i = at % bytes.len();
                bytes[i] = b;
            }
            bytes
        }
        Mutation::Insert(at, ref s) => {
            let at = at % (bytes.len() + 1);
            bytes.splice(at..at, s.bytes());
            bytes
        }
    }
}

#[test]
fn parsers_survive_mutated_real_outputs() {
    let seeds = seeds();
    let mut runner =
        TestRunner::new(Config { cases: cases(), failure_persistence: None, ..Config::default() });
    let strategy = (0..seeds.len(), prop::collection::vec(mutation(), 1..6));
    runner
        .run(&strategy, |(i, muts)| {
            let mut bytes = seeds[i].clone();
            for m in &muts {
                bytes = apply(bytes, m);
            }
            exercise(&bytes);
            Ok(())
        })
        .unwrap();
}

#[test]
fn parsers_survive_random_text() {
    // Text built from the words these outputs are made of, so the parsers get past their
    // sniffs and into the deep paths.
    let word = prop::sample::select(vec![
        "sysbench 1.0.20",
        "General statistics:",
        "total time:",
        "10.0s",
        "events per second:",
        "Latency (ms):",
        "avg:",
        "95th percentile:",
        "Threads started!",
        "CPU speed:",
        "Running 10s test @ http://x/",
        "threads and",
        "connections",
        "Latency",
        "Req/Sec",
        "Requests/sec:",
        "Transfer/sec:",
        "Socket errors: connect",
        "requests in",
        "MB read",
        "fio-3.33",
        "(g=0): rw=randread,",
        "read: IOPS=",
        "BW=",
        "clat (usec):",
        "min=",
        "avg=",
        "percentiles",
        "|",
        "1.00th=[",
        "]",
        "Run status group",
        "3;fio-3.1;",
        ";",
        "{",
        "}",
        "\"fio version\"",
        "\"jobs\"",
        ":",
        "[",
        "Linux 6.1.0 (h)",
        "_x86_64_",
        "(2 CPU)",
        "#",
        "Time",
        "UID",
        "PID",
        "%usr",
        "%CPU",
        "RSS",
        "kB_rd/s",
        "Command",
        "Average:",
        "12:00:01",
        "AM",
        "1700000000",
        "-1.00",
        "1e308",
        "0.00",
        "7",
        "\n",
        "\n",
        "\r\n",
        " ",
        "\t",
        "nan",
        "k",
        "ms",
        "us",
        "s",
    ]);
    let text = prop::collection::vec(word, 0..400).prop_map(|ws| ws.join(" "));
    let mut runner =
        TestRunner::new(Config { cases: cases(), failure_persistence: None, ..Config::default() });
    runner
        .run(&text, |t| {
            exercise(t.as_bytes());
            Ok(())
        })
        .unwrap();
}

#[test]
fn parsers_survive_random_bytes() {
    let mut runner =
        TestRunner::new(Config { cases: cases(), failure_persistence: None, ..Config::default() });
    runner
        .run(&prop::collection::vec(any::<u8>(), 0..4096), |b| {
            exercise(&b);
            Ok(())
        })
        .unwrap();
}
