//! The workload kinds a plan may name (`kind = "wrk"`), one line each in [`WORKLOAD_KINDS`]:
//! how a kind's argv is made from the plan's `args`, and which service, if any, its runs need
//! on the platform. The plan check, the runner and `--dry-run` read these lines; none of them
//! names a kind.
//!
//! A kind with a service is a client: the runner makes sure the service runs on the platform
//! ([`super::services`]), and the tool runs on this host (or, with `client = "platform"`, in
//! the platform) with its argv completed by [`Client::target`] (wrk gets the URL of the file
//! nginx serves, sysbench oltp the `--mysql-*` options), while the platform's pidstat watches
//! the service.

use super::plan::WorkloadSpec;
use super::services::{iperf3, mariadb, nginx, redis, ServiceKind};

/// One workload kind.
pub(crate) struct WorkloadKind {
    /// The plan's word for it.
    pub(crate) name: &'static str,
    /// How its argv is made.
    pub(crate) argv: ArgvFrom,
    /// The service its runs need on the platform; `None` when the tool runs on the platform by
    /// itself.
    pub(crate) client: Option<Client>,
}

/// How a kind's argv is made from the plan's `args`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArgvFrom {
    /// The kind's name is the program; `args` follow it (`sysbench cpu run`).
    Tool,
    /// This program, then `args` (`sysbench-oltp` runs `sysbench oltp_read_write ...`).
    Program(&'static str),
    /// `args` are the whole argv (`["./forksum", "1000"]`); they must not be empty.
    Args,
}

/// A kind whose tool is the client of a service on the platform.
pub(crate) struct Client {
    /// The service it needs.
    pub(crate) service: &'static ServiceKind,
    /// The arguments appended to the tool's argv to reach the service at `host:port` (as
    /// seen from where the client runs) for workload `w`.
    pub(crate) target: fn(w: &WorkloadSpec, host: &str, port: u16) -> Vec<String>,
    /// Arguments the plan's `args` may not hold, alone or as `ARG=...`: virtperf gives them
    /// (the target, the sysbench command).
    pub(crate) reserved: &'static [&'static str],
    /// Plan keys of this kind besides `port` and `client` (wrk: `file_bytes`).
    pub(crate) keys: &'static [&'static str],
    /// Commands run where the client runs, once before the workload's first run on a platform
    /// and once after its last, made from the completed argv: (before, after). sysbench oltp:
    /// prepare and cleanup of its tables.
    pub(crate) once: Option<OnceCommands>,
}

/// Makes, from a client's completed argv, the commands run once before a workload's first run
/// on a platform and once after its last.
pub(crate) type OnceCommands = fn(argv: &[String]) -> (Vec<String>, Vec<String>);

/// Every workload kind, in the order messages list them.
pub(crate) static WORKLOAD_KINDS: &[WorkloadKind] = &[
    WorkloadKind { name: "sysbench", argv: ArgvFrom::Tool, client: None },
    WorkloadKind { name: "fio", argv: ArgvFrom::Tool, client: None },
    WorkloadKind {
        name: "wrk",
        argv: ArgvFrom::Tool,
        client: Some(Client {
            service: &nginx::NGINX,
            target: wrk_target,
            reserved: &[],
            keys: &["file_bytes"],
            once: None,
        }),
    },
    WorkloadKind {
        name: "sysbench-oltp",
        argv: ArgvFrom::Program("sysbench"),
        client: Some(Client {
            service: &mariadb::MARIADB,
            target: mariadb::sysbench_target,
            reserved: mariadb::SYSBENCH_RESERVED,
            keys: &[],
            once: Some(mariadb::sysbench_prepare_cleanup),
        }),
    },
    WorkloadKind {
        name: "redis-benchmark",
        argv: ArgvFrom::Tool,
        client: Some(Client {
            service: &redis::REDIS,
            target: |_, host, port| vec!["-h".into(), host.into(), "-p".into(), port.to_string()],
            reserved: &["-h", "-p", "-s", "-u"],
            keys: &[],
            once: None,
        }),
    },
    WorkloadKind {
        name: "iperf3",
        argv: ArgvFrom::Tool,
        client: Some(Client {
            service: &iperf3::IPERF3,
            target: |_, host, port| vec!["-c".into(), host.into(), "-p".into(), port.to_string()],
            reserved: &["-c", "--client", "-s", "--server", "-p", "--port", "-D", "--daemon"],
            keys: &[],
            once: None,
        }),
    },
    WorkloadKind { name: "command", argv: ArgvFrom::Args, client: None },
];

/// wrk's last argument: the URL of the file of `file_bytes` bytes that nginx serves.
fn wrk_target(w: &WorkloadSpec, host: &str, port: u16) -> Vec<String> {
    vec![nginx::url(host, port, w.served_bytes())]
}

/// The kind called `name`.
pub(crate) fn workload_kind(name: &str) -> Option<&'static WorkloadKind> {
    WORKLOAD_KINDS.iter().find(|k| k.name == name)
}

/// Every service some kind needs, each once, in the order of [`WORKLOAD_KINDS`].
pub(crate) fn services() -> Vec<&'static ServiceKind> {
    let mut v: Vec<&'static ServiceKind> = Vec::new();
    for c in WORKLOAD_KINDS.iter().filter_map(|k| k.client.as_ref()) {
        if !v.iter().any(|s| s.name == c.service.name) {
            v.push(c.service);
        }
    }
    v
}
