//! The default command: `cdm-render dossier.toml -o dossier.pdf`.

use std::io::IsTerminal;
use std::time::Instant;

use anyhow::Result;

use crate::cli::RenderConfig;
use crate::render::{self, RenderOptions, Renderer};
use crate::{fsutil, load};

/// Renders one dossier to PDF. The PDF is written only when everything succeeded.
pub fn run(config: RenderConfig) -> Result<()> {
    let start = Instant::now();
    let dossier = &config.dossier;
    let renderer =
        Renderer::new(dossier.templates.as_deref())?.with_previous(dossier.previous.as_deref());
    for path in &renderer.templates().ignored {
        eprintln!(
            "avertissement : {} ne correspond à aucun modèle intégré et est ignoré",
            path.display()
        );
    }
    let target = crate::validate::Target { standards: dossier.standards.clone() };
    let loaded = load::load(&dossier.input, &target)?;
    if !loaded.warnings.errors.is_empty() {
        eprint!("{}", loaded.warnings.render(std::io::stderr().is_terminal()));
    }
    let options = RenderOptions { standards: dossier.standards.clone() };
    let rendered = renderer.render(&loaded, &options);
    // Sources are emitted even when Typst fails: that is when users need to read them.
    if let Some(dir) = &config.emit_typst {
        let sources = match &rendered {
            Ok(r) => r.sources.clone(),
            Err(_) => renderer.generate(&loaded)?,
        };
        render::emit_typst(&sources, dir)?;
        if !config.quiet {
            eprintln!("sources Typst écrites dans {}", dir.display());
        }
    }
    let rendered = rendered?;
    for warning in &rendered.compiled.warnings {
        eprintln!("avertissement Typst :\n{warning}");
    }
    fsutil::write_atomic(&dossier.output, &rendered.compiled.pdf)?;
    if !config.quiet {
        let report = crate::check::check(&loaded.dossier, loaded.dossier.cite.label);
        eprintln!("{}", report.one_line());
        eprintln!(
            "{} écrit : {} pages, {} ({:.1} s)",
            dossier.output.display(),
            rendered.compiled.pages,
            loaded.dossier.cite.label.label(),
            start.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
