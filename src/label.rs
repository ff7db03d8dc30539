//! Platform labels for input files: which platform (native, docker, podman, kvm, qemu, vm, or a
//! user's own word) a file's runs belong to, its family (native, container, vm), and where that
//! came from.
//!
//! Sources, in order: `--label KEY=VALUE` (all inputs), a `--labels` mapping file (CSV, a glob
//! per row), the executor's `manifest.json` in a folder above the file, then words in the path
//! (the component nearest the file that names one platform), else `unknown`. Every label
//! records its origin so the report can list how each file was labelled; docs/labels.md gives
//! the rules and why. Nothing here parses benchmark output.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{bail, Context, Result};
use globset::{Glob, GlobMatcher};

use crate::model::manifest::{Manifest, RunRecord, RunStatus};
use crate::model::{LabelOrigin, Labels, PathWord};

/// Label keys a user may set.
pub(crate) const LABEL_KEYS: &[&str] = &["platform", "platform_detail", "platform_family", "campaign"];

/// The platform families, as `platform_family` spells them.
pub(crate) const FAMILIES: &[&str] = &["native", "container", "vm"];

/// Path words that name a platform, lowercase, with the platform they mean. A word counts
/// only whole (`vmstat`, `kvmtool`, `nvme` name nothing), optionally with a number after it
/// (`vm2`, `docker1`); docs/labels.md says why each is here and why `pod` is not.
const PLATFORM_WORDS: &[(&str, &str)] = &[
    ("native", "native"),
    ("metal", "native"),
    ("baremetal", "native"),
    ("bare", "native"),
    ("host", "native"),
    ("docker", "docker"),
    ("podman", "podman"),
    ("lxc", "lxc"),
    ("lxd", "lxd"),
    ("incus", "incus"),
    ("gvisor", "gvisor"),
    ("runsc", "gvisor"),
    ("k8s", "k8s"),
    ("kubernetes", "k8s"),
    ("container", "container"),
    ("containers", "container"),
    ("kvm", "kvm"),
    ("qemu", "qemu"),
    ("tcg", "qemu"),
    ("vm", "vm"),
    ("vms", "vm"),
    ("vagrant", "vm"),
    ("virtualbox", "virtualbox"),
    ("vbox", "virtualbox"),
    ("vmware", "vmware"),
    ("esxi", "vmware"),
    ("xen", "xen"),
    ("hyperv", "hyperv"),
    ("firecracker", "firecracker"),
    ("kata", "kata"),
];

/// The family of each platform the words above name. Kata Containers run every pod in its own
/// lightweight VM, so they count as a VM; gVisor intercepts system calls in user space and
/// counts as a container.
const PLATFORM_FAMILIES: &[(&str, &str)] = &[
    ("native", "native"),
    ("docker", "container"),
    ("podman", "container"),
    ("lxc", "container"),
    ("lxd", "container"),
    ("incus", "container"),
    ("gvisor", "container"),
    ("k8s", "container"),
    ("container", "container"),
    ("kvm", "vm"),
    ("qemu", "vm"),
    ("vm", "vm"),
    ("virtualbox", "vm"),
    ("vmware", "vm"),
    ("xen", "vm"),
    ("hyperv", "vm"),
    ("firecracker", "vm"),
    ("kata", "vm"),
];

/// Platforms that only say the family: a more specific word of the same family in the same
/// component wins over them (`kvm_vm` is kvm, `docker-containers` is docker).
const GENERIC_PLATFORMS: &[&str] = &["vm", "container"];

/// Two adjacent words read as one: a platform (`hyper-v`, `bare-metal`, `kata-containers`,
/// `qemu-kvm`: QEMU accelerated by KVM), or `""` for a program's name that names no platform
/// (`vm_stat`, `kvm_stat`).
const WORD_PAIRS: &[(&str, &str, &str)] = &[
    ("hyper", "v", "hyperv"),
    ("bare", "metal", "native"),
    ("kata", "containers", "kata"),
    ("kata", "container", "kata"),
    ("qemu", "kvm", "kvm"),
    ("vm", "stat", ""),
    ("kvm", "stat", ""),
];

/// Words that count in folder names but not in the file name: `repN.host.pidstat` is the
/// host-side log of whatever platform its folder names.
const FOLDER_ONLY_WORDS: &[&str] = &["host"];

/// The family (`native`, `container`, `vm`) of a platform word (any spelling the path words
/// accept, case-insensitive, without a number), or `unknown`.
pub(crate) fn family_of(platform: &str) -> &'static str {
    let lower = platform.to_lowercase();
    let canonical = PLATFORM_WORDS.iter().find(|(w, _)| *w == lower).map_or(lower.as_str(), |(_, p)| *p);
    PLATFORM_FAMILIES.iter().find(|(p, _)| *p == canonical).map_or("unknown", |(_, f)| *f)
}

/// The family of a platform `virtperf run` ran, from its kind (native, docker, qemu), else
/// from its name.
fn family_of_kind(kind: &str, name: &str) -> &'static str {
    match kind {
        "native" => "native",
        "docker" => "container",
        "qemu" => "vm",
        _ => family_of(name),
    }
}

/// A user-given assignment of label values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSet {
    /// `platform`, if set.
    pub platform: Option<String>,
    /// `platform_detail`, if set.
    pub platform_detail: Option<String>,
    /// `platform_family`, if set: one of [`FAMILIES`].
    pub platform_family: Option<String>,
    /// `campaign`, if set.
    pub campaign: Option<String>,
}

impl LabelSet {
    /// Sets `key` to `value`. Errors on an unknown key, an empty value, a platform with `[` or
    /// `]` (they set the detail apart in `platform[detail]`) and a family not in [`FAMILIES`].
    pub(crate) fn set(&mut self, key: &str, value: &str) -> Result<()> {
        let key = key.trim();
        let value = value.trim();
        let slot = match key {
            "platform" => &mut self.platform,
            "platform_detail" | "detail" => &mut self.platform_detail,
            "platform_family" | "family" => &mut self.platform_family,
            "campaign" => &mut self.campaign,
            other => bail!("unknown label key '{other}'; known: {}", LABEL_KEYS.join(", ")),
        };
        if value.is_empty() {
            bail!("label '{key}' has an empty value; give one (e.g. {key}={})", example_value(key));
        }
        let value = match key {
            "platform" if value.contains(['[', ']']) => bail!(
                "platform '{value}' holds '[' or ']', which set the detail apart in platform[detail]; \
                 give the detail with platform_detail=..."
            ),
            "platform_family" | "family" => {
                let lower = value.to_lowercase();
                if !FAMILIES.contains(&lower.as_str()) {
                    bail!("platform_family must be one of {}; got '{value}'", FAMILIES.join(", "));
                }
                lower
            }
            _ => value.to_string(),
        };
        *slot = Some(value);
        Ok(())
    }

    /// Parses `KEY=VALUE` as given to `--label`.
    pub(crate) fn parse_assignment(&mut self, kv: &str) -> Result<()> {
        let Some((k, v)) = kv.split_once('=') else {
            bail!("--label expects KEY=VALUE (e.g. platform=docker), got '{kv}'");
        };
        self.set(k, v).with_context(|| format!("--label '{kv}'"))
    }
}

/// A value to show in the message about an empty one.
fn example_value(key: &str) -> &'static str {
    match key {
        "platform" => "docker",
        "platform_detail" | "detail" => "raw",
        "platform_family" | "family" => "vm",
        _ => "spring-2024",
    }
}

/// One row of a mapping file.
#[derive(Debug)]
struct MappingRow {
    glob: GlobMatcher,
    /// The pattern as written.
    pattern: String,
    /// The one path the pattern names, when it has no wildcard (a plain path, or a path with
    /// its glob characters escaped as `virtperf labels --write` writes it).
    literal: Option<String>,
    set: LabelSet,
}

/// A manifest's run that names a file: the run, the campaign, the manifest's folder, the file
/// relative to it, and the run's platform factors.
type ManifestEntry = (RunRecord, String, PathBuf, String, BTreeMap<String, String>);

/// The factors of `run` that belong to its platform (a `[platform.matrix]`), not to its
/// workload: those with the same value in every run of the platform in `manifest`. A
/// workload's factor takes two values or more on every platform that runs its expansions
/// (the plan refuses a factor listed with one value twice), a platform's exactly one, so the
/// manifest's `factors`, which holds both, tells them apart.
fn platform_factors(manifest: &Manifest, run: &RunRecord) -> BTreeMap<String, String> {
    let mut factors = run.factors.clone();
    for other in manifest.runs.iter().filter(|r| r.platform == run.platform) {
        factors.retain(|k, v| other.factors.get(k) == Some(v));
    }
    factors
}

/// Decides the labels of input files.
#[derive(Debug, Default)]
pub struct Labeler {
    cli: LabelSet,
    mapping: Vec<MappingRow>,
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

        // Path words first: they give the detail, and the platform when nothing else does.
        let reading = read_path(path);
        labels.platform_detail = reading.details.join(",");
        labels.how = reading.how();
        if let Some((platform, word)) = reading.decided {
            labels.platform_family = family_of(&platform).to_string();
            labels.platform = platform;
            labels.origin = LabelOrigin::Path;
            labels.path_word = Some(word);
        }

        if let Some((run, campaign, dir, rel, platform_factors)) = self.manifest_entry(path) {
            labels.platform_family = family_of_kind(&run.platform_kind, &run.platform).to_string();
            labels.platform = run.platform.clone();
            labels.platform_detail = run.platform_detail.clone();
            labels.path_word = None;
            labels.campaign = campaign;
            labels.factors = platform_factors;
            labels.platform_kind = run.platform_kind.clone();
            // Warm-ups are repetition 0 (and are kept out of the ingested tree anyway).
            labels.repetition = (run.repetition > 0).then_some(run.repetition as usize);
            if run.status != RunStatus::Ok {
                labels.run_failed = Some(failure_text(&run, &dir));
            }
            if rel != run.output {
                labels.companion = Some(dir.join(&run.output));
                labels.host_side = run.host_pidstat.as_deref() == Some(rel.as_str());
            } else {
                // What a `command` run measures is found in its output, not in its pidstat logs.
                labels.measure = run.measure.clone();
            }
            labels.origin = LabelOrigin::Manifest;
            labels.how = format!("manifest.json of virtperf run{}", accel_note(&run).unwrap_or_default());
        }
        if let Some(row) = self.mapping_row(&shown) {
            apply(
                &mut labels,
                &row.set,
                LabelOrigin::Mapping,
                &format!("mapping file pattern '{}'", row.pattern),
            );
        }
        apply(&mut labels, &self.cli, LabelOrigin::Cli, "--label on the command line");
        labels
    }

    /// The plan's name of the workload whose output (or pidstat log) the file at `path` is, as
    /// the manifest of `virtperf run` in a folder above it records it (`forkloop`); `None` for a
    /// file no manifest names.
    pub(crate) fn plan_workload(&self, path: &Path) -> Option<String> {
        self.manifest_entry(path).map(|(run, ..)| run.workload)
    }

    /// The mapping row for the file shown as `shown`: a row naming exactly that path, else the
    /// first row whose pattern matches it.
    fn mapping_row(&self, shown: &str) -> Option<&MappingRow> {
        self.mapping
            .iter()
            .find(|r| r.literal.as_deref() == Some(shown))
            .or_else(|| self.mapping.iter().find(|r| r.glob.is_match(shown)))
    }

    /// The manifest run that names `path`, the campaign, the manifest's folder, `path`
    /// relative to it and the run's platform factors ([`platform_factors`]).
    fn manifest_entry(&self, path: &Path) -> Option<ManifestEntry> {
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
                let factors = platform_factors(&manifest, &run);
                return Some((run, manifest.campaign.clone(), d.to_path_buf(), rel, factors));
            }
            dir = d.parent();
        }
        None
    }

    /// The runs that `manifest.json` files record as failed or timed out (warm-ups left out):
    /// the manifests in or below the folders of `inputs` and the nearest one above each folder,
    /// restricted to outputs under an input. A failed run may have left no output file, so
    /// these are found from the manifest, not from the files.
    pub(crate) fn failed_runs(&self, inputs: &[PathBuf], manifests_below: &[PathBuf]) -> Vec<FailedRun> {
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
pub(crate) struct FailedRun {
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

/// Applies a user's labels. A platform replaces the detail and the family too, with the ones
/// given beside it (none: no detail, and the family the platform word implies).
fn apply(labels: &mut Labels, set: &LabelSet, origin: LabelOrigin, how: &str) {
    if let Some(p) = &set.platform {
        labels.platform = p.clone();
        labels.platform_detail = set.platform_detail.clone().unwrap_or_default();
        labels.platform_family = set.platform_family.clone().unwrap_or_else(|| family_of(p).to_string());
        labels.path_word = None;
        labels.origin = origin;
        labels.how = how.to_string();
    } else {
        if let Some(d) = &set.platform_detail {
            labels.platform_detail = d.clone();
        }
        if let Some(f) = &set.platform_family {
            labels.platform_family = f.clone();
            labels.how = format!("{}; family from {how}", labels.how);
        }
    }
    if let Some(c) = &set.campaign {
        labels.campaign = c.clone();
    }
}

/// Reads a mapping file: CSV with a header; column `pattern` (a glob, or a plain substring of
/// the path) and any of the label keys; a `how` column (as `virtperf labels --write` writes
/// it) is for people and ignored.
fn read_mapping(path: &Path) -> Result<Vec<MappingRow>> {
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
    for record in reader.records() {
        let record = record.with_context(|| format!("{}: bad CSV row", path.display()))?;
        let line = record.position().map_or(0, |p| p.line());
        let pattern = record.get(pattern_col).unwrap_or("").to_string();
        if pattern.is_empty() {
            bail!("{}:{line}: empty pattern", path.display());
        }
        let is_glob = pattern.contains(['*', '?', '[']);
        let glob_text = if is_glob { pattern.clone() } else { format!("*{pattern}*") };
        let glob = Glob::new(&glob_text)
            .with_context(|| format!("{}:{line}: bad glob '{pattern}'", path.display()))?
            .compile_matcher();
        let literal = if is_glob { unescape_literal(&pattern) } else { Some(pattern.clone()) };
        let mut set = LabelSet::default();
        for (col, header) in headers.iter().enumerate() {
            if col == pattern_col || header == "how" {
                continue;
            }
            if let Some(v) = record.get(col).filter(|v| !v.is_empty()) {
                set.set(header, v).with_context(|| format!("{}:{line}", path.display()))?;
            }
        }
        rows.push(MappingRow { glob, pattern, literal, set });
    }
    Ok(rows)
}

/// The path a glob names when its only special characters are escaped ones (`[*]`, `[[]`, as
/// [`globset::escape`] writes them), else `None`.
fn unescape_literal(pattern: &str) -> Option<String> {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '[' => {
                let inner = chars.next()?;
                if chars.next()? != ']' {
                    return None;
                }
                out.push(inner);
            }
            '*' | '?' | ']' | '{' | '}' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

/// The header comment of a mapping file `virtperf labels --write` writes.
const MAPPING_HEADER: &str =
    "# Written by `virtperf labels`: one row per file, the pattern being its exact path. Correct\n\
# platform, platform_detail, platform_family or campaign, then pass this file back with --labels.\n\
# An empty cell sets nothing (an empty platform stays unknown); the how column is not read.\n";

/// Writes a mapping file (as `--labels` reads it) that gives each file of `files` (its path as
/// shown, and its labels) the labels it has: the pattern is the exact path, its glob
/// characters escaped; `platform` is empty when unknown; `platform_family` only when it is
/// not the one the platform word implies, so that a corrected platform brings its own.
pub(crate) fn write_mapping(path: &Path, files: &[(String, Labels)]) -> Result<()> {
    let write = || -> Result<()> {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        std::io::Write::write_all(&mut out, MAPPING_HEADER.as_bytes())?;
        let mut w = csv::Writer::from_writer(out);
        w.write_record(["pattern", "platform", "platform_detail", "platform_family", "campaign", "how"])?;
        for (source, l) in files {
            let mut pattern = globset::escape(source);
            if pattern.starts_with('#') {
                // Not a comment line.
                pattern.replace_range(..1, "[#]");
            }
            let known = l.origin != LabelOrigin::Unknown;
            let platform = if known { l.platform.as_str() } else { "" };
            let implied = if known { family_of(platform) } else { "unknown" };
            let family = if l.platform_family == implied { "" } else { l.platform_family.as_str() };
            let how = format!("{} ({})", l.how, l.origin.as_str());
            w.write_record([pattern.as_str(), platform, &l.platform_detail, family, &l.campaign, &how])?;
        }
        w.flush()?;
        Ok(())
    };
    write().with_context(|| format!("could not write label mapping file '{}'", path.display()))
}

/// One platform word found in a path component.
#[derive(Debug, Clone)]
struct Hit {
    /// The platform it means.
    platform: &'static str,
    /// The word as written.
    word: String,
}

/// What the words of a path say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PathReading {
    /// The platform, with the word that decided it: the nearest component to the file that
    /// names one platform.
    pub decided: Option<(String, PathWord)>,
    /// Components nearer the file than the deciding one (all of them when none decided) that
    /// named more than one platform, with those platforms: they decide nothing.
    pub passed_over: Vec<(String, Vec<String>)>,
    /// Detail words (`raw`, `qcow2`, `vmdk`, `configN`) from every component, nearest first.
    pub details: Vec<String>,
}

impl PathReading {
    /// For people: which word of which component decided, or why none did.
    pub(crate) fn how(&self) -> String {
        let passed = self
            .passed_over
            .iter()
            .map(|(c, ps)| format!("'{c}' names {}, so it decides nothing", and_list(ps)))
            .collect::<Vec<_>>()
            .join("; ");
        match &self.decided {
            Some((_, w)) => {
                let place = if w.depth == 0 {
                    "the file name".to_string()
                } else {
                    format!("folder '{}'", w.component)
                };
                let mut how = format!("path word '{}' in {place}", w.word);
                if !passed.is_empty() {
                    how.push_str(&format!(" (nearer the file, {passed})"));
                }
                how
            }
            None if passed.is_empty() => "no word in the path names a platform".to_string(),
            None => format!("{passed}; no other part of the path names a platform"),
        }
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Reads the words of `path`'s components, nearest the file first: the first component that
/// names exactly one platform decides it; details come from every component.
pub(crate) fn read_path(path: &Path) -> PathReading {
    let mut reading = PathReading::default();
    let mut prefix = PathBuf::new();
    let mut comps: Vec<(String, String)> = Vec::new();
    for c in path.components() {
        prefix.push(c.as_os_str());
        if let Component::Normal(name) = c {
            comps.push((name.to_string_lossy().into_owned(), prefix.to_string_lossy().into_owned()));
        }
    }
    let n = comps.len();
    for (i, (name, prefix)) in comps.iter().enumerate().rev() {
        let depth = n - 1 - i;
        let (hits, details) = read_component(name, depth == 0);
        for d in details {
            if !reading.details.contains(&d) {
                reading.details.push(d);
            }
        }
        if reading.decided.is_some() {
            continue;
        }
        let mut platforms: Vec<&str> = Vec::new();
        for h in &hits {
            if !platforms.contains(&h.platform) {
                platforms.push(h.platform);
            }
        }
        let all = platforms.clone();
        platforms.retain(|p| {
            !(GENERIC_PLATFORMS.contains(p)
                && all.iter().any(|q| !GENERIC_PLATFORMS.contains(q) && family_of(q) == family_of(p)))
        });
        match platforms.as_slice() {
            [] => {}
            [one] => {
                let Some(hit) = hits.iter().find(|h| h.platform == *one) else { continue };
                let word = PathWord {
                    word: hit.word.clone(),
                    component: name.clone(),
                    depth,
                    prefix: prefix.clone(),
                };
                reading.decided = Some((one.to_string(), word));
            }
            many => reading.passed_over.push((name.clone(), many.iter().map(|p| p.to_string()).collect())),
        }
    }
    reading
}

/// The platform a lowercase word names on its own: a platform word, or one with a number
/// after it (`vm2`; not `host1`, a machine's name). `host` counts only in a folder's name.
fn platform_of_word(lower: &str, in_file_name: bool) -> Option<&'static str> {
    let find = |w: &str| PLATFORM_WORDS.iter().find(|(t, _)| *t == w).map(|(_, p)| *p);
    let (word, platform) = match find(lower) {
        Some(p) => (lower, p),
        None => {
            let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit());
            if stem.is_empty() || stem.len() == lower.len() || FOLDER_ONLY_WORDS.contains(&stem) {
                return None;
            }
            (stem, find(stem)?)
        }
    };
    (!(in_file_name && FOLDER_ONLY_WORDS.contains(&word))).then_some(platform)
}

/// The detail a lowercase word names: a disk format or `configN`.
fn detail_of_word(lower: &str) -> Option<String> {
    match lower {
        "raw" => Some("raw".to_string()),
        "qcow" | "qcow2" => Some("qcow2".to_string()),
        "vmdk" | "vdi" | "vhd" | "vhdx" => Some(lower.to_string()),
        t if t.starts_with("config") && t.len() > 6 && t[6..].bytes().all(|b| b.is_ascii_digit()) => {
            Some(t.to_string())
        }
        _ => None,
    }
}

/// The platform words and detail words of one path component. Words are the runs of letters
/// and digits (`kvm-vs-docker` is `kvm`, `vs`, `docker`; `myvmtool` is one word).
fn read_component(name: &str, is_file_name: bool) -> (Vec<Hit>, Vec<String>) {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, c) in name.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, name.len()));
    }
    let lower: Vec<String> = spans.iter().map(|&(a, b)| name[a..b].to_lowercase()).collect();
    let (mut hits, mut details) = (Vec::new(), Vec::new());
    let mut i = 0;
    while i < spans.len() {
        details.extend(detail_of_word(&lower[i]));
        if let Some(&(_, _, platform)) =
            WORD_PAIRS.iter().find(|(a, b, _)| lower[i] == *a && lower.get(i + 1).is_some_and(|l| l == b))
        {
            if !platform.is_empty() {
                hits.push(Hit { platform, word: name[spans[i].0..spans[i + 1].1].to_string() });
            }
            details.extend(detail_of_word(&lower[i + 1]));
            i += 2;
            continue;
        }
        if let Some(platform) = platform_of_word(&lower[i], is_file_name) {
            hits.push(Hit { platform, word: name[spans[i].0..spans[i].1].to_string() });
        }
        i += 1;
    }
    (hits, details)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform_of(p: &str) -> (String, String, LabelOrigin) {
        let l = Labeler::default().label(Path::new(p));
        (l.platform, l.platform_detail, l.origin)
    }

    fn family(p: &str) -> String {
        Labeler::default().label(Path::new(p)).platform_family
    }

    fn how(p: &str) -> String {
        Labeler::default().label(Path::new(p)).how
    }

    #[test]
    fn file_name_wins_over_folder() {
        let (p, d, o) = platform_of("AAbiAbi__QEMU/docker-sysbench__result_1__config1_cpu_test1.txt");
        assert_eq!((p.as_str(), d.as_str(), o), ("docker", "config1", LabelOrigin::Path));
        let (p, d, _) = platform_of("AAbiAbi__QEMU/result_raw_1__config4_cpu_test1.txt");
        assert_eq!((p.as_str(), d.as_str()), ("qemu", "raw,config4"));
    }

    /// Issue 13, part 5: a component naming two platforms (`kvm-vs-docker`) decides nothing;
    /// the nearest component that names one does, and the label says which.
    #[test]
    fn a_component_naming_two_platforms_decides_nothing() {
        assert_eq!(platform_of("native/kvm-vs-docker/cpu.txt").0, "native");
        assert_eq!(platform_of("kvm-vs-docker/native/cpu.txt").0, "native");
        assert_eq!(platform_of("results/docker/kvm-vs-docker/cpu.txt").0, "docker");
        let (p, _, o) = platform_of("kvm-vs-docker/cpu.txt");
        assert_eq!((p.as_str(), o), ("unknown", LabelOrigin::Unknown));
        assert_eq!(
            how("kvm-vs-docker/cpu.txt"),
            "'kvm-vs-docker' names kvm and docker, so it decides nothing; no other part of the path \
             names a platform"
        );
        assert_eq!(
            how("study/native/kvm-vs-docker/cpu.txt"),
            "path word 'native' in folder 'native' (nearer the file, 'kvm-vs-docker' names kvm and \
             docker, so it decides nothing)"
        );
        assert_eq!(how("x/docker_cpu_test.txt"), "path word 'docker' in the file name");
        // The nearest component wins over a farther one that names another platform.
        assert_eq!(platform_of("qemu-runs/docker/cpu.txt").0, "docker");
        let l = Labeler::default().label(Path::new("a/qemu-runs/b/cpu.txt"));
        let w = l.path_word.expect("a path word");
        assert_eq!(
            (w.word.as_str(), w.component.as_str(), w.depth, w.prefix.as_str()),
            ("qemu", "qemu-runs", 2, "a/qemu-runs")
        );
    }

    /// Whole words only (a number may follow: `vm2`); no platform inside `vmstat`, `nvme`,
    /// `kvmtool`, `myvmtool`, nor in the program names `vm_stat` and `kvm_stat`.
    #[test]
    fn platform_words_are_whole_words() {
        for p in [
            "native/vm_stat.txt",
            "native/kvm_stat.log",
            "native/vmstat/cpu.txt",
            "native/nvme0n1-fio.json",
            "native/kvmtool-src/cpu.txt",
            "native/myvmtool/run.txt",
            "native/qemuish/run.txt",
        ] {
            assert_eq!(platform_of(p).0, "native", "{p}");
        }
        assert_eq!(platform_of("runs/vm2/cpu.txt").0, "vm");
        assert_eq!(platform_of("runs/Docker1/cpu.txt").0, "docker");
        assert_eq!(platform_of("runs/QEMU_QCOW2_CPU4.txt").0, "qemu");
        // `host` counts in a folder's name only: `repN.host.pidstat` is the host-side log of the
        // platform its folder names, and `host1` is a machine.
        assert_eq!(platform_of("qemu/sysbench-cpu/rep1.host.pidstat").0, "qemu");
        assert_eq!(platform_of("host/cpu.txt").0, "native");
        assert_eq!(platform_of("host1/cpu.txt").0, "unknown");
    }

    /// Issue 13, part 5: the common words, each with its family; `pod` is not one.
    #[test]
    fn common_platform_words_and_families() {
        for (path, platform, fam) in [
            ("r/lxc/cpu.txt", "lxc", "container"),
            ("r/LXD-runs/cpu.txt", "lxd", "container"),
            ("r/gvisor/cpu.txt", "gvisor", "container"),
            ("r/runsc/cpu.txt", "gvisor", "container"),
            ("r/k8s/cpu.txt", "k8s", "container"),
            ("r/kubernetes/cpu.txt", "k8s", "container"),
            ("r/podman/cpu.txt", "podman", "container"),
            ("r/containers/cpu.txt", "container", "container"),
            ("r/kata-containers/cpu.txt", "kata", "vm"),
            ("r/firecracker/cpu.txt", "firecracker", "vm"),
            ("r/VirtualBox/cpu.txt", "virtualbox", "vm"),
            ("r/vmware/cpu.txt", "vmware", "vm"),
            ("r/xen/cpu.txt", "xen", "vm"),
            ("r/Hyper-V/cpu.txt", "hyperv", "vm"),
            ("r/hyperv/cpu.txt", "hyperv", "vm"),
            ("r/tcg/cpu.txt", "qemu", "vm"),
            ("r/qemu-kvm/cpu.txt", "kvm", "vm"),
            ("r/kvm_vms/cpu.txt", "kvm", "vm"),
            ("r/docker-containers/cpu.txt", "docker", "container"),
            ("r/metal/cpu.txt", "native", "native"),
            ("r/baremetal/cpu.txt", "native", "native"),
            ("r/bare-metal/cpu.txt", "native", "native"),
        ] {
            let l = Labeler::default().label(Path::new(path));
            assert_eq!((l.platform.as_str(), l.platform_family.as_str()), (platform, fam), "{path}");
        }
        for path in ["r/pod/cpu.txt", "r/pods/cpu.txt", "r/iPod/cpu.txt", "r/qemu-tcg-vs-kvm/cpu.txt"] {
            assert_eq!(platform_of(path).0, "unknown", "{path}");
        }
        assert_eq!(family("localhost/cpu.txt"), "unknown");
        assert_eq!(
            (family_of("KVM"), family_of("baremetal"), family_of("mybox")),
            ("vm", "native", "unknown")
        );
    }

    #[test]
    fn synonyms_and_unknown() {
        assert_eq!(platform_of("runs/bare-metal/cpu.txt").0, "native");
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
        assert_eq!(l.platform_family, "vm");
        assert_eq!(l.origin, LabelOrigin::Cli);
        assert!(LabelSet::default().parse_assignment("platform").is_err());
        assert!(LabelSet::default().parse_assignment("colour=red").is_err());
    }

    fn labeler(assignments: &[&str], mapping: Option<&Path>) -> Labeler {
        let mut set = LabelSet::default();
        for kv in assignments {
            set.parse_assignment(kv).unwrap();
        }
        Labeler::new(set, mapping).unwrap()
    }

    /// Issue 13, part 4: an empty value, a family that is none, and brackets in a platform
    /// (they set the detail apart in `platform[detail]`) are refused, naming the label.
    #[test]
    fn bad_label_values_are_refused() {
        for (kv, says) in [
            ("platform=", "label 'platform' has an empty value; give one (e.g. platform=docker)"),
            ("platform=  ", "label 'platform' has an empty value"),
            ("platform_detail=", "label 'platform_detail' has an empty value"),
            ("campaign=", "label 'campaign' has an empty value"),
            ("platform_family=cloud", "platform_family must be one of native, container, vm; got 'cloud'"),
            ("platform=native[host]", "holds '[' or ']'"),
        ] {
            let err = LabelSet::default().parse_assignment(kv).expect_err(kv);
            let msg = format!("{err:#}");
            assert!(msg.starts_with(&format!("--label '{kv}': ")), "{msg}");
            assert!(msg.contains(says), "{kv}: {msg}");
        }
        let mut set = LabelSet::default();
        set.parse_assignment("family=VM").unwrap();
        assert_eq!(set.platform_family.as_deref(), Some("vm"));
    }

    /// Issue 13, part 4: `--label platform=docker` on a tree whose path gave another
    /// platform's detail does not keep it (`docker[config2,raw]`); a detail given beside it
    /// does; a mapping row's platform does the same.
    #[test]
    fn an_explicit_platform_replaces_the_path_detail() {
        let path = Path::new("qemu/raw/config2/cpu.txt");
        assert_eq!(Labeler::default().label(path).platform_detail, "config2,raw");
        let l = labeler(&["platform=docker"], None).label(path);
        assert_eq!(
            (l.platform.as_str(), l.platform_detail.as_str(), l.platform_family.as_str()),
            ("docker", "", "container")
        );
        let l = labeler(&["platform=docker", "platform_detail=smp2"], None).label(path);
        assert_eq!((l.platform.as_str(), l.platform_detail.as_str()), ("docker", "smp2"));
        let l = labeler(&["platform_detail=smp2"], None).label(path);
        assert_eq!(
            (l.platform.as_str(), l.platform_detail.as_str(), l.origin),
            ("qemu", "smp2", LabelOrigin::Path)
        );
        let dir = tempfile::tempdir().unwrap();
        let mapping = dir.path().join("m.csv");
        std::fs::write(&mapping, "pattern,platform\nqemu/raw,kvm\n").unwrap();
        let l = labeler(&[], Some(&mapping)).label(path);
        assert_eq!(
            (l.platform.as_str(), l.platform_detail.as_str(), l.origin),
            ("kvm", "", LabelOrigin::Mapping)
        );
        // A word of the user's own has no family unless one is given.
        assert_eq!(labeler(&["platform=mybox"], None).label(path).platform_family, "unknown");
        let l = labeler(&["platform=mybox", "platform_family=vm"], None).label(path);
        assert_eq!(l.platform_family, "vm");
    }

    /// A row naming a file's exact path wins over an earlier row whose pattern is a substring
    /// of it (`virtperf labels --write` writes one row per file, in path order); a path with
    /// glob characters, escaped, names exactly that path.
    #[test]
    fn a_mapping_row_naming_the_exact_path_wins() {
        let dir = tempfile::tempdir().unwrap();
        let mapping = dir.path().join("m.csv");
        std::fs::write(
            &mapping,
            "# a comment line\npattern,platform,how\nx/kvm/rep1.txt,kvm,ignored\nx/kvm/rep1.txt.docker,docker,\n\
             \"r[[]1]/kvm[*]/a,b.txt\",xen,\n",
        )
        .unwrap();
        let l = labeler(&[], Some(&mapping));
        assert_eq!(l.label(Path::new("x/kvm/rep1.txt")).platform, "kvm");
        assert_eq!(l.label(Path::new("x/kvm/rep1.txt.docker")).platform, "docker");
        assert_eq!(l.label(Path::new("r[1]/kvm*/a,b.txt")).platform, "xen");
        assert_eq!(
            l.label(Path::new("r1/kvm-1/a,b.txt")).platform,
            "kvm",
            "the escaped glob matches only itself"
        );
        assert_eq!(unescape_literal("a[*]b[[]c[]]"), Some("a*b[c]".to_string()));
        assert_eq!(unescape_literal("a*b"), None);
        assert_eq!(unescape_literal("a[bc]"), None);
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

    /// A run's platform factors are the manifest's `factors` that its platform's every run
    /// shares (`cpus` of a `[platform.matrix]`), not its workload's (`threads` of a
    /// `[workload.matrix]`, which takes both its values on the platform): the campaign
    /// `virtperf run` made in tests/fixtures/campaigns/docker-cpus.
    #[test]
    fn platform_factors_come_from_the_manifest_without_the_workload_factors() {
        let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/campaigns/docker-cpus");
        let l = Labeler::default();
        let docker = l.label(&d.join("docker-cpus=2/cpu-threads=1/rep1.txt"));
        assert_eq!(docker.platform, "docker-cpus=2");
        let want: BTreeMap<String, String> = [("cpus".to_string(), "2".to_string())].into();
        assert_eq!((docker.factors, docker.platform_kind.as_str()), (want, "docker"));
        let memory = l.label(&d.join("docker-cpus=1/memory/rep2.txt"));
        assert_eq!(memory.factors.get("cpus").map(String::as_str), Some("1"));
        let native = l.label(&d.join("native/cpu-threads=2/rep3.txt"));
        assert!(native.factors.is_empty(), "threads is the workload's: {:?}", native.factors);
        assert_eq!(native.platform_kind, "native");
    }

    /// The output of a `command` run takes the measure the manifest records for it (its
    /// pidstat log does not: pidstat's output is read as pidstat's), and the plan's workload
    /// name; a run without one has none.
    #[test]
    fn a_command_output_takes_its_measure_from_the_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(
            d.join("manifest.json"),
            r#"{"campaign": "c", "runs": [
                {"output": "native/forkloop/rep1.txt", "pidstat": "native/forkloop/rep1.pidstat",
                 "platform": "native", "workload": "forkloop", "workload_kind": "command",
                 "measure": {"metric": "fork_time_us", "unit": "us", "better": "lower",
                             "pattern": "([0-9.]+) us per fork"}},
                {"output": "native/cpu/rep1.txt", "platform": "native", "workload": "cpu",
                 "workload_kind": "sysbench"}]}"#,
        )
        .unwrap();
        let l = Labeler::default();
        let out = l.label(&d.join("native/forkloop/rep1.txt"));
        let m = out.measure.expect("a measure");
        assert_eq!(
            (m.metric.as_str(), m.unit.as_str(), m.better, m.pattern.as_str()),
            ("fork_time_us", "us", crate::model::Better::Lower, "([0-9.]+) us per fork")
        );
        assert_eq!(l.label(&d.join("native/forkloop/rep1.pidstat")).measure, None);
        assert_eq!(l.label(&d.join("native/cpu/rep1.txt")).measure, None);
        assert_eq!(l.plan_workload(&d.join("native/forkloop/rep1.txt")).as_deref(), Some("forkloop"));
        assert_eq!(l.plan_workload(&d.join("native/other/rep1.txt")), None);
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
