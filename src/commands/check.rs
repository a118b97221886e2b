//! `cdm-render check`: what is still missing for a label, item by item and sub-item by
//! sub-item. The dossier goes through the whole rendering pipeline (nothing is written), so
//! that a dossier `check` accepts is one the render accepts, with the same boxes.

use anyhow::Result;

use crate::cli::{CheckArgs, Format};
use crate::diag;
use crate::input::check::{Report, Status};
use crate::input::load::LoadOptions;
use crate::render::Pipeline;

/// Validates, checks and renders (without writing) a dossier; returns whether it is complete
/// for the label.
pub fn run(args: CheckArgs) -> Result<bool> {
    let options = LoadOptions {
        target: args.standards.target()?,
        label: args.label,
        previous: args.previous.clone(),
    };
    let pipeline = Pipeline::new(None, options)?;
    let loaded = pipeline.load(&args.input)?;
    if args.format == Format::Human {
        diag::print_warnings(&loaded.warnings);
    }
    let rendered = pipeline.render(&loaded)?;
    if args.format == Format::Human {
        diag::print_typst_warnings(&rendered.compiled.warnings);
        crate::typeset::audit::print_warnings(&rendered.compiled.layout);
    }
    let report = &loaded.report;
    match args.format {
        Format::Json => {
            let mut json = serde_json::json!({
                "dossier": args.input.display().to_string(),
                "label": report.label,
                "complet": report.complet,
                "resume": report.resume,
                "items": report.items,
                "conseils": report.conseils,
                "pages": rendered.compiled.pages,
            });
            // Keys in alphabetical order, as the README documents the report: serde_json keeps
            // the order of insertion (the schema needs the model's order, see Cargo.toml).
            json.sort_all_objects();
            println!("{}", serde_json::to_string_pretty(&json)?);
        }
        Format::Human => print_human(report),
    }
    Ok(report.complet)
}

fn print_human(report: &Report) {
    println!("Vérification pour le {}", report.label.label());
    println!();
    for item in &report.items {
        let mark = match item.statut {
            Status::Complet => "✓",
            Status::ACompleter => "~",
            Status::Manquant => "✗",
        };
        let indent = if item.numero.matches('.').count() > 1 { "  " } else { "" };
        println!(
            "{indent}{mark} {} {} — {} ({})",
            item.numero,
            item.titre,
            item.statut.label(),
            item.niveau.short().to_lowercase()
        );
        for missing in &item.manques {
            println!("{indent}      {missing}");
        }
        if let Some(expected) = &item.attendu {
            println!("{indent}      attendu : {expected}");
        }
    }
    for advice in &report.conseils {
        println!("\nconseil : {advice}");
    }
    println!();
    println!("{}", report.one_line());
}
