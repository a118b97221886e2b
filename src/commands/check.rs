//! `cdm-render check`: what is still missing for a label, item by item.

use std::io::IsTerminal;

use anyhow::Result;

use crate::check::{self, Report, Status};
use crate::cli::{CheckArgs, Format};
use crate::load;

/// Validates and checks a dossier; returns whether it is complete for the label.
pub fn run(args: CheckArgs) -> Result<bool> {
    let loaded = load::load(&args.input, &crate::validate::Target::default())?;
    if !loaded.warnings.errors.is_empty() && args.format == Format::Human {
        eprint!("{}", loaded.warnings.render(std::io::stderr().is_terminal()));
    }
    let label = args.label.unwrap_or(loaded.dossier.cite.label);
    let report = check::check(&loaded.dossier, label);
    match args.format {
        Format::Json => {
            let json = serde_json::json!({
                "dossier": args.input.display().to_string(),
                "label": report.label,
                "complet": report.complet,
                "resume": report.resume,
                "items": report.items,
            });
            println!("{}", serde_json::to_string_pretty(&json)?);
        }
        Format::Human => print_human(&report),
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
        println!(
            "{mark} {} {} — {} ({})",
            item.numero,
            item.titre,
            item.statut.label(),
            item.niveau.short().to_lowercase()
        );
        for missing in &item.manques {
            println!("      {missing}");
        }
        if let Some(expected) = &item.attendu {
            println!("      attendu : {expected}");
        }
    }
    println!();
    println!("{}", report.one_line());
}
