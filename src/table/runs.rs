//! Runs to the long tables `virtperf ingest` writes: the metrics table (one row per run and
//! metric, columns [`METRIC_COLUMNS`]) and the series table (one row per sample, columns
//! [`SERIES_COLUMNS`]), built in batches so that only one batch is held as a frame.

use polars::prelude::{Column, DataFrame, PlSmallStr, PolarsResult};

use crate::model::{params_string, IngestedRun};

/// Column names of the metrics table, in order.
pub(crate) const METRIC_COLUMNS: &[&str] = &[
    "source",
    "run",
    "tool",
    "tool_version",
    "workload",
    "params",
    "platform",
    "platform_detail",
    "platform_family",
    "label_origin",
    "campaign",
    "repetition",
    "first_line",
    "last_line",
    "metric",
    "unit",
    "better",
    "kind",
    "value",
    "issues",
    "role",
    "subsystem",
    "primary",
    "percentile_of",
    "percentile",
    "time_limit",
];

/// Column names of the series table, in order.
pub(crate) const SERIES_COLUMNS: &[&str] = &[
    "source",
    "run",
    "platform",
    "platform_family",
    "workload",
    "repetition",
    "t_s",
    "entity",
    "metric",
    "value",
    "unit",
];

/// Rows per frame when a table is built and written in batches ([`metrics_frames`],
/// [`series_frames`]): the columns of one batch take a few MiB.
pub(crate) const BATCH_ROWS: usize = 1 << 13;

/// `runs` cut into consecutive slices of at most `rows` rows each, as `len` counts a run's
/// rows (a run with more is a slice of its own); one empty slice when there are no runs, so
/// that a table always has its columns.
fn batches<'a>(
    runs: &'a [IngestedRun],
    rows: usize,
    len: impl Fn(&IngestedRun) -> usize + 'a,
) -> impl Iterator<Item = &'a [IngestedRun]> + 'a {
    let mut rest = runs;
    let mut first = true;
    std::iter::from_fn(move || {
        if rest.is_empty() && !std::mem::take(&mut first) {
            return None;
        }
        first = false;
        let mut n = 0;
        let mut k = 0;
        while let Some(r) = rest.get(k) {
            let l = len(r);
            if k > 0 && n + l > rows {
                break;
            }
            n += l;
            k += 1;
        }
        let (head, tail) = rest.split_at(k);
        rest = tail;
        Some(head)
    })
}

/// [`metrics_frame`] of `runs` in batches of about [`BATCH_ROWS`] rows, built one at a time
/// as the iterator is read (for [`super::write_batches`]).
pub(crate) fn metrics_frames(runs: &[IngestedRun]) -> impl Iterator<Item = PolarsResult<DataFrame>> + '_ {
    batches(runs, BATCH_ROWS, metric_rows).map(metrics_frame)
}

/// Rows of a run in the metrics table: one per metric, or one without a metric for a run that
/// has none but has issues (a failed run), so that its issues reach the table.
pub(crate) fn metric_rows(r: &IngestedRun) -> usize {
    if r.data.metrics.is_empty() && !r.data.issues.is_empty() {
        1
    } else {
        r.data.metrics.len()
    }
}

/// The `issues` cell of a run's first row: its [`crate::model::LogIssue`]s as a JSON array (other rows and
/// runs without issues: empty).
fn issues_cell(r: &IngestedRun) -> Option<String> {
    (!r.data.issues.is_empty()).then(|| serde_json::to_string(&r.data.issues).unwrap_or_default())
}

/// [`series_frame`] of `runs` in batches, like [`metrics_frames`].
pub(crate) fn series_frames(runs: &[IngestedRun]) -> impl Iterator<Item = PolarsResult<DataFrame>> + '_ {
    batches(runs, BATCH_ROWS, |r| r.data.series.len()).map(series_frame)
}

/// The long metrics table: one row per (run, metric), columns [`METRIC_COLUMNS`]. A run's
/// issues are on its first row (`issues`, JSON); a run without metrics but with issues has one
/// row whose `metric`, `unit`, `better`, `kind`, `value` and metric-level declarations
/// (`primary`, `percentile_of`, `percentile`, `time_limit`) are empty.
pub(crate) fn metrics_frame(runs: &[IngestedRun]) -> PolarsResult<DataFrame> {
    let n: usize = runs.iter().map(metric_rows).sum();
    let mut source = Vec::with_capacity(n);
    let mut run = Vec::with_capacity(n);
    let mut tool = Vec::with_capacity(n);
    let mut tool_version: Vec<Option<&str>> = Vec::with_capacity(n);
    let mut workload = Vec::with_capacity(n);
    let mut params = Vec::with_capacity(n);
    let mut platform = Vec::with_capacity(n);
    let mut detail = Vec::with_capacity(n);
    let mut family = Vec::with_capacity(n);
    let mut origin = Vec::with_capacity(n);
    let mut campaign = Vec::with_capacity(n);
    let mut repetition = Vec::with_capacity(n);
    let mut first_line = Vec::with_capacity(n);
    let mut last_line = Vec::with_capacity(n);
    let mut metric: Vec<Option<&str>> = Vec::with_capacity(n);
    let mut unit: Vec<Option<&str>> = Vec::with_capacity(n);
    let mut better: Vec<Option<&str>> = Vec::with_capacity(n);
    let mut kind: Vec<Option<&str>> = Vec::with_capacity(n);
    let mut value: Vec<Option<f64>> = Vec::with_capacity(n);
    let mut issues: Vec<Option<String>> = Vec::with_capacity(n);
    let mut role = Vec::with_capacity(n);
    let mut subsystem = Vec::with_capacity(n);
    let mut primary: Vec<Option<bool>> = Vec::with_capacity(n);
    let mut percentile_of: Vec<Option<&str>> = Vec::with_capacity(n);
    let mut percentile: Vec<Option<f64>> = Vec::with_capacity(n);
    let mut time_limit: Vec<Option<bool>> = Vec::with_capacity(n);
    let params_of: Vec<String> = runs.iter().map(|r| params_string(&r.data.params)).collect();
    for (r, p) in runs.iter().zip(&params_of) {
        let mut cell = issues_cell(r);
        let placeholder = (r.data.metrics.is_empty() && cell.is_some()).then_some(None);
        let rows = r.data.metrics.iter().map(Some).chain(placeholder);
        for m in rows {
            source.push(r.source.as_str());
            run.push(r.run as u32);
            tool.push(r.data.tool.as_str());
            tool_version.push(r.data.tool_version.as_deref());
            workload.push(r.data.workload.as_str());
            params.push(p.as_str());
            platform.push(r.labels.platform.as_str());
            detail.push(r.labels.platform_detail.as_str());
            family.push(r.labels.platform_family.as_str());
            origin.push(r.labels.origin.as_str());
            campaign.push(r.labels.campaign.as_str());
            repetition.push(r.repetition as u32);
            first_line.push(r.data.first_line as u64);
            last_line.push(r.data.last_line as u64);
            metric.push(m.map(|m| m.name.as_ref()));
            unit.push(m.map(|m| m.unit.as_ref()));
            better.push(m.map(|m| m.better.as_str()));
            kind.push(m.map(|m| m.kind.as_str()));
            value.push(m.map(|m| m.value));
            issues.push(cell.take());
            role.push(r.data.role.as_str());
            subsystem.push(r.data.subsystem.as_str());
            primary.push(m.map(|m| r.data.primary.as_deref() == Some(m.name.as_ref())));
            percentile_of.push(m.and_then(|m| m.percentile.as_ref()).map(|p| p.of.as_ref()));
            percentile.push(m.and_then(|m| m.percentile.as_ref()).map(|p| p.p));
            time_limit.push(m.map(|m| m.time_limit));
        }
    }
    // In the order of [`METRIC_COLUMNS`].
    named(
        METRIC_COLUMNS,
        vec![
            Column::new(PlSmallStr::EMPTY, source),
            Column::new(PlSmallStr::EMPTY, run),
            Column::new(PlSmallStr::EMPTY, tool),
            Column::new(PlSmallStr::EMPTY, tool_version),
            Column::new(PlSmallStr::EMPTY, workload),
            Column::new(PlSmallStr::EMPTY, params),
            Column::new(PlSmallStr::EMPTY, platform),
            Column::new(PlSmallStr::EMPTY, detail),
            Column::new(PlSmallStr::EMPTY, family),
            Column::new(PlSmallStr::EMPTY, origin),
            Column::new(PlSmallStr::EMPTY, campaign),
            Column::new(PlSmallStr::EMPTY, repetition),
            Column::new(PlSmallStr::EMPTY, first_line),
            Column::new(PlSmallStr::EMPTY, last_line),
            Column::new(PlSmallStr::EMPTY, metric),
            Column::new(PlSmallStr::EMPTY, unit),
            Column::new(PlSmallStr::EMPTY, better),
            Column::new(PlSmallStr::EMPTY, kind),
            Column::new(PlSmallStr::EMPTY, value),
            Column::new(PlSmallStr::EMPTY, issues),
            Column::new(PlSmallStr::EMPTY, role),
            Column::new(PlSmallStr::EMPTY, subsystem),
            Column::new(PlSmallStr::EMPTY, primary),
            Column::new(PlSmallStr::EMPTY, percentile_of),
            Column::new(PlSmallStr::EMPTY, percentile),
            Column::new(PlSmallStr::EMPTY, time_limit),
        ],
    )
}

/// The long series table: one row per sample, columns [`SERIES_COLUMNS`].
pub(crate) fn series_frame(runs: &[IngestedRun]) -> PolarsResult<DataFrame> {
    let n: usize = runs.iter().map(|r| r.data.series.len()).sum();
    let mut source = Vec::with_capacity(n);
    let mut run = Vec::with_capacity(n);
    let mut platform = Vec::with_capacity(n);
    let mut family = Vec::with_capacity(n);
    let mut workload = Vec::with_capacity(n);
    let mut repetition = Vec::with_capacity(n);
    let mut t_s = Vec::with_capacity(n);
    let mut entity = Vec::with_capacity(n);
    let mut metric = Vec::with_capacity(n);
    let mut value = Vec::with_capacity(n);
    let mut unit = Vec::with_capacity(n);
    for r in runs {
        for s in &r.data.series {
            source.push(r.source.as_str());
            run.push(r.run as u32);
            platform.push(r.labels.platform.as_str());
            family.push(r.labels.platform_family.as_str());
            workload.push(r.data.workload.as_str());
            repetition.push(r.repetition as u32);
            t_s.push(s.t_s);
            entity.push(s.entity.as_str());
            metric.push(s.metric.as_str());
            value.push(s.value);
            unit.push(s.unit.as_ref());
        }
    }
    // In the order of [`SERIES_COLUMNS`].
    named(
        SERIES_COLUMNS,
        vec![
            Column::new(PlSmallStr::EMPTY, source),
            Column::new(PlSmallStr::EMPTY, run),
            Column::new(PlSmallStr::EMPTY, platform),
            Column::new(PlSmallStr::EMPTY, family),
            Column::new(PlSmallStr::EMPTY, workload),
            Column::new(PlSmallStr::EMPTY, repetition),
            Column::new(PlSmallStr::EMPTY, t_s),
            Column::new(PlSmallStr::EMPTY, entity),
            Column::new(PlSmallStr::EMPTY, metric),
            Column::new(PlSmallStr::EMPTY, value),
            Column::new(PlSmallStr::EMPTY, unit),
        ],
    )
}

/// A frame of `columns`, named in order by `names`.
fn named(names: &[&str], columns: Vec<Column>) -> PolarsResult<DataFrame> {
    debug_assert_eq!(names.len(), columns.len());
    DataFrame::new_infer_height(names.iter().zip(columns).map(|(n, c)| c.with_name((*n).into())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Better, Labels, Metric, Run};

    #[test]
    fn batches_cut_at_run_boundaries() {
        let run = |metrics: usize| IngestedRun {
            source: String::new(),
            run: 1,
            repetition: 1,
            labels: Labels::default(),
            data: Run {
                metrics: (0..metrics).map(|i| Metric::new(i.to_string(), "s", Better::None, 1.0)).collect(),
                ..Run::default()
            },
            companion: None,
        };
        let runs: Vec<IngestedRun> = [3, 4, 2, 9, 1, 1].into_iter().map(run).collect();
        let sizes: Vec<Vec<usize>> = batches(&runs, 6, |r| r.data.metrics.len())
            .map(|b| b.iter().map(|r| r.data.metrics.len()).collect())
            .collect();
        // At most 6 rows a batch, in order; the run of 9 is a batch of its own.
        assert_eq!(sizes, vec![vec![3], vec![4, 2], vec![9], vec![1, 1]]);
        assert_eq!(batches(&[], 6, |r| r.data.metrics.len()).map(<[_]>::len).collect::<Vec<_>>(), vec![0]);
        let frames: Vec<DataFrame> = metrics_frames(&runs).collect::<PolarsResult<_>>().unwrap();
        assert_eq!(frames.iter().map(DataFrame::height).sum::<usize>(), 20);
        assert_eq!(metrics_frames(&[]).next().unwrap().unwrap().width(), METRIC_COLUMNS.len());
    }
}
