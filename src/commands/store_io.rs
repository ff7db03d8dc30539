//! The commands' side of the store (`crate::store`): `ingest --store` (which campaign each
//! file goes to, what is printed) and the rows `--store DIR --where ...` selects, handed to
//! the analysis a part file at a time (read a batch ahead, `crate::store::Reader::for_each`).

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

use super::Loaded;
use crate::ingest::Ingested;
use crate::model::FileReport;
use crate::store::{IngestSummary, Reader, Store, Where};
use crate::table::{MetricsTable, Prepared};

/// Adds `ingested` (read with hashes from `inputs`) to the store `dir`. Each file's campaign
/// is `campaign` when given, else its label's (the manifest's, or `--label campaign=`), else
/// the name of the input folder it was found in.
pub(crate) fn ingest_into(
    dir: &Path,
    inputs: &[PathBuf],
    campaign: Option<&str>,
    ingested: &mut Ingested,
) -> Result<IngestSummary> {
    let mut store = Store::open(dir)?;
    let campaign_of = |f: &FileReport| -> String {
        if let Some(c) = campaign {
            return c.to_string();
        }
        if !f.labels.campaign.is_empty() {
            return f.labels.campaign.clone();
        }
        folder_name(inputs, Path::new(&f.source))
    };
    store.ingest(ingested, &campaign_of)
}

/// The name of the input of `inputs` that `source` was found in: a folder's own name, a
/// file's folder's name (the current folder's name for `.`).
fn folder_name(inputs: &[PathBuf], source: &Path) -> String {
    let input = inputs.iter().filter(|i| source.starts_with(i)).max_by_key(|i| i.as_os_str().len());
    let folder = match input {
        Some(i) if i.is_dir() => i.clone(),
        Some(i) => i.parent().map(Path::to_path_buf).unwrap_or_default(),
        None => source.parent().map(Path::to_path_buf).unwrap_or_default(),
    };
    let folder = if folder.as_os_str().is_empty() || folder == Path::new(".") {
        std::env::current_dir().unwrap_or(folder)
    } else {
        folder
    };
    let folder = std::fs::canonicalize(&folder).unwrap_or(folder);
    folder.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// `what` of the store's rows `filters` select, as the report lists its inputs:
/// `store DIR (campaign=a, platform=docker)`.
pub(crate) fn describe(dir: &Path, filters: &[String]) -> String {
    if filters.is_empty() {
        format!("store {}", dir.display())
    } else {
        format!("store {} ({})", dir.display(), filters.join(", "))
    }
}

/// Adds the rows of the store `dir` that `filters` (`--where`) select to `loaded`, one part
/// file at a time (its observations, log issues and counts). An error when `dir` is
/// not a store, a filter is malformed, or nothing passes the filters (it then lists the
/// store's campaigns).
pub(crate) fn add_selected(loaded: &mut Loaded, dir: &Path, filters: &[String]) -> Result<()> {
    let w = Where::parse(filters)?;
    let store = Reader::open(dir)?;
    if let Some(names) = w.exact_campaigns() {
        let have = store.campaigns();
        let missing: Vec<&String> = names.iter().filter(|n| !have.contains(*n)).collect();
        if !missing.is_empty() {
            bail!(
                "the store '{}' has no campaign {}; it has: {}",
                dir.display(),
                missing.iter().map(|m| format!("'{m}'")).collect::<Vec<_>>().join(", "),
                list(&have)
            );
        }
    }
    // Each part file's counts and rows matched to their runs and metrics are made where it is
    // read (on every core); this thread adds them to the dataset, in order, sharing the strings
    // of those before.
    let prepare = |t: MetricsTable| -> Result<Prepared> { t.prepare() };
    let rows = store.for_each(&w, prepare, |prepared| {
        loaded.counts = loaded.counts.add(prepared.counts);
        prepared.add_to(&mut loaded.dataset);
        Ok(())
    })?;
    if rows == 0 {
        bail!(
            "no row of the store '{}' passes {}; its campaigns: {}",
            dir.display(),
            if filters.is_empty() { "(no filter)".to_string() } else { filters.join(" and ") },
            list(&store.campaigns())
        );
    }
    loaded.dataset.unlabelled.sort();
    loaded.dataset.unlabelled.dedup();
    Ok(())
}

/// Returns true if and only if `dir` is a store holding campaign `name`.
pub(crate) fn has_campaign(dir: &Path, name: &str) -> Result<bool> {
    Ok(Reader::open(dir)?.campaigns().contains(name))
}

fn list(names: &std::collections::BTreeSet<String>) -> String {
    const SHOWN: usize = 20;
    let mut s = names.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > SHOWN {
        s.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    if s.is_empty() {
        s = "none".into();
    }
    s
}
