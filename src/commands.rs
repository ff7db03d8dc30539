//! What each subcommand does, from parsed options to files and exit status. The binary only
//! parses arguments and prints errors; everything else is here so tests can call it.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{Command, IngestArgs, InputArgs, Opts};
use crate::ingest::{self, IngestConfig, Ingested};
use crate::label::{LabelSet, Labeler};
use crate::{model, table};

/// Exit status when some input was bad but the rest went through.
pub const EXIT_BAD_INPUT: u8 = 1;

/// Runs the command `opts` names.
pub fn run(opts: Opts) -> Result<ExitCode> {
    match opts.command {
        Command::Ingest(args) => ingest_cmd(args),
        Command::Run(args) => crate::exec::cli::run(args),
        Command::Lab(args) => crate::exec::cli::lab(args),
    }
}

/// Reads the inputs named by `input`, printing every refused file and every warning to
/// stderr.
pub fn read_inputs(input: &InputArgs, series: bool, hash: bool, quiet: bool) -> Result<Ingested> {
    let mut set = LabelSet::default();
    for kv in &input.labels {
        set.parse_assignment(kv)?;
    }
    let labeler = Labeler::new(set, input.label_file.as_deref())?;
    let cfg = IngestConfig { format: input.format.clone(), series, hash };
    let ingested = ingest::ingest(&input.inputs, &cfg, &labeler)?;
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for f in &ingested.files {
        if !quiet {
            for w in &f.warnings {
                let _ = writeln!(err, "virtperf: warning: {w}");
            }
            if f.error.is_none() && f.labels.origin == model::LabelOrigin::Unknown {
                let _ = writeln!(
                    err,
                    "virtperf: warning: {}: no platform in the path or labels; labelled 'unknown' \
                     (use --label platform=NAME or a --labels file)",
                    f.source
                );
            }
        }
    }
    for e in &ingested.errors {
        let _ = writeln!(err, "virtperf: error: {e}");
    }
    Ok(ingested)
}

fn ingest_cmd(args: IngestArgs) -> Result<ExitCode> {
    let ingested = read_inputs(&args.input, args.series.is_some(), false, args.quiet)?;
    let mut metrics = model::metrics_frame(&ingested.runs)?;
    table::write_frame(&mut metrics, &args.out)?;
    if let Some(path) = &args.series {
        let mut series = model::series_frame(&ingested.runs)?;
        table::write_frame(&mut series, path)?;
    }
    if !args.quiet {
        let files_ok = ingested.files.len() - ingested.errors.len();
        eprintln!(
            "virtperf: {} runs, {} metric rows from {} of {} files -> {}",
            ingested.runs.len(),
            metrics.height(),
            files_ok,
            ingested.files.len(),
            args.out.display()
        );
    }
    Ok(if ingested.ok() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_BAD_INPUT) })
}
