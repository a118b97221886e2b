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
