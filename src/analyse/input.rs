//! What the analysis reads: a [`Dataset`] of observations ([`Obs`], one value of one metric of
//! one run), the problems the logs report ([`RunIssue`]), the files that could not be read or
//! labelled, and how each file's platform was decided ([`LabelSource`]).
//!
//! Built from ingested runs here ([`Dataset::from_runs`]), or from a table by `crate::table`.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::Serialize;

use crate::model::{params_string, Better, Declared, IngestedRun, Kind, LabelOrigin, Labels};

/// What the observations of one run share: where the run is, and what it ran and the arm it
/// counts under ([`Setting`], shared with the other runs of the same). Held once per run in
/// [`Dataset::runs`].
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    /// Source file.
    pub source: Arc<str>,
    /// Run index within the source.
    pub run: u32,
    /// Repetition number.
    pub repetition: u32,
    /// First line of the run in its source.
    pub first_line: u64,
    /// The run's round, when a manifest labelled its file: its repetition, as `virtperf run`
    /// records it (repetition r of every platform and workload lies in round r). From a table
    /// or the store, the `repetition` of a run whose `label_origin` is `manifest`. Runs
    /// without one are never paired.
    pub round: Option<u32>,
    /// What it ran and where it counts: an index into [`Dataset::settings`].
    pub setting: u32,
}

/// What many runs share: the tool, the workload with its params, the arm and the platform
/// family (a store's selection has 800,000 runs and a few hundred settings). Held once per
/// distinct setting in [`Dataset::settings`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Setting {
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
    /// The platform family of its files (`platform_family`), `unknown` when none is known.
    pub family: Arc<str>,
}

/// What the observations of one metric share: its name, unit, direction and what its parser
/// declared. Held once per distinct declaration in [`Dataset::metrics`].
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

/// One value of one metric of one run, as its dataset holds it: the run and the metric by
/// their place in [`Dataset::runs`] and [`Dataset::metrics`], and the value (16 bytes: a
/// selection of millions of rows holds each run's and metric's strings once, and no count of
/// references per row). [`Dataset::view`] spells it out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Obs {
    /// Its run: an index into [`Dataset::runs`].
    pub run: u32,
    /// Its metric: an index into [`Dataset::metrics`].
    pub metric: u32,
    /// Value.
    pub value: f64,
}

/// The observations of a dataset, column by column: each one's run, metric and value. The
/// values are one shared list: the analysis puts each cell's observations next to each other
/// (`Observations::permute`) and its summary rows share the stretches of that list (a
/// store's selection holds 10 million values, once).
#[derive(Debug, Clone, Default)]
pub struct Observations {
    runs: Vec<u32>,
    metrics: Vec<u32>,
    values: Arc<Vec<f64>>,
}

impl Observations {
    /// How many.
    pub fn len(&self) -> usize {
        self.runs.len()
    }

    /// Returns true if and only if there is none.
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// Observation `i`.
    #[inline]
    pub fn get(&self, i: usize) -> Obs {
        Obs { run: self.runs[i], metric: self.metrics[i], value: self.values[i] }
    }

    /// The last one.
    pub fn last(&self) -> Option<Obs> {
        self.len().checked_sub(1).map(|i| self.get(i))
    }

    /// Every one, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Obs> + Clone + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Each one's run, in order.
    pub fn runs(&self) -> &[u32] {
        &self.runs
    }

    /// Each one's metric, in order.
    pub fn metrics(&self) -> &[u32] {
        &self.metrics
    }

    /// The values of the observations `at`, sharing the list.
    pub fn values(&self, at: std::ops::Range<usize>) -> Values {
        Values::of(&self.values, at)
    }

    /// Adds `o`.
    pub fn push(&mut self, o: Obs) {
        self.extend(std::iter::once(o));
    }

    /// Makes room for `n` more.
    pub fn reserve(&mut self, n: usize) {
        self.runs.reserve(n);
        self.metrics.reserve(n);
        Arc::make_mut(&mut self.values).reserve(n);
    }

    /// Moves observation `i` to place `dest[i]`, for every `i` (`dest` is a permutation of
    /// `0..len`), one column at a time: each column is written to its new list in one pass
    /// (the writes do not wait on each other, as the swaps of a permutation in place do).
    pub(crate) fn permute(&mut self, dest: &[u32]) {
        assert_eq!(dest.len(), self.len(), "one place per observation");
        self.runs = scatter(&self.runs, dest);
        self.metrics = scatter(&self.metrics, dest);
        self.values = Arc::new(scatter(&self.values, dest));
    }

    /// Puts the observations of each stretch `at` (in order, apart) in the order of `key` of
    /// their runs, keeping the order of equal keys; the stretches on every core.
    pub(crate) fn sort_stretches(&mut self, at: &[std::ops::Range<usize>], key: impl Fn(u32) -> u32 + Sync) {
        use rayon::prelude::*;
        let values = Arc::make_mut(&mut self.values);
        let (mut runs, mut metrics, mut values) =
            (&mut self.runs[..], &mut self.metrics[..], &mut values[..]);
        let mut stretches = Vec::with_capacity(at.len());
        let mut start = 0;
        for r in at {
            assert!(start <= r.start && r.start <= r.end, "stretches in order, apart");
            let (skip, n) = (r.start - start, r.len());
            stretches.push((cut(&mut runs, skip, n), cut(&mut metrics, skip, n), cut(&mut values, skip, n)));
            start = r.end;
        }
        stretches.into_par_iter().for_each(|(runs, metrics, values)| {
            let mut obs: Vec<(u32, u32, f64)> =
                runs.iter().zip(metrics.iter()).zip(values.iter()).map(|((&r, &m), &v)| (r, m, v)).collect();
            obs.sort_by_key(|o| key(o.0));
            for (i, (r, m, v)) in obs.into_iter().enumerate() {
                (runs[i], metrics[i], values[i]) = (r, m, v);
            }
        });
    }
}

/// `items` with item `i` at place `dest[i]`, for every `i` (`dest` a permutation).
fn scatter<T: Copy + Default>(items: &[T], dest: &[u32]) -> Vec<T> {
    let mut out = vec![T::default(); items.len()];
    for (&item, &d) in items.iter().zip(dest) {
        out[d as usize] = item;
    }
    out
}

/// The `n` items after the first `skip` of `rest`, which keeps those after them.
fn cut<'a, T>(rest: &mut &'a mut [T], skip: usize, n: usize) -> &'a mut [T] {
    let (_, after) = std::mem::take(rest).split_at_mut(skip);
    let (mine, after) = after.split_at_mut(n);
    *rest = after;
    mine
}

impl Extend<Obs> for Observations {
    fn extend<I: IntoIterator<Item = Obs>>(&mut self, obs: I) {
        let values = Arc::make_mut(&mut self.values);
        for o in obs {
            self.runs.push(o.run);
            self.metrics.push(o.metric);
            values.push(o.value);
        }
    }
}

/// A stretch of a shared list of values, read as a slice: a cell's values in its dataset's
/// [`Observations`], shared with the cell's summary row.
#[derive(Clone, Default)]
pub struct Values {
    all: Arc<Vec<f64>>,
    start: usize,
    end: usize,
}

impl Values {
    /// The stretch `at` of `all`.
    pub fn of(all: &Arc<Vec<f64>>, at: std::ops::Range<usize>) -> Values {
        assert!(at.start <= at.end && at.end <= all.len(), "a stretch of the list");
        Values { all: all.clone(), start: at.start, end: at.end }
    }
}

impl std::ops::Deref for Values {
    type Target = [f64];
    fn deref(&self) -> &[f64] {
        &self.all[self.start..self.end]
    }
}

impl From<Vec<f64>> for Values {
    fn from(v: Vec<f64>) -> Values {
        let end = v.len();
        Values { all: Arc::new(v), start: 0, end }
    }
}

impl std::fmt::Debug for Values {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// One observation with its run and metric looked up ([`Dataset::view`]): what the analysis
/// reads of an observation.
#[derive(Debug, Clone, Copy)]
pub struct ObsRef<'a> {
    /// The run.
    pub run_info: &'a RunInfo,
    /// What the run ran, and where it counts.
    pub setting: &'a Setting,
    /// The metric.
    pub metric_info: &'a MetricInfo,
    /// Its run's place in [`Dataset::runs`]: observations of one run have the same.
    pub run_id: u32,
    /// Its metric's place in [`Dataset::metrics`].
    pub metric_id: u32,
    /// Value.
    pub value: f64,
}

impl<'a> ObsRef<'a> {
    /// Source file.
    pub fn source(&self) -> &'a str {
        &self.run_info.source
    }
    /// Run index within the source.
    pub fn run(&self) -> u32 {
        self.run_info.run
    }
    /// Tool name.
    pub fn tool(&self) -> &'a str {
        &self.setting.tool
    }
    /// Tool version, when known.
    pub fn tool_version(&self) -> Option<&'a str> {
        self.setting.tool_version.as_deref()
    }
    /// Workload.
    pub fn workload(&self) -> &'a str {
        &self.setting.workload
    }
    /// Canonical params string.
    pub fn params(&self) -> &'a str {
        &self.setting.params
    }
    /// The arm.
    pub fn arm(&self) -> &'a str {
        &self.setting.arm
    }
    /// The stratum, else empty.
    pub fn stratum(&self) -> &'a str {
        &self.setting.stratum
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
    pub fn metric(&self) -> &'a str {
        &self.metric_info.metric
    }
    /// Unit.
    pub fn unit(&self) -> &'a str {
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
    pub fn declared(&self) -> &'a Declared {
        &self.metric_info.declared
    }
}

/// One observation spelled out, field by field: how tests and small callers add one to a
/// dataset ([`Dataset::push`]).
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

/// Each distinct string once, for the runs of a dataset (`Arc`s that equal values share),
/// filed by [`text_hash`].
#[derive(Debug, Clone, Default)]
pub(crate) struct Interner {
    /// Each string with its hash: growing the table moves entries by the hashes they have,
    /// not by hashing 800,000 file names again at each doubling.
    strings: hashbrown::HashTable<(u64, Arc<str>)>,
    /// Whether the table was let go of ([`Dataset::let_go_of_strings`]): the dataset's
    /// strings are then filed again before another is added ([`Dataset::keep_strings`]).
    released: bool,
}

/// The hash [`Interner`] files a string under: fixed, so that the threads that prepare a
/// store's part files hash their file names beforehand ([`Interner::hashed`]), and the thread
/// that joins them only looks them up.
pub(crate) fn text_hash(s: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x5eed_1e55_da7a_5e75).hash_one(s)
}

impl Interner {
    /// The shared copy of `s`.
    pub(crate) fn str(&mut self, s: &str) -> Arc<str> {
        self.hashed(s, text_hash(s))
    }

    /// The shared copy of `s`, whose [`text_hash`] is `hash` (made on another thread).
    pub(crate) fn hashed(&mut self, s: &str, hash: u64) -> Arc<str> {
        debug_assert_eq!(hash, text_hash(s), "the hash of the text");
        assert!(!self.released, "strings filed again before one is added");
        match self.strings.entry(hash, |(h, a)| *h == hash && **a == *s, |(h, _)| *h) {
            hashbrown::hash_table::Entry::Occupied(e) => e.get().1.clone(),
            hashbrown::hash_table::Entry::Vacant(e) => e.insert((hash, Arc::from(s))).get().1.clone(),
        }
    }

    /// Files `s` as the shared copy of its text, unless one is filed already (the dataset's
    /// copies of one text are one: [`Dataset::keep_strings`]).
    fn keep(&mut self, s: &Arc<str>) {
        let hash = text_hash(s);
        if let hashbrown::hash_table::Entry::Vacant(e) =
            self.strings.entry(hash, |(h, a)| *h == hash && **a == **s, |(h, _)| *h)
        {
            e.insert((hash, s.clone()));
        }
    }

    /// `s` with the shared copies of its strings.
    pub(crate) fn setting(&mut self, s: &Setting) -> Setting {
        Setting {
            tool: self.str(&s.tool),
            tool_version: s.tool_version.as_deref().map(|v| self.str(v)),
            workload: self.str(&s.workload),
            params: self.str(&s.params),
            arm: self.str(&s.arm),
            stratum: self.str(&s.stratum),
            family: self.str(&s.family),
        }
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
    /// All observations: as read, the rows of one run next to each other; once analysed, the
    /// observations of each cell next to each other, in run order (the analysis' `order`).
    pub obs: Observations,
    /// The runs the observations name ([`Obs::run`]).
    pub runs: Vec<RunInfo>,
    /// The settings the runs name ([`RunInfo::setting`]), each distinct one once.
    pub settings: Vec<Setting>,
    /// The metric declarations the observations name ([`Obs::metric`]), each distinct one once.
    pub metrics: Vec<MetricInfo>,
    /// Problems reported inside the logs.
    pub issues: Vec<RunIssue>,
    /// Files that could not be read at all: `(source, message)`.
    pub(crate) unreadable: Vec<(String, String)>,
    /// Files labelled `unknown`.
    pub(crate) unlabelled: Vec<String>,
    /// How each raw file's platform was decided (empty for tables), for the `mixed_labels`
    /// check.
    pub(crate) label_sources: Vec<LabelSource>,
    /// The strings its runs share: two runs' strings of the same text are one `Arc`
    /// (compared by address, as [`Dataset::same_text`] does).
    pub(crate) interner: Interner,
    /// The place of each metric declaration in `metrics`, by its name.
    metric_ids: foldhash::HashMap<String, Vec<u32>>,
    /// The place of each setting in `settings`.
    setting_ids: foldhash::HashMap<Setting, u32>,
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
            let setting = Setting {
                tool: it.str(&r.data.tool),
                tool_version: r.data.tool_version.as_deref().map(|v| it.str(v)),
                workload: it.str(&r.data.workload),
                params: it.str(&params),
                arm: it.str(&arm),
                stratum: it.str(""),
                family: it.str(&r.labels.platform_family),
            };
            let run_info = RunInfo {
                source: it.str(&r.source),
                run: r.run as u32,
                repetition: r.repetition as u32,
                first_line: r.data.first_line as u64,
                round: manifest.then_some(r.repetition as u32),
                setting: ds.add_setting(setting),
            };
            let run = ds.add_run(run_info);
            for m in &r.data.metrics {
                let metric = ds.add_metric(MetricInfo {
                    metric: m.name.to_string(),
                    unit: m.unit.to_string(),
                    better: m.better,
                    kind: m.kind,
                    declared: Declared::of(&r.data, m),
                });
                ds.obs.push(Obs { run, metric, value: m.value });
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

    /// All arms, sorted, borrowed: those of the runs that have observations.
    pub(crate) fn arm_names(&self) -> BTreeSet<&str> {
        distinct_by_stretch(self.obs.runs(), |&&r| r, |&r| &*self.setting(&self.runs[r as usize]).arm)
    }

    /// The setting of run `r`.
    pub fn setting(&self, r: &RunInfo) -> &Setting {
        &self.settings[r.setting as usize]
    }

    /// Gives each run the setting `f` makes of its own (settings made equal stay apart: each
    /// run keeps its place).
    pub(crate) fn rewrite_settings(&mut self, mut f: impl FnMut(&mut Setting, &mut Interner)) {
        self.keep_strings();
        for s in &mut self.settings {
            f(s, &mut self.interner);
        }
        self.setting_ids.clear();
        for (i, s) in self.settings.iter().enumerate().rev() {
            self.setting_ids.insert(s.clone(), i as u32);
        }
    }

    /// The place of `s` in [`Dataset::settings`], added when it is not there.
    pub(crate) fn add_setting(&mut self, s: Setting) -> u32 {
        if let Some(&i) = self.setting_ids.get(&s) {
            return i;
        }
        self.settings.push(s.clone());
        let i = self.settings.len() as u32 - 1;
        self.setting_ids.insert(s, i);
        i
    }

    /// Adds run `r`, and returns its place in [`Dataset::runs`].
    pub(crate) fn add_run(&mut self, r: RunInfo) -> u32 {
        self.runs.push(r);
        self.runs.len() as u32 - 1
    }

    /// The place of `m` in [`Dataset::metrics`], added when it is not there.
    pub(crate) fn add_metric(&mut self, m: MetricInfo) -> u32 {
        let same = self.metric_ids.entry(m.metric.clone()).or_default();
        if let Some(&i) = same.iter().find(|&&i| self.metrics[i as usize] == m) {
            return i;
        }
        self.metrics.push(m);
        same.push(self.metrics.len() as u32 - 1);
        self.metrics.len() as u32 - 1
    }

    /// Adds the observation `row` (with a run of its own, unless the last observation's run
    /// is the same).
    pub fn push(&mut self, row: ObsRow) {
        self.keep_strings();
        let setting = self.interner.setting(&Setting {
            tool: row.tool.into(),
            tool_version: row.tool_version.map(Into::into),
            workload: row.workload.into(),
            params: row.params.into(),
            arm: row.arm.into(),
            stratum: row.stratum.into(),
            family: "unknown".into(),
        });
        let run_info = RunInfo {
            source: self.interner.str(&row.source),
            run: row.run,
            repetition: row.repetition,
            first_line: row.first_line,
            round: None,
            setting: self.add_setting(setting),
        };
        let run = match self.obs.last() {
            Some(o) if self.runs[o.run as usize] == run_info => o.run,
            _ => self.add_run(run_info),
        };
        let metric = self.add_metric(MetricInfo {
            metric: row.metric,
            unit: row.unit,
            better: row.better,
            kind: row.kind,
            declared: row.declared,
        });
        self.obs.push(Obs { run, metric, value: row.value });
    }

    /// Moves the observations of `other` (with their runs and metrics) to the end of its own;
    /// their runs' strings become its own.
    pub(crate) fn append_obs(&mut self, other: &mut Dataset) {
        self.keep_strings();
        let first_run = self.runs.len() as u32;
        let settings: Vec<u32> = std::mem::take(&mut other.settings)
            .into_iter()
            .map(|s| {
                let s = self.interner.setting(&s);
                self.add_setting(s)
            })
            .collect();
        let it = &mut self.interner;
        self.runs.extend(other.runs.drain(..).map(|r| RunInfo {
            source: it.str(&r.source),
            setting: settings[r.setting as usize],
            ..r
        }));
        other.setting_ids.clear();
        let metrics: Vec<u32> =
            std::mem::take(&mut other.metrics).into_iter().map(|m| self.add_metric(m)).collect();
        self.obs.extend(std::mem::take(&mut other.obs).iter().map(|o| Obs {
            run: first_run + o.run,
            metric: metrics[o.metric as usize],
            value: o.value,
        }));
        other.metric_ids.clear();
    }

    /// Lets go of the table that finds a string's shared copy (800,000 file names for a
    /// store's selection: 25 MB), once no string is to be added: the analysis does that. A
    /// string added later is still shared: [`Dataset::keep_strings`] files them all again.
    pub(crate) fn let_go_of_strings(&mut self) {
        self.interner = Interner { released: true, ..Interner::default() };
    }

    /// Files its strings again if [`Dataset::let_go_of_strings`] let go of them: what adds
    /// a string calls it first.
    pub(crate) fn keep_strings(&mut self) {
        if !self.interner.released {
            return;
        }
        let mut it = Interner::default();
        for r in &self.runs {
            it.keep(&r.source);
        }
        for s in &self.settings {
            for t in [&s.tool, &s.workload, &s.params, &s.arm, &s.stratum, &s.family]
                .into_iter()
                .chain(&s.tool_version)
            {
                it.keep(t);
            }
        }
        self.interner = it;
    }

    /// Returns true if and only if the two strings of its runs have the same text: they are
    /// then one `Arc` (its [`Interner`] made them).
    pub(crate) fn same_text(a: &Arc<str>, b: &Arc<str>) -> bool {
        Arc::ptr_eq(a, b)
    }

    /// Observation `o` with its run and metric.
    pub fn view(&self, o: &Obs) -> ObsRef<'_> {
        let run_info = &self.runs[o.run as usize];
        ObsRef {
            run_info,
            setting: &self.settings[run_info.setting as usize],
            metric_info: &self.metrics[o.metric as usize],
            run_id: o.run,
            metric_id: o.metric,
            value: o.value,
        }
    }

    /// Every observation with its run and metric, in order.
    pub fn iter(&self) -> impl Iterator<Item = ObsRef<'_>> + '_ {
        self.obs.iter().map(|o| self.view(&o))
    }
}

impl Extend<ObsRow> for Dataset {
    /// Adds the observations, each as [`Dataset::push`] does.
    fn extend<I: IntoIterator<Item = ObsRow>>(&mut self, rows: I) {
        rows.into_iter().for_each(|r| self.push(r));
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
    // Inserted one by one: collecting would first list every stretch's value.
    let mut distinct = BTreeSet::new();
    for o in stretch_starts(obs, shared) {
        distinct.insert(value(o));
    }
    distinct
}

/// The first item of each stretch of `items` whose `key` is the same, in order.
pub(crate) fn stretch_starts<T, K: PartialEq>(
    items: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> K,
) -> impl Iterator<Item = T> {
    let mut last = None;
    items.into_iter().filter(move |t| {
        let k = key(t);
        let new = last.as_ref() != Some(&k);
        if new {
            last = Some(k);
        }
        new
    })
}

/// Gives every observation, log issue and labelled file its file's platform family as its arm
/// (`--group-by family`).
pub(crate) fn regroup(ds: &mut Dataset) {
    ds.rewrite_settings(|s, _| s.arm = s.family.clone());
    for i in &mut ds.issues {
        i.arm.clone_from(&i.family);
    }
    for l in &mut ds.label_sources {
        l.arm.clone_from(&l.family);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{Dataset, ObsRef, ObsRow};
    use crate::model::{Better, Declared, Kind};

    /// An observation of `metric` in `unit` of run `run` of `source` on `arm`.
    fn row(source: &str, run: u32, arm: &str, metric: &str, unit: &str, value: f64) -> ObsRow {
        ObsRow {
            source: source.into(),
            run,
            tool: "sysbench".into(),
            tool_version: Some("1.0.20".into()),
            workload: "sysbench.cpu".into(),
            params: "threads=1".into(),
            arm: arm.into(),
            stratum: String::new(),
            repetition: run,
            first_line: u64::from(run) * 10,
            metric: metric.into(),
            unit: unit.into(),
            better: Better::Higher,
            kind: Kind::Performance,
            value,
            declared: Declared::default(),
        }
    }

    /// An observation as plain values.
    fn spelled(o: ObsRef<'_>) -> String {
        format!(
            "{} {} {} {:?} {} {} {} {} {} {}",
            o.source(),
            o.run(),
            o.arm(),
            o.tool_version(),
            o.first_line(),
            o.metric(),
            o.unit(),
            o.value,
            o.setting.family,
            o.declared().primary
        )
    }

    /// Appending a dataset moves its observations with their own runs, settings and metrics
    /// (their places renumbered), shares its strings with those already there, and rows of
    /// one run pushed together share one run.
    /// Observations moved to their places keep their run, metric and value together; stretches
    /// sorted by a key keep equal keys in order, and leave what lies between them alone; a
    /// stretch of values reads as the slice it is.
    #[test]
    fn observations_move_and_sort_as_rows() {
        use super::{Obs, Observations};
        let mut obs = Observations::default();
        let rows: Vec<Obs> =
            (0..8u32).map(|i| Obs { run: 10 + i, metric: 20 + i, value: f64::from(i) }).collect();
        obs.extend(rows.iter().copied());
        let dest = [3u32, 0, 7, 1, 6, 2, 5, 4];
        obs.permute(&dest);
        for (i, &d) in dest.iter().enumerate() {
            assert_eq!(obs.get(d as usize), rows[i], "row {i} at {d}");
        }
        // Runs now 11, 13, 15, 10, 17, 16, 14, 12; keys: a run's parity, so stretch 0..3 has one
        // key (stays), stretch 4..8 goes even first, each parity in its order.
        obs.sort_stretches(&[0..3, 4..8], |run| run % 2);
        assert_eq!(obs.runs(), [11, 13, 15, 10, 16, 14, 12, 17]);
        assert!(obs.iter().all(|o| o.metric == o.run + 10 && o.value == f64::from(o.run - 10)));
        assert_eq!(*obs.values(4..7), [6.0, 4.0, 2.0]);
        assert!(obs.values(2..2).is_empty());
    }

    /// Strings stay shared after the analysis let go of the table that finds them: a row added
    /// afterwards shares its file's name, platform and workload with the rows before.
    #[test]
    fn strings_stay_shared_after_the_table_is_let_go_of() {
        let mut ds = Dataset::default();
        ds.push(row("native/rep1.txt", 1, "native", "events_per_sec", "events/s", 1.0));
        ds.push(row("native/rep2.txt", 1, "native", "events_per_sec", "events/s", 2.0));
        ds.let_go_of_strings();
        ds.push(row("native/rep1.txt", 2, "native", "events_per_sec", "events/s", 3.0));
        assert_eq!(ds.runs.len(), 3);
        assert!(Dataset::same_text(&ds.runs[2].source, &ds.runs[0].source));
        assert!(!Dataset::same_text(&ds.runs[2].source, &ds.runs[1].source));
        let (a, b) = (ds.setting(&ds.runs[0]), ds.setting(&ds.runs[2]));
        assert!(Dataset::same_text(&a.arm, &b.arm) && Dataset::same_text(&a.workload, &b.workload));
        assert_eq!(ds.runs[2].setting, ds.runs[0].setting, "one setting");
    }

    #[test]
    fn appended_observations_keep_their_runs_and_metrics() {
        let mut a = Dataset::default();
        a.extend([
            row("native/r1.txt", 1, "native", "events_per_sec", "events/s", 1.0),
            row("native/r1.txt", 1, "native", "latency_ms", "ms", 2.0),
            row("native/r1.txt", 2, "native", "events_per_sec", "events/s", 3.0),
        ]);
        let mut b = Dataset::default();
        b.extend([
            row("docker/r1.txt", 1, "docker", "latency_ms", "s", 4.0),
            row("native/r1.txt", 1, "native", "events_per_sec", "events/s", 5.0),
            row("docker/r1.txt", 2, "docker", "events_per_sec", "events/s", 6.0),
        ]);
        let want: Vec<String> = a.iter().chain(b.iter()).map(spelled).collect();
        assert_eq!((a.runs.len(), b.runs.len()), (2, 3));
        a.append_obs(&mut b);
        assert!(b.obs.is_empty() && b.runs.is_empty() && b.metrics.is_empty());
        assert_eq!(a.iter().map(spelled).collect::<Vec<_>>(), want);
        // latency_ms in ms and in s are two declarations; events_per_sec one.
        assert_eq!(a.metrics.len(), 3);
        assert_eq!(a.runs.len(), 5);
        // Equal texts are one copy, whichever dataset they came from.
        let native: Vec<&Arc<str>> =
            a.runs.iter().map(|r| &r.source).filter(|s| &***s == "native/r1.txt").collect();
        assert_eq!(native.len(), 3);
        assert!(native.iter().all(|s| Dataset::same_text(s, native[0])));
        assert_eq!(a.settings.len(), 2);
    }

    /// After the settings are rewritten (--group-by family), a setting added again is found
    /// among them, not added twice.
    #[test]
    fn rewritten_settings_are_found_again() {
        let mut ds = Dataset::default();
        ds.push(row("qemu/r1.txt", 1, "qemu", "events_per_sec", "events/s", 1.0));
        super::regroup(&mut ds);
        assert_eq!(&*ds.settings[0].arm, "unknown");
        let mut again = row("qemu/r2.txt", 1, "unknown", "events_per_sec", "events/s", 2.0);
        again.arm = "unknown".into();
        ds.push(again);
        assert_eq!(ds.settings.len(), 1, "{:?}", ds.settings);
        assert_eq!(ds.runs[0].setting, ds.runs[1].setting);
    }
}
