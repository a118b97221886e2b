//! The outline of the territory, read from a GeoJSON file (Polygon, MultiPolygon, Feature or
//! FeatureCollection) into rings of (longitude, latitude) points for the map of item 5.3.
//!
//! Parsed by hand with serde_json: only the exterior rings of polygons are needed, and the
//! `geojson` crate would add a dependency tree for a dozen lines.

use serde_json::Value;

/// A ring of (longitude, latitude) points.
pub type Ring = Vec<(f64, f64)>;

/// The exterior rings of the polygons of a GeoJSON document; an error (in French) when the
/// bytes are not GeoJSON or hold no polygon.
pub fn parse(bytes: &[u8]) -> Result<Vec<Ring>, String> {
    let json: Value = serde_json::from_slice(bytes).map_err(|e| {
        format!("fichier GeoJSON illisible (ligne {}, colonne {})", e.line(), e.column())
    })?;
    let mut rings = Vec::new();
    collect_rings(&json, &mut rings);
    rings.retain(|r| r.len() >= 3);
    if rings.is_empty() {
        return Err(
            "le fichier GeoJSON ne contient aucun polygone (Polygon ou MultiPolygon)".into()
        );
    }
    Ok(rings)
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
}
