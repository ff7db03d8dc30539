//! QEMU: a VM virtperf boots for the campaign and powers off at the end or on Ctrl-C. Kernel +
//! initrd direct boot or a disk that boots itself; a raw or qcow2 disk on virtio; -smp, -m;
//! user networking with the guest's sshd (and every wrk port) forwarded to 127.0.0.1. Runs go
//! over ssh ([`super::ssh::SshExecutor`]).
//!
//! Acceleration is tried, not assumed: with `accel = "kvm"` the VM is started with KVM and,
//! when it dies early (no /dev/kvm, nested KVM that cannot run a vCPU), started again with TCG
//! and a warning; the accelerator actually used is recorded.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use super::plan::PlatformSpec;
use super::ssh::SshExecutor;
use super::{free_port, spawn_to, Executor, ExecutorKind, Facts, Job, PlatformFacts, StartContext};

/// Default kernel command line for a direct boot.
pub const DEFAULT_APPEND: &str = "root=/dev/vda rw console=ttyS0";

/// Boots and drives a QEMU VM.
#[derive(Debug)]
pub struct QemuExecutor {
    spec: PlatformSpec,
    out: PathBuf,
    ssh: SshExecutor,
    ssh_port: u16,
    forwards: Vec<(u16, u16)>,
    child: Option<Child>,
    accel_used: Option<String>,
    qemu_argv: Option<Vec<String>>,
    boot_s: Option<f64>,
    guest: Facts,
    /// Messages for the user (the KVM fallback).
    pub warnings: Vec<String>,
}

/// QEMU's option syntax doubles commas inside a value.
fn qarg(p: &Path) -> String {
    p.display().to_string().replace(',', ",,")
}

impl QemuExecutor {
    /// From a plan's `[[platform]]` with kind = "qemu"; `out` is the campaign folder (logs go
    /// to `out/.virtperf/`).
    pub fn new(spec: &PlatformSpec, out: &Path) -> QemuExecutor {
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
    fn console_log(&self) -> PathBuf {
        self.out.join(".virtperf").join(format!("qemu-{}.console.log", self.spec.name))
    }
    fn qemu_log(&self) -> PathBuf {
        self.out.join(".virtperf").join(format!("qemu-{}.log", self.spec.name))
    }

    /// The qemu argv for `accel`, with sshd forwarded from `ssh_port` and each `(host, guest)`
    /// port pair in `forwards`.
    pub fn qemu_argv(&self, accel: &str, ssh_port: u16, forwards: &[(u16, u16)]) -> Vec<String> {
        let s = &self.spec;
        let mut v: Vec<String> = vec![s.qemu.clone().unwrap_or_else(|| "qemu-system-x86_64".into())];
        let mut push = |a: &str, b: String| {
            v.push(a.to_string());
            v.push(b);
        };
        push("-name", format!("virtperf-{}", s.name));
        push("-accel", accel.to_string());
        push("-cpu", if accel == "kvm" { "host".into() } else { "max".into() });
        push("-smp", self.smp().to_string());
        push("-m", self.memory().to_string());
        push("-display", "none".into());
        push("-monitor", "none".into());
        push("-serial", format!("file:{}", qarg(&self.console_log())));
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
        let log = self.qemu_log();
        let mut cmd = Command::new(&argv[0]);
        cmd.args(&argv[1..]);
        let child = spawn_to(&mut cmd, &log, &log.with_extension("stderr.log"))
            .with_context(|| format!("platform '{}': could not start qemu", self.spec.name))?;
        self.child = Some(child);
        self.accel_used = Some(accel.to_string());
        self.qemu_argv = Some(argv);
        Ok(())
    }

    fn qemu_stderr_tail(&self) -> String {
        let text = std::fs::read_to_string(self.qemu_log().with_extension("stderr.log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(5)..].join(" | ")
    }

    /// Returns `Some(status)` if qemu has exited.
    fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.as_mut().and_then(|c| c.try_wait().ok().flatten())
    }

    fn kill_qemu(&mut self) {
        let _ = self.ssh.stop();
        if let Some(mut c) = self.child.take() {
            super::signal_group(&c, libc::SIGTERM);
            let t = Instant::now();
            while t.elapsed() < Duration::from_secs(5) {
                if c.try_wait().ok().flatten().is_some() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            super::signal_group(&c, libc::SIGKILL);
            let _ = c.wait();
        }
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
        let want = self.spec.accel.clone().unwrap_or_else(|| "kvm".into());
        let mut accel = want.clone();
        if accel == "kvm" && std::fs::OpenOptions::new().read(true).write(true).open("/dev/kvm").is_err() {
            self.warnings
                .push(format!("platform '{name}': /dev/kvm cannot be opened; using TCG (slow, emulated)"));
            accel = "tcg".into();
        }
        let boot_timeout = Duration::from_secs_f64(self.spec.boot_timeout_s.unwrap_or(300.0));
        let t0 = Instant::now();
        self.launch(&accel)?;
        loop {
            if ctx.stopping() {
                self.kill_qemu();
                bail!("platform '{name}': interrupted while booting");
            }
            if let Some(status) = self.exited() {
                let tail = self.qemu_stderr_tail();
                self.child = None;
                if accel == "kvm" {
                    self.warnings.push(format!(
                        "platform '{name}': KVM does not work here (qemu {status}: {tail}); falling back to TCG (slow, emulated)"
                    ));
                    accel = "tcg".into();
                    self.launch(&accel)?;
                    continue;
                }
                bail!(
                    "platform '{name}': qemu exited while booting ({status}): {tail}; console log: {}",
                    self.console_log().display()
                );
            }
            if t0.elapsed() > boot_timeout {
                self.kill_qemu();
                bail!(
                    "platform '{name}': sshd did not answer on 127.0.0.1:{} within {:.0} s (boot_timeout_s); console log: {}",
                    self.ssh_port,
                    boot_timeout.as_secs_f64(),
                    self.console_log().display()
                );
            }
            if self.ssh.probe(Duration::from_secs(20)) {
                break;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
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
        let accel = self
            .accel_used
            .clone()
            .unwrap_or_else(|| self.spec.accel.clone().unwrap_or_else(|| "kvm".into()));
        let detail =
            self.spec.detail.clone().unwrap_or_else(|| {
                format!("{},smp{},m{},{}", self.format(), self.smp(), self.memory(), accel)
            });
        let s = &self.spec;
        let mut settings = BTreeMap::new();
        let opt = |p: &Option<PathBuf>| p.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
        settings.insert("disk".into(), opt(&s.disk));
        settings.insert("format".into(), self.format().into());
        settings.insert("kernel".into(), opt(&s.kernel));
        settings.insert("initrd".into(), opt(&s.initrd));
        settings.insert("smp".into(), self.smp().to_string());
        settings.insert("memory_mib".into(), self.memory().to_string());
        settings.insert("accel_requested".into(), s.accel.clone().unwrap_or_else(|| "kvm".into()));
        settings.insert("snapshot".into(), s.snapshot.to_string());
        settings.insert("ssh_port".into(), self.ssh_port.to_string());
        PlatformFacts {
            kind: "qemu".into(),
            detail,
            settings,
            guest: self.guest.clone(),
            qemu_argv: self.qemu_argv.clone(),
            accel: self.accel_used.clone(),
            boot_s: self.boot_s,
            container: None,
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
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.kill_qemu();
        Ok(())
    }

    fn describe_start(&self, ports: &[u16]) -> Vec<Vec<String>> {
        let accel = self.spec.accel.clone().unwrap_or_else(|| "kvm".into());
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
        assert_eq!(e.facts().detail, "qcow2,smp2,m2048,tcg");
        // Runs go over ssh to the forwarded port.
        let cmd = e.command(&["true".into()], &Job { tag: "t".into(), workdir: "/".into() });
        let argv = argv_of(&cmd);
        assert_eq!(argv[0], "ssh");
        assert!(argv.windows(2).any(|w| w == ["-i", "/key"]));
    }
}
