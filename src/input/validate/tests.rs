//! Each kind of finding, with the exact location reported.

use std::path::Path;

use super::validate;
use crate::diag::{DataErrors, Severity};

const HEAD: &str =
    "[cite]\nnom = \"Cité des métiers\"\nlabel = \"fonctionnement\"\ndate = 2026-11-24\n";

/// Validates `HEAD + body` and returns (line, column, message, field) of every finding.
fn findings(body: &str) -> Vec<(usize, usize, String, String, Severity)> {
    let source = format!("{HEAD}{body}");
    let report: DataErrors = match validate(Path::new("d.toml"), &source) {
        Ok(v) => v.warnings,
        Err(e) => e,
    };
    // The cover of HEAD leaves porteur and territoire blank on purpose (short line numbers):
    // their warnings are not what these tests look at.
    let cover = |e: &&crate::diag::DataError| {
        matches!(e.field.as_deref(), Some("cite.porteur" | "cite.territoire"))
    };
    report
        .errors
        .iter()
        .filter(|e| !cover(e))
        .map(|e| {
            let start = e.span.clone().map_or(0, |s| s.start);
            let line = source[..start].matches('\n').count() + 1;
            let column = start - source[..start].rfind('\n').map_or(0, |i| i + 1) + 1;
            (line, column, e.message.clone(), e.field.clone().unwrap_or_default(), e.severity)
        })
        .collect()
}

fn assert_finding(body: &str, line: usize, column: usize, message: &str) {
    let all = findings(body);
    assert!(
        all.iter().any(|(l, c, m, _, _)| *l == line && *c == column && m.contains(message)),
        "expected {message:?} at {line}:{column}, got {all:#?}"
    );
}

#[test]
fn reports_every_syntax_error_with_its_line() {
    assert_finding("[porteur]\ntexte = \"non fermé\n", 6, 20, "syntaxe TOML invalide");
}

#[test]
fn reports_all_unknown_keys_in_one_pass_with_suggestions() {
    let all = findings(
        "[porteur]\nnon = \"x\"\n[[fonctionnement.partenaires.liste]]\nnom = \"A\"\nrolles = [\"services\"]\n",
    );
    assert_eq!(all.len(), 2, "{all:#?}");
    assert_finding("[porteur]\nnon = \"x\"\n", 6, 1, "clé inconnue `non`");
    let source = format!(
        "{HEAD}[[fonctionnement.partenaires.liste]]\nnom = \"A\"\nrolles = [\"services\"]\n"
    );
    let err = validate(Path::new("d.toml"), &source).unwrap_err();
    let first = err.errors.iter().find(|e| e.severity == Severity::Error).unwrap();
    assert_eq!(first.hint.as_deref(), Some("vouliez-vous dire `roles` ?"));
    assert_eq!(first.field.as_deref(), Some("fonctionnement.partenaires.liste[0].rolles"));
}

#[test]
fn reports_wrong_types_and_bad_values_together() {
    let body = "[[budget.fonctionnement.charges]]\nposte = \"Loyer\"\nmontant = \"12 000 €\"\n[[fonctionnement.partenaires.liste]]\nnom = \"A\"\nroles = [\"financier\"]\n";
    let all = findings(body);
    assert_eq!(all.len(), 2, "{all:#?}");
    assert_finding(body, 7, 11, "type invalide : texte « 12 000 € », attendu un nombre");
    assert_finding(body, 10, 10, "valeur non reconnue `financier`");
}

#[test]
fn reports_a_missing_required_field() {
    let all = findings("");
    assert!(all.is_empty());
    let source = "[cite]\nnom = \"X\"\ndate = 2026-01-01\n";
    let err = validate(Path::new("d.toml"), source).unwrap_err();
    assert!(err.errors[0].message.contains("champ obligatoire manquant : `label`"));
}

#[test]
fn reports_negative_amounts_and_percentages_out_of_range() {
    let body = "[[budget.fonctionnement.charges]]\nposte = \"Loyer\"\nmontant = -5\n[[contexte.social.indicateurs]]\nnom = \"Pauvreté\"\nvaleur = 140\nunite = \"%\"\nannee = 2021\nsource = \"Insee\"\n";
    assert_finding(body, 7, 11, "valeur négative");
    assert_finding(body, 10, 10, "pourcentage hors de 0 à 100");
}

#[test]
fn reports_statistics_from_the_future_and_reversed_dates() {
    let body = "[contexte.activites.secteurs]\nannee = 2030\nsource = \"Insee\"\npostes = [{ nom = \"a\", valeur = 1 }]\n[[complements.plan_amelioration.actions]]\naction = \"x\"\ndebut = 2027-05-01\nfin = 2027-01-01\n";
    assert_finding(body, 6, 9, "année 2030 postérieure à la date du dossier (2026)");
    assert_finding(body, 12, 7, "la fin de l'action précède son début");
}

#[test]
fn reports_unknown_partners_referenced_elsewhere() {
    let body = "[[fonctionnement.partenaires.liste]]\nnom = \"France Travail\"\nroles = [\"services\"]\n[[offre.espaces_conseil.liste]]\ntheme = \"Emploi\"\npartenaires = [\"France Travial\"]\n";
    assert_finding(body, 10, 16, "partenaire inconnu « France Travial »");
    let source = format!("{HEAD}{body}");
    let err = validate(Path::new("d.toml"), &source).unwrap_err();
    let first = err.errors.iter().find(|e| e.severity == Severity::Error).unwrap();
    assert!(first.hint.as_deref().unwrap().contains("vouliez-vous dire « France Travail »"));
}

#[test]
fn reports_totals_that_do_not_add_up() {
    let body = "[budget.fonctionnement]\ntotal = 1000\ncharges = [{ poste = \"a\", montant = 600 }, { poste = \"b\", montant = 300 }]\n";
    assert_finding(
        body,
        6,
        9,
        "le total indiqué (1\u{202f}000\u{a0}€) ne correspond pas à la somme des charges (900\u{a0}€)",
    );
}

#[test]
fn reports_invalid_and_overlapping_opening_hours() {
    let body = "[offre.horaires]\njours = [\n  { jour = \"lundi\", plages = [\"09:00-12:00\", \"11:00-14:00\"] },\n  { jour = \"mardy\", plages = [\"25:00-26:00\"] },\n]\n";
    assert_finding(body, 7, 46, "plages qui se chevauchent");
    assert_finding(body, 8, 12, "valeur non reconnue `mardy`");
    assert_finding(body, 8, 31, "plage horaire invalide « 25:00-26:00 »");
}

#[test]
fn reports_duplicate_names() {
    let body = "[[fonctionnement.partenaires.liste]]\nnom = \"Région\"\nroles = [\"financeur\"]\n[[fonctionnement.partenaires.liste]]\nnom = \"région\"\nroles = [\"services\"]\n";
    assert_finding(body, 9, 7, "« région » apparaît deux fois");
}

#[test]
fn warns_about_suspicious_but_possible_data() {
    let body = "[contexte.activites.secteurs]\npostes = [{ nom = \"a\", valeur = 1 }]\n[[fonctionnement.partenaires.liste]]\nnom = \"Sans rôle\"\n";
    let all = findings(body);
    assert!(all.iter().all(|f| f.4 == Severity::Warning), "{all:#?}");
    assert!(all.iter().any(|f| f.2.contains("statistique sans année")));
    assert!(all.iter().any(|f| f.2.contains("statistique sans source")));
    assert!(all.iter().any(|f| f.2.contains("n'a pas de rôle")));
}

#[test]
fn warns_about_characters_no_font_can_draw_naming_the_field() {
    let all = findings("[porteur]\ntexte = \"Bonjour 漢字 et 𓀀\"\n");
    let warning = all.iter().find(|f| f.2.contains("aucune police")).expect("a glyph warning");
    assert_eq!(warning.3, "porteur.texte");
    assert_eq!((warning.0, warning.1), (6, 9));
    assert!(warning.2.contains("U+6F22"));
}

#[test]
fn the_examples_are_valid() {
    for phase in ["projet", "prefiguration", "fonctionnement"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("data/{phase}/dossier.toml"));
        let source = std::fs::read_to_string(&path).unwrap();
        match validate(&path, &source) {
            Ok(v) => assert!(v.warnings.errors.is_empty(), "{phase}: {}", v.warnings),
            Err(e) => panic!("{phase}: {e}"),
        }
    }
}

/// The columns of a row type of the dossier, as a table file gives them.
fn table_columns(def: &str) -> Vec<super::Column> {
    let schema = crate::model::schema::dossier_schema();
    super::columns(&schema["$defs"][def])
}

/// The key each header names, or what went wrong.
fn headers(def: &str, headers: &[&str]) -> Vec<String> {
    let columns = table_columns(def);
    let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    super::match_headers(&headers, &columns)
        .into_iter()
        .map(|h| match h {
            super::Header::Column(i) => columns[i].key.clone(),
            other => format!("{other:?}"),
        })
        .collect()
}

#[test]
fn headers_name_columns_as_people_write_them() {
    assert_eq!(
        headers("Partenaire", &["Nom de la structure", "Catégorie", "Rôles", "Engagement"]),
        ["nom", "categorie", "roles", "engagement"]
    );
    assert_eq!(headers("LigneBudget", &["Poste de dépense", "Montant (€)"]), ["poste", "montant"]);
    assert_eq!(
        headers("Financement", &["Financeur", "MONTANT", "Nature", "Hors partenariat"]),
        ["partenaire", "montant", "nature", "hors_partenariat"]
    );
    assert_eq!(
        headers("Site", &["Site", "Type", "Commune", "Distance (km)", "Temps (min)"]),
        ["nom", "type", "commune", "distance_km", "temps_min"]
    );
    assert_eq!(
        headers("Materiel", &["Coût unitaire HT", "Quantité"]),
        ["cout_unitaire", "quantite"]
    );
}

#[test]
fn a_header_naming_no_column_or_one_twice_is_told_apart() {
    let found = headers("LigneBudget", &["Poste", "Poste de dépense", "Observations", ""]);
    let poste = table_columns("LigneBudget").iter().position(|c| c.key == "poste").unwrap();
    assert_eq!(found[1], format!("Duplicate({poste})"));
    assert!(found[2].starts_with("Unknown"), "{found:?}");
    assert_eq!(found[3], "Empty");
}
