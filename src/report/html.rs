//! report.html: one self-contained file. The Markdown report is converted with pulldown-cmark
//! (figure images become the inline SVG of the figure; raw HTML in the Markdown is shown as
//! text, never interpreted), then placed in the `report.html` template, whose own values tera
//! escapes for HTML. Nothing in the page loads anything: no scripts, fonts, images or styles
//! from elsewhere, and a Content-Security-Policy that forbids them all.

use std::collections::HashMap;

use anyhow::Result;
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use super::markdown::render_markdown;
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
}

impl Renderer for HtmlRenderer {
    fn file_name(&self) -> &'static str {
        "report.html"
    }

    fn render(&self, report: &Report) -> Result<String> {
        let md = render_markdown(report)?;
        let body = markdown_to_html(&md, report.figures);
        let mut ctx =
            tera::Context::from_serialize(report.context).map_err(|e| tera_error(e, "report.html"))?;
        let page = Page { report: report.context, body };
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
