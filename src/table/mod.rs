//! The one conversion between virtperf's rows and polars, both ways, and the tables' files.
//!
//! - runs to the metrics and series tables of `virtperf ingest` ([`metrics_frames`],
//!   [`series_frames`], in `runs.rs`);
//! - a metrics table back to the analysis' input, its counts and its sources' families
//!   ([`MetricsTable`], in `input.rs`);
//! - an analysis to `summary.csv`, `overhead.csv`, `checks.csv` and `subsystems.csv`
//!   ([`write_analysis`], in `analysis.rs`);
//! - the store's part files and catalog (`store.rs`, for `crate::store`);
//! - writing and reading CSV, Parquet and JSON, chosen by the file extension (here).
//!
//! Polars is used for the table I/O only; the per-group statistics are computed by
//! `crate::analyse` over plain rows (why: docs/statistics.md, "Tables and polars"). Nothing else
//! in the crate imports polars.

mod analysis;
mod input;
mod runs;
mod store;

pub(crate) use analysis::write_analysis;
pub(crate) use input::{Counts, MetricsTable, Prepared};
pub(crate) use runs::{metric_rows, metrics_frames, series_frames};
pub(crate) use store::{
    read_catalog, read_catalog_parts, read_store_part, rewrite_store_part, write_catalog, write_store_part,
    CatalogParts, Entry, RowFilter,
};

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use polars::prelude::*;

/// Table formats virtperf writes and reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TableFormat {
    /// Comma-separated values with a header.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// One JSON array of row objects.
    Json,
}

impl TableFormat {
    /// The format named by `path`'s extension, if it is one of `.csv`, `.parquet`, `.json`.
    pub(crate) fn from_path(path: &Path) -> Option<TableFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(TableFormat::Csv),
            "parquet" | "pq" => Some(TableFormat::Parquet),
            "json" => Some(TableFormat::Json),
            _ => None,
        }
    }
}

/// Writes `df` to `path`, in the format its extension names.
pub(crate) fn write_frame(df: DataFrame, path: &Path) -> Result<()> {
    write_batches(path, std::iter::once(Ok(df)))?;
    Ok(())
}

/// Writes the frames `batches` yields (same columns, at least one frame) to `path` as one
/// table, in the format its extension names, and returns its number of rows. CSV and Parquet
/// are written a batch at a time (a Parquet row group per batch), so only the batch being
/// written is held as a frame; a JSON array is assembled whole before it is written.
pub(crate) fn write_batches<I>(path: &Path, batches: I) -> Result<usize>
where
    I: IntoIterator<Item = PolarsResult<DataFrame>>,
{
    let Some(format) = TableFormat::from_path(path) else {
        bail!(
            "cannot tell the table format of '{}': use a name ending in .csv, .parquet or .json",
            path.display()
        );
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("could not create folder '{}'", dir.display()))?;
    }
    let file = File::create(path).with_context(|| format!("could not create '{}'", path.display()))?;
    let mut out = BufWriter::new(file);
    let mut rows = 0;
    let res = (|| -> PolarsResult<()> {
        let mut frames = batches.into_iter().inspect(|df| rows += df.as_ref().map_or(0, DataFrame::height));
        let mut first = frames.next().unwrap_or_else(|| Ok(DataFrame::empty()))?;
        match format {
            TableFormat::Csv => {
                // The header is written here: polars' own builds it through a NullArray, whose
                // first use fills an 8 MiB shared zeroed buffer (8 MiB of peak memory).
                out.write_all(&csv_header(&first))?;
                let mut w = CsvWriter::new(&mut out).include_header(false).batched(first.schema())?;
                write_each(first, frames, |df| w.write_batch(df))?;
                w.finish()
            }
            TableFormat::Parquet => {
                let mut w = ParquetWriter::new(&mut out).batched(first.schema())?;
                write_each(first, frames, |df| w.write_batch(df))?;
                w.finish().map(|_| ())
            }
            TableFormat::Json => {
                for df in frames {
                    first.vstack_mut(&df?)?;
                }
                JsonWriter::new(&mut out).with_json_format(JsonFormat::Json).finish(&mut first)
            }
        }
    })();
    anyhow::Context::with_context(res, || format!("could not write '{}'", path.display()))?;
    std::io::Write::flush(&mut out).with_context(|| format!("could not write '{}'", path.display()))?;
    Ok(rows)
}

/// Hands `first`, then each frame of `rest`, to `write`, holding one frame at a time.
fn write_each(
    first: DataFrame,
    rest: impl Iterator<Item = PolarsResult<DataFrame>>,
    mut write: impl FnMut(&DataFrame) -> PolarsResult<()>,
) -> PolarsResult<()> {
    write(&first)?;
    drop(first);
    for df in rest {
        write(&df?)?;
    }
    Ok(())
}

/// The header line of a CSV table of `df`'s columns, names quoted as polars would (only when
/// they hold a comma, a quote or a line break).
fn csv_header(df: &DataFrame) -> Vec<u8> {
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| {
            if n.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", n.replace('"', "\"\""))
            } else {
                n.to_string()
            }
        })
        .collect();
    let mut line = names.join(",").into_bytes();
    line.push(b'\n');
    line
}

/// Reads a table written by [`write_frame`]. Columns named in `strings` are read as text
/// whatever they look like (a tool version `1.0` must not become a number).
pub(crate) fn read_frame(path: &Path, strings: &[&str]) -> Result<DataFrame> {
    let Some(format) = TableFormat::from_path(path) else {
        bail!("'{}' is not a .csv, .parquet or .json table", path.display());
    };
    // The columns named in `strings` are read as text whatever their values look like.
    let overwrite: Schema = strings.iter().map(|s| Field::new((*s).into(), DataType::String)).collect();
    let df = match format {
        TableFormat::Csv => CsvReadOptions::default()
            .with_has_header(true)
            .with_schema_overwrite(Some(Arc::new(overwrite)))
            .try_into_reader_with_file_path(Some(path.to_path_buf()))
            .and_then(|r| r.finish()),
        TableFormat::Parquet => {
            let file = File::open(path).with_context(|| format!("could not open '{}'", path.display()))?;
            ParquetReader::new(file).finish()
        }
        TableFormat::Json => {
            let file = File::open(path).with_context(|| format!("could not open '{}'", path.display()))?;
            // Types from every row: a column that is null in the first rows (`issues`) is not
            // typed null. (An overwrite would refuse a table that lacks one of its columns.)
            JsonReader::new(file).with_json_format(JsonFormat::Json).infer_schema_len(None).finish()
        }
    };
    anyhow::Context::with_context(df, || format!("could not read table '{}'", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame with awkward column names, written in batches, reads as polars' own writer
    /// writes it whole: same header line (quoting included), same rows.
    #[test]
    fn batched_csv_matches_polars_whole() {
        let frame = |from: i64, n: i64| {
            DataFrame::new_infer_height(vec![
                Column::new("plain".into(), (from..from + n).collect::<Vec<i64>>()),
                Column::new(
                    "with,comma".into(),
                    (from..from + n).map(|i| format!("v{i}")).collect::<Vec<_>>(),
                ),
                Column::new(
                    "with\"quote".into(),
                    (from..from + n).map(|i| i as f64 / 3.0).collect::<Vec<_>>(),
                ),
            ])
            .unwrap()
        };
        let dir = std::env::temp_dir().join(format!("virtperf-table-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ours = dir.join("batched.csv");
        let rows = write_batches(&ours, vec![Ok(frame(0, 3)), Ok(frame(3, 2))]).unwrap();
        assert_eq!(rows, 5);
        let mut whole = Vec::new();
        CsvWriter::new(&mut whole).include_header(true).finish(&mut frame(0, 5)).unwrap();
        let got = std::fs::read(&ours).unwrap();
        assert_eq!(String::from_utf8(got).unwrap(), String::from_utf8(whole).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Parquet (a row group per batch) and JSON written in batches read back as the whole frame.
    #[test]
    fn batched_parquet_and_json_read_back_whole() {
        let frame = |from: i64, n: i64| {
            DataFrame::new_infer_height(vec![
                Column::new("n".into(), (from..from + n).collect::<Vec<i64>>()),
                Column::new("s".into(), (from..from + n).map(|i| format!("v{i}")).collect::<Vec<_>>()),
            ])
            .unwrap()
        };
        let dir = std::env::temp_dir().join(format!("virtperf-table-pq-{}", std::process::id()));
        for name in ["t.parquet", "t.json"] {
            let path = dir.join(name);
            let rows = write_batches(&path, vec![Ok(frame(0, 3)), Ok(frame(3, 4))]).unwrap();
            assert_eq!(rows, 7, "{name}");
            let back = read_frame(&path, &[]).unwrap();
            assert!(back.equals(&frame(0, 7)), "{name}: {back}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
