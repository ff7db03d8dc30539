//! What the analysis reads: a [`Dataset`] of observations ([`Obs`], one value of one metric of
//! one run), the problems the logs report ([`RunIssue`]), the files that could not be read or
//! labelled, and how each file's platform was decided ([`LabelSource`]).
//!
//! Built from ingested runs here ([`Dataset::from_runs`]), or from a table by `crate::table`.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde::Serialize;

use crate::model::{params_string, Better, Declared, IngestedRun, Kind, LabelOrigin, Labels};

/// What the observations of one run share: where the run is, what it ran, and the arm it
/// counts under. Held once per run behind an `Arc` ([`Obs::run_info`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    /// Source file.
    pub source: Arc<str>,
    /// Run index within the source.
    pub run: u32,
    /// Tool name.
    pub tool: Arc<str>,
    /// Tool version, when known.
    pub tool_version: Option<Arc<str>>,
    /// Workload, e.g. `sysbench.cpu`.
    pub workload: Arc<str>,
    /// Canonical params string.
    pub params: Arc<str>,
    /// What is compared: the platform (with its detail), or the campaign in `compare`.
    pub arm: Arc<str>,
    /// Extra grouping that is not compared across (the platform in `compare`), else empty.
    pub stratum: Arc<str>,
    /// Repetition number.
    pub repetition: u32,
    /// First line of the run in its source.
    pub first_line: u64,
    /// The run's round, when a manifest labelled its file: its repetition, as `virtperf run`
    /// records it (repetition r of every platform and workload lies in round r). From a table
    /// or the store, the `repetition` of a run whose `label_origin` is `manifest`. Runs
    /// without one are never paired.
    pub round: Option<u32>,
    /// The platform family of its file (`platform_family`), `unknown` when none is known.
    pub family: Arc<str>,
}

/// What the observations of one metric share: its name, unit, direction and what its parser
/// declared. Held once per distinct declaration behind an `Arc` ([`Obs::metric_info`]).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricInfo {
    /// Metric name.
    pub metric: String,
    /// Unit.
    pub unit: String,
    /// Better direction.
    pub better: Better,
    /// Performance or resource.
    pub kind: Kind,
    /// What the parser declared about the metric and its run: role, subsystem, primary,
    /// percentile, time limit.
    pub declared: Declared,
}

/// One value of one metric of one run: the run's and the metric's shared parts, and the value
/// (three words: a selection of millions of rows holds each run's and metric's strings once).
#[derive(Debug, Clone, PartialEq)]
pub struct Obs {
    /// The run.
    pub run_info: Arc<RunInfo>,
    /// The metric.
    pub metric_info: Arc<MetricInfo>,
    /// Value.
    pub value: f64,
}

impl Obs {
    /// Source file.
    pub fn source(&self) -> &str {
        &self.run_info.source
    }
    /// Run index within the source.
    pub fn run(&self) -> u32 {
        self.run_info.run
    }
    /// Tool name.
    pub fn tool(&self) -> &str {
        &self.run_info.tool
    }
    /// Tool version, when known.
    pub fn tool_version(&self) -> Option<&str> {
        self.run_info.tool_version.as_deref()
    }
    /// Workload.
    pub fn workload(&self) -> &str {
        &self.run_info.workload
    }
    /// Canonical params string.
    pub fn params(&self) -> &str {
        &self.run_info.params
    }
    /// The arm.
    pub fn arm(&self) -> &str {
        &self.run_info.arm
    }
    /// The stratum, else empty.
    pub fn stratum(&self) -> &str {
        &self.run_info.stratum
    }
    /// Repetition number.
    pub fn repetition(&self) -> u32 {
        self.run_info.repetition
    }
    /// First line of the run in its source.
    pub fn first_line(&self) -> u64 {
        self.run_info.first_line
    }
    /// Metric name.
    pub fn metric(&self) -> &str {
        &self.metric_info.metric
    }
    /// Unit.
    pub fn unit(&self) -> &str {
        &self.metric_info.unit
    }
    /// Better direction.
    pub fn better(&self) -> Better {
        self.metric_info.better
    }
    /// Performance or resource.
    pub fn kind(&self) -> Kind {
        self.metric_info.kind
    }
    /// What the parser declared.
    pub fn declared(&self) -> &Declared {
        &self.metric_info.declared
    }
}

/// One observation spelled out, field by field: how tests and small callers make an [`Obs`]
/// (`Obs::from(row)`, which shares nothing).
#[derive(Debug, Clone, PartialEq)]
pub struct ObsRow {
    /// Source file.
    pub source: String,
    /// Run index within the source.
    pub run: u32,
    /// Tool name.
    pub tool: String,
    /// Tool version, when known.
    pub tool_version: Option<String>,
    /// Workload, e.g. `sysbench.cpu`.
    pub workload: String,
    /// Canonical params string.
    pub params: String,
    /// The arm.
    pub arm: String,
    /// The stratum, else empty.
    pub stratum: String,
    /// Repetition number.
    pub repetition: u32,
    /// First line of the run in its source.
    pub first_line: u64,
    /// Metric name.
    pub metric: String,
    /// Unit.
    pub unit: String,
    /// Better direction.
    pub better: Better,
    /// Performance or resource.
    pub kind: Kind,
    /// Value.
    pub value: f64,
    /// What the parser declared.
    pub declared: Declared,
}

impl From<ObsRow> for Obs {
    fn from(r: ObsRow) -> Obs {
        Obs {
            run_info: Arc::new(RunInfo {
                source: r.source.into(),
                run: r.run,
                tool: r.tool.into(),
                tool_version: r.tool_version.map(Into::into),
                workload: r.workload.into(),
                params: r.params.into(),
                arm: r.arm.into(),
                stratum: r.stratum.into(),
                repetition: r.repetition,
                first_line: r.first_line,
                round: None,
                family: "unknown".into(),
            }),
            metric_info: Arc::new(MetricInfo {
                metric: r.metric,
                unit: r.unit,
                better: r.better,
                kind: r.kind,
                declared: r.declared,
            }),
            value: r.value,
        }
    }
}

/// Each distinct string and metric declaration once, for the observations of a dataset
/// (`Arc`s that equal values share).
#[derive(Debug, Clone, Default)]
pub(crate) struct Interner {
    strings: foldhash::HashSet<Arc<str>>,
    metrics: foldhash::HashMap<String, Vec<Arc<MetricInfo>>>,
}

impl Interner {
    /// The shared copy of `s`.
    pub(crate) fn str(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.strings.get(s) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s);
        self.strings.insert(a.clone());
        a
    }

    /// The shared copy of `m`.
    pub(crate) fn metric(&mut self, m: MetricInfo) -> Arc<MetricInfo> {
        let same = self.metrics.entry(m.metric.clone()).or_default();
        if let Some(a) = same.iter().find(|a| ***a == m) {
            return a.clone();
        }
        let a = Arc::new(m);
        same.push(a.clone());
        a
    }
}

/// A problem a log reports about one run (socket errors, fio err, FATAL, truncated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunIssue {
    /// Source file.
    pub source: String,
    /// Line in the source.
    pub line: usize,
    /// Workload of the run.
    pub workload: String,
    /// Canonical params of the run.
    pub params: String,
    /// Stratum of the run (the platform in `compare`), else empty.
    pub stratum: String,
    /// Arm (platform) of the run.
    pub arm: String,
    /// The platform family of its file (its arm under `--group-by family`).
    pub family: String,
    /// Kind, as in [`crate::model::LogIssue::kind`].
    pub kind: String,
    /// What the log says.
    pub message: String,
}

/// Everything the analysis reads.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// All observations.
    pub obs: Vec<Obs>,
    /// Problems reported inside the logs.
    pub issues: Vec<RunIssue>,
    /// Files that could not be read at all: `(source, message)`.
    pub(crate) unreadable: Vec<(String, String)>,
    /// Files labelled `unknown`.
    pub(crate) unlabelled: Vec<String>,
    /// How each raw file's platform was decided (empty for tables), for the `mixed_labels`
    /// check.
    pub(crate) label_sources: Vec<LabelSource>,
    /// The strings and metric declarations its observations share.
    pub(crate) interner: Interner,
}

/// How one file's platform was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LabelSource {
    /// Source file.
    pub source: String,
    /// The arm its runs count under.
    pub arm: String,
    /// Its platform label.
    pub platform: String,
    /// Its platform family (its arm under `--group-by family`).
    pub family: String,
    /// Where the label came from (`path`, `manifest`, `mapping`, `cli`, `unknown`).
    pub origin: LabelOrigin,
    /// For a path label: the word that decided, lowercase.
    pub word: String,
    /// For a path label: how far the component with the word is from the file (0: the name).
    pub depth: usize,
    /// For a path label: the path up to and including that component.
    pub prefix: String,
}

impl LabelSource {
    /// How file `source`, labelled `labels`, got its platform; its arm is its platform label.
    pub(crate) fn of(source: &str, labels: &Labels) -> LabelSource {
        let (word, depth, prefix) = match &labels.path_word {
            Some(w) => (w.word.to_lowercase(), w.depth, w.prefix.clone()),
            None => (String::new(), 0, String::new()),
        };
        LabelSource {
            source: source.to_string(),
            arm: arm_name(&labels.platform, &labels.platform_detail),
            platform: labels.platform.clone(),
            family: labels.platform_family.clone(),
            origin: labels.origin,
            word,
            depth,
            prefix,
        }
    }
}

/// The arm name of a platform with its detail: `qemu` or `qemu[raw,config1]`.
pub(crate) fn arm_name(platform: &str, detail: &str) -> String {
    if detail.is_empty() {
        platform.to_string()
    } else {
        format!("{platform}[{detail}]")
    }
}

impl Dataset {
    /// Builds a dataset from ingested runs, comparing platforms.
    pub fn from_runs(runs: &[IngestedRun]) -> Dataset {
        let mut ds = Dataset::default();
        let mut unlabelled = BTreeSet::new();
        for r in runs {
            let arm = arm_name(&r.labels.platform, &r.labels.platform_detail);
            if r.labels.origin == LabelOrigin::Unknown {
                unlabelled.insert(r.source.clone());
            }
            let params = params_string(&r.data.params);
            // The run's repetition is the manifest's when the manifest gave one (ingest).
            let manifest = r.labels.repetition.is_some() && r.labels.origin == LabelOrigin::Manifest;
            let it = &mut ds.interner;
            let run_info = Arc::new(RunInfo {
                source: r.source.as_str().into(),
                run: r.run as u32,
                tool: it.str(&r.data.tool),
                tool_version: r.data.tool_version.as_deref().map(|v| it.str(v)),
                workload: it.str(&r.data.workload),
                params: it.str(&params),
                arm: it.str(&arm),
                stratum: it.str(""),
                repetition: r.repetition as u32,
                first_line: r.data.first_line as u64,
                round: manifest.then_some(r.repetition as u32),
                family: it.str(&r.labels.platform_family),
            });
            for m in &r.data.metrics {
                let metric_info = ds.interner.metric(MetricInfo {
                    metric: m.name.to_string(),
                    unit: m.unit.to_string(),
                    better: m.better,
                    kind: m.kind,
                    declared: Declared::of(&r.data, m),
                });
                ds.obs.push(Obs { run_info: run_info.clone(), metric_info, value: m.value });
            }
            for i in &r.data.issues {
                ds.issues.push(RunIssue {
                    source: r.source.clone(),
                    line: i.line,
                    workload: r.data.workload.clone(),
                    params: params.clone(),
                    stratum: String::new(),
                    arm: arm.clone(),
                    family: r.labels.platform_family.clone(),
                    kind: i.kind.clone(),
                    message: i.message.clone(),
                });
            }
        }
        ds.unlabelled = unlabelled.into_iter().collect();
        ds
    }

    /// All arms, sorted.
    pub(crate) fn arms(&self) -> Vec<String> {
        self.arm_names().into_iter().map(str::to_string).collect()
    }

    /// All arms, sorted, borrowed. Each run's arm is looked at once (the observations of a
    /// run share its `RunInfo`, and come together): a store selection holds 10 million.
    pub(crate) fn arm_names(&self) -> BTreeSet<&str> {
        distinct_by_stretch(&self.obs, |o| Arc::as_ptr(&o.run_info), Obs::arm)
    }

    /// Gives each run of the observations the run `f` makes of it: `f` sees each distinct
    /// run once, and the observations of one run keep sharing it.
    pub(crate) fn rewrite_runs(&mut self, mut f: impl FnMut(&mut RunInfo, &mut Interner)) {
        // Keyed by address; the old run is kept in the map so that its address is not reused.
        let mut done: HashMap<*const RunInfo, (Arc<RunInfo>, Arc<RunInfo>)> = HashMap::new();
        for o in &mut self.obs {
            let (_, new) = done.entry(Arc::as_ptr(&o.run_info)).or_insert_with(|| {
                let mut r = (*o.run_info).clone();
                f(&mut r, &mut self.interner);
                (o.run_info.clone(), Arc::new(r))
            });
            o.run_info = new.clone();
        }
    }
}

/// The distinct values `value` gives `obs`, asked of the first observation of each stretch
/// whose `shared` part is the same (its run's or its metric's record, a shared string): what a
/// run or a declaration holds is looked at once per stretch, not once per observation.
pub(crate) fn distinct_by_stretch<O, P: PartialEq, V: Ord>(
    obs: impl IntoIterator<Item = O>,
    shared: impl Fn(&O) -> P,
    value: impl Fn(O) -> V,
) -> BTreeSet<V> {
    let mut out = BTreeSet::new();
    let mut last = None;
    for o in obs {
        let at = shared(&o);
        if last.as_ref() != Some(&at) {
            last = Some(at);
            out.insert(value(o));
        }
    }
    out
}

/// Gives every observation, log issue and labelled file its file's platform family as its arm
/// (`--group-by family`).
pub(crate) fn regroup(ds: &mut Dataset) {
    ds.rewrite_runs(|r, _| r.arm = r.family.clone());
    for i in &mut ds.issues {
        i.arm.clone_from(&i.family);
    }
    for l in &mut ds.label_sources {
        l.arm.clone_from(&l.family);
    }
}
