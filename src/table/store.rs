//! The store's frames (`crate::store` decides what goes where; this is its polars side): a
//! partition's part file built from runs ([`write_store_part`]), rewritten without some files'
//! rows ([`rewrite_store_part`]), read back with a filter as a metrics table
//! ([`read_store_part`]); the catalog written and read ([`write_catalog`], [`read_catalog`]).
//!
//! A part file holds the metrics table's columns ([`super::runs::METRIC_COLUMNS`]) less
//! `campaign` and `tool`, which its path holds (`campaign=C/tool=T/`), plus `date` (the day its
//! file was last modified, `YYYY-MM-DD`), `ingest` (the ingest that wrote it, counting from 1)
//! and `row` (its position in that ingest), by which rows read back keep their order.
//! Every Parquet file here is written with plain string types in its Arrow schema
//! (`large_string`, not polars' `string_view`, which older readers refuse) and to a temporary
//! file renamed into place.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use anyhow::{Context, Result};
use polars::prelude::*;

use super::runs::{metric_rows, metrics_frame, BATCH_ROWS};
use super::MetricsTable;
use crate::model::IngestedRun;

/// What a store's reader filters a part file's rows by (`crate::store::Where`, the `--where`
/// filters).
pub(crate) trait RowFilter {
    /// Returns true if and only if a filter is set on `key`.
    fn filters(&self, key: &str) -> bool;
    /// Returns true if and only if `value` of `key` passes.
    fn keeps(&self, key: &str, value: &str) -> bool;
}

/// The store's catalog (`_catalog/files.parquet`): one row per ingested file, kept apart from
/// the data partitions so that a glob over `campaign=*/` reads data only. It is the commit
/// point of an ingest: a part file is in the store if and only if a catalog row names it.
/// One ingested file.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Entry {
    /// The path, as ingest showed it (the `source` column of its rows).
    pub path: String,
    /// sha256 of its content, hex (empty when it could not be read).
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// The parser that read it (empty when none did).
    pub parser: String,
    /// The campaign it belongs to (its partition).
    pub campaign: String,
    /// Its platform label.
    pub platform: String,
    /// Its platform detail label.
    pub platform_detail: String,
    /// Its platform family label.
    pub platform_family: String,
    /// Where its label came from (`flag`, `mapping`, `manifest`, `path`, `unknown`).
    pub label_origin: String,
    /// `ok`, or `error` when it could not be read.
    pub status: String,
    /// Why it could not be read (empty when it was).
    pub message: String,
    /// Day it was last modified, UTC, `YYYY-MM-DD` (the `date` of its rows).
    pub date: String,
    /// The part files (relative to the store) that hold its rows, `;`-separated.
    pub parts: String,
    /// Its number of metric rows.
    pub rows: u64,
    /// The ingest (a counter, 1 for the store's first) that wrote its rows.
    pub ingest: u64,
}

impl Entry {
    /// The part files that hold its rows.
    pub(crate) fn part_list(&self) -> impl Iterator<Item = &str> {
        self.parts.split(';').filter(|p| !p.is_empty())
    }
}

/// The metrics table's columns a part file leaves to its path.
const KEY_COLUMNS: &[&str] = &["campaign", "tool"];

/// The row-level filters a part file's rows are checked against as it is read (the others,
/// campaign and tool, choose the part files).
const ROW_FILTERS: &[&str] = &["platform", "workload", "date"];

/// Writes `runs` (one partition's, in ingest order) to the part file `path`: their metric
/// rows with `date` (`dates[i]` for run `i`), `ingest` and `row` (`first_rows[i]` for run
/// `i`'s first row, then on), in row groups of about 8,192 rows. Returns its number of rows.
pub(crate) fn write_store_part(
    path: &Path,
    runs: &[IngestedRun],
    first_rows: &[u64],
    dates: &[String],
    ingest: u64,
) -> Result<usize> {
    let mut ranges = Vec::new();
    let mut start = 0;
    while start < runs.len() {
        let (mut end, mut n) = (start, 0);
        while end < runs.len() && (end == start || n + metric_rows(&runs[end]) <= BATCH_ROWS) {
            n += metric_rows(&runs[end]);
            end += 1;
        }
        ranges.push(start..end);
        start = end;
    }
    if ranges.is_empty() {
        ranges.push(0..0);
    }
    let frames =
        ranges.into_iter().map(|r| part_frame(&runs[r.clone()], &first_rows[r.clone()], &dates[r], ingest));
    write_parquet(path, frames)
}

/// The frame of a slice of a partition's runs (see [`write_store_part`]).
fn part_frame(
    runs: &[IngestedRun],
    first_rows: &[u64],
    dates: &[String],
    ingest: u64,
) -> PolarsResult<DataFrame> {
    let df = metrics_frame(runs)?.drop_many(KEY_COLUMNS.iter().copied());
    let n = df.height();
    let mut date: Vec<&str> = Vec::with_capacity(n);
    let mut row: Vec<u64> = Vec::with_capacity(n);
    for ((r, first), d) in runs.iter().zip(first_rows).zip(dates) {
        for k in 0..metric_rows(r) as u64 {
            date.push(d);
            row.push(first + k);
        }
    }
    let mut df = df;
    df.with_column(Column::new("date".into(), date))?;
    df.with_column(Column::new("ingest".into(), vec![ingest; n]))?;
    df.with_column(Column::new("row".into(), row))?;
    Ok(df)
}

/// Writes the part file `old` again as `new`, without the rows whose `source` is in `gone`,
/// and returns the number of rows kept; when none is, nothing is written.
pub(crate) fn rewrite_store_part(old: &Path, new: &Path, gone: &BTreeSet<String>) -> Result<usize> {
    let df = read_parquet(old, ParallelStrategy::Auto)?;
    let mask: BooleanChunked =
        df.column("source")?.str()?.iter().map(|s| Some(!s.is_some_and(|s| gone.contains(s)))).collect();
    let kept = df.filter(&mask)?;
    if kept.height() == 0 {
        return Ok(0);
    }
    write_parquet(new, std::iter::once(Ok(kept)))
}

/// The rows of the part file `path` (of `tool`) that pass `w`'s row-level filters (platform,
/// workload, date), with the `tool` column put back, in the order they were ingested, as a
/// metrics table; `None` when no row passes. (Its campaign, which the analysis does not read,
/// is not put back: a column of one value per row, made for every part file.)
pub(crate) fn read_store_part(path: &Path, tool: &str, w: &dyn RowFilter) -> Result<Option<MetricsTable>> {
    // On this thread: the store's parts are read many at a time, one per core, and handing a
    // small file's columns to polars' own threads kept both cores waiting.
    let mut df = read_parquet(path, ParallelStrategy::None)?;
    let mut mask: Option<Vec<bool>> = None;
    for key in ROW_FILTERS.iter().filter(|k| w.filters(k)) {
        let col =
            anyhow::Context::with_context(df.column(key), || format!("the part has no '{key}' column"))?
                .str()?
                .clone();
        let keep = mask.get_or_insert_with(|| vec![true; col.len()]);
        for (k, v) in keep.iter_mut().zip(col.iter()) {
            *k = *k && w.keeps(key, v.unwrap_or(""));
        }
    }
    if let Some(mask) = mask {
        df = df.filter(&BooleanChunked::from_slice("mask".into(), &mask))?;
    }
    let n = df.height();
    if n == 0 {
        return Ok(None);
    }
    df.with_column(Column::new("tool".into(), vec![tool; n]))?;
    // A part file's rows are written in order (a later ingest appends after): sorting, which
    // gathers every column anew, is then only needed when they are not.
    let df =
        if in_ingest_order(&df)? { df } else { df.sort(["ingest", "row"], SortMultipleOptions::default())? };
    Ok(Some(MetricsTable::from_frame(df)?))
}

/// Returns true if and only if the rows of `df` are in (`ingest`, `row`) order, none empty.
fn in_ingest_order(df: &DataFrame) -> Result<bool> {
    let key = |name: &str| -> Result<Vec<Option<u64>>> {
        let col =
            anyhow::Context::with_context(df.column(name), || format!("the part has no '{name}' column"))?;
        Ok(col.cast(&DataType::UInt64)?.u64()?.iter().collect())
    };
    let (ingest, row) = (key("ingest")?, key("row")?);
    let keys: Option<Vec<(u64, u64)>> = ingest.into_iter().zip(row).map(|(i, r)| Some((i?, r?))).collect();
    Ok(keys.is_some_and(|k| k.is_sorted()))
}

/// Writes the catalog to `path` (a temporary file renamed into place).
pub(crate) fn write_catalog(path: &Path, entries: &[Entry]) -> Result<()> {
    let s = |f: fn(&Entry) -> &str| entries.iter().map(f).collect::<Vec<&str>>();
    let u = |f: fn(&Entry) -> u64| entries.iter().map(f).collect::<Vec<u64>>();
    let df = DataFrame::new_infer_height(vec![
        Column::new("path".into(), s(|e| &e.path)),
        Column::new("sha256".into(), s(|e| &e.sha256)),
        Column::new("size".into(), u(|e| e.size)),
        Column::new("parser".into(), s(|e| &e.parser)),
        Column::new("campaign".into(), s(|e| &e.campaign)),
        Column::new("platform".into(), s(|e| &e.platform)),
        Column::new("platform_detail".into(), s(|e| &e.platform_detail)),
        Column::new("platform_family".into(), s(|e| &e.platform_family)),
        Column::new("label_origin".into(), s(|e| &e.label_origin)),
        Column::new("status".into(), s(|e| &e.status)),
        Column::new("message".into(), s(|e| &e.message)),
        Column::new("date".into(), s(|e| &e.date)),
        Column::new("parts".into(), s(|e| &e.parts)),
        Column::new("rows".into(), u(|e| e.rows)),
        Column::new("ingest".into(), u(|e| e.ingest)),
    ])?;
    write_parquet(path, std::iter::once(Ok(df)))?;
    Ok(())
}

/// The catalog in `path`.
pub(crate) fn read_catalog(path: &Path) -> Result<Vec<Entry>> {
    let df = read_parquet(path, ParallelStrategy::Auto)?;
    let text = |name: &str| -> Result<Vec<String>> {
        let col =
            anyhow::Context::with_context(df.column(name), || format!("the catalog has no '{name}' column"))?;
        Ok(col.cast(&DataType::String)?.str()?.iter().map(|v| v.unwrap_or("").to_string()).collect())
    };
    let num = |name: &str| -> Result<Vec<u64>> {
        let col =
            anyhow::Context::with_context(df.column(name), || format!("the catalog has no '{name}' column"))?;
        Ok(col.cast(&DataType::UInt64)?.u64()?.iter().map(|v| v.unwrap_or(0)).collect())
    };
    let (path_, sha, size, parser) = (text("path")?, text("sha256")?, num("size")?, text("parser")?);
    let (campaign, platform, detail, family) =
        (text("campaign")?, text("platform")?, text("platform_detail")?, text("platform_family")?);
    let (origin, status, message, date) =
        (text("label_origin")?, text("status")?, text("message")?, text("date")?);
    let (parts, rows, ingest) = (text("parts")?, num("rows")?, num("ingest")?);
    Ok((0..df.height())
        .map(|i| Entry {
            path: path_[i].clone(),
            sha256: sha[i].clone(),
            size: size[i],
            parser: parser[i].clone(),
            campaign: campaign[i].clone(),
            platform: platform[i].clone(),
            platform_detail: detail[i].clone(),
            platform_family: family[i].clone(),
            label_origin: origin[i].clone(),
            status: status[i].clone(),
            message: message[i].clone(),
            date: date[i].clone(),
            parts: parts[i].clone(),
            rows: rows[i],
            ingest: ingest[i],
        })
        .collect())
}

/// What reading a store needs of a catalog row: its campaign, date and part files.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct CatalogParts {
    /// The campaign.
    pub campaign: String,
    /// The day the file was last modified, `YYYY-MM-DD`.
    pub date: String,
    /// The part files holding its rows, `;`-separated.
    pub parts: String,
}

/// The distinct (campaign, date, parts) of the catalog in `path`, in the order first met: only
/// those three columns are read, and a combination is copied out once however many files
/// share it (the files of a campaign and tool share their part file and mostly their day).
pub(crate) fn read_catalog_parts(path: &Path) -> Result<Vec<CatalogParts>> {
    let file = File::open(path).with_context(|| format!("could not open '{}'", path.display()))?;
    let names = ["campaign", "date", "parts"];
    let df = anyhow::Context::with_context(
        ParquetReader::new(file).with_columns(Some(names.iter().map(|n| n.to_string()).collect())).finish(),
        || format!("could not read '{}'", path.display()),
    )?;
    let col = |name: &str| -> Result<StringChunked> {
        let col =
            anyhow::Context::with_context(df.column(name), || format!("the catalog has no '{name}' column"))?;
        Ok(col.cast(&DataType::String)?.str()?.clone())
    };
    let (campaign, date, parts) = (col("campaign")?, col("date")?, col("parts")?);
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for ((c, d), p) in campaign.iter().zip(date.iter()).zip(parts.iter()) {
        let key = (c.unwrap_or(""), d.unwrap_or(""), p.unwrap_or(""));
        if seen.insert(key) {
            out.push(CatalogParts { campaign: key.0.into(), date: key.1.into(), parts: key.2.into() });
        }
    }
    Ok(out)
}

/// The Parquet file `path`, its columns decoded as `parallel` says.
fn read_parquet(path: &Path, parallel: ParallelStrategy) -> Result<DataFrame> {
    let file = File::open(path).with_context(|| format!("could not open '{}'", path.display()))?;
    let reader = ParquetReader::new(file).read_parallel(parallel);
    anyhow::Context::with_context(reader.finish(), || format!("could not read '{}'", path.display()))
}

/// Writes the frames `batches` yields (same columns, at least one) to `path` as Parquet
/// (Snappy-compressed), a row group each, through a temporary file beside it (`.NAME.tmp`)
/// renamed into place, with the Arrow schema of the oldest compatibility level (plain
/// `large_string`); returns the number of rows.
fn write_parquet<I>(path: &Path, batches: I) -> Result<usize>
where
    I: IntoIterator<Item = PolarsResult<DataFrame>>,
{
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("could not create folder '{}'", dir.display()))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp"));
    let res = (|| -> Result<usize> {
        let file = File::create(&tmp).with_context(|| format!("could not create '{}'", tmp.display()))?;
        let mut out = BufWriter::new(file);
        let mut frames = batches.into_iter();
        let first = frames.next().unwrap_or_else(|| Ok(DataFrame::empty()))?;
        let arrow = first.schema().to_arrow(CompatLevel::oldest());
        let plain = polars_parquet::write::schema_to_metadata_key(&arrow);
        // Snappy, not polars' default zstd: reading a store is what is timed, and zstd makes a
        // decompression context per page (two pages per column of every part file), each
        // asking the CPU for its features, slow on a virtual machine; Snappy is also Parquet's
        // most widely read codec (the default of pyarrow, DuckDB and Spark).
        let mut w = ParquetWriter::new(&mut out)
            .with_compression(ParquetCompression::Snappy)
            .with_key_value_metadata(Some(KeyValueMetadata::Static(vec![plain])))
            .batched(first.schema())?;
        let mut rows = first.height();
        w.write_batch(&first)?;
        drop(first);
        for df in frames {
            let df = df?;
            rows += df.height();
            w.write_batch(&df)?;
        }
        w.finish()?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        Ok(rows)
    })();
    let rows = match res {
        Ok(rows) => rows,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e.context(format!("could not write '{}'", path.display())));
        }
    };
    std::fs::rename(&tmp, path)
        .with_context(|| format!("could not rename '{}' to '{}'", tmp.display(), path.display()))?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reading a store keeps one row per distinct (campaign, date, parts) of the catalog, in
    /// the order first met, whatever the other columns hold: 3,000 files of two campaigns over
    /// three part files are three rows.
    #[test]
    fn catalog_parts_are_the_distinct_campaign_date_and_parts() {
        let tmp = tempfile::tempdir().expect("tmp");
        let path = tmp.path().join("files.parquet");
        let entries: Vec<Entry> = (0..3000)
            .map(|i| {
                let (campaign, tool) =
                    if i < 1000 { ("b", "fio") } else { ("a", ["sysbench", "wrk"][i % 2]) };
                Entry {
                    path: format!("f{i}.log"),
                    sha256: format!("{i:064x}"),
                    campaign: campaign.into(),
                    date: "2026-12-07".into(),
                    parts: format!("campaign={campaign}/tool={tool}/part-0.parquet"),
                    message: "x".repeat(i % 50),
                    ..Entry::default()
                }
            })
            .collect();
        write_catalog(&path, &entries).expect("write");
        let got = read_catalog_parts(&path).expect("read");
        let want: Vec<(&str, &str)> = vec![
            ("b", "campaign=b/tool=fio/part-0.parquet"),
            ("a", "campaign=a/tool=sysbench/part-0.parquet"),
            ("a", "campaign=a/tool=wrk/part-0.parquet"),
        ];
        assert_eq!(got.iter().map(|e| (e.campaign.as_str(), e.parts.as_str())).collect::<Vec<_>>(), want);
        assert!(got.iter().all(|e| e.date == "2026-12-07"));
    }
}
