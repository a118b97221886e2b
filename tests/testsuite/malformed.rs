//! A corpus of malformed dossiers, each with one deliberate error: every one is refused with
//! exit code 2, a French message located at the exact place of the error (in the dossier or in
//! the CSV file), and no PDF written. The place is marked `§` in the case's text.

use std::path::Path;

use crate::support::{normalize, run, scratch, stderr};

const HEAD: &str = "[cite]\nnom = \"Cité des métiers du Bocage\"\nlabel = \"fonctionnement\"\n\
    date = 2026-11-24\nporteur = \"Syndicat mixte\"\nterritoire = \"Bocage\"\n";

/// One malformed dossier: its files (the dossier is `dossier.toml`; `HEAD` is prepended unless
/// the text starts with `[cite]`) and the words the message must contain.
struct Case {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    message: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "syntaxe : chaîne non fermée",
        files: &[("dossier.toml", "[porteur]\ntexte = \"non fermé§\n")],
        message: "syntaxe TOML invalide",
    },
    Case {
        name: "clé inconnue",
        files: &[("dossier.toml", "[porteur]\n§nom_porteur = \"x\"\n")],
        message: "clé inconnue `nom_porteur`",
    },
    Case {
        name: "table inconnue",
        files: &[("dossier.toml", "[§partenaire]\nnom = \"x\"\n")],
        message: "clé inconnue `partenaire`",
    },
    Case {
        name: "montant entre guillemets",
        files: &[(
            "dossier.toml",
            "[[budget.fonctionnement.charges]]\nposte = \"Loyer\"\nmontant = §\"12 000 €\"\n",
        )],
        message: "type invalide",
    },
    Case {
        name: "montant nan",
        files: &[(
            "dossier.toml",
            "[[budget.fonctionnement.charges]]\nposte = \"Loyer\"\nmontant = §nan\n",
        )],
        message: "nombre invalide « nan »",
    },
    Case {
        name: "valeur infinie",
        files: &[(
            "dossier.toml",
            "[[contexte.social.indicateurs]]\nnom = \"Taux de pauvreté\"\nvaleur = §inf\nunite = \"%\"\n",
        )],
        message: "nombre invalide « inf »",
    },
    Case {
        name: "date du dossier qui n'existe pas",
        files: &[(
            "dossier.toml",
            "[cite]\nnom = \"X\"\nlabel = \"projet\"\ndate = §\"2026-02-30\"\n",
        )],
        message: "date invalide « 2026-02-30 » : le 30 février 2026 n'existe pas",
    },
    Case {
        name: "date hors de la plage admise (un chiffre de trop dans l'année)",
        files: &[(
            "dossier.toml",
            "[complements.plan_amelioration]\n[[complements.plan_amelioration.actions]]\naction = \"A\"\ndebut = 2026-01-01\nfin = §\"275760-02-15\"\n",
        )],
        message: "l'année 275760 est hors de la plage admise (1900 à 2100)",
    },
    Case {
        name: "date avec une heure",
        files: &[(
            "dossier.toml",
            "[cite]\nnom = \"X\"\nlabel = \"projet\"\ndate = §2026-11-24T10:00:00\n",
        )],
        message: "date attendue",
    },
    Case {
        name: "date d'action au mauvais format",
        files: &[(
            "dossier.toml",
            "[[complements.plan_amelioration.actions]]\naction = \"A\"\ndebut = §\"12/03/2026\"\nfin = 2026-04-01\n",
        )],
        message: "date invalide « 12/03/2026 »",
    },
    Case {
        name: "entier au-delà de 64 bits",
        files: &[(
            "dossier.toml",
            "[[budget.fonctionnement.charges]]\nposte = \"Loyer\"\nmontant = §99999999999999999999\n",
        )],
        message: "nombre trop grand : 99999999999999999999",
    },
    Case {
        name: "décimal infini",
        files: &[(
            "dossier.toml",
            "[[budget.fonctionnement.charges]]\nposte = \"Loyer\"\nmontant = §1e400\n",
        )],
        message: "nombre trop grand : 1e400",
    },
    Case {
        name: "nature de financement inconnue",
        files: &[(
            "dossier.toml",
            "[[budget.fonctionnement.financements]]\npartenaire = \"FSE+\"\nhors_partenariat = true\nmontant = 1000\nnature = §\"Subvention\"\n",
        )],
        message: "valeur non reconnue `Subvention`",
    },
    Case {
        name: "priorité inconnue",
        files: &[(
            "dossier.toml",
            "[[complements.plan_amelioration.remarques]]\ncritere = \"Accueil\"\npriorite = §\"urgente\"\n",
        )],
        message: "valeur non reconnue `urgente`",
    },
    Case {
        name: "état inconnu",
        files: &[(
            "dossier.toml",
            "[[complements.plan_amelioration.actions]]\naction = \"A\"\ndebut = 2026-01-01\nfin = 2026-02-01\netat = §\"fini\"\n",
        )],
        message: "valeur non reconnue `fini`",
    },
    Case {
        name: "jour mal écrit",
        files: &[(
            "dossier.toml",
            "[offre.horaires]\njours = [{ jour = §\"lundy\", plages = [\"09:00-12:00\"] }]\n",
        )],
        message: "vouliez-vous dire `lundi`",
    },
    Case {
        name: "rôle mal écrit",
        files: &[(
            "dossier.toml",
            "[[fonctionnement.partenaires.liste]]\nnom = \"A\"\nroles = [§\"financier\"]\n",
        )],
        message: "vouliez-vous dire `financeur`",
    },
    Case {
        name: "label inconnu",
        files: &[(
            "dossier.toml",
            "[cite]\nnom = \"X\"\nlabel = §\"definitif\"\ndate = 2026-01-01\n",
        )],
        message: "valeur non reconnue `definitif`",
    },
    Case {
        name: "nom de la Cité manquant",
        files: &[("dossier.toml", "§[cite]\nlabel = \"projet\"\ndate = 2026-01-01\n")],
        message: "champ obligatoire manquant : `nom`",
    },
    Case {
        name: "site sans type",
        files: &[(
            "dossier.toml",
            "§[[implantation.equite.sites]]\nnom = \"Mairie\"\ncommune = \"Bourg\"\n",
        )],
        message: "champ obligatoire manquant : `type`",
    },
    Case {
        name: "liste de tables écrite comme une table",
        files: &[("dossier.toml", "[fonctionnement.partenaires]\nliste = §{ nom = \"A\" }\n")],
        message: "type invalide",
    },
    Case {
        name: "année hors limites",
        files: &[("dossier.toml", "[contexte.activites.secteurs]\nannee = §99999999999\n")],
        message: "nombre hors limites",
    },
    Case {
        name: "série plus courte que les périodes",
        files: &[(
            "dossier.toml",
            "[contexte.social.chomage]\nsource = \"Insee\"\nperiodes = [\"2021\", \"2022\", \"2023\"]\nseries = [{ nom = \"Zone\", valeurs = §[7.1, 6.9] }]\n",
        )],
        message: "2 valeurs pour 3 périodes",
    },
    Case {
        name: "série plus longue que les périodes",
        files: &[(
            "dossier.toml",
            "[contexte.social.chomage]\nsource = \"Insee\"\nperiodes = [\"2022\", \"2023\"]\nseries = [{ nom = \"Zone\", valeurs = §[7.1, 6.9, 6.5] }]\n",
        )],
        message: "3 valeurs pour 2 périodes",
    },
    Case {
        name: "valeur de série non numérique",
        files: &[(
            "dossier.toml",
            "[contexte.social.chomage]\nperiodes = [\"2022\", \"2023\"]\nseries = [{ nom = \"Zone\", valeurs = [7.1, §\"?\"] }]\n",
        )],
        message: "valeur non reconnue « ? »",
    },
    Case {
        name: "onze mois de visites",
        files: &[(
            "dossier.toml",
            "[complements.rapport_activite]\nannee = 2025\nvisites_par_mois = §[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n",
        )],
        message: "11 valeurs au lieu de 12",
    },
    Case {
        name: "partenaire inconnu",
        files: &[(
            "dossier.toml",
            "[[fonctionnement.partenaires.liste]]\nnom = \"France Travail\"\nroles = [\"services\"]\n[[offre.espaces_conseil.liste]]\ntheme = \"Emploi\"\npartenaires = [§\"France Travial\"]\n",
        )],
        message: "partenaire inconnu « France Travial »",
    },
    Case {
        name: "financeur inconnu",
        files: &[(
            "dossier.toml",
            "[[fonctionnement.partenaires.liste]]\nnom = \"Région\"\nroles = [\"financeur\"]\n[[budget.fonctionnement.financements]]\npartenaire = §\"FSE+\"\nmontant = 1000\n",
        )],
        message: "hors_partenariat = true",
    },
    Case {
        name: "plages qui se chevauchent",
        files: &[(
            "dossier.toml",
            "[offre.horaires]\njours = [{ jour = \"lundi\", plages = [\"09:00-12:00\", §\"11:30-13:00\"] }]\n",
        )],
        message: "plages qui se chevauchent",
    },
    Case {
        name: "plage horaire illisible",
        files: &[(
            "dossier.toml",
            "[offre.horaires]\njours = [{ jour = \"lundi\", plages = [§\"le matin\"] }]\n",
        )],
        message: "plage horaire invalide",
    },
    Case {
        name: "montant négatif",
        files: &[(
            "dossier.toml",
            "[[budget.fonctionnement.charges]]\nposte = \"Loyer\"\nmontant = §-74200\n",
        )],
        message: "valeur négative",
    },
    Case {
        name: "pourcentage au-dessus de 100",
        files: &[(
            "dossier.toml",
            "[[contexte.social.indicateurs]]\nnom = \"Taux\"\nvaleur = §116.8\nunite = \"%\"\nsource = \"Insee\"\n",
        )],
        message: "pourcentage hors de 0 à 100",
    },
    Case {
        name: "statistique venue du futur",
        files: &[(
            "dossier.toml",
            "[[contexte.social.indicateurs]]\nnom = \"Taux\"\nvaleur = 16.8\nunite = \"%\"\nsource = \"Insee\"\nannee = §2031\n",
        )],
        message: "année 2031 postérieure",
    },
    Case {
        name: "action qui finit avant de commencer",
        files: &[(
            "dossier.toml",
            "[[complements.plan_amelioration.actions]]\naction = \"A\"\ndebut = 2027-06-01\nfin = §2027-01-15\n",
        )],
        message: "la fin de l'action précède son début",
    },
    Case {
        name: "total faux",
        files: &[(
            "dossier.toml",
            "[budget.fonctionnement]\ntotal = §1000\n[[budget.fonctionnement.charges]]\nposte = \"Loyer\"\nmontant = 900\n",
        )],
        message: "ne correspond pas à la somme des charges",
    },
    Case {
        name: "partenaire en double",
        files: &[(
            "dossier.toml",
            "[[fonctionnement.partenaires.liste]]\nnom = \"Région\"\nroles = [\"financeur\"]\n[[fonctionnement.partenaires.liste]]\nnom = §\"région\"\nroles = [\"services\"]\n",
        )],
        message: "apparaît deux fois",
    },
    Case {
        name: "annexe d'un type inconnu",
        files: &[
            ("dossier.toml", "[[annexes]]\ntitre = \"Plan\"\nfichier = §\"plan.docx\"\n"),
            ("plan.docx", "x"),
        ],
        message: "type de fichier non pris en charge",
    },
    Case {
        name: "annexe introuvable",
        files: &[(
            "dossier.toml",
            "[[annexes]]\ntitre = \"Plan\"\nfichier = §\"plan.png\"\ndescription = \"Plan\"\n",
        )],
        message: "fichier introuvable",
    },
    Case {
        name: "annexe hors du dossier",
        files: &[(
            "dossier.toml",
            "[[annexes]]\ntitre = \"Plan\"\nfichier = §\"../plan.png\"\ndescription = \"Plan\"\n",
        )],
        message: "chemin refusé",
    },
    Case {
        name: "annexe citant un item absent du plan",
        files: &[
            (
                "dossier.toml",
                "[[annexes]]\ntitre = \"Plan\"\nfichier = \"plan.svg\"\ndescription = \"Plan\"\nitems = [§\"9.9\"]\n",
            ),
            ("plan.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>"),
        ],
        message: "item « 9.9 » absent du plan",
    },
    Case {
        name: "couleur illisible",
        files: &[("dossier.toml", "[apparence]\ncouleur_principale = §\"bleu\"\n")],
        message: "couleur non reconnue",
    },
    Case {
        name: "contour qui n'est pas du GeoJSON",
        files: &[
            ("dossier.toml", "[implantation.equite]\ncontour = §\"territoire.geojson\"\n"),
            ("territoire.geojson", "pas du json"),
        ],
        message: "fichier GeoJSON illisible",
    },
    Case {
        name: "contour sans polygone",
        files: &[
            ("dossier.toml", "[implantation.equite]\ncontour = §\"territoire.geojson\"\n"),
            ("territoire.geojson", "{\"type\":\"Point\",\"coordinates\":[0,0]}"),
        ],
        message: "aucun polygone",
    },
    Case {
        name: "CSV : colonne inconnue",
        files: &[
            (
                "dossier.toml",
                "[fonctionnement.partenaires]\nliste = { fichier = \"partenaires.csv\" }\n",
            ),
            ("partenaires.csv", "nom;§adresse\nFrance Travail;Lille\n"),
        ],
        message: "partenaires.csv, ligne 1, colonne B (adresse) : colonne inconnue « adresse »",
    },
    Case {
        name: "CSV : colonne obligatoire manquante",
        files: &[
            ("dossier.toml", "[implantation.equite]\nsites = { fichier = \"sites.csv\" }\n"),
            ("sites.csv", "§nom;commune\nMairie;Bourg\n"),
        ],
        message: "sites.csv, ligne 1 : colonne obligatoire manquante : type",
    },
    Case {
        name: "CSV : nombre illisible dans une colonne facultative",
        files: &[
            (
                "dossier.toml",
                "[fonctionnement.moyens_humains]\nfonctions_usagers = { fichier = \"fonctions.csv\" }\n",
            ),
            ("fonctions.csv", "fonction;missions;etp\nAccueil;Accueillir;§beaucoup\n"),
        ],
        message: "fonctions.csv, ligne 2, colonne C (etp) : « beaucoup » n'est pas un nombre",
    },
    Case {
        name: "CSV : valeur d'une liste fermée inconnue",
        files: &[
            (
                "dossier.toml",
                "[budget.fonctionnement]\nfinancements = { fichier = \"financements.csv\" }\n",
            ),
            (
                "financements.csv",
                "partenaire;montant;nature;hors_partenariat\nFSE+;1000;§subvention;oui\n",
            ),
        ],
        message: "valeur non reconnue « subvention »",
    },
    Case {
        name: "CSV : date qui n'existe pas",
        files: &[
            (
                "dossier.toml",
                "[complements.plan_amelioration]\nactions = { fichier = \"actions.csv\" }\n",
            ),
            ("actions.csv", "action;debut;fin\nA;§31/02/2026;01/04/2026\n"),
        ],
        message: "date invalide",
    },
    Case {
        name: "CSV : valeur obligatoire vide",
        files: &[
            ("dossier.toml", "[implantation.equite]\nsites = { fichier = \"sites.csv\" }\n"),
            ("sites.csv", "nom;type;commune\nMairie;§;Bourg\n"),
        ],
        message: "sites.csv, ligne 2, colonne B (type) : cellule vide",
    },
    Case {
        name: "CSV : guillemet jamais refermé",
        files: &[
            (
                "dossier.toml",
                "[fonctionnement.partenaires]\nliste = { fichier = \"partenaires.csv\" }\n",
            ),
            ("partenaires.csv", "nom;categorie\r\nMairie;x\r\n§\"France Travail;x\r\n"),
        ],
        message: "partenaires.csv, ligne 3, colonne A : guillemet jamais refermé",
    },
    Case {
        name: "CSV : nan dans une colonne de montants",
        files: &[
            ("dossier.toml", "[budget.fonctionnement]\ncharges = { fichier = \"charges.csv\" }\n"),
            ("charges.csv", "poste;montant\nLoyer;§nan\n"),
        ],
        message: "« nan » n'est pas un nombre",
    },
    Case {
        name: "latitude hors du globe",
        files: &[(
            "dossier.toml",
            "[[implantation.equite.sites]]\nnom = \"Mairie\"\ntype = \"principal\"\nlatitude = §147\nlongitude = 2.1\n",
        )],
        message: "une latitude est comprise entre −90 et 90",
    },
    Case {
        name: "soixante semaines par an",
        files: &[("dossier.toml", "[offre.horaires]\nsemaines_par_an = §60\n")],
        message: "au plus 53 semaines",
    },
    Case {
        name: "montant démesuré",
        files: &[(
            "dossier.toml",
            "[[budget.fonctionnement.charges]]\nposte = \"Loyer\"\nmontant = §9223372036854775807\n",
        )],
        message: "valeur hors limites",
    },
    Case {
        name: "nom de partenaire vide",
        files: &[(
            "dossier.toml",
            "[[fonctionnement.partenaires.liste]]\nnom = §\"  \"\nroles = [\"services\"]\n",
        )],
        message: "nom vide",
    },
    Case {
        name: "espace de largeur nulle collée",
        files: &[("dossier.toml", "[porteur]\ntexte = §\"Le porteur\\u200B.\"\n")],
        message: "caractère invisible U+200B",
    },
    Case {
        name: "plage horaire en CSV",
        files: &[
            ("dossier.toml", "[offre.horaires]\njours = { fichier = \"jours.csv\" }\n"),
            ("jours.csv", "jour;plages\nlundi;§9h-midi\n"),
        ],
        message: "plage horaire invalide",
    },
    Case {
        name: "nom qui ne diffère que par un tiret",
        files: &[(
            "dossier.toml",
            "[[fonctionnement.partenaires.liste]]\nnom = \"Mission locale Val–de–Lys\"\nroles = [\"services\"]\n[[offre.espaces_conseil.liste]]\ntheme = \"Emploi\"\npartenaires = [§\"Mission locale Val-de-Lys\"]\n",
        )],
        message: "écrit « - » (U+002D) au lieu de « – » (U+2013)",
    },
    Case {
        name: "annexe PNG qui n'en est pas une",
        files: &[
            (
                "dossier.toml",
                "[[annexes]]\ntitre = \"Plan\"\nfichier = §\"plan.png\"\ndescription = \"Plan\"\n",
            ),
            ("plan.png", "PK document Word renommé"),
        ],
        message: "n'est pas une image PNG lisible",
    },
    Case {
        name: "annexes en CSV",
        files: &[
            (
                "dossier.toml",
                "annexes = §{ fichier = \"annexes.csv\" }\n[cite]\nnom = \"X\"\nlabel = \"projet\"\ndate = 2026-01-01\nporteur = \"P\"\nterritoire = \"T\"\n",
            ),
            ("annexes.csv", "titre;fichier\nA;a.png\n"),
        ],
        message: "type invalide",
    },
];

/// The text without its `§` marker, and the line and column (from 1, in characters) of the
/// marker.
fn marked(text: &str) -> (String, Option<(usize, usize)>) {
    let Some(at) = text.find('§') else { return (text.to_string(), None) };
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap().chars().count() + 1;
    (text.replacen('§', "", 1), Some((line, column)))
}

/// Writes a case's files into `dir`; returns the expected "file:line:col".
fn write_case(case: &Case, dir: &Path) -> String {
    let mut place = None;
    for (name, text) in case.files {
        let text = if *name == "dossier.toml" && !text.contains("[cite]") {
            format!("{HEAD}{text}")
        } else {
            text.to_string()
        };
        let (clean, at) = marked(&text);
        std::fs::write(dir.join(name), clean).unwrap();
        if let Some((line, column)) = at {
            place = Some(format!("{name}:{line}:{column}"));
        }
    }
    place.unwrap_or_else(|| panic!("{}: no § marker", case.name))
}

#[test]
fn every_malformed_dossier_is_refused_with_a_located_french_message_and_no_pdf() {
    assert!(CASES.len() >= 40, "{} cases", CASES.len());
    let mut failures = Vec::new();
    for (i, case) in CASES.iter().enumerate() {
        let dir = scratch(&format!("malformed-{i}"));
        let place = write_case(case, &dir);
        let input = dir.join("dossier.toml");
        let out = dir.join("dossier.pdf");
        let output = run(&[input.to_str().unwrap(), "-o", out.to_str().unwrap()]);
        let message = normalize(&stderr(&output));
        let mut problems = Vec::new();
        if output.status.code() != Some(2) {
            problems.push(format!("exit code {:?}", output.status.code()));
        }
        if !message.contains(&place) {
            problems.push(format!("place {place} not given"));
        }
        if !message.contains(&normalize(case.message)) {
            problems.push(format!("message {:?} missing", case.message));
        }
        let english = [
            "expected",
            "invalid ",
            "missing field",
            "unknown field",
            "error:",
            "os error",
            "No such file",
            "stream did not",
        ];
        for english in english {
            if message.contains(english) {
                problems.push(format!("English text {english:?}"));
            }
        }
        if out.exists() {
            problems.push("a PDF was written".into());
        }
        if !problems.is_empty() {
            failures.push(format!("{} — {}:\n{message}", case.name, problems.join(", ")));
        }
    }
    assert!(failures.is_empty(), "{} cases failed:\n\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn eight_errors_of_every_kind_come_in_one_run() {
    let dir = scratch("eight-errors");
    std::fs::write(
        dir.join("dossier.toml"),
        format!(
            "{HEAD}[porteur]\nnon = \"x\"\n\
             [[fonctionnement.partenaires.liste]]\nnom = \"France Travail\"\nroles = [\"services\"]\n\
             [[offre.espaces_conseil.liste]]\ntheme = \"Emploi\"\npartenaires = [\"France Travial\"]\n\
             [[budget.fonctionnement.financements]]\npartenaire = \"France Travail\"\nmontant = 10\nnature = \"Subvention\"\n\
             [contexte.social.chomage]\nsource = \"Insee\"\nperiodes = [\"2022\", \"2023\"]\nseries = [{{ nom = \"Zone\", valeurs = [7.1] }}]\n\
             [[complements.plan_amelioration.actions]]\naction = \"A\"\ndebut = \"2026-02-30\"\nfin = 2026-04-01\n\
             [[budget.fonctionnement.charges]]\nposte = \"Loyer\"\nmontant = nan\n\
             [offre.horaires]\njours = [{{ jour = \"lundi\", plages = [\"09:00-12:00\", \"11:30-13:00\"] }}]\n\
             [fonctionnement.moyens_humains]\nfonctions_usagers = {{ fichier = \"fonctions.csv\" }}\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("fonctions.csv"), "fonction;etp\nAccueil;0,8\nDirection;un\n").unwrap();
    let input = dir.join("dossier.toml");
    let output = run(&[input.to_str().unwrap()]);
    let message = normalize(&stderr(&output));
    assert_eq!(output.status.code(), Some(2), "{message}");
    for expected in [
        "clé inconnue `non`",
        "partenaire inconnu « France Travial »",
        "valeur non reconnue `Subvention`",
        "1 valeurs pour 2 périodes",
        "date invalide « 2026-02-30 »",
        "nombre invalide « nan »",
        "fonctions.csv:3:11",
        "« un » n'est pas un nombre",
        "plages qui se chevauchent",
        "8 erreurs dans le dossier",
    ] {
        assert!(message.contains(expected), "{expected:?} missing from:\n{message}");
    }
    assert!(!message.contains(":1:1"), "an error placed at 1:1:\n{message}");
}

#[test]
fn a_fifo_named_as_outline_annex_or_table_gives_a_prompt_located_error() {
    let cases = [
        ("[implantation.equite]\ncontour = §\"t.geojson\"\n", "t.geojson"),
        (
            "[[annexes]]\ntitre = \"Plan\"\nfichier = §\"plan.png\"\ndescription = \"Plan\"\n",
            "plan.png",
        ),
        ("[fonctionnement.partenaires]\nliste = { fichier = §\"p.csv\" }\n", "p.csv"),
    ];
    for (i, (body, fifo)) in cases.into_iter().enumerate() {
        let dir = scratch(&format!("fifo-{i}"));
        let (text, at) = marked(&format!("{HEAD}{body}"));
        std::fs::write(dir.join("dossier.toml"), text).unwrap();
        let made = std::process::Command::new("mkfifo").arg(dir.join(fifo)).status().unwrap();
        assert!(made.success(), "mkfifo");
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cdm-render"))
            .arg(dir.join("dossier.toml"))
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let start = std::time::Instant::now();
        // A deadline for a hang, not a timing assertion: reading a FIFO would wait forever.
        while child.try_wait().unwrap().is_none() {
            if start.elapsed() > std::time::Duration::from_secs(60) {
                let _ = child.kill();
                panic!("{fifo}: the render hangs on a FIFO");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let output = child.wait_with_output().unwrap();
        let message = normalize(&String::from_utf8_lossy(&output.stderr));
        let (line, column) = at.unwrap();
        assert_eq!(output.status.code(), Some(2), "{message}");
        assert!(message.contains("n'est pas un fichier ordinaire"), "{message}");
        assert!(message.contains(&format!("dossier.toml:{line}:{column}")), "{message}");
    }
}

/// A French way of writing, or a list left open, in the middle of a whole dossier (the
/// fonctionnement example): exactly one error, at the place of the slip (`§`), whose hint shows
/// what to write — not the parser's cascade, and never « 0 erreur ».
#[test]
fn one_slip_in_a_whole_dossier_is_one_error_that_shows_what_to_write() {
    let example =
        std::fs::read_to_string(crate::support::root().join("data/fonctionnement/dossier.toml"))
            .unwrap();
    let first = |needle: &str| {
        example.find(needle).unwrap_or_else(|| panic!("{needle} not in the example"))
    };
    // (what, text to replace, its replacement with the § marker, words of the message and hint)
    let slips: &[(&str, &str, &str, &[&str])] = &[
        ("virgule décimale", "surface_m2 = ", "surface_m2 = §11,9 #", &["virgule", "écrivez 11.9"]),
        (
            "chiffres groupés",
            "surface_m2 = ",
            "surface_m2 = §54 000 #",
            &["espaces", "écrivez 54000"],
        ),
        ("date à la française", "date = 20", "date = §15/12/2026 #20", &["écrivez 2026-12-15"]),
        (
            "date à la française entre guillemets",
            "date = 20",
            "date = §\"15/12/2026\" #20",
            &["écrivez 2026-12-15"],
        ),
        (
            "nombre entier trop grand",
            "surface_m2 = ",
            "surface_m2 = §99999999999999999999 #",
            &["nombre trop grand"],
        ),
        (
            "nombre décimal trop grand",
            "surface_m2 = ",
            "surface_m2 = §1e400 #",
            &["nombre trop grand"],
        ),
    ];
    let mut failures = Vec::new();
    let mut check = |name: &str, text: String, words: &[&str]| {
        let dir = scratch(&format!("slip-{}", name.replace(' ', "-")));
        for entry in std::fs::read_dir(crate::support::root().join("data/fonctionnement")).unwrap()
        {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
            }
        }
        let (clean, at) = marked(&text);
        let (line, column) = at.unwrap();
        std::fs::write(dir.join("dossier.toml"), clean).unwrap();
        let output = run(&["check", dir.join("dossier.toml").to_str().unwrap()]);
        let message = normalize(&stderr(&output));
        let place = format!("dossier.toml:{line}:{column}");
        let mut problems = Vec::new();
        if output.status.code() != Some(2) {
            problems.push(format!("exit code {:?}", output.status.code()));
        }
        if !message.contains(&place) {
            problems.push(format!("place {place} not given"));
        }
        if !message.contains("1 erreur dans le dossier") {
            problems.push("not exactly one error".to_string());
        }
        for word in words {
            if !message.contains(&normalize(word)) {
                problems.push(format!("{word:?} missing"));
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{name} — {}:\n{message}", problems.join(", ")));
        }
    };
    for (name, needle, replacement, words) in slips {
        let at = first(needle);
        let text = format!("{}{}{}", &example[..at], replacement, &example[at + needle.len()..]);
        check(name, text, words);
    }
    // The first multi-line list of the example loses its closing `]`: the rest of the file would
    // be read into it (hundreds of parser messages).
    let open = first("= [\n");
    let close = open + example[open..].find("\n]\n").unwrap();
    let text = format!(
        "{}§{}{}",
        &example[..open + 2],
        &example[open + 2..close + 1],
        &example[close + 3..]
    );
    check("liste non fermée", text, &["jamais fermée", "ajoutez `]`"]);
    assert!(failures.is_empty(), "{} cases failed:\n\n{}", failures.len(), failures.join("\n\n"));
}

/// A malformed workbook: the sheet `Charges` written with these rows (or a fixture file), the
/// dossier's reference to it, and the place and words of the one error.
struct WorkbookCase {
    name: &'static str,
    rows: &'static [&'static [WorkbookCell]],
    fixture: Option<&'static str>,
    reference: &'static str,
    place: &'static str,
    message: &'static str,
}

enum WorkbookCell {
    Text(&'static str),
    Number(f64),
    Date(u16, u8, u8),
}

const WORKBOOK_CASES: &[WorkbookCase] = &[
    WorkbookCase {
        name: "feuille absente",
        rows: &[&[WorkbookCell::Text("Poste"), WorkbookCell::Text("Montant")]],
        fixture: None,
        reference: "{ fichier = \"t.xlsx\", feuille = §\"Budget\" }",
        place: "",
        message: "le classeur t.xlsx n'a pas de feuille « Budget »",
    },
    WorkbookCase {
        name: "formule sans valeur",
        rows: &[],
        fixture: Some("formule-sans-valeur.xlsx"),
        reference: "{ fichier = \"formule-sans-valeur.xlsx\", feuille = \"Charges\" }",
        place: "formule-sans-valeur.xlsx › Charges › B3 (Montant)",
        message: "la formule de cette cellule n'a pas de valeur",
    },
    WorkbookCase {
        name: "texte dans une colonne de nombres",
        rows: &[
            &[WorkbookCell::Text("Poste"), WorkbookCell::Text("Montant")],
            &[WorkbookCell::Text("Loyer"), WorkbookCell::Number(12_000.0)],
            &[WorkbookCell::Text("Personnel"), WorkbookCell::Text("beaucoup")],
        ],
        fixture: None,
        reference: "{ fichier = \"t.xlsx\", feuille = \"Charges\" }",
        place: "t.xlsx › Charges › B3 (Montant)",
        message: "« beaucoup » n'est pas un nombre",
    },
    WorkbookCase {
        name: "date dans une colonne de texte",
        rows: &[
            &[WorkbookCell::Text("Poste"), WorkbookCell::Text("Montant")],
            &[WorkbookCell::Date(2026, 12, 15), WorkbookCell::Number(12_000.0)],
        ],
        fixture: None,
        reference: "{ fichier = \"t.xlsx\", feuille = \"Charges\" }",
        place: "t.xlsx › Charges › A2 (Poste)",
        message: "cette cellule contient une date (2026-12-15), la colonne attend un texte",
    },
];

#[test]
fn every_malformed_workbook_is_refused_at_its_sheet_and_cell_and_no_pdf() {
    for (i, case) in WORKBOOK_CASES.iter().enumerate() {
        let dir = scratch(&format!("malformed-workbook-{i}"));
        match case.fixture {
            Some(name) => {
                let fixture = crate::support::root().join("tests/fixtures/classeur").join(name);
                std::fs::copy(fixture, dir.join(name)).unwrap();
            }
            None => {
                let mut book = rust_xlsxwriter::Workbook::new();
                let sheet = book.add_worksheet();
                sheet.set_name("Charges").unwrap();
                let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
                for (r, row) in case.rows.iter().enumerate() {
                    for (c, cell) in row.iter().enumerate() {
                        let (r, c) = (r as u32, c as u16);
                        match cell {
                            WorkbookCell::Text(t) => sheet.write_string(r, c, *t),
                            WorkbookCell::Number(n) => sheet.write_number(r, c, *n),
                            WorkbookCell::Date(y, m, d) => {
                                let day = rust_xlsxwriter::ExcelDateTime::from_ymd(*y, *m, *d);
                                sheet.write_date_with_format(r, c, day.unwrap(), &date)
                            }
                        }
                        .unwrap();
                    }
                }
                book.save(dir.join("t.xlsx")).unwrap();
            }
        }
        let text = format!("{HEAD}[budget.fonctionnement]\ncharges = {}\n", case.reference);
        let (text, at) = marked(&text);
        std::fs::write(dir.join("dossier.toml"), text).unwrap();
        let place = match at {
            Some((line, column)) => format!("dossier.toml:{line}:{column}"),
            None => case.place.to_string(),
        };
        let input = dir.join("dossier.toml");
        let out = dir.join("dossier.pdf");
        let output = run(&[input.to_str().unwrap(), "-o", out.to_str().unwrap()]);
        let message = normalize(&stderr(&output));
        assert_eq!(output.status.code(), Some(2), "{}: {message}", case.name);
        assert!(message.contains(&place), "{}: place {place} not in\n{message}", case.name);
        assert!(message.contains(case.message), "{}: {message}", case.name);
        // The fixture made by a program holds two more slips (tests/fixtures/classeur).
        let count = if case.fixture.is_some() { "3 erreurs" } else { "1 erreur dans" };
        assert!(message.contains(count), "{}: {message}", case.name);
        assert!(!out.exists(), "{}: a PDF was written", case.name);
    }
}
