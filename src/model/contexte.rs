//! Chapter 1 of the outline: the porteur (1.1), the local context (1.2) and the needs (1.3).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Date, Repartition, Valeur};

/// 1.1 The organisation carrying the project.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Porteur {
    /// Narrative.
    pub texte: String,
    /// Unchanged since the previous phase.
    pub inchange: bool,
    /// Name of the organisation.
    pub nom: String,
    /// Legal status ("Syndicat mixte", "Association loi 1901").
    pub statut: String,
    /// Its missions.
    pub missions: Vec<String>,
    /// Its services.
    pub services: Vec<String>,
    /// Why it wants a Cité des métiers.
    pub motivations: String,
    /// Political support.
    pub soutiens: Vec<Soutien>,
}

/// A political support (elected official or institution).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Soutien {
    /// Who supports.
    pub nom: String,
    /// How (letter, vote, …).
    pub nature: String,
    /// When.
    pub date: Option<Date>,
}

/// 1.2 Local context.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Contexte {
    /// Introduction.
    pub texte: String,
    /// Unchanged since the previous phase.
    pub inchange: bool,
    /// 1.2.1 Economic activities.
    pub activites: Activites,
    /// 1.2.2 Social problems.
    pub social: Social,
    /// 1.2.3 The public of the Cité.
    pub public: Public,
    /// 1.2.4 Local guidance structures.
    pub structures: Structures,
}

/// 1.2.1 Economic activities.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Activites {
    /// Narrative.
    pub texte: String,
    /// Employment (or establishments) by sector.
    pub secteurs: Repartition,
}

/// 1.2.2 Social problems.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Social {
    /// Narrative.
    pub texte: String,
    /// Headline indicators (poverty rate, NEET share…).
    pub indicateurs: Vec<Indicateur>,
    /// Unemployment rate over time.
    pub chomage: SerieTemporelle,
}

/// A headline statistic with its source and an optional reference value for comparison.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Indicateur {
    /// Name ("Taux de pauvreté").
    pub nom: String,
    /// Value on the territory.
    pub valeur: f64,
    /// Unit ("%", "personnes").
    pub unite: String,
    /// Year.
    pub annee: Option<i32>,
    /// Source.
    pub source: String,
    /// Value of the comparison area.
    pub reference: Option<f64>,
    /// Name of the comparison area ("France métropolitaine").
    pub reference_nom: String,
}

/// Several series over the same periods (territory vs département vs France).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SerieTemporelle {
    /// Title.
    pub titre: String,
    /// Unit of the values.
    pub unite: String,
    /// Source.
    pub source: String,
    /// Period labels ("2019", "T1 2024").
    pub periodes: Vec<String>,
    /// Whether each period's values are counted, estimated (provisional) or forecast, in the
    /// order of `periodes`; a period without one is counted.
    pub statuts: Vec<super::StatutValeur>,
    /// The series.
    pub series: Vec<Serie>,
}

impl SerieTemporelle {
    /// The periods ([`super::Periode`]), with their status.
    pub fn periods(&self) -> Vec<super::Periode> {
        let status =
            |i: usize| self.statuts.get(i).copied().unwrap_or(super::StatutValeur::Realise);
        self.periodes
            .iter()
            .enumerate()
            .map(|(i, p)| super::Periode::new(p.clone(), status(i), None))
            .collect()
    }
}

/// One named series of values.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Serie {
    /// Name ("Zone d'emploi de Chinon").
    pub nom: String,
    /// One value per period, `"nd"` where it is not available.
    pub valeurs: Vec<Valeur>,
}

/// 1.2.3 The public.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Public {
    /// Narrative (including the public's needs).
    pub texte: String,
    /// Population aged 15–64 by activity status (Insee EMP T1).
    pub population_active: Repartition,
    /// Pupils and students by level or age band.
    pub scolaires: Repartition,
    /// Job seekers by category (A, B, C…).
    pub demandeurs_categorie: Repartition,
    /// Job seekers by age band.
    pub demandeurs_age: Repartition,
}

/// 1.2.4 Local guidance structures.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Structures {
    /// Narrative.
    pub texte: String,
    /// The structures.
    pub liste: Vec<Structure>,
}

/// A local guidance, training or employment structure.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Structure {
    /// Name.
    pub nom: String,
    /// Type of service.
    pub service: String,
    /// Public served.
    pub public: String,
    /// Location.
    pub implantation: String,
    /// Whether it is a partner of the Cité.
    pub partenaire: bool,
}

/// 1.3 Needs.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Besoins {
    /// Narrative.
    pub texte: String,
    /// Unchanged since the previous phase.
    pub inchange: bool,
    /// Unmet needs, one per entry.
    pub liste: Vec<String>,
    /// Stakes of the territory regarding lifelong guidance.
    pub enjeux: Vec<String>,
}
