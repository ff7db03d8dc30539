//! The store: a results archive many campaigns deep, as a Parquet dataset partitioned
//! Hive-style (`DIR/campaign=NAME/tool=TOOL/part-N.parquet`, the metrics table's rows without
//! the two key columns, which the path holds) and a catalog of the ingested files apart from
//! it (`DIR/_catalog/files.parquet`, [`Entry`]). Layout, keys and why:
//! docs/store.md.
//!
//! This module decides what goes where (which files are new, changed or already there, which
//! part files a filter selects) and does the file system's part (temporary files renamed into
//! place, orphans removed); the frames themselves are built and read by `crate::table`
//! (`table::store`), the one module that imports polars.
//!
//! The catalog is the commit point: a part file belongs to the store if and only if a catalog
//! row names it. An ingest writes its new part files, then the catalog (each a temporary file
//! renamed over the old one), then deletes the part files it replaced; an ingest interrupted
//! anywhere leaves the store as the last finished ingest left it (the next ingest deletes the
//! unnamed part files), and virtperf reads only the part files the catalog names.

pub(crate) mod filter;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::ingest::Ingested;
use crate::model::{FileReport, IngestedRun};
use crate::table::{self, MetricsTable};

pub(crate) use crate::table::Entry;
pub(crate) use filter::Where;

/// The catalog, relative to the store's folder.
pub(crate) const CATALOG: &str = "_catalog/files.parquet";

/// A store folder and its catalog.
pub(crate) struct Store {
    root: PathBuf,
    catalog: Vec<Entry>,
}

/// What one ingest into the store did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct IngestSummary {
    /// Files whose rows were added (new to their campaign).
    pub added: usize,
    /// Files whose content changed: their old rows were replaced.
    pub replaced: usize,
    /// Files already in the store with the same content (same path, or another path of the
    /// same campaign): not ingested again.
    pub unchanged: usize,
    /// Metric rows written.
    pub rows: usize,
    /// Part files written.
    pub parts: usize,
    /// Campaigns written to.
    pub campaigns: BTreeSet<String>,
}

impl Store {
    /// The store in `root`. A folder that does not exist, or exists without a catalog, is an
    /// empty store. Returns an error when the catalog cannot be read.
    pub(crate) fn open(root: &Path) -> Result<Store> {
        let path = root.join(CATALOG);
        let catalog = if path.is_file() {
            table::read_catalog(&path)
                .with_context(|| format!("could not read the store's catalog '{}'", path.display()))?
        } else {
            Vec::new()
        };
        Ok(Store { root: root.to_path_buf(), catalog })
    }

    /// Adds the files of `ingested` to the store, each in the campaign `campaign_of` names
    /// for it: a file whose campaign already holds the same content (same sha256) is skipped,
    /// a file whose path is in its campaign with other content replaces its old rows. The runs
    /// are taken out of `ingested`. `ingested` must have been read with hashes.
    pub(crate) fn ingest(
        &mut self,
        ingested: &mut Ingested,
        campaign_of: &dyn Fn(&FileReport) -> String,
    ) -> Result<IngestSummary> {
        std::fs::create_dir_all(&self.root)
            .with_context(|| format!("could not create the store folder '{}'", self.root.display()))?;
        self.remove_orphans()?;
        let ingest = self.catalog.iter().map(|e| e.ingest).max().unwrap_or(0) + 1;
        let by_path: HashMap<(&str, &str), usize> = self
            .catalog
            .iter()
            .enumerate()
            .map(|(i, e)| ((e.campaign.as_str(), e.path.as_str()), i))
            .collect();
        let by_sha: BTreeSet<(&str, &str)> = self
            .catalog
            .iter()
            .filter(|e| !e.sha256.is_empty())
            .map(|e| (e.campaign.as_str(), e.sha256.as_str()))
            .collect();
        let mut sum = IngestSummary::default();
        let mut replaced: BTreeSet<usize> = BTreeSet::new();
        // Source -> its new catalog entry, for the files taken.
        let mut taken: BTreeMap<String, Entry> = BTreeMap::new();
        for f in &ingested.files {
            let campaign = campaign_of(f);
            check_key("campaign", &campaign, &f.source)?;
            let sha = f.sha256.clone().unwrap_or_default();
            if let Some(&i) = by_path.get(&(campaign.as_str(), f.source.as_str())) {
                if !sha.is_empty() && self.catalog[i].sha256 == sha {
                    sum.unchanged += 1;
                    continue;
                }
                replaced.insert(i);
                sum.replaced += 1;
            } else if !sha.is_empty() && by_sha.contains(&(campaign.as_str(), sha.as_str())) {
                sum.unchanged += 1;
                continue;
            } else if taken.contains_key(&f.source) {
                continue;
            } else {
                sum.added += 1;
            }
            taken.insert(f.source.clone(), new_entry(f, campaign, sha, ingest));
        }
        drop(by_path);
        drop(by_sha);

        // The runs of the files taken, by partition, each with the position of its first row
        // in this ingest (so that reading back keeps ingest order).
        let mut parts: BTreeMap<(String, String), Partition> = BTreeMap::new();
        let mut seq = 0u64;
        for r in std::mem::take(&mut ingested.runs) {
            let Some(e) = taken.get(&r.source) else { continue };
            let rows = table::metric_rows(&r) as u64;
            let p = parts.entry((e.campaign.clone(), r.data.tool.clone())).or_default();
            p.first_rows.push(seq);
            p.dates.push(e.date.clone());
            p.runs.push(r);
            seq += rows;
        }

        // New part files, named in the catalog entries of their sources.
        let mut written: Vec<PathBuf> = Vec::new();
        let result = (|| -> Result<()> {
            for ((campaign, tool), p) in &parts {
                check_key("tool", tool, &p.runs[0].source)?;
                let rel = self.next_part(campaign, tool)?;
                let path = self.root.join(&rel);
                written.push(path.clone());
                let rows = table::write_store_part(&path, &p.runs, &p.first_rows, &p.dates, ingest)?;
                sum.rows += rows;
                sum.parts += 1;
                sum.campaigns.insert(campaign.clone());
                for r in &p.runs {
                    let e = taken.get_mut(&r.source).expect("a run's source was taken");
                    e.rows += table::metric_rows(r) as u64;
                    if !e.part_list().any(|x| x == rel) {
                        if !e.parts.is_empty() {
                            e.parts.push(';');
                        }
                        e.parts.push_str(&rel);
                    }
                }
            }
            Ok(())
        })();
        if let Err(e) = result {
            written.iter().for_each(|p| drop(std::fs::remove_file(p)));
            return Err(e);
        }

        // Parts holding rows of replaced files: rewritten without them.
        let gone: BTreeSet<String> = replaced.iter().map(|&i| self.catalog[i].path.clone()).collect();
        let old_parts: BTreeSet<String> = replaced
            .iter()
            .flat_map(|&i| self.catalog[i].part_list().map(str::to_string).collect::<Vec<_>>())
            .collect();
        let mut renamed: BTreeMap<String, Option<String>> = BTreeMap::new();
        for old in &old_parts {
            let (campaign, tool) = keys_of(old)
                .with_context(|| format!("the catalog names a part '{old}' outside the layout"))?;
            let rel = self.next_part(&campaign, &tool)?;
            let kept = table::rewrite_store_part(&self.root.join(old), &self.root.join(&rel), &gone)?;
            renamed.insert(old.clone(), (kept > 0).then_some(rel));
        }
        let mut catalog: Vec<Entry> = std::mem::take(&mut self.catalog)
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !replaced.contains(i))
            .map(|(_, mut e)| {
                if e.part_list().any(|p| renamed.contains_key(p)) {
                    e.parts = e
                        .part_list()
                        .filter_map(|p| match renamed.get(p) {
                            Some(new) => new.clone(),
                            None => Some(p.to_string()),
                        })
                        .collect::<Vec<_>>()
                        .join(";");
                }
                e
            })
            .collect();
        catalog.extend(taken.into_values());
        catalog.sort_by(|a, b| {
            (a.campaign.as_str(), a.ingest, a.path.as_str()).cmp(&(
                b.campaign.as_str(),
                b.ingest,
                b.path.as_str(),
            ))
        });
        table::write_catalog(&self.root.join(CATALOG), &catalog)?;
        self.catalog = catalog;
        for old in renamed.keys() {
            let _ = std::fs::remove_file(self.root.join(old));
        }
        self.remove_orphans()?;
        Ok(sum)
    }

    /// `campaign=C/tool=T/part-N.parquet` for the first N not taken in that folder.
    fn next_part(&self, campaign: &str, tool: &str) -> Result<String> {
        let dir_rel = format!("campaign={}/tool={}", encode(campaign), encode(tool));
        let dir = self.root.join(&dir_rel);
        std::fs::create_dir_all(&dir).with_context(|| format!("could not create '{}'", dir.display()))?;
        let mut n = 0u64;
        for entry in std::fs::read_dir(&dir).with_context(|| format!("could not list '{}'", dir.display()))? {
            let name = entry?.file_name();
            let name = name.to_string_lossy();
            let num = name
                .trim_start_matches('.')
                .strip_prefix("part-")
                .and_then(|s| s.split('.').next())
                .and_then(|s| s.parse::<u64>().ok());
            if let Some(k) = num {
                n = n.max(k + 1);
            }
        }
        Ok(format!("{dir_rel}/part-{n}.parquet"))
    }

    /// Deletes the part files no catalog entry names, temporary files left by an interrupted
    /// ingest, and partition folders left empty.
    fn remove_orphans(&self) -> Result<()> {
        let named: BTreeSet<&str> = self.catalog.iter().flat_map(Entry::part_list).collect();
        let Ok(campaigns) = std::fs::read_dir(&self.root) else { return Ok(()) };
        for c in campaigns.flatten() {
            let cname = c.file_name().to_string_lossy().into_owned();
            if !cname.starts_with("campaign=") || !c.path().is_dir() {
                continue;
            }
            for t in std::fs::read_dir(c.path())?.flatten() {
                let tname = t.file_name().to_string_lossy().into_owned();
                if !tname.starts_with("tool=") || !t.path().is_dir() {
                    continue;
                }
                for f in std::fs::read_dir(t.path())?.flatten() {
                    let fname = f.file_name().to_string_lossy().into_owned();
                    let rel = format!("{cname}/{tname}/{fname}");
                    let part = fname.starts_with("part-") && fname.ends_with(".parquet");
                    let temp = fname.starts_with('.') && fname.ends_with(".tmp");
                    if (part && !named.contains(rel.as_str())) || temp {
                        std::fs::remove_file(f.path())
                            .with_context(|| format!("could not remove '{}'", f.path().display()))?;
                    }
                }
                let _ = std::fs::remove_dir(t.path()); // only when empty
            }
            let _ = std::fs::remove_dir(c.path());
        }
        if let Ok(dir) = std::fs::read_dir(self.root.join("_catalog")) {
            for f in dir.flatten() {
                if f.file_name().to_string_lossy().ends_with(".tmp") {
                    let _ = std::fs::remove_file(f.path());
                }
            }
        }
        Ok(())
    }
}

/// The runs of one partition written by an ingest.
#[derive(Default)]
struct Partition {
    runs: Vec<IngestedRun>,
    /// Position of each run's first row in the ingest.
    first_rows: Vec<u64>,
    /// Each run's date (its file's).
    dates: Vec<String>,
}

/// A store opened for reading: of its catalog only what chooses the part files (each distinct
/// campaign, date and part list of its rows), not the rest of each file's row. A catalog of a
/// thousand campaigns names hundreds of thousands of files; reading it whole took seconds and
/// more memory than the campaign a command asked for.
pub(crate) struct Reader {
    root: PathBuf,
    index: Vec<table::CatalogParts>,
}

impl Reader {
    /// The store in `root`: an error when it has no catalog (not a store, or nothing ingested
    /// yet) or its catalog cannot be read.
    pub(crate) fn open(root: &Path) -> Result<Reader> {
        let path = root.join(CATALOG);
        if !path.is_file() {
            bail!(
                "'{}' is not a store: it has no {CATALOG} (make one with `virtperf ingest DIR... --store {}`)",
                root.display(),
                root.display()
            );
        }
        let index = table::read_catalog_parts(&path)
            .with_context(|| format!("could not read the store's catalog '{}'", path.display()))?;
        Ok(Reader { root: root.to_path_buf(), index })
    }

    /// The campaigns it holds, sorted.
    pub(crate) fn campaigns(&self) -> BTreeSet<String> {
        self.index.iter().map(|e| e.campaign.clone()).collect()
    }

    /// Hands the rows `w` selects to `each`, one part file at a time (as a metrics table made
    /// into what `prepare` makes of it), in campaign order and, within a campaign and tool, in
    /// the order they were ingested; returns the number of rows handed. Only the part files
    /// whose campaign and tool (the path's keys) and files' dates pass `w` are read; the rows
    /// of a part file are filtered as it is read (platform, workload, date) and prepared, on
    /// every core a batch ahead of `each` (which takes them in order), so memory holds two
    /// batches of [`READ_AHEAD`] part files besides what `each` keeps.
    pub(crate) fn for_each<T: Send>(
        &self,
        w: &Where,
        prepare: impl Fn(MetricsTable) -> Result<T> + Sync,
        mut each: impl FnMut(T) -> Result<()>,
    ) -> Result<usize> {
        // Each part file with its tool, by path: in campaign order.
        let mut parts: BTreeMap<&str, String> = BTreeMap::new();
        for e in &self.index {
            if !w.keeps("campaign", &e.campaign) || !w.keeps("date", &e.date) {
                continue;
            }
            for p in e.parts.split(';').filter(|p| !p.is_empty()) {
                if parts.contains_key(p) {
                    continue;
                }
                let (_, tool) = keys_of(p)
                    .with_context(|| format!("the catalog names a part '{p}' outside the layout"))?;
                if w.keeps("tool", &tool) {
                    parts.insert(p, tool);
                }
            }
        }
        let parts: Vec<(PathBuf, String)> =
            parts.into_iter().map(|(rel, tool)| (self.root.join(rel), tool)).collect();
        let read = |(path, tool): &(PathBuf, String)| -> Result<Option<(usize, T)>> {
            let Some(t) = table::read_store_part(path, tool, w)? else { return Ok(None) };
            Ok(Some((t.rows(), prepare(t)?)))
        };
        let read = |p: &(PathBuf, String)| {
            read(p).with_context(|| format!("could not read the store's part '{}'", p.0.display()))
        };
        // The part files are read (decompressed, filtered, sorted) and prepared on every core, a
        // batch ahead of `each`, which takes them in order on this thread.
        let mut rows = 0;
        std::thread::scope(|scope| -> Result<usize> {
            let (send, receive) = std::sync::mpsc::sync_channel(READ_AHEAD);
            scope.spawn(move || {
                use rayon::prelude::*;
                for batch in parts.chunks(READ_AHEAD) {
                    let tables: Vec<_> = batch.par_iter().map(|p| (p.0.clone(), read(p))).collect();
                    for t in tables {
                        if send.send(t).is_err() {
                            return;
                        }
                    }
                }
            });
            for (path, table) in receive {
                if let Some((n, t)) = table? {
                    rows += n;
                    each(t)
                        .with_context(|| format!("could not read the store's part '{}'", path.display()))?;
                }
            }
            Ok(rows)
        })
    }
}

/// How many part files are read ahead of the one the analysis takes.
const READ_AHEAD: usize = 16;

/// The catalog entry of a file about to be ingested.
fn new_entry(f: &FileReport, campaign: String, sha256: String, ingest: u64) -> Entry {
    Entry {
        path: f.source.clone(),
        sha256,
        size: f.bytes,
        parser: f.parser.unwrap_or("").to_string(),
        campaign,
        platform: f.labels.platform.clone(),
        platform_detail: f.labels.platform_detail.clone(),
        platform_family: f.labels.platform_family.clone(),
        label_origin: f.labels.origin.as_str().to_string(),
        status: if f.error.is_some() { "error" } else { "ok" }.to_string(),
        message: f.error.clone().unwrap_or_default(),
        date: file_date(Path::new(&f.source)),
        parts: String::new(),
        rows: 0,
        ingest,
    }
}

/// The day `path` was last modified, UTC (`YYYY-MM-DD`); empty when it cannot be told.
fn file_date(path: &Path) -> String {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map(|t| chrono::DateTime::<chrono::Utc>::from(t).format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// A partition key's value must name a folder: not empty.
fn check_key(key: &str, value: &str, source: &str) -> Result<()> {
    if value.trim().is_empty() {
        bail!("{source}: its {key} is empty; a store partitions by {key} (give one with --campaign NAME)");
    }
    Ok(())
}

/// A key's value as a path segment, as Hive writes it: every byte outside `A-Z a-z 0-9 - _ .`
/// as `%XX` (and a leading `.`, which readers take for a hidden file).
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for (i, b) in value.bytes().enumerate() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || (b == b'.' && i > 0) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The inverse of [`encode`]; `None` when a `%` is not followed by two hex digits or the
/// bytes are not UTF-8.
pub(crate) fn decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = segment.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The campaign and tool of a part file's path `campaign=C/tool=T/part-N.parquet`.
fn keys_of(rel: &str) -> Option<(String, String)> {
    let mut it = rel.split('/');
    let c = decode(it.next()?.strip_prefix("campaign=")?)?;
    let t = decode(it.next()?.strip_prefix("tool=")?)?;
    Some((c, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_paths() {
        for v in ["lab", "rel 1.2/x", "a=b", "%", "été", ".hidden", "x.y"] {
            let e = encode(v);
            assert!(!e.contains(['/', '=', ' ']) && !e.starts_with('.'), "{v} -> {e}");
            assert_eq!(decode(&e).as_deref(), Some(v));
        }
        assert_eq!(encode("rel 1.2"), "rel%201.2");
        assert_eq!(keys_of("campaign=a%2Fb/tool=fio/part-0.parquet"), Some(("a/b".into(), "fio".into())));
        assert_eq!(decode("%G1"), None);
    }
}
