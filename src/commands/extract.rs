//! `cdm-render extract dossier.pdf -o DIR`: recovers the data attached to a dossier PDF.

use anyhow::{Result, bail};

use crate::cli::ExtractArgs;
use crate::extract;

/// Extracts the attached files.
pub fn run(args: ExtractArgs) -> Result<()> {
    let found = extract::attachments(&args.input)?;
    if found.is_empty() {
        bail!(
            "{} ne contient aucun fichier joint\naide : seuls les PDF produits par cdm-render (avec une norme PDF/A-3) transportent leurs données",
            args.input.display()
        );
    }
    for path in extract::write_all(&found, &args.output, args.force)? {
        println!("{}", path.display());
    }
    Ok(())
}
