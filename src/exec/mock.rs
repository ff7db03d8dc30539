//! A platform that runs nothing of the plan: every argv becomes `printf` of a canned line, and
//! every argv asked for is recorded. For tests of the runner (order, setup/cleanup, resume,
//! manifest) without tools, containers or VMs; never chosen by a plan.

use std::process::Command;
use std::sync::{Arc, Mutex};

use anyhow::Result;

use super::{Executor, ExecutorKind, Job, StartContext};
use crate::model::manifest::{Facts, PlatformFacts};

/// Records argv and prints `mock: ARGV` for each.
#[derive(Debug, Clone, Default)]
pub(crate) struct MockExecutor {
    name: String,
    /// Every argv passed to [`Executor::command`], in order.
    pub(crate) calls: Arc<Mutex<Vec<Vec<String>>>>,
    guest: Facts,
}

impl MockExecutor {
    /// A mock platform called `name`.
    pub(crate) fn new(name: &str) -> MockExecutor {
        MockExecutor { name: name.into(), ..MockExecutor::default() }
    }
}

impl Executor for MockExecutor {
    fn name(&self) -> &str {
        &self.name
    }
    fn kind(&self) -> ExecutorKind {
        ExecutorKind::Mock
    }
    fn start(&mut self, _ctx: &StartContext) -> Result<()> {
        Ok(())
    }
    fn command(&self, argv: &[String], _job: &Job) -> Command {
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).push(argv.to_vec());
        let mut cmd = Command::new("printf");
        cmd.arg("mock: %s\\n").arg(super::shown(argv));
        cmd
    }
    fn kill_command(&self, _job: &Job, _signal: &str) -> Option<Command> {
        None
    }
    fn endpoint(&self, port: u16) -> Result<(String, u16)> {
        Ok(("127.0.0.1".into(), port))
    }
    fn workdir(&self) -> String {
        "/".into()
    }
    fn facts(&self) -> PlatformFacts {
        PlatformFacts { kind: "mock".into(), guest: self.guest.clone(), ..PlatformFacts::default() }
    }
    fn set_guest_facts(&mut self, facts: Facts) {
        self.guest = facts;
    }
    fn stop(&mut self) -> Result<()> {
        Ok(())
    }
}
