//! Phase to phase: the dossier of the previous label, compared with this one. Items "à
//! actualiser" then say whether they changed since, and item 8.3 gets the computed changes
//! merged with the ones written by hand.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::input::check::lookup;
use crate::input::diff::{self, Change};
use crate::model::outline::{Level, Outline, Phase};
use crate::model::{Date, Dossier};

/// What the previous dossier tells about this one.
#[derive(Debug, Clone)]
pub struct Previous {
    /// The previous dossier's label.
    pub label: Phase,
    /// Its date.
    pub date: Date,
    /// The changes, as rows of item 8.3.
    pub changes: Vec<Change>,
    /// For each item "à actualiser" in this phase: whether its content changed.
    pub updated: BTreeMap<String, bool>,
    /// The items (and sub-items) whose content is word for word the previous dossier's.
    pub unchanged: BTreeSet<String>,
    /// The items said unchanged whose text speaks of a change, with the warning of `check`
    /// ([`crate::input::validate::unchanged_against_text`]): the PDF does not call them
    /// « inchangé ».
    pub contradicted: Vec<(String, crate::input::validate::Finding)>,
}

/// The data path of item 8.3 that the computed changes fill.
pub const COMPUTED_ROWS: &str = "complements.evolutions.liste";

/// The last previous dossier read, reused while its file is unchanged: a live preview renders
/// again at every save against the same previous dossier.
#[derive(Default)]
pub struct Cache(Mutex<Option<Cached>>);

struct Cached {
    path: PathBuf,
    stamp: Stamp,
    dossier: Arc<Dossier>,
}

/// Modification time and size of a file: what tells that it changed.
type Stamp = Option<(SystemTime, u64)>;

fn stamp(path: &Path) -> Stamp {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

impl Cache {
    /// The previous dossier at `path`, read again only when the file changed.
    pub fn get_or_load(&self, path: &Path) -> Result<Arc<Dossier>> {
        // A poisoned lock only means a panic elsewhere; the cached value is still whole.
        let mut cached = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let stamp = stamp(path);
        if let Some(c) =
            cached.as_ref().filter(|c| c.path == path && stamp.is_some() && c.stamp == stamp)
        {
            return Ok(Arc::clone(&c.dossier));
        }
        // The same limit as any dossier (8 Mo): it is one.
        let source = crate::fsutil::read_to_string(path)
            .with_context(|| format!("lecture du dossier précédent {}", path.display()))?;
        // Its errors are summed up, not shown with excerpts: the file may lie anywhere on the
        // disk, and its content has no place in this dossier's messages (or preview).
        let old = crate::input::validate::validate(path, &source).map_err(|errors| {
            anyhow::anyhow!(
                "le dossier précédent {} n'est pas un dossier valide ({} erreurs)\n\
                 aide : vérifiez-le avec cdm-render check {}",
                path.display(),
                errors.error_count(),
                path.display()
            )
        })?;
        let dossier = Arc::new(old.dossier);
        *cached = Some(Cached { path: path.to_path_buf(), stamp, dossier: Arc::clone(&dossier) });
        Ok(dossier)
    }
}

/// Compares two dossiers of the same Cité.
pub fn compare(old: &Dossier, new: &Dossier, new_json: &Value) -> Previous {
    let old_json = to_json(old);
    let outline = Outline::get();
    let unchanged: BTreeSet<String> = outline
        .items
        .iter()
        .filter(|item| {
            item.data.iter().all(|p| content(lookup(&old_json, p)) == content(lookup(new_json, p)))
        })
        .map(|item| item.number.clone())
        .collect();
    let updated = outline
        .items
        .iter()
        .filter(|item| outline.level(item, new.cite.label).flatten() == Some(Level::Actualiser))
        .map(|item| (item.number.clone(), !unchanged.contains(&item.number)))
        .collect();
    let contradicted = crate::input::validate::unchanged_against_text(
        new,
        new_json,
        Some((&unchanged, old.cite.date)),
    );
    Previous {
        label: old.cite.label,
        date: old.cite.date,
        changes: diff::changes(old, new),
        updated,
        unchanged,
        contradicted,
    }
}

fn to_json(dossier: &Dossier) -> Value {
    serde_json::to_value(dossier).unwrap_or(Value::Null)
}

/// An item's content, without the writer's own "unchanged" mark.
fn content(value: Option<&Value>) -> Option<Value> {
    let mut value = value?.clone();
    if let Value::Object(map) = &mut value {
        map.remove("inchange");
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::compare;
    use crate::model::test_dossier;

    #[test]
    fn items_to_update_say_whether_they_changed() {
        let old =
            test_dossier("[porteur]\ntexte = \"Le porteur.\"\n[besoins]\ntexte = \"Des besoins.\"");
        let mut new = old.clone();
        new.cite.label = crate::model::outline::Phase::Prefiguration;
        new.besoins.texte = "Des besoins précisés.".into();
        let previous = compare(&old, &new, &serde_json::to_value(&new).unwrap());
        assert_eq!(previous.updated.get("1.3"), Some(&true));
        assert_eq!(previous.updated.get("1.1"), Some(&false));
        assert!(previous.changes.iter().any(|c| c.domaine == "Label"));
    }
}
