//! Which arm the baseline is: `--baseline native` names the arm `native`, or the one arm whose
//! platform is `native` (`native[host]`); several details are a choice for the user, and a name
//! that matches nothing gets the closest. `crate::commands` resolves the baseline before the
//! analysis; the `no_baseline` check words what is left unresolved.

/// Why a requested baseline names no single arm (see [`resolve_baseline`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BaselineError {
    /// No arm has that name or platform.
    NoMatch {
        /// The baseline asked for.
        requested: String,
        /// The arms there are, sorted.
        arms: Vec<String>,
        /// The arm or platform whose name is closest, when one is close.
        closest: Option<String>,
    },
    /// Several arms have that platform, with different details.
    Ambiguous {
        /// The baseline asked for.
        requested: String,
        /// The arms it could be, sorted.
        matches: Vec<String>,
    },
}

impl std::fmt::Display for BaselineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BaselineError::NoMatch { requested, arms, closest } => {
                write!(f, "no platform is called '{requested}'")?;
                if let Some(c) = closest {
                    write!(f, " (did you mean '{c}'?)")?;
                }
                write!(f, "; the platforms are: {}", arms.join(", "))
            }
            BaselineError::Ambiguous { requested, matches } => write!(
                f,
                "'{requested}' is {} platforms: {}; choose one, e.g. --baseline '{}'",
                matches.len(),
                matches.join(", "),
                matches[0]
            ),
        }
    }
}

impl std::error::Error for BaselineError {}

/// The platform part of an arm: `native` of `native[host]`.
fn arm_platform(arm: &str) -> &str {
    arm.split_once('[').map_or(arm, |(p, _)| p)
}

/// The arm among `arms` that the baseline `requested` names: the arm of that name, else the one
/// arm whose platform it is (`native` finds `native[host]`; a detail is matched only when
/// asked for, as in `native[host]`).
///
/// Returns [`BaselineError::Ambiguous`] when the platform has several details, and
/// [`BaselineError::NoMatch`] (with the closest name: the same name in another case first,
/// then the nearest by edit distance, if within a third of its length) when nothing matches.
pub(crate) fn resolve_baseline(requested: &str, arms: &[String]) -> Result<String, BaselineError> {
    if arms.iter().any(|a| a == requested) {
        return Ok(requested.to_string());
    }
    let matches: Vec<String> = arms.iter().filter(|a| arm_platform(a) == requested).cloned().collect();
    match matches.len() {
        1 => return Ok(matches[0].clone()),
        0 => {}
        _ => return Err(BaselineError::Ambiguous { requested: requested.to_string(), matches }),
    }
    let mut names: Vec<&str> = arms.iter().map(String::as_str).collect();
    names.extend(arms.iter().map(|a| arm_platform(a)));
    names.sort_unstable();
    names.dedup();
    let lower = requested.to_lowercase();
    let closest = names.iter().find(|n| n.to_lowercase() == lower).map(|n| n.to_string()).or_else(|| {
        let (d, name) = names.iter().map(|n| (strsim::levenshtein(&n.to_lowercase(), &lower), *n)).min()?;
        (d <= (requested.chars().count() / 3).max(1)).then(|| name.to_string())
    });
    Err(BaselineError::NoMatch { requested: requested.to_string(), arms: arms.to_vec(), closest })
}

/// What the `no_baseline` check says when no arm is called `baseline`.
pub(super) fn no_baseline_detail(baseline: &str, arms: &[String]) -> String {
    match resolve_baseline(baseline, arms) {
        Err(BaselineError::Ambiguous { matches, .. }) => format!(
            "the baseline '{baseline}' is {} platforms ({}); nothing is compared. Choose one with \
             --baseline, e.g. --baseline '{}'",
            matches.len(),
            matches.join(", "),
            matches[0]
        ),
        _ => format!(
            "no runs are labelled '{baseline}'; nothing is compared. Choose --baseline from: {}",
            arms.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arms(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    /// Issue 13, parts 4 and 9: the baseline is found by platform, by detail only when asked;
    /// several details are a choice to make; a name that matches nothing gets the closest.
    #[test]
    fn the_baseline_is_found_by_platform() {
        let a = arms(&["docker", "native[host]", "qemu[raw]"]);
        assert_eq!(resolve_baseline("native", &a), Ok("native[host]".to_string()));
        assert_eq!(resolve_baseline("native[host]", &a), Ok("native[host]".to_string()));
        let a = arms(&["docker", "native", "native[host]"]);
        assert_eq!(resolve_baseline("native", &a), Ok("native".to_string()));
        let a = arms(&["docker", "native[a]", "native[b]"]);
        let e = resolve_baseline("native", &a).unwrap_err();
        assert_eq!(
            e.to_string(),
            "'native' is 2 platforms: native[a], native[b]; choose one, e.g. --baseline 'native[a]'"
        );
        assert_eq!(resolve_baseline("native[b]", &a), Ok("native[b]".to_string()));
        let a = arms(&["docker", "native", "qemu[raw]"]);
        assert_eq!(
            resolve_baseline("Native", &a).unwrap_err().to_string(),
            "no platform is called 'Native' (did you mean 'native'?); the platforms are: docker, native, qemu[raw]"
        );
        assert_eq!(
            resolve_baseline("nosuch", &a).unwrap_err().to_string(),
            "no platform is called 'nosuch'; the platforms are: docker, native, qemu[raw]"
        );
        let closest = |r: &str| match resolve_baseline(r, &a) {
            Err(BaselineError::NoMatch { closest, .. }) => closest,
            other => panic!("{other:?}"),
        };
        assert_eq!(closest("dokcer").as_deref(), Some("docker"));
        assert_eq!(closest("QEMU").as_deref(), Some("qemu"));
        assert_eq!(closest("natve").as_deref(), Some("native"));
        assert_eq!(closest("kvm"), None);
    }
}
