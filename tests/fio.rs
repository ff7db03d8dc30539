//! fio: real outputs (../shared/realdata and tests/fixtures/fio) parsed to the values in the files.
//!
//! Every expected number is copied from the file it is checked against; the comment beside it
//! quotes the line (JSON: the key and its line number). Where a run adds up clones, the sum is
//! written out from the quoted values. Robustness cases cut or change real files here, in the
//! test code.

use std::path::{Path, PathBuf};
use std::process::Command;

use virtperf::ingest::fio::FioParser;
use virtperf::ingest::{self, ParseOptions, Parser};
use virtperf::model::{params_string, IngestedRun};

use crate::util::*;

/// The value of param `key` of `run`.
fn param<'a>(run: &'a IngestedRun, key: &str) -> &'a str {
    run.data.params.get(key).map(String::as_str).unwrap_or_else(|| {
        panic!("{}#{} has no param {key}; it has {:?}", run.source, run.run, run.data.params)
    })
}

/// The params of `run` as one string.
fn params(run: &IngestedRun) -> String {
    params_string(&run.data.params)
}

/// The kinds of the run's log issues, in order.
fn issue_kinds(run: &IngestedRun) -> Vec<&str> {
    run.data.issues.iter().map(|i| i.kind.as_str()).collect()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Writes `text` to `name` in a new temporary folder.
fn temp_file(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write temp file");
    (dir, path)
}

fn fio_fixture(name: &str) -> PathBuf {
    fixture(&format!("fio/{name}"))
}

// ---- ../shared/realdata: JSON ---------------------------------------------------------------

#[test]
fn louwrentius_fio2_json_has_usec_latencies_and_kib_io() {
    let Some(dir) = realdata() else { return };
    let runs = runs_of(&dir.join("louwrentius__fio-plot/example_data__randread-01.json"));
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    assert_eq!(r.data.tool, "fio");
    // line 2: "fio version" : "fio-2.18-59-g618e",
    assert_eq!(r.data.tool_version.as_deref(), Some("fio-2.18-59-g618e"));
    assert_eq!(r.data.workload, "fio.randread");
    // job options: "rw" : "randread", "bs" : "4k", "size" : "1861G", "iodepth" : "01",
    // "ioengine" : "libaio", "direct" : "1"
    assert_eq!(params(r), "bs=4k;direct=1;iodepth=1;ioengine=libaio;job=random-io;rw=randread;size=1861g");
    assert_eq!(r.data.facts.get("filename").map(String::as_str), Some("fio-test.bin"));
    // line 32: "iops" : 73.184143,
    close(metric(r, "read_iops"), 73.184143);
    // line 31: "bw" : 292,  (fio 2: KiB/s, no bw_bytes)
    close(metric(r, "read_bw_kib_per_sec"), 292.0);
    // line 30: "io_bytes" : 17568,  (fio 2: KiB)
    close(metric(r, "read_io_kib"), 17568.0);
    // line 46, under clat: "mean" : 13636.394809,  (fio 2: usec)
    close(metric(r, "read_clat_mean_us"), 13636.394809);
    // line 61: "99.000000" : 22912,
    close(metric(r, "read_clat_p99_us"), 22912.0);
    // line 40, under slat: "mean" : 14.013889,
    close(metric(r, "read_slat_mean_us"), 14.013889);
    assert!(r.data.metric("write_iops").is_none(), "no write I/O: no write metrics");
}

#[test]
fn louwrentius_fio31_json_has_nsec_latencies_and_no_bw_bytes() {
    let Some(dir) = realdata() else { return };
    let runs =
        runs_of(&dir.join(
            "louwrentius__fio-plot/benchmark_data__SERVER__IBM_M1015__8x2TBRAID5MDADM__randread-1-1.json",
        ));
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    // line 2: "fio version" : "fio-3.1",
    assert_eq!(r.data.tool_version.as_deref(), Some("fio-3.1"));
    assert_eq!(
        params(r),
        "bs=4k;direct=1;iodepth=1;ioengine=libaio;job=iotest;numjobs=1;rw=randread;size=100g"
    );
    // line 36: "iops" : 106.131564,
    close(metric(r, "read_iops"), 106.131564);
    // line 35: "bw" : 424,
    close(metric(r, "read_bw_kib_per_sec"), 424.0);
    // line 34: "io_kbytes" : 25472,
    close(metric(r, "read_io_kib"), 25472.0);
    // line 50: "mean" : 9361648.047582,  (clat_ns)
    close(metric(r, "read_clat_mean_us"), 9361.648047582);
    // line 59: "50.000000" : 8847360,
    close(metric(r, "read_clat_p50_us"), 8847.360);
    // The busiest of the nine disks: line 379 (sdh) "util" : 15.593660
    close(metric(r, "disk_util_pct"), 15.593660);
}

#[test]
fn louwrentius_party_json_with_only_a_failed_job_is_refused() {
    let Some(dir) = realdata() else { return };
    let msg = refusal_of(&dir.join("louwrentius__fio-plot/party__fio__1m__run-1__write-64-1.json"));
    // line 11: "jobname" : "1m", line 13: "error" : 22, every "io_bytes" : 0
    assert!(msg.contains(":11: fio output: fio job '1m' ended with error 22 and did no I/O"), "{msg}");
    // line 3: the stderr line before the JSON
    assert!(
        msg.contains("(line 3: 'fio: pid=0, err=22/file:filesetup.c:1155, func=total_file_size, error=Invalid argument')"),
        "{msg}"
    );
    assert!(msg.ends_with("the file has no results to read"), "{msg}");
}

#[test]
fn bensonjohnson_interrupted_json_after_a_signal_line() {
    let Some(dir) = realdata() else { return };
    let runs = runs_of(&dir.join("bensonjohnson__FIO-tests/fio.json"));
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    // line 4: "fio version" : "fio-3.33",
    assert_eq!(r.data.tool_version.as_deref(), Some("fio-3.33"));
    // job options "rw" : "rw"; global options ioengine libaio, direct 1; runtime 5m is a fact
    assert_eq!(r.data.workload, "fio.rw");
    assert_eq!(
        params(r),
        "bs=4k;direct=1;iodepth=16;ioengine=libaio;job=sequential_read;numjobs=1;rw=rw;size=1g"
    );
    assert_eq!(r.data.facts.get("runtime").map(String::as_str), Some("5m"));
    // line 2: "fio: terminating on signal 2"
    assert_eq!(issue_kinds(r), vec!["warning"]);
    assert_eq!(r.data.issues[0].line, 2);
    assert_eq!(r.data.issues[0].message, "fio: terminating on signal 2");
    assert_eq!((r.data.first_line, r.data.last_line), (2, 285));
    // line 36: "iops" : 7662.030309,   line 98: "iops" : 39338.066766,
    close(metric(r, "read_iops"), 7662.030309);
    close(metric(r, "write_iops"), 39338.066766);
    // line 34: "bw_bytes" : 31383676,
    close(metric(r, "read_bw_kib_per_sec"), 31383676.0 / 1024.0);
    // line 51: "mean" : 7881155.058386,  line 113: "mean" : 886230.578053,  (clat_ns)
    close(metric(r, "read_clat_mean_us"), 7881.155058386);
    close(metric(r, "write_clat_mean_us"), 886.230578053);
    // line 44: "mean" : 10078.735328,  (slat_ns)
    close(metric(r, "read_slat_mean_us"), 10.078735328);
    assert!(r.data.metric("disk_util_pct").is_none(), "no disk_util in this file");
}

#[test]
fn jbernsteiniv_clones_without_group_reporting_are_added_up_per_job() {
    let Some(dir) = realdata() else { return };
    let runs = runs_of(&dir.join("JBernsteinIV__disk_test/disk-test-results-2019-07-21.json"));
    assert_eq!(runs.len(), 2, "two jobs of four clones each");
    let (sdb, sda) = (&runs[0], &runs[1]);
    // line 13: "jobname" : "job /dev/sdb ",  (trailing space)
    assert_eq!(param(sdb, "job"), "job /dev/sdb");
    assert_eq!(param(sda, "job"), "job /dev/sda");
    // global options "rw" : "read"; job options "bs" : "4096", "numjobs" : "4"
    assert_eq!(sdb.data.workload, "fio.read");
    assert_eq!(
        params(sdb),
        "bs=4k;direct=1;iodepth=32;ioengine=libaio;job=job /dev/sdb;numjobs=4;rw=read;size=2g"
    );
    assert_eq!(sdb.data.tool_version.as_deref(), Some("fio-3.1"));
    // lines 29, 282, 535, 788: "iops" : 7341.118486 / 6467.980113 / 7183.798745 / 6472.211935
    close(metric(sdb, "read_iops"), 7341.118486 + 6467.980113 + 7183.798745 + 6472.211935);
    // lines 28, 281, 534, 787: "bw" : 29364 / 25871 / 28735 / 25888
    close(metric(sdb, "read_bw_kib_per_sec"), (29364 + 25871 + 28735 + 25888) as f64);
    // lines 1041, 1294, 1547, 1800: "iops" : 12358.287762 / 12357.996464 / 12373.746194 / 12349.263927
    close(metric(sda, "read_iops"), 12358.287762 + 12357.996464 + 12373.746194 + 12349.263927);
    // line 2047 (sdb): "util" : 99.946876,  line 2058 (sda): "util" : 99.934049
    close(metric(sdb, "disk_util_pct"), 99.946876);
    close(metric(sda, "disk_util_pct"), 99.934049);
    assert_eq!(sdb.repetition, 1);
    assert!(sdb.data.last_line < sda.data.first_line);
}

#[test]
fn brahiamacosta_fio336_json_randrw() {
    let Some(dir) = realdata() else { return };
    let runs = runs_of(&dir.join(
        "BrahiamAcosta__SO-Kernel-trace-extraction/experimentos__results_baseline__mix__100M__result_100M_run1.json",
    ));
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    // line 2: "fio version" : "fio-3.36",
    assert_eq!(r.data.tool_version.as_deref(), Some("fio-3.36"));
    assert_eq!(r.data.workload, "fio.randrw");
    // job options: "filesize" : "100M", "bs" : "128k", "numjobs" : "1", "iodepth" : "1", "direct" : "1"
    assert_eq!(params(r), "bs=128k;direct=1;filesize=100m;iodepth=1;job=test;numjobs=1;rw=randrw");
    // line 30: "iops" : 682.831717,   line 92: "iops" : 686.531347,
    close(metric(r, "read_iops"), 682.831717);
    close(metric(r, "write_iops"), 686.531347);
    // line 90: "bw_bytes" : 89985036,
    close(metric(r, "write_bw_kib_per_sec"), 89985036.0 / 1024.0);
    // line 45: "mean" : 893319.601552,  (read clat_ns)
    close(metric(r, "read_clat_mean_us"), 893.319601552);
    // line 291: "util" : 81.937487 (sda)
    close(metric(r, "disk_util_pct"), 81.937487);
    assert!(r.data.metric("read_slat_mean_us").is_none(), "slat_ns is all zeros (psync)");
}

// ---- ../shared/realdata: normal output -----------------------------------------------------

#[test]
fn maxhbr_native_randread_with_k_suffixed_nsec_and_no_disk_stats() {
    let Some(dir) = realdata() else { return };
    let runs = runs_of(&dir.join("maxhbr__mvdiopt/native__workstation-Testing-random-4K-reads"));
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    // line 3: "fio-3.30"
    assert_eq!(r.data.tool_version.as_deref(), Some("fio-3.30"));
    // line 1: "TEST: (g=0): rw=randread, bs=(R) 4096B-4096B, ..., ioengine=libaio, iodepth=1"
    // line 6: "TEST: (groupid=0, jobs=32): err= 0: ..."
    assert_eq!(r.data.workload, "fio.randread");
    assert_eq!(params(r), "bs=4k;iodepth=1;ioengine=libaio;job=TEST;numjobs=32;rw=randread");
    // line 7: "  read: IOPS=236k, BW=920MiB/s (965MB/s)(53.9GiB/60001msec)"
    close(metric(r, "read_iops"), 236_000.0);
    close(metric(r, "read_bw_kib_per_sec"), 920.0 * 1024.0);
    close(metric(r, "read_runtime_ms"), 60001.0);
    // line 9: "    clat (nsec): min=450, max=124007k, avg=126423.50, stdev=158712.29"
    close(metric(r, "read_clat_max_us"), 124_007.0);
    close(metric(r, "read_clat_mean_us"), 126.4235);
    close(metric(r, "read_clat_min_us"), 0.45);
    // line 8: "    slat (usec): min=4, max=16749, avg= 8.44, stdev= 6.38"
    close(metric(r, "read_slat_mean_us"), 8.44);
    // line 14: "| 90.00th=[  176], 95.00th=[  202]," / line 15: "99.90th=[  359]"
    close(metric(r, "read_clat_p90_us"), 176.0);
    close(metric(r, "read_clat_p99_9_us"), 359.0);
    // line 24: "  cpu          : usr=1.56%, sys=7.83%, ctx=14803019, majf=0, minf=348"
    close(metric(r, "cpu_sys_pct"), 7.83);
    close(metric(r, "ctx_switches"), 14_803_019.0);
    assert!(r.data.metric("disk_util_pct").is_none(), "no Disk stats section");
    // line 1 is the header, line 32 (the last) "   READ: bw=920MiB/s (965MB/s), ..."
    assert_eq!((r.data.first_line, r.data.last_line), (1, 32));
}

#[test]
fn maxhbr_native_randrw_with_fsync_section() {
    let Some(dir) = realdata() else { return };
    let runs = runs_of(&dir.join("maxhbr__mvdiopt/native__workstation-Mixed-random-4K-read-and-write"));
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    // line 2: "fio-3.30"
    assert_eq!(r.data.tool_version.as_deref(), Some("fio-3.30"));
    assert_eq!(r.data.workload, "fio.randrw");
    assert_eq!(params(r), "bs=4k;iodepth=1;ioengine=libaio;job=TEST;numjobs=1;rw=randrw");
    // line 6: "  read: IOPS=248, BW=994KiB/s (1018kB/s)(58.3MiB/60005msec)"
    close(metric(r, "read_iops"), 248.0);
    close(metric(r, "read_bw_kib_per_sec"), 994.0);
    // line 18: "  write: IOPS=247, BW=992KiB/s (1015kB/s)(58.1MiB/60005msec); 0 zone resets"
    close(metric(r, "write_iops"), 247.0);
    close(metric(r, "write_io_kib"), 58.1 * 1024.0);
    // line 20: "    clat (usec): min=17, max=10257, avg=26.11, stdev=89.54" (write), not the
    // "sync (nsec): ... avg=83.08" of the fsync section
    close(metric(r, "write_clat_mean_us"), 26.11);
    // line 26: "| 99.00th=[   34], ..." (write clat, not "sync percentiles (nsec)")
    close(metric(r, "write_clat_p99_us"), 34.0);
}

#[test]
fn maxhbr_vagrant_vm_randrw_with_disk_stats() {
    let Some(dir) = realdata() else { return };
    let runs =
        runs_of(&dir.join("maxhbr__mvdiopt/upstream_focal64__v20220724.0.0-Mixed-random-4K-read-and-write"));
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    // line 2: "fio-3.16"
    assert_eq!(r.data.tool_version.as_deref(), Some("fio-3.16"));
    assert_eq!(params(r), "bs=4k;iodepth=1;ioengine=libaio;job=TEST;numjobs=1;rw=randrw");
    // line 6: "  read: IOPS=5492, BW=21.5MiB/s (22.5MB/s)(1287MiB/60001msec)"
    close(metric(r, "read_iops"), 5492.0);
    close(metric(r, "read_io_kib"), 1287.0 * 1024.0);
    // line 8: "    clat (nsec): min=420, max=67702k, avg=123879.08, stdev=320547.58"
    close(metric(r, "read_clat_max_us"), 67702.0);
    // line 18: "  write: IOPS=5493, BW=21.5MiB/s (22.5MB/s)(1288MiB/60001msec); 0 zone resets"
    close(metric(r, "write_iops"), 5493.0);
    // line 54 (the last): "  sda: ios=328863/386239, ..., util=100.00%"
    close(metric(r, "disk_util_pct"), 100.0);
}

#[test]
fn maxhbr_tee_appended_runs_are_split() {
    let Some(dir) = realdata() else { return };
    let runs = runs_of(&dir.join("maxhbr__mvdiopt/1.1.20210618-Testing-random-4K-reads"));
    assert_eq!(runs.len(), 8, "eight fio-3.16 banners, eight result blocks");
    for r in &runs {
        // lines 3, 38, ..., 247: "fio-3.16"
        assert_eq!(r.data.tool_version.as_deref(), Some("fio-3.16"));
        assert_eq!(r.data.workload, "fio.randread");
        assert_eq!(params(r), "bs=4k;iodepth=1;ioengine=libaio;job=TEST;numjobs=32;rw=randread");
    }
    assert_eq!(runs.iter().map(|r| r.repetition).collect::<Vec<_>>(), (1..=8).collect::<Vec<_>>());
    // line 8: "  read: IOPS=79.6k, BW=311MiB/s (326MB/s)(18.2GiB/60001msec)"
    close(metric(&runs[0], "read_iops"), 79_600.0);
    close(metric(&runs[0], "read_bw_kib_per_sec"), 311.0 * 1024.0);
    // line 113: "  read: IOPS=8979, BW=35.1MiB/s (36.8MB/s)(2105MiB/60024msec)"
    close(metric(&runs[3], "read_iops"), 8979.0);
    // line 114: "    slat (nsec): min=16, max=1031.4M, avg=3353837.90, stdev=22608141.30"
    close(metric(&runs[3], "read_slat_mean_us"), 3353.8379);
    // line 252: "  read: IOPS=80.0k, BW=313MiB/s (328MB/s)(18.3GiB/60001msec)"
    close(metric(&runs[7], "read_iops"), 80_000.0);
    // line 279: "  sda: ios=4786200/102, ..., util=100.00%"
    close(metric(&runs[7], "disk_util_pct"), 100.0);
    // Runs follow each other: line 1-35, 36-70, ...
    assert_eq!((runs[0].data.first_line, runs[0].data.last_line), (1, 35));
    assert_eq!((runs[1].data.first_line, runs[7].data.last_line), (36, 279));
}

#[test]
fn brucechin_fio2_normal_output_with_four_groups() {
    let Some(dir) = realdata() else { return };
    let runs = runs_of(&dir.join("brucechin__HardwareTest/fio.log"));
    assert_eq!(runs.len(), 4);
    // line 9: "fio-2.2.10"
    assert!(runs.iter().all(|r| r.data.tool_version.as_deref() == Some("fio-2.2.10")));
    let workloads: Vec<&str> = runs.iter().map(|r| r.data.workload.as_str()).collect();
    assert_eq!(workloads, vec!["fio.randread", "fio.read", "fio.randwrite", "fio.write"]);
    let first = &runs[0];
    // line 1: "read4k-rand: (g=0): rw=randread, bs=4K-4K/4K-4K/4K-4K, ioengine=libaio, iodepth=128"
    // line 12: "read4k-rand: (groupid=0, jobs=32): ..."
    assert_eq!(params(first), "bs=4k;iodepth=128;ioengine=libaio;job=read4k-rand;numjobs=32;rw=randread");
    // line 13: "  read : io=29854MB, bw=254727KB/s, iops=63647, runt=120014msec"
    close(metric(first, "read_iops"), 63647.0);
    close(metric(first, "read_bw_kib_per_sec"), 254727.0);
    close(metric(first, "read_io_kib"), 29854.0 * 1024.0);
    close(metric(first, "read_runtime_ms"), 120014.0);
    // line 15: "    clat (usec): min=100, max=190110, avg=63834.11, stdev=9598.32"
    close(metric(first, "read_clat_mean_us"), 63834.11);
    // line 19: "| 30.00th=[   60], 40.00th=[   61], 50.00th=[   62], ..." under "clat percentiles (msec):"
    close(metric(first, "read_clat_p50_us"), 62_000.0);
    let last = &runs[3];
    // line 7: "write64k-seq: (g=3): rw=write, bs=512K-512K/512K-512K/512K-512K, ..."
    assert_eq!(params(last), "bs=512k;iodepth=128;ioengine=libaio;job=write64k-seq;numjobs=32;rw=write");
    // line 75: "  write: io=32151MB, bw=481128KB/s, iops=880, runt= 68428msec"
    close(metric(last, "write_iops"), 880.0);
    close(metric(last, "write_bw_kib_per_sec"), 481128.0);
    // line 77: "    clat (msec): min=65, max=7361, avg=4453.13, stdev=827.15"
    close(metric(last, "write_clat_mean_us"), 4_453_130.0);
    // last line: "  sda: ios=8052327/8422437, ..., util=99.83%"
    close(metric(last, "disk_util_pct"), 99.83);
    assert_eq!(last.data.last_line, 108);
}

/// fio 2.0.x printed its version without the `fio-` prefix: `fio 2.0.7` (2.0.6, 2.0.7) or the
/// bare `2.0.8` between the job headers and `Starting 1 process` (as published outputs of those
/// versions show; 2.0.15 already prints `fio-2.0.15`). No raw 2.0.x output is in
/// ../shared/realdata and none can be made here, so the fio 2.2 file's banner (line 9) is
/// replaced with each spelling: the version is read, in the spelling of later versions.
#[test]
fn fio_2_0_banners_without_the_prefix_give_the_version() {
    let Some(dir) = realdata() else { return };
    let text = read(&dir.join("brucechin__HardwareTest/fio.log"));
    assert_eq!(text.lines().nth(8), Some("fio-2.2.10"));
    for (banner, version) in [("fio 2.0.7", "fio-2.0.7"), ("2.0.8", "fio-2.0.8")] {
        let changed = text.replacen("\nfio-2.2.10\n", &format!("\n{banner}\n"), 1);
        let (_tmp, path) = temp_file("fio.log", &changed);
        let runs = runs_of(&path);
        assert_eq!(runs.len(), 4, "{banner}");
        assert!(runs.iter().all(|r| r.data.tool_version.as_deref() == Some(version)), "{banner}");
        // Still four groups, the same numbers: "  read : io=29854MB, bw=254727KB/s, ..." (line 13)
        close(metric(&runs[0], "read_bw_kib_per_sec"), 254727.0);
    }
    // A bare number elsewhere (a note after the results) is not a version.
    let noted = format!("{text}\n2.0.8\n");
    let (_tmp, path) = temp_file("fio.log", &noted);
    assert!(runs_of(&path).iter().all(|r| r.data.tool_version.as_deref() == Some("fio-2.2.10")));
}

/// Terse output prints no options: four runs of one job at 4k and 64k (make.sh
/// `terse-block-sizes`) have the same params. Their bandwidth over their IOPS tells the block
/// size ("34711" KiB/s at "8677" IOPS is 4 KiB; "282482" at "4413" is 64 KiB), and the analysis
/// refuses to pool them.
#[test]
fn fixture_terse_runs_of_two_block_sizes_are_not_pooled() {
    let runs = runs_of(&fio_fixture("terse-block-sizes.txt"));
    assert_eq!(runs.len(), 4);
    assert!(runs.iter().all(|r| params(r) == "job=job"));
    // The same log on two platforms: both groups mix the two block sizes.
    let mut both = runs.clone();
    both.extend(runs.iter().cloned().map(|mut r| {
        r.source = format!("docker/{}", r.source);
        r
    }));
    let a = analysis_of(&both, |r| if r.source.starts_with("docker/") { "docker" } else { "native" });
    let checks: Vec<_> = a.checks.iter().filter(|c| c.check == "work_differs").collect();
    assert_eq!(checks.len(), 2, "{:?}", a.checks);
    let native = checks.iter().find(|c| c.platform == "native").expect("native");
    assert_eq!(native.severity, virtperf::analyse::Severity::Fail);
    let src = fio_fixture("terse-block-sizes.txt").display().to_string();
    assert!(
        native.detail.contains(&format!(
            "bytes per read I/O: 4 KiB in {src} run 1, {src} run 3; 64 KiB in {src} run 2, {src} run 4"
        )),
        "{}",
        native.detail
    );
    assert_eq!(native.sources.len(), 4);
    // No verdict on a pool of different experiments.
    assert!(a.overhead.iter().all(|r| r.workload != "fio.job"), "{:?}", a.overhead);
    // Each block size alone is one kind of work: no check.
    let a = analysis_of(&[runs[0].clone(), runs[2].clone()], |_| "native");
    assert!(a.checks.iter().all(|c| c.check != "work_differs"), "{:?}", a.checks);
}

// ---- ../shared/realdata: terse ---------------------------------------------------------------

#[test]
fn mcgrof_terse_v3_with_empty_jobname() {
    let Some(dir) = realdata() else { return };
    let runs = runs_of(&dir.join(
        "mcgrof__fio-tests/tests-demo-results.tar.xz__tests__0001-basic-tests__0005-randwrite-70-30__0001-bs4k-1j-1qd-randrw.ini.out",
    ));
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    // "3;fio-3.1;;0;0;11965244;49854;12463;240001;..."
    assert_eq!(r.data.tool_version.as_deref(), Some("fio-3.1"));
    assert_eq!(r.data.workload, "fio.job", "terse does not say rw and the job name is empty");
    assert_eq!(params(r), "");
    close(metric(r, "read_iops"), 12463.0);
    close(metric(r, "read_bw_kib_per_sec"), 49854.0);
    close(metric(r, "read_io_kib"), 11965244.0);
    // read clat: ";0;6240;70.669676;85.730254;" and "50.000000%=9"
    close(metric(r, "read_clat_mean_us"), 70.669676);
    close(metric(r, "read_clat_p50_us"), 9.0);
    // write: ";5128144;21367;5341;240001;"
    close(metric(r, "write_iops"), 5341.0);
    // cpu: ";2.754167%;8.265417%;4268886;0;92;"
    close(metric(r, "cpu_usr_pct"), 2.754167);
    close(metric(r, "ctx_switches"), 4268886.0);
    // disk: ";nvme0n1;2989771;1281403;0;0;211343;14272;225274;94.05%"
    close(metric(r, "disk_util_pct"), 94.05);
}

#[test]
fn mcgrof_terse_v3_read_job_with_git_version() {
    let Some(dir) = realdata() else { return };
    let runs = runs_of(&dir.join(
        "mcgrof__fio-tests/tests-demo-results.tar.xz__tests__0003-maxiobatch-single-job__0002-maxiobatch-read__0011-bs4k-1j-1024qd-read.ini.out",
    ));
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    // "3;fio-3.8-83-g24a9;read;0;0;358973440;1196570;299142;300002;..."
    assert_eq!(r.data.tool_version.as_deref(), Some("fio-3.8-83-g24a9"));
    assert_eq!(r.data.workload, "fio.read", "the job is named after its rw");
    assert_eq!(params(r), "job=read");
    close(metric(r, "read_iops"), 299142.0);
    close(metric(r, "read_runtime_ms"), 300002.0);
    // "99.900000%=4685"
    close(metric(r, "read_clat_p99_9_us"), 4685.0);
    assert!(r.data.metric("write_iops").is_none());
    // ";nvme0n1;2802720;0;86884320;0;3833616;0;3833303;92.89%"
    close(metric(r, "disk_util_pct"), 92.89);
}

#[test]
fn mcgrof_terse_after_32_error_lines() {
    let Some(dir) = realdata() else { return };
    let runs = runs_of(&dir.join(
        "mcgrof__fio-tests/tests-demo-results.tar.xz__tests__0004-maxiobatch-jobs__0005-maxiobatch-randwrite-70-30__0004-2048qd-randrw__0007-bs4k-64j-2048qd-randrw.ini.out",
    ));
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    // line 33: "3;fio-3.1;;0;11;302093704;1258131;314532;240113;..."
    assert_eq!((r.data.first_line, r.data.last_line), (1, 33));
    assert_eq!(r.data.tool_version.as_deref(), Some("fio-3.1"));
    assert_eq!(r.data.workload, "fio.job");
    assert_eq!(params(r), "");
    close(metric(r, "read_iops"), 314532.0);
    // ";129387128;538859;134714;240113;"
    close(metric(r, "write_iops"), 134714.0);
    // lines 1-32: "fio: pid=432751, err=11/file:engines/libaio.c:354, func=io_queue_init, error=..."
    assert_eq!(issue_kinds(r), vec!["fio_error"]);
    let issue = &r.data.issues[0];
    assert_eq!(issue.line, 1);
    assert!(
        issue.message.starts_with("fio: pid=432751, err=11/file:engines/libaio.c:354"),
        "{}",
        issue.message
    );
    assert!(issue.message.ends_with("(and 31 more lines like it)"), "{}", issue.message);
    // ";nvme0n1;75457268;32318282;105;16;867557675;18446744071602969030;3310835440;100.00%"
    close(metric(r, "disk_util_pct"), 100.0);
}

// ---- tests/fixtures/fio (made by make.sh with fio-3.33) ----------------------------------------

#[test]
fn fixture_normal_group_reporting() {
    let runs = runs_of(&fio_fixture("normal-randread-group.txt"));
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    assert_eq!(r.data.tool_version.as_deref(), Some("fio-3.33"));
    // line 8: "rr: (groupid=0, jobs=2): err= 0: ..."  (--numjobs=2 --group_reporting)
    assert_eq!(params(r), "bs=4k;iodepth=1;ioengine=psync;job=rr;numjobs=2;rw=randread");
    // line 9: "  read: IOPS=19.1k, BW=74.4MiB/s (78.0MB/s)(16.0MiB/215msec)"
    close(metric(r, "read_iops"), 19_100.0);
    close(metric(r, "read_bw_kib_per_sec"), 74.4 * 1024.0);
    // line 14: "| 30.00th=[   38], 40.00th=[   43], 50.00th=[   48], ..."
    close(metric(r, "read_clat_p50_us"), 48.0);
    // line 31: "  vda: ios=3999/8, merge=0/0, ticks=201/1, in_queue=203, util=38.04%"
    close(metric(r, "disk_util_pct"), 38.04);
    assert!(r.data.metric("read_slat_mean_us").is_none(), "psync prints no slat");
}

#[test]
fn fixture_normal_clones_are_added_up() {
    let runs = runs_of(&fio_fixture("normal-randrw-clones.txt"));
    assert_eq!(runs.len(), 1, "two clones of one job are one run");
    let r = &runs[0];
    assert_eq!(params(r), "bs=4k;iodepth=4;ioengine=libaio;job=mix;numjobs=2;rw=randrw");
    // line 9: "read: IOPS=8802, ...(5704KiB/162msec)", line 39: "read: IOPS=7171, ...(5680KiB/198msec)"
    close(metric(r, "read_iops"), 8802.0 + 7171.0);
    close(metric(r, "read_io_kib"), 5704.0 + 5680.0);
    close(metric(r, "read_runtime_ms"), 198.0);
    // line 11: "clat (usec): min=2, max=11775, avg=233.40", line 41: "clat (usec): min=3, max=19176, avg=277.28";
    // line 36: "issued rwts: total=1426,622,0,0", line 66: "issued rwts: total=1420,628,0,0"
    close(metric(r, "read_clat_mean_us"), (1426.0 * 233.40 + 1420.0 * 277.28) / (1426.0 + 1420.0));
    close(metric(r, "read_clat_min_us"), 2.0);
    close(metric(r, "read_clat_max_us"), 19176.0);
    // line 15: "50.00th=[  133]", line 45: "50.00th=[  139]": the larger
    close(metric(r, "read_clat_p50_us"), 139.0);
    // line 20: "slat (nsec): ... avg=7854.40", line 50: "slat (nsec): ... avg=8053.86" (write)
    close(metric(r, "write_slat_mean_us"), (622.0 * 7.8544 + 628.0 * 8.05386) / (622.0 + 628.0));
    // line 32: "cpu : usr=9.32%, ... ctx=1427", line 62: "cpu : usr=7.61%, ... ctx=1423";
    // weighted by each clone's run time (162 and 198 ms)
    close(metric(r, "cpu_usr_pct"), (9.32 * 162.0 + 7.61 * 198.0) / 360.0);
    close(metric(r, "ctx_switches"), 1427.0 + 1423.0);
}

#[test]
fn fixture_normal_two_groups_are_two_runs() {
    let runs = runs_of(&fio_fixture("normal-two-jobs.txt"));
    assert_eq!(runs.len(), 2);
    // line 1: "seqwrite: (g=0): rw=write, bs=(R) 64.0KiB-64.0KiB, ..."
    assert_eq!(params(&runs[0]), "bs=64k;iodepth=1;ioengine=psync;job=seqwrite;numjobs=1;rw=write");
    // line 2: "randread: (g=1): rw=randread, bs=(R) 16.0KiB-16.0KiB, ..."
    assert_eq!(params(&runs[1]), "bs=16k;iodepth=1;ioengine=psync;job=randread;numjobs=1;rw=randread");
    // line 9: "  write: IOPS=4129, BW=258MiB/s (271MB/s)(8192KiB/31msec); 0 zone resets"
    close(metric(&runs[0], "write_iops"), 4129.0);
    // line 10: "    clat (nsec): min=13666, max=60705, avg=21508.24, stdev=8529.69"
    close(metric(&runs[0], "write_clat_mean_us"), 21.50824);
    // line 14: "| 30.00th=[17536], 40.00th=[18304], 50.00th=[18816], ..." (nsec), not the
    // line 23 sync percentiles "50.00th=[ 3621]"
    close(metric(&runs[0], "write_clat_p50_us"), 18.816);
    // line 34: "  read: IOPS=8982, BW=140MiB/s (147MB/s)(8192KiB/57msec)"
    close(metric(&runs[1], "read_iops"), 8982.0);
    assert_eq!((runs[0].data.last_line + 1, runs[1].data.last_line), (runs[1].data.first_line, 59));
}

#[test]
fn fixture_normal_tee_appended_runs() {
    let runs = runs_of(&fio_fixture("normal-appended.txt"));
    assert_eq!(runs.len(), 2);
    // line 1 "Run 1:" and line 31 "Run 2:" are the script's, not fio's
    assert_eq!((runs[0].data.first_line, runs[0].data.last_line), (2, 30));
    assert_eq!((runs[1].data.first_line, runs[1].data.last_line), (32, 59));
    assert_eq!((runs[0].repetition, runs[1].repetition), (1, 2));
    // line 8: "  read: IOPS=8000, ...", line 37: "  read: IOPS=1560, ..."
    close(metric(&runs[0], "read_iops"), 8000.0);
    close(metric(&runs[1], "read_iops"), 1560.0);
    // line 2: "seqread: (g=0): rw=read, bs=(R) 128KiB-128KiB, ..."
    assert_eq!(param(&runs[1], "bs"), "128k");
}

#[test]
fn fixture_normal_failed_job_is_kept_without_metrics() {
    let out = ingest_paths(&[fio_fixture("normal-error.txt")]);
    assert!(out.ok());
    let runs = &out.runs;
    assert_eq!(runs.len(), 2);
    // line 9: "  read: IOPS=205k, BW=800MiB/s (839MB/s)(8192KiB/10msec)"
    close(metric(&runs[0], "read_iops"), 205_000.0);
    // line 10: "    clat (nsec): min=992, max=2305.6k, avg=3654.99, stdev=52971.62"
    close(metric(&runs[0], "read_clat_max_us"), 2305.6);
    let broken = &runs[1];
    assert_eq!(param(broken, "job"), "broken");
    assert!(broken.data.metrics.is_empty());
    // line 2: the header; line 6: "fio: pid=0, err=21/file:filesetup.c:150, func=unlink, error=Is a directory"
    assert_eq!(issue_kinds(broken), vec!["fio_error", "fio_error"]);
    assert_eq!(broken.data.issues[1].line, 6);
    let warnings = &out.files[0].warnings;
    assert!(
        warnings.iter().any(|w| w.contains(":2: fio job 'broken' (header at line 2) printed no results")),
        "{warnings:?}"
    );
}

#[test]
fn fixture_json_clones_and_group_reporting() {
    let runs = runs_of(&fio_fixture("json-write-clones.json"));
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    assert_eq!(params(r), "bs=4k;iodepth=8;ioengine=libaio;job=wr;numjobs=2;rw=write;size=8m");
    // line 72: "iops" : 75851.851852,  line 323: "iops" : 93090.909091,
    close(metric(r, "write_iops"), 75851.851852 + 93090.909091);
    // line 70: "bw_bytes" : 310689185,  line 321: "bw_bytes" : 381300363,
    close(metric(r, "write_bw_kib_per_sec"), (310689185.0 + 381300363.0) / 1024.0);

    let runs = runs_of(&fio_fixture("json-randrw-group.json"));
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    assert_eq!(params(r), "bs=8k;ioengine=psync;job=mixed;numjobs=2;rw=randrw;rwmixread=50;size=8m");
    // line 29: "iops" : 13638.888889,  line 91: "iops" : 14805.555556,
    close(metric(r, "read_iops"), 13638.888889);
    close(metric(r, "write_iops"), 14805.555556);
}

#[test]
fn fixture_json_plus_with_bins() {
    let runs = runs_of(&fio_fixture("jsonplus-randread.json"));
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    assert_eq!(r.data.workload, "fio.randread");
    // line 27: "iops" : 12487.804878,
    close(metric(r, "read_iops"), 12487.804878);
    // line 25: "bw_bytes" : 51150048,
    close(metric(r, "read_bw_kib_per_sec"), 51150048.0 / 1024.0);
    // line 414: "util" : 18.713450
    close(metric(r, "disk_util_pct"), 18.71345);
    // line 328: "usr_cpu" : 5.521472,
    close(metric(r, "cpu_usr_pct"), 5.521472);
}

#[test]
fn fixture_json_failed_job_beside_a_good_one() {
    let runs = runs_of(&fio_fixture("json-error.json"));
    assert_eq!(runs.len(), 2);
    // line 29: "iops" : 292571.428571,
    close(metric(&runs[0], "read_iops"), 292571.428571);
    assert!(runs[0].data.issues.is_empty(), "{:?}", runs[0].data.issues);
    let broken = &runs[1];
    // line 259: "jobname" : "broken",  line 261: "error" : 21,
    assert!(broken.data.metrics.is_empty());
    assert_eq!(issue_kinds(broken), vec!["fio_error", "fio_error"]);
    // line 1: "fio: pid=0, err=21/file:filesetup.c:150, func=unlink, error=Is a directory"
    assert_eq!(broken.data.issues[0].line, 1);
    assert_eq!(broken.data.issues[1].line, 259);
}

#[test]
fn fixture_terse_versions_2_to_5() {
    // v3: "3;fio-3.33;terse3;0;0;5704;48752;12188;117;..." (randrw, one job)
    let r = &runs_of(&fio_fixture("terse-v3-randrw.txt"))[0];
    assert_eq!((r.data.workload.as_str(), r.data.tool_version.as_deref()), ("fio.terse3", Some("fio-3.33")));
    close(metric(r, "read_iops"), 12188.0);
    assert!(r.data.metric("write_iops").is_some());
    for (file, version, iops) in [
        // "2;terse2;0;0;8192;682666;170666;12;..." and "2;terse2;0;0;8192;1365333;341333;6;..."
        ("terse-v2-read.txt", None, 170666.0 + 341333.0),
        // "4;fio-3.33;terse4;0;0;8192;585142;146285;14;..." and "...;910222;227555;9;..."
        ("terse-v4-read.txt", Some("fio-3.33"), 146285.0 + 227555.0),
        // "5;fio-3.33;terse5;0;0;8192;682666;170666;12;..." and "...;1170285;292571;7;..."
        ("terse-v5-read.txt", Some("fio-3.33"), 170666.0 + 292571.0),
    ] {
        let runs = runs_of(&fio_fixture(file));
        assert_eq!(runs.len(), 1, "{file}: two clones, one run");
        let r = &runs[0];
        assert_eq!(r.data.tool_version.as_deref(), version, "{file}");
        assert_eq!(param(r, "numjobs"), "2", "{file}");
        close(metric(r, "read_iops"), iops);
        close(metric(r, "read_io_kib"), 16384.0);
        assert!(r.data.metric("trim_iops").is_none(), "{file}: no trims");
    }
}

#[test]
fn fixture_terse_failed_job_gets_the_error_line() {
    let runs = runs_of(&fio_fixture("terse-error.txt"));
    assert_eq!(runs.len(), 2);
    // line 2: "3;fio-3.33;good;0;0;8192;195047;48761;42;..."
    close(metric(&runs[0], "read_iops"), 48761.0);
    assert!(runs[0].data.issues.is_empty());
    // line 3: "3;fio-3.33;broken;0;21;0;0;0;0;..." and line 1: "fio: pid=0, err=21/..."
    let kinds = issue_kinds(&runs[1]);
    assert_eq!(kinds, vec!["fio_error", "fio_error"]);
    assert_eq!(runs[1].data.issues[0].line, 1);
}

// ---- robustness, made from real files ------------------------------------------------------

#[test]
fn json_cut_in_the_middle_is_refused_with_the_line() {
    let text = read(&fio_fixture("jsonplus-randread.json"));
    let cut: String = text.lines().take(100).collect::<Vec<_>>().join("\n");
    let (_dir, path) = temp_file("cut.json", &cut);
    let msg = refusal_of(&path);
    assert!(msg.contains("the JSON document that starts at line 1 is cut off"), "{msg}");
    assert!(msg.contains(":100:"), "{msg}");
}

#[test]
fn normal_output_cut_before_results_is_refused_as_truncated() {
    let text = read(&fio_fixture("normal-randread-group.txt"));
    let cut: String = text.lines().take(5).map(|l| format!("{l}\n")).collect();
    let (_dir, path) = temp_file("cut.txt", &cut);
    let msg = refusal_of(&path);
    assert!(
        msg.contains(
            ":5: fio output: fio job 'rr' (header at line 1) has no results: the output stops at line 5"
        ),
        "{msg}"
    );
}

#[test]
fn crlf_and_carriage_return_progress_give_the_same_results() {
    let text = read(&fio_fixture("normal-randrw-clones.txt"));
    let crlf = text.replace('\n', "\r\n").replacen(
        "mix: (groupid=0",
        "Jobs: 2 (f=2): [m(2)][100.0%][eta 00m:00s]\rmix: (groupid=0",
        1,
    );
    let a = FioParser.parse(&text, &ParseOptions::default()).expect("lf");
    let b = FioParser.parse(&crlf, &ParseOptions::default()).expect("crlf");
    assert_eq!(a.runs, b.runs);
}

#[test]
fn formats_mixed_in_one_file_come_out_in_file_order() {
    let json = read(&fio_fixture("json-randrw-group.json"));
    let normal = read(&fio_fixture("normal-two-jobs.txt"));
    let terse = read(&fio_fixture("terse-v3-randrw.txt"));
    let all = format!("$ fio --output-format=json ...\n{json}\n{normal}=== terse ===\n{terse}");
    let (_dir, path) = temp_file("mixed.log", &all);
    let runs = runs_of(&path);
    let jobs: Vec<&str> = runs.iter().map(|r| param(r, "job")).collect();
    assert_eq!(jobs, vec!["mixed", "seqwrite", "randread", "terse3"]);
    for w in runs.windows(2) {
        assert!(
            w[0].data.last_line < w[1].data.first_line,
            "{:?}",
            runs.iter().map(|r| (r.data.first_line, r.data.last_line)).collect::<Vec<_>>()
        );
    }
}

#[test]
fn other_tools_real_outputs_are_not_taken_for_fio() {
    let Some(dir) = realdata() else { return };
    for f in [
        "AAbiAbi__QEMU/result_raw__config1_cpu_test1.txt",
        "TonyHuanSheng__sysbench_stress_test_Note/sysbench.log",
        "hgxl64__mariadb-benchmarks/Archive__sysbench-runs__series22__res01__sysbench.ro.16.res",
        "Zadneprovski__HttpServer/wrk.log",
        "cgcgbcbc__flask-k8s-example/wrk.txt",
        "soyart__los/pidstat.log",
        "ada231asd__nain/pidstat.log",
        "kellyjonbrazil__jc/tests__fixtures__centos-7.7__pidstat.out",
    ] {
        let text = read(&dir.join(f));
        let head = &text[..text.len().min(ingest::HEAD_BYTES)];
        assert!(!FioParser.sniff(head), "{f} taken for fio output");
    }
}

#[test]
fn fio_outputs_are_detected_by_content() {
    let Some(dir) = realdata() else { return };
    for f in [
        "louwrentius__fio-plot/party__fio__1m__run-1__write-64-1.json",
        "bensonjohnson__FIO-tests/fio.json",
        "maxhbr__mvdiopt/native__workstation-Testing-random-4K-reads",
        "brucechin__HardwareTest/fio.log",
        "mcgrof__fio-tests/tests-demo-results.tar.xz__tests__0004-maxiobatch-jobs__0005-maxiobatch-randwrite-70-30__0004-2048qd-randrw__0007-bs4k-64j-2048qd-randrw.ini.out",
    ] {
        let text = read(&dir.join(f));
        let detected = ingest::detect(&text[..text.len().min(ingest::HEAD_BYTES)]).map(|p| p.name());
        assert_eq!(detected, Some("fio"), "{f}");
    }
}

// ---- the real tool ---------------------------------------------------------------------------

#[test]
fn live_fio_in_three_formats() {
    if !have_tool("fio") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut outputs = Vec::new();
    for (name, format) in [("live.json", "json"), ("live.txt", "normal"), ("live.terse", "terse")] {
        let out = Command::new("fio")
            .args(["--name=live", "--rw=randread", "--bs=4k", "--size=4M", "--runtime=1", "--ioengine=psync"])
            .args(["--iodepth=1", "--numjobs=1"])
            .arg(format!("--directory={}", dir.path().display()))
            .arg(format!("--output-format={format}"))
            .output()
            .expect("run fio");
        assert!(out.status.success(), "fio failed: {}", String::from_utf8_lossy(&out.stderr));
        let path = dir.path().join(name);
        std::fs::write(&path, &out.stdout).expect("write output");
        outputs.push(path);
    }
    let mut runs = Vec::new();
    for path in &outputs {
        let r = runs_of(path);
        assert_eq!(r.len(), 1, "{}", path.display());
        runs.push(r.into_iter().next().expect("run"));
    }
    for r in &runs {
        assert!(metric(r, "read_iops") > 0.0);
        assert!(metric(r, "read_bw_kib_per_sec") > 0.0);
        assert!(metric(r, "read_clat_mean_us") > 0.0);
        close(metric(r, "read_io_kib"), 4096.0);
        assert!(r.data.tool_version.as_deref().is_some_and(|v| v.starts_with("fio-")));
        assert_eq!(param(r, "job"), "live");
    }
    let (json, normal) = (&runs[0], &runs[1]);
    assert_eq!(json.data.workload, "fio.randread");
    assert_eq!(normal.data.workload, "fio.randread");
    for key in ["rw", "bs", "iodepth", "numjobs", "ioengine"] {
        assert_eq!(param(json, key), param(normal, key), "{key}");
    }
    assert_eq!(param(json, "bs"), "4k");
}
