//! The network overview of a batch, for a regional coordinator preparing a commission: a
//! table of every dossier, an items × dossiers matrix of completeness, comparative charts that
//! name each Cité unambiguously, and one dense page per Cité (budget mix, partners by role,
//! attendance trend, what is still expected). Also as CSV for spreadsheets.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::input::check::Status;
use crate::input::load::LoadedDossier;
use crate::model::figures::KeyFigures;
use crate::model::outline::Outline;
use crate::render::Pipeline;

/// What the overview says of one Cité, taken from its loaded dossier.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Name of the Cité.
    pub nom: String,
    /// Label requested.
    pub label: String,
    /// Territory.
    pub territoire: String,
    /// Partners engaged ([`KeyFigures::partenaires_engages`]).
    pub partenaires: usize,
    /// Funders ([`crate::model::figures::Funders`]): the dossier's own definition.
    pub financeurs: usize,
    /// Partners by role ("Financeur", 6).
    pub roles: Vec<(String, usize)>,
    /// Operating budget (sum of expense lines).
    pub budget: f64,
    /// In-kind part of the operating funding.
    pub valorisation: f64,
    /// The five largest funders and their amounts.
    pub financements: Vec<(String, f64)>,
    /// Visits of a year ([`crate::model::figures::Visits`]).
    pub frequentation: Option<f64>,
    /// Yearly attendance by year (3.3).
    pub frequentation_annees: Vec<(i32, f64)>,
    /// Staff in full-time equivalents ([`KeyFigures::etp`]).
    pub etp: f64,
    /// Complete entries / judged entries; entries to complete; missing entries.
    pub complets: usize,
    /// Judged entries.
    pub items: usize,
    /// Entries with content but not all the level asks for.
    pub a_completer: usize,
    /// Entries without content.
    pub manquants: usize,
    /// Status of each item of the official outline ("4.1" → "complet"), worst of its
    /// sub-items; items not required for the label are absent.
    pub statuts: BTreeMap<String, &'static str>,
    /// Entries not complete, with what the outline expects.
    pub ouverts: Vec<Open>,
    /// Longitude and latitude of the main site, when the dossier gives them.
    pub position: Option<(f64, f64)>,
}

/// An entry not complete yet.
#[derive(Debug, Clone, Serialize)]
pub struct Open {
    /// "4.2 Les moyens humains".
    pub entree: String,
    /// Status in French.
    pub statut: &'static str,
    /// What is missing or expected.
    pub attendu: String,
}

/// One dossier of the batch as the overview sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The dossier file, as given.
    pub fichier: String,
    /// Its summary, when it could be read.
    pub resume: Option<Summary>,
    /// Name shown in the overview: the Cité's, with its territory or file when two Cités share
    /// a name.
    pub affiche: String,
    /// Warnings (data and layout).
    pub avertissements: usize,
    /// Pages of its PDF (0 when it failed).
    pub pages: usize,
    /// First line of the error, when it failed.
    pub erreur: Option<String>,
}

/// Summarises a loaded dossier.
pub fn summarize(loaded: &LoadedDossier) -> Summary {
    let d = &loaded.dossier;
    let report = &loaded.report;
    let partners = &d.fonctionnement.partenaires.liste;
    let mut roles: BTreeMap<String, usize> = BTreeMap::new();
    for role in partners.iter().flat_map(|p| &p.roles) {
        *roles.entry(role.label().to_string()).or_default() += 1;
    }
    let mut financements = d.budget.fonctionnement.by_funder();
    financements.sort_by(|a, b| b.1.total_cmp(&a.1));
    financements.truncate(5);
    let figures = KeyFigures::new(d);
    let yearly: Vec<(i32, f64)> =
        d.offre.frequentation.annuelle.iter().map(|a| (a.annee, a.valeur)).collect();
    Summary {
        nom: d.cite.nom.clone(),
        label: d.cite.label.label().to_string(),
        territoire: d.cite.territoire.clone(),
        partenaires: figures.partenaires_engages,
        financeurs: figures.financeurs.nombre,
        roles: roles.into_iter().collect(),
        budget: d.budget.fonctionnement.charges.iter().map(|c| c.montant).sum(),
        valorisation: d.budget.fonctionnement.in_kind(),
        financements,
        frequentation: figures.visites.as_ref().map(|v| v.valeur),
        frequentation_annees: yearly,
        etp: figures.etp,
        complets: report.resume.complet,
        items: report.resume.items,
        a_completer: report.resume.a_completer,
        manquants: report.resume.manquant,
        statuts: item_statuses(report),
        ouverts: open_entries(report),
        position: d
            .implantation
            .equite
            .sites
            .iter()
            .find(|s| s.kind == crate::model::TypeSite::Principal)
            .and_then(|s| Some((s.longitude?, s.latitude?))),
    }
}

/// The status of each item of the official outline, worst of the item and its sub-items.
fn item_statuses(report: &crate::input::check::Report) -> BTreeMap<String, &'static str> {
    let rank = |s: Status| match s {
        Status::Complet => 0,
        Status::ACompleter => 1,
        Status::Manquant => 2,
    };
    let mut worst: BTreeMap<String, Status> = BTreeMap::new();
    for entry in &report.items {
        let item = Outline::get().matrix_items().find(|i| {
            entry.numero == i.number || entry.numero.starts_with(&format!("{}.", i.number))
        });
        if let Some(item) = item {
            let slot = worst.entry(item.number.clone()).or_insert(entry.statut);
            if rank(entry.statut) > rank(*slot) {
                *slot = entry.statut;
            }
        }
    }
    worst.into_iter().map(|(n, s)| (n, s.label())).collect()
}

fn open_entries(report: &crate::input::check::Report) -> Vec<Open> {
    report
        .items
        .iter()
        .filter(|i| i.statut != Status::Complet)
        .map(|i| Open {
            entree: format!("{} {}", i.numero, i.titre),
            statut: i.statut.label(),
            attendu: if i.manques.is_empty() {
                i.attendu.clone().unwrap_or_default()
            } else {
                i.manques.join(" ; ")
            },
        })
        .collect()
}

/// Names every row unambiguously: a name two Cités share gets their territory, or their file
/// when the territories are the same too.
pub fn disambiguate(rows: &mut [Row]) {
    let keys: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| match &r.resume {
            Some(s) => (s.nom.clone(), s.territoire.clone(), r.fichier.clone()),
            None => (r.fichier.clone(), String::new(), r.fichier.clone()),
        })
        .collect();
    for (row, (name, territory, file)) in rows.iter_mut().zip(&keys) {
        let namesakes: Vec<&(String, String, String)> =
            keys.iter().filter(|k| k.0 == *name).collect();
        let same_territory = namesakes.iter().filter(|k| k.1 == *territory).count();
        row.affiche = if namesakes.len() == 1 {
            name.clone()
        } else if !territory.is_empty() && same_territory == 1 {
            format!("{name} ({territory})")
        } else {
            let files: Vec<String> = namesakes.iter().map(|k| k.2.clone()).collect();
            format!("{name} ({})", short_path(file, &files))
        };
    }
}

/// The end of a file path that tells it apart from `others` ("fonctionnement/dossier.toml"
/// rather than "/home/…/data/fonctionnement/dossier.toml").
fn short_path(path: &str, others: &[String]) -> String {
    let parts: Vec<&str> = path.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    (1..=parts.len())
        .map(|k| parts[parts.len() - k..].join("/"))
        .find(|tail| others.iter().filter(|o| o.ends_with(tail.as_str())).count() <= 1)
        .unwrap_or_else(|| path.to_string())
}

/// The overview as CSV: one line per dossier, its figures and the status of every item
/// (semicolons and a byte order mark, as French spreadsheets expect).
pub fn csv(rows: &[Row]) -> Result<Vec<u8>> {
    let items: Vec<String> = Outline::get().matrix_items().map(|i| i.number.clone()).collect();
    let mut writer =
        csv::WriterBuilder::new().delimiter(b';').from_writer(b"\xEF\xBB\xBF".to_vec());
    let mut header: Vec<String> = [
        "Fichier",
        "Cité",
        "Territoire",
        "Label",
        "Items complets",
        "Items jugés",
        "À compléter",
        "Manquants",
        "Partenaires engagés",
        "Financeurs",
        "Budget de fonctionnement (€)",
        "Dont valorisations (€)",
        "Visites par an",
        "ETP",
        "Pages",
        "Avertissements",
        "Erreur",
    ]
    .map(String::from)
    .to_vec();
    header.extend(items.iter().map(|n| format!("Item {n}")));
    writer.write_record(&header).context("synthèse CSV")?;
    for row in rows {
        let mut record = vec![as_text(&row.fichier), as_text(&row.affiche)];
        let number = |v: f64| crate::fr::format_auto(v, 2).replace('\u{202f}', "");
        match &row.resume {
            Some(s) => record.extend([
                as_text(&s.territoire),
                as_text(&s.label),
                s.complets.to_string(),
                s.items.to_string(),
                s.a_completer.to_string(),
                s.manquants.to_string(),
                s.partenaires.to_string(),
                s.financeurs.to_string(),
                number(s.budget),
                number(s.valorisation),
                s.frequentation.map(number).unwrap_or_default(),
                number(s.etp),
            ]),
            None => record.extend(std::iter::repeat_n(String::new(), 12)),
        }
        record.extend([
            row.pages.to_string(),
            row.avertissements.to_string(),
            as_text(row.erreur.as_deref().unwrap_or_default()),
        ]);
        let status = |n: &String| {
            row.resume.as_ref().map_or("", |s| s.statuts.get(n).copied().unwrap_or("non requis"))
        };
        record.extend(items.iter().map(|n| status(n).to_string()));
        writer.write_record(&record).context("synthèse CSV")?;
    }
    writer.into_inner().map_err(|e| anyhow::anyhow!("synthèse CSV : {e}"))
}

/// A text cell as a spreadsheet must show it: text that a spreadsheet would take for a formula
/// (beginning with `=`, `+`, `-`, `@`, a tab or a carriage return; a Cité named
/// `=HYPERLINK(…)`) is prefixed with a single quote, the OWASP rule against formula injection.
/// Only text goes through here: the numbers the tool writes stay numbers, negative ones too.
pub fn as_text(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// A comparative chart of the overview: (id, title, values by Cité, unit).
type Comparison<'a> = (&'a str, &'a str, Vec<(String, f64)>, &'a str);

/// Builds the overview PDF.
pub fn pdf(pipeline: &Pipeline, rows: &[Row]) -> Result<Vec<u8>> {
    let read: Vec<(&Row, &Summary)> =
        rows.iter().filter_map(|r| Some((r, r.resume.as_ref()?))).collect();
    let series = |f: &dyn Fn(&Summary) -> Option<f64>| -> Vec<(String, f64)> {
        read.iter().filter_map(|(r, s)| Some((r.affiche.clone(), f(s)?))).collect()
    };
    let comparisons: [Comparison; 4] = [
        (
            "completude",
            "Complétude des dossiers (% des items et sous-items complets)",
            series(&|s| (s.items > 0).then(|| 100.0 * s.complets as f64 / s.items as f64)),
            "%",
        ),
        (
            "budgets",
            "Budget de fonctionnement par Cité",
            series(&|s| (s.budget > 0.0).then_some(s.budget)),
            "€",
        ),
        (
            "frequentations",
            "Fréquentation annuelle par Cité (réelle ou estimée)",
            series(&|s| s.frequentation),
            "",
        ),
        (
            "partenaires",
            "Nombre de partenaires par Cité",
            series(&|s| Some(s.partenaires as f64)),
            "",
        ),
    ];
    let mut charts = crate::document::charts::Charts::new();
    let mut order = Vec::new();
    for (id, title, values, unit) in comparisons {
        if values.iter().any(|(_, v)| *v > 0.0) {
            charts.insert(
                id.to_string(),
                crate::document::charts::comparison(id, title, values, unit)?,
            );
            order.push(id);
        }
    }
    let placed: Vec<(String, (f64, f64))> =
        read.iter().filter_map(|(r, s)| Some((r.affiche.clone(), s.position?))).collect();
    if placed.len() >= 2 {
        charts.insert("carte_reseau".to_string(), crate::document::charts::network_map(&placed)?);
        order.insert(0, "carte_reseau");
    }
    let items: Vec<(String, String)> =
        Outline::get().matrix_items().map(|i| (i.number.clone(), i.title.clone())).collect();
    let today = crate::render::document_date_or_today();
    let data = serde_json::json!({
        "lignes": rows,
        "items": items,
        "ordre_graphiques": order,
        "date": { "annee": today.year, "mois": today.month, "jour": today.day },
    });
    let sources = pipeline.templates().render_overview(&data, &charts)?;
    let mut world = crate::typeset::world::DossierWorld::new(crate::render::typst_date(today));
    let compiled = pipeline.compile_sources(&sources, "synthese-reseau", today, &mut world)?;
    Ok(compiled.pdf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_a_spreadsheet_would_take_for_a_formula_is_quoted_and_other_text_is_not() {
        for formula in ["=1+1", "+33 1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(as_text(formula), format!("'{formula}"));
        }
        for text in ["Cité des métiers", "", "1 200", "'déjà"] {
            assert_eq!(as_text(text), text);
        }
    }

    #[test]
    fn dossiers_of_one_name_are_told_apart_by_the_shortest_end_of_their_path() {
        let files: Vec<String> = [
            "/srv/region/nord/dossier.toml",
            "/srv/region/sud/dossier.toml",
            "/srv/nord/dossier.toml",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(short_path(&files[1], &files), "sud/dossier.toml");
        assert_eq!(short_path(&files[0], &files), "region/nord/dossier.toml");
        assert_eq!(short_path(&files[2], &files), "srv/nord/dossier.toml");
    }
}
