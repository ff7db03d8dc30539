//! `--where` filters on a store: `KEY=VALUE` (a glob when VALUE holds `*`, `?` or `[`), and a
//! date range `date>=YYYY-MM-DD`, `date<=YYYY-MM-DD`. Repeating a key offers alternatives (any
//! of them matches); different keys must all match.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use globset::{Glob, GlobMatcher};

/// The keys `--where` takes.
pub(crate) const KEYS: &[&str] = &["campaign", "tool", "platform", "workload", "date"];

/// One accepted value of a key.
#[derive(Debug, Clone)]
enum Value {
    /// Exactly this text.
    Exact(String),
    /// A glob pattern.
    Glob(GlobMatcher),
}

impl Value {
    fn matches(&self, v: &str) -> bool {
        match self {
            Value::Exact(s) => s == v,
            Value::Glob(g) => g.is_match(v),
        }
    }
}

/// The parsed `--where` filters.
#[derive(Debug, Clone, Default)]
pub(crate) struct Where {
    /// Key -> its alternatives.
    keys: BTreeMap<&'static str, Vec<Value>>,
    /// Earliest date kept (`date>=`), `YYYY-MM-DD`.
    from: Option<String>,
    /// Latest date kept (`date<=`), `YYYY-MM-DD`.
    to: Option<String>,
}

impl Where {
    /// Parses the `--where` arguments. Returns an error naming the argument when its key is
    /// not one of [`KEYS`], its value is empty, its glob does not compile or its date is not
    /// `YYYY-MM-DD`.
    pub(crate) fn parse(args: &[String]) -> Result<Where> {
        let mut w = Where::default();
        for arg in args {
            let (key, op, value) = split(arg).with_context(|| {
                format!(
                    "--where '{arg}': expected KEY=VALUE (keys: {}) or date>=/date<=YYYY-MM-DD",
                    KEYS.join(", ")
                )
            })?;
            let Some(key) = KEYS.iter().copied().find(|k| *k == key) else {
                bail!("--where '{arg}': no key '{key}'; the keys are {}", KEYS.join(", "));
            };
            if value.is_empty() {
                bail!("--where '{arg}': the value is empty");
            }
            if key == "date" {
                check_date(value).with_context(|| format!("--where '{arg}'"))?;
                match op {
                    ">=" => w.from = Some(max_of(w.from.take(), value)),
                    "<=" => w.to = Some(min_of(w.to.take(), value)),
                    _ => {
                        w.from = Some(max_of(w.from.take(), value));
                        w.to = Some(min_of(w.to.take(), value));
                    }
                }
                continue;
            }
            if op != "=" {
                bail!("--where '{arg}': only date takes >= or <=; write {key}=VALUE");
            }
            let v = if value.contains(['*', '?', '[']) {
                Value::Glob(
                    Glob::new(value)
                        .with_context(|| format!("--where '{arg}': not a glob"))?
                        .compile_matcher(),
                )
            } else {
                Value::Exact(value.to_string())
            };
            w.keys.entry(key).or_default().push(v);
        }
        Ok(w)
    }

    /// Returns true if and only if `value` of `key` passes the filters (a key without a
    /// filter passes everything; `date` is checked against the range).
    pub(crate) fn keeps(&self, key: &str, value: &str) -> bool {
        if key == "date" {
            return self.from.as_deref().is_none_or(|f| value >= f)
                && self.to.as_deref().is_none_or(|t| value <= t);
        }
        self.keys.get(key).is_none_or(|alts| alts.iter().any(|a| a.matches(value)))
    }

    /// Returns true if and only if a filter is set on `key` (for `date`, a bound).
    pub(crate) fn filters(&self, key: &str) -> bool {
        if key == "date" {
            return self.from.is_some() || self.to.is_some();
        }
        self.keys.contains_key(key)
    }

    /// The exact campaign names it asks for, when every campaign alternative is an exact name.
    pub(crate) fn exact_campaigns(&self) -> Option<Vec<String>> {
        let alts = self.keys.get("campaign")?;
        alts.iter()
            .map(|a| match a {
                Value::Exact(s) => Some(s.clone()),
                Value::Glob(_) => None,
            })
            .collect()
    }
}

impl crate::table::RowFilter for Where {
    fn filters(&self, key: &str) -> bool {
        Where::filters(self, key)
    }

    fn keeps(&self, key: &str, value: &str) -> bool {
        Where::keeps(self, key, value)
    }
}

/// `key`, operator and value of `arg` (`date>=2026-01-01`, `campaign=x`).
fn split(arg: &str) -> Option<(&str, &str, &str)> {
    for op in [">=", "<=", "="] {
        if let Some(i) = arg.find(op) {
            // `a=b>=c` is key `a`, value `b>=c`: the first operator wins.
            let first = arg.find(['=', '>', '<']).unwrap_or(i);
            if first == i {
                return Some((arg[..i].trim(), op, arg[i + op.len()..].trim()));
            }
        }
    }
    None
}

fn check_date(v: &str) -> Result<()> {
    chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map(|_| ())
        .with_context(|| format!("'{v}' is not a date YYYY-MM-DD"))
}

fn max_of(a: Option<String>, b: &str) -> String {
    a.filter(|a| a.as_str() > b).unwrap_or_else(|| b.to_string())
}

fn min_of(a: Option<String>, b: &str) -> String {
    a.filter(|a| a.as_str() < b).unwrap_or_else(|| b.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(args: &[&str]) -> Result<Where> {
        Where::parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn keys_and_alternatives() {
        let f = w(&["campaign=a", "campaign=rel-*", "platform=docker"]).unwrap();
        assert!(f.keeps("campaign", "a"));
        assert!(f.keeps("campaign", "rel-12"));
        assert!(!f.keeps("campaign", "b"));
        assert!(f.keeps("platform", "docker"));
        assert!(!f.keeps("platform", "native"));
        assert!(f.keeps("workload", "anything"));
        assert_eq!(f.exact_campaigns(), None);
        assert_eq!(
            w(&["campaign=a", "campaign=b"]).unwrap().exact_campaigns(),
            Some(vec!["a".into(), "b".into()])
        );
    }

    #[test]
    fn date_range() {
        let f = w(&["date>=2026-01-01", "date<=2026-06-30"]).unwrap();
        assert!(f.keeps("date", "2026-01-01"));
        assert!(f.keeps("date", "2026-06-30"));
        assert!(!f.keeps("date", "2025-12-31"));
        assert!(!f.keeps("date", "2026-07-01"));
        let day = w(&["date=2026-03-04"]).unwrap();
        assert!(day.keeps("date", "2026-03-04") && !day.keeps("date", "2026-03-05"));
    }

    #[test]
    fn bad_filters_say_what_is_expected() {
        let err = |a: &[&str]| format!("{:#}", w(a).unwrap_err());
        assert!(err(&["host=x"]).contains("no key 'host'"), "{}", err(&["host=x"]));
        assert!(err(&["campaign"]).contains("expected KEY=VALUE"));
        assert!(err(&["date>=2026-13-01"]).contains("not a date"));
        assert!(err(&["platform>=a"]).contains("only date"));
        assert!(err(&["campaign="]).contains("empty"));
    }
}
