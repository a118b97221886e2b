//! TOML syntax errors as a person reads them: one error per mistake, said in the writer's terms.
//!
//! The TOML parser recovers after an error and goes on, which is what lets the rest of a dossier
//! be checked in one pass; but a single slip then produces a cascade: a list whose `]` was
//! forgotten swallows the rest of the file (hundreds of messages), and a French habit such as
//! `valeur = 11,9` gives three messages, none saying « écrivez 11.9 ». Here the parser's errors
//! become the findings a writer needs:
//! - a list or table `{ … }` opened and never closed is one error at its opening, and nothing
//!   the parser said after that opening is shown (it all follows from it);
//! - at most one syntax error per line, and where the line shows a French way of writing a
//!   number or a date, the error says how to write it in TOML;
//! - findings of the later checks on and after the line of the first syntax error are dropped by
//!   the caller ([`Syntax::cutoff`]): that part of the document was not read as written.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::Finding;
use crate::diag::translate;

/// The syntax findings of a dossier and where its reliable part ends.
pub struct Syntax {
    /// One finding per mistake, in the order of the file.
    pub findings: Vec<Finding>,
    /// Byte offset from which the document was not read as written (the start of the line of
    /// the first syntax error, or the opening of an unclosed list): findings of later checks
    /// located there or after only repeat the syntax error.
    pub cutoff: Option<usize>,
}

/// Where the bytes `decoded` of a string value lie in its TOML literal `raw` (quotes included):
/// escapes (`\"`, `\u00e9`), the line-ending backslash of a `"""` string and the newline after
/// its opening quotes are taken into account; None when the range starts or ends inside an
/// escape. Written by hand: the TOML parser gives the span of a whole value, not of the
/// characters inside it, and these few rules of the TOML grammar are all it takes.
pub fn raw_range(raw: &str, decoded: Range<usize>) -> Option<Range<usize>> {
    let (delimiter, literal) = match raw.as_bytes() {
        [b'"', b'"', b'"', ..] => (3, false),
        [b'\'', b'\'', b'\'', ..] => (3, true),
        [b'"', ..] => (1, false),
        [b'\'', ..] => (1, true),
        _ => return None,
    };
    let multi = delimiter == 3;
    let mut i = delimiter;
    if multi {
        let newline =
            [&b"\n"[..], b"\r\n"].into_iter().find(|n| raw.as_bytes()[i..].starts_with(n));
        i += newline.map_or(0, <[u8]>::len);
    }
    let body_end = raw.len().checked_sub(delimiter)?;
    let (mut out, mut start) = (0, None);
    loop {
        // A line-ending backslash: it and the whitespace and newlines after it are dropped
        // (before anything else, so that a word after it starts after it).
        let rest = &raw[i..body_end.max(i)];
        if multi
            && !literal
            && rest.starts_with('\\')
            && rest[1..].starts_with([' ', '\t', '\r', '\n'])
        {
            i += rest.len() - rest[1..].trim_start_matches([' ', '\t', '\r', '\n']).len();
            continue;
        }
        if out == decoded.start && start.is_none() {
            start = Some(i);
        }
        if out == decoded.end {
            return Some(start?..i);
        }
        if i >= body_end || out > decoded.end {
            return None;
        }
        let c = raw[i..].chars().next()?;
        if literal || c != '\\' {
            (out, i) = (out + c.len_utf8(), i + c.len_utf8());
            continue;
        }
        let hex = |len: usize| {
            let code = u32::from_str_radix(raw.get(i + 2..i + 2 + len)?, 16).ok()?;
            Some((char::from_u32(code)?.len_utf8(), len + 2))
        };
        let (decoded_len, raw_len) = match raw[i + 1..].chars().next()? {
            'u' => hex(4)?,
            'U' => hex(8)?,
            'x' => hex(2)?,
            _ => (1, 2),
        };
        (out, i) = (out + decoded_len, i + raw_len);
    }
}

/// The findings for the parser's `errors` on `source`.
pub fn findings(source: &str, errors: &[toml::de::Error]) -> Syntax {
    if errors.is_empty() {
        return Syntax { findings: Vec::new(), cutoff: None };
    }
    let unclosed = unclosed_opening(source);
    // A table header left open (`[porteur`) makes the parser see later headers as keys defined
    // twice: those follow from it.
    let open_header = errors
        .iter()
        .filter(|e| {
            e.message().starts_with("unclosed table")
                || e.message().starts_with("unclosed array table")
        })
        .filter_map(|e| e.span().map(|s| s.start))
        .min();
    let mut findings = Vec::new();
    let mut lines_seen = Vec::new();
    for error in errors {
        let span = error.span().unwrap_or(0..0);
        if unclosed.as_ref().is_some_and(|u| span.start >= u.offset) {
            continue;
        }
        if open_header.is_some_and(|h| span.start > h)
            && error.message().starts_with("duplicate key")
        {
            continue;
        }
        let line = line_start(source, span.start);
        if lines_seen.contains(&line) {
            continue;
        }
        lines_seen.push(line);
        findings.push(match french_habit(source, line) {
            Some(habit) => habit,
            None => {
                let (message, hint) = translate(error.message());
                Finding::error("", message, hint).at(span)
            }
        });
    }
    let mut cutoff = lines_seen.iter().min().copied();
    if let Some(u) = unclosed {
        let what = if u.bracket == '[' { "liste [ … ]" } else { "table { … }" };
        let close = if u.bracket == '[' { ']' } else { '}' };
        findings.push(
            Finding::error(
                "",
                format!("{what} ouverte ici et jamais fermée : la suite du fichier y est lue"),
                Some(format!(
                    "ajoutez `{close}` après son dernier élément (avant la ligne {})",
                    line_number(source, u.broken_at)
                )),
            )
            .at(u.offset..u.offset + 1),
        );
        cutoff = Some(cutoff.map_or(u.offset, |c| c.min(u.offset)));
    }
    findings.sort_by_key(|f| f.span.as_ref().map_or(0, |s| s.start));
    Syntax { findings, cutoff }
}

/// A list or inline table left open: where it opens, and the line that shows it was not closed.
struct Unclosed {
    offset: usize,
    bracket: char,
    broken_at: usize,
}

/// Finds a `[` or `{` of a value still open at a line that can only start a new statement (a
/// table header `[x]`, `[[x]]`, or `clé = …` directly inside a list). Written by hand because the parser
/// does not say where the construct it is inside of began; it only follows TOML's lexical rules
/// (strings, comments, brackets), enough to tell a value's brackets from a header's.
fn unclosed_opening(source: &str) -> Option<Unclosed> {
    static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\s*=").expect("valid regex")
    });
    static HEADER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^\s*\[\[?\s*[A-Za-z0-9_."' -]+\]\]?\s*(#.*)?$"#).expect("valid regex")
    });
    let bytes = source.as_bytes();
    let mut stack: Vec<(usize, char)> = Vec::new();
    let mut i = 0;
    let mut line_begin = true;
    while i < bytes.len() {
        if line_begin {
            line_begin = false;
            let end = source[i..].find('\n').map_or(source.len(), |n| i + n);
            let line = &source[i..end];
            // Inside a list, a header or a `key =` line cannot be an element; inside any value,
            // a table header cannot be.
            if let Some(&(_, top)) = stack.last()
                && (HEADER.is_match(line) || (top == '[' && ASSIGNMENT.is_match(line)))
            {
                let (offset, bracket) = stack[0];
                return Some(Unclosed { offset, bracket, broken_at: i });
            }
            if stack.is_empty() && line.trim_start().starts_with('[') {
                // A table header: its brackets are not a value's.
                i = end;
                continue;
            }
        }
        match bytes[i] {
            b'\n' => line_begin = true,
            b'#' => {
                i = source[i..].find('\n').map_or(source.len(), |n| i + n);
                continue;
            }
            b'"' | b'\'' => {
                i = skip_string(source, i);
                continue;
            }
            b'[' if !stack.is_empty() || after_equals(source, i) => stack.push((i, '[')),
            b'{' => stack.push((i, '{')),
            b']' | b'}' => {
                stack.pop();
            }
            _ => {}
        }
        i += 1;
    }
    stack.first().map(|&(offset, bracket)| Unclosed { offset, bracket, broken_at: source.len() })
}

/// Whether the `[` at `i` opens a value (it follows `=` on its line).
fn after_equals(source: &str, i: usize) -> bool {
    source[line_start(source, i)..i].trim_end().ends_with('=')
}

/// The offset just after the string starting at `i` (basic, literal, or multi-line).
fn skip_string(source: &str, i: usize) -> usize {
    let quote = &source[i..i + 1];
    let triple = quote.repeat(3);
    if source[i..].starts_with(&triple) {
        return source[i + 3..].find(&triple).map_or(source.len(), |n| i + 3 + n + 3);
    }
    let mut j = i + 1;
    let bytes = source.as_bytes();
    while j < bytes.len() && bytes[j] != b'\n' {
        if quote == "\"" && bytes[j] == b'\\' {
            j += 2;
            continue;
        }
        if bytes[j] == quote.as_bytes()[0] {
            return j + 1;
        }
        j += 1;
    }
    j
}

fn line_start(source: &str, offset: usize) -> usize {
    let offset = offset.min(source.len());
    source[..offset].rfind('\n').map_or(0, |n| n + 1)
}

fn line_number(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())].matches('\n').count() + 1
}

/// A number or a date written the French way on the line starting at `line`, as an error that
/// shows how TOML writes it: `11,9` → `11.9`, `54 000` → `54000`, `15/12/2026` → `2026-12-15`.
fn french_habit(source: &str, line: usize) -> Option<Finding> {
    static DECIMAL_COMMA: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"=\s*(-?\d+),(\d+)\s*(?:$|[,}\]#\s])").expect("valid regex"));
    static GROUPED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"=\s*(-?\d{1,3}(?:[ \u{a0}\u{202f}]\d{3})+(?:[.,]\d+)?)\s*(?:$|[,}\]#])")
            .expect("valid regex")
    });
    static DATE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"=\s*"?(\d{1,2})/(\d{1,2})/(\d{4})"?"#).expect("valid regex")
    });
    let end = source[line..].find('\n').map_or(source.len(), |n| line + n);
    let text = &source[line..end];
    let at = |range: Range<usize>| line + range.start..line + range.end;
    if let Some(c) = DATE.captures(text) {
        let (day, month, year) = (&c[1], &c[2], &c[3]);
        let iso = format!("{year}-{month:0>2}-{day:0>2}");
        let whole = c.get(0).expect("match");
        let value = whole.as_str().trim_start_matches('=').trim_start();
        return Some(
            Finding::error(
                "",
                format!("date écrite à la française : {value}"),
                Some(format!("en TOML, une date s'écrit année-mois-jour : écrivez {iso}")),
            )
            .at(at(whole.end() - value.len()..whole.end())),
        );
    }
    if let Some(c) = GROUPED.captures(text) {
        let number = c.get(1).expect("group");
        let toml: String = number
            .as_str()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{202f}')
            .map(|c| if c == ',' { '.' } else { c })
            .collect();
        return Some(
            Finding::error(
                "",
                format!("nombre écrit avec des espaces : {}", number.as_str()),
                Some(format!(
                    "en TOML, un nombre s'écrit sans espace ni guillemets : écrivez {toml}"
                )),
            )
            .at(at(number.range())),
        );
    }
    if let Some(c) = DECIMAL_COMMA.captures(text) {
        let (whole, decimals) = (c.get(1).expect("group"), &c[2]);
        let range = whole.start()..whole.end() + 1 + decimals.len();
        return Some(
            Finding::error(
                "",
                format!("nombre décimal écrit avec une virgule : {},{decimals}", whole.as_str()),
                Some(format!(
                    "en TOML, la virgule décimale s'écrit avec un point : écrivez {}.{decimals}",
                    whole.as_str()
                )),
            )
            .at(at(range)),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn words_inside_a_string_are_found_in_its_literal_through_escapes() {
        fn find<'a>(raw: &'a str, decoded: &str, word: &str) -> Option<&'a str> {
            let at = decoded.find(word).unwrap();
            super::raw_range(raw, at..at + word.len()).map(|r| &raw[r])
        }
        let raw = r#""Le \"nouveau\" site \u00e9t\u00E9 ouvert""#;
        assert_eq!(find(raw, "Le \"nouveau\" site été ouvert", "ouvert"), Some("ouvert"));
        assert_eq!(find(raw, "Le \"nouveau\" site été ouvert", "nouveau"), Some("nouveau"));
        assert_eq!(find(raw, "Le \"nouveau\" site été ouvert", "été"), Some(r"\u00e9t\u00E9"));
        let raw = "\"\"\"\r\nUne ligne, \\\r\n    puis TODO.\"\"\"";
        assert_eq!(find(raw, "Une ligne, puis TODO.", "TODO"), Some("TODO"));
        assert_eq!(find("'C:\\TODO'", "C:\\TODO", "TODO"), Some("TODO"));
        assert_eq!(find(r#""\u00e9""#, "é", "é"), Some(r"\u00e9"));
    }

    use super::*;

    fn messages(source: &str) -> Vec<(String, Option<String>)> {
        let (_, errors) = toml::de::DeTable::parse_recoverable(source);
        findings(source, &errors).findings.into_iter().map(|f| (f.message, f.hint)).collect()
    }

    #[test]
    fn a_decimal_comma_is_one_error_that_shows_the_point() {
        let found = messages("x = [\n  { nom = \"Industrie\", valeur = 11,9 },\n]\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.as_deref().unwrap().contains("écrivez 11.9"), "{found:?}");
    }

    #[test]
    fn grouped_digits_are_one_error_that_shows_the_number() {
        let found = messages("montant = 54 000\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.as_deref().unwrap().contains("écrivez 54000"), "{found:?}");
        let found = messages("montant = 1 254 000,50\n");
        assert!(found[0].1.as_deref().unwrap().contains("écrivez 1254000.50"), "{found:?}");
    }

    #[test]
    fn a_french_date_is_one_error_that_shows_the_iso_date() {
        let found = messages("date = 15/12/2026\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.as_deref().unwrap().contains("écrivez 2026-12-15"), "{found:?}");
    }

    #[test]
    fn a_list_never_closed_is_one_error_at_its_opening() {
        let source = "a = [\n  \"un\",\n  \"deux\",\n\n[porteur]\nnom = \"X\"\n[[b]]\nc = 1\n";
        let (_, errors) = toml::de::DeTable::parse_recoverable(source);
        let syntax = findings(source, &errors);
        assert_eq!(syntax.findings.len(), 1, "{:?}", syntax.findings);
        assert_eq!(syntax.findings[0].span, Some(4..5));
        assert!(syntax.findings[0].hint.as_deref().unwrap().contains("ligne 5"));
        assert_eq!(syntax.cutoff, Some(4));
    }

    #[test]
    fn a_table_header_left_open_is_one_error() {
        let found = messages(
            "[porteur\nnom = \"X\"\n[[porteur.soutiens]]\nnom = \"Y\"\n[[porteur.soutiens]]\nnom = \"Z\"\n",
        );
        assert_eq!(found.len(), 1, "{found:?}");
    }

    #[test]
    fn lists_and_headers_that_close_are_not_taken_for_unclosed() {
        let source = "[a]\nx = [1, [2, 3]]\ny = [\n  \"#]\",\n  { b = 'c]' },\n]\n[[d]]\ne = 1\n";
        assert!(unclosed_opening(source).is_none());
    }
}
