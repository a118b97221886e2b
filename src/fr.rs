//! French typography of numbers and dates, shared by the templates, the charts, the
//! validation messages and the phase-to-phase comparison.
//!
//! Written by hand: a few lines each, following French typographic conventions (narrow no-break
//! thousands separator, decimal comma, "1er" for the first of the month) that no crate implements.

use crate::model::{Date, MONTHS};

/// Narrow no-break space (U+202F): French thousands separator and space before `; : ! ?`.
pub const NNBSP: char = '\u{202F}';
/// No-break space (U+00A0): before units and currency.
pub const NBSP: char = '\u{A0}';

/// Formats a number the French way: `1 234 567,5` with narrow no-break spaces.
pub fn format_number(value: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let mut out = String::new();
    if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.push('−');
    }
    for (i, digit) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i) % 3 == 0 {
            out.push(NNBSP);
        }
        out.push(digit);
    }
    if let Some(frac) = frac_part {
        out.push(',');
        out.push_str(frac);
    }
    out
}

/// French typography of numbers typed in text: the space between groups of digits
/// ("11 350") and before a unit sign ("22 %", "40 €") becomes a narrow no-break space, so that
/// a number is never split across two lines. Nothing else changes: the text reads the same.
pub fn bind_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let digit = |i: usize| chars.get(i).is_some_and(char::is_ascii_digit);
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let between = c == ' ' && i > 0 && digit(i - 1);
        let group = between && digit(i + 1) && digit(i + 2) && digit(i + 3) && !digit(i + 4);
        let unit = between && matches!(chars.get(i + 1), Some('%' | '€'));
        out.push(if group || unit { NNBSP } else { c });
    }
    out
}

/// A file size in French decimal units ("840 ko", "12,3 Mo", "64 Mo", "1,5 Go"): the one way
/// sizes and limits are printed, so that a message says what the README says.
pub fn format_size(bytes: u64) -> String {
    let b = bytes as f64;
    match bytes {
        0..1_000 => format!("{bytes}\u{a0}o"),
        1_000..1_000_000 => format!("{}\u{a0}ko", format_number(b / 1e3, 0)),
        1_000_000..1_000_000_000 => format!("{}\u{a0}Mo", format_auto(round1(b / 1e6), 1)),
        _ => format!("{}\u{a0}Go", format_auto(round1(b / 1e9), 1)),
    }
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// Formats an amount in euros: cents only when there are some (`1 234 €`, `12,50 €`).
pub fn format_euros(value: f64) -> String {
    let decimals = if (value * 100.0).round() % 100.0 == 0.0 { 0 } else { 2 };
    format!("{}{NBSP}€", format_number(value, decimals))
}

/// Formats a number with as many decimals as it has (up to `max`), dropping trailing zeros.
pub fn format_auto(value: f64, max: usize) -> String {
    let decimals = (0..=max)
        .find(|&d| {
            let scale = 10f64.powi(d as i32);
            ((value * scale).round() - value * scale).abs() < 1e-6
        })
        .unwrap_or(max);
    format_number(value, decimals)
}

/// A time the French way: "9 h", "9 h 30" (no-break spaces).
pub fn format_time(minutes: u32) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    if m == 0 { format!("{h}{NBSP}h") } else { format!("{h}{NBSP}h{NBSP}{m:02}") }
}

/// An opening slot the French way: "9 h 30 – 12 h 30" (en dash between no-break spaces).
pub fn format_slot((start, end): (u32, u32)) -> String {
    format!("{}{NBSP}–{NBSP}{}", format_time(start), format_time(end))
}

/// The number (1 to 12) of a French month name (« septembre » → 9), 0 for any other word.
pub fn month_number(name: &str) -> usize {
    let name = name.to_lowercase();
    MONTHS.iter().position(|m| *m == name).map_or(0, |i| i + 1)
}

/// An aside added to a phrase: « (2026) » after a space, or « , 2025 (première année) » when
/// the text holds parentheses of its own, so that a phrase never closes on « )) ». Empty for an
/// empty text.
pub fn aside(text: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        String::new()
    } else if text.contains(['(', ')']) {
        format!(", {text}")
    } else {
        format!(" ({text})")
    }
}

/// Months `first` to `last` (1-based) in words: « novembre », « novembre et décembre »,
/// « octobre à décembre ».
pub fn month_range(first: usize, last: usize) -> String {
    let name = |m: usize| MONTHS.get(m.clamp(1, 12) - 1).copied().unwrap_or_default();
    match last.saturating_sub(first) {
        0 => name(first).to_string(),
        1 => format!("{} et {}", name(first), name(last)),
        _ => format!("{} à {}", name(first), name(last)),
    }
}

/// Formats a date the French way: "24 novembre 2026", "1er mars 2026".
pub fn format_date(date: Date) -> String {
    let day = if date.day == 1 { "1er".to_string() } else { date.day.to_string() };
    format!("{day} {} {}", MONTHS[usize::from(date.month) - 1], date.year)
}

/// Common nouns that open the names of French public bodies, with their gender: what a name
/// needs to take its article (« la Communauté de communes… », « l'État », « le Département »).
/// Written by hand: no crate knows the gender of French nouns; a name that starts with none of
/// these is taken as a proper name, written without article (« France Travail », « Apec »).
const NOUNS: &[(&str, bool)] = &[
    // (noun, feminine)
    ("agence", true),
    ("agglomération", true),
    ("association", true),
    ("banque", true),
    ("caisse", true),
    ("centre", false),
    ("chambre", true),
    ("cité", true),
    ("collectivité", true),
    ("comité", false),
    ("commune", true),
    ("communauté", true),
    ("conseil", false),
    ("département", false),
    ("direction", true),
    ("école", true),
    ("entreprise", true),
    ("établissement", false),
    ("état", false),
    ("fédération", true),
    ("fondation", true),
    ("fonds", false),
    ("groupement", false),
    ("institut", false),
    ("maison", true),
    ("mairie", true),
    ("métropole", true),
    ("mission", true),
    ("office", false),
    ("opérateur", false),
    ("pôle", false),
    ("préfecture", true),
    ("région", true),
    ("réseau", false),
    ("service", false),
    ("syndicat", false),
    ("union", true),
    ("université", true),
    ("ville", true),
];

/// Whether a word starts with a vowel sound (elision: « l'État », « d'investissement »).
fn elides(word: &str) -> bool {
    let folded = deunicode::deunicode(word).to_lowercase();
    folded.starts_with(['a', 'e', 'i', 'o', 'u', 'y']) || folded.starts_with('h')
}

/// A name with its definite article when it opens with a common noun (« Communauté de communes
/// du Serre » → « la Communauté de communes du Serre », « État » → « l'État ») and as written
/// otherwise; a name that already has its article keeps it, in lower case.
pub fn with_article(name: &str) -> String {
    let name = name.trim();
    let first = name.split([' ', '-', '\'', '’']).next().unwrap_or_default();
    let lower = first.to_lowercase();
    if ["la", "le", "les"].contains(&lower.as_str()) && name.len() > first.len() {
        return format!("{lower}{}", &name[first.len()..]);
    }
    if let Some(rest) = name.strip_prefix("L'").or_else(|| name.strip_prefix("L’")) {
        return format!("l'{rest}");
    }
    match NOUNS.iter().find(|(noun, _)| *noun == lower) {
        Some(_) if elides(first) => format!("l'{name}"),
        Some((_, true)) => format!("la {name}"),
        Some((_, false)) => format!("le {name}"),
        None => name.to_string(),
    }
}

/// « de » before a name, contracted and elided as French writes it: « du Département », « de
/// la Région », « de l'État », « d'Action Logement », « des Compagnons ».
pub fn of(name: &str) -> String {
    let named = with_article(name);
    if let Some(rest) = named.strip_prefix("le ") {
        format!("du {rest}")
    } else if let Some(rest) = named.strip_prefix("les ") {
        format!("des {rest}")
    } else if named.starts_with("la ") || named.starts_with("l'") {
        format!("de {named}")
    } else if elides(&named) {
        format!("d'{named}")
    } else {
        format!("de {named}")
    }
}

/// A count and its noun, the noun plural from 2 on as French writes it (« 0 jour », « 1
/// dossier », « 3 dossiers »): `many` is the plural form.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n}{NBSP}{}", noun(n, one, many))
}

/// The form of a noun after a count of `n`: plural from 2 on, as French writes it.
pub fn noun<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n >= 2 { many } else { one }
}

/// The value of a French number word from « un » to « cent » (« quatre », « vingt-deux »,
/// « soixante et onze », « quatre-vingt-dix »), None for any other word. What the checks read
/// in texts (« Dix structures ont signé… »). Written by hand: the compound numbers follow
/// a few rules that no crate in reach parses.
pub fn number_word(text: &str) -> Option<u32> {
    const UNITS: [&str; 17] = [
        "zero", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix",
        "onze", "douze", "treize", "quatorze", "quinze", "seize",
    ];
    const TENS: [(&str, u32); 6] = [
        ("vingt", 20),
        ("vingts", 20),
        ("trente", 30),
        ("quarante", 40),
        ("cinquante", 50),
        ("soixante", 60),
    ];
    let folded = deunicode::deunicode(text.trim()).to_lowercase();
    let words: Vec<&str> =
        folded.split(['-', ' ']).filter(|w| !w.is_empty() && *w != "et").collect();
    if words.is_empty() {
        return None;
    }
    let mut total = 0;
    let mut i = 0;
    while i < words.len() {
        let w = if words[i] == "une" { "un" } else { words[i] };
        if let Some(u) = UNITS.iter().position(|u| *u == w) {
            // « quatre-vingt(s) »
            if w == "quatre" && words.get(i + 1).is_some_and(|n| n.starts_with("vingt")) {
                total += 80;
                i += 2;
                continue;
            }
            total += u as u32;
        } else if let Some((_, t)) = TENS.iter().find(|(n, _)| *n == w) {
            total += t;
        } else if w == "cent" && i == 0 && words.len() == 1 {
            return Some(100);
        } else {
            return None;
        }
        i += 1;
    }
    (1..=100).contains(&total).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_use_french_separators() {
        assert_eq!(format_number(1234567.0, 0), "1\u{202F}234\u{202F}567");
        assert_eq!(format_number(12.5, 1), "12,5");
        assert_eq!(format_number(-1234.0, 0), "−1\u{202F}234");
        assert_eq!(format_number(999.0, 0), "999");
        assert_eq!(format_euros(1234567.0), "1\u{202F}234\u{202F}567\u{A0}€");
        assert_eq!(format_euros(12.5), "12,50\u{A0}€");
        assert_eq!(format_auto(8.25, 2), "8,25");
        assert_eq!(format_auto(300.0, 2), "300");
    }

    #[test]
    fn sizes_are_printed_in_decimal_french_units_as_the_readme_states_limits() {
        assert_eq!(format_size(840), "840\u{a0}o");
        assert_eq!(format_size(840_000), "840\u{a0}ko");
        assert_eq!(format_size(crate::fsutil::MAX_FILE_SIZE), "64\u{a0}Mo");
        assert_eq!(format_size(crate::fsutil::MAX_TEXT_SIZE), "8\u{a0}Mo");
        assert_eq!(format_size(12_340_000), "12,3\u{a0}Mo");
        assert_eq!(format_size(1_500_000_000), "1,5\u{a0}Go");
    }

    #[test]
    fn names_take_their_article_and_de_contracts() {
        assert_eq!(
            with_article("Communauté de communes du Serre"),
            "la Communauté de communes du Serre"
        );
        assert_eq!(with_article("État — préfecture"), "l'État — préfecture");
        assert_eq!(with_article("Département de la Lys"), "le Département de la Lys");
        assert_eq!(with_article("France Travail"), "France Travail");
        assert_eq!(with_article("La Poste"), "la Poste");
        assert_eq!(of("Département"), "du Département");
        assert_eq!(of("Région"), "de la Région");
        assert_eq!(of("Apec"), "d'Apec");
        assert_eq!(of("France Travail"), "de France Travail");
        assert_eq!(count(1, "jour", "jours"), "1\u{a0}jour");
        assert_eq!(count(2, "dossier", "dossiers"), "2\u{a0}dossiers");
    }

    #[test]
    fn an_aside_never_doubles_parentheses() {
        assert_eq!(aside("2026"), " (2026)");
        assert_eq!(aside("2025 (première année)"), ", 2025 (première année)");
        assert_eq!(aside(" "), "");
        assert_eq!(month_range(11, 12), "novembre et décembre");
        assert_eq!(month_range(10, 12), "octobre à décembre");
    }

    #[test]
    fn french_number_words_read_from_un_to_cent() {
        assert_eq!(number_word("Dix"), Some(10));
        assert_eq!(number_word("quatre"), Some(4));
        assert_eq!(number_word("vingt-deux"), Some(22));
        assert_eq!(number_word("soixante et onze"), Some(71));
        assert_eq!(number_word("quatre-vingt-dix"), Some(90));
        assert_eq!(number_word("quatorze"), Some(14));
        assert_eq!(number_word("cent"), Some(100));
        assert_eq!(number_word("dixième"), None);
        assert_eq!(number_word("le"), None);
    }

    #[test]
    fn dates_are_written_in_french() {
        assert_eq!(format_date(Date::parse("2026-11-24").unwrap()), "24 novembre 2026");
        assert_eq!(format_date(Date::parse("2026-03-01").unwrap()), "1er mars 2026");
        let n = NNBSP;
        assert_eq!(
            bind_numbers("11 350 habitants, 22 % et 40 €"),
            format!("11{n}350 habitants, 22{n}% et 40{n}€")
        );
        assert_eq!(
            bind_numbers("en 2025 1234 visites"),
            "en 2025 1234 visites",
            "not a group of three"
        );
        assert_eq!(bind_numbers("1 2 3"), "1 2 3");
    }
}
