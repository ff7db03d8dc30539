//! Precision on demand: a workload with `precision_pct` runs its minimum repetitions, then, in
//! further interleaved rounds, one more repetition of each (platform, workload) pair whose 95%
//! interval of the primary metric's mean is still wider than the target (its half-width in
//! percent of the mean), until every pair meets it or has run its maximum.
//!
//! The primary metric of a run's output is read by a [`PrimaryReader`] that the caller hands
//! the campaign (the commands layer reads outputs with the ingester), so the executor knows no
//! parser. What is decided here depends only on the manifest's runs and those values, so a
//! resumed campaign takes the same decisions.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::plan::{Plan, PrecisionRule};
use crate::model::manifest::{PrecisionStop, RunRecord};
use crate::stats::Summary;

/// Reads the primary metric of run outputs: for each file it can read, the metric's name and
/// value of each run the file holds, in file order (redis-benchmark's SET and GET are two).
/// Files it cannot read are left out.
pub(crate) type PrimaryReader = super::cli::PrimaryValues;

/// Confidence of the interval whose width is judged.
pub(crate) const CONFIDENCE: f64 = 0.95;

/// The half-width of the `CONFIDENCE` Student-t interval of the mean of `values`, in percent of
/// the mean's magnitude; `None` with fewer than two values or a mean of 0.
pub(crate) fn relative_half_width(values: &[f64]) -> Option<f64> {
    let s = Summary::of(values, CONFIDENCE);
    let (lo, hi, mean) = (s.ci_low?, s.ci_high?, s.mean?);
    (mean != 0.0).then(|| (hi - lo) / 2.0 / mean.abs() * 100.0)
}

/// Where one (platform, workload) pair under a precision rule stands.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Standing {
    /// The pair's platform.
    pub(crate) platform: String,
    /// The pair's workload.
    pub(crate) workload: String,
    /// The rule.
    pub(crate) rule: PrecisionRule,
    /// Measured repetitions recorded, failed ones included.
    pub(crate) repetitions: u32,
    /// The primary metric's name, when one was read (of the output's first run).
    pub(crate) metric: Option<String>,
    /// Values read: per run of the output (the k-th run of every repetition's file), one value
    /// per repetition.
    pub(crate) values: Vec<Vec<f64>>,
}

impl Standing {
    /// The half-width reached, percent of the mean: the widest of the output's runs (each must
    /// meet the target), `None` while one of them has no interval.
    pub(crate) fn reached(&self) -> Option<f64> {
        if self.values.is_empty() {
            return None;
        }
        self.values.iter().map(|v| relative_half_width(v)).try_fold(0.0f64, |w, r| r.map(|r| w.max(r)))
    }

    /// Whether the target is reached.
    pub(crate) fn met(&self) -> bool {
        self.reached().is_some_and(|r| r <= self.rule.pct)
    }

    /// Whether another repetition is due: not met, the minimum run, the maximum not.
    pub(crate) fn wants_more(&self) -> bool {
        self.repetitions >= self.rule.min && self.repetitions < self.rule.max && !self.met()
    }

    /// The manifest's record of it: `met`, `max_repetitions`, or `interrupted` (neither: the
    /// campaign stopped first).
    pub(crate) fn stop(&self) -> PrecisionStop {
        let stopped = if self.met() {
            "met"
        } else if self.repetitions >= self.rule.max {
            "max_repetitions"
        } else {
            "interrupted"
        };
        PrecisionStop {
            platform: self.platform.clone(),
            workload: self.workload.clone(),
            target_pct: self.rule.pct,
            min_repetitions: self.rule.min,
            max_repetitions: self.rule.max,
            metric: self.metric.clone(),
            repetitions: self.repetitions,
            values: self.values.first().map_or(0, Vec::len) as u32,
            reached_pct: self.reached(),
            stopped: stopped.into(),
        }
    }
}

/// Every (platform, workload) pair of `plan` under a precision rule, with its recorded
/// repetitions in `runs` and the primary values `read` from their outputs (under `out`).
pub(crate) fn standings(plan: &Plan, runs: &[RunRecord], out: &Path, read: PrimaryReader) -> Vec<Standing> {
    let mut pairs = Vec::new();
    for w in plan.workloads.iter() {
        let Some(rule) = w.precision else { continue };
        for p in plan.platforms.iter().filter(|p| w.runs_on(p)) {
            pairs.push((p.name.as_str(), w.name.as_str(), rule));
        }
    }
    let measured = |p: &str, w: &str| -> Vec<&RunRecord> {
        runs.iter().filter(|r| !r.warmup && r.platform == p && r.workload == w).collect()
    };
    let files: Vec<PathBuf> = pairs
        .iter()
        .flat_map(|(p, w, _)| measured(p, w))
        .filter(|r| r.status == crate::model::manifest::RunStatus::Ok)
        .map(|r| out.join(&r.output))
        .collect();
    let values = if files.is_empty() { BTreeMap::new() } else { read(&files) };
    pairs
        .into_iter()
        .map(|(p, w, rule)| {
            let recs = measured(p, w);
            let read: Vec<&Vec<(String, f64)>> =
                recs.iter().filter_map(|r| values.get(&out.join(&r.output))).collect();
            // The k-th run of each file, over the repetitions; only runs every file holds.
            let runs = read.iter().map(|v| v.len()).min().unwrap_or(0);
            Standing {
                platform: p.into(),
                workload: w.into(),
                rule,
                repetitions: recs.len() as u32,
                metric: read.first().and_then(|v| v.first()).map(|(m, _)| m.clone()),
                values: (0..runs).map(|k| read.iter().map(|v| v[k].1).collect()).collect(),
            }
        })
        .collect()
}

/// What `--dry-run` says about the number of runs a plan with precision rules may take: the
/// measured runs at the minimum and at the maximum of every rule, or `None` without rules.
pub(crate) fn bounds(plan: &Plan) -> Option<(u64, u64)> {
    let mut any = false;
    let (mut lo, mut hi) = (0u64, 0u64);
    for w in &plan.workloads {
        let n = plan.platforms.iter().filter(|p| w.runs_on(p)).count() as u64;
        match w.precision {
            Some(rule) => {
                any = true;
                lo += n * u64::from(rule.min);
                hi += n * u64::from(rule.max);
            }
            None => {
                lo += n * u64::from(w.repetitions());
                hi += n * u64::from(w.repetitions());
            }
        }
    }
    any.then_some((lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference: for [10, 11, 12], mean 11, sd 1, t(0.975, 2) = 4.302653 (scipy.stats.t.ppf),
    /// half-width 4.302653 / sqrt(3) = 2.484138, i.e. 22.5831% of 11.
    #[test]
    fn relative_half_width_is_the_t_interval_over_the_mean() {
        let r = relative_half_width(&[10.0, 11.0, 12.0]).unwrap();
        assert!((r - 22.583_07).abs() < 1e-4, "{r}");
        assert_eq!(relative_half_width(&[5.0]), None);
        assert_eq!(relative_half_width(&[-1.0, 1.0]), None);
        // A constant sample has an interval of one point.
        assert_eq!(relative_half_width(&[3.0, 3.0, 3.0]), Some(0.0));
    }

    #[test]
    fn more_only_between_min_and_max_and_while_not_met() {
        let rule = PrecisionRule { pct: 5.0, min: 3, max: 6 };
        let s = |repetitions: u32, values: &[f64]| Standing {
            platform: "p".into(),
            workload: "w".into(),
            rule,
            repetitions,
            metric: Some("m".into()),
            values: if values.is_empty() { Vec::new() } else { vec![values.to_vec()] },
        };
        assert!(!s(2, &[10.0, 12.0]).wants_more(), "the minimum is run in the first rounds");
        assert!(s(3, &[10.0, 11.0, 12.0]).wants_more(), "22.6% > 5%");
        assert!(!s(6, &[10.0, 11.0, 12.0, 10.0, 11.0, 12.0]).wants_more(), "the maximum");
        assert_eq!(s(6, &[10.0, 11.0, 12.0, 10.0, 11.0, 12.0]).stop().stopped, "max_repetitions");
        let tight = s(3, &[100.0, 100.5, 101.0]);
        assert!(tight.met() && !tight.wants_more());
        assert_eq!(tight.stop().stopped, "met");
        // Failed runs count as repetitions (toward the maximum) but give no value.
        let failing = s(6, &[]);
        assert!(!failing.wants_more());
        assert_eq!(failing.stop().reached_pct, None);
    }

    /// An output with two runs (redis-benchmark's SET and GET): the pair has met its target only
    /// when both have; what it reached is the wider of the two.
    #[test]
    fn every_run_of_a_multi_run_output_must_meet_the_target() {
        let rule = PrecisionRule { pct: 5.0, min: 3, max: 6 };
        let s = |set: &[f64], get: &[f64]| Standing {
            platform: "p".into(),
            workload: "w".into(),
            rule,
            repetitions: 3,
            metric: Some("m".into()),
            values: vec![set.to_vec(), get.to_vec()],
        };
        let tight = [100.0, 100.5, 101.0];
        let wide = [10.0, 11.0, 12.0];
        assert!(s(&tight, &tight).met());
        let mixed = s(&tight, &wide);
        assert!(!mixed.met() && mixed.wants_more(), "GET is 22.6% wide");
        assert!((mixed.reached().unwrap() - 22.583_07).abs() < 1e-4);
        assert!(!s(&wide, &tight).met(), "whichever run is wide");
        assert_eq!(s(&tight, &[5.0]).reached(), None, "one run without an interval yet");
    }
}
