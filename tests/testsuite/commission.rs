//! The checks a labelling commission makes on reading a dossier: `check` warns of each with
//! both places in the dossier, and refuses them under `--strict`.

use crate::support::{root, run, stderr};

fn fixture() -> String {
    root().join("tests/fixtures/commission/dossier.toml").to_str().unwrap().to_string()
}

#[test]
fn check_warns_of_what_a_commission_would_notice_with_both_places() {
    let output = run(&["check", &fixture()]);
    let messages = stderr(&output);
    for (message, place, other) in [
        // A count in a text against the list it names, in words and beyond the list.
        (
            "« Dix structures » mais la liste du dossier en compte 3",
            "dossier.toml:17:9",
            "3 dans la liste",
        ),
        (
            "« Quatre points relais » mais la liste du dossier en compte 2",
            "dossier.toml:51:9",
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
            "dossier.toml:81:1",
            "statut du partenaire",
        ),
        // Writer's notes left in texts.
        ("note de rédaction laissée dans le texte : « TODO »", "dossier.toml:14:9", ""),
        ("note de rédaction laissée dans le texte : « à compléter »", "dossier.toml:38:9", ""),
        ("note de rédaction laissée dans le texte : « à remplacer »", "dossier.toml:69:9", ""),
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
