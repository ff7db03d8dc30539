//! Plan matrices: a workload that varies its arguments (`[workload.matrix] threads = [8, 16]`
//! with `{threads}` in `args`) or a platform that varies its settings (`[platform.matrix]
//! smp = [1, 2]`) stands for one workload or platform per combination of values. This module
//! reads a matrix table, lists its combinations, fills `{factor}` placeholders and names each
//! expansion; [`super::plan`] applies it to the specs, and the runner sees only the expanded
//! workloads and platforms, so the seeded interleaving covers every combination.

use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One combination: (factor, value) pairs in the matrix's order.
pub(crate) type Combination = Vec<(String, String)>;

/// A `matrix` table: each factor with its values as text, in the order the plan writes them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Matrix(pub(crate) Vec<(String, Vec<String>)>);

impl Matrix {
    /// Returns true if and only if it varies nothing.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The factor names, in order.
    pub(crate) fn factors(&self) -> Vec<&str> {
        self.0.iter().map(|(k, _)| k.as_str()).collect()
    }

    /// Every combination of values, the first factor varying slowest (as nested loops read).
    pub(crate) fn combinations(&self) -> Vec<Combination> {
        let mut out: Vec<Combination> = vec![Vec::new()];
        for (factor, values) in &self.0 {
            out = out
                .into_iter()
                .flat_map(|c| {
                    values.iter().map(move |v| {
                        let mut c = c.clone();
                        c.push((factor.clone(), v.clone()));
                        c
                    })
                })
                .collect();
        }
        out
    }
}

/// A factor name: a letter or `_`, then letters, digits and `_` (it is written `{name}`).
fn is_factor_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A factor's name, checked as it is read (so an error points at it).
struct FactorName(String);

impl<'de> Deserialize<'de> for FactorName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<FactorName, D::Error> {
        use serde::de::Error;
        let key = String::deserialize(d)?;
        if !is_factor_name(&key) {
            return Err(D::Error::custom(format!(
                "matrix factor '{key}' must be a name of letters, digits and '_' (it is written {{{key}}})"
            )));
        }
        Ok(FactorName(key))
    }
}

/// A factor's values as text, checked as they are read (so an error points at them).
struct FactorValues(Vec<String>);

impl<'de> Deserialize<'de> for FactorValues {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<FactorValues, D::Error> {
        use serde::de::Error;
        let values = Vec::<toml::Value>::deserialize(d)?;
        if values.is_empty() {
            return Err(D::Error::custom("a matrix factor needs at least one value"));
        }
        let mut texts: Vec<String> = Vec::new();
        for v in values {
            let t = match v {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Float(f) => f.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                other => {
                    return Err(D::Error::custom(format!(
                        "a matrix factor's values must be strings or numbers, got {}",
                        other.type_str()
                    )))
                }
            };
            if texts.contains(&t) {
                return Err(D::Error::custom(format!("a matrix factor lists value '{t}' twice")));
            }
            texts.push(t);
        }
        Ok(FactorValues(texts))
    }
}

impl<'de> Deserialize<'de> for Matrix {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Matrix, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Matrix;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table of factors, each a list of values, e.g. threads = [8, 16]")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Matrix, A::Error> {
                let mut out = Vec::new();
                while let Some((FactorName(k), FactorValues(v))) = map.next_entry()? {
                    out.push((k, v));
                }
                Ok(Matrix(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl Serialize for Matrix {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// `text` with every `{factor}` of `values` replaced by its value, `{{` and `}}` by `{` and
/// `}`. A `{name}` whose name is not a factor is an error (a misspelt factor would otherwise
/// stay in the argv); braces around anything else (`{print $1}`) stay as they are.
pub(crate) fn fill(text: &str, values: &[(String, String)]) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if let Some(end) = tail.find('}').filter(|_| tail.starts_with('{')) {
            let name = &tail[1..end];
            if is_factor_name(name) {
                match values.iter().find(|(k, _)| k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        let known: Vec<&str> = values.iter().map(|(k, _)| k.as_str()).collect();
                        return Err(format!(
                            "placeholder '{{{name}}}' names no factor of the matrix (factors: {}; write {{{{ and }}}} for literal braces)",
                            known.join(", ")
                        ));
                    }
                }
                rest = &tail[end + 1..];
                continue;
            }
        }
        out.push_str(&tail[..1]);
        rest = &tail[1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Returns true if and only if `text` holds the placeholder `{factor}`.
pub(crate) fn mentions(text: &str, factor: &str) -> bool {
    text.contains(&format!("{{{factor}}}"))
}

/// How a value reads in a name: a path by its file name, any character a folder name cannot
/// hold as `_`.
fn name_part(value: &str) -> String {
    let v = value.rsplit('/').find(|s| !s.is_empty()).unwrap_or(value);
    v.chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' })
        .collect()
}

/// The name of the expansion of `name` for `values`: `name` with its placeholders filled when
/// it has any (`cpu-{prime}` gives `cpu-10000`), else `name-factor=value-...`
/// (`sysbench-cpu-prime=10000`, `qemu-format=qcow2-smp=2`).
pub(crate) fn expanded_name(name: &str, values: &[(String, String)]) -> Result<String, String> {
    if values.iter().any(|(k, _)| mentions(name, k)) {
        let filled = fill(name, &values.iter().map(|(k, v)| (k.clone(), name_part(v))).collect::<Vec<_>>())?;
        return Ok(filled);
    }
    let mut s = name.to_string();
    for (k, v) in values {
        s.push_str(&format!("-{k}={}", name_part(v)));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Combination {
        p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[derive(Deserialize)]
    struct T {
        matrix: Matrix,
    }

    #[test]
    fn a_matrix_keeps_the_plan_order_and_gives_every_combination() {
        let t: T =
            toml::from_str("[matrix]\nmode = [\"seqwr\", \"rndwr\"]\nthreads = [8, 16]\nbias = [0.5]\n")
                .unwrap();
        assert_eq!(t.matrix.factors(), ["mode", "threads", "bias"]);
        let c = t.matrix.combinations();
        assert_eq!(c.len(), 4);
        assert_eq!(c[0], pairs(&[("mode", "seqwr"), ("threads", "8"), ("bias", "0.5")]));
        assert_eq!(c[1], pairs(&[("mode", "seqwr"), ("threads", "16"), ("bias", "0.5")]));
        assert_eq!(c[3], pairs(&[("mode", "rndwr"), ("threads", "16"), ("bias", "0.5")]));
        assert_eq!(Matrix::default().combinations(), vec![Vec::new()]);
        for (bad, says) in [
            ("x = []", "a matrix factor needs at least one value"),
            ("x = [1, 1]", "lists value '1' twice"),
            ("x = [[1]]", "values must be strings or numbers, got array"),
            ("x = 1", "invalid type"),
            ("\"a b\" = [1]", "matrix factor 'a b' must be a name of letters"),
        ] {
            let e = toml::from_str::<T>(&format!("[matrix]\n{bad}\n")).err().unwrap().to_string();
            assert!(e.contains(says) && e.contains("line 2"), "{bad}: {e}");
        }
    }

    #[test]
    fn placeholders_are_filled_and_a_misspelt_one_is_an_error() {
        let v = pairs(&[("threads", "8"), ("mode", "seqwr")]);
        assert_eq!(fill("--threads={threads}", &v).unwrap(), "--threads=8");
        assert_eq!(fill("{mode}-{threads}{threads}", &v).unwrap(), "seqwr-88");
        assert_eq!(fill("awk '{print $1}' {{threads}} }", &v).unwrap(), "awk '{print $1}' {threads} }");
        assert_eq!(fill("{ threads }{", &v).unwrap(), "{ threads }{");
        let e = fill("--threads={thread}", &v).unwrap_err();
        assert_eq!(
            e,
            "placeholder '{thread}' names no factor of the matrix (factors: threads, mode; write {{ and }} for literal braces)"
        );
        assert!(mentions("--threads={threads}", "threads") && !mentions("--threads=8", "threads"));
    }

    #[test]
    fn expansions_are_named_readably() {
        let v = pairs(&[("prime", "10000")]);
        assert_eq!(expanded_name("sysbench-cpu", &v).unwrap(), "sysbench-cpu-prime=10000");
        assert_eq!(expanded_name("cpu-{prime}", &v).unwrap(), "cpu-10000");
        let q = pairs(&[("disk", "/var/tmp/lab/disk.qcow2"), ("smp", "2"), ("memory", "1.5 g")]);
        assert_eq!(expanded_name("vm", &q).unwrap(), "vm-disk=disk.qcow2-smp=2-memory=1.5_g");
        assert_eq!(expanded_name("vm-{smp}cpu", &q).unwrap(), "vm-2cpu");
    }
}
