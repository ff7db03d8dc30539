//! The executor: runs a plan's workloads on platforms (this host, Docker containers, SSH hosts,
//! QEMU VMs it boots itself), with pidstat alongside, and writes each run's raw output and
//! facts where `virtperf ingest` and `virtperf report` read them with no flags.
//!
//! One [`Executor`] per platform kind builds the process that runs an argv on its platform
//! ([`Executor::command`], no spawning, so the argv is unit-tested) and brings the platform up
//! and down. [`kinds`] describes the workload kinds, and [`services`] the servers some of them
//! need on the platform (nginx for wrk). [`runner`] drives a campaign: order, monitoring,
//! timeouts, Ctrl-C, the manifest ([`crate::model::manifest`]). [`lab`] builds images to run
//! on. Nothing here parses benchmark output.
//!
//! Layers: this module imports only [`crate::model`] and [`crate::digest`]; `commands` calls it
//! through [`cli`].
//!
//! Arguments always travel as argv: `docker exec` and native runs get them as separate
//! arguments; over ssh they are joined with POSIX shell quoting by `shlex`, never glued with
//! `format!`, so no plan value can inject a command.

pub mod cli;
mod docker;
mod kinds;
mod lab;
mod lock;
mod matrix;
#[cfg(test)]
mod mock;
mod native;
mod plan;
mod precision;
mod qemu;
mod qmp;
mod runner;
mod schedule;
mod services;
mod ssh;

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rustix::process::{Pid, Signal};

use crate::model::manifest::{Facts, PlatformFacts};
use services::{version_args, VersionProbe};

/// The platform kinds, a closed set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExecutorKind {
    /// This host.
    Native,
    /// A Docker container (started from an image, or an existing one).
    Docker,
    /// A machine reached with ssh.
    Ssh,
    /// A QEMU VM virtperf boots and stops.
    Qemu,
    /// Runs nothing real: for scheduler tests.
    #[cfg(test)]
    Mock,
}

/// What identifies one process virtperf runs on a platform, so it can be signalled later.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    /// Unique tag (`rep3-sysbench-cpu-run`), used in the remote pid file name.
    pub(crate) tag: String,
    /// Folder on the platform to run in.
    pub(crate) workdir: String,
}

impl Job {
    /// Pid file on the platform holding the job's process group id (remote platforms).
    pub(crate) fn pidfile(&self) -> String {
        format!("/tmp/.virtperf-{}.pid", self.tag)
    }
}

/// Shell script (constant) that remote platforms run under `setsid -w`: records its process
/// group in a pid file, enters the work folder, runs the argv given as its positional
/// parameters, removes the pid file and exits with the argv's status. The argv is never part
/// of the script text.
pub(crate) const WRAP_SCRIPT: &str =
    "trap : INT TERM; echo $$ > \"$0\"; cd \"$1\" || exit 126; shift; \"$@\"; s=$?; rm -f \"$0\"; exit $s";

/// Shell script (constant) that signals the process group recorded in a pid file:
/// `$0` = signal name, `$1` = pid file.
pub(crate) const KILL_SCRIPT: &str =
    "[ -f \"$1\" ] && kill -s \"$0\" -- -\"$(cat \"$1\")\" 2>/dev/null; [ \"$0\" = KILL ] && rm -f \"$1\"; true";

/// The argv a remote platform runs for `argv` in `job`: the wrapper that makes the process
/// killable as a group, then `argv` itself, unchanged.
pub(crate) fn wrapped_argv(argv: &[String], job: &Job) -> Vec<String> {
    let mut v: Vec<String> =
        ["setsid", "-w", "sh", "-c", WRAP_SCRIPT].iter().map(|s| s.to_string()).collect();
    v.push(job.pidfile());
    v.push(job.workdir.clone());
    v.extend(argv.iter().cloned());
    v
}

/// The argv that signals `job`'s process group on a remote platform.
pub(crate) fn kill_argv(job: &Job, signal: &str) -> Vec<String> {
    vec!["sh".into(), "-c".into(), KILL_SCRIPT.into(), signal.into(), job.pidfile()]
}

/// Facts script (constant): prints `key=value` lines about the machine it runs on. Its
/// positional parameters are triples NAME BINARY FLAG: for each executable BINARY (a service
/// such as nginx) it prints `tool.NAME=` and the first line of `BINARY FLAG`.
pub(crate) const FACTS_SCRIPT: &str = r#"echo "kernel=$(uname -r)"
echo "cpu_model=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "cores=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)"
echo "memory_kib=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)"
echo "os=$( (. /etc/os-release 2>/dev/null; echo "$PRETTY_NAME") )"
for t in sysbench fio; do command -v $t >/dev/null 2>&1 && echo "tool.$t=$($t --version 2>&1 | head -n1)"; done
command -v pidstat >/dev/null 2>&1 && echo "tool.pidstat=$(pidstat -V 2>&1 | head -n1)"
while [ $# -ge 3 ]; do [ -x "$2" ] && echo "tool.$1=$("$2" "$3" 2>&1 | head -n1)"; shift 3; done
command -v wrk >/dev/null 2>&1 && echo "tool.wrk=$(wrk -v 2>&1 | head -n1)"
command -v redis-benchmark >/dev/null 2>&1 && echo "tool.redis-benchmark=$(redis-benchmark --version 2>&1 | head -n1)"
true"#;

/// The argv that prints [`FACTS_SCRIPT`]'s facts, with the versions of `services`.
pub(crate) fn facts_argv(services: &[VersionProbe]) -> Vec<String> {
    let mut v: Vec<String> = vec!["sh".into(), "-c".into(), FACTS_SCRIPT.into(), "virtperf-facts".into()];
    v.extend(version_args(services));
    v
}

/// Reads the output of [`FACTS_SCRIPT`].
pub(crate) fn parse_facts(text: &str) -> Facts {
    let mut f = Facts::default();
    for line in text.lines() {
        let Some((k, v)) = line.split_once('=') else { continue };
        let v = v.trim().to_string();
        match k {
            "kernel" => f.kernel = v,
            "cpu_model" => f.cpu_model = v,
            "cores" => f.cores = v.parse().ok(),
            "memory_kib" => f.memory_mib = v.parse::<u64>().ok().map(|k| k / 1024),
            "os" => f.os = v,
            k if k.starts_with("tool.") && !v.is_empty() => {
                f.tools.insert(k[5..].to_string(), v);
            }
            _ => {}
        }
    }
    f
}

/// A platform that runs argv. Implementations build processes; [`runner`] spawns them.
pub(crate) trait Executor: Send {
    /// Platform name from the plan.
    fn name(&self) -> &str;

    /// Which kind it is.
    fn kind(&self) -> ExecutorKind;

    /// Brings the platform up (starts the container, boots the VM). Called once, before the
    /// platform's first run; `stop` flag set means give up (Ctrl-C).
    fn start(&mut self, ctx: &StartContext) -> Result<()>;

    /// Builds the process that runs `argv` on the platform in `job.workdir`, without spawning
    /// it. Remote kinds wrap it with [`wrapped_argv`].
    fn command(&self, argv: &[String], job: &Job) -> Command;

    /// Builds the process that sends `signal` (`INT`, `KILL`) to `job` on the platform, or
    /// `None` when signalling the local process group is enough (native).
    fn kill_command(&self, job: &Job, signal: &str) -> Option<Command>;

    /// Builds the process that writes stdin to `path` on the platform.
    fn put_file_command(&self, path: &str) -> Command {
        let argv = vec!["sh".to_string(), "-c".into(), "cat > \"$0\"".into(), path.to_string()];
        let job = Job { tag: "put".into(), workdir: "/".into() };
        self.command(&argv, &job)
    }

    /// Address and port on the host where the platform's `port` is reached (for wrk).
    fn endpoint(&self, port: u16) -> Result<(String, u16)>;

    /// Returns true if and only if the platform shares this host's network namespace (this
    /// host; a container with `network = "host"`): its services listen on 127.0.0.1 and take
    /// ports of this host.
    fn host_network(&self) -> bool {
        false
    }

    /// Host pids to watch with pidstat on the host during a run (the qemu process, the
    /// container's processes); empty when there is nothing to watch from outside.
    fn host_pids(&self) -> Vec<u32> {
        Vec::new()
    }

    /// Folder on the platform where workloads run.
    fn workdir(&self) -> String;

    /// What was found when starting: detail label, settings, guest facts, qemu argv.
    fn facts(&self) -> PlatformFacts;

    /// Records guest facts (gathered by the runner through [`Executor::command`]).
    fn set_guest_facts(&mut self, facts: Facts);

    /// Stops what `start` started (removes the container, powers off the VM). Idempotent.
    fn stop(&mut self) -> Result<()>;

    /// Commands `start` would run with wrk `ports` to expose, for `--dry-run`.
    fn describe_start(&self, _ports: &[u16]) -> Vec<Vec<String>> {
        Vec::new()
    }

    /// Messages for the user gathered while starting (e.g. a KVM to TCG fallback).
    fn take_warnings(&mut self) -> Vec<String> {
        Vec::new()
    }
}

/// What `start` may need.
#[derive(Debug, Clone)]
pub(crate) struct StartContext {
    /// Ports on the platform where services that workloads reach from this host listen (nginx
    /// for wrk), to publish or forward.
    pub(crate) ports: Vec<u16>,
    /// Set when the user asked to stop.
    pub(crate) stop: Arc<AtomicBool>,
}

impl StartContext {
    /// Returns true if and only if the user asked to stop.
    pub(crate) fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}

/// The argv of a command, as strings, for the manifest and messages.
pub(crate) fn argv_of(cmd: &Command) -> Vec<String> {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|s| s.to_string_lossy().into_owned())
        .collect()
}

/// A command line for people (shell-quoted, so it can be pasted).
pub(crate) fn shown(argv: &[String]) -> String {
    shlex::try_join(argv.iter().map(String::as_str)).unwrap_or_else(|_| format!("{argv:?}"))
}

/// How a waited-for process ended.
#[derive(Debug)]
pub(crate) enum Waited {
    /// It exited by itself.
    Exited(ExitStatus),
    /// It ran past the deadline and was killed.
    TimedOut,
    /// The user asked to stop; it was killed.
    Interrupted,
}

/// Makes the process `cmd` starts get SIGKILL when virtperf dies, however it dies. Its own
/// process group keeps a terminal's Ctrl-C from it, so without this a `kill -9` of virtperf, or
/// a closed terminal (SIGHUP), would leave a `pidstat 1` monitor or a VM running for good.
/// The signal comes when the spawning thread ends: virtperf spawns from its main thread.
pub(crate) fn die_with_parent(cmd: &mut Command) {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{getppid, set_parent_process_death_signal};
        let parent = Pid::from_raw(std::process::id() as i32);
        // SAFETY: between fork and exec the closure makes only the prctl and getppid system
        // calls (rustix calls them directly: async-signal-safe) and allocates nothing (its
        // errors are raw OS error codes).
        unsafe {
            cmd.pre_exec(move || {
                set_parent_process_death_signal(Some(Signal::KILL))?;
                // The parent died before the prctl: nobody would stop this process.
                if getppid() != parent {
                    return Err(std::io::Error::from_raw_os_error(rustix::io::Errno::SRCH.raw_os_error()));
                }
                Ok(())
            });
        }
    }
}

/// Spawns `cmd` in its own process group (so a terminal's Ctrl-C reaches only virtperf, which
/// then stops it in order), with stdout and stderr to the given files; it dies with virtperf
/// ([`die_with_parent`]).
pub(crate) fn spawn_to(cmd: &mut Command, stdout: &Path, stderr: &Path) -> Result<Child> {
    let out =
        std::fs::File::create(stdout).with_context(|| format!("could not create '{}'", stdout.display()))?;
    let err =
        std::fs::File::create(stderr).with_context(|| format!("could not create '{}'", stderr.display()))?;
    die_with_parent(cmd);
    cmd.stdin(Stdio::null()).stdout(out).stderr(err).process_group(0);
    cmd.spawn().with_context(|| format!("could not start {}", shown(&argv_of(cmd))))
}

/// Sends `signal` to the process group led by `child` (it was spawned as a group leader); a
/// group that is gone already is no error.
pub(crate) fn signal_group(child: &Child, signal: Signal) {
    if let Some(pid) = i32::try_from(child.id()).ok().and_then(Pid::from_raw) {
        let _ = rustix::process::kill_process_group(pid, signal);
    }
}

/// Waits for `child` until it exits, `timeout` passes or `stop` is set. On timeout or stop,
/// `on_kill` runs first (it signals the remote side), then the local process group is killed.
pub(crate) fn wait_deadline(
    child: &mut Child,
    timeout: Duration,
    stop: &AtomicBool,
    mut on_kill: impl FnMut(),
) -> Result<Waited> {
    let start = Instant::now();
    let mut pause = Duration::from_millis(5);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Waited::Exited(status));
        }
        let why = if stop.load(Ordering::SeqCst) {
            Some(Waited::Interrupted)
        } else if start.elapsed() >= timeout {
            Some(Waited::TimedOut)
        } else {
            None
        };
        if let Some(why) = why {
            on_kill();
            signal_group(child, Signal::KILL);
            let _ = child.wait();
            return Ok(why);
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

/// Runs `cmd` to the end with a timeout, capturing stdout and stderr. For short helper
/// commands (facts, docker port, ssh probes). Errors carry the command and its stderr.
pub(crate) fn run_captured(cmd: &mut Command, timeout: Duration) -> Result<std::process::Output> {
    let argv = argv_of(cmd);
    die_with_parent(cmd);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).process_group(0);
    let mut child = cmd.spawn().with_context(|| format!("could not start {}", shown(&argv)))?;
    // Read both pipes on threads so a chatty process cannot block on a full pipe.
    let mut so = child.stdout.take();
    let mut se = child.stderr.take();
    let t_out = std::thread::spawn(move || {
        let mut b = Vec::new();
        if let Some(s) = so.as_mut() {
            let _ = std::io::Read::read_to_end(s, &mut b);
        }
        b
    });
    let t_err = std::thread::spawn(move || {
        let mut b = Vec::new();
        if let Some(s) = se.as_mut() {
            let _ = std::io::Read::read_to_end(s, &mut b);
        }
        b
    });
    let never = AtomicBool::new(false);
    let waited = wait_deadline(&mut child, timeout, &never, || {})?;
    let stdout = t_out.join().unwrap_or_default();
    let stderr = t_err.join().unwrap_or_default();
    match waited {
        Waited::Exited(status) => Ok(std::process::Output { status, stdout, stderr }),
        _ => anyhow::bail!("{} did not finish within {:.0} s", shown(&argv), timeout.as_secs_f64()),
    }
}

/// Like [`run_captured`], but a non-zero exit is an error that quotes stderr.
pub(crate) fn run_ok(cmd: &mut Command, timeout: Duration) -> Result<String> {
    let argv = argv_of(cmd);
    let out = run_captured(cmd, timeout)?;
    if !out.status.success() {
        anyhow::bail!(
            "{} failed ({}): {}",
            shown(&argv),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A free TCP port on 127.0.0.1 (the OS picks it; there is a small race until it is used).
pub(crate) fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").context("could not find a free local port")?;
    Ok(l.local_addr()?.port())
}

/// Builds the executor for platform `spec`.
pub(crate) fn executor_for(spec: &plan::PlatformSpec, out: &Path, campaign: &str) -> Box<dyn Executor> {
    match spec.kind.as_str() {
        "docker" => Box::new(docker::DockerExecutor::new(spec, campaign)),
        "ssh" => Box::new(ssh::SshExecutor::from_spec(spec)),
        "qemu" => Box::new(qemu::QemuExecutor::new(spec, out)),
        _ => Box::new(native::NativeExecutor::new(spec, out)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapper_keeps_argv_out_of_the_script() {
        let job = Job { tag: "t".into(), workdir: "/w d".into() };
        let argv: Vec<String> = vec!["echo".into(), "; touch /tmp/x".into(), "$(reboot)".into()];
        let w = wrapped_argv(&argv, &job);
        assert_eq!(&w[..5], ["setsid", "-w", "sh", "-c", WRAP_SCRIPT]);
        assert_eq!(&w[5..7], ["/tmp/.virtperf-t.pid", "/w d"]);
        assert_eq!(&w[7..], &argv[..]);
    }

    #[test]
    fn wrapper_runs_argv_verbatim() {
        let dir = tempfile::tempdir().unwrap();
        let job =
            Job { tag: format!("unit-{}", std::process::id()), workdir: dir.path().display().to_string() };
        let argv: Vec<String> =
            vec!["printf".into(), "%s|".into(), "; touch pwned".into(), "$(id)".into(), "a b".into()];
        let w = wrapped_argv(&argv, &job);
        let out = run_ok(Command::new(&w[0]).args(&w[1..]), Duration::from_secs(10)).unwrap();
        assert_eq!(out, "; touch pwned|$(id)|a b|");
        assert!(!dir.path().join("pwned").exists());
        let _ = std::fs::remove_file(job.pidfile());
    }

    #[test]
    fn facts_script_reports_the_services_versions_on_this_host() {
        let nginx = VersionProbe { name: "nginx", binary: "/usr/sbin/nginx".into(), flag: "-v" };
        let missing = VersionProbe { name: "nope", binary: "/nonexistent/nope".into(), flag: "-v" };
        let argv = facts_argv(&[nginx, missing]);
        let out = run_ok(Command::new(&argv[0]).args(&argv[1..]), Duration::from_secs(30)).unwrap();
        let f = parse_facts(&out);
        assert!(!f.kernel.is_empty() && f.cores.is_some(), "{out}");
        if std::path::Path::new("/usr/sbin/nginx").exists() {
            assert!(f.tools["nginx"].starts_with("nginx version: nginx/"), "{out}");
        }
        assert!(!f.tools.contains_key("nope"), "{out}");
    }

    #[test]
    fn facts_parse() {
        let f = parse_facts("kernel=6.1.0\ncores=4\nmemory_kib=2048000\ntool.fio=fio-3.33\ntool.wrk=\n");
        assert_eq!(f.kernel, "6.1.0");
        assert_eq!(f.cores, Some(4));
        assert_eq!(f.memory_mib, Some(2000));
        assert_eq!(f.tools.get("fio").map(String::as_str), Some("fio-3.33"));
        assert!(!f.tools.contains_key("wrk"));
    }
}
