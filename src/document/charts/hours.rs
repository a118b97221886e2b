//! Weekly opening-hours grid: one row per day, slots placed on an hour scale.

use anyhow::Result;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{self, DARK, GRAY, GRID, INK, LABEL, SMALL, WIDTH};
use crate::model::{Horaires, JourSemaine};

/// The band of a closed day: paler than the grid's lines are dark.
const CLOSED: plotters::style::RGBColor = plotters::style::RGBColor(0xf3, 0xf3, 0xf3);

const ROW: i32 = 34;
const TOP: i32 = 30;
const LEFT: i32 = 110;
const RIGHT: i32 = 70;

/// The seven days of the week in order, each with its slots (a day listed twice has both
/// lists): a day without slots is closed, and shown so.
fn week(hours: &Horaires) -> Vec<(&'static str, Vec<(u32, u32)>)> {
    JourSemaine::ALL
        .iter()
        .map(|&day| {
            let slots = hours.jours.iter().filter(|d| d.jour == day).flat_map(|d| d.slots());
            (day.label(), slots.collect())
        })
        .collect()
}

/// Draws the grid, Monday to Sunday, « Fermé » on the days without opening; slots that do not
/// parse are left out (validation reports them).
pub fn draw(hours: &Horaires) -> Result<String> {
    let days = week(hours);
    let all = days.iter().flat_map(|(_, s)| s.iter());
    let start = all.clone().map(|s| s.0 / 60).min().unwrap_or(8).min(8);
    let end = all.map(|s| s.1.div_ceil(60)).max().unwrap_or(18).max(18);
    let span = f64::from(WIDTH as i32 - LEFT - RIGHT);
    let x = |minutes: u32| {
        LEFT + (span * f64::from(minutes - start * 60) / f64::from((end - start) * 60)) as i32
    };
    let height = TOP + ROW * days.len() as i32 + 8;

    canvas::draw(height as u32, |area| {
        let tick = canvas::font(SMALL, false, GRAY, HPos::Center, VPos::Bottom);
        for h in start..=end {
            canvas::line(area, (x(h * 60), TOP - 4), (x(h * 60), height - 6), GRID, 1)?;
            canvas::text(area, &format!("{h}\u{a0}h"), (x(h * 60), TOP - 8), &tick)?;
        }
        let day_style = canvas::font(LABEL, true, INK, HPos::Right, VPos::Center);
        let total_style = canvas::font(LABEL, false, INK, HPos::Right, VPos::Center);
        let inside = canvas::font(SMALL, false, plotters::style::WHITE, HPos::Center, VPos::Center);
        for (row, (day, slots)) in days.iter().enumerate() {
            let mid = TOP + ROW * row as i32 + ROW / 2;
            canvas::text(
                area,
                &canvas::shorten(&capitalize(day), LABEL, true, f64::from(LEFT - 16)),
                (LEFT - 10, mid),
                &day_style,
            )?;
            if slots.is_empty() {
                canvas::rect(area, (x(start * 60), mid - 11), (x(end * 60), mid + 11), CLOSED)?;
                let closed = canvas::font(SMALL, false, GRAY, HPos::Center, VPos::Center);
                canvas::text(area, "Fermé", ((x(start * 60) + x(end * 60)) / 2, mid), &closed)?;
                continue;
            }
            let mut total = 0;
            for &(a, b) in slots {
                total += b - a;
                canvas::rect(area, (x(a), mid - 11), (x(b), mid + 11), DARK)?;
                let label = crate::fr::format_slot((a, b));
                if canvas::text_width(&label, SMALL, false) < f64::from(x(b) - x(a) - 8) {
                    canvas::text(area, &label, ((x(a) + x(b)) / 2, mid), &inside)?;
                }
            }
            let total = crate::fr::format_auto(f64::from(total) / 60.0, 2);
            canvas::text(area, &format!("{total}\u{a0}h"), (WIDTH as i32 - 8, mid), &total_style)?;
        }
        Ok(())
    })
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Alt text listing the slots of each day.
pub fn describe(hours: &Horaires) -> String {
    let days: Vec<String> = week(hours)
        .into_iter()
        .map(|(day, slots)| {
            let slots: Vec<String> = slots.into_iter().map(crate::fr::format_slot).collect();
            let slots = if slots.is_empty() { "fermé".to_string() } else { slots.join(", ") };
            format!("{day} : {slots}")
        })
        .collect();
    format!("Grille hebdomadaire des horaires d'ouverture. {}.", days.join(" ; "))
}
