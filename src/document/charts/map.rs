//! Territory map (5.3): the communes of the territory (or its outline) named where room allows,
//! the sites placed by their coordinates and linked to the main site, optional distance circles
//! around it, a scale bar, a north arrow and a legend.
//!
//! Every label is placed where it overlaps nothing already drawn (markers, links, other
//! labels), or left out: a crowded map loses names, never readability, and the table of sites
//! that follows it lists them all.

use anyhow::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{self, ACCENT, DARK, GRAY, INK, MEDIUM, SMALL, WIDTH};
use crate::input::geo::{Feature, Ring};
use crate::model::{Site, TypeSite};

const MAX_HEIGHT: f64 = 560.0;
const MARGIN: f64 = 30.0;
/// Height of one line of the legend.
const LEGEND_LINE: i32 = 26;
/// Size of commune names: smaller and lighter than the sites'.
const COMMUNE: f64 = 11.0;
/// Kilometres in one degree of latitude.
const KM_PER_DEGREE: f64 = 111.32;

/// A box on the canvas: (x0, y0, x1, y1).
type Rect = (i32, i32, i32, i32);

/// Local equirectangular projection, its x scale corrected by the cosine of the mean latitude
/// so that distances look the same in every direction (exact enough at the scale of an EPCI).
struct Projection {
    min_lon: f64,
    max_lat: f64,
    k: f64,
    scale: f64,
    offset_x: f64,
    /// Units above the northernmost point.
    top: f64,
}

impl Projection {
    /// The projection of the points into the map's width less room for labels, at most
    /// [`MAX_HEIGHT`] high.
    fn fit(points: impl Iterator<Item = (f64, f64)>) -> (Projection, f64) {
        let room = (f64::from(WIDTH) - 2.0 * MARGIN - 240.0, MAX_HEIGHT - 2.0 * MARGIN);
        Projection::fit_in(points, room, MARGIN)
    }

    /// The projection of the points into a box of `(width, height)` units centred across,
    /// `top` units below the top edge; with the height it takes.
    fn fit_in(
        points: impl Iterator<Item = (f64, f64)>,
        room: (f64, f64),
        top: f64,
    ) -> (Projection, f64) {
        let (min_x, max_x, min_y, max_y) = points
            .fold((f64::MAX, f64::MIN, f64::MAX, f64::MIN), |b, (x, y)| {
                (b.0.min(x), b.1.max(x), b.2.min(y), b.3.max(y))
            });
        let k = ((min_y + max_y) / 2.0).to_radians().cos().max(0.1);
        let (w, h) = (((max_x - min_x) * k).max(1e-3), (max_y - min_y).max(1e-3));
        let scale = (room.0 / w).min(room.1 / h);
        let offset_x = (f64::from(WIDTH) - w * scale) / 2.0;
        (Projection { min_lon: min_x, max_lat: max_y, k, scale, offset_x, top }, h * scale)
    }

    fn point(&self, (lon, lat): (f64, f64)) -> (i32, i32) {
        let x = self.offset_x + (lon - self.min_lon) * self.k * self.scale;
        (x as i32, (self.top + (self.max_lat - lat) * self.scale) as i32)
    }

    fn pixels_per_km(&self) -> f64 {
        self.scale / KM_PER_DEGREE
    }
}

/// What is already on the map, that a label must not cover.
#[derive(Default)]
struct Taken {
    /// Markers, labels, scale bar, north arrow.
    boxes: Vec<Rect>,
    /// The labels alone: what a leader line must not cross.
    labels: Vec<Rect>,
    /// Links to the main site and leader lines.
    segments: Vec<((i32, i32), (i32, i32))>,
}

impl Taken {
    fn is_free(&self, r: &Rect, bounds: &Rect) -> bool {
        let inside = r.0 >= bounds.0 && r.1 >= bounds.1 && r.2 <= bounds.2 && r.3 <= bounds.3;
        inside
            && !self.boxes.iter().any(|t| overlaps(r, t))
            && !self.segments.iter().any(|(a, b)| crosses(*a, *b, r))
    }
}

/// Draws the map of the sites that have coordinates over the territory's areas, with circles
/// of `rings_km` around the main site. The extent holds the territory, the sites and the
/// circles whole. A site whose name finds no room is numbered, its name in the key under the
/// map (recorded with [`canvas::record_key`]); the legend lists only what is drawn.
pub fn draw(sites: &[Site], territory: &[Feature], rings_km: &[f64]) -> Result<String> {
    let (placed, base) = placed_sites(sites, territory);
    let main = placed.iter().find(|(s, _)| s.kind == TypeSite::Principal).map(|(_, p)| *p);
    let rings_km: &[f64] = if main.is_some() { rings_km } else { &[] };
    let (projection, drawn_height) =
        Projection::fit(base.iter().copied().chain(ring_extent(main, rings_km, &base)));
    let map_height = (drawn_height + 2.0 * MARGIN) as i32;
    let map = Map {
        sites: placed.iter().map(|(s, p)| (*s, projection.point(*p))).collect(),
        territory,
        rings_km,
        projection,
        map_height,
        bounds: (2, 2, WIDTH as i32 - 2, map_height),
    };
    // Placing the labels decides what the legend says (whether any label shows a distance,
    // whether any site is numbered): a first drawing finds it out, the second one is kept. The
    // placement depends on the map alone, so both place every label alike.
    let mut drawn = Drawn::default();
    canvas::draw(map_height as u32, |area| {
        drawn = map.paint(area)?;
        Ok(())
    })?;
    canvas::take_key();
    let legend = legend_entries(&map, &drawn);
    let height = map_height + legend_rows(&legend).len() as i32 * LEGEND_LINE + 8;
    canvas::draw(height as u32, |area| {
        map.paint(area)?;
        draw_legend(area, &legend, map_height + 8 + LEGEND_LINE / 2)
    })
}

/// A site that has coordinates, with its longitude and latitude.
type Placed<'a> = (&'a Site, (f64, f64));

/// The sites that have coordinates, with their longitude and latitude, and every point the map
/// must hold (those sites and the territory's outline): what both maps are fitted to.
fn placed_sites<'a>(
    sites: &'a [Site],
    territory: &[Feature],
) -> (Vec<Placed<'a>>, Vec<(f64, f64)>) {
    let placed: Vec<Placed> =
        sites.iter().filter_map(|s| Some((s, (s.longitude?, s.latitude?)))).collect();
    let outline = territory.iter().flat_map(|f| f.rings.iter().flatten().copied());
    let base = placed.iter().map(|(_, p)| *p).chain(outline).collect();
    (placed, base)
}

/// Size of the numbers on the compact map: L'essentiel (templates/essentiel.typ) prints the
/// map at least 175 pt wide, where 36 of its 900 units make 7 pt.
const COMPACT_NUMBER: f64 = 36.0;
/// Radius of a numbered disc on the compact map.
const COMPACT_DISC: i32 = 25;

/// The small map of L'essentiel: the territory, and the first `numbered` sites that have
/// coordinates as numbered discs (their names in the list beside it, in the same order), the
/// others as plain markers; a scale bar. No names, circles, links nor legend: at a third of the
/// page they would print at 4 pt. Planned sites are hollow discs, as on the full map.
pub fn draw_compact(sites: &[Site], territory: &[Feature], numbered: usize) -> Result<String> {
    let (placed, base) = placed_sites(sites, territory);
    let margin = f64::from(COMPACT_DISC) + 12.0;
    let room = (f64::from(WIDTH) - 2.0 * margin, 1.4 * f64::from(WIDTH));
    let (projection, drawn_height) = Projection::fit_in(base.iter().copied(), room, margin);
    // Below the territory, the scale bar's line.
    let height = (drawn_height + 2.0 * margin) as i32 + 44;
    let points: Vec<(&Site, (i32, i32))> =
        placed.iter().map(|(s, p)| (*s, projection.point(*p))).collect();
    let bounds = (2, 2, WIDTH as i32 - 2, height - 50);
    canvas::draw(height as u32, |area| {
        areas(area, territory, &projection)?;
        let mut taken = Taken::default();
        scale_bar_sized(area, &projection, height - 6, COMPACT_NUMBER, &mut taken)?;
        for (site, p) in points.iter().skip(numbered) {
            marker(area, site.kind, site.planned(), *p)?;
            taken.boxes.push(square(*p, 9));
        }
        // Each disc on its site; one that would cover another goes to the nearest free spot,
        // a line to a dot on its site.
        let r = COMPACT_DISC;
        for (k, (site, p)) in points.iter().enumerate().take(numbered) {
            let spot = match taken.is_free(&square(*p, r + 2), &bounds) {
                true => None,
                false => free_spot(*p, (2 * r + 4, 2 * r + 4), &bounds, &taken)
                    .or_else(|| nearest_free(*p, (2 * r + 4, 2 * r + 4), &bounds, &taken)),
            };
            let center = match spot {
                Some((b, _)) => {
                    let c = ((b.0 + b.2) / 2, (b.1 + b.3) / 2);
                    canvas::line(area, *p, c, GRAY, 2)?;
                    area.draw(&Circle::new(*p, 5, INK.filled())).map_err(err)?;
                    taken.segments.push((*p, c));
                    c
                }
                None => *p,
            };
            numbered_disc(area, site, center, &(k + 1).to_string())?;
            taken.boxes.push(square(center, r + 2));
            taken.labels.push(square(center, r + 2));
        }
        Ok(())
    })
}

/// A site's numbered disc on the compact map: the colour of its kind, hollow when planned.
fn numbered_disc(area: &canvas::Area, site: &Site, center: (i32, i32), number: &str) -> Result<()> {
    let color = kind_color(site.kind);
    let r = COMPACT_DISC;
    let (fill, ink) = if site.planned() { (WHITE, color) } else { (color, WHITE) };
    area.draw(&Circle::new(center, r, fill.filled())).map_err(err)?;
    area.draw(&Circle::new(center, r, color.stroke_width(4))).map_err(err)?;
    if !site.planned() {
        area.draw(&Circle::new(center, r + 2, WHITE.stroke_width(2))).map_err(err)?;
    }
    let style = canvas::font(COMPACT_NUMBER, true, ink, HPos::Center, VPos::Center);
    canvas::text(area, number, (center.0, center.1 + 2), &style)
}

fn kind_color(kind: TypeSite) -> RGBColor {
    match kind {
        TypeSite::Principal => DARK,
        TypeSite::CentreAssocie => ACCENT,
        TypeSite::PointRelais => MEDIUM,
    }
}

/// The bounding box of the largest circle that widens the map by at most a quarter: the map
/// holds it whole. A larger circle would shrink the territory to a corner; it is cut at the
/// frame, and labelled inside it (see [`circles`]).
fn ring_extent(main: Option<(f64, f64)>, rings_km: &[f64], base: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let Some((lon, lat)) = main else { return Vec::new() };
    let k = lat.to_radians().cos().max(0.1);
    let span = |points: &[(f64, f64)]| {
        let (x0, x1, y0, y1) =
            points.iter().fold((f64::MAX, f64::MIN, f64::MAX, f64::MIN), |b, p| {
                (b.0.min(p.0), b.1.max(p.0), b.2.min(p.1), b.3.max(p.1))
            });
        ((x1 - x0) * k).max(y1 - y0)
    };
    let limit = 1.25 * span(base);
    let mut rings: Vec<f64> = rings_km.to_vec();
    rings.sort_by(|a, b| b.total_cmp(a));
    rings
        .into_iter()
        .map(|km| {
            let dlat = km / KM_PER_DEGREE;
            let dlon = dlat / k;
            vec![(lon - dlon, lat - dlat), (lon + dlon, lat + dlat)]
        })
        .find(|corners| {
            let all: Vec<(f64, f64)> = base.iter().chain(corners).copied().collect();
            span(&all) <= limit
        })
        .unwrap_or_default()
}

/// Everything the map draws, projected.
struct Map<'a> {
    sites: Vec<(&'a Site, (i32, i32))>,
    territory: &'a [Feature],
    rings_km: &'a [f64],
    projection: Projection,
    map_height: i32,
    bounds: Rect,
}

/// What the drawing of the map turned out to show.
#[derive(Default)]
struct Drawn {
    /// A label shows a distance or a travel time.
    details: bool,
    /// A site is numbered, named in the key.
    numbered: bool,
    /// The circles that show on the map (the others lie wholly beyond its frame).
    circles: Vec<f64>,
}

impl Map<'_> {
    fn main(&self) -> Option<(i32, i32)> {
        self.sites.iter().find(|(s, _)| s.kind == TypeSite::Principal).map(|(_, p)| *p)
    }

    fn paint(&self, area: &canvas::Area) -> Result<Drawn> {
        let (sites, bounds) = (&self.sites, &self.bounds);
        let mut taken = Taken::default();
        taken.boxes.extend(sites.iter().map(|(_, p)| square(*p, 9)));
        areas(area, self.territory, &self.projection)?;
        let mut drawn = Drawn::default();
        if let Some(m) = self.main() {
            drawn.circles = circles(area, m, self.rings_km, &self.projection, bounds, &mut taken)?;
        }
        scale_bar(area, &self.projection, self.map_height, &mut taken)?;
        north_arrow(area, &mut taken)?;
        links(area, self.main(), sites, &mut taken)?;
        for (site, p) in sites {
            marker(area, site.kind, site.planned(), *p)?;
        }
        let mut numbered = Vec::new();
        for (site, p) in sites {
            // Two sites of one name (« Permanence en mairie ») are told apart by their commune.
            let shared = sites.iter().filter(|(s, _)| same_name(&s.nom, &site.nom)).count() > 1;
            match site_label(area, site, shared, *p, bounds, &mut taken)? {
                Some(detail) => drawn.details |= detail,
                None => numbered.push((*site, *p, shared)),
            }
        }
        // Numbers go on after every name that found room, so that a number never takes the
        // place of a name.
        for (n, (site, p, shared)) in numbered.iter().enumerate() {
            let number = (n + 1).to_string();
            number_label(area, &number, *p, bounds, &mut taken)?;
            let detail = detail(site);
            let state = if site.planned() { ", prévu" } else { "" };
            let text = match detail.is_empty() {
                true => format!("{}{state}", full_name(site, *shared)),
                false => format!("{}{state} : {detail}", full_name(site, *shared)),
            };
            canvas::record_key(number, text);
            drawn.numbered = true;
        }
        commune_labels(area, self.territory, &self.projection, bounds, &mut taken)?;
        Ok(drawn)
    }
}

fn err<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow::anyhow!("graphique : {e}")
}

/// The areas of the territory: a single outline in a strong line, communes as light tiles
/// separated by white borders.
fn areas(area: &canvas::Area, territory: &[Feature], projection: &Projection) -> Result<()> {
    let single = territory.len() == 1;
    for ring in territory.iter().flat_map(|f| &f.rings) {
        let poly: Vec<(i32, i32)> = ring.iter().map(|p| projection.point(*p)).collect();
        let fill = if single { RGBColor(0xee, 0xf3, 0xf8) } else { RGBColor(0xe4, 0xed, 0xf5) };
        area.draw(&Polygon::new(poly.clone(), fill.filled())).map_err(err)?;
        let mut closed = poly;
        closed.extend(closed.first().copied());
        let border = if single { MEDIUM.stroke_width(2) } else { WHITE.stroke_width(2) };
        area.draw(&PathElement::new(closed, border)).map_err(err)?;
    }
    Ok(())
}

/// Circles of the given distances around the main site, each labelled on its rim where free;
/// the distances of those that show on the map.
fn circles(
    area: &canvas::Area,
    center: (i32, i32),
    rings_km: &[f64],
    projection: &Projection,
    bounds: &Rect,
    taken: &mut Taken,
) -> Result<Vec<f64>> {
    let mut drawn = Vec::new();
    for km in rings_km {
        let r = (km * projection.pixels_per_km()).round() as i32;
        // Drawn as arcs cut at the edge of the map: a circle larger than the territory must
        // not run into the legend.
        let points = (0..=240).map(|i| {
            let (s, c) = (f64::from(i) / 240.0 * std::f64::consts::TAU).sin_cos();
            (center.0 + (c * f64::from(r)) as i32, center.1 + (s * f64::from(r)) as i32)
        });
        let inside = |p: &(i32, i32)| {
            p.0 >= bounds.0 && p.0 <= bounds.2 && p.1 >= bounds.1 && p.1 <= bounds.3
        };
        let mut arc = Vec::new();
        for p in points.chain([(i32::MIN, i32::MIN)]) {
            if inside(&p) {
                arc.push(p);
            } else if !arc.is_empty() {
                let stroke = ShapeStyle::from(ACCENT.mix(0.7)).stroke_width(1);
                if drawn.last() != Some(km) {
                    drawn.push(*km);
                }
                area.draw(&PathElement::new(std::mem::take(&mut arc), stroke)).map_err(err)?;
            }
        }
        let text = format!("{}\u{a0}km", canvas::number(*km));
        let (w, h) = (canvas::text_width(&text, COMMUNE, false) as i32, 14);
        // On the rim, upper right first, then around the circle; a circle cut by the frame
        // is labelled where it is drawn, every 5 degrees.
        let rim = [-50.0f64, -130.0, 50.0, 130.0, -90.0, 90.0];
        let around = (0..72).map(|i| f64::from(i) * 5.0 - 180.0);
        let spot = rim.into_iter().chain(around).find_map(|deg| {
            let (s, c) = deg.to_radians().sin_cos();
            let (x, y) =
                (center.0 + (c * f64::from(r)) as i32, center.1 + (s * f64::from(r)) as i32);
            let rect = (x - w / 2, y - h / 2, x + w / 2, y + h / 2);
            taken.is_free(&rect, bounds).then_some(rect)
        });
        if let Some(rect) = spot {
            let style = canvas::font(COMMUNE, false, ACCENT, HPos::Center, VPos::Center);
            canvas::rect(area, (rect.0 - 2, rect.1), (rect.2 + 2, rect.3), WHITE)?;
            canvas::text(area, &text, ((rect.0 + rect.2) / 2, (rect.1 + rect.3) / 2), &style)?;
            taken.boxes.push(rect);
            taken.labels.push(rect);
        }
    }
    Ok(drawn)
}

/// The lines from the main site to the others.
fn links(
    area: &canvas::Area,
    main: Option<(i32, i32)>,
    sites: &[(&Site, (i32, i32))],
    taken: &mut Taken,
) -> Result<()> {
    let Some(m) = main else { return Ok(()) };
    for (site, p) in sites {
        if site.kind != TypeSite::Principal {
            let color = if site.planned() { canvas::GRID } else { GRAY };
            canvas::line(area, m, *p, color, 1)?;
            taken.segments.push((m, *p));
        }
    }
    Ok(())
}

/// A scale bar of a round length, bottom left of the map.
fn scale_bar(
    area: &canvas::Area,
    projection: &Projection,
    map_height: i32,
    taken: &mut Taken,
) -> Result<()> {
    scale_bar_sized(area, projection, map_height, COMMUNE, taken)
}

/// A scale bar whose length is written at `size`.
fn scale_bar_sized(
    area: &canvas::Area,
    projection: &Projection,
    map_height: i32,
    size: f64,
    taken: &mut Taken,
) -> Result<()> {
    let per_km = projection.pixels_per_km();
    let km = [0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0]
        .into_iter()
        .rev()
        .find(|km| km * per_km <= 160.0)
        .unwrap_or(0.5);
    let length = (km * per_km).round() as i32;
    let (x, y) = (12, map_height - 10);
    canvas::line(area, (x, y), (x + length, y), INK, 2)?;
    canvas::line(area, (x, y - 5), (x, y), INK, 2)?;
    canvas::line(area, (x + length, y - 5), (x + length, y), INK, 2)?;
    let text = format!("{}\u{a0}km", canvas::number(km));
    let style = canvas::font(size, false, INK, HPos::Left, VPos::Bottom);
    canvas::text(area, &text, (x + length + 6, y + 2), &style)?;
    let w = canvas::text_width(&text, size, false) as i32;
    taken.boxes.push((x - 2, y - 6 - size as i32, x + length + 8 + w, y + 4));
    Ok(())
}

/// A north arrow in the top right corner.
fn north_arrow(area: &canvas::Area, taken: &mut Taken) -> Result<()> {
    let (x, y) = (WIDTH as i32 - 24, 10);
    area.draw(&Polygon::new(
        vec![(x, y), (x + 7, y + 22), (x, y + 17), (x - 7, y + 22)],
        INK.filled(),
    ))
    .map_err(err)?;
    let style = canvas::font(SMALL, true, INK, HPos::Center, VPos::Top);
    canvas::text(area, "N", (x, y + 25), &style)?;
    taken.boxes.push((x - 12, y - 2, x + 12, y + 42));
    Ok(())
}

/// The marker of a kind of site: filled when open, hollow (white inside a thick outline of
/// the same colour) when planned.
fn marker(area: &canvas::Area, kind: TypeSite, planned: bool, (x, y): (i32, i32)) -> Result<()> {
    let color = kind_color(kind);
    let style = if planned { WHITE.filled() } else { color.filled() };
    let outline = color.stroke_width(3);
    match kind {
        TypeSite::Principal => area.draw(&Rectangle::new([(x - 8, y - 8), (x + 8, y + 8)], style)),
        TypeSite::CentreAssocie => area.draw(&Circle::new((x, y), 7, style)),
        TypeSite::PointRelais => {
            area.draw(&Polygon::new(vec![(x, y - 7), (x + 7, y + 6), (x - 7, y + 6)], style))
        }
    }
    .map_err(err)?;
    if planned {
        let closed = match kind {
            TypeSite::Principal => {
                vec![(x - 8, y - 8), (x + 8, y - 8), (x + 8, y + 8), (x - 8, y + 8), (x - 8, y - 8)]
            }
            TypeSite::CentreAssocie => (0..=24)
                .map(|i| {
                    let (s, c) = (f64::from(i) / 24.0 * std::f64::consts::TAU).sin_cos();
                    (x + (7.0 * c).round() as i32, y + (7.0 * s).round() as i32)
                })
                .collect(),
            TypeSite::PointRelais => vec![(x, y - 7), (x + 7, y + 6), (x - 7, y + 6), (x, y - 7)],
        };
        area.draw(&PathElement::new(closed, outline)).map_err(err)?;
    }
    Ok(())
}

fn square((x, y): (i32, i32), r: i32) -> Rect {
    (x - r, y - r, x + r, y + r)
}

fn overlaps(a: &Rect, b: &Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Whether the segment a–b passes through the box (tested on 24 points along it: exact
/// enough at the pixel scale, and simpler than clipping).
fn crosses(a: (i32, i32), b: (i32, i32), r: &Rect) -> bool {
    (0..=24).any(|i| {
        let t = f64::from(i) / 24.0;
        let x = f64::from(a.0) + t * f64::from(b.0 - a.0);
        let y = f64::from(a.1) + t * f64::from(b.1 - a.1);
        x > f64::from(r.0) && x < f64::from(r.2) && y > f64::from(r.1) && y < f64::from(r.3)
    })
}

/// Whether two site names are the same for a reader (case and accents aside).
fn same_name(a: &str, b: &str) -> bool {
    crate::model::vocab::fold(a) == crate::model::vocab::fold(b)
}

/// The name of a site, with its commune when another site has the same name.
fn full_name(site: &Site, with_commune: bool) -> String {
    if with_commune && !site.commune.trim().is_empty() {
        format!("{} ({})", site.nom.trim(), site.commune.trim())
    } else {
        site.nom.trim().to_string()
    }
}

/// Places the label of a site (name, then distance and time) at the first free position of
/// eight around its marker, then further away with a leader line; without room, the name
/// alone. Returns whether the label shows the distance, or `None` when the name found no room
/// (it is never cut: the site is then numbered).
fn site_label(
    area: &canvas::Area,
    site: &Site,
    with_commune: bool,
    marker: (i32, i32),
    bounds: &Rect,
    taken: &mut Taken,
) -> Result<Option<bool>> {
    let name = canvas::clean(&full_name(site, with_commune));
    let detail = detail(site);
    let variants = [Some(detail.as_str()).filter(|d| !d.is_empty()), None];
    for detail in variants.iter().filter(|d| d.is_some()).chain([&None]) {
        let w = canvas::text_width(&name, SMALL, true)
            .max(detail.map_or(0.0, |d| canvas::text_width(d, SMALL, false)))
            as i32
            + 2;
        let h = if detail.is_some() { 34 } else { 17 };
        let Some((r, leader)) = free_spot(marker, (w, h), bounds, taken) else { continue };
        if let Some(end) = leader {
            canvas::line(area, marker, end, GRAY, 1)?;
            taken.segments.push((marker, end));
        }
        taken.boxes.push(r);
        taken.labels.push(r);
        let bold = canvas::font(SMALL, true, INK, HPos::Left, VPos::Top);
        canvas::text(area, &name, (r.0, r.1), &bold)?;
        if let Some(d) = detail {
            let style = canvas::font(SMALL, false, GRAY, HPos::Left, VPos::Top);
            canvas::text(area, d, (r.0, r.1 + 17), &style)?;
        }
        return Ok(Some(detail.is_some()));
    }
    Ok(None)
}

/// The number of a site named in the key: at a free spot near its marker, else right of it.
fn number_label(
    area: &canvas::Area,
    number: &str,
    marker: (i32, i32),
    bounds: &Rect,
    taken: &mut Taken,
) -> Result<()> {
    let (w, h) = (canvas::text_width(number, SMALL, true) as i32 + 6, 17);
    let (r, leader) = free_spot(marker, (w, h), bounds, taken)
        .or_else(|| nearest_free(marker, (w, h), bounds, taken))
        .unwrap_or(((marker.0 + 10, marker.1 - 8, marker.0 + 10 + w, marker.1 + 9), None));
    if let Some(end) = leader {
        canvas::line(area, marker, end, GRAY, 1)?;
        taken.segments.push((marker, end));
    }
    canvas::rect(area, (r.0, r.1), (r.2, r.3), WHITE)?;
    let style = canvas::font(SMALL, true, DARK, HPos::Center, VPos::Center);
    canvas::text(area, number, ((r.0 + r.2) / 2, (r.1 + r.3) / 2 + 1), &style)?;
    taken.boxes.push(r);
    taken.labels.push(r);
    Ok(())
}

/// The first free box of size `(w, h)` around a marker: next to it, else at growing distances
/// in eight directions with the end of a leader line that crosses no other label.
fn free_spot(
    (x, y): (i32, i32),
    (w, h): (i32, i32),
    bounds: &Rect,
    taken: &Taken,
) -> Option<(Rect, Option<(i32, i32)>)> {
    let directions = [(1, 0), (-1, 0), (0, -1), (0, 1), (1, -1), (1, 1), (-1, -1), (-1, 1)];
    for distance in [0, 40, 80, 130, 190] {
        for (dx, dy) in directions {
            let gap = 12 + distance;
            // The corner or edge of the box facing the marker sits `gap` pixels away from it.
            let left = match dx {
                1 => x + gap,
                -1 => x - gap - w,
                _ => x - w / 2,
            };
            let top = match dy {
                1 => y + gap,
                -1 => y - gap - h,
                _ => y - h / 2,
            };
            let r = (left, top, left + w, top + h);
            if !taken.is_free(&r, bounds) {
                continue;
            }
            if distance == 0 {
                return Some((r, None));
            }
            let end = (x.clamp(r.0, r.2), y.clamp(r.1, r.3));
            if taken.labels.iter().all(|b| !crosses((x, y), end, b)) {
                return Some((r, Some(end)));
            }
        }
    }
    None
}

/// The free box of size `(w, h)` nearest to a marker anywhere on the map, with the end of a
/// leader line that crosses no label: for a number in a crowd of sites, where the eight
/// directions of [`free_spot`] are all taken.
fn nearest_free(
    (x, y): (i32, i32),
    (w, h): (i32, i32),
    bounds: &Rect,
    taken: &Taken,
) -> Option<(Rect, Option<(i32, i32)>)> {
    let mut spots: Vec<Rect> = (bounds.1..bounds.3 - h)
        .step_by(9)
        .flat_map(|top| {
            (bounds.0..bounds.2 - w).step_by(9).map(move |left| (left, top, left + w, top + h))
        })
        .collect();
    let distance = |r: &Rect| {
        let (cx, cy) = (x.clamp(r.0, r.2), y.clamp(r.1, r.3));
        (cx - x).pow(2) + (cy - y).pow(2)
    };
    spots.sort_by_key(distance);
    let leader = |r: &Rect| (x.clamp(r.0, r.2), y.clamp(r.1, r.3));
    // A leader that crosses no label; in a crowd that surrounds the marker with names, the
    // nearest spot whatever the leader crosses (a thin gray line over a name stays legible).
    let mut nearest = None;
    for r in spots.iter().filter(|r| taken.is_free(r, bounds)) {
        if taken.labels.iter().all(|b| !crosses((x, y), leader(r), b)) {
            return Some((*r, Some(leader(r))));
        }
        nearest = nearest.or(Some(*r));
    }
    nearest.map(|r| (r, Some(leader(&r))))
}

/// The names of the communes, largest first, each at a point inside it, where it fits in the
/// commune's width and overlaps nothing.
fn commune_labels(
    area: &canvas::Area,
    territory: &[Feature],
    projection: &Projection,
    bounds: &Rect,
    taken: &mut Taken,
) -> Result<()> {
    if territory.len() < 2 {
        return Ok(());
    }
    let mut named: Vec<(&str, Vec<(i32, i32)>)> = territory
        .iter()
        .filter_map(|f| {
            let ring = f.rings.iter().max_by(|a, b| ring_area(a).total_cmp(&ring_area(b)))?;
            Some((f.name.as_deref()?, ring.iter().map(|p| projection.point(*p)).collect()))
        })
        .collect();
    named.sort_by(|a, b| pixel_area(&b.1).total_cmp(&pixel_area(&a.1)));
    let style =
        canvas::font(COMMUNE, false, RGBColor(0x4a, 0x5a, 0x6a), HPos::Center, VPos::Center);
    for (name, poly) in named {
        let (x0, x1) = poly.iter().fold((i32::MAX, i32::MIN), |b, p| (b.0.min(p.0), b.1.max(p.0)));
        let Some((x, y)) = label_point(&poly) else { continue };
        let room = (x1 - x0) + 8;
        let lines = name_lines(&canvas::clean(name));
        let fits = lines.iter().find(|l| {
            width(l) <= room && {
                let rect = name_box(l, (x, y));
                taken.is_free(&rect, bounds)
            }
        });
        if let Some(lines) = fits {
            for (i, line) in lines.iter().enumerate() {
                let dy = (2 * i as i32 - lines.len() as i32 + 1) * 7;
                canvas::text(area, line, (x, y + dy), &style)?;
            }
            taken.boxes.push(name_box(lines, (x, y)));
            taken.labels.push(name_box(lines, (x, y)));
        }
    }
    Ok(())
}

/// A commune name on one line, or split at the hyphen or space nearest its middle
/// ("Saint-Martin-" / "lez-Tatinghem") as maps do when a commune is narrow.
fn name_lines(name: &str) -> Vec<Vec<String>> {
    let mut ways = vec![vec![name.to_string()]];
    let middle = name.len() / 2;
    let split = name
        .char_indices()
        .filter(|(_, c)| *c == '-' || *c == ' ')
        .min_by_key(|(i, _)| i.abs_diff(middle));
    if let Some((i, c)) = split {
        let cut = if c == '-' { i + 1 } else { i };
        ways.push(vec![name[..cut].trim().to_string(), name[cut..].trim().to_string()]);
    }
    ways
}

fn width(lines: &[String]) -> i32 {
    lines.iter().map(|l| canvas::text_width(l, COMMUNE, false) as i32 + 2).max().unwrap_or(0)
}

fn name_box(lines: &[String], (x, y): (i32, i32)) -> Rect {
    let (w, h) = (width(lines), 7 * lines.len() as i32 + 1);
    (x - w / 2, y - h, x + w / 2, y + h)
}

fn ring_area(ring: &Ring) -> f64 {
    shoelace(ring.iter().copied()).abs()
}

fn pixel_area(poly: &[(i32, i32)]) -> f64 {
    shoelace(poly.iter().map(|p| (f64::from(p.0), f64::from(p.1)))).abs()
}

fn shoelace(points: impl Iterator<Item = (f64, f64)> + Clone) -> f64 {
    let next = points.clone().cycle().skip(1);
    points.zip(next).map(|(a, b)| a.0 * b.1 - b.0 * a.1).sum::<f64>() / 2.0
}

/// A point inside a polygon to centre its name on: the middle of the widest inside stretch of
/// the horizontal line through its middle height (a centroid can fall outside a crescent).
fn label_point(poly: &[(i32, i32)]) -> Option<(i32, i32)> {
    let (y0, y1) = poly.iter().fold((i32::MAX, i32::MIN), |b, p| (b.0.min(p.1), b.1.max(p.1)));
    let y = f64::from(y0 + y1) / 2.0 + 0.5;
    let mut xs: Vec<f64> = poly
        .iter()
        .zip(poly.iter().cycle().skip(1))
        .filter_map(|(a, b)| {
            let (ay, by) = (f64::from(a.1), f64::from(b.1));
            ((ay <= y) != (by <= y))
                .then(|| f64::from(a.0) + (y - ay) / (by - ay) * f64::from(b.0 - a.0))
        })
        .collect();
    xs.sort_by(f64::total_cmp);
    let widest = xs.chunks_exact(2).max_by(|a, b| (a[1] - a[0]).total_cmp(&(b[1] - b[0])))?;
    Some((((widest[0] + widest[1]) / 2.0) as i32, y as i32))
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

/// An entry of the legend: a marker (kind, planned) or none for a note, and its text.
type Entry = (Option<(TypeSite, bool)>, String);

/// The legend of what the map shows: the kinds of sites drawn, open and planned apart, and
/// the notes on what is drawn (distances under the names, numbers, circles).
fn legend_entries(map: &Map, drawn: &Drawn) -> Vec<Entry> {
    let mut entries = Vec::new();
    for kind in TypeSite::ALL.iter().copied() {
        for planned in [false, true] {
            if map.sites.iter().any(|(s, _)| s.kind == kind && s.planned() == planned) {
                entries.push((Some((kind, planned)), kind_text(kind, planned).to_string()));
            }
        }
    }
    if drawn.details {
        let text = "Sous les noms : distance et temps de trajet jusqu'au site principal";
        entries.push((None, text.to_string()));
    }
    if drawn.numbered {
        entries.push((None, "Numéros : sites nommés sous la carte".to_string()));
    }
    if !drawn.circles.is_empty() {
        let mut text = "Cercles : distance à vol d'oiseau du site principal".to_string();
        // A circle wholly beyond the frame is said, not silently left out.
        let beyond: Vec<String> = map
            .rings_km
            .iter()
            .filter(|km| !drawn.circles.contains(km))
            .map(|km| format!("{}\u{a0}km", canvas::number(*km)))
            .collect();
        if !beyond.is_empty() {
            text.push_str(&format!(" ({} : au-delà du cadre)", beyond.join(", ")));
        }
        entries.push((None, text));
    }
    entries
}

fn kind_text(kind: TypeSite, planned: bool) -> &'static str {
    match (kind, planned) {
        (TypeSite::Principal, false) => "Site principal",
        (TypeSite::Principal, true) => "Site principal prévu",
        (TypeSite::CentreAssocie, false) => "Centre associé",
        (TypeSite::CentreAssocie, true) => "Centre associé prévu",
        (TypeSite::PointRelais, false) => "Point relais",
        (TypeSite::PointRelais, true) => "Point relais prévu",
    }
}

fn entry_width((kind, text): &Entry) -> i32 {
    canvas::text_width(text, SMALL, false) as i32 + if kind.is_some() { 24 } else { 0 } + 24
}

/// The entries in rows that fit the width.
fn legend_rows(entries: &[Entry]) -> Vec<Vec<Entry>> {
    let mut rows: Vec<Vec<Entry>> = vec![Vec::new()];
    let mut x = 10;
    for entry in entries {
        let w = entry_width(entry);
        if x + w > WIDTH as i32 - 10 && !rows.last().is_some_and(Vec::is_empty) {
            rows.push(Vec::new());
            x = 10;
        }
        rows.last_mut().expect("a row").push(entry.clone());
        x += w;
    }
    rows
}

fn draw_legend(area: &canvas::Area, entries: &[Entry], top: i32) -> Result<()> {
    for (i, row) in legend_rows(entries).iter().enumerate() {
        let y = top + i as i32 * LEGEND_LINE;
        let mut x = 10;
        for entry in row {
            let (color, text_x) = match entry.0 {
                Some((kind, planned)) => {
                    marker(area, kind, planned, (x + 8, y))?;
                    (INK, x + 24)
                }
                None => (GRAY, x),
            };
            let style = canvas::font(SMALL, false, color, HPos::Left, VPos::Center);
            canvas::text(area, &entry.1, (text_x, y), &style)?;
            x += entry_width(entry);
        }
    }
    Ok(())
}

/// Alt text describing each site.
pub fn describe(sites: &[Site]) -> String {
    let items: Vec<String> = sites
        .iter()
        .map(|s| {
            let kind = s.kind.label().to_lowercase();
            let kind = if s.planned() { format!("{kind} prévu") } else { kind };
            let d = detail(s);
            let d = if d.is_empty() { String::new() } else { format!(", {d} du site principal") };
            format!("{} ({kind}, {}{d})", canvas::clean(&s.nom), canvas::clean(&s.commune))
        })
        .collect();
    format!("Carte du territoire et des lieux de la Cité des métiers : {}.", items.join(" ; "))
}
