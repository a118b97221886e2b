//! Chapter 8 of the outline: complements for labelled Cités (8.1 to 8.4).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Date, Indicateur};

crate::vocabulary! {
    /// Priority of a remark of the quality grid.
    Priorite {
        /// High.
        Haute = "haute" / "Haute",
        /// Medium.
        Moyenne = "moyenne" / "Moyenne",
        /// Low.
        Basse = "basse" / "Basse",
    }
}

crate::vocabulary! {
    /// State of an improvement action.
    Etat {
        /// Not started.
        AVenir = "a_venir" / "À venir",
        /// Under way.
        EnCours = "en_cours" / "En cours",
        /// Done.
        Realise = "realise" / "Réalisé",
    }
}

/// 8. Complements for labelled Cités.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Complements {
    /// 8.1 Improvement plan.
    pub plan_amelioration: PlanAmelioration,
    /// 8.2 Feedback from the main partners.
    pub retours_partenaires: RetoursPartenaires,
    /// 8.3 Evolutions.
    pub evolutions: Evolutions,
    /// 8.4 Activity report.
    pub rapport_activite: RapportActivite,
}

/// 8.1 Improvement plan.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PlanAmelioration {
    /// Narrative.
    pub texte: String,
    /// 8.1.1 Remarks from the quality grid.
    pub remarques: Vec<Remarque>,
    /// 8.1.2 Improvement actions.
    pub actions: Vec<ActionAmelioration>,
}

/// A remark from the quality grid.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Remarque {
    /// Criterion of the grid.
    pub critere: String,
    /// Remark.
    pub remarque: String,
    /// Priority.
    pub priorite: Option<Priorite>,
}

/// An improvement action with its schedule.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionAmelioration {
    /// Action.
    pub action: String,
    /// Start.
    pub debut: Date,
    /// End.
    pub fin: Date,
    /// Who is responsible.
    #[serde(default)]
    pub responsable: String,
    /// State.
    #[serde(default)]
    pub etat: Option<Etat>,
}

/// 8.2 Partners' feedback.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RetoursPartenaires {
    /// Narrative.
    pub texte: String,
    /// Feedback per partner.
    pub liste: Vec<Retour>,
}

/// Feedback from one partner.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Retour {
    /// Partner.
    pub partenaire: String,
    /// What they say.
    pub retour: String,
}

/// 8.3 Evolutions of the Cité.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Evolutions {
    /// Narrative.
    pub texte: String,
    /// Changes.
    pub liste: Vec<Evolution>,
}

/// One change.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Evolution {
    /// Domain ("Partenaires", "Horaires").
    pub domaine: String,
    /// Before.
    pub avant: String,
    /// After.
    pub apres: String,
    /// When.
    pub date: Option<Date>,
}

/// 8.4 Activity report of the past year.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RapportActivite {
    /// Narrative.
    pub texte: String,
    /// Year reported.
    pub annee: Option<i32>,
    /// Visits per month (12 values, January first).
    pub visites_par_mois: Vec<f64>,
    /// Same for the previous year, for comparison (months before the opening at zero).
    pub visites_par_mois_precedent: Vec<f64>,
    /// Months of the reported year actually counted, from January; the following months are
    /// estimates. All twelve when absent.
    pub mois_realises: Option<u32>,
    /// Interviews by advice space.
    pub entretiens: Vec<Comparaison>,
    /// Collective events by format.
    pub actions_collectives: Vec<Comparaison>,
    /// Satisfaction and other indicators.
    pub indicateurs: Vec<Indicateur>,
}

impl RapportActivite {
    /// The reported year (`year` when the report names none): estimated when some of its
    /// months are (`mois_realises`), partial when the Cité opened during it.
    pub fn periode(&self, year: i32) -> super::Periode {
        let year = self.annee.unwrap_or(year);
        let estimated = self.mois_realises.is_some_and(|m| m < 12);
        let status =
            if estimated { super::StatutValeur::Estime } else { super::StatutValeur::Realise };
        super::Periode::new(year.to_string(), status, months(&self.visites_par_mois))
    }

    /// The year before the reported one, counted, partial when the Cité opened during it.
    pub fn periode_precedente(&self, year: i32) -> super::Periode {
        let year = self.annee.unwrap_or(year) - 1;
        let months = months(&self.visites_par_mois_precedent);
        super::Periode::new(year.to_string(), super::StatutValeur::Realise, months)
    }

    /// Months a monthly series covers: from its first month with visits to December (a month
    /// closed in summer still counts; the months before the opening do not). 0 for no visits.
    pub fn months_open(months: &[f64]) -> usize {
        months.iter().position(|v| *v > 0.0).map_or(0, |first| 12usize.saturating_sub(first))
    }
}

/// The months a monthly series covers when it gives some visits.
fn months(series: &[f64]) -> Option<u32> {
    Some(RapportActivite::months_open(series) as u32).filter(|m| *m > 0)
}

/// A figure for the reported year and, optionally, the previous one.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Comparaison {
    /// Category.
    pub nom: String,
    /// Reported year.
    pub valeur: f64,
    /// Previous year.
    pub precedent: Option<f64>,
}
