//! Redis, the server `redis-benchmark` measures: one `redis-server` per port on the platform,
//! started by virtperf (not the system's service) as a daemon with no persistence (`--save ''
//! --appendonly no`: the benchmark measures memory, not the disk), its pid file, log and
//! working folder under `WORKDIR/.virtperf-redis-PORT/`.

use std::time::Duration;

use anyhow::Result;

use super::{run_start_script, service_dir, sh_argv, Platform, Service, ServiceKind, VersionProbe};
use crate::exec::plan::{PlatformSpec, WorkloadSpec};

/// Redis as a service kind.
pub(crate) static REDIS: ServiceKind = ServiceKind {
    name: "redis",
    process: "redis-server",
    default_port: 16379,
    ready_within: Duration::from_secs(30),
    make: Redis::make,
};

/// The server binary.
const DEFAULT_BINARY: &str = "/usr/bin/redis-server";

/// Starts it: `$0` folder, `$1` port, `$2` address, `$3` binary. The server an interrupted
/// campaign left (its pid file in the folder) is stopped first.
const START_SCRIPT: &str = r#"d=$0 port=$1 bind=$2 bin=$3
mkdir -p "$d" || exit 1
p=$(cat "$d/redis.pid" 2>/dev/null) && [ -n "$p" ] && kill "$p" 2>/dev/null && sleep 0.5
rm -f "$d/redis.pid"
"$bin" --port "$port" --bind "$bind" --protected-mode no --daemonize yes --pidfile "$d/redis.pid" \
  --dir "$d" --logfile "$d/redis.log" --save '' --appendonly no"#;

/// Ready when `redis-cli PING` on port `$0` says PONG; else the end of its log (`$1`).
const READY_SCRIPT: &str =
    r#"[ "$(redis-cli -h 127.0.0.1 -p "$0" ping 2>&1)" = PONG ] || { tail -n 3 "$1" >&2; exit 1; }"#;

/// Stops it (`$0` port, `$1` folder): SHUTDOWN NOSAVE, then waits (10 s at most) for the
/// process of its pid file to end.
const STOP_SCRIPT: &str = r#"p=$(cat "$1/redis.pid" 2>/dev/null)
redis-cli -h 127.0.0.1 -p "$0" shutdown nosave >/dev/null 2>&1
i=0; while [ -n "$p" ] && kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
[ -z "$p" ] || ! kill -0 "$p" 2>/dev/null"#;

/// Redis on one platform.
#[derive(Debug, Clone)]
pub(crate) struct Redis {
    binary: String,
}

impl Redis {
    fn make(_: Option<&PlatformSpec>) -> Box<dyn Service> {
        Box::new(Redis { binary: DEFAULT_BINARY.into() })
    }
}

impl Service for Redis {
    fn version_probe(&self) -> VersionProbe {
        VersionProbe { name: REDIS.name, binary: self.binary.clone(), flag: "--version" }
    }

    fn start(&mut self, on: &Platform, port: u16) -> Result<()> {
        run_start_script(on, (REDIS.name, "Redis"), START_SCRIPT, port, &self.binary, [])
    }

    fn ready_argv(&self, on: &Platform, port: u16) -> Vec<String> {
        let log = format!("{}/redis.log", service_dir(on, REDIS.name, port));
        sh_argv(READY_SCRIPT, [port.to_string(), log])
    }

    /// redis-benchmark brings its own keys: nothing to provide.
    fn provide(&mut self, _: &Platform, _: u16, _: &WorkloadSpec) -> Result<()> {
        Ok(())
    }

    fn stop(&mut self, on: &Platform, port: u16) -> Result<()> {
        let argv = sh_argv(STOP_SCRIPT, [port.to_string(), service_dir(on, REDIS.name, port)]);
        on.run(&argv, "redis-stop").map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    /// The whole life of Redis on this host: started, ready, measured by redis-benchmark with
    /// the arguments the `redis-benchmark` kind appends, stopped.
    #[test]
    fn redis_starts_serves_redis_benchmark_and_stops_on_this_host() {
        if !std::path::Path::new(DEFAULT_BINARY).exists() {
            eprintln!("SKIPPED: no {DEFAULT_BINARY}");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let (spec, exec) = super::super::native_in(dir.path());
        let on = Platform::new(&exec);
        let port = crate::exec::free_port().unwrap();
        let mut redis = (REDIS.make)(Some(&spec));
        redis.start(&on, port).unwrap();
        let ready = redis.ready_argv(&on, port);
        super::super::wait_ready(&on, &ready, REDIS.ready_within, &AtomicBool::new(false)).unwrap();
        let client = crate::exec::kinds::workload_kind("redis-benchmark").unwrap().client.as_ref().unwrap();
        let w: WorkloadSpec = toml::from_str("name = \"r\"\nkind = \"redis-benchmark\"").unwrap();
        let mut argv: Vec<String> = ["redis-benchmark", "-n", "2000", "-t", "set,get", "--csv"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        argv.extend((client.target)(&w, "127.0.0.1", port));
        let out = on.run(&argv, "t-run").unwrap();
        assert!(out.contains("\"SET\",\"") && out.contains("\"GET\",\""), "{out}");
        redis.stop(&on, port).unwrap();
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "still listening");
        let stopped = super::super::wait_ready(&on, &ready, Duration::ZERO, &AtomicBool::new(false));
        assert!(stopped.unwrap_err().to_string().contains("not ready within"));
    }
}
