//! Drives a campaign: the seeded order, platforms brought up on first use, setup → pidstat →
//! tool → pidstat stop → cleanup for every run, timeouts, Ctrl-C, the progress bar, and the
//! manifest written atomically after every run so that `--resume` continues where a campaign
//! stopped, even after a `kill -9`.
//!
//! Layout of OUT (what `virtperf ingest OUT` reads):
//! `PLATFORM/WORKLOAD/repN.txt` (the tool's stdout, byte for byte), `repN.pidstat` (pidstat
//! inside the platform), `repN.host.pidstat` (pidstat on the host for the qemu process or the
//! container's processes), hidden `.repN.stderr` beside them, `manifest.json`; warm-ups, work
//! folders, logs and the lock live under the hidden `.virtperf/`.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rustix::process::Signal;

use super::kinds::services;
use super::lock::CampaignLock;
use super::plan::{MeasureSpec, Plan, WorkloadSpec};
use super::precision::{self, PrimaryReader, Standing};
use super::schedule::{extra_round, schedule, RunKind, Slot};
use super::services::{wait_ready, Platform, Service, ServiceKind, VersionProbe};
use super::{
    argv_of, executor_for, facts_argv, parse_facts, run_captured, shown, signal_group, spawn_to,
    wait_deadline, Executor, ExecutorKind, Job, StartContext, Waited,
};
use crate::digest::sha256_file;
use crate::model::exit::{EXIT_BAD_INPUT, EXIT_INTERRUPTED};
use crate::model::manifest::{Facts, Manifest, PlatformFacts, RunRecord, RunStatus, MANIFEST_FORMAT};

mod dry_run;

/// Options of `virtperf run`.
#[derive(Debug, Clone, Default)]
pub(crate) struct RunOptions {
    /// The plan file.
    pub(crate) plan: PathBuf,
    /// Output folder; default `results/CAMPAIGN`.
    pub(crate) out: Option<PathBuf>,
    /// Continue the campaign in `out`.
    pub(crate) resume: bool,
    /// With `resume`: run failed and timed-out runs again.
    pub(crate) retry_failed: bool,
    /// Print what would run, run nothing.
    pub(crate) dry_run: bool,
    /// Seed of the order (default: the plan's `seed`, else 1).
    pub(crate) seed: Option<u64>,
    /// Reads the primary metric of run outputs (precision on demand).
    pub(crate) primary: Option<PrimaryReader>,
}

/// `virtperf run`.
pub(crate) fn run_command(opts: &RunOptions) -> Result<ExitCode> {
    let plan = Plan::load(&opts.plan)?;
    let out = opts.out.clone().unwrap_or_else(|| PathBuf::from("results").join(&plan.campaign));
    if opts.dry_run {
        let seed = opts.seed.or(plan.seed).unwrap_or(1);
        let execs = plan.platforms.iter().map(|p| executor_for(p, &out, &plan.campaign)).collect();
        let c = Campaign::new(plan, out, seed, execs)?;
        // A reader that stops early (`| head`) is not an error: what it read was printed.
        use std::io::Write;
        return match std::io::stdout().lock().write_all(c.dry_run().as_bytes()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
            _ => Ok(ExitCode::SUCCESS),
        };
    }
    std::fs::create_dir_all(&out)
        .with_context(|| format!("could not create output folder '{}'", out.display()))?;
    let out = out.canonicalize()?;
    let mut manifest = open_manifest(opts, &plan, &out)?;
    let seed = manifest.seed;
    if opts.retry_failed {
        manifest.runs.retain(|r| r.status == RunStatus::Ok);
    }
    let execs = plan.platforms.iter().map(|p| executor_for(p, &out, &plan.campaign)).collect();
    let mut c = Campaign::new(plan, out, seed, execs)?;
    c.manifest = manifest;
    c.primary = opts.primary;
    let stop = c.stop.clone();
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        // A second Ctrl-C while stopping (a VM powering off) exits at once.
        signal_hook::flag::register_conditional_shutdown(sig, EXIT_INTERRUPTED as i32, stop.clone())
            .and_then(|_| signal_hook::flag::register(sig, stop.clone()))
            .context("could not install the Ctrl-C handler")?;
    }
    let outcome = c.run()?;
    Ok(match outcome {
        Outcome::Interrupted => ExitCode::from(EXIT_INTERRUPTED),
        Outcome::Finished { failed: 0 } => ExitCode::SUCCESS,
        Outcome::Finished { .. } => ExitCode::from(EXIT_BAD_INPUT),
    })
}

/// The manifest of the campaign in `out`: the one there when resuming (same plan, same seed),
/// else a new one. A folder that holds a campaign is refused without `--resume`.
fn open_manifest(opts: &RunOptions, plan: &Plan, out: &Path) -> Result<Manifest> {
    let manifest_path = out.join("manifest.json");
    let plan_sha = sha256_file(&opts.plan)?;
    if !manifest_path.exists() {
        return Ok(Manifest {
            format: MANIFEST_FORMAT,
            virtperf_version: env!("CARGO_PKG_VERSION").into(),
            campaign: plan.campaign.clone(),
            plan: opts.plan.display().to_string(),
            plan_sha256: plan_sha,
            seed: opts.seed.or(plan.seed).unwrap_or(1),
            created_at: now(),
            ..Manifest::default()
        });
    }
    if !opts.resume {
        bail!(
            "'{}' already holds a campaign (manifest.json); use --resume to continue it, or another --out",
            out.display()
        );
    }
    let m = Manifest::load(&manifest_path)?;
    if m.plan_sha256 != plan_sha {
        bail!(
            "plan '{}' differs from the one campaign '{}' in '{}' was started with; resume with the same plan, \
             or use another --out",
            opts.plan.display(),
            m.campaign,
            out.display()
        );
    }
    if let Some(s) = opts.seed {
        if s != m.seed {
            bail!("--seed {s} differs from the campaign's seed {}; drop --seed to resume", m.seed);
        }
    }
    Ok(m)
}

/// Now, RFC 3339 UTC with milliseconds.
fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// How a campaign ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Every scheduled run was tried; `failed` of them did not end ok.
    Finished {
        /// Runs that failed or timed out (all, including earlier sessions).
        failed: usize,
    },
    /// Ctrl-C (or SIGTERM): finished runs kept, platforms stopped.
    Interrupted,
}

/// One service on one platform, and the ports it was started on.
struct ServiceState {
    kind: &'static ServiceKind,
    service: Box<dyn Service>,
    ports: BTreeSet<u16>,
}

struct PlatformState {
    exec: Box<dyn Executor>,
    started: bool,
    broken: Option<String>,
    /// Every service a workload kind may need, made for this platform.
    services: Vec<ServiceState>,
    /// Workloads whose `files` are on the platform already.
    copied: BTreeSet<String>,
    /// Added to a service's port on this platform: platforms on this host's network (this
    /// host, containers with `network = "host"`) share its ports, so the second one's servers
    /// listen one port up, the third's two, and so on.
    port_shift: u16,
    /// Workloads whose once-before command (sysbench oltp's prepare) ran, and whose
    /// once-after command (cleanup) is due after their last run.
    prepared: BTreeSet<String>,
}

/// How a run of a client kind (wrk, sysbench-oltp, ...) goes: its completed argv, where it
/// runs, the address it reaches the service at, and the kind's once-before and once-after
/// commands.
struct ClientRun {
    argv: Vec<String>,
    on_platform: bool,
    target: String,
    once: Option<(Vec<String>, Vec<String>)>,
}

impl ClientRun {
    /// The client of `w` reaching its service at `host:port` from where it runs.
    fn new(w: &WorkloadSpec, host: &str, port: u16) -> Option<ClientRun> {
        let c = w.client()?;
        let mut argv = w.argv();
        argv.extend((c.target)(w, host, port));
        let once = c.once.map(|f| f(&argv));
        Some(ClientRun { argv, on_platform: w.client_on_platform(), target: format!("{host}:{port}"), once })
    }
}

/// Where the files of one run go, and the tags of its jobs.
struct RunFiles {
    /// Folder relative to OUT (`PLATFORM/WORKLOAD`, or under `.virtperf/warmup/`).
    dir: String,
    /// `rep3` or `warmup1`.
    stem: String,
    /// Prefix of the run's job tags: pid, platform, workload, stem.
    tag: String,
}

impl RunFiles {
    fn new(slot: &Slot) -> RunFiles {
        let dir = match slot.kind {
            RunKind::Warmup(_) => format!(".virtperf/warmup/{}/{}", slot.platform, slot.workload),
            RunKind::Rep(_) => format!("{}/{}", slot.platform, slot.workload),
        };
        let stem = slot.stem();
        let tag = format!("{}-{}-{}-{}", std::process::id(), slot.platform, slot.workload, stem);
        RunFiles { dir, stem, tag }
    }

    /// `name` in the run's folder, relative to OUT.
    fn rel(&self, name: &str) -> String {
        format!("{}/{name}", self.dir)
    }

    /// The job `what` of the run on the platform of `exec`.
    fn job(&self, what: &str, exec: &dyn Executor) -> Job {
        Job { tag: format!("{}-{what}", self.tag), workdir: exec.workdir() }
    }
}

/// A campaign in progress.
pub(crate) struct Campaign {
    plan: Plan,
    out: PathBuf,
    slots: Vec<Slot>,
    platforms: Vec<PlatformState>,
    /// The manifest as it stands; written after every run.
    pub(crate) manifest: Manifest,
    /// Set by Ctrl-C (or by a test) to stop.
    pub(crate) stop: Arc<AtomicBool>,
    host: Facts,
    progress: ProgressBar,
    lock: Option<CampaignLock>,
    /// Reads the primary metric of outputs, for precision on demand; without it only the
    /// minimum repetitions of a precision rule run.
    pub(crate) primary: Option<PrimaryReader>,
}

impl Campaign {
    /// A campaign of `plan` into `out`, in the order of `seed`, on `executors` (one per plan
    /// platform, same order).
    pub(crate) fn new(
        plan: Plan,
        out: PathBuf,
        seed: u64,
        executors: Vec<Box<dyn Executor>>,
    ) -> Result<Campaign> {
        if executors.len() != plan.platforms.len() {
            bail!("internal: {} executors for {} platforms", executors.len(), plan.platforms.len());
        }
        let slots = schedule(&plan, seed);
        let manifest = Manifest {
            format: MANIFEST_FORMAT,
            virtperf_version: env!("CARGO_PKG_VERSION").into(),
            campaign: plan.campaign.clone(),
            plan: plan.path.display().to_string(),
            seed,
            created_at: now(),
            ..Manifest::default()
        };
        let mut on_host_network = 0;
        let platforms = executors
            .into_iter()
            .zip(&plan.platforms)
            .map(|(exec, spec)| PlatformState {
                port_shift: if exec.host_network() {
                    on_host_network += 1;
                    on_host_network - 1
                } else {
                    0
                },
                exec,
                started: false,
                broken: None,
                services: services()
                    .into_iter()
                    .map(|kind| ServiceState {
                        kind,
                        service: (kind.make)(Some(spec)),
                        ports: BTreeSet::new(),
                    })
                    .collect(),
                copied: BTreeSet::new(),
                prepared: BTreeSet::new(),
            })
            .collect();
        Ok(Campaign {
            platforms,
            plan,
            out,
            slots,
            manifest,
            stop: Arc::new(AtomicBool::new(false)),
            host: Facts::default(),
            progress: ProgressBar::hidden(),
            lock: None,
            primary: None,
        })
    }

    /// Ports on platform `name` where services that its workloads need listen.
    fn service_ports(&self, name: &str) -> Vec<u16> {
        let Some(spec) = self.plan.platforms.iter().find(|p| p.name == name) else { return Vec::new() };
        let ports: BTreeSet<u16> = self
            .plan
            .workloads
            .iter()
            .filter(|w| w.runs_on(spec))
            .filter_map(WorkloadSpec::service_port)
            .collect();
        ports.into_iter().collect()
    }

    fn lookup(&self, slot: &Slot) -> Option<(usize, &WorkloadSpec)> {
        let pi = self.plan.platforms.iter().position(|p| p.name == slot.platform)?;
        Some((pi, self.plan.workload(&slot.workload)?))
    }

    fn say(&self, msg: &str) {
        if self.progress.is_hidden() {
            eprintln!("virtperf: {msg}");
        } else {
            self.progress.println(format!("virtperf: {msg}"));
        }
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    fn manifest_path(&self) -> PathBuf {
        self.out.join("manifest.json")
    }

    fn save(&mut self) -> Result<()> {
        self.manifest.updated_at = now();
        self.manifest.save(&self.manifest_path())
    }

    /// Runs every scheduled run not yet in the manifest.
    pub(crate) fn run(&mut self) -> Result<Outcome> {
        for w in &self.plan.workloads {
            if let Some(f) = w.files.iter().find(|f| !f.is_file()) {
                bail!(
                    "plan '{}': workload '{}': key 'files': no file '{}' on this host (build it first?)",
                    self.plan.path.display(),
                    w.name,
                    f.display()
                );
            }
        }
        std::fs::create_dir_all(&self.out)?;
        self.lock = Some(CampaignLock::take(&self.out)?);
        self.manifest.planned_runs = self.slots.len();
        let probes: Vec<VersionProbe> = services().iter().map(|k| (k.make)(None).version_probe()).collect();
        let mut host_cmd = Command::new("sh");
        host_cmd.args(&facts_argv(&probes)[1..]);
        self.host = run_captured(&mut host_cmd, Duration::from_secs(60))
            .map(|o| parse_facts(&String::from_utf8_lossy(&o.stdout)))
            .unwrap_or_default();
        self.manifest.host = self.host.clone();
        self.save()?;

        let done: HashSet<String> = self.manifest.runs.iter().map(|r| r.id.clone()).collect();
        let todo: Vec<(usize, Slot)> =
            self.slots.iter().cloned().enumerate().filter(|(_, s)| !done.contains(&s.id())).collect();
        let total = self.slots.len() as u64;
        self.progress = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        self.progress.set_style(
            ProgressStyle::with_template(
                "{spinner} {pos}/{len} runs [{elapsed_precise}, {eta} left] {wide_msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        self.progress.set_position(total - todo.len() as u64);
        self.progress.reset_eta();
        self.progress.enable_steady_tick(Duration::from_millis(250));
        if !done.is_empty() {
            self.say(&format!("resuming: {} of {} runs already recorded", done.len(), total));
        }

        let mut interrupted = self.run_slots(todo)?;
        if !interrupted {
            interrupted = self.more_rounds()?;
        }
        self.progress.finish_and_clear();
        self.shutdown();
        self.save()?;
        self.lock = None;
        let failed = self.manifest.runs.iter().filter(|r| r.status != RunStatus::Ok).count();
        let ok = self.manifest.runs.len() - failed;
        if interrupted {
            self.say(&format!(
                "interrupted: {ok} runs kept in {}; continue with `virtperf run {} --out {} --resume`",
                self.manifest_path().display(),
                self.plan.path.display(),
                self.out.display()
            ));
            return Ok(Outcome::Interrupted);
        }
        self.say(&format!(
            "{ok} runs ok, {failed} failed or timed out; manifest: {}",
            self.manifest_path().display()
        ));
        Ok(Outcome::Finished { failed })
    }

    /// Runs `todo` (index in the order, slot) in order; true when the campaign was interrupted.
    fn run_slots(&mut self, todo: Vec<(usize, Slot)>) -> Result<bool> {
        // The last run of each (platform, workload) in this session.
        let mut seen = HashSet::new();
        let last: HashSet<usize> = todo
            .iter()
            .rev()
            .filter(|(_, s)| seen.insert((s.platform.clone(), s.workload.clone())))
            .map(|(i, _)| *i)
            .collect();
        let mut interrupted = false;
        let total = self.slots.len();
        for (index, slot) in todo {
            if self.stopping() {
                interrupted = true;
                break;
            }
            self.progress.set_message(slot.id());
            match self.run_slot(index, &slot, last.contains(&index))? {
                Some(rec) => {
                    let line = format!(
                        "[{}/{}] {} {:?} {:.1} s{}",
                        index + 1,
                        total,
                        rec.id,
                        rec.status,
                        rec.duration_s,
                        rec.error.as_deref().map(|e| format!(": {e}")).unwrap_or_default()
                    );
                    let line = match failure_details(&self.out, &rec) {
                        Some(more) => format!("{line}\n{more}"),
                        None => line,
                    };
                    self.manifest.record(rec);
                    self.save()?;
                    self.say(&line);
                    self.progress.inc(1);
                }
                None => {
                    interrupted = true;
                    break;
                }
            }
        }
        Ok(interrupted)
    }

    /// Precision on demand: rounds of one more repetition of every (platform, workload) whose
    /// primary metric's interval is still wider than its rule's target, until none is (or each
    /// has run its maximum); the manifest records why each stopped. True when interrupted.
    fn more_rounds(&mut self) -> Result<bool> {
        let Some(read) = self.primary else { return Ok(false) };
        let mut round = 0u64;
        let interrupted = loop {
            let standings = precision::standings(&self.plan, &self.manifest.runs, &self.out, read);
            self.manifest.precision = standings.iter().map(Standing::stop).collect();
            let wanting: Vec<&Standing> = standings.iter().filter(|s| s.wants_more()).collect();
            if wanting.is_empty() {
                break false;
            }
            let due: Vec<(String, String, u32)> =
                wanting.iter().map(|s| (s.platform.clone(), s.workload.clone(), s.repetitions + 1)).collect();
            round += 1;
            let wide: Vec<String> = wanting
                .iter()
                .map(|s| match s.reached() {
                    Some(r) => format!("{}/{} ±{r:.1}%", s.platform, s.workload),
                    None => format!("{}/{} (no interval yet)", s.platform, s.workload),
                })
                .collect();
            self.say(&format!("precision: one more round for {} pair(s): {}", due.len(), wide.join(", ")));
            let slots = extra_round(&due, self.manifest.seed, round);
            let start = self.slots.len();
            self.slots.extend(slots.iter().cloned());
            self.manifest.planned_runs = self.slots.len();
            self.progress.set_length(self.slots.len() as u64);
            let done: HashSet<String> = self.manifest.runs.iter().map(|r| r.id.clone()).collect();
            let todo: Vec<(usize, Slot)> = slots
                .into_iter()
                .enumerate()
                .map(|(i, s)| (start + i, s))
                .filter(|(_, s)| !done.contains(&s.id()))
                .collect();
            if self.run_slots(todo)? {
                break true;
            }
        };
        for s in &self.manifest.precision {
            let reached = s.reached_pct.map(|r| format!("±{r:.2}%")).unwrap_or_else(|| "no interval".into());
            self.say(&format!(
                "precision: {}/{}: {reached} after {} repetitions (target ±{}%): {}",
                s.platform, s.workload, s.repetitions, s.target_pct, s.stopped
            ));
        }
        Ok(interrupted)
    }

    /// Stops every platform virtperf started (services stopped, containers removed, VMs
    /// powered off).
    fn shutdown(&mut self) {
        for i in 0..self.platforms.len() {
            let p = &mut self.platforms[i];
            let on = Platform::new(p.exec.as_ref());
            for s in &mut p.services {
                for port in std::mem::take(&mut s.ports) {
                    let _ = s.service.stop(&on, port);
                }
            }
            if p.started {
                p.started = false;
                if let Err(e) = p.exec.stop() {
                    let msg = format!("{e:#}");
                    self.say(&format!("warning: {msg}"));
                }
            }
        }
    }

    fn ensure_started(&mut self, pi: usize) -> Result<(), String> {
        if let Some(e) = &self.platforms[pi].broken {
            return Err(e.clone());
        }
        if self.platforms[pi].started {
            return Ok(());
        }
        let name = self.platforms[pi].exec.name().to_string();
        let ctx = StartContext { ports: self.service_ports(&name), stop: self.stop.clone() };
        self.progress.set_message(format!("starting platform {name}"));
        let t0 = Instant::now();
        let result = self.platforms[pi].exec.start(&ctx);
        for w in self.platforms[pi].exec.take_warnings() {
            self.say(&format!("warning: {w}"));
        }
        if let Err(e) = result {
            let msg = format!("{e:#}");
            self.platforms[pi].broken = Some(msg.clone());
            self.say(&format!("error: {msg}"));
            if !self.stopping() {
                // "Not started, and why" is a fact of the campaign too (e.g. KVM not run).
                let mut pf = self.platforms[pi].exec.facts();
                pf.error = Some(msg.clone());
                self.manifest.platforms.insert(name, pf);
                let _ = self.save();
            }
            return Err(msg);
        }
        self.platforms[pi].started = true;
        let p = &self.platforms[pi];
        let job = Job { tag: format!("{}-facts", std::process::id()), workdir: p.exec.workdir() };
        let probes: Vec<VersionProbe> = p.services.iter().map(|s| s.service.version_probe()).collect();
        let facts = run_captured(&mut p.exec.command(&facts_argv(&probes), &job), Duration::from_secs(60))
            .map(|o| parse_facts(&String::from_utf8_lossy(&o.stdout)))
            .unwrap_or_default();
        self.platforms[pi].exec.set_guest_facts(facts);
        let pf = self.platforms[pi].exec.facts();
        self.say(&format!(
            "platform {name} ({}{}) up in {:.1} s",
            pf.kind,
            if pf.detail.is_empty() { String::new() } else { format!(", {}", pf.detail) },
            t0.elapsed().as_secs_f64()
        ));
        self.manifest.platforms.insert(name, pf);
        let _ = self.save();
        Ok(())
    }

    /// For a workload whose kind is a client (wrk): makes sure its service runs on platform
    /// `pi` (started and ready on first use) and provides what `w` asks for, and returns how
    /// the client reaches it from where it runs (this host, or the platform). `None` for other
    /// kinds.
    fn client_run(&mut self, pi: usize, w: &WorkloadSpec) -> Result<Option<ClientRun>, String> {
        let (Some(client), Some(port)) = (w.client(), w.service_port()) else { return Ok(None) };
        let stop = self.stop.clone();
        let p = &mut self.platforms[pi];
        let port = port + p.port_shift;
        let on = Platform::new(p.exec.as_ref());
        let endpoint = (|| -> Result<(String, u16)> {
            let Some(s) = p.services.iter_mut().find(|s| s.kind.name == client.service.name) else {
                bail!("internal: no {} made for this platform", client.service.name)
            };
            if !s.ports.contains(&port) {
                s.service.start(&on, port)?;
                let ready = s.service.ready_argv(&on, port);
                if let Err(e) = wait_ready(&on, &ready, s.kind.ready_within, &stop) {
                    let _ = s.service.stop(&on, port);
                    return Err(e);
                }
                s.ports.insert(port);
            }
            s.service.provide(&on, port, w)?;
            if w.client_on_platform() {
                Ok(("127.0.0.1".to_string(), port))
            } else {
                p.exec.endpoint(port)
            }
        })();
        match endpoint {
            Ok((host, port)) => Ok(ClientRun::new(w, &host, port)),
            Err(e) => Err(format!("{} for {}: {e:#}", client.service.name, w.kind)),
        }
    }

    /// The record of run `slot` as it starts.
    fn new_record(
        &self,
        index: usize,
        slot: &Slot,
        pi: usize,
        w: &WorkloadSpec,
        files: &RunFiles,
    ) -> RunRecord {
        RunRecord {
            id: slot.id(),
            order: index + 1,
            platform: slot.platform.clone(),
            platform_kind: self.plan.platforms[pi].kind.clone(),
            workload: slot.workload.clone(),
            workload_kind: w.kind.clone(),
            repetition: match slot.kind {
                RunKind::Rep(n) => n,
                RunKind::Warmup(_) => 0,
            },
            warmup: matches!(slot.kind, RunKind::Warmup(_)),
            argv: w.argv(),
            setup: w.setup.clone(),
            cleanup: w.cleanup.clone(),
            output: files.rel(&format!("{}.txt", files.stem)),
            stderr: files.rel(&format!(".{}.stderr", files.stem)),
            timeout_s: w.timeout_s.unwrap_or(self.plan.timeout_s),
            measure: w.measure.as_ref().map(MeasureSpec::to_measure),
            factors: w.factors.iter().chain(&self.plan.platforms[pi].factors).cloned().collect(),
            host: self.host.clone(),
            started_at: now(),
            ..RunRecord::default()
        }
    }

    /// Runs one slot. `Ok(None)` when interrupted (nothing recorded, partial files removed).
    /// `last`: no later run of this session has the same platform and workload (the
    /// workload's once-after command follows it).
    fn run_slot(&mut self, index: usize, slot: &Slot, last: bool) -> Result<Option<RunRecord>> {
        let Some((pi, w)) = self.lookup(slot) else { bail!("internal: unknown slot {}", slot.id()) };
        let w = w.clone();
        let files = RunFiles::new(slot);
        std::fs::create_dir_all(self.out.join(&files.dir))?;
        let mut rec = self.new_record(index, slot, pi, &w, &files);
        if let Err(e) = self.ensure_started(pi) {
            if self.stopping() {
                return Ok(None);
            }
            return Ok(fail(rec, format!("platform did not start: {e}")));
        }
        self.progress.set_message(slot.id());
        with_platform_facts(&mut rec, self.platforms[pi].exec.facts());
        let client = match self.client_run(pi, &w) {
            Ok(c) => c,
            Err(e) => return Ok(fail(rec, e)),
        };
        if let Some(c) = &client {
            rec.client = Some(if c.on_platform { "platform" } else { "host" }.into());
            rec.target = Some(c.target.clone());
        }
        let timeout = Duration::from_secs_f64(rec.timeout_s);
        let setup_log = self.out.join(files.rel(&format!(".{}.setup.log", files.stem)));
        if let Err(e) = self.copy_files(pi, &w, &setup_log) {
            return Ok(fail(rec, e));
        }
        // The workload's once-before command (sysbench oltp's prepare), where its client runs.
        if let Some((before, c)) = client.as_ref().and_then(|c| c.once.as_ref().map(|o| (&o.0, c))) {
            if !self.platforms[pi].prepared.contains(&w.name) {
                let job = files.job("once", self.platforms[pi].exec.as_ref());
                match self.run_client_step(pi, c.on_platform, before, &job, timeout, &setup_log) {
                    Ok(()) => {}
                    Err(StepError::Interrupted) => return Ok(None),
                    Err(StepError::Failed(msg)) => return Ok(fail(rec, format!("{} {msg}", shown(before)))),
                }
                self.platforms[pi].prepared.insert(w.name.clone());
                rec.setup.insert(0, before.clone());
            }
        }
        let exec = self.platforms[pi].exec.as_ref();

        // Setup commands, each must succeed.
        for (i, argv) in w.setup.iter().enumerate() {
            let job = files.job(&format!("setup{i}"), exec);
            match run_step(exec, argv, &job, timeout, &self.stop, &setup_log) {
                Ok(()) => {}
                Err(StepError::Interrupted) => return Ok(None),
                Err(StepError::Failed(msg)) => {
                    return Ok(fail(rec, format!("setup {}: {msg}", shown(argv))));
                }
            }
        }

        let monitor = self.start_monitor(exec, &w, &files, &mut rec);
        let waited = self.run_tool(exec, &w, client.as_ref(), &files, &mut rec, timeout)?;
        if let Some((mut m, mjob)) = monitor {
            stop_monitor(
                &mut m,
                exec.kill_command(&mjob, "INT").map(|c| (c, exec.kill_command(&mjob, "KILL"))),
            );
        }
        for name in
            [format!(".{}.pidstat.stderr", files.stem), format!(".{}.host.pidstat.stderr", files.stem)]
        {
            remove_if_empty(&self.out.join(files.rel(&name)));
        }

        if !matches!(waited, Ok(Waited::Interrupted)) {
            for (i, argv) in w.cleanup.iter().enumerate() {
                let job = files.job(&format!("cleanup{i}"), exec);
                if let Err(StepError::Failed(msg)) =
                    run_step(exec, argv, &job, timeout, &self.stop, &setup_log)
                {
                    self.say(&format!("warning: {}: cleanup {}: {msg}", rec.id, shown(argv)));
                }
            }
        }
        // After the workload's last run here, its once-after command (oltp's cleanup).
        if let Some((after, c)) = client.as_ref().and_then(|c| c.once.as_ref().map(|o| (&o.1, c))) {
            if last
                && !matches!(waited, Ok(Waited::Interrupted))
                && self.platforms[pi].prepared.remove(&w.name)
            {
                let job = files.job("once-after", self.platforms[pi].exec.as_ref());
                if let Err(StepError::Failed(msg)) =
                    self.run_client_step(pi, c.on_platform, after, &job, timeout, &setup_log)
                {
                    self.say(&format!("warning: {}: {}: {msg}", rec.id, shown(after)));
                }
                rec.cleanup.push(after.clone());
            }
        }
        remove_if_empty(&setup_log);
        Ok(self.finish(rec, waited))
    }

    /// Runs a command of a client kind where its client runs: in platform `pi`, or on this
    /// host in `OUT/.virtperf/work/host`; output appended to `log`.
    fn run_client_step(
        &self,
        pi: usize,
        on_platform: bool,
        argv: &[String],
        job: &Job,
        timeout: Duration,
        log: &Path,
    ) -> Result<(), StepError> {
        let exec = self.platforms[pi].exec.as_ref();
        if on_platform {
            return run_step(exec, argv, job, timeout, &self.stop, log);
        }
        let dir = self.out.join(".virtperf/work/host");
        std::fs::create_dir_all(&dir)
            .map_err(|e| StepError::Failed(format!("could not create '{}': {e}", dir.display())))?;
        let mut cmd = Command::new(&argv[0]);
        cmd.args(&argv[1..]).current_dir(dir);
        run_command_step(cmd, None, timeout, &self.stop, log)
    }

    /// Copies the `files` of `w` into the work folder of platform `pi` (executable when they
    /// are on this host), once per campaign session; says so in `log`.
    fn copy_files(&mut self, pi: usize, w: &WorkloadSpec, log: &Path) -> Result<(), String> {
        let p = &mut self.platforms[pi];
        if w.files.is_empty() || p.copied.contains(&w.name) {
            return Ok(());
        }
        use std::io::Write;
        use std::os::unix::fs::PermissionsExt;
        let on = Platform::new(p.exec.as_ref());
        let mut note = String::new();
        for f in &w.files {
            let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let dest = format!("{}/{name}", on.workdir().trim_end_matches('/'));
            let mut copy = || -> Result<()> {
                let data = std::fs::read(f).with_context(|| format!("could not read '{}'", f.display()))?;
                on.put_file(&dest, &data)?;
                let exe = std::fs::metadata(f).is_ok_and(|m| m.permissions().mode() & 0o111 != 0);
                if exe {
                    on.run(&["chmod".into(), "755".into(), dest.clone()], "files-chmod")?;
                }
                note.push_str(&format!(
                    "virtperf: copied {} ({} bytes, sha256 {}) to {dest}\n",
                    f.display(),
                    data.len(),
                    sha256_file(f).unwrap_or_default()
                ));
                Ok(())
            };
            copy().map_err(|e| format!("could not copy '{}' into the platform: {e:#}", f.display()))?;
        }
        p.copied.insert(w.name.clone());
        if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(log) {
            let _ = file.write_all(note.as_bytes());
        }
        Ok(())
    }

    /// Starts pidstat inside the platform for the run of `w`, if monitoring is on; records its
    /// file in `rec`.
    fn start_monitor(
        &self,
        exec: &dyn Executor,
        w: &WorkloadSpec,
        files: &RunFiles,
        rec: &mut RunRecord,
    ) -> Option<(Child, Job)> {
        let interval = self.plan.monitor.pidstat_interval_s;
        if interval == 0 {
            return None;
        }
        rec.pidstat = Some(files.rel(&format!("{}.pidstat", files.stem)));
        let job = files.job("pidstat", exec);
        let mut cmd = exec.command(&pidstat_argv(&self.plan, w), &job);
        let path = self.out.join(rec.pidstat.as_deref().unwrap_or_default());
        let err = self.out.join(files.rel(&format!(".{}.pidstat.stderr", files.stem)));
        match spawn_to(&mut cmd, &path, &err) {
            Ok(child) => Some((child, job)),
            Err(e) => {
                self.say(&format!("warning: {}: pidstat did not start: {e:#}", rec.id));
                None
            }
        }
    }

    /// Starts pidstat on this host for the processes of a container or a VM (the run has just
    /// started), if monitoring is on; records its file in `rec`.
    fn start_host_monitor(
        &self,
        exec: &dyn Executor,
        files: &RunFiles,
        rec: &mut RunRecord,
    ) -> Option<Child> {
        let interval = self.plan.monitor.pidstat_interval_s;
        let kind = exec.kind();
        if !(interval > 0
            && self.plan.monitor.host
            && matches!(kind, ExecutorKind::Docker | ExecutorKind::Qemu))
        {
            return None;
        }
        if kind == ExecutorKind::Docker {
            // Let the run's processes appear in the container first.
            std::thread::sleep(Duration::from_millis(200));
        }
        let pids = exec.host_pids();
        if pids.is_empty() {
            return None;
        }
        let hp = files.rel(&format!("{}.host.pidstat", files.stem));
        let list = pids.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        let mut c = Command::new("pidstat");
        c.args(["-h", "-u", "-r", "-d", "-w", "-p", &list, &interval.to_string()]);
        let err = self.out.join(files.rel(&format!(".{}.host.pidstat.stderr", files.stem)));
        match spawn_to(&mut c, &self.out.join(&hp), &err) {
            Ok(ch) => {
                rec.host_pidstat = Some(hp);
                Some(ch)
            }
            Err(e) => {
                self.say(&format!("warning: host pidstat did not start: {e:#}"));
                None
            }
        }
    }

    /// Runs the tool of `w` (or, for a client kind, `client`, on this host) until it exits,
    /// times out or the user stops; records its argv, times and files in `rec`. The error
    /// string says why it could not be started or waited for.
    fn run_tool(
        &self,
        exec: &dyn Executor,
        w: &WorkloadSpec,
        client: Option<&ClientRun>,
        files: &RunFiles,
        rec: &mut RunRecord,
        timeout: Duration,
    ) -> Result<Result<Waited, String>> {
        let job = files.job("run", exec);
        let mut cmd = match client {
            Some(c) if c.on_platform => {
                rec.argv = c.argv.clone();
                exec.command(&c.argv, &job)
            }
            Some(c) => {
                let mut cmd = Command::new(&c.argv[0]);
                let dir = self.out.join(".virtperf/work/host");
                std::fs::create_dir_all(&dir)?;
                cmd.args(&c.argv[1..]).current_dir(dir);
                rec.argv = c.argv.clone();
                cmd
            }
            None => exec.command(&w.argv(), &job),
        };
        rec.spawned = argv_of(&cmd);
        let out_path = self.out.join(&rec.output);
        let err_path = self.out.join(&rec.stderr);
        rec.started_at = now();
        let t0 = Instant::now();
        let mut host_monitor = None;
        let waited = match spawn_to(&mut cmd, &out_path, &err_path) {
            Err(e) => Err(format!("{e:#}")),
            Ok(mut child) => {
                host_monitor = self.start_host_monitor(exec, files, rec);
                let kill = exec.kill_command(&job, "KILL");
                let r = wait_deadline(&mut child, timeout, &self.stop, || {
                    if let Some(mut k) = kill_clone(&kill) {
                        let _ = run_captured(&mut k, Duration::from_secs(15));
                    }
                });
                r.map_err(|e| format!("{e:#}"))
            }
        };
        rec.duration_s = t0.elapsed().as_secs_f64();
        rec.ended_at = now();
        // Stop the monitors: SIGINT, as a person would, then KILL if they linger.
        if let Some(mut h) = host_monitor {
            stop_monitor(&mut h, None);
        }
        Ok(waited)
    }

    /// The record of a run that ended as `waited`; `None` when interrupted (its partial files
    /// removed).
    fn finish(&self, mut rec: RunRecord, waited: Result<Waited, String>) -> Option<RunRecord> {
        match waited {
            Ok(Waited::Interrupted) => {
                for p in
                    [Some(&rec.output), Some(&rec.stderr), rec.pidstat.as_ref(), rec.host_pidstat.as_ref()]
                        .into_iter()
                        .flatten()
                {
                    let _ = std::fs::remove_file(self.out.join(p));
                }
                None
            }
            Ok(Waited::TimedOut) => {
                rec.status = RunStatus::Timeout;
                rec.error = Some(format!("killed after its timeout of {} s", rec.timeout_s));
                Some(rec)
            }
            Ok(Waited::Exited(status)) => {
                rec.exit_code = status.code();
                if status.success() {
                    rec.status = RunStatus::Ok;
                    // A command that ran but did not print its number measured nothing.
                    if let Some(m) = self.plan.workload(&rec.workload).and_then(|w| w.measure.as_ref()) {
                        let text = std::fs::read(self.out.join(&rec.output)).unwrap_or_default();
                        if let Err(e) = m.find(&String::from_utf8_lossy(&text)) {
                            rec.status = RunStatus::Failed;
                            rec.error = Some(e);
                        }
                    }
                } else {
                    rec.status = RunStatus::Failed;
                    let err = std::fs::read_to_string(self.out.join(&rec.stderr)).unwrap_or_default();
                    let last = err.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
                    rec.error = Some(format!(
                        "exit status {}{}",
                        status.code().map(|c| c.to_string()).unwrap_or_else(|| status.to_string()),
                        if last.is_empty() { String::new() } else { format!(": {last}") }
                    ));
                }
                Some(rec)
            }
            Err(e) => fail(rec, e),
        }
    }
}

impl Drop for Campaign {
    fn drop(&mut self) {
        // On an error path: never leave containers or VMs behind (the lock goes with it).
        self.shutdown();
    }
}

/// `rec`, recorded as failed for `msg`.
fn fail(mut rec: RunRecord, msg: String) -> Option<RunRecord> {
    rec.status = RunStatus::Failed;
    rec.error = Some(msg);
    rec.ended_at = now();
    Some(rec)
}

/// Copies into `rec` what the platform's facts say about every run on it.
fn with_platform_facts(rec: &mut RunRecord, pf: PlatformFacts) {
    rec.platform_detail = pf.detail;
    rec.guest = pf.guest;
    rec.qemu_argv = pf.qemu_argv;
    rec.accel = pf.accel;
    rec.settings = pf.settings;
}

/// The pidstat argv run inside the platform for workload `w`.
pub(crate) fn pidstat_argv(plan: &Plan, w: &WorkloadSpec) -> Vec<String> {
    ["pidstat", "-h", "-u", "-r", "-d", "-w", "-C"]
        .iter()
        .map(|s| s.to_string())
        .chain([w.monitor_name(), plan.monitor.pidstat_interval_s.to_string()])
        .collect()
}

/// Lines of a failed run's files shown under its line.
const TAIL_LINES: usize = 5;

/// For a run that did not end ok: the last [`TAIL_LINES`] lines of its stderr (or, when that
/// is empty, of its output) and the paths of both files, indented, for the line printed under
/// the run's own. `None` for an ok run or one that never started (no files: its error says
/// why).
fn failure_details(out: &Path, rec: &RunRecord) -> Option<String> {
    if rec.status == RunStatus::Ok {
        return None;
    }
    let output = out.join(&rec.output);
    let stderr = out.join(&rec.stderr);
    let err_text = std::fs::read(&stderr).ok();
    let out_text = std::fs::read(&output).ok();
    if err_text.is_none() && out_text.is_none() {
        return None;
    }
    let err_text = String::from_utf8_lossy(&err_text.unwrap_or_default()).into_owned();
    let out_text = String::from_utf8_lossy(&out_text.unwrap_or_default()).into_owned();
    let quote = |what: &str, path: &Path, text: &str| {
        let (tail, total) = tail_lines(text, TAIL_LINES);
        let which = if tail.len() == total {
            format!("{total} line{}", if total == 1 { "" } else { "s" })
        } else {
            format!("last {} of {total} lines", tail.len())
        };
        let mut q = format!("    {what} ({which}), {}:\n", path.display());
        for l in tail {
            q.push_str(&format!("      {l}\n"));
        }
        q
    };
    let s = if err_text.trim().is_empty() {
        if out_text.trim().is_empty() {
            format!("    stderr is empty ({}), and so is its output ({})", stderr.display(), output.display())
        } else {
            format!(
                "    stderr is empty ({}); the end of its output instead:\n{}",
                stderr.display(),
                quote("output", &output, &out_text)
            )
        }
    } else {
        format!("{}    output: {}", quote("stderr", &stderr, &err_text), output.display())
    };
    Some(s.trim_end().to_string())
}

/// The last `n` non-blank lines of `text` (control characters shown as `?`, each cut to 240
/// characters), and how many non-blank lines it has.
fn tail_lines(text: &str, n: usize) -> (Vec<String>, usize) {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| {
            l.trim_end()
                .chars()
                .take(240)
                .map(|c| if c.is_control() && c != '\t' { '?' } else { c })
                .collect()
        })
        .collect();
    (tail, lines.len())
}

fn remove_if_empty(path: &Path) {
    if std::fs::metadata(path).is_ok_and(|m| m.len() == 0) {
        let _ = std::fs::remove_file(path);
    }
}

fn kill_clone(cmd: &Option<Command>) -> Option<Command> {
    let cmd = cmd.as_ref()?;
    let mut c = Command::new(cmd.get_program());
    c.args(cmd.get_args());
    Some(c)
}

/// Stops a monitor: remote SIGINT (when given) and local SIGINT, up to 3 s, then KILL.
fn stop_monitor(child: &mut Child, remote: Option<(Command, Option<Command>)>) {
    let (mut int, kill) = match remote {
        Some((i, k)) => (Some(i), k),
        None => (None, None),
    };
    if let Some(c) = int.as_mut() {
        let _ = run_captured(c, Duration::from_secs(15));
    } else {
        signal_group(child, Signal::INT);
    }
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(3) {
        if child.try_wait().ok().flatten().is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    if let Some(mut k) = kill {
        let _ = run_captured(&mut k, Duration::from_secs(15));
    }
    signal_group(child, Signal::KILL);
    let _ = child.wait();
}

enum StepError {
    Interrupted,
    Failed(String),
}

/// Runs a setup or cleanup argv on the platform, output appended to `log`.
fn run_step(
    exec: &dyn Executor,
    argv: &[String],
    job: &Job,
    timeout: Duration,
    stop: &AtomicBool,
    log: &Path,
) -> Result<(), StepError> {
    run_command_step(exec.command(argv, job), exec.kill_command(job, "KILL"), timeout, stop, log)
}

/// Runs `cmd` (a setup or cleanup step) with output appended to `log`, killed after `timeout`
/// or on Ctrl-C (with `kill` first, on a remote platform).
fn run_command_step(
    mut cmd: Command,
    kill: Option<Command>,
    timeout: Duration,
    stop: &AtomicBool,
    log: &Path,
) -> Result<(), StepError> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|e| StepError::Failed(format!("could not open '{}': {e}", log.display())))?;
    let file2 = file.try_clone().map_err(|e| StepError::Failed(e.to_string()))?;
    use std::os::unix::process::CommandExt;
    super::die_with_parent(&mut cmd);
    cmd.stdin(Stdio::null()).stdout(file).stderr(file2).process_group(0);
    let mut child = cmd.spawn().map_err(|e| StepError::Failed(format!("could not start: {e}")))?;
    let waited = wait_deadline(&mut child, timeout, stop, || {
        if let Some(mut k) = kill_clone(&kill) {
            let _ = run_captured(&mut k, Duration::from_secs(15));
        }
    })
    .map_err(|e| StepError::Failed(e.to_string()))?;
    match waited {
        Waited::Exited(s) if s.success() => Ok(()),
        Waited::Exited(s) => Err(StepError::Failed(format!("{s} (output in {})", log.display()))),
        Waited::TimedOut => Err(StepError::Failed("timed out".into())),
        Waited::Interrupted => Err(StepError::Interrupted),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::mock::MockExecutor;

    #[test]
    fn tail_lines_keeps_the_last_non_blank_lines_printable() {
        let (tail, total) = tail_lines("a\n\nb\n  \nc\x1b[0m\nd\r\n", 2);
        assert_eq!(total, 4);
        assert_eq!(tail, ["c?[0m", "d"]);
        assert_eq!(tail_lines("", 5), (Vec::<String>::new(), 0));
    }

    #[test]
    fn mock_campaign_runs_setup_tool_cleanup_in_order_and_records_everything() {
        let dir = tempfile::tempdir().unwrap();
        let plan = Plan::parse(
            r#"
            campaign = "m"
            [monitor]
            pidstat_interval_s = 0
            [[platform]]
            name = "a"
            kind = "native"
            [[workload]]
            name = "x"
            kind = "command"
            args = ["bench", "--n=1"]
            repetitions = 2
            warmup = 1
            setup = [["prep"]]
            cleanup = [["clean"]]
            "#,
            Path::new("m.toml"),
        )
        .unwrap();
        let mock = MockExecutor::new("a");
        let calls = mock.calls.clone();
        let mut c = Campaign::new(plan, dir.path().to_path_buf(), 3, vec![Box::new(mock)]).unwrap();
        assert_eq!(c.run().unwrap(), Outcome::Finished { failed: 0 });
        let calls = calls.lock().unwrap().clone();
        let names: Vec<&str> = calls.iter().map(|a| a[0].as_str()).filter(|a| *a != "sh").collect();
        assert_eq!(names, ["prep", "bench", "clean", "prep", "bench", "clean", "prep", "bench", "clean"]);
        let m = Manifest::load(&dir.path().join("manifest.json")).unwrap();
        let ids: Vec<&str> = m.runs.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["a/x/warmup1", "a/x/rep1", "a/x/rep2"]);
        assert!(m.runs[0].warmup && m.runs[0].output.starts_with(".virtperf/warmup/"));
        assert_eq!(m.runs[2].output, "a/x/rep2.txt");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a/x/rep2.txt")).unwrap(),
            "mock: bench '--n=1'\n"
        );
        assert!(!dir.path().join(".virtperf/lock").exists());
    }

    fn mock_plan() -> Plan {
        Plan::parse(
            "campaign = \"m\"\n[monitor]\npidstat_interval_s = 0\n[[platform]]\nname = \"a\"\nkind = \"native\"\n\
             [[workload]]\nname = \"x\"\nkind = \"command\"\nargs = [\"bench\"]\nrepetitions = 1\n",
            Path::new("m.toml"),
        )
        .unwrap()
    }

    #[test]
    fn a_lock_file_naming_a_live_process_that_holds_no_lock_does_not_block() {
        // What a `kill -9` leaves behind, its pid since reused by another process (pid 1
        // lives as long as the machine): the campaign runs.
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".virtperf")).unwrap();
        std::fs::write(dir.path().join(".virtperf/lock"), "1\n").unwrap();
        let mock = MockExecutor::new("a");
        let mut c = Campaign::new(mock_plan(), dir.path().to_path_buf(), 1, vec![Box::new(mock)]).unwrap();
        assert_eq!(c.run().unwrap(), Outcome::Finished { failed: 0 });
        assert!(!dir.path().join(".virtperf/lock").exists());
    }

    #[test]
    fn a_held_lock_refuses_a_second_campaign_naming_pid_and_host() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".virtperf")).unwrap();
        let path = dir.path().join(".virtperf/lock");
        std::fs::write(&path, "4242\nbox\n").unwrap();
        let held = std::fs::File::open(&path).unwrap();
        held.try_lock().unwrap();
        let mock = MockExecutor::new("a");
        let mut c = Campaign::new(mock_plan(), dir.path().to_path_buf(), 1, vec![Box::new(mock)]).unwrap();
        let e = c.run().unwrap_err().to_string();
        assert!(e.contains("another virtperf run (pid 4242 on box) is writing to"), "{e}");
        assert!(c.manifest.runs.is_empty());
        drop(c);
        // The refused campaign leaves the holder's lock file alone.
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "4242\nbox\n");
    }
}
