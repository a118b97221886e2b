//! `cdm-render init`: writes a starter dossier and the JSON Schema beside it.

use anyhow::{Result, bail};

use crate::cli::InitArgs;
use crate::{fsutil, init, model::schema, render};

/// Creates `dossier.toml`, the workbook of its tables, `cdm-render.schema.json` and example CSV
/// files; never overwrites a file.
pub fn run(args: InitArgs) -> Result<()> {
    let dossier = args.dir.join("dossier.toml");
    let schema_file = args.dir.join("cdm-render.schema.json");
    let workbook = args.dir.join(init::WORKBOOK);
    let examples: Vec<_> = init::EXAMPLE_CSV
        .iter()
        .map(|(_, name, text)| (args.dir.join(init::EXAMPLE_DIR).join(name), *text))
        .collect();
    for path in
        [&dossier, &workbook, &schema_file].into_iter().chain(examples.iter().map(|(p, _)| p))
    {
        if path.exists() {
            bail!(
                "{} existe déjà : rien n'a été écrit\naide : choisissez un autre dossier, par exemple cdm-render init ma-cite/",
                path.display()
            );
        }
    }
    let today = render::document_date_or_today();
    let sheets = init::workbook(args.label, today)?;
    fsutil::write_atomic(&dossier, init::starter(args.label, &args.cite, today).as_bytes())?;
    fsutil::write_atomic(&workbook, &sheets)?;
    let json = serde_json::to_string_pretty(&schema::dossier_schema())?;
    fsutil::write_atomic(&schema_file, json.as_bytes())?;
    for (path, text) in &examples {
        fsutil::write_atomic(path, text.as_bytes())?;
    }
    eprintln!(
        "{} créé ({}) ; le schéma {} permet la complétion dans les éditeurs TOML.",
        dossier.display(),
        args.label.label(),
        schema_file.display()
    );
    eprintln!(
        "les tableaux (partenaires, budget, sites…) se remplissent dans le classeur {}, une feuille par tableau ; exemples au format CSV dans {}",
        workbook.display(),
        args.dir.join(init::EXAMPLE_DIR).display()
    );
    eprintln!("prochaine étape : cdm-render check {}", dossier.display());
    Ok(())
}
