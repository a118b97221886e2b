//! Drafting aids: tables given as CSV files travel with the PDF and come back with `extract`.

use crate::support::{copy_dir, root, run, scratch, stderr};

#[test]
fn csv_tables_are_attached_to_the_pdf_and_extracted_back() {
    let dir = scratch("csv-attach");
    copy_dir(&root().join("tests/fixtures/csv-tableaux"), &dir);
    let pdf = dir.join("dossier.pdf");
    let output = run(&[dir.join("dossier.toml").to_str().unwrap(), "-o", pdf.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let out = dir.join("extrait");
    let output = run(&["extract", pdf.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let csv = std::fs::read_to_string(out.join("partenaires.csv")).unwrap();
    assert!(csv.contains("\"Mission locale; Val-de-Lys\""), "{csv}");
    // The extracted folder renders again to the same document.
    let again = dir.join("again.pdf");
    let output = run(&[out.join("dossier.toml").to_str().unwrap(), "-o", again.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn items_to_update_say_whether_they_changed_since_the_previous_phase() {
    let out = scratch("previous").join("prefiguration.pdf");
    crate::support::render(&root().join("data/prefiguration/dossier.toml"), &out);
    let text = crate::support::pdf_text(&out);
    assert!(text.contains("Mis à jour depuis le dossier du Label projet"), "{text}");
}

#[test]
fn item_8_3_merges_the_written_rows_with_the_computed_changes() {
    let dir = scratch("previous-8-3");
    let out = dir.join("fonctionnement.pdf");
    let previous = root().join("data/projet/dossier.toml");
    let input = root().join("data/fonctionnement/dossier.toml");
    let args = [input.to_str().unwrap(), "-o", out.to_str().unwrap(), "--previous"];
    let output = run(&[&args[..], &[previous.to_str().unwrap()]].concat());
    assert!(output.status.success(), "{}", stderr(&output));
    let text = crate::support::pdf_text(&out);
    let table = &text[text.find("Évolutions de la Cité des métiers").expect("the 8.3 table")..];
    // Written by hand (with its date), then the computed rows of other domains, marked.
    for expected in [
        "Partenaires 10 partenaires signataires",
        "30 septembre 2025",
        "Label* Label projet Label fonctionnement",
        "mains* 0 ETP 11 ETP",
        "Budget d'investissement*",
        "1 387 700 €",
        "* Ligne calculée par comparaison avec le dossier du Label projet",
    ] {
        assert!(table.contains(expected), "{expected:?} not in:\n{table}");
    }
    assert!(text.contains("Mis à jour depuis le dossier du Label projet"));
}
