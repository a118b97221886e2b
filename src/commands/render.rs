//! The default command: `cdm-render dossier.toml -o dossier.pdf`.

use std::time::Instant;

use anyhow::Result;

use crate::cli::RenderConfig;
use crate::diag;
use crate::document::charts::ChartCache;
use crate::render::{self, Pipeline};
use crate::typeset::world::DossierWorld;

/// Renders one dossier to PDF. The PDF is written only when everything succeeded.
pub fn run(config: RenderConfig) -> Result<()> {
    let start = Instant::now();
    let dossier = &config.dossier;
    let pipeline = Pipeline::new(dossier.templates.as_deref(), dossier.load_options())?;
    for path in &pipeline.templates().ignored {
        eprintln!(
            "avertissement : {} ne correspond à aucun modèle intégré et est ignoré",
            path.display()
        );
    }
    let loaded = pipeline.load(&dossier.input)?;
    diag::print_warnings(&loaded.warnings);
    let sources = pipeline.generate(&loaded, &mut ChartCache::default())?;
    if !config.quiet {
        sources.notes.iter().for_each(|note| eprintln!("{note}"));
    }
    // Sources are emitted even when Typst fails: that is when users need to read them.
    if let Some(dir) = &config.emit_typst {
        render::emit_typst(&sources, dir)?;
        if !config.quiet {
            eprintln!("sources Typst écrites dans {}", dir.display());
        }
    }
    let date = crate::render::typst_date(render::document_date(&loaded.dossier));
    let compiled = pipeline.compile(&loaded, &sources, &mut DossierWorld::new(date))?;
    diag::print_typst_warnings(&compiled.warnings);
    crate::typeset::audit::print_warnings(&compiled.layout);
    pipeline.write(&loaded, &compiled, &dossier.output, &[])?;
    if !config.quiet {
        eprintln!("{}", loaded.report.one_line());
        eprintln!(
            "{} écrit : {}, {} ({} s)",
            dossier.output.display(),
            crate::fr::count(compiled.pages, "page", "pages"),
            loaded.dossier.cite.label.label(),
            crate::fr::format_number(start.elapsed().as_secs_f64(), 1)
        );
    }
    Ok(())
}
