//! French typography of numbers and dates, shared by the templates, the charts, the
//! validation messages and the phase-to-phase comparison.
//!
//! Written by hand: a few lines each, following French typographic conventions (narrow no-break
//! thousands separator, decimal comma, "1er" for the first of the month) that no crate implements.

use crate::model::Date;

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

const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// Formats a date the French way: "24 novembre 2026", "1er mars 2026".
pub fn format_date(date: Date) -> String {
    let day = if date.day == 1 { "1er".to_string() } else { date.day.to_string() };
    format!("{day} {} {}", MONTHS[usize::from(date.month) - 1], date.year)
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
