//! The partner ecosystem (4.1): the Cité at the top, three branches for the kinds of
//! contribution (financeurs, services, ressources), each listing its partners. A partner with
//! several kinds of contribution appears under each.

use anyhow::Result;
use plotters::style::WHITE;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{self, DARK, GRAY, INK, LABEL, LIGHT, MEDIUM, SMALL, WIDTH};
use crate::model::{Partenaire, Role};

const COLUMNS: [(Role, &str); 3] = [
    (Role::Financeur, "Partenaires de financement"),
    (Role::Services, "Partenaires de services"),
    (Role::Ressources, "Partenaires de ressources"),
];
const HEAD: i32 = 120;
/// Most partners listed per column; the others are counted in a last box.
const MAX_PER_COLUMN: usize = 30;
const GAP: i32 = 14;

/// Draws the ecosystem.
pub fn draw(cite: &str, partners: &[Partenaire]) -> Result<String> {
    let groups: Vec<Vec<&Partenaire>> = COLUMNS
        .iter()
        .map(|(role, _)| partners.iter().filter(|p| p.roles.contains(role)).collect())
        .collect();
    let longest = groups.iter().map(|g| g.len().min(MAX_PER_COLUMN + 1)).max().unwrap_or(0);
    // Dense layout beyond 16 partners in a column: one line per partner, smaller text.
    let dense = longest > 16;
    let (size, row, lines) = if dense { (SMALL, 22, 1) } else { (LABEL, 40, 2) };
    let col_w = (WIDTH as i32 - 2 * GAP) / 3;
    let height = HEAD + 10 + row * longest.max(1) as i32 + 10;

    canvas::draw(height as u32, |area| {
        let center = WIDTH as i32 / 2;
        let title = canvas::shorten(cite, LABEL, true, f64::from(WIDTH) * 0.6);
        let title_w = canvas::text_width(&title, LABEL, true) as i32 + 40;
        canvas::rect(area, (center - title_w / 2, 4), (center + title_w / 2, 40), DARK)?;
        canvas::text(
            area,
            &title,
            (center, 22),
            &canvas::font(LABEL, true, WHITE, HPos::Center, VPos::Center),
        )?;
        for (k, ((_, name), members)) in COLUMNS.iter().zip(&groups).enumerate() {
            let x0 = k as i32 * (col_w + GAP);
            let mid = x0 + col_w / 2;
            canvas::line(area, (center, 40), (mid, 70), GRAY, 2)?;
            canvas::rect(area, (x0, 70), (x0 + col_w, HEAD - 8), MEDIUM)?;
            let head = format!("{name} ({})", members.len());
            let head = canvas::shorten(&head, LABEL, true, f64::from(col_w - 12));
            canvas::text(
                area,
                &head,
                (mid, (70 + HEAD - 8) / 2),
                &canvas::font(LABEL, true, WHITE, HPos::Center, VPos::Center),
            )?;
            let style = canvas::font(size, false, INK, HPos::Center, VPos::Center);
            let mut names: Vec<String> =
                members.iter().take(MAX_PER_COLUMN).map(|p| p.nom.clone()).collect();
            if members.len() > MAX_PER_COLUMN {
                names.push(format!("… et {} autres partenaires", members.len() - MAX_PER_COLUMN));
            }
            for (i, name) in names.iter().enumerate() {
                let y0 = HEAD + 4 + row * i as i32;
                canvas::rect(area, (x0 + 4, y0), (x0 + col_w - 4, y0 + row - 4), LIGHT)?;
                let text = canvas::wrap(name, size, false, f64::from(col_w - 20), lines);
                let first = y0 + (row - 4) / 2 - (text.len() as i32 - 1) * (size as i32 + 2) / 2;
                for (j, line) in text.iter().enumerate() {
                    canvas::text(area, line, (mid, first + j as i32 * (size as i32 + 2)), &style)?;
                }
            }
        }
        Ok(())
    })
}

/// Alt text listing the partners of each kind.
pub fn describe(partners: &[Partenaire]) -> String {
    let parts: Vec<String> = COLUMNS
        .iter()
        .map(|(role, name)| {
            let names: Vec<String> = partners
                .iter()
                .filter(|p| p.roles.contains(role))
                .map(|p| canvas::clean(&p.nom))
                .collect();
            format!(
                "{name} ({}) : {}",
                names.len(),
                if names.is_empty() { "aucun".into() } else { names.join(", ") }
            )
        })
        .collect();
    format!("Schéma de l'écosystème partenarial par type de contribution. {}.", parts.join(" ; "))
}
