//! Workbook sheets as tables (`{ fichier = "tableaux.xlsx", feuille = "Charges" }`), read with
//! calamine: .xlsx, .xlsm, .xlsb, .xls and .ods. Cells keep their type (numbers, dates,
//! booleans, text); a formula is read by the value the spreadsheet program computed and saved,
//! and a formula without one (or with an error value such as #DIV/0!) is an error at its cell.
//! Merged cells give their value to their first cell only; hidden rows and columns are read
//! like the others.

use std::io::Cursor;

use calamine::{Data, Reader};

use super::tables::{Cell, GridCell, GridRow};
use crate::model::vocab::fold;

/// Whether a file name is that of a workbook (by its extension).
pub fn is_workbook(name: &str) -> bool {
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    matches!(extension.as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "ods")
}

/// Why a sheet could not be read.
pub enum Problem {
    /// The file is not a workbook calamine can read.
    Unreadable,
    /// No sheet was named and the workbook has several: their names.
    Which(Vec<String>),
    /// The sheet named does not exist: the names of those that do.
    Missing(Vec<String>),
}

/// The rows of one sheet (its name as the workbook spells it), each cell at its place.
pub fn read(bytes: &[u8], sheet: Option<&str>) -> Result<(String, Vec<GridRow>), Problem> {
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|_| Problem::Unreadable)?;
    let names = workbook.sheet_names();
    let name = match sheet {
        // The name as typed, else the one that differs only by case or accents.
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .or_else(|| names.iter().find(|n| fold(n) == fold(wanted)))
            .ok_or_else(|| Problem::Missing(names.clone()))?
            .clone(),
        None if names.len() == 1 => names[0].clone(),
        None => return Err(Problem::Which(names)),
    };
    let values = workbook.worksheet_range(&name).map_err(|_| Problem::Unreadable)?;
    // Formulas whose value was never computed (a file written by a program, not saved by a
    // spreadsheet) come back empty: they are told apart by their formula.
    let formulas = workbook.worksheet_formula(&name).ok();
    let has_formula = |at: (u32, u32)| {
        formulas.as_ref().and_then(|f| f.get_value(at)).is_some_and(|f| !f.trim().is_empty())
    };
    let Some((top, left)) = values.start() else { return Ok((name, Vec::new())) };
    let rows = values
        .rows()
        .enumerate()
        .map(|(i, row)| {
            let number = top as usize + i + 1;
            let mut cells: Vec<GridCell> = (0..left)
                .map(|_| GridCell { value: Cell::Text(String::new()), span: None })
                .collect();
            for (j, data) in row.iter().enumerate() {
                let at = (top + i as u32, left + j as u32);
                let value = match data {
                    Data::Empty if has_formula(at) => {
                        Cell::Error("formule sans valeur calculée".into())
                    }
                    other => cell(other),
                };
                cells.push(GridCell { value, span: None });
            }
            GridRow { number, span: None, cells }
        })
        .collect();
    Ok((name, rows))
}

/// A workbook cell as a table cell.
fn cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Text(String::new()),
        Data::String(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(d) if d.is_datetime() => match serial_date(d.as_f64()) {
            Some(day) => Cell::Date(day),
            None => Cell::Number(d.as_f64()),
        },
        Data::DateTime(d) => Cell::Number(d.as_f64()),
        Data::DateTimeIso(s) => match s.get(..10) {
            Some(day) if crate::model::Date::parse(day).is_ok() => Cell::Date(day.to_string()),
            _ => Cell::Text(s.clone()),
        },
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

/// The day of a spreadsheet date serial (days since 1899-12-30, the time as a fraction), as
/// AAAA-MM-JJ. By hand with chrono's dates rather than calamine's `dates` feature, which turns
/// on chrono's serde support and so rebuilds Typst with it.
fn serial_date(serial: f64) -> Option<String> {
    use chrono::Datelike;
    if !(0.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let day = epoch.checked_add_days(chrono::Days::new(serial.floor() as u64))?;
    Some(format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day()))
}
