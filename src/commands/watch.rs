//! `cdm-render watch`: re-renders the dossier at every save, optionally with a live preview in
//! the browser. A failed render keeps the last good PDF and says where the problem is.

use std::io::IsTerminal;

use anyhow::Result;

use crate::cli::WatchConfig;
use crate::diag::{self, DataErrors};
use crate::input::load::LoadedDossier;
use crate::serve::{Overlay, Preview};
use crate::watch::{FileWatcher, Rendered, Session, SessionConfig};
use typst_layout::PagedDocument;

/// Runs until interrupted (Ctrl+C).
pub fn run(config: WatchConfig) -> Result<()> {
    let preview = match &config.serve {
        Some(serve) => Some(start_preview(serve)?),
        None => None,
    };
    follow(&config, preview.as_ref(), &mut |_| {}, &mut |_, _| {})
}

/// Renders the dossier, then again at every change of the files it is made from, showing each
/// render in `preview` and writing its PDF; `changed` is told the files of each change before
/// it renders, and `loaded` the dossier as read by each render. Runs until interrupted (`edit`
/// uses it too).
pub fn follow(
    config: &WatchConfig,
    preview: Option<&Preview>,
    changed: &mut dyn FnMut(&[std::path::PathBuf]),
    loaded: &mut crate::watch::OnLoad,
) -> Result<()> {
    let mut options = config.dossier.load_options();
    options.label = config.label;
    let session_config = SessionConfig {
        input: config.dossier.input.clone(),
        templates: config.dossier.templates.clone(),
        options,
    };
    if let Some(note) = crate::render::attachments_left_out(&config.dossier.target.standards) {
        eprintln!("{note}");
    }
    let mut session = Session::new(&session_config);
    let mut watcher = FileWatcher::new()?;
    let mut first = true;
    loop {
        // Watching starts before reading, so that a save during the render is not missed.
        watcher.set(session.dependencies())?;
        // The preview is refreshed as soon as the pages are laid out, before the PDF export.
        let mut show = |loaded: &LoadedDossier, document: &PagedDocument, elapsed| {
            if let Some(preview) = preview {
                preview.show(loaded, document, elapsed, &now());
            }
        };
        match session.render_observed(loaded, &mut show) {
            Ok(rendered) => match success(config, &session, &rendered) {
                // An output that is one of the dossier's files stops `watch` at the start.
                Err(refused) if first => return Err(refused),
                Err(refused) => failure(&refused, preview),
                Ok(()) => {}
            },
            Err(error) => failure(&error, preview),
        }
        first = false;
        watcher.set(session.dependencies())?;
        let files = watcher.wait()?;
        if !config.quiet {
            let names: Vec<String> = files.iter().map(|p| file_name(p)).collect();
            eprintln!("[{}] modifié : {}", now(), names.join(", "));
        }
        changed(&files);
    }
}

fn start_preview(serve: &crate::cli::ServeConfig) -> Result<Preview> {
    let preview = Preview::start(serve.host, serve.port)?;
    let url = preview.url();
    eprintln!("aperçu : {url}");
    if !serve.host.is_loopback() {
        eprintln!(
            "avertissement : l'aperçu écoute sur {} et peut être vu depuis d'autres ordinateurs",
            serve.host
        );
    }
    if serve.open
        && let Err(e) = open::that_detached(&url)
    {
        eprintln!("avertissement : impossible d'ouvrir le navigateur ({e}) ; ouvrez {url}");
    }
    Ok(preview)
}

/// Writes the PDF of a successful render and says so; a refused or failed write is returned.
fn success(config: &WatchConfig, session: &Session, rendered: &Rendered) -> Result<()> {
    let time = now();
    diag::print_warnings(&rendered.loaded.warnings);
    diag::print_typst_warnings(&rendered.compiled.warnings);
    crate::typeset::audit::print_warnings(&rendered.compiled.layout);
    session.write(rendered, &config.dossier.output)?;
    if !config.quiet {
        let charts = match rendered.redrawn.len() {
            0 => String::new(),
            1 => ", 1 graphique redessiné".to_string(),
            n => format!(", {n} graphiques redessinés"),
        };
        eprintln!(
            "[{time}] {} écrit en {} ms : {} pages{charts} — {}",
            config.dossier.output.display(),
            rendered.duration.as_millis(),
            rendered.compiled.pages,
            rendered.loaded.report.one_line()
        );
    }
    Ok(())
}

fn failure(error: &anyhow::Error, preview: Option<&Preview>) {
    let overlay = overlay(error);
    eprint!("{}", diag::describe(error, std::io::stderr().is_terminal()));
    eprintln!("[{}] échec : {} — le PDF précédent est conservé", now(), overlay.titre);
    if let Some(preview) = preview {
        preview.fail(overlay);
    }
}

/// The overlay of a failed render: located problems for data errors, the cause chain otherwise.
fn overlay(error: &anyhow::Error) -> Overlay {
    match error.downcast_ref::<DataErrors>() {
        Some(data) => {
            let n = data.error_count();
            let plural = if n > 1 { "s" } else { "" };
            Overlay {
                titre: format!("{n} erreur{plural} dans le dossier"),
                lieux: data.locations().into_iter().filter(|l| l.erreur).collect(),
                texte: data.render(false),
            }
        }
        None => Overlay {
            titre: "le rendu a échoué".to_string(),
            lieux: Vec::new(),
            texte: diag::error_chain(error),
        },
    }
}

fn now() -> String {
    chrono::Local::now().format("%H:%M:%S").to_string()
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into())
}
