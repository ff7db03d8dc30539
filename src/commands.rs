//! What each subcommand does, from parsed options to files and exit status. The binary only
//! parses arguments and prints errors; everything else is here so tests can call it.

mod report_input;
mod store_io;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use crate::analyse::{self, AnalyseConfig, Analysis, Dataset, Severity};
use crate::cli::{
    AdjustBy, AnalyseArgs, AuditArgs, Command, CompareArgs, GroupBy, IngestArgs, InputArgs, LabelsArgs, Opts,
    ReportArgs, StatsArgs, StoreArgs,
};
use crate::ingest::{self, IngestConfig, Ingested};
use crate::label::{LabelSet, Labeler};
use crate::model;
use crate::table::{self, Counts, MetricsTable};

use crate::model::exit::EXIT_BAD_INPUT;

/// Runs the command `opts` names.
pub fn run(opts: Opts) -> Result<ExitCode> {
    match opts.command {
        Command::Ingest(args) => ingest_cmd(args),
        Command::Labels(args) => labels_cmd(args),
        Command::Analyse(args) => analyse_cmd(args),
        Command::Audit(args) => audit_cmd(args),
        Command::Report(args) => report_cmd(args),
        Command::Compare(args) => compare_cmd(args),
        Command::Run(args) => crate::exec::cli::run(args, primary_values),
        Command::Lab(args) => crate::exec::cli::lab(args),
    }
}

/// Reads the inputs named by `input`, printing every refused file and every warning to
/// stderr.
pub fn read_inputs(input: &InputArgs, series: bool, hash: bool, quiet: bool) -> Result<Ingested> {
    read_inputs_with(input, series, hash, quiet, true)
}

fn read_inputs_with(
    input: &InputArgs,
    series: bool,
    hash: bool,
    quiet: bool,
    print_errors: bool,
) -> Result<Ingested> {
    let mut set = LabelSet::default();
    for kv in &input.label.labels {
        set.parse_assignment(kv)?;
    }
    let labeler = Labeler::new(set, input.label.label_file.as_deref())?;
    let cfg = IngestConfig { format: input.label.format.clone(), series, hash };
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
                    "virtperf: warning: {}: {}; labelled 'unknown' (use --label platform=NAME or a \
                     --labels file; `virtperf labels` lists every file's label)",
                    f.source, f.labels.how
                );
            }
        }
    }
    if print_errors {
        for e in &ingested.errors {
            let _ = writeln!(err, "virtperf: error: {e}");
        }
    }
    Ok(ingested)
}

/// Fails with [`crate::error::NoInput`] when `files` raw files and `rows` table rows were
/// found in all of `inputs` together.
fn ensure_found(inputs: &[std::path::PathBuf], ingested: &Ingested, table_rows: usize) -> Result<()> {
    if !ingested.files.is_empty() || table_rows > 0 {
        return Ok(());
    }
    let what = inputs
        .iter()
        .map(|p| {
            let what = if p.is_dir() {
                "a folder: no files in it; hidden files and manifest.json are skipped".to_string()
            } else if MetricsTable::read(p).is_some() {
                "a table with no rows".to_string()
            } else {
                "a file".to_string()
            };
            (p.clone(), what)
        })
        .collect::<Vec<_>>();
    Err(crate::error::NoInput::new(&what, ingest::parser_names()).into())
}

fn ingest_cmd(args: IngestArgs) -> Result<ExitCode> {
    require_inputs(&args.input, false)?;
    let mut ingested = read_inputs(&args.input, args.series.is_some(), args.store.is_some(), args.quiet)?;
    ensure_found(&args.input.inputs, &ingested, 0)?;
    if let Some(out) = &args.out {
        // Written in batches: a frame of every row at once took more memory than the runs.
        let rows = table::write_batches(out, table::metrics_frames(&ingested.runs))?;
        if let Some(path) = &args.series {
            table::write_batches(path, table::series_frames(&ingested.runs))?;
        }
        if !args.quiet {
            let files_ok = ingested.files.len() - ingested.errors.len();
            eprintln!(
                "virtperf: {} runs, {} metric rows from {} of {} files -> {}",
                ingested.runs.len(),
                rows,
                files_ok,
                ingested.files.len(),
                out.display()
            );
        }
    }
    if let Some(dir) = &args.store {
        let ok = ingested.ok();
        let s = store_io::ingest_into(dir, &args.input.inputs, args.campaign.as_deref(), &mut ingested)?;
        if !args.quiet {
            let campaigns = s.campaigns.iter().cloned().collect::<Vec<_>>().join(", ");
            let n = |k: usize, one: &str| format!("{k} {one}{}", if k == 1 { "" } else { "s" });
            eprintln!(
                "virtperf: store {}: {} added, {} replaced, {} unchanged; {} in {}{}",
                dir.display(),
                n(s.added, "file"),
                s.replaced,
                s.unchanged,
                n(s.rows, "metric row"),
                n(s.parts, "part file"),
                match s.campaigns.len() {
                    0 => String::new(),
                    1 => format!(" (campaign {campaigns})"),
                    _ => format!(" (campaigns {campaigns})"),
                }
            );
        }
        return Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(EXIT_BAD_INPUT) });
    }
    Ok(if ingested.ok() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_BAD_INPUT) })
}

/// A usage error when `input` names no file or folder (and no store is read, `store`).
fn require_inputs(input: &InputArgs, store: bool) -> Result<()> {
    if input.inputs.is_empty() && !store {
        bail!(
            "no input: give at least one file or folder (DIR_OR_FILE){}",
            if store { "" } else { ", or a store to read with --store DIR where the command takes one" }
        );
    }
    Ok(())
}

/// The tool whose output `path` holds, as the ingester would recognise it from the file's
/// first bytes (or `forced`), or `None` when no parser does or it cannot be read.
fn sniff_file(path: &std::path::Path, forced: Option<&'static dyn ingest::Parser>) -> Option<&'static str> {
    use std::io::Read;
    let mut head = Vec::new();
    let file = std::fs::File::open(path).ok()?;
    file.take(ingest::HEAD_BYTES as u64).read_to_end(&mut head).ok()?;
    if head.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    forced.or_else(|| ingest::detect(&ingest::text::lossy(&head))).map(|p| p.name())
}

fn labels_cmd(args: LabelsArgs) -> Result<ExitCode> {
    require_inputs(&args.input, false)?;
    let mut set = LabelSet::default();
    for kv in &args.input.label.labels {
        set.parse_assignment(kv)?;
    }
    let labeler = Labeler::new(set, args.input.label.label_file.as_deref())?;
    let forced = args.input.label.format.as_deref().map(ingest::parser_named).transpose()?;
    let (files, _manifests) = ingest::collect_files(&args.input.inputs)?;
    let rows: Vec<(String, model::Labels, Option<&'static str>)> =
        files.iter().map(|p| (p.display().to_string(), labeler.label(p), sniff_file(p, forced))).collect();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let arm = |l: &model::Labels| analyse::arm_name(&l.platform, &l.platform_detail);
    let pwidth = rows.iter().map(|r| arm(&r.1).chars().count()).max().unwrap_or(8).max(8);
    writeln!(out, "{:pwidth$}  {:9}  {:8}  {:8}  FILE: WHY", "PLATFORM", "FAMILY", "ORIGIN", "READ AS")?;
    for (source, l, tool) in &rows {
        writeln!(
            out,
            "{:pwidth$}  {:9}  {:8}  {:8}  {source}: {}",
            arm(l),
            l.platform_family,
            l.origin.as_str(),
            tool.unwrap_or("-"),
            l.how
        )?;
    }
    let outputs = rows.iter().filter(|r| r.2.is_some()).count();
    let unknown = rows.iter().filter(|r| r.2.is_some() && r.1.origin == model::LabelOrigin::Unknown).count();
    writeln!(
        out,
        "\n{} files, {outputs} of them recognised as benchmark outputs (READ AS); {unknown} of those got no \
         platform{}",
        rows.len(),
        if unknown > 0 {
            ": give them one with --label or --labels (--write makes a file to edit)"
        } else {
            "."
        }
    )?;
    if let Some(path) = &args.write {
        let mapping: Vec<(String, model::Labels)> = rows.iter().map(|r| (r.0.clone(), r.1.clone())).collect();
        crate::label::write_mapping(path, &mapping)?;
        writeln!(
            out,
            "Wrote {} rows to {}; pass it back with --labels {}",
            mapping.len(),
            path.display(),
            path.display()
        )?;
    }
    Ok(if unknown == 0 { ExitCode::SUCCESS } else { ExitCode::from(EXIT_BAD_INPUT) })
}

/// Everything the analysis commands read: raw outputs (ingested) and ingested tables.
pub(crate) struct Loaded {
    /// The observations.
    pub dataset: Dataset,
    /// The raw ingest (files, runs), empty when only tables were given.
    pub ingested: Ingested,
    /// Returns true if and only if every input was read.
    pub ok: bool,
    /// What was read, raw files and tables together.
    pub counts: Counts,
}

impl Loaded {
    /// Makes each file's family its arm when `by` says so (`--group-by family`).
    pub fn group(&mut self, by: GroupBy) {
        if by == GroupBy::Family {
            analyse::regroup(&mut self.dataset);
        }
    }

    /// The platform family of every source file read: each raw file's, then each run's of a
    /// table or the store (made when asked: a store's selection names 800,000 files).
    pub fn families(&self) -> std::collections::BTreeMap<String, String> {
        let mut out: std::collections::BTreeMap<String, String> = self
            .ingested
            .files
            .iter()
            .map(|f| (f.source.clone(), f.labels.platform_family.clone()))
            .collect();
        // Once per run, in the order of the observations (a later run of one file decides):
        // before the analysis, which puts them cell by cell.
        let ds = &self.dataset;
        for run in crate::analyse::stretch_starts(ds.obs.runs(), |&&r| r) {
            let r = &ds.runs[*run as usize];
            out.insert(r.source.to_string(), ds.setting(r).family.to_string());
        }
        out
    }
}

/// [`load`] (when `input` names any), then the rows `store` selects (`--store`, `--where`).
pub(crate) fn load_store(
    input: &InputArgs,
    store: &StoreArgs,
    series: bool,
    hash: bool,
    quiet: bool,
) -> Result<Loaded> {
    require_inputs(input, store.store.is_some())?;
    let mut loaded = if input.inputs.is_empty() {
        Loaded {
            dataset: Dataset::default(),
            ingested: Ingested::default(),
            ok: true,
            counts: Counts::default(),
        }
    } else {
        load(input, series, hash, quiet)?
    };
    if let Some(dir) = &store.store {
        store_io::add_selected(&mut loaded, dir, &store.filters)?;
    }
    Ok(loaded)
}

/// Reads raw outputs and tables named by `input`.
/// Input errors are printed to stderr unless `quiet` (they are also in the checks).
pub(crate) fn load(input: &InputArgs, series: bool, hash: bool, quiet: bool) -> Result<Loaded> {
    let mut tables = Vec::new();
    let mut raw = input.clone();
    raw.inputs.clear();
    for p in &input.inputs {
        match MetricsTable::read(p) {
            Some(t) => tables.push((p.clone(), t)),
            None => raw.inputs.push(p.clone()),
        }
    }
    let ingested = if raw.inputs.is_empty() {
        Ingested::default()
    } else {
        read_inputs_with(&raw, series, hash, quiet, !quiet)?
    };
    let mut dataset = Dataset::from_runs(&ingested.runs);
    dataset.label_sources = ingested
        .files
        .iter()
        .filter(|f| f.error.is_none() && f.runs > 0)
        .map(|f| analyse::LabelSource::of(&f.source, &f.labels))
        .collect();
    dataset.unreadable = ingested
        .errors
        .iter()
        .map(|e| (e.path().map(|p| p.display().to_string()).unwrap_or_default(), e.to_string()))
        .collect();
    let table_rows: usize = tables.iter().map(|(_, t)| t.rows()).sum();
    ensure_found(&input.inputs, &ingested, table_rows)?;
    let mut counts = Counts::of_ingest(&ingested);
    for (path, t) in tables {
        let (n, mut more) =
            t.counts_and_dataset().with_context(|| format!("could not read table '{}'", path.display()))?;
        counts = counts.add(n);
        dataset.append_obs(&mut more);
        dataset.unlabelled.extend(more.unlabelled);
        dataset.issues.extend(more.issues);
    }
    let ok = ingested.ok();
    Ok(Loaded { dataset, ingested, ok, counts })
}

/// The analysis settings from the command line, validated.
pub fn analyse_config(s: &StatsArgs) -> Result<AnalyseConfig> {
    if !(s.confidence > 0.0 && s.confidence < 1.0) {
        bail!("--confidence must be between 0 and 1 (exclusive), e.g. 0.95; got {}", s.confidence);
    }
    if let Some(m) = s.equivalence_margin {
        if !(m.is_finite() && m > 0.0) {
            bail!("--equivalence-margin must be a positive percentage, e.g. 2; got {m}");
        }
    }
    if let Some(d) = s.detect {
        if !(d.is_finite() && d > 0.0) {
            bail!("--detect must be a positive percentage, e.g. 5; got {d}");
        }
    }
    Ok(AnalyseConfig {
        baseline: s.baseline.clone().unwrap_or_else(|| AnalyseConfig::default().baseline),
        confidence: s.confidence,
        margin_pct: s.equivalence_margin,
        adjust: match s.adjust {
            AdjustBy::Holm => crate::stats::Adjust::Holm,
            AdjustBy::Bh => crate::stats::Adjust::Bh,
            AdjustBy::None => crate::stats::Adjust::None,
        },
        detect_pct: s.detect,
        ..AnalyseConfig::default()
    })
}

/// Sets `cfg.baseline` to the arm of `ds` it names ([`analyse::resolve_baseline`]). A baseline
/// the user gave (`explicit`) that names no single arm is a usage error listing the platforms;
/// the default one is left as it is, and the analysis' `no_baseline` check says so.
pub fn resolve_baseline(cfg: &mut AnalyseConfig, ds: &Dataset, explicit: bool, by: GroupBy) -> Result<()> {
    let arms = ds.arms();
    if arms.is_empty() {
        return Ok(());
    }
    match analyse::resolve_baseline(&cfg.baseline, &arms) {
        Ok(arm) => cfg.baseline = arm,
        Err(e) if explicit && by == GroupBy::Family => {
            let family = crate::label::family_of(&cfg.baseline);
            let hint = if arms.iter().any(|a| a == family) {
                format!(": '{}' is in family '{family}', so --baseline {family}", cfg.baseline)
            } else {
                String::new()
            };
            bail!("--baseline: {e} (with --group-by family the platforms compared are families{hint})")
        }
        Err(e) if explicit => bail!("--baseline: {e}"),
        Err(_) => {}
    }
    Ok(())
}

/// Prints the checks, most severe first, one line each (plus the files concerned).
pub fn print_checks(a: &Analysis, out: &mut dyn Write, with_sources: bool) -> std::io::Result<()> {
    for c in &a.checks {
        let sev = match c.severity {
            Severity::Fail => "FAIL",
            Severity::Warning => "warn",
            Severity::Info => "info",
        };
        let mut what = c.workload.clone();
        if !c.platform.is_empty() {
            if !what.is_empty() {
                what.push_str(" / ");
            }
            what.push_str(&c.platform);
        }
        if what.is_empty() {
            writeln!(out, "{sev} {:<15} {}", c.check, c.detail)?;
        } else {
            writeln!(out, "{sev} {:<15} {what}: {}", c.check, c.detail)?;
        }
        if with_sources {
            for s in c.sources.iter().take(6) {
                writeln!(out, "       {s}")?;
            }
            if c.sources.len() > 6 {
                writeln!(out, "       ... and {} more", c.sources.len() - 6)?;
            }
        }
    }
    Ok(())
}

/// Prints the change and cost ratio of every primary metric, with its verdict: one line per
/// comparison.
pub fn print_overhead(a: &Analysis, out: &mut dyn Write) -> std::io::Result<()> {
    let rows: Vec<_> = a.overhead.iter().filter(|r| r.primary).collect();
    if rows.is_empty() {
        return writeln!(out, "No platform could be compared with the baseline '{}'.", a.baseline);
    }
    writeln!(
        out,
        "Change of each primary metric against {} ({:.0}% intervals) and cost ratio (x2 = twice the time per unit of work):",
        a.baseline,
        a.confidence * 100.0
    )?;
    for r in rows {
        let text = crate::report::text::change_text(r);
        let cost = crate::report::text::cost_text(r).replace('×', "x");
        let params = if r.params.is_empty() {
            String::new()
        } else {
            format!(" [{}]", crate::text::display_params(&r.params))
        };
        writeln!(
            out,
            "  {}{params} {}: {} {text}, {cost} ({} vs {} runs) -> {}",
            r.workload, r.platform, r.metric, r.n, r.baseline_n, r.verdict
        )?;
    }
    Ok(())
}

fn analyse_cmd(args: AnalyseArgs) -> Result<ExitCode> {
    let mut cfg = analyse_config(&args.stats)?;
    let mut loaded = load_store(&args.input, &args.store, false, false, args.quiet)?;
    loaded.group(args.stats.group_by);
    resolve_baseline(&mut cfg, &loaded.dataset, args.stats.baseline.is_some(), args.stats.group_by)?;
    let a = analyse::analyse(&mut loaded.dataset, &cfg);
    table::write_analysis(&a, &args.out)?;
    if !args.quiet {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        print_overhead(&a, &mut out)?;
        if !a.checks.is_empty() {
            writeln!(out)?;
            print_checks(&a, &mut out, false)?;
        }
        writeln!(
            out,
            "\nWrote summary.csv ({} rows), overhead.csv ({}), checks.csv ({}), subsystems.csv ({}) to {}",
            a.summary.len(),
            a.overhead.len(),
            a.checks.len(),
            a.subsystems.len(),
            args.out.display()
        )?;
    }
    let code = if loaded.ok { ExitCode::SUCCESS } else { ExitCode::from(EXIT_BAD_INPUT) };
    left_to_exit((loaded, a));
    Ok(code)
}

/// Leaves `data`, the inputs and analysis of a command that has written its output and is
/// about to end, to the operating system, which takes a process's memory back at once:
/// freeing them piece by piece (a 1,000-campaign store's 800,000 runs with their file names,
/// its 10 million observations) took a quarter of a second after the tables were written.
fn left_to_exit<T>(data: T) {
    std::mem::forget(data);
}

fn audit_cmd(args: AuditArgs) -> Result<ExitCode> {
    let mut cfg = analyse_config(&args.stats)?;
    let mut loaded = load_store(&args.input, &args.store, false, false, true)?;
    loaded.group(args.stats.group_by);
    resolve_baseline(&mut cfg, &loaded.dataset, args.stats.baseline.is_some(), args.stats.group_by)?;
    let a = analyse::analyse(&mut loaded.dataset, &cfg);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(out, "Audited {}; platforms: {}", counts_text(&loaded.counts), a.platforms.join(", "))?;
    if a.checks.is_empty() {
        writeln!(out, "No check fired.")?;
    } else {
        print_checks(&a, &mut out, true)?;
        let fails = a.checks.iter().filter(|c| c.severity == Severity::Fail).count();
        let warns = a.checks.iter().filter(|c| c.severity == Severity::Warning).count();
        writeln!(out, "\n{fails} failed, {warns} warnings")?;
    }
    let code = if a.failed() || !loaded.ok { ExitCode::from(EXIT_BAD_INPUT) } else { ExitCode::SUCCESS };
    left_to_exit((loaded, a));
    Ok(code)
}

/// `200 files: 75 benchmark runs (3 failed), 125 monitor logs`.
fn counts_text(c: &Counts) -> String {
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut text = format!(
        "{}: {}",
        plural(c.files, "file", "files"),
        plural(c.runs, "benchmark run", "benchmark runs")
    );
    if c.failed > 0 {
        text.push_str(&format!(" ({} failed)", c.failed));
    }
    if c.monitor_logs > 0 {
        text.push_str(&format!(
            ", {}",
            plural(c.monitor_logs, "monitor log (pidstat)", "monitor logs (pidstat)")
        ));
    }
    text
}

// ---------------------------------------------------------------------------------------------
// report and compare

/// The default output folder: `reports/<name>` where name is the last component of `input`
/// (the current folder's name for `.`), a table's without its extension.
fn default_out(input: &std::path::Path) -> std::path::PathBuf {
    let abs = if input.as_os_str().is_empty() || input == std::path::Path::new(".") {
        std::env::current_dir().unwrap_or_else(|_| input.to_path_buf())
    } else {
        input.to_path_buf()
    };
    let name = if abs.is_file() { abs.file_stem() } else { abs.file_name() };
    let name = name
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "report".into());
    std::path::Path::new("reports").join(crate::report::text::slug(&name))
}

fn report_cmd(args: ReportArgs) -> Result<ExitCode> {
    use crate::report;
    let mut cfg = analyse_config(&args.stats)?;
    // Templates are checked before anything is read: a broken one is a usage error.
    report::Templates::load(args.report.templates.as_deref())?;
    let first = args.input.inputs.first().or(args.store.store.as_ref());
    let out = args.out.clone().unwrap_or_else(|| default_out(first.map_or(std::path::Path::new("."), |p| p)));
    let mut loaded = load_store(&args.input, &args.store, true, true, args.report.quiet)?;
    // Before grouping: a table's runs are shown under their platforms.
    let (table_runs, table_files) = report_input::table_views(&loaded.dataset, &loaded.ingested);
    loaded.group(args.stats.group_by);
    resolve_baseline(&mut cfg, &loaded.dataset, args.stats.baseline.is_some(), args.stats.group_by)?;
    // Before the analysis, which puts the observations cell by cell.
    let families = (args.stats.group_by == GroupBy::Family).then(|| loaded.families());
    let a = analyse::analyse(&mut loaded.dataset, &cfg);
    table::write_analysis(&a, &out)?;
    let (mut runs, mut files) = report_input::platform_views(&loaded.ingested);
    runs.extend(table_runs);
    files.extend(table_files);
    if let Some(families) = families {
        runs.iter_mut().for_each(|r| r.arm = family_of(&families, &r.source));
        files.iter_mut().for_each(|f| f.arm = family_of(&families, &f.report.source));
    }
    let input = report::ReportInput {
        analysis: a,
        runs,
        files,
        inputs: args
            .input
            .inputs
            .iter()
            .map(|p| p.display().to_string())
            .chain(args.store.store.as_deref().map(|d| store_io::describe(d, &args.store.filters)))
            .collect(),
        mode: report::Mode::Platforms,
        title: args.report.title.clone(),
        generator: format!("virtperf {}", env!("CARGO_PKG_VERSION")),
    };
    let code = finish_report(&input, &out, &args.report, loaded.ok);
    left_to_exit((loaded, input));
    code
}

fn compare_cmd(args: CompareArgs) -> Result<ExitCode> {
    use crate::report;
    use report_input::{as_campaign, campaign_names, campaign_views, merge};
    let mut cfg = analyse_config(&StatsArgs {
        baseline: None,
        confidence: args.confidence,
        equivalence_margin: args.equivalence_margin,
        adjust: args.adjust,
        detect: args.detect,
        group_by: args.group_by,
    })?;
    report::Templates::load(args.report.templates.as_deref())?;
    // A campaign named with --store is the store's when it holds one of that name.
    let mut in_store = Vec::new();
    for c in &args.campaigns {
        let name = c.to_string_lossy();
        in_store.push(match &args.store {
            Some(dir) => store_io::has_campaign(dir, &name)?,
            None => false,
        });
    }
    let names: Vec<String> = campaign_names(&args.campaigns)
        .into_iter()
        .zip(&args.campaigns)
        .zip(&in_store)
        .map(|((n, c), &s)| if s { c.to_string_lossy().into_owned() } else { n })
        .collect();
    let baseline = match &args.baseline_campaign {
        None => names[0].clone(),
        Some(b) if names.contains(b) => b.clone(),
        Some(b) => {
            bail!("--baseline-campaign: '{b}' is not one of the campaigns compared: {}", names.join(", "))
        }
    };
    let out = args.out.clone().unwrap_or_else(|| {
        let others: Vec<&str> = names.iter().filter(|n| **n != baseline).map(String::as_str).collect();
        std::path::Path::new("reports")
            .join(report::text::slug(&format!("{baseline}-vs-{}", others.join("-"))))
    });
    let mut ok = true;
    let mut ds = Dataset::default();
    let (mut runs, mut files) = (Vec::new(), Vec::new());
    for ((path, name), &from_store) in args.campaigns.iter().zip(&names).zip(&in_store) {
        let mut loaded = if from_store {
            let mut filters = args.filters.clone();
            filters.push(format!("campaign={name}"));
            let store = StoreArgs { store: args.store.clone(), filters };
            load_store(
                &InputArgs { inputs: Vec::new(), label: args.label.clone() },
                &store,
                true,
                true,
                args.report.quiet,
            )?
        } else {
            let side = InputArgs { inputs: vec![path.clone()], label: args.label.clone() };
            load(&side, true, true, args.report.quiet)?
        };
        // What only a table or the store holds, under its platform before grouping.
        let (table_runs, table_files) = report_input::table_views(&loaded.dataset, &loaded.ingested);
        loaded.group(args.group_by);
        ok &= loaded.ok;
        let families = (args.group_by == GroupBy::Family).then(|| loaded.families());
        merge(&mut ds, as_campaign(loaded.dataset, name));
        let (mut r, mut f) = campaign_views(&loaded.ingested, name);
        r.extend(table_runs.into_iter().map(|t| report::RunView { stratum: t.arm, arm: name.clone(), ..t }));
        f.extend(table_files.into_iter().map(|t| report::FileView {
            campaign: name.clone(),
            arm: name.clone(),
            ..t
        }));
        if let Some(families) = families {
            r.iter_mut().for_each(|r| r.stratum = family_of(&families, &r.source));
        }
        runs.extend(r);
        files.extend(f);
    }
    // Each campaign against the baseline: with more than one such comparison, every interval
    // and verdict is at the Bonferroni-adjusted level, so that all of them hold together at the
    // level asked for.
    let comparisons = names.len() - 1;
    let mut title = args.report.title.clone();
    if comparisons > 1 {
        let asked = cfg.confidence;
        cfg.confidence = 1.0 - (1.0 - asked) / comparisons as f64;
        let others: Vec<&str> = names.iter().filter(|n| **n != baseline).map(String::as_str).collect();
        title = title.or_else(|| {
            Some(format!(
                "Campaign comparison: {} against {baseline} ({}% intervals: {}% adjusted for {comparisons} comparisons, Bonferroni)",
                others.join(", "),
                pct(cfg.confidence),
                pct(asked),
            ))
        });
    }
    let cfg = AnalyseConfig { baseline, ..cfg };
    let a = analyse::analyse(&mut ds, &cfg);
    table::write_analysis(&a, &out)?;
    let input = report::ReportInput {
        analysis: a,
        runs,
        files,
        inputs: args
            .campaigns
            .iter()
            .zip(&in_store)
            .map(|(c, &s)| match (&args.store, s) {
                (Some(dir), true) => store_io::describe(dir, &[format!("campaign={}", c.display())]),
                _ => c.display().to_string(),
            })
            .collect(),
        mode: report::Mode::Campaigns,
        title,
        generator: format!("virtperf {}", env!("CARGO_PKG_VERSION")),
    };
    let code = finish_report(&input, &out, &args.report, ok);
    left_to_exit((ds, input));
    code
}

/// `level` (0.975) as a percentage without trailing zeros (`97.5`).
fn pct(level: f64) -> String {
    let s = format!("{:.4}", level * 100.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The family of `source` in `families`, `unknown` when it is not there.
fn family_of(families: &std::collections::BTreeMap<String, String>, source: &str) -> String {
    families.get(source).cloned().unwrap_or_else(|| "unknown".into())
}

fn finish_report(
    input: &crate::report::ReportInput,
    out: &std::path::Path,
    opts: &crate::cli::ReportOutputArgs,
    inputs_ok: bool,
) -> Result<ExitCode> {
    use crate::report;
    let wo = report::WriteOptions {
        out,
        templates: opts.templates.as_deref(),
        dump_context: opts.dump_context,
        latex: opts.latex,
    };
    let (ctx, written) = report::generate(input, &wo)?;
    if !opts.quiet {
        let figures = written.iter().filter(|p| p.extension().is_some_and(|e| e == "svg")).count();
        eprintln!(
            "virtperf: {} workloads, {} checks fired ({} failed), {} figures -> {}",
            ctx.workloads.len(),
            ctx.threats.len(),
            ctx.failed_checks,
            figures,
            out.join("report.html").display()
        );
        if ctx.unreadable_files > 0 {
            eprintln!(
                "virtperf: {} input files could not be read; the report lists them (exit status 1)",
                ctx.unreadable_files
            );
        }
    }
    Ok(if inputs_ok { ExitCode::SUCCESS } else { ExitCode::from(EXIT_BAD_INPUT) })
}

/// The primary metric of each run of each of `files` that the ingester reads (labelled by the manifest
/// above them, so a `command` workload's declared measure is found): for `virtperf run`'s
/// precision on demand.
fn primary_values(files: &[PathBuf]) -> BTreeMap<PathBuf, Vec<(String, f64)>> {
    let Ok(labeler) = Labeler::new(LabelSet::default(), None) else { return BTreeMap::new() };
    let cfg = IngestConfig { format: None, series: false, hash: false };
    let Ok(ingested) = ingest::ingest(files, &cfg, &labeler) else { return BTreeMap::new() };
    let mut runs: BTreeMap<PathBuf, Vec<(usize, String, f64)>> = BTreeMap::new();
    for r in &ingested.runs {
        let Some(name) = r.data.primary.as_deref() else { continue };
        if let Some(m) = r.data.metrics.iter().find(|m| m.name == name) {
            runs.entry(PathBuf::from(&r.source)).or_default().push((r.run, name.to_string(), m.value));
        }
    }
    runs.into_iter()
        .map(|(f, mut v)| {
            v.sort_by_key(|(run, _, _)| *run);
            (f, v.into_iter().map(|(_, name, value)| (name, value)).collect())
        })
        .collect()
}
