//! The campaign plan: a TOML file naming platforms, workloads and monitoring, read once and
//! checked before anything runs. Every error names the plan file, the key and what was expected.
//!
//! This module only reads and validates; building argv is the executors' job
//! ([`crate::exec::Executor`]) and ordering runs is [`crate::exec::schedule`]'s.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::kinds::{workload_kind, ArgvFrom, Client, WorkloadKind, WORKLOAD_KINDS};
use super::matrix::{expanded_name, fill, mentions, Combination, Matrix};
use crate::model::manifest::Measure;
use crate::model::Better;

/// Seconds, as a float.
pub(crate) type Seconds = f64;

/// A whole plan.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Plan {
    /// Campaign name, written to the manifest and used as a label.
    #[serde(default = "default_campaign")]
    pub(crate) campaign: String,
    /// Seed of the run order; `--seed` overrides it. Default 1.
    #[serde(default)]
    pub(crate) seed: Option<u64>,
    /// Default timeout of one run, in seconds (a workload's `timeout_s` overrides it).
    #[serde(default = "default_timeout")]
    pub(crate) timeout_s: Seconds,
    /// Monitoring settings.
    #[serde(default)]
    pub(crate) monitor: Monitor,
    /// Precision on demand for every workload that gives no `repetitions` of its own: the
    /// relative half-width (percent of the mean) the 95% interval of the primary metric's mean
    /// must reach.
    #[serde(default)]
    pub(crate) precision_pct: Option<f64>,
    /// With `precision_pct`: repetitions always run. Default 3.
    #[serde(default)]
    pub(crate) min_repetitions: Option<u32>,
    /// With `precision_pct`: repetitions at most. Default 20.
    #[serde(default)]
    pub(crate) max_repetitions: Option<u32>,
    /// Platforms, in the order given (order matters only for names).
    #[serde(default, rename = "platform")]
    pub(crate) platforms: Vec<PlatformSpec>,
    /// Workloads.
    #[serde(default, rename = "workload")]
    pub(crate) workloads: Vec<WorkloadSpec>,
    /// Where the plan was read from (not a TOML key).
    #[serde(skip)]
    pub(crate) path: PathBuf,
}

fn default_campaign() -> String {
    "campaign".into()
}
fn default_timeout() -> Seconds {
    600.0
}

/// `[monitor]`: pidstat alongside every run.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Monitor {
    /// pidstat interval in seconds; 0 turns monitoring off. Default 1.
    #[serde(default = "one")]
    pub(crate) pidstat_interval_s: u32,
    /// Also run pidstat on the host for the qemu process or the container's processes.
    /// Default true.
    #[serde(default = "yes")]
    pub(crate) host: bool,
}

impl Default for Monitor {
    fn default() -> Monitor {
        Monitor { pidstat_interval_s: 1, host: true }
    }
}

fn one() -> u32 {
    1
}
fn yes() -> bool {
    true
}

/// One `[[platform]]` table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlatformSpec {
    /// Name used in paths and labels (`native`, `docker`, `qemu-raw`): letters, digits, `-`,
    /// `_`, `.`.
    pub(crate) name: String,
    /// `native`, `docker`, `ssh` or `qemu`.
    pub(crate) kind: String,
    /// Free text added to the platform detail label (e.g. `raw,smp2`); default built from the
    /// settings.
    #[serde(default)]
    pub(crate) detail: Option<String>,
    /// Folder on the platform where workloads run (fileio files land here). Default: native
    /// `OUT/.virtperf/work/NAME`, others `/var/tmp/virtperf`.
    #[serde(default)]
    pub(crate) workdir: Option<String>,
    /// nginx binary on the platform, for wrk workloads. Default `/usr/sbin/nginx`.
    #[serde(default)]
    pub(crate) nginx: Option<String>,

    // docker
    /// docker: image to start a container from (`docker run -d --rm ... IMAGE sleep infinity`).
    #[serde(default)]
    pub(crate) image: Option<String>,
    /// docker: an existing, running container to use with `docker exec` (not stopped).
    #[serde(default)]
    pub(crate) container: Option<String>,
    /// docker: extra `docker run` flags, one per element, e.g. `["--cpus=2", "--memory=2g"]`.
    #[serde(default)]
    pub(crate) run_args: Vec<String>,
    /// docker: the docker binary. Default `docker`.
    #[serde(default)]
    pub(crate) docker: Option<String>,
    /// docker: CPUs the container may use (`--cpus`), e.g. `2` or `"1.5"`.
    #[serde(default, deserialize_with = "text_or_number")]
    pub(crate) cpus: Option<String>,
    /// docker: memory limit (`--memory`), e.g. `"2g"`.
    #[serde(default, deserialize_with = "text_or_number")]
    pub(crate) memory: Option<String>,
    /// docker: network mode (`--network`): `bridge` (docker's default, service ports
    /// published with `-p`) or `host` (the host's network; nothing to publish).
    #[serde(default)]
    pub(crate) network: Option<String>,

    // ssh and qemu
    /// ssh: host name or address.
    #[serde(default)]
    pub(crate) host: Option<String>,
    /// ssh: port (default 22); qemu: host port forwarded to the guest's 22 (default: a free
    /// port).
    #[serde(default)]
    pub(crate) port: Option<u16>,
    /// ssh/qemu: user (default root).
    #[serde(default)]
    pub(crate) user: Option<String>,
    /// ssh/qemu: private key file (relative to the plan).
    #[serde(default)]
    pub(crate) key: Option<PathBuf>,
    /// ssh/qemu: extra `ssh` options, one per element, e.g. `["-o", "Compression=no"]`.
    #[serde(default)]
    pub(crate) ssh_args: Vec<String>,
    /// ssh: address wrk connects to for this platform's nginx (default `host`).
    #[serde(default)]
    pub(crate) wrk_host: Option<String>,

    // qemu
    /// qemu: the emulator binary. Default `qemu-system-x86_64`.
    #[serde(default)]
    pub(crate) qemu: Option<String>,
    /// qemu: kernel for a direct boot (relative to the plan). Without it, the disk boots itself.
    #[serde(default)]
    pub(crate) kernel: Option<PathBuf>,
    /// qemu: initrd for a direct boot.
    #[serde(default)]
    pub(crate) initrd: Option<PathBuf>,
    /// qemu: kernel command line. Default `root=/dev/vda rw console=ttyS0`.
    #[serde(default)]
    pub(crate) append: Option<String>,
    /// qemu: disk image (relative to the plan).
    #[serde(default)]
    pub(crate) disk: Option<PathBuf>,
    /// qemu: disk format, `raw` or `qcow2`. Default `raw`.
    #[serde(default)]
    pub(crate) format: Option<String>,
    /// qemu: virtual CPUs (-smp). Default 1.
    #[serde(default)]
    pub(crate) smp: Option<u32>,
    /// qemu: memory in MiB (-m). Default 1024.
    #[serde(default)]
    pub(crate) memory_mib: Option<u32>,
    /// qemu: `kvm` (falls back to tcg with a warning when KVM does not work) or `tcg`.
    /// Default `kvm`.
    #[serde(default)]
    pub(crate) accel: Option<String>,
    /// qemu with `accel = "kvm"`: seconds the guest may leave its serial console empty
    /// before KVM is judged not to work (a nested guest that hangs under KVM) and the VM is
    /// started again with TCG. Applies to a direct boot whose `append` holds `console=ttyS`;
    /// 0 turns the rule off. Default 20.
    #[serde(default)]
    pub(crate) kvm_console_timeout_s: Option<Seconds>,
    /// qemu with `accel = "kvm"`: start the VM again with TCG when KVM does not work. With
    /// false the platform is reported as not started, with the reason, and its runs are
    /// recorded failed. Default true.
    #[serde(default)]
    pub(crate) kvm_fallback: Option<bool>,
    /// qemu: keep the disk unchanged (`-snapshot`). Default false.
    #[serde(default)]
    pub(crate) snapshot: bool,
    /// qemu: seconds to wait for ssh after starting. Default 300.
    #[serde(default)]
    pub(crate) boot_timeout_s: Option<Seconds>,
    /// qemu: extra arguments, one per element.
    #[serde(default)]
    pub(crate) qemu_args: Vec<String>,

    /// Settings to vary (`[platform.matrix] smp = [1, 2]`): the platform stands for one
    /// platform per combination. Empty after expansion.
    #[serde(default, skip_serializing_if = "Matrix::is_empty")]
    pub(crate) matrix: Matrix,
    /// After expansion: the name the plan gave (without the factor values).
    #[serde(skip)]
    pub(crate) base: Option<String>,
    /// After expansion: the factor values this platform was made with.
    #[serde(skip)]
    pub(crate) factors: Combination,
}

/// Reads a setting given as text or as a number (`cpus = 2`, `cpus = "1.5"`) as text.
fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde::de::Error;
    match toml::Value::deserialize(d)? {
        toml::Value::String(s) => Ok(Some(s)),
        toml::Value::Integer(i) => Ok(Some(i.to_string())),
        toml::Value::Float(f) => Ok(Some(f.to_string())),
        other => Err(D::Error::custom(format!("expected a string or a number, got {}", other.type_str()))),
    }
}

/// The platform settings a `[platform.matrix]` may vary, per kind.
const PLATFORM_FACTORS: &[(&str, &[&str])] = &[
    ("qemu", &["format", "disk", "smp", "memory_mib", "accel"]),
    ("docker", &["cpus", "memory", "network"]),
];

/// One `[[workload]]` table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WorkloadSpec {
    /// Name used in paths (`sysbench-cpu`).
    pub(crate) name: String,
    /// `sysbench`, `fio`, `wrk` or `command`.
    pub(crate) kind: String,
    /// Arguments after the tool name (sysbench, fio, wrk) or the whole argv (command).
    #[serde(default)]
    pub(crate) args: Vec<String>,
    /// Measured repetitions per platform (default 5), or with precision on demand the
    /// repetitions run before the first check of the precision reached ([`Self::repetitions`]).
    #[serde(default, rename = "repetitions")]
    pub(crate) repetitions_key: Option<u32>,
    /// Precision on demand: add repetitions, in interleaved rounds, until the 95% interval of
    /// the primary metric's mean is within this percentage of the mean (or the maximum).
    #[serde(default)]
    pub(crate) precision_pct: Option<f64>,
    /// With `precision_pct`: repetitions always run. Default the plan's, else 3.
    #[serde(default)]
    pub(crate) min_repetitions: Option<u32>,
    /// With `precision_pct`: repetitions at most. Default the plan's, else 20.
    #[serde(default)]
    pub(crate) max_repetitions: Option<u32>,
    /// The precision rule that applies, the workload's own or the plan's (set when the plan is
    /// read).
    #[serde(skip)]
    pub(crate) precision: Option<PrecisionRule>,
    /// Warm-up runs per platform before its first repetition (run, recorded as warm-ups,
    /// outputs kept out of the ingested tree). Default 0.
    #[serde(default)]
    pub(crate) warmup: u32,
    /// Commands (argv lists) run on the platform before each run, e.g. fileio prepare.
    #[serde(default)]
    pub(crate) setup: Vec<Vec<String>>,
    /// Commands (argv lists) run on the platform after each run, even a failed one.
    #[serde(default)]
    pub(crate) cleanup: Vec<Vec<String>>,
    /// Timeout of one run in seconds; default the plan's `timeout_s`.
    #[serde(default)]
    pub(crate) timeout_s: Option<Seconds>,
    /// Platforms to run on (names); default all.
    #[serde(default)]
    pub(crate) platforms: Option<Vec<String>>,
    /// Process name pidstat watches (`pidstat -C`); default the tool (nginx for wrk, the
    /// command's file name for command).
    #[serde(default)]
    pub(crate) monitor: Option<String>,
    /// wrk: size of the file nginx serves, in bytes. Default 4096.
    #[serde(default)]
    pub(crate) file_bytes: Option<u64>,
    /// A kind with a service (wrk, sysbench-oltp, redis-benchmark, iperf3): the port the
    /// service listens on, on the platform. Default: the service's (nginx 18080, MariaDB
    /// 13306, Redis 16379, iperf3 15201).
    #[serde(default)]
    pub(crate) port: Option<u16>,
    /// A kind with a service: where its client runs, `host` (this machine, through the port
    /// the platform publishes or forwards: the network path is part of what is measured) or
    /// `platform` (inside it, against 127.0.0.1). Default `host`.
    #[serde(default)]
    pub(crate) client: Option<String>,
    /// command: what it measures (`[workload.measure]`), recorded in every run's manifest
    /// record for the ingester.
    #[serde(default)]
    pub(crate) measure: Option<MeasureSpec>,
    /// Files on this host (relative to the plan) copied into the platform's work folder, under
    /// their own names, before the workload's first run there: a benchmark built on the host.
    #[serde(default)]
    pub(crate) files: Vec<PathBuf>,
    /// Values to vary (`[workload.matrix] threads = [8, 16]`, used as `{threads}` in `args`,
    /// `setup`, `cleanup`, `files` or `name`): one workload per combination. Empty after
    /// expansion.
    #[serde(default, skip_serializing_if = "Matrix::is_empty")]
    pub(crate) matrix: Matrix,
    /// After expansion: the name the plan gave.
    #[serde(skip)]
    pub(crate) base: Option<String>,
    /// After expansion: the factor values this workload was made with.
    #[serde(skip)]
    pub(crate) factors: Combination,
}

/// Precision on demand for a workload: repetitions are added until the 95% interval of the
/// mean of its primary metric has a half-width of at most `pct` percent of the mean, from `min`
/// to `max` repetitions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct PrecisionRule {
    /// Target relative half-width, percent.
    pub(crate) pct: f64,
    /// Repetitions always run.
    pub(crate) min: u32,
    /// Repetitions at most.
    pub(crate) max: u32,
}

/// `[workload.measure]`: the number a `command` workload's output holds.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MeasureSpec {
    /// Metric name (`fork_time_ms`): a letter, then letters, digits and `_`.
    pub(crate) metric: String,
    /// Its unit (`ms`).
    pub(crate) unit: String,
    /// `higher` or `lower`.
    pub(crate) better: String,
    /// A regular expression with one capture group around the number; the last match counts.
    pub(crate) pattern: String,
}

impl MeasureSpec {
    /// What is wrong with it, for the plan check: `None` when it is fine.
    fn problem(&self) -> Option<String> {
        let ident = |s: &str| {
            s.starts_with(|c: char| c.is_ascii_alphabetic())
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        if !ident(&self.metric) {
            return Some(format!(
                "key 'metric' must be a name of letters, digits and '_' starting with a letter \
                 (e.g. \"fork_time_ms\"), got '{}'",
                self.metric
            ));
        }
        if self.unit.trim().is_empty() {
            return Some("key 'unit' must not be empty (e.g. \"ms\")".into());
        }
        if Better::parse(&self.better).is_none_or(|b| b == Better::None) {
            return Some(format!("key 'better' must be \"higher\" or \"lower\", got '{}'", self.better));
        }
        match regex::Regex::new(&self.pattern) {
            Err(e) => Some(format!("key 'pattern' is not a valid regular expression: {e}")),
            Ok(re) if re.captures_len() != 2 => Some(format!(
                "key 'pattern' must have exactly one capture group, around the number \
                 (e.g. 'in (\\d+(?:\\.\\d+)?) ms'; use (?:...) for other groups), got {} in '{}'",
                re.captures_len() - 1,
                self.pattern
            )),
            Ok(_) => None,
        }
    }

    /// As the manifest records it.
    pub(crate) fn to_measure(&self) -> Measure {
        Measure {
            metric: self.metric.clone(),
            unit: self.unit.clone(),
            better: Better::parse(&self.better).unwrap_or(Better::None),
            pattern: self.pattern.clone(),
        }
    }

    /// The number in `output` (the last match of the pattern), or why there is none.
    pub(crate) fn find(&self, output: &str) -> Result<f64, String> {
        let re = regex::Regex::new(&self.pattern).map_err(|e| e.to_string())?;
        let Some(caps) = re.captures_iter(output).last() else {
            return Err(format!(
                "its output has no match for the measure's pattern '{}' (metric {})",
                self.pattern, self.metric
            ));
        };
        let text = caps.get(1).map(|m| m.as_str()).unwrap_or("");
        text.trim().parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
            format!(
                "the measure's pattern '{}' found '{text}' in its output, which is not a number (metric {})",
                self.pattern, self.metric
            )
        })
    }
}

/// Kinds of platform.
const PLATFORM_KINDS: &[&str] = &["native", "docker", "ssh", "qemu"];

impl Plan {
    /// Reads and checks the plan at `path`.
    pub(crate) fn load(path: &Path) -> Result<Plan> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("could not read plan '{}'", path.display()))?;
        Plan::parse(&text, path)
    }

    /// Parses and checks plan text; `path` is used in messages and to resolve relative paths.
    pub(crate) fn parse(text: &str, path: &Path) -> Result<Plan> {
        let mut plan: Plan = toml::from_str(text)
            .map_err(|e| anyhow::anyhow!("plan '{}': {}", path.display(), e.to_string().trim_end()))?;
        plan.path = path.to_path_buf();
        plan.expand()?;
        plan.resolve_paths();
        plan.check()?;
        plan.resolve_precision();
        Ok(plan)
    }

    /// Replaces every workload and platform that has a matrix by its expansions, in place (so
    /// the order of the plan is kept), filling `{factor}` placeholders and setting the varied
    /// settings.
    fn expand(&mut self) -> Result<()> {
        let mut platforms = Vec::new();
        for (i, p) in self.platforms.iter().enumerate() {
            if p.matrix.is_empty() {
                platforms.push(p.clone());
                continue;
            }
            let at = format!("platform[{i}] ('{}')", p.name);
            for combo in p.matrix.combinations() {
                platforms.push(self.expand_platform(p, &combo).map_err(|m| self.err(format!("{at}: {m}")))?);
            }
        }
        let mut workloads = Vec::new();
        for (i, w) in self.workloads.iter().enumerate() {
            if w.matrix.is_empty() {
                workloads.push(w.clone());
                continue;
            }
            let at = format!("workload[{i}] ('{}')", w.name);
            for f in w.matrix.factors() {
                let texts = std::iter::once(w.name.clone())
                    .chain(w.args.iter().cloned())
                    .chain(w.setup.iter().chain(&w.cleanup).flatten().cloned())
                    .chain(w.files.iter().map(|f| f.display().to_string()));
                if !texts.into_iter().any(|t| mentions(&t, f)) {
                    return Err(self.err(format!(
                        "{at}: [workload.matrix] factor '{f}' is used nowhere: write {{{f}}} where its value goes, \
                         e.g. args = [\"--{f}={{{f}}}\"]"
                    )));
                }
                if let Some(p) = platforms.iter().find(|p| p.factors.iter().any(|(k, _)| k == f)) {
                    return Err(self.err(format!(
                        "{at}: [workload.matrix] factor '{f}' is also a factor of platform '{}'; give the \
                         workload's another name",
                        p.base.as_deref().unwrap_or(&p.name)
                    )));
                }
            }
            let names: Vec<&str> = w.matrix.factors();
            if names.iter().any(|f| mentions(&w.name, f)) {
                if let Some(f) = names.iter().find(|f| !mentions(&w.name, f)) {
                    return Err(self.err(format!(
                        "{at}: key 'name' names some factors but not '{{{f}}}': the expansions would share names"
                    )));
                }
            }
            for combo in w.matrix.combinations() {
                workloads.push(expand_workload(w, &combo).map_err(|m| self.err(format!("{at}: {m}")))?);
            }
        }
        self.platforms = platforms;
        self.workloads = workloads;
        Ok(())
    }

    /// One expansion of platform `p`: the factor values of `combo` set as its settings.
    fn expand_platform(&self, p: &PlatformSpec, combo: &Combination) -> Result<PlatformSpec, String> {
        let allowed: &[&str] = PLATFORM_FACTORS.iter().find(|(k, _)| *k == p.kind).map_or(&[], |(_, f)| *f);
        let mut q = p.clone();
        q.matrix = Matrix::default();
        q.base = Some(p.name.clone());
        q.factors = combo.clone();
        q.name = expanded_name(&p.name, combo).map_err(|m| format!("key 'name': {m}"))?;
        let fill_key = |key: &str, v: &str| fill(v, combo).map_err(|m| format!("key '{key}': {m}"));
        q.detail = p.detail.as_deref().map(|d| fill_key("detail", d)).transpose()?;
        q.image = p.image.as_deref().map(|d| fill_key("image", d)).transpose()?;
        q.append = p.append.as_deref().map(|d| fill_key("append", d)).transpose()?;
        if let Some(d) = &p.disk {
            q.disk = Some(PathBuf::from(fill_key("disk", &d.display().to_string())?));
        }
        for (key, list) in [("run_args", &mut q.run_args), ("qemu_args", &mut q.qemu_args)] {
            for a in list.iter_mut() {
                *a = fill_key(key, a)?;
            }
        }
        // A detail the plan gives carries every factor value: those it has no placeholder
        // for are added as factor=value.
        if let Some(d) = &mut q.detail {
            for (k, v) in combo {
                if !p.detail.as_deref().is_some_and(|t| mentions(t, k)) {
                    d.push_str(&format!("{}{k}={v}", if d.is_empty() { "" } else { "," }));
                }
            }
        }
        for (k, v) in combo {
            if !allowed.contains(&k.as_str()) {
                return Err(format!(
                    "[platform.matrix] key '{k}' is not a setting a matrix can vary for kind = \"{}\"{}",
                    p.kind,
                    if allowed.is_empty() {
                        String::new()
                    } else {
                        format!(" (it can vary {})", allowed.join(", "))
                    }
                ));
            }
            let whole = |v: &str| {
                v.parse::<u32>()
                    .map_err(|_| format!("[platform.matrix] key '{k}': '{v}' is not a whole number"))
            };
            let set = match k.as_str() {
                "format" => q.format.replace(v.clone()).is_some(),
                "disk" => q.disk.replace(PathBuf::from(v)).is_some(),
                "smp" => q.smp.replace(whole(v)?).is_some(),
                "memory_mib" => q.memory_mib.replace(whole(v)?).is_some(),
                "accel" => q.accel.replace(v.clone()).is_some(),
                "cpus" => q.cpus.replace(v.clone()).is_some(),
                "memory" => q.memory.replace(v.clone()).is_some(),
                "network" => q.network.replace(v.clone()).is_some(),
                _ => false,
            };
            if set {
                return Err(format!(
                    "key '{k}' is set and also varied by [platform.matrix]; keep one of the two"
                ));
            }
        }
        Ok(q)
    }

    fn resolve_paths(&mut self) {
        let base = self.path.parent().map(Path::to_path_buf).unwrap_or_default();
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let resolve = |f: &mut PathBuf| {
            if let (Ok(rest), Some(home)) = (f.strip_prefix("~"), &home) {
                *f = home.join(rest);
            } else if f.is_relative() {
                *f = base.join(&*f);
            }
        };
        for p in &mut self.platforms {
            [&mut p.key, &mut p.kernel, &mut p.initrd, &mut p.disk].into_iter().flatten().for_each(resolve);
        }
        for w in &mut self.workloads {
            w.files.iter_mut().for_each(resolve);
        }
    }

    fn err(&self, what: String) -> anyhow::Error {
        anyhow::anyhow!("plan '{}': {what}", self.path.display())
    }

    /// Checks entry `i` of the `what` list (`platform`, `workload`): a valid name not taken
    /// by an earlier entry (`seen`), and a kind among `kinds`. Returns how messages name it.
    /// `i` counts the plan's entries (all expansions of one matrix entry share it); `base` is
    /// the entry's own name when `name` is one of its expansions.
    #[allow(clippy::too_many_arguments)]
    fn check_entry<'a>(
        &self,
        what: &str,
        i: usize,
        name: &'a str,
        base: Option<&str>,
        kind: &str,
        kinds: &[&str],
        seen: &mut BTreeSet<&'a str>,
    ) -> Result<String> {
        let at = match base {
            Some(b) => format!("{what}[{i}] ('{b}' as '{name}')"),
            None => format!("{what}[{i}] ('{name}')"),
        };
        check_name(name).map_err(|m| self.err(format!("{at}: key 'name' {m}")))?;
        if !seen.insert(name) {
            return Err(self.err(format!("{at}: {what} name '{name}' is used twice")));
        }
        if !kinds.contains(&kind) {
            return Err(
                self.err(format!("{at}: key 'kind' must be one of {}, got '{kind}'", kinds.join(", ")))
            );
        }
        Ok(at)
    }

    /// Checks what serde cannot: names, kinds, the keys each kind needs, value ranges.
    fn check(&self) -> Result<()> {
        if self.platforms.is_empty() {
            return Err(self.err("no [[platform]] table; expected at least one platform".into()));
        }
        if self.workloads.is_empty() {
            return Err(self.err("no [[workload]] table; expected at least one workload".into()));
        }
        if !(self.timeout_s > 0.0 && self.timeout_s.is_finite()) {
            return Err(
                self.err(format!("key 'timeout_s' must be a positive number, got {}", self.timeout_s))
            );
        }
        let mut names = BTreeSet::new();
        let entries = entry_indices(self.platforms.iter().map(|p| p.base.as_deref()));
        for (p, &i) in self.platforms.iter().zip(&entries) {
            let at = self.check_entry(
                "platform",
                i,
                &p.name,
                p.base.as_deref(),
                &p.kind,
                PLATFORM_KINDS,
                &mut names,
            )?;
            self.check_platform(p, &at)?;
        }
        // Two VMs writing one disk image corrupt it (and qemu refuses the second).
        let mut disks: Vec<(&Path, &str)> = Vec::new();
        for p in self.platforms.iter().filter(|p| p.kind == "qemu" && !p.snapshot) {
            if let Some(d) = p.disk.as_deref() {
                if let Some((_, other)) = disks.iter().find(|(x, _)| *x == d) {
                    return Err(self.err(format!(
                        "platforms '{other}' and '{}' both boot disk '{}' without snapshot = true; \
                         give each its own image or set snapshot = true on one",
                        p.name,
                        d.display()
                    )));
                }
                disks.push((d, &p.name));
            }
        }
        let mut wnames = BTreeSet::new();
        let kinds: Vec<&str> = WORKLOAD_KINDS.iter().map(|k| k.name).collect();
        let entries = entry_indices(self.workloads.iter().map(|w| w.base.as_deref()));
        for (w, &i) in self.workloads.iter().zip(&entries) {
            let at =
                self.check_entry("workload", i, &w.name, w.base.as_deref(), &w.kind, &kinds, &mut wnames)?;
            if w.kind_def().is_some_and(|k| k.argv == ArgvFrom::Args) && w.args.is_empty() {
                return Err(self.err(format!(
                    "{at}: key 'args' must hold the command's argv for kind = \"{}\", e.g. \
                     args = [\"./forksum\", \"1000\"]",
                    w.kind
                )));
            }
            self.check_repetitions(w, &at)?;
            if let Some(t) = w.timeout_s {
                if !(t > 0.0 && t.is_finite()) {
                    return Err(self.err(format!("{at}: key 'timeout_s' must be a positive number, got {t}")));
                }
            }
            for (key, list) in [("setup", &w.setup), ("cleanup", &w.cleanup)] {
                if let Some(j) = list.iter().position(Vec::is_empty) {
                    return Err(self.err(format!(
                        "{at}: key '{key}' entry {j} is an empty argv; expected e.g. [\"sysbench\", \"fileio\", \"prepare\"]"
                    )));
                }
            }
            self.check_client(w, &at)?;
            if let Some(m) = &w.measure {
                if w.kind_def().is_none_or(|k| k.argv != ArgvFrom::Args) {
                    return Err(self.err(format!(
                        "{at}: key 'measure' is for kind = \"command\" (the other kinds' outputs are read by \
                         their own parsers)"
                    )));
                }
                if let Some(why) = m.problem() {
                    return Err(self.err(format!("{at}: [workload.measure] {why}")));
                }
            }
            let mut copied = BTreeSet::new();
            for f in &w.files {
                let Some(name) = f.file_name().and_then(|n| n.to_str()).filter(|n| check_name(n).is_ok())
                else {
                    return Err(self.err(format!(
                        "{at}: key 'files' entry '{}' must end in a file name of letters, digits, '-', '_' and '.'",
                        f.display()
                    )));
                };
                if !copied.insert(name) {
                    return Err(self.err(format!(
                        "{at}: key 'files' names two files called '{name}'; they would land on one path"
                    )));
                }
            }
            if let Some(list) = &w.platforms {
                for name in list {
                    if !names.contains(name.as_str())
                        && !self.platforms.iter().any(|p| p.base.as_deref() == Some(name.as_str()))
                    {
                        return Err(self.err(format!(
                            "{at}: key 'platforms' names '{name}', which is not a platform; platforms: {}",
                            names.iter().copied().collect::<Vec<_>>().join(", ")
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    /// The keys of a kind whose tool is a client of a service: `port` and `client` for any
    /// such kind, the kind's own keys (wrk's `file_bytes`) for it alone, and no argument the
    /// kind gives itself.
    fn check_client(&self, w: &WorkloadSpec, at: &str) -> Result<()> {
        let kinds_with = |key: &str| -> String {
            let v: Vec<String> = WORKLOAD_KINDS
                .iter()
                .filter(|k| {
                    k.client
                        .as_ref()
                        .is_some_and(|c| key == "port" || key == "client" || c.keys.contains(&key))
                })
                .map(|k| format!("kind = \"{}\"", k.name))
                .collect();
            v.join(" or ")
        };
        let keys = [
            ("port", w.port.is_some()),
            ("client", w.client.is_some()),
            ("file_bytes", w.file_bytes.is_some()),
        ];
        for (key, set) in keys {
            let allowed =
                w.client().is_some_and(|c| key == "port" || key == "client" || c.keys.contains(&key));
            if set && !allowed {
                return Err(self.err(format!("{at}: key '{key}' is for {} only", kinds_with(key))));
            }
        }
        if let Some(c) = &w.client {
            if c != "host" && c != "platform" {
                return Err(self.err(format!(
                    "{at}: key 'client' must be \"host\" (the client runs on this machine) or \"platform\" \
                     (in the platform), got '{c}'"
                )));
            }
        }
        if let Some(c) = w.client() {
            for a in &w.args {
                let reserved =
                    |r: &&&str| a == **r || a.strip_prefix(**r).is_some_and(|x| x.starts_with('='));
                if let Some(r) = c.reserved.iter().find(reserved) {
                    return Err(self.err(format!(
                        "{at}: key 'args' holds '{a}', but virtperf gives {} '{r}' itself: it points the \
                         client at the {} it starts{}",
                        w.kind,
                        c.service.name,
                        if c.once.is_some() { " and adds prepare, run and cleanup" } else { "" }
                    )));
                }
            }
        }
        Ok(())
    }

    fn check_platform(&self, p: &PlatformSpec, at: &str) -> Result<()> {
        let only = |keys: &[(&str, bool)], kinds: &str| -> Result<()> {
            for (k, set) in keys {
                if *set {
                    return Err(self.err(format!(
                        "{at}: key '{k}' does not apply to kind = \"{}\" (it is for {kinds})",
                        p.kind
                    )));
                }
            }
            Ok(())
        };
        let docker_keys = [
            ("image", p.image.is_some()),
            ("container", p.container.is_some()),
            ("run_args", !p.run_args.is_empty()),
            ("docker", p.docker.is_some()),
            ("cpus", p.cpus.is_some()),
            ("memory", p.memory.is_some()),
            ("network", p.network.is_some()),
        ];
        let ssh_keys = [("host", p.host.is_some()), ("wrk_host", p.wrk_host.is_some())];
        let login_keys = [
            ("user", p.user.is_some()),
            ("key", p.key.is_some()),
            ("ssh_args", !p.ssh_args.is_empty()),
            ("port", p.port.is_some()),
        ];
        let qemu_keys = [
            ("qemu", p.qemu.is_some()),
            ("kernel", p.kernel.is_some()),
            ("initrd", p.initrd.is_some()),
            ("append", p.append.is_some()),
            ("disk", p.disk.is_some()),
            ("format", p.format.is_some()),
            ("smp", p.smp.is_some()),
            ("memory_mib", p.memory_mib.is_some()),
            ("accel", p.accel.is_some()),
            ("kvm_console_timeout_s", p.kvm_console_timeout_s.is_some()),
            ("kvm_fallback", p.kvm_fallback.is_some()),
            ("snapshot", p.snapshot),
            ("boot_timeout_s", p.boot_timeout_s.is_some()),
            ("qemu_args", !p.qemu_args.is_empty()),
        ];
        match p.kind.as_str() {
            "native" => {
                only(&docker_keys, "docker")?;
                only(&ssh_keys, "ssh")?;
                only(&login_keys, "ssh and qemu")?;
                only(&qemu_keys, "qemu")?;
            }
            "docker" => {
                only(&ssh_keys, "ssh")?;
                only(&login_keys, "ssh and qemu")?;
                only(&qemu_keys, "qemu")?;
                self.check_docker(p, at)?;
            }
            "ssh" => {
                only(&docker_keys, "docker")?;
                only(&qemu_keys, "qemu")?;
                if p.host.as_deref().is_none_or(str::is_empty) {
                    return Err(self.err(format!("{at}: kind = \"ssh\" needs key 'host'")));
                }
            }
            "qemu" => {
                only(&docker_keys, "docker")?;
                only(&ssh_keys, "ssh")?;
                self.check_qemu(p, at)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// The keys of a docker platform: an image or a container, not both; what only an image
    /// can have; values that are not flags.
    fn check_docker(&self, p: &PlatformSpec, at: &str) -> Result<()> {
        match (&p.image, &p.container) {
            (Some(_), Some(_)) => {
                return Err(self.err(format!(
                    "{at}: give either 'image' (virtperf starts a container) or 'container' \
                     (an existing one), not both"
                )))
            }
            (None, None) => {
                return Err(self.err(format!(
                    "{at}: kind = \"docker\" needs key 'image' (e.g. image = \"virtperf-lab\") \
                     or key 'container'"
                )))
            }
            (None, Some(_)) => {
                let set = [
                    ("run_args", !p.run_args.is_empty()),
                    ("cpus", p.cpus.is_some()),
                    ("memory", p.memory.is_some()),
                    ("network", p.network.is_some()),
                ];
                if let Some((k, _)) = set.iter().find(|(_, on)| *on) {
                    return Err(self.err(format!(
                        "{at}: key '{k}' needs 'image': an existing container cannot be re-run"
                    )));
                }
            }
            _ => {}
        }
        for (k, v) in [("cpus", &p.cpus), ("memory", &p.memory), ("network", &p.network)] {
            if v.as_deref().is_some_and(|v| v.trim().is_empty() || v.starts_with('-')) {
                return Err(self.err(format!(
                    "{at}: key '{k}' must be a value such as {}",
                    match k {
                        "cpus" => "2 or \"1.5\"",
                        "memory" => "\"2g\"",
                        _ => "\"bridge\" or \"host\"",
                    }
                )));
            }
        }
        Ok(())
    }

    /// The keys of a qemu platform: a disk and a key, values in range, initrd and append only
    /// with a kernel.
    fn check_qemu(&self, p: &PlatformSpec, at: &str) -> Result<()> {
        let Some(disk) = &p.disk else {
            return Err(self.err(format!("{at}: kind = \"qemu\" needs key 'disk' (a raw or qcow2 image)")));
        };
        let _ = disk;
        if let Some(f) = &p.format {
            if f != "raw" && f != "qcow2" {
                return Err(self.err(format!("{at}: key 'format' must be raw or qcow2, got '{f}'")));
            }
        }
        if let Some(a) = &p.accel {
            if a != "kvm" && a != "tcg" {
                return Err(self.err(format!("{at}: key 'accel' must be kvm or tcg, got '{a}'")));
            }
        }
        if let Some(t) = p.kvm_console_timeout_s {
            if !(t >= 0.0 && t.is_finite()) {
                return Err(self.err(format!(
                    "{at}: key 'kvm_console_timeout_s' must be 0 (off) or a positive number of seconds, got {t}"
                )));
            }
        }
        if p.initrd.is_some() && p.kernel.is_none() {
            return Err(self.err(format!("{at}: key 'initrd' needs key 'kernel'")));
        }
        if p.append.is_some() && p.kernel.is_none() {
            return Err(self.err(format!("{at}: key 'append' needs key 'kernel'")));
        }
        if p.smp == Some(0) {
            return Err(self.err(format!("{at}: key 'smp' must be at least 1")));
        }
        if p.memory_mib.is_some_and(|m| m < 64) {
            return Err(self.err(format!("{at}: key 'memory_mib' must be at least 64 (MiB)")));
        }
        if p.key.is_none() {
            return Err(self.err(format!(
                "{at}: kind = \"qemu\" needs key 'key' (the private key that logs in to the guest)"
            )));
        }
        Ok(())
    }

    /// `repetitions` and the precision keys of workload `w` (and the plan's): a count of at
    /// least 1, or a precision target with 2 <= min <= max; not both on one workload.
    fn check_repetitions(&self, w: &WorkloadSpec, at: &str) -> Result<()> {
        if w.repetitions_key == Some(0) {
            return Err(self.err(format!("{at}: key 'repetitions' must be at least 1")));
        }
        if w.repetitions_key.is_some() && w.precision_pct.is_some() {
            return Err(self.err(format!(
                "{at}: give either 'repetitions' (a fixed count) or 'precision_pct' (repetitions \
                 until the interval is that narrow), not both"
            )));
        }
        let at_plan = "the plan".to_string();
        for (pct, min, max, at) in [
            (w.precision_pct, w.min_repetitions, w.max_repetitions, at.to_string()),
            (self.precision_pct, self.min_repetitions, self.max_repetitions, at_plan),
        ] {
            if pct.is_none() && (min.is_some() || max.is_some()) {
                let k = if min.is_some() { "min_repetitions" } else { "max_repetitions" };
                return Err(self.err(format!(
                    "{at}: key '{k}' needs key 'precision_pct' (repetitions until the 95% interval of \
                     the primary metric's mean is that many percent of the mean)"
                )));
            }
            if let Some(p) = pct {
                if !(p > 0.0 && p.is_finite()) {
                    return Err(
                        self.err(format!("{at}: key 'precision_pct' must be a positive number, got {p}"))
                    );
                }
            }
        }
        if let Some(rule) = self.precision_of(w) {
            if rule.min < 2 {
                return Err(self.err(format!(
                    "{at}: min_repetitions must be at least 2 (an interval needs two runs), got {}",
                    rule.min
                )));
            }
            if rule.max < rule.min {
                return Err(self.err(format!(
                    "{at}: max_repetitions ({}) is below min_repetitions ({})",
                    rule.max, rule.min
                )));
            }
        }
        Ok(())
    }

    /// The precision rule of workload `w`: its own `precision_pct`, or the plan's when the
    /// workload gives no `repetitions`; bounds from the workload, then the plan, then 3 and 20.
    fn precision_of(&self, w: &WorkloadSpec) -> Option<PrecisionRule> {
        let pct = w.precision_pct.or(if w.repetitions_key.is_none() { self.precision_pct } else { None })?;
        Some(PrecisionRule {
            pct,
            min: w.min_repetitions.or(self.min_repetitions).unwrap_or(3),
            max: w.max_repetitions.or(self.max_repetitions).unwrap_or(20),
        })
    }

    /// Sets each workload's precision rule (after [`Self::check`]).
    fn resolve_precision(&mut self) {
        let rules: Vec<Option<PrecisionRule>> = self.workloads.iter().map(|w| self.precision_of(w)).collect();
        for (w, rule) in self.workloads.iter_mut().zip(rules) {
            w.precision = rule;
        }
    }

    /// The workload called `name`.
    pub(crate) fn workload(&self, name: &str) -> Option<&WorkloadSpec> {
        self.workloads.iter().find(|w| w.name == name)
    }
}

impl WorkloadSpec {
    /// Repetitions run in the campaign's first rounds: the fixed count, or with precision on
    /// demand the minimum (more rounds come while the precision is not reached).
    pub(crate) fn repetitions(&self) -> u32 {
        match self.precision {
            Some(rule) => rule.min,
            None => self.repetitions_key.unwrap_or(5),
        }
    }

    /// Returns true if and only if this workload runs on platform `p` (its `platforms` name
    /// it, or the platform it was expanded from).
    pub(crate) fn runs_on(&self, p: &PlatformSpec) -> bool {
        self.platforms.as_ref().is_none_or(|l| l.iter().any(|n| *n == p.name || Some(n) == p.base.as_ref()))
    }

    /// Its kind's line in [`WORKLOAD_KINDS`]; `None` for a kind none names (the plan check
    /// refuses it).
    pub(crate) fn kind_def(&self) -> Option<&'static WorkloadKind> {
        workload_kind(&self.kind)
    }

    /// The service its runs need and how its tool reaches it; `None` when the tool runs on
    /// the platform by itself.
    pub(crate) fn client(&self) -> Option<&'static Client> {
        self.kind_def()?.client.as_ref()
    }

    /// The argv run on the platform (for a client kind such as wrk: without what
    /// [`Client::target`] appends).
    pub(crate) fn argv(&self) -> Vec<String> {
        let program = match self.kind_def().map(|k| k.argv) {
            Some(ArgvFrom::Args) => return self.args.clone(),
            Some(ArgvFrom::Program(p)) => p.to_string(),
            _ => self.kind.clone(),
        };
        std::iter::once(program).chain(self.args.iter().cloned()).collect()
    }

    /// Returns true if and only if its tool is the client of a service and runs in the
    /// platform (`client = "platform"`) rather than on this host.
    pub(crate) fn client_on_platform(&self) -> bool {
        self.client().is_some() && self.client.as_deref() == Some("platform")
    }

    /// Process name pidstat watches: `monitor`, else the process of the service a client kind
    /// needs (and the client's own, when it runs in the platform too: `mariadbd|sysbench`),
    /// else the program.
    pub(crate) fn monitor_name(&self) -> String {
        if let Some(m) = &self.monitor {
            return m.clone();
        }
        let argv = self.argv();
        let first = argv.first().map(String::as_str).unwrap_or("");
        let program = first.rsplit('/').next().unwrap_or(first).to_string();
        match self.client() {
            Some(c) if self.client_on_platform() && program != c.service.process => {
                format!("{}|{program}", c.service.process)
            }
            Some(c) => c.service.process.to_string(),
            None => program,
        }
    }

    /// The port of the service on the platform: `port`, else the service's default; `None`
    /// for a kind without a service.
    pub(crate) fn service_port(&self) -> Option<u16> {
        self.client().map(|c| self.port.unwrap_or(c.service.default_port))
    }

    /// wrk: size of the file nginx serves.
    pub(crate) fn served_bytes(&self) -> u64 {
        self.file_bytes.unwrap_or(4096)
    }
}

/// The index in the plan of each of a list of expanded entries, given the name each was
/// expanded from (`None`: not expanded): the expansions of one entry, side by side, share it.
fn entry_indices<'a>(bases: impl Iterator<Item = Option<&'a str>>) -> Vec<usize> {
    let mut out = Vec::new();
    let mut prev: Option<&str> = None;
    for b in bases {
        let same = b.is_some() && b == prev;
        out.push(match out.last() {
            Some(&last) if same => last,
            Some(&last) => last + 1,
            None => 0,
        });
        prev = b;
    }
    out
}

/// One expansion of workload `w`: its placeholders filled with the values of `combo`.
fn expand_workload(w: &WorkloadSpec, combo: &Combination) -> Result<WorkloadSpec, String> {
    let mut q = w.clone();
    q.matrix = Matrix::default();
    q.base = Some(w.name.clone());
    q.factors = combo.clone();
    q.name = expanded_name(&w.name, combo).map_err(|m| format!("key 'name': {m}"))?;
    let fill_all = |key: &str, list: &mut Vec<String>| -> Result<(), String> {
        for (j, a) in list.iter_mut().enumerate() {
            *a = fill(a, combo).map_err(|m| format!("key '{key}' entry {j}: {m}"))?;
        }
        Ok(())
    };
    fill_all("args", &mut q.args)?;
    for (key, lists) in [("setup", &mut q.setup), ("cleanup", &mut q.cleanup)] {
        for list in lists.iter_mut() {
            fill_all(key, list)?;
        }
    }
    for f in q.files.iter_mut() {
        *f = PathBuf::from(fill(&f.display().to_string(), combo).map_err(|m| format!("key 'files': {m}"))?);
    }
    Ok(q)
}

/// Checks a platform or workload name: it becomes a path component.
fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("must not be empty".into());
    }
    if name == "." || name == ".." || name.starts_with('.') {
        return Err(format!("must not start with '.', got '{name}'"));
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=')))
    {
        return Err(format!(
            "may hold only letters, digits, '-', '_', '.' and '=' (it names a folder), got '{name}' with {c:?}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Plan> {
        Plan::parse(text, Path::new("p.toml"))
    }

    const OK: &str = r#"
        campaign = "t"
        [[platform]]
        name = "native"
        kind = "native"
        [[workload]]
        name = "cpu"
        kind = "sysbench"
        args = ["cpu", "--time=1", "run"]
    "#;

    #[test]
    fn minimal_plan_reads() {
        let p = parse(OK).unwrap();
        assert_eq!(p.workloads[0].argv(), ["sysbench", "cpu", "--time=1", "run"]);
        assert_eq!(p.workloads[0].repetitions(), 5);
        assert_eq!(p.monitor.pidstat_interval_s, 1);
    }

    #[test]
    fn precision_rules_come_from_the_workload_then_the_plan() {
        let w = |extra: &str| {
            format!("{OK}\n[[workload]]\nname = \"m\"\nkind = \"sysbench\"\nargs = [\"memory\"]\n{extra}\n")
        };
        // The plan's rule applies to a workload without `repetitions`; its own count wins.
        let p = parse(&format!("precision_pct = 2\nmax_repetitions = 9\n{}", w("repetitions = 4"))).unwrap();
        assert_eq!(p.workloads[0].precision, Some(PrecisionRule { pct: 2.0, min: 3, max: 9 }));
        assert_eq!(p.workloads[0].repetitions(), 3);
        assert_eq!((p.workloads[1].precision, p.workloads[1].repetitions()), (None, 4));
        // A workload's own rule, bounds from the plan where it gives none.
        let p =
            parse(&format!("precision_pct = 2\nmin_repetitions = 4\n{}", w("precision_pct = 0.5"))).unwrap();
        assert_eq!(p.workloads[1].precision, Some(PrecisionRule { pct: 0.5, min: 4, max: 20 }));
        for (text, says) in [
            (w("repetitions = 3\nprecision_pct = 1"), "give either 'repetitions'"),
            (w("min_repetitions = 3"), "key 'min_repetitions' needs key 'precision_pct'"),
            (
                format!("max_repetitions = 3\n{OK}"),
                "the plan: key 'max_repetitions' needs key 'precision_pct'",
            ),
            (w("precision_pct = 1\nmin_repetitions = 1"), "min_repetitions must be at least 2"),
            (
                w("precision_pct = 1\nmin_repetitions = 5\nmax_repetitions = 4"),
                "max_repetitions (4) is below min_repetitions (5)",
            ),
            (w("precision_pct = -1"), "key 'precision_pct' must be a positive number, got -1"),
        ] {
            let e = format!("{:#}", parse(&text).unwrap_err());
            assert!(e.contains(says), "{says}: {e}");
        }
    }

    #[test]
    fn the_kind_says_argv_monitor_and_service() {
        let p = parse(&format!(
            "{OK}\n[[workload]]\nname = \"web\"\nkind = \"wrk\"\nargs = [\"-d1s\"]\n\
             [[workload]]\nname = \"fs\"\nkind = \"command\"\nargs = [\"./bin/forksum\", \"10\"]\n\
             [[workload]]\nname = \"web2\"\nkind = \"wrk\"\nport = 8081\nfile_bytes = 100\n"
        ))
        .unwrap();
        let w = |n: &str| p.workload(n).unwrap();
        assert_eq!(w("cpu").monitor_name(), "sysbench");
        assert_eq!(w("cpu").service_port(), None);
        assert_eq!(w("web").argv(), ["wrk", "-d1s"]);
        assert_eq!(w("web").monitor_name(), "nginx");
        assert_eq!(w("web").service_port(), Some(18080));
        assert_eq!(w("web").served_bytes(), 4096);
        assert_eq!((w("web2").service_port(), w("web2").served_bytes()), (Some(8081), 100));
        let c = w("web").client().unwrap();
        assert_eq!((c.target)(w("web2"), "h", 9), ["http://h:9/f100"]);
        assert_eq!(w("fs").argv(), ["./bin/forksum", "10"]);
        assert_eq!(w("fs").monitor_name(), "forksum");
        let e = parse(&OK.replace("args =", "port = 1\nargs =")).unwrap_err().to_string();
        assert!(
            e.contains(
                "key 'port' is for kind = \"wrk\" or kind = \"sysbench-oltp\" or kind = \"redis-benchmark\" or kind = \"iperf3\" only"
            ),
            "{e}"
        );
        let e = parse(&OK.replace("args =", "file_bytes = 1\nargs =")).unwrap_err().to_string();
        assert!(e.contains("key 'file_bytes' is for kind = \"wrk\" only"), "{e}");
        let e = parse(&OK.replace(
            "kind = \"sysbench\"\n        args = [\"cpu\", \"--time=1\", \"run\"]",
            "kind = \"command\"",
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("key 'args' must hold the command's argv for kind = \"command\""), "{e}");
    }

    fn pairs(p: &[(&str, &str)]) -> Combination {
        p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_workload_matrix_expands_into_named_workloads_with_their_factors() {
        let p = parse(
            r#"
            [[platform]]
            name = "native"
            kind = "native"
            [[workload]]
            name = "cpu"
            kind = "sysbench"
            args = ["cpu", "--cpu-max-prime={prime}", "run"]
            [workload.matrix]
            prime = [10000, 20000, 50000]
            [[workload]]
            name = "fileio-{mode}-{threads}"
            kind = "sysbench"
            args = ["fileio", "--file-test-mode={mode}", "--threads={threads}", "run"]
            setup = [["sysbench", "fileio", "--file-test-mode={mode}", "prepare"]]
            cleanup = [["sysbench", "fileio", "cleanup"], ["sh", "-c", "awk '{print $1}' /dev/null"]]
            repetitions = 2
            [workload.matrix]
            mode = ["seqwr", "rndwr"]
            threads = [8, 16]
            "#,
        )
        .unwrap();
        let names: Vec<&str> = p.workloads.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "cpu-prime=10000",
                "cpu-prime=20000",
                "cpu-prime=50000",
                "fileio-seqwr-8",
                "fileio-seqwr-16",
                "fileio-rndwr-8",
                "fileio-rndwr-16"
            ]
        );
        let w = p.workload("cpu-prime=20000").unwrap();
        assert_eq!(w.argv(), ["sysbench", "cpu", "--cpu-max-prime=20000", "run"]);
        assert_eq!((w.base.as_deref(), &w.factors), (Some("cpu"), &pairs(&[("prime", "20000")])));
        assert!(w.matrix.is_empty());
        let f = p.workload("fileio-rndwr-8").unwrap();
        assert_eq!(f.args, ["fileio", "--file-test-mode=rndwr", "--threads=8", "run"]);
        assert_eq!(f.setup, [["sysbench", "fileio", "--file-test-mode=rndwr", "prepare"]]);
        assert_eq!(f.cleanup[1][2], "awk '{print $1}' /dev/null");
        assert_eq!(f.factors, pairs(&[("mode", "rndwr"), ("threads", "8")]));
        assert_eq!(f.repetitions(), 2);
        // 3 + 4 workloads, 5 and 2 repetitions, on one platform.
        assert_eq!(super::super::schedule::schedule(&p, 1).len(), 3 * 5 + 4 * 2);
    }

    #[test]
    fn a_platform_matrix_expands_into_platforms_with_their_settings() {
        let p = parse(
            r#"
            [[platform]]
            name = "native"
            kind = "native"
            [[platform]]
            name = "vm"
            kind = "qemu"
            disk = "/lab/disk.{format}"
            key = "/lab/id"
            snapshot = true
            [platform.matrix]
            format = ["raw", "qcow2"]
            smp = [1, 2]
            memory_mib = [1024, 2048]
            [[platform]]
            name = "docker"
            kind = "docker"
            image = "virtperf-lab"
            cpus = 2
            detail = "net-{network}"
            [platform.matrix]
            network = ["bridge", "host"]
            memory = ["1g", "2g"]
            [[workload]]
            name = "cpu"
            kind = "sysbench"
            args = ["cpu", "run"]
            repetitions = 1
            [[workload]]
            name = "vm-only"
            kind = "sysbench"
            args = ["memory", "run"]
            repetitions = 1
            platforms = ["vm"]
            "#,
        )
        .unwrap();
        let names: Vec<&str> = p.platforms.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names.len(), 1 + 8 + 4);
        assert_eq!(names[1], "vm-format=raw-smp=1-memory_mib=1024");
        assert_eq!(names[8], "vm-format=qcow2-smp=2-memory_mib=2048");
        assert_eq!(names[9], "docker-network=bridge-memory=1g");
        let vm = &p.platforms[7];
        assert_eq!((vm.format.as_deref(), vm.smp, vm.memory_mib), (Some("qcow2"), Some(2), Some(1024)));
        assert_eq!(vm.disk.as_deref(), Some(Path::new("/lab/disk.qcow2")));
        assert_eq!(vm.factors, pairs(&[("format", "qcow2"), ("smp", "2"), ("memory_mib", "1024")]));
        let d = &p.platforms[12];
        assert_eq!(
            (d.network.as_deref(), d.memory.as_deref(), d.cpus.as_deref()),
            (Some("host"), Some("2g"), Some("2"))
        );
        // The plan's own detail keeps its placeholder and gains the factor it does not name.
        assert_eq!(d.detail.as_deref(), Some("net-host,memory=2g"));
        // `platforms` may name the platform a matrix expanded: it means all of its expansions.
        let slots = super::super::schedule::schedule(&p, 1);
        assert_eq!(slots.len(), 13 + 8);
        assert!(slots
            .iter()
            .filter(|s| s.workload == "vm-only")
            .all(|s| s.platform.starts_with("vm-format=")));
    }

    #[test]
    fn matrix_mistakes_are_errors_naming_the_entry_and_the_key() {
        let w = |extra: &str, matrix: &str| {
            parse(&format!(
                "[[platform]]\nname = \"n\"\nkind = \"native\"\n[[workload]]\nname = \"w\"\nkind = \"sysbench\"\n\
                 args = [\"cpu\", \"--threads={{threads}}\", \"run\"]\n{extra}\n[workload.matrix]\n{matrix}\n"
            ))
            .unwrap_err()
            .to_string()
        };
        let e = w("", "threads = [1]\nprime = [1, 2]");
        assert!(e.contains("workload[0] ('w'): [workload.matrix] factor 'prime' is used nowhere"), "{e}");
        let e = w("setup = [[\"echo\", \"{thread}\"]]", "threads = [1]");
        assert!(
            e.contains("workload[0] ('w'): key 'setup' entry 1: placeholder '{thread}' names no factor"),
            "{e}"
        );
        let e = w("", "threads = []");
        assert!(e.contains("a matrix factor needs at least one value") && e.contains("line 10"), "{e}");
        let e = parse(&format!(
            "{OK}\n[[workload]]\nname = \"x-{{a}}\"\nkind = \"command\"\nargs = [\"{{a}}\", \"{{b}}\"]\n\
             [workload.matrix]\na = [1]\nb = [1, 2]\n"
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("key 'name' names some factors but not '{b}'"), "{e}");
        let p = |platform: &str| {
            parse(&format!("{platform}\n[[workload]]\nname = \"w\"\nkind = \"sysbench\"\n"))
                .unwrap_err()
                .to_string()
        };
        let e = p("[[platform]]\nname = \"n\"\nkind = \"native\"\n[platform.matrix]\nsmp = [1, 2]");
        assert!(
            e.contains("platform[0] ('n'): [platform.matrix] key 'smp' is not a setting a matrix can vary for kind = \"native\""),
            "{e}"
        );
        let vm = "[[platform]]\nname = \"vm\"\nkind = \"qemu\"\ndisk = \"d\"\nkey = \"k\"\n";
        let e = p(&format!("{vm}[platform.matrix]\ncpus = [1, 2]"));
        assert!(e.contains("(it can vary format, disk, smp, memory_mib, accel)"), "{e}");
        let e = p(&format!("{vm}smp = 2\n[platform.matrix]\nsmp = [1, 2]"));
        assert!(e.contains("key 'smp' is set and also varied by [platform.matrix]"), "{e}");
        let e = p(&format!("{vm}[platform.matrix]\nsmp = [\"two\"]"));
        assert!(e.contains("[platform.matrix] key 'smp': 'two' is not a whole number"), "{e}");
        // The expansions are checked like any platform.
        let e = p(&format!("{vm}[platform.matrix]\nformat = [\"raw\", \"vdi\"]"));
        assert!(
            e.contains("platform[0] ('vm' as 'vm-format=vdi'): key 'format' must be raw or qcow2, got 'vdi'"),
            "{e}"
        );
        let e = p(&format!("{vm}[platform.matrix]\nsmp = [1, 2]"));
        assert!(e.contains("platforms 'vm-smp=1' and 'vm-smp=2' both boot disk"), "{e}");
        let e = p("[[platform]]\nname = \"d\"\nkind = \"docker\"\ncontainer = \"c\"\nnetwork = \"host\"");
        assert!(e.contains("key 'network' needs 'image'"), "{e}");
    }

    #[test]
    fn a_command_measure_is_checked_when_the_plan_is_read() {
        let with = |measure: &str| {
            parse(&format!(
                "{}\n[[workload]]\nname = \"fs\"\nkind = \"command\"\nargs = [\"./forksum\", \"1\", \"9\"]\n\
                 files = [\"bin/forksum\"]\n[workload.measure]\n{measure}\n",
                OK
            ))
        };
        let good = "metric = \"fork_time_ms\"\nunit = \"ms\"\nbetter = \"lower\"\npattern = 'in (\\d+(?:\\.\\d+)?) ms'";
        let p = with(good).unwrap();
        let w = p.workload("fs").unwrap();
        assert_eq!(w.files, [Path::new("bin/forksum")]);
        let m = w.measure.as_ref().unwrap();
        assert_eq!(m.to_measure().better, Better::Lower);
        assert_eq!(m.find("forksum: 1..9 = 45 in 16 forks, 1.5 ms\nagain in 2.25 ms\n"), Ok(2.25));
        assert_eq!(
            m.find("nothing"),
            Err("its output has no match for the measure's pattern 'in (\\d+(?:\\.\\d+)?) ms' (metric fork_time_ms)"
                .into())
        );
        let err = |m: &str| with(m).unwrap_err().to_string();
        let e = err(&good.replace("(?:", "("));
        assert!(
            e.contains(
                "workload[1] ('fs'): [workload.measure] key 'pattern' must have exactly one capture group"
            ),
            "{e}"
        );
        assert!(e.contains("got 2 in"), "{e}");
        let e = err(&good.replace("'in (", "'in ((("));
        assert!(e.contains("key 'pattern' is not a valid regular expression"), "{e}");
        let e = err(&good.replace("lower", "none"));
        assert!(e.contains("key 'better' must be \"higher\" or \"lower\", got 'none'"), "{e}");
        let e = err(&good.replace("fork_time_ms", "fork time"));
        assert!(e.contains("key 'metric' must be a name"), "{e}");
        let e = err(&good.replace("unit = \"ms\"", "unit = \" \""));
        assert!(e.contains("key 'unit' must not be empty"), "{e}");
        let e = err(&format!("{good}\nhow = 1"));
        assert!(e.contains("unknown field `how`"), "{e}");
        // Only a command's number is declared in the plan.
        let e = parse(&OK.replace("run\"]", &format!("run\"]\n[workload.measure]\n{good}")))
            .unwrap_err()
            .to_string();
        assert!(e.contains("key 'measure' is for kind = \"command\""), "{e}");
        let e = parse(&OK.replace("run\"]", "run\"]\nfiles = [\"a/x\", \"b/x\"]")).unwrap_err().to_string();
        assert!(e.contains("key 'files' names two files called 'x'"), "{e}");
    }

    #[test]
    fn the_services_kinds_complete_their_clients_argv_where_the_client_runs() {
        let p = parse(&format!(
            "{OK}\n[[workload]]\nname = \"oltp\"\nkind = \"sysbench-oltp\"\nargs = [\"oltp_read_write\", \"--tables=2\"]\n\
             client = \"platform\"\n\
             [[workload]]\nname = \"redis\"\nkind = \"redis-benchmark\"\nargs = [\"-n\", \"2000\"]\n\
             [[workload]]\nname = \"net\"\nkind = \"iperf3\"\nargs = [\"-t\", \"2\", \"-J\"]\nport = 5999\nclient = \"host\"\n\
             [[workload]]\nname = \"net-in\"\nkind = \"iperf3\"\nclient = \"platform\"\n"
        ))
        .unwrap();
        let w = |n: &str| p.workload(n).unwrap();
        assert_eq!(w("oltp").argv(), ["sysbench", "oltp_read_write", "--tables=2"]);
        assert_eq!((w("oltp").service_port(), w("oltp").client_on_platform()), (Some(13306), true));
        // pidstat in the platform watches the server, and the client when it runs there.
        assert_eq!(w("oltp").monitor_name(), "mariadbd|sysbench");
        assert_eq!(
            (w("redis").monitor_name(), w("redis").service_port()),
            ("redis-server".into(), Some(16379))
        );
        assert!(!w("redis").client_on_platform());
        assert_eq!((w("net").service_port(), w("net").client_on_platform()), (Some(5999), false));
        assert_eq!(w("net-in").monitor_name(), "iperf3");
        let target = |n: &str| (w(n).client().unwrap().target)(w(n), "10.0.0.1", 7);
        assert_eq!(target("redis"), ["-h", "10.0.0.1", "-p", "7"]);
        assert_eq!(target("net"), ["-c", "10.0.0.1", "-p", "7"]);
        assert_eq!(target("oltp")[1], "--mysql-host=10.0.0.1");
        let bad = |kind: &str, args: &str, extra: &str| {
            parse(&format!("{OK}\n[[workload]]\nname = \"x\"\nkind = \"{kind}\"\nargs = [{args}]\n{extra}"))
                .unwrap_err()
                .to_string()
        };
        let e = bad("sysbench-oltp", "\"oltp_read_write\", \"run\"", "");
        assert!(
            e.contains(
                "workload[1] ('x'): key 'args' holds 'run', but virtperf gives sysbench-oltp 'run' itself: it points \
                 the client at the mariadb it starts and adds prepare, run and cleanup"
            ),
            "{e}"
        );
        let e = bad("sysbench-oltp", "\"oltp_read_write\", \"--mysql-host=db\"", "");
        assert!(
            e.contains("holds '--mysql-host=db', but virtperf gives sysbench-oltp '--mysql-host' itself"),
            "{e}"
        );
        let e = bad("iperf3", "\"-c\", \"h\"", "");
        assert!(e.contains("holds '-c', but virtperf gives iperf3 '-c' itself: it points the client at the iperf3 it starts"), "{e}");
        let e = bad("redis-benchmark", "", "client = \"guest\"");
        assert!(
            e.contains("key 'client' must be \"host\" (the client runs on this machine) or \"platform\""),
            "{e}"
        );
        let e = bad("sysbench", "\"cpu\"", "client = \"host\"");
        assert!(e.contains("key 'client' is for kind = \"wrk\" or"), "{e}");
    }

    #[test]
    fn errors_name_file_key_and_expectation() {
        let e = parse(&OK.replace("kind = \"native\"", "kind = \"vmware\"")).unwrap_err().to_string();
        assert!(
            e.contains("p.toml") && e.contains("'kind'") && e.contains("native, docker, ssh, qemu"),
            "{e}"
        );
        let e = parse(&OK.replace("args =", "argz =")).unwrap_err().to_string();
        assert!(e.contains("p.toml") && e.contains("argz"), "{e}");
        let e = parse(&OK.replace("name = \"cpu\"", "name = \"../x\"")).unwrap_err().to_string();
        assert!(e.contains("'name'"), "{e}");
        let e = parse(&OK.replace("kind = \"native\"", "kind = \"docker\"")).unwrap_err().to_string();
        assert!(e.contains("'image'"), "{e}");
        let e = parse(
            &OK.replace("kind = \"native\"", "kind = \"qemu\"\ndisk = \"d\"\nformat = \"vmdk\"\nkey = \"k\""),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("'format' must be raw or qcow2"), "{e}");
        let e =
            parse(&OK.replace("kind = \"native\"", "kind = \"native\"\nsmp = 2")).unwrap_err().to_string();
        assert!(e.contains("'smp' does not apply"), "{e}");
        let e = parse(&OK.replace("kind = \"native\"", "kind = \"native\"\nkvm_fallback = false"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("'kvm_fallback' does not apply"), "{e}");
        let e = parse(&OK.replace(
            "kind = \"native\"",
            "kind = \"qemu\"\ndisk = \"d\"\nkey = \"k\"\nkvm_console_timeout_s = -1",
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("'kvm_console_timeout_s' must be 0 (off) or a positive number"), "{e}");
        let e = parse(&OK.replace("repetitions", "x").replace("args =", "repetitions = \"five\"\nargs ="))
            .unwrap_err()
            .to_string();
        assert!(e.contains("repetitions") && e.contains("line"), "{e}");
        let e = parse(&format!("{OK}\nplatforms = [\"nope\"]")).unwrap_err().to_string();
        assert!(e.contains("'nope'"), "{e}");
        let vm = |n: &str| {
            format!("[[platform]]\nname = \"{n}\"\nkind = \"qemu\"\ndisk = \"d.img\"\nkey = \"k\"\n")
        };
        let e = parse(&format!("{OK}{}{}", vm("a"), vm("b"))).unwrap_err().to_string();
        assert!(e.contains("both boot disk"), "{e}");
    }
}
