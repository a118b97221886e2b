//! `cdm-render edit`: the dossier written in the browser. Starts the editor's server (the
//! preview server with the editor's routes, see [`crate::edit`]) on the loopback, prints its
//! address with the launch's token, and re-renders like `watch` at every change, by the page
//! or by another program (announced to the page).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Result, bail};

use crate::cli::{EditArgs, WatchConfig};
use crate::edit::{Editor, store};
use crate::model::outline::Phase;
use crate::serve::{Extension, Preview};

/// Runs until interrupted (Ctrl+C).
pub fn run(args: EditArgs) -> Result<()> {
    let input = dossier_file(&args.input, args.label.unwrap_or(Phase::Projet))?;
    let dossier = args.dossier.into_config(Some(input.clone()))?;
    let config = WatchConfig { dossier, label: args.label, serve: None, quiet: args.quiet };
    let mut options = config.dossier.load_options();
    options.label = args.label;
    let loopback = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
    let mut editor = None;
    let preview = Preview::start_with(loopback, args.port, |preview| {
        let made = Editor::new(input.clone(), options, preview).map(Arc::new);
        let extension = made.as_ref().ok().map(|e| Arc::clone(e) as Arc<dyn Extension>);
        editor = Some(made);
        extension
    })?;
    let editor = editor.expect("the extension is made when the server starts")?;
    let url = editor.url();
    eprintln!("éditeur : {url}");
    eprintln!("(cette adresse contient le jeton de ce lancement : ne la partagez pas)");
    if !args.no_open
        && let Err(e) = open::that_detached(&url)
    {
        eprintln!("avertissement : impossible d'ouvrir le navigateur ({e}) ; ouvrez {url}");
    }
    let dossier = input.clone();
    let for_loads = Arc::clone(&editor);
    let mut loaded = move |result: Result<&crate::input::load::LoadedDossier, &anyhow::Error>,
                           started| { for_loads.publish(result, started) };
    let mut changed = |files: &[PathBuf]| {
        // A change of the dossier (by the page or by another program) or of one of its tables
        // is told to the page, which reads the dossier again.
        match std::fs::read(&dossier) {
            Ok(bytes) if files.iter().any(|f| same(f, &dossier)) => {
                editor.announce_version(&store::version_of(&bytes))
            }
            Ok(bytes) => {
                let tables =
                    crate::edit::api::tables_version(&dossier, &String::from_utf8_lossy(&bytes));
                editor.announce_tables(&store::version_of(&bytes), &tables)
            }
            Err(_) => {}
        }
    };
    super::watch::follow(&config, Some(&preview), &mut changed, &mut loaded)
}

fn same(a: &Path, b: &Path) -> bool {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    absolute(a) == absolute(b)
}

/// The dossier file to edit: the file given; in a folder, its `dossier.toml`. A file that does
/// not exist yet is created from `init`'s starter (with the schema beside it).
fn dossier_file(given: &Path, label: Phase) -> Result<PathBuf> {
    let file = if given.is_dir() { given.join("dossier.toml") } else { given.to_path_buf() };
    if file.exists() {
        return Ok(file);
    }
    if file.extension().is_none_or(|e| e != "toml") {
        bail!(
            "{} n'existe pas\naide : donnez un fichier .toml (créé s'il n'existe pas) ou un dossier",
            file.display()
        );
    }
    let folder = crate::fsutil::folder_of(&file);
    if !folder.is_dir() {
        bail!("le dossier {} n'existe pas", folder.display());
    }
    let today = crate::render::document_date_or_today();
    // Tables in the dossier itself, not in init's workbook: the page edits them as grids.
    let text = crate::init::starter_without_workbook(label, "Cité des métiers", today);
    crate::fsutil::write_atomic(&file, text.as_bytes())?;
    let schema = folder.join("cdm-render.schema.json");
    if !schema.exists() {
        let json = serde_json::to_string_pretty(&crate::model::schema::dossier_schema())?;
        crate::fsutil::write_atomic(&schema, json.as_bytes())?;
    }
    eprintln!("{} créé à partir du dossier de départ ({})", file.display(), label.label());
    Ok(file)
}
