//! What a report is handed: the analysis, and views of the runs and files it was made from
//! ([`RunView`], [`FileView`]), built by the caller (`commands`) from what it ingested. The
//! report reads nothing else: it never ingests, labels or runs anything itself.

use std::collections::BTreeMap;

use crate::analyse::Analysis;
use crate::model::{FileReport, IngestedRun, Role, Sample};

/// What the arms of a report are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Platforms of one campaign (`virtperf report`).
    Platforms,
    /// Two campaigns, each arm a campaign and each stratum a platform (`virtperf compare`).
    Campaigns,
}

/// One run as the report needs it: its arm and stratum, facts and series.
#[derive(Debug, Clone, Default)]
pub struct RunView {
    /// Arm: the platform (with detail), or the campaign in `compare`.
    pub arm: String,
    /// Stratum: the platform in `compare`, else empty.
    pub stratum: String,
    /// Source file.
    pub source: String,
    /// Tool.
    pub tool: String,
    /// Tool version, when known.
    pub tool_version: Option<String>,
    /// Workload.
    pub workload: String,
    /// Canonical params.
    pub params: String,
    /// Facts the output states (`host`, `kernel`, `date`, ...).
    pub facts: BTreeMap<String, String>,
    /// Per-interval samples.
    pub series: Vec<Sample>,
    /// A monitor's log (pidstat), not a benchmark run ([`Role::Monitor`]).
    pub monitor: bool,
    /// For a monitor's log paired with a benchmark's run: that run's source
    /// ([`crate::model::Companion::beside`]).
    pub beside: Option<String>,
    /// For a monitor's log: the process whose rows its figures sum
    /// ([`crate::model::Run::monitored`]); `None` for every process.
    pub monitored: Option<String>,
    /// For a monitor's log: the series it declares drawn, with their titles
    /// ([`crate::model::Run::drawn_series`]).
    pub drawn_series: &'static [(&'static str, &'static str)],
    /// The run failed as a whole ([`crate::model::Run::failed`]).
    pub failed: bool,
    /// A pidstat log taken on the host of the VM or container, not inside it.
    pub host_side: bool,
    /// The platform's factors from a plan's `[platform.matrix]` (`cpus` -> `2`), as the
    /// manifest records them ([`crate::model::Labels::factors`]); empty otherwise.
    pub factors: BTreeMap<String, String>,
    /// The platform's kind in `virtperf run` (`docker`), empty when no manifest said.
    pub platform_kind: String,
}

impl RunView {
    /// A view of `r` compared as `arm` within `stratum`.
    pub(crate) fn new(r: &IngestedRun, arm: String, stratum: String) -> RunView {
        RunView {
            arm,
            stratum,
            source: r.source.clone(),
            tool: r.data.tool.clone(),
            tool_version: r.data.tool_version.clone(),
            workload: r.data.workload.clone(),
            params: crate::model::params_string(&r.data.params),
            facts: r.data.facts.clone(),
            series: r.data.series.clone(),
            monitor: r.data.role == Role::Monitor,
            beside: r.companion.as_ref().map(|c| c.beside.clone()),
            monitored: r.data.monitored.clone(),
            drawn_series: r.data.drawn_series,
            failed: r.data.failed(),
            host_side: r.labels.host_side,
            factors: r.labels.factors.clone(),
            platform_kind: r.labels.platform_kind.clone(),
        }
    }
}

/// One input file as the report lists it.
#[derive(Debug, Clone)]
pub struct FileView {
    /// The campaign the file belongs to in `compare`, else empty.
    pub campaign: String,
    /// The arm its runs were compared as.
    pub arm: String,
    /// What ingest said about it.
    pub report: FileReport,
}

/// Everything a report is made from.
#[derive(Debug, Clone)]
pub struct ReportInput {
    /// The analysis.
    pub analysis: Analysis,
    /// The runs (empty for inputs that were tables).
    pub runs: Vec<RunView>,
    /// The files read.
    pub files: Vec<FileView>,
    /// The inputs as given on the command line.
    pub inputs: Vec<String>,
    /// What the arms are.
    pub mode: Mode,
    /// The title, if the user gave one.
    pub title: Option<String>,
    /// `virtperf <version>`.
    pub generator: String,
}
