//! Live re-rendering while a dossier is drafted: a long-lived [`Session`] that re-renders on
//! demand, keeping the Typst world (incremental compilation) and the drawn charts between
//! renders, and a [`FileWatcher`] that says when the dossier or the files it uses changed.

mod files;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::charts::ChartCache;
use crate::check::{self, Report};
use crate::cli::DossierConfig;
use crate::compile::Compiled;
use crate::load::{self, LoadedDossier};
use crate::outline::Phase;
use crate::render::{self, RenderOptions, Renderer};
use crate::validate::Target;
use crate::world::DossierWorld;

pub use files::FileWatcher;

/// How many renders a memoized Typst result survives unused. typst-cli's watch uses 10: enough
/// to keep what an edit does not touch, while memory stays bounded over hours of editing.
const CACHE_AGE: usize = 10;

/// A dossier being drafted: what stays alive between two renders.
pub struct Session {
    input: PathBuf,
    templates_dir: Option<PathBuf>,
    previous: Option<PathBuf>,
    label: Option<Phase>,
    options: RenderOptions,
    renderer: Option<Renderer>,
    world: DossierWorld,
    charts: ChartCache,
    dependencies: Vec<PathBuf>,
}

/// A successful render.
pub struct Rendered {
    /// The dossier as read.
    pub loaded: LoadedDossier,
    /// The compiled document and PDF.
    pub compiled: Compiled,
    /// Completeness of the dossier for the label.
    pub report: Report,
    /// Charts that had to be drawn again (the others were unchanged).
    pub redrawn: Vec<String>,
    /// Time taken.
    pub duration: Duration,
}

impl Session {
    /// Prepares a session for a dossier, with the label of its completeness report (default:
    /// the dossier's); nothing is read before the first [`Session::render`].
    pub fn new(config: &DossierConfig, label: Option<Phase>) -> Session {
        let options = RenderOptions { standards: config.standards.clone() };
        Session {
            input: config.input.clone(),
            templates_dir: config.templates.clone(),
            previous: config.previous.clone(),
            label,
            options,
            renderer: None,
            world: DossierWorld::new(crate::compile::typst_date(render::document_date_or_today())),
            charts: ChartCache::default(),
            dependencies: vec![config.input.clone()],
        }
    }

    /// Reads the dossier again and renders it. On failure the error is returned (data errors
    /// as [`crate::diag::DataErrors`] inside it) and the session stays usable.
    pub fn render(&mut self) -> Result<Rendered> {
        let start = Instant::now();
        let result = self.render_inner(start);
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

    fn render_inner(&mut self, start: Instant) -> Result<Rendered> {
        let dir = self.templates_dir.as_deref();
        let renderer = match &mut self.renderer {
            // Template overrides are reloaded at every render since they may be what changed;
            // a bad one is reported like any other error and retried at the next change.
            Some(renderer) if dir.is_some() => {
                renderer.reload_templates(dir)?;
                renderer
            }
            Some(renderer) => renderer,
            None => {
                self.renderer.insert(Renderer::new(dir)?.with_previous(self.previous.as_deref()))
            }
        };
        let target = Target { standards: self.options.standards.clone() };
        let loaded = load::load(&self.input, &target)?;
        self.dependencies = dependencies(&loaded, self.templates_dir.as_deref());
        self.dependencies.extend(crate::previous::path(&loaded, self.previous.as_deref()));
        let sources = renderer.generate_cached(&loaded, &mut self.charts)?;
        let compiled = render::compile_sources(&mut self.world, &loaded, &sources, &self.options)?;
        let label = self.label.unwrap_or(loaded.dossier.cite.label);
        let report = check::check(&loaded.dossier, label);
        let redrawn = std::mem::take(&mut self.charts.redrawn);
        Ok(Rendered { loaded, compiled, report, redrawn, duration: start.elapsed() })
    }

    /// The files the last successful read depended on: the dossier, the files it names and the
    /// template overrides. After a failure, also the dossier's whole folder.
    pub fn dependencies(&self) -> &[PathBuf] {
        &self.dependencies
    }
}

/// The dossier file, the files it names, and the templates folder.
fn dependencies(loaded: &LoadedDossier, templates_dir: Option<&Path>) -> Vec<PathBuf> {
    let mut files = vec![loaded.path.clone()];
    let base = loaded.base_dir();
    files.extend(loaded.dossier.file_references().into_iter().map(|(_, name)| base.join(name)));
    files.extend(loaded.tables.iter().map(|t| t.path.clone()));
    files.extend(templates_dir.map(Path::to_path_buf));
    files
}
