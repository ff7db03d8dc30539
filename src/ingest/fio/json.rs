//! fio `--output-format=json` and `json+` documents, fio 2.x and 3.x schemas.
//!
//! fio 2.x writes latencies under `slat`/`clat`/`lat` in microseconds, `io_bytes` in KiB and
//! `bw` in KiB/s; fio 3.x writes `slat_ns`/`clat_ns`/`lat_ns` in nanoseconds, `io_bytes` in
//! bytes (plus `io_kbytes`) and, from 3.2 on, `bw_bytes`. json+ adds `bins` under the latency
//! objects, which are not read. A document starts at a line that begins with `{`; text before
//! it (fio's stderr) is left to the caller.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{
    merge_clones, params_from_options, pick_disk_util, workload_from_rw, Ddir, DirStats, Draft, Found, Job,
    Lat, Line,
};
use crate::ingest::{text, Diagnostic};
use crate::model::{fact, Params};

/// Reads the JSON document that starts on `lines[i]` and returns the index of the first line
/// after it. A document that does not parse becomes a warning (and the reason the file is
/// refused if nothing else in it has results), and reading goes on at the next line.
pub(super) fn parse_doc(text: &str, lines: &[Line], i: usize, found: &mut Found) -> usize {
    let Some(start_line) = lines.get(i) else { return i + 1 };
    let start = start_line.start.min(text.len());
    let Some(slice) = text.get(start..) else { return i + 1 };
    let mut stream = serde_json::Deserializer::from_str(slice).into_iter::<Value>();
    match stream.next() {
        Some(Ok(doc)) => {
            let end = start + stream.byte_offset();
            let end_idx = index_of_offset(lines, end.saturating_sub(1)).max(i);
            read_doc(&doc, &text[start..end.min(text.len())], lines, i, end_idx, found);
            end_idx + 1
        }
        Some(Err(e)) => {
            let at = start_line.no.saturating_add(e.line().saturating_sub(1));
            let msg = if e.is_eof() {
                format!(
                    "the JSON document that starts at line {} is cut off ({e}): expected the \
                     rest of fio's --output-format=json output",
                    start_line.no
                )
            } else {
                format!(
                    "the JSON document that starts at line {} is not valid JSON ({e}): expected \
                     fio's --output-format=json output",
                    start_line.no
                )
            };
            found.warnings.push(Diagnostic::new(at, msg.clone()));
            found.failures.push((at, msg));
            i + 1
        }
        None => i + 1,
    }
}

/// Index of the line holding byte `offset`.
fn index_of_offset(lines: &[Line], offset: usize) -> usize {
    lines.partition_point(|l| l.start <= offset).saturating_sub(1)
}

/// Turns one parsed document into drafts, one per job (clones added up).
fn read_doc(doc: &Value, doc_text: &str, lines: &[Line], first: usize, last: usize, found: &mut Found) {
    let first_no = lines[first].no;
    let last_no = lines.get(last).map(|l| l.no).unwrap_or(first_no);
    let Some(jobs) = doc.get("jobs").or_else(|| doc.get("client_stats")).and_then(Value::as_array) else {
        let msg = format!(
            "the JSON document at lines {first_no}-{last_no} has no \"jobs\" array: it is not \
             fio --output-format=json output"
        );
        found.warnings.push(Diagnostic::new(first_no, msg.clone()));
        found.failures.push((first_no, msg));
        return;
    };
    let version = doc.get("fio version").and_then(Value::as_str).map(|v| v.trim().to_string());
    let global = options_of(doc.get("global options"));
    let disks: Vec<(String, f64)> = doc
        .get("disk_util")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|d| Some((d.get("name")?.as_str()?.to_string(), num(d.get("util"))?)))
                .collect()
        })
        .unwrap_or_default();

    // Line of each job's "jobname" key, to give each run its own lines.
    let doc_start = lines[first].start;
    let job_lines: Vec<usize> = doc_text
        .match_indices("\"jobname\"")
        .map(|(off, _)| lines[index_of_offset(lines, doc_start + off)].no)
        .collect();
    let spans_known = job_lines.len() == jobs.len();
    let span_of = |k: usize| -> (usize, usize) {
        if !spans_known {
            return (first_no, last_no);
        }
        let start = job_lines[k].saturating_sub(1).max(first_no);
        let end = job_lines.get(k + 1).map(|n| n.saturating_sub(2)).unwrap_or(last_no).max(start);
        (start, end)
    };

    // Clones of one job: same name and group, in the order of first appearance.
    let mut groups: Vec<(String, i64, Vec<usize>)> = Vec::new();
    let mut parsed: Vec<Job> = Vec::with_capacity(jobs.len());
    for (k, j) in jobs.iter().enumerate() {
        let mut job = job_of(j);
        let (s, e) = span_of(k);
        job.first_line = if spans_known { job_lines[k] } else { first_no };
        job.last_line = e.max(s);
        match groups.iter_mut().find(|(n, g, _)| *n == job.name && *g == job.groupid) {
            Some(g) => g.2.push(k),
            None => groups.push((job.name.clone(), job.groupid, vec![k])),
        }
        parsed.push(job);
    }
    if groups.is_empty() {
        let msg = format!("the fio JSON document at lines {first_no}-{last_no} has an empty \"jobs\" array");
        found.warnings.push(Diagnostic::new(first_no, msg.clone()));
        found.failures.push((first_no, msg));
        return;
    }
    let origin = found.next_origin();
    let n_groups = groups.len();
    for (gi, (name, _, members)) in groups.into_iter().enumerate() {
        let mut options = global.clone();
        options.extend(options_of(jobs[members[0]].get("job options")));
        let mut params = Params::new();
        let mut facts = BTreeMap::new();
        let rw = params_from_options(&options, &mut params, &mut facts);
        if !name.is_empty() {
            params.insert("job".into(), name.clone());
        }
        if !params.contains_key("numjobs") && members.len() > 1 {
            params.insert("numjobs".into(), members.len().to_string());
        }
        if let Some(t) = doc.get("time").and_then(Value::as_str) {
            facts.insert(fact::DATE.into(), t.trim().to_string());
        }
        if !disks.is_empty() {
            let names: Vec<&str> = disks.iter().map(|(n, _)| n.as_str()).collect();
            facts.insert("disks".into(), names.join(","));
        }
        let disk_util = pick_disk_util(&disks, facts.get(fact::FILENAME).map(String::as_str));
        let spans: Vec<(usize, usize)> = members.iter().map(|&k| span_of(k)).collect();
        let mut first_line = spans.iter().map(|s| s.0).min().unwrap_or(first_no);
        let mut last_line = spans.iter().map(|s| s.1).max().unwrap_or(last_no);
        if gi == 0 {
            first_line = first_no;
        }
        if gi + 1 == n_groups {
            last_line = last_no;
        }
        let clones: Vec<Job> = members.iter().map(|&k| parsed[k].clone()).collect();
        let job = merge_clones(clones);
        let empty = (!job.did_io()).then(|| {
            if job.error != 0 {
                (
                    job.first_line,
                    "fio_error",
                    format!("fio job '{}' ended with error {} and did no I/O", job.name, job.error),
                )
            } else {
                (
                    job.first_line,
                    "warning",
                    format!("fio job '{}' did no I/O (io_bytes is 0 in every direction)", job.name),
                )
            }
        });
        found.drafts.push(Draft {
            workload: rw.as_deref().map(workload_from_rw).unwrap_or_else(|| "fio.read".to_string()),
            params,
            facts,
            version: version.clone(),
            disk_util,
            first_line,
            last_line,
            issues: Vec::new(),
            empty,
            origin,
            job,
        });
    }
}

/// The options of a `global options` / `job options` object, in order, values as strings.
fn options_of(v: Option<&Value>) -> Vec<(String, String)> {
    let Some(map) = v.and_then(Value::as_object) else { return Vec::new() };
    map.iter()
        .filter_map(|(k, v)| {
            let s = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => if *b { "1" } else { "0" }.to_string(),
                _ => return None,
            };
            Some((k.clone(), s))
        })
        .collect()
}

/// A finite number.
fn num(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64).filter(|x| x.is_finite())
}

/// One job object.
fn job_of(j: &Value) -> Job {
    let mut job = Job {
        name: j.get("jobname").and_then(Value::as_str).unwrap_or("").trim().to_string(),
        groupid: j.get("groupid").and_then(Value::as_i64).unwrap_or(0),
        error: j.get("error").and_then(Value::as_i64).unwrap_or(0),
        cpu_usr: num(j.get("usr_cpu")),
        cpu_sys: num(j.get("sys_cpu")),
        ctx: num(j.get("ctx")),
        members: 1,
        ..Job::default()
    };
    for d in Ddir::ALL {
        if let Some(o) = j.get(d.word()).filter(|o| o.is_object()) {
            job.dirs[d.idx()] = Some(dir_of(o));
        }
    }
    job.run_ms = num(j.get("job_runtime"))
        .filter(|&r| r > 0.0)
        .or_else(|| job.dirs.iter().flatten().filter_map(|s| s.runtime_ms).reduce(f64::max));
    job
}

/// One direction object (`read`, `write`, `trim`, `mixed`).
fn dir_of(o: &Value) -> DirStats {
    let fio3 = o.get("clat_ns").is_some();
    let lat = |ns_key: &str, us_key: &str| -> (Option<Lat>, Vec<(f64, f64)>, Option<f64>) {
        let (obj, k) = match o.get(ns_key) {
            Some(x) => (x, 1e-3),
            None => match o.get(us_key) {
                Some(x) => (x, 1.0),
                None => return (None, Vec::new(), None),
            },
        };
        let stats = Lat {
            min: num(obj.get("min")).unwrap_or(0.0),
            max: num(obj.get("max")).unwrap_or(0.0),
            mean: num(obj.get("mean")).unwrap_or(0.0),
            stdev: num(obj.get("stddev")).unwrap_or(0.0),
        };
        let samples = num(obj.get("N"));
        let lat = if samples == Some(0.0) { None } else { stats.nonzero().map(|l| l.scaled(k)) };
        let pcts = obj
            .get("percentile")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(p, v)| Some((text::num(p)?, super::scale(num(Some(v))?, k))))
                    .filter(|&(p, _)| p > 0.0)
                    .collect()
            })
            .unwrap_or_default();
        (lat, pcts, samples)
    };
    let (slat, _, _) = lat("slat_ns", "slat");
    let (clat, pcts, clat_n) = lat("clat_ns", "clat");
    let (tlat, _, _) = lat("lat_ns", "lat");
    let runtime_ms = num(o.get("runtime"));
    let bw_kib = num(o.get("bw_bytes")).map(|b| b / 1024.0).or_else(|| num(o.get("bw")));
    let io_kib = num(o.get("io_kbytes")).or_else(|| {
        let raw = num(o.get("io_bytes"))?;
        Some(io_bytes_in_kib(raw, bw_kib, runtime_ms, fio3))
    });
    DirStats {
        iops: num(o.get("iops")),
        bw_kib,
        io_kib,
        runtime_ms,
        ios: num(o.get("total_ios")).or(clat_n),
        slat,
        clat,
        lat: tlat,
        pcts,
    }
}

/// `io_bytes` in KiB when `io_kbytes` is absent. fio 2.x wrote KiB under that name, fio 3.x
/// bytes; whichever reading agrees better with `bw` (KiB/s) × `runtime` (ms) is taken, and
/// without those the schema decides (`clat_ns` present: fio 3, bytes).
fn io_bytes_in_kib(raw: f64, bw_kib: Option<f64>, runtime_ms: Option<f64>, fio3: bool) -> f64 {
    if let (Some(bw), Some(rt)) = (bw_kib, runtime_ms) {
        let expected = bw * rt / 1000.0;
        if expected > 0.0 {
            let as_kib = (raw - expected).abs();
            let as_bytes = (raw / 1024.0 - expected).abs();
            return if as_kib <= as_bytes { raw } else { raw / 1024.0 };
        }
    }
    if fio3 {
        raw / 1024.0
    } else {
        raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_bytes_unit_follows_bandwidth_times_runtime() {
        // louwrentius example_data/randread-01.json (fio-2.18): io_bytes 17568, bw 292, runtime 60013.
        assert_eq!(io_bytes_in_kib(17568.0, Some(292.0), Some(60013.0), false), 17568.0);
        // A fio 3 reading: bytes.
        assert_eq!(io_bytes_in_kib(26083328.0, Some(424.0), Some(60001.0), true), 25472.0);
        assert_eq!(io_bytes_in_kib(2048.0, None, None, true), 2.0);
        assert_eq!(io_bytes_in_kib(2048.0, None, None, false), 2048.0);
    }

    #[test]
    fn fio2_and_fio3_directions_give_microseconds() {
        let fio2: Value = serde_json::from_str(
            r#"{"io_bytes": 17568, "bw": 292, "iops": 73.184143, "runtime": 60013, "total_ios": 4392,
                "clat": {"min": 2761, "max": 26160, "mean": 13636.394809, "stddev": 3949.424092,
                         "percentile": {"50.000000": 13504, "0.00": 0}},
                "slat": {"min": 0, "max": 0, "mean": 0.0, "stddev": 0.0}}"#,
        )
        .expect("json");
        let d = dir_of(&fio2);
        assert_eq!(d.clat.map(|l| l.mean), Some(13636.394809));
        assert_eq!(d.pcts, vec![(50.0, 13504.0)]);
        assert_eq!(d.slat, None, "all-zero slat means no samples");
        assert_eq!(d.io_kib, Some(17568.0));
        let fio3: Value = serde_json::from_str(
            r#"{"io_bytes": 1511751680, "io_kbytes": 1476320, "bw_bytes": 31383676, "bw": 30648,
                "iops": 7662.030309, "runtime": 48170, "total_ios": 369080,
                "clat_ns": {"min": 17050, "max": 329404030, "mean": 7881155.058386, "stddev": 8402033.359436,
                            "N": 369080, "percentile": {"99.900000": 91750400}, "bins": {"17152": 1}},
                "slat_ns": {"min": 0, "max": 0, "mean": 0.0, "stddev": 0.0, "N": 0}}"#,
        )
        .expect("json");
        let d = dir_of(&fio3);
        assert_eq!(d.clat.map(|l| l.mean), Some(7881.155058386));
        assert_eq!(d.pcts, vec![(99.9, 91750.4)]);
        assert_eq!(d.bw_kib, Some(31383676.0 / 1024.0));
        assert_eq!(d.io_kib, Some(1476320.0));
        assert_eq!(d.ios, Some(369080.0));
    }
}
