//! QEMU: a VM virtperf boots for the campaign and powers off at the end or on Ctrl-C. Kernel +
//! initrd direct boot or a disk that boots itself; a raw or qcow2 disk on virtio; -smp, -m;
//! user networking with the guest's sshd (and every wrk port) forwarded to 127.0.0.1. Runs go
//! over ssh ([`super::ssh::SshExecutor`]).
//!
//! Acceleration is tried, not assumed: with `accel = "kvm"` the VM is started with KVM and
//! watched while it boots ([`boot_trouble`]): no /dev/kvm, qemu dying (nested KVM that cannot
//! set an MSR), a KVM failure on qemu's stderr or a dead run state over QMP
//! (`internal-error`: qemu lives on with the VM paused), or a serial console that stays
//! empty. Any of them starts the VM again with TCG within seconds, with one warning that says
//! why and names the logs; the accelerator that ran is recorded and carried by the detail
//! label. `kvm_fallback = false` reports the platform as not started instead.

use std::collections::BTreeMap;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use rustix::process::Signal;

use super::plan::PlatformSpec;
use super::qmp::Qmp;
use super::ssh::SshExecutor;
use super::{free_port, spawn_to, Executor, ExecutorKind, Job, StartContext};
use crate::model::manifest::{Facts, PlatformFacts};

/// Default kernel command line for a direct boot.
pub(crate) const DEFAULT_APPEND: &str = "root=/dev/vda rw console=ttyS0";

/// Default of `kvm_console_timeout_s`. Measured on the 2-core development machine with the
/// lab's `quiet` kernel command line: the first console line (virtperf-init's) came 19 s after
/// start under TCG, which emulates 5-20 times slower than KVM runs; a guest that hung under
/// nested KVM printed nothing in 30 s.
pub(crate) const DEFAULT_KVM_CONSOLE_TIMEOUT_S: f64 = 20.0;

/// Environment variable that replaces `/dev/kvm` as the device virtperf tries to open before
/// it asks qemu for KVM. For tests: point it at a missing file to play a host without KVM.
pub(crate) const KVM_DEVICE_ENV: &str = "VIRTPERF_KVM_DEVICE";

/// QMP run states in which a booting VM will never come up.
pub(crate) const DEAD_STATES: &[&str] = &["internal-error", "guest-panicked", "shutdown"];

/// What QEMU writes on its stderr when KVM cannot run the guest (lowercase fragments):
/// kvm_handle_internal_error's `KVM internal error. Suberror: 1` and `emulation failure`
/// (qemu lives on, the VM paused), kvm_cpu_exec's `kvm run failed`, a failed VM entry, nested
/// KVM's `failed to set MSR 0x10a to 0x69` (qemu aborts), and no usable KVM at all.
pub(crate) const KVM_FAILURES: &[&str] = &[
    "kvm internal error",
    "emulation failure",
    "kvm run failed",
    "kvm: entry failed",
    "failed to set msr",
    "failed to initialize kvm",
    "could not access kvm kernel module",
];

/// Words that make a line of qemu's stderr or of the console worth quoting (lowercase).
const TROUBLE: &[&str] =
    &["error", "fail", "panic", "not syncing", "assert", "cannot", "could not", "unable", "abort"];

/// The first line of `text` that holds one of `words` (compared in lowercase), trimmed.
pub(crate) fn first_line_with<'a>(text: &'a str, words: &[&str]) -> Option<&'a str> {
    text.lines().map(str::trim).find(|l| {
        let low = l.to_lowercase();
        words.iter().any(|w| low.contains(w))
    })
}

/// The line of qemu's stderr that best says what went wrong: the first KVM failure, else the
/// first line with a trouble word, else the first line.
pub(crate) fn stderr_line(text: &str) -> Option<&str> {
    first_line_with(text, KVM_FAILURES)
        .or_else(|| first_line_with(text, TROUBLE))
        .or_else(|| text.lines().map(str::trim).find(|l| !l.is_empty()))
}

/// Names qemu's stderr log and the console log and quotes what matters in them: the line
/// [`stderr_line`] picks; the console's first trouble line (`Kernel panic - not syncing`),
/// else its last line (where the boot stopped).
pub(crate) fn log_evidence(stderr_log: &Path, console_log: &Path) -> String {
    let read = |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    let quote = |l: &str| format!("'{}'", l.chars().take(240).collect::<String>());
    let err = read(stderr_log);
    let stderr = match stderr_line(&err) {
        Some(l) => format!("qemu's stderr {} says {}", stderr_log.display(), quote(l)),
        None => format!("qemu's stderr {} is empty", stderr_log.display()),
    };
    let con = read(console_log);
    let last = con.lines().map(str::trim).rfind(|l| !l.is_empty());
    let console = match (first_line_with(&con, TROUBLE), last) {
        (Some(l), _) => format!("console log {} says {}", console_log.display(), quote(l)),
        (None, Some(l)) => format!("console log {} ends with {}", console_log.display(), quote(l)),
        (None, None) => format!("console log {} is empty", console_log.display()),
    };
    format!("{stderr}; {console}")
}

/// What the boot watch sees at one look at a booting VM.
#[derive(Debug, Clone, Default)]
pub(crate) struct BootLook<'a> {
    /// Accelerator of this attempt (`kvm`, `tcg`).
    pub(crate) accel: &'a str,
    /// How qemu ended, when it has exited.
    pub(crate) exited: Option<String>,
    /// qemu's stderr so far.
    pub(crate) stderr: &'a str,
    /// The run state QMP reports, when it answered.
    pub(crate) qmp_status: Option<&'a str>,
    /// Bytes on the serial console so far.
    pub(crate) console_bytes: u64,
    /// Time since qemu was started.
    pub(crate) elapsed: Duration,
    /// How long the console may stay empty under KVM; `None` when the rule is off (TCG, a
    /// guest that does not write to the serial console, `kvm_console_timeout_s = 0`).
    pub(crate) console_deadline: Option<Duration>,
}

/// Why the VM of `look` will not come up, or `None` while it still may. Under KVM a KVM
/// failure on stderr, a dead QMP run state ([`DEAD_STATES`]) or an empty console past its
/// deadline is enough; under any accelerator, qemu exiting or a dead run state is.
pub(crate) fn boot_trouble(look: &BootLook) -> Option<String> {
    if let Some(status) = &look.exited {
        return Some(format!("qemu exited while booting ({status})"));
    }
    let kvm = look.accel == "kvm";
    let dead = look.qmp_status.filter(|s| DEAD_STATES.contains(s));
    let kvm_line = if kvm { first_line_with(look.stderr, KVM_FAILURES) } else { None };
    match (dead, kvm_line) {
        (Some(s), Some(_)) => {
            return Some(format!("QMP query-status says '{s}' and qemu's stderr reports a KVM failure"))
        }
        (Some(s), None) => return Some(format!("QMP query-status says '{s}'")),
        (None, Some(_)) => return Some("qemu's stderr reports a KVM failure".into()),
        (None, None) => {}
    }
    match look.console_deadline {
        Some(d) if kvm && look.console_bytes == 0 && look.elapsed >= d => Some(format!(
            "the guest wrote nothing on its serial console within {:.0} s (kvm_console_timeout_s){}",
            d.as_secs_f64(),
            look.qmp_status.map(|s| format!(" while QMP query-status said '{s}'")).unwrap_or_default()
        )),
        _ => None,
    }
}

/// Returns the detail label `detail` with `accel` as one of its comma-separated tokens: kept
/// as it is when it has it, else with any other accelerator's token (`kvm`, `tcg`) dropped and
/// `accel` added last, so that a plan's own `detail = "raw,kvm"` cannot label a TCG run KVM.
pub(crate) fn detail_with_accel(detail: &str, accel: &str) -> String {
    let tokens: Vec<&str> = detail.split(',').map(str::trim).filter(|t| !t.is_empty()).collect();
    if tokens.contains(&accel) {
        return detail.to_string();
    }
    let mut kept: Vec<&str> = tokens.into_iter().filter(|t| !matches!(*t, "kvm" | "tcg")).collect();
    kept.push(accel);
    kept.join(",")
}

/// How a boot attempt ended.
enum Boot {
    /// sshd answered.
    Up,
    /// It will not come up; why.
    Trouble(String),
}

/// Boots and drives a QEMU VM.
#[derive(Debug)]
pub(crate) struct QemuExecutor {
    spec: PlatformSpec,
    out: PathBuf,
    ssh: SshExecutor,
    ssh_port: u16,
    forwards: Vec<(u16, u16)>,
    child: Option<Child>,
    accel_used: Option<String>,
    kvm_failure: Option<String>,
    qemu_argv: Option<Vec<String>>,
    boot_s: Option<f64>,
    guest: Facts,
    /// Messages for the user (the KVM fallback).
    pub(crate) warnings: Vec<String>,
}

/// QEMU's option syntax doubles commas inside a value.
fn qarg(p: &Path) -> String {
    p.display().to_string().replace(',', ",,")
}

impl QemuExecutor {
    /// From a plan's `[[platform]]` with kind = "qemu"; `out` is the campaign folder (logs go
    /// to `out/.virtperf/`).
    pub(crate) fn new(spec: &PlatformSpec, out: &Path) -> QemuExecutor {
        // Picked now so that --dry-run shows the port the runs will use.
        let ssh_port = spec.port.or_else(|| free_port().ok()).unwrap_or(0);
        QemuExecutor {
            spec: spec.clone(),
            out: out.to_path_buf(),
            ssh: SshExecutor::for_vm(spec, ssh_port),
            ssh_port,
            forwards: Vec::new(),
            child: None,
            accel_used: None,
            kvm_failure: None,
            qemu_argv: None,
            boot_s: None,
            guest: Facts::default(),
            warnings: Vec::new(),
        }
    }

    fn format(&self) -> &str {
        self.spec.format.as_deref().unwrap_or("raw")
    }
    fn smp(&self) -> u32 {
        self.spec.smp.unwrap_or(1)
    }
    fn memory(&self) -> u32 {
        self.spec.memory_mib.unwrap_or(1024)
    }
    /// The platform's name as it goes into qemu's options and file names: QEMU reads an `=`
    /// there as a key=value separator, so the `=` of a matrix expansion becomes `_`.
    fn stem(&self) -> String {
        self.spec.name.replace(['=', ','], "_")
    }
    fn console_log(&self) -> PathBuf {
        self.out.join(".virtperf").join(format!("qemu-{}.console.log", self.stem()))
    }
    fn qemu_log(&self) -> PathBuf {
        self.out.join(".virtperf").join(format!("qemu-{}.log", self.stem()))
    }
    fn stderr_log(&self) -> PathBuf {
        self.qemu_log().with_extension("stderr.log")
    }
    /// QMP socket: beside the logs when the path fits a unix socket address (108 bytes),
    /// else in the temporary folder.
    fn qmp_socket(&self) -> PathBuf {
        let beside = self.out.join(".virtperf").join(format!("qemu-{}.qmp", self.stem()));
        if beside.as_os_str().len() < 100 {
            beside
        } else {
            std::env::temp_dir().join(format!("virtperf-{}-{}.qmp", std::process::id(), self.stem()))
        }
    }
    fn accel_requested(&self) -> String {
        self.spec.accel.clone().unwrap_or_else(|| "kvm".into())
    }
    /// How long the console may stay empty under KVM: only for a direct boot whose kernel
    /// writes to the serial console (`console=ttyS` in `append`), and not when set to 0.
    fn console_deadline(&self) -> Option<Duration> {
        let append = self.spec.append.as_deref().unwrap_or(DEFAULT_APPEND);
        let t = self.spec.kvm_console_timeout_s.unwrap_or(DEFAULT_KVM_CONSOLE_TIMEOUT_S);
        (self.spec.kernel.is_some() && append.contains("console=ttyS") && t > 0.0)
            .then(|| Duration::from_secs_f64(t))
    }

    /// The qemu argv for `accel`, with sshd forwarded from `ssh_port` and each `(host, guest)`
    /// port pair in `forwards`.
    pub(crate) fn qemu_argv(&self, accel: &str, ssh_port: u16, forwards: &[(u16, u16)]) -> Vec<String> {
        let s = &self.spec;
        let mut v: Vec<String> = vec![s.qemu.clone().unwrap_or_else(|| "qemu-system-x86_64".into())];
        let mut push = |a: &str, b: String| {
            v.push(a.to_string());
            v.push(b);
        };
        push("-name", format!("virtperf-{}", self.stem()));
        push("-accel", accel.to_string());
        push("-cpu", if accel == "kvm" { "host".into() } else { "max".into() });
        push("-smp", self.smp().to_string());
        push("-m", self.memory().to_string());
        push("-display", "none".into());
        push("-monitor", "none".into());
        push("-serial", format!("file:{}", qarg(&self.console_log())));
        push("-qmp", format!("unix:{},server=on,wait=off", qarg(&self.qmp_socket())));
        if let Some(k) = &s.kernel {
            push("-kernel", k.display().to_string());
            if let Some(i) = &s.initrd {
                push("-initrd", i.display().to_string());
            }
            push("-append", s.append.clone().unwrap_or_else(|| DEFAULT_APPEND.into()));
        }
        let disk = s.disk.as_deref().unwrap_or(Path::new(""));
        push("-drive", format!("file={},format={},if=virtio", qarg(disk), self.format()));
        let mut net = format!("user,id=n0,hostfwd=tcp:127.0.0.1:{ssh_port}-:22");
        for (h, g) in forwards {
            net.push_str(&format!(",hostfwd=tcp:127.0.0.1:{h}-:{g}"));
        }
        push("-netdev", net);
        push("-device", "virtio-net-pci,netdev=n0".into());
        v.push("-no-reboot".into());
        if s.snapshot {
            v.push("-snapshot".into());
        }
        v.extend(s.qemu_args.iter().cloned());
        v
    }

    fn launch(&mut self, accel: &str) -> Result<()> {
        let argv = self.qemu_argv(accel, self.ssh_port, &self.forwards);
        std::fs::create_dir_all(self.out.join(".virtperf"))?;
        let _ = std::fs::remove_file(self.qmp_socket());
        let _ = std::fs::remove_file(self.console_log());
        let log = self.qemu_log();
        let mut cmd = Command::new(&argv[0]);
        cmd.args(&argv[1..]);
        let child = spawn_to(&mut cmd, &log, &self.stderr_log())
            .with_context(|| format!("platform '{}': could not start qemu", self.spec.name))?;
        self.child = Some(child);
        self.qemu_argv = Some(argv);
        Ok(())
    }

    /// Watches the VM just launched with `accel` until sshd answers, it shows it will not
    /// come up ([`boot_trouble`]), or `boot_timeout` passes (an error naming the logs). The
    /// ssh probe runs alongside, so a probe waiting on a dead guest delays nothing.
    fn boot(&mut self, ctx: &StartContext, accel: &str, boot_timeout: Duration) -> Result<Boot> {
        let name = self.spec.name.clone();
        let t0 = Instant::now();
        let deadline = if accel == "kvm" { self.console_deadline() } else { None };
        let mut qmp: Option<Qmp> = None;
        let mut probe: Option<(Child, Instant)> = None;
        let mut last_probe: Option<Instant> = None;
        let result = loop {
            if ctx.stopping() {
                break Err(anyhow::anyhow!("platform '{name}': interrupted while booting"));
            }
            let exited = self.exited().map(|s| s.to_string());
            let stderr =
                String::from_utf8_lossy(&std::fs::read(self.stderr_log()).unwrap_or_default()).into_owned();
            let status = match exited {
                Some(_) => None,
                None => {
                    if qmp.is_none() {
                        qmp = Qmp::connect(&self.qmp_socket(), Duration::from_secs(2)).ok();
                    }
                    let s = qmp.as_mut().map(Qmp::query_status);
                    match s {
                        Some(Ok(s)) => Some(s),
                        Some(Err(_)) => {
                            qmp = None;
                            None
                        }
                        None => None,
                    }
                }
            };
            let look = BootLook {
                accel,
                exited,
                stderr: &stderr,
                qmp_status: status.as_deref(),
                console_bytes: std::fs::metadata(self.console_log()).map(|m| m.len()).unwrap_or(0),
                elapsed: t0.elapsed(),
                console_deadline: deadline,
            };
            if let Some(why) = boot_trouble(&look) {
                break Ok(Boot::Trouble(why));
            }
            if t0.elapsed() > boot_timeout {
                break Err(anyhow::anyhow!(
                    "platform '{name}': sshd did not answer on 127.0.0.1:{} within {:.0} s (boot_timeout_s): {}",
                    self.ssh_port,
                    boot_timeout.as_secs_f64(),
                    log_evidence(&self.stderr_log(), &self.console_log())
                ));
            }
            if let Some((child, started)) = probe.as_mut() {
                match child.try_wait() {
                    Ok(Some(s)) if s.success() => break Ok(Boot::Up),
                    Ok(None) if started.elapsed() < Duration::from_secs(20) => {}
                    _ => {
                        super::signal_group(child, Signal::KILL);
                        let _ = child.wait();
                        probe = None;
                    }
                }
            }
            if probe.is_none() && last_probe.is_none_or(|t| t.elapsed() >= Duration::from_secs(1)) {
                let mut cmd = self.ssh.probe_command();
                super::die_with_parent(&mut cmd);
                cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).process_group(0);
                if let Ok(child) = cmd.spawn() {
                    probe = Some((child, Instant::now()));
                }
                last_probe = Some(Instant::now());
            }
            std::thread::sleep(Duration::from_millis(250));
        };
        if let Some((mut child, _)) = probe {
            super::signal_group(&child, Signal::KILL);
            let _ = child.wait();
        }
        result
    }

    /// Keeps the logs of a failed KVM attempt under `.kvm.` names (the TCG attempt writes
    /// the usual ones); returns their paths (stderr, console).
    fn keep_kvm_logs(&self) -> (PathBuf, PathBuf) {
        let stderr = self.qemu_log().with_extension("kvm.stderr.log");
        let console = self.qemu_log().with_extension("kvm.console.log");
        let _ = std::fs::rename(self.stderr_log(), &stderr);
        let _ = std::fs::rename(self.console_log(), &console);
        let _ = std::fs::rename(self.qemu_log(), self.qemu_log().with_extension("kvm.log"));
        (stderr, console)
    }

    /// Returns `Some(status)` if qemu has exited.
    fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.as_mut().and_then(|c| c.try_wait().ok().flatten())
    }

    /// KVM does not work, for `why`: records it, then warns that TCG follows, or (with
    /// `kvm_fallback = false`) returns the error that leaves the platform not started.
    fn kvm_broken(&mut self, why: String) -> Result<()> {
        let name = &self.spec.name;
        self.kvm_failure = Some(why.clone());
        if self.spec.kvm_fallback == Some(false) {
            bail!("platform '{name}': KVM does not work here: {why}. Not falling back to TCG (kvm_fallback = false)");
        }
        self.warnings.push(format!(
            "platform '{name}': KVM does not work here: {why}. Falling back to TCG (slow, emulated): \
             the platform's results are TCG's, and its detail label says tcg"
        ));
        Ok(())
    }

    fn kill_qemu(&mut self) {
        let _ = self.ssh.stop();
        if let Some(mut c) = self.child.take() {
            super::signal_group(&c, Signal::TERM);
            let t = Instant::now();
            while t.elapsed() < Duration::from_secs(5) {
                if c.try_wait().ok().flatten().is_some() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            super::signal_group(&c, Signal::KILL);
            let _ = c.wait();
        }
        let _ = std::fs::remove_file(self.qmp_socket());
    }
}

impl Executor for QemuExecutor {
    fn name(&self) -> &str {
        &self.spec.name
    }

    fn kind(&self) -> ExecutorKind {
        ExecutorKind::Qemu
    }

    fn start(&mut self, ctx: &StartContext) -> Result<()> {
        let name = self.spec.name.clone();
        for (key, p) in [
            ("disk", &self.spec.disk),
            ("kernel", &self.spec.kernel),
            ("initrd", &self.spec.initrd),
            ("key", &self.spec.key),
        ] {
            if let Some(p) = p {
                if !p.is_file() {
                    bail!(
                        "platform '{name}': key '{key}': no file '{}' (run `virtperf lab` to build one)",
                        p.display()
                    );
                }
            }
        }
        if self.ssh_port == 0 {
            self.ssh_port = free_port()?;
        }
        self.ssh = SshExecutor::for_vm(&self.spec, self.ssh_port);
        self.forwards.clear();
        for &p in &ctx.ports {
            self.forwards.push((free_port()?, p));
        }
        let mut accel = self.accel_requested();
        let boot_timeout = Duration::from_secs_f64(self.spec.boot_timeout_s.unwrap_or(300.0));
        self.accel_used = None;
        self.kvm_failure = None;
        if accel == "kvm" {
            let dev =
                std::env::var_os(KVM_DEVICE_ENV).map(PathBuf::from).unwrap_or_else(|| "/dev/kvm".into());
            if let Err(e) = std::fs::OpenOptions::new().read(true).write(true).open(&dev) {
                self.kvm_broken(format!("{} cannot be opened ({e})", dev.display()))?;
                accel = "tcg".into();
            }
        }
        let mut t0 = Instant::now();
        self.launch(&accel)?;
        loop {
            match self.boot(ctx, &accel, boot_timeout) {
                Ok(Boot::Up) => break,
                Ok(Boot::Trouble(why)) if accel == "kvm" => {
                    let took = t0.elapsed().as_secs_f64();
                    self.kill_qemu();
                    let (stderr, console) = self.keep_kvm_logs();
                    self.kvm_broken(format!(
                        "{why}, {took:.1} s after start; {}",
                        log_evidence(&stderr, &console)
                    ))?;
                    accel = "tcg".into();
                    t0 = Instant::now();
                    self.launch(&accel)?;
                }
                Ok(Boot::Trouble(why)) => {
                    self.kill_qemu();
                    bail!(
                        "platform '{name}': {why}: {}",
                        log_evidence(&self.stderr_log(), &self.console_log())
                    );
                }
                Err(e) => {
                    self.kill_qemu();
                    return Err(e);
                }
            }
        }
        self.accel_used = Some(accel);
        self.boot_s = Some(t0.elapsed().as_secs_f64());
        if let Err(e) = self.ssh.start(ctx) {
            self.kill_qemu();
            return Err(e);
        }
        Ok(())
    }

    fn command(&self, argv: &[String], job: &Job) -> Command {
        self.ssh.command(argv, job)
    }

    fn kill_command(&self, job: &Job, signal: &str) -> Option<Command> {
        self.ssh.kill_command(job, signal)
    }

    fn put_file_command(&self, path: &str) -> Command {
        self.ssh.put_file_command(path)
    }

    fn endpoint(&self, port: u16) -> Result<(String, u16)> {
        match self.forwards.iter().find(|(_, g)| *g == port) {
            Some((h, _)) => Ok(("127.0.0.1".into(), *h)),
            None => bail!("platform '{}': guest port {port} is not forwarded", self.spec.name),
        }
    }

    fn host_pids(&self) -> Vec<u32> {
        self.child.as_ref().map(|c| vec![c.id()]).unwrap_or_default()
    }

    fn workdir(&self) -> String {
        self.ssh.workdir()
    }

    fn facts(&self) -> PlatformFacts {
        // Before (or without) a start: the accelerator asked for.
        let accel = self.accel_used.clone().unwrap_or_else(|| self.accel_requested());
        let detail = match &self.spec.detail {
            Some(d) => detail_with_accel(d, &accel),
            None => format!("{},smp{},m{},{}", self.format(), self.smp(), self.memory(), accel),
        };
        let s = &self.spec;
        let mut settings = BTreeMap::new();
        let opt = |p: &Option<PathBuf>| p.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
        settings.insert("disk".into(), opt(&s.disk));
        settings.insert("format".into(), self.format().into());
        settings.insert("kernel".into(), opt(&s.kernel));
        settings.insert("initrd".into(), opt(&s.initrd));
        settings.insert("smp".into(), self.smp().to_string());
        settings.insert("memory_mib".into(), self.memory().to_string());
        settings.insert("accel_requested".into(), self.accel_requested());
        if self.accel_requested() == "kvm" {
            settings.insert(
                "kvm_console_timeout_s".into(),
                self.console_deadline().map(|d| d.as_secs_f64()).unwrap_or(0.0).to_string(),
            );
            settings.insert("kvm_fallback".into(), s.kvm_fallback.unwrap_or(true).to_string());
        }
        settings.insert("snapshot".into(), s.snapshot.to_string());
        settings.insert("ssh_port".into(), self.ssh_port.to_string());
        PlatformFacts {
            kind: "qemu".into(),
            detail,
            settings,
            guest: self.guest.clone(),
            qemu_argv: self.qemu_argv.clone(),
            accel: self.accel_used.clone(),
            kvm_failure: self.kvm_failure.clone(),
            boot_s: self.boot_s,
            ..PlatformFacts::default()
        }
    }

    fn set_guest_facts(&mut self, facts: Facts) {
        self.guest = facts;
    }

    fn stop(&mut self) -> Result<()> {
        if self.child.is_none() {
            return Ok(());
        }
        // Clean power-off: sync, remount read-only, power off (systemd guests: systemctl).
        let script = "sync; if [ -d /run/systemd/system ]; then systemctl poweroff; else \
                      echo u > /proc/sysrq-trigger; echo o > /proc/sysrq-trigger; fi";
        let argv: Vec<String> = vec!["sh".into(), "-c".into(), script.into()];
        let mut cmd = self.ssh.command(&argv, &Job { tag: "poweroff".into(), workdir: "/".into() });
        let _ = super::run_captured(&mut cmd, Duration::from_secs(15));
        let _ = self.ssh.stop();
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(20) {
            if self.exited().is_some() {
                self.child = None;
                let _ = std::fs::remove_file(self.qmp_socket());
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.kill_qemu();
        Ok(())
    }

    fn describe_start(&self, ports: &[u16]) -> Vec<Vec<String>> {
        let accel = self.accel_requested();
        // Host ports for wrk are picked at start; shown here as 0.
        let fwd: Vec<(u16, u16)> = ports.iter().map(|&p| (0, p)).collect();
        vec![self.qemu_argv(&accel, self.ssh_port, &fwd)]
    }

    fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }
}

impl Drop for QemuExecutor {
    fn drop(&mut self) {
        self.kill_qemu();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::argv_of;

    #[test]
    fn qemu_argv_has_disk_format_smp_memory_accel_and_forwards() {
        let spec: PlatformSpec = toml::from_str(
            "name = \"vm\"\nkind = \"qemu\"\nkernel = \"/k\"\ninitrd = \"/i\"\ndisk = \"/d,1.qcow2\"\nformat = \"qcow2\"\nsmp = 2\nmemory_mib = 2048\naccel = \"tcg\"\nkey = \"/key\"",
        )
        .unwrap();
        let e = QemuExecutor::new(&spec, Path::new("/out"));
        let a = e.qemu_argv("tcg", 10022, &[(20000, 18080)]);
        let has = |x: &str, y: &str| a.windows(2).any(|w| w[0] == x && w[1] == y);
        assert_eq!(a[0], "qemu-system-x86_64");
        assert!(has("-accel", "tcg") && has("-cpu", "max") && has("-smp", "2") && has("-m", "2048"));
        assert!(has("-kernel", "/k") && has("-initrd", "/i") && has("-append", DEFAULT_APPEND));
        assert!(has("-drive", "file=/d,,1.qcow2,format=qcow2,if=virtio"));
        assert!(has(
            "-netdev",
            "user,id=n0,hostfwd=tcp:127.0.0.1:10022-:22,hostfwd=tcp:127.0.0.1:20000-:18080"
        ));
        assert!(a.contains(&"-no-reboot".to_string()) && !a.contains(&"-snapshot".to_string()));
        let k = e.qemu_argv("kvm", 1, &[]);
        assert!(k.windows(2).any(|w| w == ["-cpu", "host"]));
        assert!(has("-qmp", "unix:/out/.virtperf/qemu-vm.qmp,server=on,wait=off"));
        assert_eq!(e.facts().detail, "qcow2,smp2,m2048,tcg");
        // Runs go over ssh to the forwarded port.
        let cmd = e.command(&["true".into()], &Job { tag: "t".into(), workdir: "/".into() });
        let argv = argv_of(&cmd);
        assert_eq!(argv[0], "ssh");
        assert!(argv.windows(2).any(|w| w == ["-i", "/key"]));
    }

    #[test]
    fn a_matrix_expansion_name_reaches_qemu_without_its_equals_signs() {
        // QEMU reads `-name vm-smp=2` and `unix:/x/qemu-vm-smp=2.qmp` as key=value pairs and
        // refuses them ("Invalid parameter 'vm-smp'").
        let spec: PlatformSpec =
            toml::from_str("name = \"vm-smp=2\"\nkind = \"qemu\"\ndisk = \"/d\"\nkey = \"/key\"").unwrap();
        let e = QemuExecutor::new(&spec, Path::new("/out"));
        let a = e.qemu_argv("tcg", 10022, &[]);
        assert!(a.windows(2).any(|w| w == ["-name", "virtperf-vm-smp_2"]), "{a:?}");
        assert!(
            a.windows(2).any(|w| w == ["-serial", "file:/out/.virtperf/qemu-vm-smp_2.console.log"]),
            "{a:?}"
        );
        assert!(a
            .windows(2)
            .any(|w| w == ["-qmp", "unix:/out/.virtperf/qemu-vm-smp_2.qmp,server=on,wait=off"]));
        assert_eq!(e.name(), "vm-smp=2");
    }

    // qemu-system-x86_64 7.2.22 (Debian) with -accel kvm on the nested AMD EPYC development
    // machine: -cpu host aborts; -cpu qemu64 lives on, prints these warnings and hangs.
    const MSR: &str = "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69\n\
        qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3183: kvm_buf_set_msrs: Assertion `ret == cpu->kvm_msr_buf->nmsrs' failed.\n";
    const QEMU64: &str =
        "qemu-system-x86_64: warning: host doesn't support requested feature: CPUID.01H:ECX.pni [bit 0]\n\
        qemu-system-x86_64: warning: host doesn't support requested feature: CPUID.01H:ECX.pni [bit 0]\n";
    // kvm_handle_internal_error's lines (QEMU accel/kvm/kvm-all.c), as the issue quotes them.
    const INTERNAL: &str = "KVM internal error. Suberror: 1\nextra data[0]: 0x0000000000000001\nemulation failure\nEAX=00000000 EBX=00000000\n";

    fn look<'a>(
        accel: &'a str,
        stderr: &'a str,
        status: Option<&'a str>,
        bytes: u64,
        secs: u64,
    ) -> BootLook<'a> {
        BootLook {
            accel,
            stderr,
            qmp_status: status,
            console_bytes: bytes,
            elapsed: Duration::from_secs(secs),
            console_deadline: Some(Duration::from_secs(20)),
            exited: None,
        }
    }

    #[test]
    fn boot_trouble_tells_broken_kvm_from_a_slow_boot() {
        // The machine: stderr and QMP both say it, at once.
        let why = boot_trouble(&look("kvm", INTERNAL, Some("internal-error"), 0, 1)).unwrap();
        assert_eq!(why, "QMP query-status says 'internal-error' and qemu's stderr reports a KVM failure");
        // Either alone is enough (QMP not connected yet; or a state without a stderr line).
        assert_eq!(
            boot_trouble(&look("kvm", INTERNAL, None, 0, 1)).unwrap(),
            "qemu's stderr reports a KVM failure"
        );
        assert_eq!(
            boot_trouble(&look("kvm", "", Some("guest-panicked"), 10, 1)).unwrap(),
            "QMP query-status says 'guest-panicked'"
        );
        // qemu died (the MSR abort).
        let mut l = look("kvm", MSR, None, 0, 1);
        l.exited = Some("signal: 6 (SIGABRT) (core dumped)".into());
        assert_eq!(
            boot_trouble(&l).unwrap(),
            "qemu exited while booting (signal: 6 (SIGABRT) (core dumped))"
        );
        // Alive, running, warnings only, console empty: fine for 19 s, broken at 20 s.
        assert_eq!(boot_trouble(&look("kvm", QEMU64, Some("running"), 0, 19)), None);
        assert_eq!(
            boot_trouble(&look("kvm", QEMU64, Some("running"), 0, 20)).unwrap(),
            "the guest wrote nothing on its serial console within 20 s (kvm_console_timeout_s) while QMP \
             query-status said 'running'"
        );
        // A console with output, or the rule off, or TCG: a slow boot is no trouble.
        assert_eq!(boot_trouble(&look("kvm", QEMU64, Some("running"), 47, 200)), None);
        let mut off = look("kvm", "", Some("running"), 0, 200);
        off.console_deadline = None;
        assert_eq!(boot_trouble(&off), None);
        assert_eq!(boot_trouble(&look("tcg", "", Some("running"), 0, 200)), None);
        // Under TCG a KVM line cannot be the cause, but a dead state still ends the boot.
        assert_eq!(boot_trouble(&look("tcg", INTERNAL, Some("running"), 0, 1)), None);
        assert_eq!(
            boot_trouble(&look("tcg", "", Some("shutdown"), 0, 1)).unwrap(),
            "QMP query-status says 'shutdown'"
        );
        // Paused or not yet running is not a verdict.
        assert_eq!(boot_trouble(&look("kvm", "", Some("prelaunch"), 0, 1)), None);
    }

    #[test]
    fn the_quoted_line_is_the_one_that_says_what_went_wrong() {
        assert_eq!(stderr_line(MSR), Some("qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69"));
        assert_eq!(stderr_line(INTERNAL), Some("KVM internal error. Suberror: 1"));
        let with_warning = format!("{QEMU64}qemu-system-x86_64: -drive file=/x: Could not open '/x'\n");
        assert_eq!(
            stderr_line(&with_warning),
            Some("qemu-system-x86_64: -drive file=/x: Could not open '/x'")
        );
        assert_eq!(stderr_line(QEMU64), QEMU64.lines().next());
        assert_eq!(stderr_line("\n \n"), None);
    }

    #[test]
    fn evidence_names_both_logs_and_quotes_them() {
        let dir = tempfile::tempdir().unwrap();
        let (err, con) = (dir.path().join("q.stderr.log"), dir.path().join("q.console.log"));
        std::fs::write(&err, INTERNAL).unwrap();
        std::fs::write(&con, "").unwrap();
        assert_eq!(
            log_evidence(&err, &con),
            format!(
                "qemu's stderr {} says 'KVM internal error. Suberror: 1'; console log {} is empty",
                err.display(),
                con.display()
            )
        );
        std::fs::write(
            &con,
            "Run /init as init process\r\nKernel panic - not syncing: No working init found.\r\nend\r\n",
        )
        .unwrap();
        assert!(
            log_evidence(&err, &con).ends_with("says 'Kernel panic - not syncing: No working init found.'")
        );
        std::fs::write(&con, "virtperf-init: network on ens3, starting sshd\r\n").unwrap();
        std::fs::remove_file(&err).unwrap();
        assert_eq!(
            log_evidence(&err, &con),
            format!(
                "qemu's stderr {} is empty; console log {} ends with 'virtperf-init: network on ens3, starting sshd'",
                err.display(),
                con.display()
            )
        );
    }

    #[test]
    fn the_detail_label_carries_the_accelerator_that_ran() {
        assert_eq!(detail_with_accel("raw,smp2,m2048,tcg", "tcg"), "raw,smp2,m2048,tcg");
        assert_eq!(detail_with_accel("raw,kvm", "tcg"), "raw,tcg");
        assert_eq!(detail_with_accel("mine", "tcg"), "mine,tcg");
        assert_eq!(detail_with_accel("", "kvm"), "kvm");
        let spec: PlatformSpec = toml::from_str(
            "name = \"kvm\"\nkind = \"qemu\"\ndisk = \"/d\"\nkey = \"/k\"\ndetail = \"raw,kvm\"\nkernel = \"/k\"",
        )
        .unwrap();
        let mut e = QemuExecutor::new(&spec, Path::new("/out"));
        assert_eq!(e.facts().detail, "raw,kvm");
        e.accel_used = Some("tcg".into());
        let f = e.facts();
        assert_eq!((f.detail.as_str(), f.accel.as_deref()), ("raw,tcg", Some("tcg")));
        assert_eq!(f.settings["accel_requested"], "kvm");
        assert_eq!(f.settings["kvm_console_timeout_s"], "20");
        // The console rule needs a kernel that writes to the serial console.
        assert_eq!(e.console_deadline(), Some(Duration::from_secs(20)));
        e.spec.append = Some("root=/dev/vda quiet".into());
        assert_eq!(e.console_deadline(), None);
        e.spec.append = None;
        e.spec.kvm_console_timeout_s = Some(0.0);
        assert_eq!(e.console_deadline(), None);
        e.spec.kvm_console_timeout_s = None;
        e.spec.kernel = None;
        assert_eq!(e.console_deadline(), None);
    }
}
