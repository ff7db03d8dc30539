//! The `run` and `lab` subcommands' options (clap derive; doc comments are the `--help`
//! text) and their entry points. Kept here so `src/cli.rs` holds one line per subcommand.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

/// `virtperf run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The campaign plan (TOML); see docs/executor.md.
    #[arg(value_name = "PLAN.toml")]
    pub plan: PathBuf,

    /// Output folder: raw outputs, pidstat logs and manifest.json. Default results/CAMPAIGN.
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Continue the campaign in --out: runs recorded in its manifest are skipped.
    #[arg(long)]
    pub resume: bool,

    /// With --resume: run again the runs recorded as failed or timed out.
    #[arg(long, requires = "resume")]
    pub retry_failed: bool,

    /// Print the order and every command line; run nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Seed of the interleaved run order (default: the plan's `seed`, else 1).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
}

/// `virtperf lab`.
#[derive(Debug, Args)]
pub struct LabArgs {
    /// Where the root file system, images, key and plan go.
    #[arg(long, value_name = "DIR", default_value = "/var/tmp/virtperf-lab")]
    pub dir: PathBuf,

    /// Name of the Docker image to build.
    #[arg(long, default_value = "virtperf-lab")]
    pub image: String,

    /// Size of the VM's disk image in MiB.
    #[arg(long, default_value_t = 3072, value_name = "MIB")]
    pub disk_mib: u32,

    /// Debian mirror (default: this host's, else http://deb.debian.org/debian).
    #[arg(long, value_name = "URL")]
    pub mirror: Option<String>,

    /// Do not build the Docker image.
    #[arg(long)]
    pub no_docker: bool,

    /// Do not build the QEMU disk image.
    #[arg(long)]
    pub no_qemu: bool,
}

/// Reads the primary metric of run outputs: for each file read, the metric's name and value of
/// each of its runs, in file order (precision on demand; the caller reads with the ingester,
/// which the executor does not know).
pub type PrimaryValues = fn(&[PathBuf]) -> BTreeMap<PathBuf, Vec<(String, f64)>>;

/// Runs `virtperf run`; `primary` reads the primary metric of outputs for precision on demand.
pub fn run(args: RunArgs, primary: PrimaryValues) -> Result<ExitCode> {
    super::runner::run_command(&super::runner::RunOptions {
        plan: args.plan,
        out: args.out,
        resume: args.resume,
        retry_failed: args.retry_failed,
        dry_run: args.dry_run,
        seed: args.seed,
        primary: Some(primary),
    })
}

/// Runs `virtperf lab`.
pub fn lab(args: LabArgs) -> Result<ExitCode> {
    super::lab::lab_command(&super::lab::LabOptions {
        dir: args.dir,
        image: args.image,
        disk_mib: args.disk_mib,
        mirror: args.mirror,
        no_docker: args.no_docker,
        no_qemu: args.no_qemu,
    })
}
