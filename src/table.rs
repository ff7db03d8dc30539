//! Writing and reading the tidy tables (CSV, Parquet, JSON) through polars, chosen by the file
//! extension. Nothing here knows what the columns mean beyond their types.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use polars::prelude::*;

/// Table formats virtperf writes and reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// Comma-separated values with a header.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// One JSON array of row objects.
    Json,
}

impl TableFormat {
    /// The format named by `path`'s extension, if it is one of `.csv`, `.parquet`, `.json`.
    pub fn from_path(path: &Path) -> Option<TableFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(TableFormat::Csv),
            "parquet" | "pq" => Some(TableFormat::Parquet),
            "json" => Some(TableFormat::Json),
            _ => None,
        }
    }
}

/// Writes `df` to `path`, in the format its extension names.
pub fn write_frame(df: &mut DataFrame, path: &Path) -> Result<()> {
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
    let res = match format {
        TableFormat::Csv => CsvWriter::new(&mut out).include_header(true).finish(df),
        TableFormat::Parquet => ParquetWriter::new(&mut out).finish(df).map(|_| ()),
        TableFormat::Json => JsonWriter::new(&mut out).with_json_format(JsonFormat::Json).finish(df),
    };
    anyhow::Context::with_context(res, || format!("could not write '{}'", path.display()))?;
    std::io::Write::flush(&mut out).with_context(|| format!("could not write '{}'", path.display()))?;
    Ok(())
}

/// Reads a table written by [`write_frame`]. Columns named in `strings` are read as text
/// whatever they look like (a tool version `1.0` must not become a number).
pub fn read_frame(path: &Path, strings: &[&str]) -> Result<DataFrame> {
    let Some(format) = TableFormat::from_path(path) else {
        bail!("'{}' is not a .csv, .parquet or .json table", path.display());
    };
    let df = match format {
        TableFormat::Csv => {
            let overwrite: Schema =
                strings.iter().map(|s| Field::new((*s).into(), DataType::String)).collect();
            CsvReadOptions::default()
                .with_has_header(true)
                .with_schema_overwrite(Some(Arc::new(overwrite)))
                .try_into_reader_with_file_path(Some(path.to_path_buf()))
                .and_then(|r| r.finish())
        }
        TableFormat::Parquet => {
            let file = File::open(path).with_context(|| format!("could not open '{}'", path.display()))?;
            ParquetReader::new(file).finish()
        }
        TableFormat::Json => {
            let file = File::open(path).with_context(|| format!("could not open '{}'", path.display()))?;
            JsonReader::new(file).with_json_format(JsonFormat::Json).finish()
        }
    };
    anyhow::Context::with_context(df, || format!("could not read table '{}'", path.display()))
}
