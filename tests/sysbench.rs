//! sysbench: real outputs (../shared/realdata and tests/fixtures/sysbench) parsed to the values in the files.
//!
//! One test per real-world file. Every expected number is copied from the file, with the
//! line it comes from quoted beside it; derived values (0.4 rates) are computed here from
//! those quoted numbers, never taken from the parser.

use std::path::{Path, PathBuf};
use std::process::Command;

use virtperf::ingest::sysbench::SysbenchParser;
use virtperf::ingest::{Parser, HEAD_BYTES};
use virtperf::model::{params_string, Better, IngestedRun};

use crate::util::*;

/// `../shared/realdata/<rel>`; `None` (the test is skipped, with a note) when it is absent.
fn real(rel: &str) -> Option<PathBuf> {
    realdata().map(|d| d.join(rel))
}

fn params(r: &IngestedRun) -> String {
    params_string(&r.data.params)
}

fn better(r: &IngestedRun, name: &str) -> Better {
    metric(r, name);
    r.data.metrics.iter().find(|m| m.name == name).map(|m| m.better).unwrap_or(Better::None)
}

fn warnings(path: &Path) -> Vec<String> {
    let out = ingest_paths(&[path.to_path_buf()]);
    out.files.first().map(|f| f.warnings.clone()).unwrap_or_default()
}

fn workloads(runs: &[IngestedRun]) -> Vec<&str> {
    runs.iter().map(|r| r.data.workload.as_str()).collect()
}

fn version(r: &IngestedRun) -> Option<&str> {
    r.data.tool_version.as_deref()
}

fn last(runs: &[IngestedRun]) -> &IngestedRun {
    runs.last().expect("at least one run")
}

const FILEIO_RNDRW_2G: &str = "file-block-size=16KiB;file-extra-flags=none;file-fsync-all=off;\
    file-fsync-end=on;file-fsync-freq=100;file-io-mode=sync;file-num=128;file-rw-ratio=1.50;\
    file-test-mode=rndrw;file-total-size=2GiB;threads=1";

// ---------------------------------------------------------------- AAbiAbi/QEMU (1.0.18)

#[test]
fn aabiabi_docker_cpu_runs_after_script_lines() {
    let Some(p) = real("AAbiAbi__QEMU/docker-sysbench__result_1__config1_cpu_test1.txt") else { return };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 5);
    let first = &runs[0];
    // line 3: "sysbench 1.0.18 (using system LuaJIT 2.1.0-beta3)", after "Running ..." and "Run 1:"
    assert_eq!(first.data.first_line, 3);
    assert_eq!(version(first), Some("1.0.18"));
    assert_eq!(first.data.facts.get("build").map(String::as_str), Some("system LuaJIT 2.1.0-beta3"));
    assert_eq!(first.data.workload, "sysbench.cpu");
    // line 6: "Number of threads: 1"; line 10: "Prime numbers limit: 50000"
    assert_eq!(params(first), "cpu-max-prime=50000;threads=1");
    // line 17: "    events per second:  1248.92"
    close(metric(first, "events_per_sec"), 1248.92);
    // line 20: "    total time:                          30.0014s" (the --time=30 limit: no direction)
    close(metric(first, "total_time_s"), 30.0014);
    assert_eq!(better(first, "total_time_s"), Better::None);
    // line 27: "         95th percentile:                        0.84"
    close(metric(first, "latency_p95_ms"), 0.84);
    // line 145: "    events per second:  1241.59"
    close(metric(last(&runs), "events_per_sec"), 1241.59);
    assert_eq!(runs.iter().map(|r| r.repetition).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
}

#[test]
fn aabiabi_docker_fileio_prepare_and_run_pairs() {
    let Some(p) = real("AAbiAbi__QEMU/docker-sysbench__result_1__config1_fileio_test1.txt") else { return };
    let runs = runs_of(&p);
    // 5 x (prepare + run): the prepares are not runs.
    assert_eq!(runs.len(), 5);
    let first = &runs[0];
    // line 137: the run's banner (line 3 is the prepare's)
    assert_eq!(first.data.first_line, 137);
    assert_eq!(params(first), FILEIO_RNDRW_2G.replace(' ', ""));
    // line 160: "    reads/s:                      5799.21"
    close(metric(first, "reads_per_sec"), 5799.21);
    // line 165: "    read, MiB/s:                  90.61"
    close(metric(first, "read_mib_per_sec"), 90.61);
    // line 884: "    reads/s:                      6613.36"
    close(metric(last(&runs), "reads_per_sec"), 6613.36);
    assert!(warnings(&p).is_empty());
}

#[test]
fn aabiabi_docker_memory_iterations() {
    let Some(p) = real("AAbiAbi__QEMU/docker-sysbench__sysbench_results__memory_test_512m.txt") else {
        return;
    };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 5);
    let first = &runs[0];
    assert_eq!(first.data.workload, "sysbench.memory");
    // lines 11-14: "block size: 1024KiB", "total size: 10240MiB", "operation: write", "scope: global"
    assert_eq!(
        params(first),
        "memory-block-size=1MiB;memory-oper=write;memory-scope=global;memory-total-size=10GiB;threads=1"
    );
    // line 22: "10240.00 MiB transferred (32710.12 MiB/sec)"
    close(metric(first, "mib_per_sec"), 32710.12);
    close(metric(first, "mib_transferred"), 10240.0);
    // line 20: "Total operations: 10240 (32710.12 per second)"
    close(metric(first, "ops_per_sec"), 32710.12);
    // The whole total size was transferred, so the time (line 26: 0.3107s) is the result.
    close(metric(first, "total_time_s"), 0.3107);
    assert_eq!(better(first, "total_time_s"), Better::Lower);
    // line 174: "10240.00 MiB transferred (30480.80 MiB/sec)"
    close(metric(last(&runs), "mib_per_sec"), 30480.80);
}

#[test]
fn aabiabi_origin_later_runs_have_no_banner() {
    let Some(p) = real("AAbiAbi__QEMU/result_origin__config1_cpu_test1.txt") else { return };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 5);
    // line 15: "    events per second:  1257.26"
    close(metric(&runs[0], "events_per_sec"), 1257.26);
    // Run 2 starts at line 33 "CPU speed:" and takes run 1's version and options.
    let second = &runs[1];
    assert_eq!(second.data.first_line, 33);
    assert_eq!(version(second), Some("1.0.18"));
    assert_eq!(params(second), "cpu-max-prime=50000;threads=1");
    // line 34: "    events per second:  1179.59"
    close(metric(second, "events_per_sec"), 1179.59);
    // line 89: "    events per second:  1264.20"; line 104 "    execution time (avg/stddev):   29.9889/0.00"
    // ends the file without a newline
    close(metric(last(&runs), "events_per_sec"), 1264.20);
    assert_eq!(last(&runs).data.last_line, 104);
    let w = warnings(&p);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains(":33: 4 run(s) without a banner"), "{w:?}");
}

#[test]
fn aabiabi_qcow_fileio_seqrewr() {
    let Some(p) = real("AAbiAbi__QEMU/result_qcow_1__config1_fileio_test2.txt") else { return };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 5);
    let first = &runs[0];
    // line 149: "Doing sequential rewrite test"; sequential modes print no r/w ratio
    assert_eq!(
        params(first),
        "file-block-size=16KiB;file-extra-flags=none;file-fsync-all=off;file-fsync-end=on;\
         file-fsync-freq=100;file-io-mode=sync;file-num=128;file-test-mode=seqrewr;\
         file-total-size=1GiB;threads=1"
    );
    // line 157: "    writes/s:                     13651.73"; line 162: "written, MiB/s: 213.31"
    close(metric(first, "writes_per_sec"), 13651.73);
    close(metric(first, "written_mib_per_sec"), 213.31);
    // line 870: "    written, MiB/s:               210.07"
    close(metric(last(&runs), "written_mib_per_sec"), 210.07);
}

#[test]
fn aabiabi_qcow_memory_single_run() {
    let Some(p) = real("AAbiAbi__QEMU/result_qcow__config1_memory_test1.txt") else { return };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    // "block size: 8192KiB", "total size: 4096MiB"
    assert_eq!(
        params(r),
        "memory-block-size=8MiB;memory-oper=write;memory-scope=global;memory-total-size=4GiB;threads=1"
    );
    // line 20: "4096.00 MiB transferred (39442.85 MiB/sec)"
    close(metric(r, "mib_per_sec"), 39442.85);
    // line 24: "    total time:                          0.1033s"
    close(metric(r, "total_time_s"), 0.1033);
    assert_eq!(better(r, "total_time_s"), Better::Lower);
}

#[test]
fn aabiabi_raw_config4_cpu_runs_without_blank_lines() {
    let Some(p) = real("AAbiAbi__QEMU/result_raw_1__config4_cpu_test1.txt") else { return };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 5);
    // line 15: "    events per second:  1262.95" (line 14 "CPU speed:" has trailing spaces)
    close(metric(&runs[0], "events_per_sec"), 1262.95);
    // line 30 ends run 1, line 31 is run 2's banner
    assert_eq!(runs[0].data.last_line, 30);
    assert_eq!(runs[1].data.first_line, 31);
    // line 135: "    events per second:  1212.18"
    close(metric(last(&runs), "events_per_sec"), 1212.18);
}

#[test]
fn aabiabi_raw_config4_memory_filtered_is_refused() {
    let Some(p) = real("AAbiAbi__QEMU/result_raw_1__config4_memory_test1.txt") else { return };
    let msg = refusal_of(&p);
    // line 5: "General statistics:" after 4 blank lines; nothing names the test
    assert!(msg.contains("result_raw_1__config4_memory_test1.txt:5: sysbench output:"), "{msg}");
    assert!(msg.contains("'General statistics:' at line 5"), "{msg}");
    assert!(msg.contains("nothing in lines 5-78 tells which sysbench test ran"), "{msg}");
    assert!(msg.contains("'Total operations:'"), "{msg}");
}

#[test]
fn aabiabi_raw_cpu_single_run() {
    let Some(p) = real("AAbiAbi__QEMU/result_raw__config1_cpu_test1.txt") else { return };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    assert_eq!((r.data.first_line, r.data.last_line), (1, 30));
    // line 15: "    events per second:  1273.28"
    close(metric(r, "events_per_sec"), 1273.28);
    // line 19: "    total number of events:              38210"
    close(metric(r, "total_events"), 38210.0);
    // lines 22-26: min 0.75, avg 0.78, max 4.94, 95th 0.83, sum 29984.00
    close(metric(r, "latency_min_ms"), 0.75);
    close(metric(r, "latency_avg_ms"), 0.78);
    close(metric(r, "latency_max_ms"), 4.94);
    close(metric(r, "latency_p95_ms"), 0.83);
    close(metric(r, "latency_sum_ms"), 29984.00);
    // line 29: "    events (avg/stddev):           38210.0000/0.00"
    close(metric(r, "thread_events_avg"), 38210.0);
}

#[test]
fn aabiabi_raw_fileio_prepare_then_run() {
    let Some(p) = real("AAbiAbi__QEMU/result_raw__config1_fileio_test1.txt") else { return };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    // line 135: the run's banner, after the 128 "Creating file" lines of prepare
    assert_eq!(r.data.first_line, 135);
    assert_eq!(params(r), FILEIO_RNDRW_2G.replace(' ', ""));
    // line 158: "    reads/s:                      5126.50"; line 164: "written, MiB/s: 53.40"
    close(metric(r, "reads_per_sec"), 5126.50);
    close(metric(r, "written_mib_per_sec"), 53.40);
    // line 160: "    fsyncs/s:                     10938.03"
    close(metric(r, "fsyncs_per_sec"), 10938.03);
}

#[test]
fn aabiabi_empty_file_is_refused() {
    let Some(p) = real("AAbiAbi__QEMU/result_raw__config3_cpu_test1.txt") else { return };
    let msg = refusal_of(&p);
    assert!(msg.contains(":1: empty file (0 bytes)"), "{msg}");
}

// ---------------------------------------------------- AndyQYH (1.0.18 cpu + memory + fileio)

#[test]
fn andyqyh_docker_thirty_runs_of_three_tests() {
    let Some(p) =
        real("AndyQYH__CSEN241-Cloud-Computing/assignments__HW1__Docker__results__DOCKER_CPU2_RAM2G.txt")
    else {
        return;
    };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 30);
    let w = workloads(&runs);
    assert!(w[..10].iter().all(|w| *w == "sysbench.cpu"), "{w:?}");
    assert!(w[10..20].iter().all(|w| *w == "sysbench.memory"), "{w:?}");
    assert!(w[20..].iter().all(|w| *w == "sysbench.fileio"), "{w:?}");
    // line 22: "    events per second:   501.58"
    close(metric(&runs[0], "events_per_sec"), 501.58);
    // line 361: "Total operations: 100 (   10.68 per second)"; line 363: "(10940.29 MiB/sec)"
    close(metric(&runs[10], "ops_per_sec"), 10.68);
    close(metric(&runs[10], "mib_per_sec"), 10940.29);
    assert_eq!(params(&runs[10]).split(';').next(), Some("memory-block-size=1GiB"));
    assert_eq!(better(&runs[10], "total_time_s"), Better::Lower);
    // line 558: "2048.00 MiB transferred (109.71 MiB/sec)" of "total size: 102400MiB": stopped
    // by the time limit, so the 18.6651 s are no result.
    close(metric(&runs[15], "mib_transferred"), 2048.0);
    close(metric(&runs[15], "ops_per_sec"), 0.05);
    assert_eq!(better(&runs[15], "total_time_s"), Better::None);
    // line 1178: "Doing random read test"; line 1185: "    reads/s:    25874.56"
    let l = last(&runs);
    assert_eq!(l.data.params.get("file-test-mode").map(String::as_str), Some("rndrd"));
    close(metric(l, "reads_per_sec"), 25874.56);
    assert_eq!(l.repetition, 5);
}

#[test]
fn andyqyh_qemu_thirty_runs_of_three_tests() {
    let Some(p) =
        real("AndyQYH__CSEN241-Cloud-Computing/assignments__HW1__QEMU__QEMU_QCOW2_CPU4_RAM4013500.txt")
    else {
        return;
    };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 30);
    // line 22: "    events per second:   497.42"
    close(metric(&runs[0], "events_per_sec"), 497.42);
    // line 556: "Total operations: 50 (    5.24 per second)"; line 558 "102400.00 MiB transferred":
    // the whole total size, so the time is the result.
    close(metric(&runs[15], "ops_per_sec"), 5.24);
    assert_eq!(better(&runs[15], "total_time_s"), Better::Lower);
    // line 1185: "    reads/s:                      342238.02"
    close(metric(last(&runs), "reads_per_sec"), 342238.02);
}

// ------------------------------------------------ 00sapo (1.0.20 suites, CRLF, FATAL runs)

#[test]
fn sapo_docker_suite_with_crlf_and_fatal_fileio() {
    let Some(p) = real("00sapo__Container-benchmarks/results.0__docker.txt") else { return };
    let runs = runs_of(&p);
    assert_eq!(
        workloads(&runs),
        ["sysbench.cpu", "sysbench.fileio", "sysbench.memory", "sysbench.mutex", "sysbench.threads"]
    );
    // line 19: "    events per second:    23.17"
    close(metric(&runs[0], "events_per_sec"), 23.17);
    assert_eq!(params(&runs[0]), "cpu-max-prime=200000;threads=1");
    // The fileio run (line 56) stops at line 73: "FATAL: Size of file 'test_file.9' is 203.7MiB, ..."
    let failed = &runs[1];
    assert_eq!(failed.data.first_line, 56);
    assert!(failed.data.metrics.is_empty());
    assert_eq!(failed.data.issues.len(), 1);
    assert_eq!(failed.data.issues[0].kind, "fatal");
    assert_eq!(failed.data.issues[0].line, 73);
    assert!(failed.data.issues[0].message.contains("Did you run 'prepare'"));
    // line 101: "102400.00 MiB transferred (15738.50 MiB/sec)"
    close(metric(&runs[2], "mib_per_sec"), 15738.50);
    // mutex: line 126 "Number of threads: 512", line 147 "events (avg/stddev): 1.0000/0.00",
    // line 136 "total time: 6.7196s" (fixed work: the result)
    assert_eq!(params(&runs[3]), "threads=512");
    close(metric(&runs[3], "total_time_s"), 6.7196);
    assert_eq!(better(&runs[3], "total_time_s"), Better::Lower);
    // threads: line 167 "total time: 300.0007s", line 168 "total number of events: 408559"
    close(metric(last(&runs), "events_per_sec"), 408559.0 / 300.0007);
    let w = warnings(&p);
    // line 55: the prepare's "FATAL: Failed to write file! errno = 28 (No space left on device)"
    assert!(
        w.iter().any(|w| w.contains(":55: sysbench prepare/cleanup") && w.contains("errno = 28")),
        "{w:?}"
    );
    assert!(w.iter().any(|w| w.contains(":73: the run starting at line 56 has no results")), "{w:?}");
}

#[test]
fn sapo_native_suite() {
    let Some(p) = real("00sapo__Container-benchmarks/results.0__native.txt") else { return };
    let runs = runs_of(&p);
    assert_eq!(
        workloads(&runs),
        ["sysbench.cpu", "sysbench.fileio", "sysbench.memory", "sysbench.mutex", "sysbench.threads"]
    );
    // line 5: "sysbench 1.0.20 (using system LuaJIT 2.0.5)"
    assert_eq!(version(&runs[0]), Some("1.0.20"));
    assert_eq!(runs[0].data.facts.get("build").map(String::as_str), Some("system LuaJIT 2.0.5"));
    // line 19: "    events per second:    23.12"
    close(metric(&runs[0], "events_per_sec"), 23.12);
    // line 183: "150GiB total file size"; line 197: "    reads/s:                      333.85"
    assert_eq!(runs[1].data.params.get("file-total-size").map(String::as_str), Some("150GiB"));
    close(metric(&runs[1], "reads_per_sec"), 333.85);
    // line 230: "Number of threads: 256"; line 246 "(15701.95 MiB/sec)"
    assert_eq!(runs[2].data.params.get("threads").map(String::as_str), Some("256"));
    close(metric(&runs[2], "mib_per_sec"), 15701.95);
    // line 313: "    total number of events:              425141"
    close(metric(last(&runs), "total_events"), 425141.0);
}

#[test]
fn sapo_podman_suite_crlf() {
    let Some(p) = real("00sapo__Container-benchmarks/results.0__podman.txt") else { return };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 5);
    // line 20: "    events per second:    23.16"
    close(metric(&runs[0], "events_per_sec"), 23.16);
    // line 199: "    reads/s:                      204.68"
    close(metric(&runs[1], "reads_per_sec"), 204.68);
    assert_eq!(runs[3].data.workload, "sysbench.mutex");
    // line 314: "total time: 300.0005s"; line 315: "total number of events: 373927"
    assert_eq!(last(&runs).data.workload, "sysbench.threads");
    close(metric(last(&runs), "events_per_sec"), 373927.0 / 300.0005);
}

#[test]
fn sapo_fileio_docker_sync_and_async() {
    let Some(p) = real("00sapo__Container-benchmarks/results.fileio__docker.txt") else { return };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 2);
    // line 166: "    reads/s:                      358.62"
    close(metric(&runs[0], "reads_per_sec"), 358.62);
    // line 200 "Extra file open flags: directio", 207 "Using asynchronous I/O mode", and no
    // "Periodic FSYNC" line: a different option set from run 1.
    let a = &runs[1].data.params;
    assert_eq!(a.get("file-extra-flags").map(String::as_str), Some("directio"));
    assert_eq!(a.get("file-io-mode").map(String::as_str), Some("async"));
    assert_eq!(a.get("file-fsync-freq").map(String::as_str), Some("0"));
    assert_ne!(params(&runs[0]), params(&runs[1]));
    // line 215: "    reads/s:                      59618.23"
    close(metric(&runs[1], "reads_per_sec"), 59618.23);
}

#[test]
fn sapo_fileio_native_sync_and_async() {
    let Some(p) = real("00sapo__Container-benchmarks/results.fileio__native.txt") else { return };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 2);
    // line 143: the run's banner after the 150 GiB prepare
    assert_eq!(runs[0].data.first_line, 143);
    // line 166: "    reads/s:                      468.89"
    close(metric(&runs[0], "reads_per_sec"), 468.89);
    // line 221: "    written, MiB/s:               663.68"
    close(metric(&runs[1], "written_mib_per_sec"), 663.68);
    // Same options on docker and native: comparable.
    let Some(d) = real("00sapo__Container-benchmarks/results.fileio__docker.txt") else { return };
    let docker = runs_of(&d);
    assert_eq!(params(&runs[1]), params(&docker[1]));
}

// ------------------------------------------------------------ hgxl64 (0.4.12 and 0.5 OLTP)

#[test]
fn hgxl64_oltp_0_4_read_only() {
    let Some(p) =
        real("hgxl64__mariadb-benchmarks/Archive__sysbench-runs__series22__res01__sysbench.ro.16.res")
    else {
        return;
    };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    assert_eq!(version(r), Some("0.4.12"));
    assert_eq!(r.data.workload, "sysbench.oltp");
    // line 5 "Number of threads: 16"; lines 8-12: "Running simple OLTP test", "Doing read-only test", "Using Uniform distribution",
    // "Skipping BEGIN/COMMIT", "Using auto_inc on the id column"
    assert_eq!(
        params(r),
        "oltp-auto-inc=on;oltp-dist-type=uniform;oltp-read-only=on;oltp-skip-trx=on;\
         oltp-test-mode=simple;threads=16"
    );
    // line 24: "    transactions:                        2150164 (35835.78 per sec.)"
    close(metric(r, "transactions_per_sec"), 35835.78);
    // line 23: "total: 4300328"; line 30: "total time: 60.0005s"
    close(metric(r, "queries_per_sec"), 4300328.0 / 60.0005);
    // line 14: "Time limit exceeded, exiting...": the time is the limit, not a result
    assert_eq!(better(r, "total_time_s"), Better::None);
    // line 37: "         approx.  95 percentile:               0.60ms"
    close(metric(r, "latency_p95_ms"), 0.60);
    // line 32: "    total time taken by event execution: 956.6675" (seconds)
    close(metric(r, "latency_sum_ms"), 956.6675 * 1000.0);
    close(metric(r, "deadlocks"), 0.0);
}

#[test]
fn hgxl64_oltp_0_5_with_intervals() {
    let Some(p) =
        real("hgxl64__mariadb-benchmarks/Archive__sysbench-runs__series26__res01__sysbench.ro.64.res")
    else {
        return;
    };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    assert_eq!(version(r), Some("0.5"));
    assert_eq!(r.data.workload, "sysbench.oltp");
    // line 4: "Number of threads: 64"; 0.5 Lua scripts do not say which script ran
    assert_eq!(params(r), "threads=64");
    // line 77: "    transactions:                        3141831 (10403.27 per sec.)"
    close(metric(r, "transactions_per_sec"), 10403.27);
    // line 90: "         approx.  95 percentile:               8.74ms"
    close(metric(r, "latency_p95_ms"), 8.74);
    // line 85: "    total time taken by event execution: 19317.7769s"
    close(metric(r, "latency_sum_ms"), 19317.7769 * 1000.0);
    // 60 interval lines, 5 s apart; line 11: "[   5s] threads: 64, tps: 10415.14, reads/s:
    // 145912.19, writes/s: 0.00, response time: 8.75ms (95%)"
    let tps: Vec<_> = r.data.series.iter().filter(|s| s.metric == "transactions_per_sec").collect();
    assert_eq!(tps.len(), 60);
    assert_eq!(tps[0].t_s, 5.0);
    close(tps[0].value, 10415.14);
    let p95 = r.data.series.iter().find(|s| s.metric == "latency_p95_ms").map(|s| s.value);
    assert_eq!(p95, Some(8.75));
    // line 70: "[ 300s] threads: 64, tps: 10389.60, ..."
    assert_eq!(tps[59].t_s, 300.0);
    close(tps[59].value, 10389.60);
}

// ---------------------------------------------------------------- snake0 (0.4.12, 10 runs)

#[test]
fn snake0_cpu_fixed_event_count() {
    let Some(p) = real("snake0__sync/sysbench_cpu.txt") else { return };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 10);
    let first = &runs[0];
    // line 4 "Number of threads: 16"; line 13 "Maximum prime number checked in CPU test: 10000"
    assert_eq!(params(first), "cpu-max-prime=10000;threads=16");
    // line 17: "total time: 8.9837s"; line 18: "total number of events: 10000"
    close(metric(first, "events_per_sec"), 10000.0 / 8.9837);
    close(metric(first, "total_time_s"), 8.9837);
    assert_eq!(better(first, "total_time_s"), Better::Lower);
    // line 24: "         approx.  95 percentile:              12.08ms"
    close(metric(first, "latency_p95_ms"), 12.08);
    // line 325: "total time: 6.6880s"; line 326: "total number of events: 10001"
    close(metric(last(&runs), "events_per_sec"), 10001.0 / 6.6880);
}

#[test]
fn snake0_fileio_0_4_counts() {
    let Some(p) = real("snake0__sync/sysbench_fileio.txt") else { return };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 10);
    let first = &runs[0];
    // lines 6-15: "Extra file open flags: 0", "128 files, 8Mb each", "1Gb total file size",
    // "Block size 16Kb", "Number of random requests for random IO: 10000", ...
    assert_eq!(
        params(first),
        "file-block-size=16KiB;file-extra-flags=none;file-fsync-all=off;file-fsync-end=on;\
         file-fsync-freq=100;file-io-mode=sync;file-num=128;file-rw-ratio=1.50;\
         file-test-mode=rndrw;file-total-size=1GiB;max-requests=10000;threads=16"
    );
    // line 21: "Operations performed:  6087 Read, 4052 Write, 12800 Other = 22939 Total"
    // line 22: "Read 95.109Mb  Written 63.312Mb  Total transferred 158.42Mb  (1.5134Mb/sec)"
    // line 26: "    total time:                          104.6763s"
    close(metric(first, "reads_per_sec"), 6087.0 / 104.6763);
    close(metric(first, "writes_per_sec"), 4052.0 / 104.6763);
    close(metric(first, "fsyncs_per_sec"), 12800.0 / 104.6763);
    close(metric(first, "read_mib_per_sec"), 95.109 / 104.6763);
    close(metric(first, "written_mib_per_sec"), 63.312 / 104.6763);
    // line 23: "   96.86 Requests/sec executed"
    close(metric(first, "requests_per_sec"), 96.86);
    // line 390: "  112.38 Requests/sec executed"
    close(metric(last(&runs), "requests_per_sec"), 112.38);
}

#[test]
fn snake0_memory_0_4() {
    let Some(p) = real("snake0__sync/sysbench_memory.txt") else { return };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 10);
    let first = &runs[0];
    // "Memory block size: 1K", "Memory transfer size: 128M", "Memory operations type: write",
    // "Memory scope type: global": the same spelling as 1.0's "block size: 1KiB"
    assert_eq!(
        params(first),
        "memory-block-size=1KiB;memory-oper=write;memory-scope=global;memory-total-size=128MiB;threads=4"
    );
    // line 22: "Operations performed: 131072 (39239.26 ops/sec)"
    close(metric(first, "ops_per_sec"), 39239.26);
    // line 24: "128.00 MB transferred (38.32 MB/sec)"
    close(metric(first, "mib_per_sec"), 38.32);
    close(metric(first, "mib_transferred"), 128.0);
    assert_eq!(better(first, "total_time_s"), Better::Lower);
    // line 379: "128.00 MB transferred (30.96 MB/sec)"
    close(metric(last(&runs), "mib_per_sec"), 30.96);
}

#[test]
fn snake0_mutex_0_4() {
    let Some(p) = real("snake0__sync/sysbench_mutex.txt") else { return };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 10);
    assert!(workloads(&runs).iter().all(|w| *w == "sysbench.mutex"));
    // line 12: "    total time:                          26.5264s"
    close(metric(&runs[0], "total_time_s"), 26.5264);
    assert_eq!(better(&runs[0], "total_time_s"), Better::Lower);
    // line 19: "         approx.  95 percentile:           26460.27ms"
    close(metric(&runs[0], "latency_p95_ms"), 26460.27);
    // line 228: "    total time:                          17.6018s"
    close(metric(last(&runs), "total_time_s"), 17.6018);
}

#[test]
fn snake0_threads_0_4() {
    let Some(p) = real("snake0__sync/sysbench_threads.txt") else { return };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 10);
    // line 7: "Thread yields per test: 100 Locks used: 8"
    assert_eq!(params(&runs[0]), "thread-locks=8;thread-yields=100;threads=16");
    // line 19: "total time: 25.0158s"; line 20: "total number of events: 10000"
    close(metric(&runs[0], "events_per_sec"), 10000.0 / 25.0158);
    // line 284: "total time: 26.2012s"; line 285: "total number of events: 10000"
    close(metric(last(&runs), "events_per_sec"), 10000.0 / 26.2012);
}

// ------------------------------------------------- TonyHuanSheng (1.0.17 OLTP + histogram)

#[test]
fn tonyhuansheng_oltp_intervals_and_histograms() {
    let Some(p) = real("TonyHuanSheng__sysbench_stress_test_Note/sysbench.log") else { return };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 4);
    assert!(workloads(&runs).iter().all(|w| *w == "sysbench.oltp"));
    // lines 4, 265, 518, 790: "Number of threads: 8/16/32/64"
    let threads: Vec<_> =
        runs.iter().map(|r| r.data.params.get("threads").cloned().unwrap_or_default()).collect();
    assert_eq!(threads, ["8", "16", "32", "64"]);
    let first = &runs[0];
    // lines 238-241: "read: 933184", "write: 266624", "other: 133312", "total: 1333120"; line
    // 242: "transactions: 66656": 14 reads, 4 writes and 2 other (BEGIN, COMMIT) per transaction,
    // the mix of oltp_read_write. The file's own name for it: "OLTP read_write".
    assert_eq!(params(first), "queries-per-tx=20;reads-per-tx=14;script=oltp_read_write;threads=8");
    assert!(runs.iter().all(|r| r.data.params["script"] == "oltp_read_write"));
    assert!(first.data.facts["script_inferred"].contains("14.00 read, 4.00 write, 2.00 other"));
    assert_eq!(version(first), Some("1.0.17"));
    assert_eq!((first.data.first_line, first.data.last_line), (1, 260));
    // line 242: "    transactions:                        66656  (222.13 per sec.)"
    close(metric(first, "transactions_per_sec"), 222.13);
    // line 243: "    queries:                             1333120 (4442.69 per sec.)"
    close(metric(first, "queries_per_sec"), 4442.69);
    // line 244: "    ignored errors:                      0      (0.00 per sec.)"
    close(metric(first, "ignored_errors"), 0.0);
    // line 255: "         95th percentile:                       62.19"
    close(metric(first, "latency_p95_ms"), 62.19);
    // line 13: "[ 5s ] thds: 8 tps: 269.67 qps: 5416.27 (r/w/o: 3794.43/1080.89/540.95) lat (ms,95%): 51.94 ..."
    let s = &first.data.series;
    let at5: Vec<_> = s.iter().filter(|x| x.t_s == 5.0).map(|x| (x.metric.as_str(), x.value)).collect();
    assert_eq!(
        at5,
        [
            ("transactions_per_sec", 269.67),
            ("queries_per_sec", 5416.27),
            ("reads_per_sec", 3794.43),
            ("writes_per_sec", 1080.89),
            ("other_per_sec", 540.95),
            ("errors_per_sec", 0.0),
            ("reconnects_per_sec", 0.0),
            ("latency_p95_ms", 51.94),
        ]
    );
    assert_eq!(s.iter().filter(|x| x.metric == "transactions_per_sec").count(), 60);
    // line 1062: "    transactions:                        80365  (267.64 per sec.)"
    close(metric(last(&runs), "transactions_per_sec"), 267.64);
    // line 1075: "         95th percentile:                      376.49"
    close(metric(last(&runs), "latency_p95_ms"), 376.49);
    assert!(warnings(&p).is_empty());
}

// ----------------------------------------------------- amandarito (0.4.12, 15 runs, 1/2/8 threads)

#[test]
fn amandarito_qemu_cpu() {
    let Some(p) = real("amandarito__coen241-hw1/qemu_cpu_test.txt") else { return };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 15);
    // line 4 "Number of threads: 1"; line 11 "Maximum prime number checked in CPU test: 5000"
    assert_eq!(params(&runs[0]), "cpu-max-prime=5000;threads=1");
    // line 15: "total time: 32.6237s"; line 16: "total number of events: 10000"
    close(metric(&runs[0], "events_per_sec"), 10000.0 / 32.6237);
    // line 382: "Number of threads: 8"; line 393: "total time: 14.8818s"; line 394: 10000 events
    let l = last(&runs);
    assert_eq!(params(l), "cpu-max-prime=5000;threads=8");
    close(metric(l, "events_per_sec"), 10000.0 / 14.8818);
    // 5 runs each of 1, 2 and 8 threads: repetitions 1..5 per option set
    assert_eq!(l.repetition, 5);
}

#[test]
fn amandarito_docker_cpu_wrapped_latency_is_left_out() {
    let Some(p) = real("amandarito__coen241-hw1/docker_cpu_test.txt") else { return };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 15);
    // line 15: "total time: 5.7677s"; line 16: "total number of events: 10000"
    close(metric(&runs[0], "events_per_sec"), 10000.0 / 5.7677);
    // Run 2, line 50: "         max:                            18446744073688.26ms" is a negative
    // time wrapped around (line 36 WARNING: "Operation time (18446744073688156160.000000) is greater
    // than maximal counted value"): left out, with a warning on the run.
    let second = &runs[1];
    assert!(second.data.metric("latency_max_ms").is_none());
    // line 49: "         avg:                                  0.61ms"
    close(metric(second, "latency_avg_ms"), 0.61);
    assert!(second.data.issues.iter().any(|i| i.kind == "warning" && i.message.contains("latency_max_ms")));
    // Said at ingest time too, at the line of the value (not only by `audit`): lines 50 and 189
    // ("max:  18446744073693.63ms", run 7) are the file's two wrapped values.
    let w = warnings(&p);
    let wrapped: Vec<&String> = w.iter().filter(|m| m.contains("wrapped around")).collect();
    assert_eq!(wrapped.len(), 2, "{w:?}");
    assert!(
        wrapped[0].contains(":50: ") && wrapped[0].contains("latency_max_ms = 18446744073688.26"),
        "{w:?}"
    );
    assert!(wrapped[1].contains(":189: "), "{w:?}");
    assert_eq!(second.data.issues.iter().find(|i| i.kind == "warning").map(|i| i.line), Some(50));
    // line 399: "total time: 2.9747s"; line 400: "total number of events: 10000"
    close(metric(last(&runs), "events_per_sec"), 10000.0 / 2.9747);
}

#[test]
fn amandarito_qemu_fileio() {
    let Some(p) = real("amandarito__coen241-hw1/qemu_fileio_test.txt") else { return };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 15);
    // line 21: " 1155.58 Requests/sec executed"
    close(metric(&runs[0], "requests_per_sec"), 1155.58);
    // line 20: "Read 93.75Mb  Written 62.5Mb ..."; line 24: "total time: 8.6536s"
    close(metric(&runs[0], "read_mib_per_sec"), 93.75 / 8.6536);
    // line 525: " 1287.11 Requests/sec executed"
    close(metric(last(&runs), "requests_per_sec"), 1287.11);
}

#[test]
fn amandarito_docker_fileio() {
    let Some(p) = real("amandarito__coen241-hw1/docker_fileio_test.txt") else { return };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 15);
    // line 21: " 1628.02 Requests/sec executed"
    close(metric(&runs[0], "requests_per_sec"), 1628.02);
    // line 525: " 5378.60 Requests/sec executed"
    close(metric(last(&runs), "requests_per_sec"), 5378.60);
    // Same options as the QEMU file, run for run: comparable.
    let Some(q) = real("amandarito__coen241-hw1/qemu_fileio_test.txt") else { return };
    let qemu = runs_of(&q);
    let a: Vec<_> = runs.iter().map(params).collect();
    let b: Vec<_> = qemu.iter().map(params).collect();
    assert_eq!(a, b);
}

// ----------------------------------------------------- stephentambussi (grep-filtered 1.0 cpu)

#[test]
fn stephentambussi_grep_filtered_cpu() {
    let Some(p) = real("stephentambussi__COEN241-Work/HW1__VM_Results__vm_sysbench_cpu_results.txt") else {
        return;
    };
    let runs = runs_of(&p);
    assert_eq!(runs.len(), 45);
    assert!(runs.iter().all(|r| r.data.workload == "sysbench.cpu" && r.data.params.is_empty()));
    assert_eq!(version(&runs[0]), None);
    // line 7: "    events per second:  3805.04"; line 8: "    total number of events:  114157"
    let first = &runs[0];
    assert_eq!((first.data.first_line, first.data.last_line), (7, 8));
    close(metric(first, "events_per_sec"), 3805.04);
    close(metric(first, "total_events"), 114157.0);
    // line 159: "    events per second: 10937.55"
    close(metric(last(&runs), "events_per_sec"), 10937.55);
    let w = warnings(&p);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains(":7: 45 run(s) have no options header"), "{w:?}");
}

// --------------------------------------------------------------- every real file, together

const SYSBENCH_DIRS: &[&str] = &[
    "00sapo__Container-benchmarks",
    "AAbiAbi__QEMU",
    "AndyQYH__CSEN241-Cloud-Computing",
    "hgxl64__mariadb-benchmarks",
    "snake0__sync",
    "TonyHuanSheng__sysbench_stress_test_Note",
    "amandarito__coen241-hw1",
    "stephentambussi__COEN241-Work",
];

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|it| it.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn head(path: &Path) -> String {
    let bytes = std::fs::read(path).expect("readable");
    let n = bytes.len().min(HEAD_BYTES);
    String::from_utf8_lossy(&bytes[..n]).into_owned()
}

#[test]
fn sniff_takes_every_real_sysbench_file_and_no_other_tool() {
    let Some(root) = realdata() else { return };
    let mut sysbench = 0;
    let mut others = 0;
    for entry in std::fs::read_dir(&root).expect("realdata") {
        let dir = entry.expect("entry").path();
        if !dir.is_dir() {
            continue;
        }
        let ours = SYSBENCH_DIRS.iter().any(|d| dir.ends_with(d));
        for f in files_under(&dir) {
            let h = head(&f);
            if h.is_empty() {
                continue;
            }
            assert_eq!(SysbenchParser.sniff(&h), ours, "{}", f.display());
            if ours {
                sysbench += 1;
            } else {
                others += 1;
            }
        }
    }
    // 31 sysbench files, one of them empty; fio, wrk and pidstat make the rest.
    assert_eq!(sysbench, 30);
    assert!(others >= 20, "{others}");
}

#[test]
fn real_files_cut_anywhere_never_panic() {
    let Some(root) = realdata() else { return };
    for d in SYSBENCH_DIRS {
        for f in files_under(&root.join(d)) {
            let text = String::from_utf8_lossy(&std::fs::read(&f).expect("readable")).into_owned();
            let mut at = 0;
            while at < text.len() {
                if text.is_char_boundary(at) {
                    let _ = SysbenchParser.parse(&text[..at], &Default::default());
                    let _ = SysbenchParser.parse(&text[at..], &Default::default());
                }
                at += 1499;
            }
        }
    }
}

// ------------------------------------------------------------ fixtures made by make.sh

fn fixture_runs(name: &str) -> Vec<IngestedRun> {
    runs_of(&fixture(&format!("sysbench/{name}")))
}

#[test]
fn fixture_cpu() {
    let runs = fixture_runs("cpu.txt");
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    assert_eq!(version(r), Some("1.0.20"));
    // line 8: "Prime numbers limit: 2000"; line 15: "    events per second: 12238.43"
    assert_eq!(params(r), "cpu-max-prime=2000;threads=1");
    close(metric(r, "events_per_sec"), 12238.43);
    // line 18: "    total time:                          1.0001s" (--time=1)
    assert_eq!(better(r, "total_time_s"), Better::None);
}

#[test]
fn fixture_cpu_with_intervals_histogram_and_p99() {
    let runs = fixture_runs("cpu_interval_histogram.txt");
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    // line 325: "    events per second: 15039.06", after ~300 histogram rows
    close(metric(r, "events_per_sec"), 15039.06);
    assert!(r.data.metric("latency_p99_ms").is_some());
    // line 15: "[ 1s ] thds: 2 eps: 15091.43 lat (ms,99%): 0.86"
    let s: Vec<_> = r.data.series.iter().map(|s| (s.t_s, s.metric.as_str(), s.value)).collect();
    assert_eq!(s, [(1.0, "events_per_sec", 15091.43), (1.0, "latency_p99_ms", 0.86)]);
}

#[test]
fn fixture_memory_complete_and_time_limited() {
    let r = &fixture_runs("memory.txt")[0];
    // line 9 "block size: 4KiB", line 10 "total size: 256MiB"; line 20 "256.00 MiB transferred (4019.01 MiB/sec)"
    assert_eq!(
        params(r),
        "memory-block-size=4KiB;memory-oper=write;memory-scope=global;memory-total-size=256MiB;threads=1"
    );
    close(metric(r, "mib_per_sec"), 4019.01);
    assert_eq!(better(r, "total_time_s"), Better::Lower);
    let r = &fixture_runs("memory_time_limit.txt")[0];
    // line 22: "1711.73 MiB transferred (853.73 MiB/sec)" of 102400MiB: time-limited.
    // --memory-access-mode=rnd was given, but 1.0.20 does not print it.
    assert_eq!(
        params(r),
        "memory-block-size=1KiB;memory-oper=read;memory-scope=local;memory-total-size=100GiB;threads=1"
    );
    close(metric(r, "mib_per_sec"), 853.73);
    assert_eq!(better(r, "total_time_s"), Better::None);
    // line 19: "[ 1s ] 848.60 MiB/sec"
    assert_eq!(r.data.series.len(), 1);
    close(r.data.series[0].value, 848.60);
}

#[test]
fn fixture_fileio_runs() {
    let runs = fixture_runs("fileio_rndrw.txt");
    assert_eq!(runs.len(), 1);
    // line 37: "    reads/s:                      4339.64"
    close(metric(&runs[0], "reads_per_sec"), 4339.64);
    let runs = fixture_runs("fileio_seqwr_mmap.txt");
    assert_eq!(runs.len(), 1);
    // "Extra file open flags: dsync ", "Block size 4KiB", "Using fast mmaped I/O mode",
    // "Doing sequential write (creation) test", no periodic fsync
    assert_eq!(
        params(&runs[0]),
        "file-block-size=4KiB;file-extra-flags=dsync;file-fsync-all=off;file-fsync-end=on;\
         file-fsync-freq=0;file-io-mode=mmap;file-num=4;file-test-mode=seqwr;file-total-size=32MiB;threads=1"
    );
    // line 27: "    written, MiB/s:               2747.72"
    close(metric(&runs[0], "written_mib_per_sec"), 2747.72);
    assert!(runs[0].data.metric("latency_p99_ms").is_some());
}

#[test]
fn fixture_threads_mutex_and_suite() {
    let r = &fixture_runs("threads.txt")[0];
    assert_eq!(r.data.workload, "sysbench.threads");
    // --thread-yields/--thread-locks are not printed by 1.0.20
    assert_eq!(params(r), "threads=2");
    let r = &fixture_runs("mutex.txt")[0];
    assert_eq!(r.data.workload, "sysbench.mutex");
    // line 14: "    total time:                          2.6413s"
    close(metric(r, "total_time_s"), 2.6413);
    let runs = fixture_runs("suite.txt");
    assert_eq!(workloads(&runs), ["sysbench.cpu", "sysbench.memory", "sysbench.threads", "sysbench.mutex"]);
}

#[test]
fn fixture_failures_are_refused_with_the_fatal_line() {
    let msg = refusal_of(&fixture("sysbench/fileio_no_prepare.txt"));
    assert!(msg.contains(":18: sysbench output:"), "{msg}");
    assert!(msg.contains("FATAL: Cannot open file 'test_file.0' errno = 2"), "{msg}");
    let msg = refusal_of(&fixture("sysbench/oltp_no_server.txt"));
    assert!(msg.contains(":10: sysbench output:"), "{msg}");
    let msg = refusal_of(&fixture("sysbench/unknown_test.txt"));
    assert!(msg.contains("sysbench stopped before running a test: FATAL: Cannot find benchmark"), "{msg}");
}

// ------------------------------------------- OLTP fixtures made by `make.sh oltp` (MariaDB)

/// The one run of `oltp/<name>`.
fn oltp_run(name: &str) -> IngestedRun {
    let mut runs = fixture_runs(&format!("oltp/{name}"));
    assert_eq!(runs.len(), 1, "{name}");
    runs.remove(0)
}

/// sysbench 1.0 prints no script name: each script's run is told by its queries per transaction
/// (read / write / other counts of "queries performed:" over "transactions:"), quoted here from
/// each file.
#[test]
fn fixture_oltp_script_is_inferred_from_the_query_mix() {
    let cases = [
        // file, "read/write/other/transactions" as printed, script, queries-per-tx, reads-per-tx
        ("oltp_read_only.txt", "26656/0/3808/1904", "oltp_read_only", 16, 14),
        ("oltp_write_only.txt", "0/10532/5266/2633", "oltp_write_only", 6, 0),
        ("oltp_read_write.txt", "14364/4104/2052/1026", "oltp_read_write", 20, 14),
        // --range-selects=off: 10 point selects only; --skip-trx=on: no BEGIN/COMMIT.
        ("oltp_read_write_range_selects_off.txt", "9310/3724/1862/931", "oltp_read_write", 16, 10),
        ("oltp_read_only_skip_trx.txt", "19964/0/0/1426", "oltp_read_only", 14, 14),
        // One query per transaction: which one cannot be told from the counts.
        (
            "oltp_point_select.txt",
            "41589/0/0/41589",
            "oltp_point_select/select_random_points/select_random_ranges",
            1,
            1,
        ),
        (
            "select_random_points.txt",
            "16259/0/0/16259",
            "oltp_point_select/select_random_points/select_random_ranges",
            1,
            1,
        ),
        (
            "oltp_insert.txt",
            "0/2300/0/2300",
            "oltp_delete/oltp_insert/oltp_update_index/oltp_update_non_index",
            1,
            0,
        ),
        (
            "oltp_update_index.txt",
            "0/1844/0/1844",
            "oltp_delete/oltp_insert/oltp_update_index/oltp_update_non_index",
            1,
            0,
        ),
        (
            "oltp_update_non_index.txt",
            "0/2504/0/2504",
            "oltp_delete/oltp_insert/oltp_update_index/oltp_update_non_index",
            1,
            0,
        ),
        // A DELETE of a row already deleted changes nothing and sysbench counts it as "other":
        // only oltp_delete does that.
        ("oltp_delete.txt", "0/2372/14818/17190", "oltp_delete", 1, 0),
    ];
    for (file, counts, script, per_tx, reads) in cases {
        let r = oltp_run(file);
        let c: Vec<f64> = counts.split('/').map(|x| x.parse().unwrap()).collect();
        close(metric(&r, "queries_read"), c[0]);
        close(metric(&r, "queries_write"), c[1]);
        close(metric(&r, "queries_other"), c[2]);
        close(metric(&r, "transactions"), c[3]);
        assert_eq!(r.data.workload, "sysbench.oltp", "{file}");
        assert_eq!(
            params(&r),
            format!("queries-per-tx={per_tx};reads-per-tx={reads};script={script};threads=2"),
            "{file}"
        );
        let how = &r.data.facts["script_inferred"];
        let mix = format!("{:.2} read, {:.2} write, {:.2} other", c[0] / c[3], c[1] / c[3], c[2] / c[3]);
        assert!(how.contains(&mix), "{file}: {how}");
    }
}

#[test]
fn fixture_oltp_scripts_appended_to_one_log_are_not_pooled() {
    let runs = fixture_runs("oltp/three_scripts.txt");
    assert_eq!(runs.len(), 6);
    let scripts: Vec<&str> = runs.iter().map(|r| r.data.params["script"].as_str()).collect();
    assert_eq!(
        scripts,
        [
            "oltp_read_only",
            "oltp_write_only",
            "oltp_read_write",
            "oltp_read_only",
            "oltp_write_only",
            "oltp_read_write"
        ]
    );
    // Each script's runs are repetitions of their own group.
    assert_eq!(runs.iter().map(|r| r.repetition).collect::<Vec<_>>(), [1, 1, 1, 2, 2, 2]);
}

/// `make.sh oltp` stopped the server (SIGSTOP) for 6 s during the third run of stalled.txt:
/// sysbench printed five intervals with "tps: 0.00" and "lat (ms,95%): 0.00" (lines 96-100) and
/// ran 6.5703 s against a 3 s limit.
#[test]
fn fixture_oltp_stalled_run_is_flagged_and_its_stall_has_no_latency() {
    let runs = fixture_runs("oltp/stalled.txt");
    assert_eq!(runs.len(), 3);
    assert!(runs[..2].iter().all(|r| r.data.issues.is_empty()), "{:?}", runs[0].data.issues);
    let r = &runs[2];
    // "    total time:                          6.5703s"
    close(metric(r, "total_time_s"), 6.5703);
    assert_eq!(r.data.issues.len(), 1, "{:?}", r.data.issues);
    let issue = &r.data.issues[0];
    assert_eq!(issue.kind, "stalled");
    // line 96: "[ 2s ] thds: 2 tps: 0.00 qps: 0.00 (r/w/o: 0.00/0.00/0.00) lat (ms,95%): 0.00 ..."
    assert_eq!(issue.line, 96);
    assert!(
        issue.message.contains("5 of 6 report intervals") && issue.message.contains("2 s to 6 s"),
        "{}",
        issue.message
    );
    // The throughput series keeps its zeros; the latency series has no point where nothing ran.
    let at = |metric: &str| -> Vec<f64> {
        r.data.series.iter().filter(|x| x.metric == metric).map(|x| x.t_s).collect()
    };
    assert_eq!(at("transactions_per_sec"), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!(at("latency_p95_ms"), [1.0]);
    // line 95: "[ 1s ] ... lat (ms,95%): 8.43 ..."
    let p95: Vec<f64> =
        r.data.series.iter().filter(|x| x.metric == "latency_p95_ms").map(|x| x.value).collect();
    assert_eq!(p95, [8.43]);
    let w = warnings(&fixture("sysbench/oltp/stalled.txt"));
    assert!(w.iter().any(|m| m.contains(":96: ") && m.contains("stalled")), "{w:?}");
}

// ------------------------------------------------------------- analysis of what the runs did

/// The primary summary row of workload `w` on `platform`.
fn primary_row<'a>(a: &'a virtperf::analyse::Analysis, w: &str) -> &'a virtperf::analyse::SummaryRow {
    a.summary.iter().find(|r| r.primary && r.workload == w).unwrap_or_else(|| panic!("no primary row of {w}"))
}

/// A write test's primary metric is what it wrote: fileio_seqwr_mmap.txt ("Doing sequential
/// write (creation) test") reads nothing ("read, MiB/s: 0.00"), so its read throughput is zero
/// by construction and would give "no verdict: baseline indistinguishable from zero".
#[test]
fn fixture_fileio_write_mode_has_the_written_throughput_as_primary() {
    let runs = fixture_runs("fileio_seqwr_mmap.txt");
    assert_eq!(runs[0].data.params["file-test-mode"], "seqwr");
    close(metric(&runs[0], "read_mib_per_sec"), 0.0);
    let a = analysis_of(&runs, |_| "native");
    assert_eq!(primary_row(&a, "sysbench.fileio").metric, "written_mib_per_sec");
    // A read/write mode keeps the read throughput first; the written one is listed beside it.
    let a = analysis_of(&fixture_runs("fileio_rndrw.txt"), |_| "native");
    assert_eq!(primary_row(&a, "sysbench.fileio").metric, "read_mib_per_sec");
    assert!(a.summary.iter().any(|r| r.metric == "written_mib_per_sec" && !r.primary));
}

/// A table written before the script was inferred (params `threads=2` only) pools
/// oltp_read_write runs with and without range selects: 14 and 10 reads per transaction
/// ("read: 14364" / "transactions: 1026"; "read: 9310" / "transactions: 931").
#[test]
fn fixture_oltp_runs_of_different_mixes_in_one_group_are_refused() {
    let mut runs = fixture_runs("oltp/oltp_read_write.txt");
    runs.extend(fixture_runs("oltp/oltp_read_write_range_selects_off.txt"));
    for r in &mut runs {
        r.data.params.retain(|k, _| k == "threads");
    }
    let a = analysis_of(&runs, |_| "native");
    let c = a.checks.iter().find(|c| c.check == "work_differs").expect("work_differs");
    assert!(
        c.detail.contains("reads per transaction: 10.0 in ") && c.detail.contains("; 14.0 in "),
        "{}",
        c.detail
    );
    assert!(
        c.detail.contains("queries per transaction: 16.0 in ") && c.detail.contains("; 20.0 in "),
        "{}",
        c.detail
    );
    // With the inferred params they are two groups, and nothing is refused.
    let mut runs = fixture_runs("oltp/oltp_read_write.txt");
    runs.extend(fixture_runs("oltp/oltp_read_write_range_selects_off.txt"));
    let a = analysis_of(&runs, |_| "native");
    assert!(a.checks.iter().all(|c| c.check != "work_differs"), "{:?}", a.checks);
}

/// stalled.txt: runs of "total time: 3.0160s" and "3.0033s", then one of "6.5703s" whose server
/// was stopped: more than twice the median of the three.
#[test]
fn fixture_oltp_stalled_run_is_named_for_its_run_time() {
    let runs = fixture_runs("oltp/stalled.txt");
    let a = analysis_of(&runs, |_| "native");
    let c: Vec<_> = a.checks.iter().filter(|c| c.check == "run_time_differs").collect();
    assert_eq!(c.len(), 1, "{:?}", a.checks);
    assert!(c[0].detail.starts_with("run 3 of ") && c[0].detail.contains("took 6.570 s"), "{}", c[0].detail);
    assert!(c[0].sources[0].ends_with("stalled.txt:83"), "{:?}", c[0].sources);
    // And the stall itself fails the log check.
    assert!(
        a.checks.iter().any(|c| c.check == "log_errors" && c.detail.starts_with("stalled: ")),
        "{:?}",
        a.checks
    );
}

/// snake0's 0.4 memory runs each transfer their whole 128 MiB ("128.00 MB transferred"): their
/// times ("total time: 1.2401s" to "16.8684s") are the result, which `high_cv` judges, not a limit a
/// stall overran.
#[test]
fn fixed_work_runs_are_not_judged_by_their_run_time() {
    let Some(p) = real("snake0__sync/sysbench_memory.txt") else { return };
    let runs = runs_of(&p);
    assert!(runs.iter().all(|r| better(r, "total_time_s") == Better::Lower));
    let a = analysis_of(&runs, |_| "native");
    assert!(a.checks.iter().all(|c| c.check != "run_time_differs"), "{:?}", a.checks);
}

// ------------------------------------------------------------------------------ live

/// Appends the output of `sysbench ARGS` in `dir` to `out`; returns its exit status.
fn sysbench(dir: &Path, out: &mut Vec<u8>, args: &[&str]) -> bool {
    let o = Command::new("sysbench").args(args).current_dir(dir).output().expect("sysbench runs");
    out.extend_from_slice(&o.stdout);
    out.extend_from_slice(&o.stderr);
    o.status.success()
}

#[test]
fn live_sysbench_runs_parse_to_sane_values() {
    if !have_tool("sysbench") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut out = Vec::new();
    assert!(sysbench(
        dir.path(),
        &mut out,
        &["cpu", "--threads=2", "--cpu-max-prime=3000", "--time=1", "run"]
    ));
    let mem = ["memory", "--memory-block-size=2K", "--memory-total-size=32M", "run"];
    assert!(sysbench(dir.path(), &mut out, &mem));
    let f = ["fileio", "--file-num=2", "--file-total-size=8M", "--file-test-mode=rndrd"];
    assert!(sysbench(dir.path(), &mut out, &[f[0], f[1], f[2], "prepare"]));
    assert!(sysbench(
        dir.path(),
        &mut out,
        &[f[0], f[1], f[2], f[3], "--time=1", "--report-interval=1", "run"]
    ));
    assert!(sysbench(dir.path(), &mut out, &[f[0], f[1], f[2], "cleanup"]));
    let log = dir.path().join("sysbench.log");
    std::fs::write(&log, &out).expect("write log");

    let runs = runs_of(&log);
    assert_eq!(workloads(&runs), ["sysbench.cpu", "sysbench.memory", "sysbench.fileio"]);
    let cpu = &runs[0];
    assert!(cpu.data.tool_version.as_deref().is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit())));
    assert_eq!(params(cpu), "cpu-max-prime=3000;threads=2");
    assert!(metric(cpu, "events_per_sec") > 0.0);
    assert!(metric(cpu, "latency_avg_ms") >= 0.0);
    let mem = &runs[1];
    assert_eq!(mem.data.params.get("memory-block-size").map(String::as_str), Some("2KiB"));
    assert_eq!(mem.data.params.get("memory-total-size").map(String::as_str), Some("32MiB"));
    close(metric(mem, "mib_transferred"), 32.0);
    assert_eq!(better(mem, "total_time_s"), Better::Lower);
    let fio = &runs[2];
    assert_eq!(fio.data.params.get("file-test-mode").map(String::as_str), Some("rndrd"));
    assert_eq!(fio.data.params.get("file-num").map(String::as_str), Some("2"));
    assert_eq!(fio.data.params.get("file-total-size").map(String::as_str), Some("8MiB"));
    assert!(metric(fio, "reads_per_sec") > 0.0);
    close(metric(fio, "writes_per_sec"), 0.0);
}

#[test]
fn live_other_tools_are_not_taken_for_sysbench() {
    if have_tool("pidstat") {
        let o = Command::new("pidstat").args(["-u", "1", "1"]).output().expect("pidstat runs");
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(!text.trim().is_empty());
        assert!(!SysbenchParser.sniff(&text), "{text}");
    }
    if have_tool("fio") {
        let dir = tempfile::tempdir().expect("temp dir");
        let o = Command::new("fio")
            .args(["--name=t", "--size=1M", "--rw=randread", "--bs=4k", "--runtime=1"])
            .current_dir(dir.path())
            .output()
            .expect("fio runs");
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.contains("fio-"), "{text}");
        assert!(!SysbenchParser.sniff(&text), "{text}");
    }
}
