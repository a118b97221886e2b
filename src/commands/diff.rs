//! `cdm-render diff ancien.toml nouveau.toml`: the evolutions between two phases (item 8.3).

use anyhow::Result;

use crate::cli::DiffArgs;
use crate::validate::Target;
use crate::{diff, load};

/// Prints the changes, one per line.
pub fn run(args: DiffArgs) -> Result<()> {
    let old = load::load(&args.old, &Target::default())?;
    let new = load::load(&args.new, &Target::default())?;
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
