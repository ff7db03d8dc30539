//! What `virtperf run --dry-run` prints: the matrices' expansions, the platforms' start
//! commands and every run's command lines in the campaign's order, nothing run.

use super::{pidstat_argv, Campaign, ClientRun};
use crate::exec::{argv_of, shown, Job};

impl Campaign {
    /// What `--dry-run` prints: the order and every command line, nothing run.
    pub(crate) fn dry_run(&self) -> String {
        let mut s = format!(
            "# campaign '{}', seed {}, {} runs, output {}\n",
            self.plan.campaign,
            self.manifest.seed,
            self.slots.len(),
            self.out.display()
        );
        let platforms = self.plan.platforms.iter().map(|p| (p.name.as_str(), p.base.as_deref(), &p.factors));
        let workloads = self.plan.workloads.iter().map(|w| (w.name.as_str(), w.base.as_deref(), &w.factors));
        s.push_str(&describe_matrices("platform", platforms));
        s.push_str(&describe_matrices("workload", workloads));
        if let Some((lo, hi)) = crate::exec::precision::bounds(&self.plan) {
            let rules: Vec<String> = self
                .plan
                .workloads
                .iter()
                .filter_map(|w| w.precision.map(|r| (w, r)))
                .map(|(w, r)| format!("{} ±{}% in {} to {} repetitions", w.name, r.pct, r.min, r.max))
                .collect();
            s.push_str(&format!(
                "# precision on demand ({}): {lo} to {hi} measured runs; below, the first {} \
                 rounds (more rounds only for pairs whose 95% interval is still wider)\n",
                rules.join("; "),
                self.plan.workloads.iter().map(|w| w.repetitions()).max().unwrap_or(0)
            ));
        }
        for p in &self.platforms {
            for argv in p.exec.describe_start(&self.service_ports(p.exec.name())) {
                s.push_str(&format!("# start {}: {}\n", p.exec.name(), shown(&argv)));
            }
        }
        for (i, slot) in self.slots.iter().enumerate() {
            let Some((pi, w)) = self.lookup(slot) else { continue };
            let exec = &self.platforms[pi].exec;
            let job = Job { tag: "dry".into(), workdir: exec.workdir() };
            s.push_str(&format!("[{}/{}] {}\n", i + 1, self.slots.len(), slot.id()));
            if !self.slots[..i].iter().any(|o| o.platform == slot.platform && o.workload == slot.workload) {
                for f in &w.files {
                    let name = f.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
                    s.push_str(&format!(
                        "  copy:    {} -> {}/{name}\n",
                        f.display(),
                        exec.workdir().trim_end_matches('/')
                    ));
                }
            }
            for a in &w.setup {
                s.push_str(&format!("  setup:   {}\n", shown(&argv_of(&exec.command(a, &job)))));
            }
            // A client on this host reaches its service at the platform's name (the real address
            // is known once the platform runs); one in the platform at 127.0.0.1.
            let shift = self.platforms[pi].port_shift;
            let client = w.service_port().and_then(|port| {
                let port = port + shift;
                let host = if w.client_on_platform() { "127.0.0.1" } else { exec.name() };
                ClientRun::new(w, host, port)
            });
            let on_host = |argv: &[String], c: &ClientRun| {
                if c.on_platform {
                    argv_of(&exec.command(argv, &job))
                } else {
                    argv.to_vec()
                }
            };
            let first =
                !self.slots[..i].iter().any(|o| o.platform == slot.platform && o.workload == slot.workload);
            let last = !self.slots[i + 1..]
                .iter()
                .any(|o| o.platform == slot.platform && o.workload == slot.workload);
            if let Some(c) = client.as_ref().filter(|_| first) {
                if let Some((before, _)) = &c.once {
                    s.push_str(&format!("  once:    {}\n", shown(&on_host(before, c))));
                }
            }
            let run = match &client {
                Some(c) => on_host(&c.argv, c),
                None => argv_of(&exec.command(&w.argv(), &job)),
            };
            s.push_str(&format!("  run:     {}\n", shown(&run)));
            if self.plan.monitor.pidstat_interval_s > 0 {
                s.push_str(&format!(
                    "  pidstat: {}\n",
                    shown(&argv_of(&exec.command(&pidstat_argv(&self.plan, w), &job)))
                ));
            }
            for a in &w.cleanup {
                s.push_str(&format!("  cleanup: {}\n", shown(&argv_of(&exec.command(a, &job)))));
            }
            if let Some(c) = client.as_ref().filter(|_| last) {
                if let Some((_, after)) = &c.once {
                    s.push_str(&format!("  once:    {}\n", shown(&on_host(after, c))));
                }
            }
        }
        s
    }
}

/// For `--dry-run`: each `what` (platform, workload) that a matrix expanded, with its
/// expansions and their factor values. `items` are (name, name in the plan when expanded,
/// factor values).
fn describe_matrices<'a>(
    what: &str,
    items: impl Iterator<Item = (&'a str, Option<&'a str>, &'a crate::exec::matrix::Combination)>,
) -> String {
    let mut groups: Vec<(&str, Vec<(&str, &crate::exec::matrix::Combination)>)> = Vec::new();
    for (name, base, factors) in items {
        let Some(base) = base else { continue };
        match groups.last_mut() {
            Some((b, list)) if *b == base => list.push((name, factors)),
            _ => groups.push((base, vec![(name, factors)])),
        }
    }
    let mut s = String::new();
    for (base, list) in groups {
        let factors: Vec<&str> = list[0].1.iter().map(|(k, _)| k.as_str()).collect();
        s.push_str(&format!("# {what} '{base}': matrix {} -> {} {what}s\n", factors.join(" x "), list.len()));
        for (name, values) in list {
            let v: Vec<String> = values.iter().map(|(k, v)| format!("{k}={v}")).collect();
            s.push_str(&format!("#   {name}  ({})\n", v.join(", ")));
        }
    }
    s
}
