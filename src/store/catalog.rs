//! The store's catalog: one row per ingested file (`_catalog/files.parquet`), kept apart from
//! the data partitions so that a glob over `campaign=*/` reads data only. It is the commit
//! point of an ingest: a part file is in the store if and only if a catalog row names it.

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
