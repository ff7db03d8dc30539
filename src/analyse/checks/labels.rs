//! `mixed_labels`: the files pooled under one platform got that label in different ways.

use std::collections::{BTreeMap, BTreeSet};

use super::{Context, Findings};
use crate::analyse::input::{Dataset, LabelSource};
use crate::analyse::output::{Check, Scope, Severity};
use crate::model::LabelOrigin;

/// `mixed_labels`: a warning for each platform whose files, pooled in one arm, got that label
/// in different ways: from different origins (path words and a manifest), different path
/// words (`bare` and `native`), or the same word at different depths in different folders
/// (`kvm-study/bm/` through `kvm-study` and `kvm-study/kvm/` through `kvm`: bare-metal runs
/// pooled with KVM ones). Files that got the word from one folder at several depths
/// (`kvm/cpu.txt`, `kvm/disk/fio.json`), or from sibling folders at one depth (`run1/kvm/`,
/// `run2/kvm/`), are consistent. Only arms of the analysis count (not `compare`'s campaigns).
pub(super) fn mixed_labels(ctx: &Context<'_>) -> Findings {
    mixed_label_checks(ctx.ds, ctx.arms).into()
}

/// The `mixed_labels` checks of `ds`, whose arms are `arms` (sorted).
fn mixed_label_checks(ds: &Dataset, arms: &[String]) -> Vec<Check> {
    let mut groups: BTreeMap<(&str, &str), Vec<&LabelSource>> = BTreeMap::new();
    for l in ds.label_sources.iter().filter(|l| arms.binary_search(&l.arm).is_ok()) {
        groups.entry((l.arm.as_str(), l.platform.as_str())).or_default().push(l);
    }
    let mut checks = Vec::new();
    for ((arm, platform), files) in groups {
        let origins: BTreeSet<&str> = files.iter().map(|l| l.origin.as_str()).collect();
        let path: Vec<&&LabelSource> = files.iter().filter(|l| l.origin == LabelOrigin::Path).collect();
        let words: BTreeSet<&str> = path.iter().map(|l| l.word.as_str()).collect();
        let depths: BTreeSet<usize> = path.iter().map(|l| l.depth).collect();
        let prefixes: BTreeSet<&str> = path.iter().map(|l| l.prefix.as_str()).collect();
        if origins.len() < 2 && words.len() < 2 && (depths.len() < 2 || prefixes.len() < 2) {
            continue;
        }
        // Each way a label was given, with its files.
        let mut ways: BTreeMap<(usize, String), Vec<&str>> = BTreeMap::new();
        for l in &files {
            let way = match l.origin {
                LabelOrigin::Path => format!(
                    "word '{}' {}",
                    l.word,
                    match l.depth {
                        0 => "in the file name".to_string(),
                        1 => "in the file's folder".to_string(),
                        d => format!("in the folder {d} levels up"),
                    }
                ),
                LabelOrigin::Manifest => "manifest.json".to_string(),
                LabelOrigin::Mapping => "the --labels file".to_string(),
                LabelOrigin::Cli => "--label".to_string(),
                LabelOrigin::Unknown => "nothing".to_string(),
                LabelOrigin::Table => "the table it was read from".to_string(),
            };
            ways.entry((l.depth, way)).or_default().push(l.source.as_str());
        }
        let listed: Vec<String> = ways
            .iter()
            .map(|((_, way), f)| format!("{way} ({} file{})", f.len(), if f.len() == 1 { "" } else { "s" }))
            .collect();
        let pooled = if arm == platform { String::new() } else { format!(" (in {arm})") };
        // One file of each way first: those are the ones to compare.
        let mut sources: Vec<String> = ways.values().map(|f| f[0].to_string()).collect();
        sources.extend(ways.values().flat_map(|f| f[1..].iter().map(|s| s.to_string())));
        checks.push(Check {
            check: "mixed_labels",
            severity: Severity::Warning,
            workload: String::new(),
            platform: arm.to_string(),
            scope: Scope { platform: Some(arm.to_string()), ..Scope::none() },
            detail: format!(
                "the files of {platform}{pooled} got that label in different ways and are pooled as \
                 one platform: {}; check that they are (virtperf labels shows each file's)",
                listed.join("; ")
            ),
            sources,
        });
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::input::ObsRow;
    use crate::model::{Better, Declared, Kind};

    /// A dataset with one observation per arm of `files` and their label sources:
    /// `(source, arm, platform, origin, word, depth, prefix)`.
    fn dataset(files: &[(&str, &str, &str, LabelOrigin, &str, usize, &str)]) -> Dataset {
        let mut ds = Dataset::default();
        for &(source, arm, platform, origin, word, depth, prefix) in files {
            ds.push(ObsRow {
                source: source.into(),
                run: 1,
                tool: "sysbench".into(),
                tool_version: None,
                workload: "sysbench.cpu".into(),
                params: String::new(),
                arm: arm.into(),
                stratum: String::new(),
                repetition: 1,
                first_line: 1,
                metric: "events_per_sec".into(),
                unit: "events/s".into(),
                better: Better::Higher,
                kind: Kind::Performance,
                value: 1.0,
                declared: Declared::default(),
            });
            ds.label_sources.push(LabelSource {
                source: source.into(),
                arm: arm.into(),
                platform: platform.into(),
                family: "unknown".into(),
                origin,
                word: word.into(),
                depth,
                prefix: prefix.into(),
            });
        }
        ds
    }

    const P: LabelOrigin = LabelOrigin::Path;

    /// Issue 13, part 9: bare-metal files labelled kvm through a study folder's name, pooled
    /// with real KVM files, get a warning; consistent layouts do not.
    #[test]
    fn labels_from_different_words_or_depths_are_flagged() {
        let ds = dataset(&[
            ("kvm-study/bm/r1.txt", "kvm", "kvm", P, "kvm", 2, "kvm-study"),
            ("kvm-study/kvm/r1.txt", "kvm", "kvm", P, "kvm", 1, "kvm-study/kvm"),
            ("kvm-study/kvm/r2.txt", "kvm", "kvm", P, "kvm", 1, "kvm-study/kvm"),
        ]);
        let checks = mixed_label_checks(&ds, &ds.arms());
        assert_eq!(checks.len(), 1);
        assert_eq!(
            checks[0].detail,
            "the files of kvm got that label in different ways and are pooled as one platform: word 'kvm' \
             in the file's folder (2 files); word 'kvm' in the folder 2 levels up (1 file); check that \
             they are (virtperf labels shows each file's)"
        );
        assert_eq!(
            checks[0].sources,
            ["kvm-study/kvm/r1.txt", "kvm-study/bm/r1.txt", "kvm-study/kvm/r2.txt"]
        );
        let words = dataset(&[
            ("bare/r1.txt", "native", "native", P, "bare", 1, "bare"),
            ("native/r1.txt", "native", "native", P, "native", 1, "native"),
        ]);
        assert_eq!(mixed_label_checks(&words, &words.arms()).len(), 1);
        let origins = dataset(&[
            ("c/native/rep1.txt", "native", "native", LabelOrigin::Manifest, "", 0, ""),
            ("x/native/r1.txt", "native", "native", P, "native", 1, "x/native"),
        ]);
        assert!(mixed_label_checks(&origins, &origins.arms())[0]
            .detail
            .contains("manifest.json (1 file); word 'native' in the file's folder (1 file)"));
        for ok in [
            // Sibling folders at one depth, one folder at several depths, file names.
            dataset(&[
                ("run1/kvm/r1.txt", "kvm", "kvm", P, "kvm", 1, "run1/kvm"),
                ("run2/kvm/r1.txt", "kvm", "kvm", P, "kvm", 1, "run2/kvm"),
            ]),
            dataset(&[
                ("kvm/cpu.txt", "kvm", "kvm", P, "kvm", 1, "kvm"),
                ("kvm/disk/fio.json", "kvm", "kvm", P, "kvm", 2, "kvm"),
            ]),
            dataset(&[
                ("x/docker_cpu.txt", "docker", "docker", P, "docker", 0, "x/docker_cpu.txt"),
                ("x/docker_io.txt", "docker", "docker", P, "docker", 0, "x/docker_io.txt"),
            ]),
            // --group-by family: kvm and qemu in vm, each consistent.
            dataset(&[
                ("kvm/r1.txt", "vm", "kvm", P, "kvm", 1, "kvm"),
                ("qemu/r1.txt", "vm", "qemu", P, "qemu", 1, "qemu"),
            ]),
        ] {
            assert!(mixed_label_checks(&ok, &ok.arms()).is_empty(), "{:?}", ok.label_sources);
        }
        // compare: the arms are campaigns, not the files' platforms.
        let mut cmp = dataset(&[
            ("bare/r1.txt", "native", "native", P, "bare", 1, "bare"),
            ("native/r1.txt", "native", "native", P, "native", 1, "native"),
        ]);
        cmp.settings.iter_mut().for_each(|s| s.arm = "before".into());
        assert!(mixed_label_checks(&cmp, &cmp.arms()).is_empty());
    }
}
