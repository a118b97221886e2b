//! Chapter 7 of the outline: evaluation criteria (7.1 to 7.4).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// 7. Evaluation.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Evaluation {
    /// 7.1 Partnership dynamics.
    pub dynamique_partenariale: Criteres,
    /// 7.2 Counsellors' professionalisation.
    pub professionnalisation: Criteres,
    /// 7.3 Users' needs and service offer.
    pub besoins_usagers: Criteres,
    /// 7.4 Compliance with the charter.
    pub charte: Criteres,
}

/// A set of evaluation criteria.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Criteres {
    /// Narrative.
    pub texte: String,
    /// Unchanged since the previous phase.
    pub inchange: bool,
    /// The criteria.
    pub criteres: Vec<Critere>,
}

/// An evaluation criterion.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Critere {
    /// Criterion.
    pub critere: String,
    /// Indicator measuring it.
    pub indicateur: String,
    /// Target.
    pub cible: String,
    /// Measured result, once open.
    pub resultat: String,
}
