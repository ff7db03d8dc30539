//! The workload kinds a plan may name (`kind = "wrk"`), one line each in [`WORKLOAD_KINDS`]:
//! how a kind's argv is made from the plan's `args`, and which service, if any, its runs need
//! on the platform. The plan check, the runner and `--dry-run` read these lines; none of them
//! names a kind.
//!
//! A kind with a service is a client: the runner makes sure the service runs on the platform
//! ([`super::services`]), and the tool runs on this host with its argv completed by
//! [`Client::target`] (wrk gets the URL of the file nginx serves), while the platform's pidstat
//! watches the service.

use super::plan::WorkloadSpec;
use super::services::{nginx, ServiceKind};

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
    /// `args` are the whole argv (`["./forksum", "1000"]`); they must not be empty.
    Args,
}

/// A kind whose tool is the client of a service on the platform.
pub(crate) struct Client {
    /// The service it needs.
    pub(crate) service: &'static ServiceKind,
    /// The arguments appended to the tool's argv to reach the service at `host:port` (as
    /// seen from this host) for workload `w`.
    pub(crate) target: fn(w: &WorkloadSpec, host: &str, port: u16) -> Vec<String>,
}

/// Every workload kind, in the order messages list them.
pub(crate) static WORKLOAD_KINDS: &[WorkloadKind] = &[
    WorkloadKind { name: "sysbench", argv: ArgvFrom::Tool, client: None },
    WorkloadKind { name: "fio", argv: ArgvFrom::Tool, client: None },
    WorkloadKind {
        name: "wrk",
        argv: ArgvFrom::Tool,
        client: Some(Client { service: &nginx::NGINX, target: wrk_target }),
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
