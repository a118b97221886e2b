//! CSV files as spreadsheets write them: decoded from whatever encoding they come in, the
//! separator guessed from the header line, and cut into rows and cells that keep their place
//! (row number as the spreadsheet shows it, byte span in the decoded text).
//!
//! The cutting is written here rather than left to the csv crate because the places are the
//! point: the crate gives no cell positions, and after a CRLF line break (what Excel writes) its
//! record positions point at the `\n` of the line before — one row too early. A quoted cell
//! may hold separators, doubled quotes and line breaks; a line break inside a cell does not
//! start a new spreadsheet row.

use std::ops::Range;

/// The text of a CSV file, and the encoding it was guessed to be in when it was not said by a
/// byte order mark nor valid UTF-8 (then Windows-1252, what French Excel writes by default).
pub fn decode(bytes: &[u8]) -> (String, Option<&'static str>) {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return (text.into_owned(), None);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), None),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text.into_owned(), Some("Windows-1252"))
        }
    }
}

/// The separator of a CSV text: the most frequent of `;`, tab and `,` on its first row
/// (outside quotes), `;` first when tied — French spreadsheets write `;` because `,` is their
/// decimal mark. A single column has none of them: `,` then changes nothing.
pub fn separator(text: &str) -> char {
    let mut counts = [(';', 0usize), ('\t', 0), (',', 0)];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            c if !quoted => counts.iter_mut().filter(|(s, _)| *s == c).for_each(|(_, n)| *n += 1),
            _ => {}
        }
    }
    let best = counts.iter().max_by_key(|(s, n)| (*n, *s == ';', *s == '\t'));
    best.filter(|(_, n)| *n > 0).map_or(',', |(s, _)| *s)
}

/// One row of a CSV file.
#[derive(Debug, Clone)]
pub struct Row {
    /// Its number in a spreadsheet (from 1; empty rows count, line breaks inside cells do not).
    pub number: usize,
    /// Its bytes in the text, line break excluded.
    pub span: Range<usize>,
    /// Its cells: text (quotes removed) and bytes in the text (quotes included).
    pub cells: Vec<(String, Range<usize>)>,
}

/// A quoted cell whose closing quote never comes: where its opening quote is.
#[derive(Debug, Clone)]
pub struct Unclosed {
    /// Row of the cell.
    pub row: usize,
    /// Column of the cell (from 0).
    pub column: usize,
    /// Byte of the opening quote.
    pub at: usize,
}

/// Cuts a CSV text into rows and cells.
pub fn rows(text: &str, separator: char) -> Result<Vec<Row>, Unclosed> {
    let mut rows = Vec::new();
    let mut cells: Vec<(String, Range<usize>)> = Vec::new();
    let mut cell = String::new();
    let (mut row_start, mut cell_start, mut number) = (0, 0, 1);
    let mut quote: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if quote.is_some() {
            if c == '"' {
                if chars.peek().is_some_and(|(_, n)| *n == '"') {
                    chars.next();
                    cell.push('"');
                } else {
                    quote = None;
                }
            } else {
                cell.push(c);
            }
            continue;
        }
        match c {
            '"' if i == cell_start => quote = Some(i),
            c if c == separator => {
                cells.push((std::mem::take(&mut cell), cell_start..i));
                cell_start = i + 1;
            }
            '\r' | '\n' => {
                cells.push((std::mem::take(&mut cell), cell_start..i));
                rows.push(Row { number, span: row_start..i, cells: std::mem::take(&mut cells) });
                number += 1;
                let mut end = i + 1;
                if c == '\r' && chars.peek().is_some_and(|(_, n)| *n == '\n') {
                    chars.next();
                    end += 1;
                }
                (row_start, cell_start) = (end, end);
            }
            c => cell.push(c),
        }
    }
    if let Some(at) = quote {
        return Err(Unclosed { row: number, column: cells.len(), at });
    }
    if row_start < text.len() {
        cells.push((cell, cell_start..text.len()));
        rows.push(Row { number, span: row_start..text.len(), cells });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_numbers_them() {
        let text = "a;b\r\n\"x\ny\";1\r\n\r\nz;\"2;\"\"3\"\"\"\r\n";
        let rows = rows(text, ';').unwrap();
        let numbers: Vec<usize> = rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [1, 2, 3, 4]);
        assert_eq!(rows[1].cells[0].0, "x\ny");
        assert_eq!(rows[3].cells[1].0, "2;\"3\"");
        assert_eq!(&text[rows[3].cells[0].1.clone()], "z");
    }

    #[test]
    fn the_separator_is_sniffed_outside_quotes() {
        assert_eq!(separator("\"a;b\",c,d\n1;2;3;4;5"), ',');
        assert_eq!(separator("nom;montant\n"), ';');
        assert_eq!(separator("nom\tmontant\n"), '\t');
        assert_eq!(separator("nom\n"), ',');
    }

    #[test]
    fn bytes_that_are_not_utf8_are_read_as_windows_1252() {
        assert_eq!(decode(b"Soci\xe9t\xe9 \x80"), ("Société €".into(), Some("Windows-1252")));
        assert_eq!(decode(b"\xef\xbb\xbfnom").0, "nom");
        assert_eq!(decode(b"\xff\xfen\x00\xe9\x00").0, "né");
        assert_eq!(decode(b"\xfe\xff\x00n\x00\xe9").0, "né");
    }
}
