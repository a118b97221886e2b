//! The tera layer: built-in templates embedded in the binary, user overrides file by file,
//! filters registered in one place, and rendering of a dossier into Typst sources.

mod context;
mod essentials;
pub mod filters;
pub(crate) mod markdown;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use serde::Serialize;
use tera::{Context, Tera};

pub use context::{Derived, ItemContext};

use crate::document::charts::{Chart, Charts};
use crate::document::pieces::Piece;
use crate::fr::format_date;
use crate::fsutil;
use crate::input::load::LoadedDossier;
use crate::model::Date;
use crate::typeset::compile::Sources;

/// The built-in templates, by name. `lib.typ` holds the Typst styles and building blocks,
/// `macros.typ` the tera macros, and there is one template per chapter.
pub const BUILTIN: &[(&str, &str)] = &[
    ("macros.typ", include_str!("../../../templates/macros.typ")),
    ("lib.typ", include_str!("../../../templates/lib.typ")),
    ("main.typ", include_str!("../../../templates/main.typ")),
    ("couverture.typ", include_str!("../../../templates/couverture.typ")),
    ("essentiel.typ", include_str!("../../../templates/essentiel.typ")),
    ("chapitre-1.typ", include_str!("../../../templates/chapitre-1.typ")),
    ("chapitre-2.typ", include_str!("../../../templates/chapitre-2.typ")),
    ("chapitre-3.typ", include_str!("../../../templates/chapitre-3.typ")),
    ("chapitre-4.typ", include_str!("../../../templates/chapitre-4.typ")),
    ("chapitre-5.typ", include_str!("../../../templates/chapitre-5.typ")),
    ("chapitre-6.typ", include_str!("../../../templates/chapitre-6.typ")),
    ("chapitre-7.typ", include_str!("../../../templates/chapitre-7.typ")),
    ("chapitre-8.typ", include_str!("../../../templates/chapitre-8.typ")),
    ("annexes.typ", include_str!("../../../templates/annexes.typ")),
    ("synthese.typ", include_str!("../../../templates/synthese.typ")),
];

/// Templates that produce a Typst file, with the virtual path of that file.
/// `macros.typ` produces nothing by itself.
const OUTPUTS: &[(&str, &str)] = &[
    ("lib.typ", "/lib.typ"),
    ("main.typ", "/main.typ"),
    ("couverture.typ", "/couverture.typ"),
    ("essentiel.typ", "/essentiel.typ"),
    ("chapitre-1.typ", "/chapitres/1.typ"),
    ("chapitre-2.typ", "/chapitres/2.typ"),
    ("chapitre-3.typ", "/chapitres/3.typ"),
    ("chapitre-4.typ", "/chapitres/4.typ"),
    ("chapitre-5.typ", "/chapitres/5.typ"),
    ("chapitre-6.typ", "/chapitres/6.typ"),
    ("chapitre-7.typ", "/chapitres/7.typ"),
    ("chapitre-8.typ", "/chapitres/8.typ"),
    ("annexes.typ", "/annexes.typ"),
];

/// What the templates get besides the loaded dossier: what the render stage made of it.
pub struct Extras<'a> {
    /// Charts by identifier.
    pub charts: &'a Charts,
    /// Files attached to the PDF.
    pub pieces: &'a [Piece],
    /// The annexes made ready to be placed, in the dossier's order.
    pub annexes: &'a [crate::input::annex::Prepared],
    /// Date recorded in the document.
    pub date: Date,
    /// Images shown from another file than the one attached (a CMYK JPEG converted to RGB):
    /// field naming the image → virtual path of what is shown.
    pub shown: &'a [(String, String)],
}

/// The loaded templates, shared by every dossier rendered in the process.
pub struct Templates {
    tera: Tera,
    /// Where each overridden template came from, for error messages.
    overridden: BTreeMap<String, PathBuf>,
    /// Files of the override folder that match no template.
    pub ignored: Vec<PathBuf>,
}

impl Templates {
    /// The files of the override folder: read by the render, so never written over.
    pub fn files(&self) -> Vec<crate::fsutil::Input> {
        let overridden = self.overridden.values().map(|p| (p, "un modèle personnalisé"));
        let ignored = self.ignored.iter().map(|p| (p, "un fichier du dossier de modèles"));
        overridden.chain(ignored).map(|(p, role)| crate::fsutil::Input::new(p, role)).collect()
    }

    /// Loads the built-in templates, replacing each one by the file of the same name in
    /// `overrides` when there is one.
    pub fn new(overrides: Option<&Path>) -> Result<Self> {
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".typ"]);
        tera.set_escape_fn(filters::escape_markup);
        filters::register(&mut tera);

        let mut overridden = BTreeMap::new();
        let mut sources = Vec::new();
        for (name, builtin) in BUILTIN {
            let user = overrides.map(|dir| dir.join(name)).filter(|p| p.is_file());
            let text = match &user {
                Some(path) => fsutil::read_to_string(path)?,
                None => (*builtin).to_string(),
            };
            if let Some(path) = user {
                overridden.insert((*name).to_string(), path);
            }
            sources.push((*name, text));
        }
        let ignored = match overrides {
            Some(dir) => unknown_files(dir)?,
            None => Vec::new(),
        };
        let mut templates = Templates { tera, overridden, ignored };
        let result =
            templates.tera.add_raw_templates(sources.iter().map(|(n, t)| (*n, t.as_str())));
        result.map_err(|e| templates.explain(e, "lecture des modèles"))?;
        Ok(templates)
    }

    /// Renders every Typst file of a dossier; the charts' SVG files join the sources.
    pub fn render(&self, loaded: &LoadedDossier, extras: &Extras) -> Result<Sources> {
        let dossier = &loaded.dossier;
        let charts = extras.charts;
        let context = build_context(loaded, extras)?;
        let _markdown = filters::markdown_mode(dossier.apparence.markdown);
        let mut files: BTreeMap<String, String> =
            charts.values().map(|c| (c.chemin.clone(), c.svg.clone())).collect();
        for (name, vpath) in OUTPUTS {
            let text = self
                .tera
                .render(name, &context)
                .map_err(|e| self.explain(e, &format!("modèle « {name} »")))?;
            files.insert((*vpath).to_string(), text);
        }
        Ok(Sources { files, assets: BTreeMap::new(), notes: Vec::new() })
    }

    /// Renders the network overview of a batch (`synthese.typ`) as `/main.typ`, with its charts.
    pub fn render_overview(&self, data: &impl Serialize, charts: &Charts) -> Result<Sources> {
        let mut context = Context::from_serialize(data).context("préparation de la synthèse")?;
        context.insert("charts", charts);
        context.insert("generateur", crate::GENERATOR);
        // The network overview has no Cité of its own: the built-in look.
        context.insert("apparence", &Appearance::new(&crate::model::Apparence::default(), &[]));
        let mut files: BTreeMap<String, String> =
            charts.values().map(|c| (c.chemin.clone(), c.svg.clone())).collect();
        for (name, vpath) in [("lib.typ", "/lib.typ"), ("synthese.typ", "/main.typ")] {
            let text = self
                .tera
                .render(name, &context)
                .map_err(|e| self.explain(e, &format!("modèle « {name} »")))?;
            files.insert(vpath.to_string(), text);
        }
        Ok(Sources { files, assets: BTreeMap::new(), notes: Vec::new() })
    }

    /// Turns a tera error into one that names the template file and keeps the cause chain
    /// (tera puts the real cause deep in it).
    fn explain(&self, error: tera::Error, what: &str) -> anyhow::Error {
        let origin = if self.overridden.is_empty() {
            "modèles intégrés".to_string()
        } else {
            let list: Vec<_> = self.overridden.values().map(|p| p.display().to_string()).collect();
            format!("modèles personnalisés : {}", list.join(", "))
        };
        anyhow::Error::new(error).context(format!("erreur de modèle ({what}, {origin})"))
    }
}

fn unknown_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("impossible de lire le dossier de modèles {}", dir.display()))?;
    let mut ignored = Vec::new();
    for entry in entries {
        let path = entry.with_context(|| format!("lecture de {}", dir.display()))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if !BUILTIN.iter().any(|(builtin, _)| *builtin == name) {
            ignored.push(path);
        }
    }
    Ok(ignored)
}

/// Everything a template can use.
#[derive(Serialize)]
struct TemplateData<'a> {
    /// The dossier as written.
    d: &'a crate::model::Dossier,
    /// Outline entries by number, with applicability and emptiness.
    items: BTreeMap<String, ItemContext>,
    /// The applicability matrix.
    matrice: Vec<context::MatrixRow>,
    /// The requested phase.
    phase: PhaseData,
    /// Derived figures.
    calc: Derived,
    /// The key figures of « L'essentiel ».
    essentiel: essentials::Essentials,
    /// Charts by identifier (path, alt text, caption); every identifier is present.
    charts: BTreeMap<&'static str, Option<&'a Chart>>,
    /// Date of the dossier in French.
    date_fr: String,
    /// Date of the document as numbers, for Typst's `datetime`.
    date: DateParts,
    /// Files attached to the PDF.
    pieces: &'a [Piece],
    /// Annexes, numbered.
    annexes: Vec<context::AnnexContext>,
    /// Rows of item 8.3: written by hand, then computed from the previous dossier.
    evolutions: Vec<context::EvolutionRow>,
    /// The previous dossier ("Label projet, 24 novembre 2025"), when there is one.
    precedent: Option<String>,
    /// Visual identity, resolved: colours as `#rrggbb`, images as virtual paths.
    apparence: Appearance,
    /// Name and version of the generator.
    generateur: String,
}

#[derive(Serialize)]
struct Appearance {
    principale: Option<String>,
    /// The accent colour, built-in when the dossier has none.
    secondaire: String,
    logo: Option<String>,
    image_couverture: Option<String>,
}

impl Appearance {
    fn new(look: &crate::model::Apparence, shown: &[(String, String)]) -> Self {
        let image = |field: &str, name: &Option<String>| {
            let converted = shown.iter().find(|(f, _)| f == field).map(|(_, path)| path.clone());
            converted.or_else(|| name.as_deref().map(crate::document::pieces::virtual_path))
        };
        let colour = |c: &Option<String>| {
            let [r, g, b] = crate::model::Apparence::rgb(c.as_deref()?)?;
            Some(format!("#{r:02x}{g:02x}{b:02x}"))
        };
        Appearance {
            principale: colour(&look.couleur_principale),
            secondaire: colour(&look.couleur_secondaire)
                .unwrap_or_else(crate::document::charts::palette::built_in_accent),
            logo: image("apparence.logo", &look.logo),
            image_couverture: image("apparence.image_couverture", &look.image_couverture),
        }
    }
}

#[derive(Serialize)]
struct DateParts {
    annee: i32,
    mois: u8,
    jour: u8,
}

#[derive(Serialize)]
struct PhaseData {
    cle: &'static str,
    label: &'static str,
    colonne: usize,
}

fn build_context(loaded: &LoadedDossier, extras: &Extras) -> Result<Context> {
    let dossier = &loaded.dossier;
    let charts = extras.charts;
    let phase = dossier.cite.label;
    let annexes = context::annexes(dossier, extras.annexes);
    let mut items = context::items(&loaded.report);
    context::link_annexes(&mut items, &annexes, dossier);
    let previous = loaded.previous.as_ref();
    let evolutions = context::evolutions(dossier, previous);
    let precedent = previous.map(|p| format!("{} ({})", p.label.label(), format_date(p.date)));
    if let Some(previous) = previous {
        context::follow_up(&mut items, previous, precedent.as_deref().unwrap_or_default());
    }
    let derived = Derived::new(dossier);
    let data = TemplateData {
        d: dossier,
        items,
        annexes,
        matrice: context::matrix(),
        phase: PhaseData {
            cle: phase.key(),
            label: phase.label(),
            colonne: crate::model::outline::Phase::ALL
                .iter()
                .position(|p| *p == phase)
                .unwrap_or(0),
        },
        essentiel: essentials::essentials(dossier, &derived),
        calc: derived,
        charts: crate::document::charts::IDS.iter().map(|id| (*id, charts.get(*id))).collect(),
        date_fr: filters::date_markup(dossier.cite.date),
        date: DateParts { annee: extras.date.year, mois: extras.date.month, jour: extras.date.day },
        pieces: extras.pieces,
        evolutions,
        precedent,
        apparence: Appearance::new(&dossier.apparence, extras.shown),
        generateur: crate::GENERATOR.to_string(),
    };
    Context::from_serialize(&data).context("préparation des données pour les modèles")
}
