//! Platform labels for input files: which platform (native, docker, podman, kvm, qemu, vm, or a
//! user's own word) a file's runs belong to, and where that came from.
//!
//! Sources, in order: `--label KEY=VALUE` (all inputs), a `--labels` mapping file (CSV, a glob
//! per row), the executor's `manifest.json` in a folder above the file, then tokens in the path
//! (deepest component first), else `unknown`. Every label records its origin so the report can
//! list how each file was labelled. Nothing here parses benchmark output.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{bail, Context, Result};
use globset::{Glob, GlobMatcher};

use crate::exec::manifest::{Manifest, RunRecord, RunStatus};
use crate::model::{LabelOrigin, Labels};

/// Label keys a user may set.
pub const LABEL_KEYS: &[&str] = &["platform", "platform_detail", "campaign"];

/// Path tokens that name a platform, lowercase, with the platform they mean.
const PLATFORM_TOKENS: &[(&str, &str)] = &[
    ("native", "native"),
    ("metal", "native"),
    ("baremetal", "native"),
    ("bare", "native"),
    ("host", "native"),
    ("docker", "docker"),
    ("container", "docker"),
    ("containers", "docker"),
    ("podman", "podman"),
    ("kvm", "kvm"),
    ("qemu", "qemu"),
    ("tcg", "qemu"),
    ("vm", "vm"),
    ("vms", "vm"),
    ("vagrant", "vm"),
    ("virtualbox", "vm"),
];

/// A user-given assignment of label values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSet {
    /// `platform`, if set.
    pub platform: Option<String>,
    /// `platform_detail`, if set.
    pub platform_detail: Option<String>,
    /// `campaign`, if set.
    pub campaign: Option<String>,
}

impl LabelSet {
    /// Sets `key` to `value`; errors on an unknown key.
    pub fn set(&mut self, key: &str, value: &str) -> Result<()> {
        let value = Some(value.trim().to_string());
        match key.trim() {
            "platform" => self.platform = value,
            "platform_detail" | "detail" => self.platform_detail = value,
            "campaign" => self.campaign = value,
            other => bail!("unknown label key '{other}'; known: {}", LABEL_KEYS.join(", ")),
        }
        Ok(())
    }

    /// Parses `KEY=VALUE` as given to `--label`.
    pub fn parse_assignment(&mut self, kv: &str) -> Result<()> {
        let Some((k, v)) = kv.split_once('=') else {
            bail!("--label expects KEY=VALUE (e.g. platform=docker), got '{kv}'");
        };
        self.set(k, v)
    }
}

/// Decides the labels of input files.
#[derive(Debug, Default)]
pub struct Labeler {
    cli: LabelSet,
    mapping: Vec<(GlobMatcher, String, LabelSet)>,
    manifests: Mutex<HashMap<PathBuf, Option<Arc<Manifest>>>>,
}

impl Labeler {
    /// A labeler from `--label` assignments and an optional mapping file.
    pub fn new(cli: LabelSet, mapping_file: Option<&Path>) -> Result<Labeler> {
        let mut labeler = Labeler { cli, ..Labeler::default() };
        if let Some(path) = mapping_file {
            labeler.mapping = read_mapping(path)?;
        }
        Ok(labeler)
    }

    /// The labels of the file at `path`.
    pub fn label(&self, path: &Path) -> Labels {
        let mut labels = Labels::default();
        let shown = path.to_string_lossy();

        // Path tokens first: they give the detail, and the platform when nothing else does.
        let (token_platform, details) = path_tokens(path);
        if !details.is_empty() {
            labels.platform_detail = details.join(",");
        }
        if let Some((platform, token)) = token_platform {
            labels.platform = platform;
            labels.origin = LabelOrigin::Path;
            labels.how = format!("path token '{token}'");
        }

        if let Some((run, campaign, dir, rel)) = self.manifest_entry(path) {
            labels.platform = run.platform.clone();
            labels.platform_detail = run.platform_detail.clone();
            labels.campaign = campaign;
            // Warm-ups are repetition 0 (and are kept out of the ingested tree anyway).
            labels.repetition = (run.repetition > 0).then_some(run.repetition as usize);
            if run.status != RunStatus::Ok {
                labels.run_failed = Some(failure_text(&run, &dir));
            }
            if rel != run.output {
                labels.companion = Some(dir.join(&run.output));
                labels.host_side = run.host_pidstat.as_deref() == Some(rel.as_str());
            }
            labels.origin = LabelOrigin::Manifest;
            labels.how = format!("manifest.json of virtperf run{}", accel_note(&run).unwrap_or_default());
        }
        for (glob, pattern, set) in &self.mapping {
            if glob.is_match(shown.as_ref()) {
                apply(&mut labels, set, LabelOrigin::Mapping, &format!("mapping file pattern '{pattern}'"));
                break;
            }
        }
        apply(&mut labels, &self.cli, LabelOrigin::Cli, "--label on the command line");
        labels
    }

    /// The manifest run that names `path`, the campaign, the manifest's folder and `path`
    /// relative to it.
    fn manifest_entry(&self, path: &Path) -> Option<(RunRecord, String, PathBuf, String)> {
        let mut dir = path.parent();
        while let Some(d) = dir {
            let candidate = d.join("manifest.json");
            if let Some(manifest) = self.manifest(&candidate) {
                let rel = path.strip_prefix(d).ok()?;
                let rel = rel.to_string_lossy().replace('\\', "/");
                let hit = manifest.runs.iter().find(|r| {
                    r.output == rel
                        || r.pidstat.as_deref() == Some(rel.as_str())
                        || r.host_pidstat.as_deref() == Some(rel.as_str())
                })?;
                let mut run = hit.clone();
                // Manifests written before runs recorded it: the platform's.
                if run.accel.is_none() {
                    run.accel = manifest.platforms.get(&run.platform).and_then(|p| p.accel.clone());
                }
                return Some((run, manifest.campaign.clone(), d.to_path_buf(), rel));
            }
            dir = d.parent();
        }
        None
    }

    /// The runs that `manifest.json` files record as failed or timed out (warm-ups left out):
    /// the manifests in or below the folders of `inputs` and the nearest one above each folder,
    /// restricted to outputs under an input. A failed run may have left no output file, so
    /// these are found from the manifest, not from the files.
    pub fn failed_runs(&self, inputs: &[PathBuf], manifests_below: &[PathBuf]) -> Vec<FailedRun> {
        let mut candidates: Vec<PathBuf> = manifests_below.to_vec();
        for input in inputs.iter().filter(|p| p.is_dir()) {
            let mut dir = input.parent();
            while let Some(d) = dir {
                let m = d.join("manifest.json");
                if m.is_file() {
                    candidates.push(m);
                    break;
                }
                dir = d.parent();
            }
        }
        candidates.sort();
        candidates.dedup();
        let mut out = Vec::new();
        for path in candidates {
            let Some(manifest) = self.manifest(&path) else { continue };
            let dir = path.parent().unwrap_or(Path::new(""));
            for run in manifest.runs.iter().filter(|r| r.status != RunStatus::Ok && !r.warmup) {
                let output = dir.join(&run.output);
                if inputs.iter().any(|i| output.starts_with(i)) {
                    out.push(FailedRun {
                        output,
                        workload: run.workload.clone(),
                        tool: run.workload_kind.clone(),
                    });
                }
            }
        }
        out
    }

    fn manifest(&self, candidate: &Path) -> Option<Arc<Manifest>> {
        let mut cache = self.manifests.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(candidate.to_path_buf())
            .or_insert_with(|| Manifest::load(candidate).ok().map(Arc::new))
            .clone()
    }
}

/// A run that a manifest records as failed or timed out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedRun {
    /// Where its output is (or would be), as the inputs spell paths.
    pub output: PathBuf,
    /// The plan's workload name (`sysbench-cpu`).
    pub workload: String,
    /// The plan's workload kind (`sysbench`, `fio`, `wrk`, `command`).
    pub tool: String,
}

/// How many lines of a failed run's stderr are quoted.
const STDERR_LINES: usize = 3;

/// What a manifest says went wrong with a run: `failed (exit status 1)`, `timeout`, then the
/// last lines of its stderr with the file's path, when it has any.
fn failure_text(run: &RunRecord, dir: &Path) -> String {
    let mut text = match run.exit_code {
        Some(code) => format!("{} (exit status {code})", run.status.as_str()),
        None => run.status.as_str().to_string(),
    };
    if run.stderr.is_empty() {
        return text;
    }
    let path = dir.join(&run.stderr);
    let Ok(bytes) = std::fs::read(&path) else { return text };
    let stderr = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = stderr.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if !lines.is_empty() {
        let tail = &lines[lines.len().saturating_sub(STDERR_LINES)..];
        text.push_str(&format!("; its stderr ({}) ends: {}", path.display(), tail.join(" | ")));
    }
    text
}

/// For a VM that ran under another accelerator than the plan asked for (KVM that did not
/// work, so TCG): says so, so that a platform named `kvm` that ran under TCG does not read as
/// KVM in the report.
fn accel_note(run: &RunRecord) -> Option<String> {
    let ran = run.accel.as_deref()?;
    let asked = run.settings.get("accel_requested")?;
    (ran != asked).then(|| {
        format!("; ran under {} although the plan asked for {}", ran.to_uppercase(), asked.to_uppercase())
    })
}

fn apply(labels: &mut Labels, set: &LabelSet, origin: LabelOrigin, how: &str) {
    if let Some(p) = &set.platform {
        labels.platform = p.clone();
        labels.origin = origin;
        labels.how = how.to_string();
    }
    if let Some(d) = &set.platform_detail {
        labels.platform_detail = d.clone();
    }
    if let Some(c) = &set.campaign {
        labels.campaign = c.clone();
    }
}

/// Reads a mapping file: CSV with a header; column `pattern` (a glob, or a plain substring of
/// the path) and any of the label keys.
fn read_mapping(path: &Path) -> Result<Vec<(GlobMatcher, String, LabelSet)>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_path(path)
        .with_context(|| format!("could not read label mapping file '{}'", path.display()))?;
    let headers = reader.headers()?.clone();
    let Some(pattern_col) = headers.iter().position(|h| h == "pattern") else {
        bail!(
            "{}:1: label mapping file needs a 'pattern' column and any of {}",
            path.display(),
            LABEL_KEYS.join(", ")
        );
    };
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.with_context(|| format!("{}:{line}: bad CSV row", path.display()))?;
        let pattern = record.get(pattern_col).unwrap_or("").to_string();
        if pattern.is_empty() {
            bail!("{}:{line}: empty pattern", path.display());
        }
        let glob_text =
            if pattern.contains(['*', '?', '[']) { pattern.clone() } else { format!("*{pattern}*") };
        let glob = Glob::new(&glob_text)
            .with_context(|| format!("{}:{line}: bad glob '{pattern}'", path.display()))?
            .compile_matcher();
        let mut set = LabelSet::default();
        for (col, header) in headers.iter().enumerate() {
            if col == pattern_col {
                continue;
            }
            if let Some(v) = record.get(col).filter(|v| !v.is_empty()) {
                set.set(header, v).with_context(|| format!("{}:{line}", path.display()))?;
            }
        }
        rows.push((glob, pattern, set));
    }
    Ok(rows)
}

/// Scans the components of `path`, file name first, for platform and detail tokens.
/// Returns the first platform found (with the token that named it) and every detail token.
pub fn path_tokens(path: &Path) -> (Option<(String, String)>, Vec<String>) {
    let mut platform = None;
    let mut details: Vec<String> = Vec::new();
    let components: Vec<String> =
        path.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    for comp in components.iter().rev() {
        for token in comp.split(|c: char| !c.is_ascii_alphanumeric()).filter(|t| !t.is_empty()) {
            let lower = token.to_ascii_lowercase();
            if platform.is_none() {
                if let Some((_, p)) = PLATFORM_TOKENS.iter().find(|(t, _)| *t == lower) {
                    platform = Some((p.to_string(), token.to_string()));
                }
            }
            let detail = match lower.as_str() {
                "raw" => Some("raw".to_string()),
                "qcow" | "qcow2" => Some("qcow2".to_string()),
                "vmdk" | "vdi" | "vhd" => Some(lower.clone()),
                t if t.starts_with("config") && t.len() > 6 && t[6..].bytes().all(|b| b.is_ascii_digit()) => {
                    Some(lower.clone())
                }
                _ => None,
            };
            if let Some(d) = detail {
                if !details.contains(&d) {
                    details.push(d);
                }
            }
        }
    }
    (platform, details)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform_of(p: &str) -> (String, String, LabelOrigin) {
        let l = Labeler::default().label(Path::new(p));
        (l.platform, l.platform_detail, l.origin)
    }

    #[test]
    fn file_name_wins_over_folder() {
        let (p, d, o) = platform_of("AAbiAbi__QEMU/docker-sysbench__result_1__config1_cpu_test1.txt");
        assert_eq!((p.as_str(), d.as_str(), o), ("docker", "config1", LabelOrigin::Path));
        let (p, d, _) = platform_of("AAbiAbi__QEMU/result_raw_1__config4_cpu_test1.txt");
        assert_eq!((p.as_str(), d.as_str()), ("qemu", "raw,config4"));
    }

    #[test]
    fn synonyms_and_unknown() {
        assert_eq!(platform_of("runs/bare-metal/cpu.txt").0, "native");
        assert_eq!(platform_of("runs/container/cpu.txt").0, "docker");
        assert_eq!(platform_of("x/QEMU_QCOW2_CPU4.txt").1, "qcow2");
        assert_eq!(platform_of("localhost/cpu.txt").2, LabelOrigin::Unknown);
        assert_eq!(platform_of("localhost/cpu.txt").0, "unknown");
    }

    #[test]
    fn cli_label_overrides_path() {
        let mut set = LabelSet::default();
        set.parse_assignment("platform=kvm").unwrap();
        let l = Labeler::new(set, None).unwrap().label(Path::new("docker/cpu.txt"));
        assert_eq!(l.platform, "kvm");
        assert_eq!(l.origin, LabelOrigin::Cli);
        assert!(LabelSet::default().parse_assignment("platform").is_err());
        assert!(LabelSet::default().parse_assignment("colour=red").is_err());
    }

    /// The manifest labels the output, pairs both pidstat logs with it, gives the repetition,
    /// and says when the run failed.
    #[test]
    fn manifest_pairs_logs_and_reports_failed_runs() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(
            d.join("manifest.json"),
            r#"{"campaign": "c", "runs": [
                {"output": "vm/cpu/rep2.txt", "pidstat": "vm/cpu/rep2.pidstat",
                 "host_pidstat": "vm/cpu/rep2.host.pidstat", "platform": "vm",
                 "platform_detail": "raw", "repetition": 2, "status": "timeout"},
                {"output": "vm/cpu/rep3.txt", "platform": "vm", "status": "failed", "exit_code": 1},
                {"output": "vm/cpu/rep4.txt", "platform": "vm", "status": "ok", "exit_code": 0}]}"#,
        )
        .unwrap();
        let l = Labeler::default();
        let out = l.label(&d.join("vm/cpu/rep2.txt"));
        assert_eq!((out.platform.as_str(), out.platform_detail.as_str()), ("vm", "raw"));
        assert_eq!((out.repetition, out.companion, out.host_side), (Some(2), None, false));
        assert_eq!(out.run_failed.as_deref(), Some("timeout"));
        let guest = l.label(&d.join("vm/cpu/rep2.pidstat"));
        assert_eq!((guest.companion, guest.host_side), (Some(d.join("vm/cpu/rep2.txt")), false));
        let host = l.label(&d.join("vm/cpu/rep2.host.pidstat"));
        assert_eq!((host.companion, host.host_side), (Some(d.join("vm/cpu/rep2.txt")), true));
        assert_eq!(l.label(&d.join("vm/cpu/rep3.txt")).run_failed.as_deref(), Some("failed (exit status 1)"));
        assert_eq!(l.label(&d.join("vm/cpu/rep4.txt")).run_failed, None);
        assert_eq!(l.label(&d.join("vm/cpu/rep9.txt")).origin, LabelOrigin::Path, "not in the manifest");
    }

    /// A VM that fell back from KVM to TCG says so in how it was labelled; older manifests
    /// give the accelerator per platform only.
    #[test]
    fn a_kvm_platform_that_ran_under_tcg_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(
            d.join("manifest.json"),
            r#"{"campaign": "c", "platforms": {"old": {"kind": "qemu", "accel": "tcg"}}, "runs": [
                {"output": "kvm/cpu/rep1.txt", "platform": "kvm", "platform_detail": "raw,tcg",
                 "accel": "tcg", "settings": {"accel_requested": "kvm"}},
                {"output": "old/cpu/rep1.txt", "platform": "old", "settings": {"accel_requested": "kvm"}},
                {"output": "fast/cpu/rep1.txt", "platform": "fast", "accel": "kvm",
                 "settings": {"accel_requested": "kvm"}},
                {"output": "n/cpu/rep1.txt", "platform": "n"}]}"#,
        )
        .unwrap();
        let l = Labeler::default();
        let note = "manifest.json of virtperf run; ran under TCG although the plan asked for KVM";
        assert_eq!(l.label(&d.join("kvm/cpu/rep1.txt")).how, note);
        assert_eq!(l.label(&d.join("kvm/cpu/rep1.txt")).platform_detail, "raw,tcg");
        assert_eq!(l.label(&d.join("old/cpu/rep1.txt")).how, note);
        assert_eq!(l.label(&d.join("fast/cpu/rep1.txt")).how, "manifest.json of virtperf run");
        assert_eq!(l.label(&d.join("n/cpu/rep1.txt")).how, "manifest.json of virtperf run");
    }
}
