//! Nothing is printed outside the body of the page: the text of every page, read back with its
//! position (`pdftotext -bbox`), stays above the bottom margin, except the footer's « Page X / Y ».

use std::path::Path;

use crate::support::{render, root, scratch};

/// Bottom of the body area on an A4 page: 297 mm less the 2.3 cm bottom margin, in points.
const BODY_BOTTOM: f64 = 841.89 - 2.3 / 2.54 * 72.0;

/// Top of the body area: the 2.5 cm top margin, in points.
const BODY_TOP: f64 = 2.5 / 2.54 * 72.0;

/// A word of a PDF page as `pdftotext -bbox` reads it: its box in points, from the top left.
pub struct Word {
    pub text: String,
    pub x_min: f64,
    pub y_min: f64,
    pub x_max: f64,
    pub y_max: f64,
}

/// The words of a PDF, page by page, with their boxes (`pdftotext -bbox`). A box runs from the
/// font's ascender to its descender at the word's size, whatever letters it holds.
pub fn words(pdf: &Path) -> Vec<Vec<Word>> {
    let html = pdf.with_extension("html");
    let status = std::process::Command::new("pdftotext").arg("-bbox").arg(pdf).arg(&html).status();
    assert!(status.unwrap().success(), "pdftotext -bbox");
    let text = std::fs::read_to_string(&html).unwrap();
    text.split("<page ")
        .skip(1)
        .map(|body| {
            body.split("<word ")
                .skip(1)
                .map(|word| {
                    let attr = |name: &str| -> f64 {
                        let start = word.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                        word[start..].split('"').next().unwrap().parse().unwrap()
                    };
                    let content = word.split('>').nth(1).unwrap_or("").split('<').next();
                    Word {
                        text: content.unwrap_or("").replace("&amp;", "&"),
                        x_min: attr("xMin"),
                        y_min: attr("yMin"),
                        x_max: attr("xMax"),
                        y_max: attr("yMax"),
                    }
                })
                .collect()
        })
        .collect()
}

/// Words printed below the body area, other than the footer, as "page N: word".
fn below_the_body(pdf: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for (page, words) in words(pdf).iter().enumerate() {
        for word in words {
            let content = word.text.as_str();
            let footer = content == "Page" || content == "/" || content.parse::<u32>().is_ok();
            // The box pdftotext gives includes the font's descent: the descenders of a page's
            // last line reach into the margin in any typesetting. A word whose upper three
            // quarters (down to about its baseline) pass the body's bottom is below it.
            let baseline = word.y_max - 0.25 * (word.y_max - word.y_min);
            if baseline > BODY_BOTTOM + 1.0 && !footer {
                found.push(format!("page {}: {content}", page + 1));
            }
        }
    }
    found
}

/// Height of the box of a word set in the 10 pt body text (Noto Serif: ascender and descender,
/// 1.362 em); tables, captions, sources and notes are set at 8.5 pt or smaller (11.6 pt boxes).
const BODY_WORD_HEIGHT: f64 = 13.6;

/// Words cut by hyphenation where an editor never cuts: in a table cell or any small text
/// (captions, notes, sources), and in a proper name (a capitalised word) anywhere. Typst ends
/// the first half of a hyphenated word with a soft hyphen, which `pdftotext` keeps: a break at
/// a hyphen written in the text (« Saint- / Étienne ») is not one. As "page N: frag-".
fn split_words(pdf: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for (page, words) in words(pdf).iter().enumerate() {
        for word in words.iter().filter(|w| w.text.ends_with('\u{AD}')) {
            let fragment = word.text.rsplit(|c: char| !c.is_alphanumeric() && c != '\u{AD}').next();
            let fragment = fragment.unwrap_or("");
            let small = word.y_max - word.y_min < BODY_WORD_HEIGHT - 1.0;
            let name = fragment.chars().next().is_some_and(char::is_uppercase);
            if small || name {
                found.push(format!("page {}: {}-", page + 1, fragment.trim_end_matches('\u{AD}')));
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

/// The dossiers whose typesetting is measured: the three examples, the second territory and
/// generated dossiers of every shape (0 to 40 rows per table, long and short texts), each with
/// the path of its PDF in a scratch folder.
fn measured_dossiers(name: &str) -> Vec<(std::path::PathBuf, std::path::PathBuf)> {
    let mut dossiers: Vec<std::path::PathBuf> = [
        "data/projet/dossier.toml",
        "data/prefiguration/dossier.toml",
        "data/fonctionnement/dossier.toml",
        "tests/fixtures/territoire-serre-vallee/dossier.toml",
    ]
    .iter()
    .map(|d| root().join(d))
    .collect();
    let dir = scratch(name);
    for seed in [3, 17, 41] {
        let input = dir.join(format!("genere-{seed}.toml"));
        std::fs::write(&input, crate::completeness::dossier(seed)).unwrap();
        dossiers.push(input);
    }
    dossiers
        .into_iter()
        .enumerate()
        .map(|(i, input)| (input, dir.join(format!("{i}.pdf"))))
        .collect()
}

#[test]
fn tables_and_proper_names_are_not_hyphenated_in_any_dossier() {
    // Before content-measured columns without hyphenation: 88 in the fonctionnement example,
    // 80 in the préfiguration one, 39 in the second territory.
    for (input, pdf) in measured_dossiers("split-words") {
        render(&input, &pdf);
        let split = split_words(&pdf);
        assert!(split.len() <= 5, "{}: {} words split: {split:?}", input.display(), split.len());
    }
}

#[test]
fn the_split_word_count_sees_a_hyphenated_table_cell() {
    // The measure itself: a table of one narrow column forced to hyphenate (a Markdown table
    // of six columns of long words) is counted.
    let long = "anticonstitutionnellement intercommunalité";
    let row = format!("| {} |", [long; 6].join(" | "));
    let toml = format!(
        "[cite]\nnom = \"Cité\"\nlabel = \"projet\"\ndate = 2026-01-01\n\
         [apparence]\nmarkdown = true\n[porteur]\ntexte = \"\"\"\n| a | b | c | d | e | f |\n|---|---|---|---|---|---|\n{row}\n\"\"\"\n"
    );
    let input = scratch("split-words-seen").join("dossier.toml");
    std::fs::write(&input, toml).unwrap();
    let pdf = input.with_extension("pdf");
    render(&input, &pdf);
    assert!(split_words(&pdf).len() > 5, "{:?}", split_words(&pdf));
}

/// The words of a page inside the body area (a first line's ascenders reach above its top, a
/// last line's descenders below its bottom), the running header and footer left out.
fn body_words(page: &[Word]) -> Vec<&Word> {
    page.iter().filter(|w| w.y_min > BODY_TOP - 15.0 && w.y_max < BODY_BOTTOM + 8.0).collect()
}

/// Body pages whose text ends above the middle of the body area, other than the last page of a
/// chapter or an annex (the next one opens with a chapter title, 17 pt, or « Annexe ») and the
/// last page, as "page N: P %".
fn sparse_pages(pdf: &Path) -> Vec<String> {
    let pages = words(pdf);
    let middle = (BODY_TOP + BODY_BOTTOM) / 2.0;
    let mut found = Vec::new();
    for (index, page) in pages.iter().enumerate().take(pages.len().saturating_sub(1)) {
        let has_footer = page.iter().any(|w| w.text == "Page" && w.y_min > BODY_BOTTOM);
        let body = body_words(page);
        let Some(end) = body.iter().map(|w| w.y_max).reduce(f64::max) else { continue };
        let next = body_words(&pages[index + 1]);
        let first =
            next.iter().min_by(|a, b| (a.y_min, a.x_min).partial_cmp(&(b.y_min, b.x_min)).unwrap());
        let chapter_ends =
            first.is_none_or(|w| w.y_max - w.y_min > 20.0 || w.text.starts_with("Annexe"));
        if has_footer && end < middle && !chapter_ends {
            let filled = (end - BODY_TOP) / (BODY_BOTTOM - BODY_TOP) * 100.0;
            found.push(format!("page {}: {filled:.0} %", index + 1));
        }
    }
    found
}

/// Words whose boxes (ascender to descender) overlap by more than 2 pt both ways, as
/// "page N: « a » / « b »". Consecutive lines of the body touch by 0.3 pt, of the sommaire by
/// 1.3 pt: that is set solid, not printed over.
fn overlapping_words(pdf: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for (index, page) in words(pdf).iter().enumerate() {
        let mut sorted: Vec<&Word> = page.iter().collect();
        sorted.sort_by(|a, b| a.y_min.total_cmp(&b.y_min));
        for (i, a) in sorted.iter().enumerate() {
            for b in sorted[i + 1..].iter().take_while(|b| b.y_min < a.y_max - 2.0) {
                let x = a.x_max.min(b.x_max) - a.x_min.max(b.x_min);
                let y = a.y_max.min(b.y_max) - a.y_min.max(b.y_min);
                if x > 2.0 && y > 2.0 {
                    found.push(format!("page {}: « {} » / « {} »", index + 1, a.text, b.text));
                }
            }
        }
    }
    found
}

/// What is wrong with L'essentiel's page, if anything: it runs onto a second page (the page
/// after it does not open with a title), or its text ends above the lower quarter of the body.
fn essentiel_not_full(pdf: &Path) -> Option<String> {
    let pages = words(pdf);
    let title = |w: &&Word| w.y_max - w.y_min > 20.0;
    let index = pages
        .iter()
        .position(|page| page.iter().any(|w| title(&w) && w.text.contains("essentiel")))?;
    let next = pages.get(index + 1).map(|p| body_words(p)).unwrap_or_default();
    let first =
        next.iter().min_by(|a, b| (a.y_min, a.x_min).partial_cmp(&(b.y_min, b.x_min)).unwrap());
    if first.is_some_and(|w| !title(w)) {
        return Some(format!("L'essentiel runs onto page {}", index + 2));
    }
    let end = body_words(&pages[index]).iter().map(|w| w.y_max).fold(0.0, f64::max);
    let filled = (end - BODY_TOP) / (BODY_BOTTOM - BODY_TOP);
    (filled < 0.75)
        .then(|| format!("L'essentiel's text ends at {:.0} % of its page", filled * 100.0))
}

#[test]
fn no_body_page_is_left_half_empty_no_word_is_printed_over_another_and_l_essentiel_is_full() {
    // Before: the line under the unemployment chart was printed 3.3 pt into its caption (14
    // to 16 overlapping words per dossier); short tables moved whole to the next page.
    let mut pdfs = Vec::new();
    for (input, pdf) in measured_dossiers("page-flow") {
        render(&input, &pdf);
        pdfs.push((input.display().to_string(), pdf));
    }
    // Eight more generated dossiers of every shape, rendered in one batch.
    let dir = scratch("page-flow-batch");
    let (generated, out) = (dir.join("generes"), dir.join("pdf"));
    std::fs::create_dir_all(&generated).unwrap();
    for seed in 4..12 {
        let text = crate::completeness::dossier(seed);
        std::fs::write(generated.join(format!("genere-{seed}.toml")), text).unwrap();
    }
    let overview = dir.join("synthese.pdf");
    let output = crate::support::run(&[
        "batch",
        generated.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--overview",
        overview.to_str().unwrap(),
        "-q",
    ]);
    assert!(output.status.success(), "{}", crate::support::stderr(&output));
    // The network overview too: no word split in its tables and captions (a caption in a
    // half-width column read « fonctionne-ment »), none printed over another.
    let split = split_words(&overview);
    assert!(split.is_empty(), "overview: words split: {split:?}");
    let over = overlapping_words(&overview);
    assert!(over.is_empty(), "overview: words printed over others: {over:?}");
    for entry in std::fs::read_dir(&out).unwrap() {
        let pdf = entry.unwrap().path();
        pdfs.push((pdf.display().to_string(), pdf));
    }
    assert_eq!(pdfs.len(), 7 + 8);
    for (name, pdf) in pdfs {
        let sparse = sparse_pages(&pdf);
        assert!(sparse.is_empty(), "{name}: pages under half full: {sparse:?}");
        let over = overlapping_words(&pdf);
        assert!(over.is_empty(), "{name}: words printed over others: {over:?}");
        // L'essentiel fills its one page (the test territory's ended two thirds down).
        assert_eq!(essentiel_not_full(&pdf), None, "{name}");
    }
}

#[test]
fn the_page_flow_measures_see_a_half_empty_page_and_an_overprint() {
    // The measures themselves, on a chapter template built to fail.
    let dir = scratch("page-flow-seen");
    let templates = dir.join("modeles");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("chapitre-1.typ"),
        "#import \"/lib.typ\": *\n= Contrôle\n\nUn paragraphe seul en haut de page.\n#pagebreak()\n\
         Suite.\n\n#par(leading: 2pt, text(size: 8pt)[Légende du graphique \\ Valeurs détaillées])\n",
    )
    .unwrap();
    let input = dir.join("dossier.toml");
    std::fs::copy(root().join("data/projet/dossier.toml"), &input).unwrap();
    let pdf = dir.join("dossier.pdf");
    let output = crate::support::run(&[
        input.to_str().unwrap(),
        "-o",
        pdf.to_str().unwrap(),
        "--templates",
        templates.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", crate::support::stderr(&output));
    assert_eq!(sparse_pages(&pdf).len(), 1, "{:?}", sparse_pages(&pdf));
    assert!(!overlapping_words(&pdf).is_empty());
}
