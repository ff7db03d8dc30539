//! Labels of folders nobody on the team wrote (issue 13, part 5): the real folders of
//! ../shared/realdata read in place, and temp folders whose names the tests choose, holding
//! real outputs copied from sample-data (path words are not tool outputs: naming folders here
//! is fine, the files in them are real).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::util::*;

/// Copies sample-data's `<from>/sysbench-cpu/rep1..5.txt` (real sysbench outputs) into
/// `dest/<rel>/rep1..5.txt`.
fn cpu_runs(from: &str, dest: &Path, rel: &str) -> PathBuf {
    let to = dest.join(rel);
    std::fs::create_dir_all(&to).expect("mkdir");
    for r in 1..=5 {
        let f = root().join("sample-data").join(from).join(format!("sysbench-cpu/rep{r}.txt"));
        std::fs::copy(&f, to.join(format!("rep{r}.txt"))).expect("copy");
    }
    to
}

/// The rows of a CSV file as maps from column to value.
fn csv_rows(p: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let headers = r.headers().expect("headers").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("record");
            headers.iter().zip(rec.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()
        })
        .collect()
}

/// `virtperf ingest ARGS --out TABLE` (exiting with `code`) and, per source file, (platform,
/// detail, family, origin).
fn ingested_labels(
    args: &[&Path],
    table: &Path,
    code: i32,
) -> BTreeMap<String, (String, String, String, String)> {
    virtperf().arg("ingest").args(args).arg("--out").arg(table).arg("-q").assert().code(code);
    csv_rows(table)
        .into_iter()
        .map(|r| {
            (
                r["source"].clone(),
                (
                    r["platform"].clone(),
                    r["platform_detail"].clone(),
                    r["platform_family"].clone(),
                    r["label_origin"].clone(),
                ),
            )
        })
        .collect()
}

/// Real folders: each file gets the platform its own path names (SOURCES.md says which
/// platform each came from), with its family, in the ingested table.
#[test]
fn real_folders_get_the_platform_their_paths_name() {
    let Some(real) = realdata() else { return };
    let tmp = tempfile::tempdir().expect("tmp");
    let labels = ingested_labels(&[&real], &tmp.path().join("t.csv"), 1);
    let get = |rel: &str| {
        let key = real.join(rel).display().to_string();
        labels.get(&key).cloned().unwrap_or_else(|| panic!("{rel} not ingested: {:?}", labels.keys()))
    };
    let expect = [
        ("00sapo__Container-benchmarks/results.0__native.txt", "native", "", "native"),
        ("00sapo__Container-benchmarks/results.0__docker.txt", "docker", "", "container"),
        ("00sapo__Container-benchmarks/results.0__podman.txt", "podman", "", "container"),
        ("AAbiAbi__QEMU/docker-sysbench__result_1__config1_cpu_test1.txt", "docker", "config1", "container"),
        ("AAbiAbi__QEMU/result_raw__config1_cpu_test1.txt", "qemu", "raw,config1", "vm"),
        ("AAbiAbi__QEMU/result_qcow__config1_memory_test1.txt", "qemu", "qcow2,config1", "vm"),
        ("amandarito__coen241-hw1/qemu_cpu_test.txt", "qemu", "", "vm"),
        ("maxhbr__mvdiopt/native__workstation-Testing-random-4K-reads", "native", "", "native"),
        ("stephentambussi__COEN241-Work/HW1__VM_Results__vm_sysbench_cpu_results.txt", "vm", "", "vm"),
        // A Kubernetes service (SOURCES.md); `k8s` was not a platform word before.
        ("cgcgbcbc__flask-k8s-example/wrk.txt", "k8s", "", "container"),
        ("snake0__sync/sysbench_cpu.txt", "unknown", "", "unknown"),
    ];
    for (rel, platform, detail, family) in expect {
        let (p, d, f, o) = get(rel);
        assert_eq!((p.as_str(), d.as_str(), f.as_str()), (platform, detail, family), "{rel}");
        assert_eq!(o, if platform == "unknown" { "unknown" } else { "path" }, "{rel}");
    }
}

/// A stranger's folder named after two platforms: it decides nothing, each file's own folder
/// does, and a file directly under it stays unknown (with a warning that says why).
#[test]
fn a_folder_naming_two_platforms_decides_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let study = tmp.path().join("kvm-vs-docker");
    cpu_runs("native", &study, "native");
    cpu_runs("docker", &study, "docker");
    cpu_runs("qemu", &study, "qemu-kvm");
    std::fs::copy(root().join("sample-data/native/sysbench-cpu/rep1.txt"), study.join("cpu.txt"))
        .expect("copy");
    let labels = ingested_labels(&[&study], &tmp.path().join("t.csv"), 0);
    let platform_of = |rel: &str| labels[&study.join(rel).display().to_string()].clone();
    assert_eq!(platform_of("native/rep1.txt").0, "native");
    assert_eq!(platform_of("docker/rep3.txt").0, "docker");
    assert_eq!(
        (platform_of("qemu-kvm/rep5.txt").0.as_str(), platform_of("qemu-kvm/rep5.txt").2.as_str()),
        ("kvm", "vm")
    );
    assert_eq!(platform_of("cpu.txt").0, "unknown");
    let out =
        virtperf().arg("ingest").arg(&study).arg("--out").arg(tmp.path().join("u.csv")).assert().success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("cpu.txt: 'kvm-vs-docker' names kvm and docker, so it decides nothing"),
        "{stderr}"
    );
    // The report's appendix says which component decided.
    let rep = tmp.path().join("rep");
    virtperf().arg("report").arg(&study).arg("--out").arg(&rep).arg("-q").assert().success();
    let md = std::fs::read_to_string(rep.join("report-details.md")).expect("report.md");
    let appendix = md.split("## Appendix B").nth(1).expect("appendix B");
    let row = appendix.lines().find(|l| l.contains("native/rep2.txt")).expect("a row for native/rep2.txt");
    assert!(row.contains("path word 'native' in folder 'native' (path)"), "{row}");
}

/// `--label platform=` (empty) is a usage error naming the label, and a bad value in a mapping
/// file names the file and line; nothing is read.
#[test]
fn empty_or_bad_label_values_are_usage_errors() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = cpu_runs("native", tmp.path(), "native");
    let out = tmp.path().join("t.csv");
    virtperf()
        .arg("ingest")
        .arg(&dir)
        .args(["--label", "platform=", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "--label 'platform=': label 'platform' has an empty value; give one (e.g. platform=docker)",
        ));
    let mapping = tmp.path().join("m.csv");
    std::fs::write(&mapping, "pattern,platform,platform_family\nnative,kvm,vm\nrep2,kvm,cloud\n")
        .expect("write");
    virtperf()
        .arg("ingest")
        .arg(&dir)
        .arg("--labels")
        .arg(&mapping)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(format!(
            "{}:3: platform_family must be one of native, container, vm; got 'cloud'",
            mapping.display()
        )));
    assert!(!out.exists(), "nothing is written after a usage error");
}

/// Issue 13, parts 4 and 9: with `platform=native, platform_detail=host` the default baseline
/// and `--baseline native` find `native[host]`; a name that matches no platform is a usage
/// error listing the platforms (with the closest name); a platform with two details asks for a
/// choice.
#[test]
fn the_baseline_is_found_by_platform() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("study");
    cpu_runs("native", &dir, "native");
    cpu_runs("docker", &dir, "docker");
    let mapping = tmp.path().join("m.csv");
    std::fs::write(&mapping, "pattern,platform,platform_detail\n/native/,native,host\n").expect("write");
    let analyse = |extra: &[&str], out: &str| {
        let out = tmp.path().join(out);
        let assert = virtperf()
            .arg("analyse")
            .arg(&dir)
            .arg("--labels")
            .arg(&mapping)
            .args(extra)
            .arg("--out")
            .arg(&out)
            .assert();
        (assert, out)
    };
    for extra in [&[][..], &["--baseline", "native"], &["--baseline", "native[host]"]] {
        let (assert, out) = analyse(extra, "a");
        assert.success();
        let rows = csv_rows(&out.join("overhead.csv"));
        let primary: Vec<_> = rows.iter().filter(|r| r["primary"] == "true").collect();
        assert_eq!(primary.len(), 1, "{extra:?}: {rows:?}");
        assert_eq!(
            (primary[0]["baseline"].as_str(), primary[0]["platform"].as_str()),
            ("native[host]", "docker")
        );
        assert!(!csv_rows(&out.join("checks.csv")).iter().any(|c| c["check"] == "no_baseline"), "{extra:?}");
    }
    let (assert, _) = analyse(&["--baseline", "Native"], "b");
    assert.code(2).stderr(predicates::str::contains(
        "--baseline: no platform is called 'Native' (did you mean 'native'?); the platforms are: docker, native[host]",
    ));
    let (assert, _) = analyse(&["--baseline", "nosuch"], "c");
    assert.code(2).stderr(predicates::str::contains(
        "no platform is called 'nosuch'; the platforms are: docker, native[host]",
    ));

    // native with two details: --baseline native asks which; the default baseline reports it.
    cpu_runs("native", &dir, "native/b");
    std::fs::write(&mapping, "pattern,platform,platform_detail\n/native/b/,native,b\n/native/,native,a\n")
        .expect("write");
    let (assert, _) = analyse(&["--baseline", "native"], "d");
    assert.code(2).stderr(predicates::str::contains(
        "--baseline: 'native' is 2 platforms: native[a], native[b]; choose one, e.g. --baseline 'native[a]'",
    ));
    let rep = tmp.path().join("rep");
    virtperf()
        .arg("report")
        .arg(&dir)
        .arg("--labels")
        .arg(&mapping)
        .arg("--out")
        .arg(&rep)
        .arg("-q")
        .assert()
        .success();
    let md = std::fs::read_to_string(rep.join("report-details.md")).expect("report.md");
    assert!(
        md.contains("The baseline native is 2 platforms (native[a], native[b]), so nothing is compared"),
        "{}",
        &md[..600.min(md.len())]
    );
    let checks = csv_rows(&rep.join("checks.csv"));
    let nb = checks.iter().find(|c| c["check"] == "no_baseline").expect("a no_baseline check");
    assert!(
        nb["detail"].starts_with("the baseline 'native' is 2 platforms (native[a], native[b])"),
        "{nb:?}"
    );
    let (assert, _) = analyse(&["--baseline", "native[b]"], "e");
    assert.success();
}

/// Per source file of an ingested table: (platform, detail, family, campaign).
fn labels_of_table(table: &Path) -> BTreeMap<String, (String, String, String, String)> {
    csv_rows(table)
        .into_iter()
        .map(|r| {
            let v = (
                r["platform"].clone(),
                r["platform_detail"].clone(),
                r["platform_family"].clone(),
                r["campaign"].clone(),
            );
            (r["source"].clone(), v)
        })
        .collect()
}

/// `virtperf labels DIR --write m.csv` then `--labels m.csv` gives every file the labels it
/// had: on real folders (in place), the manifest-labelled sample campaign, and a folder whose
/// names hold glob characters, commas, quotes and a path that is a prefix of another's.
#[test]
fn labels_write_round_trips_through_labels() {
    let tmp = tempfile::tempdir().expect("tmp");
    let odd = tmp.path().join("their \"results\", [2024]");
    cpu_runs("native", &odd, "native*");
    // A plain path (no glob character) is a substring pattern too: the exact row must win.
    let plain = tmp.path().join("plain");
    let kvm = cpu_runs("qemu", &plain, "x/kvm");
    // rep1.txt.docker's path holds rep1.txt's: a substring pattern would give it kvm.
    std::fs::copy(root().join("sample-data/docker/sysbench-cpu/rep1.txt"), kvm.join("rep1.txt.docker"))
        .expect("copy");
    let mut inputs =
        vec![odd.clone(), plain.clone(), root().join("sample-data/docker"), root().join("sample-data/qemu")];
    inputs.extend(realdata());
    let mapping = tmp.path().join("m.csv");
    let assert = virtperf().arg("labels").args(&inputs).arg("--write").arg(&mapping).assert();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    let line = stdout.lines().find(|l| l.contains("rep1.txt.docker")).expect("a line for rep1.txt.docker");
    assert!(line.starts_with("docker "), "{line}");
    assert!(line.ends_with("rep1.txt.docker: path word 'docker' in the file name"), "{line}");
    let before = tmp.path().join("before.csv");
    let after = tmp.path().join("after.csv");
    let code = if inputs.len() > 4 { 1 } else { 0 };
    assert.code(code);
    virtperf().arg("ingest").args(&inputs).arg("--out").arg(&before).arg("-q").assert().code(code);
    virtperf()
        .arg("ingest")
        .args(&inputs)
        .arg("--labels")
        .arg(&mapping)
        .arg("--out")
        .arg(&after)
        .arg("-q")
        .assert()
        .code(code);
    let (b, a) = (labels_of_table(&before), labels_of_table(&after));
    assert!(b.len() > 40, "{}", b.len());
    assert_eq!(b.len(), a.len());
    let differ: Vec<_> =
        b.iter().filter(|(k, v)| a.get(*k) != Some(v)).map(|(k, v)| (k, v, a.get(k))).collect();
    assert!(differ.is_empty(), "labels that changed (before, after): {differ:?}");
    assert_eq!(b[&kvm.join("rep1.txt.docker").display().to_string()].0, "docker");
    assert_eq!(b[&kvm.join("rep1.txt").display().to_string()].0, "kvm");
    let origins: std::collections::BTreeSet<String> =
        csv_rows(&after).into_iter().map(|r| r["label_origin"].clone()).collect();
    let expected: &[&str] = if inputs.len() > 4 { &["mapping", "unknown"] } else { &["mapping"] };
    assert_eq!(origins.iter().map(String::as_str).collect::<Vec<_>>(), expected);

    // The report of the folder reads the same labels back, file by file.
    let appendix = |args: &[&str], out: &str| -> BTreeMap<String, String> {
        let out = tmp.path().join(out);
        virtperf()
            .arg("report")
            .arg(&odd)
            .arg(&plain)
            .args(args)
            .arg("--out")
            .arg(&out)
            .arg("-q")
            .assert()
            .success();
        let ctx: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("context.json")).expect("context"))
                .expect("json");
        ctx["files"]
            .as_array()
            .expect("files")
            .iter()
            .map(|f| (f["source"].as_str().unwrap().to_string(), f["platform"].as_str().unwrap().to_string()))
            .collect()
    };
    let m = mapping.to_str().expect("utf-8");
    let unmapped = appendix(&["--dump-context"], "r1");
    assert_eq!(unmapped.len(), 11);
    assert_eq!(unmapped, appendix(&["--dump-context", "--labels", m], "r2"));
    // Every benchmark output of the folders got a platform: exit status 0.
    virtperf().arg("labels").arg(&odd).arg(&plain).assert().success();
}

/// The primary rows of an analysis table, by (workload, platform): the row.
fn primary_rows(p: &Path) -> BTreeMap<(String, String), BTreeMap<String, String>> {
    csv_rows(p)
        .into_iter()
        .filter(|r| r["primary"] == "true")
        .map(|r| ((r["workload"].clone(), r["platform"].clone()), r))
        .collect()
}

/// `--group-by family` pools kvm and qemu runs into `vm` (and docker into `container`): the
/// pooled mean is the run-weighted mean of the per-platform means, the appendix keeps each
/// file's own platform, and a table from `virtperf ingest` groups the same way.
#[test]
fn group_by_family_pools_platforms_of_one_family() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("study");
    cpu_runs("native", &dir, "native");
    cpu_runs("docker", &dir, "docker");
    cpu_runs("qemu", &dir, "kvm");
    cpu_runs("qemu", &dir, "qemu-tcg");
    let run = |args: &[&str], out: &str| -> PathBuf {
        let out = tmp.path().join(out);
        virtperf().args(args).arg("--out").arg(&out).arg("-q").assert().success();
        out
    };
    let d = dir.to_str().expect("utf-8");
    let by_platform = primary_rows(&run(&["analyse", d], "p").join("summary.csv"));
    let by_family = primary_rows(&run(&["analyse", d, "--group-by", "family"], "f").join("summary.csv"));
    let w = "sysbench.cpu".to_string();
    let platforms: Vec<&String> = by_platform.keys().map(|k| &k.1).collect();
    assert_eq!(platforms, ["docker", "kvm", "native", "qemu"]);
    let families: Vec<&String> = by_family.keys().map(|k| &k.1).collect();
    assert_eq!(families, ["container", "native", "vm"]);
    let num = |r: &BTreeMap<String, String>, c: &str| r[c].parse::<f64>().expect("number");
    let (kvm, qemu, vm) = (
        &by_platform[&(w.clone(), "kvm".into())],
        &by_platform[&(w.clone(), "qemu".into())],
        &by_family[&(w.clone(), "vm".into())],
    );
    assert_eq!(num(vm, "n"), num(kvm, "n") + num(qemu, "n"));
    let pooled = (num(kvm, "mean") * num(kvm, "n") + num(qemu, "mean") * num(qemu, "n")) / num(vm, "n");
    close(num(vm, "mean"), pooled);
    close(
        num(&by_family[&(w.clone(), "container".into())], "mean"),
        num(&by_platform[&(w.clone(), "docker".into())], "mean"),
    );
    let overhead = csv_rows(&run(&["analyse", d, "--group-by", "family"], "f2").join("overhead.csv"));
    let compared: std::collections::BTreeSet<(&str, &str)> =
        overhead.iter().map(|r| (r["baseline"].as_str(), r["platform"].as_str())).collect();
    assert_eq!(compared.into_iter().collect::<Vec<_>>(), [("native", "container"), ("native", "vm")]);

    // The baseline is then a family; a platform's name says which.
    virtperf()
        .args(["analyse", d, "--group-by", "family", "--baseline", "docker", "--out"])
        .arg(tmp.path().join("x"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "no platform is called 'docker'; the platforms are: container, native, vm (with --group-by family \
             the platforms compared are families: 'docker' is in family 'container', so --baseline container)",
        ));

    // From an ingested table, the same groups and means.
    let table = tmp.path().join("t.csv");
    virtperf().arg("ingest").arg(&dir).arg("--out").arg(&table).arg("-q").assert().success();
    let from_table = primary_rows(
        &run(&["analyse", table.to_str().expect("utf-8"), "--group-by", "family"], "t").join("summary.csv"),
    );
    assert_eq!(from_table.keys().collect::<Vec<_>>(), by_family.keys().collect::<Vec<_>>());
    for (k, r) in &by_family {
        close(num(&from_table[k], "mean"), num(r, "mean"));
    }

    // The report: arms are families; the appendix says each file's platform and why.
    let rep = run(&["report", d, "--group-by", "family"], "rep");
    let md = std::fs::read_to_string(rep.join("report-details.md")).expect("report.md");
    assert!(md.contains("| vm: kvm, qemu | 10 | 10 |"), "{}", &md[..1500.min(md.len())]);
    let appendix = md.split("## Appendix B").nth(1).expect("appendix B");
    let row =
        appendix.lines().find(|l| l.contains("qemu-tcg/rep4.txt")).expect("a row for qemu-tcg/rep4.txt");
    assert!(row.contains("| vm | qemu (family vm): path word 'qemu' in folder 'qemu-tcg' (path) |"), "{row}");
}

/// `compare A B --group-by family`: each campaign's platforms are pooled by family, so the
/// strata are families.
#[test]
fn compare_groups_by_family() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (a, b) = (tmp.path().join("before"), tmp.path().join("after"));
    for side in [&a, &b] {
        cpu_runs("native", side, "native");
        cpu_runs("qemu", side, "kvm");
        cpu_runs("qemu", side, "vm");
    }
    let out = tmp.path().join("cmp");
    virtperf()
        .arg("compare")
        .arg(&a)
        .arg(&b)
        .args(["--group-by", "family", "--out"])
        .arg(&out)
        .arg("-q")
        .assert()
        .success();
    let rows = csv_rows(&out.join("overhead.csv"));
    let strata: std::collections::BTreeSet<&str> =
        rows.iter().filter(|r| r["primary"] == "true").map(|r| r["stratum"].as_str()).collect();
    assert_eq!(strata.into_iter().collect::<Vec<_>>(), ["native", "vm"]);
    let vm = rows.iter().find(|r| r["primary"] == "true" && r["stratum"] == "vm").expect("a vm row");
    assert_eq!((vm["n"].as_str(), vm["baseline_n"].as_str()), ("10", "10"));
}

/// Issue 13, part 9: bare-metal runs in `kvm-study/bm/` get `kvm` from the study's folder name
/// and are pooled with the real KVM runs of `kvm-study/kvm/`: audit and report warn, naming
/// both ways and a file of each; a consistent folder gets no such warning.
#[test]
fn labels_from_different_depths_are_not_pooled_silently() {
    let tmp = tempfile::tempdir().expect("tmp");
    let study = tmp.path().join("kvm-study");
    cpu_runs("native", &study, "bm");
    cpu_runs("qemu", &study, "kvm");
    let out = virtperf().arg("audit").arg(&study).assert();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.contains(
            "warn mixed_labels    kvm: the files of kvm got that label in different ways and are pooled as \
             one platform: word 'kvm' in the file's folder (5 files); word 'kvm' in the folder 2 levels up \
             (5 files)"
        ),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("       {}", study.join("kvm/rep1.txt").display())), "{stdout}");
    assert!(stdout.contains(&format!("       {}", study.join("bm/rep1.txt").display())), "{stdout}");
    let rep = tmp.path().join("rep");
    virtperf().arg("report").arg(&study).arg("--out").arg(&rep).arg("-q").assert().success();
    let checks = csv_rows(&rep.join("checks.csv"));
    assert_eq!(checks.iter().filter(|c| c["check"] == "mixed_labels").count(), 1, "{checks:?}");

    // Labelled from their own folders, the same files raise nothing.
    let clean = tmp.path().join("clean");
    cpu_runs("native", &clean, "native");
    cpu_runs("qemu", &clean, "kvm");
    let out = virtperf().arg("audit").arg(&clean).assert();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(!stdout.contains("mixed_labels"), "{stdout}");
}
