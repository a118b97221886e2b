//! A starter dossier for a label: every item of the phase, preceded by what the outline expects
//! and its level, with the keys of the dossier format ready to fill (derived from the schema, so
//! it never drifts from the model).

use std::collections::HashSet;
use std::fmt::Write;

use serde_json::Value;

use crate::model::Date;
use crate::outline::{Outline, Phase};

/// Example CSV files written beside the starter, in `exemples-csv/`: tables that teams usually
/// keep in a spreadsheet, with the column names the dossier expects and one example row.
pub const EXAMPLE_CSV: &[(&str, &str, &str)] = &[
    (
        "fonctionnement.partenaires.liste",
        "partenaires.csv",
        "nom;categorie;roles;contribution;engagement\n\
         France Travail;Service public de l'emploi;services, ressources;2 conseillers à mi-temps, ateliers;Convention 2025-2028\n",
    ),
    (
        "budget.fonctionnement.charges",
        "charges.csv",
        "poste;montant\nSalaires et charges de l'équipe permanente;318 500\n",
    ),
    (
        "budget.fonctionnement.financements",
        "financements.csv",
        "partenaire;montant;nature\nFrance Travail;52 400;valorisation\n",
    ),
];

/// Folder of the example CSV files, relative to the dossier.
pub const EXAMPLE_DIR: &str = "exemples-csv";

/// The text of a starter dossier.
pub fn starter(label: Phase, cite: &str, date: Date) -> String {
    let schema = crate::schema::dossier_schema();
    let outline = Outline::get();
    let mut out = String::new();
    let _ = writeln!(out, "#:schema ./cdm-render.schema.json");
    let _ = writeln!(out, "# Dossier de labellisation — {cite}");
    let _ = writeln!(
        out,
        "# Créé par cdm-render init pour le {}. Chaque item requis est précédé de ce que",
        label.label()
    );
    let _ = writeln!(
        out,
        "# le plan officiel attend. Pour voir ce qui reste à compléter : cdm-render check <fichier>"
    );
    let _ = writeln!(
        out,
        "# Les lignes commençant par # sont des commentaires : retirez le # pour remplir une ligne."
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "[cite]\nnom = {}\nlabel = \"{}\"\nporteur = \"\"\nterritoire = \"\"\ndate = {}\nversion = \"0.1\"",
        quote(cite),
        label.key(),
        String::from(date)
    );
    let data_paths: HashSet<String> = outline
        .items
        .iter()
        .filter(|i| outline.applies(i, label))
        .flat_map(|i| i.data.iter().cloned())
        .collect();
    let mut done: HashSet<String> = HashSet::new();
    for item in outline.items.iter().filter(|i| i.depth() > 1 && outline.applies(i, label)) {
        let level = outline
            .level(item, label)
            .flatten()
            .map(|l| format!(" — {}", l.label()))
            .unwrap_or_default();
        let _ = writeln!(out, "\n# ─── {} {}{level}", item.number, item.title);
        for line in wrap(&format!("Attendu : {}", item.description), 92) {
            let _ = writeln!(out, "# {line}");
        }
        for path in &item.data {
            let table = table_of(&schema, path);
            if done.insert(table.clone()) {
                emit_table(&mut out, &schema, &table, &data_paths);
            }
        }
    }
    out
}

fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The table holding a data path ("offre.texte" → "offre").
fn table_of(schema: &Value, path: &str) -> String {
    match resolve(schema, &lookup(schema, path)).get("type").and_then(Value::as_str) {
        Some("object") => path.to_string(),
        _ => path.rsplit_once('.').map(|(t, _)| t.to_string()).unwrap_or_default(),
    }
}

fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    if let Some(name) = node.get("$ref").and_then(Value::as_str) {
        return resolve(root, &root["$defs"][name.trim_start_matches("#/$defs/")]);
    }
    if let Some(first) = node
        .get("anyOf")
        .and_then(Value::as_array)
        .and_then(|o| o.iter().find(|x| x.get("type") != Some(&Value::from("null"))))
    {
        return resolve(root, first);
    }
    node
}

fn lookup(schema: &Value, path: &str) -> Value {
    let mut node = schema.clone();
    for key in path.split('.') {
        node = resolve(schema, &node)["properties"][key].clone();
    }
    node
}

/// Emits `[table]` with its scalar and list keys, example entries for lists of tables, then its
/// sub-tables that no later item owns.
fn emit_table(out: &mut String, schema: &Value, table: &str, owned: &HashSet<String>) {
    let node = lookup(schema, table);
    let node = resolve(schema, &node);
    let Some(properties) = node.get("properties").and_then(Value::as_object) else { return };
    let _ = writeln!(out, "[{table}]");
    let mut nested = Vec::new();
    let mut lists = Vec::new();
    // The narrative first, then the other keys; lists of tables and sub-tables come last, as
    // TOML requires (a key after `[[…]]` would belong to the list's entry).
    let mut keys: Vec<&String> = properties.keys().collect();
    keys.sort_by_key(|k| *k != "texte");
    for key in keys {
        let raw = &properties[key.as_str()];
        let prop = resolve(schema, raw);
        let path = format!("{table}.{key}");
        match kind(prop) {
            "object" => nested.push(path),
            "array" if kind(resolve(schema, &prop["items"])) == "object" => {
                lists.push((path, prop))
            }
            _ if key == "inchange" => {
                let _ = writeln!(
                    out,
                    "# inchange = true   # si rien n'a changé depuis la phase précédente"
                );
            }
            other => {
                // Optional values (a file, a figure) stay commented: empty would mean something.
                let _ = writeln!(out, "{}", line(key, other, prop, is_optional(raw)));
            }
        }
    }
    for (path, prop) in lists {
        let key = path.rsplit('.').next().unwrap_or_default();
        let example = EXAMPLE_CSV
            .iter()
            .find(|(section, _, _)| *section == path)
            .map_or_else(|| format!("{key}.csv"), |(_, name, _)| format!("{EXAMPLE_DIR}/{name}"));
        let _ = writeln!(
            out,
            "# {key} = {{ fichier = \"{example}\" }}   # ou depuis un tableur (CSV), ou ligne par ligne :"
        );
        let _ = writeln!(out, "# [[{path}]]");
        example_fields(out, schema, resolve(schema, &prop["items"]));
    }
    for path in nested {
        if !owned.contains(&path) {
            emit_table(out, schema, &path, owned);
        }
    }
}

fn is_optional(node: &Value) -> bool {
    let null = Value::from("null");
    node.get("type").and_then(Value::as_array).is_some_and(|t| t.contains(&null))
        || node
            .get("anyOf")
            .and_then(Value::as_array)
            .is_some_and(|o| o.iter().any(|x| x.get("type") == Some(&null)))
}

fn example_fields(out: &mut String, schema: &Value, item: &Value) {
    for (key, prop) in item.get("properties").and_then(Value::as_object).into_iter().flatten() {
        let prop = resolve(schema, prop);
        let _ = writeln!(out, "{}", line(key, kind(prop), prop, true));
    }
    let _ = writeln!(out, "#");
}

fn kind(node: &Value) -> &str {
    if node.get("oneOf").is_some() || node.get("enum").is_some() {
        return "enum";
    }
    match node.get("type") {
        Some(Value::String(t)) => t,
        Some(Value::Array(ts)) => {
            ts.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("string")
        }
        _ => "string",
    }
}

/// One key: strings and lists are written empty (valid as they are), numbers and dates as
/// comments (a placeholder value would be taken for data).
fn line(key: &str, kind: &str, node: &Value, commented: bool) -> String {
    let (value, always_comment) = match kind {
        "string" if node.get("format") == Some(&Value::from("date")) => {
            ("2026-01-01".to_string(), true)
        }
        "string" => ("\"\"".to_string(), false),
        "array" => ("[]".to_string(), false),
        "boolean" => ("false".to_string(), false),
        "enum" => {
            let options = crate::validate::allowed_values(node);
            (
                format!(
                    "\"{}\"   # {}",
                    options.first().map_or("", String::as_str),
                    options.join(", ")
                ),
                true,
            )
        }
        _ => ("0".to_string(), true),
    };
    let hash = if commented || always_comment { "# " } else { "" };
    format!("{hash}{key} = {value}")
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let last = lines.last_mut().expect("one line");
        if !last.is_empty() && last.chars().count() + word.chars().count() + 1 > width {
            lines.push(word.to_string());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines
}
