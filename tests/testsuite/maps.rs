//! The map of item 5.3 as the reader gets it in the PDF: no name cut, planned sites told apart
//! from open ones, circles labelled, a legend of what is drawn only.

use crate::support::{pdf_pages, render, scratch};

#[test]
fn a_crowded_map_numbers_the_sites_it_cannot_name_and_tells_planned_sites_apart() {
    let mut toml = String::from(
        "[cite]\nnom = \"Cité des métiers du Bocage\"\nlabel = \"projet\"\ndate = 2026-01-01\n\n\
         [implantation.equite]\ntexte = \"Des permanences dans tout le bocage.\"\n\
         anneaux_km = [15, 30]\n\n\
         [[implantation.equite.sites]]\nnom = \"Cité des métiers — maison de l'emploi\"\n\
         type = \"principal\"\ncommune = \"Bourg\"\nlatitude = 46.60\nlongitude = -0.30\n\n\
         [[implantation.equite.sites]]\nnom = \"Centre associé de la Forêt\"\n\
         type = \"centre_associe\"\netat = \"prevu\"\ncommune = \"La Forêt\"\n\
         latitude = 46.68\nlongitude = -0.12\ndistance_km = 16\ntemps_min = 20\n",
    );
    // Twelve relay points with long names in one small town: there is no room to name them all.
    for i in 0..12 {
        toml.push_str(&format!(
            "\n[[implantation.equite.sites]]\nnom = \"Permanence numéro {i} de la Cité des métiers au centre social\"\n\
             type = \"point_relais\"\ncommune = \"Bourg\"\nlatitude = {}\nlongitude = {}\n\
             distance_km = 1\ntemps_min = 4\n",
            46.55 + 0.004 * f64::from(i % 4),
            -0.36 + 0.004 * f64::from(i / 4),
        ));
    }
    let dir = scratch("crowded-map");
    let input = dir.join("dossier.toml");
    std::fs::write(&input, toml).unwrap();
    let pdf = dir.join("dossier.pdf");
    render(&input, &pdf);
    let pages = pdf_pages(&pdf);
    let text = pages.join(" ");
    let map_page = pages.iter().find(|p| p.contains("Carte du territoire")).expect("the map");
    assert!(!map_page.contains('…'), "a name cut: {map_page}");
    assert!(text.contains("Numéros : sites nommés sous la carte"), "{text}");
    // Every relay point is named in full on the page of the map, on it or in its key.
    for i in 0..12 {
        let name = format!("Permanence numéro {i} de la Cité des métiers au centre social");
        assert!(map_page.contains(&name), "{name} not on the map's page");
    }
    // The planned centre: hollow in the legend, « prévu » in the table; no legend entry for a
    // kind the map does not show.
    assert!(text.contains("Centre associé prévu"), "legend of the planned centre");
    assert!(text.contains("Centre associé, prévu"), "table of the sites");
    assert!(!text.contains("Point relais prévu"), "a legend entry for nothing drawn");
    // The 15 km circle is drawn and labelled; the 30 km one lies beyond the frame, and the
    // legend says so.
    assert!(map_page.contains("15 km"), "circle labelled");
    assert!(map_page.contains("(30 km : au-delà du cadre)"), "{map_page}");
}
