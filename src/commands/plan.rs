//! `cdm-render plan`: prints the official outline with the level expected for a label.

use crate::cli::PlanArgs;
use crate::model::outline::{Outline, Phase};

/// Prints the outline, for one label or all three.
pub fn run(args: PlanArgs) -> anyhow::Result<()> {
    let outline = Outline::get();
    let phases: Vec<Phase> = args.label.map(|p| vec![p]).unwrap_or(Phase::ALL.to_vec());
    for phase in phases {
        println!("{}", phase.label());
        for item in &outline.items {
            let Some(level) = outline.level(item, phase) else { continue };
            let indent = "  ".repeat(item.depth());
            let level = level.map(|l| format!(" — {}", l.short())).unwrap_or_default();
            println!("{indent}{} {}{level}", item.number, item.title);
        }
        println!();
    }
    Ok(())
}
