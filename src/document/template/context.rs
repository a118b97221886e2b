//! The data handed to the templates: the dossier itself, the outline entries with their
//! applicability for the requested phase, and figures derived from the data (totals, hours).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::input::annex::{AnnexPage, Prepared};

use crate::input::check::{Report, Status};
use crate::model::figures::{Funders, KeyFigures};
use crate::model::outline::{Item, Level, Outline, Phase};
use crate::model::{BudgetDetail, Dossier, Horaires, Jour};

/// An outline entry as the templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct ItemContext {
    /// Official number.
    pub numero: String,
    /// Title.
    pub titre: String,
    /// What the plan expects.
    pub description: String,
    /// 1 for chapters, 2 for items, 3 for sub-items.
    pub profondeur: usize,
    /// Whether the entry is part of the dossier for the requested phase.
    pub applicable: bool,
    /// Expected level ("Information à approfondir"), empty for chapters and sub-items.
    pub niveau: String,
    /// True when the entry has no content: the PDF shows a box in its place.
    pub vide: bool,
    /// True when the expected level (own or inherited) is "à signaler".
    pub signaler: bool,
    /// True when the entry is declared unchanged since the previous phase and its level
    /// accepts that: the PDF says so instead of showing a box.
    pub inchange: bool,
    /// Completeness of the entry ([`crate::input::check::assess`]), when it is judged for the label.
    pub statut: Option<Status>,
    /// Annexes that this item cites.
    pub annexes: Vec<AnnexRef>,
    /// For an item "à actualiser" compared with the previous dossier: "Mis à jour depuis…" or
    /// "Inchangé depuis…".
    pub suivi: Option<String>,
}

/// A row of item 8.3.
#[derive(Debug, Clone, Serialize)]
pub struct EvolutionRow {
    /// Domain.
    pub domaine: String,
    /// Before.
    pub avant: String,
    /// After.
    pub apres: String,
    /// When, in French, if known.
    pub date: Option<String>,
    /// Computed from the previous dossier rather than written by hand.
    pub calcule: bool,
}

/// The rows of item 8.3: those written by hand, then the computed changes whose domain the
/// writer did not already cover (their wording and date are better than ours).
pub fn evolutions(
    dossier: &Dossier,
    previous: Option<&crate::input::previous::Previous>,
) -> Vec<EvolutionRow> {
    let written = &dossier.complements.evolutions.liste;
    let mut rows: Vec<EvolutionRow> = written
        .iter()
        .map(|e| EvolutionRow {
            domaine: e.domaine.clone(),
            avant: e.avant.clone(),
            apres: e.apres.clone(),
            date: e.date.map(crate::fr::format_date),
            calcule: false,
        })
        .collect();
    let covered = |domain: &str| written.iter().any(|e| e.domaine.eq_ignore_ascii_case(domain));
    let Some(previous) = previous else { return rows };
    for change in &previous.changes {
        if !covered(&change.domaine) {
            // Worded as facts: the label held since the previous dossier's date, the one asked for.
            let (avant, apres) = if change.domaine == "Label" {
                let since = crate::fr::format_date(previous.date);
                (format!("{} ({since})", change.avant), format!("{} (demandé)", change.apres))
            } else {
                (change.avant.clone(), change.apres.clone())
            };
            rows.push(EvolutionRow {
                domaine: change.domaine.clone(),
                avant,
                apres,
                date: None,
                calcule: true,
            });
        }
    }
    rows
}

/// Marks the items "à actualiser" as updated or unchanged since the previous dossier. The
/// note is said once: a sub-item whose parent has the same note does not repeat it; and never
/// against the item's own text: an item whose text speaks of a change is not called
/// « inchangé » (`check` warns of it).
pub fn follow_up(
    items: &mut BTreeMap<String, ItemContext>,
    previous: &crate::input::previous::Previous,
    since: &str,
) {
    let outline = Outline::get();
    let contradicted = |number: &str| previous.contradicted.iter().any(|(n, _)| n == number);
    // The previous dossier is named once, on the first item marked; the others say the word
    // only, not the same date a dozen times.
    let mut named = false;
    for (number, changed) in &previous.updated {
        let parent = outline.item(number).and_then(|i| i.parent_number());
        if parent.and_then(|p| previous.updated.get(p)) == Some(changed)
            || (!changed && contradicted(number))
        {
            continue;
        }
        if let Some(item) = items.get_mut(number).filter(|i| i.applicable && !i.vide) {
            let word = if *changed { "Mis à jour" } else { "Inchangé" };
            item.suivi = Some(if named {
                format!("{word} depuis le précédent dossier")
            } else {
                format!("{word} depuis le dossier du {since}")
            });
            named = true;
        }
    }
}

/// A reference from an item to an annex.
#[derive(Debug, Clone, Serialize)]
pub struct AnnexRef {
    /// Annex number (1-based).
    pub numero: usize,
    /// Annex title.
    pub titre: String,
}

/// An annex as the templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct AnnexContext {
    /// Annex number (1-based).
    pub numero: usize,
    /// Title.
    pub titre: String,
    /// Description (alt text).
    pub description: String,
    /// Whether the file is a PDF (its page count is then given in the list of annexes).
    pub pdf: bool,
    /// The pages to place, in order.
    pub pages: Vec<AnnexPage>,
}

/// The annexes of a dossier with the pages prepared for them.
pub fn annexes(dossier: &Dossier, prepared: &[Prepared]) -> Vec<AnnexContext> {
    dossier
        .annexes
        .iter()
        .zip(prepared)
        .enumerate()
        .map(|(i, (a, p))| {
            let description = if a.description.trim().is_empty() {
                a.titre.clone()
            } else {
                a.description.clone()
            };
            AnnexContext {
                numero: i + 1,
                titre: a.titre.clone(),
                description,
                pdf: a.fichier.to_lowercase().ends_with(".pdf"),
                pages: p.pages.clone(),
            }
        })
        .collect()
}

/// Adds to each item the annexes that cite it.
pub fn link_annexes(
    items: &mut BTreeMap<String, ItemContext>,
    annexes: &[AnnexContext],
    dossier: &Dossier,
) {
    for (annex, source) in annexes.iter().zip(&dossier.annexes) {
        for number in &source.items {
            if let Some(item) = items.get_mut(number) {
                item.annexes.push(AnnexRef { numero: annex.numero, titre: annex.titre.clone() });
            }
        }
    }
}

/// One row of the applicability matrix.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixRow {
    /// Official number.
    pub numero: String,
    /// Title.
    pub titre: String,
    /// Whether this row is a chapter.
    pub chapitre: bool,
    /// Short level per phase, empty when not required.
    pub niveaux: Vec<String>,
}

/// Builds the outline entries for a phase from its completeness report: an entry is shown
/// with its content, a box « À compléter », or a block « inchangé », as the report says.
pub fn items(report: &Report) -> BTreeMap<String, ItemContext> {
    let outline = Outline::get();
    outline
        .items
        .iter()
        .map(|item| (item.number.clone(), item_context(outline, item, report)))
        .collect()
}

fn item_context(outline: &Outline, item: &Item, report: &Report) -> ItemContext {
    let level = outline.level(item, report.label);
    let status = report.item(&item.number);
    let applicable = match item.depth() {
        1 => level.is_some(),
        _ => status.is_some(),
    };
    ItemContext {
        numero: item.number.clone(),
        titre: item.title.clone(),
        description: item.description.clone(),
        profondeur: item.depth(),
        applicable,
        niveau: level.flatten().map(|l| l.label().to_string()).unwrap_or_default(),
        vide: status.is_some_and(|s| !s.contenu),
        signaler: level.flatten() == Some(Level::Signaler),
        inchange: status.is_some_and(|s| s.inchange),
        statut: status.map(|s| s.statut),
        annexes: Vec::new(),
        suivi: None,
    }
}

/// Builds the applicability matrix (all matrix items and chapters, all phases).
pub fn matrix() -> Vec<MatrixRow> {
    let outline = Outline::get();
    outline
        .items
        .iter()
        .filter(|item| item.depth() <= 2)
        .map(|item| MatrixRow {
            numero: item.number.clone(),
            titre: item.title.clone(),
            chapitre: item.depth() == 1,
            niveaux: Phase::ALL
                .iter()
                .map(|p| item.levels.get(p).map(|l| l.short().to_string()).unwrap_or_default())
                .collect(),
        })
        .collect()
}

/// Figures computed from the data so that templates only lay them out.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Derived {
    /// The key figures, each defined once ([`KeyFigures`]).
    pub chiffres: KeyFigures,
    /// Opening hours: per day and totals.
    pub horaires: HoursSummary,
    /// 6.1 totals.
    pub budget_fonctionnement: BudgetSummary,
    /// 6.2 totals.
    pub budget_investissement: BudgetSummary,
    /// 4.3 total cost of equipment.
    pub materiel_total: f64,
    /// 4.1 number of partners by role.
    pub partenaires_par_role: BTreeMap<String, usize>,
    /// The periods of the activity report (8.4): how its tables head the reported year and
    /// the previous one, and whether a change between them can be stated.
    pub rapport: ReportPeriods,
}

/// The periods of the activity report as its tables head them ([`crate::model::Periode`]).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReportPeriods {
    /// The reported year (« 2026, en partie estimé »).
    pub annee: String,
    /// The year before (« 2025 (10 mois) »).
    pub precedente: String,
    /// Both are whole years: the change between them is stated.
    pub comparables: bool,
}

/// Opening hours summary.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HoursSummary {
    /// Hours open per listed day, in the order given.
    pub par_jour: Vec<f64>,
    /// Hours open per week.
    pub semaine: f64,
    /// Hours open per year, when weeks per year are given.
    pub annee: Option<f64>,
}

/// Totals of a budget.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BudgetSummary {
    /// Sum of expense lines.
    pub charges: f64,
    /// Sum of funding lines.
    pub financements: f64,
    /// Share of each funding line in the funding total, in %, in the order given.
    pub parts: Vec<f64>,
    /// The funders named in the funding lines ([`Funders::of`]).
    pub financeurs: Funders,
    /// The largest funder (its lines added up) and its share of the funding, in %.
    pub principal: Option<(String, f64)>,
    /// Sum of the in-kind lines (valorisation).
    pub valorisation: f64,
    /// Funding minus expenses: zero when the budget is balanced.
    pub ecart: f64,
}

impl Derived {
    /// Computes the derived figures of a dossier.
    pub fn new(dossier: &Dossier) -> Self {
        Derived {
            chiffres: KeyFigures::new(dossier),
            horaires: hours(&dossier.offre.horaires),
            budget_fonctionnement: budget(&dossier.budget.fonctionnement),
            budget_investissement: budget(&dossier.budget.investissement),
            materiel_total: dossier
                .fonctionnement
                .moyens_materiels
                .liste
                .iter()
                .map(|m| m.quantite * m.cout_unitaire.unwrap_or(0.0))
                .sum(),
            partenaires_par_role: partners_by_role(dossier),
            rapport: {
                let report = &dossier.complements.rapport_activite;
                let year = dossier.cite.date.year;
                let (this, last) = (report.periode(year), report.periode_precedente(year));
                ReportPeriods {
                    annee: this.legend(),
                    precedente: last.legend(),
                    comparables: this.comparable(&last),
                }
            },
        }
    }
}

fn hours(horaires: &Horaires) -> HoursSummary {
    let par_jour: Vec<f64> = horaires.jours.iter().map(Jour::hours).collect();
    let semaine: f64 = par_jour.iter().sum();
    HoursSummary { par_jour, semaine, annee: horaires.semaines_par_an.map(|w| w * semaine) }
}

fn budget(detail: &BudgetDetail) -> BudgetSummary {
    let charges = detail.charges.iter().map(|l| l.montant).sum();
    let financements: f64 = detail.financements.iter().map(|f| f.montant).sum();
    let parts = detail
        .financements
        .iter()
        .map(|f| if financements > 0.0 { 100.0 * f.montant / financements } else { 0.0 })
        .collect();
    let principal = detail
        .by_funder()
        .into_iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .filter(|_| financements > 0.0)
        .map(|(name, amount)| (name, 100.0 * amount / financements));
    BudgetSummary {
        charges,
        financements,
        parts,
        financeurs: Funders::of(detail),
        principal,
        valorisation: detail.in_kind(),
        ecart: financements - charges,
    }
}

fn partners_by_role(dossier: &Dossier) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for partner in &dossier.fonctionnement.partenaires.liste {
        for role in &partner.roles {
            *counts.entry(role.key().to_string()).or_insert(0) += 1;
        }
    }
    counts
}
