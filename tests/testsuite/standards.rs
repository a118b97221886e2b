//! Submission-ready PDF: standards checked with real tools (qpdf, pdffonts, pdfinfo,
//! pdfdetach), attached data recovered by `extract`, annexes numbered, reproducible output.

use std::process::Command;

use crate::support::{pdf_pages, render, root, run, scratch, stderr};

fn tool(name: &str, args: &[&str]) -> String {
    let output = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} must be installed (poppler-utils, qpdf): {e}"));
    assert!(
        output.status.success(),
        "{name} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn render_example(phase: &str) -> std::path::PathBuf {
    let out = scratch(&format!("std-{phase}")).join(format!("{phase}.pdf"));
    render(&root().join(format!("data/{phase}/dossier.toml")), &out);
    out
}

#[test]
fn examples_conform_to_pdf_a_3a_and_pdf_ua_1_as_real_tools_see_them() {
    for phase in ["projet", "prefiguration", "fonctionnement"] {
        let pdf = render_example(phase);
        let p = pdf.to_str().unwrap();
        assert!(
            tool("qpdf", &["--check", p]).contains("No syntax or stream encoding errors"),
            "{phase}"
        );
        let fonts = tool("pdffonts", &[p]);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty(), "{phase}: no fonts");
        for row in rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            assert_eq!(cols[cols.len() - 5], "yes", "{phase}: font not embedded: {row}");
        }
        let xmp = tool("pdfinfo", &["-meta", p]);
        for declared in [
            "<pdfaid:part>3</pdfaid:part>",
            "<pdfaid:conformance>A</pdfaid:conformance>",
            "<pdfuaid:part>1</pdfuaid:part>",
            "<rdf:li>fr-FR</rdf:li>",
        ] {
            assert!(xmp.contains(declared), "{phase}: XMP lacks {declared}");
        }
        let attached = tool("pdfdetach", &["-list", p]);
        assert!(attached.contains("pieces/dossier.toml"), "{phase}: {attached}");
        assert!(tool("pdfinfo", &[p]).contains("Tagged:          yes"));
    }
}

#[test]
fn extract_gives_back_the_data_and_it_renders_the_same_pdf() {
    let pdf = render_example("fonctionnement");
    // Extracted next to the previous phase's dossier, which the example compares itself with.
    let work = scratch("extract");
    crate::support::copy_dir(&root().join("data/prefiguration"), &work.join("prefiguration"));
    let dir = work.join("fonctionnement");
    let output = run(&["extract", pdf.to_str().unwrap(), "-o", dir.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    for file in
        ["dossier.toml", "territoire.geojson", "annexes/convention.png", "annexes/plan-halle.png"]
    {
        let original = std::fs::read(root().join("data/fonctionnement").join(file)).unwrap();
        assert_eq!(std::fs::read(dir.join(file)).unwrap(), original, "{file} differs");
    }
    let again = dir.join("again.pdf");
    render(&dir.join("dossier.toml"), &again);
    assert!(
        std::fs::read(&again).unwrap() == std::fs::read(&pdf).unwrap(),
        "the re-rendered PDF differs"
    );
    let refused = run(&["extract", pdf.to_str().unwrap(), "-o", dir.to_str().unwrap()]);
    assert!(!refused.status.success(), "existing files must not be overwritten silently");
    assert!(stderr(&refused).contains("existe déjà"));
}

/// The byte range of the embedded dossier TOML's stream in a PDF.
fn toml_stream(pdf: &[u8]) -> std::ops::Range<usize> {
    let find = |needle: &[u8], from: usize| {
        pdf[from..].windows(needle.len()).position(|w| w == needle).map(|p| p + from).unwrap()
    };
    let dict = find(b"/Subtype/application#2Ftoml", 0);
    let start = find(b"stream\n", dict) + 7;
    start..find(b"endstream", start)
}

#[test]
fn extract_refuses_a_damaged_attachment_and_writes_nothing() {
    let pdf = std::fs::read(render_example("projet")).unwrap();
    let stream = toml_stream(&pdf);
    let work = scratch("extract-damaged");
    let flipped = {
        let mut bytes = pdf.clone();
        let middle = stream.start + stream.len() / 2;
        bytes[middle..middle + 8].iter_mut().for_each(|b| *b ^= 0xA5);
        bytes
    };
    let zeroed = {
        let mut bytes = pdf.clone();
        bytes[stream.end - 300..stream.end - 1].iter_mut().for_each(|b| *b = 0);
        bytes
    };
    for (name, bytes) in [("octets-inverses", flipped), ("fin-effacee", zeroed)] {
        let damaged = work.join(format!("{name}.pdf"));
        std::fs::write(&damaged, bytes).unwrap();
        let out = work.join(name);
        let output = run(&["extract", damaged.to_str().unwrap(), "-o", out.to_str().unwrap()]);
        let message = stderr(&output);
        assert!(!output.status.success(), "{name}: a damaged attachment was extracted");
        assert!(message.contains("dossier.toml") && message.contains("endommagé"), "{message}");
        assert!(
            !out.exists() || std::fs::read_dir(&out).unwrap().count() == 0,
            "{name}: files written"
        );
    }
}

#[test]
fn annexes_follow_chapter_8_with_their_own_entries_and_continuous_page_numbers() {
    let pdf = render_example("fonctionnement");
    let pages = pdf_pages(&pdf);
    let total = pages.iter().filter(|p| !p.trim().is_empty()).count();
    let sommaire = &pages[1];
    assert!(sommaire.contains("Annexe 1 – Convention multipartenariale 2025–2028"), "{sommaire}");
    assert!(sommaire.contains("Annexe 2 – Plan de la halle aux grains"));
    let last = pages.iter().rev().find(|p| !p.trim().is_empty()).unwrap();
    assert!(last.contains("Annexe 2 – Plan de la halle aux grains"), "{last}");
    assert!(last.contains(&format!("Page {total} / {total}")), "{last}");
    assert!(last.contains("Cité des métiers du Val-de-Lys Label fonctionnement"), "running header");
    let chapter4 = pages.iter().rev().find(|p| p.contains("4.5 La structure juridique")).unwrap();
    assert!(
        chapter4.contains("Voir l'annexe 1 (Convention multipartenariale 2025–2028)"),
        "{chapter4}"
    );
}

#[test]
fn source_date_epoch_sets_the_document_date() {
    let out = scratch("epoch").join("e.pdf");
    let input = root().join("data/projet/dossier.toml");
    let output = Command::new(env!("CARGO_BIN_EXE_cdm-render"))
        .args([input.to_str().unwrap(), "-o", out.to_str().unwrap()])
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    assert!(output.status.success());
    let info = tool("pdfinfo", &[out.to_str().unwrap()]);
    assert!(info.contains("CreationDate:    Tue Nov 14 00:00:00 2023"), "{info}");
}

#[test]
fn invalid_standard_combinations_are_refused_before_any_work() {
    let input = root().join("data/projet/dossier.toml");
    let output = run(&[input.to_str().unwrap(), "--pdf-standard", "a-3a,a-2b"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("combinaison de normes PDF impossible"),
        "{}",
        stderr(&output)
    );
    let output = run(&[input.to_str().unwrap(), "--pdf-standard", "a-9z"]);
    assert!(stderr(&output).contains("norme PDF inconnue « a-9z »"));
    // PDF/A-1 forbids transparency, which logos and scans often have: refused up front.
    let output = run(&[input.to_str().unwrap(), "--pdf-standard", "a-1b"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("la norme a-1b n'est pas proposée"), "{}", stderr(&output));
}

/// The titles of a PDF's bookmarks, depth first, read with qpdf.
fn bookmarks(pdf: &std::path::Path) -> Vec<String> {
    let output = std::process::Command::new("qpdf")
        .args(["--json", "--json-key=outlines"])
        .arg(pdf)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    fn walk(items: &serde_json::Value, out: &mut Vec<String>) {
        for item in items.as_array().into_iter().flatten() {
            out.push(item["title"].as_str().unwrap_or_default().to_string());
            walk(&item["kids"], out);
        }
    }
    let mut titles = Vec::new();
    walk(&json["outlines"], &mut titles);
    titles
}

#[test]
fn bookmarks_read_number_space_title_and_times_are_written_the_french_way() {
    let pdf = render_example("fonctionnement");
    let titles = bookmarks(&pdf);
    assert_eq!(
        titles[..4],
        [
            "Cité des métiers du Val-de-Lys",
            "Sommaire",
            "L'essentiel",
            "Plan du dossier et niveaux attendus"
        ],
        "the cover, the sommaire and « L'essentiel » have their bookmarks, first"
    );
    for expected in [
        "1. Définition et contexte du projet",
        "1.1 Le porteur de projet technique et politique",
        "1.2.3 Description du public CDM",
        "Annexe 1 – Convention multipartenariale 2025–2028",
    ] {
        assert!(titles.iter().any(|t| t == expected), "{expected:?} not in {titles:#?}");
    }
    let text = crate::support::pdf_text(&pdf);
    assert!(text.contains("9 h 30 – 12 h 30"), "opening hours in French notation");
    assert!(!text.contains("09:30"), "no clock notation left");
}

/// The lines of a PDF's text as pdftotext lays them out (physical layout).
fn layout_lines(pdf: &std::path::Path) -> Vec<String> {
    tool("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]).lines().map(String::from).collect()
}

#[test]
fn table_headers_and_numbers_are_never_hyphenated() {
    // The second territory has narrow numeric columns (distances, ETP) and long headers.
    let out = crate::support::scratch("hyphens").join("serre-vallee.pdf");
    render(
        &crate::support::root().join("tests/fixtures/territoire-serre-vallee/dossier.toml"),
        &out,
    );
    let fonctionnement = render_example("fonctionnement");
    for pdf in [&out, &fonctionnement] {
        let lines = layout_lines(pdf);
        let text = lines.join("\n");
        for header in ["Distance", "Partenaire", "Quantité", "Montant", "Temps"] {
            let head = &header[..3];
            assert!(
                !lines.iter().any(|l| l.split_whitespace().any(|w| w.starts_with(head)
                    && w.ends_with('-')
                    && header.starts_with(w.trim_end_matches('-')))),
                "header {header:?} hyphenated in {}",
                pdf.display()
            );
        }
        assert!(text.contains("Distance"), "the sites table header is whole");
        // Words broken at line ends: 101 in the fonctionnement example before the tables were
        // reworked; a handful may remain in running text. A commune's name on the map, set on
        // two lines at its own hyphen (« Saint-Hilaire- / de-Lys »), stands alone on its line
        // and is not counted.
        let broken = lines
            .iter()
            .filter(|l| {
                l.split_whitespace().count() > 1
                    && l.trim_end().ends_with('-')
                    && l.trim_end().chars().rev().nth(1).is_some_and(char::is_alphabetic)
            })
            .count();
        assert!(broken <= 10, "{broken} hyphenated line ends in {}", pdf.display());
        // A year is not repeated after a source that already names it ("QPV 2024, 2024").
        let words: Vec<&str> = text.split_whitespace().collect();
        for pair in words.windows(2) {
            let year = pair[0].trim_end_matches(',');
            assert!(
                !(pair[0].ends_with(',')
                    && year.len() == 4
                    && year.parse::<u32>().is_ok()
                    && pair[1].trim_end_matches([',', '.']) == year),
                "doubled year: {pair:?}"
            );
        }
        // A number never ends a line with a hyphen, nor is split between lines.
        for line in &lines {
            for word in line.split_whitespace() {
                let digits = word.trim_end_matches('-');
                assert!(
                    !(word.ends_with('-')
                        && !digits.is_empty()
                        && digits.chars().all(|c| c.is_ascii_digit())),
                    "number hyphenated: {line:?}"
                );
            }
        }
    }
}

#[test]
fn dates_raise_their_ordinal_and_captions_read_tableau_n_dash_title() {
    let pdf = render_example("fonctionnement");
    let text = crate::support::pdf_text(&pdf);
    assert!(text.contains("Tableau 1 – ") && !text.contains("Tableau 1. –"), "caption style");
    assert!(text.contains("Figure 1 – "), "figure caption style");
    // "1er décembre 2026": "er" is a word of its own, smaller than the "1" before it.
    let words: Vec<(String, f64)> = tool("pdftotext", &["-bbox", pdf.to_str().unwrap(), "-"])
        .lines()
        .filter(|l| l.trim_start().starts_with("<word"))
        .map(|l| {
            let attr = |name: &str| -> f64 {
                let start = l.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                l[start..start + l[start..].find('"').unwrap()].parse().unwrap()
            };
            let word = l[l.find('>').unwrap() + 1..l.rfind("</word>").unwrap()].to_string();
            (word, attr("yMax") - attr("yMin"))
        })
        .collect();
    let raised = words.windows(3).filter(|w| {
        w[0].0 == "1" && w[1].0 == "er" && w[2].0 == "décembre" && w[1].1 < 0.75 * w[0].1
    });
    assert!(raised.count() >= 1, "the ordinal of « 1er décembre » is a superscript");
}

#[test]
fn extract_gives_back_the_user_s_files_byte_for_byte_byte_order_mark_included() {
    let fixture = root().join("tests/fixtures/csv-tableaux");
    let work = scratch("extract-bom");
    let pdf = work.join("tableaux.pdf");
    render(&fixture.join("dossier.toml"), &pdf);
    let out = work.join("extrait");
    let output = run(&["extract", pdf.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let original = std::fs::read(fixture.join("partenaires.csv")).unwrap();
    assert!(original.starts_with(b"\xEF\xBB\xBF"), "the fixture's CSV has a byte order mark");
    for name in ["dossier.toml", "partenaires.csv", "charges.csv"] {
        let given = std::fs::read(fixture.join(name)).unwrap();
        let back = std::fs::read(out.join(name)).unwrap();
        assert!(given == back, "{name} comes back with other bytes");
    }
}

/// The PDF standards `--help` offers: every value named in the help of `--pdf-standard`.
fn standards_offered() -> Vec<String> {
    let help = String::from_utf8(run(&["--help"]).stdout).unwrap();
    let start = help.find("--pdf-standard").expect("--pdf-standard in --help");
    let end = help[start..].find("--strict").map_or(help.len(), |e| start + e);
    let words =
        help[start..end].split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'));
    let mut offered: Vec<String> = words
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| {
            let pdf_a = w.len() >= 3 && w.starts_with("a-") && w.as_bytes()[2].is_ascii_digit();
            let version = w.len() == 3 && w.as_bytes()[0].is_ascii_digit() && &w[1..2] == ".";
            pdf_a || version || *w == "ua-1" || *w == "aucune"
        })
        .map(String::from)
        .collect();
    offered.sort();
    offered.dedup();
    offered
}

#[test]
fn every_standard_help_offers_renders_the_three_examples() {
    let offered = standards_offered();
    assert!(offered.len() >= 10 && offered.contains(&"a-2b".to_string()), "{offered:?}");
    let examples = ["projet", "prefiguration", "fonctionnement"]
        .map(|p| root().join(format!("data/{p}/dossier.toml")).display().to_string());
    for standard in &offered {
        let out = scratch(&format!("norme-{standard}"));
        let mut args = vec!["batch"];
        args.extend(examples.iter().map(String::as_str));
        args.extend(["-o", out.to_str().unwrap(), "--pdf-standard", standard, "--quiet"]);
        let output = run(&args);
        assert!(output.status.success(), "--pdf-standard {standard}: {}", stderr(&output));
        let mut pdfs: Vec<_> =
            std::fs::read_dir(&out).unwrap().flatten().map(|e| e.path()).collect();
        pdfs.sort();
        assert_eq!(pdfs.len(), 3, "--pdf-standard {standard}: {pdfs:?}");
        // The data is attached exactly when the standard allows it, and the user is told.
        let refuses = ["a-2a", "a-2u", "a-2b", "a-4"].contains(&standard.as_str());
        for pdf in &pdfs {
            let listed = tool("pdfdetach", &["-list", pdf.to_str().unwrap()]);
            assert_eq!(listed.starts_with("0 embedded"), refuses, "{standard}: {listed}");
        }
        assert_eq!(stderr(&output).contains("interdit les fichiers joints"), refuses, "{standard}");
        if let Some(part) = standard.strip_prefix("a-") {
            let meta = tool("pdfinfo", &["-meta", pdfs[0].to_str().unwrap()]);
            let expected = format!("<pdfaid:part>{}</pdfaid:part>", &part[..1]);
            assert!(meta.contains(&expected), "{standard}: no {expected}");
        }
    }
}

/// A PDF attaching `count` files that each declare `declared` bytes but hold ten.
fn pdf_declaring(path: &std::path::Path, count: usize, declared: i64) {
    use lopdf::{Document, Object, Stream, dictionary};
    let mut doc = Document::with_version("1.7");
    let mut names = Vec::new();
    for i in 0..count {
        let params = dictionary! { "Size" => declared };
        let stream = Stream::new(
            dictionary! { "Type" => "EmbeddedFile", "Params" => params },
            vec![b'x'; 10],
        );
        let stream = doc.add_object(stream);
        let name = format!("f{i}.txt");
        let spec = doc.add_object(dictionary! {
            "Type" => "Filespec",
            "F" => Object::string_literal(name.clone()),
            "EF" => dictionary! { "F" => stream },
        });
        names.push(Object::string_literal(name));
        names.push(spec.into());
    }
    let tree = doc.add_object(dictionary! { "Names" => names });
    let pages = doc.add_object(
        dictionary! { "Type" => "Pages", "Kids" => Vec::<Object>::new(), "Count" => 0 },
    );
    let catalog = doc.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages,
        "Names" => dictionary! { "EmbeddedFiles" => tree },
    });
    doc.trailer.set("Root", catalog);
    doc.save(path).unwrap();
}

#[test]
fn extract_refuses_a_total_too_large_from_the_declared_sizes_before_inflating_anything() {
    let work = scratch("extract-total");
    let pdf = work.join("bombes.pdf");
    // Five files of 60 MB each as declared: 300 MB, over the total allowed. Each one really
    // holds ten bytes, so reading any of them would have reported it as damaged instead.
    pdf_declaring(&pdf, 5, 60_000_000);
    let out = work.join("sortie");
    let output = run(&["extract", pdf.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(message.contains("au total") && !message.contains("endommagé"), "{message}");
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn extract_speaks_french_about_a_file_that_is_not_a_pdf() {
    let work = scratch("extract-pas-pdf");
    let fake = work.join("faux.pdf");
    std::fs::write(&fake, "ceci n'est pas un PDF").unwrap();
    let output = run(&["extract", fake.to_str().unwrap(), "-o", work.to_str().unwrap()]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(message.contains("n'est pas un PDF lisible"), "{message}");
    for english in ["error", "Error", "invalid", "Invalid", "header", "trailer"] {
        assert!(!message.contains(english), "English in « {message} »");
    }
}
