//! Vertical column chart over ordered categories (years, months), with an optional previous
//! series drawn beside each column.

use anyhow::Result;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{self, DARK, GRAY, GRID, INK, LIGHT, MEDIUM, SMALL, WIDTH};

const HEIGHT: i32 = 330;
const LEFT: i32 = 70;
const TOP: i32 = 44;
const BOTTOM: i32 = 34;

/// Data of a column chart.
#[derive(Debug)]
pub struct Columns<'a> {
    /// Category labels.
    pub labels: Vec<String>,
    /// The date of each category in years (2019, 2023…) when they are dates: columns are then
    /// placed by it, a gap of years left as a gap; `None` for evenly spaced categories.
    pub times: Option<Vec<f64>>,
    /// Values of the main series.
    pub values: Vec<f64>,
    /// Values of the previous series, if any (same length or shorter).
    pub previous: Option<&'a [f64]>,
    /// Legend of (main, previous).
    pub legend: (String, String),
    /// Columns of the main series that are estimates or forecasts, not counts: drawn lighter,
    /// and named in the legend by `estimated_legend`.
    pub estimated: Vec<bool>,
    /// What the lighter columns are (« estimations et prévisions »).
    pub estimated_legend: String,
}

/// The index of the first positive value of a series: the columns before it are periods
/// before the opening, drawn empty and described as « non ouvert », never as « 0 ».
fn opening(values: &[f64]) -> usize {
    values.iter().position(|v| *v > 0.0).unwrap_or(values.len())
}

/// Draws the chart.
pub fn draw(data: &Columns) -> Result<String> {
    let previous = data.previous.unwrap_or(&[]);
    let opened = opening(&data.values);
    let max =
        data.values.iter().chain(previous).copied().filter(|v| v.is_finite()).fold(0.0, f64::max);
    let (top, step) = canvas::axis(max);
    // One slot per step of time (a year, a month), columns at their date's slot: 2019 then
    // 2023 leaves three empty slots between them.
    let steps = canvas::time_steps(data.times.as_deref(), data.labels.len());
    let slots = steps.last().copied().unwrap_or(0.0) + 1.0;
    let slot = f64::from(WIDTH as i32 - LEFT - 10) / slots;
    let center = |i: usize| LEFT + (slot * (steps[i] + 0.5)) as i32;
    // Room of a label: the distance to the nearest column.
    let room = |i: usize| {
        let left = if i > 0 { steps[i] - steps[i - 1] } else { f64::MAX };
        let right = steps.get(i + 1).map_or(f64::MAX, |s| s - steps[i]);
        slot * left.min(right).min(slots)
    };
    let y =
        |v: f64| TOP + (f64::from(HEIGHT - TOP - BOTTOM) * (1.0 - v.clamp(0.0, top) / top)) as i32;
    let show_values = slot >= 50.0 && previous.is_empty();

    canvas::draw(HEIGHT as u32, |area| {
        let tick = canvas::font(SMALL, false, GRAY, HPos::Right, VPos::Center);
        for k in 0..=(top / step).round() as i32 {
            let v = step * f64::from(k);
            canvas::line(area, (LEFT, y(v)), (WIDTH as i32 - 10, y(v)), GRID, 1)?;
            canvas::text(area, &canvas::number(v), (LEFT - 8, y(v)), &tick)?;
        }
        let label_style = canvas::font(SMALL, false, INK, HPos::Center, VPos::Top);
        let value_style = canvas::font(SMALL, true, INK, HPos::Center, VPos::Bottom);
        for (i, label) in data.labels.iter().enumerate() {
            let center = center(i);
            // At most 110 units wide: two years over the whole width made slabs.
            let width = (slot * 0.6).min(110.0) as i32;
            let value = data.values.get(i).copied().unwrap_or(0.0).max(0.0);
            let fill = if data.estimated.get(i).copied().unwrap_or(false) { MEDIUM } else { DARK };
            match previous.get(i) {
                Some(p) => {
                    canvas::rect(
                        area,
                        (center - width / 2, y(p.max(0.0))),
                        (center, y(0.0)),
                        LIGHT,
                    )?;
                    canvas::rect(area, (center, y(value)), (center + width / 2, y(0.0)), fill)?;
                }
                None => canvas::rect(
                    area,
                    (center - width / 2, y(value)),
                    (center + width / 2, y(0.0)),
                    fill,
                )?,
            }
            if show_values && i >= opened {
                canvas::text(area, &canvas::number(value), (center, y(value) - 4), &value_style)?;
            }
            let label = canvas::shorten(label, SMALL, false, room(i) - 4.0);
            canvas::text(area, &label, (center, HEIGHT - BOTTOM + 8), &label_style)?;
        }
        // A single series of counts needs no legend: the caption names it.
        let estimated = data.estimated.iter().any(|e| *e);
        if previous.is_empty() && !estimated {
            return Ok(());
        }
        let mut legend = Vec::new();
        if !previous.is_empty() {
            legend.push((data.legend.1.clone(), LIGHT));
        }
        if data.estimated.iter().any(|e| !*e) {
            legend.push((data.legend.0.clone(), DARK));
        }
        if estimated {
            legend.push((data.estimated_legend.clone(), MEDIUM));
        }
        canvas::legend(area, &legend, (LEFT, 14))
    })
}

/// Alt text with every value.
pub fn describe(title: &str, data: &Columns) -> String {
    let number = |values: &[f64], i: usize| match values.get(i) {
        _ if i < opening(values) => "non ouvert".to_string(),
        v => canvas::number(v.copied().unwrap_or(0.0)),
    };
    let values: Vec<String> = data
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let p = data
                .previous
                .filter(|p| i < p.len())
                .map(|p| format!(" (précédemment {})", number(p, i)))
                .unwrap_or_default();
            let e = if data.estimated.get(i).copied().unwrap_or(false) {
                format!(" ({})", data.estimated_legend)
            } else {
                String::new()
            };
            format!("{} : {}{e}{p}", canvas::clean(l), number(&data.values, i))
        })
        .collect();
    format!("Histogramme, {title}. {}.", values.join(" ; "))
}
