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

/// One (workload, params, stratum) group. Groups are equal, and ordered, as the strings the
/// tables print: by workload, then by the params' canonical string
/// ([`params_string`]: `bs=4k;iodepth=1`), then by stratum; so a table sorted by group is
/// sorted as its `workload`, `params` and `stratum` columns read.
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
    pub fn from_canonical(workload: &str, params: &str, stratum: &str) -> GroupId {
        GroupId {
            workload: workload.to_string(),
            params: parse_params(params),
            stratum: stratum.to_string(),
            canonical: params.to_string(),
        }
    }

    /// The workload: `sysbench.cpu`, `fio.randread`, `wrk`.
    pub fn workload(&self) -> &str {
        &self.workload
    }

    /// The params, as a map.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The params as the tables write them: `key=value` pairs sorted by key, joined with `;`.
    pub fn params_string(&self) -> &str {
        &self.canonical
    }

    /// The stratum: the platform in `virtperf compare`, else empty.
    pub fn stratum(&self) -> &str {
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
        self.key().cmp(&other.key())
    }
}

impl Hash for GroupId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

/// Params from their canonical string (`key=value;...`, [`params_string`]); a pair without
/// `=` is a key with an empty value.
pub fn parse_params(s: &str) -> Params {
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

    /// Groups sort as their canonical strings do, not as their maps would: `a=10` sorts
    /// before `a=1;b=2` (`'0'` < `';'`), where the maps compare `("a", "1") < ("a", "10")`.
    #[test]
    fn groups_sort_as_the_tables_print_them() {
        let a10 = GroupId::new("w", params(&[("a", "10")]), "");
        let a1b2 = GroupId::new("w", params(&[("a", "1"), ("b", "2")]), "");
        assert!(params(&[("a", "1"), ("b", "2")]) < params(&[("a", "10")]));
        assert!(a10 < a1b2);
        assert_eq!("a=10".cmp("a=1;b=2"), a10.cmp(&a1b2));
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
