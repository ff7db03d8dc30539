//! A metric over time, one line per run.

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use super::axes::{axis_label, near, padded_range};
use super::parts::{draw_marker, draw_pixel_line, err, legend, titled, Key};
use super::style::{arm_style, font, PlotContext, LIGHT_GREY};
use super::{DrawResult, Plot};

/// One line of `time_series`: one run.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// Index into the arms of the figure.
    pub arm: usize,
    /// `(t_s, value)` points in time order.
    pub points: Vec<(f64, f64)>,
}

/// Data of `time_series`.
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

impl Plot for SeriesData {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: PlotContext) -> DrawResult {
        time_series(root, ctx, self)
    }
}

/// A metric over time, one line per run, coloured and dashed by arm, on a common time axis
/// (seconds since each run's first sample).
pub(crate) fn time_series<DB: DrawingBackend>(
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
