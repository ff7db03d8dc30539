//! What every figure shares: the drawing context ([`PlotContext`]: size, font size,
//! confidence), the size of a figure, the embedded font, and how each arm is drawn (colour,
//! marker shape and line dash; see [`arm_style`]), so that an arm looks the same in every figure.

use plotters::prelude::*;

/// Size of every figure in pixels (SVG user units and PNG pixels).
pub const SIZE: (u32, u32) = (880, 460);

/// Font family name the embedded font is registered under. SVG text names it too; browsers
/// without DejaVu use their own sans-serif, which is not wider.
pub(crate) const FONT: &str = "sans-serif";

/// The embedded font: DejaVu Sans (assets/fonts/LICENSE-DejaVu.txt).
pub(crate) static FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// Colours of the arms, in order; the baseline is always the first. Their lightness differs
/// (dark blue, orange, bluish green, reddish purple, sky blue, vermilion: Okabe & Ito's
/// colour-blind safe palette, reordered so neighbours differ in greyscale).
pub(crate) const PALETTE: [RGBColor; 6] = [
    RGBColor(0x00, 0x3f, 0x8c),
    RGBColor(0xe6, 0x9f, 0x00),
    RGBColor(0x00, 0x9e, 0x73),
    RGBColor(0xcc, 0x79, 0xa7),
    RGBColor(0x56, 0xb4, 0xe9),
    RGBColor(0xd5, 0x5e, 0x00),
];

pub(crate) const GREY: RGBColor = RGBColor(0x60, 0x60, 0x60);
pub(crate) const LIGHT_GREY: RGBColor = RGBColor(0xe4, 0xe4, 0xe4);

/// Marker shapes, in arm order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    Circle,
    Triangle,
    Square,
    Cross,
    Diamond,
}

pub(crate) const MARKERS: [Marker; 5] =
    [Marker::Circle, Marker::Triangle, Marker::Square, Marker::Diamond, Marker::Cross];

/// Dash patterns (dash, gap) in pixels, in arm order; `None` is a solid line.
pub(crate) const DASHES: [Option<(u32, u32)>; 4] = [None, Some((9, 5)), Some((2, 4)), Some((14, 4))];

/// How arm number `i` (0 = baseline) is drawn.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ArmStyle {
    /// Colour of its markers, lines and bars.
    pub(crate) color: RGBColor,
    /// Marker shape.
    pub(crate) marker: Marker,
    /// Line dash, `None` for a solid line.
    pub(crate) dash: Option<(u32, u32)>,
}

/// The style of arm number `i` (0 = baseline): the palette, markers and dashes in turn.
pub(crate) fn arm_style(i: usize) -> ArmStyle {
    ArmStyle {
        color: PALETTE[i % PALETTE.len()],
        marker: MARKERS[i % MARKERS.len()],
        dash: DASHES[i % DASHES.len()],
    }
}

/// The drawing context: settings shared by every figure kind (criterion's `PlotContext`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PlotContext {
    /// Size in pixels.
    pub(crate) size: (u32, u32),
    /// Base font size in pixels (tick labels; titles are larger).
    pub(crate) font_px: u32,
    /// Confidence level of the intervals, for legends (`0.95`).
    pub(crate) confidence: f64,
}

impl PlotContext {
    /// The confidence level in percent as legends print it: `95`, `97.5` (a level adjusted for
    /// several comparisons is not a whole percent).
    pub(crate) fn confidence_pct(&self) -> f64 {
        (self.confidence * 100.0 * 1e6).round() / 1e6
    }
}

impl Default for PlotContext {
    fn default() -> PlotContext {
        PlotContext { size: SIZE, font_px: 14, confidence: 0.95 }
    }
}

/// The embedded font at `px` pixels, in black.
pub(crate) fn font(px: u32) -> TextStyle<'static> {
    (FONT, px).into_font().color(&BLACK)
}
