//! Live re-rendering while a dossier is drafted: a long-lived [`Session`] that re-renders on
//! demand, keeping the Typst world (incremental compilation) and the drawn charts between
//! renders, and a [`FileWatcher`] that says when the dossier or the files it uses changed.

mod files;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::document::charts::ChartCache;
use crate::input::load::{LoadOptions, LoadedDossier};
use crate::render::{self, Pipeline};
use crate::typeset::compile::Compiled;
use crate::typeset::world::DossierWorld;
use typst_layout::PagedDocument;

pub use files::FileWatcher;

/// How many renders a memoized Typst result survives unused. typst-cli's watch uses 10: enough
/// to keep what an edit does not touch, while memory stays bounded over hours of editing.
const CACHE_AGE: usize = 10;

/// What is told the laid-out document of a render, before its PDF is exported.
pub type OnLayout<'a> = dyn FnMut(&LoadedDossier, &PagedDocument, Duration) + 'a;

/// What is told the dossier as read (or why it does not read) at the start of a render, with
/// the time the reading started: the editor answers a change with it rather than reading the
/// dossier a second time.
pub type OnLoad<'a> = dyn FnMut(Result<&LoadedDossier, &anyhow::Error>, Instant) + 'a;

/// A dossier being drafted: what stays alive between two renders.
pub struct Session {
    input: PathBuf,
    templates_dir: Option<PathBuf>,
    options: LoadOptions,
    pipeline: Option<Pipeline>,
    world: DossierWorld,
    charts: ChartCache,
    dependencies: Vec<PathBuf>,
}

/// A successful render.
pub struct Rendered {
    /// The dossier as read, with its completeness report (the boxes of the PDF).
    pub loaded: LoadedDossier,
    /// The compiled document and PDF.
    pub compiled: Compiled,
    /// Charts that had to be drawn again (the others were unchanged).
    pub redrawn: Vec<String>,
    /// Time taken.
    pub duration: Duration,
}

impl Session {
    /// Prepares a session for a dossier, rendered for `label` (default: the dossier's);
    /// nothing is read before the first [`Session::render`].
    pub fn new(config: &SessionConfig) -> Session {
        Session {
            input: config.input.clone(),
            templates_dir: config.templates.clone(),
            options: config.options.clone(),
            pipeline: None,
            world: DossierWorld::new(render::typst_date(render::document_date_or_today())),
            charts: ChartCache::default(),
            dependencies: vec![config.input.clone()],
        }
    }

    /// Reads the dossier again and renders it. On failure the error is returned (data errors
    /// as [`crate::diag::DataErrors`] inside it) and the session stays usable.
    pub fn render(&mut self) -> Result<Rendered> {
        self.render_with(&mut |_, _, _| {})
    }

    /// [`Session::render`], handing the laid-out document to `on_layout` (with the dossier and
    /// the time since the start) before the PDF is exported: the preview is refreshed first.
    pub fn render_with(&mut self, on_layout: &mut OnLayout) -> Result<Rendered> {
        self.render_observed(&mut |_, _| {}, on_layout)
    }

    /// [`Session::render_with`], also handing the dossier as read to `on_load` as soon as it is.
    pub fn render_observed(
        &mut self,
        on_load: &mut OnLoad,
        on_layout: &mut OnLayout,
    ) -> Result<Rendered> {
        let start = Instant::now();
        let result = self.render_inner(start, on_load, on_layout);
        // Evicted after failures too: a failed compile also fills the caches.
        comemo::evict(CACHE_AGE);
        if result.is_err() {
            // A dossier that does not read may name files we do not know yet (a new CSV table
            // with an error): until it reads again, any change in its folder is worth a try.
            let folder = crate::fsutil::folder_of(&self.input).to_path_buf();
            if !self.dependencies.contains(&folder) {
                self.dependencies.push(folder);
            }
        }
        result
    }

    fn render_inner(
        &mut self,
        start: Instant,
        on_load: &mut OnLoad,
        on_layout: &mut OnLayout,
    ) -> Result<Rendered> {
        let dir = self.templates_dir.as_deref();
        let pipeline = match &mut self.pipeline {
            // Template overrides are reloaded at every render since they may be what changed;
            // a bad one is reported like any other error and retried at the next change.
            Some(pipeline) if dir.is_some() => {
                pipeline.reload_templates(dir)?;
                pipeline
            }
            Some(pipeline) => pipeline,
            None => self.pipeline.insert(Pipeline::new(dir, self.options.clone())?),
        };
        let loaded = pipeline.load(&self.input);
        on_load(loaded.as_ref(), start);
        let loaded = loaded?;
        self.dependencies = loaded.dependencies();
        self.dependencies.extend(self.templates_dir.clone());
        let read = start.elapsed();
        let sources = pipeline.generate(&loaded, &mut self.charts)?;
        let generated = start.elapsed();
        let mut laid = Duration::ZERO;
        let mut hook = |document: &PagedDocument| {
            on_layout(&loaded, document, start.elapsed());
            // After the preview's pages are exported: « mise en page et aperçu ».
            laid = start.elapsed();
        };
        let compiled = pipeline.compile_observed(&loaded, &sources, &mut self.world, &mut hook)?;
        // Where the time of a render goes, for bench/watch.py (CDM_RENDER_TIMINGS=1).
        if std::env::var_os("CDM_RENDER_TIMINGS").is_some() {
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            eprintln!(
                "durées : lecture {:.1} ms, sources {:.1} ms, mise en page et aperçu {:.1} ms, contrôle et PDF {:.1} ms",
                ms(read),
                ms(generated - read),
                ms(laid - generated),
                ms(start.elapsed() - laid)
            );
        }
        let redrawn = std::mem::take(&mut self.charts.redrawn);
        Ok(Rendered { loaded, compiled, redrawn, duration: start.elapsed() })
    }

    /// Writes the PDF of a render, refusing an output that is one of the files it was made from.
    pub fn write(&self, rendered: &Rendered, output: &std::path::Path) -> Result<()> {
        let pipeline = self.pipeline.as_ref().context("aucun rendu réussi à écrire")?;
        pipeline.write(&rendered.loaded, &rendered.compiled, output, &[])
    }

    /// The files the last successful read depended on: the dossier, the files it names and the
    /// template overrides. After a failure, also the dossier's whole folder.
    pub fn dependencies(&self) -> &[PathBuf] {
        &self.dependencies
    }
}

/// What a session renders: the dossier, its template overrides, and how it is read.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// The dossier file.
    pub input: PathBuf,
    /// Template overrides.
    pub templates: Option<PathBuf>,
    /// Standards, label and previous dossier.
    pub options: LoadOptions,
}
