//! This host: argv is executed directly (no shell), in its own process group, in the
//! platform's work folder. Killing a run kills that group; no remote side to signal.

use std::path::Path;
use std::process::Command;

use anyhow::Result;

use super::plan::PlatformSpec;
use super::{Executor, ExecutorKind, Job, StartContext};
use crate::model::manifest::{Facts, PlatformFacts};

/// Runs workloads on this host.
#[derive(Debug, Clone)]
pub(crate) struct NativeExecutor {
    name: String,
    workdir: String,
    detail: String,
    guest: Facts,
}

impl NativeExecutor {
    /// From a plan's `[[platform]]` with kind = "native"; `out` is the campaign folder.
    pub(crate) fn new(spec: &PlatformSpec, out: &Path) -> NativeExecutor {
        let workdir = spec
            .workdir
            .clone()
            .unwrap_or_else(|| out.join(".virtperf/work").join(&spec.name).display().to_string());
        NativeExecutor {
            name: spec.name.clone(),
            workdir,
            detail: spec.detail.clone().unwrap_or_default(),
            guest: Facts::default(),
        }
    }
}

impl Executor for NativeExecutor {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> ExecutorKind {
        ExecutorKind::Native
    }

    fn start(&mut self, _ctx: &StartContext) -> Result<()> {
        std::fs::create_dir_all(&self.workdir).map_err(|e| {
            anyhow::anyhow!("platform '{}': could not create work folder '{}': {e}", self.name, self.workdir)
        })
    }

    fn command(&self, argv: &[String], job: &Job) -> Command {
        let mut cmd = Command::new(&argv[0]);
        cmd.args(&argv[1..]).current_dir(&job.workdir);
        cmd
    }

    fn kill_command(&self, _job: &Job, _signal: &str) -> Option<Command> {
        None
    }

    fn put_file_command(&self, path: &str) -> Command {
        // `tee` keeps this a plain argv; its stdout is discarded by the caller.
        let mut cmd = Command::new("tee");
        cmd.arg(path);
        cmd
    }

    fn endpoint(&self, port: u16) -> Result<(String, u16)> {
        Ok(("127.0.0.1".into(), port))
    }

    fn host_network(&self) -> bool {
        true
    }

    fn workdir(&self) -> String {
        self.workdir.clone()
    }

    fn facts(&self) -> PlatformFacts {
        PlatformFacts {
            kind: "native".into(),
            detail: self.detail.clone(),
            settings: [("workdir".to_string(), self.workdir.clone())].into(),
            guest: self.guest.clone(),
            ..PlatformFacts::default()
        }
    }

    fn set_guest_facts(&mut self, facts: Facts) {
        self.guest = facts;
    }

    fn stop(&mut self) -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::argv_of;

    #[test]
    fn native_argv_is_the_plan_argv() {
        let spec: PlatformSpec = toml::from_str("name = \"n\"\nkind = \"native\"\nworkdir = \"/w\"").unwrap();
        let e = NativeExecutor::new(&spec, Path::new("/out"));
        let argv: Vec<String> = vec!["sysbench".into(), "cpu".into(), "$(x)".into()];
        let cmd = e.command(&argv, &Job { tag: "t".into(), workdir: e.workdir() });
        assert_eq!(argv_of(&cmd), argv);
        assert_eq!(cmd.get_current_dir(), Some(Path::new("/w")));
        assert!(e.kill_command(&Job { tag: "t".into(), workdir: "/".into() }, "KILL").is_none());
    }
}
