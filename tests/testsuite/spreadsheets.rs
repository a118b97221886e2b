//! Tables as people keep them: CSV files exactly as French Excel saves them, headers in their
//! own words, total rows, and every problem placed as the spreadsheet shows it.

use std::path::{Path, PathBuf};

use crate::support::{normalize, pdf_text, render, root, run, scratch, stderr};

/// The example « projet » dossier with its budget and its sites given as table files.
fn dossier_with_tables(dir: &Path, tables: &[(&str, &str)]) -> PathBuf {
    let refs: Vec<(&str, String)> = tables
        .iter()
        .map(|(section, file)| (*section, format!("{{ fichier = \"{file}\" }}")))
        .collect();
    dossier_with(dir, &refs)
}

/// The example « projet » dossier with sections given as `section = value` (budget tables and
/// `sites`).
fn dossier_with(dir: &Path, tables: &[(&str, String)]) -> PathBuf {
    let source = std::fs::read_to_string(root().join("data/projet/dossier.toml")).unwrap();
    let mut budget = String::new();
    let mut source = source;
    for (section, value) in tables {
        if *section == "sites" {
            source = source.replacen(
                "[implantation.equite]\n",
                &format!("[implantation.equite]\nsites = {value}\n"),
                1,
            );
        } else {
            budget.push_str(&format!("{section} = {value}\n"));
        }
    }
    let marker = "[budget.investissement]";
    let source = source.replacen(marker, &format!("{budget}\n{marker}"), 1);
    let path = dir.join("dossier.toml");
    std::fs::write(&path, source).unwrap();
    path
}

/// Windows-1252 bytes of a text (what French Excel writes): every character of these tests
/// is in the code page.
fn cp1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '€' => 0x80,
            c if (c as u32) < 0x100 => c as u8,
            c => panic!("{c:?} is not in Windows-1252"),
        })
        .collect()
}

/// Runs `check` on a dossier; returns its exit code and its normalised messages.
fn check(dossier: &Path) -> (Option<i32>, String) {
    let output = run(&["check", dossier.to_str().unwrap()]);
    (output.status.code(), normalize(&stderr(&output)))
}

const CLEAN_CHARGES: &str = "poste;montant\nLoyer;12000.5\nPersonnel;300000\n";
const CLEAN_FUNDING: &str = "partenaire;montant;nature;hors_partenariat\n\
    Région;162000.25;numeraire;non\nFSE+;150000.25;numeraire;oui\n";
const CLEAN_SITES: &str = "nom;type;commune;distance_km;services\n\
    Halle aux grains;principal;Lysmont;;Accueil\nPermanence de l'est;point_relais;Saint-Éloi;12.5;\"Ateliers\nEntretiens\"\n";

/// The same tables as French Excel saves them with « CSV (séparateur : point-virgule) ».
const EXCEL_CHARGES: &str = "Poste de dépense;Montant (€);;\r\nLoyer;12\u{a0}000,50\u{a0}€;;\r\n\
    Personnel;300\u{a0}000 €;;\r\n;;;\r\nTOTAL;312\u{a0}000,50\u{a0}€;;\r\n";
const EXCEL_FUNDING: &str = "Financeur;Montant;Nature;Hors partenariat\r\n\
    Région;162 000,25 €;Numéraire;Non\r\nFSE+;150 000,25 €;Numéraire;Oui\r\n\
    Total général;312 000,50 €;;\r\n";
const EXCEL_SITES: &str = "Nom du site;Type;Commune;Distance (km);Services\r\n\
    Halle aux grains;Principal;Lysmont;;Accueil\r\n\
    Permanence de l'est;Point relais;Saint-Éloi;12,5;\"Ateliers\nEntretiens\"\r\n";

#[test]
fn csv_files_as_french_excel_writes_them_render_the_same_pdf_as_clean_utf8_ones() {
    let clean = scratch("excel-clean");
    let excel = scratch("excel-french");
    let tables =
        [("charges", "charges.csv"), ("financements", "financements.csv"), ("sites", "sites.csv")];
    for (dir, files) in [
        (&clean, [CLEAN_CHARGES, CLEAN_FUNDING, CLEAN_SITES].map(|t| t.as_bytes().to_vec())),
        (&excel, [EXCEL_CHARGES, EXCEL_FUNDING, EXCEL_SITES].map(cp1252)),
    ] {
        for ((_, name), bytes) in tables.iter().zip(files) {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }
    let clean_pdf = clean.join("d.pdf");
    let excel_pdf = excel.join("d.pdf");
    render(&dossier_with_tables(&clean, &tables), &clean_pdf);
    let output = run(&[
        dossier_with_tables(&excel, &tables).to_str().unwrap(),
        "-o",
        excel_pdf.to_str().unwrap(),
    ]);
    let messages = normalize(&stderr(&output));
    assert!(output.status.success(), "{messages}");
    // Said once per file, as a warning.
    assert_eq!(messages.matches("lu comme Windows-1252").count(), 3, "{messages}");
    assert!(messages.contains("charges.csv : le fichier n'est pas en UTF-8"), "{messages}");
    let (clean_text, excel_text) = (pdf_text(&clean_pdf), pdf_text(&excel_pdf));
    assert!(clean_text.contains("Saint-Éloi"), "{clean_text}");
    assert!(!excel_text.contains("TOTAL") && !excel_text.contains("Total général"));
    assert_eq!(clean_text, excel_text);
}

#[test]
fn an_error_after_crlf_lines_and_a_multi_line_cell_names_the_spreadsheet_row_and_column() {
    let dir = scratch("crlf-row");
    std::fs::write(
        dir.join("financements.csv"),
        "Financeur;Montant;Nature\r\nRégion;10 000;numeraire\r\n\"Pôle\nemploi\";5000;numeraire\r\n\
         \r\nInconnu;3000;numeraire\r\nMission locale du Val-de-Lys;beaucoup;numeraire\r\n",
    )
    .unwrap();
    let dossier = dossier_with_tables(&dir, &[("financements", "financements.csv")]);
    let (code, messages) = check(&dossier);
    assert_eq!(code, Some(2), "{messages}");
    assert!(
        messages.contains(
            "financements.csv, ligne 5, colonne A (Financeur) : partenaire inconnu « Inconnu »"
        ),
        "{messages}"
    );
    assert!(
        messages.contains(
            "financements.csv, ligne 6, colonne B (Montant) : « beaucoup » n'est pas un nombre"
        ),
        "{messages}"
    );
    assert!(messages.contains("écrivez un nombre dans la cellule : 12 500"), "{messages}");
    // Never TOML syntax in a table's hints.
    assert!(messages.contains("écrivez oui dans la colonne hors_partenariat"), "{messages}");
    assert!(!messages.contains("= true"), "{messages}");
    // One file's errors together, in row order.
    let row5 = messages.find("ligne 5").unwrap();
    let row6 = messages.find("ligne 6").unwrap();
    assert!(row5 < row6, "{messages}");
}

#[test]
fn a_total_row_is_checked_against_the_rows_above_and_never_counted() {
    let dir = scratch("total-row");
    std::fs::write(
        dir.join("charges.csv"),
        "Poste;Montant\nLoyer;12 000\nPersonnel;300 000\nTOTAL;323 000\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("financements.csv"),
        "Partenaire;Montant;Nature\nRégion;312 000;numeraire\nTOTAL;312 000;\n",
    )
    .unwrap();
    let dossier = dossier_with_tables(
        &dir,
        &[("charges", "charges.csv"), ("financements", "financements.csv")],
    );
    let (code, messages) = check(&dossier);
    assert_eq!(code, Some(2), "{messages}");
    assert!(
        messages.contains(
            "charges.csv, ligne 4, colonne B (Montant) : le total 323 000 ne correspond pas à la \
             somme des lignes au-dessus : 312 000"
        ),
        "{messages}"
    );
    assert!(!messages.contains("TOTAL »"), "the total row is read as a funder:\n{messages}");
    assert!(messages.contains("1 erreur"), "{messages}");
}

#[test]
fn headers_nobody_could_match_give_one_error_listing_the_accepted_titles() {
    let dir = scratch("unknown-header");
    std::fs::write(dir.join("charges.csv"), "Poste;Montant;Commentaire\nLoyer;1;a\nCom;2;b\n")
        .unwrap();
    let dossier = dossier_with_tables(&dir, &[("charges", "charges.csv")]);
    let (code, messages) = check(&dossier);
    assert_eq!(code, Some(2), "{messages}");
    assert!(
        messages.contains(
            "charges.csv, ligne 1, colonne C (Commentaire) : colonne inconnue « Commentaire »"
        ),
        "{messages}"
    );
    assert!(messages.contains("titres possibles : montant, poste"), "{messages}");
    assert!(messages.contains("1 erreur dans le dossier"), "{messages}");
}

/// Copies a workbook of tests/fixtures/classeur (made by LibreOffice from the .fods beside it).
fn workbook(name: &str, dir: &Path) {
    std::fs::copy(root().join("tests/fixtures/classeur").join(name), dir.join(name)).unwrap();
}

#[test]
fn the_same_tables_in_an_xlsx_and_an_ods_workbook_give_the_same_pdf_text_as_csv_files() {
    let clean = scratch("workbook-csv");
    for (name, text) in [
        ("charges.csv", CLEAN_CHARGES),
        ("financements.csv", CLEAN_FUNDING),
        ("sites.csv", CLEAN_SITES),
    ] {
        std::fs::write(clean.join(name), text).unwrap();
    }
    let tables =
        [("charges", "charges.csv"), ("financements", "financements.csv"), ("sites", "sites.csv")];
    let clean_pdf = clean.join("d.pdf");
    render(&dossier_with_tables(&clean, &tables), &clean_pdf);
    let expected = pdf_text(&clean_pdf);
    for file in ["tableaux.xlsx", "tableaux.ods"] {
        let dir = scratch("workbook");
        workbook(file, &dir);
        let sheet = |s: &str| format!("{{ fichier = \"{file}\", feuille = \"{s}\" }}");
        let dossier = dossier_with(
            &dir,
            &[
                ("charges", sheet("Charges")),
                ("financements", sheet("Financements")),
                ("sites", sheet("Sites")),
            ],
        );
        let pdf = dir.join("d.pdf");
        render(&dossier, &pdf);
        assert_eq!(pdf_text(&pdf), expected, "{file}");
        // The workbook is attached once, as the file it is.
        let list = std::process::Command::new("pdfdetach").arg("-list").arg(&pdf).output().unwrap();
        let list = String::from_utf8_lossy(&list.stdout);
        assert_eq!(list.matches(file).count(), 1, "{list}");
    }
}

#[test]
fn workbook_problems_are_placed_at_their_sheet_and_cell() {
    let dir = scratch("workbook-errors");
    workbook("erreurs.xlsx", &dir);
    workbook("formule-sans-valeur.xlsx", &dir);
    let dossier = dossier_with(
        &dir,
        &[
            ("charges", "{ fichier = \"erreurs.xlsx\", feuille = \"charges\" }".into()),
            ("financements", "{ fichier = \"erreurs.xlsx\", feuille = \"Budget\" }".into()),
            ("sites", "{ fichier = \"formule-sans-valeur.xlsx\", feuille = \"Sites\" }".into()),
        ],
    );
    let (code, messages) = check(&dossier);
    assert_eq!(code, Some(2), "{messages}");
    let expected = [
        "le classeur erreurs.xlsx n'a pas de feuille « Budget »",
        "feuilles du classeur : « Charges », « Sites »",
        "erreurs.xlsx › Charges › B3 (Montant) : la formule de cette cellule n'a pas de valeur (#DIV/0!)",
        "erreurs.xlsx › Charges › B4 (Montant) : « beaucoup » n'est pas un nombre",
        "erreurs.xlsx › Charges › A5 (Poste) : cette cellule contient une date (2026-12-15), la colonne attend un texte",
    ];
    let mut last = 0;
    for text in expected {
        let at =
            messages.find(text).unwrap_or_else(|| panic!("{text:?} missing from:\n{messages}"));
        assert!(at >= last, "{text:?} out of order:\n{messages}");
        last = at;
    }
}

#[test]
fn a_formula_the_spreadsheet_never_computed_is_an_error_at_its_cell() {
    let dir = scratch("workbook-formula");
    workbook("formule-sans-valeur.xlsx", &dir);
    let dossier = dossier_with(
        &dir,
        &[("charges", "{ fichier = \"formule-sans-valeur.xlsx\", feuille = \"Charges\" }".into())],
    );
    let (code, messages) = check(&dossier);
    assert_eq!(code, Some(2), "{messages}");
    assert!(
        messages.contains(
            "formule-sans-valeur.xlsx › Charges › B3 (Montant) : la formule de cette cellule n'a pas \
             de valeur (formule sans valeur calculée)"
        ),
        "{messages}"
    );
}
