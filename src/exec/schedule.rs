//! The order of a campaign's runs: repetitions interleaved across platforms and workloads in a
//! seeded random order, so that drift of the machine (heat, other load, caches) spreads over all
//! platforms instead of masquerading as the overhead of one.
//!
//! The order is made in blocks: block `r` holds repetition `r` of every (platform, workload)
//! pair that has one, shuffled. Warm-up runs of a pair come right before its first repetition.
//! The same plan and seed always give the same order (fastrand's wyrand is stable), which is
//! what `--resume` relies on. Nothing here runs anything.

use super::plan::Plan;

/// Whether a run is measured or a warm-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum RunKind {
    /// Measured repetition `n` (1-based).
    Rep(u32),
    /// Warm-up `n` (1-based), not a repetition.
    Warmup(u32),
}

/// One run of the campaign.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Slot {
    /// Platform name.
    pub(crate) platform: String,
    /// Workload name.
    pub(crate) workload: String,
    /// Measured or warm-up, with its number.
    pub(crate) kind: RunKind,
}

impl Slot {
    /// The run's key in the manifest and its file stem: `rep3` or `warmup1`.
    pub(crate) fn stem(&self) -> String {
        match self.kind {
            RunKind::Rep(n) => format!("rep{n}"),
            RunKind::Warmup(n) => format!("warmup{n}"),
        }
    }

    /// `platform/workload/stem`, unique within a campaign.
    pub(crate) fn id(&self) -> String {
        format!("{}/{}/{}", self.platform, self.workload, self.stem())
    }
}

/// Every run of `plan` in the order they run, for `seed`.
pub(crate) fn schedule(plan: &Plan, seed: u64) -> Vec<Slot> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let max_reps = plan.workloads.iter().map(|w| w.repetitions()).max().unwrap_or(0);
    let mut out = Vec::new();
    for r in 1..=max_reps {
        let mut block: Vec<(&str, &str, u32)> = Vec::new();
        for p in &plan.platforms {
            for w in &plan.workloads {
                if w.repetitions() >= r && w.runs_on(p) {
                    block.push((&p.name, &w.name, w.warmup));
                }
            }
        }
        rng.shuffle(&mut block);
        for (p, w, warmups) in block {
            if r == 1 {
                for n in 1..=warmups {
                    out.push(Slot { platform: p.into(), workload: w.into(), kind: RunKind::Warmup(n) });
                }
            }
            out.push(Slot { platform: p.into(), workload: w.into(), kind: RunKind::Rep(r) });
        }
    }
    out
}

/// One more round of precision on demand: repetition `rep` of each (platform, workload, rep)
/// in `due`, shuffled with a generator seeded by the campaign's seed and the round's number.
pub(crate) fn extra_round(due: &[(String, String, u32)], seed: u64, round: u64) -> Vec<Slot> {
    let mut rng = fastrand::Rng::with_seed(seed ^ round.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut out: Vec<Slot> = due
        .iter()
        .map(|(p, w, rep)| Slot { platform: p.clone(), workload: w.clone(), kind: RunKind::Rep(*rep) })
        .collect();
    rng.shuffle(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn plan() -> Plan {
        Plan::parse(
            r#"
            [[platform]]
            name = "a"
            kind = "native"
            [[platform]]
            name = "b"
            kind = "native"
            [[workload]]
            name = "x"
            kind = "sysbench"
            repetitions = 3
            warmup = 1
            [[workload]]
            name = "y"
            kind = "fio"
            repetitions = 2
            platforms = ["b"]
            "#,
            Path::new("t.toml"),
        )
        .unwrap()
    }

    #[test]
    fn every_run_once_interleaved_and_seeded() {
        let p = plan();
        let s = schedule(&p, 7);
        // a/x: 1 warm-up + 3, b/x: 1 + 3, b/y: 2.
        assert_eq!(s.len(), 10);
        let ids: std::collections::HashSet<_> = s.iter().map(Slot::id).collect();
        assert_eq!(ids.len(), 10);
        assert_eq!(s, schedule(&p, 7));
        let orders: std::collections::HashSet<Vec<String>> =
            (0..20).map(|seed| schedule(&p, seed).iter().map(Slot::id).collect()).collect();
        assert!(orders.len() > 1, "the seed must change the order");
        // Blocks: every rep1 before any rep2; warm-ups right before their rep1.
        let pos = |id: &str| s.iter().position(|x| x.id() == id).unwrap();
        assert!(pos("a/x/rep1").max(pos("b/y/rep1")) < pos("a/x/rep2").min(pos("b/y/rep2")));
        assert_eq!(pos("a/x/warmup1") + 1, pos("a/x/rep1"));
        assert!(!ids.contains("a/y/rep1"));
    }
}
