//! The line-at-a-time state machine behind [`super::PidstatParser`]: it is fed one line (bytes,
//! no terminator) at a time, keeps only the current run's running sums, and hands back the
//! finished runs. Both `parse` (whole text) and `parse_reader` (streamed chunks) drive it, so
//! they agree line for line.
//!
//! Vocabulary: a *run* is one pidstat session (from a `Linux ...` banner); an *interval* is one
//! sample of it: the rows printed for one report period, across all its sections (`-u -r -d`
//! print one header and block per section; `-h` prints one header and one line per process).

use std::collections::HashMap;
use std::io::Write;

use super::layout::{self, Kind, Layout, AGGS, N_AGG};
use super::lex::{self, Num, Spans, Stamp, Tokens};
use super::{bench_group, command_name, BENCHMARK_COMMANDS};
use crate::error::ParseError;
use crate::ingest::{text, Diagnostic, ParseOutput};
use crate::model::{Better, LogIssue, Role, Run, Sample};

/// Group 0 is every process; group `1 + i` is `BENCHMARK_COMMANDS[i]`.
pub(crate) const GROUPS: usize = 1 + BENCHMARK_COMMANDS.len();

/// The candidates for a run's primary metric ([`Run::declare_primary`]): the CPU the
/// processes used.
pub(crate) const PRIMARY: &[&str] = &["cpu_pct_mean"];

/// Most distinct header layouts remembered (real files have at most a handful).
const MAX_LAYOUTS: usize = 64;

/// A clock time that goes back by more than this is taken as the next day (midnight wrap).
const WRAP_S: f64 = 12.0 * 3600.0;

/// Turns a sequence of timestamps into seconds on one time line.
#[derive(Debug, Clone, Copy, Default)]
struct Clock {
    /// Last clock time seen, in seconds since the first midnight.
    prev: Option<f64>,
    /// Seconds added for the midnight wraps so far.
    day: f64,
    /// The first clock time seen (raw seconds after midnight), for [`Engine::join`].
    first: Option<u32>,
    /// An epoch stamp was seen (those are not shifted by [`Clock::day`]).
    epoch: bool,
}

impl Clock {
    /// Seconds of `s`: epoch as is; a clock time that goes back by more than [`WRAP_S`] is on the
    /// next day.
    fn abs(&mut self, s: Stamp) -> f64 {
        match s {
            Stamp::Epoch(e) => {
                self.epoch = true;
                e
            }
            Stamp::Clock(c) => {
                self.first.get_or_insert(c);
                let mut v = f64::from(c) + self.day;
                if self.prev.is_some_and(|p| v < p - WRAP_S) {
                    self.day += 86_400.0;
                    v += 86_400.0;
                }
                self.prev = Some(v);
                v
            }
        }
    }

    /// The day offset this clock would give to clock time `c` seen next: what a clock that
    /// started fresh at `c` must add to its times to be on this clock's time line.
    fn offset(&self, c: u32) -> f64 {
        let v = f64::from(c) + self.day;
        if self.prev.is_some_and(|p| v < p - WRAP_S) {
            self.day + 86_400.0
        } else {
            self.day
        }
    }

    /// This clock, started fresh and moved `d` seconds later, continuing `before`.
    fn after(self, before: Clock, d: f64) -> Clock {
        match self.prev {
            Some(p) => Clock {
                prev: Some(p + d),
                day: self.day + d,
                first: before.first.or(self.first),
                epoch: before.epoch || self.epoch,
            },
            None => Clock { epoch: before.epoch || self.epoch, ..before },
        }
    }
}

/// Running statistics of one aggregated column over intervals. The sum is kept like an
/// interval's: the hundredths exactly, in an integer, and only the rest (values with more
/// decimals) as an f64; so the mean does not depend on the order the intervals were added in
/// (pieces read apart and joined give exactly one pass's result).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Acc {
    n: u64,
    cents: i128,
    sum: f64,
    max: f64,
    /// A real value (not only the 0 of an interval without rows, nor `-1.00` sentinels) was seen.
    any: bool,
}

impl Acc {
    /// Adds an interval's sum: `cents` hundredths plus `rest`; `max` keeps the largest too
    /// (only the aggregates with a `_max` metric need it, and it costs a division).
    #[inline(always)]
    fn push(&mut self, cents: i64, rest: f64, real: bool, max: bool) {
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
    fn mean(&self) -> f64 {
        (self.cents as f64 / 100.0 + self.sum) / self.n as f64
    }

    /// The statistics of `self`'s values followed by `later`'s.
    fn then(self, later: Acc) -> Acc {
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
fn total(cents: i64, rest: f64) -> f64 {
    cents as f64 / 100.0 + rest
}

/// What a group's run metrics are computed from.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Stats {
    accs: [Acc; N_AGG],
    samples: u64,
    first: Option<f64>,
    last: Option<f64>,
}

impl Stats {
    /// Adds interval `iv` as one sample of group `g`, at `time`.
    fn add(&mut self, iv: &Interval, g: usize, time: Option<f64>) {
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
    fn add_idle(&mut self, mask: u8, time: Option<f64>) {
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
    fn then(self, later: Stats) -> Stats {
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
    fn shifted(mut self, d: f64) -> Stats {
        self.first = self.first.map(|t| t + d);
        self.last = self.last.map(|t| t + d);
        self
    }
}

/// A group's statistics counted from the start of a segment (see [`Engine::segment`]), whether
/// or not the group was listed yet: what [`Engine::join`] appends to a run already under way.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct FromStart {
    /// Up to the current interval.
    all: Stats,
    /// Up to the last interval where the group was listed (not kept for group 0, listed in
    /// every interval: [`SegmentStats::get`] gives its `all`).
    kept: Stats,
}

/// The [`FromStart`] of every group. A group not listed yet in the segment has had no row in
/// any interval so far, so its statistics are those of `idle`, kept once for all such groups:
/// a segment pays per interval only for the groups it has listed.
#[derive(Debug, Clone)]
struct SegmentStats {
    groups: [FromStart; GROUPS],
    /// Bit `g` set when `groups[g]` is kept (group 0, every process, always is).
    listed: u32,
    /// The statistics of a group that had no row in any interval so far.
    idle: Stats,
}

impl Default for SegmentStats {
    fn default() -> SegmentStats {
        SegmentStats { groups: [FromStart::default(); GROUPS], listed: 1, idle: Stats::default() }
    }
}

impl SegmentStats {
    /// Adds interval `iv` (at `time`) to every group.
    fn add(&mut self, iv: &Interval, time: Option<f64>) {
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
    fn get(&self, g: usize) -> FromStart {
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
struct Group {
    /// Statistics up to the current interval.
    cur: Stats,
    /// Statistics up to the last interval where the group was listed (benchmark groups; group
    /// 0, all processes, is listed in every interval, so its own are `cur` and this is not
    /// kept: see [`Group::listed`]).
    kept: Stats,
    /// The group has been listed in some interval (benchmark groups start counting there).
    started: bool,
    /// Process rows of the group.
    rows: u64,
    /// Sum of the group's `%CPU` values, to pick the busiest benchmark command.
    cpu: f64,
}

impl Group {
    /// Statistics up to the last interval where group `g` (this one) was listed.
    fn listed(&self, g: usize) -> Stats {
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
struct Interval {
    /// An interval is under way (the fields below are its own; else they are reset).
    open: bool,
    /// Time of the interval's end: its first row's timestamp.
    time: Option<f64>,
    /// Aggregates whose section appeared in the interval.
    mask: u8,
    /// Layouts (by index) whose header appeared in the interval.
    layouts: u64,
    /// Per group and aggregate, the sum of the values read as [`Num::Cents`] (exact)...
    cents: [[i64; N_AGG]; GROUPS],
    /// ... and of the others.
    sums: [[f64; N_AGG]; GROUPS],
    /// Per group, bit `a` set when a real value of aggregate `a` was summed.
    seen: [u8; GROUPS],
    /// Bit `g` set when group `g` had a process row.
    appeared: u32,
}

impl Interval {
    fn new() -> Interval {
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
    fn add(&mut self, g: usize, a: usize, v: Num) {
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
    fn add_row(&mut self, g: usize, r: &RowAggs) {
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
    fn open(&mut self, layouts: u64, mask: u8) {
        self.open = true;
        self.layouts = layouts;
        self.mask = mask;
    }

    /// Ends the interval: back to [`Interval::new`]'s state (only groups that had rows have
    /// sums to clear).
    fn reset(&mut self) {
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
    fn total(&self, g: usize, a: usize) -> f64 {
        total(self.cents[g][a], self.sums[g][a])
    }
}

/// Lines that looked like rows but did not fit.
#[derive(Debug, Default)]
struct Misfits {
    count: u64,
    first: Option<(usize, String)>,
}

impl Misfits {
    fn add(&mut self, line_no: usize, line: &[u8]) {
        self.count += 1;
        if self.first.is_none() {
            self.first = Some((line_no, text::quote(&String::from_utf8_lossy(line))));
        }
    }

    fn warning(&self, whose: &str) -> Option<Diagnostic> {
        let (line, quote) = self.first.as_ref()?;
        Some(Diagnostic::new(
            *line,
            format!(
                "{} {} of {whose} look like pidstat rows but do not fit the columns of the header \
                 above them (or come before any header) and were skipped; the first is {quote}",
                self.count,
                if self.count == 1 { "line" } else { "lines" },
            ),
        ))
    }
}

/// A warning, kept until the parse ends: its text names the line its run starts at, which a
/// segment engine learns only when it is joined.
#[derive(Debug)]
enum Note {
    Ready(Diagnostic),
    /// Rows that did not fit in the run starting at line `run`.
    Misfits {
        run: usize,
        misfits: Misfits,
    },
}

impl Note {
    fn shift(&mut self, lines: usize) {
        match self {
            Note::Ready(d) => d.line += lines,
            Note::Misfits { run, misfits } => {
                *run += lines;
                if let Some((l, _)) = misfits.first.as_mut() {
                    *l += lines;
                }
            }
        }
    }

    fn diagnostic(self) -> Option<Diagnostic> {
        match self {
            Note::Ready(d) => Some(d),
            Note::Misfits { run, misfits } => misfits.warning(&format!("the run starting at line {run}")),
        }
    }
}

/// The state of the run being read.
struct RunState {
    run: Run,
    /// A header has been seen since the run's banner (so the next banner starts a new run).
    content: bool,
    /// Layout (index) of the last header.
    layout: Option<usize>,
    /// Timestamp of the last header (non-`-h` headers carry the interval's start time; `-h`
    /// headers, `# Time`, none).
    hdr_stamp: Option<Stamp>,
    interval: Interval,
    /// Time line of the rows.
    row_clock: Clock,
    /// Time line of the headers: kept apart from the rows', because a header shows the start of
    /// its interval and the rows its end, so the two cross midnight at different lines.
    hdr_clock: Clock,
    /// Time of the run's first row (series `t_s` 0).
    t0: Option<f64>,
    rows: u64,
    groups: [Group; GROUPS],
    misfits: Misfits,
    /// Set on the run a segment engine starts in (see [`Engine::segment`]).
    from_start: Option<Box<SegmentStats>>,
}

impl RunState {
    fn new(line: usize) -> RunState {
        RunState {
            run: Run { role: Role::Monitor, ..Run::new("pidstat", "pidstat", line) },
            content: false,
            layout: None,
            hdr_stamp: None,
            interval: Interval::new(),
            row_clock: Clock::default(),
            hdr_clock: Clock::default(),
            t0: None,
            rows: 0,
            groups: [Group::default(); GROUPS],
            misfits: Misfits::default(),
            from_start: None,
        }
    }

    /// Ends the current interval: its sums become one sample of every group. `end` is the time
    /// to use when the interval had no row (the next header's start time).
    fn close_interval(&mut self, end: Option<f64>) {
        let iv = &mut self.interval;
        if !iv.open {
            return;
        }
        let time = iv.time.or(end);
        if let Some(seg) = self.from_start.as_mut() {
            seg.add(iv, time);
        }
        for (g, grp) in self.groups.iter_mut().enumerate() {
            let appeared = iv.appeared & (1 << g) != 0;
            if appeared {
                grp.cpu += iv.total(g, 0);
            }
            if g > 0 && !grp.started {
                if !appeared {
                    continue;
                }
                grp.started = true;
            }
            grp.cur.add(iv, g, time);
            // Group 0 is listed in every interval: its `kept` is its `cur` (not copied).
            if g > 0 && appeared {
                grp.kept = grp.cur;
            }
        }
        iv.reset();
    }

    /// Appends `c`, the same run read on from a later header by a segment engine, to this run
    /// (which has just read that header too). `d` moves `c`'s times onto this run's time line,
    /// `lines` is added to its line numbers and `layout` maps its layout indices to ours.
    fn absorb(&mut self, c: RunState, d: f64, lines: usize, layout: &[usize]) {
        let seg = c.from_start.unwrap_or_default();
        for (g, (p, cg)) in self.groups.iter_mut().zip(c.groups).enumerate() {
            let s = seg.get(g);
            if g == 0 {
                p.cur = p.cur.then(cg.cur.shifted(d));
            } else if p.started {
                let base = p.cur;
                p.cur = base.then(s.all.shifted(d));
                if cg.started {
                    p.kept = base.then(s.kept.shifted(d));
                }
            } else {
                p.cur = cg.cur.shifted(d);
                p.kept = cg.kept.shifted(d);
                p.started = cg.started;
            }
            p.rows += cg.rows;
            p.cpu += cg.cpu;
        }
        self.content = true;
        self.layout = c.layout.and_then(|li| layout.get(li).copied());
        self.hdr_stamp = c.hdr_stamp;
        self.interval = c.interval;
        self.interval.time = self.interval.time.map(|t| t + d);
        self.interval.layouts = remap_bits(self.interval.layouts, layout);
        self.row_clock = c.row_clock.after(self.row_clock, d);
        self.hdr_clock = c.hdr_clock.after(self.hdr_clock, d);
        if self.t0.is_none() {
            self.t0 = c.t0.map(|t| t + d);
        }
        self.rows += c.rows;
        self.misfits.count += c.misfits.count;
        if self.misfits.first.is_none() {
            self.misfits.first = c.misfits.first.map(|(l, q)| (l + lines, q));
        }
        self.run.last_line = c.run.last_line + lines;
        for (k, v) in c.run.facts {
            self.run.facts.entry(k).or_insert(v);
        }
    }

    /// Moves the line numbers of a run state read by a segment engine by `lines`, and its
    /// layout indices through `layout`.
    fn relocate(&mut self, lines: usize, layout: &[usize]) {
        self.run.first_line += lines;
        self.run.last_line += lines;
        if let Some((l, _)) = self.misfits.first.as_mut() {
            *l += lines;
        }
        self.layout = self.layout.and_then(|li| layout.get(li).copied());
        self.interval.layouts = remap_bits(self.interval.layouts, layout);
    }
}

/// Layout bits of a segment engine, as bits of the engine it joins (`layout[i]` is the new index of
/// layout `i`).
fn remap_bits(bits: u64, layout: &[usize]) -> u64 {
    let mut out = 0u64;
    let mut b = bits;
    while b != 0 {
        let i = b.trailing_zeros() as usize;
        b &= b - 1;
        if let Some(&j) = layout.get(i) {
            out |= 1 << j;
        }
    }
    out
}

/// The ids a row carries.
struct RowIds<'a> {
    command: &'a [u8],
    /// The first word of `command`.
    first_word: &'a [u8],
    /// PID, or TGID for a `-t` process row, or TID for a `-t` thread row.
    id: u64,
    /// A `-t` thread row (`|__name`): series only, never summed (its process row has it).
    thread: bool,
}

/// Reads the columns of `layout` from tokens `k..` of `line` into `vals` (all metric columns when
/// `all`, else the aggregated ones); `None` when the row does not fit.
#[inline]
fn parse_row<'a>(
    layout: &Layout,
    spans: &Spans,
    line: &'a [u8],
    k: usize,
    vals: &mut [f64; 64],
    aggs: &mut RowAggs,
    all: bool,
) -> Option<RowIds<'a>> {
    // Every column needs a token; Command, when last, may have more.
    let n = layout.cols.len();
    if spans.len() < k + n {
        return None;
    }
    aggs.clear();
    if all {
        for &(ci, _) in &layout.metric_cols {
            *vals.get_mut(ci)? = spans.num(line, k + ci)?.to_f64();
        }
        for &(ci, a) in &layout.agg_cols {
            aggs.set(a, spans.num(line, k + ci)?);
        }
    } else {
        // Without series only the aggregated columns are needed; the others must still look
        // like numbers for the row to fit.
        let b = spans.row(k, n)?;
        for &(ci, a) in &layout.agg_cols {
            aggs.set(a, lex::num_at(line, b.start(ci), b.end(ci))?);
        }
        // One test at the end rather than a branch per column: `-`, `.` and digits are the
        // bytes `-` + 0, 1 and 3..=12.
        let mut bad = false;
        for &ci in &layout.other_cols {
            let first = line.get(b.start(ci)).copied().unwrap_or(0);
            let d = first.wrapping_sub(b'-');
            bad |= d > 12 || d == 2;
        }
        if bad {
            return None;
        }
    }
    let first_word = spans.tok(line, k + layout.command)?;
    let command = if layout.command + 1 == n { spans.rest(line, k + layout.command) } else { first_word };
    let cell = |c: Option<usize>| c.and_then(|c| spans.tok(line, k + c));
    let pid = match cell(layout.pid) {
        Some(t) => Some(lex::id(t)?),
        None => None,
    };
    let tgid = match cell(layout.tgid) {
        Some(t) => thread_id(t)?,
        None => None,
    };
    let tid = match cell(layout.tid) {
        Some(t) => thread_id(t)?,
        None => None,
    };
    let (id, thread) = match (pid, tgid, tid) {
        (Some(p), _, _) => (p, false),
        (None, Some(g), _) => (g, false),
        (None, None, Some(t)) => (t, true),
        (None, None, None) => return None,
    };
    Some(RowIds { command, first_word, id, thread })
}

/// The aggregated values of a row, by aggregate, kept as two arrays of plain numbers rather
/// than one of enums (a 16-byte enum written as two 8-byte halves and read back whole stalls the
/// store forwarding on every value), with a bit per aggregate for the values read as floats and
/// for the real ones (not pidstat's `-1.00`). A row of hundredths alone, the usual one, is
/// added to an interval in one pass over all aggregates, without a branch per value.
struct RowAggs {
    /// [`Num::Cents`] of each real value read as cents; 0 for any other.
    cents: [i64; N_AGG],
    /// The values read as [`Num::Float`].
    floats: [f64; N_AGG],
    /// Bit `a` set when aggregate `a`'s value is in `floats`.
    float: u8,
    /// Bit `a` set when aggregate `a` has a real value.
    real: u8,
}

impl RowAggs {
    fn new() -> RowAggs {
        RowAggs { cents: [0; N_AGG], floats: [0.0; N_AGG], float: 0, real: 0 }
    }

    /// Starts a row: no values.
    #[inline(always)]
    fn clear(&mut self) {
        self.cents = [0; N_AGG];
        self.float = 0;
        self.real = 0;
    }

    /// Keeps `v` as aggregate `a`'s value (a sentinel `-1.00` as no value).
    #[inline(always)]
    fn set(&mut self, a: usize, v: Num) {
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

/// A `TGID`/`TID` cell: `-` (`Some(None)`) or an id; `None` when it is neither.
#[inline]
fn thread_id(tok: &[u8]) -> Option<Option<u64>> {
    if tok == b"-" {
        Some(None)
    } else {
        lex::id(tok).map(Some)
    }
}

/// The pidstat reader: feed it lines with [`Engine::line`], then call [`Engine::finish`].
pub(crate) struct Engine {
    series: bool,
    line_no: usize,
    runs: Vec<Run>,
    warnings: Vec<Note>,
    cur: Option<RunState>,
    layouts: Vec<Layout>,
    /// Token boundaries of the current line.
    spans: Spans,
    /// The values of the current row's metric columns (with series)...
    vals: [f64; 64],
    /// ... and of its aggregated columns, as read.
    aggs: RowAggs,
    /// Interned series entities, `command[id]`.
    entities: HashMap<Vec<u8>, String>,
    key: Vec<u8>,
    first_banner: Option<(usize, String)>,
    first_header: Option<usize>,
    rows: u64,
    /// Row-like lines before any run.
    orphans: Misfits,
    /// A segment engine (see [`Engine::segment`]): until it is set aside at a banner, the run
    /// it starts in is kept open for [`Engine::join`].
    segment: Option<Segment>,
    /// Intervals started by a header so far.
    opened: u64,
    /// The last epoch stamp read.
    epoch: LastEpoch,
}

/// The last epoch stamp an engine read: the rows of an interval repeat it, and a stamp depends
/// on its token alone. Tokens of 8 to 16 bytes (every epoch since 1973) are kept as their first
/// and last 8 bytes, so that comparing one is two word compares, not a call to `memcmp`.
#[derive(Default)]
struct LastEpoch {
    /// The token's first 8 bytes...
    head: u64,
    /// ... and its last 8 (they overlap when it is shorter than 16).
    tail: u64,
    /// Its length (0: none kept).
    len: usize,
    value: f64,
}

impl LastEpoch {
    /// The first and last 8 bytes of `tok`, when it has 8 to 16.
    #[inline(always)]
    fn words(tok: &[u8]) -> Option<(u64, u64)> {
        if tok.len() > 16 {
            return None;
        }
        let head = <[u8; 8]>::try_from(tok.get(..8)?).ok()?;
        let tail = <[u8; 8]>::try_from(tok.get(tok.len() - 8..)?).ok()?;
        Some((u64::from_le_bytes(head), u64::from_le_bytes(tail)))
    }

    /// Whether `tok` is the token kept.
    #[inline(always)]
    fn is(&self, tok: &[u8]) -> bool {
        tok.len() == self.len && LastEpoch::words(tok) == Some((self.head, self.tail))
    }

    /// Keeps `tok`, whose stamp is the epoch `value` (a token without [`LastEpoch::words`] is
    /// not kept).
    #[inline]
    fn keep(&mut self, tok: &[u8], value: f64) {
        *self = match LastEpoch::words(tok) {
            Some((head, tail)) => LastEpoch { head, tail, len: tok.len(), value },
            None => LastEpoch::default(),
        };
    }
}

/// The versions of [`Engine::lines`]'s loop, by the CPU extensions they are compiled for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineLoop {
    /// SSE2 only (every x86_64), or SWAR elsewhere.
    Portable,
    /// With POPCNT.
    Popcnt,
    /// With AVX2, BMI1 and POPCNT.
    Avx2,
}

impl LineLoop {
    /// Every version, fastest first.
    pub(crate) const ALL: [LineLoop; 3] = [LineLoop::Avx2, LineLoop::Popcnt, LineLoop::Portable];

    /// Whether this CPU has what the version needs (checked at run time, once per process by
    /// `std`'s cache).
    pub(crate) fn runs_here(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            match self {
                LineLoop::Portable => true,
                LineLoop::Popcnt => has!("popcnt"),
                LineLoop::Avx2 => has!("avx2") && has!("bmi1") && has!("popcnt"),
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            self == LineLoop::Portable
        }
    }

    /// The fastest version this CPU runs.
    fn best() -> LineLoop {
        LineLoop::ALL.into_iter().find(|v| v.runs_here()).unwrap_or(LineLoop::Portable)
    }
}

/// What a segment engine keeps for [`Engine::join`].
#[derive(Default)]
struct Segment {
    /// The run it started in, set aside unfinished at the first banner.
    head: Option<RunState>,
}

impl Engine {
    /// A reader that fills series when `series` is true.
    pub(crate) fn new(series: bool) -> Engine {
        Engine {
            series,
            line_no: 0,
            runs: Vec::new(),
            warnings: Vec::new(),
            cur: None,
            layouts: Vec::new(),
            spans: Spans::default(),
            vals: [0.0; 64],
            aggs: RowAggs::new(),
            entities: HashMap::new(),
            key: Vec::new(),
            first_banner: None,
            first_header: None,
            rows: 0,
            orphans: Misfits::default(),
            segment: None,
            opened: 0,
            epoch: LastEpoch::default(),
        }
    }

    /// A reader of a piece of a file that starts at a header line in the middle of a run
    /// (series are not kept). The run it starts in counts its statistics from there and is
    /// left open, so that [`Engine::join`] can append it to the run read up to that line.
    pub(crate) fn segment() -> Engine {
        Engine { segment: Some(Segment::default()), ..Engine::new(false) }
    }

    /// Reads every line of `chunk`: the pieces between its `\n`s, the last one included (even
    /// when empty), so `chunk` holds complete lines without the last one's terminator.
    pub(crate) fn lines(&mut self, chunk: &[u8]) {
        self.lines_in(chunk, LineLoop::best());
    }

    /// [`Engine::lines`] with version `v` of the loop, where the CPU can run it (else the
    /// portable one).
    pub(crate) fn lines_in(&mut self, chunk: &[u8], v: LineLoop) {
        #[cfg(target_arch = "x86_64")]
        match v {
            // SAFETY: the CPU has AVX2, BMI1 and POPCNT (`runs_here`).
            LineLoop::Avx2 if v.runs_here() => return unsafe { self.lines_avx2(chunk) },
            // SAFETY: the CPU has POPCNT (`runs_here`).
            LineLoop::Popcnt if v.runs_here() => return unsafe { self.lines_popcnt(chunk) },
            _ => {}
        }
        let _ = v;
        self.lines_with::<false>(chunk);
    }

    /// [`Engine::lines`] compiled with POPCNT (counting a block's token boundaries is then one
    /// instruction instead of a dozen).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "popcnt")]
    fn lines_popcnt(&mut self, chunk: &[u8]) {
        self.lines_with::<false>(chunk);
    }

    /// [`Engine::lines`] compiled with AVX2, BMI1 and POPCNT: a block's bytes are classified 32
    /// at a time instead of 16, and a boundary is taken off a mask with one instruction each for
    /// its position and its removal (`tzcnt`, `blsr`).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,bmi1,popcnt")]
    fn lines_avx2(&mut self, chunk: &[u8]) {
        self.lines_with::<true>(chunk);
    }

    #[inline(always)]
    fn lines_with<const AVX2: bool>(&mut self, chunk: &[u8]) {
        let mut lines = lex::Lines::new(chunk);
        while let Some(line) = lines.next_with::<AVX2>(&mut self.spans) {
            self.spanned(line);
        }
    }

    /// Lines read so far.
    pub(crate) fn line_count(&self) -> usize {
        self.line_no
    }

    /// Reads one line (without its `\n`; a trailing `\r` is ignored).
    #[inline]
    pub(crate) fn line(&mut self, raw: &[u8]) {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        self.spans.fill(line);
        self.spanned(line);
    }

    /// Reads one line whose tokens are in `self.spans`.
    #[inline(always)]
    fn spanned(&mut self, line: &[u8]) {
        self.line_no += 1;
        let Some(first) = self.spans.tok(line, 0) else { return };
        match first {
            [b'0'..=b'9', ..] => self.timed(line, first),
            // `-h`: `#      Time   UID   PID ...`.
            [b'#'] if self.spans.len() > 2 => {
                let t = Tokens::at(line, self.spans.start(line, 2));
                self.header(None, t);
            }
            b"Linux" => self.banner(line),
            [.., b':'] => self.average(self.spans.tok(line, 1)),
            _ => {}
        }
    }

    /// A line that starts with a digit: a row, a non-`-h` header, or a foreign line.
    #[inline]
    fn timed(&mut self, line: &[u8], first: &[u8]) {
        // The rows of an interval share their epoch stamp (`-h`): read it once.
        let last = &mut self.epoch;
        let parsed = if last.is(first) {
            Some((Stamp::Epoch(last.value), 1))
        } else {
            let p = lex::stamp(first, self.spans.tok(line, 1));
            if let Some((Stamp::Epoch(v), 1)) = p {
                last.keep(first, v);
            }
            p
        };
        let Some((stamp, k)) = parsed else { return };
        match self.spans.tok(line, k) {
            None => return self.misfit(line),
            Some([b'0'..=b'9' | b'-', ..]) => {}
            Some(_) => {
                let t = Tokens::at(line, self.spans.start(line, k));
                if t.remaining().ends_with(b"Command") && self.header(Some(stamp), t) {
                    return;
                }
            }
        }
        self.row(line, stamp, k);
    }

    fn misfit(&mut self, line: &[u8]) {
        match self.cur.as_mut() {
            Some(st) => st.misfits.add(self.line_no, line),
            None => self.orphans.add(self.line_no, line),
        }
    }

    fn ensure_run(&mut self) -> &mut RunState {
        let line = self.line_no;
        // The first run of a segment engine started before its first line.
        let continued = self.segment.is_some() && line == 1;
        self.cur.get_or_insert_with(|| {
            let mut st = RunState::new(line);
            if continued {
                st.from_start = Some(Box::default());
            }
            st
        })
    }

    /// A header line; returns false when its columns are not a pidstat header.
    fn header(&mut self, stamp: Option<Stamp>, t: Tokens<'_>) -> bool {
        let key = t.remaining();
        let li = match self.layouts.iter().position(|l| l.key == key) {
            Some(i) => i,
            None => {
                let Some(l) = layout::parse_header(t) else { return false };
                if self.layouts.len() < MAX_LAYOUTS {
                    self.layouts.push(l);
                    self.layouts.len() - 1
                } else {
                    self.layouts[MAX_LAYOUTS - 1] = l;
                    MAX_LAYOUTS - 1
                }
            }
        };
        let agg_mask = self.layouts[li].agg_mask;
        let line_no = self.line_no;
        self.first_header.get_or_insert(line_no);
        let st = self.ensure_run();
        st.content = true;
        st.run.last_line = line_no;
        st.layout = Some(li);
        let start = stamp.map(|s| st.hdr_clock.abs(s));
        let bit = 1u64 << li;
        // A new interval starts at a header whose section was already seen in this interval
        // (`-h`: every header; several sections: the first one again), or whose timestamp
        // differs from the previous header's (non-`-h`: all sections of one interval share it).
        let iv = &st.interval;
        let new = !iv.open || iv.layouts & bit != 0 || (stamp.is_some() && stamp != st.hdr_stamp);
        if new {
            st.close_interval(start);
            st.interval.open(0, 0);
        }
        st.hdr_stamp = stamp;
        st.interval.layouts |= bit;
        st.interval.mask |= agg_mask;
        self.opened += u64::from(new);
        true
    }

    /// A data row: sums it into the current interval and, with series, emits its samples.
    #[inline]
    fn row(&mut self, line: &[u8], stamp: Stamp, k: usize) {
        let line_no = self.line_no;
        let Some(st) = self.cur.as_mut() else { return self.orphans.add(line_no, line) };
        let Some((li, layout)) = st.layout.and_then(|li| Some((li, self.layouts.get(li)?))) else {
            return st.misfits.add(line_no, line);
        };
        let Some(ids) = parse_row(layout, &self.spans, line, k, &mut self.vals, &mut self.aggs, self.series)
        else {
            return st.misfits.add(line_no, line);
        };
        let abs = st.row_clock.abs(stamp);
        st.rows += 1;
        self.rows += 1;
        st.run.last_line = line_no;
        let t0 = *st.t0.get_or_insert(abs);
        // Without -h, every row of an interval carries the interval's one timestamp, and with a
        // single section pidstat may print the header only once: a new timestamp is a new
        // interval. With -h, old sysstat stamped each row on its own (one interval's rows can
        // straddle a second), and a header starts every interval.
        let split = st.hdr_stamp.is_some() && st.interval.open && st.interval.time.is_some_and(|t| t != abs);
        if split {
            st.close_interval(None);
        }
        let iv = &mut st.interval;
        if !iv.open {
            iv.open(1 << li, layout.agg_mask);
        }
        iv.time.get_or_insert(abs);
        if !ids.thread {
            let name = command_name(ids.first_word);
            let g = bench_group(name);
            // The aggregates with a real value (pidstat's `-1.00`, no permission, is none),
            // marked once per row.
            let r = &self.aggs;
            let seen = r.real;
            iv.add_row(0, r);
            if g > 0 {
                iv.add_row(g, r);
            }
            iv.seen[0] |= seen;
            iv.seen[g] |= seen;
            iv.appeared |= 1 | (1 << g);
            st.groups[0].rows += 1;
            if g > 0 {
                st.groups[g].rows += 1;
            }
            if name == b"pidstat" && ids.command.contains(&b' ') && !st.run.facts.contains_key("command") {
                st.run.facts.insert("command".into(), String::from_utf8_lossy(ids.command).into_owned());
            }
        }
        if self.series {
            self.key.clear();
            self.key.extend_from_slice(ids.command);
            let _ = write!(self.key, "[{}]", ids.id);
            let entity = match self.entities.get(self.key.as_slice()) {
                Some(e) => e.clone(),
                None => {
                    let e = String::from_utf8_lossy(&self.key).into_owned();
                    self.entities.insert(self.key.clone(), e.clone());
                    e
                }
            };
            for &(ci, m) in &layout.metric_cols {
                let v = self.vals[ci];
                if v == -1.0 {
                    continue;
                }
                st.run.series.push(Sample {
                    t_s: abs - t0,
                    entity: entity.clone(),
                    metric: layout::METRICS[m].name.to_string(),
                    unit: layout::METRICS[m].unit.into(),
                    value: v,
                });
            }
        }
    }

    /// A `Linux <kernel> (<host>) <date> _<arch>_ (<N> CPU)` banner: starts a run, unless the
    /// current run has no header yet (banners with nothing between them are one run).
    fn banner(&mut self, line: &[u8]) {
        let Some(b) = lex::banner(line) else { return };
        if self.first_banner.is_none() {
            self.first_banner = Some((self.line_no, text::quote(&String::from_utf8_lossy(line))));
        }
        if self.cur.as_ref().is_some_and(|s| s.content) {
            self.finish_run();
        }
        let line_no = self.line_no;
        let st = self.ensure_run();
        st.run.last_line = line_no;
        let facts = &mut st.run.facts;
        let mut put = |k: &str, v: &[u8]| {
            facts.insert(k.to_string(), String::from_utf8_lossy(v).into_owned());
        };
        put("kernel", b.kernel);
        put("host", b.host);
        if let Some(d) = b.date {
            put("date", d);
        }
        if let Some(a) = b.arch {
            put("arch", a);
        }
        if let Some(c) = b.cpus {
            put("cpus", c);
        }
    }

    /// `Average:` lines (any locale: a first word ending in `:` followed by a column name or a
    /// number) are not samples; they only extend the run.
    fn average(&mut self, second: Option<&[u8]>) {
        let is_avg = match second {
            Some(tok @ [c, ..]) => c.is_ascii_digit() || layout::is_first_column(tok),
            _ => false,
        };
        let line_no = self.line_no;
        if let (true, Some(st)) = (is_avg, self.cur.as_mut()) {
            st.run.last_line = line_no;
        }
    }

    /// Turns the current run's sums into its metrics.
    fn finish_run(&mut self) {
        let Some(mut st) = self.cur.take() else { return };
        if st.from_start.is_some() {
            if let Some(seg) = self.segment.as_mut() {
                seg.head = Some(st);
                return;
            }
        }
        st.close_interval(None);
        if st.misfits.first.is_some() {
            self.warnings.push(Note::Misfits { run: st.run.first_line, misfits: st.misfits });
        }
        let mut run = st.run;
        let first = run.first_line;
        if !st.content {
            let msg = "the pidstat banner is followed by no header and no row: pidstat was stopped \
                       before its first interval";
            run.issues.push(LogIssue { line: first, kind: "truncated".into(), message: msg.into() });
            self.warnings.push(Note::Ready(Diagnostic::new(first, msg)));
            run.params.insert("process".into(), "all".into());
            self.runs.push(run);
            return;
        }
        let mut best = 0;
        for g in 1..GROUPS {
            let c = &st.groups[g];
            if c.rows > 0 && (best == 0 || (c.cpu, c.rows) > (st.groups[best].cpu, st.groups[best].rows)) {
                best = g;
            }
        }
        let process = if best == 0 { "all".to_string() } else { canonical(BENCHMARK_COMMANDS[best - 1]) };
        run.monitored = (best > 0).then(|| process.clone());
        run.params.insert("process".into(), process);
        let s = st.groups[best].listed(best);
        if st.rows == 0 {
            let msg = format!(
                "{} interval(s) but no process row: no process was active, or the monitored \
                 process had exited",
                s.samples
            );
            run.issues.push(LogIssue { line: first, kind: "empty".into(), message: msg.clone() });
            self.warnings.push(Note::Ready(Diagnostic::new(first, msg)));
        } else {
            for (a, def) in AGGS.iter().enumerate() {
                let acc = &s.accs[a];
                if acc.n == 0 || !acc.any {
                    continue;
                }
                run.push_resource(format!("{}_mean", def.base), def.unit, Better::Lower, acc.mean());
                if def.max {
                    run.push_resource(format!("{}_max", def.base), def.unit, Better::Lower, acc.max);
                }
            }
        }
        // Everything pidstat reports is what processes used (see super::KIND), the number and
        // span of its intervals included.
        run.push_resource("samples", "count", Better::None, s.samples as f64);
        if let (Some(f), Some(l)) = (s.first, s.last) {
            run.push_resource("duration_s", "s", Better::None, l - f);
        }
        run.declare_primary(PRIMARY);
        self.runs.push(run);
    }

    /// Appends what `seg`, a [`Engine::segment`] that read the lines right after this engine's,
    /// read, as if this engine had read them itself. This engine first reads `first`, `seg`'s
    /// first line (a header, as the caller found it); when that header does not start a new interval of this engine's run, or the
    /// two cannot be put together exactly (the first clock times disagree about midnight, too
    /// many layouts), it returns `false` having read only that line: the caller then reads the
    /// rest of the piece with this engine.
    pub(crate) fn join(&mut self, mut seg: Engine, first: &[u8]) -> bool {
        if seg.line_no == 0 {
            return true;
        }
        debug_assert!(seg.segment.is_some(), "join takes a segment engine");
        let info = seg.segment.take().unwrap_or_default();
        let opened = self.opened;
        self.line(first);
        if self.opened == opened || self.series {
            return false;
        }
        let (c, rest) = match info.head {
            Some(h) => (h, seg.cur.take()),
            None => match seg.cur.take() {
                Some(c) => (c, None),
                None => return false,
            },
        };
        let Some(p) = self.cur.as_ref() else { return false };
        if c.from_start.is_none() {
            return false;
        }
        let d_row = c.row_clock.first.map(|f| p.row_clock.offset(f));
        let d_hdr = c.hdr_clock.first.map(|f| p.hdr_clock.offset(f));
        let d = match (d_row, d_hdr) {
            (Some(a), Some(b)) if a != b => return false,
            (Some(a), _) | (None, Some(a)) => a,
            (None, None) => 0.0,
        };
        if d != 0.0 && (c.row_clock.epoch || c.hdr_clock.epoch) {
            return false;
        }
        let fresh = seg.layouts.iter().filter(|l| !self.layouts.iter().any(|m| m.key == l.key)).count();
        if self.layouts.len() + fresh > MAX_LAYOUTS {
            return false;
        }
        let map: Vec<usize> = seg
            .layouts
            .into_iter()
            .map(|l| match self.layouts.iter().position(|m| m.key == l.key) {
                Some(i) => i,
                None => {
                    self.layouts.push(l);
                    self.layouts.len() - 1
                }
            })
            .collect();
        let lines = self.line_no - 1;
        if let Some(p) = self.cur.as_mut() {
            p.absorb(c, d, lines, &map);
        }
        if let Some(mut r) = rest {
            self.finish_run();
            for mut run in seg.runs {
                run.first_line += lines;
                run.last_line += lines;
                for i in &mut run.issues {
                    i.line += lines;
                }
                self.runs.push(run);
            }
            r.relocate(lines, &map);
            self.cur = Some(r);
        }
        self.warnings.extend(seg.warnings.into_iter().map(|mut w| {
            w.shift(lines);
            w
        }));
        if self.first_banner.is_none() {
            self.first_banner = seg.first_banner.map(|(l, q)| (l + lines, q));
        }
        self.rows += seg.rows;
        self.opened += seg.opened;
        self.line_no = lines + seg.line_no;
        true
    }

    /// Ends the parse: the runs in file order, or why there is nothing to read.
    pub(crate) fn finish(mut self) -> Result<ParseOutput, ParseError> {
        self.finish_run();
        let orphans = self.orphans.warning("the file before its first pidstat header");
        if self.rows == 0 {
            return Err(match (self.first_header, &self.first_banner) {
                (Some(h), _) => ParseError::new(
                    h,
                    "every pidstat interval is empty: the headers (first at this line) are \
                     followed by no process row ('<time> <UID> <PID> <values...> <Command>'); \
                     nothing was active, or the monitored process had exited",
                ),
                (None, Some((l, q))) => ParseError::new(
                    *l,
                    format!(
                        "found the sysstat banner {q} but no pidstat header after it (expected \
                         '<time> UID PID %usr ... Command'): pidstat was stopped before its \
                         first interval"
                    ),
                ),
                (None, None) => ParseError::new(
                    1,
                    "no pidstat banner ('Linux <kernel> (<host>) <date> _<arch>_ (<N> CPU)') and \
                     no pidstat header ('<time> UID PID %usr ... Command') found",
                ),
            });
        }
        let warnings = self.warnings.into_iter().filter_map(Note::diagnostic).chain(orphans).collect();
        Ok(ParseOutput { runs: self.runs, warnings })
    }
}

/// The params value for a [`BENCHMARK_COMMANDS`] entry: the name without a trailing `*`/`-`.
fn canonical(pattern: &str) -> String {
    pattern.trim_end_matches(['*', '-']).to_string()
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
