//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use virtperf::ingest::{self, IngestConfig, Ingested};
use virtperf::label::{LabelSet, Labeler};
use virtperf::model::IngestedRun;

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/<rel>`.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("tests/fixtures").join(rel)
}

/// `../shared/realdata`, or `None` (after saying so) when it is absent: other people's files
/// are read in place, never copied into the repository. Under CI (`CI` set) an absent folder
/// fails the test instead, as a missing tool does: a skipped check must not pass a CI gate.
pub fn realdata() -> Option<PathBuf> {
    let dir = root().join("../shared/realdata");
    if dir.is_dir() {
        Some(dir)
    } else {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is absent, but CI must have it (the real-data tests read it in place)",
            dir.display()
        );
        eprintln!("SKIPPED: {} is absent; the real-data tests need it", dir.display());
        None
    }
}

/// Returns true if and only if `tool` is on PATH (or in an sbin folder). When it is not, a test outside CI is
/// skipped with a message; under CI (`CI` set) the missing tool is a failure, because
/// `.ci/run` installs it.
pub fn have_tool(tool: &str) -> bool {
    let mut dirs: Vec<PathBuf> =
        std::env::var_os("PATH").map(|paths| std::env::split_paths(&paths).collect()).unwrap_or_default();
    dirs.extend(["/usr/sbin", "/usr/local/sbin", "/sbin"].map(PathBuf::from));
    let found = dirs.iter().any(|p| p.join(tool).is_file());
    if !found {
        assert!(std::env::var_os("CI").is_none(), "{tool} is not installed, but CI must have it");
        eprintln!("SKIPPED: {tool} is not installed");
    }
    found
}

/// Ingests `paths` with default labels and series on.
pub fn ingest_paths(paths: &[PathBuf]) -> Ingested {
    let labeler = Labeler::new(LabelSet::default(), None).expect("labeler");
    let cfg = IngestConfig { series: true, ..IngestConfig::default() };
    ingest::ingest(paths, &cfg, &labeler).expect("ingest")
}

/// Ingests one file and returns its runs, panicking with the error if it was refused.
pub fn runs_of(path: &Path) -> Vec<IngestedRun> {
    let out = ingest_paths(&[path.to_path_buf()]);
    if let Some(e) = out.errors.first() {
        panic!("{} was refused: {e}", path.display());
    }
    out.runs
}

/// Ingests one file that must be refused and returns the error message.
pub fn refusal_of(path: &Path) -> String {
    let out = ingest_paths(&[path.to_path_buf()]);
    assert!(out.runs.is_empty(), "{} gave runs but should be refused", path.display());
    out.errors.first().map(|e| e.to_string()).unwrap_or_else(|| panic!("{} was not refused", path.display()))
}

/// The value of `metric` in `run`, panicking with the run's metrics when it is absent.
pub fn metric(run: &IngestedRun, metric: &str) -> f64 {
    run.data.metric(metric).unwrap_or_else(|| {
        let names: Vec<_> = run.data.metrics.iter().map(|m| m.name.as_ref()).collect();
        panic!("{}#{} has no metric {metric}; it has {names:?}", run.source, run.run)
    })
}

/// Asserts `a` and `b` agree to a relative error of 1e-9 (or absolutely, near zero).
#[track_caller]
pub fn close(a: f64, b: f64) {
    let tol = 1e-9 * a.abs().max(b.abs()).max(1e-300);
    assert!((a - b).abs() <= tol, "{a} != {b}");
}

/// The `virtperf` binary, run from `tests/fixtures`, with our environment cleared.
pub fn virtperf() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("virtperf").expect("binary");
    cmd.current_dir(fixture(""));
    cmd.env_remove("VIRTPERF_TEMPLATES");
    cmd
}

/// The analysis (default settings, baseline `native`) of `runs`, each put on the platform
/// `platform(run)` returns.
pub fn analysis_of(
    runs: &[IngestedRun],
    platform: impl Fn(&IngestedRun) -> &'static str,
) -> virtperf::analyse::Analysis {
    let labelled: Vec<IngestedRun> = runs
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.labels.platform = platform(&r).to_string();
            r
        })
        .collect();
    let mut ds = virtperf::analyse::Dataset::from_runs(&labelled);
    virtperf::analyse::analyse(&mut ds, &virtperf::analyse::AnalyseConfig::default())
}
