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
    let (lo, hi) = values.iter().fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    let step = canvas::axis(hi - lo).1;
    let lo = ((lo / step).floor() * step - step).max(0.0);
    let hi = (hi / step).ceil() * step + step;
    let n = data.periodes.len().max(2);
    let plot_w = f64::from(WIDTH as i32 - LEFT - RIGHT);
    let x = |i: usize| LEFT + (plot_w * i as f64 / (n - 1) as f64) as i32;
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
        let period = canvas::font(SMALL, false, INK, HPos::Center, VPos::Top);
        let room = plot_w / n as f64;
        for (i, p) in data.periodes.iter().enumerate() {
            let label = canvas::shorten(p, SMALL, false, room - 4.0);
            canvas::text(area, &label, (x(i), HEIGHT - BOTTOM + 10), &period)?;
        }
        let mut legend = Vec::new();
        // The first series is the territory; the others are comparison areas, coloured by
        // meaning as in every chart (France grey…).
        let names: Vec<&str> = data.series.iter().skip(1).map(|s| s.nom.as_str()).collect();
        let colours: Vec<RGBColor> =
            std::iter::once(DARK).chain(canvas::reference_colours(&names)).collect();
        for (k, serie) in data.series.iter().enumerate() {
            let color = colours[k];
            let points: Vec<Option<(i32, i32)>> = serie
                .valeurs
                .iter()
                .take(data.periodes.len())
                .enumerate()
                .map(|(i, v)| v.0.filter(|v| v.is_finite()).map(|v| (x(i), y(v))))
                .collect();
            // One line per run of known values: a missing value leaves a gap.
            for run in points.split(Option::is_none) {
                let run: Vec<(i32, i32)> = run.iter().flatten().copied().collect();
                area.draw(&PathElement::new(run.clone(), color.stroke_width(3)))
                    .map_err(|e| anyhow::anyhow!("graphique : {e}"))?;
                for p in run {
                    marker(area, k, p, color)?;
                }
            }
            legend.push((canvas::shorten(&serie.nom, SMALL, false, 260.0), color));
        }
        // A single series needs no legend: the caption names it.
        if legend.len() < 2 {
            return Ok(());
        }
        canvas::legend(area, &legend, (LEFT, 14))
    })
}

/// A different marker shape per series, so series stay apart in grayscale.
fn marker(area: &canvas::Area, k: usize, (x, y): (i32, i32), color: RGBColor) -> Result<()> {
    let style = color.filled();
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
                .map(|(p, v)| {
                    let value = v.0.map_or_else(|| "non disponible".into(), canvas::number);
                    format!("{value} en {}", canvas::clean(p))
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
