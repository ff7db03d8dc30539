//! What the analysis reads: a [`Dataset`] of observations ([`Obs`], one value of one metric of
//! one run), the problems the logs report ([`RunIssue`]), the files that could not be read or
//! labelled, and how each file's platform was decided ([`LabelSource`]).
//!
//! Built from ingested runs here ([`Dataset::from_runs`]), or from a table by `crate::table`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::{params_string, Better, Declared, IngestedRun, Kind, LabelOrigin, Labels};

/// One value of one metric of one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Obs {
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
    /// What is compared: the platform (with its detail), or the campaign in `compare`.
    pub arm: String,
    /// Extra grouping that is not compared across (the platform in `compare`), else empty.
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
    /// What the parser declared about the metric and its run: role, subsystem, primary,
    /// percentile, time limit.
    pub declared: Declared,
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
    /// The round of each run (by source and run index) of a file a manifest labelled: its
    /// repetition, as `virtperf run` records it (repetition r of every platform and workload
    /// lies in round r). From a table or the store, the `repetition` of the rows whose
    /// `label_origin` is `manifest`. Runs without one are never paired.
    pub(crate) rounds: BTreeMap<(String, u32), u32>,
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
            if r.labels.repetition.is_some() && r.labels.origin == LabelOrigin::Manifest {
                ds.rounds.insert((r.source.clone(), r.run as u32), r.repetition as u32);
            }
            for m in &r.data.metrics {
                ds.obs.push(Obs {
                    source: r.source.clone(),
                    run: r.run as u32,
                    tool: r.data.tool.clone(),
                    tool_version: r.data.tool_version.clone(),
                    workload: r.data.workload.clone(),
                    params: params.clone(),
                    arm: arm.clone(),
                    stratum: String::new(),
                    repetition: r.repetition as u32,
                    first_line: r.data.first_line as u64,
                    metric: m.name.to_string(),
                    unit: m.unit.to_string(),
                    better: m.better,
                    kind: m.kind,
                    value: m.value,
                    declared: Declared::of(&r.data, m),
                });
            }
            for i in &r.data.issues {
                ds.issues.push(RunIssue {
                    source: r.source.clone(),
                    line: i.line,
                    workload: r.data.workload.clone(),
                    params: params.clone(),
                    stratum: String::new(),
                    arm: arm.clone(),
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
        self.obs.iter().map(|o| o.arm.clone()).collect::<BTreeSet<_>>().into_iter().collect()
    }
}

/// Gives every observation and log issue of a source in `arm_of_source` that arm instead
/// (`--group-by family`: the file's family); sources not in it keep theirs.
pub(crate) fn regroup(ds: &mut Dataset, arm_of_source: &BTreeMap<String, String>) {
    for o in &mut ds.obs {
        if let Some(arm) = arm_of_source.get(&o.source) {
            o.arm.clone_from(arm);
        }
    }
    for i in &mut ds.issues {
        if let Some(arm) = arm_of_source.get(&i.source) {
            i.arm.clone_from(arm);
        }
    }
    for l in &mut ds.label_sources {
        if let Some(arm) = arm_of_source.get(&l.source) {
            l.arm.clone_from(arm);
        }
    }
}
