//! SSH: a machine (or a VM someone else started) that already runs sshd. The argv is wrapped
//! ([`super::wrapped_argv`]) and joined into the one remote command string with POSIX shell
//! quoting by `shlex`, so the remote shell splits it back into exactly the plan's argv; a
//! timed-out run is killed remotely through its recorded process group. Also the transport of
//! [`super::qemu`].

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result};

use super::plan::PlatformSpec;
use super::{kill_argv, run_ok, wrapped_argv, Executor, ExecutorKind, Job, StartContext};
use crate::model::manifest::{Facts, PlatformFacts};

/// Runs workloads over ssh.
#[derive(Debug, Clone)]
pub(crate) struct SshExecutor {
    name: String,
    host: String,
    port: u16,
    user: String,
    key: Option<PathBuf>,
    ssh_args: Vec<String>,
    wrk_host: String,
    workdir: String,
    detail: String,
    /// A throw-away VM: do not keep its host key.
    ephemeral: bool,
    /// Control socket of the master connection, once `start` opened it.
    control: Option<String>,
    guest: Facts,
}

impl SshExecutor {
    /// From a plan's `[[platform]]` with kind = "ssh".
    pub(crate) fn from_spec(spec: &PlatformSpec) -> SshExecutor {
        let host = spec.host.clone().unwrap_or_default();
        SshExecutor {
            name: spec.name.clone(),
            wrk_host: spec.wrk_host.clone().unwrap_or_else(|| host.clone()),
            host,
            port: spec.port.unwrap_or(22),
            user: spec.user.clone().unwrap_or_else(|| "root".into()),
            key: spec.key.clone(),
            ssh_args: spec.ssh_args.clone(),
            workdir: spec.workdir.clone().unwrap_or_else(|| "/var/tmp/virtperf".into()),
            detail: spec.detail.clone().unwrap_or_default(),
            ephemeral: false,
            control: None,
            guest: Facts::default(),
        }
    }

    /// The transport to a local VM's forwarded sshd.
    pub(crate) fn for_vm(spec: &PlatformSpec, port: u16) -> SshExecutor {
        let mut s = SshExecutor::from_spec(spec);
        s.host = "127.0.0.1".into();
        s.wrk_host = "127.0.0.1".into();
        s.port = port;
        s.ephemeral = true;
        s
    }

    /// The ssh options and destination, up to (not including) the remote command.
    pub(crate) fn ssh_prefix(&self) -> Vec<String> {
        let mut v: Vec<String> = vec!["ssh".into()];
        // User options first: for ssh the first value of an option wins.
        v.extend(self.ssh_args.iter().cloned());
        let hostkey: &[&str] = if self.ephemeral {
            &["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"]
        } else {
            &["-o", "StrictHostKeyChecking=accept-new"]
        };
        v.extend(hostkey.iter().map(|s| s.to_string()));
        for o in ["BatchMode=yes", "LogLevel=ERROR", "ConnectTimeout=10", "ServerAliveInterval=15"] {
            v.push("-o".into());
            v.push(o.into());
        }
        if let Some(path) = &self.control {
            // Reuse the master connection: a run costs no new key exchange (seconds on TCG).
            v.extend(["-o".into(), "ControlMaster=no".into(), "-o".into(), format!("ControlPath={path}")]);
        }
        v.push("-p".into());
        v.push(self.port.to_string());
        if let Some(k) = &self.key {
            v.push("-i".into());
            v.push(k.display().to_string());
        }
        v.push("-l".into());
        v.push(self.user.clone());
        v.push("--".into());
        v.push(self.host.clone());
        v
    }

    /// The remote command string for `argv`: shell-quoted by `shlex`, never glued.
    ///
    /// Returns an error if an argument holds a NUL byte (no shell can carry it).
    pub(crate) fn remote_command(argv: &[String]) -> Result<String> {
        shlex::try_join(argv.iter().map(String::as_str))
            .map_err(|e| anyhow::anyhow!("cannot pass {argv:?} over ssh: {e}"))
    }

    fn ssh(&self, argv: &[String]) -> Command {
        let prefix = self.ssh_prefix();
        let mut cmd = Command::new(&prefix[0]);
        cmd.args(&prefix[1..]);
        match SshExecutor::remote_command(argv) {
            Ok(remote) => {
                cmd.arg(remote);
            }
            Err(e) => {
                // Unreachable from a TOML plan (TOML strings cannot hold NUL); keep it loud.
                cmd.arg(format!("echo {} >&2; exit 2", shlex::try_quote(&e.to_string()).unwrap_or_default()));
            }
        }
        cmd
    }

    /// The process that succeeds if and only if sshd answers and runs `true`; spawned by a
    /// caller that watches other things while it waits (a booting VM).
    pub(crate) fn probe_command(&self) -> Command {
        self.ssh(&["true".to_string()])
    }

    /// Opens a master connection that later commands share (`ControlMaster`), so each run,
    /// monitor and kill does not pay a new ssh handshake. Best effort: without it, every
    /// command connects by itself.
    fn open_master(&mut self) {
        let path = format!("/tmp/.virtperf-ssh-{}-{}", std::process::id(), self.name);
        let _ = std::fs::remove_file(&path);
        let mut prefix = self.ssh_prefix();
        let dest = prefix.split_off(prefix.len() - 2);
        let mut cmd = Command::new(&prefix[0]);
        cmd.args(&prefix[1..])
            .args(["-o", "ControlMaster=yes", "-o", "ControlPersist=yes", "-o"])
            .arg(format!("ControlPath={path}"))
            .args(["-f", "-N"])
            .args(&dest)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        if cmd.status().is_ok_and(|s| s.success()) && Path::new(&path).exists() {
            self.control = Some(path);
        }
    }

    fn close_master(&mut self) {
        if let Some(path) = self.control.take() {
            let _ = Command::new("ssh")
                .args([
                    "-o",
                    &format!("ControlPath={path}"),
                    "-O",
                    "exit",
                    "-l",
                    &self.user,
                    "--",
                    &self.host,
                ])
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status();
            let _ = std::fs::remove_file(&path);
        }
    }
}

impl Executor for SshExecutor {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> ExecutorKind {
        ExecutorKind::Ssh
    }

    fn start(&mut self, _ctx: &StartContext) -> Result<()> {
        self.open_master();
        let mkdir: Vec<String> = vec!["mkdir".into(), "-p".into(), self.workdir.clone()];
        run_ok(&mut self.ssh(&mkdir), Duration::from_secs(60)).with_context(|| {
            format!(
                "platform '{}': could not reach {}@{}:{} over ssh",
                self.name, self.user, self.host, self.port
            )
        })?;
        Ok(())
    }

    fn command(&self, argv: &[String], job: &Job) -> Command {
        self.ssh(&wrapped_argv(argv, job))
    }

    fn kill_command(&self, job: &Job, signal: &str) -> Option<Command> {
        Some(self.ssh(&kill_argv(job, signal)))
    }

    fn put_file_command(&self, path: &str) -> Command {
        self.ssh(&["sh".into(), "-c".into(), "cat > \"$0\"".into(), path.to_string()])
    }

    fn endpoint(&self, port: u16) -> Result<(String, u16)> {
        Ok((self.wrk_host.clone(), port))
    }

    fn workdir(&self) -> String {
        self.workdir.clone()
    }

    fn facts(&self) -> PlatformFacts {
        PlatformFacts {
            kind: "ssh".into(),
            detail: self.detail.clone(),
            settings: [
                ("host".to_string(), self.host.clone()),
                ("port".to_string(), self.port.to_string()),
                ("user".to_string(), self.user.clone()),
                ("workdir".to_string(), self.workdir.clone()),
            ]
            .into(),
            guest: self.guest.clone(),
            ..PlatformFacts::default()
        }
    }

    fn set_guest_facts(&mut self, facts: Facts) {
        self.guest = facts;
    }

    fn stop(&mut self) -> Result<()> {
        self.close_master();
        Ok(())
    }
}

impl Drop for SshExecutor {
    fn drop(&mut self) {
        self.close_master();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::argv_of;

    fn exec() -> SshExecutor {
        let spec: PlatformSpec = toml::from_str(
            "name = \"s\"\nkind = \"ssh\"\nhost = \"box\"\nport = 2222\nuser = \"bench\"\nkey = \"/k\"\nssh_args = [\"-o\", \"Compression=no\"]",
        )
        .unwrap();
        SshExecutor::from_spec(&spec)
    }

    #[test]
    fn ssh_argv_options_then_one_quoted_command() {
        let e = exec();
        let job = Job { tag: "t".into(), workdir: "/var/tmp/virtperf".into() };
        let argv: Vec<String> =
            vec!["echo".into(), "; touch /tmp/pwned".into(), "$(reboot)".into(), "it's".into()];
        let got = argv_of(&e.command(&argv, &job));
        assert_eq!(&got[..3], ["ssh", "-o", "Compression=no"]);
        let dest = got.iter().position(|a| a == "--").unwrap();
        assert_eq!(&got[dest - 2..dest + 2], ["-l", "bench", "--", "box"]);
        assert!(got.windows(2).any(|w| w == ["-p", "2222"]));
        assert!(got.windows(2).any(|w| w == ["-i", "/k"]));
        assert!(got.contains(&"BatchMode=yes".to_string()));
        // Exactly one remote command, which a POSIX shell splits back into the wrapped argv.
        assert_eq!(got.len(), dest + 3);
        let back = shlex::split(&got[dest + 2]).unwrap();
        assert_eq!(back, crate::exec::wrapped_argv(&argv, &job));
    }

    #[test]
    fn remote_shell_sees_literal_values() {
        let argv: Vec<String> = vec![
            "printf".into(),
            "%s|".into(),
            "; touch pwned".into(),
            "$(touch pwned2)".into(),
            "`id`".into(),
        ];
        let remote = SshExecutor::remote_command(&argv).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("sh").arg("-c").arg(&remote).current_dir(dir.path()).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "; touch pwned|$(touch pwned2)|`id`|");
        assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "nothing may be created");
    }
}
