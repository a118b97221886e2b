//! The dossier file as the editor changes it: one value at a time through toml_edit (comments,
//! order and layout of everything else kept), every write atomic, the file it replaces kept in
//! `.cdm-render/versions/` beside the dossier (the last [`KEPT_VERSIONS`]).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::Value;
use toml_edit::{ArrayOfTables, DocumentMut, InlineTable, Item, Table, TableLike};

use crate::fsutil;

/// How many earlier states of a dossier are kept.
pub const KEPT_VERSIONS: usize = 100;

/// The version of a dossier's text: a hash of its bytes, in hexadecimal.
pub fn version_of(bytes: &[u8]) -> String {
    format!("{:032x}", typst::utils::hash128(&bytes))
}

/// One step of a field path: `partenaires[2].nom` is `partenaires`, `[2]`, `nom`.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// A key of a table.
    Key(String),
    /// A position in a list, from 0.
    Index(usize),
}

/// Splits a field path as validation writes them (`partenariat.partenaires[2].nom`); `None`
/// for a path that is empty or malformed.
pub fn parse_path(path: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        steps.push(Step::Key(key.to_string()));
        while !rest.is_empty() {
            let (index, after) = rest.split_once(']')?;
            steps.push(Step::Index(index.parse().ok()?));
            rest = match after {
                "" => "",
                more => more.strip_prefix('[')?,
            };
        }
    }
    (!steps.is_empty()).then_some(steps)
}

/// Sets (or, with `None`, removes) the value at `path` in a document, creating the tables on
/// the way. Lists of tables written as `[[x]]` stay so; a list of tables given whole where the
/// document has none yet is written as `[[x]]` too (how a person writes them). The error is
/// in French, for the page.
pub fn set(doc: &mut DocumentMut, path: &[Step], value: Option<&Value>) -> Result<(), String> {
    set_in_table(doc.as_table_mut(), true, path, value)
}

/// Sets the value at `path` in a table: a table of the document (`block`: its lists of tables
/// are written `[[x]]`, its new tables `[x]`) or an inline one (`{ … }`, everything in it
/// inline). One function for both through toml_edit's `TableLike`.
fn set_in_table(
    table: &mut dyn TableLike,
    block: bool,
    path: &[Step],
    value: Option<&Value>,
) -> Result<(), String> {
    let Some((Step::Key(key), rest)) = path.split_first() else {
        return Err("chemin invalide : une clé est attendue".into());
    };
    if rest.is_empty() {
        match value {
            None => {
                table.remove(key);
            }
            Some(value) => {
                let item = to_item(value, table.get(key), block);
                match table.get_mut(key) {
                    // Replacing a value keeps the comment before it and after it.
                    Some(Item::Value(old)) if item.is_value() => {
                        let decor = old.decor().clone();
                        let mut new = item.into_value().map_err(|_| "valeur impossible")?;
                        *new.decor_mut() = decor;
                        *old = new;
                    }
                    _ => {
                        table.insert(key, item);
                    }
                }
            }
        }
        return Ok(());
    }
    if value.is_none() && !table.contains_key(key) {
        return Ok(());
    }
    if !table.contains_key(key) {
        let next_is_index = matches!(rest.first(), Some(Step::Index(_)));
        let empty = match (block, next_is_index) {
            (true, true) => Item::ArrayOfTables(ArrayOfTables::new()),
            (true, false) => implicit_table(),
            (false, true) => Item::Value(toml_edit::Value::Array(toml_edit::Array::new())),
            (false, false) => Item::Value(toml_edit::Value::InlineTable(InlineTable::new())),
        };
        table.insert(key, empty);
    }
    let entry = table.get_mut(key).ok_or("chemin invalide")?;
    set_in_item(entry, rest, value)
}

fn implicit_table() -> Item {
    let mut table = Table::new();
    table.set_implicit(true);
    Item::Table(table)
}

fn set_in_item(item: &mut Item, path: &[Step], value: Option<&Value>) -> Result<(), String> {
    match (item, &path[0]) {
        (Item::Table(table), Step::Key(_)) => set_in_table(table, true, path, value),
        (Item::Value(inner), _) => set_in_value(inner, path, value),
        (Item::ArrayOfTables(array), Step::Index(i)) => {
            let i = *i;
            let rest = &path[1..];
            if rest.is_empty() {
                match value {
                    None if i < array.len() => array.remove(i),
                    None => {}
                    Some(Value::Object(map)) if i <= array.len() => {
                        let table = to_table(map);
                        match array.get_mut(i) {
                            Some(old) => {
                                let decor = old.decor().clone();
                                *old = table;
                                *old.decor_mut() = decor;
                            }
                            None => array.push(table),
                        }
                    }
                    Some(_) => {
                        return Err(format!("ligne {} : un tableau de clés est attendu", i + 1));
                    }
                }
                return Ok(());
            }
            if i == array.len() && value.is_some() {
                array.push(Table::new());
            }
            match array.get_mut(i) {
                Some(table) => set_in_table(table, true, rest, value),
                None if value.is_none() => Ok(()),
                None => Err(format!("il n'y a pas de ligne {} dans cette liste", i + 1)),
            }
        }
        _ => Err("ce chemin ne correspond pas à la forme du dossier".into()),
    }
}

/// [`set_in_table`] for an inline table, and the same for a position in an inline array.
fn set_in_value(
    target: &mut toml_edit::Value,
    path: &[Step],
    value: Option<&Value>,
) -> Result<(), String> {
    let (step, rest) = path.split_first().ok_or("chemin invalide")?;
    match (target, step) {
        (toml_edit::Value::InlineTable(table), Step::Key(_)) => {
            set_in_table(table, false, path, value)
        }
        (toml_edit::Value::Array(array), Step::Index(i)) => {
            let i = *i;
            if rest.is_empty() {
                match value {
                    None if i < array.len() => {
                        array.remove(i);
                    }
                    None => {}
                    Some(v) if i < array.len() => {
                        let existing = array.get(i).map(|v| Item::Value(v.clone()));
                        let new = to_item(v, existing.as_ref(), false);
                        array.replace(i, new.into_value().map_err(|_| "valeur impossible")?);
                    }
                    Some(v) if i == array.len() => {
                        let new = to_item(v, None, false);
                        array.push(new.into_value().map_err(|_| "valeur impossible")?);
                    }
                    Some(_) => {
                        return Err(format!("il n'y a pas de ligne {} dans cette liste", i + 1));
                    }
                }
                return Ok(());
            }
            if i == array.len() && value.is_some() {
                array.push(InlineTable::new());
            }
            match array.get_mut(i) {
                Some(inner) => set_in_value(inner, rest, value),
                None if value.is_none() => Ok(()),
                None => Err(format!("il n'y a pas de ligne {} dans cette liste", i + 1)),
            }
        }
        _ => Err("ce chemin ne correspond pas à la forme du dossier".into()),
    }
}

/// A JSON value as TOML. A text that is a date (AAAA-MM-JJ) becomes a TOML date where the file
/// already had a date; a list of tables becomes `[[x]]` when `block` (a table of the document,
/// not an inline one) and the file did not write it inline.
fn to_item(value: &Value, existing: Option<&Item>, block: bool) -> Item {
    match value {
        Value::Array(items)
            if block
                && !items.is_empty()
                && items.iter().all(Value::is_object)
                && !matches!(existing, Some(Item::Value(_))) =>
        {
            let mut array = ArrayOfTables::new();
            for item in items.iter().filter_map(Value::as_object) {
                array.push(to_table(item));
            }
            Item::ArrayOfTables(array)
        }
        Value::Object(map) if block && matches!(existing, Some(Item::Table(_))) => {
            let mut table = Table::new();
            for (k, v) in map {
                table.insert(k, to_item(v, None, false));
            }
            Item::Table(table)
        }
        Value::Object(map) if block && existing.is_none() && map.values().any(Value::is_array) => {
            let mut table = Table::new();
            for (k, v) in map {
                table.insert(k, to_item(v, None, true));
            }
            Item::Table(table)
        }
        _ => Item::Value(to_value(value, existing.and_then(Item::as_value))),
    }
}

/// A row of a list of tables, as a `[[x]]` table (values inside it inline).
fn to_table(map: &serde_json::Map<String, Value>) -> Table {
    let mut table = Table::new();
    for (k, v) in map {
        table.insert(k, Item::Value(to_value(v, None)));
    }
    table
}

fn to_value(value: &Value, existing: Option<&toml_edit::Value>) -> toml_edit::Value {
    match value {
        Value::Null => toml_edit::Value::from(""),
        Value::Bool(b) => (*b).into(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.into(),
            None => n.as_f64().unwrap_or(0.0).into(),
        },
        Value::String(s) => {
            let was_date = matches!(existing, Some(toml_edit::Value::Datetime(_)));
            let date = was_date
                .then(|| crate::model::Date::parse(s).ok())
                .flatten()
                .and_then(|_| s.trim().parse::<toml_edit::Datetime>().ok());
            match date {
                Some(date) => date.into(),
                None => s.as_str().into(),
            }
        }
        Value::Array(items) => {
            let mut array = toml_edit::Array::new();
            for item in items {
                array.push(to_value(item, None));
            }
            toml_edit::Value::Array(array)
        }
        Value::Object(map) => {
            let mut table = InlineTable::new();
            for (k, v) in map {
                table.insert(k, to_value(v, None));
            }
            toml_edit::Value::InlineTable(table)
        }
    }
}

/// Keeps the comments that close a document with the section they belong to when tables are
/// added. toml_edit writes a new table after the last one and before the document's trailing
/// comments; the comment lines right under the last table (its commented optional keys, up to
/// the first blank line) belong to that table's section, and a new table written there would
/// split them from it (`[[annexes]]` in the middle of 6.2's commented template). Those lines
/// become the head of the new table's own comments, so they stay under their section; the
/// blocks after the blank line (other sections' templates) stay at the end.
pub fn keep_closing_comments(doc: &mut DocumentMut) {
    let trailing = doc.trailing().as_str().unwrap_or_default().to_string();
    let attached_len = match trailing.find("\n\n") {
        Some(at) => at + 1,
        None => trailing.len(),
    };
    let attached = &trailing[..attached_len];
    if attached.trim().is_empty() {
        return;
    }
    // The table written last: the highest position, new tables taking their predecessor's
    // (as toml_edit's writer orders them), the last visited among equals.
    let mut order = Vec::new();
    let mut last = 0;
    visit_tables(doc.as_table(), &mut |table| {
        if let Some(position) = table.position() {
            last = position;
        }
        // A new table is created implicit; it is written with a header once it holds values.
        let written = !table.is_implicit() || !table.get_values().is_empty();
        order.push((last, table.position().is_none() && written));
    });
    let Some(target) = order.iter().enumerate().max_by_key(|(i, (p, _))| (*p, *i)).map(|(i, _)| i)
    else {
        return;
    };
    if !order[target].1 {
        return;
    }
    let rest = trailing[attached_len..].to_string();
    let mut index = 0;
    visit_tables_mut(doc.as_table_mut(), &mut |table| {
        if index == target {
            let prefix =
                table.decor().prefix().and_then(|p| p.as_str()).unwrap_or("\n").to_string();
            table.decor_mut().set_prefix(format!("{attached}{prefix}"));
        }
        index += 1;
    });
    doc.set_trailing(rest);
}

/// Every table with a header, in the order toml_edit's writer visits them.
fn visit_tables<'t>(table: &'t Table, f: &mut dyn FnMut(&'t Table)) {
    if !table.is_dotted() {
        f(table);
    }
    for (_, item) in table.iter() {
        match item {
            Item::Table(t) => visit_tables(t, f),
            Item::ArrayOfTables(a) => a.iter().for_each(|t| visit_tables(t, f)),
            _ => {}
        }
    }
}

fn visit_tables_mut(table: &mut Table, f: &mut dyn FnMut(&mut Table)) {
    if !table.is_dotted() {
        f(table);
    }
    for (_, item) in table.iter_mut() {
        match item {
            Item::Table(t) => visit_tables_mut(t, f),
            Item::ArrayOfTables(a) => a.iter_mut().for_each(|t| visit_tables_mut(t, f)),
            _ => {}
        }
    }
}

/// The folder of kept versions of a dossier.
pub fn versions_dir(dossier: &Path) -> PathBuf {
    fsutil::folder_of(dossier).join(".cdm-render").join("versions")
}

/// A kept version.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Kept {
    /// Its name, as `POST /api/restaurer` takes it.
    pub id: String,
    /// When it was replaced, local time (AAAA-MM-JJ HH:MM:SS).
    pub date: String,
    /// The same in French words: « 3 décembre 2026, 15 h 34 ».
    pub date_texte: String,
    /// What the write that replaced it changed: a field's path (`porteur.texte`), a table's, or
    /// « restauration »; empty for versions kept before this was recorded.
    pub modification: String,
    /// Its size.
    pub octets: u64,
    /// The file it is a version of, relative to the dossier's folder (the dossier itself, or
    /// a table's CSV file).
    pub fichier: String,
    #[serde(skip)]
    path: PathBuf,
    /// When it was kept (milliseconds), then its rank among versions kept in that millisecond.
    #[serde(skip)]
    order: (i64, u32),
}

/// « 3 décembre 2026, 15 h 34 ».
fn french_time(time: &chrono::DateTime<chrono::Local>) -> String {
    use chrono::{Datelike, Timelike};
    let date =
        crate::model::Date { year: time.year(), month: time.month() as u8, day: time.day() as u8 };
    format!("{}, {} h {:02}", crate::fr::format_date(date), time.hour(), time.minute())
}

/// Writes of one field closer than this to the version kept before the first of them keep no
/// version of their own: typing a paragraph must not use up the 100 versions.
const COALESCE_MILLIS: i64 = 10_000;

impl Kept {
    /// When it was kept: milliseconds, then its rank among the versions of its file kept in
    /// that millisecond.
    pub fn kept_at(&self) -> (i64, u32) {
        self.order
    }
}

/// How the kept versions of `file` are named: its path from the dossier's folder without the
/// extension (`tableaux/charges.csv` → `tableaux~charges`), then the extension; the dossier and
/// each of its table files have their own history in one folder.
fn naming(dossier: &Path, file: &Path) -> (String, String, String) {
    let relative = file.strip_prefix(fsutil::folder_of(dossier)).unwrap_or(file);
    let relative = if relative.as_os_str().is_empty() { file } else { relative };
    let shown = relative.to_string_lossy().replace('\\', "/");
    let extension =
        relative.extension().map_or("toml".into(), |e| e.to_string_lossy().into_owned());
    let stem = relative.with_extension("").to_string_lossy().replace(['/', '\\'], "~");
    let stem = if stem.is_empty() { "dossier".into() } else { stem };
    (stem, extension, shown)
}

/// The kept versions of the dossier, newest first.
pub fn versions(dossier: &Path) -> Vec<Kept> {
    versions_of(dossier, dossier)
}

/// The kept versions of `file` (the dossier or one of its table files), newest first.
pub fn versions_of(dossier: &Path, file: &Path) -> Vec<Kept> {
    let dir = versions_dir(dossier);
    let (stem, extension, shown) = naming(dossier, file);
    let prefix = format!("{stem}-");
    let suffix = format!(".{extension}");
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut kept: Vec<Kept> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let rest = name.strip_prefix(&prefix)?.strip_suffix(&suffix)?;
            // <millis>-<counter>[+<what>]: the time of the write, an order among writes of one
            // ms, and what the write changed (`~` already joins the folders of a table's path).
            let (stamp, what) = rest.split_once('+').unwrap_or((rest, ""));
            let (millis, counter) = stamp.split_once('-')?;
            let order = (millis.parse().ok()?, counter.parse().ok()?);
            let meta = entry.metadata().ok()?;
            let local =
                chrono::DateTime::from_timestamp_millis(order.0)?.with_timezone(&chrono::Local);
            Some(Kept {
                id: name.clone(),
                date: local.format("%Y-%m-%d %H:%M:%S").to_string(),
                date_texte: french_time(&local),
                modification: what.to_string(),
                octets: meta.len(),
                fichier: shown.clone(),
                path: entry.path(),
                order,
            })
        })
        .collect();
    kept.sort_by_key(|k| std::cmp::Reverse(k.order));
    kept
}

/// The text of a kept version of `file`, by its id (a name listed by [`versions_of`], nothing
/// else).
pub fn kept(dossier: &Path, file: &Path, id: &str) -> Option<Vec<u8>> {
    let found = versions_of(dossier, file).into_iter().find(|k| k.id == id)?;
    fsutil::read_limited(&found.path, fsutil::MAX_TEXT_SIZE).ok()
}

/// Writes the dossier's new text atomically, first keeping the text it replaces (unless the
/// newest kept version is that text already, or was kept a few seconds ago before a write of
/// the same field: [`COALESCE_MILLIS`]), then the oldest beyond [`KEPT_VERSIONS`] go. `what`
/// says what the write changes (a field's path), shown with the version.
pub fn write(dossier: &Path, old: &[u8], new: &[u8], what: &str) -> Result<()> {
    write_file(dossier, dossier, old, new, what)
}

/// [`write`] for a file of the dossier (a table's CSV file): its versions are kept beside the
/// dossier's.
pub fn write_file(dossier: &Path, file: &Path, old: &[u8], new: &[u8], what: &str) -> Result<()> {
    keep(dossier, file, old, what)?;
    fsutil::write_atomic(file, new)
}

/// `what` as it goes into a version's file name: the characters of a field path only.
fn named(what: &str) -> String {
    let clean: String = what
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "_.[]".contains(c) { c } else { '_' })
        .take(80)
        .collect();
    clean
}

fn keep(dossier: &Path, file: &Path, old: &[u8], what: &str) -> Result<()> {
    let existing = versions_of(dossier, file);
    let newest = existing.first();
    let same = newest.and_then(|k| std::fs::read(&k.path).ok()).is_some_and(|b| b == old);
    let now = chrono::Utc::now().timestamp_millis();
    let what = named(what);
    let same_burst = newest.is_some_and(|k| {
        !what.is_empty() && k.modification == what && now - k.order.0 < COALESCE_MILLIS
    });
    if same || same_burst || old.is_empty() {
        return Ok(());
    }
    let dir = versions_dir(dossier);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("impossible de créer {}", dir.display()))?;
    let counter = existing.iter().filter(|k| k.order.0 == now).count();
    let (stem, extension, _) = naming(dossier, file);
    let name = match what.is_empty() {
        true => format!("{stem}-{now:013}-{counter:03}.{extension}"),
        false => format!("{stem}-{now:013}-{counter:03}+{what}.{extension}"),
    };
    fsutil::write_atomic(&dir.join(name), old)?;
    for gone in existing.iter().skip(KEPT_VERSIONS - 1) {
        let _ = std::fs::remove_file(&gone.path);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(text: &str, path: &str, value: Option<Value>) -> String {
        let mut doc: DocumentMut = text.parse().unwrap();
        set(&mut doc, &parse_path(path).unwrap(), value.as_ref()).unwrap();
        doc.to_string()
    }

    #[test]
    fn paths_are_read_as_validation_writes_them() {
        assert_eq!(
            parse_path("partenariat.liste[2].nom"),
            Some(vec![
                Step::Key("partenariat".into()),
                Step::Key("liste".into()),
                Step::Index(2),
                Step::Key("nom".into())
            ])
        );
        assert_eq!(parse_path("a[1][0]").map(|p| p.len()), Some(3));
        assert_eq!(parse_path("a..b"), None);
        assert_eq!(parse_path("a[x]"), None);
        assert_eq!(parse_path(""), None);
    }

    #[test]
    fn a_value_changes_without_touching_comments_or_order() {
        let text = "# en-tête\n[porteur]\n# le nom\nnom = \"A\" # fin\nville = \"B\"\n\n[cite]\nnom = \"C\"\n";
        let out = edit(text, "porteur.nom", Some(Value::from("Nouveau")));
        assert_eq!(out, text.replace("\"A\"", "\"Nouveau\""));
    }

    #[test]
    fn null_removes_a_key_and_missing_tables_are_created() {
        let text = "[porteur]\nnom = \"A\"\nville = \"B\"\n";
        assert_eq!(edit(text, "porteur.ville", None), "[porteur]\nnom = \"A\"\n");
        let out = edit(text, "contexte.territoire.texte", Some(Value::from("x")));
        assert!(out.contains("[contexte.territoire]\ntexte = \"x\""), "{out}");
    }

    #[test]
    fn rows_of_a_list_of_tables_are_set_and_added() {
        let text = "[[p.liste]]\nnom = \"A\"\n\n[[p.liste]]\nnom = \"B\"\n";
        let out = edit(text, "p.liste[1].nom", Some(Value::from("Z")));
        assert!(out.contains("nom = \"Z\"") && out.contains("nom = \"A\""), "{out}");
        let out = edit(text, "p.liste[2].nom", Some(Value::from("C")));
        assert_eq!(out.matches("[[p.liste]]").count(), 3, "{out}");
        let out = edit(text, "p.liste", Some(serde_json::json!([{"nom": "X"}])));
        assert_eq!(out.trim(), "[[p.liste]]\nnom = \"X\"", "{out}");
    }

    #[test]
    fn values_inside_inline_tables_and_arrays_are_set_in_place() {
        let text = "[p]\nliste = [{ nom = \"A\", roles = [\"x\"] }] # fin\n";
        let out = edit(text, "p.liste[0].nom", Some(Value::from("B")));
        assert_eq!(out, text.replace("\"A\"", "\"B\""));
        let out = edit(text, "p.liste[0].roles[1]", Some(Value::from("y")));
        assert!(out.contains("roles = [\"x\", \"y\"]"), "{out}");
        let out = edit(text, "p.liste[1].nom", Some(Value::from("C")));
        assert!(out.contains("{ nom = \"C\" }"), "{out}");
        let out = edit(text, "p.liste[0].autre.cle", Some(Value::from(1)));
        assert!(out.contains("autre = { cle = 1 }"), "{out}");
    }

    #[test]
    fn a_date_stays_a_date() {
        let out = edit("[cite]\ndate = 2026-01-05\n", "cite.date", Some(Value::from("2026-02-01")));
        assert_eq!(out, "[cite]\ndate = 2026-02-01\n");
    }
}
