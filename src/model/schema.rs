//! The JSON Schema of the dossier format, derived from the Rust types.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::model::Dossier;

/// French titles and descriptions of the keys: one section per type of the model, one entry per
/// key.
const FRENCH: &str = include_str!("schema-fr.toml");

/// What a key says in French: a short title (a form's label) and a description (its help).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct French {
    titre: String,
    description: String,
}

/// The French titles and descriptions, by type and key.
type Descriptions = BTreeMap<String, BTreeMap<String, French>>;

/// The JSON Schema of a dossier file, as a JSON value: every key titled and described in French
/// (by its type, so that two keys of the same name can say different things), the keys of each
/// table in the order the model declares them, and every list of tables also accepting
/// `{ fichier = "x.csv" }`.
pub fn dossier_schema() -> Value {
    let mut schema = schemars::schema_for!(Dossier).to_value();
    let french: Descriptions = toml::from_str(FRENCH).unwrap_or_default();
    if let Some(object) = schema.as_object_mut() {
        let file = json!({
            "type": "object",
            "description": "Tableau tenu dans un fichier CSV (séparé par ; , ou tabulation), ou dans une feuille d'un classeur (.xlsx, .xlsm, .xls, .ods) ; chemin relatif au dossier.",
            "properties": {
                "fichier": { "type": "string" },
                "feuille": { "type": "string" }
            },
            "required": ["fichier"],
            "additionalProperties": false
        });
        if let Some(defs) = object.get_mut("$defs").and_then(Value::as_object_mut) {
            defs.insert(CSV_DEF.into(), file);
        }
    }
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
    }
    schema
}

const CSV_DEF: &str = "FichierCsv";

/// Sets the French title and description of every property, from the section of its type; the
/// English doc comments of the model (schemars makes titles and descriptions of them) are
/// removed.
fn localize(schema: &mut Value, french: &Descriptions) {
    strip_descriptions(schema);
    describe("Dossier", schema, french);
    if let Some(defs) = schema.get_mut("$defs").and_then(Value::as_object_mut) {
        for (name, def) in defs.iter_mut() {
            describe(name, def, french);
        }
    }
}

fn describe(section: &str, def: &mut Value, french: &Descriptions) {
    let Some(properties) = def.get_mut("properties").and_then(Value::as_object_mut) else { return };
    for (key, property) in properties.iter_mut() {
        let text = french.get(section).and_then(|s| s.get(key));
        if let (Some(text), Value::Object(p)) = (text, property) {
            p.insert("title".into(), text.titre.clone().into());
            p.insert("description".into(), text.description.clone().into());
        }
    }
}

/// Removes the titles and descriptions of schema nodes (the English doc comments); the keys of
/// `properties` and `$defs` maps are names, not descriptions, and stay.
fn strip_descriptions(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("description");
            map.remove("title");
            for (key, child) in map.iter_mut() {
                match (key.as_str(), child) {
                    ("properties" | "$defs", Value::Object(named)) => {
                        named.values_mut().for_each(strip_descriptions)
                    }
                    (_, child) => strip_descriptions(child),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_descriptions),
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
            // Annexes are files themselves, not rows of a table.
            let is_table_list = property.get("type") == Some(&Value::from("array"))
                && property.pointer("/items/$ref").is_some()
                && property.pointer("/items/$ref") != Some(&Value::from("#/$defs/Annexe"));
            if is_table_list && let Value::Object(p) = property {
                let title = p.remove("title");
                let description = p.remove("description");
                let list = Value::Object(std::mem::take(p));
                p.insert("anyOf".into(), json!([list, { "$ref": format!("#/$defs/{CSV_DEF}") }]));
                if let Some(t) = title {
                    p.insert("title".into(), t);
                }
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
        // The three keys, then the three labels the cover prints, both accepted.
        let label = &schema["$defs"]["Phase"]["enum"];
        assert_eq!(label.as_array().map(Vec::len), Some(6));
        assert_eq!(label[0], "projet");
        assert_eq!(label[3], "Label projet");
    }

    #[test]
    fn every_property_has_a_french_title_and_description() {
        fn walk(node: &serde_json::Value, at: &str, problems: &mut Vec<String>) {
            match node {
                serde_json::Value::Object(map) => {
                    for (key, child) in map {
                        if key == "properties" {
                            for (name, property) in child.as_object().into_iter().flatten() {
                                let title = property["title"].as_str().unwrap_or_default();
                                let text = property["description"].as_str().unwrap_or_default();
                                if title.trim().is_empty() || text.trim().is_empty() {
                                    problems.push(format!("{at}.{name}"));
                                }
                                walk(property, &format!("{at}.{name}"), problems);
                            }
                        } else {
                            walk(child, &format!("{at}/{key}"), problems);
                        }
                    }
                }
                serde_json::Value::Array(items) => {
                    items.iter().for_each(|item| walk(item, at, problems))
                }
                _ => {}
            }
        }
        let mut problems = Vec::new();
        walk(&super::dossier_schema(), "", &mut problems);
        assert!(
            problems.is_empty(),
            "properties without a French title or description: {problems:?}"
        );
    }

    #[test]
    fn the_keys_of_a_table_come_in_the_order_the_model_declares_them() {
        let schema = super::dossier_schema();
        let keys = |def: &str| -> Vec<String> {
            schema["$defs"][def]["properties"].as_object().unwrap().keys().cloned().collect()
        };
        assert_eq!(
            keys("Porteur"),
            [
                "texte",
                "inchange",
                "nom",
                "statut",
                "missions",
                "services",
                "motivations",
                "soutiens"
            ]
        );
        assert_eq!(
            keys("Partenaire"),
            ["nom", "categorie", "roles", "contribution", "engagement", "statut"]
        );
    }

    #[test]
    fn every_key_has_its_own_french_description_and_none_is_left_over() {
        let french: super::Descriptions = toml::from_str(super::FRENCH).unwrap();
        let schema = schemars::schema_for!(crate::model::Dossier).to_value();
        let mut types: Vec<(String, &serde_json::Value)> = vec![("Dossier".into(), &schema)];
        types.extend(schema["$defs"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v)));
        let mut expected = std::collections::BTreeSet::new();
        for (name, def) in types {
            for key in def
                .get("properties")
                .and_then(|p| p.as_object())
                .into_iter()
                .flatten()
                .map(|(k, _)| k)
            {
                expected.insert((name.clone(), key.clone()));
            }
        }
        expected.insert(("FichierCsv".into(), "fichier".into()));
        expected.insert(("FichierCsv".into(), "feuille".into()));
        let given: std::collections::BTreeSet<(String, String)> = french
            .iter()
            .flat_map(|(s, keys)| keys.keys().map(move |k| (s.clone(), k.clone())))
            .collect();
        let missing: Vec<_> = expected.difference(&given).collect();
        let unused: Vec<_> = given.difference(&expected).collect();
        assert!(missing.is_empty(), "keys without a French description: {missing:?}");
        assert!(unused.is_empty(), "descriptions of keys that do not exist: {unused:?}");
    }

    #[test]
    fn descriptions_agree_with_the_type_of_their_key() {
        let schema = super::dossier_schema();
        let mut problems = Vec::new();
        let root = ("Dossier".to_string(), schema.clone());
        let defs =
            schema["$defs"].as_object().unwrap().iter().chain(std::iter::once((&root.0, &root.1)));
        for (name, def) in defs {
            for (key, property) in
                def.get("properties").and_then(|p| p.as_object()).into_iter().flatten()
            {
                let text = property["description"].as_str().unwrap_or_default();
                let kind = property.get("type").map(|t| t.to_string()).unwrap_or_default();
                if kind.contains("boolean") && !text.contains("true") {
                    problems.push(format!("{name}.{key} is yes/no: {text}"));
                }
                if !kind.contains("boolean") && text.starts_with("true") {
                    problems.push(format!("{name}.{key} is not yes/no: {text}"));
                }
                if (kind.contains("number") || kind.contains("integer"))
                    && text.to_lowercase().contains("fichier")
                {
                    problems.push(format!("{name}.{key} is a number: {text}"));
                }
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
