//! The runs of one group on one platform: outliers (modified z-scores), drift (Mann–Kendall and
//! Sen's slope), and the practical size that keeps both from flagging noise (issue 16, part 8),
//! bimodality. Re-exported by [`crate::stats`].

use serde::Serialize;

use super::{
    finite, finite_values, mean, median_of_sorted, normal_two_sided_p, MIN_RUNS_FOR_DRIFT,
    MODIFIED_Z_THRESHOLD,
};

// ---------------------------------------------------------------------------------------------
// Outliers

/// Which scale the modified z-scores were computed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutlierScale {
    /// `M = 0.6745 (x - median) / MAD` (Iglewicz & Hoaglin 1993).
    Mad,
    /// The MAD is 0 (more than half the values are equal): `M = (x - median) / (1.253314 ×
    /// MeanAD)`, IBM's fallback with the mean absolute deviation around the median.
    MeanAbsoluteDeviation,
    /// All finite values are equal (or there are none): every score is 0, nothing is flagged.
    NoSpread,
}

/// Modified z-scores of a sample and the values they flag.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutlierScores {
    /// One score per input value, in input order; not available for NaN or ±∞ inputs (which
    /// are left out of the median and the MAD) or when the score overflows.
    pub scores: Vec<Option<f64>>,
    /// The scale used.
    pub scale: OutlierScale,
    /// Indexes (into the input) of the values with |score| > [`MODIFIED_Z_THRESHOLD`].
    pub flagged: Vec<usize>,
}

/// Modified z-scores (Iglewicz & Hoaglin 1993): `M_i = 0.6745 (x_i - median) / MAD`, with
/// `MAD = median(|x_i - median|)`; values with `|M_i| > 3.5` are flagged. When the MAD is 0,
/// the mean absolute deviation around the median takes its place: `M_i = (x_i - median) /
/// (1.253314 × MeanAD)` (IBM SPSS Modeler's formulation); when that is 0 too, all scores are 0.
pub fn modified_z_scores(values: &[f64]) -> OutlierScores {
    let mut xs = finite_values(values);
    xs.sort_by(f64::total_cmp);
    let Some(med) = median_of_sorted(&xs) else {
        return OutlierScores {
            scores: vec![None; values.len()],
            scale: OutlierScale::NoSpread,
            flagged: Vec::new(),
        };
    };
    let mut dev: Vec<f64> = xs.iter().map(|x| (x - med).abs()).collect();
    dev.sort_by(f64::total_cmp);
    let mad = median_of_sorted(&dev).unwrap_or(0.0);
    let mean_ad = mean(&dev).unwrap_or(0.0);
    let (scale, score): (OutlierScale, Box<dyn Fn(f64) -> f64>) = if mad > 0.0 {
        (OutlierScale::Mad, Box::new(move |x| 0.6745 * (x - med) / mad))
    } else if mean_ad > 0.0 {
        (OutlierScale::MeanAbsoluteDeviation, Box::new(move |x| (x - med) / (1.253314 * mean_ad)))
    } else {
        (OutlierScale::NoSpread, Box::new(|_| 0.0))
    };
    let scores: Vec<Option<f64>> =
        values.iter().map(|&x| if x.is_finite() { finite(score(x)) } else { None }).collect();
    let flagged = scores
        .iter()
        .enumerate()
        .filter(|(_, m)| m.is_some_and(|m| m.abs() > MODIFIED_Z_THRESHOLD))
        .map(|(i, _)| i)
        .collect();
    OutlierScores { scores, scale, flagged }
}

// ---------------------------------------------------------------------------------------------
// Drift

/// A monotonic trend's direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    /// Values grow with the repetition number.
    Increasing,
    /// Values shrink with the repetition number.
    Decreasing,
}

/// The Mann–Kendall trend test: Kendall's tau-b between repetition order and value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MannKendall {
    /// Number of finite values tested.
    pub n: usize,
    /// `S`, concordant minus discordant pairs (pairs of equal values count for neither).
    pub s: i64,
    /// Kendall's tau-b, `S / √(n0 (n0 - n2))`, with `n0 = n(n-1)/2` and `n2` the tied pairs.
    pub tau_b: f64,
    /// `S / √Var(S)`, the tie-corrected normal approximation (no continuity correction).
    pub z: f64,
    /// Two-sided p-value `2 (1 - Φ(|z|))`.
    pub p_value: f64,
}

impl MannKendall {
    /// The drift this test reports at level `alpha`: a trend when `p_value < alpha` and at
    /// least [`MIN_RUNS_FOR_DRIFT`] values were tested, else `None` (also for an `alpha`
    /// outside (0, 1)).
    pub fn drift(&self, alpha: f64) -> Option<Trend> {
        let significant = alpha > 0.0 && alpha < 1.0 && self.p_value < alpha;
        if !significant || self.n < MIN_RUNS_FOR_DRIFT || self.s == 0 {
            return None;
        }
        Some(if self.s > 0 { Trend::Increasing } else { Trend::Decreasing })
    }
}

/// Mann–Kendall test of `values` in repetition order, as
/// `scipy.stats.kendalltau(range(n), values, method='asymptotic')` computes it.
///
/// NaN and ±∞ values are left out (the rest keep their order). Returns `None` for fewer than 3
/// finite values (scipy's variance formula divides by `n - 2`) or when all values are equal.
/// Takes O(n log n) time (S counted by merge sort, as Knight 1966 counts Kendall's tau).
pub fn mann_kendall(values: &[f64]) -> Option<MannKendall> {
    let ys = finite_values(values);
    let n = ys.len();
    if n < 3 {
        return None;
    }
    // S = (pairs with y_j > y_i) - (pairs with y_j < y_i), i < j: all pairs, less the tied
    // ones, less twice the inversions (pairs with y_i > y_j).
    let inversions = inversions(&mut ys.clone());
    let mut sorted = ys;
    sorted.sort_by(f64::total_cmp);
    let (mut tied_pairs, mut tie_var, mut tied) = (0.0_f64, 0.0_f64, 0_i64);
    for group in sorted.chunk_by(|a, b| a == b) {
        let t = group.len() as f64;
        tied_pairs += t * (t - 1.0) / 2.0;
        tie_var += t * (t - 1.0) * (2.0 * t + 5.0);
        tied += (group.len() * (group.len() - 1) / 2) as i64;
    }
    let s = (n * (n - 1) / 2) as i64 - tied - 2 * inversions;
    let nf = n as f64;
    let n0 = nf * (nf - 1.0) / 2.0;
    if tied_pairs >= n0 {
        return None;
    }
    let sf = s as f64;
    let tau_b = (sf / n0.sqrt() / (n0 - tied_pairs).sqrt()).clamp(-1.0, 1.0);
    let var = (nf * (nf - 1.0) * (2.0 * nf + 5.0) - tie_var) / 18.0;
    let z = finite(sf / var.sqrt())?;
    let p_value = normal_two_sided_p(z)?;
    Some(MannKendall { n, s, tau_b, z, p_value })
}

/// The pairs `i < j` of `xs` (finite values) with `xs[i] > xs[j]`, counted while merge-sorting
/// `xs` (which ends sorted).
fn inversions(xs: &mut [f64]) -> i64 {
    let n = xs.len();
    if n < 2 {
        return 0;
    }
    let (left, right) = xs.split_at_mut(n / 2);
    let mut count = inversions(left) + inversions(right);
    let mut merged = Vec::with_capacity(n);
    let (mut l, mut r) = (0, 0);
    while l < left.len() && r < right.len() {
        if right[r] < left[l] {
            // right[r] is below every value left of it that is still to merge.
            count += (left.len() - l) as i64;
            merged.push(right[r]);
            r += 1;
        } else {
            merged.push(left[l]);
            l += 1;
        }
    }
    merged.extend_from_slice(&left[l..]);
    merged.extend_from_slice(&right[r..]);
    xs.copy_from_slice(&merged);
    count
}

/// Sen's slope (Sen 1968): the median of the pairwise slopes `(x_j - x_i) / (j - i)`, `i < j`,
/// of the finite values in order (positions counted among them, as [`mann_kendall`] does), as
/// `scipy.stats.theilslopes(values, range(n)).slope` computes it. `None` for fewer than 2
/// finite values.
pub fn sen_slope(values: &[f64]) -> Option<f64> {
    let ys = finite_values(values);
    let mut slopes = Vec::with_capacity(ys.len() * ys.len().saturating_sub(1) / 2);
    for (i, &yi) in ys.iter().enumerate() {
        for (k, &yj) in ys[i + 1..].iter().enumerate() {
            slopes.push((yj - yi) / (k + 1) as f64);
        }
    }
    slopes.retain(|s| s.is_finite());
    slopes.sort_by(f64::total_cmp);
    median_of_sorted(&slopes)
}

/// The size of a drift: Sen's slope times `n - 1` runs, in percent of the median, i.e. how far
/// the trend line moves from the first run to the last relative to a typical value. `None`
/// without a slope or with a median of 0.
pub fn drift_size_pct(values: &[f64]) -> Option<f64> {
    let slope = sen_slope(values)?;
    let mut xs = finite_values(values);
    xs.sort_by(f64::total_cmp);
    let med = median_of_sorted(&xs).filter(|m| *m != 0.0)?;
    finite(slope * (xs.len() - 1) as f64 / med.abs() * 100.0)
}

// ---------------------------------------------------------------------------------------------
// Practical size: outliers that matter, bimodality

/// A relative deviation from the median (percent) below which neither a run nor a drift is
/// flagged, however significant: 1% of a benchmark's result is within what repetitions on one
/// machine differ by and changes no conclusion.
pub const PRACTICAL_PCT: f64 = 1.0;

/// The runs [`modified_z_scores`] flags that also matter: each lies more than `practical_pct`
/// percent from the median (all of them when the median is 0, where no relative size exists),
/// and together they are a minority (fewer than half the finite values): when half or more
/// would be flagged, the sample has no "rest" to be an outlier from (two clusters, or heavy
/// tails), and none is. None either when the sample is [`bimodality`]'s two clusters: the
/// smaller cluster is not a set of outliers. Indexes into `values`.
pub fn practical_outliers(values: &[f64], practical_pct: f64) -> Vec<usize> {
    let scores = modified_z_scores(values);
    let mut xs = finite_values(values);
    xs.sort_by(f64::total_cmp);
    let Some(med) = median_of_sorted(&xs) else { return Vec::new() };
    let far = |x: f64| med == 0.0 || ((x - med) / med).abs() * 100.0 > practical_pct;
    let flagged: Vec<usize> = scores.flagged.into_iter().filter(|&i| far(values[i])).collect();
    if 2 * flagged.len() >= xs.len() || (!flagged.is_empty() && bimodality(values).is_some()) {
        return Vec::new();
    }
    flagged
}

/// Fewest finite values [`bimodality`] looks at: below six, a normal sample's largest gap too
/// often looks like two clusters (a seeded simulation, tests/reference/bimodality_rule.py: 4-7%
/// of normal samples of five at CV 5-20%, 3-5% of six, under 1% of ten).
pub const MIN_RUNS_FOR_BIMODALITY: usize = 6;

/// How many times the larger cluster's robust spread the gap must exceed.
pub const BIMODAL_GAP_FACTOR: f64 = 6.0;

/// The gap must also exceed this percentage of the median (a practical size: clusters closer
/// than that change no conclusion).
pub const BIMODAL_GAP_PCT: f64 = 5.0;

/// Two clusters of runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bimodal {
    /// Indexes (into the input) of the runs of the lower cluster, in input order.
    pub low: Vec<usize>,
    /// Indexes of the runs of the upper cluster, in input order.
    pub high: Vec<usize>,
    /// The largest value of the lower cluster.
    pub low_max: f64,
    /// The smallest value of the upper cluster.
    pub high_min: f64,
    /// `high_min - low_max`.
    pub gap: f64,
    /// The larger of the clusters' scaled MADs (`1.4826 · median |x - median|`).
    pub spread: f64,
}

/// Two clusters in a sample: the sorted finite values are cut at their widest gap that leaves
/// at least 2 values on each side; the sample is bimodal when that gap exceeds
/// [`BIMODAL_GAP_FACTOR`] times the larger of the two parts' scaled MADs and
/// [`BIMODAL_GAP_PCT`] percent of the sample's median (of its absolute value). `None` with fewer
/// than [`MIN_RUNS_FOR_BIMODALITY`] finite values or when the rule does not hold. Ties among the
/// widest gaps go to the lowest cut.
pub fn bimodality(values: &[f64]) -> Option<Bimodal> {
    let mut xs = finite_values(values);
    let n = xs.len();
    if n < MIN_RUNS_FOR_BIMODALITY {
        return None;
    }
    xs.sort_by(f64::total_cmp);
    // Cut after position `cut`: lower part xs[..=cut], upper xs[cut + 1..], both >= 2 values.
    let mut cut = 1;
    for i in 1..n - 2 {
        if xs[i + 1] - xs[i] > xs[cut + 1] - xs[cut] {
            cut = i;
        }
    }
    let (low_max, high_min) = (xs[cut], xs[cut + 1]);
    let gap = finite(high_min - low_max)?;
    let scaled_mad = |part: &[f64]| -> f64 {
        let med = median_of_sorted(part).unwrap_or(0.0);
        let mut dev: Vec<f64> = part.iter().map(|x| (x - med).abs()).collect();
        dev.sort_by(f64::total_cmp);
        1.4826 * median_of_sorted(&dev).unwrap_or(0.0)
    };
    let spread = scaled_mad(&xs[..=cut]).max(scaled_mad(&xs[cut + 1..]));
    let med = median_of_sorted(&xs)?.abs();
    if gap <= BIMODAL_GAP_FACTOR * spread || gap <= BIMODAL_GAP_PCT / 100.0 * med {
        return None;
    }
    let in_low = |x: f64| x.is_finite() && x <= low_max;
    let low = (0..values.len()).filter(|&i| in_low(values[i])).collect();
    let high = (0..values.len()).filter(|&i| values[i].is_finite() && values[i] >= high_min).collect();
    Some(Bimodal { low, high, low_max, high_min, gap, spread })
}
