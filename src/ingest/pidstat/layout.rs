//! pidstat column headers: which column names become which metrics, and the [`Layout`] a header
//! line defines for the rows under it. Headers are read generically, column by column, so any
//! mix of sections (`-u -r -d -w -s -v -R`, `-h` or not, `-t`, `-U`) works without a list of
//! known layouts; unknown columns are skipped by position.

use super::lex::Tokens;

/// How a run-level aggregate of a column is formed from the per-interval sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A rate or a share of an interval (`%CPU`, `kB_rd/s`): a process that is not listed in an
    /// interval did nothing in it, so it counts as 0.
    Rate,
    /// A level (`RSS`): a process that is not listed has an unknown level, so intervals where no
    /// selected process is listed are left out.
    Level,
}

/// A column that becomes a metric.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MetricDef {
    /// Column names as pidstat prints them (all spellings across versions).
    pub headers: &'static [&'static str],
    /// Metric name (series), unit suffixed.
    pub name: &'static str,
    /// Unit of its samples: pidstat's own (`kB/s` for `kB_rd/s`, `KiB` for `RSS`).
    pub unit: &'static str,
    /// Index into [`AGGS`] when the run metrics aggregate this column.
    pub agg: Option<usize>,
}

/// Every column that becomes a series metric. Order is irrelevant; names carry the unit
/// (pidstat's kB are KiB; `iodelay` is in clock ticks; `-ms` columns are cumulative
/// milliseconds; `-nr` columns cumulative counts).
pub(crate) const METRICS: &[MetricDef] = &[
    MetricDef { headers: &["%usr", "%user"], name: "cpu_usr_pct", unit: "%", agg: None },
    MetricDef { headers: &["%system"], name: "cpu_sys_pct", unit: "%", agg: None },
    MetricDef { headers: &["%guest"], name: "cpu_guest_pct", unit: "%", agg: None },
    MetricDef { headers: &["%wait"], name: "cpu_wait_pct", unit: "%", agg: None },
    MetricDef { headers: &["%CPU"], name: "cpu_pct", unit: "%", agg: Some(0) },
    MetricDef { headers: &["minflt/s"], name: "minflt_per_sec", unit: "faults/s", agg: Some(6) },
    MetricDef { headers: &["majflt/s"], name: "majflt_per_sec", unit: "faults/s", agg: Some(7) },
    MetricDef { headers: &["VSZ"], name: "vsz_kib", unit: "KiB", agg: None },
    MetricDef { headers: &["RSS"], name: "rss_kib", unit: "KiB", agg: Some(1) },
    MetricDef { headers: &["%MEM"], name: "mem_pct", unit: "%", agg: None },
    MetricDef { headers: &["kB_rd/s"], name: "kb_rd_per_sec", unit: "kB/s", agg: Some(2) },
    MetricDef { headers: &["kB_wr/s"], name: "kb_wr_per_sec", unit: "kB/s", agg: Some(3) },
    MetricDef { headers: &["kB_ccwr/s"], name: "kb_ccwr_per_sec", unit: "kB/s", agg: None },
    MetricDef { headers: &["iodelay"], name: "iodelay_ticks", unit: "ticks", agg: None },
    MetricDef { headers: &["cswch/s"], name: "cswch_per_sec", unit: "switches/s", agg: Some(4) },
    MetricDef { headers: &["nvcswch/s"], name: "nvcswch_per_sec", unit: "switches/s", agg: Some(5) },
    MetricDef { headers: &["StkSize"], name: "stksize_kib", unit: "KiB", agg: None },
    MetricDef { headers: &["StkRef"], name: "stkref_kib", unit: "KiB", agg: None },
    MetricDef { headers: &["usr-ms"], name: "cpu_usr_ms", unit: "ms", agg: None },
    MetricDef { headers: &["system-ms"], name: "cpu_sys_ms", unit: "ms", agg: None },
    MetricDef { headers: &["guest-ms"], name: "cpu_guest_ms", unit: "ms", agg: None },
    MetricDef { headers: &["minflt-nr"], name: "minflt_count", unit: "count", agg: None },
    MetricDef { headers: &["majflt-nr"], name: "majflt_count", unit: "count", agg: None },
    MetricDef { headers: &["threads"], name: "threads", unit: "count", agg: None },
    MetricDef { headers: &["fd-nr"], name: "fds", unit: "count", agg: None },
];

/// A run-level aggregate: the base name of its metrics, unit, and how intervals combine.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AggDef {
    /// Base name: the run metrics are `<base>_mean` (and `<base>_max` when `max`).
    pub base: &'static str,
    /// Unit, for people.
    pub unit: &'static str,
    /// Rate or level.
    pub kind: Kind,
    /// Also emit `<base>_max`.
    pub max: bool,
}

/// The aggregated columns, in the order their metrics are emitted.
pub(crate) const AGGS: [AggDef; 8] = [
    AggDef { base: "cpu_pct", unit: "%", kind: Kind::Rate, max: true },
    AggDef { base: "rss_kib", unit: "KiB", kind: Kind::Level, max: true },
    AggDef { base: "kb_rd_per_sec", unit: "KiB/s", kind: Kind::Rate, max: false },
    AggDef { base: "kb_wr_per_sec", unit: "KiB/s", kind: Kind::Rate, max: false },
    AggDef { base: "cswch_per_sec", unit: "switches/s", kind: Kind::Rate, max: false },
    AggDef { base: "nvcswch_per_sec", unit: "switches/s", kind: Kind::Rate, max: false },
    AggDef { base: "minflt_per_sec", unit: "faults/s", kind: Kind::Rate, max: false },
    AggDef { base: "majflt_per_sec", unit: "faults/s", kind: Kind::Rate, max: false },
];

/// Number of aggregated columns.
pub(crate) const N_AGG: usize = AGGS.len();

/// What one column of a header holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Col {
    /// A column that is not a metric (`UID`, `USER`, `CPU`, `prio`, `policy`, unknown names):
    /// one token, skipped.
    Skip,
    /// A metric column: index into [`METRICS`].
    Metric(u8),
    /// `PID`.
    Pid,
    /// `TGID` (`-t`): the process id on process rows, `-` on thread rows.
    Tgid,
    /// `TID` (`-t`): `-` on process rows, the thread id on thread rows.
    Tid,
    /// `Command`: the rest of the line when it is the last column (it holds spaces with `-l`).
    Command,
}

/// The columns a header line defines for the rows that follow it.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// The header's column text (after its timestamp), to recognise the same header again.
    pub key: Vec<u8>,
    /// The columns, in order.
    pub cols: Vec<Col>,
    /// `(column index, metric index)` of every metric column.
    pub metric_cols: Vec<(usize, usize)>,
    /// `(column index, aggregate index)` of every aggregated column.
    pub agg_cols: Vec<(usize, usize)>,
    /// Column index of every metric column that is not aggregated.
    pub other_cols: Vec<usize>,
    /// Bit `a` set when aggregate `a` has a column here.
    pub agg_mask: u8,
    /// Index of the `PID`, `TGID`, `TID` and `Command` columns.
    pub pid: Option<usize>,
    /// See `pid`.
    pub tgid: Option<usize>,
    /// See `pid`.
    pub tid: Option<usize>,
    /// See `pid` (always there: a header needs one).
    pub command: usize,
}

/// Known metric index of a column name.
fn metric_of(name: &[u8]) -> Option<usize> {
    METRICS.iter().position(|m| m.headers.iter().any(|h| h.as_bytes() == name))
}

/// Returns true if and only if `tok` names a column that only a pidstat header has (used by the
/// sniff together with `PID`/`Command`).
pub(crate) fn is_key_column(tok: &[u8]) -> bool {
    matches!(
        tok,
        b"%usr"
            | b"%user"
            | b"%CPU"
            | b"minflt/s"
            | b"kB_rd/s"
            | b"cswch/s"
            | b"StkSize"
            | b"usr-ms"
            | b"minflt-nr"
    )
}

/// Returns true if and only if `tok` is an id column name that starts the columns of a pidstat
/// header (`UID`, `USER`, `PID`, `TGID`).
pub(crate) fn is_first_column(tok: &[u8]) -> bool {
    matches!(tok, b"UID" | b"USER" | b"PID" | b"TGID")
}

/// Reads the columns of a header from `t` (positioned after the header's timestamp). Returns
/// `None` unless the columns include `PID` (or `TGID`/`TID`) and `Command`.
pub(crate) fn parse_header(mut t: Tokens<'_>) -> Option<Layout> {
    let key = t.remaining().to_vec();
    let mut cols = Vec::new();
    let mut metric_cols = Vec::new();
    let mut agg_cols = Vec::new();
    let mut agg_mask = 0u8;
    let (mut has_id, mut has_cmd) = (false, false);
    while let Some(tok) = t.next() {
        if cols.len() >= 64 {
            return None;
        }
        let col = match tok {
            b"PID" => Col::Pid,
            b"TGID" => Col::Tgid,
            b"TID" => Col::Tid,
            b"Command" => Col::Command,
            _ => match metric_of(tok) {
                Some(m) => {
                    metric_cols.push((cols.len(), m));
                    // An aggregate is read from its first column (no pidstat header has two).
                    if let Some(a) = METRICS[m].agg.filter(|&a| agg_mask & (1 << a) == 0) {
                        agg_cols.push((cols.len(), a));
                        agg_mask |= 1 << a;
                    }
                    Col::Metric(m as u8)
                }
                None => Col::Skip,
            },
        };
        match col {
            Col::Pid | Col::Tgid | Col::Tid => has_id = true,
            Col::Command => has_cmd = true,
            _ => {}
        }
        cols.push(col);
    }
    let other_cols =
        metric_cols.iter().map(|&(c, _)| c).filter(|c| !agg_cols.iter().any(|&(a, _)| a == *c)).collect();
    let find = |c: Col| cols.iter().position(|&x| x == c);
    let (pid, tgid, tid) = (find(Col::Pid), find(Col::Tgid), find(Col::Tid));
    let command = find(Col::Command)?;
    (has_id && has_cmd).then_some(Layout {
        key,
        cols,
        metric_cols,
        agg_cols,
        other_cols,
        agg_mask,
        pid,
        tgid,
        tid,
        command,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_columns_map_to_metrics() {
        let l = parse_header(Tokens::new(
            b"  UID       PID    %usr %system  %guest   %wait    %CPU   CPU  Command",
        ))
        .unwrap();
        assert_eq!(l.cols.len(), 9);
        assert_eq!(l.cols[1], Col::Pid);
        assert_eq!(l.cols[0], Col::Skip);
        assert_eq!(l.cols[7], Col::Skip);
        assert_eq!(l.cols[8], Col::Command);
        let names: Vec<_> = l.metric_cols.iter().map(|&(_, m)| METRICS[m].name).collect();
        assert_eq!(names, ["cpu_usr_pct", "cpu_sys_pct", "cpu_guest_pct", "cpu_wait_pct", "cpu_pct"]);
        assert_eq!(l.agg_cols, vec![(6, 0)]);
        assert_eq!(l.agg_mask, 1);
    }

    #[test]
    fn thread_and_unknown_columns() {
        let l = parse_header(Tokens::new(b"UID TGID TID prio policy threads Command")).unwrap();
        assert_eq!(
            l.cols,
            vec![Col::Skip, Col::Tgid, Col::Tid, Col::Skip, Col::Skip, Col::Metric(23), Col::Command]
        );
        assert!(parse_header(Tokens::new(b"UID PID %usr")).is_none());
        // An aggregate comes from its first column only.
        let l = parse_header(Tokens::new(b"UID PID %CPU RSS %CPU Command")).unwrap();
        assert_eq!(l.agg_cols, vec![(2, 0), (3, 1)]);
        assert_eq!(l.metric_cols.len(), 3);
        assert!(parse_header(Tokens::new(b"CPU %usr %nice Command")).is_none());
    }

    #[test]
    fn every_aggregate_has_one_column() {
        for (a, agg) in AGGS.iter().enumerate() {
            assert_eq!(METRICS.iter().filter(|m| m.agg == Some(a)).count(), 1, "{}", agg.base);
            let m = METRICS.iter().find(|m| m.agg == Some(a)).unwrap();
            assert_eq!(m.name, agg.base);
        }
    }
}
