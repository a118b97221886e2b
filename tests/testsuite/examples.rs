//! The three example dossiers of data/: every applicable heading of the outline is in the PDF,
//! with its official number, and nothing else is.

use cdm_render::model::outline::{Level, Outline, Phase};

use crate::support::{pdf_pages, pdf_text, render, root, scratch};

/// Renders an example and returns the text of its body pages (the applicability matrix, which
/// lists every item of the plan for all phases, is left out).
fn body_text(phase: &str) -> String {
    let out = scratch(phase).join(format!("{phase}.pdf"));
    render(&root().join(format!("data/{phase}/dossier.toml")), &out);
    let is_matrix = |page: &String| {
        ["Label projet", "Label préfiguration", "Label fonctionnement"]
            .iter()
            .all(|l| page.contains(l))
    };
    pdf_pages(&out).into_iter().filter(|p| !is_matrix(p)).collect::<Vec<_>>().join(" ")
}

fn heading(number: &str, title: &str, depth: usize) -> String {
    let dot = if depth == 1 { "." } else { "" };
    format!(" {number}{dot} {title}")
}

fn check_headings(phase: Phase) {
    let text = body_text(phase.key());
    let outline = Outline::get();
    for item in &outline.items {
        let expected = heading(&item.number, &item.title, item.depth());
        let level = outline.level(item, phase);
        // Empty sub-items of an item that is only "à signaler" may be left out.
        let optional = item.depth() > 2 && level == Some(Some(Level::Signaler));
        match level {
            Some(_) if !optional => {
                assert!(text.contains(&expected), "{phase}: heading {expected:?} missing")
            }
            None => assert!(!text.contains(&expected), "{phase}: heading {expected:?} present"),
            Some(_) => {}
        }
    }
}

#[test]
fn renders_every_applicable_item_for_projet() {
    check_headings(Phase::Projet);
}

#[test]
fn renders_every_applicable_item_for_prefiguration() {
    check_headings(Phase::Prefiguration);
}

#[test]
fn renders_every_applicable_item_for_fonctionnement() {
    check_headings(Phase::Fonctionnement);
}

#[test]
fn projet_dossier_has_no_layout_evaluation_or_complements() {
    let text = body_text("projet");
    for absent in [
        "5.2 Aménagement des locaux",
        "7. Évaluation des actions",
        "7.1 Dynamique",
        "8. Compléments",
        "8.4 Rapport",
    ] {
        assert!(!text.contains(absent), "{absent:?} should not be in the projet dossier");
    }
}

#[test]
fn fonctionnement_dossier_fills_every_item() {
    let text = body_text("fonctionnement");
    assert!(!text.contains("À compléter"), "an item of the complete example is empty");
}

#[test]
fn key_values_are_formatted_the_french_way() {
    let out = scratch("french").join("f.pdf");
    render(&root().join("data/fonctionnement/dossier.toml"), &out);
    let text = pdf_text(&out);
    for value in [
        "24 novembre 2026",
        "612 400 €",
        "1 387 700 €",
        "29,5 h",
        "16,8 %",
        "1er décembre 2026",
        "Page 2 / ",
    ] {
        assert!(text.contains(value), "{value:?} not found");
    }
}

#[test]
fn chart_labels_are_real_text_in_the_pdf() {
    let out = scratch("charts").join("f.pdf");
    render(&root().join("data/fonctionnement/dossier.toml"), &out);
    let text = pdf_text(&out);
    for label in [
        "Santé humaine et action sociale",
        "Partenaires de financement (6)",
        "Partenaires de services (11)",
        "12 km · 15 min",
        "Sous les noms : distance et temps de trajet jusqu'au site principal",
        "Renforcer l'accueil du mardi soir par un",
        "Figure 1 –",
        "Source : Insee, Flores 2023",
    ] {
        assert!(text.contains(label), "chart label {label:?} not found in the PDF text");
    }
}

#[test]
fn projet_example_shows_the_charts_its_data_allows() {
    let text = body_text("projet");
    for label in [
        "Figure 1 – Emplois salariés par secteur",
        "Taux de chômage localisé",
        "Partenaires de financement (2)",
    ] {
        assert!(text.contains(label), "{label:?} missing");
    }
    for absent in
        ["Horaires d'ouverture hebdomadaires", "Carte du territoire couvert", "Calendrier du plan"]
    {
        assert!(!text.contains(absent), "{absent:?} should not be drawn without data");
    }
    // The writer is told, in the terminal: the dossier itself carries no message to them.
    assert!(!text.contains("non produite"), "a message for the writer printed in the dossier");
    let input = crate::support::root().join("data/projet/dossier.toml");
    let check = crate::support::run(&["check", input.to_str().unwrap()]);
    let advice = String::from_utf8_lossy(&check.stdout);
    assert!(
        advice.contains("conseil : 5.3 : la carte du territoire n'est pas produite"),
        "{advice}"
    );
}

#[test]
fn a_line_chart_s_values_are_said_once_in_the_data_of_the_charts_with_a_reference_under_it() {
    let out = scratch("said-once").join("fonctionnement.pdf");
    render(&root().join("data/fonctionnement/dossier.toml"), &out);
    let pages = crate::support::pdf_pages(&out);
    let chart = pages.iter().position(|p| p.contains("Figure 3 – Taux de chômage")).unwrap();
    assert!(
        pages[chart].contains("Valeurs détaillées : Tableau")
            && !pages[chart].contains("9,1 8,6 8,9"),
        "under the chart, a reference and no table: {}",
        pages[chart]
    );
    let data: Vec<usize> = pages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.contains("9,1 8,6 8,9 8,2 8,4 8,5"))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(data.len(), 1, "the values are printed once");
    assert!(pages[data[0]].contains("Données des graphiques") && data[0] > chart);
}
