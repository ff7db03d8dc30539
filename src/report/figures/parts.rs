//! Drawing pieces the figure kinds share: the title, the legend and its keys, markers, dashed
//! lines, text widths.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{arm_style, font, ArmStyle, Marker, PlotContext, GREY};
use super::DrawResult;

pub(crate) fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Draws the title and returns the area below it.
pub(crate) fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: PlotContext,
    title: &str,
) -> std::result::Result<DrawingArea<DB, Shift>, String> {
    let title = shorten(title, 110);
    root.titled(&title, font(ctx.font_px + 4)).map_err(err)
}

/// Cuts `s` to at most `max` characters, with an ellipsis.
pub(crate) fn shorten(s: &str, max: usize) -> String {
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
pub(crate) enum Key {
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
    /// A narrow solid grey bar: what a platform measured inside it.
    Inside,
    /// A wide light bar with an outline: what the host measured around it.
    OnHost,
}

/// Draws a one-row legend (wrapping when it does not fit) at the top of `area` and returns
/// the area below it.
pub(crate) fn legend<DB: DrawingBackend>(
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

pub(crate) fn draw_key<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    key: &Key,
    (x, y): (i32, i32),
) -> DrawResult {
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
        Key::Whisker => whisker(area, (x - 10, y), (x + 10, y), 5, true),
        Key::Unbounded => {
            draw_pixel_line(area, &[(x - 12, y), (x + 12, y)], GREY.stroke_width(2), Some((4, 3)))
        }
        Key::Inside => {
            let r = [(x - 10, y - 3), (x + 10, y + 3)];
            area.draw(&Rectangle::new(r, GREY.mix(0.85).filled())).map_err(err)?;
            area.draw(&Rectangle::new(r, BLACK.stroke_width(1))).map_err(err)
        }
        Key::OnHost => {
            let r = [(x - 10, y - 7), (x + 10, y + 7)];
            area.draw(&Rectangle::new(r, GREY.mix(0.18).filled())).map_err(err)?;
            area.draw(&Rectangle::new(r, BLACK.stroke_width(1))).map_err(err)
        }
    }
}

/// Draws an interval from pixel `lo` to pixel `hi` as a black line with end caps `cap` pixels
/// long on each side, across the line (a whisker): caps vertical on a `horizontal` whisker,
/// horizontal on a vertical one.
pub(crate) fn whisker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    lo: (i32, i32),
    hi: (i32, i32),
    cap: i32,
    horizontal: bool,
) -> DrawResult {
    let st = BLACK.stroke_width(2);
    let (cx, cy) = if horizontal { (0, cap) } else { (cap, 0) };
    area.draw(&PathElement::new(vec![lo, hi], st)).map_err(err)?;
    for (x, y) in [lo, hi] {
        area.draw(&PathElement::new(vec![(x - cx, y - cy), (x + cx, y + cy)], st)).map_err(err)?;
    }
    Ok(())
}

/// Draws a polyline in pixel coordinates, dashed when `dash` is given.
pub(crate) fn draw_pixel_line<DB: DrawingBackend>(
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
pub(crate) fn draw_marker<DB: DrawingBackend>(
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

/// Width in pixels of the widest of `labels` in `style`.
pub(crate) fn widest<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, labels: &[String], px: u32) -> u32 {
    let style = font(px);
    labels
        .iter()
        .map(|l| {
            area.estimate_text_size(&shorten(l, 40), &style).map(|(w, _)| w).unwrap_or(8 * l.len() as u32)
        })
        .max()
        .unwrap_or(0)
}
