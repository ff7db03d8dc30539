//! Unit tests of the pidstat parser on the real outputs in `tests/fixtures/pidstat` (made by its
//! `make.sh` with pidstat 12.6.1), and on mutations of them made here.

use std::io::{BufRead, Read};

use proptest::prelude::*;

use super::*;
use crate::ingest::text::edits::{cut, edit_lines};
use crate::ingest::ParseOptions;
use crate::model::Run;

const U_R_D_W_P: &str = include_str!("../../../tests/fixtures/pidstat/c-u-r-d-w-p.txt");
const H_C: &str = include_str!("../../../tests/fixtures/pidstat/c-h-u-r-d-w-s-C.txt");
const H_L: &str = include_str!("../../../tests/fixtures/pidstat/c-h-l-p.txt");
const T: &str = include_str!("../../../tests/fixtures/pidstat/c-t-u-w-p.txt");
const US_ALL: &str = include_str!("../../../tests/fixtures/pidstat/us-u-r-all.txt");
const US_H: &str = include_str!("../../../tests/fixtures/pidstat/us-h-u-r-d-p.txt");
const ISO_H: &str = include_str!("../../../tests/fixtures/pidstat/iso-H-h-u-r-p.txt");
const DE: &str = include_str!("../../../tests/fixtures/pidstat/de-u-r-p.txt");
const U_V_R: &str = include_str!("../../../tests/fixtures/pidstat/c-U-v-R-u-p.txt");
const T_ALL: &str = include_str!("../../../tests/fixtures/pidstat/c-T-all-p.txt");
const BOOT: &str = include_str!("../../../tests/fixtures/pidstat/c-since-boot.txt");
const MULTI: &str = include_str!("../../../tests/fixtures/pidstat/multi.txt");
const BANNER: &str = include_str!("../../../tests/fixtures/pidstat/banner-only.txt");
const MPSTAT: &str = include_str!("../../../tests/fixtures/pidstat/other-mpstat.txt");
const IOSTAT: &str = include_str!("../../../tests/fixtures/pidstat/other-iostat.txt");

const ALL: &[&str] = &[U_R_D_W_P, H_C, H_L, T, US_ALL, US_H, ISO_H, DE, U_V_R, T_ALL, BOOT, MULTI, BANNER];

const SERIES: ParseOptions = ParseOptions { series: true };

fn parse(text: &str) -> ParseOutput {
    PidstatParser.parse(text, &SERIES).unwrap_or_else(|e| panic!("refused: {e}"))
}

fn metric(run: &Run, name: &str) -> f64 {
    run.metric(name).unwrap_or_else(|| panic!("no {name} in {:?}", run.metrics))
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0), "{a} != {b}");
}

/// A reader that hands out at most `step` bytes per call, to put chunk ends everywhere.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

impl BufRead for Trickle<'_> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        Ok(&self.data[..self.step.min(self.data.len())])
    }

    fn consume(&mut self, n: usize) {
        self.data = &self.data[n.min(self.data.len())..];
    }
}

fn streamed(text: &str, step: usize, opts: &ParseOptions) -> Result<ParseOutput, crate::error::ParseError> {
    let mut r = Trickle { data: text.as_bytes(), step: step.max(1) };
    PidstatParser.parse_reader(&mut r, opts)
}

#[test]
fn command_names() {
    assert_eq!(command_name(b"|__sysbench"), b"sysbench");
    assert_eq!(command_name(b"/usr/sbin/nginx"), b"nginx");
    assert_eq!(command_name(b"nginx:"), b"nginx");
    assert_eq!(command_name(b"postgres:"), b"postgres");
    assert_eq!(command_name(b"kworker/1:2"), b"1:2");
    assert_eq!(command_name(b"sysbench"), b"sysbench");
}

#[test]
fn benchmark_groups() {
    assert_eq!(bench_group(b"sysbench"), 1);
    assert_eq!(bench_group(b"fio"), 2);
    assert_eq!(bench_group(b"fio2"), 0);
    assert_eq!(bench_group(b"qemu-system-x86"), 5);
    assert_eq!(bench_group(b"qemu-system-x86_64"), 5);
    assert_eq!(bench_group(b"qemu-img"), 0);
    assert_eq!(bench_group(b"stress-ng"), 6);
    assert_eq!(bench_group(b"stress-ng-cpu"), 6);
    assert_eq!(bench_group(b"stress"), 0);
    assert_eq!(bench_group(b"redis-server"), 10);
    assert_eq!(bench_group(b""), 0);
}

#[test]
fn sniff_accepts_pidstat_and_rejects_other_sysstat_tools() {
    for text in ALL {
        assert!(PidstatParser.sniff(text), "{}", &text[..text.len().min(200)]);
    }
    assert!(!PidstatParser.sniff(MPSTAT));
    assert!(!PidstatParser.sniff(IOSTAT));
    assert!(!PidstatParser.sniff(""));
    assert!(!PidstatParser.sniff("$ pidstat -u 1 > log\nCommand not found: PID\n"));
}

#[test]
fn sections_per_interval_are_one_sample() {
    let out = parse(U_R_D_W_P);
    assert_eq!(out.runs.len(), 1);
    let r = &out.runs[0];
    assert_eq!(r.params.get("process").map(String::as_str), Some("sysbench"));
    assert_eq!((r.first_line, r.last_line), (1, 49));
    assert_eq!(metric(r, "samples"), 3.0);
    // `11:56:21 ... 23.58 1 sysbench`, `11:56:22 ... 26.00 1 ...`, `11:56:23 ... 35.85 1 ...` (%CPU).
    close(metric(r, "cpu_pct_mean"), (23.58 + 26.00 + 35.85) / 3.0);
    close(metric(r, "cpu_pct_max"), 35.85);
    // minflt/s 35.85, 20.00, 18.87; RSS 8724, 8980, 8980.
    close(metric(r, "minflt_per_sec_mean"), (35.85 + 20.00 + 18.87) / 3.0);
    close(metric(r, "rss_kib_mean"), (8724.0 + 8980.0 + 8980.0) / 3.0);
    close(metric(r, "rss_kib_max"), 8980.0);
    close(metric(r, "duration_s"), 2.0);
    assert_eq!(r.facts.get("cpus").map(String::as_str), Some("2"));
    assert_eq!(r.facts.get("host").map(String::as_str), Some("vm"));
    assert_eq!(r.facts.get("date").map(String::as_str), Some("11/23/26"));
    // 3 rows x (5 cpu + 5 mem + 4 io + 2 ctx) values.
    assert_eq!(r.series.len(), 3 * 16);
    assert_eq!(r.series[0].entity, "sysbench[6637]");
    assert_eq!(r.series[0].metric, "cpu_usr_pct");
    assert_eq!(r.series[0].t_s, 0.0);
    assert_eq!(r.series.last().map(|s| s.t_s), Some(2.0));
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
}

#[test]
fn thread_rows_are_series_only() {
    let r = &parse(T).runs[0];
    // Process rows: `11:56:40 0 6637 - ... 39.60 1 sysbench`, `11:56:41 ... 34.65 1 sysbench`;
    // the `|__sysbench` thread rows are not added again.
    close(metric(r, "cpu_pct_mean"), (39.60 + 34.65) / 2.0);
    // `11:56:40        0         -      6640      0.00     51.49  |__sysbench`
    assert!(r
        .series
        .iter()
        .any(|s| s.entity == "|__sysbench[6640]" && s.metric == "nvcswch_per_sec" && s.value == 51.49));
    assert!(r.series.iter().any(|s| s.entity == "sysbench[6637]"));
}

#[test]
fn header_printed_once_still_separates_intervals() {
    let out = parse(MULTI);
    assert_eq!(out.runs.len(), 4);
    let r = &out.runs[0];
    assert_eq!((r.first_line, r.last_line), (2, 7));
    assert_eq!(metric(r, "samples"), 2.0);
    // `11:56:52 ... 27.00 1 sysbench`, `11:56:53 ... 25.24 1 sysbench` under one header.
    close(metric(r, "cpu_pct_mean"), (27.00 + 25.24) / 2.0);
    // Banners at lines 9 and 11 with only a `date` line between: one run.
    assert_eq!((out.runs[1].first_line, out.runs[1].last_line), (9, 29));
    assert_eq!(metric(&out.runs[1], "samples"), 2.0);
    assert_eq!(out.runs[2].params.get("process").map(String::as_str), Some("all"));
    let last = &out.runs[3];
    assert!(last.metrics.is_empty());
    assert_eq!(last.issues.len(), 1);
    assert_eq!(last.issues[0].kind, "truncated");
    assert_eq!(last.first_line, 36);
    assert_eq!(out.warnings.len(), 1);
    assert_eq!(out.warnings[0].line, 36);
}

#[test]
fn twelve_hour_times_under_hash_header() {
    let r = &parse(US_H).runs[0];
    assert_eq!(metric(r, "samples"), 2.0);
    close(metric(r, "duration_s"), 1.0);
    // `11:56:38 AM     0      6637 ... 39.60     1 ... sysbench`, `11:56:39 AM ... 37.00 ...`.
    close(metric(r, "cpu_pct_mean"), (39.60 + 37.00) / 2.0);
}

#[test]
fn decimal_commas_and_localized_average() {
    let out = parse(DE);
    let r = &out.runs[0];
    assert_eq!(metric(r, "samples"), 2.0);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert_eq!(r.facts.get("date").map(String::as_str), Some("23.11.2026"));
}

#[test]
fn unknown_columns_are_skipped() {
    let out = parse(U_V_R);
    let r = &out.runs[0];
    assert_eq!(metric(r, "samples"), 2.0);
    assert!(r.series.iter().any(|s| s.metric == "threads" && s.value == 3.0));
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
}

#[test]
fn streaming_agrees_with_whole_text() {
    for text in ALL {
        let whole = PidstatParser.parse(text, &SERIES);
        for step in [1, 2, 7, 64, 4096, 1 << 22] {
            assert_eq!(streamed(text, step, &SERIES), whole, "step {step}");
        }
        let crlf = text.replace('\n', "\r\n");
        assert_eq!(PidstatParser.parse(&crlf, &SERIES), whole);
        assert_eq!(streamed(&crlf, 5, &SERIES), whole);
    }
}

#[test]
fn streaming_survives_long_lines() {
    // A 100 KB and a 3 MB line (longer than the room kept in front of a chunk, and than the
    // longest line kept) inserted into a real file.
    let mut lines: Vec<String> = U_R_D_W_P.lines().map(str::to_string).collect();
    lines.insert(5, "x".repeat(100_000));
    lines.insert(20, format!("11:56:22 {}", "1".repeat(3_000_000)));
    let text = lines.join("\n");
    let whole = PidstatParser.parse(&text, &SERIES);
    for step in [7, 65_536, 70_000, 1 << 21, 1 << 22] {
        assert_eq!(streamed(&text, step, &SERIES), whole, "step {step}");
    }
    assert_eq!(whole.unwrap().warnings.len(), 1, "the long digit line looks like a row");
}

/// Shifts every `HH:MM:SS` of `text` by `shift` seconds (mod 24 h).
fn shift_clock(text: &str, shift: u32) -> String {
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let mut t = lex::Tokens::new(line.as_bytes());
        match t.next().and_then(lex::clock) {
            Some(secs) => {
                let v = (secs + shift) % 86_400;
                out.push_str(&format!("{:02}:{:02}:{:02}", v / 3600, v / 60 % 60, v % 60));
                out.push_str(&line[8..]);
            }
            None => out.push_str(line),
        }
    }
    out
}

#[test]
fn midnight_wrap() {
    let base = parse(U_R_D_W_P);
    // 11:56:20 + 12h 3m 39s = 23:59:59: the three rows are at 00:00:00, 00:00:01, 00:00:02.
    let wrapped = shift_clock(U_R_D_W_P, 12 * 3600 + 3 * 60 + 39);
    assert!(wrapped.contains("\n00:00:00 ") && wrapped.contains("\n23:59:59 "));
    let out = parse(&wrapped);
    assert_eq!(out.runs[0].metrics, base.runs[0].metrics);
    let ts: Vec<f64> = out.runs[0].series.iter().map(|s| s.t_s).collect();
    assert_eq!(ts.first(), Some(&0.0));
    assert_eq!(ts.last(), Some(&2.0));
}

#[test]
fn rows_that_do_not_fit_are_counted_once_per_run() {
    // Cut three rows of the real file short.
    let mut lines: Vec<String> = U_R_D_W_P.lines().map(str::to_string).collect();
    for i in [3, 6, 15] {
        let keep = lines[i].len() / 2;
        lines[i].truncate(keep);
    }
    let out = parse(&lines.join("\n"));
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    assert_eq!(out.warnings[0].line, 4);
    assert!(out.warnings[0].message.starts_with("3 lines"), "{}", out.warnings[0].message);
    assert_eq!(metric(&out.runs[0], "samples"), 3.0);
}

#[test]
fn sentinels_are_skipped() {
    // Make pidstat's unreadable marker appear where real values were.
    let text = H_C.replace("  0.00      0.00  sysbench", " -1.00     -1.00  sysbench");
    assert_ne!(text, H_C);
    let r = &parse(&text).runs[0];
    assert!(r.series.iter().all(|s| s.value != -1.0));
}

#[test]
fn refusals_name_the_line() {
    let e = PidstatParser.parse(BANNER, &SERIES).unwrap_err();
    assert_eq!(e.line, 1);
    assert!(e.message.contains("no pidstat header"), "{}", e.message);
    // Every row removed: headers only.
    let headers: String =
        U_R_D_W_P.lines().filter(|l| !l.contains("sysbench")).map(|l| format!("{l}\n")).collect();
    let e = PidstatParser.parse(&headers, &SERIES).unwrap_err();
    assert_eq!(e.line, 3);
    assert!(e.message.contains("every pidstat interval is empty"), "{}", e.message);
    let e = PidstatParser.parse("hello\nworld\n", &SERIES).unwrap_err();
    assert_eq!(e.line, 1);
    assert!(PidstatParser.parse("", &SERIES).is_err());
}

#[test]
fn no_series_when_not_asked() {
    let out = PidstatParser.parse(H_L, &ParseOptions { series: false }).unwrap();
    assert!(out.runs[0].series.is_empty());
    assert_eq!(out.runs[0].metrics, parse(H_L).runs[0].metrics);
}

const NO_SERIES: ParseOptions = ParseOptions { series: false };

/// `a` and `b` are the same result, but for the last bits of the sums of values with more than
/// two decimals (kept as f64s, so the order they were added in can show; mutated logs can have
/// them). Values with at most two decimals, all pidstat prints, are summed exactly.
fn same(
    a: &Result<ParseOutput, crate::error::ParseError>,
    b: &Result<ParseOutput, crate::error::ParseError>,
) -> bool {
    let (Ok(a), Ok(b)) = (a, b) else { return a == b };
    let strip = |o: &ParseOutput| -> Vec<Run> {
        o.runs
            .iter()
            .cloned()
            .map(|mut r| {
                r.metrics.iter_mut().for_each(|m| m.value = 0.0);
                r
            })
            .collect()
    };
    let values = |o: &ParseOutput| -> Vec<f64> {
        o.runs.iter().flat_map(|r| r.metrics.iter().map(|m| m.value)).collect()
    };
    a.warnings == b.warnings
        && strip(a) == strip(b)
        && values(a).iter().zip(values(b)).all(|(x, y)| (x - y).abs() <= 1e-12 * x.abs().max(y.abs()))
}

/// Read in pieces of `piece` bytes: the result, and how many pieces were joined.
fn pieces(text: &str, piece: u64) -> (Result<ParseOutput, crate::error::ParseError>, usize) {
    split::parse_counted(text.as_bytes(), &NO_SERIES, piece)
}

/// Long logs made of the real ones: every fixture, all of them one after the other, a `-h` and
/// a multi-section log with their bodies repeated (banners removed, times moved on), and the
/// same across midnight.
fn long_logs() -> Vec<String> {
    let mut out: Vec<String> = ALL.iter().map(|t| t.to_string()).collect();
    out.push(ALL.concat());
    for (text, hours) in [(H_C, 0), (U_R_D_W_P, 0), (U_R_D_W_P, 12 * 3600 + 3 * 60 + 30), (US_H, 0)] {
        let body: String = text.split_inclusive('\n').skip(2).collect();
        let mut log = text.split_inclusive('\n').take(2).collect::<String>();
        for k in 0..6 {
            log.push_str(&shift_clock(&body, hours + 5 * k));
        }
        out.push(log);
    }
    // The benchmark's process comes and goes (its rows left out of some copies) across
    // midnight, and rows that do not fit in several runs.
    let body: String = U_R_D_W_P.split_inclusive('\n').skip(2).collect();
    let mut log = U_R_D_W_P.split_inclusive('\n').take(2).collect::<String>();
    for k in 0..8 {
        let copy = shift_clock(&body, 12 * 3600 + 3 * 60 + 30 + 5 * k);
        log.push_str(&match k {
            0 | 3 | 6 | 7 => copy.split_inclusive('\n').filter(|l| !l.contains("sysbench")).collect(),
            _ => copy,
        });
    }
    out.push(log);
    let misfit: String = U_R_D_W_P
        .split_inclusive('\n')
        .enumerate()
        .map(|(i, l)| if i % 7 == 3 { &l[..l.len() / 2] } else { l })
        .collect();
    out.push([misfit.as_str(), H_C, &misfit, &misfit].concat());
    out
}

#[test]
fn pieces_read_apart_and_joined_agree_with_one_pass() {
    let mut joined = 0;
    for text in long_logs() {
        let whole = PidstatParser.parse(&text, &NO_SERIES);
        for piece in [1, 40, 100, 333, 1000, 4096, 1 << 20] {
            let (out, n) = pieces(&text, piece);
            // Real pidstat values only: exactly the same, whatever the pieces.
            assert_eq!(out, whole, "piece {piece}\n{text}");
            joined += n;
        }
        let crlf = text.replace('\n', "\r\n");
        assert!(same(&pieces(&crlf, 77).0, &PidstatParser.parse(&crlf, &NO_SERIES)));
    }
    assert!(joined > 100, "only {joined} pieces were joined: the parallel path is not exercised");
}

#[test]
fn every_version_of_the_line_loop_reads_the_same() {
    // `Engine::lines` runs code compiled for the CPU's extensions (AVX2, BMI1, POPCNT) where it
    // has them; the portable loop must read every log the same, with and without series.
    for text in long_logs() {
        for crlf in [false, true] {
            let text = if crlf { text.replace('\n', "\r\n") } else { text.clone() };
            for series in [false, true] {
                let mut chosen = engine::Engine::new(series);
                chosen.lines(text.as_bytes());
                let chosen = chosen.finish();
                for version in engine::LineLoop::ALL {
                    let mut e = engine::Engine::new(series);
                    e.lines_in(text.as_bytes(), version);
                    assert_eq!(e.finish(), chosen, "{version:?} series {series} crlf {crlf}\n{text}");
                }
            }
        }
    }
}

#[test]
fn pieces_are_joined_across_midnight_and_runs() {
    // The multi-section log across midnight, and several runs one after another.
    let logs = long_logs();
    for text in [&logs[ALL.len() + 3], &logs[ALL.len()], &logs[ALL.len() + 5]] {
        let whole = PidstatParser.parse(text, &NO_SERIES);
        // Small pieces carry one open interval each; larger ones close some of their own.
        for piece in [200, 700, 1500] {
            let (out, n) = pieces(text, piece);
            assert!(n > 3, "{n} joined");
            assert!(same(&out, &whole), "piece {piece}\n{out:?}\n{whole:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn mutated_logs_read_in_pieces_agree(which in 0..9usize,
                                         ops in proptest::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 0..8),
                                         at in any::<usize>(), piece in 1u64..3000) {
        let logs = long_logs();
        let base = &logs[(ALL.len() + which) % logs.len()];
        let text = cut(&edit_lines(base, &ops), at % (base.len() + 1)).to_string();
        let whole = PidstatParser.parse(&text, &NO_SERIES);
        let (out, _) = pieces(&text, piece);
        prop_assert!(same(&out, &whole), "piece {}", piece);
    }

    #[test]
    fn random_text_never_panics(s in "\\PC{0,400}", b in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = PidstatParser.parse(&s, &SERIES);
        let _ = PidstatParser.sniff(&s);
        let lossy = String::from_utf8_lossy(&b);
        let _ = PidstatParser.parse(&lossy, &SERIES);
        prop_assert_eq!(streamed(&lossy, 3, &SERIES), PidstatParser.parse(&lossy, &SERIES));
    }

    #[test]
    fn mutated_real_text_never_panics(which in 0..ALL.len(),
                                      ops in proptest::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 0..8),
                                      at in any::<usize>(), cap in 1usize..300) {
        // Lines removed, copied and swapped, then the text cut anywhere.
        let text = cut(&edit_lines(ALL[which], &ops), at % (ALL[which].len() + 1)).to_string();
        let whole = PidstatParser.parse(&text, &SERIES);
        if let Ok(out) = &whole {
            for run in &out.runs {
                prop_assert!(run.metrics.iter().all(|m| m.value.is_finite()));
                prop_assert!(run.first_line <= run.last_line);
            }
        }
        prop_assert_eq!(streamed(&text, cap, &SERIES), whole);
    }
}

#[test]
fn interval_sums_are_exact() {
    // Every process summed (no benchmark command): the real rows' `%CPU`, added per interval.
    let text = US_ALL.replace(" sysbench", " worker");
    let mut exact = Vec::new(); // per interval: hundredths, added as integers here
    let mut float = Vec::new(); // per interval: the f64 values added one by one
    let mut col = None;
    for line in text.lines() {
        let toks: Vec<&str> = line.split_whitespace().collect();
        if line.starts_with("Average") || toks.is_empty() {
            col = None;
        } else if let Some(i) = toks.iter().position(|t| *t == "%CPU") {
            col = Some(i);
            exact.push(0i64);
            float.push(0.0f64);
        } else if let (Some(i), Some(e), Some(f)) = (col, exact.last_mut(), float.last_mut()) {
            *e += toks[i].replace('.', "").parse::<i64>().unwrap();
            *f += toks[i].parse::<f64>().unwrap();
        }
    }
    assert_eq!(exact.len(), 3);
    let sums: Vec<f64> = exact.iter().map(|&c| c as f64 / 100.0).collect();
    // Adding the f64s one by one lands off the exact sum in some interval: the test tells.
    assert!(sums.iter().zip(&float).any(|(s, f)| s != f), "{sums:?} {float:?}");
    let r = &parse(&text).runs[0];
    assert_eq!(r.params.get("process").map(String::as_str), Some("all"));
    // The run's mean: of the exact total, too.
    assert_eq!(metric(r, "cpu_pct_mean"), exact.iter().sum::<i64>() as f64 / 100.0 / 3.0);
    assert_eq!(metric(r, "cpu_pct_max"), sums.iter().copied().fold(f64::MIN, f64::max));
}

#[test]
fn every_epoch_stamp_is_read() {
    // Each row's own `-H` epoch: the run's span and the series times follow them (the parser
    // reads a stamp once while the rows repeat it). Every real row is doubled here (a second
    // process), so that the rows of an interval share their stamp.
    let text: String = ISO_H
        .lines()
        .flat_map(|l| {
            let twin = (l.starts_with("17") && l.contains(" 6637 ")).then(|| l.replace(" 6637 ", " 6638 "));
            std::iter::once(l.to_string()).chain(twin)
        })
        .map(|l| l + "\n")
        .collect();
    let stamps: Vec<f64> =
        text.lines().filter_map(|l| l.split_whitespace().next()?.parse::<f64>().ok()).collect();
    assert_eq!(stamps.len(), 4, "{text}");
    assert!(stamps[0] == stamps[1] && stamps[1] != stamps[2], "{stamps:?}");
    let r = &parse(&text).runs[0];
    assert_eq!(metric(r, "duration_s"), stamps[3] - stamps[0]);
    // Both processes' samples at each stamp, 0 and 1 s after the first.
    for pid in ["6637", "6638"] {
        let mut times: Vec<f64> =
            r.series.iter().filter(|s| s.entity == format!("sysbench[{pid}]")).map(|s| s.t_s).collect();
        times.dedup();
        assert_eq!(times, [0.0, stamps[2] - stamps[0]], "{pid}");
    }
}
