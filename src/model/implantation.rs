//! Chapter 5 of the outline: premises, layout and territorial equity (5.1 to 5.3).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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

crate::vocabulary! {
    /// Whether a site receives the public yet.
    EtatSite {
        /// Open to the public.
        Ouvert = "ouvert" / "Ouvert",
        /// Planned, not open yet.
        Prevu = "prevu" / "Prévu",
    }
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
    /// Open or planned (open when absent).
    #[serde(default)]
    pub etat: Option<EtatSite>,
}

impl Site {
    /// Whether the site is planned rather than open.
    pub fn planned(&self) -> bool {
        self.etat == Some(EtatSite::Prevu)
    }
}
