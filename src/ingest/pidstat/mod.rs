//! pidstat (sysstat 10.x to 12.x) output: per-process CPU, memory, I/O, context-switch and stack
//! statistics, with or without `-h`, `-l`, `-t`, in 24-hour, 12-hour (`AM`/`PM`) or epoch time.
//!
//! Logs can be large (hours of `pidstat 1` over every process), so the parser streams: lines
//! are split with memchr and read as bytes, nothing is allocated per row unless series are
//! asked for, and a run's metrics are summed on the fly ([`engine`]). Header lines define the
//! columns of the rows below them and are read generically ([`layout`]).
//!
//! What a run is and which processes its metrics describe:
//! - A run is one pidstat session. It starts at a `Linux <kernel> (<host>) <date> _<arch>_
//!   (<N> CPU)` banner; banners with no header between them are one run; a file without a
//!   banner is one run. Other lines (`nohup: ignoring input`, `date` output, shell noise) are
//!   skipped, and so are `Average:` blocks (they are not samples).
//! - An interval (sample) is one report period: every header of it and the rows below.
//! - Metrics describe the benchmark's own processes when some are listed: rows whose command
//!   name (basename of the first word with `-l`, `|__` and a trailing `:` removed) matches
//!   [`BENCHMARK_COMMANDS`]. When several of those commands appear, the one with the largest
//!   total `%CPU` (then the most rows) is taken, and all its processes are summed; intervals
//!   are counted from the first one that lists it to the last. Otherwise every process row is
//!   summed, over all intervals. Params say which: `process=sysbench` or `process=all`.
//! - Per interval the selected rows are summed; the run metrics are the mean (and max) of those
//!   sums. A rate (`%CPU`, `kB_rd/s`, ...) of a process not listed in an interval counts as 0
//!   (pidstat leaves idle processes out); a level (`RSS`) is averaged over the intervals that
//!   list it. `-1.00` (unreadable) values are skipped. `-t` thread rows are never summed (their
//!   process row already holds them).

mod engine;
mod layout;
mod lex;
mod split;
mod sums;

use std::fs::File;
use std::io::{BufRead, ErrorKind, Read};

use super::{ParseOptions, ParseOutput, Parser};
use crate::error::ParseError;
use crate::model::{Role, Run};
use engine::Engine;
use lex::Tokens;

/// Commands whose processes are "the benchmark's own" (see the module docs). A trailing `*`
/// matches any suffix (`qemu-system-x86_64`, and `stress-ng-cpu`, the name stress-ng gives its
/// workers). The params value is the entry without `*` and a trailing `-`
/// (`process=qemu-system`).
pub(crate) const BENCHMARK_COMMANDS: &[&str] = &[
    "sysbench",
    "fio",
    "wrk",
    "nginx",
    "qemu-system-*",
    "stress-ng*",
    "iperf3",
    "mysqld",
    "postgres",
    "redis-server",
];

/// The kind of every metric pidstat reports: what processes used (CPU, memory, faults, context
/// switches, disk I/O), never how fast a benchmark did its work.
pub(crate) const KIND: crate::model::Kind = crate::model::Kind::Resource;

/// Lines longer than this are cut when streamed (no pidstat line comes near it): memory stays
/// bounded whatever the input.
const MAX_LINE: usize = 1 << 20;

/// Bytes read at a time when streaming: more than the `BufReader` of `ingest` holds (1 MiB), so
/// that it hands reads through.
const CHUNK: usize = 2 << 20;

/// Room for a partial line in front of each chunk.
const FRONT: usize = 64 << 10;

/// The command name of a row's Command, from its first word (the rest is arguments with `-l`):
/// `|__` (a `-t` thread) removed, the basename, and a trailing `:` removed (`nginx: worker`).
#[inline]
pub(crate) fn command_name(first_word: &[u8]) -> &[u8] {
    let w = first_word.strip_prefix(b"|__").unwrap_or(first_word);
    let base = match lex::last_index_of(w, b'/') {
        Some(i) => &w[i + 1..],
        None => w,
    };
    base.strip_suffix(b":").unwrap_or(base)
}

/// Longest name length the tables below tell apart; longer names share the last entry.
const LONGEST: usize = 32;

/// For each first byte, bit `i` set when `BENCHMARK_COMMANDS[i]` starts with it.
const BY_FIRST: [u16; 256] = {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < BENCHMARK_COMMANDS.len() {
        t[BENCHMARK_COMMANDS[i].as_bytes()[0] as usize] |= 1 << i;
        i += 1;
    }
    t
};

/// For each name length (up to [`LONGEST`]), bit `i` set when `BENCHMARK_COMMANDS[i]` can match
/// a name of that length (the same length, or a `*` prefix no longer than it).
const BY_LEN: [u16; LONGEST + 1] = {
    let mut t = [0u16; LONGEST + 1];
    let mut i = 0;
    while i < BENCHMARK_COMMANDS.len() {
        let p = BENCHMARK_COMMANDS[i].as_bytes();
        let prefix = p[p.len() - 1] == b'*';
        let n = if prefix { p.len() - 1 } else { p.len() };
        let mut len = 0;
        while len <= LONGEST {
            if len == n || (prefix && len >= n) {
                t[len] |= 1 << i;
            }
            len += 1;
        }
        i += 1;
    }
    t
};

/// 0 when `name` is no benchmark command, else 1 + its index in [`BENCHMARK_COMMANDS`]. Two
/// table lookups rule out nearly every other name without comparing strings.
#[inline]
pub(crate) fn bench_group(name: &[u8]) -> usize {
    let Some(&b) = name.first() else { return 0 };
    let mut candidates = BY_FIRST[b as usize] & BY_LEN[name.len().min(LONGEST)];
    while candidates != 0 {
        let i = candidates.trailing_zeros() as usize;
        candidates &= candidates - 1;
        let hit = match BENCHMARK_COMMANDS.get(i).map(|p| p.as_bytes().split_last()) {
            Some(Some((b'*', prefix))) => name.starts_with(prefix),
            Some(_) => Some(&name) == BENCHMARK_COMMANDS.get(i).map(|p| p.as_bytes()).as_ref(),
            None => false,
        };
        if hit {
            return i + 1;
        }
    }
    0
}

/// Reads pidstat output.
pub struct PidstatParser;

impl Parser for PidstatParser {
    fn name(&self) -> &'static str {
        "pidstat"
    }

    /// Accepts a pidstat header (`PID` or `TID`, `Command`, and one of `%usr`, `%CPU`,
    /// `minflt/s`, `kB_rd/s`, `cswch/s`, `StkSize`, `usr-ms`, `minflt-nr`), or a sysstat banner in
    /// a head that holds nothing looking like another tool's table (a pidstat killed before its
    /// first interval; refused later with that message). mpstat/iostat/sar share the banner
    /// but have no `PID ... Command` header and print `%` columns.
    fn sniff(&self, head: &str) -> bool {
        let mut banner = false;
        let mut other = false;
        for line in head.as_bytes().split(|&b| b == b'\n') {
            let mut t = Tokens::new(line);
            let (mut id, mut cmd, mut key) = (false, false, false);
            while let Some(tok) = t.next() {
                match tok {
                    b"PID" | b"TID" => id = true,
                    b"Command" => cmd = true,
                    _ => key |= layout::is_key_column(tok),
                }
            }
            if id && cmd && key {
                return true;
            }
            if lex::banner(line).is_some() {
                banner = true;
            } else if !other {
                other = memchr::memchr(b'%', line).is_some()
                    || memchr::memmem::find(line, b"/s").is_some()
                    || memchr::memmem::find(line, b"sysbench").is_some()
                    || memchr::memmem::find(line, b"fio").is_some();
            }
        }
        banner && !other
    }

    /// A monitor; its primary metric the CPU its processes used (a host-side log's `host_`
    /// metrics match none: no primary, as when it was paired).
    fn redeclare(&self, run: &mut Run) {
        run.role = Role::Monitor;
        run.declare_primary(engine::PRIMARY);
    }

    fn parse(&self, text: &str, opts: &ParseOptions) -> Result<ParseOutput, ParseError> {
        let mut engine = Engine::new(opts.series);
        let bytes = text.as_bytes();
        // A final newline ends the last line; it does not start an empty one.
        engine.lines(bytes.strip_suffix(b"\n").unwrap_or(bytes));
        engine.finish()
    }

    /// Streams (see [`feed`]).
    fn parse_reader(&self, reader: &mut dyn BufRead, opts: &ParseOptions) -> Result<ParseOutput, ParseError> {
        let mut engine = Engine::new(opts.series);
        feed(&mut engine, reader).map_err(|e| read_failed(&engine, &e))?;
        engine.finish()
    }

    /// Reads a large log on all cores: see [`split`].
    fn parse_file(&self, file: &File, opts: &ParseOptions) -> Result<ParseOutput, ParseError> {
        split::parse(file, opts, split::PIECE)
    }
}

/// The error for a read that failed after the lines `engine` has read.
fn read_failed(engine: &Engine, e: &std::io::Error) -> ParseError {
    ParseError::new(engine.line_count() + 1, format!("read failed: {e}"))
}

/// Feeds everything `reader` gives to `engine`, line by line.
///
/// Reads [`CHUNK`] bytes at a time into a cache-line-aligned buffer and parses the complete
/// lines in place; only a partial last line is carried over, in front of the next chunk. Asking
/// for more than the caller's `BufReader` holds makes it pass reads straight to the file, into
/// the aligned buffer: the kernel's copy into an aligned buffer is about 3 times faster than
/// into the `BufReader`'s own (0.08 s instead of 0.27 s per 500 MB here), and it saves a copy.
fn feed(engine: &mut Engine, reader: &mut dyn Read) -> std::io::Result<()> {
    thread_local! {
        /// The read buffer, kept per thread: a large log is read in many pieces, and a fresh
        /// zeroed buffer per piece cost a memset and the page faults of 2 MiB each time.
        static STORE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    STORE.with(|cell| match cell.try_borrow_mut() {
        Ok(mut store) => {
            store.resize(FRONT + CHUNK + 64, 0);
            feed_with(engine, reader, &mut store)
        }
        // Already in use further up this thread's stack (never, as the readers are written).
        Err(_) => feed_with(engine, reader, &mut vec![0u8; FRONT + CHUNK + 64]),
    })
}

/// [`feed`] with `store` (at least `FRONT + CHUNK + 64` bytes) as its buffer.
fn feed_with(engine: &mut Engine, reader: &mut dyn Read, store: &mut [u8]) -> std::io::Result<()> {
    // The read area starts at `base`, 64-byte aligned; a partial line sits just before it.
    let base = FRONT + store[FRONT..].as_ptr().align_offset(64).min(63);
    let mut pend = 0usize;
    // A partial line too long for the room in front (never pidstat's).
    let mut long: Vec<u8> = Vec::new();
    loop {
        let n = match reader.read(&mut store[base..base + CHUNK]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let end = base + n;
        let mut start = base - pend;
        if !long.is_empty() {
            match memchr::memchr(b'\n', &store[base..end]) {
                None => {
                    push_capped(&mut long, &store[base..end]);
                    continue;
                }
                Some(i) => {
                    push_capped(&mut long, &store[base..base + i]);
                    engine.line(&long);
                    long.clear();
                    start = base + i + 1;
                }
            }
        }
        let tail = match memchr::memrchr(b'\n', &store[start..end]) {
            Some(i) => {
                engine.lines(&store[start..start + i]);
                start + i + 1
            }
            None => start,
        };
        let rest = end - tail;
        if rest <= FRONT {
            store.copy_within(tail..end, base - rest);
            pend = rest;
        } else {
            push_capped(&mut long, &store[tail..end]);
            pend = 0;
        }
    }
    if pend > 0 {
        engine.line(&store[base - pend..base]);
    }
    if !long.is_empty() {
        engine.line(&long);
    }
    Ok(())
}

/// Appends `bytes` to `carry` up to [`MAX_LINE`].
fn push_capped(carry: &mut Vec<u8>, bytes: &[u8]) {
    let room = MAX_LINE.saturating_sub(carry.len());
    carry.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

#[cfg(test)]
mod tests;
