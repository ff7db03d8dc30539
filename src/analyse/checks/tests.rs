//! How the checks act on the comparisons: a refused comparison gets no row, a failed check
//! withholds the verdicts it concerns and nothing more.

use crate::analyse::{analyse, AnalyseConfig, Dataset, ObsRow, OverheadRow};
use crate::model::{Better, Declared, Kind, Role};

/// Three runs of `metric` of `tool` at `version` on `arm`, values `base`, `base + 1`, `base + 2`.
fn runs(tool: &str, version: &str, arm: &str, metric: &str, unit: &str, base: f64) -> Vec<ObsRow> {
    (0..3)
        .map(|i| ObsRow {
            source: format!("{arm}/rep{}.txt", i + 1),
            run: 1,
            tool: tool.into(),
            tool_version: Some(version.into()),
            workload: "sysbench.cpu".into(),
            params: "threads=1".into(),
            arm: arm.into(),
            stratum: String::new(),
            repetition: i + 1,
            first_line: 1,
            metric: metric.into(),
            unit: unit.into(),
            better: Better::Higher,
            kind: if tool == "pidstat" { Kind::Resource } else { Kind::Performance },
            value: base + f64::from(i),
            declared: Declared {
                primary: metric == "events_per_sec",
                role: if tool == "pidstat" { Role::Monitor } else { Role::Benchmark },
                ..Declared::default()
            },
        })
        .collect()
}

fn row<'a>(rows: &'a [OverheadRow], metric: &str) -> Option<&'a OverheadRow> {
    rows.iter().find(|r| r.metric == metric && r.platform == "docker")
}

/// sysbench 1.0.20 on native, 1.0.18 in docker: the primary metric's comparison is refused
/// (no row) and `versions_differ` fails on the group, which withholds the verdict of the
/// pidstat metric beside it (same pidstat version on both sides), whose row stays.
#[test]
fn versions_differ_refuses_its_metric_and_withholds_the_group() {
    let mut ds = Dataset::default();
    ds.extend(runs("sysbench", "1.0.20", "native", "events_per_sec", "events/s", 100.0));
    ds.extend(runs("sysbench", "1.0.18", "docker", "events_per_sec", "events/s", 90.0));
    ds.extend(runs("pidstat", "12.6.1", "native", "cpu_pct_mean", "%", 50.0));
    ds.extend(runs("pidstat", "12.6.1", "docker", "cpu_pct_mean", "%", 60.0));
    let a = analyse(&mut ds, &AnalyseConfig::default());
    let names: Vec<&str> = a.checks.iter().map(|c| c.check).collect();
    assert_eq!(names, ["versions_differ"]);
    assert_eq!(a.checks[0].detail, "not compared: native ran sysbench version 1.0.20 but docker ran 1.0.18");
    assert!(row(&a.overhead, "events_per_sec").is_none());
    let cpu = row(&a.overhead, "cpu_pct_mean").expect("the pidstat metric is compared");
    assert_eq!(cpu.verdict, "not judged: versions_differ");

    // Only the monitor's version differs: its metric is not compared, and nothing is said (the
    // check is about the primary metric's tool).
    let mut ds = Dataset::default();
    ds.extend(runs("sysbench", "1.0.20", "native", "events_per_sec", "events/s", 100.0));
    ds.extend(runs("sysbench", "1.0.20", "docker", "events_per_sec", "events/s", 90.0));
    ds.extend(runs("pidstat", "12.6.1", "native", "cpu_pct_mean", "%", 50.0));
    ds.extend(runs("pidstat", "12.5.7", "docker", "cpu_pct_mean", "%", 60.0));
    let a = analyse(&mut ds, &AnalyseConfig::default());
    assert!(a.checks.is_empty(), "{:?}", a.checks);
    assert!(row(&a.overhead, "cpu_pct_mean").is_none());
    assert_eq!(row(&a.overhead, "events_per_sec").expect("compared").verdict, "slower");
}

/// A metric in ms on one side and s on the other: `units_differ` refuses that metric only, and
/// withholds nothing else (its scope is the metric).
#[test]
fn units_differ_refuses_its_metric_only() {
    let mut ds = Dataset::default();
    ds.extend(runs("sysbench", "1.0.20", "native", "events_per_sec", "events/s", 100.0));
    ds.extend(runs("sysbench", "1.0.20", "docker", "events_per_sec", "events/s", 90.0));
    ds.extend(runs("sysbench", "1.0.20", "native", "latency_avg", "ms", 5.0));
    ds.extend(runs("sysbench", "1.0.20", "docker", "latency_avg", "s", 6.0));
    let a = analyse(&mut ds, &AnalyseConfig::default());
    let names: Vec<&str> = a.checks.iter().map(|c| c.check).collect();
    assert_eq!(names, ["units_differ"]);
    assert_eq!(a.checks[0].detail, "not compared: latency_avg is in ms and s");
    assert!(row(&a.overhead, "latency_avg").is_none());
    assert_eq!(row(&a.overhead, "events_per_sec").expect("compared").verdict, "slower");
}

/// native ran threads=1 and 2, docker threads=1 and 4: the warning names which side lacks which
/// set (issue 18: "no native runs at threads=190", not a generic "params differ"), and the shared
/// set is still compared.
#[test]
fn params_differ_says_which_side_lacks_which_set() {
    let at = |params: &str, obs: Vec<ObsRow>| -> Vec<ObsRow> {
        obs.into_iter().map(|o| ObsRow { params: params.into(), ..o }).collect()
    };
    let mut ds = Dataset::default();
    for (arm, params) in
        [("native", "threads=1"), ("native", "threads=2"), ("docker", "threads=1"), ("docker", "threads=4")]
    {
        ds.extend(at(params, runs("sysbench", "1.0.20", arm, "events_per_sec", "events/s", 100.0)));
    }
    let a = analyse(&mut ds, &AnalyseConfig::default());
    let pd: Vec<&str> =
        a.checks.iter().filter(|c| c.check == "params_differ").map(|c| c.detail.as_str()).collect();
    assert_eq!(
        pd,
        ["no native runs at [threads=4]; no docker runs at [threads=2]: only the parameter sets both ran are compared"]
    );
    assert!(row(&a.overhead, "events_per_sec").is_some(), "threads=1 is compared");
}

/// A deadlock that sysbench retried (`ignored_errors`) is a warning that withholds nothing; a
/// FATAL line fails and withholds the verdict.
#[test]
fn retried_errors_warn_and_fatal_ones_fail() {
    use crate::analyse::input::RunIssue;
    let issue = |kind: &str| RunIssue {
        source: "docker/rep2.txt".into(),
        line: 30,
        workload: "sysbench.cpu".into(),
        params: "threads=1".into(),
        stratum: String::new(),
        arm: "docker".into(),
        family: "container".into(),
        kind: kind.into(),
        message: "1 ignored errors (queries that failed and were retried)".into(),
    };
    for (kind, severity, verdict) in
        [("ignored_errors", "warning", "slower"), ("fatal", "fail", "not judged: log_errors")]
    {
        let mut ds = Dataset::default();
        ds.extend(runs("sysbench", "1.0.20", "native", "events_per_sec", "events/s", 100.0));
        ds.extend(runs("sysbench", "1.0.20", "docker", "events_per_sec", "events/s", 90.0));
        ds.issues.push(issue(kind));
        let a = analyse(&mut ds, &AnalyseConfig::default());
        let c = a.checks.iter().find(|c| c.check == "log_errors").expect("log_errors");
        assert_eq!(c.severity.as_str(), severity, "{kind}");
        assert_eq!(row(&a.overhead, "events_per_sec").expect("compared").verdict, verdict, "{kind}");
    }
}

/// Time-limited runs given out of run order (rep10 first): the analysis puts each cell's
/// observations in run order, and nothing it gives depends on the order they came in:
/// `run_time_differs` names its runs in run order, as the other checks do, a group's subsystem
/// is the first of its declarations in [`Subsystem`]'s order, and a second analysis of the
/// same dataset (now in cell order) gives the same rows, the dataset the same observations.
#[test]
fn the_analysis_does_not_depend_on_the_order_observations_came_in() {
    use crate::model::Subsystem;
    let mut ds = Dataset::default();
    // rep10 and rep2 stalled (100 s against 10 s); rep10 declares memory, the others cpu.
    for rep in [10, 2, 1, 3, 4, 5] {
        let subsystem = if rep == 10 { Subsystem::Memory } else { Subsystem::Cpu };
        let time = if rep == 10 || rep == 2 { 100.0 } else { 10.0 };
        for (metric, value, time_limit) in
            [("events_per_sec", f64::from(rep), false), ("total_time_s", time, true)]
        {
            let mut row = runs("sysbench", "1.0.20", "native", metric, "s", 0.0).remove(0);
            row.source = format!("native/rep{rep}.txt");
            row.repetition = rep;
            row.value = value;
            row.declared.time_limit = time_limit;
            row.declared.subsystem = subsystem;
            ds.push(row);
        }
    }
    let mut before: Vec<(u32, u32, u64)> =
        ds.obs.iter().map(|o| (o.run, o.metric, o.value.to_bits())).collect();
    let declared = crate::analyse::subsystems::declared(&ds);
    assert_eq!(declared.values().collect::<Vec<_>>(), [&Subsystem::Cpu]);
    let a = analyse(&mut ds, &AnalyseConfig::default());
    let named: Vec<&str> =
        a.checks.iter().filter(|c| c.check == "run_time_differs").map(|c| c.sources[0].as_str()).collect();
    assert_eq!(named, ["native/rep2.txt:1", "native/rep10.txt:1"]);
    let values: Vec<f64> =
        a.summary.iter().find(|r| r.metric == "events_per_sec").expect("summarised").values.to_vec();
    assert_eq!(values, [1.0, 2.0, 3.0, 4.0, 5.0, 10.0], "in run order");
    let again = analyse(&mut ds, &AnalyseConfig::default());
    assert_eq!(format!("{:?}", again.summary), format!("{:?}", a.summary));
    assert_eq!(format!("{:?}", again.checks), format!("{:?}", a.checks));
    assert_eq!(crate::analyse::subsystems::declared(&ds), declared);
    let mut after: Vec<(u32, u32, u64)> =
        ds.obs.iter().map(|o| (o.run, o.metric, o.value.to_bits())).collect();
    before.sort_unstable();
    after.sort_unstable();
    assert_eq!(after, before);
}
