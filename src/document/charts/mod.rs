//! The charts the outline asks for, computed from the dossier data and drawn with plotters'
//! SVG backend. They are handed to Typst as in-memory SVG files (never written to the user's
//! folder), with alt text generated from the data and a caption naming source and year.
//!
//! Chart kinds live in their own files (bars, columns, lines, hours, ecosystem, map, gantt);
//! this module decides which charts a dossier's data allows.

mod bars;
mod canvas;
mod columns;
mod ecosystem;
mod france;
mod gantt;
mod hours;
mod lines;
mod map;
pub mod palette;

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;
use serde::Serialize;

use crate::model::{Dossier, Indicateur, Periode, Repartition};
use bars::{Bar, Options};

pub use crate::input::geo::Feature;
pub use canvas::clean as clean_label;

/// A drawn chart.
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    /// Virtual path of the SVG file in the Typst world ("/graphiques/secteurs.svg").
    pub chemin: String,
    /// Alternative text, generated from the data.
    pub alt: String,
    /// Caption: the title, set above the chart.
    pub legende: String,
    /// Full texts of the labels the drawing had to shorten (« … »), printed with the chart so
    /// that every name can be read in full.
    pub abreges: Vec<String>,
    /// Key of the marks drawn on the chart in place of a text that had no room there
    /// (« 3 », « Point relais de la médiathèque (Chaveigne), 12 km · 15 min »), printed under it.
    pub cle: Vec<(String, String)>,
    /// « Source : … », with its year, set below the chart as under the tables.
    pub source: String,
    /// The SVG text (not sent to the templates).
    #[serde(skip)]
    pub svg: String,
}

/// The places L'essentiel lists (and numbers on its small map), of those of 5.3.
pub const PLACES_LISTED: usize = 9;

/// All charts of a dossier, by identifier ("secteurs", "carte"…).
pub type Charts = BTreeMap<String, Chart>;

/// Every chart identifier, in the order of the outline. Templates see all of them, absent ones
/// as empty, so that a template can test `charts.carte` whatever the data.
pub const IDS: &[&str] = &[
    "secteurs",
    "indicateurs",
    "chomage",
    "population_active",
    "scolaires",
    "demandeurs_categorie",
    "demandeurs_age",
    "horaires",
    "frequentation",
    "frequentation_services",
    "ecosysteme",
    "carte",
    "carte_essentiel",
    "budget_fonctionnement",
    "budget_investissement",
    "gantt",
    "visites",
    "entretiens",
    "actions_collectives",
];

/// A chart drawn: the hash of its input, its SVG, its shortened labels and its key.
type Drawn = (u128, String, Vec<String>, Vec<(String, String)>);

/// Charts drawn by earlier builds, so that a rebuild (live preview) redraws only the charts
/// whose input changed. One entry per chart identifier, so its size is bounded.
#[derive(Debug, Default)]
pub struct ChartCache {
    drawn: HashMap<String, Drawn>,
    /// Identifiers of the charts the last build actually drew (the others came from the cache).
    pub redrawn: Vec<String>,
}

/// Charts being built, with the cache they are drawn through.
struct Builder<'a> {
    charts: Charts,
    cache: &'a mut ChartCache,
    palette: palette::Palette,
    /// The source a caption names when the data gives none: the Cité, which supplied it.
    source: String,
}

/// Builds every chart the data allows; `territory` is the outline of the territory read from
/// the dossier's GeoJSON file (empty without one).
pub fn build(dossier: &Dossier, territory: &[Feature]) -> Result<Charts> {
    build_cached(dossier, territory, &mut ChartCache::default())
}

/// Like [`build`], reusing the SVG of every chart whose drawing input is unchanged since the
/// previous build with the same cache.
pub fn build_cached(
    dossier: &Dossier,
    territory: &[Feature],
    cache: &mut ChartCache,
) -> Result<Charts> {
    cache.redrawn.clear();
    let palette = palette::Palette::new(&dossier.apparence);
    let source = or(&dossier.cite.nom, "Cité des métiers");
    let mut charts = Builder { charts: Charts::new(), cache, palette, source };
    let year = dossier.cite.date.year;
    let ctx = &dossier.contexte;
    let sectors = Options { sort: true, top: 12, ..Options::default() };
    add_repartition(&mut charts, "secteurs", &ctx.activites.secteurs, &sectors, UNSTATED)?;
    add_indicators(&mut charts, &ctx.social.indicateurs)?;
    let chomage = &ctx.social.chomage;
    if chomage.periodes.len() >= 2 && chomage.series.iter().any(|s| !s.valeurs.is_empty()) {
        let caption =
            caption(&or(&chomage.titre, "Taux de chômage"), &chomage.source, UNSTATED, None);
        let alt = lines::describe(chomage);
        add(&mut charts, "chomage", chomage, || lines::draw(chomage), alt, caption)?;
    }
    let public = &ctx.public;
    let dashboard = [
        ("population_active", &public.population_active),
        ("scolaires", &public.scolaires),
        ("demandeurs_categorie", &public.demandeurs_categorie),
        ("demandeurs_age", &public.demandeurs_age),
    ];
    // The four charts of the 1.2.3 dashboard share their label column so that bars line up.
    let labels = dashboard.iter().flat_map(|(_, r)| r.postes.iter().map(|p| p.nom.as_str()));
    let shared = Options { label_width: Some(bars::label_column(labels)), ..Options::default() };
    for (id, r) in dashboard {
        add_repartition(&mut charts, id, r, &shared, UNSTATED)?;
    }
    add_offer(&mut charts, dossier)?;
    add_operations(&mut charts, dossier, territory)?;
    add_budgets(&mut charts, dossier, year)?;
    add_complements(&mut charts, dossier, year)?;
    Ok(charts.charts)
}

/// Adds a chart, drawing it only if `input` (everything the drawing depends on) differs from
/// the cached one. The key is a hash of the input's `Debug` text: the inputs are plain data
/// (f64 included, which Debug prints exactly), and deriving `Hash` on them is impossible
/// because of the floats.
fn add(
    charts: &mut Builder,
    id: &str,
    input: &dyn std::fmt::Debug,
    draw: impl FnOnce() -> Result<String>,
    alt: String,
    (legende, source): (String, String),
) -> Result<()> {
    debug_assert!(IDS.contains(&id), "chart {id} missing from IDS");
    let key = typst::utils::hash128(&format!("{input:?}"));
    let (svg, abreges, cle) = match charts.cache.drawn.get(id) {
        Some((cached, svg, abreges, cle)) if *cached == key => {
            (svg.clone(), abreges.clone(), cle.clone())
        }
        _ => {
            canvas::take_shortened();
            canvas::take_key();
            let svg = draw()?;
            drawable(&svg, &legende)?;
            let (abreges, cle) = (canvas::take_shortened(), canvas::take_key());
            let cached = (key, svg.clone(), abreges.clone(), cle.clone());
            charts.cache.drawn.insert(id.to_string(), cached);
            charts.cache.redrawn.push(id.to_string());
            (svg, abreges, cle)
        }
    };
    let chemin = format!("/graphiques/{id}.svg");
    let svg = charts.palette.apply(&svg);
    let alt = bounded_alt(alt);
    charts.charts.insert(id.to_string(), Chart { chemin, alt, legende, abreges, cle, source, svg });
    Ok(())
}

/// Most elements a chart may have: Typst's SVG reader (usvg) gives up at a million nodes with
/// an error that names the generated file only; a chart that large means data out of any
/// plausible range (dates centuries apart), which the user must hear about by the chart's name.
const MAX_ELEMENTS: usize = 200_000;

fn drawable(svg: &str, legende: &str) -> Result<()> {
    let elements = svg.matches('<').count();
    if elements > MAX_ELEMENTS {
        anyhow::bail!(
            "le graphique « {legende} » est trop chargé pour être dessiné ({} éléments, au plus {}) : \
             vérifiez les données qu'il montre (des dates trop éloignées, des valeurs démesurées)",
            crate::fr::format_number(elements as f64, 0),
            crate::fr::format_number(MAX_ELEMENTS as f64, 0)
        );
    }
    Ok(())
}

/// Longest alternative text of a chart, in characters. Alt text is a PDF string (PDF/A limits
/// those to 32 767 bytes) and is read aloud: past this length it says where the rest is.
const MAX_ALT: usize = 4_000;

fn bounded_alt(alt: String) -> String {
    if alt.chars().count() <= MAX_ALT {
        return alt;
    }
    let cut: String = alt.chars().take(MAX_ALT).collect();
    let cut = cut.rsplit_once(" ; ").map_or(cut.as_str(), |(head, _)| head).to_string();
    format!("{cut} ; … la liste complète figure dans le tableau qui suit.")
}

fn or(text: &str, default: &str) -> String {
    if text.trim().is_empty() { default.to_string() } else { text.to_string() }
}

/// What a statistic's source line says when the data names none (`check` warns about it): the
/// Cité is not the source of Insee's figures, and a line « Source : 2021 » reads as a mistake.
const UNSTATED: &str = "non précisée";

/// The title of a chart and its source line "Source : X, 2023".
/// `default` names the source when the data gives none: the Cité, as a writer would name it
/// (never « données du dossier »).
fn caption(title: &str, source: &str, default: &str, year: Option<i32>) -> (String, String) {
    let source = or(source, default);
    let source = match year {
        Some(y) if !source.contains(&y.to_string()) => format!("Source : {source}, {y}"),
        _ => format!("Source : {source}"),
    };
    (title.to_string(), source)
}

/// A bar chart of a breakdown; `unstated` names its source when the data gives none.
fn add_repartition(
    charts: &mut Builder,
    id: &str,
    r: &Repartition,
    options: &Options,
    unstated: &str,
) -> Result<()> {
    if r.postes.is_empty() {
        return Ok(());
    }
    let bars = bars::prepare(
        r.postes
            .iter()
            .map(|p| Bar { area: 0, label: p.nom.clone(), value: p.valeur, previous: None })
            .collect(),
        options,
    );
    let title = or(&r.titre, "Répartition");
    let unit = if r.unite == "%" { "%".to_string() } else { String::new() };
    let opts = Options { unit: unit.clone(), ..options.clone() };
    let alt = bars::describe(&format!("{title} ({})", or(&r.unite, "valeurs")), &bars, &r.unite);
    let legende = caption(&title, &r.source, unstated, r.annee);
    add(charts, id, &(&bars, &opts), || bars::draw(&bars, &opts), alt, legende)
}

fn add_indicators(charts: &mut Builder, indicators: &[Indicateur]) -> Result<()> {
    let rates: Vec<&Indicateur> = indicators.iter().filter(|i| i.unite.trim() == "%").collect();
    if rates.is_empty() {
        return Ok(());
    }
    let bars: Vec<Bar> = rates
        .iter()
        .map(|i| Bar { area: 0, label: i.nom.clone(), value: i.valeur, previous: i.reference })
        .collect();
    let bars = bars::prepare(bars, &Options::default());
    // The legend names every comparison area, not only the first one.
    let mut areas: Vec<&str> = Vec::new();
    for area in rates.iter().map(|i| i.reference_nom.trim()).filter(|a| !a.is_empty()) {
        if !areas.contains(&area) {
            areas.push(area);
        }
    }
    // One legend entry and one colour per comparison area.
    let bars: Vec<Bar> = bars
        .into_iter()
        .map(|b| {
            let name = rates.iter().find(|i| i.nom == b.label).map(|i| i.reference_nom.trim());
            let area = name.and_then(|n| areas.iter().position(|a| *a == n)).unwrap_or(0);
            Bar { area, ..b }
        })
        .collect();
    let options = Options {
        unit: "%".into(),
        legend: Some(("Territoire".into(), "Référence".into())),
        areas: areas.iter().map(|a| a.to_string()).collect(),
        ..Options::default()
    };
    let sources: Vec<String> = rates
        .iter()
        .map(|i| match i.annee {
            _ if i.source.trim().is_empty() => UNSTATED.to_string(),
            Some(y) if !i.source.contains(&y.to_string()) => format!("{} {y}", i.source),
            _ => i.source.clone(),
        })
        .filter(|s| !s.trim().is_empty())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let alt =
        bars::describe("principaux indicateurs sociaux en %, territoire et référence", &bars, "%");
    let legende = caption("Principaux indicateurs sociaux", &sources.join(" ; "), UNSTATED, None);
    add(charts, "indicateurs", &(&bars, &options), || bars::draw(&bars, &options), alt, legende)
}

fn add_offer(charts: &mut Builder, dossier: &Dossier) -> Result<()> {
    let offer = &dossier.offre;
    if offer.horaires.jours.iter().any(|d| !d.plages.is_empty()) {
        let legende = ("Horaires d'ouverture hebdomadaires".to_string(), String::new());
        let hours = &offer.horaires;
        add(charts, "horaires", hours, || hours::draw(hours), hours::describe(hours), legende)?;
    }
    let attendance = &offer.frequentation;
    if !attendance.annuelle.is_empty() {
        let open = dossier.cite.label == crate::model::outline::Phase::Fonctionnement;
        let now = dossier.cite.date.year;
        let periods: Vec<Periode> =
            attendance.annuelle.iter().map(|a| a.periode(open, now)).collect();
        let data = columns::Columns {
            labels: periods.iter().map(Periode::label).collect(),
            times: Some(attendance.annuelle.iter().map(|a| f64::from(a.annee)).collect()),
            values: attendance.annuelle.iter().map(|a| a.valeur).collect(),
            previous: None,
            legend: ("Visites comptées".into(), String::new()),
            estimated: periods.iter().map(|p| !p.counted()).collect(),
            estimated_legend: "Estimations et prévisions".into(),
        };
        let alt = columns::describe("fréquentation par année", &data);
        // A Cité not open yet has forecasts only; an open one counts its past years.
        let default = if dossier.cite.label == crate::model::outline::Phase::Fonctionnement {
            "comptages et prévisions de la Cité"
        } else {
            "prévisions du porteur"
        };
        let legende = caption("Fréquentation par année", &attendance.source, default, None);
        add(charts, "frequentation", &data, || columns::draw(&data), alt, legende)?;
    }
    if !attendance.par_service.is_empty() {
        let r = Repartition {
            titre: "Fréquentation par service".into(),
            unite: "visites".into(),
            annee: attendance.par_service_annee,
            source: attendance.source.clone(),
            postes: attendance.par_service.clone(),
        };
        // The Cité counts its own attendance: it is the source when none is named.
        let options = Options { sort: true, ..Options::default() };
        let source = charts.source.clone();
        add_repartition(charts, "frequentation_services", &r, &options, &source)?;
    }
    Ok(())
}

fn add_operations(charts: &mut Builder, dossier: &Dossier, territory: &[Feature]) -> Result<()> {
    let partners = &dossier.fonctionnement.partenaires.liste;
    if !partners.is_empty() {
        let name = &dossier.cite.nom;
        let legende = caption(
            "Écosystème partenarial par type de contribution",
            "conventions et engagements des partenaires",
            "",
            None,
        );
        let draw = || ecosystem::draw(name, partners);
        add(charts, "ecosysteme", &(name, partners), draw, ecosystem::describe(partners), legende)?;
    }
    let equity = &dossier.implantation.equite;
    if equity.sites.iter().any(|s| s.latitude.is_some() && s.longitude.is_some()) {
        let unplaced: Vec<&str> = equity
            .sites
            .iter()
            .filter(|s| s.latitude.is_none() || s.longitude.is_none())
            .map(|s| s.nom.as_str())
            .collect();
        let mut title = "Carte du territoire couvert par la Cité des métiers".to_string();
        if !unplaced.is_empty() {
            let aside = format!("sans position sur la carte : {}", unplaced.join(", "));
            title.push_str(&crate::fr::aside(&aside));
        }
        let legende = (title, format!("Coordonnées et temps de trajet : {}", charts.source));
        let (sites, alt, rings) = (&equity.sites, map::describe(&equity.sites), &equity.anneaux_km);
        let draw = || map::draw(sites, territory, rings);
        add(charts, "carte", &(sites, territory, rings), draw, alt, legende)?;
        // L'essentiel's small map numbers the sites it lists.
        let listed = &sites[..sites.len().min(PLACES_LISTED)];
        let numbered = listed.iter().filter(|s| s.latitude.is_some() && s.longitude.is_some());
        let names: Vec<String> = numbered
            .enumerate()
            .map(|(i, s)| format!("{} {}", i + 1, canvas::clean(&s.nom)))
            .collect();
        let alt = format!(
            "Carte du territoire et des lieux d'accueil, numérotés comme dans la liste : {}.",
            names.join(" ; ")
        );
        let count = names.len();
        let draw = || map::draw_compact(sites, territory, count);
        let legende = ("Lieux d'accueil".to_string(), format!("Coordonnées : {}", charts.source));
        add(charts, "carte_essentiel", &(sites, territory, count), draw, alt, legende)?;
    }
    Ok(())
}

fn add_budgets(charts: &mut Builder, dossier: &Dossier, year: i32) -> Result<()> {
    let budget = &dossier.budget;
    let year = year.to_string();
    // One bar per funder: cash and in-kind lines of the same partner are added up.
    let funding = budget.fonctionnement.by_funder();
    let exercise = format!("exercice {}", or(&budget.fonctionnement.exercice, &year));
    let title = "Budget de fonctionnement par partenaire financeur";
    let alt = "financement du budget de fonctionnement par partenaire, en euros";
    add_euros(charts, "budget_fonctionnement", funding, title, alt, &exercise)?;
    let items = budget.investissement.charges.iter().map(|c| (c.poste.clone(), c.montant));
    let exercise = or(&budget.investissement.exercice, &year);
    let title = "Budget d'investissement par poste";
    add_euros(
        charts,
        "budget_investissement",
        items.collect(),
        title,
        "dépenses d'investissement par poste, en euros",
        &exercise,
    )
}

/// A sorted bar chart of amounts in euros from a budget.
fn add_euros(
    charts: &mut Builder,
    id: &str,
    lines: Vec<(String, f64)>,
    title: &str,
    alt: &str,
    period: &str,
) -> Result<()> {
    if lines.is_empty() {
        return Ok(());
    }
    let bars = bars::prepare(
        lines
            .into_iter()
            .map(|(label, value)| Bar { area: 0, label, value, previous: None })
            .collect(),
        &Options { sort: true, ..Options::default() },
    );
    let legende = caption(title, &format!("budget prévisionnel, {period}"), "", None);
    let options = Options { unit: "€".into(), ..Options::default() };
    let alt = bars::describe(alt, &bars, "€");
    add(charts, id, &(&bars, &options), || bars::draw(&bars, &options), alt, legende)
}

fn add_complements(charts: &mut Builder, dossier: &Dossier, year: i32) -> Result<()> {
    let plan = &dossier.complements.plan_amelioration.actions;
    if !plan.is_empty() {
        let legende =
            caption("Calendrier du plan d'amélioration", "démarche qualité de la Cité", "", None);
        add(charts, "gantt", plan, || gantt::draw(plan), gantt::describe(plan), legende)?;
    }
    let report = &dossier.complements.rapport_activite;
    let y = report.annee.unwrap_or(year);
    let (this, last) = (report.periode(year), report.periode_precedente(year));
    let (now, before) = (this.legend(), last.legend());
    if !report.visites_par_mois.is_empty() {
        let previous = (!report.visites_par_mois_precedent.is_empty())
            .then_some(report.visites_par_mois_precedent.as_slice());
        let data = columns::Columns {
            labels: [
                "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
                "nov.", "déc.",
            ]
            .iter()
            .take(report.visites_par_mois.len().max(previous.map_or(0, <[f64]>::len)))
            .map(|m| (*m).to_string())
            .collect(),
            times: None,
            values: report.visites_par_mois.clone(),
            previous,
            legend: (this.label(), before.clone()),
            estimated: (0..report.visites_par_mois.len())
                .map(|m| report.mois_realises.is_some_and(|r| m >= r as usize))
                .collect(),
            estimated_legend: format!("{}, estimé", this.label()),
        };
        let alt = columns::describe(&format!("visites par mois en {y}"), &data);
        let counted = report.mois_realises.map_or(12, |m| m as usize);
        let source = match report.visites_par_mois.len().saturating_sub(counted) {
            0 => "comptage des entrées de la Cité".to_string(),
            n => format!(
                "comptage des entrées de la Cité ; {} estimé{}",
                crate::fr::month_range(counted + 1, counted + n),
                if n > 1 { "s" } else { "" }
            ),
        };
        let legende = caption("Visites par mois", &source, "", Some(y));
        add(charts, "visites", &data, || columns::draw(&data), alt, legende)?;
    }
    for (id, title, list) in [
        ("entretiens", "Entretiens par espace de conseil", &report.entretiens),
        ("actions_collectives", "Actions collectives par format", &report.actions_collectives),
    ] {
        if list.is_empty() {
            continue;
        }
        let bars: Vec<Bar> = list
            .iter()
            .map(|c| Bar { area: 0, label: c.nom.clone(), value: c.valeur, previous: c.precedent })
            .collect();
        let bars = bars::prepare(bars, &Options::default());
        let options = Options {
            legend: Some((now.clone(), before.clone())),
            estimated: !this.counted(),
            ..Options::default()
        };
        let alt = bars::describe(&format!("{} en {y}", title.to_lowercase()), &bars, "");
        let legende = caption(title, "suivi d'activité de la Cité", "", Some(y));
        add(charts, id, &(&bars, &options), || bars::draw(&bars, &options), alt, legende)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;

/// The map of the Cités of a network over France, from the coordinates of their main sites:
/// numbered points, the names in the key under it.
pub fn network_map(cites: &[(String, (f64, f64))]) -> Result<Chart> {
    let names: Vec<&str> = cites.iter().map(|(n, _)| n.as_str()).collect();
    canvas::take_shortened();
    canvas::take_key();
    let svg = france::draw(cites)?;
    let (abreges, cle) = (canvas::take_shortened(), canvas::take_key());
    Ok(Chart {
        chemin: "/graphiques/carte_reseau.svg".into(),
        alt: bounded_alt(format!("Carte de France des Cités des métiers du réseau : {}.", names.join(" ; "))),
        legende: "Site principal de chaque Cité (outre-mer en médaillons, chacun à son échelle)".into(),
        source: "Coordonnées : dossiers de labellisation ; fond de carte : Natural Earth (domaine public), simplifié".into(),
        abreges,
        cle,
        svg,
    })
}

/// A bar chart comparing one figure across Cités (network overview).
pub fn comparison(id: &str, title: &str, values: Vec<(String, f64)>, unit: &str) -> Result<Chart> {
    let bars = bars::prepare(
        values
            .into_iter()
            .map(|(label, value)| Bar { area: 0, label, value, previous: None })
            .collect(),
        &Options { sort: true, ..Options::default() },
    );
    canvas::take_shortened();
    let svg = bars::draw(&bars, &Options { unit: unit.to_string(), ..Options::default() })?;
    let abreges = canvas::take_shortened();
    Ok(Chart {
        chemin: format!("/graphiques/{id}.svg"),
        alt: bars::describe(title, &bars, unit),
        legende: title.to_string(),
        source: "Source : dossiers de labellisation".into(),
        abreges,
        cle: Vec::new(),
        svg,
    })
}
