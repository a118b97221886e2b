//! `cdm-render diff ancien.toml nouveau.toml`: the evolutions between two phases (item 8.3).

use anyhow::Result;

use crate::cli::DiffArgs;
use crate::input::diff;
use crate::input::load::LoadOptions;
use crate::render::Pipeline;

/// Prints the changes, one per line.
pub fn run(args: DiffArgs) -> Result<()> {
    // Only the data is compared: no PDF standard applies.
    let options =
        LoadOptions { target: crate::input::validate::Target::none(), ..LoadOptions::default() };
    let pipeline = Pipeline::new(None, options)?;
    let old = pipeline.load(&args.old)?;
    let new = pipeline.load(&args.new)?;
    let rows = diff::changes(&old.dossier, &new.dossier);
    if rows.is_empty() {
        println!(
            "Aucune évolution détectée (partenaires, horaires, moyens humains, locaux, budgets, label)."
        );
    }
    for row in rows {
        println!("{} : {} → {}", row.domaine, row.avant, row.apres);
    }
    Ok(())
}
