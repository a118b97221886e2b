//! The editor's JSON API (see API.md beside this file): what the page reads (the dossier with
//! its findings, completeness and tables; the schema for its forms; the kept versions) and the
//! changes it sends (a field, a table's rows, a file, a restored version). Every change is
//! checked against the file's version (409 when the file changed since the page read it) and
//! against the model before anything is written (422, in French).

use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Instant;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::terms::in_form_terms;
use super::{Editor, json_response, store};
use crate::diag::{DataErrors, Location};
use crate::input::check;
use crate::input::validate::{self, Header};
use crate::model::outline::{Outline, Phase};
use crate::serve::{Reply, Request};

/// A refused request: its status and French message, and the file's version for a 409.
struct Refused {
    status: u16,
    message: String,
    version: Option<String>,
    /// The fields a 422 is about (`…actions[3].debut`), for the page to show the message there.
    champs: Vec<String>,
}

type Answer = Result<Value, Refused>;

fn unprocessable(message: impl Into<String>) -> Refused {
    Refused { status: 422, message: message.into(), version: None, champs: Vec::new() }
}

fn reply(answer: Answer) -> Reply {
    Reply::Respond(match answer {
        Ok(value) => json_response(200, &value),
        Err(refused) => {
            let mut body = json!({ "message": refused.message });
            if let Some(version) = refused.version {
                body["version"] = version.into();
            }
            if !refused.champs.is_empty() {
                body["champs"] = refused.champs.into();
            }
            json_response(refused.status, &body)
        }
    })
}

fn body<'a, T: Deserialize<'a>>(request: &'a Request) -> Result<T, Refused> {
    serde_json::from_slice(&request.body).map_err(|e| Refused {
        status: 400,
        message: format!("requête illisible : {e}"),
        version: None,
        champs: Vec::new(),
    })
}

/// The dossier file's bytes, refused with 409 when they are not at `version`.
fn current(editor: &Editor, version: &str) -> Result<Vec<u8>, Refused> {
    let bytes = read(&editor.dossier)?;
    let actual = store::version_of(&bytes);
    if actual != version {
        return Err(Refused {
            status: 409,
            message: "le dossier a changé depuis que la page l'a lu (modifié dans un autre \
                      programme ?) : la page se met à jour, refaites la modification"
                .into(),
            version: Some(actual),
            champs: Vec::new(),
        });
    }
    Ok(bytes)
}

fn read(path: &Path) -> Result<Vec<u8>, Refused> {
    crate::fsutil::read_limited(path, crate::fsutil::MAX_TEXT_SIZE).map_err(|e| Refused {
        status: 500,
        message: format!("{e:#}"),
        version: None,
        champs: Vec::new(),
    })
}

fn text_of(bytes: &[u8]) -> Result<&str, Refused> {
    std::str::from_utf8(bytes).map_err(|_| {
        unprocessable("le dossier n'est pas enregistré en UTF-8 : corrigez-le d'abord dans un éditeur de texte")
    })
}

// ---------------------------------------------------------------------------------------------
// Reading

/// `GET /api/dossier`.
pub fn dossier(editor: &Editor, _: &Request) -> Reply {
    reply(dossier_view(editor))
}

fn dossier_view(editor: &Editor) -> Answer {
    let bytes = read(&editor.dossier)?;
    let text = String::from_utf8_lossy(&bytes);
    let version = store::version_of(&bytes);
    let values = raw_values(&text);
    let assessed = assess(editor, &values);
    let label = assessed.label;
    Ok(json!({
        "version": version,
        "fichier": editor.dossier.display().to_string(),
        "label": label.key(),
        // `--label` decides for the session: the page then shows the file's menu disabled.
        "label_impose": editor.options.label.map(|l| l.key()),
        "valeurs": values,
        "constats": assessed.constats,
        "plan": assessed.plan,
        "tableaux": tables(&editor.dossier, &text, &values),
        "version_tableaux": tables_version(&editor.dossier, &text),
    }))
}

/// The version of the dossier's table files (CSV files and workbooks): a hash of their names
/// and bytes. A table file changes without the dossier's version changing; the page tells a
/// change made elsewhere from its own writes by this one.
pub fn tables_version(dossier: &Path, text: &str) -> String {
    let folder = crate::fsutil::folder_of(dossier);
    let mut all = Vec::new();
    for (name, _) in validate::table_file_names(text) {
        all.extend_from_slice(name.as_bytes());
        all.push(0);
        all.extend(std::fs::read(folder.join(&name)).unwrap_or_default());
        all.push(0);
    }
    store::version_of(&all)
}

/// The dossier's text as JSON, as written (tables given as files stay `{"fichier": …}`), dates
/// as `AAAA-MM-JJ`; `{}` when it cannot be read as TOML.
fn raw_values(text: &str) -> Value {
    toml::from_str::<toml::Table>(text)
        .map(|t| toml_json(&toml::Value::Table(t)))
        .unwrap_or(json!({}))
}

fn toml_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => s.clone().into(),
        toml::Value::Integer(i) => (*i).into(),
        toml::Value::Float(f) => json!(f),
        toml::Value::Boolean(b) => (*b).into(),
        toml::Value::Datetime(d) => d.to_string().into(),
        toml::Value::Array(items) => items.iter().map(toml_json).collect(),
        toml::Value::Table(t) => t.iter().map(|(k, v)| (k.clone(), toml_json(v))).collect(),
    }
}

/// Findings and completeness, as the page shows them.
#[derive(Clone)]
pub(crate) struct Assessed {
    label: Phase,
    constats: Vec<Value>,
    plan: Vec<Value>,
}

/// Reads the dossier from disk as a render would, for its findings and completeness. When it
/// does not read, the completeness is judged on the values as written.
fn assess(editor: &Editor, values: &Value) -> Assessed {
    let loaded = crate::input::load::load(&editor.dossier, &editor.options, &editor.previous);
    assessed_with(editor, loaded.as_ref(), values)
}

/// The findings and completeness of a dossier as a render read it.
pub(crate) fn assessed(
    editor: &Editor,
    result: Result<&crate::input::load::LoadedDossier, &anyhow::Error>,
) -> Assessed {
    let values = match result {
        Ok(loaded) => raw_values(&loaded.source),
        Err(_) => std::fs::read(&editor.dossier)
            .map(|b| raw_values(&String::from_utf8_lossy(&b)))
            .unwrap_or(json!({})),
    };
    assessed_with(editor, result, &values)
}

fn assessed_with(
    editor: &Editor,
    result: Result<&crate::input::load::LoadedDossier, &anyhow::Error>,
    values: &Value,
) -> Assessed {
    match result {
        Ok(loaded) => {
            let constats = constats(&loaded.warnings);
            let plan = plan(&loaded.report, &constats);
            Assessed { label: loaded.dossier.cite.label, constats, plan }
        }
        Err(error) => {
            let constats = match error.downcast_ref::<DataErrors>() {
                Some(data) => constats(data),
                None => vec![json!({
                    "niveau": "erreur",
                    "chemin": "",
                    "message": crate::diag::error_chain(error),
                    "aide": null,
                    "lieu": editor.dossier.display().to_string(),
                })],
            };
            let written =
                values.pointer("/cite/label").and_then(Value::as_str).and_then(Phase::parse);
            let label = editor.options.label.or(written).unwrap_or(Phase::Projet);
            let context = check::Context { computed: Vec::new(), same_as_previous: None };
            let report = check::assess(values, label, &context);
            let plan = plan(&report, &constats);
            Assessed { label, constats, plan }
        }
    }
}

fn constats(errors: &DataErrors) -> Vec<Value> {
    errors.locations().into_iter().map(|l| constat(&l)).collect()
}

fn constat(location: &Location) -> Value {
    let lieu = match (location.ligne, location.colonne) {
        (Some(l), Some(c)) => format!("{}:{l}:{c}", location.fichier),
        _ => location.fichier.clone(),
    };
    let field = location.champ.clone().unwrap_or_default();
    json!({
        "niveau": if location.erreur { "erreur" } else { "avertissement" },
        "chemin": field.clone(),
        "titre": super::terms::field_title(&field),
        "message": in_form_terms(&field, &location.message),
        "aide": location.aide.as_deref().map(|hint| in_form_terms(&field, hint)),
        "lieu": lieu,
    })
}

/// The completeness of each item as the page shows it: an item whose fields carry errors is
/// not « complet » (the render would refuse them), whatever its content.
fn plan(report: &check::Report, constats: &[Value]) -> Vec<Value> {
    let outline = Outline::get();
    report
        .items
        .iter()
        .map(|item| {
            let paths = outline.item(&item.numero).map(|i| i.data.clone()).unwrap_or_default();
            let errors = constats
                .iter()
                .filter(|c| c["niveau"] == "erreur")
                .filter_map(|c| c["chemin"].as_str())
                .filter(|field| !field.is_empty() && paths.iter().any(|p| under(field, p)))
                .count();
            let mut statut = item.statut.label();
            let mut manques: Vec<String> =
                item.manques.iter().map(|m| in_form_terms("", m)).collect();
            if errors > 0 {
                if item.statut == check::Status::Complet {
                    statut = check::Status::ACompleter.label();
                }
                manques
                    .push(format!("{} à corriger", crate::fr::count(errors, "erreur", "erreurs")));
            }
            json!({
                "numero": item.numero,
                "titre": item.titre,
                "niveau_plan": item.niveau,
                "statut": statut,
                "attendu": item.attendu,
                "manques": manques,
                "chemins": paths,
            })
        })
        .collect()
}

/// Every list of tables of the model (`partenariat.partenaires`), by dotted path: the grids of
/// the page. Lists inside a list's rows are edited with their row.
static TABLE_PATHS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut paths = Vec::new();
    collect_tables(validate::schema(), &validate::schema()["$defs"], "", &mut paths, 0);
    paths
});

fn collect_tables(node: &Value, defs: &Value, path: &str, out: &mut Vec<String>, depth: usize) {
    let node = validate::resolve_schema(defs, node);
    let Some(properties) = node.get("properties").and_then(Value::as_object) else { return };
    for (key, sub) in properties {
        let field = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
        if validate::row_schema(&field).is_some() {
            out.push(field);
        } else if depth < 6 {
            collect_tables(sub, defs, &field, out, depth + 1);
        }
    }
}

/// The keys that name a row (the first column of its table in the PDF), put first.
const LABEL_KEYS: &[&str] = &[
    "nom",
    "titre",
    "intitule",
    "poste",
    "partenaire",
    "theme",
    "designation",
    "critere",
    "service",
];

/// The keys of a row in the order a grid shows them: the row's name first, then the others in
/// the order the model declares them.
fn ordered_keys(row: &Value) -> Vec<String> {
    let properties = row.get("properties").and_then(Value::as_object);
    let mut keys: Vec<String> = properties.into_iter().flatten().map(|(k, _)| k.clone()).collect();
    if let Some(label) = LABEL_KEYS.iter().find(|l| keys.iter().any(|k| k == *l)) {
        keys.retain(|k| k != label);
        keys.insert(0, label.to_string());
    }
    keys
}

fn columns_of(row: &Value) -> Vec<Value> {
    let titles = validate::columns(row);
    ordered_keys(row)
        .into_iter()
        .map(|key| {
            let schema =
                validate::resolve_schema(&validate::schema()["$defs"], &row["properties"][&key]);
            let column = titles.iter().find(|c| c.key == key);
            // The key's French title in this table (« Nom de l'indicateur »), as its form says;
            // the first header a CSV file may use is shared by tables (« Partenaire » for every
            // `nom`), so it only stands in for a key without a title.
            let own = row["properties"][&key]["title"].as_str().map(str::to_string);
            let title = own.or_else(|| column.and_then(|c| c.titles.first()).cloned());
            json!({
                "cle": key,
                "titre": title.unwrap_or_else(|| key.replace('_', " ")),
                "type": column_type(schema),
                "obligatoire": column.is_some_and(|c| c.required),
            })
        })
        .collect()
}

/// The kind of a column for the page: `texte`, `nombre`, `entier`, `oui_non`, `date`, `choix`
/// (a closed list) or `liste` (several values).
fn column_type(schema: &Value) -> &'static str {
    if !validate::allowed_values(schema).is_empty() {
        return "choix";
    }
    if schema.get("format").and_then(Value::as_str) == Some("date") {
        return "date";
    }
    let kind = schema.get("type").and_then(|t| match t {
        Value::Array(types) => types.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        other => other.as_str(),
    });
    match kind {
        Some("number") => "nombre",
        Some("integer") => "entier",
        Some("boolean") => "oui_non",
        Some("array") => "liste",
        _ => "texte",
    }
}

/// The grids of the page: each list of tables, with where its rows live.
fn tables(dossier: &Path, text: &str, values: &Value) -> Value {
    let files = validate::table_files(dossier, text);
    let mut out = Map::new();
    for path in TABLE_PATHS.iter() {
        let Some(row) = validate::row_schema(path) else { continue };
        let colonnes = columns_of(&row);
        let entry = match files.iter().find(|f| &f.field == path) {
            Some(file) => json!({
                "source": if file.workbook { "classeur" } else { "csv" },
                "fichier": file.file,
                "feuille": file.sheet,
                "lecture_seule": file.workbook,
                "colonnes": colonnes,
                "lignes": file.rows.as_ref().map(toml_json).unwrap_or(json!([])),
            }),
            None => json!({
                "source": "toml",
                "fichier": null,
                "feuille": null,
                "lecture_seule": false,
                "colonnes": colonnes,
                "lignes": lookup(values, path).filter(|v| v.is_array()).cloned().unwrap_or(json!([])),
            }),
        };
        out.insert(path.clone(), entry);
    }
    Value::Object(out)
}

fn lookup<'a>(values: &'a Value, path: &str) -> Option<&'a Value> {
    check::lookup(values, path)
}

/// `GET /api/schema`: the JSON Schema with French descriptions, plus what forms need.
pub fn schema(_: &Editor, _: &Request) -> Reply {
    reply(Ok(SCHEMA_VIEW.clone()))
}

static SCHEMA_VIEW: LazyLock<Value> = LazyLock::new(|| {
    let mut schema = validate::schema().clone();
    super::terms::schema_in_form_terms(&mut schema);
    let outline: Vec<Value> = Outline::get()
        .items
        .iter()
        .map(|item| {
            let levels: Map<String, Value> =
                item.levels.iter().map(|(p, l)| (p.key().to_string(), json!(l))).collect();
            json!({
                "numero": item.number,
                "titre": item.title,
                "description": item.description,
                "niveau": item.depth(),
                "niveaux": levels,
                "chemins": item.data,
                "textes": item.text,
                "structure": item.structured,
            })
        })
        .collect();
    schema["x-formulaires"] = json!({
        "vocabulaires": vocabularies(),
        "plan": outline,
        "tableaux": TABLE_PATHS.clone(),
    });
    schema
});

/// The closed lists of the model, by their name in `$defs`, each value with its French label.
fn vocabularies() -> Value {
    macro_rules! lists {
        ($($name:ident),+) => {{
            let mut out = Map::new();
            $(
                let values: Vec<Value> = crate::model::$name::ALL
                    .iter()
                    .map(|v| json!({ "cle": v.key(), "libelle": v.label() }))
                    .collect();
                out.insert(stringify!($name).to_string(), Value::Array(values));
            )+
            Value::Object(out)
        }};
    }
    let mut out = lists!(Nature, Priorite, Etat, Role, TypeSite, JourSemaine);
    out["Phase"] =
        Phase::ALL.iter().map(|v| json!({ "cle": v.key(), "libelle": v.label() })).collect();
    out
}

/// `GET /api/versions`: the dossier's and its CSV tables', newest first.
pub fn versions(editor: &Editor, _: &Request) -> Reply {
    let mut all = store::versions(&editor.dossier);
    for file in csv_files(editor) {
        all.extend(store::versions_of(&editor.dossier, &file));
    }
    all.sort_by_key(|k| std::cmp::Reverse(k.kept_at()));
    let listed: Vec<Value> = all
        .iter()
        .map(|k| {
            let mut entry = json!(k);
            entry["item"] = item_of(&k.modification).map_or(Value::Null, Value::from);
            // What changed, named as the page names the field.
            if !k.modification.is_empty() {
                entry["modification_titre"] = super::terms::field_title(&k.modification).into();
            }
            entry
        })
        .collect();
    reply(Ok(Value::Array(listed)))
}

/// The CSV files the dossier keeps tables in (the ones the editor writes), as it is on disk.
fn csv_files(editor: &Editor) -> Vec<PathBuf> {
    let Ok(bytes) = std::fs::read(&editor.dossier) else { return Vec::new() };
    let text = String::from_utf8_lossy(&bytes);
    validate::table_file_names(&text)
        .into_iter()
        .filter(|(_, workbook)| !workbook)
        .map(|(file, _)| crate::fsutil::folder_of(&editor.dossier).join(file))
        .collect()
}

/// « 1.1 Le porteur du projet »: the outline's entry whose data holds a field, for the page to
/// say what a version changed in the user's terms.
fn item_of(field: &str) -> Option<String> {
    let outline = Outline::get();
    outline
        .items
        .iter()
        .filter(|item| item.data.iter().any(|p| under(field, p)))
        .max_by_key(|item| item.number.len())
        .map(|item| format!("{} {}", item.number, item.title))
}

// ---------------------------------------------------------------------------------------------
// Changes

#[derive(Deserialize)]
struct FieldChange {
    version: String,
    chemin: String,
    valeur: Value,
}

/// `POST /api/champ`.
pub fn champ(editor: &Editor, request: &Request) -> Reply {
    reply(
        body::<FieldChange>(request)
            .and_then(|c| change_fields(editor, &c.version, &[(c.chemin, c.valeur)])),
    )
}

/// Sets fields (`null` removes one) in the dossier at `version`, refusing values the model
/// does not accept, and answers with the new version, findings and completeness.
fn change_fields(editor: &Editor, version: &str, changes: &[(String, Value)]) -> Answer {
    let _writing = editor.writing.lock().unwrap_or_else(|e| e.into_inner());
    let mut timings = Timings::start();
    let old = current(editor, version)?;
    let new = edited(text_of(&old)?, changes)?;
    timings.mark("modification et contrôle de forme");
    let what = changes.first().map(|(path, _)| path.as_str()).unwrap_or_default();
    let answer = write(editor, &old, new.as_bytes(), what, &mut timings);
    timings.print();
    answer
}

/// Where the time of a change goes, for bench/edit.py (`CDM_RENDER_TIMINGS=1`): printed on
/// standard error.
struct Timings(Option<(std::time::Instant, Vec<String>)>);

impl Timings {
    fn start() -> Timings {
        let on = std::env::var_os("CDM_RENDER_TIMINGS").is_some();
        Timings(on.then(|| (std::time::Instant::now(), Vec::new())))
    }

    fn mark(&mut self, what: &str) {
        if let Some((start, marks)) = &mut self.0 {
            marks.push(format!("{what} {:.1} ms", start.elapsed().as_secs_f64() * 1000.0));
            *start = std::time::Instant::now();
        }
    }

    fn print(&self) {
        if let Some((_, marks)) = &self.0 {
            eprintln!("éditeur : {}", marks.join(", "));
        }
    }
}

/// The dossier's text with `changes` made, or why they cannot be.
fn edited(text: &str, changes: &[(String, Value)]) -> Result<String, Refused> {
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|_| {
        unprocessable(
            "le dossier a une erreur de syntaxe : corrigez-la d'abord (voir les constats)",
        )
    })?;
    for (path, value) in changes {
        let steps = store::parse_path(path)
            .ok_or_else(|| unprocessable(format!("chemin invalide « {path} »")))?;
        let value = (!value.is_null()).then(|| in_model_order(path, value));
        store::set(&mut doc, &steps, value.as_ref())
            .map_err(|m| unprocessable(format!("{path} : {m}")))?;
    }
    store::keep_closing_comments(&mut doc);
    let new = doc.to_string();
    let found: Vec<_> = validate::form_findings(&new)
        .into_iter()
        .filter(|f| f.severity == crate::diag::Severity::Error)
        .filter(|f| changes.iter().any(|(path, _)| under(&f.field, path)))
        .collect();
    if !found.is_empty() {
        refuse_new(found, &validate::form_findings(text))?;
    }
    refuse_meaning(text, &new, changes)?;
    Ok(new)
}

/// Refuses a value of one control (not a table's rows) that a rule of meaning judges wrong at
/// that very field — a colour « bordeaux » — so that it is never written to freeze the preview;
/// what a rule says about other fields (an order of dates across two controls) stays a finding.
fn refuse_meaning(old: &str, new: &str, changes: &[(String, Value)]) -> Result<(), Refused> {
    let scalars: Vec<&str> = changes
        .iter()
        .filter(|(_, v)| !v.is_null() && !v.is_array() && !v.is_object())
        .map(|(path, _)| path.as_str())
        .collect();
    if scalars.is_empty() {
        return Ok(());
    }
    // A finding that names other fields too (`related`) is an inconsistency between controls,
    // which the user mends one control at a time: it is shown, not refused.
    let at_a_control = |f: &validate::Finding| {
        f.severity == crate::diag::Severity::Error
            && f.related.is_empty()
            && scalars.contains(&f.field.as_str())
    };
    let found: Vec<_> = validate::meaning_findings(new).into_iter().filter(at_a_control).collect();
    if found.is_empty() {
        return Ok(());
    }
    refuse_new(found, &validate::meaning_findings(old))
}

/// Refuses (422) the findings that are new: what was wrong already before the change is not
/// the change's fault.
fn refuse_new(found: Vec<validate::Finding>, before: &[validate::Finding]) -> Result<(), Refused> {
    let new: Vec<validate::Finding> = found
        .into_iter()
        .filter(|f| !before.iter().any(|b| b.field == f.field && b.message == f.message))
        .collect();
    if new.is_empty() {
        return Ok(());
    }
    let problems: Vec<String> = new
        .iter()
        .map(|f| {
            let message = in_form_terms(&f.field, &f.message);
            let title = super::terms::field_title(&f.field);
            match &f.hint {
                Some(hint) => format!("{title} : {message} ({})", in_form_terms(&f.field, hint)),
                None => format!("{title} : {message}"),
            }
        })
        .collect();
    let mut refused =
        unprocessable(format!("valeur refusée, rien n'a été écrit : {}", problems.join(" ; ")));
    refused.champs = new.into_iter().map(|f| f.field).collect();
    Err(refused)
}

/// A row, or the rows, of the table at `path` with their keys in the order the model declares
/// them (the order of the forms and of the PDF's columns), whatever order the page sent them in;
/// any other value as it is.
fn in_model_order(path: &str, value: &Value) -> Value {
    let table = path.strip_suffix(']').and_then(|p| p.rsplit_once('[')).map(|(table, _)| table);
    let Some(row) = validate::row_schema(table.unwrap_or(path)) else { return value.clone() };
    let keys: Vec<&String> =
        row["properties"].as_object().into_iter().flatten().map(|(k, _)| k).collect();
    let sorted = |value: &Value| match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            // Keys the model does not know go last, in their order: validation names them.
            entries
                .sort_by_key(|(k, _)| keys.iter().position(|key| key == k).unwrap_or(usize::MAX));
            Value::Object(entries.into_iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        }
        other => other.clone(),
    };
    match (table, value) {
        (None, Value::Array(rows)) => Value::Array(rows.iter().map(sorted).collect()),
        (Some(_), row) => sorted(row),
        (None, other) => other.clone(),
    }
}

/// Whether a finding's field is `path` or inside it.
fn under(field: &str, path: &str) -> bool {
    field == path
        || field
            .strip_prefix(path)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        || (field.is_empty() && path.is_empty())
}

/// Writes the new text (keeping the old one as a version) and answers with the new version,
/// findings and completeness.
fn write(editor: &Editor, old: &[u8], new: &[u8], what: &str, timings: &mut Timings) -> Answer {
    let since = Instant::now();
    store::write(&editor.dossier, old, new, what).map_err(|e| Refused {
        status: 500,
        message: format!("{e:#}"),
        version: None,
        champs: Vec::new(),
    })?;
    timings.mark("écriture et version gardée");
    let version = store::version_of(new);
    editor.announce_version(&version);
    let answer = after_write(editor, version, new, since);
    timings.mark("attente de la relecture du rendu");
    answer
}

/// The answer to a change: the new version, with the findings and completeness of the render
/// loop's reading of it (begun after `since`, before the write), or of a reading of our own when
/// that does not come (the same file written twice, another change in between).
fn after_write(editor: &Editor, version: String, text: &[u8], since: Instant) -> Answer {
    let assessed = editor.read_since(since, &version).unwrap_or_else(|| {
        let values = raw_values(&String::from_utf8_lossy(text));
        assess(editor, &values)
    });
    Ok(json!({ "version": version, "constats": assessed.constats, "plan": assessed.plan }))
}

#[derive(Deserialize)]
struct RowsChange {
    version: String,
    chemin: String,
    lignes: Vec<Value>,
}

/// `POST /api/lignes`.
pub fn lignes(editor: &Editor, request: &Request) -> Reply {
    reply(body::<RowsChange>(request).and_then(|c| change_rows(editor, &c)))
}

fn change_rows(editor: &Editor, change: &RowsChange) -> Answer {
    let Some(row) = validate::row_schema(&change.chemin) else {
        return Err(unprocessable(format!(
            "« {} » n'est pas un tableau du dossier",
            change.chemin
        )));
    };
    if !change.lignes.iter().all(Value::is_object) {
        return Err(unprocessable("chaque ligne doit être un tableau de clés"));
    }
    let _writing = editor.writing.lock().unwrap_or_else(|e| e.into_inner());
    let old = current(editor, &change.version)?;
    let text = text_of(&old)?;
    let files = validate::table_files(&editor.dossier, text);
    let Some(file) = files.into_iter().find(|f| f.field == change.chemin) else {
        let new = edited(text, &[(change.chemin.clone(), Value::Array(change.lignes.clone()))])?;
        return write(editor, &old, new.as_bytes(), &change.chemin, &mut Timings::start());
    };
    if file.workbook {
        return Err(unprocessable(format!(
            "ce tableau est tenu dans un classeur : modifiez la feuille « {} » du classeur {} dans le tableur, puis enregistrez-le",
            file.sheet.as_deref().unwrap_or("(la seule)"),
            file.file
        )));
    }
    // The rows are checked against the model as if they were written in the dossier.
    let check = edited(text, &[(change.chemin.clone(), Value::Array(change.lignes.clone()))]);
    check?;
    let table = file.table.ok_or_else(|| {
        unprocessable(format!("le fichier {} ne se lit pas : corrigez-le d'abord", file.file))
    })?;
    let bytes = super::csv::rewrite(&table.bytes, &row, &change.lignes);
    let since = Instant::now();
    // The file's previous content is kept as a version, restorable like the dossier's.
    store::write_file(&editor.dossier, &table.path, &table.bytes, &bytes, &change.chemin).map_err(
        |e| Refused { status: 500, message: format!("{e:#}"), version: None, champs: Vec::new() },
    )?;
    tables_written(editor, &old, since)
}

/// The answer to a write into a table file: the dossier's version (unchanged) and findings,
/// with the new version of the tables, announced to other pages.
fn tables_written(editor: &Editor, dossier: &[u8], since: Instant) -> Answer {
    let tables = tables_version(&editor.dossier, &String::from_utf8_lossy(dossier));
    editor.announce_tables(&store::version_of(dossier), &tables);
    let mut answer = after_write(editor, store::version_of(dossier), dossier, since)?;
    answer["version_tableaux"] = tables.into();
    Ok(answer)
}

#[derive(Deserialize)]
struct Paste {
    chemin: String,
    texte: String,
    /// The columns in the order the grid shows them, for a block without a header.
    colonnes: Option<Vec<String>>,
}

/// `POST /api/coller`.
pub fn coller(_: &Editor, request: &Request) -> Reply {
    reply(body::<Paste>(request).and_then(|p| paste(&p)))
}

/// A block copied from a spreadsheet (tab-separated) as rows of the table at `chemin`: a first
/// row naming columns (by the header rules of table files) is a header; otherwise the cells
/// go to the table's columns in order. Each cell is typed as the column wants; what cannot be
/// is a finding, its row kept without it.
fn paste(paste: &Paste) -> Answer {
    let Some(row) = validate::row_schema(&paste.chemin) else {
        return Err(unprocessable(format!("« {} » n'est pas un tableau du dossier", paste.chemin)));
    };
    let columns = validate::columns(&row);
    let order = ordered_keys(&row);
    let text = paste.texte.trim_end_matches(['\r', '\n']);
    let grid = validate::delimited_rows(text, '\t')
        .ok_or_else(|| unprocessable("guillemet jamais refermé dans le bloc collé"))?;
    let grid: Vec<Vec<String>> =
        grid.into_iter().filter(|r| r.iter().any(|c| !c.trim().is_empty())).collect();
    let mut constats = Vec::new();
    let Some(first) = grid.first() else { return Ok(json!({ "lignes": [], "constats": [] })) };
    let headers = validate::match_headers(first, &columns);
    let named = headers.iter().filter(|h| matches!(h, Header::Column(_))).count();
    let filled = first.iter().filter(|c| !c.trim().is_empty()).count();
    let is_header = named > 0 && named * 2 >= filled;
    let (keys, data): (Vec<Option<&str>>, &[Vec<String>]) = if is_header {
        let keys = headers
            .iter()
            .zip(first)
            .map(|(h, title)| match h {
                Header::Column(i) => Some(columns[*i].key.as_str()),
                Header::Empty => None,
                other => {
                    let hint = match other {
                        Header::Unknown { closest: Some(i) } => {
                            Some(format!("vouliez-vous dire « {} » ?", columns[*i].key))
                        }
                        Header::Duplicate(i) => {
                            Some(format!("« {} » est déjà une colonne", columns[*i].key))
                        }
                        _ => None,
                    };
                    constats.push(json!({
                        "niveau": "avertissement",
                        "chemin": paste.chemin,
                        "message": format!("colonne « {title} » non reconnue : laissée de côté"),
                        "aide": hint,
                        "lieu": "ligne 1",
                    }));
                    None
                }
            })
            .collect();
        (keys, &grid[1..])
    } else {
        let keys: Vec<Option<&str>> = match &paste.colonnes {
            Some(given) => given
                .iter()
                .map(|k| columns.iter().find(|c| &c.key == k).map(|c| c.key.as_str()))
                .collect(),
            None => order.iter().map(|k| Some(k.as_str())).collect(),
        };
        (keys, &grid[..])
    };
    let first_data_line = if is_header { 2 } else { 1 };
    // A « Total » row is checked against the rows above and never counted, as in table files.
    let (totals, wrong) =
        validate::pasted_totals(&paste.chemin, data, &keys, first_data_line, &row);
    if let Some(finding) = wrong.first() {
        let hint = finding.hint.as_deref().map(|h| format!(" ({h})")).unwrap_or_default();
        return Err(unprocessable(format!(
            "bloc refusé, la ligne de total ne correspond pas : {}{hint}",
            finding.message
        )));
    }
    let data = &data[..data.len() - totals];
    let mut lignes = Vec::new();
    for (n, cells) in data.iter().enumerate() {
        let index = lignes.len();
        let mut entry = Map::new();
        for (c, cell) in cells.iter().enumerate() {
            let Some(Some(key)) = keys.get(c) else { continue };
            if cell.trim().is_empty() {
                continue;
            }
            match validate::typed_cell(cell, key, &row) {
                Ok(value) => {
                    entry.insert(key.to_string(), value);
                }
                Err(message) => constats.push(json!({
                    "niveau": "erreur",
                    "chemin": format!("{}[{index}].{key}", paste.chemin),
                    "message": message,
                    "aide": null,
                    "lieu": format!("ligne {}, colonne {}", n + first_data_line, validate::column_letter(c)),
                })),
            }
        }
        lignes.push(Value::Object(entry));
    }
    if !is_header {
        // A first row refused cell by cell is most often a header the rules did not recognise
        // (« Secteur », « Emplois »): say what the grid calls its columns, which are accepted.
        let titles: Vec<String> = columns_of(&row)
            .iter()
            .filter_map(|c| c["titre"].as_str())
            .map(|t| format!("« {t} »"))
            .collect();
        let first_row =
            |c: &&mut Value| c["lieu"].as_str().is_some_and(|l| l.starts_with("ligne 1,"));
        for finding in constats.iter_mut().filter(first_row) {
            finding["aide"] = format!(
                "si la ligne 1 est une ligne d'en-têtes, retirez-la du bloc ou nommez ses colonnes comme la grille : {}",
                titles.join(", ")
            )
            .into();
        }
    }
    let mut answer = json!({ "lignes": lignes, "constats": constats });
    if totals > 0 {
        answer["message"] = format!(
            "{} vérifiée{} et retirée{} : un total n'est pas une ligne du tableau",
            crate::fr::count(totals, "ligne de total", "lignes de total"),
            if totals > 1 { "s" } else { "" },
            if totals > 1 { "s" } else { "" },
        )
        .into();
    }
    Ok(answer)
}

#[derive(Deserialize)]
struct Upload {
    version: String,
    chemin: String,
    nom: String,
    contenu: String,
    description: Option<String>,
}

/// `POST /api/fichier`.
pub fn fichier(editor: &Editor, request: &Request) -> Reply {
    reply(body::<Upload>(request).and_then(|u| upload(editor, &u)))
}

/// Whether a field names a file of the dossier (what an upload may set).
fn is_file_field(path: &str) -> bool {
    let annex = path
        .strip_prefix("annexes[")
        .and_then(|rest| rest.strip_suffix("].fichier"))
        .is_some_and(|n| n.parse::<usize>().is_ok());
    annex
        || ["apparence.logo", "apparence.image_couverture", "implantation.equite.contour"]
            .contains(&path)
}

fn upload(editor: &Editor, upload: &Upload) -> Answer {
    use base64::Engine as _;
    if !is_file_field(&upload.chemin) {
        return Err(unprocessable(format!(
            "« {} » ne désigne pas un fichier du dossier",
            upload.chemin
        )));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(upload.contenu.trim())
        .map_err(|_| unprocessable("contenu illisible (base64 attendu)"))?;
    if bytes.len() as u64 > crate::fsutil::MAX_FILE_SIZE {
        return Err(Refused {
            status: 413,
            message: "fichier trop grand : 64 Mo au plus".into(),
            version: None,
            champs: Vec::new(),
        });
    }
    let name = super::files::sanitized(&upload.nom)
        .ok_or_else(|| unprocessable(format!("nom de fichier refusé « {} »", upload.nom)))?;
    let _writing = editor.writing.lock().unwrap_or_else(|e| e.into_inner());
    let old = current(editor, &upload.version)?;
    let text = text_of(&old)?;
    let folder = crate::fsutil::folder_of(&editor.dossier);
    let placed = super::files::place(folder, &name, &bytes).map_err(|e| Refused {
        status: 500,
        message: format!("{e:#}"),
        version: None,
        champs: Vec::new(),
    })?;
    let mut changes = vec![(upload.chemin.clone(), Value::from(placed.name.clone()))];
    if let (Some(description), Some((entry, _))) =
        (&upload.description, upload.chemin.rsplit_once('.'))
    {
        changes.push((format!("{entry}.description"), Value::from(description.clone())));
    }
    let checked = edited(text, &changes).and_then(|new| {
        // The file is judged as the loader judges it (kind, content, size), at its field.
        let problems = match validate::validate(&editor.dossier, &new) {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .errors
                .into_iter()
                .filter(|e| e.severity == crate::diag::Severity::Error)
                .filter(|e| e.field.as_deref().is_some_and(|f| under(f, &upload.chemin)))
                .map(|e| e.message)
                .collect(),
        };
        match problems.is_empty() {
            true => Ok(new),
            false => Err(unprocessable(format!("fichier refusé : {}", problems.join(" ; ")))),
        }
    });
    let new = match checked {
        Ok(new) => new,
        Err(refused) => {
            if placed.created {
                let _ = std::fs::remove_file(folder.join(&placed.name));
            }
            return Err(refused);
        }
    };
    let mut answer = write(editor, &old, new.as_bytes(), &upload.chemin, &mut Timings::start())?;
    answer["fichier"] = placed.name.into();
    Ok(answer)
}

#[derive(Deserialize)]
struct MarkdownText {
    texte: String,
}

/// `POST /api/markdown`: the HTML preview of a text written in Markdown (writes nothing).
pub fn markdown(_: &Editor, request: &Request) -> Reply {
    reply(
        body::<MarkdownText>(request)
            .map(|t| json!({ "html": super::markdown::to_html(&t.texte) })),
    )
}

#[derive(Deserialize)]
struct Restore {
    version: String,
    id: String,
}

/// `POST /api/restaurer`.
pub fn restaurer(editor: &Editor, request: &Request) -> Reply {
    reply(body::<Restore>(request).and_then(|r| restore(editor, &r)))
}

fn restore(editor: &Editor, restore: &Restore) -> Answer {
    let _writing = editor.writing.lock().unwrap_or_else(|e| e.into_inner());
    let old = current(editor, &restore.version)?;
    if let Some(kept) = store::kept(&editor.dossier, &editor.dossier, &restore.id) {
        return write(editor, &old, &kept, "restauration", &mut Timings::start());
    }
    // A version of a table's CSV file: written back there (its current content kept first).
    for file in csv_files(editor) {
        let Some(kept) = store::kept(&editor.dossier, &file, &restore.id) else { continue };
        let current = std::fs::read(&file).unwrap_or_default();
        let since = Instant::now();
        store::write_file(&editor.dossier, &file, &current, &kept, "restauration").map_err(
            |e| Refused {
                status: 500,
                message: format!("{e:#}"),
                version: None,
                champs: Vec::new(),
            },
        )?;
        return tables_written(editor, &old, since);
    }
    Err(Refused {
        status: 404,
        message: format!("version « {} » introuvable", restore.id),
        version: None,
        champs: Vec::new(),
    })
}
