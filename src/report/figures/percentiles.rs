//! Latency percentiles per arm: the mean at each percentile joined by a line, its interval and
//! the runs.

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use super::axes::{axis_label, category_label, padded_range, Categories};
use super::parts::{draw_marker, draw_pixel_line, err, legend, titled, Key};
use super::style::{arm_style, font, PlotContext, LIGHT_GREY};
use super::{ArmValues, DrawResult, Plot};

/// Data of `percentiles`.
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

impl Plot for PercentileData {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: PlotContext) -> DrawResult {
        percentiles(root, ctx, self)
    }
}

/// Latency percentiles per arm: the mean over runs at each percentile, joined by a line, with
/// its interval as a whisker, and the runs as small hollow markers.
pub(crate) fn percentiles<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: PlotContext,
    d: &PercentileData,
) -> DrawResult {
    let area = titled(root, ctx, &d.title)?;
    let pct = ctx.confidence_pct();
    let mut keys: Vec<(Key, String)> =
        d.arms.iter().map(|(a, _)| (Key::Line(a.style), format!("{} (mean)", a.name))).collect();
    keys.push((Key::Marker(d.arms.first().map(|a| a.0.style).unwrap_or(0), false), "one run".to_string()));
    keys.push((Key::Whisker, format!("{pct}% interval")));
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

pub(crate) fn percentile_plot<DB: DrawingBackend, Y>(
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
