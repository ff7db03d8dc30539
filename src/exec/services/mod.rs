//! Services: servers that a workload kind needs running on the platform while its runs go,
//! such as nginx for wrk. The runner starts one when the first run that needs it comes, waits
//! until it is ready, asks it to provide what each run needs, and stops it at the end of the
//! campaign (or on Ctrl-C); it knows nothing of any particular server.
//!
//! A new server (MariaDB, Redis, an iperf3 server) is one new file here with its [`Service`]
//! implementation and its [`ServiceKind`], plus one line in [`super::kinds::WORKLOAD_KINDS`]
//! naming it for the workload kind whose tool is its client. Every step runs on the platform
//! through its executor ([`Platform`]), so the same code serves this host, a container, an ssh
//! machine and a VM; arguments travel as argv, and scripts are constants.

pub(crate) mod iperf3;
pub(crate) mod mariadb;
pub(crate) mod nginx;
pub(crate) mod redis;

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use super::plan::{PlatformSpec, WorkloadSpec};
use super::{argv_of, run_captured, run_ok, shown, Executor, Job};

/// A server running on one platform, possibly on several ports. One value per platform and
/// service kind; [`ServiceKind::make`] builds it.
pub(crate) trait Service: Send {
    /// The binary on the platform and the flag that prints its version (the platform's facts
    /// record it under the service's name).
    fn version_probe(&self) -> VersionProbe;

    /// Starts it on the platform, listening on `port` there. Whatever an interrupted campaign
    /// left listening there is stopped first.
    fn start(&mut self, on: &Platform, port: u16) -> Result<()>;

    /// The argv, run on the platform, that exits 0 if and only if it serves on `port`. The
    /// runner runs it after `start` until it succeeds or [`ServiceKind::ready_within`] passes.
    fn ready_argv(&self, on: &Platform, port: u16) -> Vec<String>;

    /// Makes sure it serves what a run of `w` asks for (nginx: a file of `file_bytes` bytes).
    /// Called before every run; cheap when that is done already.
    fn provide(&mut self, on: &Platform, port: u16, w: &WorkloadSpec) -> Result<()>;

    /// Stops it on `port`.
    fn stop(&mut self, on: &Platform, port: u16) -> Result<()>;
}

/// What a service is, before any platform: the registry entry a workload kind points to.
pub(crate) struct ServiceKind {
    /// Its name: the key of its version among the tool facts and the word in messages
    /// (`nginx for wrk: ...`).
    pub(crate) name: &'static str,
    /// The name of its process, which the platform's pidstat watches during runs of a kind
    /// that needs it (`mariadbd`).
    pub(crate) process: &'static str,
    /// Port it listens on, on the platform, when the workload gives no `port`.
    pub(crate) default_port: u16,
    /// How long it may take from `start` to ready.
    pub(crate) ready_within: Duration,
    /// Builds it for the platform `spec` (`None`: this host, for the host's facts).
    pub(crate) make: fn(Option<&PlatformSpec>) -> Box<dyn Service>,
}

/// How to ask a service's binary for its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VersionProbe {
    /// Key among the tool facts (the service's name).
    pub(crate) name: &'static str,
    /// Path of the binary on the platform; nothing is recorded when it is not executable.
    pub(crate) binary: String,
    /// The flag that makes it print its version (first line kept).
    pub(crate) flag: &'static str,
}

/// The platform a service runs on, seen through its executor: runs argv there and writes
/// files there.
pub(crate) struct Platform<'a> {
    exec: &'a dyn Executor,
}

impl<'a> Platform<'a> {
    /// The platform `exec` runs on.
    pub(crate) fn new(exec: &'a dyn Executor) -> Platform<'a> {
        Platform { exec }
    }

    /// Returns true if and only if the platform shares this host's network (this host, a
    /// container with `network = "host"`): a service there listens on 127.0.0.1 only.
    pub(crate) fn host_network(&self) -> bool {
        self.exec.host_network()
    }

    /// The address a service listens on there: 127.0.0.1 on this host's network, else every
    /// address (the host reaches a container through its published port, a VM through its
    /// forwarded one).
    pub(crate) fn bind_address(&self) -> &'static str {
        if self.host_network() {
            "127.0.0.1"
        } else {
            "0.0.0.0"
        }
    }

    /// Its work folder.
    pub(crate) fn workdir(&self) -> String {
        self.exec.workdir()
    }

    fn command(&self, argv: &[String], tag: &str) -> Command {
        let job = Job { tag: format!("{}-{tag}", std::process::id()), workdir: self.exec.workdir() };
        self.exec.command(argv, &job)
    }

    /// Runs `argv` on the platform to its end (2 minutes at most) and returns its stdout; a
    /// non-zero exit is an error quoting its stderr. `tag` names the job (its remote pid file).
    pub(crate) fn run(&self, argv: &[String], tag: &str) -> Result<String> {
        run_ok(&mut self.command(argv, tag), Duration::from_secs(120))
    }

    /// Writes `data` to the file `path` on the platform.
    pub(crate) fn put_file(&self, path: &str, data: &[u8]) -> Result<()> {
        put_stdin(&mut self.exec.put_file_command(path), data)
    }
}

/// Runs `cmd` with `data` on its stdin; errors quote its stderr.
fn put_stdin(cmd: &mut Command, data: &[u8]) -> Result<()> {
    use std::io::Write;
    let argv = argv_of(cmd);
    cmd.stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::piped());
    let mut child = cmd.spawn().with_context(|| format!("could not start {}", shown(&argv)))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(data)?;
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!("{} failed: {}", shown(&argv), String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

/// Runs the ready check `argv` on the platform until it exits 0; an error when `within` passes
/// first (quoting the check's last stderr) or the user asks to stop.
pub(crate) fn wait_ready(on: &Platform, argv: &[String], within: Duration, stop: &AtomicBool) -> Result<()> {
    let t0 = Instant::now();
    loop {
        let left = within.saturating_sub(t0.elapsed()).max(Duration::from_secs(1));
        let out = run_captured(&mut on.command(argv, "ready"), left)?;
        if out.status.success() {
            return Ok(());
        }
        if stop.load(Ordering::SeqCst) {
            bail!("interrupted while waiting for it to be ready");
        }
        if t0.elapsed() >= within {
            let err = String::from_utf8_lossy(&out.stderr);
            bail!(
                "not ready within {:.0} s: {} exited with {}{}",
                within.as_secs_f64(),
                shown(argv),
                out.status,
                match err.trim() {
                    "" => String::new(),
                    e => format!(": {e}"),
                }
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A script (constant) that exits 0 if and only if the process whose pid is in the file `$0`
/// lives and something listens on TCP port `$1` (read from /proc/net/tcp and tcp6, so no tool
/// is needed): a server that daemonizes is ready.
pub(crate) const LISTENING_SCRIPT: &str = "p=$(cat \"$0\" 2>/dev/null) && [ -n \"$p\" ] && kill -0 \"$p\" 2>/dev/null \
    && h=$(printf '%04X' \"$1\") && grep -Eqs \"^ *[0-9]+: [0-9A-F]+:$h [0-9A-F]+:[0-9A-F]+ 0A \" /proc/net/tcp /proc/net/tcp6";

/// The argv of [`LISTENING_SCRIPT`] for the pid file `pidfile` and `port`.
pub(crate) fn listening_argv(pidfile: &str, port: u16) -> Vec<String> {
    sh_argv(LISTENING_SCRIPT, [pidfile.to_string(), port.to_string()])
}

/// The argv `sh -c SCRIPT ARGS...`: the script reads its arguments as `$0`, `$1`, ... (never
/// pasted into the script, so a path with spaces or quotes stays one argument).
pub(crate) fn sh_argv(script: &str, args: impl IntoIterator<Item = String>) -> Vec<String> {
    ["sh", "-c", script].into_iter().map(String::from).chain(args).collect()
}

/// Starts service `name` on `port` with its start `script` run by `sh` on the platform: `$0`
/// its folder ([`service_dir`]), `$1` the port, `$2` the address to bind, `$3` its `binary`,
/// then `extra`. The error says that `what` (`Redis`, `the iperf3 server`) could not start.
pub(crate) fn run_start_script(
    on: &Platform,
    (name, what): (&str, &str),
    script: &str,
    port: u16,
    binary: &str,
    extra: impl IntoIterator<Item = String>,
) -> Result<()> {
    let args = [service_dir(on, name, port), port.to_string(), on.bind_address().into(), binary.into()];
    let argv = sh_argv(script, args.into_iter().chain(extra));
    on.run(&argv, &format!("{name}-start"))
        .with_context(|| format!("could not start {what} on the platform"))?;
    Ok(())
}

/// For the services' tests: a native platform whose work folder is `dir`, and its executor.
#[cfg(test)]
pub(crate) fn native_in(dir: &std::path::Path) -> (PlatformSpec, super::native::NativeExecutor) {
    let spec: PlatformSpec =
        toml::from_str(&format!("name = \"n\"\nkind = \"native\"\nworkdir = \"{}\"", dir.display()))
            .expect("a native platform");
    let exec = super::native::NativeExecutor::new(&spec, dir);
    (spec, exec)
}

/// The folder of service `name` on `port` on the platform: `WORKDIR/.virtperf-NAME-PORT`.
pub(crate) fn service_dir(on: &Platform, name: &str, port: u16) -> String {
    format!("{}/.virtperf-{name}-{port}", on.workdir().trim_end_matches('/'))
}

/// The positional parameters of [`super::FACTS_SCRIPT`] that make it print the versions of
/// `probes`: a triple NAME BINARY FLAG each.
pub(crate) fn version_args(probes: &[VersionProbe]) -> Vec<String> {
    probes.iter().flat_map(|p| [p.name.to_string(), p.binary.clone(), p.flag.to_string()]).collect()
}
