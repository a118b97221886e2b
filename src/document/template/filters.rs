//! Tera filters: Typst escaping, and the French number and date formatting of [`crate::fr`]
//! made available to templates.
//!
//! Escaping is written by hand: it is a few lines and depends on Typst's lexer rules, which no
//! crate implements.

use std::cell::Cell;
use std::collections::HashMap;

use serde_json::Value;
use tera::{Filter, Tera};

use crate::fr::{NNBSP, format_auto, format_date, format_euros, format_number};
use crate::model::Date;

/// Registers every filter of the dossier templates.
pub fn register(tera: &mut Tera) {
    tera.register_filter("texte", SafeFilter(narrative));
    tera.register_filter("chaine", SafeFilter(string_literal));
    tera.register_filter("nombre", number_filter);
    tera.register_filter("euros", euros_filter);
    tera.register_filter("pourcent", percent_filter);
    tera.register_filter("date_fr", DateFilter);
    tera.register_filter("somme", sum_filter);
    tera.register_filter("libelle", label_filter);
    tera.register_filter("article", article_filter);
    tera.register_filter("parentheses", parentheses_filter);
    tera.register_filter("plages", slots_filter);
    tera.register_filter("accord", agreement_filter);
}

/// Length of a run of non-space characters after which line breaks are allowed anywhere.
const LONG_RUN: usize = 30;

/// For each character, its offset within its run of non-space characters when that run is
/// longer than [`LONG_RUN`], `None` otherwise.
fn long_run_offsets(input: &str) -> Vec<Option<usize>> {
    let chars: Vec<char> = input.chars().collect();
    let mut offsets = vec![None; chars.len()];
    let mut start = 0;
    while start < chars.len() {
        let end = (start..chars.len()).find(|&i| chars[i].is_whitespace()).unwrap_or(chars.len());
        let run: String = chars[start..end].iter().collect();
        // Web and e-mail addresses keep their characters intact so that they can be copied.
        let address = run.contains("://") || run.contains('@') || run.starts_with("www.");
        if end - start > LONG_RUN && !address {
            for (offset, slot) in offsets[start..end].iter_mut().enumerate() {
                *slot = Some(offset);
            }
        }
        start = end + 1;
    }
    offsets
}

/// Escapes a string so that Typst markup shows it literally.
///
/// Used as tera's escape function for `.typ` templates: every `{{ value }}` goes through it.
/// Every character with a meaning in Typst markup is preceded by a backslash (Typst accepts
/// `\` before any non-space character), line breaks become spaces, other control characters
/// are dropped (they have no glyph), and the space before `; : ! ?` becomes a narrow no-break
/// space as French typography requires.
pub fn escape_markup(input: &str) -> String {
    let bound = crate::fr::bind_numbers(input);
    let input = bound.as_str();
    let mut out = String::with_capacity(input.len() + input.len() / 4);
    let offsets = long_run_offsets(input);
    let mut chars = input.chars().peekable();
    let mut prev: Option<char> = None;
    let mut index = 0usize;
    while let Some(ch) = chars.next() {
        // A run of more than 30 characters without a space (a reference, noise: rarely a word)
        // is laid out as boxes of 12 characters: the line breaker may break between two boxes,
        // so the column does not overflow, and no character is added to the text (a zero-width
        // space would be: Ctrl+F, copy-paste and screen readers would no longer find the word).
        // `;` ends each `#box[…]` so that what follows is never read as its argument.
        let offset = offsets.get(index).copied().flatten();
        match offset {
            Some(0) => out.push_str("#box["),
            Some(o) if o % 12 == 0 => out.push_str("];#box["),
            _ => {}
        }
        index += 1;
        let run_ends = offset.is_some() && !matches!(offsets.get(index), Some(Some(o)) if *o > 0);
        match ch {
            ' ' if matches!(chars.peek(), Some(';' | ':' | '!' | '?' | '»')) => out.push(NNBSP),
            '«' if chars.peek() == Some(&' ') => {
                out.push('«');
                out.push(NNBSP);
                chars.next();
            }
            // An apostrophe inside a word (l'emploi) is left to Typst, which sets the French
            // typographic apostrophe; anywhere else it is escaped and stays straight.
            '\'' if prev.is_some_and(char::is_alphabetic)
                && chars.peek().is_some_and(|c| c.is_alphabetic()) =>
            {
                out.push('\'')
            }
            '\\' | '#' | '$' | '*' | '_' | '`' | '<' | '>' | '@' | '[' | ']' | '~' | '/' | '-'
            | '+' | '=' | '.' | ':' | '\'' | '"' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
        if run_ends {
            out.push_str("];");
        }
        prev = Some(ch);
    }
    out
}

thread_local! {
    /// Whether `texte` reads Markdown in the render running on this thread. A thread-local
    /// because tera filters get no render context and macros cannot see the template's globals,
    /// while the setting belongs to each dossier (batch renders run on several threads).
    static MARKDOWN: Cell<bool> = const { Cell::new(false) };
}

/// Restores the previous Markdown setting of the thread when dropped.
pub struct MarkdownMode(bool);

impl Drop for MarkdownMode {
    fn drop(&mut self) {
        MARKDOWN.with(|m| m.set(self.0));
    }
}

/// Makes `texte` read Markdown (or not) on this thread until the returned guard is dropped.
pub fn markdown_mode(on: bool) -> MarkdownMode {
    MarkdownMode(MARKDOWN.with(|m| m.replace(on)))
}

/// Narrative text: Markdown when the dossier asks for it, otherwise literal paragraphs.
fn narrative(text: &str) -> String {
    if MARKDOWN.with(Cell::get) { super::markdown::to_typst(text) } else { paragraphs(text) }
}

/// Formats multi-paragraph text: blank lines separate paragraphs, single line breaks are spaces.
fn paragraphs(text: &str) -> String {
    let normalized = text.replace("\r\n", "\n");
    normalized
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(escape_markup)
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Quotes a string as a Typst string literal (for code contexts such as function arguments).
pub fn string_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A filter whose output is already valid Typst and must not be escaped again.
struct SafeFilter(fn(&str) -> String);

impl Filter for SafeFilter {
    fn filter(&self, value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        Ok(Value::String((self.0)(&text)))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

fn as_number(value: &Value, filter: &str) -> tera::Result<f64> {
    value.as_f64().ok_or_else(|| {
        tera::Error::msg(format!("filtre `{filter}` : nombre attendu, trouvé {value}"))
    })
}

fn decimals_arg(args: &HashMap<String, Value>) -> Option<usize> {
    args.get("decimales").and_then(Value::as_u64).map(|d| d as usize)
}

fn number_filter(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    if value.as_str().is_some_and(crate::model::Valeur::is_not_available) {
        return Ok(Value::String("n.d.".into()));
    }
    let n = as_number(value, "nombre")?;
    let text = match decimals_arg(args) {
        Some(d) => format_number(n, d),
        None => format_auto(n, 2),
    };
    Ok(Value::String(text))
}

fn euros_filter(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(format_euros(as_number(value, "euros")?)))
}

fn percent_filter(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let n = as_number(value, "pourcent")?;
    let number = format_number(n, decimals_arg(args).unwrap_or(1));
    Ok(Value::String(format!("{number}{NNBSP}%")))
}

/// A date in French for the document, its ordinal in superscript ("1#super[er] mars 2026").
/// Safe: made only of digits, month names and that markup.
struct DateFilter;

impl Filter for DateFilter {
    fn filter(&self, value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
        let text = value.as_str().unwrap_or_default();
        let date = Date::parse(text).map_err(tera::Error::msg)?;
        Ok(Value::String(date_markup(date)))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

/// "1er mars 2026" with its ordinal raised, as French typography writes it.
pub fn date_markup(date: Date) -> String {
    let text = format_date(date);
    match text.strip_prefix("1er ") {
        Some(rest) => format!("1#super[er] {rest}"),
        None => text,
    }
}

/// Opening slots in French notation: `["09:30-12:30", "13:30-17:00"]` → "9 h 30 – 12 h 30 ;
/// 13 h 30 – 17 h" (validation has checked every slot).
fn slots_filter(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let slots: Vec<String> = value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| crate::model::parse_slot(s.as_str()?))
        .map(crate::fr::format_slot)
        .collect();
    Ok(Value::String(slots.join(" ; ")))
}

/// The French label of an enumerated value ("numeraire" → "Numéraire"); other values pass.
fn label_filter(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(match value.as_str().and_then(crate::model::label_of) {
        Some(label) => Value::String(label.to_string()),
        None => value.clone(),
    })
}

/// A name with its definite article (« la Communauté de communes… »), [`crate::fr::with_article`].
fn article_filter(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(crate::fr::with_article(value.as_str().unwrap_or_default())))
}

/// The form of a noun after a count, [`crate::fr::noun`]: `n | accord(un="partenaire",
/// plusieurs="partenaires")` gives « partenaire » for 0 and 1, « partenaires » from 2 on.
fn agreement_filter(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let form = |key: &str| args.get(key).and_then(Value::as_str).unwrap_or_default();
    let n = value.as_f64().unwrap_or_default().max(0.0) as usize;
    Ok(Value::String(crate::fr::noun(n, form("un"), form("plusieurs")).to_string()))
}

/// A value added to a phrase: « (2026) » after a space, or « , 2025 (première année) » when
/// the value holds parentheses of its own, so that parentheses are never doubled.
fn parentheses_filter(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(crate::fr::aside(value.as_str().unwrap_or_default())))
}

/// Sums a numeric attribute over an array of objects: `lignes | somme(attribut="montant")`.
fn sum_filter(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let attribute = args.get("attribut").and_then(Value::as_str);
    let items =
        value.as_array().ok_or_else(|| tera::Error::msg("filtre `somme` : liste attendue"))?;
    let total: f64 = items
        .iter()
        .filter_map(|item| match attribute {
            Some(key) => item.get(key).and_then(Value::as_f64),
            None => item.as_f64(),
        })
        .sum();
    Ok(serde_json::json!(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_escape_neutralises_typst_syntax() {
        assert_eq!(escape_markup("#panic(\"x\")"), "\\#panic(\\\"x\\\")");
        assert_eq!(escape_markup("a\nb\u{0}c"), "a bc");
        assert_eq!(escape_markup("Quoi ?"), "Quoi\u{202F}?");
        assert_eq!(escape_markup("l'emploi 'x'"), "l'emploi \\'x\\'");
        let long = escape_markup(&"Z".repeat(100));
        assert_eq!(long.matches("#box[").count(), 9, "boxes of 12 in a 100-character run");
        assert!(long.starts_with("#box[ZZZZZZZZZZZZ];#box[") && long.ends_with("ZZZZ];"));
        assert!(!long.contains('\u{200B}'), "no character is added to the text");
        assert!(
            !escape_markup("anticonstitutionnellement").contains("#box"),
            "real words are left to hyphenation"
        );
    }

    #[test]
    fn string_literals_escape_quotes_and_backslashes() {
        assert_eq!(string_literal("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
    }
}
