//! What each subcommand does, from parsed options to files and exit status. The binary only
//! parses arguments and prints errors; everything else is here so tests can call it.

mod report_input;

use std::io::Write;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use crate::analyse::{self, AnalyseConfig, Analysis, Dataset, Severity};
use crate::cli::{
    AnalyseArgs, AuditArgs, Command, CompareArgs, GroupBy, IngestArgs, InputArgs, LabelsArgs, Opts,
    ReportArgs, StatsArgs,
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
        Command::Run(args) => crate::exec::cli::run(args),
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
    let ingested = read_inputs(&args.input, args.series.is_some(), false, args.quiet)?;
    ensure_found(&args.input.inputs, &ingested, 0)?;
    // Written in batches: a frame of every row at once took more memory than the runs.
    let rows = table::write_batches(&args.out, table::metrics_frames(&ingested.runs))?;
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
            args.out.display()
        );
    }
    Ok(if ingested.ok() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_BAD_INPUT) })
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
    /// The platform family of every source file read (raw or in a table).
    pub families: std::collections::BTreeMap<String, String>,
}

impl Loaded {
    /// Makes each file's family its arm when `by` says so (`--group-by family`).
    pub fn group(&mut self, by: GroupBy) {
        if by == GroupBy::Family {
            analyse::regroup(&mut self.dataset, &self.families);
        }
    }
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
    let mut families: std::collections::BTreeMap<String, String> =
        ingested.files.iter().map(|f| (f.source.clone(), f.labels.platform_family.clone())).collect();
    dataset.unreadable = ingested
        .errors
        .iter()
        .map(|e| (e.path().map(|p| p.display().to_string()).unwrap_or_default(), e.to_string()))
        .collect();
    let table_rows: usize = tables.iter().map(|(_, t)| t.rows()).sum();
    ensure_found(&input.inputs, &ingested, table_rows)?;
    let mut counts = Counts::of_ingest(&ingested);
    for (path, t) in &tables {
        counts =
            counts.add(t.counts().with_context(|| format!("could not read table '{}'", path.display()))?);
    }
    for (path, t) in tables {
        let more = t.dataset().with_context(|| format!("could not read table '{}'", path.display()))?;
        families.extend(t.families().with_context(|| format!("could not read table '{}'", path.display()))?);
        dataset.obs.extend(more.obs);
        dataset.unlabelled.extend(more.unlabelled);
        dataset.issues.extend(more.issues);
    }
    let ok = ingested.ok();
    Ok(Loaded { dataset, ingested, ok, counts, families })
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
    Ok(AnalyseConfig {
        baseline: s.baseline.clone().unwrap_or_else(|| AnalyseConfig::default().baseline),
        confidence: s.confidence,
        margin_pct: s.equivalence_margin,
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
    let mut loaded = load(&args.input, false, false, args.quiet)?;
    loaded.group(args.stats.group_by);
    resolve_baseline(&mut cfg, &loaded.dataset, args.stats.baseline.is_some(), args.stats.group_by)?;
    let a = analyse::analyse(&loaded.dataset, &cfg);
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
    Ok(if loaded.ok { ExitCode::SUCCESS } else { ExitCode::from(EXIT_BAD_INPUT) })
}

fn audit_cmd(args: AuditArgs) -> Result<ExitCode> {
    let mut cfg = analyse_config(&args.stats)?;
    let mut loaded = load(&args.input, false, false, true)?;
    loaded.group(args.stats.group_by);
    resolve_baseline(&mut cfg, &loaded.dataset, args.stats.baseline.is_some(), args.stats.group_by)?;
    let a = analyse::analyse(&loaded.dataset, &cfg);
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
    Ok(if a.failed() || !loaded.ok { ExitCode::from(EXIT_BAD_INPUT) } else { ExitCode::SUCCESS })
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
    let out = args.out.clone().unwrap_or_else(|| default_out(&args.input.inputs[0]));
    let mut loaded = load(&args.input, true, true, args.report.quiet)?;
    loaded.group(args.stats.group_by);
    resolve_baseline(&mut cfg, &loaded.dataset, args.stats.baseline.is_some(), args.stats.group_by)?;
    let a = analyse::analyse(&loaded.dataset, &cfg);
    table::write_analysis(&a, &out)?;
    let (mut runs, mut files) = report_input::platform_views(&loaded.ingested);
    if args.stats.group_by == GroupBy::Family {
        runs.iter_mut().for_each(|r| r.arm = family_of(&loaded.families, &r.source));
        files.iter_mut().for_each(|f| f.arm = family_of(&loaded.families, &f.report.source));
    }
    let input = report::ReportInput {
        analysis: a,
        runs,
        files,
        inputs: args.input.inputs.iter().map(|p| p.display().to_string()).collect(),
        mode: report::Mode::Platforms,
        title: args.report.title.clone(),
        generator: format!("virtperf {}", env!("CARGO_PKG_VERSION")),
    };
    finish_report(&input, &out, &args.report, loaded.ok)
}

fn compare_cmd(args: CompareArgs) -> Result<ExitCode> {
    use crate::report;
    use report_input::{as_campaign, campaign_names, campaign_views, merge};
    let cfg = analyse_config(&StatsArgs {
        baseline: None,
        confidence: args.confidence,
        equivalence_margin: args.equivalence_margin,
        group_by: args.group_by,
    })?;
    report::Templates::load(args.report.templates.as_deref())?;
    let (name_a, name_b) = campaign_names(&args.a, &args.b);
    let out = args.out.clone().unwrap_or_else(|| {
        std::path::Path::new("reports").join(report::text::slug(&format!("{name_a}-vs-{name_b}")))
    });
    let side =
        |path: &std::path::Path| InputArgs { inputs: vec![path.to_path_buf()], label: args.label.clone() };
    let mut la = load(&side(&args.a), true, true, args.report.quiet)?;
    let mut lb = load(&side(&args.b), true, true, args.report.quiet)?;
    la.group(args.group_by);
    lb.group(args.group_by);
    let ok = la.ok && lb.ok;
    let mut ds = as_campaign(la.dataset, &name_a);
    merge(&mut ds, as_campaign(lb.dataset, &name_b));
    let cfg = AnalyseConfig { baseline: name_a.clone(), ..cfg };
    let a = analyse::analyse(&ds, &cfg);
    table::write_analysis(&a, &out)?;
    let (mut runs, mut files) = campaign_views(&la.ingested, &name_a);
    let (mut rb, fb) = campaign_views(&lb.ingested, &name_b);
    if args.group_by == GroupBy::Family {
        runs.iter_mut().for_each(|r| r.stratum = family_of(&la.families, &r.source));
        rb.iter_mut().for_each(|r| r.stratum = family_of(&lb.families, &r.source));
    }
    runs.extend(rb);
    files.extend(fb);
    let input = report::ReportInput {
        analysis: a,
        runs,
        files,
        inputs: vec![args.a.display().to_string(), args.b.display().to_string()],
        mode: report::Mode::Campaigns,
        title: args.report.title.clone(),
        generator: format!("virtperf {}", env!("CARGO_PKG_VERSION")),
    };
    finish_report(&input, &out, &args.report, ok)
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
