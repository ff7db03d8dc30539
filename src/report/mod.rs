//! Reports: report.md and one self-contained report.html, with figures, from an analysis.
//!
//! The stages: the caller hands a [`ReportInput`] (the analysis, and views of the runs and
//! files it read: `input`); [`build`] turns it into the view model, a [`ReportContext`]
//! ([`context`]), and a list of figures, one small builder per section (`sections`, writing
//! numbers and sentences with `text`); [`figures`] draws them (SVG and PNG), one file per
//! figure kind; the `Renderer`s (`markdown::MarkdownRenderer`, `html::HtmlRenderer`) turn
//! the context into text with the tera `Templates`; `ReportWriter` owns the output folder
//! and writes everything. Renderers are pure; only the writer touches the file system.
//!
//! The report layer points down only: it reads the analysis' output types and the model, and
//! is handed everything else; it never imports `ingest`, `label`, `exec` or `commands`.
//!
//! Escaping: the Markdown template is escaped for Markdown (`markdown::escape`) and the HTML
//! template for HTML by tera itself, so every `{{ value }}` is safe unless a template says
//! `| safe` on purpose; the Markdown-to-HTML step also refuses raw HTML from the Markdown.

pub mod context;
pub mod figures;
pub(crate) mod html;
pub(crate) mod input;
pub(crate) mod latex;
pub(crate) mod markdown;
pub(crate) mod paper_csv;
pub(crate) mod sections;
pub(crate) mod text;

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

pub use context::ReportContext;
pub use input::{FileView, Mode, ReportInput, RunView};
pub use sections::{build, Built, FigureSpec};
pub use text::finding;

/// The embedded Markdown template of report.md (the summary).
pub(crate) const MARKDOWN_TEMPLATE: &str = include_str!("../../templates/report.md.tera");
/// The embedded Markdown template of report-details.md (the evidence).
pub(crate) const DETAILS_TEMPLATE: &str = include_str!("../../templates/report-details.md.tera");
/// The embedded HTML template.
pub(crate) const HTML_TEMPLATE: &str = include_str!("../../templates/report.html.tera");

/// File names of the templates, as `--templates DIR` must name them.
pub(crate) const TEMPLATE_FILES: [&str; 3] = ["report.md.tera", "report.html.tera", "report-details.md.tera"];

/// The parsed templates: the Markdown one escapes for Markdown, the HTML one for HTML.
pub(crate) struct Templates {
    /// Holds `report.md` and `report-details.md`.
    pub(crate) markdown: tera::Tera,
    /// Holds `report.html` (named so that tera autoescapes it).
    pub(crate) html: tera::Tera,
}

impl Templates {
    /// The embedded templates, or those of `dir` where it has them (`report.md.tera`,
    /// `report.html.tera`, `report-details.md.tera`). Errors name the file and what tera found
    /// wrong.
    pub(crate) fn load(dir: Option<&Path>) -> Result<Templates> {
        let read = |name: &str, embedded: &str| -> Result<(String, String)> {
            if let Some(d) = dir {
                let p = d.join(name);
                if p.is_file() {
                    let text = std::fs::read_to_string(&p)
                        .with_context(|| format!("could not read template '{}'", p.display()))?;
                    return Ok((text, p.display().to_string()));
                }
            }
            Ok((embedded.to_string(), format!("embedded {name}")))
        };
        if let Some(d) = dir {
            if !d.is_dir() {
                bail!(
                    "--templates '{}' is not a folder; it should hold report.md.tera, report-details.md.tera and/or report.html.tera",
                    d.display()
                );
            }
            if !TEMPLATE_FILES.iter().any(|f| d.join(f).is_file()) {
                bail!(
                    "--templates '{}' holds none of report.md.tera, report-details.md.tera, report.html.tera",
                    d.display()
                );
            }
        }
        let (md, md_from) = read(TEMPLATE_FILES[0], MARKDOWN_TEMPLATE)?;
        let (html, html_from) = read(TEMPLATE_FILES[1], HTML_TEMPLATE)?;
        let (details, details_from) = read(TEMPLATE_FILES[2], DETAILS_TEMPLATE)?;
        let mut markdown = tera::Tera::default();
        markdown.autoescape_on(vec![".md"]);
        markdown.set_escape_fn(markdown::escape);
        markdown.add_raw_template("report.md", &md).map_err(|e| tera_error(e, &md_from))?;
        markdown.add_raw_template("report-details.md", &details).map_err(|e| tera_error(e, &details_from))?;
        let mut html_t = tera::Tera::default();
        html_t.autoescape_on(vec![".html"]);
        html_t.add_raw_template("report.html", &html).map_err(|e| tera_error(e, &html_from))?;
        Ok(Templates { markdown, html: html_t })
    }
}

/// A tera error with its whole chain (tera puts the useful part in the source).
pub(crate) fn tera_error(e: tera::Error, what: &str) -> anyhow::Error {
    let mut msg = format!("template {what}: {e}");
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        msg.push_str(&format!(": {s}"));
        src = s.source();
    }
    anyhow::anyhow!(msg)
}

/// A drawn figure.
#[derive(Debug, Clone)]
pub(crate) struct Figure {
    /// File name without extension (a slug).
    pub(crate) name: String,
    /// The SVG document.
    pub(crate) svg: String,
    /// The PNG bytes.
    pub(crate) png: Vec<u8>,
}

/// Draws every figure of `built`.
pub(crate) fn draw_figures(built: &Built) -> Result<Vec<Figure>> {
    use rayon::prelude::*;
    built
        .figures
        .par_iter()
        .map(|f| {
            Ok(Figure {
                name: f.name.clone(),
                svg: figures::render_svg(&f.data, f.ctx)?,
                png: figures::render_png(&f.data, f.ctx)?,
            })
        })
        .collect()
}

/// Everything a renderer reads.
pub(crate) struct Report<'a> {
    /// The context.
    pub(crate) context: &'a ReportContext,
    /// The figures, drawn.
    pub(crate) figures: &'a [Figure],
    /// The templates.
    pub(crate) templates: &'a Templates,
}

/// Turns a report into the text of one output file. Pure: no I/O.
pub(crate) trait Renderer {
    /// The output file name, e.g. `report.md`.
    fn file_name(&self) -> &'static str;
    /// The file's content.
    fn render(&self, report: &Report) -> Result<String>;
}

/// Owns the output folder: where every file of a report goes, and writing them.
pub(crate) struct ReportWriter {
    out: PathBuf,
}

impl ReportWriter {
    /// A writer into `out` (created when needed).
    pub(crate) fn new(out: impl Into<PathBuf>) -> ReportWriter {
        ReportWriter { out: out.into() }
    }

    /// Where figure `name` with extension `ext` goes: `OUT/figures/NAME.EXT`. `name` must be a
    /// slug (as [`text::slug`] makes them); anything else is refused.
    pub(crate) fn figure_path(&self, name: &str, ext: &str) -> Result<PathBuf> {
        let ok = !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            bail!("figure name '{name}' is not a slug of [a-z0-9-]");
        }
        Ok(self.out.join("figures").join(format!("{name}.{ext}")))
    }

    /// Writes the figures, then each renderer's file, into the output folder; returns the
    /// paths written.
    pub(crate) fn write(&self, report: &Report, renderers: &[&dyn Renderer]) -> Result<Vec<PathBuf>> {
        let figs = self.out.join("figures");
        std::fs::create_dir_all(&figs)
            .with_context(|| format!("could not create folder '{}'", figs.display()))?;
        let mut written = Vec::new();
        for f in report.figures {
            for (ext, bytes) in [("svg", f.svg.as_bytes()), ("png", f.png.as_slice())] {
                let p = self.figure_path(&f.name, ext)?;
                write_file(&p, bytes)?;
                written.push(p);
            }
        }
        for r in renderers {
            let text = r.render(report)?;
            let p = self.out.join(r.file_name());
            write_file(&p, text.as_bytes())?;
            written.push(p);
        }
        Ok(written)
    }

    /// Writes the template context as JSON to `OUT/context.json`.
    pub(crate) fn write_context(&self, context: &ReportContext) -> Result<PathBuf> {
        let p = self.out.join("context.json");
        let json = serde_json::to_string_pretty(context)?;
        write_file(&p, json.as_bytes())?;
        Ok(p)
    }
}

fn write_file(p: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(p, bytes).with_context(|| format!("could not write '{}'", p.display()))
}

/// Settings of writing a report.
pub struct WriteOptions<'a> {
    /// Output folder.
    pub out: &'a Path,
    /// `--templates DIR`.
    pub templates: Option<&'a Path>,
    /// Also write context.json.
    pub dump_context: bool,
    /// Also write the headline and paper tables as LaTeX (`figures/headline.tex`,
    /// `figures/paper_table.tex`).
    pub latex: bool,
}

/// Builds, draws, renders and writes a report; returns the context and the paths written.
/// The analysis tables (summary.csv, ...) are the caller's.
pub fn generate(input: &ReportInput, opts: &WriteOptions) -> Result<(ReportContext, Vec<PathBuf>)> {
    // Templates first: a broken template is a usage error found before any work.
    let templates = Templates::load(opts.templates)?;
    let mut built = build(input);
    link_sources_from(&mut built.context, opts.out);
    let figures = draw_figures(&built)?;
    let writer = ReportWriter::new(opts.out);
    let report = Report { context: &built.context, figures: &figures, templates: &templates };
    let mut renderers: Vec<&dyn Renderer> = vec![
        &markdown::MarkdownRenderer,
        &markdown::DetailsRenderer,
        &html::HtmlRenderer,
        &paper_csv::PaperCsvRenderer,
    ];
    if opts.latex {
        renderers.extend([&latex::HeadlineLatexRenderer as &dyn Renderer, &latex::PaperLatexRenderer]);
    }
    let mut written = writer.write(&report, &renderers)?;
    if opts.dump_context {
        written.push(writer.write_context(&built.context)?);
    }
    Ok((built.context, written))
}

/// Makes the relative links to input files in `context` start from the report's folder `out`
/// (their paths are relative to the working folder): `../../sample-data/...` for
/// `reports/sample`. Absolute paths stay as they are; nothing changes when either folder cannot
/// be made absolute.
fn link_sources_from(context: &mut ReportContext, out: &Path) {
    let Ok(cwd) = std::env::current_dir() else { return };
    let out_abs = if out.is_absolute() { out.to_path_buf() } else { cwd.join(out) };
    let base = relative_path(&normalise(&out_abs), &normalise(&cwd));
    for t in &mut context.threats {
        for h in &mut t.hrefs {
            if !h.starts_with('/') {
                *h = format!("{base}{h}");
            }
        }
    }
}

/// `p` without `.` and with `..` applied (no file system access: symbolic links are not
/// followed, as a browser resolving a relative link does not follow them either).
fn normalise(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// The relative path from folder `from` to folder `to`, both absolute and normalised, ending
/// in `/` unless empty: `../../` from `/w/reports/sample` to `/w`.
fn relative_path(from: &Path, to: &Path) -> String {
    let f: Vec<_> = from.components().collect();
    let t: Vec<_> = to.components().collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut s = "../".repeat(f.len() - common);
    for c in &t[common..] {
        s.push_str(&c.as_os_str().to_string_lossy());
        s.push('/');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_between_folders() {
        let rel = |a: &str, b: &str| relative_path(&normalise(Path::new(a)), &normalise(Path::new(b)));
        assert_eq!(rel("/w/reports/sample", "/w"), "../../");
        assert_eq!(rel("/w", "/w"), "");
        assert_eq!(rel("/w/a/./b/../c", "/w/d"), "../../d/");
        assert_eq!(rel("/tmp/out", "/work/wt"), "../../work/wt/");
    }
}
