//! Docker: either a container virtperf starts from an image for the campaign
//! (`docker run -d --rm ... IMAGE sleep infinity`, resource flags such as `--cpus` and
//! `--memory` passed on, wrk ports published on 127.0.0.1) and removes at the end or on Ctrl-C,
//! or an existing container it only `docker exec`s into and leaves running. Every run is a
//! `docker exec` of the argv under [`super::wrapped_argv`], so a timed-out run is killed inside
//! the container, not just its `docker exec` client.

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use super::plan::PlatformSpec;
use super::{kill_argv, run_ok, wrapped_argv, Executor, ExecutorKind, Job, StartContext};
use crate::model::manifest::{Facts, PlatformFacts};

/// Runs workloads in a Docker container.
#[derive(Debug, Clone)]
pub(crate) struct DockerExecutor {
    name: String,
    docker: String,
    image: Option<String>,
    container: String,
    run_args: Vec<String>,
    workdir: String,
    detail: String,
    /// The container's network mode (`--network`/`--net` from the plan), `None` for docker's
    /// default (bridge).
    network: Option<String>,
    started: bool,
    guest: Facts,
}

impl DockerExecutor {
    /// From a plan's `[[platform]]` with kind = "docker".
    pub(crate) fn new(spec: &PlatformSpec, campaign: &str) -> DockerExecutor {
        let container = match &spec.container {
            Some(c) => c.clone(),
            None => {
                format!("virtperf-{}-{}-{}", sanitize(campaign), sanitize(&spec.name), std::process::id())
            }
        };
        // The plan's cpus, memory and network become docker run flags, before its run_args.
        let mut run_args: Vec<String> =
            [("cpus", &spec.cpus), ("memory", &spec.memory), ("network", &spec.network)]
                .into_iter()
                .filter_map(|(k, v)| v.as_ref().map(|v| format!("--{k}={v}")))
                .collect();
        run_args.extend(spec.run_args.iter().cloned());
        // The last `--network`/`--net` wins, as with docker.
        let mut network = None;
        let mut args = run_args.iter();
        while let Some(a) = args.next() {
            if a == "--network" || a == "--net" {
                network = args.next().cloned();
            } else if let Some(v) = a.strip_prefix("--network=").or_else(|| a.strip_prefix("--net=")) {
                network = Some(v.to_string());
            }
        }
        let detail = spec.detail.clone().unwrap_or_else(|| {
            run_args.iter().map(|a| a.trim_start_matches('-').replace('=', "")).collect::<Vec<_>>().join(",")
        });
        DockerExecutor {
            name: spec.name.clone(),
            docker: spec.docker.clone().unwrap_or_else(|| "docker".into()),
            image: spec.image.clone(),
            container,
            run_args,
            workdir: spec.workdir.clone().unwrap_or_else(|| "/var/tmp/virtperf".into()),
            detail,
            network,
            started: false,
            guest: Facts::default(),
        }
    }

    /// The `docker run` argv that starts the campaign's container (image mode).
    pub(crate) fn run_argv(&self, ports: &[u16]) -> Option<Vec<String>> {
        let image = self.image.as_ref()?;
        let mut v: Vec<String> = vec![
            self.docker.clone(),
            "run".into(),
            "-d".into(),
            "--rm".into(),
            "--name".into(),
            self.container.clone(),
            "--label".into(),
            "virtperf=1".into(),
        ];
        // On the host's network a service listens on this host's ports: nothing to publish
        // (docker would ignore `-p` there).
        for p in ports.iter().filter(|_| !self.host_network()) {
            v.push("-p".into());
            v.push(format!("127.0.0.1::{p}"));
        }
        v.extend(self.run_args.iter().cloned());
        v.push(image.clone());
        v.extend(["sleep".to_string(), "infinity".to_string()]);
        Some(v)
    }

    fn exec(&self, interactive: bool) -> Command {
        let mut cmd = Command::new(&self.docker);
        cmd.arg("exec");
        if interactive {
            cmd.arg("-i");
        }
        cmd.arg(&self.container);
        cmd
    }
}

fn sanitize(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

impl Executor for DockerExecutor {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> ExecutorKind {
        ExecutorKind::Docker
    }

    fn start(&mut self, ctx: &StartContext) -> Result<()> {
        let t = Duration::from_secs(120);
        if let Some(argv) = self.run_argv(&ctx.ports) {
            run_ok(Command::new(&argv[0]).args(&argv[1..]), t).with_context(|| {
                format!(
                    "platform '{}': could not start a container from image '{}'",
                    self.name,
                    argv[argv.len() - 3]
                )
            })?;
            self.started = true;
        } else {
            let state = run_ok(
                Command::new(&self.docker).args(["inspect", "-f", "{{.State.Running}}", &self.container]),
                t,
            )
            .with_context(|| format!("platform '{}': no container '{}'", self.name, self.container))?;
            if state.trim() != "true" {
                bail!("platform '{}': container '{}' is not running", self.name, self.container);
            }
        }
        let mkdir: Vec<String> = vec!["mkdir".into(), "-p".into(), self.workdir.clone()];
        let mut cmd = self.exec(false);
        cmd.args(&mkdir);
        run_ok(&mut cmd, t)
            .with_context(|| format!("platform '{}': could not create the work folder", self.name))?;
        Ok(())
    }

    fn command(&self, argv: &[String], job: &Job) -> Command {
        let mut cmd = self.exec(false);
        cmd.args(wrapped_argv(argv, job));
        cmd
    }

    fn kill_command(&self, job: &Job, signal: &str) -> Option<Command> {
        let mut cmd = self.exec(false);
        cmd.args(kill_argv(job, signal));
        Some(cmd)
    }

    fn put_file_command(&self, path: &str) -> Command {
        let mut cmd = self.exec(true);
        cmd.args(["sh", "-c", "cat > \"$0\"", path]);
        cmd
    }

    fn endpoint(&self, port: u16) -> Result<(String, u16)> {
        if self.host_network() {
            return Ok(("127.0.0.1".into(), port));
        }
        let t = Duration::from_secs(30);
        let spec = format!("{port}/tcp");
        if let Ok(out) = run_ok(Command::new(&self.docker).args(["port", &self.container, &spec]), t) {
            for line in out.lines() {
                if let Some((host, p)) = line.trim().rsplit_once(':') {
                    if let Ok(p) = p.parse::<u16>() {
                        let host = host.trim_matches(['[', ']']);
                        let host = if host == "0.0.0.0" || host == "::" { "127.0.0.1" } else { host };
                        return Ok((host.to_string(), p));
                    }
                }
            }
        }
        // Not published: the container's own address, reachable from the host on a bridge.
        let ip = run_ok(
            Command::new(&self.docker).args([
                "inspect",
                "-f",
                "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}",
                &self.container,
            ]),
            t,
        )?;
        match ip.split_whitespace().next() {
            Some(ip) => Ok((ip.to_string(), port)),
            None => bail!(
                "platform '{}': port {port} of container '{}' is neither published nor reachable by address",
                self.name,
                self.container
            ),
        }
    }

    fn host_network(&self) -> bool {
        self.network.as_deref() == Some("host")
    }

    fn host_pids(&self) -> Vec<u32> {
        let out = run_ok(
            Command::new(&self.docker).args(["top", &self.container, "-eo", "pid"]),
            Duration::from_secs(10),
        );
        out.map(|o| o.lines().filter_map(|l| l.trim().parse().ok()).collect()).unwrap_or_default()
    }

    fn workdir(&self) -> String {
        self.workdir.clone()
    }

    fn facts(&self) -> PlatformFacts {
        let mut settings = BTreeMap::new();
        if let Some(i) = &self.image {
            settings.insert("image".into(), i.clone());
        }
        settings.insert("run_args".into(), super::shown(&self.run_args));
        settings.insert("workdir".into(), self.workdir.clone());
        // Which network path a client on this host takes: docker's NAT (bridge, the default)
        // or none (host).
        // (for a container virtperf starts; an existing one's is its own).
        if self.image.is_some() {
            settings.insert("network".into(), self.network.clone().unwrap_or_else(|| "bridge".into()));
        }
        PlatformFacts {
            kind: "docker".into(),
            detail: self.detail.clone(),
            settings,
            guest: self.guest.clone(),
            container: Some(self.container.clone()),
            ..PlatformFacts::default()
        }
    }

    fn set_guest_facts(&mut self, facts: Facts) {
        self.guest = facts;
    }

    fn stop(&mut self) -> Result<()> {
        if self.started {
            self.started = false;
            run_ok(Command::new(&self.docker).args(["rm", "-f", &self.container]), Duration::from_secs(60))
                .with_context(|| {
                format!("platform '{}': could not remove container '{}'", self.name, self.container)
            })?;
        }
        Ok(())
    }

    fn describe_start(&self, ports: &[u16]) -> Vec<Vec<String>> {
        self.run_argv(ports).into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::{argv_of, WRAP_SCRIPT};

    fn exec() -> DockerExecutor {
        let spec: PlatformSpec = toml::from_str(
            "name = \"d\"\nkind = \"docker\"\nimage = \"img\"\nrun_args = [\"--cpus=2\", \"--memory=1g\"]",
        )
        .unwrap();
        DockerExecutor::new(&spec, "camp one")
    }

    #[test]
    fn run_argv_passes_resource_flags_and_publishes_ports() {
        let e = exec();
        let c = format!("virtperf-camp_one-d-{}", std::process::id());
        assert_eq!(
            e.run_argv(&[18080]).unwrap(),
            [
                "docker",
                "run",
                "-d",
                "--rm",
                "--name",
                &c,
                "--label",
                "virtperf=1",
                "-p",
                "127.0.0.1::18080",
                "--cpus=2",
                "--memory=1g",
                "img",
                "sleep",
                "infinity"
            ]
        );
        assert_eq!(e.facts().detail, "cpus2,memory1g");
    }

    #[test]
    fn exec_argv_is_wrapped_plan_argv() {
        let e = exec();
        let job = Job { tag: "t".into(), workdir: "/var/tmp/virtperf".into() };
        let argv: Vec<String> = vec!["sysbench".into(), "cpu".into(), "; touch /tmp/pwned".into()];
        let got = argv_of(&e.command(&argv, &job));
        let c = e.container.clone();
        let want: Vec<&str> = vec![
            "docker",
            "exec",
            &c,
            "setsid",
            "-w",
            "sh",
            "-c",
            WRAP_SCRIPT,
            "/tmp/.virtperf-t.pid",
            "/var/tmp/virtperf",
            "sysbench",
            "cpu",
            "; touch /tmp/pwned",
        ];
        assert_eq!(got, want);
        let kill = argv_of(&e.kill_command(&job, "KILL").unwrap());
        assert_eq!(&kill[..3], ["docker", "exec", c.as_str()]);
        assert_eq!(kill.last().map(String::as_str), Some("/tmp/.virtperf-t.pid"));
    }
}
