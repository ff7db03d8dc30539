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
}

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
    /// Measured repetitions per platform. Default 5.
    #[serde(default = "five")]
    pub(crate) repetitions: u32,
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
    /// wrk: port nginx listens on, on the platform. Default 18080.
    #[serde(default)]
    pub(crate) port: Option<u16>,
    /// command: what it measures (`[workload.measure]`), recorded in every run's manifest
    /// record for the ingester.
    #[serde(default)]
    pub(crate) measure: Option<MeasureSpec>,
    /// Files on this host (relative to the plan) copied into the platform's work folder, under
    /// their own names, before the workload's first run there: a benchmark built on the host.
    #[serde(default)]
    pub(crate) files: Vec<PathBuf>,
}

fn five() -> u32 {
    5
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
        plan.resolve_paths();
        plan.check()?;
        Ok(plan)
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
    fn check_entry<'a>(
        &self,
        what: &str,
        i: usize,
        name: &'a str,
        kind: &str,
        kinds: &[&str],
        seen: &mut BTreeSet<&'a str>,
    ) -> Result<String> {
        let at = format!("{what}[{i}] ('{name}')");
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
        for (i, p) in self.platforms.iter().enumerate() {
            let at = self.check_entry("platform", i, &p.name, &p.kind, PLATFORM_KINDS, &mut names)?;
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
        for (i, w) in self.workloads.iter().enumerate() {
            let at = self.check_entry("workload", i, &w.name, &w.kind, &kinds, &mut wnames)?;
            if w.kind_def().is_some_and(|k| k.argv == ArgvFrom::Args) && w.args.is_empty() {
                return Err(self.err(format!(
                    "{at}: key 'args' must hold the command's argv for kind = \"{}\", e.g. \
                     args = [\"./forksum\", \"1000\"]",
                    w.kind
                )));
            }
            if w.repetitions == 0 {
                return Err(self.err(format!("{at}: key 'repetitions' must be at least 1")));
            }
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
            if w.client().is_none() && (w.file_bytes.is_some() || w.port.is_some()) {
                let clients: Vec<String> = WORKLOAD_KINDS
                    .iter()
                    .filter(|k| k.client.is_some())
                    .map(|k| format!("kind = \"{}\"", k.name))
                    .collect();
                return Err(self.err(format!(
                    "{at}: keys 'file_bytes' and 'port' are for {} only",
                    clients.join(" or ")
                )));
            }
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
                    if !names.contains(name.as_str()) {
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
                    (None, Some(_)) if !p.run_args.is_empty() => {
                        return Err(self.err(format!(
                            "{at}: key 'run_args' needs 'image': an existing container cannot be re-run"
                        )))
                    }
                    _ => {}
                }
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
                let Some(disk) = &p.disk else {
                    return Err(
                        self.err(format!("{at}: kind = \"qemu\" needs key 'disk' (a raw or qcow2 image)"))
                    );
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
            }
            _ => {}
        }
        Ok(())
    }

    /// The workload called `name`.
    pub(crate) fn workload(&self, name: &str) -> Option<&WorkloadSpec> {
        self.workloads.iter().find(|w| w.name == name)
    }
}

impl WorkloadSpec {
    /// Returns true if and only if this workload runs on the platform called `name`.
    pub(crate) fn runs_on(&self, name: &str) -> bool {
        self.platforms.as_ref().is_none_or(|l| l.iter().any(|p| p == name))
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

    /// The argv run on the platform (for a client kind such as wrk: on this host, without
    /// what [`Client::target`] appends).
    pub(crate) fn argv(&self) -> Vec<String> {
        match self.kind_def().map(|k| k.argv) {
            Some(ArgvFrom::Args) => self.args.clone(),
            _ => std::iter::once(self.kind.clone()).chain(self.args.iter().cloned()).collect(),
        }
    }

    /// Process name pidstat watches: `monitor`, else the service a client kind needs, else the
    /// program.
    pub(crate) fn monitor_name(&self) -> String {
        if let Some(m) = &self.monitor {
            return m.clone();
        }
        if let Some(c) = self.client() {
            return c.service.name.to_string();
        }
        match self.kind_def().map(|k| k.argv) {
            Some(ArgvFrom::Args) => {
                let first = self.args.first().map(String::as_str).unwrap_or("");
                first.rsplit('/').next().unwrap_or(first).to_string()
            }
            _ => self.kind.clone(),
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

/// Checks a platform or workload name: it becomes a path component.
fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("must not be empty".into());
    }
    if name == "." || name == ".." || name.starts_with('.') {
        return Err(format!("must not start with '.', got '{name}'"));
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))) {
        return Err(format!(
            "may hold only letters, digits, '-', '_' and '.' (it names a folder), got '{name}' with {c:?}"
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
        assert_eq!(p.workloads[0].repetitions, 5);
        assert_eq!(p.monitor.pidstat_interval_s, 1);
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
        assert!(e.contains("keys 'file_bytes' and 'port' are for kind = \"wrk\" only"), "{e}");
        let e = parse(&OK.replace(
            "kind = \"sysbench\"\n        args = [\"cpu\", \"--time=1\", \"run\"]",
            "kind = \"command\"",
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("key 'args' must hold the command's argv for kind = \"command\""), "{e}");
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
