//! fio terse output (`--minimal`, `--output-format=terse`), versions 2 to 5: one line of
//! `;`-separated fields per job, laid out as `man fio` (section TERSE OUTPUT) and fio's
//! `stat.c` write them:
//!
//! - header: `terse version;fio version;jobname;groupid;error` (v2 has no fio version);
//! - per direction (read, write, and trim except in v3), 41 fields (47 in v5): I/O KiB,
//!   bandwidth KiB/s, IOPS, runtime ms, slat min/max/mean/stdev (us), clat min/max/mean/stdev
//!   (us), 20 clat percentiles `p%=us`, lat min/max/mean/stdev (us), bw min/max/agg%/mean/stdev,
//!   and in v5 bw samples and iops min/max/mean/stdev/samples;
//! - CPU: usr%, sys%, context switches, major and minor faults;
//! - I/O depths (7), latency buckets in us (10) and ms (12);
//! - from v3, disk utilisation: 9 fields per disk (name, ios, merges, ticks, in_queue, util%).
//!
//! fio 2 wrote v2 without the trim direction; which one a v2 line is follows from its length.
//! Terse output does not print rw or any other option.

use std::collections::BTreeMap;

use super::{
    merge_clones, pick_disk_util, workload_from_name, Ddir, DirStats, Draft, Found, Job, Lat, Line, Note,
};
use crate::ingest::{text, Diagnostic};
use crate::model::Params;

/// Fields of the header, per version.
fn header_len(version: u32) -> usize {
    if version == 2 {
        4
    } else {
        5
    }
}

/// Fields after the directions: CPU (5), I/O depths (7), latency buckets (10 + 12).
const TAIL: usize = 5 + 7 + 10 + 12;

/// Returns true if and only if `t` is a terse line: `3;fio-...`, `4;fio-...`, `5;fio-...`, or a
/// `2;...` line, with at least 100 fields.
pub(crate) fn is_terse(t: &str) -> bool {
    let mut it = t.splitn(3, ';');
    let ok = match (it.next(), it.next()) {
        (Some("3" | "4" | "5"), Some(v)) => v.starts_with("fio-"),
        (Some("2"), Some(_)) => true,
        _ => false,
    };
    ok && t.bytes().filter(|&b| b == b';').count() >= 100
}

/// One terse line, read.
#[derive(Debug, Clone)]
struct TerseLine {
    job: Job,
    version: Option<String>,
    /// Disk fields as printed, to tell clones (same disks) from repeated runs.
    disk_key: String,
    disks: Vec<(String, f64)>,
}

/// Reads the block of terse lines that starts at `lines[i]` (terse lines with blank lines and
/// `fio: ...` lines between them) and returns the index of the first line after it.
pub(super) fn parse_block(lines: &[Line], i: usize, found: &mut Found) -> usize {
    let mut parsed: Vec<TerseLine> = Vec::new();
    let mut j = i;
    while let Some(l) = lines.get(j) {
        let t = l.text.trim();
        if is_terse(t) {
            match parse_line(t, l.no) {
                Some(p) => parsed.push(p),
                None => found.warnings.push(Diagnostic::new(
                    l.no,
                    format!(
                        "terse line with {} fields is too short for its version: skipped",
                        t.split(';').count()
                    ),
                )),
            }
        } else if let Some(note) = Note::parse(l) {
            found.notes.push(note);
        } else if !t.is_empty() {
            break;
        }
        j += 1;
    }
    // Consecutive lines of the same job, group and disks are clones of one invocation.
    let mut groups: Vec<Vec<TerseLine>> = Vec::new();
    for p in parsed {
        match groups.last_mut() {
            Some(g)
                if g[0].job.name == p.job.name
                    && g[0].job.groupid == p.job.groupid
                    && g[0].version == p.version
                    && g[0].disk_key == p.disk_key =>
            {
                g.push(p)
            }
            _ => groups.push(vec![p]),
        }
    }
    // One block of terse lines is one invocation as far as fio's stderr lines go.
    let origin = found.next_origin();
    for g in groups {
        found.drafts.push(draft(g, origin));
    }
    j.max(i + 1)
}

/// The draft of one job's terse lines.
fn draft(lines: Vec<TerseLine>, origin: usize) -> Draft {
    let clones = lines.len();
    let version = lines[0].version.clone();
    let disks = lines[0].disks.clone();
    let job = merge_clones(lines.into_iter().map(|l| l.job).collect());
    let mut params = Params::new();
    if !job.name.is_empty() {
        params.insert("job".into(), job.name.clone());
    }
    if clones > 1 {
        params.insert("numjobs".into(), clones.to_string());
    }
    let mut facts = BTreeMap::new();
    if !disks.is_empty() {
        let names: Vec<&str> = disks.iter().map(|(n, _)| n.as_str()).collect();
        facts.insert("disks".into(), names.join(","));
    }
    let empty = (!job.did_io()).then(|| {
        if job.error != 0 {
            (
                job.first_line,
                "fio_error",
                format!(
                    "fio job '{}' (terse line {}) ended with error {} and did no I/O",
                    job.name, job.first_line, job.error
                ),
            )
        } else {
            (
                job.first_line,
                "warning",
                format!("fio job '{}' (terse line {}) did no I/O", job.name, job.first_line),
            )
        }
    });
    Draft {
        workload: workload_from_name(&job.name),
        params,
        facts,
        version,
        disk_util: pick_disk_util(&disks, None),
        first_line: job.first_line,
        last_line: job.last_line,
        issues: Vec::new(),
        empty,
        origin,
        job,
    }
}

/// Reads one terse line; `None` if it is too short for its version.
fn parse_line(t: &str, line: usize) -> Option<TerseLine> {
    let f: Vec<&str> = t.split(';').collect();
    let version: u32 = f.first()?.trim().parse().ok()?;
    let h = header_len(version);
    let per_dir = if version == 5 { 47 } else { 41 };
    let ndirs = match version {
        3 => 2,
        2 if f.len() < h + 3 * per_dir + TAIL => 2,
        _ => 3,
    };
    if f.len() < h + ndirs * per_dir + TAIL {
        return None;
    }
    let (fio_version, name, gid, err) = if version == 2 {
        (None, f[1], f[2], f[3])
    } else {
        (Some(f[1].trim().to_string()), f[2], f[3], f[4])
    };
    let mut job = Job {
        name: name.trim().to_string(),
        groupid: gid.trim().parse().unwrap_or(0),
        error: err.trim().parse().unwrap_or(0),
        members: 1,
        first_line: line,
        last_line: line,
        ..Job::default()
    };
    for (k, d) in [Ddir::Read, Ddir::Write, Ddir::Trim].into_iter().take(ndirs).enumerate() {
        let start = h + k * per_dir;
        job.dirs[d.idx()] = Some(dir(&f[start..start + per_dir]));
    }
    let cpu = h + ndirs * per_dir;
    job.cpu_usr = text::num(f[cpu]);
    job.cpu_sys = text::num(f[cpu + 1]);
    job.ctx = text::num(f[cpu + 2]);
    job.run_ms = job.dirs.iter().flatten().filter_map(|s| s.runtime_ms).reduce(f64::max);
    let mut disks = Vec::new();
    let mut pos = cpu + TAIL;
    let disk_start = pos;
    while pos + 9 <= f.len() {
        let name = f[pos].trim();
        if name.is_empty() || text::num(name).is_some() {
            break;
        }
        if name != "slaves" {
            if let Some(util) = text::num(f[pos + 8]) {
                disks.push((name.to_string(), util));
            }
        }
        pos += 9;
    }
    Some(TerseLine { job, version: fio_version, disk_key: f[disk_start..pos].join(";"), disks })
}

/// One direction's fields.
fn dir(f: &[&str]) -> DirStats {
    let n = |i: usize| f.get(i).and_then(|v| text::num(v));
    let lat = |i: usize| -> Option<Lat> {
        Lat { min: n(i)?, max: n(i + 1)?, mean: n(i + 2)?, stdev: n(i + 3)? }.nonzero()
    };
    let pcts = f
        .get(12..32)
        .unwrap_or(&[])
        .iter()
        .filter_map(|p| {
            let (pct, v) = p.split_once("%=")?;
            Some((text::num(pct)?, text::num(v)?))
        })
        .filter(|&(p, _)| p > 0.0)
        .collect();
    DirStats {
        io_kib: n(0),
        bw_kib: n(1),
        iops: n(2),
        runtime_ms: n(3),
        ios: None,
        slat: lat(4),
        clat: lat(8),
        lat: lat(32),
        pcts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The v3 line of mcgrof__fio-tests `...0011-bs4k-1j-1024qd-read.ini.out`, as committed.
    const V3: &str = "3;fio-3.8-83-g24a9;read;0;0;358973440;1196570;299142;300002;1011;4600;1193.690490;71.766439;616;6872;2069.630299;331.067789;1.000000%=1581;5.000000%=1679;10.000000%=1744;20.000000%=1826;30.000000%=1892;40.000000%=1957;50.000000%=2007;60.000000%=2072;70.000000%=2179;80.000000%=2277;90.000000%=2441;95.000000%=2605;99.000000%=3194;99.500000%=3751;99.900000%=4685;99.950000%=4947;99.990000%=5537;0%=0;0%=0;0%=0;2560;8147;3263.341754;334.170350;1146880;1245184;99.972888%;1196245.591667;15984.500072;0;0;0;0;0;0;0.000000;0.000000;0;0;0.000000;0.000000;1.000000%=0;5.000000%=0;10.000000%=0;20.000000%=0;30.000000%=0;40.000000%=0;50.000000%=0;60.000000%=0;70.000000%=0;80.000000%=0;90.000000%=0;95.000000%=0;99.000000%=0;99.500000%=0;99.900000%=0;99.950000%=0;99.990000%=0;0%=0;0%=0;0%=0;0;0;0.000000;0.000000;0;0;0.000000%;0.000000;0.000000;9.763634%;42.252526%;1886267;0;6309;0.0%;0.0%;0.0%;0.0%;0.0%;0.0%;100.0%;0.00%;0.00%;0.00%;0.00%;0.00%;0.00%;0.00%;0.00%;0.01%;0.01%;47.77%;51.87%;0.35%;0.00%;0.00%;0.00%;0.00%;0.00%;0.00%;0.00%;0.00%;0.00%;nvme0n1;2802720;0;86884320;0;3833616;0;3833303;92.89%";

    #[test]
    fn a_v3_line_is_read_field_by_field() {
        assert!(is_terse(V3));
        let t = parse_line(V3, 1).expect("v3");
        assert_eq!(t.version.as_deref(), Some("fio-3.8-83-g24a9"));
        assert_eq!(t.job.name, "read");
        let r = t.job.dirs[Ddir::Read.idx()].as_ref().expect("read");
        assert_eq!(r.io_kib, Some(358973440.0));
        assert_eq!(r.bw_kib, Some(1196570.0));
        assert_eq!(r.iops, Some(299142.0));
        assert_eq!(r.runtime_ms, Some(300002.0));
        assert_eq!(r.slat.map(|l| l.mean), Some(1193.690490));
        assert_eq!(r.clat.map(|l| l.mean), Some(2069.630299));
        assert_eq!(r.lat.map(|l| l.mean), Some(3263.341754));
        assert!(r.pcts.contains(&(50.0, 2007.0)) && r.pcts.contains(&(99.9, 4685.0)));
        assert!(!t.job.dirs[Ddir::Write.idx()].as_ref().expect("write").did_io());
        assert!(t.job.dirs[Ddir::Trim.idx()].is_none(), "v3 has no trim");
        assert_eq!(t.job.cpu_usr, Some(9.763634));
        assert_eq!(t.job.cpu_sys, Some(42.252526));
        assert_eq!(t.job.ctx, Some(1886267.0));
        assert_eq!(t.disks, vec![("nvme0n1".to_string(), 92.89)]);
    }

    #[test]
    fn short_or_foreign_lines_are_not_terse() {
        assert!(!is_terse("3;fio-3.1;;0;0;1;2"));
        assert!(!is_terse("1;2;3"));
        assert!(!is_terse(&V3.replacen("3;fio-", "3;xyz-", 1)));
        let cut: String = V3.split(';').take(110).collect::<Vec<_>>().join(";");
        assert!(is_terse(&cut));
        assert!(parse_line(&cut, 1).is_none(), "too short for v3");
    }
}
