//! Errors in the user's data, located in the user's file (file:line:col, snippet, hint), in French.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor};

/// Severity of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Blocks rendering.
    Error,
    /// Printed, rendering goes on.
    Warning,
}

/// A problem found in the user's data.
#[derive(Debug, Clone)]
pub struct DataError {
    /// Error or warning.
    pub severity: Severity,
    /// The file the problem is in.
    pub file: PathBuf,
    /// Byte range in the file, when known.
    pub span: Option<Range<usize>>,
    /// Dotted path of the field ("offre.horaires.jours[2].plages"), when known.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
    /// Text of `file` when it is not the dossier itself (a CSV table), for the snippet.
    pub text: Option<Arc<str>>,
    /// Other places in the same file the problem is about, with what each says.
    pub related: Vec<(Range<usize>, String)>,
}

/// One or more problems in a dossier, rendered with the source text of their file.
#[derive(Debug, Clone)]
pub struct DataErrors {
    /// The problems, in file order.
    pub errors: Vec<DataError>,
    /// Text of the file, for snippets.
    pub source: String,
}

impl DataErrors {
    /// Renders the problems, optionally with colours.
    pub fn render(&self, color: bool) -> String {
        let mut buffer =
            if color { termcolor::Buffer::ansi() } else { termcolor::Buffer::no_color() };
        let config = term::Config::default();
        for error in self.errors.iter().take(MAX_SHOWN) {
            let name = error.file.display().to_string();
            let (text, error) = clip(error.text.as_deref().unwrap_or(&self.source), error);
            let file = SimpleFile::new(name, text.as_str());
            let diagnostic = to_diagnostic(&error);
            if term::emit(&mut buffer, &config, &file, &diagnostic).is_err() {
                buffer_fallback(&mut buffer, &error);
            }
        }
        let mut text = frenchify(&String::from_utf8_lossy(buffer.as_slice()));
        if self.errors.len() > MAX_SHOWN {
            text.push_str(&format!(
                "… et {} autres messages : corrigez d'abord les premiers, les suivants en découlent souvent\n",
                self.errors.len() - MAX_SHOWN
            ));
        }
        text
    }

    /// Where each problem is, with line and column numbers (from 1), for displays that are not
    /// a terminal (the live preview's error overlay).
    pub fn locations(&self) -> Vec<Location> {
        self.errors
            .iter()
            .map(|e| {
                let (ligne, colonne) = match &e.span {
                    Some(span) => {
                        line_column(e.text.as_deref().unwrap_or(&self.source), span.start)
                    }
                    None => (None, None),
                };
                Location {
                    fichier: e.file.display().to_string(),
                    ligne,
                    colonne,
                    champ: e.field.clone(),
                    message: e.message.clone(),
                    aide: e.hint.clone(),
                    erreur: e.severity == Severity::Error,
                }
            })
            .collect()
    }

    /// Number of errors (not warnings).
    pub fn error_count(&self) -> usize {
        self.errors.iter().filter(|e| e.severity == Severity::Error).count()
    }
}

/// How many problems are shown at most: one missing `]` can make thousands, and the first ones
/// are those to fix.
const MAX_SHOWN: usize = 40;

/// Widest part of a line shown around a problem, in characters.
const WINDOW: usize = 70;

/// The text of a snippet and the problem placed in it, with the line of the problem cut to a
/// window around it when it is long (a whole 1 MB line is never echoed). Other places on that
/// line outside the window are dropped.
fn clip(text: &str, error: &DataError) -> (String, DataError) {
    let mut error = error.clone();
    let Some(span) = error.span.clone() else { return (text.to_string(), error) };
    let start = span.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    if text[line_start..line_end].chars().count() <= 2 * WINDOW {
        return (text.to_string(), error);
    }
    let back = |from: usize, n: usize| {
        text[line_start..from]
            .char_indices()
            .rev()
            .nth(n.saturating_sub(1))
            .map_or(line_start, |(i, _)| line_start + i)
    };
    let ahead = |from: usize, n: usize| {
        text[from..line_end].char_indices().nth(n).map_or(line_end, |(i, _)| from + i)
    };
    let keep_from = back(start, WINDOW);
    let end = span.end.clamp(start, line_end).min(ahead(start, WINDOW));
    let keep_to = ahead(end, WINDOW);
    let before = if keep_from > line_start { "… " } else { "" };
    let after = if keep_to < line_end { " …" } else { "" };
    let clipped = format!(
        "{}{before}{}{after}{}",
        &text[..line_start],
        &text[keep_from..keep_to],
        &text[line_end..]
    );
    let shift = |offset: usize| offset - keep_from + line_start + before.len();
    error.span = Some(shift(start)..shift(end));
    error.related = error
        .related
        .into_iter()
        .filter(|(s, _)| {
            s.end <= line_start || s.start >= line_end || (s.start >= keep_from && s.end <= keep_to)
        })
        .map(|(s, l)| {
            let moved = if s.start >= line_end {
                let delta = (line_end - line_start) as isize
                    - (keep_to - keep_from + before.len() + after.len()) as isize;
                (s.start as isize - delta) as usize..(s.end as isize - delta) as usize
            } else if s.end <= line_start {
                s
            } else {
                shift(s.start)..shift(s.end)
            };
            (moved, l)
        })
        .collect();
    (clipped, error)
}

/// An error and its whole cause chain, one cause per line (tera and Typst hide the real cause
/// deep in the chain).
pub fn error_chain(error: &anyhow::Error) -> String {
    let mut text = format!("erreur : {error}");
    for cause in error.chain().skip(1) {
        text.push_str(&format!("\n  cause : {cause}"));
    }
    text
}

/// The whole message of an error, as the terminal shows it: located data errors with their
/// snippets, or the cause chain. One reporter for the command line, `watch` and `batch`.
pub fn describe(error: &anyhow::Error, color: bool) -> String {
    match error.downcast_ref::<DataErrors>() {
        Some(data) => data.render(color),
        None => error_chain(error) + "\n",
    }
}

/// Prints the warnings of a dossier (suspicious but possible data), if any.
pub fn print_warnings(warnings: &DataErrors) {
    use std::io::IsTerminal;
    if !warnings.errors.is_empty() {
        eprint!("{}", warnings.render(std::io::stderr().is_terminal()));
    }
}

/// Prints Typst's warnings about the generated document.
pub fn print_typst_warnings(warnings: &[String]) {
    for warning in warnings {
        eprintln!("avertissement Typst :\n{warning}");
    }
}

/// A problem with its place in the file, as line and column.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Location {
    /// File path as given by the user.
    pub fichier: String,
    /// Line (from 1).
    pub ligne: Option<usize>,
    /// Column in characters (from 1).
    pub colonne: Option<usize>,
    /// Field path, when known.
    pub champ: Option<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub aide: Option<String>,
    /// An error (true) or a warning.
    pub erreur: bool,
}

/// Line and column (both from 1, column in characters) of a byte offset.
fn line_column(source: &str, offset: usize) -> (Option<usize>, Option<usize>) {
    let offset = offset.min(source.len());
    let Some(before) = source.get(..offset) else { return (None, None) };
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (Some(line), Some(column))
}

fn to_diagnostic(error: &DataError) -> Diagnostic<()> {
    let diagnostic = match error.severity {
        Severity::Error => Diagnostic::error(),
        Severity::Warning => Diagnostic::warning(),
    };
    let mut notes = Vec::new();
    if let Some(field) = &error.field {
        notes.push(format!("champ : {field}"));
    }
    if let Some(hint) = &error.hint {
        notes.push(format!("aide : {hint}"));
    }
    let mut labels: Vec<Label<()>> =
        error.span.clone().map(|s| Label::primary((), s)).into_iter().collect();
    labels
        .extend(error.related.iter().map(|(s, l)| Label::secondary((), s.clone()).with_message(l)));
    diagnostic.with_message(&error.message).with_labels(labels).with_notes(notes)
}

fn buffer_fallback(buffer: &mut termcolor::Buffer, error: &DataError) {
    use std::io::Write;
    let _ = writeln!(buffer, "erreur : {} ({})", error.message, error.file.display());
}

impl fmt::Display for DataErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.render(false).trim_end())
    }
}

impl std::error::Error for DataErrors {}

/// Replaces the English frame words of codespan-reporting ("error:", "warning:", "hint:") by
/// their French equivalents; the located snippet is left as it is.
pub fn frenchify(rendered: &str) -> String {
    rendered
        .lines()
        .map(|line| {
            let line = if let Some(rest) = line.strip_prefix("error") {
                format!("erreur{rest}")
            } else if let Some(rest) = line.strip_prefix("warning") {
                format!("avertissement{rest}")
            } else {
                line.to_string()
            };
            line.replacen("= hint:", "= aide :", 1) + "\n"
        })
        .collect()
}

/// Translates a serde/toml message into French, with a hint when one helps.
///
/// The toml crate reports in English; users of this tool read French. Unknown message shapes are
/// kept as they are behind a French prefix rather than lost.
pub fn translate(message: &str) -> (String, Option<String>) {
    let message = message.trim();
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let (field, expected) = split_expected(rest);
        let hint = suggestion(&field, &expected)
            .map(|s| format!("vouliez-vous dire `{s}` ?"))
            .or_else(|| {
                (!expected.is_empty()).then(|| format!("clés possibles : {}", quote_all(&expected)))
            });
        return (format!("clé inconnue `{field}`"), hint);
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let (value, expected) = split_expected(rest);
        let hint = suggestion(&value, &expected)
            .map(|s| format!("vouliez-vous dire `{s}` ?"))
            .unwrap_or_else(|| format!("valeurs possibles : {}", quote_all(&expected)));
        return (format!("valeur non reconnue `{value}`"), Some(hint));
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        let field = rest.trim_matches('`');
        return (
            format!("champ obligatoire manquant : `{field}`"),
            Some(format!("ajoutez `{field} = …` dans cette table")),
        );
    }
    if let Some(rest) = message.strip_prefix("invalid type: integer `")
        && let Some((digits, _)) = rest.split_once("` as i128")
    {
        return (
            format!("nombre trop grand : {digits}"),
            Some(
                "un nombre entier va au plus jusqu'à 9223372036854775807 : vérifiez les chiffres"
                    .into(),
            ),
        );
    }
    if message.starts_with("floating-point number overflowed") {
        return (
            "nombre trop grand : au-delà de 10 puissance 308".into(),
            Some("vérifiez les chiffres et l'exposant (1e400 n'existe pas)".into()),
        );
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        return translate_invalid_type(rest);
    }
    if let Some(rest) = message.strip_prefix("duplicate key ") {
        return (
            format!("clé en double : {rest}"),
            Some("chaque clé ne peut apparaître qu'une fois par table".into()),
        );
    }
    if message.starts_with("date ") || message.starts_with("valeur ") {
        return (message.to_string(), None);
    }
    syntax(message)
}

/// The TOML parser's descriptions of syntax errors, in French (toml_parser 1.x wording).
const SYNTAX: &[(&str, &str)] = &[
    ("`_` may only go between digits", "`_` ne peut séparer que des chiffres"),
    ("carriage return must be followed by newline", "retour chariot isolé"),
    ("extra `=`", "`=` en trop"),
    ("extra assignment between key-value pairs", "affectation en trop"),
    ("extra comma in array", "virgule en trop dans la liste"),
    ("extra comma in inline table", "virgule en trop dans la table { … }"),
    (
        "integers with a radix cannot be signed",
        "un nombre hexadécimal, octal ou binaire ne prend pas de signe",
    ),
    ("invalid comment character", "caractère interdit dans un commentaire"),
    ("invalid inline table element", "élément invalide dans la table { … }"),
    ("invalid key-value pair", "ligne « clé = valeur » invalide"),
    ("invalid unquoted key", "clé invalide (écrivez-la entre guillemets)"),
    ("invalid value", "valeur invalide"),
    ("invalid key", "clé invalide"),
    ("invalid table", "en-tête de table invalide"),
    ("invalid basic string", "texte entre guillemets non fermé"),
    ("invalid literal string", "texte entre apostrophes non fermé"),
    ("invalid multi-line basic string", "texte sur plusieurs lignes non fermé"),
    ("invalid multi-line literal string", "texte sur plusieurs lignes non fermé"),
    ("invalid string", "texte invalide"),
    ("invalid boolean", "booléen invalide (true ou false)"),
    ("invalid date-time", "date invalide (AAAA-MM-JJ)"),
    ("invalid float", "nombre décimal invalide (point décimal : 1234.5)"),
    ("invalid integer number", "nombre invalide"),
    ("key with no value", "clé sans valeur"),
    (
        "keys cannot be multi-line basic strings",
        "une clé ne peut pas être un texte sur plusieurs lignes",
    ),
    (
        "keys cannot be multi-line literal strings",
        "une clé ne peut pas être un texte sur plusieurs lignes",
    ),
    ("missing array opening", "`[` ouvrant manquant"),
    ("missing assignment between key-value pairs", "`=` manquant"),
    ("missing comma between array elements", "virgule manquante entre deux éléments de la liste"),
    (
        "missing comma between key-value pairs",
        "virgule manquante entre deux éléments de la table { … }",
    ),
    ("missing comment start", "`#` manquant avant le commentaire"),
    ("missing escaped value", "caractère manquant après la barre oblique inverse"),
    ("missing inline table opening", "`{` ouvrant manquant"),
    ("missing key for inline table element", "clé manquante dans la table { … }"),
    ("missing opening quote", "guillemet ouvrant manquant"),
    ("missing table open", "`[` ouvrant manquant"),
    ("missing value for key", "valeur manquante après la clé"),
    ("missing value", "valeur manquante"),
    ("radix must be lowercase", "le préfixe 0x, 0o ou 0b s'écrit en minuscules"),
    ("redundant integer number prefix", "préfixe de nombre en double"),
    ("redundant numeric sign", "signe en double"),
    ("string values must be quoted", "un texte s'écrit entre guillemets"),
    ("too few unicode value digits", "code unicode incomplet"),
    ("unclosed array table", "en-tête [[ … ]] non fermé"),
    ("unclosed inline table", "table { … } non fermée"),
    ("unclosed array", "liste [ … ] non fermée"),
    ("unclosed table", "en-tête [ … ] non fermé"),
    ("unexpected `=` in array", "`=` inattendu dans une liste"),
    ("unexpected content between comment and newline", "contenu inattendu après le commentaire"),
    ("unexpected content", "contenu inattendu"),
    ("unexpected key or value", "clé ou valeur inattendue"),
    ("unexpected leading zero", "zéro initial inattendu (écrivez 7 et non 07)"),
    ("unexpected sign", "signe inattendu"),
    ("unquoted keys cannot be empty", "clé vide"),
    ("cannot recurse further; max recursion depth met", "imbrication trop profonde"),
    ("duplicate key", "clé en double"),
    ("invalid date", "date invalide (AAAA-MM-JJ)"),
    ("invalid time", "heure invalide"),
    ("invalid datetime", "date invalide (AAAA-MM-JJ)"),
    ("invalid offset", "fuseau horaire invalide"),
];

/// What the parser expected, in French.
const EXPECTED: &[(&str, &str)] = &[
    ("multi-line basic string", "un texte sur plusieurs lignes"),
    ("multi-line literal string", "un texte sur plusieurs lignes"),
    ("basic string", "un texte entre guillemets"),
    ("literal string", "un texte entre apostrophes"),
    ("unquoted string", "une clé"),
    ("key", "une clé"),
    ("value", "une valeur"),
    ("digits", "des chiffres"),
    ("letters", "des lettres"),
    ("numbers", "des chiffres"),
    ("characters", "des caractères"),
    ("printable characters", "des caractères imprimables"),
    ("unicode hexadecimal value", "un code unicode hexadécimal"),
    ("non-double-quote visible characters", "des caractères visibles"),
    ("non-single-quote characters", "des caractères"),
    ("non-single-quote visible characters", "des caractères visibles"),
    ("newline", "un retour à la ligne"),
    ("whitespace", "une espace"),
    ("comment", "un commentaire"),
    ("month between 01 and 12", "un mois entre 01 et 12"),
    ("day between 01 and 28", "un jour entre 01 et 28"),
    ("day between 01 and 29", "un jour entre 01 et 29"),
    ("day between 01 and 30", "un jour entre 01 et 30"),
    ("day between 01 and 31", "un jour entre 01 et 31"),
    ("a four-digit year (YYYY)", "une année à quatre chiffres"),
    ("a two-digit month (MM)", "un mois à deux chiffres"),
    ("a two-digit day (DD)", "un jour à deux chiffres"),
];

/// A TOML syntax message in French: the parser's description and what it expected, translated
/// from the parser's own wording; a wording we do not know keeps a French frame.
fn syntax(message: &str) -> (String, Option<String>) {
    let (description, expected) = message.split_once(", expected ").unwrap_or((message, ""));
    let french = |table: &[(&str, &str)], text: &str| {
        table.iter().find(|(en, _)| *en == text.trim()).map(|(_, fr)| fr.to_string())
    };
    let Some(what) = french(SYNTAX, description) else {
        return (format!("syntaxe TOML invalide ({message})"), None);
    };
    let items: Vec<String> = expected
        .split([',', '|'])
        .flat_map(|part| part.split(" or "))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            if p.starts_with('`') {
                p.to_string()
            } else {
                french(EXPECTED, p).unwrap_or(p.to_string())
            }
        })
        .collect();
    let hint = (!items.is_empty()).then(|| format!("attendu ici : {}", items.join(" ou ")));
    (format!("syntaxe TOML invalide : {what}"), hint)
}

fn translate_invalid_type(rest: &str) -> (String, Option<String>) {
    let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
    let found = found
        .replace("string", "texte")
        .replace("integer", "nombre entier")
        .replace("floating point", "nombre décimal")
        .replace("boolean", "booléen")
        .replace("sequence", "liste")
        .replace("map", "table");
    let expected_fr = match expected {
        "f64" | "f32" => "un nombre (sans guillemets, avec un point décimal : 1234.5)",
        "i32" | "i64" | "u32" | "u64" | "u8" | "usize" => "un nombre entier (sans guillemets)",
        "a string" => "un texte entre guillemets",
        "a boolean" => "true ou false",
        "a sequence" => "une liste entre crochets [ … ]",
        e if e.starts_with("struct") => "une table",
        e => e,
    };
    (format!("type invalide : {found}, attendu {expected_fr}"), None)
}

fn split_expected(rest: &str) -> (String, Vec<String>) {
    let (value, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
    let expected = expected.trim_start_matches("one of ");
    let list = expected
        .split(", ")
        .map(|s| s.trim_matches('`').to_string())
        .filter(|s| !s.is_empty() && !s.contains(' '))
        .collect();
    (value.trim_matches('`').to_string(), list)
}

fn quote_all(list: &[String]) -> String {
    list.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

/// What tells two names apart when they look alike: the characters that differ, named with
/// their code ("tiret « - » (U+002D) au lieu de « – » (U+2013)"). `None` when the
/// difference is visible enough (more than three characters, or letters).
pub fn difference(typed: &str, known: &str) -> Option<String> {
    let (a, b): (Vec<char>, Vec<char>) = (typed.chars().collect(), known.chars().collect());
    let code = |c: &char| format!("« {c} » (U+{:04X})", u32::from(*c));
    if a.len() == b.len() {
        // Same length: the characters swapped for look-alikes ("-" for "–", "'" for "’").
        let mut pairs: Vec<(char, char)> =
            a.iter().zip(&b).filter(|(x, y)| x != y).map(|(x, y)| (*x, *y)).collect();
        pairs.dedup();
        if !pairs.is_empty() && pairs.len() <= 3 {
            let list: Vec<String> =
                pairs.iter().map(|(x, y)| format!("{} au lieu de {}", code(x), code(y))).collect();
            return Some(format!("écrit {}", list.join(", ")));
        }
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix =
        a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (ours, theirs) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    if ours.len() + theirs.len() > 3 || ours.iter().chain(theirs).any(|c| c.is_alphanumeric()) {
        return None;
    }
    let show = |cs: &[char]| -> String {
        if cs.is_empty() {
            return "rien".into();
        }
        cs.iter().map(code).collect::<Vec<_>>().join(" ")
    };
    Some(format!("écrit {} au lieu de {}", show(ours), show(theirs)))
}

/// The closest candidate to a misspelled name, if close enough to be a typo.
pub fn suggestion(input: &str, candidates: &[String]) -> Option<String> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(input, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_field_suggests_the_closest_key() {
        let (msg, hint) = translate(
            "unknown field `partenares`, expected one of `texte`, `liste`, `partenaires`",
        );
        assert_eq!(msg, "clé inconnue `partenares`");
        assert_eq!(hint.as_deref(), Some("vouliez-vous dire `partenaires` ?"));
    }

    #[test]
    fn invalid_type_says_what_is_expected_in_french() {
        let (msg, _) = translate("invalid type: string \"beaucoup\", expected f64");
        assert!(msg.starts_with("type invalide : texte \"beaucoup\", attendu un nombre"), "{msg}");
    }
}
