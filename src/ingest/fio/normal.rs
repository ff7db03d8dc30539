//! fio's normal (human-readable) output, fio 2.x and 3.x.
//!
//! One invocation prints job headers (`name: (g=0): rw=randread, bs=..., ioengine=...,
//! iodepth=1`, `...` for clones), the `fio-3.33` banner, `Starting N processes`, progress
//! (`Jobs: ...`), then one result block per job (`name: (groupid=0, jobs=1): err= 0: ...`, or
//! one per clone without `group_reporting`), `Run status group N (all jobs):` totals and
//! `Disk stats (read/write):`. Invocations appended to one log are split where a header, a
//! banner or a result block follows results. fio 2.x blocks say `read : io=..., bw=...KB/s,
//! iops=..., runt=...msec`, fio 3.x blocks `read: IOPS=..., BW=...MiB/s (...MB/s)(.../...msec)`.

use std::collections::BTreeMap;

use super::{
    banner_version, bs_word, is_version, merge_clones, out_bytes, pick_disk_util, us_per, workload_from_name,
    workload_from_rw, BsRange, Ddir, DirStats, Draft, Found, Job, Lat, Line,
};
use crate::ingest::text;
use crate::model::{fact, Params};

/// A job header: `name: (g=0): rw=randread, bs=(R) 4096B-4096B, ..., ioengine=libaio, iodepth=1`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Header {
    /// Job name, trimmed.
    pub name: String,
    /// Group.
    pub g: i64,
    /// `rw=` as printed.
    pub rw: Option<String>,
    /// `bs=` in the canonical spelling (see [`bs_word`]), or as printed if it does not parse.
    pub bs: Option<String>,
    /// `ioengine=`.
    pub ioengine: Option<String>,
    /// `iodepth=`.
    pub iodepth: Option<String>,
    /// 1-based line.
    pub line: usize,
}

/// The job header on `t`, if it is one.
pub(crate) fn parse_header(t: &str) -> Option<Header> {
    let (name, rest) = t.split_once(": (g=")?;
    let (g, rest) = rest.split_once("): ")?;
    let g = g.trim().parse::<i64>().ok()?;
    if !rest.starts_with("rw=") {
        return None;
    }
    let mut header =
        Header { name: job_name(name), g, rw: None, bs: None, ioengine: None, iodepth: None, line: 0 };
    // Split at ", " but keep bs's "(W) ..." and "(T) ..." parts with it.
    let mut parts: Vec<String> = Vec::new();
    for seg in rest.split(", ") {
        match parts.last_mut() {
            Some(last) if seg.starts_with('(') => {
                last.push_str(", ");
                last.push_str(seg);
            }
            _ => parts.push(seg.to_string()),
        }
    }
    for p in parts {
        let Some((k, v)) = p.split_once('=') else { continue };
        let v = v.trim().to_string();
        match k.trim() {
            "rw" => header.rw = Some(v),
            "bs" => header.bs = Some(text_bs(&v).unwrap_or(v)),
            "ioengine" => header.ioengine = Some(v),
            "iodepth" => header.iodepth = Some(super::int_word(&v)),
            _ => {}
        }
    }
    Some(header)
}

/// A job name before `: (g=` or `: (groupid=`, trimmed; when progress lines were glued onto it
/// (`Jobs: 1 (f=1): [R(1)] [eta 00m:00s]name`), what follows the last `]`.
fn job_name(raw: &str) -> String {
    let t = raw.trim();
    if t.starts_with("Jobs:") {
        if let Some(i) = t.rfind(']') {
            return t[i + 1..].trim().to_string();
        }
    }
    t.to_string()
}

/// The block sizes of a header's `bs=` (fio 3: `(R) 4096B-4096B, (W) 16.0KiB-16.0KiB, (T) ...`;
/// fio 2: `4K-4K/4K-4K/4K-4K`) in the canonical spelling.
fn text_bs(v: &str) -> Option<String> {
    let (pieces, si_decimal): (Vec<&str>, bool) = if v.contains("(R)") || v.contains("(W)") {
        (
            v.split(',').map(|p| p.trim().trim_start_matches(|c| c != ')').trim_start_matches(')')).collect(),
            true,
        )
    } else {
        (v.split('/').collect(), false)
    };
    let mut dirs: Vec<BsRange> = Vec::new();
    for p in pieces {
        let p = p.trim();
        let (lo, hi) = p.split_once('-').unwrap_or((p, p));
        dirs.push((out_bytes(lo, si_decimal)?, out_bytes(hi, si_decimal)?));
    }
    (!dirs.is_empty()).then(|| bs_word(&dirs))
}

/// Returns true if and only if `t` is a result block header:
/// `name: (groupid=0, jobs=1): err= 0: pid=1234: <date>`.
pub(crate) fn is_block_header(t: &str) -> bool {
    t.contains(": (groupid=") && t.contains(", jobs=") && t.contains("): err=")
}

/// A result block header as an empty [`Job`] (name, group, members, error) and its date.
fn parse_block_header(t: &str, line: usize) -> Option<(Job, String)> {
    let (name, rest) = t.split_once(": (groupid=")?;
    let (gid, rest) = rest.split_once(", jobs=")?;
    let (members, rest) = rest.split_once("): err=")?;
    let rest = rest.trim_start();
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == '-').len();
    let error = rest[..digits].parse::<i64>().unwrap_or(0);
    let rest = &rest[digits..];
    let mut error_text = String::new();
    if let Some(r) = rest.trim_start().strip_prefix('(') {
        if let Some(end) = r.rfind("): pid=").or_else(|| r.rfind(')')) {
            error_text = r[..end].trim().to_string();
        }
    }
    let date = text::after(rest, "pid=")
        .map(|r| {
            r.trim_start_matches(|c: char| c.is_ascii_digit()).trim_start_matches(':').trim().to_string()
        })
        .unwrap_or_default();
    let job = Job {
        name: job_name(name),
        groupid: gid.trim().parse().unwrap_or(0),
        error,
        error_text,
        members: members.trim().parse().unwrap_or(1),
        first_line: line,
        last_line: line,
        ..Job::default()
    };
    Some((job, date))
}

/// A direction line of a result block, fio 3 (`read: IOPS=236k, BW=920MiB/s (965MB/s)(53.9GiB/
/// 60001msec)`) or fio 2 (`read : io=29854MB, bw=254727KB/s, iops=63647, runt=120014msec`).
fn parse_dir_line(t: &str) -> Option<(Ddir, DirStats)> {
    let (word, rest) = t.split_once(':')?;
    let d = Ddir::from_word(word)?;
    let rest = rest.trim();
    let mut s = DirStats::default();
    if let Some(r) = rest.strip_prefix("IOPS=") {
        s.iops = text::num_si(r.split(',').next()?);
        let b = text::after(r, "BW=")?;
        let open = b.find('(');
        let bw1 = b[..open.unwrap_or(b.len())].trim();
        let mut groups = paren_groups(b);
        let bw2 = groups.next();
        s.bw_kib = pick_iec(bw1, bw2).map(|v| v / 1024.0);
        if let Some((io, run)) = groups.next().and_then(|g| g.rsplit_once('/')) {
            s.io_kib = out_bytes(io, true).map(|v| v / 1024.0);
            s.runtime_ms = ms(run);
        }
    } else if rest.starts_with("io=") {
        for (k, v) in pairs(rest) {
            match k {
                "io" => s.io_kib = out_bytes(v, false).map(|b| b / 1024.0),
                "bw" => s.bw_kib = out_bytes(v, false).map(|b| b / 1024.0),
                "iops" => s.iops = text::num_si(v),
                "runt" => s.runtime_ms = ms(v),
                _ => {}
            }
        }
    } else {
        return None;
    }
    Some((d, s))
}

/// The contents of each `( ... )` in `s`, in order.
fn paren_groups(s: &str) -> impl Iterator<Item = &str> {
    s.split('(').skip(1).filter_map(|p| p.split_once(')').map(|(inside, _)| inside.trim()))
}

/// Of two printings of one rate or size (`920MiB/s` and `965MB/s`), the IEC one in bytes.
fn pick_iec(a: &str, b: Option<&str>) -> Option<f64> {
    let iec = |s: &str| s.contains("iB") || s.contains("ibit");
    match b {
        Some(b) if !iec(a) && iec(b) => out_bytes(b, true).or_else(|| out_bytes(a, true)),
        _ => out_bytes(a, true).or_else(|| b.and_then(|b| out_bytes(b, true))),
    }
}

/// `60001msec` or `60001` as milliseconds.
fn ms(s: &str) -> Option<f64> {
    let s = s.trim();
    text::num(s.strip_suffix("msec").unwrap_or(s))
}

/// `key=value` pairs of a comma-separated list, trimmed.
fn pairs(s: &str) -> impl Iterator<Item = (&str, &str)> {
    s.split(',').filter_map(|p| p.split_once('=')).map(|(k, v)| (k.trim(), v.trim()))
}

/// A latency line: `slat (usec): min=4, max=16749, avg= 8.44, stdev= 6.38`, `clat (nsec): ...
/// max=124007k ...`, `lat (msec): ...`. Not the distribution lines (`lat (usec)   : 250=71.26%`)
/// and not per-priority lines (`clat prio 1/0/0 (usec): ...`).
fn parse_lat_line(t: &str) -> Option<(&str, Lat)> {
    let (kind, rest) = t.split_once(" (")?;
    let kind = kind.trim();
    if !matches!(kind, "slat" | "clat" | "lat") {
        return None;
    }
    let (unit, rest) = rest.split_once(')')?;
    let k = us_per(unit)?;
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    if !rest.starts_with("min=") {
        return None;
    }
    let mut lat = Lat::default();
    let mut seen = 0;
    for (key, v) in pairs(rest) {
        let v = text::num_si(v)?;
        match key {
            "min" => lat.min = v,
            "max" => lat.max = v,
            "avg" => lat.mean = v,
            "stdev" => lat.stdev = v,
            _ => continue,
        }
        seen += 1;
    }
    (seen == 4).then(|| (kind, lat.scaled(k)))
}

/// The entries of a percentile row `|  1.00th=[   82],  5.00th=[   86], ...` as (percentile,
/// value in the block's unit).
fn parse_pct_row(t: &str) -> Vec<(f64, f64)> {
    t.trim_start_matches('|')
        .split(']')
        .filter_map(|seg| {
            let seg = seg.trim_start_matches([',', ' ', '|']);
            let (p, v) = seg.split_once("th=[")?;
            Some((text::num(p)?, text::num_si(v)?))
        })
        .collect()
}

/// The disk of a `Disk stats` line (`sda: ios=.../..., ..., util=100.00%`): name and util.
fn parse_disk_line(t: &str) -> Option<(String, f64)> {
    let (name, rest) = t.split_once(": ")?;
    if !rest.contains("ios=") {
        return None;
    }
    let util = pairs(rest).find(|(k, _)| *k == "util").and_then(|(_, v)| text::num(v))?;
    Some((name.trim().to_string(), util))
}

/// A `Run status group` line: `READ: bw=920MiB/s (965MB/s), ..., io=53.9GiB (57.9GB),
/// run=60001-60001msec` (fio 3) or `READ: io=29854MB, aggrb=254726KB/s, ..., maxt=120014msec`
/// (fio 2).
fn parse_summary_line(t: &str) -> Option<(Ddir, DirStats)> {
    let (word, rest) = t.split_once(':')?;
    let d = Ddir::from_word(word)?;
    let rest = rest.trim();
    let mut s = DirStats::default();
    if rest.contains("aggrb=") {
        for (k, v) in pairs(rest) {
            match k {
                "io" => s.io_kib = out_bytes(v, false).map(|b| b / 1024.0),
                "aggrb" => s.bw_kib = out_bytes(v, false).map(|b| b / 1024.0),
                "maxt" => s.runtime_ms = ms(v),
                _ => {}
            }
        }
    } else if rest.starts_with("bw=") {
        for (k, v) in pairs(rest) {
            let first = v.split_whitespace().next().unwrap_or("");
            let second = paren_groups(v).next();
            match k {
                "bw" => s.bw_kib = pick_iec(first, second).map(|b| b / 1024.0),
                "io" => s.io_kib = pick_iec(first, second).map(|b| b / 1024.0),
                "run" => s.runtime_ms = ms(v.rsplit('-').next().unwrap_or(v)),
                _ => {}
            }
        }
    } else {
        return None;
    }
    Some((d, s))
}

/// Totals of one `Run status group`.
#[derive(Debug, Clone, Default)]
struct Summary {
    /// Group id.
    g: i64,
    /// 1-based line of `Run status group`.
    line: usize,
    /// Last line of its totals.
    last: usize,
    /// Totals per direction.
    dirs: Vec<(Ddir, DirStats)>,
}

/// Where in an invocation the reader is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    /// Headers, banner, progress.
    Top,
    /// Inside a result block, in direction `Option<Ddir>`.
    Block(Option<Ddir>),
    /// After `Run status group`.
    Summary,
    /// After `Disk stats`.
    Disk,
}

/// Where the rows of a percentile table go.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Pct {
    /// No table open.
    Off,
    /// `clat percentiles (unit)` of a direction: microseconds per unit.
    Into(Ddir, f64),
    /// Another table (`lat`, `slat`, `sync`, per priority): rows skipped.
    Skip,
}

/// One fio invocation's normal output.
#[derive(Debug, Clone, Default)]
struct Inv {
    /// 1-based first line, 0 while nothing was seen.
    first: usize,
    /// 1-based last line.
    last: usize,
    version: Option<String>,
    headers: Vec<Header>,
    /// Result blocks with their dates.
    blocks: Vec<(Job, String)>,
    summaries: Vec<Summary>,
    disks: Vec<(String, f64)>,
    /// A `fio: ... err=` line was seen.
    err_note: bool,
    /// `Run status group` or `Disk stats` was seen.
    results_done: bool,
}

impl Inv {
    fn touch(&mut self, line: usize) {
        if self.first == 0 {
            self.first = line;
        }
        self.last = self.last.max(line);
    }

    fn is_empty(&self) -> bool {
        self.headers.is_empty() && self.blocks.is_empty() && self.summaries.is_empty()
    }
}

/// Reads the normal output in `lines` (which hold no JSON or terse output) into drafts.
pub(super) fn parse(lines: &[Line], found: &mut Found) {
    let mut inv = Inv::default();
    let mut state = State::Top;
    let mut pct = Pct::Off;
    for l in lines {
        let t = l.text.trim();
        if t.is_empty() {
            pct = Pct::Off;
            continue;
        }
        if let Some(mut h) = parse_header(t) {
            if inv.results_done || !inv.blocks.is_empty() {
                flush(std::mem::take(&mut inv), found);
            }
            h.line = l.no;
            inv.headers.push(h);
            inv.touch(l.no);
            state = State::Top;
            continue;
        }
        if let Some(version) = banner_version(t) {
            if inv.results_done || !inv.blocks.is_empty() {
                flush(std::mem::take(&mut inv), found);
            }
            inv.version = Some(version);
            inv.touch(l.no);
            state = State::Top;
            continue;
        }
        // fio 2.0.8 prints its version bare (`2.0.8`), after the job headers and before the
        // results; a bare number anywhere else is not fio's.
        if !inv.headers.is_empty() && inv.blocks.is_empty() && !inv.results_done && inv.version.is_none() {
            if let Some(v) = Some(t.trim()).filter(|v| is_version(v)) {
                inv.version = Some(format!("fio-{v}"));
                inv.touch(l.no);
                continue;
            }
        }
        if let Some((job, date)) = is_block_header(t).then(|| parse_block_header(t, l.no)).flatten() {
            if inv.results_done {
                // Results printed again without a header (--status-interval, or a log cut
                // before the header): a new invocation with the same jobs.
                let next =
                    Inv { headers: inv.headers.clone(), version: inv.version.clone(), ..Inv::default() };
                flush(std::mem::replace(&mut inv, next), found);
            }
            inv.blocks.push((job, date));
            inv.touch(l.no);
            state = State::Block(None);
            pct = Pct::Off;
            continue;
        }
        if let Some(rest) = t.strip_prefix("Run status group ") {
            inv.results_done = true;
            let g = rest.split_whitespace().next().and_then(|g| g.parse().ok());
            inv.summaries.push(Summary { g: g.unwrap_or(0), line: l.no, last: l.no, dirs: Vec::new() });
            inv.touch(l.no);
            state = State::Summary;
            continue;
        }
        if t.starts_with("Disk stats") {
            inv.results_done = true;
            inv.touch(l.no);
            state = State::Disk;
            continue;
        }
        if t.starts_with("fio: ") {
            inv.err_note |= t.contains("err=");
            if inv.first != 0 {
                inv.touch(l.no);
            }
            continue;
        }
        match state {
            State::Summary => {
                if let Some((d, s)) = parse_summary_line(t) {
                    if let Some(sum) = inv.summaries.last_mut() {
                        sum.dirs.push((d, s));
                        sum.last = l.no;
                    }
                    inv.touch(l.no);
                    continue;
                }
            }
            State::Disk => {
                if let Some(disk) = parse_disk_line(t) {
                    inv.disks.push(disk);
                    inv.touch(l.no);
                    continue;
                }
            }
            State::Block(dir) => {
                if block_line(t, dir, &mut state, &mut pct, &mut inv) {
                    if let Some((job, _)) = inv.blocks.last_mut() {
                        job.last_line = l.no;
                    }
                    inv.touch(l.no);
                    continue;
                }
            }
            State::Top => {}
        }
        // Other lines fio prints around its results.
        if inv.first != 0
            && (t == "..."
                || t.starts_with("Starting ")
                || t.starts_with("Jobs:")
                || t.contains(": Laying out IO file"))
        {
            inv.touch(l.no);
        }
        state = match state {
            State::Summary | State::Disk => State::Top,
            s => s,
        };
    }
    flush(inv, found);
}

/// Reads one line of a result block. Returns false if the line is not part of the block.
fn block_line(t: &str, dir: Option<Ddir>, state: &mut State, pct: &mut Pct, inv: &mut Inv) -> bool {
    let Some((job, _)) = inv.blocks.last_mut() else { return false };
    if t.starts_with('|') {
        if let Pct::Into(d, k) = *pct {
            let stats = job.dir_mut(d);
            stats.pcts.extend(parse_pct_row(t).into_iter().map(|(p, v)| (p, super::scale(v, k))));
        }
        return true;
    }
    if let Some((d, s)) = parse_dir_line(t) {
        job.dirs[d.idx()] = Some(s);
        *state = State::Block(Some(d));
        *pct = Pct::Off;
        return true;
    }
    if let Some(rest) = t.strip_prefix("clat percentiles (") {
        *pct = match (dir, rest.split_once(')').and_then(|(u, _)| us_per(u))) {
            (Some(d), Some(k)) => Pct::Into(d, k),
            _ => Pct::Skip,
        };
        return true;
    }
    if t.contains("percentiles (") {
        *pct = Pct::Skip;
        return true;
    }
    if let Some((kind, lat)) = parse_lat_line(t) {
        if let Some(d) = dir {
            let stats = job.dir_mut(d);
            let lat = lat.nonzero();
            match kind {
                "slat" => stats.slat = lat,
                "clat" => stats.clat = lat,
                _ => stats.lat = lat,
            }
        }
        return true;
    }
    if t.starts_with("fsync/fdatasync") {
        *state = State::Block(None);
        return true;
    }
    if t.starts_with("cpu") && t.contains("usr=") {
        for (k, v) in pairs(t.split_once(':').map(|(_, r)| r).unwrap_or("")) {
            match k {
                "usr" => job.cpu_usr = text::num(v),
                "sys" => job.cpu_sys = text::num(v),
                "ctx" => job.ctx = text::num_si(v),
                _ => {}
            }
        }
        return true;
    }
    if t.starts_with("issued") {
        if let Some(total) = text::after(t, "total=") {
            let total = total.split([' ', ',']).next().unwrap_or("");
            let counts: Vec<(Ddir, Option<f64>)> = if total.contains('/') {
                // fio 2: total=r=7638626/w=0/d=0
                total
                    .split('/')
                    .filter_map(|p| p.split_once('='))
                    .filter_map(|(k, v)| {
                        let d = match k {
                            "r" => Ddir::Read,
                            "w" => Ddir::Write,
                            "d" | "t" => Ddir::Trim,
                            _ => return None,
                        };
                        Some((d, text::num(v)))
                    })
                    .collect()
            } else {
                // fio 3: total=14917,14874,0,29788 (read, write, trim, sync)
                let all = text::after(t, "total=").unwrap_or("");
                let list = all.split_whitespace().next().unwrap_or("");
                [Ddir::Read, Ddir::Write, Ddir::Trim]
                    .into_iter()
                    .zip(list.split(',').map(text::num))
                    .collect()
            };
            for (d, n) in counts {
                if let Some(stats) = job.dirs[d.idx()].as_mut() {
                    stats.ios = n;
                }
            }
        }
        return true;
    }
    // The other indented lines of a block: bw/iops sample stats, latency buckets, IO depths.
    t.starts_with("bw ")
        || t.starts_with("bw(")
        || t.starts_with("iops")
        || t.starts_with("lat (")
        || t.starts_with("IO depths")
        || t.starts_with("submit")
        || t.starts_with("complete")
        || t.starts_with("latency")
        || t.starts_with("sync (")
        || t.starts_with("errors")
        || t.starts_with("clat prio")
        || t.starts_with("lat prio")
        || t.starts_with("Description")
        || t.starts_with("steadystate")
        || t.starts_with("block lifetime")
        || t.starts_with("states")
}

/// Turns a finished invocation into drafts.
fn flush(inv: Inv, found: &mut Found) {
    if inv.is_empty() {
        return;
    }
    let origin = found.next_origin();
    // Result blocks of one job (its clones), in order of first appearance.
    let mut jobs: Vec<(String, i64, Vec<Job>, String)> = Vec::new();
    for (job, date) in &inv.blocks {
        match jobs.iter_mut().find(|(n, g, _, _)| *n == job.name && *g == job.groupid) {
            Some(entry) => entry.2.push(job.clone()),
            None => jobs.push((job.name.clone(), job.groupid, vec![job.clone()], date.clone())),
        }
    }
    let mut used_jobs = vec![false; jobs.len()];
    let mut used_sums = vec![false; inv.summaries.len()];
    let mut drafts: Vec<Draft> = Vec::new();
    let group_has_block = |g: i64| jobs.iter().any(|(_, jg, _, _)| *jg == g);
    let mut seen_headers: Vec<(String, i64)> = Vec::new();
    for h in &inv.headers {
        if seen_headers.iter().any(|(n, g)| *n == h.name && *g == h.g) {
            continue;
        }
        seen_headers.push((h.name.clone(), h.g));
        if let Some(k) = jobs.iter().position(|(n, g, _, _)| *n == h.name && *g == h.g) {
            used_jobs[k] = true;
            drafts.push(block_draft(&jobs[k], Some(h), &inv, origin));
        } else if let Some(k) = (!group_has_block(h.g))
            .then(|| (0..inv.summaries.len()).find(|&k| !used_sums[k] && inv.summaries[k].g == h.g))
            .flatten()
        {
            used_sums[k] = true;
            drafts.push(summary_draft(&inv.summaries[k], Some(h), &inv, origin));
        } else if inv.err_note || (!group_has_block(h.g) && !inv.summaries.iter().any(|s| s.g == h.g)) {
            drafts.push(empty_draft(h, &inv, origin));
        }
        // Else the job's results are in another job's block (group_reporting).
    }
    for (k, entry) in jobs.iter().enumerate() {
        if !used_jobs[k] {
            let header = inv.headers.iter().find(|h| h.name == entry.0);
            drafts.push(block_draft(entry, header, &inv, origin));
        }
    }
    for (k, s) in inv.summaries.iter().enumerate() {
        if !used_sums[k] && !group_has_block(s.g) && !s.dirs.is_empty() {
            drafts.push(summary_draft(s, None, &inv, origin));
        }
    }
    // The invocation's lines before the first result block belong to the first run, and those
    // after the last one (totals, disk stats) to the last run with results.
    if let Some(d) = drafts.first_mut() {
        d.first_line = d.first_line.min(inv.first).max(1);
    }
    let last = drafts.iter().rposition(|d| d.empty.is_none()).or(drafts.len().checked_sub(1));
    if let Some(d) = last.and_then(|k| drafts.get_mut(k)) {
        d.last_line = d.last_line.max(inv.last);
    }
    found.drafts.extend(drafts);
}

/// Params, workload and facts shared by the drafts of an invocation.
fn base_draft(name: &str, header: Option<&Header>, inv: &Inv, origin: usize) -> Draft {
    let mut params = Params::new();
    if let Some(h) = header {
        for (k, v) in [("rw", &h.rw), ("bs", &h.bs), ("ioengine", &h.ioengine), ("iodepth", &h.iodepth)] {
            if let Some(v) = v {
                let v = if k == "rw" && v.starts_with("readwrite") {
                    v.replacen("readwrite", "rw", 1)
                } else {
                    v.clone()
                };
                params.insert(k.into(), v);
            }
        }
    }
    if !name.is_empty() {
        params.insert("job".into(), name.to_string());
    }
    let mut facts = BTreeMap::new();
    if !inv.disks.is_empty() {
        let names: Vec<&str> = inv.disks.iter().map(|(n, _)| n.as_str()).collect();
        facts.insert("disks".into(), names.join(","));
    }
    Draft {
        workload: header
            .and_then(|h| h.rw.as_deref())
            .map(workload_from_rw)
            .unwrap_or_else(|| workload_from_name(name)),
        params,
        facts,
        version: inv.version.clone(),
        disk_util: pick_disk_util(&inv.disks, None),
        origin,
        ..Draft::default()
    }
}

/// The draft of a job with result blocks.
fn block_draft(
    entry: &(String, i64, Vec<Job>, String),
    header: Option<&Header>,
    inv: &Inv,
    origin: usize,
) -> Draft {
    let (name, _, clones, date) = entry;
    // Each clone's run time (its longest direction) weights its CPU percentages.
    let clones: Vec<Job> = clones
        .iter()
        .cloned()
        .map(|mut c| {
            c.run_ms = c.dirs.iter().flatten().filter_map(|s| s.runtime_ms).reduce(f64::max);
            c
        })
        .collect();
    let job = merge_clones(clones);
    let mut d = base_draft(name, header, inv, origin);
    d.params.insert("numjobs".into(), job.members.max(1).to_string());
    if !date.is_empty() {
        d.facts.insert(fact::DATE.into(), date.clone());
    }
    d.first_line = job.first_line;
    d.last_line = job.last_line;
    if !job.did_io() {
        d.empty = Some((
            job.first_line,
            "truncated",
            format!(
                "the result block of fio job '{name}' at line {} has no read/write/trim line",
                job.first_line
            ),
        ));
    }
    d.job = job;
    d
}

/// The draft of a group that has `Run status group` totals but no result block.
fn summary_draft(s: &Summary, header: Option<&Header>, inv: &Inv, origin: usize) -> Draft {
    let name = header.map(|h| h.name.as_str()).unwrap_or("");
    let mut d = base_draft(name, header, inv, origin);
    let mut job =
        Job { name: name.to_string(), groupid: s.g, first_line: s.line, last_line: s.last, ..Job::default() };
    for (dir, stats) in &s.dirs {
        job.dirs[dir.idx()] = Some(stats.clone());
    }
    d.first_line = s.line;
    d.last_line = s.last;
    d.issues.push(crate::model::LogIssue {
        line: s.line,
        kind: "truncated".into(),
        message: format!(
            "no result block for group {} before 'Run status group {}' at line {}: only the \
             group's totals (bandwidth, I/O, run time) are read",
            s.g, s.g, s.line
        ),
    });
    if !job.did_io() {
        d.empty = Some((
            s.line,
            "truncated",
            format!("'Run status group {}' at line {} has no totals", s.g, s.line),
        ));
    }
    d.job = job;
    d
}

/// The draft of a job that has a header but no results.
fn empty_draft(h: &Header, inv: &Inv, origin: usize) -> Draft {
    let mut d = base_draft(&h.name, Some(h), inv, origin);
    d.first_line = h.line;
    d.last_line = h.line;
    d.job =
        Job { name: h.name.clone(), groupid: h.g, first_line: h.line, last_line: h.line, ..Job::default() };
    d.empty = Some(if inv.err_note {
        (
            h.line,
            "fio_error",
            format!(
                "fio job '{}' (header at line {}) printed no results: fio reported an error",
                h.name, h.line
            ),
        )
    } else {
        (
            inv.last.max(h.line),
            "truncated",
            format!(
                "fio job '{}' (header at line {}) has no results: the output stops at line {} \
                 before its result block ('{}: (groupid=...'); the run was cut off or killed",
                h.name,
                h.line,
                inv.last.max(h.line),
                h.name
            ),
        )
    });
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    // Lines below are copied from real outputs: maxhbr__mvdiopt (fio-3.16/3.30),
    // brucechin__HardwareTest/fio.log (fio-2.2.10) and tests/fixtures/fio (fio-3.33).

    #[test]
    fn headers_of_both_generations() {
        let h = parse_header(
            "TEST: (g=0): rw=randread, bs=(R) 4096B-4096B, (W) 4096B-4096B, (T) 4096B-4096B, ioengine=libaio, iodepth=1",
        )
        .expect("fio 3 header");
        assert_eq!((h.name.as_str(), h.g), ("TEST", 0));
        assert_eq!(h.rw.as_deref(), Some("randread"));
        assert_eq!(h.bs.as_deref(), Some("4k"));
        assert_eq!(h.ioengine.as_deref(), Some("libaio"));
        assert_eq!(h.iodepth.as_deref(), Some("1"));
        let h = parse_header(
            "read64k-seq: (g=1): rw=read, bs=512K-512K/512K-512K/512K-512K, ioengine=libaio, iodepth=128",
        )
        .expect("fio 2 header");
        assert_eq!((h.name.as_str(), h.g, h.bs.as_deref()), ("read64k-seq", 1, Some("512k")));
        let h = parse_header("seqwrite: (g=0): rw=write, bs=(R) 64.0KiB-64.0KiB, (W) 64.0KiB-64.0KiB, (T) 64.0KiB-64.0KiB, ioengine=psync, iodepth=1")
            .expect("KiB header");
        assert_eq!(h.bs.as_deref(), Some("64k"));
        assert!(parse_header("TEST: (groupid=0, jobs=32): err= 0: pid=1255447: Fri Jul 29 14:39:35 2022")
            .is_none());
    }

    #[test]
    fn block_headers_with_and_without_errors() {
        let (job, date) = parse_block_header(
            "TEST: (groupid=0, jobs=32): err= 0: pid=1255447: Fri Jul 29 14:39:35 2022",
            6,
        )
        .expect("block header");
        assert_eq!((job.name.as_str(), job.groupid, job.members, job.error), ("TEST", 0, 32, 0));
        assert_eq!(date, "Fri Jul 29 14:39:35 2022");
        let (job, _) = parse_block_header(
            "j: (groupid=1, jobs=1): err= 5 (file:io_u.c:1747, func=io_u error, error=Input/output error): pid=7: Mon Jan  1 00:00:00 2024",
            1,
        )
        .expect("error header");
        assert_eq!(job.error, 5);
        assert_eq!(job.error_text, "file:io_u.c:1747, func=io_u error, error=Input/output error");
        assert_eq!(job_name("Jobs: 1 (f=1): [R(1)][100.0%][eta 00m:00s]rr"), "rr");
    }

    #[test]
    fn direction_lines_of_both_generations() {
        let (d, s) =
            parse_dir_line("read: IOPS=236k, BW=920MiB/s (965MB/s)(53.9GiB/60001msec)").expect("fio 3");
        assert_eq!(d, Ddir::Read);
        assert_eq!(s.iops, Some(236000.0));
        assert_eq!(s.bw_kib, Some(920.0 * 1024.0));
        assert_eq!(s.io_kib, Some(53.9 * 1024.0 * 1024.0));
        assert_eq!(s.runtime_ms, Some(60001.0));
        let (d, s) =
            parse_dir_line("write: IOPS=247, BW=992KiB/s (1015kB/s)(58.1MiB/60005msec); 0 zone resets")
                .expect("zone");
        assert_eq!((d, s.bw_kib, s.iops), (Ddir::Write, Some(992.0), Some(247.0)));
        let (d, s) =
            parse_dir_line("read : io=29854MB, bw=254727KB/s, iops=63647, runt=120014msec").expect("fio 2");
        assert_eq!(d, Ddir::Read);
        assert_eq!(s.io_kib, Some(29854.0 * 1024.0));
        assert_eq!(s.bw_kib, Some(254727.0));
        assert_eq!(s.iops, Some(63647.0));
        assert_eq!(s.runtime_ms, Some(120014.0));
        let (_, s) =
            parse_dir_line("read : io=31613MB, bw=554215KB/s, iops=1012, runt= 58410msec").expect("padded");
        assert_eq!(s.runtime_ms, Some(58410.0));
        assert!(parse_dir_line("lat (usec)   : 250=71.26%, 500=1.38%").is_none());
        // fio 2.0.8 (a published iometer run, and 2.0.6's `bw=156907 B/s` likewise): a rate
        // below 1 MiB/s in bytes, with a space, and `iops=185 ,`.
        let (d, s) =
            parse_dir_line("write: io=82079KB, bw=583462 B/s, iops=185 , runt=144052msec").expect("fio 2.0");
        assert_eq!(d, Ddir::Write);
        assert_eq!(s.bw_kib, Some(583462.0 / 1024.0));
        assert_eq!(s.iops, Some(185.0));
        assert_eq!(s.io_kib, Some(82079.0));
    }

    #[test]
    fn latency_lines_in_every_unit() {
        let (k, l) = parse_lat_line("clat (nsec): min=450, max=124007k, avg=126423.50, stdev=158712.29")
            .expect("nsec");
        assert_eq!(k, "clat");
        assert_eq!(l.max, 124007.0);
        assert_eq!(l.mean, 126.4235);
        let (k, l) = parse_lat_line("slat (usec): min=4, max=16749, avg= 8.44, stdev= 6.38").expect("usec");
        assert_eq!((k, l.mean, l.stdev), ("slat", 8.44, 6.38));
        let (k, l) = parse_lat_line("lat (msec): min=87, max=8046, avg=3880.43, stdev=833.00").expect("msec");
        assert_eq!((k, l.min, l.max), ("lat", 87000.0, 8046000.0));
        let (_, l) =
            parse_lat_line("slat (usec): min=5, max=2029.2K, avg=31006.82, stdev=244285.09").expect("K");
        assert_eq!(l.max, 2029200.0);
        assert!(parse_lat_line("lat (usec)   : 250=71.26%, 500=1.38%, 750=0.01%, 1000=0.01%").is_none());
        assert!(parse_lat_line("clat prio 1/0/0 (usec): min=1, max=2, avg=1.5, stdev=0.5").is_none());
        assert!(parse_lat_line("sync (nsec): min=20, max=3170, avg=83.08, stdev=58.74").is_none());
    }

    #[test]
    fn percentile_rows_summary_lines_and_disks() {
        assert_eq!(
            parse_pct_row("|  1.00th=[   82],  5.00th=[   86], 10.00th=[   90], 20.00th=[   96],"),
            vec![(1.0, 82.0), (5.0, 86.0), (10.0, 90.0), (20.0, 96.0)]
        );
        assert_eq!(parse_pct_row("| 99.99th=[ 6652]"), vec![(99.99, 6652.0)]);
        let (d, s) = parse_summary_line(
            "READ: bw=313MiB/s (328MB/s), 313MiB/s-313MiB/s (328MB/s-328MB/s), io=18.3GiB (19.7GB), run=60001-60001msec",
        )
        .expect("fio 3 totals");
        assert_eq!((d, s.bw_kib, s.runtime_ms), (Ddir::Read, Some(313.0 * 1024.0), Some(60001.0)));
        assert_eq!(s.io_kib, Some(18.3 * 1024.0 * 1024.0));
        let (d, s) = parse_summary_line(
            "WRITE: io=32151MB, aggrb=481127KB/s, minb=481127KB/s, maxb=481127KB/s, mint=68428msec, maxt=68428msec",
        )
        .expect("fio 2 totals");
        assert_eq!((d, s.bw_kib, s.runtime_ms), (Ddir::Write, Some(481127.0), Some(68428.0)));
        assert_eq!(
            parse_disk_line("sda: ios=8052327/8422437, merge=33014/35119, ticks=27862144/25831532, in_queue=53717252, util=99.83%"),
            Some(("sda".to_string(), 99.83))
        );
        assert_eq!(
            parse_disk_line("dm-0: ios=537282/130, merge=0/0, ticks=1882304/904, in_queue=1883208, util=100.00%, aggrios=538961/87, aggrmerge=4/43, aggrticks=106694/18, aggrin_queue=64, aggrutil=99.94%"),
            Some(("dm-0".to_string(), 100.0))
        );
    }
}
