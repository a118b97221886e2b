//! Chapter 6 of the outline: operating and investment budgets (6.1, 6.2).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

crate::vocabulary! {
    /// Nature of a funding line.
    Nature {
        /// Money.
        Numeraire = "numeraire" / "Numéraire",
        /// In kind (staff, premises, equipment made available), valued in euros.
        Valorisation = "valorisation" / "Valorisation",
    }
}

/// 6. Budget.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Budget {
    /// 6.1 Operating budget.
    pub fonctionnement: BudgetDetail,
    /// 6.2 Investment budget.
    pub investissement: BudgetDetail,
}

/// A budget: expense lines and funding by partner.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct BudgetDetail {
    /// Narrative.
    pub texte: String,
    /// Unchanged since the previous phase.
    pub inchange: bool,
    /// Year or period the budget covers.
    pub exercice: String,
    /// Expense lines.
    pub charges: Vec<LigneBudget>,
    /// Funding lines.
    pub financements: Vec<Financement>,
    /// Stated total, checked against the lines when given.
    pub total: Option<f64>,
}

impl BudgetDetail {
    /// Funding by funder, in the order funders first appear: the lines of one partner (cash
    /// and in kind) added up, names compared without case or accents. The one rule for the
    /// chart of 6.1, the key figures and the network overview.
    pub fn by_funder(&self) -> Vec<(String, f64)> {
        let mut funders: Vec<(String, String, f64)> = Vec::new();
        for line in &self.financements {
            let key = crate::model::vocab::fold(&line.partenaire);
            match funders.iter_mut().find(|(k, ..)| *k == key) {
                Some((.., total)) => *total += line.montant,
                None => funders.push((key, line.partenaire.trim().to_string(), line.montant)),
            }
        }
        funders.into_iter().map(|(_, name, total)| (name, total)).collect()
    }

    /// Sum of the in-kind funding lines (valorisation).
    pub fn in_kind(&self) -> f64 {
        let in_kind = self.financements.iter().filter(|f| f.nature == Some(Nature::Valorisation));
        in_kind.map(|f| f.montant).sum()
    }
}

/// An expense line.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LigneBudget {
    /// What the money is for.
    pub poste: String,
    /// Amount in euros.
    pub montant: f64,
}

/// A funding line.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Financement {
    /// Funding partner (name from `fonctionnement.partenaires.liste`).
    pub partenaire: String,
    /// Amount in euros.
    pub montant: f64,
    /// Money or in kind.
    pub nature: Option<Nature>,
    /// The funder is not a partner of the Cité (FSE+, a foundation): its name is then not
    /// looked up in the partner list.
    pub hors_partenariat: bool,
    /// Applied for, not granted yet: printed as such, and not counted among the funders.
    pub sollicite: bool,
}
