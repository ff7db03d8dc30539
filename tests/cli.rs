//! The command line end to end.

use crate::util::*;
use predicates::prelude::*;

#[test]
fn unknown_format_is_a_usage_error() {
    virtperf()
        .args(["ingest", ".", "--format", "fioo", "--out", "/dev/null.csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no parser named 'fioo'"));
}

/// The README's quick start names the test command; CI must run exactly that command.
#[test]
fn readme_test_command_is_what_ci_runs() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    let quick = readme.split("## Quick start").nth(1).expect("README has a '## Quick start' section");
    let block = quick.split("```").nth(1).expect("the quick start holds a code block");
    let commands: Vec<&str> = block
        .lines()
        .skip(1)
        .map(|l| l.split(" # ").next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(commands.len(), 2, "the quick start is two commands: {commands:?}");
    let test_command = commands[1];
    assert!(test_command.starts_with("cargo test"), "second command runs the tests: {test_command}");
    let ci_lines: Vec<&str> =
        ci.lines().map(str::trim).filter(|l| !l.starts_with('#') && !l.is_empty()).collect();
    assert_eq!(ci_lines.last(), Some(&test_command), ".ci/run must end with the README's test command");
}

/// Every metric name the parsers emit on the real outputs in the repository (fixtures,
/// sample-data, and ../shared/realdata when present) is documented in docs/metrics.md, either
/// by name or, for fio's per-direction metrics, as `<dir>_name` / a listed `_suffix`.
#[test]
fn every_emitted_metric_is_documented() {
    let doc = std::fs::read_to_string(root().join("docs/metrics.md")).unwrap();
    let mut inputs = vec![root().join("tests/fixtures"), root().join("sample-data")];
    inputs.extend(realdata());
    let out = ingest_paths(&inputs);
    let names: std::collections::BTreeSet<&str> =
        out.runs.iter().flat_map(|r| r.data.metrics.iter().map(|m| m.name.as_ref())).collect();
    assert!(names.len() > 40, "too few metrics found: {names:?}");
    let documented = |name: &str| {
        if doc.contains(&format!("`{name}`")) {
            return true;
        }
        let name = name.strip_prefix("host_").unwrap_or(name);
        if doc.contains(&format!("`{name}`")) {
            return true;
        }
        let Some(rest) = ["read_", "write_", "trim_"].iter().find_map(|d| name.strip_prefix(d)) else {
            return false;
        };
        if doc.contains(&format!("`<dir>_{rest}`")) {
            return true;
        }
        // A listed suffix of at least two words: `_stdev_us` for read_clat_stdev_us.
        let words: Vec<&str> = rest.split('_').collect();
        (1..words.len().saturating_sub(1)).any(|i| doc.contains(&format!("`_{}`", words[i..].join("_"))))
    };
    let missing: Vec<&&str> = names.iter().filter(|n| !documented(n)).collect();
    assert!(missing.is_empty(), "metrics missing from docs/metrics.md: {missing:?}");
}

/// Every metric the parsers emit on the real outputs (fixtures, sample-data, ../shared/realdata)
/// carries the kind its parser declares, and `ingest::declared_kind` (the rule for tables
/// written before the `kind` column) gives the same: resource for all of pidstat's and fio's
/// CPU, context-switch and disk-use numbers, performance for the rest. docs/metrics.md lists
/// every resource metric's kind.
#[test]
fn every_emitted_metric_has_its_declared_kind() {
    use virtperf::model::Kind;
    let doc = std::fs::read_to_string(root().join("docs/metrics.md")).unwrap();
    let mut inputs = vec![root().join("tests/fixtures"), root().join("sample-data")];
    inputs.extend(realdata());
    let out = ingest_paths(&inputs);
    let mut resources = std::collections::BTreeSet::new();
    for r in &out.runs {
        for m in &r.data.metrics {
            let declared = virtperf::ingest::declared_kind(&r.data.tool, &m.name);
            assert_eq!(m.kind, declared, "{} {} in {}", r.data.tool, m.name, r.source);
            assert_eq!(
                m.kind == Kind::Resource,
                r.data.tool == "pidstat"
                    || virtperf::ingest::fio::RESOURCE_METRICS.contains(&m.name.as_ref())
                    || (r.data.tool == "iperf3"
                        && virtperf::ingest::iperf3::RESOURCE_METRICS.contains(&m.name.as_ref()))
            );
            if m.kind == Kind::Resource {
                resources.insert(m.name.strip_prefix("host_").unwrap_or(&m.name).to_string());
            }
        }
    }
    assert!(resources.contains("cpu_pct_mean") && resources.contains("cpu_usr_pct"), "{resources:?}");
    for name in &resources {
        // (`duration_s` is also wrk's, a performance metric: one of its rows must say resource.)
        let documented =
            doc.lines().any(|l| l.starts_with(&format!("| `{name}` |")) && l.contains("| resource |"));
        assert!(documented, "docs/metrics.md does not say {name} is a resource");
    }
}

/// The percentile a metric is, by the naming docs/metrics.md gives every percentile
/// (`<distribution>_p<N>[_<decimals>]_<ms|us>`): the test's own reading of a name, to check the
/// declarations the parsers make where they make the metric.
fn percentile_by_name(name: &str) -> Option<(String, f64)> {
    let rest = name.strip_suffix("_ms").or_else(|| name.strip_suffix("_us"))?;
    let (of, p) = rest.rsplit_once("_p")?;
    let p = match p.split_once('_') {
        Some((int, frac)) => format!("{int}.{frac}"),
        None => p.to_string(),
    };
    let p: f64 = p.parse().ok()?;
    (!of.is_empty() && p > 0.0 && p < 100.0).then(|| (of.to_string(), p))
}

/// Every percentile the parsers emit on the real outputs declares which percentile of which
/// distribution it is, and nothing else declares one: `read_clat_p99_9_us` is 99.9 of
/// `read_clat`, wrk's and sysbench's `latency_p99_ms` 99 of `latency`.
#[test]
fn every_emitted_percentile_is_declared() {
    let mut inputs = vec![root().join("tests/fixtures"), root().join("sample-data")];
    inputs.extend(realdata());
    let out = ingest_paths(&inputs);
    let mut seen = std::collections::BTreeSet::new();
    for r in &out.runs {
        for m in &r.data.metrics {
            let declared = m.percentile.as_ref().map(|p| (p.of.to_string(), p.p));
            assert_eq!(declared, percentile_by_name(&m.name), "{} {} in {}", r.data.tool, m.name, r.source);
            if let Some(p) = &m.percentile {
                seen.insert((r.data.tool.clone(), p.of.to_string()));
            }
        }
    }
    for (tool, of) in
        [("fio", "read_clat"), ("fio", "write_clat"), ("wrk", "latency"), ("sysbench", "latency")]
    {
        assert!(seen.contains(&(tool.to_string(), of.to_string())), "no {tool} {of} percentile: {seen:?}");
    }
}

/// Every per-interval sample carries the unit its parser declares, one unit per metric name,
/// as the figures label their axes: sysbench's interval rates per second of what they count
/// (`events/s`, `transactions/s`), MiB/s, latencies in ms; pidstat's columns as it prints them
/// (`%CPU` in %, `RSS` in KiB, `kB_rd/s` in kB/s).
#[test]
fn every_sample_declares_its_unit() {
    let mut inputs = vec![root().join("tests/fixtures"), root().join("sample-data")];
    inputs.extend(realdata());
    let out = ingest_paths(&inputs);
    let mut units: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for s in out.runs.iter().flat_map(|r| &r.data.series) {
        let metric = s.metric.strip_prefix("host_").unwrap_or(&s.metric);
        units.entry(metric.to_string()).or_default().insert(s.unit.to_string());
    }
    for (metric, u) in &units {
        assert_eq!(u.len(), 1, "{metric} has the units {u:?}");
        assert!(!u.iter().any(String::is_empty), "{metric} has no unit");
    }
    let unit = |m: &str| units.get(m).and_then(|u| u.first()).map(String::as_str);
    for (metric, want) in [
        ("events_per_sec", "events/s"),
        ("transactions_per_sec", "transactions/s"),
        ("read_mib_per_sec", "MiB/s"),
        ("latency_p95_ms", "ms"),
        ("cpu_pct", "%"),
        ("rss_kib", "KiB"),
        ("kb_rd_per_sec", "kB/s"),
    ] {
        assert_eq!(unit(metric), Some(want), "{metric}: {units:?}");
    }
}

/// What a run is, declared by its parser: pidstat logs are monitors, the rest benchmarks; the
/// subsystem follows the work (sysbench's test, fio's disk, wrk's and iperf3's network); the
/// primary metric follows docs/statistics.md ("Primary metric"): for sysbench fileio the mode's
/// direction, for memory MiB/s, for iperf3 what was received, else the first of the documented order the run measured as more than 0 (or
/// has at all). A pidstat log paired with a benchmark's run takes its subsystem, and a
/// host-side one declares no primary metric.
#[test]
fn every_run_declares_its_role_subsystem_and_primary_metric() {
    use virtperf::model::{Role, Subsystem};
    const ORDER: &[&str] = &[
        "events_per_sec",
        "mib_per_sec",
        "transactions_per_sec",
        "requests_per_sec",
        "read_iops",
        "write_iops",
        "trim_iops",
        "reads_per_sec",
        "writes_per_sec",
        "ops_per_sec",
        "total_time_s",
        "cpu_pct_mean",
    ];
    let mut inputs = vec![root().join("tests/fixtures"), root().join("sample-data")];
    inputs.extend(realdata());
    let out = ingest_paths(&inputs);
    let mut primaries = std::collections::BTreeSet::new();
    for r in &out.runs {
        let d = &r.data;
        let monitor = d.tool == "pidstat";
        assert_eq!(d.role, if monitor { Role::Monitor } else { Role::Benchmark }, "{}", r.source);
        let w = d.workload.as_str();
        let subsystem = match w {
            "sysbench.cpu" | "sysbench.threads" | "sysbench.mutex" => Subsystem::Cpu,
            "sysbench.memory" => Subsystem::Memory,
            "sysbench.fileio" => Subsystem::Disk,
            _ if w.starts_with("fio.") => Subsystem::Disk,
            "wrk" | "wrk2" => Subsystem::Network,
            _ if w.starts_with("iperf3.") => Subsystem::Network,
            _ => Subsystem::Application,
        };
        assert_eq!(d.subsystem, subsystem, "{} {w}", r.source);
        if r.companion.as_ref().is_some_and(|c| c.host_side) {
            assert_eq!(d.primary, None, "{}", r.source);
            continue;
        }
        let mode = d.params.get("file-test-mode").map(String::as_str);
        let first: &[&str] = match (w, d.tool.as_str()) {
            (_, "pidstat") => &[],
            ("sysbench.fileio", _) => match mode {
                Some("seqwr" | "seqrewr" | "rndwr") => {
                    &["written_mib_per_sec", "writes_per_sec", "read_mib_per_sec"]
                }
                Some("seqrd" | "rndrd") => &["read_mib_per_sec", "reads_per_sec", "written_mib_per_sec"],
                _ => &["read_mib_per_sec", "written_mib_per_sec"],
            },
            ("sysbench.memory", _) => &["mib_per_sec"],
            (_, "iperf3") => &["received_mbit_per_sec", "sent_mbit_per_sec"],
            _ => &[],
        };
        let order: Vec<&str> = first.iter().chain(ORDER).copied().collect();
        let value = |m: &str| d.metrics.iter().find(|x| x.name == m).map(|x| x.value);
        let want = order
            .iter()
            .find(|m| value(m).is_some_and(|v| v != 0.0))
            .or_else(|| order.iter().find(|m| value(m).is_some()));
        assert_eq!(d.primary.as_deref(), want.copied(), "{} run {} ({w})", r.source, r.run);
        if let Some(p) = &d.primary {
            primaries.insert(p.to_string());
        }
    }
    for p in [
        "events_per_sec",
        "written_mib_per_sec",
        "read_mib_per_sec",
        "mib_per_sec",
        "read_iops",
        "requests_per_sec",
        "cpu_pct_mean",
    ] {
        assert!(primaries.contains(p), "no run declares {p}: {primaries:?}");
    }
}

/// subsystems.csv against a computation from overhead.csv's means: per platform and subsystem,
/// G = exp(mean(ln c)) over the primary rows of its workloads, c = baseline_mean / mean for a
/// higher-is-better metric (mean / baseline_mean for lower), and overhead = 1 - 1/G, the
/// headline's orientation.
#[test]
fn subsystem_geomeans_follow_from_the_overhead_table() {
    let out = tempfile::tempdir().unwrap();
    virtperf().arg("analyse").arg(root().join("sample-data")).arg("--out").arg(out.path()).assert().success();
    let read = |name: &str| -> Vec<std::collections::HashMap<String, String>> {
        let mut r = csv::Reader::from_path(out.path().join(name)).unwrap();
        r.deserialize().map(|row| row.unwrap()).collect()
    };
    let overhead = read("overhead.csv");
    let subsystems = read("subsystems.csv");
    assert!(subsystems.len() >= 4, "{subsystems:?}");
    for s in &subsystems {
        let workloads: Vec<&str> = s["workloads"].split(' ').collect();
        let costs: Vec<f64> = overhead
            .iter()
            .filter(|o| o["primary"] == "true" && o["platform"] == s["platform"])
            .filter(|o| workloads.contains(&o["workload"].as_str()))
            .map(|o| {
                let q = o["mean"].parse::<f64>().unwrap() / o["baseline_mean"].parse::<f64>().unwrap();
                if o["better"] == "higher" {
                    1.0 / q
                } else {
                    q
                }
            })
            .collect();
        assert_eq!(costs.len().to_string(), s["comparisons"], "{s:?}");
        let g = (costs.iter().map(|c| c.ln()).sum::<f64>() / costs.len() as f64).exp();
        let got_g: f64 = s["geomean_cost_ratio"].parse().unwrap();
        let got_pct: f64 = s["overhead_pct"].parse().unwrap();
        close(got_g, g);
        close(got_pct, (1.0 - 1.0 / g) * 100.0);
    }
}

/// `rust-version` in Cargo.toml is the newest `rust-version` any locked dependency built for
/// this host declares: a toolchain older than it cannot build the tree, and one it names must.
#[test]
fn rust_version_is_what_the_locked_tree_needs() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let rustc = std::process::Command::new("rustc").arg("-vV").output().expect("rustc -vV");
    let host = String::from_utf8_lossy(&rustc.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .expect("rustc -vV names the host");
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--locked", "--offline", "--format-version", "1", "--filter-platform", &host])
        .current_dir(root())
        .output()
        .expect("cargo metadata");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let resolved: std::collections::HashSet<&str> =
        meta["resolve"]["nodes"].as_array().unwrap().iter().filter_map(|n| n["id"].as_str()).collect();
    let version = |s: &str| -> Vec<u32> { s.split('.').map(|p| p.parse().unwrap()).collect() };
    let pad = |mut v: Vec<u32>| {
        v.resize(3, 0);
        v
    };
    let mut ours = None;
    let mut needed: Option<(Vec<u32>, String)> = None;
    for p in meta["packages"].as_array().unwrap() {
        let (Some(id), Some(rv)) = (p["id"].as_str(), p["rust_version"].as_str()) else { continue };
        if !resolved.contains(id) {
            continue;
        }
        if p["name"] == "virtperf" {
            ours = Some(pad(version(rv)));
        } else if needed.as_ref().is_none_or(|(v, _)| pad(version(rv)) > *v) {
            needed = Some((
                pad(version(rv)),
                format!("{} {}", p["name"].as_str().unwrap_or(""), p["version"].as_str().unwrap_or("")),
            ));
        }
    }
    let (needed, by) = needed.expect("some dependency declares a rust-version");
    assert_eq!(ours, Some(needed.clone()), "Cargo.toml's rust-version must be {needed:?}, which {by} needs");
}
