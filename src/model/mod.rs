//! The dossier data model: what a project team writes in its TOML file.
//!
//! Keys are French (ASCII snake_case) because the people who write these files are French-speaking
//! project managers; identifiers in Rust follow the keys so a TOML path reads the same in both.
//! The tables follow the chapters of the official outline; every item table has a `texte`
//! (narrative) and `inchange` (true when an "à actualiser" item did not change since the
//! previous phase), plus the structured data the outline asks for.

pub mod outline;
pub mod schema;
pub mod vocab;

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
    /// Logo (PNG, JPEG or SVG file, relative to the dossier): cover and running header.
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

/// A calendar date, written in TOML as `2026-11-24` (TOML date) or `"2026-11-24"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "DateInput", into = "String")]
pub struct Date {
    /// Year, e.g. 2026.
    pub year: i32,
    /// Month, 1–12.
    pub month: u8,
    /// Day of month, 1–31.
    pub day: u8,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum DateInput {
    Toml(toml::value::Datetime),
    Text(String),
}

impl TryFrom<DateInput> for Date {
    type Error = String;

    fn try_from(input: DateInput) -> Result<Self, String> {
        let text = match input {
            DateInput::Toml(dt) => match (dt.date, dt.time) {
                (Some(_), None) => dt.to_string(),
                _ => return Err(format!("date attendue (AAAA-MM-JJ), trouvé « {dt} »")),
            },
            DateInput::Text(text) => text,
        };
        Date::parse(&text)
    }
}

impl Date {
    /// Parses `AAAA-MM-JJ`, checking that the day exists.
    pub fn parse(text: &str) -> Result<Date, String> {
        let err = || {
            format!("date invalide « {text} » : format attendu AAAA-MM-JJ, par exemple 2026-11-24")
        };
        let mut parts = text.trim().splitn(3, '-');
        let mut next = || parts.next().and_then(|p| p.parse::<i32>().ok()).ok_or_else(err);
        let (year, month, day) = (next()?, next()?, next()?);
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return Err(err());
        }
        Ok(Date { year, month: month as u8, day: day as u8 })
    }
}

impl Date {
    /// The UTC calendar date of a Unix timestamp (seconds), if representable.
    pub fn from_unix(seconds: i64) -> Option<Date> {
        // Civil-from-days (Howard Hinnant's algorithm): a few lines instead of a date crate.
        let days = seconds.div_euclid(86_400);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = i32::try_from(yoe + era * 400 + i64::from(month <= 2)).ok()?;
        Some(Date { year, month, day })
    }
}

fn days_in_month(year: i32, month: i32) -> i32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date",
            "description": "Date au format AAAA-MM-JJ (par exemple 2026-11-24)"
        })
    }
}

impl From<Date> for String {
    fn from(d: Date) -> String {
        format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
    }
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
    /// The series.
    pub series: Vec<Serie>,
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
    /// Nature of a funding line.
    Nature {
        /// Money.
        Numeraire = "numeraire" / "Numéraire",
        /// In kind (staff, premises, equipment made available), valued in euros.
        Valorisation = "valorisation" / "Valorisation",
    }
}

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
    /// Kind of site.
    TypeSite {
        /// The Cité itself.
        Principal = "principal" / "Site principal",
        /// A "centre associé".
        CentreAssocie = "centre_associe" / "Centre associé",
        /// A "point relais".
        PointRelais = "point_relais" / "Point relais",
    }
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
        .chain(TypeSite::ALL.iter().map(|v| (v.key(), v.label())));
    labels.into_iter().find(|(k, _)| *k == key).map(|(_, l)| l)
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

/// 5. Location.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Implantation {
    /// 5.1 Premises.
    pub locaux: Locaux,
    /// 5.2 Layout.
    pub amenagement: Amenagement,
    /// 5.3 Territorial equity.
    pub equite: Equite,
}

/// 5.1 Premises.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Locaux {
    /// Narrative.
    pub texte: String,
    /// Unchanged since the previous phase.
    pub inchange: bool,
    /// Address.
    pub adresse: String,
    /// Floor area in m².
    pub surface_m2: Option<f64>,
    /// Public transport and access.
    pub acces: String,
}

/// 5.2 Layout.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Amenagement {
    /// Narrative (signage, ergonomics).
    pub texte: String,
    /// Unchanged since the previous phase.
    pub inchange: bool,
    /// Spaces.
    pub espaces: Vec<Espace>,
}

/// A space of the premises.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Espace {
    /// Name.
    pub nom: String,
    /// Area in m².
    pub surface_m2: Option<f64>,
    /// Use.
    pub usage: String,
}

/// 5.3 Territorial equity.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Equite {
    /// Narrative.
    pub texte: String,
    /// Unchanged since the previous phase.
    pub inchange: bool,
    /// Main site, associated centres, relay points.
    pub sites: Vec<Site>,
    /// GeoJSON file with the territory outline or its communes (relative to the dossier).
    pub contour: Option<String>,
    /// Distances (km, as the crow flies) of the circles drawn around the main site.
    pub anneaux_km: Vec<f64>,
}

/// A place where the Cité's services are available.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// Name.
    pub nom: String,
    /// Kind of site.
    #[serde(rename = "type")]
    pub kind: TypeSite,
    /// Town.
    #[serde(default)]
    pub commune: String,
    /// Latitude (WGS 84).
    #[serde(default)]
    pub latitude: Option<f64>,
    /// Longitude (WGS 84).
    #[serde(default)]
    pub longitude: Option<f64>,
    /// Road distance to the main site.
    #[serde(default)]
    pub distance_km: Option<f64>,
    /// Travel time to the main site, minutes.
    #[serde(default)]
    pub temps_min: Option<f64>,
    /// Services available there.
    #[serde(default)]
    pub services: String,
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
}

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
    /// Same for the previous year, for comparison.
    pub visites_par_mois_precedent: Vec<f64>,
    /// Interviews by advice space.
    pub entretiens: Vec<Comparaison>,
    /// Collective events by format.
    pub actions_collectives: Vec<Comparaison>,
    /// Satisfaction and other indicators.
    pub indicateurs: Vec<Indicateur>,
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
