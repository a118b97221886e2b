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
    let Warned { output, warnings } = lay_out(world, world.last_document());
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

/// Lays out the world's document, from the introspector of `seed` when there is one.
///
/// Typst's own loop (`typst::compile`) starts every compilation from an empty introspector
/// (no page numbers, no table of contents known), so the dossier is laid out three times even
/// when a change moves nothing: two thirds of a live preview's layout. Started instead from
/// the previous document's introspector, which a change of a figure or a sentence leaves
/// right, one layout is enough, and Typst's own test (every query of the layout answered the
/// same by the new document) proves it. Written here because Typst offers no way to give the
/// loop a start: this is `compile_impl` of typst 0.15.1 (lib.rs) for paged output, with
/// another first introspector. A stable document is a fixed point whatever the start, so the
/// result is the one `typst::compile` gives (a test compares them); anything unusual (an error,
/// a delayed error, no stable document within Typst's limit of iterations) is left to
/// `typst::compile`, so that diagnostics are always Typst's own.
fn lay_out(
    world: &DossierWorld,
    seed: Option<&PagedDocument>,
) -> Warned<typst::diag::SourceResult<PagedDocument>> {
    // For the benchmarks: Typst's own loop, to measure what the start from `seed` saves.
    let seed = seed.filter(|_| std::env::var_os("CDM_RENDER_TYPST_LOOP").is_none());
    if let Some(done) = seed.and_then(|seed| lay_out_from(world, seed)) {
        return done;
    }
    typst::compile::<PagedDocument>(world)
}

/// [`lay_out`] from `seed`'s introspector, or `None` for `typst::compile` to do it.
fn lay_out_from(
    world: &DossierWorld,
    seed: &PagedDocument,
) -> Option<Warned<typst::diag::SourceResult<PagedDocument>>> {
    use typst::World;
    use typst::comemo::Track;
    use typst::engine::{Engine, Route, Sink, Traced};
    use typst::foundations::{Output, StyleChain, Target, TargetElem};
    use typst::introspection::MAX_ITERS;
    use typst::utils::Protected;

    let world = (world as &dyn World).track();
    let traced = Traced::default();
    let traced = traced.track();
    let mut sink = Sink::new();
    let library = world.library();
    let base = StyleChain::new(&library.styles);
    let target = TargetElem::target.set(Target::Paged).wrap();
    let styles = base.chain(&target);
    let main = world.source(world.main()).ok()?;
    let route = Route::default();
    let module =
        typst_eval::eval(world, library, traced, sink.track_mut(), route.track(), &main).ok()?;
    let content = module.content();
    let mut last: Option<PagedDocument> = None;
    for _ in 0..MAX_ITERS {
        let introspector = Output::introspector(last.as_ref().unwrap_or(seed));
        let constraint = typst::comemo::Constraint::new();
        let mut subsink = Sink::new();
        let mut engine = Engine {
            library,
            world,
            introspector: Protected::new(introspector.track_with(&constraint)),
            traced,
            sink: subsink.track_mut(),
            route: Route::default(),
        };
        let document = PagedDocument::create(&mut engine, &content, styles).ok()?;
        if constraint.validate(Output::introspector(&document)) {
            sink.extend_from_sink(subsink);
            if !sink.delayed().is_empty() {
                return None;
            }
            return Some(Warned { output: Ok(document), warnings: sink.warnings() });
        }
        last = Some(document);
    }
    None
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
