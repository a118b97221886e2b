//! The whole pipeline for one dossier: load → generate → compile → write.

pub mod probe;

use std::path::Path;

use anyhow::{Context, Result};

use typst::foundations::Datetime;
use typst_pdf::PdfStandard;

use crate::document::charts::{self, ChartCache};
use crate::document::pieces;
use crate::document::template::{Extras, Templates};
use crate::fsutil;
use crate::input::load::{LoadOptions, LoadedDossier};
use crate::model::{Date, Dossier};
use crate::typeset::compile::Sources;
use crate::typeset::compile::{self, Compiled, PdfMeta};
use crate::typeset::world::{DossierWorld, SANS_FAMILY, SERIF_FAMILY};

/// The one pipeline from a dossier file to its PDF: load (read and validate everything,
/// assess completeness) → generate (charts, attachments, templates → Typst sources) → compile
/// (in-process Typst) → write. Rendering, `check`, `batch` (documents and overview) and `watch`
/// all go through it, so that they cannot disagree. It holds what is shared between documents:
/// the templates and the previous dossier last read.
pub struct Pipeline {
    templates: Templates,
    options: LoadOptions,
    previous_cache: crate::input::previous::Cache,
    annex_cache: AnnexCache,
}

/// Annexes already prepared, by a hash of their file and settings: a live preview does not
/// redraw the pages of a 30-page PDF (about a second) at every keystroke. Bounded: cleared when
/// its pages would pass [`ANNEX_CACHE_BYTES`].
type AnnexCache = std::sync::Mutex<std::collections::HashMap<u128, crate::input::annex::Prepared>>;

const ANNEX_CACHE_BYTES: usize = 128 << 20;

/// The logo and cover image shown from a converted copy, when the file itself cannot be:
/// a CMYK JPEG (as scanners make them) becomes RGB, which PDF/A accepts without an output
/// profile. The attached file stays the user's. `(field, virtual path, bytes)`.
fn shown_images(loaded: &LoadedDossier) -> Vec<(String, String, Vec<u8>)> {
    let fields = ["apparence.logo", "apparence.image_couverture"];
    let files = loaded.files.iter().filter(|f| fields.contains(&f.field.as_str()));
    files
        .filter_map(|file| {
            let rgb = crate::input::images::rgb_version(&file.bytes)?;
            let path = format!("/affichage/{}.jpg", file.field.replace('.', "-"));
            Some((file.field.clone(), path, rgb))
        })
        .collect()
}

/// A rendered dossier.
pub struct Rendered {
    /// Generated Typst sources.
    pub sources: Sources,
    /// The compiled PDF.
    pub compiled: Compiled,
}

impl Pipeline {
    /// A pipeline with the built-in templates, overridden by the files of `templates_dir`.
    pub fn new(templates_dir: Option<&Path>, options: LoadOptions) -> Result<Self> {
        Ok(Pipeline {
            templates: Templates::new(templates_dir)?,
            options,
            previous_cache: crate::input::previous::Cache::default(),
            annex_cache: AnnexCache::default(),
        })
    }

    /// Loads the templates again (built-in, overridden by the files of `templates_dir`).
    pub fn reload_templates(&mut self, templates_dir: Option<&Path>) -> Result<()> {
        self.templates = Templates::new(templates_dir)?;
        Ok(())
    }

    /// The loaded templates.
    pub fn templates(&self) -> &Templates {
        &self.templates
    }

    /// The PDF standards the output conforms to.
    pub fn standards(&self) -> &[PdfStandard] {
        &self.options.target.standards
    }

    /// Stage 1: reads, validates and assesses a dossier with everything it names.
    pub fn load(&self, path: &Path) -> Result<LoadedDossier> {
        crate::input::load::load(path, &self.options, &self.previous_cache)
    }

    /// Stage 2: the Typst sources of a loaded dossier, redrawing only the charts whose data
    /// changed since the previous call with the same cache. Pure: reads no file.
    pub fn generate(&self, loaded: &LoadedDossier, cache: &mut ChartCache) -> Result<Sources> {
        let charts = charts::build_cached(&loaded.dossier, &loaded.territory, cache)?;
        let pieces = pieces::collect(loaded);
        let annexes = self.prepare_annexes(loaded)?;
        let date = document_date(&loaded.dossier);
        let converted = shown_images(loaded);
        let shown: Vec<(String, String)> =
            converted.iter().map(|(field, path, _)| (field.clone(), path.clone())).collect();
        // A standard that forbids attached files gets the document without them; the files
        // stay in the world, where the logo and images are read from.
        let note = attachments_left_out(self.standards());
        let attached = if note.is_some() { &[][..] } else { &pieces[..] };
        let extras =
            Extras { charts: &charts, pieces: attached, annexes: &annexes, date, shown: &shown };
        let mut sources = self.templates.render(loaded, &extras)?;
        sources.notes.extend(note);
        sources.assets.extend(converted.into_iter().map(|(_, path, bytes)| (path, bytes)));
        sources.assets.extend(pieces.into_iter().map(|p| (p.chemin, p.data)));
        for (i, annex) in annexes.into_iter().enumerate() {
            sources.assets.extend(annex.assets);
            sources.notes.extend(annex.note.map(|n| format!("annexe {} : {n}", i + 1)));
        }
        Ok(sources)
    }

    /// The annexes of a loaded dossier made ready to be placed (PDF pages drawn as SVG, scans
    /// reduced), in order; problems with the files were reported by validation.
    fn prepare_annexes(
        &self,
        loaded: &LoadedDossier,
    ) -> Result<Vec<crate::input::annex::Prepared>> {
        let annexes = loaded.dossier.annexes.iter().enumerate();
        annexes
            .map(|(i, annex)| {
                let field = format!("annexes[{i}].fichier");
                let Some(file) = loaded.files.iter().find(|f| f.field == field) else {
                    return Ok(crate::input::annex::Prepared::default());
                };
                let key = typst::utils::hash128(&(i, &annex.fichier, &annex.pages, &file.bytes));
                self.cached_annex(key, || {
                    crate::input::annex::prepare(i + 1, annex, &file.bytes).map_err(|m| {
                        // At the field naming the file, like the problems validation finds.
                        let finding = crate::input::validate::Finding::error(
                            &field,
                            format!("annexe « {} » ({}) : {m}", annex.titre, file.path.display()),
                            Some("enregistrez une copie plus simple (« Imprimer » vers un fichier PDF), ou joignez un extrait".into()),
                        );
                        let (path, source) = (&loaded.path, &loaded.source);
                        crate::input::validate::located(path, source, &loaded.tables, vec![finding])
                            .into()
                    })
                })
            })
            .collect()
    }

    /// An annex from the cache, or made and kept (the cache is emptied when it would pass
    /// [`ANNEX_CACHE_BYTES`]).
    fn cached_annex(
        &self,
        key: u128,
        make: impl FnOnce() -> Result<crate::input::annex::Prepared>,
    ) -> Result<crate::input::annex::Prepared> {
        if let Some(done) = self.annex_cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(done);
        }
        let prepared = make()?;
        if let Ok(mut cache) = self.annex_cache.lock() {
            let held: usize = cache.values().map(crate::input::annex::Prepared::size).sum();
            if held + prepared.size() > ANNEX_CACHE_BYTES {
                cache.clear();
            }
            cache.insert(key, prepared.clone());
        }
        Ok(prepared)
    }

    /// Stage 3: compiles the sources of a dossier in a world, which may be a long-lived one
    /// (live preview): it then only recompiles what changed since its previous compilation.
    pub fn compile(
        &self,
        loaded: &LoadedDossier,
        sources: &Sources,
        world: &mut DossierWorld,
    ) -> Result<Compiled> {
        self.compile_observed(loaded, sources, world, &mut |_| {})
    }

    /// Stage 3, handing the laid-out document to `on_layout` before the PDF is exported (the
    /// live preview).
    pub fn compile_observed(
        &self,
        loaded: &LoadedDossier,
        sources: &Sources,
        world: &mut DossierWorld,
        on_layout: &mut dyn FnMut(&typst_layout::PagedDocument),
    ) -> Result<Compiled> {
        let ident = slug(&loaded.dossier.cite.nom);
        let date = document_date(&loaded.dossier);
        let compiled = self
            .compile_sources_observed(sources, &ident, date, world, on_layout)
            .map_err(|e| self.locate_text(loaded, e))?;
        if self.options.target.strict_layout && !compiled.layout.is_empty() {
            return Err(crate::typeset::audit::LayoutErrors(compiled.layout).into());
        }
        Ok(compiled)
    }

    /// A failed export because of text a PDF standard refuses becomes errors located at the
    /// fields holding that text (found by [`crate::render::probe`]); other failures are left as they
    /// are.
    fn locate_text(&self, loaded: &LoadedDossier, error: anyhow::Error) -> anyhow::Error {
        let text_failure = error
            .downcast_ref::<compile::CompileError>()
            .is_some_and(|e| crate::render::probe::is_text_failure(&e.report));
        if !text_failure || self.standards().is_empty() {
            return error;
        }
        let refused = crate::render::probe::refused_strings(&loaded.data, self.standards());
        if refused.is_empty() {
            return error;
        }
        let findings = refused
            .into_iter()
            .flat_map(|(text, fields)| {
                fields.into_iter().map(move |field| {
                    crate::input::validate::Finding::error(
                        &field,
                        format!("texte que les normes PDF/A et PDF/UA ne permettent pas d'écrire : « {text} »"),
                        Some("certains caractères composés ou symboles (lettre avec deux accents, ∞, ≠…) n'ont pas de forme simple dans les polices intégrées : remplacez-les (par exemple « infini », « différent de »), ou produisez le PDF avec --pdf-standard aucune".into()),
                    )
                })
            })
            .collect();
        let errors =
            crate::input::validate::located(&loaded.path, &loaded.source, &loaded.tables, findings);
        anyhow::Error::new(errors)
    }

    /// Compiles any generated document (a dossier or a batch overview) with this pipeline's
    /// PDF standards.
    pub fn compile_sources(
        &self,
        sources: &Sources,
        ident: &str,
        date: Date,
        world: &mut DossierWorld,
    ) -> Result<Compiled> {
        self.compile_sources_observed(sources, ident, date, world, &mut |_| {})
    }

    fn compile_sources_observed(
        &self,
        sources: &Sources,
        ident: &str,
        date: Date,
        world: &mut DossierWorld,
        on_layout: &mut dyn FnMut(&typst_layout::PagedDocument),
    ) -> Result<Compiled> {
        world.set_today(typst_date(date));
        compile::load_sources(world, sources);
        let meta = PdfMeta {
            ident: ident.to_string(),
            date: typst_date(date),
            standards: self.standards().to_vec(),
        };
        let compiled = compile::compile_observed(world, &meta, on_layout)?;
        world.remember(compiled.document.clone());
        Ok(compiled)
    }

    /// Stages 2 and 3 in a fresh world.
    pub fn render(&self, loaded: &LoadedDossier) -> Result<Rendered> {
        let sources = self.generate(loaded, &mut ChartCache::default())?;
        let mut world = DossierWorld::new(typst_date(document_date(&loaded.dossier)));
        let compiled = self.compile(loaded, &sources, &mut world)?;
        Ok(Rendered { sources, compiled })
    }

    /// Stage 4: writes the PDF atomically (never a half-written file), unless `output` is one
    /// of the files the dossier was made from, a template override, or one of `others` (the
    /// other dossiers of a batch).
    pub fn write(
        &self,
        loaded: &LoadedDossier,
        compiled: &Compiled,
        output: &Path,
        others: &[fsutil::Input],
    ) -> Result<()> {
        let mut inputs = loaded.inputs();
        inputs.extend(self.templates.files());
        inputs.extend_from_slice(others);
        fsutil::write_output(output, &compiled.pdf, &inputs)
    }
}

/// Whether a PDF standard forbids files attached to the document (PDF/A-1, PDF/A-2 and
/// PDF/A-4 without its `f` level accept none that is not itself PDF/A): Typst refuses such a
/// document, so the data is left out rather than the render failing.
pub fn forbids_attachments(standard: &PdfStandard) -> bool {
    matches!(
        standard,
        PdfStandard::A_1b
            | PdfStandard::A_1a
            | PdfStandard::A_2b
            | PdfStandard::A_2u
            | PdfStandard::A_2a
            | PdfStandard::A_4
    )
}

/// What to tell the user when the standards asked for forbid attached files (the PDF is then
/// made without the dossier's data), or `None` when the data is attached.
pub fn attachments_left_out(standards: &[PdfStandard]) -> Option<String> {
    let refusing = standards.iter().find(|s| forbids_attachments(s))?;
    Some(format!(
        "la norme {} interdit les fichiers joints : le PDF est produit sans les données du \
         dossier (TOML, CSV, annexes), que « cdm-render extract » ne pourra pas en tirer ; la \
         norme par défaut (a-3a) les joint",
        standard_name(refusing)
    ))
}

/// A standard as written on the command line (`a-2b`).
pub fn standard_name(standard: &PdfStandard) -> String {
    serde_json::to_value(standard)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_else(|| format!("{standard:?}"))
}

/// Converts a dossier date into a Typst datetime.
pub fn typst_date(date: Date) -> Datetime {
    // `Date` is validated at parse time, so the conversion cannot fail for real dossiers.
    Datetime::from_ymd(date.year, date.month, date.day)
        .unwrap_or_else(|| Datetime::from_ymd(1970, 1, 1).expect("valid date"))
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
    for (name, bytes) in crate::typeset::world::font_files() {
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
    for ch in deunicode::deunicode(name).chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() { "dossier".to_string() } else { trimmed.to_string() }
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
