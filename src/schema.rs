//! The JSON Schema of the dossier format, derived from the Rust types.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::model::Dossier;

/// French descriptions of the keys, by key name (the doc comments of the model are English).
const FRENCH: &str = include_str!("schema-fr.toml");

/// The JSON Schema of a dossier file, as a JSON value: keys described in French, and every
/// list of tables also accepting `{ fichier = "x.csv" }`.
pub fn dossier_schema() -> Value {
    let mut schema = schemars::schema_for!(Dossier).to_value();
    let french: BTreeMap<String, String> =
        toml::from_str::<Descriptions>(FRENCH).map(|d| d.champs).unwrap_or_default();
    localize(&mut schema, &french);
    allow_csv(&mut schema);
    if let Some(object) = schema.as_object_mut() {
        object.insert(
            "title".into(),
            "Dossier de labellisation d'une Cité des métiers (cdm-render)".into(),
        );
        object.insert(
            "description".into(),
            "Données du dossier de labellisation : une table par chapitre du plan officiel.".into(),
        );
        let file = json!({
            "type": "object",
            "description": "Tableau tenu dans un fichier CSV (UTF-8, séparé par ; ou ,), relatif au dossier.",
            "properties": { "fichier": { "type": "string", "description": "Fichier CSV." } },
            "required": ["fichier"],
            "additionalProperties": false
        });
        if let Some(defs) = object.get_mut("$defs").and_then(Value::as_object_mut) {
            defs.insert(CSV_DEF.into(), file);
        }
    }
    schema
}

const CSV_DEF: &str = "FichierCsv";

#[derive(serde::Deserialize)]
struct Descriptions {
    champs: BTreeMap<String, String>,
}

/// Replaces the English descriptions: French ones on properties, none on type definitions.
fn localize(value: &mut Value, french: &BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            map.remove("description");
            if let Some(Value::Object(properties)) = map.get_mut("properties") {
                for (name, property) in properties.iter_mut() {
                    localize(property, french);
                    if let (Some(text), Value::Object(p)) = (french.get(name), property) {
                        p.insert("description".into(), text.clone().into());
                    }
                }
            }
            for (key, child) in map.iter_mut() {
                if key != "properties" {
                    localize(child, french);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| localize(v, french)),
        _ => {}
    }
}

/// Lets every property that is a list of tables be given as a CSV file instead.
fn allow_csv(value: &mut Value) {
    let Value::Object(map) = value else {
        if let Value::Array(items) = value {
            items.iter_mut().for_each(allow_csv);
        }
        return;
    };
    if let Some(Value::Object(properties)) = map.get_mut("properties") {
        for property in properties.values_mut() {
            let is_table_list = property.get("type") == Some(&Value::from("array"))
                && property.pointer("/items/$ref").is_some();
            if is_table_list && let Value::Object(p) = property {
                let description = p.remove("description");
                let list = Value::Object(std::mem::take(p));
                p.insert("anyOf".into(), json!([list, { "$ref": format!("#/$defs/{CSV_DEF}") }]));
                if let Some(d) = description {
                    p.insert("description".into(), d);
                }
            }
        }
    }
    map.values_mut().for_each(allow_csv);
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_schema_is_strict_about_keys_and_requires_the_cover() {
        let schema = super::dossier_schema();
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema["required"], serde_json::json!(["cite"]));
        assert_eq!(schema["$defs"]["Cite"]["additionalProperties"], false);
        let label = &schema["$defs"]["Phase"]["enum"];
        assert_eq!(label.as_array().map(Vec::len), Some(3));
    }

    #[test]
    fn every_key_is_described_in_french() {
        fn walk(value: &serde_json::Value, missing: &mut Vec<String>) {
            if let Some(properties) = value.get("properties").and_then(|p| p.as_object()) {
                for (name, property) in properties {
                    if property.get("description").is_none() {
                        missing.push(name.clone());
                    }
                }
            }
            match value {
                serde_json::Value::Object(map) => map.values().for_each(|v| walk(v, missing)),
                serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, missing)),
                _ => {}
            }
        }
        let mut missing = Vec::new();
        walk(&super::dossier_schema(), &mut missing);
        assert!(missing.is_empty(), "keys without a French description: {missing:?}");
    }
}
