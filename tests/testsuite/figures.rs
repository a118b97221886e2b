//! One figure, one value: the key figures a dossier states (partners engaged, funders, ETP,
//! visits, weekly hours, sites) read the same wherever the PDF prints them and in the network
//! overview; and no phrase only a generator writes reaches a PDF.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::completeness::dossier;
use crate::support::{copy_dir, root, run, scratch, stderr};

/// Generated dossiers rendered with the examples (fixed seeds: reproducible).
const GENERATED: u64 = 20;

/// The rendered PDFs and the overview's CSV, made once for the tests of this file: the three
/// examples, the test territory and [`GENERATED`] generated dossiers, in one `batch` (which
/// renders in parallel).
struct Rendered {
    pdfs: Vec<PathBuf>,
    csv: String,
}

fn rendered() -> &'static Rendered {
    static RENDERED: OnceLock<Rendered> = OnceLock::new();
    RENDERED.get_or_init(|| {
        let dir = scratch("chiffres");
        let inputs = dir.join("dossiers");
        for example in ["fonctionnement", "prefiguration", "projet"] {
            copy_dir(&root().join("data").join(example), &inputs.join(example));
        }
        copy_dir(
            &root().join("tests/fixtures/territoire-serre-vallee"),
            &inputs.join("serre-vallee"),
        );
        std::fs::create_dir_all(inputs.join("generes")).unwrap();
        for seed in 1..=GENERATED {
            let file = inputs.join("generes").join(format!("dossier-{seed}.toml"));
            std::fs::write(file, dossier(seed)).unwrap();
        }
        let out = dir.join("pdf");
        let csv = dir.join("synthese.csv");
        let output = run(&[
            "batch",
            inputs.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--overview-csv",
            csv.to_str().unwrap(),
            "-q",
        ]);
        assert!(output.status.success(), "the batch failed:\n{}", stderr(&output));
        let mut pdfs: Vec<PathBuf> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
            .collect();
        pdfs.sort();
        assert_eq!(pdfs.len() as u64, 4 + GENERATED, "one PDF per dossier");
        Rendered { pdfs, csv: std::fs::read_to_string(csv).unwrap() }
    })
}

/// A line of text with its position on its page (points from the top left).
#[derive(Debug, Clone)]
struct Line {
    page: usize,
    x: f64,
    y: f64,
    text: String,
}

/// The lines of a PDF with their positions (`pdftotext -bbox-layout`), spaces inside numbers
/// (« 16 900 ») made plain.
fn lines(pdf: &Path) -> Vec<Line> {
    let output = std::process::Command::new("pdftotext")
        .args(["-bbox-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    let xml = String::from_utf8_lossy(&output.stdout)
        .replace("<!DOCTYPE", "<!--")
        .replace("\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">", "-->");
    let doc = roxmltree::Document::parse(&xml).expect("pdftotext's XHTML parses");
    let mut out = Vec::new();
    for (page, node) in doc.descendants().filter(|n| n.has_tag_name("page")).enumerate() {
        for line in node.descendants().filter(|n| n.has_tag_name("line")) {
            let words: Vec<&str> = line
                .children()
                .filter(|n| n.has_tag_name("word"))
                .filter_map(|w| w.text())
                .collect();
            let number = |name: &str| line.attribute(name).unwrap().parse::<f64>().unwrap();
            out.push(Line {
                page,
                x: number("xMin"),
                y: number("yMin"),
                text: words.join(" ").replace(['\u{202f}', '\u{a0}'], " "),
            });
        }
    }
    out
}

/// Every value the PDF gives each key figure: in running text (« premier des 9 financeurs »)
/// and in the tiles, where the value sits just above what it counts.
fn figures(lines: &[Line]) -> BTreeMap<&'static str, BTreeSet<String>> {
    let number = r"(\d{1,3}(?: \d{3})*(?:,\d+)?)";
    let inline: [(&str, String); 5] = [
        ("partenaires engagés", format!(r"(?:^|[^\d,]){number} partenaires? engagés?\b")),
        ("financeurs", format!(r"(?:^|[^\d,]){number} financeurs?\b(?: de l’investissement)?")),
        ("ETP", format!(r"^{number} ETP$")),
        ("centres associés", format!(r"(?:^|[^\d,]){number} centres? associés?\b")),
        ("points relais", format!(r"(?:^|[^\d,]){number} points? relais\b")),
    ];
    let tiles: [(&str, &str); 5] = [
        ("partenaires engagés", r"^partenaires? engagés?$"),
        ("financeurs", r"^financeurs?$"),
        ("visites", r"^visites(?: prévues)? en \d{4}$"),
        ("heures par semaine", r"^d’ouverture par semaine$"),
        ("lieux d'accueil", r"^lieux? d’accueil$"),
    ];
    let mut found: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    for line in lines {
        for (name, pattern) in &inline {
            for c in regex::Regex::new(pattern).unwrap().captures_iter(&line.text) {
                if !c[0].ends_with("de l’investissement") {
                    found.entry(name).or_default().insert(c[1].to_string());
                }
            }
        }
        for (name, pattern) in &tiles {
            if !regex::Regex::new(pattern).unwrap().is_match(&line.text) {
                continue;
            }
            let above = lines
                .iter()
                .filter(|v| v.page == line.page && (v.x - line.x).abs() < 2.0)
                .filter(|v| v.y < line.y && line.y - v.y < 40.0)
                .max_by(|a, b| a.y.total_cmp(&b.y));
            let value = above.map(|v| v.text.clone()).unwrap_or_default();
            // A table cell that happens to read « financeurs » is not a tile.
            if !value.starts_with(|c: char| c.is_ascii_digit()) {
                continue;
            }
            // The visits of one year are one figure; another year is another figure.
            let key: &'static str = if *name == "visites" {
                Box::leak(line.text.replace(" prévues", "").into_boxed_str())
            } else {
                name
            };
            found.entry(key).or_default().insert(value.trim_end_matches(" h").to_string());
        }
    }
    found
}

/// The overview's CSV rows by Cité name and label.
fn overview_rows(csv: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers.iter().zip(r.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()
        })
        .collect()
}

/// The Cité's name and the label of a PDF, from its metadata.
fn identity(pdf: &Path) -> (String, String) {
    let info = std::process::Command::new("pdfinfo").arg(pdf).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout).to_string();
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let name = field("Title:").trim_start_matches("Dossier de labellisation — ").to_string();
    let label = field("Subject:").split(" — ").next().unwrap_or_default().to_string();
    (name, label)
}

#[test]
fn each_key_figure_has_one_value_in_each_pdf_and_the_same_in_the_overview() {
    let rendered = rendered();
    let rows = overview_rows(&rendered.csv);
    let mut failures = Vec::new();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for pdf in &rendered.pdfs {
        let found = figures(&lines(pdf));
        let (name, label) = identity(pdf);
        let file = pdf.file_name().unwrap().to_string_lossy().to_string();
        for (figure, values) in &found {
            *seen.entry(figure).or_default() += 1;
            if values.len() > 1 {
                failures.push(format!("{file}: « {figure} » reads {values:?}"));
            }
        }
        let row = rows
            .iter()
            .find(|r| r["Cité"].starts_with(&name) && r["Label"] == label)
            .unwrap_or_else(|| panic!("{file}: no row of the overview for {name}, {label}"));
        let plain = |v: &str| v.replace([' ', '\u{202f}'], "");
        for (figure, column) in [
            ("partenaires engagés", "Partenaires engagés"),
            ("financeurs", "Financeurs"),
            ("ETP", "ETP"),
        ] {
            if let Some(values) = found.get(figure) {
                let csv = plain(&row[column]);
                if values.iter().any(|v| plain(v) != csv) {
                    failures.push(format!("{file}: « {figure} » {values:?}, overview {csv}"));
                }
            }
        }
    }
    for figure in ["partenaires engagés", "financeurs", "ETP", "heures par semaine"] {
        assert!(
            seen.get(figure).copied().unwrap_or(0) >= 3,
            "« {figure} » found in too few PDFs to test anything: {seen:?}"
        );
    }
    assert!(failures.is_empty(), "figures that disagree:\n{}", failures.join("\n"));
}

/// Phrases only a generator writes, as regular expressions with what a writer would say
/// instead: kept here, one line per case met in a PDF, so that none comes back.
const GENERATOR_PHRASES: &[(&str, &str)] = &[
    (r"items et sous-items complets", "completeness belongs to check, not to the dossier"),
    (r"rôle « financeur »", "a role key, not French"),
    (r"(?i)données du dossier", "the source is the Cité, or the porteur's forecasts"),
    (r"(?i)estimations et comptages", "a Cité not open yet has forecasts only"),
    (r"Ligne calculée", "a computed row is worded as a fact"),
    (r"\(\(|\)\)", "parentheses doubled around a value that has some"),
    (r"[a-zé]\(s\)", "a plural left to the reader"),
    (
        r"(?:^|[^\d,.])[01] (?:jours|dossiers|fonctions|partenaires|financeurs|sites|semaines|pages|avertissements|centres|points|lieux|structures)\b",
        "a plural after 0 or 1",
    ),
    (
        r"\bpar (?:Communauté|Région|Département|État|Ville|Métropole|Agglomération|Conseil|Chambre|Fondation|Mission|Caisse|Agence|Université)\b",
        "a name without its article",
    ),
    (r"\b[a-z]+_[a-z_]+\b", "an internal key"),
    (r"par semaine · 1 jour", "hours of one day given as a week's"),
];

#[test]
fn no_pdf_holds_a_phrase_only_a_generator_writes() {
    let rendered = rendered();
    let patterns: Vec<(regex::Regex, &str)> =
        GENERATOR_PHRASES.iter().map(|(p, why)| (regex::Regex::new(p).unwrap(), *why)).collect();
    let mut failures = Vec::new();
    for pdf in &rendered.pdfs {
        let file = pdf.file_name().unwrap().to_string_lossy().to_string();
        for line in lines(pdf) {
            for (pattern, why) in &patterns {
                if let Some(m) = pattern.find(&line.text) {
                    let page = line.page + 1;
                    failures.push(format!(
                        "{file} p. {page}: « {} » ({why}) in « {} »",
                        m.as_str(),
                        line.text
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "generator phrases:\n{}", failures.join("\n"));
}

/// Every yearly series says which of its values are counts over a whole year: attendance (3.3),
/// the activity report's figures (8.4) and a statistics series (1.2.2), through one wording.
#[test]
fn partial_and_estimated_years_are_named_so_in_every_yearly_series() {
    let dir = scratch("periodes");
    let pdf = dir.join("dossier.pdf");
    crate::support::render(&root().join("tests/fixtures/periodes/dossier.toml"), &pdf);
    let text = crate::support::pdf_text(&pdf);
    // Attendance: the year of opening is labelled with its months, estimates are named.
    assert!(text.contains("2025 (10 mois)"), "{text}");
    assert!(text.contains("Estimations et prévisions"), "{text}");
    // 8.4: the reported year is partly estimated and the previous one has ten months, in the
    // charts' legends and the tables' headings; no change is stated between them.
    assert!(text.matches("2026, en partie estimé").count() >= 2, "{text}");
    assert!(!text.contains("Évolution"), "{text}");
    // The unemployment series: its provisional year is drawn hollow, and the legend says so.
    assert!(text.contains("valeurs estimées ou prévisionnelles (points creux)"), "{text}");
}

/// A statistic whose source is left empty is not credited to the Cité (which does not make
/// Insee's figures), nor printed as a bare year: its source line says « non précisée ».
#[test]
fn a_statistic_without_its_source_says_so_and_never_names_the_cite_as_its_source() {
    let dir = scratch("figures-source-non-precisee");
    copy_dir(&root().join("data/fonctionnement"), &dir);
    let toml = dir.join("dossier.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    for source in ["source = \"Insee, Flores 2023\"", "source = \"Insee, Filosofi\""] {
        assert!(text.contains(source), "the example has {source}");
    }
    let text = text.replacen("source = \"Insee, Flores 2023\"", "source = \"\"", 1).replacen(
        "source = \"Insee, Filosofi\"",
        "source = \"\"",
        1,
    );
    std::fs::write(&toml, text).unwrap();
    let pdf = dir.join("dossier.pdf");
    crate::support::render(&toml, &pdf);
    let printed = crate::support::pdf_text(&pdf);
    let words = printed.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("Source : non précisée, 2023"), "the sectors chart");
    assert!(words.contains("non précisée, 2021"), "the indicators table");
    assert!(!words.contains("Source : Cité des métiers du Val-de-Lys, 2023"));
    assert!(!words.contains(" , 2021") && !words.contains("Source : 2021"));
}
