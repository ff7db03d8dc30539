//! `virtperf report` and `virtperf compare` end to end, on real data: the bundled sample
//! campaign and the fixtures of tests/fixtures/report (real fio and wrk outputs whose job name
//! and URL path are `<script>alert(1)</script>`, made by its make.sh). The HTML is opened in
//! headless Chromium with the network off.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use predicates::prelude::*;
use pulldown_cmark::{Event, Parser, Tag};

use crate::util::*;

const XSS: &str = "<script>alert(1)</script>";

/// Runs `virtperf report ARGS --out OUT -q` and returns the exit code.
fn report(args: &[&str], out: &Path) -> i32 {
    let assert = virtperf().arg("report").args(args).arg("--out").arg(out).arg("-q").assert();
    assert.get_output().status.code().unwrap_or(-1)
}

fn xss_fixture() -> PathBuf {
    fixture("report/xss")
}

/// report.md and report-details.md of report folder `out`, one after the other (the details
/// file when there is one).
fn read_md(out: &Path) -> String {
    let mut md = read(&out.join("report.md"));
    let details = out.join("report-details.md");
    if details.is_file() {
        md.push('\n');
        md.push_str(&read(&details));
    }
    md
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The rows of a CSV file as maps from column to value.
fn csv_rows(p: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let headers = r.headers().expect("headers").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("record");
            headers.iter().zip(rec.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()
        })
        .collect()
}

/// The cells of the headline table of report.md, by workload label.
fn headline(md: &str) -> BTreeMap<String, Vec<String>> {
    headline_lines(md).into_iter().collect()
}

/// The headline table's lines as (first cell, cells), in order.
fn headline_lines(md: &str) -> Vec<(String, Vec<String>)> {
    let start = md.find("## Headline").expect("headline section");
    let section = &md[start..];
    let end = section[3..].find("\n## ").map(|i| i + 3).unwrap_or(section.len());
    section[..end]
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Workload"))
        .map(|l| {
            let cells: Vec<String> = l.trim_matches('|').split(" | ").map(|c| c.trim().to_string()).collect();
            (cells[0].clone(), cells)
        })
        .collect()
}

/// The narrow headline (more than one compared platform: one line per platform), by
/// (workload, platform): `[metric, platform, mean, change, cost ratio, verdict, failed
/// checks]`, the workload and metric cells of continuation lines filled from the line above.
fn headline_narrow(md: &str) -> BTreeMap<(String, String), Vec<String>> {
    let mut out = BTreeMap::new();
    let (mut workload, mut metric, mut failed) = (String::new(), String::new(), String::new());
    for (_, cells) in headline_lines(md) {
        if !cells[0].is_empty() {
            workload = cells[0].clone();
            metric = cells[1].clone();
            failed = cells[7].clone();
        }
        let platform = cells[2].trim_end_matches(" (baseline)").to_string();
        let row = vec![
            metric.clone(),
            platform.clone(),
            cells[3].clone(),
            cells[4].clone(),
            cells[5].clone(),
            cells[6].clone(),
            failed.clone(),
        ];
        out.insert((workload.clone(), platform), row);
    }
    out
}

/// `+13.8% [-10.9%, +32.1%]` → (13.8, Some(-10.9), Some(32.1)); `×7.38 [5.99, 9.52]` →
/// (7.38, Some(5.99), Some(9.52)).
fn parse_overhead(cell: &str) -> (f64, Option<f64>, Option<f64>) {
    let num =
        |s: &str| s.trim().trim_start_matches('×').trim_end_matches('%').parse::<f64>().expect("a number");
    let (head, rest) = cell.split_once(' ').unwrap_or((cell, ""));
    match rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        Some(ci) => {
            let (l, h) = ci.split_once(", ").expect("two bounds");
            (num(head), Some(num(l)), Some(num(h)))
        }
        None => (num(head), None, None),
    }
}

fn figure_names(out: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(out.join("figures"))
        .expect("figures folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".svg").map(str::to_string))
        .collect();
    names.sort();
    names
}

/// The width and height of a PNG, and the share of its pixels that are not near-white.
fn png_info(p: &Path) -> (u32, u32, f64) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(p).expect("png")));
    let mut reader = decoder.read_info().unwrap_or_else(|e| panic!("{}: not a PNG: {e}", p.display()));
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("frame");
    let bytes = &buf[..info.buffer_size()];
    let channels = info.color_type.samples();
    let pixels = bytes.len() / channels;
    let inked = bytes.chunks(channels).filter(|px| px.iter().take(3).any(|&c| c < 200)).count();
    (info.width, info.height, inked as f64 / pixels.max(1) as f64)
}

// -----------------------------------------------------------------------------------------------

/// The arms table of report.md: the kernel and host of the logs taken inside each platform
/// (read here from the pidstat banners of the raw files), never those of host-side logs;
/// container ids shown as the platform; dates as ISO 8601 days.
fn arms_table_states_each_platforms_own_facts(md: &str, sample: &Path) {
    // `Linux <kernel> (<host>) <date> _<arch>_ (<N> CPU)` of each platform's pidstat logs.
    let banners = |platform: &str, host_side: bool| -> BTreeSet<(String, String, String)> {
        let mut out = BTreeSet::new();
        for w in std::fs::read_dir(sample.join(platform)).expect("platform folder") {
            for f in std::fs::read_dir(w.expect("entry").path()).expect("workload folder") {
                let p = f.expect("entry").path();
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
                if !name.ends_with(".pidstat") || name.ends_with(".host.pidstat") != host_side {
                    continue;
                }
                let first = read(&p).lines().next().unwrap_or_default().to_string();
                let words: Vec<&str> = first.split_whitespace().collect();
                out.insert((
                    words[1].to_string(),
                    words[2].trim_matches(['(', ')']).to_string(),
                    words[3].to_string(),
                ));
            }
        }
        out
    };
    let row = |prefix: &str| -> Vec<String> {
        let line = md.lines().find(|l| l.starts_with(&format!("| {prefix}"))).expect("arm row");
        line.trim_matches('|').split(" | ").map(|c| c.trim().to_string()).collect()
    };
    let header = row("Platform");
    let col = |name: &str| header.iter().position(|h| h == name).expect("column");
    let (kernels, hosts, dates) = (col("Kernels"), col("Hosts"), col("Dates"));
    let guest = banners("qemu", false);
    let host = banners("qemu", true);
    assert!(!guest.is_empty() && !host.is_empty(), "sample-data has guest and host-side logs");
    let qemu = row("qemu");
    let guest_kernels: BTreeSet<&str> = guest.iter().map(|b| b.0.as_str()).collect();
    assert_eq!(qemu[kernels].split(", ").collect::<BTreeSet<_>>(), guest_kernels);
    for (k, _, _) in host.iter().filter(|h| !guest_kernels.contains(h.0.as_str())) {
        assert!(!qemu[kernels].contains(k.as_str()), "the host's kernel {k} in the VM's row");
    }
    let docker = row("docker");
    let ids: Vec<String> = banners("docker", false).into_iter().map(|b| b.1).collect();
    assert!(ids.iter().all(|h| h.len() == 12), "docker's pidstat banners name the container id: {ids:?}");
    assert!(!ids.iter().any(|id| docker[hosts].contains(id.as_str())), "{}", docker[hosts]);
    assert!(docker[hosts].starts_with("docker"), "{}", docker[hosts]);
    // The banners print `11/23/26`: month, day, year.
    let (_, _, d) = guest.iter().next().expect("a banner");
    let [m, day, y] = d.split('/').collect::<Vec<_>>()[..] else { panic!("{d}") };
    assert!(qemu[dates].contains(&format!("20{y}-{m}-{day}")), "{}", qemu[dates]);
    assert!(!qemu[dates].contains('/'), "{}", qemu[dates]);
}

/// The README's first command, on the bundled campaign: every output is there, every image link
/// of report.md resolves to a PNG that has ink on it, and the headline's overhead numbers are
/// those of overhead.csv.
#[test]
fn sample_data_report_is_complete_and_consistent() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("sample");
    let sample = root().join("sample-data");
    // Exit status 1 exactly when some file could not be read (the report is written anyway).
    let expected = if ingest_paths(std::slice::from_ref(&sample)).errors.is_empty() { 0 } else { 1 };
    assert_eq!(report(&[sample.to_str().expect("utf-8 path")], &out), expected);
    for f in ["report.md", "report.html", "summary.csv", "overhead.csv", "checks.csv", "subsystems.csv"] {
        assert!(out.join(f).is_file(), "{f} is missing");
    }
    let md = read_md(&out);
    // Every image link resolves, and is a figure of the right size with something drawn.
    let mut images = 0;
    for ev in Parser::new_ext(&md, pulldown_cmark::Options::ENABLE_TABLES) {
        if let Event::Start(Tag::Image { dest_url, .. }) = ev {
            let p = out.join(dest_url.as_ref());
            assert!(p.is_file(), "image link {dest_url} does not resolve");
            let (w, h, ink) = png_info(&p);
            assert_eq!(w, virtperf::report::figures::SIZE.0, "{dest_url}");
            assert!(h >= virtperf::report::figures::SIZE.1, "{dest_url}");
            assert!(ink > 0.01, "{dest_url} is nearly blank ({:.3}% ink)", ink * 100.0);
            images += 1;
        }
    }
    assert_eq!(images, figure_names(&out).len(), "every figure is linked once");
    assert!(images >= 10, "only {images} figures");
    // The headline's numbers are those of overhead.csv (primary metrics). The campaign has two
    // platforms besides native: the headline is one line per platform.
    arms_table_states_each_platforms_own_facts(&md, &sample);
    let rows = headline_narrow(&md);
    let overhead = csv_rows(&out.join("overhead.csv"));
    let primary: Vec<_> = overhead.iter().filter(|r| r["primary"] == "true").collect();
    assert!(primary.len() >= 10, "5 workloads x 2 platforms: {}", primary.len());
    for r in &primary {
        let key = (r["workload"].clone(), r["platform"].clone());
        let cells = rows.get(&key).unwrap_or_else(|| panic!("no headline line for {key:?}"));
        assert_eq!(cells[0].split(' ').next(), Some(r["metric"].as_str()));
        let f = |k: &str| r[k].parse::<f64>().expect("number");
        let (c, l, h) = parse_overhead(&cells[3]);
        assert!((c - f("change_pct")).abs() <= 0.051, "{key:?}: {c} vs {}", r["change_pct"]);
        if let (Some(l), Some(h)) = (l, h) {
            assert!((l - f("change_ci_low_pct")).abs() <= 0.051);
            assert!((h - f("change_ci_high_pct")).abs() <= 0.051);
        }
        // The cost ratio with 3 significant digits.
        let (c, l, h) = parse_overhead(&cells[4]);
        let near = |x: f64, k: &str| ((x - f(k)) / f(k)).abs() <= 0.005;
        assert!(near(c, "cost_ratio"), "{key:?}: {c} vs {}", r["cost_ratio"]);
        if let (Some(l), Some(h)) = (l, h) {
            assert!(near(l, "cost_ratio_ci_low") && near(h, "cost_ratio_ci_high"), "{key:?}");
        }
        assert_eq!(cells[5], r["verdict"]);
    }
    // The rule: a verdict is withheld exactly where a failed check concerns the comparison,
    // and the headline names every failed check on its workload. High CV, outliers and drift
    // are warnings (the sample campaign has plenty), so the verdicts beside them stand.
    let checks = csv_rows(&out.join("checks.csv"));
    // Each check counts its sources and, up to 100, lists them.
    for c in &checks {
        let listed = c["sources"].split_whitespace().count();
        assert_eq!(c["sources_n"], listed.to_string(), "{c:?}");
    }
    assert!(checks.iter().any(|c| c["severity"] == "warning" && c["check"] == "high_cv"));
    assert!(!checks
        .iter()
        .any(|c| c["severity"] == "fail" && ["high_cv", "outlier", "drift"].contains(&c["check"].as_str())));
    assert!(checks.iter().any(|c| c["severity"] == "fail"), "the VM's wrk runs report socket errors");
    for r in &primary {
        let failed: Vec<&BTreeMap<String, String>> = checks
            .iter()
            .filter(|c| c["severity"] == "fail")
            .filter(|c| c["workload"].split(" [").next() == Some(r["workload"].as_str()))
            .filter(|c| c["platform"] == r["platform"] || c["platform"] == r["baseline"])
            .collect();
        match failed.first() {
            Some(c) => {
                assert_eq!(r["verdict"], format!("not judged: {}", c["check"]), "{r:?}");
                assert_eq!(r["failed_checks"], c["check"]);
            }
            None => assert!(!r["verdict"].starts_with("not judged"), "{r:?}"),
        }
    }
    for c in checks.iter().filter(|c| c["severity"] == "fail") {
        let workload = c["workload"].split(" [").next().expect("a label");
        let Some(cells) = rows.get(&(workload.to_string(), "native".to_string())) else { continue };
        let named = cells.last().expect("cells");
        assert!(
            named.contains(&format!("{} (", c["check"])) && named.contains(&c["platform"]),
            "{workload}: failed check {} ({}) not in the headline: {named}",
            c["check"],
            c["platform"]
        );
    }
    // Resource metrics (those read from the pidstat logs, as summary.csv's sources say) use
    // more or less; they are never faster or slower.
    let from_pidstat: std::collections::BTreeSet<(String, String)> = csv_rows(&out.join("summary.csv"))
        .into_iter()
        .filter(|r| r["sources"].split(' ').all(|f| f.ends_with(".pidstat")))
        .map(|r| (r["workload"].clone(), r["metric"].clone()))
        .collect();
    for r in &overhead {
        let resource = from_pidstat.contains(&(r["workload"].clone(), r["metric"].clone()));
        assert_eq!(r["kind"] == "resource", resource, "{}: kind {}", r["metric"], r["kind"]);
        if resource {
            assert!(
                !["faster", "slower"].contains(&r["verdict"].as_str()),
                "{}: {}",
                r["metric"],
                r["verdict"]
            );
        }
    }
    assert!(
        overhead.iter().any(|r| r["verdict"] == "uses less")
            && overhead.iter().any(|r| r["verdict"] == "uses more")
    );
    // Every input file is in the appendix with its sha256.
    let sha = virtperf::digest::sha256_file(&sample.join("native/wrk/rep1.txt")).expect("sha256");
    assert!(md.contains(&sha), "the appendix lacks the sha256 of native/wrk/rep1.txt");
}

/// The anchor GitHub gives a heading: lower case; letters, digits, `-` and `_` kept; spaces
/// become `-`; the rest is dropped.
fn github_anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_' || *c == ' ')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a Markdown file: its headings' (GitHub's) and its `<a id="...">` ones.
fn anchors(md: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let (mut in_heading, mut text) = (false, String::new());
    for ev in Parser::new_ext(md, pulldown_cmark::Options::ENABLE_TABLES) {
        match ev {
            Event::Start(Tag::Heading { .. }) => {
                in_heading = true;
                text.clear();
            }
            Event::End(pulldown_cmark::TagEnd::Heading(_)) => {
                in_heading = false;
                out.insert(github_anchor(&text));
            }
            Event::Text(t) | Event::Code(t) if in_heading => text.push_str(&t),
            Event::InlineHtml(h) | Event::Html(h) => {
                if let Some(id) = h.strip_prefix("<a id=\"").and_then(|r| r.split('"').next()) {
                    out.insert(id.to_string());
                }
            }
            _ => {}
        }
    }
    out
}

/// report.md of the sample campaign is one page (at most 150 lines) that answers: a sentence
/// per platform whose typical cost ratio is the geometric mean of overhead.csv's primary cost
/// ratios (computed here), the checks by kind with the counts of checks.csv, failed first; and
/// every link into report-details.md reaches an anchor there.
#[test]
fn summary_is_one_page_and_its_links_reach_the_details() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("sample");
    report(&[root().join("sample-data").to_str().expect("utf-8 path")], &out);
    let md = read(&out.join("report.md"));
    let details = read(&out.join("report-details.md"));
    assert!(md.lines().count() <= 150, "report.md has {} lines", md.lines().count());
    let targets = anchors(&details);
    let mut links = 0;
    for ev in Parser::new_ext(&md, pulldown_cmark::Options::ENABLE_TABLES) {
        if let Event::Start(Tag::Link { dest_url, .. }) = ev {
            let Some(rest) = dest_url.strip_prefix("report-details.md") else { continue };
            links += 1;
            if let Some(anchor) = rest.strip_prefix('#') {
                assert!(
                    targets.contains(anchor),
                    "report.md links {dest_url}, which report-details.md lacks"
                );
            } else {
                assert_eq!(rest, "", "{dest_url}");
            }
        }
    }
    assert!(links >= 10, "only {links} links into the details");
    // One sentence per platform: the geometric mean of its primary cost ratios.
    let overhead = csv_rows(&out.join("overhead.csv"));
    let mut ratios: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for r in overhead.iter().filter(|r| r["primary"] == "true") {
        ratios.entry(r["platform"].clone()).or_default().push(r["cost_ratio"].parse().expect("ratio"));
    }
    assert_eq!(ratios.len(), 2);
    for (platform, rs) in &ratios {
        let gm = (rs.iter().map(|r| r.ln()).sum::<f64>() / rs.len() as f64).exp();
        let line = md
            .lines()
            .map(|l| l.replace('\\', ""))
            .find(|l| l.starts_with(&format!("- {platform}: typical cost ratio ×")))
            .unwrap_or_else(|| panic!("no sentence for {platform}:\n{md}"));
        let shown = number_after(&line, "typical cost ratio ×");
        assert!((shown - gm).abs() / gm <= 0.005, "{platform}: {shown} vs {gm}");
        assert!(line.contains(&format!("of {} workloads", rs.len())), "{line}");
    }
    // The checks by kind: the counts of checks.csv, failed first.
    let checks = csv_rows(&out.join("checks.csv"));
    let section = md.split("## Checks").nth(1).expect("a checks section");
    let rows: Vec<Vec<String>> = section
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Check"))
        .map(|l| l.trim_matches('|').split(" | ").map(|c| c.trim().replace('\\', "")).collect())
        .collect();
    let mut kinds = BTreeSet::new();
    for c in &checks {
        kinds.insert((c["check"].clone(), c["severity"].clone()));
    }
    assert_eq!(rows.len(), kinds.len(), "{section}");
    for row in &rows {
        let n = checks.iter().filter(|c| c["check"] == row[0] && c["severity"] == row[1]).count();
        assert_eq!(row[2], n.to_string(), "{row:?}");
    }
    let first_warning = rows.iter().position(|r| r[1] != "fail").unwrap_or(rows.len());
    assert!(rows[first_warning..].iter().all(|r| r[1] != "fail"), "failed checks first: {rows:?}");
    assert_eq!(rows[0][1], "fail");
}

/// The cells of the rows of a LaTeX tabular, split at the `&` that are not escaped, `\\` cut.
fn latex_rows(tex: &str) -> Vec<Vec<String>> {
    tex.lines()
        .filter(|l| l.ends_with(r" \\"))
        .map(|l| {
            let l = l.trim_end_matches(r" \\");
            let mut cells = vec![String::new()];
            let mut prev = ' ';
            for c in l.chars() {
                if c == '&' && prev != '\\' {
                    cells.push(String::new());
                } else {
                    cells.last_mut().expect("a cell").push(c);
                }
                prev = c;
            }
            cells.into_iter().map(|c| c.trim().to_string()).collect()
        })
        .collect()
}

/// `--latex` writes the headline and paper tables as LaTeX tabulars beside the figures: a
/// platform named with every LaTeX special comes out escaped (written out here by hand), each
/// row has as many cells as the column spec says, and with pdflatex installed the tables
/// compile. Without `--latex` no .tex is written.
#[test]
fn latex_tables_escape_every_special_and_compile() {
    let tmp = tempfile::tempdir().expect("tmp");
    let labels = tmp.path().join("labels.csv");
    std::fs::write(&labels, "pattern,platform\ndocker,\"d_k&r%1 #$ {x} ~^ \\ <b>\"\n").expect("labels");
    let out = tmp.path().join("r");
    let fixture = xss_fixture();
    let args = [fixture.to_str().expect("utf-8"), "--labels", labels.to_str().expect("utf-8")];
    assert_eq!(report(&args, &out), 0);
    assert!(!out.join("figures/headline.tex").exists() && !out.join("figures/paper_table.tex").exists());
    let latex_args = [args.as_slice(), &["--latex"]].concat();
    assert_eq!(report(&latex_args, &out), 0);
    let escaped = r"d\_k\&r\%1 \#\$ \{x\} \textasciitilde{}\textasciicircum{} \textbackslash{} \textless{}b\textgreater{}";
    for (file, spec, header) in [
        ("headline.tex", "{llrl}", format!("{escaped}: cost ratio, verdict")),
        ("paper_table.tex", "{llrr}", escaped.to_string()),
    ] {
        let tex = read(&out.join("figures").join(file));
        assert!(tex.contains(&format!("\\begin{{tabular}}{spec}")), "{file}: {tex}");
        let rows = latex_rows(&tex);
        assert_eq!(rows.len(), 3, "{file}: a header and two workloads: {tex}");
        for r in &rows {
            assert_eq!(r.len(), spec.len() - 2, "{file}: {r:?}");
        }
        assert_eq!(rows[0][3], header, "{file}");
        assert_eq!(rows[1][0], "fio.randread");
        assert_eq!(tex.matches('{').count(), tex.matches('}').count(), "{file}: {tex}");
    }
    let headline = latex_rows(&read(&out.join("figures/headline.tex")));
    assert!(
        headline[1][3].starts_with(r"$\times$1.04 {[}0.875, 1.26{]}, no significant difference"),
        "{headline:?}"
    );
    assert_eq!(headline[2][1], r"requests\_per\_sec");
    if !have_tool("pdflatex") {
        return;
    }
    let doc = out.join("doc.tex");
    std::fs::write(
        &doc,
        "\\documentclass{article}\n\\begin{document}\n\\input{figures/headline.tex}\n\n\\input{figures/paper_table.tex}\n\\end{document}\n",
    )
    .expect("doc");
    let run = Command::new("pdflatex")
        .args(["-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "doc.tex"])
        .current_dir(&out)
        .output()
        .expect("pdflatex runs");
    assert!(run.status.success(), "pdflatex: {}", String::from_utf8_lossy(&run.stdout));
    assert!(out.join("doc.pdf").is_file());
}

/// The rows of the Markdown table that follows the line starting with `intro` in `section`,
/// by first cell, backslash escapes removed; and its header.
fn table_after(section: &str, intro: &str) -> (Vec<String>, BTreeMap<String, Vec<String>>) {
    let start = section.find(intro).unwrap_or_else(|| panic!("no '{intro}' in {section}"));
    let lines: Vec<Vec<String>> = section[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.trim_matches('|').split(" | ").map(|c| c.trim().replace('\\', "")).collect())
        .collect();
    let header = lines[0].clone();
    (header, lines[2..].iter().map(|c| (c[0].clone(), c.clone())).collect())
}

/// Each workload section of the sample campaign puts the benchmark's metrics (all of kind
/// performance in summary.csv) apart from the resource metrics, whose table gives per platform
/// the value inside it and, for docker and qemu (host-side pidstat logs), the value on the
/// host side by side: the means of summary.csv's `cpu_pct_mean` and `host_cpu_pct_mean`.
#[test]
fn resources_are_apart_with_inside_and_host_side_by_side() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("sample");
    report(&[root().join("sample-data").to_str().expect("utf-8 path")], &out);
    let details = read(&out.join("report-details.md"));
    let summary = csv_rows(&out.join("summary.csv"));
    let mean = |w: &str, m: &str, p: &str| -> f64 {
        let r = summary.iter().find(|r| r["workload"] == w && r["metric"] == m && r["platform"] == p);
        r.unwrap_or_else(|| panic!("no {w} {m} {p}"))["mean"].parse().expect("a mean")
    };
    let kind = |w: &str, m: &str| {
        summary.iter().find(|r| r["workload"] == w && r["metric"] == m).map(|r| r["kind"].clone())
    };
    for w in ["wrk", "sysbench.cpu"] {
        let id = w.replace('.', "-");
        let start = details.find(&format!("### <a id=\"{id}\"></a>")).expect("a section");
        let section = &details[start..];
        let section = &section[..section[4..].find("\n### ").map(|i| i + 4).unwrap_or(section.len())];
        let (_, bench) = table_after(section, "Benchmark metrics:");
        for m in bench.keys() {
            assert_eq!(kind(w, m).as_deref(), Some("performance"), "{w}: {m} in the benchmark table");
        }
        let (header, res) = table_after(section, "Resources used");
        for m in res.keys() {
            assert_eq!(kind(w, m).as_deref(), Some("resource"), "{w}: {m} in the resource table");
        }
        let row = &res["cpu_pct_mean"];
        for (p, host) in
            [("native", false), ("docker[cpus2,memory2g]", true), ("qemu[raw,smp2,m2048,tcg]", true)]
        {
            let col = header.iter().position(|h| h == &format!("{p}: inside")).expect("an inside column");
            let shown: f64 = row[col].split(' ').next().expect("a value").parse().expect("a number");
            let m = mean(w, "cpu_pct_mean", p);
            assert!((shown - m).abs() <= m.abs() * 0.001, "{w} {p}: {shown} vs {m}");
            let host_col = header.iter().position(|h| h == &format!("{p}: on the host"));
            assert_eq!(host_col, if host { Some(col + 1) } else { None }, "{header:?}");
            if let Some(c) = host_col {
                let shown: f64 = row[c].split(' ').next().expect("a value").parse().expect("a number");
                let m = mean(w, "host_cpu_pct_mean", p);
                assert!((shown - m).abs() <= m.abs() * 0.001, "{w} {p} host: {shown} vs {m}");
            }
        }
    }
}

/// The mean over a platform's runs of `workload` of the CPU share its pidstat logs (`-h`, one
/// line per process and sample) give: per file, `%CPU` summed over the processes of each
/// sample, averaged over the samples. Read here from the raw files, apart from the parser.
fn raw_cpu_share(platform: &str, workload: &str, host_side: bool) -> f64 {
    let dir = root().join("sample-data").join(platform).join(workload);
    let mut per_file = Vec::new();
    for e in std::fs::read_dir(&dir).expect("a workload folder") {
        let p = e.expect("an entry").path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if !name.ends_with(".pidstat") || name.ends_with(".host.pidstat") != host_side {
            continue;
        }
        let mut header: Vec<String> = Vec::new();
        let mut samples: BTreeMap<String, f64> = BTreeMap::new();
        for line in read(&p).lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            if line.starts_with('#') {
                header = f[1..].iter().map(|s| s.to_string()).collect();
            } else if !header.is_empty() && f.len() == header.len() {
                let cpu = header.iter().position(|h| h == "%CPU").expect("a %CPU column");
                *samples.entry(f[0].to_string()).or_default() += f[cpu].parse::<f64>().expect("a number");
            }
        }
        per_file.push(samples.values().sum::<f64>() / samples.len() as f64);
    }
    assert!(!per_file.is_empty(), "no pidstat log in {}", dir.display());
    per_file.iter().sum::<f64>() / per_file.len() as f64
}

/// The figure of where the CPU goes, in each workload of the sample campaign: its caption gives
/// per platform with a host-side log the CPU share on the host and inside, as recomputed here
/// from the raw pidstat logs, and says which way they differ: fio's workers started after the
/// host-side monitor (docker's host log missed them: 7.0 % against 46.3 %), QEMU's process
/// used more than its guest saw.
#[test]
fn cpu_figure_shows_host_around_inside_as_the_raw_logs_say() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("sample");
    report(&[root().join("sample-data").to_str().expect("utf-8 path")], &out);
    let details = read(&out.join("report-details.md"));
    let (docker, qemu) = ("docker[cpus2,memory2g]", "qemu[raw,smp2,m2048,tcg]");
    for (dir, id) in [("fio-randread", "fio-randread"), ("sysbench-cpu", "sysbench-cpu"), ("wrk", "wrk")] {
        let png = format!("figures/{id}-cpu.png");
        assert!(out.join(&png).is_file() && out.join(format!("figures/{id}-cpu.svg")).is_file(), "{png}");
        let at = details.find(&format!("]({png})")).unwrap_or_else(|| panic!("{png} not in the details"));
        let caption = details[at..].lines().nth(2).expect("a caption").replace('\\', "");
        for p in [docker, qemu] {
            let platform = p.split('[').next().expect("a name");
            let (host, inside) = (raw_cpu_share(platform, dir, true), raw_cpu_share(platform, dir, false));
            let start = caption.find(&format!("{p}: ")).unwrap_or_else(|| panic!("{p} in {caption}"));
            let words: Vec<&str> = caption[start + p.len() + 2..].split(' ').collect();
            let (shown_host, shown_inside): (f64, f64) =
                (words[0].parse().expect("a number"), words[5].parse().expect("a number"));
            assert!((shown_host - host).abs() <= host * 0.001, "{dir} {p}: host {shown_host} vs {host}");
            assert!(
                (shown_inside - inside).abs() <= inside * 0.001,
                "{dir} {p}: inside {shown_inside} vs {inside}"
            );
            let said = caption[start..].split(". ").next().expect("a sentence");
            let expected = match (p == qemu, dir) {
                (true, _) => "points more than the platform saw",
                (false, "fio-randread") => "points less, so its monitor did not cover every process",
                (false, _) => "their intervals overlap",
            };
            assert!(said.contains(expected), "{dir} {p}: {said}");
        }
    }
}

/// One comparison computed by hand from the raw files of tests/fixtures/report/xss/*/wrk.txt:
///
/// native `Requests/sec:` 6369.48, 10339.99, 7730.18 → mean 24439.65 / 3 = 8146.55
/// docker `Requests/sec:` 5617.69, 3683.54, 9321.00 → mean 18622.23 / 3 = 6207.41
/// q = 6207.41 / 8146.55 = 0.76197: requests/s changed by (q − 1) = −23.8 %, and one request
/// took 1 / q = 1.3124 ≈ 1.31 times native's time. Both logs report socket errors (`Socket
/// errors:` lines, a failed log_errors check on docker and on the baseline), so the verdict
/// is withheld.
#[test]
fn headline_change_matches_a_hand_computation() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("r");
    assert_eq!(report(&[xss_fixture().to_str().expect("utf-8")], &out), 0);
    let md = read_md(&out);
    let rows = headline(&md);
    let wrk = &rows["wrk"];
    assert_eq!(wrk[2].split(' ').next(), Some("8147"), "native mean");
    assert_eq!(wrk[3].split(' ').next(), Some("6207"), "docker mean");
    assert_eq!(parse_overhead(&wrk[4]).0, -23.8);
    assert_eq!(parse_overhead(&wrk[5]).0, 1.31);
    assert_eq!(wrk[6], "not judged: log_errors");
    assert!(md.contains("docker on wrk: requests_per_sec -23.8% ["), "{md}");
    assert!(md.contains("against native (6207 vs 8147 requests/s, 3 and 3 runs), 1.31 ["));
    assert!(md.contains("times the time per request: not judged: log_errors"));
}

/// The headline section of the Markdown renderer, on the fixture (numbers from real fio and wrk).
#[test]
fn markdown_headline_snapshot() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("r");
    report(&[xss_fixture().to_str().expect("utf-8")], &out);
    let md = read_md(&out);
    let start = md.find("## Headline").expect("headline");
    let end = md.find("- docker on").expect("findings");
    insta::assert_snapshot!(&md[start..end], @r#"
    ## Headline

    The primary metric of each workload: mean [interval] per platform; its change against
    native [interval]; the cost ratio [interval] (×7.4 = 7.4 times the time per
    unit of work, or the latency); and the verdict. A failed check withholds the verdict of every
    comparison it concerns: the verdict then reads "not judged:" and the check's name. The last
    column names the checks that failed on the workload (see "Threats to validity").
    2 comparisons of primary metrics were made; their p-values are Holm-adjusted (the chance of any false "slower" or "faster" among them stays below 0.05), and a verdict of slower or faster (uses more or less) needs the adjusted p-value below 0.05 as well as an interval that excludes 0.

    | Workload | Primary metric | native (baseline) | docker | docker: change [interval] | docker: cost ratio [interval] | docker: verdict | Failed checks |
    |---|---|---:|---:|---:|---:|---|---|
    | fio.randread | read_iops (IO/s, higher is better) | 8914 [7743, 10084] | 8566 [6701, 10431] | -3.9% [-20.4%, +14.2%] | ×1.04 [0.875, 1.26] | no significant difference | none |
    | wrk | requests_per_sec (requests/s, higher is better) | 8147 [3134, 13159] | 6207 [-908.7, 13324] | -23.8% [-87.9%, +78.9%] | ×1.31 [0.559, 8.26] | not judged: log_errors | log_errors (docker, native) |
    "#);
}

/// Log text (fio job name, wrk URL path) and a platform label full of HTML show only escaped:
/// in report.md as Markdown that renders to text, in report.html as text; the figures' SVG
/// text is escaped too.
#[test]
fn log_text_is_escaped_in_markdown_and_html() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("r");
    let labels = tmp.path().join("labels.csv");
    std::fs::write(&labels, "pattern,platform\ndocker,\"<img src=x onerror=alert(2)>\"\n").expect("labels");
    let code = report(
        &[
            xss_fixture().to_str().expect("utf-8"),
            "--labels",
            labels.to_str().expect("utf-8"),
            "--title",
            "T <b>&",
        ],
        &out,
    );
    assert_eq!(code, 0);
    let md = read_md(&out);
    assert!(md.contains(r"job=\<script\>alert(1)\</script\>"), "fio job name, escaped");
    assert!(md.contains(r"path=/\<script\>alert(1)\</script\>"), "wrk path, escaped");
    assert!(md.contains(r"\<img src=x onerror=alert(2)\>"), "label, escaped");
    assert!(!md.contains(XSS));
    // Every `<` is escaped, but for the template's own section anchors.
    for (i, _) in md.match_indices('<') {
        let ok = md[..i].ends_with('\\') || md[i..].starts_with("<a id=\"") || md[i..].starts_with("</a>");
        assert!(ok, "unescaped '<' in report.md: {}", &md[i..md.len().min(i + 40)]);
    }
    // Rendered by a plain CommonMark renderer (as GitHub or a course's wiki would), the log
    // text is text: no HTML element comes out of it.
    let mut plain = String::new();
    pulldown_cmark::html::push_html(&mut plain, Parser::new_ext(&md, pulldown_cmark::Options::ENABLE_TABLES));
    // (The only elements are the figures' own images.)
    assert_eq!(plain.matches("<img ").count(), plain.matches("<img src=\"figures/").count());
    assert!(!plain.contains("<script"), "Markdown let HTML through");
    assert!(plain.contains("job=&lt;script&gt;alert(1)&lt;/script&gt;"));
    let html = read(&out.join("report.html"));
    assert!(!html.contains("<script") && !html.contains("<img"), "HTML let markup through");
    assert!(html.contains("job=&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("path=/&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("<title>T &lt;b&gt;&amp;</title>"));
    // The label is drawn in the figures (legend, axis): escaped SVG text.
    let svg = read(&out.join("figures/wrk-primary.svg"));
    assert!(svg.contains("&lt;img src=x onerror=alert(2)&gt;"));
    assert!(!svg.contains("<img"));
}

/// report.md parses as the document it should be: the sections in order, tables, one image per
/// figure, and no HTML but the section anchors.
#[test]
fn markdown_round_trips_through_pulldown_cmark() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("r");
    report(&[xss_fixture().to_str().expect("utf-8")], &out);
    let headings_of = |md: &str| {
        let mut headings = Vec::new();
        let (mut tables, mut images, mut in_heading) = (0, 0, false);
        let mut text = String::new();
        for ev in Parser::new_ext(md, pulldown_cmark::Options::ENABLE_TABLES) {
            match ev {
                Event::Start(Tag::Heading { .. }) => {
                    in_heading = true;
                    text.clear();
                }
                Event::End(pulldown_cmark::TagEnd::Heading(_)) => {
                    in_heading = false;
                    headings.push(text.clone());
                }
                Event::Text(t) if in_heading => text.push_str(&t),
                Event::Start(Tag::Table(_)) => tables += 1,
                Event::Start(Tag::Image { .. }) => images += 1,
                Event::Html(h) | Event::InlineHtml(h) => {
                    assert!(h.starts_with("<a id=\"") || h.as_ref() == "</a>", "unexpected HTML: {h}")
                }
                _ => {}
            }
        }
        (headings, tables, images)
    };
    let (main, main_tables, main_images) = headings_of(&read(&out.join("report.md")));
    let (details, details_tables, details_images) = headings_of(&read(&out.join("report-details.md")));
    let titles: Vec<&str> = main.iter().skip(1).map(String::as_str).collect();
    assert_eq!(titles, ["Paper table", "Checks", "Details"]);
    // The compact headline, the paper table, the checks by kind.
    assert_eq!(main_tables, 3);
    // The checks of the fixture (checks.csv), one subsection per kind, failed first.
    let checks = csv_rows(&out.join("checks.csv"));
    let mut kinds: Vec<(String, String)> = Vec::new();
    for c in &checks {
        let k = (c["severity"].clone(), c["check"].clone());
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    kinds.sort_by_key(|(sev, _)| sev != "fail");
    let mut expected: Vec<String> =
        ["How to read the numbers", "What was compared", "Headline", "Per subsystem", "Threats to validity"]
            .map(String::from)
            .to_vec();
    for (sev, check) in &kinds {
        let n = checks.iter().filter(|c| &c["severity"] == sev && &c["check"] == check).count();
        let word = match (sev.as_str(), n) {
            ("fail", _) => "failed".to_string(),
            ("warning", 1) => "warning".to_string(),
            ("warning", _) => "warnings".to_string(),
            (other, _) => other.to_string(),
        };
        expected.push(format!("{check}: {n} {word}"));
    }
    expected.extend(
        ["Workloads", "fio.randread", "wrk", "Appendix A: every metric", "Appendix B: source files"]
            .map(String::from),
    );
    let titles: Vec<String> = details.iter().skip(1).cloned().collect();
    assert_eq!(titles, expected);
    // What was compared, headline, subsystems, two workload tables, two appendix tables.
    assert_eq!(details_tables, 7);
    assert_eq!(main_images + details_images, figure_names(&out).len());
}

/// `--templates` replaces a template, `--dump-context` writes what templates see, and a broken
/// template is a usage error that names the file.
#[test]
fn templates_can_be_replaced_and_context_dumped() {
    let tmp = tempfile::tempdir().expect("tmp");
    let tpl = tmp.path().join("tpl");
    std::fs::create_dir(&tpl).expect("mkdir");
    std::fs::write(tpl.join("report.md.tera"), "# {{ title }}\n\n{% for w in workloads %}- {{ w.title }}: {{ w.params | length }} params\n{% endfor %}").expect("write");
    let out = tmp.path().join("r");
    virtperf()
        .args(["report", xss_fixture().to_str().expect("utf-8"), "-q", "--dump-context", "--title", "Mine"])
        .arg("--templates")
        .arg(&tpl)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(0);
    let md = read(&out.join("report.md"));
    assert_eq!(md, "# Mine\n\n- fio.randread: 4 params\n- wrk: 4 params\n");
    // The HTML template is still the built-in one, around the user's Markdown.
    assert!(read(&out.join("report.html")).contains("<h1>Mine</h1>"));
    let ctx: serde_json::Value = serde_json::from_str(&read(&out.join("context.json"))).expect("JSON");
    assert_eq!(ctx["baseline"], "native");
    assert_eq!(ctx["headline"]["rows"].as_array().map(Vec::len), Some(2));

    std::fs::write(tpl.join("report.html.tera"), "{% if %}").expect("write");
    virtperf()
        .args(["report", xss_fixture().to_str().expect("utf-8"), "-q", "--templates"])
        .arg(&tpl)
        .arg("--out")
        .arg(tmp.path().join("r2"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("report.html.tera"));
    virtperf()
        .args(["report", xss_fixture().to_str().expect("utf-8"), "--templates", "/nonexistent"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a folder"));
}

/// Copies repetitions `reps` of every sample-data workload into `dest`, keeping the
/// platform folders, so that two campaigns can be made from the one bundled.
fn campaign(dest: &Path, reps: &[u32]) {
    let sample = root().join("sample-data");
    for platform in ["native", "docker"] {
        for entry in std::fs::read_dir(sample.join(platform)).expect("sample-data") {
            let dir = entry.expect("entry").path();
            let to = dest.join(platform).join(dir.file_name().expect("name"));
            std::fs::create_dir_all(&to).expect("mkdir");
            for r in reps {
                let f = dir.join(format!("rep{r}.txt"));
                if f.is_file() {
                    std::fs::copy(&f, to.join(format!("rep{r}.txt"))).expect("copy");
                }
            }
        }
    }
}

/// `compare A B`: per workload and platform, the change from A to B, with the same numbers in
/// report.md as in overhead.csv; also from tables written by `virtperf ingest`.
#[test]
fn compare_reports_the_change_between_two_campaigns() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (a, b) = (tmp.path().join("before"), tmp.path().join("after"));
    campaign(&a, &[1, 2, 3]);
    campaign(&b, &[3, 4, 5]);
    let out = tmp.path().join("cmp");
    virtperf().arg("compare").arg(&a).arg(&b).arg("--out").arg(&out).arg("-q").assert().code(0);
    let md = read_md(&out);
    assert!(md.contains("Campaign after compared with campaign before (the baseline), platform by platform."));
    let rows = headline(&md);
    let overhead = csv_rows(&out.join("overhead.csv"));
    let primary: Vec<_> = overhead.iter().filter(|r| r["primary"] == "true").collect();
    assert!(primary.len() >= 8, "each workload on each platform: {}", primary.len());
    for r in primary {
        assert_eq!((r["baseline"].as_str(), r["platform"].as_str()), ("before", "after"));
        let label = format!("{} ({})", r["workload"], r["stratum"]);
        let cells = rows.get(&label).unwrap_or_else(|| panic!("no headline row {label}: {rows:?}"));
        let (c, _, _) = parse_overhead(&cells[4]);
        assert!((c - r["change_pct"].parse::<f64>().expect("number")).abs() <= 0.051, "{label}");
    }
    // The same from ingested tables.
    for (dir, table) in [(&a, "a.csv"), (&b, "b.csv")] {
        virtperf().arg("ingest").arg(dir).arg("--out").arg(tmp.path().join(table)).arg("-q").assert().code(0);
    }
    let out2 = tmp.path().join("cmp2");
    virtperf()
        .arg("compare")
        .arg(tmp.path().join("a.csv"))
        .arg(tmp.path().join("b.csv"))
        .arg("--out")
        .arg(&out2)
        .arg("-q")
        .assert()
        .code(0);
    let from_tables = csv_rows(&out2.join("overhead.csv"));
    let from_raw = csv_rows(&out.join("overhead.csv"));
    assert_eq!(from_tables.len(), from_raw.len());
    for (t, r) in from_tables.iter().zip(&from_raw) {
        assert_eq!(
            (&t["workload"], &t["stratum"], &t["metric"]),
            (&r["workload"], &r["stratum"], &r["metric"])
        );
        assert_eq!(t["verdict"], r["verdict"]);
    }
    virtperf().arg("compare").arg(&a).assert().code(2);
}

/// An unreadable input: the report is still written, and the exit status is 1.
#[test]
fn unreadable_input_gives_status_1_and_a_report() {
    let tmp = tempfile::tempdir().expect("tmp");
    let bad = tmp.path().join("native-notes.txt");
    std::fs::write(&bad, "not a benchmark\n").expect("write");
    let out = tmp.path().join("r");
    let code = report(&[xss_fixture().to_str().expect("utf-8"), bad.to_str().expect("utf-8")], &out);
    assert_eq!(code, 1);
    let md = read_md(&out);
    assert!(md.contains("could not tell which tool wrote this file"));
    assert!(md.contains("native-notes.txt"));
}

// -----------------------------------------------------------------------------------------------
// Headless Chromium

/// Chromium's flags for a browser that does nothing on its own.
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// Runs chromium on `url` with `extra` flags and a new empty profile, without network when
/// `unshare -n` works here (root), recording a net log. Returns stdout and the net log.
fn chromium(url: &str, extra: &[String], work: &Path) -> (String, serde_json::Value) {
    let profile = tempfile::tempdir_in(work).expect("profile");
    let netlog = work.join(format!("net-{}.json", extra.len()));
    let isolated = Command::new("unshare").args(["-n", "true"]).status().is_ok_and(|s| s.success());
    let mut cmd = if isolated {
        let mut c = Command::new("unshare");
        c.args(["-n", "timeout", "120", "chromium"]);
        c
    } else {
        eprintln!("note: unshare -n is not available (not root?); relying on the net log alone");
        let mut c = Command::new("timeout");
        c.args(["120", "chromium"]);
        c
    };
    cmd.args(CHROMIUM_FLAGS)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--log-net-log={}", netlog.display()))
        .args(extra)
        .arg(url);
    let out = cmd.output().expect("chromium runs");
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&netlog).expect("net log")).expect("net log is JSON");
    (String::from_utf8_lossy(&out.stdout).into_owned(), log)
}

/// Requests the page made (not Chromium's own update and time checks, which have no origin):
/// the URLs of URL_REQUEST_START_JOB events whose initiator is the page.
fn page_requests(log: &serde_json::Value) -> Vec<String> {
    let types = &log["constants"]["logEventTypes"];
    let start = types["URL_REQUEST_START_JOB"].as_i64().expect("event type");
    log["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["type"].as_i64() == Some(start))
        .filter(|e| e["params"]["initiator"].as_str() != Some("not an origin"))
        .filter_map(|e| e["params"]["url"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn html_renders_offline_in_headless_chromium() {
    if !have_tool("chromium") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("r");
    let labels = tmp.path().join("labels.csv");
    std::fs::write(&labels, "pattern,platform\ndocker,\"<img src=http://127.0.0.1:9/x.png>\"\n")
        .expect("labels");
    let code =
        report(&[xss_fixture().to_str().expect("utf-8"), "--labels", labels.to_str().expect("utf-8")], &out);
    assert_eq!(code, 0);
    let page = format!("file://{}", out.join("report.html").display());

    // The detector works: a page that does load an image is caught.
    let control = tmp.path().join("control.html");
    std::fs::write(&control, "<html><body><img src=\"http://127.0.0.1:9/x.png\"></body></html>")
        .expect("write");
    let (_, log) = chromium(&format!("file://{}", control.display()), &["--dump-dom".into()], tmp.path());
    assert_eq!(page_requests(&log), ["http://127.0.0.1:9/x.png"], "the net-log check sees page requests");

    // The DOM holds every figure as inline SVG, and nothing from the logs became an element.
    let (dom, log) = chromium(&page, &["--dump-dom".into()], tmp.path());
    assert_eq!(page_requests(&log), Vec::<String>::new(), "the report made requests");
    let figures = figure_names(&out).len();
    assert_eq!(dom.matches("<svg ").count(), figures, "every figure is an inline svg");
    assert!(!dom.contains("<script") && !dom.contains("<img"), "markup from the logs became elements");
    assert!(dom.contains("job=&lt;script&gt;alert(1)&lt;/script&gt;"));

    // A screenshot with ink on it: the page and its figures rendered.
    let shot = tmp.path().join("shot.png");
    let (_, log) = chromium(
        &page,
        &["--window-size=1200,3000".into(), format!("--screenshot={}", shot.display())],
        tmp.path(),
    );
    assert_eq!(page_requests(&log), Vec::<String>::new());
    let (w, h, ink) = png_info(&shot);
    assert_eq!((w, h), (1200, 3000));
    assert!(ink > 0.03, "the screenshot is nearly blank ({:.2}% ink)", ink * 100.0);
    if let Ok(dir) = std::env::var("VIRTPERF_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, Path::new(&dir).join("report-screenshot.png")).expect("keep screenshot");
    }
}

/// Measures report.html of `out` in headless Chromium at `width` x 900: a copy of the page
/// (the report's own forbids scripts) with a script that records, into the DOM Chromium dumps,
/// the page's scroll and client widths, where the first screen's parts are, the figures'
/// boxes with every `<details>` as the report leaves it and then opened, and the same widths
/// once opened.
fn measure_page(out: &Path, width: u32, work: &Path) -> serde_json::Value {
    const SCRIPT: &str = r#"<script>
const de = document.scrollingElement, W = de.clientWidth;
const box = e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
const svgs = () => [...document.querySelectorAll('.figure svg')].map(e => box(e).concat([e.checkVisibility() ? 1 : 0]));
const r = { scroll: de.scrollWidth, client: W, details: document.querySelectorAll('details').length,
  open: document.querySelectorAll('details[open]').length, h1: box(document.querySelector('h1')),
  sentences: box(document.querySelector('main > ul')), table: box(document.querySelector('main > table')),
  headline_figure: box(document.querySelector('#fig-overhead-primary svg')), closed_figures: svgs() };
document.querySelectorAll('details').forEach(d => d.open = true);
r.opened_figures = svgs(); r.opened_scroll = de.scrollWidth; r.opened_client = de.clientWidth;
const wide = [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > de.clientWidth + 0.5
  && !e.closest('table')).map(e => e.tagName + ' ' + (e.id || e.className)).slice(0, 5);
r.wide = wide;
document.body.setAttribute('data-measure', JSON.stringify(r));
</script>"#;
    let html = read(&out.join("report.html"));
    let csp = html.find("<meta http-equiv=\"Content-Security-Policy\"").expect("a policy");
    let csp_end = csp + html[csp..].find('>').expect("end of meta") + 1;
    let page =
        format!("{}{}", &html[..csp], &html[csp_end..]).replace("</body>", &format!("{SCRIPT}</body>"));
    let path = out.join(format!("measure-{width}.html"));
    std::fs::write(&path, page).expect("write");
    let (dom, _) = chromium(
        &format!("file://{}", path.display()),
        &[format!("--window-size={width},900"), "--dump-dom".into()],
        work,
    );
    let attr = dom.split("data-measure=\"").nth(1).expect("the script ran").split('"').next().expect("attr");
    let json = attr.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

/// report.html of the sample campaign in Chromium at 1,280 px: the page never scrolls sideways
/// (closed or with every `<details>` open), the first screen (900 px) holds the title, the
/// per-platform sentences, the compact headline table and the top of the headline figure;
/// every other figure is inside a closed `<details>` (no box) until opened, and then inside
/// the page.
#[test]
fn html_first_screen_answers_and_nothing_scrolls_sideways() {
    if !have_tool("chromium") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("sample");
    report(&[root().join("sample-data").to_str().expect("utf-8 path")], &out);
    let m = measure_page(&out, 1280, tmp.path());
    let f = |v: &serde_json::Value| v.as_f64().expect("a number");
    assert!(f(&m["scroll"]) <= f(&m["client"]), "the page scrolls sideways: {m}");
    assert!(f(&m["opened_scroll"]) <= f(&m["opened_client"]), "opened, the page scrolls sideways: {m}");
    assert_eq!(m["wide"], serde_json::json!([]), "{m}");
    assert!(f(&m["details"]) >= 10.0 && f(&m["open"]) == 0.0, "details closed by default: {m}");
    for part in ["h1", "sentences", "table"] {
        assert!(f(&m[part][3]) <= 900.0, "{part} is below the first screen: {m}");
    }
    assert!(f(&m["headline_figure"][1]) < 900.0, "the headline figure starts below the first screen: {m}");
    let figures = figure_names(&out).len();
    let closed = m["closed_figures"].as_array().expect("figures");
    let opened = m["opened_figures"].as_array().expect("figures");
    assert_eq!((closed.len(), opened.len()), (figures, figures));
    let shown = |b: &serde_json::Value| f(&b[4]) == 1.0 && f(&b[2]) > f(&b[0]);
    assert_eq!(closed.iter().filter(|b| shown(b)).count(), 1, "only the headline figure is shown: {m}");
    for b in opened {
        assert!(shown(b), "an opened figure has no box: {b}");
        assert!(f(&b[0]) >= 0.0 && f(&b[2]) <= f(&m["opened_client"]), "a figure leaves the page: {b}");
    }
}

/// Printed ("Save as PDF" in Chromium, and pdftotext to read it back), report.html of the sample
/// campaign starts every part of the details on a new page and prints it open: each part's
/// heading is the first line of a page, and the text of every check (all inside closed
/// `<details>` on screen) is in the PDF.
#[test]
fn html_prints_every_part_open_on_its_own_page() {
    if !have_tool("chromium") || !have_tool("pdftotext") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("sample");
    report(&[root().join("sample-data").to_str().expect("utf-8 path")], &out);
    let pdf = tmp.path().join("report.pdf");
    chromium(
        &format!("file://{}", out.join("report.html").display()),
        &["--no-pdf-header-footer".into(), format!("--print-to-pdf={}", pdf.display())],
        tmp.path(),
    );
    let text_file = tmp.path().join("report.txt");
    let status = Command::new("pdftotext").arg(&pdf).arg(&text_file).status().expect("pdftotext runs");
    assert!(status.success());
    let text = read(&text_file);
    let firsts: Vec<String> = text
        .split('\u{c}')
        .filter_map(|page| page.lines().map(str::trim).find(|l| !l.is_empty()).map(str::to_string))
        .collect();
    let details = read(&out.join("report-details.md"));
    let parts: Vec<&str> = details.lines().filter_map(|l| l.strip_prefix("## ")).collect();
    assert!(parts.len() >= 8, "{parts:?}");
    for part in &parts {
        assert!(firsts.iter().any(|f| f == part), "'{part}' does not start a page: {firsts:?}");
    }
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for c in csv_rows(&out.join("checks.csv")) {
        let words: Vec<&str> = c["detail"].split_whitespace().take(6).collect();
        assert!(flat.contains(&words.join(" ")), "check detail not printed: {}", c["detail"]);
    }
}

// -----------------------------------------------------------------------------------------------
// Nothing panics

/// The input of a platforms report of `ds` alone (no raw runs or files), default analysis.
fn report_input(ds: &virtperf::analyse::Dataset) -> virtperf::report::ReportInput {
    use virtperf::analyse::{analyse, AnalyseConfig};
    use virtperf::report::{Mode, ReportInput};
    ReportInput {
        analysis: analyse(&mut ds.clone(), &AnalyseConfig::default()),
        runs: vec![],
        files: vec![],
        inputs: vec!["in".into()],
        mode: Mode::Platforms,
        title: None,
        generator: "virtperf test".into(),
    }
}

/// Random observations (markup in names, extreme and degenerate values, one run or many, arms
/// without a baseline) go through analysis, figures, both renderers and the writer without a
/// panic, and report.md keeps every `<` escaped.
#[test]
fn random_datasets_make_reports_without_panics() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    use virtperf::analyse::Dataset;
    use virtperf::model::Better;

    const ARMS: &[&str] = &["native", "docker", "<b>kvm</b>", "a|b_*c*", ""];
    const WORKLOADS: &[&str] = &["sysbench.cpu", "wrk", "fio.randread", "<script>x</script>"];
    const METRICS: &[(&str, Better)] = &[
        ("events_per_sec", Better::Higher),
        ("requests_per_sec", Better::Higher),
        ("latency_p50_ms", Better::Lower),
        ("latency_p99_ms", Better::Lower),
        ("requests", Better::None),
    ];
    let value = prop_oneof![
        -1e6..1e6f64,
        Just(0.0),
        Just(1e300),
        Just(-1e300),
        Just(1e-300),
        Just(f64::MAX),
        Just(5.0),
    ];
    let obs =
        prop::collection::vec((0..ARMS.len(), 0..WORKLOADS.len(), 0..METRICS.len(), 0..3u32, value), 0..40);
    let tmp = tempfile::tempdir().expect("tmp");
    // Few cases by default (each draws every figure twice); VIRTPERF_FUZZ_CASES raises it.
    let cases = std::env::var("VIRTPERF_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(12, |n: u32| n / 8)
        .max(12);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let case = std::sync::atomic::AtomicUsize::new(0);
    runner
        .run(&obs, |rows| {
            let n = case.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let mut ds = Dataset::default();
            for (i, (arm, w, m, params, v)) in rows.into_iter().enumerate() {
                ds.push(virtperf::analyse::ObsRow {
                    source: format!("in/{}/<{i}>.txt", ARMS[arm]),
                    run: 1,
                    tool: "t".into(),
                    tool_version: None,
                    workload: WORKLOADS[w].into(),
                    params: format!("p={params}"),
                    arm: ARMS[arm].into(),
                    stratum: String::new(),
                    repetition: i as u32,
                    first_line: 1,
                    metric: METRICS[m].0.into(),
                    unit: "u".into(),
                    better: METRICS[m].1,
                    kind: virtperf::model::Kind::Performance,
                    value: v,
                    // As a parser declares them: the rates primary, the latencies percentiles.
                    declared: virtperf::model::Declared {
                        primary: m < 2,
                        percentile: [None, None, Some(50.0), Some(99.0), None][m]
                            .map(|p| virtperf::model::Percentile::new("latency", p)),
                        ..Default::default()
                    },
                });
            }
            let input = report_input(&ds);
            let out = tmp.path().join(format!("case{n}"));
            let opts = virtperf::report::WriteOptions {
                out: &out,
                templates: None,
                dump_context: true,
                latex: true,
            };
            virtperf::report::generate(&input, &opts).expect("a report");
            let md = read_md(&out);
            for (i, _) in md.match_indices('<') {
                let ok =
                    md[..i].ends_with('\\') || md[i..].starts_with("<a id=\"") || md[i..].starts_with("</a>");
                prop_assert!(ok, "unescaped '<' in report.md: {}", &md[i..md.len().min(i + 40)]);
            }
            Ok(())
        })
        .expect("no panic, nothing unescaped");
}

/// Four arms, one of which shares no workload with the baseline: the headline is one line per
/// arm (seven columns however many arms), an arm equal to the baseline "costs the same"
/// rather than "0.0% less", and the headline figure has no legend entry or gap for the arm
/// without a bar.
#[test]
fn many_arms_keep_the_headline_narrow() {
    use virtperf::analyse::Dataset;
    use virtperf::model::Better;

    let mut ds = Dataset::default();
    let runs: &[(&str, &str, [f64; 3])] = &[
        ("native", "sysbench.cpu", [100.0, 101.0, 99.0]),
        ("docker", "sysbench.cpu", [90.0, 91.0, 89.0]),
        ("kvm", "sysbench.cpu", [100.0, 99.0, 101.0]),
        ("podman", "sysbench.memory", [5.0, 6.0, 7.0]),
    ];
    for (arm, workload, values) in runs {
        for (i, v) in values.iter().enumerate() {
            ds.push(virtperf::analyse::ObsRow {
                source: format!("{arm}/{workload}/rep{i}.txt"),
                run: 1,
                tool: "sysbench".into(),
                tool_version: None,
                workload: workload.to_string(),
                params: String::new(),
                arm: arm.to_string(),
                stratum: String::new(),
                repetition: i as u32,
                first_line: 1,
                metric: "events_per_sec".into(),
                unit: "events/s".into(),
                better: Better::Higher,
                kind: virtperf::model::Kind::Performance,
                value: *v,
                // As sysbench declares it.
                declared: virtperf::model::Declared {
                    primary: true,
                    subsystem: if *workload == "sysbench.cpu" {
                        virtperf::model::Subsystem::Cpu
                    } else {
                        virtperf::model::Subsystem::Memory
                    },
                    ..Default::default()
                },
            });
        }
    }
    let input = report_input(&ds);
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("r");
    let opts =
        virtperf::report::WriteOptions { out: &out, templates: None, dump_context: false, latex: false };
    virtperf::report::generate(&input, &opts).expect("a report");
    // report.md's compact headline: one line per compared platform, four columns.
    let main = read(&out.join("report.md"));
    let start = main.find("| Workload |").expect("compact headline table");
    let compact: Vec<&str> = main[start..].lines().take_while(|l| l.starts_with('|')).collect();
    assert!(
        compact[0].starts_with("| Workload | Primary metric | Platform | Cost ratio [interval], verdict |")
    );
    for l in &compact {
        assert_eq!(l.matches('|').count(), 5, "four columns: {l}");
    }
    let md = read_md(&out);
    let start = md.find("## Headline").expect("headline section");
    let start = start + md[start..].find("| Workload |").expect("headline table");
    let table: Vec<&str> = md[start..].lines().take_while(|l| l.starts_with('|')).collect();
    for l in &table {
        assert_eq!(l.matches('|').count(), 9, "eight columns: {l}");
    }
    assert!(table[0]
        .contains("| Platform | Mean [interval] | Change [interval] | Cost ratio [interval] | Verdict |"));
    assert!(table.iter().any(|l| l.starts_with("| sysbench.cpu |") && l.contains("native (baseline)")));
    // docker 90 vs native 100 events/s: -10.0%, and 100 / 90 = 1.11 times the time per event.
    assert!(table.iter().any(
        |l| l.starts_with("|  |  | docker | 90.00 [87.52, 92.48] | -10.0% [") && l.contains("| ×1.11 [")
    ));
    // kvm 100 vs 100: no change, and no sign on it.
    assert!(md.contains("- kvm on sysbench.cpu: events_per_sec 0.0% ["), "{md}");
    assert!(md.contains("1.00 ["), "{md}");
    let svg = read(&out.join("figures/overhead-primary.svg"));
    assert!(svg.contains("docker") && svg.contains("kvm"));
    assert!(!svg.contains("podman"), "podman has no bar, so no legend entry");
}

// -----------------------------------------------------------------------------------------------
// The words of a comparison: worked examples

/// Observations of `metric` (`workload`, no params) on `arm`, one run per value.
fn obs(
    workload: &str,
    metric: &str,
    unit: &str,
    better: virtperf::model::Better,
    kind: virtperf::model::Kind,
    arm: &str,
    values: &[f64],
) -> Vec<virtperf::analyse::ObsRow> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            virtperf::analyse::ObsRow {
                source: format!("{arm}/{workload}/rep{}.txt", i + 1),
                run: 1,
                tool: "t".into(),
                tool_version: None,
                workload: workload.into(),
                params: String::new(),
                arm: arm.into(),
                stratum: String::new(),
                repetition: i as u32 + 1,
                first_line: 1,
                metric: metric.into(),
                unit: unit.into(),
                better,
                kind,
                value: *v,
                // As the parsers declare them: sysbench's events/s and wrk's requests/s primary
                // (pidstat's figures in fio's group are not), each workload's subsystem.
                declared: virtperf::model::Declared {
                    primary: matches!(metric, "events_per_sec" | "requests_per_sec"),
                    subsystem: match workload {
                        "sysbench.cpu" => virtperf::model::Subsystem::Cpu,
                        "wrk" => virtperf::model::Subsystem::Network,
                        _ => virtperf::model::Subsystem::Disk,
                    },
                    ..Default::default()
                },
            }
        })
        .collect()
}

/// A dataset whose every comparison can be worked out by hand: the baseline of each metric is
/// constant (or indistinguishable from zero), so Fieller's interval of the ratio is Student's
/// interval of the platform's mean divided by the baseline's mean, with n - 1 = 2 degrees of
/// freedom, t(0.975, 2) = 4.302653.
fn worked_dataset() -> virtperf::analyse::Dataset {
    use virtperf::model::{Better::*, Kind::*};
    let mut ds = virtperf::analyse::Dataset::default();
    let mut add = |v: Vec<virtperf::analyse::ObsRow>| ds.extend(v);
    let cpu = "sysbench.cpu";
    add(obs(cpu, "events_per_sec", "events/s", Higher, Performance, "native", &[100.0, 100.0, 100.0]));
    add(obs(cpu, "events_per_sec", "events/s", Higher, Performance, "qemu", &[10.0, 12.0, 14.0]));
    add(obs(cpu, "events_per_sec", "events/s", Higher, Performance, "docker", &[195.0, 200.0, 205.0]));
    add(obs(cpu, "events_per_sec", "events/s", Higher, Performance, "kvm", &[90.0, 100.0, 110.0]));
    add(obs(cpu, "latency_avg_ms", "ms", Lower, Performance, "native", &[1.0, 1.0, 1.0]));
    add(obs(cpu, "latency_avg_ms", "ms", Lower, Performance, "qemu", &[2.0, 2.2, 2.4]));
    add(obs(cpu, "cpu_pct_mean", "%", Lower, Resource, "native", &[100.0, 100.0, 100.0]));
    add(obs(cpu, "cpu_pct_mean", "%", Lower, Resource, "qemu", &[40.0, 50.0, 60.0]));
    let fio = "fio.randread";
    add(obs(fio, "kb_rd_per_sec_mean", "KiB/s", Lower, Resource, "native", &[0.0, 1.0, 57.0]));
    add(obs(fio, "kb_rd_per_sec_mean", "KiB/s", Lower, Resource, "qemu", &[30.0, 31.0, 32.0]));
    add(obs(fio, "majflt_per_sec_mean", "faults/s", Lower, Resource, "native", &[0.0, 0.0, 0.0]));
    add(obs(fio, "majflt_per_sec_mean", "faults/s", Lower, Resource, "qemu", &[1.0, 2.0, 3.0]));
    add(obs("wrk", "requests_per_sec", "requests/s", Higher, Performance, "native", &[100.0, 100.0, 100.0]));
    add(obs("wrk", "requests_per_sec", "requests/s", Higher, Performance, "qemu", &[10.0, 12.0, 14.0]));
    add(obs("wrk", "requests_per_sec", "requests/s", Higher, Performance, "docker", &[195.0, 200.0, 205.0]));
    // wrk on qemu reported socket errors: a failed log_errors check on that comparison.
    ds.issues.push(virtperf::analyse::RunIssue {
        source: "qemu/wrk/rep2.txt".into(),
        line: 12,
        workload: "wrk".into(),
        params: String::new(),
        stratum: String::new(),
        arm: "qemu".into(),
        family: "vm".into(),
        kind: "socket_errors".into(),
        message: "socket errors: connect 0, read 0, write 0, timeout 2".into(),
    });
    ds
}

/// Every sentence template, against numbers worked out by hand (t = t(0.975, 2) = 4.302653,
/// h = t·s/√3 the half-width of the platform's Student interval; the baseline is constant, so
/// the ratio's interval is [(m - h) / b, (m + h) / b]):
///
/// - throughput, slower: qemu events/s 10, 12, 14 (m 12, s 2, h 4.96827) vs native 100:
///   q = 0.12 in [0.0703172, 0.169683]; change -88.0% [-93.0%, -83.0%]; time per event 1/q =
///   8.333 in [1/0.169683, 1/0.0703172] = [5.893, 14.22]; CV 2/12 = 16.7% > 5%: high_cv warns;
/// - throughput, faster: docker 195, 200, 205 (m 200, s 5, h 12.4207): q = 2 in [1.87579,
///   2.12421]; change +100.0% [+87.6%, +112.4%]; 1/q = 0.500 in [0.47076, 0.53311]; CV 2.5%;
/// - no change: kvm 90, 100, 110 (m 100, s 10, h 24.8414): q = 1 in [0.751586, 1.24841];
///   change 0.0% [-24.8%, +24.8%]; 1/q = 1.00 in [0.80102, 1.33052]; CV 10%: warns;
/// - latency (lower is better): qemu 2.0, 2.2, 2.4 ms (s 0.2, h 0.496827) vs 1 ms: q = 2.2 in
///   [1.70317, 2.69683]; change +120.0% [+70.3%, +169.7%]; cost ratio = q: 2.20 [1.70, 2.70];
/// - resource: qemu cpu_pct_mean 40, 50, 60 (h 24.8414) vs 100: q = 0.5 in [0.251586,
///   0.748414]; change -50.0% [-74.8%, -25.2%]; cost ratio 0.500 [0.252, 0.748]: "uses less";
/// - unbounded: native kb_rd 0, 1, 57 (mean 19.333, s² 1064.33, s²/3 = 354.78, t² s²/3 >
///   1.96² · 354.78 = 1363 > 19.333² = 373.8, so A < 0 whatever the degrees of freedom);
///   qemu 30, 31, 32: q = 31 / 19.333 = 1.6034, change +60.3%, cost ratio 1.60;
/// - no ratio: native majflt 0, 0, 0 (mean 0), qemu 1, 2, 3 (mean 2.000);
/// - not judged: wrk on qemu as the first case, with a socket error in its log (log_errors
///   fails), while docker's wrk comparison (as the second case) is judged.
#[test]
fn every_sentence_template_reads_as_worked_out_by_hand() {
    let input = report_input(&worked_dataset());
    let a = &input.analysis;
    let row = |w: &str, m: &str, arm: &str| {
        a.overhead
            .iter()
            .find(|o| o.workload == w && o.metric == m && o.platform == arm)
            .unwrap_or_else(|| panic!("no comparison {w} {m} {arm}"))
    };
    let say = |w: &str, m: &str, arm: &str| virtperf::report::finding(row(w, m, arm), w);
    assert_eq!(
        say("sysbench.cpu", "events_per_sec", "qemu"),
        "qemu on sysbench.cpu: events_per_sec -88.0% [-93.0%, -83.0%] against native (12.00 vs 100.0 \
         events/s, 3 and 3 runs), 8.33 [5.89, 14.2] times the time per event: slower (with warnings: high_cv)."
    );
    assert_eq!(
        say("sysbench.cpu", "events_per_sec", "docker"),
        "docker on sysbench.cpu: events_per_sec +100.0% [+87.6%, +112.4%] against native (200.0 vs 100.0 \
         events/s, 3 and 3 runs), 0.500 [0.471, 0.533] times the time per event: faster."
    );
    assert_eq!(
        say("sysbench.cpu", "events_per_sec", "kvm"),
        "kvm on sysbench.cpu: events_per_sec 0.0% [-24.8%, +24.8%] against native (100.0 vs 100.0 events/s, \
         3 and 3 runs), 1.00 [0.801, 1.33] times the time per event: no significant difference (with \
         warnings: high_cv)."
    );
    assert_eq!(
        say("sysbench.cpu", "latency_avg_ms", "qemu"),
        "qemu on sysbench.cpu: latency_avg_ms +120.0% [+70.3%, +169.7%] against native (2.200 vs 1.000 ms, \
         3 and 3 runs), 2.20 [1.70, 2.70] times native's: slower (with warnings: high_cv)."
    );
    assert_eq!(
        say("sysbench.cpu", "cpu_pct_mean", "qemu"),
        "qemu on sysbench.cpu: cpu_pct_mean -50.0% [-74.8%, -25.2%] against native (50.00 vs 100.0 %, 3 and \
         3 runs), 0.500 [0.252, 0.748] times native's: uses less (with warnings: high_cv)."
    );
    assert_eq!(
        say("fio.randread", "kb_rd_per_sec_mean", "qemu"),
        "qemu on fio.randread: kb_rd_per_sec_mean +60.3% (interval unbounded) against native (31.00 vs 19.33 \
         KiB/s, 3 and 3 runs), 1.60 times native's (interval unbounded): no verdict: baseline \
         indistinguishable from zero."
    );
    assert_eq!(
        say("fio.randread", "majflt_per_sec_mean", "qemu"),
        "qemu on fio.randread: majflt_per_sec_mean cannot be compared with native (2.000 vs 0 faults/s, 3 and \
         3 runs): no verdict: baseline indistinguishable from zero."
    );
    assert_eq!(
        say("wrk", "requests_per_sec", "qemu"),
        "qemu on wrk: requests_per_sec -88.0% [-93.0%, -83.0%] against native (12.00 vs 100.0 requests/s, 3 \
         and 3 runs), 8.33 [5.89, 14.2] times the time per request: not judged: log_errors (with warnings: \
         high_cv)."
    );
    assert!(say("wrk", "requests_per_sec", "docker").ends_with("times the time per request: faster."));
    // No resource verdict anywhere says faster or slower.
    for o in a.overhead.iter().filter(|o| o.kind == virtperf::model::Kind::Resource) {
        assert!(!o.verdict.contains("faster") && !o.verdict.contains("slower"), "{o:?}");
    }
}

/// The headline table, the subsystem table and the figures say the same as the sentences: the
/// change, the cost ratio (×8.33: the time per event of the worked example above), "not
/// judged" next to the failed check.
#[test]
fn headline_subsystems_and_figures_use_the_same_words() {
    use virtperf::report::figures::FigureData;
    let built = virtperf::report::build(&report_input(&worked_dataset()));
    let c = &built.context;
    let cells = |label: &str| {
        let row = c.headline.rows.iter().find(|r| r.label == label).expect("headline row");
        c.headline.arms.iter().cloned().zip(row.cells.iter().cloned()).collect::<BTreeMap<_, _>>()
    };
    let cpu = cells("sysbench.cpu");
    assert_eq!(cpu["qemu"].change, "-88.0% [-93.0%, -83.0%]");
    assert_eq!(cpu["qemu"].cost, "×8.33 [5.89, 14.2]");
    assert_eq!(cpu["qemu"].verdict, "slower");
    assert_eq!(cpu["docker"].cost, "×0.500 [0.471, 0.533]");
    let wrk = cells("wrk");
    assert_eq!(wrk["qemu"].verdict, "not judged: log_errors");
    assert_eq!(wrk["docker"].verdict, "faster");
    let wrk_row = c.headline.rows.iter().find(|r| r.label == "wrk").expect("wrk row");
    assert_eq!(wrk_row.failed_checks, "log_errors (qemu)");
    // One workload per subsystem: the geometric mean is that workload's cost ratio.
    let sub = |s: &str, arm: &str| {
        c.subsystems.iter().find(|x| x.subsystem == s && x.platform == arm).expect("subsystem row").clone()
    };
    assert_eq!(sub("cpu", "qemu").cost_ratio, "8.33");
    assert_eq!(sub("cpu", "docker").cost_ratio, "0.500");
    assert_eq!(sub("network", "qemu").workloads, "wrk (not judged)");
    assert_eq!(sub("network", "docker").workloads, "wrk");
    // The headline figure draws the cost ratios, labelled as the table writes them.
    let fig = built.figures.iter().find(|f| f.name == "overhead-primary").expect("headline figure");
    let FigureData::Overhead(d) = &fig.data else { panic!("a bar figure") };
    let labels: Vec<&str> = d.bars.iter().map(|b| b.label.as_str()).collect();
    assert!(labels.contains(&"×8.33") && labels.contains(&"×0.500") && labels.contains(&"×8.33, not judged"));
    assert!(d.bars.iter().any(|b| (b.value - 1.0 / 0.12).abs() < 1e-9));
}

/// The withholding rule is generic: any failed check whose scope concerns a comparison (its
/// workload, params and stratum; its platform or the baseline; every metric unless it names
/// one) withholds that comparison's verdict, whatever the check's name; a warning never does,
/// it is only listed. A check of another check-writer (`work_differs` here, as another
/// developer may add) works without the rule knowing its name.
#[test]
fn a_failed_check_withholds_exactly_the_verdicts_it_concerns() {
    use virtperf::analyse::{analyse, withhold_verdicts, AnalyseConfig, Check, Scope, Severity};
    let a = analyse(&mut worked_dataset(), &AnalyseConfig::default());
    let check = |name: &'static str, severity, scope| Check {
        check: name,
        severity,
        workload: String::new(),
        platform: String::new(),
        detail: String::new(),
        sources: vec![],
        scope,
    };
    let verdicts = |checks: &[Check]| -> BTreeMap<(String, String, String), String> {
        let mut rows = a.overhead.clone();
        withhold_verdicts(&mut rows, checks);
        rows.into_iter().map(|r| ((r.workload, r.metric, r.platform), r.verdict)).collect()
    };
    let before = verdicts(&a.checks);
    let key = |w: &str, m: &str, p: &str| (w.to_string(), m.to_string(), p.to_string());
    assert_eq!(before[&key("sysbench.cpu", "events_per_sec", "qemu")], "slower");
    assert_eq!(before[&key("wrk", "requests_per_sec", "qemu")], "not judged: log_errors");

    // On one platform: every metric of its group, no other platform, no other params set.
    let mut checks = a.checks.clone();
    checks.push(check("work_differs", Severity::Fail, Scope::group("sysbench.cpu", "", "", "qemu")));
    checks.push(check(
        "work_differs",
        Severity::Fail,
        Scope::group("sysbench.cpu", "threads=8", "", "docker"),
    ));
    let after = verdicts(&checks);
    for m in ["events_per_sec", "latency_avg_ms", "cpu_pct_mean"] {
        assert_eq!(after[&key("sysbench.cpu", m, "qemu")], "not judged: work_differs", "{m}");
    }
    assert_eq!(after[&key("sysbench.cpu", "events_per_sec", "docker")], "faster");
    assert_eq!(
        after[&key("fio.randread", "kb_rd_per_sec_mean", "qemu")],
        before[&key("fio.randread", "kb_rd_per_sec_mean", "qemu")]
    );

    // On the baseline: every platform compared with it on that workload; two failed checks
    // are both named, in order.
    let mut checks = a.checks.clone();
    checks.push(check("work_differs", Severity::Fail, Scope::group("wrk", "", "", "native")));
    let after = verdicts(&checks);
    assert_eq!(after[&key("wrk", "requests_per_sec", "docker")], "not judged: work_differs");
    assert_eq!(after[&key("wrk", "requests_per_sec", "qemu")], "not judged: log_errors, work_differs");

    // Narrowed to one metric; and a warning, which leaves every verdict as it was.
    let mut checks = a.checks.clone();
    checks.push(check(
        "units_differ",
        Severity::Fail,
        Scope::group("sysbench.cpu", "", "", "qemu").metric("latency_avg_ms"),
    ));
    checks.push(check("drift", Severity::Warning, Scope::workload("fio.randread", "", "qemu")));
    let mut rows = a.overhead.clone();
    withhold_verdicts(&mut rows, &checks);
    let find = |w: &str, m: &str| {
        rows.iter().find(|r| r.workload == w && r.metric == m && r.platform == "qemu").expect("row")
    };
    assert_eq!(find("sysbench.cpu", "latency_avg_ms").verdict, "not judged: units_differ");
    assert_eq!(find("sysbench.cpu", "events_per_sec").verdict, "slower");
    let kb = find("fio.randread", "kb_rd_per_sec_mean");
    assert_eq!(kb.verdict, before[&key("fio.randread", "kb_rd_per_sec_mean", "qemu")]);
    assert_eq!(kb.warning_checks, ["drift"]);
    // A check that names no workload concerns no comparison in particular.
    let mut checks = a.checks.clone();
    checks.push(check("unreadable", Severity::Fail, Scope::none()));
    assert_eq!(verdicts(&checks), before);
}

/// The kind of a metric is declared where the metric is made and travels with it: `ingest`
/// writes it in a `kind` column (pidstat's metrics and fio's CPU, context-switch and disk-use
/// numbers are resources; fio's IOPS and latencies performance), `analyse` reads it back, and a
/// table written before the column existed gets the kinds the parsers declare. A word that is
/// not a kind is an error naming the row.
#[test]
fn metric_kinds_travel_through_the_tidy_table() {
    let tmp = tempfile::tempdir().expect("tmp");
    let table = tmp.path().join("metrics.csv");
    let input = root().join("sample-data/native/fio-randread");
    virtperf().arg("ingest").arg(&input).arg("--out").arg(&table).arg("-q").assert().code(0);
    let rows = csv_rows(&table);
    let kind_of = |tool: &str, metric: &str| -> String {
        let r = rows.iter().find(|r| r["tool"] == tool && r["metric"] == metric);
        r.unwrap_or_else(|| panic!("no {tool} {metric}"))["kind"].clone()
    };
    assert_eq!(kind_of("fio", "read_iops"), "performance");
    assert_eq!(kind_of("fio", "read_clat_p99_us"), "performance");
    assert_eq!(kind_of("fio", "cpu_usr_pct"), "resource");
    assert_eq!(kind_of("fio", "ctx_switches"), "resource");
    for r in rows.iter().filter(|r| r["tool"] == "pidstat") {
        assert_eq!(r["kind"], "resource", "{}", r["metric"]);
    }
    assert!(rows.iter().any(|r| r["tool"] == "pidstat" && r["metric"] == "kb_rd_per_sec_mean"));
    let kinds: BTreeMap<String, String> =
        rows.iter().map(|r| (r["metric"].clone(), r["kind"].clone())).collect();

    // The same table without its `kind` column, as an older virtperf wrote it.
    let rewrite = |path: &Path, kind: Option<&str>| {
        let mut r = csv::Reader::from_path(&table).expect("table");
        let headers = r.headers().expect("headers").clone();
        let at = headers.iter().position(|h| h == "kind").expect("a kind column");
        let mut w = csv::Writer::from_path(path).expect("write");
        let keep = |rec: &csv::StringRecord| -> Vec<String> {
            rec.iter()
                .enumerate()
                .filter_map(|(i, v)| match (i == at, kind) {
                    (false, _) => Some(v.to_string()),
                    (true, None) => None,
                    (true, Some(k)) => Some(if v == "resource" { k.to_string() } else { v.to_string() }),
                })
                .collect()
        };
        w.write_record(keep(&headers)).expect("header");
        for rec in r.records() {
            w.write_record(keep(&rec.expect("record"))).expect("record");
        }
        w.flush().expect("flush");
    };
    let old = tmp.path().join("old.csv");
    rewrite(&old, None);
    let out = tmp.path().join("a");
    virtperf().arg("analyse").arg(&old).arg("--out").arg(&out).arg("-q").assert().code(0);
    let summary = csv_rows(&out.join("summary.csv"));
    assert!(!summary.is_empty());
    for r in &summary {
        assert_eq!(r["kind"], kinds[&r["metric"]], "{}", r["metric"]);
    }

    // A word that is not a kind.
    let bad = tmp.path().join("bad.csv");
    rewrite(&bad, Some("speed"));
    virtperf()
        .arg("analyse")
        .arg(&bad)
        .arg("--out")
        .arg(tmp.path().join("b"))
        .arg("-q")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("'kind' must be performance or resource, not 'speed'"));
}

/// What the parsers declare travels through the tidy table: `analyse` of a table gives the
/// primary metrics, subsystems and checks of the raw files (`role`, `subsystem`, `primary`,
/// `time_limit` columns; sample-data has paired and host-side pidstat logs, the fixtures
/// time-limited sysbench runs that stalled), and a table written before those columns existed
/// (here: the same table without them, and without `kind`) gets them again from the parsers,
/// with the same analysis to the byte.
#[test]
fn declarations_travel_through_the_tidy_table() {
    let tmp = tempfile::tempdir().expect("tmp");
    for (name, input) in [("sample", root().join("sample-data")), ("fixtures", fixture(""))] {
        let table = tmp.path().join(format!("{name}.csv"));
        // (The fixtures hold files that are refused on purpose: exit status 1.)
        let _ = virtperf().arg("ingest").arg(&input).arg("--out").arg(&table).arg("-q").assert();
        let rows = csv_rows(&table);
        // One primary row per run that declares one, never on a host-side log's row.
        let mut primaries: BTreeMap<(String, String), usize> = BTreeMap::new();
        for r in rows.iter().filter(|r| r["primary"] == "true") {
            *primaries.entry((r["source"].clone(), r["run"].clone())).or_default() += 1;
            assert!(!r["metric"].starts_with("host_"), "{r:?}");
        }
        assert!(primaries.values().all(|&n| n == 1), "{primaries:?}");
        assert!(!primaries.is_empty());
        for r in &rows {
            assert_eq!(r["role"] == "monitor", r["tool"] == "pidstat", "{r:?}");
        }
        // The same table as a virtperf before the declaration columns wrote it.
        let old = tmp.path().join(format!("{name}-old.csv"));
        let mut reader = csv::Reader::from_path(&table).expect("table");
        let headers = reader.headers().expect("headers").clone();
        let keep: Vec<usize> = (0..headers.len())
            .filter(|&i| {
                !matches!(
                    &headers[i],
                    "kind" | "role" | "subsystem" | "primary" | "percentile_of" | "percentile" | "time_limit"
                )
            })
            .collect();
        let mut w = csv::Writer::from_path(&old).expect("write");
        w.write_record(keep.iter().map(|&i| &headers[i])).expect("header");
        for rec in reader.records() {
            let rec = rec.expect("record");
            w.write_record(keep.iter().map(|&i| &rec[i])).expect("record");
        }
        w.flush().expect("flush");
        let analyse = |what: &Path, out: &str| {
            let out = tmp.path().join(out);
            let _ = virtperf().arg("analyse").arg(what).arg("--out").arg(&out).arg("-q").assert();
            out
        };
        let (raw, new, old) = (
            analyse(&input, &format!("{name}-a-raw")),
            analyse(&table, &format!("{name}-a-new")),
            analyse(&old, &format!("{name}-a-old")),
        );
        for f in ["summary.csv", "overhead.csv", "checks.csv", "subsystems.csv"] {
            let (o, n) = (read(&old.join(f)), read(&new.join(f)));
            let differ: Vec<(&str, &str)> =
                o.lines().zip(n.lines()).filter(|(a, b)| a != b).take(3).collect();
            assert!(o == n, "{name}: {f} of the old table differs: {differ:?}");
        }
        // The raw files' primary metrics and subsystems are the table's.
        let key = |r: &BTreeMap<String, String>| {
            [&r["workload"], &r["params"], &r["metric"], &r["platform"], &r["primary"]].map(|s| s.to_string())
        };
        let primary_rows = |dir: &Path| -> Vec<[String; 5]> {
            csv_rows(&dir.join("summary.csv")).iter().filter(|r| r["primary"] == "true").map(key).collect()
        };
        assert_eq!(primary_rows(&raw), primary_rows(&new), "{name}");
        assert!(!primary_rows(&raw).is_empty());
        assert_eq!(read(&raw.join("subsystems.csv")), read(&new.join("subsystems.csv")), "{name}");
        let checks = |dir: &Path| -> Vec<String> {
            // (A table lists no unreadable file, and keeps no path word for `mixed_labels`. Nor
            // does `Dataset::from_table` count as `unlabelled` the file of a failed run without
            // metrics (the fixtures' tests/fixtures/iperf3/refused.json): it skips a row
            // without a value before it notes its label; src/analyse.rs is not this branch's to
            // change.)
            let rows = csv_rows(&dir.join("checks.csv"));
            let skipped = |check: &str| {
                matches!(check, "unreadable" | "mixed_labels")
                    || (name == "fixtures" && check == "unlabelled")
            };
            let kept = rows.iter().filter(|r| !skipped(&r["check"]));
            kept.map(|r| format!("{} {}", r["check"], r["detail"])).collect()
        };
        assert_eq!(checks(&raw), checks(&new), "{name}");
    }
}

/// `virtperf analyse` prints each primary comparison as the report does: the change and the
/// cost ratio (the hand computation of `headline_change_matches_a_hand_computation`: -23.8%,
/// 1 / 0.76197 = 1.31), and the withheld verdict.
#[test]
fn analyse_prints_change_and_cost_ratio() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = virtperf()
        .arg("analyse")
        .arg(xss_fixture())
        .arg("--out")
        .arg(tmp.path().join("a"))
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf-8");
    let line = text.lines().find(|l| l.trim_start().starts_with("wrk ")).expect("a wrk line");
    assert!(line.contains("docker: requests_per_sec -23.8% ["), "{line}");
    assert!(line.contains(", x1.31 [") && line.ends_with("-> not judged: log_errors"), "{line}");
}

// -----------------------------------------------------------------------------------------------
// Factors and the paper table

/// The mean of each key's values.
fn means(values: &BTreeMap<(String, String), Vec<f64>>) -> BTreeMap<(String, String), f64> {
    values.iter().map(|(k, v)| (k.clone(), v.iter().sum::<f64>() / v.len() as f64)).collect()
}

/// The number after `label` on the first line of `text` that holds it (`total time:  5.7677s`).
fn number_after(text: &str, label: &str) -> f64 {
    let line = text.lines().find(|l| l.contains(label)).unwrap_or_else(|| panic!("no '{label}' in {text}"));
    let rest = &line[line.find(label).expect("label") + label.len()..];
    let num: String = rest.trim().chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    num.parse().unwrap_or_else(|e| panic!("'{line}': {e}"))
}

/// The report's context.json of `input` (a report written with `--dump-context`).
fn context_of(input: &Path, out: &Path) -> serde_json::Value {
    let code = report(&[input.to_str().expect("utf-8"), "--dump-context"], out);
    assert_eq!(code, 0, "report of {}", input.display());
    serde_json::from_str(&read(&out.join("context.json"))).expect("context.json")
}

/// The (workload, factor, source) of every factor a report found.
fn factors_found(ctx: &serde_json::Value) -> Vec<(String, String, String)> {
    ctx["factors"]["factors"]
        .as_array()
        .expect("factors")
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().expect(k).to_string();
            (s("workload"), s("factor"), s("source"))
        })
        .collect()
}

/// A stranger's thread sweep (sysbench 0.4 cpu and fileio at 1, 2 and 8 threads, on docker and
/// qemu, five runs each, several runs per file): `threads` is found as the one factor of both
/// workloads, and the ratio the headline gives for it is the one worked out here from the raw
/// logs (events/s = total number of events / total time per run; per platform the largest
/// mean over the thread counts divided by the smallest; the largest of those).
#[test]
fn factors_are_found_in_a_real_thread_sweep_and_the_largest_ratio_is_the_raw_one() {
    let Some(realdata) = realdata() else { return };
    let dir = realdata.join("amandarito__coen241-hw1");
    let tmp = tempfile::tempdir().expect("tmp");
    let ctx = context_of(&dir, &tmp.path().join("r"));
    let wp = "workload parameter".to_string();
    assert_eq!(
        factors_found(&ctx),
        vec![
            ("sysbench.cpu".to_string(), "threads".to_string(), wp.clone()),
            ("sysbench.fileio".to_string(), "threads".to_string(), wp)
        ]
    );
    let cpu = &ctx["factors"]["factors"][0];
    assert_eq!(cpu["levels"], serde_json::json!(["1", "2", "8"]), "numeric order");
    assert_eq!(cpu["metric"], "events_per_sec");

    // The raw logs: one run per `sysbench 0.4.12` banner.
    let mut values: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
    for platform in ["docker", "qemu"] {
        let text = read(&dir.join(format!("{platform}_cpu_test.txt")));
        for run in text.split("sysbench 0.4.12:").skip(1) {
            let threads = number_after(run, "Number of threads:").to_string();
            let eps = number_after(run, "total number of events:") / number_after(run, "total time:");
            values.entry((platform.to_string(), threads)).or_default().push(eps);
        }
    }
    assert_eq!(values.values().map(Vec::len).sum::<usize>(), 30, "{values:?}");
    let m = means(&values);
    let ratio_on = |platform: &str| {
        let on: Vec<f64> = m.iter().filter(|((p, _), _)| p == platform).map(|(_, v)| *v).collect();
        on.iter().copied().fold(f64::MIN, f64::max) / on.iter().copied().fold(f64::MAX, f64::min)
    };
    let (docker, qemu) = (ratio_on("docker"), ratio_on("qemu"));
    let (best, on) = if docker >= qemu { (docker, "docker") } else { (qemu, "qemu") };
    let got = cpu["moves_ratio"].as_f64().expect("a ratio");
    assert!(
        (got - best).abs() <= 1e-9 * best,
        "moves_ratio {got}, raw {best} (docker {docker}, qemu {qemu})"
    );
    let shown = format!("{best:.2}");
    let sentence = ctx["factors"]["sentences"][0].as_str().expect("a sentence");
    assert!(
        sentence.starts_with(&format!(
            "sysbench.cpu: of its factors, threads moves events_per_sec most: its largest mean is {shown} times its smallest"
        )) && sentence.contains(&format!(" on {on} (")),
        "{sentence}"
    );
    let md = read_md(&tmp.path().join("r"));
    assert!(md.contains(&format!("- {sentence}")), "the headline states it");
    assert!(md.contains("### sysbench.cpu: events_per_sec against threads"));
    assert!(tmp.path().join("r/figures/factor-sysbench-cpu-threads.svg").is_file());
}

/// The raw events/s of the docker-cpus campaign, by (platform folder, workload folder).
fn docker_cpus_raw() -> BTreeMap<(String, String), Vec<f64>> {
    let dir = fixture("campaigns/docker-cpus");
    let mut values: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
    for platform in ["native", "docker-cpus=1", "docker-cpus=2"] {
        for workload in ["cpu-threads=1", "cpu-threads=2", "memory"] {
            for rep in 1..=3 {
                let text = read(&dir.join(format!("{platform}/{workload}/rep{rep}.txt")));
                let label = if workload == "memory" { "MiB transferred" } else { "events per second:" };
                let v = if workload == "memory" {
                    // `102400.00 MiB transferred (10229.28 MiB/sec)`: the rate in brackets.
                    let line = text.lines().find(|l| l.contains(label)).expect("MiB line");
                    let inside = &line[line.find('(').expect("(") + 1..];
                    inside.split_whitespace().next().expect("rate").parse().expect("number")
                } else {
                    number_after(&text, label)
                };
                values.entry((platform.to_string(), workload.to_string())).or_default().push(v);
            }
        }
    }
    values
}

/// A real campaign with a platform matrix (docker cpus 1 and 2) and a workload matrix (threads
/// 1 and 2), made by `virtperf run` (tests/fixtures/campaigns): `cpus` is found as a platform
/// setting of both workloads from the manifest, with one line per other factor, `threads` as a
/// parameter with one line per platform; each line's ratio is the raw one.
#[test]
fn platform_factors_of_a_real_matrix_campaign_are_drawn_per_line() {
    let tmp = tempfile::tempdir().expect("tmp");
    let ctx = context_of(&fixture("campaigns/docker-cpus"), &tmp.path().join("r"));
    let (ps, wp) = ("platform setting".to_string(), "workload parameter".to_string());
    let s = |x: &str| x.to_string();
    assert_eq!(
        factors_found(&ctx),
        vec![
            (s("sysbench.cpu"), s("cpus"), ps.clone()),
            (s("sysbench.cpu"), s("threads"), wp),
            (s("sysbench.memory"), s("cpus"), ps)
        ]
    );
    let m = means(&docker_cpus_raw());
    let at = |p: &str, w: &str| m[&(p.to_string(), w.to_string())];
    let ratio = |a: f64, b: f64| a.max(b) / a.min(b);
    let lines = |i: usize| -> Vec<(String, String)> {
        ctx["factors"]["factors"][i]["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .map(|l| {
                (
                    l["line"].as_str().expect("line").to_string(),
                    l["ratio"].as_str().expect("ratio").to_string(),
                )
            })
            .collect()
    };
    let shown = |r: f64| {
        let digits = (2 - r.log10().floor() as i32).max(0) as usize;
        format!("×{r:.digits$}")
    };
    let (d1, d2) = ("docker-cpus=1", "docker-cpus=2");
    let cpus_t1 = ratio(at(d1, "cpu-threads=1"), at(d2, "cpu-threads=1"));
    let cpus_t2 = ratio(at(d1, "cpu-threads=2"), at(d2, "cpu-threads=2"));
    assert_eq!(
        lines(0),
        vec![(s("docker, threads=1"), shown(cpus_t1)), (s("docker, threads=2"), shown(cpus_t2))]
    );
    let got = ctx["factors"]["factors"][0]["moves_ratio"].as_f64().expect("ratio");
    let want = cpus_t1.max(cpus_t2);
    assert!((got - want).abs() <= 1e-9 * want, "{got} vs {want}");
    let threads = |p: &str| ratio(at(p, "cpu-threads=1"), at(p, "cpu-threads=2"));
    assert_eq!(
        lines(1),
        vec![
            (s("native"), shown(threads("native"))),
            (s("docker-cpus=1[cpus1]"), shown(threads(d1))),
            (s("docker-cpus=2[cpus2]"), shown(threads(d2)))
        ],
        "the baseline first"
    );
    assert_eq!(lines(2), vec![(s("docker"), shown(ratio(at(d1, "memory"), at(d2, "memory"))))]);
    let fig = read(&tmp.path().join("r/figures/factor-sysbench-cpu-cpus.svg"));
    assert!(fig.contains("docker, threads=1 (mean)"), "the legend names the lines");
    // Every figure is inline in report.html, those whose title holds `[threads=1]` too.
    let html = read(&tmp.path().join("r/report.html"));
    let figures = figure_names(&tmp.path().join("r"));
    assert_eq!(figures.len(), 10, "{figures:?}");
    for name in &figures {
        assert!(html.contains(&format!("id=\"fig-{name}\"")), "{name} is not inline in report.html");
    }
}

/// The paper table of the docker-cpus campaign: per benchmark the baseline's mean and each
/// arm's change, worked out here from the raw outputs (mean / native's mean - 1), with the
/// interval of the overhead row (Fieller's, as overhead.csv gives it); the same in
/// paper_table.csv.
#[test]
fn paper_table_cells_are_the_raw_changes_with_the_overhead_intervals() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("r");
    assert_eq!(report(&[fixture("campaigns/docker-cpus").to_str().expect("utf-8")], &out), 0);
    let m = means(&docker_cpus_raw());
    let overhead = csv_rows(&out.join("overhead.csv"));
    let paper = csv_rows(&out.join("paper_table.csv"));
    let md = read_md(&out);
    let table: Vec<Vec<String>> = md[md.find("## Paper table").expect("section")..]
        .lines()
        .skip_while(|l| !l.starts_with("| Benchmark"))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| l.trim_matches('|').split(" | ").map(|c| c.trim().to_string()).collect())
        .collect();
    let benchmarks = [
        ("sysbench.cpu [threads=1]", "cpu-threads=1", "threads=1"),
        ("sysbench.cpu [threads=2]", "cpu-threads=2", "threads=2"),
        ("sysbench.memory", "memory", ""),
    ];
    assert_eq!(table.len(), 3, "{table:?}");
    let pct1 = |v: f64| {
        let r = (v * 10.0).round() / 10.0;
        if r == 0.0 {
            "0.0".to_string()
        } else {
            format!("{r:+.1}")
        }
    };
    for (i, (label, folder, params)) in benchmarks.iter().enumerate() {
        let row = &table[i];
        assert_eq!(row[0], *label);
        let base = m[&("native".to_string(), folder.to_string())];
        assert_eq!(row[2], virtperf_num(base), "{label}: native's mean");
        let csv = &paper[i];
        assert_eq!(&csv["benchmark"], label);
        for (j, arm) in ["docker-cpus=1[cpus1]", "docker-cpus=2[cpus2]"].iter().enumerate() {
            let platform = arm.split('[').next().expect("platform");
            let change = (m[&(platform.to_string(), folder.to_string())] / base - 1.0) * 100.0;
            let o = overhead
                .iter()
                .find(|o| {
                    o["platform"] == *arm
                        && label.starts_with(o["workload"].as_str())
                        && (params.is_empty() || o["params"].split(';').any(|p| p == *params))
                        && o["primary"] == "true"
                })
                .unwrap_or_else(|| panic!("no overhead row for {arm} {label}"));
            let interval = match (o["change_ci_low_pct"].as_str(), o["change_ci_high_pct"].as_str()) {
                ("", _) | (_, "") => " (interval unbounded)".to_string(),
                (l, h) => format!(" [{}, {}]", pct1(l.parse().expect("low")), pct1(h.parse().expect("high"))),
            };
            let want = format!("{}%{interval}", pct1(change));
            assert_eq!(row[3 + j], want, "{label} on {arm}");
            assert_eq!(csv[*arm], want);
            let got: f64 = csv[&format!("{arm} change_pct")].parse().expect("change_pct");
            assert!((got - change).abs() <= 1e-9 * change.abs().max(1.0), "{label} {arm}: {got} vs {change}");
        }
    }
}

/// A value as the report writes it: 4 significant digits (no exponent for these values).
fn virtperf_num(v: f64) -> String {
    let digits = (3 - v.abs().log10().floor() as i32).max(0) as usize;
    format!("{v:.digits$}")
}

/// The paper table of the worked example: the changes and intervals worked out by hand there
/// (qemu on sysbench.cpu -88.0% [-93.0%, -83.0%], docker +100.0% [+87.6%, +112.4%], kvm 0.0%
/// [-24.8%, +24.8%]), and wrk on qemu withheld by its failed log_errors check while docker's
/// stands; kvm ran no wrk ("no runs").
#[test]
fn paper_table_withholds_what_a_failed_check_withholds() {
    let built = virtperf::report::build(&report_input(&worked_dataset()));
    let t = &built.context.paper_table;
    assert_eq!(
        (t.baseline.as_str(), t.arms.clone()),
        ("native", vec!["docker".to_string(), "kvm".into(), "qemu".into()])
    );
    let row = |b: &str| {
        let r = t.rows.iter().find(|r| r.benchmark == b).unwrap_or_else(|| panic!("no row {b}"));
        (r.baseline_value.clone(), r.cells.iter().map(|c| c.text.clone()).collect::<Vec<_>>())
    };
    assert_eq!(
        row("sysbench.cpu"),
        (
            "100.0".to_string(),
            vec![
                "+100.0% [+87.6, +112.4]".to_string(),
                "0.0% [-24.8, +24.8]".into(),
                "-88.0% [-93.0, -83.0]".into()
            ]
        )
    );
    assert_eq!(
        row("wrk"),
        (
            "100.0".to_string(),
            vec!["+100.0% [+87.6, +112.4]".to_string(), "no runs".into(), "withheld: log_errors".into()]
        )
    );
    assert!(built.context.factors.factors.is_empty(), "nothing was varied");
    assert!(built.context.factors.sentences.is_empty());
}

/// With `--group-by family` the docker platforms of the matrix are one arm (`container`), which
/// has no one value of `cpus`: no platform factor is drawn for it, while `threads` (a
/// parameter) still is, one line per family.
#[test]
fn pooled_platforms_have_no_platform_factors() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("r");
    let input = fixture("campaigns/docker-cpus");
    let code = report(&[input.to_str().expect("utf-8"), "--group-by", "family", "--dump-context"], &out);
    assert_eq!(code, 0);
    let ctx: serde_json::Value =
        serde_json::from_str(&read(&out.join("context.json"))).expect("context.json");
    let s = |x: &str| x.to_string();
    assert_eq!(factors_found(&ctx), vec![(s("sysbench.cpu"), s("threads"), s("workload parameter"))]);
    let lines: Vec<&str> = ctx["factors"]["factors"][0]["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| l["line"].as_str().expect("line"))
        .collect();
    assert_eq!(lines, ["native", "container"]);
}

/// Appendix A gives each group's precision reached (the interval's half-width in percent of
/// the mean, what a plan's `precision_pct` asks for), as summary.csv's interval and mean give
/// it by hand: for every row, (ci_high - ci_low) / 2 / |mean| * 100 to one decimal.
#[test]
fn appendix_a_gives_the_precision_reached() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("r");
    assert_eq!(report(&[root().join("sample-data").to_str().expect("utf-8")], &out), 0);
    let md = read(&out.join("report-details.md"));
    let header = md.lines().find(|l| l.starts_with("| Workload | Metric | Unit |")).expect("appendix A");
    let cols: Vec<&str> = header.split('|').map(str::trim).collect();
    let at = |name: &str| cols.iter().position(|c| *c == name).unwrap_or_else(|| panic!("{name}: {header}"));
    let (mean_col, precision_col) = (at("Mean"), at("Precision"));
    let mut checked = 0;
    for s in csv_rows(&out.join("summary.csv")) {
        let (Ok(lo), Ok(hi), Ok(mean)) =
            (s["ci_low"].parse::<f64>(), s["ci_high"].parse::<f64>(), s["mean"].parse::<f64>())
        else {
            continue;
        };
        if mean == 0.0 || s["workload"] != "sysbench.cpu" || s["metric"] != "events_per_sec" {
            continue;
        }
        let want = format!("±{:.1}%", (hi - lo) / 2.0 / mean.abs() * 100.0);
        let row = md
            .lines()
            .find(|l| {
                l.starts_with("| sysbench.cpu |")
                    && l.contains(&format!("| {} ● |", s["metric"]))
                    && l.contains(&format!("| {} |", s["platform"]))
            })
            .unwrap_or_else(|| panic!("no row for {s:?}"));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        assert!(!cells[mean_col].is_empty());
        assert_eq!(cells[precision_col], want, "{row}");
        checked += 1;
    }
    assert_eq!(checked, 3, "sysbench.cpu on three platforms");
}

/// The containers-vs-VMs study (four arms): the compact headline table, one line per platform,
/// is its own Markdown block after the per-platform sentences (it was glued to the last bullet,
/// which makes it part of the list item), and a comparison whose 95% interval excludes ×1 but
/// whose Holm-adjusted p-value does not reach 0.05 reads "not significant after adjusting for 23
/// comparisons", not "no significant difference" beside an interval that says otherwise.
#[test]
fn many_arms_headline_is_a_table_and_adjusted_verdicts_say_so() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("r");
    let input = root().join("sample-studies/containers-vs-vms-paper");
    report(&[input.to_str().expect("utf-8")], &out);
    let md = read(&out.join("report.md"));
    let lines: Vec<&str> = md.lines().collect();
    let table = lines.iter().position(|l| l.starts_with("| Workload |")).expect("a headline table");
    assert_eq!(lines[table - 1], "", "{}", lines[table - 2..table + 1].join("\n"));
    let iperf = lines
        .iter()
        .find(|l| l.contains("iperf3.tcp") && l.contains("networkbridge"))
        .expect("iperf3 on docker with NAT");
    assert!(
        iperf.ends_with("| ×1.94 [1.23, 3.56]: not significant after adjusting for 23 comparisons |"),
        "{iperf}"
    );
    let overhead = csv_rows(&out.join("overhead.csv"));
    let row = overhead
        .iter()
        .find(|r| {
            r["workload"] == "iperf3.tcp" && r["platform"].contains("networkbridge") && r["primary"] == "true"
        })
        .expect("the overhead row");
    assert_eq!(row["verdict"], "no significant difference", "the table's verdict is unchanged");
    let p: f64 = row["p_adjusted"].parse().expect("p_adjusted");
    assert!(p >= 0.05, "{p}");
}

/// The value of `key` in a section label such as `sysbench.threads [threads=16]`, as a number:
/// sizes (`4KiB`, `8MiB`) in bytes, read here with their unit.
fn label_value(label: &str, key: &str) -> Option<f64> {
    let v = label.split(&format!("{key}=")).nth(1)?;
    let v = v.split([',', ']']).next()?;
    let digits = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let unit = match &v[digits..] {
        "" => 1.0,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        other => panic!("unit {other} in {label}"),
    };
    Some(v[..digits].parse::<f64>().ok()? * unit)
}

/// A sweep reads in the order of its values, in the headline table and the workload sections
/// alike: threads 1, 2, 4, 8, 16 (not 1, 16, 2, ...), cpu-max-prime 5000 before 10000, memory
/// blocks 1KiB before 1MiB before 8MiB. On the automated-pidstat study's campaign, whose plan
/// sweeps all three.
#[test]
fn sweeps_read_in_the_order_of_their_values() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("r");
    report(&[root().join("sample-studies/automated-pidstat").to_str().expect("utf-8")], &out);
    let md = read(&out.join("report.md"));
    let details = read(&out.join("report-details.md"));
    let headline: Vec<&str> = md.lines().filter(|l| l.starts_with("| [")).collect();
    let sections: Vec<&str> = details.lines().filter(|l| l.starts_with("### <a id=")).collect();
    for (workload, key, n) in [
        ("sysbench.threads", "threads", 5),
        ("sysbench.cpu", "cpu-max-prime", 5),
        ("sysbench.memory", "memory-block-size", 5),
    ] {
        for (what, lines) in [("headline", &headline), ("sections", &sections)] {
            let values: Vec<f64> = lines
                .iter()
                .filter(|l| l.contains(&format!("{workload} [")))
                .filter_map(|l| label_value(l, key))
                .collect();
            assert_eq!(values.len(), n, "{what}: {workload}: {lines:?}");
            assert!(
                values.windows(2).all(|w| w[0] < w[1]),
                "{what}: {workload} {key} out of order: {values:?}"
            );
        }
    }
}

/// A check about a whole workload (here params_differ: the baseline campaign ran none of the
/// other's sysbench.cpu parameter sets) is listed once, in the first of the workload's
/// sections; the others say where, with a link to an anchor that exists.
#[test]
fn a_check_about_a_whole_workload_is_said_once() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("r");
    let (a, b) = (root().join("sample-data"), root().join("sample-studies/qemu-docker-sysbench"));
    virtperf().arg("compare").arg(&a).arg(&b).arg("--out").arg(&out).arg("-q").assert().code(0);
    let details = read(&out.join("report-details.md"));
    let sections: Vec<(&str, &str)> = details
        .split("\n### <a id=\"")
        .skip(1)
        .map(|s| s.split_once("\"></a>").expect("an anchor"))
        .collect();
    let native: Vec<&(&str, &str)> = sections
        .iter()
        .filter(|(_, s)| {
            s.starts_with("sysbench.cpu [") && s.lines().next().unwrap_or("").ends_with("(native)")
        })
        .collect();
    assert!(native.len() > 1, "sysbench.cpu has several parameter sets: {}", native.len());
    let said: Vec<usize> = (0..native.len())
        .filter(|&i| native[i].1.contains("- warning params_differ") && native[i].1.contains("about all"))
        .collect();
    assert_eq!(said, [0], "said in the first section only");
    for (id, body) in &native[1..] {
        let at =
            body.find("is listed once, in [the first of them](#").unwrap_or_else(|| panic!("{id}: {body}"));
        let target = body[at..].split("(#").nth(1).and_then(|t| t.split(')').next()).expect("an anchor");
        assert_eq!(target, native[0].0, "{id} points at the first section");
        assert!(!body.contains("- warning params_differ"), "{id} repeats the check");
    }
}

/// A campaign that did not run a workload says "no runs" in its cell, as the baseline's column
/// does, in report.md, the details' headline table, the paper table and the LaTeX tables; it
/// was an empty cell. Three committed campaigns: only four-platforms ran cmd.forksum.
#[test]
fn a_campaign_without_runs_of_a_workload_says_no_runs() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("r");
    let campaigns = ["sample-data", "sample-studies/four-platforms", "sample-studies/qemu-docker-sysbench"];
    let mut cmd = virtperf();
    cmd.arg("compare").args(campaigns.iter().map(|c| root().join(c))).arg("--out").arg(&out);
    cmd.args(["-q", "--latex"]).assert().code(0);
    let md = read(&out.join("report.md"));
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| [cmd.forksum")).collect();
    assert!(!rows.is_empty(), "cmd.forksum in the headline");
    for r in &rows {
        let cells: Vec<&str> = r.trim_end_matches('|').split(" | ").map(str::trim).collect();
        // Workload, metric, baseline, four-platforms, qemu-docker-sysbench.
        assert_eq!(cells[2..], ["no runs", "not compared", "no runs"], "{r}");
    }
    let details = read(&out.join("report-details.md"));
    for line in details.lines().filter(|l| l.starts_with("| cmd.forksum")) {
        assert!(!line.contains("|  |  |  |  |"), "an empty arm in {line}");
    }
    for tex in ["headline.tex", "paper_table.tex"] {
        let t = read(&out.join("figures").join(tex));
        for line in t.lines().filter(|l| l.starts_with("cmd.forksum")) {
            assert!(line.trim_end_matches(" \\\\").ends_with("& no runs"), "{tex}: {line}");
        }
    }
}
