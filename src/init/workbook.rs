//! The starter workbook `tableaux.xlsx` that `init` writes beside the dossier: one sheet per
//! table of the label, headed by the column titles the PDF prints (those the table reader
//! accepts), with one example row (marked « Exemple : » in its first cell, so that it is not
//! read as data until typed over), drop-down lists for the closed vocabularies (their labels,
//! which the reader accepts like the keys), number and date formats, widths to fit, and a note
//! on each header saying what goes there (the schema's French description). Everything comes
//! from the schema, so the workbook never drifts from what `check` accepts.

use anyhow::{Context, Result};
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, ExcelDateTime, Format, Note, Workbook,
};
use serde_json::Value;

use crate::input::validate::{EXAMPLE_MARK, allowed_values, labels, pdf_title, primary_type};
use crate::model::Date;

/// Name of the workbook, beside the dossier.
pub const FILE: &str = "tableaux.xlsx";

/// Last row a drop-down list or a column format covers (the tables are capped well below).
const LAST_ROW: u32 = 1_000;

/// The name of each table's sheet: the last words of its path, as few as tell it apart from the
/// others (« Partenaires », « Fonctionnement charges »), within the 31 characters a sheet name
/// may have.
pub fn sheet_names(paths: &[String]) -> Vec<String> {
    let words = |path: &str| -> Vec<String> {
        path.split('.').skip(1).filter(|p| *p != "liste").map(|p| p.replace('_', " ")).collect()
    };
    let name = |path: &str, count: usize| {
        let parts = words(path);
        let mut name = parts[parts.len().saturating_sub(count)..].join(" ");
        if let Some(first) = name.get(..1) {
            name = first.to_uppercase() + &name[1..];
        }
        name.chars().take(31).collect::<String>()
    };
    let mut counts = vec![1usize; paths.len()];
    loop {
        let names: Vec<String> = paths.iter().zip(&counts).map(|(p, &c)| name(p, c)).collect();
        let mut grew = false;
        for i in 0..paths.len() {
            let clash = names.iter().enumerate().any(|(j, n)| j != i && *n == names[i]);
            if clash && counts[i] < words(&paths[i]).len() {
                counts[i] += 1;
                grew = true;
            }
        }
        if !grew {
            return names;
        }
    }
}

/// One table of the workbook: its dotted path, its sheet, the schema of one row.
pub struct Sheet<'a> {
    /// Dotted path of the section ("fonctionnement.partenaires.liste").
    pub path: &'a str,
    /// Name of its sheet.
    pub name: &'a str,
    /// Schema of one row, resolved.
    pub row: &'a Value,
}

/// A value of the example row.
enum Example {
    Empty,
    Text(String),
    Number(f64),
    Date(Date),
}

/// The workbook, as bytes.
pub fn workbook(sheets: &[Sheet], defs: &Value, date: Date) -> Result<Vec<u8>> {
    let mut book = Workbook::new();
    let header = Format::new().set_bold().set_background_color("#DCE6F0").set_text_wrap();
    for sheet in sheets {
        write_sheet(&mut book, sheet, defs, date, &header)
            .with_context(|| format!("feuille « {} » du classeur {FILE}", sheet.name))?;
    }
    book.save_to_buffer().with_context(|| format!("écriture du classeur {FILE}"))
}

fn write_sheet(
    book: &mut Workbook,
    sheet: &Sheet,
    defs: &Value,
    date: Date,
    header: &Format,
) -> Result<()> {
    let ws = book.add_worksheet();
    ws.set_name(sheet.name)?;
    ws.set_freeze_panes(1, 0)?;
    for (column, (key, node)) in ordered_columns(sheet.row).into_iter().enumerate() {
        let column = u16::try_from(column)?;
        let schema = crate::input::validate::resolve_schema(defs, node);
        let items = crate::input::validate::resolve_schema(
            defs,
            schema.get("items").unwrap_or(&Value::Null),
        );
        let title = title(sheet.path, key);
        ws.write_string_with_format(0, column, &title, header)?;
        let description = node
            .get("description")
            .or_else(|| schema.get("description"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !description.is_empty() {
            let note = Note::new(description).add_author_prefix(false).set_width(260);
            ws.insert_note(0, column, &note)?;
        }
        // A closed vocabulary (or a list of its values) gets a drop-down list of its labels;
        // a yes/no column gets one of oui, non.
        let is_list = primary_type(schema) == "array";
        let vocabulary = if is_list { items } else { schema };
        let choices = match labels(vocabulary) {
            Some(labels) => Some(labels),
            None if primary_type(schema) == "boolean" => {
                Some(vec!["oui".to_string(), "non".to_string()])
            }
            None => Some(allowed_values(vocabulary)).filter(|v| !v.is_empty()),
        };
        if let Some(choices) = &choices {
            let mut validation = DataValidation::new()
                .allow_list_strings(choices)?
                .set_input_title(title.chars().take(32).collect::<String>())?
                .set_input_message(format!("Choisissez : {}", choices.join(", ")))?;
            validation = if is_list {
                // Several values go in one cell (« Services, Ressources »): the list offers
                // them without refusing a combination.
                validation.set_error_style(DataValidationErrorStyle::Information)
            } else {
                validation
                    .set_error_title("Valeur non prévue")?
                    .set_error_message(format!("Valeurs possibles : {}", choices.join(", ")))?
            };
            ws.add_data_validation(1, column, LAST_ROW, column, &validation)?;
        }
        let is_date = schema.get("format").and_then(Value::as_str) == Some("date");
        let optional = super::is_optional(node);
        let euros = description.contains("euros");
        let format = match primary_type(schema) {
            _ if is_date => Some(Format::new().set_num_format("dd/mm/yyyy")),
            "number" | "integer" if euros => Some(Format::new().set_num_format("#,##0.00 \"€\"")),
            "integer" if key == "annee" => Some(Format::new().set_num_format("0")),
            "integer" => Some(Format::new().set_num_format("#,##0")),
            _ => None,
        };
        let mut example =
            example(sheet.path, key, schema, description, choices.as_deref(), optional, date);
        if column == 0 {
            // The example row is marked in its first cell, so that it is not read as data
            // until it is typed over (`check` of a new dossier reports its tables as empty).
            let shown = match example {
                Example::Empty => String::new(),
                Example::Text(text) => text,
                // A year, a count: its digits, without grouping (« 2025 »).
                Example::Number(n) if n.fract() == 0.0 => format!("{n:.0}"),
                Example::Number(n) => crate::fr::format_auto(n, 2),
                Example::Date(day) => format!("{:02}/{:02}/{}", day.day, day.month, day.year),
            };
            example = Example::Text(format!("{EXAMPLE_MARK}{shown}"));
        }
        let plain = Format::new();
        let cell_format = format.as_ref().unwrap_or(&plain);
        let width = match &example {
            Example::Empty => 0,
            Example::Text(text) => {
                ws.write_string(1, column, text)?;
                text.chars().count()
            }
            Example::Number(n) => {
                ws.write_number_with_format(1, column, *n, cell_format)?;
                12
            }
            Example::Date(day) => {
                let year = u16::try_from(day.year)?;
                let excel = ExcelDateTime::from_ymd(year, day.month, day.day)?;
                ws.write_date_with_format(1, column, &excel, cell_format)?;
                12
            }
        };
        if let Some(format) = &format {
            ws.set_column_format(column, format)?;
        }
        let width = width.max(title.chars().count() + 2).clamp(10, 45);
        ws.set_column_width(column, width as f64 * 1.1)?;
    }
    Ok(())
}

/// The keys that name a row, the first found is put in the first column: a reader looks for
/// the name of a row there, and so does the table reader for a « Total » row. The others follow
/// in the schema's order.
const ROW_NAMES: &[&str] = &[
    "nom",
    "titre",
    "intitule",
    "designation",
    "poste",
    "partenaire",
    "action",
    "critere",
    "theme",
    "jour",
    "annee",
    "fonction",
    "domaine",
    "support",
];

/// The columns of a sheet, the one that names a row first (see [`ROW_NAMES`]).
pub fn ordered_columns(row: &Value) -> Vec<(&String, &Value)> {
    let mut columns: Vec<(&String, &Value)> =
        row.get("properties").and_then(Value::as_object).into_iter().flatten().collect();
    // By key, as the starter workbook has always laid its sheets out (the schema now lists the
    // keys in the model's order, for the editor's forms).
    columns.sort_by(|a, b| a.0.cmp(b.0));
    if let Some(name) = ROW_NAMES.iter().find_map(|n| columns.iter().position(|(k, _)| k == n)) {
        let first = columns.remove(name);
        columns.insert(0, first);
    }
    columns
}

/// The header of a column: the title the PDF prints, else the key's words
/// (« hors_partenariat » → « Hors partenariat »), both accepted by the table reader.
pub fn title(table: &str, key: &str) -> String {
    if let Some(title) = pdf_title(table, key) {
        return title.to_string();
    }
    let words = key.replace('_', " ");
    match words.get(..1) {
        Some(first) => first.to_uppercase() + &words[1..],
        None => words,
    }
}

/// The example value of a column: the example partner of `init`'s CSV files where a partner is
/// named, the first choice of a closed list, the first example the description quotes
/// (« Comité de pilotage »), else a value of the column's type.
fn example(
    table: &str,
    key: &str,
    schema: &Value,
    description: &str,
    choices: Option<&[String]>,
    optional: bool,
    date: Date,
) -> Example {
    if let Some(text) = super::example_cell(table, key) {
        return match primary_type(schema) {
            "number" | "integer" => {
                let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
                digits.replace(',', ".").parse().map_or(Example::Text(text), Example::Number)
            }
            _ => Example::Text(text),
        };
    }
    if schema.get("format").and_then(Value::as_str) == Some("date") {
        return Example::Date(date);
    }
    let items = schema.get("items").unwrap_or(&Value::Null);
    if items.get("format").and_then(Value::as_str) == Some(crate::model::TIME_SLOT) {
        return Example::Text("09:00-12:30".into());
    }
    // A list of figures (a series' values, one per period the dossier lists) stays empty: its
    // length must match text written elsewhere.
    if primary_type(schema) == "array" && items.get("$ref").is_some() && choices.is_none() {
        return Example::Empty;
    }
    match primary_type(schema) {
        "boolean" => return Example::Text("non".into()),
        "integer" if key == "annee" => return Example::Number(f64::from(date.year - 1)),
        // An optional figure (coordinates, a distance) is better left empty than made up.
        "number" | "integer" if optional => return Example::Empty,
        "number" | "integer" => return Example::Number(1.0),
        _ => {}
    }
    if let Some(first) = choices.and_then(<[String]>::first) {
        return Example::Text(first.clone());
    }
    if description.contains("liste 4.1")
        && let Some(partner) = super::example_cell("fonctionnement.partenaires.liste", "nom")
    {
        return Example::Text(partner);
    }
    let quoted = description
        .split_once('«')
        .and_then(|(_, rest)| rest.split_once('»'))
        .map(|(quote, _)| quote.trim().to_string())
        .filter(|q| !q.is_empty() && !q.contains(['…', '"']));
    // Else what the column holds, as the description says it (« Nom du site »).
    let lead = description.split(['(', ';']).next().unwrap_or_default();
    Example::Text(quoted.unwrap_or_else(|| lead.trim().trim_end_matches('.').to_string()))
}
