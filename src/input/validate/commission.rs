//! The checks a labelling commission makes on reading a dossier: a breakdown larger than its
//! total, a count written in a text that the dossier's own list contradicts, writer's notes
//! left in a text, a funding only applied for counted as secured, hours of one day given as a
//! week's. Warnings naming both places; errors under `--strict` (the caller decides).

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::Finding;
use crate::fr::{format_auto, number_word};
use crate::model::figures::KeyFigures;
use crate::model::{Dossier, StatutEngagement};

/// Runs every check of the commission on a dossier and on `json`, the same dossier as a JSON
/// value (its texts are walked leaf by leaf).
pub fn check(d: &Dossier, json: &Value) -> Vec<Finding> {
    let mut out = Vec::new();
    breakdowns(d, &mut out);
    funding_applied_for(d, &mut out);
    one_day_of_hours(d, &mut out);
    let lists = lists(d);
    super::for_each_leaf(json, "", &mut |path, leaf| {
        if let Value::String(text) = leaf {
            out.extend(writer_note(path, text));
            counts_in_text(path, text, &lists, &mut out);
        }
    });
    out
}

/// A breakdown adds up to no more than its total: the visits by service (3.3) of a year and
/// that year's visits.
fn breakdowns(d: &Dossier, out: &mut Vec<Finding>) {
    let attendance = &d.offre.frequentation;
    let Some(year) = attendance.par_service_annee else { return };
    let parts: f64 = attendance.par_service.iter().map(|p| p.valeur).sum();
    let Some((i, total)) = attendance.annuelle.iter().enumerate().find(|(_, a)| a.annee == year)
    else {
        return;
    };
    if parts > total.valeur + 0.5 {
        let n = |v: f64| format_auto(v, 0);
        out.push(
            Finding::warning(
                "offre.frequentation.par_service",
                format!(
                    "les visites par service de {year} font {} en tout, plus que les {} visites de l'année",
                    n(parts),
                    n(total.valeur)
                ),
                Some("une répartition ne dépasse pas son total : corrigez les lignes ou le total de l'année".into()),
            )
            .also(&format!("offre.frequentation.annuelle[{i}].valeur"), format!("{} visites", n(total.valeur))),
        );
    }
}

/// A funding line of a partner only applied to, or still in discussion, is not secured: the
/// line says so (`sollicite = true`) or the budget counts it as acquired.
fn funding_applied_for(d: &Dossier, out: &mut Vec<Finding>) {
    let partners = &d.fonctionnement.partenaires.liste;
    let fold = crate::model::vocab::fold;
    for (budget, detail) in
        [("fonctionnement", &d.budget.fonctionnement), ("investissement", &d.budget.investissement)]
    {
        for (i, line) in detail.financements.iter().enumerate().filter(|(_, l)| !l.sollicite) {
            let found = partners.iter().enumerate().find(|(_, p)| {
                fold(&p.nom) == fold(&line.partenaire)
                    && matches!(
                        p.statut,
                        StatutEngagement::Sollicite | StatutEngagement::EnDiscussion
                    )
            });
            if let Some((j, partner)) = found {
                out.push(
                    Finding::warning(
                        &format!("budget.{budget}.financements[{i}]"),
                        format!(
                            "le financement de « {} » est compté comme acquis, mais ce partenaire est « {} » en 4.1",
                            line.partenaire,
                            partner.statut.label().to_lowercase()
                        ),
                        Some("écrivez `sollicite = true` sur la ligne tant que le financement n'est pas accordé".into()),
                    )
                    .also(&format!("fonctionnement.partenaires.liste[{j}].statut"), "statut du partenaire".into()),
                );
            }
        }
    }
}

/// Opening hours given for a single day are not a week's hours.
fn one_day_of_hours(d: &Dossier, out: &mut Vec<Finding>) {
    let figures = KeyFigures::new(d);
    if figures.horaires.is_some_and(|h| h.partiel) {
        out.push(Finding::warning(
            "offre.horaires.jours",
            "horaires donnés pour un seul jour : le dossier ne peut pas en tirer d'heures d'ouverture par semaine".into(),
            Some("indiquez chaque jour d'ouverture de la semaine, avec ses plages".into()),
        ));
    }
}

/// Notes a writer leaves for later, printed as they are if nobody removes them.
static NOTES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i:à remplacer|à compléter|à vérifier|lorem ipsum|\blorem\b)|\bTODO\b|\bXXX\b|\?\?|\[(?:…|\.\.\.)\]")
        .expect("the pattern of writer's notes compiles")
});

fn writer_note(path: &str, text: &str) -> Option<Finding> {
    let note = NOTES.find(text)?;
    Some(Finding::warning(
        path,
        format!("note de rédaction laissée dans le texte : « {} »", note.as_str()),
        Some("elle serait imprimée telle quelle dans le dossier : complétez ou retirez-la".into()),
    ))
}

/// A list of the dossier that a text may count: its nouns (singular and plural), its path and
/// its count.
struct List {
    nouns: &'static [&'static str],
    field: &'static str,
    count: usize,
    /// The texts where the noun names this list (« structures » names the partners in 2 and
    /// 4.1 only; elsewhere it is any organisation of the territory); empty: every text.
    scope: &'static [&'static str],
}

fn lists(d: &Dossier) -> Vec<List> {
    let f = KeyFigures::new(d);
    let plan = &d.complements.plan_amelioration;
    vec![
        List {
            nouns: &["partenaire", "partenaires"],
            field: "fonctionnement.partenaires.liste",
            count: f.partenaires,
            scope: &[],
        },
        List {
            nouns: &["structure", "structures"],
            field: "fonctionnement.partenaires.liste",
            count: f.partenaires,
            scope: &["partenariat", "fonctionnement.partenaires"],
        },
        List {
            nouns: &["financeur", "financeurs"],
            field: "budget.fonctionnement.financements",
            count: f.financeurs.nombre,
            scope: &[],
        },
        List {
            nouns: &["point relais", "points relais"],
            field: "implantation.equite.sites",
            count: f.sites.points_relais,
            scope: &[],
        },
        List {
            nouns: &["centre associé", "centres associés"],
            field: "implantation.equite.sites",
            count: f.sites.centres_associes,
            scope: &[],
        },
        List {
            nouns: &["site", "sites", "lieu d'accueil", "lieux d'accueil"],
            field: "implantation.equite.sites",
            count: f.sites.total,
            scope: &[],
        },
        List {
            nouns: &["fonction", "fonctions"],
            field: "fonctionnement.moyens_humains",
            count: f.fonctions,
            scope: &[],
        },
        List {
            nouns: &["remarque", "remarques"],
            field: "complements.plan_amelioration.remarques",
            count: plan.remarques.len(),
            scope: &[],
        },
        List {
            nouns: &["action d'amélioration", "actions d'amélioration"],
            field: "complements.plan_amelioration.actions",
            count: plan.actions.len(),
            scope: &[],
        },
    ]
}

/// A number, in digits or in words, then a noun (« Dix structures », « 4 points relais »),
/// with the word before it (« ses quatorze partenaires »).
static COUNTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:\b(\p{L}+)\s+)?\b(\d{1,3}|[\p{L}]+(?:-[\p{L}]+)*(?: et (?:un|onze))?)\s+((?:points? relais|centres? associés?|lieux? d['’]accueil|actions? d['’]amélioration|partenaires?|structures?|financeurs?|sites?|fonctions?|remarques?))\b",
    )
    .expect("the pattern of counts compiles")
});

/// A count written in a text against the list it names: a count with a definite determiner
/// (« ses quatorze partenaires ») is the whole list and must equal its count; any other count
/// (« quatre partenaires préparent… ») may be a part of it but not more than it.
fn counts_in_text(path: &str, text: &str, lists: &[List], out: &mut Vec<Finding>) {
    if !path.ends_with("texte") {
        return;
    }
    for c in COUNTED.captures_iter(text) {
        let written = &c[2];
        let Some(n) = written.parse::<u32>().ok().or_else(|| number_word(written)) else {
            continue;
        };
        let noun = c[3].to_lowercase().replace('’', "'");
        let in_scope =
            |l: &&List| l.scope.is_empty() || l.scope.iter().any(|s| path.starts_with(s));
        let Some(list) = lists.iter().filter(in_scope).find(|l| l.nouns.contains(&noun.as_str()))
        else {
            continue;
        };
        let whole = c.get(1).is_some_and(|d| {
            ["les", "ses", "nos", "leurs", "vos"].contains(&d.as_str().to_lowercase().as_str())
        });
        let n = n as usize;
        if list.count == 0 || (whole && n == list.count) || (!whole && n <= list.count) {
            continue;
        }
        out.push(
            Finding::warning(
                path,
                format!(
                    "le texte parle de « {} {} » mais la liste du dossier en compte {}",
                    written, &c[3], list.count
                ),
                Some("accordez le texte et la liste : la commission compare les deux".into()),
            )
            .also(list.field, format!("{} dans la liste", list.count)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::{counts_in_text, lists};

    fn warnings(text: &str) -> usize {
        let d = crate::model::test_dossier(
            "[[fonctionnement.partenaires.liste]]\nnom = \"A\"\n\
             [[fonctionnement.partenaires.liste]]\nnom = \"B\"\n\
             [[fonctionnement.partenaires.liste]]\nnom = \"C\"\n",
        );
        let mut out = Vec::new();
        counts_in_text("fonctionnement.partenaires.texte", text, &lists(&d), &mut out);
        out.len()
    }

    #[test]
    fn a_count_in_a_text_is_read_against_the_list_it_names() {
        assert_eq!(warnings("Dix structures ont signé."), 1, "more than the list");
        assert_eq!(warnings("Ses 3 partenaires et deux partenaires du bureau."), 0, "a part");
        assert_eq!(warnings("Nos deux partenaires."), 1, "the whole list, miscounted");
        assert_eq!(warnings("Les trois partenaires ; vingt-deux partenaires."), 1);
        assert_eq!(warnings("Une structure a signé ; la moitié des partenaires."), 0);
    }
}
