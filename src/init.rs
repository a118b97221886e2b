//! A starter dossier for a label: every item of the phase, preceded by what the outline expects
//! and its level, with the keys of the dossier format ready to fill (derived from the schema, so
//! it never drifts from the model), and the starter workbook its tables point at.

mod workbook;

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use serde_json::Value;

use crate::model::Date;
use crate::model::outline::{Item, Outline, Phase};

/// Example CSV files written beside the starter, in `exemples-csv/`: tables that teams usually
/// keep in a spreadsheet, with the column names the dossier expects and one example row.
pub const EXAMPLE_CSV: &[(&str, &str, &str)] = &[
    (
        "fonctionnement.partenaires.liste",
        "partenaires.csv",
        "nom;categorie;roles;contribution;engagement\n\
         France Travail;Service public de l'emploi;financeur, services;2 conseillers à mi-temps, ateliers;Convention 2025-2028\n",
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

pub use workbook::FILE as WORKBOOK;

/// The cell of the example CSV file of a table under the column `key`, if there is one.
fn example_cell(table: &str, key: &str) -> Option<String> {
    let (_, _, text) = EXAMPLE_CSV.iter().find(|(section, _, _)| *section == table)?;
    let mut lines = text.lines().map(|l| l.split(';'));
    let column = lines.next()?.position(|k| k == key)?;
    lines.next()?.nth(column).map(str::to_string)
}

/// The tables of the label, in the order of the starter, with the name of their sheet in the
/// starter workbook.
fn sheets(label: Phase) -> Vec<(String, String)> {
    let schema = crate::model::schema::dossier_schema();
    let mut starter = Starter::new(&schema, label, HashMap::new());
    let outline = Outline::get();
    for item in outline.items.iter().filter(|i| i.depth() > 1 && outline.applies(i, label)) {
        starter.item(item);
    }
    let names = workbook::sheet_names(&starter.lists);
    starter.lists.into_iter().zip(names).collect()
}

/// The starter workbook of a label ([`WORKBOOK`]): one sheet per table the starter dossier
/// points at.
pub fn workbook(label: Phase, date: Date) -> anyhow::Result<Vec<u8>> {
    let schema = crate::model::schema::dossier_schema();
    let defs = &schema["$defs"];
    let tables = sheets(label);
    let rows: Vec<Value> = tables
        .iter()
        .map(|(path, _)| {
            let list = lookup(&schema, path);
            resolve(&schema, &resolve(&schema, &list)["items"]).clone()
        })
        .collect();
    let sheets: Vec<workbook::Sheet> = tables
        .iter()
        .zip(&rows)
        .map(|((path, name), row)| workbook::Sheet { path, name, row })
        .collect();
    workbook::workbook(&sheets, defs, date)
}

/// The text of a starter dossier, its tables pointing at the sheets of the starter workbook.
pub fn starter(label: Phase, cite: &str, date: Date) -> String {
    starter_text(label, cite, date, true)
}

/// The text of a starter dossier whose tables are written in the dossier itself (row by row),
/// without a workbook: the browser editor (`cdm-render edit`) fills them as grids, which it
/// cannot do in a workbook's sheet.
pub fn starter_without_workbook(label: Phase, cite: &str, date: Date) -> String {
    starter_text(label, cite, date, false)
}

fn starter_text(label: Phase, cite: &str, date: Date, with_workbook: bool) -> String {
    let schema = crate::model::schema::dossier_schema();
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
    let _ = writeln!(out, "{}", OPTIONAL_CITE);
    let sheets = if with_workbook { sheets(label).into_iter().collect() } else { HashMap::new() };
    let mut starter = Starter::new(&schema, label, sheets);
    for item in outline.items.iter().filter(|i| i.depth() > 1 && outline.applies(i, label)) {
        starter.item(item);
    }
    out.push_str(&starter.out);
    out.push_str(OPTIONAL_PARTS);
    out
}

/// Optional parts of the cover, shown commented under `[cite]`.
const OPTIONAL_CITE: &str = "\
# precedent = \"../2025/dossier.toml\"   # dossier de la phase précédente : items mis à jour, évolutions (8.3)
# [[cite.contacts]]                      # une table par personne à contacter
# nom = \"\"
# fonction = \"\"
# structure = \"\"
# courriel = \"\"
# telephone = \"\"";

/// Optional parts that belong to no item, shown commented at the end.
const OPTIONAL_PARTS: &str = "
# ─── Annexes (conventions, statuts, lettres d'engagement, plans…), après le chapitre 8
# [[annexes]]
# titre = \"Convention de partenariat\"
# fichier = \"annexes/convention.pdf\"   # PDF, PNG, JPEG ou SVG, dans le dossier de ce fichier
# description = \"\"                      # ce que montre l'annexe (lu par les lecteurs d'écran)
# items = [\"4.1\"]                        # items du plan qui y renvoient

# ─── Identité visuelle de la Cité (facultatif)
# [apparence]
# couleur_principale = \"#1d4f73\"
# couleur_secondaire = \"#d07a2c\"
# logo = \"images/logo.svg\"
# image_couverture = \"images/couverture.jpg\"
# markdown = false                       # true : les textes sont lus en Markdown
";

/// The starter being written: each item's banner (number, title, level, what the plan
/// expects) followed by its tables, in outline order. A table or list that a sub-item owns is
/// written under the sub-item's banner, even when it sits inside its item's table.
struct Starter<'s> {
    schema: &'s Value,
    label: Phase,
    /// The item that shows each data path: the deepest item naming it.
    owners: HashMap<String, &'static Item>,
    /// Items whose banner is written.
    shown: HashSet<String>,
    /// Tables written.
    done: HashSet<String>,
    /// The sheet of the starter workbook that each list is read from.
    sheets: HashMap<String, String>,
    /// The lists written, in order.
    lists: Vec<String>,
    out: String,
}

impl<'s> Starter<'s> {
    fn new(schema: &'s Value, label: Phase, sheets: HashMap<String, String>) -> Self {
        let outline = Outline::get();
        let mut owners = HashMap::new();
        for item in outline.items.iter().filter(|i| outline.applies(i, label)) {
            for path in &item.data {
                owners.insert(path.clone(), item);
            }
        }
        Starter {
            schema,
            label,
            owners,
            shown: HashSet::new(),
            done: HashSet::new(),
            sheets,
            lists: Vec::new(),
            out: String::new(),
        }
    }

    fn owns(&self, item: &Item, path: &str) -> bool {
        self.owners.get(path).is_some_and(|owner| owner.number == item.number)
    }

    fn banner(&mut self, item: &Item) {
        if !self.shown.insert(item.number.clone()) {
            return;
        }
        let level = Outline::get()
            .level(item, self.label)
            .flatten()
            .map(|l| format!(" — {}", l.label()))
            .unwrap_or_default();
        let _ = writeln!(self.out, "\n# ─── {} {}{level}", item.number, item.title);
        for line in wrap(&format!("Attendu : {}", item.description), 92) {
            let _ = writeln!(self.out, "# {line}");
        }
    }

    /// Emits `[table]` with its scalar and list keys, example entries for lists of tables,
    /// then its sub-tables that no item shows itself.
    fn table(&mut self, table: &str) {
        let schema = self.schema;
        let node = lookup(schema, table);
        let node = resolve(schema, &node);
        let Some(properties) = node.get("properties").and_then(Value::as_object) else { return };
        let _ = writeln!(self.out, "[{table}]");
        let mut nested = Vec::new();
        let mut lists = Vec::new();
        // The narrative first, then the other keys; lists of tables and sub-tables come last,
        // as TOML requires (a key after `[[…]]` would belong to the list's entry).
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
                        self.out,
                        "# inchange = true   # si rien n'a changé depuis la phase précédente"
                    );
                }
                other => {
                    // Optional values (a file, a figure) stay commented: empty would mean
                    // something.
                    let _ =
                        writeln!(self.out, "{}", line(schema, key, other, prop, is_optional(raw)));
                }
            }
        }
        // Lists shown by sub-items come in outline order (4.2.1 before 4.2.2).
        let position = |path: &String| {
            let owner = self.owners.get(path).map(|o| o.number.as_str());
            Outline::get().items.iter().position(|i| Some(i.number.as_str()) == owner)
        };
        lists.sort_by_key(|(path, _)| position(path).unwrap_or(usize::MAX));
        for (path, prop) in lists {
            if let Some(owner) = self.owners.get(&path).copied()
                && owner.depth() > 2
            {
                self.banner(owner);
            }
            let key = path.rsplit('.').next().unwrap_or_default();
            match self.sheets.get(&path) {
                Some(sheet) => {
                    let _ = writeln!(
                        self.out,
                        "{key} = {{ fichier = \"{WORKBOOK}\", feuille = \"{sheet}\" }}   # feuille du classeur à remplir"
                    );
                    let _ = writeln!(
                        self.out,
                        "# {key} = {{ fichier = \"{}\" }}   # ou depuis un fichier CSV, ou ligne par ligne :",
                        csv_name(&path)
                    );
                }
                None => {
                    let _ = writeln!(
                        self.out,
                        "# {key} = {{ fichier = \"{}\" }}   # ou depuis un tableur (CSV), ou ligne par ligne :",
                        csv_name(&path)
                    );
                }
            }
            self.lists.push(path.clone());
            let _ = writeln!(self.out, "# [[{path}]]");
            example_fields(&mut self.out, schema, resolve(schema, &prop["items"]));
        }
        for path in nested {
            if !self.owners.contains_key(&path) {
                self.table(&path);
            }
        }
    }

    fn item(&mut self, item: &Item) {
        let own: Vec<&String> = item.data.iter().filter(|p| self.owns(item, p)).collect();
        if own.iter().all(|p| self.done.contains(&table_of(self.schema, p))) && !own.is_empty() {
            return;
        }
        self.banner(item);
        for path in own {
            let table = table_of(self.schema, path);
            if self.done.insert(table.clone()) {
                self.table(&table);
            }
        }
    }
}

/// The CSV file suggested for a list of tables: the example file when there is one, else a
/// name made from the whole path, so that two lists never share one
/// ("contexte.structures.liste" → "contexte-structures.csv").
pub fn csv_name(path: &str) -> String {
    if let Some((_, name, _)) = EXAMPLE_CSV.iter().find(|(section, _, _)| *section == path) {
        return format!("{EXAMPLE_DIR}/{name}");
    }
    let parts: Vec<String> =
        path.split('.').filter(|p| *p != "liste").map(|p| p.replace('_', "-")).collect();
    format!("tableaux/{}.csv", parts.join("-"))
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

/// A schema node with `$ref` followed and optional values unwrapped (validation's resolver).
fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    crate::input::validate::resolve_schema(&root["$defs"], node)
}

fn lookup(schema: &Value, path: &str) -> Value {
    let mut node = schema.clone();
    for key in path.split('.') {
        node = resolve(schema, &node)["properties"][key].clone();
    }
    node
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
        let _ = writeln!(out, "{}", line(schema, key, kind(prop), prop, true));
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
fn line(schema: &Value, key: &str, kind: &str, node: &Value, commented: bool) -> String {
    let (value, always_comment) = match kind {
        "array" if node.get("items").is_some() => {
            let options = crate::input::validate::allowed_values(resolve(schema, &node["items"]));
            match options.first() {
                Some(first) => (format!("[\"{first}\"]   # parmi : {}", options.join(", ")), true),
                None => ("[]".to_string(), false),
            }
        }
        "string" if node.get("format") == Some(&Value::from("date")) => {
            ("2026-01-01".to_string(), true)
        }
        "string" => ("\"\"".to_string(), false),
        "array" => ("[]".to_string(), false),
        "boolean" => ("false".to_string(), false),
        "enum" => {
            let options = crate::input::validate::allowed_values(node);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::validate::{Header, columns, match_headers};

    #[test]
    fn every_header_of_the_starter_workbook_names_its_own_column() {
        let schema = crate::model::schema::dossier_schema();
        for label in Phase::ALL.iter().copied() {
            for (path, sheet) in sheets(label) {
                let list = lookup(&schema, &path);
                let row = resolve(&schema, &resolve(&schema, &list)["items"]);
                let accepted = columns(row);
                let keys: Vec<&String> =
                    workbook::ordered_columns(row).into_iter().map(|(k, _)| k).collect();
                let headers: Vec<String> = keys.iter().map(|k| workbook::title(&path, k)).collect();
                for (header, (found, key)) in
                    headers.iter().zip(match_headers(&headers, &accepted).into_iter().zip(&keys))
                {
                    let Header::Column(i) = found else {
                        panic!("{sheet}: « {header} » reads as {found:?}");
                    };
                    assert_eq!(&&accepted[i].key, key, "{sheet}: « {header} »");
                }
            }
        }
    }

    #[test]
    fn sheet_names_are_the_fewest_last_words_that_tell_tables_apart() {
        let paths: Vec<String> = [
            "fonctionnement.partenaires.liste",
            "budget.fonctionnement.charges",
            "budget.investissement.charges",
            "contexte.social.indicateurs",
            "complements.rapport_activite.indicateurs",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            workbook::sheet_names(&paths),
            [
                "Partenaires",
                "Fonctionnement charges",
                "Investissement charges",
                "Social indicateurs",
                "Rapport activite indicateurs"
            ]
        );
    }
}
