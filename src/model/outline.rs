//! The official outline of the labelling dossier, loaded from `outline.toml` (embedded data).
//!
//! The outline is data rather than code so that the wording of the plan can be corrected
//! without touching the renderer, and so the phase matrix can be checked against the official
//! text cell by cell (see the tests below).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// The outline file, embedded in the binary.
const OUTLINE_TOML: &str = include_str!("outline.toml");

crate::vocabulary! {
    /// A labelling phase, i.e. the label a dossier applies for.
    Phase {
        /// "Label projet": the first phase.
        Projet = "projet" / "Label projet",
        /// "Label préfiguration".
        Prefiguration = "prefiguration" / "Label préfiguration",
        /// "Label fonctionnement": the Cité is open.
        Fonctionnement = "fonctionnement" / "Label fonctionnement",
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// How much an item is expected to say in a phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// "Information à signaler": a first statement is enough.
    Signaler,
    /// "Information à approfondir": detailed information expected.
    Approfondir,
    /// "Information à actualiser": update what earlier phases said.
    Actualiser,
}

impl Level {
    /// The wording of the official plan ("Information à approfondir").
    pub fn label(self) -> &'static str {
        match self {
            Level::Signaler => "Information à signaler",
            Level::Approfondir => "Information à approfondir",
            Level::Actualiser => "Information à actualiser",
        }
    }

    /// The short form used in badges ("À approfondir").
    pub fn short(self) -> &'static str {
        match self {
            Level::Signaler => "À signaler",
            Level::Approfondir => "À approfondir",
            Level::Actualiser => "À actualiser",
        }
    }
}

/// One entry of the outline: a chapter, an item of the matrix, or a sub-item.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Official number ("1", "1.2", "1.2.4").
    pub number: String,
    /// Title printed in the dossier.
    pub title: String,
    /// What the plan expects from this item.
    #[serde(default)]
    pub description: String,
    /// Expected level per phase (only for the 29 items of the matrix).
    #[serde(default)]
    pub levels: BTreeMap<Phase, Level>,
    /// Dotted paths into the dossier data that hold this item's content.
    #[serde(default)]
    pub data: Vec<String>,
    /// Narrative fields of the item (completeness rules).
    #[serde(default)]
    pub text: Vec<String>,
    /// Structured data the outline asks for (completeness rules).
    #[serde(default)]
    pub structured: Vec<String>,
}

/// Completeness thresholds, next to the outline they apply to.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Characters of narrative text an item "à approfondir" needs.
    pub substantive_text: usize,
}

impl Item {
    /// Depth in the outline: 1 for chapters, 2 for items, 3 for sub-items.
    pub fn depth(&self) -> usize {
        self.number.split('.').count()
    }

    /// Number of the parent entry ("1.2" for "1.2.4"), if any.
    pub fn parent_number(&self) -> Option<&str> {
        self.number.rsplit_once('.').map(|(parent, _)| parent)
    }

    /// Whether this entry is one of the 29 items of the phase matrix.
    pub fn is_matrix_item(&self) -> bool {
        self.depth() == 2
    }
}

/// The whole outline, in document order.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outline {
    /// Completeness thresholds.
    pub rules: Rules,
    /// Every chapter, item and sub-item.
    #[serde(rename = "item")]
    pub items: Vec<Item>,
}

static OUTLINE: LazyLock<Outline> = LazyLock::new(|| {
    // The file is part of the binary and checked by the tests: failing here is a build defect,
    // never a user error.
    toml::from_str(OUTLINE_TOML).expect("embedded outline.toml is valid")
});

impl Outline {
    /// The outline embedded in the binary.
    pub fn get() -> &'static Outline {
        &OUTLINE
    }

    /// Looks an entry up by its number.
    pub fn item(&self, number: &str) -> Option<&Item> {
        self.items.iter().find(|item| item.number == number)
    }

    /// The 29 items of the phase matrix.
    pub fn matrix_items(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|item| item.is_matrix_item())
    }

    /// The level expected for an entry in a phase, `None` when it is not required.
    ///
    /// Sub-items follow their item; a chapter is required when one of its items is, and then
    /// carries no level of its own (`Some(None)`).
    pub fn level(&self, item: &Item, phase: Phase) -> Option<Option<Level>> {
        match item.depth() {
            1 => {
                let prefix = format!("{}.", item.number);
                self.matrix_items()
                    .filter(|i| i.number.starts_with(&prefix))
                    .any(|i| i.levels.contains_key(&phase))
                    .then_some(None)
            }
            2 => item.levels.get(&phase).map(|level| Some(*level)),
            _ => {
                let parent = self.item(item.parent_number()?)?;
                self.level(parent, phase)
            }
        }
    }

    /// Whether an entry appears in the dossier of a phase.
    pub fn applies(&self, item: &Item, phase: Phase) -> bool {
        self.level(item, phase).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses the phase matrix of the official plan: lines "<i>1.1 Title</i>\tcell\tcell\tcell".
    fn official_matrix() -> Vec<(String, [Option<Level>; 3])> {
        let plan = include_str!("../../tests/fixtures/plan-officiel.txt");
        let matrix_end = plan.find("- **Information à signaler**").unwrap();
        plan[..matrix_end]
            .lines()
            .filter(|line| line.starts_with("<i>"))
            .map(|line| {
                let mut cells = line.split('\t');
                let head = cells.next().unwrap().trim_start_matches("<i>");
                let number = head.split_whitespace().next().unwrap().to_string();
                let mut levels = [None; 3];
                for (slot, cell) in levels.iter_mut().zip(cells) {
                    *slot = match cell.trim() {
                        "" => None,
                        "Information à signaler" => Some(Level::Signaler),
                        "Information à approfondir" => Some(Level::Approfondir),
                        "Information à actualiser" => Some(Level::Actualiser),
                        other => panic!("unexpected cell {other:?} in {line:?}"),
                    };
                }
                (number, levels)
            })
            .collect()
    }

    #[test]
    fn matrix_matches_the_official_plan_cell_by_cell() {
        let outline = Outline::get();
        let official = official_matrix();
        assert_eq!(official.len(), 29, "the plan has 29 items");
        let ours: Vec<_> = outline.matrix_items().map(|i| i.number.clone()).collect();
        let theirs: Vec<_> = official.iter().map(|(n, _)| n.clone()).collect();
        assert_eq!(ours, theirs, "same items in the same order");
        for (number, levels) in &official {
            let item = outline.item(number).unwrap();
            for (phase, expected) in Phase::ALL.iter().zip(levels) {
                assert_eq!(item.levels.get(phase).copied(), *expected, "item {number}, {phase}");
            }
        }
    }

    #[test]
    fn every_sub_item_of_the_plan_is_in_the_outline() {
        let plan = include_str!("../../tests/fixtures/plan-officiel.txt");
        let outline = Outline::get();
        for line in plan.lines() {
            let first = line.split_whitespace().next().unwrap_or("");
            let is_number = first.split('.').all(|p| p.parse::<u8>().is_ok());
            if first.matches('.').count() == 2 && is_number {
                assert!(outline.item(first).is_some(), "sub-item {first} missing");
            }
        }
    }

    #[test]
    fn sub_items_follow_their_item_and_chapters_follow_their_items() {
        let outline = Outline::get();
        let sub = outline.item("1.2.4").unwrap();
        assert_eq!(outline.level(sub, Phase::Projet), Some(Some(Level::Approfondir)));
        let chapter8 = outline.item("8").unwrap();
        assert!(!outline.applies(chapter8, Phase::Projet));
        assert!(outline.applies(chapter8, Phase::Fonctionnement));
        let layout = outline.item("5.2").unwrap();
        assert!(!outline.applies(layout, Phase::Projet));
    }

    #[test]
    fn every_item_points_at_data_and_has_a_description() {
        for item in Outline::get().items.iter().filter(|i| i.depth() > 1) {
            assert!(!item.data.is_empty(), "{} has no data path", item.number);
            assert!(!item.description.is_empty(), "{} has no description", item.number);
        }
    }
}
