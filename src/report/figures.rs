//! The report's figures, drawn with plotters: one function per figure kind, each taking a small
//! `Copy` [`PlotContext`] and its data, drawing into any plotters backend. [`render`] draws a
//! figure twice, as an SVG string (inlined in report.html) and as PNG bytes (linked from
//! report.md).
//!
//! What this module does not do: decide which figures a report has or what their data is
//! ([`super::context`] does), or write files ([`super::ReportWriter`] does).
//!
//! Readability rules every figure follows: labelled axes with units, a legend, and a palette
//! that stays apart in greyscale: each platform has a colour of its own lightness *and* its own
//! marker shape and line dash. Text is drawn and measured with the embedded DejaVu Sans, so a
//! machine without fonts draws the same PNG.

use std::sync::Once;

use anyhow::{anyhow, Result};
use plotters::coord::ranged1d::Ranged;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;

/// Size of every figure in pixels (SVG user units and PNG pixels).
pub const SIZE: (u32, u32) = (880, 460);

/// Font family name the embedded font is registered under. SVG text names it too; browsers
/// without DejaVu use their own sans-serif, which is not wider.
const FONT: &str = "sans-serif";

/// The embedded font: DejaVu Sans (assets/fonts/LICENSE-DejaVu.txt).
static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Colours of the arms, in order; the baseline is always the first. Their lightness differs
/// (dark blue, orange, bluish green, reddish purple, sky blue, vermilion: Okabe & Ito's
/// colour-blind safe palette, reordered so neighbours differ in greyscale).
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(0x00, 0x3f, 0x8c),
    RGBColor(0xe6, 0x9f, 0x00),
    RGBColor(0x00, 0x9e, 0x73),
    RGBColor(0xcc, 0x79, 0xa7),
    RGBColor(0x56, 0xb4, 0xe9),
    RGBColor(0xd5, 0x5e, 0x00),
];

const GREY: RGBColor = RGBColor(0x60, 0x60, 0x60);
const LIGHT_GREY: RGBColor = RGBColor(0xe4, 0xe4, 0xe4);

/// Marker shapes, in arm order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    Circle,
    Triangle,
    Square,
    Cross,
    Diamond,
}

const MARKERS: [Marker; 5] =
    [Marker::Circle, Marker::Triangle, Marker::Square, Marker::Diamond, Marker::Cross];

/// Dash patterns (dash, gap) in pixels, in arm order; `None` is a solid line.
const DASHES: [Option<(u32, u32)>; 4] = [None, Some((9, 5)), Some((2, 4)), Some((14, 4))];

/// How arm number `i` (0 = baseline) is drawn.
#[derive(Debug, Clone, Copy)]
struct ArmStyle {
    color: RGBColor,
    marker: Marker,
    dash: Option<(u32, u32)>,
}

fn arm_style(i: usize) -> ArmStyle {
    ArmStyle {
        color: PALETTE[i % PALETTE.len()],
        marker: MARKERS[i % MARKERS.len()],
        dash: DASHES[i % DASHES.len()],
    }
}

/// Settings shared by every figure kind.
#[derive(Debug, Clone, Copy)]
pub struct PlotContext {
    /// Size in pixels.
    pub size: (u32, u32),
    /// Base font size in pixels (tick labels; titles are larger).
    pub font_px: u32,
    /// Confidence level of the intervals, for legends (`0.95`).
    pub confidence: f64,
}

impl Default for PlotContext {
    fn default() -> PlotContext {
        PlotContext { size: SIZE, font_px: 14, confidence: 0.95 }
    }
}

/// One arm's runs and mean of one metric.
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

/// Data of [`primary_metric`].
#[derive(Debug, Clone, Serialize)]
pub struct PrimaryData {
    /// Figure title.
    pub title: String,
    /// X axis description: what the arms are (`platform`, `campaign`).
    pub x_desc: String,
    /// Y axis description with unit.
    pub y_desc: String,
    /// One entry per arm, in display order.
    pub arms: Vec<ArmValues>,
}

/// One bar of [`overhead_bars`].
#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    /// Index into the categories.
    pub category: usize,
    /// Index into the arms of the figure.
    pub arm: usize,
    /// Cost ratio against the baseline (2 = twice the time per unit of work, or twice the
    /// latency or resource used); positive.
    pub value: f64,
    /// Interval, or `None` when it is unbounded.
    pub ci: Option<(f64, f64)>,
    /// Text at the bar's end: the value as the report writes it (`×7.37`), with a note
    /// (`not judged`, `interval unbounded`) when there is one.
    pub label: String,
}

/// Data of [`overhead_bars`].
#[derive(Debug, Clone, Serialize)]
pub struct OverheadData {
    /// Figure title.
    pub title: String,
    /// Category labels (metrics or workloads), top to bottom.
    pub categories: Vec<String>,
    /// Arms compared with the baseline: `(name, style index)`.
    pub arms: Vec<(String, usize)>,
    /// The bars.
    pub bars: Vec<Bar>,
    /// The baseline's name, for the axis description.
    pub baseline: String,
}

/// One line of [`time_series`]: one run.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// Index into the arms of the figure.
    pub arm: usize,
    /// `(t_s, value)` points in time order.
    pub points: Vec<(f64, f64)>,
}

/// Data of [`time_series`].
#[derive(Debug, Clone, Serialize)]
pub struct SeriesData {
    /// Figure title.
    pub title: String,
    /// Y axis description with unit.
    pub y_desc: String,
    /// Arms: `(name, style index)`.
    pub arms: Vec<(String, usize)>,
    /// One line per run.
    pub lines: Vec<Line>,
}

/// Data of [`percentiles`].
#[derive(Debug, Clone, Serialize)]
pub struct PercentileData {
    /// Figure title.
    pub title: String,
    /// Y axis description with unit.
    pub y_desc: String,
    /// Percentile labels, left to right (`p50`, `p99.9`).
    pub percentiles: Vec<String>,
    /// Per arm, per percentile: the runs' values and mean/interval.
    pub arms: Vec<(ArmValues, Vec<Option<ArmValues>>)>,
}

/// What a figure shows.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FigureData {
    /// Primary metric per arm, runs as points, mean with interval.
    Primary(PrimaryData),
    /// Overhead bars around zero with intervals.
    Overhead(OverheadData),
    /// Time series of one metric, one line per run.
    Series(SeriesData),
    /// Latency percentiles per arm.
    Percentiles(PercentileData),
}

impl FigureData {
    /// The figure's title.
    pub fn title(&self) -> &str {
        match self {
            FigureData::Primary(d) => &d.title,
            FigureData::Overhead(d) => &d.title,
            FigureData::Series(d) => &d.title,
            FigureData::Percentiles(d) => &d.title,
        }
    }

    /// Draws the figure on `root`.
    pub fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: PlotContext) -> DrawResult {
        match self {
            FigureData::Primary(d) => primary_metric(root, ctx, d),
            FigureData::Overhead(d) => overhead_bars(root, ctx, d),
            FigureData::Series(d) => time_series(root, ctx, d),
            FigureData::Percentiles(d) => percentiles(root, ctx, d),
        }
    }
}

/// Result of a drawing function; the error is plotters' message.
pub type DrawResult = std::result::Result<(), String>;

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Registers the embedded font with plotters (once per process).
pub fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is embedded and parsed by the tests, so this cannot fail at run time.
        if plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES).is_err() {
            unreachable!("the embedded DejaVu Sans does not parse");
        }
    });
}

/// Draws `fig` as an SVG document.
pub fn render_svg(fig: &FigureData, ctx: PlotContext) -> Result<String> {
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
pub fn render_png(fig: &FigureData, ctx: PlotContext) -> Result<Vec<u8>> {
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
        let mut writer = enc.write_header()?;
        writer.write_image_data(&rgb)?;
    }
    Ok(png_bytes)
}

/// plotters' bitmap backend with text drawn right. plotters' ab_glyph text (0.3.7) places each
/// glyph at the pen position without its left side bearing, so letters crowd and touch ("cl"
/// reads as "d"). This backend hands every shape to the bitmap backend and draws text itself:
/// the same layout box and anchors as plotters, glyphs positioned by ab_glyph with their
/// bearing, at sub-pixel pen positions. Only the PNG needs it: in the SVG the browser draws text.
struct PngBackend<'a>(BitMapBackend<'a>);

type BackendResult<E> = std::result::Result<(), plotters_backend::DrawingErrorKind<E>>;

impl DrawingBackend for PngBackend<'_> {
    type ErrorType = <BitMapBackend<'static> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }
    fn ensure_prepared(&mut self) -> BackendResult<Self::ErrorType> {
        self.0.ensure_prepared()
    }
    fn present(&mut self) -> BackendResult<Self::ErrorType> {
        self.0.present()
    }
    fn draw_pixel(
        &mut self,
        point: plotters_backend::BackendCoord,
        color: plotters_backend::BackendColor,
    ) -> BackendResult<Self::ErrorType> {
        self.0.draw_pixel(point, color)
    }
    fn draw_line<S: plotters_backend::BackendStyle>(
        &mut self,
        from: plotters_backend::BackendCoord,
        to: plotters_backend::BackendCoord,
        style: &S,
    ) -> BackendResult<Self::ErrorType> {
        self.0.draw_line(from, to, style)
    }
    fn draw_rect<S: plotters_backend::BackendStyle>(
        &mut self,
        upper_left: plotters_backend::BackendCoord,
        bottom_right: plotters_backend::BackendCoord,
        style: &S,
        fill: bool,
    ) -> BackendResult<Self::ErrorType> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<
        S: plotters_backend::BackendStyle,
        I: IntoIterator<Item = plotters_backend::BackendCoord>,
    >(
        &mut self,
        path: I,
        style: &S,
    ) -> BackendResult<Self::ErrorType> {
        self.0.draw_path(path, style)
    }
    fn draw_circle<S: plotters_backend::BackendStyle>(
        &mut self,
        center: plotters_backend::BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> BackendResult<Self::ErrorType> {
        self.0.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<
        S: plotters_backend::BackendStyle,
        I: IntoIterator<Item = plotters_backend::BackendCoord>,
    >(
        &mut self,
        vert: I,
        style: &S,
    ) -> BackendResult<Self::ErrorType> {
        self.0.fill_polygon(vert, style)
    }
    fn blit_bitmap(
        &mut self,
        pos: plotters_backend::BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> BackendResult<Self::ErrorType> {
        self.0.blit_bitmap(pos, size, src)
    }

    fn draw_text<S: plotters_backend::BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: plotters_backend::BackendCoord,
    ) -> BackendResult<Self::ErrorType> {
        use ab_glyph::{Font, ScaleFont};
        use plotters_backend::text_anchor::{HPos, VPos};
        use plotters_backend::DrawingErrorKind;
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        // The layout box and anchoring of plotters' default `draw_text`, so that text sits
        // where plotters measured it (it measures with the same font and advances).
        let ((min_x, min_y), (max_x, max_y)) =
            style.layout_box(text).map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let trans = style.transform();
        let (w, h) = self.get_size();
        let Ok(font) = ab_glyph::FontRef::try_from_slice(FONT_BYTES) else {
            unreachable!("the embedded DejaVu Sans parses (tested)")
        };
        let size = style.size() as f32;
        let font = font.as_scaled(size);
        let mut pen = 0f32;
        let mut prev = None;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = prev {
                pen += font.kern(p, id);
            }
            prev = Some(id);
            let glyph = id.with_scale_and_position(size, ab_glyph::point(pen, 0.0));
            pen += font.h_advance(id);
            let Some(outline) = font.outline_glyph(glyph) else { continue };
            let bounds = outline.px_bounds();
            // Vertical placement as plotters does it (half the size above the glyph's top).
            let (gx, gy) = (bounds.min.x as i32, (size / 2.0 + bounds.min.y) as i32);
            let mut pixels = Vec::new();
            outline.draw(|x, y, coverage| pixels.push((gx + x as i32, gy + y as i32, coverage)));
            for (x, y, coverage) in pixels {
                let (x, y) = trans.transform(x + dx - min_x, y + dy - min_y);
                let (x, y) = (pos.0 + x, pos.1 + y);
                if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                    self.0.draw_pixel((x, y), color.mix(coverage as f64))?;
                }
            }
        }
        Ok(())
    }
}

fn draw_on<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &FigureData,
    ctx: PlotContext,
) -> DrawResult {
    root.fill(&WHITE).map_err(err)?;
    fig.draw(root, ctx)?;
    root.present().map_err(err)
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

fn font(px: u32) -> TextStyle<'static> {
    (FONT, px).into_font().color(&BLACK)
}

/// Draws the title and returns the area below it.
fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: PlotContext,
    title: &str,
) -> std::result::Result<DrawingArea<DB, Shift>, String> {
    let title = shorten(title, 110);
    root.titled(&title, font(ctx.font_px + 4)).map_err(err)
}

/// Cuts `s` to at most `max` characters, with an ellipsis.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A legend entry.
#[derive(Debug, Clone)]
enum Key {
    /// A marker of arm style `i`, filled or hollow.
    Marker(usize, bool),
    /// A line in arm style `i`.
    Line(usize),
    /// A bar in arm style `i`.
    Bar(usize),
    /// A whisker (interval).
    Whisker,
    /// A dashed grey line (unbounded interval).
    Unbounded,
}

/// Draws a one-row legend (wrapping when it does not fit) at the top of `area` and returns
/// the area below it.
fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: PlotContext,
    entries: &[(Key, String)],
) -> std::result::Result<DrawingArea<DB, Shift>, String> {
    let style = font(ctx.font_px);
    let row_h = ctx.font_px as i32 + 10;
    let (w, _) = area.dim_in_pixel();
    let mut rows: Vec<Vec<(i32, &Key, &str)>> = vec![vec![]];
    let mut x = 60i32;
    for (key, label) in entries {
        let tw =
            area.estimate_text_size(label, &style).map(|(w, _)| w as i32).unwrap_or(8 * label.len() as i32);
        let width = 30 + tw + 24;
        if x + width > w as i32 - 10 && !rows.last().is_some_and(|r| r.is_empty()) {
            rows.push(vec![]);
            x = 60;
        }
        if let Some(row) = rows.last_mut() {
            row.push((x, key, label.as_str()));
        }
        x += width;
    }
    let height = rows.len() as i32 * row_h + 4;
    let (top, rest) = area.split_vertically(height);
    for (r, row) in rows.iter().enumerate() {
        let cy = r as i32 * row_h + row_h / 2;
        for &(x, key, label) in row {
            draw_key(&top, key, (x + 12, cy))?;
            top.draw(&Text::new(
                label.to_string(),
                (x + 30, cy),
                style.pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(err)?;
        }
    }
    Ok(rest)
}

fn draw_key<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, key: &Key, (x, y): (i32, i32)) -> DrawResult {
    match *key {
        Key::Marker(i, filled) => draw_marker(area, arm_style(i), (x, y), 6, filled),
        Key::Line(i) => {
            let s = arm_style(i);
            let pts = vec![(x - 12, y), (x + 12, y)];
            draw_pixel_line(area, &pts, s.color.stroke_width(2), s.dash)?;
            draw_marker(area, s, (x, y), 4, true)
        }
        Key::Bar(i) => {
            let s = arm_style(i);
            area.draw(&Rectangle::new([(x - 10, y - 6), (x + 10, y + 6)], s.color.mix(0.85).filled()))
                .map_err(err)?;
            area.draw(&Rectangle::new([(x - 10, y - 6), (x + 10, y + 6)], BLACK.stroke_width(1))).map_err(err)
        }
        Key::Whisker => {
            let st = BLACK.stroke_width(2);
            area.draw(&PathElement::new(vec![(x - 10, y), (x + 10, y)], st)).map_err(err)?;
            area.draw(&PathElement::new(vec![(x - 10, y - 5), (x - 10, y + 5)], st)).map_err(err)?;
            area.draw(&PathElement::new(vec![(x + 10, y - 5), (x + 10, y + 5)], st)).map_err(err)
        }
        Key::Unbounded => {
            draw_pixel_line(area, &[(x - 12, y), (x + 12, y)], GREY.stroke_width(2), Some((4, 3)))
        }
    }
}

/// Draws a polyline in pixel coordinates, dashed when `dash` is given.
fn draw_pixel_line<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pts: &[(i32, i32)],
    style: ShapeStyle,
    dash: Option<(u32, u32)>,
) -> DrawResult {
    match dash {
        None => area.draw(&PathElement::new(pts.to_vec(), style)).map_err(err),
        Some((d, g)) => {
            let pts = pts.to_vec();
            area.draw(&DashedPathElement::new(pts, d as i32, g as i32, style)).map_err(err)
        }
    }
}

/// Draws a marker of `style` centred at pixel `(x, y)`.
fn draw_marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    style: ArmStyle,
    (x, y): (i32, i32),
    r: i32,
    filled: bool,
) -> DrawResult {
    let c = style.color;
    let shape = if filled { c.filled() } else { c.stroke_width(2) };
    match style.marker {
        Marker::Circle => area.draw(&Circle::new((x, y), r, shape)).map_err(err),
        Marker::Triangle => {
            let pts = vec![(x, y - r - 1), (x - r - 1, y + r), (x + r + 1, y + r)];
            if filled {
                area.draw(&Polygon::new(pts, shape)).map_err(err)
            } else {
                let mut closed = pts.clone();
                closed.push(pts[0]);
                area.draw(&PathElement::new(closed, shape)).map_err(err)
            }
        }
        Marker::Square => area.draw(&Rectangle::new([(x - r, y - r), (x + r, y + r)], shape)).map_err(err),
        Marker::Diamond => {
            let r = r + 1;
            let pts = vec![(x, y - r), (x + r, y), (x, y + r), (x - r, y)];
            if filled {
                area.draw(&Polygon::new(pts, shape)).map_err(err)
            } else {
                let mut closed = pts.clone();
                closed.push(pts[0]);
                area.draw(&PathElement::new(closed, shape)).map_err(err)
            }
        }
        Marker::Cross => {
            let st = c.stroke_width(if filled { 3 } else { 2 });
            area.draw(&PathElement::new(vec![(x - r, y - r), (x + r, y + r)], st)).map_err(err)?;
            area.draw(&PathElement::new(vec![(x - r, y + r), (x + r, y - r)], st)).map_err(err)
        }
    }
}

/// Clamps a data value to a window a few axis spans around `(lo, hi)`, so that plotters'
/// pixel arithmetic cannot overflow on a value far outside the axis (its `map` saturates the
/// cast to `i32` and then adds the area's offset). What is drawn beyond the axis is clipped
/// anyway.
fn near((lo, hi): (f64, f64), v: f64) -> f64 {
    let span = (hi - lo).abs();
    v.clamp(lo - 2.0 * span, hi + 2.0 * span)
}

/// A padded axis range covering `values`; never empty.
fn padded_range(values: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    // Keep the span (and the padding) finite: values near f64::MAX would overflow it.
    let (lo, hi) = (lo.max(-1e300), hi.min(1e300));
    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.05 };
        return (lo - d, hi + d);
    }
    let d = (hi - lo) * pad;
    (lo - d, hi + d)
}

/// Tick label of an axis value: at most 4 significant digits, k/M for large values.
pub fn axis_label(v: f64) -> String {
    let a = v.abs();
    let (x, suffix) = if a >= 1e9 {
        (v / 1e9, "G")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e4 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let s = if x == 0.0 {
        "0".to_string()
    } else {
        let digits = (3 - x.abs().log10().floor() as i32).clamp(0, 6) as usize;
        let s = format!("{x:.digits$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    format!("{s}{suffix}")
}

/// A category axis: categories `0..n` at whole numbers, the axis from -0.5 to n - 0.5, a key
/// point (tick and label) at each category and nowhere else.
#[derive(Debug, Clone, Copy)]
struct Categories(usize);

impl Ranged for Categories {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.0.max(1) as f64;
        let frac = (value + 0.5) / span;
        limit.0 + (frac * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        (0..self.0).map(|i| i as f64).collect()
    }

    fn range(&self) -> std::ops::Range<f64> {
        -0.5..self.0.max(1) as f64 - 0.5
    }
}

/// The label of a category key point, or empty between categories.
fn category_label(names: &[String], v: f64) -> String {
    let i = v.round();
    if (v - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    names.get(i as usize).map(|s| shorten(s, 40)).unwrap_or_default()
}

/// Width in pixels of the widest of `labels` in `style`.
fn widest<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, labels: &[String], px: u32) -> u32 {
    let style = font(px);
    labels
        .iter()
        .map(|l| {
            area.estimate_text_size(&shorten(l, 40), &style).map(|(w, _)| w).unwrap_or(8 * l.len() as u32)
        })
        .max()
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------
// Figure kinds

/// The primary metric per arm: every run as a hollow marker (spread sideways so equal values
/// stay visible), the mean as a filled marker with its interval as a whisker.
pub fn primary_metric<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: PlotContext,
    d: &PrimaryData,
) -> DrawResult {
    let area = titled(root, ctx, &d.title)?;
    let pct = (ctx.confidence * 100.0).round();
    let mut keys = Vec::new();
    for a in &d.arms {
        keys.push((Key::Marker(a.style, false), format!("{}: one run", a.name)));
    }
    keys.push((Key::Marker(d.arms.first().map(|a| a.style).unwrap_or(0), true), "mean (filled)".to_string()));
    keys.push((Key::Whisker, format!("{pct:.0}% interval of the mean")));
    let area = legend(&area, ctx, &keys)?;
    let n = d.arms.len().max(1);
    let (lo, hi) = padded_range(
        d.arms
            .iter()
            .flat_map(|a| a.values.iter().copied().chain(a.ci.into_iter().flat_map(|(l, h)| [l, h]))),
        0.08,
    );
    let names: Vec<String> = d.arms.iter().map(|a| a.name.clone()).collect();
    let mut chart = ChartBuilder::on(&area)
        .margin(10)
        .margin_right(24)
        .x_label_area_size(ctx.font_px * 3)
        .y_label_area_size(ctx.font_px * 6)
        .build_cartesian_2d(Categories(n), lo..hi)
        .map_err(err)?;
    let xfmt = |v: &f64| category_label(&names, *v);
    let yfmt = |v: &f64| axis_label(*v);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(LIGHT_GREY)
        .x_desc(d.x_desc.as_str())
        .y_desc(d.y_desc.as_str())
        .x_label_formatter(&xfmt)
        .y_label_formatter(&yfmt)
        .label_style(font(ctx.font_px))
        .axis_desc_style(font(ctx.font_px))
        .draw()
        .map_err(err)?;
    let plot = chart.plotting_area();
    let at = |x: f64, v: f64| plot.map_coordinate(&(x, near((lo, hi), v)));
    for (i, a) in d.arms.iter().enumerate() {
        let s = arm_style(a.style);
        let m = a.values.len();
        for (j, v) in a.values.iter().enumerate() {
            // Spread the runs over [-0.22, -0.06] left of the category centre.
            let off = if m <= 1 { -0.14 } else { -0.22 + 0.16 * j as f64 / (m - 1) as f64 };
            let p = at(i as f64 + off, *v);
            draw_marker(&plot.use_screen_coord(), s, p, 5, false)?;
        }
        if let Some(mean) = a.mean {
            let x = i as f64 + 0.12;
            if let Some((l, h)) = a.ci {
                let (pl, ph) = (at(x, l), at(x, h));
                let st = BLACK.stroke_width(2);
                let area = plot.use_screen_coord();
                area.draw(&PathElement::new(vec![pl, ph], st)).map_err(err)?;
                area.draw(&PathElement::new(vec![(pl.0 - 8, pl.1), (pl.0 + 8, pl.1)], st)).map_err(err)?;
                area.draw(&PathElement::new(vec![(ph.0 - 8, ph.1), (ph.0 + 8, ph.1)], st)).map_err(err)?;
            }
            let p = at(x, mean);
            draw_marker(&plot.use_screen_coord(), s, p, 7, true)?;
        }
    }
    Ok(())
}

/// A logarithmic value axis from `lo` to `hi` (both positive, `lo < hi`) with key points at
/// 1, 2 and 5 times the powers of ten (only the powers of ten when that gives too many), so
/// that a ratio and its inverse (×2, ×0.5) lie at the same distance from ×1.
#[derive(Debug, Clone, Copy)]
struct LogAxis {
    lo: f64,
    hi: f64,
}

impl LogAxis {
    /// The axis covering `values` (positive and finite ones) and at least ×1/1.2 to ×1.2,
    /// padded by `pad` of its span in log space on each side, and kept within 1e-6..1e6 (twelve
    /// decades are already unreadable; beyond, the values are clamped to the edge).
    fn covering(values: impl Iterator<Item = f64>, pad: f64) -> LogAxis {
        let (mut lo, mut hi) = (1.0 / 1.2_f64, 1.2_f64);
        for v in values.filter(|v| v.is_finite() && *v > 0.0) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        let (lo, hi) = (lo.max(1e-6), hi.min(1e6));
        let span = (hi / lo).ln();
        LogAxis { lo: (lo.ln() - pad * span).exp(), hi: (hi.ln() + pad * span).exp() }
    }

    /// Where `v` lies on the axis, 0 at `lo` and 1 at `hi`; values that are not positive sit at
    /// `lo`, and the result is kept within a few axis lengths (plotters' pixel arithmetic must
    /// not overflow).
    fn frac(&self, v: f64) -> f64 {
        let v = if v.is_finite() && v > 0.0 { v } else { self.lo };
        ((v.ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln())).clamp(-2.0, 3.0)
    }
}

impl Ranged for LogAxis {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        limit.0 + (self.frac(*value) * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        let max = hint.max_num_points().clamp(3, 9);
        let (k0, k1) = (self.lo.log10().floor() as i32, self.hi.log10().ceil() as i32);
        let within = |steps: &[f64]| -> Vec<f64> {
            (k0..=k1)
                .flat_map(|k| steps.iter().map(move |m| m * 10f64.powi(k)))
                .filter(|v| *v >= self.lo && *v <= self.hi)
                .collect()
        };
        let fine = within(&[1.0, 2.0, 5.0]);
        if fine.len() < 3 {
            // A narrow axis around ×1.
            let near_one = [0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.5, 1.7, 2.0];
            return near_one.into_iter().filter(|v| *v >= self.lo && *v <= self.hi).collect();
        }
        if fine.len() <= max {
            return fine;
        }
        let decades = within(&[1.0]);
        let step = decades.len().div_ceil(max).max(1);
        // Every `step`-th decade, counted from ×1 so that it stays.
        decades.into_iter().filter(|v| (v.log10().round() as i64).rem_euclid(step as i64) == 0).collect()
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// Cost ratio per arm as horizontal bars from ×1 on a log axis, with interval whiskers; one
/// group of bars per category (metric or workload). A bar to the right of ×1 costs more than
/// the baseline (slower, or uses more), to the left less; on the log axis ×2 and ×0.5 are
/// equally long. An unbounded interval is drawn as a dashed grey line across the whole axis.
/// Each bar carries its label as text, so the figure reads in greyscale too.
pub fn overhead_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: PlotContext,
    d: &OverheadData,
) -> DrawResult {
    let area = titled(root, ctx, &d.title)?;
    let pct = (ctx.confidence * 100.0).round();
    // Only the arms that have a bar get a slot and a legend entry (an arm without comparisons,
    // e.g. without parameters in common with the baseline, would be a gap and a stray key).
    let used: Vec<usize> = (0..d.arms.len()).filter(|i| d.bars.iter().any(|b| b.arm == *i)).collect();
    let slot = |arm: usize| used.iter().position(|&u| u == arm);
    let mut keys: Vec<(Key, String)> =
        used.iter().map(|&i| (Key::Bar(d.arms[i].1), d.arms[i].0.clone())).collect();
    keys.push((Key::Whisker, format!("{pct:.0}% interval")));
    if d.bars.iter().any(|b| b.ci.is_none()) {
        keys.push((Key::Unbounded, "interval unbounded".to_string()));
    }
    let area = legend(&area, ctx, &keys)?;
    let n = d.categories.len().max(1);
    // Padded for the value labels at the bar ends.
    let axis = LogAxis::covering(
        d.bars.iter().flat_map(|b| [b.value].into_iter().chain(b.ci.into_iter().flat_map(|(l, h)| [l, h]))),
        0.2,
    );
    let (lo, hi) = (axis.lo, axis.hi);
    // Category 0 at the top.
    let names: Vec<String> = d.categories.iter().rev().cloned().collect();
    let label_w = widest(&area, &names, ctx.font_px) + 16;
    let mut chart = ChartBuilder::on(&area)
        .margin(10)
        .margin_right(24)
        .x_label_area_size(ctx.font_px * 3)
        .y_label_area_size(label_w.max(40))
        .build_cartesian_2d(axis, Categories(n))
        .map_err(err)?;
    let yfmt = |v: &f64| category_label(&names, *v);
    let xfmt = |v: &f64| format!("×{}", axis_label(*v));
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(LIGHT_GREY)
        .x_desc(format!(
            "cost ratio against {} (log scale; ×2 = twice the cost per unit of work)",
            shorten(&d.baseline, 30)
        ))
        .y_label_formatter(&yfmt)
        .x_label_formatter(&xfmt)
        .label_style(font(ctx.font_px))
        .axis_desc_style(font(ctx.font_px))
        .draw()
        .map_err(err)?;
    let plot = chart.plotting_area();
    let flat = plot.use_screen_coord();
    let at = |v: f64, y: f64| plot.map_coordinate(&(v, y));
    // The line of no change, ×1.
    let (z0, z1) = (at(1.0, -0.5), at(1.0, n as f64 - 0.5));
    flat.draw(&PathElement::new(vec![z0, z1], BLACK.stroke_width(1))).map_err(err)?;
    let k = used.len().max(1) as f64;
    let band = 0.8 / k;
    let small = font(ctx.font_px - 2);
    for b in &d.bars {
        let (Some(&(_, style)), Some(slot)) = (d.arms.get(b.arm), slot(b.arm)) else { continue };
        let s = arm_style(style);
        let yc = (n - 1 - b.category) as f64 + 0.4 - band * (slot as f64 + 0.5);
        let (y0, y1) = (yc - band * 0.38, yc + band * 0.38);
        let right = b.value >= 1.0;
        let p0 = at(1.0, y0);
        let p1 = at(b.value, y1);
        flat.draw(&Rectangle::new([p0, p1], s.color.mix(0.85).filled())).map_err(err)?;
        flat.draw(&Rectangle::new([p0, p1], BLACK.stroke_width(1))).map_err(err)?;
        let pc = at(b.value, yc);
        let label_x = match b.ci {
            Some((l, h)) => {
                let (pl, ph) = (at(l, yc), at(h, yc));
                let st = BLACK.stroke_width(2);
                flat.draw(&PathElement::new(vec![pl, ph], st)).map_err(err)?;
                flat.draw(&PathElement::new(vec![(pl.0, pl.1 - 6), (pl.0, pl.1 + 6)], st)).map_err(err)?;
                flat.draw(&PathElement::new(vec![(ph.0, ph.1 - 6), (ph.0, ph.1 + 6)], st)).map_err(err)?;
                if right {
                    pl.0.max(ph.0).max(pc.0)
                } else {
                    pl.0.min(ph.0).min(pc.0)
                }
            }
            None => {
                let (pl, ph) = (at(lo, yc), at(hi, yc));
                draw_pixel_line(&flat, &[pl, ph], GREY.stroke_width(2), Some((4, 3)))?;
                pc.0
            }
        };
        let text = b.label.clone();
        let (anchor, dx) = if right { (HPos::Left, 6) } else { (HPos::Right, -6) };
        // Keep the label inside the plot: flip it to the other side when it would run out.
        let (xr, _) = plot.get_pixel_range();
        let tw = flat.estimate_text_size(&text, &small).map(|(w, _)| w as i32).unwrap_or(60);
        let (anchor, x) = match anchor {
            HPos::Left if label_x + dx + tw > xr.end => (HPos::Right, pc.0.min(label_x) - 6),
            HPos::Right if label_x + dx - tw < xr.start => (HPos::Left, pc.0.max(label_x) + 6),
            _ => (anchor, label_x + dx),
        };
        let (x0, x1) = if matches!(anchor, HPos::Left) { (x - 2, x + tw + 2) } else { (x - tw - 2, x + 2) };
        let th = ctx.font_px as i32 / 2 + 2;
        flat.draw(&Rectangle::new([(x0, pc.1 - th), (x1, pc.1 + th)], WHITE.mix(0.85).filled()))
            .map_err(err)?;
        flat.draw(&Text::new(text, (x, pc.1), small.pos(Pos::new(anchor, VPos::Center)))).map_err(err)?;
    }
    Ok(())
}

/// A metric over time, one line per run, coloured and dashed by arm, on a common time axis
/// (seconds since each run's first sample).
pub fn time_series<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: PlotContext,
    d: &SeriesData,
) -> DrawResult {
    let area = titled(root, ctx, &d.title)?;
    let keys: Vec<(Key, String)> = d
        .arms
        .iter()
        .map(|(n, s)| {
            let runs = d.lines.iter().filter(|l| d.arms.get(l.arm).is_some_and(|a| a.1 == *s)).count();
            (Key::Line(*s), format!("{n} ({runs} run{})", if runs == 1 { "" } else { "s" }))
        })
        .collect();
    let area = legend(&area, ctx, &keys)?;
    let (x0, x1) = padded_range(d.lines.iter().flat_map(|l| l.points.iter().map(|p| p.0)).chain([0.0]), 0.02);
    let (y0, y1) = padded_range(d.lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)).chain([0.0]), 0.06);
    let x0 = x0.max(0.0);
    let y0 = if y0 < 0.0 && d.lines.iter().all(|l| l.points.iter().all(|p| p.1 >= 0.0)) { 0.0 } else { y0 };
    let mut chart = ChartBuilder::on(&area)
        .margin(10)
        .margin_right(24)
        .x_label_area_size(ctx.font_px * 3)
        .y_label_area_size(ctx.font_px * 6)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    let yfmt = |v: &f64| axis_label(*v);
    let xfmt = |v: &f64| axis_label(*v);
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(LIGHT_GREY)
        .x_desc("time since the run started (s)")
        .y_desc(d.y_desc.as_str())
        .x_label_formatter(&xfmt)
        .y_label_formatter(&yfmt)
        .label_style(font(ctx.font_px))
        .axis_desc_style(font(ctx.font_px))
        .draw()
        .map_err(err)?;
    let plot = chart.plotting_area();
    let flat = plot.use_screen_coord();
    for line in &d.lines {
        let Some(&(_, style)) = d.arms.get(line.arm) else { continue };
        let s = arm_style(style);
        let pts: Vec<(i32, i32)> = line
            .points
            .iter()
            .map(|&(t, v)| plot.map_coordinate(&(near((x0, x1), t), near((y0, y1), v))))
            .collect();
        if pts.is_empty() {
            continue;
        }
        draw_pixel_line(&flat, &pts, s.color.stroke_width(2), s.dash)?;
        // Markers on about eight points of each line, so the arms differ without colour.
        let step = (pts.len() / 8).max(1);
        for p in pts.iter().step_by(step) {
            draw_marker(&flat, s, *p, 4, true)?;
        }
    }
    Ok(())
}

/// Latency percentiles per arm: the mean over runs at each percentile, joined by a line, with
/// its interval as a whisker, and the runs as small hollow markers.
pub fn percentiles<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: PlotContext,
    d: &PercentileData,
) -> DrawResult {
    let area = titled(root, ctx, &d.title)?;
    let pct = (ctx.confidence * 100.0).round();
    let mut keys: Vec<(Key, String)> =
        d.arms.iter().map(|(a, _)| (Key::Line(a.style), format!("{} (mean)", a.name))).collect();
    keys.push((Key::Marker(d.arms.first().map(|a| a.0.style).unwrap_or(0), false), "one run".to_string()));
    keys.push((Key::Whisker, format!("{pct:.0}% interval")));
    let area = legend(&area, ctx, &keys)?;
    let values: Vec<f64> = d
        .arms
        .iter()
        .flat_map(|(_, ps)| ps.iter().flatten())
        .flat_map(|p| {
            p.values.iter().copied().chain(p.mean).chain(p.ci.into_iter().flat_map(|(l, h)| [l, h]))
        })
        .filter(|v| v.is_finite())
        .collect();
    let positive = values.iter().copied().filter(|v| *v > 0.0);
    let (pmin, pmax) = positive.fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    // Tails span decades (p50 of 50 µs, p99.9 of 7 ms): a log axis when the values do.
    // Not beyond nine decades, and only with finite ends: plotters walks every decade of a
    // log axis (an infinite end never stops).
    let (lo, hi) = (pmin / 1.6, pmax * 1.6);
    if lo > 0.0 && hi.is_finite() && pmax / pmin > 30.0 && pmax / pmin <= 1e9 {
        let desc = match d.y_desc.strip_suffix(')') {
            Some(head) => format!("{head}; log scale)"),
            None => format!("{} (log scale)", d.y_desc),
        };
        percentile_plot(&area, ctx, d, (lo..hi).log_scale(), &desc, (lo, hi))
    } else {
        let (y0, y1) = padded_range(values.iter().copied().chain([0.0]), 0.06);
        let y0 = y0.max(0.0);
        let span = y1 - y0;
        percentile_plot(&area, ctx, d, y0..y1, &d.y_desc, (y0, y1 + 2.0 * span))
    }
}

fn percentile_plot<DB: DrawingBackend, Y>(
    area: &DrawingArea<DB, Shift>,
    ctx: PlotContext,
    d: &PercentileData,
    y: Y,
    y_desc: &str,
    (lo, hi): (f64, f64),
) -> DrawResult
where
    Y: plotters::coord::ranged1d::AsRangedCoord<Value = f64>,
    Y::CoordDescType: plotters::coord::ranged1d::ValueFormatter<f64>,
{
    let n = d.percentiles.len().max(1);
    let mut chart = ChartBuilder::on(area)
        .margin(10)
        .margin_right(24)
        .x_label_area_size(ctx.font_px * 3)
        .y_label_area_size(ctx.font_px * 6)
        .build_cartesian_2d(Categories(n), y)
        .map_err(err)?;
    let xfmt = |v: &f64| category_label(&d.percentiles, *v);
    let yfmt = |v: &f64| axis_label(*v);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(LIGHT_GREY)
        .x_desc("percentile")
        .y_desc(y_desc)
        .x_label_formatter(&xfmt)
        .y_label_formatter(&yfmt)
        .label_style(font(ctx.font_px))
        .axis_desc_style(font(ctx.font_px))
        .draw()
        .map_err(err)?;
    let plot = chart.plotting_area();
    let flat = plot.use_screen_coord();
    let at = |x: f64, v: f64| plot.map_coordinate(&(x, v.clamp(lo, hi)));
    let k = d.arms.len().max(1) as f64;
    for (ai, (arm, ps)) in d.arms.iter().enumerate() {
        let s = arm_style(arm.style);
        // Arms side by side within each percentile, so whiskers do not hide each other.
        let off = -0.2 + 0.4 * (ai as f64 + 0.5) / k;
        let mut line = Vec::new();
        for (i, p) in ps.iter().enumerate() {
            let Some(p) = p else { continue };
            let x = i as f64 + off;
            for v in &p.values {
                draw_marker(&flat, s, at(x - 0.07, *v), 3, false)?;
            }
            if let Some((l, h)) = p.ci {
                let (pl, ph) = (at(x, l), at(x, h));
                let st = BLACK.stroke_width(1);
                flat.draw(&PathElement::new(vec![pl, ph], st)).map_err(err)?;
                flat.draw(&PathElement::new(vec![(pl.0 - 5, pl.1), (pl.0 + 5, pl.1)], st)).map_err(err)?;
                flat.draw(&PathElement::new(vec![(ph.0 - 5, ph.1), (ph.0 + 5, ph.1)], st)).map_err(err)?;
            }
            if let Some(m) = p.mean {
                line.push(at(x, m));
            }
        }
        draw_pixel_line(&flat, &line, s.color.stroke_width(2), s.dash)?;
        for p in &line {
            draw_marker(&flat, s, *p, 5, true)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_labels_are_short() {
        assert_eq!(axis_label(0.0), "0");
        assert_eq!(axis_label(585.71), "585.7");
        assert_eq!(axis_label(25307.56), "25.31k");
        assert_eq!(axis_label(1.5e6), "1.5M");
        assert_eq!(axis_label(0.0125), "0.0125");
        assert_eq!(axis_label(-2.5), "-2.5");
    }

    /// The cost-ratio axis: ×1 always inside, ticks at 1-2-5 times powers of ten (only
    /// decades when those are too many), ×2 as far right of ×1 as ×0.5 is left of it.
    #[test]
    fn log_axis_ticks_and_symmetry() {
        struct Hint(usize);
        impl plotters::coord::ranged1d::KeyPointHint for Hint {
            fn max_num_points(&self) -> usize {
                self.0
            }
            fn weight(&self) -> plotters::coord::ranged1d::KeyPointWeight {
                plotters::coord::ranged1d::KeyPointWeight::Bold
            }
        }
        let a = LogAxis::covering([0.5, 7.37].into_iter(), 0.0);
        assert_eq!((a.lo, a.hi), (0.5, 7.37));
        assert_eq!(a.key_points(Hint(10)), vec![0.5, 1.0, 2.0, 5.0]);
        let (x1, x2, xh) = (a.map(&1.0, (0, 1000)), a.map(&2.0, (0, 1000)), a.map(&0.5, (0, 1000)));
        assert!(((x2 - x1) - (x1 - xh)).abs() <= 1, "{xh} {x1} {x2}");
        // Only values above 1: the axis still holds ×1 (and ×1/1.2); near ×1 the ticks are finer.
        assert_eq!(LogAxis::covering([3.0].into_iter(), 0.0).lo, 1.0 / 1.2);
        let near = LogAxis::covering([1.01, 1.02].into_iter(), 0.0);
        assert_eq!(near.key_points(Hint(10)), vec![0.9, 1.0, 1.1, 1.2]);
        let wide = LogAxis::covering([1e-4, 1e4].into_iter(), 0.0);
        let ticks = wide.key_points(Hint(9));
        assert!(ticks.len() <= 9 && ticks.contains(&1.0), "{ticks:?}");
        assert!(ticks.iter().all(|t| (t.log10() - t.log10().round()).abs() < 1e-9), "{ticks:?}");
        // Values that are not positive or finite neither move the axis nor escape it.
        let odd = LogAxis::covering([0.0, -3.0, f64::NAN, f64::INFINITY, 2.0].into_iter(), 0.0);
        assert_eq!((odd.lo, odd.hi), (1.0 / 1.2, 2.0));
        assert_eq!(odd.frac(-1.0), 0.0);
        assert_eq!(odd.frac(1e300), 3.0);
    }

    #[test]
    fn ranges_are_never_empty() {
        assert_eq!(padded_range([].into_iter(), 0.1), (0.0, 1.0));
        let (lo, hi) = padded_range([5.0, 5.0].into_iter(), 0.1);
        assert!(lo < 5.0 && hi > 5.0);
        let (lo, hi) = padded_range([f64::NAN, 1.0, 3.0].into_iter(), 0.5);
        assert_eq!((lo, hi), (0.0, 4.0));
    }

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
