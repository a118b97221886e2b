//! Completeness of a dossier for a label: for every applicable entry of the outline (items and
//! their sub-items), its expected level and a status, computed from the rules stored with the
//! outline (`outline.toml`).
//!
//! [`assess`] is the one place that decides. `cdm-render check`, the render's summary line, the
//! preview's side panel and every « À compléter » box of the PDF read its [`Report`], so that
//! they cannot disagree.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

use crate::model::outline::{Item, Level, Outline, Phase};

/// Status of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Meets what the level asks for.
    Complet,
    /// Has content, but not all the level asks for.
    ACompleter,
    /// Nothing yet.
    Manquant,
}

impl Status {
    /// French label.
    pub fn label(self) -> &'static str {
        match self {
            Status::Complet => "complet",
            Status::ACompleter => "à compléter",
            Status::Manquant => "manquant",
        }
    }
}

/// The completeness of one entry (an item of the matrix or a sub-item).
#[derive(Debug, Clone, Serialize)]
pub struct ItemStatus {
    /// Official number.
    pub numero: String,
    /// Title.
    pub titre: String,
    /// Expected level key ("approfondir"); a sub-item has its item's.
    pub niveau: Level,
    /// Status.
    pub statut: Status,
    /// What the outline expects, when the entry is not complete.
    pub attendu: Option<String>,
    /// What is missing, in French ("texte trop court : 120 caractères sur 200").
    pub manques: Vec<String>,
    /// Whether the entry has content of its own (else the PDF shows a box in its place).
    pub contenu: bool,
    /// Whether the entry is declared unchanged since the previous phase, which its level accepts.
    pub inchange: bool,
}

/// Counts by status.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Entries judged for the label.
    pub items: usize,
    /// Complete entries.
    pub complet: usize,
    /// Entries to complete.
    pub a_completer: usize,
    /// Missing entries.
    pub manquant: usize,
}

/// The completeness report of a dossier for a label.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The label checked.
    pub label: Phase,
    /// True when every judged entry is complete.
    pub complet: bool,
    /// Counts.
    pub resume: Summary,
    /// Every judged entry, in outline order.
    pub items: Vec<ItemStatus>,
    /// Advice for the writer: what the outline asks for that the data does not allow yet (a
    /// chart, a map). For the terminal and the preview, never printed in the dossier.
    pub conseils: Vec<String>,
}

impl Report {
    /// One line for the end of a render: "complétude (Label projet) : 24 complets, …".
    pub fn one_line(&self) -> String {
        let s = &self.resume;
        if self.complet {
            format!(
                "complétude ({}) : les {} items et sous-items requis sont complets",
                self.label.label(),
                s.items
            )
        } else {
            format!(
                "complétude ({}) : {} complets, {} à compléter, {} manquants sur {} items et sous-items — détail avec `cdm-render check`",
                self.label.label(),
                s.complet,
                s.a_completer,
                s.manquant,
                s.items
            )
        }
    }

    /// The status of an entry, when it is judged for this label.
    pub fn item(&self, number: &str) -> Option<&ItemStatus> {
        self.items.iter().find(|i| i.numero == number)
    }
}

/// What else than the dossier's own data bears on completeness.
#[derive(Debug, Clone, Default)]
pub struct Context<'a> {
    /// Data paths filled by computation rather than by the writer (item 8.3's rows computed from
    /// the previous dossier).
    pub computed: Vec<&'a str>,
    /// Items whose content is word for word that of the previous phase's dossier, and that
    /// phase's name ("Label projet").
    pub same_as_previous: Option<(&'a BTreeSet<String>, &'a str)>,
}

/// Assesses a dossier (as the JSON value of its data) against the entries of a label.
pub fn assess(data: &Value, label: Phase, context: &Context) -> Report {
    let outline = Outline::get();
    let judge = Judge { outline, data, context };
    let mut items = Vec::new();
    for item in outline.matrix_items() {
        let Some(level) = item.levels.get(&label).copied() else { continue };
        let status = judge.item(item, level);
        // Sub-items are judged when their item shows content: otherwise the item's own box
        // already says that everything is missing.
        let children = status.contenu;
        let unchanged = status.inchange;
        items.push(status);
        if !children {
            continue;
        }
        for sub in outline.items.iter().filter(|s| s.parent_number() == Some(&item.number)) {
            if let Some(status) = judge.sub_item(sub, level, unchanged) {
                items.push(status);
            }
        }
    }
    let count = |s: Status| items.iter().filter(|i| i.statut == s).count();
    let resume = Summary {
        items: items.len(),
        complet: count(Status::Complet),
        a_completer: count(Status::ACompleter),
        manquant: count(Status::Manquant),
    };
    let conseils = advice(data, &items);
    Report { label, complet: resume.complet == resume.items, resume, items, conseils }
}

/// What the outline asks for as a graphic and the data does not allow yet, for items that
/// have content (an empty item already has its box).
fn advice(data: &Value, items: &[ItemStatus]) -> Vec<String> {
    let has = |path: &str| lookup(data, path).is_some_and(|v| !is_empty(v));
    let shown = |number: &str| items.iter().any(|i| i.numero == number && i.contenu);
    let sites = lookup(data, "implantation.equite.sites").and_then(Value::as_array);
    let placed = sites
        .is_some_and(|s| s.iter().any(|s| s["latitude"].is_number() && s["longitude"].is_number()));
    let public = ["population_active", "scolaires", "demandeurs_categorie", "demandeurs_age"]
        .iter()
        .any(|r| has(&format!("contexte.public.{r}.postes")));
    [
        (shown("1.2.1") && !has("contexte.activites.secteurs.postes"), "1.2.1 : le graphique des activités économiques n'est pas produit ; renseignez la répartition des emplois par secteur (contexte.activites.secteurs)"),
        (shown("1.2.3") && !public, "1.2.3 : le tableau de bord du public n'est pas produit ; renseignez la population active, les scolaires ou les demandeurs d'emploi (contexte.public)"),
        (shown("4.1") && !has("fonctionnement.partenaires.liste"), "4.1 : la représentation de l'écosystème partenarial n'est pas produite ; renseignez la liste des partenaires et leurs rôles (fonctionnement.partenaires.liste)"),
        (shown("5.3") && !placed, "5.3 : la carte du territoire n'est pas produite ; indiquez la latitude et la longitude des sites (implantation.equite.sites)"),
    ]
    .into_iter()
    .filter(|(missing, _)| *missing)
    .map(|(_, text)| text.to_string())
    .collect()
}

struct Judge<'a> {
    outline: &'a Outline,
    data: &'a Value,
    context: &'a Context<'a>,
}

impl Judge<'_> {
    fn filled(&self, path: &str) -> bool {
        self.context.computed.contains(&path)
            || lookup(self.data, path).is_some_and(|v| !is_empty(v))
    }

    fn has_content(&self, item: &Item) -> bool {
        item.data.iter().any(|p| self.filled(p))
    }

    fn declared_unchanged(&self, item: &Item) -> bool {
        item.data.iter().any(|p| {
            lookup(self.data, p).and_then(|v| v.get("inchange")).and_then(Value::as_bool)
                == Some(true)
        })
    }

    /// An item of the matrix.
    fn item(&self, item: &Item, level: Level) -> ItemStatus {
        let contenu = self.has_content(item);
        let inchange = level == Level::Actualiser && self.declared_unchanged(item);
        let mut manques = Vec::new();
        if !contenu && !inchange {
            manques.push("aucune information".to_string());
        } else if contenu && level == Level::Approfondir {
            manques.extend(self.missing_structured(item));
            let chars: usize = item
                .text
                .iter()
                .filter_map(|p| lookup(self.data, p).and_then(Value::as_str))
                .map(|t| t.trim().chars().count())
                .sum();
            let needed = self.outline.rules.substantive_text;
            if chars < needed {
                manques
                    .push(format!("texte trop court : {chars} caractères sur {needed} attendus"));
            }
            if let Some((same, phase)) = self.context.same_as_previous
                && same.contains(&item.number)
            {
                manques.push(format!(
                    "contenu identique à celui du dossier du {phase} : cet item est à approfondir"
                ));
            }
        }
        status(item, level, contenu, inchange, manques)
    }

    /// A sub-item of an item that has content; `None` when it is left out of the dossier.
    fn sub_item(&self, sub: &Item, level: Level, item_unchanged: bool) -> Option<ItemStatus> {
        let contenu = self.has_content(sub);
        if !contenu && level == Level::Signaler {
            return None;
        }
        let mut manques = Vec::new();
        if !contenu && !item_unchanged {
            manques.push("aucune information".to_string());
        } else if contenu && level == Level::Approfondir {
            manques.extend(self.missing_structured(sub));
        }
        Some(status(sub, level, contenu, !contenu && item_unchanged, manques))
    }

    fn missing_structured<'i>(&'i self, item: &'i Item) -> impl Iterator<Item = String> + 'i {
        item.structured
            .iter()
            .filter(|p| !self.filled(p))
            .map(|p| format!("donnée manquante : {p}"))
    }
}

fn status(
    item: &Item,
    level: Level,
    contenu: bool,
    inchange: bool,
    manques: Vec<String>,
) -> ItemStatus {
    let statut = match (manques.is_empty(), contenu || inchange) {
        (true, _) => Status::Complet,
        (false, true) => Status::ACompleter,
        (false, false) => Status::Manquant,
    };
    ItemStatus {
        numero: item.number.clone(),
        titre: item.title.clone(),
        niveau: level,
        statut,
        attendu: (statut != Status::Complet).then(|| item.description.clone()),
        manques,
        contenu,
        inchange,
    }
}

/// Follows a dotted path ("offre.horaires") into a JSON value.
pub fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |v, key| v.get(key))
}

/// Whether a value carries no content: null, blank strings, flags, and lists or objects made
/// only of those (a table whose rows are all blank is no table). Flags (`inchange`,
/// `partenaire`) say something about content, they are not content.
pub fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(_) => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Number(_) => false,
        Value::Array(a) => a.iter().all(is_empty),
        Value::Object(o) => o.values().all(is_empty),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::test_dossier;

    fn check(body: &str, label: Phase) -> Report {
        let json = serde_json::to_value(test_dossier(body)).unwrap();
        assess(&json, label, &Context::default())
    }

    #[test]
    fn an_empty_dossier_misses_every_item() {
        let report = check("", Phase::Projet);
        assert_eq!(report.resume.items, 20);
        assert_eq!(report.resume.manquant, 20);
        assert!(!report.complet);
    }

    #[test]
    fn approfondir_needs_structured_data_and_substantive_text() {
        let report = check("[partenariat.concertation]\ntexte = \"Un comité.\"\n", Phase::Projet);
        let item = report.item("2.2").unwrap();
        assert_eq!(item.statut, Status::ACompleter);
        assert!(item.manques.iter().any(|m| m.contains("partenariat.concertation.instances")));
        assert!(item.manques.iter().any(|m| m.contains("texte trop court")));
        assert!(item.attendu.as_deref().unwrap().contains("instances de décision"));
    }

    #[test]
    fn signaler_needs_a_statement_and_actualiser_accepts_unchanged() {
        let body =
            "[offre.complementarite]\ntexte = \"Complémentaire.\"\n[porteur]\ninchange = true\n";
        assert_eq!(check(body, Phase::Projet).item("3.4").unwrap().statut, Status::Complet);
        let prefig = check(body, Phase::Prefiguration);
        assert_eq!(prefig.item("1.1").unwrap().statut, Status::Complet);
        assert_eq!(prefig.item("1.2").unwrap().statut, Status::Manquant);
    }

    #[test]
    fn empty_sub_items_of_an_item_with_content_are_missing() {
        let body = "[contexte]\ntexte = \"Le territoire.\"\n[contexte.activites]\ntexte = \"Agriculture.\"\n";
        // 1.2 is « à approfondir » for the projet label: each sub-item needs its table.
        let report = check(body, Phase::Projet);
        assert_eq!(report.item("1.2.1").unwrap().statut, Status::ACompleter);
        assert_eq!(report.item("1.2.3").unwrap().statut, Status::Manquant);
        assert!(!report.complet);
        let later = check(body, Phase::Fonctionnement);
        assert_eq!(later.item("1.2.1").unwrap().statut, Status::Complet);
        assert_eq!(later.item("1.2.3").unwrap().statut, Status::Manquant);
        // In a phase where 1.2 is only « à actualiser », an empty item hides nothing.
        let empty = check("", Phase::Fonctionnement);
        assert!(empty.item("1.2.3").is_none(), "sub-items of an empty item are not judged");
    }

    #[test]
    fn rows_without_any_value_do_not_make_a_table_complete() {
        let json = serde_json::json!({
            "contexte": { "texte": "Le territoire.", "activites": { "texte": "Agriculture.",
                "secteurs": { "postes": [{ "nom": "" }, { "nom": " " }] } } }
        });
        let context = Context { computed: vec![], same_as_previous: None };
        let report = assess(&json, Phase::Projet, &context);
        assert_eq!(report.item("1.2.1").unwrap().statut, Status::ACompleter);
    }

    #[test]
    fn an_item_to_deepen_that_did_not_change_is_reported() {
        let same: BTreeSet<String> = ["2.2".to_string()].into();
        let body = "[partenariat.concertation]\ntexte = \"x\"\n";
        let json = serde_json::to_value(test_dossier(body)).unwrap();
        let context = Context { computed: vec![], same_as_previous: Some((&same, "Label projet")) };
        let report = assess(&json, Phase::Prefiguration, &context);
        let item = report.item("2.2").unwrap();
        assert!(item.manques.iter().any(|m| m.contains("identique")), "{:?}", item.manques);
    }
}
