//! The whole pipeline for one dossier: templates → Typst sources → in-process compile → PDF.

use std::path::Path;

use anyhow::{Context, Result};

use typst_pdf::PdfStandard;

use crate::charts::{self, ChartCache};
use crate::compile::{self, Compiled, PdfMeta};
use crate::fsutil;
use crate::load::LoadedDossier;
use crate::model::{Date, Dossier};
use crate::pieces;
use crate::template::{Extras, Sources, Templates};
use crate::world::{DossierWorld, SANS_FAMILY, SERIF_FAMILY};

/// Renders dossiers; holds what is shared between documents (templates).
pub struct Renderer {
    templates: Templates,
    previous: Option<std::path::PathBuf>,
    previous_cache: crate::previous::Cache,
}

/// The result of rendering one dossier.
pub struct Rendered {
    /// Generated Typst sources.
    pub sources: Sources,
    /// The compiled PDF.
    pub compiled: Compiled,
}

/// Options of a render.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// PDF standards to conform to (PDF/A-3a and PDF/UA-1 by default).
    pub standards: Vec<PdfStandard>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions { standards: default_standards() }
    }
}

/// The standards a submitted dossier conforms to unless told otherwise: PDF/A-3a (archival,
/// tagged, with the data attached) and PDF/UA-1 (accessible).
pub fn default_standards() -> Vec<PdfStandard> {
    vec![PdfStandard::A_3a, PdfStandard::Ua_1]
}

impl Renderer {
    /// Loads the templates (built-in, overridden by the files of `templates_dir`).
    pub fn new(templates_dir: Option<&Path>) -> Result<Self> {
        Ok(Renderer {
            templates: Templates::new(templates_dir)?,
            previous: None,
            previous_cache: crate::previous::Cache::default(),
        })
    }

    /// Loads the templates again (built-in, overridden by the files of `templates_dir`).
    pub fn reload_templates(&mut self, templates_dir: Option<&Path>) -> Result<()> {
        self.templates = Templates::new(templates_dir)?;
        Ok(())
    }

    /// Compares every dossier with this previous one (`--previous`) instead of the one its
    /// `cite.precedent` names.
    pub fn with_previous(mut self, previous: Option<&Path>) -> Self {
        self.previous = previous.map(Path::to_path_buf);
        self
    }

    /// The loaded templates.
    pub fn templates(&self) -> &Templates {
        &self.templates
    }

    /// Generates the Typst sources of a dossier: charts, attached data files and templates.
    pub fn generate(&self, loaded: &LoadedDossier) -> Result<Sources> {
        self.generate_cached(loaded, &mut ChartCache::default())
    }

    /// Like [`Renderer::generate`], redrawing only the charts whose data changed since the
    /// previous call with the same cache.
    pub fn generate_cached(
        &self,
        loaded: &LoadedDossier,
        cache: &mut ChartCache,
    ) -> Result<Sources> {
        let dossier = &loaded.dossier;
        let previous =
            crate::previous::load(loaded, self.previous.as_deref(), &self.previous_cache)?;
        let charts = charts::build_cached(dossier, loaded.base_dir(), cache)?;
        let pieces = pieces::collect(loaded)?;
        let date = document_date(dossier);
        let extras = Extras { charts: &charts, pieces: &pieces, date, previous: previous.as_ref() };
        let mut sources = self.templates.render(dossier, &extras)?;
        sources.assets.extend(pieces.into_iter().map(|p| (p.chemin, p.data)));
        Ok(sources)
    }

    /// Generates and compiles a dossier in a fresh world.
    pub fn render(&self, loaded: &LoadedDossier, options: &RenderOptions) -> Result<Rendered> {
        let sources = self.generate(loaded)?;
        let date = compile::typst_date(document_date(&loaded.dossier));
        let compiled = compile_sources(&mut DossierWorld::new(date), loaded, &sources, options)?;
        Ok(Rendered { sources, compiled })
    }
}

/// Compiles generated sources in a world, which may be a long-lived one (live preview): it
/// then only recompiles what changed since its previous compilation.
pub fn compile_sources(
    world: &mut DossierWorld,
    loaded: &LoadedDossier,
    sources: &Sources,
    options: &RenderOptions,
) -> Result<Compiled> {
    let dossier = &loaded.dossier;
    let date = document_date(dossier);
    world.set_today(compile::typst_date(date));
    compile::load_sources(world, sources);
    let meta =
        PdfMeta { ident: slug(&dossier.cite.nom), date, standards: options.standards.clone() };
    Ok(compile::compile(world, &meta)?)
}

/// `SOURCE_DATE_EPOCH` as a date, or today's date (UTC): for documents without a date of
/// their own, such as a batch overview.
pub fn document_date_or_today() -> Date {
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse::<i64>().ok());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Date::from_unix(epoch.unwrap_or(now)).unwrap_or(Date { year: 1970, month: 1, day: 1 })
}

/// The date printed and recorded in the PDF: `SOURCE_DATE_EPOCH` when set (reproducible builds
/// convention), otherwise the date of the dossier.
pub fn document_date(dossier: &Dossier) -> Date {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(Date::from_unix)
        .unwrap_or(dossier.cite.date)
}

/// Writes generated sources and the fonts they use into `dir`, so that stock Typst builds the
/// same document with `typst compile --font-path DIR/fonts --ignore-system-fonts DIR/main.typ`.
pub fn emit_typst(sources: &Sources, dir: &Path) -> Result<()> {
    for (vpath, text) in &sources.files {
        let path = dir.join(vpath.trim_start_matches('/'));
        fsutil::write_atomic(&path, text.as_bytes())?;
    }
    for (vpath, bytes) in &sources.assets {
        fsutil::write_atomic(&dir.join(vpath.trim_start_matches('/')), bytes)?;
    }
    let fonts = dir.join("fonts");
    for (name, bytes) in crate::world::font_files() {
        fsutil::write_atomic(&fonts.join(name), bytes)?;
    }
    let readme = format!(
        "Sources Typst générées par {} (polices : {SERIF_FAMILY}, {SANS_FAMILY}).\n\
         Compilation avec Typst 0.15 :\n\n    \
         typst compile --font-path fonts --ignore-system-fonts main.typ\n",
        crate::GENERATOR
    );
    fsutil::write_atomic(&dir.join("LISEZMOI.txt"), readme.as_bytes())
        .with_context(|| format!("écriture des sources Typst dans {}", dir.display()))
}

/// A file-name-safe, lowercase ASCII slug of a name ("Cité des métiers de Tours" →
/// "cite-des-metiers-de-tours").
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for ch in name.chars().flat_map(fold_accent) {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() { "dossier".to_string() } else { trimmed.to_string() }
}

/// Folds the accented letters of French to ASCII; other characters pass through.
fn fold_accent(ch: char) -> Vec<char> {
    let folded = match ch {
        'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => "a",
        'À' | 'Â' | 'Ä' | 'Á' => "A",
        'ç' => "c",
        'Ç' => "C",
        'é' | 'è' | 'ê' | 'ë' => "e",
        'É' | 'È' | 'Ê' | 'Ë' => "E",
        'î' | 'ï' | 'í' => "i",
        'Î' | 'Ï' => "I",
        'ô' | 'ö' | 'ó' => "o",
        'Ô' | 'Ö' => "O",
        'ù' | 'û' | 'ü' | 'ú' => "u",
        'Ù' | 'Û' | 'Ü' => "U",
        'ÿ' => "y",
        'œ' => "oe",
        'Œ' => "OE",
        'æ' => "ae",
        'Æ' => "AE",
        _ => return vec![ch],
    };
    folded.chars().collect()
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs_are_ascii_and_readable() {
        assert_eq!(slug("Cité des métiers du Chinonais"), "cite-des-metiers-du-chinonais");
        assert_eq!(slug("  Œuvre — «test» "), "oeuvre-test");
        assert_eq!(slug("###"), "dossier");
    }
}
