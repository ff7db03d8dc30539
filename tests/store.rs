//! The store (`virtperf ingest --store`, `--store DIR --where ...`): real outputs in, the same
//! analysis tables out as from the raw files; idempotent ingest, changed files replaced, an
//! interrupted ingest's leftovers ignored; and the Parquet files read by DuckDB, pyarrow/pandas
//! and polars (tests/store_readers.py).

use std::path::{Path, PathBuf};
use std::process::Command;

use predicates::prelude::*;

use crate::util::{root, virtperf};

/// The four analysis tables every report and analyse writes.
const TABLES: &[&str] = &["summary.csv", "overhead.csv", "checks.csv", "subsystems.csv"];

/// Copies repetitions `reps` of every sample-data workload (native and docker, with their
/// pidstat logs) into `dest`: a second campaign made of real outputs.
fn campaign(dest: &Path, reps: &[u32]) {
    let sample = root().join("sample-data");
    for platform in ["native", "docker"] {
        for entry in std::fs::read_dir(sample.join(platform)).expect("sample-data") {
            let dir = entry.expect("entry").path();
            let to = dest.join(platform).join(dir.file_name().expect("name"));
            std::fs::create_dir_all(&to).expect("mkdir");
            for r in reps {
                for ext in ["txt", "pidstat"] {
                    let f = dir.join(format!("rep{r}.{ext}"));
                    if f.is_file() {
                        std::fs::copy(&f, to.join(format!("rep{r}.{ext}"))).expect("copy");
                    }
                }
            }
        }
    }
}

fn ingest(inputs: &[&Path], store: &Path, extra: &[&str]) -> String {
    let out = virtperf()
        .arg("ingest")
        .args(inputs)
        .arg("--store")
        .arg(store)
        .args(extra)
        .assert()
        .code(0)
        .get_output()
        .stderr
        .clone();
    String::from_utf8(out).expect("utf-8")
}

/// Asserts that the analysis tables in `a` and `b` are the same bytes.
#[track_caller]
fn same_tables(a: &Path, b: &Path) {
    for t in TABLES {
        let (x, y) = (std::fs::read(a.join(t)).expect("table"), std::fs::read(b.join(t)).expect("table"));
        assert!(x == y, "{t} differs between {} and {}", a.display(), b.display());
    }
}

/// Part files under `store`, relative, sorted.
fn parts(store: &Path) -> Vec<String> {
    let mut v: Vec<String> = walk(store)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .map(|p| p.strip_prefix(store).expect("under").display().to_string())
        .filter(|p| p.starts_with("campaign="))
        .collect();
    v.sort();
    v
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// sample-data plus a second campaign in one store: a report of each campaign read from the
/// store has the same analysis tables, byte for byte, as the report of its raw files; the
/// layout is Hive-style with the catalog apart.
#[test]
fn report_from_the_store_equals_report_from_raw_files() {
    let tmp = tempfile::tempdir().expect("tmp");
    let store = tmp.path().join("store");
    let rel2 = tmp.path().join("rel2");
    campaign(&rel2, &[2, 3, 4]);
    let sample = root().join("sample-data");
    let said = ingest(&[&sample, &rel2], &store, &[]);
    assert!(said.contains("files added, 0 replaced, 0 unchanged"), "{said}");
    let p = parts(&store);
    // sample-data's manifest names its campaign `lab`; rel2 has none: its folder's name.
    for want in ["campaign=lab/tool=sysbench/part-0.parquet", "campaign=rel2/tool=fio/part-0.parquet"] {
        assert!(p.contains(&want.to_string()), "{want} not in {p:?}");
    }
    assert!(store.join("_catalog/files.parquet").is_file());
    for (name, raw) in [("lab", &sample), ("rel2", &rel2)] {
        let (from_raw, from_store) =
            (tmp.path().join(format!("raw-{name}")), tmp.path().join(format!("st-{name}")));
        virtperf().arg("report").arg(raw).arg("--out").arg(&from_raw).arg("-q").assert().code(0);
        virtperf()
            .args(["report", "--store"])
            .arg(&store)
            .arg("--where")
            .arg(format!("campaign={name}"))
            .arg("--out")
            .arg(&from_store)
            .arg("-q")
            .assert()
            .code(0);
        same_tables(&from_raw, &from_store);
        // analyse and audit read it too.
        let an = tmp.path().join(format!("an-{name}"));
        virtperf()
            .args(["analyse", "--store"])
            .arg(&store)
            .arg("--where")
            .arg(format!("campaign={name}"))
            .arg("-q")
            .arg("--out")
            .arg(&an)
            .assert()
            .code(0);
        same_tables(&from_raw, &an);
    }
    // 5 workloads x 2 platforms x 3 repetitions, each output with its pidstat log.
    let audit = virtperf()
        .args(["audit", "--store"])
        .arg(&store)
        .args(["--where", "campaign=rel2"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&audit.stdout);
    assert!(text.contains("Audited 60 files: 30 benchmark runs, 30 monitor logs (pidstat)"), "{text}");
}

/// `--where` on a row-level key keeps only those rows; a campaign the store does not hold is
/// an error that lists the ones it does; a malformed filter names itself.
#[test]
fn where_filters_select_rows_and_refuse_what_is_not_there() {
    let tmp = tempfile::tempdir().expect("tmp");
    let store = tmp.path().join("store");
    let rel = tmp.path().join("rel1");
    campaign(&rel, &[1, 2, 3]);
    ingest(&[&rel], &store, &[]);
    let out = tmp.path().join("an");
    virtperf()
        .args(["analyse", "--store"])
        .arg(&store)
        .args([
            "--where",
            "platform=docker",
            "--where",
            "workload=fio.*",
            "--baseline",
            "docker",
            "-q",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(0);
    let summary = std::fs::read_to_string(out.join("summary.csv")).expect("summary");
    let mut lines = summary.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let (w, p) = (
        header.iter().position(|h| *h == "workload").expect("workload column"),
        header.iter().position(|h| *h == "platform").expect("platform column"),
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(!rows.is_empty());
    for r in &rows {
        assert!(r[w].starts_with("fio."), "{r:?}");
        assert_eq!(r[p], "docker", "{r:?}");
    }
    virtperf()
        .args(["report", "--store"])
        .arg(&store)
        .args(["--where", "campaign=nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has no campaign 'nope'; it has: rel1"));
    virtperf()
        .args(["analyse", "--store"])
        .arg(&store)
        .args(["--where", "host=x", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--where 'host=x': no key 'host'"));
    virtperf()
        .args(["analyse", "--store"])
        .arg(tmp.path())
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a store"));
}

/// Ingesting the same files again adds nothing; a changed file replaces its old rows (the
/// store then analyses as the changed folder does); part files an interrupted ingest left (no
/// catalog row names them) are not read, and the next ingest removes them.
#[test]
fn ingest_is_idempotent_replaces_changed_files_and_ignores_leftovers() {
    let tmp = tempfile::tempdir().expect("tmp");
    let store = tmp.path().join("store");
    let rel = tmp.path().join("rel1");
    campaign(&rel, &[1, 2, 3]);
    let first = ingest(&[&rel], &store, &[]);
    assert!(first.contains("60 files added"), "{first}");
    let before = parts(&store);
    let again = ingest(&[&rel], &store, &[]);
    assert!(again.contains("0 files added, 0 replaced, 60 unchanged; 0 metric rows"), "{again}");
    assert_eq!(parts(&store), before);

    // Repetition 1 of native sysbench-cpu becomes repetition 4's real output.
    let changed = rel.join("native/sysbench-cpu/rep1.txt");
    std::fs::copy(root().join("sample-data/native/sysbench-cpu/rep4.txt"), &changed).expect("copy");
    let third = ingest(&[&rel], &store, &[]);
    assert!(third.contains("0 files added, 1 replaced, 59 unchanged"), "{third}");
    assert!(third.ends_with("; 12 metric rows in 1 part file (campaign rel1)\n"), "{third}");
    let (raw, st) = (tmp.path().join("raw"), tmp.path().join("st"));
    virtperf().arg("analyse").arg(&rel).arg("-q").arg("--out").arg(&raw).assert().code(0);
    virtperf().args(["analyse", "-q", "--store"]).arg(&store).arg("--out").arg(&st).assert().code(0);
    let read = |p: &Path| std::fs::read_to_string(p.join("summary.csv")).expect("summary");
    // Same rows; a replaced file's rows come last in the store, so compare them sorted.
    let sorted = |s: String| {
        let mut v: Vec<String> = s.lines().map(str::to_string).collect();
        v.sort();
        v
    };
    let (want, got) = (sorted(read(&raw)), sorted(read(&st)));
    let first_diff = want.iter().zip(&got).find(|(a, b)| a != b);
    assert!(
        want.len() == got.len() && first_diff.is_none(),
        "{} vs {} rows; first difference: {first_diff:?}",
        want.len(),
        got.len()
    );

    // A leftover of an interrupted ingest: a part file the catalog does not name.
    let sys = store.join("campaign=rel1/tool=sysbench");
    let named = std::fs::read_dir(&sys).expect("dir").flatten().next().expect("a part").path();
    let stray = sys.join("part-99.parquet");
    std::fs::copy(&named, &stray).expect("copy");
    std::fs::write(sys.join(".part-100.parquet.tmp"), b"half a file").expect("write");
    let st2 = tmp.path().join("st2");
    virtperf().args(["analyse", "-q", "--store"]).arg(&store).arg("--out").arg(&st2).assert().code(0);
    assert!(read(&st) == read(&st2), "the leftover part was read");
    ingest(&[&rel], &store, &[]);
    assert!(!stray.exists() && !sys.join(".part-100.parquet.tmp").exists(), "leftovers not removed");
}

/// `--campaign` names the campaign of every input; `--where date` selects by the day the
/// files were last modified.
#[test]
fn campaign_flag_and_date_filter() {
    let tmp = tempfile::tempdir().expect("tmp");
    let store = tmp.path().join("store");
    let rel = tmp.path().join("whatever");
    campaign(&rel, &[1, 2, 3]);
    ingest(&[&rel], &store, &["--campaign", "release 1.2"]);
    assert!(store.join("campaign=release%201.2").is_dir(), "{:?}", parts(&store));
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let out = tmp.path().join("an");
    let analyse = |filters: &[String]| {
        let mut cmd = virtperf();
        cmd.args(["analyse", "-q", "--store"]).arg(&store).arg("--out").arg(&out);
        for f in filters {
            cmd.arg("--where").arg(f);
        }
        cmd.assert()
    };
    analyse(&["campaign=release 1.2".into(), format!("date>={today}"), format!("date<={today}")]).code(0);
    analyse(&["date<=2000-01-01".into()]).code(2).stderr(predicate::str::contains("no row of the store"));
}

/// DuckDB, pyarrow/pandas and polars read the store (tests/store_readers.py, which also
/// checks that the string columns are plain strings, not views). A reader that is not
/// installed is skipped with a message; under CI (`CI` set) it is a failure, since .ci/run
/// installs them.
#[test]
fn duckdb_pyarrow_pandas_and_polars_read_the_store() {
    let tmp = tempfile::tempdir().expect("tmp");
    let store = tmp.path().join("store");
    let rel2 = tmp.path().join("rel2");
    campaign(&rel2, &[1, 2]);
    ingest(&[&root().join("sample-data"), &rel2], &store, &[]);
    let script = root().join("tests/store_readers.py");
    let ci = std::env::var_os("CI").is_some();
    for reader in ["duckdb", "pyarrow", "pandas", "polars"] {
        let out = Command::new("python3").arg(&script).arg(reader).arg(&store).output();
        let out = match out {
            Ok(o) => o,
            Err(e) => {
                assert!(!ci, "python3 could not run: {e}");
                eprintln!("SKIPPED: python3 could not run: {e}");
                return;
            }
        };
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        if out.status.code() == Some(3) {
            assert!(!ci, "{reader} is not installed, but CI must have it: {stderr}");
            eprintln!("SKIPPED: {reader}: {stderr}");
            continue;
        }
        assert!(out.status.success(), "{reader} failed:\n{stdout}\n{stderr}");
        // Per campaign and tool, the rows the catalog says it wrote.
        assert!(
            stdout.contains("lab fio 265\n") && stdout.contains("lab sysbench 660\n"),
            "{reader}: {stdout}"
        );
        assert!(stdout.contains("rel2 sysbench "), "{reader}: {stdout}");
    }
}

/// Rows of a CSV file as maps (header -> cell).
fn csv_rows(p: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(p).expect("csv");
    let headers = r.headers().expect("header").clone();
    r.records()
        .map(|rec| {
            headers
                .iter()
                .zip(rec.expect("row").iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// `compare A B C`: one report, each campaign against the first (or --baseline-campaign), at
/// the Bonferroni-adjusted level: with 2 comparisons at 95%, each interval is the one a
/// two-campaign compare gives at 97.5%. The store's campaigns and the folders give the same
/// tables.
#[test]
fn compare_of_three_campaigns_adjusts_for_two_comparisons() {
    let tmp = tempfile::tempdir().expect("tmp");
    let store = tmp.path().join("store");
    let dirs: Vec<PathBuf> = (1..=3).map(|i| tmp.path().join(format!("rel{i}"))).collect();
    for (i, d) in dirs.iter().enumerate() {
        let i = i as u32 + 1;
        campaign(d, &[i, i + 1, i + 2]);
    }
    ingest(&dirs.iter().map(PathBuf::as_path).collect::<Vec<_>>(), &store, &[]);
    let out = tmp.path().join("cmp3");
    virtperf()
        .args(["compare", "rel1", "rel2", "rel3", "--store"])
        .arg(&store)
        .arg("--out")
        .arg(&out)
        .args(["-q", "--dump-context"])
        .assert()
        .code(0);
    let md = std::fs::read_to_string(out.join("report.md")).expect("report");
    assert!(
        md.starts_with(
            "# Campaign comparison: rel2, rel3 against rel1 (97.5% intervals: 95% adjusted for 2 comparisons, Bonferroni)"
        ),
        "{}",
        md.lines().next().unwrap_or("")
    );
    assert!(md.contains("Campaign rel2, rel3 compared with campaign rel1 (the baseline)"), "{md}");
    // The "did release N regress" view: per workload and platform, a figure of the primary
    // metric with the three campaigns side by side, its whiskers at the adjusted level (in the
    // workloads' sections, in the details file).
    let details = std::fs::read_to_string(out.join("report-details.md")).expect("report details");
    for platform in ["native", "docker"] {
        let figure =
            format!("![sysbench.cpu ({platform}): events_per_sec per campaign](figures/sysbench-cpu-");
        assert!(details.contains(&figure), "no {figure}");
    }
    let context: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("context.json")).expect("context"))
            .expect("json");
    let svg = std::fs::read_to_string(out.join("figures/sysbench-cpu-native-primary.svg")).expect("svg");
    for campaign in ["rel1", "rel2", "rel3"] {
        assert!(svg.lines().any(|l| l.trim_start().starts_with(campaign)), "{campaign} is not on the figure");
    }
    assert!(svg.contains("97.5% interval of the mean"), "the figure's legend");
    let captions: Vec<&str> = context["workloads"]
        .as_array()
        .expect("workloads")
        .iter()
        .flat_map(|w| w["figures"].as_array().expect("figures"))
        .filter_map(|f| f["caption"].as_str())
        .collect();
    assert!(captions.iter().any(|c| c.contains("whisker: 97.5% interval of the mean")), "{captions:?}");
    assert!(md.contains("Whiskers: 97.5% interval (Fieller)"), "headline figure caption");
    assert!(!captions.iter().any(|c| c.contains("98%")) && !md.contains("98%"), "97.5% printed as 98%");
    let three = csv_rows(&out.join("overhead.csv"));
    let primary: Vec<_> = three.iter().filter(|r| r["primary"] == "true").collect();
    // 5 workloads on 2 platforms, each of rel2 and rel3 against rel1.
    assert_eq!(primary.len(), 20);
    assert!(primary.iter().all(|r| r["baseline"] == "rel1"));

    // rel2 against rel1 alone, at 97.5%: the same intervals and verdicts.
    let pair = tmp.path().join("pair");
    virtperf()
        .arg("compare")
        .args([&dirs[0], &dirs[1]])
        .args(["--confidence", "0.975", "-q", "--out"])
        .arg(&pair)
        .assert()
        .code(0);
    let two = csv_rows(&pair.join("overhead.csv"));
    let rel2: Vec<_> = three.iter().filter(|r| r["platform"] == "rel2").collect();
    assert_eq!(rel2.len(), two.len());
    for (a, b) in rel2.iter().zip(&two) {
        for col in [
            "workload",
            "stratum",
            "metric",
            "change_pct",
            "change_ci_low_pct",
            "change_ci_high_pct",
            "verdict",
        ] {
            assert_eq!(a.get(col), b.get(col), "{col} of {} {}", a["workload"], a["metric"]);
        }
    }

    // From the folders: the same tables as from the store.
    let folders = tmp.path().join("folders");
    virtperf().arg("compare").args(&dirs).args(["-q", "--out"]).arg(&folders).assert().code(0);
    same_tables(&out, &folders);

    // Another baseline.
    let other = tmp.path().join("other");
    virtperf()
        .args(["compare", "rel1", "rel2", "rel3", "--baseline-campaign", "rel3", "-q", "--store"])
        .arg(&store)
        .arg("--out")
        .arg(&other)
        .assert()
        .code(0);
    assert!(csv_rows(&other.join("overhead.csv")).iter().all(|r| r["baseline"] == "rel3"));
    virtperf()
        .args(["compare", "rel1", "rel2", "--baseline-campaign", "rel9", "--store"])
        .arg(&store)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--baseline-campaign: 'rel9' is not one of the campaigns compared: rel1, rel2",
        ));
}
