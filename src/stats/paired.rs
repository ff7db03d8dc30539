//! Blocked (paired) comparison (issue 16, part 5): the overhead from per-round ratios. When a
//! campaign runs in rounds (repetition r of every platform and workload in round r), a slow
//! round slows every platform in it; the ratio within a round removes that shared drift.
//! Re-exported by [`crate::stats`].

use serde::Serialize;

use super::{finite, mean, sample_variance, students_t_quantile, t_two_sided_p, valid_confidence};

/// The ratio platform / baseline from paired runs: the mean of the per-pair log ratios with a
/// Student t interval, back-transformed (a geometric mean of the ratios).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Paired {
    /// Number of pairs (rounds).
    pub n: usize,
    /// Mean of `ln(platform_r / baseline_r)`.
    pub mean_log: f64,
    /// Sample standard deviation of the log ratios.
    pub sd_log: f64,
    /// `exp(mean_log)`: the geometric mean of the per-round ratios.
    pub ratio: f64,
    /// Lower end of the ratio's interval, `exp(mean_log - t · sd_log / √n)`.
    pub low: f64,
    /// Upper end, `exp(mean_log + t · sd_log / √n)`.
    pub high: f64,
    /// Two-sided p-value of the paired t-test of "mean log ratio = 0", as
    /// `scipy.stats.ttest_rel(log platform, log baseline)`.
    pub p_value: f64,
}

/// The paired comparison of `platform[i]` with `baseline[i]` (pair `i` made in the same round)
/// at `confidence`, with `n - 1` degrees of freedom. `None` when the slices differ in length,
/// with fewer than 2 pairs, a value that is not finite and positive (no log ratio), log ratios
/// that do not vary (no interval), or an invalid confidence.
pub fn paired_log_ratio(platform: &[f64], baseline: &[f64], confidence: f64) -> Option<Paired> {
    if platform.len() != baseline.len() || platform.len() < 2 || !valid_confidence(confidence) {
        return None;
    }
    let positive = |x: &f64| x.is_finite() && *x > 0.0;
    if !platform.iter().all(positive) || !baseline.iter().all(positive) {
        return None;
    }
    let d: Vec<f64> = platform.iter().zip(baseline).map(|(a, b)| a.ln() - b.ln()).collect();
    let n = d.len();
    let m = mean(&d)?;
    let sd = sample_variance(&d, m)?.sqrt();
    if sd.is_nan() || sd <= 0.0 {
        return None;
    }
    let df = (n - 1) as f64;
    let se = sd / (n as f64).sqrt();
    let t = students_t_quantile(1.0 - (1.0 - confidence) / 2.0, df)?;
    Some(Paired {
        n,
        mean_log: m,
        sd_log: sd,
        ratio: finite(m.exp())?,
        low: finite((m - t * se).exp())?,
        high: finite((m + t * se).exp())?,
        p_value: t_two_sided_p(m / se, df)?,
    })
}
