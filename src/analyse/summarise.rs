//! Summarise: the observations grouped by ([`GroupId`], metric, arm), each group's primary
//! metric as its runs declare it, and each cell's statistics.
//!
//! A *group* is one workload with one params set in one stratum; a *cell* is one metric of a
//! group on one arm, the unit every statistic is computed on. Groups are ordered as the tables
//! print them (by workload, canonical params, stratum), cells by metric then arm, and a cell's
//! observations in run order: file by file (`rep2` before `rep10`), then in the file.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::Arc;

use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;

use super::input::{stretch_starts, Dataset, ObsRef, RunInfo, Values};
use super::output::SummaryRow;
use crate::model::{GroupId, Role};
use crate::stats;

/// One metric of one group on one arm.
#[derive(Debug, Clone)]
pub(crate) struct Cell<'a> {
    /// The dataset its observations are in.
    ds: &'a Dataset,
    /// Its observations: a stretch of `ds.obs`, in run order ([`order`] put them there).
    at: Range<usize>,
    /// Their values, in run order (a stretch of the dataset's, shared with the cell's summary
    /// row: a store's 1,000 campaigns hold 10 million).
    pub values: Values,
    /// Their statistics.
    pub stats: stats::Summary,
    /// The step their values are printed at ([`stats::printed_resolution`]), made when first
    /// asked (a baseline's cell is compared with every arm's).
    resolution: std::sync::OnceLock<Option<f64>>,
    /// The units its metric's declarations name, each once (a metric of one name may have
    /// several declarations).
    pub units: BTreeSet<&'a str>,
    /// The tool versions its runs name, each once (looked at once per cell: the checks compare
    /// a baseline's cell with every arm's).
    pub versions: BTreeSet<&'a str>,
    /// Its observations whose declaration makes their metric primary ([`declared_primary`]).
    votes: PrimaryVotes,
    /// Whether a declaration of its metric echoes its runs' time limit
    /// ([`crate::model::Declared::time_limit`]).
    pub timed: bool,
}

/// A cell's observations whose metric's declaration says it is primary: how many, and whether
/// monitor logs declared all of them.
#[derive(Debug, Clone, Copy)]
struct PrimaryVotes {
    observations: usize,
    monitor_only: bool,
}

impl Default for PrimaryVotes {
    fn default() -> PrimaryVotes {
        PrimaryVotes { observations: 0, monitor_only: true }
    }
}

impl<'a> Cell<'a> {
    /// The cell of the observations `at` of `ds` (a stretch, in run order), summarised at
    /// `confidence`.
    fn of(ds: &'a Dataset, at: Range<usize>, confidence: f64) -> Cell<'a> {
        // One pass over the observations (a store selection's cell has 20,000): each
        // declaration's unit and primary vote once per stretch of one declaration, each
        // setting's tool version once per stretch of runs of one setting.
        let (mut units, mut versions) = (BTreeSet::new(), BTreeSet::new());
        let mut votes = PrimaryVotes::default();
        let (mut metric, mut run, mut setting) = (None, None, None);
        let (mut declares, mut timed) = (None, false);
        let (runs, metrics) = (&ds.obs.runs()[at.clone()], &ds.obs.metrics()[at.clone()]);
        for (&r, &m) in runs.iter().zip(metrics) {
            if metric != Some(m) {
                metric = Some(m);
                let m = &ds.metrics[m as usize];
                units.insert(m.unit.as_str());
                declares = m.declared.primary.then_some(m.declared.role == Role::Monitor);
                timed |= m.declared.time_limit;
            }
            if let Some(monitor) = declares {
                votes.observations += 1;
                votes.monitor_only &= monitor;
            }
            if run != Some(r) {
                run = Some(r);
                let s = ds.runs[r as usize].setting;
                if setting != Some(s) {
                    setting = Some(s);
                    versions.extend(ds.settings[s as usize].tool_version.as_deref());
                }
            }
        }
        let values = ds.obs.values(at.clone());
        Cell {
            ds,
            at,
            stats: stats::Summary::of(&values, confidence),
            values,
            resolution: std::sync::OnceLock::new(),
            units,
            versions,
            votes,
            timed,
        }
    }

    /// The step its values are printed at ([`stats::printed_resolution`]).
    pub fn resolution(&self) -> Option<f64> {
        *self.resolution.get_or_init(|| stats::printed_resolution(&self.values))
    }

    /// Its observations, in run order.
    pub fn obs(&self) -> impl ExactSizeIterator<Item = ObsRef<'a>> + Clone + '_ {
        let ds = self.ds;
        self.at.clone().map(move |i| ds.view(&ds.obs.get(i)))
    }

    /// Its observation `i` (in run order), if it has one.
    pub fn ob(&self, i: usize) -> Option<ObsRef<'a>> {
        (i < self.at.len()).then(|| self.ds.view(&self.ds.obs.get(self.at.start + i)))
    }

    /// Its first observation (a cell has at least one).
    pub fn first(&self) -> ObsRef<'a> {
        self.ds.view(&self.ds.obs.get(self.at.start))
    }

    /// Its runs, each once, as places in its dataset's, in run order (the observations of a
    /// run are next to each other).
    fn run_ids(&self) -> impl Iterator<Item = u32> + '_ {
        stretch_starts(self.ds.obs.runs()[self.at.clone()].iter().copied(), |&r| r)
    }

    /// Its runs, each once, in run order.
    fn runs(&self) -> impl Iterator<Item = &'a RunInfo> + '_ {
        let ds = self.ds;
        self.run_ids().map(move |r| &ds.runs[r as usize])
    }

    /// The source files, each once, in run order (`rep2` before `rep10`), shared with the
    /// runs. The observations are in run order, so a file's are next to each other.
    pub(crate) fn sources(&self) -> impl Iterator<Item = &'a Arc<str>> + '_ {
        // By address: a dataset's strings of one text are one copy ([`Dataset::same_text`]).
        stretch_starts(self.runs().map(|r| &r.source), |s| Arc::as_ptr(s))
    }

    /// [`Cell::sources`], as one shared list: the list `known` of another cell when it lists
    /// the same files (the metrics of one group on one arm mostly come from the same runs:
    /// then the same runs say it, without looking at a run).
    fn sources_like(&self, known: Option<&Known<'_, 'a>>) -> Arc<[Arc<str>]> {
        if let Some((cell, k)) = known {
            if self.run_ids().eq(cell.run_ids()) {
                return k.clone();
            }
            let mut mine = self.sources();
            if k.iter().all(|s| mine.next().is_some_and(|m| Dataset::same_text(s, m)))
                && mine.next().is_none()
            {
                return k.clone();
            }
        }
        self.sources().cloned().collect()
    }
}

/// A cell with its list of sources ([`Cell::sources_like`]).
type Known<'c, 'a> = (&'c Cell<'a>, Arc<[Arc<str>]>);

/// The cells of one (workload, params, stratum) group.
#[derive(Debug, Clone, Default)]
pub(crate) struct Group<'a> {
    /// Each metric's cells, by arm.
    pub metrics: BTreeMap<&'a str, BTreeMap<&'a str, Cell<'a>>>,
    /// The group's primary metric, as its runs declare it ([`declared_primary`]).
    pub primary: Option<&'a str>,
}

impl<'a> Group<'a> {
    /// Returns true if and only if `metric` is the group's primary metric.
    pub fn is_primary(&self, metric: &str) -> bool {
        self.primary == Some(metric)
    }

    /// Every cell as (metric, arm, cell), by metric then arm.
    pub fn cells(&self) -> impl Iterator<Item = (&'a str, &'a str, &Cell<'a>)> + '_ {
        self.metrics
            .iter()
            .flat_map(|(&metric, arms)| arms.iter().map(move |(&arm, cell)| (metric, arm, cell)))
    }

    /// The cell of `metric` on `arm`, if the group has one.
    pub fn cell(&self, metric: &str, arm: &str) -> Option<&Cell<'a>> {
        self.metrics.get(metric)?.get(arm)
    }
}

/// Every group of a dataset.
pub(crate) type Groups<'a> = BTreeMap<GroupId, Group<'a>>;

/// Where [`order`] put the observations of each cell: its group, metric and arm (by the
/// dataset's place of a setting and a metric that name them) and its stretch of `ds.obs`.
pub(crate) struct Layout {
    cells: Vec<((u32, u32, u32), Range<usize>)>,
}

/// Puts the observations of `ds` cell by cell, each cell's in run order (file by file, `rep2`
/// before `rep10`, then in the file; a run's observations as they came), and says where
/// ([`Layout`]): a cell's values are then a stretch of the dataset's, which its summary row
/// shares, and no list of places per cell is kept (a store's selection has 10 million
/// observations).
pub(crate) fn order(ds: &mut Dataset) -> Layout {
    let ranks = run_ranks(ds);
    // Each distinct setting and metric is looked up once (by its place in the dataset), each
    // observation then goes to its cell by three numbers: no string is compared per
    // observation. First each observation's cell and each cell's size, then each
    // observation's place.
    let mut ids = CellIds::default();
    let mut settings: Vec<Option<(u32, u32)>> = vec![None; ds.settings.len()];
    let mut metrics: Vec<Option<u32>> = vec![None; ds.metrics.len()];
    let mut cell_of: HashMap<(u32, u32, u32), u32> = HashMap::new();
    let mut keys: Vec<(u32, u32, u32)> = Vec::new();
    let mut sizes: Vec<usize> = Vec::new();
    let mut places: Vec<u32> = Vec::with_capacity(ds.obs.len());
    let mut last: Option<(u32, (u32, u32))> = None;
    // The cells of the run before and of this one, by position: runs of one group and arm
    // mostly list the same metrics in the same order, so a cell is mostly found unhashed.
    let (mut before, mut this): (Vec<(u32, u32)>, Vec<_>) = (Vec::new(), Vec::new());
    let mut same_cells = false;
    for o in ds.obs.iter() {
        let (g, arm) = match last {
            Some((at, run)) if at == o.run => run,
            _ => {
                let setting = ds.runs[o.run as usize].setting;
                let run = *settings[setting as usize].get_or_insert_with(|| {
                    let s = &ds.settings[setting as usize];
                    (ids.group((&s.workload, &s.params, &s.stratum), setting), ids.arm(&s.arm, setting))
                });
                same_cells = last.is_some_and(|(_, before)| before == run);
                std::mem::swap(&mut before, &mut this);
                this.clear();
                last = Some((o.run, run));
                run
            }
        };
        let cell = match before.get(this.len()) {
            Some(&(m, cell)) if same_cells && m == o.metric => cell,
            _ => {
                // Metrics of one name (with different declarations) share a cell.
                let m = *metrics[o.metric as usize]
                    .get_or_insert_with(|| ids.metric(&ds.metrics[o.metric as usize].metric, o.metric));
                *cell_of.entry((g, m, arm)).or_insert_with(|| {
                    keys.push((g, m, arm));
                    sizes.push(0);
                    keys.len() as u32 - 1
                })
            }
        };
        this.push((o.metric, cell));
        sizes[cell as usize] += 1;
        places.push(cell);
    }
    let mut at: Vec<Range<usize>> = Vec::with_capacity(sizes.len());
    for n in sizes {
        let start = at.last().map_or(0, |r| r.end);
        at.push(start..start + n);
    }
    // Each observation's place: its cell's next, in the dataset's order; whether each cell's
    // observations are in run order already (their runs' ranks never fall).
    let mut next: Vec<usize> = at.iter().map(|r| r.start).collect();
    let mut last_rank: Vec<Option<u32>> = vec![None; at.len()];
    let mut in_order = vec![true; at.len()];
    for (place, &run) in places.iter_mut().zip(ds.obs.runs()) {
        let (c, rank) = (*place as usize, ranks[run as usize]);
        in_order[c] &= last_rank[c].is_none_or(|r| r <= rank);
        last_rank[c] = Some(rank);
        *place = next[c] as u32;
        next[c] += 1;
    }
    let keys: Vec<(u32, u32, u32)> = keys
        .into_iter()
        .map(|(g, m, arm)| (ids.groups[g as usize].1, ids.metrics[m as usize].1, ids.arms[arm as usize].1))
        .collect();
    ds.obs.permute(&places);
    drop(places);
    let unordered: Vec<Range<usize>> =
        at.iter().zip(&in_order).filter(|(_, &ordered)| !ordered).map(|(r, _)| r.clone()).collect();
    ds.obs.sort_stretches(&unordered, |run| ranks[run as usize]);
    Layout { cells: keys.into_iter().zip(at).collect() }
}

/// The cells of `ds` where [`order`] put them (`layout`), each summarised at `confidence`,
/// and each group's primary metric.
pub(crate) fn groups(ds: &Dataset, layout: Layout, confidence: f64) -> Groups<'_> {
    type ByName<'a> =
        BTreeMap<(&'a str, &'a str, &'a str), BTreeMap<&'a str, BTreeMap<&'a str, Range<usize>>>>;
    let mut by_name = ByName::new();
    for ((group, metric, arm), at) in layout.cells {
        let (g, arm) = (&ds.settings[group as usize], &*ds.settings[arm as usize].arm);
        let m = ds.metrics[metric as usize].metric.as_str();
        by_name
            .entry((&g.workload, &g.params, &g.stratum))
            .or_default()
            .entry(m)
            .or_default()
            .insert(arm, at);
    }
    // Each group's cells summarised on every core, in the groups' order.
    let by_name: Vec<_> = by_name.into_iter().collect();
    by_name
        .into_par_iter()
        .map(|((w, p, s), metrics)| {
            let metrics = metrics
                .into_iter()
                .map(|(m, arms)| {
                    (m, arms.into_iter().map(|(a, at)| (a, Cell::of(ds, at, confidence))).collect())
                })
                .collect();
            let mut group = Group { metrics, primary: None };
            group.primary = declared_primary(&group);
            (GroupId::from_canonical(w, p, s), group)
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

/// Numbers for the groups, metrics and arms of a dataset, each given once, with the place in
/// the dataset of a setting or metric that names each.
#[derive(Default)]
struct CellIds<'a> {
    groups: Vec<((&'a str, &'a str, &'a str), u32)>,
    metrics: Vec<(&'a str, u32)>,
    arms: Vec<(&'a str, u32)>,
    by_group: HashMap<(&'a str, &'a str, &'a str), u32>,
    by_metric: HashMap<&'a str, u32>,
    by_arm: HashMap<&'a str, u32>,
}

impl<'a> CellIds<'a> {
    /// The number of group `g`, named by setting `setting`.
    fn group(&mut self, g: (&'a str, &'a str, &'a str), setting: u32) -> u32 {
        *self.by_group.entry(g).or_insert_with(|| {
            self.groups.push((g, setting));
            self.groups.len() as u32 - 1
        })
    }
    /// The number of metric `m`, named by declaration `metric`.
    fn metric(&mut self, m: &'a str, metric: u32) -> u32 {
        *self.by_metric.entry(m).or_insert_with(|| {
            self.metrics.push((m, metric));
            self.metrics.len() as u32 - 1
        })
    }
    /// The number of arm `a`, named by setting `setting`.
    fn arm(&mut self, a: &'a str, setting: u32) -> u32 {
        *self.by_arm.entry(a).or_insert_with(|| {
            self.arms.push((a, setting));
            self.arms.len() as u32 - 1
        })
    }
}

/// The rank of each run of `ds` (by its place in `ds.runs`) in run order: file by file
/// (`rep2` before `rep10`, [`natural_cmp`]), then by run index; the same (source, run) the
/// same rank. Sorting the runs once costs far less than comparing file names inside every
/// cell.
fn run_ranks(ds: &Dataset) -> Vec<u32> {
    // By each file name's natural key, made once (800,000 names compared as bytes), the keys of
    // a slice of runs in one buffer: one small buffer per run took 240 MiB at once, the
    // all-campaign analysis' peak.
    const SLICE: usize = 4096;
    let keys: Vec<(Vec<u8>, Vec<u32>)> = ds
        .runs
        .par_chunks(SLICE)
        .map(|runs| {
            let (mut bytes, mut ends) = (Vec::new(), Vec::with_capacity(runs.len()));
            for r in runs {
                crate::text::natural_key_into(&r.source, &mut bytes);
                ends.push(bytes.len() as u32);
            }
            bytes.shrink_to_fit();
            (bytes, ends)
        })
        .collect();
    let key = |i: u32| -> &[u8] {
        let (bytes, ends) = &keys[i as usize / SLICE];
        let j = i as usize % SLICE;
        let start = if j == 0 { 0 } else { ends[j - 1] as usize };
        &bytes[start..ends[j] as usize]
    };
    let run = |i: u32| &ds.runs[i as usize];
    let mut runs: Vec<u32> = (0..ds.runs.len() as u32).collect();
    runs.par_sort_unstable_by(|&a, &b| key(a).cmp(key(b)).then(run(a).run.cmp(&run(b).run)));
    let mut ranks = vec![0; ds.runs.len()];
    let mut rank = 0;
    for (i, &r) in runs.iter().enumerate() {
        let before = (i > 0).then(|| run(runs[i - 1]));
        if before.is_some_and(|b| b.source != run(r).source || b.run != run(r).run) {
            rank += 1;
        }
        ranks[r as usize] = rank;
    }
    ranks
}

/// One [`SummaryRow`] per cell, in the order of the groups and cells (groups on every core). A
/// row shares its cell's values, and its sources with the row of another metric of the group
/// on the same arm that has the same files: a store's 1,000 campaigns hold 10 million values,
/// and a file per value in each cell.
pub(crate) fn summary_rows(groups: &Groups<'_>) -> Vec<SummaryRow> {
    let groups: Vec<_> = groups.iter().collect();
    groups.into_par_iter().flat_map_iter(|(g, group)| group_rows(g, group)).collect()
}

/// The [`SummaryRow`]s of the cells of `group`, by metric then arm.
fn group_rows(g: &GroupId, group: &Group<'_>) -> Vec<SummaryRow> {
    let mut sources_on: BTreeMap<&str, Known<'_, '_>> = BTreeMap::new();
    group
        .cells()
        .map(|(metric, arm, cell)| {
            let first = cell.first();
            let sources = cell.sources_like(sources_on.get(arm));
            sources_on.insert(arm, (cell, sources.clone()));
            SummaryRow {
                group: g.clone(),
                workload: g.workload().to_string(),
                params: g.params_string().to_string(),
                metric: metric.to_string(),
                unit: first.unit().to_string(),
                better: first.better(),
                kind: first.kind(),
                platform: arm.to_string(),
                stratum: g.stratum().to_string(),
                primary: group.is_primary(metric),
                percentile: first.declared().percentile.clone(),
                stats: cell.stats.clone(),
                values: cell.values.clone(),
                sources,
            }
        })
        .collect()
}

/// The primary metric of a group: the one its runs declare ([`crate::model::Run::primary`]), a
/// benchmark's declaration before a monitor's (a pidstat log paired with the benchmark's runs
/// declares its own); of several, the one the most runs declare, then the first by name. One
/// whose every value in the group, on every arm, is 0 is taken only when no other is declared
/// (the parsers pass over a metric a run measured as 0, so this needs all runs).
fn declared_primary<'a>(group: &Group<'a>) -> Option<&'a str> {
    // metric -> (declared by a monitor only, runs declaring it).
    let mut votes: BTreeMap<&'a str, (bool, usize)> = BTreeMap::new();
    for (metric, _, cell) in group.cells().filter(|(_, _, cell)| cell.votes.observations > 0) {
        let vote = votes.entry(metric).or_insert((true, 0));
        vote.0 &= cell.votes.monitor_only;
        vote.1 += cell.votes.observations;
    }
    let best = votes.into_iter().min_by_key(|&(m, (monitor, runs))| {
        (zero_in_every_run(group, m), monitor, std::cmp::Reverse(runs), m)
    })?;
    Some(best.0)
}

/// Returns true if and only if every value of `metric` in `group`, on every arm, is 0.
fn zero_in_every_run(group: &Group<'_>, metric: &str) -> bool {
    group
        .metrics
        .get(metric)
        .is_some_and(|arms| arms.values().all(|cell| cell.values.iter().all(|&v| v == 0.0)))
}

pub(crate) use crate::text::natural_cmp;

#[cfg(test)]
mod tests {
    use super::natural_cmp;
    use crate::analyse::{Dataset, ObsRow};
    use crate::model::{Better, Declared, Kind, Role};

    /// One observation of `events_per_sec` on native, of run `run` of `source` (repetition
    /// `rep`), as the tests vary it.
    fn obs(source: &str, run: u32, rep: u32, value: f64) -> ObsRow {
        ObsRow {
            source: source.into(),
            run,
            tool: "sysbench".into(),
            tool_version: None,
            workload: "sysbench.cpu".into(),
            params: String::new(),
            arm: "native".into(),
            stratum: String::new(),
            repetition: rep,
            first_line: 1,
            metric: "events_per_sec".into(),
            unit: "events/s".into(),
            better: Better::Higher,
            kind: Kind::Performance,
            value,
            declared: Declared::default(),
        }
    }

    /// A cell's sources are its files each once, in run order (`rep2` before `rep10`), as its
    /// values are: given out of order, a file with two runs, 12 files.
    #[test]
    fn a_cells_sources_are_its_files_once_in_run_order() {
        let mut ds = Dataset::default();
        for (rep, run) in [(10, 1), (2, 1), (3, 2), (1, 1), (12, 1), (3, 1), (4, 1), (11, 1)]
            .into_iter()
            .chain((5..10).map(|r| (r, 1)))
        {
            ds.push(obs(&format!("native/rep{rep}.txt"), run, rep, f64::from(rep * 10 + run)));
        }
        let layout = super::order(&mut ds);
        let groups = super::groups(&ds, layout, 0.95);
        let rows = super::summary_rows(&groups);
        assert_eq!(rows.len(), 1);
        let sources: Vec<&str> = rows[0].sources.iter().map(|s| &**s).collect();
        let want: Vec<String> = (1..=12).map(|r| format!("native/rep{r}.txt")).collect();
        assert_eq!(sources, want);
        let mut values = vec![11.0, 21.0, 31.0, 32.0];
        values.extend((4..=12).map(|r| f64::from(r * 10 + 1)));
        assert_eq!(*rows[0].values, *values);
    }

    /// A group's primary metric is its benchmark's declaration, even where a monitor log
    /// beside it declares its own in more runs; of two benchmark declarations, the one more
    /// runs make.
    #[test]
    fn a_benchmarks_primary_declaration_comes_before_a_monitors() {
        let row = |rep: u32, metric: &str, role: Role| ObsRow {
            metric: metric.into(),
            declared: Declared { role, primary: true, ..Declared::default() },
            ..obs(&format!("native/rep{rep}.txt"), 1, rep, f64::from(rep))
        };
        let primary = |rows: Vec<ObsRow>| {
            let mut ds = Dataset::default();
            ds.extend(rows);
            let layout = super::order(&mut ds);
            super::groups(&ds, layout, 0.95).values().next().and_then(|g| g.primary).map(str::to_string)
        };
        let monitor = (1..=5).map(|r| row(r, "cpu_pct", Role::Monitor));
        let bench = (1..=2).map(|r| row(r, "events_per_sec", Role::Benchmark));
        assert_eq!(
            primary(monitor.clone().chain(bench.clone()).collect()).as_deref(),
            Some("events_per_sec")
        );
        let more = (1..=3).map(|r| row(r, "latency_ms", Role::Benchmark));
        assert_eq!(primary(bench.chain(more).chain(monitor).collect()).as_deref(), Some("latency_ms"));
    }

    /// Run ranks over more runs than one slice of keys holds: the rank of each run is its
    /// place in the runs sorted by `natural_cmp` of their files, then run index (two runs in
    /// some files), given in a shuffled order.
    #[test]
    fn run_ranks_follow_natural_order_across_slices_of_keys() {
        let mut ds = Dataset::default();
        let mut rng = fastrand::Rng::with_seed(11);
        let mut runs: Vec<(String, u32)> =
            (0..9_000).map(|k| (format!("d{}/rep{}.txt", (k / 2) % 7, k / 2), 1 + k % 2)).collect();
        rng.shuffle(&mut runs);
        for (source, run) in &runs {
            ds.push(obs(source, *run, 1, 1.0));
        }
        let ranks = super::run_ranks(&ds);
        let mut sorted = runs.clone();
        sorted.sort_by(|(a, i), (b, j)| natural_cmp(a, b).then(i.cmp(j)));
        sorted.dedup();
        for (place, (source, run)) in ds.runs.iter().map(|r| (&*r.source, r.run)).enumerate() {
            let want = sorted.iter().position(|(s, r)| s == source && *r == run).expect("listed");
            assert_eq!(ranks[place] as usize, want, "{source} run {run}");
        }
    }

    #[test]
    fn digit_runs_compare_as_numbers() {
        let mut v = vec!["d/rep10.txt", "d/rep2.txt", "d/rep1.txt", "c/rep3.txt", "d/rep02.txt"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["c/rep3.txt", "d/rep1.txt", "d/rep02.txt", "d/rep2.txt", "d/rep10.txt"]);
    }
}
