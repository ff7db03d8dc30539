//! Reports: report.md and one self-contained report.html, with figures, from an analysis.
//!
//! The stages: [`context::build`] turns the analysis and the ingested runs into a
//! [`ReportContext`] and a list of figures; [`figures`] draws them (SVG and PNG); the
//! [`Renderer`]s ([`markdown::MarkdownRenderer`], [`html::HtmlRenderer`]) turn the context into
//! text with the tera [`Templates`]; [`ReportWriter`] owns the output folder and writes
//! everything. Renderers are pure; only the writer touches the file system.
//!
//! Escaping: the Markdown template is escaped for Markdown ([`markdown::escape`]) and the HTML
//! template for HTML by tera itself, so every `{{ value }}` is safe unless a template says
//! `| safe` on purpose; the Markdown-to-HTML step also refuses raw HTML from the Markdown.

pub mod compare;
pub mod context;
pub mod differences;
pub mod figures;
pub mod html;
pub mod markdown;

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

pub use context::{Built, ReportContext};
use figures::Plot;

/// The embedded Markdown template.
pub const MARKDOWN_TEMPLATE: &str = include_str!("../../templates/report.md.tera");
/// The embedded HTML template.
pub const HTML_TEMPLATE: &str = include_str!("../../templates/report.html.tera");

/// File names of the templates, as `--templates DIR` must name them.
pub const TEMPLATE_FILES: [&str; 2] = ["report.md.tera", "report.html.tera"];

/// The parsed templates: the Markdown one escapes for Markdown, the HTML one for HTML.
pub struct Templates {
    /// Holds `report.md`.
    pub markdown: tera::Tera,
    /// Holds `report.html` (named so that tera autoescapes it).
    pub html: tera::Tera,
}

impl Templates {
    /// The embedded templates, or those of `dir` where it has them (`report.md.tera`,
    /// `report.html.tera`). Errors name the file and what tera found wrong.
    pub fn load(dir: Option<&Path>) -> Result<Templates> {
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
                    "--templates '{}' is not a folder; it should hold report.md.tera and/or report.html.tera",
                    d.display()
                );
            }
            if !TEMPLATE_FILES.iter().any(|f| d.join(f).is_file()) {
                bail!("--templates '{}' holds neither report.md.tera nor report.html.tera", d.display());
            }
        }
        let (md, md_from) = read(TEMPLATE_FILES[0], MARKDOWN_TEMPLATE)?;
        let (html, html_from) = read(TEMPLATE_FILES[1], HTML_TEMPLATE)?;
        let mut markdown = tera::Tera::default();
        markdown.autoescape_on(vec![".md"]);
        markdown.set_escape_fn(markdown::escape);
        markdown.add_raw_template("report.md", &md).map_err(|e| tera_error(e, &md_from))?;
        let mut html_t = tera::Tera::default();
        html_t.autoescape_on(vec![".html"]);
        html_t.add_raw_template("report.html", &html).map_err(|e| tera_error(e, &html_from))?;
        Ok(Templates { markdown, html: html_t })
    }
}

/// A tera error with its whole chain (tera puts the useful part in the source).
pub fn tera_error(e: tera::Error, what: &str) -> anyhow::Error {
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
pub struct Figure {
    /// File name without extension (a slug).
    pub name: String,
    /// Title.
    pub title: String,
    /// The SVG document.
    pub svg: String,
    /// The PNG bytes.
    pub png: Vec<u8>,
}

/// Draws every figure of `built`.
pub fn draw_figures(built: &Built) -> Result<Vec<Figure>> {
    use rayon::prelude::*;
    built
        .figures
        .par_iter()
        .map(|f| {
            Ok(Figure {
                name: f.name.clone(),
                title: f.data.title().to_string(),
                svg: figures::render_svg(&f.data, f.ctx)?,
                png: figures::render_png(&f.data, f.ctx)?,
            })
        })
        .collect()
}

/// Everything a renderer reads.
pub struct Report<'a> {
    /// The context.
    pub context: &'a ReportContext,
    /// The figures, drawn.
    pub figures: &'a [Figure],
    /// The templates.
    pub templates: &'a Templates,
}

/// Turns a report into the text of one output file. Pure: no I/O.
pub trait Renderer {
    /// The output file name, e.g. `report.md`.
    fn file_name(&self) -> &'static str;
    /// The file's content.
    fn render(&self, report: &Report) -> Result<String>;
}

/// Owns the output folder: where every file of a report goes, and writing them.
pub struct ReportWriter {
    out: PathBuf,
}

impl ReportWriter {
    /// A writer into `out` (created when needed).
    pub fn new(out: impl Into<PathBuf>) -> ReportWriter {
        ReportWriter { out: out.into() }
    }

    /// Where figure `name` with extension `ext` goes: `OUT/figures/NAME.EXT`. `name` must be a
    /// slug (as [`context::slug`] makes them); anything else is refused.
    pub fn figure_path(&self, name: &str, ext: &str) -> Result<PathBuf> {
        let ok = !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            bail!("figure name '{name}' is not a slug of [a-z0-9-]");
        }
        Ok(self.out.join("figures").join(format!("{name}.{ext}")))
    }

    /// Writes the figures, then each renderer's file, into the output folder; returns the
    /// paths written.
    pub fn write(&self, report: &Report, renderers: &[&dyn Renderer]) -> Result<Vec<PathBuf>> {
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
    pub fn write_context(&self, context: &ReportContext) -> Result<PathBuf> {
        let p = self.out.join("context.json");
        let json = serde_json::to_string_pretty(context)?;
        write_file(&p, json.as_bytes())?;
        Ok(p)
    }
}

fn write_file(p: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(p, bytes).with_context(|| format!("could not write '{}'", p.display()))
}

/// The runs and files of a platform report.
pub fn platform_views(ingested: &crate::ingest::Ingested) -> (Vec<context::RunView>, Vec<context::FileView>) {
    let runs = ingested
        .runs
        .iter()
        .map(|r| {
            context::RunView::new(
                r,
                crate::analyse::arm_name(&r.labels.platform, &r.labels.platform_detail),
                String::new(),
            )
        })
        .collect();
    let files = ingested
        .files
        .iter()
        .map(|f| context::FileView {
            campaign: String::new(),
            arm: crate::analyse::arm_name(&f.labels.platform, &f.labels.platform_detail),
            report: f.clone(),
        })
        .collect();
    (runs, files)
}

/// Settings of writing a report.
pub struct WriteOptions<'a> {
    /// Output folder.
    pub out: &'a Path,
    /// `--templates DIR`.
    pub templates: Option<&'a Path>,
    /// Also write context.json.
    pub dump_context: bool,
}

/// Builds, draws, renders and writes a report; returns the context and the paths written.
/// The analysis tables (summary.csv, ...) are the caller's.
pub fn generate(input: &context::ReportInput, opts: &WriteOptions) -> Result<(ReportContext, Vec<PathBuf>)> {
    // Templates first: a broken template is a usage error found before any work.
    let templates = Templates::load(opts.templates)?;
    let built = context::build(input);
    let figures = draw_figures(&built)?;
    let writer = ReportWriter::new(opts.out);
    let report = Report { context: &built.context, figures: &figures, templates: &templates };
    let mut written = writer.write(&report, &[&markdown::MarkdownRenderer, &html::HtmlRenderer])?;
    if opts.dump_context {
        written.push(writer.write_context(&built.context)?);
    }
    Ok((built.context, written))
}
