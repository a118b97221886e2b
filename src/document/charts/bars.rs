//! Horizontal bar chart: one bar per category, value printed at the end of the bar, optional
//! previous-year bar underneath. Used for sectors, public, budgets, attendance by service and
//! activity by advice space.

use anyhow::Result;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{self, DARK, GRAY, GRID, INK, LABEL, LIGHT, MEDIUM, SMALL, WIDTH};

/// Most bars a chart draws; the rest are summed into "Autres".
const MAX_BARS: usize = 40;

/// One category.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Category label.
    pub label: String,
    /// Value.
    pub value: f64,
    /// Previous-year (or reference) value, drawn as a lighter bar under the main one.
    pub previous: Option<f64>,
    /// For reference values: which of [`Options::legend`]'s references it is (a comparison
    /// area), which gives its colour.
    pub area: usize,
}

/// Options of a bar chart.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Sort by decreasing value.
    pub sort: bool,
    /// Keep at most this many bars, the rest summed into "Autres" (0: keep all).
    pub top: usize,
    /// Unit appended to printed values ("€", "%").
    pub unit: String,
    /// Legend labels for (current, previous) when previous values are given.
    pub legend: Option<(String, String)>,
    /// Reference series by area (their names, in [`Bar::area`] order), instead of the single
    /// "previous" entry of `legend`: each gets its own colour and legend entry.
    pub areas: Vec<String>,
    /// Width of the label column, when several charts must line up.
    pub label_width: Option<f64>,
    /// The main values are estimates or forecasts, not counts: drawn lighter, as every
    /// estimate (the legend's first entry says so).
    pub estimated: bool,
}

/// The colour of each reference area: the same meaning has the same colour in every chart
/// (France always grey), see [`canvas::reference_colour`].
fn reference_colours(options: &Options) -> Vec<plotters::style::RGBColor> {
    let names: Vec<&str> = options.areas.iter().map(String::as_str).collect();
    canvas::reference_colours(&names)
}

/// Prepares the bars: negative or non-finite values count as zero, optional sort and top N.
pub fn prepare(mut bars: Vec<Bar>, options: &Options) -> Vec<Bar> {
    for bar in &mut bars {
        if !bar.value.is_finite() || bar.value < 0.0 {
            bar.value = 0.0;
        }
    }
    if options.sort {
        bars.sort_by(|a, b| b.value.total_cmp(&a.value));
    }
    // Beyond 40 bars a chart is no longer readable on a page, whatever the options.
    let top = if options.top > 0 { options.top.min(MAX_BARS) } else { MAX_BARS };
    if bars.len() > top {
        let rest = bars.split_off(top - 1);
        let previous = rest.iter().map(|b| b.previous).sum::<Option<f64>>();
        bars.push(Bar {
            area: 0,
            label: format!("Autres ({} catégories)", rest.len()),
            value: rest.iter().map(|b| b.value).sum(),
            previous,
        });
    }
    bars
}

/// Draws the chart; returns the SVG text.
pub fn draw(bars: &[Bar], options: &Options) -> Result<String> {
    let with_previous = bars.iter().any(|b| b.previous.is_some());
    let label_width =
        options.label_width.unwrap_or_else(|| label_column(bars.iter().map(|b| b.label.as_str())));
    let lines: Vec<Vec<String>> =
        bars.iter().map(|b| canvas::wrap(&b.label, LABEL, false, label_width, 2)).collect();
    let row = |l: &Vec<String>| if l.len() > 1 || with_previous { 40 } else { 28 };
    let top = if options.legend.is_some() && with_previous { 34 } else { 6 };
    let height = top + lines.iter().map(row).sum::<i32>() + 6;
    let max = bars.iter().flat_map(|b| [b.value, b.previous.unwrap_or(0.0)]).fold(0.0, f64::max);
    let unit =
        if options.unit.is_empty() { String::new() } else { format!("\u{a0}{}", options.unit) };
    let value_room = bars
        .iter()
        .map(|b| canvas::text_width(&format!("{}{unit}", canvas::number(b.value)), LABEL, true))
        .fold(0.0, f64::max) as i32
        + 12;
    let x0 = label_width as i32 + 16;
    let span = (WIDTH as i32 - x0 - value_room - 4).max(40);
    let scale = |v: f64| if max > 0.0 { (v / max * f64::from(span)) as i32 } else { 0 };

    canvas::draw(height as u32, |area| {
        let colours = reference_colours(options);
        let main = if options.estimated { MEDIUM } else { DARK };
        if let (Some((now, before)), true) = (&options.legend, with_previous) {
            let mut entries = vec![(now.clone(), main)];
            match options.areas.is_empty() {
                true => entries.push((before.clone(), LIGHT)),
                // Areas of one meaning ("France", "France métropolitaine") share an entry; an
                // area without a bar has none.
                false => {
                    let pairs = options.areas.iter().zip(colours.iter().copied()).enumerate();
                    let drawn = |i: usize| bars.iter().any(|b| b.area == i && b.previous.is_some());
                    for (_, (name, colour)) in pairs.filter(|(i, _)| drawn(*i)) {
                        match entries.iter_mut().find(|(_, c)| *c == colour) {
                            Some((names, _)) => *names = format!("{names}, {name}"),
                            None => entries.push((name.clone(), colour)),
                        }
                    }
                }
            }
            canvas::legend(area, &entries, (x0, 14))?;
        }
        let label_style = canvas::font(LABEL, false, INK, HPos::Right, VPos::Center);
        let value_style = canvas::font(LABEL, true, INK, HPos::Left, VPos::Center);
        let small_value = canvas::font(SMALL, false, GRAY, HPos::Left, VPos::Center);
        let mut y = top;
        for (bar, label) in bars.iter().zip(&lines) {
            let h = row(label);
            let mid = y + h / 2;
            let first = mid - (label.len() as i32 - 1) * 9;
            for (i, l) in label.iter().enumerate() {
                canvas::text(area, l, (x0 - 10, first + i as i32 * 18), &label_style)?;
            }
            canvas::line(area, (x0, y + 2), (x0, y + h - 2), GRID, 1)?;
            let (bar_top, bar_bottom) =
                if with_previous { (mid - 14, mid) } else { (mid - 9, mid + 9) };
            canvas::rect(area, (x0, bar_top), (x0 + scale(bar.value), bar_bottom), main)?;
            let value = format!("{}{unit}", canvas::number(bar.value));
            canvas::text(
                area,
                &value,
                (x0 + scale(bar.value) + 6, (bar_top + bar_bottom) / 2),
                &value_style,
            )?;
            if let Some(previous) = bar.previous {
                let colour = colours.get(bar.area).copied().unwrap_or(LIGHT);
                canvas::rect(area, (x0, mid + 2), (x0 + scale(previous), mid + 14), colour)?;
                let value = format!("{}{unit}", canvas::number(previous));
                canvas::text(area, &value, (x0 + scale(previous) + 6, mid + 8), &small_value)?;
            }
            y += h;
        }
        Ok(())
    })
}

/// Width of the label column: the widest label, within a quarter and two fifths of the chart.
pub fn label_column<'a>(labels: impl Iterator<Item = &'a str>) -> f64 {
    let widest = labels.map(|l| canvas::text_width(l, LABEL, false)).fold(0.0, f64::max);
    widest.clamp(f64::from(WIDTH) * 0.25, f64::from(WIDTH) * 0.4)
}

/// Alt text listing every bar.
pub fn describe(title: &str, bars: &[Bar], unit: &str) -> String {
    let unit = if unit.is_empty() { String::new() } else { format!(" {unit}") };
    let items: Vec<String> = bars
        .iter()
        .map(|b| {
            let previous = b
                .previous
                .map(|p| format!(" (précédemment {})", canvas::number(p)))
                .unwrap_or_default();
            format!("{} : {}{unit}{previous}", canvas::clean(&b.label), canvas::number(b.value))
        })
        .collect();
    format!("Diagramme en barres horizontales, {title}. {}.", items.join(" ; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: f64) -> Bar {
        Bar { area: 0, label: label.into(), value, previous: None }
    }

    #[test]
    fn top_n_keeps_the_largest_and_sums_the_rest() {
        let bars = (1..=15).map(|i| bar(&format!("s{i}"), f64::from(i))).collect();
        let out = prepare(bars, &Options { sort: true, top: 5, ..Options::default() });
        assert_eq!(out.len(), 5);
        assert_eq!(out[0].value, 15.0);
        assert_eq!(out[4].label, "Autres (11 catégories)");
        assert_eq!(out[4].value, (1..=11).sum::<i32>() as f64);
    }

    #[test]
    fn negative_and_nan_values_count_as_zero() {
        let out = prepare(vec![bar("a", -3.0), bar("b", f64::NAN)], &Options::default());
        assert!(out.iter().all(|b| b.value == 0.0));
    }
}
