//! The report's figures, drawn with plotters, in the manner of criterion's plotters backend:
//! each figure kind is a file of its own holding its data type and the function that draws it,
//! behind one trait, `Plot`; what they share is beside them: the drawing context, sizes,
//! palette and font (`style`), legend, markers and lines (`parts`), axes (`axes`) and
//! the PNG backend (`png_backend`). `render_svg` and `render_png` draw a figure twice, as an SVG
//! string (inlined in report.html) and as PNG bytes (linked from report.md).
//!
//! **Adding a figure kind** is one file and one line: a file here with its data type (a
//! `Serialize` struct with a `title`) and `impl Plot for ItsData` (how it draws itself on any
//! plotters backend), declared with `mod its_file;`, plus one line in `figure_kinds!`'s list
//! below, which makes it a variant of [`FigureData`]. A section builder of the report
//! (`super::sections`) then decides where the figure appears and fills its data.
//!
//! What this module does not do: decide which figures a report has or what their data is
//! (the section builders do), or write files (`super::ReportWriter` does).
//!
//! Readability rules every figure follows: labelled axes with units, a legend, and a palette
//! that stays apart in greyscale: each platform has a colour of its own lightness *and* its own
//! marker shape and line dash. Text is drawn and measured with the embedded DejaVu Sans, so a
//! machine without fonts draws the same PNG.

use std::sync::Once;

use anyhow::{anyhow, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

mod axes;
mod parts;
mod png_backend;
mod style;

mod cpu;
mod factor;
mod overhead;
mod percentiles;
mod primary;
mod series;

pub use cpu::{CpuArm, Share};
pub use factor::{FactorLine, FactorScale};
pub use overhead::Bar;
use parts::err;
use png_backend::PngBackend;
pub use series::Line;
pub(crate) use style::PlotContext;
pub use style::SIZE;
use style::{FONT, FONT_BYTES};

/// What a figure kind needs to draw itself, into the SVG and the PNG alike (any plotters
/// backend).
pub(crate) trait Plot {
    /// The figure's title (drawn above it, and named in errors).
    fn title(&self) -> &str;

    /// Draws the figure on `root`, which is already white, with the shared settings `ctx`.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: PlotContext) -> DrawResult;
}

/// Result of a drawing function; the error is plotters' message.
pub(crate) type DrawResult = std::result::Result<(), String>;

/// One arm's runs and mean of one metric (the data of several figure kinds).
#[derive(Debug, Clone, Serialize)]
pub struct ArmValues {
    /// Arm (platform or campaign) name.
    pub name: String,
    /// Index of the arm's style (0 = baseline).
    pub style: usize,
    /// Every run's value.
    pub values: Vec<f64>,
    /// Mean, when there is one.
    pub mean: Option<f64>,
    /// Interval of the mean, when there is one.
    pub ci: Option<(f64, f64)>,
}

/// The registry of figure kinds: makes [`FigureData`], one variant per kind, and its [`Plot`]
/// impl, which hands each variant to its kind's own.
macro_rules! figure_kinds {
    ($($(#[$doc:meta])* $variant:ident($module:ident::$data:ident),)*) => {
        $(pub use $module::$data;)*

        /// What a figure shows: one variant per figure kind.
        #[derive(Debug, Clone, Serialize)]
        #[serde(tag = "kind", rename_all = "snake_case")]
        pub enum FigureData {
            $($(#[$doc])* $variant($data),)*
        }

        impl Plot for FigureData {
            fn title(&self) -> &str {
                match self {
                    $(FigureData::$variant(d) => d.title(),)*
                }
            }

            fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: PlotContext) -> DrawResult {
                match self {
                    $(FigureData::$variant(d) => d.draw(root, ctx),)*
                }
            }
        }
    };
}

figure_kinds! {
    /// Primary metric per arm, runs as points, mean with interval.
    Primary(primary::PrimaryData),
    /// Cost-ratio bars from ×1 with intervals.
    Overhead(overhead::OverheadData),
    /// Time series of one metric, one line per run.
    Series(series::SeriesData),
    /// Latency percentiles per arm.
    Percentiles(percentiles::PercentileData),
    /// The primary metric against one factor, one line per platform, means with intervals.
    Factor(factor::FactorData),
    /// CPU share per arm inside the platform and on the host, as nested bars.
    Cpu(cpu::CpuData),
}

/// Registers the embedded font with plotters (once per process).
pub(crate) fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is embedded and parsed by the tests, so this cannot fail at run time.
        if plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES).is_err() {
            unreachable!("the embedded DejaVu Sans does not parse");
        }
    });
}

/// Draws `fig` as an SVG document.
pub(crate) fn render_svg(fig: &FigureData, ctx: PlotContext) -> Result<String> {
    register_font();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, ctx.size).into_drawing_area();
        draw_on(&root, fig, ctx)
            .map_err(|e| anyhow!("could not draw figure '{}' (SVG): {e}", fig.title()))?;
    }
    Ok(svg)
}

/// Draws `fig` as PNG bytes.
pub(crate) fn render_png(fig: &FigureData, ctx: PlotContext) -> Result<Vec<u8>> {
    register_font();
    let (w, h) = ctx.size;
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    {
        let root = PngBackend(BitMapBackend::with_buffer(&mut rgb, ctx.size)).into_drawing_area();
        draw_on(&root, fig, ctx)
            .map_err(|e| anyhow!("could not draw figure '{}' (PNG): {e}", fig.title()))?;
    }
    let mut png_bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png_bytes, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        // Charts are mostly flat colour: per-row adaptive filters make them less than half the
        // size (the repository keeps many), with deflate at its default level rather than the
        // encoder's fast one; the strongest level saves little more, slowly.
        enc.set_compression(png::Compression::Default);
        enc.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        let mut writer = enc.write_header()?;
        writer.write_image_data(&rgb)?;
    }
    Ok(png_bytes)
}

fn draw_on<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &impl Plot,
    ctx: PlotContext,
) -> DrawResult {
    root.fill(&WHITE).map_err(err)?;
    fig.draw(root, ctx)?;
    root.present().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values far outside any sensible axis once panicked (an `i32` overflow in plotters'
    /// mapping) or hung (a log axis up to `f64::MAX * 1.6` = infinity has endless decades).
    #[test]
    fn extreme_values_draw_without_panic_or_hang() {
        let arm = |values: Vec<f64>| ArmValues {
            name: "native".into(),
            style: 0,
            mean: values.first().copied(),
            ci: Some((values[0], *values.last().unwrap())),
            values,
        };
        let figs = [
            FigureData::Percentiles(PercentileData {
                title: "p".into(),
                y_desc: "latency (ms)".into(),
                percentiles: vec!["p50".into(), "p99".into()],
                arms: vec![(arm(vec![1e300]), vec![Some(arm(vec![1e300])), Some(arm(vec![f64::MAX]))])],
            }),
            FigureData::Overhead(OverheadData {
                title: "o".into(),
                categories: vec!["a".into()],
                arms: vec![("docker".into(), 1)],
                bars: vec![
                    Bar {
                        category: 0,
                        arm: 0,
                        value: f64::MAX,
                        ci: Some((-f64::MAX, f64::MAX)),
                        label: "a".into(),
                    },
                    Bar { category: 0, arm: 0, value: 1e-300, ci: None, label: "b".into() },
                    Bar { category: 0, arm: 0, value: -1.0, ci: Some((f64::NAN, 0.0)), label: "c".into() },
                ],
                baseline: "native".into(),
            }),
            FigureData::Primary(PrimaryData {
                title: "m".into(),
                x_desc: "platform".into(),
                y_desc: "y".into(),
                arms: vec![arm(vec![-f64::MAX, 0.0, f64::MAX])],
            }),
            FigureData::Series(SeriesData {
                title: "s".into(),
                y_desc: "y".into(),
                arms: vec![("native".into(), 0)],
                lines: vec![Line { arm: 0, points: vec![(0.0, f64::MAX), (f64::MAX, -f64::MAX)] }],
            }),
            FigureData::Factor(FactorData {
                title: "f".into(),
                x_desc: "threads (log scale)".into(),
                y_desc: "y".into(),
                levels: vec!["1".into(), "1e300".into(), "x".into()],
                positions: vec![1e-300, 1e300, f64::MAX],
                scale: FactorScale::Log,
                lines: vec![FactorLine {
                    name: "native".into(),
                    style: 0,
                    points: vec![Some(arm(vec![-f64::MAX, 0.0, f64::MAX])), None, Some(arm(vec![1e-300]))],
                }],
            }),
            FigureData::Factor(FactorData {
                title: "g".into(),
                x_desc: "format".into(),
                y_desc: "y".into(),
                levels: vec!["raw".into()],
                positions: vec![0.0],
                scale: FactorScale::Category,
                lines: vec![],
            }),
        ];
        for fig in &figs {
            render_svg(fig, PlotContext::default()).unwrap();
            render_png(fig, PlotContext::default()).unwrap();
        }
    }

    #[test]
    fn the_embedded_font_parses() {
        register_font();
        let fig = FigureData::Series(SeriesData {
            title: "t <b>".into(),
            y_desc: "y".into(),
            arms: vec![("native".into(), 0)],
            lines: vec![Line { arm: 0, points: vec![(0.0, 1.0), (1.0, 2.0)] }],
        });
        let svg = render_svg(&fig, PlotContext::default()).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("t &lt;b&gt;"), "plotters escapes SVG text");
        let png = render_png(&fig, PlotContext::default()).unwrap();
        assert_eq!(&png[1..4], b"PNG");
    }
}
