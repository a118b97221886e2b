//! Territory map (5.3): sites placed by their coordinates, linked to the main site, with their
//! distance and travel time, over the territory outline when the dossier gives one.

use anyhow::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{self, ACCENT, DARK, GRAY, INK, MEDIUM, SMALL, WIDTH};
use crate::model::{Site, TypeSite};

const MAX_HEIGHT: f64 = 560.0;
const MARGIN: f64 = 30.0;
const LEGEND: i32 = 34;

use crate::geo::Ring;

/// Draws the map of the sites that have coordinates.
pub fn draw(sites: &[Site], outline: &[Ring]) -> Result<String> {
    let placed: Vec<(&Site, f64, f64)> =
        sites.iter().filter_map(|s| Some((s, s.longitude?, s.latitude?))).collect();
    let points = placed.iter().map(|(_, x, y)| (*x, *y)).chain(outline.iter().flatten().copied());
    let (min_x, max_x, min_y, max_y) = points
        .fold((f64::MAX, f64::MIN, f64::MAX, f64::MIN), |b, (x, y)| {
            (b.0.min(x), b.1.max(x), b.2.min(y), b.3.max(y))
        });
    // Equirectangular projection, corrected for the latitude so that distances look right.
    let k = ((min_y + max_y) / 2.0).to_radians().cos().max(0.1);
    let (w, h) = (((max_x - min_x) * k).max(1e-3), (max_y - min_y).max(1e-3));
    let scale =
        ((f64::from(WIDTH) - 2.0 * MARGIN - 240.0) / w).min((MAX_HEIGHT - 2.0 * MARGIN) / h);
    let height = (h * scale + 2.0 * MARGIN) as i32 + LEGEND;
    let offset_x = (f64::from(WIDTH) - w * scale) / 2.0;
    let project = |lon: f64, lat: f64| {
        ((offset_x + (lon - min_x) * k * scale) as i32, (MARGIN + (max_y - lat) * scale) as i32)
    };

    canvas::draw(height as u32, |area| {
        for ring in outline {
            let poly: Vec<(i32, i32)> = ring.iter().map(|(x, y)| project(*x, *y)).collect();
            area.draw(&Polygon::new(poly.clone(), RGBColor(0xee, 0xf3, 0xf8).filled()))
                .map_err(err)?;
            let mut closed = poly;
            closed.extend(closed.first().copied());
            area.draw(&PathElement::new(closed, MEDIUM.stroke_width(2))).map_err(err)?;
        }
        let main = placed
            .iter()
            .find(|(s, ..)| s.kind == TypeSite::Principal)
            .map(|(_, x, y)| project(*x, *y));
        if let Some(m) = main {
            for (site, x, y) in &placed {
                if site.kind != TypeSite::Principal {
                    canvas::line(area, m, project(*x, *y), GRAY, 1)?;
                }
            }
        }
        let mut taken: Vec<Rect> =
            placed.iter().map(|(_, x, y)| square(project(*x, *y), 9)).collect();
        for (site, x, y) in &placed {
            let p = project(*x, *y);
            marker(area, site.kind, p)?;
            label(area, site, p, &mut taken)?;
        }
        legend(area, height - LEGEND / 2)
    })
}

fn err<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow::anyhow!("graphique : {e}")
}

fn marker(area: &canvas::Area, kind: TypeSite, (x, y): (i32, i32)) -> Result<()> {
    match kind {
        TypeSite::Principal => {
            area.draw(&Rectangle::new([(x - 9, y - 9), (x + 9, y + 9)], DARK.filled()))
        }
        TypeSite::CentreAssocie => area.draw(&Circle::new((x, y), 7, ACCENT.filled())),
        TypeSite::PointRelais => area
            .draw(&Polygon::new(vec![(x, y - 7), (x + 7, y + 6), (x - 7, y + 6)], MEDIUM.filled())),
    }
    .map_err(err)
}

type Rect = (i32, i32, i32, i32);

fn square((x, y): (i32, i32), r: i32) -> Rect {
    (x - r, y - r, x + r, y + r)
}

fn overlaps(a: &Rect, b: &Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Places the two-line label of a site at the first free position around its marker.
fn label(
    area: &canvas::Area,
    site: &Site,
    (x, y): (i32, i32),
    taken: &mut Vec<Rect>,
) -> Result<()> {
    let name = canvas::shorten(&site.nom, SMALL, true, 230.0);
    let detail = detail(site);
    let w = canvas::text_width(&name, SMALL, true).max(canvas::text_width(&detail, SMALL, false))
        as i32;
    let h = if detail.is_empty() { 16 } else { 34 };
    let candidates = [
        (x + 14, y - h / 2, HPos::Left),
        (x - 14 - w, y - h / 2, HPos::Left),
        (x - w / 2, y - 14 - h, HPos::Left),
        (x - w / 2, y + 14, HPos::Left),
    ];
    let bounds: Rect = (0, 0, WIDTH as i32, area.dim_in_pixel().1 as i32 - LEGEND);
    let fits = |r: &Rect| r.0 >= bounds.0 && r.1 >= bounds.1 && r.2 <= bounds.2 && r.3 <= bounds.3;
    let free = candidates
        .iter()
        .map(|(lx, ly, _)| (*lx, *ly, lx + w, ly + h))
        .find(|r| fits(r) && !taken.iter().any(|t| overlaps(r, t)));
    // When every position is taken, the first one is used: a crowded map stays readable in the
    // table that follows it.
    let r = free.unwrap_or((
        candidates[0].0,
        candidates[0].1,
        candidates[0].0 + w,
        candidates[0].1 + h,
    ));
    taken.push(r);
    canvas::text(area, &name, (r.0, r.1), &canvas::font(SMALL, true, INK, HPos::Left, VPos::Top))?;
    if !detail.is_empty() {
        canvas::text(
            area,
            &detail,
            (r.0, r.1 + 17),
            &canvas::font(SMALL, false, GRAY, HPos::Left, VPos::Top),
        )?;
    }
    Ok(())
}

fn detail(site: &Site) -> String {
    let mut parts = Vec::new();
    if let Some(km) = site.distance_km {
        parts.push(format!("{}\u{a0}km", canvas::number(km)));
    }
    if let Some(min) = site.temps_min {
        parts.push(format!("{}\u{a0}min", canvas::number(min)));
    }
    parts.join(" · ")
}

fn legend(area: &canvas::Area, y: i32) -> Result<()> {
    let style = canvas::font(SMALL, false, INK, HPos::Left, VPos::Center);
    let mut x = 10;
    for (kind, name) in [
        (TypeSite::Principal, "Site principal"),
        (TypeSite::CentreAssocie, "Centre associé"),
        (TypeSite::PointRelais, "Point relais"),
    ] {
        marker(area, kind, (x + 8, y))?;
        canvas::text(area, name, (x + 24, y), &style)?;
        x += 40 + canvas::text_width(name, SMALL, false) as i32;
    }
    let note = "Distances et temps de trajet jusqu'au site principal";
    canvas::text(
        area,
        note,
        (x + 10, y),
        &canvas::font(SMALL, false, GRAY, HPos::Left, VPos::Center),
    )?;
    Ok(())
}

/// Alt text describing each site.
pub fn describe(sites: &[Site]) -> String {
    let items: Vec<String> = sites
        .iter()
        .map(|s| {
            let kind = s.kind.label().to_lowercase();
            let d = detail(s);
            let d = if d.is_empty() { String::new() } else { format!(", {d} du site principal") };
            format!("{} ({kind}, {}{d})", canvas::clean(&s.nom), canvas::clean(&s.commune))
        })
        .collect();
    format!("Carte du territoire et des lieux de la Cité des métiers : {}.", items.join(" ; "))
}
