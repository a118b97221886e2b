//! Chapter 2 of the outline: partnership dynamics (2.1 to 2.3).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Date;

/// 2. Partnership dynamics.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Partenariat {
    /// 2.1 Awareness raising.
    pub sensibilisation: Sensibilisation,
    /// 2.2 Consultation bodies.
    pub concertation: Concertation,
    /// 2.3 Pooling results.
    pub mutualisation: Mutualisation,
}

/// 2.1 How partners were identified and contacted.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Sensibilisation {
    /// Narrative.
    pub texte: String,
    /// Unchanged since the previous phase.
    pub inchange: bool,
    /// Milestones of the process.
    pub etapes: Vec<Etape>,
}

/// A dated step.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Etape {
    /// When.
    pub date: Option<Date>,
    /// What happened.
    pub action: String,
}

/// 2.2 Consultation bodies.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Concertation {
    /// Narrative.
    pub texte: String,
    /// Unchanged since the previous phase.
    pub inchange: bool,
    /// Decision and consultation bodies.
    pub instances: Vec<Instance>,
}

/// A governance or consultation body.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Instance {
    /// Name ("Comité de pilotage").
    pub nom: String,
    /// Members.
    pub composition: String,
    /// How often it meets.
    pub frequence: String,
    /// Its role.
    pub role: String,
}

/// 2.3 Results of the partnership.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Mutualisation {
    /// Narrative.
    pub texte: String,
    /// Unchanged since the previous phase.
    pub inchange: bool,
    /// Joint actions and projects.
    pub actions: Vec<ActionCommune>,
}

/// A joint action of several partners.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ActionCommune {
    /// Title.
    pub titre: String,
    /// Partners involved (names from `fonctionnement.partenaires.liste`).
    pub partenaires: Vec<String>,
    /// Result.
    pub resultat: String,
}
