//! Calendar dates as the dossier writes them (`2026-11-24`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A calendar date, written in TOML as `2026-11-24` (TOML date) or `"2026-11-24"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "DateInput", into = "String")]
pub struct Date {
    /// Year, e.g. 2026.
    pub year: i32,
    /// Month, 1–12.
    pub month: u8,
    /// Day of month, 1–31.
    pub day: u8,
}

/// The months in French, lower case (« février »): dates in words, here and in `fr`.
pub const MONTHS: [&str; 12] = [
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

#[derive(Deserialize)]
#[serde(untagged)]
enum DateInput {
    Toml(toml::value::Datetime),
    Text(String),
}

impl TryFrom<DateInput> for Date {
    type Error = String;

    fn try_from(input: DateInput) -> Result<Self, String> {
        let text = match input {
            DateInput::Toml(dt) => match (dt.date, dt.time) {
                (Some(_), None) => dt.to_string(),
                _ => return Err(format!("date attendue (AAAA-MM-JJ), trouvé « {dt} »")),
            },
            DateInput::Text(text) => text,
        };
        Date::parse(&text)
    }
}

impl Date {
    /// The years a dossier's date may fall in. A date picker accepts years up to 275760; a
    /// year typed one digit too long is a slip, and a chart spanning centuries cannot be drawn.
    pub const PLAUSIBLE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

    /// Parses `AAAA-MM-JJ`, checking that the day exists.
    pub fn parse(text: &str) -> Result<Date, String> {
        let err = || {
            format!("date invalide « {text} » : format attendu AAAA-MM-JJ, par exemple 2026-11-24")
        };
        let mut parts = text.trim().splitn(3, '-');
        let mut next = || parts.next().and_then(|p| p.parse::<i32>().ok()).ok_or_else(err);
        let (year, month, day) = (next()?, next()?, next()?);
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return Err(err());
        }
        if day > days_in_month(year, month) {
            let name = MONTHS[(month - 1) as usize];
            return Err(format!("date invalide « {text} » : le {day} {name} {year} n'existe pas"));
        }
        if !Date::PLAUSIBLE_YEARS.contains(&year) {
            return Err(format!(
                "date invalide « {text} » : l'année {year} est hors de la plage admise ({} à {})",
                Date::PLAUSIBLE_YEARS.start(),
                Date::PLAUSIBLE_YEARS.end()
            ));
        }
        Ok(Date { year, month: month as u8, day: day as u8 })
    }
}

impl Date {
    /// A date written the French way, `15/12/2026` (day, month, year), if it exists.
    pub fn from_french(text: &str) -> Option<Date> {
        let parts: Vec<&str> = text.trim().split('/').collect();
        match parts.as_slice() {
            [d, m, y]
                if y.len() == 4 && (1..=2).contains(&d.len()) && (1..=2).contains(&m.len()) =>
            {
                Date::parse(&format!("{y}-{m:0>2}-{d:0>2}")).ok()
            }
            _ => None,
        }
    }

    /// The UTC calendar date of a Unix timestamp (seconds), if representable.
    pub fn from_unix(seconds: i64) -> Option<Date> {
        // Civil-from-days (Howard Hinnant's algorithm): a few lines instead of a date crate.
        let days = seconds.div_euclid(86_400);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = i32::try_from(yoe + era * 400 + i64::from(month <= 2)).ok()?;
        Some(Date { year, month, day })
    }
}

fn days_in_month(year: i32, month: i32) -> i32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date",
            "description": "Date au format AAAA-MM-JJ (par exemple 2026-11-24)"
        })
    }
}

impl From<Date> for String {
    fn from(d: Date) -> String {
        format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
    }
}
