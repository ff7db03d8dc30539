//! What `report` and `compare` hand the report: views of the ingested runs and files
//! ([`RunView`], [`FileView`]), with each run's arm (and stratum); the report reads these and
//! never the ingest itself.
//!
//! `virtperf compare A B ...`: campaigns instead of platforms. Each campaign's
//! observations become one arm (named after the campaign, A the baseline) and their platforms
//! become strata, so the analysis compares A with each other platform by platform and the report has the
//! same shape as a platform report.

use std::path::Path;

use crate::analyse::Dataset;
use crate::ingest::Ingested;
use crate::report::{FileView, RunView};

/// The runs and files of a platform report: each compared as its platform (with detail).
pub(crate) fn platform_views(ingested: &Ingested) -> (Vec<RunView>, Vec<FileView>) {
    let runs = ingested
        .runs
        .iter()
        .map(|r| {
            RunView::new(
                r,
                crate::analyse::arm_name(&r.labels.platform, &r.labels.platform_detail),
                String::new(),
            )
        })
        .collect();
    let files = ingested
        .files
        .iter()
        .map(|f| FileView {
            campaign: String::new(),
            arm: crate::analyse::arm_name(&f.labels.platform, &f.labels.platform_detail),
            report: f.clone(),
        })
        .collect();
    (runs, files)
}

/// Views of what only a table or a store holds (no file of it was read here): one run per
/// (source, run) of `ds`'s observations whose source no ingested file has, and one file per
/// such source, so that the report counts them. A table keeps no facts, so the hosts, kernels
/// and dates of these runs are not known.
pub(crate) fn table_views(ds: &Dataset, ingested: &Ingested) -> (Vec<RunView>, Vec<FileView>) {
    use std::collections::{BTreeMap, BTreeSet};
    let read: BTreeSet<&str> = ingested.files.iter().map(|f| f.source.as_str()).collect();
    let mut runs: BTreeMap<(&str, u32), RunView> = BTreeMap::new();
    let mut files: BTreeMap<&str, (String, BTreeSet<u32>)> = BTreeMap::new();
    for o in ds.iter().filter(|o| !read.contains(o.source())) {
        files.entry(o.source()).or_insert_with(|| (o.arm().to_string(), BTreeSet::new())).1.insert(o.run());
        runs.entry((o.source(), o.run())).or_insert_with(|| RunView {
            arm: o.arm().to_string(),
            stratum: o.stratum().to_string(),
            source: o.source().to_string(),
            tool: o.tool().to_string(),
            tool_version: o.tool_version().map(str::to_string),
            workload: o.workload().to_string(),
            params: o.params().to_string(),
            monitor: o.declared().role == crate::model::Role::Monitor,
            ..RunView::default()
        });
    }
    let files = files
        .into_iter()
        .map(|(source, (arm, runs))| FileView {
            campaign: String::new(),
            arm: arm.clone(),
            report: crate::model::FileReport {
                source: source.to_string(),
                runs: runs.len(),
                labels: crate::model::Labels {
                    // The arm is the platform with its detail, as the analysis names it.
                    platform: arm,
                    origin: crate::model::LabelOrigin::Table,
                    how: "as the ingested table records them".into(),
                    ..crate::model::Labels::default()
                },
                ..crate::model::FileReport::default()
            },
        })
        .collect();
    (runs.into_values().collect(), files)
}

/// The names of the campaigns `paths`: their last path components (a table's without its
/// extension), made distinct (`A:name`, `B:name`, ...) when two are equal.
pub(crate) fn campaign_names(paths: &[std::path::PathBuf]) -> Vec<String> {
    let name = |p: &Path| -> String {
        let p = if p.as_os_str().is_empty() || p == Path::new(".") {
            std::env::current_dir().unwrap_or_else(|_| p.to_path_buf())
        } else {
            p.to_path_buf()
        };
        let stem = if p.is_file() { p.file_stem() } else { p.file_name() };
        stem.map(|s| s.to_string_lossy().into_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| p.display().to_string())
    };
    let names: Vec<String> = paths.iter().map(|p| name(p)).collect();
    let unique = names.iter().collect::<std::collections::BTreeSet<_>>().len() == names.len();
    if unique {
        return names;
    }
    names
        .into_iter()
        .enumerate()
        .map(|(i, n)| {
            let tag = if i < 26 { ((b'A' + i as u8) as char).to_string() } else { (i + 1).to_string() };
            format!("{tag}:{n}")
        })
        .collect()
}

/// Makes `ds` one arm named `campaign`: each observation's and log issue's arm (platform)
/// becomes its stratum (so a log issue is labelled `wrk (docker)`).
pub(crate) fn as_campaign(mut ds: Dataset, campaign: &str) -> Dataset {
    ds.rewrite_settings(|s, it| s.stratum = std::mem::replace(&mut s.arm, it.str(campaign)));
    for i in &mut ds.issues {
        i.stratum = std::mem::replace(&mut i.arm, campaign.to_string());
    }
    ds
}

/// Appends `other` to `ds`.
pub(crate) fn merge(ds: &mut Dataset, mut other: Dataset) {
    ds.append_obs(&mut other);
    ds.issues.extend(other.issues);
    ds.unreadable.extend(other.unreadable);
    ds.unlabelled.extend(other.unlabelled);
}

/// The runs and files of one campaign as the report shows them: each run compared as the
/// campaign, within its platform.
pub(crate) fn campaign_views(ingested: &Ingested, campaign: &str) -> (Vec<RunView>, Vec<FileView>) {
    let runs = ingested
        .runs
        .iter()
        .map(|r| {
            let platform = crate::analyse::arm_name(&r.labels.platform, &r.labels.platform_detail);
            RunView::new(r, campaign.to_string(), platform)
        })
        .collect();
    let files = ingested
        .files
        .iter()
        .map(|f| FileView { campaign: campaign.to_string(), arm: campaign.to_string(), report: f.clone() })
        .collect();
    (runs, files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_names_are_told_apart() {
        let names = |p: &[&str]| campaign_names(&p.iter().map(std::path::PathBuf::from).collect::<Vec<_>>());
        assert_eq!(names(&["x/run", "y/run"]), vec!["A:run", "B:run"]);
        assert_eq!(names(&["before", "after/"]), vec!["before", "after"]);
        assert_eq!(names(&["a/r", "b/r", "c/s"]), vec!["A:r", "B:r", "C:s"]);
    }
}
