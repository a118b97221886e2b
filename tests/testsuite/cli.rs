//! The command line as a user meets it: defaults, help, errors, and output files.

use crate::support::{render, root, run, scratch, stderr};

#[test]
fn output_defaults_to_the_dossier_name_with_pdf_extension() {
    let dir = scratch("default-output");
    let input = dir.join("ma-cite.toml");
    std::fs::copy(root().join("data/projet/dossier.toml"), &input).unwrap();
    let output = run(&[input.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let pdf = std::fs::read(dir.join("ma-cite.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
}

#[test]
fn help_is_in_french() {
    let output = run(&["--help"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    for expected in ["Utilisation :", "Options", "Fichier TOML du dossier", "Affiche cette aide"] {
        assert!(text.contains(expected), "{expected:?} not in help:\n{text}");
    }
    assert!(
        !text.contains("Usage:") && !text.contains("Print help"),
        "English left in help:\n{text}"
    );
}

#[test]
fn a_failed_render_leaves_the_previous_pdf_untouched() {
    let dir = scratch("keep-previous");
    let out = dir.join("dossier.pdf");
    std::fs::write(&out, b"previous version").unwrap();
    let input = root().join("tests/fixtures/syntax-error/dossier.toml");
    let output = run(&[input.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(std::fs::read(&out).unwrap(), b"previous version");
    let leftovers: Vec<_> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "temporary files left behind: {leftovers:?}");
}

/// Renders the projet example with a folder of template overrides; returns the run and the PDF.
fn render_with_templates(
    name: &str,
    files: &[(&str, &str)],
) -> (std::process::Output, std::path::PathBuf) {
    let dir = scratch(name);
    let templates = dir.join("modeles");
    std::fs::create_dir_all(&templates).unwrap();
    for (file, text) in files {
        std::fs::write(templates.join(file), text).unwrap();
    }
    let input = root().join("data/projet/dossier.toml");
    let out = dir.join("out.pdf");
    let args = [
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--templates",
        templates.to_str().unwrap(),
    ];
    (run(&args), out)
}

#[test]
fn typst_errors_are_located_and_never_a_panic() {
    let broken = "#import \"/lib.typ\": *\n\n#fonction-inconnue()\n";
    let (output, out) = render_with_templates("typst-error", &[("chapitre-2.typ", broken)]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(message.contains("chapitres/2.typ:3:1"), "no location in:\n{message}");
    assert!(message.contains("fonction-inconnue"), "{message}");
    assert!(!message.contains("panicked"), "{message}");
    assert!(!out.exists());
}

#[test]
fn template_overrides_replace_builtins_file_by_file() {
    let chapter = "#import \"/lib.typ\": *\n= Offre revue par le réseau {{ d.cite.nom }}\n";
    let (output, out) = render_with_templates(
        "override",
        &[("chapitre-3.typ", chapter), ("chapitre3.typ", "typo")],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("chapitre3.typ ne correspond à aucun modèle"));
    let text = crate::support::pdf_text(&out);
    assert!(text.contains("Offre revue par le réseau Cité des métiers du Val-de-Lys"));
    assert!(text.contains("2.1 Sensibilisation des partenaires"), "other chapters stay built-in");
}

#[test]
fn emitted_typst_sources_are_complete() {
    let dir = scratch("emit");
    let out = dir.join("out.pdf");
    let emit = dir.join("typst");
    let input = root().join("data/fonctionnement/dossier.toml");
    crate::support::render_emitting(&input, &out, &emit);
    for file in [
        "main.typ",
        "lib.typ",
        "couverture.typ",
        "chapitres/1.typ",
        "chapitres/8.typ",
        "fonts/NotoSerif-Regular.ttf",
        "pieces/dossier.toml",
        "graphiques/carte.svg",
    ] {
        assert!(emit.join(file).is_file(), "{file} not emitted");
    }
    let main = std::fs::read_to_string(emit.join("main.typ")).unwrap();
    assert!(main.contains("#include \"/chapitres/8.typ\""));
}

#[test]
fn rendering_twice_gives_the_same_pdf() {
    let dir = scratch("reproducible");
    let input = root().join("data/prefiguration/dossier.toml");
    let (a, b) = (dir.join("a.pdf"), dir.join("b.pdf"));
    render(&input, &a);
    render(&input, &b);
    assert!(std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap(), "PDFs differ");
}

#[test]
fn examples_pass_check_at_their_phase() {
    for phase in ["projet", "prefiguration", "fonctionnement"] {
        let input = root().join(format!("data/{phase}/dossier.toml"));
        let output = run(&["check", input.to_str().unwrap()]);
        let text = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(0), "{phase}:\n{text}{}", stderr(&output));
        assert!(text.contains("items requis sont complets"), "{text}");
    }
}

#[test]
fn check_lists_missing_items_and_its_json_is_stable() {
    let fixture = root().join("tests/fixtures/check-incomplete");
    let input = fixture.join("dossier.toml");
    let human = run(&["check", input.to_str().unwrap()]);
    assert_eq!(human.status.code(), Some(1));
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("✗ 1.2 Le contexte local — manquant"), "{text}");
    assert!(text.contains("~ 2.2 Concertation des partenaires — à compléter"), "{text}");
    assert!(text.contains("donnée manquante : partenariat.concertation.instances"), "{text}");
    let json = run(&["check", input.to_str().unwrap(), "--format", "json"]);
    assert_eq!(json.status.code(), Some(1));
    let actual = String::from_utf8_lossy(&json.stdout).replace(input.to_str().unwrap(), "DOSSIER");
    let expected = std::fs::read_to_string(fixture.join("expected/check.json")).unwrap();
    assert_eq!(
        actual.trim(),
        expected.trim(),
        "the JSON report changed: update the README and expected/check.json together"
    );
}

#[test]
fn check_of_invalid_data_exits_with_2() {
    let input = root().join("tests/fixtures/unknown-key/dossier.toml");
    let output = run(&["check", input.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("clé inconnue `rolles`"));
}

#[test]
fn rendering_prints_a_one_line_completeness_summary() {
    let out = scratch("summary").join("s.pdf");
    let input = root().join("tests/fixtures/check-incomplete/dossier.toml");
    let output = run(&[input.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(output.status.success());
    assert!(
        stderr(&output).contains(
            "complétude (Label projet) : 2 complets, 1 à compléter, 17 manquants sur 20 items"
        ),
        "{}",
        stderr(&output)
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_leading_outside_the_dossier_folder_is_refused() {
    let dir = scratch("symlink");
    let outside = scratch("symlink-outside").join("secret.png");
    std::fs::copy(root().join("data/fonctionnement/annexes/plan-halle.png"), &outside).unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("plan.png")).unwrap();
    let toml = "[cite]\nnom = \"X\"\nlabel = \"projet\"\ndate = 2026-01-01\n[[annexes]]\ntitre = \"Plan\"\nfichier = \"plan.png\"\ndescription = \"Plan\"\n";
    std::fs::write(dir.join("d.toml"), toml).unwrap();
    let output = run(&[dir.join("d.toml").to_str().unwrap(), "--pdf-standard", "aucune"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("il mène hors du dossier"), "{}", stderr(&output));
    assert!(!dir.join("d.pdf").exists());
}

#[test]
fn command_line_mistakes_are_explained_in_french() {
    let output = run(&["--sortie", "x.pdf"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("erreur : argument inconnu « --sortie »"),
        "{}",
        stderr(&output)
    );
    let output = run(&["plan", "--label", "fonction"]);
    assert!(
        stderr(&output).contains("valeur invalide « fonction » pour --label"),
        "{}",
        stderr(&output)
    );
    let output = run(&["chekc"]);
    assert!(
        stderr(&output).contains("vouliez-vous dire la commande « check » ?"),
        "{}",
        stderr(&output)
    );
    for english in ["error:", "Usage:", "For more information"] {
        assert!(!stderr(&output).contains(english));
    }
}

#[test]
fn init_writes_a_starter_that_parses_and_that_check_reports_as_to_fill() {
    for (label, items) in [("projet", 20), ("prefiguration", 25), ("fonctionnement", 29)] {
        let dir = scratch(&format!("init-{label}"));
        let output =
            run(&["init", dir.to_str().unwrap(), "--label", label, "--cite", "Cité d'essai"]);
        assert!(output.status.success(), "{}", stderr(&output));
        let text = std::fs::read_to_string(dir.join("dossier.toml")).unwrap();
        assert!(text.starts_with("#:schema ./cdm-render.schema.json"));
        assert!(text.contains("# ─── 1.1 Le porteur de projet technique et politique"), "{text}");
        assert_eq!(
            text.contains("# ─── 8.4 Rapport d'activité de la CDM"),
            label == "fonctionnement"
        );
        assert!(dir.join("cdm-render.schema.json").is_file());
        let check = run(&["check", dir.join("dossier.toml").to_str().unwrap(), "--format", "json"]);
        assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
        let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
        assert_eq!(report["resume"]["items"], items);
        // The example rows of the starter workbook are not data.
        assert_eq!(report["resume"]["manquant"], items, "everything is left to fill");
        // The example CSV files fit the sections they are offered for, in place of the sheets.
        let with_csv = text
            .replace(
                "\nliste = { fichier = \"tableaux.xlsx\", feuille = \"Partenaires\" }",
                "\n# liste = { fichier = \"tableaux.xlsx\", feuille = \"Partenaires\" }",
            )
            .replace(
                "\ncharges = { fichier = \"tableaux.xlsx\", feuille = \"Fonctionnement charges\" }",
                "\n# charges = { fichier = \"tableaux.xlsx\", feuille = \"Fonctionnement charges\" }",
            )
            .replace(
                "# liste = { fichier = \"exemples-csv/partenaires.csv\" }",
                "liste = { fichier = \"exemples-csv/partenaires.csv\" }",
            )
            .replace(
                "# charges = { fichier = \"exemples-csv/charges.csv\" }",
                "charges = { fichier = \"exemples-csv/charges.csv\" }",
            );
        assert_ne!(with_csv, text, "the starter offers the example CSV files");
        let csv_dossier = dir.join("avec-csv.toml");
        std::fs::write(&csv_dossier, with_csv).unwrap();
        let check = run(&["check", csv_dossier.to_str().unwrap(), "--format", "json"]);
        assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
        let again = run(&["init", dir.to_str().unwrap()]);
        assert!(!again.status.success(), "init must refuse to overwrite");
        assert!(stderr(&again).contains("existe déjà"));
        assert_eq!(std::fs::read_to_string(dir.join("dossier.toml")).unwrap(), text);
    }
}

#[test]
fn diff_lists_the_evolutions_between_two_phases() {
    let old = root().join("data/projet/dossier.toml");
    let new = root().join("data/prefiguration/dossier.toml");
    let output = run(&["diff", old.to_str().unwrap(), new.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = crate::support::normalize(&String::from_utf8_lossy(&output.stdout));
    for row in [
        "Label : Label projet → Label préfiguration",
        "Partenaires : 4 partenaires → 14 partenaires (arrivée : Apec,",
        "départ : Pôle emploi)",
        "Horaires : 0 h par semaine → 32 h par semaine",
        "Surface : non précisée → 620 m²",
        "Budget de fonctionnement : 0 € → 548 000 €",
    ] {
        assert!(text.contains(row), "{row:?} not in:\n{text}");
    }
}

#[test]
fn output_piped_into_a_command_that_stops_reading_is_not_a_panic() {
    use std::io::Read;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cdm-render"))
        .arg("schema")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(output.status.code(), Some(101), "not a panic exit");
}

/// Temporary files of the output folder (`.cdm-render-<pid>-….tmp`).
fn temporaries(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(".cdm-render-") && n.ends_with(".tmp"))
        .collect()
}

#[test]
fn renders_killed_at_random_times_leave_no_temporary_file_after_the_next_run() {
    let dir = scratch("kill-loop");
    let input = root().join("data/fonctionnement/dossier.toml");
    let out = dir.join("dossier.pdf");
    let args = [input.to_str().unwrap(), "-o", out.to_str().unwrap(), "-q"];
    // A temporary file of a process that is gone, and one of a process that still runs.
    let gone = std::process::Command::new("true").spawn().unwrap();
    let gone_pid = gone.id();
    let mut gone = gone;
    gone.wait().unwrap();
    let mut alive = std::process::Command::new("sleep").arg("30").spawn().unwrap();
    std::fs::write(dir.join(format!(".cdm-render-{gone_pid}-abc.tmp")), b"x").unwrap();
    std::fs::write(dir.join(format!(".cdm-render-{}-def.tmp", alive.id())), b"x").unwrap();
    let (mut seed, mut left_behind) = (0x2545_F491_4F6C_DD1Du64, std::collections::BTreeSet::new());
    for _ in 0..50 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cdm-render"))
            .args(args)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(seed % 400));
        let _ = child.kill();
        let _ = child.wait();
        left_behind.extend(
            temporaries(&dir).into_iter().filter(|n| !n.contains("-abc.") && !n.contains("-def.")),
        );
    }
    eprintln!("kill loop: 50 kills left {} temporary files behind", left_behind.len());
    let output = run(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let remaining = temporaries(&dir);
    assert_eq!(
        remaining,
        [format!(".cdm-render-{}-def.tmp", alive.id())],
        "only the file of the running process stays ({} left by killed runs)",
        left_behind.len()
    );
    let _ = alive.kill();
    let _ = alive.wait();
    assert!(std::fs::read(&out).unwrap().starts_with(b"%PDF-"), "the last run wrote a whole PDF");
}

#[test]
fn init_follows_the_outline_with_each_table_under_its_item_and_distinct_csv_names() {
    let outline = cdm_render::model::outline::Outline::get();
    for label in ["projet", "prefiguration", "fonctionnement"] {
        let dir = scratch(&format!("init-order-{label}"));
        let output = run(&["init", dir.to_str().unwrap(), "--label", label]);
        assert!(output.status.success(), "{}", stderr(&output));
        let text = std::fs::read_to_string(dir.join("dossier.toml")).unwrap();
        // Banners in outline order, each item once.
        let banners: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# ─── "))
            .filter_map(|l| l.split_whitespace().next())
            .filter(|n| n.chars().next().is_some_and(|c| c.is_ascii_digit()))
            .collect();
        let order: Vec<&str> = outline
            .items
            .iter()
            .filter(|i| {
                i.depth() > 1 && outline.applies(i, cdm_render::cli::parse_phase(label).unwrap())
            })
            .map(|i| i.number.as_str())
            .collect();
        assert_eq!(banners, order, "{label}: sections out of outline order");
        // Each table header and each list comes after the banner of the item that shows it.
        let mut current = String::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# ─── ") {
                current = rest.split_whitespace().next().unwrap_or_default().to_string();
                continue;
            }
            let header = line.trim_start_matches("# ");
            let Some(path) = header.strip_prefix("[[").or(header.strip_prefix('[')) else {
                continue;
            };
            let path = path.trim_end_matches(']');
            if let Some(owner) =
                outline.items.iter().rev().find(|i| i.data.iter().any(|d| d == path))
            {
                assert_eq!(
                    owner.number, current,
                    "{label}: [{path}] is not under {}",
                    owner.number
                );
            }
        }
        // Distinct CSV file names and sheets, one per list.
        let names: Vec<&str> = text
            .lines()
            .filter_map(|l| l.split("fichier = \"").nth(1)?.split('"').next())
            .filter(|name| name.ends_with(".csv"))
            .collect();
        let sheets: std::collections::BTreeSet<&str> = text
            .lines()
            .filter_map(|l| l.split("feuille = \"").nth(1)?.split('"').next())
            .collect();
        assert_eq!(sheets.len(), names.len(), "{label}: one sheet per list: {sheets:?}");
        let unique: std::collections::BTreeSet<&&str> = names.iter().collect();
        assert!(names.len() > 15, "{names:?}");
        assert_eq!(unique.len(), names.len(), "{label}: a CSV name is offered twice: {names:?}");
        // Every closed list shows its allowed values.
        for needle in [
            "# roles = [\"financeur\"]   # parmi : financeur, services, ressources",
            "numeraire, valorisation",
        ] {
            assert!(
                text.contains(needle) || label == "projet" && needle.contains("roles"),
                "{label}: {needle}"
            );
        }
        for optional in ["# precedent = ", "# [[cite.contacts]]", "# [apparence]", "# [[annexes]]"]
        {
            assert!(text.contains(optional), "{label}: no example of {optional}");
        }
    }
}

#[test]
fn check_reports_data_errors_without_speaking_of_a_pdf_it_never_writes() {
    let input = root().join("tests/fixtures/many-errors/dossier.toml");
    let output = run(&["check", input.to_str().unwrap()]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(message.contains("4 erreurs dans le dossier"), "{message}");
    assert!(!message.contains("PDF"), "{message}");
}

#[test]
fn extract_gives_back_the_schema_the_starter_names_on_its_first_line() {
    let dir = scratch("extract-schema");
    let made = run(&["init", dir.join("depart").to_str().unwrap()]);
    assert!(made.status.success(), "{}", stderr(&made));
    let input = dir.join("depart/dossier.toml");
    let pdf = dir.join("depart.pdf");
    render(&input, &pdf);
    let out = dir.join("extrait");
    let output = run(&["extract", pdf.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let toml = std::fs::read_to_string(out.join("dossier.toml")).unwrap();
    assert!(toml.starts_with("#:schema ./cdm-render.schema.json"));
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("cdm-render.schema.json")).unwrap())
            .unwrap();
    assert_eq!(schema["required"], serde_json::json!(["cite"]));
}
