//! The command line: clap derive types. Doc comments here are the `--help` text. Validation
//! that needs more than clap can express happens once, in the command functions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Turn raw sysbench, fio, wrk and pidstat outputs from bare metal, containers and virtual
/// machines into trustworthy overhead reports.
#[derive(Debug, Parser)]
#[command(name = "virtperf", version, about, max_term_width = 100)]
pub struct Opts {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read raw outputs into one tidy table (CSV, Parquet or JSON).
    Ingest(IngestArgs),
    /// Print the platform each file would get and why; with --write, a mapping file to correct
    /// and pass back with --labels. Exit status 1 when a benchmark output gets no platform.
    Labels(LabelsArgs),
    /// Statistics per group, overhead against the baseline with an interval, and checks.
    Analyse(AnalyseArgs),
    /// The checks alone, for old results; exit status 1 when any check fails.
    Audit(AuditArgs),
    /// Write report.md, a self-contained report.html, figures and the analysis tables.
    Report(ReportArgs),
    /// Compare campaigns (folders, ingested tables or a store's campaigns): what changed
    /// from the first to each other, per workload and platform, with intervals and verdicts.
    Compare(CompareArgs),
    /// Run a campaign plan (TOML) on native, docker, ssh and qemu platforms.
    Run(crate::exec::cli::RunArgs),
    /// Build a Docker image, a QEMU VM image and a ready plan from Debian packages.
    Lab(crate::exec::cli::LabArgs),
}

/// Options shared by every command that reads raw outputs.
#[derive(Debug, Args, Clone, Default)]
pub struct InputArgs {
    /// Files or folders of raw benchmark outputs (folders are read recursively); at least
    /// one, unless the command reads a store (--store).
    #[arg(value_name = "DIR_OR_FILE")]
    pub inputs: Vec<PathBuf>,

    /// How the inputs are labelled and read.
    #[command(flatten)]
    pub label: LabelArgs,
}

/// Labels and format for every input (shared by the commands that read raw outputs).
#[derive(Debug, Args, Clone, Default)]
pub struct LabelArgs {
    /// Set a label for every input, e.g. `platform=docker`. Keys: platform, platform_detail,
    /// platform_family (native, container, vm), campaign. Overrides the mapping file, manifest
    /// and path; a platform replaces the detail the path gave unless platform_detail is given.
    #[arg(long = "label", value_name = "KEY=VALUE")]
    pub labels: Vec<String>,

    /// CSV file mapping path patterns to labels: a `pattern` column (glob, or a substring of
    /// the path) and any of platform, platform_detail, platform_family, campaign (`virtperf
    /// labels --write` writes one).
    #[arg(long = "labels", value_name = "FILE")]
    pub label_file: Option<PathBuf>,

    /// Read every input as this tool's output instead of recognising it by content
    /// (sysbench, fio, wrk, pidstat).
    #[arg(long, value_name = "TOOL")]
    pub format: Option<String>,
}

/// `virtperf ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Inputs and labels.
    #[command(flatten)]
    pub input: InputArgs,

    /// Where to write the metrics table; the extension picks the format (.csv, .parquet,
    /// .json).
    #[arg(long, short, value_name = "FILE", required_unless_present = "store")]
    pub out: Option<PathBuf>,

    /// Add the inputs to this store (a folder of Parquet files partitioned by campaign and
    /// tool, see docs/store.md): files already there are skipped, changed ones replaced.
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,

    /// The campaign of every input in the store (default: the manifest's campaign, else the
    /// name of the input folder).
    #[arg(long, value_name = "NAME", requires = "store")]
    pub campaign: Option<String>,

    /// Also write the per-interval samples (sysbench intervals, pidstat rows) to this table.
    #[arg(long, value_name = "FILE")]
    pub series: Option<PathBuf>,

    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `virtperf labels`.
#[derive(Debug, Args)]
pub struct LabelsArgs {
    /// Inputs and labels, as the other commands take them.
    #[command(flatten)]
    pub input: InputArgs,

    /// Also write the labels as a mapping file: one row per file (its exact path as the
    /// pattern), to correct and pass back with --labels.
    #[arg(long, value_name = "FILE.csv")]
    pub write: Option<PathBuf>,
}

/// How the p-values of many comparisons are adjusted (`--adjust`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum AdjustBy {
    /// Holm (1979): the family-wise error rate stays below alpha.
    #[default]
    Holm,
    /// Benjamini-Hochberg (1995): the false discovery rate stays below alpha.
    Bh,
    /// No adjustment: each comparison at level alpha.
    None,
}

/// What the compared arms are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum GroupBy {
    /// The platform with its detail: `kvm`, `qemu[raw]`, `docker`.
    #[default]
    Platform,
    /// The platform family: `native`, `container`, `vm` (kvm, qemu and vm runs pooled), or
    /// `unknown`.
    Family,
}

/// Options of the analysis, shared by analyse, audit and report.
#[derive(Debug, Args, Clone)]
pub struct StatsArgs {
    /// The platform every other platform is compared with [default: native]. A platform
    /// name matches that platform whatever its detail (`native` finds `native[host]`); give
    /// the detail (`native[a]`) when it has several. A name that matches no platform is an
    /// error.
    #[arg(long, value_name = "PLATFORM")]
    pub baseline: Option<String>,

    /// Confidence level of every interval, between 0 and 1.
    #[arg(long, default_value_t = 0.95, value_name = "LEVEL")]
    pub confidence: f64,

    /// Call a difference `equivalent` when two one-sided tests on the ratio show it within
    /// +/- this many percent (the 1 - 2 alpha interval lies inside the margin).
    #[arg(long = "equivalence-margin", value_name = "PCT")]
    pub equivalence_margin: Option<f64>,

    /// How the p-values of the primary metrics' comparisons are adjusted for their number
    /// (Holm: family-wise error; bh: false discovery rate; none).
    #[arg(long, value_enum, default_value_t, value_name = "METHOD")]
    pub adjust: AdjustBy,

    /// Also give, per comparison, the runs per side that would detect a change of this many
    /// percent with 80% power, from the observed variances.
    #[arg(long, value_name = "PCT")]
    pub detect: Option<f64>,

    /// Compare platforms (with their detail), or pool them by family (native, container, vm).
    #[arg(long = "group-by", value_enum, default_value_t, value_name = "WHAT")]
    pub group_by: GroupBy,
}

/// Where analyse, audit and report read a store, and which of its rows.
#[derive(Debug, Args, Clone, Default)]
pub struct StoreArgs {
    /// Read the rows of this store (written by `virtperf ingest --store`), with the inputs
    /// if any.
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,

    /// Only the store's rows where KEY=VALUE (keys: campaign, tool, platform, workload; a
    /// glob when VALUE holds * ? or [), or date>=YYYY-MM-DD / date<=YYYY-MM-DD (the day each
    /// file was last modified). Repeat a key for alternatives.
    #[arg(long = "where", value_name = "FILTER", requires = "store")]
    pub filters: Vec<String>,
}

/// `virtperf analyse`.
#[derive(Debug, Args)]
pub struct AnalyseArgs {
    /// Inputs (raw outputs, or tables written by `virtperf ingest`) and labels.
    #[command(flatten)]
    pub input: InputArgs,

    /// A store to read.
    #[command(flatten)]
    pub store: StoreArgs,

    /// Analysis options.
    #[command(flatten)]
    pub stats: StatsArgs,

    /// Folder for summary.csv, overhead.csv, checks.csv and subsystems.csv.
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,

    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `virtperf audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Inputs (raw outputs, or tables written by `virtperf ingest`) and labels.
    #[command(flatten)]
    pub input: InputArgs,

    /// A store to read.
    #[command(flatten)]
    pub store: StoreArgs,

    /// Analysis options.
    #[command(flatten)]
    pub stats: StatsArgs,
}

/// Options of the report files, shared by report and compare.
#[derive(Debug, Args, Clone, Default)]
pub struct ReportOutputArgs {
    /// Title of the report (default: says what is compared).
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,

    /// Folder with report.md.tera, report-details.md.tera and/or report.html.tera to use
    /// instead of the built-in templates (copy them from the project's templates/ folder).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,

    /// Also write context.json: everything the templates can use, for writing your own.
    #[arg(long)]
    pub dump_context: bool,

    /// Also write the headline and paper tables as LaTeX tabular files beside the figures
    /// (figures/headline.tex, figures/paper_table.tex).
    #[arg(long)]
    pub latex: bool,

    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `virtperf report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Inputs (raw outputs, or tables written by `virtperf ingest`) and labels.
    #[command(flatten)]
    pub input: InputArgs,

    /// A store to read.
    #[command(flatten)]
    pub store: StoreArgs,

    /// Analysis options.
    #[command(flatten)]
    pub stats: StatsArgs,

    /// Output folder (default: reports/<name of the first input>).
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Report options.
    #[command(flatten)]
    pub report: ReportOutputArgs,
}

/// `virtperf compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The campaigns, at least two: folders of raw outputs, tables from `virtperf ingest`, or
    /// with --store the names of campaigns in the store. The first is the baseline unless
    /// --baseline-campaign names another.
    #[arg(value_name = "CAMPAIGN", num_args = 2.., required = true)]
    pub campaigns: Vec<PathBuf>,

    /// The campaign every other one is compared with (default: the first).
    #[arg(long = "baseline-campaign", value_name = "NAME")]
    pub baseline_campaign: Option<String>,

    /// A store holding the campaigns named.
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,

    /// Only the store's rows where KEY=VALUE (as analyse takes it; campaign aside).
    #[arg(long = "where", value_name = "FILTER", requires = "store")]
    pub filters: Vec<String>,

    /// How the inputs of both campaigns are labelled and read.
    #[command(flatten)]
    pub label: LabelArgs,

    /// Confidence level of every interval, between 0 and 1.
    #[arg(long, default_value_t = 0.95, value_name = "LEVEL")]
    pub confidence: f64,

    /// Call a change `equivalent` when two one-sided tests on the ratio show it within +/- this
    /// many percent.
    #[arg(long = "equivalence-margin", value_name = "PCT")]
    pub equivalence_margin: Option<f64>,

    /// How the p-values of the primary metrics' comparisons are adjusted for their number.
    #[arg(long, value_enum, default_value_t, value_name = "METHOD")]
    pub adjust: AdjustBy,

    /// Also give the runs per side that would detect a change of this many percent.
    #[arg(long, value_name = "PCT")]
    pub detect: Option<f64>,

    /// Compare platform by platform (with their detail), or family by family (native,
    /// container, vm).
    #[arg(long = "group-by", value_enum, default_value_t, value_name = "WHAT")]
    pub group_by: GroupBy,

    /// Output folder (default: reports/<A>-vs-<B>).
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Report options.
    #[command(flatten)]
    pub report: ReportOutputArgs,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Opts::command().debug_assert();
    }
}
