//! What `report` and `compare` hand the report: views of the ingested runs and files
//! ([`RunView`], [`FileView`]), with each run's arm (and stratum); the report reads these and
//! never the ingest itself.
//!
//! `virtperf compare A B`: two campaigns instead of two platforms. Each campaign's
//! observations become one arm (named after the campaign, A the baseline) and their platforms
//! become strata, so the analysis compares A with B platform by platform and the report has the
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

/// The names of campaigns `a` and `b`: their last path components (a table's without its
/// extension), made distinct (`A:name`, `B:name`) when they are equal.
pub(crate) fn campaign_names(a: &Path, b: &Path) -> (String, String) {
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
    let (na, nb) = (name(a), name(b));
    if na == nb {
        (format!("A:{na}"), format!("B:{nb}"))
    } else {
        (na, nb)
    }
}

/// Makes `ds` one arm named `campaign`: each observation's and log issue's arm (platform)
/// becomes its stratum (so a log issue is labelled `wrk (docker)`).
pub(crate) fn as_campaign(mut ds: Dataset, campaign: &str) -> Dataset {
    for o in &mut ds.obs {
        o.stratum = std::mem::replace(&mut o.arm, campaign.to_string());
    }
    for i in &mut ds.issues {
        i.stratum = std::mem::replace(&mut i.arm, campaign.to_string());
    }
    ds
}

/// Appends `other` to `ds`.
pub(crate) fn merge(ds: &mut Dataset, other: Dataset) {
    ds.obs.extend(other.obs);
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
        assert_eq!(campaign_names(Path::new("x/run"), Path::new("y/run")), ("A:run".into(), "B:run".into()));
        assert_eq!(
            campaign_names(Path::new("before"), Path::new("after/")),
            ("before".into(), "after".into())
        );
    }
}
