//! pidstat: real outputs (../shared/realdata and tests/fixtures/pidstat) parsed to the values in the files.
#[allow(unused_imports)]
use crate::util::*;

use std::path::Path;
use std::process::{Command, Stdio};

use virtperf::ingest::pidstat::PidstatParser;
use virtperf::ingest::Parser;
use virtperf::model::IngestedRun;

fn param<'a>(run: &'a IngestedRun, key: &str) -> &'a str {
    run.data.params.get(key).map(String::as_str).unwrap_or("")
}

fn fact<'a>(run: &'a IngestedRun, key: &str) -> &'a str {
    run.data.facts.get(key).map(String::as_str).unwrap_or("")
}

fn value_at(run: &IngestedRun, entity: &str, metric: &str, t_s: f64) -> Option<f64> {
    run.data.series.iter().find(|s| s.entity == entity && s.metric == metric && s.t_s == t_s).map(|s| s.value)
}

/// Sum of whitespace-token `col` over the data rows of `text` (lines whose first token is a
/// number or a clock time, header lines excluded): an independent reading of the file.
fn column_sum(text: &str, col: usize) -> f64 {
    text.lines()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()) && !l.contains("Command"))
        .filter_map(|l| l.split_whitespace().nth(col)?.parse::<f64>().ok())
        .sum()
}

#[test]
fn mw2q_h_l_epoch_no_wait_column() {
    let Some(dir) = realdata() else { return };
    let path = dir.join("mw2q__monetdb-power-only-100g-baseline/pidstat.txt");
    let runs = runs_of(&path);
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    assert_eq!(r.data.tool, "pidstat");
    assert_eq!(r.data.tool_version, None);
    // No benchmark command among the rows (monetdb's mserver5, kernel threads, ...).
    assert_eq!(param(r, "process"), "all");
    // `Linux 3.10.0-229.4.2.el7.x86_64 (CentOS-71-64-minimal) 	11/25/15 	_x86_64_	(16 CPU)`
    assert_eq!(fact(r, "kernel"), "3.10.0-229.4.2.el7.x86_64");
    assert_eq!(fact(r, "host"), "CentOS-71-64-minimal");
    assert_eq!(fact(r, "cpus"), "16");
    assert_eq!(fact(r, "date"), "11/25/15");
    // A row with -l: `... 0.00  pidstat -h -l -d -r -s -u -w 60 `
    assert_eq!(fact(r, "command"), "pidstat -h -l -d -r -s -u -w 60");
    // 41 `#      Time   UID ...` headers, one per interval.
    assert_eq!(metric(r, "samples"), 41.0);
    // First row ` 1448481504 ...`, last row ` 1448483905 ...`.
    assert_eq!(metric(r, "duration_s"), 1448483905.0 - 1448481504.0);
    assert_eq!((r.data.first_line, r.data.last_line), (1, 4613));
    // %CPU is the 7th token of a row (`Time UID PID %usr %system %guest %CPU`), RSS the 12th:
    // every interval lists its processes, so the means are the column sums over 41 intervals.
    let text = std::fs::read_to_string(&path).unwrap();
    close(metric(r, "cpu_pct_mean"), column_sum(&text, 6) / 41.0);
    close(metric(r, "rss_kib_mean"), column_sum(&text, 11) / 41.0);
    // ` 1448481504     0         3 ... -1.00     -1.00     -1.00      0.47      0.00  ksoftirqd/0`:
    // the unreadable kB_rd/s is no sample, the cswch/s is.
    assert_eq!(value_at(r, "ksoftirqd/0[3]", "cswch_per_sec", 0.0), Some(0.47));
    assert_eq!(value_at(r, "ksoftirqd/0[3]", "kb_rd_per_sec", 0.0), None);
    // `-l` command with spaces (and a trailing space) is the entity's command.
    let systemd = "/usr/lib/systemd/systemd --switched-root --system --deserialize 24[1]";
    assert_eq!(value_at(r, systemd, "rss_kib", 0.0), Some(2696.0));
    assert!(!r.data.series.iter().any(|s| s.metric == "cpu_wait_pct"), "no %wait column in this version");
}

#[test]
fn harsh_stack_empty_intervals_count_as_zero() {
    let Some(dir) = realdata() else { return };
    let runs = runs_of(&dir.join("harsh-stack__TradeNetworkAnalysis/pidstat_output.txt"));
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    // `Linux 5.15.167.4-microsoft-standard-WSL2 (MyPC) 	11/03/25 	_x86_64_	(22 CPU)`
    assert_eq!(fact(r, "kernel"), "5.15.167.4-microsoft-standard-WSL2");
    assert_eq!(fact(r, "cpus"), "22");
    assert_eq!(param(r, "process"), "all");
    // 20 headers `23:15:04 ... 23:15:23      UID       PID    %usr ...`, most with no row.
    assert_eq!(metric(r, "samples"), 20.0);
    // The Average block: `Average: 0 43 ... 0.05`, `Average: 0 88 ... 0.15`,
    // `Average: 1000 2666 ... 0.10` (%CPU): pidstat's own mean over the 20 intervals.
    close(metric(r, "cpu_pct_mean"), 0.05 + 0.15 + 0.10);
    // `23:15:17        0        88    0.00    2.00    0.00    0.00    2.00     1  systemd-udevd`
    close(metric(r, "cpu_pct_max"), 2.0);
    // Intervals end 23:15:05 (the empty first one, ended by the `23:15:05` header) to 23:15:23.
    close(metric(r, "duration_s"), 18.0);
    assert_eq!((r.data.first_line, r.data.last_line), (1, 51));
}

#[test]
fn soyart_ampm_and_cumulative_sections() {
    let Some(dir) = realdata() else { return };
    let runs = runs_of(&dir.join("soyart__los/pidstat.log"));
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    assert_eq!(fact(r, "kernel"), "6.18.2");
    assert_eq!(fact(r, "host"), "los-t14");
    assert_eq!(param(r, "process"), "all");
    // 81 `%usr` headers, the last one of them `Average:`.
    assert_eq!(metric(r, "samples"), 80.0);
    // `12:52:27 AM` first rows to `12:53:46 AM` last rows.
    close(metric(r, "duration_s"), 79.0);
    // Average: dwmbar 0.69 + dash 0.17 (%CPU), minflt/s 0.31 + 39.67, RSS 10644 + 2952; pidstat
    // rounds each to 2 decimals.
    assert!((metric(r, "cpu_pct_mean") - 0.86).abs() < 0.01);
    assert!((metric(r, "minflt_per_sec_mean") - 39.98).abs() < 0.01);
    close(metric(r, "rss_kib_mean"), 10644.0 + 2952.0);
    // `12:52:27 AM  1000      2907        10        10         0  dwmbar` (usr-ms section).
    assert_eq!(value_at(r, "dwmbar[2907]", "cpu_usr_ms", 0.0), Some(10.0));
    // `12:52:27 AM  1000      4040      3081         0  dash` (minflt-nr section).
    assert_eq!(value_at(r, "dash[4040]", "minflt_count", 0.0), Some(3081.0));
    // `12:52:28 AM  1000      2907    0.00    1.00    0.00    0.00    1.00     6  dwmbar` hmm: t=1.
    assert!(value_at(r, "dwmbar[2907]", "cpu_pct", 1.0).is_some());
}

#[test]
fn kellyjonbrazil_centos_since_boot() {
    let Some(dir) = realdata() else { return };
    let path = dir.join("kellyjonbrazil__jc/tests__fixtures__centos-7.7__pidstat.out");
    let runs = runs_of(&path);
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    // `Linux 3.10.0-1062.1.2.el7.x86_64 (localhost) 	03/09/2022 	_x86_64_	(1 CPU)`
    assert_eq!(fact(r, "kernel"), "3.10.0-1062.1.2.el7.x86_64");
    assert_eq!(fact(r, "cpus"), "1");
    assert_eq!(metric(r, "samples"), 1.0);
    assert_eq!(metric(r, "duration_s"), 0.0);
    // One report since boot, no %wait: `12:06:39 PM   UID  PID  %usr %system  %guest  %CPU ...`;
    // %CPU is the 8th token (`12:06:39 PM` is two).
    let text = std::fs::read_to_string(&path).unwrap();
    close(metric(r, "cpu_pct_mean"), column_sum(&text, 7));
    // `12:06:39 PM     0      1221    0.06    0.03    0.00    0.09     0  dockerd-current`
    assert_eq!(value_at(r, "dockerd-current[1221]", "cpu_pct", 0.0), Some(0.09));
}

#[test]
fn kellyjonbrazil_ht_two_sections_one_interval() {
    let Some(dir) = realdata() else { return };
    let runs = runs_of(&dir.join("kellyjonbrazil__jc/tests__fixtures__generic__pidstat-ht.out"));
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    assert_eq!(fact(r, "host"), "localhost.localdomain");
    assert_eq!(metric(r, "samples"), 1.0);
    // `1692579199      0         1    0.00    0.07    0.00    0.08    0.08     0  systemd`
    close(metric(r, "cpu_pct_mean"), 0.08);
    assert_eq!(value_at(r, "systemd[1]", "cpu_wait_pct", 0.0), Some(0.08));
    // `1692579199      0         1      2890      4260         0  systemd`
    assert_eq!(value_at(r, "systemd[1]", "cpu_sys_ms", 0.0), Some(4260.0));
}

#[test]
fn ada231asd_restarts_and_foreign_lines() {
    let Some(dir) = realdata() else { return };
    let out = ingest_paths(&[dir.join("ada231asd__nain/optimized_server2__pidstat.log")]);
    assert!(out.ok());
    assert!(out.files[0].warnings.is_empty(), "{:?}", out.files[0].warnings);
    let runs = out.runs;
    // 51 `Linux ...` banners; three of them (`nohup: ignoring input` between) hold no header.
    assert_eq!(runs.len(), 49);
    let first = &runs[0];
    // Line 1 is `nohup: ignoring input`; the banner is line 2; the run ends before
    // `2025-10-23 13:55:24` at line 27.
    assert_eq!((first.data.first_line, first.data.last_line), (2, 26));
    assert_eq!(param(first, "process"), "all");
    // Three intervals: `10:55:29 AM ... 0.07 1 python3`, `11:25:29 AM ... 0.14 1 python3`, and an
    // empty one (headers `11:25:29 AM` with no row: the process had exited).
    assert_eq!(metric(first, "samples"), 3.0);
    close(metric(first, "cpu_pct_mean"), (0.07 + 0.14 + 0.0) / 3.0);
    // RSS `91932` then `92060`; the empty interval has no RSS.
    close(metric(first, "rss_kib_mean"), (91932.0 + 92060.0) / 2.0);
    let last = &runs[48];
    assert_eq!((last.data.first_line, last.data.last_line), (951, 2244));
    // `02:27:47 PM     0    378720    0.10    0.02    0.00    0.00    0.12     1  python3`
    close(metric(last, "cpu_pct_max"), 0.12);
    // `12:27:47 PM     0    378720      0.03      0.00  301128   93228   1.15  python3`
    close(metric(last, "rss_kib_max"), 93228.0);
    // 144 intervals of 30 min, across two midnights; the first (01:51:16 PM) is empty and ends
    // at the next header, 01:57:47 PM, 143 x 1800 s before the last rows.
    assert_eq!(metric(last, "samples"), 144.0);
    close(metric(last, "duration_s"), 143.0 * 1800.0);
}

#[test]
fn ada231asd_h_ampm_duplicated_banners() {
    let Some(dir) = realdata() else { return };
    let runs = runs_of(&dir.join("ada231asd__nain/pidstat.log"));
    // Banners at lines 1-2 (duplicated), then 12, 14, 17, 20 with no header between them.
    assert_eq!(runs.len(), 2);
    let (a, b) = (&runs[0], &runs[1]);
    assert_eq!((a.data.first_line, a.data.last_line), (1, 10));
    assert_eq!(metric(a, "samples"), 2.0);
    // `11:52:07 AM     0    470872    0.02 ... 0.02 ...` and `12:52:07 PM ... 0.07 ...` (%CPU).
    close(metric(a, "cpu_pct_mean"), (0.02 + 0.07) / 2.0);
    close(metric(a, "duration_s"), 3600.0);
    assert_eq!(b.data.first_line, 12);
    // `05:54:02 PM` (Nov 5) to `06:54:02 AM` (Nov 7): 37 hourly steps across two midnights.
    assert_eq!(metric(b, "samples"), 38.0);
    close(metric(b, "duration_s"), 37.0 * 3600.0);
    // `06:54:02 AM     0    475058 ... 448636   94744   1.17 ...`
    close(metric(b, "rss_kib_max"), 94744.0);
    assert_eq!(fact(b, "host"), "srvchinaubu");
}

#[test]
fn sniff_rejects_the_other_tools_real_outputs() {
    let Some(dir) = realdata() else { return };
    let pidstat_files = [
        "mw2q__monetdb-power-only-100g-baseline/pidstat.txt",
        "harsh-stack__TradeNetworkAnalysis/pidstat_output.txt",
        "soyart__los/pidstat.log",
        "kellyjonbrazil__jc/tests__fixtures__centos-7.7__pidstat.out",
        "kellyjonbrazil__jc/tests__fixtures__generic__pidstat-ht.out",
        "ada231asd__nain/optimized_server2__pidstat.log",
        "ada231asd__nain/pidstat.log",
    ];
    for entry in walkdir::WalkDir::new(&dir).into_iter().flatten().filter(|e| e.file_type().is_file()) {
        let rel = entry.path().strip_prefix(&dir).unwrap().to_string_lossy().replace('\\', "/");
        if rel.starts_with("SOURCES") {
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap();
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]);
        let want = pidstat_files.contains(&rel.as_str());
        assert_eq!(PidstatParser.sniff(&head), want, "{rel}");
    }
}

#[test]
fn fixtures_are_all_read() {
    let dir = fixture("pidstat");
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let path = entry.path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".txt") || name.starts_with("other-") {
            continue;
        }
        let out = ingest_paths(&[path.clone()]);
        if name == "banner-only.txt" {
            let msg = refusal_of(&path);
            assert!(msg.contains(":1: pidstat output: found the sysstat banner"), "{msg}");
            continue;
        }
        assert!(out.ok(), "{name}: {:?}", out.errors);
        assert_eq!(out.files[0].parser, Some("pidstat"), "{name}");
        for run in out.runs.iter().filter(|r| !r.data.metrics.is_empty()) {
            assert!(metric(run, "samples") >= 1.0, "{name}");
            assert!(metric(run, "cpu_pct_mean") >= 0.0, "{name}");
        }
    }
}

#[test]
fn fixture_benchmark_process_is_told_apart() {
    // -C 'sysbench|yes': a busy sysbench and a busy yes.
    let runs = runs_of(&fixture("pidstat/c-h-u-r-d-w-s-C.txt"));
    let r = &runs[0];
    assert_eq!(param(r, "process"), "sysbench");
    // %CPU of `11:56:26        0      6637 ... 28.02     1 ... sysbench`, then 21.86 (11:56:28)
    // and 22.77 (11:56:30); yes (14.22, 9.30, 10.89) is left out.
    close(metric(r, "cpu_pct_mean"), (28.02 + 21.86 + 22.77) / 3.0);
    // minflt/s of sysbench: 2.59, 1.40, 0.50.
    close(metric(r, "minflt_per_sec_mean"), (2.59 + 1.40 + 0.50) / 3.0);
    // The loaded machine stretched the 1 s interval: 11:56:26 to 11:56:30.
    close(metric(r, "duration_s"), 4.0);
    let l = &runs_of(&fixture("pidstat/c-h-l-p.txt"))[0];
    assert_eq!(param(l, "process"), "sysbench");
    // -l: `sysbench cpu --threads=2 --time=120 run` is a sysbench; `yes sysbench` (42.16 and
    // 18.63 %CPU at 11:56:33; 38.61 and 18.81 at 11:56:34) is not.
    close(metric(l, "cpu_pct_mean"), (42.16 + 38.61) / 2.0);
    assert_eq!(value_at(l, "sysbench cpu --threads=2 --time=120 run[6637]", "rss_kib", 0.0), Some(9108.0));
    assert_eq!(value_at(l, "yes sysbench[6638]", "cpu_pct", 1.0), Some(18.81));
}

/// Runs the real pidstat for 2 s against a busy process and checks the parse.
#[test]
fn live_pidstat() {
    if !have_tool("pidstat") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut busy = Command::new("sh").args(["-c", "while :; do :; done"]).spawn().unwrap();
    let out = Command::new("pidstat")
        .args(["-u", "-r", "-p", &busy.id().to_string(), "1", "2"])
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .output();
    let _ = busy.kill();
    let _ = busy.wait();
    let out = out.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let path = dir.path().join("pidstat.log");
    std::fs::write(&path, &out.stdout).unwrap();
    let runs = runs_of(Path::new(&path));
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    assert_eq!(r.data.tool, "pidstat");
    assert_eq!(param(r, "process"), "all");
    assert_eq!(metric(r, "samples"), 2.0);
    assert!(metric(r, "cpu_pct_mean") > 0.0);
    assert!(metric(r, "rss_kib_mean") > 0.0);
    close(metric(r, "duration_s"), 1.0);
    let entity = format!("sh[{}]", busy.id());
    assert!(r.data.series.iter().any(|s| s.entity == entity && s.metric == "cpu_pct"));
}
