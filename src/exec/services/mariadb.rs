//! MariaDB, the server `sysbench oltp_*` measures (the `sysbench-oltp` kind): a private
//! `mariadbd` per port on the platform, started by virtperf (not the system's service), its
//! files under `WORKDIR/.virtperf-mariadb-PORT/` (a fresh data folder from
//! `mariadb-install-db` at every start, removed at the stop), its socket
//! `/tmp/.virtperf-mariadb-PORT.sock` (a work folder's path may be too long for a socket). One
//! user `sbtest` (password `sbtest`) and one database per workload, so that two oltp workloads
//! with different tables never share them.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::{Context, Result};

use super::{run_start_script, service_dir, sh_argv, Platform, Service, ServiceKind, VersionProbe};
use crate::exec::plan::{PlatformSpec, WorkloadSpec};

/// MariaDB as a service kind.
pub(crate) static MARIADB: ServiceKind = ServiceKind {
    name: "mariadb",
    process: "mariadbd",
    default_port: 13306,
    // mariadb-install-db and the first start take about 2 s here, minutes under TCG.
    ready_within: Duration::from_secs(180),
    make: MariaDb::make,
};

/// The server binary when the platform does not say.
const DEFAULT_BINARY: &str = "/usr/sbin/mariadbd";

/// The user (and password) sysbench logs in with.
pub(crate) const USER: &str = "sbtest";

/// Arguments a `sysbench-oltp` workload's `args` may not hold: virtperf adds the command
/// (prepare, run, cleanup) and points sysbench at the server it started.
pub(crate) const SYSBENCH_RESERVED: &[&str] = &[
    "prepare",
    "run",
    "cleanup",
    "--db-driver",
    "--mysql-host",
    "--mysql-port",
    "--mysql-socket",
    "--mysql-user",
    "--mysql-password",
    "--mysql-db",
];

/// Starts a fresh server: `$0` folder, `$1` port, `$2` address, `$3` binary, `$4` socket. A
/// server an interrupted campaign left on this socket is shut down first.
const START_SCRIPT: &str = r#"d=$0 port=$1 bind=$2 bin=$3 sock=$4
[ -S "$sock" ] && mariadb-admin --no-defaults -S "$sock" -u root shutdown >/dev/null 2>&1
rm -rf "$d/data" && mkdir -p "$d" || exit 1
mariadb-install-db --no-defaults --datadir="$d/data" --user=root --auth-root-authentication-method=normal \
  --skip-test-db >"$d/install.log" 2>&1 || { tail -n 20 "$d/install.log" >&2; exit 1; }
setsid "$bin" --no-defaults --datadir="$d/data" --port="$port" --bind-address="$bind" --socket="$sock" \
  --pid-file="$d/mariadbd.pid" --user=root --log-error="$d/error.log" --skip-name-resolve \
  </dev/null >/dev/null 2>&1 &"#;

/// Ready when the server answers on its socket (`$0`); else the end of its log (`$1`).
const READY_SCRIPT: &str =
    r#"mariadb-admin --no-defaults -S "$0" -u root ping >/dev/null 2>&1 || { tail -n 3 "$1" >&2; exit 1; }"#;

/// Shuts the server down (`$0` socket), waits (10 s at most) until its process is gone, and
/// removes its data (`$1` folder).
const STOP_SCRIPT: &str = r#"p=$(cat "$1/mariadbd.pid" 2>/dev/null)
mariadb-admin --no-defaults -S "$0" -u root shutdown; s=$?
i=0; while [ -n "$p" ] && kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
rm -rf "$1/data"; exit $s"#;

/// The database of workload `w`: `sbtest_` and its name, with any character other than a
/// letter, a digit or `_` as `_` and then a short hash of the name, so that two names never
/// share one.
pub(crate) fn database(w: &WorkloadSpec) -> String {
    let clean: String =
        w.name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    let mut db = format!("sbtest_{}", clean.chars().take(40).collect::<String>());
    if clean != w.name || w.name.len() > 40 {
        use sha2::Digest;
        let h = sha2::Sha256::digest(w.name.as_bytes());
        db.push_str(&format!("_{:02x}{:02x}{:02x}{:02x}", h[0], h[1], h[2], h[3]));
    }
    db
}

/// sysbench's last arguments for workload `w`: the server at `host:port`, its user and the
/// workload's database, then `run`.
pub(crate) fn sysbench_target(w: &WorkloadSpec, host: &str, port: u16) -> Vec<String> {
    vec![
        "--db-driver=mysql".into(),
        format!("--mysql-host={host}"),
        format!("--mysql-port={port}"),
        format!("--mysql-user={USER}"),
        format!("--mysql-password={USER}"),
        format!("--mysql-db={}", database(w)),
        "run".into(),
    ]
}

/// The completed sysbench argv with `prepare` and `cleanup` in the place of its final `run`:
/// the tables are made before the workload's first run and dropped after its last.
pub(crate) fn sysbench_prepare_cleanup(argv: &[String]) -> (Vec<String>, Vec<String>) {
    let with = |cmd: &str| {
        let mut v = argv.to_vec();
        if let Some(last) = v.last_mut() {
            *last = cmd.to_string();
        }
        v
    };
    (with("prepare"), with("cleanup"))
}

/// MariaDB on one platform.
#[derive(Debug, Clone)]
pub(crate) struct MariaDb {
    binary: String,
    /// (port, database) made already.
    databases: BTreeSet<(u16, String)>,
}

impl MariaDb {
    fn make(_: Option<&PlatformSpec>) -> Box<dyn Service> {
        Box::new(MariaDb { binary: DEFAULT_BINARY.into(), databases: BTreeSet::new() })
    }

    fn socket(port: u16) -> String {
        format!("/tmp/.virtperf-mariadb-{port}.sock")
    }
}

impl Service for MariaDb {
    fn version_probe(&self) -> VersionProbe {
        VersionProbe { name: MARIADB.name, binary: self.binary.clone(), flag: "--version" }
    }

    fn start(&mut self, on: &Platform, port: u16) -> Result<()> {
        self.databases.retain(|(p, _)| *p != port);
        run_start_script(
            on,
            (MARIADB.name, "MariaDB"),
            START_SCRIPT,
            port,
            &self.binary,
            [MariaDb::socket(port)],
        )
    }

    fn ready_argv(&self, on: &Platform, port: u16) -> Vec<String> {
        let log = format!("{}/error.log", service_dir(on, MARIADB.name, port));
        sh_argv(READY_SCRIPT, [MariaDb::socket(port), log])
    }

    /// The workload's database, and the user that may use it.
    fn provide(&mut self, on: &Platform, port: u16, w: &WorkloadSpec) -> Result<()> {
        let db = database(w);
        if self.databases.contains(&(port, db.clone())) {
            return Ok(());
        }
        // `db` holds letters, digits and `_` only.
        let sql = format!(
            "CREATE DATABASE IF NOT EXISTS `{db}`; CREATE USER IF NOT EXISTS '{USER}'@'%' IDENTIFIED BY '{USER}'; \
             GRANT ALL ON `{db}`.* TO '{USER}'@'%';"
        );
        let argv: Vec<String> =
            ["mariadb", "--no-defaults", "-S", &MariaDb::socket(port), "-u", "root", "-e", &sql]
                .iter()
                .map(|s| s.to_string())
                .collect();
        on.run(&argv, "mariadb-db").with_context(|| format!("could not create database {db}"))?;
        self.databases.insert((port, db));
        Ok(())
    }

    fn stop(&mut self, on: &Platform, port: u16) -> Result<()> {
        self.databases.retain(|(p, _)| *p != port);
        let dir = service_dir(on, MARIADB.name, port);
        on.run(&sh_argv(STOP_SCRIPT, [MariaDb::socket(port), dir]), "mariadb-stop").map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    #[test]
    fn each_workload_gets_its_own_database_and_sysbench_its_command() {
        let w = |name: &str| -> WorkloadSpec {
            toml::from_str(&format!("name = \"{name}\"\nkind = \"sysbench-oltp\"")).unwrap()
        };
        assert_eq!(database(&w("oltp_rw")), "sbtest_oltp_rw");
        let a = database(&w("oltp-rw"));
        let b = database(&w("oltp_rw.x"));
        assert!(a.starts_with("sbtest_oltp_rw_") && a.len() == "sbtest_oltp_rw_".len() + 8, "{a}");
        assert_ne!(a, b);
        assert_ne!(a, database(&w("oltp.rw")));
        assert!(database(&w(&"x".repeat(80))).len() <= 64);
        let mut argv: Vec<String> = vec!["sysbench".into(), "oltp_read_only".into(), "--tables=2".into()];
        argv.extend(sysbench_target(&w("ro"), "127.0.0.1", 13306));
        assert_eq!(
            argv[3..],
            [
                "--db-driver=mysql",
                "--mysql-host=127.0.0.1",
                "--mysql-port=13306",
                "--mysql-user=sbtest",
                "--mysql-password=sbtest",
                "--mysql-db=sbtest_ro",
                "run"
            ]
        );
        let (prepare, cleanup) = sysbench_prepare_cleanup(&argv);
        assert_eq!(
            (prepare.last().unwrap().as_str(), cleanup.last().unwrap().as_str()),
            ("prepare", "cleanup")
        );
        assert_eq!(prepare[..9], argv[..9]);
    }

    /// The whole life of MariaDB on this host: started fresh, ready, a database for the
    /// workload that sysbench prepares, runs against (2 s) and cleans up, stopped with its
    /// data removed.
    #[test]
    fn mariadb_starts_serves_sysbench_and_stops_on_this_host() {
        if !std::path::Path::new(DEFAULT_BINARY).exists() || crate::exec::free_port().is_err() {
            eprintln!("SKIPPED: no {DEFAULT_BINARY}");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let (spec, exec) = super::super::native_in(dir.path());
        let on = Platform::new(&exec);
        let port = crate::exec::free_port().unwrap();
        let w: WorkloadSpec = toml::from_str("name = \"oltp-ro\"\nkind = \"sysbench-oltp\"").unwrap();
        let mut db = (MARIADB.make)(Some(&spec));
        db.start(&on, port).unwrap();
        let ready = db.ready_argv(&on, port);
        super::super::wait_ready(&on, &ready, MARIADB.ready_within, &AtomicBool::new(false)).unwrap();
        db.provide(&on, port, &w).unwrap();
        let mut argv: Vec<String> =
            ["sysbench", "oltp_read_only", "--tables=1", "--table-size=100", "--time=2"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        argv.extend(sysbench_target(&w, "127.0.0.1", port));
        let (prepare, cleanup) = sysbench_prepare_cleanup(&argv);
        let out = on.run(&prepare, "t-prepare").unwrap();
        assert!(out.contains("Inserting 100 records into 'sbtest1'"), "{out}");
        let out = on.run(&argv, "t-run").unwrap();
        assert!(out.contains("transactions:") && out.contains("per sec.)"), "{out}");
        let out = on.run(&cleanup, "t-cleanup").unwrap();
        assert!(out.contains("Dropping table 'sbtest1'"), "{out}");
        db.stop(&on, port).unwrap();
        let stopped = super::super::wait_ready(&on, &ready, Duration::ZERO, &AtomicBool::new(false));
        assert!(stopped.unwrap_err().to_string().contains("not ready within"));
        assert!(!dir.path().join(format!(".virtperf-mariadb-{port}/data")).exists());
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "still listening");
    }
}
