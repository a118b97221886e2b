//! Nothing is printed outside the body of the page: the text of every page, read back with its
//! position (`pdftotext -bbox`), stays above the bottom margin, except the footer's « Page X / Y ».

use std::path::Path;

use crate::support::{render, root, scratch};

/// Bottom of the body area on an A4 page: 297 mm less the 2.3 cm bottom margin, in points.
const BODY_BOTTOM: f64 = 841.89 - 2.3 / 2.54 * 72.0;

/// Words printed below the body area, other than the footer, as "page N: word".
fn below_the_body(pdf: &Path) -> Vec<String> {
    let html = pdf.with_extension("html");
    let status = std::process::Command::new("pdftotext").arg("-bbox").arg(pdf).arg(&html).status();
    assert!(status.unwrap().success(), "pdftotext -bbox");
    let text = std::fs::read_to_string(&html).unwrap();
    let mut found = Vec::new();
    for (page, body) in text.split("<page ").skip(1).enumerate() {
        for word in body.split("<word ").skip(1) {
            let attr = |name: &str| -> f64 {
                let start = word.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                word[start..].split('"').next().unwrap().parse().unwrap()
            };
            let content = word.split('>').nth(1).unwrap_or("").split('<').next().unwrap_or("");
            let footer = content == "Page" || content == "/" || content.parse::<u32>().is_ok();
            // The box pdftotext gives includes the font's descent: the descenders of a page's
            // last line reach into the margin in any typesetting. A word whose upper three
            // quarters (down to about its baseline) pass the body's bottom is below it.
            let baseline = attr("yMax") - 0.25 * (attr("yMax") - attr("yMin"));
            if baseline > BODY_BOTTOM + 1.0 && !footer {
                found.push(format!("page {}: {content}", page + 1));
            }
        }
    }
    found
}

fn assert_nothing_below_the_body(input: &Path) {
    let pdf = scratch("layout").join("dossier.pdf");
    render(input, &pdf);
    let below = below_the_body(&pdf);
    assert!(below.is_empty(), "{}: text below the body area: {below:?}", input.display());
}

#[test]
fn the_examples_and_the_second_territory_stay_inside_the_page_body() {
    for dossier in [
        "data/projet/dossier.toml",
        "data/prefiguration/dossier.toml",
        "data/fonctionnement/dossier.toml",
        "tests/fixtures/territoire-serre-vallee/dossier.toml",
    ] {
        assert_nothing_below_the_body(&root().join(dossier));
    }
}

#[test]
fn a_table_taller_than_a_page_breaks_across_pages_instead_of_running_over_the_footer() {
    // Twenty partners with long contributions: the table is taller than a page. It used to be
    // kept in one piece (tables of 25 rows or fewer) and printed over the footer.
    let mut toml = String::from(
        "[cite]\nnom = \"Cité\"\nlabel = \"projet\"\ndate = 2026-01-01\nporteur = \"P\"\nterritoire = \"T\"\n",
    );
    let contribution =
        "Mise à disposition de conseillers, ateliers collectifs et documentation. ".repeat(3);
    for i in 0..20 {
        toml.push_str(&format!(
            "[[fonctionnement.partenaires.liste]]\nnom = \"Partenaire numéro {i} du territoire\"\n\
             roles = [\"services\"]\ncontribution = \"{contribution}\"\n"
        ));
    }
    let input = scratch("tall-table").join("dossier.toml");
    std::fs::write(&input, toml).unwrap();
    assert_nothing_below_the_body(&input);
}
