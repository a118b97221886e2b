//! The whole pipeline for one dossier: templates → Typst sources → in-process compile → PDF.

use std::path::Path;

use anyhow::{Context, Result};

use crate::charts;
use crate::compile::{self, Compiled, PdfMeta};
use crate::fsutil;
use crate::model::Dossier;
use crate::template::{Sources, Templates};
use crate::world::{DossierWorld, SANS_FAMILY, SERIF_FAMILY};

/// Renders dossiers; holds what is shared between documents (templates).
pub struct Renderer {
    templates: Templates,
}

/// The result of rendering one dossier.
pub struct Rendered {
    /// Generated Typst sources.
    pub sources: Sources,
    /// The compiled PDF.
    pub compiled: Compiled,
}

impl Renderer {
    /// Loads the templates (built-in, overridden by the files of `templates_dir`).
    pub fn new(templates_dir: Option<&Path>) -> Result<Self> {
        Ok(Renderer { templates: Templates::new(templates_dir)? })
    }

    /// The loaded templates.
    pub fn templates(&self) -> &Templates {
        &self.templates
    }

    /// Generates the Typst sources of a dossier (charts included). `base_dir` is the folder
    /// of the dossier file, against which the files it names are resolved.
    pub fn generate(&self, dossier: &Dossier, base_dir: &Path) -> Result<Sources> {
        let charts = charts::build(dossier, base_dir)?;
        self.templates.render(dossier, &charts)
    }

    /// Generates and compiles a dossier in a fresh world.
    pub fn render(&self, dossier: &Dossier, base_dir: &Path) -> Result<Rendered> {
        let sources = self.generate(dossier, base_dir)?;
        let mut world = DossierWorld::new(compile::typst_date(dossier.cite.date));
        compile::load_sources(&mut world, &sources);
        let meta = PdfMeta { ident: slug(&dossier.cite.nom), date: dossier.cite.date };
        let compiled = compile::compile(&world, &meta)?;
        Ok(Rendered { sources, compiled })
    }
}

/// Writes generated sources and the fonts they use into `dir`, so that stock Typst builds the
/// same document with `typst compile --font-path DIR/fonts --ignore-system-fonts DIR/main.typ`.
pub fn emit_typst(sources: &Sources, dir: &Path) -> Result<()> {
    for (vpath, text) in &sources.files {
        let path = dir.join(vpath.trim_start_matches('/'));
        fsutil::write_atomic(&path, text.as_bytes())?;
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
