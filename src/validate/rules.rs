//! Checks of meaning, on the typed dossier: each returns findings on a field path, which the
//! caller locates in the source.

use std::collections::HashMap;

use super::Finding;
use crate::diag::suggestion;
use crate::model::{BudgetDetail, Dossier, Indicateur, Repartition};
use crate::template::{filters::format_euros, parse_slot};

/// Runs every rule.
pub fn check(d: &Dossier) -> Vec<Finding> {
    let mut out = Vec::new();
    statistics(d, &mut out);
    plan_dates(d, &mut out);
    partner_references(d, &mut out);
    budget(&d.budget.fonctionnement, "budget.fonctionnement", &mut out);
    budget(&d.budget.investissement, "budget.investissement", &mut out);
    opening_hours(d, &mut out);
    duplicates(d, &mut out);
    other_warnings(d, &mut out);
    annexes(d, &mut out);
    appearance(d, &mut out);
    out
}

/// Colours are `#rrggbb`; the logo and the cover image are images.
fn appearance(d: &Dossier, out: &mut Vec<Finding>) {
    let look = &d.apparence;
    for (field, colour) in [
        ("apparence.couleur_principale", &look.couleur_principale),
        ("apparence.couleur_secondaire", &look.couleur_secondaire),
    ] {
        if let Some(text) = colour
            && crate::model::Apparence::rgb(text).is_none()
        {
            out.push(Finding::error(
                field,
                format!("couleur non reconnue « {text} »"),
                Some("écrivez la couleur en hexadécimal, comme dans la charte graphique : \"#1d4f73\"".into()),
            ));
        }
    }
    for (field, file) in
        [("apparence.logo", &look.logo), ("apparence.image_couverture", &look.image_couverture)]
    {
        let Some(file) = file else { continue };
        let extension = extension(file);
        if !["png", "jpg", "jpeg", "svg"].contains(&extension.as_str()) {
            out.push(Finding::error(
                field,
                format!("type de fichier non pris en charge pour une image : « {file} »"),
                Some("utilisez une image PNG, JPEG ou SVG".into()),
            ));
        }
    }
}

fn extension(file: &str) -> String {
    std::path::Path::new(file)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_lowercase)
        .unwrap_or_default()
}

/// Fields whose numbers may be negative: coordinates and free indicators (an evolution rate).
fn may_be_negative(path: &str) -> bool {
    path.ends_with("latitude") || path.ends_with("longitude") || path.contains("indicateurs[")
}

/// A negative number where only amounts, counts and quantities are expected.
pub fn negative(path: &str, n: &serde_json::Number) -> Option<Finding> {
    let value = n.as_f64().filter(|v| *v < 0.0 && !may_be_negative(path))?;
    Some(Finding::error(
        path,
        format!("valeur négative : {}", crate::template::filters::format_auto(value, 2)),
        Some("les montants, effectifs et quantités sont positifs ou nuls".into()),
    ))
}

fn statistics(d: &Dossier, out: &mut Vec<Finding>) {
    let year = d.cite.date.year;
    let c = &d.contexte;
    let repartitions = [
        ("contexte.activites.secteurs", &c.activites.secteurs),
        ("contexte.public.population_active", &c.public.population_active),
        ("contexte.public.scolaires", &c.public.scolaires),
        ("contexte.public.demandeurs_categorie", &c.public.demandeurs_categorie),
        ("contexte.public.demandeurs_age", &c.public.demandeurs_age),
    ];
    for (path, r) in repartitions {
        repartition(r, path, year, out);
    }
    for (i, ind) in c.social.indicateurs.iter().enumerate() {
        indicator(ind, &format!("contexte.social.indicateurs[{i}]"), year, out);
    }
    let report = &d.complements.rapport_activite;
    for (i, ind) in report.indicateurs.iter().enumerate() {
        indicator(ind, &format!("complements.rapport_activite.indicateurs[{i}]"), year, out);
    }
    if let Some(y) = report.annee {
        check_year(y, year, "complements.rapport_activite.annee", out);
    }
    if !c.social.chomage.series.is_empty() && c.social.chomage.source.trim().is_empty() {
        out.push(source_warning("contexte.social.chomage"));
    }
}

fn repartition(r: &Repartition, path: &str, year: i32, out: &mut Vec<Finding>) {
    if r.postes.is_empty() {
        return;
    }
    match r.annee {
        Some(y) => check_year(y, year, &format!("{path}.annee"), out),
        None => out.push(Finding::warning(
            path,
            "statistique sans année".into(),
            Some("ajoutez `annee = …` : toute statistique porte son année".into()),
        )),
    }
    if r.source.trim().is_empty() {
        out.push(source_warning(path));
    }
    if r.unite.trim() == "%" {
        for (i, p) in r.postes.iter().enumerate() {
            percentage(p.valeur, &format!("{path}.postes[{i}].valeur"), out);
        }
    }
}

fn indicator(ind: &Indicateur, path: &str, year: i32, out: &mut Vec<Finding>) {
    if let Some(y) = ind.annee {
        check_year(y, year, &format!("{path}.annee"), out);
    }
    if ind.source.trim().is_empty() {
        out.push(source_warning(path));
    }
    if ind.unite.trim() == "%" {
        percentage(ind.valeur, &format!("{path}.valeur"), out);
        if let Some(r) = ind.reference {
            percentage(r, &format!("{path}.reference"), out);
        }
    }
}

fn source_warning(path: &str) -> Finding {
    Finding::warning(
        path,
        "statistique sans source".into(),
        Some("ajoutez `source = \"…\"` (par exemple « Insee, RP 2021 »)".into()),
    )
}

fn percentage(value: f64, path: &str, out: &mut Vec<Finding>) {
    if !(0.0..=100.0).contains(&value) {
        out.push(Finding::error(
            path,
            format!("pourcentage hors de 0 à 100 : {value}"),
            Some("un pourcentage s'écrit entre 0 et 100 (16.8 pour 16,8 %)".into()),
        ));
    }
}

fn check_year(y: i32, dossier_year: i32, path: &str, out: &mut Vec<Finding>) {
    if y > dossier_year {
        out.push(Finding::error(path, format!("année {y} postérieure à la date du dossier ({dossier_year})"), Some("une statistique ne peut pas venir du futur : vérifiez l'année ou la date du dossier".into())));
    } else if y < 1900 {
        out.push(Finding::error(path, format!("année invalide : {y}"), None));
    }
}

fn plan_dates(d: &Dossier, out: &mut Vec<Finding>) {
    for (i, a) in d.complements.plan_amelioration.actions.iter().enumerate() {
        if a.debut > a.fin {
            let path = format!("complements.plan_amelioration.actions[{i}].fin");
            out.push(Finding::error(
                &path,
                "la fin de l'action précède son début".into(),
                Some("vérifiez `debut` et `fin`".into()),
            ));
        }
    }
}

/// Every place where a partner is named, with the names used.
fn references(d: &Dossier) -> Vec<(String, &str)> {
    let mut refs = Vec::new();
    let o = &d.offre;
    for (i, e) in o.espaces_conseil.liste.iter().enumerate() {
        refs.extend(e.partenaires.iter().enumerate().map(|(j, p)| {
            (format!("offre.espaces_conseil.liste[{i}].partenaires[{j}]"), p.as_str())
        }));
    }
    for (i, a) in o.offre_collective.liste.iter().enumerate() {
        refs.extend(a.partenaires.iter().enumerate().map(|(j, p)| {
            (format!("offre.offre_collective.liste[{i}].partenaires[{j}]"), p.as_str())
        }));
    }
    refs.extend(
        o.documentation
            .partenaires
            .iter()
            .enumerate()
            .map(|(j, p)| (format!("offre.documentation.partenaires[{j}]"), p.as_str())),
    );
    for (i, a) in d.partenariat.mutualisation.actions.iter().enumerate() {
        refs.extend(a.partenaires.iter().enumerate().map(|(j, p)| {
            (format!("partenariat.mutualisation.actions[{i}].partenaires[{j}]"), p.as_str())
        }));
    }
    for (name, b) in
        [("fonctionnement", &d.budget.fonctionnement), ("investissement", &d.budget.investissement)]
    {
        refs.extend(b.financements.iter().enumerate().map(|(i, f)| {
            (format!("budget.{name}.financements[{i}].partenaire"), f.partenaire.as_str())
        }));
    }
    for (i, r) in d.complements.retours_partenaires.liste.iter().enumerate() {
        refs.push((
            format!("complements.retours_partenaires.liste[{i}].partenaire"),
            r.partenaire.as_str(),
        ));
    }
    refs
}

fn normalize(name: &str) -> String {
    name.trim().to_lowercase()
}

fn partner_references(d: &Dossier, out: &mut Vec<Finding>) {
    let partners = &d.fonctionnement.partenaires.liste;
    let names: Vec<String> = partners.iter().map(|p| p.nom.clone()).collect();
    let known: Vec<String> = names.iter().map(|n| normalize(n)).collect();
    let refs = references(d);
    if partners.is_empty() {
        if let Some((path, _)) = refs.first() {
            out.push(Finding::warning(path, "des partenaires sont cités mais la liste des partenaires (4.1) est vide".into(), Some("décrivez-les dans [[fonctionnement.partenaires.liste]] pour que les références soient vérifiées".into())));
        }
        return;
    }
    for (path, name) in refs {
        if name.trim().is_empty() || known.contains(&normalize(name)) {
            continue;
        }
        let hint = match suggestion(name, &names) {
            Some(s) => format!(
                "vouliez-vous dire « {s} » ? sinon, ajoutez ce partenaire à fonctionnement.partenaires.liste"
            ),
            None => "ajoutez ce partenaire à fonctionnement.partenaires.liste, ou corrigez son nom"
                .into(),
        };
        out.push(Finding::error(&path, format!("partenaire inconnu « {name} »"), Some(hint)));
    }
}

fn budget(b: &BudgetDetail, path: &str, out: &mut Vec<Finding>) {
    let charges: f64 = b.charges.iter().map(|l| l.montant).sum();
    let funding: f64 = b.financements.iter().map(|f| f.montant).sum();
    if let Some(total) = b.total
        && !b.charges.is_empty()
        && (total - charges).abs() > 0.5
    {
        out.push(Finding::error(
            &format!("{path}.total"),
            format!(
                "le total indiqué ({}) ne correspond pas à la somme des charges ({})",
                format_euros(total),
                format_euros(charges)
            ),
            Some("corrigez le total ou les lignes, ou retirez `total` : il est calculé".into()),
        ));
    }
    if !b.charges.is_empty() && !b.financements.is_empty() && (charges - funding).abs() > 0.5 {
        out.push(Finding::warning(
            path,
            format!(
                "budget non équilibré : {} de charges pour {} de financements",
                format_euros(charges),
                format_euros(funding)
            ),
            None,
        ));
    }
}

const DAYS: [&str; 7] = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"];

fn opening_hours(d: &Dossier, out: &mut Vec<Finding>) {
    let days: Vec<String> = DAYS.iter().map(|s| s.to_string()).collect();
    let mut seen = HashMap::new();
    for (i, day) in d.offre.horaires.jours.iter().enumerate() {
        let path = format!("offre.horaires.jours[{i}]");
        let name = normalize(&day.jour);
        if !DAYS.contains(&name.as_str()) {
            let hint = suggestion(&name, &days)
                .map(|s| format!("vouliez-vous dire « {s} » ?"))
                .or(Some("jours possibles : lundi à dimanche".into()));
            out.push(Finding::error(
                &format!("{path}.jour"),
                format!("jour inconnu « {} »", day.jour),
                hint,
            ));
        } else if let Some(first) = seen.insert(name.clone(), i) {
            out.push(Finding::error(
                &format!("{path}.jour"),
                format!("le {name} est déjà décrit (jours[{first}])"),
                Some("regroupez les plages d'un même jour dans une seule entrée".into()),
            ));
        }
        let mut slots: Vec<(u32, u32, usize)> = Vec::new();
        for (j, slot) in day.plages.iter().enumerate() {
            match parse_slot(slot) {
                Some((a, b)) => slots.push((a, b, j)),
                None => out.push(Finding::error(
                    &format!("{path}.plages[{j}]"),
                    format!("plage horaire invalide « {slot} »"),
                    Some(
                        "format attendu HH:MM-HH:MM, début avant fin, par exemple \"09:30-12:30\""
                            .into(),
                    ),
                )),
            }
        }
        slots.sort();
        for pair in slots.windows(2) {
            if pair[1].0 < pair[0].1 {
                out.push(Finding::error(
                    &format!("{path}.plages[{}]", pair[1].2),
                    format!(
                        "plages qui se chevauchent : « {} » et « {} »",
                        day.plages[pair[0].2], day.plages[pair[1].2]
                    ),
                    None,
                ));
            }
        }
    }
}

fn duplicates(d: &Dossier, out: &mut Vec<Finding>) {
    let lists: [(&str, &str, Vec<&str>); 4] = [
        (
            "fonctionnement.partenaires.liste",
            "nom",
            d.fonctionnement.partenaires.liste.iter().map(|p| p.nom.as_str()).collect(),
        ),
        (
            "contexte.structures.liste",
            "nom",
            d.contexte.structures.liste.iter().map(|s| s.nom.as_str()).collect(),
        ),
        (
            "offre.espaces_conseil.liste",
            "theme",
            d.offre.espaces_conseil.liste.iter().map(|e| e.theme.as_str()).collect(),
        ),
        (
            "implantation.equite.sites",
            "nom",
            d.implantation.equite.sites.iter().map(|s| s.nom.as_str()).collect(),
        ),
    ];
    for (path, key, names) in lists {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (i, name) in names.iter().enumerate() {
            if name.trim().is_empty() {
                continue;
            }
            if let Some(first) = seen.insert(normalize(name), i) {
                out.push(Finding::error(
                    &format!("{path}[{i}].{key}"),
                    format!("« {name} » apparaît deux fois (déjà en position {})", first + 1),
                    Some("chaque entrée doit avoir un nom distinct".into()),
                ));
            }
        }
    }
}

fn other_warnings(d: &Dossier, out: &mut Vec<Finding>) {
    let visits = &d.complements.rapport_activite.visites_par_mois;
    if !visits.is_empty() && visits.len() != 12 {
        out.push(Finding::warning(
            "complements.rapport_activite.visites_par_mois",
            format!("{} valeurs au lieu de 12 (une par mois)", visits.len()),
            None,
        ));
    }
    for (i, p) in d.fonctionnement.partenaires.liste.iter().enumerate() {
        if p.roles.is_empty() {
            out.push(Finding::warning(
                &format!("fonctionnement.partenaires.liste[{i}]"),
                format!("le partenaire « {} » n'a pas de rôle", p.nom),
                Some("indiquez `roles` : financeur, services et/ou ressources".into()),
            ));
        }
    }
    let sites = &d.implantation.equite.sites;
    if sites.iter().any(|s| s.latitude.is_some()) {
        for (i, s) in
            sites.iter().enumerate().filter(|(_, s)| s.latitude.is_none() || s.longitude.is_none())
        {
            out.push(Finding::warning(
                &format!("implantation.equite.sites[{i}]"),
                format!(
                    "le site « {} » n'a pas de coordonnées : il n'apparaîtra pas sur la carte",
                    s.nom
                ),
                None,
            ));
        }
    }
}

/// File kinds an annex may be.
pub const ANNEX_EXTENSIONS: [&str; 5] = ["pdf", "png", "jpg", "jpeg", "svg"];

/// Annexes: known file kind, a description for images, cited items that exist.
pub fn annexes(d: &Dossier, out: &mut Vec<Finding>) {
    let outline = crate::outline::Outline::get();
    for (i, annex) in d.annexes.iter().enumerate() {
        let path = format!("annexes[{i}]");
        let extension = extension(&annex.fichier);
        if !ANNEX_EXTENSIONS.contains(&extension.as_str()) {
            out.push(Finding::error(
                &format!("{path}.fichier"),
                format!(
                    "type de fichier non pris en charge pour une annexe : « {} »",
                    annex.fichier
                ),
                Some("une annexe est un PDF ou une image (PNG, JPEG, SVG)".into()),
            ));
        }
        if extension != "pdf" && annex.description.trim().is_empty() {
            out.push(Finding::error(&path, format!("l'annexe « {} » est une image sans description", annex.titre), Some("ajoutez `description = \"…\"` : elle est lue par les lecteurs d'écran (exigence PDF/UA)".into())));
        }
        for (j, item) in annex.items.iter().enumerate() {
            if outline.item(item).is_none() {
                out.push(Finding::error(
                    &format!("{path}.items[{j}]"),
                    format!("item « {item} » absent du plan"),
                    Some("indiquez le numéro d'un item du plan, par exemple \"4.5\"".into()),
                ));
            }
        }
    }
}

/// PDF annexes cannot be embedded in a PDF/A or PDF/UA document (Typst limitation).
pub fn pdf_annexes(d: &Dossier) -> Vec<Finding> {
    d.annexes
        .iter()
        .enumerate()
        .filter(|(_, a)| a.fichier.to_lowercase().ends_with(".pdf"))
        .map(|(i, a)| {
            Finding::error(
                &format!("annexes[{i}].fichier"),
                format!("l'annexe PDF « {} » ne peut pas être intégrée dans un PDF/A ou PDF/UA", a.titre),
                Some("convertissez ses pages en images (par exemple `pdftoppm -r 150 -png annexe.pdf page`) et citez l'image, ou produisez le dossier sans norme avec --pdf-standard aucune".into()),
            )
        })
        .collect()
}
