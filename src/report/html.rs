//! report.html: one self-contained file. The Markdown report is converted with pulldown-cmark
//! (figure images become the inline SVG of the figure; raw HTML in the Markdown is shown as
//! text, never interpreted), then placed in the `report.html` template, whose own values tera
//! escapes for HTML. Nothing in the page loads anything: no scripts, fonts, images or styles
//! from elsewhere, and a Content-Security-Policy that forbids them all.

use std::collections::HashMap;

use anyhow::Result;
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use super::markdown::{render_details, render_markdown};
use super::{tera_error, Figure, Renderer, Report};

/// Renders report.html.
pub(crate) struct HtmlRenderer;

/// What the HTML template sees besides the report context.
#[derive(Serialize)]
struct Page<'a> {
    /// The report context, as `report`.
    report: &'a super::ReportContext,
    /// The Markdown report converted to HTML (figures inline): insert with `| safe`.
    body: String,
    /// report-details.md converted to HTML: a table of contents, then each `## ` section a
    /// closed `<details>` (each `### ` one nested in it): insert with `| safe`.
    details: String,
}

impl Renderer for HtmlRenderer {
    fn file_name(&self) -> &'static str {
        "report.html"
    }

    fn render(&self, report: &Report) -> Result<String> {
        let md = render_markdown(report, true)?;
        let body = markdown_to_html(&md, report.figures);
        let details = details_html(&render_details(report)?, report.figures);
        let mut ctx =
            tera::Context::from_serialize(report.context).map_err(|e| tera_error(e, "report.html"))?;
        let page = Page { report: report.context, body, details };
        ctx.extend(tera::Context::from_serialize(&page).map_err(|e| tera_error(e, "report.html"))?);
        report.templates.html.render("report.html", &ctx).map_err(|e| tera_error(e, "report.html"))
    }
}

/// The name of the figure an image link points to: `figures/NAME.png` or `.svg`.
fn figure_name(dest: &str) -> Option<&str> {
    let rest = dest.strip_prefix("figures/")?;
    rest.strip_suffix(".png").or_else(|| rest.strip_suffix(".svg"))
}

/// Converts report Markdown to HTML: tables on; `![alt](figures/NAME.png)` becomes the inline
/// SVG of figure NAME; any other image becomes its alt text (an image would be a request);
/// raw HTML is escaped and shown as text.
pub(crate) fn markdown_to_html(md: &str, figures: &[Figure]) -> String {
    let by_name: HashMap<&str, &Figure> = figures.iter().map(|f| (f.name.as_str(), f)).collect();
    let mut events: Vec<Event> = Vec::new();
    // Inside an image: (the figure, if it is one, and the alt text so far).
    let mut image: Option<(Option<&Figure>, String)> = None;
    for ev in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match ev {
            Event::Start(Tag::Image { dest_url, .. }) => {
                let fig = figure_name(&dest_url).and_then(|n| by_name.get(n).copied());
                image = Some((fig, String::new()));
            }
            Event::End(TagEnd::Image) => {
                if let Some((fig, alt)) = image.take() {
                    match fig {
                        Some(f) => events.push(Event::InlineHtml(CowStr::from(format!(
                            "<span class=\"figure\" role=\"img\" aria-label=\"{}\" id=\"fig-{}\">{}</span>",
                            escape_html(&alt),
                            f.name,
                            strip_xml_prolog(&f.svg)
                        )))),
                        None => events.push(Event::Text(CowStr::from(format!("[image: {alt}]")))),
                    }
                }
            }
            Event::InlineHtml(t) if image.is_none() && is_anchor(&t) => events.push(Event::InlineHtml(t)),
            // One page holds both files: a link into report-details.md is a link into the page.
            Event::Start(Tag::Link { link_type, dest_url, title, id }) if dest_url.starts_with(DETAILS) => {
                let dest = match &dest_url[DETAILS.len()..] {
                    "" => "#contents".to_string(),
                    rest => rest.to_string(),
                };
                events.push(Event::Start(Tag::Link { link_type, dest_url: CowStr::from(dest), title, id }))
            }
            Event::Html(t) | Event::InlineHtml(t) => {
                if let Some((_, alt)) = image.as_mut() {
                    alt.push_str(&t);
                } else {
                    events.push(Event::Text(t));
                }
            }
            Event::Text(t) | Event::Code(t) if image.is_some() => {
                if let Some((_, alt)) = image.as_mut() {
                    alt.push_str(&t);
                }
            }
            e if image.is_some() => drop(e),
            e => events.push(e),
        }
    }
    let mut out = String::with_capacity(md.len() * 2);
    pulldown_cmark::html::push_html(&mut out, events.into_iter());
    out
}

/// The details file, as report.md links it.
const DETAILS: &str = "report-details.md";

/// report-details.md as HTML: a table of contents, then every `## ` section as a closed
/// `<details>`, with each `### ` section a closed `<details>` inside it. Each opens with an
/// anchor: the heading's GitHub-style anchor (report.md's links), a workload's own anchor, or
/// `PART-HEADING` (the text before a `:`); a browser opens the `<details>` a link leads into.
/// The title and the text before the first `## ` (a link back to report.md) are left out:
/// the page is that report.
pub(crate) fn details_html(md: &str, figures: &[Figure]) -> String {
    let mut ids = std::collections::BTreeSet::new();
    let mut unique = |id: String| {
        let mut name = id.clone();
        let mut i = 2;
        while !ids.insert(name.clone()) {
            name = format!("{id}-{i}");
            i += 1;
        }
        name
    };
    let mut toc = String::from("<nav id=\"contents\" class=\"toc\"><h2>Contents</h2>\n<ul>\n");
    let mut out = String::new();
    for (heading, text) in split_at_headings(md, "## ").into_iter().skip(1) {
        let id = unique(heading_anchor(heading));
        let title = inline_html(heading, figures);
        toc.push_str(&format!("<li><a href=\"#{id}\">{title}</a>"));
        let subs = split_at_headings(text, "### ");
        let mut inner = markdown_to_html(subs[0].1, figures);
        let nested = subs.len() > 1;
        if nested {
            toc.push_str("\n<ul class=\"sub\">");
        }
        for (h3, body) in subs.into_iter().skip(1) {
            let (own, plain) = split_anchor(h3);
            let short = plain.split(':').next().unwrap_or(plain);
            let sub_id =
                unique(own.map_or_else(|| format!("{id}-{}", heading_anchor(short)), str::to_string));
            let t = inline_html(plain, figures);
            toc.push_str(&format!("<li><a href=\"#{sub_id}\">{t}</a></li>"));
            inner.push_str(&collapsed("sub", "h3", &t, &sub_id, &markdown_to_html(body, figures)));
        }
        out.push_str(&collapsed("part", "h2", &title, &id, &inner));
        if nested {
            toc.push_str("</ul>");
        }
        toc.push_str("</li>\n");
    }
    toc.push_str("</ul>\n</nav>\n");
    toc + &out
}

/// A closed `<details class="CLASS">` whose summary is heading `tag` holding `title`, opening
/// with anchor `id`, then `body`.
fn collapsed(class: &str, tag: &str, title: &str, id: &str, body: &str) -> String {
    format!("<details class=\"{class}\">\n<summary><{tag}>{title}</{tag}></summary>\n<a id=\"{id}\"></a>\n{body}</details>\n")
}

/// `md` cut at the lines that start with `prefix` (`## `): the text before the first such
/// heading (with an empty heading), then each heading's text (without `prefix`) and the lines
/// up to the next.
fn split_at_headings<'a>(md: &'a str, prefix: &str) -> Vec<(&'a str, &'a str)> {
    let mut parts = Vec::new();
    let mut heading = "";
    let mut start = 0;
    let mut at = 0;
    for line in md.split_inclusive('\n') {
        if let Some(h) = line.strip_prefix(prefix) {
            parts.push((heading, &md[start..at]));
            heading = h.trim_end();
            start = at + line.len();
        }
        at += line.len();
    }
    parts.push((heading, &md[start..]));
    parts
}

/// A heading's leading section anchor (`<a id="wrk"></a>wrk`), if it has one, and its text.
fn split_anchor(heading: &str) -> (Option<&str>, &str) {
    match heading.strip_prefix("<a id=\"").and_then(|r| r.split_once("\"></a>")) {
        Some((id, rest)) => (Some(id), rest),
        None => (None, heading),
    }
}

/// The anchor GitHub gives a heading: lower case, letters, digits, `-` and `_` kept, spaces
/// turned to `-`, the rest dropped (`Appendix A: every metric` -> `appendix-a-every-metric`).
pub(crate) fn heading_anchor(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// One line of Markdown as inline HTML (without its paragraph).
fn inline_html(md: &str, figures: &[Figure]) -> String {
    let html = markdown_to_html(md, figures);
    let html = html.trim_end();
    html.strip_prefix("<p>").and_then(|h| h.strip_suffix("</p>")).unwrap_or(html).to_string()
}

/// Returns true if and only if `html` is `<a id="SLUG">` (SLUG of `[a-z0-9-]`) or `</a>`: the
/// section anchors of the template, the only HTML the Markdown may carry into the page.
fn is_anchor(html: &str) -> bool {
    if html == "</a>" {
        return true;
    }
    html.strip_prefix("<a id=\"").and_then(|r| r.strip_suffix("\">")).is_some_and(|id| {
        !id.is_empty() && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    })
}

fn strip_xml_prolog(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_in_markdown_is_shown_not_run() {
        let html = markdown_to_html("a <script>alert(1)</script> b\n\n<div onclick=x>c</div>\n", &[]);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<div"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        let html = markdown_to_html("### <a id=\"ok-1\"></a>T <a id=\"x\" onclick=\"y\">z</a>\n", &[]);
        assert!(html.contains("<a id=\"ok-1\"></a>T"), "{html}");
        assert!(html.contains("&lt;a id=\"x\" onclick"), "{html}");
    }

    #[test]
    fn details_become_closed_sections_with_anchors_and_contents() {
        let md = "# T: details\n\nBack to [the summary](report.md).\n\n## Threats to validity\n\nIntro.\n\n\
                  ### log\\_errors: 2 failed\n\n- x\n\n## Workloads\n\n### <a id=\"wrk\"></a>wrk\n\nW.\n\n\
                  ## Appendix A: every metric\n\nA.\n";
        let html = details_html(md, &[]);
        assert!(!html.contains("the summary") && !html.contains("<h1>"), "{html}");
        assert!(!html.contains(" open"), "{html}");
        let order: Vec<usize> = [
            "<nav id=\"contents\"",
            "<details class=\"part\">\n<summary><h2>Threats to validity</h2></summary>\n<a id=\"threats-to-validity\"></a>",
            "<p>Intro.</p>",
            "<details class=\"sub\">\n<summary><h3>log_errors: 2 failed</h3></summary>\n<a id=\"threats-to-validity-log_errors\"></a>",
            "</details>\n</details>\n<details class=\"part\">\n<summary><h2>Workloads</h2>",
            "<summary><h3>wrk</h3></summary>\n<a id=\"wrk\"></a>",
            "<a id=\"appendix-a-every-metric\"></a>",
        ]
        .iter()
        .map(|p| html.find(p).unwrap_or_else(|| panic!("{p} not in {html}")))
        .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}: {html}");
        assert!(html.contains("<li><a href=\"#wrk\">wrk</a></li>"), "{html}");
        assert_eq!(html.matches("<details").count(), html.matches("</details>").count());
        // A link into report-details.md is a link into the one page.
        let top = markdown_to_html("[x](report-details.md#wrk) [y](report-details.md)\n", &[]);
        assert!(top.contains("href=\"#wrk\"") && top.contains("href=\"#contents\""), "{top}");
    }

    #[test]
    fn figures_become_inline_svg_and_other_images_text() {
        let fig = Figure { name: "f".into(), svg: "<svg id=\"x\"></svg>".into(), png: vec![] };
        let html =
            markdown_to_html("![A <b> figure](figures/f.png)\n\n![x](http://example.com/i.png)\n", &[fig]);
        assert!(html.contains("<svg id=\"x\"></svg>"), "{html}");
        assert!(html.contains("aria-label=\"A &lt;b&gt; figure\""), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("[image: x]"), "{html}");
    }
}
