//! « L'essentiel » page: what a reader wants first, like the first page of an Insee Analyses —
//! the key figures with their definitions, the places on a small map, what is still to come
//! and what the next label adds. Only figures the data gives are shown; each tile says
//! something the others do not.

use serde::Serialize;

use super::context::Derived;
use crate::fr::{count, format_auto, format_euros, format_number, noun};
use crate::model::Dossier;
use crate::model::figures::KeyFigures;

/// The page: its tiles and definitions, its places, what is still to come.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Essentials {
    /// Key figures, in reading order.
    pub chiffres: Vec<KeyFigure>,
    /// The visits' tile, also shown in 8.4.
    pub visites: Option<KeyFigure>,
    /// The places where the services are available, for the small map's key: the first
    /// [`crate::document::charts::PLACES_LISTED`] of 5.3.
    pub lieux: Vec<Place>,
    /// The places of 5.3 not listed on the page.
    pub autres_lieux: usize,
    /// The territory's indicators (1.2.2), for a dossier that has no places to show yet.
    pub territoire: Vec<KeyFigure>,
    /// What is still to come: actions of the plan not done yet, forecasts.
    pub a_venir: Vec<String>,
    /// The next label and the items it will add to the dossier (« 8.4 Rapport d'activité »).
    pub label_suivant: Option<NextLabel>,
    /// The opening hours' tile, also shown in 3.2.
    pub horaires: Option<KeyFigure>,
    /// The partners' and funders' tiles, also shown in 4.1.
    pub partenaires: Vec<KeyFigure>,
    /// The definitions of the figures shown, where the count depends on one
    /// (« Financeurs : structures qui contribuent… »).
    pub definitions: Vec<Definition>,
}

/// A place where the services are available (5.3).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Place {
    /// Name.
    pub nom: String,
    /// Kind, in French (« Point relais »).
    pub genre: String,
    /// Town.
    pub commune: String,
    /// Distance and time to the main site (« 17 km, 22 min »), when given.
    pub trajet: String,
    /// Its number on the small map, when it has coordinates.
    pub numero: Option<usize>,
    /// Its kind's key (« point_relais »): the colour of its number, as on the map.
    pub cle: String,
    /// Planned, not open yet: its number hollow, as on the map.
    pub prevu: bool,
}

/// The next label of the path and what it adds to the outline.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NextLabel {
    /// « Label fonctionnement ».
    pub label: String,
    /// The items it adds (« Rapport d'activité de la CDM (8.4) »).
    pub items: Vec<String>,
}

/// What a figure counts, said once in the PDF under the tiles.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Definition {
    /// The term (« Partenaires engagés »).
    pub terme: String,
    /// What it counts.
    pub definition: String,
}

/// The « L'essentiel » page of a dossier.
pub fn essentials(dossier: &Dossier, derived: &Derived) -> Essentials {
    let figures = &derived.chiffres;
    Essentials {
        chiffres: key_figures(dossier, derived),
        visites: attendance(figures),
        partenaires: partners(figures),
        lieux: places(dossier),
        autres_lieux: dossier
            .implantation
            .equite
            .sites
            .len()
            .saturating_sub(crate::document::charts::PLACES_LISTED),
        territoire: territory(dossier),
        a_venir: to_come(dossier),
        label_suivant: next_label(dossier),
        horaires: hours(dossier, figures),
        definitions: definitions(figures),
    }
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

/// The key figures of a dossier, in reading order, each from [`KeyFigures`].
fn key_figures(dossier: &Dossier, derived: &Derived) -> Vec<KeyFigure> {
    let figures = &derived.chiffres;
    let mut tiles = partners(figures);
    let budget = &derived.budget_fonctionnement;
    if budget.charges > 0.0 {
        let year = &dossier.budget.fonctionnement.exercice;
        let detail = if year.is_empty() { String::new() } else { format!("exercice {year}") };
        tiles.push(tile(format_euros(budget.charges), "budget de fonctionnement", detail));
    }
    if figures.etp > 0.0 {
        let detail = count(figures.fonctions, "fonction", "fonctions");
        tiles.push(tile(format!("{}\u{a0}ETP", format_auto(figures.etp, 1)), "équipe", detail));
    }
    tiles.extend(attendance(figures));
    // Hours given for a single day are that day's, not a week's: no weekly figure then.
    if figures.horaires.as_ref().is_some_and(|h| !h.partiel) {
        tiles.extend(hours(dossier, figures));
    }
    tiles.extend(sites(figures));
    tiles
}

/// The weekly opening hours (3.2); hours given for a single day are said to be that day's.
fn hours(dossier: &Dossier, figures: &KeyFigures) -> Option<KeyFigure> {
    let hours = figures.horaires.as_ref()?;
    let value = format!("{}\u{a0}h", format_auto(hours.heures, 1));
    if hours.partiel {
        let day = dossier.offre.horaires.jours.iter().find(|d| d.hours() > 0.0)?;
        let name = format!("d'ouverture le {}", day.jour.label().to_lowercase());
        return Some(tile(value, &name, "seul jour renseigné".into()));
    }
    let detail = format!("sur {}", count(hours.jours, "jour", "jours"));
    Some(tile(value, "d'ouverture par semaine", detail))
}

/// The partners engaged and the funders.
fn partners(figures: &KeyFigures) -> Vec<KeyFigure> {
    let mut tiles = Vec::new();
    if figures.partenaires > 0 {
        let mut others = Vec::new();
        if figures.partenaires_en_discussion > 0 {
            others.push(format!("{} en discussion", figures.partenaires_en_discussion));
        }
        if figures.partenaires_sollicites > 0 {
            let n = figures.partenaires_sollicites;
            others.push(count(n, "sollicité", "sollicités"));
        }
        let detail = if others.is_empty() {
            "engagement signé ou acquis".to_string()
        } else {
            format!("et {}", others.join(", "))
        };
        let n = figures.partenaires_engages;
        tiles.push(tile(
            n.to_string(),
            noun(n, "partenaire engagé", "partenaires engagés"),
            detail,
        ));
    }
    let funders = &figures.financeurs;
    if funders.nombre > 0 {
        let mut parts = Vec::new();
        if funders.hors_partenariat > 0 {
            parts.push(format!("{} hors partenariat", funders.hors_partenariat));
        }
        if funders.en_nature > 0 {
            parts.push(format!("{} en nature seulement", funders.en_nature));
        }
        let detail = match (parts.is_empty(), funders.budget) {
            (false, _) => format!("dont {}", parts.join(", ")),
            (true, true) => "budget de fonctionnement".to_string(),
            (true, false) => "rôle de financeur (4.1)".to_string(),
        };
        tiles.push(tile(
            funders.nombre.to_string(),
            noun(funders.nombre, "financeur", "financeurs"),
            detail,
        ));
    }
    tiles
}

/// The visits of a year ([`crate::model::figures::Visits`]): a change « sur un an » only between
/// full years; a partial previous year is given with its months.
fn attendance(figures: &KeyFigures) -> Option<KeyFigure> {
    let visits = figures.visites.as_ref()?;
    let year = visits.annee.map(|y| format!(" en {y}")).unwrap_or_default();
    if visits.prevision {
        let name = format!("visites prévues{year}");
        return Some(tile(format_number(visits.valeur, 0), &name, "prévisions du porteur".into()));
    }
    let mut details = Vec::new();
    if let Some(month) = visits.ouverture() {
        let first = crate::fr::month_range(month, month);
        details.push(format!("sur {} (ouverture en {first})", count(visits.mois, "mois", "mois")));
    }
    if visits.mois_estimes > 0 {
        details
            .push(format!("dont {} estimés", count(visits.mois_estimes as usize, "mois", "mois")));
    }
    match (visits.change(), visits.precedent) {
        (Some(change), _) => details.push(format!(
            "{}{}\u{202f}% sur un an",
            if change >= 0.0 { "+" } else { "−" },
            format_auto(change.abs(), 1)
        )),
        (None, Some(before)) if before > 0.0 => details.push(format!(
            "{} l'année précédente ({})",
            format_number(before, 0),
            count(visits.mois_precedent, "mois", "mois")
        )),
        _ => {}
    }
    Some(tile(format_number(visits.valeur, 0), &format!("visites{year}"), details.join(" ; ")))
}

/// Places where the services are available (5.3).
fn sites(figures: &KeyFigures) -> Option<KeyFigure> {
    let sites = &figures.sites;
    if sites.total == 0 {
        return None;
    }
    let parts: Vec<String> = [
        (sites.centres_associes, "centre associé", "centres associés"),
        (sites.points_relais, "point relais", "points relais"),
    ]
    .into_iter()
    .filter(|(n, ..)| *n > 0)
    .map(|(n, one, many)| count(n, one, many))
    .collect();
    let name = noun(sites.total, "lieu d'accueil", "lieux d'accueil");
    Some(tile(sites.total.to_string(), name, parts.join(", ")))
}

/// The territory's indicators (1.2.2), each with its comparison area: the first six.
fn territory(dossier: &Dossier) -> Vec<KeyFigure> {
    dossier
        .contexte
        .social
        .indicateurs
        .iter()
        .filter(|i| !i.nom.trim().is_empty())
        .take(6)
        .map(|i| {
            let unit = |v: f64| match i.unite.trim() {
                "" => format_auto(v, 1),
                "%" => format!("{}\u{a0}%", format_auto(v, 1)),
                u => format!("{} {u}", format_auto(v, 1)),
            };
            let mut detail = match (i.reference, i.reference_nom.trim()) {
                (Some(r), "") => format!("référence : {}", unit(r)),
                (Some(r), area) => format!("{area} : {}", unit(r)),
                (None, _) => String::new(),
            };
            if let Some(year) = i.annee {
                detail =
                    if detail.is_empty() { year.to_string() } else { format!("{detail} ; {year}") };
            }
            tile(unit(i.valeur), i.nom.trim(), detail)
        })
        .collect()
}

fn places(dossier: &Dossier) -> Vec<Place> {
    let trip = |s: &crate::model::Site| {
        let parts: Vec<String> = [
            s.distance_km.map(|d| format!("{}\u{a0}km", format_auto(d, 1))),
            s.temps_min.map(|t| format!("{}\u{a0}min", format_auto(t, 0))),
        ]
        .into_iter()
        .flatten()
        .collect();
        parts.join(", ")
    };
    // Numbered as the small map numbers them: the listed sites that have coordinates, in order.
    let mut number = 0;
    dossier
        .implantation
        .equite
        .sites
        .iter()
        .take(crate::document::charts::PLACES_LISTED)
        .map(|s| Place {
            nom: s.nom.clone(),
            genre: s.kind.label().to_string(),
            commune: s.commune.clone(),
            trajet: trip(s),
            cle: s.kind.key().to_string(),
            prevu: s.planned(),
            numero: (s.latitude.is_some() && s.longitude.is_some()).then(|| {
                number += 1;
                number
            }),
        })
        .collect()
}

/// What the dossier announces for later: the actions of its plan not done yet (the first
/// five, by end date) and its forecast visits.
fn to_come(dossier: &Dossier) -> Vec<String> {
    let mut actions: Vec<&crate::model::ActionAmelioration> = dossier
        .complements
        .plan_amelioration
        .actions
        .iter()
        .filter(|a| a.etat != Some(crate::model::Etat::Realise) && !a.action.trim().is_empty())
        .collect();
    actions.sort_by_key(|a| a.fin);
    let mut out: Vec<String> = actions
        .iter()
        .take(5)
        .map(|a| format!("{} (d'ici le {})", a.action.trim(), crate::fr::format_date(a.fin)))
        .collect();
    let open = dossier.cite.label == crate::model::outline::Phase::Fonctionnement;
    let now = dossier.cite.date.year;
    // The year a tile already shows is not said again.
    let shown = KeyFigures::new(dossier).visites.and_then(|v| v.annee);
    for year in &dossier.offre.frequentation.annuelle {
        let forecast = year.status(open, now) != crate::model::StatutValeur::Realise;
        if year.annee > now && forecast && Some(year.annee) != shown {
            out.push(format!(
                "{} visites prévues en {}",
                format_number(year.valeur, 0),
                year.annee
            ));
        }
    }
    out
}

/// The next label and the items of the outline it adds to this one's.
fn next_label(dossier: &Dossier) -> Option<NextLabel> {
    use crate::model::outline::{Outline, Phase};
    let next = match dossier.cite.label {
        Phase::Projet => Phase::Prefiguration,
        Phase::Prefiguration => Phase::Fonctionnement,
        Phase::Fonctionnement => return None,
    };
    let outline = Outline::get();
    let items: Vec<String> = outline
        .matrix_items()
        .filter(|i| outline.applies(i, next) && !outline.applies(i, dossier.cite.label))
        // Title first: the number alone before it would read as the item's heading.
        .map(|i| format!("{} ({})", i.title, i.number))
        .collect();
    (!items.is_empty()).then(|| NextLabel { label: next.label().to_string(), items })
}

/// The definitions the figures shown depend on, in the order of the tiles.
fn definitions(figures: &KeyFigures) -> Vec<Definition> {
    let mut out = Vec::new();
    let mut define = |terme: &str, definition: &str| {
        out.push(Definition { terme: terme.into(), definition: definition.into() })
    };
    if figures.partenaires > 0 {
        define(
            "Partenaires engagés",
            "partenaires de la liste 4.1 dont l'engagement est signé ou acquis ; ceux en discussion ou seulement sollicités n'y sont pas comptés",
        );
    }
    if figures.financeurs.nombre > 0 {
        if figures.financeurs.budget {
            define(
                "Financeurs",
                "structures qui contribuent au budget de fonctionnement (6.1), par un financement ou un apport en nature, partenaires ou non",
            );
        } else {
            define(
                "Financeurs",
                "partenaires de la liste 4.1 qui ont le rôle de financeur ; le budget de fonctionnement ne les détaille pas encore",
            );
        }
    }
    if figures.etp > 0.0 {
        define(
            "ETP",
            "équivalents temps plein des fonctions de 4.2, personnels mis à disposition compris",
        );
    }
    if let Some(visits) = &figures.visites {
        if visits.prevision {
            define("Visites prévues", "estimation annuelle du porteur (3.3)");
        } else if !visits.mensuel {
            define("Visites", "fréquentation annuelle de la Cité (3.3)");
        } else if visits.mois_estimes > 0 {
            define(
                "Visites",
                "entrées comptées mois par mois (8.4), les derniers mois de l'année estimés",
            );
        } else {
            define("Visites", "entrées comptées mois par mois (8.4)");
        }
    }
    out
}
