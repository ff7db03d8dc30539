//! The iperf3 server (`iperf3 -s`) that an `iperf3` workload's client measures the network
//! path to: one daemon per port on the platform, its pid file and log under
//! `WORKDIR/.virtperf-iperf3-PORT/`. Ready when its process lives and the port listens (read
//! from /proc/net/tcp: a probe connection would count as a client). TCP only: a docker port is
//! published for TCP, so `-u` (UDP) reaches a bridged container only from inside it
//! (`client = "platform"`).

use std::time::Duration;

use anyhow::Result;

use super::{
    listening_argv, run_start_script, service_dir, sh_argv, Platform, Service, ServiceKind, VersionProbe,
};
use crate::exec::plan::{PlatformSpec, WorkloadSpec};

/// The iperf3 server as a service kind.
pub(crate) static IPERF3: ServiceKind = ServiceKind {
    name: "iperf3",
    process: "iperf3",
    default_port: 15201,
    ready_within: Duration::from_secs(30),
    make: Iperf3::make,
};

/// The iperf3 binary.
const DEFAULT_BINARY: &str = "/usr/bin/iperf3";

/// Starts it: `$0` folder, `$1` port, `$2` address, `$3` binary. The server an interrupted
/// campaign left (its pid file in the folder) is stopped first.
const START_SCRIPT: &str = r#"d=$0 port=$1 bind=$2 bin=$3
mkdir -p "$d" || exit 1
p=$(cat "$d/iperf3.pid" 2>/dev/null) && [ -n "$p" ] && kill "$p" 2>/dev/null && sleep 0.5
rm -f "$d/iperf3.pid"
"$bin" -s -p "$port" -B "$bind" -D --pidfile "$d/iperf3.pid" --logfile "$d/iperf3.log""#;

/// Stops it (`$0` folder): SIGTERM to the process of its pid file, then waits (10 s at most).
const STOP_SCRIPT: &str = r#"p=$(cat "$0/iperf3.pid" 2>/dev/null) || exit 0
kill "$p" 2>/dev/null
i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
! kill -0 "$p" 2>/dev/null"#;

/// The iperf3 server on one platform.
#[derive(Debug, Clone)]
pub(crate) struct Iperf3 {
    binary: String,
}

impl Iperf3 {
    fn make(_: Option<&PlatformSpec>) -> Box<dyn Service> {
        Box::new(Iperf3 { binary: DEFAULT_BINARY.into() })
    }
}

impl Service for Iperf3 {
    fn version_probe(&self) -> VersionProbe {
        VersionProbe { name: IPERF3.name, binary: self.binary.clone(), flag: "--version" }
    }

    fn start(&mut self, on: &Platform, port: u16) -> Result<()> {
        run_start_script(on, (IPERF3.name, "the iperf3 server"), START_SCRIPT, port, &self.binary, [])
    }

    fn ready_argv(&self, on: &Platform, port: u16) -> Vec<String> {
        listening_argv(&format!("{}/iperf3.pid", service_dir(on, IPERF3.name, port)), port)
    }

    /// The client brings its own test: nothing to provide.
    fn provide(&mut self, _: &Platform, _: u16, _: &WorkloadSpec) -> Result<()> {
        Ok(())
    }

    fn stop(&mut self, on: &Platform, port: u16) -> Result<()> {
        let argv = sh_argv(STOP_SCRIPT, [service_dir(on, IPERF3.name, port)]);
        on.run(&argv, "iperf3-stop").map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    /// The whole life of the iperf3 server on this host: not ready before it starts, started,
    /// ready, measured by the client with the arguments the `iperf3` kind appends (JSON, 1 s),
    /// stopped.
    #[test]
    fn iperf3_server_starts_serves_a_client_and_stops_on_this_host() {
        if !std::path::Path::new(DEFAULT_BINARY).exists() {
            eprintln!("SKIPPED: no {DEFAULT_BINARY}");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let (spec, exec) = super::super::native_in(dir.path());
        let on = Platform::new(&exec);
        let port = crate::exec::free_port().unwrap();
        let mut server = (IPERF3.make)(Some(&spec));
        let ready = server.ready_argv(&on, port);
        let before = super::super::wait_ready(&on, &ready, Duration::ZERO, &AtomicBool::new(false));
        assert!(before.is_err(), "ready before it started");
        server.start(&on, port).unwrap();
        super::super::wait_ready(&on, &ready, IPERF3.ready_within, &AtomicBool::new(false)).unwrap();
        let client = crate::exec::kinds::workload_kind("iperf3").unwrap().client.as_ref().unwrap();
        let w: WorkloadSpec = toml::from_str("name = \"i\"\nkind = \"iperf3\"").unwrap();
        let mut argv: Vec<String> = ["iperf3", "-t", "1", "-J"].iter().map(|s| s.to_string()).collect();
        argv.extend((client.target)(&w, "127.0.0.1", port));
        let out = on.run(&argv, "t-run").unwrap();
        assert!(out.contains("\"connecting_to\"") && out.contains(&format!("\"port\":\t{port}")), "{out}");
        assert!(out.contains("\"sum_received\""), "{out}");
        server.stop(&on, port).unwrap();
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "still listening");
    }
}
