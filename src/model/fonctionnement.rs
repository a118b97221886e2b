//! Chapter 4 of the outline: how the Cité works — partners, staff, equipment, governance, legal structure, communication (4.1 to 4.6).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Instance;

crate::vocabulary! {
    /// Kind of contribution a partner makes (outline 4.1).
    Role {
        /// Funds the Cité.
        Financeur = "financeur" / "Financeur",
        /// Provides services (advice, collective offer).
        Services = "services" / "Services",
        /// Provides resources (documentation, equipment).
        Ressources = "ressources" / "Ressources",
    }
}

crate::vocabulary! {
    /// How far a partner has committed (outline 4.1): only « signé » and « engagé » count among
    /// the partners engaged that the dossier states.
    StatutEngagement {
        /// A convention, a letter of commitment or a deliberation is signed.
        Signe = "signe" / "Signé",
        /// Committed in writing or by decision, the formal act still to sign.
        Engage = "engage" / "Engagé",
        /// Talks under way, nothing committed yet.
        EnDiscussion = "en_discussion" / "En discussion",
        /// Asked (an application, a call for projects), no answer yet.
        Sollicite = "sollicite" / "Sollicité",
    }
}

impl Default for StatutEngagement {
    /// A partner listed without a status is taken as committed: the list of 4.1 is the list of
    /// partners engaged unless the writer says otherwise.
    fn default() -> Self {
        StatutEngagement::Engage
    }
}

impl StatutEngagement {
    /// Whether the partner counts among the partners engaged.
    pub fn engaged(self) -> bool {
        matches!(self, StatutEngagement::Signe | StatutEngagement::Engage)
    }
}

/// 4. How the Cité works.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Fonctionnement {
    /// 4.1 Partners.
    pub partenaires: Partenaires,
    /// 4.2 Staff.
    pub moyens_humains: MoyensHumains,
    /// 4.3 Equipment.
    pub moyens_materiels: MoyensMateriels,
    /// 4.4 Governance.
    pub gouvernance: Gouvernance,
    /// 4.5 Legal structure.
    pub structure_juridique: StructureJuridique,
    /// 4.6 Communication plan.
    pub communication: Communication,
}

/// 4.1 Partners.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Partenaires {
    /// Narrative.
    pub texte: String,
    /// Unchanged since the previous phase.
    pub inchange: bool,
    /// The partners.
    pub liste: Vec<Partenaire>,
}

/// A partner of the Cité.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Partenaire {
    /// Name.
    pub nom: String,
    /// Kind of organisation ("Service public de l'emploi").
    pub categorie: String,
    /// Kinds of contribution.
    pub roles: Vec<Role>,
    /// What it brings.
    pub contribution: String,
    /// Commitment ("Convention signée le …", "Lettre d'intention").
    pub engagement: String,
    /// Where the commitment stands: signed, committed, under discussion, applied for.
    pub statut: StatutEngagement,
}

/// 4.2 Staff.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct MoyensHumains {
    /// Narrative.
    pub texte: String,
    /// Unchanged since the previous phase.
    pub inchange: bool,
    /// 4.2.1 Front-office functions.
    pub fonctions_usagers: Vec<Fonction>,
    /// 4.2.2 Support functions.
    pub fonctions_support: Vec<Fonction>,
    /// 4.2.3 Training plan.
    pub plan_formation: PlanFormation,
}

impl MoyensHumains {
    /// The front-office and support functions.
    pub fn functions(&self) -> impl Iterator<Item = &Fonction> {
        self.fonctions_usagers.iter().chain(&self.fonctions_support)
    }

    /// Full-time equivalents of all functions (those without a figure count for nothing).
    pub fn etp(&self) -> f64 {
        self.functions().filter_map(|f| f.etp).sum()
    }
}

/// A staff function.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Fonction {
    /// Function ("Chargé·e d'accueil").
    pub fonction: String,
    /// Missions.
    pub missions: String,
    /// Full-time equivalents.
    pub etp: Option<f64>,
    /// Employer or partner providing the person.
    pub structure: String,
}

/// 4.2.3 Training plan.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PlanFormation {
    /// Narrative.
    pub texte: String,
    /// Training actions.
    pub actions: Vec<Formation>,
}

/// A training action for staff.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Formation {
    /// Title.
    pub intitule: String,
    /// Who attends.
    pub public: String,
    /// Duration ("2 jours").
    pub duree: String,
    /// When.
    pub periode: String,
}

/// 4.3 Equipment.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct MoyensMateriels {
    /// Narrative.
    pub texte: String,
    /// Unchanged since the previous phase.
    pub inchange: bool,
    /// Equipment lines.
    pub liste: Vec<Materiel>,
}

/// An equipment need.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Materiel {
    /// Item.
    pub designation: String,
    /// Quantity.
    pub quantite: f64,
    /// Unit cost in euros.
    pub cout_unitaire: Option<f64>,
    /// Who provides it.
    pub financement: String,
}

/// 4.4 Governance: the five questions of the outline, answered one by one.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Gouvernance {
    /// Narrative.
    pub texte: String,
    /// Unchanged since the previous phase.
    pub inchange: bool,
    /// 1) How strategic decisions are made.
    pub decision_strategique: String,
    /// 2) How partners exchange information.
    pub echange_information: String,
    /// 3) How professionals exchange practices.
    pub echange_pratiques: String,
    /// 4) How feedback from professionals shapes the offer.
    pub retours_professionnels: String,
    /// 5) How agile decisions are made.
    pub decision_agile: String,
    /// Governance bodies.
    pub instances: Vec<Instance>,
}

/// 4.5 Legal structure.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct StructureJuridique {
    /// Narrative (why this form).
    pub texte: String,
    /// Unchanged since the previous phase.
    pub inchange: bool,
    /// Legal form ("GIP", "Association loi 1901").
    pub forme: String,
}

/// 4.6 Communication plan.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Communication {
    /// Narrative.
    pub texte: String,
    /// Unchanged since the previous phase.
    pub inchange: bool,
    /// Actions.
    pub actions: Vec<ActionCommunication>,
}

/// A communication action.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ActionCommunication {
    /// Audience ("Grand public", "Institutions").
    pub cible: String,
    /// Action.
    pub action: String,
    /// Channel.
    pub canal: String,
    /// When.
    pub calendrier: String,
}
