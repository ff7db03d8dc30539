//! The primary metric per arm: every run, the mean and its interval.

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use super::axes::{axis_label, category_label, near, padded_range, Categories};
use super::parts::{draw_marker, err, legend, titled, whisker, Key};
use super::style::{arm_style, font, PlotContext, LIGHT_GREY};
use super::{ArmValues, DrawResult, Plot};

/// Data of `primary_metric`.
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

impl Plot for PrimaryData {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: PlotContext) -> DrawResult {
        primary_metric(root, ctx, self)
    }
}

/// The primary metric per arm: every run as a hollow marker (spread sideways so equal values
/// stay visible), the mean as a filled marker with its interval as a whisker.
pub(crate) fn primary_metric<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: PlotContext,
    d: &PrimaryData,
) -> DrawResult {
    let area = titled(root, ctx, &d.title)?;
    let pct = ctx.confidence_pct();
    let mut keys = Vec::new();
    for a in &d.arms {
        keys.push((Key::Marker(a.style, false), format!("{}: one run", a.name)));
    }
    keys.push((Key::Marker(d.arms.first().map(|a| a.style).unwrap_or(0), true), "mean (filled)".to_string()));
    keys.push((Key::Whisker, format!("{pct}% interval of the mean")));
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
                whisker(&plot.use_screen_coord(), pl, ph, 8, false)?;
            }
            let p = at(x, mean);
            draw_marker(&plot.use_screen_coord(), s, p, 7, true)?;
        }
    }
    Ok(())
}
