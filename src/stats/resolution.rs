//! Printed resolution (issue 16, part 9): the step of the last digit a tool printed, inferred
//! from the values as read, and whether a difference lies within it. Re-exported by
//! [`crate::stats`].

/// The step of the values' last printed digit: the largest power of ten from 10⁻⁶ to 10⁶ of
/// which every finite non-zero value is a whole, non-zero multiple (within 10⁻⁶ of a step, for
/// decimal fractions that binary floating point does not hold exactly). sysbench's `0.02` and
/// `0.03` ms give 0.01, fio's `4` and `5` msec read as 4000 and 5000 µs give 1000, `501.9` and
/// `502.35` together give 0.01.
///
/// `None` with fewer than two distinct finite non-zero values, or when the values carry more
/// than six decimals (computed, not printed: no step to speak of). The values are all the
/// analysis keeps of what was printed, and a trailing zero is lost (`100.00` reads as `100`):
/// one value, or five equal ones, would make its last non-zero digit the step; two distinct
/// values both end in a zero by chance one time in a hundred (then the step is ten times too
/// coarse), three one time in a thousand.
pub fn printed_resolution(values: &[f64]) -> Option<f64> {
    // A value met twice is a whole multiple of a step or not both times: no need to sort and
    // drop the repeats (a cell of a store's selection has 20,000 values), only to see two
    // distinct ones.
    let xs = values.iter().copied().filter(|x| x.is_finite() && *x != 0.0);
    let first = xs.clone().next()?;
    if xs.clone().all(|x| x == first) {
        return None;
    }
    (-6..=6).rev().map(|k| 10f64.powi(k)).find(|&step| {
        xs.clone().all(|x| {
            let q = x / step;
            q.abs() < 1e15 && q.round() != 0.0 && (q - q.round()).abs() <= 1e-6
        })
    })
}

/// The step two samples are compared at: the coarser of their [`printed_resolution`]s (fio may
/// print one platform's percentiles in µs and the other's in ms); when a side has none (one
/// distinct value), that of both samples pooled, as printed by the same tool.
pub fn comparison_resolution(a: &[f64], b: &[f64]) -> Option<f64> {
    comparison_resolution_of(a, printed_resolution(a), b, printed_resolution(b))
}

/// [`comparison_resolution`] of `a` and `b` whose own [`printed_resolution`]s are `ra` and
/// `rb` (a baseline's sample is compared with every platform's).
pub fn comparison_resolution_of(a: &[f64], ra: Option<f64>, b: &[f64], rb: Option<f64>) -> Option<f64> {
    match (ra, rb) {
        (Some(x), Some(y)) => Some(x.max(y)),
        _ => printed_resolution(&[a, b].concat()),
    }
}

/// Whether the two means differ, by at most one printed `step` (with a relative slack of 10⁻⁹
/// for the floating-point mean): then rounding to the printed digit alone can make the
/// difference, and no verdict on its direction holds. `false` for equal means (no difference to
/// explain: the interval's verdict stands), without a step, or with non-finite means.
pub fn within_resolution(mean_a: f64, mean_b: f64, step: Option<f64>) -> bool {
    let Some(step) = step.filter(|s| s.is_finite() && *s > 0.0) else { return false };
    let diff = (mean_a - mean_b).abs();
    mean_a.is_finite() && mean_b.is_finite() && diff > 0.0 && diff <= step * (1.0 + 1e-9)
}

#[cfg(test)]
mod tests {
    use super::printed_resolution;

    /// As sorting the values and dropping the repeats first gave it, on sets of printed-like
    /// values: repeats, zeros, NaN and infinities among them, from one to forty values, one to
    /// four decimals, and computed values of many decimals.
    #[test]
    fn printed_resolution_is_that_of_the_distinct_values() {
        let sorted = |values: &[f64]| -> Option<f64> {
            let mut xs: Vec<f64> = values.iter().copied().filter(|x| x.is_finite() && *x != 0.0).collect();
            xs.sort_by(f64::total_cmp);
            xs.dedup();
            if xs.len() < 2 {
                return None;
            }
            (-6..=6).rev().map(|k| 10f64.powi(k)).find(|&step| {
                xs.iter().all(|x| {
                    let q = x / step;
                    q.abs() < 1e15 && q.round() != 0.0 && (q - q.round()).abs() <= 1e-6
                })
            })
        };
        let mut rng = fastrand::Rng::with_seed(3);
        let (mut found, mut none) = (0, 0);
        for _ in 0..20_000 {
            let decimals = rng.i32(0..=4);
            let values: Vec<f64> = (0..rng.usize(1..=40))
                .map(|_| match rng.u8(0..20) {
                    0 => 0.0,
                    1 => f64::NAN,
                    2 => f64::INFINITY,
                    3 => rng.f64() * 1000.0,
                    _ => rng.i64(-50..500) as f64 * 10f64.powi(-decimals),
                })
                .collect();
            let want = sorted(&values);
            assert_eq!(printed_resolution(&values), want, "{values:?}");
            if want.is_some() {
                found += 1;
            } else {
                none += 1;
            }
        }
        assert!(found > 1000 && none > 1000, "{found} with a step, {none} without");
    }
}
