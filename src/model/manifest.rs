//! `OUT/manifest.json`, the contract between the executor and the rest: what a campaign ran,
//! where its files are and the facts of each run. [`crate::exec`] writes it (whole, to a
//! temporary file renamed over the old one after every run, so a reader or a resumed campaign
//! never sees half a manifest); [`crate::label`] reads it (`campaign`, and per run `output`,
//! `pidstat`, `host_pidstat`, `platform`, `platform_detail`, `repetition`, `status`,
//! `exit_code`): older manifests must keep parsing. This module runs nothing.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// Version of the manifest layout.
pub(crate) const MANIFEST_FORMAT: u32 = 1;

/// The whole manifest.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Manifest {
    /// Layout version ([`MANIFEST_FORMAT`]).
    pub format: u32,
    /// virtperf version that wrote it.
    pub virtperf_version: String,
    /// Campaign name from the plan.
    pub campaign: String,
    /// Plan file as given on the command line.
    pub plan: String,
    /// sha256 of the plan file, hex; a resume with another plan is refused.
    pub plan_sha256: String,
    /// Seed of the run order.
    pub seed: u64,
    /// When the campaign first started (RFC 3339, UTC).
    pub created_at: String,
    /// When this file was last written.
    pub updated_at: String,
    /// Runs planned in total, warm-ups included.
    pub planned_runs: usize,
    /// Facts about the machine running virtperf.
    pub host: Facts,
    /// Facts about each platform, by name, as found when it was started.
    pub platforms: BTreeMap<String, PlatformFacts>,
    /// Every finished run (ok, failed or timed out), in the order they ran.
    pub runs: Vec<RunRecord>,
    /// Precision on demand: per (platform, workload) whose plan asks for a precision, the rule
    /// and why its repetitions stopped. Empty without `precision_pct`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub precision: Vec<PrecisionStop>,
}

/// How the repetitions of one (platform, workload) ended under precision on demand.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PrecisionStop {
    /// Platform name.
    pub platform: String,
    /// Workload name.
    pub workload: String,
    /// Target: the half-width of the 95% interval of the primary metric's mean, in percent of
    /// the mean.
    pub target_pct: f64,
    /// Repetitions always run.
    pub min_repetitions: u32,
    /// Repetitions at most.
    pub max_repetitions: u32,
    /// The primary metric judged (as the parser declares it); `None` when no run's was read.
    pub metric: Option<String>,
    /// Measured repetitions run, failed ones included.
    pub repetitions: u32,
    /// Repetitions whose primary metric was read (the interval's n).
    pub values: u32,
    /// The half-width reached, percent of the mean; `None` with fewer than two values or a
    /// mean of 0.
    pub reached_pct: Option<f64>,
    /// `met` (the target reached), `max_repetitions` (the maximum run without reaching it), or
    /// `interrupted` (the campaign stopped first).
    pub stopped: String,
}

/// Facts about one machine (host or guest), from `uname`, `/proc` and the tools' version
/// flags. Empty strings and `None` when a fact could not be read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Facts {
    /// Kernel release (`uname -r`).
    pub kernel: String,
    /// CPU model name from /proc/cpuinfo.
    pub cpu_model: String,
    /// Online CPUs (`nproc`).
    pub cores: Option<u32>,
    /// MemTotal in MiB.
    pub memory_mib: Option<u64>,
    /// Operating system (PRETTY_NAME of /etc/os-release).
    pub os: String,
    /// Tool versions, by tool (`sysbench`, `fio`, `pidstat`, `nginx`, `wrk`), first line of
    /// their version output.
    pub tools: BTreeMap<String, String>,
}

/// A platform as it was started.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PlatformFacts {
    /// `native`, `docker`, `ssh` or `qemu`.
    pub kind: String,
    /// The detail label (`raw,smp2,m2048,tcg`).
    pub detail: String,
    /// The platform's settings from the plan, as key → value.
    pub settings: BTreeMap<String, String>,
    /// Facts inside the platform (the guest for qemu/ssh, the container for docker).
    pub guest: Facts,
    /// qemu: the full command line, argv.
    pub qemu_argv: Option<Vec<String>>,
    /// qemu: accelerator the VM ran under (`kvm`, or `tcg` after a fallback; the plan's
    /// choice is `settings.accel_requested`); `None` when it did not start.
    pub accel: Option<String>,
    /// qemu: why KVM was not used although the plan asked for it (no /dev/kvm, qemu died,
    /// QMP status `internal-error`, a silent console), with the files that hold the reason;
    /// `None` when KVM ran or was not asked for.
    pub kvm_failure: Option<String>,
    /// Why the platform did not start (its runs are recorded failed with it); `None` when it
    /// started.
    pub error: Option<String>,
    /// qemu: seconds from start to ssh answering.
    pub boot_s: Option<f64>,
    /// docker: the container id or name used.
    pub container: Option<String>,
}

impl RunStatus {
    /// The word the manifest uses: `ok`, `failed` or `timeout`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RunStatus::Ok => "ok",
            RunStatus::Failed => "failed",
            RunStatus::Timeout => "timeout",
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// Exit status 0.
    #[default]
    Ok,
    /// Non-zero exit, setup failure or could not start.
    Failed,
    /// Killed after its timeout.
    Timeout,
}

/// One finished run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RunRecord {
    /// `platform/workload/rep3`, unique in the campaign.
    pub id: String,
    /// Position in the campaign's order, 1-based.
    pub order: usize,
    /// Platform name (a label).
    pub platform: String,
    /// Platform kind.
    pub platform_kind: String,
    /// Platform detail (a label).
    pub platform_detail: String,
    /// Workload name.
    pub workload: String,
    /// Workload kind (`sysbench`, `fio`, `wrk`, `command`).
    pub workload_kind: String,
    /// Repetition number (1-based); 0 for a warm-up.
    pub repetition: u32,
    /// True for a warm-up run (not a repetition; output kept under `.virtperf/warmup/`).
    pub warmup: bool,
    /// The workload's argv as run on the platform (wrk: on the host, URL last).
    pub argv: Vec<String>,
    /// The command line virtperf spawned for it (docker exec / ssh wrapper included).
    pub spawned: Vec<String>,
    /// Setup commands run before it.
    pub setup: Vec<Vec<String>>,
    /// Cleanup commands run after it.
    pub cleanup: Vec<Vec<String>>,
    /// Raw stdout of the tool, relative to the manifest's folder.
    pub output: String,
    /// stderr of the tool, relative to the manifest's folder (a hidden file beside the output).
    pub stderr: String,
    /// pidstat log inside the platform, relative; `None` without monitoring.
    pub pidstat: Option<String>,
    /// pidstat log on the host (qemu process, container processes), relative.
    pub host_pidstat: Option<String>,
    /// Start (RFC 3339, UTC, ms).
    pub started_at: String,
    /// End.
    pub ended_at: String,
    /// Wall time of the tool, seconds.
    pub duration_s: f64,
    /// Exit code; `None` when killed by a signal or not started.
    pub exit_code: Option<i32>,
    /// ok, failed or timeout.
    pub status: RunStatus,
    /// Why it failed, for people.
    pub error: Option<String>,
    /// Timeout that applied, seconds.
    pub timeout_s: f64,
    /// Host facts (kernel, CPU, cores, memory, wrk version).
    pub host: Facts,
    /// Facts inside the platform.
    pub guest: Facts,
    /// qemu command line, when the platform is a VM virtperf started.
    pub qemu_argv: Option<Vec<String>>,
    /// qemu: the accelerator the VM ran under (`kvm`, or `tcg` after a fallback).
    pub accel: Option<String>,
    /// Platform settings from the plan.
    pub settings: BTreeMap<String, String>,
    /// For a `command` workload: what it measures, as the plan declares it; `None` otherwise.
    pub measure: Option<Measure>,
    /// The factor values this run's workload and platform were expanded with from the plan's
    /// matrices (`threads` -> `8`, `smp` -> `2`), empty when nothing was expanded.
    pub factors: BTreeMap<String, String>,
    /// For a workload whose tool is the client of a service virtperf started on the platform
    /// (wrk, sysbench-oltp, redis-benchmark, iperf3): where the client ran, `host` (this
    /// machine, so the network path into the platform is part of what was measured) or
    /// `platform` (inside it, against 127.0.0.1); `None` for other workloads.
    pub client: Option<String>,
    /// With `client`: the address the client reached the service at, `HOST:PORT`.
    pub target: Option<String>,
}

/// What a `command` workload measures (the plan's `[workload.measure]`): the ingester finds
/// the value in the command's output with `pattern` and records it as metric `metric`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measure {
    /// Metric name, with its unit in it as every metric's (`fork_time_ms`, `touch_gib_per_sec`).
    pub metric: String,
    /// Unit, spelled out (`ms`, `GiB/s`).
    pub unit: String,
    /// Which direction is better: `higher` or `lower`.
    pub better: crate::model::Better,
    /// A regular expression (Rust `regex` syntax) with one capture group around the number;
    /// the last match in the output is the run's value.
    pub pattern: String,
}

impl Manifest {
    /// Reads `path`.
    pub fn load(path: &Path) -> Result<Manifest> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("could not read '{}'", path.display()))?;
        serde_json::from_str(&text)
            .with_context(|| format!("'{}' is not a virtperf manifest", path.display()))
    }

    /// Writes to `path` atomically: a temporary file in the same folder, synced, renamed.
    pub(crate) fn save(&self, path: &Path) -> Result<()> {
        let dir = path.parent().unwrap_or(Path::new("."));
        let tmp = dir.join(".manifest.json.tmp");
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
            f.write_all(&json)?;
            f.write_all(b"\n")?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)
        };
        write().with_context(|| format!("could not write '{}'", path.display()))
    }

    /// The record of run `id`, if it finished.
    pub fn run(&self, id: &str) -> Option<&RunRecord> {
        self.runs.iter().find(|r| r.id == id)
    }

    /// Adds `rec`, replacing an earlier record of the same run (a retried failure).
    pub(crate) fn record(&mut self, rec: RunRecord) {
        self.runs.retain(|r| r.id != rec.id);
        self.runs.push(rec);
    }
}
