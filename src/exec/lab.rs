//! `virtperf lab`: builds, on a Debian or Ubuntu host without a registry, what a campaign can
//! run on: one Debian bookworm root file system (debootstrap, Debian packages only) with
//! sysbench, fio, sysstat, nginx, MariaDB, Redis, iperf3, wrk, sshd and a cloud kernel, turned
//! into a Docker image (`docker import`) and a QEMU direct-boot set (kernel, initrd, ext4 disk
//! image raw and qcow2, a login key generated here), plus a ready plan for native, docker and
//! qemu. Each step is skipped when
//! its result exists, so running it again is quick.
//!
//! The steps are a shell script embedded in the binary (`lab.sh`): they are system
//! administration (debootstrap, mkfs, docker import), clearer as the commands a person would
//! type. This module checks the prerequisites, runs it and writes the plan.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};

/// The build script, run as `bash -c SCRIPT virtperf-lab DIR IMAGE DISK_MIB MIRROR SKIP_DOCKER SKIP_QEMU`.
pub(crate) const LAB_SCRIPT: &str = include_str!("lab.sh");

/// Options of `virtperf lab`.
#[derive(Debug, Clone)]
pub(crate) struct LabOptions {
    /// Where the root file system, images, key and plan go.
    pub(crate) dir: PathBuf,
    /// Docker image name.
    pub(crate) image: String,
    /// Size of the VM disk image, MiB.
    pub(crate) disk_mib: u32,
    /// Debian mirror; default the host's, else deb.debian.org.
    pub(crate) mirror: Option<String>,
    /// Do not build the Docker image.
    pub(crate) no_docker: bool,
    /// Do not build the QEMU image.
    pub(crate) no_qemu: bool,
}

/// The Debian mirror this host uses, if it is a Debian host.
pub(crate) fn host_mirror() -> Option<String> {
    let text = std::fs::read_to_string("/etc/apt/sources.list.d/debian.sources").unwrap_or_default();
    for line in text.lines() {
        if let Some(rest) = line.trim().strip_prefix("URIs:") {
            if let Some(uri) = rest.split_whitespace().find(|u| !u.contains("security")) {
                return Some(uri.to_string());
            }
        }
    }
    let list = std::fs::read_to_string("/etc/apt/sources.list").unwrap_or_default();
    for line in list.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.first() == Some(&"deb") {
            if let Some(uri) = words
                .iter()
                .find(|w| w.starts_with("http") && w.contains("/debian") && !w.contains("security"))
            {
                return Some(uri.to_string());
            }
        }
    }
    None
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
        .unwrap_or(false)
}

/// `virtperf lab`.
pub(crate) fn lab_command(opts: &LabOptions) -> Result<ExitCode> {
    if !rustix::process::geteuid().is_root() {
        bail!("virtperf lab needs root (debootstrap, chroot, docker); run it with sudo");
    }
    let mut need = vec!["debootstrap", "mkfs.ext4", "ssh-keygen", "tar"];
    if !opts.no_docker {
        need.push("docker");
    }
    let missing: Vec<&str> = need.into_iter().filter(|t| !on_path(t)).collect();
    if !missing.is_empty() {
        bail!(
            "virtperf lab needs {} on PATH; on Debian/Ubuntu: apt-get install debootstrap e2fsprogs \
             openssh-client docker.io (or pass --no-docker)",
            missing.join(", ")
        );
    }
    std::fs::create_dir_all(&opts.dir)
        .with_context(|| format!("could not create '{}'", opts.dir.display()))?;
    let dir = opts.dir.canonicalize()?;
    let mirror =
        opts.mirror.clone().or_else(host_mirror).unwrap_or_else(|| "http://deb.debian.org/debian".into());
    let status = Command::new("bash")
        .arg("-c")
        .arg(LAB_SCRIPT)
        .arg("virtperf-lab")
        .arg(&dir)
        .arg(&opts.image)
        .arg(opts.disk_mib.to_string())
        .arg(&mirror)
        .arg(if opts.no_docker { "1" } else { "0" })
        .arg(if opts.no_qemu { "1" } else { "0" })
        .status()
        .context("could not run bash")?;
    if !status.success() {
        bail!("building the lab in '{}' failed ({status}); see the messages above", dir.display());
    }
    let plan = dir.join("lab.toml");
    std::fs::write(&plan, lab_plan(&dir, &opts.image, !opts.no_docker, !opts.no_qemu))
        .with_context(|| format!("could not write '{}'", plan.display()))?;
    eprintln!("virtperf lab: plan written: {}", plan.display());
    eprintln!("virtperf lab: next: virtperf run {} --out results/lab", plan.display());
    Ok(ExitCode::SUCCESS)
}

/// The plan `virtperf lab` writes: native, docker and qemu; sysbench cpu, memory and fileio,
/// fio and wrk, 5 repetitions each.
pub(crate) fn lab_plan(dir: &Path, image: &str, docker: bool, qemu: bool) -> String {
    let d = dir.display();
    let mut s = format!(
        r#"# Written by `virtperf lab`. Run it with: virtperf run {d}/lab.toml --out results/lab
# Every key is explained in docs/executor.md.
campaign = "lab"
seed = 42
timeout_s = 300

[monitor]
pidstat_interval_s = 1
host = true

[[platform]]
name = "native"
kind = "native"
"#
    );
    if docker {
        s.push_str(&format!(
            r#"
[[platform]]
name = "docker"
kind = "docker"
image = "{image}"
run_args = ["--cpus=2", "--memory=2g"]
"#
        ));
    }
    if qemu {
        s.push_str(&format!(
            r#"
[[platform]]
name = "qemu"
kind = "qemu"
kernel = "{d}/vmlinuz"
initrd = "{d}/initrd.img"
append = "root=/dev/vda rw console=ttyS0 init=/sbin/virtperf-init quiet"
disk = "{d}/disk.raw"
format = "raw"
smp = 2
memory_mib = 2048
accel = "kvm"
key = "{d}/id_ed25519"
boot_timeout_s = 300
"#
        ));
    }
    s.push_str(
        r#"
[[workload]]
name = "sysbench-cpu"
kind = "sysbench"
args = ["cpu", "--cpu-max-prime=20000", "--threads=1", "--time=5", "--report-interval=1", "run"]
repetitions = 5
warmup = 1

[[workload]]
name = "sysbench-memory"
kind = "sysbench"
args = ["memory", "--memory-block-size=1M", "--memory-total-size=100G", "--threads=1", "--time=5", "run"]
repetitions = 5

[[workload]]
name = "sysbench-fileio"
kind = "sysbench"
args = ["fileio", "--file-num=4", "--file-total-size=256M", "--file-test-mode=rndrw", "--time=5", "run"]
setup = [["sysbench", "fileio", "--file-num=4", "--file-total-size=256M", "prepare"]]
cleanup = [["sysbench", "fileio", "--file-num=4", "--file-total-size=256M", "cleanup"]]
repetitions = 5

[[workload]]
name = "fio-randread"
kind = "fio"
args = ["--name=randread", "--rw=randread", "--bs=4k", "--size=128M", "--ioengine=psync", "--runtime=5", "--time_based", "--filename=fio.dat", "--output-format=json"]
cleanup = [["rm", "-f", "fio.dat"]]
repetitions = 5

[[workload]]
name = "wrk"
kind = "wrk"
args = ["-t2", "-c32", "-d5s", "--latency"]
file_bytes = 4096
port = 18080
repetitions = 5
"#,
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lab_image_holds_the_services_and_is_remade_for_a_new_package_list() {
        let packages = LAB_SCRIPT.lines().find_map(|l| l.strip_prefix("PACKAGES=")).unwrap();
        let list: Vec<&str> = packages.split(',').collect();
        for p in ["mariadb-server", "redis-server", "redis-tools", "iperf3", "wrk", "sysbench", "nginx-light"]
        {
            assert!(list.contains(&p), "{p} missing from {packages}");
        }
        // The stamps compare the list, so a lab made with another one is made again.
        assert!(LAB_SCRIPT
            .contains(r#"if [ "$(cat "$ROOTFS/.virtperf-rootfs" 2>/dev/null)" != "$PACKAGES" ]; then"#));
        assert!(LAB_SCRIPT.contains(r#"grep -qxF "VIRTPERF_LAB_PACKAGES=$PACKAGES""#));
        assert!(LAB_SCRIPT.contains("qemu-img convert -f raw -O qcow2"));
    }

    #[test]
    fn lab_plan_is_a_valid_plan() {
        let text = lab_plan(Path::new("/var/tmp/lab"), "virtperf-lab", true, true);
        let plan = crate::exec::plan::Plan::parse(&text, Path::new("/var/tmp/lab/lab.toml")).unwrap();
        let names: Vec<&str> = plan.platforms.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["native", "docker", "qemu"]);
        assert_eq!(plan.workloads.len(), 5);
        assert!(plan.workloads.iter().all(|w| w.repetitions() >= 5));
    }
}
