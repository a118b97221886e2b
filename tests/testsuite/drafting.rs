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
    // The previous dossier is named once; the other items say the word only.
    assert_eq!(text.matches("depuis le dossier du Label projet").count(), 1, "{text}");
    assert!(text.contains("depuis le précédent dossier"), "{text}");
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
    // Written by hand (with its date), then the computed rows of other domains, worded as
    // facts and named under the table.
    for expected in [
        "Partenaires 10 partenaires signataires",
        "30 septembre 2025",
        "Label projet (20 avril 2023)",
        "Label fonctionnement (demandé)",
        "0 ETP 11 ETP",
        "1 387 700 €",
        "« Label »",
        ": d'après le dossier du Label projet",
    ] {
        assert!(table.contains(expected), "{expected:?} not in:\n{table}");
    }
    assert!(text.contains("Mis à jour depuis le dossier du Label projet"));
    assert!(!text.contains("Ligne calculée") && !text.contains("Label*"), "{table}");
}

/// Pixels of page `page` of a PDF with exactly this colour, rendered by pdftoppm at 30 dpi.
fn pixels_of_colour(pdf: &std::path::Path, page: u32, rgb: [u8; 3]) -> usize {
    let page = page.to_string();
    let output = std::process::Command::new("pdftoppm")
        .args(["-r", "30", "-f", &page, "-l", &page, pdf.to_str().unwrap()])
        .output()
        .expect("pdftoppm (poppler-utils)");
    // Binary PPM: "P6\n<w> <h>\n255\n" then RGB triplets.
    let data = output.stdout;
    let mut fields = 0;
    let start = data
        .iter()
        .position(|b| {
            if b.is_ascii_whitespace() {
                fields += 1;
            }
            fields == 4
        })
        .expect("a PPM header")
        + 1;
    data[start..].chunks_exact(3).filter(|px| *px == rgb).count()
}

#[test]
fn branding_colours_reach_the_cover_the_tables_and_the_charts() {
    let dir = scratch("apparence");
    let pdf = dir.join("apparence.pdf");
    let input = root().join("tests/fixtures/apparence/dossier.toml");
    let emitted = dir.join("typst");
    crate::support::render_emitting(&input, &pdf, &emitted);
    let main = [0x8a, 0x15, 0x38];
    assert!(pixels_of_colour(&pdf, 1, main) > 500, "the cover band is in the main colour");
    assert_eq!(pixels_of_colour(&pdf, 1, [0x1d, 0x4f, 0x73]), 0, "no built-in blue left");
    // The logo (its green bar) is on the cover; the running header names the Cité in words
    // rather than setting the logo too small to read.
    let green = [0x00, 0xaa, 0x77];
    assert!(pixels_of_colour(&pdf, 1, green) > 100, "the logo is on the cover");
    assert_eq!(pixels_of_colour(&pdf, 2, green), 0, "no logo shrunk into the running header");
    assert!(crate::support::pdf_pages(&pdf)[1].contains("Cité des métiers de Brocéliande"));
    let chart = std::fs::read_to_string(emitted.join("graphiques/ecosysteme.svg")).unwrap();
    assert!(chart.contains("#8A1538") && !chart.contains("#1D4F73"), "chart recoloured");
    let attached = std::process::Command::new("pdfdetach")
        .args(["-list", pdf.to_str().unwrap()])
        .output()
        .unwrap();
    let attached = String::from_utf8_lossy(&attached.stdout);
    assert!(attached.contains("logo.svg") && attached.contains("couverture.png"), "{attached}");
}

#[test]
fn markdown_is_opt_in_and_never_lets_raw_typst_through() {
    let dir = scratch("markdown");
    let emitted = dir.join("typst");
    let input = root().join("tests/fixtures/markdown/dossier.toml");
    let pdf = dir.join("md.pdf");
    crate::support::render_emitting(&input, &pdf, &emitted);
    let chapter = std::fs::read_to_string(emitted.join("chapitres/1.typ")).unwrap();
    assert!(chapter.contains("#strong[trois partenaires]"), "bold becomes Typst");
    assert!(chapter.contains("#link(\"https://exemple.fr\")[le site]"), "web links are links");
    assert!(!chapter.contains("file:///etc/passwd"), "other links keep only their text");
    for code in ["#panic", "#set text", "#emph[x]", "$x$"] {
        let unescaped = chapter.match_indices(code).filter(|(i, _)| !chapter[..*i].ends_with('\\'));
        assert_eq!(unescaped.count(), 0, "{code} passed through unescaped:\n{chapter}");
    }
    // Without `markdown = true`, the same text is printed as written.
    let plain = dir.join("plain.toml");
    let text = std::fs::read_to_string(&input).unwrap().replace("markdown = true", "");
    std::fs::write(&plain, text).unwrap();
    let out = dir.join("plain.pdf");
    crate::support::render(&plain, &out);
    assert!(
        crate::support::pdf_text(&out).contains("réunit **trois partenaires** et une *équipe*")
    );
}

/// A TOML dossier as JSON, with TOML dates as the strings the schema describes.
fn as_json(value: toml::Value) -> serde_json::Value {
    match value {
        toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
        toml::Value::Table(t) => t.into_iter().map(|(k, v)| (k, as_json(v))).collect(),
        toml::Value::Array(a) => a.into_iter().map(as_json).collect(),
        other => serde_json::to_value(other).unwrap(),
    }
}

#[test]
fn the_schema_validates_every_example_and_rejects_a_broken_dossier() {
    let schema = run(&["schema"]);
    assert!(schema.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&schema.stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let mut dossiers: Vec<_> = ["projet", "prefiguration", "fonctionnement"]
        .iter()
        .map(|p| root().join("data").join(p).join("dossier.toml"))
        .collect();
    dossiers.push(root().join("tests/fixtures/csv-tableaux/dossier.toml"));
    dossiers.push(root().join("tests/fixtures/apparence/dossier.toml"));
    for path in &dossiers {
        let value: toml::Value = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let errors: Vec<String> =
            validator.iter_errors(&as_json(value)).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    }
    let broken: toml::Value = toml::from_str(
        "[cite]\nnom = \"X\"\nlabel = \"fonction\"\ndate = 2026-01-01\n\
         [[fonctionnement.partenaires.liste]]\nnom = \"A\"\nrolles = [\"services\"]\n\
         [budget.fonctionnement]\ncharges = { fichier = 3 }\n",
    )
    .unwrap();
    let errors: Vec<String> =
        validator.iter_errors(&as_json(broken)).map(|e| e.to_string()).collect();
    assert!(errors.len() >= 3, "label, unknown key and bad file reference: {errors:?}");
}

/// Two « Permanence en mairie » in two communes are two places: accepted, and the map names
/// each with its commune; the same name in the same commune is one site written twice.
#[test]
fn sites_of_one_name_are_told_apart_by_their_commune_on_the_map_and_in_check() {
    let dir = scratch("sites-communes");
    copy_dir(&root().join("data/fonctionnement"), &dir);
    let toml = dir.join("dossier.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    let site = |commune: &str, lat: f64| {
        format!(
            "\n[[implantation.equite.sites]]\nnom = \"Permanence en mairie\"\ntype = \"point_relais\"\n\
             commune = \"{commune}\"\nlatitude = {lat}\nlongitude = 0.30\n"
        )
    };
    let at = text.find("[[implantation.equite.sites]]").unwrap();
    let two = format!(
        "{}{}{}{}",
        &text[..at],
        site("Vernoux", 47.20),
        site("Bellac", 47.12),
        &text[at..]
    );
    std::fs::write(&toml, &two).unwrap();
    let typst = dir.join("typst");
    let pdf = dir.join("sites.pdf");
    let output = run(&[
        toml.to_str().unwrap(),
        "-o",
        pdf.to_str().unwrap(),
        "--emit-typst",
        typst.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let map = std::fs::read_to_string(typst.join("graphiques/carte.svg")).unwrap();
    for label in ["Permanence en mairie (Vernoux)", "Permanence en mairie (Bellac)"] {
        assert!(map.contains(label), "{label} is not on the map");
    }
    let same = format!(
        "{}{}{}{}",
        &text[..at],
        site("Vernoux", 47.20),
        site("Vernoux", 47.12),
        &text[at..]
    );
    std::fs::write(&toml, same).unwrap();
    let output = run(&["check", toml.to_str().unwrap()]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(message.contains("« Permanence en mairie » à Vernoux apparaît deux fois"), "{message}");
}
