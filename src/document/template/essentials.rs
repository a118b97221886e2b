//! « L'essentiel » page: the key figures of a dossier in one glance, like the first page of an
//! Insee Analyses. Only figures the data gives are shown; each tile says something the others
//! do not.

use serde::Serialize;

use super::context::Derived;
use crate::fr::{format_auto, format_euros};
use crate::input::check::Report;
use crate::model::{Dossier, Role, TypeSite};

/// The page: its tiles, and the entries still to complete ("4.2 Les moyens humains").
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Essentials {
    /// Key figures, in reading order.
    pub chiffres: Vec<KeyFigure>,
    /// Entries of the outline not complete yet.
    pub a_completer: Vec<String>,
}

/// The « L'essentiel » page of a dossier.
pub fn essentials(dossier: &Dossier, derived: &Derived, report: &Report) -> Essentials {
    let a_completer = report
        .items
        .iter()
        .filter(|i| i.statut != crate::input::check::Status::Complet)
        .map(|i| format!("{} {}", i.numero, i.titre))
        .collect();
    Essentials { chiffres: key_figures(dossier, derived, report), a_completer }
}

/// One tile: the figure, what it counts, and a detail line.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct KeyFigure {
    /// The figure, formatted in French ("612 400 €").
    pub valeur: String,
    /// What it counts ("partenaires").
    pub nom: String,
    /// A detail ("dont 6 financeurs").
    pub detail: String,
}

fn tile(valeur: String, nom: &str, detail: String) -> KeyFigure {
    KeyFigure { valeur, nom: nom.to_string(), detail }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n > 1 { many } else { one })
}

/// The key figures of a dossier, in reading order.
fn key_figures(dossier: &Dossier, derived: &Derived, report: &Report) -> Vec<KeyFigure> {
    let mut tiles = Vec::new();
    let partners = &dossier.fonctionnement.partenaires.liste;
    if !partners.is_empty() {
        let funders = partners.iter().filter(|p| p.roles.contains(&Role::Financeur)).count();
        let detail = if funders > 0 {
            format!("dont {}", plural(funders, "financeur", "financeurs"))
        } else {
            String::new()
        };
        tiles.push(tile(partners.len().to_string(), "partenaires engagés", detail));
    }
    let budget = &derived.budget_fonctionnement;
    if budget.charges > 0.0 {
        let year = &dossier.budget.fonctionnement.exercice;
        let detail = if year.is_empty() { String::new() } else { format!("exercice {year}") };
        tiles.push(tile(format_euros(budget.charges), "budget de fonctionnement", detail));
    }
    let staff = &dossier.fonctionnement.moyens_humains;
    let etp = staff.etp();
    if etp > 0.0 {
        let detail = plural(staff.functions().count(), "fonction", "fonctions");
        tiles.push(tile(format!("{}\u{a0}ETP", format_auto(etp, 1)), "équipe", detail));
    }
    tiles.extend(attendance(dossier, derived));
    if derived.horaires.semaine > 0.0 {
        let days = dossier.offre.horaires.jours.iter().filter(|d| !d.plages.is_empty()).count();
        let detail = plural(days, "jour", "jours");
        tiles.push(tile(
            format!("{}\u{a0}h", format_auto(derived.horaires.semaine, 1)),
            "d'ouverture par semaine",
            detail,
        ));
    }
    tiles.extend(sites(dossier));
    let s = &report.resume;
    let detail = if report.complet {
        "dossier complet".to_string()
    } else {
        format!("{} à compléter, {} manquant(s)", s.a_completer, s.manquant)
    };
    tiles.push(tile(
        format!("{} / {}", s.complet, s.items),
        "items et sous-items complets",
        detail,
    ));
    tiles
}

/// Attendance: the visits of the year reported (8.4), else the last year of 3.3.
fn attendance(dossier: &Dossier, derived: &Derived) -> Option<KeyFigure> {
    let report = &dossier.complements.rapport_activite;
    if derived.visites_total > 0.0 {
        let year = report.annee.map(|y| format!("en {y}")).unwrap_or_default();
        let detail = match derived.visites_total_precedent {
            Some(before) if before > 0.0 => {
                let change = 100.0 * (derived.visites_total - before) / before;
                format!(
                    "{}{} % sur un an",
                    if change >= 0.0 { "+" } else { "−" },
                    format_auto(change.abs(), 1)
                )
            }
            _ => String::new(),
        };
        return Some(tile(
            format_auto(derived.visites_total, 0),
            format!("visites {year}").trim(),
            detail,
        ));
    }
    let last = dossier.offre.frequentation.annuelle.last()?;
    Some(tile(
        format_auto(last.valeur, 0),
        &format!("visites en {}", last.annee),
        "fréquentation annuelle (3.3)".into(),
    ))
}

/// Places where the services are available (5.3).
fn sites(dossier: &Dossier) -> Option<KeyFigure> {
    let sites = &dossier.implantation.equite.sites;
    if sites.is_empty() {
        return None;
    }
    let count = |kind: TypeSite| sites.iter().filter(|s| s.kind == kind).count();
    let parts: Vec<String> = [
        (TypeSite::CentreAssocie, "centre associé", "centres associés"),
        (TypeSite::PointRelais, "point relais", "points relais"),
    ]
    .into_iter()
    .filter(|(kind, ..)| count(*kind) > 0)
    .map(|(kind, one, many)| plural(count(kind), one, many))
    .collect();
    Some(tile(sites.len().to_string(), "lieux d'accueil", parts.join(", ")))
}
