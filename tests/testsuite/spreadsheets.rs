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
    // The accepted titles in the order of the model (and of the PDF's columns).
    assert!(messages.contains("titres possibles : poste (Poste), montant"), "{messages}");
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

/// The rows of every sheet of a workbook, as calamine reads them.
fn sheets_of(path: &Path) -> Vec<(String, Vec<Vec<calamine::Data>>)> {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(path).unwrap();
    let names = book.sheet_names();
    names
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            (name, range.rows().map(<[calamine::Data]>::to_vec).collect())
        })
        .collect()
}

/// The texts of the header row of a sheet.
fn header_of(rows: &[Vec<calamine::Data>]) -> Vec<String> {
    rows[0].iter().map(ToString::to_string).collect()
}

#[test]
fn the_starter_workbook_has_the_pdf_titles_and_drop_down_lists_of_labels() {
    let dir = scratch("init-workbook");
    let output = run(&["init", dir.to_str().unwrap(), "--label", "fonctionnement"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let workbook = dir.join("tableaux.xlsx");
    let sheets = sheets_of(&workbook);
    let sheet = |name: &str| {
        &sheets.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no sheet {name}")).1
    };
    assert_eq!(
        header_of(sheet("Partenaires")),
        ["Partenaire", "Catégorie", "Apport", "Engagement", "Rôles", "Statut"]
    );
    assert_eq!(header_of(sheet("Partenaires")).len(), sheet("Partenaires")[1].len());
    assert_eq!(header_of(sheet("Fonctionnement charges")), ["Poste", "Montant"]);
    assert_eq!(
        header_of(sheet("Sites")),
        [
            "Site",
            "Commune",
            "Distance",
            "État",
            "Latitude",
            "Longitude",
            "Services",
            "Temps",
            "Type"
        ]
    );
    // One example row, marked in its first cell, typed: a number stays a number, a date a date.
    assert_eq!(
        sheet("Partenaires")[1][0],
        calamine::Data::String("Exemple : France Travail".into())
    );
    assert_eq!(sheet("Fonctionnement charges")[1][1], calamine::Data::Float(318_500.0));
    assert!(
        matches!(sheet("Soutiens")[1][1], calamine::Data::DateTime(_)),
        "{:?}",
        sheet("Soutiens")
    );
    // The dossier points at each sheet.
    let dossier = std::fs::read_to_string(dir.join("dossier.toml")).unwrap();
    for (name, _) in &sheets {
        let reference = format!("{{ fichier = \"tableaux.xlsx\", feuille = \"{name}\" }}");
        assert!(dossier.contains(&reference), "{reference} not in the dossier");
    }
    assert!(dossier.contains("\n# liste = { fichier = \"exemples-csv/partenaires.csv\" }"));
    // Drop-down lists offer the labels the PDF prints, from the second row down; notes say what
    // goes in each column.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&workbook).unwrap()).unwrap();
    let mut sheet_xml = String::new();
    let mut notes = String::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        let name = file.name().unwrap().to_string();
        let text = &mut String::new();
        std::io::Read::read_to_string(&mut file, text).unwrap();
        if name.starts_with("xl/worksheets/sheet") {
            sheet_xml.push_str(text);
        } else if name.starts_with("xl/comments") {
            notes.push_str(text);
        }
    }
    for list in [
        "\"Site principal,Centre associé,Point relais\"",
        "\"Numéraire,Valorisation\"",
        "\"Lundi,Mardi,Mercredi,Jeudi,Vendredi,Samedi,Dimanche\"",
        "\"Financeur,Services,Ressources\"",
        "\"oui,non\"",
    ] {
        let at = sheet_xml.find(&format!("<formula1>{list}</formula1>"));
        let at = at.unwrap_or_else(|| panic!("no drop-down list {list}"));
        let validation = &sheet_xml[sheet_xml[..at].rfind("<dataValidation ").unwrap()..at];
        assert!(validation.contains("type=\"list\""), "{validation}");
        assert!(validation.contains("2:") && validation.contains("1001\""), "{validation}");
    }
    assert!(notes.contains("Nom du partenaire (repris tel quel ailleurs dans le dossier)."));
    assert!(notes.contains("Type de site."));
    // Never written over.
    std::fs::write(&workbook, b"mine").unwrap();
    std::fs::remove_file(dir.join("dossier.toml")).unwrap();
    let again = run(&["init", dir.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("tableaux.xlsx existe déjà"), "{}", stderr(&again));
    assert_eq!(std::fs::read(&workbook).unwrap(), b"mine");
}

/// Writes `sheets` as an .xlsx workbook, numbers as numbers and dates as dates.
fn write_workbook(path: &Path, sheets: &[(String, Vec<Vec<calamine::Data>>)]) {
    use calamine::Data;
    let mut book = rust_xlsxwriter::Workbook::new();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    for (name, rows) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    Data::Empty => continue,
                    Data::Float(f) => sheet.write_number(r, c, *f),
                    Data::Int(i) => sheet.write_number(r, c, *i as f64),
                    Data::Bool(b) => sheet.write_boolean(r, c, *b),
                    Data::DateTime(d) => sheet.write_number_with_format(r, c, d.as_f64(), &date),
                    other => sheet.write_string(r, c, other.to_string()),
                }
                .unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

#[test]
fn a_dossier_started_with_init_renders_once_its_workbook_is_filled_in() {
    use calamine::Data;
    let dir = scratch("init-filled");
    let output =
        run(&["init", dir.to_str().unwrap(), "--label", "projet", "--cite", "Cité du Val"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let workbook = dir.join("tableaux.xlsx");
    let mut sheets = sheets_of(&workbook);
    let text = |s: &str| Data::String(s.into());
    // The example row is left above the rows typed in: it is not read.
    let rows = |content: &[Vec<Data>], rows: Vec<Vec<Data>>| {
        let mut all = content[..2].to_vec();
        all.extend(rows);
        all
    };
    for (name, content) in &mut sheets {
        // The columns as init wrote them; rows typed as a user would, picking from the lists.
        let filled = match name.as_str() {
            "Partenaires" => vec![
                vec![
                    text("Mission locale du Val"),
                    text("Insertion"),
                    text("Conseillers"),
                    text("Convention 2026"),
                    text("Financeur, Services"),
                    text("Signé"),
                ],
                vec![
                    text("Région Auvergne"),
                    text("Collectivité"),
                    text("Subvention"),
                    text("Délibération"),
                    text("Financeur"),
                    Data::Empty,
                ],
            ],
            "Fonctionnement charges" => vec![
                vec![text("Loyer du local"), Data::Float(18_000.0)],
                vec![text("Animation"), Data::Float(42_000.0)],
                vec![text("TOTAL"), Data::Float(60_000.0)],
            ],
            "Fonctionnement financements" => vec![
                vec![
                    text("Région Auvergne"),
                    text("non"),
                    Data::Float(40_000.0),
                    text("Numéraire"),
                    text("non"),
                ],
                vec![
                    text("Mission locale du Val"),
                    text("non"),
                    Data::Float(20_000.0),
                    text("Valorisation"),
                    Data::Empty,
                ],
            ],
            "Sites" => vec![
                vec![
                    text("Maison de l'emploi du Val"),
                    text("Valmont"),
                    Data::Empty,
                    text("Ouvert"),
                    Data::Empty,
                    Data::Empty,
                    text("Accueil"),
                    Data::Empty,
                    text("Site principal"),
                ],
                vec![
                    text("Permanence en mairie"),
                    text("Saint-Roch"),
                    Data::Float(14.0),
                    text("Prévu"),
                    Data::Empty,
                    Data::Empty,
                    text("Entretiens"),
                    Data::Float(18.0),
                    text("Point relais"),
                ],
            ],
            _ => continue,
        };
        assert_eq!(filled[0].len(), content[0].len(), "{name}: {:?}", header_of(content));
        *content = rows(content, filled);
    }
    std::fs::remove_file(&workbook).unwrap();
    write_workbook(&workbook, &sheets);
    // The label as the cover prints it is accepted in the TOML too.
    let dossier = dir.join("dossier.toml");
    let source = std::fs::read_to_string(&dossier).unwrap();
    std::fs::write(&dossier, source.replacen("label = \"projet\"", "label = \"Label projet\"", 1))
        .unwrap();
    let pdf = dir.join("cite.pdf");
    let output = run(&[dossier.to_str().unwrap(), "-o", pdf.to_str().unwrap()]);
    let messages = stderr(&output);
    assert!(output.status.success(), "{messages}");
    assert!(!messages.contains("erreur"), "{messages}");
    let text = normalize(&pdf_text(&pdf));
    for row in [
        "Mission locale du Val",
        "Région Auvergne",
        "Loyer du local",
        "Maison de l'emploi du Val",
        "Permanence en mairie",
        "Point relais, prévu",
        "Label projet",
    ] {
        assert!(text.contains(row), "{row:?} not in the PDF");
    }
    assert!(!text.contains("TOTAL"), "the total row is not a budget line");
    assert!(
        !text.contains("Exemple") && !text.contains("France Travail"),
        "an example row is read"
    );
}
