//! The territory, read from a GeoJSON file (Polygon, MultiPolygon, Feature or
//! FeatureCollection, e.g. the communes of an EPCI exported from geo.api.gouv.fr) into named
//! areas of exterior rings of (longitude, latitude) points, for the map of item 5.3.
//!
//! Parsed by hand with serde_json: only exterior rings and a name are needed, and the
//! `geojson` and `geo` crates would add a dependency tree for a few dozen lines.

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

/// The areas of a GeoJSON document, simplified for drawing (a point closer than 1/2000 of the
/// territory's extent to the line it is on is dropped); an error (in French) when the bytes
/// are not GeoJSON or hold no polygon.
pub fn parse(bytes: &[u8]) -> Result<Vec<Feature>, String> {
    let json: Value = serde_json::from_slice(bytes).map_err(|e| {
        format!("fichier GeoJSON illisible (ligne {}, colonne {})", e.line(), e.column())
    })?;
    let mut features = Vec::new();
    collect_features(&json, &mut features);
    features.iter_mut().for_each(|f| f.rings.retain(|r| r.len() >= 3));
    features.retain(|f| !f.rings.is_empty());
    if features.is_empty() {
        return Err(
            "le fichier GeoJSON ne contient aucun polygone (Polygon ou MultiPolygon)".into()
        );
    }
    let points = features.iter().flat_map(|f| f.rings.iter().flatten());
    let (min, max) = points.fold(((f64::MAX, f64::MAX), (f64::MIN, f64::MIN)), |(lo, hi), p| {
        ((lo.0.min(p.0), lo.1.min(p.1)), (hi.0.max(p.0), hi.1.max(p.1)))
    });
    let tolerance = (max.0 - min.0).hypot(max.1 - min.1) / 2000.0;
    for ring in features.iter_mut().flat_map(|f| f.rings.iter_mut()) {
        *ring = simplify(ring, tolerance);
    }
    Ok(features)
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

/// Douglas–Peucker simplification of a closed ring: the points that carry the shape at
/// `tolerance` are kept. Written here rather than taken from the `geo` crate, which would
/// bring a large dependency tree for twenty lines.
pub fn simplify(ring: &[(f64, f64)], tolerance: f64) -> Ring {
    if ring.len() <= 4 || tolerance <= 0.0 {
        return ring.to_vec();
    }
    let mut keep = vec![false; ring.len()];
    let (first, last) = (0, ring.len() - 1);
    keep[first] = true;
    keep[last] = true;
    // The point farthest from the first one splits a closed ring into two open chains.
    let far = (1..last).max_by(|a, b| dist(ring[*a], ring[0]).total_cmp(&dist(ring[*b], ring[0])));
    let mut stack = match far {
        Some(f) => {
            keep[f] = true;
            vec![(first, f), (f, last)]
        }
        None => vec![(first, last)],
    };
    while let Some((a, b)) = stack.pop() {
        let farthest = (a + 1..b)
            .map(|i| (i, segment_distance(ring[i], ring[a], ring[b])))
            .max_by(|x, y| x.1.total_cmp(&y.1));
        if let Some((i, _)) = farthest.filter(|(_, d)| *d > tolerance) {
            keep[i] = true;
            stack.extend([(a, i), (i, b)]);
        }
    }
    ring.iter().zip(keep).filter(|(_, k)| *k).map(|(p, _)| *p).collect()
}

fn dist(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - b.0).hypot(a.1 - b.1)
}

fn segment_distance(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length2 = dx * dx + dy * dy;
    if length2 == 0.0 {
        return dist(p, a);
    }
    let t = (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / length2).clamp(0.0, 1.0);
    dist(p, (a.0 + t * dx, a.1 + t * dy))
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
        let simple = super::simplify(&ring, 2.0 * 2f64.sqrt() / 2000.0);
        assert!(simple.len() < 200 && simple.len() > 20, "{} points", simple.len());
        assert!(simple.iter().all(|(x, y)| (x.hypot(*y) - 1.0).abs() < 1e-9));
    }
}
