//! Bootstrap interval of the ratio of two medians (issue 16, part 6): a latency percentile or a
//! median of runs gets its own change, since a mean's interval says nothing about a tail.
//! Re-exported by [`crate::stats`].

use serde::Serialize;

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::{Binomial, Distribution};

use super::{finite, median_of_sorted, valid_confidence};

/// Resamples of [`median_ratio_bootstrap`]: the Monte-Carlo error of a 2.5% quantile of 10 000
/// resamples is about 0.16 percentage points of probability, small beside any interval of a
/// handful of runs.
pub const BOOTSTRAP_RESAMPLES: usize = 10_000;

/// The seed of every bootstrap: the same data give the same interval, whatever else the
/// analysis holds and in whatever order it runs.
pub const BOOTSTRAP_SEED: u64 = 16;

/// Fewest runs per side the bootstrap is made with: below five, the medians of the resamples
/// take so few values that the "interval" is little more than the range of the data.
pub const MIN_RUNS_FOR_BOOTSTRAP: usize = 5;

/// The ratio of two medians with a bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MedianRatio {
    /// `median(platform) / median(baseline)` of the data.
    pub ratio: f64,
    /// Lower end: the `(1 - confidence) / 2` quantile of the resampled ratios.
    pub low: f64,
    /// Upper end: the `(1 + confidence) / 2` quantile.
    pub high: f64,
}

/// The ratio `median(platform) / median(baseline)` with a **percentile** bootstrap interval:
/// `resamples` times, each side's values are resampled with replacement (independently, each
/// to its own size) and the ratio of the resamples' medians taken; the interval is the
/// `(1 ∓ confidence) / 2` quantiles of those ratios, interpolated linearly between order
/// statistics (numpy's default, as `scipy.stats.bootstrap(..., method='percentile')`). Each
/// resample's median is drawn without drawing the resample (see [`Resampler`]), from
/// xoshiro256++ seeded with `seed`.
///
/// `None` with fewer than [`MIN_RUNS_FOR_BOOTSTRAP`] values on a side, a value that is not
/// finite and above 0 (no ratio of medians in every resample), no resamples, or an invalid
/// confidence.
pub fn median_ratio_bootstrap(
    platform: &[f64],
    baseline: &[f64],
    confidence: f64,
    resamples: usize,
    seed: u64,
) -> Option<MedianRatio> {
    let ok = |xs: &[f64]| xs.len() >= MIN_RUNS_FOR_BOOTSTRAP && xs.iter().all(|x| x.is_finite() && *x > 0.0);
    if !ok(platform) || !ok(baseline) || resamples == 0 || !valid_confidence(confidence) {
        return None;
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let (mut a, mut b) = (Resampler::of(platform), Resampler::of(baseline));
    let ratio = finite(median_of_sorted(&a.sorted)? / median_of_sorted(&b.sorted)?)?;
    let mut ratios = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        let ma = a.median(&mut rng)?;
        let mb = b.median(&mut rng)?;
        ratios.push(ma / mb);
    }
    ratios.sort_by(f64::total_cmp);
    let alpha = 1.0 - confidence;
    Some(MedianRatio {
        ratio,
        low: finite(quantile_linear(&ratios, alpha / 2.0))?,
        high: finite(quantile_linear(&ratios, 1.0 - alpha / 2.0))?,
    })
}

/// Medians of resamples of some values, without drawing the resamples. A resample of `n`
/// values from `n` sorted ones is a multinomial count of draws per position; its median is
/// found by binary splits of the positions: of the `m` draws that fell in a range, the number
/// in its left half is binomial (`m` trials, the half's share of the range's positions), and
/// given that number the two halves are drawn independently. Following the half that holds the
/// wanted order statistics (both, when they part) takes about `2 log2 n` binomial draws a
/// resample instead of `n` uniform ones: the same bootstrap distribution, exactly. A store
/// selection pools 20,000 to 40,000 runs in a cell; drawing every value of 10,000 resamples
/// of them took 40 % of the analysis.
///
/// Up to [`DRAWN_ONE_BY_ONE`] values a resample is drawn value by value instead (each counted at
/// its position, the middle ones found in one pass over the counts): for a handful of runs
/// `n` uniform draws cost less than the binomial ones (one campaign's analysis spent 60 % of
/// its time in them).
struct Resampler {
    /// The values, sorted.
    sorted: Vec<f64>,
    /// How many times each position was drawn (all 0 between resamples), for the small ones.
    counts: Vec<u32>,
}

/// Most values whose resamples are drawn value by value (see [`Resampler`]).
const DRAWN_ONE_BY_ONE: usize = 256;

impl Resampler {
    fn of(xs: &[f64]) -> Resampler {
        let mut sorted = xs.to_vec();
        sorted.sort_by(f64::total_cmp);
        let counts = if sorted.len() <= DRAWN_ONE_BY_ONE { vec![0; sorted.len()] } else { Vec::new() };
        Resampler { sorted, counts }
    }

    /// The median of one resample (as [`median_of_sorted`] of it sorted), drawn from `rng`.
    fn median(&mut self, rng: &mut Xoshiro256PlusPlus) -> Option<f64> {
        let n = self.sorted.len();
        if n == 0 {
            return None;
        }
        // The order statistics n / 2 and, for an even n, n / 2 - 1 (from 0).
        let want_low = if n.is_multiple_of(2) { n / 2 - 1 } else { n / 2 };
        let (low, high) = if n <= DRAWN_ONE_BY_ONE {
            drawn_one_by_one(&mut self.counts, want_low, n / 2, rng)
        } else {
            order_statistics(n, want_low, n / 2, rng)
        };
        let (low, high) = (self.sorted[low], self.sorted[high]);
        Some(if n % 2 == 1 { high } else { low.midpoint(high) })
    }
}

/// As [`order_statistics`] for `counts.len()` values (`counts` all 0, and left so), by
/// drawing each of the resample's values and counting it at its position.
fn drawn_one_by_one(
    counts: &mut [u32],
    k1: usize,
    k2: usize,
    rng: &mut Xoshiro256PlusPlus,
) -> (usize, usize) {
    let n = counts.len();
    for _ in 0..n {
        counts[rng.random_range(0..n)] += 1;
    }
    let (mut low, mut high, mut seen) = (None, n - 1, 0);
    for (position, &c) in counts.iter().enumerate() {
        seen += c as usize;
        if low.is_none() && seen > k1 {
            low = Some(position);
        }
        if seen > k2 {
            high = position;
            break;
        }
    }
    counts.fill(0);
    (low.unwrap_or(high), high)
}

/// The positions, among `n` sorted values, of the order statistics `k1 <= k2` (from 0) of one
/// resample of `n` draws with replacement, each position equally likely.
fn order_statistics(n: usize, k1: usize, k2: usize, rng: &mut Xoshiro256PlusPlus) -> (usize, usize) {
    let (mut lo, mut hi, mut m) = (0, n, n as u64);
    let (mut t1, mut t2) = (k1 as u64, k2 as u64);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        let left = split(m, lo, mid, hi, rng);
        if t2 < left {
            (hi, m) = (mid, left);
        } else if t1 >= left {
            (lo, m, t1, t2) = (mid, m - left, t1 - left, t2 - left);
        } else {
            // They part: the halves are independent given `left`.
            return (
                order_statistic(lo, mid, left, t1, rng),
                order_statistic(mid, hi, m - left, t2 - left, rng),
            );
        }
    }
    (lo, lo)
}

/// The position of order statistic `t` (from 0) of the `m` draws that fell in `lo..hi`.
fn order_statistic(
    mut lo: usize,
    mut hi: usize,
    mut m: u64,
    mut t: u64,
    rng: &mut Xoshiro256PlusPlus,
) -> usize {
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        let left = split(m, lo, mid, hi, rng);
        if t < left {
            (hi, m) = (mid, left);
        } else {
            (lo, m, t) = (mid, m - left, t - left);
        }
    }
    lo
}

/// How many of the `m` draws in `lo..hi` fell in `lo..mid` (`lo < mid < hi`).
fn split(m: u64, lo: usize, mid: usize, hi: usize, rng: &mut Xoshiro256PlusPlus) -> u64 {
    let share = (mid - lo) as f64 / (hi - lo) as f64;
    // `share` is strictly between 0 and 1, the only thing `Binomial::new` checks.
    Binomial::new(m, share).map_or(0, |b| b.sample(rng))
}

/// The `p` quantile of sorted values, interpolated linearly between order statistics at
/// position `(n - 1) p` (numpy's `linear`, Hyndman & Fan type 7).
fn quantile_linear(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use rand::rngs::Xoshiro256PlusPlus;
    use rand::SeedableRng;
    use statrs::distribution::{Binomial, DiscreteCDF};

    use super::{drawn_one_by_one, median_of_sorted, order_statistics, Resampler};

    const DRAWS: usize = 20_000;

    /// Each of the two order statistics follows its exact law: in a resample of `n` draws from
    /// `n` distinct positions, the `j`-th smallest (from 1) is at a position below `k` exactly
    /// when at least `j` draws fell below `k`, a binomial tail (`n` trials, `k / n`), computed
    /// here with statrs. The largest gap between that and 20,000 draws' share must stay under
    /// 0.015 (the DKW bound at 0.1 %: sqrt(ln(2 / 0.001) / 40,000) = 0.0138).
    #[test]
    fn order_statistics_follow_the_binomial_law() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        // Both ways: binary splits (every size) and value by value (the small ones).
        let sizes = [1usize, 2, 3, 7, 10, 61, 64, 1000, 40_001];
        let ways =
            sizes.iter().map(|&n| (n, false)).chain(sizes.iter().filter(|&&n| n <= 256).map(|&n| (n, true)));
        for (n, one_by_one) in ways {
            let want = (if n.is_multiple_of(2) { n / 2 - 1 } else { n / 2 }, n / 2);
            let mut counts = vec![0; n];
            let drawn: Vec<(usize, usize)> = (0..DRAWS)
                .map(|_| {
                    if one_by_one {
                        drawn_one_by_one(&mut counts, want.0, want.1, &mut rng)
                    } else {
                        order_statistics(n, want.0, want.1, &mut rng)
                    }
                })
                .collect();
            assert!(drawn.iter().all(|(a, b)| a <= b && *b < n), "n = {n}");
            for (which, j) in [(0, want.0 + 1), (1, want.1 + 1)] {
                let mut positions: Vec<usize> =
                    drawn.iter().map(|d| if which == 0 { d.0 } else { d.1 }).collect();
                positions.sort_unstable();
                let mut worst = 0.0f64;
                // Positions around the median are where the law has its mass.
                let (from, to) = (n / 2 - n.min(2000) / 2, (n / 2 + n.min(2000) / 2).min(n - 1));
                for k in from..=to {
                    let below = positions.partition_point(|&p| p < k) as f64 / DRAWS as f64;
                    let exact = if k == 0 {
                        0.0
                    } else {
                        1.0 - Binomial::new(k as f64 / n as f64, n as u64).unwrap().cdf(j as u64 - 1)
                    };
                    worst = worst.max((below - exact).abs());
                }
                assert!(
                    worst < 0.015,
                    "n = {n} (one by one: {one_by_one}), order statistic {j}: gap {worst}"
                );
            }
        }
    }

    /// The resample's median (the two middle order statistics together, with ties; drawn both
    /// ways, either side of 256 values) against
    /// drawing the resample value by value and sorting it: the two samples of 20,000 medians
    /// must agree by the two-sample Kolmogorov-Smirnov distance (under 0.02; its 0.1 % critical
    /// value is 1.95 sqrt(2 / 20,000) = 0.0195).
    #[test]
    fn resample_median_matches_drawing_the_resample() {
        let mut values = fastrand::Rng::with_seed(17);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        let mut direct = fastrand::Rng::with_seed(10);
        for n in [5usize, 6, 10, 40, 101, 257, 300] {
            for levels in [3, 1000] {
                let xs: Vec<f64> = (0..n).map(|_| values.usize(..levels) as f64 / 7.0).collect();
                let mut r = Resampler::of(&xs);
                let mut split: Vec<f64> = (0..DRAWS).map(|_| r.median(&mut rng).unwrap()).collect();
                let mut drawn: Vec<f64> = (0..DRAWS)
                    .map(|_| {
                        let mut v: Vec<f64> = (0..n).map(|_| xs[direct.usize(..n)]).collect();
                        v.sort_by(f64::total_cmp);
                        median_of_sorted(&v).unwrap()
                    })
                    .collect();
                split.sort_by(f64::total_cmp);
                drawn.sort_by(f64::total_cmp);
                let worst = split
                    .iter()
                    .chain(&drawn)
                    .map(|x| {
                        let share = |v: &[f64]| v.partition_point(|y| y <= x) as f64 / DRAWS as f64;
                        (share(&split) - share(&drawn)).abs()
                    })
                    .fold(0.0, f64::max);
                assert!(worst < 0.02, "n = {n}, {levels} levels: KS distance {worst}");
            }
        }
        assert_eq!(Resampler::of(&[]).median(&mut rng), None);
    }
}
