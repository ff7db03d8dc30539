//! report.md: the Markdown renderer and the Markdown escaping every `{{ value }}` of the
//! Markdown template goes through.

use anyhow::Result;

use super::{tera_error, Renderer, Report};

/// Renders report.md from the `report.md` template.
pub(crate) struct MarkdownRenderer;

impl Renderer for MarkdownRenderer {
    fn file_name(&self) -> &'static str {
        "report.md"
    }

    fn render(&self, report: &Report) -> Result<String> {
        render_markdown(report, false)
    }
}

/// Renders report-details.md, the evidence report.md links, from its template.
pub(crate) struct DetailsRenderer;

impl Renderer for DetailsRenderer {
    fn file_name(&self) -> &'static str {
        "report-details.md"
    }

    fn render(&self, report: &Report) -> Result<String> {
        render_template(report, "report-details.md", false)
    }
}

/// The Markdown text of report.md; with `for_html`, as the top of report.html (the template
/// sees `for_html`).
pub(crate) fn render_markdown(report: &Report, for_html: bool) -> Result<String> {
    render_template(report, "report.md", for_html)
}

/// The Markdown text of report-details.md (also the collapsed parts of the HTML).
pub(crate) fn render_details(report: &Report) -> Result<String> {
    render_template(report, "report-details.md", true)
}

/// Markdown template `name` rendered with the report's context, tidied.
fn render_template(report: &Report, name: &str, for_html: bool) -> Result<String> {
    let mut ctx = tera::Context::from_serialize(report.context).map_err(|e| tera_error(e, name))?;
    ctx.insert("for_html", &for_html);
    let md = report.templates.markdown.render(name, &ctx).map_err(|e| tera_error(e, name))?;
    Ok(tidy(&md))
}

/// Drops leading blank lines and runs of more than one blank line, which template control
/// lines leave behind.
fn tidy(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    let mut blank = 0;
    for line in md.trim_start().lines() {
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Escapes text for Markdown so that it shows as written and never becomes markup: no HTML,
/// no links or images, no emphasis, no table cell breaks, no code spans. Line breaks become
/// spaces. Used by tera for every `{{ value }}` of the Markdown template.
///
/// Backslash escapes are used (CommonMark: any ASCII punctuation may be escaped), and only
/// where needed, so metric names and paths stay readable: `_` only at a word boundary, a
/// leading `-`, `+`, `=` or `1.` only at the start.
pub(crate) fn escape(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let bracket = brackets_to_escape(&chars);
    let mut out = String::with_capacity(s.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        match c {
            '\r' | '\n' | '\t' => out.push(' '),
            c if c.is_control() => {}
            '\\' | '`' | '*' | '<' | '>' | '|' | '&' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            // See `brackets_to_escape`; `!` starts an image only before `[`.
            '[' | ']' if bracket[i] => {
                out.push('\\');
                out.push(c);
            }
            '!' if next == Some('[') => out.push_str("\\!"),
            '[' if next == Some('^') => out.push_str("\\["),
            '_' => {
                let word = |c: Option<&char>| c.is_some_and(|c| c.is_alphanumeric());
                let inner = i > 0 && word(chars.get(i - 1)) && word(chars.get(i + 1));
                if !inner {
                    out.push('\\');
                }
                out.push('_');
            }
            // At the start only, and only what would start a list, heading or rule there.
            '-' | '+' | '=' | '#'
                if i == 0
                    && (next.is_none_or(char::is_whitespace)
                        || chars.iter().all(|&d| d == c || d == ' ')) =>
            {
                out.push('\\');
                out.push(c);
            }
            '.' | ')'
                if i > 0
                    && chars[..i].iter().all(|d| d.is_ascii_digit())
                    && next.is_none_or(char::is_whitespace) =>
            {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Which of `chars` are brackets to escape: a `]` that `(`, `[` or `:` follows (it would close a
/// link) with its own `[`, and every bracket without a partner. A matched pair whose `]` no
/// link syntax follows stays as it is, so `[1.2%, 5.0%]` reads well; escaping a `]` alone would
/// leave its `[` bare, and inside a link's or image's text (a figure title with `[threads=1]:`)
/// a bare `[` takes the text's own `]` as its partner and breaks the link.
fn brackets_to_escape(chars: &[char]) -> Vec<bool> {
    let mut escape = vec![false; chars.len()];
    let mut open: Vec<usize> = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '[' => open.push(i),
            ']' => match open.pop() {
                Some(j) if matches!(chars.get(i + 1), Some('(' | '[' | ':')) => {
                    escape[i] = true;
                    escape[j] = true;
                }
                Some(_) => {}
                None => escape[i] = true,
            },
            _ => {}
        }
    }
    for j in open {
        escape[j] = true;
    }
    escape
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(escape("<script>alert(1)</script>"), r"\<script\>alert(1)\</script\>");
        assert_eq!(escape("a|b"), r"a\|b");
        assert_eq!(escape("events_per_sec"), "events_per_sec");
        assert_eq!(escape("_x_ *y*"), r"\_x\_ \*y\*");
        assert_eq!(escape("![i](http://x)"), r"\!\[i\](http://x)");
        assert_eq!(escape("[x]: http://y"), r"\[x\]: http://y");
        assert_eq!(escape("a [b] c ] d [ e"), r"a [b] c \] d \[ e");
        assert_eq!(escape("+2.0% [+0.9%, +3.1%]"), "+2.0% [+0.9%, +3.1%]");
        assert_eq!(escape("- x"), r"\- x");
        assert_eq!(escape("1.5"), "1.5");
        assert_eq!(escape("line\nbreak"), "line break");
        assert_eq!(escape("1. item"), r"1\. item");
        assert_eq!(escape("---"), r"\---");
        assert_eq!(escape("&lt;"), r"\&lt;");
    }

    #[test]
    fn escaped_text_renders_as_written() {
        for s in [
            "<script>alert(1)</script>",
            "a_b_ _c_ *d* `e` [f](g) <h> &amp; | ~~i~~ # j",
            "1) x",
            "- y",
            "![i](x) [a][b] [c]: d [^e]",
            "# h",
        ] {
            let md = format!("p {}", escape(s));
            let html = to_html(&md);
            let text = html.trim().trim_start_matches("<p>").trim_end_matches("</p>");
            let unescaped =
                text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
            assert_eq!(unescaped, format!("p {s}"), "{md} -> {html}");
        }
    }

    /// A figure whose title holds a workload label with params (`sysbench.cpu [threads=1]:
    /// ...`, the title of every figure of a campaign that varies a parameter) stays an image:
    /// an escaped `]` with its `[` left bare once made the image's own `]` close the inner `[`,
    /// and report.html showed the link text instead of the figure.
    #[test]
    fn brackets_in_image_alt_text_keep_the_image() {
        for alt in [
            "sysbench.cpu [threads=1]: events_per_sec per platform",
            "a [b [c] d]( e",
            "unmatched [ open",
            "unmatched ] close",
            "[x][y] and [z](w)",
        ] {
            let md = format!("![{}](figures/f.png)", escape(alt));
            let mut images = Vec::new();
            let mut text = String::new();
            for ev in pulldown_cmark::Parser::new(&md) {
                match ev {
                    pulldown_cmark::Event::Start(pulldown_cmark::Tag::Image { dest_url, .. }) => {
                        images.push(dest_url.to_string())
                    }
                    pulldown_cmark::Event::Text(t) => text.push_str(&t),
                    _ => {}
                }
            }
            assert_eq!((images, text.as_str()), (vec!["figures/f.png".to_string()], alt), "{md}");
        }
    }

    fn to_html(md: &str) -> String {
        let mut out = String::new();
        pulldown_cmark::html::push_html(
            &mut out,
            pulldown_cmark::Parser::new_ext(md, pulldown_cmark::Options::ENABLE_TABLES),
        );
        out
    }
}
