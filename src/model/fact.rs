//! The names of the facts (`Run::facts`) that layers above ingest read: a contract between the
//! parsers that state them and the report that compares them between platforms. A parser may
//! record any other fact (fio's `runtime`, wrk's `command`, ...); those are listed in the
//! appendix and never read by name. docs/metrics.md says, per tool, which facts it records.

/// Where a load generator sent its load: the whole URL or `host:port` (wrk, wrk2, iperf3).
pub const TARGET: &str = "target";
/// The kernel the tool ran on, as its log prints it (pidstat's banner).
pub const KERNEL: &str = "kernel";
/// The host name the log prints (pidstat's banner, iperf3's `system_info`).
pub const HOST: &str = "host";
/// The date or time the log prints, as printed (pidstat's banner, fio, iperf3).
pub const DATE: &str = "date";
/// The number of CPUs the log says the machine had (pidstat's banner).
pub const CPUS: &str = "cpus";
/// The file or device fio did its I/O on (`filename=`).
pub const FILENAME: &str = "filename";
/// The folder fio did its I/O in (`directory=`).
pub const DIRECTORY: &str = "directory";
