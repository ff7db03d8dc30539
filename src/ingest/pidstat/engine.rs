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

use super::layout::{self, Layout, AGGS};
use super::lex::{self, Spans, Stamp, Tokens};
use super::sums::{Group, Interval, RowAggs, SegmentStats};
use super::{bench_group, command_name, BENCHMARK_COMMANDS};
use crate::error::ParseError;
use crate::ingest::{text, Diagnostic, ParseOutput};
use crate::model::{fact, Better, LogIssue, Role, Run, Sample};

/// Group 0 is every process; group `1 + i` is `BENCHMARK_COMMANDS[i]`.
pub(crate) const GROUPS: usize = 1 + BENCHMARK_COMMANDS.len();

/// The candidates for a run's primary metric ([`Run::declare_primary`]): the CPU the
/// processes used.
pub(crate) const PRIMARY: &[&str] = &[crate::model::CPU_SHARE];

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

/// The series a report draws of a pidstat log, with their titles: CPU, memory, I/O
/// ([`Run::drawn_series`]).
const DRAWN: &[(&str, &str)] = &[
    ("cpu_pct", "CPU %"),
    ("rss_kib", "resident memory"),
    ("kb_rd_per_sec", "disk reads"),
    ("kb_wr_per_sec", "disk writes"),
];

impl RunState {
    fn new(line: usize) -> RunState {
        RunState {
            run: Run { role: Role::Monitor, drawn_series: DRAWN, ..Run::new("pidstat", "pidstat", line) },
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
        match self {
            LineLoop::Portable => true,
            LineLoop::Popcnt => lex::Popcnt::detect().is_some(),
            LineLoop::Avx2 => lex::Avx2::detect().is_some(),
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
            LineLoop::Avx2 => {
                if let Some(t) = lex::Avx2::detect() {
                    // SAFETY: `t` proves the CPU has AVX2, BMI1 and POPCNT, the extensions
                    // `lines_avx2` is compiled for.
                    return unsafe { self.lines_avx2(chunk, t) };
                }
            }
            LineLoop::Popcnt => {
                if let Some(t) = lex::Popcnt::detect() {
                    // SAFETY: `t` proves the CPU has POPCNT, which `lines_popcnt` is compiled for.
                    return unsafe { self.lines_popcnt(chunk, t) };
                }
            }
            LineLoop::Portable => {}
        }
        let _ = v;
        self.lines_with(chunk, lex::Baseline);
    }

    /// [`Engine::lines`] compiled with POPCNT (counting a block's token boundaries is then one
    /// instruction instead of a dozen); `_proof` says the CPU has it.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "popcnt")]
    fn lines_popcnt(&mut self, chunk: &[u8], _proof: lex::Popcnt) {
        self.lines_with(chunk, lex::Baseline);
    }

    /// [`Engine::lines`] compiled with AVX2, BMI1 and POPCNT, which `proof` says the CPU has: a
    /// block's bytes are classified 32 at a time instead of 16, and a boundary is taken off a
    /// mask with one instruction each for its position and its removal (`tzcnt`, `blsr`).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,bmi1,popcnt")]
    fn lines_avx2(&mut self, chunk: &[u8], proof: lex::Avx2) {
        self.lines_with(chunk, proof);
    }

    #[inline(always)]
    fn lines_with<C: lex::Classify>(&mut self, chunk: &[u8], c: C) {
        let mut lines = lex::Lines::new(chunk);
        while let Some(line) = lines.next_with(&mut self.spans, c) {
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
        put(fact::KERNEL, b.kernel);
        put(fact::HOST, b.host);
        if let Some(d) = b.date {
            put(fact::DATE, d);
        }
        if let Some(a) = b.arch {
            put("arch", a);
        }
        if let Some(c) = b.cpus {
            put(fact::CPUS, c);
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
