//! The identity of a group of runs: what the analysis pools before it compares platforms, and
//! what its rows and the report's sections are keyed by.
//!
//! A group is one workload with one set of params within one stratum (the platform in
//! `virtperf compare`, else empty); the metric and the arm (platform or campaign) sit beside it
//! where a table needs them. Not here: how the runs are grouped (`crate::analyse`).

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

use serde::Serialize;

use super::{params_string, Params};

/// One (workload, params, stratum) group. Groups are equal as the strings the tables print
/// (the workload, the params' canonical string [`params_string`]: `bs=4k;iodepth=1`, the
/// stratum), and ordered as a reader expects those strings: by workload, then by the params
/// pair by pair, each value as a number when it is one ([`params_cmp`]: `threads=20` before
/// `threads=100`), then by stratum.
#[derive(Debug, Clone, Serialize)]
pub struct GroupId {
    workload: String,
    params: Params,
    stratum: String,
    /// The params as the tables write them; what equality and order compare.
    #[serde(skip)]
    canonical: String,
}

impl GroupId {
    /// The group of `workload` run with `params` in `stratum`.
    pub fn new(workload: impl Into<String>, params: Params, stratum: impl Into<String>) -> GroupId {
        let canonical = params_string(&params);
        GroupId { workload: workload.into(), params, stratum: stratum.into(), canonical }
    }

    /// The group whose params a table gives as their canonical string (`bs=4k;iodepth=1`,
    /// [`params_string`]). The string is kept as given, so a group read from a table is the
    /// group its rows name even when a value holds a `;` that [`parse_params`] cannot split.
    pub(crate) fn from_canonical(workload: &str, params: &str, stratum: &str) -> GroupId {
        GroupId {
            workload: workload.to_string(),
            params: parse_params(params),
            stratum: stratum.to_string(),
            canonical: params.to_string(),
        }
    }

    /// The workload: `sysbench.cpu`, `fio.randread`, `wrk`.
    pub(crate) fn workload(&self) -> &str {
        &self.workload
    }

    /// The params, as a map.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The params as the tables write them: `key=value` pairs sorted by key, joined with `;`.
    pub(crate) fn params_string(&self) -> &str {
        &self.canonical
    }

    /// The stratum: the platform in `virtperf compare`, else empty.
    pub(crate) fn stratum(&self) -> &str {
        &self.stratum
    }

    fn key(&self) -> (&str, &str, &str) {
        (&self.workload, &self.canonical, &self.stratum)
    }
}

impl PartialEq for GroupId {
    fn eq(&self, other: &GroupId) -> bool {
        self.key() == other.key()
    }
}

impl Eq for GroupId {}

impl PartialOrd for GroupId {
    fn partial_cmp(&self, other: &GroupId) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for GroupId {
    fn cmp(&self, other: &GroupId) -> Ordering {
        self.workload
            .cmp(&other.workload)
            .then_with(|| params_cmp(&self.canonical, &other.canonical))
            .then_with(|| self.stratum.cmp(&other.stratum))
            // Equal only when the strings are (`threads=08` and `threads=8` are two groups).
            .then_with(|| self.key().cmp(&other.key()))
    }
}

/// Orders two canonical params strings pair by pair: by key, then by value as a number when
/// both are numbers ([`crate::text::value_cmp`]); fewer pairs first when one is the other's
/// start.
pub(crate) fn params_cmp(a: &str, b: &str) -> Ordering {
    fn pairs(s: &str) -> Vec<(&str, &str)> {
        s.split(';').filter(|kv| !kv.is_empty()).map(|kv| kv.split_once('=').unwrap_or((kv, ""))).collect()
    }
    let (x, y) = (pairs(a), pairs(b));
    for ((ka, va), (kb, vb)) in x.iter().zip(&y) {
        let ord = ka.cmp(kb).then_with(|| crate::text::value_cmp(va, vb));
        if ord.is_ne() {
            return ord;
        }
    }
    x.len().cmp(&y.len())
}

impl Hash for GroupId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

/// Params from their canonical string (`key=value;...`, [`params_string`]); a pair without
/// `=` is a key with an empty value.
pub(crate) fn parse_params(s: &str) -> Params {
    s.split(';')
        .filter(|kv| !kv.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (kv.to_string(), String::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    /// Groups sort with numeric values as numbers (issue 18: threads 10, 20, ..., 100, not
    /// 10, 100, 110, ..., 20), pair by pair, decimals and sizes included.
    #[test]
    fn groups_sort_with_numbers_as_numbers() {
        let g = |pairs: &[(&str, &str)]| GroupId::new("w", params(pairs), "");
        let mut v: Vec<GroupId> =
            ["100", "20", "10", "110", "190"].iter().map(|t| g(&[("threads", t)])).collect();
        v.sort();
        let order: Vec<&str> = v.iter().map(GroupId::params_string).collect();
        assert_eq!(order, ["threads=10", "threads=20", "threads=100", "threads=110", "threads=190"]);
        assert!(g(&[("rate", "0.25")]) < g(&[("rate", "0.5")]));
        assert!(g(&[("bs", "4k")]) < g(&[("bs", "64k")]));
        assert!(g(&[("bs", "4k"), ("iodepth", "32")]) < g(&[("bs", "64k"), ("iodepth", "1")]));
        // The first pair decides before the second.
        assert!(g(&[("a", "1"), ("b", "2")]) < g(&[("a", "10")]));
        // Equal numbers in another spelling are two groups, ordered and never equal.
        assert_ne!(g(&[("t", "08")]), g(&[("t", "8")]));
        assert_ne!(g(&[("t", "08")]).cmp(&g(&[("t", "8")])), Ordering::Equal);
        let a10 = g(&[("a", "10")]);
        let none = GroupId::new("w", Params::new(), "");
        assert!(none < a10);
        assert!(GroupId::new("v", params(&[("z", "9")]), "x") < none);
        assert!(none < GroupId::new("w", Params::new(), "docker"));
    }

    #[test]
    fn a_group_from_a_table_is_the_group_of_its_runs() {
        let from_runs = GroupId::new("fio.randread", params(&[("iodepth", "1"), ("bs", "4k")]), "");
        let from_table = GroupId::from_canonical("fio.randread", "bs=4k;iodepth=1", "");
        assert_eq!(from_runs, from_table);
        assert_eq!(from_table.params(), from_runs.params());
        assert_eq!(from_table.params_string(), "bs=4k;iodepth=1");
        assert_eq!(parse_params(""), Params::new());
        assert_eq!(parse_params("flag;k=v=w"), params(&[("flag", ""), ("k", "v=w")]));
        // A value with a `;` is kept whole in the group's name.
        let odd = GroupId::from_canonical("w", "k=a;b", "");
        assert_eq!(odd.params_string(), "k=a;b");
        assert_ne!(odd, GroupId::from_canonical("w", "k=a", ""));
    }
}
