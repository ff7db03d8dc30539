//! Axes and their labels: padded ranges, tick labels, a category axis and the logarithmic
//! cost-ratio axis.

use plotters::coord::ranged1d::Ranged;

use super::parts::shorten;

/// Clamps a data value to a window a few axis spans around `(lo, hi)`, so that plotters'
/// pixel arithmetic cannot overflow on a value far outside the axis (its `map` saturates the
/// cast to `i32` and then adds the area's offset). What is drawn beyond the axis is clipped
/// anyway.
pub(crate) fn near((lo, hi): (f64, f64), v: f64) -> f64 {
    let span = (hi - lo).abs();
    v.clamp(lo - 2.0 * span, hi + 2.0 * span)
}

/// A padded axis range covering `values`; never empty.
pub(crate) fn padded_range(values: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    // Keep the span (and the padding) finite: values near f64::MAX would overflow it.
    let (lo, hi) = (lo.max(-1e300), hi.min(1e300));
    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.05 };
        return (lo - d, hi + d);
    }
    let d = (hi - lo) * pad;
    (lo - d, hi + d)
}

/// Tick label of an axis value: at most 4 significant digits, k/M for large values.
pub(crate) fn axis_label(v: f64) -> String {
    let a = v.abs();
    let (x, suffix) = if a >= 1e9 {
        (v / 1e9, "G")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e4 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let s = if x == 0.0 {
        "0".to_string()
    } else {
        let digits = (3 - x.abs().log10().floor() as i32).clamp(0, 6) as usize;
        let s = format!("{x:.digits$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    format!("{s}{suffix}")
}

/// A category axis: categories `0..n` at whole numbers, the axis from -0.5 to n - 0.5, a key
/// point (tick and label) at each category and nowhere else.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Categories(pub(crate) usize);

impl Ranged for Categories {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.0.max(1) as f64;
        let frac = (value + 0.5) / span;
        limit.0 + (frac * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        (0..self.0).map(|i| i as f64).collect()
    }

    fn range(&self) -> std::ops::Range<f64> {
        -0.5..self.0.max(1) as f64 - 0.5
    }
}

/// The label of a category key point, or empty between categories.
pub(crate) fn category_label(names: &[String], v: f64) -> String {
    let i = v.round();
    if (v - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    names.get(i as usize).map(|s| shorten(s, 40)).unwrap_or_default()
}

/// A logarithmic value axis from `lo` to `hi` (both positive, `lo < hi`) with key points at
/// 1, 2 and 5 times the powers of ten (only the powers of ten when that gives too many), so
/// that a ratio and its inverse (×2, ×0.5) lie at the same distance from ×1.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LogAxis {
    /// Left end.
    pub(crate) lo: f64,
    /// Right end.
    pub(crate) hi: f64,
}

impl LogAxis {
    /// The axis covering `values` (positive and finite ones) and at least ×1/1.2 to ×1.2,
    /// padded by `pad` of its span in log space on each side, and kept within 1e-6..1e6 (twelve
    /// decades are already unreadable; beyond, the values are clamped to the edge).
    pub(crate) fn covering(values: impl Iterator<Item = f64>, pad: f64) -> LogAxis {
        let (mut lo, mut hi) = (1.0 / 1.2_f64, 1.2_f64);
        for v in values.filter(|v| v.is_finite() && *v > 0.0) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        let (lo, hi) = (lo.max(1e-6), hi.min(1e6));
        let span = (hi / lo).ln();
        LogAxis { lo: (lo.ln() - pad * span).exp(), hi: (hi.ln() + pad * span).exp() }
    }

    /// Where `v` lies on the axis, 0 at `lo` and 1 at `hi`; values that are not positive sit at
    /// `lo`, and the result is kept within a few axis lengths (plotters' pixel arithmetic must
    /// not overflow).
    fn frac(&self, v: f64) -> f64 {
        let v = if v.is_finite() && v > 0.0 { v } else { self.lo };
        ((v.ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln())).clamp(-2.0, 3.0)
    }
}

impl Ranged for LogAxis {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        limit.0 + (self.frac(*value) * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        let max = hint.max_num_points().clamp(3, 9);
        let (k0, k1) = (self.lo.log10().floor() as i32, self.hi.log10().ceil() as i32);
        let within = |steps: &[f64]| -> Vec<f64> {
            (k0..=k1)
                .flat_map(|k| steps.iter().map(move |m| m * 10f64.powi(k)))
                .filter(|v| *v >= self.lo && *v <= self.hi)
                .collect()
        };
        let fine = within(&[1.0, 2.0, 5.0]);
        if fine.len() < 3 {
            // A narrow axis around ×1.
            let near_one = [0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.5, 1.7, 2.0];
            return near_one.into_iter().filter(|v| *v >= self.lo && *v <= self.hi).collect();
        }
        if fine.len() <= max {
            return fine;
        }
        let decades = within(&[1.0]);
        let step = decades.len().div_ceil(max).max(1);
        // Every `step`-th decade, counted from ×1 so that it stays.
        decades.into_iter().filter(|v| (v.log10().round() as i64).rem_euclid(step as i64) == 0).collect()
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_labels_are_short() {
        assert_eq!(axis_label(0.0), "0");
        assert_eq!(axis_label(585.71), "585.7");
        assert_eq!(axis_label(25307.56), "25.31k");
        assert_eq!(axis_label(1.5e6), "1.5M");
        assert_eq!(axis_label(0.0125), "0.0125");
        assert_eq!(axis_label(-2.5), "-2.5");
    }

    /// The cost-ratio axis: ×1 always inside, ticks at 1-2-5 times powers of ten (only
    /// decades when those are too many), ×2 as far right of ×1 as ×0.5 is left of it.
    #[test]
    fn log_axis_ticks_and_symmetry() {
        struct Hint(usize);
        impl plotters::coord::ranged1d::KeyPointHint for Hint {
            fn max_num_points(&self) -> usize {
                self.0
            }
            fn weight(&self) -> plotters::coord::ranged1d::KeyPointWeight {
                plotters::coord::ranged1d::KeyPointWeight::Bold
            }
        }
        let a = LogAxis::covering([0.5, 7.37].into_iter(), 0.0);
        assert_eq!((a.lo, a.hi), (0.5, 7.37));
        assert_eq!(a.key_points(Hint(10)), vec![0.5, 1.0, 2.0, 5.0]);
        let (x1, x2, xh) = (a.map(&1.0, (0, 1000)), a.map(&2.0, (0, 1000)), a.map(&0.5, (0, 1000)));
        assert!(((x2 - x1) - (x1 - xh)).abs() <= 1, "{xh} {x1} {x2}");
        // Only values above 1: the axis still holds ×1 (and ×1/1.2); near ×1 the ticks are finer.
        assert_eq!(LogAxis::covering([3.0].into_iter(), 0.0).lo, 1.0 / 1.2);
        let near = LogAxis::covering([1.01, 1.02].into_iter(), 0.0);
        assert_eq!(near.key_points(Hint(10)), vec![0.9, 1.0, 1.1, 1.2]);
        let wide = LogAxis::covering([1e-4, 1e4].into_iter(), 0.0);
        let ticks = wide.key_points(Hint(9));
        assert!(ticks.len() <= 9 && ticks.contains(&1.0), "{ticks:?}");
        assert!(ticks.iter().all(|t| (t.log10() - t.log10().round()).abs() < 1e-9), "{ticks:?}");
        // Values that are not positive or finite neither move the axis nor escape it.
        let odd = LogAxis::covering([0.0, -3.0, f64::NAN, f64::INFINITY, 2.0].into_iter(), 0.0);
        assert_eq!((odd.lo, odd.hi), (1.0 / 1.2, 2.0));
        assert_eq!(odd.frac(-1.0), 0.0);
        assert_eq!(odd.frac(1e300), 3.0);
    }

    #[test]
    fn ranges_are_never_empty() {
        assert_eq!(padded_range([].into_iter(), 0.1), (0.0, 1.0));
        let (lo, hi) = padded_range([5.0, 5.0].into_iter(), 0.1);
        assert!(lo < 5.0 && hi > 5.0);
        let (lo, hi) = padded_range([f64::NAN, 1.0, 3.0].into_iter(), 0.5);
        assert_eq!((lo, hi), (0.0, 4.0));
    }
}
