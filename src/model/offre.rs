//! Chapter 3 of the outline: the services offered, opening hours and attendance (3.1 to 3.4).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Poste;

crate::vocabulary! {
    /// A day of the week.
    JourSemaine {
        /// Monday.
        Lundi = "lundi" / "Lundi",
        /// Tuesday.
        Mardi = "mardi" / "Mardi",
        /// Wednesday.
        Mercredi = "mercredi" / "Mercredi",
        /// Thursday.
        Jeudi = "jeudi" / "Jeudi",
        /// Friday.
        Vendredi = "vendredi" / "Vendredi",
        /// Saturday.
        Samedi = "samedi" / "Samedi",
        /// Sunday.
        Dimanche = "dimanche" / "Dimanche",
    }
}

crate::vocabulary! {
    /// Whether a yearly value is counted, estimated or forecast.
    StatutValeur {
        /// Counted over the period.
        Realise = "realise" / "Réalisé",
        /// Partly counted, the rest estimated.
        Estime = "estime" / "Estimé",
        /// A forecast.
        Previsionnel = "previsionnel" / "Prévisionnel",
    }
}

/// 3. Services offered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Offre {
    /// Introduction to 3.1.
    pub texte: String,
    /// Unchanged since the previous phase (3.1).
    pub inchange: bool,
    /// 3.1.1 Advice spaces.
    pub espaces_conseil: EspacesConseil,
    /// 3.1.2 Collective offer.
    pub offre_collective: OffreCollective,
    /// 3.1.3 Documentation space.
    pub documentation: Documentation,
    /// 3.2 Opening hours.
    pub horaires: Horaires,
    /// 3.3 Estimated attendance.
    pub frequentation: Frequentation,
    /// 3.4 Complementarity with the existing offer.
    pub complementarite: Texte,
}

/// An item that is only narrative.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Texte {
    /// Narrative.
    pub texte: String,
    /// Unchanged since the previous phase.
    pub inchange: bool,
}

/// 3.1.1 Advice spaces.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EspacesConseil {
    /// Narrative.
    pub texte: String,
    /// The spaces.
    pub liste: Vec<EspaceConseil>,
}

/// An advice space ("pôle de conseil").
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EspaceConseil {
    /// Theme ("Choisir son orientation").
    pub theme: String,
    /// What is offered.
    pub description: String,
    /// Committed partners (names from `fonctionnement.partenaires.liste`).
    pub partenaires: Vec<String>,
}

/// 3.1.2 Collective offer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct OffreCollective {
    /// Narrative.
    pub texte: String,
    /// The collective actions.
    pub liste: Vec<ActionCollective>,
}

/// A collective action (club, workshop, information day, event).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ActionCollective {
    /// Format ("Atelier", "Club", "Forum").
    pub format: String,
    /// Title.
    pub titre: String,
    /// How often.
    pub frequence: String,
    /// Partners involved.
    pub partenaires: Vec<String>,
}

/// 3.1.3 Documentation space.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Documentation {
    /// Narrative.
    pub texte: String,
    /// Resources (paper and digital).
    pub fonds: Vec<Ressource>,
    /// How information is organised.
    pub organisation: String,
    /// Partners providing resources.
    pub partenaires: Vec<String>,
}

/// A documentary resource.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Ressource {
    /// Kind ("papier", "numérique").
    pub support: String,
    /// Description.
    pub description: String,
    /// Quantity, if counted.
    pub quantite: Option<f64>,
}

/// 3.2 Opening hours.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Horaires {
    /// Narrative.
    pub texte: String,
    /// Unchanged since the previous phase.
    pub inchange: bool,
    /// Opening per weekday.
    pub jours: Vec<Jour>,
    /// Weeks open per year.
    pub semaines_par_an: Option<f64>,
    /// Yearly closures ("Fermeture du 24 décembre au 2 janvier").
    pub fermetures: String,
}

/// Opening of one weekday.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Jour {
    /// The day.
    pub jour: JourSemaine,
    /// Opening slots, "HH:MM-HH:MM".
    #[serde(default)]
    #[schemars(extend("items" = { "type": "string", "format": TIME_SLOT }))]
    pub plages: Vec<String>,
}

impl Horaires {
    /// Hours open per week (slots that do not parse count for nothing; validation reports them).
    pub fn weekly_hours(&self) -> f64 {
        self.jours.iter().map(Jour::hours).sum()
    }
}

impl Jour {
    /// Hours open on this day.
    pub fn hours(&self) -> f64 {
        self.slots().map(|(start, end)| f64::from(end - start) / 60.0).sum()
    }

    /// The slots that parse, as (start, end) minutes since midnight.
    pub fn slots(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.plages.iter().filter_map(|slot| parse_slot(slot))
    }
}

/// Schema format of an opening slot ("09:30-12:30"), checked with its place by validation.
pub const TIME_SLOT: &str = "plage-horaire";

/// Parses an opening slot "09:00-12:30" (or "9h-12h30") into (start, end) minutes since
/// midnight; `None` unless the start comes before the end.
pub fn parse_slot(slot: &str) -> Option<(u32, u32)> {
    let (start, end) = slot.split_once(['-', '–'])?;
    let minutes = |t: &str| -> Option<u32> {
        let t = t.trim();
        let (h, m) = t.split_once([':', 'h']).unwrap_or((t, ""));
        let m = m.trim();
        let (h, m): (u32, u32) =
            (h.trim().parse().ok()?, if m.is_empty() { 0 } else { m.parse().ok()? });
        (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
    };
    let (start, end) = (minutes(start)?, minutes(end)?);
    (start < end).then_some((start, end))
}

/// 3.3 Attendance.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Frequentation {
    /// Narrative.
    pub texte: String,
    /// Unchanged since the previous phase.
    pub inchange: bool,
    /// How the estimate was made.
    pub methode: String,
    /// Source of the figures ("comptage des entrées", "étude de préfiguration 2024").
    pub source: String,
    /// Yearly estimates (or actual figures) by year.
    pub annuelle: Vec<ValeurAnnuelle>,
    /// Estimate by service.
    pub par_service: Vec<Poste>,
    /// Year of the estimate by service.
    pub par_service_annee: Option<i32>,
}

/// A value for one year.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ValeurAnnuelle {
    /// Year.
    pub annee: i32,
    /// Value.
    pub valeur: f64,
    /// Counted, estimated or forecast; when absent, see [`ValeurAnnuelle::status`].
    pub statut: Option<StatutValeur>,
    /// Months the value covers when fewer than twelve (a Cité opened in March: 10).
    pub mois: Option<u32>,
}

impl ValeurAnnuelle {
    /// The value's status: as written, else a forecast for a year after the dossier's date or
    /// for a Cité not open yet (`open` false), counted otherwise.
    pub fn status(&self, open: bool, year_of_dossier: i32) -> StatutValeur {
        match self.statut {
            Some(status) => status,
            None if !open || self.annee > year_of_dossier => StatutValeur::Previsionnel,
            None => StatutValeur::Realise,
        }
    }

    /// The value's period ([`super::Periode`]): what a chart labels « 2025 (10 mois) » and
    /// draws lighter when it is not a count.
    pub fn periode(&self, open: bool, year_of_dossier: i32) -> super::Periode {
        super::Periode::new(self.annee.to_string(), self.status(open, year_of_dossier), self.mois)
    }
}
