//! Structural checks of the TOML document against the dossier's JSON Schema (derived from the
//! model): unknown keys, wrong types, missing fields, unknown values — all of them in one pass,
//! each located in the source.
//!
//! Written by hand rather than with a JSON-Schema validator crate because the findings must point
//! at the TOML source, whose spans only the TOML parser knows; the schema subset to support is
//! the one schemars produces for our types (objects, arrays, scalars, `$ref`, `anyOf`/`oneOf`
//! of constants).

use serde_json::Value;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::Finding;
use crate::diag::suggestion;
use crate::model::Date;
use crate::model::vocab::same;

/// A tabular section given as a CSV file: `liste = { fichier = "partenaires.csv" }`.
#[derive(Debug, Clone)]
pub struct CsvRef {
    /// Dotted path of the section ("fonctionnement.partenaires.liste").
    pub field: String,
    /// The file name, relative to the dossier.
    pub file: String,
    /// Span of the file name in the dossier.
    pub span: std::ops::Range<usize>,
    /// The sheet of a workbook (`feuille = "Charges"`), and the span of its name.
    pub sheet: Option<(String, std::ops::Range<usize>)>,
    /// Schema of one row.
    pub row: Value,
}

/// Walks the document and returns every structural problem, and the sections given as CSV.
pub fn check(root: &Spanned<DeTable>, schema: &Value) -> (Vec<Finding>, Vec<CsvRef>) {
    let mut walker = Walker { defs: &schema["$defs"], findings: Vec::new(), csv: Vec::new() };
    walker.table(root.get_ref(), root.span(), schema, "");
    (walker.findings, walker.csv)
}

/// Follows `$ref` and picks the non-null alternative of `anyOf` (how schemars writes
/// `Option<T>`).
pub fn resolve<'s>(defs: &'s Value, schema: &'s Value) -> &'s Value {
    if let Some(name) = schema.get("$ref").and_then(Value::as_str) {
        let name = name.trim_start_matches("#/$defs/");
        return resolve(defs, &defs[name]);
    }
    if let Some(options) = schema.get("anyOf").and_then(Value::as_array)
        && let Some(first) = options.iter().find(|o| o.get("type") != Some(&Value::from("null")))
    {
        return resolve(defs, first);
    }
    schema
}

/// The main type of a schema node: its `type`, or the first non-null one of a list
/// (`["number", "null"]` is how schemars writes an optional number).
pub fn primary_type(schema: &Value) -> &str {
    match schema.get("type") {
        Some(Value::String(t)) => t,
        Some(Value::Array(ts)) => {
            ts.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("null")
        }
        _ => "",
    }
}

/// The allowed values of an enumeration node, one spelling each — the keys of a vocabulary,
/// without its labels (empty for other nodes).
pub fn allowed_values(schema: &Value) -> Vec<String> {
    let mut values = constants(schema).unwrap_or_default();
    // A vocabulary lists its keys first, one per label (model/vocab.rs).
    if let Some(labels) = labels(schema) {
        values.truncate(labels.len());
    }
    values
}

/// The labels of a vocabulary, in order, as the PDF prints them (« Site principal »).
pub fn labels(schema: &Value) -> Option<Vec<String>> {
    let labels = schema.get("x-labels").and_then(Value::as_array)?;
    Some(labels.iter().filter_map(Value::as_str).map(str::to_string).collect())
}

/// Every accepted spelling of an enumeration node (`enum`, or `oneOf` of constants): the keys
/// and, for a vocabulary, its labels.
pub fn constants(schema: &Value) -> Option<Vec<String>> {
    Some(values_of(options_of(schema)?))
}

/// The options of an enumeration node (`oneOf` of constants, or `enum`).
fn options_of(schema: &Value) -> Option<&Vec<Value>> {
    schema.get("oneOf").or_else(|| schema.get("enum")).and_then(Value::as_array)
}

/// The allowed values, one spelling each (a key and a label that reads the same are one).
fn values_of(options: &[Value]) -> Vec<String> {
    // Each spelling folded once (the check runs for every value of every read).
    let mut folded = std::collections::HashSet::new();
    options
        .iter()
        .filter_map(|o| o.get("const").and_then(Value::as_str).or_else(|| o.as_str()))
        .filter(|value| folded.insert(crate::model::vocab::words(value)))
        .map(str::to_string)
        .collect()
}

/// Whether a schema node is an enumeration (what [`constants`] lists), without listing it.
fn is_enumeration(schema: &Value) -> bool {
    options_of(schema).is_some()
}

/// What is wrong with a scalar that has the right type: a date that does not exist, a number
/// that is not finite (`nan`, `inf`), an integer out of range.
fn scalar_problem(value: &DeValue, schema: &Value) -> Option<(String, String)> {
    let is_date = schema.get("format") == Some(&Value::from("date"));
    let value_or_na = schema.get("format") == Some(&Value::from(crate::model::VALUE_OR_NA));
    let slot = schema.get("format") == Some(&Value::from(crate::model::TIME_SLOT));
    match value {
        DeValue::Integer(i) if integer(i.as_str()).is_none() => Some((
            format!("nombre trop grand : {}", i.as_str()),
            "un nombre entier va au plus jusqu'à 9 223 372 036 854 775 807".into(),
        )),
        DeValue::Float(f)
            if f.as_str().replace('_', "").parse::<f64>().is_ok_and(|n| n.is_infinite())
                && f.as_str().trim_start_matches(['+', '-']).starts_with(char::is_numeric) =>
        {
            Some((
                format!("nombre trop grand : {}", f.as_str()),
                "écrivez la valeur en chiffres, sans exposant démesuré".into(),
            ))
        }
        DeValue::String(s) if slot && crate::model::parse_slot(s).is_none() => Some((
            format!("plage horaire invalide « {s} »"),
            "format attendu HH:MM-HH:MM, début avant fin, par exemple \"09:30-12:30\"".into(),
        )),
        DeValue::String(s) if value_or_na && !crate::model::Valeur::is_not_available(s) => Some((
            format!("valeur non reconnue « {s} »"),
            "un nombre sans guillemets, ou \"nd\" si la valeur n'est pas disponible".into(),
        )),
        DeValue::String(s) if is_date => Date::parse(s).err().map(|e| (e, date_hint(s))),
        DeValue::Datetime(d) if is_date => {
            let text = d.to_string();
            let problem = if d.time.is_some() || d.offset.is_some() {
                Some(format!("date attendue (AAAA-MM-JJ), trouvé « {text} »"))
            } else {
                Date::parse(&text).err()
            };
            problem.map(|e| (e, date_hint(&text)))
        }
        DeValue::Float(f)
            if !f.as_str().trim_start_matches(['+', '-']).starts_with(char::is_numeric) =>
        {
            Some((
                format!("nombre invalide « {} »", f.as_str()),
                "écrivez un nombre fini ; si la valeur n'est pas connue, retirez la clé".into(),
            ))
        }
        DeValue::Integer(i) => {
            let n = i.as_str().replace('_', "").parse::<i64>().ok();
            let (min, max) = match schema.get("format").and_then(Value::as_str) {
                Some("int32") => (i64::from(i32::MIN), i64::from(i32::MAX)),
                Some("uint8") => (0, 255),
                _ => return None,
            };
            n.is_some_and(|n| !(min..=max).contains(&n)).then(|| {
                (
                    format!("nombre hors limites : {}", i.as_str()),
                    format!("attendu entre {min} et {max}"),
                )
            })
        }
        _ => None,
    }
}

/// The value of a TOML integer as written (`1_000`, `-7`, `0xff`), `None` beyond 64 bits.
fn integer(text: &str) -> Option<i64> {
    let text = text.replace('_', "");
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.trim_start_matches('+')),
    };
    let (radix, digits) = match digits.get(..2) {
        Some("0x") => (16, &digits[2..]),
        Some("0o") => (8, &digits[2..]),
        Some("0b") => (2, &digits[2..]),
        _ => (10, digits),
    };
    let signed = if negative { format!("-{digits}") } else { digits.to_string() };
    i64::from_str_radix(&signed, radix).ok()
}

/// How to write `text` as a date: the same date in TOML's order when it was written the French
/// way (`15/12/2026` → `2026-12-15`).
fn date_hint(text: &str) -> String {
    match Date::from_french(text) {
        Some(date) => {
            format!("en TOML, une date s'écrit année-mois-jour : écrivez {}", String::from(date))
        }
        None => "écrivez une date qui existe, au format AAAA-MM-JJ (par exemple 2026-11-24)".into(),
    }
}

struct Walker<'s> {
    defs: &'s Value,
    findings: Vec<Finding>,
    csv: Vec<CsvRef>,
}

impl<'s> Walker<'s> {
    fn resolve(&self, schema: &'s Value) -> &'s Value {
        resolve(self.defs, schema)
    }

    /// Records `value` as a CSV reference if the schema wants a list of tables and the value
    /// is a table holding only `fichier`.
    fn csv_reference(&mut self, value: &DeValue, schema: &'s Value, field: &str) -> bool {
        let row = self.resolve(schema.get("items").unwrap_or(&Value::Null));
        let (DeValue::Table(table), Some(_)) = (value, row.get("properties")) else {
            return false;
        };
        let entry = |wanted: &str| {
            table.iter().find(|(k, _)| k.get_ref().as_ref() == wanted).map(|(_, v)| v)
        };
        let known = table.keys().all(|k| matches!(k.get_ref().as_ref(), "fichier" | "feuille"));
        let (Some(file), true) = (entry("fichier"), known) else { return false };
        let DeValue::String(name) = file.get_ref() else { return false };
        let sheet = match entry("feuille").map(|s| (s.get_ref(), s.span())) {
            None => None,
            Some((DeValue::String(sheet), span)) => Some((sheet.to_string(), span)),
            Some(_) => return false,
        };
        self.csv.push(CsvRef {
            field: field.to_string(),
            file: name.to_string(),
            span: file.span(),
            sheet,
            row: row.clone(),
        });
        true
    }

    fn push(
        &mut self,
        span: std::ops::Range<usize>,
        field: &str,
        message: String,
        hint: Option<String>,
    ) {
        self.findings.push(Finding::error(field, message, hint).at(span));
    }

    fn table(
        &mut self,
        table: &DeTable,
        span: std::ops::Range<usize>,
        schema: &'s Value,
        path: &str,
    ) {
        let schema = self.resolve(schema);
        let properties = schema.get("properties").and_then(Value::as_object);
        let known: Vec<String> =
            properties.map(|p| p.keys().cloned().collect()).unwrap_or_default();
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            let field = join(path, name);
            match properties.and_then(|p| p.get(name)) {
                Some(sub) => self.value(value.get_ref(), value.span(), sub, &field),
                None => {
                    let hint = suggestion(name, &known)
                        .map(|s| format!("vouliez-vous dire `{s}` ?"))
                        .or_else(|| {
                            (!known.is_empty())
                                .then(|| format!("clés possibles ici : {}", known.join(", ")))
                        });
                    self.push(key.span(), &field, format!("clé inconnue `{name}`"), hint);
                }
            }
        }
        for required in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            let Some(name) = required.as_str() else { continue };
            if !table.keys().any(|k| k.get_ref().as_ref() == name) {
                let where_ = if path.is_empty() {
                    "au début du fichier".to_string()
                } else {
                    format!("dans [{path}]")
                };
                self.push(
                    span.start..span.start,
                    &join(path, name),
                    format!("champ obligatoire manquant : `{name}`"),
                    Some(format!("ajoutez `{name} = …` {where_}")),
                );
            }
        }
    }

    fn value(
        &mut self,
        value: &DeValue,
        span: std::ops::Range<usize>,
        schema: &'s Value,
        field: &str,
    ) {
        // A list may be given as a CSV file only where the schema says so (not annexes).
        let csv_allowed = schema
            .get("anyOf")
            .and_then(Value::as_array)
            .is_some_and(|o| o.iter().any(|a| a["$ref"] == "#/$defs/FichierCsv"));
        let schema = self.resolve(schema);
        if is_enumeration(schema) {
            return self.constant(value, span, schema, field);
        }
        let types: Vec<&str> = match schema.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => return,
        };
        if types.contains(&"array") && csv_allowed && self.csv_reference(value, schema, field) {
            return;
        }
        let found = kind(value);
        let accepted = types.iter().any(|t| match (*t, value) {
            ("string", DeValue::String(_)) => true,
            // A TOML date is how users naturally write our `Date` strings.
            ("string", DeValue::Datetime(_)) => schema.get("format") == Some(&Value::from("date")),
            ("number", DeValue::Integer(_) | DeValue::Float(_)) => true,
            ("integer", DeValue::Integer(_)) => true,
            ("boolean", DeValue::Boolean(_)) => true,
            ("array", DeValue::Array(_)) => true,
            ("object", DeValue::Table(_)) => true,
            _ => false,
        });
        if !accepted {
            let expected = types
                .iter()
                .filter(|t| **t != "null")
                .map(|t| expected(t, schema))
                .collect::<Vec<_>>()
                .join(" ou ");
            let message = format!("type invalide : {found}, attendu {expected}");
            return self.push(span, field, message, type_hint(value, &types));
        }
        if let Some((message, hint)) = scalar_problem(value, schema) {
            return self.push(span, field, message, Some(hint));
        }
        match value {
            DeValue::Table(table) => self.table(table, span, schema, field),
            DeValue::Array(items) => {
                let item_schema = schema.get("items").unwrap_or(&Value::Null);
                for (i, item) in items.iter().enumerate() {
                    self.value(item.get_ref(), item.span(), item_schema, &format!("{field}[{i}]"));
                }
            }
            _ => {}
        }
    }

    fn constant(
        &mut self,
        value: &DeValue,
        span: std::ops::Range<usize>,
        schema: &Value,
        field: &str,
    ) {
        let spellings = constants(schema).unwrap_or_default();
        match value {
            // Case, accents and punctuation do not matter, and a label names its value: the
            // model reads « Numéraire » as `numeraire` and « Site principal » as `principal`.
            DeValue::String(s) if spellings.iter().any(|a| same(a, s)) => {}
            DeValue::String(s) => {
                let allowed = allowed_values(schema);
                let hint = suggestion(s, &spellings)
                    .map(|a| format!("vouliez-vous dire `{a}` ?"))
                    .unwrap_or_else(|| format!("valeurs possibles : {}", allowed.join(", ")));
                self.push(span, field, format!("valeur non reconnue `{s}`"), Some(hint));
            }
            other => {
                let allowed = allowed_values(schema);
                let message = format!(
                    "type invalide : {}, attendu un texte parmi {}",
                    kind(other),
                    allowed.join(", ")
                );
                self.push(span, field, message, None);
            }
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

fn kind(value: &DeValue) -> String {
    match value {
        DeValue::String(s) => format!("texte « {} »", s.chars().take(40).collect::<String>()),
        DeValue::Integer(i) => format!("nombre entier {}", i.as_str()),
        DeValue::Float(f) => format!("nombre décimal {}", f.as_str()),
        DeValue::Boolean(b) => format!("booléen {b}"),
        DeValue::Datetime(d) => format!("date {d}"),
        DeValue::Array(_) => "liste".to_string(),
        DeValue::Table(_) => "table".to_string(),
    }
}

fn expected(t: &str, schema: &Value) -> &'static str {
    match t {
        "string" if schema.get("format") == Some(&Value::from("date")) => "une date (AAAA-MM-JJ)",
        "string" => "un texte entre guillemets",
        "number" => "un nombre (sans guillemets, point décimal : 1234.5)",
        "integer" => "un nombre entier (sans guillemets)",
        "boolean" => "true ou false",
        "array" => "une liste [ … ]",
        "object" => "une table",
        _ => "une autre valeur",
    }
}

fn type_hint(value: &DeValue, types: &[&str]) -> Option<String> {
    match value {
        DeValue::String(s) if types.contains(&"number") || types.contains(&"integer") => {
            let cleaned: String =
                s.chars().filter(|c| !c.is_whitespace() && *c != '€' && *c != '%').collect();
            let cleaned = cleaned.replace(',', ".");
            cleaned
                .parse::<f64>()
                .is_ok()
                .then(|| format!("écrivez le nombre sans guillemets ni unité : {cleaned}"))
                .or_else(|| {
                    Some(
                        "un montant ou une valeur s'écrit en chiffres, sans guillemets".to_string(),
                    )
                })
        }
        DeValue::Table(_) if types.contains(&"array") => Some(
            "pour une liste de tables, écrivez [[…]] (double crochet) à chaque élément, \
             ou donnez un fichier CSV : { fichier = \"tableau.csv\" }"
                .to_string(),
        ),
        _ => None,
    }
}
