//! Rendering many dossiers in one process: inputs found in files and folders, rendered in
//! parallel (fonts, library and templates shared), each to its own file; one failure never stops
//! the others (ripgrep's model: report, continue, set the exit code at the end).

pub mod overview;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::fsutil::Input;
use crate::input::check::Report;
use crate::model::outline::Phase;
use crate::render::{Pipeline, slug};

/// One dossier to render and the file it goes to.
#[derive(Debug, Clone)]
pub struct Job {
    /// The dossier file.
    pub input: PathBuf,
    /// The PDF to write.
    pub output: PathBuf,
}

/// What happened to one dossier.
#[derive(Debug)]
pub struct Outcome {
    /// The job.
    pub job: Job,
    /// Name of the Cité, when the file could be read.
    pub cite: Option<String>,
    /// Label rendered.
    pub label: Option<Phase>,
    /// Pages of the PDF.
    pub pages: usize,
    /// Time spent on this dossier.
    pub time: Duration,
    /// Number of warnings (data and layout).
    pub warnings: usize,
    /// Layout defects of the PDF.
    pub layout: Vec<crate::typeset::audit::Finding>,
    /// Completeness for the label.
    pub completeness: Option<Report>,
    /// What the network overview says of this Cité.
    pub summary: Option<crate::batch::overview::Summary>,
    /// The error, formatted for the terminal, when the dossier failed.
    pub error: Option<String>,
}

/// The files a batch found: dossiers to render, and TOML files that are not dossiers.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Dossiers, and `.toml` files that do not parse (they may be broken dossiers: their
    /// rendering reports the error).
    pub dossiers: Vec<PathBuf>,
    /// TOML files without a `cite` table (another tool's configuration…).
    pub ignored: Vec<PathBuf>,
}

/// Finds the dossiers among the given paths: files as given, folders searched for `.toml`
/// files. Sorted, without duplicates.
pub fn find_inputs(paths: &[PathBuf]) -> Result<Inputs> {
    let mut inputs = Inputs::default();
    for path in paths {
        if path.is_dir() {
            for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
                let entry = entry.with_context(|| format!("lecture de {}", path.display()))?;
                let p = entry.path();
                if !p.is_file() || p.extension().is_none_or(|e| e != "toml") {
                    continue;
                }
                match is_dossier(p) {
                    true => inputs.dossiers.push(p.to_path_buf()),
                    false => inputs.ignored.push(p.to_path_buf()),
                }
            }
        } else if path.is_file() {
            inputs.dossiers.push(path.clone());
        } else {
            anyhow::bail!("{} n'existe pas", path.display());
        }
    }
    inputs.dossiers.sort();
    inputs.dossiers.dedup();
    Ok(inputs)
}

/// A dossier is a TOML file with a `cite` table, in any TOML form (`[cite]`, `[ cite ]`, dotted
/// keys `cite.nom = …`, `cite = { … }`): decided by parsing, not by looking for a line. A file
/// that does not parse counts as a dossier, so that its error is reported rather than hidden.
fn is_dossier(path: &Path) -> bool {
    let Ok(text) = crate::fsutil::read_to_string(path) else { return true };
    match toml::from_str::<toml::Table>(&text) {
        Ok(table) => table.get("cite").is_some_and(toml::Value::is_table),
        Err(_) => true,
    }
}

/// Assigns each input an output `OUTDIR/<cité>-<label>.pdf` (slugs; `label` is the one of the
/// command line, else the dossier's). Two dossiers that would share a name are told apart by
/// their territory (`<cité>-<territoire>-<label>.pdf`), and only when that does not suffice by a
/// short suffix made from the file's path: never by a number, which reads as another Cité
/// (`…-10.pdf`). Inputs that cannot be read get the slug of their file name.
pub fn plan_jobs(inputs: &[PathBuf], outdir: &Path, label: Option<Phase>) -> Vec<Job> {
    let names: Vec<Naming> = inputs.iter().map(|input| Naming::read(input, label)).collect();
    let mut count: HashMap<String, usize> = HashMap::new();
    for n in &names {
        *count.entry(n.plain()).or_default() += 1;
    }
    let mut with_territory: HashMap<String, usize> = HashMap::new();
    for n in names.iter().filter(|n| count[&n.plain()] > 1) {
        *with_territory.entry(n.with_territory().unwrap_or_default()).or_default() += 1;
    }
    let mut used: HashSet<String> =
        names.iter().map(Naming::plain).filter(|p| count[p] == 1).collect();
    inputs
        .iter()
        .zip(&names)
        .map(|(input, naming)| {
            let plain = naming.plain();
            let name = if count[&plain] == 1 {
                plain
            } else {
                let by_territory =
                    naming.with_territory().filter(|t| with_territory[t] == 1 && !used.contains(t));
                let name = by_territory.unwrap_or_else(|| naming.with_path_suffix(input, &used));
                used.insert(name.clone());
                name
            };
            Job { input: input.clone(), output: outdir.join(format!("{name}.pdf")) }
        })
        .collect()
}

/// What a dossier's PDF is named after, read leniently (the full validation comes later).
struct Naming {
    /// Slug of the Cité (or of the file name when the dossier cannot be read).
    cite: String,
    /// Key of the label (`projet`…), when known.
    label: Option<String>,
    /// Slug of the territory, shortened, when there is one.
    territory: Option<String>,
}

impl Naming {
    fn read(path: &Path, label: Option<Phase>) -> Naming {
        let cite_table = crate::fsutil::read_to_string(path)
            .ok()
            .and_then(|t| toml::from_str::<toml::Table>(&t).ok())
            .and_then(|t| t.get("cite").and_then(|c| c.as_table()).cloned());
        let text = |key: &str| {
            cite_table.as_ref().and_then(|c| c.get(key)).and_then(|v| v.as_str()).map(String::from)
        };
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let label = label
            .map(|l| l.key().to_string())
            .or_else(|| {
                text("label")
                    .map(|l| Phase::parse(&l).map_or_else(|| slug(&l), |p| p.key().to_string()))
            })
            .filter(|_| cite_table.is_some());
        Naming {
            cite: slug(&text("nom").unwrap_or(stem)),
            label,
            territory: text("territoire")
                .map(|t| shorten(&slug(&t), 40))
                .filter(|t| t != "dossier"),
        }
    }

    fn plain(&self) -> String {
        match &self.label {
            Some(label) => format!("{}-{label}", self.cite),
            None => self.cite.clone(),
        }
    }

    fn with_territory(&self) -> Option<String> {
        let territory = self.territory.as_ref()?;
        Some(match &self.label {
            Some(label) => format!("{}-{territory}-{label}", self.cite),
            None => format!("{}-{territory}", self.cite),
        })
    }

    /// The plain name and six hexadecimal digits of a hash of the file's path: stable from one
    /// run to the next, and meaningless as a Cité name. Longer when those six are taken.
    fn with_path_suffix(&self, input: &Path, used: &HashSet<String>) -> String {
        use md5::Digest;
        let hash = md5::Md5::digest(input.to_string_lossy().as_bytes());
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        (6..=hex.len())
            .map(|n| format!("{}-{}", self.plain(), &hex[..n]))
            .find(|name| !used.contains(name))
            .unwrap_or_else(|| format!("{}-{hex}", self.plain()))
    }
}

/// Every file of a batch: its dossiers and the files they name, found before anything is
/// written, so that no dossier's PDF (nor the overview) replaces another dossier's file.
pub fn batch_inputs(dossiers: &[PathBuf]) -> Vec<Input> {
    let mut inputs = Vec::new();
    for dossier in dossiers {
        inputs.push(Input::new(dossier, "un dossier du lot"));
        let named = crate::input::load::named_files(dossier);
        inputs.extend(named.into_iter().map(|mut i| {
            i.role = format!("{} (cité par {})", i.role, dossier.display());
            i
        }));
    }
    inputs
}

/// A slug cut at a word boundary to at most `max` characters.
fn shorten(slug: &str, max: usize) -> String {
    if slug.len() <= max {
        return slug.to_string();
    }
    let cut = slug[..max].rfind('-').unwrap_or(max);
    slug[..cut].to_string()
}

/// Renders one job; a panic inside it becomes the job's error, so that one dossier never loses
/// the outcomes of the others.
/// `inputs` are the files of the whole batch (its dossiers and the files they name), which no
/// output replaces.
pub fn run_job(pipeline: &Pipeline, job: &Job, inputs: &[Input]) -> Outcome {
    let start = Instant::now();
    let mut outcome = Outcome {
        job: job.clone(),
        cite: None,
        label: None,
        pages: 0,
        time: Duration::ZERO,
        warnings: 0,
        layout: Vec::new(),
        completeness: None,
        summary: None,
        error: None,
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        render_job(pipeline, job, inputs, &mut outcome)
    }));
    release_memory();
    outcome.error = match result {
        Ok(Ok(())) => None,
        Ok(Err(error)) => Some(crate::diag::describe(&error, false)),
        Err(_) => {
            Some("erreur interne pendant le rendu de ce dossier (les autres continuent)".into())
        }
    };
    outcome.time = start.elapsed();
    outcome
}

fn render_job(
    pipeline: &Pipeline,
    job: &Job,
    inputs: &[Input],
    outcome: &mut Outcome,
) -> Result<()> {
    let loaded = pipeline.load(&job.input)?;
    outcome.cite = Some(loaded.dossier.cite.nom.clone());
    outcome.label = Some(loaded.dossier.cite.label);
    outcome.warnings = loaded.warnings.errors.len();
    outcome.summary = Some(crate::batch::overview::summarize(&loaded));
    outcome.completeness = Some(loaded.report.clone());
    let rendered = pipeline.render(&loaded)?;
    pipeline.write(&loaded, &rendered.compiled, &job.output, inputs)?;
    outcome.pages = rendered.compiled.pages;
    outcome.warnings += rendered.compiled.layout.len();
    outcome.layout = rendered.compiled.layout;
    Ok(())
}

/// Typst's memoization cache is process-wide: evicted after every document, failures included,
/// so that memory stays flat however many dossiers are rendered. glibc keeps the freed pages of
/// the large cache tables; `malloc_trim` hands them back to the system.
pub fn release_memory() {
    comemo::evict(0);
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only releases free memory at the top of glibc's heaps; it has no
    // precondition and touches no live allocation.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Runs every job on `threads` worker threads, calling `progress` after each one.
///
/// The documents are distributed by plain scoped threads pulling from a shared counter, not by
/// a rayon `par_iter`: Typst itself runs on rayon (layout, PDF export), and a rayon worker that
/// waits inside Typst steals the next *document* from the outer iterator and starts it on the
/// same stack. Measured: with `--jobs 1`, thirty documents were in flight at once and the
/// resident size climbed to 2 GB for 100 dossiers. With workers of our own, exactly `threads`
/// documents are in flight, and Typst keeps rayon's global pool for its inner parallelism.
pub fn run_all(
    pipeline: &Pipeline,
    jobs: &[Job],
    inputs: &[Input],
    threads: usize,
    progress: &(dyn Fn(&Outcome) + Sync),
) -> Result<Vec<Outcome>> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::with_capacity(jobs.len()));
    std::thread::scope(|scope| -> Result<()> {
        let mut workers = Vec::new();
        for _ in 0..threads.clamp(1, jobs.len().max(1)) {
            // Typst's PDF export recurses deeply: give the workers a large stack.
            let worker = std::thread::Builder::new().stack_size(16 * 1024 * 1024).spawn_scoped(
                scope,
                || {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        let Some(job) = jobs.get(i) else { break };
                        let outcome = run_job(pipeline, job, inputs);
                        progress(&outcome);
                        results.lock().unwrap_or_else(|e| e.into_inner()).push((i, outcome));
                    }
                },
            );
            workers.push(worker.context("impossible de créer les fils de calcul")?);
        }
        Ok(())
    })?;
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by_key(|(i, _)| *i);
    Ok(results.into_iter().map(|(_, o)| o).collect())
}
