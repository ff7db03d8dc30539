//! The sums behind a pidstat run's metrics: a row's values by aggregate ([`RowAggs`]), their
//! sums per process group over one interval ([`Interval`]), and the statistics of those sums
//! over the run's intervals ([`Stats`], per group in [`Group`]; counted from the start of a
//! piece read on its own in [`SegmentStats`], so that pieces join exactly). Values that are
//! hundredths are summed as integers, exactly; the rest as f64 beside them.
//!
//! Not here: reading lines and rows, or deciding which group a row belongs to (see
//! [`super::engine`]).

use super::engine::GROUPS;
use super::layout::{Kind, AGGS, N_AGG};
use super::lex::Num;

/// Running statistics of one aggregated column over intervals. The sum is kept like an
/// interval's: the hundredths exactly, in an integer, and only the rest (values with more
/// decimals) as an f64; so the mean does not depend on the order the intervals were added in
/// (pieces read apart and joined give exactly one pass's result).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Acc {
    pub(super) n: u64,
    pub(super) cents: i128,
    pub(super) sum: f64,
    pub(super) max: f64,
    /// A real value (not only the 0 of an interval without rows, nor `-1.00` sentinels) was seen.
    pub(super) any: bool,
}

impl Acc {
    /// Adds an interval's sum: `cents` hundredths plus `rest`; `max` keeps the largest too
    /// (only the aggregates with a `_max` metric need it, and it costs a division).
    #[inline(always)]
    pub(super) fn push(&mut self, cents: i64, rest: f64, real: bool, max: bool) {
        if max {
            let v = total(cents, rest);
            if self.n == 0 || v > self.max {
                self.max = v;
            }
        }
        self.n += 1;
        self.cents += i128::from(cents);
        self.sum += rest;
        self.any |= real;
    }

    /// The mean of the values pushed (NaN when none).
    pub(super) fn mean(&self) -> f64 {
        (self.cents as f64 / 100.0 + self.sum) / self.n as f64
    }

    /// The statistics of `self`'s values followed by `later`'s.
    pub(super) fn then(self, later: Acc) -> Acc {
        let max = match (self.n, later.n) {
            (0, _) => later.max,
            (_, 0) => self.max,
            _ => self.max.max(later.max),
        };
        Acc {
            n: self.n + later.n,
            cents: self.cents + later.cents,
            sum: self.sum + later.sum,
            max,
            any: self.any || later.any,
        }
    }
}

/// `cents` hundredths plus `rest`, as one f64.
#[inline]
pub(super) fn total(cents: i64, rest: f64) -> f64 {
    cents as f64 / 100.0 + rest
}

/// What a group's run metrics are computed from.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Stats {
    pub(super) accs: [Acc; N_AGG],
    pub(super) samples: u64,
    pub(super) first: Option<f64>,
    pub(super) last: Option<f64>,
}

impl Stats {
    /// Adds interval `iv` as one sample of group `g`, at `time`.
    pub(super) fn add(&mut self, iv: &Interval, g: usize, time: Option<f64>) {
        self.samples += 1;
        if let Some(t) = time {
            self.first.get_or_insert(t);
            self.last = Some(t);
        }
        for (a, def) in AGGS.iter().enumerate() {
            if iv.mask & (1 << a) == 0 {
                continue;
            }
            let seen = iv.seen[g] & (1 << a) != 0;
            if def.kind == Kind::Level && !seen {
                continue;
            }
            self.accs[a].push(iv.cents[g][a], iv.sums[g][a], seen, def.max);
        }
    }

    /// Adds an interval with the aggregates `mask` in which the group had no row, at `time`:
    /// what [`Stats::add`] does for such a group (its rates count as 0, its levels are left out).
    pub(super) fn add_idle(&mut self, mask: u8, time: Option<f64>) {
        self.samples += 1;
        if let Some(t) = time {
            self.first.get_or_insert(t);
            self.last = Some(t);
        }
        for (a, def) in AGGS.iter().enumerate() {
            if mask & (1 << a) != 0 && def.kind == Kind::Rate {
                self.accs[a].push(0, 0.0, false, def.max);
            }
        }
    }

    /// The statistics of `self`'s intervals followed by `later`'s.
    pub(super) fn then(self, later: Stats) -> Stats {
        let mut accs = self.accs;
        for (a, l) in accs.iter_mut().zip(later.accs) {
            *a = a.then(l);
        }
        Stats {
            accs,
            samples: self.samples + later.samples,
            first: self.first.or(later.first),
            last: later.last.or(self.last),
        }
    }

    /// The same statistics with every time `d` seconds later.
    pub(super) fn shifted(mut self, d: f64) -> Stats {
        self.first = self.first.map(|t| t + d);
        self.last = self.last.map(|t| t + d);
        self
    }
}

/// A group's statistics counted from the start of a segment (see [`Engine::segment`](super::engine::Engine::segment)), whether
/// or not the group was listed yet: what [`Engine::join`](super::engine::Engine::join) appends to a run already under way.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct FromStart {
    /// Up to the current interval.
    pub(super) all: Stats,
    /// Up to the last interval where the group was listed (not kept for group 0, listed in
    /// every interval: [`SegmentStats::get`] gives its `all`).
    pub(super) kept: Stats,
}

/// The [`FromStart`] of every group. A group not listed yet in the segment has had no row in
/// any interval so far, so its statistics are those of `idle`, kept once for all such groups:
/// a segment pays per interval only for the groups it has listed.
#[derive(Debug, Clone)]
pub(super) struct SegmentStats {
    pub(super) groups: [FromStart; GROUPS],
    /// Bit `g` set when `groups[g]` is kept (group 0, every process, always is).
    pub(super) listed: u32,
    /// The statistics of a group that had no row in any interval so far.
    pub(super) idle: Stats,
}

impl Default for SegmentStats {
    fn default() -> SegmentStats {
        SegmentStats { groups: [FromStart::default(); GROUPS], listed: 1, idle: Stats::default() }
    }
}

impl SegmentStats {
    /// Adds interval `iv` (at `time`) to every group.
    pub(super) fn add(&mut self, iv: &Interval, time: Option<f64>) {
        let mut fresh = iv.appeared & !self.listed;
        while fresh != 0 {
            let g = fresh.trailing_zeros() as usize;
            fresh &= fresh - 1;
            // Listed for the first time: its statistics so far are the idle ones (and `kept`
            // stays empty, as it was never listed).
            if let Some(s) = self.groups.get_mut(g) {
                s.all = self.idle;
            }
        }
        self.listed |= iv.appeared;
        let mut listed = self.listed;
        while listed != 0 {
            let g = listed.trailing_zeros() as usize;
            listed &= listed - 1;
            let Some(s) = self.groups.get_mut(g) else { continue };
            s.all.add(iv, g, time);
            // Group 0's `kept` is its `all` (see `get`): not copied.
            if g > 0 && iv.appeared & (1 << g) != 0 {
                s.kept = s.all;
            }
        }
        self.idle.add_idle(iv.mask, time);
    }

    /// Group `g`'s statistics.
    pub(super) fn get(&self, g: usize) -> FromStart {
        match self.groups.get(g) {
            // Listed in every interval.
            Some(s) if g == 0 => FromStart { all: s.all, kept: s.all },
            Some(s) if self.listed & (1 << g) != 0 => *s,
            _ => FromStart { all: self.idle, kept: Stats::default() },
        }
    }
}

/// One group of processes: all, or one benchmark command.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Group {
    /// Statistics up to the current interval.
    pub(super) cur: Stats,
    /// Statistics up to the last interval where the group was listed (benchmark groups; group
    /// 0, all processes, is listed in every interval, so its own are `cur` and this is not
    /// kept: see [`Group::listed`]).
    pub(super) kept: Stats,
    /// The group has been listed in some interval (benchmark groups start counting there).
    pub(super) started: bool,
    /// Process rows of the group.
    pub(super) rows: u64,
    /// Sum of the group's `%CPU` values, to pick the busiest benchmark command.
    pub(super) cpu: f64,
}

impl Group {
    /// Statistics up to the last interval where group `g` (this one) was listed.
    pub(super) fn listed(&self, g: usize) -> Stats {
        if g == 0 {
            self.cur
        } else {
            self.kept
        }
    }
}

/// The per-interval sums. One is kept per run and reset at each interval's end (only the sums
/// of the groups that had rows need clearing), rather than a new one built per interval.
#[derive(Debug, Clone)]
pub(super) struct Interval {
    /// An interval is under way (the fields below are its own; else they are reset).
    pub(super) open: bool,
    /// Time of the interval's end: its first row's timestamp.
    pub(super) time: Option<f64>,
    /// Aggregates whose section appeared in the interval.
    pub(super) mask: u8,
    /// Layouts (by index) whose header appeared in the interval.
    pub(super) layouts: u64,
    /// Per group and aggregate, the sum of the values read as [`Num::Cents`] (exact)...
    pub(super) cents: [[i64; N_AGG]; GROUPS],
    /// ... and of the others.
    pub(super) sums: [[f64; N_AGG]; GROUPS],
    /// Per group, bit `a` set when a real value of aggregate `a` was summed.
    pub(super) seen: [u8; GROUPS],
    /// Bit `g` set when group `g` had a process row.
    pub(super) appeared: u32,
}

impl Interval {
    pub(super) fn new() -> Interval {
        Interval {
            open: false,
            time: None,
            mask: 0,
            layouts: 0,
            cents: [[0; N_AGG]; GROUPS],
            sums: [[0.0; N_AGG]; GROUPS],
            seen: [0; GROUPS],
            appeared: 0,
        }
    }

    /// Adds `v` to the sum of aggregate `a` of group `g` (the caller marks it seen).
    #[inline(always)]
    pub(super) fn add(&mut self, g: usize, a: usize, v: Num) {
        match v {
            Num::Cents(c) => match self.cents[g][a].checked_add(c) {
                Some(sum) => self.cents[g][a] = sum,
                None => self.sums[g][a] += c as f64 / 100.0,
            },
            Num::Float(v) => self.sums[g][a] += v,
        }
    }

    /// Adds the values of a row to the sums of group `g`: hundredths all at once, unless a sum
    /// would overflow (then value by value, as [`Interval::add`] does).
    #[inline(always)]
    pub(super) fn add_row(&mut self, g: usize, r: &RowAggs) {
        let Some(sums) = self.cents.get_mut(g) else { return };
        let mut next = [0i64; N_AGG];
        let mut over = false;
        for ((n, &s), &c) in next.iter_mut().zip(sums.iter()).zip(&r.cents) {
            let (v, o) = s.overflowing_add(c);
            *n = v;
            over |= o;
        }
        if !over {
            *sums = next;
        } else {
            for (a, &c) in r.cents.iter().enumerate() {
                self.add(g, a, Num::Cents(c));
            }
        }
        let mut floats = r.float & r.real;
        while floats != 0 {
            let a = floats.trailing_zeros() as usize;
            floats &= floats - 1;
            if let Some(&f) = r.floats.get(a) {
                self.add(g, a, Num::Float(f));
            }
        }
    }

    /// Starts an interval with the layout bits `layouts` and the aggregates `mask`.
    #[inline]
    pub(super) fn open(&mut self, layouts: u64, mask: u8) {
        self.open = true;
        self.layouts = layouts;
        self.mask = mask;
    }

    /// Ends the interval: back to [`Interval::new`]'s state (only groups that had rows have
    /// sums to clear).
    pub(super) fn reset(&mut self) {
        let mut g = self.appeared;
        while g != 0 {
            let i = g.trailing_zeros() as usize;
            g &= g - 1;
            if let (Some(c), Some(f)) = (self.cents.get_mut(i), self.sums.get_mut(i)) {
                *c = [0; N_AGG];
                *f = [0.0; N_AGG];
            }
        }
        self.seen = [0; GROUPS];
        self.appeared = 0;
        self.open = false;
        self.time = None;
        self.mask = 0;
        self.layouts = 0;
    }

    /// The sum of aggregate `a` of group `g`: exact when every value was a [`Num::Cents`] (one
    /// rounding, at the end).
    #[inline]
    pub(super) fn total(&self, g: usize, a: usize) -> f64 {
        total(self.cents[g][a], self.sums[g][a])
    }
}

/// The aggregated values of a row, by aggregate, kept as two arrays of plain numbers rather
/// than one of enums (a 16-byte enum written as two 8-byte halves and read back whole stalls the
/// store forwarding on every value), with a bit per aggregate for the values read as floats and
/// for the real ones (not pidstat's `-1.00`). A row of hundredths alone, the usual one, is
/// added to an interval in one pass over all aggregates, without a branch per value.
pub(super) struct RowAggs {
    /// [`Num::Cents`] of each real value read as cents; 0 for any other.
    pub(super) cents: [i64; N_AGG],
    /// The values read as [`Num::Float`].
    pub(super) floats: [f64; N_AGG],
    /// Bit `a` set when aggregate `a`'s value is in `floats`.
    pub(super) float: u8,
    /// Bit `a` set when aggregate `a` has a real value.
    pub(super) real: u8,
}

impl RowAggs {
    pub(super) fn new() -> RowAggs {
        RowAggs { cents: [0; N_AGG], floats: [0.0; N_AGG], float: 0, real: 0 }
    }

    /// Starts a row: no values.
    #[inline(always)]
    pub(super) fn clear(&mut self) {
        self.cents = [0; N_AGG];
        self.float = 0;
        self.real = 0;
    }

    /// Keeps `v` as aggregate `a`'s value (a sentinel `-1.00` as no value).
    #[inline(always)]
    pub(super) fn set(&mut self, a: usize, v: Num) {
        // `N_AGG` is 8: the index needs no check.
        let a = a % N_AGG;
        let real = !v.is_unreadable();
        match v {
            Num::Cents(x) => self.cents[a] = if real { x } else { 0 },
            Num::Float(x) => {
                self.cents[a] = 0;
                self.floats[a] = x;
                self.float |= 1 << a;
            }
        }
        // Each aggregate is set once per row, after `clear`.
        self.real |= u8::from(real) << a;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// [`SegmentStats`] keeps one `idle` for the groups not listed yet: it must give what
        /// adding every interval to every group gives.
        #[test]
        fn segment_stats_agree_with_every_group_kept(intervals in proptest::collection::vec(
            (0u32..1 << GROUPS, any::<u8>(), any::<u8>(), proptest::collection::vec(-200i64..20_000, N_AGG), any::<bool>()),
            0..40,
        )) {
            let mut lazy = SegmentStats::default();
            let mut every = [FromStart::default(); GROUPS];
            for (i, (appeared, mask, seen, cents, timed)) in intervals.into_iter().enumerate() {
                let mut iv = Interval::new();
                iv.open(1, mask);
                iv.appeared = appeared;
                iv.time = timed.then_some(i as f64);
                for g in (0..GROUPS).filter(|g| appeared & (1 << g) != 0) {
                    // Groups with rows have sums (and values seen) of their own.
                    iv.seen[g] = seen & mask;
                    for (a, &c) in cents.iter().enumerate() {
                        iv.cents[g][a] = c * (g as i64 + 1);
                    }
                }
                lazy.add(&iv, iv.time);
                for (g, s) in every.iter_mut().enumerate() {
                    s.all.add(&iv, g, iv.time);
                    if g == 0 || appeared & (1 << g) != 0 {
                        s.kept = s.all;
                    }
                }
            }
            for (g, s) in every.iter().enumerate() {
                prop_assert_eq!(lazy.get(g), *s, "group {}", g);
            }
        }

        /// A row added at once ([`Interval::add_row`]) gives the sums of its real values added
        /// one by one ([`Interval::add`]), bit for bit, also when a sum of hundredths overflows
        /// (values near the largest hundredths kept, 2^53, and sums started near `i64::MAX`).
        #[test]
        fn a_row_added_at_once_is_its_values_added_one_by_one(
            start in proptest::collection::vec(prop_oneof![Just(0i64), Just(i64::MAX - (1 << 53)), Just(i64::MIN + (1 << 53)), any::<i64>()], N_AGG),
            rows in proptest::collection::vec(proptest::collection::vec(prop_oneof![
                4 => (-(1i64 << 53)..=1i64 << 53).prop_map(Num::Cents),
                1 => Just(Num::Cents(-100)),
                1 => Just(Num::Float(-1.0)),
                2 => (-1e12f64..1e12).prop_map(Num::Float),
            ], N_AGG), 1..12),
            g in 0..GROUPS,
        ) {
            let mut at_once = Interval::new();
            at_once.cents[g].copy_from_slice(&start);
            let mut one_by_one = at_once.clone();
            let mut aggs = RowAggs::new();
            for row in rows {
                aggs.clear();
                for (a, &v) in row.iter().enumerate() {
                    aggs.set(a, v);
                    if !v.is_unreadable() {
                        one_by_one.add(g, a, v);
                    }
                }
                at_once.add_row(g, &aggs);
                prop_assert_eq!(aggs.real, row.iter().enumerate().filter(|(_, v)| !v.is_unreadable()).fold(0u8, |m, (a, _)| m | 1 << a));
            }
            prop_assert_eq!(at_once.cents, one_by_one.cents);
            let bits = |iv: &Interval| iv.sums.map(|r| r.map(f64::to_bits));
            prop_assert_eq!(bits(&at_once), bits(&one_by_one));
        }
    }
}
