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
}

impl Projection {
    fn fit(points: impl Iterator<Item = (f64, f64)>) -> (Projection, f64) {
        let (min_x, max_x, min_y, max_y) = points
            .fold((f64::MAX, f64::MIN, f64::MAX, f64::MIN), |b, (x, y)| {
                (b.0.min(x), b.1.max(x), b.2.min(y), b.3.max(y))
            });
        let k = ((min_y + max_y) / 2.0).to_radians().cos().max(0.1);
        let (w, h) = (((max_x - min_x) * k).max(1e-3), (max_y - min_y).max(1e-3));
        let scale =
            ((f64::from(WIDTH) - 2.0 * MARGIN - 240.0) / w).min((MAX_HEIGHT - 2.0 * MARGIN) / h);
        let offset_x = (f64::from(WIDTH) - w * scale) / 2.0;
        (Projection { min_lon: min_x, max_lat: max_y, k, scale, offset_x }, h * scale)
    }

    fn point(&self, (lon, lat): (f64, f64)) -> (i32, i32) {
        let x = self.offset_x + (lon - self.min_lon) * self.k * self.scale;
        (x as i32, (MARGIN + (self.max_lat - lat) * self.scale) as i32)
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
/// of `rings_km` around the main site.
pub fn draw(sites: &[Site], territory: &[Feature], rings_km: &[f64]) -> Result<String> {
    draw_with(sites, territory, rings_km, &legend_entries(!rings_km.is_empty()))
}

fn draw_with(
    sites: &[Site],
    territory: &[Feature],
    rings_km: &[f64],
    legend: &[Entry],
) -> Result<String> {
    let placed: Vec<(&Site, (f64, f64))> =
        sites.iter().filter_map(|s| Some((s, (s.longitude?, s.latitude?)))).collect();
    let outline = territory.iter().flat_map(|f| f.rings.iter().flatten().copied());
    let (projection, drawn_height) = Projection::fit(placed.iter().map(|(_, p)| *p).chain(outline));
    let legend_lines = legend_rows(legend).len() as i32;
    let map_height = (drawn_height + 2.0 * MARGIN) as i32;
    let height = map_height + legend_lines * LEGEND_LINE + 8;
    let bounds: Rect = (2, 2, WIDTH as i32 - 2, map_height);
    let sites: Vec<(&Site, (i32, i32))> =
        placed.iter().map(|(s, p)| (*s, projection.point(*p))).collect();
    let main = sites.iter().find(|(s, _)| s.kind == TypeSite::Principal).map(|(_, p)| *p);

    canvas::draw(height as u32, |area| {
        let mut taken = Taken::default();
        taken.boxes.extend(sites.iter().map(|(_, p)| square(*p, 9)));
        areas(area, territory, &projection)?;
        if let Some(m) = main {
            circles(area, m, rings_km, &projection, &bounds, &mut taken)?;
        }
        scale_bar(area, &projection, map_height, &mut taken)?;
        north_arrow(area, &mut taken)?;
        links(area, main, &sites, &mut taken)?;
        for (site, p) in &sites {
            marker(area, site.kind, *p)?;
        }
        for (site, p) in &sites {
            // Two sites of one name (« Permanence en mairie ») are told apart by their commune.
            let shared = sites.iter().filter(|(s, _)| same_name(&s.nom, &site.nom)).count() > 1;
            site_label(area, site, shared, *p, &bounds, &mut taken)?;
        }
        commune_labels(area, territory, &projection, &bounds, &mut taken)?;
        draw_legend(area, legend, map_height + 8 + LEGEND_LINE / 2)
    })
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

/// Circles of the given distances around the main site, each labelled on its rim where free.
fn circles(
    area: &canvas::Area,
    center: (i32, i32),
    rings_km: &[f64],
    projection: &Projection,
    bounds: &Rect,
    taken: &mut Taken,
) -> Result<()> {
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
                area.draw(&PathElement::new(std::mem::take(&mut arc), stroke)).map_err(err)?;
            }
        }
        let text = format!("{}\u{a0}km", canvas::number(*km));
        let (w, h) = (canvas::text_width(&text, COMMUNE, false) as i32, 14);
        // On the rim, upper right first, then around the circle.
        let spot = [-50.0f64, -130.0, 50.0, 130.0, -90.0, 90.0].into_iter().find_map(|deg| {
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
    Ok(())
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
            canvas::line(area, m, *p, GRAY, 1)?;
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
    let style = canvas::font(COMMUNE, false, INK, HPos::Left, VPos::Bottom);
    canvas::text(area, &text, (x + length + 6, y + 2), &style)?;
    let w = canvas::text_width(&text, COMMUNE, false) as i32;
    taken.boxes.push((x - 2, y - 16, x + length + 8 + w, y + 4));
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

/// Places the label of a site (name, then distance and time) at the first free position of
/// eight around its marker, then further away with a leader line; without room, the name
/// alone; without room for it either, none.
fn site_label(
    area: &canvas::Area,
    site: &Site,
    with_commune: bool,
    marker: (i32, i32),
    bounds: &Rect,
    taken: &mut Taken,
) -> Result<()> {
    let full = if with_commune && !site.commune.trim().is_empty() {
        format!("{} ({})", site.nom.trim(), site.commune.trim())
    } else {
        site.nom.clone()
    };
    let name = canvas::shorten(&full, SMALL, true, 230.0);
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
        return Ok(());
    }
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

/// An entry of the legend: a marker (or none, for a note) and its text.
type Entry = (Option<TypeSite>, &'static str);

fn legend_entries(rings: bool) -> Vec<Entry> {
    let mut entries = vec![
        (Some(TypeSite::Principal), "Site principal"),
        (Some(TypeSite::CentreAssocie), "Centre associé"),
        (Some(TypeSite::PointRelais), "Point relais"),
        (None, "Sous les noms : distance et temps de trajet jusqu'au site principal"),
    ];
    if rings {
        entries.push((None, "Cercles : distance à vol d'oiseau du site principal"));
    }
    entries
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
        rows.last_mut().expect("a row").push(*entry);
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
                Some(kind) => {
                    marker(area, kind, (x + 8, y))?;
                    (INK, x + 24)
                }
                None => (GRAY, x),
            };
            let style = canvas::font(SMALL, false, color, HPos::Left, VPos::Center);
            canvas::text(area, entry.1, (text_x, y), &style)?;
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
            let d = detail(s);
            let d = if d.is_empty() { String::new() } else { format!(", {d} du site principal") };
            format!("{} ({kind}, {}{d})", canvas::clean(&s.nom), canvas::clean(&s.commune))
        })
        .collect();
    format!("Carte du territoire et des lieux de la Cité des métiers : {}.", items.join(" ; "))
}
