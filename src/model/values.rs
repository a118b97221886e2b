//! Value types shared by the chapters: distributions, series values ("nd" for not available).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The period of a yearly figure: its year, whether its value is counted, estimated or
/// forecast, and the months it covers when fewer than twelve. Every yearly series of the
/// dossier (attendance of 3.3, the activity report's figures of 8.4, the statistics series of
/// 1.2) says it through this type, and every chart labels and draws its periods through
/// [`Periode::label`] and [`Periode::counted`]: « 2025 (10 mois) », lighter when not counted.
#[derive(Debug, Clone, PartialEq)]
pub struct Periode {
    /// The period as written (« 2025 », « T1 2024 »).
    pub nom: String,
    /// Counted, estimated or forecast.
    pub statut: super::StatutValeur,
    /// Months covered, when fewer than twelve (a Cité opened in March: 10).
    pub mois: Option<u32>,
}

impl Periode {
    /// A period of `nom`, counted over the whole year unless said otherwise.
    pub fn new(nom: impl Into<String>, statut: super::StatutValeur, mois: Option<u32>) -> Self {
        Periode { nom: nom.into(), statut, mois: mois.filter(|m| *m < 12) }
    }

    /// The period as a chart or a table labels it: « 2025 (10 mois) » for a partial year.
    pub fn label(&self) -> String {
        match self.mois {
            Some(m) => format!("{} ({m} mois)", self.nom),
            None => self.nom.clone(),
        }
    }

    /// How a legend or a column heading names the period: « 2025 (10 mois) », « 2026, en
    /// partie estimé », « 2027, prévisionnel ».
    pub fn legend(&self) -> String {
        let status = match self.statut {
            super::StatutValeur::Realise => "",
            super::StatutValeur::Estime => ", en partie estimé",
            super::StatutValeur::Previsionnel => ", prévisionnel",
        };
        format!("{}{status}", self.label())
    }

    /// Whether two periods can be compared « sur un an »: both whole years.
    pub fn comparable(&self, other: &Periode) -> bool {
        self.mois.is_none() && other.mois.is_none()
    }

    /// Whether the value is a count: the others are drawn lighter and named in the legend.
    pub fn counted(&self) -> bool {
        self.statut == super::StatutValeur::Realise
    }
}

/// A distribution of a quantity over categories (sectors, statuses, age bands…), with its source.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Repartition {
    /// What is measured ("Emplois salariés par secteur").
    pub titre: String,
    /// Unit of the values ("emplois", "personnes", "%").
    pub unite: String,
    /// Year of the statistic.
    pub annee: Option<i32>,
    /// Source ("Insee, RP 2021 exploitation principale").
    pub source: String,
    /// The categories.
    pub postes: Vec<Poste>,
}

/// One category of a [`Repartition`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Poste {
    /// Category name.
    pub nom: String,
    /// Value.
    pub valeur: f64,
}

/// A value of a series: a number, or `"nd"` (non disponible) where the statistic does not
/// exist for that period. Writing the gap explicitly keeps every value at its period: a
/// shorter list would shift the values to the wrong years.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Valeur(pub Option<f64>);

/// How a missing value is written in TOML and CSV.
pub const NOT_AVAILABLE: &str = "nd";

impl Valeur {
    /// Whether a text means "not available" ("nd", "n.d.", "ND").
    pub fn is_not_available(text: &str) -> bool {
        crate::model::vocab::fold(text).replace('.', "") == NOT_AVAILABLE
    }
}

impl Serialize for Valeur {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(v) => s.serialize_f64(v),
            None => s.serialize_str(NOT_AVAILABLE),
        }
    }
}

impl<'de> Deserialize<'de> for Valeur {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Input {
            Number(f64),
            Text(String),
        }
        match Input::deserialize(d)? {
            Input::Number(v) => Ok(Valeur(Some(v))),
            Input::Text(t) if Valeur::is_not_available(&t) => Ok(Valeur(None)),
            Input::Text(t) => Err(serde::de::Error::custom(format!(
                "valeur non reconnue « {t} » : un nombre, ou \"nd\" si elle n'est pas disponible"
            ))),
        }
    }
}

impl JsonSchema for Valeur {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Valeur".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": ["number", "string"],
            "format": VALUE_OR_NA,
        })
    }
}

/// Schema format of a [`Valeur`]: a number or "nd".
pub const VALUE_OR_NA: &str = "nombre-ou-nd";
