//! `cdm-render extract dossier.pdf -o DIR`: recovers the data attached to a dossier PDF.

use anyhow::{Result, bail};

use crate::cli::ExtractArgs;
use crate::document::extract;

/// Extracts the attached files.
pub fn run(args: ExtractArgs) -> Result<()> {
    let found = extract::attachments(&args.input)?;
    if found.is_empty() {
        bail!(
            "{} ne contient aucun fichier joint\naide : seuls les PDF produits par cdm-render (avec une norme PDF/A-3) transportent leurs données",
            args.input.display()
        );
    }
    let inputs = [crate::fsutil::Input::new(&args.input, "le PDF dont les fichiers sont extraits")];
    for path in extract::write_all(&found, &args.output, args.force, &inputs)? {
        println!("{}", path.display());
    }
    restore_schema(&found, &args.output, &inputs)?;
    Ok(())
}

/// A dossier made by `init` names its JSON Schema on its first line (`#:schema …`), for
/// completion in editors; the schema is not attached to the PDF, so it is written again.
fn restore_schema(
    found: &[extract::Attachment],
    dir: &std::path::Path,
    inputs: &[crate::fsutil::Input],
) -> Result<()> {
    const SCHEMA: &str = "cdm-render.schema.json";
    let names_it = found.iter().any(|a| {
        a.name.ends_with(".toml") && a.data.starts_with(format!("#:schema ./{SCHEMA}").as_bytes())
    });
    let path = dir.join(SCHEMA);
    if names_it && !path.exists() {
        let json = serde_json::to_string_pretty(&crate::model::schema::dossier_schema())?;
        crate::fsutil::write_output(&path, json.as_bytes(), inputs)?;
        println!("{}", path.display());
    }
    Ok(())
}
