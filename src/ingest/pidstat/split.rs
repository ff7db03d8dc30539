//! One large log read on all cores.
//!
//! The file is cut into pieces of about [`PIECE`] bytes, each starting at a header line that
//! starts a new interval (hours of `pidstat 1` print one every second). The first piece is read
//! by an ordinary [`Engine`], the others each by an [`Engine::segment`], in parallel; then, in
//! file order, each segment is joined to the engine holding everything before it
//! ([`Engine::join`]), which gives exactly what one engine reading the whole file gives: sums
//! are kept in integer hundredths, so the order they are added in does not show (only values
//! with more decimals, which pidstat never prints, are f64 sums whose last bit can differ; as
//! the pieces depend only on the file, not on the number of cores, even those are the same on
//! every machine). Where a piece cannot be joined (its first header turns out to continue the
//! interval before it, say), the engine reads that piece itself: slower, never different.
//! Series are read in one pass (their times are relative to a run's first row).

use std::fs::File;
use std::io::{self, Read};

use rayon::prelude::*;

use super::engine::Engine;
use super::lex::trim_end;
use super::{feed, read_failed};
use crate::error::ParseError;
use crate::ingest::{ParseOptions, ParseOutput};

/// Bytes per piece: a constant, so that the pieces, and so the result, do not depend on the
/// machine.
pub(crate) const PIECE: u64 = 8 << 20;

/// How far past a piece's nominal start a header that starts an interval is looked for.
const SCAN: u64 = 2 << 20;

/// Bytes read at a time while looking for a header.
const WINDOW: usize = 64 << 10;

/// Something to read pieces of, from any thread.
pub(crate) trait Source: Sync {
    fn size(&self) -> io::Result<u64>;
    /// Reads at most `buf.len()` bytes at `offset`; 0 at the end.
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize>;
}

impl Source for File {
    fn size(&self) -> io::Result<u64> {
        Ok(self.metadata()?.len())
    }

    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(self, buf, offset)
    }
}

impl Source for [u8] {
    fn size(&self) -> io::Result<u64> {
        Ok(self.len() as u64)
    }

    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let rest = self.get(usize::try_from(offset).unwrap_or(usize::MAX)..).unwrap_or(&[]);
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        Ok(n)
    }
}

/// Bytes `pos..end` of a source, as a reader.
struct Range<'a, S: Source + ?Sized> {
    src: &'a S,
    pos: u64,
    end: u64,
}

impl<S: Source + ?Sized> Read for Range<'_, S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let room = usize::try_from(self.end.saturating_sub(self.pos)).unwrap_or(usize::MAX);
        let n = room.min(buf.len());
        if n == 0 {
            return Ok(0);
        }
        let got = self.src.read_at(&mut buf[..n], self.pos)?;
        self.pos += got as u64;
        Ok(got)
    }
}

/// A piece: where it starts, and its first line (a header, without its `\n`).
#[derive(Debug, Clone, PartialEq)]
struct Piece {
    start: u64,
    first: Vec<u8>,
}

/// Reads `src` in pieces of about `piece` bytes on all cores (see the module docs).
pub(crate) fn parse<S: Source + ?Sized>(
    src: &S,
    opts: &ParseOptions,
    piece: u64,
) -> Result<ParseOutput, ParseError> {
    parse_counted(src, opts, piece).0
}

/// [`parse`], and how many pieces were joined (rather than read again).
pub(crate) fn parse_counted<S: Source + ?Sized>(
    src: &S,
    opts: &ParseOptions,
    piece: u64,
) -> (Result<ParseOutput, ParseError>, usize) {
    let mut joined = 0;
    let out = parse_pieces(src, opts, piece, &mut joined);
    (out, joined)
}

fn parse_pieces<S: Source + ?Sized>(
    src: &S,
    opts: &ParseOptions,
    piece: u64,
    joined: &mut usize,
) -> Result<ParseOutput, ParseError> {
    let io_err = |e: io::Error| ParseError::new(1, format!("read failed: {e}"));
    let size = src.size().map_err(io_err)?;
    let pieces = if opts.series {
        vec![Piece { start: 0, first: Vec::new() }]
    } else {
        pieces(src, size, piece).map_err(io_err)?
    };
    let end = |i: usize| pieces.get(i + 1).map_or(size, |p| p.start);
    let read: Vec<io::Result<Engine>> = (0..pieces.len())
        .into_par_iter()
        .map(|i| {
            let mut e = if i == 0 { Engine::new(opts.series) } else { Engine::segment() };
            feed(&mut e, &mut Range { src, pos: pieces[i].start, end: end(i) })?;
            Ok(e)
        })
        .collect();
    let mut read = read.into_iter();
    let mut engine = match read.next() {
        Some(r) => r.map_err(io_err)?,
        None => Engine::new(opts.series),
    };
    for (i, seg) in read.enumerate().map(|(i, s)| (i + 1, s)) {
        let p = &pieces[i];
        let from = match seg {
            Ok(seg) => {
                if engine.join(seg, &p.first) {
                    *joined += 1;
                    continue;
                }
                // `join` read the first line.
                p.start + p.first.len() as u64 + 1
            }
            // Read again: a lasting failure is then reported at its line.
            Err(_) => p.start,
        };
        feed(&mut engine, &mut Range { src, pos: from, end: end(i) })
            .map_err(|e| read_failed(&engine, &e))?;
    }
    engine.finish()
}

/// The pieces of `src`: the first at 0, the others at the first header line at least `piece`
/// bytes after the previous piece's start that likely starts an interval (see [`starts_interval`]).
fn pieces<S: Source + ?Sized>(src: &S, size: u64, piece: u64) -> io::Result<Vec<Piece>> {
    let mut out = vec![Piece { start: 0, first: Vec::new() }];
    let mut from = piece.max(1);
    while from < size {
        match find_start(src, from, size)? {
            Some(p) => {
                from = p.start.saturating_add(piece.max(1));
                out.push(p);
            }
            // No header near here: a log that does not repeat its header is read in one piece.
            None => break,
        }
    }
    Ok(out)
}

/// The first line that starts at or after `from` (within [`SCAN`] bytes), is complete, and
/// [`starts_interval`] after the header line before it.
fn find_start<S: Source + ?Sized>(src: &S, from: u64, size: u64) -> io::Result<Option<Piece>> {
    // Start one byte early: a line starts at `from` when the byte before it is `\n`.
    let mut pos = from - 1;
    let limit = size.min(from.saturating_add(SCAN));
    let mut buf = vec![0u8; WINDOW];
    let mut at_line_start = false;
    let mut prev_header: Option<Vec<u8>> = None;
    while pos < limit {
        let n = src.read_at(&mut buf, pos)?;
        if n == 0 {
            break;
        }
        let data = &buf[..n];
        let mut i = 0;
        if !at_line_start {
            match memchr::memchr(b'\n', data) {
                Some(nl) => i = nl + 1,
                None => {
                    pos += n as u64;
                    continue;
                }
            }
            at_line_start = true;
        }
        // Complete lines in this window.
        while let Some(nl) = memchr::memchr(b'\n', &data[i..]) {
            let line = &data[i..i + nl];
            if is_header(line) {
                if prev_header.as_deref().is_some_and(|h| starts_interval(h, line)) {
                    return Ok(Some(Piece { start: pos + i as u64, first: line.to_vec() }));
                }
                prev_header = Some(line.to_vec());
            }
            i += nl + 1;
        }
        if i == 0 {
            // A line longer than the window: no header is that long.
            at_line_start = false;
            pos += n as u64;
        } else {
            pos += i as u64;
        }
    }
    Ok(None)
}

/// A line that may be a pidstat header: `# Time ... Command` (`-h`) or `<time> ... Command`.
fn is_header(line: &[u8]) -> bool {
    let t = trim_end(line);
    t.first() == Some(&b'#') || t.ends_with(b"Command")
}

/// Whether header `line`, after header `prev`, likely starts a new interval: the same header
/// again (`-h` prints one per interval), or one with another time stamp (the first word). Only
/// a guess to place pieces well: [`Engine::join`] checks it.
fn starts_interval(prev: &[u8], line: &[u8]) -> bool {
    let word = |l: &[u8]| l.split(|&b| b == b' ' || b == b'\t').find(|w| !w.is_empty()).map(<[u8]>::to_vec);
    prev == line || word(prev) != word(line)
}
