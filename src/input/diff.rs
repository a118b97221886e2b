//! What changed between two dossiers of the same Cité (typically the previous phase and this
//! one): partners, budgets, opening hours, staff, premises, label. The rows have the shape of
//! item 8.3 (domain, before, after).

use std::collections::BTreeSet;

use serde::Serialize;

use crate::fr::{format_auto, format_euros};
use crate::model::{Dossier, Fonction};

/// One change, as a row of item 8.3.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Domain ("Partenaires", "Horaires"…).
    pub domaine: String,
    /// Before.
    pub avant: String,
    /// After.
    pub apres: String,
}

fn change(domaine: &str, avant: impl Into<String>, apres: impl Into<String>) -> Change {
    Change { domaine: domaine.into(), avant: avant.into(), apres: apres.into() }
}

/// The changes from `old` to `new`, in outline order.
pub fn changes(old: &Dossier, new: &Dossier) -> Vec<Change> {
    let mut out = Vec::new();
    if old.cite.label != new.cite.label {
        out.push(change("Label", old.cite.label.label(), new.cite.label.label()));
    }
    partners(old, new, &mut out);
    let (h_old, h_new) = (old.offre.horaires.weekly_hours(), new.offre.horaires.weekly_hours());
    if (h_old - h_new).abs() > 0.01 {
        out.push(change(
            "Horaires",
            format!("{} h par semaine", format_auto(h_old, 2)),
            format!("{} h par semaine", format_auto(h_new, 2)),
        ));
    }
    staff(old, new, &mut out);
    let (l_old, l_new) = (&old.implantation.locaux, &new.implantation.locaux);
    if l_old.adresse.trim() != l_new.adresse.trim() && !l_new.adresse.trim().is_empty() {
        out.push(change("Locaux", l_old.adresse.trim(), l_new.adresse.trim()));
    }
    if l_old.surface_m2 != l_new.surface_m2 {
        let m2 = |v: Option<f64>| {
            v.map(|s| format!("{} m²", format_auto(s, 1))).unwrap_or_else(|| "non précisée".into())
        };
        out.push(change("Surface", m2(l_old.surface_m2), m2(l_new.surface_m2)));
    }
    for (name, b_old, b_new) in [
        ("Budget de fonctionnement", &old.budget.fonctionnement, &new.budget.fonctionnement),
        ("Budget d'investissement", &old.budget.investissement, &new.budget.investissement),
    ] {
        let total =
            |b: &crate::model::BudgetDetail| b.charges.iter().map(|c| c.montant).sum::<f64>();
        let (t_old, t_new) = (total(b_old), total(b_new));
        if (t_old - t_new).abs() > 0.5 {
            out.push(change(name, format_euros(t_old), format_euros(t_new)));
        }
    }
    out
}

fn partners(old: &Dossier, new: &Dossier, out: &mut Vec<Change>) {
    let names = |d: &Dossier| -> BTreeSet<String> {
        d.fonctionnement.partenaires.liste.iter().map(|p| p.nom.trim().to_string()).collect()
    };
    let (before, after) = (names(old), names(new));
    let added: Vec<&String> = after.difference(&before).collect();
    let removed: Vec<&String> = before.difference(&after).collect();
    if !added.is_empty() || !removed.is_empty() {
        let mut detail = Vec::new();
        if !added.is_empty() {
            detail.push(format!("arrivée : {}", join(&added)));
        }
        if !removed.is_empty() {
            detail.push(format!("départ : {}", join(&removed)));
        }
        out.push(change(
            "Partenaires",
            format!("{} partenaires", before.len()),
            format!("{} partenaires ({})", after.len(), detail.join(" ; ")),
        ));
    }
}

fn join(names: &[&String]) -> String {
    names.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
}

fn staff(old: &Dossier, new: &Dossier, out: &mut Vec<Change>) {
    let etp = |d: &Dossier| -> f64 {
        let h = &d.fonctionnement.moyens_humains;
        h.fonctions_usagers
            .iter()
            .chain(&h.fonctions_support)
            .filter_map(|f: &Fonction| f.etp)
            .sum()
    };
    let (e_old, e_new) = (etp(old), etp(new));
    if (e_old - e_new).abs() > 0.001 {
        out.push(change(
            "Moyens humains",
            format!("{} ETP", format_auto(e_old, 2)),
            format!("{} ETP", format_auto(e_new, 2)),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::test_dossier as dossier;

    #[test]
    fn reports_partners_hours_staff_and_budget_changes() {
        let old = dossier(
            "[[fonctionnement.partenaires.liste]]\nnom = \"A\"\n[[fonctionnement.partenaires.liste]]\nnom = \"B\"\n[offre.horaires]\njours = [{ jour = \"lundi\", plages = [\"09:00-12:00\"] }]\n",
        );
        let new = dossier(
            "[[fonctionnement.partenaires.liste]]\nnom = \"A\"\n[[fonctionnement.partenaires.liste]]\nnom = \"C\"\n[offre.horaires]\njours = [{ jour = \"lundi\", plages = [\"09:00-12:00\", \"14:00-17:30\"] }]\n[[fonctionnement.moyens_humains.fonctions_support]]\nfonction = \"Direction\"\netp = 1\n[[budget.fonctionnement.charges]]\nposte = \"Loyer\"\nmontant = 1000\n",
        );
        let rows = changes(&old, &new);
        let domains: Vec<&str> = rows.iter().map(|c| c.domaine.as_str()).collect();
        assert_eq!(
            domains,
            ["Partenaires", "Horaires", "Moyens humains", "Budget de fonctionnement"]
        );
        assert_eq!(rows[0].apres, "2 partenaires (arrivée : C ; départ : B)");
        assert_eq!(rows[1].avant, "3 h par semaine");
        assert_eq!(rows[1].apres, "6,5 h par semaine");
    }

    #[test]
    fn identical_dossiers_have_no_changes() {
        let d = dossier("");
        assert!(changes(&d, &d).is_empty());
    }
}
