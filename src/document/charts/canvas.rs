//! What every chart shares: the SVG canvas, the embedded font used to measure and draw text,
//! the palette, label fitting and French number formatting.
//!
//! Charts are laid out by hand on a pixel canvas rather than with plotters' chart builder where
//! labels must never overlap: we measure every label with the same font Typst will render it
//! with, and wrap or shorten it to the room it has.

use std::sync::{LazyLock, Once};

use ab_glyph::{Font as _, FontRef, PxScale, ScaleFont as _};

use anyhow::{Result, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};

use crate::typeset::world::SANS_FAMILY;

/// Width of every chart in SVG units; charts are placed at the full text width (about 470 pt),
/// so 1 unit ≈ 0.52 pt and a 15-unit label prints at about 8 pt.
pub const WIDTH: u32 = 900;
/// Size of ordinary labels.
pub const LABEL: f64 = 15.0;
/// Size of small labels (axis ticks, legends).
pub const SMALL: f64 = 13.0;

/// The palette: one blue family plus a warm accent, with distinct lightness so that series stay
/// distinguishable in grayscale print.
pub const DARK: RGBColor = RGBColor(0x1d, 0x4f, 0x73);
/// Medium blue.
pub const MEDIUM: RGBColor = RGBColor(0x5b, 0x8d, 0xb8);
/// Light blue.
pub const LIGHT: RGBColor = RGBColor(0xb7, 0xd0, 0xe6);
/// Warm accent (orange), mid lightness.
pub const ACCENT: RGBColor = RGBColor(0xd0, 0x7a, 0x2c);
/// Neutral gray for axes and secondary text.
pub const GRAY: RGBColor = RGBColor(0x70, 0x70, 0x70);
/// Very light gray for grid lines and backgrounds.
pub const GRID: RGBColor = RGBColor(0xe3, 0xe3, 0xe3);
/// Text colour.
pub const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);

static FONTS: Once = Once::new();

/// Registers the embedded sans font with plotters, once per process.
fn register_fonts() {
    FONTS.call_once(|| {
        let regular = crate::typeset::world::font_bytes("NotoSans-Regular.ttf");
        let bold = crate::typeset::world::font_bytes("NotoSans-Bold.ttf");
        // The bytes are the embedded fonts and parse; were they not, text measurement would
        // fall back to an estimate (see `text_width`) and drawing would still work.
        let _ = register_font(SANS_FAMILY, FontStyle::Normal, regular);
        let _ = register_font(SANS_FAMILY, FontStyle::Bold, bold);
    });
}

/// The drawing area charts draw on.
pub type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Draws a chart of `height` units on a white canvas and returns the SVG text.
pub fn draw(height: u32, paint: impl FnOnce(&Area) -> Result<()>) -> Result<String> {
    register_fonts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height.max(40))).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("graphique : {e}"))?;
        paint(&root)?;
        root.present().map_err(|e| anyhow!("graphique : {e}"))?;
    }
    Ok(svg)
}

/// A text style of the chart font.
pub fn font(size: f64, bold: bool, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    let style = if bold { FontStyle::Bold } else { FontStyle::Normal };
    // plotters writes `font-size = size / 1.24` in the SVG; scale up so that `size` is what prints.
    TextStyle {
        font: (SANS_FAMILY, size * 1.24).into_font().style(style),
        color: color.to_backend_color(),
        pos: Pos::new(h, v),
    }
}

/// Draws one line of text.
pub fn text(area: &Area, s: &str, (x, y): (i32, i32), style: &TextStyle) -> Result<()> {
    area.draw(&Text::new(clean(s), (x, y), style.clone())).map_err(|e| anyhow!("graphique : {e}"))
}

/// Draws a filled rectangle.
pub fn rect(
    area: &Area,
    (x0, y0): (i32, i32),
    (x1, y1): (i32, i32),
    color: RGBColor,
) -> Result<()> {
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], color.filled()))
        .map_err(|e| anyhow!("graphique : {e}"))
}

/// Draws a line.
pub fn line(
    area: &Area,
    from: (i32, i32),
    to: (i32, i32),
    color: RGBColor,
    width: u32,
) -> Result<()> {
    area.draw(&PathElement::new(vec![from, to], color.stroke_width(width)))
        .map_err(|e| anyhow!("graphique : {e}"))
}

/// Removes characters that XML (hence SVG) cannot carry (they have no glyph anyway) and sets
/// the typographic apostrophe inside words, as the document text does.
pub fn clean(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let between_letters = i > 0
            && chars[i - 1].is_alphabetic()
            && chars.get(i + 1).is_some_and(|n| n.is_alphabetic());
        match c {
            '\'' if between_letters => out.push('’'),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The embedded sans fonts (regular, bold) for measuring text.
static MEASURE: LazyLock<Option<(FontRef<'static>, FontRef<'static>)>> = LazyLock::new(|| {
    let regular =
        FontRef::try_from_slice(crate::typeset::world::font_bytes("NotoSans-Regular.ttf")).ok()?;
    let bold =
        FontRef::try_from_slice(crate::typeset::world::font_bytes("NotoSans-Bold.ttf")).ok()?;
    Some((regular, bold))
});

/// Width of a text in SVG units when printed at font size `size`, measured with the embedded
/// font. Measured here rather than through plotters because plotters scales glyphs by the
/// font's line height instead of its em size, which underestimates widths by about a third.
pub fn text_width(s: &str, size: f64, bold: bool) -> f64 {
    let s = clean(s);
    let Some((regular, bold_font)) = MEASURE.as_ref() else {
        return s.chars().count() as f64 * size * 0.6;
    };
    let font = if bold { bold_font } else { regular };
    let em = font.units_per_em().unwrap_or(1000.0);
    let scaled = font.as_scaled(PxScale::from(size as f32 * font.height_unscaled() / em));
    let mut width = 0.0f32;
    let mut previous = None;
    for c in s.chars() {
        let glyph = scaled.glyph_id(c);
        if let Some(p) = previous {
            width += scaled.kern(p, glyph);
        }
        width += scaled.h_advance(glyph);
        previous = Some(glyph);
    }
    f64::from(width)
}

std::thread_local! {
    /// Full texts of the labels shortened while drawing the current chart (see
    /// [`take_shortened`]): a chart is drawn on one thread, from start to end.
    static SHORTENED: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The full texts of the labels shortened on this thread since the last call, in drawing
/// order, each once: the document prints them beside the chart, so that no text is lost.
pub fn take_shortened() -> Vec<String> {
    let mut all = SHORTENED.with(|s| std::mem::take(&mut *s.borrow_mut()));
    let mut seen = std::collections::HashSet::new();
    all.retain(|t| seen.insert(t.clone()));
    all
}

fn record_shortened(full: &str) {
    SHORTENED.with(|s| s.borrow_mut().push(full.to_string()));
}

std::thread_local! {
    /// The key of the chart being drawn on this thread (see [`take_key`]).
    static KEY: std::cell::RefCell<Vec<(String, String)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Records an entry of the key printed under the chart: a mark drawn on the chart (« 3 ») and
/// the text it stands for, which had no room on the drawing.
pub fn record_key(mark: String, text: String) {
    KEY.with(|k| k.borrow_mut().push((mark, clean(&text))));
}

/// The key recorded on this thread since the last call, in drawing order.
pub fn take_key() -> Vec<(String, String)> {
    KEY.with(|k| std::mem::take(&mut *k.borrow_mut()))
}

/// Shortens a text with an ellipsis so that it fits `max` units; the full text is recorded
/// (see [`take_shortened`]).
pub fn shorten(s: &str, size: f64, bold: bool, max: f64) -> String {
    let (text, cut) = fit(s, size, bold, max);
    if cut {
        record_shortened(&clean(s));
    }
    text
}

/// The text, or its start with an ellipsis when it does not fit `max` units, and whether it
/// was cut.
fn fit(s: &str, size: f64, bold: bool, max: f64) -> (String, bool) {
    let s = clean(s);
    if text_width(&s, size, bold) <= max {
        return (s, false);
    }
    let mut chars: Vec<char> = s.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let candidate: String = chars.iter().collect::<String>().trim_end().to_string() + "…";
        if text_width(&candidate, size, bold) <= max {
            return (candidate, true);
        }
    }
    ("…".to_string(), true)
}

/// Wraps a text on word boundaries into at most `lines` lines of `max` units; the last line is
/// shortened with an ellipsis if the text does not fit (the full text is then recorded, see
/// [`take_shortened`]). Words longer than a line are cut.
pub fn wrap(s: &str, size: f64, bold: bool, max: f64, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in clean(s).split_whitespace() {
        let candidate =
            if current.is_empty() { word.to_string() } else { format!("{current} {word}") };
        if text_width(&candidate, size, bold) <= max || current.is_empty() {
            current = candidate;
        } else {
            out.push(std::mem::take(&mut current));
            current = word.to_string();
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    if out.len() > lines {
        let rest = out[lines - 1..].join(" ");
        out.truncate(lines - 1);
        out.push(rest);
    }
    let fitted: Vec<(String, bool)> = out.iter().map(|l| fit(l, size, bold, max)).collect();
    if fitted.iter().any(|(_, cut)| *cut) {
        record_shortened(&clean(s));
    }
    fitted.into_iter().map(|(l, _)| l).collect()
}

/// French number for chart labels (narrow no-break thousands separator, decimal comma).
pub fn number(value: f64) -> String {
    crate::fr::format_auto(value, 1)
}

/// Colours of comparison areas (the territory itself is [`DARK`]): one meaning, one colour in
/// every chart — France grey, the région the accent colour, the département the medium blue —
/// and the others the remaining colours in order.
pub fn reference_colours(names: &[&str]) -> Vec<RGBColor> {
    let fixed = |name: &str| {
        let name = crate::model::vocab::fold(name);
        // "France", "France métropolitaine", "France entière" — not "Île-de-France".
        if name == "france" || name.starts_with("france_") || name.contains("national") {
            Some(GRAY)
        } else if name.contains("region") {
            Some(ACCENT)
        } else if name.contains("departement") {
            Some(MEDIUM)
        } else {
            None
        }
    };
    let mut free = [LIGHT, MEDIUM, ACCENT, GRAY].into_iter();
    let taken: Vec<RGBColor> = names.iter().filter_map(|n| fixed(n)).collect();
    names
        .iter()
        .map(|n| fixed(n).unwrap_or_else(|| free.find(|c| !taken.contains(c)).unwrap_or(LIGHT)))
        .collect()
}

/// Where each of `n` ordered periods sits along a time axis, in units of the smallest step
/// between two of them: by its date when `times` gives one per period, in increasing order
/// (2019, 2023, 2024 → 0, 4, 5: four years look four times as long as one), else one step
/// apart (months named, mixed labels). Line and column charts both place their periods by it.
pub fn time_steps(times: Option<&[f64]>, n: usize) -> Vec<f64> {
    let dated = times.filter(|t| t.len() == n && n > 1 && t.windows(2).all(|w| w[0] < w[1]));
    let Some(times) = dated else { return (0..n).map(|i| i as f64).collect() };
    let step = times.windows(2).map(|w| w[1] - w[0]).fold(f64::MAX, f64::min);
    times.iter().map(|t| ((t - times[0]) / step * 1000.0).round() / 1000.0).collect()
}

/// A value axis from zero: its top and a round step (1, 2, 2.5 or 5 times a power of ten)
/// giving at most five intervals, so that every gridline reads as a round number (no
/// "6 250 / 18 750" from a top split in four).
pub fn axis(max: f64) -> (f64, f64) {
    if max <= 0.0 || !max.is_finite() {
        return (1.0, 0.25);
    }
    let magnitude = 10f64.powf((max / 5.0).log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|step| (max / step).ceil() <= 5.0)
        .unwrap_or(10.0 * magnitude);
    ((max / step).ceil().max(1.0) * step, step)
}

/// Draws a horizontal legend (colour square + label) at the top-left corner.
pub fn legend(area: &Area, entries: &[(String, RGBColor)], (x, y): (i32, i32)) -> Result<()> {
    let style = font(SMALL, false, INK, HPos::Left, VPos::Center);
    let mut x = x;
    for (label, color) in entries {
        rect(area, (x, y - 6), (x + 12, y + 6), *color)?;
        text(area, label, (x + 18, y), &style)?;
        x += 18 + text_width(label, SMALL, false) as i32 + 24;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_labels_are_wrapped_then_shortened_to_fit() {
        let lines = wrap(
            "Administration publique, enseignement, santé humaine et action sociale",
            LABEL,
            false,
            200.0,
            2,
        );
        assert_eq!(lines.len(), 2);
        for line in &lines {
            assert!(text_width(line, LABEL, false) <= 200.0, "{line}");
        }
        assert!(lines[1].ends_with('…'));
    }

    #[test]
    fn axis_bounds_are_round() {
        assert_eq!(axis(20_500.0), (25_000.0, 5_000.0));
        assert_eq!(axis(11_240.0), (12_500.0, 2_500.0));
        assert_eq!(axis(17_900.0), (20_000.0, 5_000.0));
        assert_eq!(axis(3.0), (3.0, 1.0));
    }

    #[test]
    fn france_is_grey_and_the_region_the_accent_in_every_chart() {
        let names = ["Île-de-France", "Département du Nord", "France métropolitaine"];
        let colours = reference_colours(&names);
        // The order does not change a meaning's colour; « Île-de-France » is not France.
        assert_eq!(colours[1], MEDIUM);
        assert_eq!(colours[2], GRAY);
        assert!(![MEDIUM, GRAY, DARK].contains(&colours[0]), "a colour of its own");
        assert_eq!(reference_colours(&["France"]), [GRAY]);
        assert_eq!(reference_colours(&["Région Hauts-de-France"]), [ACCENT]);
    }
}
