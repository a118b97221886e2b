//! Tabular sections given as CSV files (`liste = { fichier = "partenaires.csv" }`), as French
//! spreadsheets export them: UTF-8 (with or without BOM), `;` or `,` separated, decimal comma
//! accepted. The first line names the columns, which are the keys of one row of the section.
//! Every cell is typed against the schema of the section, and problems are located in the CSV.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use super::Finding;
use super::structure::{CsvRef, constants, primary_type, resolve};
use crate::diag::suggestion;
use crate::model::Date;
use crate::model::vocab::fold;

/// A section read from a CSV file, kept to locate later findings in the file.
#[derive(Debug, Clone)]
pub struct CsvTable {
    /// Dotted path of the section.
    pub field: String,
    /// Name as written in the dossier (relative to its folder).
    pub name: String,
    /// Path of the file.
    pub path: PathBuf,
    /// Its text (without the byte order mark spreadsheets write first).
    pub text: Arc<str>,
    /// Whether the file began with a UTF-8 byte order mark: kept so that the file attached to
    /// the PDF is the user's, byte for byte ([`CsvTable::bytes`]).
    pub bom: bool,
    /// Span of each data row, and of its cells by column name.
    rows: RowSpans,
}

impl CsvTable {
    /// The file's bytes as read: its text, after the byte order mark when it had one.
    pub fn bytes(&self) -> Vec<u8> {
        let bom: &[u8] = if self.bom { "\u{feff}".as_bytes() } else { b"" };
        [bom, self.text.as_bytes()].concat()
    }

    /// Where a field path inside the section ("…liste[3].nom") is in the file.
    pub fn locate(&self, field: &str) -> Option<Range<usize>> {
        let rest = field.strip_prefix(&self.field)?.strip_prefix('[')?;
        let (index, rest) = rest.split_once(']')?;
        let (span, cells) = self.rows.get(index.parse::<usize>().ok()?)?;
        let column = rest.trim_start_matches('.').split(['.', '[']).next().unwrap_or("");
        let cell = cells.iter().find(|(name, _)| name == column).map(|(_, s)| s.clone());
        Some(cell.unwrap_or_else(|| span.clone()))
    }
}

/// A section read from a CSV file: the table, its rows without errors, and the problems of the
/// others (a row with an error is left out, so that the rest of the dossier can still be
/// checked in the same pass).
pub struct Loaded {
    /// The table.
    pub table: CsvTable,
    /// The rows that converted, as the section expects them.
    pub rows: toml::Value,
    /// Problems found in the file.
    pub findings: Vec<Finding>,
}

/// Reads the CSV file of a section and converts it to the rows the section expects. `Err`
/// when the file itself cannot be read (nothing of it is usable).
pub fn load(reference: &CsvRef, base: &Path, defs: &Value) -> Result<Loaded, Vec<Finding>> {
    let toml_error = |message: String, hint: Option<String>| {
        vec![Finding::error(&reference.field, message, hint).at(reference.span.clone())]
    };
    let path = crate::fsutil::resolve_inside(base, &reference.file)
        .map_err(|e| toml_error(format!("{e:#}"), None))?;
    let bytes =
        crate::fsutil::read_regular(&path).map_err(|e| toml_error(format!("{e:#}"), None))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        toml_error(
            format!("{} n'est pas encodé en UTF-8", path.display()),
            Some("dans le tableur, enregistrez au format « CSV UTF-8 »".into()),
        )
    })?;
    let bom = text.starts_with('\u{feff}');
    let text: Arc<str> = text.strip_prefix('\u{feff}').unwrap_or(&text).into();
    let mut table = CsvTable {
        field: reference.field.clone(),
        name: reference.file.clone(),
        path: path.clone(),
        text: Arc::clone(&text),
        bom,
        rows: Vec::new(),
    };
    let reader = Reader { table: &table, defs, row: &reference.row };
    let (rows, spans, findings) = reader.read()?;
    table.rows = spans;
    Ok(Loaded { table, rows: toml::Value::Array(rows), findings })
}

type RowSpans = Vec<(Range<usize>, Vec<(String, Range<usize>)>)>;

struct Reader<'a> {
    table: &'a CsvTable,
    defs: &'a Value,
    row: &'a Value,
}

impl Reader<'_> {
    fn error(
        &self,
        span: Range<usize>,
        field: &str,
        message: String,
        hint: Option<String>,
    ) -> Finding {
        Finding::error(field, message, hint).in_file(&self.table.path, &self.table.text, span)
    }

    fn read(&self) -> Result<(Vec<toml::Value>, RowSpans, Vec<Finding>), Vec<Finding>> {
        let text = &*self.table.text;
        let delimiter = delimiter(text.lines().next().unwrap_or(""));
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut records = Vec::new();
        for record in reader.records() {
            match record {
                Ok(r) => records.push(r),
                Err(e) => {
                    let start = e.position().map_or(0, |p| p.byte() as usize);
                    let line = e.position().map_or(0, |p| p.line());
                    let message = format!("ligne {line} illisible dans le fichier CSV : {e}");
                    return Err(vec![self.error(start..start, &self.table.field, message, None)]);
                }
            }
        }
        let Some((header, data)) = records.split_first() else {
            let message = format!("le fichier {} est vide", self.table.path.display());
            let hint = Some("la première ligne doit nommer les colonnes".to_string());
            return Err(vec![self.error(0..0, &self.table.field, message, hint)]);
        };
        let columns = self.columns(header, delimiter)?;
        let mut rows = Vec::new();
        let mut spans = Vec::new();
        let mut findings = Vec::new();
        for record in data {
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let cells = cell_spans(text, record, delimiter);
            let field = format!("{}[{}]", self.table.field, rows.len());
            let before = findings.len();
            let row = self.convert_row(&columns, record, &cells, &field, &mut findings);
            if findings.len() == before {
                spans.push((line_span(text, record), named(&columns, &cells)));
                rows.push(toml::Value::Table(row));
            }
        }
        Ok((rows, spans, findings))
    }

    /// The header: each column must be a key of the section's rows, once.
    fn columns(
        &self,
        header: &csv::StringRecord,
        delimiter: u8,
    ) -> Result<Vec<String>, Vec<Finding>> {
        let properties = self.row.get("properties").and_then(Value::as_object);
        let known: Vec<String> =
            properties.map(|p| p.keys().cloned().collect()).unwrap_or_default();
        let spans = cell_spans(&self.table.text, header, delimiter);
        let mut findings = Vec::new();
        let mut columns: Vec<String> = Vec::new();
        for (i, name) in header.iter().enumerate() {
            let name = name.trim().to_string();
            let span = spans.get(i).cloned().unwrap_or(0..0);
            if !known.contains(&name) {
                let hint = suggestion(&name, &known)
                    .map(|s| format!("vouliez-vous dire `{s}` ?"))
                    .or_else(|| Some(format!("colonnes possibles : {}", known.join(", "))));
                let message = format!("colonne {} inconnue : `{name}`", i + 1);
                findings.push(self.error(span, &self.table.field, message, hint));
            } else if columns.contains(&name) {
                let message = format!("colonne {} en double : `{name}`", i + 1);
                findings.push(self.error(span, &self.table.field, message, None));
            }
            columns.push(name);
        }
        for required in self.row.get("required").and_then(Value::as_array).into_iter().flatten() {
            let Some(name) = required.as_str() else { continue };
            if !columns.iter().any(|c| c == name) {
                let message = format!("colonne obligatoire manquante : `{name}`");
                let hint = Some(format!("ajoutez une colonne `{name}` à la première ligne"));
                let span = line_span(&self.table.text, header);
                findings.push(self.error(span, &self.table.field, message, hint));
            }
        }
        if findings.is_empty() { Ok(columns) } else { Err(findings) }
    }

    fn convert_row(
        &self,
        columns: &[String],
        record: &csv::StringRecord,
        cells: &[Range<usize>],
        field: &str,
        findings: &mut Vec<Finding>,
    ) -> toml::Table {
        let mut row = toml::Table::new();
        let line = record.position().map_or(0, |p| p.line());
        let required: Vec<&str> = self
            .row
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        for (i, column) in columns.iter().enumerate() {
            let cell = record.get(i).unwrap_or("").trim();
            if cell.is_empty() {
                if required.contains(&column.as_str()) {
                    let span = cells.get(i).cloned().unwrap_or(0..0);
                    let message = format!(
                        "ligne {line}, colonne {} (`{column}`) : valeur obligatoire manquante",
                        i + 1
                    );
                    findings.push(self.error(span, &format!("{field}.{column}"), message, None));
                }
                continue;
            }
            let schema = &self.row["properties"][column];
            match convert(cell, resolve(self.defs, schema), self.defs) {
                Ok(value) => {
                    row.insert(column.clone(), value);
                }
                Err((message, hint)) => {
                    let span = cells.get(i).cloned().unwrap_or(0..0);
                    let message =
                        format!("ligne {line}, colonne {} (`{column}`) : {message}", i + 1);
                    findings.push(self.error(span, &format!("{field}.{column}"), message, hint));
                }
            }
        }
        row
    }
}

type CellError = (String, Option<String>);

/// Converts a cell to the value its column's schema wants. Every kind of column the schema
/// has (optional or not) is handled here, so that a row that converts always deserializes.
fn convert(cell: &str, schema: &Value, defs: &Value) -> Result<toml::Value, CellError> {
    if let Some(allowed) = constants(schema) {
        return match allowed.iter().find(|a| fold(a) == fold(cell)) {
            Some(a) => Ok(toml::Value::String(a.clone())),
            None => Err((
                format!("valeur non reconnue « {cell} »"),
                Some(format!("valeurs possibles : {}", allowed.join(", "))),
            )),
        };
    }
    let value_or_na = schema.get("format") == Some(&Value::from(crate::model::VALUE_OR_NA));
    if value_or_na && crate::model::Valeur::is_not_available(cell) {
        return Ok(toml::Value::String(crate::model::NOT_AVAILABLE.into()));
    }
    if schema.get("format") == Some(&Value::from(crate::model::TIME_SLOT))
        && crate::model::parse_slot(cell).is_none()
    {
        return Err((
            format!("plage horaire invalide « {cell} »"),
            Some("format attendu HH:MM-HH:MM, par exemple 09:30-12:30".into()),
        ));
    }
    match primary_type(schema) {
        "number" => number(cell).map(toml::Value::Float),
        "integer" => number(cell).and_then(|n| {
            (n.fract() == 0.0 && n.abs() <= f64::from(i32::MAX))
                .then_some(toml::Value::Integer(n as i64))
                .ok_or((format!("« {cell} » n'est pas un nombre entier"), None))
        }),
        "boolean" => match cell.to_lowercase().as_str() {
            "oui" | "vrai" | "true" | "x" | "1" => Ok(toml::Value::Boolean(true)),
            "non" | "faux" | "false" | "0" => Ok(toml::Value::Boolean(false)),
            _ => {
                Err((format!("« {cell} » n'est ni oui ni non"), Some("écrivez oui ou non".into())))
            }
        },
        "array" => {
            let items = resolve(defs, schema.get("items").unwrap_or(&Value::Null));
            let numeric = matches!(primary_type(items), "number" | "integer");
            let separators: &[char] = if numeric { &['|', ';'] } else { &['|', ';', ','] };
            cell.split(separators)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| convert(s, items, defs))
                .collect::<Result<Vec<_>, _>>()
                .map(toml::Value::Array)
        }
        "object" => Err((
            "cette colonne est une table : elle ne peut pas venir d'un fichier CSV".into(),
            Some("renseignez-la dans le fichier TOML".into()),
        )),
        _ if schema.get("format").and_then(Value::as_str) == Some("date") => {
            let iso = iso_date(cell);
            Date::parse(&iso)
                .map_err(|e| (e, Some("écrivez la date 24/11/2026 ou 2026-11-24".into())))?;
            Ok(toml::Value::String(iso))
        }
        _ => Ok(toml::Value::String(cell.to_string())),
    }
}

/// A number as French spreadsheets write it: "1 234,5", "12 %", "318 500 €".
fn number(cell: &str) -> Result<f64, CellError> {
    let cleaned: String = cell
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{202f}' | '€' | '%'))
        .collect();
    let parsed = cleaned.replace(',', ".").parse::<f64>().ok().filter(|n| n.is_finite());
    parsed.ok_or_else(|| {
        (
            format!("« {cell} » n'est pas un nombre"),
            Some("écrivez le nombre en chiffres, virgule ou point décimal : 1234,5".into()),
        )
    })
}

/// "24/11/2026" → "2026-11-24"; anything else is left for the date parser to judge.
fn iso_date(cell: &str) -> String {
    let parts: Vec<&str> = cell.split('/').collect();
    match parts.as_slice() {
        [d, m, y] if y.len() == 4 && d.len() <= 2 && m.len() <= 2 => format!("{y}-{m:0>2}-{d:0>2}"),
        _ => cell.to_string(),
    }
}

/// `;` when the header line has one (French spreadsheets), tab for tab-separated exports,
/// `,` otherwise.
fn delimiter(header: &str) -> u8 {
    if header.contains(';') {
        b';'
    } else if header.contains('\t') && !header.contains(',') {
        b'\t'
    } else {
        b','
    }
}

/// Byte span of a record's line (without its line break).
fn line_span(text: &str, record: &csv::StringRecord) -> Range<usize> {
    let start = record.position().map_or(0, |p| p.byte() as usize).min(text.len());
    let end = text[start..].find(['\n', '\r']).map_or(text.len(), |e| start + e);
    start..end
}

/// Byte spans of the cells of a record. Exact for lines without quotes; a quoted line gives
/// every cell the span of the whole line (the message still names the column).
fn cell_spans(text: &str, record: &csv::StringRecord, delimiter: u8) -> Vec<Range<usize>> {
    let line = line_span(text, record);
    let raw = &text[line.clone()];
    if raw.contains('"') {
        return vec![line; record.len()];
    }
    let mut spans = Vec::new();
    let mut start = line.start;
    for part in raw.split(delimiter as char) {
        spans.push(start..start + part.len());
        start += part.len() + 1;
    }
    spans
}

fn named(columns: &[String], cells: &[Range<usize>]) -> Vec<(String, Range<usize>)> {
    columns.iter().cloned().zip(cells.iter().cloned()).collect()
}

/// "a.b[2].c" → [("a", []), ("b", [2]), ("c", [])].
fn segments(field: &str) -> Vec<(&str, Vec<usize>)> {
    field
        .split('.')
        .map(|seg| {
            let mut parts = seg.split('[');
            let key = parts.next().unwrap_or("");
            let indices = parts.filter_map(|p| p.trim_end_matches(']').parse().ok()).collect();
            (key, indices)
        })
        .collect()
}

/// The value at a path of the parsed dossier.
fn value_at<'a>(
    root: &'a mut toml::Table,
    path: &[(&str, Vec<usize>)],
) -> Option<&'a mut toml::Value> {
    let ((first, first_indices), rest) = path.split_first()?;
    let mut value = root.get_mut(*first)?;
    for i in first_indices {
        value = value.as_array_mut()?.get_mut(*i)?;
    }
    for (key, indices) in rest {
        value = value.as_table_mut()?.get_mut(*key)?;
        for i in indices {
            value = value.as_array_mut()?.get_mut(*i)?;
        }
    }
    Some(value)
}

/// Puts the rows read from CSV files at their place in the parsed dossier.
pub fn inject(root: &mut toml::Table, field: &str, rows: toml::Value) {
    let mut path = segments(field);
    let Some((last, _)) = path.pop() else { return };
    let table = if path.is_empty() {
        Some(root)
    } else {
        value_at(root, &path).and_then(toml::Value::as_table_mut)
    };
    if let Some(table) = table {
        table.insert(last.to_string(), rows);
    }
}

/// What stands in for a list entry set aside, until [`purge`] takes them all out (removing
/// them one by one would shift the indices of the others).
const SET_ASIDE: &str = "\u{0}mis de côté";

/// Sets aside the value at `field` (a key is removed, a list entry marked for [`purge`]).
/// Returns whether there was a value there.
pub fn remove(root: &mut toml::Table, field: &str) -> bool {
    let mut path = segments(field);
    let Some((last, indices)) = path.pop() else { return false };
    if let Some(&index) = indices.last() {
        let mut to_entry = path;
        to_entry.push((last, indices[..indices.len() - 1].to_vec()));
        return match value_at(root, &to_entry).and_then(toml::Value::as_array_mut) {
            Some(list) if index < list.len() => {
                list[index] = toml::Value::String(SET_ASIDE.into());
                true
            }
            _ => false,
        };
    }
    let table = if path.is_empty() {
        Some(root)
    } else {
        value_at(root, &path).and_then(toml::Value::as_table_mut)
    };
    table.is_some_and(|t| t.remove(last).is_some())
}

/// Takes out the list entries set aside by [`remove`].
pub fn purge(value: &mut toml::Value) {
    match value {
        toml::Value::Array(items) => {
            items.retain(|v| v.as_str() != Some(SET_ASIDE));
            items.iter_mut().for_each(purge);
        }
        toml::Value::Table(table) => table.iter_mut().for_each(|(_, v)| purge(v)),
        _ => {}
    }
}
