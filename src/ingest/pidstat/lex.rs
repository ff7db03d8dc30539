//! Byte-level pieces of a pidstat line: whitespace tokens, decimal numbers, timestamps and the
//! `Linux ...` banner. Everything works on `&[u8]` without allocating, and none of it panics on
//! any input (slices are only taken at positions the loops have checked).

/// Returns true if and only if `b` separates tokens: a space, a tab, or any other control byte
/// (pidstat pads with spaces; the banner has tabs; other control bytes never occur in a value).
#[inline]
pub(crate) fn is_blank(b: u8) -> bool {
    b <= b' '
}

/// `s` without trailing blanks.
#[inline]
pub(crate) fn trim_end(s: &[u8]) -> &[u8] {
    let mut end = s.len();
    while end > 0 && is_blank(s[end - 1]) {
        end -= 1;
    }
    &s[..end]
}

const LO7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const HI: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `x` that is not blank (> 0x20), exactly, per byte: the low 7
/// bits plus 0x5f reach 0x80 when they exceed 0x20 and never carry into the next byte.
#[inline]
fn solid_bits(x: u64) -> u64 {
    (((x & LO7) + 0x5f5f_5f5f_5f5f_5f5f) | x) & HI
}

/// The 8 bytes at `p` as a little-endian word, if there are 8.
#[inline]
fn word(line: &[u8], p: usize) -> Option<u64> {
    let chunk: [u8; 8] = line.get(p..p.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_le_bytes(chunk))
}

/// Packs the high bit of each byte of `hi` (as [`solid_bits`] leaves them) into the low 8 bits:
/// bit `i` for byte `i`.
#[inline]
fn pack(hi: u64) -> u64 {
    (hi >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// Bit `i` set when `line[base + i]` is not blank, for the 64 bytes from `base` (bytes past the
/// end of the line count as blank).
#[inline]
fn block_mask(line: &[u8], base: usize) -> u64 {
    if let Some(block) = line.get(base..base.saturating_add(64)).and_then(|b| <&[u8; 64]>::try_from(b).ok()) {
        return masks(block).0;
    }
    block_mask_tail(line, base)
}

/// For the 64 bytes of `block`: bit `i` set when byte `i` is not blank, and bit `i` set when
/// byte `i` is `\n`. SSE2 (part of every x86_64) compares 16 bytes at once; elsewhere 8 at a
/// time in a word (SWAR).
#[inline(always)]
pub(crate) fn masks(block: &[u8; 64]) -> (u64, u64) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        // SAFETY: this build enables SSE2 for every function (`cfg(target_feature = "sse2")`,
        // part of x86_64's baseline), which is all `masks_sse2` needs. (Rust asks for `unsafe`
        // to call a `#[target_feature]` function from one without the attribute, even when the
        // build enables the feature; `masks_sse2` itself needs none.)
        unsafe { masks_sse2(block) }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        let mut solid = 0u64;
        let mut nl = 0u64;
        for (i, chunk) in block.chunks_exact(8).enumerate() {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(chunk);
            let x = u64::from_le_bytes(bytes);
            solid |= pack(solid_bits(x)) << (8 * i);
            nl |= pack(eq_bits(x, b'\n')) << (8 * i);
        }
        (solid, nl)
    }
}

/// How a 64-byte block is classified into the masks of [`masks`]: the instructions every CPU
/// of the target has ([`Baseline`]), or AVX2 ([`Avx2`], which only a CPU that has it can make).
pub(crate) trait Classify: Copy {
    /// [`masks`] of `block`.
    fn masks(self, block: &[u8; 64]) -> (u64, u64);
}

/// Classifies with what every CPU of the target has: SSE2 on x86_64, SWAR elsewhere.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Baseline;

impl Classify for Baseline {
    #[inline(always)]
    fn masks(self, block: &[u8; 64]) -> (u64, u64) {
        masks(block)
    }
}

/// Proof that this CPU has AVX2, BMI1 and POPCNT, checked at run time: only [`Avx2::detect`]
/// makes one, so code that holds one may use them. It classifies 32 bytes at a time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Avx2(());

impl Avx2 {
    /// The proof, when the CPU has AVX2, BMI1 and POPCNT (`std` caches the check).
    #[inline]
    pub(crate) fn detect() -> Option<Avx2> {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            (has!("avx2") && has!("bmi1") && has!("popcnt")).then_some(Avx2(()))
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            None
        }
    }
}

impl Classify for Avx2 {
    #[inline(always)]
    fn masks(self, block: &[u8; 64]) -> (u64, u64) {
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: `self` exists only where the CPU has AVX2 (`Avx2::detect`).
            unsafe { masks_avx2(block) }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            masks(block)
        }
    }
}

/// Proof that this CPU has POPCNT, checked at run time: only [`Popcnt::detect`] makes one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Popcnt(());

impl Popcnt {
    /// The proof, when the CPU has POPCNT.
    #[inline]
    pub(crate) fn detect() -> Option<Popcnt> {
        #[cfg(target_arch = "x86_64")]
        {
            std::arch::is_x86_feature_detected!("popcnt").then_some(Popcnt(()))
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            None
        }
    }
}

/// [`masks`] with AVX2: the same test as [`masks_sse2`], on two halves of 32 bytes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn masks_avx2(block: &[u8; 64]) -> (u64, u64) {
    use std::arch::x86_64::{
        __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_max_epu8, _mm256_movemask_epi8,
        _mm256_set1_epi8,
    };
    let lim = _mm256_set1_epi8(0x21);
    let lf = _mm256_set1_epi8(b'\n' as i8);
    let (lo, hi) = block.split_at(32);
    // SAFETY: each half is 32 readable bytes, and `loadu` needs no alignment.
    let halves = unsafe {
        [_mm256_loadu_si256(lo.as_ptr().cast::<__m256i>()), _mm256_loadu_si256(hi.as_ptr().cast::<__m256i>())]
    };
    let mut solid = 0u64;
    let mut nl = 0u64;
    for (i, v) in halves.into_iter().enumerate() {
        let s = _mm256_cmpeq_epi8(_mm256_max_epu8(v, lim), v);
        solid |= u64::from(_mm256_movemask_epi8(s) as u32) << (32 * i);
        nl |= u64::from(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, lf)) as u32) << (32 * i);
    }
    (solid, nl)
}

/// [`masks`] with SSE2: a byte is solid when `max(byte, 0x21) == byte` (unsigned). Its
/// intrinsics are safe to call in a function compiled for SSE2, and the bytes come in through
/// safe array reads: no `unsafe` here.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
#[inline]
fn masks_sse2(block: &[u8; 64]) -> (u64, u64) {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_max_epu8, _mm_movemask_epi8, _mm_set1_epi8, _mm_set_epi64x};
    let mut solid = 0u64;
    let mut nl = 0u64;
    let lim = _mm_set1_epi8(0x21);
    let lf = _mm_set1_epi8(b'\n' as i8);
    for (i, c) in block.chunks_exact(16).enumerate() {
        let mut lo = [0u8; 8];
        let mut hi = [0u8; 8];
        lo.copy_from_slice(&c[..8]);
        hi.copy_from_slice(&c[8..]);
        // The two words become one 16-byte load.
        let v = _mm_set_epi64x(i64::from_le_bytes(hi), i64::from_le_bytes(lo));
        let s = _mm_cmpeq_epi8(_mm_max_epu8(v, lim), v);
        solid |= u64::from(_mm_movemask_epi8(s) as u16) << (16 * i);
        nl |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf)) as u16) << (16 * i);
    }
    (solid, nl)
}

/// [`block_mask`] of the last, partial block of a line.
#[inline(never)]
fn block_mask_tail(line: &[u8], base: usize) -> u64 {
    let rem = line.len().saturating_sub(base).min(64);
    let mut m = 0u64;
    let full = rem / 8;
    for i in 0..full {
        if let Some(x) = word(line, base + 8 * i) {
            m |= pack(solid_bits(x)) << (8 * i);
        }
    }
    let part = rem % 8;
    if part > 0 {
        // The 8 bytes that end the line, shifted so its last `part` bytes come first (the
        // bytes shifted in are 0, blank).
        let x = match word(line, line.len().saturating_sub(8)) {
            Some(x) => x >> (8 * (8 - part)),
            None => {
                let mut bytes = [0u8; 8];
                for (b, &c) in bytes.iter_mut().zip(line.get(base + 8 * full..).unwrap_or(&[])) {
                    *b = c;
                }
                u64::from_le_bytes(bytes)
            }
        };
        m |= pack(solid_bits(x)) << (8 * full);
    }
    m
}

/// The index of the last `c` in `s`, looking 8 bytes at a time.
#[inline]
pub(crate) fn last_index_of(s: &[u8], c: u8) -> Option<usize> {
    let mut end = s.len();
    while end >= 8 {
        let found = word(s, end - 8).map_or(0, |x| eq_bits(x, c));
        if found != 0 {
            return Some(end - 8 + (7 - found.leading_zeros() as usize / 8));
        }
        end -= 8;
    }
    s.get(..end)?.iter().rposition(|&b| b == c)
}

/// A cursor over the whitespace-separated tokens of one line. The blanks of each 64-byte block
/// are found at once (8 bytes per step, SWAR) into a bit mask, and token starts and ends are
/// its set and clear bits: no branch per byte, and none that depends on the width of pidstat's
/// space-padded columns.
#[derive(Clone, Copy)]
pub(crate) struct Tokens<'a> {
    line: &'a [u8],
    pos: usize,
    /// Start of the block whose mask is in `solid` (`usize::MAX`: none yet).
    base: usize,
    /// [`block_mask`] of the block at `base`.
    solid: u64,
}

impl<'a> Tokens<'a> {
    /// Starts at the beginning of `line`.
    #[inline]
    pub(crate) fn new(line: &'a [u8]) -> Tokens<'a> {
        Tokens::at(line, 0)
    }

    /// Starts at byte `pos` of `line`.
    #[inline]
    pub(crate) fn at(line: &'a [u8], pos: usize) -> Tokens<'a> {
        Tokens { line, pos: pos.min(line.len()), base: usize::MAX, solid: 0 }
    }

    /// Moves `pos` to the next byte that is (`solid`) or is not (`!solid`) blank, or the end.
    #[inline(always)]
    fn seek(&mut self, solid: bool) {
        loop {
            let base = self.pos & !63;
            if self.base != base {
                if self.pos >= self.line.len() {
                    self.pos = self.line.len();
                    return;
                }
                self.load(base);
            }
            let bits = if solid { self.solid } else { !self.solid };
            let m = bits & (!0u64 << (self.pos - base));
            if m != 0 {
                self.pos = (base + m.trailing_zeros() as usize).min(self.line.len());
                return;
            }
            self.pos = base + 64;
        }
    }

    /// Computes the mask of the block at `base` (a few times per line: kept out of line so the
    /// token loop stays small).
    #[inline(never)]
    fn load(&mut self, base: usize) {
        self.base = base;
        self.solid = block_mask(self.line, base);
    }

    /// The next token, or `None` at the end of the line.
    #[inline]
    #[allow(clippy::should_implement_trait)]
    pub(crate) fn next(&mut self) -> Option<&'a [u8]> {
        self.seek(true);
        let start = self.pos;
        self.seek(false);
        (self.pos > start).then(|| &self.line[start..self.pos])
    }

    /// Everything from the next token to the end of the line, trailing blanks removed (pidstat's
    /// Command column, which may hold spaces with `-l`). Consumes the line.
    #[inline]
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        self.seek(true);
        let r = trim_end(&self.line[self.pos..]);
        self.pos = self.line.len();
        r
    }

    /// What [`Tokens::rest`] would return, without consuming it.
    #[inline]
    pub(crate) fn remaining(&self) -> &'a [u8] {
        let mut t = *self;
        t.rest()
    }
}

/// Most tokens of a line [`Spans`] keeps (a layout has at most 64 columns; a longer `-l`
/// command line only needs its first token's position).
pub(crate) const MAX_TOKENS: usize = 256;

/// The token boundaries of one line, found all at once: for each 64-byte block, the mask of
/// non-blank bytes gives token starts (a non-blank after a blank) and ends (a blank after a
/// non-blank) as set bits, read out with `trailing_zeros`. A few instructions per token, no
/// branch per byte. The buffers are reused from line to line; the first [`MAX_TOKENS`] tokens
/// are kept.
#[derive(Debug)]
pub(crate) struct Spans {
    /// Token boundaries in order: start of token 0, its end, start of token 1, ... (with room
    /// for the unconditional writes of `push_edges`).
    bounds: Box<[u32; BOUNDS]>,
    /// Boundaries found so far on the current line (may exceed `bounds`).
    edges: usize,
    len: usize,
}

/// Size of [`Spans::bounds`]: two per token and 16 spare slots, rounded up to a power of two
/// so that [`RowBounds`] reads them without a bounds check.
const BOUNDS: usize = (2 * MAX_TOKENS + 16).next_power_of_two();

impl Default for Spans {
    fn default() -> Spans {
        Spans { bounds: Box::new([0; BOUNDS]), edges: 0, len: 0 }
    }
}

impl Spans {
    /// Starts a line.
    #[inline(always)]
    fn begin(&mut self) {
        self.edges = 0;
    }

    /// Adds the boundaries of a 64-byte block: bit `i` of `edges` is a token start or end at
    /// `off + i` from the line's start (`off` wraps when the line starts inside the block).
    #[inline(always)]
    fn push_edges(&mut self, mut edges: u64, off: u32) {
        let at = self.edges;
        let n = edges.count_ones() as usize;
        self.edges = at + n;
        // Boundaries past the first 2 * MAX_TOKENS are not kept; below that, the 16 slots
        // from `at` are within `bounds`.
        let Some(slots) = self.bounds.get_mut(at..at + 16).and_then(|s| <&mut [u32; 16]>::try_from(s).ok())
        else {
            return;
        };
        // Eight at a time without looking (a pidstat block has about 14): the slots past
        // `at + n` are overwritten later or never read. A slot without a boundary gets
        // `off + 64`.
        let (first, second) = slots.split_at_mut(8);
        for slot in first {
            *slot = off.wrapping_add(edges.trailing_zeros());
            edges &= edges.wrapping_sub(1);
        }
        if n > 8 {
            for slot in second {
                *slot = off.wrapping_add(edges.trailing_zeros());
                edges &= edges.wrapping_sub(1);
            }
            let mut k = at + 16;
            while edges != 0 {
                if let Some(slot) = self.bounds.get_mut(k) {
                    *slot = off.wrapping_add(edges.trailing_zeros());
                }
                k += 1;
                edges &= edges - 1;
            }
        }
    }

    /// Ends a line of `len` bytes: a token still open ends there; the first [`MAX_TOKENS`]
    /// tokens are kept.
    #[inline(always)]
    fn end(&mut self, len: usize) {
        let count = self.edges.min(2 * MAX_TOKENS);
        if count % 2 == 1 {
            if let Some(slot) = self.bounds.get_mut(count) {
                *slot = len as u32;
            }
        }
        self.len = count.div_ceil(2).min(MAX_TOKENS);
    }

    /// Finds the tokens of `line` (lines longer than 4 GiB are cut).
    #[inline]
    pub(crate) fn fill(&mut self, line: &[u8]) {
        let line = &line[..line.len().min(u32::MAX as usize)];
        self.begin();
        // Whether the byte before the current block is solid.
        let mut prev = 0u64;
        let mut base = 0usize;
        while base < line.len() && self.edges < 2 * MAX_TOKENS {
            let solid = block_mask(line, base);
            // Starts (solid after blank) and ends (blank after solid) alternate along the line.
            self.push_edges(solid ^ ((solid << 1) | prev), base as u32);
            prev = solid >> 63;
            base += 64;
        }
        self.end(line.len());
    }

    /// Number of tokens (at most [`MAX_TOKENS`]).
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Start and end offsets of token `i`.
    #[inline(always)]
    fn span(&self, i: usize) -> Option<(usize, usize)> {
        if i >= self.len {
            return None;
        }
        // `len <= MAX_TOKENS`, so this is `i`; written so that no bounds check is left.
        let j = i.min(MAX_TOKENS - 1);
        Some((self.bounds[2 * j] as usize, self.bounds[2 * j + 1] as usize))
    }

    /// Byte offset where token `i` starts (the line's length when there is no token `i`).
    #[inline]
    pub(crate) fn start(&self, line: &[u8], i: usize) -> usize {
        self.span(i).map_or(line.len(), |(s, _)| s)
    }

    /// The bounds of tokens `k..k + n`, when the line has them all: a row's columns, checked
    /// once rather than at every column.
    #[inline(always)]
    pub(crate) fn row(&self, k: usize, n: usize) -> Option<RowBounds<'_>> {
        (k + n <= self.len).then_some(RowBounds { bounds: &self.bounds, first: 2 * k })
    }

    /// Token `i` of `line` (the line `fill` saw), if there is one.
    #[inline]
    pub(crate) fn tok<'a>(&self, line: &'a [u8], i: usize) -> Option<&'a [u8]> {
        let (s, e) = self.span(i)?;
        line.get(s..e)
    }

    /// Token `i` as a [`Num`] ([`num_at`]).
    #[inline]
    pub(crate) fn num(&self, line: &[u8], i: usize) -> Option<Num> {
        let (s, e) = self.span(i)?;
        num_at(line, s, e)
    }

    /// From token `i` to the end of the line, trailing blanks removed (empty when there is no
    /// token `i`).
    #[inline]
    pub(crate) fn rest<'a>(&self, line: &'a [u8], i: usize) -> &'a [u8] {
        trim_end(line.get(self.start(line, i)..).unwrap_or(&[]))
    }
}

/// The token bounds of a row's columns ([`Spans::row`]). Column `c` of the row is token
/// `k + c` of the line; the row was checked to have every column it is asked for, so the index
/// is wrapped into the buffer's power-of-two size instead of checked (a wrapped index, which
/// a column past the row would give, reads some other bound, never out of the buffer).
pub(crate) struct RowBounds<'s> {
    bounds: &'s [u32; BOUNDS],
    first: usize,
}

impl RowBounds<'_> {
    /// Start of column `c`.
    #[inline(always)]
    pub(crate) fn start(&self, c: usize) -> usize {
        self.bounds[(self.first + 2 * c) & (BOUNDS - 1)] as usize
    }

    /// End of column `c`.
    #[inline(always)]
    pub(crate) fn end(&self, c: usize) -> usize {
        self.bounds[(self.first + 2 * c + 1) & (BOUNDS - 1)] as usize
    }
}

/// The lines of a chunk with their tokens, found in one pass over the chunk: each 64-byte
/// block is classified once ([`masks`]: solid bytes and newlines together), and its token
/// boundaries go to the line they fall in. This replaces finding each line's end (memchr) and
/// then classifying the line's bytes again, block by block, with a shorter last block per line.
/// Lines are split at `\n` and lose a trailing `\r`, as [`Spans::fill`] would see them; the
/// piece after the last `\n` is a line too, even when empty.
pub(crate) struct Lines<'a> {
    chunk: &'a [u8],
    /// Start of the block whose boundaries and newlines are in `edges` and `nl`.
    base: usize,
    /// Whether that block is loaded (`base` is then its start).
    loaded: bool,
    /// Boundaries of the loaded block not yet given to a line.
    edges: u64,
    /// Newlines of the loaded block not yet reached.
    nl: u64,
    /// Whether the last byte of the loaded block is solid.
    carry: u64,
    /// Start of the current line.
    start: usize,
    /// The last line has been returned.
    done: bool,
}

impl<'a> Lines<'a> {
    /// Positions are kept as u32 from each line's start, so only a line over 4 GiB would get
    /// wrong tokens (never a panic: positions are only used through checked slicing). The
    /// readers never pass one: whole texts are at most 32 MiB, and streamed lines are capped
    /// at 1 MiB.
    pub(crate) fn new(chunk: &'a [u8]) -> Lines<'a> {
        Lines { chunk, base: 0, loaded: false, edges: 0, nl: 0, carry: 0, start: 0, done: false }
    }

    /// The next line, with its tokens in `spans`.
    #[cfg(test)]
    pub(crate) fn next(&mut self, spans: &mut Spans) -> Option<&'a [u8]> {
        self.next_with(spans, Baseline)
    }

    /// [`Lines::next`], its blocks classified by `c`.
    #[inline(always)]
    pub(crate) fn next_with<C: Classify>(&mut self, spans: &mut Spans, c: C) -> Option<&'a [u8]> {
        if self.done {
            return None;
        }
        spans.begin();
        loop {
            let off = (self.base as u32).wrapping_sub(self.start as u32);
            if self.nl != 0 {
                let p = self.nl.trailing_zeros();
                spans.push_edges(self.edges & ((1u64 << p) - 1), off);
                self.edges &= (!0u64 << p) << 1;
                self.nl &= self.nl - 1;
                let end = self.base + p as usize;
                let line = self.line(self.start, end);
                self.start = end + 1;
                spans.end(line.len());
                return Some(line);
            }
            if self.loaded {
                spans.push_edges(self.edges, off);
                self.base += 64;
            }
            let (solid, nl) = match self.chunk.get(self.base..) {
                Some(rest) if !rest.is_empty() => {
                    match <&[u8; 64]>::try_from(rest.get(..64).unwrap_or(&[])) {
                        Ok(block) => c.masks(block),
                        Err(_) => {
                            // The last, partial block, padded with zeros (blank, not newlines).
                            let mut block = [0u8; 64];
                            block[..rest.len()].copy_from_slice(rest);
                            c.masks(&block)
                        }
                    }
                }
                _ => {
                    self.done = true;
                    let line = self.line(self.start, self.chunk.len());
                    spans.end(line.len());
                    return Some(line);
                }
            };
            self.loaded = true;
            self.edges = solid ^ ((solid << 1) | self.carry);
            self.carry = solid >> 63;
            self.nl = nl;
        }
    }

    /// `chunk[start..end]` without a trailing `\r`.
    #[inline(always)]
    fn line(&self, start: usize, end: usize) -> &'a [u8] {
        let raw = self.chunk.get(start..end).unwrap_or(&[]);
        raw.strip_suffix(b"\r").unwrap_or(raw)
    }
}

/// Exact powers of ten representable in an f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
    1e19, 1e20, 1e21, 1e22,
];

/// Parses a plain decimal (`0.00`, `-1.00`, `54292`, `28,76` with a decimal comma) to the same
/// f64 as `str::parse` would, fast: [`num`] as an f64 (the tests' view of it).
#[cfg(test)]
pub(crate) fn decimal(tok: &[u8]) -> Option<f64> {
    num(tok).map(Num::to_f64)
}

/// The number in `tok` (a plain decimal: `0.00`, `-1.00`, `54292`, `28,76` with a decimal
/// comma; `str::parse`'s value): [`Num::Cents`] when it has at most two decimals
/// and its hundredths are at most 2^53. Otherwise, up to 19 digits with at most 22 after the
/// point and a mantissa up to 2^53 are computed as one exact integer divided by one exact power
/// of ten, which IEEE division rounds correctly; anything else (exponents, long digit strings)
/// falls back to `str::parse`. Returns `None` for non-numbers and non-finite values.
#[inline]
pub(crate) fn num(tok: &[u8]) -> Option<Num> {
    let (neg, digits) = match tok.first() {
        Some(b'-') => (true, &tok[1..]),
        Some(b'+') => (false, &tok[1..]),
        _ => (false, tok),
    };
    let mut m: u64 = 0;
    let mut n = 0u32;
    let mut frac = 0u32;
    let mut dot = false;
    for &c in digits {
        let d = c.wrapping_sub(b'0');
        if d < 10 {
            if n >= 19 {
                return slow_decimal(tok).map(Num::Float);
            }
            m = m * 10 + u64::from(d);
            n += 1;
            frac += u32::from(dot);
        } else if (c == b'.' || c == b',') && !dot {
            dot = true;
        } else {
            return slow_decimal(tok).map(Num::Float);
        }
    }
    if n == 0 {
        return None;
    }
    let sign = if neg { -1 } else { 1 };
    if let Some(c) = CENTS.get(frac as usize).and_then(|&k| m.checked_mul(k as u64)) {
        if c <= 1u64 << 53 {
            return Some(Num::Cents(sign * c as i64));
        }
    }
    if m > (1u64 << 53) || frac as usize >= POW10.len() {
        return slow_decimal(tok).map(Num::Float);
    }
    let v = m as i64 as f64 / POW10[frac as usize];
    Some(Num::Float(if neg { -v } else { v }))
}

const ZEROS: u64 = 0x3030_3030_3030_3030;
const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit of each byte of `x` equal to `c`, exactly.
#[inline]
fn eq_bits(x: u64, c: u8) -> u64 {
    let y = x ^ (u64::from(c) * ONES);
    !(((y & LO7) + LO7) | y) & HI
}

/// Returns true if and only if all 8 bytes of `x` are ASCII digits.
#[inline]
fn all_digits(x: u64) -> bool {
    const F0: u64 = 0xf0f0_f0f0_f0f0_f0f0;
    (x & F0) == ZEROS && (x.wrapping_add(0x0606_0606_0606_0606) & F0) == ZEROS
}

/// The value of 8 ASCII digits, the first in the lowest byte (simdjson's
/// `parse_eight_digits_unrolled`).
#[inline]
fn eight_digits(x: u64) -> u64 {
    let mut v = x.wrapping_sub(ZEROS);
    v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let mask = 0x0000_00ff_0000_00ff;
    let mul1 = 100 + (1_000_000 << 32);
    let mul2 = 1 + (10_000 << 32);
    ((v & mask).wrapping_mul(mul1).wrapping_add(((v >> 16) & mask).wrapping_mul(mul2))) >> 32
}

/// A number as the row path keeps it: hundredths in an integer when the token has at most two
/// decimals (every value pidstat prints itself: `%8.2f`, `%9lu`), so that sums of them are
/// exact and no division is needed per value; anything else as an f64.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    /// The value times 100, exactly (at most 2^53 in magnitude).
    Cents(i64),
    /// The value, as `str::parse` reads it.
    Float(f64),
}

impl Num {
    /// The value as the f64 nearest to it (what `str::parse` gives), since `c / 100` is one
    /// correctly rounded division of exact integers (`c < 2^53`), as `m / 10^frac` is.
    #[inline]
    pub(crate) fn to_f64(self) -> f64 {
        match self {
            Num::Cents(c) => c as f64 / 100.0,
            Num::Float(v) => v,
        }
    }

    /// pidstat's `-1.00` (a value it could not read), however many decimals.
    #[inline]
    pub(crate) fn is_unreadable(self) -> bool {
        match self {
            Num::Cents(c) => c == -100,
            Num::Float(v) => v == -1.0,
        }
    }
}

/// The number in the token `line[s..e]` (as [`num`] reads it). Tokens of up to 8 characters
/// (no sign), ending at least 8 bytes into the line, are parsed without a loop: the
/// 8 line bytes that end with the token are loaded as one word, the bytes before the token
/// become `0`s, a point is cut out, and the 8 digits are combined with three multiplications
/// (pidstat's integers and two-decimal numbers take the shortest path). With at most two
/// decimals they come back as [`Num::Cents`]; anything else goes to [`num`].
#[inline(always)]
pub(crate) fn num_at(line: &[u8], s: usize, e: usize) -> Option<Num> {
    let n = e.wrapping_sub(s);
    // One test for `1 <= n <= 8` and one for `8 <= e <= line.len()` (the word before `e`).
    let word_before = match line.get(..e) {
        Some(head) if n.wrapping_sub(1) < 8 => head.last_chunk::<8>().map(|w| u64::from_le_bytes(*w)),
        _ => None,
    };
    if let Some(x) = word_before {
        let keep = !0u64 << (8 * (8 - n));
        let x = (x & keep) | (ZEROS & !keep);
        // Zero, the most common value by far (`0.00`, `0`): before the point is cut out.
        if x == ZEROS || x == ZERO_CENTS {
            return Some(Num::Cents(0));
        }
        let (digits, scale) = if n >= 3 && (x >> 40) as u8 == b'.' {
            (((x & 0x00ff_ffff_ffff) << 8) | (x & 0xffff_0000_0000_0000) | 0x30, 1)
        } else {
            (x, 100)
        };
        if all_digits(digits) {
            return Some(Num::Cents(eight_digits(digits) as i64 * scale));
        }
        // A sign (pidstat's `-1.00`) is not a digit: it goes the longer way.
        let tok = line.get(s..e)?;
        return if tok.first() == Some(&b'-') { num(tok) } else { num_shapes(tok, x, n) };
    }
    num(line.get(s..e)?)
}

/// `0.00` as [`num_at`] loads it: `00000.00` (the point is byte 5 of the little-endian word).
const ZERO_CENTS: u64 = ZEROS ^ (((b'0' ^ b'.') as u64) << 40);

/// Hundredths per unit of the last digit, for 0, 1 and 2 decimals.
const CENTS: [i64; 3] = [100, 10, 1];

/// The rest of [`num_at`]: one `.` or `,` anywhere in `x` (the padded token).
#[inline(never)]
fn num_shapes(tok: &[u8], x: u64, n: usize) -> Option<Num> {
    let points = eq_bits(x, b'.') | eq_bits(x, b',');
    if points == 0 || points & points.wrapping_sub(1) != 0 || n < 2 {
        return num(tok);
    }
    let d = points.trailing_zeros() / 8;
    let below = (1u64 << (8 * d)) - 1;
    let above = if d == 7 { 0 } else { !0u64 << (8 * (d + 1)) };
    let x = ((x & below) << 8) | (x & above) | 0x30;
    if !all_digits(x) {
        return num(tok);
    }
    let m = eight_digits(x) as i64;
    let frac = 7 - d as usize;
    Some(match CENTS.get(frac) {
        Some(&k) => Num::Cents(m * k),
        None => Num::Float(m as f64 / POW10[frac]),
    })
}

#[cold]
fn slow_decimal(tok: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(tok).ok()?;
    let v: f64 = if s.contains(',') { s.replacen(',', ".", 1).parse().ok()? } else { s.parse().ok()? };
    v.is_finite().then_some(v)
}

/// Parses a process or thread id (decimal digits only).
#[inline]
pub(crate) fn id(tok: &[u8]) -> Option<u64> {
    if tok.is_empty() || tok.len() > 19 {
        return None;
    }
    let mut v: u64 = 0;
    for &c in tok {
        let d = c.wrapping_sub(b'0');
        if d >= 10 {
            return None;
        }
        v = v * 10 + u64::from(d);
    }
    Some(v)
}

/// A timestamp as pidstat prints it at the start of a line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Stamp {
    /// Seconds since the epoch (`-h` of old sysstat, `-H`).
    Epoch(f64),
    /// Seconds since midnight (`HH:MM:SS`, or `HH:MM:SS AM` with the AM/PM token consumed).
    Clock(u32),
}

/// Seconds since midnight of `H:MM:SS` / `HH:MM:SS`.
#[inline]
pub(crate) fn clock(tok: &[u8]) -> Option<u32> {
    let (h, rest) = match tok {
        [a, b':', rest @ ..] => (digit(*a)?, rest),
        [a, b, b':', rest @ ..] => (digit(*a)? * 10 + digit(*b)?, rest),
        _ => return None,
    };
    let [m1, m2, b':', s1, s2] = rest else { return None };
    let m = digit(*m1)? * 10 + digit(*m2)?;
    let s = digit(*s1)? * 10 + digit(*s2)?;
    (h < 24 && m < 60 && s <= 60).then_some(h * 3600 + m * 60 + s)
}

#[inline]
fn digit(b: u8) -> Option<u32> {
    let d = b.wrapping_sub(b'0');
    (d < 10).then_some(u32::from(d))
}

/// `Some(false)` for `AM`, `Some(true)` for `PM` (any case), `None` otherwise.
#[inline]
fn meridiem(tok: &[u8]) -> Option<bool> {
    match tok {
        [a, m] if m.eq_ignore_ascii_case(&b'm') => match a.to_ascii_uppercase() {
            b'A' => Some(false),
            b'P' => Some(true),
            _ => None,
        },
        _ => None,
    }
}

/// Reads the timestamp that starts a line from its first two tokens: an epoch (digits only) or
/// a clock time, followed or not by `AM`/`PM`. Returns the stamp and how many tokens it took
/// (1 or 2), or `None` when `first` is no timestamp.
#[inline]
pub(crate) fn stamp(first: &[u8], second: Option<&[u8]>) -> Option<(Stamp, usize)> {
    if let Some(secs) = clock(first) {
        if let Some(pm) = second.and_then(meridiem) {
            let h = secs / 3600;
            if h == 0 || h > 12 {
                return None;
            }
            let base = secs - h * 3600;
            let h24 = (h % 12) + if pm { 12 } else { 0 };
            return Some((Stamp::Clock(base + h24 * 3600), 2));
        }
        return Some((Stamp::Clock(secs), 1));
    }
    if first.len() <= 12 {
        return id(first).map(|v| (Stamp::Epoch(v as f64), 1));
    }
    None
}

/// The facts of a `Linux <kernel> (<host>) <date> _<arch>_ (<N> CPU)` banner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Banner<'a> {
    /// Kernel release.
    pub kernel: &'a [u8],
    /// Host name, without the parentheses.
    pub host: &'a [u8],
    /// Date as printed (locale or ISO format).
    pub date: Option<&'a [u8]>,
    /// Architecture, without the underscores.
    pub arch: Option<&'a [u8]>,
    /// Number of CPUs.
    pub cpus: Option<&'a [u8]>,
}

/// Parses the sysstat banner line, or returns `None` if `line` is not one. The kernel and the
/// parenthesised host are required; date, arch and CPU count are taken when present.
pub(crate) fn banner(line: &[u8]) -> Option<Banner<'_>> {
    let mut t = Tokens::new(line);
    if t.next()? != b"Linux" {
        return None;
    }
    let kernel = t.next()?;
    let host = t.next()?;
    let host = host.strip_prefix(b"(")?.strip_suffix(b")")?;
    if host.is_empty() {
        return None;
    }
    let mut b = Banner { kernel, host, date: None, arch: None, cpus: None };
    let mut prev: Option<&[u8]> = None;
    while let Some(tok) = t.next() {
        if tok == b"CPU)" {
            b.cpus = prev.and_then(|p| p.strip_prefix(b"("));
        } else if tok.len() > 2 && tok.starts_with(b"_") && tok.ends_with(b"_") {
            b.arch = Some(&tok[1..tok.len() - 1]);
        } else if b.date.is_none() && !tok.starts_with(b"(") {
            b.date = Some(tok);
        }
        prev = Some(tok);
    }
    Some(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn toks(s: &str) -> Vec<&[u8]> {
        let mut t = Tokens::new(s.as_bytes());
        std::iter::from_fn(|| t.next()).collect()
    }

    #[test]
    fn tokens_split_on_spaces_and_tabs() {
        assert_eq!(toks("  a \tbb  c "), vec![&b"a"[..], b"bb", b"c"]);
        assert!(toks("   ").is_empty());
        let mut t = Tokens::new(b"1 2  /usr/bin/x --y z  ");
        t.next();
        assert_eq!(t.remaining(), b"2  /usr/bin/x --y z");
        t.next();
        assert_eq!(t.rest(), b"/usr/bin/x --y z");
        assert_eq!(t.next(), None);
        assert_eq!(t.rest(), b"");
    }

    #[test]
    fn decimals_match_std() {
        for s in ["0.00", "-1.00", "54292", "1448481504", "0.28", "9382.61", "1e3", "+4.5", ".5", "1."] {
            assert_eq!(decimal(s.as_bytes()), s.parse::<f64>().ok(), "{s}");
        }
        assert_eq!(decimal(b"28,76"), Some(28.76));
        for s in ["", "-", ".", "abc", "1.2.3", "nan", "inf", "1,2,3", "12a"] {
            assert_eq!(decimal(s.as_bytes()), None, "{s}");
        }
        assert_eq!(decimal(b"123456789012345678901234.5"), Some(123456789012345678901234.5));
    }

    #[test]
    fn lines_of_a_chunk() {
        let long = "x ".repeat(MAX_TOKENS + 10);
        let text = format!("a b\r\n\n  c\td \n{long}\n{}e", " ".repeat(70));
        let mut sp = Spans::default();
        let mut lines = Lines::new(text.as_bytes());
        let mut got = Vec::new();
        while let Some(line) = lines.next(&mut sp) {
            got.push(
                (0..sp.len())
                    .filter_map(|i| sp.tok(line, i))
                    .map(|t| String::from_utf8_lossy(t).into_owned())
                    .collect::<Vec<_>>(),
            );
        }
        assert_eq!(got.len(), 5);
        assert_eq!(got[0], ["a", "b"]);
        assert!(got[1].is_empty());
        assert_eq!(got[2], ["c", "d"]);
        assert_eq!(got[3].len(), MAX_TOKENS);
        assert_eq!(got[4], ["e"]);
        let mut empty = Lines::new(b"");
        assert_eq!(empty.next(&mut sp), Some(&b""[..]));
        assert_eq!(sp.len(), 0);
        assert_eq!(empty.next(&mut sp), None);
    }

    #[test]
    fn clock_and_meridiem() {
        assert_eq!(clock(b"23:15:04"), Some(23 * 3600 + 15 * 60 + 4));
        assert_eq!(clock(b"1:02:03"), Some(3723));
        assert_eq!(clock(b"24:00:00"), None);
        assert_eq!(clock(b"12:60:00"), None);
        assert_eq!(clock(b"2025-10-23"), None);
        assert_eq!(stamp(b"12:52:26", Some(b"AM")), Some((Stamp::Clock(52 * 60 + 26), 2)));
        assert_eq!(stamp(b"12:52:26", Some(b"0")), Some((Stamp::Clock(12 * 3600 + 52 * 60 + 26), 1)));
        assert_eq!(stamp(b"12:00:01", Some(b"PM")), Some((Stamp::Clock(12 * 3600 + 1), 2)));
        assert_eq!(stamp(b"01:55:24", Some(b"pm")), Some((Stamp::Clock(13 * 3600 + 55 * 60 + 24), 2)));
        assert_eq!(stamp(b"13:00:00", Some(b"PM")), None);
        assert_eq!(stamp(b"1448481504", Some(b"0")), Some((Stamp::Epoch(1448481504.0), 1)));
        assert_eq!(stamp(b"Average:", None), None);
    }

    #[test]
    fn banners() {
        let b = banner(b"Linux 6.8.0-79-generic (srvchinaubu) \t10/23/2025 \t_x86_64_\t(2 CPU)").unwrap();
        assert_eq!(b.kernel, b"6.8.0-79-generic");
        assert_eq!(b.host, b"srvchinaubu");
        assert_eq!(b.date, Some(&b"10/23/2025"[..]));
        assert_eq!(b.arch, Some(&b"x86_64"[..]));
        assert_eq!(b.cpus, Some(&b"2"[..]));
        assert!(banner(b"Linux host 5.15.0 #1 SMP").is_none());
        assert!(banner(b"Linux").is_none());
        assert!(banner(b"Linux 5.1 ()").is_none());
    }

    /// `num_at` (as an f64) as the row parser calls it: `tok`, the last token of `pad` + `tok`.
    fn num_at_end(pad: &str, tok: &str) -> Option<f64> {
        raw_num_at_end(pad, tok).map(Num::to_f64)
    }

    fn raw_num_at_end(pad: &str, tok: &str) -> Option<Num> {
        let line = format!("{pad}{tok}");
        let mut sp = Spans::default();
        sp.fill(line.as_bytes());
        sp.num(line.as_bytes(), sp.len().checked_sub(1)?)
    }

    #[test]
    fn numbers_with_two_decimals_or_fewer_are_exact_hundredths() {
        use Num::{Cents, Float};
        let cases = [
            ("0.00", Cents(0)),
            ("-1.00", Cents(-100)),
            ("-1", Cents(-100)),
            ("54292", Cents(5_429_200)),
            ("12345678", Cents(1_234_567_800)),
            ("99999.99", Cents(9_999_999)),
            ("28,76", Cents(2876)),
            ("0.5", Cents(50)),
            ("-.25", Cents(-25)),
            ("1.234", Float(1.234)),
            ("123456789", Cents(12_345_678_900)),
            ("123456789012345678", Float(123_456_789_012_345_678.0)),
            ("1e3", Float(1000.0)),
        ];
        for (tok, want) in cases {
            assert_eq!(raw_num_at_end("        x   ", tok), Some(want), "{tok}");
            assert_eq!(raw_num_at_end("", tok), Some(want), "{tok}");
        }
        assert!(Cents(-100).is_unreadable() && Float(-1.0).is_unreadable());
        assert!(!Cents(100).is_unreadable() && !Float(-1.5).is_unreadable());
    }

    #[test]
    fn fast_decimals() {
        for tok in [
            "0.00",
            "-1.00",
            "54292",
            "1448481504",
            "9382.61",
            "99999.99",
            "12345678",
            "1.5",
            ".5",
            "5.",
            "0,04",
            "-0.00",
            "100",
            "7",
        ] {
            let want = if tok.contains(',') {
                tok.replace(',', ".").parse::<f64>().ok()
            } else {
                tok.parse::<f64>().ok()
            };
            assert_eq!(num_at_end("        x   ", tok), want, "{tok}");
            assert_eq!(num_at_end("", tok), want, "{tok}");
        }
        for tok in [".", "-", "1.2.3", "1a", "+-1", "1,2.3", "12345678a", "--1"] {
            assert_eq!(num_at_end("        x   ", tok), None, "{tok}");
        }
        assert_eq!(eight_digits(u64::from_le_bytes(*b"12345678")), 12_345_678);
    }

    proptest! {
        #[test]
        fn num_at_agrees_with_std(tok in "-?[0-9]{0,9}([.][0-9]{0,4})?", pad in "[ a-z0-9.]{0,12}") {
            prop_assume!(!tok.is_empty());
            let want = tok.parse::<f64>().ok().filter(|v| v.is_finite());
            prop_assert_eq!(num_at_end(&format!("{pad} "), &tok), want, "{:?}", tok);
        }

        /// The row parser's fast path reads every token as the plain loop does, odd ones
        /// (several points, commas, signs) included.
        #[test]
        fn fast_path_agrees_with_decimal(tok in "[-+0-9.,]{1,10}", pad in "[ a-z0-9.]{0,12}") {
            let line = format!("{pad} {tok}");
            let mut sp = Spans::default();
            sp.fill(line.as_bytes());
            let last = sp.len() - 1;
            prop_assert_eq!(sp.num(line.as_bytes(), last).map(Num::to_f64), decimal(tok.as_bytes()), "{:?}", tok);
        }

        #[test]
        fn decimal_agrees_with_std(int in 0u64..100_000_000_000u64, frac in 0u32..1_000_000u32,
                                   places in 0usize..7, neg: bool) {
            let f = format!("{frac:06}");
            let s = if places == 0 { format!("{}{int}", if neg { "-" } else { "" }) }
                    else { format!("{}{int}.{}", if neg { "-" } else { "" }, &f[..places]) };
            prop_assert_eq!(decimal(s.as_bytes()), s.parse::<f64>().ok(), "{}", s);
        }

        #[test]
        fn tokens_match_a_bytewise_split(s in proptest::collection::vec(
            prop_oneof![Just(b' '), Just(b'\t'), Just(b'a'), Just(b'1'), Just(0xc3u8), Just(0u8), any::<u8>()], 0..70)) {
            let want: Vec<&[u8]> = s.split(|&b| b <= b' ').filter(|t| !t.is_empty()).collect();
            let mut t = Tokens::new(&s);
            let got: Vec<&[u8]> = std::iter::from_fn(|| t.next()).collect();
            prop_assert_eq!(got, want);
        }

        #[test]
        fn spans_match_a_bytewise_split(s in proptest::collection::vec(
            prop_oneof![Just(b' '), Just(b'a'), Just(b'1'), any::<u8>()], 0..700)) {
            let want: Vec<&[u8]> = s.split(|&b| b <= b' ').filter(|t| !t.is_empty()).collect();
            let mut sp = Spans::default();
            sp.fill(&s);
            let got: Vec<&[u8]> = (0..sp.len()).filter_map(|i| sp.tok(&s, i)).collect();
            prop_assert_eq!(sp.len(), want.len().min(MAX_TOKENS));
            prop_assert_eq!(&got[..], &want[..want.len().min(MAX_TOKENS)]);
        }

        /// `Lines` gives the lines a split at `\n` gives (a trailing `\r` dropped), each with the
        /// tokens `Spans::fill` finds in it, for chunks of any length around the 64-byte blocks,
        /// with CRs, control bytes and lines of more than MAX_TOKENS tokens.
        #[test]
        fn lines_agree_with_split_and_fill(s in proptest::collection::vec(
            prop_oneof![4 => Just(b' '), 2 => Just(b'\n'), 1 => Just(b'\r'), 3 => Just(b'a'), 1 => Just(b'1'),
                        1 => any::<u8>()], 0..1200)) {
            let mut sp = Spans::default();
            let mut lines = Lines::new(&s);
            let mut want_sp = Spans::default();
            for (n, raw) in s.split(|&b| b == b'\n').enumerate() {
                let want = raw.strip_suffix(b"\r").unwrap_or(raw);
                let got = lines.next(&mut sp);
                prop_assert_eq!(got, Some(want), "line {}", n);
                want_sp.fill(want);
                prop_assert_eq!(sp.len(), want_sp.len(), "line {}", n);
                for i in 0..sp.len() {
                    prop_assert_eq!(sp.tok(want, i), want_sp.tok(want, i), "line {} token {}", n, i);
                }
            }
            prop_assert_eq!(lines.next(&mut sp), None);
            // The same with AVX2, where the CPU has it.
            if let Some(avx2) = Avx2::detect() {
                let (mut plain, mut wide) = (Lines::new(&s), Lines::new(&s));
                let mut wide_sp = Spans::default();
                loop {
                    let (a, b) = (plain.next(&mut sp), wide.next_with(&mut wide_sp, avx2));
                    prop_assert_eq!(a, b);
                    let Some(line) = a else { break };
                    prop_assert_eq!(sp.len(), wide_sp.len());
                    for i in 0..sp.len() {
                        prop_assert_eq!(sp.tok(line, i), wide_sp.tok(line, i));
                    }
                }
            }
        }

        /// The AVX2 masks are the SSE2 ones.
        #[test]
        fn avx2_masks_agree(block in proptest::collection::vec(
            prop_oneof![2 => Just(b' '), 1 => Just(b'\n'), 1 => Just(0x20u8), 1 => Just(0x21u8), 4 => any::<u8>()], 64)) {
            let block = <[u8; 64]>::try_from(block.as_slice()).unwrap();
            if let Some(avx2) = Avx2::detect() {
                prop_assert_eq!(avx2.masks(&block), masks(&block));
            }
            prop_assert_eq!(Baseline.masks(&block), masks(&block));
        }

        #[test]
        fn decimal_never_panics(s in proptest::collection::vec(any::<u8>(), 0..30)) {
            let _ = decimal(&s);
            let _ = clock(&s);
            let _ = banner(&s);
        }
    }
}
