//! The checks a labelling commission makes on reading a dossier: `check` warns of each with
//! both places in the dossier, and refuses them under `--strict`.

use crate::support::{pdf_pages, render, root, run, scratch, stderr};

fn fixture() -> String {
    root().join("tests/fixtures/commission/dossier.toml").to_str().unwrap().to_string()
}

/// `check` points at the words inside a text, not at the start of its field: through the
/// escapes of a "…" string (`\"`, `\u00a0` before « TODO » on line 14) and the line-ending
/// backslash of a """ string (« Quatre points relais » on line 53).
#[test]
fn check_warns_of_what_a_commission_would_notice_with_both_places() {
    let output = run(&["check", &fixture()]);
    let messages = stderr(&output);
    for (message, place, other) in [
        // A count in a text against the list it names, in words and beyond the list.
        (
            "« Dix structures » mais la liste du dossier en compte 3",
            "dossier.toml:17:10",
            "3 dans la liste",
        ),
        (
            "« Quatre points relais » mais la liste du dossier en compte 2",
            "dossier.toml:53:4",
            "2 dans la liste",
        ),
        // A breakdown larger than its total.
        (
            "les visites par service de 2027 font 17\u{202f}900 en tout, plus que les 11\u{202f}000",
            "dossier.toml:45:15",
            "11\u{202f}000 visites",
        ),
        // A funding only applied for counted as secured.
        (
            "le financement de « Fonds social européen » est compté comme acquis",
            "dossier.toml:83:1",
            "statut du partenaire",
        ),
        // Writer's notes left in texts.
        ("note de rédaction laissée dans le texte : « TODO »", "dossier.toml:14:53", ""),
        ("note de rédaction laissée dans le texte : « à compléter »", "dossier.toml:38:34", ""),
        ("note de rédaction laissée dans le texte : « à remplacer »", "dossier.toml:71:39", ""),
        // Hours of one day are not a week's.
        ("horaires donnés pour un seul jour", "dossier.toml:39:9", ""),
    ] {
        let at =
            messages.find(message).unwrap_or_else(|| panic!("{message:?} not in:\n{messages}"));
        let end = messages[at..].find("\navertissement").map_or(messages.len(), |i| at + i);
        let block = &messages[at..end];
        assert!(block.contains(place), "{message:?} not placed at {place}:\n{block}");
        assert!(block.contains(other), "{message:?} does not name {other:?}:\n{block}");
    }
    // « ses trois partenaires » is the whole list of three: no warning.
    assert!(!messages.contains("« trois partenaires »"), "{messages}");
}

#[test]
fn strict_check_refuses_what_a_commission_would_notice() {
    let output = run(&["check", "--strict", &fixture()]);
    assert!(!output.status.success());
    let messages = stderr(&output);
    assert!(messages.contains("8 erreurs dans le dossier"), "{messages}");
    assert!(messages.contains("erreur: le texte parle de « Dix structures »"), "{messages}");
}

fn unchanged_fixture() -> std::path::PathBuf {
    root().join("tests/fixtures/inchange/dossier.toml")
}

#[test]
fn an_item_said_unchanged_whose_text_speaks_of_a_change_is_pointed_at_the_word() {
    let output = run(&["check", unchanged_fixture().to_str().unwrap()]);
    let messages = stderr(&output);
    for (message, place, other) in [
        (
            "l'item 1.1 est déclaré inchangé (`inchange = true`), mais son texte parle de changement : « désormais »",
            "dossier.toml:18:75",
            "inchange = true",
        ),
        (
            "l'item 1.3 est mot pour mot celui du dossier précédent (« inchangé »), mais son texte parle de changement : « nouveau »",
            "dossier.toml:21:75",
            "actualisez le texte",
        ),
        (
            "l'item 3.4 est déclaré inchangé (`inchange = true`), mais son contenu diffère du dossier précédent",
            "dossier.toml:28:12",
            "retirez `inchange = true`",
        ),
    ] {
        let at =
            messages.find(message).unwrap_or_else(|| panic!("{message:?} not in:\n{messages}"));
        let block = &messages[at..(at + 900).min(messages.len())];
        assert!(block.contains(place), "{message:?} not placed at {place}:\n{block}");
        assert!(block.contains(other), "{message:?} does not say {other:?}:\n{block}");
    }
    // 4.2 is unchanged and says nothing of a change: no warning.
    assert!(!messages.contains("l'item 4.2"), "{messages}");
    let strict = run(&["check", "--strict", unchanged_fixture().to_str().unwrap()]);
    assert!(!strict.status.success(), "{}", stderr(&strict));
}

#[test]
fn an_unchanged_note_is_said_once_and_never_against_the_items_text() {
    let dir = scratch("inchange");
    let pdf = dir.join("dossier.pdf");
    render(&unchanged_fixture(), &pdf);
    let pages = pdf_pages(&pdf);
    let text = pages.join("\n");
    // 4.2 and its sub-item 4.2.1 are both unchanged: the note is said under 4.2 only.
    let page = pages.iter().rfind(|p| p.contains("4.2.1")).expect("the page of 4.2.1");
    assert_eq!(page.matches("Inchangé depuis").count(), 1, "{page}");
    assert_eq!(text.matches("Inchangé depuis").count(), 1, "{text}");
    // 1.3 is word for word the previous text but speaks of a « nouveau » relay: not
    // « inchangé », whatever the comparison says.
    let end = text.find("Un nouveau point relais").expect("the text of 1.3");
    let start = text[..end].rfind("1.3").expect("the heading of 1.3");
    let besoins = &text[start..end];
    assert!(!besoins.contains("Inchangé"), "{besoins}");
    // An item that changed says so.
    assert!(text.contains("Mis à jour depuis"), "{text}");
}

/// A budget line whose amount was left out would print « 0 € » in the PDF: `check` warns at
/// the line, where the amount is missing.
#[test]
fn a_budget_line_without_its_amount_is_a_warning_at_that_line() {
    let dir = scratch("commission-montant-manquant");
    crate::support::copy_dir(&root().join("data/fonctionnement"), &dir);
    let toml = dir.join("dossier.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    assert!(text.contains("montant = 318500\n"), "the example has its salaries line");
    std::fs::write(&toml, text.replacen("montant = 318500\n", "", 1)).unwrap();
    let output = run(&["check", toml.to_str().unwrap()]);
    let messages = stderr(&output);
    let message = "la ligne « Salaires et charges de l'équipe permanente » n'a pas de montant";
    assert!(messages.contains(message), "{messages}");
    assert!(messages.contains("dossier.toml:877:"), "at the line's table:\n{messages}");
}
