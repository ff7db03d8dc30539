//! Statistics over benchmark repetitions: summaries with Student's t intervals, Welch's t-test,
//! Fieller's interval for the ratio of two means, overhead orientation, verdicts, outliers
//! (modified z-scores) and drift (Mann–Kendall).
//!
//! Everything here is a pure function over `f64` slices and small structs: no polars, no I/O,
//! no knowledge of tools, platforms or files (grouping and wording belong to the analysis and
//! report stages). What cannot be computed is `None`, or an explicit [`NoInterval`] reason,
//! never NaN. No function panics, whatever its input:
//!
//! - NaN and ±∞ values are left out before anything is computed ([`Summary::non_finite`] counts
//!   them; [`modified_z_scores`] gives them no score; [`mann_kendall`] keeps the order of the
//!   rest);
//! - empty inputs, one value, zero variance and results that overflow `f64` give `None`;
//! - a confidence level outside the open interval (0, 1) gives no interval.
//!
//! The t and normal distributions come from `statrs`. Where its accuracy falls short of the
//! 1e-9 relative error the tests demand (its t quantile, its normal tail), this module polishes
//! or reroutes the computation; see [`students_t_quantile`] and docs/statistics.md, which also
//! gives every formula and the references (Welch 1947; Fieller 1954 as implemented by R's
//! `mratios::ttestratio`; Iglewicz & Hoaglin 1993; Mann 1945, Kendall 1975).

use std::fmt;

use serde::Serialize;
use statrs::distribution::{Continuous, ContinuousCDF, StudentsT};
use statrs::function::erf::erfc_inv;
use statrs::function::gamma::checked_gamma_ur;

use crate::model::{Better, Kind};

// Outliers, drift, practical size, bimodality.
mod runs;
pub use runs::*;
// Printed resolution.
mod resolution;
pub use resolution::*;
// Blocked (paired) comparison by round.
mod paired;
pub use paired::*;
// Bootstrap interval of a ratio of medians.
mod bootstrap;
pub use bootstrap::*;

/// Threshold on |modified z-score| above which a value is flagged (Iglewicz & Hoaglin 1993).
pub const MODIFIED_Z_THRESHOLD: f64 = 3.5;

/// Fewest finite values for which [`MannKendall::drift`] reports a drift. Below four
/// repetitions no ordering is significant at the 5% level, and a trend over three points says
/// nothing about the machine.
pub(crate) const MIN_RUNS_FOR_DRIFT: usize = 4;

/// Above this many degrees of freedom the t quantile comes from the Cornish–Fisher expansion
/// (Abramowitz & Stegun 26.7.5) instead of Newton steps on statrs' cdf, whose incomplete beta
/// function loses accuracy for large shape parameters.
const LARGE_DF: f64 = 1e4;

// ---------------------------------------------------------------------------------------------
// Summary

/// Descriptive statistics of one group of repetitions, with Student's t interval for its mean.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Number of finite values summarised.
    pub n: usize,
    /// Number of input values left out because they were NaN or infinite.
    pub non_finite: usize,
    /// Arithmetic mean. Not available when `n` is 0 (or the sum overflows).
    pub mean: Option<f64>,
    /// Sample standard deviation (divisor `n - 1`). Not available when `n` < 2.
    pub sd: Option<f64>,
    /// Median (mean of the two middle values when `n` is even). Not available when `n` is 0.
    pub median: Option<f64>,
    /// Smallest value. Not available when `n` is 0.
    pub min: Option<f64>,
    /// Largest value. Not available when `n` is 0.
    pub max: Option<f64>,
    /// Coefficient of variation in percent: `sd / |mean| * 100`. Not available without `sd`
    /// or when the mean is 0.
    pub cv_pct: Option<f64>,
    /// Confidence level of the interval, e.g. 0.95.
    pub confidence: f64,
    /// Lower bound of Student's t interval for the mean: `mean - t(1 - α/2, n - 1) * sd / √n`.
    /// Not available when `n` < 2 or the confidence is not inside (0, 1).
    pub ci_low: Option<f64>,
    /// Upper bound of Student's t interval for the mean. Not available as for `ci_low`.
    pub ci_high: Option<f64>,
}

impl Summary {
    /// Summarises `values` (NaN and ±∞ are left out and counted in `non_finite`) with a
    /// `confidence`-level t interval for the mean (`confidence` in (0, 1), e.g. 0.95).
    ///
    /// With zero variance the interval is the single point `[mean, mean]`.
    pub fn of(values: &[f64], confidence: f64) -> Summary {
        let mut xs = finite_values(values);
        let non_finite = values.len() - xs.len();
        let n = xs.len();
        let mean = mean(&xs);
        let sd = match mean {
            Some(m) if n >= 2 => sample_variance(&xs, m).map(f64::sqrt),
            _ => None,
        };
        let (median, min, max) = median_and_ends(&mut xs);
        let cv_pct = match (sd, mean) {
            (Some(s), Some(m)) if m != 0.0 => finite(s / m.abs() * 100.0),
            _ => None,
        };
        let half_width = match (sd, valid_confidence(confidence)) {
            (Some(s), true) => t_upper((1.0 - confidence) / 2.0, (n - 1) as f64)
                .and_then(|t| finite(t * s / (n as f64).sqrt())),
            _ => None,
        };
        let (ci_low, ci_high) = match (mean, half_width) {
            (Some(m), Some(h)) => (finite(m - h), finite(m + h)),
            _ => (None, None),
        };
        Summary { n, non_finite, mean, sd, median, min, max, cv_pct, confidence, ci_low, ci_high }
    }

    /// `sd² / n`, the squared standard error of the mean, when `n` ≥ 2.
    fn var_of_mean(&self) -> Option<f64> {
        if self.n < 2 {
            return None;
        }
        self.sd.and_then(|s| finite(s * s / self.n as f64))
    }
}

// ---------------------------------------------------------------------------------------------
// Welch's t-test

/// Welch's two-sided t-test of equal means, without assuming equal variances.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WelchTest {
    /// `(mean_a - mean_b) / √(sa²/na + sb²/nb)`.
    pub t: f64,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: f64,
    /// Two-sided p-value, `2 P(T_df > |t|)`.
    pub p_value: f64,
}

/// Welch's t-test of `a` (the platform) against `b` (the baseline), as
/// `scipy.stats.ttest_ind(a, b, equal_var=False)` computes it.
///
/// Returns `None` when either side has fewer than 2 values, when both have zero variance (the
/// statistic would be infinite or undefined; scipy answers ±∞ and p = 0, or NaN), or when the
/// arithmetic overflows.
pub fn welch_t_test(a: &Summary, b: &Summary) -> Option<WelchTest> {
    let (ma, mb) = (a.mean?, b.mean?);
    let (va, vb) = (a.var_of_mean()?, b.var_of_mean()?);
    let se2 = va + vb;
    if se2 <= 0.0 || !se2.is_finite() {
        return None;
    }
    let t = finite((ma - mb) / se2.sqrt())?;
    let df = finite(se2 * se2 / (va * va / (a.n - 1) as f64 + vb * vb / (b.n - 1) as f64))?;
    let p_value = t_two_sided_p(t, df)?;
    Some(WelchTest { t, df, p_value })
}

// ---------------------------------------------------------------------------------------------
// Fieller's interval for a ratio of means

/// A confidence interval, or why there is none.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Interval {
    /// The closed interval `[low, high]`, `low <= high`.
    Bounded {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// No finite interval.
    Unavailable {
        /// Why.
        reason: NoInterval,
    },
}

impl Interval {
    /// The bounds `(low, high)` when the interval is bounded.
    pub fn bounds(&self) -> Option<(f64, f64)> {
        match *self {
            Interval::Bounded { low, high } => Some((low, high)),
            Interval::Unavailable { .. } => None,
        }
    }

    /// Returns true if and only if the interval is bounded and contains `x`.
    pub fn contains(&self, x: f64) -> bool {
        self.bounds().is_some_and(|(low, high)| low <= x && x <= high)
    }
}

/// Why a ratio (or overhead) interval is not available.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoInterval {
    /// Fewer than 2 finite runs on a side: no variance, no interval.
    TooFewRuns,
    /// The baseline's mean is not distinguishable from zero at this confidence level
    /// (`mean_b² <= t² sb²/nb`): the Fieller confidence set is unbounded (a ray, two rays or
    /// the whole line), so no ratio can be excluded.
    BaselineIndistinguishableFromZero,
    /// Neither sample varies (or the platform's mean is 0 and it does not vary): the
    /// uncertainty of the ratio cannot be estimated.
    NoVariation,
    /// The platform's mean is not distinguishable from zero (Fieller's interval of the ratio
    /// reaches 0 or below), so a cost ratio has no bound on one side: the time per unit of work
    /// of a throughput, 1 / ratio, has no upper bound; a latency's or resource's ratio no
    /// positive lower bound.
    PlatformIndistinguishableFromZero,
    /// The confidence level is not inside (0, 1).
    InvalidConfidence,
    /// The arithmetic overflowed `f64`.
    NotFinite,
}

impl NoInterval {
    /// The reason in words, for reports: `baseline indistinguishable from zero`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            NoInterval::TooFewRuns => "too few runs",
            NoInterval::BaselineIndistinguishableFromZero => "baseline indistinguishable from zero",
            NoInterval::PlatformIndistinguishableFromZero => "platform indistinguishable from zero",
            NoInterval::NoVariation => "no variation in either sample",
            NoInterval::InvalidConfidence => "confidence level not between 0 and 1",
            NoInterval::NotFinite => "values too large to compute with",
        }
    }
}

impl fmt::Display for NoInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The ratio `q = mean_a / mean_b` of two independent means with Fieller's interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RatioEstimate {
    /// Point estimate `mean_a / mean_b`. Not available when either mean is missing or the
    /// baseline's mean is 0.
    pub estimate: Option<f64>,
    /// Confidence level of the interval.
    pub confidence: f64,
    /// Welch–Satterthwaite degrees of freedom at `ρ = estimate`, at least 1. Not available when
    /// no interval was attempted.
    pub df: Option<f64>,
    /// The critical value `t(1 - α/2, df)`. Not available as for `df`.
    pub t_crit: Option<f64>,
    /// Fieller's interval for the ratio, or why there is none.
    pub interval: Interval,
}

/// Fieller's `confidence`-level interval for `mean_a / mean_b` (a = platform, b = baseline),
/// with unequal variances, as R's `mratios::ttestratio(a, b, var.equal = FALSE)` computes it:
///
/// ```text
/// va = sa²/na, vb = sb²/nb, q = ma/mb
/// df = max(1, (va + q² vb)² / (va²/(na-1) + q⁴ vb²/(nb-1)))
/// t  = t(1 - α/2, df)
/// A  = mb² - t² vb,  B = -2 ma mb,  C = ma² - t² va
/// interval = the roots of A ρ² + B ρ + C = 0, when A > 0
/// ```
///
/// When `A <= 0` the interval is [`NoInterval::BaselineIndistinguishableFromZero`]. The roots
/// are computed without cancellation: the discriminant as `t² (vb ma² + va A)` (equal to
/// `B²/4 - AC`, and never negative when `A > 0`) and the smaller-magnitude root as `C / s`.
/// Unlike mratios, which refuses data where either sample is constant, a constant sample on one
/// side is accepted (its variance is simply 0); only when `va + q² vb = 0` is the result
/// [`NoInterval::NoVariation`].
pub fn fieller_ratio(a: &Summary, b: &Summary, confidence: f64) -> RatioEstimate {
    let estimate = match (a.mean, b.mean) {
        (Some(ma), Some(mb)) if mb != 0.0 => finite(ma / mb),
        _ => None,
    };
    let unavailable = |reason| RatioEstimate {
        estimate,
        confidence,
        df: None,
        t_crit: None,
        interval: Interval::Unavailable { reason },
    };
    if a.n < 2 || b.n < 2 {
        return unavailable(NoInterval::TooFewRuns);
    }
    if !valid_confidence(confidence) {
        return unavailable(NoInterval::InvalidConfidence);
    }
    let (Some(ma), Some(mb), Some(va), Some(vb)) = (a.mean, b.mean, a.var_of_mean(), b.var_of_mean()) else {
        return unavailable(NoInterval::NotFinite);
    };
    if mb == 0.0 {
        // A = -t² vb <= 0 whatever t is.
        return unavailable(NoInterval::BaselineIndistinguishableFromZero);
    }
    let Some(q) = estimate else {
        return unavailable(NoInterval::NotFinite);
    };
    let spread = va + q * q * vb;
    if spread == 0.0 {
        return unavailable(NoInterval::NoVariation);
    }
    let den = va * va / (a.n - 1) as f64 + q.powi(4) * vb * vb / (b.n - 1) as f64;
    let Some(df) = finite(spread * spread / den).map(|df| df.max(1.0)) else {
        return unavailable(NoInterval::NotFinite);
    };
    let Some(t) = t_upper((1.0 - confidence) / 2.0, df) else {
        return unavailable(NoInterval::NotFinite);
    };
    let with = |interval| RatioEstimate { estimate, confidence, df: Some(df), t_crit: Some(t), interval };
    let t2 = t * t;
    let a2 = mb * mb - t2 * vb;
    if a2.is_nan() {
        return with(Interval::Unavailable { reason: NoInterval::NotFinite });
    }
    if a2 <= 0.0 {
        return with(Interval::Unavailable { reason: NoInterval::BaselineIndistinguishableFromZero });
    }
    let c = ma * ma - t2 * va;
    let half_b = ma * mb; // -B/2
    let root = (t2 * (vb * ma * ma + va * a2)).max(0.0).sqrt();
    let s = if half_b >= 0.0 { half_b + root } else { half_b - root };
    let (r1, r2) = if s != 0.0 { (s / a2, c / s) } else { (half_b / a2, half_b / a2) };
    // The estimate lies between the roots (A q² + B q + C = -t² (va + q² vb) < 0); the min/max
    // with q only guards against the last bit of rounding.
    let (low, high) = (r1.min(r2).min(q), r1.max(r2).max(q));
    if !low.is_finite() || !high.is_finite() {
        return with(Interval::Unavailable { reason: NoInterval::NotFinite });
    }
    with(Interval::Bounded { low, high })
}

// ---------------------------------------------------------------------------------------------
// Overhead orientation

/// The overhead of a platform in percent from the ratio `q = platform / baseline`, oriented so
/// that positive always means "costs more than the baseline": `(1 - q) * 100` when higher is
/// better, `(q - 1) * 100` when lower is better. `None` for [`Better::None`] or a non-finite
/// result.
pub(crate) fn overhead_pct(ratio: f64, better: Better) -> Option<f64> {
    match better {
        Better::Higher => finite((1.0 - ratio) * 100.0),
        Better::Lower => finite((ratio - 1.0) * 100.0),
        Better::None => None,
    }
}

/// An overhead in percent with its interval (see [`overhead_pct`] for the orientation).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Overhead {
    /// Point estimate in percent; positive means the platform costs more than the baseline.
    /// Not available when the ratio is not.
    pub pct: Option<f64>,
    /// The ratio's interval mapped to percent (bounds swapped when higher is better), or why
    /// there is none.
    pub interval: Interval,
}

/// Maps a ratio and its interval to an oriented [`Overhead`]; `None` for [`Better::None`].
pub fn overhead(ratio: &RatioEstimate, better: Better) -> Option<Overhead> {
    if better == Better::None {
        return None;
    }
    let pct = ratio.estimate.and_then(|q| overhead_pct(q, better));
    let interval = match ratio.interval {
        Interval::Bounded { low, high } => {
            let (from_low, from_high) = (overhead_pct(low, better), overhead_pct(high, better));
            let bounds = match better {
                Better::Higher => from_high.zip(from_low),
                _ => from_low.zip(from_high),
            };
            match bounds {
                Some((low, high)) => Interval::Bounded { low, high },
                None => Interval::Unavailable { reason: NoInterval::NotFinite },
            }
        }
        unavailable @ Interval::Unavailable { .. } => unavailable,
    };
    Some(Overhead { pct, interval })
}

// ---------------------------------------------------------------------------------------------
// Change of the metric and cost ratio: the words a report uses

/// The change of the metric itself in percent, `(q - 1) * 100` for `q = platform / baseline`,
/// whatever direction is better: a throughput that fell to 13.6% of the baseline's is
/// `-86.4`, a latency that doubled `+100`. `None` when not finite.
pub(crate) fn change_pct(ratio: f64) -> Option<f64> {
    finite((ratio - 1.0) * 100.0)
}

/// The change of the metric in percent with its interval (see [`change_pct`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Change {
    /// Point estimate in percent, `(q - 1) * 100`. Not available when the ratio is not.
    pub pct: Option<f64>,
    /// Fieller's interval of the ratio mapped to percent, `[(low - 1) * 100, (high - 1) * 100]`,
    /// or why there is none.
    pub interval: Interval,
}

/// Maps a ratio and its interval to the [`Change`] of the metric.
pub fn change(ratio: &RatioEstimate) -> Change {
    let pct = ratio.estimate.and_then(change_pct);
    let interval = match ratio.interval {
        Interval::Bounded { low, high } => match change_pct(low).zip(change_pct(high)) {
            Some((low, high)) => Interval::Bounded { low, high },
            None => Interval::Unavailable { reason: NoInterval::NotFinite },
        },
        unavailable @ Interval::Unavailable { .. } => unavailable,
    };
    Change { pct, interval }
}

/// The cost ratio of a platform against the baseline from `q = platform / baseline`: what one
/// unit of work costs on the platform relative to the baseline, so that 2 always means "twice
/// the cost" and 0.5 "half":
///
/// - higher is better (a throughput: events/s, MiB/s): `1 / q`, the time per unit of work
///   (per event, per MiB) relative to the baseline's;
/// - lower is better (latency, time, a resource used): `q` itself.
///
/// `None` for [`Better::None`], for `q <= 0` (a cost cannot be negative or zero) and for a
/// result that is not finite.
pub(crate) fn cost_ratio(ratio: f64, better: Better) -> Option<f64> {
    if ratio.is_nan() || ratio <= 0.0 {
        return None;
    }
    match better {
        Better::Higher => finite(1.0 / ratio),
        Better::Lower => finite(ratio),
        Better::None => None,
    }
}

/// A cost ratio with its interval (see [`cost_ratio`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CostRatio {
    /// Point estimate: 2 = twice the baseline's cost. Not available as for [`cost_ratio`].
    pub estimate: Option<f64>,
    /// Fieller's interval of the ratio mapped to the cost ratio: `[1 / high, 1 / low]` when
    /// higher is better, `[low, high]` when lower is better, available only when `low > 0` (a
    /// cost is positive); or why there is none.
    pub interval: Interval,
}

/// Maps a ratio and its interval to a [`CostRatio`]; `None` for [`Better::None`].
///
/// When the ratio's interval reaches 0 or below (the platform's mean is not distinguishable
/// from zero), the cost ratio has no bound on one side (no upper bound of the time per unit of
/// work of a throughput, no positive lower bound of a latency's ratio):
/// [`NoInterval::PlatformIndistinguishableFromZero`]. The change's interval stays bounded.
pub fn cost(ratio: &RatioEstimate, better: Better) -> Option<CostRatio> {
    if better == Better::None {
        return None;
    }
    let estimate = ratio.estimate.and_then(|q| cost_ratio(q, better));
    let interval = match (ratio.interval, better) {
        (Interval::Bounded { low, .. }, _) if low <= 0.0 => {
            Interval::Unavailable { reason: NoInterval::PlatformIndistinguishableFromZero }
        }
        (Interval::Bounded { low, high }, Better::Higher) => {
            match finite(1.0 / high).zip(finite(1.0 / low)) {
                Some((low, high)) => Interval::Bounded { low, high },
                None => Interval::Unavailable { reason: NoInterval::NotFinite },
            }
        }
        (bounded @ Interval::Bounded { .. }, _) => bounded,
        (unavailable @ Interval::Unavailable { .. }, _) => unavailable,
    };
    Some(CostRatio { estimate, interval })
}

// ---------------------------------------------------------------------------------------------
// Verdict

/// The verdict on one comparison of a platform with the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", content = "reason", rename_all = "snake_case")]
pub enum Verdict {
    /// Fewer than 2 runs on either side.
    TooFewRuns,
    /// The whole overhead interval lies strictly inside ±margin.
    Equivalent,
    /// The overhead interval lies above 0: the platform costs more than the baseline.
    Slower,
    /// The overhead interval lies below 0: the platform costs less than the baseline.
    Faster,
    /// The overhead interval contains 0.
    NoSignificantDifference,
    /// The means differ by at most one printed step ([`within_resolution`]): rounding to the
    /// digits the tool printed can make the difference alone.
    WithinResolution,
    /// No interval, so no verdict; the reason says why.
    NoVerdict(NoInterval),
}

impl Verdict {
    /// The verdict in the words of a metric of `kind`: a [`Kind::Performance`] metric is
    /// `slower` or `faster`; a [`Kind::Resource`] metric (CPU %, memory, disk I/O of a process)
    /// is `uses more` or `uses less`, since a platform that read less did less, it was not
    /// faster. Every other verdict reads the same for both (see the `Display` impl).
    pub fn words(self, kind: Kind) -> String {
        match (self, kind) {
            (Verdict::Slower, Kind::Resource) => "uses more".to_string(),
            (Verdict::Faster, Kind::Resource) => "uses less".to_string(),
            (v, _) => v.to_string(),
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::TooFewRuns => f.write_str("too few runs"),
            Verdict::Equivalent => f.write_str("equivalent"),
            Verdict::Slower => f.write_str("slower"),
            Verdict::Faster => f.write_str("faster"),
            Verdict::NoSignificantDifference => f.write_str("no significant difference"),
            Verdict::WithinResolution => f.write_str("within resolution"),
            Verdict::NoVerdict(reason) => write!(f, "no verdict: {reason}"),
        }
    }
}

/// A [`Verdict`] with the p-values reported beside it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Decision {
    /// The verdict, decided by the overhead interval, the equivalence test and, where a family
    /// of comparisons is adjusted, the adjusted p-value.
    pub verdict: Verdict,
    /// Welch's two-sided p-value, reported, not deciding. Not available when the test is not.
    pub p_value: Option<f64>,
    /// Whether `p_value < alpha` says the same as "the interval excludes 0". They can disagree
    /// near the threshold because Fieller's interval takes its degrees of freedom at the
    /// estimated ratio and Welch's test at ratio 1. Not available without a p-value, a bounded
    /// interval or a valid alpha.
    pub p_value_agrees: Option<bool>,
}

/// The p-values a verdict may use besides the interval.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Tests {
    /// Welch's two-sided p-value (reported; see [`Decision::p_value_agrees`]).
    pub p_value: Option<f64>,
    /// Welch's p-value adjusted for the family of comparisons it belongs to ([`adjust_p_values`]).
    /// When given, *slower*/*faster* also needs `p_adjusted < alpha`.
    pub p_adjusted: Option<f64>,
    /// The p-value of the equivalence test ([`equivalence_test`], adjusted when its family is):
    /// *equivalent* when it is below `alpha`. `None`: no margin, or no test.
    pub equivalence_p: Option<f64>,
    /// The means differ by at most one printed step ([`within_resolution`]).
    pub within_resolution: bool,
}

/// Decides the verdict for one comparison.
///
/// `overhead` is the oriented overhead interval at confidence `1 - alpha`; `tests` the
/// p-values. In order:
///
/// 1. `n_a < 2` or `n_b < 2`: [`Verdict::TooFewRuns`];
/// 2. no interval (except for step 4): [`Verdict::NoVerdict`] with the reason;
/// 3. `equivalence_p < alpha` (two one-sided tests on the ratio rejected both "below 1 - M/100"
///    and "above 1 + M/100"): [`Verdict::Equivalent`], even when the interval also excludes 0
///    (the difference is real but smaller than what the user said matters);
/// 4. `tests.within_resolution`: [`Verdict::WithinResolution`], whatever the interval says (or
///    whether there is one: equal printed values have no variance);
/// 5. `low > 0`: [`Verdict::Slower`]; `high < 0`: [`Verdict::Faster`]; when an adjusted
///    p-value is given, only if it is also below `alpha`;
/// 6. otherwise [`Verdict::NoSignificantDifference`].
pub fn verdict(n_a: usize, n_b: usize, overhead: &Interval, tests: &Tests, alpha: f64) -> Decision {
    let valid = |p: Option<f64>| p.filter(|p| (0.0..=1.0).contains(p));
    let (p_value, p_adjusted, equivalence_p) =
        (valid(tests.p_value), valid(tests.p_adjusted), valid(tests.equivalence_p));
    let alpha_ok = alpha > 0.0 && alpha < 1.0;
    let p_value_agrees = match (overhead.bounds(), p_value) {
        (Some((low, high)), Some(p)) if alpha_ok => Some((p < alpha) == (low > 0.0 || high < 0.0)),
        _ => None,
    };
    let verdict = if n_a < 2 || n_b < 2 {
        Verdict::TooFewRuns
    } else {
        match *overhead {
            Interval::Unavailable { reason: NoInterval::TooFewRuns } => Verdict::TooFewRuns,
            Interval::Unavailable { .. } if tests.within_resolution => Verdict::WithinResolution,
            Interval::Unavailable { reason } => Verdict::NoVerdict(reason),
            Interval::Bounded { low, high } => {
                let adjusted_ok = p_adjusted.is_none_or(|p| alpha_ok && p < alpha);
                if alpha_ok && equivalence_p.is_some_and(|p| p < alpha) {
                    Verdict::Equivalent
                } else if tests.within_resolution {
                    Verdict::WithinResolution
                } else if low > 0.0 && adjusted_ok {
                    Verdict::Slower
                } else if high < 0.0 && adjusted_ok {
                    Verdict::Faster
                } else {
                    Verdict::NoSignificantDifference
                }
            }
        }
    };
    Decision { verdict, p_value, p_value_agrees }
}

/// Everything about one platform-versus-baseline comparison.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Comparison {
    /// Ratio platform / baseline with Fieller's interval.
    pub ratio: RatioEstimate,
    /// Welch's t-test of the two means, when available.
    pub welch: Option<WelchTest>,
    /// Oriented overhead; not available when the metric has no better direction.
    pub overhead: Option<Overhead>,
    /// The change of the metric itself, `(q - 1) * 100`, with its interval.
    pub change: Change,
    /// The cost ratio with its interval; not available when the metric has no better direction.
    pub cost: Option<CostRatio>,
    /// The equivalence test on the ratio, when a margin was given and it can be computed.
    pub equivalence: Option<Equivalence>,
    /// The verdict (unadjusted: no family); not available when the metric has no better
    /// direction.
    pub decision: Option<Decision>,
}

/// Compares `platform` with `baseline` at one confidence level: [`fieller_ratio`],
/// [`welch_t_test`], [`overhead`], [`change`], [`cost`], [`equivalence_test`] (when
/// `margin_pct` is given) and [`verdict`] with `alpha = 1 - confidence` and no adjustment.
pub fn compare(
    platform: &Summary,
    baseline: &Summary,
    better: Better,
    confidence: f64,
    margin_pct: Option<f64>,
) -> Comparison {
    let ratio = fieller_ratio(platform, baseline, confidence);
    let welch = welch_t_test(platform, baseline);
    let overhead = overhead(&ratio, better);
    let equivalence = margin_pct.and_then(|m| equivalence_test(platform, baseline, m));
    let tests = Tests {
        p_value: welch.map(|w| w.p_value),
        p_adjusted: None,
        equivalence_p: equivalence.map(|e| e.p_value),
        within_resolution: false,
    };
    let decision = overhead.map(|o| verdict(platform.n, baseline.n, &o.interval, &tests, 1.0 - confidence));
    Comparison {
        ratio,
        welch,
        overhead,
        change: change(&ratio),
        cost: cost(&ratio, better),
        equivalence,
        decision,
    }
}

// ---------------------------------------------------------------------------------------------
// Equivalence: two one-sided tests on the ratio

/// One one-sided test of `mean_a / mean_b` against a ratio `ρ`, with the Fieller-type
/// statistic `T(ρ) = (mean_a - ρ mean_b) / √(va + ρ² vb)` and Welch–Satterthwaite degrees of
/// freedom at `ρ`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OneSided {
    /// The ratio tested against.
    pub ratio: f64,
    /// The statistic `T(ρ)` (means sign-flipped first when the baseline's is negative).
    pub t: f64,
    /// `(va + ρ² vb)² / (va²/(na - 1) + ρ⁴ vb²/(nb - 1))`.
    pub df: f64,
    /// The one-sided p-value: `P(T_df >= t)` for the lower bound (H0: ratio <= ρ),
    /// `P(T_df <= t)` for the upper one (H0: ratio >= ρ).
    pub p_value: f64,
}

/// Two one-sided tests (TOST, Schuirmann 1987) of equivalence of the ratio within a margin.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Equivalence {
    /// The margin in percent: the ratio is tested against `1 - M/100` and `1 + M/100`.
    pub margin_pct: f64,
    /// The test of H0: ratio <= 1 - M/100.
    pub lower: OneSided,
    /// The test of H0: ratio >= 1 + M/100.
    pub upper: OneSided,
    /// The larger of the two p-values: equivalence is shown at level α when it is below α,
    /// which is the (1 - 2α) Fieller-type interval lying inside the margin.
    pub p_value: f64,
}

/// TOST of equivalence of `mean_a / mean_b` (platform over baseline) within `±margin_pct`
/// percent: a one-sided test of `mean_a - ρ mean_b` at `ρ = 1 - M/100` (alternative: greater)
/// and at `ρ = 1 + M/100` (alternative: less), each a Welch test of `a` against `ρ · b`
/// (`statsmodels.stats.weightstats.ttost_ind(a, ρ b, 0, 0, usevar='unequal')` gives the same
/// numbers).
///
/// A negative baseline mean flips both means' signs (the ratio is unchanged, the inequalities
/// keep their direction). `None` when the margin is not finite and positive, a side has fewer
/// than 2 values, the baseline's mean is 0, or a statistic has no variance to divide by.
pub fn equivalence_test(a: &Summary, b: &Summary, margin_pct: f64) -> Option<Equivalence> {
    if !(margin_pct.is_finite() && margin_pct > 0.0) || a.n < 2 || b.n < 2 {
        return None;
    }
    let (ma, mb, va, vb) = (a.mean?, b.mean?, a.var_of_mean()?, b.var_of_mean()?);
    if mb == 0.0 {
        return None;
    }
    let (ma, mb) = if mb < 0.0 { (-ma, -mb) } else { (ma, mb) };
    let (da, db) = ((a.n - 1) as f64, (b.n - 1) as f64);
    let one = |rho: f64, upper: bool| -> Option<OneSided> {
        let spread = va + rho * rho * vb;
        if spread.is_nan() || spread <= 0.0 {
            return None;
        }
        let t = finite((ma - rho * mb) / spread.sqrt())?;
        let df = finite(spread * spread / (va * va / da + rho.powi(4) * vb * vb / db))?;
        let p_value = if upper { t_cdf(t, df)? } else { t_cdf(-t, df)? };
        Some(OneSided { ratio: rho, t, df, p_value })
    };
    let lower = one(1.0 - margin_pct / 100.0, false)?;
    let upper = one(1.0 + margin_pct / 100.0, true)?;
    Some(Equivalence { margin_pct, lower, upper, p_value: lower.p_value.max(upper.p_value) })
}

// ---------------------------------------------------------------------------------------------
// Many comparisons

/// How a family of p-values is adjusted for multiplicity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Adjust {
    /// Holm (1979): controls the family-wise error rate, without assumptions on dependence.
    Holm,
    /// Benjamini–Hochberg (1995): controls the false discovery rate (independent or positively
    /// dependent tests).
    Bh,
    /// No adjustment.
    None,
}

impl Adjust {
    /// The word of `--adjust`: `holm`, `bh`, `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Adjust::Holm => "holm",
            Adjust::Bh => "bh",
            Adjust::None => "none",
        }
    }
}

/// Adjusted p-values of a family, in input order, as
/// `statsmodels.stats.multitest.multipletests(p, method='holm' | 'fdr_bh')` computes them:
///
/// - Holm: with `p(1) <= … <= p(m)`, `adj(i) = max_{j <= i} min(1, (m - j + 1) p(j))`;
/// - BH: `adj(i) = min_{j >= i} min(1, m p(j) / j)`;
/// - none: the p-values themselves.
///
/// Values that are not p-values (NaN, outside [0, 1]) are not part of the family: they are
/// `None` and do not count in `m`.
pub fn adjust_p_values(ps: &[Option<f64>], method: Adjust) -> Vec<Option<f64>> {
    let mut order: Vec<(usize, f64)> = ps
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.filter(|p| (0.0..=1.0).contains(p)).map(|p| (i, p)))
        .collect();
    order.sort_by(|x, y| x.1.total_cmp(&y.1).then(x.0.cmp(&y.0)));
    let m = order.len() as f64;
    let mut out = vec![None; ps.len()];
    match method {
        Adjust::None => {
            for (i, p) in order {
                out[i] = Some(p);
            }
        }
        Adjust::Holm => {
            let mut running = 0.0_f64;
            for (rank, (i, p)) in order.into_iter().enumerate() {
                running = running.max(((m - rank as f64) * p).min(1.0));
                out[i] = Some(running);
            }
        }
        Adjust::Bh => {
            let mut running = 1.0_f64;
            for (rank, (i, p)) in order.into_iter().enumerate().rev() {
                running = running.min((m * p / (rank + 1) as f64).min(1.0));
                out[i] = Some(running);
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Power: what the data could have detected

/// The power [`detectable_pct`] and [`runs_to_detect`] are computed at.
pub const POWER: f64 = 0.8;

/// `(t(1 - α/2, df) + t(power, df)) · √(va + vb)`, the usual normal-theory approximation of the
/// smallest difference a two-sided Welch test at level α detects with the given power.
fn detectable_difference(va: f64, vb: f64, df: f64, alpha: f64, power: f64) -> Option<f64> {
    let z = t_upper(alpha / 2.0, df)? + students_t_quantile(power, df)?;
    finite(z * (va + vb).sqrt())
}

/// The smallest difference between the means, in percent of the baseline's mean, that a
/// two-sided Welch test at level `alpha` would detect with probability `power` given the
/// observed variances and run counts:
/// `(t(1 - α/2, df) + t(power, df)) · √(sa²/na + sb²/nb) / |mean_b| · 100`, with Welch's df.
///
/// `None` for fewer than 2 runs on a side, a baseline mean of 0, no variance on either side,
/// or `alpha` or `power` outside (0, 1).
pub fn detectable_pct(a: &Summary, b: &Summary, alpha: f64, power: f64) -> Option<f64> {
    if !(valid_confidence(alpha) && valid_confidence(power)) {
        return None;
    }
    let w = welch_t_test(a, b)?;
    let (va, vb, mb) = (a.var_of_mean()?, b.var_of_mean()?, b.mean?);
    if mb == 0.0 {
        return None;
    }
    finite(detectable_difference(va, vb, w.df, alpha, power)? / mb.abs() * 100.0)
}

/// The fewest runs per side (the same number on both) with which a two-sided Welch test at
/// level `alpha` detects a difference of `pct` percent of the baseline's mean with probability
/// `power`, by the formula of [`detectable_pct`] with the observed standard deviations:
/// the smallest `n >= 2` with `(t(1 - α/2, df_n) + t(power, df_n)) · √((sa² + sb²)/n) <= pct/100
/// · |mean_b|`, `df_n = (n - 1)(sa² + sb²)² / (sa⁴ + sb⁴)`.
///
/// `None` when it cannot be computed (as for [`detectable_pct`], or `pct` not positive) or it
/// would take more than [`MAX_RUNS_TO_DETECT`] runs.
pub fn runs_to_detect(a: &Summary, b: &Summary, alpha: f64, power: f64, pct: f64) -> Option<usize> {
    if !(valid_confidence(alpha) && valid_confidence(power) && pct.is_finite() && pct > 0.0) {
        return None;
    }
    if a.n < 2 || b.n < 2 {
        return None;
    }
    let (sa2, sb2, mb) = (a.sd? * a.sd?, b.sd? * b.sd?, b.mean?);
    let sum = sa2 + sb2;
    if !sum.is_finite() || sum <= 0.0 || mb == 0.0 {
        return None;
    }
    let target = pct / 100.0 * mb.abs();
    let per = sum * sum / (sa2 * sa2 + sb2 * sb2);
    let detects = |n: usize| -> Option<bool> {
        let nf = n as f64;
        let d = detectable_difference(sa2 / nf, sb2 / nf, (nf - 1.0) * per, alpha, power)?;
        Some(d <= target)
    };
    // The detectable difference shrinks as n grows: double, then bisect.
    let (mut lo, mut hi) = (1_usize, 2_usize);
    while !detects(hi)? {
        lo = hi;
        hi *= 2;
        if hi > MAX_RUNS_TO_DETECT {
            return if detects(MAX_RUNS_TO_DETECT)? {
                Some(bisect(lo, MAX_RUNS_TO_DETECT, detects)?)
            } else {
                None
            };
        }
    }
    bisect(lo, hi, detects)
}

/// The most runs per side [`runs_to_detect`] answers with.
pub const MAX_RUNS_TO_DETECT: usize = 1_000_000;

/// The smallest `n` in `(lo, hi]` with `detects(n)`, given `!detects(lo)` (or `lo` = 1) and
/// `detects(hi)`.
fn bisect(mut lo: usize, mut hi: usize, detects: impl Fn(usize) -> Option<bool>) -> Option<usize> {
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if detects(mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(hi)
}

// ---------------------------------------------------------------------------------------------
// Geometric mean

/// Geometric mean `exp(mean(ln r))` of ratios, for per-subsystem summaries. `None` for an
/// empty slice or when any ratio is not finite and positive (a geometric mean of such values
/// means nothing).
pub fn geometric_mean(ratios: &[f64]) -> Option<f64> {
    if ratios.is_empty() || ratios.iter().any(|r| !(r.is_finite() && *r > 0.0)) {
        return None;
    }
    let logs: Vec<f64> = ratios.iter().map(|r| r.ln()).collect();
    finite(mean(&logs)?.exp())
}

// ---------------------------------------------------------------------------------------------
// Distributions

/// The quantile of Student's t distribution: the `t` with `P(T_df <= t) = p`.
///
/// `None` unless `0 < p < 1` and `df > 0` (NaN excluded). statrs' own `inverse_cdf` is accurate
/// only in part of the domain (relative error 2e-7 at df = 2·10⁴, 4e-6 at 10⁵; wrong or
/// panicking for some far tails), so:
///
/// - for `df <= 10⁴`, statrs' quantile (where it is safe) or the expansion below is only the
///   start of a bracketed Newton iteration on statrs' survival function, run to convergence;
/// - for `df > 10⁴`, the Cornish–Fisher expansion to order `df⁻⁴` around the normal quantile
///   (Abramowitz & Stegun 26.7.5), whose truncation error is below 1e-13 there.
///
/// Against scipy's `t.ppf` the relative error is below 2e-11 on the reference grid (df from 1
/// to 10⁸, p from 1e-9 to 1 - 1e-7); the worst case is near the median at df ≈ 10⁴, where
/// statrs' survival function is least accurate.
pub fn students_t_quantile(p: f64, df: f64) -> Option<f64> {
    if !(p > 0.0 && p < 1.0) {
        return None;
    }
    if p >= 0.5 {
        t_upper(1.0 - p, df)
    } else {
        t_upper(p, df).map(|t| -t)
    }
}

/// The upper-tail quantile: the `t >= 0` with `P(T_df > t) = tail`, for `0 < tail <= 0.5`.
fn t_upper(tail: f64, df: f64) -> Option<f64> {
    if tail.is_nan() || tail <= 0.0 || tail > 0.5 || df.is_nan() || df <= 0.0 {
        return None;
    }
    if tail == 0.5 {
        return Some(0.0);
    }
    if df > LARGE_DF {
        return cornish_fisher(tail, df);
    }
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    // statrs' quantile as the start where it was fuzzed safe (df in [1, 1e4], tail >= 1e-10);
    // elsewhere the expansion, which is a fine start for the bracketed iteration.
    let start = if df >= 1.0 && tail >= 1e-10 { dist.inverse_cdf(1.0 - tail) } else { f64::NAN };
    let start = if start.is_finite() && start > 0.0 { start } else { cornish_fisher(tail, df)? };
    solve_upper_tail(&dist, tail, start)
}

/// Safeguarded Newton iteration for `sf(t) = tail` on `(0, ∞)`; bisection whenever a Newton
/// step leaves the bracket. Returns `None` if no finite bracket exists.
fn solve_upper_tail(dist: &StudentsT, tail: f64, start: f64) -> Option<f64> {
    // sf is decreasing: sf(lo) > tail >= sf(hi).
    let (mut lo, mut hi) = (0.0_f64, start.max(1.0));
    let mut guard = 0;
    while dist.sf(hi) > tail {
        lo = hi;
        hi *= 2.0;
        guard += 1;
        if !hi.is_finite() || guard > 2100 {
            return None;
        }
    }
    let mut t = start.clamp(lo, hi);
    for _ in 0..200 {
        let g = dist.sf(t) - tail;
        if g == 0.0 {
            return Some(t);
        }
        if g > 0.0 {
            lo = t;
        } else {
            hi = t;
        }
        let pdf = dist.pdf(t);
        let newton = t + g / pdf;
        let next = if pdf > 0.0 && newton > lo && newton < hi { newton } else { lo + (hi - lo) / 2.0 };
        let step = (next - t).abs();
        t = next;
        if step <= 2.0 * f64::EPSILON * t || hi - lo <= 2.0 * f64::EPSILON * hi {
            break;
        }
    }
    finite(t)
}

/// Cornish–Fisher expansion of the upper t quantile (Abramowitz & Stegun 26.7.5), to `df⁻⁴`.
fn cornish_fisher(tail: f64, df: f64) -> Option<f64> {
    // z = Φ⁻¹(1 - tail) = √2 erfc⁻¹(2 tail), accurate to ~1e-16 in statrs.
    let z = std::f64::consts::SQRT_2 * erfc_inv(2.0 * tail);
    if !z.is_finite() {
        return None;
    }
    let w = z * z;
    let g1 = z * (w + 1.0) / 4.0;
    let g2 = z * ((5.0 * w + 16.0) * w + 3.0) / 96.0;
    let g3 = z * (((3.0 * w + 19.0) * w + 17.0) * w - 15.0) / 384.0;
    let g4 = z * ((((79.0 * w + 776.0) * w + 1482.0) * w - 1920.0) * w - 945.0) / 92160.0;
    finite(z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df).filter(|t| *t > 0.0)
}

/// Two-sided p-value of Student's t statistic, `2 P(T_df > |t|)`, from statrs' survival
/// function (its regularized incomplete beta: relative error below 2e-11 for df <= 10⁴,
/// growing to ~1e-9 at 10⁵ and ~1e-7 at 10⁷, far beyond benchmark repetition counts).
fn t_two_sided_p(t: f64, df: f64) -> Option<f64> {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return None;
    }
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    finite((2.0 * dist.sf(t.abs())).min(1.0))
}

/// `P(T_df <= t)`: statrs' survival function at `-t` for `t < 0` (the small tail, computed
/// directly), `1 - sf(t)` otherwise.
fn t_cdf(t: f64, df: f64) -> Option<f64> {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return None;
    }
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    let p = if t < 0.0 { dist.sf(-t) } else { 1.0 - dist.sf(t) };
    finite(p.clamp(0.0, 1.0))
}

/// Two-sided normal p-value `2 (1 - Φ(|z|))`, computed as the regularized upper incomplete
/// gamma `Q(1/2, z²/2)` (an identity), because statrs' `erfc`, which its normal survival
/// function uses, has relative errors near 1e-10; `Q` is good to ~3e-13.
fn normal_two_sided_p(z: f64) -> Option<f64> {
    if z.is_nan() {
        return None;
    }
    let x = z * z / 2.0;
    if x == 0.0 {
        return Some(1.0);
    }
    if x.is_infinite() {
        return Some(0.0);
    }
    checked_gamma_ur(0.5, x).ok().and_then(finite).map(|p| p.min(1.0))
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/// `Some(x)` when `x` is finite.
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Returns true if and only if `c` lies strictly between 0 and 1.
fn valid_confidence(c: f64) -> bool {
    c > 0.0 && c < 1.0
}

/// The finite values of `values`, in order.
fn finite_values(values: &[f64]) -> Vec<f64> {
    values.iter().copied().filter(|x| x.is_finite()).collect()
}

/// Neumaier's compensated sum (an improved Kahan sum).
fn compensated_sum(values: impl IntoIterator<Item = f64>) -> f64 {
    let (mut sum, mut comp) = (0.0_f64, 0.0_f64);
    for x in values {
        let t = sum + x;
        if sum.abs() >= x.abs() {
            comp += (sum - t) + x;
        } else {
            comp += (x - t) + sum;
        }
        sum = t;
    }
    sum + comp
}

/// Mean of finite values; falls back to summing `x / n` when the plain sum overflows.
fn mean(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let n = xs.len() as f64;
    let m = compensated_sum(xs.iter().copied()) / n;
    if m.is_finite() {
        return Some(m);
    }
    finite(compensated_sum(xs.iter().map(|x| x / n)))
}

/// Sample variance (divisor `n - 1`) around `mean`, two-pass; `None` for `n < 2` or overflow.
fn sample_variance(xs: &[f64], mean: f64) -> Option<f64> {
    if xs.len() < 2 {
        return None;
    }
    finite(compensated_sum(xs.iter().map(|x| (x - mean) * (x - mean))) / (xs.len() - 1) as f64)
}

/// Median of sorted finite values; the midpoint of the two middle ones when their number is even.
/// The median of `xs` (as [`median_of_sorted`] gives it of them sorted), its smallest and its
/// largest, found without sorting them (left in another order): a cell of a 1,000-campaign
/// store holds 20,000 values, and sorting every cell took a quarter of the summaries' time.
fn median_and_ends(xs: &mut [f64]) -> (Option<f64>, Option<f64>, Option<f64>) {
    let n = xs.len();
    if n == 0 {
        return (None, None, None);
    }
    let min = xs.iter().copied().min_by(f64::total_cmp);
    let max = xs.iter().copied().max_by(f64::total_cmp);
    let (below, &mut high, _) = xs.select_nth_unstable_by(n / 2, f64::total_cmp);
    let median = match below.iter().copied().max_by(f64::total_cmp) {
        Some(low) if n.is_multiple_of(2) => low.midpoint(high),
        _ => high,
    };
    (Some(median), min, max)
}

fn median_of_sorted(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some(sorted[n / 2 - 1].midpoint(sorted[n / 2])),
    }
}

#[cfg(test)]
mod tests {
    use approx::assert_relative_eq;

    /// The median and ends found by selection are those of the values sorted, for every length
    /// up to 60 (odd and even), with ties and both zeros.
    #[test]
    fn median_and_ends_equal_those_of_the_sorted_values() {
        let mut state = 7_u64;
        for n in 1..=60 {
            let xs: Vec<f64> = (0..n)
                .map(|_| {
                    state =
                        state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                    [-0.0, 0.0, 1.5, -2.25, 3.0, 1e9][(state >> 33) as usize % 6] * ((state >> 40) % 3) as f64
                })
                .collect();
            let mut sorted = xs.clone();
            sorted.sort_by(f64::total_cmp);
            let want = (super::median_of_sorted(&sorted), sorted.first().copied(), sorted.last().copied());
            let got = super::median_and_ends(&mut xs.clone());
            let bits = |t: (Option<f64>, Option<f64>, Option<f64>)| {
                (t.0.map(f64::to_bits), t.1.map(f64::to_bits), t.2.map(f64::to_bits))
            };
            assert_eq!(bits(got), bits(want), "{xs:?}");
        }
        assert_eq!(super::median_and_ends(&mut []), (None, None, None));
    }

    use super::*;

    #[test]
    fn compensated_sum_keeps_small_terms() {
        assert_eq!(compensated_sum([1e16, 1.0, -1e16]), 1.0);
        assert_eq!(compensated_sum([]), 0.0);
    }

    #[test]
    fn mean_survives_overflowing_sum() {
        assert_relative_eq!(mean(&[f64::MAX, f64::MAX]).unwrap(), f64::MAX);
        assert_eq!(mean(&[]), None);
    }

    #[test]
    fn median_odd_even_empty() {
        assert_eq!(median_of_sorted(&[1.0, 2.0, 10.0]), Some(2.0));
        assert_eq!(median_of_sorted(&[1.0, 2.0, 3.0, 10.0]), Some(2.5));
        assert_eq!(median_of_sorted(&[f64::MAX, f64::MAX]), Some(f64::MAX));
        assert_eq!(median_of_sorted(&[]), None);
    }

    #[test]
    fn sample_variance_needs_two() {
        assert_eq!(sample_variance(&[3.0], 3.0), None);
        assert_relative_eq!(sample_variance(&[1.0, 2.0, 3.0, 4.0], 2.5).unwrap(), 5.0 / 3.0);
    }

    #[test]
    fn confidence_must_be_inside_zero_one() {
        assert!(valid_confidence(0.95));
        for c in [0.0, 1.0, -0.5, 1.5, f64::NAN, f64::INFINITY] {
            assert!(!valid_confidence(c), "{c}");
        }
    }

    #[test]
    fn t_quantile_closed_forms() {
        // With tail = 1 - p, df = 1 is Cauchy: t = 1 / tan(π tail); df = 2: t = (1 - 2 tail) /
        // √(2 tail (1 - tail)). (Written in the tail, which is exact, to stay well-conditioned.)
        for p in [0.6, 0.9, 0.975, 0.999_999] {
            let tail = 1.0 - p;
            let cauchy = 1.0 / (std::f64::consts::PI * tail).tan();
            assert_relative_eq!(students_t_quantile(p, 1.0).unwrap(), cauchy, max_relative = 1e-12);
            let two = (1.0 - 2.0 * tail) / (2.0 * tail * (1.0 - tail)).sqrt();
            assert_relative_eq!(students_t_quantile(p, 2.0).unwrap(), two, max_relative = 1e-12);
        }
        assert_eq!(students_t_quantile(0.5, 7.0), Some(0.0));
    }

    #[test]
    fn t_quantile_rejects_bad_arguments() {
        for (p, df) in [(0.0, 3.0), (1.0, 3.0), (0.5, 0.0), (0.9, -1.0), (f64::NAN, 3.0), (0.9, f64::NAN)] {
            assert_eq!(students_t_quantile(p, df), None, "p={p} df={df}");
        }
    }

    #[test]
    fn t_quantile_far_tails_and_tiny_df_do_not_fail() {
        for df in [0.05, 0.5, 1.0, 3.5, 40.0, 9_999.0, 1e12] {
            for tail in [1e-300, 1e-100, 1e-20, 1e-6, 0.3] {
                if let Some(t) = t_upper(tail, df) {
                    assert!(t.is_finite() && t > 0.0);
                }
            }
        }
    }

    #[test]
    fn normal_p_edges() {
        assert_eq!(normal_two_sided_p(0.0), Some(1.0));
        assert_eq!(normal_two_sided_p(f64::INFINITY), Some(0.0));
        assert_eq!(normal_two_sided_p(f64::NAN), None);
        // 2 (1 - Φ(1.959963984540054)) = 0.05
        assert_relative_eq!(normal_two_sided_p(-1.959963984540054).unwrap(), 0.05, max_relative = 1e-12);
    }

    #[test]
    fn overhead_orientation() {
        assert_relative_eq!(overhead_pct(0.97, Better::Higher).unwrap(), 3.0, max_relative = 1e-12);
        assert_relative_eq!(overhead_pct(1.10, Better::Lower).unwrap(), 10.0, max_relative = 1e-12);
        assert_eq!(overhead_pct(1.1, Better::None), None);
    }

    #[test]
    fn verdict_order() {
        let b = |low, high| Interval::Bounded { low, high };
        let v = |n, i: Interval, eq: Option<f64>, adj: Option<f64>| {
            let tests =
                Tests { p_value: Some(0.01), p_adjusted: adj, equivalence_p: eq, within_resolution: false };
            verdict(n, 5, &i, &tests, 0.05).verdict
        };
        assert_eq!(v(1, b(1.0, 2.0), None, None), Verdict::TooFewRuns);
        assert_eq!(v(5, b(1.0, 2.0), None, None), Verdict::Slower);
        assert_eq!(v(5, b(1.0, 2.0), Some(0.01), None), Verdict::Equivalent);
        assert_eq!(v(5, b(1.0, 2.0), Some(0.2), None), Verdict::Slower);
        assert_eq!(v(5, b(1.0, 2.0), Some(f64::NAN), None), Verdict::Slower);
        assert_eq!(v(5, b(1.0, 2.0), None, Some(0.04)), Verdict::Slower);
        assert_eq!(v(5, b(1.0, 2.0), None, Some(0.06)), Verdict::NoSignificantDifference);
        assert_eq!(v(5, b(-2.0, -1.0), None, None), Verdict::Faster);
        assert_eq!(v(5, b(-2.0, -1.0), None, Some(0.5)), Verdict::NoSignificantDifference);
        assert_eq!(v(5, b(-2.0, 1.0), None, None), Verdict::NoSignificantDifference);
        let none = Interval::Unavailable { reason: NoInterval::BaselineIndistinguishableFromZero };
        assert_eq!(
            v(5, none, Some(0.01), None).to_string(),
            "no verdict: baseline indistinguishable from zero"
        );
    }

    #[test]
    fn verdict_reports_disagreeing_p_value() {
        let i = Interval::Bounded { low: 0.1, high: 3.0 };
        let tests = Tests { p_value: Some(0.051), ..Tests::default() };
        let d = verdict(5, 5, &i, &tests, 0.05);
        assert_eq!((d.verdict, d.p_value_agrees), (Verdict::Slower, Some(false)));
        assert_eq!(verdict(5, 5, &i, &Tests::default(), 0.05).p_value_agrees, None);
    }
}
