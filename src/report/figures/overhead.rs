//! Cost ratios against the baseline as bars from ×1 on a log axis, with their intervals.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;

use super::axes::{axis_label, category_label, Categories, LogAxis};
use super::parts::{draw_pixel_line, err, legend, shorten, titled, whisker, widest, Key};
use super::style::{arm_style, font, PlotContext, GREY, LIGHT_GREY};
use super::{DrawResult, Plot};

/// One bar of `overhead_bars`.
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

/// Data of `overhead_bars`.
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

impl Plot for OverheadData {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: PlotContext) -> DrawResult {
        overhead_bars(root, ctx, self)
    }
}

/// Cost ratio per arm as horizontal bars from ×1 on a log axis, with interval whiskers; one
/// group of bars per category (metric or workload). A bar to the right of ×1 costs more than
/// the baseline (slower, or uses more), to the left less; on the log axis ×2 and ×0.5 are
/// equally long. An unbounded interval is drawn as a dashed grey line across the whole axis.
/// Each bar carries its label as text, so the figure reads in greyscale too.
pub(crate) fn overhead_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: PlotContext,
    d: &OverheadData,
) -> DrawResult {
    let area = titled(root, ctx, &d.title)?;
    let pct = ctx.confidence_pct();
    // Only the arms that have a bar get a slot and a legend entry (an arm without comparisons,
    // e.g. without parameters in common with the baseline, would be a gap and a stray key).
    let used: Vec<usize> = (0..d.arms.len()).filter(|i| d.bars.iter().any(|b| b.arm == *i)).collect();
    let slot = |arm: usize| used.iter().position(|&u| u == arm);
    let mut keys: Vec<(Key, String)> =
        used.iter().map(|&i| (Key::Bar(d.arms[i].1), d.arms[i].0.clone())).collect();
    keys.push((Key::Whisker, format!("{pct}% interval")));
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
                whisker(&flat, pl, ph, 6, true)?;
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
