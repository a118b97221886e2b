//! Improvement plan timeline (8.1.2): one bar per action between its start and end dates, on a
//! month scale, coloured by state.

use anyhow::Result;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{self, DARK, GRAY, GRID, INK, LABEL, LIGHT, MEDIUM, SMALL, WIDTH};
use crate::model::{ActionAmelioration, Date, Etat};

const TOP: i32 = 56;
const ROW: i32 = 40;
const MONTHS: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];

fn month_index(d: Date) -> i32 {
    d.year * 12 + i32::from(d.month) - 1
}

/// Draws the timeline.
pub fn draw(actions: &[ActionAmelioration]) -> Result<String> {
    let first = actions.iter().map(|a| month_index(a.debut.min(a.fin))).min().unwrap_or(0);
    let last = actions.iter().map(|a| month_index(a.fin.max(a.debut))).max().unwrap_or(first) + 1;
    let months = (last - first).max(1);
    let label_w = 300;
    let span = f64::from(WIDTH as i32 - label_w - 20);
    let day = |d: Date| f64::from(month_index(d) - first) + (f64::from(d.day) - 1.0) / 31.0;
    let x = |m: f64| label_w + 10 + (span * m / f64::from(months)) as i32;
    let height = TOP + ROW * actions.len() as i32 + 8;
    // Label every month when there is room, else every quarter.
    let every = if span / f64::from(months) >= 44.0 {
        1
    } else if span / f64::from(months) >= 15.0 {
        3
    } else {
        12
    };

    canvas::draw(height as u32, |area| {
        canvas::legend(area, &legend(actions), (label_w + 10, 12))?;
        let tick = canvas::font(SMALL, false, GRAY, HPos::Left, VPos::Bottom);
        for m in 0..=months {
            let abs = first + m;
            canvas::line(area, (x(f64::from(m)), TOP - 4), (x(f64::from(m)), height - 4), GRID, 1)?;
            if m < months && abs.rem_euclid(12) % every == 0 {
                let label =
                    format!("{} {}", MONTHS[abs.rem_euclid(12) as usize], abs.div_euclid(12) % 100);
                canvas::text(area, &label, (x(f64::from(m)) + 3, TOP - 6), &tick)?;
            }
        }
        let label_style = canvas::font(LABEL, false, INK, HPos::Right, VPos::Center);
        for (i, action) in actions.iter().enumerate() {
            let mid = TOP + ROW * i as i32 + ROW / 2;
            let lines = canvas::wrap(&action.action, LABEL, false, f64::from(label_w - 10), 2);
            let first_y = mid - (lines.len() as i32 - 1) * 9;
            for (j, l) in lines.iter().enumerate() {
                canvas::text(area, l, (label_w, first_y + j as i32 * 18), &label_style)?;
            }
            let (a, b) = (action.debut.min(action.fin), action.fin.max(action.debut));
            let (x0, x1) = (x(day(a)), x(day(b) + 1.0 / 31.0).max(x(day(a)) + 4));
            canvas::rect(area, (x0, mid - 10), (x1, mid + 10), state_color(action.etat))?;
        }
        Ok(())
    })
}

/// The legend: the states that have a bar, in the order of the plan (an action without a
/// state is drawn as to come).
fn legend(actions: &[ActionAmelioration]) -> Vec<(String, plotters::style::RGBColor)> {
    [Etat::Realise, Etat::EnCours, Etat::AVenir]
        .into_iter()
        .filter(|state| actions.iter().any(|a| a.etat.unwrap_or(Etat::AVenir) == *state))
        .map(|state| (state.label().to_string(), state_color(Some(state))))
        .collect()
}

fn state_color(state: Option<Etat>) -> plotters::style::RGBColor {
    match state {
        Some(Etat::Realise) => DARK,
        Some(Etat::EnCours) => MEDIUM,
        Some(Etat::AVenir) | None => LIGHT,
    }
}

/// Alt text with each action and its dates.
pub fn describe(actions: &[ActionAmelioration]) -> String {
    let items: Vec<String> = actions
        .iter()
        .map(|a| {
            let (d, f) = (crate::fr::format_date(a.debut), crate::fr::format_date(a.fin));
            format!(
                "{} : du {d} au {f}{}",
                canvas::clean(&a.action),
                a.etat.map(|e| format!(", {}", e.label().to_lowercase())).unwrap_or_default()
            )
        })
        .collect();
    format!("Diagramme de Gantt du plan d'amélioration. {}.", items.join(" ; "))
}
