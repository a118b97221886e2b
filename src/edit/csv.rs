//! A table kept in a CSV file, written back from the page's grid: same separator, same encoding
//! (UTF-8 with or without its mark, Windows-1252, UTF-16), same line ends, and the file's own
//! column titles for the columns it has.

use serde_json::Value;

use crate::input::validate::{self, Header};

/// The file `original` with its rows replaced by `rows` (objects keyed by the columns of
/// `row_schema`). The « Total » rows that ended the file end it again, recomputed.
pub fn rewrite(original: &[u8], row_schema: &Value, rows: &[Value]) -> Vec<u8> {
    let (text, encoding, separator) = validate::delimited_format(original);
    let columns = validate::columns(row_schema);
    let grid = validate::delimited_rows(&text, separator).unwrap_or_default();
    let mut filled = grid.into_iter().filter(|r| r.iter().any(|c| !c.trim().is_empty()));
    let header = filled.next();
    let data: Vec<Vec<String>> = filled.collect();
    let label = |row: &Vec<String>| row.iter().find(|c| !c.trim().is_empty()).cloned();
    let count =
        data.iter().rev().take_while(|r| label(r).is_some_and(|l| validate::is_total(&l))).count();
    let totals = &data[data.len() - count..];
    let mut titles: Vec<String> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    // The column of the file each written column comes from (`None`: added).
    let mut places: Vec<Option<usize>> = Vec::new();
    if let Some(header) = header {
        let matched = validate::match_headers(&header, &columns);
        for (place, (title, found)) in header.iter().zip(matched).enumerate() {
            if let Header::Column(i) = found {
                titles.push(title.clone());
                keys.push(columns[i].key.clone());
                places.push(Some(place));
            }
        }
    }
    // Columns the rows fill that the file had no title for are added at the end, under their key.
    for column in &columns {
        let used = rows.iter().any(|r| r.get(&column.key).is_some_and(|v| !v.is_null()));
        if used && !keys.contains(&column.key) {
            titles.push(column.key.clone());
            keys.push(column.key.clone());
            places.push(None);
        }
    }
    let decimal_comma = separator != ',';
    let mut writer = csv::WriterBuilder::new()
        .delimiter(separator as u8)
        .terminator(if text.contains("\r\n") {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        })
        .from_writer(Vec::new());
    let _ = writer.write_record(&titles);
    for row in rows {
        let cells: Vec<String> = keys.iter().map(|k| cell(row.get(k), decimal_comma)).collect();
        let _ = writer.write_record(&cells);
    }
    // A total row is recomputed rather than kept as written: the page's grid shows the rows
    // only, so a total left as it was would no longer add up after a change made there, and the
    // check of totals would then report an error the page gives no way to fix. The user wrote
    // a total to see one, as a spreadsheet's SUM would keep it right: its label and its other
    // cells stay as written, the sums it gave are redone over the new rows.
    for total in totals {
        let cells: Vec<String> = keys
            .iter()
            .zip(&places)
            .map(|(key, place)| {
                let written = place.and_then(|p| total.get(p)).cloned().unwrap_or_default();
                let is_sum = !validate::is_total(&written)
                    && validate::typed_cell(&written, key, row_schema).is_ok_and(|v| v.is_number());
                if !is_sum {
                    return written;
                }
                let sum: f64 = rows.iter().filter_map(|r| r.get(key).and_then(Value::as_f64)).sum();
                // Rounded to the millionth: 0.1 + 0.2 reads « 0,3 », not 0,30000000000000004.
                let sum = Value::from((sum * 1e6).round() / 1e6);
                cell(Some(&sum), decimal_comma)
            })
            .collect();
        let _ = writer.write_record(&cells);
    }
    let written = writer.into_inner().unwrap_or_default();
    let written = String::from_utf8(written).unwrap_or_default();
    encode(&written, encoding, original)
}

/// A value as a spreadsheet cell: numbers the French way when the separator allows it.
fn cell(value: Option<&Value>, decimal_comma: bool) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => if *b { "oui" } else { "non" }.into(),
        Some(Value::Number(n)) => {
            // f64's Display writes 612400.0 as « 612400 », 18250.5 as « 18250.5 ».
            let text =
                n.as_i64().map_or_else(|| n.as_f64().unwrap_or(0.0).to_string(), |i| i.to_string());
            if decimal_comma { text.replace('.', ",") } else { text }
        }
        Some(Value::Array(items)) => {
            items.iter().map(|v| cell(Some(v), decimal_comma)).collect::<Vec<_>>().join(" | ")
        }
        Some(other) => other.to_string(),
    }
}

/// The text in the file's encoding: the one its byte-order mark names (UTF-8, UTF-16), else
/// the one validation guessed (`None`: UTF-8). UTF-16 is encoded here by hand (`encode_utf16`
/// and the byte order) because encoding_rs only decodes UTF-16: following the WHATWG Encoding
/// standard, its encoder for UTF-16 writes UTF-8 instead.
fn encode(text: &str, encoding: Option<&str>, original: &[u8]) -> Vec<u8> {
    if let Some((marked, bom)) = encoding_rs::Encoding::for_bom(original) {
        let mark = &original[..bom];
        let body: Vec<u8> = if marked == encoding_rs::UTF_16LE {
            text.encode_utf16().flat_map(u16::to_le_bytes).collect()
        } else if marked == encoding_rs::UTF_16BE {
            text.encode_utf16().flat_map(u16::to_be_bytes).collect()
        } else {
            text.as_bytes().to_vec()
        };
        return [mark, &body].concat();
    }
    match encoding.and_then(|name| encoding_rs::Encoding::for_label(name.as_bytes())) {
        Some(encoding) => encoding.encode(text).0.into_owned(),
        None => text.as_bytes().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn partners() -> Value {
        validate::row_schema("fonctionnement.partenaires.liste").expect("partners are a table")
    }

    #[test]
    fn a_windows_1252_file_with_semicolons_stays_so() {
        let original = encoding_rs::WINDOWS_1252.encode("Nom;Catégorie\r\nÉcole;formation\r\n").0;
        let rows = [json!({"nom": "Lycée", "categorie": "formation"})];
        let out = rewrite(&original, &partners(), &rows);
        let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&out);
        assert_eq!(text, "Nom;Catégorie\r\nLycée;formation\r\n");
        assert!(std::str::from_utf8(&out).is_err(), "still Windows-1252");
    }

    #[test]
    fn a_utf16_file_keeps_its_mark_and_a_comma_file_its_decimal_point() {
        let mut original = vec![0xFF, 0xFE];
        original.extend("nom,categorie\n".encode_utf16().flat_map(u16::to_le_bytes));
        let rows = [json!({"nom": "A, B", "categorie": "formation"})];
        let out = rewrite(&original, &partners(), &rows);
        assert_eq!(&out[..2], &[0xFF, 0xFE]);
        let (text, _) = encoding_rs::UTF_16LE.decode_without_bom_handling(&out[2..]);
        assert_eq!(text, "nom,categorie\n\"A, B\",formation\n");
    }
}
