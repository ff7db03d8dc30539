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
