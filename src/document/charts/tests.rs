//! Chart tests: well-formed SVG, labels that neither overlap nor leave the canvas, and
//! degenerate data (one value, zeros, huge numbers, long labels, 40 categories, no data).

use std::path::Path;

use super::bars::{self, Bar, Options};
use super::canvas::{self, WIDTH};
use super::{build, ecosystem};
use crate::model::{Dossier, Partenaire, Role};

/// A text element's box: (x0, y0, x1, y1) and its content.
type TextBox = ((f64, f64, f64, f64), String);

/// Parses an SVG, checks it is well-formed and returns the boxes of its texts.
fn text_boxes(svg: &str) -> Vec<TextBox> {
    let doc =
        roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("malformed SVG: {e}\n{svg}"));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            let num = |a: &str| n.attribute(a).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
            let (x, y, size) = (num("x"), num("y"), num("font-size"));
            let content = n.text().unwrap_or_default().trim().to_string();
            let bold = n.attribute("font-weight") == Some("bold");
            let width = canvas::text_width(&content, size, bold);
            let x0 = match n.attribute("text-anchor") {
                Some("middle") => x - width / 2.0,
                Some("end") => x - width,
                _ => x,
            };
            let baseline = y + match n.attribute("dy") {
                Some("0.76em") => 0.76 * size,
                Some("0.5ex") => 0.25 * size,
                Some("-0.5ex") => -0.25 * size,
                _ => 0.0,
            };
            ((x0, baseline - 0.72 * size, x0 + width, baseline + 0.2 * size), content)
        })
        .collect()
}

/// Asserts that no two labels overlap and that every label is inside the canvas.
fn assert_readable(svg: &str) {
    let boxes = text_boxes(svg);
    let height: f64 = roxmltree::Document::parse(svg)
        .unwrap()
        .root_element()
        .attribute("height")
        .and_then(|h| h.parse().ok())
        .unwrap();
    for (b, text) in &boxes {
        assert!(b.0 >= -0.5 && b.2 <= f64::from(WIDTH) + 0.5, "{text:?} leaves the canvas: {b:?}");
        assert!(b.1 >= -2.0 && b.3 <= height + 2.0, "{text:?} leaves the canvas vertically: {b:?}");
    }
    for (i, (a, ta)) in boxes.iter().enumerate() {
        for (b, tb) in &boxes[i + 1..] {
            let overlap = a.0 < b.2 - 1.0 && b.0 < a.2 - 1.0 && a.1 < b.3 - 1.0 && b.1 < a.3 - 1.0;
            assert!(!overlap, "labels overlap: {ta:?} {a:?} and {tb:?} {b:?}");
        }
    }
}

fn bar(label: &str, value: f64) -> Bar {
    Bar { area: 0, label: label.into(), value, previous: None }
}

#[test]
fn every_chart_of_the_complete_example_is_well_formed_and_readable() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/fonctionnement");
    let dossier: Dossier =
        toml::from_str(&std::fs::read_to_string(dir.join("dossier.toml")).unwrap()).unwrap();
    let geojson = std::fs::read(dir.join("territoire.geojson")).unwrap();
    let territory = crate::input::geo::parse(&geojson).unwrap();
    let charts = build(&dossier, &territory).unwrap();
    let expected = [
        "actions_collectives",
        "budget_fonctionnement",
        "budget_investissement",
        "carte",
        "carte_essentiel",
        "chomage",
        "demandeurs_age",
        "demandeurs_categorie",
        "ecosysteme",
        "entretiens",
        "frequentation",
        "frequentation_services",
        "gantt",
        "horaires",
        "indicateurs",
        "population_active",
        "scolaires",
        "secteurs",
        "visites",
    ];
    assert_eq!(charts.keys().map(String::as_str).collect::<Vec<_>>(), expected);
    for (id, chart) in &charts {
        assert!(!chart.alt.is_empty() && !chart.legende.is_empty(), "{id}");
        assert!(
            chart.svg.contains("font-family=\"Noto Sans\""),
            "{id} must name the embedded font"
        );
        assert!(!chart.svg.contains("sans-serif"), "{id} uses a generic family Typst ignores");
        assert_readable(&chart.svg);
    }
}

#[test]
fn no_data_means_no_chart() {
    let dossier: Dossier =
        toml::from_str("[cite]\nnom = \"X\"\nlabel = \"projet\"\ndate = 2026-01-01\n").unwrap();
    assert!(build(&dossier, &[]).unwrap().is_empty());
}

#[test]
fn degenerate_bar_data_renders_without_overlap() {
    let long = "Administration publique, enseignement, santé humaine et action sociale, y compris les établissements médico-sociaux du territoire";
    let cases: Vec<(&str, Vec<Bar>)> = vec![
        ("one value", vec![bar("Seul secteur", 42.0)]),
        ("zeros", vec![bar("a", 0.0), bar("b", 0.0)]),
        ("huge numbers", vec![bar("a", 123_456_789_012.0), bar("b", 1.0)]),
        (
            "long labels",
            vec![
                bar(long, 10.0),
                bar(&long.repeat(3), 20.0),
                bar("Motsanscoupuretrèstrèstrèstrèstrèstrèstrèslongquinetientpas", 5.0),
            ],
        ),
        (
            "forty categories",
            (0..40)
                .map(|i| {
                    bar(&format!("Catégorie numéro {i} au nom assez long"), f64::from(i * 37 % 101))
                })
                .collect(),
        ),
    ];
    for (name, data) in cases {
        let prepared = bars::prepare(data, &Options { sort: true, ..Options::default() });
        let svg = bars::draw(&prepared, &Options { unit: "€".into(), ..Options::default() })
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_readable(&svg);
    }
}

#[test]
fn partner_ecosystem_stays_readable_from_5_to_40_partners() {
    for n in [5, 17, 40] {
        let partners: Vec<Partenaire> = (0..n)
            .map(|i| Partenaire {
                nom: format!(
                    "Partenaire {i} — structure d'accompagnement au nom particulièrement long"
                ),
                roles: vec![
                    if i % 3 == 0 { Role::Financeur } else { Role::Services },
                    Role::Ressources,
                ],
                ..Partenaire::default()
            })
            .collect();
        assert_readable(&ecosystem::draw("Cité des métiers", &partners).unwrap());
    }
}

#[test]
fn hostile_labels_stay_valid_svg() {
    let svg =
        bars::draw(&[bar("<script>&amp;\u{0}\u{7}]]>\"'", 1.0)], &Options::default()).unwrap();
    let boxes = text_boxes(&svg);
    assert!(boxes.iter().any(|(_, t)| t.contains("<script>&amp;")), "{boxes:?}");
}

#[test]
fn the_overlap_check_catches_overlapping_labels() {
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="900" height="100">
        <text x="10" y="50" font-size="15" font-family="Noto Sans">Première étiquette</text>
        <text x="40" y="52" font-size="15" font-family="Noto Sans">Seconde étiquette</text></svg>"#;
    assert!(std::panic::catch_unwind(|| assert_readable(svg)).is_err());
}

#[test]
fn a_rebuild_redraws_only_the_charts_whose_data_changed() {
    let path = Path::new("data/fonctionnement/dossier.toml");
    let mut dossier: Dossier = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let base: &[crate::input::geo::Feature] = &[];
    let mut cache = super::ChartCache::default();
    let first = super::build_cached(&dossier, base, &mut cache).unwrap();
    assert_eq!(cache.redrawn.len(), first.len(), "the first build draws everything");
    let unchanged = super::build_cached(&dossier, base, &mut cache).unwrap();
    assert!(cache.redrawn.is_empty(), "nothing changed, nothing redrawn: {:?}", cache.redrawn);
    assert_eq!(unchanged.len(), first.len());
    dossier.budget.investissement.charges[0].montant += 1000.0;
    let changed = super::build_cached(&dossier, base, &mut cache).unwrap();
    assert_eq!(cache.redrawn, ["budget_investissement"]);
    assert_ne!(changed["budget_investissement"].svg, first["budget_investissement"].svg);
    assert_eq!(changed["secteurs"].svg, first["secteurs"].svg);
}

/// A synthetic territory: a grid of `cols × rows` communes of 0.07° × 0.045° around
/// (2.5° E, 50.6° N), with names of varied length as real ones have.
fn communes(cols: usize, rows: usize) -> Vec<crate::input::geo::Feature> {
    let names =
        ["Aire", "Saint-Martin-lez-Tatinghem", "Lys", "Mervillette", "Haverskerque-sur-Lys"];
    (0..cols * rows)
        .map(|i| {
            let (x, y) = (2.5 + 0.07 * (i % cols) as f64, 50.6 + 0.045 * (i / cols) as f64);
            // A slightly irregular quadrilateral, like a commune.
            let j = 0.008 * ((i * 7 % 5) as f64 - 2.0);
            let ring =
                vec![(x, y), (x + 0.07, y + j), (x + 0.07 + j, y + 0.045), (x, y + 0.045), (x, y)];
            crate::input::geo::Feature {
                name: Some(format!("{}-{i}", names[i % names.len()])),
                rings: vec![ring],
            }
        })
        .collect()
}

fn site(nom: &str, kind: crate::model::TypeSite, (lon, lat): (f64, f64)) -> crate::model::Site {
    crate::model::Site {
        nom: nom.into(),
        kind,
        commune: "Commune".into(),
        latitude: Some(lat),
        longitude: Some(lon),
        distance_km: Some(12.0),
        temps_min: Some(18.0),
        services: String::new(),
        etat: None,
    }
}

#[test]
fn a_territory_of_24_communes_is_named_where_room_allows_with_a_scale_bar_and_north() {
    use crate::model::TypeSite::*;
    let territory = communes(6, 4);
    let sites = vec![
        site("Cité des métiers — Halle aux grains", Principal, (2.71, 50.69)),
        site("Maison France services d'Aire", CentreAssocie, (2.55, 50.62)),
        site("Médiathèque de Lys", PointRelais, (2.58, 50.74)),
        site("Mission locale — antenne nord", CentreAssocie, (2.90, 50.75)),
        site("Point relais de la mairie", PointRelais, (2.86, 50.63)),
        site("Espace emploi intercommunal", PointRelais, (2.79, 50.72)),
    ];
    let svg = super::map::draw(&sites, &territory, &[5.0, 10.0]).unwrap();
    assert_readable(&svg);
    let texts: Vec<String> = text_boxes(&svg).into_iter().map(|(_, t)| t).collect();
    // A name split over two lines ends its first line with its hyphen.
    let joined: String =
        texts.iter().map(|t| if t.ends_with('-') { t.clone() } else { format!("{t}|") }).collect();
    let named = territory
        .iter()
        .filter(|f| joined.contains(&format!("|{}|", f.name.as_ref().unwrap())))
        .count();
    assert!(named >= 12, "only {named} of 24 communes named: {texts:?}");
    assert!(texts.iter().any(|t| t == "N"), "north arrow");
    assert!(texts.iter().any(|t| t.ends_with("\u{a0}km") && !t.contains('·')), "scale bar");
    assert!(texts.iter().any(|t| t == "Centre associé"), "legend");
    for site in &sites {
        let name = canvas::clean(&site.nom);
        assert!(texts.contains(&name), "{name} has room and must be named");
    }
}

#[test]
fn forty_sites_with_long_names_in_one_town_leave_labels_out_rather_than_overlap() {
    use crate::model::TypeSite::*;
    let sites: Vec<_> = (0..40)
        .map(|i| {
            let kind = if i == 0 { Principal } else { PointRelais };
            let p = (2.70 + 0.002 * f64::from(i % 7), 50.70 + 0.0015 * f64::from(i / 7));
            site(
                &format!("Point d'accueil numéro {i} de la Cité des métiers du territoire"),
                kind,
                p,
            )
        })
        .collect();
    canvas::take_key();
    let svg = super::map::draw(&sites, &communes(3, 3), &[]).unwrap();
    let key = canvas::take_key();
    assert_readable(&svg);
    let texts = text_boxes(&svg);
    let drawn = texts.iter().filter(|(_, t)| t.starts_with("Point d’accueil")).count();
    assert!((3..40).contains(&drawn), "{drawn} site labels drawn");
    // The others are numbered on the map and named in full in the key: no name is cut.
    assert_eq!(drawn + key.len(), 40, "{key:?}");
    assert!(texts.iter().all(|(_, t)| !t.contains('…')), "a cut label");
    assert!(
        key.iter().all(|(n, t)| texts.iter().any(|(_, d)| d == n) && t.ends_with("18\u{a0}min")),
        "{key:?}"
    );
    assert!(texts.iter().any(|(_, t)| t == "Numéros : sites nommés sous la carte"));
}

#[test]
fn planned_sites_are_drawn_hollow_and_the_legend_lists_only_what_is_drawn() {
    use crate::model::TypeSite::*;
    let mut planned = site("Centre associé de Merville", CentreAssocie, (2.85, 50.65));
    planned.etat = Some(crate::model::EtatSite::Prevu);
    let sites = vec![site("Cité", Principal, (2.71, 50.69)), planned];
    let svg = super::map::draw(&sites, &communes(4, 3), &[]).unwrap();
    let texts: Vec<String> = text_boxes(&svg).into_iter().map(|(_, t)| t).collect();
    assert!(texts.iter().any(|t| t == "Centre associé prévu"), "{texts:?}");
    for absent in ["Centre associé", "Point relais", "Point relais prévu"] {
        assert!(!texts.iter().any(|t| t == absent), "{absent} in the legend: {texts:?}");
    }
    assert!(!texts.iter().any(|t| t.starts_with("Cercles")), "no circle drawn: {texts:?}");
}

#[test]
fn the_circles_fit_in_the_map_with_their_labels() {
    use crate::model::TypeSite::*;
    let sites = vec![
        site("Cité", Principal, (2.71, 50.69)),
        site("Point relais", PointRelais, (2.60, 50.64)),
    ];
    // 4 and 15 km around a territory some 20 km wide: the map holds the smaller circle whole;
    // the larger one would shrink the territory, it is cut at the frame and labelled inside.
    let svg = super::map::draw(&sites, &communes(4, 3), &[4.0, 15.0]).unwrap();
    assert_readable(&svg);
    let texts: Vec<String> = text_boxes(&svg).into_iter().map(|(_, t)| t).collect();
    for ring in ["4\u{a0}km", "15\u{a0}km"] {
        assert!(texts.iter().any(|t| t == ring), "{ring} not labelled: {texts:?}");
    }
}

#[test]
fn the_twenty_communes_of_the_second_territory_are_named_without_overlap() {
    use crate::model::TypeSite::*;
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/territoire-serre-vallee/communes.geojson");
    let territory = crate::input::geo::parse(&std::fs::read(path).unwrap()).unwrap();
    assert_eq!(territory.len(), 20);
    let sites = vec![
        site("Cité des métiers Serre-Vallée", Principal, (5.0964, 45.0412)),
        site("Point relais de Vallon", PointRelais, (5.1725, 45.1108)),
        site("Point relais du Plateau", PointRelais, (5.2143, 44.9821)),
    ];
    let svg = super::map::draw(&sites, &territory, &[10.0, 20.0]).unwrap();
    assert_readable(&svg);
    let texts: String = text_boxes(&svg).into_iter().map(|(_, t)| t).collect();
    let named = territory.iter().filter(|f| texts.contains(f.name.as_deref().unwrap())).count();
    assert!(named >= 16, "{named} of 20 communes named");
}

#[test]
fn a_single_series_has_no_legend_and_two_series_have_one() {
    let values = vec![11_880.0, 16_900.0];
    let labels = vec!["2025".to_string(), "2026".to_string()];
    let single = super::columns::Columns {
        labels: labels.clone(),
        times: None,
        values: values.clone(),
        previous: None,
        legend: ("Visites par an".into(), "Année précédente".into()),
        estimated: vec![false, false],
        estimated_legend: "Estimations et prévisions".into(),
    };
    let texts = text_boxes(&super::columns::draw(&single).unwrap());
    assert!(!texts.iter().any(|(_, t)| t == "Visites par an"), "{texts:?}");
    let before = [9_000.0, 11_880.0];
    let two = super::columns::Columns { previous: Some(&before), ..single };
    let texts = text_boxes(&super::columns::draw(&two).unwrap());
    assert!(texts.iter().any(|(_, t)| t == "Visites par an"), "{texts:?}");
    assert!(texts.iter().any(|(_, t)| t == "Année précédente"), "{texts:?}");
}

/// The straight segments of an SVG (two-point polylines): ((x0, y0), (x1, y1)).
fn segments(svg: &str) -> Vec<((i32, i32), (i32, i32))> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .filter_map(|n| {
            let points: Vec<(i32, i32)> = n
                .attribute("points")?
                .split_whitespace()
                .filter_map(|p| {
                    let (x, y) = p.split_once(',')?;
                    Some((x.parse().ok()?, y.parse().ok()?))
                })
                .collect();
            match points.as_slice() {
                [a, b] => Some((*a, *b)),
                _ => None,
            }
        })
        .collect()
}

fn series(periods: &[&str], values: &[&[f64]]) -> crate::model::SerieTemporelle {
    let text = format!(
        "titre = \"Taux de chômage\"\nunite = \"%\"\nperiodes = {periods:?}\n{}",
        values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("[[series]]\nnom = \"Zone {i}\"\nvaleurs = {v:?}\n"))
            .collect::<String>()
    );
    toml::from_str(&text).unwrap()
}

#[test]
fn a_line_chart_far_above_zero_starts_at_a_round_value_and_shows_the_break() {
    use super::lines;
    // Rates between 6,9 % and 8,1 %: the axis starts at 6 %, not 6,5 %.
    assert_eq!(lines::scale(&[6.9, 7.4, 8.1]), (6.0, 9.0, 0.5));
    assert_eq!(lines::scale(&[61.0, 66.0, 72.0]).0, 60.0);
    // Values near zero keep zero, and no break.
    assert_eq!(lines::scale(&[1.0, 4.0, 9.0]).0, 0.0);
    let data = series(&["2021", "2022", "2023"], &[&[6.9, 7.4, 8.1], &[7.0, 7.2, 7.6]]);
    let svg = lines::draw(&data).unwrap();
    assert_readable(&svg);
    let texts: Vec<String> = text_boxes(&svg).into_iter().map(|(_, t)| t).collect();
    assert_eq!(texts[0], "6\u{202f}%", "the lowest tick: {texts:?}");
    // The break: two short parallel strokes across the axis.
    let strokes = segments(&svg)
        .into_iter()
        .filter(|((x0, y0), (x1, y1))| x1 - x0 == 14 && y0 - y1 == 6)
        .count();
    assert_eq!(strokes, 2, "{svg}");
    let near_zero = series(&["2021", "2022"], &[&[1.0, 9.0]]);
    let svg = lines::draw(&near_zero).unwrap();
    let strokes = segments(&svg).into_iter().filter(|((x0, _), (x1, _))| x1 - x0 == 14).count();
    assert_eq!(strokes, 0, "no break on an axis from zero");
}

#[test]
fn census_years_are_placed_by_their_date() {
    use super::lines;
    let years = |p: &[&str]| lines::times(&p.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert_eq!(years(&["2010", "2015", "2021"]), Some(vec![2010.0, 2015.0, 2021.0]));
    assert_eq!(years(&["T4 2023", "T1 2024"]), Some(vec![2023.75, 2024.0]));
    assert_eq!(years(&["2021", "Fin 2022"]), None);
    assert_eq!(years(&["2021", "2019"]), None, "not in order: evenly spaced");
    let data = series(&["2010", "2015", "2021"], &[&[9.0, 8.0, 7.0]]);
    let svg = lines::draw(&data).unwrap();
    assert_readable(&svg);
    let x = |label: &str| {
        let boxes = text_boxes(&svg);
        let (b, _) = boxes.iter().find(|(_, t)| t == label).unwrap();
        (b.0 + b.2) / 2.0
    };
    // Five years then six: 2015 sits 5/11 of the way, not halfway.
    let at = (x("2015") - x("2010")) / (x("2021") - x("2010"));
    assert!((at - 5.0 / 11.0).abs() < 0.01, "2015 at {at}");
}

#[test]
fn the_small_map_of_l_essentiel_numbers_the_listed_sites_in_print_that_can_be_read() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/fonctionnement");
    let dossier: Dossier =
        toml::from_str(&std::fs::read_to_string(dir.join("dossier.toml")).unwrap()).unwrap();
    let territory =
        crate::input::geo::parse(&std::fs::read(dir.join("territoire.geojson")).unwrap()).unwrap();
    let sites = &dossier.implantation.equite.sites;
    let svg = super::map::draw_compact(sites, &territory, 3).unwrap();
    assert_readable(&svg);
    let texts = text_boxes(&svg);
    let numbers: Vec<&str> =
        texts.iter().map(|(_, t)| t.as_str()).filter(|t| !t.ends_with("km")).collect();
    assert_eq!(numbers, ["1", "2", "3"], "three numbers, no names: {texts:?}");
    // Printed at least 175 pt wide (900 units), 36 units make 7 pt: the full map scaled down
    // to that width printed its names at 3 to 4 pt.
    for ((_, top, _, bottom), text) in &texts {
        let size = (bottom - top) / 0.92;
        assert!(size * 175.0 / 900.0 >= 6.99, "« {text} » at {:.1} pt", size * 175.0 / 900.0);
    }
}

#[test]
fn attendance_columns_are_placed_by_their_year() {
    // 2019, then 2023 and 2024: the four years' gap is four times the one year's, as on the
    // line charts (the same time axis), not drawn alike.
    let data = super::columns::Columns {
        labels: vec!["2019".to_string(), "2023".to_string(), "2024".to_string()],
        times: Some(vec![2019.0, 2023.0, 2024.0]),
        values: vec![9_000.0, 11_880.0, 12_500.0],
        previous: None,
        legend: ("Visites comptées".into(), String::new()),
        estimated: vec![false; 3],
        estimated_legend: String::new(),
    };
    let svg = super::columns::draw(&data).unwrap();
    assert_readable(&svg);
    let boxes = text_boxes(&svg);
    let x = |label: &str| {
        let (b, _) = boxes.iter().find(|(_, t)| t == label).unwrap();
        (b.0 + b.2) / 2.0
    };
    let ratio = (x("2023") - x("2019")) / (x("2024") - x("2023"));
    assert!((ratio - 4.0).abs() < 0.1, "2019 → 2023 drawn {ratio} times 2023 → 2024");
}

#[test]
fn the_opening_hours_show_every_day_of_the_week_the_closed_ones_as_closed() {
    let hours: crate::model::Horaires = toml::from_str(
        "[[jours]]\njour = \"mardi\"\nplages = [\"09:00-12:30\"]\n\
         [[jours]]\njour = \"lundi\"\nplages = [\"14:00-18:00\"]\n\
         [[jours]]\njour = \"mercredi\"\nplages = []\n",
    )
    .unwrap();
    let svg = super::hours::draw(&hours).unwrap();
    assert_readable(&svg);
    let texts: Vec<String> = text_boxes(&svg).into_iter().map(|(_, t)| t).collect();
    let days: Vec<&String> =
        texts.iter().filter(|t| t.ends_with("di") || *t == "Dimanche").collect();
    assert_eq!(
        days,
        ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"],
        "{texts:?}"
    );
    assert_eq!(texts.iter().filter(|t| *t == "Fermé").count(), 5, "{texts:?}");
    let alt = super::hours::describe(&hours);
    assert!(alt.starts_with("Grille hebdomadaire des horaires d'ouverture. Lundi : "), "{alt}");
    assert!(alt.contains("Dimanche : fermé"), "{alt}");
}

#[test]
fn the_gantt_legend_lists_only_the_states_that_have_a_bar() {
    #[derive(serde::Deserialize)]
    struct Plan {
        actions: Vec<crate::model::ActionAmelioration>,
    }
    let plan: Plan = toml::from_str(
        "[[actions]]\naction = \"Refaire la signalétique\"\ndebut = \"2026-01-05\"\n\
         fin = \"2026-03-31\"\netat = \"en_cours\"\n\
         [[actions]]\naction = \"Former l'équipe\"\ndebut = \"2026-02-01\"\nfin = \"2026-06-30\"\n\
         etat = \"En cours\"\n",
    )
    .unwrap();
    let svg = super::gantt::draw(&plan.actions).unwrap();
    assert_readable(&svg);
    let texts: Vec<String> = text_boxes(&svg).into_iter().map(|(_, t)| t).collect();
    assert!(texts.contains(&"En cours".to_string()), "{texts:?}");
    assert!(!texts.contains(&"Réalisé".to_string()), "{texts:?}");
    assert!(!texts.contains(&"À venir".to_string()), "{texts:?}");
}

#[test]
fn the_legend_of_reference_areas_names_only_the_areas_that_have_a_bar() {
    let bars = vec![
        Bar { area: 0, label: "Taux de pauvreté".into(), value: 14.0, previous: Some(15.0) },
        Bar { area: 1, label: "Part des jeunes".into(), value: 12.0, previous: None },
    ];
    let options = Options {
        unit: "%".into(),
        legend: Some(("Territoire".into(), "Référence".into())),
        areas: vec!["Région Bretagne".into(), "France".into()],
        ..Options::default()
    };
    let svg = bars::draw(&bars, &options).unwrap();
    assert_readable(&svg);
    let texts: Vec<String> = text_boxes(&svg).into_iter().map(|(_, t)| t).collect();
    assert!(texts.contains(&"Région Bretagne".to_string()), "{texts:?}");
    assert!(!texts.contains(&"France".to_string()), "no bar for France: {texts:?}");
}

#[test]
fn estimates_and_forecasts_are_drawn_lighter_and_named_in_the_legend() {
    let counted = super::columns::Columns {
        labels: vec!["2025 (10 mois)".to_string(), "2026".to_string(), "2027".to_string()],
        times: Some(vec![2025.0, 2026.0, 2027.0]),
        values: vec![11_880.0, 16_900.0, 20_500.0],
        previous: None,
        legend: ("Visites comptées".into(), String::new()),
        estimated: vec![false, false, true],
        estimated_legend: "Estimations et prévisions".into(),
    };
    let svg = super::columns::draw(&counted).unwrap();
    let texts = text_boxes(&svg);
    assert!(texts.iter().any(|(_, t)| t == "Visites comptées"), "{texts:?}");
    assert!(texts.iter().any(|(_, t)| t == "Estimations et prévisions"), "{texts:?}");
    assert!(texts.iter().any(|(_, t)| t == "2025 (10 mois)"), "{texts:?}");
    let medium = format!(
        "#{:02X}{:02X}{:02X}",
        super::canvas::MEDIUM.0,
        super::canvas::MEDIUM.1,
        super::canvas::MEDIUM.2
    );
    assert!(svg.to_uppercase().contains(&medium), "the forecast column is lighter");
}

#[test]
fn a_chart_too_large_for_the_svg_reader_is_refused_by_its_caption() {
    let huge = "<g/>".repeat(super::MAX_ELEMENTS + 1);
    let message = super::drawable(&huge, "Calendrier du plan d'amélioration").unwrap_err();
    let message = message.to_string();
    assert!(message.contains("« Calendrier du plan d'amélioration » est trop chargé"), "{message}");
    assert!(!message.contains(".svg"), "{message}");
    assert!(super::drawable("<svg><g/></svg>", "x").is_ok());
}

#[test]
fn months_before_the_opening_are_left_blank_and_described_as_not_open() {
    let months = ["janv.", "févr.", "mars", "avr.", "mai", "juin"];
    let data = super::columns::Columns {
        labels: months.iter().map(|m| m.to_string()).collect(),
        times: None,
        values: vec![0.0, 0.0, 1_200.0, 1_300.0, 1_250.0, 900.0],
        previous: None,
        legend: ("2026".into(), String::new()),
        estimated: vec![false; 6],
        estimated_legend: "2026, estimé".into(),
    };
    let texts = text_boxes(&super::columns::draw(&data).unwrap());
    // The axis says 0 once; no column of a month before the opening does.
    assert_eq!(texts.iter().filter(|(_, t)| t == "0").count(), 1, "{texts:?}");
    assert!(texts.iter().any(|(_, t)| t == "1\u{202f}200"), "{texts:?}");
    let alt = super::columns::describe("visites par mois", &data);
    assert!(alt.contains("janv. : non ouvert ; févr. : non ouvert ; mars : 1"), "{alt}");
}

#[test]
fn estimated_periods_of_a_line_chart_are_drawn_hollow_and_named_in_the_legend() {
    use super::lines;
    let mut data = series(&["2023", "2024", "2025"], &[&[7.1, 7.4, 7.9], &[7.0, 7.2, 7.6]]);
    let counted = lines::draw(&data).unwrap();
    data.statuts = vec![
        crate::model::StatutValeur::Realise,
        crate::model::StatutValeur::Realise,
        crate::model::StatutValeur::Estime,
    ];
    let svg = lines::draw(&data).unwrap();
    assert_readable(&svg);
    let legend = "valeurs estimées ou prévisionnelles (points creux)";
    assert!(text_boxes(&svg).iter().any(|(_, t)| t == legend), "{svg}");
    assert!(!text_boxes(&counted).iter().any(|(_, t)| t == legend));
    // Hollow markers: outlined, not filled.
    assert!(svg.matches("fill=\"none\"").count() > counted.matches("fill=\"none\"").count());
    assert!(lines::describe(&data).contains("7,9 (estimé) en 2025"), "{}", lines::describe(&data));
}
