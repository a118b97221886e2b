//! The layout audit: every compile reads the laid-out pages and reports what a committee would
//! see as a defect. The examples and the second territory have none; a template built to fail
//! is caught on every count, and `--strict` refuses it without writing a PDF.

use crate::support::{root, run, scratch, stderr};

/// A chapter template that commits every defect the audit knows, one per page.
const BROKEN_CHAPTER: &str = r#"#import "/lib.typ": *
= Contrôle de la mise en page

Une page presque vide : le paragraphe suivant aurait tenu sous celui-ci.
#pagebreak()
Un court paragraphe, renvoyé sans raison à la page suivante.

#place(top + left)[Texte posé par-dessus]
Texte posé par-dessus un autre.
#pagebreak()
#v(1fr)
== Titre resté seul
#pagebreak()
Suite du titre.

#block(breakable: false, height: 26cm, width: 100%, fill: luma(230))[Un bloc plus haut que la page]
"#;

/// A line printed 3 pt into the one above it (« Valeurs détaillées » into a chart's caption):
/// their letters' boxes from baseline to capital height do not meet, their ascenders and
/// descenders do.
const OVERPRINT_CHAPTER: &str = r#"#import "/lib.typ": *
= Contrôle de la mise en page

#par(leading: 2.3pt, text(font: sans, size: 8pt)[Figure 9 – Légende du graphique \ Valeurs détaillées : Tableau 36])
"#;

/// A heading left at the foot of its page with its badge and its note, its content on the next.
const STRANDED_CHAPTER: &str = r#"#import "/lib.typ": *
= Contrôle de la mise en page

#v(1fr)
#heading(level: 2)[Titre avec ses notes]
#block(above: 0pt, below: 10pt, text(size: 7.5pt)[Information à actualiser])
#block(text(size: 8pt)[Mis à jour depuis le dossier précédent])
#fin-titre()
#pagebreak()
Le contenu du titre, sur la page suivante.
"#;

/// Renders the projet example with the broken chapter template, with extra arguments; returns
/// the run and the PDF path.
fn render_with_broken_template(
    name: &str,
    extra: &[&str],
) -> (std::process::Output, std::path::PathBuf) {
    render_with_chapter(name, BROKEN_CHAPTER, extra)
}

/// Renders the projet example with `chapter` as its first chapter template.
fn render_with_chapter(
    name: &str,
    chapter: &str,
    extra: &[&str],
) -> (std::process::Output, std::path::PathBuf) {
    let dir = scratch(name);
    let templates = dir.join("modeles");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(templates.join("chapitre-1.typ"), chapter).unwrap();
    let dossier = dir.join("dossier.toml");
    std::fs::copy(root().join("data/projet/dossier.toml"), &dossier).unwrap();
    let out = dir.join("dossier.pdf");
    let mut args = vec![
        dossier.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--templates",
        templates.to_str().unwrap(),
    ];
    args.extend(extra);
    (run(&args), out)
}

#[test]
fn the_examples_and_the_second_territory_have_no_layout_defect() {
    let dossiers = [
        root().join("data/projet/dossier.toml"),
        root().join("data/prefiguration/dossier.toml"),
        root().join("data/fonctionnement/dossier.toml"),
        root().join("tests/fixtures/territoire-serre-vallee/dossier.toml"),
    ];
    let dir = scratch("audit-examples");
    for (i, dossier) in dossiers.iter().enumerate() {
        let out = dir.join(format!("{i}.pdf"));
        let output = run(&[dossier.to_str().unwrap(), "-o", out.to_str().unwrap(), "--strict"]);
        assert!(output.status.success(), "{}: {}", dossier.display(), stderr(&output));
        assert!(!stderr(&output).contains("mise en page"), "{}", stderr(&output));
    }
}

#[test]
fn a_template_built_to_fail_is_caught_on_every_count_with_its_page_and_item() {
    let (output, _) = render_with_broken_template("audit-broken", &[]);
    let messages = stderr(&output);
    assert!(output.status.success(), "{messages}");
    let findings: Vec<&str> =
        messages.lines().filter(|l| l.starts_with("avertissement : mise en page")).collect();
    for expected in [
        "page remplie à",
        "et « Texte posé par-dessus » se chevauchent",
        "le titre « Titre resté seul » est seul en bas de page",
        "recouvre le pied de page",
    ] {
        assert!(findings.iter().any(|f| f.contains(expected)), "{expected:?} not in:\n{messages}");
    }
    assert!(
        findings.iter().all(|f| f.contains("page ") && f.contains("(")),
        "each finding names its page and item:\n{messages}"
    );
    assert!(findings.iter().any(|f| f.contains("(Titre resté seul)")), "{messages}");
}

#[test]
fn strict_turns_layout_defects_into_errors_and_writes_no_pdf() {
    let (output, out) = render_with_broken_template("audit-strict", &["--strict"]);
    let messages = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{messages}");
    assert!(messages.contains("refusé(s) par --strict"), "{messages}");
    assert!(messages.contains("erreur de mise en page, page"), "{messages}");
    assert!(!out.exists(), "no PDF under --strict");
}

/// Renders the projet example with `chapter` as its first chapter: the audit reports `warning`,
/// and under `--strict` the render fails on `error` and writes no PDF.
fn found_and_refused_by_strict(name: &str, chapter: &str, warning: &str, error: &str) {
    let (output, _) = render_with_chapter(name, chapter, &[]);
    let messages = stderr(&output);
    assert!(messages.contains(warning), "{warning:?} not in:\n{messages}");
    let (output, out) = render_with_chapter(&format!("{name}-strict"), chapter, &["--strict"]);
    let messages = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{messages}");
    assert!(messages.contains(error), "{error:?} not in:\n{messages}");
    assert!(!out.exists(), "no PDF under --strict");
}

#[test]
fn a_line_printed_into_the_descenders_of_the_one_above_is_refused_by_strict() {
    found_and_refused_by_strict(
        "audit-overprint",
        OVERPRINT_CHAPTER,
        "« Figure 9 – Légende du graphique » et « Valeurs détaillées",
        "se chevauchent",
    );
}

#[test]
fn a_heading_left_at_the_foot_of_a_page_with_its_badge_and_note_is_refused_by_strict() {
    found_and_refused_by_strict(
        "audit-stranded",
        STRANDED_CHAPTER,
        "(Titre avec ses notes) : le titre « Titre avec ses notes » est resté en bas de page",
        "est resté en bas de page",
    );
}
