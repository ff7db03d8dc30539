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
    if ys.len() > SLOPES_HELD {
        return sen_slope_by_passes(&ys);
    }
    let mut slopes = Vec::with_capacity(ys.len() * ys.len().saturating_sub(1) / 2);
    for_each_slope(&ys, |s| slopes.push(s));
    slopes.sort_by(f64::total_cmp);
    median_of_sorted(&slopes)
}

/// Up to this many values, Sen's slope sorts all their pairwise slopes (2,000 values: 2 million
/// slopes, 16 MB); beyond, [`sen_slope_by_passes`] finds the median without holding them (the
/// 20,000 to 40,000 runs of a cell pooled over a store's campaigns would hold 1.6 to 6.4 GB).
const SLOPES_HELD: usize = 2000;

/// Calls `f` with every finite pairwise slope `(y_j - y_i) / (j - i)`, `i < j`.
fn for_each_slope(ys: &[f64], mut f: impl FnMut(f64)) {
    for (i, &yi) in ys.iter().enumerate() {
        for (k, &yj) in ys[i + 1..].iter().enumerate() {
            let s = (yj - yi) / (k + 1) as f64;
            if s.is_finite() {
                f(s);
            }
        }
    }
}

/// Sen's slope of `ys` (finite values) equal to sorting every slope, in memory independent of
/// their number: the median's one or two order statistics, each found by passes over the
/// slopes that count them into buckets of a value range and narrow the range to the bucket
/// holding it, until few enough slopes are left in range to sort.
fn sen_slope_by_passes(ys: &[f64]) -> Option<f64> {
    let (mut n, mut lo, mut hi) = (0usize, f64::INFINITY, f64::NEG_INFINITY);
    for_each_slope(ys, |s| {
        n += 1;
        lo = lo.min(s);
        hi = hi.max(s);
    });
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(kth_slope(ys, n / 2, lo, hi)),
        _ => Some(kth_slope(ys, n / 2 - 1, lo, hi).midpoint(kth_slope(ys, n / 2, lo, hi))),
    }
}

/// The `k`-th smallest (from 0) finite pairwise slope of `ys`, known to lie in `[lo, hi]`: by
/// passes of 65,536 buckets, sorting once at most a million slopes are left in range.
fn kth_slope(ys: &[f64], k: usize, lo: f64, hi: f64) -> f64 {
    kth_slope_by::<{ 1 << 16 }, { 1 << 20 }>(ys, k, lo, hi)
}

/// [`kth_slope`] with `BUCKETS` buckets a pass, sorting at most `SORTED` slopes.
fn kth_slope_by<const BUCKETS: usize, const SORTED: usize>(
    ys: &[f64],
    k: usize,
    mut lo: f64,
    mut hi: f64,
) -> f64 {
    loop {
        if hi <= lo {
            // Every slope in range is this one value.
            return lo;
        }
        // Slopes below the range, and those in it by bucket (counted exactly, by comparisons;
        // the bucket of a slope grows with it).
        let mut below = 0usize;
        let mut counts = vec![0usize; BUCKETS];
        let width = hi - lo;
        let bucket = |s: f64| (((s - lo) / width * BUCKETS as f64) as usize).min(BUCKETS - 1);
        for_each_slope(ys, |s| {
            if s < lo {
                below += 1;
            } else if s <= hi {
                counts[bucket(s)] += 1;
            }
        });
        let inside: usize = counts.iter().sum();
        if inside <= SORTED {
            let mut kept = Vec::with_capacity(inside);
            for_each_slope(ys, |s| {
                if s >= lo && s <= hi {
                    kept.push(s);
                }
            });
            kept.sort_by(f64::total_cmp);
            return kept[k - below];
        }
        // The bucket that holds the k-th slope, and the value range it stands for.
        let mut seen = below;
        let b = counts
            .iter()
            .position(|&c| {
                seen += c;
                seen > k
            })
            .unwrap_or(BUCKETS - 1);
        let step = width / BUCKETS as f64;
        // Rounding may leave a slope of the bucket just outside its bounds: one bucket's margin
        // on each side keeps it in, and the next pass counts exactly again.
        let new_lo = (lo + step * (b as f64 - 1.0)).max(lo);
        let new_hi = (lo + step * (b as f64 + 2.0)).min(hi);
        if new_hi - new_lo >= width {
            // No narrower range is representable: the range holds a few distinct values (a few
            // ulps apart), many times each; count each and walk them in order.
            let mut distinct: Vec<(f64, usize)> = Vec::new();
            for_each_slope(ys, |s| {
                if s >= lo && s <= hi {
                    match distinct.iter_mut().find(|(v, _)| *v == s) {
                        Some((_, c)) => *c += 1,
                        None => distinct.push((s, 1)),
                    }
                }
            });
            distinct.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut seen = below;
            for (v, c) in &distinct {
                seen += c;
                if seen > k {
                    return *v;
                }
            }
            return hi;
        }
        lo = new_lo;
        hi = new_hi;
    }
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

#[cfg(test)]
mod tests {
    /// The plain sort of every slope, the reference.
    fn sorted_median(ys: &[f64]) -> Option<f64> {
        let mut v = Vec::new();
        super::for_each_slope(ys, |s| v.push(s));
        v.sort_by(f64::total_cmp);
        super::median_of_sorted(&v)
    }

    /// Sen's slope found by passes equals sorting every slope: on values with many ties
    /// (integers 0 to 9, so most slopes repeat), on distinct ones, on a constant sample (one
    /// slope value) and with two clusters; odd and even numbers of slopes.
    #[test]
    fn sen_slope_by_passes_equals_sorting_every_slope() {
        let mut state = 7u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) as f64 / (1u64 << 31) as f64
        };
        for n in [2usize, 3, 40, 301, 600] {
            let ties: Vec<f64> = (0..n).map(|_| (next() * 10.0).floor()).collect();
            let distinct: Vec<f64> = (0..n).map(|i| 1000.0 + i as f64 * 0.5 + next() * 50.0).collect();
            let constant = vec![3.25; n];
            let clusters: Vec<f64> = (0..n).map(|i| if i % 3 == 0 { 1e6 } else { -2.5 + next() }).collect();
            for ys in [ties, distinct, constant, clusters] {
                assert_eq!(
                    super::sen_slope_by_passes(&ys),
                    sorted_median(&ys),
                    "n = {n}: {:?}",
                    &ys[..n.min(8)]
                );
            }
        }
        assert_eq!(super::sen_slope_by_passes(&[1.0]), None);
    }

    /// Past the number of values whose slopes are held, Sen's slope is found by passes and
    /// equals the sort's: 2,400 values with ties, 2.9 million slopes (more than one pass sorts).
    #[test]
    fn sen_slope_of_many_values_equals_the_sort() {
        let ys: Vec<f64> = (0..2400).map(|i| 100.0 + (i / 7) as f64 * 0.25 + (i % 5) as f64).collect();
        assert!(ys.len() > super::SLOPES_HELD);
        assert_eq!(super::sen_slope(&ys), sorted_median(&ys));
    }
}
