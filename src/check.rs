//! Completeness of a dossier for a label: for every applicable item, its expected level and a
//! status, computed from the rules stored with the outline (`outline.toml`).

use serde::Serialize;
use serde_json::Value;

use crate::model::Dossier;
use crate::outline::{Item, Level, Outline, Phase};

/// Status of an item.
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

/// The completeness of one item.
#[derive(Debug, Clone, Serialize)]
pub struct ItemStatus {
    /// Official number.
    pub numero: String,
    /// Title.
    pub titre: String,
    /// Expected level key ("approfondir").
    pub niveau: Level,
    /// Status.
    pub statut: Status,
    /// What the outline expects, when the item is not complete.
    pub attendu: Option<String>,
    /// What is missing, in French ("texte trop court : 120 caractères sur 200").
    pub manques: Vec<String>,
}

/// Counts by status.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Items applicable to the label.
    pub items: usize,
    /// Complete items.
    pub complet: usize,
    /// Items to complete.
    pub a_completer: usize,
    /// Missing items.
    pub manquant: usize,
}

/// The completeness report of a dossier for a label.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The label checked.
    pub label: Phase,
    /// True when every applicable item is complete.
    pub complet: bool,
    /// Counts.
    pub resume: Summary,
    /// Every applicable item, in outline order.
    pub items: Vec<ItemStatus>,
}

impl Report {
    /// One line for the end of a render: "Complétude (Label projet) : 24 items complets sur 26…".
    pub fn one_line(&self) -> String {
        let s = &self.resume;
        if self.complet {
            format!(
                "complétude ({}) : les {} items requis sont complets",
                self.label.label(),
                s.items
            )
        } else {
            format!(
                "complétude ({}) : {} complets, {} à compléter, {} manquants sur {} items — détail avec `cdm-render check`",
                self.label.label(),
                s.complet,
                s.a_completer,
                s.manquant,
                s.items
            )
        }
    }
}

/// Checks a dossier against the items of a label.
pub fn check(dossier: &Dossier, label: Phase) -> Report {
    let json = serde_json::to_value(dossier).unwrap_or(Value::Null);
    let outline = Outline::get();
    let items: Vec<ItemStatus> = outline
        .matrix_items()
        .filter_map(|item| Some((item, *item.levels.get(&label)?)))
        .map(|(item, level)| item_status(outline, item, level, &json))
        .collect();
    let count = |s: Status| items.iter().filter(|i| i.statut == s).count();
    let resume = Summary {
        items: items.len(),
        complet: count(Status::Complet),
        a_completer: count(Status::ACompleter),
        manquant: count(Status::Manquant),
    };
    Report { label, complet: resume.complet == resume.items, resume, items }
}

fn item_status(outline: &Outline, item: &Item, level: Level, json: &Value) -> ItemStatus {
    let filled = |path: &String| lookup(json, path).is_some_and(|v| !is_empty(v));
    let content = item.data.iter().any(filled);
    let unchanged = item.data.iter().any(|p| {
        lookup(json, p).and_then(|v| v.get("inchange")).and_then(Value::as_bool).unwrap_or(false)
    });
    let mut manques = Vec::new();
    let declared_unchanged = level == Level::Actualiser && unchanged;
    let statut = match level {
        _ if !(content || declared_unchanged) => {
            manques.push("aucune information".to_string());
            Status::Manquant
        }
        Level::Signaler | Level::Actualiser => Status::Complet,
        Level::Approfondir => {
            manques.extend(
                item.structured
                    .iter()
                    .filter(|p| !filled(p))
                    .map(|p| format!("donnée manquante : {p}")),
            );
            let chars: usize = item
                .text
                .iter()
                .filter_map(|p| lookup(json, p).and_then(Value::as_str))
                .map(|t| t.trim().chars().count())
                .sum();
            let needed = outline.rules.substantive_text;
            if chars < needed {
                manques
                    .push(format!("texte trop court : {chars} caractères sur {needed} attendus"));
            }
            if manques.is_empty() { Status::Complet } else { Status::ACompleter }
        }
    };
    ItemStatus {
        numero: item.number.clone(),
        titre: item.title.clone(),
        niveau: level,
        statut,
        attendu: (statut != Status::Complet).then(|| item.description.clone()),
        manques,
    }
}

/// Follows a dotted path ("offre.horaires") into a JSON value.
pub fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |v, key| v.get(key))
}

/// Whether a value carries no content: null, blank strings, empty lists, flags, or objects made
/// only of those. Flags (`inchange`, `partenaire`) say something about content, they are not
/// content.
pub fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(_) => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Number(_) => false,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.values().all(is_empty),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::test_dossier as dossier;

    #[test]
    fn an_empty_dossier_misses_every_item() {
        let report = check(&dossier(""), Phase::Projet);
        assert_eq!(report.resume.items, 20);
        assert_eq!(report.resume.manquant, 20);
        assert!(!report.complet);
    }

    #[test]
    fn approfondir_needs_structured_data_and_substantive_text() {
        let body = "[partenariat.concertation]\ntexte = \"Un comité.\"\n";
        let report = check(&dossier(body), Phase::Projet);
        let item = report.items.iter().find(|i| i.numero == "2.2").unwrap();
        assert_eq!(item.statut, Status::ACompleter);
        assert!(item.manques.iter().any(|m| m.contains("partenariat.concertation.instances")));
        assert!(item.manques.iter().any(|m| m.contains("texte trop court")));
        assert!(item.attendu.as_deref().unwrap().contains("instances de décision"));
    }

    #[test]
    fn signaler_needs_a_statement_and_actualiser_accepts_unchanged() {
        let body =
            "[offre.complementarite]\ntexte = \"Complémentaire.\"\n[porteur]\ninchange = true\n";
        let projet = check(&dossier(body), Phase::Projet);
        assert_eq!(
            projet.items.iter().find(|i| i.numero == "3.4").unwrap().statut,
            Status::Complet
        );
        let prefig = check(&dossier(body), Phase::Prefiguration);
        assert_eq!(
            prefig.items.iter().find(|i| i.numero == "1.1").unwrap().statut,
            Status::Complet
        );
        assert_eq!(
            prefig.items.iter().find(|i| i.numero == "1.2").unwrap().statut,
            Status::Manquant
        );
    }
}
