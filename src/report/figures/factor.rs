//! The primary metric against one factor (a workload parameter such as `threads`, or a
//! platform setting of a plan's matrix such as `cpus` or `format`): one line per platform (or
//! per group of platforms one matrix made, with the other factors fixed) through the means at
//! each level, each mean with its interval and the runs beside it.

use plotters::coord::ranged1d::{KeyPointHint, Ranged};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use super::axes::{axis_label, padded_range, LogAxis};
use super::parts::{draw_marker, draw_pixel_line, err, legend, shorten, titled, Key};
use super::style::{arm_style, font, PlotContext, LIGHT_GREY};
use super::{ArmValues, DrawResult, Plot};

/// How the levels of a factor are placed on the x axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FactorScale {
    /// Categories, evenly spaced in the order given (levels that are not all numbers).
    Category,
    /// A linear numeric axis (numeric levels spanning at most 10 times).
    Linear,
    /// A logarithmic numeric axis (positive numeric levels spanning more than 10 times).
    Log,
}

/// One line of a factor figure.
#[derive(Debug, Clone, Serialize)]
pub struct FactorLine {
    /// What the line is: the platform, and the other factors held fixed along it.
    pub name: String,
    /// Index of its style (the arm's style when the line is one arm's).
    pub style: usize,
    /// Per level (in [`FactorData::levels`] order): the runs, mean and interval, or `None`
    /// where the line has no runs at that level. `ArmValues::name` is the arm measured there.
    pub points: Vec<Option<ArmValues>>,
}

/// Data of a factor figure.
#[derive(Debug, Clone, Serialize)]
pub struct FactorData {
    /// Figure title.
    pub title: String,
    /// X axis description: the factor (with `log scale` when it is one).
    pub x_desc: String,
    /// Y axis description with unit and better direction.
    pub y_desc: String,
    /// The levels as the plan or the output writes them, left to right.
    pub levels: Vec<String>,
    /// The x position of each level: its number on a numeric axis, its index on a category one.
    pub positions: Vec<f64>,
    /// How the levels are placed.
    pub scale: FactorScale,
    /// The lines.
    pub lines: Vec<FactorLine>,
}

impl Plot for FactorData {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: PlotContext) -> DrawResult {
        factor(root, ctx, self)
    }
}

/// The x axis of a factor figure: the levels at their positions (categories, linear or
/// logarithmic), with a tick at each level and nowhere else.
#[derive(Debug, Clone)]
struct LevelAxis {
    /// Positions of the levels.
    positions: Vec<f64>,
    /// Left and right ends, in the axis' own terms (logarithms on a log axis).
    ends: (f64, f64),
    /// Whether positions are mapped through their logarithm.
    log: bool,
}

impl LevelAxis {
    fn new(d: &FactorData) -> LevelAxis {
        let log = d.scale == FactorScale::Log && d.positions.iter().all(|p| p.is_finite() && *p > 0.0);
        let t: Vec<f64> = d.positions.iter().map(|p| if log { p.ln() } else { *p }).collect();
        let (lo, hi) = match d.scale {
            FactorScale::Category => (-0.5, d.positions.len().max(1) as f64 - 0.5),
            _ => {
                let (lo, hi) = padded_range(t.iter().copied(), 0.08);
                (lo, hi)
            }
        };
        LevelAxis { positions: d.positions.clone(), ends: (lo, hi), log }
    }

    /// Where `v` lies, 0 at the left end and 1 at the right, kept within a few axis lengths.
    fn frac(&self, v: f64) -> f64 {
        let t = if self.log { v.max(f64::MIN_POSITIVE).ln() } else { v };
        let (lo, hi) = self.ends;
        if hi - lo <= 0.0 || !t.is_finite() {
            return 0.5;
        }
        ((t - lo) / (hi - lo)).clamp(-2.0, 3.0)
    }
}

impl Ranged for LevelAxis {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        limit.0 + (self.frac(*value) * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        self.positions.clone()
    }

    fn range(&self) -> std::ops::Range<f64> {
        if self.log {
            self.ends.0.exp()..self.ends.1.exp()
        } else {
            self.ends.0..self.ends.1
        }
    }
}

/// The primary metric against the factor: per line, the mean at each level joined by a line,
/// its interval as a whisker, and the runs as small hollow markers left of it.
pub(crate) fn factor<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: PlotContext,
    d: &FactorData,
) -> DrawResult {
    let area = titled(root, ctx, &d.title)?;
    let pct = ctx.confidence_pct();
    let mut keys: Vec<(Key, String)> =
        d.lines.iter().map(|l| (Key::Line(l.style), format!("{} (mean)", shorten(&l.name, 60)))).collect();
    keys.push((Key::Marker(d.lines.first().map(|l| l.style).unwrap_or(0), false), "one run".to_string()));
    keys.push((Key::Whisker, format!("{pct}% interval of the mean")));
    let area = legend(&area, ctx, &keys)?;
    let values: Vec<f64> = d
        .lines
        .iter()
        .flat_map(|l| l.points.iter().flatten())
        .flat_map(|p| {
            p.values.iter().copied().chain(p.mean).chain(p.ci.into_iter().flat_map(|(l, h)| [l, h]))
        })
        .filter(|v| v.is_finite())
        .collect();
    let means: Vec<f64> =
        d.lines.iter().flat_map(|l| l.points.iter().flatten()).filter_map(|p| p.mean).collect();
    let (mmin, mmax) = means.iter().fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(*v), b.max(*v)));
    // Means that span decades (events/s at cpu-max-prime 1000 and 20000): a log axis, or the
    // small ones would lie flat on zero. Only with positive, finite ends, within nine decades.
    let (lo, hi) = (mmin / 1.6, mmax * 1.6);
    if lo > 0.0 && hi.is_finite() && mmax / mmin > 30.0 && mmax / mmin <= 1e9 {
        let desc = match d.y_desc.strip_suffix(')') {
            Some(head) => format!("{head}; log scale)"),
            None => format!("{} (log scale)", d.y_desc),
        };
        factor_plot(&area, ctx, d, LogAxis { lo, hi }, &desc, (lo, hi))
    } else {
        let (y0, y1) = padded_range(values.iter().copied().chain([0.0]), 0.06);
        let span = y1 - y0;
        factor_plot(&area, ctx, d, y0..y1, &d.y_desc, (y0 - 2.0 * span, y1 + 2.0 * span))
    }
}

/// Draws the lines of `d` on `area` with the y axis `y`; values are clamped to `(lo, hi)`
/// before they are mapped to pixels.
fn factor_plot<DB: DrawingBackend, Y>(
    area: &DrawingArea<DB, Shift>,
    ctx: PlotContext,
    d: &FactorData,
    y: Y,
    y_desc: &str,
    (lo, hi): (f64, f64),
) -> DrawResult
where
    Y: plotters::coord::ranged1d::AsRangedCoord<Value = f64>,
    Y::CoordDescType: plotters::coord::ranged1d::ValueFormatter<f64>,
{
    let x = LevelAxis::new(d);
    let mut chart = ChartBuilder::on(area)
        .margin(10)
        .margin_right(24)
        .x_label_area_size(ctx.font_px * 3)
        .y_label_area_size(ctx.font_px * 6)
        .build_cartesian_2d(x, y)
        .map_err(err)?;
    let xfmt = |v: &f64| {
        d.positions
            .iter()
            .position(|p| (p - v).abs() <= 1e-9 * p.abs().max(1.0))
            .and_then(|i| d.levels.get(i))
            .map(|s| shorten(s, 24))
            .unwrap_or_default()
    };
    let yfmt = |v: &f64| axis_label(*v);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(LIGHT_GREY)
        .x_desc(d.x_desc.as_str())
        .y_desc(y_desc)
        .x_label_formatter(&xfmt)
        .y_label_formatter(&yfmt)
        .label_style(font(ctx.font_px))
        .axis_desc_style(font(ctx.font_px))
        .draw()
        .map_err(err)?;
    let plot = chart.plotting_area();
    let flat = plot.use_screen_coord();
    let at = |px: f64, v: f64| plot.map_coordinate(&(px, if v.is_finite() { v.clamp(lo, hi) } else { lo }));
    let k = d.lines.len().max(1) as i32;
    for (li, line) in d.lines.iter().enumerate() {
        let s = arm_style(line.style);
        // Lines side by side at each level (a few pixels apart), so whiskers do not hide each
        // other.
        let shift = (li as i32 * 2 - (k - 1)) * 7;
        let mut means = Vec::new();
        for (i, p) in line.points.iter().enumerate() {
            let (Some(p), Some(&pos)) = (p, d.positions.get(i)) else { continue };
            let (cx, _) = at(pos, lo);
            let cx = cx + shift;
            for v in &p.values {
                let (_, py) = at(pos, *v);
                draw_marker(&flat, s, (cx - 7, py), 3, false)?;
            }
            if let Some((l, h)) = p.ci {
                let ((_, pl), (_, ph)) = (at(pos, l), at(pos, h));
                let st = BLACK.stroke_width(1);
                flat.draw(&PathElement::new(vec![(cx, pl), (cx, ph)], st)).map_err(err)?;
                flat.draw(&PathElement::new(vec![(cx - 5, pl), (cx + 5, pl)], st)).map_err(err)?;
                flat.draw(&PathElement::new(vec![(cx - 5, ph), (cx + 5, ph)], st)).map_err(err)?;
            }
            if let Some(m) = p.mean {
                means.push((cx, at(pos, m).1));
            }
        }
        draw_pixel_line(&flat, &means, s.color.stroke_width(2), s.dash)?;
        for p in &means {
            draw_marker(&flat, s, *p, 5, true)?;
        }
    }
    Ok(())
}
