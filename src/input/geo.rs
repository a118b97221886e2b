//! The territory, read from a GeoJSON file (Polygon, MultiPolygon, Feature or
//! FeatureCollection, e.g. the communes of an EPCI exported from geo.api.gouv.fr) into named
//! areas of exterior rings of (longitude, latitude) points, for the map of item 5.3.
//!
//! Parsed by hand with serde_json: only exterior rings and a name are needed, and the
//! `geojson` and `geo` crates would add a dependency tree for a few dozen lines.
//!
//! A file of any shape is read in time linear in its size (n log n for the simplification):
//! the number of points is checked before the JSON is parsed into memory, and the
//! simplification cannot go quadratic (see [`simplify`]).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use serde_json::Value;

/// A ring of (longitude, latitude) points.
pub type Ring = Vec<(f64, f64)>;

/// One area of the territory (a commune, or the whole territory): its name when the file gives
/// one, and the exterior rings of its polygons.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    /// Name, from the `nom`, `name`, `libelle`… property.
    pub name: Option<String>,
    /// Exterior rings.
    pub rings: Vec<Ring>,
}

/// Property names that hold an area's name in the usual French exports (geo.api.gouv.fr,
/// IGN ADMIN EXPRESS, Insee) and in OpenStreetMap-based ones.
const NAME_KEYS: [&str; 7] = ["nom", "name", "nom_com", "libelle", "libgeo", "nom_commune", "lib"];

/// Most points a GeoJSON file may hold: the detailed outline of a large EPCI, commune by
/// commune, has a few hundred thousand; more is a wrong file, refused before it is parsed
/// (a tree of 2 million points already takes some 200 Mo).
pub const MAX_POINTS: usize = 2_000_000;

/// Most points drawn for the whole territory, after simplification: far more than a map of
/// a third of a page shows, and a bound on the chart whatever the file.
pub const MAX_DRAWN_POINTS: usize = 20_000;

/// The areas of a GeoJSON document, simplified for drawing (a point that bulges out less than
/// about 1/2000 of the territory's extent is dropped, and at
/// most [`MAX_DRAWN_POINTS`] are kept); an error (in French) when the bytes are not GeoJSON,
/// hold more than [`MAX_POINTS`] points, a point outside longitude/latitude ranges, or no
/// polygon.
pub fn parse(bytes: &[u8]) -> Result<Vec<Feature>, String> {
    let mut features = read(bytes)?;
    simplify_all(&mut features);
    Ok(features)
}

/// The areas of a GeoJSON document as the file draws them, not simplified (a map simplified
/// when it was built, like the map of France of the network overview); the errors of
/// [`parse`].
pub fn read(bytes: &[u8]) -> Result<Vec<Feature>, String> {
    // Excel and Notepad save « UTF-8 avec BOM »; JSON parsers refuse the mark, we skip it.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let positions = count_positions(bytes);
    if positions > MAX_POINTS {
        return Err(format!(
            "le fichier GeoJSON compte {} points, au plus {} sont acceptés",
            crate::fr::format_number(positions as f64, 0),
            crate::fr::format_number(MAX_POINTS as f64, 0)
        ));
    }
    let json: Value = serde_json::from_slice(bytes).map_err(|e| {
        format!("fichier GeoJSON illisible (ligne {}, colonne {})", e.line(), e.column())
    })?;
    let mut features = Vec::new();
    collect_features(&json, &mut features);
    check_ranges(&features)?;
    features.iter_mut().for_each(|f| f.rings.retain(|r| r.len() >= 3));
    features.retain(|f| !f.rings.is_empty());
    if features.is_empty() {
        return Err(
            "le fichier GeoJSON ne contient aucun polygone (Polygon ou MultiPolygon)".into()
        );
    }
    Ok(features)
}

/// Simplifies every ring for drawing, see [`parse`].
fn simplify_all(features: &mut [Feature]) {
    let points = features.iter().flat_map(|f| f.rings.iter().flatten());
    let (min, max) = points.fold(((f64::MAX, f64::MAX), (f64::MIN, f64::MIN)), |(lo, hi), p| {
        ((lo.0.min(p.0), lo.1.min(p.1)), (hi.0.max(p.0), hi.1.max(p.1)))
    });
    let tolerance = (max.0 - min.0).hypot(max.1 - min.1) / 2000.0;
    let total: usize = features.iter().flat_map(|f| &f.rings).map(Vec::len).sum();
    for ring in features.iter_mut().flat_map(|f| f.rings.iter_mut()) {
        // Each ring keeps its share of the drawn points.
        let share = (ring.len() as f64 / total as f64 * MAX_DRAWN_POINTS as f64) as usize;
        // A ring far above its share is first thinned to 8 times it by keeping every k-th
        // point (linear, and invisible at that density), so that the heap works on a bounded
        // number of points whatever the file.
        let stride = ring.len() / (8 * share.max(4));
        if stride > 1 {
            let last = ring[ring.len() - 1];
            let mut thinned: Ring = ring.iter().step_by(stride).copied().collect();
            thinned.push(last);
            *ring = thinned;
        }
        *ring = simplify(ring, tolerance, share);
    }
}

/// The number of positions (arrays that start with a number) in a JSON text, counted without
/// parsing it: linear, with no allocation. Strings are skipped, so a name holding `[1` does not
/// count.
fn count_positions(bytes: &[u8]) -> usize {
    let (mut count, mut in_string, mut escaped) = (0, false, false);
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if b == b'[' {
            let first = bytes[i + 1..].iter().find(|c| !c.is_ascii_whitespace());
            count += usize::from(first.is_some_and(|c| c.is_ascii_digit() || *c == b'-'));
        }
    }
    count
}

/// Longitudes must lie in −180..180 and latitudes in −90..90 (WGS 84 degrees, what GeoJSON
/// requires): anything else is a projected export (Lambert 93 gives metres) or a broken file,
/// which would draw nothing recognisable.
fn check_ranges(features: &[Feature]) -> Result<(), String> {
    for (n, feature) in features.iter().enumerate() {
        let points = feature.rings.iter().flatten().enumerate();
        let Some((k, (lon, lat))) =
            points.into_iter().find(|(_, (lon, lat))| lon.abs() > 180.0 || lat.abs() > 90.0)
        else {
            continue;
        };
        let name = feature.name.as_deref().map(|n| format!(" (« {n} »)")).unwrap_or_default();
        return Err(format!(
            "objet n° {}{name}, point n° {} : longitude {lon}, latitude {lat} hors des limites \
             (longitude entre −180 et 180, latitude entre −90 et 90 degrés) ; le contour doit \
             être en degrés WGS 84 (EPSG:4326), pas en Lambert 93 ni en mètres",
            n + 1,
            k + 1
        ));
    }
    Ok(())
}

fn collect_features(value: &Value, features: &mut Vec<Feature>) {
    match value.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => {
            for f in value.get("features").and_then(Value::as_array).into_iter().flatten() {
                collect_features(f, features);
            }
        }
        Some("Feature") => {
            let mut rings = Vec::new();
            if let Some(g) = value.get("geometry") {
                collect_rings(g, &mut rings);
            }
            features.push(Feature { name: name(value.get("properties")), rings });
        }
        _ => {
            let mut rings = Vec::new();
            collect_rings(value, &mut rings);
            features.push(Feature { name: None, rings });
        }
    }
}

fn name(properties: Option<&Value>) -> Option<String> {
    let properties = properties?.as_object()?;
    NAME_KEYS.iter().find_map(|key| {
        let (_, v) = properties.iter().find(|(k, _)| k.eq_ignore_ascii_case(key))?;
        Some(v.as_str()?.trim().to_string()).filter(|s| !s.is_empty())
    })
}

/// Visvalingam–Whyatt simplification of a ring: the point whose triangle with its two
/// neighbours has the smallest area is dropped, again and again, while that area is below
/// `8 × tolerance²` (a bump of `tolerance` over a stretch of 16 × `tolerance`, about what
/// Douglas–Peucker kept at that tolerance) or more than `max_points` points remain (at least 4 stay; the first and last
/// points stay). A binary heap of areas makes it O(n log n) on any input, where Douglas–Peucker
/// goes quadratic on a zigzag (each split peels off a single point: 100 000 points took 43 s).
///
/// Written here (some forty lines over `std`'s heap) rather than taken from the `geo` crate's
/// `SimplifyVw`: `geo` brings `geo-types`, `rstar`, `robust`, `i_overlay` and more to compile
/// for this one function, and needs our rings converted to its types and back.
pub fn simplify(ring: &[(f64, f64)], tolerance: f64, max_points: usize) -> Ring {
    let n = ring.len();
    if n <= 4 {
        return ring.to_vec();
    }
    let threshold = 8.0 * tolerance.max(0.0).powi(2);
    let triangle = |a: (f64, f64), b: (f64, f64), c: (f64, f64)| {
        ((b.0 - a.0) * (c.1 - a.1) - (c.0 - a.0) * (b.1 - a.1)).abs() / 2.0
    };
    let mut prev: Vec<usize> = (0..n).map(|i| i.saturating_sub(1)).collect();
    let mut next: Vec<usize> = (1..=n).collect();
    let mut area = vec![f64::INFINITY; n];
    let mut removed = vec![false; n];
    // Areas are finite and non-negative, so the order of their bits is their numeric order.
    let mut heap = BinaryHeap::with_capacity(n);
    for i in 1..n - 1 {
        area[i] = triangle(ring[i - 1], ring[i], ring[i + 1]);
        heap.push(Reverse((area[i].to_bits(), i)));
    }
    let mut left = n;
    while let Some(Reverse((bits, i))) = heap.pop() {
        if removed[i] || bits != area[i].to_bits() {
            continue; // dropped already, or an outdated area
        }
        let a = area[i];
        if left <= 4 || (a > threshold && left <= max_points.max(4)) {
            break;
        }
        removed[i] = true;
        left -= 1;
        let (p, q) = (prev[i], next[i]);
        next[p] = q;
        prev[q] = p;
        for j in [p, q].into_iter().filter(|&j| j != 0 && j != n - 1) {
            // Never below the area just removed, so that the order of removal stays monotonic.
            area[j] = triangle(ring[prev[j]], ring[j], ring[next[j]]).max(a);
            heap.push(Reverse((area[j].to_bits(), j)));
        }
    }
    ring.iter().zip(removed).filter(|(_, r)| !r).map(|(p, _)| *p).collect()
}

fn collect_rings(value: &Value, rings: &mut Vec<Ring>) {
    let ring = |v: &Value| -> Ring {
        v.as_array()
            .map(|pts| {
                pts.iter()
                    .filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
                    .filter(|(x, y)| x.is_finite() && y.is_finite())
                    .collect()
            })
            .unwrap_or_default()
    };
    match value.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => {
            for f in value.get("features").and_then(Value::as_array).into_iter().flatten() {
                collect_rings(f, rings);
            }
        }
        Some("Feature") => {
            if let Some(g) = value.get("geometry") {
                collect_rings(g, rings);
            }
        }
        Some("Polygon") => {
            // The exterior ring only; holes do not matter at this scale.
            if let Some(outer) = value.get("coordinates").and_then(|c| c.get(0)) {
                rings.push(ring(outer));
            }
        }
        Some("MultiPolygon") => {
            for poly in value.get("coordinates").and_then(Value::as_array).into_iter().flatten() {
                if let Some(outer) = poly.get(0) {
                    rings.push(ring(outer));
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn polygons_are_read_and_other_json_is_refused() {
        let square = br#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}"#;
        assert_eq!(super::parse(square).unwrap().len(), 1);
        assert!(super::parse(b"{\"type\":\"Point\",\"coordinates\":[0,0]}").is_err());
        assert!(super::parse(b"pas du json").unwrap_err().contains("ligne 1"));
    }

    #[test]
    fn communes_keep_their_names_from_the_usual_properties() {
        let json = br#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"nom":"Lys"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},
            {"type":"Feature","properties":{"NOM_COM":"Aire"},"geometry":{"type":"MultiPolygon","coordinates":[[[[2,0],[3,0],[3,1],[2,0]]]]}}]}"#;
        let names: Vec<_> = super::parse(json).unwrap().into_iter().map(|f| f.name).collect();
        assert_eq!(names, [Some("Lys".to_string()), Some("Aire".to_string())]);
    }

    #[test]
    fn a_detailed_outline_is_simplified_without_losing_its_shape() {
        // A circle of 20 000 points: a few hundred are enough at print size.
        let ring: Vec<(f64, f64)> = (0..=20_000)
            .map(|i| f64::from(i) / 20_000.0 * std::f64::consts::TAU)
            .map(|a| (a.cos(), a.sin()))
            .collect();
        let simple = super::simplify(&ring, 2.0 * 2f64.sqrt() / 2000.0, 20_000);
        assert!(simple.len() < 200 && simple.len() > 20, "{} points", simple.len());
        assert!(simple.iter().all(|(x, y)| (x.hypot(*y) - 1.0).abs() < 1e-9));
    }

    /// A ring going back and forth between two lines: every Douglas–Peucker split peels off a
    /// single point, which made that algorithm quadratic.
    fn zigzag(points: usize) -> String {
        let mut ring: Vec<String> = (0..points)
            .map(|i| {
                format!(
                    "[{},{}]",
                    2.0 + i as f64 / points as f64 / 10.0,
                    48.0 + (i % 2) as f64 / 20.0
                )
            })
            .collect();
        ring.push(ring[0].clone());
        format!(r#"{{"type":"Polygon","coordinates":[[{}]]}}"#, ring.join(","))
    }

    #[test]
    fn a_zigzag_of_a_million_points_is_simplified_to_a_drawable_outline() {
        let features = super::parse(zigzag(1_000_000).as_bytes()).unwrap();
        let points = features[0].rings[0].len();
        assert!((4..=super::MAX_DRAWN_POINTS).contains(&points), "{points} points");
    }

    #[test]
    fn a_file_saved_with_a_byte_order_mark_is_read() {
        let square = "\u{feff}{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,0]]]}";
        assert_eq!(super::parse(square.as_bytes()).unwrap().len(), 1);
    }

    #[test]
    fn coordinates_outside_degrees_are_refused_with_the_object_and_point() {
        let json = br#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"nom":"Lys"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1e308,1],[0,0]]]}}]}"#;
        let error = super::parse(json).unwrap_err();
        assert!(error.contains("objet n° 1 (« Lys »), point n° 3"), "{error}");
        assert!(error.contains("WGS 84"), "{error}");
    }

    #[test]
    fn too_many_points_are_refused_before_parsing() {
        assert_eq!(super::count_positions(br#"{"a":"[1,2]","c":[[1,2],[ -3,4]],"n":[[]]}"#), 2);
        let error = super::parse(zigzag(super::MAX_POINTS + 1).as_bytes()).unwrap_err();
        assert!(error.contains("au plus 2\u{202f}000\u{202f}000"), "{error}");
    }
}
