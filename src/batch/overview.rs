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
    /// The points of attention `check` raises: warnings on the data (« champ : message »)
    /// and advice on what the outline asks that the data does not allow yet.
    pub points: Vec<String>,
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
        points: loaded
            .warnings
            .errors
            .iter()
            .map(|w| match &w.field {
                Some(field) => format!("{field} : {}", w.message),
                None => w.message.clone(),
            })
            .chain(report.conseils.iter().cloned())
            .collect(),
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

/// Names every row unambiguously without a file path: a name two Cités share gets their
/// label, else their territory, else both, else a number; a dossier that could not be read is
/// « Dossier illisible n° k ».
pub fn disambiguate(rows: &mut [Row]) {
    let keys: Vec<Option<(String, String, String)>> = rows
        .iter()
        .map(|r| r.resume.as_ref().map(|s| (s.nom.clone(), s.label.clone(), s.territoire.clone())))
        .collect();
    let mut unreadable = 0;
    for (i, row) in rows.iter_mut().enumerate() {
        let Some((name, label, territory)) = &keys[i] else {
            unreadable += 1;
            row.affiche = format!("Dossier illisible n° {unreadable}");
            continue;
        };
        let namesakes: Vec<(usize, &(String, String, String))> = keys
            .iter()
            .enumerate()
            .filter_map(|(j, k)| Some((j, k.as_ref()?)))
            .filter(|(_, k)| k.0 == *name)
            .collect();
        let count = |f: &dyn Fn(&(String, String, String)) -> bool| {
            namesakes.iter().filter(|(_, k)| f(k)).count()
        };
        let both = |k: &(String, String, String)| k.1 == *label && k.2 == *territory;
        row.affiche = if namesakes.len() == 1 {
            name.clone()
        } else if count(&|k| k.1 == *label) == 1 {
            format!("{name} ({label})")
        } else if !territory.is_empty() && count(&|k| k.2 == *territory) == 1 {
            format!("{name} ({territory})")
        } else if count(&both) == 1 {
            format!("{name} ({label}, {territory})")
        } else {
            let rank = namesakes.iter().filter(|(j, k)| *j <= i && both(k)).count();
            format!("{name} ({label}, {territory}, dossier n° {rank})")
        };
    }
}

/// An error line without the dossier's path (the overview names dossiers by their Cité):
/// « /srv/nord/dossier.toml:3:7 : … » becomes « ligne 3, colonne 7 : … ».
fn without_path(line: &str, file: &str) -> String {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let rest = [file, name].iter().find_map(|p| Some(line.split_once(p)?.1)).unwrap_or(line);
    let mut parts = rest.splitn(3, ':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(""), Some(l), Some(c)) if l.parse::<u32>().is_ok() => {
            let (col, text) = c.split_once(':').unwrap_or((c, ""));
            format!("ligne {l}, colonne {} :{text}", col.trim())
        }
        _ => rest.trim_start_matches([':', ' ']).to_string(),
    }
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
            "Partenaires engagés par Cité",
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
        let mut map = crate::document::charts::network_map(&placed)?;
        // The Cités the map cannot show are named under it too.
        let unplaced: Vec<&str> = read
            .iter()
            .filter(|(_, s)| s.position.is_none())
            .map(|(r, _)| r.affiche.as_str())
            .collect();
        if !unplaced.is_empty() {
            let text = format!("sans coordonnées du site principal : {}", unplaced.join(" ; "));
            map.cle.push(("–".to_string(), text));
        }
        charts.insert("carte_reseau".to_string(), map);
        order.insert(0, "carte_reseau");
    }
    let items: Vec<(String, String)> =
        Outline::get().matrix_items().map(|i| (i.number.clone(), i.title.clone())).collect();
    let today = crate::render::document_date_or_today();
    // No file path in the overview: an error names the dossier by its place in the table.
    let rows: Vec<Row> = rows
        .iter()
        .map(|r| Row {
            erreur: r.erreur.as_ref().map(|e| without_path(e, &r.fichier)),
            ..r.clone()
        })
        .collect();
    let data = serde_json::json!({
        "lignes": rows,
        "items": items,
        "ordre_graphiques": order,
        "date": {
            "annee": today.year,
            "mois": today.month,
            "jour": today.day,
            "iso": format!("{:04}-{:02}-{:02}", today.year, today.month, today.day),
        },
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

    fn row(name: &str, label: &str, territory: &str) -> Row {
        let summary = Summary {
            nom: name.into(),
            label: label.into(),
            territoire: territory.into(),
            partenaires: 0,
            financeurs: 0,
            roles: Vec::new(),
            budget: 0.0,
            valorisation: 0.0,
            financements: Vec::new(),
            frequentation: None,
            frequentation_annees: Vec::new(),
            etp: 0.0,
            complets: 0,
            items: 0,
            a_completer: 0,
            manquants: 0,
            statuts: BTreeMap::new(),
            ouverts: Vec::new(),
            position: None,
            points: Vec::new(),
        };
        Row {
            fichier: format!("/srv/{label}/dossier.toml"),
            resume: Some(summary),
            affiche: String::new(),
            avertissements: 0,
            pages: 0,
            erreur: None,
        }
    }

    #[test]
    fn dossiers_of_one_name_are_told_apart_by_label_then_territory_never_by_file() {
        let mut rows = vec![
            row("Cité A", "Label projet", "Val"),
            row("Cité A", "Label fonctionnement", "Val"),
            row("Cité A", "Label fonctionnement", "Mont"),
            row("Cité B", "Label projet", "Val"),
        ];
        disambiguate(&mut rows);
        let names: Vec<&str> = rows.iter().map(|r| r.affiche.as_str()).collect();
        assert_eq!(
            names,
            [
                "Cité A (Label projet)",
                "Cité A (Label fonctionnement, Val)",
                "Cité A (Mont)",
                "Cité B",
            ]
        );
    }

    #[test]
    fn an_error_line_loses_the_dossier_path() {
        let file = "/srv/nord/dossier.toml";
        let line = "/srv/nord/dossier.toml:3:7 : valeur invalide";
        assert_eq!(without_path(line, file), "ligne 3, colonne 7 : valeur invalide");
        assert_eq!(without_path("dossier illisible", file), "dossier illisible");
    }
}
