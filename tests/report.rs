//! `virtperf report` and `virtperf compare` end to end, on real data: the bundled sample
//! campaign and the fixtures of tests/fixtures/report (real fio and wrk outputs whose job name
//! and URL path are `<script>alert(1)</script>`, made by its make.sh). The HTML is opened in
//! headless Chromium with the network off.

use std::collections::BTreeMap;
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
/// (workload, platform): `[metric, platform, mean, overhead, verdict, failed checks]`, the
/// workload and metric cells of continuation lines filled from the line above.
fn headline_narrow(md: &str) -> BTreeMap<(String, String), Vec<String>> {
    let mut out = BTreeMap::new();
    let (mut workload, mut metric, mut failed) = (String::new(), String::new(), String::new());
    for (_, cells) in headline_lines(md) {
        if !cells[0].is_empty() {
            workload = cells[0].clone();
            metric = cells[1].clone();
            failed = cells[6].clone();
        }
        let platform = cells[2].trim_end_matches(" (baseline)").to_string();
        let row = vec![
            metric.clone(),
            platform.clone(),
            cells[3].clone(),
            cells[4].clone(),
            cells[5].clone(),
            failed.clone(),
        ];
        out.insert((workload.clone(), platform), row);
    }
    out
}

/// `+13.8% [-10.9%, +32.1%]` → (13.8, Some(-10.9), Some(32.1)).
fn parse_overhead(cell: &str) -> (f64, Option<f64>, Option<f64>) {
    let num = |s: &str| s.trim().trim_end_matches('%').parse::<f64>().expect("a percentage");
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
    let md = read(&out.join("report.md"));
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
    let rows = headline_narrow(&md);
    let overhead = csv_rows(&out.join("overhead.csv"));
    let primary: Vec<_> = overhead.iter().filter(|r| r["primary"] == "true").collect();
    assert!(primary.len() >= 10, "5 workloads x 2 platforms: {}", primary.len());
    for r in primary {
        let key = (r["workload"].clone(), r["platform"].clone());
        let cells = rows.get(&key).unwrap_or_else(|| panic!("no headline line for {key:?}"));
        assert_eq!(cells[0].split(' ').next(), Some(r["metric"].as_str()));
        let (o, l, h) = parse_overhead(&cells[3]);
        let f = |k: &str| r[k].parse::<f64>().expect("number");
        assert!((o - f("overhead_pct")).abs() <= 0.051, "{key:?}: {o} vs {}", r["overhead_pct"]);
        if let (Some(l), Some(h)) = (l, h) {
            assert!((l - f("ci_low_pct")).abs() <= 0.051);
            assert!((h - f("ci_high_pct")).abs() <= 0.051);
        }
        assert_eq!(cells[4], r["verdict"]);
    }
    // Every failed check on a workload is named in its headline lines (the bundled campaign
    // has noisy platforms and wrk socket errors in the VM: verdicts to read with those beside).
    let checks = csv_rows(&out.join("checks.csv"));
    assert!(checks.iter().any(|c| c["severity"] == "fail"), "the sample campaign has failed checks");
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
    // Every input file is in the appendix with its sha256.
    let sha = virtperf::ingest::sha256_file(&sample.join("native/wrk/rep1.txt")).expect("sha256");
    assert!(md.contains(&sha), "the appendix lacks the sha256 of native/wrk/rep1.txt");
}

/// One overhead computed by hand from the raw files of tests/fixtures/report/xss/*/wrk.txt:
///
/// native `Requests/sec:` 6369.48, 10339.99, 7730.18 → mean 24439.65 / 3 = 8146.55
/// docker `Requests/sec:` 5617.69, 3683.54, 9321.00 → mean 18622.23 / 3 = 6207.41
/// requests/s is higher-better, so overhead = 1 − 6207.41 / 8146.55 = 1 − 0.76197 = +23.8 %.
#[test]
fn headline_overhead_matches_a_hand_computation() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("r");
    assert_eq!(report(&[xss_fixture().to_str().expect("utf-8")], &out), 0);
    let md = read(&out.join("report.md"));
    let rows = headline(&md);
    let wrk = &rows["wrk"];
    assert_eq!(wrk[2].split(' ').next(), Some("8147"), "native mean");
    assert_eq!(wrk[3].split(' ').next(), Some("6207"), "docker mean");
    let (o, _, _) = parse_overhead(&wrk[4]);
    assert_eq!(o, 23.8);
    assert!(md.contains(
        "docker costs 23.8% more than native on wrk requests_per_sec (6207 vs 8147 requests/s, 3 and 3 runs)"
    ));
}

/// The headline section of the Markdown renderer, on the fixture (numbers from real fio and wrk).
#[test]
fn markdown_headline_snapshot() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("r");
    report(&[xss_fixture().to_str().expect("utf-8")], &out);
    let md = read(&out.join("report.md"));
    let start = md.find("## Headline").expect("headline");
    let end = md.find("- docker costs").expect("findings");
    insta::assert_snapshot!(&md[start..end], @r#"
    ## Headline

    The primary metric of each workload: mean [interval] per platform, and the overhead
    against native [interval] with its verdict. The last column names the checks
    that failed on the workload: read its verdict with them (see "Threats to validity").

    | Workload | Primary metric | native (baseline) | docker | docker: overhead | docker: verdict | Failed checks |
    |---|---|---:|---:|---:|---|---|
    | fio.randread | read_iops (IO/s, higher is better) | 8914 [7743, 10084] | 8566 [6701, 10431] | +3.9% [-14.2%, +20.4%] | no significant difference | none |
    | wrk | requests_per_sec (requests/s, higher is better) | 8147 [3134, 13159] | 6207 [-908.7, 13324] | +23.8% [-78.9%, +87.9%] | no significant difference | high_cv (docker, native); log_errors (docker, native) |
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
    let md = read(&out.join("report.md"));
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
    let md = read(&out.join("report.md"));
    let mut headings = Vec::new();
    let (mut tables, mut images, mut in_heading) = (0, 0, false);
    let mut text = String::new();
    for ev in Parser::new_ext(&md, pulldown_cmark::Options::ENABLE_TABLES) {
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
    let expected = [
        "What was compared",
        "Headline",
        "Per subsystem",
        "Threats to validity",
        "Workloads",
        "fio.randread",
        "wrk",
        "Appendix A: every metric",
        "Appendix B: source files",
    ];
    let titles: Vec<&str> = headings.iter().skip(1).map(String::as_str).collect();
    assert_eq!(titles, expected);
    // What was compared, headline, subsystems, two workload tables, two appendix tables.
    assert_eq!(tables, 7);
    assert_eq!(images, figure_names(&out).len());
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
    let md = read(&out.join("report.md"));
    assert!(md.contains("Campaign after compared with campaign before (the baseline), platform by platform."));
    let rows = headline(&md);
    let overhead = csv_rows(&out.join("overhead.csv"));
    let primary: Vec<_> = overhead.iter().filter(|r| r["primary"] == "true").collect();
    assert!(primary.len() >= 8, "each workload on each platform: {}", primary.len());
    for r in primary {
        assert_eq!((r["baseline"].as_str(), r["platform"].as_str()), ("before", "after"));
        let label = format!("{} ({})", r["workload"], r["stratum"]);
        let cells = rows.get(&label).unwrap_or_else(|| panic!("no headline row {label}: {rows:?}"));
        let (o, _, _) = parse_overhead(&cells[4]);
        assert!((o - r["overhead_pct"].parse::<f64>().expect("number")).abs() <= 0.051, "{label}");
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
    let md = read(&out.join("report.md"));
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

// -----------------------------------------------------------------------------------------------
// Nothing panics

/// The input of a platforms report of `ds` alone (no raw runs or files), default analysis.
fn report_input(ds: &virtperf::analyse::Dataset) -> virtperf::report::context::ReportInput {
    use virtperf::analyse::{analyse, AnalyseConfig};
    use virtperf::report::context::{Mode, ReportInput};
    ReportInput {
        analysis: analyse(ds, &AnalyseConfig::default()),
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
    use virtperf::analyse::{Dataset, Obs};
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
                ds.obs.push(Obs {
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
                    value: v,
                });
            }
            let input = report_input(&ds);
            let out = tmp.path().join(format!("case{n}"));
            let opts = virtperf::report::WriteOptions { out: &out, templates: None, dump_context: true };
            virtperf::report::generate(&input, &opts).expect("a report");
            let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
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
    use virtperf::analyse::{Dataset, Obs};
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
            ds.obs.push(Obs {
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
                value: *v,
            });
        }
    }
    let input = report_input(&ds);
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("r");
    let opts = virtperf::report::WriteOptions { out: &out, templates: None, dump_context: false };
    virtperf::report::generate(&input, &opts).expect("a report");
    let md = read(&out.join("report.md"));
    let start = md.find("| Workload |").expect("headline table");
    let table: Vec<&str> = md[start..].lines().take_while(|l| l.starts_with('|')).collect();
    for l in &table {
        assert_eq!(l.matches('|').count(), 8, "seven columns: {l}");
    }
    assert!(table[0].contains("| Platform | Mean [interval] | Overhead [interval] | Verdict |"));
    assert!(table.iter().any(|l| l.starts_with("| sysbench.cpu |") && l.contains("native (baseline)")));
    assert!(table.iter().any(|l| l.starts_with("|  |  | docker | 90.00 [87.52, 92.48] | +10.0%")));
    assert!(md.contains("- kvm costs the same as native (0.0%) on sysbench.cpu events_per_sec"), "{md}");
    assert!(!md.contains("0.0% less"));
    let svg = read(&out.join("figures/overhead-primary.svg"));
    assert!(svg.contains("docker") && svg.contains("kvm"));
    assert!(!svg.contains("podman"), "podman has no bar, so no legend entry");
}
