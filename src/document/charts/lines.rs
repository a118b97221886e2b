//! Line chart of several series over the same periods (unemployment rate of the territory
//! against the département, the région or France).

use anyhow::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{self, DARK, GRAY, GRID, INK, SMALL, WIDTH};
use crate::model::SerieTemporelle;

const HEIGHT: i32 = 380;
const LEFT: i32 = 60;
const RIGHT: i32 = 30;
const TOP: i32 = 44;
const BOTTOM: i32 = 40;

/// Draws the series; a period without a value ("nd") is a gap in its line.
pub fn draw(data: &SerieTemporelle) -> Result<String> {
    let values: Vec<f64> = data
        .series
        .iter()
        .flat_map(|s| s.valeurs.iter().filter_map(|v| v.0))
        .filter(|v| v.is_finite())
        .collect();
    let (lo, hi, step) = scale(&values);
    let plot_w = f64::from(WIDTH as i32 - LEFT - RIGHT);
    // Periods that are all dates (years, quarters) are placed by their date, so that 2010,
    // 2015 and 2021 are five and six years apart; others are evenly spaced.
    let steps = canvas::time_steps(times(&data.periodes).as_deref(), data.periodes.len());
    let span = steps.last().copied().unwrap_or(0.0).max(1.0);
    let x = |i: usize| LEFT + (plot_w * steps[i] / span) as i32;
    let y = |v: f64| TOP + (f64::from(HEIGHT - TOP - BOTTOM) * (1.0 - (v - lo) / (hi - lo))) as i32;

    canvas::draw(HEIGHT as u32, |area| {
        let tick = canvas::font(SMALL, false, GRAY, HPos::Right, VPos::Center);
        let mut v = lo;
        while v <= hi + step / 2.0 {
            canvas::line(area, (LEFT, y(v)), (WIDTH as i32 - RIGHT, y(v)), GRID, 1)?;
            let label = format!("{}{}", canvas::number(v), unit_suffix(&data.unite));
            canvas::text(area, &label, (LEFT - 8, y(v)), &tick)?;
            v += step;
        }
        if lo > 0.0 {
            // The axis does not start at zero: a break on the axis says so.
            let base = HEIGHT - BOTTOM;
            canvas::line(area, (LEFT, TOP), (LEFT, base), GRAY, 1)?;
            let white = plotters::style::WHITE;
            canvas::rect(area, (LEFT - 7, base - 23), (LEFT + 7, base - 15), white)?;
            for dy in [-23, -15] {
                canvas::line(area, (LEFT - 7, base + dy + 3), (LEFT + 7, base + dy - 3), GRAY, 1)?;
            }
        }
        let period = canvas::font(SMALL, false, INK, HPos::Center, VPos::Top);
        // Room of a label: the distance to its nearest neighbour.
        let room = |i: usize| {
            let left = if i > 0 { x(i) - x(i - 1) } else { i32::MAX };
            let right = if i + 1 < data.periodes.len() { x(i + 1) - x(i) } else { i32::MAX };
            f64::from(left.min(right).min(plot_w as i32 / 2))
        };
        for (i, p) in data.periodes.iter().enumerate() {
            let label = canvas::shorten(p, SMALL, false, room(i) - 4.0);
            canvas::text(area, &label, (x(i), HEIGHT - BOTTOM + 10), &period)?;
        }
        let mut legend = Vec::new();
        // The first series is the territory; the others are comparison areas, coloured by
        // meaning as in every chart (France grey…).
        let names: Vec<&str> = data.series.iter().skip(1).map(|s| s.nom.as_str()).collect();
        let colours: Vec<RGBColor> =
            std::iter::once(DARK).chain(canvas::reference_colours(&names)).collect();
        // Values of periods estimated or forecast: hollow markers on a thin line, named in
        // the legend, as every estimate is drawn lighter than a count.
        let periods = data.periods();
        let estimated = |i: usize| periods.get(i).is_some_and(|p| !p.counted());
        for (k, serie) in data.series.iter().enumerate() {
            let color = colours[k];
            let points: Vec<Option<(i32, i32)>> = serie
                .valeurs
                .iter()
                .take(data.periodes.len())
                .enumerate()
                .map(|(i, v)| v.0.filter(|v| v.is_finite()).map(|v| (x(i), y(v))))
                .collect();
            // One line per run of known values: a missing value leaves a gap; a segment
            // that ends on an estimate is thin.
            for (i, pair) in points.windows(2).enumerate() {
                if let [Some(a), Some(b)] = pair {
                    let width = if estimated(i + 1) { 1 } else { 3 };
                    area.draw(&PathElement::new(vec![*a, *b], color.stroke_width(width)))
                        .map_err(|e| anyhow::anyhow!("graphique : {e}"))?;
                }
            }
            for (i, p) in points.iter().enumerate() {
                if let Some(p) = p {
                    marker(area, k, *p, color, !estimated(i))?;
                }
            }
            legend.push((canvas::shorten(&serie.nom, SMALL, false, 260.0), color));
        }
        if (0..periods.len()).any(estimated) {
            legend.push(("valeurs estimées ou prévisionnelles (points creux)".into(), GRAY));
        }
        // A single series needs no legend: the caption names it.
        if legend.len() < 2 {
            return Ok(());
        }
        canvas::legend(area, &legend, (LEFT, 14))
    })
}

/// The vertical scale (lowest, highest, step). The lowest is zero, unless the values lie far
/// above it: then a round value below them — a whole unit of their spread's magnitude (6 %
/// for rates between 6,9 % and 8,1 %, not 6,5 %) — and the chart shows a break on its axis.
pub fn scale(values: &[f64]) -> (f64, f64, f64) {
    let (lo, hi) = values.iter().fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    if lo > hi {
        return (0.0, 1.0, 0.25);
    }
    let spread = (hi - lo).max(hi.abs() / 100.0).max(f64::MIN_POSITIVE);
    let unit = 10f64.powf(spread.log10().floor());
    let mut bottom = (lo / unit).floor() * unit;
    if bottom >= lo {
        bottom -= unit;
    }
    if lo <= spread {
        bottom = 0.0;
    }
    let bottom = bottom.max(0.0);
    let step = canvas::axis(hi - bottom).1;
    (bottom, (hi / step).ceil() * step + step, step)
}

/// The date of each period, in years, when every period is a year (« 2021 ») or a quarter
/// (« T3 2024 »), in increasing order; `None` otherwise.
pub fn times(periods: &[String]) -> Option<Vec<f64>> {
    let time = |p: &str| -> Option<f64> {
        let p = p.trim();
        if let Ok(year) = p.parse::<u16>() {
            return (1000..=9999).contains(&year).then_some(f64::from(year));
        }
        let (quarter, year) = p.strip_prefix('T')?.split_once(' ')?;
        let (quarter, year) = (quarter.parse::<u8>().ok()?, year.trim().parse::<u16>().ok()?);
        ((1..=4).contains(&quarter) && (1000..=9999).contains(&year))
            .then(|| f64::from(year) + f64::from(quarter - 1) / 4.0)
    };
    let times: Vec<f64> = periods.iter().map(|p| time(p)).collect::<Option<_>>()?;
    times.windows(2).all(|w| w[0] < w[1]).then_some(times)
}

/// A different marker shape per series, so series stay apart in grayscale.
fn marker(
    area: &canvas::Area,
    k: usize,
    (x, y): (i32, i32),
    color: RGBColor,
    filled: bool,
) -> Result<()> {
    let style = if filled { color.filled() } else { color.stroke_width(2) };
    let result = match k % 3 {
        0 => area.draw(&Circle::new((x, y), 5, style)),
        1 => area.draw(&Rectangle::new([(x - 5, y - 5), (x + 5, y + 5)], style)),
        _ => area.draw(&Polygon::new(vec![(x, y - 6), (x + 6, y + 5), (x - 6, y + 5)], style)),
    };
    result.map_err(|e| anyhow::anyhow!("graphique : {e}"))
}

fn unit_suffix(unit: &str) -> String {
    if unit.is_empty() { String::new() } else { format!("\u{202f}{unit}") }
}

/// Alt text giving every value.
pub fn describe(data: &SerieTemporelle) -> String {
    let series: Vec<String> = data
        .series
        .iter()
        .map(|s| {
            let values: Vec<String> = data
                .periodes
                .iter()
                .zip(&s.valeurs)
                .enumerate()
                .map(|(i, (p, v))| {
                    let value = v.0.map_or_else(|| "non disponible".into(), canvas::number);
                    let status = match data.statuts.get(i) {
                        Some(crate::model::StatutValeur::Estime) => " (estimé)",
                        Some(crate::model::StatutValeur::Previsionnel) => " (prévisionnel)",
                        _ => "",
                    };
                    format!("{value}{status} en {}", canvas::clean(p))
                })
                .collect();
            format!("{} : {}", canvas::clean(&s.nom), values.join(", "))
        })
        .collect();
    format!(
        "Courbes d'évolution, {} ({}). {}.",
        canvas::clean(&data.titre),
        canvas::clean(&data.unite),
        series.join(" ; ")
    )
}
