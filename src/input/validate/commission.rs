//! The checks a labelling commission makes on reading a dossier: a breakdown larger than its
//! total, a count written in a text that the dossier's own list contradicts, writer's notes
//! left in a text, a funding only applied for counted as secured, hours of one day given as a
//! week's. Warnings naming both places; errors under `--strict` (the caller decides).

use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::Finding;
use crate::fr::{format_auto, number_word};
use crate::model::figures::KeyFigures;
use crate::model::outline::{Level, Outline};
use crate::model::{Date, Dossier, StatutEngagement};

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
    Some(
        Finding::warning(
            path,
            format!("note de rédaction laissée dans le texte : « {} »", note.as_str()),
            Some(
                "elle serait imprimée telle quelle dans le dossier : complétez ou retirez-la"
                    .into(),
            ),
        )
        .on_words(note.range()),
    )
}

/// Words by which a text says that something changed (« un nouveau poste », « désormais »,
/// « a été renforcée »).
static CHANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:nouve(?:au|aux|lle|lles)|désormais|dorénavant|(?:a|ont) changé|(?:a|ont) été (?:modifié|renforcé|remplacé|créé|réorganisé|élargi|étendu|recruté|renouvelé|ajusté|actualisé|révisé)e?s?|mise?s? à jour|vien(?:t|nent) d['’]être)\b",
    )
    .expect("the pattern of change compiles")
});

/// A month and year (« septembre 2026 ») or a year alone.
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:(janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre)\s+)?(20\d{2})\b")
        .expect("the pattern of dates compiles")
});

/// Where a text says that something changed: a word of change, or a date after `since` (the
/// previous dossier's) and not after `until` (this one's: a plan for later is no change).
pub fn change_mentioned(text: &str, period: Option<(Date, Date)>) -> Option<Range<usize>> {
    let word = CHANGE.find(text).map(|m| m.range());
    let date = period.and_then(|(since, until)| {
        DATE.captures_iter(text).find_map(|c| {
            let year: i32 = c[2].parse().ok()?;
            let month = c.get(1).map(|m| crate::fr::month_number(m.as_str()));
            // A year alone is after `since` only when it is a later year.
            let after = year > since.year
                || month.is_some_and(|m| year == since.year && m > usize::from(since.month));
            let not_later = (year, month.unwrap_or(1)) <= (until.year, usize::from(until.month));
            (after && not_later).then(|| c.get(0).map(|m| m.range()).unwrap_or_default())
        })
    });
    [word, date].into_iter().flatten().min_by_key(|r| r.start)
}

/// The items « à actualiser » said to be unchanged — by the writer (`inchange = true`), or
/// because their content is word for word the previous dossier's (`previous`: those items and
/// that dossier's date) — whose text says that something changed: the PDF would then state
/// both. Each with the item's number; a sub-item is left to its parent when both are. With
/// the previous dossier, an item declared unchanged whose content differs from it is one too:
/// the PDF says « mis à jour » where the writer said « inchangé ».
pub fn unchanged_against_text(
    d: &Dossier,
    json: &Value,
    previous: Option<(&BTreeSet<String>, Date)>,
) -> Vec<(String, Finding)> {
    let outline = Outline::get();
    fn declared<'a>(item: &'a crate::model::outline::Item, json: &Value) -> Option<&'a String> {
        item.data.iter().find(|p| {
            crate::input::check::lookup(json, &format!("{p}.inchange")) == Some(&Value::Bool(true))
        })
    }
    let unchanged = |item: &crate::model::outline::Item| {
        declared(item, json).is_some()
            || previous.is_some_and(|(same, _)| same.contains(&item.number))
    };
    let mut out = Vec::new();
    for item in &outline.items {
        if outline.level(item, d.cite.label).flatten() != Some(Level::Actualiser)
            || !unchanged(item)
            || item
                .parent_number()
                .and_then(|n| outline.item(n))
                .is_some_and(|p| p.depth() > 1 && unchanged(p))
        {
            continue;
        }
        if let (Some(flag), Some((same, _))) = (declared(item, json), previous)
            && !same.contains(&item.number)
        {
            let finding = Finding::warning(
                &format!("{flag}.inchange"),
                format!(
                    "l'item {} est déclaré inchangé (`inchange = true`), mais son contenu diffère du dossier précédent : le PDF le dit « mis à jour »",
                    item.number
                ),
                Some(
                    "retirez `inchange = true`, ou reprenez le contenu du dossier précédent".into(),
                ),
            );
            out.push((item.number.clone(), finding));
            continue;
        }
        let period = previous.map(|(_, since)| (since, d.cite.date));
        let mut texts = Vec::new();
        for p in &item.data {
            if let Some(value) = crate::input::check::lookup(json, p) {
                // The narrative texts: a date in a table (a training « 2026 ») is a plan.
                super::for_each_leaf(value, p, &mut |path, leaf| {
                    if let Value::String(text) = leaf
                        && path.ends_with("texte")
                    {
                        texts.push((path.to_string(), text.clone()));
                    }
                });
            }
        }
        let Some((path, text, at)) = texts.into_iter().find_map(|(path, text)| {
            Some((path.clone(), text.clone(), change_mentioned(&text, period)?))
        }) else {
            continue;
        };
        let words = &text[at.clone()];
        let (said, hint) = match declared(item, json) {
            Some(_) => (
                "déclaré inchangé (`inchange = true`)",
                "retirez `inchange = true` si l'item a changé, sinon reformulez le texte",
            ),
            None => (
                "mot pour mot celui du dossier précédent (« inchangé »)",
                "actualisez le texte : ce qui était nouveau au dossier précédent ne l'est plus (le PDF ne dira pas « inchangé » tant que le texte parle de changement)",
            ),
        };
        let mut finding = Finding::warning(
            &path,
            format!(
                "l'item {} est {said}, mais son texte parle de changement : « {words} »",
                item.number
            ),
            Some(hint.to_string()),
        )
        .on_words(at);
        if let Some(flag) = declared(item, json) {
            finding = finding.also(&format!("{flag}.inchange"), "inchange = true".into());
        }
        out.push((item.number.clone(), finding));
    }
    out
}

/// A list of the dossier that a text may count: its nouns (singular and plural), its path and
/// its count.
struct List {
    nouns: &'static [&'static str],
    field: &'static str,
    count: f64,
    /// The texts where the noun names this list (« structures » names the partners in 2 and
    /// 4.1 only; elsewhere it is any organisation of the territory); empty: every text.
    scope: &'static [&'static str],
}

fn lists(d: &Dossier) -> Vec<List> {
    let f = KeyFigures::new(d);
    let plan = &d.complements.plan_amelioration;
    let n = |count: usize| count as f64;
    let list = |nouns, field, count, scope| List { nouns, field, count, scope };
    const ACTIONS: &[&str] = &["action", "actions"];
    vec![
        list(
            &["partenaire", "partenaires"],
            "fonctionnement.partenaires.liste",
            n(f.partenaires),
            &[],
        ),
        list(
            &["structure", "structures"],
            "fonctionnement.partenaires.liste",
            n(f.partenaires),
            &["partenariat", "fonctionnement.partenaires"],
        ),
        list(
            &["financeur", "financeurs"],
            "budget.fonctionnement.financements",
            n(f.financeurs.nombre),
            &[],
        ),
        list(
            &["point relais", "points relais"],
            "implantation.equite.sites",
            n(f.sites.points_relais),
            &[],
        ),
        list(
            &["centre associé", "centres associés"],
            "implantation.equite.sites",
            n(f.sites.centres_associes),
            &[],
        ),
        list(
            &["site", "sites", "lieu d'accueil", "lieux d'accueil"],
            "implantation.equite.sites",
            n(f.sites.total),
            &[],
        ),
        list(&["fonction", "fonctions"], "fonctionnement.moyens_humains", n(f.fonctions), &[]),
        // The Cité's staff in the chapter on its means and in the budget only: elsewhere
        // « ETP » may be a partner's or the territory's.
        list(&["etp"], "fonctionnement.moyens_humains", f.etp, &["fonctionnement", "budget"]),
        list(
            &["remarque", "remarques"],
            "complements.plan_amelioration.remarques",
            n(plan.remarques.len()),
            &[],
        ),
        list(
            &["action d'amélioration", "actions d'amélioration"],
            "complements.plan_amelioration.actions",
            n(plan.actions.len()),
            &[],
        ),
        // « actions » alone names the list of the item whose text says it, and only there.
        list(
            ACTIONS,
            "complements.plan_amelioration.actions",
            n(plan.actions.len()),
            &["complements.plan_amelioration"],
        ),
        list(
            ACTIONS,
            "partenariat.mutualisation.actions",
            n(d.partenariat.mutualisation.actions.len()),
            &["partenariat.mutualisation"],
        ),
        list(
            ACTIONS,
            "fonctionnement.moyens_humains.plan_formation.actions",
            n(d.fonctionnement.moyens_humains.plan_formation.actions.len()),
            &["fonctionnement.moyens_humains.plan_formation"],
        ),
        list(
            ACTIONS,
            "fonctionnement.communication.actions",
            n(d.fonctionnement.communication.actions.len()),
            &["fonctionnement.communication"],
        ),
        list(
            ACTIONS,
            "offre.offre_collective.liste",
            n(d.offre.offre_collective.liste.len()),
            &["offre.offre_collective"],
        ),
        // « postes » is left out: a row of 4.2 is a function that one or several people hold
        // (its ETP), and « postes » also names the lines of a budget; no list of the dossier
        // is the list of posts.
    ]
}

/// A number, in digits (« 4 », « 2,5 ») or in words, then a noun (« Dix structures », « 4
/// points relais », « 2,5 ETP »), with the word before it (« ses quatorze partenaires »).
static COUNTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:\b(\p{L}+)\s+)?\b(\d{1,3}(?:,\d{1,2})?|[\p{L}]+(?:-[\p{L}]+)*(?: et (?:un|onze))?)\s+((?:points? relais|centres? associés?|lieux? d['’]accueil|actions? d['’]amélioration|partenaires?|structures?|financeurs?|sites?|fonctions?|remarques?|actions?|ETP))\b",
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
        let (written, noun) = (&c[2], &c[3]);
        let digits = written.replace(',', ".").parse::<f64>().ok();
        let Some(n) = digits.or_else(|| number_word(written).map(f64::from)) else {
            continue;
        };
        let key = noun.to_lowercase().replace('’', "'");
        let in_scope =
            |l: &&List| l.scope.is_empty() || l.scope.iter().any(|s| path.starts_with(s));
        let Some(list) = lists.iter().filter(in_scope).find(|l| l.nouns.contains(&key.as_str()))
        else {
            continue;
        };
        let whole = c.get(1).is_some_and(|d| {
            ["les", "ses", "nos", "leurs", "vos"].contains(&d.as_str().to_lowercase().as_str())
        });
        let same = (n - list.count).abs() < 0.01;
        if list.count == 0.0 || (whole && same) || (!whole && n <= list.count + 0.01) {
            continue;
        }
        let count = format_auto(list.count, 2);
        let words = c.get(2).map_or(0, |m| m.start())..c.get(3).map_or(0, |m| m.end());
        out.push(
            Finding::warning(
                path,
                format!("le texte parle de « {written} {noun} » mais la liste du dossier en compte {count}"),
                Some("accordez le texte et la liste : la commission compare les deux".into()),
            )
            .on_words(words)
            .also(list.field, format!("{count} dans la liste")),
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
    fn etp_and_actions_are_counted_against_the_list_of_the_item_that_says_them() {
        let d = crate::model::test_dossier(
            "[fonctionnement.moyens_humains]\n\
             fonctions_usagers = [{ fonction = \"Accueil\", etp = 1.5 }, { fonction = \"Conseil\", etp = 2 }]\n\
             [[partenariat.mutualisation.actions]]\ntitre = \"Forum\"\n",
        );
        let count = |path: &str, text: &str| {
            let mut out = Vec::new();
            counts_in_text(path, text, &lists(&d), &mut out);
            out.len()
        };
        let staff = "fonctionnement.moyens_humains.texte";
        assert_eq!(count(staff, "L'équipe compte 3,5 ETP, dont 2 ETP de conseil."), 0);
        assert_eq!(count(staff, "Les 4 ETP de l'équipe."), 1, "the whole staff, miscounted");
        assert_eq!(
            count("contexte.texte", "La Mission locale compte 40 ETP."),
            0,
            "not the Cité's"
        );
        assert_eq!(count("partenariat.mutualisation.texte", "Trois actions communes."), 1);
        assert_eq!(count("partenariat.mutualisation.texte", "Une action commune."), 0);
        assert_eq!(count("offre.texte", "Trois actions."), 0, "no list named there");
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
