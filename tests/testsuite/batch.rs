//! `cdm-render batch`: many dossiers, one failure reported without stopping the others.

use std::path::Path;

use crate::support::{pdf_text, root, run, scratch, stderr};

fn copy_dossier(from: &str, to: &Path, name: &str) {
    std::fs::create_dir_all(to).unwrap();
    let text = std::fs::read_to_string(root().join(from)).unwrap();
    let text =
        text.replace("nom = \"Cité des métiers du Val-de-Lys\"", &format!("nom = \"{name}\""));
    std::fs::write(to.join("dossier.toml"), text).unwrap();
    // The communes of the map, beside the dossier that names them.
    let outline = root().join(from).with_file_name("territoire.geojson");
    if outline.exists() {
        std::fs::copy(outline, to.join("territoire.geojson")).unwrap();
    }
}

#[test]
fn batch_renders_the_good_dossiers_names_the_broken_one_and_exits_1() {
    let dir = scratch("batch");
    let inputs = dir.join("entrees");
    copy_dossier("data/projet/dossier.toml", &inputs.join("ouest"), "Cité des métiers de l'Ouest");
    copy_dossier(
        "data/prefiguration/dossier.toml",
        &inputs.join("est"),
        "Cité des métiers de l'Est",
    );
    std::fs::copy(
        root().join("tests/fixtures/many-errors/dossier.toml"),
        inputs.join("casse.toml"),
    )
    .unwrap();
    std::fs::write(inputs.join("autre.toml"), "titre = \"pas un dossier\"\n").unwrap();
    let out = dir.join("pdf");
    let overview = dir.join("synthese.pdf");
    let output = run(&[
        "batch",
        inputs.to_str().unwrap(),
        root().join("data/fonctionnement/dossier.toml").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--jobs",
        "2",
        "--overview",
        overview.to_str().unwrap(),
    ]);
    let messages = stderr(&output);
    let table = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{messages}");
    for name in [
        "cite-des-metiers-de-l-ouest-projet.pdf",
        "cite-des-metiers-de-l-est-prefiguration.pdf",
        // The broken dossier is of the same Cité and label: the territory tells them apart.
        "cite-des-metiers-du-val-de-lys-zone-d-emploi-de-lysmont-42-communes-fonctionnement.pdf",
    ] {
        assert!(
            std::fs::read(out.join(name)).unwrap().starts_with(b"%PDF-"),
            "{name} missing:\n{messages}"
        );
    }
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 3, "only the good dossiers produce a PDF");
    assert!(messages.contains("erreur dans") && messages.contains("casse.toml"), "{messages}");
    assert!(
        messages.contains("partenaire inconnu « France Travial »"),
        "the located error is repeated"
    );
    assert!(
        table.contains("Cité des métiers de l'Ouest")
            && table.contains("24/24")
            && table.contains("ERREUR"),
        "{table}"
    );
    let synthese = pdf_text(&overview);
    assert!(synthese.contains("4 dossiers de labellisation"), "{synthese}");
    assert!(synthese.contains("en erreur"), "the broken dossier has its row: {synthese}");
    assert!(
        synthese.contains("Cité des métiers de l'Est")
            && synthese.contains("Budget de fonctionnement par Cité")
    );
}

#[test]
fn inputs_with_the_same_name_do_not_overwrite_each_other() {
    let dir = scratch("batch-same-name");
    copy_dossier("data/projet/dossier.toml", &dir.join("a"), "Cité des métiers du Val-de-Lys");
    copy_dossier(
        "data/prefiguration/dossier.toml",
        &dir.join("b"),
        "Cité des métiers du Val-de-Lys",
    );
    let out = dir.join("pdf");
    let output = run(&[
        "batch",
        dir.join("a").to_str().unwrap(),
        dir.join("b").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let first = pdf_text(&out.join("cite-des-metiers-du-val-de-lys-projet.pdf"));
    let second = pdf_text(&out.join("cite-des-metiers-du-val-de-lys-prefiguration.pdf"));
    assert!(first.contains("Demande de Label projet"));
    assert!(second.contains("Demande de Label préfiguration"));
}

#[test]
fn batch_label_option_renders_every_dossier_for_that_label() {
    let dir = scratch("batch-label");
    let out = dir.join("pdf");
    let output = run(&[
        "batch",
        root().join("data/projet/dossier.toml").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--label",
        "prefiguration",
        "-q",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = pdf_text(&out.join("cite-des-metiers-du-val-de-lys-prefiguration.pdf"));
    assert!(text.contains("Demande de Label préfiguration"));
    assert!(text.contains("5.2 Aménagement des locaux"), "items of the label are rendered");
}

#[test]
fn batch_finds_dossiers_by_parsing_whatever_the_toml_form_of_the_cite_table() {
    let dir = scratch("batch-forms");
    let inputs = dir.join("entrees");
    std::fs::create_dir_all(&inputs).unwrap();
    let forms = [
        (
            "commentaire",
            "[cite]  # la couverture\nnom = \"Cité A\"\nlabel = \"projet\"\ndate = 2026-01-01\n",
        ),
        ("espaces", "[ cite ]\nnom = \"Cité B\"\nlabel = \"projet\"\ndate = 2026-01-01\n"),
        ("pointee", "cite.nom = \"Cité C\"\ncite.label = \"projet\"\ncite.date = 2026-01-01\n"),
        ("en-ligne", "cite = { nom = \"Cité D\", label = \"projet\", date = 2026-01-01 }\n"),
    ];
    for (name, text) in forms {
        std::fs::write(inputs.join(format!("{name}.toml")), text).unwrap();
    }
    std::fs::write(inputs.join("casse.toml"), "[cite\nnom = \"Cité E\"\n").unwrap();
    std::fs::write(inputs.join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
    let out = dir.join("pdf");
    let output = run(&["batch", inputs.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    let messages = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "the broken one fails the batch:\n{messages}");
    for name in ["cite-a-projet", "cite-b-projet", "cite-c-projet", "cite-d-projet"] {
        assert!(out.join(format!("{name}.pdf")).is_file(), "{name} not rendered:\n{messages}");
    }
    assert!(messages.contains("casse.toml") && messages.contains("syntaxe TOML"), "{messages}");
    assert!(messages.contains("ignoré (pas de table [cite])") && messages.contains("Cargo.toml"));
    assert!(messages.contains("4 dossiers produits, 1 en erreur, 1 fichier TOML ignoré"));
}

#[test]
fn the_overview_of_the_examples_and_thirty_generated_dossiers_has_the_table_the_matrix_and_the_charts()
 {
    let dir = scratch("batch-overview");
    let generated = dir.join("generes");
    std::fs::create_dir_all(&generated).unwrap();
    for seed in 1..=30 {
        let text = crate::completeness::dossier(seed);
        std::fs::write(generated.join(format!("dossier-{seed}.toml")), text).unwrap();
    }
    let (pdf, csv) = (dir.join("synthese.pdf"), dir.join("synthese.csv"));
    let mut args = vec!["batch", generated.to_str().unwrap()];
    let examples: Vec<String> = ["projet", "prefiguration", "fonctionnement"]
        .iter()
        .map(|p| root().join(format!("data/{p}/dossier.toml")).display().to_string())
        .collect();
    args.extend(examples.iter().map(String::as_str));
    let out = dir.join("pdf");
    args.extend(["-o", out.to_str().unwrap(), "-q", "--overview", pdf.to_str().unwrap()]);
    args.extend(["--overview-csv", csv.to_str().unwrap()]);
    let output = run(&args);
    assert!(output.status.success(), "{}", stderr(&output));

    let text = pdf_text(&pdf);
    assert!(text.contains("Synthèse du réseau : 33 dossiers de labellisation"), "the table");
    assert!(text.contains("Complétude item par item"), "the matrix");
    for item in ["1.1", "3.4", "6.2", "8.4"] {
        assert!(text.contains(item), "matrix column {item}");
    }
    for chart in
        ["Complétude des dossiers", "Partenaires engagés par Cité", "Site principal de chaque Cité"]
    {
        assert!(text.contains(chart), "chart {chart:?}");
    }
    // The three examples share a name: each is told apart by its label, never by its file.
    for shown in [
        "Cité des métiers du Val-de-Lys (Label fonctionnement)",
        "Cité des métiers du Val-de-Lys (Label préfiguration)",
        "Cité des métiers du Val-de-Lys (Label projet)",
    ] {
        assert!(text.contains(shown), "{shown:?} not in the overview");
    }
    // No file path, nothing cut; a header and a page number on every page, page 1 included;
    // dates as the dossiers write them.
    assert!(!text.contains(".toml"), "a file name in the overview");
    assert!(!text.contains('…'), "a text cut in the overview");
    let pages: Vec<String> =
        crate::support::pdf_pages(&pdf).into_iter().filter(|p| !p.trim().is_empty()).collect();
    assert!(pages.len() > 30, "{} pages", pages.len());
    for (i, page) in pages.iter().enumerate() {
        assert!(
            page.contains("Synthèse du réseau des Cités des métiers"),
            "header of page {}",
            i + 1
        );
        assert!(
            page.contains(&format!("Page {} / {}", i + 1, pages.len())),
            "number of page {}",
            i + 1
        );
    }
    let date = regex::Regex::new(r"\b\d{1,2}/\d{1,2}/\d{4}\b").unwrap();
    assert!(!date.is_match(&text), "a date in figures: {:?}", date.find(&text));
    assert!(
        text.contains("Ce qui reste attendu"),
        "the pages of incomplete Cités say what is expected"
    );

    // The CSV: a header and 33 lines, one column per item of the plan, statuses that agree
    // with `check` on the dossiers.
    let csv = std::fs::read_to_string(&csv).unwrap();
    let csv = csv.trim_start_matches('\u{feff}');
    let lines: Vec<Vec<&str>> = csv.lines().map(|l| l.split(';').collect()).collect();
    assert_eq!(lines.len(), 34, "{csv}");
    let header = &lines[0];
    assert_eq!(header.len(), 17 + 29, "{header:?}");
    for seed in [1, 2, 3] {
        let input = generated.join(format!("dossier-{seed}.toml"));
        let check = run(&["check", input.to_str().unwrap(), "--format", "json"]);
        let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
        let row = lines.iter().find(|l| l[0] == input.to_str().unwrap()).expect("its row");
        let complete = report["resume"]["complet"].as_u64().unwrap().to_string();
        assert_eq!(row[4], complete, "complete entries of dossier {seed}");
        for entry in report["items"].as_array().unwrap() {
            let number = entry["numero"].as_str().unwrap();
            let Some(column) = header.iter().position(|h| *h == format!("Item {number}")) else {
                continue; // a sub-item: folded into its item
            };
            if entry["statut"] == "manquant" {
                assert_eq!(row[column], "manquant", "item {number} of dossier {seed}");
            }
            if row[column] == "complet" {
                assert_eq!(entry["statut"], "complet", "item {number} of dossier {seed}");
            }
        }
    }
}

#[test]
fn the_overview_csv_shows_names_a_spreadsheet_would_take_for_formulas_as_text() {
    let dir = scratch("batch-formules");
    let names = ["=HYPERLINK(\"http://x\",\"y\")", "+1", "@SUM(A1)"];
    let text = std::fs::read_to_string(root().join("data/projet/dossier.toml")).unwrap();
    for (i, name) in names.iter().enumerate() {
        let folder = dir.join(format!("d{i}"));
        std::fs::create_dir_all(&folder).unwrap();
        let text = text
            .replace("nom = \"Cité des métiers du Val-de-Lys\"", &format!("nom = '{name}'"))
            .replace("territoire = \"Zone d'emploi", "territoire = \"-Zone d'emploi");
        std::fs::write(folder.join("dossier.toml"), text).unwrap();
    }
    let csv = dir.join("synthese.csv");
    let out = dir.join("pdf");
    let output = run(&[
        "batch",
        dir.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--overview-csv",
        csv.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    // Read back as a spreadsheet import would, with Python's csv module: every text cell that
    // would start a formula starts with a quote; the figures stay figures.
    let script = r#"
import csv, json, sys
rows = csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline=""), delimiter=";")
print(json.dumps([[r["Cité"], r["Territoire"], r["Pages"], r["Partenaires engagés"]] for r in rows]))
"#;
    let python = std::process::Command::new("python3")
        .args(["-c", script, csv.to_str().unwrap()])
        .output()
        .expect("python3 runs");
    assert!(python.status.success(), "{}", String::from_utf8_lossy(&python.stderr));
    let rows: Vec<[String; 4]> = serde_json::from_slice(&python.stdout).unwrap();
    let mut cites: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    cites.sort();
    let mut expected: Vec<String> = names.iter().map(|n| format!("'{n}")).collect();
    expected.sort();
    assert_eq!(cites, expected);
    for [_, territory, pages, partners] in &rows {
        assert!(territory.starts_with("'-Zone d'emploi"), "{territory}");
        assert!(pages.parse::<u32>().is_ok_and(|n| n > 0), "pages stay a number: {pages}");
        assert!(partners.parse::<u32>().is_ok(), "partners stay a number: {partners}");
    }
}

#[test]
fn dossiers_of_one_cite_and_label_are_told_apart_by_territory_then_by_a_stable_suffix_never_a_number()
 {
    let dir = scratch("batch-homonymes");
    for folder in ["a", "b", "c"] {
        copy_dossier(
            "data/projet/dossier.toml",
            &dir.join(folder),
            "Cité des métiers du Val-de-Lys",
        );
    }
    let b = dir.join("b/dossier.toml");
    let text = std::fs::read_to_string(&b).unwrap();
    let text =
        text.replace("territoire = \"Zone d'emploi de Lysmont", "territoire = \"Pays de Brière");
    std::fs::write(&b, text).unwrap();
    let names = |out: &Path| {
        let output = run(&["batch", dir.to_str().unwrap(), "-o", out.to_str().unwrap(), "-q"]);
        assert!(output.status.success(), "{}", stderr(&output));
        let mut names: Vec<String> = std::fs::read_dir(out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let first = names(&dir.join("pdf"));
    assert_eq!(first.len(), 3, "{first:?}");
    assert!(
        first.contains(
            &"cite-des-metiers-du-val-de-lys-pays-de-briere-42-communes-184-900-projet.pdf".into()
        ),
        "{first:?}"
    );
    let suffixed: Vec<&String> = first
        .iter()
        .filter(|n| {
            n.strip_prefix("cite-des-metiers-du-val-de-lys-projet-")
                .and_then(|rest| rest.strip_suffix(".pdf"))
                .is_some_and(|h| h.len() == 6 && h.chars().all(|c| c.is_ascii_hexdigit()))
        })
        .collect();
    assert_eq!(suffixed.len(), 2, "a and c share their territory: {first:?}");
    assert_eq!(names(&dir.join("pdf-encore")), first, "the names are the same from run to run");
}

#[test]
fn batch_into_a_file_instead_of_a_folder_is_explained_in_french() {
    let dir = scratch("batch-sortie-fichier");
    let file = dir.join("pdf");
    std::fs::write(&file, "un fichier").unwrap();
    let input = root().join("data/projet/dossier.toml");
    let output = run(&["batch", input.to_str().unwrap(), "-o", file.to_str().unwrap(), "-q"]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(message.contains("existe et n'est pas un dossier"), "{message}");
    assert!(!message.contains("os error"), "{message}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "un fichier");
}
