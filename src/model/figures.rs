//! The key figures a dossier states, each defined once: L'essentiel, the texts and captions the
//! tool writes, the checks and the network overview all read them from here, so that « 9
//! financeurs » on one page is never « 6 financeurs » on another.

use serde::Serialize;

use super::outline::Phase;
use super::vocab::fold;
use super::{BudgetDetail, Dossier, RapportActivite, StatutEngagement, TypeSite};

/// The key figures of a dossier.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct KeyFigures {
    /// Partners listed in 4.1, whatever their status.
    pub partenaires: usize,
    /// Partners engaged: those of 4.1 whose status is « signé » or « engagé » (a partner
    /// without a status is engaged). Partners in discussion or only applied to are not.
    pub partenaires_engages: usize,
    /// Partners of 4.1 still in discussion.
    pub partenaires_en_discussion: usize,
    /// Partners of 4.1 applied to, without an answer yet.
    pub partenaires_sollicites: usize,
    /// Funders, see [`Funders`].
    pub financeurs: Funders,
    /// Staff in full-time equivalents: the ETP of every front-office and support function of
    /// 4.2 (a function without a figure counts for nothing).
    pub etp: f64,
    /// Functions of 4.2 (front-office and support).
    pub fonctions: usize,
    /// Visits of a year, see [`Visits`].
    pub visites: Option<Visits>,
    /// Weekly opening hours, see [`WeeklyHours`].
    pub horaires: Option<WeeklyHours>,
    /// Sites by kind (5.3).
    pub sites: Sites,
}

/// Funders: every structure that contributes to the operating budget (6.1), in cash or in
/// kind — the distinct names of its funding lines with an amount, compared without case or
/// accents; a funding only applied for (`sollicite`) does not make a funder yet. When the operating budget names no funder yet (a project), the partners of 4.1
/// whose role is « financeur ».
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Funders {
    /// How many.
    pub nombre: usize,
    /// Of which structures that are not partners of the Cité (`hors_partenariat`).
    pub hors_partenariat: usize,
    /// Of which structures that contribute only in kind.
    pub en_nature: usize,
    /// True when counted from the operating budget, false when from the partners' roles.
    pub budget: bool,
}

/// The visits of a year: the sum of the monthly visits of the activity report (8.4) for its
/// year; without them, the value of 3.3 for the latest year not after the dossier's date (else
/// the first year given).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Visits {
    /// The year, when known.
    pub annee: Option<i32>,
    /// The visits.
    pub valeur: f64,
    /// True when counted month by month (8.4), false when taken from the yearly values of 3.3.
    pub mensuel: bool,
    /// Months of the year that are estimates, not counts (8.4 `mois_realises`).
    pub mois_estimes: u32,
    /// Months the year covers: 12, or fewer for a Cité opened during it (the months before
    /// the first visit do not count).
    pub mois: usize,
    /// True when the figure is not a count: a value of 3.3 estimated or forecast
    /// ([`super::ValeurAnnuelle::status`]).
    pub prevision: bool,
    /// The previous year's visits, when 8.4 gives them.
    pub precedent: Option<f64>,
    /// Months the previous year covers (fewer than 12 when the Cité opened during it).
    pub mois_precedent: usize,
}

impl Visits {
    /// The change over a year, in %, only between comparable periods: two years of twelve
    /// months. None otherwise.
    pub fn change(&self) -> Option<f64> {
        let before = self.precedent.filter(|b| *b > 0.0)?;
        (self.mois_precedent == 12 && self.mois == 12)
            .then(|| 100.0 * (self.valeur - before) / before)
    }

    /// The month of opening (1 to 12) when the year starts after January.
    pub fn ouverture(&self) -> Option<usize> {
        (self.mois > 0 && self.mois < 12).then(|| 13 - self.mois)
    }
}

/// Weekly opening hours: the hours of the days listed in 3.2 added up.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct WeeklyHours {
    /// Hours open per week.
    pub heures: f64,
    /// Days with at least one slot.
    pub jours: usize,
    /// True when a single day is given: the sum is then that day's hours, not a week's.
    pub partiel: bool,
}

/// Places where the services are available (5.3), by kind.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Sites {
    /// All sites listed.
    pub total: usize,
    /// Main sites.
    pub principal: usize,
    /// Centres associés.
    pub centres_associes: usize,
    /// Points relais.
    pub points_relais: usize,
}

impl KeyFigures {
    /// Computes the key figures of a dossier.
    pub fn new(dossier: &Dossier) -> Self {
        let partners = &dossier.fonctionnement.partenaires.liste;
        let status = |s: StatutEngagement| partners.iter().filter(|p| p.statut == s).count();
        let staff = &dossier.fonctionnement.moyens_humains;
        KeyFigures {
            partenaires: partners.len(),
            partenaires_engages: partners.iter().filter(|p| p.statut.engaged()).count(),
            partenaires_en_discussion: status(StatutEngagement::EnDiscussion),
            partenaires_sollicites: status(StatutEngagement::Sollicite),
            financeurs: funders(dossier),
            etp: staff.etp(),
            fonctions: staff.functions().count(),
            visites: visits(dossier),
            horaires: weekly_hours(dossier),
            sites: sites(dossier),
        }
    }
}

impl Funders {
    /// The funders of a budget: the distinct names of its funding lines with an amount
    /// (nothing from the partners' roles).
    pub fn of(budget: &BudgetDetail) -> Funders {
        let lines = &budget.financements;
        let mut names: Vec<(String, bool, bool)> = Vec::new();
        let counted = |l: &&super::Financement| {
            l.montant > 0.0 && !l.sollicite && !l.partenaire.trim().is_empty()
        };
        for line in lines.iter().filter(counted) {
            let key = fold(&line.partenaire);
            let in_kind = line.nature == Some(super::Nature::Valorisation);
            match names.iter_mut().find(|(k, ..)| *k == key) {
                Some((_, external, only_in_kind)) => {
                    *external |= line.hors_partenariat;
                    *only_in_kind &= in_kind;
                }
                None => names.push((key, line.hors_partenariat, in_kind)),
            }
        }
        Funders {
            nombre: names.len(),
            hors_partenariat: names.iter().filter(|n| n.1).count(),
            en_nature: names.iter().filter(|n| n.2).count(),
            budget: !names.is_empty(),
        }
    }
}

fn funders(dossier: &Dossier) -> Funders {
    let funders = Funders::of(&dossier.budget.fonctionnement);
    if funders.budget {
        return funders;
    }
    let partners = &dossier.fonctionnement.partenaires.liste;
    let role = partners.iter().filter(|p| p.roles.contains(&super::Role::Financeur));
    Funders { nombre: role.count(), ..Funders::default() }
}

fn visits(dossier: &Dossier) -> Option<Visits> {
    let report = &dossier.complements.rapport_activite;
    let total: f64 = report.visites_par_mois.iter().sum();
    if total > 0.0 {
        let before = &report.visites_par_mois_precedent;
        let counted = report.mois_realises.unwrap_or(12).min(report.visites_par_mois.len() as u32);
        return Some(Visits {
            annee: report.annee,
            valeur: total,
            mensuel: true,
            mois_estimes: report.visites_par_mois.len() as u32 - counted,
            mois: RapportActivite::months_open(&report.visites_par_mois),
            prevision: false,
            precedent: (!before.is_empty()).then(|| before.iter().sum()),
            mois_precedent: RapportActivite::months_open(before),
        });
    }
    let yearly = &dossier.offre.frequentation.annuelle;
    let now = dossier.cite.date.year;
    let open = dossier.cite.label == Phase::Fonctionnement;
    let year = yearly.iter().rev().find(|a| a.annee <= now).or(yearly.first())?;
    Some(Visits {
        annee: Some(year.annee),
        valeur: year.valeur,
        prevision: year.status(open, now) != super::StatutValeur::Realise,
        mois: year.mois.map_or(12, |m| m.min(12) as usize),
        ..Visits::default()
    })
}

fn weekly_hours(dossier: &Dossier) -> Option<WeeklyHours> {
    let horaires = &dossier.offre.horaires;
    let heures = horaires.weekly_hours();
    let jours = horaires.jours.iter().filter(|d| d.hours() > 0.0).count();
    (heures > 0.0).then_some(WeeklyHours { heures, jours, partiel: jours == 1 })
}

fn sites(dossier: &Dossier) -> Sites {
    let sites = &dossier.implantation.equite.sites;
    let count = |kind: TypeSite| sites.iter().filter(|s| s.kind == kind).count();
    Sites {
        total: sites.len(),
        principal: count(TypeSite::Principal),
        centres_associes: count(TypeSite::CentreAssocie),
        points_relais: count(TypeSite::PointRelais),
    }
}

#[cfg(test)]
mod tests {
    use super::KeyFigures;

    #[test]
    fn partners_in_discussion_or_applied_to_are_not_engaged() {
        let d = crate::model::test_dossier(
            "[[fonctionnement.partenaires.liste]]\nnom = \"A\"\nstatut = \"signe\"\n\
             [[fonctionnement.partenaires.liste]]\nnom = \"B\"\n\
             [[fonctionnement.partenaires.liste]]\nnom = \"C\"\nstatut = \"en discussion\"\n\
             [[fonctionnement.partenaires.liste]]\nnom = \"FSE+\"\nstatut = \"Sollicité\"\n",
        );
        let f = KeyFigures::new(&d);
        assert_eq!((f.partenaires, f.partenaires_engages), (4, 2));
        assert_eq!((f.partenaires_en_discussion, f.partenaires_sollicites), (1, 1));
    }

    #[test]
    fn funders_are_the_structures_of_the_operating_budget_cash_or_in_kind() {
        let d = crate::model::test_dossier(
            "[[fonctionnement.partenaires.liste]]\nnom = \"Région\"\nroles = [\"financeur\"]\n\
             [[budget.fonctionnement.financements]]\npartenaire = \"Région\"\nmontant = 100\n\
             [[budget.fonctionnement.financements]]\npartenaire = \"region\"\nmontant = 10\nnature = \"valorisation\"\n\
             [[budget.fonctionnement.financements]]\npartenaire = \"France Travail\"\nmontant = 50\nnature = \"valorisation\"\n\
             [[budget.fonctionnement.financements]]\npartenaire = \"FSE+\"\nmontant = 40\nhors_partenariat = true\n",
        );
        let f = KeyFigures::new(&d).financeurs;
        assert_eq!((f.nombre, f.hors_partenariat, f.en_nature, f.budget), (3, 1, 1, true));
    }

    #[test]
    fn a_change_over_a_year_needs_a_full_previous_year() {
        let d = crate::model::test_dossier(
            "[complements.rapport_activite]\nannee = 2026\nmois_realises = 10\n\
             visites_par_mois = [10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10]\n\
             visites_par_mois_precedent = [0, 0, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10]\n",
        );
        let v = KeyFigures::new(&d).visites.unwrap();
        assert_eq!((v.valeur, v.mois_estimes, v.mois_precedent, v.mois), (120.0, 2, 10, 12));
        assert_eq!(v.change(), None);
    }
}
