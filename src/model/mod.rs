//! The dossier data model: what a project team writes in its TOML file.
//!
//! Keys are French (ASCII snake_case) because the people who write these files are French-speaking
//! project managers; identifiers in Rust follow the keys so a TOML path reads the same in both.
//! The tables follow the chapters of the official outline; every item table has a `texte`
//! (narrative) and `inchange` (true when an "à actualiser" item did not change since the
//! previous phase), plus the structured data the outline asks for.

pub mod figures;
pub mod outline;
pub mod schema;
pub mod vocab;

mod budget;
mod complements;
mod contexte;
mod date;
mod evaluation;
mod fonctionnement;
mod implantation;
mod offre;
mod partenariat;
mod values;

pub use budget::*;
pub use complements::*;
pub use contexte::*;
pub use date::*;
pub use evaluation::*;
pub use fonctionnement::*;
pub use implantation::*;
pub use offre::*;
pub use partenariat::*;
pub use values::*;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::outline::Phase;

/// A whole dossier de labellisation.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dossier {
    /// Cover data: the Cité, its porteur, the label applied for.
    pub cite: Cite,
    /// 1.1 Le porteur de projet.
    #[serde(default)]
    pub porteur: Porteur,
    /// 1.2 Le contexte local.
    #[serde(default)]
    pub contexte: Contexte,
    /// 1.3 Les besoins identifiés.
    #[serde(default)]
    pub besoins: Besoins,
    /// 2. Dynamique partenariale.
    #[serde(default)]
    pub partenariat: Partenariat,
    /// 3. Offre de services.
    #[serde(default)]
    pub offre: Offre,
    /// 4. Fonctionnement.
    #[serde(default)]
    pub fonctionnement: Fonctionnement,
    /// 5. Implantation géographique.
    #[serde(default)]
    pub implantation: Implantation,
    /// 6. Budget.
    #[serde(default)]
    pub budget: Budget,
    /// 7. Évaluation.
    #[serde(default)]
    pub evaluation: Evaluation,
    /// 8. Compléments pour les cités labellisées.
    #[serde(default)]
    pub complements: Complements,
    /// Annexes appended after chapter 8 (statutes, letters of commitment, floor plans…).
    #[serde(default)]
    pub annexes: Vec<Annexe>,
    /// Look of the document: colours, logo, cover image, Markdown in narrative fields.
    #[serde(default)]
    pub apparence: Apparence,
}

/// Look of the document (the Cité's visual identity) and how narrative text is read.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Apparence {
    /// Main colour, `#rrggbb`: cover, headings, table headers, key figures, charts.
    pub couleur_principale: Option<String>,
    /// Secondary colour, `#rrggbb`: accents and the second series of the charts.
    pub couleur_secondaire: Option<String>,
    /// Logo (PNG, JPEG or SVG file, relative to the dossier), on the cover (the running header
    /// names the Cité in words).
    pub logo: Option<String>,
    /// Cover image (PNG, JPEG or SVG file, relative to the dossier).
    pub image_couverture: Option<String>,
    /// Narrative fields (`texte`) are read as Markdown: paragraphs, lists, **bold**, *italic*,
    /// links and simple tables. Off by default: text is then printed exactly as written.
    pub markdown: bool,
}

impl Dossier {
    /// The files the dossier names, relative to its folder, with the field naming each
    /// ("annexes[2].fichier"): what validation checks and what the live preview watches.
    pub fn file_references(&self) -> Vec<(String, &str)> {
        let mut names: Vec<(String, &str)> = self
            .annexes
            .iter()
            .enumerate()
            .map(|(i, a)| (format!("annexes[{i}].fichier"), a.fichier.as_str()))
            .collect();
        if let Some(contour) = &self.implantation.equite.contour {
            names.push(("implantation.equite.contour".into(), contour));
        }
        if let Some(logo) = &self.apparence.logo {
            names.push(("apparence.logo".into(), logo));
        }
        if let Some(image) = &self.apparence.image_couverture {
            names.push(("apparence.image_couverture".into(), image));
        }
        names
    }
}

impl Apparence {
    /// Parses a colour written `#rrggbb` (or `#rgb`).
    pub fn rgb(text: &str) -> Option<[u8; 3]> {
        let hex = text.trim().strip_prefix('#')?;
        let digits: Vec<u8> =
            hex.chars().map(|c| c.to_digit(16).map(|d| d as u8)).collect::<Option<_>>()?;
        match digits.as_slice() {
            [r, g, b] => Some([r * 17, g * 17, b * 17]),
            [r1, r2, g1, g2, b1, b2] => Some([r1 * 16 + r2, g1 * 16 + g2, b1 * 16 + b2]),
            _ => None,
        }
    }
}

/// An annex: a PDF or an image appended to the dossier.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Annexe {
    /// Title ("Statuts du GIP").
    pub titre: String,
    /// The file, relative to the dossier's folder (.pdf, .png, .jpg, .svg).
    pub fichier: String,
    /// Description of the content, read aloud by screen readers (required for images).
    #[serde(default)]
    pub description: String,
    /// Items of the outline that cite this annex ("4.5", "5.2").
    #[serde(default)]
    pub items: Vec<String>,
    /// Pages of a PDF annex to include ("1-3", "1, 4-6"); all when absent. The whole file is
    /// attached to the PDF whatever the selection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<String>,
}

/// Cover page data.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cite {
    /// Name of the Cité des métiers.
    pub nom: String,
    /// The label applied for.
    pub label: Phase,
    /// The organisation carrying the project.
    #[serde(default)]
    pub porteur: String,
    /// Territory covered.
    #[serde(default)]
    pub territoire: String,
    /// Date of the dossier.
    pub date: Date,
    /// Version of the dossier ("1.0", "V2 – comité du 12 mars").
    #[serde(default)]
    pub version: String,
    /// People to contact about the dossier.
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// The dossier of the previous label phase ("../2025/dossier.toml"), compared with this
    /// one: items "à actualiser" then say whether they changed, and item 8.3 lists the
    /// changes. Unlike the other files, it may lie outside the dossier's folder: it is only
    /// read, never embedded in the PDF.
    #[serde(default)]
    pub precedent: Option<String>,
}

/// A contact person.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Contact {
    /// Full name.
    pub nom: String,
    /// Role ("Directrice de projet").
    pub fonction: String,
    /// Organisation.
    pub structure: String,
    /// E-mail.
    pub courriel: String,
    /// Phone.
    pub telephone: String,
}

/// The French label of a vocabulary key, whatever its list (keys are distinct across lists):
/// what templates print for an enumerated value.
pub fn label_of(key: &str) -> Option<&'static str> {
    let labels = Role::ALL
        .iter()
        .map(|v| (v.key(), v.label()))
        .chain(Nature::ALL.iter().map(|v| (v.key(), v.label())))
        .chain(Priorite::ALL.iter().map(|v| (v.key(), v.label())))
        .chain(Etat::ALL.iter().map(|v| (v.key(), v.label())))
        .chain(JourSemaine::ALL.iter().map(|v| (v.key(), v.label())))
        .chain(TypeSite::ALL.iter().map(|v| (v.key(), v.label())))
        .chain(StatutEngagement::ALL.iter().map(|v| (v.key(), v.label())))
        .chain(StatutValeur::ALL.iter().map(|v| (v.key(), v.label())))
        .chain(EtatSite::ALL.iter().map(|v| (v.key(), v.label())));
    labels.into_iter().find(|(k, _)| *k == key).map(|(_, l)| l)
}

/// A projet dossier named "X" dated 2026-01-01, followed by `body` (TOML), for unit tests.
#[cfg(test)]
pub fn test_dossier(body: &str) -> Dossier {
    toml::from_str(&format!("[cite]\nnom = \"X\"\nlabel = \"projet\"\ndate = 2026-01-01\n{body}"))
        .expect("test dossier parses")
}

#[cfg(test)]
mod tests {
    use super::Date;

    #[test]
    fn a_funder_s_cash_and_in_kind_lines_add_up_whatever_the_spelling() {
        let d = super::test_dossier(
            "[[budget.fonctionnement.financements]]\npartenaire = \"Région\"\nmontant = 100\n\
             [[budget.fonctionnement.financements]]\npartenaire = \"État\"\nmontant = 30\n\
             [[budget.fonctionnement.financements]]\npartenaire = \" region \"\nmontant = 20\nnature = \"valorisation\"\n",
        );
        let budget = &d.budget.fonctionnement;
        assert_eq!(budget.by_funder(), [("Région".to_string(), 120.0), ("État".to_string(), 30.0)]);
        assert_eq!(budget.in_kind(), 20.0);
    }

    #[test]
    fn opening_slots_parse_with_colon_or_h() {
        use super::parse_slot;
        assert_eq!(parse_slot("09:00-12:30"), Some((540, 750)));
        assert_eq!(parse_slot("9h-12h30"), Some((540, 750)));
        assert_eq!(parse_slot("9 h 30 – 12 h 30"), Some((570, 750)));
        assert_eq!(parse_slot("14:00-13:00"), None);
        assert_eq!(parse_slot("n'importe quoi"), None);
    }

    #[test]
    fn unix_timestamps_become_calendar_dates() {
        assert_eq!(Date::from_unix(0), Some(Date { year: 1970, month: 1, day: 1 }));
        assert_eq!(Date::from_unix(1_795_478_400), Date::parse("2026-11-24").ok());
        assert_eq!(Date::from_unix(951_782_400), Date::parse("2000-02-29").ok());
    }
}
