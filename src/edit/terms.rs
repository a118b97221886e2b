//! Findings told in the page's terms. Validation speaks to people who write the TOML: its
//! hints name keys and tables as they are written there (« ajoutez `source = "…"` »,
//! « décrivez-les dans [[fonctionnement.partenaires.liste]] »). The page shows fields under
//! their French titles, so every TOML fragment of a message that names a field of the model is
//! replaced by that field's title, found in the schema from the finding's own field: one rule
//! for every message, rather than a second wording of each.

use std::sync::LazyLock;

use regex::{Captures, Regex};
use serde_json::Value;

use crate::edit::store::{Step, parse_path};
use crate::input::validate;

/// A key and its value as TOML writes them inside backticks: `` `source = "…"` ``.
static ASSIGNMENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"`([a-z_]+) ?= ?([^`]*)`"#).expect("valid pattern"));
/// A key alone inside backticks: `` `roles` ``.
static KEY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"`([a-z_]+)`").expect("valid pattern"));
/// A table header (`[[a.b]]`, `[a.b]`) or a dotted path (`a.b.c`).
static PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\[\[([a-z_.]+)\]\]|\[([a-z_.]+)\]|\b([a-z_]+(?:\.[a-z_]+)+)\b")
        .expect("valid pattern")
});

/// `text` (a finding's message or hint at `field`) with its TOML fragments replaced by the
/// titles of the fields they name; fragments that name no field of the model stay as written.
pub fn in_form_terms(field: &str, text: &str) -> String {
    let text = ASSIGNMENT.replace_all(text, |c: &Captures| {
        let Some(title) = title_near(field, &c[1]) else { return c[0].to_string() };
        let value = c[2].trim();
        match value {
            "true" => format!("« {title} » coché"),
            "false" => format!("« {title} » décoché"),
            "…" | "\"…\"" => format!("« {title} »"),
            quoted if quoted.starts_with('"') => {
                format!("« {title} » : {}", quoted.trim_matches('"'))
            }
            other => format!("« {title} » : {other}"),
        }
    });
    let text = KEY.replace_all(&text, |c: &Captures| match title_near(field, &c[1]) {
        Some(title) => format!("« {title} »"),
        None => c[0].to_string(),
    });
    let text = PATH.replace_all(&text, |c: &Captures| {
        let path = c.get(1).or(c.get(2)).or(c.get(3)).map_or("", |m| m.as_str());
        match title_at(path) {
            Some(title) => format!("« {title} »"),
            None => c[0].to_string(),
        }
    });
    // The verbs of the TOML file, for a box and a field.
    let text = BOX.replace_all(&text, |c: &Captures| match (&c[1], &c[3]) {
        ("retirez", "coché") => format!("décochez « {} »", &c[2]),
        (_, "coché") => format!("cochez « {} »", &c[2]),
        _ => format!("décochez « {} »", &c[2]),
    });
    text.replace("écrivez « ", "renseignez « ")
        .replace("retirez « ", "videz le champ « ")
        .replace("retirez la clé", "videz le champ")
        .replace(" » coché", " » (case cochée)")
        .replace(" » décoché", " » (case décochée)")
}

/// A field's description (from the schema, written for the TOML file too) as its form shows
/// it: a box's « true si … » is « Cochez si … ».
fn description_in_form_terms(text: &str) -> String {
    for (toml, form) in
        [("true si ", "Cochez si "), ("true quand ", "Cochez quand "), ("true : ", "Cochée : ")]
    {
        if let Some(rest) = text.strip_prefix(toml) {
            return format!("{form}{rest}");
        }
    }
    text.to_string()
}

/// Every description of a schema in the form's terms ([`description_in_form_terms`]).
pub fn schema_in_form_terms(node: &mut Value) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(text)) = map.get_mut("description") {
                *text = description_in_form_terms(text);
            }
            map.values_mut().for_each(schema_in_form_terms);
        }
        Value::Array(items) => items.iter_mut().for_each(schema_in_form_terms),
        _ => {}
    }
}

/// A verb before a box set or cleared: « écrivez « X » coché » is « cochez « X » ».
static BOX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(écrivez|renseignez|indiquez|retirez|ajoutez) « ([^»]+) » (coché|décoché)")
        .expect("valid pattern")
});

/// The title of `key` in the table at `field`, or beside `field` (a finding at `x.pages` whose
/// hint names `pages`, or a sibling).
fn title_near(field: &str, key: &str) -> Option<String> {
    let parent = field.rsplit_once('.').map(|(p, _)| p).unwrap_or("");
    let defs = &validate::schema()["$defs"];
    let near = [field, parent].into_iter().find_map(|at| {
        let table = validate::resolve_schema(defs, node_at(at)?);
        let table = table.get("items").map_or(table, |rows| validate::resolve_schema(defs, rows));
        title_of(table.get("properties")?.get(key)?)
    });
    // Else a key with one title wherever the model has it (`inchange`).
    near.or_else(|| {
        let mut titles = defs
            .as_object()?
            .values()
            .filter_map(|def| title_of(def.get("properties")?.get(key)?))
            .collect::<Vec<_>>();
        titles.dedup();
        (titles.len() == 1).then(|| titles.remove(0))
    })
}

/// How the page names the field at `path` (`budget.fonctionnement.charges[2].montant`): its
/// title, with the row of its table (« Montant (€), ligne 3 »); the path itself when the
/// model has no title for it.
pub fn field_title(path: &str) -> String {
    let row = path
        .rfind('[')
        .and_then(|at| path[at + 1..].split(']').next()?.parse::<usize>().ok())
        .map(|i| format!(", ligne {}", i + 1))
        .unwrap_or_default();
    let mut at = path;
    loop {
        if let Some(title) = title_at(at) {
            return format!("{title}{row}");
        }
        match at.rfind(['.', '[']) {
            Some(cut) => at = &at[..cut],
            None => return path.to_string(),
        }
    }
}

/// The title of the field at a dotted path from the root.
fn title_at(path: &str) -> Option<String> {
    title_of(node_at(path)?)
}

fn title_of(node: &Value) -> Option<String> {
    node.get("title").and_then(Value::as_str).map(str::to_string)
}

/// The schema node of a field path (`budget.fonctionnement.financements[2]`) as its table
/// declares it (with its title; references not resolved); the root for an empty path.
fn node_at(path: &str) -> Option<&'static Value> {
    let schema = validate::schema();
    let defs = &schema["$defs"];
    let steps = if path.is_empty() { Vec::new() } else { parse_path(path)? };
    let mut node = schema;
    for step in steps {
        let here = validate::resolve_schema(defs, node);
        node = match step {
            Step::Key(key) => here.get("properties")?.get(&key)?,
            Step::Index(_) => here.get("items")?,
        };
    }
    Some(node)
}

#[cfg(test)]
mod tests {
    use super::in_form_terms;

    #[test]
    fn a_toml_key_in_a_hint_becomes_the_title_of_its_field() {
        let hint = in_form_terms(
            "budget.fonctionnement.financements[2]",
            "écrivez `sollicite = true` sur la ligne tant que le financement n'est pas accordé",
        );
        assert!(!hint.contains('`'), "{hint}");
        assert!(hint.starts_with("cochez « Financement sollicité » sur la ligne"), "{hint}");
    }

    #[test]
    fn a_table_header_in_a_hint_becomes_the_title_of_its_list() {
        let hint = in_form_terms(
            "offre.services[0].partenaires",
            "décrivez-les dans [[fonctionnement.partenaires.liste]] pour que les références soient vérifiées",
        );
        assert!(!hint.contains("[["), "{hint}");
        assert!(hint.contains("« "), "{hint}");
    }

    #[test]
    fn a_box_is_described_as_a_box() {
        let mut schema = crate::input::validate::schema().clone();
        super::schema_in_form_terms(&mut schema);
        let text = schema.to_string();
        assert!(!text.contains("\"true si") && !text.contains("\"true quand"), "TOML words left");
        assert!(text.contains("Cochez si l'information n'a pas changé"));
    }

    #[test]
    fn a_field_is_named_by_its_title_and_row() {
        let title = super::field_title("budget.fonctionnement.charges[2].montant");
        assert!(title.ends_with(", ligne 3") && !title.contains('.'), "{title}");
        assert_eq!(super::field_title("cite.inconnue_xyz"), super::field_title("cite"));
    }

    #[test]
    fn a_box_to_clear_is_said_so() {
        let hint = in_form_terms("complements", "retirez `inchange = true`, ou reprenez le texte");
        assert!(hint.starts_with("décochez « "), "{hint}");
    }

    #[test]
    fn fragments_that_name_no_field_stay_as_written() {
        let text = "voir insee.fr et `inconnue = 3`";
        assert_eq!(in_form_terms("cite", text), text);
    }
}
