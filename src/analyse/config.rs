//! The settings of an analysis: the baseline, the confidence level, the equivalence margin and
//! the checks' thresholds. Validated from the command line by `crate::commands`.

use crate::stats::Adjust;

/// Settings of an analysis.
#[derive(Debug, Clone)]
pub struct AnalyseConfig {
    /// The arm every other arm is compared with (`native`).
    pub baseline: String,
    /// Confidence level of every interval, e.g. 0.95.
    pub confidence: f64,
    /// Equivalence margin in percent, if any.
    pub margin_pct: Option<f64>,
    /// CV (percent) above which a group gets a `high_cv` warning (never a failure: the
    /// interval already holds the spread).
    pub cv_warn_pct: f64,
    /// Fewer runs than this get a warning.
    pub min_runs: usize,
    /// How the p-values of the primary metrics' comparisons are adjusted (`--adjust`).
    pub adjust: Adjust,
    /// A change in percent for which to give the runs per side needed (`--detect`).
    pub detect_pct: Option<f64>,
}

impl Default for AnalyseConfig {
    fn default() -> AnalyseConfig {
        AnalyseConfig {
            baseline: "native".into(),
            confidence: 0.95,
            margin_pct: None,
            cv_warn_pct: 5.0,
            min_runs: 3,
            adjust: Adjust::Holm,
            detect_pct: None,
        }
    }
}
