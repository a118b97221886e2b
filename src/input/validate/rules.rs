//! Checks of meaning, on the typed dossier: each returns findings on a field path, which the
//! caller locates in the source.

use std::collections::HashMap;

use super::Finding;
use crate::diag::suggestion;
use crate::fr::format_euros;
use crate::model::parse_slot;
use crate::model::{BudgetDetail, Dossier, Indicateur, Repartition};

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
    series(d, &mut out);
    coherence(d, &mut out);
    out
}

/// A series has one value per period ("nd" where a value is not available): a shorter or
/// longer list would put its values under the wrong periods.
fn series(d: &Dossier, out: &mut Vec<Finding>) {
    let chomage = &d.contexte.social.chomage;
    for (i, serie) in chomage.series.iter().enumerate() {
        let (values, periods) = (serie.valeurs.len(), chomage.periodes.len());
        if values != periods {
            out.push(Finding::error(
                &format!("contexte.social.chomage.series[{i}].valeurs"),
                format!("{values} valeurs pour {periods} périodes ({})", chomage.periodes.join(", ")),
                Some("une valeur par période, dans l'ordre ; écrivez \"nd\" pour une valeur non disponible".into()),
            ));
        }
    }
    let report = &d.complements.rapport_activite;
    for (field, visits) in [
        ("visites_par_mois", &report.visites_par_mois),
        ("visites_par_mois_precedent", &report.visites_par_mois_precedent),
    ] {
        if !visits.is_empty() && visits.len() != 12 {
            out.push(Finding::error(
                &format!("complements.rapport_activite.{field}"),
                format!(
                    "{} valeurs au lieu de 12 (une par mois, de janvier à décembre)",
                    visits.len()
                ),
                Some("un mois sans ouverture vaut 0".into()),
            ));
        }
    }
}

/// The same quantity given in two places must agree: these are warnings naming both places.
fn coherence(d: &Dossier, out: &mut Vec<Finding>) {
    let report = &d.complements.rapport_activite;
    if let Some(year) = report.annee {
        for (field, months, y) in [
            ("visites_par_mois", &report.visites_par_mois, year),
            ("visites_par_mois_precedent", &report.visites_par_mois_precedent, year - 1),
        ] {
            visits_agree(d, field, months, y, out);
        }
    }
    for (i, action) in d.complements.plan_amelioration.actions.iter().enumerate() {
        if action.etat == Some(crate::model::Etat::Realise) && action.fin > d.cite.date {
            out.push(
                Finding::warning(
                    &format!("complements.plan_amelioration.actions[{i}].etat"),
                    format!(
                        "action marquée réalisée mais qui se termine le {}, après la date du dossier ({})",
                        crate::fr::format_date(action.fin),
                        crate::fr::format_date(d.cite.date)
                    ),
                    Some("indiquez « en cours », ou corrigez la date de fin".into()),
                )
                .also(&format!("complements.plan_amelioration.actions[{i}].fin"), "fin".into()),
            );
        }
    }
    funders_without_role(d, out);
}

/// The visits of a year in 8.4 (sum of the months) and in 3.3 (yearly figures) are the same.
fn visits_agree(d: &Dossier, field: &str, months: &[f64], year: i32, out: &mut Vec<Finding>) {
    if months.len() != 12 {
        return;
    }
    let visits: f64 = months.iter().sum();
    let yearly = d.offre.frequentation.annuelle.iter().enumerate().find(|(_, a)| a.annee == year);
    let Some((i, figure)) = yearly.filter(|(_, a)| (a.valeur - visits).abs() > 0.5) else { return };
    let n = |v: f64| crate::fr::format_auto(v, 0);
    out.push(
        Finding::warning(
            &format!("offre.frequentation.annuelle[{i}].valeur"),
            format!(
                "fréquentation {year} : {} en 3.3 mais {} visites en 8.4 (somme des mois)",
                n(figure.valeur),
                n(visits)
            ),
            Some(
                "donnez le même chiffre aux deux endroits (le réel, une fois l'année close)".into(),
            ),
        )
        .also(&format!("complements.rapport_activite.{field}"), format!("{} visites", n(visits))),
    );
}

/// A partner that funds a budget in money has the role `financeur`, so that 4.1 and 6.1 count
/// the same funders.
fn funders_without_role(d: &Dossier, out: &mut Vec<Finding>) {
    let partners = &d.fonctionnement.partenaires.liste;
    for (budget, detail) in
        [("fonctionnement", &d.budget.fonctionnement), ("investissement", &d.budget.investissement)]
    {
        // Money makes a partner a funder; in-kind contributions (staff, premises) do not.
        let cash = |f: &&crate::model::Financement| {
            !f.hors_partenariat && f.nature == Some(crate::model::Nature::Numeraire)
        };
        for (i, f) in detail.financements.iter().enumerate().filter(|(_, f)| cash(f)) {
            let Some((j, partner)) = partners
                .iter()
                .enumerate()
                .find(|(_, p)| normalize(&p.nom) == normalize(&f.partenaire))
            else {
                continue;
            };
            if !partner.roles.contains(&crate::model::Role::Financeur) {
                out.push(
                    Finding::warning(
                        &format!("budget.{budget}.financements[{i}].partenaire"),
                        format!(
                            "« {} » finance le budget mais n'a pas le rôle financeur en 4.1",
                            f.partenaire
                        ),
                        Some("ajoutez \"financeur\" à ses `roles`".into()),
                    )
                    .also(
                        &format!("fonctionnement.partenaires.liste[{j}].roles"),
                        "rôles du partenaire".into(),
                    ),
                );
            }
        }
    }
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

/// Largest magnitude of any number of a dossier: ten times the budget of a large région. A
/// bigger one is a typing error (and would print wrong).
const MAX_NUMBER: f64 = 1e11;

/// Longest text of one field, in characters: about forty pages. A longer one is pasted by
/// mistake and would take minutes to lay out.
pub const MAX_TEXT: usize = 100_000;

/// A number out of the range of its field: negative amounts and counts, coordinates off the
/// globe, more weeks than a year has, magnitudes no dossier has.
pub fn number(path: &str, n: &serde_json::Number) -> Option<Finding> {
    let value = n.as_f64()?;
    let shown = crate::fr::format_auto(value, 2);
    let (limit, what) = match path.rsplit('.').next().unwrap_or_default() {
        "latitude" => (90.0, "une latitude est comprise entre −90 et 90 (degrés décimaux WGS 84)"),
        "longitude" => {
            (180.0, "une longitude est comprise entre −180 et 180 (degrés décimaux WGS 84)")
        }
        "semaines_par_an" => (53.0, "une année compte au plus 53 semaines"),
        key if key.starts_with("anneaux_km[") => {
            (300.0, "un cercle de plus de 300 km autour du site principal dépasserait la région")
        }
        _ => (MAX_NUMBER, "vérifiez le nombre de chiffres"),
    };
    if value.abs() > limit || (path.ends_with("semaines_par_an") && value < 0.0) {
        return Some(Finding::error(
            path,
            format!("valeur hors limites : {shown}"),
            Some(what.into()),
        ));
    }
    (value < 0.0 && !may_be_negative(path)).then(|| {
        Finding::error(
            path,
            format!("valeur négative : {shown}"),
            Some("les montants, effectifs et quantités sont positifs ou nuls".into()),
        )
    })
}

/// Invisible characters that a copy-paste brings along (zero-width spaces, word joiners, byte
/// order marks, direction overrides): refused with the field named, rather than dropped or
/// kept silently, since they change how the text is searched, read aloud or even ordered.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{180E}' | '\u{200B}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A text that cannot be right: a blank name where a name is required (the Cité, an entry of a
/// list), or a text longer than [`MAX_TEXT`].
pub fn text(path: &str, text: &str) -> Option<Finding> {
    let chars = text.chars().count();
    // Names that become PDF metadata (title, author) and descriptions read as alternative text
    // are PDF strings, which PDF/A limits to 32 767 bytes; they are kept far below.
    let limit = match path {
        "cite.nom" | "cite.porteur" | "cite.territoire" => 300,
        _ if path.starts_with("annexes[") && path.ends_with("].description") => 2_000,
        _ => MAX_TEXT,
    };
    if chars > limit {
        return Some(Finding::error(
            path,
            format!("texte trop long : {chars} caractères (au plus {limit})"),
            Some("un champ de texte tient en quelques pages : scindez-le ou joignez le document en annexe".into()),
        ));
    }
    if let Some(c) = text.chars().find(|c| is_invisible(*c)) {
        return Some(Finding::error(
            path,
            format!("caractère invisible U+{:04X} dans le texte", u32::from(c)),
            Some("il vient souvent d'un copier-coller : retapez le passage, ou retirez ce caractère (il ne s'affiche pas mais gênerait la recherche et la lecture du PDF)".into()),
        ));
    }
    let named_entry = path == "cite.nom" || (path.ends_with("].nom") && path.contains('['));
    (named_entry && text.trim().is_empty()).then(|| {
        Finding::error(
            path,
            "nom vide".into(),
            Some("donnez un nom : il apparaît dans le dossier".into()),
        )
    })
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
    let attendance = &d.offre.frequentation;
    if !attendance.par_service.is_empty() && attendance.par_service_annee.is_none() {
        out.push(Finding::warning(
            "offre.frequentation.par_service",
            "fréquentation par service sans année".into(),
            Some("ajoutez `par_service_annee = …` : toute statistique porte son année".into()),
        ));
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
        refs.extend(b.financements.iter().enumerate().filter(|(_, f)| !f.hors_partenariat).map(
            |(i, f)| (format!("budget.{name}.financements[{i}].partenaire"), f.partenaire.as_str()),
        ));
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
                "vouliez-vous dire « {s} » ?{} Sinon, ajoutez ce partenaire à fonctionnement.partenaires.liste",
                crate::diag::difference(name, &s).map(|d| format!(" Vous avez {d}.")).unwrap_or_default()
            ),
            None if path.contains(".financements[") => "ajoutez ce partenaire à fonctionnement.partenaires.liste, corrigez son nom, ou écrivez `hors_partenariat = true` pour un financeur qui n'est pas partenaire de la Cité (FSE+, fondation…)".into(),
            None => "ajoutez ce partenaire à fonctionnement.partenaires.liste, ou corrigez son nom"
                .into(),
        };
        out.push(Finding::error(&path, format!("partenaire inconnu « {name} »"), Some(hint)));
    }
}

fn budget(b: &BudgetDetail, path: &str, out: &mut Vec<Finding>) {
    // A line whose amount was left out reads 0 (the model's default): the PDF would print a
    // « 0 € » line nobody wrote.
    let lines =
        b.charges.iter().enumerate().map(|(i, l)| ("charges", i, l.poste.as_str(), l.montant));
    let funding_lines = b.financements.iter().enumerate();
    let lines = lines
        .chain(funding_lines.map(|(i, f)| ("financements", i, f.partenaire.as_str(), f.montant)));
    for (list, i, name, amount) in lines {
        if amount == 0.0 {
            out.push(Finding::warning(
                &format!("{path}.{list}[{i}].montant"),
                format!("la ligne « {} » n'a pas de montant : le PDF affiche 0 €", name.trim()),
                Some("indiquez son montant, ou supprimez la ligne".into()),
            ));
        }
    }
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

fn opening_hours(d: &Dossier, out: &mut Vec<Finding>) {
    let mut seen = HashMap::new();
    for (i, day) in d.offre.horaires.jours.iter().enumerate() {
        let path = format!("offre.horaires.jours[{i}]");
        if let Some(first) = seen.insert(day.jour, i) {
            out.push(Finding::error(
                &format!("{path}.jour"),
                format!("le {} est déjà décrit (jours[{first}])", day.jour.key()),
                Some("regroupez les plages d'un même jour dans une seule entrée".into()),
            ));
        }
        let mut slots: Vec<(u32, u32, usize)> = Vec::new();
        for (j, slot) in day.plages.iter().enumerate() {
            // A slot that does not parse was reported by the structure check.
            if let Some((a, b)) = parse_slot(slot) {
                slots.push((a, b, j));
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

/// A name in a list and the place that tells it apart (a site's commune; empty elsewhere).
type Named<'a> = (&'a str, &'a str);

fn duplicates(d: &Dossier, out: &mut Vec<Finding>) {
    // Each entry is a name and where it is: sites are places, so two « Permanence en mairie »
    // in two communes are two sites, and the same name in the same commune one written twice.
    let lists: [(&str, &str, Vec<Named>); 4] = [
        (
            "fonctionnement.partenaires.liste",
            "nom",
            d.fonctionnement.partenaires.liste.iter().map(|p| (p.nom.as_str(), "")).collect(),
        ),
        (
            "contexte.structures.liste",
            "nom",
            d.contexte.structures.liste.iter().map(|s| (s.nom.as_str(), "")).collect(),
        ),
        (
            "offre.espaces_conseil.liste",
            "theme",
            d.offre.espaces_conseil.liste.iter().map(|e| (e.theme.as_str(), "")).collect(),
        ),
        (
            "implantation.equite.sites",
            "nom",
            d.implantation
                .equite
                .sites
                .iter()
                .map(|s| (s.nom.as_str(), s.commune.trim()))
                .collect(),
        ),
    ];
    for (path, key, names) in lists {
        let mut seen: HashMap<(String, String), usize> = HashMap::new();
        for (i, (name, place)) in names.iter().enumerate() {
            if name.trim().is_empty() {
                continue;
            }
            if let Some(first) = seen.insert((normalize(name), normalize(place)), i) {
                let shown = if place.is_empty() {
                    format!("« {name} »")
                } else {
                    format!("« {} » à {place}", name.trim())
                };
                out.push(Finding::error(
                    &format!("{path}[{i}].{key}"),
                    format!("{shown} apparaît deux fois (déjà en position {})", first + 1),
                    Some("chaque entrée doit avoir un nom distinct".into()),
                ));
            }
        }
    }
}

fn other_warnings(d: &Dossier, out: &mut Vec<Finding>) {
    for (i, contact) in d.cite.contacts.iter().enumerate() {
        let address = contact.courriel.trim();
        if !address.is_empty() && !looks_like_an_address(address) {
            out.push(Finding::warning(
                &format!("cite.contacts[{i}].courriel"),
                format!("adresse électronique incomplète ou mal écrite « {address} »"),
                Some("écrivez-la en entier, par exemple prenom.nom@agglo-exemple.fr".into()),
            ));
        }
    }
    for (field, value, what) in [
        ("cite.porteur", &d.cite.porteur, "le porteur du projet"),
        ("cite.territoire", &d.cite.territoire, "le territoire"),
    ] {
        if value.trim().is_empty() {
            out.push(Finding::warning(
                field,
                format!("{what} n'est pas renseigné : la couverture le laisse en blanc"),
                Some(format!("indiquez {what}")),
            ));
        }
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
    // A site without coordinates (a mobile service) is named under the map; one coordinate
    // without the other is a mistake.
    for (i, s) in d.implantation.equite.sites.iter().enumerate() {
        if s.latitude.is_some() != s.longitude.is_some() {
            out.push(Finding::warning(
                &format!("implantation.equite.sites[{i}]"),
                format!("le site « {} » a une latitude ou une longitude, pas les deux", s.nom),
                Some("il n'est pas placé sur la carte : indiquez les deux, ou aucune".into()),
            ));
        }
    }
}

/// File kinds an annex may be.
pub const ANNEX_EXTENSIONS: [&str; 5] = ["pdf", "png", "jpg", "jpeg", "svg"];

/// Annexes: known file kind, a description for images, cited items that exist.
pub fn annexes(d: &Dossier, out: &mut Vec<Finding>) {
    let outline = crate::model::outline::Outline::get();
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

/// Whether an e-mail address has the shape every address has (`nom@domaine.fr`): one `@`, no
/// space, a domain with a dot inside. Written by hand: the point is a slip in a printed contact
/// (« claire.martin@valdebrenne »), not the full grammar of RFC 5322.
fn looks_like_an_address(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else { return false };
    let inner_dot = domain.trim_matches('.').contains('.') && !domain.ends_with('.');
    !local.is_empty()
        && !domain.contains('@')
        && inner_dot
        && !address.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::looks_like_an_address;

    #[test]
    fn an_address_without_its_domain_suffix_is_a_slip() {
        assert!(looks_like_an_address("claire.martin@agglo-valdelys.fr"));
        assert!(!looks_like_an_address("claire.martin@valdebrenne"));
        assert!(!looks_like_an_address("claire martin@agglo.fr"));
        assert!(!looks_like_an_address("claire.martin.agglo.fr"));
        assert!(!looks_like_an_address("@agglo.fr"));
    }
}
