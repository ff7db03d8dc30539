//! nginx, the server wrk measures: one nginx per port on the platform, its configuration and
//! files under `WORKDIR/.virtperf-nginx-PORT/`, workers as root so that any work folder is
//! readable, serving a file of `file_bytes` bytes at `/fBYTES`. On this host it listens on
//! 127.0.0.1 only.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use super::{sh_argv, Platform, Service, ServiceKind, VersionProbe};
use crate::exec::plan::{PlatformSpec, WorkloadSpec};

/// nginx as a service kind.
pub(crate) static NGINX: ServiceKind = ServiceKind {
    name: "nginx",
    process: "nginx",
    default_port: 18080,
    ready_within: Duration::from_secs(10),
    make: Nginx::make,
};

/// Where the nginx binary is when the platform does not say (`nginx = ...`).
const DEFAULT_BINARY: &str = "/usr/sbin/nginx";

/// The URL of the file of `bytes` bytes that nginx serves at `host:port`.
pub(crate) fn url(host: &str, port: u16, bytes: u64) -> String {
    format!("http://{host}:{port}/f{bytes}")
}

/// nginx on one platform.
#[derive(Debug, Clone)]
pub(crate) struct Nginx {
    /// The binary on the platform.
    binary: String,
    /// (port, bytes) of the files already written.
    served: BTreeSet<(u16, u64)>,
}

impl Nginx {
    fn make(spec: Option<&PlatformSpec>) -> Box<dyn Service> {
        let binary = spec.and_then(|s| s.nginx.clone()).unwrap_or_else(|| DEFAULT_BINARY.into());
        Box::new(Nginx { binary, served: BTreeSet::new() })
    }

    /// Folder of the nginx on `port`: configuration, pid file, logs, served files.
    fn dir(on: &Platform, port: u16) -> String {
        format!("{}/.virtperf-nginx-{port}", on.workdir().trim_end_matches('/'))
    }

    /// The argv that runs nginx with the configuration of `dir`, plus `more`.
    fn argv(&self, dir: &str, more: &[&str]) -> Vec<String> {
        let mut v = vec![self.binary.clone(), "-c".into(), format!("{dir}/nginx.conf")];
        v.extend(more.iter().map(|s| s.to_string()));
        v
    }
}

/// nginx's configuration for `dir`, listening on `listen`.
fn config(dir: &str, listen: &str) -> String {
    format!(
        "user root;\nworker_processes 1;\ndaemon on;\npid \"{dir}/nginx.pid\";\nerror_log \"{dir}/error.log\";\n\
         events {{ worker_connections 1024; }}\nhttp {{\n  access_log off;\n  \
         client_body_temp_path \"{dir}/tmp\"; proxy_temp_path \"{dir}/tmp\"; fastcgi_temp_path \"{dir}/tmp\";\n  \
         uwsgi_temp_path \"{dir}/tmp\"; scgi_temp_path \"{dir}/tmp\";\n  \
         server {{ listen {listen}; root \"{dir}/www\"; }}\n}}\n"
    )
}

impl Service for Nginx {
    fn version_probe(&self) -> VersionProbe {
        VersionProbe { name: NGINX.name, binary: self.binary.clone(), flag: "-v" }
    }

    fn start(&mut self, on: &Platform, port: u16) -> Result<()> {
        let dir = Nginx::dir(on, port);
        if dir.contains(['"', '\\', ';', '$', '{', '}']) || dir.chars().any(char::is_whitespace) {
            bail!("work folder '{dir}' holds characters nginx's configuration cannot carry");
        }
        let s = |x: &str| x.to_string();
        on.run(&[s("mkdir"), s("-p"), format!("{dir}/www"), format!("{dir}/tmp")], "nginx-mkdir")?;
        let listen = if on.host_network() { format!("127.0.0.1:{port}") } else { port.to_string() };
        on.put_file(&format!("{dir}/nginx.conf"), config(&dir, &listen).as_bytes())
            .context("could not write nginx.conf on the platform")?;
        // A leftover nginx from an interrupted campaign holds the port: stop it first.
        let _ = on.run(&self.argv(&dir, &["-s", "stop"]), "nginx-stop-old");
        std::thread::sleep(Duration::from_millis(200));
        on.run(&self.argv(&dir, &[]), "nginx-start").context("could not start nginx on the platform")?;
        Ok(())
    }

    /// nginx binds its port before `nginx` returns, then its master writes the pid file: ready
    /// when the process of that pid file lives.
    fn ready_argv(&self, on: &Platform, port: u16) -> Vec<String> {
        let script = "p=$(cat \"$0\" 2>/dev/null) && [ -n \"$p\" ] && kill -0 \"$p\"";
        let pidfile = format!("{}/nginx.pid", Nginx::dir(on, port));
        sh_argv(script, [pidfile])
    }

    fn provide(&mut self, on: &Platform, port: u16, w: &WorkloadSpec) -> Result<()> {
        let bytes = w.served_bytes();
        if !self.served.contains(&(port, bytes)) {
            let dir = Nginx::dir(on, port);
            let script = "head -c \"$1\" /dev/zero | tr '\\000' x > \"$0\"";
            on.run(&sh_argv(script, [format!("{dir}/www/f{bytes}"), bytes.to_string()]), "nginx-file")?;
            self.served.insert((port, bytes));
        }
        Ok(())
    }

    fn stop(&mut self, on: &Platform, port: u16) -> Result<()> {
        self.served.retain(|(p, _)| *p != port);
        on.run(&self.argv(&Nginx::dir(on, port), &["-s", "stop"]), "nginx-stop").map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::sync::atomic::AtomicBool;

    /// The whole life of nginx on this host: started, ready, serving the file a wrk workload
    /// asks for at the URL wrk gets, stopped.
    #[test]
    fn nginx_starts_serves_the_file_and_stops_on_this_host() {
        if !std::path::Path::new(DEFAULT_BINARY).exists() {
            eprintln!("SKIPPED: no {DEFAULT_BINARY}");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let (spec, exec) = super::super::native_in(dir.path());
        let on = Platform::new(&exec);
        let port = crate::exec::free_port().unwrap();
        let w: WorkloadSpec =
            toml::from_str(&format!("name = \"w\"\nkind = \"wrk\"\nfile_bytes = 1000\nport = {port}"))
                .unwrap();
        let mut nginx = (NGINX.make)(Some(&spec));
        nginx.start(&on, port).unwrap();
        let ready = nginx.ready_argv(&on, port);
        super::super::wait_ready(&on, &ready, NGINX.ready_within, &AtomicBool::new(false)).unwrap();
        nginx.provide(&on, port, &w).unwrap();
        let url = url("127.0.0.1", port, w.served_bytes());
        assert_eq!(url, format!("http://127.0.0.1:{port}/f1000"));
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(b"GET /f1000 HTTP/1.0\r\n\r\n").unwrap();
        let mut reply = String::new();
        s.read_to_string(&mut reply).unwrap();
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
        assert!(reply.contains("Content-Length: 1000"), "{reply}");
        assert!(reply.ends_with(&"x".repeat(1000)), "{reply}");
        nginx.stop(&on, port).unwrap();
        // `-s stop` only signals the master: within a few seconds the port is closed, and then
        // the ready check fails.
        let t = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            assert!(t.elapsed() < Duration::from_secs(5), "nginx still serves after stop");
            std::thread::sleep(Duration::from_millis(50));
        }
        let stopped = super::super::wait_ready(&on, &ready, Duration::ZERO, &AtomicBool::new(false));
        assert!(stopped.unwrap_err().to_string().contains("not ready within"));
    }
}
