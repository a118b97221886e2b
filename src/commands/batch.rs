//! `cdm-render batch`: many dossiers in one process, with a progress bar and a final summary.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Instant;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};

use crate::batch::{self, Outcome};
use crate::cli::BatchArgs;
use crate::input::load::LoadOptions;
use crate::render::Pipeline;
use crate::{batch::overview, diag, fsutil};

/// Renders every dossier found; returns whether all succeeded.
pub fn run(args: BatchArgs) -> Result<bool> {
    let start = Instant::now();
    let options =
        LoadOptions { target: args.standards.target()?, label: args.label, previous: None };
    if let Some(note) = crate::render::attachments_left_out(&options.target.standards) {
        eprintln!("{note}");
    }
    let found = batch::find_inputs(&args.inputs)?;
    for path in &found.ignored {
        eprintln!("ignoré (pas de table [cite]) : {}", path.display());
    }
    let inputs = found.dossiers;
    if inputs.is_empty() {
        anyhow::bail!("aucun dossier trouvé (fichiers .toml contenant une table [cite])");
    }
    let protected = batch::batch_inputs(&inputs);
    for path in [&args.overview, &args.overview_csv].into_iter().flatten() {
        fsutil::check_output(path, &protected)?;
    }
    create_output_folder(&args.output)?;
    let jobs = batch::plan_jobs(&inputs, &args.output, args.label);
    let pipeline = Pipeline::new(None, options)?;
    let threads =
        args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let bar = progress_bar(jobs.len() as u64, args.quiet);
    let done = Mutex::new(0usize);
    let report = |o: &Outcome| {
        let mut n = done.lock().unwrap_or_else(|e| e.into_inner());
        *n += 1;
        let line = status_line(o);
        match &bar {
            Some(bar) => {
                bar.set_message(line);
                bar.inc(1);
            }
            None if !args.quiet => eprintln!("[{}/{}] {line}", *n, jobs.len()),
            None => {}
        }
    };
    let outcomes = batch::run_all(&pipeline, &jobs, &protected, threads, &report)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    print_summary(&outcomes);
    write_overview(&args, &pipeline, &outcomes, &protected)?;
    let failed = outcomes.iter().filter(|o| o.error.is_some()).count();
    let made = outcomes.len() - failed;
    let ignored = found.ignored.len();
    eprintln!(
        "{made} {}, {failed} en erreur, {ignored} {}, en {} s ({threads} en parallèle)",
        if made >= 2 { "dossiers produits" } else { "dossier produit" },
        if ignored >= 2 { "fichiers TOML ignorés" } else { "fichier TOML ignoré" },
        crate::fr::format_number(start.elapsed().as_secs_f64(), 1)
    );
    Ok(failed == 0)
}

/// The network overview (PDF and CSV) when asked for: a failure to make it is reported and the
/// dossiers stay written.
fn write_overview(
    args: &BatchArgs,
    pipeline: &Pipeline,
    outcomes: &[Outcome],
    protected: &[fsutil::Input],
) -> Result<()> {
    if args.overview.is_none() && args.overview_csv.is_none() {
        return Ok(());
    }
    let mut rows: Vec<overview::Row> = outcomes
        .iter()
        .map(|o| overview::Row {
            fichier: o.job.input.display().to_string(),
            resume: o.summary.clone().filter(|_| o.error.is_none()),
            affiche: String::new(),
            avertissements: o.warnings,
            pages: o.pages,
            erreur: o.error.as_deref().and_then(|e| e.lines().next()).map(String::from),
        })
        .collect();
    overview::disambiguate(&mut rows);
    if let Some(path) = &args.overview_csv {
        fsutil::write_output(path, &overview::csv(&rows)?, protected)?;
        eprintln!("synthèse du réseau (CSV) écrite : {}", path.display());
    }
    if let Some(path) = &args.overview {
        let made = overview::pdf(pipeline, &rows);
        batch::release_memory();
        match made {
            Ok(pdf) => {
                fsutil::write_output(path, &pdf, protected)?;
                eprintln!("synthèse du réseau écrite : {}", path.display());
            }
            Err(e) => eprintln!(
                "erreur : synthèse du réseau non produite : {}",
                diag::describe(&e, false)
            ),
        }
    }
    Ok(())
}

/// The folder of the PDFs, created when missing; a file of that name is refused in French.
fn create_output_folder(dir: &std::path::Path) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        anyhow::bail!(
            "{} existe et n'est pas un dossier : les PDF du lot ne peuvent pas y être écrits\n\
             aide : avec -o, indiquez un dossier (il est créé s'il n'existe pas)",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        anyhow::anyhow!(
            "impossible de créer le dossier {} : {}",
            dir.display(),
            fsutil::io_message(&e)
        )
    })
}

fn progress_bar(len: u64, quiet: bool) -> Option<ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(len);
    let style =
        ProgressStyle::with_template("{bar:30} {pos}/{len} dossiers, reste {eta} — {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}

fn status_line(o: &Outcome) -> String {
    let name = o.job.input.display();
    match &o.error {
        None => format!(
            "ok {name} → {} ({}, {} s)",
            o.job.output.display(),
            crate::fr::count(o.pages, "page", "pages"),
            crate::fr::format_number(o.time.as_secs_f64(), 1)
        ),
        Some(_) => format!("ERREUR {name}"),
    }
}

/// The summary table, then the failures with their located errors.
fn print_summary(outcomes: &[Outcome]) {
    println!(
        "{:<34} {:<22} {:>6} {:>7} {:>6} {:>11}  État",
        "Dossier", "Label", "Pages", "Temps", "Avert.", "Complétude"
    );
    for o in outcomes {
        let name = o.cite.clone().unwrap_or_else(|| o.job.input.display().to_string());
        let label = o.label.map(|l| l.label()).unwrap_or("—");
        let completeness = o
            .completeness
            .as_ref()
            .map(|r| format!("{}/{}", r.resume.complet, r.resume.items))
            .unwrap_or_else(|| "—".into());
        let status = if o.error.is_some() { "ERREUR" } else { "ok" };
        println!(
            "{:<34} {:<22} {:>6} {:>6.1}s {:>6} {:>11}  {status}",
            truncate(&name, 34),
            label,
            o.pages,
            o.time.as_secs_f64(),
            o.warnings,
            completeness
        );
    }
    for o in outcomes.iter().filter(|o| !o.layout.is_empty()) {
        eprintln!("\nmise en page de {} :", o.job.input.display());
        o.layout.iter().for_each(|f| eprintln!("  avertissement : {f}"));
    }
    for o in outcomes.iter().filter(|o| o.error.is_some()) {
        eprintln!(
            "\nerreur dans {} :\n{}",
            o.job.input.display(),
            o.error.as_deref().unwrap_or_default()
        );
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}
