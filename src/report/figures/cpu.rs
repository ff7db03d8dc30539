//! Where the CPU goes: per arm, the CPU share its monitor measured inside the platform and the
//! one a monitor on the host measured for the container's processes or the QEMU process, as
//! nested bars: what the host paid around what the platform saw.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;

use super::axes::{axis_label, category_label, near, padded_range, Categories};
use super::parts::{self, err, legend, titled, widest, Key};
use super::style::{arm_style, font, PlotContext, LIGHT_GREY};
use super::{DrawResult, Plot};

/// A mean with its interval, when there is one.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Share {
    /// Mean over the runs.
    pub mean: f64,
    /// Interval of the mean.
    pub ci: Option<(f64, f64)>,
}

/// One arm of `cpu_split`.
#[derive(Debug, Clone, Serialize)]
pub struct CpuArm {
    /// Arm name.
    pub name: String,
    /// Index of the arm's style (0 = baseline).
    pub style: usize,
    /// What the monitor inside the platform measured (on native: the host itself).
    pub inside: Option<Share>,
    /// What the host-side monitor measured, when one ran.
    pub host: Option<Share>,
    /// Text at the bar's end (`inside 100.2 %, on the host 118.8 %`).
    pub label: String,
}

/// Data of `cpu_split`.
#[derive(Debug, Clone, Serialize)]
pub struct CpuData {
    /// Figure title.
    pub title: String,
    /// The metric's description for the value axis, with unit.
    pub x_desc: String,
    /// One entry per arm, the baseline first.
    pub arms: Vec<CpuArm>,
}

impl Plot for CpuData {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: PlotContext) -> DrawResult {
        cpu_split(root, ctx, self)
    }
}

/// One horizontal row per arm, from 0: a wide outlined bar for what the host measured, and a
/// narrower solid bar in the arm's colour inside it for what the platform measured, each with
/// its interval as a whisker. Where the outline reaches beyond the solid bar, the host paid more
/// than the platform saw; nothing is stacked, since a VM's host-side figure already holds the
/// guest's own work.
pub(crate) fn cpu_split<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: PlotContext,
    d: &CpuData,
) -> DrawResult {
    let area = titled(root, ctx, &d.title)?;
    let pct = ctx.confidence_pct();
    let mut keys = vec![(Key::Inside, "inside the platform".to_string())];
    if d.arms.iter().any(|a| a.host.is_some()) {
        keys.push((Key::OnHost, "on the host (container's processes, or the QEMU process)".to_string()));
    }
    keys.push((Key::Whisker, format!("{pct}% interval")));
    let area = legend(&area, ctx, &keys)?;
    let n = d.arms.len().max(1);
    let ends = d.arms.iter().flat_map(|a| {
        [a.inside, a.host]
            .into_iter()
            .flatten()
            .flat_map(|s| [0.0, s.mean].into_iter().chain(s.ci.into_iter().flat_map(|(l, h)| [l, h])))
    });
    let (lo, hi) = padded_range(ends, 0.05);
    // Room at the right for the labels at the bar ends.
    let (lo, hi) = (lo.min(0.0), hi + (hi - lo.min(0.0)) * 0.35);
    let names: Vec<String> = d.arms.iter().rev().map(|a| a.name.clone()).collect();
    let label_w = widest(&area, &names, ctx.font_px) + 16;
    let mut chart = ChartBuilder::on(&area)
        .margin(10)
        .margin_right(24)
        .x_label_area_size(ctx.font_px * 3)
        .y_label_area_size(label_w.max(40))
        .build_cartesian_2d(lo..hi, Categories(n))
        .map_err(err)?;
    let yfmt = |v: &f64| category_label(&names, *v);
    let xfmt = |v: &f64| axis_label(*v);
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(LIGHT_GREY)
        .x_desc(d.x_desc.as_str())
        .y_label_formatter(&yfmt)
        .x_label_formatter(&xfmt)
        .label_style(font(ctx.font_px))
        .axis_desc_style(font(ctx.font_px))
        .draw()
        .map_err(err)?;
    let plot = chart.plotting_area();
    let flat = plot.use_screen_coord();
    let at = |v: f64, y: f64| plot.map_coordinate(&(near((lo, hi), v), y));
    let small = font(ctx.font_px - 2);
    for (i, a) in d.arms.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        let s = arm_style(a.style);
        let mut right = at(0.0, y).0;
        if let Some(h) = a.host {
            let (p0, p1) = (at(0.0, y - 0.36), at(h.mean, y + 0.36));
            flat.draw(&Rectangle::new([p0, p1], s.color.mix(0.18).filled())).map_err(err)?;
            flat.draw(&Rectangle::new([p0, p1], BLACK.stroke_width(1))).map_err(err)?;
            right = right.max(p1.0).max(whisker(&flat, &at, h, y + 0.24)?);
        }
        if let Some(m) = a.inside {
            let (p0, p1) = (at(0.0, y - 0.16), at(m.mean, y + 0.16));
            flat.draw(&Rectangle::new([p0, p1], s.color.mix(0.85).filled())).map_err(err)?;
            flat.draw(&Rectangle::new([p0, p1], BLACK.stroke_width(1))).map_err(err)?;
            right = right.max(p1.0).max(whisker(&flat, &at, m, y)?);
        }
        let (_, yc) = at(0.0, y);
        flat.draw(&Text::new(
            a.label.clone(),
            (right + 8, yc),
            small.pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// Draws the interval of `s` at category height `y`; returns its right end in pixels (the
/// mean's when it has none).
fn whisker<DB: DrawingBackend>(
    flat: &DrawingArea<DB, Shift>,
    at: &dyn Fn(f64, f64) -> (i32, i32),
    s: Share,
    y: f64,
) -> std::result::Result<i32, String> {
    let Some((l, h)) = s.ci else { return Ok(at(s.mean, y).0) };
    let (pl, ph) = (at(l, y), at(h, y));
    parts::whisker(flat, pl, ph, 5, true)?;
    Ok(pl.0.max(ph.0))
}
