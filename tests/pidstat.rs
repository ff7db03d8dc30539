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

/// Number of series samples of `metric` in `run`: one per data row that has its column.
fn rows(run: &IngestedRun, metric: &str) -> usize {
    run.data.series.iter().filter(|s| s.metric == metric).count()
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
    // 4530 data rows (`awk '$1 ~ /^[0-9]+$/ && NF >= 21' | wc -l`), each with every column.
    assert_eq!(rows(r, "cpu_pct"), 4530);
    assert_eq!(rows(r, "rss_kib"), 4530);
    // Columns `Time UID PID %usr %system %guest %CPU CPU minflt/s majflt/s VSZ RSS %MEM StkSize
    // StkRef kB_rd/s kB_wr/s ...`, summed by awk over all rows and divided by the 41 intervals:
    // %CPU ($7) 9269.83, RSS ($12) 2056967888, kB_rd/s ($16, `-1.00` left out) 883709.54,
    // kB_wr/s ($17, `-1.00` left out) 5986724.59.
    close(metric(r, "cpu_pct_mean"), 9269.83 / 41.0);
    close(metric(r, "rss_kib_mean"), 2056967888.0 / 41.0);
    close(metric(r, "kb_rd_per_sec_mean"), 883709.54 / 41.0);
    close(metric(r, "kb_wr_per_sec_mean"), 5986724.59 / 41.0);
    // Largest per-interval RSS sum: the 28th interval (header at line 3028), 62000956 KiB.
    assert_eq!(metric(r, "rss_kib_max"), 62000956.0);
    // Line 3136, monetdb's server at its largest: ` 1448483151  1000     26515   96.43  428.52
    // 0.00  524.95     2  77215.35     21.18 127594456 61864452  94.17 ...  /usr/local/bin/mserver5
    // --dbpath=...`.
    let mserver = r.data.series.iter().filter(|s| s.entity.starts_with("/usr/local/bin/mserver5 "));
    let rss = mserver.filter(|s| s.metric == "rss_kib").map(|s| s.value).fold(0.0, f64::max);
    assert_eq!(rss, 61864452.0);
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
    // The same from the 5 rows (1.00, 1.00, 1.00, 1.00, 2.00 %CPU) over the 20 intervals.
    assert_eq!(rows(r, "cpu_pct"), 5);
    close(metric(r, "cpu_pct_mean"), 6.0 / 20.0);
    // `pidstat -u`: no -r or -d section, so no memory or I/O metric.
    for absent in ["rss_kib_max", "kb_rd_per_sec_mean", "kb_wr_per_sec_mean"] {
        assert_eq!(r.data.metric(absent), None, "{absent}");
    }
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
    // Exactly, from the rows: 160 rows under the `%CPU` headers (dwmbar and dash in each of the
    // 80 intervals), whose %CPU (9th token, `12:52:27 AM` is two) sums to 68.98; 160 rows under
    // the `RSS` headers, each interval's sum at most `10644` + `2952`.
    assert_eq!(rows(r, "cpu_pct"), 160);
    assert_eq!(rows(r, "rss_kib"), 160);
    close(metric(r, "cpu_pct_mean"), 68.98 / 80.0);
    assert_eq!(metric(r, "rss_kib_max"), 13596.0);
    // `-u -r` only: no I/O.
    assert_eq!(r.data.metric("kb_rd_per_sec_mean"), None);
    // `12:52:27 AM  1000      2907        10        10         0  dwmbar` (usr-ms section).
    assert_eq!(value_at(r, "dwmbar[2907]", "cpu_usr_ms", 0.0), Some(10.0));
    // `12:52:27 AM  1000      4040      3081         0  dash` (minflt-nr section).
    assert_eq!(value_at(r, "dash[4040]", "minflt_count", 0.0), Some(3081.0));
    // `12:52:28 AM  1000      2907    0.00    0.00    0.00    0.00    0.00     4  dwmbar`, 1 s in.
    assert_eq!(value_at(r, "dwmbar[2907]", "cpu_pct", 1.0), Some(0.0));
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
    assert_eq!(r.data.tool_version, None);
    // One report since boot, no %wait: `12:06:39 PM   UID  PID  %usr %system  %guest  %CPU ...`;
    // 41 rows, whose %CPU (8th token, `12:06:39 PM` is two) sums to 0.32 (awk).
    assert_eq!(rows(r, "cpu_pct"), 41);
    close(metric(r, "cpu_pct_mean"), 0.32);
    assert!(!r.data.series.iter().any(|s| s.metric == "cpu_wait_pct"), "no %wait column in 10.1");
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
    assert_eq!(rows(r, "cpu_pct"), 1);
    assert_eq!(value_at(r, "systemd[1]", "cpu_wait_pct", 0.0), Some(0.08));
    assert_eq!(r.data.metric("rss_kib_max"), None);
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
    assert_eq!(metric(first, "rss_kib_max"), 92060.0);
    // `10:55:29 AM     0    369825      0.00      0.36      0.00       0  python3` and
    // `11:25:29 AM     0    369825      0.00      0.62      0.00       0  python3` (kB_wr/s).
    close(metric(first, "kb_rd_per_sec_mean"), 0.0);
    close(metric(first, "kb_wr_per_sec_mean"), (0.36 + 0.62 + 0.0) / 3.0);
    assert_eq!((rows(first, "cpu_pct"), rows(first, "rss_kib"), rows(first, "kb_wr_per_sec")), (2, 2, 2));
    let last = &runs[48];
    assert_eq!((last.data.first_line, last.data.last_line), (951, 2244));
    // `02:27:47 PM     0    378720    0.10    0.02    0.00    0.00    0.12     1  python3`
    close(metric(last, "cpu_pct_max"), 0.12);
    // `12:27:47 PM     0    378720      0.03      0.00  301128   93228   1.15  python3`
    close(metric(last, "rss_kib_max"), 93228.0);
    // From line 951 on, awk over the rows of each section: 143 rows each; %CPU sums to 2.02,
    // kB_rd/s to 0.00 and kB_wr/s to 49.24, over 144 intervals.
    assert_eq!((rows(last, "cpu_pct"), rows(last, "rss_kib"), rows(last, "kb_wr_per_sec")), (143, 143, 143));
    close(metric(last, "cpu_pct_mean"), 2.02 / 144.0);
    close(metric(last, "kb_rd_per_sec_mean"), 0.0);
    close(metric(last, "kb_wr_per_sec_mean"), 49.24 / 144.0);
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
    // Same two rows: RSS `99784` both times; kB_rd/s `0.00`, kB_wr/s `0.26` and `0.39`.
    assert_eq!(rows(a, "cpu_pct"), 2);
    assert_eq!(metric(a, "rss_kib_max"), 99784.0);
    close(metric(a, "kb_rd_per_sec_mean"), 0.0);
    close(metric(a, "kb_wr_per_sec_mean"), (0.26 + 0.39) / 2.0);
    assert_eq!(b.data.first_line, 12);
    // `05:54:02 PM` (Nov 5) to `06:54:02 AM` (Nov 7): 37 hourly steps across two midnights.
    assert_eq!(metric(b, "samples"), 38.0);
    close(metric(b, "duration_s"), 37.0 * 3600.0);
    // `06:54:02 AM     0    475058 ... 448636   94744   1.17 ...`
    close(metric(b, "rss_kib_max"), 94744.0);
    // awk over the 38 rows from line 12 on (one python3 row per `# Time` header): %CPU sums to
    // 0.47, kB_rd/s to 0.00, kB_wr/s to 10.33.
    assert_eq!(rows(b, "cpu_pct"), 38);
    close(metric(b, "cpu_pct_mean"), 0.47 / 38.0);
    close(metric(b, "kb_rd_per_sec_mean"), 0.0);
    close(metric(b, "kb_wr_per_sec_mean"), 10.33 / 38.0);
    assert_eq!(fact(b, "host"), "srvchinaubu");
}

/// None of the real files is refused; cut after their banner or their first header (here,
/// not on disk) they must be, with the line and what was missing.
#[test]
fn harsh_stack_cut_short_is_refused() {
    let Some(dir) = realdata() else { return };
    let text =
        std::fs::read_to_string(dir.join("harsh-stack__TradeNetworkAnalysis/pidstat_output.txt")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let cut = |n: usize| {
        let path = tmp.path().join(format!("first-{n}-lines.txt"));
        let head: Vec<&str> = text.lines().take(n).collect();
        std::fs::write(&path, head.join("\n") + "\n").unwrap();
        refusal_of(&path)
    };
    // Line 1 only: `Linux 5.15.167.4-microsoft-standard-WSL2 (MyPC) \t11/03/25 ...`.
    let msg = cut(1);
    assert!(msg.contains(":1: pidstat output: found the sysstat banner"), "{msg}");
    assert!(msg.contains("but no pidstat header after it"), "{msg}");
    // Lines 1-6: two `23:15:0x  UID  PID  %usr ...  Command` headers (lines 3, 5), no row.
    let msg = cut(6);
    assert!(msg.contains(":3: pidstat output: every pidstat interval is empty"), "{msg}");
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
        let out = ingest_paths(std::slice::from_ref(&path));
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

/// Runs the real `pidstat -h -u -r -d -p <sysbench> 1 2` for 2 s while a sysbench runs, and
/// checks the values are sane. `-p`, not all processes: other benchmarks on this machine (a
/// busier qemu or sysbench) would be picked or summed in.
#[test]
fn live_pidstat_h_u_r_d_on_sysbench() {
    if !have_tool("pidstat") || !have_tool("sysbench") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut bench = Command::new("sysbench")
        .args(["cpu", "--threads=1", "--time=4", "run"])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Let sysbench start before the first interval.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let pid = bench.id().to_string();
    let out = Command::new("pidstat")
        .args(["-h", "-u", "-r", "-d", "-p", &pid, "1", "2"])
        .env("LC_ALL", "C")
        .output();
    let _ = bench.kill();
    let _ = bench.wait();
    let out = out.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let path = dir.path().join("pidstat.log");
    std::fs::write(&path, &out.stdout).unwrap();
    let runs = runs_of(&path);
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    assert_eq!(r.data.tool, "pidstat");
    assert_eq!(r.data.tool_version, None);
    assert_eq!(param(r, "process"), "sysbench");
    assert_eq!(metric(r, "samples"), 2.0);
    // One busy thread: a good share of one CPU, never more than one.
    let cpu = metric(r, "cpu_pct_mean");
    assert!((10.0..=101.0).contains(&cpu), "{cpu}");
    // sysbench cpu holds a few MiB and does no I/O worth mentioning.
    let rss = metric(r, "rss_kib_max");
    assert!((1000.0..1_000_000.0).contains(&rss), "{rss}");
    assert!(metric(r, "kb_rd_per_sec_mean") >= 0.0);
    assert!(metric(r, "kb_wr_per_sec_mean") >= 0.0);
    let d = metric(r, "duration_s");
    assert!((0.5..=3.0).contains(&d), "{d}");
    let entity = format!("sysbench[{pid}]");
    assert_eq!(r.data.series.iter().filter(|s| s.entity == entity && s.metric == "cpu_pct").count(), 2);
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

/// A pidstat log beside a benchmark's output (same folder, same stem) joins that run's group:
/// its workload, params and repetition, with what pidstat summed kept (`monitored`) and the
/// output it was beside (`companion`). A log with no output beside it stays a pidstat group of
/// its own.
#[test]
fn a_log_beside_a_run_takes_its_workload_params_and_repetition() {
    let dir = tempfile::tempdir().unwrap();
    let native = dir.path().join("native");
    std::fs::create_dir(&native).unwrap();
    std::fs::copy(fixture("sysbench/cpu.txt"), native.join("rep1.txt")).unwrap();
    std::fs::copy(fixture("pidstat/c-u-r-d-w-p.txt"), native.join("rep1.pidstat")).unwrap();
    std::fs::copy(fixture("pidstat/c-u-r-d-w-p.txt"), native.join("lonely.pidstat")).unwrap();
    let out = ingest_paths(&[dir.path().to_path_buf()]);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let bench = out.runs.iter().find(|r| r.data.tool == "sysbench").unwrap();
    let paired = out.runs.iter().find(|r| r.source.ends_with("rep1.pidstat")).unwrap();
    assert_eq!(paired.data.workload, "sysbench.cpu");
    assert_eq!(paired.data.params, bench.data.params);
    assert_eq!(paired.repetition, bench.repetition);
    assert_eq!(paired.companion.as_ref().map(|c| c.beside.as_str()), Some(bench.source.as_str()));
    assert!(paired.data.metrics.iter().any(|m| m.name == "cpu_pct_mean"));
    let lonely = out.runs.iter().find(|r| r.source.ends_with("lonely.pidstat")).unwrap();
    let summed = lonely.data.params.get("process").filter(|p| *p != "all").cloned();
    assert_eq!(paired.data.monitored, summed, "{:?}", paired.data);
    assert_eq!(lonely.data.workload, "pidstat");
    assert!(lonely.data.params.contains_key("process"));
    assert!(lonely.companion.is_none());
}
