//! Unit tests of the shared helpers, and the never-panics property tests over real outputs.

use proptest::prelude::*;

use super::*;
use crate::ingest::text::edits::{cut, edit_lines};

#[test]
fn sizes_are_spelled_with_the_largest_exact_binary_suffix() {
    assert_eq!(size_word(4096.0), "4k");
    assert_eq!(size_word(524288.0), "512k");
    assert_eq!(size_word(1048576.0), "1m");
    assert_eq!(size_word(131072.0), "128k");
    assert_eq!(size_word(4000.0), "4000");
    assert_eq!(size_word(512.0), "512");
    assert_eq!(size_word(100.0 * 1024.0 * 1024.0 * 1024.0), "100g");
}

#[test]
fn option_sizes_follow_fio_compatibility_mode() {
    // man fio, Units: with the default kb_base=1024, "k" is 1024 and "KiB" is 1000.
    assert_eq!(option_bytes("4k", false), Some(4096.0));
    assert_eq!(option_bytes("4K", false), Some(4096.0));
    assert_eq!(option_bytes("1gb", false), Some(1073741824.0));
    assert_eq!(option_bytes("4096", false), Some(4096.0));
    assert_eq!(option_bytes("4KiB", false), Some(4000.0));
    assert_eq!(option_bytes("4KiB", true), Some(4096.0));
    assert_eq!(option_bytes("4kB", true), Some(4000.0));
    assert_eq!(option_bytes("100%", false), None);
    assert_eq!(option_bytes("", false), None);
}

#[test]
fn printed_sizes_use_iec_for_fio3_and_1024_for_fio2() {
    assert_eq!(out_bytes("920MiB/s", true), Some(920.0 * 1048576.0));
    assert_eq!(out_bytes("965MB/s", true), Some(965e6));
    assert_eq!(out_bytes("1018kB/s", true), Some(1018e3));
    assert_eq!(out_bytes("4096B", true), Some(4096.0));
    assert_eq!(out_bytes("16.0KiB", true), Some(16384.0));
    assert_eq!(out_bytes("254727KB/s", false), Some(254727.0 * 1024.0));
    assert_eq!(out_bytes("29854MB", false), Some(29854.0 * 1048576.0));
    assert_eq!(out_bytes("4K", false), Some(4096.0));
    assert_eq!(out_bytes("8Mibit/s", true), Some(1048576.0));
    assert_eq!(out_bytes("12 furlongs", true), None);
}

#[test]
fn bs_has_one_spelling_whatever_the_source() {
    assert_eq!(option_bs("4k", false).as_deref(), Some("4k"));
    assert_eq!(option_bs("4096", false).as_deref(), Some("4k"));
    assert_eq!(option_bs("8k,32k", false).as_deref(), Some("8k,32k"));
    // man fio: "bs=8k,32k," means default (4k) for trims.
    assert_eq!(option_bs("8k,32k,", false).as_deref(), Some("8k,32k,4k"));
    assert_eq!(option_bs(",8k", false).as_deref(), Some("4k,8k"));
    assert_eq!(option_bs("4k-16k", false).as_deref(), Some("4k-16k"));
    assert_eq!(bs_word(&[(4096.0, 4096.0); 3]), "4k");
}

#[test]
fn workloads_come_from_rw_or_from_the_job_name() {
    assert_eq!(workload_from_rw("randread"), "fio.randread");
    assert_eq!(workload_from_rw("readwrite"), "fio.rw");
    assert_eq!(workload_from_rw("write:4k"), "fio.write");
    assert_eq!(workload_from_name("read"), "fio.read");
    assert_eq!(workload_from_name("bs4k-job"), "fio.bs4k-job");
    assert_eq!(workload_from_name("  "), "fio.job");
}

#[test]
fn options_become_params_and_facts() {
    let opts: Vec<(String, String)> = [
        ("rw", "readwrite"),
        ("bs", "4k"),
        ("iodepth", "01"),
        ("buffered", "0"),
        ("size", "100%%"),
        ("rwmixwrite", "30"),
        ("filename", "/dev/sdb"),
        ("runtime", "60"),
        ("write_bw_log", "x"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let mut params = Params::new();
    let mut facts = BTreeMap::new();
    let rw = params_from_options(&opts, &mut params, &mut facts);
    assert_eq!(rw.as_deref(), Some("readwrite"));
    assert_eq!(crate::model::params_string(&params), "bs=4k;direct=1;iodepth=1;rw=rw;rwmixread=70;size=100%");
    assert_eq!(facts.get("filename").map(String::as_str), Some("/dev/sdb"));
    assert_eq!(facts.get("runtime").map(String::as_str), Some("60"));
}

#[test]
fn disk_util_prefers_the_job_device() {
    let disks = vec![("sdb".to_string(), 99.9), ("sda".to_string(), 12.0)];
    assert_eq!(pick_disk_util(&disks, Some("/dev/sda")), Some(12.0));
    assert_eq!(pick_disk_util(&disks, Some("test.bin")), Some(99.9));
    assert_eq!(pick_disk_util(&disks, None), Some(99.9));
    assert_eq!(pick_disk_util(&[], None), None);
}

#[test]
fn clones_are_added_up() {
    let lat = |mean: f64, stdev: f64, min: f64, max: f64| Some(Lat { min, max, mean, stdev });
    let clone = |iops: f64, ios: f64, mean: f64, p99: f64, usr: f64, run: f64| Job {
        name: "wr".into(),
        dirs: [
            None,
            Some(DirStats {
                iops: Some(iops),
                bw_kib: Some(iops * 4.0),
                io_kib: Some(ios * 4.0),
                runtime_ms: Some(run),
                ios: Some(ios),
                clat: lat(mean, 1.0, mean / 2.0, mean * 3.0),
                pcts: vec![(99.0, p99)],
                ..DirStats::default()
            }),
            None,
            None,
        ],
        cpu_usr: Some(usr),
        run_ms: Some(run),
        ctx: Some(10.0),
        members: 1,
        first_line: 5,
        last_line: 9,
        ..Job::default()
    };
    let merged = merge_clones(vec![
        clone(100.0, 300.0, 10.0, 40.0, 2.0, 100.0),
        clone(50.0, 100.0, 30.0, 90.0, 6.0, 300.0),
    ]);
    let w = merged.dirs[Ddir::Write.idx()].as_ref().expect("write");
    assert_eq!(w.iops, Some(150.0));
    assert_eq!(w.bw_kib, Some(600.0));
    assert_eq!(w.ios, Some(400.0));
    assert_eq!(w.runtime_ms, Some(300.0));
    let c = w.clat.expect("clat");
    // (300 * 10 + 100 * 30) / 400
    assert!((c.mean - 15.0).abs() < 1e-12);
    // sqrt((300 * (1 + 25) + 100 * (1 + 225)) / 400) = sqrt(76)
    assert!((c.stdev - 76f64.sqrt()).abs() < 1e-12);
    assert_eq!((c.min, c.max), (5.0, 90.0));
    assert_eq!(w.pcts, vec![(99.0, 90.0)]);
    // (2 * 100 + 6 * 300) / 400
    assert_eq!(merged.cpu_usr, Some(5.0));
    assert_eq!(merged.ctx, Some(20.0));
    assert_eq!(merged.members, 2);
}

#[test]
fn nanoseconds_convert_without_float_noise() {
    assert_eq!(scale(126423.5, 1e-3), 126.4235);
    assert_eq!(scale(4.0, 1e3), 4000.0);
}

#[test]
fn lines_keep_offsets_and_lose_carriage_returns() {
    let t = "a\r\nJobs: 1\rrr: (groupid=0\n\nlast";
    let lines = split_lines(t);
    let texts: Vec<&str> = lines.iter().map(|l| l.text).collect();
    assert_eq!(texts, vec!["a", "rr: (groupid=0", "", "last"]);
    assert_eq!(lines[1].start, 3);
    assert_eq!(lines[3].no, 4);
    assert_eq!(split_lines("x\n").len(), 1);
}

#[test]
fn notes_read_like_each_other_without_pids() {
    let l = Line {
        no: 3,
        text: "fio: pid=432751, err=11/file:engines/libaio.c:354, func=io_queue_init",
        start: 0,
    };
    let n = Note::parse(&l).expect("note");
    assert_eq!(n.err, Some(11));
    assert_eq!(n.without_pid(), "fio: pid=N, err=11/file:engines/libaio.c:354, func=io_queue_init");
    let l = Line { no: 1, text: "fio: terminating on signal 2", start: 0 };
    assert_eq!(Note::parse(&l).and_then(|n| n.err), None);
    assert!(Note::parse(&Line { no: 1, text: "1m: you need to specify size=", start: 0 }).is_none());
}

#[test]
fn banners_are_whole_lines() {
    assert!(is_banner("fio-3.33"));
    assert!(is_banner("fio-2.18-59-g618e"));
    assert!(!is_banner("fio-3.33 is great"));
    assert!(!is_banner("fio-tests"));
    // fio 2.0.6 and 2.0.7 print a space.
    assert_eq!(banner_version("fio 2.0.7").as_deref(), Some("fio-2.0.7"));
    assert_eq!(banner_version("fio-3.33").as_deref(), Some("fio-3.33"));
    assert_eq!(banner_version("fio 2.0.7 rocks"), None);
    assert_eq!(banner_version("fio tests"), None);
}

#[test]
fn other_tools_are_not_sniffed() {
    let p = FioParser;
    assert!(!p.sniff(
        "sysbench 1.0.20 (using system LuaJIT 2.1.0-beta3)\n\nRunning the test with following options:\n"
    ));
    assert!(!p.sniff("Running 30s test @ http://127.0.0.1:8080/\n  12 threads and 400 connections\n"));
    assert!(!p.sniff("Linux 6.8.0-79-generic (host) \t10/23/2025 \t_x86_64_\t(2 CPU)\n\n01:02:03 PM   UID       PID    %usr\n"));
    assert!(!p.sniff("$ echo fio is next\n"));
    assert!(p.sniff("fio: terminating on signal 2\n{\n  \"fio version\" : \"fio-3.33\",\n"));
    assert!(p.sniff("rr: (g=0): rw=randread, bs=(R) 4096B-4096B, (W) 4096B-4096B, (T) 4096B-4096B, ioengine=psync, iodepth=1\n"));
}

#[test]
fn a_file_without_fio_results_is_refused_with_what_was_expected() {
    let err = FioParser.parse("hello\nworld\n", &ParseOptions::default()).expect_err("refused");
    assert_eq!(err.line, 2);
    assert!(err.message.contains("no fio results found"), "{}", err.message);
    let err = FioParser
        .parse("{\n  \"fio version\" : \"fio-3.33\",\n  \"jobs\" : [\n", &ParseOptions::default())
        .expect_err("cut JSON");
    assert!(err.message.contains("is cut off"), "{}", err.message);
}

/// Real outputs committed in this repository (made by `tests/fixtures/fio/make.sh`) and, when
/// present, the third-party files of `../shared/realdata`.
fn real_texts() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("tests/fixtures/fio")];
    for d in [
        "louwrentius__fio-plot",
        "bensonjohnson__FIO-tests",
        "maxhbr__mvdiopt",
        "mcgrof__fio-tests",
        "JBernsteinIV__disk_test",
        "BrahiamAcosta__SO-Kernel-trace-extraction",
        "brucechin__HardwareTest",
    ] {
        dirs.push(root.join("../shared/realdata").join(d));
    }
    let mut out = Vec::new();
    for d in dirs {
        let Ok(entries) = std::fs::read_dir(&d) else {
            // Absent outside CI: skipped. Under CI a missing input fails like a missing tool.
            assert!(std::env::var_os("CI").is_none(), "{} is absent, but CI must have it", d.display());
            continue;
        };
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if p.extension().is_some_and(|e| e == "sh") {
                continue;
            }
            if let Ok(bytes) = std::fs::read(&p) {
                out.push(String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
    assert!(out.len() >= 10, "the fio fixtures are missing");
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(s in "\\PC{0,400}") {
        let _ = FioParser.sniff(&s);
        let _ = FioParser.parse(&s, &ParseOptions::default());
    }

    #[test]
    fn fio_like_noise_never_panics(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("{".to_string()),
                Just("}".to_string()),
                Just("\"fio version\" : \"fio-3.33\",".to_string()),
                Just("  read: IOPS=1k, BW=4MiB/s (4MB/s)(4MiB/1msec)".to_string()),
                Just("x: (groupid=0, jobs=1): err= 0: pid=1: d".to_string()),
                Just("x: (g=0): rw=read, bs=(R) 4096B-4096B".to_string()),
                Just("    clat percentiles (usec):".to_string()),
                Just("     |  1.00th=[   82],  5.00th=[".to_string()),
                Just("Run status group 0 (all jobs):".to_string()),
                Just("   READ: bw=1MiB/s (1MB/s), io=".to_string()),
                Just("fio: pid=1, err=5/x".to_string()),
                "3;fio-3.33;j;0;0(;[0-9.%=a-z]{0,4}){0,200}",
                "\\PC{0,40}",
            ],
            0..40,
        )
    ) {
        let s = parts.join("\n");
        let _ = FioParser.sniff(&s);
        let _ = FioParser.parse(&s, &ParseOptions::default());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn real_outputs_cut_and_shuffled_never_panic(
        pick in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 0..6),
    ) {
        let texts = real_texts();
        let text = &texts[pick.index(texts.len())];
        let prefix = cut(text, at.index(text.len() + 1));
        let _ = FioParser.parse(prefix, &ParseOptions::default());
        let mutated = edit_lines(text, &edits);
        let _ = FioParser.sniff(&mutated);
        if let Ok(out) = FioParser.parse(&mutated, &ParseOptions::default()) {
            for run in &out.runs {
                prop_assert!(run.first_line >= 1 && run.first_line <= run.last_line);
                prop_assert!(run.metrics.iter().all(|m| m.value.is_finite()));
            }
        }
    }
}
