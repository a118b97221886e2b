//! Compilation of the generated sources with the Typst crates, in-process, to PDF bytes.

use std::collections::BTreeMap;

use typst::diag::{SourceDiagnostic, Warned};
use typst::foundations::{Bytes, Datetime, Smart};
use typst_kit::diagnostics::{self, DiagnosticFormat, termcolor};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::typeset::world::DossierWorld;

/// The generated Typst sources of one dossier, by virtual path ("/chapitres/3.typ").
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sources {
    /// Virtual path → Typst source text (and SVG charts).
    pub files: BTreeMap<String, String>,
    /// Virtual path → other files the sources use (attached data, annex pages).
    pub assets: BTreeMap<String, Vec<u8>>,
    /// What was done to the user's files on the way (a scan reduced), for the terminal.
    pub notes: Vec<String>,
}

/// A compiled dossier.
pub struct Compiled {
    /// The laid-out document (pages), for other exports such as the SVG preview.
    pub document: PagedDocument,
    /// The PDF file.
    pub pdf: Vec<u8>,
    /// Number of pages.
    pub pages: usize,
    /// Typst warnings, already formatted for the terminal.
    pub warnings: Vec<String>,
    /// Layout defects found in the laid-out pages.
    pub layout: Vec<crate::typeset::audit::Finding>,
}

/// A failed compilation: Typst's diagnostics with their location in the generated sources.
#[derive(Debug)]
pub struct CompileError {
    /// Formatted diagnostics (errors, then warnings).
    pub report: String,
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "la mise en page Typst a échoué :\n{}\n\
             aide : ces erreurs concernent les sources générées ; `--emit-typst DOSSIER` les écrit \
             sur le disque pour les examiner (et si vous utilisez `--templates`, vérifiez vos modèles)",
            self.report.trim_end()
        )
    }
}

impl std::error::Error for CompileError {}

/// Metadata of the PDF that does not come from the document itself.
pub struct PdfMeta {
    /// Stable identifier of the document (its slug), for reproducible output.
    pub ident: String,
    /// Date of the dossier, used as creation date.
    pub date: Datetime,
    /// PDF standards to conform to.
    pub standards: Vec<PdfStandard>,
}

/// Loads generated sources into a world (replacing what it held). Sources the world already
/// parsed are diffed and reparsed incrementally, so a long-lived world recompiles little.
pub fn load_sources(world: &mut DossierWorld, sources: &Sources) {
    world.clear_files();
    for (path, text) in &sources.files {
        world.set_file(path, Bytes::from_string(text.clone()));
    }
    for (path, data) in &sources.assets {
        world.set_file(path, Bytes::new(data.clone()));
    }
    world.reset();
}

/// Compiles the world's sources to PDF.
pub fn compile(world: &DossierWorld, meta: &PdfMeta) -> Result<Compiled, CompileError> {
    compile_observed(world, meta, &mut |_| {})
}

/// Compiles the world's sources to PDF, handing the laid-out document to `on_layout` before
/// the PDF is exported: a live preview shows the new pages without waiting for the export.
pub fn compile_observed(
    world: &DossierWorld,
    meta: &PdfMeta,
    on_layout: &mut dyn FnMut(&PagedDocument),
) -> Result<Compiled, CompileError> {
    let start = std::time::Instant::now();
    let Warned { output, warnings } = typst::compile::<PagedDocument>(world);
    let warnings: Vec<String> = warnings.iter().map(|w| format_one(world, w)).collect();
    let document = output.map_err(|errors| CompileError { report: format(world, &errors) })?;
    let laid = start.elapsed();
    on_layout(&document);
    let observed = start.elapsed();
    let layout = crate::typeset::audit::audit(&document);
    let audited = start.elapsed();
    let standards = PdfStandards::new(&meta.standards).map_err(|e| CompileError {
        report: format!("combinaison de normes PDF impossible : {}", e.message()),
    })?;
    let options = PdfOptions {
        ident: Smart::Custom(meta.ident.clone()),
        creator: Smart::Custom(Some(crate::GENERATOR.to_string())),
        timestamp: Some(Timestamp::new_utc(meta.date)),
        standards,
        ..PdfOptions::default()
    };
    let pdf = typst_pdf::pdf(&document, &options)
        .map_err(|errors| CompileError { report: format(world, &errors) })?;
    // Where the time of a compile goes, for the benchmarks (CDM_RENDER_TIMINGS=1).
    if std::env::var_os("CDM_RENDER_TIMINGS").is_some() {
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        eprintln!(
            "durées Typst : mise en page {:.1} ms, aperçu {:.1} ms, contrôle de mise en page {:.1} ms, export PDF {:.1} ms",
            ms(laid),
            ms(observed - laid),
            ms(audited - observed),
            ms(start.elapsed() - audited)
        );
    }
    Ok(Compiled { pages: document.pages().len(), document, pdf, warnings, layout })
}

fn format_one(world: &DossierWorld, diagnostic: &SourceDiagnostic) -> String {
    format(world, std::slice::from_ref(diagnostic))
}

/// Formats diagnostics with codespan snippets pointing into the generated sources.
fn format(world: &DossierWorld, diagnostics: &[SourceDiagnostic]) -> String {
    let mut buffer = termcolor::Buffer::no_color();
    if diagnostics::emit(&mut buffer, world, diagnostics, DiagnosticFormat::Human).is_err() {
        // A diagnostic whose span cannot be resolved still has its message.
        return diagnostics.iter().map(|d| format!("{}\n", d.message)).collect();
    }
    // The messages themselves come from Typst in English; at least the frame is French.
    crate::diag::frenchify(&String::from_utf8_lossy(buffer.as_slice()))
}
