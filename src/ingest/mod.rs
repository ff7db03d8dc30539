//! Reading raw benchmark outputs: one [`Parser`] per tool, recognised by content, never by
//! file name, and the batch driver that walks folders, labels every run and keeps going when a
//! file is bad.
//!
//! This module does not compute statistics or write tables; see [`crate::model`] for the
//! conversion to frames and [`crate::analyse`] for what is done with them.

pub(crate) mod command;
pub mod fio;
pub mod iperf3;
pub mod pidstat;
pub mod redis_benchmark;
pub mod sysbench;
mod tables;
pub(crate) mod text;
pub mod wrk;
pub(crate) mod wrk2;

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::digest::sha256_file;
use crate::error::{InputError, ParseError};
use crate::label::{FailedRun, Labeler};
use crate::model::{params_string, Companion, IngestedRun, Kind, Labels, LogIssue, Role, Run, HOST_PREFIX};

pub(crate) use tables::{declare_table, TableCells};

/// The kind the parsers declare for metric `metric` of tool `tool` (a pidstat log taken on the
/// host has `host_` before its names): for reading tables written before the metrics table
/// had a `kind` column. Every pidstat metric is a resource ([`pidstat::KIND`]), and so are
/// fio's [`fio::RESOURCE_METRICS`] and iperf3's [`iperf3::RESOURCE_METRICS`]; everything else
/// is performance.
pub fn declared_kind(tool: &str, metric: &str) -> Kind {
    let metric = metric.strip_prefix(HOST_PREFIX).unwrap_or(metric);
    match tool {
        "pidstat" => pidstat::KIND,
        "fio" if fio::RESOURCE_METRICS.contains(&metric) => Kind::Resource,
        "iperf3" if iperf3::RESOURCE_METRICS.contains(&metric) => Kind::Resource,
        _ => Kind::Performance,
    }
}

/// What a caller wants from a parse.
#[derive(Debug, Clone, Copy, Default)]
pub struct ParseOptions {
    /// Fill [`Run::series`] with per-interval samples. Off, parsers skip building them.
    pub series: bool,
}

/// A note about a file that did not stop it from being read: a run without results, a line
/// that looked like data but was not, a value that had to be assumed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// 1-based line the note is about.
    pub line: usize,
    /// The note, for people.
    pub message: String,
}

impl Diagnostic {
    /// Builds a note at `line`.
    pub(crate) fn new(line: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic { line, message: message.into() }
    }
}

/// What a parser found in one file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ParseOutput {
    /// The runs, in file order.
    pub runs: Vec<Run>,
    /// Notes that did not stop the parse.
    pub warnings: Vec<Diagnostic>,
}

/// A reader of one tool's output.
pub trait Parser: Sync {
    /// Name used by `--format` and in messages, e.g. `"sysbench"`.
    fn name(&self) -> &'static str;

    /// Returns true if and only if `head` (the first [`HEAD_BYTES`] of a file, `\r\n` kept)
    /// looks like this tool's output. Must be cheap and must not look at the file name.
    fn sniff(&self, head: &str) -> bool;

    /// Parses a whole file. Several runs in one file become several [`Run`]s in file order.
    ///
    /// Returns an error naming the line and what was expected when the file holds no usable
    /// run at all; a file with some usable runs returns them, with [`Diagnostic`]s (and
    /// [`crate::model::LogIssue`]s on the affected runs) for the rest. Never panics.
    fn parse(&self, text: &str, opts: &ParseOptions) -> Result<ParseOutput, ParseError>;

    /// Parses from a reader. The default reads everything (lossy UTF-8) and calls
    /// [`Parser::parse`]; parsers of large logs (pidstat) override it to stream.
    fn parse_reader(&self, reader: &mut dyn BufRead, opts: &ParseOptions) -> Result<ParseOutput, ParseError> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).map_err(|e| ParseError::new(1, format!("read failed: {e}")))?;
        self.parse(&text::lossy(&bytes), opts)
    }

    /// Makes again, for a run read back from a metrics table written before the declaration
    /// columns existed ([`declare_table`]), the declarations this parser makes while parsing
    /// that the table does not keep: the run's role, subsystem and primary metric, and which
    /// metric echoes a time limit, from its workload, params and metrics (names, units,
    /// directions, values). The default declares nothing: only the parsers of tables older
    /// than the columns need it.
    fn redeclare(&self, _run: &mut Run) {}

    /// Parses a large regular file (over [`STREAM_BYTES`]). The default streams it through
    /// [`Parser::parse_reader`]; pidstat reads it on all cores.
    fn parse_file(&self, file: &File, opts: &ParseOptions) -> Result<ParseOutput, ParseError> {
        let mut file = file;
        file.seek(SeekFrom::Start(0)).map_err(|e| ParseError::new(1, format!("read failed: {e}")))?;
        self.parse_reader(&mut BufReader::with_capacity(1 << 20, file), opts)
    }
}

/// How many bytes of a file [`Parser::sniff`] sees.
pub const HEAD_BYTES: usize = 64 * 1024;

/// Files larger than this are handed to [`Parser::parse_reader`] instead of being read whole.
pub(crate) const STREAM_BYTES: u64 = 32 * 1024 * 1024;

/// Every parser, in the order they are tried. More specific sniffs come first: a fio or wrk
/// file may quote a sysbench line, never the other way round. wrk's reader also reads wrk2's
/// runs (a file may hold both) and wrk's sniff accepts wrk2 output, so wrk2's entry comes last:
/// its sniff, which would only refuse what wrk's refused, is never paid for, and `--format
/// wrk2` finds it.
pub static PARSERS: &[&dyn Parser] = &[
    &fio::FioParser,
    &wrk::WrkParser,
    &iperf3::Iperf3Parser,
    &redis_benchmark::RedisBenchmarkParser,
    &pidstat::PidstatParser,
    &sysbench::SysbenchParser,
    &wrk2::Wrk2Parser,
];

/// Names of all parsers, comma separated, for messages.
pub(crate) fn parser_names() -> String {
    PARSERS.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ")
}

/// The parser called `name`, or [`InputError::UnknownFormat`].
pub(crate) fn parser_named(name: &str) -> Result<&'static dyn Parser, InputError> {
    PARSERS
        .iter()
        .copied()
        .find(|p| p.name().eq_ignore_ascii_case(name))
        .ok_or_else(|| InputError::UnknownFormat { name: name.to_string(), known: parser_names() })
}

/// The first parser whose sniff accepts `head`.
pub fn detect(head: &str) -> Option<&'static dyn Parser> {
    PARSERS.iter().copied().find(|p| p.sniff(head))
}

/// Settings of a batch ingest.
#[derive(Debug, Clone, Default)]
pub struct IngestConfig {
    /// Parse every file with this parser instead of sniffing.
    pub format: Option<String>,
    /// Collect per-interval series.
    pub series: bool,
    /// Compute each file's sha256 (for the report's appendix).
    pub hash: bool,
}

// What happened to one input file: the model's, so that the report lists files without
// knowing the ingester.
pub use crate::model::FileReport;

/// Everything a batch ingest produced.
#[derive(Debug, Default)]
pub struct Ingested {
    /// All runs of all files, files in path order, runs in file order.
    pub runs: Vec<IngestedRun>,
    /// One report per file, in path order.
    pub files: Vec<FileReport>,
    /// Errors, one per refused file.
    pub errors: Vec<InputError>,
}

impl Ingested {
    /// Returns true if and only if every input file was read without error.
    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Lists the files under `inputs` (files as given; folders walked, sorted, hidden entries and
/// `manifest.json` skipped), and apart the `manifest.json` files found in the folders.
pub(crate) fn collect_files(inputs: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<PathBuf>), InputError> {
    let mut files = Vec::new();
    let mut manifests = Vec::new();
    for input in inputs {
        let meta =
            std::fs::metadata(input).map_err(|e| InputError::Read { path: input.clone(), source: e })?;
        if meta.is_file() {
            files.push(input.clone());
            continue;
        }
        let walker = walkdir::WalkDir::new(input)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walker {
            let entry = entry.map_err(|e| InputError::Read {
                path: e.path().map(Path::to_path_buf).unwrap_or_else(|| input.clone()),
                source: e.into(),
            })?;
            if entry.file_type().is_file() {
                if entry.file_name() == "manifest.json" {
                    manifests.push(entry.into_path());
                } else {
                    files.push(entry.into_path());
                }
            }
        }
    }
    Ok((files, manifests))
}

/// Ingests every file under `inputs`: detect, parse, label, number the repetitions.
/// Bad files become [`Ingested::errors`]; the rest go through.
pub fn ingest(inputs: &[PathBuf], cfg: &IngestConfig, labeler: &Labeler) -> Result<Ingested, InputError> {
    let forced = match &cfg.format {
        Some(name) => Some(parser_named(name)?),
        None => None,
    };
    let (files, manifests) = collect_files(inputs)?;
    // Runs the manifests record as failed: their output may be missing or unreadable.
    let mut failed: HashMap<PathBuf, FailedRun> =
        labeler.failed_runs(inputs, &manifests).into_iter().map(|f| (f.output.clone(), f)).collect();
    let outcomes: Vec<(FileReport, Result<Vec<Run>, InputError>)> = files
        .par_iter()
        .map(|path| {
            let (report, mut result) = ingest_file(path, forced, cfg, labeler);
            // Every run is held until the table is written: no room to spare in each, nor in a
            // file's list of runs (a one-run file's list had room for four).
            if let Ok(runs) = &mut result {
                runs.shrink_to_fit();
            }
            for run in result.iter_mut().flatten() {
                run.metrics.shrink_to_fit();
                run.series.shrink_to_fit();
            }
            (report, result)
        })
        .collect();

    let mut out = Ingested::default();
    out.files.reserve_exact(outcomes.len());
    out.runs.reserve_exact(outcomes.iter().map(|(_, r)| r.as_ref().map_or(0, Vec::len)).sum());
    for (mut report, result) in outcomes {
        let path = PathBuf::from(&report.source);
        let result = match (result, failed.remove(&path)) {
            // A failed run's output that cannot be read is that run's failure, not a bad input.
            (Err(e), Some(f)) => {
                let why = format!("its output could not be read ({e})");
                out.runs.push(failed_run(&f, &report.labels, &why));
                report.error = None;
                report.runs = 1;
                out.files.push(report);
                continue;
            }
            // The pidstat log beside a failed run: the run's failure is reported once, on
            // its output; that the log is cut short follows from it.
            (Err(e), None) if report.labels.run_failed.is_some() && report.labels.companion.is_some() => {
                report.warnings.push(format!("{e} (the log of a run that failed; not read)"));
                report.error = None;
                out.files.push(report);
                continue;
            }
            (result, _) => result,
        };
        match result {
            Ok(runs) => {
                let mut reps: HashMap<(String, String), usize> = HashMap::new();
                let mut of_key: HashMap<(String, String), usize> = HashMap::new();
                for run in &runs {
                    *of_key.entry((run.workload.clone(), params_string(&run.params))).or_insert(0) += 1;
                }
                for (i, mut run) in runs.into_iter().enumerate() {
                    // On the benchmark's output only, not again on the pidstat logs beside it.
                    if let (Some(status), None) = (&report.labels.run_failed, &report.labels.companion) {
                        run.issues.push(LogIssue {
                            line: run.first_line,
                            kind: "run_failed".into(),
                            message: format!("manifest.json records this run as {status}"),
                        });
                    }
                    let key = (run.workload.clone(), params_string(&run.params));
                    let once = of_key.get(&key) == Some(&1);
                    let rep = reps.entry(key).or_insert(0);
                    *rep += 1;
                    // A run of a file of `virtperf run` takes the repetition its manifest records,
                    // unless the file holds other runs of the same work (then they are counted):
                    // a one-run file, or one with a run per test (redis-benchmark's).
                    let repetition = match report.labels.repetition {
                        Some(r) if once => r,
                        _ => *rep,
                    };
                    out.runs.push(IngestedRun {
                        source: report.source.clone(),
                        run: i + 1,
                        repetition,
                        labels: report.labels.clone(),
                        data: run,
                        companion: None,
                    });
                }
            }
            Err(e) => out.errors.push(e),
        }
        out.files.push(report);
    }
    // Failed runs that left no output file at all (never started, killed before writing).
    let mut missing: Vec<FailedRun> = failed.into_values().filter(|f| !f.output.exists()).collect();
    missing.sort_by(|a, b| a.output.cmp(&b.output));
    for f in missing {
        let labels = labeler.label(&f.output);
        out.runs.push(failed_run(&f, &labels, "it left no output file"));
        out.files.push(FileReport {
            source: f.output.display().to_string(),
            bytes: 0,
            sha256: None,
            parser: None,
            runs: 1,
            labels,
            error: None,
            warnings: Vec::new(),
        });
    }
    pair_pidstat_logs(&mut out);
    Ok(out)
}

/// A run the manifest records as failed, with no numbers: its workload is the plan's name
/// (its output was never read), and its one issue says what the manifest and stderr say.
fn failed_run(f: &FailedRun, labels: &Labels, why: &str) -> IngestedRun {
    let status = labels.run_failed.as_deref().unwrap_or("failed");
    // A measured command's failed run sits in its workload's group, as its good runs.
    let workload = match labels.measure {
        Some(_) => command::workload_of(&f.workload),
        None => f.workload.clone(),
    };
    let mut run = Run::new(&f.tool, workload, 1);
    run.issues.push(LogIssue {
        line: 1,
        kind: "run_failed".into(),
        message: format!("manifest.json records this run as {status}; {why}"),
    });
    IngestedRun {
        source: f.output.display().to_string(),
        run: 1,
        repetition: labels.repetition.unwrap_or(1),
        labels: labels.clone(),
        data: run,
        companion: None,
    }
}

/// Gives each monitor's log (pidstat) recorded beside a benchmark's output the workload,
/// params, subsystem and repetition of that run, so that its CPU, memory and I/O figures land
/// in the benchmark's group, and says so in its [`Companion`]. The pair comes from the
/// manifest of `virtperf run` (`output`, `pidstat`, `host_pidstat`), else from the file names:
/// `rep1.pidstat` beside `rep1.txt` (same folder, same stem). The runs are paired in file order
/// when both files hold as many; otherwise the log is left as it is. What pidstat summed stays
/// in [`Run::monitored`] (its `process` param gives way to the benchmark's params); host-side
/// logs get `host_` in front of their metric names and no primary metric (what the host saw is
/// never the group's headline).
fn pair_pidstat_logs(out: &mut Ingested) {
    let is_pidstat = |r: &IngestedRun| r.data.role == Role::Monitor;
    // Benchmark sources, by path and by (folder, stem).
    let mut by_source: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in out.runs.iter().enumerate() {
        if !is_pidstat(r) {
            by_source.entry(r.source.as_str()).or_default().push(i);
        }
    }
    let stem_key = |source: &str| {
        let p = Path::new(source);
        (p.parent().map(Path::to_path_buf), p.file_stem().map(|s| s.to_os_string()))
    };
    let mut by_stem: HashMap<_, Vec<&str>> = HashMap::new();
    for source in by_source.keys() {
        by_stem.entry(stem_key(source)).or_default().push(source);
    }
    let mut logs: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, r) in out.runs.iter().enumerate() {
        if is_pidstat(r) {
            logs.entry(r.source.clone()).or_default().push(i);
        }
    }
    let mut moves: Vec<(usize, usize, bool)> = Vec::new();
    for (log, idx) in &logs {
        let labels = &out.runs[idx[0]].labels;
        let companion = match &labels.companion {
            Some(path) => Some(path.display().to_string()),
            None => match by_stem.get(&stem_key(log)).map(Vec::as_slice) {
                Some([one]) => Some(one.to_string()),
                _ => None,
            },
        };
        let Some(bench) = companion.as_deref().and_then(|c| by_source.get(c)) else { continue };
        if bench.len() == idx.len() {
            moves.extend(idx.iter().zip(bench).map(|(&p, &b)| (p, b, labels.host_side)));
        } else if let [b] = bench.as_slice() {
            moves.extend(idx.iter().map(|&p| (p, *b, labels.host_side)));
        }
    }
    for (p, b, host_side) in moves {
        let (workload, params, repetition, source, subsystem) = {
            let b = &out.runs[b];
            let d = &b.data;
            (d.workload.clone(), d.params.clone(), b.repetition, b.source.clone(), d.subsystem)
        };
        let run = &mut out.runs[p];
        run.data.params = params;
        run.data.workload = workload;
        run.data.subsystem = subsystem;
        run.repetition = repetition;
        run.companion = Some(Companion { beside: source, host_side });
        if host_side {
            run.data.primary = None;
            for m in &mut run.data.metrics {
                m.name = format!("{HOST_PREFIX}{}", m.name).into();
            }
            for s in &mut run.data.series {
                s.metric = format!("{HOST_PREFIX}{}", s.metric);
            }
        }
    }
}

/// Reads, detects and parses one file.
fn ingest_file(
    path: &Path,
    forced: Option<&'static dyn Parser>,
    cfg: &IngestConfig,
    labeler: &Labeler,
) -> (FileReport, Result<Vec<Run>, InputError>) {
    let labels = labeler.label(path);
    // The output of a command whose plan declares what it measures is read for that alone.
    let command = labels.measure.clone().map(|m| {
        let workload = labeler.plan_workload(path).unwrap_or_else(|| "unknown".to_string());
        command::CommandParser::new(m, &workload)
    });
    let mut report = FileReport {
        source: path.display().to_string(),
        bytes: 0,
        sha256: None,
        parser: None,
        runs: 0,
        labels,
        error: None,
        warnings: Vec::new(),
    };
    let result = match &command {
        Some(parser) => parse_whole(path, parser, cfg, &mut report),
        None => parse_file(path, forced, cfg, &mut report),
    };
    match &result {
        Ok(runs) => report.runs = runs.len(),
        Err(e) => report.error = Some(e.to_string()),
    }
    (report, result)
}

/// Reads the whole file at `path` with `parser`, which no sniff chose (a measured command's
/// output: empty or not, it is what the measure is looked for in).
fn parse_whole(
    path: &Path,
    parser: &dyn Parser,
    cfg: &IngestConfig,
    report: &mut FileReport,
) -> Result<Vec<Run>, InputError> {
    let read_err = |e| InputError::Read { path: path.to_path_buf(), source: e };
    let bytes = std::fs::read(path).map_err(read_err)?;
    report.bytes = bytes.len() as u64;
    if cfg.hash {
        report.sha256 = Some(sha256_file(path).map_err(read_err)?);
    }
    report.parser = Some(parser.name());
    let opts = ParseOptions { series: cfg.series };
    let out = parser.parse(&text::lossy(&bytes), &opts).map_err(|inner| InputError::Parse {
        path: path.to_path_buf(),
        parser: parser.name(),
        inner,
    })?;
    report.warnings =
        out.warnings.iter().map(|d| format!("{}:{}: {}", path.display(), d.line, d.message)).collect();
    Ok(out.runs)
}

fn parse_file(
    path: &Path,
    forced: Option<&'static dyn Parser>,
    cfg: &IngestConfig,
    report: &mut FileReport,
) -> Result<Vec<Run>, InputError> {
    let read_err = |e| InputError::Read { path: path.to_path_buf(), source: e };
    let file = File::open(path).map_err(read_err)?;
    let size = file.metadata().map_err(read_err)?.len();
    report.bytes = size;
    if size == 0 {
        return Err(InputError::Empty { path: path.to_path_buf(), known: parser_names() });
    }
    if cfg.hash {
        report.sha256 = Some(sha256_file(path).map_err(read_err)?);
    }
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut head = Vec::with_capacity(HEAD_BYTES.min(size as usize));
    (&mut reader).take(HEAD_BYTES as u64).read_to_end(&mut head).map_err(read_err)?;
    let head_text = text::lossy(&head);
    if head_text.trim().is_empty() && size <= HEAD_BYTES as u64 {
        return Err(InputError::Undetected {
            path: path.to_path_buf(),
            line: 1,
            found: "only blank lines".into(),
            known: parser_names(),
        });
    }
    let parser = match forced.or_else(|| detect(&head_text)) {
        Some(p) => p,
        None => {
            let (line, first) =
                text::numbered_lines(&head_text).find(|(_, l)| !l.trim().is_empty()).unwrap_or((1, ""));
            let found = if head.contains(&0) {
                "binary data".to_string()
            } else {
                format!("it starts with {}", text::quote(first))
            };
            return Err(InputError::Undetected {
                path: path.to_path_buf(),
                line,
                found,
                known: parser_names(),
            });
        }
    };
    report.parser = Some(parser.name());
    let opts = ParseOptions { series: cfg.series };
    let parsed = if size > STREAM_BYTES {
        parser.parse_file(reader.get_ref(), &opts)
    } else {
        let mut bytes = head;
        reader.read_to_end(&mut bytes).map_err(read_err)?;
        parser.parse(&text::lossy(&bytes), &opts)
    };
    let out = parsed.map_err(|inner| InputError::Parse {
        path: path.to_path_buf(),
        parser: parser.name(),
        inner,
    })?;
    report.warnings =
        out.warnings.iter().map(|d| format!("{}:{}: {}", path.display(), d.line, d.message)).collect();
    Ok(out.runs)
}
